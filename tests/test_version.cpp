// SPDX-License-Identifier: MIT
// tests/test_version.cpp — the version macros agree with the build system's project version.
#include "hixie76/version.hpp"

#include <doctest/doctest.h>

#include <string>

#ifndef HIXIE76_BUILD_SYSTEM_VERSION
#error "the build passes its project version as HIXIE76_BUILD_SYSTEM_VERSION (\"1.2.3\")"
#endif

// The packed form leaves two decimal digits to minor and patch.
static_assert(HIXIE76_VERSION_MINOR < 100 && HIXIE76_VERSION_PATCH < 100,
              "HIXIE76_VERSION packs minor and patch into two digits each");

#if HIXIE76_VERSION !=                                                                             \
    HIXIE76_VERSION_MAJOR * 10000 + HIXIE76_VERSION_MINOR * 100 + HIXIE76_VERSION_PATCH
#error "HIXIE76_VERSION must be usable in #if and equal MAJOR * 10000 + MINOR * 100 + PATCH"
#endif

TEST_CASE("the version macros equal the version the build system declares") {
    const std::string from_macros = std::to_string(HIXIE76_VERSION_MAJOR) + "." +
                                    std::to_string(HIXIE76_VERSION_MINOR) + "." +
                                    std::to_string(HIXIE76_VERSION_PATCH);
    CHECK(from_macros == HIXIE76_BUILD_SYSTEM_VERSION);
}
