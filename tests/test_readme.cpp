// SPDX-License-Identifier: MIT
// tests/test_readme.cpp — the README's promises: its quick start compiles and works, and its
// error table names every error code with the status the library suggests.
#include "readme_quickstart.inc"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "hixie76/client.hpp"
#include "hixie76/error.hpp"

#ifndef HIXIE76_SOURCE_DIR
#error "HIXIE76_SOURCE_DIR must name the source tree"
#endif

namespace {

std::string read_readme() {
    std::ifstream f(std::string(HIXIE76_SOURCE_DIR) + "/README.md", std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

const std::string spec_request = "GET /demo HTTP/1.1\r\n"
                                 "Host: example.com\r\n"
                                 "Connection: Upgrade\r\n"
                                 "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n"
                                 "Upgrade: WebSocket\r\n"
                                 "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                                 "Origin: http://example.com\r\n"
                                 "\r\n"
                                 "^n:ds[4U";

} // namespace

TEST_CASE("the README quick start answers the draft's example, echoes a message and closes") {
    const std::string frames = std::string("\x00hello\xff", 7) + std::string("\xff\x00", 2);
    const std::string wire = spec_request + frames;
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        CAPTURE(cut);
        connection c;
        std::string out = on_read(c, std::string_view(wire).substr(0, cut));
        out += on_read(c, std::string_view(wire).substr(cut));
        const std::string expected = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
                                     "Upgrade: WebSocket\r\n"
                                     "Connection: Upgrade\r\n"
                                     "Sec-WebSocket-Origin: http://example.com\r\n"
                                     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
                                     "\r\n"
                                     "8jKS'y:G*Co,Wxa-" +
                                     std::string("\x00hello\xff\xff\x00", 9);
        CHECK(out == expected);
        CHECK(c.done);
    }
}

TEST_CASE("the README quick start rejects a key without spaces with 400") {
    connection c;
    std::string req = spec_request;
    req.replace(req.find("12998 5 Y3 1  .P00"), 18, "12998Y3.P00");
    const std::string out = on_read(c, req);
    CHECK(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(c.done);
}

TEST_CASE("the README quick start answers the head before key3 arrives (headers first)") {
    connection c;
    const std::size_t head = spec_request.size() - 8;
    const std::string first = on_read(c, std::string_view(spec_request).substr(0, head));
    CHECK(first.rfind("HTTP/1.1 101 WebSocket Protocol Handshake\r\n", 0) == 0);
    CHECK(first.size() > 4);
    CHECK(first.compare(first.size() - 4, 4, "\r\n\r\n") == 0);
    const std::string second = on_read(c, std::string_view(spec_request).substr(head));
    CHECK(second == "8jKS'y:G*Co,Wxa-");
    CHECK(c.open);
}

TEST_CASE("the README quick start echoes a requested subprotocol and serves a client without "
          "Origin") {
    connection c;
    std::string req = spec_request;
    req.replace(req.find("Origin: http://example.com\r\n"), 28, "Sec-WebSocket-Protocol: chat\r\n");
    const std::string out = on_read(c, req);
    CHECK(out.find("\r\nSec-WebSocket-Protocol: chat\r\n") != std::string::npos);
    CHECK(out.find("\r\nSec-WebSocket-Origin: http://example.com\r\n") != std::string::npos);
    CHECK(c.open);
}

TEST_CASE("the README quick start serves a draft-75 client with draft-75 framing") {
    const std::string req75 = "GET /demo HTTP/1.1\r\n"
                              "Upgrade: WebSocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Host: example.com\r\n"
                              "Origin: http://example.com\r\n"
                              "WebSocket-Protocol: sample\r\n"
                              "\r\n";
    // In draft-75, FF 00 is an empty length frame (skipped), not a close.
    const std::string wire = req75 + std::string("\x00hi\xff\xff\x00\x00yo\xff", 10);
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        CAPTURE(cut);
        connection c;
        std::string out = on_read(c, std::string_view(wire).substr(0, cut));
        out += on_read(c, std::string_view(wire).substr(cut));
        CHECK(out == "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
                     "Upgrade: WebSocket\r\n"
                     "Connection: Upgrade\r\n"
                     "WebSocket-Origin: http://example.com\r\n"
                     "WebSocket-Location: ws://example.com/demo\r\n"
                     "WebSocket-Protocol: sample\r\n"
                     "\r\n" +
                         std::string("\x00hi\xff\x00yo\xff", 8));
        CHECK(!c.done);
    }
}

TEST_CASE("the README quick start answers a plain GET and closes") {
    connection c;
    const std::string out = on_read(c, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
    CHECK(out.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
    CHECK(c.done);
}

TEST_CASE("the README error table lists every code with its suggested status") {
    const std::string readme = read_readme();
    const std::size_t begin = readme.find("<!-- errors: begin -->");
    const std::size_t end = readme.find("<!-- errors: end -->");
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    const std::string table = readme.substr(begin, end - begin);
    std::size_t rows = 0;
    for (hixie76::error e : hixie76::all_errors) {
        if (e == hixie76::error::none) {
            continue;
        }
        const std::string name(hixie76::to_string(e));
        CAPTURE(name);
        const std::size_t at = table.find("| `" + name + "` |");
        REQUIRE(at != std::string::npos);
        const std::size_t eol = table.find('\n', at);
        const std::string row = table.substr(at, eol - at);
        const int status = hixie76::suggested_http_status(e);
        const std::string want = status == 0 ? "| — |" : "| " + std::to_string(status) + " |";
        CHECK(row.find(want) != std::string::npos);
        ++rows;
    }
    std::size_t lines = 0;
    for (std::size_t i = table.find("\n| `"); i != std::string::npos;
         i = table.find("\n| `", i + 1)) {
        ++lines;
    }
    CHECK(lines == rows); // no stale rows for codes that no longer exist
}
