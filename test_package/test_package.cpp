// SPDX-License-Identifier: MIT
// test_package.cpp — the packaged headers compile, link and compute the draft's challenge answer.
#include <hixie76/handshake.hpp>

#include <cstdio>
#include <string_view>

int main() {
    // draft-hixie-thewebsocketprotocol-76 §1.3, the worked opening handshake.
    const hixie76::challenge_result r =
        hixie76::challenge_response("4 @1  46546xW%0l 1 5", "12998 5 Y3 1  .P00", "^n:ds[4U");
    const std::string_view answer(r.response.data(), r.response.size());
    const bool ok = r.err == hixie76::error::none && answer == "8jKS'y:G*Co,Wxa-";
    std::printf("hixie76 %d.%d.%d: challenge answer %s\n", HIXIE76_VERSION_MAJOR,
                HIXIE76_VERSION_MINOR, HIXIE76_VERSION_PATCH, ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
