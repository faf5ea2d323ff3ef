// SPDX-License-Identifier: MIT
// hixie76-mixed-room — one chat room on one port for legacy WebSocket clients (draft-76 /
// hybi-00 and draft-75, served by hixie76) and current ones (RFC 6455, served by Boost.Beast),
// with the I/O on a single-threaded Boost.Asio io_context.
//
// Every connection starts the same way: its bytes go to hixie76::request_parser, which decides
// what it is talking to.
//
//   accept ─► read ─► request_parser::parse(buffer)
//                       ├─ complete, dialect::http      → the chat page (GET /) or 404, close
//                       ├─ draft-76 / draft-75          → 101 (+ the 16-byte answer), join;
//                       │                                 frames ↔ frame_decoder / frame_text
//                       ├─ failed, rfc6455_request      → hand-off: the socket and the bytes
//                       │                                 read so far go to Beast (below)
//                       └─ failed, anything else        → the library's rejection, close
//
// The hand-off. The parser fails an RFC 6455 request with `consumed` = the size of the head, so
// the head is already in hand: it is parsed once more by http::request_parser::put() straight
// from that buffer (no socket read), and websocket::stream::async_accept(request) writes the
// 101. The other Beast route, stream::accept(buffers), copies the bytes into the stream's own
// read buffer, which holds 1536 bytes, so a browser's head with a few cookies would fail with
// buffer_overflow; the request overload has no such limit and lets the room apply its own
// policy (Origin, --max-clients) before Beast answers. An RFC 6455 client may send
// nothing before the 101 (RFC 6455 §4.1), so bytes past the head are refused with 400.
//
// The room: every text message is relayed to every member, as NAME:message, in the order the
// server read them, whatever protocol each side speaks. NAME is the sender's IP:PORT.
#include <hixie76/hixie76.hpp>

#include "../common/asio_listen.hpp"
#include "../common/deadline.hpp"
#include "../common/options.hpp"
#include "../common/page.hpp"
#include "../common/room.hpp"
#include "../common/write_queue.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// A message as every member receives it; one copy is shared by all their queues.
using message_ptr = std::shared_ptr<const std::string>;

// --- options -----------------------------------------------------------------------------------

using options = hixie76_examples::server_options;
constexpr std::uint16_t default_port = 19888;

std::string usage_text() {
    return std::string(R"(usage: hixie76-mixed-room [options]

One chat room on one port for legacy and current WebSocket clients: draft-hixie-76
(hybi-00) and draft-75 clients are served by hixie76, RFC 6455 clients (every current
browser) by Boost.Beast. Every text message a client sends is relayed to every client
as NAME:message, where NAME is the sender's IP:PORT. Sending the text "quit" or the
closing handshake leaves. A handshake for any resource (/, /chat, ...) joins the room.
GET / without an upgrade serves the chat page; other paths get 404. The limits below
apply to both protocols (an RFC 6455 client that sends too large a message gets close
code 1009); the Location and keepalive options concern the legacy clients (RFC 6455 has
no Location, and has ping).

options:
)") + hixie76_examples::help_server(default_port) +
           R"(  --help                    show this text

Prints "listening on ADDR:PORT" on stdout when ready; logs one line per join, leave and
error on stderr. SIGINT/SIGTERM: sends the closing handshake (FF 00 to draft-76 clients, a
close frame with code 1001 to RFC 6455 clients), closes every connection and exits 0.
)";
}

/// How long a closing handshake, a final response, a lingering close or the write of Beast's
/// 101 may take.
constexpr milliseconds close_timeout{2000};
/// Connections still in their handshake, beyond the room's members, before new ones are
/// refused: enough for a burst of joins, small enough that idle sockets cannot exhaust fds.
constexpr std::size_t handshake_slack = 64;

// --- small helpers -----------------------------------------------------------------------------

/// The NAME of an endpoint: `IP:PORT` (`[IPv6]:PORT`).
std::string endpoint_name(const tcp::endpoint& ep) {
    return hixie76_examples::peer_name(ep.address().to_string(), std::to_string(ep.port()));
}

using hixie76_examples::http_response;

// --- the room ----------------------------------------------------------------------------------

class room_server;

/// What the room needs from a connection, whichever protocol it speaks.
class connection : public std::enable_shared_from_this<connection> {
public:
    connection(room_server& server, std::string name) : server_(server), name_(std::move(name)) {}
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    virtual ~connection() = default;

    const std::string& name() const noexcept { return name_; }
    /// A member of the room: it receives every broadcast.
    bool joined() const noexcept { return joined_; }
    /// Counts against --max-clients: a member, or one whose acceptance is under way.
    bool holds_place() const noexcept { return joined_ || reserved_; }
    /// A member of the room that is leaving, without being announced.
    void set_joined(bool j) noexcept { joined_ = j; }

    /// Queues one message for this member (the room calls it for every member, in order).
    virtual void deliver(const message_ptr& text) = 0;
    /// The server is stopping: start the closing handshake, or close.
    virtual void shut_down() = 0;

protected:
    template <class Derived> std::shared_ptr<Derived> self() {
        return std::static_pointer_cast<Derived>(shared_from_this());
    }
    void log_error(const std::string& what) const {
        std::fprintf(stderr, "error %s: %s\n", name_.c_str(), what.c_str());
    }
    /// Ends a connection after an error: a member leaves with the reason, others are logged.
    void drop(const std::string& why);
    /// Closes the socket and forgets the connection (once).
    virtual void die() = 0;

    room_server& server_;
    std::string name_;
    bool joined_ = false;
    bool reserved_ = false;
};

class room_server {
public:
    room_server(asio::io_context& ioc, options opt)
        : ioc_(ioc), opt_(std::move(opt)), acceptor_(ioc), signals_(ioc, SIGINT, SIGTERM),
          pause_timer_(ioc), stop_timer_(ioc) {}

    /// Opens the listening socket and prints `listening on ADDR:PORT`; false on failure.
    bool listen_and_announce() {
        const std::string failed =
            hixie76_examples::asio_listen(ioc_, acceptor_, opt_.bind, opt_.port, 128);
        if (!failed.empty()) {
            std::fprintf(stderr, "hixie76-mixed-room: %s\n", failed.c_str());
            return false;
        }
        error_code ec;
        std::printf("listening on %s\n", endpoint_name(acceptor_.local_endpoint(ec)).c_str());
        std::fflush(stdout);
        return true;
    }

    /// Starts accepting and waiting for signals; io_context::run() does the rest.
    void start() {
        signals_.async_wait([this](const error_code& ec, int sig) {
            if (!ec) {
                begin_shutdown(sig);
            }
        });
        accept();
    }

    const options& opt() const noexcept { return opt_; }
    /// The chat page.
    const std::string& page() const noexcept { return page_; }
    /// The --keepalive-text message, one copy for every connection.
    const message_ptr& keepalive_message() const noexcept { return keepalive_; }
    asio::io_context& context() noexcept { return ioc_; }

    /// Members, and those whose acceptance is under way.
    bool full() const {
        std::size_t n = 0;
        for (const auto& c : conns_) {
            n += c->holds_place() ? 1U : 0U;
        }
        return n >= opt_.max_clients;
    }

    void add(std::shared_ptr<connection> c) { conns_.push_back(std::move(c)); }

    /// Forgets a closed connection (its pending handlers keep it alive until they have run).
    void remove(const connection* c) {
        conns_.erase(
            std::remove_if(conns_.begin(), conns_.end(),
                           [c](const std::shared_ptr<connection>& p) { return p.get() == c; }),
            conns_.end());
        if (stopping_ && conns_.empty()) {
            // Everyone is gone: let io_context::run() return once the last handlers have run.
            stop_timer_.cancel();
            error_code ignored;
            signals_.cancel(ignored);
        }
    }

    /// A connection joins the room: everyone, the newcomer included, hears `Welcome, NAME !`.
    void join(connection& c, const char* protocol) {
        c.set_joined(true);
        std::fprintf(stderr, "join %s (%s)\n", c.name().c_str(), protocol);
        broadcast(hixie76_examples::welcome_text(c.name()));
    }

    /// Ends a membership; the others hear `NAME Logout` once the current handler is over.
    void leave(connection& c, const std::string& why, bool announce = true) {
        if (!c.joined()) {
            return;
        }
        c.set_joined(false);
        std::fprintf(stderr, "leave %s (%s)\n", c.name().c_str(), why.c_str());
        if (announce && !stopping_) {
            departures_.push_back(hixie76_examples::logout_text(c.name()));
            if (!departures_posted_) {
                departures_posted_ = true;
                asio::post(ioc_, [this] { announce_departures(); });
            }
        }
    }

    /// Sends `text` to every member, in the order of calls (sender included). One copy of the
    /// text is shared by every member's queue.
    void broadcast(std::string text) {
        const message_ptr m = std::make_shared<const std::string>(std::move(text));
        // A copy: a member that stopped reading is dropped (and forgotten) on the way.
        const std::vector<std::shared_ptr<connection>> everyone = conns_;
        for (const auto& c : everyone) {
            if (c->joined()) {
                c->deliver(m);
            }
        }
    }

private:
    void accept() {
        // The peer's address comes from accept() itself: asking the socket later fails once
        // the peer has reset the connection.
        acceptor_.async_accept(peer_, [this](const error_code& ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
                return; // stopping
            }
            if (ec) {
                std::fprintf(stderr, "error accept: %s (pausing for 100 ms)\n",
                             ec.message().c_str());
                pause_timer_.expires_after(milliseconds(100));
                pause_timer_.async_wait([this](const error_code& e) {
                    if (!e && acceptor_.is_open()) {
                        accept();
                    }
                });
                return;
            }
            on_accepted(std::move(socket), peer_);
            accept();
        });
    }

    void on_accepted(tcp::socket socket, const tcp::endpoint& peer);

    /// Broadcasts the departures gathered since the last call.
    void announce_departures() {
        departures_posted_ = false;
        std::vector<std::string> gone;
        gone.swap(departures_);
        for (std::string& text : gone) {
            if (!stopping_) {
                broadcast(std::move(text));
            }
        }
    }

    /// A signal: stop accepting, send the closing handshake to everyone, stop once all are
    /// gone or at the latest after the closing handshakes' time limit.
    void begin_shutdown(int sig) {
        stopping_ = true;
        std::fprintf(stderr, "hixie76-mixed-room: signal %d: closing every connection\n", sig);
        error_code ignored;
        acceptor_.close(ignored);
        pause_timer_.cancel();
        stop_timer_.expires_after(close_timeout + milliseconds(500));
        stop_timer_.async_wait([this](const error_code& ec) {
            if (!ec) {
                ioc_.stop();
            }
        });
        const std::vector<std::shared_ptr<connection>> everyone = conns_;
        for (const auto& c : everyone) {
            c->shut_down();
        }
        if (conns_.empty()) {
            stop_timer_.cancel();
            signals_.cancel(ignored);
        }
    }

    asio::io_context& ioc_;
    options opt_;
    tcp::acceptor acceptor_;
    asio::signal_set signals_;
    asio::steady_timer pause_timer_; ///< accept() paused after EMFILE and the like
    tcp::endpoint peer_;             ///< the address of the client being accepted
    asio::steady_timer stop_timer_;  ///< the bound on a shutdown
    bool stopping_ = false;
    std::vector<std::shared_ptr<connection>> conns_; ///< every open connection
    std::vector<std::string> departures_;
    bool departures_posted_ = false;
    const std::string page_ = hixie76_examples::chat_page(
        "hixie76 mixed room",
        "One room for legacy clients (draft-76, draft-75) and current browsers (RFC 6455).");
    message_ptr keepalive_ = std::make_shared<const std::string>(opt_.keepalive_text);
};

void connection::drop(const std::string& why) {
    if (joined_) {
        server_.leave(*this, why);
    } else {
        log_error(why);
    }
    die();
}

// --- RFC 6455 connections: Boost.Beast ---------------------------------------------------------

/// An RFC 6455 client, handed over by a legacy_connection with the bytes it read.
class modern_connection final : public connection {
public:
    modern_connection(room_server& server, tcp::socket socket, std::string head, std::string name)
        : connection(server, std::move(name)), ws_(std::move(socket)), head_(std::move(head)) {}

    /// Parses the head already read (no socket read), applies the room's policy, and lets
    /// Beast answer the upgrade.
    void start() {
        http::request_parser<http::empty_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(hixie76::default_max_head_bytes));
        error_code ec;
        const std::size_t used = parser.put(asio::buffer(head_), ec);
        if (ec || !parser.is_done()) {
            refuse({400, http_response(400, "text/plain; charset=utf-8", "bad request\n"),
                    ec ? ec.message() : "incomplete request"});
            return;
        }
        if (used != head_.size()) {
            // RFC 6455 §4.1: the client waits for the 101 before it sends anything.
            refuse({400, http_response(400, "text/plain; charset=utf-8", "bad request\n"),
                    "data sent before the handshake completed"});
            return;
        }
        req_ = parser.release();
        head_.clear();
        head_.shrink_to_fit();

        // Any resource joins the one room, as for the legacy clients.
        const options& opt = server_.opt();
        const beast::string_view origin = req_[http::field::origin];
        const hixie76::error refused =
            hixie76_examples::check_origin(opt, std::string_view(origin.data(), origin.size()));
        if (refused != hixie76::error::none) {
            refuse(hixie76_examples::rejection(refused));
            return;
        }
        if (server_.full()) {
            refuse(hixie76_examples::refuse(503, "the room is full"));
            return;
        }

        reserved_ = true;
        // The request is read; what is left of the handshake is Beast writing the 101. The same
        // bound later applies to the closing handshake.
        ws_.set_option(
            websocket::stream_base::timeout{close_timeout, websocket::stream_base::none(), false});
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(http::field::server, "hixie76-mixed-room");
        }));
        ws_.read_message_max(opt.max_message);
        ws_.async_accept(
            req_, [self = self<modern_connection>()](const error_code& e) { self->on_accept(e); });
    }

    void deliver(const message_ptr& text) override {
        if (state_ != phase::open) {
            return;
        }
        if (queued_ + text->size() > server_.opt().max_queue) {
            drop("more than " + std::to_string(server_.opt().max_queue) +
                 " bytes queued (--max-queue): the client is not reading");
            return;
        }
        queued_ += text->size();
        queue_.push_back(text);
        write();
    }

    void shut_down() override {
        switch (state_) {
        case phase::accepting:
        case phase::refusing:
            die();
            break;
        case phase::open:
            server_.leave(*this, "server shutting down", false);
            close(websocket::close_code::going_away);
            break;
        case phase::closing:
        case phase::dead:
            break;
        }
    }

private:
    enum class phase : std::uint8_t {
        accepting, ///< Beast is writing the 101
        refusing,  ///< an HTTP refusal is being written
        open,      ///< in the room
        closing,   ///< our close frame is queued or sent; Beast waits for the client's
        dead,      ///< closed
    };

    /// Writes an HTTP refusal on the raw socket, then closes.
    void refuse(hixie76_examples::refusal r) {
        log_error("handshake refused: " + r.why);
        state_ = phase::refusing;
        refusal_ = std::move(r.bytes);
        asio::async_write(ws_.next_layer(), asio::buffer(refusal_),
                          [self = self<modern_connection>()](const error_code&, std::size_t) {
                              error_code ignored;
                              self->ws_.next_layer().shutdown(tcp::socket::shutdown_send, ignored);
                              self->die();
                          });
    }

    void on_accept(const error_code& ec) {
        reserved_ = false;
        if (state_ == phase::dead) {
            return;
        }
        if (ec) {
            log_error("handshake refused: " + ec.message());
            die();
            return;
        }
        state_ = phase::open;
        ws_.text(true);
        server_.join(*this, "RFC 6455");
        read();
    }

    void read() {
        ws_.async_read(rbuf_, [self = self<modern_connection>()](
                                  const error_code& ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(const error_code& ec, std::size_t n) {
        if (state_ == phase::dead) {
            return;
        }
        if (ec) {
            if (state_ == phase::closing) {
                return; // our close is under way; on_close() finishes
            }
            if (ec == websocket::error::closed) {
                // Beast has answered the client's close frame and closed TCP.
                server_.leave(*this, "closing handshake");
            } else if (joined_) {
                server_.leave(*this, ec.message());
            } else {
                log_error(ec.message());
            }
            die();
            return;
        }
        if (state_ != phase::open) {
            return;
        }
        if (ws_.got_text()) {
            std::string message = beast::buffers_to_string(rbuf_.data());
            rbuf_.consume(n);
            on_message(message);
        } else {
            rbuf_.consume(n); // binary messages are not part of the chat
        }
        if (state_ == phase::open || state_ == phase::closing) {
            read();
        }
    }

    void on_message(const std::string& message) {
        if (hixie76_examples::is_quit(message)) {
            server_.leave(*this, "quit");
            close(websocket::close_code::normal);
            return;
        }
        server_.broadcast(hixie76_examples::relay_text(name_, message));
    }

    /// One async_write at a time; the close frame goes after the queued messages.
    void write() {
        if (writing_ || state_ == phase::dead) {
            return;
        }
        if (queue_.empty()) {
            if (state_ == phase::closing && !close_started_) {
                close_started_ = true;
                ws_.async_close(close_reason_, [self = self<modern_connection>()](
                                                   const error_code&) { self->die(); });
            }
            return;
        }
        writing_ = true;
        ws_.async_write(asio::buffer(*queue_.front()),
                        [self = self<modern_connection>()](const error_code& ec, std::size_t) {
                            self->on_write(ec);
                        });
    }

    void on_write(const error_code& ec) {
        writing_ = false;
        if (state_ == phase::dead) {
            return;
        }
        if (ec) {
            drop("write: " + ec.message());
            return;
        }
        queued_ -= queue_.front()->size();
        queue_.pop_front();
        write();
    }

    void close(websocket::close_code code) {
        if (state_ != phase::open) {
            return;
        }
        state_ = phase::closing;
        close_reason_ = code;
        write();
    }

    void die() override {
        if (state_ == phase::dead) {
            return;
        }
        state_ = phase::dead;
        reserved_ = false;
        error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
        server_.remove(this);
    }

    websocket::stream<tcp::socket> ws_;
    std::string head_;                    ///< the bytes the legacy parser read
    http::request<http::empty_body> req_; ///< lives until async_accept completes
    std::string refusal_;
    phase state_ = phase::accepting;
    beast::flat_buffer rbuf_;
    std::deque<message_ptr> queue_; ///< messages not yet handed to Beast, the first in flight
    std::size_t queued_ = 0;        ///< their bytes
    bool writing_ = false;
    bool close_started_ = false;
    websocket::close_reason close_reason_{websocket::close_code::normal};
};

// --- legacy connections: hixie76 ---------------------------------------------------------------

/// Every connection starts here; draft-76 and draft-75 clients stay, RFC 6455 ones are handed
/// to a modern_connection.
class legacy_connection final : public connection {
public:
    legacy_connection(room_server& server, tcp::socket socket, std::string name)
        : connection(server, std::move(name)), socket_(std::move(socket)),
          deadline_(server.context()),
          out_(socket_, [this](const error_code& ec) { on_written(ec); }) {}

    void start() {
        set_deadline(server_.opt().handshake_timeout);
        read();
    }

    /// Frames one message for this member: hixie76 gives the framing bytes, the payload is
    /// the shared copy, and the three go out in one gathered write.
    void deliver(const message_ptr& text) override {
        if (state_ != phase::open) {
            return;
        }
        outgoing o = outgoing::text(text);
        if (o.error() != hixie76::error::none) {
            std::fprintf(stderr, "error broadcast: %s\n", hixie76::to_string(o.error()).data());
            return;
        }
        if (out_.queued() + o.size() > server_.opt().max_queue) {
            drop("more than " + std::to_string(server_.opt().max_queue) +
                 " bytes queued (--max-queue): the client is not reading");
            return;
        }
        send(std::move(o));
    }

    void shut_down() override {
        if (state_ == phase::open) {
            server_.leave(*this, "server shutting down", false);
            start_close();
        } else if (state_ == phase::handshake) {
            die();
        }
    }

private:
    enum class phase : std::uint8_t {
        handshake, ///< reading the opening handshake (deadline: --handshake-timeout)
        open,      ///< in the room
        closing,   ///< draft-76 closing handshake: our FF 00 is sent or queued (deadline)
        flushing,  ///< sending a final response or the last frames, then shutting down writes
        lingering, ///< writes shut down; discarding input until EOF (deadline), so the peer
                   ///< reads our last bytes instead of a reset
        dead,      ///< closed, or handed to Beast
    };

    /// Raw bytes (handshake answers, FF 00, HTTP responses), or a text frame around a
    /// payload shared with the other members.
    using outgoing = hixie76_examples::outgoing;

    // --- deadlines ---------------------------------------------------------------------------

    void set_deadline(milliseconds d) {
        deadline_.set(d, shared_from_this(), [this] { on_deadline(); });
    }

    void on_deadline() {
        if (state_ == phase::handshake) {
            log_error("handshake timeout");
            if (!head_sent_) {
                queue_bytes(hixie76_examples::http_response(
                    408, "text/plain; charset=utf-8", "the opening handshake took too long\n"));
                finish_after_flush();
            } else {
                die(); // draft-76 head sent, key3 never came
            }
        } else if (state_ == phase::open) {
            keepalive();
        } else if (state_ != phase::dead) {
            die(); // closing handshake, final response or linger: over
        }
    }

    /// The protocol has no ping: a client sent nothing for --client-keepalive gets a text
    /// frame (--keepalive-text), so that proxies see traffic. A text frame, because browsers
    /// fire an error event on any other (draft-76 §4.2). The timer is re-armed lazily: each
    /// send only records its time.
    void keepalive() {
        const milliseconds every = server_.opt().client_keepalive;
        const auto idle = clock_type::now() - last_out_;
        if (idle < every) {
            set_deadline(std::chrono::ceil<milliseconds>(every - idle));
            return;
        }
        set_deadline(every);
        deliver(server_.keepalive_message()); // bounded by --max-queue like any message
    }

    // --- reading -----------------------------------------------------------------------------

    void read() {
        socket_.async_read_some(asio::buffer(rbuf_),
                                [self = self<legacy_connection>()](
                                    const error_code& ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(const error_code& ec, std::size_t n) {
        if (state_ == phase::dead) {
            return;
        }
        if (ec == asio::error::eof) {
            on_eof();
            return;
        }
        if (ec) {
            drop("read: " + ec.message());
            return;
        }
        const std::string_view data(rbuf_.data(), n);
        switch (state_) {
        case phase::handshake:
            head_.append(data);
            on_handshake_bytes();
            break;
        case phase::open:
        case phase::closing:
            feed_frames(data);
            break;
        case phase::flushing:
        case phase::lingering:
        case phase::dead:
            break; // discarded: this peer gets no more answers
        }
        if (state_ != phase::dead) {
            read();
        }
    }

    void on_eof() {
        peer_eof_ = true;
        switch (state_) {
        case phase::handshake: {
            const hixie76::parse_result r = parser_.finish(head_);
            log_error(std::string("connection closed during the handshake (") +
                      std::string(hixie76::to_string(r.err)) + ")");
            die();
            break;
        }
        case phase::open:
            server_.leave(*this, "disconnected");
            die();
            break;
        case phase::flushing:
            break; // still deliver the response; closed once it is out (or at the deadline)
        case phase::closing:
        case phase::lingering:
        case phase::dead:
            die();
            break;
        }
    }

    /// The handshake step: parse what we have. RFC 6455 goes to Beast; a plain GET gets the
    /// page; a legacy upgrade is answered as soon as the head is complete (headers first), the
    /// 16 bytes once key3 is in; then join, and hand any bytes after key3 to the decoder.
    void on_handshake_bytes() {
        const hixie76::parse_result r = parser_.parse(head_);
        if (r.status == hixie76::parse_status::failed) {
            if (r.err == hixie76::error::rfc6455_request) {
                hand_off();
            } else {
                refuse(hixie76_examples::rejection(r.err));
            }
            return;
        }
        if (!head_sent_ && parser_.head_complete()) {
            if (parser_.kind() == hixie76::dialect::http) {
                serve_http();
                return;
            }
            if (!answer_upgrade()) {
                return;
            }
        }
        if (r.status == hixie76::parse_status::complete) {
            join(r.consumed);
        }
    }

    /// The socket and every byte read so far (the head, r.consumed of them, is all a
    /// conforming client has sent) go to Beast; this object is done.
    void hand_off() {
        deadline_.clear();
        state_ = phase::dead;
        out_.close(); // the socket is Beast's now: this queue must never write to it
        auto next = std::make_shared<modern_connection>(server_, std::move(socket_),
                                                        std::move(head_), name_);
        server_.add(next);
        server_.remove(this);
        next->start();
    }

    void serve_http() {
        const std::string_view resource = parser_.resource();
        hixie76_examples::refusal r = hixie76_examples::serve_http(resource, server_.page());
        queue_bytes(std::move(r.bytes));
        std::fprintf(stderr, "http %s GET %.*s %d\n", name_.c_str(),
                     static_cast<int>(resource.size() > 200 ? 200 : resource.size()),
                     resource.data(), r.status);
        finish_after_flush();
    }

    /// Applies the room's policy and queues the response head (headers first: some proxies
    /// hold key3 until they see it). Returns false when the request was refused.
    bool answer_upgrade() {
        hixie76_examples::upgrade_answer a =
            hixie76_examples::answer_upgrade(server_.opt(), parser_, server_.full());
        if (!a.accepted) {
            refuse(std::move(a.refused));
            return false;
        }
        head_sent_ = true;
        reserved_ = true;
        version_ = a.version;
        queue_bytes(std::move(a.bytes));
        return state_ == phase::handshake;
    }

    /// The handshake is complete: send the 16-byte answer (draft-76), join the room and decode
    /// whatever the client sent after key3.
    void join(std::size_t consumed) {
        if (version_ == hixie76::draft::draft76) {
            const hixie76::challenge_bytes& answer = parser_.challenge();
            queue_bytes(std::string(answer.data(), answer.size()));
        }
        const std::string rest = head_.substr(consumed);
        head_.clear();
        head_.shrink_to_fit();
        state_ = phase::open;
        reserved_ = false;
        deadline_.clear();
        if (server_.opt().client_keepalive.count() > 0) {
            last_out_ = clock_type::now();
            set_deadline(server_.opt().client_keepalive);
        }
        reader_ = hixie76_examples::message_reader(parser_, server_.opt().max_message);
        server_.join(*this, version_ == hixie76::draft::draft76 ? "draft-76" : "draft-75");
        if (!rest.empty() && state_ == phase::open) {
            feed_frames(rest);
        }
    }

    /// The frame step: every message in `in`, in order; the closing handshake and failures
    /// end the membership.
    void feed_frames(std::string_view in) {
        while (state_ == phase::open || state_ == phase::closing) {
            switch (reader_.next(in)) {
            case hixie76_examples::message_reader::event::need_more:
                return;
            case hixie76_examples::message_reader::event::message:
                if (state_ == phase::open) {
                    on_message(reader_.take());
                }
                break;
            case hixie76_examples::message_reader::event::close:
                on_peer_close();
                return;
            case hixie76_examples::message_reader::event::failed:
                drop(std::string(hixie76::to_string(reader_.error())));
                return;
            }
        }
    }

    void on_message(const std::string& message) {
        if (hixie76_examples::is_quit(message)) {
            server_.leave(*this, "quit");
            start_close();
            return;
        }
        server_.broadcast(hixie76_examples::relay_text(name_, message));
    }

    /// The client sent FF 00: answer FF 00 (unless ours is out already) and close.
    void on_peer_close() {
        peer_close_ = true;
        if (state_ == phase::open) {
            server_.leave(*this, "closing handshake");
            start_close();
        }
        if (state_ == phase::closing && out_.queued() == 0) {
            die();
        }
    }

    // --- writing -----------------------------------------------------------------------------

    void queue_bytes(std::string bytes) { send(outgoing::raw(std::move(bytes))); }

    /// Everything this connection sends goes through here: any byte out counts as traffic
    /// for --client-keepalive.
    void send(outgoing o) {
        if (out_.push(std::move(o), shared_from_this())) {
            last_out_ = clock_type::now();
        }
    }

    /// A write completed: once everything is out, a closing connection goes on.
    void on_written(const error_code& ec) {
        if (ec) {
            drop("write: " + ec.message());
        } else if (out_.idle()) {
            on_drained();
        }
    }

    void on_drained() {
        if (state_ == phase::flushing) {
            if (peer_eof_) {
                die();
                return;
            }
            error_code ignored;
            socket_.shutdown(tcp::socket::shutdown_send, ignored);
            state_ = phase::lingering;
            set_deadline(close_timeout);
        } else if (state_ == phase::closing && (peer_close_ || peer_eof_)) {
            die();
        }
    }

    /// Starts the server's side of the closing handshake: draft-76 sends FF 00 and waits
    /// (bounded) for the client's; draft-75 has none, so the last bytes go out, then TCP closes.
    void start_close() {
        set_deadline(close_timeout);
        if (version_ == hixie76::draft::draft76) {
            state_ = phase::closing;
            queue_bytes(std::string(hixie76::close_frame.data(), hixie76::close_frame.size()));
        } else {
            finish_after_flush();
        }
    }

    /// A final response is queued: send it, shut down writes, then close (all bounded).
    void finish_after_flush() {
        state_ = phase::flushing;
        reserved_ = false;
        set_deadline(close_timeout);
        if (out_.idle()) {
            on_drained();
        }
    }

    /// Refuses the handshake: the response goes out, then the connection closes.
    void refuse(hixie76_examples::refusal r) {
        log_error("handshake refused: " + r.why);
        out_.drop_waiting();
        queue_bytes(std::move(r.bytes));
        finish_after_flush();
    }

    void die() override {
        if (state_ == phase::dead) {
            return;
        }
        state_ = phase::dead;
        reserved_ = false;
        out_.close();
        error_code ignored;
        socket_.close(ignored);
        deadline_.cancel();
        server_.remove(this);
    }

    tcp::socket socket_;
    hixie76_examples::deadline deadline_;
    phase state_ = phase::handshake;
    bool peer_eof_ = false;             ///< the peer shut down its side
    bool peer_close_ = false;           ///< the peer's FF 00 arrived
    clock_type::time_point last_out_{}; ///< the latest send (for --client-keepalive)
    std::array<char, 16 * 1024> rbuf_{};

    // The opening handshake: every byte read so far, parsed again after each read.
    std::string head_;
    hixie76::request_parser parser_{};
    bool head_sent_ = false; ///< the 101 head is queued; draft-76 still awaits key3
    hixie76::draft version_ = hixie76::draft::draft76;

    // Frames in, as messages.
    hixie76_examples::message_reader reader_{};

    // Bytes out, in order (after socket_, which it writes to).
    hixie76_examples::write_queue<tcp::socket> out_;
};

void room_server::on_accepted(tcp::socket socket, const tcp::endpoint& peer) {
    error_code ec;
    const std::string name = endpoint_name(peer);
    if (conns_.size() >= opt_.max_clients + handshake_slack) {
        std::fprintf(stderr, "error %s: too many connections; closed\n", name.c_str());
        return; // the socket closes as it goes out of scope
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto c = std::make_shared<legacy_connection>(*this, std::move(socket), name);
    add(c);
    c->start();
}

} // namespace

int main(int argc, char** argv) {
    options opt(default_port);
    const hixie76_examples::parse_outcome parsed =
        hixie76_examples::parse_command_line(argc, argv, "hixie76-mixed-room", usage_text(), opt);
    if (parsed.exit_status >= 0) { // --help, or a bad command line
        std::fputs(parsed.message.c_str(), parsed.exit_status == 0 ? stdout : stderr);
        return parsed.exit_status;
    }
    std::signal(SIGPIPE, SIG_IGN); // a peer that resets must not kill the server

    // One io_context on this thread runs every socket, timer and signal.
    asio::io_context ioc(1);
    room_server server(ioc, std::move(opt));
    if (!server.listen_and_announce()) {
        return 1;
    }
    server.start();
    ioc.run();
    std::fprintf(stderr, "hixie76-mixed-room: stopped\n");
    return 0;
}
