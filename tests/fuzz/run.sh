#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh — builds the libFuzzer targets with clang and runs each for SECONDS.
#
#   tests/fuzz/run.sh [SECONDS]        # default 60 seconds per target
#
# Environment:
#   FUZZ_BUILD_DIR  build directory (default: build-fuzz in the source tree)
#   FUZZ_TARGETS    targets to run (default: all five), e.g. "fuzz_frames fuzz_token"
#   FUZZ_JOBS       targets run at once (default 1; each uses one core)
#   FUZZ_NICE       nice level for the fuzzers (default 10)
#   CXX             the clang++ to build with (default clang++)
#
# Each target starts from a copy of tests/fuzz/corpus/<target> plus regressions/<target>, with
# tests/fuzz/hixie76.dict. A crash, an invariant failure (abort), a leak, a timeout or an
# out-of-memory fails the run; the input is saved under $FUZZ_BUILD_DIR/artifacts/<target>/.
# Copy it to tests/fuzz/regressions/<target>/ so ctest replays it from then on. The inputs a
# run found are left in $FUZZ_BUILD_DIR/work/<target>/corpus.
set -euo pipefail

seconds="${1:-60}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
targets="${FUZZ_TARGETS:-fuzz_request fuzz_response fuzz_frames fuzz_token fuzz_roundtrip}"
jobs="${FUZZ_JOBS:-1}"
nice_level="${FUZZ_NICE:-10}"
cxx="${CXX:-clang++}"

case "$seconds" in
'' | *[!0-9]*) echo "run.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;;
esac

mkdir -p "$build"
build="$(cd "$build" && pwd)" # absolute: each target runs from its own work directory
echo "== fuzz: building with $cxx in $build"
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHIXIE76_BUILD_TESTS=OFF -DHIXIE76_BUILD_EXAMPLES=OFF -DHIXIE76_BUILD_BENCH=OFF \
    -DHIXIE76_BUILD_FUZZ=ON -DHIXIE76_FUZZ_ENGINE=ON -DHIXIE76_INSTALL=OFF \
    >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log"; exit 1; }
if ! grep -q "HIXIE76_HAVE_LIBFUZZER:INTERNAL=1" "$build/CMakeCache.txt"; then
    echo "run.sh: $cxx cannot link -fsanitize=fuzzer (Debian: apt-get install clang" \
         "libclang-rt-14-dev)" >&2
    exit 1
fi
build_targets=()
for t in $targets; do build_targets+=("hixie76_$t"); done
cmake --build "$build" -j "${FUZZ_BUILD_JOBS:-2}" --target "${build_targets[@]}"

# Runs one target; prints its summary line; returns non-zero on any finding.
run_one() {
    local t="$1" work="$build/work/$1" art="$build/artifacts/$1"
    rm -rf "$work"
    mkdir -p "$work/corpus" "$art"
    cp "$here/corpus/$t"/* "$work/corpus/" 2>/dev/null || true
    cp "$here/regressions/$t"/* "$work/corpus/" 2>/dev/null || true
    local rc=0
    (cd "$work" && nice -n "$nice_level" "$build/tests/fuzz/hixie76_$t" \
        -max_total_time="$seconds" -dict="$here/hixie76.dict" -artifact_prefix="$art/" \
        -print_final_stats=1 -timeout=20 -rss_limit_mb=2048 -max_len=4096 \
        "$work/corpus" >"$work/log" 2>&1) || rc=$?
    local execs speed cov ft corp
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$work/log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$work/log" | tail -1 | cut -d' ' -f2)
    corp=$(find "$work/corpus" -type f | wc -l)
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $t (exit $rc): see $work/log; inputs in $art/"
        grep -E 'invariant broken|ERROR: |SUMMARY: |runtime error' "$work/log" | head -5 || true
        return 1
    fi
    printf 'ok   %-15s %6ss  execs %-10s exec/s %-7s cov %-5s ft %-6s corpus %s\n' \
        "$t" "$seconds" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$corp"
}

echo "== fuzz: $seconds s per target, $jobs at a time"
passed=0
failed=0
pids=()
names=()
reap() {
    local i
    for i in "${!pids[@]}"; do
        if wait "${pids[$i]}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    done
    pids=()
    names=()
}
for t in $targets; do
    run_one "$t" &
    pids+=("$!")
    names+=("$t")
    if [ "${#pids[@]}" -ge "$jobs" ]; then reap; fi
done
reap
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
