#!/bin/bash
# A VM that cannot go on is reported, never waited on (the keeper, QEMU's
# watcher, the boot deadline), and kvm.accel = "auto" ends up with a VM that
# runs, on this host too (KVM present but unusable: docs/kvm.md).  Real VMs
# under TCG; QEMU wrappers (PODRT_QEMU) make the failures that this host may
# not make by itself: a VM that never starts (-S), a guest whose kernel
# panics with QEMU told to pause on shutdown (it then stays paused, as after
# a KVM internal error), a "KVM" that is TCG for the probes but whose pod VMs
# never boot.  Prints a TAP-like line per check; exits 1 when one failed.
. "$(dirname "$0")/lib.sh" vm-failures
within() {   # DESCRIPTION MAX_MS MS
        if [ "$3" -le "$2" ]; then ok "$1 ($3 ms)"; else not_ok "$1: $3 ms, more than $2"; fi
}
# QEMU processes started for this test's files.
qemus() {
        local n
        n=0
        for pid in $(pgrep -f "qemu-system-x86_64" || true); do
                grep -qa "$T" /proc/$pid/cmdline 2>/dev/null && n=$((n + 1))
        done
        echo "qemu=$n"
}

# conf NAME SETTINGS: a configuration file with the kernel and SETTINGS.
conf() { printf 'kvm = { kernel = "%s"; modules = "%s"; %s };\n' "$KERNEL" "$MODULES" "$2" > "$T/$1.conf"; }
# P CONF ARGS...: podrt with $T/CONF.conf and the root $T/root-CONF.
P() { local c=$1; shift; "$B/core/cli/podrt" --config "$T/$c.conf" --root "$T/root-$c" --backend kvm "$@"; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
exit_code() {
        P "$1" status --json "$2" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(" ".join("%s=%s" % (a["name"], a["exitCode"]) for a in s["apps"]))'
}

cat > "$T/one.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "one",
  "containers": [ { "name": "app", "rootfs": "$T/rootfs", "command": ["/bin/sh", "-c", "echo ran; exit 4"] } ] }
EOF
mkdir -p "$T/host"
echo "from the host" > "$T/host/file"
cat > "$T/two.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "two",
  "volumes": [ { "name": "shared", "kind": "empty" }, { "name": "h", "kind": "host", "source": "$T/host" } ],
  "containers": [
    { "name": "writer", "rootfs": "$T/rootfs", "mounts": [ { "volume": "shared", "path": "/shared" }, { "volume": "h", "path": "/h" } ],
      "command": ["/bin/sh", "-c", "cat /h/file; echo note > /shared/note; exit 3"] },
    { "name": "reader", "rootfs": "$T/rootfs", "mounts": [ { "volume": "shared", "path": "/shared" } ],
      "command": ["/bin/sh", "-c", "for i in \$(seq 1 100); do [ -s /shared/note ] && break; sleep 0.1; done; cat /shared/note; exit 5"] } ] }
EOF

# ---- 1. kvm.accel = "kvm" on this host: fails fast and clearly, no QEMU ----
conf kvm 'accel = "kvm"; boot_timeout = 20;'
t0=$(date +%s%N)
err=$(P kvm run --rm "$T/one.json" 2>&1)
st=$?
ms=$(ms_since "$t0")
if [ -e /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
        echo "# hardware KVM here: accel = kvm may work ($st)" >&2
else
        same "accel = kvm, KVM unusable here: exit 125" 125 "$st"
        has_in "accel = kvm: says KVM is the problem" "KVM" "$err"
        within "accel = kvm: within the boot deadline" 25000 "$ms"
        echo "# accel = kvm: $err" >&2
fi
same "accel = kvm: no QEMU left" "qemu=0" "$(qemus)"
same "accel = kvm: no pod left" "" "$(ls "$T/root-kvm/pods" 2>/dev/null)"

# ---- 2. no configuration at all: auto finds a VM that runs (two apps, volumes) ----
conf auto ''
for round in 1 2; do
        t0=$(date +%s%N)
        P auto run --name two "$T/two.json" > "$T/two.out" 2> "$T/two.err"
        st=$?
        echo "# auto, round $round: $(ms_since "$t0") ms, exit $st" >&2
        case $st in 3|5) ok "auto, run $round: the apps ran, podrt exits with a failure's code ($st)" ;;
                *) not_ok "auto, run $round: exit $st: $(cat "$T/two.err")" ;; esac
        same "auto, run $round: the apps' exit codes" "writer=3 reader=5" "$(exit_code auto two)"
        same "auto, run $round: the writer read the host volume" "from the host" "$(P auto logs --app writer two)"
        same "auto, run $round: the reader saw the empty volume" "note" "$(P auto logs --app reader two)"
        P auto rm two
done
same "auto: no QEMU left" "qemu=0" "$(qemus)"

# ---- 3. a VM that never starts its apps: the boot deadline ends it ----
printf '#!/bin/sh\nexec qemu-system-x86_64 -S "$@"\n' > "$T/qemu-frozen"
chmod +x "$T/qemu-frozen"
conf tcg 'accel = "tcg"; boot_timeout = 3;'
t0=$(date +%s%N)
err=$(PODRT_QEMU=$T/qemu-frozen P tcg run --name frozen "$T/one.json" 2>&1)
st=$?
ms=$(ms_since "$t0")
same "boot deadline: exit 125" 125 "$st"
has_in "boot deadline: says so" "no app started within kvm.boot_timeout = 3 s: the VM was ended" "$err"
within "boot deadline: ended soon after 3 s" 9000 "$ms"
same "boot deadline: the app's status" "app=125" "$(exit_code tcg frozen)"
has_in "boot deadline: in the pod's log" "kvm.boot_timeout" "$(P tcg logs frozen)"
same "boot deadline: no QEMU left" "qemu=0" "$(qemus)"
P tcg rm frozen

# ---- 4. a guest panic, QEMU told to pause on it (as after a KVM internal error) ----
printf '#!/bin/sh\nexec qemu-system-x86_64 -action shutdown=pause "$@"\n' > "$T/qemu-pause"
chmod +x "$T/qemu-pause"
conf tcg 'accel = "tcg"; boot_timeout = 60;'
for q in qemu-system-x86_64 "$T/qemu-pause"; do
        P tcg create --name crash "$T/one.json" >/dev/null
        id=$(P tcg status --json crash | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
        # podrt-init's test mode: exit as PID 1, which panics the kernel.
        sed -i 's/--poweroff"/--poweroff --crash"/' "$T/root-tcg/pods/$id/kvm/vm.json"
        t0=$(date +%s%N)
        PODRT_QEMU=$q P tcg start crash
        for i in $(seq 1 150); do
                [ "$(P tcg status --json crash | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')" = stopped ] && break
                sleep 0.2
        done
        ms=$(ms_since "$t0")
        name=$(basename "$q")
        within "guest panic ($name): the pod ends" 20000 "$ms"
        same "guest panic ($name): the app's code" "app=125" "$(exit_code tcg crash)"
        has_in "guest panic ($name): reported in the app's log" "podrt: kvm: the guest kernel panicked: Kernel panic - not syncing" "$(P tcg logs crash)"
        has_in "guest panic ($name): podrt-init's last words too" "podrt-init: --crash" "$(P tcg logs crash)"
        same "guest panic ($name): no QEMU left" "qemu=0" "$(qemus)"
        P tcg rm crash
done

# ---- 5. auto, a "KVM" that passes the probes but whose pod VMs never boot:
#      retried once under TCG, and remembered ----
cat > "$T/qemu-fakekvm" <<'EOF'
#!/bin/bash
# -accel kvm becomes tcg (no -cpu host); the probe's test loop "runs at
# hardware speed" (done at once); the boot probe boots; a pod's VM then
# never starts, as a VM whose KVM fails at boot.
args=() kvm=0 probe=0 loop=0
while [ $# -gt 0 ]; do
        case $1 in
        -accel) [ "$2" = kvm ] && kvm=1; args+=(-accel tcg); shift 2; continue ;;
        -cpu) [ "$2" = host ] && { shift 2; continue; } ;;
        isa-debug-exit*) loop=1 ;;
        -append)
                # Under TCG the kernel needs the TSC's rate (kvm_vm_cmdline
                # gives it to TCG guests only), or it may hang calibrating.
                [[ $2 == *--probe* ]] && probe=1
                khz=$(awk '/^cpu MHz/ { print int($4 * 1000); exit }' /proc/cpuinfo)
                args+=(-append "${2/quiet/quiet tsc_early_khz=$khz}")
                shift 2
                continue ;;
        esac
        args+=("$1")
        shift
done
[ $kvm = 1 ] && [ $loop = 1 ] && exit 67
[ $kvm = 1 ] && [ $probe = 0 ] && args+=(-S)
exec qemu-system-x86_64 "${args[@]}"
EOF
chmod +x "$T/qemu-fakekvm"
conf fake 'boot_timeout = 4;'
t0=$(date +%s%N)
PODRT_QEMU=$T/qemu-fakekvm P fake run --name two "$T/two.json" > "$T/fake.out" 2> "$T/fake.err"
st=$?
echo "# auto with a failing KVM: $(ms_since "$t0") ms" >&2
case $st in 3|5) ok "auto, KVM failing at boot: the pod ran after all ($st)" ;;
        *) not_ok "auto, KVM failing at boot: exit $st: $(cat "$T/fake.err")" ;; esac
same "auto, KVM failing at boot: the apps' exit codes" "writer=3 reader=5" "$(exit_code fake two)"
has_in "auto, KVM failing at boot: says it retries under TCG" "running the pod again under TCG" "$(cat "$T/fake.err")"
has_in "auto, KVM failing at boot: the reason" "kvm.boot_timeout = 4 s" "$(cat "$T/fake.err")"
same "auto, KVM failing at boot: vm.json says tcg now" '"accel":"tcg",' "$(grep -o '"accel":"tcg",' "$T"/root-fake/pods/*/kvm/vm.json)"
P fake rm two
t0=$(date +%s%N)
PODRT_QEMU=$T/qemu-fakekvm P fake run --name two "$T/two.json" > "$T/fake.out" 2> "$T/fake.err"
ms=$(ms_since "$t0")
same "auto, KVM failing at boot, again: the apps' exit codes" "writer=3 reader=5" "$(exit_code fake two)"
same "auto, KVM failing at boot, again: remembered, no retry" "" "$(grep 'again under TCG' "$T/fake.err")"
has_in "auto, KVM failing at boot, again: the remembered reason" "a pod's VM failed under KVM before any app started" "$(cat "$T/fake.err")"
P fake rm two
same "auto, KVM failing at boot: no QEMU left" "qemu=0" "$(qemus)"

# ---- 6. auto, a KVM whose guest kernel dies at boot (as on this host
#      family): the boot probe fails at once, the pod runs under TCG, and
#      `podrt check` says so in words ----
cat > "$T/qemu-brokenkvm" <<'EOF'
#!/bin/bash
# The probe's test loop "runs at hardware speed"; any guest kernel under
# "KVM" dies as under PVM: the error on stderr, and the VM stopped (here: it
# panics, and QEMU pauses on the shutdown that follows).
args=() kvm=0 loop=0
while [ $# -gt 0 ]; do
        case $1 in
        -accel) [ "$2" = kvm ] && kvm=1; args+=(-accel tcg); shift 2; continue ;;
        -cpu) [ "$2" = host ] && { shift 2; continue; } ;;
        isa-debug-exit*) loop=1 ;;
        -append)
                a=$2
                # (the TSC's rate: under TCG the kernel may hang calibrating)
                khz=$(awk '/^cpu MHz/ { print int($4 * 1000); exit }' /proc/cpuinfo)
                [ $kvm = 1 ] && a="${a/quiet/quiet tsc_early_khz=$khz} --crash"
                args+=(-append "$a")
                shift 2
                continue ;;
        esac
        args+=("$1")
        shift
done
[ $kvm = 1 ] && [ $loop = 1 ] && exit 67
if [ $kvm = 1 ]; then
        echo "KVM internal error. Suberror: 1" >&2
        echo "emulation failure" >&2
        args+=(-action shutdown=pause)
fi
exec qemu-system-x86_64 "${args[@]}"
EOF
chmod +x "$T/qemu-brokenkvm"
conf broken ''
t0=$(date +%s%N)
PODRT_QEMU=$T/qemu-brokenkvm P broken run --name one "$T/one.json" > "$T/broken.out" 2> "$T/broken.err"
st=$?
ms=$(ms_since "$t0")
same "auto, KVM dying at boot: the app's exit code" 4 "$st"
same "auto, KVM dying at boot: the app's output" "ran" "$(cat "$T/broken.out")"
has_in "auto, KVM dying at boot: the warning says why" "KVM is present but cannot run this guest kernel: emulation failure at boot" "$(cat "$T/broken.err")"
has_in "auto, KVM dying at boot: and what it does" "running the VM under TCG" "$(cat "$T/broken.err")"
within "auto, KVM dying at boot: the probe failed at once, not after its deadline" 15000 "$ms"
chk=$(PODRT_QEMU=$T/qemu-brokenkvm P broken check 2>&1)
has_in "check: says what the probe found, in words" "KVM is present but cannot run this guest kernel: emulation failure at boot" "$chk"
has_in "check: and that TCG is used" "; using TCG" "$chk"
echo "# check: $(echo "$chk" | grep 'kvm works')" >&2
P broken rm one
same "auto, KVM dying at boot: no QEMU left" "qemu=0" "$(qemus)"

if [ "$fails" -gt 0 ]; then
        echo "kvm vm-failures: $fails check(s) failed" >&2
        exit 1
fi
echo "kvm vm-failures: all checks passed"
