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

#include "../common/options.hpp"

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
            if (port.empty()) {
                why = "empty port";
                return false;
            }
        }
    } else {
        const std::size_t colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) {
                why = "empty port";
                return false;
            }
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

/// The shared server options (examples/common/options.hpp: --bind, --port, --origin,
/// --max-clients, --max-message, --max-queue, --handshake-timeout, --public-scheme,
/// --public-host, --trust-forwarded, --client-keepalive, --keepalive-text) and the gateway's own.
struct options : hixie76_examples::server_options {
    options() : server_options(19890) { max_clients = 1024; }

    std::string upstream_text;
    upstream_url upstream;
    std::string tls_cert; ///< PEM chain; with tls_key, the port speaks TLS only
    std::string tls_key;
    int tls_min = 12; ///< 10, 11 or 12: TLS 1.0, 1.1 or 1.2
    bool proxy_protocol = false;
    milliseconds upstream_timeout{10000}; ///< from the request to the upstream's 101
    binary_policy binary = binary_policy::drop;
    milliseconds upstream_ping{0}; ///< 0: off

    bool tls() const noexcept { return !tls_cert.empty(); }
    /// The scheme the clients see: TLS here, or a terminator in front (--public-scheme wss).
    bool public_secure() const noexcept {
        return public_scheme.empty() ? tls() : public_scheme == "wss";
    }
};

inline std::string usage_text() {
    std::string u =
        "usage: hixie76-gateway --upstream ws://HOST[:PORT][/PREFIX] | wss://...  [options]\n"
        "\n"
        "Serves legacy WebSocket clients (draft-hixie-76 / hybi-00 and draft-75: 2011-2014 smart\n"
        "TVs, set-top boxes, iOS 4-5, QtWebKit) in front of an RFC 6455 backend: one upstream\n"
        "RFC 6455 connection per client, text relayed both ways in order. RFC 6455 clients\n"
        "reaching the same port are proxied to the upstream unchanged. GET /metrics answers\n"
        "Prometheus text.\n"
        "\n"
        "options:\n"
        "  --upstream URL            the RFC 6455 backend (required); the client's resource (path\n"
        "                            and query) is appended to PREFIX. wss:// verifies the\n"
        "                            server's certificate against the system CAs (SSL_CERT_FILE\n"
        "                            overrides)\n";
    u += hixie76_examples::help_listen(19890);
    u += "  --tls-cert PEM            serve TLS with this certificate chain (needs --tls-key); RSA\n"
         "                            works, SNI is not needed\n"
         "  --tls-key PEM             the certificate's private key\n"
         "  --tls-min 1.0|1.1|1.2     oldest TLS version accepted (default 1.2). 1.0 and 1.1 lower\n"
         "                            OpenSSL's security level to 0 for this port only: SHA-1,\n"
         "                            short keys and the old CBC suites become acceptable there,\n"
         "                            which is what 2011-2014 devices need; current clients still\n"
         "                            negotiate TLS 1.2+ as before\n"
         "  --proxy-protocol          every connection starts with a PROXY v1 or v2 header\n"
         "                            (HAProxy send-proxy / send-proxy-v2); its source address is\n"
         "                            the client's. Connections without a valid header are closed\n";
    u += hixie76_examples::help_public;
    u += "                            (with --tls-cert the default scheme is wss)\n";
    u += hixie76_examples::help_origin;
    u += "  --max-clients N           client connections relayed at once (default 1024); more get\n"
         "                            503\n"
         "  --max-message BYTES       largest message either way (default 65536); a larger one\n"
         "                            closes that connection only\n"
         "  --max-queue BYTES         unsent bytes allowed per direction and connection (default\n"
         "                            1048576); a side that stops reading is closed once it has more\n"
         "  --handshake-timeout SECS  time a client has to send its request, and key3 (default 10)\n"
         "  --upstream-timeout SECS   time the upstream has to answer the handshake (default 10);\n"
         "                            then the client gets 504\n"
         "  --binary drop|base64|close  upstream binary messages: dropped (default; counted, logged\n"
         "                            once per connection), sent as base64 text, or the connection\n"
         "                            is closed\n";
    u += hixie76_examples::help_keepalive;
    u += "  --upstream-ping SECS      ping the upstream when it has been silent this long (default\n"
         "                            off); no byte back within another SECS closes the connection\n"
         "  --help                    show this text\n"
         "\n"
         "Prints \"listening on ADDR:PORT\" on stdout when ready; logs one line per connection at\n"
         "open and at close on stderr. SIGINT/SIGTERM: closes every connection (FF 00 to draft-76\n"
         "clients, close 1001 upstream) and exits 0.\n";
    return u;
}

/// Parses the command line; returns -1 to go on, else the exit status (after printing).
inline int parse_options(int argc, char** argv, options& opt) {
    using hixie76_examples::option_result;
    const char* const me = "hixie76-gateway";
    std::string why;
    const auto own = [&opt, &why](hixie76_examples::arg_reader& args) {
        const std::string_view arg = args.option();
        if (arg == "--proxy-protocol") { // no value
            opt.proxy_protocol = true;
            return option_result::ok;
        }
        bool ok = true;
        if (arg == "--upstream") {
            const char* v = args.value();
            ok = v != nullptr && parse_upstream_url(v, opt.upstream, why);
            opt.upstream_text = ok ? v : "";
        } else if (arg == "--tls-cert" || arg == "--tls-key") {
            const char* v = args.value();
            ok = v != nullptr && *v != '\0';
            (arg == "--tls-cert" ? opt.tls_cert : opt.tls_key) = ok ? v : "";
        } else if (arg == "--tls-min") {
            const char* v = args.value();
            const std::string_view t = v == nullptr ? "" : v;
            ok = t == "1.0" || t == "1.1" || t == "1.2";
            opt.tls_min = t == "1.0" ? 10 : t == "1.1" ? 11 : 12;
        } else if (arg == "--upstream-timeout") {
            ok = hixie76_examples::parse_seconds(args.value(), opt.upstream_timeout);
        } else if (arg == "--binary") {
            const char* v = args.value();
            const std::string_view t = v == nullptr ? "" : v;
            ok = t == "drop" || t == "base64" || t == "close";
            opt.binary = t == "base64"  ? binary_policy::base64
                         : t == "close" ? binary_policy::close
                                        : binary_policy::drop;
        } else if (arg == "--upstream-ping") {
            ok = hixie76_examples::parse_seconds(args.value(), opt.upstream_ping);
        } else {
            return option_result::not_mine;
        }
        return ok ? option_result::ok : option_result::bad_value;
    };
    const std::string usage = usage_text();
    hixie76_examples::parse_outcome r =
        hixie76_examples::parse_command_line(argc, argv, me, usage, opt, own);
    const std::size_t hint = r.message.rfind(" (try --help)");
    if (r.exit_status == 2 && !why.empty() && hint != std::string::npos) {
        r.message.insert(hint, ": " + why);
    }
    if (r.exit_status >= 0) {
        std::fputs(r.message.c_str(), r.exit_status == 0 ? stdout : stderr);
        return r.exit_status;
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
