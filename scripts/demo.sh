#!/usr/bin/env bash
# The main job on the built-in demo data: allocate Resources/scenarios/demo.json, write the
# plan to demo-plan.json, print the planner's summary, check the plan against rules 1-12, and
# show what first come, first served (matching by hand) would have done with the same requests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
swift build -c release --product sasurai
./.build/release/sasurai solve Resources/scenarios/demo.json --out demo-plan.json --moves 20000
./.build/release/sasurai validate Resources/scenarios/demo.json demo-plan.json
echo
echo "For comparison, first come, first served:"
./.build/release/sasurai solve Resources/scenarios/demo.json --strategy fcfs | sed -n 2,3p
