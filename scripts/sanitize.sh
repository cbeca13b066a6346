#!/usr/bin/env bash
# The whole test suite under a sanitizer: AddressSanitizer or ThreadSanitizer.
#
# Builds every target, the executables included, with `--sanitize=SANITIZER` into a scratch
# folder of its own (.build-asan or .build-tsan, so the debug build in .build stays as it is)
# and runs `swift test` there. The end-to-end tests find the binaries beside the test bundle,
# so they run the sanitized `sasurai` and `sasurai-server` too, and so do the tests that start
# child processes. Prints the test summary and how many sanitizer reports were written (by the
# test runner and by every child process, each into SCRATCH/sanitizer-reports/report.PID);
# the run fails on a failed test or on any report. The test output is kept in
# SCRATCH/sanitize.log.
#
# Usage: scripts/sanitize.sh address|thread [--filter PATTERN]
#   --filter PATTERN   pass to `swift test --filter` (default: every test)
# LeakSanitizer is off under AddressSanitizer: it does not see pointers Swift keeps with case
# tags in their spare bits and reports lazily built globals as leaks (docs/RELIABILITY.md).
# Exits 0 when the suite passes without a report, 1 when not, 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n 2,16p "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
case "$1" in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    -h|--help) sed -n 2,16p "$0"; exit 0 ;;
    *) usage ;;
esac
sanitizer=$1
shift
filter=()
while [ $# -gt 0 ]; do
    case "$1" in
        --filter) [ $# -ge 2 ] || usage; filter=(--filter "$2"); shift 2 ;;
        *) usage ;;
    esac
done
mkdir -p "$scratch"
log="$scratch/sanitize.log"
# Reports go to files, one per process (REPORTS.PID), so that those of the child processes the
# tests start (servers, the client) are counted as well as the test runner's own.
reports_dir="$PWD/$scratch/sanitizer-reports"
rm -rf "$reports_dir"
mkdir -p "$reports_dir"
export ASAN_OPTIONS="detect_leaks=0:print_summary=1:log_path=$reports_dir/report"
# Report every race (not only the first) and still fail the process at its end.
export TSAN_OPTIONS="halt_on_error=0:exitcode=66:print_summary=1:log_path=$reports_dir/report"
started=$(date +%s)
swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" 2>&1 | tail -3
products=$(swift build --sanitize="$sanitizer" --scratch-path "$scratch" --show-bin-path)
status=0
SASURAI_BUILD_DIR="$products" swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" \
    "${filter[@]}" >"$log" 2>&1 || status=$?
elapsed=$(( $(date +%s) - started ))
reports=$(cat "$reports_dir"/report.* 2>/dev/null | grep -c -E "^(WARNING: ThreadSanitizer|==[0-9]+==ERROR: AddressSanitizer)" || true)
grep -E "^(✔|✘) Test run with|^Test Suite 'All tests' (passed|failed)|Executed [0-9]+ tests" "$log" | tail -4 || true
grep -E "^✘ " "$log" | head -20 || true
cat "$reports_dir"/report.* 2>/dev/null | grep -E "^SUMMARY: (Thread|Address)Sanitizer" | sort | uniq -c | sort -rn | head -20 || true
echo "sanitizer $sanitizer: swift test exited $status, $reports sanitizer reports, $elapsed s; log in $log, reports in $reports_dir"
if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then
    echo "sanitize $sanitizer FAILED"
    exit 1
fi
echo "sanitize $sanitizer passed"
