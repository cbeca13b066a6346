#!/usr/bin/env bash
# Engine benchmark over generated tiers, beside first come, first served and beside the
# reference solvers (HiGHS MILP, OR-Tools CP-SAT) run on the same files, one at a time so
# that no two runs share the two cores.
#
#   S: 12 towns,    200 applications,  90 nights, seeds 1-10  (HiGHS for the optimum)
#   M: 30 towns,  2,000 applications, 120 nights, seeds 1-3   (HiGHS for a bound, CP-SAT 10 min)
#   L: 1,000 towns, 100,000 applications, 365 nights, seed 1  (and re-planning after cancellations)
#
# Usage: scripts/bench-engine.sh [--tiers S,M,L] [--highs-seconds N] [--cpsat-seconds N]
#                                [--reference-seeds N] [--no-reference] [OUTPUT-DIR]
# --reference-seeds limits the reference solvers to the first N seeds of each tier.
# --reference-from DIR reuses the reference results of an earlier run's results.jsonl (the
# generated files are the same for the same seeds), so the engine can be measured again
# without another hour of reference solving.
# Writes results.jsonl (one line per run) and report.md to OUTPUT-DIR and prints the report.
set -euo pipefail
cd "$(dirname "$0")/.."
tiers="S,M,L"
highs_seconds=600
cpsat_seconds=600
reference_seeds=100
reference=1
reference_from=""
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --tiers) tiers=$2; shift 2 ;;
        --highs-seconds) highs_seconds=$2; shift 2 ;;
        --cpsat-seconds) cpsat_seconds=$2; shift 2 ;;
        --reference-seeds) reference_seeds=$2; shift 2 ;;
        --no-reference) reference=0; shift ;;
        --reference-from) reference=0; reference_from=$2; shift 2 ;;
        -h|--help) sed -n 2,15p "$0"; exit 0 ;;
        *) out=$1; shift ;;
    esac
done
out=${out:-$(mktemp -d)}
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"
bash scripts/setup-debian.sh
swift build -c release --product sasurai >/dev/null
bin=.build/release/sasurai

# Appends one result line: the tool's JSON plus tier, seed, solver and peak memory.
record() {
    local tier=$1 seed=$2 solver=$3 json=$4 peak_kib=$5
    python3 - "$tier" "$seed" "$solver" "$peak_kib" "$json" >> "$results" <<'PY'
import json, sys
tier, seed, solver, peak, line = sys.argv[1:6]
data = json.loads(line)
data.pop("score_over_time", None)
data.update({"tier": tier, "seed": int(seed), "solver": solver, "peak_mib": round(int(peak) / 1024)})
print(json.dumps(data))
PY
}

# Runs our solver on a scenario and records it.
run_sasurai() {
    local tier=$1 seed=$2 file=$3; shift 3
    local label=$1; shift
    /usr/bin/time -f "%M" -o "$out/peak.txt" "$bin" solve "$file" --json --seed 1 "$@" > "$out/run.json"
    record "$tier" "$seed" "$label" "$(cat "$out/run.json")" "$(tail -n 1 "$out/peak.txt")"
}

run_reference() {
    local tier=$1 seed=$2 file=$3 solver=$4 seconds=$5
    if /usr/bin/time -f "%M" -o "$out/peak.txt" python3 scripts/reference-solver.py "$solver" "$file" \
        --time-limit "$seconds" > "$out/run.json" 2> "$out/reference.log"; then
        record "$tier" "$seed" "$solver" "$(tail -n 1 "$out/run.json")" "$(tail -n 1 "$out/peak.txt")"
    else
        echo "reference solver $solver failed on $file (see $out/reference.log)" >&2
    fi
}

tier_shape() {
    case "$1" in
        S) echo "12 200 90 1 2 3 4 5 6 7 8 9 10" ;;
        M) echo "30 2000 120 1 2 3" ;;
        L) echo "1000 100000 365 1" ;;
    esac
}

for tier in ${tiers//,/ }; do
    read -r towns apps nights seeds <<< "$(tier_shape "$tier")"
    for seed in $seeds; do
        file="$out/$tier-$seed.json"
        "$bin" generate --towns "$towns" --apps "$apps" --nights "$nights" --seed "$seed" --out "$file"
        echo "tier $tier seed $seed" >&2
        run_sasurai "$tier" "$seed" "$file" fcfs --strategy fcfs
        case "$tier" in
            S) run_sasurai "$tier" "$seed" "$file" sasurai --moves 60000 ;;
            M) run_sasurai "$tier" "$seed" "$file" sasurai --time-limit 18 ;;
            L) run_sasurai "$tier" "$seed" "$file" sasurai --time-limit 45 --out "$out/L-$seed.plan.json" ;;
        esac
        if [ "$reference" = 1 ] && [ "$seed" -le "$reference_seeds" ]; then
            case "$tier" in
                S) run_reference "$tier" "$seed" "$file" highs "$highs_seconds" ;;
                M) run_reference "$tier" "$seed" "$file" cpsat "$cpsat_seconds"
                   run_reference "$tier" "$seed" "$file" highs "$highs_seconds" ;;
            esac
        fi
        if [ "$tier" = L ]; then
            # Re-planning: cancel five placements of the plan, each from the plan as found.
            for application in $(python3 -c "import json,sys; p=json.load(open(sys.argv[1])); a=p['assignments']; print(' '.join(a[i * len(a) // 5]['application'] for i in range(5)))" "$out/L-$seed.plan.json"); do
                "$bin" replan "$file" "$out/L-$seed.plan.json" --cancel "$application" \
                    | sed -n 's/.*time *\([0-9.]*\) ms to repair.*/\1/p' >> "$out/replan-ms.txt"
            done
        fi
    done
done

if [ -n "$reference_from" ]; then
    grep -E '"solver": "(highs|cpsat)"' "$reference_from/results.jsonl" >> "$results" || true
fi

python3 scripts/bench-report.py "$results" "$out" > "$out/report.md"
cat "$out/report.md"
