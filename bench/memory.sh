#!/bin/sh
# bench/memory: the memory podrt keeps per running two-app oci pod: the PSS
# (/proc/PID/smaps_rollup) of every process of the pod that is not an app,
# that is the pod's monitor and anything else below it (a runtime process
# left running, a conmon-like shim), summed over the pods and divided by
# their number (the goal: at most 2 MiB a pod).
#
#   bench/memory.sh [-n PODS] [-b BUILD_DIR] [-d DIR]
#
#   -n PODS       running pods to measure at once (default 3)
#   -b BUILD_DIR  the meson build dir holding core/cli/podrt and
#                 plugins/oci/oci.so (default: $PODRT_BUILD_DIR, else ./build)
#   -d DIR        where the rootfs and the state dir go (default: a new
#                 directory under /run); removed at the end
#
# Each pod runs two apps (`sleep`) under `podrt --backend oci run -d`, with
# podrt's defaults otherwise (storage, network "none"), runc as the runtime.
# The apps are the processes in a PID namespace of their own (each app's
# container process and what descends from it), whatever `status` says a
# pid is.  Needs root.
set -eu

bench=oci
. "$(dirname "$0")/lib.sh"
bench_setup 3 n:b:d: 19 "$@"
bench_need runc jq
bench_dir /run/podrt-bench-memory.XXXXXX
export PODRT_PLUGIN_PATH="$plugins"
printf 'oci = { runtime = "runc"; };\n' >"$dir/podrt.conf"
podrt() { "$podrt_bin" --root "$dir/state" --backend oci --config "$dir/podrt.conf" "$@"; }
cleanup() {
        for id in $(cat "$dir/ids" 2>/dev/null); do podrt delete --force "$id" >/dev/null 2>&1 || true; done
        rm -rf --one-file-system "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sh "$src/scripts/mkrootfs.sh" "$dir/rootfs" >/dev/null
cat >"$dir/pod.json" <<EOJ
{"apiVersion":"podrt/v1","kind":"Pod","name":"bench",
 "containers":[{"name":"one","rootfs":"rootfs","command":["/bin/sleep","600"]},
               {"name":"two","rootfs":"rootfs","command":["/bin/sleep","600"]}]}
EOJ
: >"$dir/ids"
i=0
while [ $i -lt "$rounds" ]; do
        podrt run -d --name "mem$i" "$dir/pod.json" >>"$dir/ids" || bench_die "run -d failed"
        i=$((i + 1))
done
sleep 0.5

# children PID: the pids of PID's children.
children() { cat /proc/"$1"/task/*/children 2>/dev/null || true; }
# PSS of PID in kB (0 when it is gone).
pss() { awk '/^Pss:/ { print $2; f = 1 } END { if (!f) print 0 }' /proc/"$1"/smaps_rollup 2>/dev/null || echo 0; }

total=0 nproc=0
: >"$dir/procs"
for id in $(cat "$dir/ids"); do
        podrt status --json "$id" >"$dir/status.json"
        [ "$(jq -r .state "$dir/status.json")" = running ] || bench_die "pod $id is not running"
        todo=$(jq -r .monitorPid "$dir/status.json")
        host_ns=$(readlink /proc/"$todo"/ns/pid)
        while [ -n "$todo" ]; do
                set -- $todo
                p=$1
                shift
                todo=$*
                # An app, and what it runs.
                [ "$(readlink /proc/"$p"/ns/pid 2>/dev/null)" = "$host_ns" ] || continue
                k=$(pss "$p")
                total=$((total + k)) nproc=$((nproc + 1))
                echo "$id $p $k kB $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | cut -c1-60)" >>"$dir/procs"
                todo="$todo $(children "$p")"
        done
done
per=$(awk -v t="$total" -v n="$rounds" 'BEGIN { printf "%.2f", t / n / 1024 }')
echo "bench/memory: $rounds running two-app oci pods, $(runc --version | head -n 1)"
sed 's/^/  /' "$dir/procs"
printf '  podrt processes: %d (%.1f per pod), PSS %s MiB per pod (goal <= 2 MiB)\n' "$nproc" \
        "$(awk -v a="$nproc" -v n="$rounds" 'BEGIN { print a / n }')" "$per"
bench_result "bench/memory: PSS of podrt's processes per running two-app oci pod ($rounds pods)" "$per MiB" - -
