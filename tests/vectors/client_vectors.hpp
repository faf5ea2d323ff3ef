// SPDX-License-Identifier: MIT
// tests/vectors/client_vectors.hpp — server responses a client must accept or refuse, each with
// the rule it exercises and the exact error and offset expected (draft-76 §4.1 steps 28–46,
// draft-75 §4.1).
//
// Every row is read by a client that called start() with the row's URL, draft and protocol
// (default origin). A draft-76 client's 16-byte answer depends on its random keys, so a row
// names what follows the head (`answer`) and the test appends the bytes the client expects.
#ifndef HIXIE76_TESTS_VECTORS_CLIENT_VECTORS_HPP
#define HIXIE76_TESTS_VECTORS_CLIENT_VECTORS_HPP

#include <cstdint>
#include <string_view>

#include "hixie76/error.hpp"

namespace vectors {

using hixie76::draft;
using hixie76::error;
using namespace std::string_view_literals;

/// What follows the response head in a row.
enum class answer : std::uint8_t {
    right,   ///< the 16 bytes the client expects (read back from expected_answer())
    flipped, ///< those 16 bytes with the low bit of byte 7 flipped
    short15, ///< only the first 15 of them; the stream then ends
    none,    ///< nothing (draft-75, a head cut short, or a literal answer in `trailing`)
};

/// One server response and what the client must make of it.
struct client_response_vector {
    std::string_view name;     ///< a sentence
    std::string_view spec_ref; ///< the rule it exercises
    draft version;             ///< the draft the client speaks
    std::string_view url;      ///< the URL the client asked for
    std::string_view protocol; ///< the subprotocol asked for; empty: none
    std::string_view head;     ///< the response head, as sent
    answer after;              ///< what follows the head
    std::string_view trailing; ///< bytes after that: frames, or a literal answer
    error expected;            ///< none: complete, consuming the head (and the 16 bytes)
    /// Where it fails: the offset of the first occurrence of this text in `head`, moved past
    /// the part before a `|` (the `|` itself is not searched for). "" is the head's size;
    /// "<end>" is the size of the whole input (errors that only finish() can report).
    std::string_view at;
    /// The client's client_options::exact_upgrade; the vectors follow the draft's letter
    /// unless they say otherwise.
    bool exact_upgrade = true;
};

// clang-format off
inline constexpr client_response_vector client_response_vectors[] = {
    // ---- accepted, draft-76 --------------------------------------------------------------
    {"the draft's §1.2 response head with the expected answer completes",
     "draft-76 §1.2; §4.1 steps 28-46", draft::draft76, "ws://example.com/demo", "sample",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "Sec-WebSocket-Protocol: sample\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"a minimal draft-76 response without a protocol completes",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"frame bytes after the 16-byte answer are left unconsumed",
     "draft-76 §4.1 step 46", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, "\x00hello\xff\xff\x00"sv, error::none, ""},
    {"field names match in any case",
     "draft-76 §4.1 step 32 (names are lowercased)", draft::draft76, "ws://example.com/demo", "chat",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "upgrade: WebSocket\r\n"
     "CONNECTION: Upgrade\r\n"
     "sec-websocket-origin: http://example.com\r\n"
     "SEC-WEBSOCKET-LOCATION: ws://example.com/demo\r\n"
     "sec-WebSocket-PROTOCOL: chat\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"the Connection value is compared lowercased, so 'upgrade' and 'UPGRADE' are accepted",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"the Connection value UPGRADE is accepted",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: UPGRADE\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"fields may come in any order and unknown fields are ignored",
     "draft-76 §4.1 step 41 ('anything else: ignore')", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Server: test\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "Set-Cookie: a=b\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Connection: Upgrade\r\n"
     "X-Note: caf\xc3\xa9\tand a tab\r\n"
     "WebSocket-Origin: http://elsewhere.example\r\n"
     "Upgrade: WebSocket\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"the space after the colon is optional",
     "draft-76 §4.1 step 35 (one leading space is skipped)", draft::draft76,
     "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade:WebSocket\r\n"
     "Connection:Upgrade\r\n"
     "Sec-WebSocket-Origin:http://example.com\r\n"
     "Sec-WebSocket-Location:ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"the draft-76 reason phrase is not checked",
     "draft-76 §4.1 steps 28-31", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 Switching Protocols\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"an empty reason phrase after the second space is accepted",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 \r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"a non-default port and a query appear in the location and the origin",
     "draft-76 §3 (constructing a URL)", draft::draft76, "ws://example.com:8080/demo?x=1", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com:8080\r\n"
     "Sec-WebSocket-Location: ws://example.com:8080/demo?x=1\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"a wss client expects a wss location and an https origin",
     "draft-76 §3, §4.1 step 41", draft::draft76, "wss://example.com/chat", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: https://example.com\r\n"
     "Sec-WebSocket-Location: wss://example.com/chat\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"an explicit port 443 is the wss default and is left out of the location",
     "draft-76 §3", draft::draft76, "WSS://Example.COM:443/Chat", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: https://example.com\r\n"
     "Sec-WebSocket-Location: wss://example.com/Chat\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"an IPv6 literal keeps its brackets in the location",
     "draft-76 §3", draft::draft76, "ws://[::1]:9000/", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://[::1]:9000\r\n"
     "Sec-WebSocket-Location: ws://[::1]:9000/\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"a protocol the client did not ask for is ignored",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "Sec-WebSocket-Protocol: unasked\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},

    {"by default (exact_upgrade off) Upgrade: websocket in lower case is accepted, as WebKit did",
     "leniency: client_options::exact_upgrade", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: websocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, "", false},
    {"by default Netty's lower-case draft-76 answer is accepted",
     "leniency: client_options::exact_upgrade (Netty 4.1 server)", draft::draft76,
     "ws://example.com/demo", "sample",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "upgrade: websocket\r\n"
     "connection: upgrade\r\n"
     "sec-websocket-origin: http://example.com\r\n"
     "sec-websocket-location: ws://example.com/demo\r\n"
     "sec-websocket-protocol: sample\r\n"
     "\r\n"sv, answer::right, "\x00hi\xff"sv, error::none, "", false},
    {"by default an Upgrade value other than WebSocket is still refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: websocket2\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_upgrade, "websocket2", false},
    {"by default Netty's lower-case draft-75 answer is accepted",
     "leniency: client_options::exact_upgrade (Netty 4.1 server)", draft::draft75,
     "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "upgrade: websocket\r\n"
     "connection: upgrade\r\n"
     "websocket-origin: http://example.com\r\n"
     "websocket-location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, "\x00hi\xff"sv, error::none, "", false},
    {"by default draft-75 still needs Connection",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::missing_connection, "", false},

    // ---- accepted, draft-75 --------------------------------------------------------------
    {"a draft-75 response completes at the end of its head and leaves frames unconsumed",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, "\x00hi\xff"sv, error::none, ""},
    {"a draft-75 response with a protocol, later field names in any case",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "chat",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "websocket-location: ws://example.com/demo\r\n"
     "WEBSOCKET-ORIGIN: http://example.com\r\n"
     "WebSocket-Protocol: chat\r\n"
     "\r\n"sv, answer::none, ""sv, error::none, ""},

    // ---- the status line (§4.1 steps 28-31) ----------------------------------------------
    {"a status line shorter than 7 bytes is refused",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     "1 1\r\n"
     "Upgrade: WebSocket\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_status_line, "1 1"},
    {"a status line with no space is refused",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1\r\n"
     "Upgrade: WebSocket\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_status_line, "HTTP"},
    {"a status line with one space is refused",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_status_line, "HTTP"},
    {"a 2-digit status code is refused",
     "draft-76 §4.1 step 29", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 10 WebSocket Protocol Handshake\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_status_line, "HTTP"},
    {"a 4-digit status code is refused",
     "draft-76 §4.1 step 29", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 1010 WebSocket Protocol Handshake\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_status_line, "HTTP"},
    {"a status code with a letter is refused at the code",
     "draft-76 §4.1 step 29", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 1O1 WebSocket Protocol Handshake\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_status_line, "1O1"},
    {"a status code with a sign is refused at the code",
     "draft-76 §4.1 step 29", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 +01 WebSocket Protocol Handshake\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_status_line, "+01"},
    {"HTTP/1.0 101 is read: the draft's client does not check the version",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.0 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"a lower-case version is read (the version is not checked)",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     "http/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"two spaces after the version are refused",
     "draft-76 §4.1 steps 28-29", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1  101 WebSocket Protocol Handshake\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_status_line, "HTTP"},
    {"status 200 is refused",
     "draft-76 §4.1 step 31", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 200 OK\r\n"
     "Content-Length: 0\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_status, "200"},
    {"status 403 is refused",
     "draft-76 §4.1 step 31", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 403 Forbidden\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_status, "403"},
    {"status 407 is refused (the draft allows a retry with proxy credentials; that is the "
     "caller's business)",
     "draft-76 §4.1 step 30", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 407 Proxy Authentication Required\r\n"
     "Proxy-Authenticate: Basic realm=\"x\"\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_status, "407"},
    {"status 100 is refused",
     "draft-76 §4.1 step 31", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 100 Continue\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_status, "100"},
    {"status 101 with the RFC 6455 fields still needs the draft-76 fields",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 Switching Protocols\r\n"
     "Upgrade: websocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
     "\r\n"sv, answer::none, ""sv, error::missing_sec_origin, ""},
    {"a draft-75 response must carry the reason phrase 'Web Socket Protocol Handshake'",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_status_line, "WebSocket Protocol"},
    {"a draft-75 reason phrase in another case is refused",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 web socket protocol handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_status_line, "web socket"},
    {"a draft-75 reason phrase with a trailing space is refused",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake \r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_status_line, "Web Socket"},
    {"a draft-75 client refuses status 302",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 302 Found\r\n"
     "Location: http://example.com/\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_status, "302"},

    // ---- line structure (§4.1 steps 28 and 32-40) -----------------------------------------
    {"a status line ending in a bare LF is refused",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\n"
     "Upgrade: WebSocket\r\n"
     "\r\n"sv, answer::right, ""sv, error::bare_lf, "Handshake|\n"},
    {"a CR inside the status line is refused",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web\rSocket Protocol Handshake\r\n"
     "\r\n"sv, answer::right, ""sv, error::bare_cr, "Web|\rS"},
    {"a NUL in the reason phrase is read, as the draft's client reads it",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web\0Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"a tab instead of the first space leaves no 3-digit code between two spaces",
     "draft-76 §4.1 steps 28-29", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1\t101 WebSocket Protocol Handshake\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_status_line, "HTTP"},
    {"a field value ending in a bare LF is refused",
     "draft-76 §4.1 step 36", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\n"
     "Connection: Upgrade\r\n"
     "\r\n"sv, answer::right, ""sv, error::bare_lf, "WebSocket|\nC"},
    {"a field name ending in a bare LF is refused",
     "draft-76 §4.1 step 33", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade\n"
     "\r\n"sv, answer::right, ""sv, error::bare_lf, "Upgrade|\n"},
    {"a blank line made of a bare LF is refused",
     "draft-76 §4.1 step 40", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\n"sv, answer::right, ""sv, error::bare_lf, "demo\r\n|\n"},
    {"a CR in a field value not followed by LF is refused",
     "draft-76 §4.1 step 37", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\rX\r\n"
     "\r\n"sv, answer::right, ""sv, error::bare_cr, "WebSocket|\rX"},
    {"a blank line's CR not followed by LF is refused",
     "draft-76 §4.1 step 40", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\r\n"sv, answer::right, ""sv, error::bare_cr, "demo\r\n|\r\r"},
    {"a field line without a colon is refused at its CR (a name ended by CR)",
     "draft-76 §4.1 steps 32-34", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade WebSocket\r\n"
     "\r\n"sv, answer::right, ""sv, error::malformed_field, "Upgrade WebSocket|\r"},
    {"a field name ended by CR is refused",
     "draft-76 §4.1 step 33", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade\r\n"
     "\r\n"sv, answer::right, ""sv, error::malformed_field, "Upgrade|\r"},
    {"a space before the colon makes another name (`upgrade `), so Upgrade is missing",
     "draft-76 §4.1 steps 32-34", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade : WebSocket\r\n"
     "\r\n"sv, answer::right, ""sv, error::missing_upgrade, ""},
    {"an empty field name is refused",
     "draft-76 §4.1 step 41 (an empty name fails)", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     ": WebSocket\r\n"
     "\r\n"sv, answer::right, ""sv, error::malformed_field, "\r\n|: "},
    {"a folded continuation line is refused at its CR (a name ended by CR)",
     "draft-76 §4.1 step 33", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     " folded\r\n"
     "\r\n"sv, answer::right, ""sv, error::malformed_field, " folded|\r"},
    {"a NUL in a field value is read, as the draft's client reads it",
     "draft-76 §4.1 step 36", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "X-A: a\0b\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"a DEL in a field value is read",
     "draft-76 §4.1 step 36", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "X-A: a\x7f" "b\r\n"
     "\r\n"sv, answer::right, ""sv, error::none, ""},
    {"an ESC in the Upgrade value is read and makes it not WebSocket",
     "draft-76 §4.1 steps 36, 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: Web\x1bSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_upgrade, "Upgrade: |Web"},

    // ---- which fields, how many (§4.1 step 41) -------------------------------------------
    {"a second Upgrade field is refused at its name",
     "draft-76 §4.1 step 41 (exactly one)", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "upgrade: WebSocket\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::duplicate_field, "upgrade:"},
    {"a second Connection field is refused at its name",
     "draft-76 §4.1 step 41 (exactly one)", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "CONNECTION: Upgrade\r\n"
     "\r\n"sv, answer::right, ""sv, error::duplicate_field, "CONNECTION"},
    {"a second Sec-WebSocket-Origin is refused even when both are right",
     "draft-76 §4.1 step 41 (exactly one)", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "sec-websocket-origin: http://example.com\r\n"
     "\r\n"sv, answer::right, ""sv, error::duplicate_field, "sec-websocket-origin"},
    {"a second Sec-WebSocket-Location is refused",
     "draft-76 §4.1 step 41 (exactly one)", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::duplicate_field, "Origin: http://example.com\r\n|"},
    {"a second Sec-WebSocket-Protocol is refused",
     "draft-76 §4.1 step 41 (exactly one)", draft::draft76, "ws://example.com/demo", "chat",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "Sec-WebSocket-Protocol: chat\r\n"
     "Sec-WebSocket-Protocol: chat\r\n"
     "\r\n"sv, answer::right, ""sv, error::duplicate_field, "chat\r\n|Sec"},
    {"a response without Upgrade is refused at the end of the head",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::missing_upgrade, ""},
    {"a response without Connection is refused at the end of the head",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::missing_connection, ""},
    {"a response without Sec-WebSocket-Origin is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::missing_sec_origin, ""},
    {"a draft-76 response with the draft-75 WebSocket-Origin name lacks Sec-WebSocket-Origin",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::missing_sec_origin, ""},
    {"a response without Sec-WebSocket-Location is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "\r\n"sv, answer::right, ""sv, error::missing_sec_location, ""},
    {"a requested protocol that does not come back is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "chat",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::missing_sec_protocol, ""},

    // ---- field values (§4.1 step 41) -----------------------------------------------------
    {"Upgrade: websocket in lower case is refused: the value is compared exactly",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: websocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_upgrade, "websocket"},
    {"Upgrade: WEBSOCKET is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WEBSOCKET\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_upgrade, "WEBSOCKET"},
    {"a second space before the Upgrade value is part of the value and is refused",
     "draft-76 §4.1 step 35", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade:  WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_upgrade, "Upgrade: | WebSocket"},
    {"a trailing space after the Upgrade value is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket \r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_upgrade, "Upgrade: |WebSocket "},
    {"an empty Upgrade value is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade:\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_upgrade, "Upgrade:|\r"},
    {"Connection: keep-alive, Upgrade is refused: the whole value must be 'upgrade'",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: keep-alive, Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_connection, "keep-alive"},
    {"Connection: close is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: close\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::bad_connection, "close"},
    {"another origin is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.org\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::origin_mismatch, "http://example.org"},
    {"the origin in another case is refused: the echo must be exact",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://Example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::origin_mismatch, "http://Example"},
    {"an origin with a trailing slash is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com/\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::origin_mismatch, "Origin: |http"},
    {"a wss location for a ws client is refused",
     "draft-76 §4.1 step 41 (the scheme matters)", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: wss://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::location_mismatch, "wss://"},
    {"a ws location for a wss client is refused",
     "draft-76 §4.1 step 41 (the scheme matters)", draft::draft76, "wss://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: https://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::location_mismatch, "ws://"},
    {"a location without the non-default port is refused",
     "draft-76 §3, §4.1 step 41", draft::draft76, "ws://example.com:8080/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com:8080\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::location_mismatch, "ws://"},
    {"a location that spells out the default port is refused",
     "draft-76 §3 (the port only when not the default)", draft::draft76, "ws://example.com/demo",
     "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com:80/demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::location_mismatch, "ws://"},
    {"a location with another resource is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/Demo\r\n"
     "\r\n"sv, answer::right, ""sv, error::location_mismatch, "ws://"},
    {"a protocol in another case is refused",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "chat",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "Sec-WebSocket-Protocol: Chat\r\n"
     "\r\n"sv, answer::right, ""sv, error::protocol_mismatch, "Chat"},
    {"an empty protocol is refused when one was requested",
     "draft-76 §4.1 step 41", draft::draft76, "ws://example.com/demo", "chat",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "Sec-WebSocket-Protocol: \r\n"
     "\r\n"sv, answer::right, ""sv, error::protocol_mismatch, "Protocol: |\r"},

    // ---- the 16-byte answer (§4.1 steps 42-45) -------------------------------------------
    {"an answer with one bit flipped is refused at the end of the head",
     "draft-76 §4.1 step 45", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::flipped, "\x00hi\xff"sv, error::token_mismatch, ""},
    {"the draft's §1.2 answer 8jKS'y:G*Co,Wxa- answers other keys, not ours",
     "draft-76 §1.2", draft::draft76, "ws://example.com/demo", "sample",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "Sec-WebSocket-Protocol: sample\r\n"
     "\r\n"sv, answer::none, "8jKS'y:G*Co,Wxa-"sv, error::token_mismatch, ""},
    {"the §4.1 example answer 0st3Rl&q-2ZU^weu answers other keys, not ours",
     "draft-76 §4.1 step 43", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, "0st3Rl&q-2ZU^weu"sv, error::token_mismatch, ""},
    {"a stream that ends after 15 answer bytes is missing_answer (from finish)",
     "draft-76 §4.1 step 44", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::short15, ""sv, error::missing_answer, "<end>"},
    {"a stream that ends right after the head is missing_answer (from finish)",
     "draft-76 §4.1 step 44", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::missing_answer, "<end>"},
    {"a stream that ends inside the head is an unexpected EOF (from finish)",
     "draft-76 §4.1 step 32", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upg"sv, answer::none, ""sv, error::unexpected_eof, "<end>"},
    {"a stream that ends between the last CR and LF is an unexpected EOF (from finish)",
     "draft-76 §4.1 step 40", draft::draft76, "ws://example.com/demo", "",
     "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r"sv, answer::none, ""sv, error::unexpected_eof, "<end>"},
    {"an empty stream is an unexpected EOF at offset 0 (from finish)",
     "draft-76 §4.1 step 28", draft::draft76, "ws://example.com/demo", "",
     ""sv, answer::none, ""sv, error::unexpected_eof, "<end>"},

    // ---- draft-75: the first 85 bytes are exact (§4.1) -------------------------------------
    {"draft-75: Upgrade must be the first field",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Connection: Upgrade\r\n"
     "Upgrade: WebSocket\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_upgrade, "Handshake\r\n|"},
    {"draft-75: the Upgrade name's case matters",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_upgrade, "Handshake\r\n|"},
    {"draft-75: Upgrade: websocket is refused",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: websocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_upgrade, "Handshake\r\n|"},
    {"draft-75: the space after the colon is part of the exact bytes",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade:WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_upgrade, "Handshake\r\n|"},
    {"draft-75: a response without Upgrade is refused after the status line",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::missing_upgrade, "Handshake\r\n|"},
    {"draft-75: Connection must be the second field",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Server: test\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_connection, "WebSocket\r\n|"},
    {"draft-75: Connection: upgrade in lower case is refused",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::bad_connection, "WebSocket\r\n|"},
    {"draft-75: a response without Connection is refused after the Upgrade line",
     "draft-75 §4.1 (first 85 bytes exact)", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::missing_connection, "WebSocket\r\n|"},
    {"draft-75: the Sec- names of draft-76 do not count as WebSocket-Origin",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "Sec-WebSocket-Origin: http://example.com\r\n"
     "Sec-WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::missing_sec_origin, ""},
    {"draft-75: a response without WebSocket-Location is refused",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "\r\n"sv, answer::none, ""sv, error::missing_sec_location, ""},
    {"draft-75: Sec-WebSocket-Protocol does not answer a requested protocol",
     "draft-75 §4.1 (em-websocket's mistake)", draft::draft75, "ws://example.com/demo", "chat",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "Sec-WebSocket-Protocol: chat\r\n"
     "\r\n"sv, answer::none, ""sv, error::missing_sec_protocol, ""},
    {"draft-75: a second WebSocket-Location is refused",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::duplicate_field, "demo\r\n|WebSocket-Location"},
    {"draft-75: another origin is refused",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://evil.example\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::origin_mismatch, "http://evil"},
    {"draft-75: a wss location for a ws client is refused",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: wss://example.com/demo\r\n"
     "\r\n"sv, answer::none, ""sv, error::location_mismatch, "wss://"},
    {"draft-75: another protocol is refused",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "chat",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"
     "Connection: Upgrade\r\n"
     "WebSocket-Origin: http://example.com\r\n"
     "WebSocket-Location: ws://example.com/demo\r\n"
     "WebSocket-Protocol: superchat\r\n"
     "\r\n"sv, answer::none, ""sv, error::protocol_mismatch, "superchat"},
    {"draft-75: a stream that ends inside the head is an unexpected EOF (from finish)",
     "draft-75 §4.1", draft::draft75, "ws://example.com/demo", "",
     "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
     "Upgrade: WebSocket\r\n"sv, answer::none, ""sv, error::unexpected_eof, "<end>"},
};
// clang-format on

} // namespace vectors

#endif // HIXIE76_TESTS_VECTORS_CLIENT_VECTORS_HPP
