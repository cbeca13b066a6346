#!/usr/bin/env bash
# The main job on the built-in demo data: allocate Resources/scenarios/demo.json, write the
# plan to demo-plan.json, print the planner's summary, check the plan against rules 1-12, and
# show what first come, first served (matching by hand) would have done with the same requests.
# Then the same season through the service: a sasurai-server on a temporary database and a
# free port of 127.0.0.1, and the sasurai client as a planner, a host town and a freelancer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
swift build -c release --product sasurai
swift build -c release --product sasurai-server
sasurai=./.build/release/sasurai
$sasurai solve Resources/scenarios/demo.json --out demo-plan.json --moves 20000
$sasurai validate Resources/scenarios/demo.json demo-plan.json
echo
echo "For comparison, first come, first served:"
$sasurai solve Resources/scenarios/demo.json --strategy fcfs | sed -n 2,3p

echo
echo "== The same season through the service =="
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
./.build/release/sasurai-server --db "$work/sasurai.db" --listen 127.0.0.1:0 --log-level info 2> "$work/server.log" &
server_pid=$!
# The server names the port the kernel chose in its "listening" line.
for _ in $(seq 1 100); do
    address=$(sed -n 's/.*event=listening address=\([0-9.]*:[0-9]*\).*/\1/p' "$work/server.log" | head -1)
    [ -n "$address" ] && break
    sleep 0.1
done
if [ -z "${address:-}" ]; then
    ./.build/release/sasurai-server --help > /dev/null
    echo "the server did not start; its log:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
export SASURAI_SERVER="$address"
as() { local person=$1; shift; SASURAI_CONFIG="$work/$person.config" "$sasurai" "$@"; }
show() { echo; echo "\$ sasurai $*"; }

echo "A planner logs in with the token the server wrote, loads the season and issues tokens:"
show login --token-file sasurai.db.planner-token
as planner login --token-file "$work/sasurai.db.planner-token"
show plan import Resources/scenarios/demo.json
as planner plan import Resources/scenarios/demo.json
as planner admin token issue --role host --subject nanto --label "Nanto town office" --out "$work/nanto.token"
as planner admin token issue --role freelancer --subject f-001 --out "$work/f-001.token"
show plan run --seconds 5
as planner plan run --seconds 5
show plan diff 1 "| head -6"
as planner plan diff 1 | head -6
show plan commit 1 --offer-hours 72
as planner plan commit 1 --offer-hours 72

echo
echo "The host town of Nanto looks at its September:"
as host login --token-file "$work/nanto.token" > /dev/null
show host calendar --month 2026-09
as host host calendar --month 2026-09

echo
echo "A freelancer answers the offers and takes the itinerary along:"
as visitor login --token-file "$work/f-001.token" > /dev/null
show freelancer applications
as visitor freelancer applications
for application in $(as visitor freelancer applications --state offered --csv | tail -n +2 | cut -d, -f1); do
    show freelancer accept "$application"
    as visitor freelancer accept "$application"
done
show freelancer itinerary --ics demo-stays.ics
as visitor freelancer itinerary --ics demo-stays.ics
