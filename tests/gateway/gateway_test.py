#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/gateway/gateway_test.py — end-to-end tests of hixie76-gateway over loopback. In front:
# raw draft-75/76 sockets (plain, TLS, behind a PROXY header), hixie76-cat in both drafts, the
# Netty draft-76 client, a Node `ws` RFC 6455 client, openssl s_client and HAProxy. Behind:
# upstream_room (Boost.Beast) or upstream_ws.js (Node `ws`), which record every handshake and
# message as JSON lines, so each test checks what both sides saw.
#
#   gateway_test.py --gateway PATH --upstream-room PATH --cat PATH --work DIR
#                   [--netty-client CMD] [--node PATH] [--haproxy PATH] [--openssl PATH]
#                   [--group NAME]... [-k SUBSTRING] [--list] [-v]
#
# Only the standard library (the raw clients and helpers of tests/e2e/e2e_chat.py are reused);
# every server listens on 127.0.0.1 port 0, every wait is bounded and each test runs under a
# 60 s alarm. Test certificates (RSA 2048) are made with openssl in --work. Ends with the line
# "N passed, M failed[, K skipped]".
import argparse
import base64
import json
import os
import random
import re
import shlex
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'e2e'))
import e2e_chat as e2e  # noqa: E402  the raw clients, Proc, Cleanup, check
from e2e_chat import CLEANUP, Proc, Raw, Skip, check, remaining  # noqa: E402

ARGS = None
TESTS = []  # (group, name, function)
NODE_PATH = '/usr/share/nodejs'


def test(group):
    def register(fn):
        TESTS.append((group, fn.__name__, fn))
        return fn
    return register


# --- the programs ------------------------------------------------------------------------------

def listening_port(proc, timeout=15):
    lines = proc.wait_out(lambda out: any(x.startswith('listening on ') for x in out), timeout,
                          'listening line')
    addr = [x for x in lines if x.startswith('listening on ')][0].split()[-1]
    return int(addr.rsplit(':', 1)[1])


class Upstream(Proc):
    """upstream_room (or upstream_ws.js with node=True): its records, parsed."""

    def __init__(self, *extra, node=False, name='upstream'):
        if node:
            if not ARGS.node:
                raise Skip('node not available')
            os.environ['NODE_PATH'] = NODE_PATH
            argv = [ARGS.node, os.path.join(HERE, 'upstream_ws.js'), '--port', '0']
        else:
            argv = [ARGS.upstream_room, '--port', '0']
        super().__init__(argv + list(extra), name)
        self.port = listening_port(self)
        self.url = 'ws://127.0.0.1:%d' % self.port

    def records(self, event=None, id_=None):
        out = []
        for line in list(self.out):
            if not line.startswith('{'):
                continue
            r = json.loads(line)
            if (event is None or r['event'] == event) and (id_ is None or r.get('id') == id_):
                out.append(r)
        return out

    def wait_record(self, event, id_=None, timeout=10, pred=None, count=1):
        """Waits until `count` records of `event` (matching pred) exist; returns them."""
        def found(_out):
            rs = [r for r in self.records(event, id_) if pred is None or pred(r)]
            return len(rs) >= count
        self.wait_out(found, timeout, '%d %s record(s)' % (count, event))
        return [r for r in self.records(event, id_) if pred is None or pred(r)]

    def handshakes(self):
        return self.records('handshake')

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        return self.wait(10)


def header(record, name):
    """A header of a handshake record (case-insensitive name); None when absent."""
    for k, v in record['headers']:
        if k.lower() == name.lower():
            return v
    return None


class Gateway(Proc):
    def __init__(self, upstream, *extra, name='gateway', env=None):
        url = upstream if isinstance(upstream, str) else upstream.url
        argv = [ARGS.gateway, '--upstream', url, '--port', '0'] + list(extra)
        if env:
            saved = dict(os.environ)
            os.environ.update(env)
        try:
            super().__init__(argv, name)
        finally:
            if env:
                os.environ.clear()
                os.environ.update(saved)
        self.port = listening_port(self)
        self.url = 'ws://127.0.0.1:%d' % self.port
        self.proxy_protocol = '--proxy-protocol' in extra

    def log_has(self, pred, timeout=5):
        """True once a stderr line satisfies pred (a substring or a function)."""
        test_ = pred if callable(pred) else (lambda line: pred in line)
        deadline = time.monotonic() + timeout
        with self.cv:
            while not any(test_(x) for x in self.err):
                if remaining(deadline) <= 0:
                    return False
                self.cv.wait(min(remaining(deadline), 0.2))
        return True

    def log_lines(self, pred):
        test_ = pred if callable(pred) else (lambda line: pred in line)
        with self.cv:
            return [x for x in self.err if test_(x)]

    def metrics(self):
        request = b'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
        if self.proxy_protocol:
            request = b'PROXY TCP4 127.0.0.1 127.0.0.1 1 2\r\n' + request
        return parse_metrics(e2e.http(self.port, request))

    def stop(self, timeout=10):
        self.p.send_signal(signal.SIGTERM)
        return self.wait(timeout)


def parse_metrics(response):
    head, _, body = response.partition(b'\r\n\r\n')
    check(e2e.status_of(head).startswith('HTTP/1.1 200'), 'metrics status %r' % head[:60])
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith('#'):
            key, value = line.rsplit(' ', 1)
            out[key] = float(value)
    return out


def metric(m, name, **labels):
    key = name
    if labels:
        key += '{' + ','.join('%s="%s"' % kv for kv in labels.items()) + '}'
    return m.get(key, 0.0)


def cat(url, *extra, name='cat'):
    return Proc([ARGS.cat, url] + list(extra), name)


def netty_client(url, *extra, name='netty-client'):
    if not ARGS.netty_client:
        raise Skip('Netty peers not available')
    return Proc(shlex.split(ARGS.netty_client) + [url] + list(extra), name)


class WsClient(Proc):
    """tests/gateway/ws_client.js: an RFC 6455 client on Node `ws`."""

    def __init__(self, url, *extra, name='ws-client'):
        if not ARGS.node:
            raise Skip('node not available')
        os.environ['NODE_PATH'] = NODE_PATH
        super().__init__([ARGS.node, os.path.join(HERE, 'ws_client.js'), url] + list(extra), name)

    def events(self, event=None):
        out = [json.loads(x) for x in list(self.out) if x.startswith('{')]
        return [r for r in out if event is None or r['event'] == event]

    def wait_event(self, event, timeout=10, pred=None):
        self.wait_out(lambda _o: any(pred is None or pred(r) for r in self.events(event)),
                      timeout, event)
        return [r for r in self.events(event) if pred is None or pred(r)]


def room(*extra, node=False, gw=(), gw_env=None):
    """An upstream and a gateway in front of it."""
    up = Upstream(*extra, node=node)
    return up, Gateway(up, *gw, env=gw_env)


def whoami(client):
    """The upstream connection id of a raw client (the upstream answers "!whoami")."""
    client.send('!whoami')
    kind, text = client.next_event(10)
    check(kind == 'text' and text.startswith('id '), '%s: whoami -> %s %r' % (
        client.name, kind, text))
    return int(text[3:])


def closed_after_response(c, timeout=10):
    """Reads (and discards) whatever follows a refusal's head until the gateway closes."""
    deadline = time.monotonic() + timeout
    c.buf = b''
    while not c.eof:
        c.buf = b''
        if not c.read_more(deadline) and not c.eof:
            return False
    return True


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def no_bytes(sock, seconds):
    """True when nothing arrives on sock for `seconds` (and it stays open)."""
    sock.settimeout(seconds)
    try:
        data = sock.recv(1)
    except socket.timeout:
        return True
    finally:
        sock.settimeout(10)
    raise AssertionError('unexpected %r' % data)


# --- handshake: upstream first, headers first, forwarding --------------------------------------

@test('handshake')
def forwards_resource_origin_cookie_agent_protocol_and_client_address():
    up, gw = room(gw=())
    gw2 = Gateway(up.url + '/base/')
    fields = ['Cookie: session=abc; theme=dark', 'User-Agent: HbbTV/1.1.1 (test TV)',
              'Sec-WebSocket-Protocol: chat']
    c = Raw(gw2.port, 76, origin='http://tv.example', resource='/room/7?user=a&x=%20',
            fields=fields)
    check(c.status == 'HTTP/1.1 101 WebSocket Protocol Handshake', c.status)
    check(c.headers.get('sec-websocket-protocol') == 'chat', 'protocol echoed: %r' % c.headers)
    check(c.headers.get('sec-websocket-origin') == 'http://tv.example', repr(c.headers))
    check(c.headers.get('sec-websocket-location') ==
          'ws://127.0.0.1:%d/room/7?user=a&x=%%20' % gw2.port, repr(c.headers))
    hs = up.wait_record('handshake')[0]
    check(hs['target'] == '/base/room/7?user=a&x=%20', 'prefix + resource: %r' % hs['target'])
    check(header(hs, 'Origin') == 'http://tv.example', 'Origin: %r' % hs['headers'])
    check(header(hs, 'Cookie') == 'session=abc; theme=dark', 'Cookie: %r' % hs['headers'])
    check(header(hs, 'User-Agent') == 'HbbTV/1.1.1 (test TV)', 'UA: %r' % hs['headers'])
    check(header(hs, 'Sec-WebSocket-Protocol') == 'chat', 'protocol: %r' % hs['headers'])
    check(header(hs, 'X-Forwarded-For') == '127.0.0.1', 'XFF: %r' % hs['headers'])
    check(header(hs, 'X-Forwarded-Proto') in ('http', 'ws'), 'XFP: %r' % hs['headers'])
    check(up.wait_record('open')[0]['protocol'] == 'chat', 'upstream selected chat')
    c.send('hello ✓')
    c.expect('hello ✓')
    check(up.wait_record('text')[0]['data'] == 'hello ✓', 'upstream got the text')
    # draft-75 spells its fields without Sec-; the root resource with an empty prefix.
    d = Raw(gw.port, 75, origin='http://old.example', fields=['WebSocket-Protocol: chat'])
    check(d.status == 'HTTP/1.1 101 Web Socket Protocol Handshake', d.status)
    check(d.headers.get('websocket-origin') == 'http://old.example', repr(d.headers))
    check(d.headers.get('websocket-location') == 'ws://127.0.0.1:%d/' % gw.port, repr(d.headers))
    check(d.headers.get('websocket-protocol') == 'chat', repr(d.headers))
    hs = up.wait_record('handshake', count=2)[1]
    check(hs['target'] == '/' and header(hs, 'Sec-WebSocket-Protocol') == 'chat', repr(hs))
    check(header(hs, 'Origin') == 'http://old.example', repr(hs))


@test('handshake')
def head_first_key3_withheld_until_the_101_head():
    up, gw = room()
    c = Raw(gw.port, 76, connect=False)
    c.sock.sendall(c.request(key3=False))
    # The upstream is opened on the head alone, and the 101 head comes back without key3.
    up.wait_record('open')
    status = c.read_head(10)
    check(status == 'HTTP/1.1 101 WebSocket Protocol Handshake', status)
    check(c.buf == b'', 'nothing past the head before key3: %r' % c.buf)
    check(no_bytes(c.sock, 0.3), 'no answer before key3')
    c.sock.sendall(c.key3)
    deadline = time.monotonic() + 10
    while len(c.buf) < 16:
        check(c.read_more(deadline), 'the 16-byte answer')
    check(c.buf[:16] == c.expected_answer(), 'the answer is right')
    c.buf = c.buf[16:]
    c.send('after key3')
    c.expect('after key3')


@test('handshake')
def key3_in_a_later_segment_byte_by_byte():
    up, gw = room()
    c = Raw(gw.port, 76, connect=False)
    head = c.request(key3=False)
    for i in range(0, len(head), 7):  # the head in small pieces, then key3 a byte at a time
        c.sock.sendall(head[i:i + 7])
        time.sleep(0.002)
    check(c.read_head(10).startswith('HTTP/1.1 101 '), c.status)
    for b in c.key3:
        c.sock.sendall(bytes([b]))
        time.sleep(0.02)
    deadline = time.monotonic() + 10
    while len(c.buf) < 16:
        check(c.read_more(deadline), 'the 16-byte answer')
    check(c.buf[:16] == c.expected_answer(), 'the answer is right')
    c.buf = c.buf[16:]
    c.send('split')
    c.expect('split')


@test('handshake')
def no_101_before_the_upstream_answers():
    up, gw = room('--delay', '1200')
    c = Raw(gw.port, 76, connect=False)
    c.sock.sendall(c.request())
    up.wait_record('handshake')
    t0 = time.monotonic()
    check(no_bytes(c.sock, 0.8), 'no 101 while the upstream has not answered')
    check(not up.records('open'), 'upstream not open yet')
    check(c.read_head(10).startswith('HTTP/1.1 101 '), c.status)
    up.wait_record('open', timeout=5)  # recorded before the upstream's 101 was written
    check(time.monotonic() - t0 > 0.2, 'the 101 waited for the upstream')


@test('handshake')
def location_public_scheme_and_host():
    up = Upstream()
    gw = Gateway(up, '--public-scheme', 'wss', '--public-host', 'tv.example.com')
    c = Raw(gw.port, 76, resource='/r?q=1')
    check(c.headers['sec-websocket-location'] == 'wss://tv.example.com/r?q=1', repr(c.headers))
    d = Raw(gw.port, 75, resource='/r')
    check(d.headers['websocket-location'] == 'wss://tv.example.com/r', repr(d.headers))
    hs = up.wait_record('handshake', count=2)
    check(all(header(h, 'X-Forwarded-Proto') in ('https', 'wss') for h in hs),
          'behind a TLS terminator: XFP %r' % [header(h, 'X-Forwarded-Proto') for h in hs])
    gw2 = Gateway(up, '--public-host', 'tv.example.com:8080')
    e = Raw(gw2.port, 76, host='whatever.example:99')
    check(e.headers['sec-websocket-location'] == 'ws://tv.example.com:8080/', repr(e.headers))
    f = Raw(Gateway(up).port, 76, host='box.example:1234')
    check(f.headers['sec-websocket-location'] == 'ws://box.example:1234/', 'from Host: %r' % (
        f.headers,))


@test('handshake')
def origin_allow_list():
    up = Upstream()
    gw = Gateway(up, '--origin', 'http://good.example', '--origin', 'http://also.example')
    bad = Raw(gw.port, 76, origin='http://evil.example', connect=False)
    bad.sock.sendall(bad.request())
    check(bad.read_head(10).startswith('HTTP/1.1 403'), 'bad origin: %r' % bad.status)
    check(closed_after_response(bad), 'closed after 403')
    time.sleep(0.3)
    check(not up.handshakes(), 'a refused origin never reaches the upstream: %r' %
          up.handshakes())
    for origin in ('http://good.example', 'http://also.example'):
        ok = Raw(gw.port, 76, origin=origin)
        check(ok.headers['sec-websocket-origin'] == origin, repr(ok.headers))
    m = gw.metrics()
    check(metric(m, 'hixie76_gateway_handshakes_total', draft='76', result='refused') == 1,
          'refused counted: %r' % {k: v for k, v in m.items() if 'handshakes' in k and v})
    # With an allow-list, a request without Origin is refused (400) too.
    none = Raw(gw.port, 76, origin=None, connect=False)
    none.sock.sendall(none.request())
    check(none.read_head(10).startswith('HTTP/1.1 4'), 'no origin: %r' % none.status)


@test('handshake')
def request_without_origin_is_answered_like_the_chat_server():
    up, gw = room()
    c = Raw(gw.port, 76, origin=None, host='box.example:81')
    check(c.headers.get('sec-websocket-origin') == 'http://box.example:81', repr(c.headers))
    hs = up.wait_record('handshake')[0]
    check(header(hs, 'X-Forwarded-For') == '127.0.0.1', repr(hs))
    c.send('no origin')
    c.expect('no origin')


@test('handshake')
def subprotocol_must_be_selected_exactly():
    for mode, why in (('none', 'upstream selected none'), ('other', 'upstream selected other')):
        up, gw = room('--subprotocol', mode)
        c = Raw(gw.port, 76, fields=['Sec-WebSocket-Protocol: chat'], connect=False)
        c.sock.sendall(c.request())
        status = c.read_head(10)
        check(not status.startswith('HTTP/1.1 101'), '%s: refused, got %r' % (why, status))
        check(closed_after_response(c), 'closed')
        up.wait_record('end', timeout=10)  # the upstream connection is closed too
    # Without a requested subprotocol any answer without one is fine; none is echoed.
    up, gw = room('--subprotocol', 'none')
    c = Raw(gw.port, 76)
    check('sec-websocket-protocol' not in c.headers, repr(c.headers))


@test('handshake')
def hixie76_cat_both_drafts_through_the_gateway():
    up, gw = room()
    for draft in ('76', '75'):
        p = cat(gw.url + '/cat', '--draft', draft, '--expect', '3', '--wait', '5000',
                name='cat-%s' % draft)
        texts = ['one', 'ünïcödé ✓', 'x' * 3000]
        for t in texts:
            p.send(t)
        p.close_stdin()
        check(p.wait(20) == 0, 'draft-%s exit 0 (stderr %r)' % (draft, p.err))
        p.join_output()
        check(p.out == texts, 'draft-%s echoes %r' % (draft, [x[:20] for x in p.out]))
    # The records come through a pipe and a reader thread: wait for them, even though the
    # clients already have their echoes.
    got = [r['data'] for r in up.wait_record('text', count=6)]
    check(got == texts[:2] + ['x' * 200] + texts[:2] + ['x' * 200], 'upstream saw %r' % got)
    check(all(r['target'] == '/cat' for r in up.wait_record('handshake', count=2)),
          'resource /cat')


@test('handshake')
def netty_client_through_the_gateway():
    up, gw = room()
    watcher = Raw(gw.port, 76)
    n = netty_client(gw.url + '/netty', '--wait', '3000', '--expect', '2', '--timeout', '40',
                     '--protocol', 'chat')
    n.send('hello from netty ✓')
    watcher.expect('hello from netty ✓', timeout=30)
    watcher.send('to netty')
    n.close_stdin()
    check(n.wait(30) == 0, 'netty exit 0 (stderr %r)' % n.err[-5:])
    n.join_output()
    check(n.out == ['hello from netty ✓', 'to netty'], repr(n.out))
    hs = up.wait_record('handshake', pred=lambda h: h['target'] == '/netty')
    check(len(hs) == 1 and header(hs[0], 'Sec-WebSocket-Protocol') == 'chat', repr(hs))
    closes = up.wait_record('close', timeout=10)
    check(any(r['code'] == 1000 for r in closes), 'netty FF 00 -> close 1000: %r' % closes)


# --- refusals: 403 / 404 / 502 / 504 -----------------------------------------------------------

def refused_status(port, draft=76):
    c = Raw(port, draft, connect=False)
    c.sock.sendall(c.request())
    status = c.read_head(15)
    check(closed_after_response(c), 'closed after %r' % status)
    return status


@test('refuse')
def upstream_refusal_status_is_passed_on():
    for node in (False, True):
        for code in (403, 404):
            up, gw = room('--refuse', str(code), node=node)
            for draft in (76, 75):
                status = refused_status(gw.port, draft)
                check(status.startswith('HTTP/1.1 %d' % code), '%s: %r' % (
                    'node' if node else 'beast', status))
            check(len(up.wait_record('refused', count=2)) == 2, 'the upstream refused twice')
            m = gw.metrics()
            check(metric(m, 'hixie76_gateway_handshakes_total', draft='76',
                         result='upstream_refused') == 1, repr(m))
            check(metric(m, 'hixie76_gateway_open_connections', side='upstream') == 0, repr(m))


@test('refuse')
def unreachable_upstream_is_502():
    gw = Gateway('ws://127.0.0.1:%d/x' % free_port())
    t0 = time.monotonic()
    check(refused_status(gw.port).startswith('HTTP/1.1 502'), 'status')
    check(time.monotonic() - t0 < 5, 'at once')
    check(metric(gw.metrics(), 'hixie76_gateway_handshakes_total', draft='76',
                 result='upstream_unreachable') == 1, 'counted')
    # A port that answers something that is not HTTP.
    stub = e2e.Stub(lambda data: b'SSH-2.0-nope\r\n\r\n')
    gw2 = Gateway('ws://127.0.0.1:%d/' % stub.port)
    check(refused_status(gw2.port).startswith('HTTP/1.1 502'), 'garbage answer: 502')


@test('refuse')
def stalled_upstream_is_504_after_upstream_timeout():
    up = Upstream('--stall')
    gw = Gateway(up, '--upstream-timeout', '1.5')
    t0 = time.monotonic()
    check(refused_status(gw.port).startswith('HTTP/1.1 504'), 'status')
    took = time.monotonic() - t0
    check(1.2 < took < 5, 'after --upstream-timeout (took %.1f s)' % took)
    up.wait_record('stalled')
    m = gw.metrics()
    check(metric(m, 'hixie76_gateway_handshakes_total', draft='76',
                 result='upstream_timeout') == 1, repr(m))


@test('refuse')
def handshake_timeout_and_max_clients():
    up = Upstream()
    gw = Gateway(up, '--handshake-timeout', '1', '--max-clients', '2')
    # A head without key3, never completed: closed after --handshake-timeout, and the
    # upstream connection opened for it is closed too.
    c = Raw(gw.port, 76, connect=False)
    c.sock.sendall(c.request(key3=False))
    t0 = time.monotonic()
    check(c.read_head(10).startswith('HTTP/1.1 101'), 'head first')
    check(c.expect_end(('eof', 'close'), timeout=5) in ('eof', 'close'), 'closed')
    check(time.monotonic() - t0 < 4, 'within the timeout')
    up.wait_record('end', timeout=5)
    a = Raw(gw.port, 76)
    b = Raw(gw.port, 75)
    third = Raw(gw.port, 76, connect=False)
    third.sock.sendall(third.request())
    check(third.read_head(10).startswith('HTTP/1.1 503'), 'over --max-clients: %r' % third.status)
    a.send('still here')
    a.expect('still here')
    b.expect('still here')


# --- relay ---------------------------------------------------------------------------------------

@test('relay')
def text_both_ways_in_order_both_upstreams():
    for node in (False, True):
        up, gw = room(node=node)
        a = Raw(gw.port, 76)
        b = Raw(gw.port, 75)
        texts = ['m%03d %s' % (i, 'é€😀'[i % 3] * (i * 7)) for i in range(100)] + ['']
        for t in texts:
            a.send(t)
        a.expect(*texts, timeout=20)
        b.expect(*texts, timeout=20)
        got = up.wait_record('text', count=len(texts))
        check([r['len'] for r in got] == [len(t.encode()) for t in texts],
              'upstream got every message once, in order')
        m = gw.metrics()
        check(metric(m, 'hixie76_gateway_messages_total', direction='to_upstream') == 101, repr(m))
        check(metric(m, 'hixie76_gateway_messages_total', direction='to_client') == 202, repr(m))
        nbytes = sum(len(t.encode()) for t in texts)
        check(metric(m, 'hixie76_gateway_bytes_total', direction='to_upstream') == nbytes, repr(m))


@test('relay')
def binary_drop_is_the_default():
    up, gw = room()
    c = Raw(gw.port, 76)
    c.send('!binary hello')
    c.send('!binhex 00ff')
    c.send('!send after')
    c.expect('after')
    m = gw.metrics()
    check(metric(m, 'hixie76_gateway_drops_total', reason='binary') == 2, repr(m))
    check(len(gw.log_lines(lambda x: 'binary' in x.lower())) == 1,
          'logged once per connection: %r' % gw.err[-5:])
    c.send('still open')
    c.expect('still open')


@test('relay')
def binary_base64():
    for node in (False, True):
        up, gw = room(node=node, gw=('--binary', 'base64'))
        c = Raw(gw.port, 75)
        c.send('!binary hello')
        c.send('!binhex 00ff7f80')
        c.expect(base64.b64encode(b'hello').decode(), base64.b64encode(b'\x00\xff\x7f\x80').decode())


@test('relay')
def binary_close():
    up, gw = room(gw=('--binary', 'close'))
    c = Raw(gw.port, 76)
    other = Raw(gw.port, 76)
    cid = whoami(c)
    c.send('!send before')
    c.expect('before')
    c.send('!binary boom')
    check(c.expect_end(('close',), timeout=5) == 'close', 'FF 00')
    check(c.expect_end(('eof',), timeout=5) == 'eof', 'then TCP close')
    up.wait_record('end', cid, timeout=5)
    other.send('unaffected')
    other.expect('unaffected')


@test('relay')
def upstream_ping_is_answered():
    for node in (False, True):
        up, gw = room(node=node)
        c = Raw(gw.port, 76)
        cid = whoami(c)
        c.send('!ping are you there')
        pong = up.wait_record('pong', cid, timeout=5)
        check(pong[0]['data'] == 'are you there', repr(pong))
        c.quiet(0.2)  # nothing reaches the legacy client


@test('relay')
def invalid_utf8_from_a_client():
    up, gw = room('--rooms-by-path')
    c = Raw(gw.port, 76)
    other = Raw(gw.port, 76, resource='/other')
    c.sock.sendall(b'\x00ok \xc3\x28 \xed\xa0\x80 \xff')
    # The gateway's documented policy: every invalid sequence becomes U+FFFD (the library's
    # default), so the upstream only ever gets valid UTF-8.
    kind, text = c.next_event(5)
    check(kind == 'text', 'relayed, not refused: %s' % kind)
    got = up.wait_record('text')[0]['data']
    check(got == text and got.startswith('ok \ufffd( ') and '\ufffd' in got[5:], 'replaced: %r' %
          got)
    other.send('fine')
    other.expect('fine')


@test('relay')
def oversized_message_closes_that_connection_only():
    up, gw = room(gw=('--max-message', '1000'))
    big = Raw(gw.port, 76)
    bid = whoami(big)
    other = Raw(gw.port, 75)
    big.send('y' * 1000)
    big.expect('y' * 1000)
    other.expect('y' * 1000)
    big.send('z' * 1001)
    check(big.expect_end(('close', 'eof'), timeout=5) in ('close', 'eof'), 'closed')
    up.wait_record('end', bid, timeout=5)
    m = gw.metrics()
    check(metric(m, 'hixie76_gateway_drops_total', reason='message_too_large') == 1, repr(m))
    other.send('unaffected')
    other.expect('unaffected')
    # An upstream message above --max-message closes that connection too.
    oid = whoami(other)
    other.send('!send ' + 'w' * 1200)
    check(other.expect_end(('close', 'eof'), timeout=5) in ('close', 'eof'), 'closed')
    up.wait_record('end', oid, timeout=5)


# --- every closing path --------------------------------------------------------------------------

@test('close')
def client_ff00_closes_upstream_with_1000():
    for node in (False, True):
        up, gw = room(node=node)
        c = Raw(gw.port, 76)
        cid = whoami(c)
        c.send_close()
        check(c.expect_end(('close',), timeout=5) == 'close', 'FF 00 back')
        check(c.expect_end(('eof',), timeout=5) == 'eof', 'then TCP close')
        r = up.wait_record('close', cid, timeout=5)[0]
        check(r['code'] == 1000, 'close 1000 upstream: %r' % r)


@test('close')
def client_vanishing_closes_upstream_with_1001():
    up, gw = room()
    for how in ('fin', 'rst', 'mid-frame'):
        c = Raw(gw.port, 76)
        cid = whoami(c)
        if how == 'rst':
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        if how == 'mid-frame':
            c.sock.sendall(b'\x00half')
        c.sock.close()
        r = up.wait_record('close', cid, timeout=5)[0]
        check(r['code'] == 1001, '%s: close 1001 upstream: %r' % (how, r))
    d = Raw(gw.port, 75)
    did = whoami(d)
    d.sock.close()
    check(up.wait_record('close', did, timeout=5)[0]['code'] == 1001, 'draft-75 vanishes')


@test('close')
def upstream_close_or_vanish_reaches_the_client():
    for node in (False, True):
        up, gw = room(node=node)
        for cmd in ('!close 1000', '!close 4001 bye', '!close 1011 oops', '!vanish'):
            c = Raw(gw.port, 76)
            c.send(cmd)
            check(c.expect_end(('close',), timeout=5) == 'close', '%s: FF 00' % cmd)
            check(c.expect_end(('eof',), timeout=5) == 'eof', '%s: then TCP close' % cmd)
            c.sock.close()
            d = Raw(gw.port, 75)
            d.send(cmd)
            check(d.expect_end(('eof',), timeout=5) == 'eof', '%s: draft-75 TCP close' % cmd)
            d.sock.close()
        deadline = time.monotonic() + 5
        while True:
            m = gw.metrics()
            opened = [metric(m, 'hixie76_gateway_open_connections', side=s_)
                      for s_ in ('client', 'upstream')]
            if opened == [0, 0] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        check(opened == [0, 0], 'nothing left open: %r' % opened)


@test('close')
def upstream_process_dies():
    up, gw = room()
    cs = [Raw(gw.port, 76) for _ in range(3)]
    up.p.kill()
    for c in cs:
        check(c.expect_end(('close',), timeout=5) == 'close', 'FF 00')
        check(c.expect_end(('eof',), timeout=5) == 'eof', 'TCP close')
    check(refused_status(gw.port).startswith('HTTP/1.1 502'), 'later clients: 502')


@test('close')
def sigterm_closes_both_sides():
    up, gw = room()
    a = Raw(gw.port, 76)
    aid = whoami(a)
    b = Raw(gw.port, 75)
    bid = whoami(b)
    t0 = time.monotonic()
    gw.p.send_signal(signal.SIGTERM)
    check(a.expect_end(('close',), timeout=5) == 'close', 'draft-76: FF 00')
    a.send_close()
    check(b.expect_end(('eof',), timeout=5) == 'eof', 'draft-75: TCP close')
    for i in (aid, bid):
        check(up.wait_record('close', i, timeout=5)[0]['code'] == 1001, 'upstream 1001')
    check(gw.wait(10) == 0, 'exit 0')
    check(time.monotonic() - t0 < 5, 'prompt')


@test('close')
def sigterm_is_bounded_when_no_peer_answers():
    # The upstream stops reading (so it never answers the close frame) and the client never
    # answers FF 00 nor closes: the shutdown still ends within the closing handshakes' bound.
    up, gw = room()
    c = Raw(gw.port, 76)
    cid = whoami(c)
    c.send('!pause')
    up.wait_record('paused', cid)
    t0 = time.monotonic()
    gw.p.send_signal(signal.SIGTERM)
    check(c.expect_end(('close',), timeout=5) == 'close', 'draft-76: FF 00')
    check(gw.wait(10) == 0, 'exit 0')
    elapsed = time.monotonic() - t0
    check(elapsed < 4.5, 'exit within the 2 s closing bound (+0.5 s): %.1f s' % elapsed)


# --- backpressure ----------------------------------------------------------------------------------

@test('backpressure')
def client_that_never_reads_is_closed_others_lose_nothing():
    up, gw = room(gw=('--max-queue', '65536'))
    stuck = Raw(gw.port, 76, rcvbuf=4096)
    sid = whoami(stuck)
    readers = [Raw(gw.port, 76), Raw(gw.port, 75)]
    sender = readers[0]  # it reads its own messages too
    got = {r.name: [] for r in readers}
    errors = []

    def read_all(r, n):
        try:
            deadline = time.monotonic() + 40
            while len(got[r.name]) < n:
                got[r.name] += r.messages(1, timeout=remaining(deadline))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    count, size = 300, 1000
    threads = [threading.Thread(target=read_all, args=(r, count), daemon=True) for r in readers]
    for t in threads:
        t.start()
    # 12 MB for the non-reader alone (more than the kernel's socket buffers absorb), while
    # the others chat.
    stuck.send('!flood 3000 4000')
    for i in range(count):
        # Paced so the readers (Python threads) stay within 16 KB of the sender: the gateway
        # must drop only the client that does not read at all.
        deadline = time.monotonic() + 20
        while (min(len(v) for v in got.values()) < i - 16 and not errors and
               remaining(deadline) > 0):
            time.sleep(0.002)
        sender.send('%04d' % i + 'b' * (size - 4))
    for t in threads:
        t.join(45)
    check(not errors, 'readers: %r' % errors)
    want = ['%04d' % i + 'b' * (size - 4) for i in range(count)]
    for r in readers:
        check(got[r.name] == want, '%s lost or reordered messages' % r.name)
    up.wait_record('end', sid, timeout=10)
    closes = up.records('close', sid)
    check(not closes or closes[0]['code'] in (1001, 1008, 1011), repr(closes))
    m = gw.metrics()
    check(metric(m, 'hixie76_gateway_drops_total', reason='queue_full') == 1, repr(m))
    # The stuck client's socket ends (after what its buffers held).
    stuck.sock.settimeout(0.5)
    deadline = time.monotonic() + 10
    ended = False
    while time.monotonic() < deadline and not ended:
        try:
            ended = stuck.sock.recv(1 << 20) == b''
        except socket.timeout:
            pass
        except OSError:
            ended = True
    check(ended, 'the non-reader is disconnected')


@test('backpressure')
def upstream_that_never_reads_is_closed():
    up, gw = room(gw=('--max-queue', '65536'))
    c = Raw(gw.port, 76)
    cid = whoami(c)
    other = Raw(gw.port, 76)
    c.send('!pause')
    up.wait_record('paused', cid)
    closed = False
    try:
        for i in range(3000):  # 6 MB into an upstream that does not read
            c.send('p' * 2000)
    except OSError:
        closed = True
    kind = c.expect_end(('close', 'eof'), timeout=15, skip_text=True)
    check(closed or kind in ('close', 'eof'), 'the client is closed')
    m = gw.metrics()
    check(metric(m, 'hixie76_gateway_drops_total', reason='queue_full') == 1, repr(m))
    other.send('unaffected')
    other.expect('unaffected')


# --- TLS -------------------------------------------------------------------------------------------

CERTS = {}


def certificate():
    """A self-signed RSA 2048 certificate for 127.0.0.1 / localhost, made once per run."""
    if not ARGS.openssl:
        raise Skip('openssl not available')
    if not CERTS:
        os.makedirs(ARGS.work, exist_ok=True)
        cert = os.path.join(ARGS.work, 'cert.pem')
        key = os.path.join(ARGS.work, 'key.pem')
        r = subprocess.run([ARGS.openssl, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                            '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
                            '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        check(r.returncode == 0, 'openssl req: %r' % r.stdout[-300:])
        CERTS['cert'], CERTS['key'] = cert, key
    return CERTS['cert'], CERTS['key']


def tls_context(version=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if version is not None:
        ctx.minimum_version = version
        ctx.maximum_version = version
        if version < ssl.TLSVersion.TLSv1_2:
            ctx.set_ciphers('DEFAULT:@SECLEVEL=0')
    return ctx


class TlsRaw(Raw):
    """A draft-75/76 client over TLS (no SNI, like the old TVs)."""

    def __init__(self, port, ctx, draft=76, **kw):
        super().__init__(port, draft, connect=False, **kw)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=None)
        self.version = self.sock.version()
        self.handshake()


def tls_gateway(up, *extra):
    cert, key = certificate()
    return Gateway(up, '--tls-cert', cert, '--tls-key', key, *extra)


def s_client(port, *flags):
    """openssl s_client sending a draft-75 request and one message; returns (exit status or
    None when it stayed connected, its output). Stopped once the message came back."""
    req = ('GET /sc HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n'
           'Host: 127.0.0.1:%d\r\nOrigin: http://127.0.0.1\r\n\r\n' % port).encode()
    p = Proc([ARGS.openssl, 's_client', '-connect', '127.0.0.1:%d' % port, '-noservername',
              '-ign_eof'] + list(flags), 's_client')
    # The second message comes back to s_client alone and ends its output line.
    p.p.stdin.write(req + b'\x00via s_client\xff\x00!send done\n\xff')
    p.p.stdin.flush()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and p.p.poll() is None:
        if any('via s_client' in x for x in list(p.out)):
            break
        time.sleep(0.05)
    rc = p.p.poll()
    p.cleanup()
    p.join_output()
    return rc, '\n'.join(p.out + p.err)


def tls10_client_context_works():
    """Whether this Python/OpenSSL can still speak TLS 1.0 at all (a local self-check)."""
    try:
        tls_context(ssl.TLSVersion.TLSv1)
        return True
    except (ssl.SSLError, ValueError):
        return False


@test('tls')
def tls12_works_and_location_is_wss():
    up = Upstream()
    gw = tls_gateway(up)
    c = TlsRaw(gw.port, tls_context(), resource='/secure')
    check(c.version in ('TLSv1.2', 'TLSv1.3'), c.version)
    check(c.headers['sec-websocket-location'] == 'wss://127.0.0.1:%d/secure' % gw.port,
          repr(c.headers))
    hs = up.wait_record('handshake')[0]
    check(header(hs, 'X-Forwarded-Proto') in ('https', 'wss'), repr(hs))
    c.send('over tls')
    c.expect('over tls')
    d = TlsRaw(gw.port, tls_context(ssl.TLSVersion.TLSv1_2), draft=75)
    check(d.version == 'TLSv1.2', d.version)
    check(d.headers['websocket-location'] == 'wss://127.0.0.1:%d/' % gw.port, repr(d.headers))


@test('tls')
def tls10_refused_by_default():
    if not tls10_client_context_works():
        raise Skip('this OpenSSL cannot make a TLS 1.0 client')
    up = Upstream()
    gw = tls_gateway(up)
    try:
        TlsRaw(gw.port, tls_context(ssl.TLSVersion.TLSv1))
        check(False, 'a TLS 1.0 client got in without --tls-min')
    except (ssl.SSLError, ConnectionError, OSError) as e:
        check(not isinstance(e, socket.timeout), 'refused at once: %r' % e)
    rc, out = s_client(gw.port, '-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0')
    check(rc not in (None, 0) and '101 Web Socket' not in out,
          's_client -tls1 refused: %r %s' % (rc, out[-400:]))
    check(not up.handshakes(), 'nothing reached the upstream')
    c = TlsRaw(gw.port, tls_context(ssl.TLSVersion.TLSv1_2))
    c.send('1.2 still fine')
    c.expect('1.2 still fine')


@test('tls')
def tls10_accepted_with_tls_min_1_0():
    if not tls10_client_context_works():
        raise Skip('this OpenSSL cannot make a TLS 1.0 client')
    up = Upstream()
    gw = tls_gateway(up, '--tls-min', '1.0')
    c = TlsRaw(gw.port, tls_context(ssl.TLSVersion.TLSv1), resource='/old-tv')
    check(c.version == 'TLSv1', c.version)
    check(c.headers['sec-websocket-location'] == 'wss://127.0.0.1:%d/old-tv' % gw.port,
          repr(c.headers))
    c.send('from a 2012 TV')
    c.expect('from a 2012 TV')
    rc, out = s_client(gw.port, '-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0')
    check(rc is None, 's_client stayed connected')
    check(re.search(r'Protocol *: TLSv1$', out, re.M) is not None,
          's_client speaks TLS 1.0: %s' % out[-600:])
    check('HTTP/1.1 101 Web Socket Protocol Handshake' in out, 's_client got the 101')
    check('via s_client' in out, 's_client got its message back: %s' % out[-300:])
    t11 = TlsRaw(gw.port, tls_context(ssl.TLSVersion.TLSv1_1), draft=75)
    check(t11.version == 'TLSv1.1', t11.version)
    t12 = TlsRaw(gw.port, tls_context())
    t12.send('new and old together')
    c.expect('via s_client')
    for x in (c, t11, t12):
        x.expect('new and old together')


@test('tls')
def wrong_protocol_on_each_port_gets_one_log_line():
    up = Upstream()
    plain = Gateway(up)
    tls = tls_gateway(up)
    # A TLS hello on the plain port.
    s = socket.create_connection(('127.0.0.1', plain.port), timeout=10)
    try:
        tls_context().wrap_socket(s, server_hostname=None)
        check(False, 'a TLS handshake succeeded on the plain port')
    except (ssl.SSLError, OSError):
        pass
    s.close()
    def errors(gw):
        return gw.log_lines(lambda x: x.startswith('error '))

    check(plain.log_has(lambda x: x.startswith('error ') and 'tls' in x.lower()),
          'plain port logs the TLS hello: %r' % plain.err[-3:])
    time.sleep(0.3)
    check(len(errors(plain)) == 1, 'one line: %r' % errors(plain))
    # Plain text on the TLS port.
    r = e2e.get(tls.port, '/')
    check(not r.startswith(b'HTTP/1.1 101'), repr(r[:40]))
    check(tls.log_has(lambda x: x.startswith('error ') and 'plain' in x.lower()),
          'TLS port logs plain text: %r' % tls.err[-3:])
    time.sleep(0.3)
    check(len(errors(tls)) == 1, 'one line: %r' % errors(tls))
    check(not up.handshakes(), 'nothing reached the upstream')


@test('tls')
def wss_upstream_through_node():
    cert, key = certificate()
    up = Upstream('--tls-cert', cert, '--tls-key', key, node=True)
    gw = Gateway('wss://127.0.0.1:%d/pre' % up.port, env={'SSL_CERT_FILE': cert})
    c = Raw(gw.port, 76, resource='/x')
    c.send('to a wss upstream')
    c.expect('to a wss upstream')
    # The upstream's record may trail the echo (a pipe and a reader thread): wait for it.
    hs = up.wait_record('handshake')
    check(hs[0]['target'] == '/pre/x', repr(hs))
    # Without trusting that certificate the upstream is unreachable: 502.
    gw2 = Gateway('wss://127.0.0.1:%d/pre' % up.port,
                  env={'SSL_CERT_FILE': os.path.join(ARGS.work, 'nothing.pem')})
    check(refused_status(gw2.port).startswith('HTTP/1.1 502'), 'untrusted upstream: 502')


# --- PROXY protocol ----------------------------------------------------------------------------

def proxy_v2(src, dst, sport, dport):
    sig = b'\r\n\r\n\x00\r\nQUIT\n'
    if ':' in src:
        fam = 0x21
        addrs = socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
    else:
        fam = 0x11
        addrs = socket.inet_aton(src) + socket.inet_aton(dst)
    body = addrs + struct.pack('>HH', sport, dport)
    return sig + bytes([0x21, fam]) + struct.pack('>H', len(body)) + body


class ProxyRaw(Raw):
    def __init__(self, port, preface, draft=76, **kw):
        super().__init__(port, draft, connect=False, **kw)
        self.sock.sendall(preface)
        self.handshake()


@test('proxy')
def proxy_v1_and_v2_source_reaches_xff_and_logs():
    up = Upstream()
    gw = Gateway(up, '--proxy-protocol')
    cases = [
        (b'PROXY TCP4 203.0.113.7 127.0.0.1 51234 80\r\n', '203.0.113.7', 76),
        (b'PROXY TCP6 2001:db8::7 ::1 40000 443\r\n', '2001:db8::7', 75),
        (proxy_v2('198.51.100.9', '127.0.0.1', 61000, 80), '198.51.100.9', 76),
        (proxy_v2('2001:db8::9', '2001:db8::1', 61001, 443), '2001:db8::9', 75),
    ]
    for i, (preface, src, draft) in enumerate(cases):
        c = ProxyRaw(gw.port, preface, draft)
        c.send('via proxy %d' % i)
        c.expect('via proxy %d' % i)
        hs = up.wait_record('handshake', count=i + 1)[i]
        check(header(hs, 'X-Forwarded-For') == src, '%s: XFF %r' % (src, hs['headers']))
        check(gw.log_has(src), 'the log names %s: %r' % (src, gw.err[-3:]))
        c.send_close() if draft == 76 else c.sock.close()
    # /metrics through the PROXY protocol too.
    r = e2e.http(gw.port, b'PROXY TCP4 192.0.2.1 127.0.0.1 1 2\r\nGET /metrics HTTP/1.1\r\n'
                          b'Host: x\r\n\r\n')
    check(r.startswith(b'HTTP/1.1 200'), 'metrics behind PROXY: %r' % r[:40])


@test('proxy')
def missing_or_bad_proxy_header_is_closed():
    up = Upstream()
    gw = Gateway(up, '--proxy-protocol')
    bad = [
        b'',                                               # a plain request, no header
        b'PROXY TCP4 999.0.0.1 127.0.0.1 1 2\r\n',         # bad address
        b'PROXY TCP4 1.2.3.4 127.0.0.1 1\r\n',             # missing port
        b'PROXY UDP9 1.2.3.4 127.0.0.1 1 2\r\n',           # bad family
        b'\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x05abcde',    # v2, short address block
        b'\r\n\r\n\x00\r\nQUIT\n\x31\x11\x00\x0c' + b'\x00' * 12,  # v2, bad version nibble
    ]
    for preface in bad:
        c = Raw(gw.port, 76, connect=False)
        c.sock.sendall(preface + c.request())
        kind = c.expect_end(('eof',), timeout=5)
        check(kind == 'eof' and not c.buf.startswith(b'HTTP/1.1 101'),
              '%r: closed without a 101 (%r)' % (preface[:20], c.buf[:40]))
    time.sleep(0.2)
    check(not up.handshakes(), 'nothing reached the upstream: %r' % up.handshakes())
    ok = ProxyRaw(gw.port, b'PROXY TCP4 203.0.113.8 127.0.0.1 1 2\r\n')
    ok.send('good one')
    ok.expect('good one')
    # A connection reset before its first byte is logged under its own address, though the
    # address can no longer be asked of the socket by the time the gateway reads it.
    for _ in range(3):
        s = socket.create_connection(('127.0.0.1', gw.port), timeout=5)
        name = '127.0.0.1:%d' % s.getsockname()[1]
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        s.close()
        check(gw.log_has('error client=%s: connection closed before a PROXY header' % name),
              'reset connection logged by address: %r' % gw.err[-3:])
    check(not gw.log_lines('client=?'), 'no nameless client: %r' % gw.log_lines('client=?'))


# --- observability, keepalive, upstream ping --------------------------------------------------

@test('observe')
def metrics_count_connections_handshakes_messages_and_drops():
    up, gw = room()
    m0 = gw.metrics()
    check(metric(m0, 'hixie76_gateway_open_connections', side='client') == 0, repr(m0))
    a = Raw(gw.port, 76)
    b = Raw(gw.port, 75)
    a.send('12345')
    a.expect('12345')
    b.expect('12345')
    a.send('!binary x')
    a.send('!send y')
    a.expect('y')
    m = gw.metrics()
    check(metric(m, 'hixie76_gateway_open_connections', side='client') == 2, repr(m))
    check(metric(m, 'hixie76_gateway_open_connections', side='upstream') == 2, repr(m))
    check(metric(m, 'hixie76_gateway_handshakes_total', draft='76', result='ok') == 1, repr(m))
    check(metric(m, 'hixie76_gateway_handshakes_total', draft='75', result='ok') == 1, repr(m))
    check(metric(m, 'hixie76_gateway_messages_total', direction='to_upstream') == 3, repr(m))
    check(metric(m, 'hixie76_gateway_messages_total', direction='to_client') == 3, repr(m))
    check(metric(m, 'hixie76_gateway_bytes_total', direction='to_upstream') ==
          5 + len('!binary x') + len('!send y'), repr(m))
    check(metric(m, 'hixie76_gateway_bytes_total', direction='to_client') == 11, repr(m))
    check(metric(m, 'hixie76_gateway_drops_total', reason='binary') == 1, repr(m))
    a.send_close()
    a.expect_end(('close',))
    a.sock.close()
    b.sock.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        m = gw.metrics()
        if metric(m, 'hixie76_gateway_open_connections', side='upstream') == 0:
            break
        time.sleep(0.1)
    check(metric(m, 'hixie76_gateway_open_connections', side='client') == 0, repr(m))
    check(metric(m, 'hixie76_gateway_open_connections', side='upstream') == 0, repr(m))
    r = e2e.get(gw.port, '/metrics')
    check(b'text/plain' in r.split(b'\r\n\r\n')[0] and b'# TYPE ' in r, 'Prometheus text')
    check(e2e.status_of(e2e.get(gw.port, '/other')).startswith('HTTP/1.1 404'), '404')


@test('observe')
def one_log_line_at_open_and_at_close():
    up, gw = room()
    c = Raw(gw.port, 76, resource='/logged?x=1')
    c.send('abc')
    c.expect('abc')
    c.send_close()
    c.expect_end(('close',))
    c.expect_end(('eof',))
    c.sock.close()
    check(gw.log_has(lambda x: x.startswith('close client=%s ' % c.name), 5), 'close line')
    mine = gw.log_lines(lambda x: 'client=%s ' % c.name in x)
    check(len(mine) == 2, 'two lines for the connection: %r' % mine)
    opened, closed = mine
    fields = dict(kv.split('=', 1) for kv in opened.split()[1:])
    check(opened.startswith('open ') and fields == {
        'client': c.name, 'draft': '76', 'resource': '/logged?x=1', 'upstream': '101'},
        'open: %r' % opened)
    for kv in ('draft=76', 'resource=/logged?x=1', 'upstream=101', 'up_msgs=1', 'up_bytes=3',
               'down_msgs=1', 'down_bytes=3'):
        check(' %s ' % kv in closed, '%s in %r' % (kv, closed))
    check('reason=' in closed, 'a close reason: %r' % closed)


@test('observe')
def client_keepalive_text_and_empty():
    up = Upstream()
    gw = Gateway(up, '--client-keepalive', '1', '--keepalive-text', 'ka')
    c = Raw(gw.port, 76)
    t0 = time.monotonic()
    c.expect('ka', timeout=5)
    check(0.7 < time.monotonic() - t0 < 3, 'after about 1 s idle')
    check(not up.records('text'), 'keepalives are not sent upstream')
    c.expect('ka', timeout=5)
    gw2 = Gateway(up, '--client-keepalive', '0.5')
    d = Raw(gw2.port, 75)
    d.expect('', timeout=5)
    # Traffic delays it: a client that talks every 0.3 s gets no keepalive.
    e = Raw(gw2.port, 76)
    for i in range(5):
        e.send('busy %d' % i)
        e.expect('busy %d' % i)
        time.sleep(0.3)


@test('observe')
def upstream_ping_when_idle():
    for node in (False, True):
        up = Upstream(node=node)
        gw = Gateway(up, '--upstream-ping', '0.5')
        c = Raw(gw.port, 76)
        cid = whoami(c)
        pings = up.wait_record('ping', cid, timeout=5, count=2)
        check(len(pings) >= 2, 'pings while idle')
        c.send('still alive')
        c.expect('still alive')
        c.quiet(0.2)


@test('observe')
def upstream_that_stops_answering_pings_is_closed():
    up = Upstream()
    gw = Gateway(up, '--upstream-ping', '0.5')
    c = Raw(gw.port, 76)
    other = Raw(gw.port, 76)
    cid = whoami(c)
    c.send('!pause')  # the upstream stops reading that connection, so its pings go unanswered
    up.wait_record('paused', cid)
    t0 = time.monotonic()
    kind = c.expect_end(('close', 'eof'), timeout=10)
    took = time.monotonic() - t0
    check(0.5 < took < 4, '%s after %.1f s (ping after 0.5 s idle, 0.5 s to answer)' % (
        kind, took))
    m = gw.metrics()
    check(metric(m, 'hixie76_gateway_drops_total', reason='keepalive_timeout') == 1, repr(m))
    other.send('unaffected')  # answered its pings all along
    other.expect('unaffected')


# --- RFC 6455 clients pass through -------------------------------------------------------------

@test('rfc6455')
def rfc6455_client_is_proxied_unchanged():
    for node in (False, True):
        up, gw = room(node=node)
        legacy = Raw(gw.port, 76)
        w = WsClient(gw.url + '/modern?v=1', '--protocol', 'chat', '--origin', 'https://app')
        check(w.wait_event('open', 10)[0]['protocol'] == 'chat', 'subprotocol')
        hs = up.wait_record('handshake', pred=lambda h: h['target'] == '/modern?v=1')
        check(hs and header(hs[0], 'Origin') == 'https://app', repr(hs))
        check(header(hs[0], 'X-Forwarded-For') == '127.0.0.1', repr(hs))
        w.send('text hello from 6455 ✓')
        w.wait_event('text', pred=lambda r: r['data'] == 'hello from 6455 ✓')
        legacy.expect('hello from 6455 ✓')
        w.send('binhex 00ff10')
        w.wait_event('binary', pred=lambda r: r['hex'] == '00ff10')
        check(up.wait_record('binary')[0]['hex'] == '00ff10', 'binary reached the upstream')
        w.send('text !ping pp')
        w.wait_event('ping', pred=lambda r: r['data'] == 'pp')
        w.send('ping cp')
        w.wait_event('pong', pred=lambda r: r['data'] == 'cp')
        w.send('close 4000 done')
        check(w.wait_event('close')[0]['code'] == 4000, 'close code echoed')
        check(w.wait(10) == 0, 'client exit')
        r = up.wait_record('close', timeout=5)[0]
        check((r['code'], r['reason']) == (4000, 'done'), 'upstream saw 4000 done: %r' % r)
        w2 = WsClient(gw.url + '/m2', name='ws2')
        w2.wait_event('open')
        w2.send('text !close 4002 why not')
        r = w2.wait_event('close')[0]
        check((r['code'], r['reason']) == (4002, 'why not'), 'upstream close code: %r' % r)
        m = gw.metrics()
        check(metric(m, 'hixie76_gateway_handshakes_total', draft='rfc6455', result='ok') == 2,
              repr(m))


# --- load: 50 mixed legacy clients ----------------------------------------------------------

@test('load')
def fifty_mixed_legacy_clients_every_message_in_order():
    up, gw = room()
    kinds = (['netty'] * 3 if ARGS.netty_client else []) + ['cat'] * 22
    kinds += ['raw75'] * 13 + ['raw76'] * (50 - len(kinds) - 13)
    clients = []  # [kind, handle]
    for i, kind in enumerate(kinds):
        if kind == 'cat':
            h = cat(gw.url + '/load', '--draft', '76' if i % 2 else '75', '--wait', '200',
                    name='cat%d' % i)
        elif kind == 'netty':
            h = netty_client(gw.url + '/load', '--wait', '200', '--timeout', '55',
                             name='netty%d' % i)
        else:
            h = Raw(gw.port, 75 if kind == 'raw75' else 76, resource='/load')
        clients.append([kind, h])
    up.wait_record('open', timeout=40, count=50)
    check(len(up.records('open')) == 50, '50 upstream connections')
    per_client = 2
    for round_ in range(per_client):
        for i, (kind, h) in enumerate(clients):
            h.send('r%d from %d %s' % (round_, i, 'é' * (i % 3)))
    total = per_client * len(clients)
    up.wait_record('text', timeout=30, count=total)
    seen = [r['data'] for r in up.records('text')]  # the room's order
    for i in range(len(clients)):
        mine = [m for m in seen if m.startswith('r') and m.split(' ')[2] == str(i)]
        check(mine == ['r%d from %d %s' % (r, i, 'é' * (i % 3)) for r in range(per_client)],
              'order of client %d: %r' % (i, mine))
    for i, (kind, h) in enumerate(clients):
        if kind.startswith('raw'):
            got = h.messages(total, timeout=30)
        else:
            lines = h.wait_out(lambda out: len(out) >= total, 30, 'all messages')
            got = lines[:total]
        check(got == seen, 'client %d (%s) saw a different sequence' % (i, kind))
    for kind, h in clients:
        if not kind.startswith('raw'):
            h.close_stdin()
    for i, (kind, h) in enumerate(clients):
        if not kind.startswith('raw'):
            check(h.wait(30) == 0, 'client %d exit status (stderr %r)' % (i, h.err[-3:]))
    check(gw.stop() == 0, 'exit status')


# --- HAProxy with two gateways ---------------------------------------------------------------

GATEWAY_README = os.path.join(HERE, '..', '..', 'examples', 'gateway', 'README.md')


def readme_haproxy_cfg(port, gw1, gw2, stats):
    """The HAProxy configuration of the gateway README's "Scale-out" section, as written there,
    with only the addresses, the ports, maxconn and the health-check interval replaced, and a
    stats socket added (for the test to read the checks' results)."""
    with open(GATEWAY_README, encoding='utf-8') as f:
        text = f.read()
    m = re.search(r'```\n(global\n.*?)```', text[text.index('## Scale-out'):], re.S)
    check(m is not None, 'the README has the HAProxy configuration')
    cfg = m.group(1)
    for old, new in (('bind :80', 'bind 127.0.0.1:%d' % port),
                     ('10.0.0.11:19890', '127.0.0.1:%d' % gw1),
                     ('10.0.0.12:19890', '127.0.0.1:%d' % gw2),
                     ('maxconn 20000', 'maxconn 256\n    stats socket %s' % stats),
                     ('send-proxy-v2 check\n', 'send-proxy-v2 check inter 200ms\n')):
        check(cfg.count(old) >= 1, 'the README configuration says %r' % old)
        cfg = cfg.replace(old, new)
    return cfg


def haproxy_stats(path):
    """`show stat` over HAProxy's stats socket: a list of dicts, one per proxy and server."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.sendall(b'show stat\n')
    data = e2e.read_until_close(s, timeout=5)
    s.close()
    lines = data.decode().strip().splitlines()
    names = lines[0].lstrip('# ').split(',')
    return [dict(zip(names, line.split(','))) for line in lines[1:]]


@test('haproxy')
def two_gateways_behind_haproxy_share_the_room():
    if not ARGS.haproxy:
        raise Skip('haproxy not available')
    up = Upstream()
    gws = [Gateway(up, '--proxy-protocol', name='gw%d' % i) for i in (1, 2)]
    os.makedirs(ARGS.work, exist_ok=True)
    cfg = os.path.join(ARGS.work, 'haproxy.cfg')
    stats = os.path.join(ARGS.work, 'haproxy.sock')
    hp = None
    for attempt in range(5):  # the port is picked free, then bound by HAProxy: retry a race
        port = free_port()
        with open(cfg, 'w') as f:
            f.write(readme_haproxy_cfg(port, gws[0].port, gws[1].port, stats))
        hp = Proc([ARGS.haproxy, '-f', cfg, '-db'], 'haproxy')
        deadline = time.monotonic() + 10
        up_ = False
        while time.monotonic() < deadline and hp.p.poll() is None:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                up_ = True
                break
            except OSError:
                time.sleep(0.1)
        if up_:
            break
        hp.cleanup()
    check(hp is not None and hp.p.poll() is None, 'haproxy runs: %r' % (hp.err[-5:] if hp else ''))
    clients = [Raw(port, 76 if i % 2 else 75, resource='/lb') for i in range(6)]
    up.wait_record('open', count=6)
    for i, c in enumerate(clients):
        c.send('lb %d' % i)
    want = ['lb %d' % i for i in range(6)]
    seen = [r['data'] for r in up.wait_record('text', count=6)]
    check(sorted(seen) == sorted(want), repr(seen))
    for c in clients:
        check(c.messages(6) == seen, '%s sees the whole room in order' % c.name)
    per_gw = [metric(g.metrics(), 'hixie76_gateway_handshakes_total', draft=d, result='ok')
              for g in gws for d in ('76', '75')]
    # Round robin: both gateways get clients (HAProxy's first pick and the liveness probe
    # above decide which gets more).
    check(per_gw[0] + per_gw[1] >= 2 and per_gw[2] + per_gw[3] >= 2 and sum(per_gw) == 6,
          'round robin: both gateways serve clients (%r)' % per_gw)
    xff = [header(h, 'X-Forwarded-For') for h in up.handshakes()]
    check(xff == ['127.0.0.1'] * 6, 'the real client address, through PROXY v2: %r' % xff)
    for g in gws:
        check(g.log_has('127.0.0.1'), '%s logged its clients' % g.name)
    # The README's health checks (every 200 ms here) pass, and leave nothing in the gateways'
    # logs: HAProxy sends them with a PROXY v2 LOCAL header.
    time.sleep(1.0)
    servers = {r['svname']: r for r in haproxy_stats(stats) if r['pxname'] == 'gateways'}
    for name in ('gw1', 'gw2'):
        check(servers[name]['status'] == 'UP' and servers[name]['check_status'] == 'L4OK',
              '%s checked and up: %r' % (name, servers[name]))
    for g in gws:
        check(not g.log_lines('PROXY'), '%s: %r' % (g.name, g.log_lines('PROXY')))


# === runner =====================================================================================

def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--gateway', required=True)
    ap.add_argument('--upstream-room', required=True)
    ap.add_argument('--cat', required=True)
    ap.add_argument('--work', required=True, help='directory for certificates and configs')
    ap.add_argument('--netty-client', default='')
    ap.add_argument('--node', default='')
    ap.add_argument('--haproxy', default='')
    ap.add_argument('--openssl', default='')
    ap.add_argument('--group', action='append', default=[])
    ap.add_argument('-k', dest='keyword', default='')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    ARGS = ap.parse_args()
    e2e.ARGS = ARGS
    ARGS.work = os.path.abspath(ARGS.work)
    os.makedirs(ARGS.work, exist_ok=True)

    selected = e2e.select_tests(TESTS, ARGS.group, ARGS.keyword)
    if ARGS.list:
        return e2e.list_tests(selected)

    def show(proc):
        return ARGS.verbose or proc.name.startswith(('gw', 'gateway', 'upstream'))

    def on_failure():
        e2e.print_stderr(show)
        for item in CLEANUP.items:
            if ARGS.verbose and isinstance(item, Proc) and item.name.startswith('upstream'):
                print('--- %s stdout (last lines):' % item.name)
                for line in item.out[-15:]:
                    print('    ' + line)

    return e2e.run_tests(selected, on_failure=on_failure, check_sanitizers=True)


if __name__ == '__main__':
    sys.exit(main())
