# Shared by the reliability tests (sourced, bash): a state dir of the
# test's own, the mock and oci backends from the build, and a check that
# nothing of a pod is left on the host.
set -u
: "${PODRT_BUILD_DIR:?run through meson test}"
: "${PODRT_SOURCE_DIR:?run through meson test}"
B=$PODRT_BUILD_DIR
PODRT_BIN=$B/core/cli/podrt
export PODRT_PLUGIN_PATH=$B/tests/mock:$B/plugins/oci:$B/plugins/hooks
FAILED=0
fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
[ "$(id -u)" = 0 ] || { echo "FATAL: needs root" >&2; exit 99; }
command -v runc >/dev/null || { echo "FATAL: runc is not installed" >&2; exit 99; }

T=$(mktemp -d /tmp/podrt-rel.XXXXXX)
ROOT=$T/state
mkdir -p "$ROOT"
cleanup() {
        for d in "$ROOT"/pods/*; do
                [ -d "$d" ] && "$PODRT_BIN" --root "$ROOT" delete --force "${d##*/}" >/dev/null 2>&1
        done
        grep -F " $T/" /proc/self/mountinfo | awk '{print $5}' | sort -r |
                while read -r m; do umount -l "$m" 2>/dev/null; done
        rm -rf --one-file-system "$T"
}
trap cleanup EXIT
sh "$PODRT_SOURCE_DIR/scripts/mkrootfs.sh" "$T/rootfs" >/dev/null || { echo "FATAL: mkrootfs" >&2; exit 99; }

podrt() { "$PODRT_BIN" --root "$ROOT" "$@"; }

manifest() {        # manifest FILE NAME COMMAND
        cat >"$1" <<JSON
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "$2",
  "containers": [ { "name": "app", "rootfs": "$T/rootfs", "command": ["/bin/sh", "-c", "$3"] } ] }
JSON
}

# leftovers: prints what of any pod is still on the host (nothing: clean).
leftovers() {
        local what=""
        for d in "$ROOT"/pods/* "$ROOT"/pods/.new-*; do
                [ -e "$d" ] && what="$what dir:${d##*/}"
        done
        for n in "$ROOT"/names/*; do
                [ -e "$n" ] || [ -L "$n" ] && what="$what name:${n##*/}"
        done
        grep -qF " $ROOT/" /proc/self/mountinfo && what="$what mounts:$(grep -F " $ROOT/" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ')"
        if [ -d "$ROOT/oci/runc" ]; then
                local c
                c=$(runc --root "$ROOT/oci/runc" list -q 2>/dev/null)
                [ -n "$c" ] && what="$what runc:$(echo $c)"
        fi
        for id in $(cat "$T/ids" 2>/dev/null); do
                for cg in /sys/fs/cgroup/*/podrt/"$id" /sys/fs/cgroup/podrt/"$id" /sys/fs/cgroup/unified/podrt/"$id"; do
                        [ -d "$cg" ] && what="$what cgroup:$cg"
                done
        done
        # Processes: the pods' apps carry the test's folder in their command
        # lines (the rootfs path) or run from it.
        local p
        p=$(pgrep -f "$T/" 2>/dev/null | grep -v "^$$\$" | tr '\n' ' ')
        [ -n "$p" ] && what="$what procs:$p($(ps -o args= -p $p 2>/dev/null | head -3 | tr '\n' '|'))"
        echo "$what"
}

# Every pod ID seen in the state dir, for the cgroup check.
remember_ids() {
        for d in "$ROOT"/pods/*; do [ -d "$d" ] && echo "${d##*/}"; done >>"$T/ids"
}

# gc, then delete --force of whatever is left: what a user does after a crash.
clean_up_after_crash() {
        remember_ids
        # A create killed before its folder got its name leaves ".new-<id>",
        # which gc takes once it is a second old (its lock free).
        ls -d "$ROOT"/pods/.new-* >/dev/null 2>&1 && sleep 1.1
        podrt gc --grace 0 >/dev/null 2>"$T/gc.err" || fail "gc failed: $(cat "$T/gc.err")"
        for d in "$ROOT"/pods/*; do
                [ -d "$d" ] || continue
                podrt delete --force "${d##*/}" >/dev/null 2>"$T/del.err" ||
                        fail "delete --force ${d##*/} failed: $(cat "$T/del.err")"
        done
}
