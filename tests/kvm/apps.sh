#!/bin/bash
# Apps added to a running VM pod (podrt app), in the pod's existing VM: one
# QEMU for the pod the whole time.  The added app runs in the guest (the
# pod's hostname, its shared empty volume), exec and logs reach it, app stop
# stops it alone, rm removes it (its bind under the apps share too), it can
# be added again (also with a read-only root and a memory limit, enforced in
# the guest), a pod stop covers it, and nothing is left after delete (no
# process, mount, tap).  One TCG boot.
# Prints a TAP-like line per check; exits 1 when one failed.
. "$(dirname "$0")/lib.sh" apps
P() { timeout 120 "$B/core/cli/podrt" --config "$T/podrt.conf" --root "$T/root" --backend kvm "$@"; }

cat > "$T/pod.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "vmgrow", "hostname": "vm-grow-host",
  "volumes": [ { "name": "shared", "kind": "empty" } ],
  "containers": [
    { "name": "main", "rootfs": "$T/rootfs",
      "mounts": [ { "volume": "shared", "path": "/shared" } ],
      "command": ["/bin/sh", "-c", "echo main-up; exec sleep 3600"] } ] }
EOF
cat > "$T/side.json" <<EOF
{ "name": "side", "rootfs": "$T/rootfs", "env": { "WHO": "side" },
  "mounts": [ { "volume": "shared", "path": "/data" } ],
  "command": ["/bin/sh", "-c", "hostname > /data/side-host; echo side-out; echo side-err >&2; exec sleep 3600"] }
EOF
cat > "$T/ro.json" <<EOF
{ "name": "ro", "rootfs": "$T/rootfs", "readOnlyRootfs": true, "resources": { "memory": "8Mi" },
  "mounts": [ { "volume": "shared", "path": "/data" } ],
  "command": ["/bin/sh", "-c", "touch /x 2>/dev/null && echo root-rw || echo root-ro; cat /proc/self/cgroup; x=\$(head -c 12000000 /dev/zero | tr '\\\\0' a); echo survived"] }
EOF
app_state() { P app list vmgrow | awk -v a="$1" '$1 == a { print $2 }'; }
main_pid() { P app list vmgrow | awk '$1 == "main" { print $3 }'; }
wait_for() {
        for i in $(seq 1 300); do "$@" && return 0; sleep 0.2; done
        "$@"
}
taps() { ip -o link show type tun 2>/dev/null | awk -F': ' '{ print $2 }' | sort; }
taps > "$T/taps.before"

P run -d "$T/pod.json" >/dev/null
id=$(P status --json vmgrow | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
V=$T/root/pods/$id/volumes/shared
qemus() { pgrep -f "qemu-system-x86_64.*$id" | wc -l; }
wait_for sh -c "$B/core/cli/podrt --config $T/podrt.conf --root $T/root logs --app main vmgrow 2>/dev/null | grep -q main-up"
same "the pod runs in its VM" "running 1" "$(app_state main) $(qemus)"
pid0=$(main_pid)

P app add --start vmgrow "$T/side.json"
same "app add --start: ok" 0 "$?"
same "the added app runs, in the same VM" "running 1" "$(app_state side) $(qemus)"
wait_for test -s "$V/side-host"
same "it wrote the pod's hostname into the shared volume" vm-grow-host "$(cat "$V/side-host" 2>/dev/null)"
same "exec --app reaches it, with its env and mounts" "side vm-grow-host" \
        "$(P exec --app side vmgrow -- sh -c 'echo $WHO $(cat /data/side-host)' </dev/null)"
same "its root is bound on the host below the apps share" 1 "$(grep -c "$id/kvm/apps/side " /proc/self/mountinfo)"
wait_for sh -c "$B/core/cli/podrt --config $T/podrt.conf --root $T/root logs --app side vmgrow 2>&1 | grep -q side-err"
has_in "logs --app: its stdout" "side-out" "$(P logs --app side vmgrow 2>&1)"
has_in "logs --app: its stderr" "side-err" "$(P logs --app side vmgrow 2>&1)"
P app add --start vmgrow "$T/side.json" 2>/dev/null
same "adding a name the pod has: refused (125)" 125 "$?"

P app stop --timeout 10 vmgrow side
same "app stop: ok" 0 "$?"
same "the added app stopped, alone" "exited running" "$(app_state side) $(app_state main)"
has_in "... with 143" '"exitCode": 143' "$(P status --json vmgrow)"
same "the first app is the same process, the VM the same one" "$pid0 1" "$(main_pid) $(qemus)"
P app rm vmgrow side
same "app rm: ok" 0 "$?"
same "the app is gone from the pod" "" "$(app_state side)"
same "its root is no longer bound under the apps share" 0 "$(grep -c "$id/kvm/apps/side" /proc/self/mountinfo)"

rm -f "$V/side-host"
P app add --start vmgrow "$T/side.json"
same "added again: ok" 0 "$?"
wait_for test -s "$V/side-host"
same "... it runs again, in the same VM" "running vm-grow-host 1" "$(app_state side) $(cat "$V/side-host" 2>/dev/null) $(qemus)"
# An exec session holds the exec channel meanwhile: kill --app and app add
# go through request files on the status share, not held up by it.
P exec vmgrow -- sleep 12 </dev/null >/dev/null 2>&1 & ex=$!
sleep 2
t0=$(date +%s%N)
P kill --app side vmgrow
wait_for sh -c "[ \"\$(timeout 20 $B/core/cli/podrt --config $T/podrt.conf --root $T/root app list vmgrow | awk '\$1 == \"side\" { print \$2 }')\" = exited ]"
same "kill --app: that app only" "exited running" "$(app_state side) $(app_state main)"

P app add --start vmgrow "$T/ro.json"
same "an app with a read-only root and a memory limit: added" 0 "$?"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ "$ms" -lt 8000 ]; then ok "kill --app and app add during a 12 s exec session: not held up by it (${ms} ms)"
else not_ok "kill --app and app add during a 12 s exec session: held up by it (${ms} ms)"; fi
wait $ex
wait_for sh -c "[ \"\$(timeout 20 $B/core/cli/podrt --config $T/podrt.conf --root $T/root app list vmgrow | awk '\$1 == \"ro\" { print \$2 }')\" = exited ]"
log=$(P logs --app ro vmgrow 2>&1)
has_in "its root is read-only" root-ro "$log"
has_in "its limit is in a cgroup of its own in the guest" "0::/app-ro" "$log"
has_in "... and enforced: killed (137)" '"exitCode": 137' "$(P status --json vmgrow)"
same "the first app still runs, in the one VM" "running 1" "$(app_state main) $(qemus)"

P app start vmgrow side
same "app start of the stopped app" running "$(app_state side)"
P stop --timeout 20 vmgrow
same "a pod stop covers the added app" "exited exited" "$(app_state main) $(app_state side)"
# Started again: the added app is one of the pod's now.
rm -f "$V/side-host"
P start vmgrow
wait_for test -s "$V/side-host"
same "start again: the added app runs with the first one" "running running vm-grow-host 1" \
        "$(app_state main) $(app_state side) $(cat "$V/side-host" 2>/dev/null) $(qemus)"
P stop --timeout 20 vmgrow
same "... and stops with it" "exited exited" "$(app_state main) $(app_state side)"
P delete vmgrow
same "delete: ok" 0 "$?"
same "no QEMU left" 0 "$(qemus)"
same "no relay left (but zombies a slow PID 1 has yet to reap)" "" "$(ps -eo stat=,pid=,comm= | awk '$3 == "podrt-app" && $1 !~ /^Z/')"
same "no mount left" "" "$(grep -F "$id" /proc/self/mountinfo)"
same "no tap left" "$(cat "$T/taps.before")" "$(taps)"
same "no folder left" "" "$(ls -d "$T/root/pods/$id" 2>/dev/null)"

# ---- a sandbox (io.podrt.sandbox): it outlives its first app, for apps added later ----
cat > "$T/sandbox.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "sb", "hostname": "sb-host",
  "annotations": { "io.podrt.sandbox": "true" },
  "volumes": [ { "name": "shared", "kind": "empty" } ],
  "containers": [ { "name": "pause", "rootfs": "$T/rootfs", "command": ["/bin/true"] } ] }
J
P run -d "$T/sandbox.json" >/dev/null
sbid=$(P status --json sb | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
wait_for test -e "$T/root/pods/$sbid/kvm/status/exit/pause"
same "the sandbox's first app ended (its status: 0)" 0 "$(cat "$T/root/pods/$sbid/kvm/status/exit/pause" 2>/dev/null)"
sleep 1
same "the sandbox runs on after its first app ended" running "$(P status --json sb | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
P app add --start sb "$T/side.json" >/dev/null
same "an app added to it runs" 0 "$?"
SBV=$T/root/pods/$sbid/volumes/shared
wait_for test -s "$SBV/side-host"
same "... in the sandbox (its hostname)" sb-host "$(cat "$SBV/side-host" 2>/dev/null)"
# Its added app's root is bound on the host: delete --force of the running
# VM undoes that too.
P delete --force sb
same "delete --force of the running sandbox: no QEMU, mount or folder left" "0" \
        "$(pgrep -f "qemu-system-x86_64.*$sbid" | wc -l)$(ls -d $T/root/pods/$sbid 2>/dev/null; grep -F "$sbid" /proc/self/mountinfo)"

# ---- app stop of one of the pod's own apps (the keeper is their process):
#      the monitor is asked to read the status share while it waits ----
cat > "$T/pair.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "pair",
  "containers": [ { "name": "a", "rootfs": "$T/rootfs", "command": ["/bin/sleep", "1000"] },
                  { "name": "b", "rootfs": "$T/rootfs", "command": ["/bin/sleep", "1000"] } ] }
J
P run -d "$T/pair.json" >/dev/null
pairid=$(P status --json pair | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
wait_for sh -c "$B/core/cli/podrt --config $T/podrt.conf --root $T/root --backend kvm exec --app b pair -- true </dev/null 2>/dev/null"
t0=$(date +%s)
P app stop --timeout 30 pair b
same "app stop of an own app: ok" 0 "$?"
same "... well before its timeout, it alone, the VM the same" "yes exited running 1" \
        "$([ $(( $(date +%s) - t0 )) -lt 15 ] && echo yes) $(P app list pair | awk '$1 == "b" { print $2 }') $(P app list pair | awk '$1 == "a" { print $2 }') $(pgrep -f "qemu-system-x86_64.*$pairid" | wc -l)"
P delete --force pair

if [ "$fails" -gt 0 ]; then
        echo "kvm apps: $fails check(s) failed"
        exit 1
fi
echo "kvm apps: all checks passed"
