#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/e2e/e2e_chat.py — end-to-end tests of hixie76-chat and hixie76-cat over loopback, with
# raw draft-75/76 sockets written here and, when available, the Netty peers.
#
#   e2e_chat.py --chat PATH --cat PATH [--mixed PATH]
#               [--netty-client CMD... --netty-server CMD...]
#               [--group NAME] [-k SUBSTRING] [--list] [-v]
#
# With --mixed, the tests that loop over servers() (any-resource joins, the 'public' group:
# Location flags, forwarded fields, keepalive) also run against hixie76-mixed-room.
#
# Only the standard library; every server listens on 127.0.0.1 port 0; every wait is bounded
# and each test runs under a 60 s alarm. Ends with the line "N passed, M failed[, K skipped]".
import argparse
import hashlib
import os
import queue
import random
import shlex
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback

ARGS = None
TESTS = []  # (group, name, function)


def test(group):
    def register(fn):
        TESTS.append((group, fn.__name__, fn))
        return fn
    return register


class Skip(Exception):
    pass


class Cleanup:
    """Everything a test starts, stopped at its end whatever happened."""

    def __init__(self):
        self.items = []

    def add(self, obj):
        self.items.append(obj)
        return obj

    def run(self):
        for obj in reversed(self.items):
            try:
                obj.cleanup()
            except Exception:  # noqa: BLE001 - best effort
                pass
        self.items = []


CLEANUP = Cleanup()


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def remaining(deadline):
    return max(0.0, deadline - time.monotonic())


# --- processes -------------------------------------------------------------------------------

class Proc:
    """A child process: stdin written line by line, stdout and stderr collected by threads."""

    def __init__(self, argv, name):
        self.name = name
        self.argv = argv
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.out = []
        self.err = []
        self.cv = threading.Condition()
        self.threads = [threading.Thread(target=self._pump, args=(self.p.stdout, self.out),
                                         daemon=True),
                        threading.Thread(target=self._pump, args=(self.p.stderr, self.err),
                                         daemon=True)]
        for t in self.threads:
            t.start()
        CLEANUP.add(self)

    def _pump(self, stream, into):
        for raw in iter(stream.readline, b''):
            with self.cv:
                into.append(raw.rstrip(b'\n').decode('utf-8', 'replace'))
                self.cv.notify_all()
        with self.cv:
            self.cv.notify_all()

    def send(self, line):
        self.p.stdin.write(line.encode('utf-8') + b'\n')
        self.p.stdin.flush()

    def close_stdin(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass

    def wait_out(self, pred, timeout, what=None):
        """Waits until pred(lines) is true; raises with the output on timeout."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while not pred(self.out):
                left = remaining(deadline)
                ended = self.p.poll() is not None and not self.threads[0].is_alive()
                if left <= 0 or ended:
                    raise AssertionError('%s: %s waiting for %s; stdout=%r stderr=%r' % (
                        self.name, 'exited (%s)' % self.p.returncode if ended else 'timeout',
                        what or 'output', self.out[-20:], self.err[-10:]))
                self.cv.wait(min(left, 0.2))
            return list(self.out)

    def check_alive(self):
        check(self.p.poll() is None, '%s exited early (%s): %r' % (
            self.name, self.p.returncode, self.err[-5:]))

    def wait(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(5)
            raise AssertionError('%s did not exit within %.1f s; stderr=%r' % (
                self.name, timeout, self.err[-10:]))

    def join_output(self):
        for t in self.threads:
            t.join(5)

    def cleanup(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(5)
        self.close_stdin()


class ChatServer(Proc):
    def __init__(self, *extra, program=None):
        super().__init__([program or ARGS.chat, '--port', '0'] + list(extra), 'chat')
        lines = self.wait_out(lambda out: any(x.startswith('listening on ') for x in out), 10,
                              'listening line')
        addr = [x for x in lines if x.startswith('listening on ')][0].split()[-1]
        self.port = int(addr.rsplit(':', 1)[1])
        self.url = 'ws://127.0.0.1:%d/' % self.port

    def log_has(self, text, timeout=5):
        deadline = time.monotonic() + timeout
        with self.cv:
            while not any(text in x for x in self.err):
                if remaining(deadline) <= 0:
                    return False
                self.cv.wait(min(remaining(deadline), 0.2))
        return True

    def stop(self, timeout=10):
        self.p.send_signal(signal.SIGTERM)
        return self.wait(timeout)


def cat(url, *extra, name='cat'):
    return Proc([ARGS.cat, url] + list(extra), name)


def netty_client(url, *extra, name='netty-client'):
    if not ARGS.netty_client:
        raise Skip('Netty peers not available')
    return Proc(shlex.split(ARGS.netty_client) + [url] + list(extra), name)


def welcomed(proc, timeout=15):
    """Waits for the first Welcome line of a client process; returns its NAME."""
    lines = proc.wait_out(lambda out: any(x.startswith('Welcome, ') for x in out), timeout,
                          'its Welcome')
    first = [x for x in lines if x.startswith('Welcome, ')][0]
    return first[len('Welcome, '):-2]


# --- raw draft-75 / draft-76 clients -----------------------------------------------------------

KEY_CHARS = [chr(c) for c in range(0x21, 0x30)] + [chr(c) for c in range(0x3A, 0x7F)]


def make_key(rng):
    """A client key as draft-76 §4.1 steps 16-22 make it; returns (text, number)."""
    spaces = rng.randint(1, 12)
    number = rng.randint(0, 4294967295 // spaces)
    chars = list(str(number * spaces))
    for _ in range(rng.randint(1, 12)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(KEY_CHARS))
    for _ in range(spaces):
        chars.insert(rng.randint(1, len(chars) - 1), ' ')
    return ''.join(chars), number


class Raw:
    """A draft-75 or draft-76 client on a plain socket, frame by frame."""

    def __init__(self, port, draft=76, origin='http://127.0.0.1', resource='/', host=None,
                 fields=None, rcvbuf=None, connect=True):
        self.port = port
        self.draft = draft
        self.origin = origin
        self.resource = resource
        self.host = host or '127.0.0.1:%d' % port
        self.fields = fields or []
        self.buf = b''
        self.eof = False
        self.status = None
        self.headers = {}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(10)
        self.sock.connect(('127.0.0.1', port))
        self.name = '%s:%d' % self.sock.getsockname()
        CLEANUP.add(self)
        rng = random.Random()
        self.key1, self.n1 = make_key(rng)
        self.key2, self.n2 = make_key(rng)
        self.key3 = bytes(rng.randrange(256) for _ in range(8))
        if connect:
            self.handshake()

    def request(self, key3=True):
        lines = ['GET %s HTTP/1.1' % self.resource, 'Upgrade: WebSocket',
                 'Connection: Upgrade', 'Host: %s' % self.host]
        if self.origin is not None:
            lines.append('Origin: %s' % self.origin)
        if self.draft == 76:
            lines += ['Sec-WebSocket-Key1: %s' % self.key1, 'Sec-WebSocket-Key2: %s' % self.key2]
        lines += self.fields
        req = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')
        if self.draft == 76 and key3:
            req += self.key3
        return req

    def expected_answer(self):
        return hashlib.md5(struct.pack('>II', self.n1, self.n2) + self.key3).digest()

    def read_more(self, deadline):
        self.sock.settimeout(max(0.01, remaining(deadline)))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            data = b''
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def read_head(self, timeout=10):
        deadline = time.monotonic() + timeout
        while b'\r\n\r\n' not in self.buf:
            if not self.read_more(deadline):
                raise AssertionError('%s: no response head (got %r, eof=%s)' % (
                    self.name, self.buf[:200], self.eof))
        head, self.buf = self.buf.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        self.status = lines[0]
        self.headers = {}
        for line in lines[1:]:
            k, v = line.split(':', 1)
            self.headers[k.strip().lower()] = v.strip()
        return self.status

    def handshake(self, after=b''):
        self.sock.sendall(self.request() + after)
        status = self.read_head()
        check(status.startswith('HTTP/1.1 101 '), '%s: status %r' % (self.name, status))
        if self.draft == 76:
            deadline = time.monotonic() + 10
            while len(self.buf) < 16:
                check(self.read_more(deadline), '%s: no 16-byte answer' % self.name)
            answer, self.buf = self.buf[:16], self.buf[16:]
            check(answer == self.expected_answer(), '%s: wrong challenge answer' % self.name)
        return status

    def send(self, text):
        data = text if isinstance(text, bytes) else text.encode('utf-8')
        self.sock.sendall(b'\x00' + data + b'\xff')

    def send_close(self):
        self.sock.sendall(b'\xff\x00')

    def next_event(self, timeout=10):
        """('text', str) | ('close', None) | ('eof', None) | ('timeout', None)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.buf:
                t = self.buf[0]
                if t == 0x00:
                    end = self.buf.find(b'\xff')
                    if end >= 0:
                        payload, self.buf = self.buf[1:end], self.buf[end + 1:]
                        return ('text', payload.decode('utf-8'))  # strict: must be valid
                elif t == 0xFF and len(self.buf) >= 2:
                    check(self.buf[1] == 0x00, '%s: unexpected frame %r' % (self.name,
                                                                              self.buf[:8]))
                    self.buf = self.buf[2:]
                    return ('close', None)
                elif t not in (0x00, 0xFF):
                    raise AssertionError('%s: unexpected frame type %#x' % (self.name, t))
            if self.eof:
                return ('eof', None)
            if not self.read_more(deadline):
                if self.eof:
                    continue
                return ('timeout', None)

    def messages(self, count, timeout=10):
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < count:
            kind, text = self.next_event(remaining(deadline))
            check(kind == 'text', '%s: wanted %d messages, got %r then %s' % (
                self.name, count, out[-5:], kind))
            out.append(text)
        return out

    def expect(self, *texts, timeout=10):
        got = self.messages(len(texts), timeout)
        check(got == list(texts), '%s: expected %r, got %r' % (self.name, list(texts), got))

    def expect_end(self, kinds=('close', 'eof'), timeout=10, skip_text=False):
        deadline = time.monotonic() + timeout
        kind, text = self.next_event(timeout)
        while skip_text and kind == 'text':
            kind, text = self.next_event(remaining(deadline))
        check(kind in kinds, '%s: expected %s, got %s %r' % (self.name, kinds, kind, text))
        return kind

    def chat_lines(self, count, timeout=10):
        """The next `count` messages that are not Welcome lines."""
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < count:
            kind, text = self.next_event(remaining(deadline))
            check(kind == 'text', '%s: wanted %d lines, got %d then %s' % (
                self.name, count, len(out), kind))
            if not text.startswith('Welcome, '):
                out.append(text)
        return out

    def quiet(self, timeout=0.3):
        kind, text = self.next_event(timeout)
        check(kind == 'timeout', '%s: expected nothing, got %s %r' % (self.name, kind, text))

    def cleanup(self):
        self.sock.close()


def read_until_close(s, timeout=10):
    """Everything `s` receives until the peer closes (or resets, or `timeout` passes)."""
    data = b''
    deadline = time.monotonic() + timeout
    while remaining(deadline) > 0:
        s.settimeout(max(0.01, remaining(deadline)))
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    return data


def http(port, request, timeout=10):
    """Sends raw request bytes; returns everything until the server closes."""
    s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    try:
        s.sendall(request)
        return read_until_close(s, timeout)
    finally:
        s.close()


def status_of(response):
    return response.split(b'\r\n', 1)[0].decode('latin-1')


def get(port, path):
    return http(port, ('GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n' % (path, port)).encode())


# --- stub servers for the client's failure tests ---------------------------------------------

class Stub:
    """A one-connection-at-a-time TCP server answering with `reply(request_bytes)`."""

    def __init__(self, reply):
        self.reply = reply
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        CLEANUP.add(self)

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(5)
            data = b''
            try:
                while b'\r\n\r\n' not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                answer = self.reply(data)
                if answer is not None:
                    conn.sendall(answer)
                    time.sleep(0.3)
                else:
                    while not self.stop:  # never answer
                        time.sleep(0.05)
            except OSError:
                pass
            conn.close()

    def cleanup(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def parse_request(data):
    head = data.split(b'\r\n\r\n', 1)[0].decode('latin-1').split('\r\n')
    fields = {}
    for line in head[1:]:
        k, v = line.split(':', 1)
        fields[k.strip().lower()] = v.strip()
    return head[0], fields


def key_number(key):
    digits = int(''.join(c for c in key if c.isdigit()))
    return digits // key.count(' ')


def good_answer(data, port, corrupt=False):
    line, fields = parse_request(data)
    key3 = data.split(b'\r\n\r\n', 1)[1][:8]
    token = hashlib.md5(struct.pack('>II', key_number(fields['sec-websocket-key1']),
                                    key_number(fields['sec-websocket-key2'])) + key3).digest()
    if corrupt:
        token = bytes([token[0] ^ 1]) + token[1:]
    return (('HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n'
             'Connection: Upgrade\r\nSec-WebSocket-Origin: %s\r\n'
             'Sec-WebSocket-Location: ws://127.0.0.1:%d%s\r\n\r\n') % (
                 fields['origin'], port, line.split()[1])).encode() + token


def servers():
    """The room servers a test runs against: hixie76-chat, and hixie76-mixed-room when --mixed
    names it (both take the same flags and must answer legacy clients the same way)."""
    return [ARGS.chat] + ([ARGS.mixed] if ARGS.mixed else [])


def stopped(server):
    """Closes the test's raw clients first (so no closing handshake is awaited), then stops
    the server; True when it exited 0."""
    for item in CLEANUP.items:
        if isinstance(item, Raw):
            item.cleanup()
    return server.stop() == 0


def refused(port, fields, resource='/', draft=76):
    """Sends a draft-76/75 request with `fields`; returns the status line of the answer."""
    r = Raw(port, draft, resource=resource, fields=fields, connect=False)
    r.sock.sendall(r.request())
    return r.read_head()


# === tests ====================================================================================

@test('basic')
def page_and_404():
    chat = ChatServer()
    r = get(chat.port, '/')
    check(status_of(r) == 'HTTP/1.1 200 OK', 'GET /: %r' % status_of(r))
    head, body = r.split(b'\r\n\r\n', 1)
    check(b'Content-Type: text/html' in head, 'GET /: content type in %r' % head)
    check(b'new WebSocket(' in body and b"location.host + '/'" in body, 'page has no WebSocket')
    check(b'=>' not in body and b'let ' not in body and b'`' not in body, 'page is not ES3/ES5')
    check(int(dict(x.split(b': ', 1) for x in head.split(b'\r\n')[1:])[b'Content-Length'])
          == len(body), 'Content-Length')
    check(status_of(get(chat.port, '/?x=1')).startswith('HTTP/1.1 200'), 'GET /?x=1')
    check(status_of(get(chat.port, '/x')) == 'HTTP/1.1 404 Not Found', 'GET /x')
    check(status_of(get(chat.port, '/chat.html')).startswith('HTTP/1.1 404'), 'GET /chat.html')
    # A client that half-closes after its request still gets the whole page.
    s = socket.create_connection(('127.0.0.1', chat.port), timeout=10)
    s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    s.shutdown(socket.SHUT_WR)
    time.sleep(0.2)
    data = read_until_close(s)
    s.close()
    check(data.startswith(b'HTTP/1.1 200') and data.endswith(b'</html>\n'), 'half-closed GET')
    r = http(chat.port, b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')
    check(status_of(r).startswith('HTTP/1.1 405'), 'POST: %r' % status_of(r))
    check(chat.stop() == 0, 'exit status')


@test('basic')
def any_resource_joins_the_room():
    for prog in servers():
        chat = ChatServer(program=prog)
        first = Raw(chat.port, 76, resource='/chat')
        check(first.headers['sec-websocket-location'] == 'ws://127.0.0.1:%d/chat' % chat.port,
              '%s: /chat location %r' % (prog, first.headers))
        first.expect('Welcome, %s !' % first.name)
        joined = [first]
        for draft, resource in ((75, '/chat'), (76, '/demo'), (75, '/demo?x=1&y'),
                                (76, '/a/b/c.ws'), (75, '/')):
            r = Raw(chat.port, draft, resource=resource)
            field = 'sec-websocket-location' if draft == 76 else 'websocket-location'
            check(r.headers[field] == 'ws://127.0.0.1:%d%s' % (chat.port, resource),
                  '%s: -%d %s location %r' % (prog, draft, resource, r.headers))
            joined.append(r)
            for j in joined:
                j.expect('Welcome, %s !' % r.name)
        joined[2].send('one room')
        for j in joined:
            check(j.chat_lines(1) == ['%s:one room' % joined[2].name], 'relay across paths')
        p = cat('ws://127.0.0.1:%d/demo' % chat.port, '--wait', '100', name='cat-demo')
        welcomed(p)
        p.close_stdin()
        check(p.wait(10) == 0, 'hixie76-cat at /demo')
        # Plain HTTP still gets the page at / only.
        check(status_of(get(chat.port, '/chat')) == 'HTTP/1.1 404 Not Found', 'GET /chat')
        check(status_of(get(chat.port, '/')) == 'HTTP/1.1 200 OK', 'GET /')
        check(stopped(chat), 'exit status')


@test('basic')
def cat_clients_chat():
    chat = ChatServer()
    a = cat(chat.url, '--wait', '300', name='cat-a')
    na = welcomed(a)
    b = cat(chat.url, '--draft', '75', '--wait', '300', name='cat-b')
    nb = welcomed(b)
    a.wait_out(lambda out: 'Welcome, %s !' % nb in out, 5, 'B joining')
    a.send('hello')
    b.wait_out(lambda out: '%s:hello' % na in out, 5)
    b.send('grüße, ✓ 😀')
    b.send('')
    want_b = ['%s:grüße, ✓ 😀' % nb, '%s:' % nb]
    a.wait_out(lambda out: all(w in out for w in want_b), 5)
    a.send('second')
    for p in (a, b):
        p.wait_out(lambda out: '%s:second' % na in out and all(w in out for w in want_b), 5)
    a.close_stdin()
    check(a.wait(10) == 0, 'cat a exit status')
    b.wait_out(lambda out: '%s Logout' % na in out, 5, 'Logout of A')
    b.close_stdin()
    check(b.wait(10) == 0, 'cat b exit status')
    a.join_output()
    check(a.out == ['Welcome, %s !' % na, 'Welcome, %s !' % nb, '%s:hello' % na] + want_b +
          ['%s:second' % na], 'A saw %r' % a.out)
    check(chat.log_has('join %s (draft-76)' % na) and chat.log_has('join %s (draft-75)' % nb),
          'join log lines')
    check(chat.log_has('leave %s' % na), 'leave log line')
    check(chat.stop() == 0, 'exit status')


@test('basic')
def raw_drafts_exact_bytes():
    chat = ChatServer()
    r76 = Raw(chat.port, 76, origin='http://example.com')
    check(r76.status == 'HTTP/1.1 101 WebSocket Protocol Handshake', r76.status)
    check(r76.headers['sec-websocket-origin'] == 'http://example.com', 'origin echo')
    check(r76.headers['sec-websocket-location'] == 'ws://127.0.0.1:%d/' % chat.port, 'location')
    r76.expect('Welcome, %s !' % r76.name)
    r75 = Raw(chat.port, 75, resource='/?room=1')
    check(r75.status == 'HTTP/1.1 101 Web Socket Protocol Handshake', r75.status)
    check(r75.headers['websocket-origin'] == 'http://127.0.0.1', '-75 origin echo')
    check(r75.headers['websocket-location'] == 'ws://127.0.0.1:%d/?room=1' % chat.port,
          '-75 location')
    for r in (r76, r75):
        r.expect('Welcome, %s !' % r75.name)
    r75.send('from 75')
    for r in (r76, r75):
        r.expect('%s:from 75' % r75.name)
    r76.send('from 76')
    for r in (r76, r75):
        r.expect('%s:from 76' % r76.name)
    # A draft-75 FF 00 is an empty length frame, not a close: skipped.
    r75.sock.sendall(b'\xff\x00')
    r75.send('still here')
    r76.expect('%s:still here' % r75.name)
    check(chat.stop() == 0, 'exit status')


@test('basic')
def no_origin_and_subprotocol():
    chat = ChatServer()
    r = Raw(chat.port, 76, origin=None, fields=['Sec-WebSocket-Protocol: chat'])
    check(r.headers['sec-websocket-origin'] == 'http://127.0.0.1:%d' % chat.port,
          'origin fallback %r' % r.headers)
    check(r.headers['sec-websocket-protocol'] == 'chat', 'protocol echo')
    p = cat(chat.url, '--protocol', 'chat', '--header', 'X-Test: 1', '--wait', '100')
    welcomed(p)
    p.close_stdin()
    check(p.wait(10) == 0, 'cat with --protocol')
    check(chat.stop() == 0, 'exit status')


@test('basic')
def frames_in_the_key3_segment_and_headers_first():
    chat = ChatServer()
    early = Raw(chat.port, 76, connect=False)
    early.handshake(after=b'\x00early bird\xff')
    early.expect('Welcome, %s !' % early.name, '%s:early bird' % early.name)
    # Headers first: the 101 head comes before key3 is sent.
    late = Raw(chat.port, 76, connect=False)
    late.sock.sendall(late.request(key3=False))
    check(late.read_head(5).startswith('HTTP/1.1 101'), 'head before key3')
    check(late.buf == b'', 'nothing but the head before key3')
    time.sleep(0.2)
    for b in late.key3:  # key3 a byte at a time
        late.sock.sendall(bytes([b]))
        time.sleep(0.005)
    deadline = time.monotonic() + 5
    while len(late.buf) < 16:
        check(late.read_more(deadline), 'answer after key3')
    check(late.buf[:16] == late.expected_answer(), 'answer')
    late.buf = late.buf[16:]
    late.expect('Welcome, %s !' % late.name)
    early.expect('Welcome, %s !' % late.name)
    check(chat.stop() == 0, 'exit status')


@test('basic')
def utf8_and_empty_messages():
    chat = ChatServer()
    a = Raw(chat.port, 76)
    b = Raw(chat.port, 75)
    a.expect('Welcome, %s !' % a.name, 'Welcome, %s !' % b.name)
    b.expect('Welcome, %s !' % b.name)
    texts = ['', 'ascii', 'é', '日本語テキスト', '𝄞 music', 'mixed ✓ and \u0000 nul', ' ']
    for t in texts:
        a.send(t)
    want = ['%s:%s' % (a.name, t) for t in texts]
    a.expect(*want)
    b.expect(*want)
    # Invalid UTF-8 is never relayed raw: each bad sequence becomes U+FFFD.
    b.send(b'bad \xc3\x28 and \xe2\x82 end \x80')
    for r in (a, b):
        r.expect('%s:bad \ufffd( and \ufffd end \ufffd' % b.name)
    check(chat.stop() == 0, 'exit status')


@test('basic')
def quit_and_closing_handshake_leave():
    chat = ChatServer()
    watcher = Raw(chat.port, 76)
    watcher.expect('Welcome, %s !' % watcher.name)
    q76 = Raw(chat.port, 76)
    q75 = Raw(chat.port, 75)
    c76 = Raw(chat.port, 76)
    watcher.expect(*['Welcome, %s !' % r.name for r in (q76, q75, c76)])
    q76.messages(3)
    q75.messages(2)
    c76.messages(1)
    q76.send('quit')
    watcher.expect('%s Logout' % q76.name)
    check(q76.expect_end(('close',)) == 'close', 'quit: FF 00 to the draft-76 client')
    q76.send_close()
    check(q76.expect_end(('eof',)) == 'eof', 'then TCP close')
    q75.messages(1)  # q76's Logout
    q75.send('quit')
    watcher.expect('%s Logout' % q75.name)
    check(q75.expect_end(('eof',)) == 'eof', 'quit: draft-75 has no closing handshake')
    c76.messages(2)
    c76.send_close()
    watcher.expect('%s Logout' % c76.name)
    check(c76.expect_end(('close',)) == 'close', 'FF 00 answered with FF 00')
    check(c76.expect_end(('eof',)) == 'eof', 'then TCP close')
    p = cat(chat.url, '--wait', '100', name='cat-quit')
    name = welcomed(p)
    p.send('quit')
    check(p.wait(10) == 0, 'cat exits 0 after quit')
    watcher.expect('Welcome, %s !' % name, '%s Logout' % name)
    check(chat.log_has('leave %s (quit)' % q76.name), 'leave log (quit)')
    check(chat.log_has('leave %s (closing handshake)' % c76.name), 'leave log (close)')
    check(chat.stop() == 0, 'exit status')


@test('basic')
def full_room_help_and_usage():
    chat = ChatServer('--max-clients', '2')
    a = Raw(chat.port, 76)
    b = Raw(chat.port, 75)
    a.messages(2)
    c = Raw(chat.port, 76, connect=False)
    c.sock.sendall(c.request())
    check(c.read_head().startswith('HTTP/1.1 503'), 'third member: %r' % c.status)
    b.send('quit')
    a.expect('%s Logout' % b.name)
    d = Raw(chat.port, 76)  # a seat is free again
    a.expect('Welcome, %s !' % d.name)
    # A message and the closing handshake in one segment: relayed, then the client leaves.
    d.sock.sendall(b'\x00last words\xff\xff\x00')
    a.expect('%s:last words' % d.name, '%s Logout' % d.name)
    check(chat.stop() == 0, 'exit status')
    for prog in (ARGS.chat, ARGS.cat):
        r = subprocess.run([prog, '--help'], capture_output=True, timeout=10)
        check(r.returncode == 0 and b'usage:' in r.stdout, '%s --help' % prog)
        r = subprocess.run([prog, 'ws://127.0.0.1:1/', '--bogus'], capture_output=True,
                           timeout=10)
        check(r.returncode == 2 and r.stderr.count(b'\n') == 1, '%s --bogus: %r' % (
            prog, r.stderr))
    r = subprocess.run([ARGS.chat, '--port', '70000'], capture_output=True, timeout=10)
    check(r.returncode == 2, 'chat --port 70000')


@test('basic')
def rfc6455_gets_426():
    chat = ChatServer()
    r = http(chat.port, ('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'
                         'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
                         'Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n\r\n'
                         ).encode())
    check(status_of(r) == 'HTTP/1.1 426 Upgrade Required', status_of(r))
    body = r.split(b'\r\n\r\n', 1)[1]
    check(body.count(b'\n') == 1 and body.endswith(b'\n') and len(body) > 20,
          'one-line explanation: %r' % body)
    check(chat.stop() == 0, 'exit status')


@test('basic')
def origin_allow_list():
    chat = ChatServer('--origin', 'http://good.example', '--origin', 'http://also.example')
    bad = Raw(chat.port, 76, origin='http://evil.example', connect=False)
    bad.sock.sendall(bad.request())
    check(bad.read_head().startswith('HTTP/1.1 403'), 'foreign origin: %r' % bad.status)
    none = Raw(chat.port, 76, origin=None, connect=False)
    none.sock.sendall(none.request())
    check(none.read_head().startswith('HTTP/1.1 400'), 'no origin: %r' % none.status)
    good = Raw(chat.port, 76, origin='http://ALSO.example')
    check(good.headers['sec-websocket-origin'] == 'http://ALSO.example', 'echo')
    good.expect('Welcome, %s !' % good.name)
    p = cat(chat.url, '--origin', 'http://evil.example')
    check(p.wait(10) != 0, 'cat refused')
    p.join_output()
    check(len(p.err) == 1 and 'bad_status' in p.err[0] and '403' in p.err[0], repr(p.err))
    check(chat.stop() == 0, 'exit status')


@test('adversarial')
def bad_handshakes_get_4xx_and_others_keep_chatting():
    chat = ChatServer()
    a = Raw(chat.port, 76)
    b = Raw(chat.port, 75)
    a.messages(2)
    b.messages(1)
    cases = [
        ('key without spaces', 'Sec-WebSocket-Key1: 12345678\r\nSec-WebSocket-Key2: 1 2\r\n', 400),
        ('key not divisible', 'Sec-WebSocket-Key1: 1 2 3\r\nSec-WebSocket-Key2: 1 2\r\n', 400),
        ('key overflow', 'Sec-WebSocket-Key1: 99999999999 \r\nSec-WebSocket-Key2: 1 2\r\n', 400),
        ('one key', 'Sec-WebSocket-Key1: 1 2\r\n', 400),
    ]
    for what, keys, status in cases:
        req = ('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n'
               'Origin: http://127.0.0.1\r\n%s\r\n' % keys).encode() + b'12345678'
        r = http(chat.port, req)
        check(status_of(r).startswith('HTTP/1.1 %d' % status), '%s: %r' % (what, status_of(r)))
    r = http(chat.port, b'GET / HTTP/1.0\r\nHost: x\r\n\r\n')
    check(status_of(r).startswith('HTTP/1.1 505'), 'HTTP/1.0: %r' % status_of(r))
    r = http(chat.port, b'GET / HTTP/1.1\nHost: x\n\n')
    check(status_of(r).startswith('HTTP/1.1 400'), 'bare LF: %r' % status_of(r))
    r = http(chat.port, b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + b'\x00' * 64)
    check(r == b'' or status_of(r).startswith('HTTP/1.1 400'), 'TLS hello: %r' % r[:40])
    # A 1 MiB header: 431, or at least a close; never a hang.
    s = socket.create_connection(('127.0.0.1', chat.port), timeout=10)
    CLEANUP.add(type('S', (), {'cleanup': lambda self: s.close()})())
    got = b''
    try:
        s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'a' * (1 << 20) + b'\r\n\r\n')
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    check(got == b'' or status_of(got).startswith('HTTP/1.1 431'), '1 MiB header: %r' % got[:60])
    a.send('still fine')
    for r in (a, b):
        r.expect('%s:still fine' % a.name)
    check(chat.log_has('key_no_spaces (400)'), 'error logged')
    check(chat.stop() == 0, 'exit status')


@test('adversarial')
def handshake_timeout_closes_idle_connections():
    chat = ChatServer('--handshake-timeout', '1')
    a = Raw(chat.port, 76)
    a.messages(1)
    t0 = time.monotonic()
    silent = socket.create_connection(('127.0.0.1', chat.port), timeout=10)
    half = Raw(chat.port, 76, connect=False)
    half.sock.sendall(half.request(key3=False))  # never sends key3
    check(half.read_head().startswith('HTTP/1.1 101'), 'headers first')
    partial = socket.create_connection(('127.0.0.1', chat.port), timeout=10)
    partial.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n')
    for _ in range(3):  # others chat meanwhile
        a.send('tick')
        a.expect('%s:tick' % a.name)
    silent.settimeout(5)
    data = silent.recv(4096)
    check(data.startswith(b'HTTP/1.1 408'), 'idle connection: %r' % data[:40])
    check(half.expect_end(('eof',), timeout=5) == 'eof', 'key3 never came: closed')
    partial.settimeout(5)
    check(partial.recv(4096).startswith(b'HTTP/1.1 408'), 'partial head: 408')
    elapsed = time.monotonic() - t0
    check(0.8 < elapsed < 4, 'closed after the 1 s timeout (%.2f s)' % elapsed)
    for s in (silent, partial):
        s.close()
    b = Raw(chat.port, 75)
    a.expect('Welcome, %s !' % b.name)
    check(chat.stop() == 0, 'exit status')


@test('adversarial')
def half_frame_then_disconnect():
    chat = ChatServer()
    a = Raw(chat.port, 76)
    a.messages(1)
    h = Raw(chat.port, 76)
    a.expect('Welcome, %s !' % h.name)
    h.sock.sendall(b'\x00this frame never ends')
    time.sleep(0.1)
    h.sock.close()
    a.expect('%s Logout' % h.name)
    h2 = Raw(chat.port, 75)
    a.expect('Welcome, %s !' % h2.name)
    h2.sock.sendall(b'\x80\x85')  # a length prefix cut short
    h2.sock.close()
    a.expect('%s Logout' % h2.name)
    a.send('alive')
    a.expect('%s:alive' % a.name)
    check(chat.stop() == 0, 'exit status')


@test('adversarial')
def oversized_message_disconnects_only_the_sender():
    chat = ChatServer('--max-message', '1000')
    a = Raw(chat.port, 76)
    big = Raw(chat.port, 76)
    a.messages(2)
    big.messages(1)
    big.send('x' * 1000)  # exactly the limit: relayed
    for r in (a, big):
        r.expect('%s:%s' % (big.name, 'x' * 1000))
    big.send('y' * 1001)
    a.expect('%s Logout' % big.name)
    check(big.expect_end(('eof',)) == 'eof', 'sender disconnected')
    endless = Raw(chat.port, 75)
    a.expect('Welcome, %s !' % endless.name)
    try:
        endless.sock.sendall(b'\x00' + b'z' * 100000)  # a frame that never ends
    except (BrokenPipeError, ConnectionResetError):
        pass
    a.expect('%s Logout' % endless.name)
    a.send('ok')
    a.expect('%s:ok' % a.name)
    check(chat.stop() == 0, 'exit status')


@test('adversarial')
def a_client_that_never_reads_is_dropped_and_others_lose_nothing():
    chat = ChatServer('--max-queue', '65536')
    readers = [Raw(chat.port, 76), Raw(chat.port, 75)]
    stuck = Raw(chat.port, 76, rcvbuf=4096)  # never reads after the handshake
    readers[0].messages(3)
    readers[1].messages(2)
    payload = 'm' * 60000
    count = 200  # 12 MB through the room: well past every kernel buffer
    got = {r.name: [] for r in readers}
    errors = []

    chats = {r.name: 0 for r in readers}

    def read_all(r):
        try:
            while chats[r.name] < count:
                kind, text = r.next_event(20)
                if kind != 'text':
                    raise AssertionError('%s: %s' % (r.name, kind))
                got[r.name].append(text)
                if not text.endswith(' Logout'):
                    chats[r.name] += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=read_all, args=(r,), daemon=True) for r in readers]
    for t in threads:
        t.start()
    for i in range(count):
        # Paced so the readers (Python threads) never fall far behind: the server must drop
        # only the client that does not read at all.
        deadline = time.monotonic() + 20
        while min(chats.values()) < i - 16 and not errors and remaining(deadline) > 0:
            time.sleep(0.002)
        readers[i % 2].sock.sendall(b'\x00' + ('%04d' % i + payload[4:]).encode() + b'\xff')
    for t in threads:
        t.join(40)
    check(not errors, 'readers: %r' % errors)
    sequences = []
    for r in readers:
        msgs = [m for m in got[r.name] if not m.endswith(' Logout')]
        check(len(msgs) == count, '%s got %d of %d' % (r.name, len(msgs), count))
        for k, sender in enumerate(readers):  # each sender's messages in its own order
            mine = [m for m in msgs if m.startswith(sender.name + ':')]
            want = ['%s:%04d%s' % (sender.name, i, payload[4:]) for i in range(k, count, 2)]
            check(mine == want, '%s: messages of %s lost or reordered' % (r.name, sender.name))
        check('%s Logout' % stuck.name in got[r.name], '%s saw the Logout' % r.name)
        sequences.append(msgs)
    check(sequences[0] == sequences[1], 'both readers see the same order')
    check(chat.log_has('leave %s (more than 65536 bytes queued' % stuck.name),
          'queue overflow logged')
    check(chat.stop() == 0, 'exit status')


@test('adversarial')
def sigterm_sends_close_to_every_draft76_client():
    chat = ChatServer()
    r76 = [Raw(chat.port, 76) for _ in range(3)]
    r75 = Raw(chat.port, 75)
    c = cat(chat.url, '--wait', '30000')
    name = welcomed(c)
    r75.expect('Welcome, %s !' % r75.name, 'Welcome, %s !' % name)
    t0 = time.monotonic()
    chat.p.send_signal(signal.SIGTERM)
    for r in r76:
        check(r.expect_end(('close',), timeout=5, skip_text=True) == 'close',
              '%s: FF 00' % r.name)
        r.send_close()
    check(r75.expect_end(('eof',), timeout=5, skip_text=True) == 'eof', 'draft-75: TCP close')
    r75.sock.close()
    check(chat.wait(10) == 0, 'exit status 0')
    check(c.wait(10) == 0, 'cat exits 0 after the server closes')
    check(time.monotonic() - t0 < 5, 'prompt shutdown')


@test('adversarial')
def sigint_with_a_silent_client_is_bounded():
    chat = ChatServer()
    r = Raw(chat.port, 76)
    r.messages(1)
    idle = socket.create_connection(('127.0.0.1', chat.port), timeout=10)
    t0 = time.monotonic()
    chat.p.send_signal(signal.SIGINT)
    check(r.expect_end(('close',), timeout=5) == 'close', 'FF 00')
    # r never answers: the server still exits, after its bounded wait.
    check(chat.wait(10) == 0, 'exit status 0')
    check(time.monotonic() - t0 < 5, 'bounded close wait')
    idle.close()


# --- public location, forwarded fields and keepalive (hixie76-chat and hixie76-mixed-room) ---

@test('public')
def public_scheme_and_host_set_the_location():
    for prog in servers():
        chat = ChatServer('--public-scheme', 'wss', '--public-host', 'public.example:443',
                          program=prog)
        # Forwarded fields are ignored without --trust-forwarded: a client must not choose
        # its own Location.
        spoof = ['X-Forwarded-Proto: http', 'X-Forwarded-Host: evil.example']
        r76 = Raw(chat.port, 76, resource='/?a=1', fields=spoof)
        check(r76.headers['sec-websocket-location'] == 'wss://public.example:443/?a=1',
              '%s: -76 location %r' % (prog, r76.headers))
        r75 = Raw(chat.port, 75, origin=None, fields=spoof)
        check(r75.headers['websocket-location'] == 'wss://public.example:443/',
              '%s: -75 location %r' % (prog, r75.headers))
        check(r75.headers['websocket-origin'] == 'https://public.example:443',
              '%s: no Origin: the Location\'s origin %r' % (prog, r75.headers))
        r76.expect('Welcome, %s !' % r76.name, 'Welcome, %s !' % r75.name)
        r75.send('behind a terminator')
        for r in (r76, r75):
            check(r.chat_lines(1) == ['%s:behind a terminator' % r75.name], 'relay')
        check(stopped(chat), 'exit status')
        # Without the flags: ws:// and the request's own Host, forwarded fields ignored.
        plain = ChatServer(program=prog)
        r = Raw(plain.port, 76, fields=spoof)
        check(r.headers['sec-websocket-location'] == 'ws://127.0.0.1:%d/' % plain.port,
              '%s: default location %r' % (prog, r.headers))
        check(stopped(plain), 'exit status')


@test('public')
def trust_forwarded_takes_valid_forwarded_fields():
    for prog in servers():
        chat = ChatServer('--trust-forwarded', program=prog)
        both = Raw(chat.port, 76, fields=['X-Forwarded-Proto: https',
                                          'X-Forwarded-Host: public.example:8443'])
        check(both.headers['sec-websocket-location'] == 'wss://public.example:8443/',
              '%s: forwarded location %r' % (prog, both.headers))
        proto = Raw(chat.port, 75, fields=['x-forwarded-proto: WSS'])
        check(proto.headers['websocket-location'] == 'wss://127.0.0.1:%d/' % chat.port,
              '%s: forwarded proto only %r' % (prog, proto.headers))
        host = Raw(chat.port, 76, fields=['X-Forwarded-Host: [::1]:9000'])
        check(host.headers['sec-websocket-location'] == 'ws://[::1]:9000/',
              '%s: forwarded host only %r' % (prog, host.headers))
        none = Raw(chat.port, 76)
        check(none.headers['sec-websocket-location'] == 'ws://127.0.0.1:%d/' % chat.port,
              '%s: no forwarded fields %r' % (prog, none.headers))
        # Every value that must never reach the Location, each alone: 400, logged.
        bad = [
            ['X-Forwarded-Proto: ftp'],
            ['X-Forwarded-Proto: https, http'],
            ['X-Forwarded-Proto: '],
            ['X-Forwarded-Proto: https', 'X-Forwarded-Proto: https'],
            ['X-Forwarded-Host: '],
            ['X-Forwarded-Host: a b'],
            ['X-Forwarded-Host: evil.example/path'],
            ['X-Forwarded-Host: user@evil.example'],
            ['X-Forwarded-Host: evil.example:99999'],
            ['X-Forwarded-Host: evil.example:'],
            ['X-Forwarded-Host: [zz::1]'],
            ['X-Forwarded-Host: h\u00e9.example'],
            ['X-Forwarded-Host: a.example', 'X-Forwarded-Host: b.example'],
        ]
        for fields in bad:
            for draft in (76, 75):
                status = refused(chat.port, fields, draft=draft)
                check(status.startswith('HTTP/1.1 400'), '%s: %r (-%d) → %r' % (
                    prog, fields, draft, status))
        check(chat.log_has('X-Forwarded-Host is not a valid host[:port] (400)'), 'logged')
        # The members that did join still chat.
        for r in (both, proto, host, none):
            r.messages(1)  # its own Welcome at least
        none.send('still here')
        check(none.chat_lines(1) == ['%s:still here' % none.name], 'relay after refusals')
        check(stopped(chat), 'exit status')
        # The forwarded fields win over the flags when trusted; the flags fill in the rest.
        flags = ChatServer('--trust-forwarded', '--public-scheme', 'wss', '--public-host',
                           'public.example', program=prog)
        r = Raw(flags.port, 76, fields=['X-Forwarded-Proto: http'])
        check(r.headers['sec-websocket-location'] == 'ws://public.example/',
              '%s: forwarded over flags %r' % (prog, r.headers))
        r = Raw(flags.port, 76)
        check(r.headers['sec-websocket-location'] == 'wss://public.example/',
              '%s: flags without forwarded fields %r' % (prog, r.headers))
        check(stopped(flags), 'exit status')


@test('public')
def bad_public_flags_are_refused():
    for prog in servers():
        for argv in (['--public-scheme', 'http'], ['--public-scheme', 'WSS'],
                     ['--public-scheme'], ['--public-host', 'a b'],
                     ['--public-host', 'h.example:0'], ['--public-host', 'h/x'],
                     ['--public-host', ''], ['--client-keepalive', '0'],
                     ['--client-keepalive', 'x'], ['--keepalive-text', b'\xff'],
                     ['--keepalive-text', b'\xc3\x28'], ['--trust-forwarded', '--bogus']):
            r = subprocess.run([prog] + argv, capture_output=True, timeout=10)
            check(r.returncode == 2 and r.stderr.count(b'\n') == 1,
                  '%s %r: %s %r' % (prog, argv, r.returncode, r.stderr))
        r = subprocess.run([prog, '--help'], capture_output=True, timeout=10)
        for flag in (b'--public-scheme', b'--public-host', b'--trust-forwarded',
                     b'--client-keepalive', b'--keepalive-text'):
            check(flag in r.stdout, '%s --help lists %s' % (prog, flag))


@test('public')
def keepalive_frames_reach_idle_clients_only():
    for prog in servers():
        chat = ChatServer('--client-keepalive', '0.5', '--keepalive-text', 'ka ✓',
                          program=prog)
        a = Raw(chat.port, 76)
        b = Raw(chat.port, 75)
        a.expect('Welcome, %s !' % a.name, 'Welcome, %s !' % b.name)
        b.expect('Welcome, %s !' % b.name)
        # Idle: a keepalive every 0.5 s, to both drafts.
        t0 = time.monotonic()
        for r in (a, b):
            r.expect('ka ✓', 'ka ✓', timeout=3)
        elapsed = time.monotonic() - t0
        check(0.7 < elapsed < 3, '%s: two keepalives in %.2f s' % (prog, elapsed))
        # Busy: a message every 0.2 s to both; no keepalive in between.
        got = []
        for i in range(8):
            a.send('busy %d' % i)
            for r in (a, b):
                got.append((r.name, r.messages(1, timeout=3)[0]))
            time.sleep(0.2)
        check(all(m.startswith(a.name + ':busy ') for _, m in got),
              '%s: keepalive while busy: %r' % (prog, got))
        # Idle again: they come back.
        a.expect('ka ✓', timeout=3)
        check(stopped(chat), 'exit status')
        # The default text is empty; off by default.
        empty = ChatServer('--client-keepalive', '0.3', program=prog)
        e = Raw(empty.port, 76)
        e.expect('Welcome, %s !' % e.name)
        e.expect('', timeout=3)
        check(stopped(empty), 'exit status')
        off = ChatServer(program=prog)
        o = Raw(off.port, 76)
        o.expect('Welcome, %s !' % o.name)
        o.quiet(1.5)
        check(stopped(off), 'exit status')


@test('cat')
def cat_connection_refused():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    p = cat('ws://127.0.0.1:%d/' % port)
    p.close_stdin()
    check(p.wait(10) == 1, 'exit status 1')
    p.join_output()
    check(len(p.err) == 1 and 'refused' in p.err[0].lower(), repr(p.err))


@test('cat')
def cat_bad_status():
    stub = Stub(lambda data: b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
    p = cat('ws://127.0.0.1:%d/nowhere' % stub.port)
    p.close_stdin()
    check(p.wait(10) == 1, 'exit status 1')
    p.join_output()
    check(len(p.err) == 1 and 'bad_status' in p.err[0] and '404' in p.err[0], repr(p.err))


@test('cat')
def cat_wrong_token():
    holder = {}
    stub = Stub(lambda data: good_answer(data, holder['port'], corrupt=True))
    holder['port'] = stub.port
    p = cat('ws://127.0.0.1:%d/' % stub.port)
    p.close_stdin()
    check(p.wait(10) == 1, 'exit status 1')
    p.join_output()
    check(len(p.err) == 1 and 'token_mismatch' in p.err[0], repr(p.err))


@test('cat')
def cat_missing_field_and_timeout():
    stub = Stub(lambda data: b'HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n'
                             b'Connection: Upgrade\r\n\r\n' + b'0' * 16)
    p = cat('ws://127.0.0.1:%d/' % stub.port)
    p.close_stdin()
    check(p.wait(10) == 1, 'exit status 1')
    p.join_output()
    check(len(p.err) == 1 and 'missing_sec_origin' in p.err[0], repr(p.err))
    silent = Stub(lambda data: None)
    t0 = time.monotonic()
    p = cat('ws://127.0.0.1:%d/' % silent.port, '--handshake-timeout', '1')
    p.close_stdin()
    check(p.wait(10) == 1, 'exit status 1')
    p.join_output()
    check(len(p.err) == 1 and 'timeout' in p.err[0], repr(p.err))
    check(time.monotonic() - t0 < 4, 'timeout honoured')
    p = cat('http://127.0.0.1:1/')
    check(p.wait(10) == 2, 'bad URL: usage error')


@test('cat')
def cat_good_stub_and_ipv6_literal():
    holder = {}
    stub = Stub(lambda data: good_answer(data, holder['port']) + b'\x00hello\xff\xff\x00')
    holder['port'] = stub.port
    p = cat('ws://127.0.0.1:%d/' % stub.port, '--wait', '2000')
    check(p.wait(10) == 0, 'exit 0 after the server closes')
    p.join_output()
    check(p.out == ['hello'], repr(p.out))
    try:
        s6 = socket.socket(socket.AF_INET6)
        s6.bind(('::1', 0))
        s6.close()
    except OSError:
        return  # no IPv6 loopback here
    chat = Proc([ARGS.chat, '--bind', '::1', '--port', '0'], 'chat6')
    lines = chat.wait_out(lambda out: any(x.startswith('listening on ') for x in out), 10)
    addr = [x for x in lines if x.startswith('listening on ')][0].split()[-1]
    check(addr.startswith('[::1]:'), addr)
    p = cat('ws://%s/' % addr, '--wait', '100')
    p.send('six')
    name = welcomed(p)
    p.wait_out(lambda out: '%s:six' % name in out, 5)
    p.close_stdin()
    check(p.wait(10) == 0, 'IPv6 cat')
    chat.p.send_signal(signal.SIGTERM)
    check(chat.wait(10) == 0, 'IPv6 chat exit')


@test('netty')
def netty_client_in_the_room():
    chat = ChatServer()
    raw = Raw(chat.port, 76)
    raw.messages(1)
    n = netty_client(chat.url, '--wait', '500', '--timeout', '40')
    name = welcomed(n, 30)
    raw.expect('Welcome, %s !' % name)
    n.send('hello from netty ✓')
    want = ['%s:hello from netty ✓' % name, '%s:' % raw.name, '%s:to netty' % raw.name]
    raw.expect(*want[:1])
    raw.send('')
    raw.send('to netty')
    n.wait_out(lambda out: all(w in out for w in want), 10)
    n.close_stdin()
    check(n.wait(20) == 0, 'netty client exit 0')
    raw.expect('%s:' % raw.name, '%s:to netty' % raw.name, '%s Logout' % name)
    check(chat.log_has('leave %s (closing handshake)' % name), 'netty closed with FF 00')
    q = netty_client(chat.url, '--wait', '5000', '--timeout', '40', name='netty-quit')
    qname = welcomed(q, 30)
    q.send('quit')
    check(q.wait(20) == 0, 'netty exits 0 after the server closes')
    raw.expect('Welcome, %s !' % qname, '%s Logout' % qname)
    check(chat.stop() == 0, 'exit status')


def netty_server(*extra):
    if not ARGS.netty_server:
        raise Skip('Netty peers not available')
    srv = Proc(shlex.split(ARGS.netty_server) + ['--port', '0'] + list(extra), 'netty-server')
    lines = srv.wait_out(lambda out: any(x.startswith('listening on ') for x in out), 30,
                         'listening line')
    addr = [x for x in lines if x.startswith('listening on ')][0].split()[-1]
    return srv, int(addr.rsplit(':', 1)[1])


@test('netty')
def cat_against_the_netty_server():
    # Netty 4.1's hybi-00 handshaker writes `upgrade: websocket` and `connection: upgrade` in
    # lower case. hixie76-cat ignores the case of the Upgrade value by default (as WebKit-era
    # browsers did), so it talks to Netty as Netty is; --canonical-headers makes the server
    # write the fields as the drafts spell them, which must work too.
    for extra in ((), ('--canonical-headers',)):
        srv, port = netty_server(*extra)
        for draft in ('76', '75'):
            p = cat('ws://127.0.0.1:%d/echo' % port, '--draft', draft, '--expect', '4', '--wait',
                    '5000', name='cat-%s' % draft)
            texts = ['one', '', 'ünïcödé ✓', 'x' * 5000]
            for t in texts:
                p.send(t)
            p.close_stdin()
            check(p.wait(20) == 0, 'draft-%s %r: exit 0 (stderr %r)' % (draft, extra, p.err))
            p.join_output()
            check(p.out == texts, 'draft-%s %r: echoes %r' % (draft, extra,
                                                              [x[:20] for x in p.out]))
        srv.p.send_signal(signal.SIGTERM)
        srv.wait(10)
    # With --exact-upgrade the letter of the draft applies: Netty's lower-case answer is
    # refused with one line naming the field (never a hang).
    srv, port = netty_server()
    for draft in ('76', '75'):
        p = cat('ws://127.0.0.1:%d/echo' % port, '--draft', draft, '--exact-upgrade',
                name='cat-lower-%s' % draft)
        p.close_stdin()
        rc = p.wait(20)
        p.join_output()
        check(rc == 1 and len(p.err) == 1 and 'bad_upgrade' in p.err[0],
              'draft-%s --exact-upgrade against lower-case fields: rc %d, %r' % (draft, rc, p.err))
    srv.p.send_signal(signal.SIGTERM)
    srv.wait(10)


@test('load')
def fifty_concurrent_clients_see_every_message_in_order():
    chat = ChatServer()
    watcher = Raw(chat.port, 76)
    watcher.messages(1)
    kinds = (['netty'] * 3 if ARGS.netty_client else []) + ['cat'] * 22
    kinds += ['raw75'] * 13 + ['raw76'] * (50 - len(kinds) - 13)
    clients = []  # (kind, handle, name)
    for i, kind in enumerate(kinds):
        if kind == 'cat':
            h = cat(chat.url, '--draft', '76' if i % 2 else '75', '--wait', '200',
                    name='cat%d' % i)
        elif kind == 'netty':
            h = netty_client(chat.url, '--wait', '200', '--timeout', '55', name='netty%d' % i)
        else:
            h = Raw(chat.port, 75 if kind == 'raw75' else 76)
        clients.append([kind, h, None])
    # Everyone is in once the watcher has seen 50 Welcomes.
    joined = []
    deadline = time.monotonic() + 40
    while len(joined) < 50:
        for kind, h, _ in clients:
            if not kind.startswith('raw'):
                h.check_alive()
        check(remaining(deadline) > 0, 'only %d of 50 joined' % len(joined))
        kind, text = watcher.next_event(min(1.0, remaining(deadline)))
        check(kind in ('text', 'timeout'), 'watcher: %s' % kind)
        if kind == 'text':
            joined.append(text)
    check(all(m.startswith('Welcome, ') for m in joined), 'welcomes: %r' % joined[:3])
    for c in clients:
        kind, h = c[0], c[1]
        c[2] = h.name if kind.startswith('raw') else welcomed(h, 30)
    names = [c[2] for c in clients]
    check(sorted('Welcome, %s !' % n for n in names) == sorted(joined), 'names match')
    per_client = 2
    for round_ in range(per_client):
        for i, (kind, h, name) in enumerate(clients):
            h.send('r%d from %d %s' % (round_, i, 'é' * (i % 3)))
    total = per_client * len(clients)
    seen = watcher.messages(total, timeout=30)
    check(all(':' in m and not m.endswith(' Logout') for m in seen), 'chat lines only')
    # Each sender's lines arrive in its own order.
    for i, (kind, h, name) in enumerate(clients):
        mine = [m for m in seen if m.startswith(name + ':')]
        check(mine == ['%s:r%d from %d %s' % (name, r, i, 'é' * (i % 3))
                       for r in range(per_client)], 'order of %s: %r' % (name, mine))
    # Every client sees the very same sequence.
    for i, (kind, h, name) in enumerate(clients):
        if kind.startswith('raw'):
            got = h.chat_lines(total, timeout=30)
        else:
            lines = h.wait_out(lambda out: len([x for x in out if not x.startswith('Welcome, ')])
                               >= total, 30, 'all messages')
            got = [x for x in lines if not x.startswith('Welcome, ')][:total]
        check(got == seen, '%s (%s) saw a different sequence' % (name, kind))
    for kind, h, name in clients:
        if not kind.startswith('raw'):
            h.close_stdin()
    for kind, h, name in clients:
        if not kind.startswith('raw'):
            check(h.wait(30) == 0, '%s exit status (stderr %r)' % (name, h.err[-3:]))
    check(chat.stop() == 0, 'exit status')


# === runner ===================================================================================

def print_stderr(show):
    """After a failure: the last lines of stderr of each process `show(proc)` picks."""
    for item in CLEANUP.items:
        if isinstance(item, Proc) and show(item):
            print('--- %s stderr (last lines):' % item.name)
            for line in item.err[-15:]:
                print('    ' + line)


def sanitizer_reports():
    """Sanitizer lines in the stderr of the processes the test started."""
    return [(item.name, line) for item in CLEANUP.items if isinstance(item, Proc)
            for line in item.err if 'Sanitizer' in line or 'runtime error:' in line]


def select_tests(tests, groups, keyword):
    """The (group, name, fn) tests in `groups` (every group when empty) whose name contains
    `keyword`."""
    return [(g, n, f) for g, n, f in tests if (not groups or g in groups) and keyword in n]


def list_tests(selected):
    """Prints 'group name' per test (a harness's --list); returns exit status 0."""
    for g, n, _ in selected:
        print('%s %s' % (g, n))
    return 0


def run_tests(selected, show=lambda proc: True, on_failure=None, cleanup=None,
              skip=None, check_sanitizers=False, all_skipped_status=0, limit=60):
    """Runs (group, name, fn) tests one by one, each bounded to `limit` seconds, stopping what each
    started (`cleanup`, by default CLEANUP.run) whatever happened. Prints a line per test and the
    'N passed, N failed[, N skipped]' summary; returns the exit status: 1 if any failed, else
    `all_skipped_status` when every test skipped, else 0."""
    skip = skip or Skip
    cleanup = cleanup or CLEANUP.run
    on_failure = on_failure or (lambda: print_stderr(show))

    def on_alarm(signum, frame):
        raise TimeoutError('test took longer than %d s' % limit)

    signal.signal(signal.SIGALRM, on_alarm)
    passed = failed = skipped = 0
    for group, name, fn in selected:
        t0 = time.monotonic()
        signal.alarm(limit)
        reports = []
        try:
            fn()
            result = 'PASS'
            passed += 1
        except skip as e:
            result = 'SKIP (%s)' % e
            skipped += 1
        except Exception:  # noqa: BLE001
            result = 'FAIL'
            failed += 1
            traceback.print_exc()
            on_failure()
        finally:
            signal.alarm(0)
            if check_sanitizers:
                reports = sanitizer_reports()
            cleanup()
        if reports and result == 'PASS':
            result = 'FAIL (sanitizer report: %r)' % (reports[:3],)
            passed -= 1
            failed += 1
        print('%-4s %s.%s (%.1f s)' % (result, group, name, time.monotonic() - t0), flush=True)
    summary = '%d passed, %d failed' % (passed, failed)
    if skipped:
        summary += ', %d skipped' % skipped
    print(summary)
    if failed:
        return 1
    return all_skipped_status if skipped and not passed else 0


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--chat', required=True)
    ap.add_argument('--cat', required=True)
    ap.add_argument('--netty-client', default='', help='command line running NettyClient')
    ap.add_argument('--netty-server', default='', help='command line running NettyServer')
    ap.add_argument('--mixed', default='', help='hixie76-mixed-room, for the public group')
    ap.add_argument('--group', action='append', default=[])
    ap.add_argument('-k', dest='keyword', default='')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    ARGS = ap.parse_args()

    selected = select_tests(TESTS, ARGS.group, ARGS.keyword)
    if ARGS.list:
        return list_tests(selected)

    def show(proc):
        return ARGS.verbose or proc.name.startswith('chat')
    return run_tests(selected, show=show)


if __name__ == '__main__':
    sys.exit(main())
