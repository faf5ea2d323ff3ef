// SPDX-License-Identifier: MIT
// tests/test_md5.cpp — RFC 1321 MD5: the §A.5 suite, padding boundaries, constexpr use.
#include "hixie76/detail/md5.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "support.hpp"

namespace {

using namespace std::string_view_literals;
using hixie76::detail::md5;
using hixie76::detail::md5_digest;

// C++17's std::array operator== is not constexpr; this one is.
constexpr bool same(const md5_digest& a, std::string_view b) noexcept {
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

std::string hex_of(const md5_digest& d) { return test::hex(std::string_view(d.data(), d.size())); }

struct md5_vector {
    std::string_view name;
    std::string_view spec_ref;
    std::string_view input;
    std::string_view digest_hex;
};

// RFC 1321 §A.5 "test suite", all seven strings.
constexpr md5_vector rfc1321_suite[] = {
    {"empty string", "RFC 1321 §A.5", "", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "RFC 1321 §A.5", "a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "RFC 1321 §A.5", "abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "RFC 1321 §A.5", "message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"alphabet", "RFC 1321 §A.5", "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"alphanumerics", "RFC 1321 §A.5",
     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"eight times 1234567890", "RFC 1321 §A.5",
     "1234567890123456789012345678901234567890"
     "1234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
};

// Inputs whose length sits on a padding boundary (RFC 1321 §3.1–3.2: the tail gets 0x80 and
// an 8-byte length; at 56..63 bytes of tail they need a second block). Digests computed with
// Python's hashlib.md5 over the same bytes.
struct boundary_vector {
    std::size_t length;
    std::string_view repeated_a_hex; ///< md5 of `length` times 'a'
    std::string_view pattern_hex;    ///< md5 of bytes (i * 7 + 3) mod 256, i = 0..length-1
};

constexpr boundary_vector boundaries[] = {
    {55, "ef1772b6dff9a122358552954ad0df65", "52c0e574e1198de5fe3f8f11440dcb1b"},
    {56, "3b0c8ac703f828b04c6c197006d17218", "46c9907fc908ee68b1e7b8e71286a518"},
    {63, "b06521f39153d618550606be297466d5", "a62f6d59e837867693f042f5b8f5a236"},
    {64, "014842d480b571495a4a0363793f7367", "7160b8fb5e9e4023d549c3971fbaeead"},
    {65, "c743a45e0d2e6a95cb859adae0248435", "70bd662e7aefbda85a0f7244167b7897"},
    {119, "8a7bd0732ed6a28ce75f6dabc90e1613", "e84905d4214f4d1ca56c2cdcc152b143"},
    {120, "5f61c0ccad4cac44c75ff505e1f1e537", "e3eb5a6c8669ea01a8c185b8abc8a5dc"},
    {128, "e510683b3f5ffe4093d021808bc6ff70", "10b2da1a82f16d99a81a7203fe9f02cb"},
};

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
        s[i] = static_cast<char>(static_cast<unsigned char>((i * 7 + 3) & 0xFFU));
    }
    return s;
}

// MD5 is usable in constant expressions, so the draft-76 answer can be too.
static_assert(same(md5(""), "\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\x09\x98\xec\xf8\x42\x7e"sv));
static_assert(same(md5("abc"), "\x90\x01\x50\x98\x3c\xd2\x4f\xb0\xd6\x96\x3f\x7d\x28\xe1\x7f\x72"));
static_assert(same(md5("message digest"),
                   "\xf9\x6b\x69\x7d\x7c\xb7\x93\x8d\x52\x5a\x2f\x31\xaa\xf1\x61\xd0"));
// The 16-byte draft-76 challenge of the §1.2 example: parts 829309203 and 259970620 as
// big-endian 32-bit numbers, then key3.
static_assert(same(md5(std::string_view("\x31\x6e\x41\x13\x0f\x7e\xd6\x3c^n:ds[4U", 16)),
                   "8jKS'y:G*Co,Wxa-"));
static_assert(noexcept(md5(std::string_view())));

} // namespace

TEST_CASE("md5 matches every string of the RFC 1321 test suite") {
    for (const md5_vector& v : rfc1321_suite) {
        CAPTURE(v.name);
        CAPTURE(v.spec_ref);
        CHECK(hex_of(md5(v.input)) == v.digest_hex);
        // Also from an exact-size heap copy, so a read past the end is caught by ASan.
        const test::exact_copy copy(v.input);
        CHECK(hex_of(md5(copy.view())) == v.digest_hex);
    }
}

TEST_CASE("md5 pads correctly at every block boundary") {
    for (const boundary_vector& v : boundaries) {
        CAPTURE(v.length);
        const std::string a(v.length, 'a');
        const test::exact_copy ca(a);
        CHECK(hex_of(md5(ca.view())) == v.repeated_a_hex);
        const std::string p = pattern(v.length);
        const test::exact_copy cp(p);
        CHECK(hex_of(md5(cp.view())) == v.pattern_hex);
    }
}

TEST_CASE("md5 handles every byte value, high bits included") {
    std::string all(256, '\0');
    for (std::size_t i = 0; i < all.size(); ++i) {
        all[i] = static_cast<char>(static_cast<unsigned char>(i));
    }
    CHECK(hex_of(md5(all)) == "e2c865db4162bed963bfaa9ef6ac18f0");
}

TEST_CASE("md5 gives the same digest at compile time and at run time") {
    constexpr md5_digest at_compile_time = md5("abcdefghijklmnopqrstuvwxyz");
    const std::string input = "abcdefghijklmnopqrstuvwxyz";
    CHECK(hex_of(at_compile_time) == hex_of(md5(input)));
    CHECK(hex_of(at_compile_time) == "c3fcd3d76192e4007dfb496cca67e13b");
}
