#!/bin/sh
# bench/run: every benchmark of podrt in one go, and one table of what they
# measured, in markdown, ready to paste into the README's Speed section.
#
#   bench/run.sh [-n ROUNDS] [-b BUILD_DIR] [-d DIR] [-k KVM_ROUNDS] [-s SKIP] [-t]
#
#   -n ROUNDS      rounds of bench/oci and bench/nspawn (default 30)
#   -k KVM_ROUNDS  rounds of bench/kvm (default 10: a TCG boot takes seconds)
#   -b BUILD_DIR   the meson build dir (default: $PODRT_BUILD_DIR, else
#                  ./build), relative or absolute, passed to each bench
#   -d DIR         where each bench puts its files (a folder per bench below
#                  it; default: each bench's own default)
#   -s SKIP        benches to leave out, comma-separated (oci, nspawn, kvm,
#                  list, memory)
#   -t             a tmpfs mounted for the benches' files (DIR, else a new
#                  folder under /run): the state dirs, both tools', in RAM as
#                  /run is on a systemd host; unmounted at the end
#
# Runs bench/oci, bench/nspawn, bench/kvm, bench/list.sh and
# bench/memory.sh one after the other, prints what each says, then the
# table: what, podrt, the bare tool, the ratio.  A bench that fails is
# named in the table and the others still run.  Needs root.
set -eu

bench=oci
. "$(dirname "$0")/lib.sh"
kvm_rounds=10
skip=""
tmpfs=0
bench_opt() {
        case $1 in
        k) kvm_rounds=$2 ;;
        s) skip=",$2," ;;
        t) tmpfs=1 ;;
        *) return 1 ;;
        esac
}
args="$*"
bench_setup 30 n:b:d:k:s:t 22 "$@"

out=$(mktemp -d /tmp/podrt-bench-run.XXXXXX)
trap 'rm -rf "$out"' EXIT
trap 'exit 130' INT TERM
where=""
if [ "$tmpfs" = 1 ]; then
        made=0
        [ -n "$dir" ] || { dir=$(mktemp -d /run/podrt-bench-tmpfs.XXXXXX); made=1; }
        mkdir -p "$dir"
        mount -t tmpfs -o mode=0755 podrt-bench "$dir"
        trap 'umount -l "$dir"; [ "$made" = 0 ] || rmdir "$dir"; rm -rf "$out"' EXIT
        where=", the benches' files on a tmpfs"
fi

# one NAME SCRIPT ARGS...: runs a bench, its output shown and kept.
one() {
        name=$1
        shift
        case $skip in *",$name,"*) return 0 ;; esac
        d=""
        [ -n "$dir" ] && d="-d $dir/$name"
        echo "== $name: $*" >&2
        # shellcheck disable=SC2086
        if sh "$@" -b "$build" $d >"$out/$name.txt" 2>"$out/$name.err"; then
                grep -v '^result	' "$out/$name.txt" >&2 || true
        else
                cat "$out/$name.err" >&2
                bench_result "$name: failed ($(tail -n 1 "$out/$name.err"))" - - - >>"$out/$name.txt"
        fi
}
one oci "$src/bench/oci/bench.sh" -n "$rounds"
one nspawn "$src/bench/nspawn/bench.sh" -n "$rounds"
one kvm "$src/bench/kvm/bench.sh" -n "$kvm_rounds"
one list "$src/bench/list.sh"
one memory "$src/bench/memory.sh"

echo
echo "Measured $(date -u +%Y-%m-%d) with \`bench/run.sh${args:+ $args}\` on $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)$where:"
echo
echo "| what | podrt | bare tool | ratio |"
echo "|---|---|---|---|"
for name in oci nspawn kvm list memory; do
        [ -f "$out/$name.txt" ] && cat "$out/$name.txt"
done | awk -F '\t' '$1 == "result" { printf "| %s | %s | %s | %s |\n", $2, $3, $4, $5 }'
