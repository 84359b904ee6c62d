#!/bin/bash
# The layering, as the build made it (run by `meson test layering`):
#  1. libpodrt.so exports podrt_* only (its version script, core/podrt.sym);
#  2. no in-tree plugin imports a non-podrt_ symbol that libpodrt defines
#     (a plugin's helpers come from basic/, linked into it, hidden);
#  3. no plugin is compiled with core/ on its include path: only include/,
#     basic/ and its own folder (compile_commands.json says how each file
#     was compiled).
set -euo pipefail
B=$(cd "${PODRT_BUILD_DIR:?}" && pwd)
S=$(cd "${PODRT_SOURCE_DIR:?}" && pwd)
fail=0
bad() { echo "layering: FAIL: $*" >&2; fail=1; }

lib=$B/core/libpodrt.so
[ -f "$lib" ] || { echo "layering: FAIL: no $lib" >&2; exit 1; }
exports=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | sort -u)
n=$(printf '%s\n' "$exports" | grep -c '^podrt_' || true)
[ "$n" -gt 50 ] || bad "libpodrt.so exports only $n podrt_ symbols"
other=$(printf '%s\n' "$exports" | grep -v '^podrt_' | grep -v '^$' || true)
[ -z "$other" ] || bad "libpodrt.so exports non-podrt_ symbols: $(echo $other)"

plugins=$(find "$B/plugins" -name '*.so' -type f | sort)
[ -n "$plugins" ] || bad "no plugins built under $B/plugins"
for p in $plugins; do
        undef=$(nm -D --undefined-only "$p" | awk '{print $2}' | sed 's/@.*//')
        for s in $undef; do
                case $s in podrt_*|_ITM_*|__gmon_start__|__cxa_finalize) continue ;; esac
                if printf '%s\n' "$exports" | grep -qx "$s"; then
                        bad "$(basename "$p") imports $s from libpodrt"
                fi
        done
        defined=$(nm -D --defined-only "$p" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort -u)
        [ "$defined" = "podrt_plugin_entry" ] || bad "$(basename "$p") exports more than podrt_plugin_entry: $(echo $defined)"
done

# Include paths of every plugin source (the plugins' own targets, not the
# unit tests that compile plugin sources).
python3 - "$B/compile_commands.json" "$S" "$B" <<'PY' || fail=1
import json, os, shlex, sys
cmds, src = json.load(open(sys.argv[1])), os.path.realpath(sys.argv[2])
build = os.path.realpath(sys.argv[3])
core = os.path.join(src, "core")
allowed = [os.path.join(src, "include"), os.path.join(src, "basic")]
bad = seen = 0
for c in cmds:
    out = c.get("output", "")
    if not out.startswith("plugins/") or ".so.p/" not in out:
        continue
    seen += 1
    args = shlex.split(c["command"])
    for i, a in enumerate(args):
        d = a[2:] if a.startswith("-I") and len(a) > 2 else (args[i + 1] if a == "-I" else None)
        if d is None:
            continue
        d = os.path.realpath(os.path.join(c["directory"], d))
        if d == build or d.startswith(build + os.sep):
            continue   # generated files of the build itself
        if d == core or d.startswith(core + os.sep):
            print(f"layering: FAIL: {c['file']} is compiled with {d} on its include path", file=sys.stderr)
            bad = 1
        elif d.startswith(src + os.sep) and not any(d == a or d.startswith(a + os.sep) for a in allowed) \
                and not d.startswith(os.path.join(src, "plugins")):
            print(f"layering: FAIL: {c['file']} sees {d}", file=sys.stderr)
            bad = 1
if seen < 20:
    print(f"layering: FAIL: only {seen} plugin compile commands found", file=sys.stderr)
    bad = 1
sys.exit(bad)
PY

# The podrt command links the core statically and exports its podrt_*
# functions, so a plugin's accessor calls bind to that very core, not to a
# libpodrt.so that another build or installation left on the system.
cli=$B/core/cli/podrt
n_cli=$(nm -D --defined-only "$cli" | awk '{print $3}' | grep -c '^podrt_' || true)
[ "$n_cli" -eq "$n" ] || bad "podrt exports $n_cli podrt_ functions, libpodrt.so $n"
T=$(mktemp -d /tmp/podrt-layering-XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir "$T/rootfs"
cat >"$T/pod.json" <<'JSON'
{ "apiVersion": "podrt/v1", "kind": "Pod", "name": "bind",
  "containers": [ { "name": "app", "rootfs": "rootfs", "command": ["/bin/true"] } ] }
JSON
LD_DEBUG=bindings LD_DEBUG_OUTPUT=$T/ld PODRT_PLUGIN_PATH=$B/tests/mock \
        "$cli" --root "$T/state" --backend mock run --rm "$T/pod.json" >/dev/null 2>&1 ||
        bad "podrt --backend mock run failed"
if ! grep -hE "binding file .*mock\.so .* to .*/podrt \[0\]: normal symbol \`podrt_app_command'" "$T"/ld.* >/dev/null; then
        bad "mock.so's podrt_app_command does not bind to the podrt command's core"
fi
if grep -hE "binding file .*mock\.so .* to .*libpodrt\.so.*: normal symbol \`podrt_" "$T"/ld.* >/dev/null; then
        bad "mock.so binds podrt_ symbols to a libpodrt.so: $(grep -hE "mock\.so .* to .*libpodrt" "$T"/ld.* | head -1)"
fi

[ $fail -eq 0 ] || exit 1
echo "layering: libpodrt exports $n podrt_ symbols and nothing else; $(echo $plugins | wc -w) plugins import no internal symbol and see include/ and basic/ only"
