// SPDX-License-Identifier: MIT
// bench/hixie76_bench.cpp — the hixie76 benchmarks, the floors, the allocation counter and
// main(). The websocketpp peer lives in peer_websocketpp.cpp (built only when found).
//
// Names are <impl>/<op>/<arg>:
//   hixie76/handshake/{spec,cookie}       request head + key3 in, response bytes out
//   hixie76/decode/N                      ~1 MiB of `00 <N bytes> FF` in one buffer
//   hixie76/decode_chunk1500/N            the same bytes fed in 1500-byte slices
//   hixie76/decode_utf8/N                 decode with utf8_check::reject (ASCII payloads)
//   hixie76/decode_utf8mb/N               the same on payloads with 2- to 4-byte sequences
//   hixie76/assemble/N                    decode + message_assembler: every message copied out
//   hixie76/assemble_chunk1500/N          the same fed in 1500-byte slices
//   hixie76/encode_writev/N               frame_text(): framing only, payload scanned for FF
//   hixie76/encode_copy/N                 encode_text(): whole frames into one buffer
//   floor/memchr/N                        memchr for FF over the decode input
//   floor/memcpy/N                        memcpy of every payload into one buffer
//   floor/memchr_memcpy/N                 memchr for each FF, then memcpy of the payload into
//                                         one message buffer (what an assembler must do)
//   floor/md5/16                          one MD5 of 16 bytes (the handshake's hash)
//   floor/handshake/{spec,cookie}         a lean handshake: fields found, keys and MD5, the
//                                         response written, nothing validated
// Each benchmark checks its output and calls SkipWithError instead of reporting when wrong.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "common.hpp"
#include "hixie76/detail/md5.hpp"
#include "hixie76/frame.hpp"
#include "hixie76/handshake.hpp"
#include "hixie76/version.hpp"

// ---------------------------------------------------------------------------------------------
// Counting operator new. A plain load and store (not an atomic increment): benchmarks run on
// one thread, and this keeps the counter from slowing the allocating peer down.
// ---------------------------------------------------------------------------------------------

namespace {

std::atomic<std::uint64_t> g_allocs{0};

void note_alloc() noexcept {
    g_allocs.store(g_allocs.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void* counted_alloc(std::size_t n) {
    note_alloc();
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    return p;
}

void* counted_alloc_nothrow(std::size_t n) noexcept {
    note_alloc();
    return std::malloc(n == 0 ? 1 : n);
}

void* counted_aligned_nothrow(std::size_t n, std::align_val_t al) noexcept {
    note_alloc();
    const auto a = static_cast<std::size_t>(al);
    const std::size_t size = n == 0 ? a : (n + a - 1) / a * a;
    return std::aligned_alloc(a, size);
}

void* counted_aligned(std::size_t n, std::align_val_t al) {
    void* p = counted_aligned_nothrow(n, al);
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    return p;
}

} // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return counted_alloc_nothrow(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return counted_alloc_nothrow(n);
}
void* operator new(std::size_t n, std::align_val_t a) { return counted_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_aligned(n, a); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_aligned_nothrow(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_aligned_nothrow(n, a);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

std::uint64_t bench::alloc_count() noexcept { return g_allocs.load(std::memory_order_relaxed); }

#ifdef HIXIE76_BENCH_WITH_WEBSOCKETPP
namespace bench {
void register_websocketpp_benchmarks(); // peer_websocketpp.cpp
} // namespace bench
#endif

namespace {

using namespace std::string_view_literals;
using bench::corpus;
using bench::report;

// --- handshake -------------------------------------------------------------------------------

constexpr std::string_view expected_response = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
                                               "Upgrade: WebSocket\r\n"
                                               "Connection: Upgrade\r\n"
                                               "Sec-WebSocket-Origin: http://example.com\r\n"
                                               "Sec-WebSocket-Location: ws://example.com/demo\r\n"
                                               "Sec-WebSocket-Protocol: sample\r\n"
                                               "\r\n"
                                               "8jKS'y:G*Co,Wxa-";

void hixie76_handshake(benchmark::State& st, std::string_view request) {
    char out[512];
    const std::uint64_t a0 = bench::alloc_count();
    for (auto _ : st) {
        hixie76::request_parser p; // fresh state every time
        const hixie76::parse_result r = p.parse(request);
        if (r.status != hixie76::parse_status::complete || r.consumed != request.size()) {
            st.SkipWithError("request not complete");
            return;
        }
        hixie76::response_options opt;
        opt.protocol = p.protocol(); // the application accepts the requested subprotocol
        const hixie76::write_result w = hixie76::write_response(p, opt, out, sizeof out);
        if (w.err != hixie76::error::none || w.size != expected_response.size()) {
            st.SkipWithError("response has the wrong size");
            return;
        }
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    const std::uint64_t allocs = bench::alloc_count() - a0;
    if (std::string_view(out, expected_response.size()) != expected_response) {
        st.SkipWithError("response bytes differ from draft-76 §1.2");
        return;
    }
    report(st, request.size(), 1, allocs);
}

// --- decode ----------------------------------------------------------------------------------

struct tally {
    std::size_t messages = 0;
    std::size_t bytes = 0;
    bool bad = false;
};

/// Runs `d` over `in` until it wants more input, counting whole messages and payload bytes.
inline void drain(hixie76::frame_decoder& d, std::string_view in, tally& t) noexcept {
    while (!in.empty()) {
        const hixie76::frame_event ev = d.next(in);
        in.remove_prefix(ev.consumed);
        if (ev.kind == hixie76::frame_kind::text) {
            t.bytes += ev.payload.size();
            t.messages += ev.fin ? 1 : 0;
        } else if (ev.kind == hixie76::frame_kind::need_more) {
            break;
        } else {
            t.bad = true;
            break;
        }
    }
}

void hixie76_decode(benchmark::State& st, const corpus* c, hixie76::utf8_check check,
                    std::size_t slice) {
    hixie76::decoder_config cfg;
    cfg.utf8 = check;
    const std::string_view wire = c->wire;
    const std::uint64_t a0 = bench::alloc_count();
    for (auto _ : st) {
        hixie76::frame_decoder d(cfg);
        tally t;
        if (slice == 0) {
            drain(d, wire, t);
        } else {
            for (std::size_t off = 0; off < wire.size() && !t.bad; off += slice) {
                drain(d, wire.substr(off, slice), t);
            }
        }
        if (t.bad || t.messages != c->count || t.bytes != c->payload_bytes) {
            st.SkipWithError("wrong message count or payload bytes");
            return;
        }
        benchmark::DoNotOptimize(t);
    }
    const std::uint64_t allocs = bench::alloc_count() - a0;
    if (allocs != 0) {
        st.SkipWithError("the decoder allocated");
        return;
    }
    report(st, wire.size(), c->count, allocs);
}

// --- assemble --------------------------------------------------------------------------------

/// Runs `d` and `a` over `in` until the decoder wants more input, counting whole messages and
/// their bytes.
inline void assemble(hixie76::frame_decoder& d, hixie76::message_assembler& a,
                     std::string_view in, tally& t) {
    while (!in.empty()) {
        const hixie76::frame_event ev = d.next(in);
        in.remove_prefix(ev.consumed);
        if (ev.kind == hixie76::frame_kind::text) {
            const hixie76::assemble_result r = a.push(ev);
            if (r.status == hixie76::parse_status::complete) {
                ++t.messages;
                t.bytes += a.message().size();
            } else if (r.status == hixie76::parse_status::failed) {
                t.bad = true;
                break;
            }
        } else if (ev.kind == hixie76::frame_kind::need_more) {
            break;
        } else {
            t.bad = true;
            break;
        }
    }
}

/// One pass of decoder and assembler over the corpus, whole or in `slice`-byte pieces.
inline tally assemble_corpus(hixie76::message_assembler& a, std::string_view wire,
                             std::size_t slice) {
    hixie76::frame_decoder d;
    tally t;
    if (slice == 0) {
        assemble(d, a, wire, t);
    } else {
        for (std::size_t off = 0; off < wire.size() && !t.bad; off += slice) {
            assemble(d, a, wire.substr(off, slice), t);
        }
    }
    return t;
}

void hixie76_assemble(benchmark::State& st, const corpus* c, hixie76::utf8_policy policy,
                      std::size_t slice) {
    hixie76::assembler_config cfg;
    cfg.utf8 = policy;
    // One assembler for the whole run, as a connection keeps one: the first pass (untimed)
    // grows its buffer to the message size, later passes reuse it.
    hixie76::message_assembler a(cfg);
    const std::string_view wire = c->wire;
    const tally warm = assemble_corpus(a, wire, slice);
    const std::uint64_t a0 = bench::alloc_count();
    for (auto _ : st) {
        const tally t = assemble_corpus(a, wire, slice);
        if (t.bad || t.messages != c->count || t.bytes != c->payload_bytes) {
            st.SkipWithError("wrong message count or payload bytes");
            return;
        }
        benchmark::DoNotOptimize(t);
    }
    const std::uint64_t allocs = bench::alloc_count() - a0;
    if (warm.messages != c->count || a.message() != c->payloads.back()) {
        st.SkipWithError("the last message differs from the last payload");
        return;
    }
    if (allocs != 0) {
        st.SkipWithError("the assembler allocated after its first message");
        return;
    }
    report(st, wire.size(), c->count, allocs);
}

// --- encode ----------------------------------------------------------------------------------

void hixie76_encode_writev(benchmark::State& st, const corpus* c) {
    const std::uint64_t a0 = bench::alloc_count();
    for (auto _ : st) {
        std::size_t total = 0;
        unsigned marks = 0;
        for (const std::string_view p : c->payloads) {
            const hixie76::framing f = hixie76::frame_text(p);
            if (f.err != hixie76::error::none) {
                st.SkipWithError("frame_text refused the payload");
                return;
            }
            total += f.head_size + p.size() + f.tail_size;
            marks += static_cast<unsigned>(hixie76::detail::byte(f.head[0])) +
                     static_cast<unsigned>(hixie76::detail::byte(f.tail[0]));
        }
        if (total != c->wire.size() || marks != 0xFFu * c->count) {
            st.SkipWithError("wrong framing");
            return;
        }
        benchmark::DoNotOptimize(total);
    }
    report(st, c->wire.size(), c->count, bench::alloc_count() - a0);
}

void hixie76_encode_copy(benchmark::State& st, const corpus* c) {
    std::string out(c->wire.size(), '\0');
    char* const buf = out.data();
    const std::size_t cap = out.size();
    const std::uint64_t a0 = bench::alloc_count();
    for (auto _ : st) {
        std::size_t off = 0;
        for (const std::string_view p : c->payloads) {
            const hixie76::encode_result r = hixie76::encode_text(buf + off, cap - off, p);
            if (r.err != hixie76::error::none) {
                st.SkipWithError("encode_text failed");
                return;
            }
            off += r.size;
        }
        if (off != cap) {
            st.SkipWithError("wrong encoded size");
            return;
        }
        benchmark::ClobberMemory();
    }
    const std::uint64_t allocs = bench::alloc_count() - a0;
    if (out != c->wire) {
        st.SkipWithError("encoded bytes differ from the corpus");
        return;
    }
    report(st, c->wire.size(), c->count, allocs);
}

// --- floors ----------------------------------------------------------------------------------

void floor_memchr(benchmark::State& st, const corpus* c) {
    const char* const begin = c->wire.data();
    const char* const end = begin + c->wire.size();
    for (auto _ : st) {
        std::size_t frames = 0;
        const char* p = begin;
        while (p < end) {
            const void* q = std::memchr(p, 0xFF, static_cast<std::size_t>(end - p));
            if (q == nullptr) {
                break;
            }
            ++frames;
            p = static_cast<const char*>(q) + 1;
        }
        if (frames != c->count) {
            st.SkipWithError("wrong frame count");
            return;
        }
        benchmark::DoNotOptimize(frames);
    }
    report(st, c->wire.size(), c->count, 0);
}

void floor_memcpy(benchmark::State& st, const corpus* c) {
    std::string out(c->wire.size(), '\0');
    char* const buf = out.data();
    for (auto _ : st) {
        std::size_t off = 0;
        for (const std::string_view p : c->payloads) {
            std::memcpy(buf + off + 1, p.data(), p.size());
            off += p.size() + 2;
        }
        benchmark::ClobberMemory();
    }
    for (std::size_t f = 0; f < c->count; ++f) {
        if (std::string_view(buf + f * (c->n + 2) + 1, c->n) != c->payloads[f]) {
            st.SkipWithError("copied payload differs");
            return;
        }
    }
    report(st, c->wire.size(), c->count, 0);
}

void floor_memchr_memcpy(benchmark::State& st, const corpus* c) {
    const char* const begin = c->wire.data();
    const char* const end = begin + c->wire.size();
    std::string message(c->n, '\0'); // one message buffer, reused, as an assembler's
    char* const out = message.data();
    for (auto _ : st) {
        std::size_t frames = 0;
        std::size_t bytes = 0;
        const char* p = begin;
        while (p < end) {
            const void* q = std::memchr(p + 1, 0xFF, static_cast<std::size_t>(end - p - 1));
            if (q == nullptr) {
                break;
            }
            const auto len = static_cast<std::size_t>(static_cast<const char*>(q) - (p + 1));
            std::memcpy(out, p + 1, len);
            benchmark::ClobberMemory();
            ++frames;
            bytes += len;
            p = static_cast<const char*>(q) + 1;
        }
        if (frames != c->count || bytes != c->payload_bytes) {
            st.SkipWithError("wrong frame count or payload bytes");
            return;
        }
        benchmark::DoNotOptimize(frames);
    }
    if (message != c->payloads.back()) {
        st.SkipWithError("copied payload differs");
        return;
    }
    report(st, c->wire.size(), c->count, 0);
}

/// ASCII case-insensitive equality of a field name with a lowercase literal (no validation:
/// `(b | 0x20)` also folds some non-letters, which a floor may ignore).
inline bool name_is(std::string_view name, std::string_view lower) noexcept {
    if (name.size() != lower.size()) {
        return false;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        if ((static_cast<unsigned char>(name[i]) | 0x20u) != static_cast<unsigned char>(lower[i])) {
            return false;
        }
    }
    return true;
}

/// A key's number divided by its spaces (draft-76 §5.2 steps 4–7), 0 when not divisible.
inline std::uint32_t key_part(std::string_view key) noexcept {
    std::uint64_t number = 0;
    std::uint64_t spaces = 0;
    for (const char ch : key) {
        if (ch >= '0' && ch <= '9') {
            number = number * 10 + static_cast<std::uint64_t>(ch - '0');
        } else if (ch == ' ') {
            ++spaces;
        }
    }
    if (spaces == 0 || number % spaces != 0) {
        return 0;
    }
    return static_cast<std::uint32_t>(number / spaces);
}

/// The least a server must do for a draft-76 handshake: recognise it (method GET, `Upgrade:
/// WebSocket`, `Connection: Upgrade`), find the fields the response needs, compute the answer,
/// write the response. It checks nothing else (no version, characters, duplicates, limits,
/// lists in Connection, key syntax), so it is a floor, not a parser. Returns the response
/// size, 0 when the request is not recognised.
std::size_t lean_handshake(std::string_view req, char* out) noexcept {
    const char* p = req.data();
    const char* const end = p + req.size();
    const char* eol = static_cast<const char*>(std::memchr(p, '\n', req.size()));
    if (eol == nullptr) {
        return 0;
    }
    // The request line: the path lies between the first two spaces.
    const auto span = [](const char* from, const char* to) noexcept {
        return static_cast<std::size_t>(to - from);
    };
    const char* const sp1 = static_cast<const char*>(std::memchr(p, ' ', span(p, eol)));
    const char* const sp2 = sp1 == nullptr ? nullptr
                                           : static_cast<const char*>(
                                                 std::memchr(sp1 + 1, ' ', span(sp1 + 1, eol)));
    if (sp2 == nullptr || std::string_view(p, span(p, sp1)) != "GET"sv) {
        return 0;
    }
    const std::string_view path(sp1 + 1, static_cast<std::size_t>(sp2 - sp1 - 1));
    std::string_view host, origin, key1, key2, protocol;
    bool upgrade = false;
    bool connection = false;
    p = eol + 1;
    for (;;) {
        eol = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        if (eol == nullptr) {
            return 0;
        }
        const std::size_t line = static_cast<std::size_t>(eol - p) - 1; // without CR
        if (line == 0) {
            p = eol + 1;
            break; // the blank line
        }
        const char* const colon = static_cast<const char*>(std::memchr(p, ':', line));
        if (colon != nullptr) {
            const std::string_view name(p, static_cast<std::size_t>(colon - p));
            const char* v = colon + 1;
            while (v < p + line && *v == ' ') {
                ++v;
            }
            const std::string_view value(v, static_cast<std::size_t>(p + line - v));
            switch (name.size()) {
            case 4:
                host = name_is(name, "host") ? value : host;
                break;
            case 6:
                origin = name_is(name, "origin") ? value : origin;
                break;
            case 7:
                upgrade = upgrade || (name_is(name, "upgrade") && name_is(value, "websocket"));
                break;
            case 10:
                connection =
                    connection || (name_is(name, "connection") && name_is(value, "upgrade"));
                break;
            case 18:
                if (name_is(name, "sec-websocket-key1")) {
                    key1 = value;
                } else if (name_is(name, "sec-websocket-key2")) {
                    key2 = value;
                }
                break;
            case 22:
                protocol = name_is(name, "sec-websocket-protocol") ? value : protocol;
                break;
            default:
                break;
            }
        }
        p = eol + 1;
    }
    if (!upgrade || !connection || host.empty() || key1.empty() || key2.empty() || end - p < 8) {
        return 0;
    }
    char challenge[16];
    const std::uint32_t parts[2] = {key_part(key1), key_part(key2)};
    for (std::size_t k = 0; k < 2; ++k) {
        for (std::size_t b = 0; b < 4; ++b) {
            challenge[4 * k + b] = static_cast<char>((parts[k] >> (24 - 8 * b)) & 0xFFu);
        }
    }
    std::memcpy(challenge + 8, p, 8);
    const hixie76::detail::md5_digest digest =
        hixie76::detail::md5(std::string_view(challenge, sizeof challenge));
    char* o = out;
    const auto put = [&o](std::string_view s) noexcept {
        std::memcpy(o, s.data(), s.size());
        o += s.size();
    };
    put("HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Origin: "sv);
    put(origin);
    put("\r\nSec-WebSocket-Location: ws://"sv);
    put(host);
    put(path);
    if (!protocol.empty()) {
        put("\r\nSec-WebSocket-Protocol: "sv);
        put(protocol);
    }
    put("\r\n\r\n"sv);
    put(std::string_view(digest.data(), digest.size()));
    return static_cast<std::size_t>(o - out);
}

void floor_handshake(benchmark::State& st, std::string_view request) {
    char out[512];
    std::size_t size = 0;
    for (auto _ : st) {
        benchmark::DoNotOptimize(request.data());
        size = lean_handshake(request, out);
        if (size != expected_response.size()) {
            st.SkipWithError("response has the wrong size");
            return;
        }
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    if (std::string_view(out, size) != expected_response) {
        st.SkipWithError("response bytes differ from draft-76 §1.2");
        return;
    }
    report(st, request.size(), 1, 0);
}

void floor_md5(benchmark::State& st) {
    char in[16];
    std::memcpy(in, bench::spec_challenge_input().data(), sizeof in);
    hixie76::detail::md5_digest d{};
    for (auto _ : st) {
        benchmark::DoNotOptimize(in); // the compiler may not fold the constant input
        d = hixie76::detail::md5(std::string_view(in, sizeof in));
        benchmark::DoNotOptimize(d);
    }
    if (std::string_view(d.data(), d.size()) != bench::spec_challenge) {
        st.SkipWithError("wrong digest");
        return;
    }
    report(st, sizeof in, 1, 0);
}

void register_all() {
    using benchmark::RegisterBenchmark;
    RegisterBenchmark("hixie76/handshake/spec", hixie76_handshake, bench::spec_request());
    RegisterBenchmark("hixie76/handshake/cookie", hixie76_handshake, bench::cookie_request());
    for (const std::size_t n : bench::frame_sizes) {
        const corpus* a = &bench::ascii_corpus(n);
        const corpus* m = &bench::multibyte_corpus(n);
        const std::string arg = "/" + std::to_string(n);
        using hixie76::utf8_check;
        RegisterBenchmark(("hixie76/decode" + arg).c_str(), hixie76_decode, a, utf8_check::none,
                          std::size_t{0});
        RegisterBenchmark(("hixie76/decode_chunk1500" + arg).c_str(), hixie76_decode, a,
                          utf8_check::none, bench::slice_bytes);
        RegisterBenchmark(("hixie76/decode_utf8" + arg).c_str(), hixie76_decode, a,
                          utf8_check::reject, std::size_t{0});
        RegisterBenchmark(("hixie76/decode_utf8mb" + arg).c_str(), hixie76_decode, m,
                          utf8_check::reject, std::size_t{0});
        RegisterBenchmark(("hixie76/assemble" + arg).c_str(), hixie76_assemble, a,
                          hixie76::utf8_policy::raw, std::size_t{0});
        RegisterBenchmark(("hixie76/assemble_chunk1500" + arg).c_str(), hixie76_assemble, a,
                          hixie76::utf8_policy::raw, bench::slice_bytes);
        RegisterBenchmark(("hixie76/encode_writev" + arg).c_str(), hixie76_encode_writev, a);
        RegisterBenchmark(("hixie76/encode_copy" + arg).c_str(), hixie76_encode_copy, a);
    }
    for (const std::size_t n : bench::frame_sizes) {
        const corpus* a = &bench::ascii_corpus(n);
        const std::string arg = "/" + std::to_string(n);
        RegisterBenchmark(("floor/memchr" + arg).c_str(), floor_memchr, a);
        RegisterBenchmark(("floor/memcpy" + arg).c_str(), floor_memcpy, a);
        RegisterBenchmark(("floor/memchr_memcpy" + arg).c_str(), floor_memchr_memcpy, a);
    }
    RegisterBenchmark("floor/md5/16", floor_md5);
    RegisterBenchmark("floor/handshake/spec", floor_handshake, bench::spec_request());
    RegisterBenchmark("floor/handshake/cookie", floor_handshake, bench::cookie_request());
}

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    register_all();
#ifdef HIXIE76_BENCH_WITH_WEBSOCKETPP
    bench::register_websocketpp_benchmarks();
    benchmark::AddCustomContext("websocketpp", "built in (websocketpp/* benchmarks present)");
#else
    benchmark::AddCustomContext("websocketpp", "not found at build time: no websocketpp/* "
                                               "benchmarks");
#endif
    benchmark::AddCustomContext("hixie76", std::to_string(HIXIE76_VERSION_MAJOR) + "." +
                                               std::to_string(HIXIE76_VERSION_MINOR) + "." +
                                               std::to_string(HIXIE76_VERSION_PATCH));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
