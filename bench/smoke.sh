#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/smoke.sh — CI smoke test of the benchmark suite: builds hixie76_bench if needed, runs
# every benchmark once briefly, and fails if any benchmark reported an error (each one checks
# its own output) or if the binary failed.
#
#   bench/smoke.sh [build-dir]        (default: build-bench; HIXIE76_BENCH_BIN to skip building)
#
# Google Benchmark exits 0 even when a benchmark calls SkipWithError, so the JSON output is
# checked instead.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-"$root/build-bench"}
bin=${HIXIE76_BENCH_BIN:-"$build/bench/hixie76_bench"}

if [ -z "${HIXIE76_BENCH_BIN:-}" ]; then
    if [ ! -f "$build/CMakeCache.txt" ]; then
        cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHIXIE76_BUILD_BENCH=ON \
            -DHIXIE76_BUILD_TESTS=OFF -DHIXIE76_BUILD_EXAMPLES=OFF -DHIXIE76_BUILD_FUZZ=OFF \
            -DHIXIE76_INSTALL=OFF
    fi
    cmake --build "$build" --target hixie76_bench -j 2
fi
if [ ! -x "$bin" ]; then
    echo "bench/smoke.sh: $bin was not built (is Google Benchmark installed?)" >&2
    exit 1
fi

out=$(mktemp "${TMPDIR:-/tmp}/hixie76_bench.XXXXXX.json")
trap 'rm -f "$out"' EXIT
"$bin" --benchmark_min_time=0.01 --benchmark_out="$out" --benchmark_out_format=json

python3 - "$out" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
runs = data.get("benchmarks", [])
bad = [b for b in runs if b.get("error_occurred")]
for b in bad:
    print(f"FAILED {b['name']}: {b.get('error_message', '')}", file=sys.stderr)
names = {b.get("run_name", b["name"]) for b in runs}
missing = [n for n in ("hixie76/handshake/spec", "hixie76/decode/1024", "floor/memchr/1024")
           if n not in names]
for n in missing:
    print(f"MISSING {n}", file=sys.stderr)
if bad or missing or not runs:
    sys.exit(1)
print(f"bench/smoke.sh: {len(runs)} benchmarks ran without error "
      f"(websocketpp: {data.get('context', {}).get('websocketpp', '?')})")
EOF
