// SPDX-License-Identifier: MIT
// tests/test_utf8.cpp — the incremental UTF-8 validator and U+FFFD replacement (detail/utf8.hpp).
#include <hixie76/detail/utf8.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "support.hpp"

namespace {

using hixie76::detail::append_utf8_replacing;
using hixie76::detail::is_valid_utf8;
using hixie76::detail::utf8_validator;

// --- promises ------------------------------------------------------------------------------

static_assert(noexcept(std::declval<utf8_validator&>().feed(std::string_view())));
static_assert(noexcept(is_valid_utf8(std::string_view())));
static_assert(noexcept(hixie76::detail::skip_ascii(nullptr, 0, 0)));

// constexpr: the validator runs during constant evaluation (the portable path).
static_assert(is_valid_utf8(""));
static_assert(is_valid_utf8("plain ASCII text that is longer than sixty-four bytes, to use words"));
static_assert(is_valid_utf8("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
static_assert(!is_valid_utf8("\xC0\x80"));
static_assert(!is_valid_utf8("\xED\xA0\x80"));
static_assert(!is_valid_utf8("\xF4\x90\x80\x80"));
static_assert(!is_valid_utf8("\xE2\x82"));
static_assert(utf8_validator{}.feed("abcdefghijklmnopqrstuvwxyz0123456789\xFF") == 36);

// The one word loader: p[0] in the low byte, alike during constant evaluation and at run time.
static_assert(hixie76::detail::load_le<std::uint32_t>("\x01\x02\x03\x04") == 0x04030201u);
static_assert(hixie76::detail::load_le<std::uint64_t>("\x01\x02\x03\x04\x05\x06\x07\x88") ==
              0x8807060504030201u);

TEST_CASE("load_le reads p[0] into the low byte at run time as during constant evaluation") {
    const std::string bytes = "\x01\x02\x03\x04\x05\x06\x07\x88\xFF";
    for (std::size_t at = 0; at < 2; ++at) { // aligned and unaligned
        std::uint64_t want = 0;
        for (std::size_t k = 0; k < 8; ++k) {
            want |= std::uint64_t{static_cast<unsigned char>(bytes[at + k])} << (8 * k);
        }
        CHECK(hixie76::detail::load_le<std::uint64_t>(bytes.data() + at) == want);
        CHECK(hixie76::detail::load_le<std::uint32_t>(bytes.data() + at) ==
              static_cast<std::uint32_t>(want));
    }
}

/// U+FFFD as it appears in expected outputs.
constexpr std::string_view R = "\xEF\xBF\xBD";

/// Feeds `s` in the given pieces; returns the stream offset of the first bad byte, or
/// `s.size()` when none, and whether the validator ends complete.
struct feed_outcome {
    std::size_t bad;
    bool complete;
};

feed_outcome feed_pieces(std::string_view s, const test::chunking& pieces) {
    utf8_validator v;
    std::size_t off = 0;
    for (std::size_t k : pieces) {
        const test::exact_copy copy(s.substr(off, k));
        const std::size_t got = v.feed(copy.view());
        if (got != k) {
            // The state stays at the byte before the bad one: feeding it again says index 0.
            const test::exact_copy rest(s.substr(off + got));
            CHECK(v.feed(rest.view()) == 0);
            return {off + got, false};
        }
        off += k;
    }
    return {s.size(), v.complete()};
}

struct utf8_row {
    const char* name;
    const char* hex;
    std::size_t bad; ///< offset of the first bad byte; == size when well-formed or truncated
    bool valid;      ///< well-formed as a whole
    const char* replaced_hex;
};

// RFC 3629 §4 syntax and Unicode Table 3-7. `replaced_hex` follows the maximal-subpart practice.
const utf8_row utf8_rows[] = {
    {"empty", "", 0, true, ""},
    {"ASCII", "41 42 43", 3, true, "414243"},
    {"NUL is valid", "00", 1, true, "00"},
    {"smallest 2-byte U+0080", "C2 80", 2, true, "c280"},
    {"largest 2-byte U+07FF", "DF BF", 2, true, "dfbf"},
    {"smallest 3-byte U+0800", "E0 A0 80", 3, true, "e0a080"},
    {"last before surrogates U+D7FF", "ED 9F BF", 3, true, "ed9fbf"},
    {"first after surrogates U+E000", "EE 80 80", 3, true, "ee8080"},
    {"U+FFFD itself", "EF BF BD", 3, true, "efbfbd"},
    {"U+FFFF (noncharacter, still valid)", "EF BF BF", 3, true, "efbfbf"},
    {"smallest 4-byte U+10000", "F0 90 80 80", 4, true, "f0908080"},
    {"largest U+10FFFF", "F4 8F BF BF", 4, true, "f48fbfbf"},
    {"mixed", "61 C3 A9 E2 82 AC F0 9F 98 80 7A", 11, true, "61c3a9e282acf09f98807a"},
    {"lone continuation 80", "80", 0, false, "efbfbd"},
    {"lone continuation BF", "41 BF", 1, false, "41efbfbd"},
    {"overlong C0 80 (NUL)", "C0 80", 0, false, "efbfbdefbfbd"},
    {"overlong C1 BF", "C1 BF", 0, false, "efbfbdefbfbd"},
    {"overlong 3-byte E0 80 80", "E0 80 80", 1, false, "efbfbdefbfbdefbfbd"},
    {"overlong 3-byte E0 9F BF", "E0 9F BF", 1, false, "efbfbdefbfbdefbfbd"},
    {"overlong 4-byte F0 80 80 80", "F0 80 80 80", 1, false, "efbfbdefbfbdefbfbdefbfbd"},
    {"overlong 4-byte F0 8F BF BF", "F0 8F BF BF", 1, false, "efbfbdefbfbdefbfbdefbfbd"},
    {"surrogate U+D800", "ED A0 80", 1, false, "efbfbdefbfbdefbfbd"},
    {"surrogate U+DFFF", "ED BF BF", 1, false, "efbfbdefbfbdefbfbd"},
    {"surrogate pair as CESU-8", "ED A0 BD ED B8 80", 1, false,
     "efbfbdefbfbdefbfbdefbfbdefbfbdefbfbd"},
    {"above U+10FFFF: F4 90 80 80", "F4 90 80 80", 1, false, "efbfbdefbfbdefbfbdefbfbd"},
    {"lead F5", "F5 80 80 80", 0, false, "efbfbdefbfbdefbfbdefbfbd"},
    {"lead F8 (5-byte form)", "F8 88 80 80 80", 0, false, "efbfbdefbfbdefbfbdefbfbdefbfbd"},
    {"byte FE", "FE", 0, false, "efbfbd"},
    {"byte FF", "FF", 0, false, "efbfbd"},
    {"truncated 2-byte at end", "41 C3", 2, false, "41efbfbd"},
    {"truncated 3-byte at end", "E2 82", 2, false, "efbfbd"},
    {"truncated 4-byte at end", "F0 9F 98", 3, false, "efbfbd"},
    {"truncated 2-byte before ASCII (C3 28)", "C3 28", 1, false, "efbfbd28"},
    {"truncated 3-byte before ASCII", "E2 82 41", 2, false, "efbfbd41"},
    {"truncated 4-byte before lead", "F0 9F 98 F0 9F 98 80", 3, false, "efbfbdf09f9880"},
    // Unicode §3.9, Tables 3-8 to 3-11 (U+FFFD substitution of maximal subparts).
    {"Unicode table 3-8", "61 F1 80 80 E1 80 C2 62 80 63 80 BF 64", 4, false,
     "61efbfbdefbfbdefbfbd62efbfbd63efbfbdefbfbd64"},
    {"Unicode table 3-9 (non-shortest forms)", "C0 AF E0 80 BF F0 81 82 41", 0, false,
     "efbfbdefbfbdefbfbdefbfbdefbfbdefbfbdefbfbdefbfbd41"},
    {"Unicode table 3-10 (surrogates)", "ED A0 80 ED BF BF ED AF 41", 1, false,
     "efbfbdefbfbdefbfbdefbfbdefbfbdefbfbdefbfbdefbfbd41"},
    {"Unicode table 3-11 (other ill-formed)", "F4 91 92 93 FF 41 80 BF 42", 1, false,
     "efbfbdefbfbdefbfbdefbfbdefbfbd41efbfbdefbfbd42"},
    {"Unicode table 3-11 (truncated)", "E1 80 E2 F0 91 92 F1 BF 41", 2, false,
     "efbfbdefbfbdefbfbdefbfbd41"},
};

} // namespace

TEST_CASE("utf8: the table of well-formed and ill-formed sequences, fed whole") {
    for (const utf8_row& row : utf8_rows) {
        CAPTURE(row.name);
        const std::string s = test::unhex(row.hex);
        const test::exact_copy copy(s);
        utf8_validator v;
        const std::size_t got = v.feed(copy.view());
        CHECK(got == row.bad);
        CHECK(is_valid_utf8(copy.view()) == row.valid);
        if (got == s.size()) {
            CHECK(v.complete() == row.valid);
        }
    }
}

TEST_CASE("utf8: every row split at every byte, and byte by byte, gives the same verdict") {
    for (const utf8_row& row : utf8_rows) {
        CAPTURE(row.name);
        const std::string s = test::unhex(row.hex);
        for (const test::chunking& c : test::all_chunkings(s.size(), 8)) {
            CAPTURE(test::describe(c));
            const feed_outcome out = feed_pieces(s, c);
            CHECK(out.bad == row.bad);
            if (out.bad == s.size()) {
                CHECK(out.complete == row.valid);
            }
        }
    }
}

TEST_CASE("utf8: replacement by U+FFFD follows maximal subparts") {
    for (const utf8_row& row : utf8_rows) {
        CAPTURE(row.name);
        const std::string s = test::unhex(row.hex);
        const test::exact_copy copy(s);
        std::string out = "prefix:";
        append_utf8_replacing(out, copy.view());
        CHECK(test::hex(out) == test::hex("prefix:") + row.replaced_hex);
        CHECK(is_valid_utf8(out));
    }
    std::string out;
    append_utf8_replacing(out, "\xC3\x28");
    CHECK(out == std::string(R) + "(");
}

TEST_CASE("utf8: the ASCII fast path finds a bad byte at every offset of long inputs") {
    for (std::size_t n = 1; n <= 140; ++n) {
        for (std::size_t at = 0; at < n; ++at) {
            CAPTURE(n);
            CAPTURE(at);
            std::string s(n, 'x');
            s[at] = '\x80';
            const test::exact_copy copy(s);
            utf8_validator v;
            CHECK(v.feed(copy.view()) == at);
            std::string out;
            append_utf8_replacing(out, copy.view());
            CHECK(out.size() == n + 2);
            CHECK(out.substr(at, 3) == R);
        }
        const std::string ascii(n, 'y');
        const test::exact_copy copy(ascii);
        CHECK(is_valid_utf8(copy.view()));
        CHECK(hixie76::detail::skip_ascii(copy.view().data(), 0, n) == n);
    }
}

namespace {

/// An independent reference: decodes by bit patterns, then checks overlongs, surrogates and
/// the upper bound. Returns whether `s` is well-formed.
bool reference_valid(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<std::uint8_t>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (b < 0x80) {
            len = 1;
            cp = b;
        } else if ((b & 0xE0) == 0xC0) {
            len = 2;
            cp = b & 0x1Fu;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3;
            cp = b & 0x0Fu;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4;
            cp = b & 0x07u;
        } else {
            return false;
        }
        if (i + len > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            const auto c = static_cast<std::uint8_t>(s[i + k]);
            if ((c & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (c & 0x3Fu);
        }
        static constexpr std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return false;
        }
        i += len;
    }
    return true;
}

std::string encode_code_point(std::uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

} // namespace

TEST_CASE("utf8: every code point U+0000..U+10FFFF encodes to valid UTF-8 except surrogates") {
    std::size_t mismatches = 0;
    for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        const std::string s = encode_code_point(cp);
        const bool expected = cp < 0xD800 || cp > 0xDFFF;
        if (is_valid_utf8(s) != expected) {
            ++mismatches;
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("utf8: agrees with a reference decoder on every 2-byte string and sampled 3/4-byte "
          "strings") {
    std::size_t checked = 0;
    std::size_t mismatches = 0;
    const auto check = [&](const std::string& s) {
        ++checked;
        const bool ref = reference_valid(s);
        if (is_valid_utf8(s) != ref) {
            ++mismatches;
            CAPTURE(test::hex(s));
            CHECK(is_valid_utf8(s) == ref);
        }
        // Split in two at every position: same verdict.
        for (std::size_t cut = 1; cut < s.size(); ++cut) {
            utf8_validator v;
            const std::size_t a = v.feed(std::string_view(s).substr(0, cut));
            const bool ok = a == cut && v.feed(std::string_view(s).substr(cut)) == s.size() - cut &&
                            v.complete();
            if (ok != ref) {
                ++mismatches;
            }
        }
    };
    std::string s2(2, '\0');
    for (unsigned a = 0; a < 256; ++a) {
        for (unsigned b = 0; b < 256; ++b) {
            s2[0] = static_cast<char>(a);
            s2[1] = static_cast<char>(b);
            check(s2);
        }
    }
    const unsigned samples[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    std::string s3(3, '\0');
    for (unsigned a = 0xC0; a < 256; ++a) {
        for (unsigned b = 0; b < 256; ++b) {
            for (unsigned c : samples) {
                s3[0] = static_cast<char>(a);
                s3[1] = static_cast<char>(b);
                s3[2] = static_cast<char>(c);
                check(s3);
            }
        }
    }
    std::string s4(4, '\0');
    for (unsigned a = 0xF0; a < 0xF8; ++a) {
        for (unsigned b = 0x80; b < 0xC0; ++b) {
            for (unsigned c : samples) {
                for (unsigned d : samples) {
                    s4[0] = static_cast<char>(a);
                    s4[1] = static_cast<char>(b);
                    s4[2] = static_cast<char>(c);
                    s4[3] = static_cast<char>(d);
                    check(s4);
                }
            }
        }
    }
    CHECK(mismatches == 0);
    CHECK(checked > 200000);
}

TEST_CASE("utf8: replacement leaves valid text unchanged and always yields valid text") {
    std::mt19937 rng(7);
    for (int round = 0; round < 2000; ++round) {
        CAPTURE(round);
        std::uniform_int_distribution<int> len(0, 40);
        std::uniform_int_distribution<int> byte(0, 255);
        std::string s;
        const int n = len(rng);
        for (int k = 0; k < n; ++k) {
            // Bias towards bytes that form or break sequences.
            const int b = byte(rng);
            s += static_cast<char>(b < 96 ? 0x41 + b % 26 : b);
        }
        std::string out;
        append_utf8_replacing(out, s);
        CHECK(is_valid_utf8(out));
        if (reference_valid(s)) {
            CHECK(out == s);
        } else {
            CHECK(out != s);
        }
    }
}
