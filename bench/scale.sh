#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/scale.sh — hixie76-chat and the Netty room (tests/peers/netty/NettyRoom.java) side by
# side under the same hixie76-load commands, on loopback:
#
#   idle     10,000 legacy connections arriving at 2,000/s, held 10 s: every handshake must
#            succeed; handshake p99; the server's RSS per connection (idle: RSS once all are
#            connected minus RSS before; peak: VmHWM minus RSS before)
#   fan-out  1,000, then 2,000 and 5,000 clients, each sending one 64-byte message per second
#            for 30 s to the room (every message to every client): deliveries/s, latency
#            p50/p99, lost; a server's series stops after the first size whose p99 passes 1 s
#   gateway  when hixie76-gateway is built: 1,000 clients through it to its RFC 6455 test
#            upstream (tests/gateway/upstream_room) versus straight to that upstream, measured
#            by tests/gateway/bench.py (hixie76-load speaks only the legacy protocol, and the
#            straight path needs RFC 6455 clients): added latency p50/p99 and throughput
#
#   bench/scale.sh [--build DIR] [--out DIR] [--quick] [--only SERVER] [--chat PATH]
#                  [--netty-threads N] [--sizes "N N ..."] [--no-idle]
#
# --build: a CMake build tree with hixie76-chat, hixie76-load and the Netty peers (default
# build-bench-scale, configured and built here when missing). --out: where the servers' logs,
# each run's JSON and results.json go (default DIR/scale). --quick: a smoke run (200 idle
# connections, 100 and 200 clients for 3 s), for checking the script, not for numbers. Each
# server is started afresh for each row and warmed up with the same short load first.
# --only hixie76-chat|netty-room runs one server; --chat PATH measures another hixie76-chat
# binary; --netty-threads N gives the Netty room N event loops (default 1, like the chat's one
# thread; 0: Netty's default, twice the cores). --sizes replaces the fan-out client counts
# (e.g. to find where a server's p99 stays under 1 s); --no-idle skips the idle row.
# Prints a Markdown table; bench/scale_chart.py turns results.json into an SVG chart.
# Not a test: it asserts nothing about speed. Each run is bounded (timeout).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build="$root/build-bench-scale"
out=""
quick=0
only=""
chat_override=""
netty_threads=1
sizes_override=""
idle=1
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --only) only=$2; shift 2 ;;
    --chat) chat_override=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --netty-threads) netty_threads=$2; shift 2 ;;
    --sizes) sizes_override=$2; shift 2 ;;
    --no-idle) idle=0; shift ;;
    -h | --help) sed -n '3,21p' "$0"; exit 0 ;;
    *) echo "bench/scale.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
out=${out:-"$build/scale"}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHIXIE76_BUILD_TESTS=ON \
        -DHIXIE76_BUILD_EXAMPLES=ON -DHIXIE76_BUILD_BENCH=OFF -DHIXIE76_BUILD_FUZZ=OFF
fi
cmake --build "$build" -j 2 --target hixie76-chat hixie76-load hixie76_netty_peers
chat_bin=${chat_override:-"$build/examples/hixie76-chat"}
load_bin="$build/examples/load/hixie76-load"
room_cmd=$(grep -o '"--netty-room" "[^"]*"' "$build/tests/e2e/CTestTestfile.cmake" | head -1 |
    sed 's/^"--netty-room" "//; s/"$//')
if [ -z "$room_cmd" ]; then
    echo "bench/scale.sh: no NettyRoom command in $build (JDK and Netty jars found?)" >&2
    exit 1
fi

# Both servers and the load tool may use every descriptor the hard limit allows.
ulimit -n "$(ulimit -Hn)"

if [ "$quick" = 1 ]; then
    idle_n=200 idle_rate=2000 idle_hold=3 sizes="100 200" fan_secs=3
else
    idle_n=10000 idle_rate=2000 idle_hold=10 sizes="1000 2000 5000" fan_secs=30
fi
sizes=${sizes_override:-$sizes}

server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# start_server NAME LOGPREFIX: starts the server, sets server_pid and port.
start_server() {
    local name=$1 log=$2
    case "$name" in
    hixie76-chat)
        "$chat_bin" --port 0 --max-clients 20000 --handshake-timeout 60 \
            --max-queue 16777216 >"$log.out" 2>"$log.err" &
        ;;
    netty-room)
        # shellcheck disable=SC2086 # the command is a word list
        $room_cmd --port 0 --threads "$netty_threads" --max-seconds 600 \
            >"$log.out" 2>"$log.err" &
        ;;
    esac
    server_pid=$!
    port=""
    for _ in $(seq 300); do
        port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$log.out" 2>/dev/null | head -1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        echo "bench/scale.sh: $name did not start (see $log.err)" >&2
        exit 1
    fi
    sleep 0.5
    # Warm-up (the JVM compiles its hot paths; both servers get the same): 200 clients, 3 s of
    # messages, then gone before the measurement starts.
    timeout 60 "$load_bin" "ws://127.0.0.1:$port/" --connections 200 --connect-rate 2000 \
        --interval 200 --duration 3 --expect none >"$log.warmup" 2>&1 || true
    sleep 1
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# CPU seconds (user + system) a process has used so far, threads included.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

results="$out/results.json"
echo "[" >"$results"
first_row=1
add_row() { # JSON object text
    if [ "$first_row" = 1 ]; then first_row=0; else echo "," >>"$results"; fi
    printf '%s' "$1" >>"$results"
}

load_summary() { # the load tool's stdout: the message-phase line's rate
    sed -n 's/^message phase: \([0-9.]*\) s, \([0-9]*\) received\/s$/\2/p' "$1"
}

{
    echo "started: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "uptime: $(uptime)"
    echo "cpus: $(nproc); $(uname -sr)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "java: $(java -version 2>&1 | head -1); Netty room event loops: $netty_threads"
    echo "chat: $chat_bin"
} | tee "$out/machine.txt"

for server in hixie76-chat netty-room; do
    if [ -n "$only" ] && [ "$only" != "$server" ]; then
        continue
    fi
    # --- idle connections ------------------------------------------------------------------
    if [ "$idle" = 1 ]; then
        log="$out/$server-idle"
        start_server "$server" "$log"
        base=$(rss_kib "$server_pid")
        idle_rss=0
        (
            # RSS with every connection in: sampled half-way through the hold (the load tool's
            # progress line says when all are connected).
            while sleep 0.2; do
                if grep -q "connected $idle_n failed" "$log.load.err" 2>/dev/null; then
                    sleep "$(python3 -c "print($idle_hold / 2)")"
                    rss_kib "$server_pid" >"$log.idle_rss"
                    break
                fi
            done
        ) &
        sampler=$!
        echo "== $server: $idle_n idle connections at $idle_rate/s" >&2
        set +e
        cpu0=$(cpu_s "$server_pid")
        /usr/bin/time -f '%U %S' -o "$log.load.time" \
        timeout 300 "$load_bin" "ws://127.0.0.1:$port/" --connections "$idle_n" \
            --connect-rate "$idle_rate" --messages 0 --duration "$idle_hold" --expect none \
            --handshake-timeout 60 --json "$log.json" >"$log.load.out" 2>"$log.load.err"
        rc=$?
        set -e
        kill "$sampler" 2>/dev/null || true
        wait "$sampler" 2>/dev/null || true
        [ -f "$log.idle_rss" ] && idle_rss=$(cat "$log.idle_rss")
        hwm=$(hwm_kib "$server_pid")
        server_cpu=$(python3 -c "print(round($(cpu_s "$server_pid") - $cpu0, 1))")
        load_cpu=$(tail -n 1 "$log.load.time" 2>/dev/null | awk '{printf "%.1f", $1 + $2}')
        stop_server
        cat "$log.load.out" >&2
        add_row "$(python3 - "$log.json" "$server" "$idle_n" "$base" "$idle_rss" "$hwm" "$rc" \
            "$server_cpu" "$load_cpu" <<'EOF'
import json, sys
path, server, n, base, idle, hwm, rc, server_cpu, load_cpu = sys.argv[1:]
try:
    d = json.load(open(path))
except (OSError, ValueError):
    d = {}
n, base, idle, hwm = int(n), int(base), int(idle), int(hwm)
ok = max(d.get('connections_ok') or 0, 1)  # per connection that got in
print(json.dumps({'row': 'idle', 'server': server, 'clients': n, 'exit': int(rc),
                  'connections_ok': d.get('connections_ok'),
                  'handshake_ms': d.get('handshake_ms'),
                  'rss_base_kib': base, 'rss_idle_kib': idle, 'rss_peak_kib': hwm,
                  'idle_kib_per_conn': round((idle - base) / ok, 2) if idle else None,
                  'peak_kib_per_conn': round((hwm - base) / ok, 2),
                  'server_cpu_s': float(server_cpu), 'load_cpu_s': float(load_cpu or 0)}))
EOF
)"
    fi

    # --- fan-out ---------------------------------------------------------------------------
    for n in $sizes; do
        log="$out/$server-fanout-$n"
        start_server "$server" "$log"
        echo "== $server: fan-out, $n clients x 1 msg/s x ${fan_secs}s" >&2
        set +e
        cpu0=$(cpu_s "$server_pid")
        /usr/bin/time -f '%U %S' -o "$log.load.time" \
        timeout $((fan_secs + 240)) "$load_bin" "ws://127.0.0.1:$port/" --connections "$n" \
            --connect-rate 2000 --interval 1000 --duration "$fan_secs" --size 64 \
            --expect broadcast --drain 10 --handshake-timeout 60 --json "$log.json" \
            >"$log.load.out" 2>"$log.load.err"
        rc=$?
        set -e
        hwm=$(hwm_kib "$server_pid")
        server_cpu=$(python3 -c "print(round($(cpu_s "$server_pid") - $cpu0, 1))")
        load_cpu=$(tail -n 1 "$log.load.time" 2>/dev/null | awk '{printf "%.1f", $1 + $2}')
        stop_server
        cat "$log.load.out" >&2
        rate=$(load_summary "$log.load.out")
        row=$(python3 - "$log.json" "$server" "$n" "$rc" "${rate:-0}" "$hwm" "$server_cpu" \
            "$load_cpu" <<'EOF'
import json, sys
path, server, n, rc, rate, hwm, server_cpu, load_cpu = sys.argv[1:]
try:
    d = json.load(open(path))
except (OSError, ValueError):
    d = {}
print(json.dumps({'row': 'fanout', 'server': server, 'clients': int(n), 'exit': int(rc),
                  'connections_ok': d.get('connections_ok'),
                  'sent': d.get('messages_sent'), 'received': d.get('messages_received'),
                  'lost': d.get('lost'), 'out_of_order': d.get('out_of_order'),
                  'deliveries_per_s': int(rate), 'latency_ms': d.get('latency_ms'),
                  'rss_peak_kib': int(hwm),
                  'server_cpu_s': float(server_cpu), 'load_cpu_s': float(load_cpu or 0)}))
EOF
)
        add_row "$row"
        # The series ends once p99 passes 1 s (or messages were lost: the server fell behind).
        if ! python3 -c '
import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if d["lost"] == 0 and (d["latency_ms"] or {}).get("p99", 1e9) <= 1000 else 1)
' "$row"; then
            echo "== $server: p99 over 1 s or messages lost at $n clients; series ends" >&2
            break
        fi
    done
done
echo "]" >>"$results"

# --- the gateway -------------------------------------------------------------------------------
gateway_bin="$build/examples/gateway/hixie76-gateway"
upstream_bin="$build/tests/gateway/hixie76_upstream_room"
if [ -z "$only" ] && [ -x "$gateway_bin" ] && [ -x "$upstream_bin" ]; then
    gw_clients=1000
    [ "$quick" = 1 ] && gw_clients=100
    echo "== gateway: $gw_clients clients, straight and through hixie76-gateway" >&2
    timeout 600 python3 "$root/tests/gateway/bench.py" --gateway "$gateway_bin" \
        --upstream-room "$upstream_bin" --clients "$gw_clients" --size 64 --seconds 10 \
        --rate 1000 >"$out/gateway.md" 2>"$out/gateway.err" ||
        echo "bench/scale.sh: the gateway row failed (see $out/gateway.err)" >&2
fi
echo "finished: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); uptime: $(uptime)" | tee -a "$out/machine.txt"

python3 - "$results" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))
def f(x, nd=1):
    return '—' if x is None else ('%.*f' % (nd, x))
print()
print('| row | server | clients | connected | handshake p99 ms | idle KiB/conn | peak KiB/conn | CPU s server / load | exit |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|')
for r in rows:
    if r['row'] == 'idle':
        h = r['handshake_ms'] or {}
        print('| idle | %s | %d | %s | %s | %s | %s | %s / %s | %d |' % (
            r['server'], r['clients'], r['connections_ok'], f(h.get('p99')),
            f(r['idle_kib_per_conn'], 2), f(r['peak_kib_per_conn'], 2),
            f(r['server_cpu_s']), f(r['load_cpu_s']), r['exit']))
print()
print('| row | server | clients | deliveries/s | latency p50 ms | latency p99 ms | lost | out of order | peak RSS MiB | CPU s server / load | exit |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for r in rows:
    if r['row'] == 'fanout':
        lat = r['latency_ms'] or {}
        print('| fan-out | %s | %d | %d | %s | %s | %s | %s | %.0f | %s / %s | %d |' % (
            r['server'], r['clients'], r['deliveries_per_s'], f(lat.get('p50')),
            f(lat.get('p99')), r['lost'], r['out_of_order'], r['rss_peak_kib'] / 1024.0,
            f(r['server_cpu_s']), f(r['load_cpu_s']), r['exit']))
EOF
if [ -s "$out/gateway.md" ]; then
    echo
    cat "$out/gateway.md"
fi
echo "results: $results" >&2
