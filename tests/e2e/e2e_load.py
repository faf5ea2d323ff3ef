#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/e2e/e2e_load.py — end-to-end tests of hixie76-load over loopback: against hixie76-chat
# (broadcast, both drafts and mixed), against echo servers written here (both drafts, plus
# faulty ones that drop, reorder or answer a wrong token), refused connections, usage errors,
# and, when available, the Netty peers (echo, broadcast and the Netty room).
#
#   e2e_load.py --load PATH --chat PATH [--load-poll PATH] [--netty-server CMD]
#               [--netty-room CMD] [--group NAME] [-k SUBSTRING] [-v]
#
# Only the standard library; every server listens on 127.0.0.1 port 0; every wait is bounded
# and each test runs under a 60 s alarm. Ends with the line "N passed, M failed[, K skipped]".
import argparse
import hashlib
import json
import os
import re
import shlex
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import e2e_chat  # the runner the e2e harnesses share

ARGS = None
TESTS = []
CLEANUP = []

JSON_KEYS = {'connections_ok', 'connections_failed', 'failures', 'handshake_ms',
             'messages_sent', 'messages_received', 'lost', 'out_of_order', 'latency_ms',
             'duration_s'}


def test(group):
    def register(fn):
        TESTS.append((group, fn.__name__, fn))
        return fn
    return register


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise AssertionError(what)


# --- servers ---------------------------------------------------------------------------------

class Server:
    """A server program that prints `listening on ADDR:PORT`; stopped with SIGTERM."""

    def __init__(self, argv, name):
        self.name = name
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.err = []
        CLEANUP.append(self.cleanup)
        self.t = threading.Thread(target=self._pump, daemon=True)
        line = self._first_line(30)
        check(line.startswith('listening on '), '%s: no listening line: %r' % (name, line))
        self.port = int(line.split()[-1].rsplit(':', 1)[1])
        self.t.start()

    def _first_line(self, timeout):
        timer = threading.Timer(timeout, self.p.kill)
        timer.start()
        try:
            return self.p.stdout.readline().decode('utf-8', 'replace').strip()
        finally:
            timer.cancel()

    def _pump(self):
        for raw in iter(self.p.stderr.readline, b''):
            self.err.append(raw.decode('utf-8', 'replace').rstrip('\n'))

    def url(self, path='/'):
        return 'ws://127.0.0.1:%d%s' % (self.port, path)

    def stop(self, timeout=10):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise AssertionError('%s did not stop within %d s' % (self.name, timeout))

    def cleanup(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def chat_server(*extra):
    return Server([ARGS.chat, '--port', '0', '--max-clients', '1000'] + list(extra), 'chat')


def netty(command, *extra, name='netty'):
    if not command:
        raise Skip('Netty peers not available')
    return Server(shlex.split(command) + ['--port', '0'] + list(extra), name)


def key_number(key):
    digits = int(''.join(c for c in key if c.isdigit()))
    spaces = key.count(' ')
    return digits // spaces


class EchoServer:
    """A legacy echo server in Python (threads, both drafts). `mode`: echo; drop (every third
    message of a connection is not echoed); swap (each pair of messages comes back swapped);
    badtoken (draft-76 answer with a wrong 16-byte token)."""

    def __init__(self, mode='echo'):
        self.mode = mode
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.conns = []
        self.peers = []  # the clients' source addresses, in the order accepted
        self.t = threading.Thread(target=self._accept, daemon=True)
        self.t.start()
        CLEANUP.append(self.cleanup)

    def url(self, path='/echo'):
        return 'ws://127.0.0.1:%d%s' % (self.port, path)

    def _accept(self):
        while not self.stopping:
            try:
                c, peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.conns.append(c)
            self.peers.append(peer[0])
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        c.settimeout(30)
        try:
            data = b''
            while b'\r\n\r\n' not in data:
                chunk = c.recv(4096)
                if not chunk:
                    return
                data += chunk
            head, rest = data.split(b'\r\n\r\n', 1)
            lines = head.decode('latin-1').split('\r\n')
            path = lines[0].split()[1]
            fields = {}
            for line in lines[1:]:
                k, v = line.split(':', 1)
                fields[k.strip().lower()] = v.strip()
            origin, host = fields.get('origin', ''), fields.get('host', '')
            if 'sec-websocket-key1' in fields:
                while len(rest) < 8:
                    chunk = c.recv(4096)
                    if not chunk:
                        return
                    rest += chunk
                key3, rest = rest[:8], rest[8:]
                answer = hashlib.md5(struct.pack('>II', key_number(fields['sec-websocket-key1']),
                                                 key_number(fields['sec-websocket-key2']))
                                     + key3).digest()
                if self.mode == 'badtoken':
                    answer = bytes(16)
                c.sendall(('HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n'
                           'Connection: Upgrade\r\nSec-WebSocket-Origin: %s\r\n'
                           'Sec-WebSocket-Location: ws://%s%s\r\n\r\n' % (origin, host, path))
                          .encode('latin-1') + answer)
            else:
                c.sendall(('HTTP/1.1 101 Web Socket Protocol Handshake\r\nUpgrade: WebSocket\r\n'
                           'Connection: Upgrade\r\nWebSocket-Origin: %s\r\n'
                           'WebSocket-Location: ws://%s%s\r\n\r\n' % (origin, host, path))
                          .encode('latin-1'))
            count, held, buf = 0, None, rest
            while True:
                while b'\xff' in buf:
                    frame, buf = buf.split(b'\xff', 1)
                    if frame == b'':  # FF 00: the closing handshake
                        c.sendall(b'\xff\x00')
                        return
                    check(frame[:1] == b'\x00', 'text frame')
                    count += 1
                    out = frame + b'\xff'
                    if self.mode == 'drop' and count % 3 == 0:
                        continue
                    if self.mode == 'swap':
                        if held is None:
                            held = out
                            continue
                        out, held = out + held, None
                    c.sendall(out)
                chunk = c.recv(65536)
                if not chunk:
                    return
                buf += chunk
        except (OSError, AssertionError, ValueError, IndexError):
            return
        finally:
            c.close()

    def cleanup(self):
        self.stopping = True
        self.sock.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass


# --- the load tool ---------------------------------------------------------------------------

class Result:
    def __init__(self, rc, out, err, data):
        self.rc, self.out, self.err, self.data = rc, out, err, data

    def __repr__(self):
        return 'rc=%d json=%r stdout=%r stderr(last)=%r' % (self.rc, self.data, self.out,
                                                             self.err[-600:])


def load(url, *extra, program=None, timeout=40):
    fd, path = tempfile.mkstemp(prefix='hixie76-load-', suffix='.json')
    os.close(fd)
    os.unlink(path)
    argv = [program or ARGS.load, url] + [str(x) for x in extra] + ['--json', path]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
        data = None
        if os.path.exists(path):
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
        return Result(p.returncode, p.stdout.decode('utf-8', 'replace'),
                      p.stderr.decode('utf-8', 'replace'), data)
    finally:
        if os.path.exists(path):
            os.unlink(path)


def check_shape(r):
    check(r.data is not None, 'JSON written: %r' % r)
    check(set(r.data) == JSON_KEYS, 'exact JSON keys: %r' % sorted(r.data))
    check(set(r.data['handshake_ms']) == {'p50', 'p90', 'p99', 'max'}, 'handshake_ms keys')
    check(set(r.data['latency_ms']) == {'p50', 'p99', 'max'}, 'latency_ms keys')
    h = r.data['handshake_ms']
    check(h['p50'] <= h['p90'] <= h['p99'] <= h['max'], 'handshake quantiles ordered: %r' % h)
    lat = r.data['latency_ms']
    check(lat['p50'] <= lat['p99'] <= lat['max'], 'latency quantiles ordered: %r' % lat)
    check(r.data['duration_s'] >= 0, 'duration')


def check_clean(r, conns, sent, received):
    check_shape(r)
    d = r.data
    check(r.rc == 0, 'exit 0: %r' % r)
    check(d['connections_ok'] == conns and d['connections_failed'] == 0 and d['failures'] == {},
          'all connected: %r' % r)
    check(d['messages_sent'] == sent, 'sent %d: %r' % (sent, r))
    check(d['messages_received'] == received, 'received %d: %r' % (received, r))
    check(d['lost'] == 0 and d['out_of_order'] == 0, 'nothing lost or out of order: %r' % r)
    check(d['handshake_ms']['max'] > 0, 'handshake times measured')
    if received:
        check(d['latency_ms']['max'] > 0, 'latency measured')
    check('result: ok' in r.out, 'summary says ok: %r' % r.out)


# --- against hixie76-chat --------------------------------------------------------------------

@test('chat')
def chat_broadcast_both_drafts_and_mixed():
    chat = chat_server()
    for draft in ('76', '75', 'mix'):
        r = load(chat.url(), '--connections', 20, '--draft', draft, '--messages', 3,
                 '--interval', 50, '--expect', 'broadcast')
        # 20 clients × 3 messages, each relayed as NAME:message to all 20.
        check_clean(r, 20, 60, 60 * 20)
        check('draft %s' % draft in r.out, 'summary names the draft')
    # Every connection was a member: 60 joins and 60 leaves in the server's log.
    check(chat.stop() == 0, 'chat exit status')
    joins = [x for x in chat.err if x.startswith('join ')]
    check(len(joins) == 60, 'joins %d' % len(joins))
    check(len([x for x in joins if x.endswith('(draft-75)')]) == 30, 'draft-75 joins')


@test('chat')
def chat_echo_expectation_fails_on_a_broadcast_room():
    # In the room every client gets everyone's messages: as an echo check that is wrong, and
    # the tool says so (other senders' messages are out of order) with exit status 1.
    chat = chat_server()
    r = load(chat.url(), '--connections', 4, '--messages', 2, '--interval', 50)
    check_shape(r)
    # At most 4 × 3 × 2 foreign messages (the run ends once every own message is back).
    check(r.rc == 1 and 0 < r.data['out_of_order'] <= 4 * 3 * 2, 'out of order: %r' % r)
    check(r.data['lost'] == 0, 'own messages all came: %r' % r)


@test('chat')
def chat_duration_progress_and_poll_backend():
    chat = chat_server()
    r = load(chat.url(), '--connections', 10, '--duration', 1.6, '--interval', 400,
             '--expect', 'broadcast', '--connect-rate', '200/s', '--size', 100)
    # 4 sends per connection fit in 1.6 s (at 0, 400, 800 and 1200 ms plus a stagger).
    check_clean(r, 10, 40, 400)
    check(re.search(r'hixie76-load: +1\.\ds connected 10 failed 0 sent \d+ received \d+ rate',
                    r.err), 'a progress line once a second: %r' % r.err)
    check('(epoll)' in r.out or '(poll)' in r.out, 'names its back end')
    if not ARGS.load_poll:
        raise Skip('no poll() build')
    r = load(chat.url(), '--connections', 10, '--messages', 2, '--interval', 50,
             '--expect', 'broadcast', '--draft', 'mix', program=ARGS.load_poll)
    check_clean(r, 10, 20, 200)
    check('(poll)' in r.out, 'the poll() back end ran: %r' % r.out)


@test('chat')
def hold_idle_connections():
    chat = chat_server()
    t0 = time.monotonic()
    r = load(chat.url(), '--connections', 30, '--messages', 0, '--duration', 1, '--expect', 'none')
    check_clean(r, 30, 0, 0)
    check(time.monotonic() - t0 >= 1.0, 'connections held for --duration')
    check(chat.stop() == 0, 'chat exit status')
    check(len([x for x in chat.err if x.startswith('join ')]) == 30, '30 joins')


# --- echo servers and failures ---------------------------------------------------------------

@test('echo')
def echo_server_both_drafts():
    srv = EchoServer()
    for draft in ('76', '75', 'mix'):
        r = load(srv.url(), '--connections', 8, '--draft', draft, '--messages', 5,
                 '--interval', 20, '--size', 300)
        check_clean(r, 8, 40, 40)


@test('echo')
def connections_spread_over_source_addresses():
    srv = EchoServer()
    # 25 connections, at most 10 per source address: 127.0.0.1, .2 and .3.
    r = load(srv.url(), '--connections', 25, '--messages', 2, '--interval', 20,
             '--ports-per-source', 10)
    check_clean(r, 25, 50, 50)
    check('25 connections over 3 source addresses (127.0.0.1-3' in r.err,
          'the spreading is announced: %r' % r.err[-400:])
    counts = {a: srv.peers.count(a) for a in set(srv.peers)}
    check(counts == {'127.0.0.1': 10, '127.0.0.2': 10, '127.0.0.3': 5},
          'connections by source address: %r' % counts)
    # Without the option, 25 connections fit one address's ephemeral ports.
    srv2 = EchoServer()
    r = load(srv2.url(), '--connections', 25, '--messages', 1, '--interval', 20)
    check_clean(r, 25, 25, 25)
    check(set(srv2.peers) == {'127.0.0.1'} and 'source addresses' not in r.err,
          'one source address: %r' % sorted(set(srv2.peers)))


@test('echo')
def lost_messages_fail_the_run():
    srv = EchoServer('drop')
    r = load(srv.url(), '--connections', 3, '--messages', 6, '--interval', 20, '--drain', 0.5)
    check_shape(r)
    # Every third message of each connection is dropped: 2 of 6, for 3 connections.
    check(r.rc == 1 and r.data['lost'] == 6 and r.data['messages_received'] == 12,
          'lost counted, exit 1: %r' % r)
    check(r.data['connections_ok'] == 3, 'connections fine: %r' % r)
    check('result: FAILED' in r.out, 'summary says FAILED')


@test('echo')
def reordered_messages_fail_the_run():
    srv = EchoServer('swap')
    r = load(srv.url(), '--connections', 2, '--messages', 4, '--interval', 20, '--drain', 1)
    check_shape(r)
    # Pairs come back swapped: 1 0 3 2 — message 0 arrives after its place has passed.
    check(r.rc == 1 and r.data['out_of_order'] > 0, 'out of order, exit 1: %r' % r)


@test('echo')
def refused_connections_are_counted():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()  # nobody listens there now
    r = load('ws://127.0.0.1:%d/' % port, '--connections', 5, '--messages', 1)
    check_shape(r)
    d = r.data
    check(r.rc == 1 and d['connections_ok'] == 0 and d['connections_failed'] == 5 and
          d['failures'] == {'refused': 5}, 'refused: %r' % r)
    check(d['messages_sent'] == 0 and d['lost'] == 0, 'nothing sent: %r' % r)


@test('echo')
def wrong_token_is_a_handshake_failure():
    srv = EchoServer('badtoken')
    r = load(srv.url(), '--connections', 3, '--draft', 'mix')
    check_shape(r)
    # The two draft-76 connections fail on the token; the draft-75 one has none and succeeds.
    check(r.rc == 1 and r.data['failures'] == {'handshake_token_mismatch': 2} and
          r.data['connections_ok'] == 1, 'token mismatch: %r' % r)


@test('echo')
def usage_errors():
    for argv, what in (([], 'no URL'), (['ws://127.0.0.1:1/'], 'no --connections'),
                       (['ws://127.0.0.1:1/', '--connections', '0'], 'zero connections'),
                       (['ws://127.0.0.1:1/', '--connections', '1', '--draft', '77'], 'draft'),
                       (['ws://127.0.0.1:1/', '--connections', '1', '--expect', 'all'], 'expect'),
                       (['ws://127.0.0.1:1/', '--connections', '1', '--bogus'], 'unknown'),
                       (['ws://127.0.0.1:1/', '--connections', '1', '--ports-per-source', '0'],
                        'ports per source'),
                       (['wss://127.0.0.1:1/', '--connections', '1'], 'wss'),
                       (['http://127.0.0.1:1/', '--connections', '1'], 'scheme')):
        p = subprocess.run([ARGS.load] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=10)
        check(p.returncode == 2 and p.stderr and p.stdout == b'', '%s: rc %d %r' % (
            what, p.returncode, p.stderr))
    p = subprocess.run([ARGS.load, '--help'], stdout=subprocess.PIPE, timeout=10)
    check(p.returncode == 0 and b'--connect-rate' in p.stdout, '--help')


# --- Netty -----------------------------------------------------------------------------------

@test('netty')
def netty_echo_and_broadcast_servers_both_drafts():
    srv = netty(ARGS.netty_server)
    for draft in ('76', '75', 'mix'):
        r = load(srv.url('/echo'), '--connections', 10, '--draft', draft, '--messages', 3,
                 '--interval', 50)
        check_clean(r, 10, 30, 30)
    srv.stop()
    srv = netty(ARGS.netty_server, '--broadcast', name='netty-broadcast')
    r = load(srv.url('/room'), '--connections', 10, '--draft', 'mix', '--messages', 3,
             '--interval', 50, '--expect', 'broadcast')
    check_clean(r, 10, 30, 300)
    srv.stop()


@test('netty')
def netty_room_like_the_chat():
    if not ARGS.netty_room:
        raise Skip('Netty room not available')
    room = netty(ARGS.netty_room, name='netty-room')
    for draft in ('76', '75', 'mix'):
        r = load(room.url(), '--connections', 10, '--draft', draft, '--messages', 3,
                 '--interval', 50, '--expect', 'broadcast')
        check_clean(r, 10, 30, 300)
    room.stop()


# === runner ===================================================================================

def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--load', required=True)
    ap.add_argument('--load-poll', default='')
    ap.add_argument('--chat', required=True)
    ap.add_argument('--netty-server', default='', help='command line running NettyServer')
    ap.add_argument('--netty-room', default='', help='command line running NettyRoom')
    ap.add_argument('--group', action='append', default=[])
    ap.add_argument('-k', dest='keyword', default='')
    ap.add_argument('-v', '--verbose', action='store_true')
    ARGS = ap.parse_args()

    selected = e2e_chat.select_tests(TESTS, ARGS.group, ARGS.keyword)

    def cleanup():
        for fn_cleanup in reversed(CLEANUP):
            try:
                fn_cleanup()
            except Exception:  # noqa: BLE001 - best effort
                pass
        CLEANUP.clear()

    return e2e_chat.run_tests(selected, on_failure=lambda: None, cleanup=cleanup, skip=Skip)


if __name__ == '__main__':
    sys.exit(main())
