#!/bin/sh
# Apps added to a running nspawn pod (podrt app): the added app runs inside
# the running container (its hostname, the pod's shared empty volume), exec
# and logs reach it, app stop stops it alone, rm removes it (its mount in the
# container too), it can be added again, a pod stop covers it, and nothing is
# left after delete.
#   PODRT_BUILD_DIR=<build> PODRT_SOURCE_DIR=<source> apps.sh
# Prints a TAP-like line per check; exits 1 when one failed.
NSPAWN_TEST=apps
. "$(dirname "$0")/lib.sh"

cat > "$T/pod.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "grow", "hostname": "grow-host",
  "volumes": [ { "name": "shared", "kind": "empty" } ],
  "containers": [
    { "name": "main", "rootfs": "rootfs",
      "mounts": [ { "volume": "shared", "path": "/shared" } ],
      "command": ["/bin/sh", "-c", "echo main-up; while :; do sleep 0.1; done"] } ] }
J
cat > "$T/side.json" <<J
{ "name": "side", "rootfs": "$T/rootfs", "env": { "WHO": "side" },
  "mounts": [ { "volume": "shared", "path": "/data" } ],
  "command": ["/bin/sh", "-c", "hostname > /data/side-host; echo side-out; echo side-err >&2; exec sleep 3600"] }
J
cat > "$T/bad.json" <<J
{ "name": "bad", "rootfs": "$T/rootfs", "mounts": [ { "volume": "nosuch", "path": "/x" } ],
  "command": ["/bin/true"] }
J
# wait_for COMMAND...: up to 10 s for COMMAND to succeed.
wait_for() {
        i=0
        while ! "$@" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        "$@"
}
app_state() { $PODRT app list grow | awk -v a="$1" '$1 == a { print $2 }'; }
main_pid() { $PODRT app list grow | awk '$1 == "main" { print $3 }'; }
V=""

$PODRT run -d "$T/pod.json" >/dev/null
id=$(pod_id grow)
V=$ROOT/pods/$id/volumes/shared
wait_for sh -c "$PODRT logs --app main grow 2>/dev/null | grep -q main-up"
same "the pod runs" running "$(app_state main)"
pid0=$(main_pid)

$PODRT app add --start grow "$T/bad.json" 2>"$T/err"
same "an app naming no volume of the pod: refused (125)" 125 "$?"
same "... and not added" "" "$(app_state bad)"

$PODRT app add --start grow "$T/side.json"
same "app add --start: ok" 0 "$?"
same "the added app runs" running "$(app_state side)"
wait_for test -s "$V/side-host"
same "it wrote the pod's hostname into the shared volume" grow-host "$(cat "$V/side-host" 2>/dev/null)"
same "exec --app reaches it, with its env and mounts" "side grow-host" \
        "$($PODRT exec --app side grow -- sh -c 'echo $WHO $(cat /data/side-host)' </dev/null)"
ns_of() { $PODRT exec --app "$1" grow -- sh -c 'for n in uts net ipc pid; do readlink /proc/self/ns/$n; done' </dev/null | tr '\n' ' '; }
nsmain=$(ns_of main)
check "the added app is in the first app's uts, net, ipc and pid namespaces" test -n "$nsmain" -a "$nsmain" = "$(ns_of side)"
same "exec --app: its exit code" 7 "$($PODRT exec --app side grow -- sh -c 'exit 7' </dev/null; echo $?)"
wait_for sh -c "$PODRT logs --app side grow 2>/dev/null | grep -q side-err"
has "logs --app: its stdout" "$($PODRT logs --app side grow 2>&1)" side-out
has "logs --app: its stderr" "$($PODRT logs --app side grow 2>&1)" side-err
leader=$(pgrep -P "$(pgrep -f -- "--machine=podrt-$id" | head -1)" | head -1)
same "its root is mounted in the container" 1 "$(grep -c " /podrt/apps/side " /proc/$leader/mountinfo)"
same "... and not on the host" 0 "$(grep -c "podrt/apps/side" /proc/self/mountinfo)"
$PODRT app add --start grow "$T/side.json" 2>"$T/err"
same "adding a name the pod has: refused (125)" 125 "$?"

$PODRT app stop --timeout 5 grow side
same "app stop: ok" 0 "$?"
same "the added app stopped (SIGTERM)" "exited" "$(app_state side)"
has "... with 143" "$($PODRT status --json grow)" '"exitCode": 143'
same "the first app still runs, the same process" "running $pid0" "$(app_state main) $(main_pid)"
$PODRT app rm grow side
same "app rm: ok" 0 "$?"
same "the app is gone from the pod" "" "$(app_state side)"
same "its root is no longer mounted in the container" 0 "$(grep -c " /podrt/apps/side " /proc/$leader/mountinfo)"
$PODRT app rm grow side 2>/dev/null
check "app rm of an app not there: fails" test "$?" -ne 0

rm -f "$V/side-host"
$PODRT app add --start grow "$T/side.json"
same "added again: ok" 0 "$?"
wait_for test -s "$V/side-host"
same "... and it runs again" "running grow-host" "$(app_state side) $(cat "$V/side-host" 2>/dev/null)"
same "the first app never stopped" "running $pid0" "$(app_state main) $(main_pid)"
$PODRT kill --app side grow
wait_for sh -c "[ \"\$($PODRT app list grow | awk '\$1 == \"side\" { print \$2 }')\" = exited ]"
same "kill --app: that app only" "exited running" "$(app_state side) $(app_state main)"
$PODRT app start grow side
same "app start of the stopped app" running "$(app_state side)"

$PODRT stop --timeout 5 grow
same "a pod stop covers the added app" "exited exited" "$(app_state main) $(app_state side)"
# Started again: the added app is one of the pod's now.
rm -f "$V/side-host"
$PODRT start grow
wait_for test -s "$V/side-host"
same "start again: the added app runs with the first one" "running running grow-host" \
        "$(app_state main) $(app_state side) $(cat "$V/side-host" 2>/dev/null)"
$PODRT stop --timeout 20 grow
same "... and stops with it" "exited exited" "$(app_state main) $(app_state side)"
$PODRT delete grow
same "delete: ok" 0 "$?"
same "nothing left on the host (no process, mount, cgroup, folder)" "" "$(leftovers "$id")"
same "no relay left (but zombies a slow PID 1 has yet to reap)" "" "$(ps -eo stat=,pid=,comm= | awk '$3 == "podrt-app" && $1 !~ /^Z/')"

# ---- a sandbox (io.podrt.sandbox): it outlives its first app, for apps added later ----
cat > "$T/sandbox.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "sb", "hostname": "sb-host",
  "annotations": { "io.podrt.sandbox": "true" },
  "volumes": [ { "name": "shared", "kind": "empty" } ],
  "containers": [ { "name": "pause", "rootfs": "$T/rootfs", "command": ["/bin/true"] } ] }
J
$PODRT run -d "$T/sandbox.json" >/dev/null
sbid=$($PODRT status --json sb | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
wait_for test -e "$ROOT/pods/$sbid/nspawn/root/podrt/status/pause"
same "the sandbox's first app ended (its status: 0)" 0 "$(cat "$ROOT/pods/$sbid/nspawn/root/podrt/status/pause" 2>/dev/null)"
sleep 1
same "the sandbox runs on after its first app ended" running "$($PODRT status --json sb | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
$PODRT app add --start sb "$T/side.json" >/dev/null
same "an app added to it runs" 0 "$?"
SBV=$ROOT/pods/$sbid/volumes/shared
wait_for test -s "$SBV/side-host"
same "... in the sandbox (its hostname)" sb-host "$(cat "$SBV/side-host" 2>/dev/null)"
$PODRT stop --timeout 10 sb
same "a stop ends the sandbox" stopped "$($PODRT status --json sb | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
$PODRT delete sb
same "and delete leaves nothing of it" "" "$(ls -d $ROOT/pods/$sbid 2>/dev/null; grep -F "$sbid" /proc/self/mountinfo)"

# ---- limits: the pod's cgroups take the added app's (hosts whose PID 1 is not systemd) ----
if [ ! -d /run/systemd/system ]; then
        cat > "$T/lim.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "lim",
  "containers": [ { "name": "a", "rootfs": "rootfs", "command": ["/bin/sh", "-c", "exec sleep 30"],
                    "resources": { "memory": "64M", "pids": 20 } } ] }
J
        cat > "$T/limb.json" <<J
{ "name": "b", "rootfs": "$T/rootfs", "command": ["/bin/sh", "-c", "exec sleep 30"],
  "resources": { "memory": "32M", "pids": 10 } }
J
        $PODRT run -d "$T/lim.json" >/dev/null
        lid=$(pod_id lim)
        cg() { find /sys/fs/cgroup -maxdepth 8 -path "*/podrt/$lid/$1" 2>/dev/null | head -1; }
        same "the pod's memory and pids limits: its app's" "64000000 20" \
                "$(cat "$(cg memory.limit_in_bytes)" 2>/dev/null) $(cat "$(cg pids.max)" 2>/dev/null)"
        $PODRT app add --start lim "$T/limb.json"
        pg=$(getconf PAGESIZE)
        same "with an app added: the sum of both (the kernel keeps whole pages)" "$((96000000 / pg * pg)) 30" \
                "$(cat "$(cg memory.limit_in_bytes)" 2>/dev/null) $(cat "$(cg pids.max)" 2>/dev/null)"
        $PODRT rm --force lim
        same "nothing left after delete (limits)" "" "$(leftovers "$lid")"
fi

# ---- a state dir too deep for a socket address: app stop reaches the
#      control socket in the pod root through an O_PATH descriptor ----
DEEP=$T/$(printf 'd%.0s' $(seq 1 60))/$(printf 'e%.0s' $(seq 1 60))
mkdir -p "$DEEP"
DP="$B/core/cli/podrt --root $DEEP --backend nspawn"
$DP run -d "$T/pod.json" >/dev/null
wait_for sh -c "$DP logs --app main grow 2>/dev/null | grep -q main-up"
$DP app add --start grow "$T/side.json"
same "deep state dir: app add --start" 0 "$?"
$DP app stop --timeout 5 grow side
same "deep state dir: app stop stops it alone" "exited running" \
        "$($DP app list grow | awk '$1 == "side" { print $2 }') $($DP app list grow | awk '$1 == "main" { print $2 }')"
$DP rm --force grow >/dev/null

# ---- delete --force of a running pod with an added app running ----
$PODRT run -d "$T/pod.json" >/dev/null
id=$(pod_id grow)
wait_for sh -c "$PODRT logs --app main grow 2>/dev/null | grep -q main-up"
$PODRT app add --start grow "$T/side.json"
same "an app added again to a new pod" running "$(app_state side)"
$PODRT delete --force grow
same "delete --force with the added app running: nothing left" "" "$(leftovers "$id")"

# ---- app stop of one of the pod's own apps: the monitor is asked to read
#      the apps' states while it waits, so it ends alone and in time ----
cat > "$T/pair.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "pair",
  "containers": [ { "name": "a", "rootfs": "rootfs", "command": ["/bin/sleep", "1000"] },
                  { "name": "b", "rootfs": "rootfs", "command": ["/bin/sleep", "1000"] } ] }
J
$PODRT run -d "$T/pair.json" >/dev/null
pair=$(pod_id pair)
wait_for sh -c "$PODRT exec --app b pair -- true </dev/null 2>/dev/null"
t0=$(date +%s)
$PODRT app stop --timeout 20 pair b
same "app stop of an own app: ok" 0 "$?"
check "... well before its timeout" test $(( $(date +%s) - t0 )) -lt 10
same "... it alone" "exited running" \
        "$($PODRT app list pair | awk '$1 == "b" { print $2 }') $($PODRT app list pair | awk '$1 == "a" { print $2 }')"
$PODRT rm --force pair
same "nothing left after delete (pair)" "" "$(leftovers "$pair")"

echo "1..$n"
[ "$fails" = 0 ]
