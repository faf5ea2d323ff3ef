// SPDX-License-Identifier: MIT
// tests/test_client.cpp — the client side of the opening handshake: URL parsing, the request
// builder and the response checker (every error at its offset, under every chunking).
#include "hixie76/client.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hixie76/handshake.hpp"
#include "hixie76/token.hpp"
#include "support.hpp"
#include "vectors/client_vectors.hpp"

namespace {

using hixie76::client_handshake;
using hixie76::client_options;
using hixie76::draft;
using hixie76::error;
using hixie76::parse_result;
using hixie76::parse_status;
using namespace std::string_literals;
using namespace std::string_view_literals;

// ---- promises ---------------------------------------------------------------------------------

static_assert(noexcept(std::declval<client_handshake&>().parse(std::string_view{})),
              "parse() is noexcept");
static_assert(noexcept(std::declval<client_handshake&>().finish(std::string_view{})),
              "finish() is noexcept");
static_assert(noexcept(hixie76::parse_ws_url(std::string_view{})), "parse_ws_url is noexcept");

// parse_ws_url works in constant expressions.
static_assert(hixie76::parse_ws_url("wss://[::1]:9000/x?y").url.port == 9000);
static_assert(hixie76::parse_ws_url("wss://[::1]:9000/x?y").url.ipv6);
static_assert(hixie76::parse_ws_url("ws://example.com").url.resource == "/");
static_assert(hixie76::parse_ws_url("ws://example.com/#top").err == error::bad_url);

constexpr bool same_bytes(const hixie76::challenge_bytes& a, std::string_view b) {
    if (b.size() != a.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

// The example numbers and key3 of draft-76 §4.1 steps 18, 26 and 43 (as golang/net's
// hixie_test.go uses them). A client cannot be made to pick these numbers, so the computation is
// checked on its own here and the checker is tested against the answers that start() reports.
static_assert(same_bytes(hixie76::challenge_from_parts(777007543U, 114997259U, "G0\"-Z?GX"),
                         "0st3Rl&q-2ZU^weu"),
              "draft-76 §4.1 example: MD5(number_1 ‖ number_2 ‖ key3)");

// ---- helpers ----------------------------------------------------------------------------------

std::string name(error e) { return std::string(hixie76::to_string(e)); }

/// The event-log normal form of a parse result: `complete 123`, `need_more 40`,
/// `failed bad_status at 9`.
std::string render(parse_result r) {
    switch (r.status) {
    case parse_status::complete:
        return "complete " + std::to_string(r.consumed);
    case parse_status::need_more:
        return "need_more " + std::to_string(r.consumed);
    case parse_status::failed:
        return "failed " + name(r.err) + " at " + std::to_string(r.consumed);
    }
    return "?";
}

std::string failed_at(error e, std::size_t at) {
    return "failed " + name(e) + " at " + std::to_string(at);
}

/// A client that has started a handshake with a fixed seed.
client_handshake started(std::string_view url, draft version, std::string_view protocol,
                         std::size_t max_head = hixie76::default_max_head_bytes,
                         std::uint32_t seed = 76, bool exact_upgrade = true) {
    client_handshake c;
    client_options o;
    o.version = version;
    o.protocol = protocol;
    o.max_head_bytes = max_head;
    o.exact_upgrade = exact_upgrade;
    std::mt19937 rng(seed);
    const error e = c.start(url, o, rng);
    REQUIRE(name(e) == "none");
    return c;
}

std::string answer_of(const client_handshake& c) {
    return std::string(c.expected_answer().data(), c.expected_answer().size());
}

/// One response and what a freshly started client must make of it.
struct response_case {
    std::string name;
    client_handshake client; ///< started, nothing parsed yet
    std::string bytes;
    std::string expect_parse;  ///< render() of parse(bytes) in one shot
    std::string expect_finish; ///< render() of finish(bytes) after that
    error code = error::none;
    bool chunk_all = true; ///< false: too large for every chunking (a reduced set is used)
};

/// The offset a vector's `at` names (see client_response_vector::at).
std::size_t locate(std::string_view head, std::string_view at) {
    if (at.empty()) {
        return head.size();
    }
    const std::size_t bar = at.find('|');
    std::string needle(at);
    std::size_t shift = 0;
    if (bar != std::string_view::npos) {
        needle.erase(bar, 1);
        shift = bar;
    }
    const std::size_t pos = head.find(needle);
    REQUIRE(pos != std::string_view::npos);
    return pos + shift;
}

response_case from_vector(const vectors::client_response_vector& v) {
    response_case rc{
        std::string(v.name),
        started(v.url, v.version, v.protocol, hixie76::default_max_head_bytes, 76,
                v.exact_upgrade),
        {},
        {},
        {},
        v.expected,
        true};
    const std::string ans = answer_of(rc.client);
    std::string tail;
    switch (v.after) {
    case vectors::answer::right:
        tail = ans;
        break;
    case vectors::answer::flipped:
        tail = ans;
        tail[7] = static_cast<char>(tail[7] ^ 0x01);
        break;
    case vectors::answer::short15:
        tail = ans.substr(0, 15);
        break;
    case vectors::answer::none:
        break;
    }
    rc.bytes = std::string(v.head) + tail + std::string(v.trailing);
    if (v.expected == error::none) {
        const std::size_t n = v.head.size() + (v.after == vectors::answer::right ? 16U : 0U);
        rc.expect_parse = "complete " + std::to_string(n);
        rc.expect_finish = rc.expect_parse;
    } else if (v.at == "<end>") {
        rc.expect_parse = "need_more " + std::to_string(rc.bytes.size());
        rc.expect_finish = failed_at(v.expected, rc.bytes.size());
    } else {
        rc.expect_parse = failed_at(v.expected, locate(v.head, v.at));
        rc.expect_finish = rc.expect_parse;
    }
    return rc;
}

const std::string base76 = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
                           "Upgrade: WebSocket\r\n"
                           "Connection: Upgrade\r\n"
                           "Sec-WebSocket-Origin: http://example.com\r\n"
                           "Sec-WebSocket-Location: ws://example.com/demo\r\n";

/// The base draft-76 head with `extra` fields `X-1: v` … and the blank line.
std::string head_with_extra_fields(std::size_t extra) {
    std::string h = base76;
    for (std::size_t i = 1; i <= extra; ++i) {
        h += "X-" + std::to_string(i) + ": v\r\n";
    }
    return h + "\r\n";
}

/// Cases built at run time: the limits.
std::vector<response_case> generated_cases() {
    std::vector<response_case> out;
    const std::string url = "ws://example.com/demo";
    {
        // 4 WebSocket fields + 60 = 64 = max_fields_capacity: accepted.
        client_handshake c = started(url, draft::draft76, "");
        const std::string head = head_with_extra_fields(60);
        const std::string expect = "complete " + std::to_string(head.size() + 16);
        out.push_back(
            {"64 fields are accepted", c, head + answer_of(c), expect, expect, error::none, false});
    }
    {
        // The 65th field is refused at its first byte.
        client_handshake c = started(url, draft::draft76, "");
        const std::string head = head_with_extra_fields(61);
        const std::string expect = failed_at(error::too_many_fields, head.find("X-61:"));
        out.push_back({"the 65th field is refused with too_many_fields", c, head + answer_of(c),
                       expect, expect, error::too_many_fields, false});
    }
    const std::string head = base76 + "\r\n";
    {
        client_handshake c = started(url, draft::draft76, "", 100);
        const std::string expect = failed_at(error::head_too_large, 100);
        out.push_back({"a head above max_head_bytes = 100 is refused at byte 100", c,
                       head + answer_of(c), expect, expect, error::head_too_large, true});
    }
    {
        client_handshake c = started(url, draft::draft76, "", head.size());
        const std::string expect = "complete " + std::to_string(head.size() + 16);
        out.push_back({"a head of exactly max_head_bytes is accepted (the answer is not counted)",
                       c, head + answer_of(c) + "\x00x\xff"s, expect, expect, error::none, true});
    }
    {
        client_handshake c = started(url, draft::draft76, "", head.size() - 1);
        const std::string expect = failed_at(error::head_too_large, head.size() - 1);
        out.push_back({"a head one byte above max_head_bytes is refused at its last byte", c,
                       head + answer_of(c), expect, expect, error::head_too_large, true});
    }
    {
        // The default limit, 8 KiB: one long unknown field brings the head to 8192 + 1 bytes.
        client_handshake c = started(url, draft::draft76, "");
        const std::size_t fixed = base76.size() + std::string_view("X-Big: \r\n\r\n").size();
        std::string big = base76 + "X-Big: " + std::string(8193 - fixed, 'a') + "\r\n\r\n";
        REQUIRE(big.size() == 8193);
        const std::string expect = failed_at(error::head_too_large, 8192);
        out.push_back({"a head of 8193 bytes exceeds the default limit at byte 8192", c,
                       big + answer_of(c), expect, expect, error::head_too_large, false});
        std::string fits = base76 + "X-Big: " + std::string(8192 - fixed, 'a') + "\r\n\r\n";
        REQUIRE(fits.size() == 8192);
        const std::string ok = "complete " + std::to_string(8192 + 16);
        out.push_back({"a head of exactly 8192 bytes fits the default limit", c,
                       fits + answer_of(c), ok, ok, error::none, false});
    }
    return out;
}

std::vector<response_case> all_cases() {
    std::vector<response_case> out;
    for (const auto& v : vectors::client_response_vectors) {
        out.push_back(from_vector(v));
    }
    for (auto& c : generated_cases()) {
        out.push_back(std::move(c));
    }
    return out;
}

/// Feeds `bytes` to a copy of `fresh` in the pieces of `ch`, each time passing the whole
/// buffer so far (as a growing std::string, or as an exact-size heap copy so that ASan sees an
/// over-read), then calls finish(). Returns "<parse> / <finish>", or what broke stickiness.
std::string run_chunked(const client_handshake& fresh, std::string_view bytes,
                        const test::chunking& ch, bool exact) {
    client_handshake c = fresh;
    std::string buf;
    std::string settled;
    parse_result last{};
    std::size_t at = 0;
    for (std::size_t k : ch) {
        buf.append(bytes.substr(at, k));
        at += k;
        parse_result r{};
        if (exact) {
            const test::exact_copy copy(buf);
            r = c.parse(copy.view());
        } else {
            r = c.parse(buf);
        }
        const std::string now = render(r);
        if (!settled.empty() && now != settled) {
            return "not sticky: " + settled + " then " + now;
        }
        if (r.status != parse_status::need_more) {
            settled = now;
        }
        last = r;
    }
    parse_result fin{};
    if (exact) {
        const test::exact_copy copy(buf);
        fin = c.finish(copy.view());
    } else {
        fin = c.finish(buf);
    }
    // Once settled (by parse or finish), later calls repeat the same result.
    const parse_result again = c.parse(buf);
    if (render(again) != render(fin)) {
        return "not sticky after finish: " + render(fin) + " then " + render(again);
    }
    return render(last) + " / " + render(fin);
}

/// The chunkings for a case; very large inputs get a reduced set (one shot, byte by byte,
/// every 97th 2-way split and the random ones).
std::vector<test::chunking> chunkings_for(const response_case& rc) {
    std::vector<test::chunking> all = test::all_chunkings(rc.bytes.size());
    if (rc.chunk_all) {
        return all;
    }
    std::vector<test::chunking> some;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].size() != 2 || i % 97 == 0) {
            some.push_back(all[i]);
        }
    }
    return some;
}

/// The request split into its parts.
struct request_parts {
    std::string line;
    std::vector<std::pair<std::string, std::string>> fields;
    std::string after_head;
};

request_parts split_request(std::string_view req) {
    request_parts p;
    const std::size_t end = req.find("\r\n\r\n");
    REQUIRE(end != std::string_view::npos);
    std::string_view head = req.substr(0, end + 2);
    p.after_head = std::string(req.substr(end + 4));
    std::size_t eol = head.find("\r\n");
    p.line = std::string(head.substr(0, eol));
    head.remove_prefix(eol + 2);
    while (!head.empty()) {
        eol = head.find("\r\n");
        const std::string_view line = head.substr(0, eol);
        const std::size_t colon = line.find(": ");
        REQUIRE(colon != std::string_view::npos);
        p.fields.emplace_back(std::string(line.substr(0, colon)),
                              std::string(line.substr(colon + 2)));
        head.remove_prefix(eol + 2);
    }
    return p;
}

std::size_t count_named(const request_parts& p, std::string_view field) {
    std::size_t n = 0;
    for (const auto& f : p.fields) {
        n += f.first == field ? 1U : 0U;
    }
    return n;
}

std::string value_of(const request_parts& p, std::string_view field) {
    for (const auto& f : p.fields) {
        if (f.first == field) {
            return f.second;
        }
    }
    return {};
}

/// Checks the shape §4.1 steps 16–22 give a key; returns "" or what is wrong.
std::string key_shape_problem(std::string_view key) {
    if (key.empty() || key.front() == ' ' || key.back() == ' ') {
        return "a space at the start or end";
    }
    std::size_t spaces = 0;
    std::size_t extra = 0;
    std::string digits;
    for (char c : key) {
        const auto b = static_cast<unsigned char>(c);
        if (c == ' ') {
            ++spaces;
        } else if (c >= '0' && c <= '9') {
            digits += c;
        } else if ((b >= 0x21 && b <= 0x2F) || (b >= 0x3A && b <= 0x7E)) {
            ++extra;
        } else {
            return "a byte outside the allowed set";
        }
    }
    if (spaces < 1 || spaces > 12) {
        return "spaces not in 1..12";
    }
    if (extra < 1 || extra > 12) {
        return "random characters not in 1..12";
    }
    if (digits.empty() || (digits.size() > 1 && digits[0] == '0')) {
        return "digits not a plain decimal number";
    }
    const hixie76::key_result k = hixie76::parse_key(key);
    if (k.err != error::none) {
        return "parse_key: " + name(k.err);
    }
    if (std::to_string(static_cast<std::uint64_t>(k.part) * spaces) != digits) {
        return "digits are not part * spaces";
    }
    return {};
}

} // namespace

// =============================================================================================
// URLs (draft-76 §3)
// =============================================================================================

TEST_CASE("parse_ws_url accepts ws and wss URLs in any scheme case with default ports") {
    struct row {
        std::string_view text;
        bool secure;
        std::string_view host;
        bool ipv6;
        std::uint16_t port;
        std::string_view resource;
    };
    const row rows[] = {
        {"ws://example.com/demo", false, "example.com", false, 80, "/demo"},
        {"wss://example.com/demo", true, "example.com", false, 443, "/demo"},
        {"WS://example.com/demo", false, "example.com", false, 80, "/demo"},
        {"Wss://example.com/demo", true, "example.com", false, 443, "/demo"},
        {"wSS://Example.COM:8443/a?b=c", true, "Example.COM", false, 8443, "/a?b=c"},
        {"ws://example.com", false, "example.com", false, 80, "/"},
        {"wss://example.com", true, "example.com", false, 443, "/"},
        {"ws://example.com:80/", false, "example.com", false, 80, "/"},
        {"ws://example.com:443/", false, "example.com", false, 443, "/"},
        {"wss://example.com:80/", true, "example.com", false, 80, "/"},
        {"ws://example.com:1/", false, "example.com", false, 1, "/"},
        {"ws://example.com:65535/", false, "example.com", false, 65535, "/"},
        {"ws://127.0.0.1:9000/", false, "127.0.0.1", false, 9000, "/"},
        {"ws://[::1]:9000/", false, "::1", true, 9000, "/"},
        {"ws://[::1]:9000", false, "::1", true, 9000, "/"},
        {"wss://[::1]", true, "::1", true, 443, "/"},
        {"ws://[2001:DB8::7]/x", false, "2001:DB8::7", true, 80, "/x"},
        {"ws://[::ffff:192.0.2.1]/", false, "::ffff:192.0.2.1", true, 80, "/"},
        {"ws://example.com/?", false, "example.com", false, 80, "/?"},
        {"ws://example.com/demo?a=1&b=2", false, "example.com", false, 80, "/demo?a=1&b=2"},
        {"ws://example.com/a?b?c", false, "example.com", false, 80, "/a?b?c"},
        {"ws://example.com/path@x", false, "example.com", false, 80, "/path@x"},
        {"ws://my_host-1.example/", false, "my_host-1.example", false, 80, "/"},
        {"ws://localhost:8080/%20", false, "localhost", false, 8080, "/%20"},
    };
    for (const row& r : rows) {
        CAPTURE(r.text);
        const hixie76::url_result u = hixie76::parse_ws_url(r.text);
        CHECK(name(u.err) == "none");
        CHECK(u.url.secure == r.secure);
        CHECK(u.url.host == r.host);
        CHECK(u.url.ipv6 == r.ipv6);
        CHECK(u.url.port == r.port);
        CHECK(u.url.resource == r.resource);
    }
}

TEST_CASE("parse_ws_url refuses what draft-76 §3 does not allow with bad_url") {
    const std::string_view rows[] = {
        "",
        "http://example.com/",
        "https://example.com/",
        "ws:/example.com/",
        "ws:example.com",
        "wss:/",
        "ws://",
        "wss://",
        "ws:///demo",                // empty host
        "ws://:80/",                 // empty host with a port
        "ws://user@example.com/",    // user info
        "ws://user:pw@example.com/", // user info
        "ws://@example.com/",
        "ws://example.com:0/",      // port 0
        "ws://example.com:65536/",  // one above the largest port
        "ws://example.com:100000/", // 6 digits
        "ws://example.com:000080/", // 6 digits, even with a small value
        "ws://example.com:999999999999/",
        "ws://example.com:8o/", // a letter in the port
        "ws://example.com:-1/",
        "ws://example.com:/", // empty port
        "ws://example.com:80:80/",
        "ws://example.com/demo#frag", // fragment
        "ws://example.com/#",
        "ws://example.com#x",
        "ws://example.com/a b",   // space
        "ws://exa mple.com/",     // space in the host
        "ws://example.com/a\tb",  // tab
        "ws://example.com/a\x01", // control byte
        "ws://example.com/a\x7f", // DEL
        "ws://example.com/a\r\nX: y",
        "ws://[::1/",         // unclosed bracket
        "ws://[]/",
        "ws://[::1]x/",
        "ws://[::1]:/",
        "ws://[g::1]/",
        "ws://exa\\mple.com/",
    };
    for (std::string_view text : rows) {
        CAPTURE(text);
        CHECK(name(hixie76::parse_ws_url(text).err) == "bad_url");
    }
    // A NUL anywhere.
    CHECK(name(hixie76::parse_ws_url("ws://example.com/\0"sv).err) == "bad_url");
}

// =============================================================================================
// The request (draft-76 §4.1 steps 1–27, draft-75)
// =============================================================================================

TEST_CASE("start builds a draft-76 request with one of each field, the keys and 8 bytes of key3") {
    for (std::uint32_t seed = 0; seed < 200; ++seed) {
        CAPTURE(seed);
        const bool with_protocol = seed % 2 == 1;
        client_handshake c;
        client_options o;
        o.protocol = with_protocol ? "chat" : "";
        std::mt19937 rng(seed);
        REQUIRE(name(c.start("ws://example.com/demo", o, rng)) == "none");
        const std::string& req = c.request();
        const request_parts p = split_request(req);
        CHECK(p.line == "GET /demo HTTP/1.1");
        CHECK(p.fields.size() == (with_protocol ? 7U : 6U));
        CHECK(count_named(p, "Upgrade") == 1);
        CHECK(count_named(p, "Connection") == 1);
        CHECK(count_named(p, "Host") == 1);
        CHECK(count_named(p, "Origin") == 1);
        CHECK(count_named(p, "Sec-WebSocket-Key1") == 1);
        CHECK(count_named(p, "Sec-WebSocket-Key2") == 1);
        CHECK(count_named(p, "Sec-WebSocket-Protocol") == (with_protocol ? 1U : 0U));
        CHECK(count_named(p, "Content-Length") == 0);
        CHECK(value_of(p, "Upgrade") == "WebSocket");
        CHECK(value_of(p, "Connection") == "Upgrade");
        CHECK(value_of(p, "Host") == "example.com");
        CHECK(value_of(p, "Origin") == "http://example.com");
        if (with_protocol) {
            CHECK(value_of(p, "Sec-WebSocket-Protocol") == "chat");
        }
        CHECK(value_of(p, "Sec-WebSocket-Key1") == c.key1());
        CHECK(value_of(p, "Sec-WebSocket-Key2") == c.key2());
        // Steps 25–27: the blank line, then exactly the 8 bytes of key3.
        CHECK(p.after_head.size() == 8);
        CHECK(p.after_head == c.key3());
        CHECK(req.size() >= 8);
        CHECK(req.substr(req.size() - 8) == c.key3());

        // Steps 16–22: each key hides number_n; the answer is MD5(number_1 ‖ number_2 ‖ key3).
        CHECK(key_shape_problem(c.key1()) == "");
        CHECK(key_shape_problem(c.key2()) == "");
        const hixie76::key_result k1 = hixie76::parse_key(c.key1());
        const hixie76::key_result k2 = hixie76::parse_key(c.key2());
        REQUIRE(name(k1.err) == "none");
        REQUIRE(name(k2.err) == "none");
        CHECK(hixie76::challenge_from_parts(k1.part, k2.part, c.key3()) == c.expected_answer());
        const hixie76::challenge_result cr =
            hixie76::challenge_response(c.key1(), c.key2(), c.key3());
        CHECK(name(cr.err) == "none");
        CHECK(cr.response == c.expected_answer());

        // The server side reads it as draft-76 and computes the same answer.
        hixie76::request_parser rp;
        CHECK(render(rp.parse(req)) == "complete " + std::to_string(req.size()));
        CHECK(rp.kind() == hixie76::dialect::draft76);
        CHECK(rp.resource() == "/demo");
        CHECK(rp.host() == "example.com");
        CHECK(rp.origin() == "http://example.com");
        CHECK(rp.protocol() == c.protocol());
        CHECK(rp.key3() == c.key3());
        CHECK(rp.challenge() == c.expected_answer());

        CHECK(c.version() == draft::draft76);
        CHECK(c.expected_location() == "ws://example.com/demo");
        CHECK(render(c.result()) == "need_more 0");
    }
}

TEST_CASE("the draft-76 fields come in a different order for different seeds (§4.1 step 24)") {
    std::set<std::string> orders;
    std::set<std::string> firsts;
    for (std::uint32_t seed = 0; seed < 200; ++seed) {
        client_handshake c;
        std::mt19937 rng(seed);
        REQUIRE(name(c.start("ws://example.com/demo", client_options{}, rng)) == "none");
        const request_parts p = split_request(c.request());
        std::string order;
        for (const auto& f : p.fields) {
            order += f.first + ",";
        }
        orders.insert(order);
        firsts.insert(p.fields.front().first);
        // Whatever the order, the server side reads it.
        hixie76::request_parser rp;
        CHECK(render(rp.parse(c.request())) == "complete " + std::to_string(c.request().size()));
    }
    CAPTURE(orders.size());
    CHECK(orders.size() > 50); // 6! = 720 orders; 200 draws give about 170 distinct ones
    CHECK(firsts.size() == 6); // every field leads at least once
}

TEST_CASE("the same seed gives the same request") {
    client_handshake a;
    client_handshake b;
    std::mt19937 ra(1234);
    std::mt19937 rb(1234);
    REQUIRE(name(a.start("ws://example.com/demo", client_options{}, ra)) == "none");
    REQUIRE(name(b.start("ws://example.com/demo", client_options{}, rb)) == "none");
    CHECK(a.request() == b.request());
    CHECK(a.expected_answer() == b.expected_answer());
}

TEST_CASE("start lowercases the host and the origin and sends the port only when not default") {
    struct row {
        std::string_view url;
        std::string_view host;     // the Host field
        std::string_view origin;   // the default Origin
        std::string_view location; // the Sec-WebSocket-Location expected back
        std::string_view resource;
    };
    const row rows[] = {
        {"ws://example.com/demo", "example.com", "http://example.com", "ws://example.com/demo",
         "/demo"},
        {"ws://example.com:80/demo", "example.com", "http://example.com", "ws://example.com/demo",
         "/demo"},
        {"WS://Example.COM:8080/Demo?Q=1", "example.com:8080", "http://example.com:8080",
         "ws://example.com:8080/Demo?Q=1", "/Demo?Q=1"},
        {"ws://example.com:443/", "example.com:443", "http://example.com:443",
         "ws://example.com:443/", "/"},
        {"wss://example.com/", "example.com", "https://example.com", "wss://example.com/", "/"},
        {"wss://example.com:443/", "example.com", "https://example.com", "wss://example.com/", "/"},
        {"wss://example.com:80/", "example.com:80", "https://example.com:80",
         "wss://example.com:80/", "/"},
        {"wss://EXAMPLE.com:8443", "example.com:8443", "https://example.com:8443",
         "wss://example.com:8443/", "/"},
        {"ws://127.0.0.1:9000", "127.0.0.1:9000", "http://127.0.0.1:9000", "ws://127.0.0.1:9000/",
         "/"},
        {"ws://[::1]:9000/x", "[::1]:9000", "http://[::1]:9000", "ws://[::1]:9000/x", "/x"},
        {"ws://[::1]/", "[::1]", "http://[::1]", "ws://[::1]/", "/"},
        {"wss://[FE80::1]:8443/?q", "[fe80::1]:8443", "https://[fe80::1]:8443",
         "wss://[fe80::1]:8443/?q", "/?q"},
    };
    for (draft d : {draft::draft76, draft::draft75}) {
        for (const row& r : rows) {
            CAPTURE(r.url);
            CAPTURE(static_cast<int>(d));
            client_handshake c;
            client_options o;
            o.version = d;
            std::mt19937 rng(7);
            REQUIRE(name(c.start(r.url, o, rng)) == "none");
            const request_parts p = split_request(c.request());
            CHECK(p.line == "GET " + std::string(r.resource) + " HTTP/1.1");
            CHECK(value_of(p, "Host") == r.host);
            CHECK(value_of(p, "Origin") == r.origin);
            CHECK(c.origin() == r.origin);
            CHECK(c.expected_location() == r.location);
            hixie76::request_parser rp;
            CHECK(rp.parse(c.request()).status == parse_status::complete);
            CHECK(rp.host() == r.host);
            CHECK(rp.resource() == r.resource);
        }
    }
}

TEST_CASE("a given origin is sent lowercased and expected back lowercased") {
    client_handshake c;
    client_options o;
    o.origin = "HTTP://Foo.Example:8000";
    std::mt19937 rng(3);
    REQUIRE(name(c.start("ws://example.com/demo", o, rng)) == "none");
    CHECK(value_of(split_request(c.request()), "Origin") == "http://foo.example:8000");
    CHECK(c.origin() == "http://foo.example:8000");

    const std::string good = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
                             "Upgrade: WebSocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Origin: http://foo.example:8000\r\n"
                             "Sec-WebSocket-Location: ws://example.com/demo\r\n"
                             "\r\n" +
                             answer_of(c);
    client_handshake ok = c;
    CHECK(render(ok.parse(good)) == "complete " + std::to_string(good.size()));

    std::string as_given = good;
    as_given.replace(as_given.find("http://foo"), 23, "HTTP://Foo.Example:8000");
    client_handshake bad = c;
    CHECK(render(bad.parse(as_given)) ==
          failed_at(error::origin_mismatch, as_given.find("HTTP://Foo")));
}

TEST_CASE("a draft-75 request has the fixed order, no keys and no key3") {
    const hixie76::header_field extra[] = {{"Cookie", "a=b"}, {"Authorization", "Basic eDp5"}};
    for (std::uint32_t seed = 0; seed < 20; ++seed) {
        CAPTURE(seed);
        std::mt19937 rng(seed);
        client_handshake c;
        client_options o;
        o.version = draft::draft75;
        o.content_length = true; // draft-75 has no key3, so no Content-Length either
        REQUIRE(name(c.start("ws://example.com/demo", o, rng)) == "none");
        CHECK(c.request() == "GET /demo HTTP/1.1\r\n"
                             "Upgrade: WebSocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Host: example.com\r\n"
                             "Origin: http://example.com\r\n"
                             "\r\n");
        CHECK(c.key1().empty());
        CHECK(c.key2().empty());
        CHECK(c.version() == draft::draft75);
        hixie76::request_parser rp;
        CHECK(render(rp.parse(c.request())) == "complete " + std::to_string(c.request().size()));
        CHECK(rp.kind() == hixie76::dialect::draft75);

        client_handshake d;
        o.protocol = "chat";
        o.extra_fields = extra;
        REQUIRE(name(d.start("wss://Example.com:8443/demo?x", o, rng)) == "none");
        CHECK(d.request() == "GET /demo?x HTTP/1.1\r\n"
                             "Upgrade: WebSocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Host: example.com:8443\r\n"
                             "Origin: https://example.com:8443\r\n"
                             "WebSocket-Protocol: chat\r\n"
                             "Cookie: a=b\r\n"
                             "Authorization: Basic eDp5\r\n"
                             "\r\n");
        hixie76::request_parser rq;
        CHECK(render(rq.parse(d.request())) == "complete " + std::to_string(d.request().size()));
        CHECK(rq.kind() == hixie76::dialect::draft75);
        CHECK(rq.protocol() == "chat");
    }
}

TEST_CASE("the content_length option adds Content-Length: 8 to a draft-76 request") {
    for (std::uint32_t seed = 0; seed < 50; ++seed) {
        CAPTURE(seed);
        std::mt19937 rng(seed);
        client_handshake c;
        client_options o;
        o.content_length = true;
        REQUIRE(name(c.start("ws://example.com/demo", o, rng)) == "none");
        const request_parts p = split_request(c.request());
        CHECK(count_named(p, "Content-Length") == 1);
        CHECK(value_of(p, "Content-Length") == "8");
        CHECK(p.fields.size() == 7);
        CHECK(p.after_head.size() == 8);
        hixie76::request_parser rp;
        CHECK(render(rp.parse(c.request())) == "complete " + std::to_string(c.request().size()));
        CHECK(rp.kind() == hixie76::dialect::draft76);
        CHECK(rp.challenge() == c.expected_answer());
    }
}

TEST_CASE("extra fields are sent once each and the server sees them") {
    const hixie76::header_field extra[] = {
        {"Cookie", "session=abc; theme=dark"}, {"Authorization", "Basic eDp5"}, {"X-Empty", ""}};
    for (std::uint32_t seed = 0; seed < 50; ++seed) {
        CAPTURE(seed);
        std::mt19937 rng(seed);
        client_handshake c;
        client_options o;
        o.extra_fields = extra;
        o.protocol = "chat";
        REQUIRE(name(c.start("ws://example.com/demo", o, rng)) == "none");
        const request_parts p = split_request(c.request());
        CHECK(p.fields.size() == 10);
        CHECK(count_named(p, "Cookie") == 1);
        CHECK(value_of(p, "Cookie") == "session=abc; theme=dark");
        CHECK(count_named(p, "Authorization") == 1);
        CHECK(count_named(p, "X-Empty") == 1);
        CHECK(p.after_head == c.key3());
        hixie76::request_parser rp;
        CHECK(render(rp.parse(c.request())) == "complete " + std::to_string(c.request().size()));
        CHECK(rp.find("cookie") == "session=abc; theme=dark");
        CHECK(rp.has("X-Empty"));
        CHECK(rp.protocol() == "chat");
    }
}

TEST_CASE("start refuses bad URLs, protocols and unsafe values") {
    struct row {
        std::string_view why;
        std::string_view url;
        std::string_view origin;
        std::string_view protocol;
        std::string_view field_name; // one extra field when not empty or when value is set
        std::string_view field_value;
        error expected;
    };
    const row rows[] = {
        {"http scheme", "http://example.com/", "", "", "", "", error::bad_url},
        {"fragment", "ws://example.com/#x", "", "", "", "", error::bad_url},
        {"port 0", "ws://example.com:0/", "", "", "", "", error::bad_url},
        {"the URL is checked first", "ws://example.com:0/", "a\nb", "\x01", "", "", error::bad_url},
        {"protocol with DEL", "ws://example.com/", "", "ch\x7f", "", "", error::bad_protocol},
        {"protocol with a tab", "ws://example.com/", "", "a\tb", "", "", error::bad_protocol},
        {"protocol with CRLF", "ws://example.com/", "", "a\r\nX: y", "", "", error::bad_protocol},
        {"protocol with a NUL", "ws://example.com/", "", "a\0b"sv, "", "", error::bad_protocol},
        {"protocol with UTF-8", "ws://example.com/", "", "caf\xc3\xa9", "", "",
         error::bad_protocol},
        {"the protocol is checked before the origin", "ws://example.com/", "a\nb", "\x1f", "", "",
         error::bad_protocol},
        {"origin with CRLF", "ws://example.com/", "http://a\r\nX: y", "", "", "",
         error::unsafe_value},
        {"origin with LF", "ws://example.com/", "http://a\n", "", "", "", error::unsafe_value},
        {"origin with CR", "ws://example.com/", "http://a\r", "", "", "", error::unsafe_value},
        {"origin with NUL", "ws://example.com/", "http://a\0"sv, "", "", "", error::unsafe_value},
        {"origin with another control byte", "ws://example.com/", "http://a\x01", "", "", "",
         error::unsafe_value},
        {"extra value with DEL", "ws://example.com/", "", "", "Cookie", "a\x7f",
         error::unsafe_value},
        {"extra value with CRLF", "ws://example.com/", "", "", "Cookie", "a\r\nX: y",
         error::unsafe_value},
        {"extra value with NUL", "ws://example.com/", "", "", "Cookie", "a\0"sv,
         error::unsafe_value},
        {"extra name with a space", "ws://example.com/", "", "", "Bad Name", "x",
         error::unsafe_value},
        {"extra name with a colon", "ws://example.com/", "", "", "X:Y", "x", error::unsafe_value},
        {"empty extra name", "ws://example.com/", "", "", "", "x", error::unsafe_value},
        {"extra name with CRLF", "ws://example.com/", "", "", "X\r\nY", "x", error::unsafe_value},
    };
    for (draft d : {draft::draft76, draft::draft75}) {
        for (const row& r : rows) {
            CAPTURE(r.why);
            CAPTURE(static_cast<int>(d));
            const hixie76::header_field f[] = {{r.field_name, r.field_value}};
            client_options o;
            o.version = d;
            o.origin = r.origin;
            o.protocol = r.protocol;
            if (!r.field_name.empty() || !r.field_value.empty()) {
                o.extra_fields = f;
            }
            std::mt19937 rng(1);
            client_handshake c;
            CHECK(name(c.start(r.url, o, rng)) == name(r.expected));
            CHECK(c.request().empty());
            // The failure is sticky: parse() and finish() repeat it.
            CHECK(render(c.parse("HTTP/1.1 101 x\r\n")) == failed_at(r.expected, 0));
            CHECK(render(c.finish("HTTP/1.1 101 x\r\n")) == failed_at(r.expected, 0));
        }
    }
}

TEST_CASE("a protocol of printable ASCII, spaces included, is accepted and echoed") {
    const std::string_view protocols[] = {"chat", "my chat", "~!@#$%^&*()", " x ", "a,b"};
    for (std::string_view proto : protocols) {
        CAPTURE(proto);
        for (draft d : {draft::draft76, draft::draft75}) {
            client_handshake c = started("ws://example.com/demo", d, proto);
            hixie76::request_parser rp;
            REQUIRE(rp.parse(c.request()).status == parse_status::complete);
            CHECK(rp.protocol() == proto);
            hixie76::response_options ro;
            ro.protocol = rp.protocol();
            std::string resp;
            REQUIRE(name(hixie76::append_response(rp, ro, resp)) == "none");
            CHECK(render(c.parse(resp)) == "complete " + std::to_string(resp.size()));
        }
    }
}

// =============================================================================================
// The response (draft-76 §4.1 steps 28–46, draft-75 §4.1)
// =============================================================================================

TEST_CASE("vector C: MD5(777007543 ‖ 114997259 ‖ G0\"-Z?GX) is 0st3Rl&q-2ZU^weu") {
    const hixie76::challenge_bytes c =
        hixie76::challenge_from_parts(777007543U, 114997259U, test::unhex("4730222d5a3f4758"));
    CHECK(test::hex(std::string_view(c.data(), c.size())) == "30737433526c26712d325a555e776575");
    CHECK(same_bytes(c, "0st3Rl&q-2ZU^weu"));
}

TEST_CASE("the draft-75 comparison covers exactly the first 85 bytes") {
    const std::string_view first = "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
                                   "Upgrade: WebSocket\r\n"
                                   "Connection: Upgrade\r\n";
    CHECK(first.size() == 85);
}

TEST_CASE("every client response vector gives its result and offset in one shot") {
    for (const response_case& rc : all_cases()) {
        CAPTURE(rc.name);
        client_handshake c = rc.client;
        CHECK(render(c.parse(rc.bytes)) == rc.expect_parse);
        CHECK(render(c.finish(rc.bytes)) == rc.expect_finish);
        CHECK(render(c.result()) == rc.expect_finish);
        // Still the same afterwards (sticky), whatever else arrives.
        CHECK(render(c.parse(rc.bytes + "more")) == rc.expect_finish);
    }
}

TEST_CASE("every client response vector gives the same outcome under every chunking") {
    for (const response_case& rc : all_cases()) {
        CAPTURE(rc.name);
        const std::string want = rc.expect_parse + " / " + rc.expect_finish;
        const std::vector<test::chunking> chunkings = chunkings_for(rc);
        std::string first_problem;
        std::size_t runs = 0;
        for (bool exact : {false, true}) {
            for (const test::chunking& ch : chunkings) {
                const std::string got = run_chunked(rc.client, rc.bytes, ch, exact);
                ++runs;
                if (got != want && first_problem.empty()) {
                    first_problem = (exact ? "exact copies, " : "growing string, ") +
                                    test::describe(ch) + ": " + got;
                }
            }
        }
        CAPTURE(want);
        CHECK(first_problem == "");
        CHECK(runs == 2 * chunkings.size());
    }
}

TEST_CASE("every error the response checker documents is triggered by a vector") {
    // wrong_state (parse() before start()) has its own test; every other code has a vector.
    std::vector<error> documented;
    for (error e : client_handshake::documented_errors) {
        if (e != error::wrong_state) {
            documented.push_back(e);
        }
    }
    const std::vector<response_case> cases = all_cases();
    for (error e : documented) {
        CAPTURE(name(e));
        std::size_t n = 0;
        for (const response_case& rc : cases) {
            n += rc.code == e ? 1U : 0U;
        }
        CHECK(n > 0);
        CHECK(!hixie76::describe(e).empty());
    }
    // And no vector expects an error outside that list.
    for (const response_case& rc : cases) {
        CAPTURE(rc.name);
        bool listed = rc.code == error::none;
        for (error e : documented) {
            listed = listed || rc.code == e;
        }
        CHECK(listed);
    }
}

TEST_CASE("the response's fields can be read once the head is parsed") {
    client_handshake c = started("ws://example.com/demo", draft::draft76, "chat");
    const std::string resp = base76 + "Sec-WebSocket-Protocol: chat\r\nX-Extra: 1\r\n\r\n" +
                             answer_of(c) + "\x00hi\xff"s;
    const parse_result r = c.parse(resp);
    CHECK(render(r) == "complete " + std::to_string(resp.size() - 4));
    CHECK(resp.substr(r.consumed) == "\x00hi\xff"s);
    CHECK(c.field_count() == 6);
    CHECK(c.field(0).name == "Upgrade");
    CHECK(c.field(0).value == "WebSocket");
    CHECK(c.field(5).name == "X-Extra");
    CHECK(c.find("SEC-WEBSOCKET-LOCATION") == "ws://example.com/demo");
    CHECK(c.find("sec-websocket-protocol") == "chat");
    CHECK(c.find("X-Missing").empty());
}

TEST_CASE("a draft-76 answer that arrives in a later read completes then") {
    client_handshake c = started("ws://example.com/demo", draft::draft76, "");
    const std::string head = base76 + "\r\n";
    const std::string ans = answer_of(c);
    std::string buf = head;
    CHECK(render(c.parse(buf)) == "need_more " + std::to_string(head.size()));
    buf += ans.substr(0, 8);
    CHECK(render(c.parse(buf)) == "need_more " + std::to_string(head.size() + 8));
    buf += ans.substr(8);
    CHECK(render(c.parse(buf)) == "complete " + std::to_string(head.size() + 16));
    buf += "\x00x\xff"s;
    CHECK(render(c.parse(buf)) == "complete " + std::to_string(head.size() + 16));
    CHECK(render(c.finish(buf)) == "complete " + std::to_string(head.size() + 16));
}

TEST_CASE("start() resets a handshake that failed or completed") {
    client_handshake c = started("ws://example.com/demo", draft::draft76, "");
    CHECK(render(c.parse("HTTP/1.1 200 OK\r\n\r\n")) == failed_at(error::bad_status, 9));
    CHECK(render(c.parse("HTTP/1.1 200 OK\r\n\r\nmore")) == failed_at(error::bad_status, 9));

    std::mt19937 rng(99);
    REQUIRE(name(c.start("ws://example.com/demo", client_options{}, rng)) == "none");
    CHECK(render(c.result()) == "need_more 0");
    const std::string resp = base76 + "\r\n" + answer_of(c);
    CHECK(render(c.parse(resp)) == "complete " + std::to_string(resp.size()));

    client_options o;
    o.version = draft::draft75;
    REQUIRE(name(c.start("ws://example.com/demo", o, rng)) == "none");
    CHECK(c.key1().empty());
    CHECK(render(c.result()) == "need_more 0");
    const std::string resp75 = "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
                               "Upgrade: WebSocket\r\n"
                               "Connection: Upgrade\r\n"
                               "WebSocket-Origin: http://example.com\r\n"
                               "WebSocket-Location: ws://example.com/demo\r\n"
                               "\r\n";
    CHECK(render(c.parse(resp75)) == "complete " + std::to_string(resp75.size()));

    // A failed start() also replaces what came before.
    CHECK(name(c.start("http://example.com/", o, rng)) == "bad_url");
    CHECK(c.request().empty());
    CHECK(render(c.parse(resp75)) == failed_at(error::bad_url, 0));
}

TEST_CASE("parse() before start() fails with wrong_state instead of reading garbage") {
    client_handshake c;
    CHECK(render(c.parse("HTTP/1.1 101 x\r\n\r\n")) == failed_at(error::wrong_state, 0));
    CHECK(render(c.finish("")) == failed_at(error::wrong_state, 0));
}

// =============================================================================================
// Round trip: client → request_parser → append_response → client
// =============================================================================================

TEST_CASE("round trip: every request the client builds is answered and accepted") {
    struct endpoint {
        std::string_view url;
        bool secure;
    };
    const endpoint endpoints[] = {
        {"ws://example.com/chat", false},
        {"ws://example.com:80/chat", false},
        {"ws://Example.COM:8080/chat?room=1", false},
        {"ws://127.0.0.1:443/", false},
        {"wss://example.com/chat", true},
        {"wss://example.com:443/chat", true},
        {"wss://example.com:8443/a/b?c=d", true},
        {"wss://[::1]:80/x", true},
    };
    const std::string frames = "\x00hello\xff\x00\xff\xff\x00"s;
    std::size_t done = 0;
    for (std::uint32_t seed = 0; seed < 640; ++seed) {
        const draft d = seed % 2 == 0 ? draft::draft76 : draft::draft75;
        const std::string_view proto = (seed / 2) % 2 == 0 ? "" : "chat";
        const endpoint& ep = endpoints[(seed / 4) % 8];
        CAPTURE(seed);
        CAPTURE(ep.url);
        CAPTURE(proto);
        CAPTURE(static_cast<int>(d));

        client_handshake c = started(ep.url, d, proto, hixie76::default_max_head_bytes, seed);
        hixie76::request_parser rp;
        REQUIRE(render(rp.parse(c.request())) == "complete " + std::to_string(c.request().size()));
        CHECK(rp.kind() ==
              (d == draft::draft76 ? hixie76::dialect::draft76 : hixie76::dialect::draft75));
        CHECK(rp.protocol() == proto);

        hixie76::response_options ro;
        ro.secure = ep.secure;
        ro.protocol = rp.protocol();
        std::string resp;
        REQUIRE(name(hixie76::append_response(rp, ro, resp)) == "none");
        const std::string wire = resp + frames;

        client_handshake one = c;
        const parse_result r = one.parse(wire);
        CHECK(render(r) == "complete " + std::to_string(resp.size()));
        CHECK(wire.substr(r.consumed) == frames);

        // Byte by byte: need_more until the last byte of the handshake, then complete, and the
        // frames after it change nothing.
        client_handshake trickle = c;
        std::string buf;
        std::string log;
        for (char ch : wire) {
            buf += ch;
            const parse_result t = trickle.parse(buf);
            const bool should_be_done = buf.size() >= resp.size();
            if ((t.status == parse_status::complete) != should_be_done ||
                t.status == parse_status::failed) {
                log = "at " + std::to_string(buf.size()) + ": " + render(t);
                break;
            }
        }
        CHECK(log == "");
        CHECK(render(trickle.finish(buf)) == "complete " + std::to_string(resp.size()));
        ++done;
    }
    CHECK(done == 640);
}
