// SPDX-License-Identifier: MIT
// examples/gateway/upstream.hpp — the RFC 6455 client side: one Boost.Beast connection to the
// upstream per client, plain (ws://) or over TLS (wss://).
//
//   start ─► resolve ─► connect ─► [TLS handshake] ─► WebSocket handshake ─► open
//     │         └─────────┴──────────────┴──────────────────┴─► failed: 4xx kept, else 502;
//     └─ --upstream-timeout: the whole opening, else 504            no answer in time: 504
//   open: read_on() starts delivering messages, pause() holds them back (backpressure from
//         the client); send() queues, queued() says how much waits (the owner stops reading
//         its client while that is --max-queue or more); close(code) sends the close frame
//         after the queued messages.
#ifndef HIXIE76_GATEWAY_UPSTREAM_HPP
#define HIXIE76_GATEWAY_UPSTREAM_HPP

#include "core.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <type_traits>
#include <utility>
#include <vector>

namespace gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

/// What the upstream handshake carries for one client.
struct upstream_request {
    std::string target;   ///< prefix + the client's resource
    std::string protocol; ///< Sec-WebSocket-Protocol as the client asked; empty: none
    std::vector<std::pair<std::string, std::string>> fields; ///< forwarded and added fields
};

/// The owner of an upstream link (a client session) hears of it through this.
class upstream_events {
public:
    virtual ~upstream_events() = default;
    /// The upstream said 101; `protocol` is the subprotocol it selected (may be empty).
    virtual void on_upstream_open(const std::string& protocol) = 0;
    /// The opening failed: `status` is what the client should get (the upstream's 4xx, 502,
    /// 504); `upstream_status` is the upstream's own status, 0 when it gave none.
    virtual void on_upstream_failed(int status, int upstream_status, handshake_result r,
                                    const std::string& why) = 0;
    virtual void on_upstream_message(std::string message, bool binary) = 0;
    /// A ping from the upstream (Beast has answered it).
    virtual void on_upstream_ping(const std::string& payload) = 0;
    /// A queued message has been written: queued() went down.
    virtual void on_upstream_progress() = 0;
    /// The connection ended: `clean` when the upstream sent a close frame (`reason`, its code
    /// `none` when the frame had none), else it vanished.
    virtual void on_upstream_closed(bool clean, const websocket::close_reason& reason,
                                    const std::string& why) = 0;
};

class upstream_link {
public:
    upstream_link() = default;
    upstream_link(const upstream_link&) = delete;
    upstream_link& operator=(const upstream_link&) = delete;
    virtual ~upstream_link() = default;
    virtual void start(upstream_request req, std::weak_ptr<upstream_events> owner) = 0;
    /// Starts reading messages (after the client's side is open, so none comes too early).
    virtual void read_on() = 0;
    /// Holds back (true) or resumes (false) the delivery of upstream messages.
    virtual void pause(bool on) = 0;
    /// Queues one message (nothing when the connection is ending).
    virtual void send(std::string message, bool binary) = 0;
    /// Bytes queued and not yet written.
    virtual std::size_t queued() const = 0;
    virtual void ping(const std::string& payload) = 0;
    /// Sends the close frame after the queued messages; the owner hears nothing more.
    virtual void close(websocket::close_reason reason) = 0;
    /// Closes the TCP connection at once; the owner hears nothing more.
    virtual void abort() = 0;
};

template <class NextLayer>
class upstream_impl final : public upstream_link,
                            public std::enable_shared_from_this<upstream_impl<NextLayer>> {
    static constexpr bool secure = !std::is_same_v<NextLayer, tcp::socket>;

public:
    explicit upstream_impl(server_base& srv)
        : srv_(srv), resolver_(srv.context()), ws_(make_stream(srv)), timer_(srv.context()) {
        srv_.link_opened();
    }

    void start(upstream_request req, std::weak_ptr<upstream_events> owner) override {
        req_ = std::move(req);
        owner_ = std::move(owner);
        timer_.expires_after(srv_.opt().upstream_timeout);
        timer_.async_wait([self = me()](const error_code& ec) {
            if (!ec && self->phase_ == phase::opening) {
                self->timed_out_ = true;
                self->resolver_.cancel();
                error_code ignored;
                beast::get_lowest_layer(self->ws_).close(ignored);
            }
        });
        const upstream_url& u = srv_.opt().upstream;
        resolver_.async_resolve(u.host, u.port,
                                [self = me()](const error_code& ec, tcp::resolver::results_type r) {
                                    self->on_resolve(ec, std::move(r));
                                });
    }

    void read_on() override {
        started_ = true;
        if (phase_ == phase::open && !reading_ && !paused_) {
            read();
        }
    }

    void pause(bool on) override {
        paused_ = on;
        if (!on && started_) {
            read_on();
        }
    }

    void send(std::string message, bool binary) override {
        if (phase_ != phase::open || closing_) {
            return; // nowhere to go: the connection is ending
        }
        queued_ += message.size();
        queue_.emplace_back(std::move(message), binary);
        write();
    }

    std::size_t queued() const override { return queued_; }

    void ping(const std::string& payload) override {
        if (phase_ != phase::open || closing_ || pinging_) {
            return; // one ping at a time; a ping while one is out says nothing new
        }
        pinging_ = true;
        ws_.async_ping(websocket::ping_data(payload.substr(0, 125).c_str()),
                       [self = me()](const error_code&) { self->pinging_ = false; });
    }

    void close(websocket::close_reason reason) override {
        owner_.reset();
        if (phase_ == phase::opening) {
            abort();
            return;
        }
        if (phase_ != phase::open || closing_) {
            return;
        }
        closing_ = true;
        close_reason_ = reason;
        write();
    }

    void abort() override {
        owner_.reset();
        die();
    }

private:
    enum class phase : std::uint8_t { opening, open, dead };

    std::shared_ptr<upstream_impl> me() { return this->shared_from_this(); }

    static websocket::stream<NextLayer> make_stream(server_base& srv) {
        if constexpr (secure) {
            return websocket::stream<NextLayer>(srv.context(), *srv.upstream_tls());
        } else {
            return websocket::stream<NextLayer>(srv.context());
        }
    }

    void on_resolve(const error_code& ec, tcp::resolver::results_type results) {
        if (ec) {
            fail(502, "resolve " + srv_.opt().upstream.host + ": " + ec.message());
            return;
        }
        asio::async_connect(beast::get_lowest_layer(ws_), results,
                            [self = me()](const error_code& e, const tcp::endpoint&) {
                                self->on_connect(e);
                            });
    }

    void on_connect(const error_code& ec) {
        if (ec) {
            fail(502, "connect: " + ec.message());
            return;
        }
        error_code ignored;
        beast::get_lowest_layer(ws_).set_option(tcp::no_delay(true), ignored);
        beast::get_lowest_layer(ws_).set_option(
            asio::socket_base::send_buffer_size(kernel_send_buffer), ignored);
        if constexpr (secure) {
            const std::string& host = srv_.opt().upstream.host;
            // SNI, and the name the certificate must carry.
            if (!SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), host.c_str())) {
                fail(502, "TLS: cannot set the server name");
                return;
            }
            ws_.next_layer().set_verify_mode(ssl::verify_peer);
            ws_.next_layer().set_verify_callback(ssl::host_name_verification(host));
            ws_.next_layer().async_handshake(
                ssl::stream_base::client,
                [self = me()](const error_code& e) {
                    if (e) {
                        self->fail(502, "TLS handshake: " + e.message());
                    } else {
                        self->handshake();
                    }
                });
        } else {
            handshake();
        }
    }

    void handshake() {
        if (phase_ != phase::opening) {
            return;
        }
        ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& r) {
            r.set(http::field::user_agent, "hixie76-gateway");
            for (const auto& f : req_.fields) {
                r.set(f.first, f.second);
            }
            if (!req_.protocol.empty()) {
                r.set(http::field::sec_websocket_protocol, req_.protocol);
            }
        }));
        ws_.read_message_max(srv_.opt().max_message);
        ws_.auto_fragment(false);
        ws_.async_handshake(res_, srv_.opt().upstream.host_field, req_.target,
                            [self = me()](const error_code& ec) { self->on_handshake(ec); });
    }

    void on_handshake(const error_code& ec) {
        if (phase_ != phase::opening) {
            return;
        }
        if (ec == websocket::error::upgrade_declined) {
            const int status = static_cast<int>(res_.result_int());
            upstream_status_ = status;
            fail(status >= 400 && status < 500 ? status : 502,
                 "the upstream answered " + std::to_string(status),
                 handshake_result::upstream_refused);
            return;
        }
        if (ec) {
            fail(502, "handshake: " + ec.message());
            return;
        }
        timer_.cancel();
        phase_ = phase::open;
        ++srv_.stats().open[idx(side::upstream)];
        // From now on Beast's own timer bounds the closing handshake and, with --upstream-ping,
        // sends a ping after that long without a byte from the upstream and closes the
        // connection after twice that long.
        const milliseconds ping = srv_.opt().upstream_ping;
        websocket::stream_base::timeout t{};
        t.handshake_timeout = close_timeout;
        t.idle_timeout = ping.count() > 0 ? 2 * ping : websocket::stream_base::none();
        t.keep_alive_pings = ping.count() > 0;
        ws_.set_option(t);
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
            if (kind == websocket::frame_type::ping) {
                asio::post(srv_.context(),
                           [self = me(), p = std::string(payload.data(), payload.size())] {
                               if (auto o = self->owner_.lock()) {
                                   o->on_upstream_ping(p);
                               }
                           });
            }
        });
        // A copy: the view points into res_, which is released here.
        const beast::string_view field = res_[http::field::sec_websocket_protocol];
        const std::string selected(field.data(), field.size());
        res_ = {};
        if (auto o = owner_.lock()) {
            o->on_upstream_open(selected);
        }
    }

    void fail(int status, const std::string& why,
              handshake_result r = handshake_result::upstream_unreachable) {
        if (phase_ != phase::opening) {
            return;
        }
        if (timed_out_) {
            status = 504;
            r = handshake_result::upstream_timeout;
        }
        const std::string text = timed_out_ ? "no answer within --upstream-timeout" : why;
        auto o = owner_.lock();
        die();
        if (o) {
            o->on_upstream_failed(status, upstream_status_, r, text);
        }
    }

    void read() {
        reading_ = true;
        ws_.async_read(buf_, [self = me()](const error_code& ec, std::size_t) {
            self->on_read(ec);
        });
    }

    void on_read(const error_code& ec) {
        reading_ = false;
        if (phase_ != phase::open) {
            return;
        }
        if (ec) {
            if (closing_) {
                return; // our close is under way; its handler ends the connection
            }
            bool clean = ec == websocket::error::closed;
            std::uint16_t code = clean ? ws_.reason().code : std::uint16_t{1006};
            std::string why;
            if (clean) {
                why = "upstream closed (" + std::to_string(code) +
                      (ws_.reason().reason.empty()
                           ? std::string()
                           : " " + std::string(ws_.reason().reason.c_str())) +
                      ")";
            } else if (ec == beast::error::timeout) {
                ++srv_.stats().drops[idx(drop_reason::keepalive_timeout)];
                why = "upstream did not answer the ping (--upstream-ping)";
            } else if (ec == websocket::error::message_too_big) {
                ++srv_.stats().drops[idx(drop_reason::message_too_large)];
                why = "upstream message larger than --max-message";
            } else {
                why = "upstream lost: " + ec.message();
            }
            const websocket::close_reason reason = clean ? ws_.reason() : websocket::close_reason();
            auto o = owner_.lock();
            die();
            if (o) {
                o->on_upstream_closed(clean, reason, why);
            }
            return;
        }
        std::string message = beast::buffers_to_string(buf_.data());
        buf_.consume(buf_.size());
        const bool binary = ws_.got_binary();
        if (auto o = owner_.lock()) {
            o->on_upstream_message(std::move(message), binary);
        }
        if (phase_ == phase::open && !paused_) {
            read();
        }
    }

    void write() {
        if (writing_ || phase_ != phase::open) {
            return;
        }
        if (queue_.empty()) {
            if (closing_ && !close_started_) {
                close_started_ = true;
                ws_.async_close(close_reason_, [self = me()](const error_code&) { self->die(); });
            }
            return;
        }
        writing_ = true;
        ws_.binary(queue_.front().second);
        ws_.async_write(asio::buffer(queue_.front().first),
                        [self = me()](const error_code& ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(const error_code& ec) {
        writing_ = false;
        if (phase_ != phase::open) {
            return;
        }
        if (ec) {
            auto o = owner_.lock();
            die();
            if (o) {
                o->on_upstream_closed(false, websocket::close_reason(),
                                      "upstream write: " + ec.message());
            }
            return;
        }
        queued_ -= queue_.front().first.size();
        queue_.pop_front();
        write();
        if (phase_ == phase::open) {
            if (auto o = owner_.lock()) {
                o->on_upstream_progress();
            }
        }
    }

    void die() {
        if (phase_ == phase::dead) {
            return;
        }
        if (phase_ == phase::open) {
            --srv_.stats().open[idx(side::upstream)];
        }
        phase_ = phase::dead;
        timer_.cancel();
        resolver_.cancel();
        error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
        queue_.clear();
        queued_ = 0;
        srv_.link_closed(); // last: it may stop the server
    }

    server_base& srv_;
    tcp::resolver resolver_;
    websocket::stream<NextLayer> ws_;
    asio::steady_timer timer_;
    std::weak_ptr<upstream_events> owner_;
    upstream_request req_;
    websocket::response_type res_;
    phase phase_ = phase::opening;
    bool timed_out_ = false;
    int upstream_status_ = 0; ///< the status of a refusal
    bool started_ = false; ///< read_on() was called
    bool paused_ = false;
    bool reading_ = false;
    bool writing_ = false;
    bool pinging_ = false;
    bool closing_ = false;
    bool close_started_ = false;
    websocket::close_reason close_reason_{};
    beast::flat_buffer buf_;
    std::deque<std::pair<std::string, bool>> queue_; ///< the first is in flight when writing_
    std::size_t queued_ = 0;                           ///< bytes in queue_
};

/// A link of the kind --upstream names.
inline std::shared_ptr<upstream_link> make_upstream(server_base& srv) {
    if (srv.opt().upstream.secure) {
        return std::make_shared<upstream_impl<tls_stream>>(srv);
    }
    return std::make_shared<upstream_impl<tcp::socket>>(srv);
}

} // namespace gateway

#endif // HIXIE76_GATEWAY_UPSTREAM_HPP
