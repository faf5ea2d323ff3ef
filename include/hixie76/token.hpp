// SPDX-License-Identifier: MIT
// hixie76/token.hpp — draft-76 keys: parsing, the 16-byte challenge response, client keys.
//
// A draft-76 key hides a 32-bit number: its digits, read as one decimal number, divided by the
// count of U+0020 spaces in it (§5.2 steps 4–9). The server proves it read the handshake by
// answering MD5(part1 as 32-bit big-endian ‖ part2 as 32-bit big-endian ‖ key3). Every abort
// condition has its own error code; none of them can divide by zero or wrap.
#ifndef HIXIE76_TOKEN_HPP
#define HIXIE76_TOKEN_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>

#include "hixie76/detail/ascii.hpp"
#include "hixie76/detail/config.hpp"
#include "hixie76/detail/md5.hpp"
#include "hixie76/error.hpp"

namespace hixie76 {

/// The largest key number the draft allows (§5.2: a larger one is "a symptom of an attack").
inline constexpr std::uint64_t max_key_number = 4294967295ULL;

/// The 16-byte challenge response, as wire characters.
using challenge_bytes = std::array<char, 16>;

/// What a key is made of.
struct key_result {
    error err = error::none;      ///< none, or the first broken rule (see parse_key)
    std::uint64_t key_number = 0; ///< the digits as a number (saturated above max_key_number)
    std::size_t spaces = 0;       ///< the count of U+0020 (tabs and others do not count)
    std::uint32_t part = 0;       ///< key_number / spaces; valid when err == none
};

/// Parses a `Sec-WebSocket-Key1`/`-Key2` value.
/// Returns: the key number, the spaces and the part.
/// **Errors** checked in this order: key_no_digits (no digit at all), key_overflow (key
/// number above 4294967295, however many digits: the test is on the key number, not the
/// quotient), key_no_spaces (never divides by zero), key_not_divisible.
/// **Complexity** O(n). **Spec** draft-76 §5.2 steps 4–9.
constexpr key_result parse_key(std::string_view key) noexcept {
    key_result r{};
    // No overflow test per digit: `significant` counts the digits from the first non-zero one
    // (a wrapped `number` is only possible past 19 of them, and then the count is already
    // over 10 and never falls). Ten or fewer digits are below 10^10: exact in 64 bits.
    std::uint64_t number = 0;
    std::size_t significant = 0;
    bool any_digit = false;
    for (char c : key) {
        const unsigned d = static_cast<unsigned>(detail::byte(c)) - unsigned{'0'}; // wraps < '0'
        if (d < 10U) {
            any_digit = true;
            number = number * 10U + d;
            significant += number != 0 ? 1U : 0U;
        } else if (c == ' ') {
            ++r.spaces;
        }
    }
    const bool overflow = significant > 10 || number > max_key_number;
    r.key_number = overflow ? max_key_number + 1 : number; // saturated: "above the maximum"
    if (!any_digit) {
        r.err = error::key_no_digits;
    } else if (overflow) {
        r.err = error::key_overflow;
    } else if (r.spaces == 0) {
        r.err = error::key_no_spaces;
    } else {
        // 32-bit division: the number fits, and so does any space count that can divide it
        // (more spaces than 4294967295 divide only 0).
        const auto n32 = static_cast<std::uint32_t>(number);
        const std::uint32_t s32 =
            r.spaces <= max_key_number ? static_cast<std::uint32_t>(r.spaces) : std::uint32_t{0};
        if (s32 == 0 ? n32 != 0 : n32 % s32 != 0) {
            r.err = error::key_not_divisible;
        } else {
            r.part = s32 == 0 ? 0 : n32 / s32;
        }
    }
    return r;
}

/// The draft-76 answer for two key parts and key3.
/// Returns: MD5(part1 BE32 ‖ part2 BE32 ‖ key3). **Spec** §5.2 step 9, §4.1 steps 42–43.
/// Precondition: `key3.size() == 8`.
constexpr challenge_bytes challenge_from_parts(std::uint32_t part1, std::uint32_t part2,
                                               std::string_view key3) noexcept {
    HIXIE76_ASSERT(key3.size() == 8);
    char buf[16] = {};
    for (std::size_t i = 0; i < 4; ++i) {
        buf[i] = detail::to_char(static_cast<std::uint8_t>(part1 >> (24 - 8 * i)));
        buf[4 + i] = detail::to_char(static_cast<std::uint8_t>(part2 >> (24 - 8 * i)));
    }
    for (std::size_t i = 0; i < 8 && i < key3.size(); ++i) {
        buf[8 + i] = key3[i];
    }
    return detail::md5(std::string_view(buf, 16));
}

/// The result of computing a challenge response from key texts.
struct challenge_result {
    error err = error::none; ///< the first key error (key1 first), or none
    challenge_bytes response{};
};

/// The draft-76 answer for two key field values and key3, as a server computes it.
/// **Errors** those of parse_key, for key1 first. Precondition: `key3.size() == 8`.
/// **Spec** draft-76 §5.2 steps 4–9.
constexpr challenge_result challenge_response(std::string_view key1, std::string_view key2,
                                              std::string_view key3) noexcept {
    challenge_result r{};
    const key_result k1 = parse_key(key1);
    if (k1.err != error::none) {
        r.err = k1.err;
        return r;
    }
    const key_result k2 = parse_key(key2);
    if (k2.err != error::none) {
        r.err = k2.err;
        return r;
    }
    r.response = challenge_from_parts(k1.part, k2.part, key3);
    return r;
}

/// The most characters a generated key can have: 10 digits, 12 random characters, 12 spaces.
inline constexpr std::size_t max_generated_key_size = 34;

/// A client key made by generate_key.
struct client_key {
    std::array<char, max_generated_key_size> chars{};
    std::size_t size = 0;
    std::uint32_t number = 0; ///< number_n, kept for the check of the server's answer
    /// The key text. **Lifetime** as long as this object.
    constexpr std::string_view text() const noexcept { return {chars.data(), size}; }
};

namespace detail {

/// A uniform integer in [lo, hi] from any uniform random bit generator.
template <class URBG> std::uint32_t uniform(URBG& rng, std::uint32_t lo, std::uint32_t hi) {
    std::uniform_int_distribution<std::uint32_t> d(lo, hi);
    return d(rng);
}

/// Inserts `c` before position `at` of the first `size` characters of `chars`.
constexpr void insert_char(std::array<char, max_generated_key_size>& chars, std::size_t& size,
                           std::size_t at, char c) noexcept {
    for (std::size_t i = size; i > at; --i) {
        chars[i] = chars[i - 1];
    }
    chars[at] = c;
    ++size;
}

} // namespace detail

/// Makes a client key as §4.1 steps 16–22 say: 1–12 spaces; a number in 0..4294967295/spaces;
/// the product's digits; 1–12 random characters from U+0021–U+002F and U+003A–U+007E at
/// random places; then the spaces at random places that are neither first nor last.
/// `rng` is any uniform random bit generator (the library has no global RNG); use a
/// cryptographically strong one in production. **Spec** draft-76 §4.1 steps 16–22.
template <class URBG> client_key generate_key(URBG& rng) {
    client_key k{};
    const std::uint32_t spaces = detail::uniform(rng, 1, 12);
    const std::uint32_t max = static_cast<std::uint32_t>(max_key_number / spaces);
    k.number = detail::uniform(rng, 0, max);
    std::uint64_t product = static_cast<std::uint64_t>(k.number) * spaces;
    char digits[10] = {};
    std::size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + static_cast<int>(product % 10U));
        product /= 10U;
    } while (product != 0);
    for (std::size_t i = 0; i < n; ++i) {
        k.chars[i] = digits[n - 1 - i];
    }
    k.size = n;
    // 84 candidates: 15 in U+0021–U+002F, 69 in U+003A–U+007E.
    const std::uint32_t extra = detail::uniform(rng, 1, 12);
    for (std::uint32_t i = 0; i < extra; ++i) {
        const std::uint32_t pick = detail::uniform(rng, 0, 83);
        const char c = static_cast<char>(pick < 15 ? 0x21 + pick : 0x3A + (pick - 15));
        const std::size_t at = detail::uniform(rng, 0, static_cast<std::uint32_t>(k.size));
        detail::insert_char(k.chars, k.size, at, c);
    }
    for (std::uint32_t i = 0; i < spaces; ++i) {
        // k.size >= 2 here (a digit and a random character), so 1..size-1 is never empty.
        const std::size_t at = detail::uniform(rng, 1, static_cast<std::uint32_t>(k.size - 1));
        detail::insert_char(k.chars, k.size, at, ' ');
    }
    return k;
}

/// Makes the 8 random bytes of key3 (§4.1 step 26); any byte value 0x00–0xFF.
template <class URBG> std::array<char, 8> generate_key3(URBG& rng) {
    std::array<char, 8> out{};
    for (char& c : out) {
        c = detail::to_char(static_cast<std::uint8_t>(detail::uniform(rng, 0, 255)));
    }
    return out;
}

} // namespace hixie76

#endif // HIXIE76_TOKEN_HPP
