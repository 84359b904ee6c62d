#!/bin/bash
# A third party's hypervisor plugin under the kvm backend: testhv
# (tests/hypervisor/fail-hv.c, built as build/tests/kvm/testhv.so), named
# by kvm.hypervisor = "testhv" in the configuration file, is loaded by the
# kvm backend through the core's loader from the plugin path; its start
# fails with its own message.  `podrt --backend kvm run` must then exit 125
# with that message, and no QEMU may have started.  Boots nothing.  Prints a
# TAP-like line per check; exits 1 when one failed.
#
# Env: PODRT_BUILD_DIR (the build tree), PODRT_SOURCE_DIR, PODRT_TESTHV_DIR
# (where testhv.so is); PODRT_KVM_KERNEL to use another kernel than
# /var/lib/podrt/kernel/vmlinuz.
set -u
B=${PODRT_BUILD_DIR:?PODRT_BUILD_DIR}
SRC=${PODRT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
HV=${PODRT_TESTHV_DIR:-$B/tests/kvm}
KERNEL=${PODRT_KVM_KERNEL:-/var/lib/podrt/kernel/vmlinuz}
MODULES=${PODRT_KVM_MODULES:-/var/lib/podrt/kernel/modules}

if [ "$(id -u)" != 0 ]; then
        echo "third-party hypervisor: needs root" >&2
        exit 77        # meson: skipped, never counted as a pass
fi
[ -f "$KERNEL" ] || { echo "third-party hypervisor: no guest kernel $KERNEL (scripts/fetch-kernel.sh)" >&2; exit 1; }
[ -f "$HV/testhv.so" ] || { echo "third-party hypervisor: no $HV/testhv.so" >&2; exit 1; }

T=$(mktemp -d /tmp/podrt-testhv.XXXXXX)
trap 'rm -rf "$T"' EXIT

. "$SRC/tests/tap.sh"

"$SRC/scripts/mkrootfs.sh" "$T/rootfs" >/dev/null || exit 1
mkdir -p "$T/root"
cat > "$T/podrt.conf" <<EOC
kvm = { hypervisor = "testhv"; kernel = "$KERNEL"; modules = "$MODULES"; accel = "tcg"; };
EOC
cat > "$T/pod.json" <<EOC
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "third",
  "containers": [ { "name": "app", "rootfs": "$T/rootfs", "command": ["/bin/true"] } ] }
EOC
# testhv's directory first, then the build's plugins (kvm, qemu, lkvm).
export PODRT_PLUGIN_PATH=$HV:$B/plugins/kvm:$B/plugins/qemu:$B/plugins/lkvm
export PODRT_LIBEXEC_DIR=$B/core/init
export PODRT_TESTHV_LOG=$T/testhv.log
P() { "$B/core/cli/podrt" --config "$T/podrt.conf" --root "$T/root" --backend kvm "$@"; }

# Any QEMU the backend would start goes through PODRT_QEMU: a wrapper that
# leaves a mark (other engineers' QEMUs on this host do not count).
cat > "$T/qemu" <<EOC
#!/bin/sh
echo "\$*" >> "$T/qemu-ran"
exec qemu-system-x86_64 "\$@"
EOC
chmod +x "$T/qemu"
export PODRT_QEMU=$T/qemu
err=$(P run "$T/pod.json" 2>&1)
st=$?
case $err in
*"kvm.hypervisor: must be one of qemu, lkvm"*)
        # The core still checks kvm.* itself (until the kvm backend's
        # config_check replaces its rules): this cannot run yet.
        echo "third-party hypervisor: the core refuses kvm.hypervisor = \"testhv\" ($err)" >&2
        exit 77 ;;
esac
same "testhv start failing: exit 125" 125 "$st"
has_in "testhv start failing: its own message on stderr" "testhv: refusing to start " "$err"
# The VM's name is the pod's ID: testhv logged it.
id=$(sed -n 's/^start \([0-9a-f]*\) .*/\1/p' "$T/testhv.log" 2>/dev/null | head -1)
same "testhv: a pod ID" 32 "${#id}"
has_in "testhv start failing: the message names the VM" "testhv: refusing to start $id" "$err"
same "testhv: the VM's command line was built, then start was called, with the shares" \
        "build_argv $id shares _rootfs0 _status _apps
start $id shares _rootfs0 _status _apps" "$(cat "$T/testhv.log" 2>&1)"
same "testhv start failing: no QEMU started" "0 no" \
        "$(pgrep -c -f "qemu-system-x86_64 -name $id" || true) $([ -e "$T/qemu-ran" ] && echo yes || echo no)"
same "run: a failed run leaves no pod" "" "$(ls "$T/root/pods")"

# create, then start from another process: vm.json names the hypervisor,
# and start loads it again from there.
rm -f "$T/testhv.log"
P create "$T/pod.json" >/dev/null 2>"$T/create.err"
same "create: succeeds with testhv" 0 "$?"
id=$(ls "$T/root/pods" 2>/dev/null | head -1)
same "create: vm.json records the hypervisor" testhv \
        "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["hypervisor"])' "$T/root/pods/$id/kvm/vm.json" 2>&1)"
err=$(P start third 2>&1)
st=$?
[ "$st" != 0 ] && ok "start: fails ($st)" || not_ok "start: exit status 0"
has_in "start: testhv's message" "testhv: refusing to start $id" "$err"
same "start: testhv was called" "start $id shares _rootfs0 _status _apps" "$(grep '^start' "$T/testhv.log" 2>&1)"
same "start: no VM recorded, no QEMU started" "no no" \
        "$([ -e "$T/root/pods/$id/kvm/vm.pid" ] && echo yes || echo no) $([ -e "$T/qemu-ran" ] && echo yes || echo no)"
P delete third >/dev/null 2>&1
same "delete: nothing left" "" "$(ls "$T/root/pods")"

if [ "$fails" -gt 0 ]; then
        echo "third-party hypervisor: $fails check(s) failed" >&2
        exit 1
fi
echo "third-party hypervisor: all checks passed"
