#!/usr/bin/env bash
# Soak: sasurai-server under a steady mixed load from many connections for MINUTES.
#
# Starts the server (--synchronous full) on a fresh temporary database, imports a scenario
# made for the load, issues host and freelancer tokens, and runs 200 connections (60%
# freelancers, 30% hosts, 10% planners) sending reads and durable writes (APPLY, WITHDRAW,
# BOOK, CANCEL, PLAN) at --rate requests per second in all. scripts/soak.py describes the mix.
# Prints one line per window (60 s; 5 s for runs under 3 minutes): requests, errors, p50, p99,
# max latency, the server's VmRSS and SQLite's heap, the client's worst event-loop lag and the
# server's longest slow WAL sync; then the verdict: no errors, the offered rate kept up, p99
# stable after the warm-up (no window over twice the median unless a disk or client stall as
# long explains it, one more allowed with 5 s windows; a robust trend line rising at most
# max(half the median, 3 ms)), memory flat (outside SQLite's heap at most max(16 MiB, 10%)
# above the end of the warm-up; SQLite's heap within the bound of its caches), and a clean
# stop on SIGTERM.
#
# Usage: scripts/soak.sh MINUTES [--connections 200] [--rate 2000] [--plan-every 60]
#                                [--seed 1] [--out FILE.json] [--keep] [--no-build]
# The server is built in release mode into $SASURAI_SOAK_BUILD_DIR (default .build-bench,
# as scripts/bench-server.sh) unless --no-build is given, which takes the server from
# $SASURAI_BUILD_DIR (default .build/debug) as CI builds it. Needs python3 (standard library
# only). Exits 0 when the soak passes, 1 when a check fails, 2 on a usage or set-up error.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    sed -n 2,22p "$0" >&2
    exit 2
fi
minutes=$1
shift
build=1
pass=()
while [ $# -gt 0 ]; do
    case "$1" in
        --connections|--rate|--plan-every|--seed|--out)
            [ $# -ge 2 ] || { echo "soak.sh: $1 needs a value" >&2; exit 2; }
            pass+=("$1" "$2"); shift 2 ;;
        --keep) pass+=("$1"); shift ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n 2,22p "$0"; exit 0 ;;
        *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v python3 >/dev/null || { echo "soak.sh: python3 is needed" >&2; exit 2; }
if [ "$build" = 1 ]; then
    if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    build_dir=${SASURAI_SOAK_BUILD_DIR:-.build-bench}
    swift build -c release --product sasurai-server --build-path "$build_dir"
    server="$build_dir/release/sasurai-server"
else
    server="${SASURAI_BUILD_DIR:-.build/debug}/sasurai-server"
fi
[ -x "$server" ] || { echo "soak.sh: no server at $server (build it, or drop --no-build)" >&2; exit 2; }
exec python3 scripts/soak.py "$minutes" --server "$server" ${pass[@]+"${pass[@]}"}
