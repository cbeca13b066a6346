#!/usr/bin/env bash
# Slowloris: clients trickling a line one byte at a time, cut off by the line deadline.
#
# Starts sasurai-server on a fresh temporary database, opens CLIENTS connections (default 500)
# that each send a byte of a never-ending request line every second, and a well-behaved client
# that PINGs every 0.1 s. Reports how many slow clients were cut off with the deadline's ERR
# line, the time from first byte to cut-off (min, median, max), and the well-behaved client's
# latency meanwhile; scripts/slowloris.py lists the checks.
#
# Usage: scripts/slowloris.sh [CLIENTS] [--trickle S] [--no-build]
# The server comes from $SASURAI_BUILD_DIR (default .build/debug), built with
# `swift build --product sasurai-server` unless --no-build is given. Needs python3.
# Exits 0 when every check passes, 1 when one fails, 2 on a set-up error.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=500
build=1
pass=()
while [ $# -gt 0 ]; do
    case "$1" in
        [0-9]*) clients=$1; shift ;;
        --trickle) [ $# -ge 2 ] || { echo "slowloris.sh: --trickle needs a value" >&2; exit 2; }
                   pass+=("$1" "$2"); shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n 2,13p "$0"; exit 0 ;;
        *) echo "slowloris.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v python3 >/dev/null || { echo "slowloris.sh: python3 is needed" >&2; exit 2; }
bin_dir=${SASURAI_BUILD_DIR:-.build/debug}
if [ "$build" = 1 ]; then
    if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    swift build --product sasurai-server --build-path "$(dirname "$bin_dir")"
fi
exec python3 scripts/slowloris.py --server "$bin_dir/sasurai-server" --clients "$clients" ${pass[@]+"${pass[@]}"}
