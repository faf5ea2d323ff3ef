#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/setup.sh — installs the Debian packages the build, the tests and the examples need.
#
#   scripts/setup.sh            # everything the test suite uses
#   scripts/setup.sh minimal    # just enough to build the examples
#
# Packages already present are not reinstalled; nothing is downloaded outside apt.
set -euo pipefail

minimal=(g++ cmake ninja-build)
full=("${minimal[@]}" clang libclang-rt-14-dev meson pkg-config doctest-dev libbenchmark-dev
      python3 default-jdk-headless libnetty-java libwebsocketpp-dev libboost-dev valgrind
      cppcheck clang-tidy)
full+=(nginx-light haproxy stunnel4 openssl) # tests/deploy: the proxies, run unprivileged
full+=(libssl-dev nodejs node-ws)            # tests/gateway: TLS, the Node ws upstream

want=("${full[@]}")
if [ "${1:-}" = "minimal" ]; then
    want=("${minimal[@]}")
fi

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
