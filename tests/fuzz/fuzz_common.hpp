// SPDX-License-Identifier: MIT
// tests/fuzz/fuzz_common.hpp — what every fuzz target shares: checks that abort with a
// message, a reader of option bytes, and the chunkings chosen by the input's first bytes.
#ifndef HIXIE76_TESTS_FUZZ_COMMON_HPP
#define HIXIE76_TESTS_FUZZ_COMMON_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "hixie76/error.hpp"

/// An invariant of a target: when it does not hold, say which and abort, so libFuzzer saves
/// the input and the replay test fails. Never compiled out (unlike assert).
#define FUZZ_CHECK(cond)                                                                           \
    ((cond) ? static_cast<void>(0) : ::fuzz::check_failed(#cond, __FILE__, __LINE__))

namespace fuzz {

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    std::fflush(stderr);
    std::abort();
}

/// Reads option bytes from the front of the input; past its end every byte reads as 0.
class reader {
public:
    reader(const std::uint8_t* data, std::size_t size) noexcept
        : data_(reinterpret_cast<const char*>(data)), size_(size) {}

    std::uint8_t byte() noexcept {
        if (pos_ == size_) {
            return 0;
        }
        return static_cast<std::uint8_t>(data_[pos_++]);
    }

    /// Everything not read yet.
    std::string_view rest() const noexcept { return {data_ + pos_, size_ - pos_}; }

    /// Takes up to `n` bytes.
    std::string_view take(std::size_t n) noexcept {
        const std::size_t k = n < size_ - pos_ ? n : size_ - pos_;
        const std::string_view s(data_ + pos_, k);
        pos_ += k;
        return s;
    }

    bool empty() const noexcept { return pos_ == size_; }

private:
    const char* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

/// A small deterministic generator (xorshift32), so a chunking depends only on its seed.
class xorshift {
public:
    explicit xorshift(std::uint32_t seed) noexcept : s_(seed * 2654435761u + 0x9E3779B9u) {
        if (s_ == 0) {
            s_ = 1;
        }
    }
    std::uint32_t next() noexcept {
        s_ ^= s_ << 13;
        s_ ^= s_ >> 17;
        s_ ^= s_ << 5;
        return s_;
    }
    /// Uniform enough in [0, bound].
    std::size_t below_or(std::size_t bound) noexcept {
        return static_cast<std::size_t>(next() % (static_cast<std::uint32_t>(bound) + 1u));
    }

private:
    std::uint32_t s_;
};

/// Piece sizes that add up to `n`: sizes in [0, max_piece] drawn from `seed` (so zero-length
/// pieces occur, and max_piece 1 is nearly byte by byte). max_piece 0 means one piece.
inline std::vector<std::size_t> chunking(std::size_t n, std::uint8_t seed, std::uint8_t max_piece) {
    std::vector<std::size_t> out;
    if (max_piece == 0) {
        out.push_back(n);
        return out;
    }
    xorshift rng(seed);
    std::size_t left = n;
    while (left > 0) {
        std::size_t k = rng.below_or(max_piece);
        if (k > left) {
            k = left;
        }
        out.push_back(k);
        left -= k;
    }
    out.push_back(0); // a final zero-length feed
    return out;
}

/// Every piece of size 1 (a byte-by-byte trickle).
inline std::vector<std::size_t> byte_by_byte(std::size_t n) {
    return std::vector<std::size_t>(n, 1);
}

/// True when `inner` lies within `outer` (an empty view anywhere counts as inside).
inline bool within(std::string_view inner, std::string_view outer) noexcept {
    if (inner.empty()) {
        return true;
    }
    const auto lo = reinterpret_cast<std::uintptr_t>(outer.data());
    const auto p = reinterpret_cast<std::uintptr_t>(inner.data());
    return p >= lo && p - lo <= outer.size() && inner.size() <= outer.size() - (p - lo);
}

/// Two parse results are the same: status, code and offset.
inline bool same(const hixie76::parse_result& a, const hixie76::parse_result& b) {
    return a.status == b.status && a.err == b.err && a.consumed == b.consumed;
}

} // namespace fuzz

#endif // HIXIE76_TESTS_FUZZ_COMMON_HPP
