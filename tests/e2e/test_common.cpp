// SPDX-License-Identifier: MIT
// tests/e2e/test_common.cpp — the examples' shared I/O-free pieces (examples/common): the
// command line, the public Location and its forwarded fields, the room's admission and texts,
// and the frame-to-message reader under every split. The programs' end-to-end behaviour is
// e2e_chat.py's.
#include "../../examples/common/location.hpp"
#include "../../examples/common/options.hpp"
#include "../../examples/common/page.hpp"
#include "../../examples/common/room.hpp"

#include <hixie76/hixie76.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;
namespace ex = hixie76_examples;

/// A parsed request; the parser's views point into `text`.
struct request {
    std::string text;
    hixie76::request_parser parser{};
    explicit request(std::string t) : text(std::move(t)) {
        const hixie76::parse_result r = parser.parse(text);
        REQUIRE(r.status != hixie76::parse_status::failed);
        REQUIRE(parser.head_complete());
    }
};

/// A draft-75 request (no key3 to wait for) at `resource` with extra `fields` lines.
std::string draft75(std::string_view resource, std::string_view fields,
                    std::string_view origin = "Origin: http://a.example\r\n") {
    return "GET "s + std::string(resource) + " HTTP/1.1\r\nUpgrade: WebSocket\r\n" +
           "Connection: Upgrade\r\nHost: h.example:8080\r\n" + std::string(origin) +
           std::string(fields) + "\r\n";
}

/// The draft-76 request of the draft's own example (§1.3), key3 included.
std::string draft76() {
    return "GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nUpgrade: WebSocket\r\n"
           "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nOrigin: http://example.com\r\n\r\n"
           "^n:ds[4U";
}

/// A field's value in a response head; empty when absent.
std::string field_of(const std::string& head, const std::string& name) {
    const std::size_t at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) {
        return {};
    }
    const std::size_t from = at + 4 + name.size();
    return head.substr(from, head.find("\r\n", from) - from);
}

ex::parse_outcome parse(std::vector<const char*> args, ex::server_options& opt) {
    args.insert(args.begin(), "prog");
    return ex::parse_command_line(static_cast<int>(args.size()), args.data(), "prog", "USAGE", opt);
}

TEST_CASE("valid_host: names and bracketed IPv6 literals, with an optional port 1-65535") {
    for (const char* good : {"a", "h.example", "h.example:1", "h.example:65535", "x-y_z~1.a",
                             "[::1]", "[::1]:443", "[2001:db8::ffff:1.2.3.4]:80", "1.2.3.4:8"}) {
        CAPTURE(good);
        CHECK(ex::valid_host(good));
    }
    for (const char* bad : {"",
                            " ",
                            "a b",
                            "h.example:",
                            "h.example:0",
                            "h.example:65536",
                            "h.example:123456",
                            "h.example:8x",
                            "h/x",
                            "u@h",
                            "h?x",
                            "h#x",
                            "h\t",
                            "h\xc3\xa9",
                            ":80",
                            "[]",
                            "[::1",
                            "[zz::1]",
                            "[::1]x",
                            "[::1]:",
                            "h%41"}) {
        CAPTURE(bad);
        CHECK_FALSE(ex::valid_host(bad));
    }
    CHECK(ex::valid_host(std::string(ex::max_host_size - 6, 'a') + ":65535"));
    CHECK_FALSE(ex::valid_host(std::string(ex::max_host_size + 1, 'a')));
}

TEST_CASE("the command line: every shared option, its checks, and the program's own") {
    ex::server_options opt(19887);
    CHECK(opt.port == 19887);
    const ex::parse_outcome ok = parse({"--bind",
                                        "::1",
                                        "--port",
                                        "0",
                                        "--origin",
                                        "http://a",
                                        "--origin",
                                        "http://b",
                                        "--max-clients",
                                        "3",
                                        "--max-message",
                                        "10",
                                        "--max-queue",
                                        "20",
                                        "--handshake-timeout",
                                        "0.25",
                                        "--public-scheme",
                                        "wss",
                                        "--public-host",
                                        "p.example:443",
                                        "--trust-forwarded",
                                        "--client-keepalive",
                                        "30",
                                        "--keepalive-text",
                                        "\xe2\x9c\x93"},
                                       opt);
    CHECK(ok.exit_status == -1);
    CHECK(opt.bind == "::1");
    CHECK(opt.port == 0);
    CHECK(opt.origins == std::vector<std::string>{"http://a", "http://b"});
    CHECK(opt.max_clients == 3);
    CHECK(opt.max_message == 10);
    CHECK(opt.max_queue == 20);
    CHECK(opt.handshake_timeout.count() == 250);
    CHECK(opt.public_scheme == "wss");
    CHECK(opt.public_host == "p.example:443");
    CHECK(opt.trust_forwarded);
    CHECK(opt.client_keepalive.count() == 30000);
    CHECK(opt.keepalive_text == "\xe2\x9c\x93");

    const ex::parse_outcome help = parse({"--port", "1", "--help", "--bogus"}, opt);
    CHECK(help.exit_status == 0);
    CHECK(help.message == "USAGE");

    const std::vector<std::vector<const char*>> bad = {
        {"--bogus"},
        {"--port"},
        {"--port", "65536"},
        {"--port", "-1"},
        {"--bind", ""},
        {"--origin", ""},
        {"--max-clients", "0"},
        {"--max-message", "x"},
        {"--max-queue", "0"},
        {"--handshake-timeout", "0"},
        {"--public-scheme", "http"},
        {"--public-scheme", "WSS"},
        {"--public-host", "a b"},
        {"--public-host", "h:0"},
        {"--client-keepalive", "-1"},
        {"--client-keepalive", "86401"},
        {"--keepalive-text", "\xff"},
        {"--keepalive-text", "\xc3\x28"},
        {"--keepalive-text"},
    };
    for (const auto& args : bad) {
        CAPTURE(args[0]);
        ex::server_options o;
        const ex::parse_outcome r = parse(args, o);
        CHECK(r.exit_status == 2);
        CHECK(r.message.rfind("prog: ", 0) == 0);
        CHECK(r.message.find('\n') == r.message.size() - 1);
    }

    // A program's own option, with and without a value.
    std::string upstream;
    bool flag = false;
    std::vector<const char*> args = {"prog", "--upstream", "ws://u/", "--flag", "--port", "5"};
    ex::server_options o;
    const ex::parse_outcome own = ex::parse_command_line(
        static_cast<int>(args.size()), args.data(), "prog", "", o, [&](ex::arg_reader& a) {
            if (a.option() == "--upstream") {
                const char* v = a.value();
                upstream = v != nullptr ? v : "";
                return v != nullptr ? ex::option_result::ok : ex::option_result::bad_value;
            }
            if (a.option() == "--flag") {
                flag = true;
                return ex::option_result::ok;
            }
            return ex::option_result::not_mine;
        });
    CHECK(own.exit_status == -1);
    CHECK(upstream == "ws://u/");
    CHECK(flag);
    CHECK(o.port == 5);
    CHECK(ex::help_server(7).find("(default 7; 0 picks") != std::string::npos);
}

TEST_CASE("locate: the configured Location, and forwarded fields only when trusted") {
    const request plain(
        draft75("/", "X-Forwarded-Proto: https\r\nX-Forwarded-Host: f.example\r\n"));
    ex::public_location loc = ex::locate({"", "", false}, plain.parser);
    CHECK(loc.ok);
    CHECK_FALSE(loc.secure);
    CHECK(loc.host.empty());
    loc = ex::locate({"wss", "p.example", false}, plain.parser);
    CHECK(loc.secure);
    CHECK(loc.host == "p.example");
    loc = ex::locate({"", "p.example", true}, plain.parser);
    CHECK(loc.ok);
    CHECK(loc.secure);
    CHECK(loc.host == "f.example");

    const request proto_only(draft75("/", "x-forwarded-proto: HTTP\r\n"));
    loc = ex::locate({"wss", "p.example", true}, proto_only.parser);
    CHECK(loc.ok);
    CHECK_FALSE(loc.secure);
    CHECK(loc.host == "p.example");

    for (const char* fields :
         {"X-Forwarded-Proto: ftp\r\n", "X-Forwarded-Proto: https, http\r\n",
          "X-Forwarded-Proto:\r\n", "X-Forwarded-Proto: https\r\nX-Forwarded-Proto: https\r\n",
          "X-Forwarded-Host: a b\r\n", "X-Forwarded-Host: h:99999\r\n", "X-Forwarded-Host:\r\n",
          "X-Forwarded-Host: a\r\nX-Forwarded-Host: a\r\n"}) {
        CAPTURE(fields);
        const request r(draft75("/", fields));
        CHECK_FALSE(ex::locate({"", "", true}, r.parser).ok);
        CHECK(ex::locate({"", "", false}, r.parser).ok); // not trusted: not read
    }
}

TEST_CASE("answer_upgrade: origin list, room full, bad forwarded field, then the 101 head") {
    ex::server_options opt;
    const request req(draft75("/chat?x=1", "WebSocket-Protocol: chat\r\n"));
    ex::upgrade_answer a = ex::answer_upgrade(opt, req.parser, false);
    REQUIRE(a.accepted);
    CHECK(a.version == hixie76::draft::draft75);
    CHECK(a.bytes.rfind("HTTP/1.1 101 ", 0) == 0);
    CHECK(field_of(a.bytes, "WebSocket-Location") == "ws://h.example:8080/chat?x=1");
    CHECK(field_of(a.bytes, "WebSocket-Origin") == "http://a.example");
    CHECK(field_of(a.bytes, "WebSocket-Protocol") == "chat");

    opt.public_scheme = "wss";
    opt.public_host = "p.example:443";
    const request no_origin(draft75("/", "", ""));
    a = ex::answer_upgrade(opt, no_origin.parser, false);
    REQUIRE(a.accepted);
    CHECK(field_of(a.bytes, "WebSocket-Location") == "wss://p.example:443/");
    CHECK(field_of(a.bytes, "WebSocket-Origin") == "https://p.example:443");

    a = ex::answer_upgrade(opt, req.parser, true);
    CHECK_FALSE(a.accepted);
    CHECK(a.refused.status == 503);
    CHECK(a.refused.bytes.rfind("HTTP/1.1 503 ", 0) == 0);
    CHECK(a.refused.why == "the room is full (503)");

    opt.origins = {"http://A.example"};
    CHECK(ex::answer_upgrade(opt, req.parser, false).accepted); // ASCII case-insensitive
    CHECK(ex::check_origin(opt, "http://a.example") == hixie76::error::none);
    CHECK(ex::check_origin(opt, "") == hixie76::error::missing_origin);
    opt.origins = {"http://b.example"};
    a = ex::answer_upgrade(opt, req.parser, false);
    CHECK_FALSE(a.accepted);
    CHECK(a.refused.status == 403);
    CHECK(a.refused.why == "origin_refused (403)");
    a = ex::answer_upgrade(opt, no_origin.parser, false);
    CHECK(a.refused.status == 400);
    CHECK(a.refused.why == "missing_origin (400)");

    opt.origins.clear();
    opt.trust_forwarded = true;
    const request spoofed(draft75("/", "X-Forwarded-Host: evil.example/x\r\n"));
    a = ex::answer_upgrade(opt, spoofed.parser, false);
    CHECK_FALSE(a.accepted);
    CHECK(a.refused.status == 400);
    CHECK(a.refused.bytes.find("evil") == std::string::npos); // never echoed
}

TEST_CASE("the room's texts, names and HTTP answers") {
    CHECK(ex::peer_name("127.0.0.1", "80") == "127.0.0.1:80");
    CHECK(ex::peer_name("::1", "80") == "[::1]:80");
    CHECK(ex::welcome_text("n") == "Welcome, n !");
    CHECK(ex::relay_text("n", "hi:x") == "n:hi:x");
    CHECK(ex::logout_text("n") == "n Logout");
    CHECK(ex::is_quit("quit"));
    CHECK_FALSE(ex::is_quit("quit "));
    const std::string page = ex::chat_page("T", "About.");
    CHECK(page.find("<title>T</title>") != std::string::npos);
    CHECK(page.find("<p>About.</p>") != std::string::npos);
    CHECK(ex::chat_page("T", "").find("<p>About") == std::string::npos);
    CHECK(ex::serve_http("/", page).status == 200);
    CHECK(ex::serve_http("/?a=1", page).bytes.find(page) != std::string::npos);
    CHECK(ex::serve_http("/chat", page).status == 404);
}

TEST_CASE("message_reader: messages, skipped frames, close and failures, at every split") {
    const request req76(draft76());
    const request req75(draft75("/", ""));
    REQUIRE(req76.parser.version() == hixie76::draft::draft76);
    const std::string stream = "\x00one\xff\x80\x03xyz\x00t\xc3\x28o\xff\x01skip\xff\x00\xff"
                               "\xff\x00\x00"
                               "after\xff"s;
    const std::vector<std::string> want = {"one", "t\xef\xbf\xbd(o", ""};
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        CAPTURE(split);
        ex::message_reader reader(req76.parser, 100);
        std::vector<std::string> got;
        bool closed = false;
        for (std::string_view piece :
             {std::string_view(stream).substr(0, split), std::string_view(stream).substr(split)}) {
            while (!closed) {
                const ex::message_reader::event ev = reader.next(piece);
                if (ev == ex::message_reader::event::need_more) {
                    CHECK(piece.empty());
                    break;
                }
                if (ev == ex::message_reader::event::message) {
                    got.push_back(reader.take());
                } else {
                    REQUIRE(ev == ex::message_reader::event::close);
                    closed = true;
                }
            }
        }
        CHECK(closed);
        CHECK(got == want);
    }
    ex::message_reader small(req76.parser, 3);
    std::string_view big = "\x00"
                           "abcd\xff"sv;
    CHECK(small.next(big) == ex::message_reader::event::failed);
    CHECK(small.error() != hixie76::error::none);
    ex::message_reader old(req75.parser, 100);
    std::string_view not_close = "\xff\x00\x00x\xff"sv;
    CHECK(old.next(not_close) == ex::message_reader::event::message); // -75: FF 00 is skipped
    CHECK(old.take() == "x");
}

} // namespace
