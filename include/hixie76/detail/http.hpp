// SPDX-License-Identifier: MIT
// hixie76/detail/http.hpp — the HTTP/1.1 head tokenizer shared by the request and response
// parsers: start line, `Name: value` fields, CRLF rules, and the byte and field limits.
//
// Theory of operation. The caller keeps every byte it has read in one buffer and passes the
// whole buffer on each call; the tokenizer resumes where it stopped, so a byte-by-byte trickle
// costs O(n) in all. It walks the bytes strictly in stream order through the states below and
// stops at the first broken rule, which is why any chunking of the same bytes gives the same
// result and the same offset. It stores offsets, never pointers, so the caller's buffer may
// move between calls.
//
//   start_line --CR--> start_line_lf --LF--> line_start
//   line_start --CR--> end_lf --LF--> done            (the blank line ends the head)
//   line_start --tchar--> name --':'--> value_start --> value --CR--> value_lf --LF--> line_start
#ifndef HIXIE76_DETAIL_HTTP_HPP
#define HIXIE76_DETAIL_HTTP_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "hixie76/detail/ascii.hpp"
#include "hixie76/error.hpp"
#include "hixie76/head.hpp"

namespace hixie76 {

namespace detail {

/// Largest head a tokenizer reads (a larger configured limit is lowered to it): offsets and
/// lengths are stored in 32 bits, and an offset plus a length must not wrap.
inline constexpr std::size_t max_head_bytes_cap = std::size_t{1} << 30;
static_assert(2 * max_head_bytes_cap - 1 <= std::uint32_t(-1), "offset + length fits in 32 bits");

/// Where one field lies in the buffer. No default member initializers: the type stays
/// trivially default-constructible, so field_table can leave its entries unset.
struct field_span {
    std::uint32_t name_off;
    std::uint32_t name_len;
    std::uint32_t value_off;
    std::uint32_t value_len;
};

/// The tokenizer's field table. Only entries below the field count are ever read, so a table
/// made at run time is left unset (a fresh parser would otherwise zero 1 KiB per handshake);
/// the first write to `spans` begins its lifetime (C++17 [class.union]/5). A table made
/// during constant evaluation, where C++17 neither allows unset values nor a change of the
/// active member, starts with `spans` zeroed.
/// bench: handshake/spec 336 ns → 317 ns (medians of 8 interleaved runs, against a zeroed array).
union field_table {
    char unset;
    field_span spans[max_fields_capacity];
    constexpr field_table() noexcept : unset() {}
    constexpr explicit field_table(bool /*zeroed*/) noexcept : spans() {}
};

/// Result of one tokenizer step: `pos` is the head size when complete, the offending byte's
/// offset when failed, the bytes scanned when need_more.
struct head_step {
    parse_status status = parse_status::need_more;
    error err = error::none;
    std::size_t pos = 0;
};

/// Byte classes for the tokenizer's scanning loops (one table lookup per byte).
inline constexpr std::uint8_t cls_tchar = 1;      ///< RFC 9110 tchar
inline constexpr std::uint8_t cls_value_stop = 2; ///< CR, LF, or a forbidden control byte
inline constexpr std::uint8_t cls_line_stop = 4;  ///< the same, plus HTAB (request line)
inline constexpr std::uint8_t cls_crlf = 8;       ///< CR or LF (response rules: value, line)
inline constexpr std::uint8_t cls_name_stop = 16; ///< CR, LF or ':' (response rules: name)

struct char_class_table {
    std::uint8_t v[256] = {};
    constexpr char_class_table() noexcept {
        for (unsigned b = 0; b < 256; ++b) {
            const char c = to_char(static_cast<std::uint8_t>(b));
            std::uint8_t k = 0;
            if (is_tchar(c)) {
                k |= cls_tchar;
            }
            if (c == '\r' || c == '\n' || is_forbidden_control(c)) {
                k |= cls_value_stop | cls_line_stop;
            }
            if (c == '\t') {
                k |= cls_line_stop;
            }
            if (c == '\r' || c == '\n') {
                k |= cls_crlf | cls_name_stop;
            }
            if (c == ':') {
                k |= cls_name_stop;
            }
            v[b] = k;
        }
    }
};
inline constexpr char_class_table char_classes{};
constexpr std::uint8_t char_class(char c) noexcept { return char_classes.v[byte(c)]; }

// --- the field indexer: which known field a name is, and where each was first seen -----------

/// "No such field": above every field index (max_fields_capacity is below it).
inline constexpr std::uint8_t no_field = 0xFF;
static_assert(max_fields_capacity < no_field, "field indexes must fit below no_field");

/// The fields a parser reads, by name: a table built at compile time from lower-case names
/// (letters, digits, '-'); find() takes a field's name to its index in that list, ignoring
/// ASCII case. The request parser and the client's response check both index their fields
/// with it.
///
/// Case folding is `| 0x20` on every byte. It maps no other byte onto a letter or '-' (CR,
/// the one byte that folds onto '-', never ends up in a name), and onto a digit only bytes
/// below 0x20, which a request's names (tchars) never hold and the response's names cannot
/// use to match (none of those the client reads has a digit).
template <std::size_t N> class field_names {
public:
    /// Names longer than this are not looked up (the longest known name is 22 bytes).
    static constexpr std::size_t max_length = 31;
    static_assert(N < no_field, "list indexes must fit below no_field");

    constexpr explicit field_names(const std::array<std::string_view, N>& names) noexcept {
        for (std::size_t k = 0; k < N; ++k) {
            const std::string_view v = names[k];
            valid_ = valid_ && !v.empty() && v.size() <= max_length;
            lengths_[k] = static_cast<std::uint8_t>(v.size());
            words_[k] = folded(v.data(), v.size());
        }
    }

    /// True when every name is 1 to max_length bytes long (the parsers static_assert it).
    constexpr bool valid() const noexcept { return valid_; }

    /// Returns: the index in the list of the name equal to `name` ignoring ASCII case, or
    /// no_field.
    constexpr std::uint8_t find(std::string_view name) const noexcept {
        if (name.size() > max_length) {
            return no_field;
        }
        return find_in(name, std::make_index_sequence<N>{});
    }

private:
    /// A name of length n as overlapping words, case folded: 8-byte words at the start, the
    /// middle and the end (n >= 8); 4-byte words at the start and the end (n >= 4); else
    /// the bytes. Together they cover every byte, so equal words mean equal folded names.
    struct words {
        std::uint64_t head = 0;
        std::uint64_t middle = 0;
        std::uint64_t tail = 0;
    };
    static constexpr words folded(const char* p, std::size_t n) noexcept {
        words w{};
        if (n >= 8) {
            constexpr std::uint64_t fold = 0x2020202020202020u;
            w.head = load_le<std::uint64_t>(p) | fold;
            w.middle = load_le<std::uint64_t>(p + (n - 8) / 2) | fold;
            w.tail = load_le<std::uint64_t>(p + n - 8) | fold;
        } else if (n >= 4) {
            constexpr std::uint32_t fold = 0x20202020u;
            w.head = load_le<std::uint32_t>(p) | fold;
            w.tail = load_le<std::uint32_t>(p + n - 4) | fold;
        } else {
            for (std::size_t k = 0; k < n; ++k) {
                w.head |= std::uint64_t{static_cast<std::uint8_t>(byte(p[k]) | 0x20u)} << (8 * k);
            }
        }
        return w;
    }
    constexpr bool same(std::string_view name, std::size_t k) const noexcept {
        const words w = folded(name.data(), name.size());
        return ((w.head ^ words_[k].head) | (w.middle ^ words_[k].middle) |
                (w.tail ^ words_[k].tail)) == 0;
    }
    /// The list in order, unrolled at compile time: each test is a predicted branch on the
    /// length, then one compare of words; no load waits on an address computed from the name.
    template <std::size_t... I>
    constexpr std::uint8_t find_in(std::string_view name,
                                   std::index_sequence<I...> /*list*/) const noexcept {
        std::uint8_t found = no_field;
        static_cast<void>(
            ((lengths_[I] == name.size() && same(name, I) ? (found = I, true) : false) || ...));
        return found;
    }

    std::array<words, N> words_{};
    std::array<std::uint8_t, N> lengths_{};
    bool valid_ = true;
};

/// Where each known field was first seen: one field index (or no_field) per name of a
/// field_names list.
template <std::size_t N> class field_slots {
public:
    constexpr field_slots() noexcept {
        for (std::uint8_t& a : at_) {
            a = no_field;
        }
    }
    /// Records field `field` under name `k`. Returns: false, recording nothing, when a field
    /// of that name was recorded before (a duplicate).
    constexpr bool note(std::size_t k, std::uint8_t field) noexcept {
        if (at_[k] != no_field) {
            return false;
        }
        at_[k] = field;
        return true;
    }
    /// The index of the field recorded under `k`, or no_field.
    constexpr std::uint8_t operator[](std::size_t k) const noexcept { return at_[k]; }

private:
    std::array<std::uint8_t, N> at_{};
};

/// The head tokenizer. `ResponseRules` false: the strict rules a server applies to a request
/// (names are tokens, no control byte but HTAB in values or the request line). True: the rules
/// of the draft's client reading a response (draft-76 §4.1 steps 28–40): a name is any bytes up
/// to ':' but CR and LF, a value and the status line any bytes but CR and LF.
template <bool ResponseRules> class basic_head_tokenizer {
    static constexpr std::uint8_t line_stop = ResponseRules ? cls_crlf : cls_line_stop;
    static constexpr std::uint8_t value_stop = ResponseRules ? cls_crlf : cls_value_stop;

public:
    enum class state : std::uint8_t {
        start_line,    ///< inside the request or status line (draft-76 §4.1 step 5 / step 28)
        start_line_lf, ///< the start line's CR was seen; LF must follow
        line_start,    ///< at the start of a field line, or of the blank line (§4.1 step 24)
        name,          ///< inside a field name, up to ':'
        value_start,   ///< just after ':'; one optional SP is skipped
        value,         ///< inside a field value, up to CR
        value_lf,      ///< a value's CR was seen; LF must follow
        end_lf,        ///< the blank line's CR was seen; LF ends the head (§4.1 step 25)
        done,          ///< the head is complete
    };

    /// User-provided, so that value-initialization (`head_tokenizer{}`, `tok_{}`) does not
    /// zero the whole object first: the field table stays unset (see field_table).
    constexpr basic_head_tokenizer() noexcept {} // NOLINT(modernize-use-equals-default)

    /// Scans `buf` from where the previous call stopped.
    /// Precondition: `buf` starts with the bytes of every previous call (append-only).
    constexpr head_step advance(std::string_view buf, std::size_t max_head,
                                std::size_t max_fields) noexcept {
        std::size_t i = pos_;
        const std::size_t n = buf.size();
        const std::size_t lim = n < max_head ? n : max_head;
        const char* const p = buf.data();
        // Each step reads from `i` and leaves `i` past what it took, or at the offending byte.
        // A field line runs through line_start, name, value_start, value and value_lf without
        // returning to the switch while bytes remain.
        while (i < lim && st_ != state::done) {
            error e = error::none;
            switch (st_) {
            case state::start_line:
                e = scan_start_line(p, i, lim);
                break;
            case state::start_line_lf:
            case state::value_lf:
                e = expect_lf(p, i, state::line_start);
                break;
            case state::end_lf:
                e = expect_lf(p, i, state::done);
                break;
            case state::line_start:
                e = begin_line(p, i, max_fields);
                if (e != error::none || st_ != state::name) {
                    break; // a fault, or the blank line's CR
                }
                [[fallthrough]];
            case state::name:
                e = scan_name(p, i, lim);
                if (e != error::none || i == lim) {
                    break;
                }
                [[fallthrough]];
            case state::value_start:
                begin_value(p, i);
                if (i == lim) {
                    break;
                }
                [[fallthrough]];
            case state::value:
                e = scan_value(p, i, lim);
                if (e == error::none && i < lim) {
                    e = expect_lf(p, i, state::line_start);
                }
                break;
            case state::done:
                break;
            }
            if (e != error::none) {
                return fail(e, i);
            }
        }
        if (st_ != state::done && i >= max_head && n > max_head) {
            return fail(error::head_too_large, max_head);
        }
        pos_ = i;
        if (st_ == state::done) {
            return {parse_status::complete, error::none, i};
        }
        return {parse_status::need_more, error::none, i};
    }

    constexpr bool done() const noexcept { return st_ == state::done; }
    /// True once the start line's end (its CR) has been seen: start_line() is then whole.
    constexpr bool start_line_ended() const noexcept { return st_ != state::start_line; }
    /// Makes the tokenizer look as if it had stopped after `fields` fields at `pos` (a caller
    /// that finds a field invalid stops there, whatever the chunking of the bytes after it).
    constexpr void stop_at(std::size_t fields, std::size_t pos) noexcept {
        count_ = fields < count_ ? fields : count_;
        pos_ = pos;
    }
    /// Bytes scanned so far (the head size once done).
    constexpr std::size_t position() const noexcept { return pos_; }
    /// The start line without its CRLF. Valid once done.
    constexpr std::string_view start_line(std::string_view buf) const noexcept {
        return buf.substr(0, start_line_end_);
    }
    constexpr std::size_t field_count() const noexcept { return count_; }
    /// Field `i`'s place. Precondition: `i < field_count()`.
    constexpr const field_span& span(std::size_t i) const noexcept { return fields_.spans[i]; }
    /// Field `i`; empty views when `i >= field_count()` (those entries may be unset).
    constexpr header_field field(std::string_view buf, std::size_t i) const noexcept {
        if (i >= count_) {
            return {};
        }
        const field_span& f = fields_.spans[i];
        return {buf.substr(f.name_off, f.name_len), buf.substr(f.value_off, f.value_len)};
    }

private:
    // --- the steps of advance(). The word-at-a-time scans (memcpy loads) run outside constant
    // evaluation; each stops at or before the byte its byte loop would stop at, so offsets are
    // the same either way.

    /// The request or status line (draft-76 §4.1 step 5 / step 28), up to its CR.
    constexpr error scan_start_line(const char* p, std::size_t& i, std::size_t lim) noexcept {
        if (!in_constant_evaluation()) {
            i = skip_non_controls(p, i, lim); // every byte below 0x20 and DEL is a line stop
        }
        while (i < lim && (char_class(p[i]) & line_stop) == 0) {
            ++i;
        }
        if (i == lim) {
            return error::none;
        }
        if (p[i] == '\r') {
            start_line_end_ = static_cast<std::uint32_t>(i);
            st_ = state::start_line_lf;
            ++i;
            return error::none;
        }
        return p[i] == '\n' ? error::bare_lf : error::bad_control_char;
    }

    /// The LF after a CR; then `next`. A CR without it fails at the CR.
    constexpr error expect_lf(const char* p, std::size_t& i, state next) noexcept {
        if (p[i] != '\n') {
            --i;
            return error::bare_cr;
        }
        st_ = next;
        ++i;
        return error::none;
    }

    /// The first byte of a line: the blank line's CR (§4.1 step 24), or a field name's first
    /// byte (no fold, space or separator; under the field limit).
    constexpr error begin_line(const char* p, std::size_t& i, std::size_t max_fields) noexcept {
        const char c = p[i];
        if (c == '\r') {
            st_ = state::end_lf;
            ++i;
            return error::none;
        }
        if (c == '\n') {
            return error::bare_lf;
        }
        if (ResponseRules ? c == ':' : (char_class(c) & cls_tchar) == 0) {
            return error::malformed_field; // folds, spaces, separators
        }
        if (count_ >= max_fields || count_ >= max_fields_capacity) {
            return error::too_many_fields;
        }
        fields_.spans[count_].name_off = static_cast<std::uint32_t>(i);
        st_ = state::name;
        return error::none;
    }

    /// A field name up to its ':' (request rules: tchars only; response rules: any byte but
    /// CR and LF).
    constexpr error scan_name(const char* p, std::size_t& i, std::size_t lim) noexcept {
        if (!in_constant_evaluation()) {
            // Letters, digits and '-' eight at a time; other name bytes go byte by byte.
            while (lim - i >= 8) {
                const std::uint64_t m = swar_not_name_bytes(load_le<std::uint64_t>(p + i));
                if (m != 0) {
                    i += first_flagged_byte(m);
                    break;
                }
                i += 8;
            }
        }
        const std::uint8_t name_bytes = ResponseRules ? std::uint8_t{0} : cls_tchar;
        const std::uint8_t name_mask = ResponseRules ? cls_name_stop : cls_tchar;
        while (i < lim && (char_class(p[i]) & name_mask) == name_bytes) {
            ++i;
        }
        if (i == lim) {
            return error::none;
        }
        if (p[i] != ':') {
            return p[i] == '\n' ? error::bare_lf : error::malformed_field;
        }
        fields_.spans[count_].name_len =
            static_cast<std::uint32_t>(i) - fields_.spans[count_].name_off;
        st_ = state::value_start;
        ++i;
        return error::none;
    }

    /// Just after the colon: one optional SP is not part of the value.
    constexpr void begin_value(const char* p, std::size_t& i) noexcept {
        st_ = state::value;
        if (p[i] == ' ') {
            ++i;
        }
        fields_.spans[count_].value_off = static_cast<std::uint32_t>(i);
    }

    /// A field value up to its CR (request rules: no control byte but HTAB; response rules:
    /// any byte but CR and LF).
    constexpr error scan_value(const char* p, std::size_t& i, std::size_t lim) noexcept {
        if (!in_constant_evaluation()) {
            // Stops at the first byte below 0x20 or equal to 0x7F; an HTAB among them is
            // passed by the byte loop.
            i = skip_non_controls(p, i, lim);
        }
        while (i < lim && (char_class(p[i]) & value_stop) == 0) {
            ++i;
        }
        if (i == lim) {
            return error::none;
        }
        if (p[i] != '\r') {
            return p[i] == '\n' ? error::bare_lf : error::bad_control_char;
        }
        fields_.spans[count_].value_len =
            static_cast<std::uint32_t>(i) - fields_.spans[count_].value_off;
        ++count_;
        st_ = state::value_lf;
        ++i;
        return error::none;
    }

    constexpr head_step fail(error e, std::size_t at) noexcept {
        pos_ = at;
        return {parse_status::failed, e, at};
    }

    field_table fields_ = in_constant_evaluation() ? field_table(true) : field_table();
    std::size_t pos_ = 0;
    std::size_t count_ = 0;
    std::uint32_t start_line_end_ = 0;
    state st_ = state::start_line;
};

/// The request rules (server side).
using head_tokenizer = basic_head_tokenizer<false>;
/// The response rules of the draft's client (draft-76 §4.1 steps 28–40).
using response_tokenizer = basic_head_tokenizer<true>;

} // namespace detail
} // namespace hixie76

#endif // HIXIE76_DETAIL_HTTP_HPP
