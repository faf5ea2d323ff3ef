// SPDX-License-Identifier: MIT
// examples/gateway/options.hpp — the command line of hixie76-gateway: the options, their
// defaults, --help, and the parsing of the upstream URL. No I/O besides stdout/stderr.
#ifndef HIXIE76_GATEWAY_OPTIONS_HPP
#define HIXIE76_GATEWAY_OPTIONS_HPP

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace gateway {

using milliseconds = std::chrono::milliseconds;

/// Where the RFC 6455 connections go: ws://HOST[:PORT][/PREFIX] or wss://...
struct upstream_url {
    bool secure = false;
    std::string host; ///< without brackets for IPv6
    std::string port; ///< digits
    std::string prefix; ///< path prefix, without a trailing '/'; empty for none
    /// The `Host` field for the upstream: host, plus :port when it is not the scheme's.
    std::string host_field;

    /// The upstream target for a client's resource (path and query): the prefix, then the
    /// resource.
    std::string target(std::string_view resource) const {
        std::string t = prefix;
        t.append(resource.data(), resource.size());
        return t.empty() ? std::string("/") : t;
    }
};

/// Parses `ws://HOST[:PORT][/PREFIX]` or `wss://…`; false with `why` set on error.
inline bool parse_upstream_url(std::string_view text, upstream_url& out, std::string& why) {
    upstream_url u;
    if (text.substr(0, 5) == "ws://") {
        text.remove_prefix(5);
    } else if (text.substr(0, 6) == "wss://") {
        u.secure = true;
        text.remove_prefix(6);
    } else {
        why = "the scheme must be ws:// or wss://";
        return false;
    }
    const std::size_t slash = text.find('/');
    std::string_view authority = text.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view() : text.substr(slash);
    if (path.find_first_of("?# \t") != std::string_view::npos) {
        why = "the prefix may hold no query, fragment or space";
        return false;
    }
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            why = "unterminated [IPv6 address]";
            return false;
        }
        u.host = std::string(authority.substr(1, close - 1));
        const std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                why = "junk after ]";
                return false;
            }
            port = rest.substr(1);
        }
    } else {
        const std::size_t colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
        }
    }
    if (u.host.empty() || u.host.find_first_of("@ \t") != std::string::npos) {
        why = "no valid host";
        return false;
    }
    const char* default_port = u.secure ? "443" : "80";
    if (port.empty()) {
        u.port = default_port;
    } else {
        unsigned long v = 0;
        for (const char c : port) {
            if (c < '0' || c > '9' || v > 65535) {
                why = "the port must be a number from 1 to 65535";
                return false;
            }
            v = v * 10 + static_cast<unsigned long>(c - '0');
        }
        if (v == 0 || v > 65535) {
            why = "the port must be a number from 1 to 65535";
            return false;
        }
        u.port = std::to_string(v);
    }
    while (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    u.prefix = std::string(path);
    const bool v6 = u.host.find(':') != std::string::npos;
    u.host_field = v6 ? "[" + u.host + "]" : u.host;
    if (u.port != default_port) {
        u.host_field += ":" + u.port;
    }
    out = std::move(u);
    return true;
}

/// What to do with an upstream binary message (a legacy client cannot receive one).
enum class binary_policy : std::uint8_t { drop, base64, close };

struct options {
    std::string upstream_text;
    upstream_url upstream;
    std::string bind = "127.0.0.1";
    std::uint16_t port = 19890;
    std::string tls_cert; ///< PEM chain; with tls_key, the port speaks TLS only
    std::string tls_key;
    int tls_min = 12; ///< 10, 11 or 12: TLS 1.0, 1.1 or 1.2
    bool proxy_protocol = false;
    std::string public_scheme; ///< "", "ws" or "wss"
    std::string public_host;
    std::vector<std::string> origins;      ///< allow-list; empty: any origin
    std::size_t max_clients = 1024;        ///< client connections relayed at once
    std::size_t max_message = 64 * 1024;   ///< largest message, each way, in bytes
    std::size_t max_queue = 1024 * 1024;   ///< unsent bytes per direction per connection
    milliseconds handshake_timeout{10000}; ///< from accept to the end of the request
    milliseconds upstream_timeout{10000};  ///< from the request to the upstream's 101
    binary_policy binary = binary_policy::drop;
    milliseconds client_keepalive{0}; ///< 0: off
    std::string keepalive_text;
    milliseconds upstream_ping{0}; ///< 0: off

    bool tls() const noexcept { return !tls_cert.empty(); }
    /// The scheme the clients see: TLS here, or a terminator in front (--public-scheme wss).
    bool public_secure() const noexcept {
        return public_scheme.empty() ? tls() : public_scheme == "wss";
    }
};

inline constexpr std::string_view usage_text =
    R"(usage: hixie76-gateway --upstream ws://HOST[:PORT][/PREFIX] | wss://...  [options]

Serves legacy WebSocket clients (draft-hixie-76 / hybi-00 and draft-75: 2011-2014 smart TVs,
set-top boxes, iOS 4-5, QtWebKit) in front of an RFC 6455 backend: one upstream RFC 6455
connection per client, text relayed both ways in order. RFC 6455 clients reaching the same
port are proxied to the upstream unchanged. GET /metrics answers Prometheus text.

options:
  --upstream URL            the RFC 6455 backend (required); the client's resource (path and
                            query) is appended to PREFIX. wss:// verifies the server's
                            certificate against the system CAs (SSL_CERT_FILE overrides)
  --bind ADDR               address to listen on (default 127.0.0.1)
  --port N                  port to listen on (default 19890; 0 picks a free one)
  --tls-cert PEM            serve TLS with this certificate chain (needs --tls-key); RSA works,
                            SNI is not needed
  --tls-key PEM             the certificate's private key
  --tls-min 1.0|1.1|1.2     oldest TLS version accepted (default 1.2). 1.0 and 1.1 lower
                            OpenSSL's security level to 0 for this port only: SHA-1 and
                            other weak primitives become acceptable there, which is what
                            2011-2014 devices need and what a current client never uses
  --proxy-protocol          every connection starts with a PROXY v1 or v2 header (HAProxy
                            send-proxy / send-proxy-v2); its source address is the client's.
                            Connections without a valid header are closed
  --public-scheme ws|wss    the scheme clients use (default: wss with --tls-cert, else ws);
                            wss behind a TLS terminator
  --public-host HOST[:PORT] the host in the location (default: the request's Host)
  --origin URL              allow this Origin (repeatable); others get 403, and a request
                            without Origin gets 400. Default: any origin; a legacy request
                            without Origin is answered with http://HOST (its own Host)
  --max-clients N           client connections relayed at once (default 1024); more get 503
  --max-message BYTES       largest message either way (default 65536); a larger one closes
                            that connection only
  --max-queue BYTES         unsent bytes allowed per direction and connection (default
                            1048576); a side that stops reading is closed once it has more
  --handshake-timeout SECS  time a client has to send its request, and key3 (default 10)
  --upstream-timeout SECS   time the upstream has to answer the handshake (default 10); then
                            the client gets 504
  --binary drop|base64|close  upstream binary messages: dropped (default; counted, logged
                            once per connection), sent as base64 text, or the connection
                            is closed
  --client-keepalive SECS   send a text message to a legacy client idle this long (default
                            off): the legacy protocol has no ping
  --keepalive-text TEXT     the keepalive message (default empty: an empty text frame)
  --upstream-ping SECS      ping the upstream when it has been silent this long (default
                            off); no answer within another SECS closes the connection
  --help                    show this text

Prints "listening on ADDR:PORT" on stdout when ready; logs one line per connection at open
and at close on stderr. SIGINT/SIGTERM: closes every connection (FF 00 to draft-76 clients,
close 1001 upstream) and exits 0.
)";

inline bool parse_size(const char* text, std::size_t& out) {
    if (text == nullptr || *text < '0' || *text > '9') {
        return false;
    }
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > (std::size_t{1} << 40)) {
        return false;
    }
    out = static_cast<std::size_t>(v);
    return true;
}

inline bool parse_seconds(const char* text, milliseconds& out) {
    if (text == nullptr || ((*text < '0' || *text > '9') && *text != '.')) {
        return false;
    }
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(text, &end);
    if (errno != 0 || *end != '\0' || !(v > 0.0) || v > 86400.0) {
        return false;
    }
    out = milliseconds(static_cast<long long>(v * 1000.0 + 0.5));
    if (out.count() == 0) {
        out = milliseconds(1);
    }
    return true;
}

/// Parses the command line; returns -1 to go on, else the exit status.
inline int parse_options(int argc, char** argv, options& opt) {
    const char* const me = "hixie76-gateway";
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage_text.data(), stdout);
            return 0;
        }
        if (arg == "--proxy-protocol") {
            opt.proxy_protocol = true;
            continue;
        }
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        ++i;
        bool ok = value != nullptr;
        std::string why;
        if (!ok) {
        } else if (arg == "--upstream") {
            opt.upstream_text = value;
            ok = parse_upstream_url(value, opt.upstream, why);
        } else if (arg == "--bind") {
            opt.bind = value;
        } else if (arg == "--port") {
            std::size_t port = 0;
            ok = parse_size(value, port) && port <= 65535;
            opt.port = static_cast<std::uint16_t>(port);
        } else if (arg == "--tls-cert") {
            opt.tls_cert = value;
        } else if (arg == "--tls-key") {
            opt.tls_key = value;
        } else if (arg == "--tls-min") {
            const std::string_view v = value;
            ok = v == "1.0" || v == "1.1" || v == "1.2";
            opt.tls_min = v == "1.0" ? 10 : v == "1.1" ? 11 : 12;
        } else if (arg == "--public-scheme") {
            opt.public_scheme = value;
            ok = opt.public_scheme == "ws" || opt.public_scheme == "wss";
        } else if (arg == "--public-host") {
            opt.public_host = value;
            ok = !opt.public_host.empty() &&
                 opt.public_host.find_first_of("/ \t\r\n") == std::string::npos;
        } else if (arg == "--origin") {
            opt.origins.emplace_back(value);
        } else if (arg == "--max-clients") {
            ok = parse_size(value, opt.max_clients) && opt.max_clients > 0;
        } else if (arg == "--max-message") {
            ok = parse_size(value, opt.max_message) && opt.max_message > 0;
        } else if (arg == "--max-queue") {
            ok = parse_size(value, opt.max_queue) && opt.max_queue > 0;
        } else if (arg == "--handshake-timeout") {
            ok = parse_seconds(value, opt.handshake_timeout);
        } else if (arg == "--upstream-timeout") {
            ok = parse_seconds(value, opt.upstream_timeout);
        } else if (arg == "--binary") {
            const std::string_view v = value;
            ok = v == "drop" || v == "base64" || v == "close";
            opt.binary = v == "base64"  ? binary_policy::base64
                         : v == "close" ? binary_policy::close
                                        : binary_policy::drop;
        } else if (arg == "--client-keepalive") {
            ok = parse_seconds(value, opt.client_keepalive);
        } else if (arg == "--keepalive-text") {
            opt.keepalive_text = value;
        } else if (arg == "--upstream-ping") {
            ok = parse_seconds(value, opt.upstream_ping);
        } else {
            std::fprintf(stderr, "%s: unknown option '%s' (try --help)\n", me, argv[i - 1]);
            return 2;
        }
        if (!ok) {
            std::fprintf(stderr, "%s: %s needs a valid value%s%s (try --help)\n", me,
                         argv[i - 1], why.empty() ? "" : ": ", why.c_str());
            return 2;
        }
    }
    if (opt.upstream_text.empty()) {
        std::fprintf(stderr, "%s: --upstream ws://HOST[:PORT][/PREFIX] is required (try --help)\n",
                     me);
        return 2;
    }
    if (opt.tls_cert.empty() != opt.tls_key.empty()) {
        std::fprintf(stderr, "%s: --tls-cert and --tls-key go together (try --help)\n", me);
        return 2;
    }
    if (opt.tls_min != 12 && !opt.tls()) {
        std::fprintf(stderr, "%s: --tls-min needs --tls-cert and --tls-key (try --help)\n", me);
        return 2;
    }
    return -1;
}

} // namespace gateway

#endif // HIXIE76_GATEWAY_OPTIONS_HPP
