#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/lint.sh — clang-tidy (checks in .clang-tidy) and cppcheck on include/, failing on any
# finding; and a compile check of every public header with -fno-exceptions -fno-rtti.
#
#   tests/lint.sh
#
# Each public header gets a translation unit of its own that includes only it, so every header
# (and the detail headers it pulls in) is checked as a user would include it. CLANG_TIDY and
# CPPCHECK name the tools (default clang-tidy-14 or clang-tidy, and cppcheck).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tidy="${CLANG_TIDY:-$(command -v clang-tidy-14 || command -v clang-tidy || true)}"
cppcheck="${CPPCHECK:-$(command -v cppcheck || true)}"
if [ -z "$tidy" ] || [ -z "$cppcheck" ]; then
    echo "lint.sh: needs clang-tidy and cppcheck (Debian: apt-get install clang-tidy cppcheck)" >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
headers=(error token head handshake client frame hixie76 version)
tus=()
for h in "${headers[@]}"; do
    printf '// Lint translation unit: hixie76/%s.hpp on its own.\n#include "hixie76/%s.hpp"\n' \
        "$h" "$h" >"$work/$h.cpp"
    tus+=("$work/$h.cpp")
done

failed=0
passed=0

echo "== clang-tidy ($("$tidy" --version | grep -o 'version [0-9.]*'))"
tidy_ok=1
for tu in "${tus[@]}"; do
    # --config-file keeps the checks those of the repository whatever the TU's directory.
    if ! "$tidy" --quiet --config-file="$root/.clang-tidy" "$tu" -- \
            -std=c++17 -I"$root/include" >"$work/tidy.log" 2>&1; then
        tidy_ok=0
    fi
    if grep -qE '(warning|error):' "$work/tidy.log"; then
        tidy_ok=0
        grep -E '(warning|error):' -A2 "$work/tidy.log"
    fi
done
if [ "$tidy_ok" -eq 1 ]; then passed=$((passed + 1)); echo "clang-tidy: clean"; else
    failed=$((failed + 1)); echo "clang-tidy: findings above"; fi

echo "== cppcheck ($("$cppcheck" --version))"
if "$cppcheck" --std=c++17 --language=c++ --enable=warning,style,performance,portability \
        --inline-suppr --suppressions-list="$root/tests/cppcheck.supp" --error-exitcode=1 \
        --quiet --template='{file}:{line}: {severity}: {message} [{id}]' \
        -I"$root/include" "${tus[@]}"; then
    passed=$((passed + 1))
    echo "cppcheck: clean"
else
    failed=$((failed + 1))
    echo "cppcheck: findings above"
fi

echo "== -fno-exceptions -fno-rtti (g++ and clang++, -Wall -Wextra -Werror)"
nox_ok=1
for cxx in g++ clang++; do
    command -v "$cxx" >/dev/null || continue
    for tu in "${tus[@]}"; do
        if ! "$cxx" -std=c++17 -fsyntax-only -fno-exceptions -fno-rtti -Wall -Wextra -Wpedantic \
                -Werror -I"$root/include" "$tu"; then
            nox_ok=0
            echo "$cxx: $(basename "$tu" .cpp).hpp does not build without exceptions and RTTI"
        fi
    done
done
if [ "$nox_ok" -eq 1 ]; then passed=$((passed + 1)); echo "no-exceptions: clean"; else
    failed=$((failed + 1)); fi

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
