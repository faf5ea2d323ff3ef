// SPDX-License-Identifier: MIT
// hixie76/detail/config.hpp — version numbers, assertions and small portability macros.
#ifndef HIXIE76_DETAIL_CONFIG_HPP
#define HIXIE76_DETAIL_CONFIG_HPP

#include <cstdlib>

#include "hixie76/version.hpp"

/// Precondition check. Defaults to a no-op under NDEBUG and to `std::abort()` otherwise, so the
/// library never throws. Define `HIXIE76_ASSERT(cond)` before including any hixie76 header to
/// route it elsewhere.
#ifndef HIXIE76_ASSERT
#ifdef NDEBUG
#define HIXIE76_ASSERT(cond) static_cast<void>(0)
#else
#define HIXIE76_ASSERT(cond) ((cond) ? static_cast<void>(0) : std::abort())
#endif
#endif

/// Inlines a function whatever the compiler's size heuristics decide (the request parser's
/// per-field checks, which would otherwise be calls on every field of every request).
#if defined(__GNUC__) || defined(__clang__)
#define HIXIE76_ALWAYS_INLINE __attribute__((always_inline))
#elif defined(_MSC_VER)
#define HIXIE76_ALWAYS_INLINE __forceinline
#else
#define HIXIE76_ALWAYS_INLINE
#endif

#endif // HIXIE76_DETAIL_CONFIG_HPP
