# Shared by the oci integration tests (sourced, POSIX sh).
#
# Each test script gets its own state directory (podrt --root) and busybox
# rootfs under a temporary folder, runs pods on real runc through the podrt
# command, and checks what a user would see.  Every failure names what was
# expected; the script's exit status is the number of failed checks (capped).
#
#   PODRT_BUILD_DIR   the meson build dir (set by meson test)
#   PODRT_SOURCE_DIR  the source dir (set by meson test)

set -u

: "${PODRT_BUILD_DIR:?run through meson test}"
: "${PODRT_SOURCE_DIR:?run through meson test}"

PODRT_BIN="$PODRT_BUILD_DIR/core/cli/podrt"
export PODRT_PLUGIN_PATH="$PODRT_BUILD_DIR/plugins/oci:$PODRT_BUILD_DIR/plugins/hooks${PODRT_PLUGIN_PATH:+:$PODRT_PLUGIN_PATH}"
FAILED=0
T=""

die() {
        echo "FATAL: $*" >&2
        exit 99
}

[ "$(id -u)" = 0 ] || die "the oci integration tests need root (namespaces, cgroups, mounts)"
[ -x "$PODRT_BIN" ] || die "$PODRT_BIN not built"
[ -f "$PODRT_BUILD_DIR/plugins/oci/oci.so" ] || die "oci.so not built"
command -v runc >/dev/null 2>&1 || die "runc is not installed (apt-get install runc): these tests run real containers"

T=$(mktemp -d /tmp/podrt-oci-test.XXXXXX) || die "mktemp"
ROOT="$T/state"
RUNC_ROOT="$ROOT/oci/runc"
mkdir -p "$ROOT"

cleanup() {
        # Whatever a failed check left running: end it, then remove the tree
        # without crossing into a mount that may still be there.
        if [ -d "$ROOT/pods" ]; then
                for d in "$ROOT"/pods/*; do
                        [ -d "$d" ] && "$PODRT_BIN" --root "$ROOT" delete --force "${d##*/}" >/dev/null 2>&1
                done
        fi
        grep -F " $T/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
                umount -l "$m" 2>/dev/null
        done
        rm -rf --one-file-system "$T"
}
trap cleanup EXIT
trap 'exit 98' INT TERM

sh "$PODRT_SOURCE_DIR/scripts/mkrootfs.sh" "$T/rootfs" >/dev/null || die "mkrootfs failed"

# podrt with the test's state dir and the oci backend; auto picks runc here
# (or crun where it works).
podrt() {
        "$PODRT_BIN" --root "$ROOT" --backend oci "$@"
}

# podrt pinned to runc, for checks that read runc's own state.
podrt_runc() {
        "$PODRT_BIN" --config "$T/runc.conf" --root "$ROOT" --backend oci "$@"
}
printf 'oci = { runtime = "runc"; };\n' >"$T/runc.conf"

pass() { echo "ok - $*"; }
fail() {
        echo "not ok - $*" >&2
        FAILED=$((FAILED + 1))
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
        if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi
}

# check_contains WHAT HAYSTACK NEEDLE
check_contains() {
        case $2 in
        *"$3"*) pass "$1" ;;
        *) fail "$1: expected [$3] in [$2]" ;;
        esac
}

# check_not_contains WHAT HAYSTACK NEEDLE
check_not_contains() {
        case $2 in
        *"$3"*) fail "$1: did not expect [$3] in [$2]" ;;
        *) pass "$1" ;;
        esac
}

# manifest NAME JSON: writes $T/NAME.json (rootfs "rootfs" is $T/rootfs).
manifest() {
        printf '%s\n' "$2" >"$T/$1.json"
        echo "$T/$1.json"
}

# The cgroup directories podrt has for pods, in every hierarchy.
pod_cgroups() {
        for m in $(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup2?$/) print $5; break } }' /proc/self/mountinfo); do
                [ -d "$m/podrt" ] && find "$m/podrt" -mindepth 1 -maxdepth 1 -type d
        done | sort
}

# Pod cgroups that are not in the list $1 (taken before) and hold no
# process: left-overs.  Other pods on the host (other tests, benchmarks) have
# their own cgroups below /podrt too: a running one holds processes, one
# being torn down vanishes; only what stays empty and stays is reported.
stale_cgroups() {
        for d in $(pod_cgroups); do
                case "
$1
" in *"
$d
"*) continue ;; esac
                procs=$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)
                [ -z "$procs" ] && echo "$d"
        done
}

# check_clean WHAT [CGROUPS_BEFORE]: nothing of any pod remains: no runc
# container, no pod directory, no mount under the test dir, no pod cgroup
# beyond those listed before.
check_clean() {
        what=$1
        before=${2:-}
        left=$(runc --root "$RUNC_ROOT" list -q 2>/dev/null)
        check_eq "$what: no runc container left" "" "$left"
        left=$(ls -A "$ROOT/pods" 2>/dev/null)
        check_eq "$what: no pod directory left" "" "$left"
        left=$(grep -F " $T/" /proc/self/mountinfo | awk '{print $5}')
        check_eq "$what: no mount left" "" "$left"
        i=0
        left=$(stale_cgroups "$before")
        while [ -n "$left" ] && [ $i -lt 30 ]; do
                sleep 0.1
                left=$(stale_cgroups "$before")
                i=$((i + 1))
        done
        check_eq "$what: no cgroup left" "" "$left"
}

# wait_runc ID STATUS: waits (up to 5 s) until runc says container ID is in
# STATUS; start returns once the runtime runs, the container follows.
wait_runc() {
        i=0
        while [ $i -lt 100 ]; do
                st=$(runc --root "$RUNC_ROOT" state "$1" 2>/dev/null | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p')
                [ "$st" = "$2" ] && break
                sleep 0.05
                i=$((i + 1))
        done
        echo "$st"
}

finish() {
        if [ "$FAILED" -gt 0 ]; then
                echo "$FAILED check(s) failed" >&2
                exit $((FAILED > 90 ? 90 : FAILED))
        fi
        echo "all checks passed"
        exit 0
}
