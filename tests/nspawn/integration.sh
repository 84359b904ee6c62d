#!/bin/sh
# The nspawn backend end to end: pods under the real systemd-nspawn with
# podrt-init as PID 1, on the project's busybox rootfs (root only).
#   PODRT_BUILD_DIR=<build> PODRT_SOURCE_DIR=<source> integration.sh
# Prints a TAP-like line per check; exits 1 when one failed, 77 (skipped,
# never a pass) without root or systemd-nspawn.
NSPAWN_TEST=integration
. "$(dirname "$0")/lib.sh"

# ---- a two-app pod: shared empty volume, env, hostname, exit codes, caps ----
cat > "$T/two.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "two", "hostname": "pod-host",
  "volumes": [ { "name": "scratch", "kind": "empty" },
               { "name": "data", "kind": "host", "source": "$T/hostdata", "readOnly": true } ],
  "containers": [
    { "name": "writer", "rootfs": "rootfs",
      "command": ["/bin/sh", "-c", "echo \"writer: \$GREETING on \$(hostname)\"; echo shared-bytes > /scratch/f; grep CapBnd /proc/self/status | sed 's/^/writer /'; exit 3"],
      "env": { "GREETING": "hello podrt" },
      "mounts": [ { "volume": "scratch", "path": "/scratch" } ],
      "capabilities": { "drop": ["CAP_NET_RAW"] } },
    { "name": "reader", "rootfs": "rootfs",
      "command": ["/bin/sh", "-c", "while [ ! -s /scratch/f ]; do sleep 0.05; done; echo \"reader: \$(cat /scratch/f)\"; grep CapBnd /proc/self/status | sed 's/^/reader /'; if touch /data/new 2>/dev/null; then echo ro-broken; else echo ro-enforced; fi; cat /data/file"],
      "mounts": [ { "volume": "scratch", "path": "/scratch" }, { "volume": "data", "path": "/data" } ] }
  ] }
J
out=$($PODRT run --name two "$T/two.json" 2>"$T/two.err")
rc=$?
same "run exits with the status of the app that failed (3)" 3 "$rc"
has "writer sees its env and the pod's hostname" "$out" "writer: hello podrt on pod-host"
has "reader reads what writer wrote in the shared empty volume" "$out" "reader: shared-bytes"
has "read-only host volume: writes refused" "$out" "ro-enforced"
has "read-only host volume: readable" "$out" "from the host"
check "read-only host volume: nothing written on the host" test ! -e "$T/hostdata/new"
# CapBnd: bit 13 is CAP_NET_RAW.  Each app tags its line: the two print in
# either order.
capbnd() { printf '%s\n' "$out" | grep "^$1 CapBnd" | awk '{print $3}'; }
w=$(capbnd writer); r=$(capbnd reader)
check "CAP_NET_RAW dropped from the bounding set when asked" test $((0x$w & 0x2000)) -eq 0
check "CAP_NET_RAW kept by the app that did not drop it" test $((0x$r & 0x2000)) -ne 0
check "no CAP_SYS_ADMIN for apps (bit 21)" test $((0x$r & 0x200000)) -eq 0
st=$($PODRT status --json two)
has "status --json: per-app exit codes" "$(printf '%s' "$st" | tr -d ' \n' | sed 's/"pid":[0-9]*,//g')" '"name":"writer","state":"exited","exitCode":3'
has "status --json: the other app exited 0" "$(printf '%s' "$st" | tr -d ' \n' | sed 's/"pid":[0-9]*,//g')" '"name":"reader","state":"exited","exitCode":0'
has "status --json: the pod is stopped" "$st" '"state": "stopped"'
logs=$($PODRT logs --app reader two)
has "logs of one app" "$logs" "reader: shared-bytes"
id=$(pod_id two)
$PODRT rm two
same "nothing left after delete (two)" "" "$(leftovers "$id")"

# ---- preStart / postStop in order ----
cat > "$T/hooks.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "hooks",
  "containers": [ { "name": "a", "rootfs": "rootfs", "command": ["/bin/sh", "-c", "echo main; echo main-err >&2"],
    "lifecycle": { "preStart": ["/bin/sh", "-c", "echo pre"], "postStop": ["/bin/sh", "-c", "echo post"] } } ] }
J
out=$($PODRT run --rm "$T/hooks.json" 2>"$T/hooks.err")
same "run streams preStart, the app, postStop in order" "pre
main
post" "$out"
same "run streams the app's stderr to stderr" "main-err" "$(cat "$T/hooks.err")"

# ---- a missing program: 127, and run --rm leaves nothing ----
cat > "$T/missing.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "missing",
  "containers": [ { "name": "a", "rootfs": "rootfs", "command": ["/no/such/program"] } ] }
J
$PODRT run --rm "$T/missing.json" >/dev/null 2>"$T/missing.err"
same "a program that is not there exits 127" 127 "$?"
has "and says so on the app's stderr" "$(cat "$T/missing.err")" "exec /no/such/program: No such file or directory"
same "run --rm leaves no pod" "" "$(ls "$ROOT/pods")"

# ---- detached: logs, exec, pause/resume, stop within its timeout ----
cat > "$T/long.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "long", "hostname": "long-host",
  "containers": [ { "name": "ticker", "rootfs": "rootfs", "env": { "COLOR": "blue" },
    "command": ["/bin/sh", "-c", "trap 'echo stopping; exit 0' TERM; trap 'echo got-usr1' USR1; i=0; while :; do i=\$((i+1)); echo tick \$i; sleep 0.1; done"] } ] }
J
$PODRT run -d --name long "$T/long.json" >/dev/null
same "run -d exits 0" 0 "$?"
id=$(pod_id long)
has "a detached pod is running" "$($PODRT status --json long)" '"state": "running"'
out=$($PODRT exec long -- /bin/sh -c 'echo "$COLOR $(hostname) $(id -u)"')
same "exec runs in the app with its env and the pod's hostname" "blue long-host 0" "$out"
$PODRT exec long -- /bin/sh -c 'exit 7'
same "exec returns the command's exit code" 7 "$?"
$PODRT exec long -- /no/such/command 2>/dev/null
same "exec of a missing command exits 127" 127 "$?"
out=$($PODRT exec long -- /bin/sh -c 'ls /proc | grep -c "^[0-9]"')
check "exec shares the pod's PID namespace (few processes)" test "$out" -lt 10
sleep 0.3
has "logs show a detached app's output" "$($PODRT logs long)" "tick 2"
$PODRT kill --signal USR1 long
same "kill exits 0" 0 "$?"
sleep 0.3
has "kill delivers the signal to the app" "$($PODRT logs long)" "got-usr1"
$PODRT pause long
same "pause exits 0" 0 "$?"
has "status says paused" "$($PODRT status --json long)" '"state": "paused"'
a=$($PODRT logs long | grep -c tick)
sleep 0.5
b=$($PODRT logs long | grep -c tick)
same "a paused pod makes no progress" "$a" "$b"
$PODRT resume long
same "resume exits 0" 0 "$?"
sleep 0.5
c=$($PODRT logs long | grep -c tick)
check "a resumed pod goes on" test "$c" -gt "$b"
t0=$(now_ms)
$PODRT stop --timeout 5 long
same "stop exits 0" 0 "$?"
t1=$(now_ms)
check "a graceful stop is quick ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 3000
has "SIGTERM reached the app" "$($PODRT logs long)" "stopping"
has "stopped" "$($PODRT status --json long)" '"state": "stopped"'
$PODRT rm long
same "nothing left after delete (long)" "" "$(leftovers "$id")"

# ---- an app that ignores SIGTERM is killed after the timeout ----
cat > "$T/stubborn.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "stubborn",
  "containers": [ { "name": "a", "rootfs": "rootfs",
    "command": ["/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"] } ] }
J
$PODRT run -d --name stubborn "$T/stubborn.json" >/dev/null
id=$(pod_id stubborn)
sleep 0.3
t0=$(now_ms)
$PODRT stop --timeout 1 stubborn
rc=$?
t1=$(now_ms)
same "stop of a stubborn pod exits 0" 0 "$rc"
check "it is killed within its timeout (1 s; took $((t1 - t0)) ms)" test $((t1 - t0)) -lt 2500
has "stubborn: stopped" "$($PODRT status --json stubborn)" '"state": "stopped"'
$PODRT rm stubborn
same "nothing left after delete (stubborn)" "" "$(leftovers "$id")"

# ---- resource limits through cgroupfs (hosts whose PID 1 is not systemd) ----
if [ ! -d /run/systemd/system ]; then
        cat > "$T/limits.json" <<J
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "limits",
  "containers": [ { "name": "a", "rootfs": "rootfs", "command": ["/bin/sh", "-c", "sleep 30"],
                    "resources": { "memory": "64M", "cpu": "250m", "pids": 20 } } ] }
J
        $PODRT run -d --name limits "$T/limits.json" >/dev/null
        id=$(pod_id limits)
        cg() { find /sys/fs/cgroup -maxdepth 8 -path "*/podrt/$id/$1" 2>/dev/null | head -1; }
        same "memory limit in the pod's cgroup" 64000000 "$(cat "$(cg memory.limit_in_bytes)" 2>/dev/null)"
        same "cpu limit in the pod's cgroup" 25000 "$(cat "$(cg cpu.cfs_quota_us)" 2>/dev/null)"
        same "pids limit in the pod's cgroup" 20 "$(cat "$(cg pids.max)" 2>/dev/null)"
        check "the pod's processes are in it" test -n "$(cat "$(find /sys/fs/cgroup/freezer -path "*/podrt/$id/cgroup.procs" | head -1)" 2>/dev/null)"
        $PODRT rm --force limits
        same "nothing left after delete (limits)" "" "$(leftovers "$id")"
fi

# ---- delete --force of a running pod ----
$PODRT run -d --name forced "$T/long.json" >/dev/null
id=$(pod_id forced)
$PODRT pause forced
$PODRT rm --force forced
same "delete --force of a paused pod exits 0" 0 "$?"
same "nothing left after delete --force" "" "$(leftovers "$id")"

# ---- failures leave nothing ----
cat > "$T/bad-binary.conf" <<J
nspawn = { binary = "$T/no-such-nspawn"; };
J
out=$($PODRT --config "$T/bad-binary.conf" run "$T/hooks.json" 2>&1)
same "a missing nspawn binary: podrt fails (125)" 125 "$?"
has "and names it" "$out" "$T/no-such-nspawn: not found"
same "a failed create leaves no pod" "" "$(ls "$ROOT/pods")"

cgroups() { find /sys/fs/cgroup -maxdepth 8 -type d -path '*/podrt/*' 2>/dev/null | sort; }
cgroups > "$T/cgroups.before"
cat > "$T/false.conf" <<J
nspawn = { binary = "/bin/false"; };
J
$PODRT --config "$T/false.conf" run --rm "$T/hooks.json" >/dev/null 2>&1
same "an nspawn that fails at once: podrt fails (125)" 125 "$?"
same "and leaves no pod" "" "$(ls "$ROOT/pods")"
cgroups > "$T/cgroups.after"
same "and no cgroup" "" "$(comm -13 "$T/cgroups.before" "$T/cgroups.after")"

echo "1..$n"
[ "$fails" = 0 ]
