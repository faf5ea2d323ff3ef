#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/chat.sh — installs what is missing, builds the examples, starts the chat server.
#
#   scripts/chat.sh [hixie76-chat flags...]     e.g. scripts/chat.sh --port 0
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh minimal
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DHIXIE76_BUILD_EXAMPLES=ON \
    -DHIXIE76_BUILD_TESTS=OFF -DHIXIE76_BUILD_BENCH=OFF -DHIXIE76_BUILD_FUZZ=OFF >/dev/null
cmake --build build -j2 --target hixie76-chat hixie76-cat
exec build/examples/hixie76-chat "$@"
