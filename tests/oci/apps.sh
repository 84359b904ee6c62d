#!/bin/sh
# Apps added to a running pod on real runc (podrt app): a second app added
# with --start runs in the pod's namespaces (its UTS, network and IPC ones
# are the first app's), sees the pod's hostname and its empty volume; exec
# and logs reach it; app stop stops only it; app rm removes its container
# and files; the same name can be added again; delete leaves nothing.
. "$(dirname "$0")/lib.sh"

cg_before=$(pod_cgroups)
m=$(manifest apps '{"apiVersion":"podrt/v1","kind":"Pod","name":"apps","hostname":"podhost",
  "volumes":[{"name":"scratch","kind":"empty"}],
  "containers":[{"name":"first","rootfs":"rootfs","command":["/bin/sleep","1000"],
                 "mounts":[{"volume":"scratch","path":"/scratch"}]}]}')
id=$(podrt_runc run -d "$m")
check_eq "run -d prints the pod ID" 32 "${#id}"
check_eq "the first app runs" running "$(wait_runc "$id-first" running)"

a=$(manifest second '{"name":"second","rootfs":"rootfs",
  "command":["/bin/sh","-c","hostname > /scratch/host; echo second says hi; exec sleep 1000"],
  "mounts":[{"volume":"scratch","path":"/scratch"}]}')
out=$(podrt_runc app add --start "$id" "$a" 2>&1)
check_eq "app add --start succeeds quietly" "" "$out"
check_eq "the added app's container runs" running "$(wait_runc "$id-second" running)"

host="$ROOT/pods/$id/volumes/scratch/host"
i=0
while [ ! -s "$host" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check_eq "the added app wrote the pod's hostname into the shared volume" podhost "$(cat "$host" 2>/dev/null)"

pid_of() { runc --root "$RUNC_ROOT" state "$1" 2>/dev/null | sed -n 's/.*"pid": \([0-9]*\).*/\1/p'; }
p1=$(pid_of "$id-first")
p2=$(pid_of "$id-second")
for ns in uts net ipc; do
        check_eq "the added app is in the pod's $ns namespace" "$(readlink /proc/$p1/ns/$ns)" "$(readlink /proc/$p2/ns/$ns)"
done
check_contains "its cgroup is below the pod's" "$(cat /proc/$p2/cgroup)" "podrt/$id/second"

check_eq "exec --app reaches the added app" podhost "$(podrt_runc exec --app second "$id" -- cat /scratch/host 2>&1)"
check_eq "logs --app shows its output" "second says hi" "$(podrt_runc logs --app second "$id" 2>&1)"
check_contains "status lists it running" "$(podrt_runc status "$id" 2>&1)" "second  running"

out=$(podrt_runc app stop --timeout 2 "$id" second 2>&1)
check_eq "app stop succeeds" "0 " "$? $out"
st=$(podrt_runc status --json "$id")
check_contains "the stopped app is recorded exited" "$(echo "$st" | tr -d ' \n')" '"name":"second","state":"exited"'
check_contains "the first app still runs" "$(echo "$st" | tr -d ' \n')" '"name":"first","state":"running"'
check_eq "the first app's container still runs" running "$(wait_runc "$id-first" running)"
check_eq "the pod still runs" running "$(podrt_runc status --json "$id" | sed -n 's/^  "state": "\([a-z]*\)".*/\1/p')"

# Started again, signalled through kill --app, stopped again.
out=$(podrt_runc app start "$id" second 2>&1)
check_eq "app start of the stopped app succeeds" "0 " "$? $out"
check_eq "it runs again" running "$(wait_runc "$id-second" running)"
podrt_runc kill --app second --signal KILL "$id"
i=0
while podrt_runc status --json "$id" | tr -d ' \n' | grep -q '"name":"second","state":"running"' && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
done
st=$(podrt_runc status --json "$id" | tr -d ' \n')
check_contains "kill --app KILL ends it with 137" "$st" '"name":"second","state":"exited","pid":'
check_contains "and its exit code is recorded" "$st" '"exitCode":137'
check_eq "the first app's container still runs after kill --app" running "$(wait_runc "$id-first" running)"

out=$(podrt_runc app rm "$id" second 2>&1)
check_eq "app rm succeeds" "0 " "$? $out"
check_eq "no runc container of the removed app" "" "$(runc --root "$RUNC_ROOT" list -q | grep -- "-second" )"
[ -e "$ROOT/pods/$id/apps/second" ] && fail "the removed app's folder is left"
check_not_contains "app list no longer has it" "$(podrt_runc app list "$id")" "second"

rm -f "$host"
out=$(podrt_runc app add --start "$id" "$a" 2>&1)
check_eq "the same name is added again" "" "$out"
check_eq "and runs" running "$(wait_runc "$id-second" running)"
i=0
while [ ! -s "$host" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check_eq "the app added again sees the pod's hostname" podhost "$(cat "$host" 2>/dev/null)"

# Added and never started, then the whole pod stopped and started again:
# every app runs, in one UTS and IPC namespace.
l=$(manifest late '{"name":"late","rootfs":"rootfs","command":["/bin/sleep","1000"]}')
out=$(podrt_runc app add "$id" "$l" 2>&1)
check_eq "app add without --start" "" "$out"
check_contains "the added app is created" "$(podrt_runc app list "$id")" "late    created"
podrt_runc stop --timeout 2 "$id" >/dev/null 2>&1
check_eq "the pod stops" stopped "$(podrt_runc status --json "$id" | sed -n 's/^  "state": "\([a-z]*\)".*/\1/p')"
out=$(podrt_runc start "$id" 2>&1)
check_eq "the pod starts again with its added apps" "0 " "$? $out"
for a in first second late; do
        check_eq "after the restart, $a runs" running "$(wait_runc "$id-$a" running)"
done
p1=$(pid_of "$id-first")
for a in second late; do
        p=$(pid_of "$id-$a")
        for ns in uts ipc net; do
                check_eq "after the restart, $a shares the first app's $ns namespace" \
                        "$(readlink /proc/$p1/ns/$ns)" "$(readlink /proc/$p/ns/$ns)"
        done
done

p2=$(pid_of "$id-second")
podrt_runc delete --force "$id" >/dev/null 2>&1
check_clean "after delete --force" "$cg_before"
[ -n "$p2" ] && [ -d "/proc/$p2" ] && fail "the added app's process is left ($p2)"

# On overlay storage: the added app's root is its own layer over the
# rootfs, prepared at add and released at rm.
if [ -f "$PODRT_BUILD_DIR/plugins/overlay/overlay.so" ] && grep -qw overlay /proc/filesystems; then
        printf 'storage = "overlay";\noci = { runtime = "runc"; };\nplugin_path = [ "%s/plugins/overlay" ];\n' \
                "$PODRT_BUILD_DIR" >"$T/overlay.conf"
        po() { "$PODRT_BIN" --config "$T/overlay.conf" --root "$ROOT" --backend oci "$@"; }
        id=$(po run -d "$m")
        check_eq "an overlay pod runs" running "$(wait_runc "$id-first" running)"
        w=$(manifest writer '{"name":"writer","rootfs":"rootfs","command":["/bin/sh","-c","echo mine > /written-by-writer; exec sleep 1000"]}')
        out=$(po app add --start "$id" "$w" 2>&1)
        check_eq "app add --start on overlay" "" "$out"
        check_eq "the overlay app runs" running "$(wait_runc "$id-writer" running)"
        root=$(po status --json "$id" | tr -d ' \n' | sed -n 's/.*"name":"writer"[^}]*"rootfs":"\([^"]*\)".*/\1/p')
        check_contains "its root is its own overlay in the pod's folder" "$root" "$ROOT/pods/$id/apps/writer/"
        i=0
        while [ ! -s "$root/written-by-writer" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
        check_eq "it writes into its own layer" mine "$(cat "$root/written-by-writer" 2>/dev/null)"
        [ -e "$T/rootfs/written-by-writer" ] && fail "the overlay app wrote into the shared rootfs"
        check_contains "its overlay is mounted" "$(cat /proc/self/mountinfo)" " $root "
        po app stop --timeout 2 "$id" writer >/dev/null 2>&1
        out=$(po app rm "$id" writer 2>&1)
        check_eq "app rm on overlay" "0 " "$? $out"
        check_not_contains "its overlay is unmounted at rm" "$(cat /proc/self/mountinfo)" " $root "
        check_eq "the first app runs on" running "$(wait_runc "$id-first" running)"
        po delete --force "$id" >/dev/null 2>&1
        check_clean "after delete --force of the overlay pod" "$cg_before"
fi
finish
