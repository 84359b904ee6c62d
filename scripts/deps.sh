#!/bin/sh
# Installs what podrt needs to build, test and run its backends, from
# Debian 12's archive.  Runs apt only when something is missing.
set -eu
pkgs="meson ninja-build pkg-config gcc libc6-dev libconfig-dev libjson-c-dev libkmod-dev
      libcunit1-dev busybox-static g++ clang-14 libclang-rt-14-dev runc crun systemd-container qemu-system-x86 kmod
      util-linux iproute2 procps file liblzma-dev cpio containernetworking-plugins iptables
      libarchive-dev umoci skopeo python3 podman containerd"
missing=""
for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
        echo "deps: installing$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
