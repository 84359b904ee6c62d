#!/bin/bash
# The fuzzing pass (run by tests/run, so by CI): builds the libFuzzer
# targets with clang (-Dfuzzing=true) and runs each for SECONDS (default 30)
# from its seed corpus.  A crash, a leak, a timeout or running out of memory
# fails the pass; the input that did it is copied into
# tests/fuzz/corpus/NAME/ (commit it with the fix).
#   scripts/fuzz.sh [SECONDS] [BUILD_DIR]  (default 30, build-fuzz)
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
b=${2:-build-fuzz}
if [ ! -f "$b/build.ninja" ]; then
        CC=clang-14 meson setup "$b" -Dfuzzing=true >/dev/null || exit 1
fi
ninja -C "$b" >/dev/null || exit 1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp
passed=0 failed=0
for t in "$b"/tests/fuzz/fuzz-*; do
        [ -x "$t" ] && [ -f "$t" ] || continue
        name=${t##*/fuzz-}
        exe=$(realpath "$t")
        seeds=$PWD/tests/fuzz/corpus/$name
        work=$(mktemp -d /tmp/podrt-fuzz-XXXXXX)
        if (cd "$work" && "$exe" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
                -print_final_stats=0 "$work" "$seeds" >"$work.log" 2>&1); then
                echo "fuzz-$name: ok ($(grep -o 'Done [0-9]* runs' "$work.log" | tail -1))"
                passed=$((passed + 1))
        else
                echo "fuzz-$name: FAILED"
                grep -E 'ERROR|runtime error|SUMMARY' "$work.log" | head -5
                for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
                        [ -f "$a" ] || continue
                        cp "$a" "tests/fuzz/corpus/$name/" && echo "  reproducer: tests/fuzz/corpus/$name/${a##*/}"
                done
                failed=$((failed + 1))
        fi
        rm -rf "$work" "$work.log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -ge 4 ]
