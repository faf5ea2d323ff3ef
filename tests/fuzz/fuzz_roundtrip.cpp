// SPDX-License-Identifier: MIT
// tests/fuzz/fuzz_roundtrip.cpp — fuzz target for the round trip: random messages through the
// encoders, a client and server handshake in front of them, and back through the parsers and
// the decoder under a random chunking.
//
// Input: byte 0 picks the options (bit 0: draft-75, bit 1: the encoders check UTF-8, bit 2:
// end with a close frame and trailing junk), byte 1 seeds the chunking and byte 2 bounds its
// piece size (0: one piece), byte 3 picks the handshake (bits 0–2: URL, bits 3–4: subprotocol,
// bit 5: Content-Length, bit 6: an extra field, bit 7: an explicit origin), bytes 4–5 seed the
// client's keys. Then messages: a header byte (bits 0–1: text, text, binary or close-in-the-
// middle; bits 2–3: which encoder; bit 4: repeat the payload past 8 KiB, where encode_text
// copies block by block), a length byte, for binary a type byte, then the payload.
//
// Invariant, for every input:
// - each encoder refuses exactly what it documents (0xFF in text; invalid UTF-8 under the
//   check, judged by an independent reference; binary types outside 80..FE), writes exactly
//   `00 payload FF` or `type, minimal base-128 length, payload`, agrees with the size
//   functions, and reports buffer_too_small with the size needed without writing;
// - the client's request parses on the server (one piece and the chosen chunking alike) as
//   the same draft with the client's resource, origin, protocol and challenge; the server's
//   response passes the client's check, `consumed` ends exactly at the frames;
// - the frames that follow decode, in both directions and under both feeds, to exactly the
//   messages that were encoded, and the close frame ends the stream (the junk after it is
//   never reported).
#include "hixie76/client.hpp"
#include "hixie76/frame.hpp"
#include "hixie76/handshake.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "reference.hpp"

namespace {

using namespace hixie76;

constexpr std::array<std::string_view, 8> urls = {
    "ws://example.com/demo",   "wss://example.com/chat?room=1", "ws://127.0.0.1:8080/",
    "ws://[::1]:9000/x",       "wss://Example.COM:443/A",       "ws://h:1/p",
    "ws://example.com:80/%20", "wss://a-b.c_d.test:65535/?"};
constexpr std::array<std::string_view, 4> protocols = {"", "chat", "x y", "sample"};

/// One message as the application sees it.
struct message {
    enum kind_t { text, binary, close } kind = text;
    std::uint8_t type = 0;
    std::string payload;
    bool operator==(const message& o) const {
        return kind == o.kind && type == o.type && payload == o.payload;
    }
};

/// The minimal base-128 big-endian length, written here independently of the library.
std::string length_prefix(std::uint64_t n) {
    std::string groups;
    do {
        groups.insert(groups.begin(), static_cast<char>(n & 0x7Fu));
        n >>= 7;
    } while (n != 0);
    for (std::size_t i = 0; i + 1 < groups.size(); ++i) {
        groups[i] = static_cast<char>(static_cast<std::uint8_t>(groups[i]) | 0x80u);
    }
    return groups;
}

/// Encodes a text message with encoder `style`; returns false when it was (rightly) refused.
bool encode_text_with(int style, std::string_view p, utf8_check check, std::string& wire) {
    const bool has_ff = p.find('\xff') != std::string_view::npos;
    const bool bad_utf8 = check == utf8_check::reject && !ref::check_utf8(p).valid();
    const error want =
        has_ff ? error::text_contains_ff : (bad_utf8 ? error::invalid_utf8 : error::none);
    const std::string expect = std::string(1, '\0') + std::string(p) + '\xff';
    FUZZ_CHECK(text_frame_size(p.size()) == expect.size());
    std::string out;
    switch (style) {
    case 0: { // writev style: head, payload, tail
        const framing f = frame_text(p, check);
        FUZZ_CHECK(f.err == want);
        if (f.err != error::none) {
            FUZZ_CHECK(f.head_size == 0 && f.tail_size == 0);
            return false;
        }
        out.append(f.head.data(), f.head_size);
        out.append(p);
        out.append(f.tail.data(), f.tail_size);
        break;
    }
    case 1: { // a buffer that is exactly large enough
        std::vector<char> buf(expect.size());
        const encode_result r = encode_text(buf.data(), buf.size(), p, check);
        FUZZ_CHECK(r.err == want);
        if (r.err != error::none) {
            return false;
        }
        FUZZ_CHECK(r.size == buf.size());
        out.assign(buf.data(), r.size);
        break;
    }
    case 2: { // append to a string that already holds something
        std::string s = "prefix";
        const error e = append_text(s, p, check);
        FUZZ_CHECK(e == want);
        if (e != error::none) {
            FUZZ_CHECK(s == "prefix");
            return false;
        }
        FUZZ_CHECK(s.compare(0, 6, "prefix") == 0);
        out = s.substr(6);
        break;
    }
    default: { // too small first: nothing written, the size needed reported
        std::vector<char> buf(expect.size() - 1, '\x5a');
        const encode_result small = encode_text(buf.data(), buf.size(), p, check);
        if (want != error::none) {
            FUZZ_CHECK(small.err == want);
            return false;
        }
        FUZZ_CHECK(small.err == error::buffer_too_small && small.size == expect.size());
        for (char c : buf) {
            FUZZ_CHECK(c == '\x5a');
        }
        buf.resize(small.size);
        const encode_result r = encode_text(buf.data(), buf.size(), p, check);
        FUZZ_CHECK(r.err == error::none && r.size == expect.size());
        out.assign(buf.data(), r.size);
        break;
    }
    }
    FUZZ_CHECK(out == expect);
    wire += out;
    return true;
}

/// Encodes a length frame with encoder `style`; returns false when it was (rightly) refused.
bool encode_binary_with(int style, std::uint8_t type, std::string_view p, std::string& wire) {
    const error want = (type < 0x80 || type == 0xFF) ? error::unsafe_value : error::none;
    const std::string expect =
        std::string(1, static_cast<char>(type)) + length_prefix(p.size()) + std::string(p);
    FUZZ_CHECK(binary_frame_size(p.size()) == expect.size());
    std::string out;
    switch (style) {
    case 0: {
        const framing f = frame_binary(p.size(), type);
        FUZZ_CHECK(f.err == want);
        if (f.err != error::none) {
            FUZZ_CHECK(f.head_size == 0 && f.tail_size == 0);
            return false;
        }
        FUZZ_CHECK(f.tail_size == 0);
        out.append(f.head.data(), f.head_size);
        out.append(p);
        break;
    }
    case 1: {
        std::vector<char> buf(expect.size());
        const encode_result r = encode_binary(buf.data(), buf.size(), p, type);
        FUZZ_CHECK(r.err == want);
        if (r.err != error::none) {
            return false;
        }
        FUZZ_CHECK(r.size == buf.size());
        out.assign(buf.data(), r.size);
        break;
    }
    case 2: {
        std::string s = "prefix";
        const error e = append_binary(s, p, type);
        FUZZ_CHECK(e == want);
        if (e != error::none) {
            FUZZ_CHECK(s == "prefix");
            return false;
        }
        out = s.substr(6);
        break;
    }
    default: {
        std::vector<char> buf(expect.size() - 1, '\x5a');
        const encode_result small = encode_binary(buf.data(), buf.size(), p, type);
        if (want != error::none) {
            FUZZ_CHECK(small.err == want);
            return false;
        }
        FUZZ_CHECK(small.err == error::buffer_too_small && small.size == expect.size());
        for (char c : buf) {
            FUZZ_CHECK(c == '\x5a');
        }
        buf.resize(small.size);
        const encode_result r = encode_binary(buf.data(), buf.size(), p, type);
        FUZZ_CHECK(r.err == error::none && r.size == expect.size());
        out.assign(buf.data(), r.size);
        break;
    }
    }
    FUZZ_CHECK(out == expect);
    wire += out;
    return true;
}

/// The payload of a message: the input's bytes, or with `inflate` those bytes repeated past
/// the 8 KiB above which encode_text works block by block.
std::string payload(std::string_view bytes, bool inflate, std::size_t len) {
    std::string p(bytes);
    if (inflate) {
        const std::size_t want = 8 * 1024 + 1 + len * 64;
        const std::string unit = p.empty() ? std::string("x") : p;
        while (p.size() < want) {
            p += unit;
        }
    }
    return p;
}

/// Decodes `wire` fed in `pieces` (exact-size heap copies) into messages.
std::vector<message> decode(std::string_view wire, const std::vector<std::size_t>& pieces,
                            const decoder_config& cfg) {
    frame_decoder d(cfg);
    assembler_config acfg;
    acfg.utf8 = utf8_policy::raw;
    acfg.max_message_size = 1u << 20;
    message_assembler a(acfg);
    std::vector<message> out;
    std::size_t offset = 0;
    for (std::size_t k : pieces) {
        const std::unique_ptr<char[]> copy(new char[k == 0 ? 1 : k]);
        for (std::size_t i = 0; i < k; ++i) {
            copy[i] = wire[offset + i];
        }
        offset += k;
        std::string_view in(copy.get(), k);
        for (;;) {
            const frame_event ev = d.next(in);
            FUZZ_CHECK(ev.kind != frame_kind::failed && ev.kind != frame_kind::skipped);
            FUZZ_CHECK(ev.consumed <= in.size());
            const assemble_result r = a.push(ev);
            FUZZ_CHECK(r.status != parse_status::failed);
            if (r.status == parse_status::complete) {
                message m;
                m.kind = a.is_binary() ? message::binary : message::text;
                m.type = ev.type;
                m.payload = a.take();
                out.push_back(m);
            }
            if (ev.kind == frame_kind::close) {
                message m;
                m.kind = message::close;
                out.push_back(m);
            }
            in.remove_prefix(ev.consumed);
            if (ev.kind == frame_kind::need_more || in.empty()) {
                break;
            }
        }
    }
    FUZZ_CHECK(offset == wire.size());
    return out;
}

/// Feeds a handshake parser (`p.parse(buf)`) growing prefixes of `wire` in `pieces`, each a
/// fresh heap copy, until it settles; returns the settled result and keeps the last copy.
template <class Parser>
parse_result settle(Parser& p, std::string_view wire, const std::vector<std::size_t>& pieces,
                    std::unique_ptr<char[]>& held) {
    std::size_t have = 0;
    parse_result r{};
    for (std::size_t k : pieces) {
        have += k;
        std::unique_ptr<char[]> next(new char[have == 0 ? 1 : have]);
        for (std::size_t i = 0; i < have; ++i) {
            next[i] = wire[i];
        }
        held = std::move(next);
        r = p.parse(std::string_view(held.get(), have));
        if (r.status != parse_status::need_more) {
            break;
        }
    }
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::reader in(data, size);
    const std::uint8_t opts = in.byte();
    const std::uint8_t seed = in.byte();
    const std::uint8_t max_piece = in.byte();
    const std::uint8_t hs = in.byte();
    const std::uint32_t key_seed = (std::uint32_t{in.byte()} << 8) | in.byte();
    const bool is76 = (opts & 1u) == 0;
    const utf8_check check = (opts & 2u) != 0 ? utf8_check::reject : utf8_check::none;

    // --- the messages and their frames ------------------------------------------------------
    std::string frames;
    std::vector<message> sent;
    bool closed = false;
    while (!in.empty() && !closed) {
        const std::uint8_t h = in.byte();
        const int style = (h >> 2) & 3;
        const bool inflate = (h & 0x10u) != 0;
        const std::size_t len = in.byte();
        switch (h & 3u) {
        case 0:
        case 1: {
            const std::string p = payload(in.take(len), inflate, len);
            if (encode_text_with(style, p, check, frames)) {
                sent.push_back({message::text, 0, p});
            }
            break;
        }
        case 2: {
            const std::uint8_t type = in.byte();
            const std::string p = payload(in.take(len), inflate, len);
            if (encode_binary_with(style, type, p, frames)) {
                sent.push_back({message::binary, type, p});
            }
            break;
        }
        default:
            if (is76) {
                std::array<char, 2> buf{};
                FUZZ_CHECK(encode_close(buf.data(), 1).err == error::buffer_too_small);
                FUZZ_CHECK(encode_close(buf.data(), buf.size()).size == 2);
                FUZZ_CHECK(std::string_view(buf.data(), 2) == std::string_view("\xff\x00", 2));
                append_close(frames);
                sent.push_back({message::close, 0, {}});
                closed = true;
            }
            break;
        }
    }
    if ((opts & 4u) != 0 && is76 && !closed) {
        append_close(frames);
        sent.push_back({message::close, 0, {}});
        closed = true;
    }
    if (closed) {
        static constexpr char junk[] = "\x00junk after the close\xff\x80\x05";
        frames.append(junk, sizeof junk - 1);
        frames += in.rest(); // never reported
    }

    decoder_config dcfg;
    dcfg.version = is76 ? draft::draft76 : draft::draft75;
    dcfg.deliver_binary = true;
    dcfg.strict_types = true;
    dcfg.utf8 = check;
    dcfg.max_frame_size = 1u << 20;
    FUZZ_CHECK(decode(frames, {frames.size()}, dcfg) == sent);
    FUZZ_CHECK(decode(frames, fuzz::chunking(frames.size(), seed, max_piece), dcfg) == sent);

    // --- the handshake in front of them -------------------------------------------------------
    const std::string_view url = urls[hs & 7u];
    client_options copt;
    copt.version = dcfg.version;
    copt.protocol = protocols[(hs >> 3) & 3u];
    copt.content_length = (hs & 0x20u) != 0;
    const header_field extra[] = {{"Cookie", "session=1; theme=dark"}};
    if ((hs & 0x40u) != 0) {
        copt.extra_fields = extra;
    }
    if ((hs & 0x80u) != 0) {
        copt.origin = "http://Origin.Example:8000";
    }
    std::mt19937 rng(key_seed);
    client_handshake client;
    FUZZ_CHECK(client.start(url, copt, rng) == error::none);
    const url_result u = parse_ws_url(url);
    FUZZ_CHECK(u.err == error::none);

    const std::string c2s = client.request() + frames;
    for (int round = 0; round < 2; ++round) {
        const auto pieces = round == 0 ? std::vector<std::size_t>{c2s.size()}
                                       : fuzz::chunking(c2s.size(), seed, max_piece);
        request_parser server;
        std::unique_ptr<char[]> held;
        const parse_result r = settle(server, c2s, pieces, held);
        FUZZ_CHECK(r.status == parse_status::complete);
        FUZZ_CHECK(r.consumed == client.request().size());
        FUZZ_CHECK(server.kind() == (is76 ? dialect::draft76 : dialect::draft75));
        FUZZ_CHECK(server.resource() == u.url.resource);
        FUZZ_CHECK(server.origin() == client.origin());
        FUZZ_CHECK(server.protocol() == client.protocol());
        if (is76) {
            FUZZ_CHECK(server.key3() == client.key3());
            FUZZ_CHECK(server.challenge() == client.expected_answer());
        }
        if ((hs & 0x40u) != 0) {
            FUZZ_CHECK(server.find("cookie") == extra[0].value);
        }
        const std::string expected_location = std::string(u.url.secure ? "wss://" : "ws://") +
                                              std::string(server.host()) +
                                              std::string(server.resource());
        FUZZ_CHECK(expected_location == client.expected_location());
        FUZZ_CHECK(decode(c2s.substr(r.consumed), {c2s.size() - r.consumed}, dcfg) == sent);

        response_options ropt;
        ropt.secure = u.url.secure;
        ropt.protocol = server.protocol();
        std::string response;
        FUZZ_CHECK(append_response(server, ropt, response) == error::none);
        const std::string s2c = response + frames;
        client_handshake again = client; // a checker that has not seen a response yet
        std::unique_ptr<char[]> held2;
        const parse_result cr =
            settle(again, s2c,
                   pieces.size() == 1 ? std::vector<std::size_t>{s2c.size()}
                                      : fuzz::chunking(s2c.size(), seed, max_piece),
                   held2);
        FUZZ_CHECK(cr.status == parse_status::complete);
        FUZZ_CHECK(cr.consumed == response.size());
        FUZZ_CHECK(decode(s2c.substr(cr.consumed),
                          fuzz::chunking(s2c.size() - cr.consumed, seed, max_piece), dcfg) == sent);
    }
    return 0;
}
