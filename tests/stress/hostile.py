#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/stress/hostile.py — hostile peers against hixie76-chat while legitimate clients chat.
#
#   python3 tests/stress/hostile.py --chat build/examples/hixie76-chat [-v]
#   python3 tests/stress/hostile.py --gateway build/examples/hixie76-gateway \
#       --upstream-room build/tests/gateway/hixie76_upstream_room [-v]
#
# With --gateway the server under attack is hixie76-gateway in front of upstream_room (an
# RFC 6455 room that relays every message unchanged, one room per path): the same attackers,
# the same checks, the peak RSS measured on the gateway. The connections that never finish
# the handshake use a path of their own, since a draft-76 head without key3 already opens an
# upstream connection (the gateway answers head first).
#
# While three legitimate clients (two draft-76, one draft-75) exchange messages, the server
# is attacked by: 500 connections that never finish the handshake (silent, half a head, or a
# whole draft-76 head without key3); a client sending 64 MiB frames without end (a text frame
# that never ends, then a length frame announcing 64 MiB); a client sending 10,000 tiny frames
# per second; clients that connect and vanish mid-handshake or mid-frame (some with a reset);
# and a reader that never reads, fed by a client relaying the largest allowed messages.
#
# The checks: every legitimate message reaches every legitimate client, in order, once; the
# hostile clients are cut off (the big frames long before 64 MiB, the non-reader once its
# queue passes --max-queue, the stalled ones after --handshake-timeout); the server's peak
# RSS (VmHWM in /proc/PID/status) stays below the size of one hostile frame, so nothing was
# buffered whole; afterwards the server still admits a client, exits 0 on SIGTERM and printed
# no sanitizer report. Loopback only; every loop is bounded in count and time (about a
# minute in all, three at most). Ends with the line "N passed, M failed".
import argparse
import atexit
import hashlib
import os
import random
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
MIB = 1024 * 1024

# Server limits for the run; the attack sizes below are chosen against them.
MAX_CLIENTS = 600          # room for the 500 stalled connections and everyone else
MAX_MESSAGE = 64 * 1024    # --max-message: a larger frame gets its sender dropped
MAX_QUEUE = 1 * MIB        # --max-queue: unsent bytes before a non-reader is dropped
HANDSHAKE_TIMEOUT = 8      # seconds

STALLED = 500              # connections that never finish the handshake
BIG_FRAME = 64 * MIB       # what the big-frame sender tries to send, per frame
BIG_ROUNDS = 4             # frames (connections) of the big-frame sender
FLOOD_RATE = 10_000        # tiny frames per second from the flooding client
FLOOD_SECONDS = 5
PUMP_MESSAGES = 150        # largest allowed messages relayed past the non-reader (9 MB)
PUMP_SIZE = 60_000
VANISHERS = 120            # clients that connect and vanish
LEGIT_MESSAGES = 40        # per legitimate client
LEGIT_INTERVAL = 0.25      # seconds between a legitimate client's messages
RSS_LIMIT = BIG_FRAME      # the peak RSS must stay below one hostile frame

VERBOSE = False
RESULTS = []  # (ok, what)
GATEWAY = False  # the server is hixie76-gateway: messages come back unchanged, not NAME:text
ROOM_PATH = "/"  # the legitimate clients' resource


def log(msg):
    if VERBOSE:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def check(ok, what):
    RESULTS.append((bool(ok), what))
    print(f"{'ok  ' if ok else 'FAIL'} - {what}", flush=True)
    return ok


# --- the protocol, client side -----------------------------------------------------------------

KEY_CHARS = [chr(c) for c in list(range(0x21, 0x30)) + list(range(0x3A, 0x7F))]


def make_key(rng):
    """A draft-76 key (§4.1 steps 16–22) and its number."""
    spaces = rng.randint(1, 12)
    number = rng.randint(0, 4294967295 // spaces)
    key = list(str(number * spaces))
    for _ in range(rng.randint(1, 12)):
        key.insert(rng.randint(0, len(key)), rng.choice(KEY_CHARS))
    for _ in range(spaces):
        key.insert(rng.randint(1, len(key) - 1), " ")
    return "".join(key), number


def request_76(rng, path=None):
    """The request bytes (key3 included) and the 16-byte answer expected."""
    path = path or ROOM_PATH
    k1, n1 = make_key(rng)
    k2, n2 = make_key(rng)
    key3 = bytes(rng.randrange(256) for _ in range(8))
    head = (f"GET {path} HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
            f"Host: {HOST}\r\nOrigin: http://{HOST}\r\nSec-WebSocket-Key1: {k1}\r\n"
            f"Sec-WebSocket-Key2: {k2}\r\n\r\n").encode()
    answer = hashlib.md5(struct.pack(">II", n1, n2) + key3).digest()
    return head, key3, answer


def request_75(path=None):
    path = path or ROOM_PATH
    return (f"GET {path} HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
            f"Host: {HOST}\r\nOrigin: http://{HOST}\r\n\r\n").encode()


def connect(port, rcvbuf=None, timeout=10.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((HOST, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_until(s, buf, pred, deadline):
    while not pred(buf):
        if time.monotonic() > deadline:
            raise TimeoutError("no complete answer in time")
        data = s.recv(65536)
        if not data:
            raise ConnectionError("closed during the handshake")
        buf += data
    return buf


def handshake(s, rng, draft=76):
    """Opens the connection; returns the bytes received after the handshake."""
    deadline = time.monotonic() + 10
    if draft == 76:
        head, key3, answer = request_76(rng)
        s.sendall(head + key3)
    else:
        s.sendall(request_75())
    buf = recv_until(s, bytearray(), lambda b: b"\r\n\r\n" in b, deadline)
    end = buf.index(b"\r\n\r\n") + 4
    status = bytes(buf[:buf.index(b"\r\n")])
    want = (b"HTTP/1.1 101 WebSocket Protocol Handshake" if draft == 76
            else b"HTTP/1.1 101 Web Socket Protocol Handshake")
    if status != want:
        raise ConnectionError(f"refused: {status!r}")
    if draft == 76:
        buf = recv_until(s, buf, lambda b: len(b) >= end + 16, deadline)
        if bytes(buf[end:end + 16]) != answer:
            raise ConnectionError("wrong 16-byte answer")
        end += 16
    return bytearray(buf[end:])


def text_frame(text):
    return b"\x00" + text.encode("utf-8") + b"\xff"


def length_prefix(n):
    groups = [n & 0x7F]
    n >>= 7
    while n:
        groups.insert(0, (n & 0x7F) | 0x80)
        n >>= 7
    return bytes(groups)


class FrameReader:
    """The server's frames: text frames and the closing handshake."""

    def __init__(self):
        self.buf = bytearray()
        self.closed = False

    def feed(self, data):
        self.buf += data
        out = []
        i = 0
        buf = self.buf
        while i < len(buf) and not self.closed:
            t = buf[i]
            if t == 0x00:
                j = buf.find(b"\xff", i + 1)
                if j < 0:
                    break
                out.append(bytes(buf[i + 1:j]).decode("utf-8", "replace"))
                i = j + 1
            elif t == 0xFF:
                if i + 1 >= len(buf):
                    break
                if buf[i + 1] != 0:
                    raise ValueError(f"unexpected frame ff {buf[i + 1]:02x}")
                self.closed = True
                i += 2
            else:
                raise ValueError(f"unexpected frame type {t:02x}")
        del buf[:i]
        return out


# --- the server --------------------------------------------------------------------------------

def read_port(stdout):
    """The port of the first line, "listening on ADDR:PORT", of a child's stdout; None."""
    sel = selectors.DefaultSelector()
    sel.register(stdout, selectors.EVENT_READ)
    line = b""
    deadline = time.monotonic() + 15
    while not line.endswith(b"\n") and time.monotonic() < deadline:
        if sel.select(timeout=0.5):
            chunk = os.read(stdout.fileno(), 1)
            if not chunk:
                break
            line += chunk
    sel.close()
    text = line.decode(errors="replace").strip()
    return int(text.rsplit(":", 1)[1]) if text.startswith("listening on ") else None


class Server:
    def __init__(self, exe, extra=()):
        self.stderr = tempfile.TemporaryFile(mode="w+b")
        self.proc = subprocess.Popen(
            [exe, "--port", "0", "--max-clients", str(MAX_CLIENTS), "--max-message",
             str(MAX_MESSAGE), "--max-queue", str(MAX_QUEUE), "--handshake-timeout",
             str(HANDSHAKE_TIMEOUT)] + list(extra),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.stderr)
        self.port = None
        self.peak_rss_kib = 0
        self._stop = threading.Event()
        self.port = read_port(self.proc.stdout)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def status(self, field):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def _sample(self):
        while not self._stop.is_set() and self.proc.poll() is None:
            self.peak_rss_kib = max(self.peak_rss_kib, self.status("VmRSS"))
            time.sleep(0.05)

    def hwm_kib(self):
        return max(self.status("VmHWM"), self.peak_rss_kib)

    def stop(self, timeout=10):
        self._stop.set()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")


# --- the legitimate clients --------------------------------------------------------------------

class Legit:
    """A member that chats and records every message it receives."""

    def __init__(self, port, index, draft, rng):
        self.index = index
        self.draft = draft
        self.sock = connect(port)
        rest = handshake(self.sock, rng, draft)
        self.name = f"{HOST}:{self.sock.getsockname()[1]}"
        self.reader = FrameReader()
        self.received = []
        self.error = None
        self.sent = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.received += self.reader.feed(rest)
        self.sock.settimeout(0.25)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            while not self.stop.is_set() and not self.reader.closed:
                try:
                    data = self.sock.recv(1 << 20)
                except socket.timeout:
                    continue
                if not data:
                    break
                msgs = self.reader.feed(data)
                with self.lock:
                    self.received += msgs
        except Exception as e:  # noqa: BLE001 - recorded and checked
            self.error = repr(e)

    def send(self, text):
        self.sock.settimeout(10)
        self.sock.sendall(text_frame(text))
        self.sock.settimeout(0.25)
        self.sent.append(text)

    def lines(self):
        with self.lock:
            return list(self.received)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        try:
            self.sock.close()
        except OSError:
            pass


def relayed(sender, text):
    """A message as the room relays it: the chat prefixes the sender's name."""
    return text if GATEWAY else f"{sender.name}:{text}"


def legit_text(rng, index, seq):
    tail = "".join(rng.choice("abcdefghij é€😀") for _ in range(rng.randint(0, 200)))
    return f"legit {index} {seq} {tail}"


# --- the hostile peers -------------------------------------------------------------------------

def open_stalled(port, rng):
    """STALLED connections that never finish the handshake: silent, half a head, or a whole
    draft-76 head without key3."""
    socks = []
    for i in range(STALLED):
        s = connect(port)
        kind = i % 3
        if kind == 1:
            s.sendall(b"GET / HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\nUpgr")
        elif kind == 2:
            head, _key3, _answer = request_76(rng, "/stalled")
            s.sendall(head)
        socks.append(s)
    return socks


def wait_stalled_closed(socks, deadline):
    """Counts the connections the server closed (EOF or reset) before the deadline."""
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    open_count = len(socks)
    while open_count > 0 and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                open_count -= 1
    sel.close()
    for s in socks:
        s.close()
    return len(socks) - open_count


class Actor(threading.Thread):
    """A hostile peer on its own thread; `result` holds what it observed."""

    def __init__(self, name, fn):
        super().__init__(daemon=True, name=name)
        self.fn = fn
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.fn()
        except Exception as e:  # noqa: BLE001 - recorded and checked
            self.error = repr(e)


def drain_forever(sock, stop):
    """Reads and discards until stopped or closed (the flooders are readers themselves)."""
    sock.settimeout(0.25)
    while not stop.is_set():
        try:
            if not sock.recv(1 << 20):
                return
        except socket.timeout:
            continue
        except OSError:
            return


def big_frames(port, rng, deadline):
    """BIG_ROUNDS connections, each sending a 64 MiB frame: a text frame that never ends, or
    a length frame. Returns the bytes each managed to send before the server cut it off."""
    sent = []
    chunk = b"a" * (256 * 1024)
    for r in range(BIG_ROUNDS):
        s = connect(port)
        handshake(s, rng)
        s.settimeout(5)
        header = b"\x00" if r % 2 == 0 else b"\x80" + length_prefix(BIG_FRAME)
        n = 0
        try:
            s.sendall(header)
            while n < BIG_FRAME and time.monotonic() < deadline:
                s.sendall(chunk)
                n += len(chunk)
        except OSError:
            pass
        sent.append(n)
        s.close()
    return sent


def flood(port, rng, stop):
    """FLOOD_RATE tiny frames per second for FLOOD_SECONDS, in batches every 10 ms."""
    s = connect(port)
    handshake(s, rng)
    reader = threading.Thread(target=drain_forever, args=(s, stop), daemon=True)
    reader.start()
    frame = b"\x00f\xff"
    per_batch = FLOOD_RATE // 100
    total = FLOOD_RATE * FLOOD_SECONDS
    start = time.monotonic()
    sent = 0
    s.settimeout(10)
    while sent < total:
        s.sendall(frame * per_batch)
        sent += per_batch
        wait = start + sent / FLOOD_RATE - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    elapsed = time.monotonic() - start
    return s, reader, sent, elapsed


def pump(port, rng, stop):
    """PUMP_MESSAGES messages of PUMP_SIZE bytes, relayed to everyone (the non-reader too)."""
    s = connect(port)
    handshake(s, rng)
    reader = threading.Thread(target=drain_forever, args=(s, stop), daemon=True)
    reader.start()
    s.settimeout(10)
    body = "p" * PUMP_SIZE
    for _ in range(PUMP_MESSAGES):
        s.sendall(text_frame(body))
        time.sleep(0.02)
    return s, reader


def vanishers(port, rng):
    """Clients that connect and vanish: mid-head, mid-key3, mid-frame, mid-length; half of
    them with a reset (SO_LINGER 0) instead of a FIN."""
    done = 0
    for i in range(VANISHERS):
        try:
            s = connect(port)
            kind = i % 4
            if kind == 0:
                s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: Web")
            elif kind == 1:
                head, key3, _ = request_76(rng)
                s.sendall(head + key3[:3])
            elif kind == 2:
                handshake(s, rng)
                s.sendall(b"\x00half a messa")
            else:
                handshake(s, rng)
                s.sendall(b"\x80\x81")
            if i % 2 == 0:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            done += 1
        except OSError:
            pass
        time.sleep(0.02)
    return done


def non_reader(port, rng):
    """A member with a 4 KiB receive buffer that never reads."""
    s = connect(port, rcvbuf=4096)
    handshake(s, rng)
    return s


def was_dropped(sock, deadline):
    """Reads what the server had sent; true once it ends (EOF or reset) before the deadline."""
    sock.settimeout(0.5)
    total = 0
    while time.monotonic() < deadline:
        try:
            data = sock.recv(1 << 20)
        except socket.timeout:
            continue
        except OSError:
            return True, total
        if not data:
            return True, total
        total += len(data)
    return False, total


# --- the run -----------------------------------------------------------------------------------

def main():
    global VERBOSE
    global GATEWAY, ROOM_PATH
    ap = argparse.ArgumentParser(description="hostile peers against hixie76-chat or "
                                             "hixie76-gateway")
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--chat", help="path to the hixie76-chat program")
    which.add_argument("--gateway", help="path to the hixie76-gateway program")
    ap.add_argument("--upstream-room", help="with --gateway: the upstream_room test helper")
    ap.add_argument("--seed", type=int, default=76)
    ap.add_argument("--rss-limit-mib", type=int, default=RSS_LIMIT // MIB,
                    help="fail when the server's peak RSS reaches this (default: 64, one "
                         "hostile frame)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose
    rng = random.Random(args.seed)
    t0 = time.monotonic()
    hard_deadline = t0 + 170  # the whole run stays under three minutes

    # 500 connections plus everyone else need more descriptors than the usual 1024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    upstream = None
    if args.gateway:
        if not args.upstream_room:
            ap.error("--gateway needs --upstream-room")
        GATEWAY = True
        ROOM_PATH = "/room"
        upstream = subprocess.Popen([args.upstream_room, "--port", "0", "--rooms-by-path"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL)
        atexit.register(lambda: upstream.poll() is None and upstream.kill())
        up_port = read_port(upstream.stdout)
        # The room's records (one line per message) are not needed here: discarded.
        threading.Thread(target=lambda: [None for _ in iter(
            lambda: upstream.stdout.read(65536), b"")], daemon=True).start()
        if not check(up_port is not None, "the upstream room starts"):
            upstream.kill()
            return finish()
        server = Server(args.gateway, ["--upstream", f"ws://{HOST}:{up_port}"])
    else:
        server = Server(args.chat)
    if not check(server.port is not None, "the server starts and prints its port"):
        server.stop()
        if upstream is not None:
            upstream.kill()
        return finish()
    port = server.port
    log(f"server pid {server.proc.pid} on port {port}")

    stalled = open_stalled(port, rng)
    stalled_at = time.monotonic()
    check(len(stalled) == STALLED, f"{STALLED} connections that never finish the handshake")

    legit = []
    try:
        for i, draft in enumerate((76, 76, 75)):
            legit.append(Legit(port, i, draft, rng))
        ok = True
    except (OSError, ConnectionError, TimeoutError) as e:
        ok = False
        log(f"legit join failed: {e!r}")
    check(ok, "3 legitimate clients (draft-76, -76, -75) join while they are pending")
    if not ok:
        server.stop()
        return finish()

    stop = threading.Event()
    actors = {
        "big": Actor("big", lambda: big_frames(port, random.Random(1), t0 + 60)),
        "flood": Actor("flood", lambda: flood(port, random.Random(2), stop)),
        "vanish": Actor("vanish", lambda: vanishers(port, random.Random(3))),
    }
    quiet = non_reader(port, random.Random(4))
    actors["pump"] = Actor("pump", lambda: pump(port, random.Random(5), stop))
    for a in actors.values():
        a.start()

    # The legitimate conversation, spread over the attack.
    send_errors = []
    for seq in range(LEGIT_MESSAGES):
        for c in legit:
            try:
                c.send(legit_text(rng, c.index, seq))
            except OSError as e:
                send_errors.append(repr(e))
        time.sleep(LEGIT_INTERVAL)
    for a in actors.values():
        a.join(timeout=max(1.0, hard_deadline - 60 - time.monotonic()))

    # --- what the hostile peers saw
    big = actors["big"]
    check(big.error is None and big.result is not None and len(big.result) == BIG_ROUNDS and
          all(n < BIG_FRAME for n in big.result),
          f"the 64 MiB frames are cut off early (bytes sent per frame before the cut: "
          f"{big.result if big.result else big.error})")
    fl = actors["flood"]
    if fl.error is None and fl.result is not None:
        _s, _r, sent, elapsed = fl.result
        rate = sent / elapsed if elapsed > 0 else 0
        # TCP back-pressure from a busy server may slow the sender; half the rate still floods.
        check(sent == FLOOD_RATE * FLOOD_SECONDS and rate > FLOOD_RATE * 0.5,
              f"a client sent {sent} tiny frames at {rate:.0f} frames/s")
    else:
        check(False, f"the flooding client ran ({fl.error})")
    va = actors["vanish"]
    check(va.error is None and va.result == VANISHERS,
          f"{va.result} clients vanished mid-handshake or mid-frame ({va.error or 'no error'})")
    pu = actors["pump"]
    check(pu.error is None, f"a client relayed {PUMP_MESSAGES} messages of {PUMP_SIZE} bytes "
                            f"({pu.error or 'no error'})")
    dropped, got = was_dropped(quiet, time.monotonic() + 15)
    check(dropped, f"the reader that never reads is disconnected past --max-queue "
                   f"(it had {got} bytes waiting)")

    # --- every legitimate message reached every legitimate client, in order, once
    expected = {}
    for c in legit:
        expected[c.name] = [relayed(c, t) for t in c.sent]
    total = LEGIT_MESSAGES * len(legit)
    prefixes = tuple(relayed(c, f"legit {c.index} ") for c in legit)
    deadline = min(time.monotonic() + 30, hard_deadline - 20)
    while time.monotonic() < deadline:
        if all(sum(1 for m in r.lines() if m.startswith(prefixes)) >= total for r in legit):
            break
        time.sleep(0.2)
    detail = list(send_errors[:1])
    for r in legit:
        got_lines = r.lines()
        for c in legit:
            want = expected[c.name]
            sender = c.name
            have = [m for m in got_lines if m.startswith(relayed(c, f"legit {c.index} "))]
            if have != want:
                detail.append(f"client {r.index} got {len(have)}/{len(want)} from {sender}")
        if r.error:
            detail.append(f"client {r.index}: {r.error}")
    check(not detail, f"all {total} legitimate messages reached all {len(legit)} legitimate "
                      f"clients, in order, once" + (f" ({'; '.join(detail)})" if detail else ""))

    # --- the stalled connections are closed by the server after the handshake timeout
    closed = wait_stalled_closed(stalled, min(stalled_at + HANDSHAKE_TIMEOUT + 15,
                                              hard_deadline - 10))
    check(closed == STALLED, f"{closed} of {STALLED} stalled connections closed by the server "
                             f"after --handshake-timeout {HANDSHAKE_TIMEOUT}s")

    # --- the server is still well
    alive = server.proc.poll() is None
    check(alive, "the server is still running")
    try:
        late = Legit(port, 9, 76, rng)
        hello = f"Welcome, {late.name} !"
        if GATEWAY:  # the room has no welcome: the late client's own message comes back
            hello = "late hello"
            late.send(hello)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and hello not in late.lines():
            time.sleep(0.05)
        welcomed = hello in late.lines()
        late.close()
    except (OSError, ConnectionError, TimeoutError) as e:
        welcomed = False
        log(f"late join: {e!r}")
    check(welcomed, "a new client joins and is welcomed after the attack")

    hwm = server.hwm_kib()
    limit = args.rss_limit_mib * MIB
    check(0 < hwm * 1024 < limit,
          f"the server's peak RSS (VmHWM) is {hwm / 1024:.1f} MiB, below {limit // MIB} MiB")
    print(f"peak RSS: {hwm} kB", flush=True)

    stop.set()
    for c in legit:
        c.close()
    if fl.result is not None:
        fl.result[0].close()
    if pu.result is not None:
        pu.result[0].close()
    quiet.close()
    rc = server.stop()
    check(rc == 0, f"the server exits 0 on SIGTERM (exit status {rc})")
    if upstream is not None:
        upstream.terminate()
        try:
            upstream.wait(10)
        except subprocess.TimeoutExpired:
            upstream.kill()
            upstream.wait()
    err = server.stderr_text()
    check("Sanitizer" not in err and "runtime error" not in err,
          "the server printed no sanitizer report")
    log(f"run took {time.monotonic() - t0:.1f}s")
    return finish()


def finish():
    passed = sum(1 for ok, _ in RESULTS if ok)
    failed = len(RESULTS) - passed
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
