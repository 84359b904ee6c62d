#!/bin/sh
# Storage results that last, on real pods: with storage = "copystore" (the
# test plugin in build/tests/storage) every app runs on a copy of its rootfs
# in its app dir, on each backend (oci, nspawn, kvm under TCG) and for every
# command after create (start, the monitor, exec, status, delete): what the
# app writes to / lands in the copy, never in the original tree, and delete
# removes the copy.
#   PODRT_BUILD_DIR=<build> PODRT_SOURCE_DIR=<source> integration.sh
# Prints a TAP-like line per check; exits 1 when one failed, 77 (skipped,
# never a pass) without root or when no backend can run here.  A backend
# whose runtime is missing is skipped with a "# skip" line.
set -u
B=${PODRT_BUILD_DIR:?PODRT_BUILD_DIR: the build directory}
SRC=${PODRT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
KERNEL=${PODRT_KVM_KERNEL:-/var/lib/podrt/kernel/vmlinuz}
MODULES=${PODRT_KVM_MODULES:-/var/lib/podrt/kernel/modules}

if [ "$(id -u)" != 0 ]; then
        echo "storage integration: needs root" >&2
        exit 77
fi
[ -f "$B/tests/storage/copystore.so" ] || { echo "storage integration: copystore.so not built" >&2; exit 1; }
command -v python3 >/dev/null || { echo "storage integration: python3 missing" >&2; exit 1; }

T=$(mktemp -d /tmp/podrt-storage-test.XXXXXX)
BACKENDS="oci nspawn kvm"
export PODRT_PLUGIN_PATH=$B/plugins/oci:$B/plugins/nspawn:$B/plugins/kvm:$B/tests/storage
export PODRT_LIBEXEC_DIR=$B/core/init

# P BACKEND ARGS...: podrt with that backend, its own state dir and the
# test's config file (storage = "copystore") through PODRT_CONFIG.
P() {
        be=$1
        shift
        PODRT_CONFIG=$T/$be.conf "$B/core/cli/podrt" --root "$T/state-$be" --backend "$be" "$@"
}

cleanup() {
        # Whatever a failed check left is ended here, not leaked.
        for be in $BACKENDS; do
                for d in "$T/state-$be"/pods/*/; do
                        [ -d "$d" ] && P "$be" delete --force "$(basename "$d")" >/dev/null 2>&1
                done
        done
        grep -F " $T/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
                umount -l "$m" 2>/dev/null
        done
        rm -rf --one-file-system "$T"
}
trap cleanup EXIT
trap 'exit 98' INT TERM

. "$SRC/tests/tap.sh"

# The pod's rootfs: a copy of the build's busybox rootfs that this test owns,
# so that it can tell what landed in it.
if [ -x "$B/rootfs/bin/busybox" ]; then
        cp -a "$B/rootfs" "$T/rootfs" || exit 1
else
        "$SRC/scripts/mkrootfs.sh" "$T/rootfs" >/dev/null || { echo "mkrootfs failed" >&2; exit 1; }
fi

(cd "$T/rootfs" && find . | sort) > "$T/rootfs.before"

for be in oci nspawn; do
        printf 'storage = "copystore";\n' > "$T/$be.conf"
done
cat > "$T/kvm.conf" <<EOF
storage = "copystore";
kvm = { kernel = "$KERNEL"; modules = "$MODULES"; accel = "tcg"; };
EOF

# field BACKEND POD EXPR: a value of `status --json` (s is the object).
field() {
        P "$1" status --json "$2" | python3 -c "import json, sys; s = json.load(sys.stdin); print($3)"
}
# wait_for CMD...: up to 60 s until CMD succeeds.
wait_for() {
        i=0
        while [ $i -lt 300 ]; do
                "$@" && return 0
                sleep 0.2
                i=$((i + 1))
        done
        return 1
}
stopped() { [ "$(field "$1" "$2" 's["state"]')" = stopped ]; }
has_marker() { [ -e "$1/marker" ]; }

manifest() { # NAME SCRIPT
        cat > "$T/$1.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "$1",
  "containers": [ { "name": "app", "rootfs": "$T/rootfs",
    "command": ["/bin/sh", "-c", "$2"] } ] }
EOF
        echo "$T/$1.json"
}

# foreground BACKEND: `podrt run` of an app writing /marker; the output, the
# copy (as status shows it) holds the marker, the original not; delete
# removes the copy.
foreground() {
        be=$1
        m=$(manifest "fg-$be" "echo hi > /marker; cat /marker")
        out=$(P "$be" run --name "fg-$be" "$m" 2>"$T/fg-$be.err")
        same "$be: run: the app's output" "hi" "$out"
        [ -s "$T/fg-$be.err" ] && sed 's/^/  stderr: /' "$T/fg-$be.err"
        id=$(field "$be" "fg-$be" 's["id"]')
        copy=$T/state-$be/pods/$id/apps/app/copy-rootfs
        same "$be: status --json shows the app's rootfs: the copy" "$copy" "$(field "$be" "fg-$be" 's["apps"][0]["rootfs"]')"
        same "$be: the marker is in the copy" "hi" "$(cat "$copy/marker" 2>&1)"
        same "$be: the original rootfs has no marker" "no" "$(has_marker "$T/rootfs" && echo yes || echo no)"
        P "$be" delete "fg-$be"
        same "$be: delete removes the copy" "no" "$([ -e "$copy" ] && echo yes || echo no)"
}

# detached BACKEND: `run -d`, then exec (a later command) sees the copy's
# file; delete --force of the running pod removes the copy.
detached() {
        be=$1
        m=$(manifest "bg-$be" "echo bg > /marker; exec sleep 600")
        P "$be" run -d --name "bg-$be" "$m" >/dev/null 2>"$T/bg-$be.err"
        same "$be: run -d succeeds" "" "$(cat "$T/bg-$be.err")"
        id=$(field "$be" "bg-$be" 's["id"]')
        copy=$T/state-$be/pods/$id/apps/app/copy-rootfs
        wait_for has_marker "$copy"
        same "$be: the running app wrote its marker into the copy" "bg" "$(cat "$copy/marker" 2>&1)"
        same "$be: exec sees the copy's file" "bg" "$(P "$be" exec "bg-$be" -- /bin/cat /marker 2>&1)"
        P "$be" exec "bg-$be" -- /bin/sh -c 'echo from-exec > /exec-marker'
        same "$be: what exec writes lands in the copy" "from-exec" "$(cat "$copy/exec-marker" 2>&1)"
        same "$be: the original has neither marker" "no no" \
                "$(has_marker "$T/rootfs" && echo yes || echo no) $([ -e "$T/rootfs/exec-marker" ] && echo yes || echo no)"
        P "$be" delete --force "bg-$be"
        same "$be: delete --force removes the copy" "no" "$([ -e "$copy" ] && echo yes || echo no)"
        same "$be: and the pod" "no" "$([ -e "$T/state-$be/pods/$id" ] && echo yes || echo no)"
}

# created_then_started BACKEND: create and start as two commands; the app
# of the second runs on the copy the first prepared.
created_then_started() {
        be=$1
        m=$(manifest "cs-$be" "echo second > /marker; cat /marker")
        P "$be" create --name "cs-$be" "$m" >/dev/null
        id=$(field "$be" "cs-$be" 's["id"]')
        copy=$T/state-$be/pods/$id/apps/app/copy-rootfs
        same "$be: create: status --json shows the copy" "$copy" "$(field "$be" "cs-$be" 's["apps"][0]["rootfs"]')"
        P "$be" start "cs-$be" >/dev/null
        wait_for stopped "$be" "cs-$be"
        same "$be: start: the app ran and exited 0" "stopped 0" \
                "$(field "$be" "cs-$be" 's["state"] + " " + str(s["apps"][0]["exitCode"])')"
        same "$be: start: the app's output" "second" "$(P "$be" logs "cs-$be" 2>&1)"
        same "$be: start: the marker is in the copy" "second" "$(cat "$copy/marker" 2>&1)"
        same "$be: start: the original rootfs has no marker" "no" "$(has_marker "$T/rootfs" && echo yes || echo no)"
        P "$be" delete "cs-$be"
        same "$be: delete removes the copy" "no" "$([ -e "$copy" ] && echo yes || echo no)"
}

ran=0
if command -v runc >/dev/null || command -v crun >/dev/null; then
        foreground oci
        detached oci
        ran=$((ran + 1))
else
        echo "# skip oci: neither runc nor crun is installed"
fi
if command -v systemd-nspawn >/dev/null; then
        foreground nspawn
        detached nspawn
        ran=$((ran + 1))
else
        echo "# skip nspawn: systemd-nspawn is not installed"
fi
# kvm: TCG boots are slow (seconds each): two pods, no exec (kvm has none).
if command -v qemu-system-x86_64 >/dev/null && [ -f "$KERNEL" ] && [ -d "$MODULES" ]; then
        foreground kvm
        created_then_started kvm
        ran=$((ran + 1))
else
        echo "# skip kvm: qemu-system-x86_64 or the guest kernel ($KERNEL, scripts/fetch-kernel.sh) missing"
fi

[ "$ran" -gt 0 ] || exit 77
same "the original rootfs holds what it held, nothing more or less" "" \
        "$(cd "$T/rootfs" && find . | sort | diff "$T/rootfs.before" - )"
echo "1..$n"
[ "$fails" -eq 0 ] || { echo "$fails check(s) failed" >&2; exit 1; }
