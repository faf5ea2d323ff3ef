// SPDX-License-Identifier: MIT
// tests/fuzz/fuzz_request.cpp — fuzz target for the server's request parser (request_parser).
//
// Input: byte 0 picks the limits (bits 0–2: max_head_bytes, bits 3–5: max_fields), byte 1
// seeds the chunking and byte 2 bounds its piece size (0: one piece); the rest is the stream
// a client sends.
//
// Invariant, for every input:
// - the stream fed in one piece, in the chosen chunking (each call on a fresh heap copy of
//   exactly the bytes so far, so the buffer moves and ASan sees any over-read) and byte by
//   byte gives the same result, the same accessors and the same finish() result;
// - only the codes listed in request_parser::parse's doc comment (plus unexpected_eof and
//   missing_key3 from finish()) ever appear; `consumed` never exceeds the input; need_more
//   never goes backwards; complete and failed are sticky, also across reset-free calls with
//   more bytes, and reset() starts afresh;
// - memory stays within the limits: a complete or failed result never claims more than
//   max_head_bytes + 8 bytes, head_too_large is reported exactly at max_head_bytes, the field
//   table never exceeds max_fields;
// - a complete draft-76 request has valid keys, key3 is the 8 bytes after the head and the
//   challenge is challenge_response(key1, key2, key3); every view points into the buffer;
// - the response and rejection writers produce a well-formed head for whatever was parsed.
#include "hixie76/handshake.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"

namespace {

using namespace hixie76;
using fuzz::same;

constexpr std::array<std::size_t, 8> head_limits = {
    default_max_head_bytes, 0, 16, 64, 128, 512, 1024, std::size_t{1} << 40};
constexpr std::array<std::size_t, 8> field_limits = {max_fields_capacity, 0, 1, 2, 4, 8, 16, 1000};

bool documented(error e, bool from_finish) {
    if (e == error::unexpected_eof || e == error::missing_key3) {
        return from_finish;
    }
    for (error d : request_parser::documented_errors) {
        if (d == e) {
            return true;
        }
    }
    return false;
}

/// Errors whose offset names a byte of the input (so it is below the input's size).
bool names_a_byte(error e) {
    switch (e) {
    case error::missing_host:
    case error::missing_upgrade:
    case error::missing_connection:
    case error::only_one_key:
    case error::rfc6455_request:
    case error::unexpected_eof:
    case error::missing_key3:
        return false;
    default:
        return true;
    }
}

/// Everything a caller can observe, copied out of the parser's views.
struct snapshot {
    parse_result result{};
    parse_result finished{};
    dialect kind = dialect::unknown;
    bool head_complete = false;
    std::size_t head_size = 0;
    std::string resource, host, origin, protocol, key1, key2, key3, head;
    challenge_bytes challenge{};
    std::vector<std::string> fields;

    bool operator==(const snapshot& o) const {
        return same(result, o.result) && same(finished, o.finished) && kind == o.kind &&
               head_complete == o.head_complete && head_size == o.head_size &&
               resource == o.resource && host == o.host && origin == o.origin &&
               protocol == o.protocol && key1 == o.key1 && key2 == o.key2 && key3 == o.key3 &&
               head == o.head && challenge == o.challenge && fields == o.fields;
    }
};

/// Checks what holds of any result of parse() on `buf`.
void check_result(const parse_result& r, std::string_view buf, const request_parser& p,
                  std::size_t max_head, std::size_t max_fields) {
    FUZZ_CHECK(r.consumed <= buf.size());
    FUZZ_CHECK(same(r, p.result()) || r.status == parse_status::need_more);
    FUZZ_CHECK(p.field_count() <= max_fields);
    switch (r.status) {
    case parse_status::need_more:
        FUZZ_CHECK(r.err == error::none);
        break;
    case parse_status::complete:
        FUZZ_CHECK(r.err == error::none);
        FUZZ_CHECK(r.consumed <= max_head + 8);
        break;
    case parse_status::failed:
        FUZZ_CHECK(documented(r.err, false));
        FUZZ_CHECK(r.consumed <= max_head + 8);
        if (names_a_byte(r.err)) {
            FUZZ_CHECK(r.consumed < buf.size());
        }
        break;
    }
}

/// Checks a well-formed head: `text` is a start line, fields and the blank line, and nothing
/// more.
void check_head_syntax(std::string_view text) {
    detail::head_tokenizer tok;
    const detail::head_step s = tok.advance(text, text.size(), max_fields_capacity);
    FUZZ_CHECK(s.status == parse_status::complete);
    FUZZ_CHECK(s.pos == text.size());
}

/// The response and rejection writers on whatever the parser holds.
void check_writers(const request_parser& p) {
    if (p.result().status == parse_status::failed) {
        const write_result need = write_rejection(p.result().err, nullptr, 0);
        FUZZ_CHECK(need.err == error::buffer_too_small);
        std::string out(need.size, '\0');
        const write_result w = write_rejection(p.result().err, out.data(), out.size());
        FUZZ_CHECK(w.err == error::none && w.size == need.size);
        const std::size_t body = out.find("\r\n\r\n");
        FUZZ_CHECK(body != std::string::npos);
        check_head_syntax(std::string_view(out).substr(0, body + 4));
        return;
    }
    if (!p.head_complete()) {
        FUZZ_CHECK(write_response_head(p, {}, nullptr, 0).err == error::wrong_state);
        return;
    }
    if (p.kind() == dialect::http) {
        FUZZ_CHECK(write_response_head(p, {}, nullptr, 0).err == error::wrong_state);
        return;
    }
    // The caller's values are checked before anything is written.
    if (p.origin().empty()) {
        response_options strict;
        strict.require_origin = true;
        FUZZ_CHECK(write_response_head(p, strict, nullptr, 0).err == error::missing_origin);
        FUZZ_CHECK(write_response_head(p, {}, nullptr, 0).err == error::buffer_too_small);
    }
    response_options bad;
    bad.origin = "http://fallback.test";
    bad.protocol = "chat\r\nSet-Cookie: x=y";
    FUZZ_CHECK(write_response_head(p, bad, nullptr, 0).err == error::unsafe_value);
    bad.protocol = {};
    const header_field bad_name[] = {{"Bad Name", "v"}};
    bad.extra_fields = bad_name;
    FUZZ_CHECK(write_response_head(p, bad, nullptr, 0).err == error::unsafe_value);
    const header_field bad_value[] = {{"X", std::string_view("a\0b", 3)}};
    bad.extra_fields = bad_value;
    FUZZ_CHECK(write_response_head(p, bad, nullptr, 0).err == error::unsafe_value);

    response_options opt;
    opt.origin = p.origin().empty() ? std::string_view("http://fallback.test") : p.origin();
    opt.protocol = p.protocol();
    const header_field extra[] = {{"Set-Cookie", "a=b"}};
    opt.extra_fields = extra;
    const write_result need = write_response_head(p, opt, nullptr, 0);
    FUZZ_CHECK(need.err == error::buffer_too_small);
    std::string out(need.size, '\0');
    const write_result w = write_response_head(p, opt, out.data(), out.size());
    FUZZ_CHECK(w.err == error::none && w.size == need.size);
    check_head_syntax(out);
    if (p.kind() == dialect::draft76 && p.result().status != parse_status::complete) {
        std::string early(out.size() + 16, '\0');
        FUZZ_CHECK(write_response(p, opt, early.data(), early.size()).err == error::wrong_state);
    }
    if (p.result().status == parse_status::complete) {
        std::string whole;
        FUZZ_CHECK(append_response(p, opt, whole) == error::none);
        FUZZ_CHECK(whole.compare(0, out.size(), out) == 0);
        if (p.kind() == dialect::draft76) {
            FUZZ_CHECK(whole.size() == out.size() + 16);
            FUZZ_CHECK(whole.compare(out.size(), 16, p.challenge().data(), 16) == 0);
        } else {
            FUZZ_CHECK(whole.size() == out.size());
        }
    }
}

/// Checks the parser once the whole stream has been given, and copies out what it holds.
snapshot observe(request_parser& p, std::string_view buf, std::size_t max_head,
                 std::size_t max_fields) {
    snapshot s;
    s.result = p.result();
    s.kind = p.kind();
    s.head_complete = p.head_complete();
    s.head_size = p.head_size();
    s.resource = std::string(p.resource());
    s.host = std::string(p.host());
    s.origin = std::string(p.origin());
    s.protocol = std::string(p.protocol());
    s.key1 = std::string(p.key1());
    s.key2 = std::string(p.key2());
    s.key3 = std::string(p.key3());
    s.head = std::string(p.head_bytes());
    s.challenge = p.challenge();
    for (std::size_t i = 0; i < p.field_count(); ++i) {
        const header_field f = p.field(i);
        FUZZ_CHECK(fuzz::within(f.name, buf) && fuzz::within(f.value, buf));
        if (s.head_complete || s.kind == dialect::rfc6455) {
            FUZZ_CHECK(!f.name.empty());
            for (char c : f.name) {
                FUZZ_CHECK(detail::is_tchar(c));
            }
            for (char c : f.value) {
                FUZZ_CHECK(!detail::is_forbidden_control(c));
            }
        }
        s.fields.push_back(std::string(f.name) + '\0' + std::string(f.value));
    }
    FUZZ_CHECK(fuzz::within(p.resource(), buf) && fuzz::within(p.head_bytes(), buf));
    FUZZ_CHECK(s.head_complete == (s.result.status != parse_status::failed &&
                                   (s.kind == dialect::http || s.kind == dialect::draft75 ||
                                    s.kind == dialect::draft76)));

    const parse_result& r = s.result;
    if (r.status == parse_status::complete) {
        FUZZ_CHECK(s.head_complete);
        FUZZ_CHECK(s.head_size <= max_head);
        FUZZ_CHECK(s.head_size >= 4 && buf.substr(s.head_size - 4, 4) == "\r\n\r\n");
        FUZZ_CHECK(p.has("Host"));
        FUZZ_CHECK(!s.resource.empty() && s.resource[0] == '/');
        FUZZ_CHECK(s.head == buf.substr(0, s.head_size));
        if (s.kind == dialect::draft76) {
            FUZZ_CHECK(r.consumed == s.head_size + 8);
            FUZZ_CHECK(s.key3 == buf.substr(s.head_size, 8));
            const key_result k1 = parse_key(s.key1);
            const key_result k2 = parse_key(s.key2);
            FUZZ_CHECK(k1.err == error::none && k2.err == error::none);
            const challenge_result c = challenge_response(s.key1, s.key2, s.key3);
            FUZZ_CHECK(c.err == error::none && c.response == s.challenge);
            FUZZ_CHECK(challenge_from_parts(k1.part, k2.part, s.key3) == s.challenge);
        } else {
            FUZZ_CHECK(r.consumed == s.head_size);
            FUZZ_CHECK(s.key3.empty());
        }
        if (s.kind == dialect::draft75 || s.kind == dialect::draft76) {
            FUZZ_CHECK(p.has("Upgrade") && p.has("Connection"));
        }
        if (s.kind != dialect::draft76) {
            FUZZ_CHECK(!p.has("Sec-WebSocket-Key1") && !p.has("Sec-WebSocket-Key2"));
        }
    }
    if (r.status == parse_status::failed) {
        if (r.err == error::rfc6455_request) {
            FUZZ_CHECK(s.kind == dialect::rfc6455);
            FUZZ_CHECK(r.consumed == s.head_size);
            FUZZ_CHECK(p.has("Sec-WebSocket-Key") || p.has("Sec-WebSocket-Version"));
        }
        if (r.err == error::head_too_large) {
            FUZZ_CHECK(r.consumed == max_head);
        }
        if (r.err == error::too_many_fields) {
            FUZZ_CHECK(p.field_count() == max_fields);
        }
    }
    check_writers(p);

    // finish(): the same result when settled; otherwise the documented end-of-stream codes.
    s.finished = p.finish(buf);
    if (r.status != parse_status::need_more) {
        FUZZ_CHECK(same(s.finished, r));
    } else {
        FUZZ_CHECK(s.finished.status == parse_status::failed);
        FUZZ_CHECK(s.finished.err == error::unexpected_eof ||
                   s.finished.err == error::missing_key3);
        FUZZ_CHECK(s.finished.consumed == buf.size());
        FUZZ_CHECK(documented(s.finished.err, true));
    }
    // Sticky after finish() too.
    FUZZ_CHECK(same(p.parse(buf), s.finished));
    return s;
}

/// Feeds `stream` in the given pieces; each call gets a fresh heap copy of the bytes so far
/// when `copy` is set (the buffer moves), else a prefix view.
snapshot run(std::string_view stream, const std::vector<std::size_t>& pieces, bool copy,
             const request_config& cfg) {
    // The limits in force: the parser clamps the configured ones.
    const std::size_t max_head =
        cfg.max_head_bytes > (std::size_t{1} << 30) ? std::size_t{1} << 30 : cfg.max_head_bytes;
    const std::size_t max_fields =
        cfg.max_fields > max_fields_capacity ? max_fields_capacity : cfg.max_fields;
    request_parser p(cfg);
    std::unique_ptr<char[]> held;
    std::string_view buf;
    std::size_t have = 0;
    parse_result settled{};
    std::size_t last_scan = 0;
    for (std::size_t k : pieces) {
        have += k;
        if (copy) {
            std::unique_ptr<char[]> next(new char[have == 0 ? 1 : have]);
            for (std::size_t i = 0; i < have; ++i) {
                next[i] = stream[i];
            }
            held = std::move(next); // the previous buffer is freed: no view may survive it
            buf = std::string_view(held.get(), have);
        } else {
            buf = stream.substr(0, have);
        }
        const parse_result r = p.parse(buf);
        check_result(r, buf, p, max_head, max_fields);
        if (settled.status != parse_status::need_more) {
            FUZZ_CHECK(same(r, settled)); // sticky
        } else if (r.status == parse_status::need_more) {
            FUZZ_CHECK(r.consumed >= last_scan);
            last_scan = r.consumed;
        } else {
            settled = r;
        }
    }
    FUZZ_CHECK(have == stream.size());
    return observe(p, buf, max_head, max_fields);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::reader in(data, size);
    const std::uint8_t opts = in.byte();
    const std::uint8_t seed = in.byte();
    const std::uint8_t max_piece = in.byte();
    request_config cfg;
    cfg.max_head_bytes = head_limits[opts & 7u];
    cfg.max_fields = field_limits[(opts >> 3) & 7u];
    const std::string_view stream = in.rest();

    const snapshot one = run(stream, {stream.size()}, false, cfg);
    const snapshot chunked = run(stream, fuzz::chunking(stream.size(), seed, max_piece), true, cfg);
    FUZZ_CHECK(one == chunked);
    const snapshot trickle = run(stream, fuzz::byte_by_byte(stream.size()), false, cfg);
    FUZZ_CHECK(one == trickle);

    // reset() forgets everything, the failure included.
    request_parser fresh(cfg);
    const parse_result first = fresh.parse(stream);
    request_parser p(cfg);
    (void)p.parse(stream);
    (void)p.finish(stream);
    p.reset();
    FUZZ_CHECK(p.result().status == parse_status::need_more && p.kind() == dialect::unknown);
    FUZZ_CHECK(same(p.parse(stream), first));
    return 0;
}
