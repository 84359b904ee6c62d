#!/bin/sh
# The lifecycle on real runc: run -d, exec (exit codes, the container's
# env), pause/resume (runc's state and a frozen app), kill, stop with its
# timeout, start again, delete.
. "$(dirname "$0")/lib.sh"

cg_before=$(pod_cgroups)
ms() { date +%s%3N; }
runc_status() {
        runc --root "$RUNC_ROOT" state "$1" 2>/dev/null | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'
}

m=$(manifest ticker '{"apiVersion":"podrt/v1","kind":"Pod","name":"ticker",
  "containers":[{"name":"app","rootfs":"rootfs","env":{"FOO":"bar"},
    "command":["/bin/sh","-c","while :; do echo tick; sleep 0.05; done"]}]}')
id=$(podrt_runc run -d "$m")
check_eq "run -d: pod ID" 32 "${#id}"
check_eq "run -d: the container runs in runc" running "$(wait_runc "$id-app" running)"

# exec: the command's exit code, the container's environment, stdio.
out=$(podrt_runc exec ticker -- /bin/sh -c 'echo FOO=$FOO HOSTNAME=$HOSTNAME; exit 3')
check_eq "exec: exit code" 3 $?
check_eq "exec: the container's env" "FOO=bar HOSTNAME=ticker" "$out"
out=$(echo piped | podrt_runc exec ticker -- /bin/cat)
check_eq "exec: stdin" piped "$out"
podrt_runc exec ticker -- /no/such/program >/dev/null 2>&1
check_eq "exec: a missing program exits 127" 127 $?
podrt_runc exec ticker -- /etc/passwd >/dev/null 2>&1
check_eq "exec: a program that cannot run exits 126" 126 $?
left=$(ls "$ROOT/pods/$id/apps/app" | grep '^exec-')
check_eq "exec: no process file left" "" "$left"

# pause: runc says paused, the app makes no progress; resume: it does.
podrt_runc pause ticker
check_eq "pause exits 0" 0 $?
check_eq "pause: runc's state" paused "$(runc_status "$id-app")"
check_contains "pause: status" "$(podrt_runc status ticker)" "paused"
n1=$(podrt_runc logs ticker | wc -l)
sleep 0.5
n2=$(podrt_runc logs ticker | wc -l)
check_eq "pause: no output while paused" "$n1" "$n2"
podrt_runc resume ticker
check_eq "resume exits 0" 0 $?
check_eq "resume: runc's state" running "$(runc_status "$id-app")"
sleep 0.5
n3=$(podrt_runc logs ticker | wc -l)
if [ "$n3" -gt "$n2" ]; then pass "resume: output again ($n2 -> $n3 lines)"; else fail "resume: no new output ($n2 -> $n3)"; fi

# stop: PID 1 without a SIGTERM handler ignores it; SIGKILL after the
# timeout (1 s), exit code 137.
t0=$(ms)
podrt_runc stop --timeout 1 ticker
check_eq "stop exits 0" 0 $?
el=$(( $(ms) - t0 ))
if [ "$el" -ge 900 ] && [ "$el" -lt 6000 ]; then pass "stop waited for its timeout (${el} ms)"; else fail "stop took ${el} ms, timeout 1 s"; fi
check_contains "stop: the app was killed" "$(podrt_runc status --json ticker)" '"exitCode": 137'
check_eq "stop: runc forgot the container" "" "$(runc --root "$RUNC_ROOT" list -q)"

# stop of an app that handles SIGTERM: quick, with its own exit code.
m=$(manifest graceful '{"apiVersion":"podrt/v1","kind":"Pod","name":"graceful",
  "containers":[{"name":"app","rootfs":"rootfs",
    "command":["/bin/sh","-c","trap \"echo bye; exit 0\" TERM; while :; do sleep 0.05; done"]}]}')
gid=$(podrt_runc run -d "$m")
echo "# pods: ticker $id, graceful $gid"
sleep 0.2
t0=$(ms)
podrt_runc stop --timeout 10 graceful
el=$(( $(ms) - t0 ))
if [ "$el" -lt 3000 ]; then pass "stop of an app handling SIGTERM is quick (${el} ms)"; else fail "stop took ${el} ms"; fi
check_contains "stop: the app's own exit code" "$(podrt_runc status --json graceful)" '"exitCode": 0'
check_contains "stop: the app saw SIGTERM" "$(podrt_runc logs graceful)" "bye"

# A stopped pod starts again.
podrt_runc start ticker
check_eq "start of a stopped pod" 0 $?
sleep 0.2
check_eq "start again: the container runs" running "$(wait_runc "$id-app" running)"

# kill: the signal reaches the app; SIGKILL gives 137.
podrt_runc kill --signal KILL ticker
for i in $(seq 1 50); do
        case $(podrt_runc status ticker) in *stopped*) break ;; esac
        sleep 0.1
done
check_contains "kill -KILL: stopped, 137" "$(podrt_runc status --json ticker)" '"exitCode": 137'

# Right after run -d the runtime may still be making the container: exec
# and stop wait for it.
m=$(manifest quick '{"apiVersion":"podrt/v1","kind":"Pod","name":"quick",
  "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/sleep","1000"]}]}')
podrt_runc run -d "$m" >/dev/null
check_eq "exec right after run -d" "hi" "$(podrt_runc exec quick -- /bin/echo hi 2>&1)"
podrt_runc delete --force quick >/dev/null
podrt_runc run -d "$m" >/dev/null
podrt_runc stop --timeout 1 quick
check_eq "stop right after run -d exits 0" 0 $?
check_contains "stop right after run -d: killed after the timeout" "$(podrt_runc status --json quick)" '"exitCode": 137'
check_eq "stop right after run -d: runc forgot the container" "" "$(runc --root "$RUNC_ROOT" list -q)"

podrt_runc delete ticker graceful quick
check_eq "delete of stopped pods" 0 $?
check_clean "after the lifecycle" "$cg_before"
finish
