// SPDX-License-Identifier: MIT
// examples/common/options.hpp — the command-line options the example servers share
// (hixie76-chat, hixie76-mixed-room, hixie76-gateway): the same names, defaults, checks and
// --help lines in each. I/O-free: parsing returns what to print, the program prints it.
//
//   hixie76_examples::server_options opt(19887); // the program's default port
//   const auto r = hixie76_examples::parse_command_line(argc, argv, "hixie76-chat", usage, opt,
//       [&](hixie76_examples::arg_reader& args) { ...; return option_result::not_mine; });
//   if (r.exit_status >= 0) {  // --help (0: r.message is the usage, for stdout) or an error
//       std::fputs(r.message.c_str(), r.exit_status == 0 ? stdout : stderr);  // (2)
//       return r.exit_status;
//   }
#ifndef HIXIE76_EXAMPLES_OPTIONS_HPP
#define HIXIE76_EXAMPLES_OPTIONS_HPP

#include "location.hpp"

#include <hixie76/hixie76.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hixie76_examples {

using std::chrono::milliseconds;

/// What every example server is told on its command line.
struct server_options {
    explicit server_options(std::uint16_t default_port = 0) : port(default_port) {}

    std::string bind = "127.0.0.1";
    std::uint16_t port;
    std::vector<std::string> origins;      ///< allow-list; empty: any origin
    std::size_t max_clients = 256;         ///< members of the room at once
    std::size_t max_message = 64 * 1024;   ///< largest incoming message, in bytes
    std::size_t max_queue = 1024 * 1024;   ///< unsent bytes per client before it is dropped
    milliseconds handshake_timeout{10000}; ///< from accept to the end of the handshake
    std::string public_scheme;             ///< "ws", "wss", or empty (ws)
    std::string public_host;               ///< `host[:port]` for the Location; empty: Host
    bool trust_forwarded = false;          ///< take them from X-Forwarded-Proto/-Host
    milliseconds client_keepalive{0};      ///< idle time before a keepalive frame; 0: off
    std::string keepalive_text;            ///< the keepalive frame's text

    /// The Location settings, for locate(). **Lifetime** views this object.
    public_config location() const noexcept {
        return {public_scheme, public_host, trust_forwarded};
    }
};

/// A decimal count up to 2^40.
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

/// Seconds, with decimals, above 0 and up to a day; rounded to milliseconds (at least 1).
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

/// Walks argv: the current option, and its value when it takes one.
class arg_reader {
public:
    arg_reader(int argc, const char* const* argv) noexcept : argc_(argc), argv_(argv) {}
    bool done() const noexcept { return i_ >= argc_; }
    /// The current argument.
    std::string_view option() const noexcept { return argv_[i_]; }
    /// Takes the next argument as the current option's value; nullptr when there is none.
    const char* value() noexcept {
        if (i_ + 1 >= argc_) {
            return nullptr;
        }
        ++i_;
        return argv_[i_];
    }
    void next() noexcept { ++i_; }

private:
    int argc_;
    const char* const* argv_;
    int i_ = 1;
};

enum class option_result : std::uint8_t {
    not_mine,  ///< not an option this parser knows
    ok,        ///< taken (with its value, if any)
    bad_value, ///< known, but its value is missing or invalid
};

/// Parses the current option if it is one of server_options'.
inline option_result parse_server_option(arg_reader& args, server_options& opt) {
    const std::string_view arg = args.option();
    if (arg == "--trust-forwarded") { // the only one without a value
        opt.trust_forwarded = true;
        return option_result::ok;
    }
    bool ok = true;
    const auto take = [&args]() { return args.value(); };
    if (arg == "--bind") {
        const char* v = take();
        ok = v != nullptr && *v != '\0';
        opt.bind = ok ? v : "";
    } else if (arg == "--port") {
        std::size_t port = 0;
        ok = parse_size(take(), port) && port <= 65535;
        opt.port = static_cast<std::uint16_t>(port);
    } else if (arg == "--origin") {
        const char* v = take();
        ok = v != nullptr && *v != '\0';
        if (ok) {
            opt.origins.emplace_back(v);
        }
    } else if (arg == "--max-clients") {
        ok = parse_size(take(), opt.max_clients) && opt.max_clients > 0;
    } else if (arg == "--max-message") {
        ok = parse_size(take(), opt.max_message) && opt.max_message > 0;
    } else if (arg == "--max-queue") {
        ok = parse_size(take(), opt.max_queue) && opt.max_queue > 0;
    } else if (arg == "--handshake-timeout") {
        ok = parse_seconds(take(), opt.handshake_timeout);
    } else if (arg == "--public-scheme") {
        const char* v = take();
        ok = v != nullptr && (std::string_view(v) == "ws" || std::string_view(v) == "wss");
        opt.public_scheme = ok ? v : "";
    } else if (arg == "--public-host") {
        const char* v = take();
        ok = v != nullptr && valid_host(v);
        opt.public_host = ok ? v : "";
    } else if (arg == "--client-keepalive") {
        ok = parse_seconds(take(), opt.client_keepalive);
    } else if (arg == "--keepalive-text") {
        // Sent to every idle client as a text frame: valid UTF-8, so never 0xFF.
        const char* v = take();
        ok = v != nullptr &&
             hixie76::frame_text(v, hixie76::utf8_check::reject).err == hixie76::error::none;
        opt.keepalive_text = ok ? v : "";
    } else {
        return option_result::not_mine;
    }
    return ok ? option_result::ok : option_result::bad_value;
}

/// What parse_command_line() decided.
struct parse_outcome {
    int exit_status = -1; ///< -1: run; 0: --help; 2: a bad command line
    std::string message;  ///< 0: the usage, for stdout; 2: one line for stderr (with its \n)
};

/// Parses the whole command line: `--help`/`-h` (answered with `usage`), the shared options,
/// then `own(args)` (an `option_result(arg_reader&)`) for the program's own options.
template <class Own>
parse_outcome parse_command_line(int argc, const char* const* argv, std::string_view program,
                                 std::string_view usage, server_options& opt, Own&& own) {
    for (arg_reader args(argc, argv); !args.done(); args.next()) {
        const std::string_view arg = args.option();
        if (arg == "--help" || arg == "-h") {
            return {0, std::string(usage)};
        }
        option_result r = parse_server_option(args, opt);
        if (r == option_result::not_mine) {
            r = own(args);
        }
        if (r == option_result::not_mine) {
            return {2, std::string(program) + ": unknown option '" + std::string(arg) +
                           "' (try --help)\n"};
        }
        if (r == option_result::bad_value) {
            return {2, std::string(program) + ": " + std::string(arg) +
                           " needs a valid value (try --help)\n"};
        }
    }
    return {};
}

/// parse_command_line() for a program with no options of its own.
inline parse_outcome parse_command_line(int argc, const char* const* argv, std::string_view program,
                                        std::string_view usage, server_options& opt) {
    return parse_command_line(argc, argv, program, usage, opt,
                              [](arg_reader&) { return option_result::not_mine; });
}

// --- --help lines, in the order the programs print them ----------------------------------------
// help_server() is all of them; a program with options of its own may interleave the pieces.

/// `--bind` and `--port`, with the program's default port.
inline std::string help_listen(std::uint16_t default_port) {
    return "  --bind ADDR               address to listen on (default 127.0.0.1)\n"
           "  --port N                  port to listen on (default " +
           std::to_string(default_port) + "; 0 picks a free one)\n";
}

inline constexpr std::string_view help_origin =
    "  --origin URL              allow this Origin (repeatable); others get 403, and a request\n"
    "                            without Origin gets 400. Default: any origin; a legacy request\n"
    "                            without Origin (a non-browser client) is answered with the\n"
    "                            origin of its own Location (http://HOST or https://HOST)\n";

inline constexpr std::string_view help_limits =
    "  --max-clients N           most members at once (default 256); more get 503\n"
    "  --max-message BYTES       largest incoming message (default 65536); a client that sends\n"
    "                            a larger one is disconnected\n"
    "  --handshake-timeout SECS  time allowed to finish the opening handshake (default 10)\n"
    "  --max-queue BYTES         unsent bytes allowed per client (default 1048576); a client that\n"
    "                            stops reading is disconnected once it has more, the others are\n"
    "                            unaffected\n";

inline constexpr std::string_view help_public =
    "  --public-scheme ws|wss    the scheme of the Location the legacy client is told (default\n"
    "                            ws); wss when a TLS terminator stands in front\n"
    "  --public-host HOST[:PORT] the host of that Location (default: the request's Host), when\n"
    "                            a proxy in front is reached under another name or port\n"
    "  --trust-forwarded         take them from X-Forwarded-Proto (http, https, ws, wss) and\n"
    "                            X-Forwarded-Host when a request has them; only behind a proxy\n"
    "                            that sets both, since a client could send its own. A repeated\n"
    "                            or invalid one gets 400\n";

inline constexpr std::string_view help_keepalive =
    "  --client-keepalive SECS   send a text frame to a legacy client after SECS without\n"
    "                            sending it anything (default: off). The protocol has no ping;\n"
    "                            this keeps proxies and load balancers from closing idle\n"
    "                            connections (they often do after 60 s)\n"
    "  --keepalive-text TEXT     that frame's text (default empty; the page's script gets an\n"
    "                            empty message, which a length frame would turn into an error)\n";

/// Every line above, for `--bind` to `--keepalive-text`.
inline std::string help_server(std::uint16_t default_port) {
    std::string help = help_listen(default_port);
    help += help_origin;
    help += help_limits;
    help += help_public;
    help += help_keepalive;
    return help;
}

} // namespace hixie76_examples

#endif // HIXIE76_EXAMPLES_OPTIONS_HPP
