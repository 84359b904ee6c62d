#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The hooks plugin on real pods: the podrt CLI, the mock backend and the
# built hooks.so, with hook scripts that record what they receive.
#
# Needs PODRT_BUILD_DIR (set by meson's test environment).
set -u

B=${PODRT_BUILD_DIR:?PODRT_BUILD_DIR is not set}
PODRT=$B/core/cli/podrt
export PODRT_PLUGIN_PATH="$B/plugins/hooks:$B/tests/mock${PODRT_PLUGIN_PATH:+:$PODRT_PLUGIN_PATH}"
unset PODRT_CONFIG

T=$(mktemp -d /tmp/podrt-hooks-it-XXXXXX) || exit 1
cleanup() {
	for p in $("$PODRT" --root "$T/root" --backend mock list --json 2>/dev/null | grep -o '[0-9a-f]\{32\}' | sort -u); do
		"$PODRT" --root "$T/root" --backend mock delete --force "$p" > /dev/null 2>&1
	done
	rm -rf "$T"
}
trap cleanup EXIT
failures=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
ok() {
	checks=$((checks + 1))
}
check() { # check DESCRIPTION COMMAND...
	what=$1
	shift
	if "$@"; then ok; else fail "$what"; fi
}
contains() { # contains FILE TEXT
	grep -qF -- "$2" "$1"
}

mkdir -p "$T/rootfs" "$T/hooks" "$T/root" "$T/out"

# The hook: records its stage in calls, the state it read in state-<stage>.
cat > "$T/record.sh" <<EOF
#!/bin/sh
stage=\$1
echo "\$stage" >> "$T/out/calls"
cat > "$T/out/state-\$stage"
env > "$T/out/env-\$stage"
EOF
chmod 755 "$T/record.sh"

cat > "$T/never.sh" <<EOF
#!/bin/sh
echo ran > "$T/out/never-ran"
EOF
chmod 755 "$T/never.sh"

cat > "$T/fail.sh" <<'EOF'
#!/bin/sh
cat > /dev/null
echo "fail.sh: refusing: no GPU here" >&2
exit 3
EOF
chmod 755 "$T/fail.sh"

cat > "$T/slow.sh" <<EOF
#!/bin/sh
echo \$\$ > "$T/out/slow-pid"
sleep 30
echo finished > "$T/out/slow-finished"
EOF
chmod 755 "$T/slow.sh"

stage_hook() { # stage_hook FILE STAGE WHEN
	cat > "$1" <<EOF
{
  "version": "1.0.0",
  "hook": { "path": "$T/record.sh", "args": ["record.sh", "$2"], "env": ["HOOK_STAGE=$2"], "timeout": 10 },
  "when": $3,
  "stages": ["$2"]
}
EOF
}

cat > "$T/pod.json" <<EOF
{
  "apiVersion": "podrt/v1",
  "kind": "Pod",
  "name": "hooked",
  "annotations": { "org.example.team": "infra" },
  "containers": [
    { "name": "app", "rootfs": "rootfs",
      "command": ["/bin/sh", "-c", "echo app-ran >> $T/out/app-ran; echo hello from the app"] }
  ]
}
EOF

conf() { # conf FILE DIR...
	f=$1
	shift
	list=""
	for d in "$@"; do list="$list${list:+, }\"$d\""; done
	echo "hooks = { dirs = [ $list ]; };" > "$f"
}

podrt() {
	"$PODRT" --config "$T/podrt.conf" --root "$T/root" --backend mock "$@"
}

remove_pods() {
	for p in $(podrt list --json 2>/dev/null | grep -o '[0-9a-f]\{32\}' | sort -u); do
		podrt delete --force "$p" > /dev/null 2>&1
	done
}

no_pods_left() {
	[ -z "$(ls -A "$T/root/pods" 2>/dev/null)" ] && ! podrt list 2>/dev/null | grep -q hooked
}

# ---- 1. matched hooks run once at their stage, with the state ------------------
STAGES="prestart createRuntime createContainer startContainer poststart poststop"
i=1
for s in $STAGES; do
	stage_hook "$T/hooks/0$i-$s.json" "$s" '{ "annotations": { "^org\\.example\\.team$": "^infra$" }, "commands": ["^/bin/sh$"] }'
	i=$((i + 1))
done
# Not matching: another annotation value; another command; bind mounts.
cat > "$T/hooks/50-other-team.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/never.sh" },
  "when": { "annotations": { "org.example.team": "^ops$" } }, "stages": ["prestart", "poststop"] }
EOF
cat > "$T/hooks/51-nginx.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/never.sh" },
  "when": { "always": true, "commands": ["nginx"] }, "stages": ["prestart"] }
EOF
cat > "$T/hooks/52-mounts.json" <<EOF
{ "hook": "$T/never.sh", "hasbindmounts": true, "stages": ["prestart"] }
EOF
conf "$T/podrt.conf" "$T/hooks"

export PODRT_TEST_LEAK=leaked
podrt run "$T/pod.json" > "$T/run.out" 2> "$T/run.err"
rc=$?
unset PODRT_TEST_LEAK
check "run with matching hooks exits 0 (got $rc: $(cat "$T/run.err"))" [ "$rc" -eq 0 ]
check "the app ran" contains "$T/run.out" "hello from the app"
expected_calls=$(printf "%s\n" $STAGES)
check "each stage ran once, in order (got: $(tr '\n' ' ' < "$T/out/calls" 2>/dev/null))" \
	[ "$(cat "$T/out/calls" 2>/dev/null)" = "$expected_calls" ]
check "unmatched hooks never ran" [ ! -e "$T/out/never-ran" ]

id=$(podrt list --json 2>/dev/null | grep -o '"id": *"[0-9a-f]\{32\}"' | head -n1 | grep -o '[0-9a-f]\{32\}')
check "the pod is listed after a foreground run" [ -n "$id" ]
for s in $STAGES; do
	f="$T/out/state-$s"
	case $s in
	poststart) status=running ;;
	poststop) status=stopped ;;
	*) status=created ;;
	esac
	check "$s: state has ociVersion" contains "$f" '"ociVersion":"1.0.2"'
	check "$s: state has status $status ($(cat "$f" 2>/dev/null))" contains "$f" "\"status\":\"$status\""
	check "$s: state has the app's id" contains "$f" "\"id\":\"$id-app\""
	check "$s: state has the bundle" contains "$f" "\"bundle\":\"$T/root/pods/$id/apps/app\""
	check "$s: state has the annotations" contains "$f" '"annotations":{"org.example.team":"infra"}'
	check "$s: hook env is its own" contains "$T/out/env-$s" "HOOK_STAGE=$s"
	check "$s: podrt's env does not leak into the hook" sh -c "! grep -q PODRT_TEST_LEAK '$T/out/env-$s'"
done
check "poststart state has a pid" contains "$T/out/state-poststart" '"pid":'
remove_pods

# ---- 2. podrt hooks: what would run, and why not --------------------------------
podrt hooks --json "$T/pod.json" > "$T/hooks.json" 2> "$T/hooks.err"
rc=$?
check "podrt hooks --json exits 0 ($(cat "$T/hooks.err"))" [ "$rc" -eq 0 ]
check "podrt hooks lists a matched file" contains "$T/hooks.json" "$T/hooks/01-prestart.json"
check "podrt hooks says why a file did not match" contains "$T/hooks.json" "annotations did not match"
check "podrt hooks says why the nginx hook did not match" contains "$T/hooks.json" "commands did not match"
check "podrt hooks creates no pod" no_pods_left

# ---- 3. a failing prestart hook: no running pod, a clear message, 125 ------------
rm -rf "$T/hooks" "$T/out"
mkdir -p "$T/hooks" "$T/out"
cat > "$T/hooks/10-fail.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/fail.sh" }, "when": { "always": true }, "stages": ["prestart"] }
EOF
stage_hook "$T/hooks/20-poststop.json" poststop '{ "always": true }'
podrt run "$T/pod.json" > "$T/run.out" 2> "$T/run.err"
rc=$?
check "a failing prestart hook: exit 125 (got $rc)" [ "$rc" -eq 125 ]
check "the message names the hook and the failure ($(cat "$T/run.err"))" \
	contains "$T/run.err" "hook $T/hooks/10-fail.json ($T/fail.sh) failed: exit status 3"
check "the message quotes the hook's stderr" contains "$T/run.err" "refusing: no GPU here"
check "the app never started" [ ! -e "$T/out/app-ran" ]
check "no pod is running" sh -c "! '$PODRT' --config '$T/podrt.conf' --root '$T/root' list 2>/dev/null | grep -q running"
remove_pods

# ---- 4. a hook that outlives its timeout is killed in time ------------------------
rm -rf "$T/hooks" "$T/out"
mkdir -p "$T/hooks" "$T/out"
cat > "$T/hooks/10-slow.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/slow.sh", "timeout": 1 }, "when": { "always": true }, "stages": ["prestart"] }
EOF
start=$(date +%s)
podrt run "$T/pod.json" > "$T/run.out" 2> "$T/run.err"
rc=$?
elapsed=$(($(date +%s) - start))
check "a timed-out prestart hook: exit 125 (got $rc)" [ "$rc" -eq 125 ]
check "it is reported as a timeout ($(cat "$T/run.err"))" \
	contains "$T/run.err" "hook $T/hooks/10-slow.json ($T/slow.sh) timed out after 1 s"
check "killed in time (took ${elapsed}s)" [ "$elapsed" -le 5 ]
pid=$(cat "$T/out/slow-pid" 2>/dev/null)
check "the hook had started" [ -n "$pid" ]
if [ -n "$pid" ]; then
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
	check "the hook's process is gone (state '$state')" [ -z "$state" -o "$state" = Z ]
fi
check "the app never started" [ ! -e "$T/out/app-ran" ]
remove_pods

# ---- 5. a failing poststop hook is a warning only ---------------------------------
rm -rf "$T/hooks" "$T/out"
mkdir -p "$T/hooks" "$T/out"
cat > "$T/hooks/10-fail.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/fail.sh" }, "when": { "always": true }, "stages": ["poststart", "poststop"] }
EOF
stage_hook "$T/hooks/20-poststop.json" poststop '{ "always": true }'
podrt run --rm "$T/pod.json" > "$T/run.out" 2> "$T/run.err"
rc=$?
check "failing poststart/poststop hooks do not change the result (got $rc: $(cat "$T/run.err"))" [ "$rc" -eq 0 ]
check "the app ran" contains "$T/run.out" "hello from the app"
check "the failure is reported" contains "$T/run.err" "fail.sh) failed: exit status 3"
check "the other poststop hook still ran" contains "$T/out/calls" poststop

# ---- 6. a broken hook file stops the run, names the file, leaves no pod -----------
remove_pods
rm -rf "$T/hooks" "$T/out"
mkdir -p "$T/hooks" "$T/out" "$T/root"
stage_hook "$T/hooks/01-good.json" prestart '{ "always": true }'
cat > "$T/hooks/02-broken.json" <<EOF
{ "version": "1.0.0", "hook": { "path": "$T/record.sh", "timeout": 0 }, "when": { "always": true }, "stages": ["prestart"] }
EOF
podrt run "$T/pod.json" > "$T/run.out" 2> "$T/run.err"
rc=$?
check "a broken hook file: exit 125 (got $rc)" [ "$rc" -eq 125 ]
check "the message names the file and what is wrong ($(cat "$T/run.err"))" \
	contains "$T/run.err" "$T/hooks/02-broken.json: hook.timeout: must be greater than 0, got 0"
check "no hook ran" [ ! -e "$T/out/calls" ]
check "the app never started" [ ! -e "$T/out/app-ran" ]
check "no pod is left" no_pods_left

printf '{ "version": "1.0.0", "hook": ' > "$T/hooks/02-broken.json"
podrt run "$T/pod.json" > "$T/run.out" 2> "$T/run.err"
rc=$?
check "invalid JSON: exit 125 (got $rc)" [ "$rc" -eq 125 ]
check "invalid JSON: the file is named ($(cat "$T/run.err"))" contains "$T/run.err" "$T/hooks/02-broken.json: invalid JSON"
check "invalid JSON: no pod is left" no_pods_left

# ---- 7. a configured directory that does not exist is an error --------------------
rm -f "$T/hooks/02-broken.json"
conf "$T/podrt.conf" "$T/hooks" "$T/no-such-dir"
podrt run "$T/pod.json" > "$T/run.out" 2> "$T/run.err"
rc=$?
check "a missing configured hooks dir: exit 125 (got $rc)" [ "$rc" -eq 125 ]
check "it is named ($(cat "$T/run.err"))" contains "$T/run.err" "$T/no-such-dir: No such file or directory"
check "no pod is left" no_pods_left

echo "$checks checks passed, $failures failed"
[ "$failures" -eq 0 ]
