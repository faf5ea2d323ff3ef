#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/deploy/deploy_test.py — hixie76-chat behind the real proxies, with the configuration
# files of examples/deploy/: nginx (HTTP reverse proxy), HAProxy (mode tcp; mode http, which
# refuses legacy requests), stunnel (TLS 1.2 and a TLS 1.0 port). Netty's draft-76 client,
# hixie76-cat in both drafts and raw draft-75/76 sockets chat through each.
#
#   deploy_test.py --setup nginx|haproxy-tcp|haproxy-http|stunnel --chat PATH --cat PATH
#                  --work DIR [--netty-client CMD] [--nginx PATH] [--haproxy PATH]
#                  [--stunnel PATH] [--openssl PATH] [-k SUBSTRING] [--list] [-v]
#
# Each proxy runs unprivileged in the foreground on 127.0.0.1, its configuration generated
# into --work from the repository's file: only the listed ports, paths and timeouts are
# replaced, and each replacement must match, so the file tested is the file shipped. Only the
# standard library; every wait is bounded and each test runs under a 60 s alarm. Ends with the
# line "N passed, M failed[, K skipped]".
import argparse
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
DEPLOY = os.path.join(SOURCE, 'examples', 'deploy')
sys.path.insert(0, os.path.join(SOURCE, 'tests', 'e2e'))
import e2e_chat as e2e  # noqa: E402  (the raw clients, processes and helpers of the e2e tests)
from e2e_chat import CLEANUP, Proc, Raw, Skip, check, remaining  # noqa: E402

ARGS = None
TESTS = []  # (setup, name, function)


def test(setup):
    def register(fn):
        TESTS.append((setup, fn.__name__, fn))
        return fn
    return register


# --- configuration files ---------------------------------------------------------------------

def render(name, subs, prefix=''):
    """examples/deploy/NAME with each (old, new) of subs replaced; every old must occur."""
    with open(os.path.join(DEPLOY, name), encoding='utf-8') as f:
        text = f.read()
    for old, new in subs:
        check(old in text, '%s no longer contains %r: update the test with the file' % (
            name, old))
        text = text.replace(old, new)
    path = os.path.join(ARGS.work, name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(prefix + text)
    return path


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Proxy(Proc):
    """A proxy in the foreground; ready once its port accepts a connection."""

    def __init__(self, argv, name, port):
        super().__init__(argv, name)
        self.port = port
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                time.sleep(0.1)  # a proxy that lost the port to another process exits now
                if self.p.poll() is None:
                    break
            except OSError:
                pass
            check(self.p.poll() is None, '%s exited (%s): %r' % (name, self.p.returncode,
                                                                 self.err[-10:]))
            check(remaining(deadline) > 0, '%s: port %d never opened' % (name, port))
            time.sleep(0.05)

    def wait_err(self, text, timeout=5):
        deadline = time.monotonic() + timeout
        with self.cv:
            while not any(text in x for x in self.err):
                check(remaining(deadline) > 0, '%s never logged %r: %r' % (
                    self.name, text, self.err[-10:]))
                self.cv.wait(min(remaining(deadline), 0.2))

    def stop(self, timeout=10):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait(5)

    def cleanup(self):
        # SIGTERM first: an nginx master killed outright leaves its worker running.
        if self.p.poll() is None:
            self.stop(timeout=5)
        super().cleanup()


def start_proxy(make):
    """make(port) -> Proxy; retried on another port if the free port was taken meanwhile."""
    for attempt in range(3):
        try:
            return make(free_port())
        except AssertionError as e:
            if attempt == 2 or 'in use' not in str(e).lower():
                raise
    raise AssertionError('unreachable')


def nginx(chat_port, timeout=None, drop=()):
    def make(port):
        subs = [('listen 80;', 'listen 127.0.0.1:%d;' % port),
                ('127.0.0.1:19887', '127.0.0.1:%d' % chat_port)]
        subs += [(line, '# (left out by the test) ' + line) for line in drop]
        if timeout:
            subs += [('proxy_read_timeout 3600s;', 'proxy_read_timeout %ds;' % timeout),
                     ('proxy_send_timeout 3600s;', 'proxy_send_timeout %ds;' % timeout)]
        site = render('nginx-chat.conf', subs)
        run = os.path.join(ARGS.work, 'nginx')
        os.makedirs(run, exist_ok=True)
        main = os.path.join(ARGS.work, 'nginx-main.conf')
        # The test's own main file: the repository's file is the http-level site.
        with open(main, 'w', encoding='utf-8') as f:
            f.write('worker_processes 1;\npid %s/nginx.pid;\nerror_log stderr info;\n'
                    'events { worker_connections 256; }\nhttp {\n    access_log off;\n' % run)
            for kind in ('client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'):
                f.write('    %s_temp_path %s/%s;\n' % (kind, run, kind))
            f.write('    include %s;\n}\n' % site)
        return Proxy([ARGS.nginx, '-e', 'stderr', '-p', run, '-c', main, '-g', 'daemon off;'],
                     'nginx', port)
    return start_proxy(make)


def haproxy(config, backend_port, timeout=None, extra_subs=(), backend='127.0.0.1:19887'):
    def make(port):
        subs = [('bind :80', 'bind 127.0.0.1:%d' % port),
                (backend, '127.0.0.1:%d' % backend_port)] + list(extra_subs)
        # HAProxy raises its descriptor limit to about 2 x maxconn and will not start when
        # the hard limit is lower: on such a machine the test asks for fewer connections.
        if 'maxconn 4096' in open(os.path.join(DEPLOY, config), encoding='utf-8').read() and \
                resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 8300:
            subs.append(('maxconn 4096', 'maxconn 256'))
        if timeout:
            subs += [('timeout client 1h', 'timeout client %ds' % timeout),
                     ('timeout server 1h', 'timeout server %ds' % timeout)]
        path = render(config, subs)
        return Proxy([ARGS.haproxy, '-db', '-f', path], 'haproxy', port)
    return start_proxy(make)


def certificate():
    """A self-signed certificate for 127.0.0.1 in the work directory (made once)."""
    pem = os.path.join(ARGS.work, 'hixie76-chat.pem')
    if not os.path.exists(pem):
        key, crt = pem + '.key', pem + '.crt'
        subprocess.run([ARGS.openssl, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                        '-keyout', key, '-out', crt, '-days', '2', '-subj', '/CN=127.0.0.1',
                        '-addext', 'subjectAltName=IP:127.0.0.1'], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        with open(pem + '.tmp', 'w') as out:
            for part in (crt, key):
                with open(part) as f:
                    out.write(f.read())
        os.replace(pem + '.tmp', pem)
    return pem


def stunnel(chat_port, idle=None, drop=()):
    """Returns (proxy, TLS 1.2 port, TLS 1.0 port)."""
    pem = certificate()
    holder = {}

    def make(port):
        port10 = free_port()
        holder['port10'] = port10
        subs = [('/etc/stunnel/hixie76-chat.pem', pem),
                ('accept = 443', 'accept = 127.0.0.1:%d' % port),
                ('accept = 8443', 'accept = 127.0.0.1:%d' % port10),
                ('127.0.0.1:19887', '127.0.0.1:%d' % chat_port)]
        subs += [(line, '; (left out by the test) ' + line) for line in drop]
        if idle:
            subs.append(('TIMEOUTidle = 3600', 'TIMEOUTidle = %d' % idle))
        # Foreground, no pid file, log to stderr: how the test runs it, not the file's concern.
        path = render('stunnel-chat.conf', subs, prefix='foreground = yes\npid =\n')
        proxy = Proxy([ARGS.stunnel, path], 'stunnel', port)
        return proxy
    proxy = start_proxy(make)
    return proxy, proxy.port, holder['port10']


# --- clients ---------------------------------------------------------------------------------

def tls_context(version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(certificate())
    if version == '1.0':
        # OpenSSL 3 allows TLS 1.0 only at security level 0, on the client side too.
        ctx.set_ciphers('DEFAULT:@SECLEVEL=0')
        with warnings.catch_warnings():  # TLSVersion.TLSv1 is deprecated, and meant here
            warnings.simplefilter('ignore', DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class TlsRaw(Raw):
    """A raw draft-75/76 client over TLS (the certificate of certificate() is trusted)."""

    def __init__(self, port, draft=76, version='1.2', **kw):
        super().__init__(port, draft, connect=False, **kw)
        self.sock = tls_context(version).wrap_socket(self.sock, server_hostname='127.0.0.1')
        self.tls_version = self.sock.version()
        self.handshake()


def first_welcome(raw):
    """A raw client's own Welcome (the first message after its handshake); returns NAME."""
    kind, text = raw.next_event(10)
    check(kind == 'text' and text.startswith('Welcome, '), '%s: first message %s %r' % (
        raw.name, kind, text))
    return text[len('Welcome, '):-2]


def check_location(raw, scheme, port):
    field = 'sec-websocket-location' if raw.draft == 76 else 'websocket-location'
    want = '%s://127.0.0.1:%d/' % (scheme, port)
    check(raw.headers.get(field) == want, '%s (draft-%d): Location %r, want %r' % (
        raw.name, raw.draft, raw.headers.get(field), want))


def chat_line(text):
    return text and not text.startswith('Welcome, ') and not text.endswith(' Logout')


class Member:
    """One client in the room: a raw socket or a client process, and its name in the room."""

    def __init__(self, kind, handle, name):
        self.kind, self.handle, self.name = kind, handle, name
        self.consumed = 0  # chat lines of a process already returned

    def send(self, text):
        self.handle.send(text)

    def chat_lines(self, count, timeout=20):
        """The next `count` chat lines (Welcome and Logout lines, keepalive frames skipped)."""
        if isinstance(self.handle, Raw):
            out = []
            deadline = time.monotonic() + timeout
            while len(out) < count:
                kind, text = self.handle.next_event(remaining(deadline))
                check(kind == 'text', '%s: wanted %d lines, got %d then %s' % (
                    self.name, count, len(out), kind))
                if chat_line(text):
                    out.append(text)
            return out

        def lines(out):
            return [x for x in out if chat_line(x)]
        start = self.consumed
        got = self.handle.wait_out(lambda out: len(lines(out)) >= start + count, timeout,
                                   'chat lines')
        self.consumed += count
        return lines(got)[start:start + count]


def join_room(port, scheme='ws', tls=None, processes=True):
    """Joins raw draft-76 and draft-75 clients (over TLS when tls is a version), then Netty's
    client and hixie76-cat in both drafts (plain only), one after the other; checks each raw
    client's answer. Returns the members."""
    members = []
    for draft in (76, 75):
        raw = TlsRaw(port, draft, tls) if tls else Raw(port, draft)
        want = ('HTTP/1.1 101 WebSocket Protocol Handshake' if draft == 76 else
                'HTTP/1.1 101 Web Socket Protocol Handshake')
        check(raw.status == want, '%s: status %r' % (raw.name, raw.status))
        check_location(raw, scheme, port)
        if tls:
            check(raw.tls_version == {'1.2': 'TLSv1.2', '1.0': 'TLSv1'}[tls],
                  'TLS version %s' % raw.tls_version)
        members.append(Member('raw%d%s' % (draft, '+tls' + tls if tls else ''), raw,
                              first_welcome(raw)))
    if processes:
        url = '%s://127.0.0.1:%d/' % (scheme, port)
        if ARGS.netty_client:
            n = e2e.netty_client(url, '--wait', '300', '--timeout', '50')
            members.append(Member('netty76', n, e2e.welcomed(n, 30)))
        for draft in ('76', '75'):
            c = e2e.cat(url, '--draft', draft, '--wait', '300', name='cat%s' % draft)
            members.append(Member('cat' + draft, c, e2e.welcomed(c)))
    return members


def chat_round(members, tag=''):
    """Each member sends one line; every member must get every line, all in the same order."""
    sent = []
    for i, m in enumerate(members):
        text = 'from %s %d%s ✓' % (m.kind, i, tag)
        m.send(text)
        sent.append('%s:%s' % (m.name, text))
    sequences = [m.chat_lines(len(sent)) for m in members]
    for m, seq in zip(members, sequences):
        check(sorted(seq) == sorted(sent), '%s (%s) got %r, want %r' % (m.name, m.kind, seq,
                                                                          sent))
        check(seq == sequences[0], '%s saw another order than %s' % (m.kind, members[0].kind))
    return len(sent)


def leave(members):
    for m in members:
        if not isinstance(m.handle, Raw):
            m.handle.close_stdin()
    for m in members:
        if not isinstance(m.handle, Raw):
            check(m.handle.wait(20) == 0, '%s exit status (stderr %r)' % (m.kind,
                                                                        m.handle.err[-3:]))


def chat_server(*extra):
    return e2e.ChatServer(*extra)


def idle_check(port, keepalive, proxy_timeout, tls=None):
    """A draft-76 and a draft-75 client join and stay silent. Without keepalive the proxy
    cuts both: the first once its idle timeout has passed since the last byte, the other up to
    that long later (the first one's Logout line is traffic for it); returns when the first
    was cut. With keepalive both are open after 2.5 times the timeout and still chat."""
    clients = []
    for draft in (76, 75):
        raw = TlsRaw(port, draft, tls) if tls else Raw(port, draft)
        clients.append((raw, first_welcome(raw)))
    t0 = time.monotonic()
    if not keepalive:
        cut = {}  # draft -> seconds idle when the proxy closed it
        deadline = t0 + 2 * proxy_timeout + 6
        while len(cut) < 2:
            check(remaining(deadline) > 0, 'still open after %.1f s: %r' % (
                time.monotonic() - t0, cut))
            for raw, name in clients:
                if raw.draft not in cut:
                    kind, text = raw.next_event(0.05)
                    check(kind in ('text', 'timeout', 'eof'), '%s: %s' % (name, kind))
                    if kind == 'eof':
                        cut[raw.draft] = time.monotonic() - t0
        took = min(cut.values())
        check(took >= proxy_timeout - 0.5, 'cut after %.1f s, before the %d s timeout' % (
            took, proxy_timeout))
        print('     cut after %.1f s (draft-76) and %.1f s (draft-75) idle' % (cut[76], cut[75]))
        return took
    keepalives = 0
    deadline = t0 + 2.5 * proxy_timeout
    while remaining(deadline) > 0:
        for raw, name in clients:
            kind, text = raw.next_event(min(0.2, remaining(deadline)))
            check(kind in ('text', 'timeout'), '%s: %s after %.1f s idle' % (
                name, kind, time.monotonic() - t0))
            if kind == 'text':
                check(text == '' or text.startswith('Welcome, '), 'unexpected %r' % text)
                keepalives += text == ''
    check(keepalives >= 2, 'keepalive frames seen: %d' % keepalives)
    members = [Member('raw%d' % r.draft, r, n) for r, n in clients]
    chat_round(members, ' after idling')
    return keepalives


# === nginx ====================================================================================

@test('nginx')
def nginx_every_client_both_drafts():
    chat = chat_server()
    proxy = nginx(chat.port)
    members = join_room(proxy.port)
    chat_round(members)
    chat_round(members, ' again')
    leave(members)
    check(chat.stop() == 0, 'chat exit status')
    proxy.stop()


@test('nginx')
def nginx_rewrites_the_draft75_answer():
    # nginx puts Server and Date first and writes `Connection: upgrade`: a draft-75 client
    # that compares the answer's first 85 bytes (hixie76-cat --exact-upgrade) refuses it,
    # while the default (case-insensitive, any order, as most clients did) passes.
    chat = chat_server()
    proxy = nginx(chat.port)
    raw = Raw(proxy.port, 75, connect=False)
    raw.sock.sendall(raw.request())
    raw.read_head()
    check(raw.status == 'HTTP/1.1 101 Web Socket Protocol Handshake', raw.status)
    check(raw.headers.get('connection') == 'upgrade', 'nginx writes %r' %
          raw.headers.get('connection'))
    p = e2e.cat('ws://127.0.0.1:%d/' % proxy.port, '--draft', '75', '--exact-upgrade')
    p.close_stdin()
    check(p.wait(10) == 1, 'exact draft-75 client refuses nginx\'s answer')
    p.join_output()
    check(len(p.err) == 1 and 'bad_upgrade' in p.err[0], repr(p.err))
    p = e2e.cat('ws://127.0.0.1:%d/' % proxy.port, '--draft', '76', '--exact-upgrade')
    name = e2e.welcomed(p)
    p.close_stdin()
    check(p.wait(10) == 0 and name, 'draft-76 --exact-upgrade passes nginx')
    check(chat.stop() == 0, 'chat exit status')


@test('nginx')
def nginx_holds_key3_until_the_head_comes_back():
    # A server that waits for key3 before answering (as the draft's order of steps suggests)
    # never gets it through nginx: nginx forwards only the request head, answers 504 after
    # proxy_read_timeout, then parses key3 as a second request (400).
    backend = socket.socket()
    backend.bind(('127.0.0.1', 0))
    backend.listen(1)
    backend.settimeout(10)
    proxy = nginx(backend.getsockname()[1], timeout=2)
    raw = Raw(proxy.port, 76, connect=False)
    raw.sock.sendall(raw.request())
    conn, _ = backend.accept()
    got = b''
    conn.settimeout(0.2)
    deadline = time.monotonic() + 3
    while remaining(deadline) > 0:
        try:
            chunk = conn.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            break
        got += chunk
    head, _, after = got.partition(b'\r\n\r\n')
    check(b'Sec-WebSocket-Key1' in head and after == b'', 'upstream got %d bytes after the '
          'head' % len(after))
    answer = read_all(raw)
    check(answer.startswith(b'HTTP/1.1 504 Gateway Time-out\r\n'), repr(answer[:60]))
    check(b'HTTP/1.1 400 Bad Request\r\n' in answer, 'key3 parsed as a request: %r' %
          answer[-200:])
    conn.close()
    backend.close()
    proxy.stop()


def read_all(raw, timeout=10):
    data = raw.buf
    deadline = time.monotonic() + timeout
    while raw.read_more(deadline):
        data = raw.buf
    return raw.buf if raw.buf else data


@test('nginx')
def nginx_without_each_legacy_line():
    # What each line of nginx-chat.conf is for: the answer a draft-76 client gets without it.
    chat = chat_server()
    want = {'proxy_http_version 1.1;': ('HTTP/1.1 505 ', None, 'bad_status'),
            'proxy_set_header Upgrade $http_upgrade;': ('HTTP/1.1 400 ', None, 'bad_status'),
            'proxy_set_header Connection $hixie76_connection;': ('HTTP/1.1 400 ', None,
                                                                 'bad_status'),
            'proxy_set_header Host $http_host;': ('HTTP/1.1 101 ', 'ws://hixie76_chat/',
                                                  'location_mismatch')}
    for line, (status, location, error) in want.items():
        proxy = nginx(chat.port, drop=(line,))
        raw = Raw(proxy.port, 76, connect=False)
        raw.sock.sendall(raw.request())
        raw.read_head()
        deadline = time.monotonic() + 5
        while len(raw.buf) < int(raw.headers.get('content-length', '0')) and \
                raw.read_more(deadline):
            pass
        body = raw.buf[:int(raw.headers.get('content-length', '0'))]
        got = raw.headers.get('sec-websocket-location')
        print('     without %s: %s %s' % (line, raw.status, got or body))
        check(raw.status.startswith(status) and got == location, 'without %r: %s %r' % (
            line, raw.status, got))
        p = e2e.cat('ws://127.0.0.1:%d/' % proxy.port)
        p.close_stdin()
        check(p.wait(10) == 1, 'without %r hixie76-cat must fail' % line)
        p.join_output()
        check(len(p.err) == 1 and error in p.err[0], 'without %r: %r' % (line, p.err))
        proxy.stop()
        CLEANUP.items.remove(proxy)
    check(chat.stop() == 0, 'chat exit status')


@test('nginx')
def nginx_forwarded_fields_with_trust_forwarded():
    # With --trust-forwarded the server takes the Location from X-Forwarded-Proto/-Host,
    # which the file sets: right even when nginx sends its upstream name as Host.
    chat = chat_server('--trust-forwarded')
    proxy = nginx(chat.port, drop=('proxy_set_header Host $http_host;',))
    members = join_room(proxy.port, processes=False)
    chat_round(members)
    # A client's own X-Forwarded-Host does not win: nginx replaces it with the client's Host.
    raw = Raw(proxy.port, 76, fields=['X-Forwarded-Host: evil.example'])
    check_location(raw, 'ws', proxy.port)
    check(chat.stop() == 0, 'chat exit status')


@test('nginx')
def nginx_idle_timeout_cuts_silent_clients():
    chat = chat_server()
    proxy = nginx(chat.port, timeout=2)
    took = idle_check(proxy.port, keepalive=False, proxy_timeout=2)
    check(took < 4, 'cut after %.1f s' % took)
    proxy.wait_err('upstream timed out (110: Connection timed out) while proxying upgraded')
    check(chat.stop() == 0, 'chat exit status')


@test('nginx')
def nginx_keepalive_keeps_silent_clients():
    chat = chat_server('--client-keepalive', '1')
    proxy = nginx(chat.port, timeout=2)
    idle_check(proxy.port, keepalive=True, proxy_timeout=2)
    check(chat.stop() == 0, 'chat exit status')


# === HAProxy, mode tcp =========================================================================

@test('haproxy-tcp')
def haproxy_tcp_every_client_both_drafts():
    chat = chat_server()
    proxy = haproxy('haproxy-tcp.cfg', chat.port)
    members = join_room(proxy.port)
    chat_round(members)
    # mode tcp passes the server's answer untouched: the exact draft-75 client is fine too.
    p = e2e.cat('ws://127.0.0.1:%d/' % proxy.port, '--draft', '75', '--exact-upgrade',
                '--wait', '300', name='cat75-exact')
    members.append(Member('cat75-exact', p, e2e.welcomed(p)))
    chat_round(members, ' again')
    leave(members)
    check(chat.stop() == 0, 'chat exit status')
    proxy.stop()


@test('haproxy-tcp')
def haproxy_tcp_idle_timeout_cuts_silent_clients():
    chat = chat_server()
    proxy = haproxy('haproxy-tcp.cfg', chat.port, timeout=2)
    took = idle_check(proxy.port, keepalive=False, proxy_timeout=2)
    check(took < 4, 'cut after %.1f s' % took)
    proxy.wait_err(' cD ')  # tcplog termination state: client-side idle timeout
    check(chat.stop() == 0, 'chat exit status')


@test('haproxy-tcp')
def haproxy_tcp_keepalive_keeps_silent_clients():
    chat = chat_server('--client-keepalive', '1')
    proxy = haproxy('haproxy-tcp.cfg', chat.port, timeout=2)
    idle_check(proxy.port, keepalive=True, proxy_timeout=2)
    check(chat.stop() == 0, 'chat exit status')


# === HAProxy, mode http =======================================================================

HAPROXY_400 = (b'HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\n'
               b'Connection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>400 Bad '
               b'request</h1>\nYour browser sent an invalid request.\n</body></html>\n')


@test('haproxy-http')
def haproxy_http_refuses_legacy_requests():
    chat = chat_server()
    proxy = haproxy('haproxy-http.cfg', chat.port)
    for draft in (76, 75):
        raw = Raw(proxy.port, draft, connect=False)
        raw.sock.sendall(raw.request())
        answer = read_all(raw)
        check(answer == HAPROXY_400, 'draft-%d: HAProxy answered %r' % (draft, answer))
    # The same request with an RFC 6455 key passes HAProxy and reaches the server (which
    # answers 426: it is not a legacy request any more), so the key is what HAProxy wants.
    raw = Raw(proxy.port, 76, connect=False,
              fields=['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='])
    raw.sock.sendall(raw.request(key3=False))
    check(raw.read_head().startswith('HTTP/1.1 426 '), 'with Sec-WebSocket-Key: %r' %
          raw.status)
    check(not chat.log_has('join ', timeout=0.5), 'no legacy client reached the room')
    check(chat.stop() == 0, 'chat exit status')
    proxy.stop()


@test('haproxy-http')
def haproxy_tcp_frontend_shares_the_port_with_http():
    # haproxy-shared-port.cfg: a mode tcp frontend reads the head and sends legacy upgrades to
    # a mode tcp backend, the rest to a mode http backend.
    chat = chat_server()
    proxy = haproxy('haproxy-shared-port.cfg', chat.port)
    members = join_room(proxy.port)
    p = e2e.cat('ws://127.0.0.1:%d/' % proxy.port, '--draft', '75', '--exact-upgrade',
                '--wait', '300', name='cat75-exact')
    members.append(Member('cat75-exact', p, e2e.welcomed(p)))
    chat_round(members)
    # Plain HTTP goes through the mode http backend: HAProxy writes the field names in lower
    # case there, which shows which backend answered.
    page = e2e.http(proxy.port, b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    check(page.startswith(b'HTTP/1.1 200 OK\r\ncontent-type: text/html'), repr(page[:80]))
    raw = Raw(proxy.port, 76, connect=False,
              fields=['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='])
    raw.sock.sendall(raw.request(key3=False))
    check(raw.read_head().startswith('HTTP/1.1 426 ') and 'upgrade' in raw.headers,
          'RFC 6455 request to the http backend: %r' % raw.status)
    leave(members)
    check(chat.stop() == 0, 'chat exit status')
    proxy.stop()


# === HAProxy with send-proxy-v2, in front of hixie76-gateway ==================================

class Server(Proc):
    """A program started with --port 0 that prints `listening on ADDR:PORT`."""

    def __init__(self, argv, name):
        super().__init__(argv, name)
        lines = self.wait_out(lambda out: any(x.startswith('listening on ') for x in out), 15,
                              'listening line')
        addr = [x for x in lines if x.startswith('listening on ')][0].split()[-1]
        self.port = int(addr.rsplit(':', 1)[1])

    def stop(self, timeout=10):
        self.p.send_signal(signal.SIGTERM)
        return self.wait(timeout)


def gateway_behind_haproxy(*extra, timeout=None, drop=()):
    """hixie76-mixed-room as the RFC 6455 backend, hixie76-gateway --proxy-protocol in front
    of it, HAProxy (haproxy-gateway.cfg) in front of that. Returns (room, gateway, proxy)."""
    if not ARGS.gateway or not ARGS.mixed:
        raise Skip('hixie76-gateway or hixie76-mixed-room not built')
    room = Server([ARGS.mixed, '--port', '0'], 'mixed-room')
    gw = Server([ARGS.gateway, '--port', '0', '--proxy-protocol', '--upstream',
                 'ws://127.0.0.1:%d/' % room.port] + list(extra), 'gateway')
    subs = [(line, '') for line in drop]
    proxy = haproxy('haproxy-gateway.cfg', gw.port, timeout=timeout, extra_subs=subs,
                    backend='127.0.0.1:19890')
    return room, gw, proxy


def err_has(proc, text, timeout=5):
    deadline = time.monotonic() + timeout
    with proc.cv:
        while not any(text in x for x in proc.err):
            if remaining(deadline) <= 0:
                return False
            proc.cv.wait(min(remaining(deadline), 0.2))
    return True


@test('haproxy-gateway')
def haproxy_gateway_every_client_both_drafts():
    room, gw, proxy = gateway_behind_haproxy()
    members = join_room(proxy.port)
    chat_round(members)
    chat_round(members, ' again')
    # send-proxy-v2: the gateway names each client by its own address, not HAProxy's.
    for m in members:
        if isinstance(m.handle, Raw):
            check(err_has(gw, 'open client=%s draft=%d ' % (m.handle.name, m.handle.draft)),
                  'gateway log names %s: %r' % (m.handle.name, gw.err[-5:]))
    leave(members)
    check(gw.stop() == 0, 'gateway exit status')
    check(room.stop() == 0, 'room exit status')


@test('haproxy-gateway')
def haproxy_gateway_metrics_through_the_proxy():
    room, gw, proxy = gateway_behind_haproxy()
    members = join_room(proxy.port, processes=False)
    chat_round(members)
    answer = e2e.http(proxy.port, b'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close'
                                  b'\r\n\r\n')
    check(answer.startswith(b'HTTP/1.1 200 '), repr(answer[:80]))
    text = answer.split(b'\r\n\r\n', 1)[1].decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith('#'):
            name, value = line.rsplit(' ', 1)
            values[name] = float(value)
    ok = {k: v for k, v in values.items() if k.startswith('hixie76_gateway_handshakes_total{')
          and 'result="ok"' in k}
    check(sum(v for k, v in ok.items() if 'draft="76"' in k) >= 1 and
          sum(v for k, v in ok.items() if 'draft="75"' in k) >= 1, 'handshakes: %r' % ok)
    msgs = sum(v for k, v in values.items() if k.startswith('hixie76_gateway_messages_total'))
    check(msgs >= 2, 'messages relayed: %r' % msgs)
    check(gw.stop() == 0, 'gateway exit status')
    check(room.stop() == 0, 'room exit status')


@test('haproxy-gateway')
def haproxy_gateway_without_send_proxy_is_refused():
    # Both ends must agree: without send-proxy-v2 the gateway (--proxy-protocol) takes the
    # request line for a broken PROXY header and closes the connection.
    room, gw, proxy = gateway_behind_haproxy(drop=(' send-proxy-v2',))
    raw = Raw(proxy.port, 76, connect=False)
    raw.sock.sendall(raw.request())
    kind = raw.next_event(5)[0]
    check(kind == 'eof' and raw.buf == b'', 'closed without an answer: %s %r' % (kind,
                                                                               raw.buf[:80]))
    check(err_has(gw, 'no PROXY protocol header (--proxy-protocol); closed'), repr(gw.err[-3:]))
    check(gw.stop() == 0, 'gateway exit status')
    check(room.stop() == 0, 'room exit status')


@test('haproxy-gateway')
def haproxy_gateway_keepalive_keeps_silent_clients():
    room, gw, proxy = gateway_behind_haproxy('--client-keepalive', '1', timeout=2)
    idle_check(proxy.port, keepalive=True, proxy_timeout=2)
    check(gw.stop() == 0, 'gateway exit status')
    check(room.stop() == 0, 'room exit status')


# === stunnel ==================================================================================

def public_wss():
    return ('--public-scheme', 'wss')


@test('stunnel')
def stunnel_tls12_every_client_both_drafts():
    chat = chat_server(*public_wss())
    proxy, port, port10 = stunnel(chat.port)
    # hixie76-cat and the Netty peer speak no TLS: raw clients of both drafts over TLS 1.2.
    members = join_room(port, 'wss', tls='1.2', processes=False)
    members += join_room(port, 'wss', tls='1.2', processes=False)
    chat_round(members)
    chat_round(members, ' again')
    check(chat.stop() == 0, 'chat exit status')
    proxy.stop()


@test('stunnel')
def stunnel_tls10_port_for_old_clients():
    chat = chat_server(*public_wss())
    proxy, port, port10 = stunnel(chat.port)
    members = join_room(port10, 'wss', tls='1.0', processes=False)
    members += join_room(port, 'wss', tls='1.2', processes=False)
    chat_round(members)
    # The TLS 1.2 port refuses TLS 1.0.
    try:
        TlsRaw(port, 76, '1.0')
        check(False, 'TLS 1.0 accepted on the TLS 1.2 port')
    except ssl.SSLError as e:
        check('PROTOCOL_VERSION' in str(e).upper(), repr(e))
    check(chat.stop() == 0, 'chat exit status')
    proxy.stop()


@test('stunnel')
def stunnel_tls10_needs_seclevel_0():
    chat = chat_server(*public_wss())
    proxy, port, port10 = stunnel(chat.port, drop=('ciphers = DEFAULT:@SECLEVEL=0',))
    try:
        TlsRaw(port10, 76, '1.0')
        check(False, 'TLS 1.0 handshake succeeded at OpenSSL 3\'s default security level')
    except (ssl.SSLError, ConnectionResetError) as e:
        check('INTERNAL_ERROR' in str(e).upper() or isinstance(e, ConnectionResetError),
              repr(e))
    proxy.wait_err('no suitable signature algorithm')
    check(chat.stop() == 0, 'chat exit status')
    proxy.stop()


@test('stunnel')
def stunnel_without_public_scheme_the_location_is_wrong():
    chat = chat_server()
    proxy, port, port10 = stunnel(chat.port)
    raw = Raw(port, 76, connect=False)
    raw.sock = tls_context('1.2').wrap_socket(raw.sock, server_hostname='127.0.0.1')
    raw.sock.sendall(raw.request())
    raw.read_head()
    check(raw.headers.get('sec-websocket-location') == 'ws://127.0.0.1:%d/' % port,
          'the server cannot see the TLS: %r' % raw.headers.get('sec-websocket-location'))
    check(chat.stop() == 0, 'chat exit status')
    proxy.stop()


@test('stunnel')
def stunnel_idle_timeout_cuts_silent_clients():
    chat = chat_server(*public_wss())
    proxy, port, _ = stunnel(chat.port, idle=2)
    took = idle_check(port, keepalive=False, proxy_timeout=2, tls='1.2')
    check(took < 4, 'cut after %.1f s' % took)
    check(chat.stop() == 0, 'chat exit status')


@test('stunnel')
def stunnel_keepalive_keeps_silent_clients():
    chat = chat_server('--client-keepalive', '1', *public_wss())
    proxy, port, _ = stunnel(chat.port, idle=2)
    idle_check(port, keepalive=True, proxy_timeout=2, tls='1.2')
    check(chat.stop() == 0, 'chat exit status')


# === operations ===============================================================================

def joined76(raw):
    """A raw draft-76 client whose response head is read: the answer and its Welcome."""
    check(raw.status == 'HTTP/1.1 101 WebSocket Protocol Handshake', raw.status)
    deadline = time.monotonic() + 5
    while len(raw.buf) < 16:
        check(raw.read_more(deadline), '%s: no 16-byte answer' % raw.name)
    check(raw.buf[:16] == raw.expected_answer(), '%s: wrong challenge answer' % raw.name)
    raw.buf = raw.buf[16:]
    return Member('raw76', raw, first_welcome(raw))


def at_emfile(program, name):
    # Under a small descriptor limit the server logs the EMFILE, stops accepting for 100 ms at
    # a time, keeps its members, and serves the waiting client once a descriptor is free.
    chat = Proc(['sh', '-c', 'ulimit -n 24 && exec "$0" --port 0', program], name)
    lines = chat.wait_out(lambda out: any(x.startswith('listening on ') for x in out), 10)
    port = int([x for x in lines if x.startswith('listening on ')][0].rsplit(':', 1)[1])
    members = []
    waiting = None
    for _ in range(30):
        raw = Raw(port, 76, connect=False)
        raw.sock.sendall(raw.request())
        try:
            raw.read_head(timeout=1.5)
        except AssertionError:
            waiting = raw  # connected (listen queue), no answer: the server is out of fds
            break
        members.append(joined76(raw))
    check(waiting is not None and len(members) >= 5, 'joined %d, then %s' % (
        len(members), 'waited' if waiting else 'never ran out'))
    deadline = time.monotonic() + 5
    with chat.cv:
        while not any(x == 'error accept: Too many open files (pausing for 100 ms)'
                      for x in chat.err):
            check(remaining(deadline) > 0, 'no EMFILE line: %r' % chat.err[-5:])
            chat.cv.wait(0.2)
    chat_round(members)  # the members are not affected
    members.pop(0).handle.sock.close()
    waiting.read_head(timeout=5)
    members.append(joined76(waiting))  # served once a descriptor is free
    chat_round(members, ' again')
    chat.p.send_signal(signal.SIGTERM)
    check(chat.wait(10) == 0, 'exit status')


@test('ops')
def chat_at_emfile_pauses_accepting():
    at_emfile(ARGS.chat, 'chat-emfile')


@test('ops')
def mixed_room_at_emfile_pauses_accepting():
    if not ARGS.mixed:
        raise Skip('hixie76-mixed-room not built')
    at_emfile(ARGS.mixed, 'mixed-emfile')


@test('ops')
def systemd_unit_exec_start():
    # The unit's ExecStart, with the build's binary and port 0, runs and stops on KillSignal.
    with open(os.path.join(DEPLOY, 'hixie76-chat.service'), encoding='utf-8') as f:
        unit = f.read()
    exec_start = re.search(r'^ExecStart=(.*)$', unit, re.M).group(1).split()
    kill = re.search(r'^KillSignal=(\w+)$', unit, re.M).group(1)
    check(exec_start[0] == '/usr/local/bin/hixie76-chat', exec_start[0])
    i = exec_start.index('--port')
    argv = [ARGS.chat] + exec_start[1:i] + ['--port', '0'] + exec_start[i + 2:]
    chat = Proc(argv, 'chat-unit')
    lines = chat.wait_out(lambda out: any(x.startswith('listening on 127.0.0.1:') for x in out),
                          10)
    port = int([x for x in lines if x.startswith('listening on ')][0].rsplit(':', 1)[1])
    raw = Raw(port, 76)
    first_welcome(raw)
    chat.p.send_signal(getattr(signal, kill))
    check(raw.expect_end(('close',), timeout=5) == 'close', 'FF 00 on %s' % kill)
    check(chat.wait(10) == 0, 'exit status 0 on %s (Restart=on-failure leaves it stopped)' %
          kill)
    analyze = shutil.which('systemd-analyze')
    if analyze:
        unit_copy = os.path.join(ARGS.work, 'hixie76-chat.service')
        with open(unit_copy, 'w', encoding='utf-8') as f:
            f.write(unit.replace('/usr/local/bin/hixie76-chat', os.path.abspath(ARGS.chat)))
        r = subprocess.run([analyze, 'verify', unit_copy], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        check(r.returncode == 0, 'systemd-analyze verify: %r' % r.stdout[-500:])


# === runner ===================================================================================

def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--setup', action='append', default=[])
    ap.add_argument('--chat', required=True)
    ap.add_argument('--cat', required=True)
    ap.add_argument('--work', required=True, help='directory for generated configurations')
    ap.add_argument('--netty-client', default='', help='command line running NettyClient')
    ap.add_argument('--gateway', default='', help='hixie76-gateway (setup haproxy-gateway)')
    ap.add_argument('--mixed', default='', help='hixie76-mixed-room, the gateway\'s backend')
    ap.add_argument('--nginx', default='nginx')
    ap.add_argument('--haproxy', default='haproxy')
    ap.add_argument('--stunnel', default='stunnel4')
    ap.add_argument('--openssl', default='openssl')
    ap.add_argument('-k', dest='keyword', default='')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    ARGS = ap.parse_args()
    ARGS.netty_server = ''
    ARGS.work = os.path.abspath(ARGS.work)
    e2e.ARGS = ARGS
    os.makedirs(ARGS.work, exist_ok=True)

    selected = e2e.select_tests(TESTS, ARGS.setup, ARGS.keyword)
    if ARGS.list:
        return e2e.list_tests(selected)

    return e2e.run_tests(selected, all_skipped_status=77)  # 77: ctest's SKIP_RETURN_CODE


if __name__ == '__main__':
    sys.exit(main())
