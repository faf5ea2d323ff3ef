// SPDX-License-Identifier: MIT
// examples/gateway/legacy_session.hpp — one client connection as it starts, and as it stays
// when it speaks draft-76 / draft-75: the hixie76 side of the gateway.
//
//   read ─► request_parser::parse(bytes so far)
//             ├─ GET /metrics (dialect::http)  → Prometheus text, close; other paths: 404
//             ├─ RFC 6455 (failed, rfc6455_request) → hand-off to a modern_session
//             ├─ failed                        → the library's rejection, close
//             └─ draft-76 / draft-75 head      → policy (origin, --max-clients), then the
//                                                upstream handshake
//   upstream 101 ─► the legacy 101 head at once (headers first: key3 may still be out)
//                   ─► the 16-byte answer once key3 is in ─► open: frames both ways
//   upstream 4xx ─► that status; unreachable ─► 502; no answer in time ─► 504
//
// Open: client frames go through frame_decoder and message_assembler (invalid UTF-8 replaced
// by U+FFFD, the library's default), each message is one upstream text message; each upstream
// text message is one text frame to the client. Closing: the client's FF 00 → FF 00 back and
// upstream close 1000; the client gone → upstream close 1001; the upstream closed or gone →
// FF 00 (draft-76) and TCP close.
#ifndef HIXIE76_GATEWAY_LEGACY_SESSION_HPP
#define HIXIE76_GATEWAY_LEGACY_SESSION_HPP

#include "client_session.hpp"
#include "modern_session.hpp"

#include "../common/deadline.hpp"
#include "../common/write_queue.hpp"

#include <boost/asio/steady_timer.hpp>

#include <array>
#include <optional>
#include <string>

namespace gateway {

/// Standard base64 (RFC 4648 §4, with padding), for --binary base64.
inline std::string base64(std::string_view in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto b = [&in](std::size_t k) {
        return static_cast<unsigned>(static_cast<unsigned char>(in[k]));
    };
    for (; i + 3 <= in.size(); i += 3) {
        const unsigned v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (in.size() - i == 1) {
        const unsigned v = b(i) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (in.size() - i == 2) {
        const unsigned v = (b(i) << 16) | (b(i + 1) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

template <class Stream> class legacy_session final : public client_session {
    static constexpr bool over_tls = !std::is_same_v<Stream, tcp::socket>;

public:
    legacy_session(server_base& srv, Stream stream, client_id who)
        : client_session(srv, std::move(who)), stream_(std::move(stream)), deadline_(srv.context()),
          keepalive_(srv.context()),
          out_(stream_, [this](const error_code& ec) { on_written(ec); }) {}

    void start() {
        set_deadline(srv_.opt().handshake_timeout);
        read();
    }

    void shut_down() override {
        if (state_ == phase::open || state_ == phase::key3) {
            end("gateway shutting down", websocket::close_code::going_away);
        } else if (state_ != phase::flushing && state_ != phase::lingering) {
            if (close_reason_.empty()) {
                close_reason_ = "gateway shutting down";
            }
            die();
        }
    }

    // --- upstream events ---------------------------------------------------------------------

    /// The upstream said 101: the legacy 101 head goes out at once, the 16-byte answer once
    /// key3 is in.
    void answer_client(const std::string& protocol) override {
        const hixie76::request_parser& req = parser_;
        const std::string_view wanted = req.protocol();
        if (!wanted.empty() && protocol != wanted) {
            up_->abort();
            up_.reset();
            count(handshake_result::upstream_refused);
            refuse(502, "the upstream selected subprotocol '" + printable(protocol, 60) +
                            "', not '" + printable(wanted, 60) + "'");
            return;
        }
        // The Location: --public-scheme/--public-host (or X-Forwarded-* with
        // --trust-forwarded); wss as well when this port speaks TLS.
        const hixie76_examples::public_location loc =
            hixie76_examples::locate(srv_.opt().location(), req);
        if (!loc.ok) {
            up_->abort();
            up_.reset();
            count(handshake_result::refused);
            refuse(400, std::string(loc.why));
            return;
        }
        hixie76::response_options ro;
        ro.secure = loc.secure || (over_tls && srv_.opt().public_scheme.empty());
        ro.host = loc.host;
        // No Origin (a non-browser client) and no allow-list: answer with the origin of the
        // client's own Location, which is what a same-origin page would have sent.
        const std::string fallback_origin = std::string(ro.secure ? "https://" : "http://") +
                                            std::string(ro.host.empty() ? req.host() : ro.host);
        ro.origin = req.origin().empty() ? std::string_view(fallback_origin) : std::string_view();
        ro.protocol = req.protocol(); // an exact echo (Safari fails the connection otherwise)
        std::string head;
        const hixie76::write_result need = hixie76::write_response_head(req, ro, nullptr, 0);
        hixie76::write_result w = need;
        if (need.err == hixie76::error::buffer_too_small) {
            head.resize(need.size);
            w = hixie76::write_response_head(req, ro, &head[0], head.size());
        }
        if (w.err != hixie76::error::none) {
            up_->abort();
            up_.reset();
            count(handshake_result::refused);
            reject(w.err);
            return;
        }
        status_ = 101;
        queue_bytes(std::move(head));
        state_ = phase::key3;
        set_deadline(srv_.opt().handshake_timeout); // key3 may still be on its way
        if (parser_.result().status == hixie76::parse_status::complete) {
            open();
        } else if (!reading_) {
            read();
        }
    }

    void on_upstream_message(std::string message, bool binary) override {
        if (state_ != phase::open) {
            return;
        }
        if (binary) {
            switch (srv_.opt().binary) {
            case binary_policy::drop:
                ++srv_.stats().drops[idx(drop_reason::binary)];
                if (!binary_logged_) {
                    binary_logged_ = true;
                    log_line("binary client=%s: upstream binary message dropped (--binary drop; "
                             "logged once per connection)",
                             who_.name.c_str());
                }
                return;
            case binary_policy::close:
                end("upstream sent a binary message (--binary close)",
                    websocket::close_code::unknown_data);
                return;
            case binary_policy::base64:
                message = base64(message);
                break;
            }
        }
        deliver(std::move(message));
    }

    void on_upstream_ping(const std::string&) override {} // answered by Beast; no ping here

    /// The upstream took a message: read the client again once half the queue is out.
    void on_upstream_progress() override {
        if (upstream_caught_up() && state_ == phase::open && !reading_) {
            read();
        }
    }

    void on_upstream_closed(bool, const websocket::close_reason&, const std::string& why) override {
        up_.reset();
        if (state_ == phase::open || state_ == phase::key3) {
            end(why, std::nullopt);
        }
    }

private:
    enum class phase : std::uint8_t {
        handshake, ///< reading the request (deadline: --handshake-timeout)
        upstream,  ///< the request is read; the upstream handshake is under way
        key3,      ///< the 101 head is out; draft-76 key3 is awaited (deadline)
        open,      ///< relaying
        flushing,  ///< the last bytes go out, then writes are shut down
        lingering, ///< discarding input until EOF (deadline), so the peer reads our last
                   ///< bytes instead of a reset
        dead,      ///< closed, or handed to a modern_session
    };

    /// Raw bytes (handshake, FF 00, HTTP), or a text frame around the upstream's message.
    using outgoing = hixie76_examples::outgoing;

    client_draft draft() const override {
        return parser_.kind() == hixie76::dialect::draft75 ? client_draft::draft75
                                                           : client_draft::draft76;
    }
    bool relaying() const override { return state_ == phase::open; }
    bool awaiting_upstream() const override { return state_ == phase::upstream; }

    // --- deadlines -----------------------------------------------------------------------------

    void set_deadline(milliseconds d) {
        deadline_.set(d, shared_from_this(), [this] { on_deadline(); });
    }

    void on_deadline() {
        switch (state_) {
        case phase::handshake:
            if (head_.empty()) {
                log_line("error client=%s: no request within --handshake-timeout; closed",
                         who_.name.c_str());
                die();
            } else {
                refuse(408, "the opening handshake took too long (--handshake-timeout)");
            }
            break;
        case phase::key3:
            fail("key3 did not arrive within --handshake-timeout",
                 websocket::close_code::going_away);
            break;
        case phase::flushing:
        case phase::lingering:
            die();
            break;
        default:
            break;
        }
    }

    // --- keepalive ---------------------------------------------------------------------------

    void arm_keepalive() {
        const milliseconds ka = srv_.opt().client_keepalive;
        if (ka.count() <= 0 || state_ != phase::open) {
            return;
        }
        keepalive_.expires_at(last_sent_ + ka);
        keepalive_.async_wait([self = self<legacy_session>()](const error_code& ec) {
            if (!ec) {
                self->on_keepalive();
            }
        });
    }

    void on_keepalive() {
        if (state_ != phase::open) {
            return;
        }
        if (clock_type::now() >= last_sent_ + srv_.opt().client_keepalive) {
            push_frame(srv_.opt().keepalive_text);
        }
        arm_keepalive();
    }

    // --- reading -------------------------------------------------------------------------------

    void read() {
        reading_ = true;
        stream_.async_read_some(asio::buffer(rbuf_),
                                [self = self<legacy_session>()](
                                    const error_code& ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(const error_code& ec, std::size_t n) {
        reading_ = false;
        if (state_ == phase::dead) {
            return;
        }
        if (ec) {
            on_read_error(ec);
            return;
        }
        const std::string_view data(rbuf_.data(), n);
        switch (state_) {
        case phase::handshake:
        case phase::upstream:
        case phase::key3:
            head_.append(data);
            on_handshake_bytes();
            break;
        case phase::open:
            feed_frames(data);
            break;
        case phase::flushing:
        case phase::lingering:
        case phase::dead:
            break; // discarded: this peer gets no more answers
        }
        // While the upstream is being asked, a complete request (key3 in) is all we want.
        const bool paused =
            state_ == phase::upstream && parser_.result().status == hixie76::parse_status::complete;
        // Backpressure: while the upstream queue is full the client is not read from.
        const bool held = state_ == phase::open && upstream_queue_full();
        if (state_ != phase::dead && !paused && !held && !reading_ && !handed_off_) {
            read();
        }
    }

    void on_read_error(const error_code& ec) {
        const bool eof = ec == asio::error::eof || ec == ssl::error::stream_truncated;
        switch (state_) {
        case phase::handshake:
            if (!head_.empty()) {
                const hixie76::parse_result r = parser_.finish(head_);
                log_line("error client=%s: connection closed during the handshake (%s)",
                         who_.name.c_str(), std::string(hixie76::to_string(r.err)).c_str());
            }
            die();
            break;
        case phase::upstream:
        case phase::key3:
            count(handshake_result::refused);
            fail(eof ? "client disconnected during the handshake" : "client read: " + ec.message(),
                 websocket::close_code::going_away);
            break;
        case phase::open:
            fail(eof ? "client disconnected" : "client read: " + ec.message(),
                 websocket::close_code::going_away);
            break;
        case phase::flushing:
            peer_gone_ = true;
            if (!out_.writing()) {
                die();
            }
            break;
        case phase::lingering:
        case phase::dead:
            die();
            break;
        }
    }

    /// The handshake step: parse what we have and act on it.
    void on_handshake_bytes() {
        if (!over_tls && !probed_) {
            probed_ = true;
            if (head_[0] == '\x16') {
                // 0x16: a TLS handshake record, the first byte of a ClientHello.
                log_line("error client=%s: TLS handshake on a plain port (use --tls-cert and "
                         "--tls-key, or a TLS terminator in front); closed",
                         who_.name.c_str());
                die();
                return;
            }
        }
        const hixie76::parse_result r = parser_.parse(head_);
        if (r.status == hixie76::parse_status::failed) {
            if (state_ != phase::handshake) {
                return; // cannot happen once the head is complete
            }
            if (r.err == hixie76::error::rfc6455_request) {
                hand_off();
            } else {
                reject(r.err);
            }
            return;
        }
        if (state_ == phase::handshake && parser_.head_complete()) {
            if (parser_.kind() == hixie76::dialect::http) {
                serve_http();
                return;
            }
            admit();
            return;
        }
        if (state_ == phase::key3 && r.status == hixie76::parse_status::complete) {
            open();
        }
    }

    /// An RFC 6455 request: the stream and the head go to Beast.
    void hand_off() {
        deadline_.clear();
        state_ = phase::dead;
        out_.close(); // the stream is Beast's now: this queue must never write to it
        handed_off_ = true;
        auto next = std::make_shared<modern_session<Stream>>(srv_, std::move(stream_),
                                                             std::move(head_), who_);
        srv_.add(next);
        srv_.remove(this);
        next->start();
    }

    void serve_http() {
        const std::string_view resource = parser_.resource();
        const std::string_view path = resource.substr(0, resource.find('?'));
        int status = 404;
        if (path == "/metrics") {
            status = 200;
            const std::string body = srv_.stats().render();
            const char* type = "text/plain; version=0.0.4; charset=utf-8";
            const hixie76::write_result need =
                hixie76::write_http_response(200, type, body, nullptr, 0);
            std::string out(need.size, '\0');
            const hixie76::write_result w =
                hixie76::write_http_response(200, type, body, &out[0], out.size());
            out.resize(w.err == hixie76::error::none ? w.size : 0);
            queue_bytes(std::move(out));
        } else {
            queue_bytes(http_response(404, "not found\n"));
        }
        log_line("http client=%s GET %s %d", who_.name.c_str(), printable(resource).c_str(),
                 status);
        finish_after_flush();
    }

    /// The request is valid: apply the policy, then open the upstream connection.
    void admit() {
        const hixie76::request_parser& req = parser_;
        const options& opt = srv_.opt();
        const std::string_view origin = req.origin();
        const hixie76::error refused = hixie76_examples::check_origin(opt, origin);
        if (refused != hixie76::error::none) {
            count(handshake_result::refused);
            reject(refused);
            return;
        }
        if (!take_place()) {
            return;
        }
        resource_ = printable(req.resource());
        state_ = phase::upstream;
        deadline_.clear(); // --upstream-timeout bounds this step
        ask_upstream(req.resource(), req.protocol(), origin,
                     [&req](const char* name) -> std::optional<std::string_view> {
                         if (!req.has(name)) {
                             return std::nullopt;
                         }
                         return req.find(name);
                     });
    }

    /// The client's handshake is complete and the upstream is open: send the 16-byte
    /// answer (draft-76), then relay.
    void open() {
        if (parser_.kind() == hixie76::dialect::draft76) {
            const hixie76::challenge_bytes& answer = parser_.challenge();
            queue_bytes(std::string(answer.data(), answer.size()));
        }
        const std::string rest = head_.substr(parser_.result().consumed);
        head_.clear();
        head_.shrink_to_fit();
        state_ = phase::open;
        deadline_.clear();
        count(handshake_result::ok);
        count_open();
        log_line("open client=%s draft=%s resource=%s upstream=101", who_.name.c_str(),
                 name(draft()), resource_.c_str());
        hixie76::decoder_config dc;
        dc.version = parser_.kind() == hixie76::dialect::draft75 ? hixie76::draft::draft75
                                                                 : hixie76::draft::draft76;
        dc.max_frame_size = srv_.opt().max_message;
        decoder_ = hixie76::frame_decoder(dc);
        hixie76::assembler_config ac;
        ac.max_message_size = srv_.opt().max_message;
        ac.utf8 = hixie76::utf8_policy::replace; // the upstream gets valid UTF-8 only
        assembler_ = hixie76::message_assembler(ac);
        last_sent_ = clock_type::now();
        arm_keepalive();
        up_->read_on();
        if (!rest.empty()) {
            feed_frames(rest);
        }
        if (state_ == phase::open && !reading_) {
            read();
        }
    }

    /// Every decoder event, in order: text pieces to the assembler, whole messages upstream.
    void feed_frames(std::string_view in) {
        while (!in.empty() && state_ == phase::open) {
            const hixie76::frame_event ev = decoder_.next(in);
            in.remove_prefix(ev.consumed);
            switch (ev.kind) {
            case hixie76::frame_kind::need_more:
                return;
            case hixie76::frame_kind::text: {
                const hixie76::assemble_result r = assembler_.push(ev);
                if (r.status == hixie76::parse_status::failed) {
                    ++srv_.stats().drops[idx(drop_reason::message_too_large)];
                    fail("client message larger than --max-message",
                         websocket::close_code::too_big);
                    return;
                }
                if (r.status == hixie76::parse_status::complete) {
                    std::string m = assembler_.take();
                    count_message(direction::to_upstream, m.size());
                    if (up_) {
                        up_->send(std::move(m), false);
                    }
                }
                break;
            }
            case hixie76::frame_kind::binary:
            case hixie76::frame_kind::skipped:
                break; // draft-76 §5.3: frames of other types are discarded
            case hixie76::frame_kind::close:
                // The client's closing handshake: FF 00 back, close 1000 upstream.
                end("client closing handshake", websocket::close_code::normal);
                return;
            case hixie76::frame_kind::failed:
                if (ev.err == hixie76::error::frame_too_large) {
                    ++srv_.stats().drops[idx(drop_reason::message_too_large)];
                    fail("client message larger than --max-message",
                         websocket::close_code::too_big);
                } else {
                    ++srv_.stats().drops[idx(drop_reason::bad_frame)];
                    fail("client framing error: " + std::string(hixie76::to_string(ev.err)),
                         websocket::close_code::protocol_error);
                }
                return;
            }
        }
    }

    // --- writing -------------------------------------------------------------------------------

    /// One upstream message to the client, as a text frame.
    void deliver(std::string text) {
        const std::size_t n = text.size();
        if (!push_frame(std::move(text))) {
            return;
        }
        count_message(direction::to_client, n);
    }

    bool push_frame(std::string text) {
        outgoing o = outgoing::text(std::move(text));
        if (o.error() != hixie76::error::none) {
            // Beast checked the upstream's text is UTF-8; frame_text refuses only a 0xFF byte,
            // which valid UTF-8 never holds.
            end("unsendable upstream message: " + std::string(hixie76::to_string(o.error())),
                websocket::close_code::unknown_data);
            return false;
        }
        last_sent_ = clock_type::now();
        out_.push(std::move(o), shared_from_this());
        // Backpressure: while the client's queue is full the upstream is not read from.
        client_queue_grew(out_.queued());
        return true;
    }

    void queue_bytes(std::string bytes) {
        out_.push(outgoing::raw(std::move(bytes)), shared_from_this());
    }

    /// A write to the client completed: the upstream may be read again (backpressure), and
    /// once everything is out a closing connection goes on.
    void on_written(const error_code& ec) {
        if (ec) {
            client_write_failed(ec);
            return;
        }
        client_caught_up(out_.queued());
        if (out_.idle()) {
            on_drained();
        }
    }

    void on_drained() {
        if (state_ == phase::flushing) {
            if (peer_gone_) {
                die();
                return;
            }
            error_code ignored;
            beast::get_lowest_layer(stream_).shutdown(tcp::socket::shutdown_send, ignored);
            state_ = phase::lingering;
            set_deadline(close_timeout);
            if (!reading_) {
                read();
            }
        }
    }

    // --- endings -------------------------------------------------------------------------------

    /// Ends an open (or key3-waiting) connection politely: FF 00 to a draft-76 client, then
    /// TCP close; the upstream gets `code`, or nothing when it is already gone.
    void end(const std::string& why, std::optional<websocket::close_code> code) {
        if (close_reason_.empty()) {
            close_reason_ = why;
        }
        if (up_) {
            if (code) {
                up_->close(*code);
            } else {
                up_->abort();
            }
            up_.reset();
        }
        if (state_ == phase::open && parser_.kind() == hixie76::dialect::draft76) {
            queue_bytes(std::string(hixie76::close_frame.data(), hixie76::close_frame.size()));
        }
        finish_after_flush();
    }

    /// Refuses the handshake with an HTTP status.
    void refuse(int status, const std::string& why) override {
        status_ = status;
        if (close_reason_.empty()) {
            close_reason_ = why;
        }
        out_.drop_waiting();
        const std::string body = why + "\n";
        queue_bytes(http_response(status, body));
        finish_after_flush();
    }

    /// Refuses the handshake with the library's rejection for `e`.
    void reject(hixie76::error e) {
        int status = hixie76::suggested_http_status(e);
        status = status == 0 ? 400 : status;
        status_ = status;
        if (close_reason_.empty()) {
            close_reason_ = std::string(hixie76::to_string(e));
        }
        out_.drop_waiting();
        std::string response;
        hixie76::append_rejection(e, response);
        queue_bytes(std::move(response));
        finish_after_flush();
    }

    /// A final response or the last frames are queued: send them, shut down writes, linger.
    void finish_after_flush() {
        if (state_ == phase::dead || state_ == phase::flushing || state_ == phase::lingering) {
            return;
        }
        state_ = phase::flushing;
        keepalive_.cancel();
        bp_.cancel();
        count_closed();
        set_deadline(close_timeout);
        if (out_.idle()) {
            on_drained();
        }
    }

    void die() override {
        if (state_ == phase::dead) {
            return;
        }
        state_ = phase::dead;
        out_.close();
        deadline_.cancel();
        keepalive_.cancel();
        bury(beast::get_lowest_layer(stream_));
    }

    Stream stream_;
    hixie76_examples::deadline deadline_;
    asio::steady_timer keepalive_;
    phase state_ = phase::handshake;
    bool reading_ = false;
    bool handed_off_ = false;
    bool peer_gone_ = false; ///< the client closed its side while we were flushing
    bool probed_ = false;    ///< the first byte was checked for a TLS hello
    bool binary_logged_ = false;
    std::array<char, 16 * 1024> rbuf_{};

    // The opening handshake: every byte read so far, parsed again after each read.
    std::string head_;
    hixie76::request_parser parser_{};

    // Frames in: the decoder reads the stream, the assembler bounds and repairs each message.
    hixie76::frame_decoder decoder_{};
    hixie76::message_assembler assembler_{};

    // Bytes out, in order (after stream_, which it writes to).
    hixie76_examples::write_queue<Stream> out_;
    clock_type::time_point last_sent_{}; ///< the latest text frame (for --client-keepalive)
};

} // namespace gateway

#endif // HIXIE76_GATEWAY_LEGACY_SESSION_HPP
