#!/bin/bash
# podrt exec into a running VM pod, through the exec channel (a virtio-serial
# port) to podrt-init's agent: exit codes, stdin, stdout and stderr, --app,
# the app's environment, -t, concurrent execs, a large stdin; and limits in
# the guest (cgroup2 per app: memory, pids); a signal into the guest.  Three TCG
# boots.
# Prints a TAP-like line per check; exits 1 when one failed.
. "$(dirname "$0")/lib.sh" exec
P() { timeout 60 "$B/core/cli/podrt" --config "$T/podrt.conf" --root "$T/root" --backend kvm "$@"; }

mkdir -p "$T/vol"
cat > "$T/pod.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "vmpod",
  "volumes": [ { "name": "v", "kind": "host", "source": "$T/vol" } ],
  "containers": [
    { "name": "main", "rootfs": "$T/rootfs", "env": { "WHO": "main" },
      "mounts": [ { "volume": "v", "path": "/v" } ],
      "command": ["/bin/sh", "-c", "echo up; exec sleep 3600"] },
    { "name": "side", "rootfs": "$T/rootfs", "env": { "WHO": "side" },
      "command": ["/bin/sh", "-c", "exec sleep 3600"] } ] }
EOF
P run -d "$T/pod.json" >/dev/null
for i in $(seq 1 300); do
        [ "$(P logs --app main vmpod 2>/dev/null)" = up ] && break
        sleep 0.2
done
same "the pod runs" up "$(P logs --app main vmpod)"

P exec vmpod -- sh -c 'exit 9' </dev/null
same "exec: the command's exit code" 9 "$?"
out=$(echo "from stdin" | P exec vmpod -- sh -c 'read line; echo "got: $line"; echo "to stderr" >&2; exit 0' 2>"$T/err")
same "exec: stdin reaches the command, stdout comes back" "got: from stdin" "$out"
same "exec: stderr comes back apart" "to stderr" "$(cat "$T/err")"
same "exec: the first app by default, with its environment" "main" "$(P exec vmpod -- sh -c 'echo $WHO' </dev/null)"
same "exec --app: that app, with its environment" "side" "$(P exec --app side vmpod -- sh -c 'echo $WHO' </dev/null)"
echo marker > "$T/vol/file"
same "exec: the app's mounts" "marker" "$(P exec vmpod -- cat /v/file </dev/null)"
P exec vmpod -- /bin/nope </dev/null 2>"$T/err"
same "exec: a missing program: 127" 127 "$?"
has_in "exec: a missing program: says so" "exec /bin/nope: No such file or directory" "$(cat "$T/err")"
P exec --app nosuch vmpod -- true </dev/null 2>"$T/err"
st=$?
if [ "$st" -ne 0 ]; then ok "exec --app of no app: fails ($st)"; else not_ok "exec --app of no app: succeeded"; fi
head -c 2000000 /dev/urandom > "$T/big"
same "exec: 2 MB of stdin, intact" "$(md5sum < "$T/big")" "$(P exec vmpod -- md5sum < "$T/big")"
same "exec -t: a terminal" "/dev/pts/0" "$(P exec -t vmpod -- tty </dev/null | tr -d '\r')"
P exec -t vmpod -- sh -c 'exit 4' </dev/null >/dev/null
same "exec -t: the exit code" 4 "$?"
# Two at once: the second waits for the channel.
P exec vmpod -- sh -c 'sleep 1; exit 5' </dev/null & a=$!
P exec --app side vmpod -- sh -c 'exit 6' </dev/null & b=$!
wait $a; sa=$?
wait $b; sb=$?
same "exec: two at once, each its own code" "5 6" "$sa $sb"
for i in 1 2 3; do
        got=$(echo "r$i" | P exec vmpod -- sh -c 'read x; echo $x; exit 3')
        same "exec, after ${i} s idle: stdin and the code" "r$i 3" "$got $?"
        sleep "$i"
done
P stop --timeout 5 vmpod
P exec vmpod -- true </dev/null 2>"$T/err"
st=$?
if [ "$st" -ne 0 ]; then ok "exec into a stopped pod: fails ($st)"; else not_ok "exec into a stopped pod: succeeded"; fi
echo "# exec into a stopped pod: $(cat "$T/err")" >&2
P rm -f vmpod

# A signal reaches the apps in the guest (podrt kill, through the agent):
# the app's handler runs, the VM goes on.
cat > "$T/hup.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "hup",
  "containers": [ { "name": "app", "rootfs": "$T/rootfs",
    "command": ["/bin/sh", "-c", "trap 'echo got HUP' HUP; echo up; while :; do sleep 0.1; done"] } ] }
EOF
P run -d "$T/hup.json" >/dev/null
for i in $(seq 1 300); do
        [ "$(P logs hup 2>/dev/null)" = up ] && break
        sleep 0.2
done
P kill --signal HUP hup
same "kill --signal HUP: succeeds" 0 "$?"
for i in $(seq 1 50); do
        case $(P logs hup) in *"got HUP"*) break ;; esac
        sleep 0.2
done
has_in "kill --signal HUP: the app's handler ran in the guest" "got HUP" "$(P logs hup)"
same "kill --signal HUP: the pod still runs" running "$(P status --json hup | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
P kill --signal KILL hup
for i in $(seq 1 50); do
        [ "$(P status --json hup | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')" = stopped ] && break
        sleep 0.2
done
same "kill --signal KILL: ends the VM (137)" "137" "$(P status --json hup | python3 -c 'import json, sys; print(json.load(sys.stdin)["apps"][0]["exitCode"])')"
P rm -f hup

# ---- limits inside the guest: an app over its memory limit is killed (137),
#      the same allocation without a limit survives, the guest goes on ----
cat > "$T/mem.json" <<EOF
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "mem",
  "containers": [
    { "name": "hog", "rootfs": "$T/rootfs", "resources": { "memory": "8Mi", "pids": 50, "cpu": "500m" },
      "command": ["/bin/sh", "-c", "cat /proc/self/cgroup; x=\$(head -c 12000000 /dev/zero | tr '\\\\0' a); echo \${#x} bytes"] },
    { "name": "free", "rootfs": "$T/rootfs",
      "command": ["/bin/sh", "-c", "sleep 2; x=\$(head -c 12000000 /dev/zero | tr '\\\\0' a); echo \${#x} bytes"] },
    { "name": "pids", "rootfs": "$T/rootfs", "resources": { "pids": 5 },
      "command": ["/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 3 & done; wait"] } ] }
EOF
P run --name mem "$T/mem.json" > "$T/mem.out" 2>&1
st=$?
same "memory limit: the pod's code is the killed app's" 137 "$st"
codes=$(P status --json mem | python3 -c '
import json, sys
print(" ".join("%s=%s" % (a["name"], a["exitCode"]) for a in json.load(sys.stdin)["apps"]))')
same "memory limit: 8Mi app allocating 12 MB killed (137); without a limit it survives" "hog=137 free=0" "${codes% pids=*}"
same "memory limit: the app is in a cgroup of its own" "0::/app-hog" "$(P logs --app hog mem | head -1)"
same "no limit: the allocation succeeded" "12000000 bytes" "$(P logs --app free mem)"
case $codes in *pids=0) not_ok "pids limit: 8 processes for a limit of 5 started" ;; *) ok "pids limit: the 6th fork failed (${codes##* })" ;; esac
has_in "pids limit: the shell says so" "fork" "$(P logs --app pids mem)"
P rm mem

if [ "$fails" -gt 0 ]; then
        echo "kvm exec: $fails check(s) failed" >&2
        exit 1
fi
echo "kvm exec: all checks passed"
