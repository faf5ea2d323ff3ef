// SPDX-License-Identifier: MIT
// tests/support.hpp — shared test helpers: chunkings, exact-size heap copies, hex.
#ifndef HIXIE76_TESTS_SUPPORT_HPP
#define HIXIE76_TESTS_SUPPORT_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace test {

/// A copy of `s` in a heap block of exactly `s.size()` bytes, so that ASan reports a read of
/// one byte past the end (picohttpparser's guard-page idea).
class exact_copy {
public:
    explicit exact_copy(std::string_view s)
        : size_(s.size()), data_(new char[s.size() == 0 ? 1 : s.size()]) {
        for (std::size_t i = 0; i < s.size(); ++i) {
            data_[i] = s[i];
        }
    }
    std::string_view view() const { return {data_.get(), size_}; }

private:
    std::size_t size_;
    std::unique_ptr<char[]> data_;
};

/// Lists of cut points: each chunking is a sorted list of piece sizes adding up to `n`.
using chunking = std::vector<std::size_t>;

/// The chunkings every incremental parser is tested with: one shot, every 2-way split, byte by
/// byte, every 3-way split when n < 64, and `random_count` seeded random chunkings (seed i is
/// used for the i-th). Zero-length pieces are included in some random chunkings.
inline std::vector<chunking> all_chunkings(std::size_t n, std::size_t random_count = 32) {
    std::vector<chunking> out;
    out.push_back({n});
    for (std::size_t i = 1; i < n; ++i) {
        out.push_back({i, n - i});
    }
    if (n > 1) {
        out.push_back(chunking(n, 1));
    }
    if (n < 64) {
        for (std::size_t i = 1; i < n; ++i) {
            for (std::size_t j = i + 1; j < n; ++j) {
                out.push_back({i, j - i, n - j});
            }
        }
    }
    for (std::size_t seed = 0; seed < random_count; ++seed) {
        std::mt19937 rng(static_cast<std::uint32_t>(seed));
        chunking c;
        std::size_t left = n;
        while (left > 0) {
            std::uniform_int_distribution<std::size_t> d(0, left < 17 ? left : 17);
            std::size_t k = d(rng);
            if (k == 0 && (seed % 3) != 0) {
                k = 1; // zero-length pieces only in every third random chunking
            }
            c.push_back(k);
            left -= k;
        }
        out.push_back(c);
    }
    return out;
}

/// Renders a chunking for CAPTURE.
inline std::string describe(const chunking& c) {
    std::string s;
    for (std::size_t k : c) {
        if (!s.empty()) {
            s += ',';
        }
        s += std::to_string(k);
    }
    return s;
}

/// Bytes from a hex string (whitespace ignored).
inline std::string unhex(std::string_view hex) {
    std::string out;
    int hi = -1;
    for (char c : hex) {
        int v = -1;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<char>((hi << 4) | v));
            hi = -1;
        }
    }
    return out;
}

/// Lower-case hex of bytes.
inline std::string hex(std::string_view bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0F]);
    }
    return out;
}

} // namespace test

#endif // HIXIE76_TESTS_SUPPORT_HPP
