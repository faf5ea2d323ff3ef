// SPDX-License-Identifier: MIT
// tests/vectors/handshake_vectors.hpp — draft-76 key and challenge vectors as C++ tables.
//
// Published vectors (the draft's own and other implementations' tests); each row names its
// source. The draft's worked examples come first. Each row is {name, spec_ref, inputs,
// expected}. Byte strings are raw (octal escapes for bytes outside printable ASCII) so that rows
// can be used in constant expressions; the hex columns repeat them as published, and a test
// checks that the two agree.
#ifndef HIXIE76_TESTS_VECTORS_HANDSHAKE_VECTORS_HPP
#define HIXIE76_TESTS_VECTORS_HANDSHAKE_VECTORS_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hixie76/error.hpp"

namespace vectors {

using namespace std::string_view_literals;

/// What parse_key must report for one key.
struct key_expect {
    hixie76::error err;
    /// The digits as a number. Above 4294967295 the parser saturates to 4294967296, so rows
    /// that overflow state that value and give the true number in a comment.
    std::uint64_t key_number;
    std::size_t spaces;
    std::uint32_t part; ///< 0 unless err == none
};

/// One complete draft-76 handshake: two keys and key3 give the 16-byte response.
struct handshake_vector {
    std::string_view name;
    std::string_view spec_ref;
    std::string_view key1;
    std::string_view key2;
    std::string_view key3; ///< 8 raw bytes
    key_expect k1;
    key_expect k2;
    std::string_view response;     ///< 16 raw bytes
    std::string_view response_hex; ///< the same, in hex as published
};

inline constexpr handshake_vector server_positive[] = {
    {"spec-1.2-overview",
     "draft-76 §1.2 example handshake",
     "4 @1  46546xW%0l 1 5",
     "12998 5 Y3 1  .P00",
     "^n:ds[4U"sv,
     {hixie76::error::none, 4146546015U, 5, 829309203U},
     {hixie76::error::none, 1299853100U, 5, 259970620U},
     "8jKS'y:G*Co,Wxa-"sv,
     "386a4b5327793a472a436f2c5778612d"},
    {"spec-1.3-worked",
     "draft-76 §1.3 worked example (Draft-Hixie76-Example2)",
     "18x 6]8vM;54 *(5:  {   U1]8  z [  8",
     "1_ tx7X d  <  nw  334J702) 7]o}` 0",
     "Tm[K T2u"sv,
     {hixie76::error::none, 1868545188U, 12, 155712099U},
     {hixie76::error::none, 1733470270U, 10, 173347027U},
     "fQJ,fN/4F4!~K~MH"sv,
     "66514a2c664e2f344634217e4b7e4d48"},
    {"websocketpp-exact_match",
     "test vector from websocketpp's test/processors/hybi00.cpp",
     "3e6b263  4 17 80",
     "17  9 G`ZD9   2 2b 7X 3 /r90",
     "WjN}|M(6"sv,
     {hixie76::error::none, 3626341780U, 4, 906585445U},
     {hixie76::error::none, 1799227390U, 10, 179922739U},
     "n`9eBk9z$R8pOtVb"sv,
     "6e603965426b397a245238704f745662"},
    {"pywebsocket-nonprintable",
     "test vector from pywebsocket's test_handshake_hybi00.py",
     "36 7   74 i  92 2'm 9 0G",
     "y  R2 48 Q1O4  e|BV3 i5 1  u- 65",
     "\001\321\335;\321Vc\377"sv, // key3 ends in 0xFF
     {hixie76::error::none, 3677492290U, 10, 367749229U},
     {hixie76::error::none, 2481435165U, 11, 225585015U},
     "\013\231\372U\275\001#{E\242\361\320\207\212\356\353"sv,
     "0b99fa55bd01237b45a2f1d0878aeeeb"},
    {"c-test-binary-key3",
     "test vector from a public C test",
     "30  ;- 5=5 u 4 1  7336",
     ":2 8 G(  07A 93Ql 3 *20 Ox0G'w",
     "]\237\260g\017\344\372u"sv,
     {hixie76::error::none, 3055417336U, 8, 381927167U},
     {hixie76::error::none, 2807933200U, 8, 350991650U},
     "\266\274*\236\240\014\034\271\017\255\334\227\220`\027\250"sv,
     "b6bc2a9ea00c1cb90faddc97906017a8"},
    {"derived-max-part",
     "largest part (draft-76 §5.2): part_1 = 0xFFFFFFFF, part_2 = 0, key3 all zero",
     "429496729 5",
     "0 0",
     "\000\000\000\000\000\000\000\000"sv,
     {hixie76::error::none, 4294967295U, 1, 4294967295U},
     {hixie76::error::none, 0, 1, 0},
     "ifV\272\320o\343\371\010\342\324<\247b\314$"sv,
     "696656bad06fe3f908e2d43ca762cc24"},
};

/// One key on its own.
struct key_vector {
    std::string_view name;
    std::string_view spec_ref;
    std::string_view key;
    key_expect expect;
};

/// Keys a server must refuse, each with the exact code (draft-76 §5.2 steps 4–9; the last row
/// is a case the draft leaves open).
inline constexpr key_vector server_negative_keys[] = {
    {"key number one above the maximum",
     "draft-76 §5.2 (key-number > 4294967295)",
     "42949672 96",
     {hixie76::error::key_overflow, 4294967296U, 1, 0}},
    {"key number above the maximum although the quotient fits",
     "draft-76 §5.2; em-websocket tests the quotient (wrong)",
     // true key number 8589934590
     "85899345 9 0",
     {hixie76::error::key_overflow, 4294967296U, 2, 0}},
    {"no spaces (hex-looking key)",
     "MBWebSocketHelperTest.m; draft-76 §5.2",
     "3e6b26341780",
     {hixie76::error::key_no_spaces, 3626341780U, 0, 0}},
    {"no spaces (punctuated key)",
     "MBWebSocketHelperTest.m; draft-76 §5.2",
     "179G`ZD922b7X3/r90",
     {hixie76::error::key_no_spaces, 1799227390U, 0, 0}},
    {"123 is not a multiple of 2",
     "draft-76 §5.2",
     "1 2 3",
     {hixie76::error::key_not_divisible, 123, 2, 0}},
    {"not a multiple of 6 spaces",
     "MBWebSocketHelperTest.m; draft-76 §5.2",
     "3e 6 b263  4 17 80",
     {hixie76::error::key_not_divisible, 3626341780U, 6, 0}},
    {"real key with remainder 3",
     "faye/websocket-driver-node#16; draft-76 §5.2",
     "2 L785 8o% s9Sy9@V. 4<1P5",
     {hixie76::error::key_not_divisible, 2785899415U, 4, 0}},
    {"real key with remainder 7",
     "faye/websocket-driver-node#16; draft-76 §5.2",
     "\"yw * K=2 3 : 5 D 3 85^5;0\\7 5",
     {hixie76::error::key_not_divisible, 2353855075U, 9, 0}},
    {"21-digit key number never wraps",
     "draft-76 §5.2 (key-number > 4294967295; it must not wrap)",
     // true key number 184467440737095516161; reduced mod 2^64 it would be 1
     "1844674407370955161 6 1",
     {hixie76::error::key_overflow, 4294967296U, 2, 0}},
    {"no digits at all",
     "the draft leaves a key without digits open (draft-76 §5.2)",
     "no digits here ",
     {hixie76::error::key_no_digits, 0, 3, 0}},
};

/// Keys that look wrong but are valid.
inline constexpr key_vector server_tricky_valid_keys[] = {
    {"a tab is not a space",
     "draft-76 §5.2 (only U+0020 counts; Tornado counted isspace)",
     "12\t3 4",
     {hixie76::error::none, 1234, 1, 1234}},
    {"zero with leading zero digits",
     "draft-76 §5.2 (leading zeros are fine)",
     "0 0",
     {hixie76::error::none, 0, 1, 0}},
};

/// A challenge computed from the client's numbers (client side, §4.1 steps 42–43).
struct numbers_vector {
    std::string_view name;
    std::string_view spec_ref;
    std::uint32_t number1;
    std::uint32_t number2;
    std::string_view key3;         ///< 8 raw bytes
    std::string_view response;     ///< 16 raw bytes
    std::string_view response_hex; ///< the same, in hex as published
};

inline constexpr numbers_vector challenge_from_numbers[] = {
    {"spec-4.1-client-example", "draft-76 §4.1 steps 18, 26, 43 (golang/net hixie_test.go)",
     777007543U, 114997259U, "G0\"-Z?GX"sv, "0st3Rl&q-2ZU^weu"sv,
     "30737433526c26712d325a555e776575"},
};

/// The §1.2 example request, verbatim, in the draft's deliberately shuffled field order.
inline constexpr std::string_view spec_1_2_request = "GET /demo HTTP/1.1\r\n"
                                                     "Host: example.com\r\n"
                                                     "Connection: Upgrade\r\n"
                                                     "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n"
                                                     "Sec-WebSocket-Protocol: sample\r\n"
                                                     "Upgrade: WebSocket\r\n"
                                                     "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                                                     "Origin: http://example.com\r\n"
                                                     "\r\n"
                                                     "^n:ds[4U";

/// The §1.2 example response, verbatim: the 16-byte answer has no CRLF after it.
inline constexpr std::string_view spec_1_2_response =
    "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
    "Upgrade: WebSocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Origin: http://example.com\r\n"
    "Sec-WebSocket-Location: ws://example.com/demo\r\n"
    "Sec-WebSocket-Protocol: sample\r\n"
    "\r\n"
    "8jKS'y:G*Co,Wxa-";

} // namespace vectors

#endif // HIXIE76_TESTS_VECTORS_HANDSHAKE_VECTORS_HPP
