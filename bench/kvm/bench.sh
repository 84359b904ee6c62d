#!/bin/sh
# bench/kvm: `podrt --backend kvm run --rm` of /bin/true against a bare QEMU
# boot of the same kernel with a minimal initramfs that runs /bin/true and
# powers off, interleaved; prints the medians and their ratio (the goal:
# podrt adds at most 10%).
#
#   bench/kvm/bench.sh [-n ROUNDS] [-b BUILD_DIR] [-d DIR] [-a auto|kvm|tcg]
#
#   -n ROUNDS     timed rounds of each (default 10), after 1 untimed one
#   -b BUILD_DIR  the meson build dir (default: $PODRT_BUILD_DIR, else ./build)
#   -d DIR        where the rootfs, the state dir and the bare initramfs go
#                 (default: a new directory under /tmp); removed at the end
#   -a ACCEL      kvm.accel for both (default auto: KVM where it works)
#
# The bare boot uses what podrt's VM uses: the same cached vmlinux, kernel
# command line, machine (-M microvm, -nodefaults), memory, acceleration and
# console into a file, read from the vm.json of a pod podrt created; its
# initramfs is busybox as /init (`true`, then `poweroff -f`), no modules, no
# 9p.  So the difference is all of podrt: the CLI, the state store, the
# monitor, the initramfs with modules and podrt-init, the 9p shares, the app
# in its own root.  The kernel is fetched by scripts/fetch-kernel.sh.  Needs
# root, qemu-system-x86, busybox-static, cpio.
set -eu

bench=kvm
. "$(dirname "$0")/../lib.sh"
accel=auto
bench_opt() { [ "$1" = a ] && accel=$2; }
bench_setup 10 n:b:d:a: 22 "$@"
bench_need qemu-system-x86_64 cpio python3
kernel=/var/lib/podrt/kernel/vmlinuz
modules=/var/lib/podrt/kernel/modules
"$src/scripts/fetch-kernel.sh" --kernel "$kernel" --modules "$modules" >/dev/null

bench_dir /tmp/podrt-bench-kvm.XXXXXX
trap 'rm -rf "$dir"' EXIT
"$src/scripts/mkrootfs.sh" "$dir/rootfs" >/dev/null
cat > "$dir/podrt.conf" <<EOF
kvm = { kernel = "$kernel"; modules = "$modules"; accel = "$accel"; };
EOF
cat > "$dir/true.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "bench",
  "containers": [ { "name": "app", "rootfs": "$dir/rootfs", "command": ["/bin/true"] } ] }
EOF
export PODRT_PLUGIN_PATH="$plugins" PODRT_LIBEXEC_DIR="$build/core/init"
podrt() { "$podrt_bin" --config "$dir/podrt.conf" --root "$dir/state" --backend kvm "$@"; }

# What podrt's VM is: from the vm.json of a created pod.
id=$(podrt create "$dir/true.json" 2>"$dir/create.err") || { cat "$dir/create.err" >&2; exit 1; }
vmjson=$dir/state/pods/$id/kvm/vm.json
get() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$vmjson" "$1"; }
vmlinux=$(get kernel); cmdline=$(get cmdline); mem=$(get memoryMiB); vaccel=$(get accel)
podrt delete "$id"

# The bare initramfs: busybox as /init.
mkdir -p "$dir/bare/bin" "$dir/bare/dev"
cp /bin/busybox "$dir/bare/bin/busybox"
mknod "$dir/bare/dev/console" c 5 1
printf '#!/bin/busybox sh\n/bin/busybox true\nexec /bin/busybox poweroff -f\n' > "$dir/bare/init"
chmod 755 "$dir/bare/init"
(cd "$dir/bare" && find . | cpio -o -H newc --quiet) > "$dir/bare.cpio"
cpu=""
[ "$vaccel" = kvm ] && cpu="-cpu host"
bare() {
        # shellcheck disable=SC2086
        qemu-system-x86_64 -M microvm,x-option-roms=off -accel "$vaccel" $cpu -m "$mem" -smp 1 \
                -nodefaults -no-user-config -display none -no-reboot \
                -kernel "$vmlinux" -initrd "$dir/bare.cpio" -append "$cmdline" \
                -chardev file,id=console,path="$dir/bare-console.log" -serial chardev:console
}

now() { date +%s%N; }
: > "$dir/t.podrt"
: > "$dir/t.bare"
for i in $(seq 0 "$rounds"); do
        t0=$(now); podrt run --rm "$dir/true.json" 2>>"$dir/podrt.err"; t1=$(now)
        bare; t2=$(now)
        if [ "$i" -gt 0 ]; then
                echo $(( (t1 - t0) / 1000000 )) >> "$dir/t.podrt"
                echo $(( (t2 - t1) / 1000000 )) >> "$dir/t.bare"
        fi
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
mp=$(median "$dir/t.podrt")
mb=$(median "$dir/t.bare")
echo "bench/kvm: accel $vaccel, $rounds rounds, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  bare QEMU boot of /bin/true:      median ${mb} ms"
echo "  podrt --backend kvm run --rm:     median ${mp} ms"
ratio=$(awk -v p="$mp" -v b="$mb" 'BEGIN { printf "%.2f", p / b }')
echo "  podrt / bare: $ratio  (goal: <= 1.10)"
bench_result "bench/kvm ($vaccel): \`podrt --backend kvm run --rm\` / bare QEMU boot" "$mp ms" "$mb ms" "$ratio"
