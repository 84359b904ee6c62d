#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# OCI hooks on real pods of the oci backend: the podrt CLI, runc, the
# project's busybox rootfs and the built hooks.so, with hook scripts on the
# host that record what they receive.  The oci backend leaves the hooks to
# the core (docs/hooks.md, "Which stage runs where"): these are the same
# promises as tests/hooks/integration.sh on the mock backend, checked where
# a real runtime makes them matter (the pid a hook is given, what a failed
# start leaves behind: runc containers, mounts, cgroups).
#
# Needs root and runc; PODRT_BUILD_DIR and PODRT_SOURCE_DIR (meson test).
. "$(dirname "$0")/../oci/lib.sh"

RUNC=$(command -v runc)
OUT="$T/out"
HOOKS="$T/hooks"
mkdir -p "$OUT" "$HOOKS"
cg_before=$(pod_cgroups)

# podrt pinned to runc (its state is what the checks read), with the hook
# directory of this test.
printf 'storage = "dir";\noci = { runtime = "runc"; };\nhooks = { dirs = [ "%s" ]; };\n' "$HOOKS" >"$T/hooks.conf"
hp() {
        "$PODRT_BIN" --config "$T/hooks.conf" --root "$ROOT" --backend oci "$@"
}

# reset: a fresh hook directory, output directory and app markers.
reset() {
        rm -rf "$HOOKS" "$OUT" "$T/rootfs/ended"
        mkdir -p "$HOOKS" "$OUT"
}

# The recording hook: `record.sh STAGE TAG` appends "STAGE TAG" to calls and
# keeps the state it read on stdin in state-STAGE-TAG (one line per call).
# Beside it, what a hook can see of the pod at that moment: whether the app
# has finished (the marker it writes in its rootfs as its last act), which
# runc containers exist, and for a state with a pid, that process's command
# line and whether it is in a pid namespace of its own.
cat >"$T/record.sh" <<EOF
#!/bin/sh
stage=\$1 tag=\$2
state=\$(cat)
printf '%s\n' "\$state" >> "$OUT/state-\$stage-\$tag"
echo "\$stage \$tag" >> "$OUT/calls"
env > "$OUT/env-\$stage-\$tag"
[ -e "$T/rootfs/ended" ] && echo ended > "$OUT/ended-\$stage-\$tag"
"$RUNC" --root "$RUNC_ROOT" list -q > "$OUT/runc-\$stage-\$tag" 2>&1
pid=\$(printf '%s' "\$state" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
if [ -n "\$pid" ]; then
        echo "\$pid" > "$OUT/pid-\$stage-\$tag"
        # The pid is the container's from the moment runc starts it; its
        # exec of the app's command may still be under way (as with runc's
        # own poststart hooks).
        i=0
        while cmd=\$(tr '\0' ' ' 2>/dev/null < /proc/\$pid/cmdline) && [ "\${cmd#*runc init}" != "\$cmd" ] && [ \$i -lt 50 ]; do
                sleep 0.02
                i=\$((i + 1))
        done
        printf '%s' "\$cmd" > "$OUT/cmdline-\$stage-\$tag"
        if [ "\$(readlink /proc/\$pid/ns/pid)" != "\$(readlink /proc/self/ns/pid)" ]; then
                echo own > "$OUT/pidns-\$stage-\$tag"
        fi
fi
exit 0
EOF

cat >"$T/never.sh" <<EOF
#!/bin/sh
cat > /dev/null
echo "\$0 \$*" >> "$OUT/never-ran"
EOF

cat >"$T/fail.sh" <<'EOF'
#!/bin/sh
cat > /dev/null
echo "fail.sh: refusing: no GPU here" >&2
exit 3
EOF

cat >"$T/slow.sh" <<EOF
#!/bin/sh
echo \$\$ > "$OUT/slow-pid"
sleep 30
echo finished > "$OUT/slow-finished"
EOF
chmod 755 "$T/record.sh" "$T/never.sh" "$T/fail.sh" "$T/slow.sh"

# hook FILE STAGES WHEN [TAG]: a recording hook.
hook() {
        cat >"$HOOKS/$1" <<EOF
{
  "version": "1.0.0",
  "hook": { "path": "$T/record.sh", "args": ["record.sh", "$2", "${4:-$2}"],
            "env": ["HOOK_STAGE=$2"], "timeout": 10 },
  "when": $3,
  "stages": ["$2"]
}
EOF
}

# never FILE STAGES WHEN: a hook that must not run.
never() {
        cat >"$HOOKS/$1" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/never.sh", "args": ["never.sh", "$1"] },
  "when": $3, "stages": $2 }
EOF
}

calls() {
        tr '\n' '|' 2>/dev/null <"$OUT/calls"
}

# The pod: "app" runs the shell (matched by the commands condition), stays
# up a moment so that a poststart hook finds it running, and leaves a
# marker in its rootfs as it ends; "side" has a volume mount (matched by
# hasBindMounts) and runs busybox's true.
m=$(manifest hooked '{"apiVersion":"podrt/v1","kind":"Pod","name":"hooked",
  "annotations":{"org.example.team":"infra"},
  "volumes":[{"name":"scratch","kind":"empty"}],
  "containers":[
    {"name":"app","rootfs":"rootfs",
     "command":["/bin/sh","-c","echo hello from the app; sleep 1; echo ended > /ended"]},
    {"name":"side","rootfs":"rootfs","command":["/bin/true"],
     "mounts":[{"volume":"scratch","path":"/scratch"}]}]}')

# ---- 1. matched hooks run once at their stage, with the state ----------------
STAGES="prestart createRuntime createContainer startContainer poststart poststop"
reset
i=1
for s in $STAGES; do
        hook "0$i-$s.json" "$s" '{ "annotations": { "^org\\.example\\.team$": "^infra$" }, "commands": ["^/bin/sh$"] }'
        i=$((i + 1))
done
hook 20-mounts.json prestart '{ "hasBindMounts": true }' mounts
# Not matching: another annotation value, another command, a key that is
# not there, bind mounts asked for by a 0.1.0 file together with a command
# no app runs (alternatives in 0.1.0: the side app's mounts match it, so it
# is given a command condition in 1.0.0 form below instead).
never 50-other-team.json '["prestart", "poststart", "poststop"]' '{ "annotations": { "org.example.team": "^ops$" } }'
never 51-nginx.json '["prestart", "startContainer"]' '{ "always": true, "commands": ["nginx"] }'
never 52-no-key.json '["createRuntime"]' '{ "annotations": { "^io\\.example\\.gpu$": ".*" } }'
never 53-mounts-sh.json '["prestart", "poststop"]' '{ "hasBindMounts": true, "commands": ["^/bin/sh$"] }'
never 54-always-false.json '["prestart"]' '{ "always": false }'
cat >"$HOOKS/55-legacy.json" <<EOF
{ "hook": "$T/never.sh", "arguments": ["55-legacy"], "stages": ["prestart"], "cmds": ["^/usr/bin/python"] }
EOF

export PODRT_TEST_LEAK=leaked
hp run "$m" >"$T/run.out" 2>"$T/run.err"
rc=$?
unset PODRT_TEST_LEAK
check_eq "run with matching hooks exits 0 ($(cat "$T/run.err"))" 0 $rc
check_contains "the app's output" "$(cat "$T/run.out")" "hello from the app"
expected="prestart prestart|prestart mounts|createRuntime createRuntime|createContainer createContainer|"
expected="${expected}startContainer startContainer|poststart poststart|poststop poststop|"
check_eq "each matched hook ran once, at its stage, in order" "$expected" "$(calls)"
check_eq "unmatched hooks never ran" "" "$(cat "$OUT/never-ran" 2>/dev/null)"

id=$(hp list --json 2>/dev/null | grep -o '"id": *"[0-9a-f]\{32\}"' | head -n1 | grep -o '[0-9a-f]\{32\}')
check_eq "the pod is listed after the run" yes "$([ -n "$id" ] && echo yes)"
for s in $STAGES; do
        f="$OUT/state-$s-$s"
        state=$(cat "$f" 2>/dev/null)
        case $s in
        poststart) status=running ;;
        poststop) status=stopped ;;
        *) status=created ;;
        esac
        check_eq "$s: one state read" 1 "$(wc -l <"$f" 2>/dev/null || echo 0)"
        check_contains "$s: ociVersion" "$state" '"ociVersion":"1.0.2"'
        check_contains "$s: status $status" "$state" "\"status\":\"$status\""
        check_contains "$s: the app's id" "$state" "\"id\":\"$id-app\""
        check_contains "$s: the app's bundle" "$state" "\"bundle\":\"$ROOT/pods/$id/apps/app\""
        check_contains "$s: the pod's annotations" "$state" '"annotations":{"org.example.team":"infra"}'
        env=$(cat "$OUT/env-$s-$s" 2>/dev/null)
        check_contains "$s: the hook's own env" "$env" "HOOK_STAGE=$s"
        check_not_contains "$s: podrt's env does not leak into the hook" "$env" "PODRT_TEST_LEAK"
        case $s in
        prestart | createRuntime | createContainer | startContainer)
                check_not_contains "$s: no pid before start" "$state" '"pid"'
                check_eq "$s: no runc container yet" "" "$(cat "$OUT/runc-$s-$s" 2>/dev/null)"
                ;;
        esac
done
check_eq "the bundle is a real OCI bundle" yes "$([ -f "$ROOT/pods/$id/apps/app/config.json" ] && echo yes)"
mstate=$(cat "$OUT/state-prestart-mounts" 2>/dev/null)
check_contains "hasBindMounts: the app with a mount" "$mstate" "\"id\":\"$id-side\""
check_contains "hasBindMounts: its bundle" "$mstate" "\"bundle\":\"$ROOT/pods/$id/apps/side\""

# poststart: the app runs, and the pid is its container's process.
check_contains "poststart: a pid" "$(cat "$OUT/state-poststart-poststart" 2>/dev/null)" '"pid":'
check_eq "poststart: the app has not ended yet" "" "$(cat "$OUT/ended-poststart-poststart" 2>/dev/null)"
check_contains "poststart: the pid is the app's process (its command line)" \
        "$(cat "$OUT/cmdline-poststart-poststart" 2>/dev/null)" "/bin/sh -c echo hello from the app"
check_eq "poststart: the pid is in the container's pid namespace" own \
        "$(cat "$OUT/pidns-poststart-poststart" 2>/dev/null)"
check_contains "poststart: runc has the container" "$(cat "$OUT/runc-poststart-poststart" 2>/dev/null)" "$id-app"

# poststop: after the app's end, its container gone.
check_eq "poststop: after the app ended" ended "$(cat "$OUT/ended-poststop-poststop" 2>/dev/null)"
check_eq "poststop: no runc container left running" "" "$(cat "$OUT/runc-poststop-poststop" 2>/dev/null)"
pid=$(cat "$OUT/pid-poststart-poststart" 2>/dev/null)
if [ -n "$pid" ]; then
        check_eq "the app's process is gone" "" "$(awk '$3 != "Z" {print $3}' "/proc/$pid/stat" 2>/dev/null)"
fi
check_contains "the pod stopped with status 0" "$(hp status --json "$id" 2>/dev/null)" '"state": "stopped"'
hp delete "$id" >/dev/null 2>&1
check_clean "after deleting the hooked pod" "$cg_before"

# ---- 2. poststop of a detached pod that is stopped ---------------------------------
reset
hook 01-poststart.json poststart '{ "always": true }'
hook 02-poststop.json poststop '{ "commands": ["^/bin/sleep$"] }'
m2=$(manifest sleeper '{"apiVersion":"podrt/v1","kind":"Pod","name":"sleeper",
  "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/sleep","1000"]}]}')
id=$(hp run -d "$m2" 2>"$T/run.err")
check_eq "run -d exits 0 ($(cat "$T/run.err"))" 0 $?
i=0
while [ ! -e "$OUT/state-poststart-poststart" ] && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
done
check_contains "run -d: poststart ran with status running" "$(cat "$OUT/state-poststart-poststart" 2>/dev/null)" \
        '"status":"running"'
check_eq "run -d: poststop has not run while the app runs" "" "$(cat "$OUT/state-poststop-poststop" 2>/dev/null)"
hp stop --timeout 5 "$id" >/dev/null 2>"$T/stop.err"
check_eq "stop exits 0 ($(cat "$T/stop.err"))" 0 $?
i=0
while [ ! -e "$OUT/state-poststop-poststop" ] && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
done
check_eq "stop: poststart then poststop, once each" "poststart poststart|poststop poststop|" "$(calls)"
check_contains "stop: poststop's status" "$(cat "$OUT/state-poststop-poststop" 2>/dev/null)" '"status":"stopped"'
check_eq "stop: poststop ran once the container was gone" "" "$(cat "$OUT/runc-poststop-poststop" 2>/dev/null)"
pid=$(cat "$OUT/pid-poststart-poststart" 2>/dev/null)
check_contains "run -d: poststart's pid is the app's" "$(cat "$OUT/cmdline-poststart-poststart" 2>/dev/null)" "sleep 1000"
hp delete "$id" >/dev/null 2>&1
check_clean "after stop and delete" "$cg_before"

# ---- 3. a failing prestart or createRuntime hook: 125, named, nothing left -----------
for s in prestart createRuntime; do
        reset
        cat >"$HOOKS/10-fail.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/fail.sh" }, "when": { "always": true }, "stages": ["$s"] }
EOF
        hook 20-after.json "$s" '{ "always": true }'
        hook 30-startcontainer.json startContainer '{ "always": true }'
        hp run "$m" >"$T/run.out" 2>"$T/run.err"
        rc=$?
        err=$(cat "$T/run.err")
        check_eq "a failing $s hook: exit 125" 125 $rc
        check_contains "a failing $s hook: the stage and app" "$err" "$s hook of app"
        check_contains "a failing $s hook: the hook and how it failed" "$err" \
                "hook $HOOKS/10-fail.json ($T/fail.sh) failed: exit status 3"
        check_contains "a failing $s hook: its stderr quoted" "$err" "refusing: no GPU here"
        check_eq "a failing $s hook: one message" 1 "$(grep -c '^podrt:' "$T/run.err")"
        check_eq "a failing $s hook: the next hooks did not run" "" "$(calls)"
        check_eq "a failing $s hook: the app never ran" "" "$(cat "$T/run.out")"
        check_not_contains "a failing $s hook: no pod listed" "$(hp list 2>&1)" hooked
        check_clean "a failing $s hook" "$cg_before"
done

# The same with run --rm and a startContainer hook (run by the pod's monitor,
# just before runc starts anything).
reset
cat >"$HOOKS/10-fail.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/fail.sh" }, "when": { "always": true }, "stages": ["startContainer"] }
EOF
hp run --rm "$m" >"$T/run.out" 2>"$T/run.err"
rc=$?
check_eq "a failing startContainer hook: exit 125" 125 $rc
check_contains "a failing startContainer hook: named" "$(cat "$T/run.err")" \
        "startContainer hook of app: hook $HOOKS/10-fail.json ($T/fail.sh) failed: exit status 3"
check_eq "a failing startContainer hook: the app never ran" "" "$(cat "$T/run.out")"
check_clean "a failing startContainer hook" "$cg_before"

# ---- 4. a hook that outlives its timeout is killed in time ----------------------------
reset
cat >"$HOOKS/10-slow.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/slow.sh", "timeout": 1 }, "when": { "always": true }, "stages": ["prestart"] }
EOF
start=$(date +%s)
hp run "$m" >"$T/run.out" 2>"$T/run.err"
rc=$?
elapsed=$(($(date +%s) - start))
check_eq "a timed-out prestart hook: exit 125" 125 $rc
check_contains "a timed-out prestart hook: reported as a timeout" "$(cat "$T/run.err")" \
        "prestart hook of app: hook $HOOKS/10-slow.json ($T/slow.sh) timed out after 1 s"
check_eq "a timed-out prestart hook: killed in time (took ${elapsed}s)" yes "$([ "$elapsed" -le 5 ] && echo yes)"
pid=$(cat "$OUT/slow-pid" 2>/dev/null)
check_eq "the slow hook had started" yes "$([ -n "$pid" ] && echo yes)"
if [ -n "$pid" ]; then
        check_eq "the slow hook's process is gone" "" "$(awk '$3 != "Z" {print $3}' "/proc/$pid/stat" 2>/dev/null)"
fi
check_eq "the slow hook never finished" "" "$(cat "$OUT/slow-finished" 2>/dev/null)"
check_eq "a timed-out prestart hook: the app never ran" "" "$(cat "$T/run.out")"
check_clean "a timed-out prestart hook" "$cg_before"

# ---- 5. failing poststart and poststop hooks are warnings only ------------------------
reset
cat >"$HOOKS/10-fail.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/fail.sh" }, "when": { "always": true }, "stages": ["poststart", "poststop"] }
EOF
hook 20-poststop.json poststop '{ "always": true }' all
hp run --rm "$m" >"$T/run.out" 2>"$T/run.err"
rc=$?
check_eq "failing poststart/poststop hooks: the pod's status (0)" 0 $rc
check_contains "failing poststart/poststop hooks: the app ran" "$(cat "$T/run.out")" "hello from the app"
check_contains "failing poststart/poststop hooks: reported" "$(cat "$T/run.err")" "fail.sh) failed: exit status 3"
check_eq "the other poststop hook ran for each app, after the apps ended" "poststop all|poststop all|" "$(calls)"
check_eq "... and saw the app's end" ended "$(cat "$OUT/ended-poststop-all" 2>/dev/null)"
check_clean "after run --rm with failing post hooks" "$cg_before"

# ---- 6. a broken hook file stops the run, names the file, leaves no pod ---------------
reset
hook 01-good.json prestart '{ "always": true }'
cat >"$HOOKS/02-broken.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/record.sh", "timeout": 0 }, "when": { "always": true }, "stages": ["prestart"] }
EOF
hp run "$m" >"$T/run.out" 2>"$T/run.err"
rc=$?
check_eq "a broken hook file: exit 125" 125 $rc
check_contains "a broken hook file: the file and what is wrong" "$(cat "$T/run.err")" \
        "$HOOKS/02-broken.json: hook.timeout: must be greater than 0, got 0"
check_eq "a broken hook file: no hook ran" "" "$(calls)"
check_eq "a broken hook file: the app never ran" "" "$(cat "$T/run.out")"
check_clean "a broken hook file" "$cg_before"

printf '{ "version": "1.0.0", "hook": ' >"$HOOKS/02-broken.json"
hp run -d "$m" >"$T/run.out" 2>"$T/run.err"
rc=$?
check_eq "invalid JSON: exit 125" 125 $rc
check_contains "invalid JSON: the file is named" "$(cat "$T/run.err")" "$HOOKS/02-broken.json: invalid JSON"
check_clean "invalid JSON in a hook file" "$cg_before"

finish
