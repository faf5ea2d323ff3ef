// SPDX-License-Identifier: MIT
// tests/e2e_browser/mixed_room.test.mjs — end-to-end tests of hixie76-mixed-room: headless
// Chromium (RFC 6455, through playwright-core) in one room with legacy clients (hixie76-cat in
// draft-76 and draft-75, Netty's draft-76 client, raw draft-76 sockets) and node's ws package.
//
//   node mixed_room.test.mjs --server PATH --cat PATH --netty-cp CLASSPATH --out DIR
//                            [--chromium PATH] [-k SUBSTRING]
//
// Loopback only; every server listens on 127.0.0.1 port 0; every wait is bounded and each test
// has a 60 s limit. Ends with the line "N passed, M failed".
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';

// --- arguments -------------------------------------------------------------------------------

const ARGS = { chromium: '/usr/bin/chromium', filter: '' };
{
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i += 2) {
        const key = { '--server': 'server', '--cat': 'cat', '--netty-cp': 'nettyCp', '--out': 'out',
                      '--chromium': 'chromium', '-k': 'filter' }[argv[i]];
        if (key === undefined || argv[i + 1] === undefined) {
            console.error(`usage: mixed_room.test.mjs --server PATH --cat PATH --netty-cp CP --out DIR [--chromium PATH] [-k TEXT]`);
            process.exit(2);
        }
        ARGS[key] = argv[i + 1];
    }
    for (const k of ['server', 'cat', 'nettyCp', 'out']) {
        if (!ARGS[k]) {
            console.error(`mixed_room.test.mjs: --${k.replace('nettyCp', 'netty-cp')} is required`);
            process.exit(2);
        }
    }
    mkdirSync(ARGS.out, { recursive: true });
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                       '--disable-component-update', '--disable-sync', '--no-first-run'];
const TEST_LIMIT_MS = 60000;

// --- small helpers ---------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function check(cond, what) {
    if (!cond) {
        throw new Error(what);
    }
}

/** Polls `pred` every 20 ms until it holds; fails with `what` after `ms`. */
async function waitFor(pred, ms, what) {
    const end = Date.now() + ms;
    for (;;) {
        const v = await pred();
        if (v) {
            return v;
        }
        if (Date.now() >= end) {
            throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`);
        }
        await sleep(20);
    }
}

/** Everything a test starts, stopped at its end whatever happened. */
let CLEANUP = [];
const onCleanup = (fn) => CLEANUP.push(fn);
async function runCleanup() {
    const items = CLEANUP.reverse();
    CLEANUP = [];
    for (const fn of items) {
        try {
            await fn();
        } catch {
            // best effort
        }
    }
}

// --- processes -------------------------------------------------------------------------------

/** A child process: stdin written line by line, stdout lines and stderr collected. */
class Proc {
    constructor(name, argv) {
        this.name = name;
        this.lines = [];
        this.stderr = '';
        this.code = undefined;
        this.signal = undefined;
        let partial = '';
        this.p = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        this.p.stdin.on('error', () => {});
        this.p.stdout.setEncoding('utf8');
        this.p.stdout.on('data', (d) => {
            partial += d;
            const parts = partial.split('\n');
            partial = parts.pop();
            this.lines.push(...parts);
        });
        this.p.stderr.setEncoding('utf8');
        this.p.stderr.on('data', (d) => { this.stderr += d; });
        this.exited = new Promise((resolve) => {
            this.p.on('exit', (code, signal) => {
                this.code = code;
                this.signal = signal;
                resolve();
            });
            this.p.on('error', (e) => {
                this.stderr += `${name}: ${e.message}\n`;
                this.code = this.code ?? -1;
                resolve();
            });
        });
        onCleanup(() => this.kill());
    }
    send(line) { this.p.stdin.write(line + '\n'); }
    end() { this.p.stdin.end(); }
    kill() {
        if (this.code === undefined) {
            this.p.kill('SIGKILL');
        }
    }
    async waitExit(ms) {
        await Promise.race([this.exited, sleep(ms)]);
        check(this.code !== undefined, `${this.name} still running after ${ms} ms\n${this.stderr}`);
        return this.code;
    }
    /** Lines that are chat messages carrying `marker`. */
    chat(marker) { return this.lines.filter((l) => l.includes(marker)); }
}

/** Starts hixie76-mixed-room on 127.0.0.1 port 0; resolves once it listens. */
async function startServer(extra = []) {
    const s = new Proc('hixie76-mixed-room', [ARGS.server, '--port', '0', ...extra]);
    await waitFor(() => s.lines.length > 0 || s.code !== undefined, 10000, 'listening on');
    const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(s.lines[0] ?? '');
    check(m, `unexpected first line: ${JSON.stringify(s.lines[0])}\n${s.stderr}`);
    s.port = Number(m[1]);
    s.url = `ws://127.0.0.1:${s.port}/`;
    s.joins = (kind) => s.stderr.split('\n').filter((l) => l.startsWith('join ') && (!kind || l.includes(`(${kind})`)));
    return s;
}

/** SIGTERM, then the server must exit 0 promptly. */
async function stopServer(s) {
    s.p.kill('SIGTERM');
    const code = await s.waitExit(6000);
    check(code === 0, `server exit status ${code}\n${s.stderr}`);
}

function catClient(s, draft, name, extra = []) {
    return new Proc(name, [ARGS.cat, s.url, '--draft', String(draft), '--wait', '300',
                           '--handshake-timeout', '10', ...extra]);
}

function nettyClient(s, name) {
    const p = new Proc(name, ['java', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k',
                              '-cp', ARGS.nettyCp, 'NettyClient', s.url, '--wait', '300', '--timeout', '55']);
    p.connected = () => p.stderr.includes('CONNECTED');
    return p;
}

/** An RFC 6455 client from node's ws package; `messages` collects every text received. */
function wsClient(url, options = {}) {
    const ws = new WebSocket(url, options);
    ws.messages = [];
    ws.closeCode = undefined;
    ws.httpStatus = undefined;
    ws.on('message', (data, isBinary) => { if (!isBinary) ws.messages.push(data.toString()); });
    ws.on('close', (code) => { ws.closeCode = code; });
    ws.opened = new Promise((resolve, reject) => {
        ws.on('open', resolve);
        ws.on('close', () => reject(new Error('closed before open')));
        ws.on('unexpected-response', (req, res) => {
            ws.httpStatus = res.statusCode;
            res.resume();
            req.destroy();
            reject(new Error(`HTTP ${res.statusCode} instead of 101`));
        });
    });
    ws.opened.catch(() => {});
    ws.on('error', () => {});
    onCleanup(() => ws.terminate());
    return ws;
}

/** A raw TCP connection that collects every byte received. */
async function rawSocket(port) {
    const sock = net.connect(port, '127.0.0.1');
    sock.received = Buffer.alloc(0);
    sock.ended = false;
    sock.on('data', (d) => { sock.received = Buffer.concat([sock.received, d]); });
    sock.on('end', () => { sock.ended = true; });
    sock.on('close', () => { sock.ended = true; });
    sock.on('error', () => { sock.ended = true; });
    onCleanup(() => sock.destroy());
    await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    return sock;
}

/** The draft-76 handshake of the draft's own worked example (§1.3 / §5.2), at `/`. */
const KEY1 = '4 @1  46546xW%0l 1 5';
const KEY2 = '12998 5 Y3 1  .P00';
const KEY3 = '^n:ds[4U';
const ANSWER = "8jKS'y:G*Co,Wxa-";
function draft76Request(port, path = '/') {
    return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\n` +
           `Sec-WebSocket-Key2: ${KEY2}\r\nUpgrade: WebSocket\r\nSec-WebSocket-Key1: ${KEY1}\r\n` +
           `Origin: http://127.0.0.1:${port}\r\n\r\n${KEY3}`;
}

// The worked example's answer, recomputed here so the test's own vector is checked too.
{
    const part = (k) => {
        const digits = Number(k.replace(/[^0-9]/g, ''));
        const spaces = k.split(' ').length - 1;
        const b = Buffer.alloc(4);
        b.writeUInt32BE(digits / spaces);
        return b;
    };
    const md5 = createHash('md5').update(Buffer.concat([part(KEY1), part(KEY2), Buffer.from(KEY3, 'latin1')]));
    if (md5.digest('latin1') !== ANSWER) {
        throw new Error('the draft-76 example vector does not hold');
    }
}

async function httpGet(port, path) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

async function launchChromium() {
    const dir = mkdtempSync(join(tmpdir(), 'hixie76-chromium-'));
    const context = await chromium.launchPersistentContext(dir, {
        executablePath: ARGS.chromium,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: 30000,
    });
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    onCleanup(() => context.close());
    return context;
}

// --- the tests -------------------------------------------------------------------------------

const TESTS = [];
const test = (name, fn) => TESTS.push({ name, fn });

test('the page in Chromium and Netty, hixie76-cat 76 and 75 share one room', async () => {
    const s = await startServer();
    const netty = nettyClient(s, 'netty-76');
    await waitFor(() => netty.connected() || netty.code !== undefined, 30000, 'Netty CONNECTED');
    check(netty.connected(), `Netty did not connect:\n${netty.stderr}`);
    const cat76 = catClient(s, 76, 'cat-76');
    const cat75 = catClient(s, 75, 'cat-75');
    await waitFor(() => s.joins().length === 3, 10000, 'three legacy joins');

    const context = await launchChromium();
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    await page.goto(`http://127.0.0.1:${s.port}/`);
    check((await page.title()) === 'hixie76 mixed room', `title ${await page.title()}`);
    await page.waitForFunction(() => document.getElementById('log').textContent.includes('* connected to'));
    const browserJoin = await waitFor(() => s.joins('RFC 6455')[0], 10000, 'the browser joins');
    const browser = /^join (\S+) /.exec(browserJoin)[1];
    const legacy = [netty, cat76, cat75];
    for (const c of legacy) {
        await waitFor(() => c.lines.includes(`Welcome, ${browser} !`), 10000, `${c.name} hears the browser join`);
    }

    // The browser speaks; every legacy client hears it.
    await page.fill('#text', 'hello from chromium');
    await page.click('#send');
    for (const c of legacy) {
        await waitFor(() => c.lines.includes(`${browser}:hello from chromium`), 10000,
                      `${c.name} receives the browser's message`);
    }

    // The legacy clients speak; the page shows it.
    netty.send('hello from netty (draft-76)');
    cat76.send('hello from hixie76-cat (draft-76)');
    cat75.send('hello from hixie76-cat (draft-75)');
    const pageLines = async () => page.$$eval('#log div', (ds) => ds.map((d) => d.textContent));
    for (const text of ['hello from netty (draft-76)', 'hello from hixie76-cat (draft-76)',
                        'hello from hixie76-cat (draft-75)']) {
        await waitFor(async () => (await pageLines()).some((l) => /^127\.0\.0\.1:\d+:/.test(l) && l.endsWith(`:${text}`)),
                      10000, `the page shows "${text}"`);
    }
    for (const c of legacy) {
        await waitFor(() => c.chat(':hello from').length === 4, 10000, `${c.name} has all four messages`);
    }
    // Everyone saw the same four messages in the same order.
    const order = (await pageLines()).filter((l) => l.includes(':hello from'));
    for (const c of legacy) {
        check(JSON.stringify(c.chat(':hello from')) === JSON.stringify(order),
              `${c.name} order ${JSON.stringify(c.chat(':hello from'))} != page ${JSON.stringify(order)}`);
    }

    const shot = join(ARGS.out, 'mixed_room.png');
    await page.screenshot({ path: shot });
    console.log(`  screenshot: ${shot}`);

    // Leaving: the browser closes its tab, the others end their input.
    await page.close();
    for (const c of legacy) {
        await waitFor(() => c.lines.includes(`${browser} Logout`), 10000, `${c.name} hears the browser leave`);
        c.end();
    }
    for (const c of legacy) {
        check((await c.waitExit(10000)) === 0, `${c.name} exit status ${c.code}\n${c.stderr}`);
    }
    await stopServer(s);
});

test('50 mixed clients each receive every message in order', async () => {
    const s = await startServer(['--max-clients', '64']);
    const observer = wsClient(s.url);
    await observer.opened;
    const ws = [];
    for (let i = 0; i < 24; ++i) {
        ws.push(wsClient(s.url));
    }
    const procs = [];
    for (let i = 0; i < 5; ++i) {
        procs.push(nettyClient(s, `netty-${i}`));
    }
    for (let i = 0; i < 12; ++i) {
        procs.push(catClient(s, 76, `cat76-${i}`));
    }
    for (let i = 0; i < 8; ++i) {
        procs.push(catClient(s, 75, `cat75-${i}`));
    }
    check(1 + ws.length + procs.length === 50, 'fifty clients');
    // The observer joined first, so it hears every other join.
    await waitFor(() => observer.messages.filter((m) => m.startsWith('Welcome, ')).length === 50, 45000,
                  () => `50 joins (have ${observer.messages.length})`);
    check(s.joins('RFC 6455').length === 25 && s.joins('draft-76').length === 17 &&
          s.joins('draft-75').length === 8, `joins by protocol:\n${s.joins().join('\n')}`);

    // Twelve senders of both kinds, three messages each, all at once.
    const senders = [];
    for (let i = 0; i < 5; ++i) {
        senders.push({ id: `ws${i}`, send: (t) => ws[i].send(t) });
    }
    for (const p of [procs[0], procs[1], procs[5], procs[6], procs[7], procs[17], procs[18]]) {
        senders.push({ id: p.name, send: (t) => p.send(t) });
    }
    for (let k = 0; k < 3; ++k) {
        for (const sd of senders) {
            sd.send(`msg ${sd.id} ${k}`);
        }
    }
    const total = senders.length * 3;
    const received = (c) => (c.chat ? c.chat(':msg ') : c.messages.filter((m) => m.includes(':msg ')));
    const everyone = [observer, ...ws, ...procs];
    await waitFor(() => everyone.every((c) => received(c).length >= total), 30000,
                  () => `every client to have ${total} messages`);
    const reference = received(observer);
    check(reference.length === total, `observer has ${reference.length} messages`);
    for (const sd of senders) {
        const mine = reference.map((l) => l.slice(l.indexOf(':msg ') + 1)).filter((m) => m.startsWith(`msg ${sd.id} `));
        check(JSON.stringify(mine) === JSON.stringify([0, 1, 2].map((k) => `msg ${sd.id} ${k}`)),
              `${sd.id}'s messages out of order: ${JSON.stringify(mine)}`);
    }
    for (const c of everyone) {
        check(JSON.stringify(received(c)) === JSON.stringify(reference),
              `${c.name ?? 'a ws client'} saw another order`);
    }

    for (const c of ws) {
        c.close();
    }
    observer.close();
    for (const p of procs) {
        p.end();
    }
    for (const p of procs) {
        check((await p.waitExit(15000)) === 0, `${p.name} exit status ${p.code}\n${p.stderr}`);
    }
    await waitFor(() => [observer, ...ws].every((c) => c.closeCode !== undefined), 5000, 'ws clients closed');
    await stopServer(s);
});

test('SIGTERM: FF 00 to draft-76, close 1001 to RFC 6455, exit 0', async () => {
    const s = await startServer();
    const ws = wsClient(s.url);
    await ws.opened;
    const raw = await rawSocket(s.port);
    raw.write(draft76Request(s.port));
    const head = await waitFor(() => {
        const i = raw.received.indexOf('\r\n\r\n');
        return i >= 0 && raw.received.length >= i + 4 + 16 ? i + 4 : 0;
    }, 5000, 'the 101 and the answer');
    check(raw.received.subarray(0, 12).toString() === 'HTTP/1.1 101', raw.received.toString('latin1'));
    check(raw.received.subarray(head, head + 16).toString('latin1') === ANSWER, 'the 16-byte answer');
    const cat75 = catClient(s, 75, 'cat-75');
    await waitFor(() => s.joins().length === 3, 10000, 'three joins');

    s.p.kill('SIGTERM');
    await waitFor(() => raw.received.subarray(raw.received.length - 2).equals(Buffer.from([0xff, 0x00])),
                  3000, 'FF 00 from the server');
    raw.write(Buffer.from([0xff, 0x00]));
    await waitFor(() => raw.ended, 3000, 'the server closes TCP after the closing handshake');
    await waitFor(() => ws.closeCode !== undefined, 3000, 'the RFC 6455 close');
    check(ws.closeCode === 1001, `close code ${ws.closeCode}`);
    check((await cat75.waitExit(5000)) === 0, `cat-75 exit ${cat75.code}\n${cat75.stderr}`);
    check((await s.waitExit(5000)) === 0, `server exit ${s.code}\n${s.stderr}`);
    check(s.stderr.includes('hixie76-mixed-room: stopped'), s.stderr);
});

test('one port: the page, 404s, any resource joins, and a 3 KiB cookie head handed to Beast', async () => {
    const s = await startServer();
    const page = await httpGet(s.port, '/');
    check(page.status === 200 && page.type.startsWith('text/html') && page.body.includes('new WebSocket('),
          `GET / → ${page.status} ${page.type}`);
    check((await httpGet(s.port, '/?x=1')).status === 200, 'GET /?x=1');
    check((await httpGet(s.port, '/nope')).status === 404, 'GET /nope');

    // A handshake for any resource joins the one room, whichever the protocol.
    const chat = wsClient(`ws://127.0.0.1:${s.port}/chat`);
    await chat.opened;
    const raw = await rawSocket(s.port);
    raw.write(draft76Request(s.port, '/demo'));
    await waitFor(() => chat.messages.length === 2, 5000, 'both joins heard at /chat');
    const head = raw.received.toString('latin1');
    check(head.startsWith('HTTP/1.1 101') &&
          head.includes(`\r\nSec-WebSocket-Location: ws://127.0.0.1:${s.port}/demo\r\n`), head);
    raw.write(Buffer.from([0x00, ...Buffer.from('from /demo'), 0xff]));
    await waitFor(() => chat.messages.some((m) => m.endsWith(':from /demo')), 5000, 'the message from /demo');

    // A head far larger than Beast's 1536-byte stream buffer: the request overload takes it.
    const big = wsClient(s.url, { headers: { Cookie: `session=${'c'.repeat(3000)}` } });
    await big.opened;
    await waitFor(() => big.messages.some((m) => m.startsWith('Welcome, ')), 5000, 'the welcome');
    big.send('quit');
    await waitFor(() => big.closeCode !== undefined, 5000, 'the close after quit');
    check(big.closeCode === 1000, `close code after quit ${big.closeCode}`);
    await stopServer(s);
});

test('--origin, --max-clients and --max-message apply to both protocols', async () => {
    const good = 'http://good.example';
    const s = await startServer(['--origin', good, '--max-clients', '2', '--max-message', '100']);
    const status = async (options) => {
        const w = wsClient(s.url, options);
        await waitFor(() => w.httpStatus !== undefined || w.readyState === WebSocket.OPEN, 5000, 'an answer');
        return w.httpStatus ?? 101;
    };
    check((await status({ origin: 'http://evil.example' })) === 403, 'RFC 6455, bad origin → 403');
    check((await status({})) === 400, 'RFC 6455, no origin → 400');
    const bad76 = catClient(s, 76, 'cat-bad-origin', ['--origin', 'http://evil.example']);
    check((await bad76.waitExit(10000)) === 1 && bad76.stderr.includes('403'), `draft-76, bad origin:\n${bad76.stderr}`);

    const a = wsClient(s.url, { origin: good });
    await a.opened;
    const b = catClient(s, 76, 'cat-good', ['--origin', good]);
    await waitFor(() => s.joins().length === 2, 10000, 'two joins');
    check((await status({ origin: good })) === 503, 'RFC 6455, room full → 503');
    const c76 = catClient(s, 76, 'cat-full', ['--origin', good]);
    check((await c76.waitExit(10000)) === 1 && c76.stderr.includes('503'), `draft-76, room full:\n${c76.stderr}`);

    // Too large: RFC 6455 gets close code 1009; a legacy client is disconnected.
    a.send('x'.repeat(101));
    await waitFor(() => a.closeCode !== undefined, 5000, 'the RFC 6455 close');
    check(a.closeCode === 1009, `close code ${a.closeCode}`);
    await waitFor(() => b.lines.some((l) => / Logout$/.test(l)), 5000, 'the departure reaches draft-76');
    b.send('y'.repeat(101));
    await b.waitExit(5000);
    await waitFor(() => /leave \S+ \(frame_too_large\)/.test(s.stderr), 5000, 'the legacy client dropped');
    await stopServer(s);
});

test('text crosses between the protocols as UTF-8; invalid legacy bytes become U+FFFD', async () => {
    const s = await startServer();
    const ws = wsClient(s.url);
    await ws.opened;
    const cat75 = catClient(s, 75, 'cat-75');
    const raw = await rawSocket(s.port);
    raw.write(draft76Request(s.port));
    await waitFor(() => s.joins().length === 3, 10000, 'three joins');
    const rawName = /^join (\S+) \(draft-76\)$/m.exec(s.stderr)[1];

    ws.send('grüße ✓ 日本');
    await waitFor(() => cat75.lines.some((l) => l.endsWith(':grüße ✓ 日本')), 5000, 'UTF-8 at draft-75');
    // 00 'a' C3 28 FF: C3 starts a sequence that 28 does not continue.
    raw.write(Buffer.from([0x00, 0x61, 0xc3, 0x28, 0xff]));
    await waitFor(() => ws.messages.includes(`${rawName}:a\uFFFD(`), 5000, 'U+FFFD at RFC 6455');
    await waitFor(() => cat75.lines.includes(`${rawName}:a\uFFFD(`), 5000, 'U+FFFD at draft-75');
    await stopServer(s);
});

test('--max-queue drops a client that stops reading, of either protocol; the others go on', async () => {
    const s = await startServer(['--max-queue', '1000000']);
    const ws = wsClient(s.url);
    await ws.opened;
    const cat76 = catClient(s, 76, 'cat-76');
    // Two clients that never read: a draft-76 one and an RFC 6455 one.
    const stuck76 = await rawSocket(s.port);
    stuck76.write(draft76Request(s.port));
    const stuck6455 = await rawSocket(s.port);
    stuck6455.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nUpgrade: websocket\r\n` +
                    'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
                    'Sec-WebSocket-Version: 13\r\n\r\n');
    await waitFor(() => s.joins().length === 4, 10000, 'four joins');
    stuck76.pause();
    stuck6455.pause();

    // Up to 36 MB through the room, at most four messages ahead of the sender's own copies:
    // the readers keep up, the two stuck clients fill their socket buffers, then the queue.
    const chunk = 'z'.repeat(60000);
    let sent = 0;
    const dropped = () => (s.stderr.match(/bytes queued \(--max-queue\)/g) ?? []).length;
    const echoes = () => ws.messages.filter((m) => m.endsWith(chunk)).length;
    while (dropped() < 2 && sent < 600) {
        ws.send(`${sent} ${chunk}`);
        ++sent;
        await waitFor(() => echoes() >= sent - 4, 10000,
                      () => `the sender hears its messages (${echoes()} of ${sent})\n${s.stderr}`);
    }
    console.log(`  both stuck clients dropped after ${sent} messages of 60 kB`);
    check(dropped() === 2, `both stuck clients dropped:\n${s.stderr}`);
    check(!/leave \S+ \(more than/.test(s.stderr.split('\n').filter((l) => l.startsWith('leave')).slice(2).join('\n')),
          'only the stuck clients were dropped');
    // The readers got everything, in order.
    await waitFor(() => echoes() === sent && ws.messages.filter((m) => m.endsWith(' Logout')).length === 2,
                  10000, 'the sender hears its messages and two departures');
    await waitFor(() => cat76.lines.filter((l) => l.endsWith(chunk)).length === sent, 15000,
                  'cat-76 receives every message');
    const numbers = cat76.lines.filter((l) => l.endsWith(chunk)).map((l) => Number(l.split(':')[2].split(' ')[0]));
    check(numbers.every((n, i) => n === i), 'cat-76 order');
    await stopServer(s);
});

test('--handshake-timeout: a stalled request gets 408', async () => {
    const s = await startServer(['--handshake-timeout', '0.5']);
    const raw = await rawSocket(s.port);
    raw.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n`);
    const t0 = Date.now();
    await waitFor(() => raw.ended, 5000, 'the server closes the stalled connection');
    check(raw.received.toString().startsWith('HTTP/1.1 408'), raw.received.toString());
    check(Date.now() - t0 < 3000, 'within the timeout plus the close time');
    await stopServer(s);
});

// --- the runner ------------------------------------------------------------------------------

let passed = 0;
let failed = 0;
for (const t of TESTS) {
    if (ARGS.filter && !t.name.includes(ARGS.filter)) {
        continue;
    }
    const t0 = Date.now();
    let timer;
    try {
        const run = t.fn();
        run.catch(() => {}); // a test past its limit may still fail later: already reported
        await Promise.race([
            run,
            new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`over ${TEST_LIMIT_MS / 1000} s`)), TEST_LIMIT_MS); }),
        ]);
        ++passed;
        console.log(`ok   ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
        ++failed;
        const msg = typeof e?.message === 'string' ? e.message : String(e);
        console.log(`FAIL ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${msg}`);
    } finally {
        clearTimeout(timer);
        await runCleanup();
    }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
