#!/bin/bash
# Many podrt commands at once: 20 pod names, four shells doing create, run
# -d, start, stop, kill, status, list, delete and gc on them for a bounded
# time (mock backend, and oci on a few).  No command may hang (each has a
# deadline), fail in a way a user could not expect (the errors a race may
# give are listed below; anything else is a failure), or leave state that
# list cannot read; when it is over nothing is left.
. "$(dirname "$0")/lib.sh"

SECONDS_TOTAL=${PODRT_CONCURRENCY_SECONDS:-15}
manifest "$T/pod.json" "unused" "exec sleep 5"
# What a race between two commands may say: the other one won.
EXPECTED='no such pod|pod [a-z0-9]* is running$|pod [a-z0-9]* is (not running|paused|stopped|created)|exists already|stop it first|held by another process'

worker() {        # worker N
        local n=$1 ops=0 bad=0 i op name out rc
        local end=$((SECONDS + SECONDS_TOTAL))
        RANDOM=$((n * 7919))
        while [ $SECONDS -lt $end ]; do
                name=c$((RANDOM % 20))
                backend=mock
                [ $((RANDOM % 5)) -eq 0 ] && backend=oci
                case $((RANDOM % 9)) in
                0) op="--backend $backend create --name $name $T/pod.json" ;;
                1) op="--backend $backend run -d --name $name $T/pod.json" ;;
                2) op="start $name" ;;
                3) op="stop --timeout 1 $name" ;;
                4) op="kill $name" ;;
                5) op="status --json $name" ;;
                6) op="list --json" ;;
                7) op="delete --force $name" ;;
                8) op="gc --grace 0" ;;
                esac
                out=$(timeout 40 "$PODRT_BIN" --root "$ROOT" $op 2>&1 >/dev/null)
                rc=$?
                ops=$((ops + 1))
                [ $rc -ne 0 ] && printf "%s\n" "$out" | sed -E "s/\bc[0-9]+\b/cN/g; s/[0-9a-f]{32}/ID/g; s|/tmp/[^ ]*|PATH|g" >>"$T/errors-$n"
                if [ $rc -eq 124 ]; then
                        echo "HANG: podrt $op"
                        bad=$((bad + 1))
                elif [ $rc -ne 0 ] && ! printf '%s' "$out" | grep -qE "$EXPECTED"; then
                        echo "UNEXPECTED ($rc): podrt $op: $out"
                        bad=$((bad + 1))
                fi
                if [ "$op" = "list --json" ] && [ $rc -eq 0 ]; then
                        if "$PODRT_BIN" --root "$ROOT" list --json 2>/dev/null | grep -q '"state": *"unknown"'; then
                                echo "UNREADABLE: $("$PODRT_BIN" --root "$ROOT" list 2>&1 | tail -3)"
                                bad=$((bad + 1))
                        fi
                fi
        done
        echo "worker $n: $ops commands, $bad bad"
}

for n in 1 2 3 4; do worker "$n" >"$T/worker-$n.log" 2>&1 & done
wait
cat "$T"/worker-*.log | grep -v '^worker' | sort | uniq -c | head -20 >&2
echo "what the races said (expected), by count:"
cat "$T"/errors-* 2>/dev/null | sort | uniq -c | sort -rn | head -20
total=$(cat "$T"/worker-*.log | awk '/^worker/ { s += $3 } END { print s + 0 }')
bad=$(cat "$T"/worker-*.log | awk '/^worker/ { s += $5 } END { print s + 0 }')
[ "$bad" -eq 0 ] || fail "$bad of $total commands failed unexpectedly or hung"

# The end: stop and remove everything; nothing may be left.
remember_ids
for d in "$ROOT"/pods/*; do
        [ -d "$d" ] && podrt delete --force "${d##*/}" >/dev/null 2>&1
done
clean_up_after_crash
left=$(leftovers)
[ -z "$left" ] || fail "left after the run:$left"
echo "concurrency: $total commands by 4 shells on 20 pods in ${SECONDS_TOTAL}s, $bad unexpected"
echo "$((total - bad)) passed, $bad failed"
[ "$FAILED" -eq 0 ]
