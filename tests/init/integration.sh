#!/bin/sh
# Runs the built podrt-init as PID 1 of busybox pods, in fresh PID, mount and
# UTS namespaces, as systemd-nspawn would (root only):
#   integration.sh PODRT_INIT INIT_CTL
# (INIT_CTL: tests/init/init-ctl, a client of podrt-init's control socket)
# Each pod root holds podrt-init, /podrt/pod.conf and the apps' roots under
# /opt/stage2/<app>/rootfs (scripts/mkrootfs.sh).  Prints a TAP-like line per
# check; exits 1 when one failed.
set -u
INIT=${1:?usage: integration.sh PODRT_INIT INIT_CTL}
CTL=${2:?usage: integration.sh PODRT_INIT INIT_CTL}
SRC=${PODRT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

if [ "$(id -u)" != 0 ]; then
        echo "integration: needs root (namespaces, mounts)" >&2
        exit 77        # meson: skipped, never counted as a pass
fi

T=$(mktemp -d /tmp/podrt-init-test.XXXXXX)
cleanup() {
        if grep -q "$T" /proc/self/mountinfo; then
                echo "integration: mounts left under $T:" >&2
                grep "$T" /proc/self/mountinfo >&2
                exit 1
        fi
        rm -rf "$T"
}
trap cleanup EXIT

. "$SRC/tests/tap.sh"

"$SRC/scripts/mkrootfs.sh" "$T/rootfs" >/dev/null || { echo "integration: mkrootfs failed" >&2; exit 1; }
# mkrootfs leaves its top directory 0700: apps running as other users must
# be able to reach their root.
chmod 755 "$T/rootfs"

# mkpod NAME APP...: a pod root $T/NAME with a rootfs per app.
mkpod() {
        P=$T/$1
        shift
        mkdir -p "$P/opt/stage2" "$P/podrt" "$P/shared" "$P/ro"
        chmod 1777 "$P/shared"
        cp "$INIT" "$P/podrt-init"
        for app in "$@"; do
                mkdir -p "$P/opt/stage2/$app"
                cp -a "$T/rootfs" "$P/opt/stage2/$app/rootfs"
        done
}

# runpod DIR [ARGS...]: podrt-init as PID 1 with DIR as its root (a mount
# point, as under nspawn); stdout and stderr to DIR.out and DIR.err.
runpod() {
        dir=$1
        shift
        unshare --pid --mount --uts --fork --propagation private \
                sh -c 'mount --bind "$0" "$0" && cd "$0" && exec chroot "$0" /podrt-init "$@"' \
                "$dir" "$@" >"$dir.out" 2>"$dir.err"
}

# ---- 1. three apps sharing a directory ----
mkpod pod1 a b c
P=$T/pod1
echo "nobody writes here" >"$P/ro/file"
cat >"$P/opt/stage2/a/rootfs/app.sh" <<'EOF'
echo "a: hello from $GREETING"
[ "$#" = 3 ] && [ "$1" = "two words" ] && [ "$2" = "" ] && [ "$3" = "$(printf 'new\nline')" ] &&
        echo "a: argv intact"
tr '\0' '|' </proc/$$/environ >/shared/env-a
grep -E '^(Uid|Gid|Groups|CapBnd):' /proc/self/status >/shared/status-a
pwd >/shared/pwd-a
hostname >/shared/hostname-a
echo run-a >>/shared/order
if touch /data/x 2>/dev/null; then echo "a: data writable"; else echo "a: data read-only"; fi
touch /shared/x-from-a && echo "a: shared writable"
[ "$(awk '$2 == "/scratch" { print $3 }' /proc/mounts)" = tmpfs ] && echo "a: scratch is tmpfs"
i=0
while [ ! -e /shared/from-b ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /shared/from-b ] && echo "a: sees b's file"
exit 0
EOF
cat >"$P/opt/stage2/b/rootfs/app.sh" <<'EOF'
echo "b: to the log"
grep -E '^(Uid|Gid|Groups):' /proc/self/status
if touch /rootfile 2>/dev/null; then echo "b: root writable"; else echo "b: root read-only"; fi
echo from-b >/shared/from-b
echo "b: error line" >&2
exit 3
EOF
cat >"$P/opt/stage2/c/rootfs/app.sh" <<'EOF'
grep '^CapBnd:' /proc/self/status >/shared/capbnd-c
sleep 1
exit 5
EOF
cat >"$P/podrt/pod.conf" <<'EOF'
# three apps: a succeeds, b fails first (3), c fails later (5)
podrt-init 1
hostname podrt-test
mount tmpfs tmpfs /podrt/scratch nosuid nodev data=mode=0755

app a
root /opt/stage2/a/rootfs
exec /bin/sh /app.sh two\swords "" new\nline
env GREETING=hello\sworld
env PATH=/usr/bin:/bin
env EMPTY=
env WEIRD=a\nb
workdir /tmp
cap-drop CAP_NET_RAW
bind /shared /shared
bind /ro /data ro
bind /podrt/scratch /scratch
pre-start /bin/sh -c echo\spre-a\s>>/shared/order
post-stop /bin/sh -c echo\spost-a\s>>/shared/order
status /podrt/status/a
pidfile /podrt/pids/a

app b
root /opt/stage2/b/rootfs
exec /bin/sh /app.sh
uid 1000
gid 1000
groups 10 20
read-only-root yes
no-new-privs yes
bind /shared /shared
stdout /podrt/logs/b.log
stderr /podrt/logs/b.log
status /podrt/status/b

app c
root /opt/stage2/c/rootfs
exec sh /app.sh
env PATH=/bin
bind /shared /shared
status /podrt/status/c
EOF
runpod "$P"
rc=$?
out=$(cat "$P.out")
err=$(cat "$P.err")
same "pod 1 exits with the first failed app's status (b: 3, before c: 5)" 3 "$rc"
check "a's output reaches the console" contains "$out" "a: hello from hello world"
check "argv round-trips (spaces, empty, newline)" contains "$out" "a: argv intact"
same "a's env is exactly its env" "GREETING=hello world|PATH=/usr/bin:/bin|EMPTY=|WEIRD=a
b|" "$(cat "$P/shared/env-a")"
same "a runs in its workdir" /tmp "$(cat "$P/shared/pwd-a")"
same "the pod's hostname" podrt-test "$(cat "$P/shared/hostname-a")"
same "preStart, app, postStop in order" "pre-a
run-a
post-a" "$(cat "$P/shared/order")"
check "a read-only bind is read-only" contains "$out" "a: data read-only"
check "nothing was written through it" test ! -e "$P/ro/x"
check "a read-write bind reaches the pod's directory" test -e "$P/shared/x-from-a"
check "apps share the directory" contains "$out" "a: sees b's file"
check "a pod mount (tmpfs) is bound into the app" contains "$out" "a: scratch is tmpfs"
capa=$(sed -n 's/^CapBnd:[[:space:]]*//p' "$P/shared/status-a")
capc=$(sed -n 's/^CapBnd:[[:space:]]*//p' "$P/shared/capbnd-c")
check "CAP_NET_RAW (13) is not in a's bounding set ($capa)" \
        test -n "$capa" -a "$(( 0x${capa:-0} >> 13 & 1 ))" = 0
check "CAP_NET_RAW is still in c's bounding set ($capc)" \
        test -n "$capc" -a "$(( 0x${capc:-0} >> 13 & 1 ))" = 1
log=$(cat "$P/podrt/logs/b.log" 2>/dev/null)
check "b's stdout goes to its log file" contains "$log" "b: to the log"
check "b's stderr goes to its log file" contains "$log" "b: error line"
check "b's output is not on the console" eval '! contains "$out$err" "b: to the log"'
check "b runs as uid 1000" contains "$log" "$(printf 'Uid:\t1000\t1000\t1000\t1000')"
check "b runs as gid 1000" contains "$log" "$(printf 'Gid:\t1000\t1000\t1000\t1000')"
check "b has groups 10 20" contains "$log" "$(printf 'Groups:\t10 20')"
check "b's read-only root is read-only" contains "$log" "b: root read-only"
same "status of a" 0 "$(cat "$P/podrt/status/a" 2>&1)"
same "status of b" 3 "$(cat "$P/podrt/status/b" 2>&1)"
same "status of c" 5 "$(cat "$P/podrt/status/c" 2>&1)"
check "a's pid file holds a pid" grep -qE '^[0-9]+$' "$P/podrt/pids/a"
check "no temporary file beside the statuses" test "$(ls "$P/podrt/status" | tr '\n' ' ')" = "a b c "
[ "$fails" = 0 ] || { echo "--- console:"; echo "$out"; echo "--- stderr:"; echo "$err"; }

# ---- 2. exec failures and a failing preStart ----
mkpod pod2 e f g
P=$T/pod2
cat >"$P/podrt/pod.conf" <<'EOF'
podrt-init 1
app e
root /opt/stage2/e/rootfs
exec /nonexistent arg
status /podrt/status/e
app f
root /opt/stage2/f/rootfs
exec /etc/passwd
pre-start /bin/sleep 0.5
status /podrt/status/f
app g
root /opt/stage2/g/rootfs
exec /bin/sh -c echo\srun-g\s>>/shared/order-g
bind /shared /shared
pre-start /bin/sh -c sleep\s1;\secho\spre-g\s>>/shared/order-g;\sexit\s4
post-stop /bin/sh -c echo\spost-g\s>>/shared/order-g
status /podrt/status/g
EOF
runpod "$P"
rc=$?
err=$(cat "$P.err")
same "pod 2 exits with the first failed app's status (e: 127)" 127 "$rc"
same "a program not found: 127" 127 "$(cat "$P/podrt/status/e" 2>&1)"
check "one line names the app and the program" \
        contains "$err" "podrt-init: app e: exec /nonexistent: No such file or directory"
same "a program that cannot run: 126" 126 "$(cat "$P/podrt/status/f" 2>&1)"
check "its message names the app" contains "$err" "podrt-init: app f: exec /etc/passwd: Permission denied"
same "a failing preStart gives the app its status" 4 "$(cat "$P/podrt/status/g" 2>&1)"
same "the app did not run; postStop did" "pre-g
post-g" "$(cat "$P/shared/order-g" 2>&1)"
check "the failing preStart is reported" \
        contains "$err" "podrt-init: app g: pre-start failed with status 4: the app does not run"

# ---- 3. SIGTERM to init ends the apps (a plain chroot, no mount point) ----
mkpod pod3 h i
P=$T/pod3
cat >"$P/opt/stage2/h/rootfs/app.sh" <<'EOF'
trap 'echo got-term >>/shared/term; exit 7' TERM
echo started >/shared/started-h
while :; do sleep 0.1; done
EOF
cat >"$P/podrt/pod.conf" <<'EOF'
podrt-init 1
app h
root /opt/stage2/h/rootfs
exec /bin/sh /app.sh
bind /shared /shared
post-stop /bin/sh -c echo\spost-h\s>>/shared/term
status /podrt/status/h
app i
root /opt/stage2/i/rootfs
exec /bin/sh -c touch\s/shared/started-i;\sexec\ssleep\s1000
bind /shared /shared
status /podrt/status/i
EOF
unshare --pid --mount --uts --fork --propagation private chroot "$P" /podrt-init \
        >"$P.out" 2>"$P.err" &
upid=$!
i=0
while { [ ! -e "$P/shared/started-h" ] || [ ! -e "$P/shared/started-i" ]; } && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
done
ipid=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null | tr -d ' ')
check "pod 3's apps started" test -e "$P/shared/started-h" -a -e "$P/shared/started-i" -a -n "$ipid"
start=$(date +%s)
[ -n "$ipid" ] && kill -TERM "$ipid"
wait "$upid"
rc=$?
took=$(( $(date +%s) - start ))
check "init exits within 3 s of SIGTERM (took $took s)" test "$took" -le 3
same "h got SIGTERM, then its postStop ran" "got-term
post-h" "$(cat "$P/shared/term" 2>&1)"
same "h's status: its own exit code" 7 "$(cat "$P/podrt/status/h" 2>&1)"
same "i's status: 128+SIGTERM" 143 "$(cat "$P/podrt/status/i" 2>&1)"
check "init's status is the first failed app's (7 or 143: $rc)" test "$rc" = 7 -o "$rc" = 143

# ---- 3b. systemd's halt request (nspawn --kill-signal=SIGRTMIN+3) ----
mkpod pod3b k
P=$T/pod3b
cat >"$P/podrt/pod.conf" <<'EOF2'
podrt-init 1
app k
root /opt/stage2/k/rootfs
exec /bin/sh -c touch\s/shared/started-k;\sexec\ssleep\s1000
bind /shared /shared
status /podrt/status/k
EOF2
unshare --pid --mount --uts --fork --propagation private chroot "$P" /podrt-init \
        >"$P.out" 2>"$P.err" &
upid=$!
i=0
while [ ! -e "$P/shared/started-k" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ipid=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null | tr -d ' ')
[ -n "$ipid" ] && /bin/kill -s RTMIN+3 "$ipid"
wait "$upid"
rc=$?
same "SIGRTMIN+3 to init: the app gets SIGTERM (143)" "143 143" "$rc $(cat "$P/podrt/status/k" 2>&1)"

# ---- 3c. a VM's stop request: the stop-file appears (9p has no inotify) ----
mkpod pod3c m n
P=$T/pod3c
mkdir -p "$P/podrt/status"
cat >"$P/opt/stage2/m/rootfs/app.sh" <<'EOF2'
trap 'echo handled >/shared/marker-m; exit 0' TERM
echo started >/shared/started-m
while :; do sleep 0.1; done
EOF2
cat >"$P/podrt/pod.conf" <<'EOF2'
podrt-init 1
stop-file /podrt/status/stop
app m
root /opt/stage2/m/rootfs
exec /bin/sh /app.sh
bind /shared /shared
status /podrt/status/m
app n
root /opt/stage2/n/rootfs
exec /bin/sh -c touch\s/shared/started-n;\sexec\ssleep\s1000
bind /shared /shared
status /podrt/status/n
EOF2
unshare --pid --mount --uts --fork --propagation private chroot "$P" /podrt-init \
        >"$P.out" 2>"$P.err" &
upid=$!
i=0
while { [ ! -e "$P/shared/started-m" ] || [ ! -e "$P/shared/started-n" ]; } && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
done
sleep 0.3
same "stop-file: nothing happens while it is absent" "" "$(ls "$P/podrt/status")"
start=$(date +%s%N)
echo SIGTERM >"$P/podrt/status/stop"
wait "$upid"
rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
check "stop-file: init ends within 3 s of the request (took $took ms)" test "$took" -le 3000
same "stop-file: the app's TERM handler ran" handled "$(cat "$P/shared/marker-m" 2>&1)"
same "stop-file: statuses: the handler's 0, the other app 128+SIGTERM" "0 143 143" \
        "$(cat "$P/podrt/status/m" 2>&1) $(cat "$P/podrt/status/n" 2>&1) $rc"

# A request that came while the VM booted: no app starts.
rm -f "$P/shared/"* "$P/podrt/status/m" "$P/podrt/status/n"
unshare --pid --mount --uts --fork --propagation private chroot "$P" /podrt-init \
        >"$P.out" 2>"$P.err"
rc=$?
same "stop-file there at start: no app ran, each 143" "143 143 143 " \
        "$rc $(cat "$P/podrt/status/m" 2>&1) $(cat "$P/podrt/status/n" 2>&1) $(ls "$P/shared")"

# ---- 4. poweroff: the end of a VM's PID 1 ----
mkpod pod4 j
P=$T/pod4
cat >"$P/podrt/pod.conf" <<'EOF'
podrt-init 1
poweroff yes
app j
root /opt/stage2/j/rootfs
exec /bin/sh -c exit\s2
status /podrt/status/j
EOF
runpod "$P"
rc=$?
# reboot(RB_POWER_OFF) in a PID namespace ends its init as if by SIGINT.
same "poweroff yes: init powers the (namespace's) machine off" 130 "$rc"
same "the status was written before" 2 "$(cat "$P/podrt/status/j" 2>&1)"

# ---- 5. a bad description ----
mkpod pod5
P=$T/pod5
printf 'podrt-init 1\nhostname ok\nfrob 1\n' >"$P/podrt/pod.conf"
runpod "$P"
rc=$?
same "a bad description: init exits 125" 125 "$rc"
same "one message naming the file and line" 'podrt-init: /podrt/pod.conf:3: unknown key "frob"' "$(cat "$P.err")"
runpod "$P" /podrt/missing.conf
same "a missing description: 125 and its path" \
        "125 podrt-init: /podrt/missing.conf: No such file or directory" "$? $(cat "$P.err")"

"$INIT" --check "$P/podrt/pod.conf" 2>"$T/check.err"
same "--check reports the same error and runs nothing" \
        "125 podrt-init: $P/podrt/pod.conf:3: unknown key \"frob\"" "$? $(cat "$T/check.err")"
"$INIT" --check "$T/pod1/podrt/pod.conf"
same "--check accepts a good description" 0 "$?"

# ---- 6. apps added while the pod runs: the control socket ----
mkpod pod6 a b c
P=$T/pod6
cat >"$P/podrt/pod.conf" <<'EOF'
podrt-init 1
hostname ctl-pod
control /podrt/control

app a
root /opt/stage2/a/rootfs
exec /bin/sh -c while\s[\s!\s-e\s/shared/stop\s];\sdo\ssleep\s0.1;\sdone
bind /shared /shared
status /podrt/status/a
EOF
cat >"$T/b.conf" <<'EOF'
podrt-init 1
app b
root /opt/stage2/b/rootfs
exec /bin/sh -c hostname\s>/shared/host-b;\secho\sout-b;\secho\serr-b\s>&2;\sexit\s7
bind /shared /shared
status /podrt/status/b
EOF
cat >"$T/c.conf" <<'EOF'
podrt-init 1
app c
root /opt/stage2/c/rootfs
exec /bin/sleep 60
bind /shared /shared
post-stop /bin/sh -c echo\spost-c\s>/shared/post-c
status /podrt/status/c
EOF
printf 'podrt-init 1\nhostname x\napp d\nroot /opt/stage2/c/rootfs\nexec /bin/true\n' >"$T/d.conf"
runpod "$P" & pod6=$!
for i in $(seq 1 100); do [ -S "$P/podrt/control" ] && break; sleep 0.05; done
check "the control socket is there while the pod runs" test -S "$P/podrt/control"
"$CTL" "$P/podrt/control" start "$T/b.conf" >"$T/b.out" 2>"$T/b.err" 3>"$T/b.ctl"
same "an added app runs to its end: its exit code" 7 "$?"
same "it has the pod's hostname and binds" ctl-pod "$(cat "$P/shared/host-b" 2>/dev/null)"
same "its stdout is the descriptor that came with it" out-b "$(cat "$T/b.out")"
same "its stderr too" err-b "$(cat "$T/b.err")"
check "the answer was: started, with a pid" grep -q '^started [0-9][0-9]*$' "$T/b.ctl"
same "its status file" 7 "$(cat "$P/podrt/status/b" 2>/dev/null)"
printf 'podrt-init 1\napp e\nroot /opt/stage2/b/rootfs\nexec /bin/sh -c read\\sline;\\secho\\sgot:$line\n' >"$T/e.conf"
same "an added app's stdin: the descriptor that came with it" "got:from-stdin" \
        "$(echo from-stdin | "$CTL" "$P/podrt/control" start-stdin "$T/e.conf" 2>&1)"
"$CTL" "$P/podrt/control" start "$T/c.conf" >/dev/null 2>&1 3>"$T/c.ctl" & c=$!
for i in $(seq 1 100); do grep -q started "$T/c.ctl" && break; sleep 0.05; done
"$CTL" "$P/podrt/control" start "$T/c.conf" >/dev/null 2>&1 3>"$T/c2.ctl"
same "a second app of a running app's name: refused" 125 "$?"
check "... saying why" grep -q "app c: an app of that name is running" "$T/c2.ctl"
"$CTL" "$P/podrt/control" start "$T/d.conf" >/dev/null 2>&1 3>"$T/d.ctl"
same "a description with pod keys: refused" 125 "$?"
check "... saying why" grep -q "pod keys" "$T/d.ctl"
same "a signal to one app reaches it" 1 "$("$CTL" "$P/podrt/control" signal c 15)"
wait $c
same "... which ends with 128+15" 143 "$?"
same "its post-stop ran" post-c "$(cat "$P/shared/post-c" 2>/dev/null)"
same "its status file" 143 "$(cat "$P/podrt/status/c" 2>/dev/null)"
same "a signal to an app that ended: 0" 0 "$("$CTL" "$P/podrt/control" signal c 15)"
same "a signal to no app: -1" -1 "$("$CTL" "$P/podrt/control" signal nosuch 15)"
same "a bad signal: -1" -1 "$("$CTL" "$P/podrt/control" signal a 0)"
check "the pod's own app still runs" test ! -e "$P/podrt/status/a"
rm -f "$P/shared/host-b"
"$CTL" "$P/podrt/control" start "$T/b.conf" >/dev/null 2>&1
same "an app that ended can be added again" "7 ctl-pod" "$? $(cat "$P/shared/host-b" 2>/dev/null)"
touch "$P/shared/stop"
wait $pod6
same "the pod ends with its own apps' status (the added apps' do not count)" 0 "$?"
check "the control socket is gone with it" test ! -e "$P/podrt/control"

# ---- 7. a sandbox (linger): PID 1 stays when its apps are over ----
mkpod pod7 a b
P=$T/pod7
cat >"$P/podrt/pod.conf" <<'EOF'
podrt-init 1
linger yes
control /podrt/control
stop-file /podrt/stop

app a
root /opt/stage2/a/rootfs
exec /bin/true
status /podrt/status/a
EOF
sed 's|/shared|/podrt|; s|hostname\\s>/podrt/host-b;\\s||' "$T/b.conf" | grep -v '^bind' >"$T/b7.conf"
runpod "$P" & pod7=$!
for i in $(seq 1 100); do [ -e "$P/podrt/status/a" ] && break; sleep 0.05; done
same "the sandbox's app ended" 0 "$(cat "$P/podrt/status/a" 2>/dev/null)"
sleep 0.3
check "PID 1 stays, its control socket too" sh -c "kill -0 $pod7 && test -S '$P/podrt/control'"
"$CTL" "$P/podrt/control" start "$T/b7.conf" >"$T/b7.out" 2>/dev/null
same "an app added to the sandbox runs" "7 out-b" "$? $(cat "$T/b7.out")"
check "PID 1 stays after it too" kill -0 $pod7
touch "$P/podrt/stop"
wait $pod7
same "a stop ends the sandbox, with its apps' status" 0 "$?"

# ---- 8. the control channel as request files (request-dir, a VM's) ----
mkpod pod8 a b
P=$T/pod8
mkdir -p "$P/podrt/requests"
cat >"$P/podrt/pod.conf" <<'EOF'
podrt-init 1
request-dir /podrt/requests
stop-file /podrt/stop

app a
root /opt/stage2/a/rootfs
exec /bin/sleep 60
EOF
printf 'podrt-init 1\napp f\nroot /opt/stage2/b/rootfs\nexec /bin/sh -c echo\\sfile-out;\\sexec\\ssleep\\s60\nstdout /podrt/f.out\nstatus /podrt/status/f\n' >"$T/f.conf"
runpod "$P" & pod8=$!
sleep 0.3
out=$("$CTL" --dir "$P/podrt/requests" start "$T/f.conf")
same "a request file starts an app: the answer file says so, the request is removed" "0 T" "$? ${out%% *}"
for i in $(seq 1 100); do [ -s "$P/podrt/f.out" ] && break; sleep 0.05; done
same "the app runs (its stdout path)" file-out "$(cat "$P/podrt/f.out" 2>/dev/null)"
same "a second request for the running name: refused, saying why" \
        "R podrt-init: app f: an app of that name is running|Q 125" \
        "$("$CTL" --dir "$P/podrt/requests" start "$T/f.conf" | tr '\n' '|' | sed 's/|$//')"
same "a signal request file" "Q 1" "$("$CTL" --dir "$P/podrt/requests" signal f 15)"
for i in $(seq 1 100); do [ -e "$P/podrt/status/f" ] && break; sleep 0.05; done
same "... ends that app (143), the pod's own still runs" "143 running" \
        "$(cat "$P/podrt/status/f" 2>/dev/null) $(kill -0 $pod8 && echo running)"
printf 'garbage' >"$P/podrt/requests/.g.tmp" && mv "$P/podrt/requests/.g.tmp" "$P/podrt/requests/g.req"
for i in $(seq 1 100); do [ -e "$P/podrt/requests/g.ans" ] && break; sleep 0.05; done
check "a garbled request file is answered, not fatal" sh -c "grep -q garbled '$P/podrt/requests/g.ans' && kill -0 $pod8"
touch "$P/podrt/stop"
wait $pod8
same "the pod ends as usual (its app: 143)" 143 "$?"

if [ "$fails" != 0 ]; then
        echo "integration: $fails check(s) failed"
        exit 1
fi
echo "integration: all checks passed"
