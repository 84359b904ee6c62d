#!/bin/sh
# podrt --backend oci run: output, exit codes, environment, hostname and the
# generated /etc files, on real runc; nothing left after --rm.
. "$(dirname "$0")/lib.sh"

cg_before=$(pod_cgroups)

# The app's exit code is podrt's; its stdout and stderr are podrt's.
m=$(manifest seven '{"apiVersion":"podrt/v1","kind":"Pod","name":"seven",
  "containers":[{"name":"app","rootfs":"rootfs",
    "command":["/bin/sh","-c","echo to-stdout; echo to-stderr >&2; exit 7"]}]}')
podrt run --rm "$m" >"$T/out" 2>"$T/err"
check_eq "exit code 7 propagates" 7 $?
check_eq "app stdout on stdout" "to-stdout" "$(cat "$T/out")"
check_contains "app stderr on stderr" "$(cat "$T/err")" "to-stderr"
check_clean "after run --rm of an app exiting 7" "$cg_before"

m=$(manifest zero '{"apiVersion":"podrt/v1","kind":"Pod","name":"zero",
  "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/true"]}]}')
podrt run --rm "$m" >/dev/null 2>&1
check_eq "exit code 0" 0 $?

# A program that is not there: 127, and runc's message.
m=$(manifest missing '{"apiVersion":"podrt/v1","kind":"Pod","name":"missing",
  "containers":[{"name":"app","rootfs":"rootfs","command":["/no/such/program"]}]}')
podrt run --rm "$m" >/dev/null 2>"$T/err"
check_eq "a missing program exits 127" 127 $?
check_contains "a missing program is named" "$(cat "$T/err")" "/no/such/program"
check_clean "after a missing program" "$cg_before"

# A file that cannot be executed: 126.
m=$(manifest noexec '{"apiVersion":"podrt/v1","kind":"Pod","name":"noexec",
  "containers":[{"name":"app","rootfs":"rootfs","command":["/etc/passwd"]}]}')
podrt run --rm "$m" >/dev/null 2>&1
check_eq "a program that cannot run exits 126" 126 $?

# Environment: the defaults of CONTRACTS.md and the manifest's.
m=$(manifest env '{"apiVersion":"podrt/v1","kind":"Pod","name":"envpod","hostname":"envhost",
  "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/sh","-c","env"],
    "env":{"GREETING":"podrt","HOME":"/tmp"}}]}')
out=$(podrt run --rm "$m" 2>&1)
check_contains "env: the manifest's variable" "$out" "GREETING=podrt"
check_contains "env: the manifest's value over a default" "$out" "HOME=/tmp"
check_contains "env: PATH default" "$out" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
check_contains "env: container=podrt" "$out" "container=podrt"
check_contains "env: HOSTNAME" "$out" "HOSTNAME=envhost"
check_contains "env: USER" "$out" "USER=root"

# Hostname, /etc/hostname, /etc/hosts, /etc/resolv.conf, /run/.containerenv.
m=$(manifest etc '{"apiVersion":"podrt/v1","kind":"Pod","name":"etc","hostname":"web1",
  "hosts":[{"ip":"192.0.2.10","names":["db","db.local"]}],
  "dns":{"servers":["192.0.2.53"],"searches":["example.com"],"options":["ndots:2"]},
  "containers":[{"name":"app","rootfs":"rootfs","workingDir":"/tmp","command":["/bin/sh","-c",
    "hostname; cat /etc/hostname; echo ---; cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; cat /run/.containerenv; echo ---; pwd"]}]}')
podrt run --rm "$m" >"$T/out" 2>"$T/err"
check_eq "etc pod exits 0" 0 $?
expected='web1
web1
---
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
192.0.2.10	db db.local
127.0.1.1	web1
---
search example.com
nameserver 192.0.2.53
options ndots:2
---'
check_eq "hostname, /etc/hostname, /etc/hosts, /etc/resolv.conf" "$expected" "$(head -n 12 "$T/out")"
check_contains "/run/.containerenv" "$(cat "$T/out")" 'name="app"'
check_eq "working directory" "/tmp" "$(tail -n 1 "$T/out")"

# Without manifest dns: the host's resolv.conf (minus loopback servers).
m=$(manifest hostdns '{"apiVersion":"podrt/v1","kind":"Pod","name":"hostdns",
  "containers":[{"name":"app","rootfs":"rootfs","command":["/bin/cat","/etc/resolv.conf"]}]}')
want=$(grep -E '^nameserver' /etc/resolv.conf | grep -vE '^nameserver (127\.|::1)' | head -n 1)
if [ -n "$want" ]; then
        check_contains "the host's nameserver" "$(podrt run --rm "$m" 2>&1)" "$want"
fi

# User, group and supplementary groups.
m=$(manifest user '{"apiVersion":"podrt/v1","kind":"Pod","name":"user",
  "containers":[{"name":"app","rootfs":"rootfs","user":"1000","group":"1000","supplementaryGroups":[10],
    "command":["/bin/sh","-c","id -u; id -g; id -G"]}]}')
check_eq "uid, gid, groups" "1000
1000
1000 10" "$(podrt run --rm "$m" 2>&1)"

# A read-only root filesystem.
m=$(manifest rorootfs '{"apiVersion":"podrt/v1","kind":"Pod","name":"rorootfs",
  "containers":[{"name":"app","rootfs":"rootfs","readOnlyRootfs":true,
    "command":["/bin/sh","-c","touch /newfile"]}]}')
podrt run --rm "$m" >/dev/null 2>"$T/err"
check_eq "read-only rootfs: a write fails" 1 $?
check_contains "read-only rootfs: the error" "$(cat "$T/err")" "Read-only file system"
[ -e "$T/rootfs/newfile" ] && fail "read-only rootfs: the file exists on the host"

check_clean "after every run" "$cg_before"
finish
