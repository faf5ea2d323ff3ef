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

#include "client_session.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <deque>
#include <string>

namespace gateway {

template <class Stream> class modern_session final : public client_session {
public:
    modern_session(server_base& srv, Stream stream, std::string head, client_id who)
        : client_session(srv, std::move(who)), ws_(std::move(stream)), head_(std::move(head)) {}

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
        if (!take_place()) {
            return;
        }
        const beast::string_view proto = req_[http::field::sec_websocket_protocol];
        state_ = phase::upstream;
        ask_upstream(std::string_view(target.data(), target.size()),
                     std::string_view(proto.data(), proto.size()), origin,
                     [this](const char* name) -> std::optional<std::string_view> {
                         const auto it = req_.find(name);
                         if (it == req_.end()) {
                             return std::nullopt;
                         }
                         return std::string_view(it->value().data(), it->value().size());
                     });
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

    /// The upstream said 101: Beast writes the client's 101, with the upstream's subprotocol.
    void answer_client(const std::string& protocol) override {
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

    void on_upstream_message(std::string message, bool binary) override {
        if (state_ != phase::open) {
            return;
        }
        count_message(direction::to_client, message.size());
        queued_ += message.size();
        queue_.emplace_back(std::move(message), binary);
        write();
        // Backpressure: while the client's queue is full the upstream is not read from.
        client_queue_grew(queued_);
    }

    void on_upstream_progress() override {
        if (upstream_caught_up() && state_ == phase::open && !reading_) {
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

    client_draft draft() const override { return client_draft::rfc6455; }
    bool relaying() const override { return state_ == phase::open; }
    bool awaiting_upstream() const override { return state_ == phase::upstream; }

    /// Writes an HTTP refusal on the raw stream, then closes.
    void refuse(int status, const std::string& why) override {
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
        count(handshake_result::ok);
        count_open();
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
        count_message(direction::to_upstream, message.size());
        if (up_) {
            up_->send(std::move(message), ws_.got_binary());
        }
        // Backpressure: while the upstream queue is full the client is not read from.
        const bool held = upstream_queue_full();
        if (state_ == phase::open && !held) {
            read();
        }
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
            client_write_failed(ec);
            return;
        }
        queued_ -= queue_.front().first.size();
        queue_.pop_front();
        client_caught_up(queued_);
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

    void die() override {
        if (state_ == phase::dead) {
            return;
        }
        state_ = phase::dead;
        bury(beast::get_lowest_layer(ws_));
    }

    websocket::stream<Stream> ws_;
    std::string head_;                    ///< the bytes the legacy parser read
    http::request<http::empty_body> req_; ///< lives until async_accept completes
    std::string refusal_;
    phase state_ = phase::parsing;
    bool pinging_ = false;
    bool reading_ = false;
    beast::flat_buffer rbuf_;
    std::deque<std::pair<std::string, bool>> queue_; ///< to the client; the first in flight
    std::size_t queued_ = 0;
    bool writing_ = false;
    bool close_started_ = false;
    websocket::close_reason client_close_{};
};

} // namespace gateway

#endif // HIXIE76_GATEWAY_MODERN_SESSION_HPP
