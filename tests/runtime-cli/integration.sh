#!/bin/bash
# podrt-runtime with its real clients: podman 4.3 (through conmon) and
# containerd 1.6 (ctr, through the runc v2 shim), on the nspawn backend and,
# where the guest kernel is there, kvm (TCG); and a bundle's own hooks run
# by podrt-runtime itself.  Everything lives in a temporary folder and is
# gone at the end: podman's storage, containerd's root/state/socket, the
# pods, the containers' records.
set -uo pipefail
B=$(cd "${PODRT_BUILD_DIR:?}" && pwd)
S=$(cd "${PODRT_SOURCE_DIR:?}" && pwd)
R=$B/core/oci-cli/podrt-runtime
[ "$(id -u)" = 0 ] || { echo "runtime-cli: needs root, skipped"; exit 77; }
[ -x "$R" ] || { echo "runtime-cli: no $R"; exit 1; }

T=$(mktemp -d /tmp/podrt-runtime-test.XXXXXX)
fail=0
NS=podrt-rt-$$   # a network namespace of the test's
bad() { echo "runtime-cli: FAIL: $*" >&2; fail=1; }
ok() { echo "runtime-cli: ok: $*"; }

ROOTFS=$B/rootfs
if [ ! -x "$ROOTFS/bin/busybox" ]; then
        ROOTFS=$T/rootfs
        "$S/scripts/mkrootfs.sh" "$ROOTFS" >/dev/null || { echo "runtime-cli: mkrootfs failed"; exit 1; }
fi

PLUGINS="\"$B/plugins/nspawn\", \"$B/plugins/oci\", \"$B/plugins/kvm\", \"$B/plugins/qemu\", \"$B/plugins/hooks\""
cat > "$T/podrt.conf" <<EOF
plugin_path = [ $PLUGINS ];
state_dir = "$T/podrt";
EOF
cat > "$T/kvm.conf" <<EOF
plugin_path = [ $PLUGINS ];
state_dir = "$T/podrt";
kvm = { accel = "tcg"; };
EOF
export PODRT_LIBEXEC_DIR=${PODRT_LIBEXEC_DIR:-$B/core/init}
unset PODRT_PLUGIN_PATH

# /run/podrt-runtime holds the records of containers made without --root
# (podman's): made by this test when it was not there.
had_records_dir=0
[ -d /run/podrt-runtime ] && had_records_dir=1
had_containerd_run=0
[ -d /run/containerd ] && had_containerd_run=1

cleanup() {
        if [ -n "${PODMAN:-}" ]; then
                $PODMAN rm -af -t 0 >/dev/null 2>&1
        fi
        if [ -f "$T/containerd.pid" ]; then
                for c in t1 t2 t3 web-oci sb-oci web-nspawn sb-nspawn web-kvm sb-kvm job-oci job-nspawn job-kvm; do
                        timeout 10 ctr --address "$T/containerd.sock" task kill -s KILL $c >/dev/null 2>&1
                        timeout 10 ctr --address "$T/containerd.sock" task rm -f $c >/dev/null 2>&1
                        timeout 10 ctr --address "$T/containerd.sock" container rm $c >/dev/null 2>&1
                done
                kill "$(cat "$T/containerd.pid")" 2>/dev/null
                sleep 1
        fi
        for p in $(ls "$T/podrt/pods" 2>/dev/null); do
                "$B/core/cli/podrt" --config "$T/podrt.conf" delete --force "$p" >/dev/null 2>&1
        done
        # Mounts podman or containerd left below the folder.
        awk -v t="$T" 'index($2, t) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
                umount -l "$m" 2>/dev/null
        done
        ip netns del "$NS" 2>/dev/null
        rm -rf "$T"
        [ "$had_records_dir" = 1 ] || rmdir /run/podrt-runtime 2>/dev/null
        if [ "$had_containerd_run" = 0 ]; then
                rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
        fi
}
trap cleanup EXIT

# ---- hooks of the bundle, with the state on stdin ---------------------------
mkdir -p "$T/bundle"
cat > "$T/hook.sh" <<EOF
#!/bin/sh
cat >> "$T/hook-\$1.log"; echo >> "$T/hook-\$1.log"
EOF
chmod +x "$T/hook.sh"
cat > "$T/bundle/config.json" <<EOF
{ "ociVersion": "1.0.2",
  "process": { "args": ["/bin/sh", "-c", "echo from-bundle; exit 7"], "env": ["PATH=/bin:/usr/bin"], "cwd": "/" },
  "root": { "path": "$ROOTFS" },
  "hostname": "hooked",
  "annotations": { "org.example.k": "v" },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] },
  "hooks": { "prestart": [ { "path": "$T/hook.sh", "args": ["hook.sh", "prestart"] } ],
             "poststop": [ { "path": "$T/hook.sh", "args": ["hook.sh", "poststop"] } ] } }
EOF
RR="$R --root $T/rr --backend nspawn --config $T/podrt.conf"
if $RR create --bundle "$T/bundle" --pid-file "$T/h.pid" hooked > "$T/h.out" 2>"$T/h.err"; then
        st=$($RR state hooked)
        echo "$st" | grep -q '"status":"created"' || bad "state after create: $st"
        # conmon's environment for state: XDG_RUNTIME_DIR and nothing else.
        st=$(env -i XDG_RUNTIME_DIR=/run $RR state hooked)
        echo "$st" | grep -q '"status":"created"' && ok "state with an empty environment" || bad "state, empty environment: $st"
        $RR start hooked || bad "start hooked"
        for _ in $(seq 100); do
                $RR state hooked | grep -q '"status":"stopped"' && break
                sleep 0.1
        done
        $RR state hooked | grep -q '"status":"stopped"' || bad "hooked did not stop"
        $RR delete hooked || bad "delete hooked"
        n_pre=$(grep -c '"id":"hooked"' "$T/hook-prestart.log" 2>/dev/null || echo 0)
        n_post=$(grep -c '"id":"hooked"' "$T/hook-poststop.log" 2>/dev/null || echo 0)
        [ "$n_pre" = 1 ] && [ "$n_post" = 1 ] && ok "prestart and poststop hooks ran once each with the state" ||
                bad "hooks: prestart $n_pre times, poststop $n_post times"
        grep -q '"org.example.k":"v"' "$T/hook-prestart.log" || bad "the hook's state has no annotations"
        out=$($RR state hooked 2>&1)
        case $out in *"does not exist"*) ;; *) bad "state of a deleted container: $out" ;; esac
        out=$($RR kill nosuch 2>&1)
        [ "$out" = 'container "nosuch" does not exist' ] || bad "kill of an unknown container: $out"
else
        bad "create hooked: $(cat "$T/h.err")"
fi

# ---- the small commands, the json log -------------------------------------------
$R --version | grep -q '^podrt-runtime version' && $R -v | grep -q '^spec: ' && ok "--version, -v" || bad "--version"
$R features | python3 -c 'import json,sys; f=json.load(sys.stdin); assert "poststop" in f["hooks"]' && ok "features" || bad "features"
$R --root "$T/rr" checkpoint x >/dev/null 2>&1 && bad "checkpoint succeeded" || ok "checkpoint exits non-zero"
$R --root "$T/rr" --log "$T/log.json" --log-format=json state nosuch >/dev/null 2>&1
python3 - "$T/log.json" <<'EOF' && ok "--log-format json: level, msg, time" || bad "json log: $(cat "$T/log.json")"
import json, re, sys
o = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert o["level"] == "error" and o["msg"] == 'container "nosuch" does not exist', o
assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", o["time"]), o
EOF

# ---- a network namespace given by path is joined -----------------------------
if ip netns add "$NS" 2>/dev/null; then
        if ip netns exec "$NS" ip link add rtv0 type veth peer name rtv1 2>/dev/null; then
                mkdir -p "$T/nsbundle"
                cat > "$T/nsbundle/config.json" <<EOF
{ "ociVersion": "1.0.2", "process": { "args": ["/bin/sh", "-c", "cat /proc/net/dev"], "cwd": "/" }, "root": { "path": "$ROOTFS" },
  "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" },
              { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"] } ],
  "linux": { "namespaces": [ {"type":"pid"}, {"type":"mount"}, {"type":"network","path":"/run/netns/$NS"} ] } }
EOF
                for backend in nspawn oci; do
                        RN="$R --root $T/rn --backend $backend --config $T/podrt.conf"
                        if $RN create --bundle "$T/nsbundle" ns-$backend > "$T/ns-$backend.out" 2>"$T/err" &&
                           $RN start ns-$backend; then
                                for _ in $(seq 100); do
                                        $RN state ns-$backend | grep -q '"status":"stopped"' && break
                                        sleep 0.1
                                done
                                $RN delete -f ns-$backend
                                grep -q rtv0 "$T/ns-$backend.out" && ok "$backend: joins the network namespace of linux.namespaces[].path" ||
                                        bad "$backend: not in the given network namespace: $(cat "$T/ns-$backend.out")"
                        else
                                bad "$backend: create/start in a given network namespace: $(cat "$T/err")"
                        fi
                done
        fi
        ip netns del "$NS"
fi

# ---- podman ------------------------------------------------------------------
if command -v podman >/dev/null; then
        cat > "$T/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
        export CONTAINERS_CONF=$T/containers.conf
        PODMAN="podman --root $T/storage --runroot $T/run --tmpdir $T/tmp"
        for backend in nspawn kvm oci; do
                conf=$T/podrt.conf
                if [ "$backend" = kvm ]; then
                        conf=$T/kvm.conf
                        if [ ! -e /var/lib/podrt/kernel/vmlinuz ] || ! command -v qemu-system-x86_64 >/dev/null; then
                                bad "podman kvm: no guest kernel or QEMU (scripts/fetch-kernel.sh, deps.sh)"
                                continue
                        fi
                fi
                P="$PODMAN --runtime $R --runtime-flag backend=$backend --runtime-flag config=$conf"
                # No network: podman's default would make a bridge on the host.
                out=$(timeout 120 $P run --rm --network none --rootfs "$ROOTFS" /bin/sh -c 'echo hi; exit 3' 2>"$T/err")
                rc=$?
                [ "$out" = hi ] && [ $rc = 3 ] && ok "podman $backend: run prints hi, exits 3" ||
                        bad "podman $backend run: '$out' rc=$rc $(cat "$T/err")"
                if [ "$backend" = oci ]; then
                        # The client's config.json reaches runc as it is: podman's
                        # seccomp profile is applied.
                        out=$(timeout 120 $P run --rm --network none --rootfs "$ROOTFS" /bin/sh -c 'grep "^Seccomp:" /proc/self/status' 2>"$T/err")
                        [ "$(echo $out)" = "Seccomp: 2" ] && ok "podman oci: the bundle goes to runc unchanged (podman's seccomp filter applies)" ||
                                bad "podman oci: seccomp: '$out' $(cat "$T/err")"
                fi
                timeout 120 $P run --rm --network none --rootfs "$ROOTFS" /no/such/command >/dev/null 2>&1
                rc=$?
                [ $rc = 127 ] && ok "podman $backend: a missing command exits 127" || bad "podman $backend: missing command rc=$rc"
                # -t: on nspawn and oci the workload's stdio are the terminal
                # (runc runs detached, with the terminal as its stdio); on kvm
                # its output is relayed from the VM onto it.
                tty_test='echo tty; exit 2'
                [ "$backend" = kvm ] || tty_test='test -t 0 && test -t 1 && echo tty; exit 2'
                out=$(timeout 120 $P run --rm -t --network none --rootfs "$ROOTFS" /bin/sh -c "$tty_test" </dev/null 2>"$T/err")
                rc=$?
                [ "$(echo "$out" | tr -d '\r')" = tty ] && [ $rc = 2 ] && ok "podman $backend: run -t" ||
                        bad "podman $backend run -t: '$out' rc=$rc $(cat "$T/err")"
                # -i: the workload reads podman's stdin (not on kvm yet).
                if [ "$backend" != kvm ]; then
                        out=$(printf 'line1\nline2\n' | timeout 120 $P run --rm -i --network none --rootfs "$ROOTFS" /bin/sh -c 'wc -l; exit 6' 2>"$T/err")
                        rc=$?
                        [ "$(echo $out)" = 2 ] && [ $rc = 6 ] && ok "podman $backend: run -i reads stdin" ||
                                bad "podman $backend run -i: '$out' rc=$rc $(cat "$T/err")"
                fi
                id=$(timeout 120 $P run -d --network none --rootfs "$ROOTFS" /bin/sh -c 'while :; do sleep 1; done' 2>"$T/err")
                if [ -n "$id" ]; then
                        st=$($P ps --format '{{.Status}}' --filter id="$id")
                        case $st in Up*) ok "podman $backend: run -d, ps: $st" ;; *) bad "podman $backend ps: $st" ;; esac
                        out=$(timeout 60 $P exec "$id" /bin/sh -c 'echo in-exec; exit 5' 2>"$T/err")
                        rc=$?
                        if [ "$out" = in-exec ] && [ $rc = 5 ]; then
                                ok "podman $backend: exec exit code"
                        else
                                bad "podman $backend exec: '$out' rc=$rc $(cat "$T/err")"
                        fi
                        out=$(timeout 60 $P exec -e FOO=bar -w /tmp -u 1000:1001 "$id" /bin/sh -c 'echo $FOO $(pwd) $(id -u) $(id -g)' 2>"$T/err")
                        [ "$out" = "bar /tmp 1000 1001" ] && ok "podman $backend: exec -e -w -u (process env, cwd, user)" ||
                                bad "podman $backend exec -e -w -u: '$out' $(cat "$T/err")"
                        timeout 60 $P stop -t 2 "$id" >/dev/null || bad "podman $backend stop"
                        st=$($P ps -a --format '{{.Status}}' --filter id="$id")
                        case $st in Exited*) ok "podman $backend: stop: $st" ;; *) bad "podman $backend after stop: $st" ;; esac
                        timeout 60 $P rm "$id" >/dev/null || bad "podman $backend rm"
                else
                        bad "podman $backend run -d: $(cat "$T/err")"
                fi
                id=$(timeout 120 $P run -d --network none --rootfs "$ROOTFS" /bin/sleep 1000 2>"$T/err")
                if [ -n "$id" ]; then
                        timeout 60 $P kill -s KILL "$id" >/dev/null || bad "podman $backend kill"
                        code=$(timeout 60 $P wait "$id")
                        [ "$code" = 137 ] && ok "podman $backend: kill -s KILL, wait says 137" || bad "podman $backend wait after kill: $code"
                        timeout 60 $P rm "$id" >/dev/null || bad "podman $backend rm after kill"
                else
                        bad "podman $backend run -d sleep: $(cat "$T/err")"
                fi
                # update: a memory limit set on the running container holds
                # for what runs in it afterwards.
                id=$(timeout 120 $P run -d --network none --rootfs "$ROOTFS" /bin/sleep 1000 2>"$T/err")
                if [ -n "$id" ]; then
                        hog='x=$(head -c 12000000 /dev/zero | tr "\0" a); echo ${#x}'
                        out=$(timeout 60 $P exec "$id" /bin/sh -c "$hog" 2>/dev/null)
                        [ "$out" = 12000000 ] || bad "podman $backend: 12 MB before update: '$out'"
                        timeout 60 $P update -m 8m "$id" >/dev/null 2>"$T/err" || bad "podman $backend update -m: $(cat "$T/err")"
                        timeout 60 $P exec "$id" /bin/sh -c "$hog" >/dev/null 2>&1
                        rc=$?
                        # In the VM the app's cgroup is killed whole (memory.oom.group,
                        # as Kubernetes does), the exec with it: the VM may end first.
                        [ "$backend" = kvm ] && [ $rc != 137 ] && [ "$(timeout 60 $P wait "$id")" = 137 ] && rc=137
                        [ $rc = 137 ] && ok "podman $backend: update -m 8m: a 12 MB exec is killed (137)" ||
                                bad "podman $backend: after update -m 8m the 12 MB exec exited $rc"
                        timeout 60 $P rm -f -t 0 "$id" >/dev/null || bad "podman $backend rm -f after update"
                else
                        bad "podman $backend run -d for update: $(cat "$T/err")"
                fi
                left=$($P ps -aq)
                [ -z "$left" ] || bad "podman $backend: containers left: $left"
        done
        left=$(ls "$T/podrt/pods" 2>/dev/null)
        [ -z "$left" ] && ok "podman: no pod left" || bad "podman: pods left: $left"
        $PODMAN rm -af >/dev/null 2>&1
        unset CONTAINERS_CONF
else
        bad "podman is not installed (scripts/deps.sh installs it): nothing drove podrt-runtime"
fi

# ---- containerd ----------------------------------------------------------------
if command -v containerd >/dev/null && command -v ctr >/dev/null; then
        cat > "$T/containerd.toml" <<EOF
version = 2
root = "$T/containerd/root"
state = "$T/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$T/containerd.sock"
[ttrpc]
  address = "$T/containerd.sock.ttrpc"
[debug]
  address = "$T/containerd-debug.sock"
[metrics]
  address = ""
EOF
        cat > "$T/wrapper" <<EOF
#!/bin/sh
exec $R --backend nspawn --config $T/podrt.conf "\$@"
EOF
        cat > "$T/wrapper-kvm" <<EOF
#!/bin/sh
exec $R --backend kvm --config $T/kvm.conf "\$@"
EOF
        chmod +x "$T/wrapper" "$T/wrapper-kvm"
        containerd --config "$T/containerd.toml" > "$T/containerd.log" 2>&1 &
        echo $! > "$T/containerd.pid"
        for _ in $(seq 100); do [ -S "$T/containerd.sock" ] && break; sleep 0.1; done
        CTR="ctr --address $T/containerd.sock"
        RUNC="--runc-binary $T/wrapper --runc-root $T/runc-root"
        out=$(timeout 120 $CTR run --rm $RUNC --rootfs "$ROOTFS" t1 sh -c 'echo hello; exit 4' 2>"$T/err")
        rc=$?
        [ "$out" = hello ] && [ $rc = 4 ] && ok "ctr run: hello, exit 4" || bad "ctr run: '$out' rc=$rc $(cat "$T/err")"
        if [ -e /var/lib/podrt/kernel/vmlinuz ] && command -v qemu-system-x86_64 >/dev/null; then
                out=$(timeout 120 $CTR run --rm --runc-binary "$T/wrapper-kvm" --runc-root "$T/runc-root" \
                        --rootfs "$ROOTFS" t3 sh -c 'echo hello-vm; exit 4' 2>"$T/err")
                rc=$?
                [ "$out" = hello-vm ] && [ $rc = 4 ] && ok "ctr run on kvm: hello-vm, exit 4" ||
                        bad "ctr run on kvm: '$out' rc=$rc $(cat "$T/err")"
        fi
        if timeout 120 $CTR run -d $RUNC --rootfs "$ROOTFS" t2 sh -c 'while :; do sleep 1; done' 2>"$T/err"; then
                out=$(timeout 60 $CTR task exec --exec-id e1 t2 sh -c 'echo in-exec; exit 6')
                rc=$?
                [ "$out" = in-exec ] && [ $rc = 6 ] && ok "ctr task exec: exit 6" || bad "ctr task exec: '$out' rc=$rc"
                timeout 30 $CTR task kill -s KILL t2 || bad "ctr task kill"
                for _ in $(seq 50); do $CTR task ls | grep -q 't2.*STOPPED' && break; sleep 0.1; done
                $CTR task ls | grep -q 't2.*STOPPED' && ok "ctr task kill: stopped" || bad "ctr task kill: $($CTR task ls)"
                timeout 30 $CTR task rm t2 >/dev/null || bad "ctr task rm"
                timeout 30 $CTR container rm t2 || bad "ctr container rm"
        else
                bad "ctr run -d: $(cat "$T/err")"
        fi
        # CRI sandboxes: a sandbox and a container annotated with its id are
        # one pod with two apps (on kvm: one VM).
        cat > "$T/wrapper-oci" <<EOF
#!/bin/sh
exec $R --backend oci --config $T/podrt.conf "\$@"
EOF
        chmod +x "$T/wrapper-oci"
        cat > "$T/cri.conf" <<EOF
plugin_path = [ $PLUGINS ];
state_dir = "$T/runc-root/default";
EOF
        SB="--annotation io.kubernetes.cri.container-type=sandbox"
        CT="--annotation io.kubernetes.cri.container-type=container --annotation io.kubernetes.cri.sandbox-id"
        for backend in oci nspawn kvm; do
                W=$T/wrapper-$backend
                [ "$backend" = nspawn ] && W=$T/wrapper
                if [ "$backend" = kvm ] && [ ! -e /var/lib/podrt/kernel/vmlinuz ]; then
                        bad "CRI on kvm: no guest kernel"
                        continue
                fi
                CR="--runc-binary $W --runc-root $T/runc-root"
                if ! timeout 120 $CTR run -d $CR $SB --rootfs "$ROOTFS" sb-$backend /bin/sleep 1000 2>"$T/err"; then
                        bad "CRI $backend: the sandbox: $(cat "$T/err")"
                        continue
                fi
                timeout 120 $CTR run -d $CR $CT=sb-$backend --annotation io.kubernetes.cri.container-name=web \
                        --rootfs "$ROOTFS" web-$backend /bin/sleep 1000 2>"$T/err" || bad "CRI $backend: the container: $(cat "$T/err")"
                out=$(timeout 120 $CTR run --rm $CR $CT=sb-$backend --rootfs "$ROOTFS" job-$backend /bin/sh -c 'echo from-job; hostname; exit 4' 2>"$T/err")
                rc=$?
                [ "$(echo $out)" = "from-job sb-$backend" ] && [ $rc = 4 ] && ok "CRI $backend: a container of the sandbox prints, has its hostname, exits 4" ||
                        bad "CRI $backend: the job: '$out' rc=$rc $(cat "$T/err")"
                apps=$("$B/core/cli/podrt" --config "$T/cri.conf" list --json | python3 -c '
import json, sys
pods = json.load(sys.stdin)
print(len(pods), " ".join(sorted(a["name"] + ":" + a["state"] for a in pods[0]["apps"] if a["state"] == "running")) if pods else 0)')
                [ "$apps" = "1 app:running web:running" ] && ok "CRI $backend: a sandbox and its container are one pod with two apps" ||
                        bad "CRI $backend: pods and running apps: $apps"
                out=$(timeout 60 $CTR task exec --exec-id e1 web-$backend /bin/sh -c 'echo in-web; exit 6')
                rc=$?
                [ "$out" = in-web ] && [ $rc = 6 ] && ok "CRI $backend: task exec into the container" || bad "CRI $backend: exec: '$out' rc=$rc"
                if [ "$backend" = kvm ]; then
                        pod=$("$B/core/cli/podrt" --config "$T/cri.conf" list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
                        n=$(pgrep -fc "qemu-system.*$pod")
                        [ "$n" = 1 ] && ok "CRI kvm: one QEMU for the sandbox and its containers" || bad "CRI kvm: $n QEMU processes for pod $pod"
                fi
                for c in web-$backend sb-$backend; do
                        timeout 30 $CTR task kill -s KILL $c
                        for _ in $(seq 100); do $CTR task ls | grep -q "^$c .*STOPPED" && break; sleep 0.1; done
                        timeout 30 $CTR task rm $c >/dev/null || bad "CRI $backend: task rm $c"
                        timeout 30 $CTR container rm $c || bad "CRI $backend: container rm $c"
                done
                left=$(ls "$T/runc-root/default/containers" "$T/runc-root/default/pods" 2>/dev/null | grep -v ':$' | grep -v '^$')
                [ -z "$left" ] && ok "CRI $backend: sandbox and container deleted, no pod left" || bad "CRI $backend: left: $left"
        done
        left=$(ls "$T/runc-root/containers" "$T/podrt/pods" 2>/dev/null | grep -v ':$' | grep -v '^$')
        [ -z "$left" ] && ok "containerd: nothing left" || bad "containerd: left: $left"
        kill "$(cat "$T/containerd.pid")"
        rm -f "$T/containerd.pid"
else
        bad "containerd is not installed (scripts/deps.sh installs it): nothing drove podrt-runtime"
fi

# What the containers did stays in their own mounts: nothing was made in
# the shared rootfs's /dev (the images test runs on it too).
left=$(find "$ROOTFS/dev" -mindepth 1 2>/dev/null | head -3)
[ -z "$left" ] && ok "the rootfs's /dev is as it was" || bad "left in $ROOTFS/dev: $left"

exit $fail
