// SPDX-License-Identifier: MIT
// hixie76/detail/utf8.hpp — incremental UTF-8 validation (RFC 3629) and U+FFFD replacement.
//
// Well-formed UTF-8 (RFC 3629 §4, Unicode Table 3-7) as byte ranges:
//
//   lead      1st continuation   further continuations
//   00..7F    —                  —
//   C2..DF    80..BF             —
//   E0        A0..BF             80..BF            (A0: no overlong 3-byte forms)
//   E1..EC    80..BF             80..BF
//   ED        80..9F             80..BF            (9F: no surrogates D800..DFFF)
//   EE..EF    80..BF             80..BF
//   F0        90..BF             80..BF  80..BF    (90: no overlong 4-byte forms)
//   F1..F3    80..BF             80..BF  80..BF
//   F4        80..8F             80..BF  80..BF    (8F: nothing above U+10FFFF)
//
// Every other lead byte (80..C1, F5..FF) is invalid. So the validator only needs to remember
// how many continuation bytes are still due and the range allowed for the next one, which is
// what lets it carry its state across pieces of a message. Runs of ASCII, the common case,
// are skipped 64 bytes per step, testing the high bit of all eight bytes of a word at once.
#ifndef HIXIE76_DETAIL_UTF8_HPP
#define HIXIE76_DETAIL_UTF8_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "hixie76/detail/ascii.hpp"

namespace hixie76::detail {

/// The high bit of each of the eight bytes of a word: a word holds only ASCII when
/// `(word & ascii_high_bits) == 0`, whatever the byte order of the load.
inline constexpr std::uint64_t ascii_high_bits = 0x8080808080808080u;

/// The index of the first byte in `p[i, n)` that is not ASCII (0x80 or above), or `n`.
/// Complexity: O(n - i); 64 bytes per step while the bytes are ASCII.
constexpr std::size_t skip_ascii(const char* p, std::size_t i, std::size_t n) noexcept {
    if (i >= n || byte(p[i]) >= 0x80) {
        return i < n ? i : n; // at the end, or inside non-ASCII text: no word loads
    }
    const auto word = [p](std::size_t at) { return load_le<std::uint64_t>(p + at); };
    while (n - i >= 64) {
        const std::uint64_t a = word(i) | word(i + 8) | word(i + 16) | word(i + 24);
        const std::uint64_t b = word(i + 32) | word(i + 40) | word(i + 48) | word(i + 56);
        if (((a | b) & ascii_high_bits) != 0) {
            break;
        }
        i += 64;
    }
    while (n - i >= 8) {
        if ((word(i) & ascii_high_bits) != 0) {
            break;
        }
        i += 8;
    }
    while (i < n && byte(p[i]) < 0x80) {
        ++i;
    }
    return i;
}

/// What a lead byte announces: how many continuation bytes follow and the range allowed for
/// the first of them (the later ones are always 80..BF).
struct utf8_lead {
    bool valid = false;     ///< false for 80..C1 and F5..FF
    std::uint8_t need = 0;  ///< continuation bytes that follow (0 for ASCII)
    std::uint8_t lo = 0x80; ///< smallest allowed first continuation byte
    std::uint8_t hi = 0xBF; ///< largest allowed first continuation byte
};

/// Classifies a lead byte per the table at the top of this file.
constexpr utf8_lead classify_lead(std::uint8_t b) noexcept {
    if (b < 0x80) {
        return {true, 0, 0x80, 0xBF};
    }
    if (b < 0xC2) {
        return {false, 0, 0x80, 0xBF}; // continuation byte, or overlong C0/C1
    }
    if (b < 0xE0) {
        return {true, 1, 0x80, 0xBF};
    }
    if (b == 0xE0) {
        return {true, 2, 0xA0, 0xBF};
    }
    if (b == 0xED) {
        return {true, 2, 0x80, 0x9F};
    }
    if (b < 0xF0) {
        return {true, 2, 0x80, 0xBF};
    }
    if (b == 0xF0) {
        return {true, 3, 0x90, 0xBF};
    }
    if (b < 0xF4) {
        return {true, 3, 0x80, 0xBF};
    }
    if (b == 0xF4) {
        return {true, 3, 0x80, 0x8F};
    }
    return {false, 0, 0x80, 0xBF}; // F5..FF
}

/// An incremental UTF-8 validator: feed it the pieces of one text in order.
///
/// The state is three bytes, so a message of any length split anywhere is checked in O(1)
/// memory. A sequence split across pieces is completed by the next piece.
class utf8_validator {
public:
    /// Checks the next piece of the text.
    ///
    /// Returns: `s.size()` when every byte is acceptable so far (the piece may end inside a
    /// sequence: see complete()); otherwise the index in `s` of the first byte that cannot
    /// continue a well-formed text. The state is then left as it was just before that byte,
    /// so feeding the rest of `s` again reports that byte at index 0 once more.
    /// Complexity: O(s.size()); runs of ASCII go 64 bytes per step.
    constexpr std::size_t feed(std::string_view s) noexcept {
        const char* const p = s.data();
        const std::size_t n = s.size();
        std::size_t i = 0;
        // Finish a sequence begun in an earlier piece.
        while (need_ != 0) {
            if (i == n) {
                return n;
            }
            const std::uint8_t b = byte(p[i]);
            if (b < lo_ || b > hi_) {
                return i;
            }
            ++i;
            --need_;
            lo_ = 0x80;
            hi_ = 0xBF;
        }
        for (;;) {
            i = skip_ascii(p, i, n);
            if (i == n) {
                return n;
            }
            const utf8_lead lead = classify_lead(byte(p[i]));
            if (!lead.valid) {
                return i;
            }
            std::uint8_t lo = lead.lo;
            std::uint8_t hi = lead.hi;
            for (std::uint8_t k = 1; k <= lead.need; ++k) {
                if (i + k == n) {
                    // The piece ends inside this sequence: remember what is still due.
                    need_ = static_cast<std::uint8_t>(lead.need - k + 1);
                    lo_ = lo;
                    hi_ = hi;
                    return n;
                }
                const std::uint8_t b = byte(p[i + k]);
                if (b < lo || b > hi) {
                    need_ = static_cast<std::uint8_t>(lead.need - k + 1);
                    lo_ = lo;
                    hi_ = hi;
                    return i + k;
                }
                lo = 0x80;
                hi = 0xBF;
            }
            i += std::size_t{lead.need} + 1;
        }
    }

    /// True when the text fed so far does not end inside a multi-byte sequence.
    constexpr bool complete() const noexcept { return need_ == 0; }

    /// Forgets everything fed so far.
    constexpr void reset() noexcept {
        need_ = 0;
        lo_ = 0x80;
        hi_ = 0xBF;
    }

private:
    std::uint8_t need_ = 0;  ///< continuation bytes still due
    std::uint8_t lo_ = 0x80; ///< range allowed for the next continuation byte
    std::uint8_t hi_ = 0xBF;
};

/// True when `s` is well-formed UTF-8 (RFC 3629) as a whole.
/// Complexity: O(s.size()).
constexpr bool is_valid_utf8(std::string_view s) noexcept {
    utf8_validator v;
    return v.feed(s) == s.size() && v.complete();
}

/// The UTF-8 encoding of U+FFFD REPLACEMENT CHARACTER.
inline constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

/// One step of decoding at a non-ASCII byte.
struct utf8_sequence {
    std::size_t length = 1; ///< bytes of the sequence, or of its maximal subpart if invalid
    bool valid = false;
};

/// The sequence that starts at `p[i]` (with `i < n`). When it is ill-formed, `length` is its
/// *maximal subpart*: the longest prefix that could still have begun a well-formed sequence,
/// and at least 1 (Unicode §3.9 "U+FFFD Substitution of Maximal Subparts", WHATWG Encoding).
constexpr utf8_sequence scan_sequence(const char* p, std::size_t i, std::size_t n) noexcept {
    const utf8_lead lead = classify_lead(byte(p[i]));
    if (!lead.valid) {
        return {1, false};
    }
    std::uint8_t lo = lead.lo;
    std::uint8_t hi = lead.hi;
    std::size_t k = 1;
    for (; k <= lead.need; ++k) {
        if (i + k == n) {
            return {k, false};
        }
        const std::uint8_t b = byte(p[i + k]);
        if (b < lo || b > hi) {
            return {k, false};
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return {k, true};
}

/// Appends `in` to `out`, replacing each maximal subpart of an ill-formed sequence by one
/// U+FFFD, as Unicode §3.9 recommends and the WHATWG Encoding Standard requires (so
/// `C3 28` gives U+FFFD `(`, and `ED A0 80` gives three U+FFFD). Well-formed input is
/// appended unchanged.
/// Errors: none; allocates (the output is at most 3 × `in.size()` bytes).
/// Complexity: O(in.size()).
/// Spec: draft-76 §4.3 (a client decodes invalid UTF-8 as U+FFFD); §5.4 leaves servers free.
inline void append_utf8_replacing(std::string& out, std::string_view in) {
    const char* const p = in.data();
    const std::size_t n = in.size();
    std::size_t i = 0;
    std::size_t run = 0; // start of the well-formed run not yet appended
    for (;;) {
        i = skip_ascii(p, i, n);
        if (i == n) {
            break;
        }
        const utf8_sequence seq = scan_sequence(p, i, n);
        if (!seq.valid) {
            out.append(p + run, i - run);
            out.append(replacement_character);
            run = i + seq.length;
        }
        i += seq.length;
    }
    out.append(p + run, n - run);
}

} // namespace hixie76::detail

#endif // HIXIE76_DETAIL_UTF8_HPP
