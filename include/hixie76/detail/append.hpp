// SPDX-License-Identifier: MIT
// hixie76/detail/append.hpp — growing a std::string by bytes computed from views that may
// point into that same string (an echo that reuses its buffer, a response built from a
// request read into the output buffer).
#ifndef HIXIE76_DETAIL_APPEND_HPP
#define HIXIE76_DETAIL_APPEND_HPP

#include <cstddef>
#include <string>

namespace hixie76::detail {

/// Appends `n` bytes written by `fill(char* dst)` to `out`. When `out` must grow, the bytes are
/// written into the new storage while the old one still lives, so `fill` may read views of
/// `out` (as std::string::append may); `out` then takes the new storage. Allocates.
template <class Fill> void append_with(std::string& out, std::size_t n, Fill fill) {
    const std::size_t at = out.size();
    if (out.capacity() - at >= n) {
        out.resize(at + n); // no reallocation: views of out[0, at) stay valid
        fill(&out[at]);
        return;
    }
    std::string grown;
    grown.reserve(at + n < 2 * at ? 2 * at : at + n); // amortized, as append grows
    grown.append(out);
    grown.resize(at + n);
    fill(&grown[at]);
    out.swap(grown);
}

} // namespace hixie76::detail

#endif // HIXIE76_DETAIL_APPEND_HPP
