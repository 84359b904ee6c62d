#!/bin/bash
# The sanitizer pass (run by tests/run, so by CI): the tree built with
# ASan and UBSan (gcc; podrt-init excepted: it is static, which ASan cannot
# link, and built without them), then the unit suites and the mock-backend
# suites run with halt_on_error=1 and leak detection.
#   scripts/sanitize.sh [BUILD_DIR]       (default build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build-asan}
[ -f "$b/build.ninja" ] ||
        meson setup "$b" --prefix=/usr/local -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C "$b" >/dev/null
[ -x "$b/rootfs/bin/busybox" ] || scripts/mkrootfs.sh "$b/rootfs" >/dev/null
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp
# Unit suites, and the suites whose pods run on the mock backend.
meson test -C "$b" --print-errorlogs --no-rebuild --timeout-multiplier 3 \
        manifest config check store loader abi lifecycle cli hooks hooks-plugin \
        hooks-integration init oci-unit nspawn kvm-unit storage layering cxx-headers
