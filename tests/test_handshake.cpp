// SPDX-License-Identifier: MIT
// tests/test_handshake.cpp — the server's opening handshake: request_parser under every
// chunking, every error it can report at its exact offset, and the response serializers.
#include "hixie76/handshake.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "support.hpp"
#include "vectors/handshake_vectors.hpp"

namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;
using hixie76::dialect;
using hixie76::error;
using hixie76::parse_result;
using hixie76::parse_status;
using hixie76::request_config;
using hixie76::request_parser;

// --- promises ---------------------------------------------------------------------------------

static_assert(noexcept(std::declval<request_parser&>().parse(std::string_view())));
static_assert(noexcept(std::declval<request_parser&>().finish(std::string_view())));
static_assert(noexcept(std::declval<request_parser&>().reset()));
static_assert(noexcept(hixie76::write_response_head(std::declval<const request_parser&>(),
                                                    hixie76::response_options{}, nullptr, 0)));
static_assert(noexcept(hixie76::write_response(std::declval<const request_parser&>(),
                                               hixie76::response_options{}, nullptr, 0)));
static_assert(noexcept(hixie76::write_rejection(error::none, nullptr, 0)));
static_assert(noexcept(hixie76::write_http_response(200, "", "", nullptr, 0)));

// The §1.2 example handshake is parsed, and its answer computed, at compile time.
constexpr request_parser parsed_at_compile_time() {
    request_parser p;
    static_cast<void>(p.parse(vectors::spec_1_2_request));
    return p;
}
constexpr bool same_bytes(const hixie76::challenge_bytes& a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}
static_assert(parsed_at_compile_time().result().status == parse_status::complete);
static_assert(parsed_at_compile_time().result().consumed == vectors::spec_1_2_request.size());
static_assert(parsed_at_compile_time().kind() == dialect::draft76);
static_assert(same_bytes(parsed_at_compile_time().challenge(), "8jKS'y:G*Co,Wxa-"));

// --- names for the normal form ----------------------------------------------------------------

std::string_view status_name(parse_status s) {
    switch (s) {
    case parse_status::complete:
        return "complete";
    case parse_status::need_more:
        return "need_more";
    case parse_status::failed:
        return "failed";
    }
    return "?";
}

std::string_view dialect_name(dialect d) {
    switch (d) {
    case dialect::unknown:
        return "unknown";
    case dialect::http:
        return "http";
    case dialect::draft75:
        return "draft75";
    case dialect::draft76:
        return "draft76";
    case dialect::rfc6455:
        return "rfc6455";
    }
    return "?";
}

/// Printable ASCII as is, everything else as \xNN, so logs compare and print cleanly.
std::string escaped(std::string_view s) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7F && c != '\\') {
            out.push_back(c);
        } else {
            out += "\\x";
            out.push_back(digits[b >> 4]);
            out.push_back(digits[b & 0x0F]);
        }
    }
    return out;
}

std::string challenge_hex(const request_parser& p) {
    return test::hex(std::string_view(p.challenge().data(), p.challenge().size()));
}

/// The normal form of a parser's outcome: status, code, offset, dialect, every field and every
/// accessor. Two runs over the same bytes must give the same text whatever the chunking.
std::string render(const request_parser& p, parse_result r) {
    std::string s;
    s += std::string(status_name(r.status)) + " " + std::string(hixie76::to_string(r.err)) +
         " at " + std::to_string(r.consumed) + "\n";
    s += "kind " + std::string(dialect_name(p.kind())) +
         (p.head_complete() ? " head_complete" : "") + " head_size " +
         std::to_string(p.head_size()) + "\n";
    for (std::size_t i = 0; i < p.field_count(); ++i) {
        const hixie76::header_field f = p.field(i);
        s += "field [" + escaped(f.name) + "] [" + escaped(f.value) + "]\n";
    }
    s += "resource [" + escaped(p.resource()) + "] host [" + escaped(p.host()) + "] origin [" +
         escaped(p.origin()) + "] protocol [" + escaped(p.protocol()) + "]\n";
    s += "key1 [" + escaped(p.key1()) + "] key2 [" + escaped(p.key2()) + "] key3 [" +
         escaped(p.key3()) + "]\n";
    if (r.status == parse_status::complete && p.kind() == dialect::draft76) {
        s += "challenge " + challenge_hex(p) + "\n";
    }
    // head_bytes() is always a prefix of the buffer; its length says all.
    s += "head_bytes " + std::to_string(p.head_bytes().size()) + "\n";
    return s;
}

bool same_result(parse_result a, parse_result b) {
    return a.status == b.status && a.err == b.err && a.consumed == b.consumed;
}

// --- feeding in pieces ------------------------------------------------------------------------

enum class feed_mode {
    growing_string, ///< each piece appended to one std::string (which may reallocate)
    exact_copies,   ///< each prefix as a fresh exact-size heap copy (ASan sees over-reads)
};

struct run_options {
    request_config cfg{};
    bool finish = false; ///< call finish() after the last piece
};

/// Feeds `input` in the pieces of `c` and returns the normal form of the outcome. Once the
/// parser stops asking for more, the whole input is given once more and must get the same
/// result (failures and completions are sticky), so the final outcome always views all of
/// `input`.
std::string run(std::string_view input, const test::chunking& c, feed_mode mode,
                const run_options& o) {
    request_parser p(o.cfg);
    parse_result r{};
    std::string grown;
    std::unique_ptr<test::exact_copy> copy;
    std::string_view view;
    std::size_t at = 0;
    bool stopped = false;
    const auto give = [&](std::size_t upto) {
        if (mode == feed_mode::growing_string) {
            grown.append(input.substr(grown.size(), upto - grown.size()));
            view = grown;
        } else {
            copy = std::make_unique<test::exact_copy>(input.substr(0, upto));
            view = copy->view();
        }
    };
    give(0);
    for (std::size_t piece : c) {
        at += piece;
        give(at);
        r = p.parse(view);
        if (r.status == parse_status::need_more && r.consumed > view.size()) {
            return "need_more beyond the input";
        }
        if (r.status != parse_status::need_more) {
            stopped = true;
            break;
        }
    }
    if (stopped) {
        give(input.size());
        const parse_result again = p.parse(view);
        if (!same_result(again, r)) {
            return "not sticky: " + std::string(status_name(again.status)) + " " +
                   std::string(hixie76::to_string(again.err));
        }
    }
    if (o.finish) {
        r = p.finish(view);
    }
    return render(p, r);
}

/// The one-shot outcome, then every chunking of test::all_chunkings in both feed modes, must
/// all agree.
void check_every_chunking(std::string_view input, const run_options& o,
                          std::size_t random_count = 32) {
    const std::string want = run(input, {input.size()}, feed_mode::growing_string, o);
    // Heads of several KiB make every 2-way split cost O(n^2); there the exact-size copies
    // (which add an O(n) copy per piece) run on every 16th chunking only.
    const std::size_t copy_stride = input.size() > 4096 ? 16 : 1;
    std::size_t index = 0;
    for (const test::chunking& c : test::all_chunkings(input.size(), random_count)) {
        const bool with_copies = index++ % copy_stride == 0;
        for (feed_mode mode : {feed_mode::growing_string, feed_mode::exact_copies}) {
            if (mode == feed_mode::exact_copies && !with_copies) {
                continue;
            }
            const std::string got = run(input, c, mode, o);
            CAPTURE(test::describe(c));
            CAPTURE(mode == feed_mode::growing_string ? "growing string" : "exact copies");
            CHECK(got == want);
        }
    }
}

// --- building requests ------------------------------------------------------------------------

/// Joins lines with CRLF and ends the head with the blank line.
std::string head(std::initializer_list<std::string_view> lines) {
    std::string s;
    for (std::string_view l : lines) {
        s.append(l);
        s += "\r\n";
    }
    s += "\r\n";
    return s;
}

/// A draft-76 request in the §1.2 example's field order with the given keys.
std::string head76(std::string_view key1, std::string_view key2) {
    return "GET /demo HTTP/1.1\r\n"
           "Host: example.com\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Key2: " +
           std::string(key2) +
           "\r\n"
           "Upgrade: WebSocket\r\n"
           "Sec-WebSocket-Key1: " +
           std::string(key1) +
           "\r\n"
           "Origin: http://example.com\r\n"
           "\r\n";
}

const std::string spec12{vectors::spec_1_2_request};
const std::string spec12_key3 = "^n:ds[4U";
const std::string spec12_head = spec12.substr(0, spec12.size() - 8);

const std::string draft75_request =
    head({"GET /demo HTTP/1.1", "Upgrade: WebSocket", "Connection: Upgrade", "Host: example.com",
          "Origin: http://example.com", "WebSocket-Protocol: sample"});

const std::string rfc6455_head = head(
    {"GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket", "Connection: Upgrade",
     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Origin: http://example.com",
     "Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Version: 13"});

std::string replace_once(std::string s, std::string_view from, std::string_view to) {
    const std::size_t at = s.find(from);
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
    return s;
}

std::size_t offset_of(const std::string& s, std::string_view needle, std::size_t plus = 0) {
    const std::size_t at = s.find(needle);
    REQUIRE(at != std::string::npos);
    return at + plus;
}

/// Offset of the value of field `name` (written as `\r\nName: value`).
std::size_t value_offset(const std::string& s, std::string_view name) {
    return offset_of(s, "\r\n" + std::string(name) + ": ", name.size() + 4);
}

/// Offset of the name of the second field called `name`.
std::size_t second_name_offset(const std::string& s, std::string_view name) {
    const std::string needle = "\r\n" + std::string(name) + ":";
    const std::size_t first = offset_of(s, needle);
    const std::size_t second = s.find(needle, first + 1);
    REQUIRE(second != std::string::npos);
    return second + 2;
}

std::size_t head_end(const std::string& s) { return offset_of(s, "\r\n\r\n", 4); }

/// `n` filler fields `X-Fill-<i>: v`, inserted before the blank line.
std::string with_fillers(const std::string& s, std::size_t n) {
    std::string fill;
    for (std::size_t i = 0; i < n; ++i) {
        fill += "\r\nX-Fill-" + std::to_string(i) + ": v";
    }
    return replace_once(s, "\r\n\r\n", fill + "\r\n\r\n");
}

// --- the case tables --------------------------------------------------------------------------

struct request_case {
    std::string name;
    std::string input;
    run_options opt{};
    parse_status status = parse_status::complete;
    error err = error::none;
    std::size_t consumed = 0; ///< complete: bytes that are the handshake; failed: the offset
    dialect kind = dialect::unknown;
    std::string challenge = {}; ///< hex, for complete draft-76 requests
};

std::vector<request_case> positive_cases() {
    std::vector<request_case> out;
    for (const auto& v : vectors::server_positive) {
        const std::string h = head76(v.key1, v.key2);
        out.push_back({"vector " + std::string(v.name),
                       h + std::string(v.key3),
                       {},
                       parse_status::complete,
                       error::none,
                       h.size() + 8,
                       dialect::draft76,
                       std::string(v.response_hex)});
    }
    out.push_back({"the §1.2 example request verbatim, fields shuffled as in the draft",
                   spec12,
                   {},
                   parse_status::complete,
                   error::none,
                   spec12.size(),
                   dialect::draft76,
                   "386a4b5327793a472a436f2c5778612d"});
    out.push_back({"frames after key3 are not consumed",
                   spec12 + "\x00hello\xff\xff\x00"s,
                   {},
                   parse_status::complete,
                   error::none,
                   spec12.size(),
                   dialect::draft76,
                   "386a4b5327793a472a436f2c5778612d"});
    out.push_back({"key3 holding 0x00, 0x0D, 0x0A and 0xFF",
                   spec12_head + "\x00\r\n\xff\r\n\r\n"s,
                   {},
                   parse_status::complete,
                   error::none,
                   spec12.size(),
                   dialect::draft76,
                   "7ea84a7f22013e7fdb48db6fc7bbbeb5"});
    out.push_back({"key3 made of CRLF pairs",
                   spec12_head + "\r\n\r\n\r\n\r\n",
                   {},
                   parse_status::complete,
                   error::none,
                   spec12.size(),
                   dialect::draft76,
                   "fbfe51467eeb432cd8579391dfbe2996"});
    out.push_back({"a draft-75 request",
                   draft75_request,
                   {},
                   parse_status::complete,
                   error::none,
                   draft75_request.size(),
                   dialect::draft75});
    out.push_back({"a draft-75 request followed by a frame",
                   draft75_request + "\x00hi\xff"s,
                   {},
                   parse_status::complete,
                   error::none,
                   draft75_request.size(),
                   dialect::draft75});
    {
        const std::string plain = head({"GET / HTTP/1.1", "Host: example.com", "Accept: */*"});
        out.push_back({"a plain GET",
                       plain,
                       {},
                       parse_status::complete,
                       error::none,
                       plain.size(),
                       dialect::http});
        const std::string ka =
            head({"GET /index.html?x=1 HTTP/1.1", "Host: example.com", "Connection: keep-alive"});
        out.push_back({"a plain keep-alive GET",
                       ka + "GET / HTTP/1.1\r\n",
                       {},
                       parse_status::complete,
                       error::none,
                       ka.size(),
                       dialect::http});
        // HTTP lets a server ignore an Upgrade it does not speak (RFC 9110 §7.8).
        const std::string h2c = head({"GET / HTTP/1.1", "Host: example.com", "Upgrade: h2c",
                                      "Connection: Upgrade, HTTP2-Settings"});
        out.push_back({"a GET asking for another upgrade is plain HTTP",
                       h2c,
                       {},
                       parse_status::complete,
                       error::none,
                       h2c.size(),
                       dialect::http});
        const std::string conn =
            head({"GET / HTTP/1.1", "Host: example.com", "Connection: Upgrade"});
        out.push_back({"Connection: Upgrade without Upgrade or keys is plain HTTP",
                       conn,
                       {},
                       parse_status::complete,
                       error::none,
                       conn.size(),
                       dialect::http});
    }
    {
        const std::string h =
            head({"GET /websocket HTTP/1.1", "upgrade: WebSocket", "connection: upgrade",
                  "host: localhost:8080", "origin: http://localhost:8080",
                  "sec-websocket-key1: 4 @1  46546xW%0l 1 5",
                  "sec-websocket-key2: 12998 5 Y3 1  .P00", "content-length: 8"});
        out.push_back({"Netty's lowercase request with content-length: 8",
                       h + spec12_key3,
                       {},
                       parse_status::complete,
                       error::none,
                       h.size() + 8,
                       dialect::draft76,
                       "386a4b5327793a472a436f2c5778612d"});
    }
    {
        const std::string s =
            replace_once(spec12, "Connection: Upgrade", "Connection: keep-alive, Upgrade");
        out.push_back({"Connection: keep-alive, Upgrade",
                       s,
                       {},
                       parse_status::complete,
                       error::none,
                       s.size(),
                       dialect::draft76,
                       "386a4b5327793a472a436f2c5778612d"});
    }
    {
        std::string s = replace_once(spec12, "Host:", "HOST:");
        s = replace_once(s, "Upgrade: WebSocket", "uPgRaDe: WEBSOCKET");
        s = replace_once(s, "Connection: Upgrade", "CONNECTION: UPGRADE");
        s = replace_once(s, "Sec-WebSocket-Key1", "SEC-WEBSOCKET-KEY1");
        s = replace_once(s, "Sec-WebSocket-Key2", "sec-websocket-key2");
        s = replace_once(s, "Sec-WebSocket-Protocol", "sec-WebSocket-PROTOCOL");
        s = replace_once(s, "Origin:", "oRIGIN:");
        out.push_back({"field names in any case",
                       s,
                       {},
                       parse_status::complete,
                       error::none,
                       s.size(),
                       dialect::draft76,
                       "386a4b5327793a472a436f2c5778612d"});
    }
    {
        std::string s = replace_once(spec12, "Host: ", "Host:");
        s = replace_once(s, "Origin: ", "Origin:");
        out.push_back({"no space after the colon",
                       s,
                       {},
                       parse_status::complete,
                       error::none,
                       s.size(),
                       dialect::draft76,
                       "386a4b5327793a472a436f2c5778612d"});
    }
    {
        // Two spaces after the colon: the key keeps one leading space, which counts.
        const std::string s = replace_once(spec12, "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                                           "Sec-WebSocket-Key1:  1 2");
        out.push_back({"a key whose value keeps a leading space",
                       s,
                       {},
                       parse_status::complete,
                       error::none,
                       s.size(),
                       dialect::draft76,
                       "4895a18bafe580554e5a3ffba87aa145"});
    }
    {
        const std::string s =
            replace_once(spec12, "\r\n\r\n", "\r\nSec-WebSocket-Draft: 0\r\n\r\n");
        out.push_back({"Sec-WebSocket-Draft: 0",
                       s,
                       {},
                       parse_status::complete,
                       error::none,
                       s.size(),
                       dialect::draft76,
                       "386a4b5327793a472a436f2c5778612d"});
    }
    {
        run_options exact;
        exact.cfg.max_head_bytes = spec12_head.size();
        exact.cfg.max_fields = 7;
        out.push_back({"a head of exactly the configured byte and field limits", spec12, exact,
                       parse_status::complete, error::none, spec12.size(), dialect::draft76,
                       "386a4b5327793a472a436f2c5778612d"});
    }
    {
        const std::string s = with_fillers(spec12, 64 - 7);
        out.push_back({"64 fields, the default limit",
                       s,
                       {},
                       parse_status::complete,
                       error::none,
                       s.size(),
                       dialect::draft76,
                       "386a4b5327793a472a436f2c5778612d"});
    }
    {
        run_options fin;
        fin.finish = true;
        out.push_back({"finish() after a complete request", spec12, fin, parse_status::complete,
                       error::none, spec12.size(), dialect::draft76,
                       "386a4b5327793a472a436f2c5778612d"});
    }
    return out;
}

request_case fails(std::string name, std::string input, error e, std::size_t at,
                   run_options o = {}) {
    request_case c;
    c.name = std::move(name);
    c.input = std::move(input);
    c.opt = o;
    c.status = parse_status::failed;
    c.err = e;
    c.consumed = at;
    return c;
}

std::vector<request_case> negative_cases() {
    std::vector<request_case> out;
    const std::string& s = spec12;
    const auto line = [&](std::string_view from, std::string_view to) {
        return replace_once(s, from, to);
    };

    // Request line (draft-76 §4.1 step 5).
    out.push_back(fails("POST", line("GET /demo", "POST /demo"), error::bad_method, 0));
    out.push_back(fails("lowercase get", line("GET /demo", "get /demo"), error::bad_method, 0));
    out.push_back(fails("OPTIONS", line("GET /demo", "OPTIONS /demo"), error::bad_method, 0));
    out.push_back(fails("target without a slash", line("GET /demo", "GET demo"),
                        error::bad_request_target, 4));
    out.push_back(
        fails("asterisk target", line("GET /demo", "GET *"), error::bad_request_target, 4));
    out.push_back(fails("absolute-form target", line("GET /demo", "GET http://example.com/demo"),
                        error::bad_request_target, 4));
    out.push_back(fails("fragment in the target", line("GET /demo", "GET /de#mo"),
                        error::bad_request_target, 7));
    out.push_back(fails("non-ASCII byte in the target", line("GET /demo", "GET /d\xc3\xa9mo"),
                        error::bad_request_target, 6));
    out.push_back(fails("HTTP/1.0", line("HTTP/1.1", "HTTP/1.0"), error::bad_version, 10));
    out.push_back(fails("lowercase version", line("HTTP/1.1", "http/1.1"), error::bad_version, 10));
    out.push_back(fails("HTTP/1.11", line("HTTP/1.1", "HTTP/1.11"), error::bad_version, 10));
    out.push_back(fails("request line with one token", line("GET /demo HTTP/1.1", "GET"),
                        error::bad_request_line, 3));
    out.push_back(fails("request line with two tokens", line("GET /demo HTTP/1.1", "GET /demo"),
                        error::bad_request_line, 9));
    out.push_back(fails("double space in the request line", line("GET /demo", "GET  /demo"),
                        error::bad_request_line, 4));
    out.push_back(fails("trailing space in the request line", line("HTTP/1.1", "HTTP/1.1 "),
                        error::bad_request_line, 18));
    out.push_back(fails("four tokens", line("HTTP/1.1", "HTTP/1.1 x"), error::bad_request_line, 18));
    out.push_back(fails("a request line starting with a space", line("GET /demo", " GET /demo"),
                        error::bad_request_line, 0));
    out.push_back(fails("an empty version", line("GET /demo HTTP/1.1", "GET /demo "),
                        error::bad_request_line, 10));
    out.push_back(fails("a method that is not a token", line("GET /demo", "G(T /demo"),
                        error::bad_request_line, 1));
    out.push_back(fails("an empty request line", "\r\n" + s.substr(offset_of(s, "\r\n", 2)),
                        error::bad_request_line, 0));

    // Line endings (§4.1 steps 24–25).
    out.push_back(
        fails("request line ending in LF", line("HTTP/1.1\r\n", "HTTP/1.1\n"), error::bare_lf, 18));
    {
        const std::string t = line("Host: example.com\r\n", "Host: example.com\n");
        out.push_back(fails("field ending in LF", t, error::bare_lf, offset_of(t, "com\n", 3)));
    }
    {
        const std::string t = line("Host:", "Ho\nst:");
        out.push_back(fails("LF inside a field name", t, error::bare_lf, offset_of(t, "Ho\n", 2)));
    }
    {
        const std::string t = line("\r\n\r\n", "\r\n\n");
        out.push_back(fails("blank line of a bare LF", t, error::bare_lf, head_end(s) - 2));
    }
    out.push_back(fails("request line ending in CR alone", line("HTTP/1.1\r\n", "HTTP/1.1\rX"),
                        error::bare_cr, 18));
    {
        const std::string t = line("Host: example.com", "Host: exa\rmple.com");
        out.push_back(fails("CR inside a value", t, error::bare_cr, offset_of(t, "\rmple")));
    }
    {
        const std::string t = line("\r\n\r\n", "\r\n\rX\n");
        out.push_back(fails("blank line CR without LF", t, error::bare_cr, head_end(s) - 2));
    }

    // Field syntax.
    {
        const std::string t = line("Host: example.com", "Host example.com");
        out.push_back(fails("field line without a colon", t, error::malformed_field,
                            offset_of(t, "Host example", 4)));
    }
    {
        const std::string t = line("Host: example.com", "Hostexample.com");
        out.push_back(fails("field name running to the end of the line", t, error::malformed_field,
                            offset_of(t, "Hostexample.com\r", 15)));
    }
    {
        const std::string t = line("Host: example.com", ": example.com");
        out.push_back(
            fails("empty field name", t, error::malformed_field, offset_of(t, "\r\n: example", 2)));
    }
    {
        const std::string t = line("Host: example.com", "Host : example.com");
        out.push_back(
            fails("space before the colon", t, error::malformed_field, offset_of(t, "Host :", 4)));
    }
    {
        const std::string t = line("Origin: http://example.com", "Origin: http://\r\n example.com");
        out.push_back(fails("obs-fold continuation with a space", t, error::malformed_field,
                            offset_of(t, "\r\n example", 2)));
    }
    {
        const std::string t =
            line("Origin: http://example.com", "Origin: http://\r\n\texample.com");
        out.push_back(fails("obs-fold continuation with a tab", t, error::malformed_field,
                            offset_of(t, "\r\n\texample", 2)));
    }
    {
        const std::string t = line("Host:", "Ho(st:");
        out.push_back(
            fails("a separator in a field name", t, error::malformed_field, offset_of(t, "(")));
    }
    {
        const std::string t = line("Host:", "H\xc3\xb6st:");
        out.push_back(fails("a non-ASCII byte in a field name", t, error::malformed_field,
                            offset_of(t, "\xc3")));
    }

    // Control bytes.
    {
        const std::string t = line("http://example.com", "http://exa\0mple.com"sv);
        out.push_back(fails("NUL in a value", t, error::bad_control_char, offset_of(t, "\0"sv)));
    }
    out.push_back(fails("NUL in the request line", line("GET /demo", "GET /de\0mo"sv),
                        error::bad_control_char, 7));
    out.push_back(fails("tab in the request line", line("GET /demo", "GET\t/demo"),
                        error::bad_control_char, 3));
    {
        const std::string t = line("http://example.com", "http://exa\x7fmple.com");
        out.push_back(fails("DEL in a value", t, error::bad_control_char, offset_of(t, "\x7f")));
    }
    {
        const std::string t = line("http://example.com", "http://exa\x1bmple.com");
        out.push_back(fails("ESC in a value", t, error::bad_control_char, offset_of(t, "\x1b")));
    }

    // Limits.
    {
        const std::string t = line("\r\n\r\n", "\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n");
        out.push_back(fails("a head over the default 8 KiB", t, error::head_too_large,
                            hixie76::default_max_head_bytes));
    }
    {
        run_options o;
        o.cfg.max_head_bytes = 64;
        out.push_back(fails("a head over a configured 64 bytes", s, error::head_too_large, 64, o));
        o.cfg.max_head_bytes = spec12_head.size() - 1;
        out.push_back(fails("a head one byte over the configured limit", s, error::head_too_large,
                            spec12_head.size() - 1, o));
        o.cfg.max_head_bytes = 0;
        out.push_back(fails("a zero byte limit", s, error::head_too_large, 0, o));
    }
    {
        run_options o;
        o.cfg.max_fields = 3;
        out.push_back(fails("more fields than a configured 3", s, error::too_many_fields,
                            offset_of(s, "Sec-WebSocket-Protocol"), o));
        o.cfg.max_fields = 0;
        out.push_back(fails("any field when the limit is 0", s, error::too_many_fields,
                            offset_of(s, "Host"), o));
        const std::string t = with_fillers(s, 64 - 7 + 1);
        out.push_back(fails("65 fields, one over the default 64", t, error::too_many_fields,
                            offset_of(t, "X-Fill-57:")));
        o.cfg.max_fields = 1000; // clamped to the table's capacity
        out.push_back(fails("65 fields with a limit above the capacity", t, error::too_many_fields,
                            offset_of(t, "X-Fill-57:"), o));
    }

    // Required fields and their values.
    {
        const std::string t = line("Host: example.com\r\n", "");
        out.push_back(fails("no Host", t, error::missing_host, head_end(t)));
    }
    {
        const std::string t = line("Upgrade: WebSocket\r\n", "");
        out.push_back(fails("keys but no Upgrade", t, error::missing_upgrade, head_end(t)));
    }
    {
        const std::string t = line("Upgrade: WebSocket", "Upgrade: WebSocket2");
        out.push_back(
            fails("Upgrade: WebSocket2", t, error::bad_upgrade, value_offset(t, "Upgrade")));
    }
    {
        const std::string t = line("Connection: Upgrade\r\n", "");
        out.push_back(fails("no Connection", t, error::missing_connection, head_end(t)));
    }
    {
        const std::string t = line("Connection: Upgrade", "Connection: keep-alive");
        out.push_back(fails("Connection: keep-alive", t, error::bad_connection,
                            value_offset(t, "Connection")));
    }
    {
        const std::string t = line("Connection: Upgrade", "Connection: Upgraded");
        out.push_back(
            fails("Connection: Upgraded", t, error::bad_connection, value_offset(t, "Connection")));
    }
    {
        const std::string t = line("Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n", "");
        out.push_back(fails("Key1 without Key2", t, error::only_one_key, head_end(t)));
    }
    {
        const std::string t = line("Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n", "");
        out.push_back(fails("Key2 without Key1", t, error::only_one_key, head_end(t)));
    }
    {
        const std::string t = line("\r\n\r\n", "\r\nSec-WebSocket-Key1: 1 2\r\n\r\n");
        out.push_back(fails("Key1 twice", t, error::duplicate_key,
                            second_name_offset(t, "Sec-WebSocket-Key1")));
    }
    {
        const std::string t = line("\r\n\r\n", "\r\nsec-websocket-key2: 1 2\r\n\r\n");
        out.push_back(fails("Key2 twice, in another case", t, error::duplicate_key,
                            offset_of(t, "sec-websocket-key2")));
    }
    for (std::string_view dup :
         {"Host: example.org"sv, "Origin: http://evil.example"sv, "Upgrade: WebSocket"sv,
          "Connection: Upgrade"sv, "Sec-WebSocket-Protocol: other"sv}) {
        const std::string t = line("\r\n\r\n", "\r\n" + std::string(dup) + "\r\n\r\n");
        const std::string_view name = dup.substr(0, dup.find(':'));
        out.push_back(fails("duplicate " + std::string(name), t, error::duplicate_field,
                            second_name_offset(t, name)));
    }
    {
        const std::string t = line("Sec-WebSocket-Protocol: sample", "Sec-WebSocket-Protocol: ");
        out.push_back(fails("empty subprotocol", t, error::bad_protocol,
                            value_offset(t, "Sec-WebSocket-Protocol")));
    }
    {
        const std::string t = line("Sec-WebSocket-Protocol: sample", "Sec-WebSocket-Protocol:");
        out.push_back(fails("empty subprotocol without a space", t, error::bad_protocol,
                            offset_of(t, "Protocol:\r", 9)));
    }
    {
        const std::string t =
            line("Sec-WebSocket-Protocol: sample", "Sec-WebSocket-Protocol: sam\tple");
        out.push_back(fails("tab in the subprotocol", t, error::bad_protocol, offset_of(t, "\t")));
    }
    {
        const std::string t =
            line("Sec-WebSocket-Protocol: sample", "Sec-WebSocket-Protocol: caf\xc3\xa9");
        out.push_back(fails("non-ASCII subprotocol", t, error::bad_protocol, offset_of(t, "\xc3")));
    }
    {
        const std::string u =
            replace_once(draft75_request, "WebSocket-Protocol: sample", "WebSocket-Protocol: ");
        out.push_back(fails("empty draft-75 subprotocol", u, error::bad_protocol,
                            value_offset(u, "WebSocket-Protocol")));
    }
    {
        const std::string t = line("\r\n\r\n", "\r\nSec-WebSocket-Draft: 2\r\n\r\n");
        out.push_back(fails("Sec-WebSocket-Draft: 2", t, error::unsupported_draft,
                            value_offset(t, "Sec-WebSocket-Draft")));
    }
    out.push_back(
        fails("an RFC 6455 request", rfc6455_head, error::rfc6455_request, rfc6455_head.size()));
    out.push_back(fails("an RFC 6455 request followed by a frame",
                        rfc6455_head + "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
                        error::rfc6455_request, rfc6455_head.size()));
    {
        const std::string t = line("\r\n\r\n", "\r\nSec-WebSocket-Version: 13\r\n\r\n");
        out.push_back(fails("draft-76 keys plus Sec-WebSocket-Version", t, error::rfc6455_request,
                            head_end(t)));
    }

    // Keys (§5.2 steps 4–9): every negative vector, as Key1 and as Key2.
    for (const auto& v : vectors::server_negative_keys) {
        const std::string k1 = head76(v.key, "1 2") + spec12_key3;
        out.push_back(fails("Key1 " + std::string(v.name), k1, v.expect.err,
                            value_offset(k1, "Sec-WebSocket-Key1")));
        const std::string k2 = head76("1 2", v.key) + spec12_key3;
        out.push_back(fails("Key2 " + std::string(v.name), k2, v.expect.err,
                            value_offset(k2, "Sec-WebSocket-Key2")));
    }
    {
        // head76 sends Key2 before Key1: the first bad key in the stream decides.
        const std::string t = head76("12", "1 2 3") + spec12_key3;
        out.push_back(fails("both keys bad: the earlier one's code wins", t,
                            error::key_not_divisible, value_offset(t, "Sec-WebSocket-Key2")));
    }
    {
        const std::string t = head76("", "1 2") + spec12_key3;
        out.push_back(
            fails("an empty Key1", t, error::key_no_digits, value_offset(t, "Sec-WebSocket-Key1")));
    }

    // Host (echoed into the location): a host name or IP literal, an optional port.
    {
        const std::string t = line("Host: example.com", "Host: exa mple.com");
        out.push_back(fails("a space in Host", t, error::bad_host, value_offset(t, "Host") + 3));
        const std::string e = line("Host: example.com", "Host: ");
        out.push_back(fails("an empty Host", e, error::bad_host, value_offset(e, "Host")));
        const std::string u = line("Host: example.com", "Host: example.com:65536");
        out.push_back(fails("a Host port above 65535", u, error::bad_host,
                            value_offset(u, "Host") + 16));
    }
    // A TLS ClientHello on the plain-text port.
    out.push_back(fails("a TLS ClientHello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"s,
                        error::tls_on_plain_port, 0));

    // The stream ends early (finish()).
    run_options fin;
    fin.finish = true;
    out.push_back(fails("end of stream before any byte", "", error::unexpected_eof, 0, fin));
    out.push_back(fails("end of stream inside the request line", s.substr(0, 9),
                        error::unexpected_eof, 9, fin));
    out.push_back(fails("end of stream before the blank line",
                        spec12_head.substr(0, spec12_head.size() - 2), error::unexpected_eof,
                        spec12_head.size() - 2, fin));
    out.push_back(fails("end of stream after the head", spec12_head, error::missing_key3,
                        spec12_head.size(), fin));
    out.push_back(fails("end of stream inside key3", s.substr(0, s.size() - 1), error::missing_key3,
                        s.size() - 1, fin));
    return out;
}

/// Every code parse() and finish() document (handshake.hpp).
constexpr const auto& request_parser_errors = request_parser::documented_errors;

void check_one_shot(const request_case& c) {
    request_parser p(c.opt.cfg);
    parse_result r = p.parse(c.input);
    if (c.opt.finish) {
        r = p.finish(c.input);
    }
    CHECK(status_name(r.status) == status_name(c.status));
    CHECK(hixie76::to_string(r.err) == hixie76::to_string(c.err));
    CHECK(r.consumed == c.consumed);
    if (c.status == parse_status::complete) {
        CHECK(dialect_name(p.kind()) == dialect_name(c.kind));
        CHECK(p.head_complete());
        if (c.kind == dialect::draft76) {
            CHECK(challenge_hex(p) == c.challenge);
            CHECK(p.key3() == std::string_view(c.input).substr(c.consumed - 8, 8));
            CHECK(p.head_size() + 8 == c.consumed);
        } else {
            CHECK(p.head_size() == c.consumed);
            CHECK(p.key3().empty());
        }
    } else {
        CHECK(!p.head_complete());
    }
}

// --- responses --------------------------------------------------------------------------------

/// Parses `s` completely; the parser views `s`, which must outlive it.
request_parser parsed(std::string_view s, request_config cfg = {}) {
    request_parser p(cfg);
    const parse_result r = p.parse(s);
    CHECK(r.status == parse_status::complete);
    return p;
}

std::string response_of(const request_parser& p, const hixie76::response_options& opt) {
    std::string out;
    const error e = hixie76::append_response(p, opt, out);
    CHECK(e == error::none);
    return out;
}

/// A heap buffer of exactly `cap` bytes, so ASan catches any write past it.
struct exact_buffer {
    explicit exact_buffer(std::size_t n) : cap(n), data(new char[n == 0 ? 1 : n]) {}
    std::size_t cap;
    std::unique_ptr<char[]> data;
    char* out() const { return cap == 0 ? nullptr : data.get(); }
};

/// For every capacity from 0 to the size needed, `write` reports buffer_too_small with the
/// size needed, then succeeds at exactly that size with `want`.
template <class Write> void check_every_capacity(std::string_view want, Write write) {
    for (std::size_t cap = 0; cap <= want.size(); ++cap) {
        CAPTURE(cap);
        exact_buffer b(cap);
        const hixie76::write_result r = write(b.out(), cap);
        CHECK(r.size == want.size());
        if (cap < want.size()) {
            CHECK(r.err == error::buffer_too_small);
        } else {
            CHECK(r.err == error::none);
            CHECK(std::string_view(b.data.get(), r.size) == want);
        }
    }
}

struct http_response {
    int status = 0;
    std::string status_line;
    std::string head;
    std::string body;
    std::size_t content_length = 0;
    bool has_content_length = false;
};

/// Splits a response written by write_http_response/write_rejection.
http_response split(std::string_view s) {
    http_response r;
    const std::size_t end = s.find("\r\n\r\n");
    REQUIRE(end != std::string_view::npos);
    r.head = std::string(s.substr(0, end + 2));
    r.body = std::string(s.substr(end + 4));
    r.status_line = r.head.substr(0, r.head.find("\r\n"));
    REQUIRE(r.status_line.size() > 12);
    r.status = std::stoi(r.status_line.substr(9, 3));
    const std::size_t cl = r.head.find("\r\nContent-Length: ");
    if (cl != std::string::npos) {
        r.has_content_length = true;
        r.content_length = static_cast<std::size_t>(std::stoul(r.head.substr(cl + 18)));
    }
    return r;
}

std::string rejection(error e, const hixie76::rejection_options& o = {}) {
    std::string out;
    CHECK(hixie76::append_rejection(e, out, o) == error::none);
    return out;
}

} // namespace

// =============================================================================================
// request_parser: accepted requests
// =============================================================================================

TEST_CASE("request_parser accepts every positive request, one shot and under every chunking") {
    for (const request_case& c : positive_cases()) {
        CAPTURE(c.name);
        check_one_shot(c);
        check_every_chunking(c.input, c.opt);
    }
}

TEST_CASE("request_parser reads the §1.2 example's fields, keys, key3 and answer") {
    const std::string_view s = vectors::spec_1_2_request;
    request_parser p;
    const parse_result r = p.parse(s);
    REQUIRE(r.status == parse_status::complete);
    CHECK(r.err == error::none);
    CHECK(r.consumed == s.size());
    CHECK(p.kind() == dialect::draft76);
    CHECK(p.head_size() == s.size() - 8);
    CHECK(p.resource() == "/demo");
    CHECK(p.host() == "example.com");
    CHECK(p.origin() == "http://example.com");
    CHECK(p.protocol() == "sample");
    CHECK(p.key1() == "4 @1  46546xW%0l 1 5");
    CHECK(p.key2() == "12998 5 Y3 1  .P00");
    CHECK(p.key3() == "^n:ds[4U");
    CHECK(std::string_view(p.challenge().data(), 16) == "8jKS'y:G*Co,Wxa-");
    REQUIRE(p.field_count() == 7);
    CHECK(p.field(0).name == "Host");
    CHECK(p.field(0).value == "example.com");
    CHECK(p.field(3).name == "Sec-WebSocket-Protocol");
    CHECK(p.field(6).name == "Origin");
    CHECK(p.head_bytes() == s.substr(0, s.size() - 8));
    CHECK(p.result().status == parse_status::complete);
}

TEST_CASE("request_parser waits for key3 that arrives in a later read") {
    request_parser p;
    std::string buf = spec12_head;
    parse_result r = p.parse(buf);
    CHECK(r.status == parse_status::need_more);
    CHECK(r.consumed == buf.size());
    CHECK(p.head_complete()); // the response head may be written now (headers first)
    CHECK(p.kind() == dialect::draft76);
    CHECK(p.key3().empty());
    buf += "^n:d";
    r = p.parse(buf);
    CHECK(r.status == parse_status::need_more);
    CHECK(p.key3().empty());
    buf += "s[4U";
    r = p.parse(buf);
    CHECK(r.status == parse_status::complete);
    CHECK(r.consumed == spec12.size());
    CHECK(challenge_hex(p) == "386a4b5327793a472a436f2c5778612d");
}

TEST_CASE("request_parser leaves bytes after key3 to the frame decoder") {
    const std::string frames = "\x00hello\xff\x00\xff\xff\x00"s;
    const std::string buf = spec12 + frames;
    request_parser p;
    const parse_result r = p.parse(buf);
    REQUIRE(r.status == parse_status::complete);
    CHECK(r.consumed == spec12.size());
    CHECK(std::string_view(buf).substr(r.consumed) == frames);
    CHECK(p.key3() == spec12_key3);
}

TEST_CASE("request_parser accepts the §1.2 fields in every one of their 5040 orders") {
    std::vector<std::string> lines = {"Host: example.com",
                                      "Connection: Upgrade",
                                      "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00",
                                      "Sec-WebSocket-Protocol: sample",
                                      "Upgrade: WebSocket",
                                      "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                                      "Origin: http://example.com"};
    std::sort(lines.begin(), lines.end());
    std::size_t orders = 0;
    do {
        std::string s = "GET /demo HTTP/1.1\r\n";
        for (const std::string& l : lines) {
            s += l + "\r\n";
        }
        s += "\r\n" + spec12_key3;
        request_parser p;
        const parse_result r = p.parse(s);
        const bool ok = r.status == parse_status::complete && r.consumed == s.size() &&
                        challenge_hex(p) == "386a4b5327793a472a436f2c5778612d" &&
                        p.host() == "example.com" && p.origin() == "http://example.com" &&
                        p.protocol() == "sample" && p.resource() == "/demo";
        if (!ok) {
            CAPTURE(s);
            CHECK(ok);
        }
        ++orders;
    } while (std::next_permutation(lines.begin(), lines.end()));
    CHECK(orders == 5040);
}

TEST_CASE("request_parser strips one leading space from a value and trims nothing else") {
    const std::string s = head({"GET /v HTTP/1.1", "Host: example.com", "X-Two:  x ", "X-None:y",
                                "X-Empty:", "X-Empty-Space: ", "X-Tab: \tz\t",
                                "X-Utf8: caf\xc3\xa9", "X-Inner: a  b"});
    request_parser p;
    const parse_result r = p.parse(s);
    REQUIRE(r.status == parse_status::complete);
    CHECK(p.kind() == dialect::http);
    CHECK(p.find("X-Two") == " x ");
    CHECK(p.find("x-none") == "y");
    CHECK(p.find("X-EMPTY").empty());
    CHECK(p.has("x-empty"));
    CHECK(p.find("x-empty-space").empty());
    CHECK(p.has("X-Empty-Space"));
    CHECK(p.find("X-Tab") == "\tz\t");
    CHECK(p.find("X-Utf8") == "caf\xc3\xa9");
    CHECK(p.find("X-Inner") == "a  b");
    CHECK(p.find("X-Absent").empty());
    CHECK(!p.has("X-Absent"));
    CHECK(!p.has("X-Tw")); // whole names only
    CHECK(!p.has("X-Two "));
    REQUIRE(p.field_count() == 8);
    CHECK(p.field(1).name == "X-Two"); // names keep their case
    CHECK(p.field(1).value == " x ");
    CHECK(p.field(2).name == "X-None");
}

TEST_CASE("find returns the first of repeated unknown fields and has sees any case") {
    const std::string s = head({"GET / HTTP/1.1", "Host: h", "Cookie: a=1", "cookie: b=2"});
    request_parser p;
    REQUIRE(p.parse(s).status == parse_status::complete);
    CHECK(p.find("COOKIE") == "a=1");
    CHECK(p.has("cOoKiE"));
    CHECK(p.field_count() == 3);
    CHECK(p.field(2).value == "b=2");
}

TEST_CASE("request_parser recognises draft-75, plain HTTP and RFC 6455 requests") {
    SUBCASE("draft-75: no keys, no key3, protocol from WebSocket-Protocol") {
        request_parser p;
        const parse_result r = p.parse(draft75_request);
        CHECK(r.status == parse_status::complete);
        CHECK(r.consumed == draft75_request.size());
        CHECK(p.kind() == dialect::draft75);
        CHECK(p.protocol() == "sample");
        CHECK(p.key1().empty());
        CHECK(p.key3().empty());
    }
    SUBCASE("plain GET / is dialect::http") {
        const std::string s = head({"GET / HTTP/1.1", "Host: example.com"});
        request_parser p;
        const parse_result r = p.parse(s);
        CHECK(r.status == parse_status::complete);
        CHECK(r.consumed == s.size());
        CHECK(p.kind() == dialect::http);
        CHECK(p.resource() == "/");
        CHECK(p.head_complete());
    }
    SUBCASE("RFC 6455: failed with the head's size, and the head is available for hand-off") {
        const std::string buf = rfc6455_head + "\x81\x80\x00\x00\x00\x00"s;
        request_parser p;
        const parse_result r = p.parse(buf);
        CHECK(r.status == parse_status::failed);
        CHECK(r.err == error::rfc6455_request);
        CHECK(r.consumed == rfc6455_head.size());
        CHECK(p.head_bytes() == rfc6455_head);
        CHECK(p.kind() == dialect::rfc6455);
        CHECK(!p.head_complete());
        CHECK(p.find("Sec-WebSocket-Key") == "dGhlIHNhbXBsZSBub25jZQ==");
        CHECK(p.field_count() == 7);
    }
}

// =============================================================================================
// request_parser: refused requests
// =============================================================================================

TEST_CASE("request_parser refuses every negative request with its code and offset under every "
          "chunking") {
    for (const request_case& c : negative_cases()) {
        CAPTURE(c.name);
        CAPTURE(escaped(c.input.substr(0, 200)));
        check_one_shot(c);
        check_every_chunking(c.input, c.opt, c.input.size() > 4000 ? 8 : 32);
    }
}

TEST_CASE("every error the request parser documents has a negative case that triggers it") {
    std::set<error> covered;
    for (const request_case& c : negative_cases()) {
        covered.insert(c.err);
    }
    for (error e : request_parser_errors) {
        CAPTURE(hixie76::to_string(e));
        CHECK(covered.count(e) == 1);
    }
    // And the negative cases use no code the parser does not document.
    for (error e : covered) {
        CAPTURE(hixie76::to_string(e));
        CHECK(std::find(std::begin(request_parser_errors), std::end(request_parser_errors), e) !=
              std::end(request_parser_errors));
    }
}

TEST_CASE("a 1 MiB header fails with head_too_large at 8 KiB, in pieces too") {
    const std::string big = head({"GET / HTTP/1.1", "Host: example.com",
                                  "X-Big: " + std::string(std::size_t{1} << 20, 'a')});
    const std::size_t limit = hixie76::default_max_head_bytes;
    // all_chunkings of 1 MiB would be a million runs; these cover the same shapes: one shot,
    // splits around the limit, read-sized pieces, and byte by byte up to the failure.
    std::vector<test::chunking> chunkings = {{big.size()}};
    for (std::size_t cut : {std::size_t{1}, limit - 1, limit, limit + 1, big.size() / 2}) {
        chunkings.push_back({cut, big.size() - cut});
    }
    for (std::size_t piece : {std::size_t{1}, std::size_t{4096}, std::size_t{65536}}) {
        chunkings.emplace_back(big.size() / piece, piece);
        if (big.size() % piece != 0) {
            chunkings.back().push_back(big.size() % piece);
        }
    }
    const run_options o{};
    const std::string want = run(big, {big.size()}, feed_mode::growing_string, o);
    CHECK(want.rfind("failed head_too_large at 8192\n", 0) == 0);
    for (const test::chunking& c : chunkings) {
        CAPTURE(c.size());
        CHECK(run(big, c, feed_mode::growing_string, o) == want);
        if (c.size() != big.size()) { // byte by byte copies of every prefix: skip, O(n^2)
            CHECK(run(big, c, feed_mode::exact_copies, o) == want);
        }
    }
}

TEST_CASE("a 1 MiB header is accepted under a configured 2 MiB limit") {
    const std::string big = head({"GET / HTTP/1.1", "Host: example.com",
                                  "X-Big: " + std::string(std::size_t{1} << 20, 'a')});
    request_config cfg;
    cfg.max_head_bytes = std::size_t{2} << 20;
    run_options o;
    o.cfg = cfg;
    const std::string want = run(big, {big.size()}, feed_mode::growing_string, o);
    CHECK(want.rfind("complete none at " + std::to_string(big.size()) + "\n", 0) == 0);
    test::chunking pieces(big.size() / 65536, 65536);
    pieces.push_back(big.size() % 65536);
    CHECK(run(big, pieces, feed_mode::growing_string, o) == want);
    request_parser p(cfg);
    const parse_result r = p.parse(big);
    CHECK(r.status == parse_status::complete);
    CHECK(p.kind() == dialect::http);
    CHECK(p.find("x-big").size() == std::size_t{1} << 20);
}

TEST_CASE("every byte limit below the head's size fails at exactly that offset") {
    // The limit may fall in the request line, a name, a value, a CRLF or the blank line.
    for (std::size_t limit = 0; limit <= spec12_head.size(); ++limit) {
        CAPTURE(limit);
        run_options o;
        o.cfg.max_head_bytes = limit;
        const std::string one = run(spec12, {spec12.size()}, feed_mode::growing_string, o);
        const std::string bytewise =
            run(spec12, test::chunking(spec12.size(), 1), feed_mode::growing_string, o);
        CHECK(one == bytewise);
        request_parser p(o.cfg);
        const parse_result r = p.parse(spec12);
        if (limit < spec12_head.size()) {
            CHECK(r.err == error::head_too_large);
            CHECK(r.consumed == limit);
        } else {
            CHECK(r.status == parse_status::complete);
        }
    }
}

TEST_CASE("every field limit below the field count fails at the first field over it") {
    std::vector<std::size_t> starts; // where each of the 7 field lines begins
    for (std::size_t at = spec12_head.find("\r\n"); at + 4 <= spec12_head.size();
         at = spec12_head.find("\r\n", at + 2)) {
        if (at + 2 < spec12_head.size() - 2) {
            starts.push_back(at + 2);
        }
    }
    REQUIRE(starts.size() == 7);
    for (std::size_t limit = 0; limit <= 8; ++limit) {
        CAPTURE(limit);
        request_config cfg;
        cfg.max_fields = limit;
        request_parser p(cfg);
        const parse_result r = p.parse(spec12);
        if (limit < 7) {
            CHECK(r.err == error::too_many_fields);
            CHECK(r.consumed == starts[limit]);
            CHECK(p.field_count() == limit);
        } else {
            CHECK(r.status == parse_status::complete);
        }
    }
}

TEST_CASE("finish() reports unexpected_eof inside the head and missing_key3 after it") {
    // Every prefix of the §1.2 request, one shot and byte by byte.
    for (std::size_t n = 0; n <= spec12.size(); ++n) {
        CAPTURE(n);
        const std::string_view prefix = std::string_view(spec12).substr(0, n);
        request_parser p;
        parse_result r = p.parse(prefix);
        r = p.finish(prefix);
        request_parser q;
        for (std::size_t i = 1; i <= n; ++i) {
            static_cast<void>(q.parse(prefix.substr(0, i)));
        }
        const parse_result rq = q.finish(prefix);
        CHECK(same_result(r, rq));
        if (n < spec12_head.size()) {
            CHECK(r.err == error::unexpected_eof);
            CHECK(r.consumed == n);
        } else if (n < spec12.size()) {
            CHECK(r.err == error::missing_key3);
            CHECK(r.consumed == n);
        } else {
            CHECK(r.status == parse_status::complete);
            CHECK(r.consumed == spec12.size());
        }
        // finish() is sticky as well.
        CHECK(same_result(p.finish(prefix), r));
        CHECK(same_result(p.parse(prefix), r));
    }
}

TEST_CASE("a failure is sticky: parse() and finish() repeat it until reset()") {
    const std::string bad = replace_once(spec12, "GET /demo", "PUT /demo");
    request_parser p;
    const parse_result first = p.parse(bad);
    CHECK(first.status == parse_status::failed);
    CHECK(first.err == error::bad_method);
    CHECK(same_result(p.parse(bad), first));
    CHECK(same_result(p.parse(bad + "more bytes\r\n\r\n"), first));
    CHECK(same_result(p.finish(bad), first));
    CHECK(same_result(p.result(), first));
    CHECK(!p.head_complete());

    SUBCASE("a token failure is sticky too, even once the buffer is longer") {
        request_parser q;
        std::string buf = "GET / HTTP/1.1\nHost: x\r\n\r\n";
        const parse_result r = q.parse(buf);
        CHECK(r.err == error::bare_lf);
        buf += "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        CHECK(same_result(q.parse(buf), r));
    }
    SUBCASE("completion is sticky: more bytes do not change consumed") {
        request_parser q;
        std::string buf = spec12;
        const parse_result r = q.parse(buf);
        CHECK(r.status == parse_status::complete);
        buf += "\x00hi\xff"s;
        CHECK(same_result(q.parse(buf), r));
        CHECK(same_result(q.finish(buf), r));
    }
}

TEST_CASE("reset() makes the parser read a new request and keeps its configuration") {
    request_config cfg;
    cfg.max_fields = 7;
    request_parser p(cfg);
    const std::string bad = replace_once(spec12, "HTTP/1.1", "HTTP/1.0");
    CHECK(p.parse(bad).err == error::bad_version);
    p.reset();
    CHECK(p.result().status == parse_status::need_more);
    CHECK(p.kind() == dialect::unknown);
    CHECK(p.field_count() == 0);
    const parse_result r = p.parse(spec12);
    CHECK(r.status == parse_status::complete);
    CHECK(challenge_hex(p) == "386a4b5327793a472a436f2c5778612d");
    p.reset();
    CHECK(p.key3().empty());
    const parse_result r75 = p.parse(draft75_request);
    CHECK(r75.status == parse_status::complete);
    CHECK(p.kind() == dialect::draft75);
    CHECK(p.protocol() == "sample");
    CHECK(p.key1().empty());
    p.reset();
    const std::string eight = with_fillers(spec12, 1);
    CHECK(p.parse(eight).err == error::too_many_fields); // still 7 fields at most
}

// =============================================================================================
// Responses
// =============================================================================================

TEST_CASE("write_response gives the §1.2 example response byte for byte") {
    const request_parser p = parsed(vectors::spec_1_2_request);
    hixie76::response_options opt;
    opt.protocol = p.protocol();
    std::array<char, 512> out{};
    const hixie76::write_result w = hixie76::write_response(p, opt, out.data(), out.size());
    CHECK(w.err == error::none);
    CHECK(std::string_view(out.data(), w.size) == vectors::spec_1_2_response);
    CHECK(response_of(p, opt) == vectors::spec_1_2_response);
    std::string appended = "prefix";
    CHECK(hixie76::append_response(p, opt, appended) == error::none);
    CHECK(appended == "prefix" + std::string(vectors::spec_1_2_response));
}

TEST_CASE("write_response answers every positive vector with its challenge") {
    for (const auto& v : vectors::server_positive) {
        CAPTURE(v.name);
        const std::string req = head76(v.key1, v.key2) + std::string(v.key3);
        const request_parser p = parsed(req);
        const std::string resp = response_of(p, {});
        REQUIRE(resp.size() > 16);
        CHECK(test::hex(std::string_view(resp).substr(resp.size() - 16)) == v.response_hex);
        CHECK(resp.substr(resp.size() - 20, 4) == "\r\n\r\n");
    }
}

TEST_CASE("write_response answers a draft-75 request in the draft-75 form") {
    const request_parser p = parsed(draft75_request);
    hixie76::response_options opt;
    opt.protocol = p.protocol();
    const std::string resp = response_of(p, opt);
    CHECK(resp == "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
                  "Upgrade: WebSocket\r\n"
                  "Connection: Upgrade\r\n"
                  "WebSocket-Origin: http://example.com\r\n"
                  "WebSocket-Location: ws://example.com/demo\r\n"
                  "WebSocket-Protocol: sample\r\n"
                  "\r\n");
    // A draft-75 client compares the first 85 bytes exactly (draft-75 §4.1).
    constexpr std::string_view first85 = "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
                                         "Upgrade: WebSocket\r\n"
                                         "Connection: Upgrade\r\n";
    static_assert(first85.size() == 85);
    CHECK(resp.substr(0, 85) == first85);
    CHECK(resp.find("Sec-") == std::string::npos);
}

TEST_CASE("write_response builds the location from secure, host override and resource") {
    const std::string req = replace_once(spec12, "GET /demo ", "GET /demo?e=mc2 ");
    const request_parser p = parsed(req);
    SUBCASE("ws with the request's Host") {
        CHECK(response_of(p, {}).find(
                  "\r\nSec-WebSocket-Location: ws://example.com/demo?e=mc2\r\n") !=
              std::string::npos);
    }
    SUBCASE("wss when secure") {
        hixie76::response_options opt;
        opt.secure = true;
        CHECK(response_of(p, opt).find(
                  "\r\nSec-WebSocket-Location: wss://example.com/demo?e=mc2\r\n") !=
              std::string::npos);
    }
    SUBCASE("the public host overrides Host") {
        hixie76::response_options opt;
        opt.secure = true;
        opt.host = "ws.example.net:8443";
        const std::string resp = response_of(p, opt);
        CHECK(resp.find("\r\nSec-WebSocket-Location: wss://ws.example.net:8443/demo?e=mc2\r\n") !=
              std::string::npos);
        CHECK(resp.find("example.com/") == std::string::npos);
    }
    SUBCASE("a configured origin overrides Origin") {
        hixie76::response_options opt;
        opt.origin = "https://app.example";
        CHECK(response_of(p, opt).find("\r\nSec-WebSocket-Origin: https://app.example\r\n") !=
              std::string::npos);
    }
}

TEST_CASE("write_response echoes the requested protocol unless told not to, extra fields last") {
    const request_parser p = parsed(vectors::spec_1_2_request);
    CHECK(response_of(p, {}).find("\r\nSec-WebSocket-Protocol: sample\r\n") != std::string::npos);
    hixie76::response_options none;
    none.echo_protocol = false;
    CHECK(response_of(p, none).find("Sec-WebSocket-Protocol") == std::string::npos);
    const hixie76::header_field extra[] = {{"Set-Cookie", "sid=1; Path=/; HttpOnly"},
                                           {"X-Server", "hixie76"}};
    hixie76::response_options opt;
    opt.protocol = p.protocol();
    opt.extra_fields = extra;
    const std::string resp = response_of(p, opt);
    CHECK(resp == "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
                  "Upgrade: WebSocket\r\n"
                  "Connection: Upgrade\r\n"
                  "Sec-WebSocket-Origin: http://example.com\r\n"
                  "Sec-WebSocket-Location: ws://example.com/demo\r\n"
                  "Sec-WebSocket-Protocol: sample\r\n"
                  "Set-Cookie: sid=1; Path=/; HttpOnly\r\n"
                  "X-Server: hixie76\r\n"
                  "\r\n"
                  "8jKS'y:G*Co,Wxa-");
    opt.extra_fields = hixie76::field_list(extra, 1);
    CHECK(response_of(p, opt).find("X-Server") == std::string::npos);
}

TEST_CASE("the response head can be written before key3 arrives, the answer after") {
    hixie76::response_options opt;
    std::string buf = spec12_head;
    request_parser p;
    CHECK(p.parse(buf).status == parse_status::need_more);
    REQUIRE(p.head_complete());
    opt.protocol = p.protocol();
    std::array<char, 512> headbuf{};
    const hixie76::write_result h =
        hixie76::write_response_head(p, opt, headbuf.data(), headbuf.size());
    CHECK(h.err == error::none);
    std::array<char, 512> whole{};
    CHECK(hixie76::write_response(p, opt, whole.data(), whole.size()).err == error::wrong_state);
    buf += spec12_key3; // may move the buffer: views taken from the parser must be taken anew
    REQUIRE(p.parse(buf).status == parse_status::complete);
    opt.protocol = p.protocol();
    const std::string later =
        std::string(headbuf.data(), h.size) + std::string(p.challenge().data(), 16);
    const hixie76::write_result w = hixie76::write_response(p, opt, whole.data(), whole.size());
    CHECK(w.err == error::none);
    CHECK(later == std::string_view(whole.data(), w.size));
    CHECK(later == vectors::spec_1_2_response);
    // The head written afterwards is the same as the one written early.
    const hixie76::write_result h2 =
        hixie76::write_response_head(p, opt, whole.data(), whole.size());
    CHECK(std::string_view(whole.data(), h2.size) == std::string_view(headbuf.data(), h.size));
}

TEST_CASE("write_response_head refuses requests it cannot answer") {
    std::array<char, 512> out{};
    hixie76::response_options opt;
    SUBCASE("no origin in the request and none configured, with require_origin") {
        const std::string s = replace_once(spec12, "Origin: http://example.com\r\n", "");
        const request_parser p = parsed(s);
        opt.require_origin = true;
        const hixie76::write_result w = hixie76::write_response(p, opt, out.data(), out.size());
        CHECK(w.err == error::missing_origin);
        CHECK(w.size == 0);
        opt.origin = "http://configured.example";
        CHECK(hixie76::write_response(p, opt, out.data(), out.size()).err == error::none);
    }
    SUBCASE("no origin in a draft-75 request, with require_origin") {
        const std::string s = replace_once(draft75_request, "Origin: http://example.com\r\n", "");
        const request_parser p = parsed(s);
        opt.require_origin = true;
        CHECK(hixie76::write_response(p, opt, out.data(), out.size()).err == error::missing_origin);
    }
    SUBCASE("no origin and the default: the origin the Host implies") {
        const std::string s = replace_once(spec12, "Origin: http://example.com\r\n", "");
        const request_parser p = parsed(s);
        CHECK(response_of(p, opt).find("\r\nSec-WebSocket-Origin: http://example.com\r\n") !=
              std::string::npos);
        opt.secure = true;
        CHECK(response_of(p, opt).find("\r\nSec-WebSocket-Origin: https://example.com\r\n") !=
              std::string::npos);
    }
    SUBCASE("not a WebSocket request") {
        const std::string s = head({"GET / HTTP/1.1", "Host: x", "Origin: http://x"});
        const request_parser http = parsed(s);
        CHECK(hixie76::write_response_head(http, opt, out.data(), out.size()).err ==
              error::wrong_state);
        const request_parser fresh;
        CHECK(hixie76::write_response_head(fresh, opt, out.data(), out.size()).err ==
              error::wrong_state);
        request_parser failed;
        CHECK(failed.parse(rfc6455_head).err == error::rfc6455_request);
        CHECK(hixie76::write_response_head(failed, opt, out.data(), out.size()).err ==
              error::wrong_state);
    }
}

TEST_CASE("write_response refuses CR, LF and NUL in caller values and bad extra names") {
    const request_parser p = parsed(vectors::spec_1_2_request);
    std::array<char, 512> out{};
    for (std::string_view bad : {"a\r\nb"sv, "a\rb"sv, "a\nb"sv, "a\0b"sv, "\n"sv}) {
        CAPTURE(escaped(bad));
        {
            hixie76::response_options opt;
            opt.origin = bad;
            CHECK(hixie76::write_response(p, opt, out.data(), out.size()).err ==
                  error::unsafe_value);
        }
        {
            hixie76::response_options opt;
            opt.host = bad;
            CHECK(hixie76::write_response(p, opt, out.data(), out.size()).err ==
                  error::unsafe_value);
        }
        {
            hixie76::response_options opt;
            opt.protocol = bad;
            CHECK(hixie76::write_response(p, opt, out.data(), out.size()).err ==
                  error::unsafe_value);
        }
        {
            const hixie76::header_field extra[] = {{"Set-Cookie", bad}};
            hixie76::response_options opt;
            opt.extra_fields = extra;
            CHECK(hixie76::write_response(p, opt, out.data(), out.size()).err ==
                  error::unsafe_value);
        }
    }
    for (std::string_view name :
         {""sv, "Bad Name"sv, "Bad:Name"sv, "X\r\nInjected"sv, "N\xc3\xa4me"sv}) {
        CAPTURE(escaped(name));
        const hixie76::header_field extra[] = {{name, "v"}};
        hixie76::response_options opt;
        opt.extra_fields = extra;
        CHECK(hixie76::write_response(p, opt, out.data(), out.size()).err == error::unsafe_value);
        std::string s;
        CHECK(hixie76::append_response(p, opt, s) == error::unsafe_value);
        CHECK(s.empty());
    }
}

TEST_CASE("every writer reports buffer_too_small with the size needed, for every capacity") {
    SUBCASE("draft-76 response") {
        const request_parser p = parsed(vectors::spec_1_2_request);
        hixie76::response_options opt;
        opt.protocol = p.protocol();
        check_every_capacity(vectors::spec_1_2_response, [&](char* out, std::size_t cap) {
            return hixie76::write_response(p, opt, out, cap);
        });
        const std::string_view head_only =
            vectors::spec_1_2_response.substr(0, vectors::spec_1_2_response.size() - 16);
        check_every_capacity(head_only, [&](char* out, std::size_t cap) {
            return hixie76::write_response_head(p, opt, out, cap);
        });
    }
    SUBCASE("draft-75 response") {
        const request_parser p = parsed(draft75_request);
        const std::string want = response_of(p, {});
        check_every_capacity(want, [&](char* out, std::size_t cap) {
            return hixie76::write_response(p, {}, out, cap);
        });
    }
    SUBCASE("rejections and plain responses") {
        for (error e : {error::origin_refused, error::rfc6455_request, error::bad_method}) {
            CAPTURE(hixie76::to_string(e));
            check_every_capacity(rejection(e), [&](char* out, std::size_t cap) {
                return hixie76::write_rejection(e, out, cap);
            });
        }
        const std::string want = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                                 "Content-Length: 10\r\nConnection: close\r\n\r\nnot found\n";
        check_every_capacity(want, [&](char* out, std::size_t cap) {
            return hixie76::write_http_response(404, "text/plain", "not found\n", out, cap);
        });
    }
}

TEST_CASE("write_rejection answers each failure with its status, a body and Content-Length") {
    for (error e : hixie76::all_errors) {
        if (e == error::none) {
            continue; // refused: see test_regressions.cpp
        }
        CAPTURE(hixie76::to_string(e));
        const std::string s = rejection(e);
        const http_response r = split(s);
        const int want =
            hixie76::suggested_http_status(e) == 0 ? 400 : hixie76::suggested_http_status(e);
        CHECK(r.status == want);
        CHECK(r.status_line ==
              "HTTP/1.1 " + std::to_string(want) + " " + std::string(hixie76::reason_phrase(want)));
        CHECK(r.has_content_length);
        CHECK(r.content_length == r.body.size());
        CHECK(r.head.find(e == error::rfc6455_request ? "\r\nConnection: Upgrade, close\r\n"
                                                      : "\r\nConnection: close\r\n") !=
              std::string::npos);
        CHECK(r.head.find("\r\nContent-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
        if (e == error::rfc6455_request) {
            CHECK(r.body == hixie76::rfc6455_refusal_text);
        } else {
            CHECK(r.body == std::string(hixie76::describe(e)) + "\n");
        }
    }
    SUBCASE("origin_refused is 403") {
        CHECK(rejection(error::origin_refused).rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
    }
    SUBCASE("rfc6455_request is 426 with Upgrade: WebSocket and the refusal text") {
        const http_response r = split(rejection(error::rfc6455_request));
        CHECK(r.status_line == "HTTP/1.1 426 Upgrade Required");
        CHECK(r.head.find("\r\nUpgrade: WebSocket\r\n") != std::string::npos);
        CHECK(r.head.find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
        CHECK(r.head.find("\r\nConnection: Upgrade, close\r\n") != std::string::npos);
        CHECK(r.body == hixie76::rfc6455_refusal_text);
    }
    SUBCASE("a rejection carries the caller's extra fields, 426 included") {
        const hixie76::header_field extra[] = {{"Retry-After", "120"}, {"Server", "hixie76"}};
        hixie76::rejection_options o;
        o.extra_fields = extra;
        for (error e : {error::bad_method, error::rfc6455_request, error::head_too_large}) {
            const http_response r = split(rejection(e, o));
            CHECK(r.head.find("\r\nRetry-After: 120\r\nServer: hixie76\r\n") !=
                  std::string::npos);
            CHECK(r.content_length == r.body.size());
        }
        const hixie76::header_field bad[] = {{"Bad Name", "x"}};
        o.extra_fields = bad;
        std::string out;
        CHECK(hixie76::append_rejection(error::bad_method, out, o) == error::unsafe_value);
        CHECK(out.empty());
    }
    SUBCASE("a key error is 400") {
        for (error e : {error::key_no_spaces, error::key_not_divisible, error::key_overflow,
                        error::key_no_digits}) {
            CHECK(split(rejection(e)).status_line == "HTTP/1.1 400 Bad Request");
        }
    }
    SUBCASE("bad_method is 405 with Allow: GET") {
        const http_response r = split(rejection(error::bad_method));
        CHECK(r.status_line == "HTTP/1.1 405 Method Not Allowed");
        CHECK(r.head.find("\r\nAllow: GET\r\n") != std::string::npos);
    }
    SUBCASE("head_too_large is 431") {
        CHECK(split(rejection(error::head_too_large)).status_line ==
              "HTTP/1.1 431 Request Header Fields Too Large");
    }
    SUBCASE("append_rejection appends") {
        std::string out = "x";
        hixie76::append_rejection(error::bad_version, out);
        CHECK(out == "x" + rejection(error::bad_version));
        CHECK(split(out.substr(1)).status == 505);
    }
}

TEST_CASE("write_http_response writes a self-delimiting response with a correct Content-Length") {
    std::array<char, 256> out{};
    hixie76::write_result w = hixie76::write_http_response(200, "text/html; charset=utf-8",
                                                           "<h1>hi</h1>", out.data(), out.size());
    CHECK(w.err == error::none);
    CHECK(std::string_view(out.data(), w.size) == "HTTP/1.1 200 OK\r\n"
                                                  "Content-Type: text/html; charset=utf-8\r\n"
                                                  "Content-Length: 11\r\n"
                                                  "Connection: close\r\n"
                                                  "\r\n"
                                                  "<h1>hi</h1>");
    for (std::size_t n : {std::size_t{0}, std::size_t{9}, std::size_t{10}, std::size_t{100000}}) {
        CAPTURE(n);
        const std::string body(n, 'b');
        const hixie76::write_result need =
            hixie76::write_http_response(200, "text/plain", body, nullptr, 0);
        std::string buf(need.size, '\0');
        w = hixie76::write_http_response(200, "text/plain", body, buf.empty() ? nullptr : &buf[0],
                                         buf.size());
        CHECK(w.err == error::none);
        const http_response r = split(buf);
        CHECK(r.content_length == n);
        CHECK(r.body == body);
    }
    CHECK(hixie76::write_http_response(200, "text/plain\r\nX: y", "", nullptr, 0).err ==
          error::unsafe_value);
    CHECK(hixie76::write_http_response(99, "text/plain", "", nullptr, 0).err ==
          error::unsafe_value);
    CHECK(hixie76::write_http_response(1000, "text/plain", "", nullptr, 0).err ==
          error::unsafe_value);
}
