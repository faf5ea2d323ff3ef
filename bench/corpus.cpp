// SPDX-License-Identifier: MIT
// bench/corpus.cpp — builds the benchmark inputs once (see common.hpp).
#include "common.hpp"

#include <map>
#include <memory>

namespace bench {
namespace {

/// Printable ASCII that varies from frame to frame, so no benchmark sees one repeated byte.
void fill_ascii(std::string& out, std::size_t n, std::size_t frame) {
    for (std::size_t j = 0; j < n; ++j) {
        out.push_back(static_cast<char>(0x20 + (frame * 7 + j * 13) % 95));
    }
}

/// Well-formed UTF-8 of exactly `n` bytes: whole sequences of 1 to 4 bytes from a fixed
/// rotation while they fit, then ASCII padding.
void fill_multibyte(std::string& out, std::size_t n, std::size_t frame) {
    static constexpr std::string_view seqs[] = {
        "a",            "\xC3\xA9",         "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
        " ",            "\xD0\x96",         "\xE4\xB8\x96", "\xF0\x9D\x84\x9E",
        "z",            "\xC3\x9F",         "\xE3\x81\x82", "\xF4\x8F\xBF\xBF",
    };
    constexpr std::size_t k = sizeof(seqs) / sizeof(seqs[0]);
    std::size_t used = 0;
    std::size_t s = frame % k;
    while (used + seqs[s].size() <= n) {
        out.append(seqs[s]);
        used += seqs[s].size();
        s = (s + 1) % k;
    }
    for (; used < n; ++used) {
        out.push_back('.');
    }
}

std::unique_ptr<corpus> build(std::size_t n, bool multibyte) {
    auto c = std::make_unique<corpus>();
    c->n = n;
    c->multibyte = multibyte;
    c->count = corpus_target_bytes / (n + 2);
    if (c->count == 0) {
        c->count = 1;
    }
    c->payload_bytes = n * c->count;
    c->wire.reserve(c->count * (n + 2));
    for (std::size_t f = 0; f < c->count; ++f) {
        c->wire.push_back('\x00');
        if (multibyte) {
            fill_multibyte(c->wire, n, f);
        } else {
            fill_ascii(c->wire, n, f);
        }
        c->wire.push_back('\xFF');
    }
    c->payloads.reserve(c->count);
    for (std::size_t f = 0; f < c->count; ++f) {
        c->payloads.emplace_back(c->wire.data() + f * (n + 2) + 1, n);
    }
    return c;
}

const corpus& cached(std::size_t n, bool multibyte) {
    static std::map<std::pair<std::size_t, bool>, std::unique_ptr<corpus>> cache;
    auto& slot = cache[{n, multibyte}];
    if (!slot) {
        slot = build(n, multibyte);
    }
    return *slot;
}

constexpr std::string_view spec_head =
    "GET /demo HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n"
    "Sec-WebSocket-Protocol: sample\r\n"
    "Upgrade: WebSocket\r\n"
    "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
    "Origin: http://example.com\r\n";
constexpr std::string_view spec_key3 = "^n:ds[4U";

} // namespace

const corpus& ascii_corpus(std::size_t n) { return cached(n, false); }
const corpus& multibyte_corpus(std::size_t n) { return cached(n, true); }

std::string_view spec_request() {
    static const std::string req = std::string(spec_head) + "\r\n" + std::string(spec_key3);
    return req;
}

std::string_view cookie_request() {
    static const std::string req = [] {
        std::string value;
        for (std::size_t i = 0; value.size() < 300; ++i) {
            if (!value.empty()) {
                value += "; ";
            }
            value += "c" + std::to_string(i) + "=";
            for (std::size_t j = 0; j < 20; ++j) {
                value.push_back(static_cast<char>('a' + (i * 5 + j * 3) % 26));
            }
        }
        value.resize(300);
        return std::string(spec_head) + "Cookie: " + value + "\r\n\r\n" + std::string(spec_key3);
    }();
    return req;
}

std::string_view spec_challenge_input() {
    // part1 = 4146546015 / 5 = 829309203 = 0x316E4113, part2 = 1299853100 / 5 = 259970620 =
    // 0x0F7ED63C (draft-76 §1.2 and §5.2 steps 4–9), then key3.
    static constexpr char bytes[16] = {'\x31', '\x6E', '\x41', '\x13', '\x0F', '\x7E',
                                       '\xD6', '\x3C', '^',    'n',    ':',    'd',
                                       's',    '[',    '4',    'U'};
    return {bytes, sizeof bytes};
}

} // namespace bench
