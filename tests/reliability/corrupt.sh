#!/bin/bash
# A pod whose state.json is empty, truncated, garbage, missing, or another
# pod's: status says it is corrupt (exit 125, naming the file), list shows
# it instead of hiding it, delete --force removes it (its netns mount too)
# and frees its name; a read-only state dir can still be listed.
. "$(dirname "$0")/lib.sh"
checks=0
check() { checks=$((checks + 1)); }

manifest "$T/pod.json" "other" "exec sleep 1"
podrt --backend mock create "$T/pod.json" >/dev/null || fail "create other"
other=$(ls "$ROOT"/pods | head -1)
for kind in empty truncated garbage missing foreign; do
        manifest "$T/pod.json" "bad-$kind" "exec sleep 1"
        id=$(podrt --backend mock create "$T/pod.json") || { fail "$kind: create"; continue; }
        st=$ROOT/pods/$id/state.json
        case $kind in
        empty) : >"$st" ;;
        truncated) head -c 40 "$ROOT/pods/$id/state.json" >"$T/t" && mv "$T/t" "$st" ;;
        garbage) printf '\x00\x01garbage{{' >"$st" ;;
        missing) rm -f "$st" ;;
        foreign) cp "$ROOT/pods/$other/state.json" "$st" ;;
        esac
        out=$(podrt status "bad-$kind" 2>&1); rc=$?
        check; [ $rc -eq 125 ] || fail "$kind: status exit $rc, expected 125"
        check; case $out in *"$id"*) ;; *) fail "$kind: status does not name the pod's folder: $out" ;; esac
        check; podrt list 2>&1 | grep -q "^${id:0:12} .*unknown" || fail "$kind: list hides the pod: $(podrt list 2>&1)"
        check; podrt delete --force "bad-$kind" 2>"$T/err" || fail "$kind: delete --force: $(cat "$T/err")"
        check; [ ! -e "$ROOT/pods/$id" ] || fail "$kind: the folder is still there"
        check; [ ! -L "$ROOT/names/bad-$kind" ] || fail "$kind: the name is still claimed"
        check; grep -qF "$ROOT/pods/$id" /proc/self/mountinfo && fail "$kind: its netns is still mounted"
        # The foreign copy names the other pod: that one must be untouched.
        check; [ -f "$ROOT/pods/$other/state.json" ] || fail "$kind: deleting it removed the other pod"
done
check; [ "$(podrt status --json other | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" = created ] ||
        fail "the other pod is not as it was"

# A read-only state dir: list works (shared locks need no write access).
mount --bind "$ROOT" "$ROOT" && mount -o remount,bind,ro "$ROOT"
out=$(podrt list 2>&1); rc=$?
umount "$ROOT"
check; [ $rc -eq 0 ] && printf '%s' "$out" | grep -q other || fail "list on a read-only state dir: $rc: $out"
podrt delete --force other >/dev/null 2>&1
left=$(leftovers)
check; [ -z "$left" ] || fail "left:$left"
echo "$((checks - FAILED)) passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
