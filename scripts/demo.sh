#!/bin/sh
# The README's first command: installs what is needed, builds and installs
# podrt, makes a busybox rootfs, and runs a demo pod on the default backend.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
demo=/var/lib/podrt/demo
mkdir -p "$demo"
[ -x "$demo/rootfs/bin/busybox" ] || scripts/mkrootfs.sh "$demo/rootfs"
cp examples/demo/pod.json "$demo/pod.json"
echo "+ podrt run --rm $demo/pod.json"
podrt run --rm "$demo/pod.json"
