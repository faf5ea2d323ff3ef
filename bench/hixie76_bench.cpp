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
//   hixie76/encode_writev/N               frame_text(): framing only, payload scanned for FF
//   hixie76/encode_copy/N                 encode_text(): whole frames into one buffer
//   floor/memchr/N                        memchr for FF over the decode input
//   floor/memcpy/N                        memcpy of every payload into one buffer
//   floor/md5/16                          one MD5 of 16 bytes (the handshake's hash)
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
        RegisterBenchmark(("hixie76/encode_writev" + arg).c_str(), hixie76_encode_writev, a);
        RegisterBenchmark(("hixie76/encode_copy" + arg).c_str(), hixie76_encode_copy, a);
    }
    for (const std::size_t n : bench::frame_sizes) {
        const corpus* a = &bench::ascii_corpus(n);
        const std::string arg = "/" + std::to_string(n);
        RegisterBenchmark(("floor/memchr" + arg).c_str(), floor_memchr, a);
        RegisterBenchmark(("floor/memcpy" + arg).c_str(), floor_memcpy, a);
    }
    RegisterBenchmark("floor/md5/16", floor_md5);
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
