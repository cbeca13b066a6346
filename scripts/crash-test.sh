#!/usr/bin/env bash
# Crash consistency: writes through sasurai-server, SIGKILL at a random moment, restart, check.
#
# Each trial starts the server (--synchronous full) on a fresh database holding a small scenario
# with tight capacity, runs concurrent APPLY (freelancers), BOOK (hosts) and PLAN + COMMIT
# (planner) with request keys, kills the server with SIGKILL at a moment chosen by the seed,
# restarts it on the same database and checks that every acknowledged write is there, that no
# write without a reply is half there, that no bed, town night or seat is over capacity, that
# a COMMIT is all or nothing, that request keys and retries give the first reply again, and
# that PRAGMA integrity_check is ok. scripts/crash_test.py describes every check.
#
# Usage: scripts/crash-test.sh TRIALS [--seed S] [--keep DIR] [--first K] [--no-build]
#   --seed S     seed of the run (default: random, printed); trial K uses "S:K"
#   --keep DIR   keep every trial's directory under DIR (default: only failing trials are
#                kept, in a temporary directory named in the output)
#   --first K    number the trials from K, to repeat trial K of an earlier run with its seed
#   --no-build   use the built server as it is
# The server binary is taken from $SASURAI_BUILD_DIR (default .build/debug) and built there
# with `swift build --product sasurai-server` unless --no-build is given. Needs python3.
# Prints one line per trial and "N passed, M failed"; exits 1 when a trial failed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
    sed -n 2,21p "$0" >&2
    exit 2
fi
trials=$1
shift
build=1
pass=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seed|--keep|--first)
            [ $# -ge 2 ] || { echo "crash-test.sh: $1 needs a value" >&2; exit 2; }
            pass+=("$1" "$2"); shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n 2,21p "$0"; exit 0 ;;
        *) echo "crash-test.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v python3 >/dev/null || { echo "crash-test.sh: python3 is needed" >&2; exit 2; }
bin_dir=${SASURAI_BUILD_DIR:-.build/debug}
if [ "$build" = 1 ]; then
    if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    swift build --product sasurai-server --build-path "$(dirname "$bin_dir")"
fi
exec python3 scripts/crash_test.py "$trials" --server "$bin_dir/sasurai-server" ${pass[@]+"${pass[@]}"}
