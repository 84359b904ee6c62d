# Shared by the kvm integration scripts (sourced, bash): the build, the guest
# kernel (fetched when missing), a folder of the test's own with a busybox
# rootfs, TAP-like checks, and a cleanup that leaves no QEMU of this test.
#   . lib.sh NAME       NAME names the test in its messages and its folder
# Env: PODRT_BUILD_DIR, PODRT_SOURCE_DIR; PODRT_KVM_KERNEL and
# PODRT_KVM_MODULES for another kernel than /var/lib/podrt/kernel.
set -u
KVM_TEST=${1:?kvm test name}
B=${PODRT_BUILD_DIR:?PODRT_BUILD_DIR}
SRC=${PODRT_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KERNEL=${PODRT_KVM_KERNEL:-/var/lib/podrt/kernel/vmlinuz}
MODULES=${PODRT_KVM_MODULES:-/var/lib/podrt/kernel/modules}

if [ "$(id -u)" != 0 ]; then
        echo "kvm $KVM_TEST: needs root" >&2
        exit 77        # meson: skipped, never counted as a pass
fi
for tool in qemu-system-x86_64 depmod; do
        command -v $tool >/dev/null || { echo "kvm $KVM_TEST: $tool missing (scripts/deps.sh)" >&2; exit 1; }
done
"$SRC/scripts/fetch-kernel.sh" --kernel "$KERNEL" --modules "$MODULES" >&2 || exit 1

T=$(mktemp -d "/tmp/podrt-kvm-$KVM_TEST.XXXXXX")
cleanup() {
        # Nothing of ours may survive: no QEMU whose command line names a
        # file of this test (its pods' initrds are below $T).
        for pid in $(pgrep -f "qemu-system-x86_64" || true); do
                grep -qa "$T" /proc/$pid/cmdline 2>/dev/null && kill -9 "$pid"
        done
        rm -rf "$T"
}
trap cleanup EXIT

. "$SRC/tests/tap.sh"

"$SRC/scripts/mkrootfs.sh" "$T/rootfs" >/dev/null || exit 1
printf 'kvm = { kernel = "%s"; modules = "%s"; accel = "tcg"; };\n' "$KERNEL" "$MODULES" > "$T/podrt.conf"
export PODRT_PLUGIN_PATH=$B/plugins/kvm:$B/plugins/qemu:$B/plugins/lkvm
export PODRT_LIBEXEC_DIR=$B/core/init
