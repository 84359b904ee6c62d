#!/bin/bash
# A podrt command SIGKILLed at any point leaves nothing that gc and
# delete --force cannot remove: create, run -d, start, stop and delete, on
# the mock and the oci (runc) backends, each killed after 0 to ~60 ms in
# steps; after every trial, gc + delete --force must leave no folder, name,
# mount, netns, runc container, cgroup or process.
. "$(dirname "$0")/lib.sh"

TRIALS=0
trial() {        # trial BACKEND OP DELAY_MS
        local backend=$1 op=$2 delay=$3 m=$T/pod.json
        manifest "$m" "k$TRIALS" "sleep 30"
        case $op in
        create|run-d) ;;
        start) podrt --backend "$backend" create --name "k$TRIALS" "$m" >/dev/null 2>&1 || fail "$backend: create for start" ;;
        stop|delete) podrt --backend "$backend" run -d --name "k$TRIALS" "$m" >/dev/null 2>&1 || fail "$backend: run -d for $op" ;;
        esac
        case $op in
        create) setsid "$PODRT_BIN" --root "$ROOT" --backend "$backend" create --name "k$TRIALS" "$m" >/dev/null 2>&1 & ;;
        run-d) setsid "$PODRT_BIN" --root "$ROOT" --backend "$backend" run -d --name "k$TRIALS" "$m" >/dev/null 2>&1 & ;;
        start) setsid "$PODRT_BIN" --root "$ROOT" start "k$TRIALS" >/dev/null 2>&1 & ;;
        stop) setsid "$PODRT_BIN" --root "$ROOT" stop --timeout 1 "k$TRIALS" >/dev/null 2>&1 & ;;
        delete) setsid "$PODRT_BIN" --root "$ROOT" delete --force "k$TRIALS" >/dev/null 2>&1 & ;;
        esac
        local pid=$!
        sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        clean_up_after_crash
        local left
        left=$(leftovers)
        [ -z "$left" ] || fail "$backend $op killed after ${delay} ms: left$left"
        TRIALS=$((TRIALS + 1))
}

for backend in mock oci; do
        for op in create run-d start stop delete; do
                for delay in 0 1 2 3 5 8 12 20 30 45 60 90; do
                        trial "$backend" "$op" "$delay"
                done
        done
done
echo "kill-anywhere: $TRIALS trials, $FAILED with leftovers"
echo "$((TRIALS - FAILED)) passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
