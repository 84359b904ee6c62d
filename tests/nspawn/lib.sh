# Shared by the nspawn integration scripts (sourced, sh): the build, a
# folder of the test's own with a busybox rootfs and a host folder, TAP-like
# checks, a cleanup that removes every pod of the test and says which mounts
# it left, and what a pod left on the host.
#   NSPAWN_TEST=NAME; . lib.sh     NAME names the test in its messages and folder
# Env: PODRT_BUILD_DIR, PODRT_SOURCE_DIR.  Exits 77 (skipped, never a pass)
# without root or systemd-nspawn.
NSPAWN_TEST=${NSPAWN_TEST:?set NSPAWN_TEST to the test name before sourcing lib.sh}
set -u
B=${PODRT_BUILD_DIR:?PODRT_BUILD_DIR: the build directory}
SRC=${PODRT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

if [ "$(id -u)" != 0 ]; then
        echo "nspawn $NSPAWN_TEST: needs root" >&2
        exit 77
fi
if ! command -v systemd-nspawn >/dev/null; then
        echo "nspawn $NSPAWN_TEST: systemd-nspawn not installed (apt-get install systemd-container)" >&2
        exit 77
fi

T=$(mktemp -d /tmp/podrt-nspawn-$NSPAWN_TEST.XXXXXX)
ROOT=$T/state
export PODRT_PLUGIN_PATH=$B/plugins/nspawn
export PODRT_LIBEXEC_DIR=$B/core/init
unset PODRT_CONFIG
PODRT="$B/core/cli/podrt --root $ROOT --backend nspawn"

. "$SRC/tests/tap.sh"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

cleanup() {
        # Whatever a failed check left running is ended here, not leaked.
        for d in "$ROOT"/pods/*/; do
                [ -d "$d" ] && $PODRT rm --force "$(basename "$d")" >/dev/null 2>&1
        done
        if grep -q "$T" /proc/self/mountinfo; then
                echo "nspawn $NSPAWN_TEST: mounts left under $T" >&2
                grep "$T" /proc/self/mountinfo >&2
        fi
        rm -rf "$T"
}
trap cleanup EXIT

"$SRC/scripts/mkrootfs.sh" "$T/rootfs" >/dev/null || { echo "mkrootfs failed" >&2; exit 1; }
mkdir -p "$T/hostdata"
echo "from the host" > "$T/hostdata/file"

# leftovers ID: prints what the pod left on the host, nothing when clean.
leftovers() {
        pgrep -af -- "--machine=podrt-$1" | grep -v pgrep
        grep -F "$1" /proc/self/mountinfo
        find /sys/fs/cgroup -maxdepth 6 -type d -name "$1" 2>/dev/null
        ls -d "/run/systemd/nspawn/propagate/podrt-$1" 2>/dev/null
        ls -d "$ROOT/pods/$1" 2>/dev/null
}
pod_id() { $PODRT status --json "$1" | sed -n 's/^  "id": "\(.*\)",$/\1/p'; }

