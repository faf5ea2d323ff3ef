#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/valgrind.sh — runs the unit tests (and the fuzz replays, when built) under valgrind
# memcheck, failing on any error or leak.
#
#   tests/valgrind.sh BUILD_DIR
#
# BUILD_DIR is a build without sanitizers (valgrind cannot run ASan binaries), e.g. the
# RelWithDebInfo build of scripts/test.sh (assertions stay on in the tests), or
#   cmake -S . -B build-vg -DCMAKE_BUILD_TYPE=Debug && cmake --build build-vg -j2
# A Debug build is several times slower under memcheck. VALGRIND_TRACK_ORIGINS=1 adds
# --track-origins=yes (twice as slow again) to find where an uninitialised value came from.
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
build="$1"
tests="$build/tests/hixie76_tests"
if [ ! -x "$tests" ]; then
    echo "valgrind.sh: no unit test binary at $tests (build the tests first)" >&2
    exit 2
fi
if ! command -v valgrind >/dev/null; then
    echo "valgrind.sh: valgrind not found (Debian: apt-get install valgrind)" >&2
    exit 2
fi
if ldd "$tests" 2>/dev/null | grep -q 'libasan'; then
    echo "valgrind.sh: $tests is built with AddressSanitizer; use a build without" \
         "HIXIE76_SANITIZE" >&2
    exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
memcheck=(valgrind --tool=memcheck --error-exitcode=1 --leak-check=full
          --errors-for-leak-kinds=definite,indirect,possible --quiet)
if [ "${VALGRIND_TRACK_ORIGINS:-0}" = 1 ]; then
    memcheck+=(--track-origins=yes)
fi
passed=0
failed=0

run() {
    local name="$1"
    shift
    echo "== valgrind: $name"
    if "${memcheck[@]}" "$@"; then
        passed=$((passed + 1))
    else
        echo "FAIL: $name"
        failed=$((failed + 1))
    fi
}

run hixie76_tests "$tests" --no-version
for exe in "$build"/tests/fuzz/hixie76_fuzz_*_replay; do
    [ -x "$exe" ] || continue
    t="$(basename "$exe" _replay)"
    t="${t#hixie76_}"
    run "$t replay" "$exe" "$root/tests/fuzz/corpus/$t" "$root/tests/fuzz/regressions/$t"
done

echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
