// SPDX-License-Identifier: MIT
// bench/common.hpp — what the hixie76 benchmarks and the peer benchmarks share: the inputs
// (frame corpora, handshake requests, expected outputs) and the heap-allocation counter.
//
// Every benchmark of one frame size works on the same ~1 MiB corpus, so the ratios between
// implementations and floors are ratios of time for identical work.
#ifndef HIXIE76_BENCH_COMMON_HPP
#define HIXIE76_BENCH_COMMON_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

namespace bench {

/// Sets the rates and the `allocs` counter (heap allocations per iteration).
inline void report(benchmark::State& st, std::size_t bytes_per_iter, std::size_t items_per_iter,
                   std::uint64_t allocs) {
    const auto iters = static_cast<std::int64_t>(st.iterations());
    st.SetBytesProcessed(iters * static_cast<std::int64_t>(bytes_per_iter));
    st.SetItemsProcessed(iters * static_cast<std::int64_t>(items_per_iter));
    st.counters["allocs"] =
        benchmark::Counter(static_cast<double>(allocs), benchmark::Counter::kAvgIterations);
}

/// Payload sizes of the frame benchmarks.
inline constexpr std::size_t frame_sizes[] = {16, 1024, 65536};

/// Approximate size of each corpus.
inline constexpr std::size_t corpus_target_bytes = std::size_t{1} << 20;

/// Slice size of the `*_chunk1500` benchmarks (one Ethernet MTU of TCP payload, roughly).
inline constexpr std::size_t slice_bytes = 1500;

/// `count` text frames `00 <n payload bytes> FF`, back to back.
struct corpus {
    std::size_t n = 0;                      ///< payload bytes per frame
    std::size_t count = 0;                  ///< frames
    std::size_t payload_bytes = 0;          ///< n * count
    bool multibyte = false;                 ///< payloads mix 1- to 4-byte UTF-8 sequences
    std::string wire;                       ///< the frames as received
    std::vector<std::string_view> payloads; ///< views into `wire`, one per frame
};

/// The ASCII corpus for payload size `n` (built once, then cached).
const corpus& ascii_corpus(std::size_t n);
/// The corpus for payload size `n` whose payloads are well-formed UTF-8 with 2-, 3- and
/// 4-byte sequences among ASCII (built once, then cached).
const corpus& multibyte_corpus(std::size_t n);

/// The draft-76 §1.2 example request: head plus the 8 bytes of key3.
std::string_view spec_request();
/// The same request with a `Cookie` field whose value is 300 bytes, before the blank line.
std::string_view cookie_request();
/// The 16-byte answer to both requests (draft-76 §1.2): `8jKS'y:G*Co,Wxa-`.
inline constexpr std::string_view spec_challenge = "8jKS'y:G*Co,Wxa-";
/// The 16 bytes hashed for the §1.2 example (part1 BE32, part2 BE32, key3).
std::string_view spec_challenge_input();

/// Heap allocations (every form of operator new) since the program started. Counted by the
/// replacement operator new in hixie76_bench.cpp.
std::uint64_t alloc_count() noexcept;

} // namespace bench

#endif // HIXIE76_BENCH_COMMON_HPP
