// SPDX-License-Identifier: MIT
// tests/fuzz/fuzz_token.cpp — fuzz target for draft-76 keys (parse_key, the challenge response,
// generate_key) and for the other text a client is given, the ws:// URL.
//
// Input: bytes 0–3 seed the key generator; the rest is `key1 LF key2 LF key3`, where key3 is
// the next 8 bytes (padded with NUL). parse_key also reads the whole rest as one key, and
// parse_ws_url reads it as a URL.
//
// Invariant, for every input:
// - parse_key agrees with a slow reference that compares digit strings (leading zeros
//   dropped) instead of doing arithmetic: the error is key_no_digits exactly when there is no
//   digit, else key_overflow exactly when the number is above 4294967295, else key_no_spaces
//   exactly when there is no U+0020, else key_not_divisible exactly when the number is not a
//   multiple of the spaces; key_number (saturated at 4294967296 on overflow) and spaces are
//   right, and on success part × spaces == key_number;
// - challenge_response is deterministic, reports key1's error before key2's, and on success is
//   MD5 of the parts written big-endian by hand, followed by key3;
// - generate_key (any seed) makes a key parse_key accepts, whose part is the number it
//   returned, with 1–12 spaces never first or last, 1–12 other characters from the allowed
//   ranges and at most max_generated_key_size characters;
// - parse_ws_url accepts only `ws://` or `wss://`, a non-empty host, a port in 1–65535 (80 or
//   443 by default) and a resource starting with '/' (or '?', read as "/?..."), with no
//   space, '#', control or non-ASCII byte anywhere; its views point into the text; and the
//   request client_handshake builds for an accepted URL is accepted by request_parser with the
//   same resource, and with a Host from which the server writes exactly the location the
//   client will expect.
#include "hixie76/token.hpp"

#include "hixie76/client.hpp"
#include "hixie76/handshake.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"

namespace {

using namespace hixie76;

/// parse_key's answer, worked out on strings.
key_result reference_key(std::string_view key) {
    std::string digits;
    std::size_t spaces = 0;
    for (char c : key) {
        if (c >= '0' && c <= '9') {
            digits.push_back(c);
        } else if (c == ' ') {
            ++spaces;
        }
    }
    key_result r;
    r.spaces = spaces;
    if (digits.empty()) {
        r.err = error::key_no_digits;
        return r;
    }
    const std::size_t first = digits.find_first_not_of('0');
    const std::string number = first == std::string::npos ? "0" : digits.substr(first);
    if (number.size() > 10 || (number.size() == 10 && number > "4294967295")) {
        r.err = error::key_overflow;
        r.key_number = 4294967296u;
        return r;
    }
    std::uint64_t value = 0;
    for (char c : number) {
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    r.key_number = value;
    if (spaces == 0) {
        r.err = error::key_no_spaces;
    } else if (value % spaces != 0) {
        r.err = error::key_not_divisible;
    } else {
        r.part = static_cast<std::uint32_t>(value / spaces);
    }
    return r;
}

void check_key(std::string_view key) {
    const key_result got = parse_key(key);
    const key_result want = reference_key(key);
    FUZZ_CHECK(got.err == want.err);
    FUZZ_CHECK(got.spaces == want.spaces);
    FUZZ_CHECK(got.key_number == want.key_number);
    if (got.err == error::none) {
        FUZZ_CHECK(got.part == want.part);
        FUZZ_CHECK(std::uint64_t{got.part} * got.spaces == got.key_number);
        FUZZ_CHECK(got.key_number <= max_key_number);
    } else {
        FUZZ_CHECK(got.part == 0);
    }
}

/// MD5(part1 BE ‖ part2 BE ‖ key3), the bytes laid out here rather than by the library.
challenge_bytes expected_challenge(std::uint32_t p1, std::uint32_t p2, std::string_view key3) {
    std::string msg;
    for (std::uint32_t p : {p1, p2}) {
        msg.push_back(static_cast<char>(static_cast<std::uint8_t>(p >> 24)));
        msg.push_back(static_cast<char>(static_cast<std::uint8_t>(p >> 16)));
        msg.push_back(static_cast<char>(static_cast<std::uint8_t>(p >> 8)));
        msg.push_back(static_cast<char>(static_cast<std::uint8_t>(p)));
    }
    msg.append(key3);
    return detail::md5(msg);
}

bool allowed_key_char(char c) {
    const auto b = static_cast<std::uint8_t>(c);
    return c == ' ' || (b >= 0x21 && b <= 0x7E);
}

void check_generated(std::uint32_t seed) {
    std::mt19937 rng(seed);
    const client_key k = generate_key(rng);
    const std::string_view text = k.text();
    FUZZ_CHECK(k.size <= max_generated_key_size && text.size() == k.size);
    FUZZ_CHECK(!text.empty() && text.front() != ' ' && text.back() != ' ');
    std::size_t spaces = 0;
    std::size_t digits = 0;
    std::size_t others = 0;
    for (char c : text) {
        FUZZ_CHECK(allowed_key_char(c));
        if (c == ' ') {
            ++spaces;
        } else if (c >= '0' && c <= '9') {
            ++digits;
        } else {
            ++others;
        }
    }
    FUZZ_CHECK(spaces >= 1 && spaces <= 12);
    FUZZ_CHECK(others >= 1 && others <= 12);
    FUZZ_CHECK(digits >= 1 && digits <= 10);
    const key_result r = parse_key(text);
    FUZZ_CHECK(r.err == error::none);
    FUZZ_CHECK(r.part == k.number && r.spaces == spaces);
    const std::array<char, 8> key3 = generate_key3(rng);
    const std::string_view k3(key3.data(), key3.size());
    const challenge_result c = challenge_response(text, text, k3);
    FUZZ_CHECK(c.err == error::none);
    FUZZ_CHECK(c.response == expected_challenge(k.number, k.number, k3));
}

void check_url(std::string_view text, std::uint32_t seed) {
    const url_result u = parse_ws_url(text);
    FUZZ_CHECK(u.err == error::none || u.err == error::bad_url);
    if (u.err != error::none) {
        return;
    }
    const ws_url& url = u.url;
    FUZZ_CHECK(url.secure == (text.size() >= 6 && detail::iequals(text.substr(0, 6), "wss://")));
    FUZZ_CHECK(url.secure || detail::iequals(text.substr(0, 5), "ws://"));
    for (char c : text) {
        FUZZ_CHECK(c != ' ' && c != '#' && !detail::is_forbidden_control(c) && c != '\t' &&
                   detail::byte(c) < 0x80);
    }
    FUZZ_CHECK(!url.host.empty() && fuzz::within(url.host, text));
    FUZZ_CHECK(url.port != 0);
    // A path, or a bare query whose resource name is "/" + query (draft-76 §3).
    FUZZ_CHECK(!url.resource.empty() && (url.resource[0] == '/' || url.resource[0] == '?'));
    FUZZ_CHECK(url.resource_name()[0] == '/');
    FUZZ_CHECK(url.resource == "/" || fuzz::within(url.resource, text));
    FUZZ_CHECK(text.find(url.host) != std::string_view::npos);

    // The request built for it passes the server, which can answer with the right location.
    std::mt19937 rng(seed);
    client_handshake client;
    client_options opt;
    opt.version = (seed & 1u) != 0 ? draft::draft75 : draft::draft76;
    FUZZ_CHECK(client.start(text, opt, rng) == error::none);
    request_parser server;
    const parse_result r = server.parse(client.request());
    FUZZ_CHECK(r.status == parse_status::complete && r.consumed == client.request().size());
    FUZZ_CHECK(server.resource() == url.resource_name());
    FUZZ_CHECK(server.origin() == client.origin());
    const std::string location = std::string(url.secure ? "wss://" : "ws://") +
                                 std::string(server.host()) + std::string(server.resource());
    FUZZ_CHECK(location == client.expected_location());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::reader in(data, size);
    std::uint32_t seed = 0;
    for (int i = 0; i < 4; ++i) {
        seed = (seed << 8) | in.byte();
    }
    const std::string_view rest = in.rest();
    const std::size_t lf1 = rest.find('\n');
    const std::string_view key1 = rest.substr(0, lf1);
    const std::string_view after1 =
        lf1 == std::string_view::npos ? std::string_view() : rest.substr(lf1 + 1);
    const std::size_t lf2 = after1.find('\n');
    const std::string_view key2 = after1.substr(0, lf2);
    std::string key3 =
        lf2 == std::string_view::npos ? std::string() : std::string(after1.substr(lf2 + 1, 8));
    key3.resize(8, '\0');

    check_key(rest);
    check_key(key1);
    check_key(key2);

    const challenge_result a = challenge_response(key1, key2, key3);
    const challenge_result b = challenge_response(key1, key2, key3);
    FUZZ_CHECK(a.err == b.err && a.response == b.response);
    const key_result k1 = parse_key(key1);
    const key_result k2 = parse_key(key2);
    if (k1.err != error::none) {
        FUZZ_CHECK(a.err == k1.err);
    } else if (k2.err != error::none) {
        FUZZ_CHECK(a.err == k2.err);
    } else {
        FUZZ_CHECK(a.err == error::none);
        FUZZ_CHECK(a.response == challenge_from_parts(k1.part, k2.part, key3));
        FUZZ_CHECK(a.response == expected_challenge(k1.part, k2.part, key3));
    }

    check_generated(seed);
    check_url(rest, seed);
    return 0;
}
