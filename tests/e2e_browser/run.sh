#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/e2e_browser/run.sh BUILD_DIR — the browser end-to-end tests of hixie76-mixed-room.
#
# Installs what is missing (Debian's chromium, Node.js and npm, a JDK and Netty; then
# playwright-core and ws from package-lock.json), compiles the Netty peers unless BUILD_DIR has
# them, and runs mixed_room.test.mjs against BUILD_DIR's hixie76-mixed-room and hixie76-cat.
# Loopback only. The last line is "N passed, M failed"; the exit status is 0 when all passed.
# The screenshot of the chat page goes to BUILD_DIR/e2e_browser/mixed_room.png.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -ne 1 || ! -d $1 ]]; then
    echo "usage: tests/e2e_browser/run.sh BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
out="$build/e2e_browser"
mkdir -p "$out"

give_up() {
    echo "e2e_browser: $*" >&2
    echo "0 passed, 1 failed"
    exit 1
}

# The programs, wherever the build tree puts them (CMake or Meson).
find_program() {
    find "$build" -type f -name "$1" -perm -u+x -print -quit 2>/dev/null
}
server=$(find_program hixie76-mixed-room)
cat_client=$(find_program hixie76-cat)
[[ -n $server ]] || give_up "no hixie76-mixed-room in $build (it needs the Boost headers: libboost-dev)"
[[ -n $cat_client ]] || give_up "no hixie76-cat in $build"

# --- packages ----------------------------------------------------------------------------------
jars=(netty-common netty-buffer netty-transport netty-resolver netty-codec netty-codec-http
      netty-handler)
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v javac >/dev/null || missing+=(default-jdk-headless)
[[ -f /usr/share/java/netty-codec-http.jar ]] || missing+=(libnetty-java)
if ((${#missing[@]})); then
    echo "e2e_browser: installing ${missing[*]}"
    sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 "${sudo[@]}" apt-get update -q || give_up "apt-get update failed"
    timeout 900 "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" ||
        give_up "apt-get install ${missing[*]} failed"
fi

# --- npm: playwright-core and ws, exactly as locked (node_modules/ is not committed) ------------
if ! (cd "$here" && timeout 300 npm ci --no-audit --no-fund --loglevel=error); then
    give_up "npm ci failed in $here"
fi

# --- the Netty peers: from the build tree, else compiled here -----------------------------------
classpath=""
for j in "${jars[@]}"; do
    classpath+="/usr/share/java/$j.jar:"
done
classes="$build/tests/peers/netty/classes"
if [[ ! -f $classes/NettyClient.class ]]; then
    classes="$out/netty-classes"
    sources=("$here"/../peers/netty/*.java)
    if [[ ! -f $classes/NettyClient.class || -n $(find "${sources[@]}" -newer "$classes/NettyClient.class") ]]; then
        rm -rf "$classes"
        mkdir -p "$classes"
        timeout 300 javac -encoding UTF-8 -nowarn -cp "${classpath%:}" -d "$classes" "${sources[@]}" ||
            give_up "javac of the Netty peers failed"
    fi
fi
classpath+="$classes"

# --- the tests ---------------------------------------------------------------------------------
cd "$here"
exec timeout 600 node mixed_room.test.mjs --server "$server" --cat "$cat_client" \
    --netty-cp "$classpath" --out "$out" --chromium /usr/bin/chromium
