#!/bin/sh
# Fetches the guest kernel of the kvm backend: Debian's standard
# linux-image-amd64 flavour (not -cloud-: it has no 9p), without installing it
# on the host (apt-get download + dpkg -x), into the configured kvm.kernel
# (the bzImage) and kvm.modules (a folder holding <version>/, as /lib/modules
# does), then runs depmod on the module tree.  Quick and silent-ish when the
# kernel is there already.
#
#   scripts/fetch-kernel.sh [--config FILE] [--kernel PATH] [--modules DIR] [--force]
#
# Defaults: the kvm group of --config FILE (or $PODRT_CONFIG), else
# /var/lib/podrt/kernel/vmlinuz and /var/lib/podrt/kernel/modules.
set -eu

usage() {
        echo "usage: fetch-kernel.sh [--config FILE] [--kernel PATH] [--modules DIR] [--force]" >&2
        exit 2
}

config=${PODRT_CONFIG:-}
kernel=""
modules=""
force=0
while [ $# -gt 0 ]; do
        case $1 in
        --config) [ $# -ge 2 ] || usage; config=$2; shift 2 ;;
        --kernel) [ $# -ge 2 ] || usage; kernel=$2; shift 2 ;;
        --modules) [ $# -ge 2 ] || usage; modules=$2; shift 2 ;;
        --force) force=1; shift ;;
        -h|--help) usage ;;
        *) echo "fetch-kernel: unknown argument '$1'" >&2; usage ;;
        esac
done

# kvm.kernel / kvm.modules from a libconfig file: `kernel = "..."` lines
# inside the kvm group (good enough for the files podrt's docs show).
conf_value() {
        awk -v key="$1" '
                /^[ \t]*kvm[ \t]*[=:]?[ \t]*\{/ { inkvm = 1 }
                inkvm {
                        line = $0
                        if (match(line, key "[ \t]*[=:][ \t]*\"[^\"]*\"")) {
                                v = substr(line, RSTART, RLENGTH)
                                sub(/^[^"]*"/, "", v); sub(/"$/, "", v)
                                print v; exit
                        }
                        if (line ~ /\}/) inkvm = 0
                }' "$2"
}
if [ -n "$config" ]; then
        [ -r "$config" ] || { echo "fetch-kernel: $config: cannot read" >&2; exit 1; }
        [ -n "$kernel" ] || kernel=$(conf_value kernel "$config")
        [ -n "$modules" ] || modules=$(conf_value modules "$config")
fi
kernel=${kernel:-/var/lib/podrt/kernel/vmlinuz}
modules=${modules:-/var/lib/podrt/kernel/modules}
case $kernel in /*) ;; *) echo "fetch-kernel: kernel path '$kernel' must be absolute" >&2; exit 1 ;; esac
case $modules in /*) ;; *) echo "fetch-kernel: modules path '$modules' must be absolute" >&2; exit 1 ;; esac

stamp=$modules/.podrt-kernel
if [ "$force" = 0 ] && [ -s "$kernel" ] && [ -s "$stamp" ]; then
        ver=$(sed -n 's/^version //p' "$stamp")
        if [ -n "$ver" ] && [ -s "$modules/$ver/modules.dep" ]; then
                echo "fetch-kernel: $kernel ($ver) is there"
                exit 0
        fi
fi

for tool in apt-get apt-cache dpkg depmod; do
        command -v "$tool" >/dev/null 2>&1 || { echo "fetch-kernel: $tool not found" >&2; exit 1; }
done

# linux-image-amd64 is a metapackage: the image is the versioned package it
# depends on (linux-image-6.1.0-NN-amd64).
image_package() {
        apt-cache depends linux-image-amd64 2>/dev/null |
                awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64$/ { print $2; exit }'
}
pkg=$(image_package)
if [ -z "$pkg" ]; then
        # Fresh machines have no package lists yet.
        apt-get update -qq >/dev/null 2>&1 || true
        pkg=$(image_package)
fi
if [ -z "$pkg" ]; then
        echo "fetch-kernel: no linux-image-amd64 in apt's lists (run apt-get update)" >&2
        exit 1
fi
ver=${pkg#linux-image-}

work=$(mktemp -d "${TMPDIR:-/tmp}/podrt-kernel.XXXXXX")
# apt-get download drops to the _apt user, which must write there.
chown _apt "$work" 2>/dev/null || true
trap 'rm -rf "$work"' EXIT INT TERM
echo "fetch-kernel: downloading $pkg"
(cd "$work" && apt-get download -qq "$pkg" >/dev/null) || {
        echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
deb=$(ls "$work"/*.deb)
mkdir "$work/x"
dpkg -x "$deb" "$work/x"
[ -s "$work/x/boot/vmlinuz-$ver" ] || { echo "fetch-kernel: $deb has no boot/vmlinuz-$ver" >&2; exit 1; }
[ -d "$work/x/lib/modules/$ver" ] || { echo "fetch-kernel: $deb has no lib/modules/$ver" >&2; exit 1; }

# The .deb has no modules.dep: make it where it is, then move it in.
depmod -b "$work/x" "$ver"

mkdir -p "$(dirname "$kernel")" "$modules"
rm -rf "$modules/$ver.new" "$modules/$ver.old"
mv "$work/x/lib/modules/$ver" "$modules/$ver.new"
if [ -e "$modules/$ver" ]; then mv "$modules/$ver" "$modules/$ver.old"; fi
mv "$modules/$ver.new" "$modules/$ver"
rm -rf "$modules/$ver.old"
cp "$work/x/boot/vmlinuz-$ver" "$kernel.new"
mv "$kernel.new" "$kernel"
printf 'package %s\nversion %s\n' "$pkg" "$ver" > "$stamp.new"
mv "$stamp.new" "$stamp"
echo "fetch-kernel: $kernel and $modules/$ver ($pkg)"
