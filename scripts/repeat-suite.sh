#!/usr/bin/env bash
# The fast suite N times in a row (default 20), each with a fresh Hypothesis
# state, optionally with a CPU hog on one core (--busy): does anything flake?
# Prints one line per run; exits 1 at the end if any run failed.
# Needs the venv that scripts/test.sh sets up.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=20 busy=0
for arg in "$@"; do
    case "$arg" in
        --busy) busy=1 ;;
        *) runs=$arg ;;
    esac
done
if [ "$busy" = 1 ]; then
    .venv/bin/python -c "while True: pass" &
    hog=$!
    trap 'kill $hog' EXIT
fi
export HYPOTHESIS_PROFILE=ci
logs=$(mktemp -d)
failed=0
for i in $(seq 1 "$runs"); do
    rm -rf .hypothesis .pytest_cache
    start=$(date +%s)
    .venv/bin/python -m pytest -p no:cacheprovider > "$logs/run$i.log" 2>&1
    rc=$?
    [ "$rc" = 0 ] || failed=1
    echo "run $i rc=$rc secs=$(($(date +%s) - start)) load=$(cut -d' ' -f1 /proc/loadavg)" \
        "$(grep -E '^[0-9]+ (passed|failed)' "$logs/run$i.log")"
done
echo "logs in $logs"
exit "$failed"
