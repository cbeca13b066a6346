#!/usr/bin/env bash
# The SQLite floor of a durable APPLY: what one writer thread cannot go below on this machine.
#
# Builds release binaries of sasurai-server and sasurai-bench, makes a database as
# bench-server.sh does (a fresh sasurai-server, the demo scenario imported through the
# protocol, profiles bench-0 ... bench-49), stops the server, and compiles
# scripts/sqlite-floor.c against the system's libsqlite3. Then, for R rounds, on a fresh copy
# of that database each time, runs the statements of APPLY straight through SQLite's C API in
# transactions of W writes (group commit's batch), with and without a request key, and prints
# one JSON line per run and the medians. Checkpoints run between batches and are left out of
# the time, as the server runs them on another thread; nothing is synced on the timed path.
# When Debian's redis-server, redis-cli and redis-benchmark are there, each round also measures Redis's
# durable SET as bench-server.sh does (appendfsync always, -c 50 -n 100000 -P 1), so the
# floor can be set beside half of it from the same run.
#
# Usage: scripts/sqlite-floor.sh [--rounds R] [--batches B] [--per-batch W] [--no-build]
# Needs gcc and libsqlite3-dev (Debian: apt-get install gcc libsqlite3-dev) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=5
batches=2000
per_batch=24
build=1
build_dir=${SASURAI_BENCH_BUILD_DIR:-.build-bench}
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --batches) batches=$2; shift 2 ;;
        --per-batch) per_batch=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n 2,15p "$0"; exit 0 ;;
        *) echo "sqlite-floor.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v gcc >/dev/null || { echo "sqlite-floor.sh: gcc is needed: apt-get install gcc libsqlite3-dev" >&2; exit 2; }
command -v python3 >/dev/null || { echo "sqlite-floor.sh: python3 is needed" >&2; exit 2; }

if [ "$build" = 1 ]; then
    swift build -c release --scratch-path "$build_dir" --product sasurai-server >/dev/null
    swift build -c release --scratch-path "$build_dir" --product sasurai-bench >/dev/null
fi
bin=$build_dir/release
work=$(mktemp -d /tmp/sasurai-floor.XXXXXX)
server_pid=""
redis_pid=""
cleanup() {
    local pid
    for pid in $server_pid $redis_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -Wall -o "$work/sqlite-floor" scripts/sqlite-floor.c -lsqlite3

base=$work/base.db
"$bin/sasurai-server" --db "$base" --listen 127.0.0.1:0 --log-level info 2>"$work/server.log" &
server_pid=$!
port=""
for _ in $(seq 100); do
    if grep -q 'event=listening' "$work/server.log"; then
        port=$(grep 'event=listening' "$work/server.log" | sed 's/.*address=[^ ]*:\([0-9]*\) .*/\1/')
        break
    fi
    sleep 0.1
done
[ -n "$port" ] || { echo "sqlite-floor.sh: sasurai-server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
sas() { "$bin/sasurai-bench" exec --port "$port" --token-file "$base.planner-token" "$@" >/dev/null; }
sas "IMPORT {\"path\": \"$PWD/Resources/scenarios/demo.json\"}"
for c in $(seq 0 49); do sas "PROFILE PUT {\"freelancer\": \"bench-$c\", \"name\": \"Bench $c\"}"; done
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

redis_port=""
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null; then
    redis_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    mkdir -p "$work/redis"
    redis-server --port "$redis_port" --bind 127.0.0.1 --appendonly yes --appendfsync always --save '' \
        --dir "$work/redis" >"$work/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

results=$work/results.jsonl
for round in $(seq "$rounds"); do
    if [ -n "$redis_port" ]; then
        redis-benchmark -p "$redis_port" -c 50 -n 100000 -P 1 -t set --csv | python3 -c '
import csv, json, sys
for row in csv.reader(sys.stdin):
    if row and row[0] == "SET": print(json.dumps({"redis_set_per_second": float(row[1])}))' | tee -a "$results"
    fi
    for keys in 1 0; do
        rm -f "$work/run.db" "$work/run.db-wal" "$work/run.db-shm"
        cp "$base" "$work/run.db"
        "$work/sqlite-floor" "$work/run.db" "$batches" "$per_batch" "$keys" | tee -a "$results"
    done
done
python3 - "$results" <<'PYTHON'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
redis = sorted(run["redis_set_per_second"] for run in runs if "redis_set_per_second" in run)
if redis:
    print(f"Redis durable SET (redis-benchmark, 50 clients): median {statistics.median(redis):,.0f}/s, "
          f"half of it {statistics.median(redis) / 2:,.0f}/s; per round: {' '.join(f'{rate:,.0f}' for rate in redis)}")
for keys, label in ((1, "with a request key"), (0, "without a request key")):
    chosen = [run for run in runs if run.get("keys") == keys]
    rates = sorted(run["writes_per_second"] for run in chosen)
    micros = statistics.median(run["us_per_write"] for run in chosen)
    print(f"APPLY {label}: median {statistics.median(rates):,.0f} writes/s ({micros:.1f} us each) "
          f"over {len(chosen)} runs: {' '.join(f'{rate:,.0f}' for rate in rates)}")
PYTHON
