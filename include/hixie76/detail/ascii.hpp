// SPDX-License-Identifier: MIT
// hixie76/detail/ascii.hpp — constexpr ASCII helpers; the one place where char becomes a byte.
#ifndef HIXIE76_DETAIL_ASCII_HPP
#define HIXIE76_DETAIL_ASCII_HPP

#include <cstddef>
#include <cstdint>
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
        if (to_lower(a[i]) != to_lower(b[i])) {
            return false;
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
