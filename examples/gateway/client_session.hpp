// SPDX-License-Identifier: MIT
// examples/gateway/client_session.hpp — what the two kinds of client connection (legacy_session
// for draft-76/75, modern_session for RFC 6455) hold and do alike: the upstream link and how it
// is asked, the --max-clients place, backpressure and the stall check, the metrics, and the
// end of a connection with its `close` log line. Each kind keeps its own phases, stream,
// reading and writing; it tells this base what it speaks (draft()), whether it is relaying
// (relaying()) or waiting for the upstream (awaiting_upstream()), and how it answers the
// client, refuses it and dies.
#ifndef HIXIE76_GATEWAY_CLIENT_SESSION_HPP
#define HIXIE76_GATEWAY_CLIENT_SESSION_HPP

#include "upstream.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gateway {

/// A client connection of either kind, as the server and the upstream link see it.
class client_session : public session, public upstream_events {
public:
    /// The upstream said 101: the client gets its answer (`protocol`: the subprotocol the
    /// upstream selected), unless it is already gone.
    void on_upstream_open(const std::string& protocol) final {
        if (!awaiting_upstream()) {
            return;
        }
        upstream_status_ = 101;
        answer_client(protocol);
    }

    /// The upstream's handshake failed: the client gets `status` (502, 504 or the upstream's
    /// own refusal), unless it is already gone or closing.
    void on_upstream_failed(int status, int upstream_status, handshake_result r,
                            const std::string& why) final {
        up_.reset();
        if (!awaiting_upstream()) {
            return;
        }
        upstream_status_ = upstream_status;
        count(r);
        refuse(status, why);
    }

protected:
    client_session(server_base& srv, client_id who)
        : srv_(srv), who_(std::move(who)), bp_(srv.context()) {}

    /// The client's protocol, for the metrics and the log lines.
    virtual client_draft draft() const = 0;
    /// Messages flow both ways (no closing handshake under way).
    virtual bool relaying() const = 0;
    /// The client's request is read and the upstream is being asked.
    virtual bool awaiting_upstream() const = 0;
    /// The upstream is open: completes the client's handshake, then relays.
    virtual void answer_client(const std::string& protocol) = 0;
    /// Refuses the client's handshake with an HTTP status and a one-line reason, then closes.
    virtual void refuse(int status, const std::string& why) = 0;
    /// Closes the connection at once (once): the kind's own timers and stream, then bury().
    virtual void die() = 0;

    void count(handshake_result r) { ++srv_.stats().handshakes[idx(draft())][idx(r)]; }

    /// Takes one of the --max-clients places, or refuses the client with 503.
    bool take_place() {
        if (!srv_.take_place()) {
            count(handshake_result::refused);
            refuse(503, "the gateway is full (--max-clients)");
            return false;
        }
        has_place_ = true;
        return true;
    }

    /// Opens the upstream connection for a client whose request passed the policy: its
    /// resource (under the upstream's prefix), the subprotocol it asked for, its Origin (when
    /// it sent one), Cookie and User-Agent (`field(name)`: the value, nullopt when absent),
    /// plus X-Forwarded-For and X-Forwarded-Proto.
    template <class Field>
    void ask_upstream(std::string_view resource, std::string_view protocol, std::string_view origin,
                      Field field) {
        const options& opt = srv_.opt();
        upstream_request u;
        u.target = opt.upstream.target(resource);
        u.protocol = std::string(protocol);
        if (!origin.empty()) {
            u.fields.emplace_back("Origin", std::string(origin));
        }
        for (const char* name : {"Cookie", "User-Agent"}) {
            if (const std::optional<std::string_view> value = field(name)) {
                u.fields.emplace_back(name, std::string(*value));
            }
        }
        u.fields.emplace_back("X-Forwarded-For", who_.ip);
        u.fields.emplace_back("X-Forwarded-Proto", opt.public_secure() ? "https" : "http");
        up_ = make_upstream(srv_);
        up_->start(std::move(u), std::static_pointer_cast<upstream_events>(self<client_session>()));
    }

    /// The WebSocket connection is open: the client gauge goes up.
    void count_open() {
        opened_ = true;
        ++srv_.stats().open[idx(side::client)];
    }

    /// The WebSocket connection is over (the TCP close may still be under way).
    void count_closed() {
        if (opened_) {
            opened_ = false;
            --srv_.stats().open[idx(side::client)];
        }
    }

    /// One message relayed (`n` bytes): the close line's counters and the metrics.
    void count_message(direction d, std::size_t n) {
        if (d == direction::to_upstream) {
            ++up_msgs_;
            up_bytes_ += n;
        } else {
            ++down_msgs_;
            down_bytes_ += n;
        }
        srv_.stats().count_message(d, n);
    }

    // Backpressure (--max-queue): while the queue towards one side is full, the other side is
    // not read from; a side that then takes nothing for stall_timeout is closed (on_stuck).

    /// A message went into the upstream's queue: true while the client is not to be read.
    bool upstream_queue_full() {
        const bool full = up_ && bp_.check_upstream_queue(up_->queued(), srv_.opt().max_queue);
        if (full) {
            watch_stalls();
        }
        return full;
    }
    /// The upstream took a message: true when the client is to be read again (the upstream's
    /// queue is down to half of --max-queue).
    bool upstream_caught_up() {
        return up_ && bp_.upstream_progress(up_->queued(), srv_.opt().max_queue);
    }
    /// A message went into the client's queue, which holds `queued` bytes: the upstream is
    /// paused while it is full.
    void client_queue_grew(std::size_t queued) {
        if (up_ && bp_.check_client_queue(queued, srv_.opt().max_queue)) {
            up_->pause(true);
            watch_stalls();
        }
    }
    /// A write to the client completed, `queued` bytes to go: the upstream is read again once
    /// half of --max-queue is out.
    void client_caught_up(std::size_t queued) {
        if (bp_.client_progress(queued, srv_.opt().max_queue) && up_) {
            up_->pause(false);
        }
    }

    /// Sends the upstream its close frame (after what is queued) and forgets it.
    void close_upstream(websocket::close_reason reason) {
        if (up_) {
            up_->close(reason);
            up_.reset();
        }
    }

    /// Ends the connection at once for `why`; the upstream gets `code` after what is queued.
    void fail(const std::string& why, websocket::close_code code) {
        close_reason_ = why;
        close_upstream(code);
        die();
    }

    /// A write to the client failed: the client is gone, the upstream hears 1001.
    void client_write_failed(const error_code& ec) {
        if (close_reason_.empty()) {
            close_reason_ = "client write: " + ec.message();
        }
        close_upstream(websocket::close_code::going_away);
        die();
    }

    /// What every kind of session does last, once it has marked itself dead and stopped its
    /// own timers: the upstream dropped, the place freed, the gauge down, the close line, the
    /// client's socket closed; then the server forgets it (which may end a shutdown, hence
    /// last).
    void bury(tcp::socket& socket) {
        bp_.cancel();
        if (up_) {
            up_->abort();
            up_.reset();
        }
        if (has_place_) {
            has_place_ = false;
            srv_.release_place();
        }
        count_closed();
        // A connection that never got as far as a WebSocket request (nothing read, a plain
        // GET, a TLS hello on the plain port) has logged its own line.
        if (!resource_.empty() || status_ != 0) {
            log_line(
                "close client=%s draft=%s resource=%s upstream=%s status=%d up_msgs=%llu "
                "up_bytes=%llu down_msgs=%llu down_bytes=%llu reason=\"%s\"",
                who_.name.c_str(), name(draft()), resource_.empty() ? "-" : resource_.c_str(),
                upstream_status_ == 0 ? "-" : std::to_string(upstream_status_).c_str(), status_,
                static_cast<unsigned long long>(up_msgs_),
                static_cast<unsigned long long>(up_bytes_),
                static_cast<unsigned long long>(down_msgs_),
                static_cast<unsigned long long>(down_bytes_),
                printable(close_reason_.empty() ? "closed" : close_reason_, 300, true).c_str());
        }
        error_code ignored;
        socket.close(ignored);
        srv_.remove(this);
    }

    server_base& srv_;
    client_id who_;
    std::shared_ptr<upstream_link> up_;
    backpressure bp_;
    bool has_place_ = false; ///< one of the --max-clients places is ours
    bool opened_ = false;    ///< counted in the client gauge

    // For the close line.
    std::string resource_;
    std::string close_reason_;
    int status_ = 0;          ///< what the client got: 101, or the refusal's status
    int upstream_status_ = 0; ///< 101, the upstream's refusal, or 0 (none)
    std::uint64_t up_msgs_ = 0, up_bytes_ = 0, down_msgs_ = 0, down_bytes_ = 0;

private:
    void watch_stalls() {
        bp_.watch(shared_from_this(), [this](bool client) { on_stuck(client); });
    }

    /// A full queue whose side took nothing for stall_timeout: that side stopped reading.
    void on_stuck(bool client) {
        if (!relaying()) {
            return;
        }
        ++srv_.stats().drops[idx(drop_reason::queue_full)];
        if (client) {
            fail("the client is not reading (--max-queue)", websocket::close_code::going_away);
        } else {
            fail("the upstream is not reading (--max-queue)", websocket::close_code::policy_error);
        }
    }
};

} // namespace gateway

#endif // HIXIE76_GATEWAY_CLIENT_SESSION_HPP
