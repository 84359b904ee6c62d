#!/bin/sh
# Volumes, resources and capabilities on real runc: a read-only volume is
# enforced, an empty volume is shared by the pod's containers, the memory,
# cpu and pids limits are in each container's cgroup, a dropped capability is
# absent from CapBnd.
. "$(dirname "$0")/lib.sh"

cg_before=$(pod_cgroups)
mkdir -p "$T/data"
echo "from the host" >"$T/data/file"

# A host volume read-only, an empty volume shared by two containers (the
# second reads what the first wrote), and a writable host volume.
m=$(manifest vols '{"apiVersion":"podrt/v1","kind":"Pod","name":"vols",
  "volumes":[{"name":"data","kind":"host","source":"'"$T"'/data","readOnly":true},
             {"name":"rw","kind":"host","source":"'"$T"'/data"},
             {"name":"scratch","kind":"empty"}],
  "containers":[
    {"name":"writer","rootfs":"rootfs","command":["/bin/sh","-c",
      "cat /data/file; touch /data/new 2>&1; echo shared-content > /scratch/f; echo rw > /rw/rw-file"],
     "mounts":[{"volume":"data","path":"/data"},{"volume":"scratch","path":"/scratch"},{"volume":"rw","path":"/rw"}]},
    {"name":"reader","rootfs":"rootfs","command":["/bin/sh","-c",
      "i=0; while [ ! -s /scratch/f ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; echo reader sees $(cat /scratch/f)"],
     "mounts":[{"volume":"scratch","path":"/scratch"}]}]}')
out=$(podrt run --rm "$m" 2>&1)
check_contains "a host volume is mounted" "$out" "from the host"
check_contains "a read-only volume refuses writes" "$out" "Read-only file system"
[ -e "$T/data/new" ] && fail "a read-only volume: the file was written on the host"
check_contains "an empty volume is shared between containers" "$out" "reader sees shared-content"
check_eq "a writable host volume is written" "rw" "$(cat "$T/data/rw-file" 2>/dev/null)"
check_clean "after the volumes pod" "$cg_before"

# Resources: memory 64Mi, cpu 500m, pids 64, in the container's cgroup.
m=$(manifest res '{"apiVersion":"podrt/v1","kind":"Pod","name":"res",
  "containers":[{"name":"app","rootfs":"rootfs","resources":{"memory":"64Mi","cpu":"500m","pids":64},
    "command":["/bin/sh","-c",
      "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max;
       cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d\" \" -f1 /sys/fs/cgroup/cpu.max;
       cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max"]}]}')
check_eq "memory, cpu quota and pids limit in the container's cgroup" "67108864
50000
64" "$(podrt run --rm "$m" 2>&1)"

# And on the host, below podrt's pod cgroup, while it runs.
m=$(manifest reshost '{"apiVersion":"podrt/v1","kind":"Pod","name":"reshost",
  "containers":[{"name":"app","rootfs":"rootfs","resources":{"memory":"32Mi"},
    "command":["/bin/sleep","1000"]}]}')
id=$(podrt run -d "$m")
check_eq "run -d prints the pod ID" 32 "${#id}"
wait_runc "$id-app" running >/dev/null
mem=""
for m in $(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup2?$/) print $5; break } }' /proc/self/mountinfo); do
        f="$m/podrt/$id/app/memory.limit_in_bytes"
        [ -f "$f" ] || f="$m/podrt/$id/app/memory.max"
        [ -f "$f" ] && mem=$(cat "$f")
done
check_eq "the pod's cgroup /podrt/<id>/<app> on the host" 33554432 "$mem"
podrt delete --force "$id" >/dev/null 2>&1
check_clean "after delete --force of a running pod" "$cg_before"

# Capabilities: CAP_NET_RAW (bit 13) is in the default set; dropped, it is
# not in the bounding set; an added one is.
capbnd() {
        m=$(manifest caps "{\"apiVersion\":\"podrt/v1\",\"kind\":\"Pod\",\"name\":\"caps\",
          \"containers\":[{\"name\":\"app\",\"rootfs\":\"rootfs\",\"capabilities\":$1,
            \"command\":[\"/bin/sh\",\"-c\",\"grep CapBnd /proc/self/status\"]}]}")
        podrt run --rm "$m" 2>&1 | awk '{print $2}'
}
has_bit() { [ $(( 0x$1 >> $2 & 1 )) = 1 ]; }
with=$(capbnd '{"add":[],"drop":[]}')
without=$(capbnd '{"drop":["CAP_NET_RAW"]}')
added=$(capbnd '{"add":["CAP_SYS_TIME"]}')
if has_bit "$with" 13; then pass "CAP_NET_RAW is in the default set ($with)"; else fail "CAP_NET_RAW not in the default set ($with)"; fi
if has_bit "$without" 13; then fail "a dropped CAP_NET_RAW is in CapBnd ($without)"; else pass "a dropped CAP_NET_RAW is absent from CapBnd ($without)"; fi
if has_bit "$with" 21; then fail "CAP_SYS_ADMIN in the default set ($with)"; else pass "CAP_SYS_ADMIN is not in the default set"; fi
if has_bit "$added" 25; then pass "an added CAP_SYS_TIME is in CapBnd"; else fail "an added CAP_SYS_TIME is missing ($added)"; fi

check_clean "after every pod" "$cg_before"
finish
