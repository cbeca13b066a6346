#!/usr/bin/env bash
# Fuzzes the parsers that take bytes from outside with libFuzzer and AddressSanitizer.
#
# Usage: scripts/fuzz.sh TARGET SECONDS
#        scripts/fuzz.sh all SECONDS        (each target for SECONDS, one after another)
#
# Targets (harnesses in Tests/Fuzz/TARGET/, seeds in Tests/Fuzz/Corpus/TARGET/):
#   codec     LineCodec framing: same events in any split, limits kept
#   command   CommandTable.standard.resolve for every kind of principal
#   scenario  JSONParser and ScenarioReader; accepted input survives write and read
#
# SasuraiCore and SasuraiProtocol are compiled with `swiftc -O -sanitize=fuzzer,address`
# into .build-fuzz/ (rebuilt when a source changes); each harness is compiled with
# -sanitize=address and linked against them with -sanitize=fuzzer,address. A run fuzzes
# into .build-fuzz/corpus/TARGET/ (seeded from the seed corpus and kept between runs) and
# replays Tests/Fuzz/Crashes/TARGET/, the inputs that once crashed.
# A failed invariant traps; libFuzzer then stops, the input is kept in
# .build-fuzz/artifacts/TARGET/ and printed in hex, and this script exits non-zero. Keep such
# an input in Tests/Fuzz/Crashes/TARGET/ with a regression test that feeds it.
#
# Environment: SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc),
# FUZZ_ARGS (more libFuzzer flags, e.g. "-seed=1" or "-use_value_profile=1").
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(codec command scenario)
usage() {
    echo "usage: scripts/fuzz.sh {codec|command|scenario|all} SECONDS" >&2
    exit 2
}
[ $# -eq 2 ] || usage
target=$1
seconds=$2
case "$seconds" in '' | *[!0-9]*) usage ;; esac
case "$target" in
    all) selected=("${targets[@]}") ;;
    codec | command | scenario) selected=("$target") ;;
    *) usage ;;
esac

swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
build=.build-fuzz
flags=(-O -g -sanitize=fuzzer,address -parse-as-library)
mkdir -p "$build/modules"

# Compiles a library module into one object file and its .swiftmodule, when its sources
# or the compiler changed since the last build.
build_module() {
    local module=$1; shift
    local stamp="$build/modules/$module.stamp"
    local sum
    sum=$( { "$swiftc" --version 2>&1; echo "${flags[*]}"; cat "$@"; } | sha256sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -f "$build/modules/$module.o" ]; then
        return
    fi
    echo "fuzz: compiling $module with -sanitize=fuzzer,address" >&2
    "$swiftc" "${flags[@]}" -wmo -module-name "$module" -I "$build/modules" \
        -emit-module -emit-module-path "$build/modules/$module.swiftmodule" \
        -emit-object -o "$build/modules/$module.o" "$@"
    echo "$sum" > "$stamp"
}

build_module SasuraiCore Sources/SasuraiCore/*.swift
build_module SasuraiProtocol Sources/SasuraiProtocol/*.swift

max_len() {
    case "$1" in
        codec) echo 1024 ;;      # lines of at most 256 bytes: a few of them
        command) echo 4096 ;;    # ProtocolLimits.maximumAnonymousLineBytes
        scenario) echo 8192 ;;   # the largest seed is 7 KB
    esac
}

status=0
summary=()
for name in "${selected[@]}"; do
    binary="$build/fuzz-$name"
    # The harness gets AddressSanitizer but no coverage, so that libFuzzer is guided by the
    # code under test rather than by the harness's own checks.
    "$swiftc" -O -g -sanitize=address -parse-as-library -wmo -I "$build/modules" -module-name "Fuzz_$name" \
        -c -o "$build/harness-$name.o" Tests/Fuzz/Support/*.swift Tests/Fuzz/"$name"/*.swift
    # gold warns about every ASan helper symbol it cannot export; show that only on failure.
    if ! "$swiftc" "${flags[@]}" -o "$binary" "$build/harness-$name.o" \
        "$build/modules/SasuraiProtocol.o" "$build/modules/SasuraiCore.o" > "$build/link-$name.log" 2>&1; then
        grep -v 'Cannot export local symbol' "$build/link-$name.log" >&2
        exit 1
    fi

    corpus="$build/corpus/$name"
    artifacts="$build/artifacts/$name"
    crashes="Tests/Fuzz/Crashes/$name"
    mkdir -p "$corpus" "$artifacts"
    cp -n Tests/Fuzz/Corpus/"$name"/* "$corpus"/ 2>/dev/null || true
    extra=()
    if [ -d "$crashes" ] && [ -n "$(ls -A "$crashes")" ]; then extra=("$crashes"); fi
    dict=()
    if [ -f "Tests/Fuzz/$name/$name.dict" ]; then dict=("-dict=Tests/Fuzz/$name/$name.dict"); fi
    log="$build/fuzz-$name.log"

    echo "fuzz: $name for $seconds s" >&2
    set +e
    # No leak checks: Swift keeps enum case tags in the spare bits of a pointer, so
    # LeakSanitizer does not see that a lazily built global (CommandTable.standard, whose
    # ParameterType is an indirect enum) still holds its boxes, and reports them as leaked.
    # shellcheck disable=SC2086
    ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
        "$binary" "$corpus" "${extra[@]}" "${dict[@]}" -detect_leaks=0 \
        -max_total_time="$seconds" -max_len="$(max_len "$name")" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} > "$log" 2>&1
    code=$?
    set -e

    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2)
    units="?"
    if [ -n "$corp" ]; then units="${corp%%/*} inputs (${corp#*/})"; fi
    crash_count=0
    if [ "$code" -ne 0 ]; then
        crash_count=1
        status=1
        tail -n 60 "$log" >&2
        for input in $(grep -o "Test unit written to [^ ]*" "$log" | sed 's/Test unit written to //'); do
            echo "fuzz: $name crash input $input ($(wc -c < "$input") bytes):" >&2
            head -c 4096 "$input" | od -An -tx1 -v >&2
        done
        echo "fuzz: keep it in $crashes/ and add a regression test that feeds it" >&2
    fi
    line=$(printf 'fuzz %-8s %12s executions in %s s, %s exec/s, %d crashes, corpus %s, exit %d' \
        "$name" "${executions:-?}" "$seconds" "${rate:-?}" "$crash_count" "$units" "$code")
    echo "$line"
    summary+=("$line")
done

if [ ${#summary[@]} -gt 1 ]; then
    printf '%s\n' "${summary[@]}" | awk '{ n += $3 } END { printf "fuzz total: %d executions\n", n }'
fi
exit "$status"
