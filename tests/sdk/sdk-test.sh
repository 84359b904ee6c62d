#!/bin/bash
# The plugin SDK, end to end (run by `meson test sdk`):
#  1. install podrt into a temporary DESTDIR;
#  2. build examples/plugin against ONLY that staged install, through
#     pkg-config (PKG_CONFIG_PATH + PKG_CONFIG_SYSROOT_DIR), and check that no
#     compiler flag points into podrt's source tree;
#  3. install the plugin, and check it lands in podrt's plugindir;
#  4. run a pod with the staged `podrt --backend example run` and check its
#     output and exit codes.
# Needs PODRT_BUILD_DIR and PODRT_SOURCE_DIR (set by meson's test env).
set -euo pipefail

fail() { echo "sdk-test: FAIL: $*" >&2; exit 1; }

B=${PODRT_BUILD_DIR:?PODRT_BUILD_DIR is not set}
S=${PODRT_SOURCE_DIR:?PODRT_SOURCE_DIR is not set}
B=$(cd "$B" && pwd)
S=$(cd "$S" && pwd)

T=$(mktemp -d /tmp/podrt-sdk-XXXXXX)
cleanup() {
        # A pod left behind by a failure may hold a mount (its netns) in $T.
        awk -v t="$T/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r |
                while read -r m; do umount -l "$m" 2>/dev/null || true; done
        rm -rf "$T"
}
trap cleanup EXIT
chmod 0755 "$T"
D=$T/destdir

# ---- 1. the staged install ----------------------------------------------
meson install -C "$B" --destdir "$D" --quiet >"$T/install.log" 2>&1 ||
        { cat "$T/install.log" >&2; fail "meson install into $D failed"; }

pc=$(find "$D" -name podrt.pc -print -quit)
[ -n "$pc" ] || fail "no podrt.pc in the staged install"
podrt=$(find "$D" -path '*/bin/podrt' -type f -print -quit)
[ -n "$podrt" ] || fail "no bin/podrt in the staged install"
lib=$(find "$D" -name 'libpodrt.so.1' -print -quit)
[ -n "$lib" ] || fail "no libpodrt.so.1 in the staged install"
[ -f "$(dirname "$pc")/../../include/podrt/plugin.h" ] ||
        [ -n "$(find "$D" -path '*/include/podrt/plugin.h' -print -quit)" ] ||
        fail "no podrt/plugin.h in the staged install"

export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$D
unset PKG_CONFIG_LIBDIR || true

cflags=$(pkg-config --cflags podrt) || fail "pkg-config --cflags podrt failed"
case " $cflags " in
        *"$S"*) fail "pkg-config's podrt cflags point into the source tree: $cflags" ;;
esac
plugindir=$(pkg-config --variable=plugindir podrt)
[ -n "$plugindir" ] || fail "podrt.pc has no plugindir"
case "${plugindir#"$D"}" in
        /*/lib/podrt/plugins) ;;
        *) fail "podrt.pc's plugindir is $plugindir, not <prefix>/lib/podrt/plugins" ;;
esac

# ---- 2. build the example against the staged install --------------------
E=$T/example-build
meson setup "$E" "$S/examples/plugin" >"$T/setup.log" 2>&1 ||
        { cat "$T/setup.log" >&2; fail "meson setup of examples/plugin failed"; }
ninja -C "$E" >"$T/build.log" 2>&1 ||
        { cat "$T/build.log" >&2; fail "building examples/plugin failed"; }
[ -f "$E/example.so" ] || fail "the build made no example.so"
grep -q 'warning:' "$T/build.log" && { cat "$T/build.log" >&2; fail "the example builds with warnings"; }

# Only the staged install: no -I into podrt's sources or its build dir.
cc=$E/compile_commands.json
[ -f "$cc" ] || fail "no compile_commands.json"
grep -q -- "-I$D" "$cc" || fail "the example was not compiled against the staged headers"
if grep -E -- "-I *($S|$B)(/| |\")" "$cc" >/dev/null; then
        fail "the example's compile flags point into podrt's tree: $(grep -o -- '-I[^ ]*' "$cc" | sort -u | tr '\n' ' ')"
fi
nm -D --defined-only "$E/example.so" | grep -q ' podrt_plugin_entry$' ||
        fail "example.so does not export podrt_plugin_entry"
exported=$(nm -D --defined-only "$E/example.so" | awk '$2 ~ /^[TDBR]$/ {print $3}' | grep -v '^_' | sort)
[ "$exported" = "podrt_plugin_entry" ] || fail "example.so exports more than its entry: $exported"

# ---- 3. install the example into podrt's plugindir ----------------------
meson install -C "$E" --destdir "$T/example-dest" --quiet >"$T/example-install.log" 2>&1 ||
        { cat "$T/example-install.log" >&2; fail "meson install of the example failed"; }
installed=$(find "$T/example-dest" -name example.so -print -quit)
[ -n "$installed" ] || fail "the example installed no example.so"
case "$installed" in
        "$T/example-dest$plugindir/example.so"|"$T/example-dest${plugindir#"$D"}/example.so") ;;
        *) fail "example.so went to $installed, not into plugindir $plugindir" ;;
esac

# ---- 4. run a pod with the staged podrt and the example -----------------
mkdir -p "$T/pod/rootfs" "$T/state"
cat >"$T/pod/pod.json" <<'JSON'
{
  "apiVersion": "podrt/v1",
  "kind": "Pod",
  "name": "sdk",
  "containers": [
    { "name": "app", "rootfs": "rootfs",
      "command": ["/bin/sh", "-c", "echo hello from $GREETING; echo note >&2"],
      "env": { "GREETING": "the example plugin" } }
  ]
}
JSON
sed -e 's/"sdk"/"sdk-fail"/' -e 's|echo hello from $GREETING; echo note >&2|exit 3|' \
        "$T/pod/pod.json" >"$T/pod/fail.json"

# An empty configuration: the embedded defaults, whatever /etc/podrt holds.
: >"$T/podrt.conf"
export PODRT_CONFIG=$T/podrt.conf
export LD_LIBRARY_PATH=$(dirname "$lib")
export PODRT_PLUGIN_PATH=$E

status=0
"$podrt" --root "$T/state" --backend example run --rm "$T/pod/pod.json" \
        >"$T/out" 2>"$T/err" || status=$?
if [ "$status" != 0 ]; then
        cat "$T/out" "$T/err" >&2
        fail "podrt --backend example run exited $status, not 0"
fi
grep -qx 'hello from the example plugin' "$T/out" ||
        { cat "$T/out" "$T/err" >&2; fail "the app's output is missing from podrt run's stdout"; }
grep -qx 'note' "$T/err" ||
        { cat "$T/out" "$T/err" >&2; fail "the app's stderr is missing from podrt run's stderr"; }

# The failing pod with the installed copy of the plugin.
export PODRT_PLUGIN_PATH=$(dirname "$installed")
status=0
"$podrt" --root "$T/state" --backend example run --rm "$T/pod/fail.json" \
        >"$T/out" 2>"$T/err" || status=$?
[ "$status" = 3 ] || { cat "$T/out" "$T/err" >&2; fail "a failing app: podrt run exited $status, not 3"; }

"$podrt" --root "$T/state" plugins >"$T/plugins" 2>&1 ||
        { cat "$T/plugins" >&2; fail "podrt plugins failed"; }
grep -q 'example' "$T/plugins" || { cat "$T/plugins" >&2; fail "podrt plugins does not list example"; }

echo "sdk-test: ok: built against $D, ran a pod with the example backend"
