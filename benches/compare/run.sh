#!/bin/sh
# Times gonogo against what an operator would otherwise run, on the same generated cohort:
# awk (gawk and mawk when installed) on ROWS rows, Python's email-validator on a PY_ROWS slice.
# Usage: benches/compare/run.sh [ROWS] [PY_ROWS]   (defaults 1000000 and 100000)
# Python: PYTHON=/path/to/venv/bin/python with `pip install email-validator` done in it.
set -eu
ROWS=${1:-1000000}
PY_ROWS=${2:-100000}
PYTHON=${PYTHON:-python3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
cd "$(dirname "$0")/../.."
cargo build --release --quiet --bin gonogo --example gen_cohort
./target/release/examples/gen_cohort "$ROWS" "$DIR/cohort.csv"
head -n "$((PY_ROWS + 1))" "$DIR/cohort.csv" > "$DIR/slice.csv"
t() {
    label=$1
    shift
    /usr/bin/time -f "$label: %e s elapsed, %U s user, %M KB max RSS" "$@" >/dev/null 2>"$DIR/err" || true
    tail -n 1 "$DIR/err"
}
for file in cohort slice; do
    rows=$ROWS
    [ "$file" = slice ] && rows=$PY_ROWS
    for run in 1 2 3; do
        t "gonogo $rows rows" ./target/release/gonogo cohort validate --offline "$DIR/$file.csv"
        for awk in gawk mawk; do
            command -v "$awk" >/dev/null && AWK=$awk t "$awk   $rows rows" sh benches/compare/awk_validate.sh "$DIR/$file.csv"
        done
    done
done
t "python $PY_ROWS rows" "$PYTHON" benches/compare/py_validate.py "$DIR/slice.csv"
