#!/usr/bin/env bash
# Foundation benchmark: generate a 1,000-town / 100,000-application / 365-night scenario,
# import it into a fresh SQLite store, and validate a plan of that size. Each step runs
# RUNS times (default 3); the median wall time and peak memory (max RSS) are reported.
#
# Usage: scripts/bench-foundation.sh [RUNS] [OUTPUT-DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
bash scripts/setup-debian.sh
swift build -c release --product sasurai >/dev/null
bin=.build/release/sasurai

# Runs a command RUNS times under GNU time; prints "median-seconds median-max-rss-MiB".
measure() {
    local label=$1; shift
    local times=() rss=()
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" >/dev/null
        read -r seconds kilobytes < "$out/time.txt"
        times+=("$seconds"); rss+=("$kilobytes")
        [ -n "${AFTER_EACH:-}" ] && eval "$AFTER_EACH"
    done
    local median_time median_rss
    median_time=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")
    median_rss=$(printf '%s\n' "${rss[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p")
    printf '| %s | %s s | %d MiB | %s |\n' "$label" "$median_time" "$(( median_rss / 1024 ))" "${times[*]}"
}

echo "| step | median time | peak memory | all runs (s) |"
echo "|---|---|---|---|"
measure "generate 1,000 towns / 100,000 applications / 365 nights" \
    "$bin" generate --towns 1000 --apps 100000 --nights 365 --seed 1 --out "$out/large.json"
AFTER_EACH="rm -f '$out/store.db' '$out/store.db-wal' '$out/store.db-shm'" \
    measure "import into a new store (one transaction, synchronous=full)" \
    "$bin" store import --db "$out/store.db" "$out/large.json"
unset AFTER_EACH
"$bin" store import --db "$out/store.db" "$out/large.json" >/dev/null
"$bin" solve "$out/large.json" --strategy fcfs --out "$out/plan.json" --quiet
measure "validate the scenario and a plan of $(grep -c '"application"' "$out/plan.json") entries" \
    "$bin" validate "$out/large.json" "$out/plan.json"
measure "export the store back to a scenario file" \
    "$bin" store export --db "$out/store.db" --out "$out/exported.json"
echo
if cmp -s "$out/exported.json" "$out/large.json"; then
    echo "The export is byte-identical to the generated file."
else
    echo "The export DIFFERS from the generated file."
fi
