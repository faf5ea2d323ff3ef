// SPDX-License-Identifier: MIT
// hixie76/head.hpp — what the server side (handshake.hpp) and the client side (client.hpp) both
// need to read and write an HTTP head: a field, a list of fields, the head limits, the result
// of writing into a caller's buffer, and the checks a value must pass before it is written.
// Both sides include this lower layer; neither includes the other.
#ifndef HIXIE76_HEAD_HPP
#define HIXIE76_HEAD_HPP

#include <cstddef>
#include <cstring>
#include <string_view>

#include "hixie76/detail/ascii.hpp"
#include "hixie76/error.hpp"

namespace hixie76 {

/// One `Name: value` field. **Lifetime** both views point into the buffer last given to the
/// parser that produced them.
struct header_field {
    std::string_view name;
    std::string_view value;
};

/// Default limit on the handshake head (start line, fields and blank line), in bytes. 8 KiB
/// is Boost.Beast's default header limit and nginx's default large_client_header_buffers line
/// size; real draft-76 handshakes are 200–600 bytes, a few KiB with cookies.
inline constexpr std::size_t default_max_head_bytes = std::size_t{8} * 1024;

/// Field table capacity, and so the highest field-count limit. Browsers send 8–20 fields;
/// 64 leaves room for proxies' additions while keeping the table at 1 KiB.
inline constexpr std::size_t max_fields_capacity = 64;

/// A list of extra fields for a request or a response (e.g. `Set-Cookie`). **Lifetime** it views
/// the caller's array, which must outlive the call it is passed to.
struct field_list {
    const header_field* data = nullptr;
    std::size_t size = 0;
    constexpr field_list() noexcept = default;
    constexpr field_list(const header_field* d, std::size_t n) noexcept : data(d), size(n) {}
    template <std::size_t N>
    constexpr field_list(const header_field (&a)[N]) noexcept : data(a), size(N) {} // NOLINT
};

/// The outcome of writing bytes into a caller buffer.
struct write_result {
    error err = error::none;
    /// Bytes written; with buffer_too_small, the bytes that would be needed.
    std::size_t size = 0;
};

namespace detail {

/// Writes into a bounded buffer, counting what would be needed when it does not fit.
class bounded_writer {
public:
    constexpr bounded_writer(char* out, std::size_t cap) noexcept : out_(out), cap_(cap) {}
    constexpr void put(std::string_view s) noexcept {
        if (n_ <= cap_ && s.size() <= cap_ - n_) {
            if (!detail::in_constant_evaluation()) {
                if (!s.empty()) {
                    std::memcpy(out_ + n_, s.data(), s.size());
                }
            } else {
                for (std::size_t i = 0; i < s.size(); ++i) {
                    out_[n_ + i] = s[i];
                }
            }
        } else {
            overflow_ = true;
        }
        n_ += s.size();
    }
    constexpr void put_uint(std::size_t v) noexcept {
        char digits[20] = {};
        std::size_t k = 0;
        do {
            digits[k++] = static_cast<char>('0' + static_cast<int>(v % 10U));
            v /= 10U;
        } while (v != 0);
        char rev[20] = {};
        for (std::size_t i = 0; i < k; ++i) {
            rev[i] = digits[k - 1 - i];
        }
        put(std::string_view(rev, k));
    }
    constexpr write_result result() const noexcept {
        return {overflow_ ? error::buffer_too_small : error::none, n_};
    }

private:
    char* out_;
    std::size_t cap_;
    std::size_t n_ = 0;
    bool overflow_ = false;
};

/// True when `s` may not be written into a head: CR, LF or NUL (which could split the
/// message) or another control byte but HTAB (which a peer would refuse).
constexpr bool unsafe(std::string_view s) noexcept {
    std::size_t i = 0;
    if (!in_constant_evaluation()) {
        // Eight bytes at a time while none is below 0x20 or DEL (an HTAB stops the words; the
        // loop below passes it).
        while (s.size() - i >= 8 && swar_controls(load_le<std::uint64_t>(s.data() + i)) == 0) {
            i += 8;
        }
    }
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (is_forbidden_control(c)) {
            return true;
        }
    }
    return false;
}

constexpr bool valid_field_name(std::string_view s) noexcept {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!is_tchar(c)) {
            return false;
        }
    }
    return true;
}

/// True when every extra field has a token name and a safe value.
constexpr bool safe_fields(field_list fields) noexcept {
    for (std::size_t i = 0; i < fields.size; ++i) {
        if (!valid_field_name(fields.data[i].name) || unsafe(fields.data[i].value)) {
            return false;
        }
    }
    return true;
}

/// True when `s` is a subprotocol the drafts allow: non-empty, U+0020–U+007E only.
constexpr bool valid_protocol(std::string_view s) noexcept {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (byte(c) < 0x20 || byte(c) > 0x7E) {
            return false;
        }
    }
    return true;
}

} // namespace detail
} // namespace hixie76

#endif // HIXIE76_HEAD_HPP
