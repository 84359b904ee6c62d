#!/bin/bash
# podrt's cost over bare systemd-nspawn: `podrt --backend nspawn run --rm` of
# /bin/true against `systemd-nspawn ... /bin/true` on the same busybox rootfs,
# interleaved (one of each per round, so that drift hits both alike), with
# the medians and their ratio.  Root only.
#   bench/nspawn/bench.sh [-n ROUNDS] [-b BUILD_DIR]     (as bench/oci and bench/kvm)
#   bench/nspawn/bench.sh [BUILD_DIR] [ROUNDS]           (the first form it had)
# BUILD_DIR defaults to $PODRT_BUILD_DIR, else ./build; ROUNDS to 30.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=${PODRT_BUILD_DIR:-$SRC/build}
N=30
while getopts n:b: o; do
        case $o in
        n) N=$OPTARG ;;
        b) B=$OPTARG ;;
        *) echo "usage: bench.sh [-n ROUNDS] [-b BUILD_DIR]" >&2; exit 2 ;;
        esac
done
shift $((OPTIND - 1))
B=${1:-$B}
N=${2:-$N}
B=$(cd "$B" && pwd) || { echo "bench: no build dir $B" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }

T=$(mktemp -d /tmp/podrt-nspawn-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
"$SRC/scripts/mkrootfs.sh" "$T/rootfs" >/dev/null
cat > "$T/true.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "bench",
  "containers": [ { "name": "true", "rootfs": "rootfs", "command": ["/bin/true"] } ] }
J
export PODRT_PLUGIN_PATH=$B/plugins/nspawn:$B/plugins/overlay PODRT_LIBEXEC_DIR=$B/core/init
unset PODRT_CONFIG
podrt=("$B/core/cli/podrt" --root "$T/state" --backend nspawn run --rm "$T/true.json")
# What nspawn needs on this host at the least (ENVIRONMENT.md).
bare=(systemd-nspawn --quiet --register=no --keep-unit --directory="$T/rootfs" /bin/true)
[ -d /run/systemd/system ] && bare=(systemd-nspawn --quiet --directory="$T/rootfs" /bin/true)

us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
# One warm-up of each: page cache, the dynamic loader's.
"${podrt[@]}" >/dev/null
"${bare[@]}" >/dev/null 2>&1

p=() b=()
for ((i = 0; i < N; i++)); do
        t0=$(us); "${podrt[@]}" >/dev/null; t1=$(us)
        p+=($((t1 - t0)))
        t0=$(us); "${bare[@]}" >/dev/null 2>&1; t1=$(us)
        b+=($((t1 - t0)))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}'; }
mp=$(median "${p[@]}")
mb=$(median "${b[@]}")
awk -v p="$mp" -v b="$mb" -v n="$N" 'BEGIN {
        printf "rounds:                      %d (interleaved)\n", n
        printf "bare systemd-nspawn median:  %.1f ms\n", b / 1000
        printf "podrt run --rm median:       %.1f ms\n", p / 1000
        printf "ratio:                       %.3f (podrt adds %+.1f%%)\n", p / b, (p / b - 1) * 100
}'
