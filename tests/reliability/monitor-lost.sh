#!/bin/bash
# A pod whose monitor died: status says so (still running, "monitor lost"),
# stop reaches the apps through the backend and succeeds only once they are
# gone, and the pod starts again.  mock and oci (runc).
. "$(dirname "$0")/lib.sh"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

for backend in mock oci; do
        name=lost-$backend
        manifest "$T/pod.json" "$name" "echo started; exec sleep 300"
        podrt --backend "$backend" run -d "$T/pod.json" >/dev/null || { fail "$backend: run -d"; continue; }
        remember_ids
        for i in $(seq 50); do podrt logs "$name" 2>/dev/null | grep -q started && break; sleep 0.1; done
        mon=$(podrt status --json "$name" | json 'd["monitorPid"]')
        app=$(podrt status --json "$name" | json 'd["apps"][0]["pid"]')
        [ "$mon" -gt 0 ] && [ "$app" -gt 0 ] || fail "$backend: no monitor ($mon) or app ($app) pid"
        kill -KILL "$mon"
        for i in $(seq 50); do kill -0 "$mon" 2>/dev/null || break; sleep 0.1; done

        st=$(podrt status --json "$name" | json 'd["state"] + " " + d.get("monitor", "-")')
        [ "$st" = "running lost" ] || fail "$backend: status after the monitor died: '$st', expected 'running lost'"
        podrt status "$name" | grep -q '^Monitor: lost$' || fail "$backend: status does not say 'Monitor: lost'"
        podrt list | grep "$name" | grep -q 'running (monitor lost)' || fail "$backend: list does not say monitor lost"
        kill -0 "$app" 2>/dev/null || fail "$backend: the app died with its monitor (a lost monitor must not stop it)"

        podrt stop --timeout 2 "$name" 2>"$T/stop.err" || fail "$backend: stop without a monitor failed: $(cat "$T/stop.err")"
        for i in $(seq 30); do [ -d /proc/"$app" ] && ! grep -q '^State:.*Z' /proc/"$app"/status 2>/dev/null || break; sleep 0.1; done
        if [ -d /proc/"$app" ] && ! grep -q '^State:.*Z' /proc/"$app"/status 2>/dev/null; then
                fail "$backend: stop returned 0 but the app ($app) still runs"
        fi
        st=$(podrt status --json "$name" | json 'd["state"] + " " + d.get("monitor", "-")')
        [ "$st" = "stopped -" ] || fail "$backend: status after stop: '$st'"

        # It starts again, with a monitor of its own.
        podrt start "$name" 2>"$T/start.err" || fail "$backend: start after a lost monitor failed: $(cat "$T/start.err")"
        st=$(podrt status --json "$name" | json 'd["state"] + " " + d.get("monitor", "-")')
        [ "$st" = "running -" ] || fail "$backend: status after start again: '$st'"
        podrt stop --timeout 1 "$name" >/dev/null 2>&1 || fail "$backend: stop"
        podrt delete "$name" 2>"$T/del.err" || fail "$backend: delete: $(cat "$T/del.err")"
done
left=$(leftovers)
[ -z "$left" ] || fail "left:$left"
echo "$((2 * 9 - FAILED)) passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
