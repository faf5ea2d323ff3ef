// SPDX-License-Identifier: MIT
// tests/main.cpp — the doctest runner shared by every test file.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
