#!/bin/sh
# bench/oci: `podrt --backend oci run --rm` of /bin/true against `runc run` of
# an equivalent bundle, and against `runc run` of runc's own default spec
# (`runc spec`), interleaved, on the same busybox rootfs; prints the medians
# and the ratios (the goals: podrt adds at most 10% to the equivalent
# bundle, at most 25% to the default spec).
#
#   bench/oci/bench.sh [-n ROUNDS] [-b BUILD_DIR] [-d DIR]
#
#   -n ROUNDS     timed rounds of each (default 30), after 3 untimed ones
#   -b BUILD_DIR  the meson build dir holding core/cli/podrt and
#                 plugins/oci/oci.so (default: $PODRT_BUILD_DIR, else ./build)
#   -d DIR        where the rootfs, the bundle and both state dirs go
#                 (default: a new directory under /run, where podrt's state
#                 lives by default); removed at the end
#
# The runc bundle is podrt's own: the config.json podrt generates for the
# same manifest (same mounts, capabilities, generated /etc files, cgroup
# layout), with its network namespace made by runc instead of joined (podrt's
# network "none" makes one too) and its files copied next to it.  Both use
# runc, each with its own --root on the same filesystem.  The default-spec
# bundle is `runc spec`'s config.json (terminal off, args /bin/true, root the
# same rootfs, read-write): what a bare runc user runs, with none of a pod's
# shared namespaces, cgroup parents or generated files.  Needs root.
set -eu

bench=oci
. "$(dirname "$0")/../lib.sh"
bench_setup 30 n:b:d: 25 "$@"
bench_need runc jq
runc_bin=$(command -v runc)
bench_dir /run/podrt-bench.XXXXXX
cleanup() {
        "$podrt_bin" --root "$dir/state" delete --force bench-ref >/dev/null 2>&1 || true
        for m in $(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup2?$/) print $5; break } }' /proc/self/mountinfo); do
                rmdir "$m/podrt-bench/b" "$m/podrt-bench" 2>/dev/null || true
        done
        rm -rf --one-file-system "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# This build's plugins: podrt's default storage (overlay where the kernel has
# it), the hooks plugin.
export PODRT_PLUGIN_PATH="$plugins"
podrt() { "$podrt_bin" --root "$dir/state" --backend oci --config "$dir/podrt.conf" "$@"; }
printf 'oci = { runtime = "runc"; };\n' >"$dir/podrt.conf"
# The reference bundle's root is the rootfs itself, as a bare runc has it.
printf 'storage = "dir";\noci = { runtime = "runc"; };\n' >"$dir/ref.conf"

sh "$src/scripts/mkrootfs.sh" "$dir/rootfs" >/dev/null
cat >"$dir/true.json" <<EOF
{"apiVersion":"podrt/v1","kind":"Pod","name":"bench",
 "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/true"]}]}
EOF

# The equivalent bundle, from podrt's own config.json.
id=$("$podrt_bin" --root "$dir/state" --backend oci --config "$dir/ref.conf" create --name bench-ref "$dir/true.json")
pod=$dir/state/pods/$id
mkdir -p "$dir/bundle"
for f in oci-hosts oci-resolv.conf oci-hostname; do cp "$pod/$f" "$dir/bundle/$f"; done
cp "$pod/apps/app/containerenv" "$dir/bundle/containerenv"
sed -e "s|$pod/oci-|$dir/bundle/oci-|g" \
    -e "s|$pod/apps/app/containerenv|$dir/bundle/containerenv|g" \
    -e 's|{"type":"network","path":"[^"]*"}|{"type":"network"}|' \
    -e 's|"cgroupsPath":"[^"]*"|"cgroupsPath":"/podrt-bench/b"|' \
    "$pod/apps/app/config.json" >"$dir/bundle/config.json"
podrt delete bench-ref >/dev/null
grep -q "$pod" "$dir/bundle/config.json" && { echo "bench/oci: the bundle still points into the pod" >&2; exit 1; }

# runc's own default spec on the same rootfs.
mkdir -p "$dir/default"
"$runc_bin" spec --bundle "$dir/default"
jq --arg root "$dir/rootfs" '.process.terminal = false | .process.args = ["/bin/true"]
        | .root = { path: $root, readonly: false }' "$dir/default/config.json" >"$dir/default/c.json"
mv "$dir/default/c.json" "$dir/default/config.json"

# Runs "$@" quietly; prints the wall time in microseconds; fails with it.
timed() {
        t0=$(bench_now_us)
        "$@" >/dev/null 2>&1 || bench_die "failed: $*"
        echo $(( $(bench_now_us) - t0 ))
}
run_runc() { "$runc_bin" --root "$dir/runc-root" run --bundle "$dir/bundle" "bench-$1"; }
run_default() { "$runc_bin" --root "$dir/runc-root" run --bundle "$dir/default" "bench-default-$1"; }
run_podrt() { podrt run --rm "$dir/true.json"; }

i=0
while [ $i -lt 3 ]; do
        timed run_runc "w$i" >/dev/null
        timed run_podrt >/dev/null
        timed run_default "w$i" >/dev/null
        i=$((i + 1))
done
: >"$dir/runc.us"
: >"$dir/podrt.us"
: >"$dir/default.us"
i=0
while [ $i -lt "$rounds" ]; do
        timed run_runc "$i" >>"$dir/runc.us"
        timed run_podrt >>"$dir/podrt.us"
        timed run_default "$i" >>"$dir/default.us"
        i=$((i + 1))
done

r_med=$(bench_median "$dir/runc.us")
p_med=$(bench_median "$dir/podrt.us")
d_med=$(bench_median "$dir/default.us")
ratio=$(awk -v p="$p_med" -v r="$r_med" 'BEGIN { printf "%.2f", p / r }')
dratio=$(awk -v p="$p_med" -v r="$d_med" 'BEGIN { printf "%.2f", p / r }')
echo "bench/oci: /bin/true, $rounds interleaved rounds, $(runc --version | head -n 1), state on $(df --output=fstype "$dir" | tail -n 1)"
printf '  runc run (same bundle)     median %7s ms   min %7s ms\n' "$r_med" "$(bench_min "$dir/runc.us")"
printf '  runc run (default spec)    median %7s ms   min %7s ms\n' "$d_med" "$(bench_min "$dir/default.us")"
printf '  podrt run --rm             median %7s ms   min %7s ms\n' "$p_med" "$(bench_min "$dir/podrt.us")"
printf '  ratio podrt/runc           %s (goal <= 1.10), to the default spec %s (goal <= 1.25)\n' "$ratio" "$dratio"
bench_result "bench/oci: \`podrt --backend oci run --rm\` / \`runc run\` of podrt's own bundle" "$p_med ms" "$r_med ms" "$ratio"
bench_result "bench/oci: \`podrt --backend oci run --rm\` / \`runc run\` of \`runc spec\`'s default" "$p_med ms" "$d_med ms" "$dratio"
