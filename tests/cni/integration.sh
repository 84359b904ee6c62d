#!/bin/sh
# The cni network plugin on real CNI plugins (Debian's
# containernetworking-plugins), entirely inside a network namespace this
# test makes: every bridge, veth, address, route and iptables rule lives
# there, and no packet is sent to an address outside namespaces the test
# made.
#
# podrt runs in that namespace through `nsenter --net=/run/netns/NS`, not
# `ip netns exec`: the latter gives each command a mount namespace of its
# own and a fresh /sys, so that the pod's namespace, bind-mounted on
# <pod dir>/netns by `podrt create`, would be gone for `podrt delete`, and
# runc would find no cgroup mount.
#
#   (a) an oci server pod (busybox httpd) and client pods on oci and nspawn
#       fetching its page at its IP; a kvm client pod (TCG) fetching it too,
#       and a kvm server pod fetched from the test namespace (the VM wired
#       to the veth with a tap and tc redirects)
#   (b) a host port: 127.0.0.1:18080 of the test namespace to the pod's 80
#   (c) after delete: no veth, no lease
#   (d) a user's own conflist with another main plugin (ptp)
#   (e) a CNI plugin that is missing and one that fails: exit 125, the
#       plugin named, nothing left
#   and the cni settings' config_check.
set -u

: "${PODRT_BUILD_DIR:?run through meson test}"
: "${PODRT_SOURCE_DIR:?run through meson test}"

PODRT_BIN="$PODRT_BUILD_DIR/core/cli/podrt"
B="$PODRT_BUILD_DIR/plugins"
export PODRT_PLUGIN_PATH="$B/cni:$B/oci:$B/nspawn:$B/hooks:$B/kvm:$B/qemu"
KVM_KERNEL=${PODRT_KVM_KERNEL:-/var/lib/podrt/kernel/vmlinuz}
KVM_MODULES=${PODRT_KVM_MODULES:-/var/lib/podrt/kernel/modules}
FAILED=0

die() { echo "FATAL: $*" >&2; exit 99; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, mounts)"
[ -x "$PODRT_BIN" ] || die "$PODRT_BIN not built"
[ -f "$B/cni/cni.so" ] || die "cni.so not built"
for p in bridge host-local portmap firewall tuning ptp; do
        [ -x "/usr/lib/cni/$p" ] || skip "/usr/lib/cni/$p missing: apt-get install containernetworking-plugins (scripts/deps.sh)"
done
command -v iptables >/dev/null 2>&1 || skip "iptables missing: apt-get install iptables (scripts/deps.sh)"
command -v runc >/dev/null 2>&1 || die "runc missing"
command -v nsenter >/dev/null 2>&1 || die "nsenter missing (util-linux)"

NS=podrt-test-$$
NET=podrt-test-$$            # the bridge network's name (its leases' dir)
PTP=podrt-test-$$-ptp
FAILNET=podrt-test-$$-fail
MISSNET=podrt-test-$$-missing
SLOWNET=podrt-test-$$-slow
LEASES=/var/lib/cni/networks
BUILTIN_MADE=0
T=$(mktemp -d /tmp/podrt-cni-test.XXXXXX) || die "mktemp"
ROOT="$T/state"

innet() { nsenter --net="/run/netns/$NS" "$@"; }

cleanup() {
        if [ -d "$ROOT/pods" ]; then
                for d in "$ROOT"/pods/*; do
                        [ -d "$d" ] && innet "$PODRT_BIN" --config "$T/podrt.conf" --root "$ROOT" \
                                delete --force "${d##*/}" >/dev/null 2>&1
                done
        fi
        ip netns del "$NS" 2>/dev/null
        rm -rf "$LEASES/$NET" "$LEASES/$PTP" "$LEASES/$FAILNET" "$LEASES/$MISSNET" "$LEASES/$SLOWNET"
        [ -f "$T/slow.pid" ] && kill -9 "$(cat "$T/slow.pid")" 2>/dev/null
        [ "$BUILTIN_MADE" = 1 ] && rm -rf "$LEASES/podrt"
        grep -F " $T/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
                umount -l "$m" 2>/dev/null
        done
        rm -rf --one-file-system "$T"
}
trap cleanup EXIT
trap 'exit 98' INT TERM

ip netns add "$NS" || die "ip netns add $NS"
ip -n "$NS" link set lo up

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*" >&2; FAILED=$((FAILED + 1)); }
check_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi; }
check_contains() {
        case $2 in *"$3"*) pass "$1" ;; *) fail "$1: expected [$3] in [$2]" ;; esac
}

# The rootfs: busybox, and a page for httpd.
sh "$PODRT_SOURCE_DIR/scripts/mkrootfs.sh" "$T/rootfs" >/dev/null || die "mkrootfs failed"
mkdir -p "$T/rootfs/www"
echo "hello from the podrt cni test $$" >"$T/rootfs/www/index.html"
PAGE=$(cat "$T/rootfs/www/index.html")
BB="$T/rootfs/bin/busybox"

# Conflists: the built-in one's shape under the test's own name, ptp, one
# naming a plugin that does not exist, one whose last plugin fails.
mkdir -p "$T/net.d" "$T/cnibin"
cat >"$T/net.d/10-bridge.conflist" <<EOF
{ "cniVersion": "1.0.0", "name": "$NET",
  "plugins": [
    { "type": "bridge", "bridge": "podrt0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "dns": { "nameservers": [ "10.89.0.1" ], "search": [ "pods.test" ] },
      "ipam": { "type": "host-local", "routes": [ { "dst": "0.0.0.0/0" } ],
                "ranges": [ [ { "subnet": "10.89.0.0/16", "gateway": "10.89.0.1" } ] ] } },
    { "type": "portmap", "capabilities": { "portMappings": true }, "snat": true },
    { "type": "firewall" },
    { "type": "tuning" } ] }
EOF
cat >"$T/net.d/20-ptp.conflist" <<EOF
{ "cniVersion": "1.0.0", "name": "$PTP",
  "plugins": [ { "type": "ptp", "ipMasq": false,
                 "ipam": { "type": "host-local", "ranges": [ [ { "subnet": "10.98.0.0/24" } ] ] } } ] }
EOF
cat >"$T/net.d/30-missing.conflist" <<EOF
{ "cniVersion": "1.0.0", "name": "$MISSNET",
  "plugins": [ { "type": "bridge", "bridge": "podrt2",
                 "ipam": { "type": "host-local", "ranges": [ [ { "subnet": "10.97.0.0/24" } ] ] } },
               { "type": "nosuchplugin" } ] }
EOF
cat >"$T/net.d/40-fail.conflist" <<EOF
{ "cniVersion": "1.0.0", "name": "$FAILNET",
  "plugins": [ { "type": "bridge", "bridge": "podrt3",
                 "ipam": { "type": "host-local", "ranges": [ [ { "subnet": "10.96.0.0/24" } ] ] } },
               { "type": "failplug" } ] }
EOF
cat >"$T/net.d/50-slow.conflist" <<EOF
{ "cniVersion": "1.0.0", "name": "$SLOWNET",
  "plugins": [ { "type": "bridge", "bridge": "podrt5",
                 "ipam": { "type": "host-local", "ranges": [ [ { "subnet": "10.95.0.0/24" } ] ] } },
               { "type": "slowplug" } ] }
EOF
# A file that is not a conflist is skipped, not fatal.
echo "not json" >"$T/net.d/05-broken.conf"
cat >"$T/cnibin/failplug" <<'EOF'
#!/bin/sh
# A CNI plugin that fails ADD with a CNI error, and tolerates DEL.
case $CNI_COMMAND in
ADD) cat >/dev/null
     echo '{"cniVersion":"1.0.0","code":7,"msg":"test failure","details":"on request"}'
     exit 1 ;;
VERSION) echo '{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}' ;;
esac
exit 0
EOF
cat >"$T/cnibin/slowplug" <<EOF
#!/bin/sh
# A CNI plugin whose ADD takes a minute (so that its caller can be killed
# in the middle); DEL passes.
case \$CNI_COMMAND in
ADD) cat >/dev/null; echo \$\$ >"$T/slow.pid"; exec sleep 60 ;;
esac
exit 0
EOF
chmod 755 "$T/cnibin/failplug" "$T/cnibin/slowplug"

settings() { # NETWORK -> the cni settings for that network, the test's dirs
        echo "cni = { network = \"$1\"; conf_dirs = [ \"$T/net.d\" ]; plugin_dirs = [ \"$T/cnibin\", \"/usr/lib/cni\" ]; };"
}
conf() { # FILE NETWORK
        { echo 'network = "cni";'; settings "$2"; } >"$1"
}
conf "$T/podrt.conf" "$NET"
conf "$T/ptp.conf" "$PTP"
conf "$T/missing.conf" "$MISSNET"
conf "$T/fail.conf" "$FAILNET"
conf "$T/slow.conf" "$SLOWNET"
# kvm pods: the same network, QEMU under TCG (quick, and KVM does not work
# everywhere).
{ cat "$T/podrt.conf"; echo "kvm = { kernel = \"$KVM_KERNEL\"; modules = \"$KVM_MODULES\"; accel = \"tcg\"; };"; } >"$T/kvm.conf"

podrt() { # [--config F] ARGS: podrt in the test's namespace, oci backend by default
        cfg="$T/podrt.conf"
        if [ "$1" = --config ]; then cfg=$2; shift 2; fi
        innet "$PODRT_BIN" --config "$cfg" --root "$ROOT" "$@"
}

manifest() { # NAME JSON
        printf '%s\n' "$2" >"$T/$1.json"
        echo "$T/$1.json"
}

pod_ip() { # ID -> the pod's first IP, from network.json
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ips"][0].split("/")[0])' \
                "$ROOT/pods/$1/network.json" 2>/dev/null
}

# fetch URL: from the test namespace itself (busybox wget, 3 s timeout; its own -T crashes in Debian 12's busybox-static).
fetch() { innet timeout 3 "$BB" wget -q -O - "$1" 2>/dev/null; }

wait_page() { # URL: up to 10 s for httpd to answer
        i=0
        while [ $i -lt 50 ]; do
                out=$(fetch "$1") && [ -n "$out" ] && { echo "$out"; return 0; }
                sleep 0.2
                i=$((i + 1))
        done
        return 1
}

wait_vm_page() { # URL: up to 45 s (a VM booting under TCG)
        i=0
        while [ $i -lt 90 ]; do
                out=$(fetch "$1") && [ -n "$out" ] && { echo "$out"; return 0; }
                sleep 0.5
                i=$((i + 1))
        done
        return 1
}

veths() { ip -n "$NS" -o link show type veth 2>/dev/null | wc -l; }
leases() { # NETWORK: lease files (IPs) left in host-local's dir
        ls "$LEASES/$1" 2>/dev/null | grep -E '^[0-9a-f.:]+$' | wc -l
}

# ---- config_check ----
printf 'network = "cni";\ncni = {\n  network = "x";\n  bogus = 1;\n};\n' >"$T/bad.conf"
m0=$(manifest true '{"apiVersion":"podrt/v1","kind":"Pod","name":"true",
  "containers":[{"name":"a","rootfs":"'"$T/rootfs"'","command":["/bin/true"]}]}')
out=$(podrt --config "$T/bad.conf" --backend oci run --rm "$m0" 2>&1)
check_contains "config_check: an unknown cni setting is named" "$out" "bogus: unknown setting"
check_contains "config_check: with its file and line" "$out" "$T/bad.conf:4:"
{ echo 'network = "cni";'; settings "$NET" | sed 's|conf_dirs = \[ "[^"]*" \]|conf_dirs = [ "net.d" ]|'; } >"$T/bad2.conf"
out=$(podrt --config "$T/bad2.conf" --backend oci run --rm "$m0" 2>&1)
check_contains "config_check: relative conf_dirs refused" "$out" "must hold absolute paths, not 'net.d'"

# ---- podrt check: the cni plugin's lines ----
out=$(podrt check 2>&1)
check_contains "check: the network's conflist" "$out" "cni network          $NET: $T/net.d/10-bridge.conflist, cniVersion 1.0.0, 4 plugins"
check_contains "check: a plugin found" "$out" "ok       cni plugin portmap   /usr/lib/cni/portmap"
check_contains "check: iptables works in the test namespace" "$out" "ok       iptables"
check_contains "check: a conflist skipped" "$out" "conflist skipped: $T/net.d/05-broken.conf"
out=$(podrt --config "$T/missing.conf" check 2>&1)
check_contains "check: a missing plugin" "$out" "MISSING  cni plugin nosuchplugin missing: not in any cni plugin dir"

# ---- (a) a server pod and clients at its IP ----
m=$(manifest server '{"apiVersion":"podrt/v1","kind":"Pod","name":"server",
  "containers":[{"name":"httpd","rootfs":"'"$T/rootfs"'","command":["/bin/busybox","httpd","-f","-p","80","-h","/www"]}]}')
server=$(podrt --backend oci run -d "$m" 2>"$T/err")
check_eq "server pod runs detached" 0 $?
[ -n "$server" ] || { cat "$T/err" >&2; die "no server pod"; }
ip=$(pod_ip "$server")
case $ip in 10.89.*) pass "server's IP from network.json: $ip" ;; *) fail "server's IP: [$ip]" ;; esac
check_contains "the saved ADD result holds the IP" "$(cat "$ROOT/pods/$server/cni-result.json")" "\"$ip/16\""
check_contains "network.json: the gateway" "$(cat "$ROOT/pods/$server/network.json")" '"gateway":"10.89.0.1"'
check_eq "network.json: the result's dns" "10.89.0.1 pods.test" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["dns"]; print(d["nameservers"][0], d["search"][0])' "$ROOT/pods/$server/network.json" 2>&1)"
check_eq "server's address inside its namespace" "$ip" \
        "$(nsenter --net="$ROOT/pods/$server/netns" ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)"
check_eq "the test namespace fetches the page" "$PAGE" "$(wait_page "http://$ip/")"

client='{"apiVersion":"podrt/v1","kind":"Pod","name":"client",
  "containers":[{"name":"wget","rootfs":"'"$T/rootfs"'","command":["/bin/busybox","timeout","20","/bin/busybox","wget","-q","-O","-","http://'"$ip"'/"]}]}'
m=$(manifest client "$client")
for backend in oci nspawn; do
        out=$(podrt --backend "$backend" run --rm "$m" 2>"$T/err")
        rc=$?
        check_eq "$backend client pod exits 0" 0 $rc
        [ $rc = 0 ] || cat "$T/err" >&2
        check_eq "$backend client pod fetches the page at $ip" "$PAGE" "$out"
done

# kvm: a client VM fetching from the oci server, a server VM fetched from
# the test namespace; each VM's virtio-net is wired to its pod's veth.
KVM_OK=0
if [ ! -f "$B/kvm/kvm.so" ] || [ ! -f "$B/qemu/qemu.so" ]; then
        echo "# kvm pods: skipped (the kvm and qemu plugins are not built)"
elif [ ! -f "$KVM_KERNEL" ]; then
        echo "# kvm pods: skipped (no guest kernel at $KVM_KERNEL: scripts/fetch-kernel.sh)"
elif ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
        echo "# kvm pods: skipped (qemu-system-x86_64 missing)"
elif ! command -v tc >/dev/null 2>&1; then
        echo "# kvm pods: skipped (tc missing: apt-get install iproute2)"
else
        KVM_OK=1
        out=$(innet timeout 180 "$PODRT_BIN" --config "$T/kvm.conf" --root "$ROOT" --backend kvm run --rm "$m" 2>"$T/err")
        rc=$?
        check_eq "kvm client pod exits 0" 0 $rc
        [ $rc = 0 ] || sed 's/^/# /' "$T/err" >&2
        check_eq "kvm client pod fetches the page at $ip" "$PAGE" "$out"
        check_eq "kvm client pod: its veth gone with it" 1 "$(veths)"

        m=$(manifest kvmserver '{"apiVersion":"podrt/v1","kind":"Pod","name":"kvmserver",
  "annotations":{"io.podrt.ports":"[{\"containerPort\":80,\"hostPort\":18090,\"hostIP\":\"127.0.0.1\"}]"},
  "containers":[{"name":"httpd","rootfs":"'"$T/rootfs"'","command":["/bin/busybox","httpd","-f","-p","80","-h","/www"]}]}')
        ks=$(podrt --config "$T/kvm.conf" --backend kvm run -d "$m" 2>"$T/err")
        check_eq "kvm server pod runs detached" 0 $?
        [ -n "$ks" ] || sed 's/^/# /' "$T/err" >&2
        kip=$(pod_ip "$ks")
        case $kip in 10.89.*) pass "kvm server's IP: $kip" ;; *) fail "kvm server's IP: [$kip]" ;; esac
        kns="$ROOT/pods/$ks/netns"
        check_contains "kvm server: a tap in its namespace" "$(nsenter --net="$kns" ip -o link show tap0 2>&1)" "tap0"
        check_contains "kvm server: eth0's ingress redirected to tap0" \
                "$(nsenter --net="$kns" tc filter show dev eth0 ingress 2>&1)" "Redirect to device tap0"
        check_contains "kvm server: tap0's ingress redirected to eth0" \
                "$(nsenter --net="$kns" tc filter show dev tap0 ingress 2>&1)" "Redirect to device eth0"
        check_eq "kvm server: the veth keeps its address" "$kip" \
                "$(nsenter --net="$kns" ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)"
        vethmac=$(nsenter --net="$kns" ip -o link show eth0 | sed -n 's|.*link/ether \([0-9a-f:]*\) .*|\1|p')
        check_contains "kvm server: the guest's virtio-net has the veth's MAC" \
                "$(tr '\0' ' ' <"/proc/$(cat "$ROOT/pods/$ks/kvm/vm.pid")/cmdline" 2>/dev/null)" "mac=$vethmac"
        page=$(wait_vm_page "http://$kip/")
        check_eq "the test namespace fetches the kvm server's page at $kip" "$PAGE" "$page"
        [ "$page" = "$PAGE" ] || sed 's/^/# console: /' "$ROOT/pods/$ks/kvm/console.log" >&2
        check_eq "127.0.0.1:18090 reaches the kvm server's port 80" "$PAGE" "$(wait_page "http://127.0.0.1:18090/")"
        # Its namespace gone first (unmounted: QEMU alone holds it): delete
        # still succeeds, and the veth goes when QEMU does.
        umount -l "$kns"
        podrt --config "$T/kvm.conf" delete --force "$ks" >/dev/null 2>"$T/err"
        check_eq "delete the kvm server pod, its namespace unmounted first" 0 $?
        [ -s "$T/err" ] && sed 's/^/# /' "$T/err" >&2
        check_eq "kvm server: no QEMU left" "" "$(pgrep -f "qemu-system-x86_64 -name $ks" 2>/dev/null)"
        i=0
        while [ "$(veths)" != 1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        check_eq "kvm server: its veth gone" 1 "$(veths)"
        check_eq "kvm server: its lease released" 1 "$(leases "$NET")"
        check_eq "kvm server: no pod directory left" "" "$(ls "$ROOT/pods" | grep "$ks")"

        # A hypervisor plugin that cannot attach a network device (the
        # tests' testhv): the pod is refused, not started unwired.
        if [ -f "$PODRT_BUILD_DIR/tests/kvm/testhv.so" ]; then
                sed 's/accel = "tcg";/accel = "tcg"; hypervisor = "testhv";/' "$T/kvm.conf" >"$T/testhv.conf"
                out=$(PODRT_PLUGIN_PATH="$PODRT_PLUGIN_PATH:$PODRT_BUILD_DIR/tests/kvm" \
                        podrt --config "$T/testhv.conf" --backend kvm run --rm "$T/client.json" 2>&1)
                check_eq "kvm on a hypervisor without network devices: exit 125" 125 $?
                check_contains "kvm on a hypervisor without network devices: says so" "$out" \
                        "hypervisor plugin 'testhv' cannot attach a network device"
                check_eq "kvm on a hypervisor without network devices: no veth left" 1 "$(veths)"
        fi
fi

# ---- (b) a host port on 127.0.0.1 ----
# The manifest's own ports (Kubernetes' fields): portmap's portMappings.
m=$(manifest hostport '{"apiVersion":"podrt/v1","kind":"Pod","name":"hostport",
  "containers":[{"name":"httpd","rootfs":"'"$T/rootfs"'","command":["/bin/busybox","httpd","-f","-p","80","-h","/www"],
    "ports":[{"name":"http","containerPort":80,"hostPort":18080,"protocol":"tcp","hostIP":"127.0.0.1"},
             {"containerPort":80,"hostPort":18081}]}]}')
hp=$(podrt --backend oci run -d "$m" 2>"$T/err")
check_eq "host port pod runs" 0 $?
[ -n "$hp" ] || cat "$T/err" >&2
hpip=$(pod_ip "$hp")
wait_page "http://$hpip/" >/dev/null
check_eq "127.0.0.1:18080 reaches the pod's port 80" "$PAGE" "$(wait_page "http://127.0.0.1:18080/")"
check_eq "hostIP \"\": the namespace's bridge address 10.89.0.1:18081" "$PAGE" "$(wait_page "http://10.89.0.1:18081/")"
check_contains "network.json: the ports" "$(cat "$ROOT/pods/$hp/network.json")" '"hostPort":18080'
st=$(podrt status --json hostport)
check_contains "status --json: network.name" "$st" '"name": "cni"'
check_contains "status --json: network.ips has the pod's address" "$st" "\"$hpip/"
check_contains "status: the IPs" "$(podrt status hostport)" "Network: cni: $hpip/"
check_contains "list: the first IP" "$(podrt list | grep hostport)" " $hpip "
check_contains "the pod's /etc/hosts names its own address" "$(podrt exec hostport -- cat /etc/hosts 2>&1)" "$hpip"
resolv=$(podrt exec hostport -- cat /etc/resolv.conf 2>&1)
check_contains "the pod's resolv.conf: the result's nameserver" "$resolv" "nameserver 10.89.0.1"
check_contains "the pod's resolv.conf: the result's search" "$resolv" "search pods.test"
printf 'network = "none";\n' >"$T/none.conf"
out=$(podrt --config "$T/none.conf" --backend oci create "$m" 2>&1)
check_eq "a hostPort on network none: exit 125" 125 $?
check_contains "a hostPort on network none: named" "$out" "containers[0].ports[0].hostPort: network \"none\" maps no ports"
check_eq "a hostPort on network none: no pod made" 1 "$(podrt list 2>/dev/null | grep -c ' hostport ')"
out=$(podrt --config "$T/none.conf" --backend oci --network nosuchnet create "$m" 2>&1)
check_contains "--network beats the configuration" "$out" "plugin 'nosuchnet' not found"
m=$(manifest badport '{"apiVersion":"podrt/v1","kind":"Pod","name":"badport",
  "annotations":{"io.podrt.ports":"[{\"containerPort\":70000,\"hostPort\":18082}]"},
  "containers":[{"name":"a","rootfs":"'"$T/rootfs"'","command":["/bin/true"]}]}')
out=$(podrt --backend oci run --rm "$m" 2>&1)
check_eq "a bad port mapping: exit 125" 125 $?
check_contains "a bad port mapping is named" "$out" "io.podrt.ports: [0].containerPort: must be a port (1-65535)"

# ---- (c) delete: no veth, no lease ----
check_eq "two veths while two pods run" 2 "$(veths)"
check_eq "two leases while two pods run" 2 "$(leases "$NET")"
podrt delete --force "$server" "$hp" >/dev/null 2>"$T/err"
check_eq "delete both" 0 $?
check_eq "no veth left after delete" 0 "$(veths)"
check_eq "no lease left after delete" 0 "$(leases "$NET")"
check_eq "no pod directory left" "" "$(ls -A "$ROOT/pods" 2>/dev/null)"
check_eq "no netns mount left" "" "$(grep -F " $T/" /proc/self/mountinfo | awk '{print $5}')"
check_eq "no DNAT rule left for 18080" "" "$(innet iptables -t nat -S 2>/dev/null | grep -- '--dport 18080')"

# ---- creates at the same time: one address each, all released ----
for i in 1 2 3 4; do
        manifest "par$i" '{"apiVersion":"podrt/v1","kind":"Pod","name":"par'"$i"'",
  "containers":[{"name":"a","rootfs":"'"$T/rootfs"'","command":["/bin/true"]}]}' >/dev/null
        podrt --backend oci create "$T/par$i.json" >"$T/par$i.id" 2>"$T/par$i.err" &
done
wait
ips=""
for i in 1 2 3 4; do ips="$ips $(pod_ip "$(cat "$T/par$i.id")")"; done
check_eq "four creates at once: four addresses" 4 "$(echo $ips | tr ' ' '\n' | grep -c '^10\.89\.')"
check_eq "four creates at once: all different" 4 "$(echo $ips | tr ' ' '\n' | sort -u | grep -c .)"
podrt delete --force par1 par2 par3 par4 >/dev/null 2>&1
check_eq "four deletes: no veth" 0 "$(veths)"
check_eq "four deletes: no lease" 0 "$(leases "$NET")"

# ---- (d) a user's own conflist: ptp ----
m=$(manifest ptpserver '{"apiVersion":"podrt/v1","kind":"Pod","name":"ptpserver",
  "containers":[{"name":"httpd","rootfs":"'"$T/rootfs"'","command":["/bin/busybox","httpd","-f","-p","80","-h","/www"]}]}')
ps=$(podrt --config "$T/ptp.conf" --backend oci run -d "$m" 2>"$T/err")
check_eq "a pod on the ptp network runs" 0 $?
[ -n "$ps" ] || cat "$T/err" >&2
pip=$(pod_ip "$ps")
case $pip in 10.98.0.*) pass "ptp pod's IP: $pip" ;; *) fail "ptp pod's IP: [$pip]" ;; esac
check_eq "the test namespace fetches the page over ptp" "$PAGE" "$(wait_page "http://$pip/")"
podrt --config "$T/ptp.conf" delete --force "$ps" >/dev/null 2>&1
check_eq "ptp: no veth left" 0 "$(veths)"
# A kvm server on ptp (a host route to the gateway in the guest), stopped
# and started again: the tap stays in the namespace for the next VM.
if [ "$KVM_OK" = 1 ]; then
        { cat "$T/ptp.conf"; echo "kvm = { kernel = \"$KVM_KERNEL\"; modules = \"$KVM_MODULES\"; accel = \"tcg\"; };"; } >"$T/kvmptp.conf"
        ps=$(podrt --config "$T/kvmptp.conf" --backend kvm run -d "$T/ptpserver.json" 2>"$T/err")
        check_eq "a kvm pod on the ptp network runs" 0 $?
        [ -n "$ps" ] || sed 's/^/# /' "$T/err" >&2
        pip=$(pod_ip "$ps")
        check_contains "the kvm pod's description: the route to ptp's gateway" \
                "$(cat "$ROOT/pods/$ps/kvm/pod.conf" 2>&1)" " 10.98.0.1/32"
        check_eq "the test namespace fetches the kvm pod's page over ptp" "$PAGE" "$(wait_vm_page "http://$pip/")"
        podrt --config "$T/kvmptp.conf" stop --timeout 0 "$ps" >/dev/null 2>"$T/err"
        check_eq "the kvm pod on ptp stops" 0 $?
        podrt --config "$T/kvmptp.conf" start "$ps" >/dev/null 2>"$T/err"
        check_eq "the kvm pod on ptp starts again" 0 $?
        [ -s "$T/err" ] && sed 's/^/# /' "$T/err" >&2
        check_eq "its page again after the restart" "$PAGE" "$(wait_vm_page "http://$pip/")"
        podrt --config "$T/kvmptp.conf" delete --force "$ps" >/dev/null 2>&1
        check_eq "kvm on ptp: no veth left" 0 "$(veths)"
        check_eq "kvm on ptp: no lease left" 0 "$(leases "$PTP")"
fi
check_eq "ptp: no lease left" 0 "$(leases "$PTP")"

# ---- (e) a missing plugin, a failing plugin ----
m=$(manifest victim '{"apiVersion":"podrt/v1","kind":"Pod","name":"victim",
  "containers":[{"name":"a","rootfs":"'"$T/rootfs"'","command":["/bin/true"]}]}')
out=$(podrt --config "$T/missing.conf" --backend oci run --rm "$m" 2>&1)
check_eq "a missing CNI plugin: exit 125" 125 $?
printf "%s\n" "$out" | sed "s/^/# /"
check_contains "a missing CNI plugin is named" "$out" "CNI plugin 'nosuchplugin' not found"
out=$(podrt --config "$T/fail.conf" --backend oci run --rm "$m" 2>&1)
check_eq "a failing CNI plugin: exit 125" 125 $?
printf "%s\n" "$out" | sed "s/^/# /"
check_contains "a failing CNI plugin's message reaches the user" "$out" "cni: failplug: test failure; on request"
check_eq "after the failures: no veth" 0 "$(veths)"
check_eq "after the failures: no lease" 0 "$(leases "$FAILNET")"
check_eq "after the failures: no pod directory" "" "$(ls -A "$ROOT/pods" 2>/dev/null)"
check_eq "after the failures: no netns mount" "" "$(grep -F " $T/" /proc/self/mountinfo | awk '{print $5}')"

# ---- the built-in conflist: network "podrt" named by no file ----
# Its leases live in /var/lib/cni/networks/podrt: used only when that does
# not exist yet (no real podrt network on this host), and removed after.
if [ -e "$LEASES/podrt" ]; then
        echo "# built-in conflist: skipped ($LEASES/podrt exists: a real podrt network's leases)"
else
        mkdir -p "$T/empty.d"
        BUILTIN_MADE=1
        { echo 'network = "cni";'; settings podrt | sed "s|$T/net.d|$T/empty.d|"; } >"$T/builtin.conf"
        m=$(manifest builtin '{"apiVersion":"podrt/v1","kind":"Pod","name":"builtin",
  "containers":[{"name":"a","rootfs":"'"$T/rootfs"'","command":["/bin/sh","-c","ip -4 -o addr show eth0; ip route"]}]}')
        out=$(podrt --config "$T/builtin.conf" --backend oci run --rm "$m" 2>"$T/err")
        check_eq "a pod on the built-in conflist runs" 0 $?
        check_contains "built-in conflist: an address on 10.89.0.0/16" "$out" "inet 10.89."
        check_contains "built-in conflist: the default route via 10.89.0.1" "$out" "default via 10.89.0.1"
        check_eq "built-in conflist: the bridge is podrt0" "10.89.0.1/16" \
                "$(ip -n "$NS" -4 -o addr show podrt0 | awk '{print $4}')"
        check_eq "built-in conflist: no lease left" 0 "$(leases podrt)"
        rm -rf "$LEASES/podrt"
fi

# ---- a create SIGKILLed in the middle of ADD: gc leaves nothing ----
m=$(manifest killed '{"apiVersion":"podrt/v1","kind":"Pod","name":"killed",
  "containers":[{"name":"a","rootfs":"'"$T/rootfs"'","command":["/bin/true"]}]}')
# nsenter itself (it execs podrt: one process), not the innet function (a subshell).
nsenter --net="/run/netns/$NS" "$PODRT_BIN" --config "$T/slow.conf" --root "$ROOT" --backend oci \
        create "$m" >/dev/null 2>&1 &
creator=$!
i=0
while [ ! -s "$T/slow.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check_eq "killed create: bridge's ADD done, a lease taken" 1 "$(leases "$SLOWNET")"
check_eq "killed create: its veth there" 1 "$(veths)"
kill -9 "$creator" 2>/dev/null
wait "$creator" 2>/dev/null
kill -9 "$(cat "$T/slow.pid")" 2>/dev/null
rm -f "$T/slow.pid"
check_contains "killed create: what DEL needs was saved first" "$(ls "$ROOT"/pods/*/)" "cni-conflist.json"
podrt --config "$T/slow.conf" gc >/dev/null 2>"$T/err"
check_eq "gc after a killed create" 0 $?
check_eq "after gc: no veth" 0 "$(veths)"
check_eq "after gc: no lease" 0 "$(leases "$SLOWNET")"
check_eq "after gc: no pod directory" "" "$(ls -A "$ROOT/pods" 2>/dev/null)"
check_eq "after gc: no netns mount" "" "$(grep -F " $T/" /proc/self/mountinfo | awk '{print $5}')"

# ---- teardown from another process after the pod's files went half away ----
m=$(manifest half '{"apiVersion":"podrt/v1","kind":"Pod","name":"half",
  "containers":[{"name":"a","rootfs":"'"$T/rootfs"'","command":["/bin/sleep","60"]}]}')
id=$(podrt --backend oci create "$m" 2>"$T/err")
check_eq "create a pod" 0 $?
rm -f "$ROOT/pods/$id/cni-result.json"
podrt delete --force "$id" >/dev/null 2>"$T/err"
check_eq "delete without the saved result" 0 $?
check_eq "without the saved result: no veth" 0 "$(veths)"
check_eq "without the saved result: no lease" 0 "$(leases "$NET")"

if [ "$FAILED" -gt 0 ]; then
        echo "$FAILED check(s) failed" >&2
        exit $((FAILED > 90 ? 90 : FAILED))
fi
echo "all checks passed"
exit 0
