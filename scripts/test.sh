#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/test.sh — installs what is missing, builds everything, runs the whole test suite.
#
#   scripts/test.sh [BUILD_DIR]     (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
scripts/setup.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHIXIE76_BUILD_TESTS=ON \
    -DHIXIE76_BUILD_EXAMPLES=ON -DHIXIE76_BUILD_BENCH=ON -DHIXIE76_BUILD_FUZZ=ON
cmake --build "$build" -j2
ctest --test-dir "$build" --output-on-failure -j2
