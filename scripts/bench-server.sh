#!/usr/bin/env bash
# Server benchmark: sasurai-server beside Redis on the same machine, in one run.
#
# Starts a fresh sasurai-server (--synchronous full) on a temporary database and a free port,
# imports Resources/scenarios/demo.json through the protocol and creates one freelancer
# profile per connection; starts a redis-server on another free port with its durable mode
# (--appendonly yes --appendfsync always --save ''). Then, for R rounds, interleaved:
#
#   Redis PING_INLINE and durable SET with redis-benchmark (-c C -n N -P 1 --csv),
#   the same two against Redis with sasurai-bench (one client for both servers),
#   Sasurai PING, a read (TOWN), and a durable APPLY with sasurai-bench (-c C, N requests).
#
# Every client is on 127.0.0.1, 50 connections by default, one request in flight per
# connection. Even rounds run each group in reverse order, so drift on a noisy machine does
# not always favour the same side. Before the rounds it opens 1,000 idle connections to each
# server and reads the server's VmRSS from /proc before and with them. It prints a markdown
# table of medians over the rounds and the ratios to Redis (each round's ratio, then their
# median), and how busy each side was: the server's CPU time (utime + stime from
# /proc/PID/stat) and the client's (GNU time), each divided by the run's wall time, in cores.
#
# When a command the benchmark prefers fails in the server being measured (the server is still
# growing), it falls back and says so in the table: reads fall back to PLAN LIST, durable
# writes to TOKEN ISSUE (a token row and an audit row, committed like any write).
#
# Usage: scripts/bench-server.sh [--rounds R] [--requests N] [--connections C]
#                                [--idle-connections K] [--out DIR] [--no-build]
# Needs redis-server and redis-benchmark (Debian: apt-get install redis-server redis-tools)
# and python3. Installs nothing. Writes results.jsonl, idle-*.json and report.md to DIR
# (default: a new temporary directory, printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
requests=100000
connections=50
idle_connections=1000
out=""
build=1
build_dir=${SASURAI_BENCH_BUILD_DIR:-.build-bench}
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --requests) requests=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --idle-connections) idle_connections=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n 2,29p "$0"; exit 0 ;;
        *) echo "bench-server.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-benchmark >/dev/null || missing+=(redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench-server.sh: redis-server and redis-benchmark are needed; install them with:" >&2
    echo "    apt-get install ${missing[*]}" >&2
    exit 2
fi
command -v python3 >/dev/null || { echo "bench-server.sh: python3 is needed" >&2; exit 2; }

if [ "$build" = 1 ]; then
    swift build -c release --scratch-path "$build_dir" --product sasurai-server >/dev/null
    swift build -c release --scratch-path "$build_dir" --product sasurai-bench >/dev/null
fi
bin=$build_dir/release
bench=$bin/sasurai-bench
for program in "$bin/sasurai-server" "$bench"; do
    [ -x "$program" ] || { echo "bench-server.sh: $program is missing; run without --no-build" >&2; exit 2; }
done

# Both servers and the clients inherit this shell's open-file limit: make room for the idle
# connections (each side needs one descriptor per connection, plus the server's own files).
needed_files=$((idle_connections + 256))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$needed_files" ]; then
    ulimit -n "$needed_files" 2>/dev/null || echo "bench-server.sh: cannot raise the open-file limit to $needed_files (hard limit $(ulimit -Hn))" >&2
fi
open_file_limit=$(ulimit -n)

work=$(mktemp -d /tmp/sasurai-bench.XXXXXX)
out=${out:-$work/out}
mkdir -p "$out" "$work/redis"
results=$out/results.jsonl
: > "$results"
sasurai_pid=""
redis_pid=""
idle_pid=""
cleanup() {
    local pid
    for pid in $idle_pid $sasurai_pid $redis_pid; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $idle_pid $sasurai_pid $redis_pid; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work/sasurai.db" "$work/sasurai.db-wal" "$work/sasurai.db-shm" "$work/redis"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench-server.sh: $*" >&2; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# --- sasurai-server ---------------------------------------------------------------------

database=$work/sasurai.db
token_file=$database.planner-token
server_log=$out/sasurai-server.log
: > "$server_log"
sasurai_port=""
notes=()

# Starts (or restarts, on the same database) the server and waits for its port.
start_sasurai() {
    local before
    before=$(grep -c 'event=listening' "$server_log" || true)
    "$bin/sasurai-server" --db "$database" --listen 127.0.0.1:0 --synchronous full --log-level info \
        2>>"$server_log" &
    sasurai_pid=$!
    for _ in $(seq 100); do
        if [ "$(grep -c 'event=listening' "$server_log" || true)" -gt "$before" ]; then
            sasurai_port=$(grep 'event=listening' "$server_log" | tail -1 | sed 's/.*address=[^ ]*:\([0-9]*\) .*/\1/')
            return 0
        fi
        kill -0 "$sasurai_pid" 2>/dev/null || break
        sleep 0.1
    done
    log "sasurai-server did not start; its log:"
    tail -20 "$server_log" >&2
    exit 1
}

# Restarts the server if it died (a command it cannot run yet may stop it); true if it had.
revive_sasurai() {
    if kill -0 "$sasurai_pid" 2>/dev/null; then return 1; fi
    wait "$sasurai_pid" 2>/dev/null || true
    log "sasurai-server stopped (see $server_log); restarting it on the same database"
    start_sasurai
    return 0
}

sas() { "$bench" exec --port "$sasurai_port" --token-file "$token_file" "$@"; }

# Sends one line; true when the reply is OK and the server is still running.
probe() {
    local reply
    reply=$(sas --allow-errors "$1" 2>&1 || true)
    if ! kill -0 "$sasurai_pid" 2>/dev/null; then
        log "probe stopped the server: ${1:0:80}"
        revive_sasurai || true
        return 1
    fi
    case "$reply" in
        OK*) return 0 ;;
        *) log "probe failed: ${1:0:80} -> ${reply:0:200}"; return 1 ;;
    esac
}

start_sasurai
log "sasurai-server pid $sasurai_pid on 127.0.0.1:$sasurai_port, database $database (synchronous full)"

scenario=$PWD/Resources/scenarios/demo.json
imported=0
if probe "IMPORT {\"path\": \"$scenario\"}"; then imported=1; fi

# The read: TOWN of a town in the scenario; PLAN LIST when TOWN does not work here.
read_label="TOWN"
read_command='TOWN {"town": "nanto"}'
if [ "$imported" = 0 ] || ! probe "$read_command"; then
    read_label="PLAN LIST (fallback: TOWN failed)"
    read_command='PLAN LIST'
    notes+=("The read is PLAN LIST because TOWN failed in this build (see $server_log).")
fi

# The durable write: APPLY for one freelancer per connection, with a request key; TOKEN ISSUE
# when profiles or APPLY do not work here.
write_label="APPLY"
write_template='APPLY {"freelancer": "bench-{c}", "earliest": "2026-05-01", "latest": "2026-06-01", "nights": 7, "budget_per_night": 5000, "request": "rROUND-{c}-{n}"}'
profiles_ok=1
for c in $(seq 0 $((connections - 1))); do
    if ! probe "PROFILE PUT {\"freelancer\": \"bench-$c\", \"name\": \"Bench $c\", \"request\": \"profile-$c\"}"; then
        profiles_ok=0
        break
    fi
done
probe_write=${write_template//ROUND/probe}
probe_write=${probe_write//\{c\}/0}
probe_write=${probe_write//\{n\}/0}
if [ "$profiles_ok" = 0 ] || ! probe "$probe_write"; then
    if [ "$imported" = 1 ]; then
        write_template='TOKEN ISSUE {"role": "host", "subject": "nanto", "label": "bench-ROUND-{n}"}'
    else
        write_template='TOKEN ISSUE {"role": "planner", "label": "bench-ROUND-{n}"}'
    fi
    write_label="TOKEN ISSUE (fallback: APPLY failed)"
    notes+=("The durable write is TOKEN ISSUE because PROFILE PUT or APPLY failed in this build (see $server_log).")
fi

# --- redis-server -----------------------------------------------------------------------

redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$work/redis" --appendonly yes \
    --appendfsync always --save '' --daemonize no --logfile "$out/redis-server.log" &
redis_pid=$!
redis_up=0
for _ in $(seq 100); do
    if "$bench" exec --quiet --port "$redis_port" PING >/dev/null 2>&1; then redis_up=1; break; fi
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
done
[ "$redis_up" = 1 ] || { log "redis-server did not start; see $out/redis-server.log"; exit 1; }
log "redis-server pid $redis_pid on 127.0.0.1:$redis_port (appendonly yes, appendfsync always)"

# --- idle connections -------------------------------------------------------------------

# Opens the idle connections, reads the server's VmRSS before and with them, and writes
# idle-NAME.json.
idle_test() {
    local name=$1 port=$2 pid=$3 before with
    before=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    "$bench" idle --port "$port" --connections "$idle_connections" --hold 3 --json > "$work/idle.out" 2>&1 &
    idle_pid=$!
    for _ in $(seq 600); do
        grep -q '^ready:' "$work/idle.out" && break
        kill -0 "$idle_pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 0.5
    with=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    wait "$idle_pid" || true
    idle_pid=""
    python3 - "$name" "$before" "$with" "$work/idle.out" > "$out/idle-$name.json" <<'PY'
import json, sys
name, before, with_, path = sys.argv[1:5]
lines = open(path).read().splitlines()
data = {}
for line in lines:
    if line.startswith("{"):
        data = json.loads(line)
data.update({"server": name, "rss_before_kib": int(before), "rss_with_kib": int(with_),
             "output": [l for l in lines if not l.startswith("{")]})
print(json.dumps(data))
PY
}
log "idle connections: $idle_connections to each server (open-file limit $open_file_limit)"
idle_test sasurai "$sasurai_port" "$sasurai_pid"
idle_test redis "$redis_port" "$redis_pid"

# --- rounds -----------------------------------------------------------------------------

# Appends one result line: round, benchmark name, the client's figures, and CPU use.
record() {
    python3 - "$1" "$2" "$3" "$cpu_server" "$cpu_client" "$cpu_wall" >> "$results" <<'PY'
import json, sys
round_, name, text, server, client, wall = sys.argv[1:7]
try:
    data = json.loads(text)
except ValueError:
    data = {"failure": text.strip()[-300:] or "no output"}
data.update({"round": int(round_), "bench": name})
if data.get("failure") or data.get("errors"):
    shown = data.get("failure") or f"{data.get('errors')} ERR replies, first: {data.get('first_error')}"
    print(f"bench-server.sh:   {name}: FAILED: {shown}", file=sys.stderr)
else:
    print(f"bench-server.sh:   {name}: {data.get('requests_per_second', 0):,.0f} req/s, "
          f"p50 {data.get('p50_ms')} ms, p99 {data.get('p99_ms')} ms", file=sys.stderr)
try:
    wall = float(wall)
    data["server_cores"] = round(int(server) / 100 / wall, 2)
    user, system = (float(v) for v in client.split())
    data["client_cores"] = round((user + system) / wall, 2)
except (ValueError, ZeroDivisionError):
    pass
print(json.dumps(data))
PY
}

# CPU accounting around one client run: the server's ticks (1/100 s) and the client's times.
cpu_server=0
cpu_client=""
cpu_wall=0
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
measured() {
    local pid=$1; shift
    local before start
    before=$(ticks "$pid")
    start=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$work/client.time" "$@" || true
    cpu_wall=$(awk -v end="$(date +%s.%N)" -v start="$start" 'BEGIN { print end - start }')
    cpu_server=$(( $(ticks "$pid") - before ))
    cpu_client=$(tail -1 "$work/client.time")
}

redis_benchmark() {
    local round=$1 name=$2 test=$3 csv
    measured "$redis_pid" sh -c 'redis-benchmark "$@" > "$0" 2>&1' "$work/redis-benchmark.csv" \
        -h 127.0.0.1 -p "$redis_port" -c "$connections" -n "$requests" -P 1 -t "$test" --csv
    csv=$(cat "$work/redis-benchmark.csv")
    record "$round" "$name" "$(python3 - "$csv" <<'PY'
import csv, io, json, sys
rows = list(csv.reader(io.StringIO(sys.argv[1])))
header = next((r for r in rows if r and r[0] == "test"), None)
data = next((r for r in rows if r and r[0] != "test"), None)
if not header or not data:
    print(json.dumps({"failure": sys.argv[1].strip()[-300:]}))
else:
    row = dict(zip(header, data))
    print(json.dumps({"command": row["test"], "requests_per_second": float(row["rps"]),
                      "p50_ms": float(row["p50_latency_ms"]), "p99_ms": float(row["p99_latency_ms"]),
                      "max_ms": float(row["max_latency_ms"]), "errors": 0, "client": "redis-benchmark"}))
PY
)"
}

load() {
    local round=$1 name=$2 port=$3 token=$4 command=$5 output
    local auth=()
    [ -n "$token" ] && auth=(--token-file "$token")
    local pid=$redis_pid
    [ "$port" = "$sasurai_port" ] && pid=$sasurai_pid
    measured "$pid" sh -c 'exec "$@" > "$0" 2> "$0.err"' "$work/load.out" "$bench" load --port "$port" "${auth[@]}" \
        --connections "$connections" --requests "$requests" --pipeline 1 --json --command "$command"
    output=$(cat "$work/load.out")
    [ -n "$output" ] || output=$(cat "$work/load.out.err")
    record "$round" "$name" "$output"
    if [ "$port" = "$sasurai_port" ] && revive_sasurai; then
        notes+=("sasurai-server stopped during \"$name\" in round $round and was restarted.")
    fi
}

run_step() {
    local round=$1 step=$2
    case "$step" in
        redis-ping) redis_benchmark "$round" "redis PING_INLINE (redis-benchmark)" ping_inline ;;
        redis-ping-same) load "$round" "redis PING (sasurai-bench)" "$redis_port" "" "PING" ;;
        sasurai-ping) load "$round" "sasurai PING" "$sasurai_port" "$token_file" "PING" ;;
        sasurai-read) load "$round" "sasurai read" "$sasurai_port" "$token_file" "$read_command" ;;
        redis-set) redis_benchmark "$round" "redis SET durable (redis-benchmark)" set ;;
        redis-set-same) load "$round" "redis SET durable (sasurai-bench)" "$redis_port" "" "SET key:__rand_int__ xxx" ;;
        sasurai-write) load "$round" "sasurai write durable" "$sasurai_port" "$token_file" "${write_template//ROUND/$round}" ;;
    esac
}

reads=(redis-ping redis-ping-same sasurai-ping sasurai-read)
writes=(redis-set redis-set-same sasurai-write)
for round in $(seq 1 "$rounds"); do
    log "round $round of $rounds ($connections connections, $requests requests per benchmark)"
    order=("${reads[@]}" "${writes[@]}")
    if [ $((round % 2)) = 0 ]; then
        order=()
        for ((i = ${#reads[@]} - 1; i >= 0; i--)); do order+=("${reads[i]}"); done
        for ((i = ${#writes[@]} - 1; i >= 0; i--)); do order+=("${writes[i]}"); done
    fi
    for step in "${order[@]}"; do run_step "$round" "$step"; done
done

# --- report -----------------------------------------------------------------------------

printf '%s\n' "${notes[@]+"${notes[@]}"}" > "$work/notes.txt"
python3 - "$results" "$out" "$read_label" "$write_label" "$connections" "$requests" "$rounds" \
    "$idle_connections" "$work/notes.txt" > "$out/report.md" <<'PY'
import json, statistics, sys
results, out, read_label, write_label, connections, requests, rounds, idle, notes_path = sys.argv[1:10]
rows = [json.loads(line) for line in open(results)]
notes = [n for n in open(notes_path).read().splitlines() if n]
by = {}
for row in rows:
    by.setdefault(row["bench"], {})[row["round"]] = row

def ok(row):
    return row and not row.get("failure") and row.get("errors", 0) == 0 and row.get("requests_per_second")

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

def fmt(value, digits=0):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"

def ratio(name, reference):
    per_round = []
    for round_, row in by.get(name, {}).items():
        other = by.get(reference, {}).get(round_)
        if ok(row) and ok(other):
            per_round.append(row["requests_per_second"] / other["requests_per_second"])
    return median(per_round), per_round

lines = []
lines.append(f"{connections} connections, one request in flight each, {int(requests):,} requests per benchmark "
             f"and round, median of {rounds} rounds.")
lines.append("")
lines.append("| benchmark | client | median req/s | p50 ms | p99 ms | req/s per round | vs Redis (redis-benchmark) | vs Redis (sasurai-bench) | server CPU | client CPU |")
lines.append("|---|---|---|---|---|---|---|---|---|---|")
specs = [
    ("redis PING_INLINE (redis-benchmark)", "Redis PING_INLINE", "redis-benchmark", None, None),
    ("redis PING (sasurai-bench)", "Redis PING (inline)", "sasurai-bench", None, None),
    ("sasurai PING", "Sasurai PING", "sasurai-bench", "redis PING_INLINE (redis-benchmark)", "redis PING (sasurai-bench)"),
    ("sasurai read", f"Sasurai {read_label}", "sasurai-bench", "redis PING_INLINE (redis-benchmark)", "redis PING (sasurai-bench)"),
    ("redis SET durable (redis-benchmark)", "Redis SET, appendfsync always", "redis-benchmark", None, None),
    ("redis SET durable (sasurai-bench)", "Redis SET, appendfsync always", "sasurai-bench", None, None),
    ("sasurai write durable", f"Sasurai {write_label}, synchronous=full", "sasurai-bench",
     "redis SET durable (redis-benchmark)", "redis SET durable (sasurai-bench)"),
]
summary = {}
for name, label, client, reference, same in specs:
    data = by.get(name, {})
    good = [data[r] for r in sorted(data) if ok(data[r])]
    failures = [data[r] for r in sorted(data) if not ok(data[r])]
    rps = median([r["requests_per_second"] for r in good])
    p50 = median([r.get("p50_ms") for r in good])
    p99 = median([r.get("p99_ms") for r in good])
    each = " ".join(fmt(data[r]["requests_per_second"]) if ok(data[r]) else "failed" for r in sorted(data))
    cells = []
    for ref in (reference, same):
        if ref is None:
            cells.append("")
            continue
        value, per_round = ratio(name, ref)
        cells.append("-" if value is None else f"{value:.2f} ({' '.join(f'{v:.2f}' for v in per_round)})")
    server_cores = median([r.get("server_cores") for r in good])
    client_cores = median([r.get("client_cores") for r in good])
    lines.append(f"| {label} | {client} | {fmt(rps)} | {fmt(p50, 3)} | {fmt(p99, 3)} | {each} | {cells[0]} | {cells[1]} "
                 f"| {fmt(server_cores, 2)} | {fmt(client_cores, 2)} |")
    summary[name] = (rps, p50, p99)
    for failure in failures:
        reason = failure.get("failure") or f"{failure.get('errors')} ERR replies, first: {failure.get('first_error')}"
        notes.append(f"{label}, round {failure['round']}: {reason}")

lines.append("")
lines.append("Ratios: each round's req/s over the Redis figure of the same round, then the median "
             "(per-round ratios in brackets). CPU: cores busy during the run (CPU time / wall time), "
             "medians; the machine has " + str(__import__("os").cpu_count()) + " cores.")
lines.append("")
lines.append(f"Idle connections ({int(idle):,}, each answered one PING, then silent):")
lines.append("")
lines.append("| server | RSS before | RSS with the connections | per connection | still served after the hold |")
lines.append("|---|---|---|---|---|")
idle_data = {}
for name, label in (("sasurai", "sasurai-server"), ("redis", "redis-server")):
    try:
        data = json.load(open(f"{out}/idle-{name}.json"))
    except (OSError, ValueError):
        lines.append(f"| {label} | - | - | - | failed |")
        continue
    idle_data[name] = data
    before, with_ = data["rss_before_kib"], data["rss_with_kib"]
    per = (with_ - before) * 1024 / max(1, data.get("connections") or int(idle))
    lines.append(f"| {label} | {before / 1024:.1f} MiB | {with_ / 1024:.1f} MiB | {per / 1024:.1f} KiB | "
                 f"{data.get('answered_after_hold', '-')} of {data.get('connections', '-')} |")
    if data.get("first_error"):
        notes.append(f"{label} idle test: {data.get('errors')} errors, first: {data['first_error']}")

def target(text, met):
    return f"- {text}: {'met' if met else ('NOT met' if met is not None else 'not measured')}"

lines.append("")
lines.append("Targets (ratios against redis-benchmark's figures, as the issue states them):")
read_ratio = ratio("sasurai read", "redis PING_INLINE (redis-benchmark)")[0]
write_ratio = ratio("sasurai write durable", "redis SET durable (redis-benchmark)")[0]
p99s = [summary[n][2] for n in ("sasurai PING", "sasurai read", "sasurai write durable") if summary.get(n, (None,) * 3)[2] is not None]
lines.append(target(f"reads at least half of Redis PING_INLINE (read ratio {fmt(read_ratio, 2)})",
                    None if read_ratio is None else read_ratio >= 0.5))
lines.append(target(f"durable writes at least half of Redis durable SET (ratio {fmt(write_ratio, 2)})",
                    None if write_ratio is None else write_ratio >= 0.5))
lines.append(target(f"p99 under 5 ms at {connections} clients (worst median p99 {fmt(max(p99s) if p99s else None, 3)} ms)",
                    None if not p99s else max(p99s) < 5))
if "sasurai" in idle_data:
    rss = idle_data["sasurai"]["rss_with_kib"] / 1024
    lines.append(target(f"{int(idle):,} idle connections under 200 MiB (server RSS {rss:.1f} MiB)",
                        rss < 200 and idle_data["sasurai"].get("answered_after_hold") == int(idle)))
if notes:
    lines.append("")
    lines.append("Notes:")
    lines.extend(f"- {n}" for n in notes)
print("\n".join(lines))
PY
cat "$out/report.md"
log "results in $out (results.jsonl, idle-*.json, report.md, server logs)"
