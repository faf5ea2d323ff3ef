// SPDX-License-Identifier: MIT
// tests/test_error.cpp — every error code has a name, a description, a class and an HTTP
// status, round-trips through std::error_code, and appears once in all_errors.
#include "hixie76/error.hpp"

#include <cstddef>
#include <cstdio>
#include <iterator>
#include <ostream> // doctest prints std::error_code with operator<<
#include <set>
#include <string>
#include <string_view>
#include <system_error>

#include <doctest/doctest.h>

namespace {

using hixie76::error;

// The number of enumerators in `enum class error`. Maintained by hand on purpose: adding a
// code means updating this count, and the test below then insists all_errors lists it too.
constexpr std::size_t error_enumerator_count = 53;

constexpr bool in_all_errors(error e) noexcept {
    for (error x : hixie76::all_errors) {
        if (x == e) {
            return true;
        }
    }
    return false;
}

static_assert(noexcept(hixie76::to_string(error::none)));
static_assert(noexcept(hixie76::describe(error::none)));
static_assert(noexcept(hixie76::condition_of(error::none)));
static_assert(noexcept(hixie76::suggested_http_status(error::none)));
static_assert(noexcept(hixie76::make_error_code(error::none)));
static_assert(std::is_error_code_enum<error>::value);
static_assert(hixie76::to_string(error::key_no_spaces) == "key_no_spaces");
static_assert(hixie76::suggested_http_status(error::rfc6455_request) == 426);

} // namespace

TEST_CASE("all_errors lists every enumerator exactly once, in increasing order") {
    CHECK(std::size(hixie76::all_errors) == error_enumerator_count);
    CHECK(hixie76::all_errors[0] == error::none);
    for (std::size_t i = 1; i < std::size(hixie76::all_errors); ++i) {
        CAPTURE(i);
        CHECK(static_cast<int>(hixie76::all_errors[i - 1]) <
              static_cast<int>(hixie76::all_errors[i]));
    }
    // to_string names exactly the enumerators (its switch has no default, so -Wswitch keeps it
    // complete); every value it names must be in all_errors, and no other value.
    std::size_t named = 0;
    for (int v = 0; v <= 255; ++v) {
        const auto e = static_cast<error>(v);
        CAPTURE(v);
        const bool is_named = hixie76::to_string(e) != "unknown";
        CHECK(is_named == in_all_errors(e));
        named += is_named ? 1U : 0U;
    }
    CHECK(named == error_enumerator_count);
}

TEST_CASE("every error has a distinct non-empty name and a non-empty description") {
    std::set<std::string_view> names;
    std::set<std::string_view> descriptions;
    for (error e : hixie76::all_errors) {
        CAPTURE(static_cast<int>(e));
        const std::string_view name = hixie76::to_string(e);
        CAPTURE(name);
        CHECK(!name.empty());
        CHECK(name != "unknown");
        CHECK(names.insert(name).second);
        const std::string_view text = hixie76::describe(e);
        CHECK(!text.empty());
        CHECK(text != "unknown error");
        CHECK(descriptions.insert(text).second);
    }
}

TEST_CASE("every error round-trips through std::error_code in the hixie76 category") {
    for (error e : hixie76::all_errors) {
        CAPTURE(hixie76::to_string(e));
        const std::error_code ec = hixie76::make_error_code(e);
        CHECK(ec.value() == static_cast<int>(e));
        CHECK(&ec.category() == &hixie76::error_category());
        CHECK(std::string_view(ec.category().name()) == "hixie76");
        CHECK(ec.message() == std::string(hixie76::describe(e)));
        const std::error_code implicit = e; // is_error_code_enum makes this implicit
        CHECK(implicit == ec);
        CHECK(implicit == e);
        CHECK(static_cast<bool>(ec) == (e != error::none));
    }
    CHECK(hixie76::make_error_code(error::bad_method) != hixie76::make_error_code(error::bare_lf));
    CHECK(hixie76::make_error_code(error::none) != std::error_code(0, std::generic_category()));
}

TEST_CASE("every error has a condition and a suggested HTTP status from the known set") {
    using hixie76::error_condition_kind;
    for (error e : hixie76::all_errors) {
        CAPTURE(hixie76::to_string(e));
        const error_condition_kind k = hixie76::condition_of(e);
        CHECK((k == error_condition_kind::none) == (e == error::none));
        CHECK((k == error_condition_kind::none || k == error_condition_kind::handshake_failed ||
               k == error_condition_kind::protocol_violation ||
               k == error_condition_kind::limit_exceeded ||
               k == error_condition_kind::usage_error));
        const int status = hixie76::suggested_http_status(e);
        CHECK((status == 0 || status == 400 || status == 403 || status == 405 || status == 426 ||
               status == 431 || status == 505));
    }
    CHECK(hixie76::suggested_http_status(error::none) == 0);
    CHECK(hixie76::suggested_http_status(error::origin_refused) == 403);
    CHECK(hixie76::suggested_http_status(error::bad_method) == 405);
    CHECK(hixie76::suggested_http_status(error::head_too_large) == 431);
    CHECK(hixie76::suggested_http_status(error::key_no_spaces) == 400);
    CHECK(hixie76::condition_of(error::head_too_large) == error_condition_kind::limit_exceeded);
    CHECK(hixie76::condition_of(error::key_overflow) == error_condition_kind::handshake_failed);
    CHECK(hixie76::condition_of(error::invalid_utf8) == error_condition_kind::protocol_violation);
    CHECK(hixie76::condition_of(error::unsafe_value) == error_condition_kind::usage_error);
}

TEST_CASE("to_string and describe give NUL-terminated text for printf, without a copy") {
    for (error e : hixie76::all_errors) {
        const hixie76::cstring_view name = hixie76::to_string(e);
        CHECK(std::string_view(name.c_str()) == name); // ends at a NUL right after the view
        const hixie76::cstring_view text = hixie76::describe(e);
        CHECK(std::string_view(text.c_str()) == text);
    }
    char line[64] = {};
    std::snprintf(line, sizeof line, "%s", hixie76::to_string(error::bad_host).c_str());
    CHECK(std::string_view(line) == "bad_host");
    static_assert(hixie76::to_string(error::wrong_state) == "wrong_state");
}

TEST_CASE("a value outside the enum still gets a fallback name and description") {
    const auto stray = static_cast<error>(200);
    CHECK(hixie76::to_string(stray) == "unknown");
    CHECK(!hixie76::describe(stray).empty());
    CHECK(hixie76::suggested_http_status(stray) == 0);
}
