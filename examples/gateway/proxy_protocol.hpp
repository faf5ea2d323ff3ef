// SPDX-License-Identifier: MIT
// examples/gateway/proxy_protocol.hpp — the PROXY protocol header HAProxy (and most L4
// balancers) put before a connection's first byte: v1 (text, `send-proxy`) and v2 (binary,
// `send-proxy-v2`). I/O-free: the caller reads exactly the bytes next_read() asks for, so no
// byte of the client's own stream (a TLS hello, a request) is read with the header.
//
//   v1: "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n" or "PROXY UNKNOWN ...\r\n", 15..107 bytes
//   v2: 12-byte signature, version/command, family/protocol, 2-byte length, addresses, TLVs
#ifndef HIXIE76_GATEWAY_PROXY_PROTOCOL_HPP
#define HIXIE76_GATEWAY_PROXY_PROTOCOL_HPP

#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gateway::proxy {

inline constexpr std::string_view v2_signature{"\r\n\r\n\0\r\nQUIT\n", 12};
/// The longest v1 line (the protocol's own bound).
inline constexpr std::size_t v1_max = 107;
/// The shortest header of either version: "PROXY UNKNOWN\r\n". Reading this many bytes first
/// never reads past a header.
inline constexpr std::size_t first_read = 15;
/// Largest v2 address block accepted (addresses plus TLVs); HAProxy's TLVs are far smaller.
inline constexpr std::size_t v2_max_body = 2048;

enum class status : std::uint8_t { need_more, complete, failed };

struct result {
    status st = status::need_more;
    /// need_more: how many more bytes to read (exactly; never past the header).
    std::size_t more = 0;
    /// complete: true when the header names a source (TCP over IPv4/IPv6); false for
    /// LOCAL (v2 health checks) and UNKNOWN, where the connection's own peer is the client.
    bool has_source = false;
    std::string source_ip;
    std::uint16_t source_port = 0;
    const char* why = ""; ///< failed: the reason, for the log
};

namespace detail {

inline bool valid_ip(std::string_view text, bool v6) {
    if (text.empty() || text.size() > 45) {
        return false;
    }
    char buf[64] = {};
    text.copy(buf, text.size());
    unsigned char out[16] = {};
    return inet_pton(v6 ? AF_INET6 : AF_INET, buf, out) == 1;
}

inline bool parse_port(std::string_view text, std::uint16_t& out) {
    if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) {
        return false;
    }
    unsigned v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 65535) {
        return false;
    }
    out = static_cast<std::uint16_t>(v);
    return true;
}

inline result fail(const char* why) {
    result r;
    r.st = status::failed;
    r.why = why;
    return r;
}

inline result parse_v1(std::string_view buf) {
    const std::size_t eol = buf.find("\r\n");
    if (eol == std::string_view::npos) {
        if (buf.size() >= v1_max) {
            return fail("PROXY v1 line longer than 107 bytes");
        }
        result r;
        r.more = 1; // the line ends anywhere: one byte at a time never reads past it
        return r;
    }
    if (eol + 2 != buf.size()) {
        return fail("PROXY v1 line malformed");
    }
    std::string_view line = buf.substr(6, eol - 6); // after "PROXY "
    std::string_view parts[5];
    std::size_t n = 0;
    while (!line.empty() && n < 5) {
        const std::size_t sp = line.find(' ');
        parts[n++] = line.substr(0, sp);
        line = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    }
    result r;
    r.st = status::complete;
    if (n >= 1 && parts[0] == "UNKNOWN") {
        return r;
    }
    if (n != 5 || !line.empty() || (parts[0] != "TCP4" && parts[0] != "TCP6")) {
        return fail("PROXY v1 line malformed");
    }
    const bool v6 = parts[0] == "TCP6";
    std::uint16_t dport = 0;
    if (!valid_ip(parts[1], v6) || !valid_ip(parts[2], v6) ||
        !parse_port(parts[3], r.source_port) || !parse_port(parts[4], dport)) {
        return fail("PROXY v1 addresses malformed");
    }
    r.has_source = true;
    r.source_ip = std::string(parts[1]);
    return r;
}

inline result parse_v2(std::string_view buf) {
    if (buf.size() < 16) {
        result r;
        r.more = 16 - buf.size();
        return r;
    }
    const auto byte = [&buf](std::size_t i) { return static_cast<unsigned char>(buf[i]); };
    const std::size_t len = (std::size_t{byte(14)} << 8) | byte(15);
    if ((byte(12) & 0xF0) != 0x20) {
        return fail("PROXY v2 version is not 2");
    }
    if (len > v2_max_body) {
        return fail("PROXY v2 header too long");
    }
    if (buf.size() < 16 + len) {
        result r;
        r.more = 16 + len - buf.size();
        return r;
    }
    const unsigned command = byte(12) & 0x0F;
    const unsigned family = byte(13);
    result r;
    r.st = status::complete;
    if (command == 0) {
        return r; // LOCAL: the balancer's own connection (a health check)
    }
    if (command != 1) {
        return fail("PROXY v2 command unknown");
    }
    char text[64] = {};
    if (family == 0x11) { // TCP over IPv4
        if (len < 12) {
            return fail("PROXY v2 address block too short");
        }
        if (inet_ntop(AF_INET, buf.data() + 16, text, sizeof(text)) == nullptr) {
            return fail("PROXY v2 address malformed");
        }
        r.source_port = static_cast<std::uint16_t>((byte(24) << 8) | byte(25));
    } else if (family == 0x21) { // TCP over IPv6
        if (len < 36) {
            return fail("PROXY v2 address block too short");
        }
        if (inet_ntop(AF_INET6, buf.data() + 16, text, sizeof(text)) == nullptr) {
            return fail("PROXY v2 address malformed");
        }
        r.source_port = static_cast<std::uint16_t>((byte(48) << 8) | byte(49));
    } else {
        return r; // UNSPEC, UDP or UNIX: no TCP source to report
    }
    r.has_source = true;
    r.source_ip = text;
    return r;
}

} // namespace detail

/// Parses the bytes read so far (start with `first_read` of them).
inline result parse(std::string_view buf) {
    if (buf.size() < first_read) {
        result r;
        r.more = first_read - buf.size();
        return r;
    }
    if (buf.substr(0, 12) == v2_signature) {
        return detail::parse_v2(buf);
    }
    if (buf.substr(0, 6) == "PROXY ") {
        return detail::parse_v1(buf);
    }
    return detail::fail("no PROXY protocol header");
}

} // namespace gateway::proxy

#endif // HIXIE76_GATEWAY_PROXY_PROTOCOL_HPP
