#!/bin/sh
# The shell approach an operator would otherwise run (as the seed's validate-cohort.sh did):
# one awk pass with an email regex, case-insensitive duplicate detection and the distribution.
# It does not understand quoting, BOMs, CRLF or encodings; it is here to compare speed.
# Usage: [AWK=mawk] awk_validate.sh FILE   (exit 0 clean, 1 malformed/duplicate, 2 distribution warnings)
exec "${AWK:-awk}" -F, '
NR == 1 { next }
{ e = tolower($1) }
e !~ /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z][a-z]+$/ { bad++; print "line " NR ": malformed " $1 > "/dev/stderr"; next }
e in seen { dup++; print "line " NR ": duplicate of line " seen[e] > "/dev/stderr"; next }
$2 == "" { bad++; next }
{ seen[e] = NR; valid++; split($2, g, "-"); group[g[1]]++; label[$2]++ }
END {
    labels = 0; for (l in label) labels++
    printf "%d valid rows, %d malformed, %d duplicates, %d labels\n", valid, bad, dup, labels
    for (x in group) printf "  %s %d\n", x, group[x]
    if (bad || dup) exit 1
    if (valid < 50 || group["creator"] < 5 || labels < 3) exit 2
    exit 0
}' "$1"
