// SPDX-License-Identifier: MIT
// tests/test_fields.cpp — the field indexer both parsers use (detail/http.hpp): field_names
// finds a name ignoring ASCII case and nothing else; field_slots keeps the first of each.
#include <hixie76/detail/http.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace {

using hixie76::detail::field_names;
using hixie76::detail::field_slots;
using hixie76::detail::no_field;

// Lengths 1..22 with several names of one length, as the parsers' lists have.
constexpr std::array<std::string_view, 10> list = {
    "host",
    "origin",
    "sec-websocket-key1",
    "sec-websocket-key2",
    "websocket-protocol",
    "connection",
    "a",
    "ab",
    "abc",
    "sec-websocket-protocol",
};
constexpr field_names<list.size()> names{list};

// Built and searched during constant evaluation too.
static_assert(names.valid());
static_assert(names.find("Host") == 0);
static_assert(names.find("SEC-WEBSOCKET-KEY2") == 3);
static_assert(names.find("websocket-Protocol") == 4);
static_assert(names.find("aB") == 7);
static_assert(names.find("hosts") == no_field);
static_assert(names.find("") == no_field);
static_assert(noexcept(names.find(std::string_view())));

/// The reference: equal ignoring ASCII case, byte by byte.
std::uint8_t reference_find(std::string_view name) {
    for (std::size_t k = 0; k < list.size(); ++k) {
        const std::string_view lower = list[k];
        bool same = name.size() == lower.size();
        for (std::size_t i = 0; same && i < name.size(); ++i) {
            const char c =
                name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] + 32) : name[i];
            same = c == lower[i];
        }
        if (same) {
            return static_cast<std::uint8_t>(k);
        }
    }
    return no_field;
}

} // namespace

TEST_CASE("field_names finds every listed name in any case, at any address") {
    for (std::size_t k = 0; k < list.size(); ++k) {
        std::string upper(list[k]);
        for (char& c : upper) {
            c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
        }
        for (std::size_t shift = 0; shift < 9; ++shift) { // unaligned word loads
            const std::string lower_copy = std::string(shift, 'x') + std::string(list[k]);
            const std::string upper_copy = std::string(shift, 'x') + upper;
            CHECK(names.find(std::string_view(lower_copy).substr(shift)) == k);
            CHECK(names.find(std::string_view(upper_copy).substr(shift)) == k);
        }
    }
}

TEST_CASE("field_names finds nothing when any byte differs, whatever the byte") {
    // Every position of every name, every byte value: the one-byte change must match only
    // when it is the other case of a letter (the fold maps nothing else onto the names).
    std::size_t found = 0;
    for (std::size_t k = 0; k < list.size(); ++k) {
        for (std::size_t i = 0; i < list[k].size(); ++i) {
            for (unsigned b = 0; b < 256; ++b) {
                if (b == '\r') {
                    continue; // never inside a field name (it ends the line)
                }
                std::string name(list[k]);
                name[i] = static_cast<char>(b);
                const std::uint8_t want = reference_find(name);
                CAPTURE(name);
                // Digits in a listed name are matched by bytes below 0x20 as well (`| 0x20`):
                // the indexer's documented limit, which the parsers' inputs cannot reach.
                const bool folds_onto_digit = b >= 0x10 && b <= 0x19;
                if (!folds_onto_digit) {
                    CHECK(names.find(name) == want);
                }
                found += want != no_field ? 1 : 0;
            }
        }
    }
    CHECK(found > 0);
}

TEST_CASE("field_names agrees with a plain case-insensitive compare on random names") {
    std::mt19937 rng(76);
    const std::string alphabet = "abcdeghiknoprstwyHOSTKEY-12: \t\x80\xFF";
    std::size_t hits = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string name;
        if (rng() % 2 == 0) {
            // A listed name with one or two bytes replaced.
            name = std::string(list[rng() % list.size()]);
            for (int e = 0; e < 1 + static_cast<int>(rng() % 2); ++e) {
                name[rng() % name.size()] = alphabet[rng() % alphabet.size()];
            }
        } else {
            const std::size_t n = rng() % 40;
            for (std::size_t i = 0; i < n; ++i) {
                name += alphabet[rng() % alphabet.size()];
            }
        }
        CAPTURE(name);
        const std::uint8_t want = reference_find(name);
        CHECK(names.find(name) == want);
        hits += want != no_field ? 1 : 0;
    }
    CHECK(hits > 100);
}

TEST_CASE("field_names skips names longer than its limit") {
    const std::string long_name(field_names<1>::max_length + 1, 'a');
    constexpr std::array<std::string_view, 1> one = {"a"};
    constexpr field_names<1> single{one};
    CHECK(single.find(long_name) == no_field);
    CHECK(single.find("A") == 0);
}

TEST_CASE("field_slots keeps the first field of each name and reports repeats") {
    field_slots<3> slots;
    CHECK(slots[0] == no_field);
    CHECK(slots[2] == no_field);
    CHECK(slots.note(1, 4));
    CHECK(slots[1] == 4);
    CHECK_FALSE(slots.note(1, 7)); // a duplicate: the first stays
    CHECK(slots[1] == 4);
    CHECK(slots.note(0, 0));
    CHECK(slots[0] == 0);
    CHECK(slots[2] == no_field);
}
