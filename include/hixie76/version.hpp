// SPDX-License-Identifier: MIT
// hixie76/version.hpp — the library's semantic version (kept equal to CMake's and Meson's).
#ifndef HIXIE76_VERSION_HPP
#define HIXIE76_VERSION_HPP

#define HIXIE76_VERSION_MAJOR 1
#define HIXIE76_VERSION_MINOR 1
#define HIXIE76_VERSION_PATCH 0
/// MAJOR * 10000 + MINOR * 100 + PATCH, for preprocessor comparisons.
#define HIXIE76_VERSION                                                                            \
    (HIXIE76_VERSION_MAJOR * 10000 + HIXIE76_VERSION_MINOR * 100 + HIXIE76_VERSION_PATCH)

#endif // HIXIE76_VERSION_HPP
