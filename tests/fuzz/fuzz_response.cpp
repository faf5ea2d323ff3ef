// SPDX-License-Identifier: MIT
// tests/fuzz/fuzz_response.cpp — fuzz target for the client's response checker
// (client_handshake::parse).
//
// Input: byte 0 picks the handshake (bit 0: draft-75, bits 1–2: the URL, bit 3: a subprotocol,
// bits 4–6: max_head_bytes, bit 7: splice the answer), byte 1 more options (bit 0:
// exact_upgrade), byte 2 seeds the chunking and byte 3 bounds its piece size (0: one piece);
// the rest is the stream a server sends. The client's
// keys come from a fixed seed, so a response can match them; with bit 7 set, the first
// occurrence of the 16 bytes `answer_marker` is replaced by the expected 16-byte answer, which
// lets the fuzzer reach the token check and the frames after it.
//
// Invariant, for every input:
// - one piece, the chosen chunking (fresh heap copies, so the buffer moves) and byte by byte
//   give the same result, the same fields and the same finish() result;
// - only the codes listed in client_handshake::parse's doc comment (plus unexpected_eof from
//   finish()) appear; `consumed` never exceeds the input; results are sticky;
// - a complete or failed result never claims more than max_head_bytes + 16 bytes;
// - complete means: status line `HTTP/1.1 101`, the origin, location and protocol fields equal
//   the expected ones, `Upgrade` and `Connection` name WebSocket and Upgrade (exactly, and
//   for draft-75 as the first two lines, under exact_upgrade), and (draft-76) the 16 bytes
//   before `consumed` are the expected answer.
#include "hixie76/client.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"

namespace {

using namespace hixie76;
using fuzz::same;

constexpr std::string_view answer_marker = "<hixie76-answer>";
static_assert(answer_marker.size() == 16);

constexpr std::array<std::string_view, 4> urls = {"ws://example.com/demo",
                                                  "wss://example.com:8443/a?b=c",
                                                  "ws://[::1]:9000/", "ws://EXAMPLE.com:80/x"};
constexpr std::array<std::size_t, 8> head_limits = {
    default_max_head_bytes, 0, 16, 64, 128, 512, 1024, std::size_t{1} << 40};

bool documented(error e, bool from_finish) {
    if (e == error::unexpected_eof || e == error::missing_answer) {
        return from_finish;
    }
    if (e == error::wrong_state) {
        return false; // every run starts the handshake first
    }
    for (error d : client_handshake::documented_errors) {
        if (d == e) {
            return true;
        }
    }
    return false;
}

struct snapshot {
    parse_result result{};
    parse_result finished{};
    std::vector<std::string> fields;
    bool operator==(const snapshot& o) const {
        return same(result, o.result) && same(finished, o.finished) && fields == o.fields;
    }
};

/// A handshake started as the option byte says, with keys from a fixed seed.
struct setup {
    client_options opt;
    std::string_view url;
    std::size_t max_head = 0;
};

void start(client_handshake& h, const setup& s) {
    std::mt19937 rng(76);
    FUZZ_CHECK(h.start(s.url, s.opt, rng) == error::none);
    FUZZ_CHECK(h.result().status == parse_status::need_more);
}

snapshot observe(client_handshake& h, std::string_view buf, const setup& s) {
    snapshot out;
    out.result = h.result();
    const bool is76 = s.opt.version == draft::draft76;
    for (std::size_t i = 0; i < h.field_count(); ++i) {
        const header_field f = h.field(i);
        FUZZ_CHECK(fuzz::within(f.name, buf) && fuzz::within(f.value, buf));
        out.fields.push_back(std::string(f.name) + '\0' + std::string(f.value));
    }
    const parse_result& r = out.result;
    if (r.status == parse_status::complete) {
        FUZZ_CHECK(r.err == error::none);
        // §4.1 steps 28-29: a 3-digit 101 between the first two spaces (draft-75: the exact line).
        const std::size_t sp1 = buf.find(' ');
        FUZZ_CHECK(sp1 != std::string_view::npos && buf.substr(sp1, 5) == " 101 ");
        FUZZ_CHECK(is76 || buf.substr(0, 13) == "HTTP/1.1 101 ");
        FUZZ_CHECK(h.find(is76 ? "Sec-WebSocket-Origin" : "WebSocket-Origin") == h.origin());
        FUZZ_CHECK(h.find(is76 ? "Sec-WebSocket-Location" : "WebSocket-Location") ==
                   h.expected_location());
        FUZZ_CHECK(detail::iequals(h.find("Upgrade"), "WebSocket"));
        FUZZ_CHECK(detail::iequals(h.find("Connection"), "Upgrade"));
        if (s.opt.exact_upgrade) {
            FUZZ_CHECK(h.find("Upgrade") == "WebSocket");
            if (!is76) {
                FUZZ_CHECK(buf.find("\r\n") + 2 + 41 <= buf.size());
                FUZZ_CHECK(buf.substr(buf.find("\r\n") + 2, 41) ==
                           "Upgrade: WebSocket\r\nConnection: Upgrade\r\n");
            }
        }
        if (!h.protocol().empty()) {
            FUZZ_CHECK(h.find(is76 ? "Sec-WebSocket-Protocol" : "WebSocket-Protocol") ==
                       h.protocol());
        }
        if (is76) {
            FUZZ_CHECK(r.consumed >= 16 + 4 && r.consumed <= s.max_head + 16);
            FUZZ_CHECK(buf.substr(r.consumed - 16 - 4, 4) == "\r\n\r\n");
            FUZZ_CHECK(buf.compare(r.consumed - 16, 16, h.expected_answer().data(), 16) == 0);
        } else {
            FUZZ_CHECK(r.consumed >= 4 && r.consumed <= s.max_head);
            FUZZ_CHECK(buf.substr(r.consumed - 4, 4) == "\r\n\r\n");
            constexpr std::string_view line75 = "HTTP/1.1 101 Web Socket Protocol Handshake\r\n";
            FUZZ_CHECK(buf.substr(0, line75.size()) == line75);
        }
    }
    if (r.status == parse_status::failed) {
        FUZZ_CHECK(documented(r.err, false));
        FUZZ_CHECK(r.consumed <= buf.size() && r.consumed <= s.max_head + 16);
        if (r.err == error::head_too_large) {
            FUZZ_CHECK(r.consumed == s.max_head);
        }
    }
    out.finished = h.finish(buf);
    if (r.status != parse_status::need_more) {
        FUZZ_CHECK(same(out.finished, r));
    } else {
        FUZZ_CHECK(out.finished.status == parse_status::failed);
        FUZZ_CHECK(out.finished.err == error::unexpected_eof ||
                   out.finished.err == error::missing_answer);
        FUZZ_CHECK(out.finished.consumed == buf.size());
    }
    FUZZ_CHECK(same(h.parse(buf), out.finished));
    return out;
}

snapshot run(std::string_view stream, const std::vector<std::size_t>& pieces, bool copy,
             const setup& s) {
    client_handshake h;
    start(h, s);
    std::unique_ptr<char[]> held;
    std::string_view buf;
    std::size_t have = 0;
    parse_result settled{};
    for (std::size_t k : pieces) {
        have += k;
        if (copy) {
            std::unique_ptr<char[]> next(new char[have == 0 ? 1 : have]);
            for (std::size_t i = 0; i < have; ++i) {
                next[i] = stream[i];
            }
            held = std::move(next);
            buf = std::string_view(held.get(), have);
        } else {
            buf = stream.substr(0, have);
        }
        const parse_result r = h.parse(buf);
        FUZZ_CHECK(r.consumed <= buf.size());
        if (r.status == parse_status::need_more) {
            FUZZ_CHECK(r.err == error::none);
        } else {
            FUZZ_CHECK(same(r, h.result()));
            FUZZ_CHECK(r.status == parse_status::complete ? r.err == error::none
                                                          : documented(r.err, false));
        }
        if (settled.status != parse_status::need_more) {
            FUZZ_CHECK(same(r, settled));
        } else if (r.status != parse_status::need_more) {
            settled = r;
        }
    }
    FUZZ_CHECK(have == stream.size());
    return observe(h, buf, s);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::reader in(data, size);
    const std::uint8_t opts = in.byte();
    const std::uint8_t opts2 = in.byte();
    const std::uint8_t seed = in.byte();
    const std::uint8_t max_piece = in.byte();
    setup s;
    s.opt.version = (opts & 1u) != 0 ? draft::draft75 : draft::draft76;
    s.url = urls[(opts >> 1) & 3u];
    s.opt.protocol = (opts & 8u) != 0 ? std::string_view("chat") : std::string_view();
    s.opt.max_head_bytes = head_limits[(opts >> 4) & 7u];
    s.opt.exact_upgrade = (opts2 & 1u) != 0;
    s.max_head =
        s.opt.max_head_bytes > (std::size_t{1} << 30) ? std::size_t{1} << 30 : s.opt.max_head_bytes;
    std::string stream(in.rest());
    if ((opts & 0x80u) != 0) {
        const std::size_t at = stream.find(answer_marker);
        if (at != std::string::npos) {
            client_handshake h;
            start(h, s);
            stream.replace(at, 16, h.expected_answer().data(), 16);
        }
    }
    stream.shrink_to_fit();

    const snapshot one = run(stream, {stream.size()}, true, s);
    const snapshot chunked = run(stream, fuzz::chunking(stream.size(), seed, max_piece), true, s);
    FUZZ_CHECK(one == chunked);
    const snapshot trickle = run(stream, fuzz::byte_by_byte(stream.size()), false, s);
    FUZZ_CHECK(one == trickle);
    return 0;
}
