#!/bin/bash
# The kvm backend on real VMs under TCG (forced: kvm.accel = "tcg", so the
# result does not depend on the host's KVM), with Debian's kernel
# (scripts/fetch-kernel.sh, quick when already fetched) and the busybox
# rootfs (scripts/mkrootfs.sh).  Seven VM boots in all; failure paths that
# boot nothing.  Prints a TAP-like line per check; exits 1 when one failed.
#
# Env: PODRT_BUILD_DIR (the build tree), PODRT_SOURCE_DIR; PODRT_KVM_KERNEL
# and PODRT_KVM_MODULES to use another kernel than /var/lib/podrt/kernel.
. "$(dirname "$0")/lib.sh" integration
mkdir -p "$T/ro" "$T/root"
echo "from the host" > "$T/ro/file"
P() { "$B/core/cli/podrt" --config "$T/podrt.conf" --root "$T/root" --backend kvm "$@"; }
# The app's exit code in `podrt status --json`.
exit_code() {
        P status --json "$1" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(" ".join("%s=%s" % (a["name"], a["exitCode"]) for a in s["apps"]))'
}
state_of() { P status --json "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])'; }
# What a pod leaves: QEMU processes naming it, its directory.
leftovers() {
        local n
        n=$(pgrep -fc "qemu-system-x86_64 -name $1" || true)
        echo "qemu=$n dir=$([ -e "$T/root/pods/$1" ] && echo yes || echo no)"
}

# ---- 0. capabilities in the guest, as on nspawn and oci (one boot) ----
cat > "$T/caps.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "caps",
  "containers": [ { "name": "a", "rootfs": "$T/rootfs", "command": ["/bin/sh", "-c", "grep CapBnd /proc/self/status"] },
                  { "name": "b", "rootfs": "$T/rootfs", "command": ["/bin/sh", "-c", "sleep 0.2; grep CapBnd /proc/self/status"],
                    "capabilities": { "add": ["NET_ADMIN"], "drop": ["CHOWN"] } } ] }
EOF
out=$(P run --rm "$T/caps.json" 2>"$T/caps.err")
same "capabilities: the default set (OCI's), and add/drop" "CapBnd:	00000000a80425fb
CapBnd:	00000000a80435fa" "$out"

# ---- 1. one app: output, exit code, env, hostname (one boot) ----
cat > "$T/one.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "one", "hostname": "vmhost",
  "hosts": [ { "ip": "192.0.2.10", "names": ["db"] } ], "dns": { "servers": ["192.0.2.53"] },
  "containers": [ { "name": "app", "rootfs": "$T/rootfs",
    "command": ["/bin/sh", "-c", "echo hello from \$GREETING; echo host=\$(hostname) HOSTNAME=\$HOSTNAME; echo container=\$container; grep db /etc/hosts; cat /etc/resolv.conf; echo oops >&2; exit 7"],
    "env": { "GREETING": "a VM" } } ] }
EOF
start=$(date +%s.%N)
out=$(P run --name one "$T/one.json" 2>"$T/one.err")
status=$?
echo "# one-app pod: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s" >&2
same "run: the app's exit code is podrt's" 7 "$status"
same "run: the app's stdout, streamed; /etc/hosts and resolv.conf from the manifest" "hello from a VM
host=vmhost HOSTNAME=vmhost
container=podrt
192.0.2.10	db
nameserver 192.0.2.53" "$out"
has_in "run: the app's stderr, streamed" "oops" "$(cat "$T/one.err")"
same "run: TCG as configured: no KVM probe, no warning" "oops" "$(cat "$T/one.err")"
same "logs: the app's log holds its output" "hello from a VM
host=vmhost HOSTNAME=vmhost
container=podrt
192.0.2.10	db
nameserver 192.0.2.53
oops" "$(P logs one)"
same "the rootfs's own /etc/hosts is untouched" "" "$(cat "$T/rootfs/etc/hosts")"
same "status: exit code 7" "app=7" "$(exit_code one)"
same "status: stopped" stopped "$(state_of one)"
id=$(P status --json one | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
P delete one
same "delete: no QEMU, no pod directory" "qemu=0 dir=no" "$(leftovers "$id")"

# ---- 2. three apps, an empty volume, a read-only host volume (one boot) ----
cat > "$T/two.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "two",
  "volumes": [ { "name": "shared", "kind": "empty" },
               { "name": "hostro", "kind": "host", "source": "$T/ro", "readOnly": true } ],
  "containers": [
    { "name": "writer", "rootfs": "$T/rootfs",
      "command": ["/bin/sh", "-c", "echo written > /shared/note; cat /ro/file; echo try > /ro/file && exit 0; exit 3"],
      "mounts": [ { "volume": "shared", "path": "/shared" }, { "volume": "hostro", "path": "/ro" } ],
      "resources": { "memory": "32M" } },
    { "name": "reader", "rootfs": "$T/rootfs",
      "command": ["/bin/sh", "-c", "for i in \$(seq 1 100); do [ -s /shared/note ] && break; sleep 0.1; done; cat /shared/note; exit 5"],
      "mounts": [ { "volume": "shared", "path": "/shared" } ] },
    { "name": "missing", "rootfs": "$T/rootfs", "command": ["/bin/nope"] } ] }
EOF
P run --name two "$T/two.json" > "$T/two.out" 2>&1
st=$?
case $st in 3|127) ok "three apps: podrt exits with a failure's code ($st)" ;; *) not_ok "three apps: podrt exited $st" ;; esac
same "three apps: per-app exit codes in status --json" "writer=3 reader=5 missing=127" "$(exit_code two)"
same "a missing program: podrt-init's message in the app's log" "podrt-init: app missing: exec /bin/nope: No such file or directory" "$(P logs --app missing two)"
same "two apps: the reader saw the writer's file on the empty volume" "written" "$(P logs --app reader two)"
has_in "read-only volume: readable in the guest" "from the host" "$(P logs --app writer two)"
has_in "read-only volume: the guest cannot write it" "Read-only file system" "$(P logs --app writer two)"
same "read-only volume: the host file is unchanged" "from the host" "$(cat "$T/ro/file")"
id=$(P status --json two | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
same "empty volume: on the host in the pod's dir" "written" "$(cat "$T/root/pods/$id/volumes/shared/note" 2>&1)"
P rm two

# ---- 3. detached run, stop within its timeout, delete (one boot) ----
cat > "$T/sleep.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "sleeper",
  "containers": [ { "name": "app", "rootfs": "$T/rootfs",
    "command": ["/bin/sh", "-c", "echo up; exec sleep 600"] } ] }
EOF
id=$(P run -d "$T/sleep.json" 2>/dev/null)
same "run -d: prints the pod's ID" 32 "${#id}"
for i in $(seq 1 300); do
        [ "$(P logs sleeper 2>/dev/null)" = up ] && break
        sleep 0.2
done
same "run -d: the app runs in the VM" "up" "$(P logs sleeper)"
same "run -d: running" running "$(state_of sleeper)"
same "run -d: one QEMU for the pod" "qemu=1 dir=yes" "$(leftovers "$id")"
has_in "run -d: the QMP socket is there" "qmp.sock" "$(ls "$T/root/pods/$id/kvm")"
P pause sleeper
same "pause: paused" paused "$(state_of sleeper)"
P resume sleeper
same "resume: running" running "$(state_of sleeper)"
t0=$(date +%s)
P stop --timeout 3 sleeper
st=$?
t1=$(date +%s)
same "stop: succeeds" 0 "$st"
if [ $((t1 - t0)) -le 8 ]; then ok "stop: within its timeout ($((t1 - t0)) s for 3 s)"; else not_ok "stop: took $((t1 - t0)) s for a 3 s timeout"; fi
same "stop: stopped" stopped "$(state_of sleeper)"
same "stop: the app ended by SIGTERM" "app=143" "$(exit_code sleeper)"
same "stop: no QEMU left" "qemu=0 dir=yes" "$(leftovers "$id")"
P delete sleeper
same "delete: nothing left behind" "qemu=0 dir=no" "$(leftovers "$id")"

# ---- 3b. graceful stop: the app's TERM handler runs in the guest (one boot) ----
mkdir -p "$T/marks"
cat > "$T/trap.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "trapper",
  "volumes": [ { "name": "marks", "kind": "host", "source": "$T/marks" } ],
  "containers": [ { "name": "app", "rootfs": "$T/rootfs",
    "mounts": [ { "volume": "marks", "path": "/marks" } ],
    "command": ["/bin/sh", "-c", "trap 'echo handled > /marks/term; exit 0' TERM; echo up; while :; do sleep 0.1; done"] } ] }
EOF
# wait_up POD: until the app said "up" (a TCG boot: a few seconds).
wait_up() {
        for i in $(seq 1 300); do
                [ "$(P logs "$1" 2>/dev/null)" = up ] && return 0
                sleep 0.2
        done
        return 1
}
id=$(P run -d "$T/trap.json" 2>/dev/null)
wait_up trapper
same "graceful stop: the app runs" "up" "$(P logs trapper)"
t0=$(date +%s%N)
P stop --timeout 10 trapper
st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# graceful stop of a kvm pod: $ms ms" >&2
same "graceful stop: succeeds" 0 "$st"
if [ "$ms" -le 7000 ]; then ok "graceful stop: well within its 10 s timeout ($ms ms)"; else not_ok "graceful stop: took $ms ms for a 10 s timeout"; fi
same "graceful stop: the handler's exit code, recorded by the guest" "app=0" "$(exit_code trapper)"
same "graceful stop: the handler ran (its marker on the volume)" "handled" "$(cat "$T/marks/term" 2>&1)"
same "graceful stop: stopped, the VM powered itself off" "stopped qemu=0 dir=yes" "$(state_of trapper) $(leftovers "$id")"
P delete trapper
same "graceful stop, delete: nothing left behind" "qemu=0 dir=no" "$(leftovers "$id")"

# ---- 3c. an app that ignores SIGTERM: the VM ends after the timeout (one boot) ----
cat > "$T/deaf.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "deaf",
  "containers": [ { "name": "app", "rootfs": "$T/rootfs",
    "command": ["/bin/sh", "-c", "trap '' TERM; echo up; while :; do sleep 0.1; done"] } ] }
EOF
id=$(P run -d "$T/deaf.json" 2>/dev/null)
wait_up deaf
same "TERM ignored: the app runs" "up" "$(P logs deaf)"
t0=$(date +%s%N)
P stop --timeout 2 deaf
st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# stop of a kvm pod ignoring TERM, timeout 2 s: $ms ms" >&2
same "TERM ignored: stop succeeds" 0 "$st"
if [ "$ms" -ge 2000 ] && [ "$ms" -le 8000 ]; then ok "TERM ignored: ended after its 2 s timeout ($ms ms)"
else not_ok "TERM ignored: stop took $ms ms for a 2 s timeout"; fi
same "TERM ignored: the app's code 128+SIGTERM" "app=143" "$(exit_code deaf)"
same "TERM ignored: stopped, no QEMU left" "stopped qemu=0 dir=yes" "$(state_of deaf) $(leftovers "$id")"
P delete deaf
same "TERM ignored, delete: nothing left behind" "qemu=0 dir=no" "$(leftovers "$id")"

# ---- 4. kill of a running pod (one boot) ----
id=$(P run -d "$T/sleep.json" 2>/dev/null)
for i in $(seq 1 300); do
        [ "$(P logs sleeper 2>/dev/null)" = up ] && break
        sleep 0.2
done
P kill --signal KILL sleeper
for i in $(seq 1 50); do [ "$(state_of sleeper)" = stopped ] && break; sleep 0.2; done
same "kill: stopped, the app's code 128+9" "stopped app=137" "$(state_of sleeper) $(exit_code sleeper)"
P delete sleeper
same "kill, delete: nothing left behind" "qemu=0 dir=no" "$(leftovers "$id")"

# ---- 5. run --rm of a pod (one boot) ----
cat > "$T/true.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "rm",
  "containers": [ { "name": "app", "rootfs": "$T/rootfs", "command": ["/bin/true"] } ] }
EOF
P run --rm "$T/true.json"
same "run --rm: exit 0" 0 "$?"
same "run --rm: no pod left" "" "$(ls "$T/root/pods")"

# ---- failure paths: nothing boots, nothing is left ----
sed "s|$KERNEL|/nonexistent/vmlinuz|" "$T/podrt.conf" > "$T/bad.conf"
err=$("$B/core/cli/podrt" --config "$T/bad.conf" --root "$T/root" --backend kvm run "$T/true.json" 2>&1)
same "missing kernel: exit 125" 125 "$?"
has_in "missing kernel: says which and how to get one" "guest kernel /nonexistent/vmlinuz (kvm.kernel): not found; scripts/fetch-kernel.sh" "$err"
same "missing kernel: no pod left" "" "$(ls "$T/root/pods")"

err=$(PODRT_QEMU=/bin/false P run "$T/true.json" 2>&1)
same "QEMU failing at start: exit 125" 125 "$?"
has_in "QEMU failing at start: says so" "qemu exited at once with status 1" "$err"
P delete rm >/dev/null 2>&1
same "QEMU failing at start: nothing left after delete" "" "$(ls "$T/root/pods")"

printf 'kvm = { kernel = "%s"; modules = "%s"; hypervisor = "lkvm"; accel = "tcg"; };\n' "$KERNEL" "$MODULES" > "$T/lkvm.conf"
err=$("$B/core/cli/podrt" --config "$T/lkvm.conf" --root "$T/root" --backend kvm run "$T/true.json" 2>&1)
same "lkvm with accel tcg: exit 125" 125 "$?"
has_in "lkvm with accel tcg: refused clearly" "lkvm cannot run without KVM (kvm.accel = \"tcg\"): use kvm.hypervisor = \"qemu\"" "$err"
same "lkvm with accel tcg: no pod left" "" "$(ls "$T/root/pods")"

if [ "$fails" -gt 0 ]; then
        echo "kvm integration: $fails check(s) failed" >&2
        exit 1
fi
echo "kvm integration: all checks passed"
