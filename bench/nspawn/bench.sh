#!/bin/sh
# bench/nspawn: `podrt --backend nspawn run --rm` of /bin/true against bare
# `systemd-nspawn ... /bin/true` on the same busybox rootfs, interleaved
# (one of each per round, so that drift hits both alike); prints the
# medians and their ratio (the goal: podrt adds at most 10%).
#
#   bench/nspawn/bench.sh [-n ROUNDS] [-b BUILD_DIR] [-d DIR]
#
#   -n ROUNDS     timed rounds of each (default 30), after 1 untimed one
#   -b BUILD_DIR  the meson build dir holding core/cli/podrt and
#                 plugins/nspawn/nspawn.so (default: $PODRT_BUILD_DIR, else
#                 ./build), relative or absolute
#   -d DIR        where the rootfs and the state dir go (default: a new
#                 directory under /tmp); removed at the end
#
# The bare command is what nspawn needs on this host at the least
# (ENVIRONMENT.md: --register=no --keep-unit without systemd as PID 1).
# Needs root and systemd-container.
set -eu

bench=nspawn
. "$(dirname "$0")/../lib.sh"
bench_setup 30 n:b:d: 20 "$@"
bench_need systemd-nspawn
bench_dir /tmp/podrt-bench-nspawn.XXXXXX
trap 'rm -rf --one-file-system "$dir"' EXIT
trap 'exit 130' INT TERM
sh "$src/scripts/mkrootfs.sh" "$dir/rootfs" >/dev/null
cat >"$dir/true.json" <<EOJ
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "bench",
  "containers": [ { "name": "true", "rootfs": "rootfs", "command": ["/bin/true"] } ] }
EOJ
export PODRT_PLUGIN_PATH="$plugins" PODRT_LIBEXEC_DIR="$build/core/init"
unset PODRT_CONFIG
run_podrt() { "$podrt_bin" --root "$dir/state" --backend nspawn run --rm "$dir/true.json"; }
if [ -d /run/systemd/system ]; then
        run_bare() { systemd-nspawn --quiet --directory="$dir/rootfs" /bin/true; }
else
        run_bare() { systemd-nspawn --quiet --register=no --keep-unit --directory="$dir/rootfs" /bin/true; }
fi

timed() {
        t0=$(bench_now_us)
        "$@" >/dev/null 2>&1 || bench_die "failed: $*"
        echo $(( $(bench_now_us) - t0 ))
}
# One warm-up of each: the page cache, the dynamic loader's.
timed run_podrt >/dev/null
timed run_bare >/dev/null
: >"$dir/podrt.us"
: >"$dir/bare.us"
i=0
while [ $i -lt "$rounds" ]; do
        timed run_podrt >>"$dir/podrt.us"
        timed run_bare >>"$dir/bare.us"
        i=$((i + 1))
done
p=$(bench_median "$dir/podrt.us")
b=$(bench_median "$dir/bare.us")
ratio=$(awk -v p="$p" -v b="$b" 'BEGIN { printf "%.2f", p / b }')
echo "bench/nspawn: /bin/true, $rounds interleaved rounds, $(systemd-nspawn --version | head -n 1)"
printf '  systemd-nspawn     median %7s ms   min %7s ms\n' "$b" "$(bench_min "$dir/bare.us")"
printf '  podrt run --rm     median %7s ms   min %7s ms\n' "$p" "$(bench_min "$dir/podrt.us")"
printf '  ratio podrt/bare   %s (goal <= 1.10)\n' "$ratio"
bench_result "bench/nspawn: \`podrt --backend nspawn run --rm\` / \`systemd-nspawn\`" "$p ms" "$b ms" "$ratio"
