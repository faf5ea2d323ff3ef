// SPDX-License-Identifier: MIT
// hixie76/detail/ascii.hpp — constexpr ASCII helpers; the one place where char becomes a byte.
#ifndef HIXIE76_DETAIL_ASCII_HPP
#define HIXIE76_DETAIL_ASCII_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace hixie76::detail {

/// True while the caller is being evaluated as a constant expression. Where the compiler
/// cannot tell, it answers true, so only the portable (constexpr) paths are taken.
constexpr bool in_constant_evaluation() noexcept {
#if defined(__cpp_lib_is_constant_evaluated)
    return std::is_constant_evaluated();
#elif defined(__has_builtin)
#if __has_builtin(__builtin_is_constant_evaluated)
    return __builtin_is_constant_evaluated();
#else
    return true;
#endif
#elif defined(_MSC_VER) && _MSC_VER >= 1925
    return __builtin_is_constant_evaluated();
#else
    return true;
#endif
}

/// `sizeof(Word)` bytes from `p` as one word, `p[0]` in the low byte on every platform. One
/// unaligned load (memcpy, no punning) at run time; shifts during constant evaluation.
template <class Word> constexpr Word load_le(const char* p) noexcept {
    static_assert(sizeof(Word) == 4 || sizeof(Word) == 8, "a 32- or 64-bit word");
    Word w = 0;
    if (!in_constant_evaluation()) {
        std::memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) &&                                    \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        if constexpr (sizeof(Word) == 8) {
            w = __builtin_bswap64(w);
        } else {
            w = __builtin_bswap32(w);
        }
#endif
        return w;
    }
    for (unsigned k = 0; k < sizeof w; ++k) {
        w |= static_cast<Word>(static_cast<Word>(static_cast<unsigned char>(p[k])) << (8 * k));
    }
    return w;
}

/// Index of the lowest byte of `mask` that has bit 7 set. Precondition: `mask` has bits only
/// at 0x80 positions, and at least one.
constexpr std::size_t first_flagged_byte(std::uint64_t mask) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return static_cast<std::size_t>(__builtin_ctzll(mask)) / 8;
#else
    std::size_t k = 0;
    while ((mask & 0x80u) == 0) {
        mask >>= 8;
        ++k;
    }
    return k;
#endif
}

/// Bit 7 of each byte is set where that byte of `w` is below 0x20 or is 0x7F: CR, LF, HTAB
/// and the other control bytes. Exact in every byte: no sum carries across bytes.
constexpr std::uint64_t swar_controls(std::uint64_t w) noexcept {
    constexpr std::uint64_t hi = 0x8080808080808080u;
    const std::uint64_t x = w & ~hi;                    // each byte 0x00..0x7F
    const std::uint64_t ge20 = x + 0x6060606060606060u; // bit 7: the byte is >= 0x20
    const std::uint64_t del = x + 0x0101010101010101u;  // bit 7: the byte is 0x7F
    return (~ge20 | del) & ~w & hi;                     // bytes >= 0x80 never stop
}

/// The first index in [i, lim) from which fewer than 8 bytes remain or whose byte is below
/// 0x20 or is 0x7F, found sixteen and then eight bytes at a time. Not constexpr (memcpy).
inline std::size_t skip_non_controls(const char* p, std::size_t i, std::size_t lim) noexcept {
    while (lim - i >= 16) {
        const std::uint64_t m0 = swar_controls(load_le<std::uint64_t>(p + i));
        const std::uint64_t m1 = swar_controls(load_le<std::uint64_t>(p + i + 8));
        if ((m0 | m1) != 0) {
            return i + (m0 != 0 ? first_flagged_byte(m0) : 8 + first_flagged_byte(m1));
        }
        i += 16;
    }
    if (lim - i >= 8) {
        const std::uint64_t m = swar_controls(load_le<std::uint64_t>(p + i));
        return i + (m != 0 ? first_flagged_byte(m) : 8);
    }
    return i;
}

/// Bit 7 of each byte is set where that byte of `w` is NOT an ASCII letter, digit or '-' (the
/// bytes of the usual field names; the other tchars take the byte-by-byte path). Exact in
/// every byte: no operation carries across bytes.
constexpr std::uint64_t swar_not_name_bytes(std::uint64_t w) noexcept {
    constexpr std::uint64_t hi = 0x8080808080808080u;
    const std::uint64_t x = w & ~hi; // each byte 0x00..0x7F, so no sum below leaves its byte
    const std::uint64_t y = x | 0x2020202020202020u;
    const std::uint64_t letter = (y + 0x1F1F1F1F1F1F1F1Fu) & ~(y + 0x0505050505050505u);
    const std::uint64_t digit = (x + 0x5050505050505050u) & ~(x + 0x4646464646464646u);
    const std::uint64_t dash = ~((x ^ 0x2D2D2D2D2D2D2D2Du) + 0x7F7F7F7F7F7F7F7Fu);
    return ~((letter | digit | dash) & ~w) & hi;
}

/// The byte value of a wire character (wire bytes are `char` throughout the library).
constexpr std::uint8_t byte(char c) noexcept { return static_cast<std::uint8_t>(c); }

/// The wire character for a byte value.
constexpr char to_char(std::uint8_t b) noexcept { return static_cast<char>(b); }

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

/// ASCII case-insensitive equality (header names, `Upgrade` and `Connection` tokens).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const unsigned x = byte(a[i]);
        const unsigned y = byte(b[i]);
        // Unequal bytes still match when they differ only in 0x20 and are letters.
        if (x != y) {
            const unsigned lower = x | 0x20u;
            if ((x ^ y) != 0x20u || lower < unsigned{'a'} || lower > unsigned{'z'}) {
                return false;
            }
        }
    }
    return true;
}

/// RFC 9110 `tchar`: the bytes allowed in a field name or method.
constexpr bool is_tchar(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) {
        return true;
    }
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

/// A control byte that may not appear in a request line or field value: 0x00–0x1F except
/// HTAB, and DEL (RFC 9110 §5.5). Bytes 0x80–0xFF (UTF-8) are allowed in values.
constexpr bool is_forbidden_control(char c) noexcept {
    const std::uint8_t b = byte(c);
    return (b < 0x20 && b != 0x09) || b == 0x7F;
}

/// True when `list` (a comma-separated field value) contains `token`, ignoring ASCII case and
/// optional whitespace around elements (`Connection: keep-alive, Upgrade`).
constexpr bool list_contains_token(std::string_view list, std::string_view token) noexcept {
    if (iequals(list, token)) {
        return true; // the usual one-element list (`token` has no ',' and no whitespace)
    }
    std::size_t i = 0;
    while (i <= list.size()) {
        std::size_t end = list.find(',', i);
        if (end == std::string_view::npos) {
            end = list.size();
        }
        std::size_t b = i;
        std::size_t e = end;
        while (b < e && (list[b] == ' ' || list[b] == '\t')) {
            ++b;
        }
        while (e > b && (list[e - 1] == ' ' || list[e - 1] == '\t')) {
            --e;
        }
        if (iequals(list.substr(b, e - b), token)) {
            return true;
        }
        i = end + 1;
    }
    return false;
}

/// `s` without leading and trailing SP and HTAB (a field value's optional whitespace).
constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

/// A byte of an RFC 3986 reg-name: unreserved, sub-delims, or '%' of a pct-encoding.
constexpr bool is_reg_name_char(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) {
        return true;
    }
    switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '%':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
        return true;
    default:
        return false;
    }
}

/// Largest TCP port number.
inline constexpr std::uint32_t max_port = 65535;

/// A byte inside an IP literal's brackets: hex digits, ':' and '.' (IPv6, IPv4-mapped).
constexpr bool is_ip_literal_char(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/// Checks what follows the host in a `Host` value, from `i`: nothing, or `:` and a port of 1
/// to 5 digits up to 65535. Returns the offset of the first byte that breaks the form
/// (`s.size()` when digits are missing at the end), or npos.
constexpr std::size_t port_error_at(std::string_view s, std::size_t i) noexcept {
    const std::size_t n = s.size();
    if (i == n) {
        return std::string_view::npos;
    }
    if (s[i] != ':') {
        return i;
    }
    const std::size_t digits = ++i;
    std::uint32_t port = 0;
    for (; i < n && is_digit(s[i]); ++i) {
        port = port * 10U + static_cast<std::uint32_t>(s[i] - '0');
        if (port > max_port || i - digits >= 5) {
            return i;
        }
    }
    return i == digits || i < n ? i : std::string_view::npos;
}

/// Checks a `Host` value, `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2): a reg-name
/// or IPv4 address, or an IP literal in brackets, then an optional port of 1 to 5 digits up
/// to 65535. Returns the offset of the first byte that breaks the form (`s.size()` when
/// something is missing at the end), or npos when `s` is a valid host.
constexpr std::size_t host_error_at(std::string_view s) noexcept {
    const std::size_t n = s.size();
    std::size_t i = 0;
    if (n != 0 && s[0] == '[') {
        i = 1;
        while (i < n && is_ip_literal_char(s[i])) {
            ++i;
        }
        if (i == 1 || i == n || s[i] != ']') {
            return i;
        }
        ++i;
    } else {
        while (i < n && is_reg_name_char(s[i])) {
            ++i;
        }
        if (i == 0) {
            return 0;
        }
    }
    return port_error_at(s, i);
}

/// Compares two byte ranges in constant time with respect to their content (token checks).
constexpr bool equal_bytes(const char* a, const char* b, std::size_t n) noexcept {
    unsigned diff = 0;
    for (std::size_t i = 0; i < n; ++i) {
        diff |= static_cast<unsigned>(byte(a[i]) ^ byte(b[i]));
    }
    return diff == 0;
}

} // namespace hixie76::detail

#endif // HIXIE76_DETAIL_ASCII_HPP
