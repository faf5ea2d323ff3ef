// SPDX-License-Identifier: MIT
// tests/fuzz/replay_main.cpp — runs a fuzz target over files and directories without libFuzzer,
// so every corpus file and every saved crash is an ordinary test under any compiler.
//
//   hixie76_fuzz_request_replay tests/fuzz/corpus/fuzz_request tests/fuzz/regressions/fuzz_request
//
// Each argument is a file or a directory (its regular files, in name order, not recursive).
// A target reports a broken invariant by aborting, which fails the test; a missing argument
// path is an error too, so a mistyped directory cannot pass by running nothing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool run_file(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        std::fprintf(stderr, "replay: cannot read %s\n", path.string().c_str());
        return false;
    }
    const std::vector<char> bytes((std::istreambuf_iterator<char>(f)),
                                  std::istreambuf_iterator<char>());
    // An exact-size heap copy, as libFuzzer gives, so ASan sees a read past the end.
    std::vector<std::uint8_t> exact(bytes.begin(), bytes.end());
    exact.shrink_to_fit();
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.string().c_str(), exact.size());
    (void)LLVMFuzzerTestOneInput(exact.empty() ? nullptr : exact.data(), exact.size());
    return true;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t files = 0;
    bool ok = true;
    for (int a = 1; a < argc; ++a) {
        const std::filesystem::path arg(argv[a]);
        std::error_code ec;
        if (std::filesystem::is_directory(arg, ec)) {
            std::vector<std::filesystem::path> paths;
            for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
                if (entry.is_regular_file(ec)) {
                    paths.push_back(entry.path());
                }
            }
            std::sort(paths.begin(), paths.end());
            for (const auto& p : paths) {
                ok = run_file(p) && ok;
                ++files;
            }
        } else if (std::filesystem::is_regular_file(arg, ec)) {
            ok = run_file(arg) && ok;
            ++files;
        } else {
            std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[a]);
            ok = false;
        }
    }
    std::printf("replay: %zu inputs ran, every invariant held%s\n", files,
                ok ? "" : " (but some paths were unreadable)");
    return ok ? 0 : 1;
}
