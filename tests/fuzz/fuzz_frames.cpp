// SPDX-License-Identifier: MIT
// tests/fuzz/fuzz_frames.cpp — fuzz target for the frame decoder and the message assembler.
//
// Input: byte 0 picks the decoder options (bit 0: draft-75, bit 1: utf8_check::reject, bit 2:
// deliver_binary, bit 3: strict_types, bits 4–7: max_frame_size), byte 1 the assembler's
// (bits 0–1: utf8 policy, bits 2–5: max_message_size), byte 2 seeds the chunking and byte 3
// bounds its piece size (0: one piece); the rest is the byte stream after the handshake.
//
// Invariant, for every input:
// - the event log (adjacent text and binary pieces merged, need_more dropped) is the same for
//   one piece, the chosen chunking and byte by byte, and equals the log of an independent
//   one-shot reference decoder (reference.hpp) — failures included, at the same offset;
// - each call: `consumed` never exceeds the input, need_more consumes everything, every
//   other event except failed consumes at least one byte (so the caller's loop ends), views
//   point into the input, position() adds up the consumed bytes; only the documented codes
//   appear (invalid_utf8 only under reject, unknown_frame_type only under strict_types);
//   failures are sticky and consume nothing; after a close everything is consumed silently;
// - memory: no frame is reported longer than max_frame_size, text never holds 0xFF, and text
//   checked under reject is well-formed UTF-8;
// - the assembler's messages and failure equal those computed from the reference log: never
//   more than max_message_size bytes received, well-formed UTF-8 under replace and reject,
//   replacement by maximal subparts; and the same for every chunking.
#include "hixie76/frame.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "reference.hpp"

namespace {

using namespace hixie76;

constexpr std::array<std::uint64_t, 16> frame_limits = {16u << 20,
                                                        0,
                                                        1,
                                                        2,
                                                        3,
                                                        5,
                                                        8,
                                                        16,
                                                        64,
                                                        127,
                                                        128,
                                                        255,
                                                        1000,
                                                        16384,
                                                        std::uint64_t{1} << 32,
                                                        std::numeric_limits<std::uint64_t>::max()};
constexpr std::array<std::size_t, 16> message_limits = {
    16u << 20, 0,  1,   2,   3,    4,    7,     8,
    16,        64, 100, 128, 1000, 4096, 65536, std::numeric_limits<std::size_t>::max()};

struct setup {
    decoder_config dec;
    assembler_config asm_cfg;
    ref::options ref;
};

/// The messages and the first failure the assembler should report, from the reference log.
std::vector<ref::entry> expected_messages(const std::vector<ref::entry>& log,
                                          const assembler_config& cfg) {
    std::vector<ref::entry> out;
    const auto fail = [&](error e) {
        ref::entry x;
        x.kind = ref::entry::failed;
        x.err = e;
        out.push_back(x);
    };
    for (const ref::entry& e : log) {
        if (e.kind != ref::entry::text && e.kind != ref::entry::binary) {
            continue;
        }
        const bool text = e.kind == ref::entry::text;
        const std::string& p = e.payload;
        const bool too_large = p.size() > cfg.max_message_size;
        if (text && cfg.utf8 == utf8_policy::reject) {
            const ref::utf8_verdict v = ref::check_utf8(p);
            // Whichever comes first in the stream: a bad byte inside the limit, or the limit.
            if (v.bad != std::string::npos && v.bad < cfg.max_message_size) {
                fail(error::invalid_utf8);
                return out;
            }
            if (too_large) {
                fail(error::message_too_large);
                return out;
            }
            if (e.fin && v.incomplete) {
                fail(error::invalid_utf8);
                return out;
            }
        } else if (too_large) {
            fail(error::message_too_large);
            return out;
        }
        if (e.fin) {
            ref::entry m;
            m.kind = ref::entry::message;
            m.fin = !text; // marks a binary message
            m.payload = text && cfg.utf8 == utf8_policy::replace ? ref::replace_invalid(p) : p;
            out.push_back(m);
        }
    }
    return out;
}

bool documented(error e, const decoder_config& cfg) {
    switch (e) {
    case error::frame_too_large:
    case error::length_overflow:
        return true;
    case error::invalid_utf8:
        return cfg.utf8 == utf8_check::reject;
    case error::unknown_frame_type:
        return cfg.strict_types;
    default:
        return false;
    }
}

/// Appends an event to the normalized log, merging a piece into the frame it continues.
void record(std::vector<ref::entry>& log, const frame_event& ev, std::uint64_t position) {
    ref::entry x;
    switch (ev.kind) {
    case frame_kind::need_more:
        return;
    case frame_kind::text:
    case frame_kind::binary: {
        const auto k = ev.kind == frame_kind::text ? ref::entry::text : ref::entry::binary;
        if (!log.empty() && log.back().kind == k && !log.back().fin) {
            log.back().payload.append(ev.payload);
            log.back().fin = ev.fin;
            return;
        }
        x.kind = k;
        x.type = ev.type;
        x.payload = std::string(ev.payload);
        x.fin = ev.fin;
        break;
    }
    case frame_kind::skipped:
        x.kind = ref::entry::skipped;
        x.type = ev.type;
        break;
    case frame_kind::close:
        x.kind = ref::entry::close;
        x.type = ev.type;
        break;
    case frame_kind::failed:
        x.kind = ref::entry::failed;
        x.err = ev.err;
        x.pos = position;
        break;
    }
    log.push_back(x);
}

struct outcome {
    std::vector<ref::entry> events;
    std::vector<ref::entry> messages;
};

/// Feeds `stream` in the given pieces, each in an exact-size heap copy, through a decoder and
/// an assembler, checking every call.
outcome run(std::string_view stream, const std::vector<std::size_t>& pieces, const setup& s) {
    frame_decoder d(s.dec);
    message_assembler a(s.asm_cfg);
    outcome out;
    std::uint64_t total = 0;
    std::uint64_t frame_bytes = 0; // payload of the text or binary frame in progress
    bool failed = false;
    bool closed = false;
    bool asm_failed = false;
    frame_event failure;
    std::size_t offset = 0;
    for (std::size_t k : pieces) {
        const std::unique_ptr<char[]> copy(new char[k == 0 ? 1 : k]);
        for (std::size_t i = 0; i < k; ++i) {
            copy[i] = stream[offset + i];
        }
        offset += k;
        std::string_view in(copy.get(), k);
        for (;;) {
            const frame_event ev = d.next(in);
            FUZZ_CHECK(ev.consumed <= in.size());
            FUZZ_CHECK(fuzz::within(ev.payload, in));
            total += ev.consumed;
            FUZZ_CHECK(d.position() == total);
            if (failed) { // sticky, and consumes nothing
                FUZZ_CHECK(ev.kind == frame_kind::failed && ev.err == failure.err &&
                           ev.consumed == 0);
                break;
            }
            if (closed) {
                FUZZ_CHECK(ev.kind == frame_kind::need_more && ev.consumed == in.size());
                FUZZ_CHECK(d.closed());
                break;
            }
            switch (ev.kind) {
            case frame_kind::need_more:
                FUZZ_CHECK(ev.consumed == in.size() && ev.payload.empty() && ev.err == error::none);
                break;
            case frame_kind::text:
                FUZZ_CHECK(ev.type == 0 && ev.consumed >= 1);
                FUZZ_CHECK(ev.payload.find('\xff') == std::string_view::npos);
                frame_bytes += ev.payload.size();
                FUZZ_CHECK(frame_bytes <= s.dec.max_frame_size);
                if (ev.fin) {
                    frame_bytes = 0;
                }
                break;
            case frame_kind::binary:
                FUZZ_CHECK(s.dec.deliver_binary && ev.type >= 0x80 && ev.type != 0xFF);
                FUZZ_CHECK(ev.consumed >= 1);
                frame_bytes += ev.payload.size();
                FUZZ_CHECK(frame_bytes <= s.dec.max_frame_size);
                if (ev.fin) {
                    frame_bytes = 0;
                }
                break;
            case frame_kind::skipped:
                FUZZ_CHECK(!s.dec.strict_types && ev.consumed >= 1 && ev.payload.empty());
                FUZZ_CHECK(ev.type != 0);
                break;
            case frame_kind::close:
                FUZZ_CHECK(s.dec.version == draft::draft76 && ev.type == 0xFF);
                FUZZ_CHECK(ev.consumed >= 1 && d.closed());
                closed = true;
                break;
            case frame_kind::failed:
                FUZZ_CHECK(documented(ev.err, s.dec));
                FUZZ_CHECK(total < stream.size()); // the offending byte exists
                failed = true;
                failure = ev;
                break;
            }
            record(out.events, ev, d.position());
            if (!asm_failed) {
                const assemble_result r = a.push(ev);
                if (r.status == parse_status::failed) {
                    FUZZ_CHECK(r.err == error::message_too_large || r.err == error::invalid_utf8);
                    FUZZ_CHECK(r.err != error::invalid_utf8 ||
                               s.asm_cfg.utf8 == utf8_policy::reject);
                    asm_failed = true;
                    ref::entry x;
                    x.kind = ref::entry::failed;
                    x.err = r.err;
                    out.messages.push_back(x);
                } else {
                    FUZZ_CHECK(r.err == error::none);
                }
                if (r.status == parse_status::complete) {
                    const bool binary = ev.kind == frame_kind::binary;
                    FUZZ_CHECK(a.is_binary() == binary);
                    ref::entry m;
                    m.kind = ref::entry::message;
                    m.fin = binary;
                    m.payload = a.take();
                    out.messages.push_back(m);
                }
            } else {
                FUZZ_CHECK(a.push(ev).status == parse_status::failed); // sticky
            }
            in.remove_prefix(ev.consumed);
            if (ev.kind == frame_kind::need_more || ev.kind == frame_kind::failed || in.empty()) {
                break;
            }
        }
    }
    FUZZ_CHECK(offset == stream.size());
    return out;
}

/// What holds of the reference log itself, whatever the decoder does.
void check_reference(const std::vector<ref::entry>& log, const setup& s) {
    for (const ref::entry& e : log) {
        if (e.kind == ref::entry::text) {
            FUZZ_CHECK(e.payload.size() <= s.dec.max_frame_size);
            if (e.fin && s.ref.utf8_reject) {
                FUZZ_CHECK(ref::check_utf8(e.payload).valid());
            }
        }
    }
}

/// The assembler's messages obey their limit and their UTF-8 policy.
void check_messages(const std::vector<ref::entry>& msgs, const assembler_config& cfg) {
    for (const ref::entry& m : msgs) {
        if (m.kind != ref::entry::message) {
            continue;
        }
        const bool binary = m.fin;
        if (!binary && cfg.utf8 != utf8_policy::raw) {
            FUZZ_CHECK(ref::check_utf8(m.payload).valid());
        }
        if (binary || cfg.utf8 != utf8_policy::replace) {
            FUZZ_CHECK(m.payload.size() <= cfg.max_message_size);
        } else {
            FUZZ_CHECK(m.payload.size() / 3 <= cfg.max_message_size);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::reader in(data, size);
    const std::uint8_t dopts = in.byte();
    const std::uint8_t aopts = in.byte();
    const std::uint8_t seed = in.byte();
    const std::uint8_t max_piece = in.byte();
    setup s;
    s.dec.version = (dopts & 1u) != 0 ? draft::draft75 : draft::draft76;
    s.dec.utf8 = (dopts & 2u) != 0 ? utf8_check::reject : utf8_check::none;
    s.dec.deliver_binary = (dopts & 4u) != 0;
    s.dec.strict_types = (dopts & 8u) != 0;
    s.dec.max_frame_size = frame_limits[(dopts >> 4) & 15u];
    constexpr std::array<utf8_policy, 4> policies = {utf8_policy::replace, utf8_policy::raw,
                                                     utf8_policy::reject, utf8_policy::reject};
    s.asm_cfg.utf8 = policies[aopts & 3u];
    s.asm_cfg.max_message_size = message_limits[(aopts >> 2) & 15u];
    s.ref.draft76 = s.dec.version == draft::draft76;
    s.ref.utf8_reject = s.dec.utf8 == utf8_check::reject;
    s.ref.max_frame = s.dec.max_frame_size;
    s.ref.deliver_binary = s.dec.deliver_binary;
    s.ref.strict_types = s.dec.strict_types;
    const std::string_view stream = in.rest();

    const std::vector<ref::entry> expected = ref::decode(stream, s.ref);
    check_reference(expected, s);
    const std::vector<ref::entry> expected_msgs = expected_messages(expected, s.asm_cfg);
    check_messages(expected_msgs, s.asm_cfg);

    const outcome one = run(stream, {stream.size()}, s);
    FUZZ_CHECK(one.events == expected);
    FUZZ_CHECK(one.messages == expected_msgs);
    const outcome chunked = run(stream, fuzz::chunking(stream.size(), seed, max_piece), s);
    FUZZ_CHECK(chunked.events == expected);
    FUZZ_CHECK(chunked.messages == expected_msgs);
    const outcome trickle = run(stream, fuzz::byte_by_byte(stream.size()), s);
    FUZZ_CHECK(trickle.events == expected);
    FUZZ_CHECK(trickle.messages == expected_msgs);

    // reset() forgets the failure or the close.
    frame_decoder d(s.dec);
    (void)d.next(stream);
    d.reset();
    FUZZ_CHECK(d.position() == 0 && !d.closed());
    return 0;
}
