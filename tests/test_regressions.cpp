// SPDX-License-Identifier: MIT
// tests/test_regressions.cpp — faults found in 1.0.0 by a first-time user and a differential
// review, one test each (each failed on 1.0.0): aliasing appends, the first broken rule
// deciding the error, Host validation, the client reading responses as the draft's client
// does, small divergences, and error codes that say what went wrong. Every parser case runs
// under every chunking of tests/support.hpp.
#include "hixie76/client.hpp"
#include "hixie76/frame.hpp"
#include "hixie76/handshake.hpp"

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "support.hpp"

namespace {

using namespace std::string_literals;
using hixie76::dialect;
using hixie76::error;
using hixie76::parse_result;
using hixie76::parse_status;
using hixie76::request_config;
using hixie76::request_parser;

/// The draft's §1.2 request: Host, Connection, Key2, Upgrade, Key1, Origin, then key3.
const std::string spec12 = "GET /demo HTTP/1.1\r\n"
                           "Host: example.com\r\n"
                           "Connection: Upgrade\r\n"
                           "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n"
                           "Upgrade: WebSocket\r\n"
                           "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                           "Origin: http://example.com\r\n"
                           "\r\n"
                           "^n:ds[4U";

const std::string draft75 = "GET /demo HTTP/1.1\r\n"
                            "Upgrade: WebSocket\r\n"
                            "Connection: Upgrade\r\n"
                            "Host: example.com\r\n"
                            "Origin: http://example.com\r\n"
                            "WebSocket-Protocol: sample\r\n"
                            "\r\n";

std::string replaced(std::string s, std::string_view from, std::string_view to) {
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

struct outcome {
    parse_result r{};
    dialect kind = dialect::unknown;
    std::size_t fields = 0;
    std::size_t head_size = 0;
};

/// Feeds `input` in the pieces of `c` (a growing buffer), then finish() if asked.
outcome feed(std::string_view input, const test::chunking& c, request_config cfg, bool fin) {
    request_parser p(cfg);
    std::string buf;
    parse_result r{};
    std::size_t at = 0;
    for (std::size_t piece : c) {
        buf.append(input.substr(at, piece));
        at += piece;
        r = p.parse(buf);
        if (r.status != parse_status::need_more) {
            break;
        }
    }
    if (fin) {
        buf.assign(input);
        r = p.finish(buf);
    }
    return {r, p.kind(), p.field_count(), p.head_size()};
}

/// `input` fails with `e` at `at` (and reports `kind`) one shot and under every chunking, with
/// the same field count and head size each time.
void fails_everywhere(std::string_view input, error e, std::size_t at,
                      dialect kind = dialect::unknown, request_config cfg = {}, bool fin = false) {
    const outcome want = feed(input, {input.size()}, cfg, fin);
    CHECK(hixie76::to_string(want.r.err) == hixie76::to_string(e));
    CHECK(want.r.status == parse_status::failed);
    CHECK(want.r.consumed == at);
    CHECK(want.kind == kind);
    for (const test::chunking& c : test::all_chunkings(input.size(), 16)) {
        const outcome got = feed(input, c, cfg, fin);
        CAPTURE(test::describe(c));
        CHECK(hixie76::to_string(got.r.err) == hixie76::to_string(e));
        CHECK(got.r.consumed == at);
        CHECK(got.kind == want.kind);
        CHECK(got.fields == want.fields);
        CHECK(got.head_size == want.head_size);
    }
}

/// `input` completes as `kind` one shot and under every chunking.
void completes_everywhere(std::string_view input, dialect kind) {
    for (const test::chunking& c : test::all_chunkings(input.size(), 16)) {
        const outcome got = feed(input, c, {}, false);
        CAPTURE(test::describe(c));
        CHECK(got.r.status == parse_status::complete);
        CHECK(got.kind == kind);
    }
}

request_parser parsed(std::string_view s) {
    request_parser p;
    const parse_result r = p.parse(s);
    REQUIRE(r.status == parse_status::complete);
    return p;
}

} // namespace

// --- an append whose payload views its own output ---------------------------------------------

TEST_CASE("append_text echoes a buffer into itself (an aliasing payload)") {
    std::string out(100, 'x');
    out.shrink_to_fit();
    REQUIRE(hixie76::append_text(out, out) == error::none);
    CHECK(out == std::string(100, 'x') + '\x00' + std::string(100, 'x') + '\xff');
    std::string bin(100, 'y');
    bin.shrink_to_fit();
    REQUIRE(hixie76::append_binary(bin, bin) == error::none);
    CHECK(bin == std::string(100, 'y') + "\x80\x64"s + std::string(100, 'y'));
}

// --- the first offending byte decides the error -----------------------------------------------

TEST_CASE("a POST with a malformed field later is bad_method at 0") {
    const std::string t =
        replaced(replaced(spec12, "GET /demo", "POST /demo"), "Origin:", "Ori gin:");
    fails_everywhere(t, error::bad_method, 0);
}

TEST_CASE("a POST line ending in a bare LF is bad_method at 0") {
    const std::string t = replaced(spec12, "GET /demo HTTP/1.1\r\n", "POST /demo HTTP/1.1\n");
    fails_everywhere(t, error::bad_method, 0);
}

TEST_CASE("HTTP/1.0 with a head over the limit is bad_version, not head_too_large") {
    request_config cfg;
    cfg.max_head_bytes = 64;
    const std::string t = replaced(spec12, "HTTP/1.1", "HTTP/1.0");
    fails_everywhere(t, error::bad_version, 10, dialect::unknown, cfg);
    // A version cut short by the limit is not itself wrong: the limit decides.
    cfg.max_head_bytes = 12;
    fails_everywhere(spec12, error::head_too_large, 12, dialect::unknown, cfg);
}

TEST_CASE("a bad key followed by a malformed field is the key's error, at the key") {
    const std::string t =
        replaced(replaced(spec12, "4 @1  46546xW%0l 1 5", "12"), "Origin:", "Ori gin:");
    fails_everywhere(t, error::key_no_spaces, offset_of(t, "Key1: ", 6), dialect::draft76);
}

TEST_CASE("a duplicate Host followed by a malformed field is duplicate_field") {
    const std::string t =
        replaced(replaced(spec12, "Origin:", "Host: example.com\r\nOri gin:"), "", "");
    fails_everywhere(t, error::duplicate_field, offset_of(t, "\r\nHost: example.com\r\nOri", 2),
                     dialect::draft76);
}

TEST_CASE("of two bad keys, the one that comes first decides") {
    const std::string t =
        replaced(replaced(spec12, "4 @1  46546xW%0l 1 5", "12"), "12998 5 Y3 1  .P00", "1 2 3");
    fails_everywhere(t, error::key_not_divisible, offset_of(t, "Key2: ", 6), dialect::draft76);
}

// --- Host ---------------------------------------------------------------------------------------

TEST_CASE("a Host that is not a host name or IP literal with a port is bad_host at its byte") {
    struct host_case {
        std::string_view host;
        std::size_t at; // within the value
    };
    const host_case cases[] = {
        {"", 0},          {"a b", 1},
        {"a\tb", 1},      {"caf\xc3\xa9", 3},
        {"ex.com:", 7},   {"ex.com:99999", 11},
        {"ex.com:8x", 8}, {"[::1", 4},
        {"[]", 1},        {"ex.com:123456", 12},
        {"/path", 0},     {"a@b", 1},
        {"[::1]x", 5},    {"ex.com ", 6},
    };
    for (const host_case& c : cases) {
        CAPTURE(std::string(c.host));
        const std::string t = replaced(spec12, "Host: example.com", "Host: " + std::string(c.host));
        fails_everywhere(t, error::bad_host, offset_of(t, "Host: ", 6) + c.at);
    }
    for (std::string_view ok : {"example.com", "example.com:8080", "127.0.0.1:1", "[::1]",
                                "[::1]:443", "my_host.local", "xn--caf-dma.example"}) {
        CAPTURE(std::string(ok));
        const std::string t =
            replaced(spec12, "example.com\r\nConnection", std::string(ok) + "\r\nConnection");
        const request_parser p = parsed(t); // views t, which outlives it
        CHECK(p.host() == ok);
    }
    CHECK(hixie76::suggested_http_status(error::bad_host) == 400);
}

// --- the client reads a response as the draft's client does (§4.1 steps 28-40) ------------------

namespace {

hixie76::client_handshake started(hixie76::draft version = hixie76::draft::draft76) {
    hixie76::client_handshake c;
    std::mt19937 rng(7);
    hixie76::client_options o;
    o.version = version;
    REQUIRE(c.start("ws://example.com/demo", o, rng) == error::none);
    return c;
}

std::string answer(const hixie76::client_handshake& c) {
    return std::string(c.expected_answer().data(), c.expected_answer().size());
}

const std::string fields76 = "Upgrade: WebSocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Origin: http://example.com\r\n"
                             "Sec-WebSocket-Location: ws://example.com/demo\r\n";

} // namespace

TEST_CASE("the client accepts HTTP/1.0 101, a name with a space and control bytes in values") {
    for (const std::string& head :
         {"HTTP/1.0 101 WebSocket Protocol Handshake\r\n" + fields76 + "\r\n",
          "HTTP/1.1 101 WebSocket Protocol Handshake\r\n" + fields76 + "X Name: v\r\n\r\n",
          "HTTP/1.1 101 WebSocket Protocol Handshake\r\n" + fields76 + "X-A: a\x01\x7f" +
              "b\r\n\r\n",
          "HTTP/1.1 101 Web\x01Socket\r\n" + fields76 + "\r\n"}) {
        hixie76::client_handshake c = started();
        const std::string resp = head + answer(c);
        CAPTURE(head);
        for (const test::chunking& ch : test::all_chunkings(resp.size(), 8)) {
            hixie76::client_handshake k = c;
            std::string buf;
            parse_result r{};
            std::size_t at = 0;
            for (std::size_t piece : ch) {
                buf.append(resp, at, piece);
                at += piece;
                r = k.parse(buf);
            }
            CAPTURE(test::describe(ch));
            CHECK(r.status == parse_status::complete);
            CHECK(r.err == error::none);
            CHECK(r.consumed == resp.size());
        }
    }
}

TEST_CASE("the client still refuses CR and LF inside a line") {
    hixie76::client_handshake c = started();
    const std::string cr = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n" + fields76 +
                           "X-A: a\rb\r\n\r\n" + answer(c);
    CHECK(c.parse(cr).err == error::bare_cr);
    hixie76::client_handshake d = started();
    const std::string lf =
        "HTTP/1.1 101 WebSocket Protocol Handshake\r\n" + fields76 + "X A\n\r\n" + answer(d);
    CHECK(d.parse(lf).err == error::bare_lf);
}

// --- small divergences --------------------------------------------------------------------------

TEST_CASE("parse_ws_url(\"ws://h?q\") has the resource /?q") {
    const hixie76::url_result u = hixie76::parse_ws_url("ws://h?q");
    REQUIRE(u.err == error::none);
    CHECK(u.url.resource_name() == "/?q");
    hixie76::client_handshake c;
    std::mt19937 rng(1);
    REQUIRE(c.start("ws://h?q", {}, rng) == error::none);
    CHECK(c.request().rfind("GET /?q HTTP/1.1\r\n", 0) == 0);
    CHECK(c.expected_location() == "ws://h/?q");
}

TEST_CASE("a trailing space after WebSocket keeps a draft-75 request a WebSocket request") {
    completes_everywhere(replaced(draft75, "Upgrade: WebSocket", "Upgrade: WebSocket "),
                         dialect::draft75);
}

TEST_CASE("a repeated protocol field of the other draft is ignored like the field itself") {
    completes_everywhere(
        replaced(spec12, "Origin:", "WebSocket-Protocol: a\r\nWebSocket-Protocol: b\r\nOrigin:"),
        dialect::draft76);
    completes_everywhere(replaced(draft75, "WebSocket-Protocol: sample",
                                  "Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b"),
                         dialect::draft75);
    // In its own draft a repeat is still refused.
    const std::string t = replaced(
        spec12, "Origin:", "Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b\r\nOrigin:");
    fails_everywhere(t, error::duplicate_field, offset_of(t, "\r\nSec-WebSocket-Protocol: b", 2),
                     dialect::draft76);
}

TEST_CASE("the caller's subprotocol is range-checked like the parser's") {
    const request_parser p = parsed(spec12);
    hixie76::response_options o;
    o.protocol = "caf\xc3\xa9";
    CHECK(hixie76::write_response_head(p, o, nullptr, 0).err == error::bad_protocol);
    o.protocol = "chat v2 ~";
    CHECK(hixie76::write_response_head(p, o, nullptr, 0).err == error::buffer_too_small);
}

// --- error codes that mean what they say --------------------------------------------------------

TEST_CASE("a response to plain HTTP, or the whole response before key3, is wrong_state") {
    const request_parser http = parsed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    CHECK(hixie76::write_response_head(http, {}, nullptr, 0).err == error::wrong_state);
    request_parser early;
    const std::string head = spec12.substr(0, spec12.size() - 8);
    REQUIRE(early.parse(head).status == parse_status::need_more);
    REQUIRE(early.head_complete());
    CHECK(hixie76::write_response(early, {}, nullptr, 0).err == error::wrong_state);
    CHECK(hixie76::write_response_head(early, {}, nullptr, 0).err == error::buffer_too_small);
    CHECK(hixie76::condition_of(error::wrong_state) == hixie76::error_condition_kind::usage_error);
}

TEST_CASE("a response cut short before the 16-byte answer is missing_answer") {
    hixie76::client_handshake c = started();
    const std::string resp = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n" + fields76 + "\r\n" +
                             answer(c).substr(0, 15);
    CHECK(c.parse(resp).status == parse_status::need_more);
    const parse_result r = c.finish(resp);
    CHECK(r.err == error::missing_answer);
    CHECK(r.consumed == resp.size());
}

TEST_CASE("a rejection for error::none is refused") {
    std::string out = "x";
    CHECK(hixie76::append_rejection(error::none, out) == error::invalid_argument);
    CHECK(out == "x");
    CHECK(hixie76::write_rejection(error::none, nullptr, 0).err == error::invalid_argument);
}

TEST_CASE("describe(bad_request_target) mentions non-ASCII bytes") {
    CHECK(std::string(hixie76::describe(error::bad_request_target)).find("non-ASCII") !=
          std::string::npos);
}

TEST_CASE("kind() names the dialect a failing request had announced") {
    const std::string bad_key = replaced(spec12, "4 @1  46546xW%0l 1 5", "12");
    fails_everywhere(bad_key, error::key_no_spaces, offset_of(bad_key, "Key1: ", 6),
                     dialect::draft76);
    const std::string bad75 =
        replaced(draft75, "WebSocket-Protocol: sample", "WebSocket-Protocol: ");
    fails_everywhere(bad75, error::bad_protocol, offset_of(bad75, "Protocol: ", 10),
                     dialect::draft75);
    fails_everywhere(spec12.substr(0, 40), error::unexpected_eof, 40, dialect::unknown, {}, true);
}

TEST_CASE("a TLS ClientHello on a plain port is tls_on_plain_port at 0") {
    const std::string hello = test::unhex("16 03 01 00 f8 01 00 00 f4 03 03 00 01 02 03");
    fails_everywhere(hello, error::tls_on_plain_port, 0);
    CHECK(hixie76::describe(error::tls_on_plain_port).find("TLS") != std::string_view::npos);
}
