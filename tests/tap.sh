# The integration scripts' TAP lines and checks, sourced (POSIX sh).  Each
# script ends with its own summary from $fails and $n.
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
        d=$1
        shift
        if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# same DESCRIPTION EXPECTED ACTUAL
same() {
        if [ "$2" = "$3" ]; then
                ok "$1"
        else
                not_ok "$1"
                printf '  expected: [%s]\n  actual:   [%s]\n' "$2" "$3"
        fi
}
contains() { case $1 in *"$2"*) return 0 ;; *) return 1 ;; esac; }
# has DESCRIPTION TEXT NEEDLE
has() {
        if contains "$2" "$3"; then
                ok "$1"
        else
                not_ok "$1"
                printf '  expected to contain: [%s]\n  actual: [%s]\n' "$3" "$2"
        fi
}
# has_in DESCRIPTION NEEDLE TEXT
has_in() { has "$1" "$3" "$2"; }
