#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/gateway/bench.py — what hixie76-gateway adds: N clients (default 100) exchange 1 KiB
# messages with the same RFC 6455 upstream (upstream_room, one echo room per client), once
# connecting straight to it as RFC 6455 clients and once as draft-76 clients through the
# gateway, in one run, the two paths taking turns for --rounds rounds. Each client keeps one message in flight (closed loop) for --seconds;
# then the same at a fixed total rate (--rate), below saturation. Prints messages per second
# and round-trip latency p50/p99 for both paths, and the difference, as a Markdown table.
# A measurement, not a test: no thresholds.
#
#   python3 tests/gateway/bench.py --gateway build/examples/hixie76-gateway \
#       --upstream-room build/tests/gateway/hixie76_upstream_room [--clients 100] \
#       [--size 1024] [--seconds 5] [--rounds 3] [--rate 2000]
#
# The clients are one Python process on selectors (both paths pay the same client cost);
# everything runs on 127.0.0.1.
import argparse
import base64
import hashlib
import os
import random
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
from e2e_chat import make_key  # noqa: E402


def start(argv):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline().decode()
    if not line.startswith('listening on '):
        p.kill()
        raise SystemExit('%s did not start: %r' % (argv[0], line))
    # Drain the rest (the room records every message) so it never blocks on a full pipe.
    import threading
    threading.Thread(target=lambda: [None for _ in iter(lambda: p.stdout.read(1 << 16), b'')],
                     daemon=True).start()
    return p, int(line.rsplit(':', 1)[1])


def recv_exact_head(sock):
    buf = b''
    while b'\r\n\r\n' not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError('closed during the handshake')
        buf += chunk
    return buf.split(b'\r\n\r\n', 1)


class Client:
    """One connection: framing for RFC 6455 (masked, client side) or draft-76."""

    def __init__(self, port, path, legacy, rng):
        self.legacy = legacy
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=20)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if legacy:
            k1, n1 = make_key(rng)
            k2, n2 = make_key(rng)
            key3 = bytes(rng.randrange(256) for _ in range(8))
            self.sock.sendall(('GET %s HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n'
                               'Host: 127.0.0.1:%d\r\nOrigin: http://127.0.0.1\r\n'
                               'Sec-WebSocket-Key1: %s\r\nSec-WebSocket-Key2: %s\r\n\r\n'
                               % (path, port, k1, k2)).encode() + key3)
            head, rest = recv_exact_head(self.sock)
            while len(rest) < 16:
                rest += self.sock.recv(4096)
            want = hashlib.md5(struct.pack('>II', n1, n2) + key3).digest()
            if not head.startswith(b'HTTP/1.1 101') or rest[:16] != want:
                raise ConnectionError('legacy handshake failed: %r' % head[:60])
            self.buf = bytearray(rest[16:])
        else:
            key = base64.b64encode(os.urandom(16)).decode()
            self.sock.sendall(('GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n'
                               'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
                               'Sec-WebSocket-Version: 13\r\n\r\n' % (path, port, key)).encode())
            head, rest = recv_exact_head(self.sock)
            if not head.startswith(b'HTTP/1.1 101'):
                raise ConnectionError('RFC 6455 handshake failed: %r' % head[:60])
            self.buf = bytearray(rest)
        self.sock.setblocking(False)
        self.out = bytearray()
        self.sent_at = []  # send times of the messages in flight, in order

    def frame(self, payload):
        if self.legacy:
            return b'\x00' + payload + b'\xff'
        n = len(payload)
        head = bytes([0x81])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack('>H', n)
        else:
            head += bytes([0x80 | 127]) + struct.pack('>Q', n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload)) if n < 256 else \
            (int.from_bytes(payload, 'big') ^ int.from_bytes((mask * (n // 4 + 1))[:n], 'big')
             ).to_bytes(n, 'big')
        return head + mask + masked

    def messages(self):
        """Complete messages received so far (their count; payloads are not needed)."""
        count = 0
        b = self.buf
        i = 0
        while True:
            if self.legacy:
                if i >= len(b):
                    break
                if b[i] != 0:
                    raise ValueError('unexpected legacy frame %02x' % b[i])
                j = b.find(b'\xff', i + 1)
                if j < 0:
                    break
                i = j + 1
                count += 1
            else:
                if len(b) - i < 2:
                    break
                n = b[i + 1] & 0x7F
                off = 2
                if n == 126:
                    if len(b) - i < 4:
                        break
                    n = struct.unpack_from('>H', b, i + 2)[0]
                    off = 4
                elif n == 127:
                    if len(b) - i < 10:
                        break
                    n = struct.unpack_from('>Q', b, i + 2)[0]
                    off = 10
                if len(b) - i < off + n:
                    break
                if b[i] & 0x0F == 0x1:
                    count += 1
                i += off + n
        del b[:i]
        return count


def run_phase(clients, size, seconds, rate):
    """Closed loop (rate None: one message in flight per client) or a fixed total rate.
    Returns (messages per second, sorted round-trip times in ms)."""
    sel = selectors.DefaultSelector()
    for c in clients:
        sel.register(c.sock, selectors.EVENT_READ, c)
    payload = b'x' * size
    rtts = []
    start = time.monotonic()
    end = start + seconds
    next_send = start
    turn = 0
    done = 0

    def send(c, now):
        c.out += c.frame(payload)
        c.sent_at.append(now)
        flush(c)

    def flush(c):
        if c.out:
            try:
                n = c.sock.send(c.out)
                del c.out[:n]
            except BlockingIOError:
                pass
        sel.modify(c.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if c.out else 0), c)

    now = time.monotonic()
    if rate is None:
        for c in clients:
            send(c, now)
    while True:
        now = time.monotonic()
        if now >= end and all(not c.sent_at for c in clients):
            break
        if now >= end + 10:
            break  # stragglers: give up on them
        timeout = 0.05
        if rate is not None and now < end:
            while next_send <= now:
                send(clients[turn % len(clients)], now)
                turn += 1
                next_send += 1.0 / rate
            timeout = max(0.0, min(timeout, next_send - now))
        for key, events in sel.select(timeout):
            c = key.data
            if events & selectors.EVENT_WRITE:
                flush(c)
            if events & selectors.EVENT_READ:
                try:
                    data = c.sock.recv(1 << 20)
                except BlockingIOError:
                    continue
                if not data:
                    raise ConnectionError('a connection closed during the run')
                c.buf += data
                got = c.messages()
                t = time.monotonic()
                for _ in range(got):
                    sent = c.sent_at.pop(0)
                    if sent < end:
                        rtts.append((t - sent) * 1000.0)
                        done += 1
                    if rate is None and t < end:
                        send(c, t)
    sel.close()
    elapsed = min(time.monotonic(), end) - start
    rtts.sort()
    return done / elapsed, rtts


def pct(sorted_values, p):
    if not sorted_values:
        return float('nan')
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100.0))]


def main():
    ap = argparse.ArgumentParser(description='what hixie76-gateway adds to an RFC 6455 upstream')
    ap.add_argument('--gateway', required=True)
    ap.add_argument('--upstream-room', required=True)
    ap.add_argument('--clients', type=int, default=100)
    ap.add_argument('--size', type=int, default=1024)
    ap.add_argument('--seconds', type=float, default=5.0, help='per phase, path and round')
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--rate', type=float, default=2000.0,
                    help='total messages per second of the fixed-rate phase (0: skip it)')
    args = ap.parse_args()

    up, up_port = start([args.upstream_room, '--port', '0', '--rooms-by-path', '--quiet'])
    gw, gw_port = start([args.gateway, '--upstream', 'ws://127.0.0.1:%d' % up_port, '--port',
                         '0', '--max-clients', str(args.clients * 2 + 16)])
    rng = random.Random(76)
    paths = (('straight to the upstream (RFC 6455)', up_port, False),
             ('through hixie76-gateway (draft-76)', gw_port, True))
    runs = {label: [] for label, _, _ in paths}  # label -> [(closed, fixed)] per round
    try:
        conns = {label: [Client(port, '/%s%d' % ('g' if legacy else 'd', i), legacy, rng)
                         for i in range(args.clients)]
                 for label, port, legacy in paths}
        # The paths take turns, round after round, so a change in the machine's load (it is
        # shared) falls on both; each figure is the median over the rounds.
        for _ in range(args.rounds):
            for label, _, _ in paths:
                closed = run_phase(conns[label], args.size, args.seconds, None)
                fixed = (run_phase(conns[label], args.size, args.seconds, args.rate)
                         if args.rate else None)
                runs[label].append((closed, fixed))
        for cs in conns.values():
            for c in cs:
                c.sock.close()
    finally:
        for p in (gw, up):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()

    def med(values):
        values = sorted(values)
        return values[len(values) // 2]

    results = []
    for label, _, _ in paths:
        rs = runs[label]
        closed = (med([c[0] for c, _ in rs]), med([pct(c[1], 50) for c, _ in rs]),
                  med([pct(c[1], 99) for c, _ in rs]))
        fixed = ((med([pct(f[1], 50) for _, f in rs]), med([pct(f[1], 99) for _, f in rs]))
                 if args.rate else None)
        results.append((label, closed, fixed))

    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float('nan')
    print('%d clients, %d-byte text messages, %d rounds of %.0f s per phase and path (medians),'
          ' one echo room per client on upstream_room (Boost.Beast); loopback, %d CPUs, load '
          'average %.1f at the end\n' % (args.clients, args.size, args.rounds, args.seconds,
                                         os.cpu_count() or 0, load))
    print('| path | closed loop: messages/s | p50 ms | p99 ms | at %.0f msg/s: p50 ms | p99 ms |'
          % args.rate)
    print('|---|---:|---:|---:|---:|---:|')
    for label, (rate, p50, p99), fixed in results:
        f = ('%.2f | %.2f' % fixed) if fixed else '- | -'
        print('| %s | %.0f | %.2f | %.2f | %s |' % (label, rate, p50, p99, f))
    (_, a, fa), (_, b, fb) = results
    line = '| added by the gateway | %+.0f | %+.2f | %+.2f |' % (b[0] - a[0], b[1] - a[1],
                                                                 b[2] - a[2])
    line += (' %+.2f | %+.2f |' % (fb[0] - fa[0], fb[1] - fa[1])) if fa and fb else ' - | - |'
    print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
