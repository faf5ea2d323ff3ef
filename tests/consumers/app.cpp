// SPDX-License-Identifier: MIT
// tests/consumers/app.cpp — a program built against hixie76 the way a user would: it performs
// the worked opening handshake of draft-hixie-thewebsocketprotocol-76 §1.3 through the public
// API and exits 0 only when the 16-byte answer is the draft's.
#include <hixie76/handshake.hpp>

#include <cstdio>
#include <string_view>

int main() {
    constexpr std::string_view key1 = "4 @1  46546xW%0l 1 5";
    constexpr std::string_view key2 = "12998 5 Y3 1  .P00";
    constexpr std::string_view key3 = "^n:ds[4U";
    constexpr std::string_view expected = "8jKS'y:G*Co,Wxa-";

    const hixie76::challenge_result r = hixie76::challenge_response(key1, key2, key3);
    if (r.err != hixie76::error::none) {
        std::printf("challenge_response failed: error %d\n", static_cast<int>(r.err));
        return 1;
    }
    const std::string_view answer(r.response.data(), r.response.size());
    if (answer != expected) {
        std::printf("challenge answer %.*s, expected %.*s\n", static_cast<int>(answer.size()),
                    answer.data(), static_cast<int>(expected.size()), expected.data());
        return 1;
    }
    std::printf("challenge answer %.*s (hixie76 %d.%d.%d)\n", static_cast<int>(answer.size()),
                answer.data(), HIXIE76_VERSION_MAJOR, HIXIE76_VERSION_MINOR,
                HIXIE76_VERSION_PATCH);
    return 0;
}
