#!/bin/sh
# Builds a minimal busybox root filesystem from Debian's busybox-static:
# one static binary, a symlink per applet, /etc/passwd, /etc/group, and
# usr/lib/os-release so that systemd-nspawn accepts the directory.
#   scripts/mkrootfs.sh DIR
set -eu
dir=${1:?usage: mkrootfs.sh DIR}
bb=/bin/busybox
[ -x "$bb" ] || { echo "mkrootfs: $bb missing: apt-get install busybox-static" >&2; exit 1; }
case $(file -b "$bb" 2>/dev/null || echo static) in
*dynamic*) echo "mkrootfs: $bb is not static: apt-get install busybox-static" >&2; exit 1 ;;
esac

tmp=$(mktemp -d "${dir%/}.tmp.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/sbin" "$tmp/usr/bin" "$tmp/usr/sbin" "$tmp/usr/lib" \
         "$tmp/etc" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp" "$tmp/root" \
         "$tmp/run" "$tmp/var/tmp"
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
cp "$bb" "$tmp/bin/busybox"
for applet in $("$bb" --list-full); do
        case $applet in bin/busybox) continue ;; esac
        mkdir -p "$tmp/$(dirname "$applet")"
        # Relative links, so the tree means the same from any root.
        up=$(dirname "$applet" | sed 's|[^/][^/]*|..|g')
        ln -sf "$up/bin/busybox" "$tmp/$applet"
done
cat > "$tmp/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$tmp/etc/group" <<'G'
root:x:0:
daemon:x:1:
wheel:x:10:root
nogroup:x:65534:
G
cat > "$tmp/usr/lib/os-release" <<'O'
NAME="podrt busybox"
ID=podrt-busybox
PRETTY_NAME="podrt busybox test rootfs"
O
touch "$tmp/etc/hostname" "$tmp/etc/hosts" "$tmp/etc/resolv.conf"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "mkrootfs: $dir ($("$bb" | head -n 1))"
