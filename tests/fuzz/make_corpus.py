#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tests/fuzz/make_corpus.py — writes the fuzz targets' seed corpora and classic regressions.
#
#   python3 tests/fuzz/make_corpus.py          # rewrites tests/fuzz/corpus/* and the
#                                               # regressions/*/classic-* files
#
# Each file is the target's option bytes (see the comment at the top of each fuzz_*.cpp)
# followed by the bytes under test. Files are named by content, so rerunning is idempotent;
# the corpus directories are rewritten whole, regressions/ only gains or refreshes its
# `classic-*` files (saved crashes, named `crash-*`, are never touched).
import hashlib
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

# --- vectors: the draft's worked examples and the classic hostile inputs -----------------------

EXAMPLE1 = dict(key1=b"4 @1  46546xW%0l 1 5", key2=b"12998 5 Y3 1  .P00", key3=b"^n:ds[4U")
EXAMPLE2 = dict(key1=b"18x 6]8vM;54 *(5:  {   U1]8  z [  8",
                key2=b"1_ tx7X d  <  nw  334J702) 7]o}` 0", key3=b"Tm[K T2u")
EXAMPLE3 = dict(key1=b"36 7   74 i  92 2'm 9 0G", key2=b"y  R2 48 Q1O4  e|BV3 i5 1  u- 65",
                key3=bytes.fromhex("01d1dd3bd15663ff"))

GOOD_KEYS = [b"4 @1  46546xW%0l 1 5", b"12998 5 Y3 1  .P00", b"429496729 5", b"0 0",
             b"12\t3 4", b"3e6b263  4 17 80", b"17  9 G`ZD9   2 2b 7X 3 /r90",
             b"00000000000000000000004294967295 "]  # leading zeros: the number still fits
BAD_KEYS = [
    b"42949672 96",                 # key_overflow: 4294967296
    b"85899345 9 0",                # key_overflow although the quotient would fit
    b"1844674407370955161 6 1",     # key_overflow: 21 digits, would wrap a 64-bit parse
    b"99999999999999999999999 ",    # key_overflow: far past 64 bits
    b"3e6b26341780",                # key_no_spaces: the division by zero
    b"179G`ZD922b7X3/r90",          # key_no_spaces
    b"1 2 3",                       # key_not_divisible
    b"2 L785 8o% s9Sy9@V. 4<1P5",   # key_not_divisible
    b"no digits here ",             # key_no_digits
    b"",                            # key_no_digits, empty
]


def request(key1=None, key2=None, key3=b"", extra=(), path=b"/demo", first=None):
    lines = [first or b"GET " + path + b" HTTP/1.1", b"Host: example.com",
             b"Connection: Upgrade", b"Upgrade: WebSocket", b"Origin: http://example.com"]
    if key1 is not None:
        lines.append(b"Sec-WebSocket-Key1: " + key1)
    if key2 is not None:
        lines.append(b"Sec-WebSocket-Key2: " + key2)
    lines.extend(extra)
    return b"\r\n".join(lines) + b"\r\n\r\n" + key3


def request_seeds():
    e1, e2, e3 = EXAMPLE1, EXAMPLE2, EXAMPLE3
    heads = [
        request(**e1),
        request(**e2, extra=[b"Sec-WebSocket-Protocol: sample"]),
        request(**e3),
        request(**e1) + b"\x00hello\xff\xff\x00",  # frames after key3
        request(**e1)[:-3],                        # key3 still due
        request(extra=[b"WebSocket-Protocol: chat"]),  # draft-75
        b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n",  # plain HTTP
        b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n",      # RFC 6455: handed off
        # Netty's spelling: lower-case names and a Content-Length.
        b"GET /ws HTTP/1.1\r\nupgrade: WebSocket\r\nconnection: Upgrade\r\nhost: h:8080\r\n"
        b"origin: http://h:8080\r\nsec-websocket-key1: " + e1["key1"] +
        b"\r\nsec-websocket-key2: " + e1["key2"] + b"\r\ncontent-length: 8\r\n\r\n" + e1["key3"],
        request(**e1, extra=[b"Sec-WebSocket-Draft: 0", b"Cookie: a=b; c=d"]),
        request(**e1, extra=[b"Sec-WebSocket-Draft: 2"]),
        request(key1=e1["key1"]),                  # only_one_key
        request(key1=e1["key1"], key2=e1["key2"], extra=[b"Sec-WebSocket-Key1: 1 1"]),
        request(**e1, first=b"POST /demo HTTP/1.1"),
        request(**e1, first=b"GET /demo HTTP/1.0"),
        request(**e1, first=b"GET demo HTTP/1.1"),
        request(**e1, first=b"GET /a#b HTTP/1.1"),
        request(**e1, extra=[b" folded"]),
        request(**e1).replace(b"\r\nHost", b"\nHost"),
        request(**e1).replace(b"Upgrade\r\n", b"Upgrade\rX\n"),
        request(**e1).replace(b"example.com\r\n", b"exa\x00mple.com\r\n", 1),
        request(**e1, extra=[b"Sec-WebSocket-Protocol: "]),
        b"GET / HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: WebSocket\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: IRC\r\nConnection: Upgrade\r\n\r\n",
    ]
    for k in BAD_KEYS:
        heads.append(request(key1=k, key2=EXAMPLE1["key2"], key3=EXAMPLE1["key3"]))
    out = []
    for h in heads:
        out.append(bytes([0x00, 0x00, 0x00]) + h)   # default limits, one piece
        out.append(bytes([0x00, 0x2A, 0x07]) + h)   # default limits, pieces of 0..7
    # Limits: a tiny head limit and a one-field limit.
    out.append(bytes([0x03, 0x05, 0x01]) + heads[0])
    out.append(bytes([0x10, 0x11, 0x10]) + heads[0])
    return out


ANSWER_MARKER = b"<hixie76-answer>"
URLS = [("ws", "example.com", "/demo"), ("wss", "example.com:8443", "/a?b=c"),
        ("ws", "[::1]:9000", "/"), ("ws", "example.com", "/x")]
ORIGINS = ["http://example.com", "https://example.com:8443", "http://[::1]:9000",
           "http://example.com"]


def response(draft76, url, protocol=None, answer=True, reason=None, fields=None):
    scheme, host, path = URLS[url]
    origin = ORIGINS[url]
    p = b"Sec-WebSocket-" if draft76 else b"WebSocket-"
    status = reason or (b"HTTP/1.1 101 WebSocket Protocol Handshake" if draft76
                        else b"HTTP/1.1 101 Web Socket Protocol Handshake")
    lines = fields if fields is not None else [
        b"Upgrade: WebSocket", b"Connection: Upgrade", p + b"Origin: " + origin.encode(),
        p + b"Location: " + f"{scheme}://{host}{path}".encode()]
    if protocol:
        lines = lines + [p + b"Protocol: " + protocol]
    body = status + b"\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\n"
    if draft76 and answer:
        body += ANSWER_MARKER
    return body


def response_seeds():
    out = []
    for url in range(4):
        for d76 in (True, False):
            for proto in (None, b"chat"):
                opts = (0 if d76 else 1) | (url << 1) | (8 if proto else 0) | 0x80
                body = response(d76, url, proto)
                out.append(bytes([opts, 0x00, 0x00, 0x00]) + body + b"\x00hi\xff")
                out.append(bytes([opts, 0x01, 0x33, 0x05]) + body)  # exact_upgrade
    bad = [
        response(True, 0, reason=b"HTTP/1.1 404 Not Found"),
        response(True, 0, reason=b"HTTP/1.0 101 Switching"),
        response(True, 0, reason=b"HTTP/1.1 1O1 x"),
        response(True, 0, fields=[b"Upgrade: WebSocket", b"Connection: Upgrade"]),
        response(True, 0, fields=[b"Upgrade: websocket", b"Connection: Upgrade",
                                  b"Sec-WebSocket-Origin: http://example.com",
                                  b"Sec-WebSocket-Location: ws://example.com/demo"]),
        response(True, 0, fields=[b"Upgrade: WebSocket", b"Upgrade: WebSocket"]),
        response(True, 0, fields=[b"Upgrade: WebSocket", b"Connection: Upgrade",
                                  b"Sec-WebSocket-Origin: http://evil.example",
                                  b"Sec-WebSocket-Location: ws://example.com/demo"]),
        response(True, 0, answer=False) + b"0123456789abcdef",  # wrong answer
        response(False, 0, fields=[b"Connection: Upgrade", b"Upgrade: WebSocket"]),
    ]
    for b in bad:
        out.append(bytes([0x80, 0x00, 0x00, 0x00]) + b)
        out.append(bytes([0x81, 0x01, 0x00, 0x00]) + b)  # draft-75, exact_upgrade
    out.append(bytes([0x80 | 0x10 | 0x20, 0x00, 0x00, 0x00]) + response(True, 0))  # small limit
    return out


def frames_seeds():
    streams = [
        b"\x00\xff", b"\x00foo\xff", b"\xff\x00", b"\xff\x80\x00", b"\x80\x05hello",
        b"\xff\x05\x01\x02\x03\x04\x05", b"\x80\x81\x00" + b"A" * 128, b"\x01a\xff",
        b"\x00\xc3(\xff", b"\x00h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\xff",
        b"\x00a\xff\x00b\xff\xff\x00\x00ignored\xff",  # close after other frames
        b"\x00\xed\xa0\x80\xff", b"\x00\xf4\x90\x80\x80\xff", b"\x00\xe0\x80\x80\xff",
        b"\x00\xc3\xff", b"\x81\x02\x01\x02\x00x\xff",
        b"\x80" + b"\xff" * 9 + b"\x7f",  # length past 2^63 - 1
        b"\x00" + b"x" * 300,             # endless text
    ]
    out = []
    for s in streams:
        out.append(bytes([0x00, 0x00, 0x00, 0x00]) + s)  # -76, no checks, one piece
        out.append(bytes([0x06, 0x02, 0x17, 0x03]) + s)  # reject, binary, pieces of 0..3
        out.append(bytes([0x0B, 0x21, 0x05, 0x01]) + s)  # -75, strict, reject assembler
        out.append(bytes([0x72, 0x24, 0x09, 0x09]) + s)  # max frame 8, max message 3
    return out


def token_seeds():
    out = []
    for e in (EXAMPLE1, EXAMPLE2, EXAMPLE3):
        out.append(b"\x00\x00\x00\x01" + e["key1"] + b"\n" + e["key2"] + b"\n" + e["key3"])
    for k in GOOD_KEYS + BAD_KEYS:
        out.append(b"\x12\x34\x56\x78" + k + b"\n" + EXAMPLE1["key2"] + b"\n" + EXAMPLE1["key3"])
    # The rest is also read as a ws:// URL.
    for i, url in enumerate([b"ws://example.com/demo", b"wss://example.com:8443/a?b=c",
                             b"ws://[::1]:9000/", b"WS://Example.COM:80", b"ws://h?q",
                             b"ws://h:0/", b"ws://user@h/", b"ws://h/#frag", b"wss://a_b.c:65535/x"]):
        out.append(bytes([0, 0, 0, i]) + url)
    return out


def roundtrip_seeds():
    msgs = (b"\x00\x05hello" + b"\x04\x00" + b"\x08\x04\xc3\xa9t\xc3\xa9" +
            b"\x0e\x03\x81abc" + b"\x02\x02\x80\xff\xfe" + b"\x01\x03a\xffb" +
            b"\x14\x03big" + b"\x16\x02\x80zz" + b"\x10\x02\xff!")  # past 8 KiB
    out = []
    for opts in (0x00, 0x01, 0x02, 0x04):
        for hs in (0x00, 0x19, 0x62, 0xA3, 0x0C, 0x45, 0x16, 0xFF):
            out.append(bytes([opts, 0x07, 0x05, hs, 0x12, 0x34]) + msgs)
    out.append(bytes([0x00, 0x00, 0x00, 0x00, 0x00, 0x01]) + b"\x03\x00\x00\x03hey")
    return out


CLASSIC = {
    # The bugs this protocol is known for, as inputs every build replays.
    "fuzz_token": {
        "classic-no-spaces-division-by-zero": b"\x00\x00\x00\x00" + b"3e6b26341780\n1 1\n12345678",
        "classic-key-overflow-32-bit": b"\x00\x00\x00\x00" + b"42949672 96\n1 1\n12345678",
        "classic-key-overflow-64-bit": b"\x00\x00\x00\x00" +
        b"18446744073709551616 \n1 1\n12345678",
        "classic-quotient-fits-number-does-not": b"\x00\x00\x00\x00" + b"85899345 9 0",
    },
    "fuzz_request": {
        "classic-no-spaces-key": bytes(3) + request(key1=b"3e6b26341780",
                                                    key2=EXAMPLE1["key2"], key3=b"12345678"),
        "classic-overflowing-key": bytes(3) + request(key1=b"1844674407370955161 6 1",
                                                      key2=EXAMPLE1["key2"], key3=b"12345678"),
        "classic-unbounded-head": bytes([0x03, 0x00, 0x00]) + b"GET / HTTP/1.1\r\nX: " +
        b"a" * 600,
        "classic-endless-fields": bytes([0x00, 0x00, 0x00]) + b"GET / HTTP/1.1\r\n" +
        b"A: b\r\n" * 80,
    },
    "fuzz_response": {
        "classic-unbounded-head": bytes([0x80 | 0x30, 0x00, 0x00, 0x00]) +
        b"HTTP/1.1 101 WebSocket Protocol Handshake\r\nX: " + b"a" * 600,
        "classic-short-answer": bytes([0x80, 0x00, 0x00, 0x00]) +
        response(True, 0, answer=False) + b"short",
    },
    "fuzz_frames": {
        "classic-close-not-alone": bytes(4) + b"\x00hi\xff\xff\x00\x00after\xff",
        "classic-close-split": bytes([0x00, 0x00, 0x01, 0x01]) + b"\x00hi\xff\xff\x00",
        "classic-endless-frame": bytes([0x70, 0x00, 0x00, 0x00]) + b"\x00" + b"x" * 64,
        "classic-huge-length": bytes(4) + b"\x80" + b"\xff" * 12 + b"\x00",
        "classic-length-just-fits": bytes([0xF4, 0x00, 0x00, 0x00]) + b"\x80" + b"\xff" * 8 +
        b"\x7f",
    },
    "fuzz_roundtrip": {
        "classic-close-then-junk": bytes([0x04, 0x00, 0x00, 0x00, 0x00, 0x00]) +
        b"\x00\x02hi",
    },
}


def name_of(data):
    return hashlib.sha1(data).hexdigest()[:16]


def write_dir(path, seeds):
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)
    for s in seeds:
        with open(os.path.join(path, name_of(s)), "wb") as f:
            f.write(s)


def main():
    seeds = {
        "fuzz_request": request_seeds(),
        "fuzz_response": response_seeds(),
        "fuzz_frames": frames_seeds(),
        "fuzz_token": token_seeds(),
        "fuzz_roundtrip": roundtrip_seeds(),
    }
    for target, items in seeds.items():
        write_dir(os.path.join(HERE, "corpus", target), items)
    for target, files in CLASSIC.items():
        d = os.path.join(HERE, "regressions", target)
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    total = sum(len(v) for v in seeds.values())
    print(f"make_corpus: {total} seeds in {len(seeds)} corpora, "
          f"{sum(len(v) for v in CLASSIC.values())} classic regressions")


if __name__ == "__main__":
    main()
