#!/bin/bash
# Bounded logs: an app that writes 200 MB leaves at most twice log_size_max
# on disk (the log and one rotated file, as conmon's log_size_max), and
# `podrt logs` reads across the rotation, ending with the app's last line.
# The default limit (16Mi) and a small one set in the configuration.
. "$(dirname "$0")/lib.sh"

for limit in default 1Mi; do
        if [ "$limit" = default ]; then
                unset PODRT_CONFIG
                max=$((16 * 1024 * 1024))
        else
                printf 'log_size_max = "%s";\n' "$limit" >"$T/podrt.conf"
                export PODRT_CONFIG=$T/podrt.conf
                max=$((1024 * 1024))
        fi
        manifest "$T/pod.json" "chatty" "yes 0123456789abcdefghijklmnopqrstuvwxyz 2>/dev/null | head -c 209715200; echo; echo LAST LINE"
        podrt --backend mock run --name chatty "$T/pod.json" >/dev/null || fail "$limit: run failed"
        dir=$(ls -d "$ROOT"/pods/*/apps/app)
        bytes=$(cat "$dir"/output.log* | wc -c)
        [ "$bytes" -le $((2 * max + 65536)) ] ||
                fail "$limit: $bytes bytes of log on disk, more than twice the limit ($max)"
        [ "$bytes" -ge "$max" ] || fail "$limit: only $bytes bytes kept (the limit is $max)"
        [ -f "$dir/output.log.1" ] || fail "$limit: no rotated output.log.1"
        last=$(podrt logs chatty | tail -1)
        [ "$last" = "LAST LINE" ] || fail "$limit: podrt logs ends with '$last'"
        shown=$(podrt logs chatty | wc -c)
        [ "$shown" -eq "$bytes" ] || fail "$limit: podrt logs shows $shown bytes, the files hold $bytes"
        echo "log_size_max $limit: 200 MB written, $bytes bytes on disk"
        podrt delete chatty || fail "delete"
done
unset PODRT_CONFIG
printf 'log_size_max = "12";\n' >"$T/bad.conf"
out=$(PODRT_CONFIG=$T/bad.conf "$PODRT_BIN" --root "$ROOT" list 2>&1)
[ "$out" = "podrt: list: $T/bad.conf:1: log_size_max: must be a size of at least 4Ki (\"16Mi\", \"1G\") or \"0\" for no limit, not '12'" ] ||
        fail "a bad log_size_max: '$out'"
echo "$((11 - FAILED)) passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
