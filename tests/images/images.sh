#!/bin/sh
# The image store and pods from images, on images umoci makes here:
# import of an OCI layout, every blob verified (a flipped byte refused,
# naming the digest, the store unchanged), hostile layers refused with
# nothing written outside the store, list, inspect, rm (refused while a pod
# uses the image), prune leaving no blobs.
#   PODRT_BUILD_DIR=<build> images.sh
# TAP-like lines; exits 1 when a check failed, 77 without root or umoci.
set -u
B=${PODRT_BUILD_DIR:?PODRT_BUILD_DIR: the build directory}
SRC=${PODRT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
HERE=$SRC/tests/images

[ "$(id -u)" = 0 ] || { echo "images: needs root" >&2; exit 77; }
command -v umoci >/dev/null || { echo "images: umoci missing (scripts/deps.sh)" >&2; exit 77; }
command -v python3 >/dev/null || { echo "images: python3 missing" >&2; exit 77; }
[ -x "$B/rootfs/bin/busybox" ] || "$SRC/scripts/mkrootfs.sh" "$B/rootfs" >/dev/null

T=$(mktemp -d /tmp/podrt-images-test.XXXXXX)
KERNEL=${PODRT_KVM_KERNEL:-/var/lib/podrt/kernel/vmlinuz}
MODULES=${PODRT_KVM_MODULES:-/var/lib/podrt/kernel/modules}
export PODRT_PLUGIN_PATH=$B/plugins/oci:$B/plugins/nspawn:$B/plugins/overlay:$B/plugins/kvm:$B/plugins/qemu
export PODRT_LIBEXEC_DIR=$B/core/init
S=$T/store
OUTSIDE=$T/outside
export OUTSIDE
mkdir -p "$OUTSIDE"
printf 'images = { dir = "%s"; };\nstorage = "overlay";\noci = { runtime = "runc"; };\nkvm = { kernel = "%s"; modules = "%s"; accel = "tcg"; };\n' \
        "$S" "$KERNEL" "$MODULES" > "$T/podrt.conf"
P() { PODRT_CONFIG=$T/podrt.conf "$B/core/cli/podrt" --root "$T/state" "$@"; }

cleanup() {
        for d in "$T/state"/pods/*/; do
                [ -d "$d" ] && P delete --force "$(basename "$d")" >/dev/null 2>&1
        done
        grep -F " $T/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
                umount -l "$m" 2>/dev/null
        done
        rm -rf --one-file-system "$T"
}
trap cleanup EXIT
trap 'exit 98' INT TERM

. "$SRC/tests/tap.sh"

# A two-layer image: the busybox rootfs with /etc/doomed, then a layer that
# deletes it (a whiteout), empties /opt/stuff (an opaque dir) and adds /app.
cd "$T" || exit 1
umoci init --layout lay >/dev/null && umoci new --image lay:latest >/dev/null &&
umoci unpack --image lay:latest b >/dev/null && cp -a "$B/rootfs/." b/rootfs/ &&
echo doomed > b/rootfs/etc/doomed && mkdir -p b/rootfs/opt/stuff && echo old > b/rootfs/opt/stuff/old &&
umoci repack --image lay:latest b >/dev/null && rm -rf b &&
umoci unpack --image lay:latest b >/dev/null && rm b/rootfs/etc/doomed &&
rm -rf b/rootfs/opt/stuff && mkdir -p b/rootfs/opt/stuff b/rootfs/app && echo new > b/rootfs/opt/stuff/new &&
echo hello > b/rootfs/app/hello && umoci repack --image lay:latest b >/dev/null && rm -rf b &&
umoci config --image lay:latest --config.entrypoint /bin/sh --config.cmd -c \
        --config.cmd 'echo "$GREETING $OTHER $(pwd)"; cat /etc/doomed 2>/dev/null || echo no-doomed; ls /opt/stuff' \
        --config.env GREETING=from-image --config.env OTHER=image-other --config.workingdir /app >/dev/null ||
        { echo "images: umoci could not make the test image" >&2; exit 1; }

# The run path pays nothing for images: libarchive is dlopen()ed on import.
if ldd "$B/core/cli/podrt" | grep -q libarchive; then not_ok "podrt links libarchive"; else ok "podrt does not link libarchive"; fi

# ---- import, verified ---------------------------------------------------
out=$(P image import --name example/bb oci:lay:latest 2>&1); rc=$?
same "import of a two-layer umoci image exits 0" "$rc" 0
id=$out
list=$(P image list 2>&1)
has "image list shows it as podman names it" "$list" "example/bb:latest"
same "list --json: one image, two layers" \
        "$(P image list --json | python3 -c 'import json,sys; a=json.load(sys.stdin); print(len(a), len(a[0]["layers"]), a[0]["names"][0])')" \
        "1 2 example/bb:latest"
same "inspect without a tag finds :latest, with the image's config" \
        "$(P image inspect example/bb | python3 -c 'import json,sys; print(json.load(sys.stdin)["imageConfig"]["config"]["WorkingDir"])')" /app
top=$(P image inspect example/bb | python3 -c 'import json,sys; print(json.load(sys.stdin)["layerDirs"][0])')
if [ -c "$top/etc/doomed" ] && [ "$(stat -c %t:%T "$top/etc/doomed")" = 0:0 ]; then
        ok "a deleted file is an overlayfs whiteout (char 0:0) in its layer"
else
        not_ok "no whiteout for /etc/doomed in $top"
fi
if [ -c "$top/opt/stuff/old" ]; then ok "a file of a removed dir is a whiteout too"; else not_ok "no whiteout for /opt/stuff/old"; fi
rm -rf l-opaque && cp -a lay l-opaque && python3 "$HERE/add-layer.py" l-opaque latest opaque >/dev/null
P image import --name example/opaque oci:l-opaque:latest >/dev/null 2>&1
otop=$(P image inspect example/opaque | python3 -c 'import json,sys; print(json.load(sys.stdin)["layerDirs"][0])')
same "an opaque dir (.wh..wh..opq) is trusted.overlay.opaque=y" \
        "$(python3 -c "import os,sys; print(os.getxattr(sys.argv[1],'trusted.overlay.opaque').decode())" "$otop/opt/stuff" 2>&1)" y
same "and the marker itself is not in the layer" "$(ls -A "$otop/opt/stuff")" fresh
P image rm example/opaque >/dev/null 2>&1
again=$(P image import --name example/bb oci:lay:latest 2>&1)
same "importing the same image again gives the same id" "$again" "$id"
same "and still one image" "$(P image list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1

# A flipped byte in the biggest blob (a layer).
before=$(P image list --json)
cp -a lay bad
f=$(ls -S bad/blobs/sha256 | head -1)
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=1; open(p,'wb').write(b)" "bad/blobs/sha256/$f"
out=$(P image import --name example/bad oci:bad:latest 2>&1); rc=$?
same "a flipped byte: import exits 125" "$rc" 125
has "and names the digest" "$out" "sha256:$f"
same "image list unchanged" "$(P image list --json)" "$before"
same "nothing left in the store's tmp" "$(ls "$S/tmp")" ""

# Hostile layers: nothing lands outside the store.
echo outside > "$OUTSIDE/target"
for kind in dotdot symlink hardlink absolute; do
        rm -rf "l-$kind" && cp -a lay "l-$kind"
        python3 "$HERE/add-layer.py" "l-$kind" latest "$kind" >/dev/null
        out=$(P image import --name "evil/$kind" "oci:l-$kind:latest" 2>&1); rc=$?
        same "a layer entry escaping ($kind): import exits 125" "$rc" 125
        has "($kind) names the entry" "$out" "x-$kind"
done
same "the file outside is not linked from the store" "$(stat -c %h "$OUTSIDE/target")" 1
rm -f "$OUTSIDE/target"
same "nothing written outside the store" "$(ls -A "$OUTSIDE"; ls -d "$T"/x-* "$S"/x-* "$S"/layers/x-* /x-* 2>/dev/null)" ""
same "image list unchanged by the refused imports" "$(P image list --json)" "$before"
rm -rf l-device && cp -a lay l-device && python3 "$HERE/add-layer.py" l-device latest device >/dev/null
out=$(P image import --name evil/device oci:l-device:latest 2>&1); rc=$?
same "a device node in a layer: imported" "$rc" 0
has "with a note" "$out" "device node(s) skipped"
P image rm evil/device >/dev/null 2>&1
same "rm of a name: gone from the list" "$(P image list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1
out=$(P image rm evil/nonesuch 2>&1); rc=$?
same "rm of an unknown image exits 125" "$rc" 125
has "naming it" "$out" "evil/nonesuch"

# ---- archives (skopeo) ------------------------------------------------------
if command -v skopeo >/dev/null; then
        skopeo copy --quiet oci:lay:latest "docker-archive:$T/bb-docker.tar:example/dock:v1" &&
        skopeo copy --quiet oci:lay:latest "oci-archive:$T/bb-oci.tar:v2" ||
                { echo "images: skopeo could not convert the test image" >&2; exit 1; }
        out=$(P image import "docker-archive:$T/bb-docker.tar" 2>&1); rc=$?
        same "docker-archive: imported" "$rc" 0
        has "under the name it names itself (podman's docker.io/ kept)" "$(P image list)" "docker.io/example/dock:v1"
        same "and found by its short name" \
                "$(P image inspect example/dock:v1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["names"][0])')" \
                docker.io/example/dock:v1
        out=$(P image import --name example/ociarch "oci-archive:$T/bb-oci.tar:v2" 2>&1); rc=$?
        same "oci-archive:FILE:TAG: imported" "$rc" 0
        same "an oci-archive of the same image: the same id" "$out" "$id"
        # A layer of the docker archive with a byte flipped: its diff_id fails.
        mkdir -p dbad && tar -C dbad -xf "$T/bb-docker.tar"
        lt=$(cd dbad && ls -S -- */layer.tar *.tar 2>/dev/null | head -1)
        python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=1; open(p,'wb').write(b)" "dbad/$lt"
        tar -C dbad -cf "$T/bad-docker.tar" .
        before2=$(P image list --json)
        out=$(P image import --name example/dbad "docker-archive:$T/bad-docker.tar" 2>&1); rc=$?
        same "docker-archive with a flipped byte in a layer: exits 125" "$rc" 125
        has "naming the diff_id it is not" "$out" "not the diff_id the config names"
        same "image list unchanged" "$(P image list --json)" "$before2"
        P image rm example/ociarch >/dev/null 2>&1
        P image rm example/dock:v1 >/dev/null 2>&1
else
        echo "# skip archives: no skopeo"
fi

# ---- concurrent imports of the same layers ------------------------------------
P image rm example/bb >/dev/null 2>&1
P image prune >/dev/null 2>&1
P image import --name example/c1 oci:lay:latest > "$T/c1.out" 2>&1 &
c1=$!
P image import --name example/c2 oci:lay:latest > "$T/c2.out" 2>&1 &
c2=$!
wait $c1; r1=$?
wait $c2; r2=$?
same "two imports of the same image at once both succeed" "$r1 $r2" "0 0"
same "one image with both names" \
        "$(P image list --json | python3 -c 'import json,sys; a=json.load(sys.stdin); print(len(a), sorted(a[0]["names"]))')" \
        "1 ['example/c1:latest', 'example/c2:latest']"
same "its two layers once" "$(ls "$S/layers" | wc -l)" 2
P image rm example/c1 >/dev/null 2>&1
P image rm example/c2 >/dev/null 2>&1
P image import --name example/bb oci:lay:latest >/dev/null 2>&1

# ---- a SIGKILLed import ---------------------------------------------------------
before3=$(P image list --json)
for delay in 0.05 0.2; do
        PODRT_CONFIG=$T/podrt.conf "$B/core/cli/podrt" --root "$T/state" image import --name example/killed oci:lay:latest >/dev/null 2>&1 &
        pid=$!
        sleep $delay
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
done
after=$(P image list --json | python3 -c 'import json,sys; print(sorted(n for r in json.load(sys.stdin) for n in r["names"]))')
case $after in
"['example/bb:latest']"|"['example/bb:latest', 'example/killed:latest']") ok "a SIGKILLed import: the image whole or not at all ($after)" ;;
*) not_ok "a SIGKILLed import left $after" ;;
esac
P image rm example/killed >/dev/null 2>&1
P image prune >/dev/null 2>&1
same "prune removes what the killed imports left in tmp" "$(ls -A "$S/tmp")" ""
same "and the image still imports" "$(P image import --name example/bb oci:lay:latest 2>&1)" "$id"

# ---- pods from images ---------------------------------------------------
if [ -f "$HERE/pods.sh" ]; then
        . "$HERE/pods.sh"
fi

# ---- rm + prune -----------------------------------------------------------
P image rm example/bb >/dev/null 2>&1
out=$(P image prune 2>&1); rc=$?
same "prune exits 0" "$rc" 0
same "rm + prune leave no blobs" "$(ls -A "$S/blobs/sha256")" ""
same "nor layers" "$(ls -A "$S/layers")" ""

echo "1..$n"
[ "$fails" = 0 ]
