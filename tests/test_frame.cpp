// SPDX-License-Identifier: MIT
// tests/test_frame.cpp — frame decoder, assembler and encoders: vectors, every split, limits,
// every framing error with its offset, and encode → decode round trips.
#include <hixie76/frame.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support.hpp"

using hixie76::assemble_result;
using hixie76::assembler_config;
using hixie76::decoder_config;
using hixie76::draft;
using hixie76::error;
using hixie76::frame_decoder;
using hixie76::frame_event;
using hixie76::frame_kind;
using hixie76::message_assembler;
using hixie76::parse_status;
using hixie76::utf8_check;
using hixie76::utf8_policy;

// --- promises: the hot paths never throw, and the size functions are constant expressions ---

static_assert(noexcept(std::declval<frame_decoder&>().next(std::string_view())));
static_assert(noexcept(std::declval<frame_decoder&>().reset()));
static_assert(noexcept(std::declval<const frame_decoder&>().closed()));
static_assert(noexcept(std::declval<const frame_decoder&>().position()));
static_assert(noexcept(std::declval<const frame_decoder&>().config()));
static_assert(noexcept(frame_decoder(decoder_config{})));
static_assert(noexcept(hixie76::frame_text(std::string_view())));
static_assert(noexcept(hixie76::frame_text(std::string_view(), utf8_check::reject)));
static_assert(noexcept(hixie76::frame_binary(0)));
static_assert(noexcept(hixie76::text_frame_size(0)));
static_assert(noexcept(hixie76::binary_frame_size(0)));
static_assert(noexcept(hixie76::encode_text(nullptr, 0, std::string_view())));
static_assert(noexcept(hixie76::encode_binary(nullptr, 0, std::string_view())));
static_assert(noexcept(hixie76::encode_close(nullptr, 0)));
static_assert(noexcept(std::declval<message_assembler&>().reset()));
static_assert(noexcept(std::declval<const message_assembler&>().message()));

static_assert(hixie76::text_frame_size(0) == 2);
static_assert(hixie76::text_frame_size(3) == 5);
static_assert(hixie76::text_frame_size(std::numeric_limits<std::size_t>::max()) ==
              std::numeric_limits<std::size_t>::max());
static_assert(hixie76::binary_frame_size(0) == 2);
static_assert(hixie76::binary_frame_size(127) == 129);
static_assert(hixie76::binary_frame_size(128) == 131);
static_assert(hixie76::binary_frame_size(16384) == 16388);
static_assert(hixie76::binary_frame_size(std::numeric_limits<std::uint64_t>::max()) ==
              std::numeric_limits<std::size_t>::max());
static_assert(hixie76::max_length_prefix_size == 10);
static_assert(hixie76::detail::length_prefix_size(std::numeric_limits<std::uint64_t>::max()) ==
              hixie76::max_length_prefix_size);
static_assert(hixie76::close_frame[0] == '\xff' && hixie76::close_frame[1] == '\x00');

namespace {

// --- event log normal form --------------------------------------------------------------------

/// Bytes as a C-like string literal body: printable ASCII as is, the rest as \xHH.
std::string printable(std::string_view s) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7F && c != '"' && c != '\\') {
            out += c;
        } else {
            out += "\\x";
            out += digits[b >> 4];
            out += digits[b & 0x0F];
        }
    }
    return out;
}

std::string type_hex(std::uint8_t t) {
    static const char digits[] = "0123456789abcdef";
    std::string out = "0x";
    out += digits[t >> 4];
    out += digits[t & 0x0F];
    return out;
}

/// Builds the event log: one line per event, with the pieces of a frame merged.
///   text "hi" fin | text "abc" (the stream ended inside the frame) | binary 0x80 "…" fin
///   skipped 0x80 | close | error frame_too_large at 12
class event_log {
public:
    void add(const frame_event& ev, std::uint64_t position) {
        switch (ev.kind) {
        case frame_kind::need_more:
            return;
        case frame_kind::text:
        case frame_kind::binary:
            if (!open_) {
                open_ = true;
                head_ = ev.kind == frame_kind::text ? std::string("text")
                                                    : "binary " + type_hex(ev.type);
                data_.clear();
            }
            data_.append(ev.payload.data(), ev.payload.size());
            if (ev.fin) {
                flush(" fin");
            }
            return;
        case frame_kind::skipped:
            line("skipped " + type_hex(ev.type));
            return;
        case frame_kind::close:
            line("close");
            return;
        case frame_kind::failed:
            line("error " + std::string(hixie76::to_string(ev.err)) + " at " +
                 std::to_string(position));
            return;
        }
    }
    std::string finish() {
        if (open_) {
            flush("");
        }
        return text_;
    }

private:
    void flush(const char* suffix) {
        text_ += head_ + " \"" + printable(data_) + "\"" + suffix + "\n";
        open_ = false;
    }
    void line(const std::string& s) {
        if (open_) {
            flush("");
        }
        text_ += s + "\n";
    }
    bool open_ = false;
    std::string head_;
    std::string data_;
    std::string text_;
};

/// Decodes `input` fed in the pieces of `c`, each an exact-size heap copy, following the
/// documented caller loop, and checks the decoder's invariants on the way. Returns the log.
std::string decode_log(std::string_view input, const decoder_config& cfg, const test::chunking& c) {
    frame_decoder d(cfg);
    event_log log;
    std::size_t off = 0;
    bool failed = false;
    for (std::size_t k : c) {
        const test::exact_copy copy(input.substr(off, k));
        off += k;
        std::string_view in = copy.view();
        if (failed) {
            // Sticky: the same error, nothing consumed, the position unchanged.
            const std::uint64_t pos = d.position();
            const frame_event ev = d.next(in);
            REQUIRE(ev.kind == frame_kind::failed);
            REQUIRE(ev.consumed == 0);
            REQUIRE(d.position() == pos);
            continue;
        }
        for (;;) {
            const std::uint64_t before = d.position();
            const frame_event ev = d.next(in);
            REQUIRE(ev.consumed <= in.size());
            REQUIRE(d.position() == before + ev.consumed);
            if (!ev.payload.empty()) {
                REQUIRE(ev.payload.data() >= in.data());
                REQUIRE(ev.payload.data() + ev.payload.size() <= in.data() + in.size());
            }
            if ((ev.kind == frame_kind::text || ev.kind == frame_kind::binary) && !ev.fin) {
                REQUIRE(!ev.payload.empty()); // no empty non-fin pieces
            }
            if (ev.kind == frame_kind::need_more) {
                REQUIRE(ev.consumed == in.size());
            }
            if (ev.kind == frame_kind::failed) {
                REQUIRE(ev.err != error::none);
            } else {
                REQUIRE(ev.err == error::none);
            }
            log.add(ev, d.position());
            in.remove_prefix(ev.consumed);
            if (ev.kind == frame_kind::failed) {
                failed = true;
                break;
            }
            if (ev.kind == frame_kind::need_more || in.empty()) {
                break;
            }
        }
    }
    return log.finish();
}

/// The one-shot log must equal `expected`, and so must the log of every chunking.
void check_every_chunking(std::string_view input, const decoder_config& cfg,
                          const std::string& expected) {
    const std::string one_shot = decode_log(input, cfg, {input.size()});
    CHECK(one_shot == expected);
    std::size_t mismatches = 0;
    for (const test::chunking& c : test::all_chunkings(input.size())) {
        const std::string got = decode_log(input, cfg, c);
        if (got != one_shot) {
            ++mismatches;
            CAPTURE(test::describe(c));
            CHECK(got == one_shot);
        }
    }
    CHECK(mismatches == 0);
}

decoder_config cfg76() { return {}; }

decoder_config cfg75() {
    decoder_config c;
    c.version = draft::draft75;
    return c;
}

decoder_config with_binary(decoder_config c = {}) {
    c.deliver_binary = true;
    return c;
}

decoder_config strict(decoder_config c = {}) {
    c.strict_types = true;
    return c;
}

decoder_config reject_utf8(decoder_config c = {}) {
    c.utf8 = utf8_check::reject;
    return c;
}

decoder_config limit(std::uint64_t max, decoder_config c = {}) {
    c.max_frame_size = max;
    return c;
}

struct frame_row {
    const char* name;
    const char* spec; ///< the rule the row checks
    std::string hex;
    decoder_config cfg;
    std::string expected; ///< event log normal form
};

std::string hex_repeat(const char* byte_hex, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += byte_hex;
    }
    return s;
}

std::string text_repeat(char c, std::size_t n) { return std::string(n, c); }

/// The published frame vectors (the frame grammar of draft-76 §4.2 and §5.3), then one row per
/// framing rule.
std::vector<frame_row> frame_rows() {
    const std::string a128 = text_repeat('A', 128);
    return {
        // --- the published frame vectors ---
        {"empty text message", "draft-76 §4.2, §5.3; websockets/ws PR #45, #56", "00ff", cfg76(),
         "text \"\" fin\n"},
        {"text 'foo'", "draft-76 §4.2, §5.3", "00666f6fff", cfg76(), "text \"foo\" fin\n"},
        {"close FF 00", "draft-76 §1.4, §4.2, §5.3", "ff00", cfg76(), "close\n"},
        {"close in non-minimal length FF 80 00", "draft-76 §4.2, §5.3", "ff8000", cfg76(),
         "close\n"},
        {"length frame of 5 is skipped", "draft-76 §4.2, §5.3", "800568656c6c6f", cfg76(),
         "skipped 0x80\n"},
        {"type FF with length 5 is not a close", "draft-76 §4.2, §5.3", "ff050102030405", cfg76(),
         "skipped 0xff\n"},
        {"length frame of 128 (81 00)", "draft-76 §4.2, §5.3", "808100" + hex_repeat("41", 128),
         cfg76(), "skipped 0x80\n"},
        {"sentinel frame of type 01 is skipped", "draft-76 §4.2, §5.3", "0161ff", cfg76(),
         "skipped 0x01\n"},
        {"invalid UTF-8 is delivered as is without a check", "draft-76 §4.3, §5.4", "00c328ff",
         cfg76(), "text \"\\xc3(\" fin\n"},
        {"length frame of 1 whose payload is 00", "draft-76 §4.2, §5.3", "810100", cfg76(),
         "skipped 0x81\n"},
        // --- the same vectors with options ---
        {"length frame of 128 delivered", "draft-76 §4.2, §5.3; delivering it is an extension",
         "808100" + hex_repeat("41", 128), with_binary(), "binary 0x80 \"" + a128 + "\" fin\n"},
        {"length frame of 5 delivered", "draft-76 §4.2, §5.3; delivering it is an extension",
         "800568656c6c6f", with_binary(), "binary 0x80 \"hello\" fin\n"},
        {"length frame of 1 with payload 00 delivered", "draft-76 §4.2, §5.3", "810100",
         with_binary(), "binary 0x81 \"\\x00\" fin\n"},
        {"type FF with a length is skipped even when delivering binary", "draft-76 §4.2, §5.3",
         "ff050102030405", with_binary(), "skipped 0xff\n"},
        {"empty length frame delivered as an empty binary message", "draft-76 §4.2, §5.3", "8000",
         with_binary(), "binary 0x80 \"\" fin\n"},
        {"invalid UTF-8 rejected at the offending byte", "draft-76 §5.4", "00c328ff", reject_utf8(),
         "text \"\\xc3\"\nerror invalid_utf8 at 2\n"},
        {"draft-75: FF 00 is an empty length frame, skipped", "draft-75 §4.2, §5.3", "ff00",
         cfg75(), "skipped 0xff\n"},
        {"draft-75: FF 80 00 is skipped too", "draft-75 §4.2, §5.3", "ff8000", cfg75(),
         "skipped 0xff\n"},
        {"draft-75: data after FF 00 is still read", "draft-75 §4.2, §5.3", "ff0000616263ff",
         cfg75(), "skipped 0xff\ntext \"abc\" fin\n"},
        // --- frame forms (draft-76 §4.2, §5.3) ---
        {"frames: a sentinel frame ends at the first FF", "draft-76 §4.2, §5.3", "006162ff6364ff",
         cfg76(), "text \"ab\" fin\nskipped 0x63\n"},
        {"frames: sentinel type 7F is skipped", "draft-76 §4.2, §5.3", "7f616263ff00ff", cfg76(),
         "skipped 0x7f\ntext \"\" fin\n"},
        {"frames: payload bytes 00..FE pass through a text frame", "draft-76 §4.2, §5.3",
         "00000180c0fe7fff", cfg76(), "text \"\\x00\\x01\\x80\\xc0\\xfe\\x7f\" fin\n"},
        {"frames: non-minimal length 80 80 80 03", "draft-76 §4.2, §5.3", "80808080036162 63",
         with_binary(), "binary 0x80 \"abc\" fin\n"},
        {"frames: two-group length 01 02 = 130", "draft-76 §4.2, §5.3",
         "fe8102" + hex_repeat("5a", 130), with_binary(),
         "binary 0xfe \"" + text_repeat('Z', 130) + "\" fin\n"},
        {"frames: a length frame may contain FF and 00 bytes", "draft-76 §4.2, §5.3", "9003ff00ff",
         with_binary(), "binary 0x90 \"\\xff\\x00\\xff\" fin\n"},
        {"frames: one after another", "draft-76 §4.2, §5.3", "00616263ff8002fffe00ff0161ffff00",
         cfg76(), "text \"abc\" fin\nskipped 0x80\ntext \"\" fin\nskipped 0x01\nclose\n"},
        {"frames: a frame cut off by the end of the stream", "draft-76 §4.2, §5.3", "00616263",
         cfg76(), "text \"abc\"\n"},
        {"frames: a partial length prefix reports nothing", "draft-76 §4.2, §5.3", "8081", cfg76(),
         ""},
        {"frames: length frame waiting for payload reports nothing", "draft-76 §4.2, §5.3",
         "8005616263", cfg76(), ""},
        // --- the close frame (draft-76 §1.4, §4.2, §5.3): coalesced, split, next to 00 FF ---
        {"close: all data after FF 00 is discarded", "draft-76 §4.2, §5.3", "ff0000616263ff8000",
         cfg76(), "close\n"},
        {"close: FF 00 coalesced with data before and after",
         "draft-76 §5.3; old ws found FF 00 only as a 2-byte read", "006869ffff000062ff", cfg76(),
         "text \"hi\" fin\nclose\n"},
        {"close: FF 80 80 00 is a close too", "draft-76 §4.2, §5.3", "ff808000", cfg76(),
         "close\n"},
        {"close: 00 FF then FF 00 is an empty message then a close",
         "draft-76 §4.2, §5.3; websockets/ws PR #45, #56", "00ffff00", cfg76(),
         "text \"\" fin\nclose\n"},
        {"close: FF 00 then 00 FF is a close, the rest discarded",
         "draft-76 §4.2, §5.3; websockets/ws PR #45, #56", "ff0000ff", cfg76(), "close\n"},
        {"empty messages in a row", "draft-76 §4.2, §5.3; websockets/ws PR #45, #56",
         "00ff00ff00ff", cfg76(), "text \"\" fin\ntext \"\" fin\ntext \"\" fin\n"},
        // --- UTF-8 checks (draft-76 §5.4: a server may close) ---
        {"utf-8: valid multi-byte text accepted under reject", "draft-76 §5.4",
         "00c3a9e282acf09f9880ff", reject_utf8(),
         "text \"\\xc3\\xa9\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80\" fin\n"},
        {"utf-8: overlong at the start of a frame fails before any piece", "draft-76 §5.4",
         "00c080ff", reject_utf8(), "error invalid_utf8 at 1\n"},
        {"utf-8: surrogate fails at its second byte", "draft-76 §5.4", "0041eda080ff",
         reject_utf8(), "text \"A\\xed\"\nerror invalid_utf8 at 3\n"},
        {"utf-8: a frame ending inside a sequence fails at the terminator", "draft-76 §5.4",
         "00e282ff", reject_utf8(), "text \"\\xe2\\x82\"\nerror invalid_utf8 at 3\n"},
        {"utf-8: a valid frame then an invalid one", "draft-76 §5.4", "0061ff0062f5ff",
         reject_utf8(), "text \"a\" fin\ntext \"b\"\nerror invalid_utf8 at 5\n"},
        {"utf-8: non-text sentinel frames are not checked", "draft-76 §5.4", "01c0ff",
         reject_utf8(), "skipped 0x01\n"},
        {"utf-8: length frames are not checked", "draft-76 §5.4", "8002c0c1",
         with_binary(reject_utf8()), "binary 0x80 \"\\xc0\\xc1\" fin\n"},
        // --- limits: frame_too_large ---
        {"limit: text exactly at the limit", "draft-76 §4.2, §7 (size limit)", "0061626364ff",
         limit(4), "text \"abcd\" fin\n"},
        {"limit: text one byte over fails at that byte", "draft-76 §4.2, §7 (size limit)",
         "006162636465ff", limit(4), "text \"abcd\"\nerror frame_too_large at 5\n"},
        {"limit: endless text frame is cut off", "draft-76 §4.2, §7 (size limit)",
         "00" + hex_repeat("61", 40), limit(10),
         "text \"aaaaaaaaaa\"\nerror frame_too_large at 11\n"},
        {"limit: a limit of 0 allows only empty text", "draft-76 §4.2, §7 (size limit)",
         "00ff0061ff", limit(0), "text \"\" fin\nerror frame_too_large at 3\n"},
        {"limit: length frame fails at its length prefix", "draft-76 §4.2, §7 (size limit)",
         "8005616263646566", limit(4), "error frame_too_large at 1\n"},
        {"limit: length frame at the limit passes", "draft-76 §4.2, §7 (size limit)",
         "800461626364", limit(4), "skipped 0x80\n"},
        {"limit: multi-byte prefix fails at the byte that passes the limit",
         "draft-76 §4.2, §7 (size limit)", "80818000", limit(200), "error frame_too_large at 3\n"},
        {"limit: skipped sentinel frames are bounded too", "draft-76 §4.2, §7 (size limit)",
         "01616263ff", limit(2), "error frame_too_large at 3\n"},
        {"limit: FF with a large length is bounded", "draft-76 §4.2, §7 (size limit)", "ff8100",
         limit(100), "error frame_too_large at 2\n"},
        {"limit: a UTF-8 error before the limit wins", "draft-76 §4.2, §7 (size limit); §5.4",
         "0061c0626364ff", limit(3, reject_utf8()), "text \"a\"\nerror invalid_utf8 at 2\n"},
        {"limit: the limit before a UTF-8 error wins", "draft-76 §4.2, §7 (size limit); §5.4",
         "00616263c0ff", limit(3, reject_utf8()), "text \"abc\"\nerror frame_too_large at 4\n"},
        // --- length_overflow ---
        {"overflow: 2^63 - 1 is accepted", "draft-76 §4.2, §5.3 (the overflow guard is ours)",
         "80" + hex_repeat("ff", 8) + "7f", limit(std::numeric_limits<std::uint64_t>::max()), ""},
        {"overflow: 2^63 fails at the last prefix byte",
         "draft-76 §4.2, §5.3 (the overflow guard is ours)", "8081" + hex_repeat("80", 8) + "00",
         limit(std::numeric_limits<std::uint64_t>::max()), "error length_overflow at 10\n"},
        {"overflow: an eleventh group fails", "draft-76 §4.2, §5.3 (the overflow guard is ours)",
         "ff" + hex_repeat("ff", 9) + "7f", limit(std::numeric_limits<std::uint64_t>::max()),
         "error length_overflow at 10\n"},
        {"overflow: nine leading zero groups are a valid length 0", "draft-76 §4.2, §5.3",
         "80" + hex_repeat("80", 9) + "00", cfg76(), "skipped 0x80\n"},
        {"overflow: a prefix longer than 10 bytes fails at its 11th byte",
         "draft-76 §4.2, §5.3 (the overflow guard is ours)", "80" + hex_repeat("80", 20) + "00",
         cfg76(), "error length_overflow at 11\n"},
        // --- unknown_frame_type (strict types) ---
        {"strict: sentinel type 01 fails at its type byte", "draft-76 §5.3", "0061ff0161ff",
         strict(), "text \"a\" fin\nerror unknown_frame_type at 3\n"},
        {"strict: a length frame fails at its type byte", "draft-76 §4.2, §5.3", "8003616263",
         strict(), "error unknown_frame_type at 0\n"},
        {"strict: FF with a length fails at the length byte", "draft-76 §4.2, §5.3", "ff05",
         strict(), "error unknown_frame_type at 1\n"},
        {"strict: FF 80 81 fails where the length turns non-zero", "draft-76 §4.2, §5.3", "ff8081",
         strict(), "error unknown_frame_type at 2\n"},
        {"strict: a close is still a close", "draft-76 §1.4, §5.3",
         "00ff"
         "ff00",
         strict(), "text \"\" fin\nclose\n"},
        {"strict: delivered binary is not unknown", "draft-76 §4.2, §5.3", "800161",
         strict(with_binary()), "binary 0x80 \"a\" fin\n"},
        {"strict draft-75: FF 00 fails at its type byte", "draft-75 §4.2, §5.3", "ff00",
         strict(cfg75()), "error unknown_frame_type at 0\n"},
    };
}

} // namespace

TEST_CASE("frame vectors: the event log is the same for the one-shot feed and every chunking") {
    for (const frame_row& row : frame_rows()) {
        CAPTURE(row.name);
        CAPTURE(row.spec);
        check_every_chunking(test::unhex(row.hex), row.cfg, row.expected);
    }
}

TEST_CASE("decoder: empty input gives need_more with nothing consumed") {
    frame_decoder d;
    const frame_event ev = d.next({});
    CHECK(ev.kind == frame_kind::need_more);
    CHECK(ev.consumed == 0);
    CHECK(d.position() == 0);
    // Also inside a text frame: no empty non-fin piece.
    CHECK(d.next(std::string_view("\x00", 1)).kind == frame_kind::need_more);
    const frame_event mid = d.next({});
    CHECK(mid.kind == frame_kind::need_more);
    CHECK(mid.consumed == 0);
    CHECK(d.position() == 1);
}

TEST_CASE("decoder: a text piece views the caller's input and comes as soon as bytes arrive") {
    frame_decoder d;
    const std::string a = test::unhex("00616263");
    frame_event ev = d.next(a);
    CHECK(ev.kind == frame_kind::text);
    CHECK_FALSE(ev.fin);
    CHECK(ev.payload == "abc");
    CHECK(ev.payload.data() == a.data() + 1);
    CHECK(ev.consumed == 4);
    const std::string b = test::unhex("64ff");
    ev = d.next(b);
    CHECK(ev.kind == frame_kind::text);
    CHECK(ev.fin);
    CHECK(ev.payload == "d");
    CHECK(ev.consumed == 2);
    const std::string c = test::unhex("ff");
    ev = d.next(test::unhex("00"));
    CHECK(ev.kind == frame_kind::need_more);
    ev = d.next(c);
    CHECK(ev.kind == frame_kind::text); // a terminator alone gives an empty fin piece
    CHECK(ev.fin);
    CHECK(ev.payload.empty());
    CHECK(d.position() == 8);
}

TEST_CASE("close: FF 00 split across reads is a close; only then is closed() true") {
    frame_decoder d;
    frame_event ev = d.next(test::unhex("0061ffff"));
    CHECK(ev.kind == frame_kind::text);
    CHECK(ev.consumed == 3);
    ev = d.next(test::unhex("ff"));
    CHECK(ev.kind == frame_kind::need_more);
    CHECK(ev.consumed == 1);
    CHECK_FALSE(d.closed());
    ev = d.next(test::unhex("0000ff"));
    CHECK(ev.kind == frame_kind::close);
    CHECK(ev.type == 0xFF);
    CHECK(ev.consumed == 1);
    CHECK(d.closed());
    ev = d.next(test::unhex("00ff"));
    CHECK(ev.kind == frame_kind::need_more); // draft-76 §5.3: discard all further data
    CHECK(ev.consumed == 2);
    CHECK(d.position() == 7);
}

TEST_CASE("failures are sticky until reset(), with the offset in position()") {
    decoder_config cfg;
    cfg.max_frame_size = 2;
    frame_decoder d(cfg);
    const std::string in = test::unhex("80056162636465");
    frame_event ev = d.next(in);
    CHECK(ev.kind == frame_kind::failed);
    CHECK(ev.err == error::frame_too_large);
    CHECK(ev.type == 0x80);
    CHECK(ev.consumed == 1);
    CHECK(d.position() == 1);
    for (int k = 0; k < 3; ++k) {
        ev = d.next(std::string_view(in).substr(1));
        CHECK(ev.kind == frame_kind::failed);
        CHECK(ev.err == error::frame_too_large);
        CHECK(ev.consumed == 0);
        ev = d.next({});
        CHECK(ev.kind == frame_kind::failed);
        CHECK(ev.err == error::frame_too_large);
    }
    CHECK(d.position() == 1);
    d.reset();
    CHECK(d.position() == 0);
    CHECK(d.config().max_frame_size == 2);
    const std::string again = test::unhex("006162ff");
    ev = d.next(again);
    CHECK(ev.kind == frame_kind::text);
    CHECK(ev.payload == "ab");
}

TEST_CASE("reset() also forgets a close") {
    frame_decoder d;
    CHECK(d.next(test::unhex("ff00")).kind == frame_kind::close);
    CHECK(d.closed());
    d.reset();
    CHECK_FALSE(d.closed());
    CHECK(d.next(test::unhex("0061ff")).kind == frame_kind::text);
}

namespace {

struct error_row {
    const char* name;
    std::string hex;
    decoder_config cfg;
    error err;
    std::uint64_t offset;
};

} // namespace

TEST_CASE("every decoder error code, at its exact stream offset, under every chunking") {
    const auto u64max = std::numeric_limits<std::uint64_t>::max();
    const error_row rows[] = {
        {"frame_too_large (text)", "00616263ff006162636465", limit(4), error::frame_too_large, 10},
        {"frame_too_large (length prefix)", "0061ff808105", limit(100), error::frame_too_large, 5},
        {"length_overflow", "0061ff8081" + hex_repeat("80", 8) + "00", limit(u64max),
         error::length_overflow, 13},
        {"invalid_utf8 (bad byte)", "0061ff00e2e282acff", reject_utf8(), error::invalid_utf8, 5},
        {"invalid_utf8 (truncated at FF)", "00f09f98ff", reject_utf8(), error::invalid_utf8, 4},
        {"unknown_frame_type (sentinel)", "00ff00ff027aff", strict(), error::unknown_frame_type, 4},
        {"unknown_frame_type (length)", "00ff8100", strict(), error::unknown_frame_type, 2},
    };
    for (const error_row& row : rows) {
        CAPTURE(row.name);
        const std::string in = test::unhex(row.hex);
        for (const test::chunking& c : test::all_chunkings(in.size())) {
            CAPTURE(test::describe(c));
            frame_decoder d(row.cfg);
            std::size_t off = 0;
            frame_event last;
            for (std::size_t k : c) {
                const test::exact_copy copy(std::string_view(in).substr(off, k));
                off += k;
                std::string_view v = copy.view();
                do {
                    last = d.next(v);
                    v.remove_prefix(last.consumed);
                } while (!v.empty() && last.kind != frame_kind::failed &&
                         last.kind != frame_kind::need_more);
                if (last.kind == frame_kind::failed) {
                    break;
                }
            }
            REQUIRE(last.kind == frame_kind::failed);
            CHECK(last.err == row.err);
            CHECK(d.position() == row.offset);
        }
    }
}

// --- assembler ---------------------------------------------------------------------------------

namespace {

/// Decodes `input` one shot with `dcfg` and pushes every event into an assembler; returns the
/// complete messages, or stops at the first failure and returns its code in `err`.
struct assembled {
    std::vector<std::string> messages;
    std::vector<bool> binary;
    error err = error::none;
};

assembled assemble(std::string_view input, const decoder_config& dcfg, const assembler_config& acfg,
                   const test::chunking& c) {
    frame_decoder d(dcfg);
    message_assembler a(acfg);
    assembled out;
    std::size_t off = 0;
    for (std::size_t k : c) {
        const test::exact_copy copy(input.substr(off, k));
        off += k;
        std::string_view in = copy.view();
        for (;;) {
            const frame_event ev = d.next(in);
            in.remove_prefix(ev.consumed);
            if (ev.kind == frame_kind::failed) {
                out.err = ev.err;
                return out;
            }
            const assemble_result r = a.push(ev);
            if (r.status == parse_status::failed) {
                out.err = r.err;
                return out;
            }
            if (r.status == parse_status::complete) {
                out.binary.push_back(a.is_binary());
                out.messages.push_back(a.take());
            }
            if (ev.kind == frame_kind::need_more || in.empty()) {
                break;
            }
        }
    }
    return out;
}

assembled assemble(std::string_view input, const assembler_config& acfg,
                   const decoder_config& dcfg = {}) {
    return assemble(input, dcfg, acfg, {input.size()});
}

assembler_config policy(utf8_policy p, std::size_t max = 16u << 20) {
    assembler_config c;
    c.utf8 = p;
    c.max_message_size = max;
    return c;
}

frame_event text_piece(std::string_view s, bool fin) {
    frame_event ev;
    ev.kind = frame_kind::text;
    ev.payload = s;
    ev.fin = fin;
    ev.consumed = s.size();
    return ev;
}

const std::string fffd = "\xEF\xBF\xBD";

} // namespace

TEST_CASE("assembler replace (default): invalid UTF-8 becomes U+FFFD per maximal subpart") {
    const std::string in = test::unhex("00c328ff"); // draft-76 §4.3: decodes as U+FFFD '('
    for (const test::chunking& c : test::all_chunkings(in.size())) {
        CAPTURE(test::describe(c));
        const assembled r = assemble(in, {}, {}, c);
        REQUIRE(r.messages.size() == 1);
        CHECK(r.messages[0] == fffd + "(");
        CHECK_FALSE(r.binary[0]);
    }
    CHECK(assemble(test::unhex("00e282ff"), {}).messages.at(0) == fffd);
    CHECK(assemble(test::unhex("0061eda080ff"), {}).messages.at(0) == "a" + fffd + fffd + fffd);
    const std::string valid = test::unhex("00 c3a9 74 c3a9 20 e282ac ff");
    for (const test::chunking& c : test::all_chunkings(valid.size())) {
        CAPTURE(test::describe(c));
        const assembled r = assemble(valid, {}, {}, c);
        REQUIRE(r.messages.size() == 1);
        CHECK(r.messages[0] == valid.substr(1, valid.size() - 2));
    }
}

TEST_CASE("assembler reject (draft-76 §5.4): invalid_utf8, sticky until reset()") {
    message_assembler a(policy(utf8_policy::reject));
    CHECK(a.push(text_piece("ok \xC3", false)).status == parse_status::need_more);
    assemble_result r = a.push(text_piece("\xA9", true));
    CHECK(r.status == parse_status::complete);
    CHECK(a.message() == "ok \xC3\xA9");
    r = a.push(text_piece("\xC3(", true));
    CHECK(r.status == parse_status::failed);
    CHECK(r.err == error::invalid_utf8);
    r = a.push(text_piece("fine", true));
    CHECK(r.status == parse_status::failed);
    CHECK(r.err == error::invalid_utf8);
    a.reset();
    CHECK(a.push(text_piece("fine", true)).status == parse_status::complete);
    // A message that ends inside a sequence is invalid too.
    r = a.push(text_piece("\xE2\x82", true));
    CHECK(r.status == parse_status::failed);
    CHECK(r.err == error::invalid_utf8);
    CHECK(assemble(test::unhex("00c328ff"), policy(utf8_policy::reject)).err ==
          error::invalid_utf8);
}

TEST_CASE("assembler raw (draft-76 §5.4): bytes are kept as they are") {
    const assembled r = assemble(test::unhex("00c328ff00e282ff"), policy(utf8_policy::raw));
    REQUIRE(r.messages.size() == 2);
    CHECK(r.messages[0] == "\xC3(");
    CHECK(r.messages[1] == "\xE2\x82");
}

TEST_CASE("assembler limit: message_too_large when the pieces pass max_message_size") {
    message_assembler a(policy(utf8_policy::replace, 4));
    CHECK(a.push(text_piece("ab", false)).status == parse_status::need_more);
    CHECK(a.push(text_piece("cd", true)).status == parse_status::complete); // exactly 4
    CHECK(a.message() == "abcd");
    CHECK(a.push(text_piece("abc", false)).status == parse_status::need_more);
    assemble_result r = a.push(text_piece("de", true));
    CHECK(r.status == parse_status::failed);
    CHECK(r.err == error::message_too_large);
    r = a.push(text_piece("x", true));
    CHECK(r.status == parse_status::failed); // sticky
    CHECK(r.err == error::message_too_large);
    a.reset();
    CHECK(a.push(text_piece("wxyz", true)).status == parse_status::complete);
    // Through the decoder, under every chunking: the same code.
    const std::string in = test::unhex("0061ff006162636465ff");
    for (const test::chunking& c : test::all_chunkings(in.size())) {
        CAPTURE(test::describe(c));
        const assembled got = assemble(in, {}, policy(utf8_policy::replace, 4), c);
        CHECK(got.err == error::message_too_large);
        CHECK(got.messages == std::vector<std::string>{"a"});
    }
}

TEST_CASE("assembler reject + limit: the earlier of a bad byte and the limit wins, any chunking") {
    struct row {
        const char* hex;
        error err;
    };
    const row rows[] = {
        {"0061c062636465ff", error::invalid_utf8},        // bad byte at 1, limit passed at 4
        {"00616263646566c0ff", error::message_too_large}, // limit passed at 4, bad byte at 6
        {"00616263e282ff", error::message_too_large},     // ends inside a sequence, too long
        {"006162e282ff", error::invalid_utf8},            // ends inside a sequence, fits
    };
    for (const row& r : rows) {
        CAPTURE(r.hex);
        const std::string in = test::unhex(r.hex);
        for (const test::chunking& c : test::all_chunkings(in.size())) {
            CAPTURE(test::describe(c));
            CHECK(assemble(in, {}, policy(utf8_policy::reject, 4), c).err == r.err);
        }
    }
}

TEST_CASE("assembler: other kinds have no effect; a new message clears the last; take()") {
    message_assembler a;
    frame_event other;
    other.kind = frame_kind::skipped;
    CHECK(a.push(other).status == parse_status::need_more);
    other.kind = frame_kind::close;
    CHECK(a.push(other).status == parse_status::need_more);
    other.kind = frame_kind::failed;
    other.err = error::frame_too_large;
    CHECK(a.push(other).status == parse_status::need_more);
    CHECK(a.message().empty());
    CHECK(a.push(text_piece("one", true)).status == parse_status::complete);
    CHECK(a.message() == "one");
    CHECK(a.push(other).status == parse_status::need_more);
    CHECK(a.message() == "one");
    CHECK(a.push(text_piece("tw", false)).status == parse_status::need_more);
    CHECK(a.message() == "tw");
    CHECK(a.push(text_piece("o", true)).status == parse_status::complete);
    CHECK(a.take() == "two");
    CHECK(a.message().empty());
    frame_event bin;
    bin.kind = frame_kind::binary;
    bin.type = 0x80;
    bin.payload = std::string_view("\xFF\x00", 2);
    bin.fin = true;
    CHECK(a.push(bin).status == parse_status::complete);
    CHECK(a.is_binary());
    CHECK(a.message() == std::string("\xFF\x00", 2)); // binary is never UTF-8 processed
    CHECK(a.push(text_piece("", true)).status == parse_status::complete);
    CHECK_FALSE(a.is_binary());
    CHECK(a.message().empty());
}

// --- encoders ----------------------------------------------------------------------------------

TEST_CASE("encode_text / frame_text / append_text write 00 payload FF") {
    char buf[16] = {};
    hixie76::encode_result r = hixie76::encode_text(buf, sizeof buf, "hi");
    CHECK(r.err == error::none);
    CHECK(r.size == 4);
    CHECK(test::hex(std::string_view(buf, r.size)) == "006869ff");
    r = hixie76::encode_text(buf, 2, "");
    CHECK(r.err == error::none);
    CHECK(test::hex(std::string_view(buf, r.size)) == "00ff");

    const hixie76::framing f = hixie76::frame_text("hi");
    CHECK(f.err == error::none);
    const std::string wire =
        std::string(f.head.data(), f.head_size) + "hi" + std::string(f.tail.data(), f.tail_size);
    CHECK(test::hex(wire) == "006869ff");

    std::string out = "x";
    CHECK(hixie76::append_text(out, "hi") == error::none);
    CHECK(test::hex(out) == "78006869ff");

    const std::string utf8 = "\xC3\xA9";
    CHECK(hixie76::encode_text(buf, sizeof buf, utf8, utf8_check::reject).err == error::none);
}

TEST_CASE("text_contains_ff: a text payload with 0xFF is refused (frame injection)") {
    const std::string evil = test::unhex("61ff8000");
    char buf[16] = {'k', 'k', 'k', 'k', 'k', 'k'};
    const hixie76::encode_result r = hixie76::encode_text(buf, sizeof buf, evil);
    CHECK(r.err == error::text_contains_ff);
    CHECK(r.size == 0);
    CHECK(buf[0] == 'k'); // nothing written
    const hixie76::framing f = hixie76::frame_text(evil);
    CHECK(f.err == error::text_contains_ff);
    CHECK(f.head_size == 0);
    CHECK(f.tail_size == 0);
    std::string out = "keep";
    CHECK(hixie76::append_text(out, evil) == error::text_contains_ff);
    CHECK(out == "keep");
    // Checked even without utf8_check, and before the UTF-8 check.
    CHECK(hixie76::frame_text(evil, utf8_check::reject).err == error::text_contains_ff);
}

TEST_CASE("invalid_utf8 on send: only with utf8_check::reject") {
    const std::string bad = test::unhex("c328");
    char buf[16];
    CHECK(hixie76::encode_text(buf, sizeof buf, bad).err == error::none);
    CHECK(hixie76::encode_text(buf, sizeof buf, bad, utf8_check::reject).err ==
          error::invalid_utf8);
    CHECK(hixie76::frame_text(bad, utf8_check::reject).err == error::invalid_utf8);
    std::string out;
    CHECK(hixie76::append_text(out, bad, utf8_check::reject) == error::invalid_utf8);
    CHECK(out.empty());
}

TEST_CASE("buffer_too_small: the size needed is reported and nothing is written") {
    char buf[8] = {'k', 'k', 'k', 'k', 'k', 'k', 'k', 'k'};
    hixie76::encode_result r = hixie76::encode_text(buf, 3, "hi");
    CHECK(r.err == error::buffer_too_small);
    CHECK(r.size == 4);
    CHECK(buf[0] == 'k');
    r = hixie76::encode_binary(buf, 3, "hi");
    CHECK(r.err == error::buffer_too_small);
    CHECK(r.size == 4);
    CHECK(buf[0] == 'k');
    r = hixie76::encode_close(buf, 1);
    CHECK(r.err == error::buffer_too_small);
    CHECK(r.size == 2);
    r = hixie76::encode_close(nullptr, 0);
    CHECK(r.err == error::buffer_too_small);
    CHECK(buf[0] == 'k');
    r = hixie76::encode_close(buf, 2);
    CHECK(r.err == error::none);
    CHECK(test::hex(std::string_view(buf, r.size)) == "ff00");
}

TEST_CASE("unsafe_value: a binary type outside 80..FE is refused") {
    const unsigned bad_types[] = {0x00, 0x01, 0x7F, 0xFF};
    for (unsigned t : bad_types) {
        CAPTURE(t);
        const auto type = static_cast<std::uint8_t>(t);
        const hixie76::framing f = hixie76::frame_binary(3, type);
        CHECK(f.err == error::unsafe_value);
        CHECK(f.head_size == 0);
        char buf[16];
        CHECK(hixie76::encode_binary(buf, sizeof buf, "abc", type).err == error::unsafe_value);
        std::string out;
        CHECK(hixie76::append_binary(out, "abc", type) == error::unsafe_value);
        CHECK(out.empty());
    }
    const unsigned good_types[] = {0x80, 0x81, 0xC0, 0xFE};
    for (unsigned t : good_types) {
        CAPTURE(t);
        CHECK(hixie76::frame_binary(3, static_cast<std::uint8_t>(t)).err == error::none);
    }
}

TEST_CASE("length_overflow on send: lengths above 2^63 - 1 are refused") {
    const std::uint64_t top = (std::uint64_t{1} << 63) - 1;
    hixie76::framing f = hixie76::frame_binary(top);
    CHECK(f.err == error::none);
    CHECK(test::hex(std::string_view(f.head.data(), f.head_size)) ==
          "80" + hex_repeat("ff", 8) + "7f");
    f = hixie76::frame_binary(top + 1);
    CHECK(f.err == error::length_overflow);
    CHECK(f.head_size == 0);
    f = hixie76::frame_binary(std::numeric_limits<std::uint64_t>::max());
    CHECK(f.err == error::length_overflow);
}

TEST_CASE("close: encode_close, append_close and close_frame agree and decode as close") {
    std::string out;
    hixie76::append_close(out);
    CHECK(out == std::string(hixie76::close_frame.data(), hixie76::close_frame.size()));
    CHECK(test::hex(out) == "ff00");
    frame_decoder d;
    CHECK(d.next(out).kind == frame_kind::close);
}

TEST_CASE("binary round trips: length prefix bytes exactly right around every group boundary") {
    // Netty's decoder lost bits from 2 MiB (22 bits = 4 groups) up: cover both sides.
    struct size_row {
        std::uint64_t size;
        const char* prefix_hex;
        bool with_payload;
    };
    const size_row rows[] = {
        {0, "00", true},
        {1, "01", true},
        {127, "7f", true},
        {128, "8100", true},
        {129, "8101", true},
        {16383, "ff7f", true},
        {16384, "818000", true},
        {16385, "818001", true},
        {(2u << 20) - 1, "ffff7f", true},
        {2u << 20, "81808000", true},
        {(2u << 20) + 1, "81808001", true},
        {(1u << 28) - 1, "ffffff7f", false},
        {1u << 28, "8180808000", false},
        {std::uint64_t{1} << 32, "9080808000", false},
        {std::uint64_t{1} << 56, "818080808080808000", false},
    };
    std::mt19937 rng(1);
    for (const size_row& row : rows) {
        CAPTURE(row.size);
        const hixie76::framing f = hixie76::frame_binary(row.size, 0x80);
        REQUIRE(f.err == error::none);
        CHECK(test::hex(std::string_view(f.head.data(), f.head_size)) ==
              std::string("80") + row.prefix_hex);
        CHECK(f.tail_size == 0);
        CHECK(hixie76::binary_frame_size(row.size) == row.size + f.head_size);
        if (!row.with_payload) {
            // The decoder reads the same length back (and waits for the payload).
            decoder_config cfg = with_binary();
            cfg.max_frame_size = std::numeric_limits<std::uint64_t>::max();
            frame_decoder d(cfg);
            const frame_event ev = d.next(std::string_view(f.head.data(), f.head_size));
            CHECK(ev.kind == frame_kind::need_more);
            CHECK(ev.consumed == f.head_size);
            continue;
        }
        std::string payload(static_cast<std::size_t>(row.size), '\0');
        for (char& c : payload) {
            c = static_cast<char>(rng() & 0xFF);
        }
        std::string wire(hixie76::binary_frame_size(payload.size()), '\0');
        const hixie76::encode_result r =
            hixie76::encode_binary(wire.data(), wire.size(), payload, 0xC3);
        REQUIRE(r.err == error::none);
        REQUIRE(r.size == wire.size());
        std::string appended;
        CHECK(hixie76::append_binary(appended, payload, 0xC3) == error::none);
        CHECK(appended == wire);
        // One shot, and a few chunkings (pieces of up to 64 KiB) for the large sizes.
        std::vector<test::chunking> chunkings{{wire.size()}};
        for (int k = 0; k < 3; ++k) {
            test::chunking c;
            std::size_t left = wire.size();
            std::uniform_int_distribution<std::size_t> piece(0, 65536);
            while (left > 0) {
                const std::size_t n = std::min(left, piece(rng));
                c.push_back(n);
                left -= n;
            }
            chunkings.push_back(c);
        }
        if (wire.size() < 64) {
            chunkings = test::all_chunkings(wire.size());
        }
        for (const test::chunking& c : chunkings) {
            const assembled got = assemble(wire, with_binary(limit(4u << 20)), {}, c);
            REQUIRE(got.err == error::none);
            REQUIRE(got.messages.size() == 1);
            CHECK(got.binary[0]);
            CHECK(got.messages[0] == payload);
        }
    }
}

namespace {

std::string random_utf8(std::mt19937& rng, std::size_t code_points) {
    std::string s;
    std::uniform_int_distribution<int> kind(0, 9);
    for (std::size_t i = 0; i < code_points; ++i) {
        std::uint32_t cp = 0;
        switch (kind(rng)) {
        case 0:
            cp = std::uniform_int_distribution<std::uint32_t>(0x80, 0x7FF)(rng);
            break;
        case 1:
            cp = std::uniform_int_distribution<std::uint32_t>(0x800, 0xD7FF)(rng);
            break;
        case 2:
            cp = std::uniform_int_distribution<std::uint32_t>(0xE000, 0xFFFF)(rng);
            break;
        case 3:
            cp = std::uniform_int_distribution<std::uint32_t>(0x10000, 0x10FFFF)(rng);
            break;
        default:
            cp = std::uniform_int_distribution<std::uint32_t>(0x00, 0x7F)(rng);
            break;
        }
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else if (cp < 0x800) {
            s += static_cast<char>(0xC0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            s += static_cast<char>(0xE0 | (cp >> 12));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            s += static_cast<char>(0xF0 | (cp >> 18));
            s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    return s;
}

test::chunking random_chunking(std::mt19937& rng, std::size_t n, std::size_t max_piece) {
    test::chunking c;
    std::uniform_int_distribution<std::size_t> piece(0, max_piece);
    while (n > 0) {
        const std::size_t k = std::min(n, piece(rng));
        c.push_back(k);
        n -= k;
    }
    return c;
}

} // namespace

TEST_CASE("random round trips: many messages, random chunkings, checked UTF-8") {
    for (std::uint32_t seed = 0; seed < 60; ++seed) {
        CAPTURE(seed);
        std::mt19937 rng(seed);
        std::vector<std::string> sent;
        std::vector<bool> sent_binary;
        std::string wire;
        std::string expected_log;
        const std::size_t count = std::uniform_int_distribution<std::size_t>(1, 30)(rng);
        for (std::size_t m = 0; m < count; ++m) {
            const int what = std::uniform_int_distribution<int>(0, 5)(rng);
            const std::size_t len = std::uniform_int_distribution<std::size_t>(0, 300)(rng);
            if (what <= 2) {
                std::string text = random_utf8(rng, len / 3);
                REQUIRE(hixie76::append_text(wire, text, utf8_check::reject) == error::none);
                expected_log += "text \"" + printable(text) + "\" fin\n";
                sent.push_back(std::move(text));
                sent_binary.push_back(false);
            } else if (what <= 4) {
                std::string bytes(len, '\0');
                for (char& c : bytes) {
                    c = static_cast<char>(rng() & 0xFF);
                }
                const auto type =
                    static_cast<std::uint8_t>(std::uniform_int_distribution<int>(0x80, 0xFE)(rng));
                REQUIRE(hixie76::append_binary(wire, bytes, type) == error::none);
                expected_log += "binary " + type_hex(type) + " \"" + printable(bytes) + "\" fin\n";
                sent.push_back(std::move(bytes));
                sent_binary.push_back(true);
            } else {
                // A frame the receiver skips: a sentinel frame of another type.
                const auto type =
                    static_cast<std::uint8_t>(std::uniform_int_distribution<int>(0x01, 0x7F)(rng));
                wire += static_cast<char>(type);
                wire += random_utf8(rng, len / 3);
                wire += '\xff';
                expected_log += "skipped " + type_hex(type) + "\n";
            }
        }
        const bool close = seed % 2 == 0;
        if (close) {
            hixie76::append_close(wire);
            wire += test::unhex("0061ff"); // discarded after the close
            expected_log += "close\n";
        }
        const decoder_config cfg = with_binary(reject_utf8());
        std::vector<test::chunking> chunkings{{wire.size()}, test::chunking(wire.size(), 1)};
        for (int k = 0; k < 8; ++k) {
            chunkings.push_back(random_chunking(rng, wire.size(), k % 2 == 0 ? 7 : 700));
        }
        for (const test::chunking& c : chunkings) {
            CAPTURE(c.size());
            CHECK(decode_log(wire, cfg, c) == expected_log);
            const assembled got = assemble(wire, cfg, policy(utf8_policy::reject), c);
            CHECK(got.err == error::none);
            CHECK(got.messages == sent);
            CHECK(got.binary == sent_binary);
        }
    }
}

TEST_CASE("writev framing and encode_text produce the same bytes for random text") {
    std::mt19937 rng(99);
    for (int round = 0; round < 200; ++round) {
        const std::string text = random_utf8(rng, static_cast<std::size_t>(round));
        const hixie76::framing f = hixie76::frame_text(text, utf8_check::reject);
        REQUIRE(f.err == error::none);
        const std::string gathered = std::string(f.head.data(), f.head_size) + text +
                                     std::string(f.tail.data(), f.tail_size);
        std::string buf(hixie76::text_frame_size(text.size()), '\0');
        const hixie76::encode_result r =
            hixie76::encode_text(buf.data(), buf.size(), text, utf8_check::reject);
        REQUIRE(r.err == error::none);
        CHECK(buf == gathered);
        frame_decoder d(reject_utf8());
        const frame_event ev = d.next(buf);
        CHECK(ev.kind == frame_kind::text);
        CHECK(ev.fin);
        CHECK(ev.payload == text);
        CHECK(ev.consumed == buf.size());
    }
}

TEST_CASE("append_text and append_binary accept a payload that views the output string") {
    // An echo that reuses its buffer: the payload is `out` itself, or a part of it, and the
    // frame does not fit the capacity, so `out` must grow while the payload is read.
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{100},
                          std::size_t{5000}}) {
        CAPTURE(n);
        std::string text(n, 'a');
        for (std::size_t i = 0; i < n; ++i) {
            text[i] = static_cast<char>('a' + i % 26);
        }
        {
            std::string out = text;
            out.shrink_to_fit();
            REQUIRE(hixie76::append_text(out, out) == hixie76::error::none);
            CHECK(out == text + std::string(1, '\x00') + text + std::string(1, '\xff'));
        }
        {
            std::string out = text;
            out.shrink_to_fit();
            const std::string_view tail = std::string_view(out).substr(n / 2);
            const std::string want = text + std::string(1, '\x00') + text.substr(n / 2) + "\xff";
            REQUIRE(hixie76::append_text(out, tail) == hixie76::error::none);
            CHECK(out == want);
        }
        {
            std::string out = text;
            out.shrink_to_fit();
            REQUIRE(hixie76::append_binary(out, out) == hixie76::error::none);
            std::string want = text;
            REQUIRE(hixie76::append_binary(want, text) == hixie76::error::none);
            CHECK(out == want);
        }
    }
}
