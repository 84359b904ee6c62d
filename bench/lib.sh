# What bench/kvm/bench.sh and bench/oci/bench.sh share; sourced with $bench
# set to the backend (kvm, oci): the options every bench has, and the checks
# of what every bench needs.  POSIX sh.

build=${PODRT_BUILD_DIR:-build}
dir=""

# A bench's own option letters (beyond -n, -b, -d): bench_opt LETTER ARG,
# which the bench redefines; false for any letter it does not know.
bench_opt() { return 1; }

# bench_getopts OPTSTRING USAGE_END "$@": -n ROUNDS, -b BUILD_DIR and -d DIR
# into rounds, build and dir, the other letters of OPTSTRING to bench_opt;
# anything else prints the usage (lines 2 to USAGE_END of the bench, their
# "# " cut) and exits 2.
bench_getopts() {
        optstring=$1 usage_end=$2
        shift 2
        while getopts "$optstring" opt; do
                case $opt in
                n) rounds=$OPTARG ;;
                b) build=$OPTARG ;;
                d) dir=$OPTARG ;;
                *) if [ "$opt" = "?" ] || ! bench_opt "$opt" "${OPTARG:-}"; then
                        sed -n "2,${usage_end}s/^# \{0,1\}//p" "$0" >&2
                        exit 2
                   fi ;;
                esac
        done
}

bench_die() { echo "bench/$bench: $*" >&2; exit 1; }

# src (the source tree), build (made absolute), podrt_bin and plugins (a
# PODRT_PLUGIN_PATH of this build's plugin dirs); root, the podrt CLI and
# the backend's plugin ($build/plugins/$bench/$bench.so).
bench_init() {
        src=$(cd "$(dirname "$0")" && pwd)
        while [ ! -f "$src/bench/lib.sh" ] && [ "$src" != / ]; do src=$(dirname "$src"); done
        build=$(cd "$build" && pwd)
        podrt_bin=$build/core/cli/podrt
        [ "$(id -u)" = 0 ] || bench_die "needs root"
        [ -x "$podrt_bin" ] || bench_die "$podrt_bin not built (-b BUILD_DIR)"
        [ -f "$build/plugins/$bench/$bench.so" ] || bench_die "$build/plugins/$bench/$bench.so not built"
        # Every plugin of this build (hooks and storage too), found before
        # any installed one of the same name.
        plugins=$(for d in "$build"/plugins/*/; do printf '%s:' "${d%/}"; done)
        plugins=${plugins%:}
}

# Microseconds since the epoch (GNU date).
bench_now_us() { date +%s%6N; }

# The median and the minimum of a file of microsecond figures, in ms.
bench_median() { sort -n "$1" | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'; }
bench_min() { sort -n "$1" | awk 'NR == 1 { printf "%.1f", $1 / 1000 }'; }

# bench_result WHAT PODRT BARE RATIO: the line bench/run.sh collects into
# its table (fields separated by tabs; "-" for what does not apply).
bench_result() { printf 'result\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4"; }

# bench_setup ROUNDS OPTSTRING USAGE_END "$@": rounds defaults to ROUNDS,
# then bench_getopts and bench_init.
bench_setup() {
        rounds=$1
        shift
        bench_getopts "$@"
        bench_init
}

# bench_need PROGRAM...: each on PATH, or the bench stops saying which.
bench_need() {
        for p in "$@"; do command -v "$p" >/dev/null || bench_die "$p not installed"; done
}

# bench_dir TEMPLATE: dir (-d) made, else a new one from mktemp TEMPLATE.
bench_dir() {
        if [ -z "$dir" ]; then dir=$(mktemp -d "$1"); else mkdir -p "$dir"; fi
}
