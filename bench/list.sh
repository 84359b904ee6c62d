#!/bin/sh
# bench/list: `podrt list` and `podrt list --json` of 1,000 pods (the goal:
# under 50 ms each).
#
#   bench/list.sh [-n ROUNDS] [-b BUILD_DIR] [-d DIR] [-p PODS]
#
#   -n ROUNDS     timed runs of each (default 10), after 1 untimed one
#   -b BUILD_DIR  the meson build dir holding core/cli/podrt and
#                 plugins/oci/oci.so (default: $PODRT_BUILD_DIR, else ./build)
#   -d DIR        where the rootfs and the state dir go (default: a new
#                 directory under /run, where podrt's state lives by
#                 default); removed at the end
#   -p PODS       how many pods (default 1000)
#
# The pods are real: `podrt --backend oci create` of a one-app pod (runc,
# storage "dir", network "host", so that creating them makes no mount),
# two creates at a time; not started.  Needs root.
set -eu

bench=oci
. "$(dirname "$0")/lib.sh"
pods=1000
bench_opt() { [ "$1" = p ] && pods=$2; }
bench_setup 10 n:b:d:p: 17 "$@"
bench_need runc
bench_dir /run/podrt-bench-list.XXXXXX
cleanup() {
        [ -d "$dir/state/pods" ] && ls "$dir/state/pods" | xargs -r "$podrt_bin" --root "$dir/state" --config "$dir/podrt.conf" delete --force >/dev/null 2>&1
        rm -rf --one-file-system "$dir"
}
[ -n "${BENCH_KEEP:-}" ] || trap cleanup EXIT
trap 'exit 130' INT TERM

export PODRT_PLUGIN_PATH="$plugins"
printf 'storage = "dir";\nnetwork = "host";\noci = { runtime = "runc"; };\n' >"$dir/podrt.conf"
podrt() { "$podrt_bin" --root "$dir/state" --backend oci --config "$dir/podrt.conf" "$@"; }
sh "$src/scripts/mkrootfs.sh" "$dir/rootfs" >/dev/null
cat >"$dir/pod.json" <<EOJ
{"apiVersion":"podrt/v1","kind":"Pod","name":"bench",
 "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/true"]}]}
EOJ

t0=$(bench_now_us)
make_pods() {   # the pods FIRST, FIRST+STEP, ...
        i=$1
        while [ "$i" -le "$pods" ]; do
                podrt create --name "p$i" "$dir/pod.json" >/dev/null || exit 1
                i=$((i + $2))
        done
}
make_pods 1 2 & a=$!
make_pods 2 2 & b=$!
wait $a && wait $b || bench_die "creating the pods failed"
made=$(( ($(bench_now_us) - t0) / 1000 ))
n=$(podrt list --json | grep -o '"backend"' | wc -l)
[ "$n" -eq "$pods" ] || bench_die "podrt list shows $n pods, not $pods"

timed() {
        t0=$(bench_now_us)
        "$@" >/dev/null 2>&1 || bench_die "failed: $*"
        echo $(( $(bench_now_us) - t0 ))
}
timed podrt list >/dev/null
timed podrt list --json >/dev/null
: >"$dir/list.us"
: >"$dir/json.us"
i=0
while [ $i -lt "$rounds" ]; do
        timed podrt list >>"$dir/list.us"
        timed podrt list --json >>"$dir/json.us"
        i=$((i + 1))
done
l=$(bench_median "$dir/list.us")
j=$(bench_median "$dir/json.us")
echo "bench/list: $pods pods (made in $made ms), $rounds rounds, state on $(df --output=fstype "$dir" | tail -n 1)"
printf '  podrt list          median %7s ms   min %7s ms (goal < 50 ms)\n' "$l" "$(bench_min "$dir/list.us")"
printf '  podrt list --json   median %7s ms   min %7s ms (goal < 50 ms)\n' "$j" "$(bench_min "$dir/json.us")"
bench_result "bench/list: \`podrt list\` of $pods pods" "$l ms" - -
bench_result "bench/list: \`podrt list --json\` of $pods pods" "$j ms" - -
