// SPDX-License-Identifier: MIT
// tests/gateway/upstream_ws.js — a broadcast room on Node's `ws` (Debian node-ws), the second
// RFC 6455 upstream of the gateway tests. Same records and '!' commands as upstream_room.cpp
// (one JSON object per line on stdout; see there), a subset of its options:
//
//   NODE_PATH=/usr/share/nodejs node upstream_ws.js [--port N] [--refuse STATUS]
//       [--subprotocol echo|none|NAME] [--tls-cert PEM --tls-key PEM]
//
// Prints "listening on 127.0.0.1:PORT" first; exits 0 on SIGINT/SIGTERM.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');

const opt = { port: 0, refuse: 0, subprotocol: 'echo', cert: '', key: '' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const v = argv[i + 1];
  switch (argv[i]) {
    case '--port': opt.port = Number(v); break;
    case '--refuse': opt.refuse = Number(v); break;
    case '--subprotocol': opt.subprotocol = v; break;
    case '--tls-cert': opt.cert = v; break;
    case '--tls-key': opt.key = v; break;
    default:
      process.stderr.write(`upstream_ws: unknown option ${argv[i]}\n`);
      process.exit(2);
  }
}

const record = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
let nextId = 1;
const room = new Set();

const server = opt.cert
  ? https.createServer({ cert: fs.readFileSync(opt.cert), key: fs.readFileSync(opt.key) })
  : http.createServer();
server.on('request', (req, res) => { res.writeHead(400); res.end('websocket only\n'); });

const wss = new WebSocketServer({
  server,
  perMessageDeflate: false,
  maxPayload: 64 << 20,
  handleProtocols: (protocols) => {
    if (opt.subprotocol === 'none') return false;
    if (opt.subprotocol === 'echo') return protocols.size ? [...protocols][0] : false;
    return opt.subprotocol;
  },
  verifyClient: (info, done) => {
    const req = info.req;
    req.testId = nextId++;
    const headers = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    }
    record({ event: 'handshake', id: req.testId, target: req.url, headers,
             peer: `${req.socket.remoteAddress}:${req.socket.remotePort}` });
    if (opt.refuse) {
      record({ event: 'refused', id: req.testId, status: opt.refuse });
      done(false, opt.refuse);
    } else {
      done(true);
    }
  },
});

wss.on('connection', (ws, req) => {
  const id = req.testId;
  room.add(ws);
  record({ event: 'open', id, protocol: ws.protocol });
  ws.on('ping', (d) => record({ event: 'ping', id, data: d.toString('latin1') }));
  ws.on('pong', (d) => record({ event: 'pong', id, data: d.toString('latin1') }));
  ws.on('close', (code, reason) => {
    room.delete(ws);
    record({ event: 'close', id, code, reason: reason.toString() });
    record({ event: 'end', id, error: 'closed' });
  });
  ws.on('error', (e) => record({ event: 'error', id, error: String(e) }));
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      record({ event: 'binary', id, len: data.length, hex: data.subarray(0, 64).toString('hex') });
    } else {
      record({ event: 'text', id, len: data.length, data: data.toString().slice(0, 200) });
    }
    const text = isBinary ? '' : data.toString();
    if (text.startsWith('!')) {
      const sp = text.indexOf(' ');
      const name = sp < 0 ? text : text.slice(0, sp);
      const arg = sp < 0 ? '' : text.slice(sp + 1);
      if (name === '!whoami') ws.send(`id ${id}`);
      else if (name === '!send') ws.send(arg);
      else if (name === '!binary') ws.send(Buffer.from(arg), { binary: true });
      else if (name === '!binhex') ws.send(Buffer.from(arg, 'hex'), { binary: true });
      else if (name === '!ping') ws.ping(arg);
      else if (name === '!close') {
        const [code, ...why] = arg.split(' ');
        ws.close(Number(code), why.join(' '));
      } else if (name === '!vanish') ws.terminate();
      else if (name === '!flood') {
        const [n, size] = arg.split(' ').map(Number);
        for (let k = 0; k < Math.min(n, 1000000); k++) {
          const head = `${k}:`;
          ws.send(head + 'x'.repeat(Math.max(0, size - head.length)));
        }
      } else ws.send(`unknown command ${name}`);
      return;
    }
    for (const m of room) m.send(data, { binary: isBinary });
  });
});

server.listen(opt.port, '127.0.0.1', () => {
  process.stdout.write(`listening on 127.0.0.1:${server.address().port}\n`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
