// SPDX-License-Identifier: MIT
// examples/gateway/modern_session.hpp — an RFC 6455 client that reached the gateway: proxied
// to the same upstream unchanged (text and binary messages, pings, close codes), on Beast.
//
// The hand-off: hixie76's request_parser fails an RFC 6455 request with rfc6455_request and
// `consumed` = the head, so the head is already in hand. It is parsed once more by
// http::request_parser::put() straight from that buffer (no socket read), the upstream is
// asked, and websocket::stream::async_accept(request) writes the 101 with the subprotocol the
// upstream selected. (Beast's accept(buffers) copies the bytes into a 1536-byte buffer, so a
// browser's head with a few cookies would fail; the request overload has no such limit.)
#ifndef HIXIE76_GATEWAY_MODERN_SESSION_HPP
#define HIXIE76_GATEWAY_MODERN_SESSION_HPP

#include "upstream.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <deque>
#include <string>

namespace gateway {

template <class Stream> class modern_session final : public session, public upstream_events {
public:
    modern_session(server_base& srv, Stream stream, std::string head, client_id who)
        : srv_(srv), ws_(std::move(stream)), head_(std::move(head)), who_(std::move(who)),
          bp_(srv.context()) {}

    void start() {
        http::request_parser<http::empty_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(hixie76::default_max_head_bytes));
        error_code ec;
        const std::size_t used = parser.put(asio::buffer(head_), ec);
        if (ec || !parser.is_done()) {
            count(handshake_result::refused);
            refuse(400, "bad request: " + (ec ? ec.message() : std::string("incomplete head")));
            return;
        }
        if (used != head_.size()) {
            // RFC 6455 §4.1: the client waits for the 101 before it sends anything.
            count(handshake_result::refused);
            refuse(400, "bad request: data sent before the handshake completed");
            return;
        }
        req_ = parser.release();
        head_.clear();
        head_.shrink_to_fit();
        const beast::string_view target = req_.target();
        resource_ = printable(std::string_view(target.data(), target.size()));

        const options& opt = srv_.opt();
        const beast::string_view o = req_[http::field::origin];
        const std::string_view origin(o.data(), o.size());
        const hixie76::error refused = hixie76_examples::check_origin(opt, origin);
        if (refused != hixie76::error::none) {
            count(handshake_result::refused);
            refuse(hixie76::suggested_http_status(refused),
                   std::string(hixie76::describe(refused)));
            return;
        }
        if (!srv_.take_place()) {
            count(handshake_result::refused);
            refuse(503, "the gateway is full (--max-clients)");
            return;
        }
        has_place_ = true;
        upstream_request u;
        u.target = opt.upstream.target(std::string_view(target.data(), target.size()));
        const beast::string_view proto = req_[http::field::sec_websocket_protocol];
        u.protocol = std::string(proto.data(), proto.size());
        if (!origin.empty()) {
            u.fields.emplace_back("Origin", std::string(origin));
        }
        for (const http::field f : {http::field::cookie, http::field::user_agent}) {
            if (req_.count(f) != 0) {
                const beast::string_view v = req_[f];
                u.fields.emplace_back(std::string(http::to_string(f)),
                                      std::string(v.data(), v.size()));
            }
        }
        u.fields.emplace_back("X-Forwarded-For", who_.ip);
        u.fields.emplace_back("X-Forwarded-Proto", opt.public_secure() ? "https" : "http");
        state_ = phase::upstream;
        up_ = make_upstream(srv_);
        up_->start(std::move(u), std::static_pointer_cast<upstream_events>(self<modern_session>()));
    }

    void shut_down() override {
        if (state_ == phase::open) {
            if (close_reason_.empty()) {
                close_reason_ = "gateway shutting down";
            }
            close_upstream(websocket::close_code::going_away);
            close_client(websocket::close_code::going_away);
        } else if (state_ != phase::closing) {
            close_reason_ = "gateway shutting down";
            die();
        }
    }

    // --- upstream events ---------------------------------------------------------------------

    void on_upstream_open(const std::string& protocol) override {
        if (state_ != phase::upstream) {
            return;
        }
        upstream_status_ = 101;
        state_ = phase::accepting;
        // The request is read; what is left of the handshake is Beast writing the 101, and the
        // same bound later applies to the closing handshake.
        ws_.set_option(
            websocket::stream_base::timeout{close_timeout, websocket::stream_base::none(), false});
        ws_.set_option(websocket::stream_base::decorator([protocol](websocket::response_type& res) {
            res.set(http::field::server, "hixie76-gateway");
            if (!protocol.empty()) {
                res.set(http::field::sec_websocket_protocol, protocol);
            }
        }));
        ws_.read_message_max(srv_.opt().max_message);
        ws_.auto_fragment(false);
        ws_.async_accept(
            req_, [self = self<modern_session>()](const error_code& e) { self->on_accept(e); });
    }

    void on_upstream_failed(int status, int upstream_status, handshake_result r,
                            const std::string& why) override {
        up_.reset();
        if (state_ != phase::upstream) {
            return;
        }
        upstream_status_ = upstream_status;
        count(r);
        refuse(status, why);
    }

    void on_upstream_message(std::string message, bool binary) override {
        if (state_ != phase::open) {
            return;
        }
        ++down_msgs_;
        down_bytes_ += message.size();
        srv_.stats().count_message(direction::to_client, message.size());
        queued_ += message.size();
        queue_.emplace_back(std::move(message), binary);
        write();
        // Backpressure: while the client's queue is full the upstream is not read from.
        if (up_ && bp_.check_client_queue(queued_, srv_.opt().max_queue)) {
            up_->pause(true);
            watch_stalls();
        }
    }

    void on_upstream_progress() override {
        if (up_ && bp_.upstream_progress(up_->queued(), srv_.opt().max_queue) &&
            state_ == phase::open && !reading_) {
            read();
        }
    }

    void on_upstream_ping(const std::string& payload) override {
        if (state_ != phase::open || pinging_) {
            return;
        }
        pinging_ = true;
        ws_.async_ping(
            websocket::ping_data(payload.c_str()),
            [self = self<modern_session>()](const error_code&) { self->pinging_ = false; });
    }

    void on_upstream_closed(bool clean, const websocket::close_reason& reason,
                            const std::string& why) override {
        up_.reset();
        if (state_ != phase::open) {
            return;
        }
        if (close_reason_.empty()) {
            close_reason_ = why;
        }
        if (clean) {
            close_client(reason); // the upstream's code and reason, unchanged
        } else {
            die(); // the upstream vanished: so does the client's connection
        }
    }

private:
    enum class phase : std::uint8_t {
        parsing,   ///< the head is being checked
        upstream,  ///< the upstream handshake is under way
        accepting, ///< Beast is writing the 101
        refusing,  ///< an HTTP refusal is being written
        open,      ///< relaying
        closing,   ///< our close frame is queued or sent; Beast waits for the client's
        dead,      ///< closed
    };

    void count(handshake_result r) {
        ++srv_.stats().handshakes[idx(client_draft::rfc6455)][idx(r)];
    }

    /// Writes an HTTP refusal on the raw stream, then closes.
    void refuse(int status, const std::string& why) {
        status_ = status;
        if (close_reason_.empty()) {
            close_reason_ = why;
        }
        state_ = phase::refusing;
        refusal_ = http_response(status, why + "\n");
        asio::async_write(ws_.next_layer(), asio::buffer(refusal_),
                          [self = self<modern_session>()](const error_code&, std::size_t) {
                              error_code ignored;
                              beast::get_lowest_layer(self->ws_).shutdown(
                                  tcp::socket::shutdown_send, ignored);
                              self->die();
                          });
    }

    void on_accept(const error_code& ec) {
        if (state_ != phase::accepting) {
            return;
        }
        if (ec) {
            count(handshake_result::refused);
            close_reason_ = "handshake: " + ec.message();
            die();
            return;
        }
        status_ = 101;
        state_ = phase::open;
        opened_ = true;
        count(handshake_result::ok);
        ++srv_.stats().open[idx(side::client)];
        log_line("open client=%s draft=rfc6455 resource=%s upstream=101", who_.name.c_str(),
                 resource_.c_str());
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
            if (kind == websocket::frame_type::ping && up_) {
                up_->ping(std::string(payload.data(), payload.size()));
            }
        });
        up_->read_on();
        read();
    }

    void read() {
        reading_ = true;
        ws_.async_read(rbuf_, [self = self<modern_session>()](const error_code& ec, std::size_t n) {
            self->on_read(ec, n);
        });
    }

    void on_read(const error_code& ec, std::size_t n) {
        reading_ = false;
        if (state_ == phase::dead) {
            return;
        }
        if (ec) {
            if (state_ == phase::closing) {
                return; // our close is under way; its handler ends the connection
            }
            if (ec == websocket::error::closed) {
                // Beast has answered the client's close frame; the upstream gets the same code.
                const websocket::close_reason& r = ws_.reason();
                close_reason_ = "client closed (" + std::to_string(r.code) + ")";
                close_upstream(r);
            } else {
                if (ec == websocket::error::message_too_big) {
                    ++srv_.stats().drops[idx(drop_reason::message_too_large)];
                    close_reason_ = "client message larger than --max-message";
                } else {
                    close_reason_ = "client lost: " + ec.message();
                }
                close_upstream(ec == websocket::error::message_too_big
                                   ? websocket::close_code::too_big
                                   : websocket::close_code::going_away);
            }
            die();
            return;
        }
        std::string message = beast::buffers_to_string(rbuf_.data());
        rbuf_.consume(n);
        ++up_msgs_;
        up_bytes_ += message.size();
        srv_.stats().count_message(direction::to_upstream, message.size());
        bool held = false;
        if (up_) {
            up_->send(std::move(message), ws_.got_binary());
            // Backpressure: while the upstream queue is full the client is not read from.
            held = bp_.check_upstream_queue(up_->queued(), srv_.opt().max_queue);
            if (held) {
                watch_stalls();
            }
        }
        if (state_ == phase::open && !held) {
            read();
        }
    }

    void watch_stalls() {
        bp_.watch(shared_from_this(), [this](bool client) { on_stuck(client); });
    }

    /// A full queue whose side took nothing for stall_timeout: that side stopped reading.
    void on_stuck(bool client) {
        if (state_ != phase::open) {
            return;
        }
        ++srv_.stats().drops[idx(drop_reason::queue_full)];
        close_reason_ = client ? "the client is not reading (--max-queue)"
                               : "the upstream is not reading (--max-queue)";
        close_upstream(client ? websocket::close_code::going_away
                              : websocket::close_code::policy_error);
        die();
    }

    /// One async_write at a time; the close frame goes after the queued messages.
    void write() {
        if (writing_ || state_ == phase::dead) {
            return;
        }
        if (queue_.empty()) {
            if (state_ == phase::closing && !close_started_) {
                close_started_ = true;
                ws_.async_close(client_close_, [self = self<modern_session>()](const error_code&) {
                    self->die();
                });
            }
            return;
        }
        writing_ = true;
        ws_.binary(queue_.front().second);
        ws_.async_write(asio::buffer(queue_.front().first),
                        [self = self<modern_session>()](const error_code& ec, std::size_t) {
                            self->on_write(ec);
                        });
    }

    void on_write(const error_code& ec) {
        writing_ = false;
        if (state_ == phase::dead) {
            return;
        }
        if (ec) {
            if (close_reason_.empty()) {
                close_reason_ = "client write: " + ec.message();
            }
            close_upstream(websocket::close_code::going_away);
            die();
            return;
        }
        queued_ -= queue_.front().first.size();
        queue_.pop_front();
        if (bp_.client_progress(queued_, srv_.opt().max_queue) && up_) {
            up_->pause(false);
        }
        write();
    }

    void close_client(websocket::close_reason reason) {
        if (state_ != phase::open) {
            return;
        }
        state_ = phase::closing;
        client_close_ = reason;
        write();
    }

    /// Sends the upstream its close frame (after what is queued) and forgets it.
    void close_upstream(websocket::close_reason reason) {
        if (up_) {
            up_->close(reason);
            up_.reset();
        }
    }

    void die() {
        if (state_ == phase::dead) {
            return;
        }
        state_ = phase::dead;
        bp_.cancel();
        if (up_) {
            up_->abort();
            up_.reset();
        }
        if (has_place_) {
            has_place_ = false;
            srv_.release_place();
        }
        if (opened_) {
            --srv_.stats().open[idx(side::client)];
        }
        log_line("close client=%s draft=rfc6455 resource=%s upstream=%s status=%d up_msgs=%llu "
                 "up_bytes=%llu down_msgs=%llu down_bytes=%llu reason=\"%s\"",
                 who_.name.c_str(), resource_.empty() ? "-" : resource_.c_str(),
                 upstream_status_ == 0 ? "-" : std::to_string(upstream_status_).c_str(), status_,
                 static_cast<unsigned long long>(up_msgs_),
                 static_cast<unsigned long long>(up_bytes_),
                 static_cast<unsigned long long>(down_msgs_),
                 static_cast<unsigned long long>(down_bytes_),
                 printable(close_reason_.empty() ? "closed" : close_reason_, 300, true).c_str());
        error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
        srv_.remove(this);
    }

    server_base& srv_;
    websocket::stream<Stream> ws_;
    std::string head_; ///< the bytes the legacy parser read
    client_id who_;
    http::request<http::empty_body> req_; ///< lives until async_accept completes
    std::string refusal_;
    std::shared_ptr<upstream_link> up_;
    phase state_ = phase::parsing;
    bool has_place_ = false;
    bool opened_ = false;
    bool pinging_ = false;
    bool reading_ = false;
    backpressure bp_;
    beast::flat_buffer rbuf_;
    std::deque<std::pair<std::string, bool>> queue_; ///< to the client; the first in flight
    std::size_t queued_ = 0;
    bool writing_ = false;
    bool close_started_ = false;
    websocket::close_reason client_close_{};

    std::string resource_;
    std::string close_reason_;
    int status_ = 0;
    int upstream_status_ = 0;
    std::uint64_t up_msgs_ = 0, up_bytes_ = 0, down_msgs_ = 0, down_bytes_ = 0;
};

} // namespace gateway

#endif // HIXIE76_GATEWAY_MODERN_SESSION_HPP
