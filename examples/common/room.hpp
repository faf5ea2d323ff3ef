// SPDX-License-Identifier: MIT
// examples/common/room.hpp — the chat room's rules, shared by hixie76-chat (poll) and
// hixie76-mixed-room (Asio): who a member is, what the room says, whom it admits and with which
// answer, and how a legacy client's bytes become messages. I/O-free: every function takes
// bytes or a parsed request and returns bytes or a decision; the programs do the sockets.
//
//   join:    everyone, the newcomer included, hears welcome_text(NAME)
//   message: relayed to every member, the sender included, as relay_text(NAME, text), in the
//            order read; is_quit(text) leaves instead
//   leave:   the others hear logout_text(NAME) (quit, the closing handshake, a disconnect or
//            a drop)
#ifndef HIXIE76_EXAMPLES_ROOM_HPP
#define HIXIE76_EXAMPLES_ROOM_HPP

#include "location.hpp"
#include "options.hpp"

#include <hixie76/hixie76.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace hixie76_examples {

// --- who and what -------------------------------------------------------------------------------

/// A member's NAME: `IP:PORT`, or `[IPv6]:PORT`.
inline std::string peer_name(std::string_view ip, std::string_view port) {
    const bool v6 = ip.find(':') != std::string_view::npos;
    std::string name;
    name.reserve(ip.size() + port.size() + 3);
    name += v6 ? "[" : "";
    name += ip;
    name += v6 ? "]:" : ":";
    name += port;
    return name;
}

inline std::string welcome_text(std::string_view name) {
    return "Welcome, " + std::string(name) + " !";
}
inline std::string relay_text(std::string_view name, std::string_view message) {
    std::string out;
    out.reserve(name.size() + 1 + message.size());
    out += name;
    out += ':';
    out += message;
    return out;
}
inline std::string logout_text(std::string_view name) { return std::string(name) + " Logout"; }
/// The message that leaves the room.
constexpr bool is_quit(std::string_view message) noexcept { return message == "quit"; }

// --- HTTP answers -------------------------------------------------------------------------------

/// An HTTP response that closes the connection, as hixie76 writes it.
inline std::string http_response(int status, std::string_view type, std::string_view body) {
    std::string out;
    static_cast<void>(hixie76::append_http_response(status, type, body, out)); // fixed texts
    return out;
}

/// A refusal: its status (for the log), the bytes to send and the reason to log.
struct refusal {
    int status = 0;
    std::string bytes;
    std::string why;
};

/// The refusal hixie76 writes for a handshake error.
inline refusal rejection(hixie76::error e) {
    refusal r;
    r.status = hixie76::suggested_http_status(e);
    r.status = r.status == 0 ? 400 : r.status;
    hixie76::append_rejection(e, r.bytes);
    r.why = std::string(hixie76::to_string(e)) + " (" + std::to_string(r.status) + ")";
    return r;
}

/// The room's own refusal with a status and a one-line body, which is also the reason logged.
inline refusal refuse(int status, std::string_view reason) {
    std::string body(reason);
    body += '\n';
    return {status, http_response(status, "text/plain; charset=utf-8", body),
            std::string(reason) + " (" + std::to_string(status) + ")"};
}

/// A plain GET: the page at `/` (a query allowed), 404 elsewhere.
inline refusal serve_http(std::string_view resource, std::string_view page) {
    if (resource.substr(0, resource.find('?')) == "/") {
        return {200, http_response(200, "text/html; charset=utf-8", page), {}};
    }
    return {404, http_response(404, "text/plain; charset=utf-8", "not found\n"), {}};
}

// --- admission ----------------------------------------------------------------------------------

/// The --origin allow-list: none when `origin` may join, else missing_origin or
/// origin_refused. Without a list every origin (and none) is welcome.
inline hixie76::error check_origin(const server_options& opt, std::string_view origin) {
    if (opt.origins.empty()) {
        return hixie76::error::none;
    }
    if (origin.empty()) {
        return hixie76::error::missing_origin;
    }
    for (const std::string& allowed : opt.origins) {
        if (iequals(allowed, origin)) {
            return hixie76::error::none;
        }
    }
    return hixie76::error::origin_refused;
}

/// The answer to a legacy (draft-76 or draft-75) upgrade whose head is complete.
struct upgrade_answer {
    bool accepted = false;
    /// accepted: the 101 head (draft-76's 16-byte answer follows once key3 is in);
    /// refused: the whole response.
    std::string bytes;
    refusal refused;                                  ///< when !accepted
    hixie76::draft version = hixie76::draft::draft76; ///< when accepted
};

/// Applies the room's policy to `req` (any resource joins the one room): the --origin list,
/// `room_full` (503), the Location's scheme and host (400 for a bad forwarded field); then
/// writes the 101 head, headers first, echoing the requested subprotocol exactly (the
/// library's default; Safari fails the connection otherwise).
inline upgrade_answer answer_upgrade(const server_options& opt, const hixie76::request_parser& req,
                                     bool room_full) {
    upgrade_answer a;
    const hixie76::error origin_error = check_origin(opt, req.origin());
    if (origin_error != hixie76::error::none) {
        a.refused = rejection(origin_error);
        return a;
    }
    if (room_full) {
        a.refused = refuse(503, "the room is full");
        return a;
    }
    const public_location loc = locate(opt.location(), req);
    if (!loc.ok) {
        a.refused = refuse(400, loc.why);
        return a;
    }
    // No Origin (a non-browser client) and no allow-list: answer with the origin of the
    // Location, which is what a same-origin page would have sent.
    const std::string fallback_origin = std::string(loc.secure ? "https://" : "http://") +
                                        std::string(loc.host.empty() ? req.host() : loc.host);
    hixie76::response_options ro;
    ro.secure = loc.secure;
    ro.host = loc.host;
    ro.origin = req.origin().empty() ? std::string_view(fallback_origin) : std::string_view();
    const hixie76::error e = hixie76::append_response_head(req, ro, a.bytes);
    if (e != hixie76::error::none) {
        a.refused = rejection(e);
        return a;
    }
    a.accepted = true;
    a.version = req.version();
    return a;
}

// --- messages in --------------------------------------------------------------------------------

/// A member's frames in: the decoder reads the stream, the assembler bounds each message to
/// --max-message and replaces invalid UTF-8 (never relayed raw to the others).
class message_reader {
public:
    enum class event : unsigned char {
        need_more, ///< every byte given is used
        message,   ///< a whole text message: take() it
        close,     ///< the client's closing handshake (FF 00); ignore what follows
        failed,    ///< a framing error or a message too large: error() says which
    };

    message_reader() = default;
    /// For a member whose handshake `req` completed.
    message_reader(const hixie76::request_parser& req, std::size_t max_message)
        : decoder_(decoder_config(req, max_message)), assembler_(assembler_config(max_message)) {}

    /// Reads from `in` (advancing it) until a message, the close, a failure or the end of
    /// `in`. Frames of other types are discarded (draft-76 §5.3).
    event next(std::string_view& in) {
        while (!in.empty()) {
            const hixie76::frame_event ev = decoder_.next(in);
            in.remove_prefix(ev.consumed);
            switch (ev.kind) {
            case hixie76::frame_kind::need_more:
                return event::need_more;
            case hixie76::frame_kind::text: {
                const hixie76::assemble_result r = assembler_.push(ev);
                if (r.status == hixie76::parse_status::failed) {
                    err_ = r.err;
                    return event::failed;
                }
                if (r.status == hixie76::parse_status::complete) {
                    return event::message;
                }
                break;
            }
            case hixie76::frame_kind::binary:
            case hixie76::frame_kind::skipped:
                break;
            case hixie76::frame_kind::close:
                return event::close;
            case hixie76::frame_kind::failed:
                err_ = ev.err;
                return event::failed;
            }
        }
        return event::need_more;
    }

    /// The message next() reported.
    std::string take() { return assembler_.take(); }
    /// Why next() failed.
    hixie76::error error() const noexcept { return err_; }

private:
    static hixie76::decoder_config decoder_config(const hixie76::request_parser& req,
                                                  std::size_t max) {
        hixie76::decoder_config dc;
        dc.max_frame_size = max;
        return hixie76::decoder_config_for(req, dc);
    }
    static hixie76::assembler_config assembler_config(std::size_t max) {
        hixie76::assembler_config ac;
        ac.max_message_size = max;
        ac.utf8 = hixie76::utf8_policy::replace;
        return ac;
    }

    hixie76::frame_decoder decoder_{};
    hixie76::message_assembler assembler_{};
    hixie76::error err_ = hixie76::error::none;
};

} // namespace hixie76_examples

#endif // HIXIE76_EXAMPLES_ROOM_HPP
