#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# examples/mixed_room/start.sh — installs what is missing, builds hixie76-mixed-room, starts it.
#
#   examples/mixed_room/start.sh [hixie76-mixed-room flags...]   e.g. --bind 0.0.0.0 --port 8080
#
# Debian packages only (g++, cmake, ninja-build, libboost-dev); the build tree is build/.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for p in g++ cmake ninja-build libboost-dev; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    echo "start.sh: installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHIXIE76_BUILD_EXAMPLES=ON \
    -DHIXIE76_BUILD_TESTS=OFF -DHIXIE76_BUILD_BENCH=OFF -DHIXIE76_BUILD_FUZZ=OFF >/dev/null
cmake --build build -j2 --target hixie76-mixed-room
exec build/examples/mixed_room/hixie76-mixed-room "$@"
