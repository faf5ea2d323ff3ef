// SPDX-License-Identifier: MIT
// tests/gateway/ws_client.js — an RFC 6455 client on Node's `ws` for the gateway tests.
//
//   NODE_PATH=/usr/share/nodejs node ws_client.js URL [--protocol NAME] [--origin URL]
//
// Reads commands from stdin, one a line: "text DATA", "binhex HEX", "ping DATA",
// "close CODE [REASON]", "end" (TCP close without a close frame). Writes one JSON object per
// event on stdout: open (with the protocol), text, binary (hex), ping, pong, close (code,
// reason), error. Exits 0 once closed; 1 on a failed handshake (status in the "error" record).
'use strict';
const readline = require('readline');
const WebSocket = require('ws');

const argv = process.argv.slice(2);
const url = argv[0];
const opts = { perMessageDeflate: false, handshakeTimeout: 10000 };
let protocols;
for (let i = 1; i < argv.length; i += 2) {
  if (argv[i] === '--protocol') protocols = argv[i + 1].split(',');
  else if (argv[i] === '--origin') opts.origin = argv[i + 1];
}
const record = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const ws = new WebSocket(url, protocols, opts);
let opened = false;
ws.on('unexpected-response', (req, res) => {
  record({ event: 'error', status: res.statusCode });
  process.exit(1);
});
ws.on('open', () => {
  opened = true;
  record({ event: 'open', protocol: ws.protocol });
  readCommands();
});
ws.on('message', (data, isBinary) => {
  if (isBinary) record({ event: 'binary', hex: data.toString('hex') });
  else record({ event: 'text', data: data.toString() });
});
ws.on('ping', (d) => record({ event: 'ping', data: d.toString('latin1') }));
ws.on('pong', (d) => record({ event: 'pong', data: d.toString('latin1') }));
ws.on('close', (code, reason) => {
  record({ event: 'close', code, reason: reason.toString() });
  process.exit(0);
});
ws.on('error', (e) => {
  record({ event: 'error', error: String(e) });
  if (!opened) process.exit(1);
});
function readCommands() {
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const sp = line.indexOf(' ');
  const cmd = sp < 0 ? line : line.slice(0, sp);
  const arg = sp < 0 ? '' : line.slice(sp + 1);
  if (cmd === 'text') ws.send(arg);
  else if (cmd === 'binhex') ws.send(Buffer.from(arg, 'hex'), { binary: true });
  else if (cmd === 'ping') ws.ping(arg);
  else if (cmd === 'close') {
    const [code, ...why] = arg.split(' ');
    ws.close(Number(code), why.join(' '));
  } else if (cmd === 'end') ws.terminate();
  });
}
setTimeout(() => { record({ event: 'error', error: 'timeout' }); process.exit(2); }, 60000).unref();
