#!/bin/sh
# Failure paths on real runc, and that each leaves nothing behind: no runc
# container, no pod directory, no mount, no cgroup.
. "$(dirname "$0")/lib.sh"

cg_before=$(pod_cgroups)

# create fails after the backend made its bundles (a prestart hook fails):
# the pod is torn down, the hook's failure is the message.
mkdir -p "$T/hooks"
cat >"$T/hooks/01-fail.json" <<'H'
{"version":"1.0.0","hook":{"path":"/bin/false"},"when":{"always":true},"stages":["prestart"]}
H
printf 'oci = { runtime = "runc"; };\nhooks = { dirs = [ "%s/hooks" ]; };\n' "$T" >"$T/hooks.conf"
m=$(manifest hooked '{"apiVersion":"podrt/v1","kind":"Pod","name":"hooked",
  "volumes":[{"name":"scratch","kind":"empty"}],
  "containers":[{"name":"a","rootfs":"rootfs","command":["/bin/true"],"mounts":[{"volume":"scratch","path":"/s"}]},
                {"name":"b","rootfs":"rootfs","command":["/bin/true"]}]}')
"$PODRT_BIN" --config "$T/hooks.conf" --root "$ROOT" --backend oci run --rm "$m" >/dev/null 2>"$T/err"
rc=$?
check_eq "a failing prestart hook: podrt failed" 125 $rc
check_contains "a failing prestart hook: the message" "$(cat "$T/err")" "prestart"
check_clean "after a failed create" "$cg_before"

# The runtime fails to start the container (a host volume removed between
# create and start): 125, runc's message, nothing left after delete.
mkdir -p "$T/gone"
m=$(manifest gone '{"apiVersion":"podrt/v1","kind":"Pod","name":"gone",
  "volumes":[{"name":"v","kind":"host","source":"'"$T"'/gone"}],
  "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/true"],"mounts":[{"volume":"v","path":"/v"}]}]}')
id=$(podrt_runc create "$m")
rmdir "$T/gone"
podrt_runc start "$id" >/dev/null 2>&1
for i in $(seq 1 50); do
        case $(podrt_runc status "$id" 2>/dev/null) in *stopped*) break ;; esac
        sleep 0.1
done
check_contains "the runtime could not start it: 125" "$(podrt_runc status --json "$id")" '"exitCode": 125'
check_contains "the runtime's message in the app's log" "$(podrt_runc logs "$id" 2>&1)" "gone"
podrt_runc delete "$id"
check_eq "delete after a failed start" 0 $?
check_clean "after a failed start" "$cg_before"

# One app of two cannot start; the other runs on; delete --force ends it and
# removes the pod's shared namespaces.
m=$(manifest half '{"apiVersion":"podrt/v1","kind":"Pod","name":"half",
  "containers":[{"name":"ok","rootfs":"rootfs","command":["/bin/sleep","1000"]},
                {"name":"bad","rootfs":"rootfs","command":["/no/such/program"]}]}')
id=$(podrt_runc run -d "$m")
for i in $(seq 1 50); do
        case $(podrt_runc status "$id") in *"exited(127)"*|*"bad  exited"*) break ;; esac
        sleep 0.1
done
check_contains "one app failed with 127" "$(podrt_runc status --json "$id")" '"exitCode": 127'
check_contains "the other runs" "$(runc --root "$RUNC_ROOT" list -q)" "$id-ok"
check_contains "the shared namespaces are mounted" "$(grep -F "$ROOT/pods/$id/oci-" /proc/self/mountinfo | wc -l)" "2"
podrt_runc delete --force "$id" >/dev/null 2>&1
check_clean "after delete --force of a half-started pod" "$cg_before"

# The monitor dies (SIGKILL): delete --force still removes the container.
m=$(manifest orphan '{"apiVersion":"podrt/v1","kind":"Pod","name":"orphan",
  "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/sleep","1000"]}]}')
id=$(podrt_runc run -d "$m")
mon=$(podrt_runc status --json "$id" | sed -n 's/.*"monitorPid": \([0-9]*\).*/\1/p')
[ -n "$mon" ] && kill -9 "$mon"
sleep 0.2
check_contains "the container outlives its monitor" "$(runc --root "$RUNC_ROOT" list -q)" "$id-app"
podrt_runc delete --force "$id" >/dev/null 2>&1
podrt_runc gc >/dev/null 2>&1
check_clean "after the monitor died and delete --force" "$cg_before"

# A runtime that fails outright: its message, its exit code, nothing left.
cat >"$T/badruntime" <<'B'
#!/bin/sh
echo "badruntime: cannot do $*" >&2
exit 1
B
chmod +x "$T/badruntime"
printf 'oci = { runtime = "%s/badruntime"; };\n' "$T" >"$T/bad.conf"
m=$(manifest badrt '{"apiVersion":"podrt/v1","kind":"Pod","name":"badrt",
  "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/true"]}]}')
"$PODRT_BIN" --config "$T/bad.conf" --root "$ROOT" --backend oci run --rm "$m" >/dev/null 2>"$T/err"
check_eq "a failing runtime: its exit status" 1 $?
check_contains "a failing runtime: its message" "$(cat "$T/err")" "badruntime: cannot do"
check_clean "after a failing runtime" "$cg_before"

# A runtime that does not exist: one clear message, nothing made.
printf 'oci = { runtime = "%s/nothere"; };\n' "$T" >"$T/none.conf"
"$PODRT_BIN" --config "$T/none.conf" --root "$ROOT" --backend oci run --rm "$m" >/dev/null 2>"$T/err"
check_eq "a missing runtime: podrt failed" 125 $?
check_eq "a missing runtime: one line" 1 "$(wc -l <"$T/err")"
check_contains "a missing runtime: the message" "$(cat "$T/err")" "oci.runtime: $T/nothere: No such file or directory"
check_clean "after a missing runtime" "$cg_before"

# crun where it cannot run (hybrid cgroups here): auto falls back to runc
# with one note; crun asked for explicitly fails cleanly.
if command -v crun >/dev/null 2>&1; then
        rm -f "$ROOT/oci/probe-crun"
        m=$(manifest auto '{"apiVersion":"podrt/v1","kind":"Pod","name":"auto",
          "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/sh","-c","echo ran"]}]}')
        out=$(podrt run --rm "$m" 2>"$T/err")
        check_eq "auto runs the pod" "ran" "$out"
        if grep -q "crun cannot run containers here" "$T/err"; then
                check_eq "auto: one note about crun" 1 "$(grep -c "crun cannot run containers here" "$T/err")"
                check_contains "auto: the note names runc" "$(cat "$T/err")" "using runc"
                out=$(podrt run --rm "$m" 2>"$T/err2")
                check_eq "auto: the probe's result is cached (no second note)" "" "$(grep "crun cannot" "$T/err2")"
                printf 'oci = { runtime = "crun"; };\n' >"$T/crun.conf"
                "$PODRT_BIN" --config "$T/crun.conf" --root "$ROOT" --backend oci run --rm "$m" >/dev/null 2>"$T/err"
                check_eq "crun asked for where it cannot run: podrt failed" 125 $?
                check_eq "crun left no container" "" "$(crun --root "$ROOT/oci/crun" list -q 2>/dev/null)"
        fi
        check_clean "after the crun probe" "$cg_before"
fi

finish
