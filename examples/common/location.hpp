// SPDX-License-Identifier: MIT
// examples/common/location.hpp — the scheme and host a server puts in the Location it answers
// (`Sec-WebSocket-Location` in draft-76, `WebSocket-Location` in draft-75), for servers that
// may stand behind a TLS terminator or a reverse proxy. I/O-free; shared by the example
// servers.
//
// The client compares the Location with the URL it opened, scheme and host included
// (draft-76 §4.1 step 38, draft-75 §4.1): behind a TLS terminator the client opened wss://,
// behind a proxy it opened the proxy's host. The server learns them from its command line
// (--public-scheme, --public-host) or, only when told to trust its proxy (--trust-forwarded),
// from `X-Forwarded-Proto` and `X-Forwarded-Host`. Anything that reaches the Location is
// checked first: a client must not be able to write junk into a response field.
#ifndef HIXIE76_EXAMPLES_LOCATION_HPP
#define HIXIE76_EXAMPLES_LOCATION_HPP

#include <hixie76/hixie76.hpp>

#include <cstddef>
#include <string_view>

namespace hixie76_examples {

/// ASCII case-insensitive equality.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
        if (x != y) {
            return false;
        }
    }
    return true;
}

/// Longest host[:port] accepted: a DNS name (253) plus a port.
inline constexpr std::size_t max_host_size = 253 + 6;

/// True for `host[:port]` as a URL's authority may carry it, without user info: a name of
/// letters, digits, `-`, `.`, `_` and `~` (RFC 3986 reg-name without percent-encoding or
/// sub-delims), or an IPv6 literal in brackets; then optionally `:` and a port 1–65535.
constexpr bool valid_host(std::string_view s) noexcept {
    if (s.empty() || s.size() > max_host_size) {
        return false;
    }
    std::size_t i = 0;
    if (s[0] == '[') { // IP-literal: hex digits, ':' and '.' (an embedded IPv4) inside brackets
        const std::size_t close = s.find(']');
        if (close == std::string_view::npos || close < 3) {
            return false;
        }
        for (i = 1; i < close; ++i) {
            const char c = s[i];
            const bool hex =
                (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != ':' && c != '.') {
                return false;
            }
        }
        i = close + 1;
    } else {
        for (; i < s.size() && s[i] != ':'; ++i) {
            const char c = s[i];
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
            if (!ok) {
                return false;
            }
        }
        if (i == 0) {
            return false;
        }
    }
    if (i == s.size()) {
        return true;
    }
    if (s[i] != ':' || s.size() - i < 2 || s.size() - i > 6) {
        return false;
    }
    unsigned long port = 0;
    for (++i; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        port = port * 10 + static_cast<unsigned long>(s[i] - '0');
    }
    return port >= 1 && port <= 65535;
}

/// The public side of the server, from the command line.
struct public_config {
    std::string_view scheme{};    ///< "ws", "wss", or empty (ws)
    std::string_view host{};      ///< `host[:port]`; empty: the request's Host
    bool trust_forwarded = false; ///< read X-Forwarded-Proto / X-Forwarded-Host
};

/// Where a legacy client must be told it is connected.
struct public_location {
    bool ok = true;          ///< false: refuse the request with 400 (`why` says why)
    bool secure = false;     ///< wss://
    std::string_view host{}; ///< for response_options::host; empty: the request's Host
    std::string_view why{};  ///< when !ok, for the log
};

/// The Location's scheme and host for `req`: the forwarded fields when trusted and present,
/// else the configured ones, else ws:// and the request's Host. A forwarded field that is
/// repeated, not one of http/https/ws/wss (proto) or not a valid host (host) is refused.
/// **Lifetime** `host` views `cfg` or the request's buffer.
constexpr public_location locate(const public_config& cfg,
                                 const hixie76::request_parser& req) noexcept {
    public_location loc;
    loc.secure = cfg.scheme == "wss";
    loc.host = cfg.host;
    if (!cfg.trust_forwarded) {
        return loc;
    }
    bool seen_proto = false;
    bool seen_host = false;
    for (std::size_t i = 0; i < req.field_count(); ++i) {
        const hixie76::header_field f = req.field(i);
        if (iequals(f.name, "X-Forwarded-Proto")) {
            if (seen_proto) {
                return {false, false, {}, "X-Forwarded-Proto repeated"};
            }
            seen_proto = true;
            if (iequals(f.value, "https") || iequals(f.value, "wss")) {
                loc.secure = true;
            } else if (iequals(f.value, "http") || iequals(f.value, "ws")) {
                loc.secure = false;
            } else {
                return {false, false, {}, "X-Forwarded-Proto is not http, https, ws or wss"};
            }
        } else if (iequals(f.name, "X-Forwarded-Host")) {
            if (seen_host) {
                return {false, false, {}, "X-Forwarded-Host repeated"};
            }
            seen_host = true;
            if (!valid_host(f.value)) {
                return {false, false, {}, "X-Forwarded-Host is not a valid host[:port]"};
            }
            loc.host = f.value;
        }
    }
    return loc;
}

} // namespace hixie76_examples

#endif // HIXIE76_EXAMPLES_LOCATION_HPP
