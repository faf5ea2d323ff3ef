// SPDX-License-Identifier: MIT
// hixie76-chat — a single-threaded poll() chat room for draft-76 and draft-75 WebSocket clients
// that also serves its own HTML page.
//
// One port serves everything: `GET /` without an upgrade gets the chat page, a draft-76 or
// draft-75 upgrade for any resource joins the room, an RFC 6455 request gets 426. Every text
// message is relayed to every member, sender included, as `NAME:message`, in the order the
// server read them. The room's rules, its page and the options are shared with
// hixie76-mixed-room (examples/common/); this file is their wiring to poll().
//
// The loop (numbered like the comments in run()):
//   1. build the poll set      2. wait until I/O, a signal or the nearest deadline
//   3. signals: start closing  4. read: handshake bytes → parser, frame bytes → decoder
//   5. write queued bytes      6. accept new connections
//   7. timeouts                8. send this turn's messages, reap closed connections
//
// A broadcast is encoded once into the room's log; each member keeps its place in it, and step
// 8 sends every member what it lacks in one writev, however many messages the turn brought.
#include <hixie76/hixie76.hpp>

#include "../common/options.hpp"
#include "../common/page.hpp"
#include "../common/room.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

// --- options -----------------------------------------------------------------------------------

using options = hixie76_examples::server_options;
constexpr std::uint16_t default_port = 19887;

std::string usage_text() {
    return std::string(R"(usage: hixie76-chat [options]

A chat room for legacy WebSocket clients (draft-hixie-76 / hybi-00 and draft-75).
Every text message a client sends is relayed to every client as NAME:message, where
NAME is the sender's IP:PORT. Sending the text "quit" or the closing handshake leaves.
A handshake for any resource (/, /chat, ...) joins the room. GET / without an upgrade
serves the chat page; other paths get 404. RFC 6455 clients (every current browser) get
426.

options:
)") + hixie76_examples::help_server(default_port) +
           R"(  --help                    show this text

Prints "listening on ADDR:PORT" on stdout when ready; logs one line per join, leave and
error on stderr. SIGINT/SIGTERM: sends the closing handshake (FF 00) to draft-76 clients,
closes every connection and exits 0.
)";
}

/// How long a closing handshake, a final response or a lingering close may take.
constexpr milliseconds close_timeout{2000};
/// Connections still in their handshake, beyond the room's members, before new ones are
/// refused: enough for a burst of joins, small enough that idle sockets cannot exhaust fds.
constexpr std::size_t handshake_slack = 64;

// --- small helpers -----------------------------------------------------------------------------

/// The NAME of a socket address: `IP:PORT` (`[IPv6]:PORT`).
std::string address_name(const sockaddr* sa, socklen_t len) {
    char host[NI_MAXHOST] = {};
    char serv[NI_MAXSERV] = {};
    if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return "?";
    }
    return hixie76_examples::peer_name(host, serv);
}

bool set_nonblocking(int fd) {
    const int flags = fcntl(fd, F_GETFL, 0);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 &&
           fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

// --- signals -----------------------------------------------------------------------------------

volatile std::sig_atomic_t g_signal = 0;
int g_wake_write = -1; ///< the write end of the self-pipe that wakes poll()

extern "C" void on_signal(int sig) {
    const int saved = errno;
    g_signal = sig;
    if (g_wake_write >= 0) {
        const char b = 1;
        const ssize_t r = ::write(g_wake_write, &b, 1);
        (void)r; // a full pipe already holds a wake-up
    }
    errno = saved;
}

// --- connections -------------------------------------------------------------------------------

enum class phase : std::uint8_t {
    handshake, ///< reading the opening handshake (deadline: --handshake-timeout)
    open,      ///< in the room
    closing,   ///< draft-76 closing handshake: our FF 00 is sent or queued (deadline)
    flushing,  ///< sending a final response or the last frames, then shutting down writes
    lingering, ///< writes shut down; discarding input until EOF (deadline), so the peer reads
               ///< our last bytes instead of a reset
    dead,      ///< closed and removed at the end of this turn of the loop
};

struct connection {
    int fd = -1;
    std::string name; ///< the peer's IP:PORT
    phase state = phase::handshake;
    bool joined = false;     ///< a member of the room
    bool peer_eof = false;   ///< the peer shut down its side
    bool peer_close = false; ///< the peer's FF 00 arrived
    clock_type::time_point deadline = clock_type::time_point::max();

    // The opening handshake: every byte read so far, parsed again after each read.
    std::string head;
    hixie76::request_parser parser{};
    bool head_sent = false; ///< the 101 head is written; draft-76 still awaits key3
    hixie76::draft version = hixie76::draft::draft76;

    // Frames in, as messages.
    hixie76_examples::message_reader reader{};

    // Bytes out that the socket did not take yet, from out[out_off]: this connection's own
    // (handshake, keepalive, closing), sent before its share of the room's log.
    std::string out;
    std::size_t out_off = 0;
    std::size_t queued() const noexcept { return out.size() - out_off; }
    /// A member's place in the room's log (an absolute offset): the bytes from there to the
    /// log's end are still to be sent to it.
    std::uint64_t log_pos = 0;

    ~connection() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

class chat_server {
public:
    explicit chat_server(options opt) : opt_(std::move(opt)) {}
    chat_server(const chat_server&) = delete;
    chat_server& operator=(const chat_server&) = delete;
    ~chat_server() {
        if (listen_fd_ >= 0) {
            ::close(listen_fd_);
        }
    }

    /// Opens the listening socket and prints `listening on ADDR:PORT`; false on failure.
    bool listen_and_announce(int wake_read) {
        wake_read_ = wake_read;
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
        addrinfo* found = nullptr;
        const std::string port = std::to_string(opt_.port);
        const int gai = getaddrinfo(opt_.bind.c_str(), port.c_str(), &hints, &found);
        if (gai != 0) {
            std::fprintf(stderr, "hixie76-chat: --bind %s: %s\n", opt_.bind.c_str(),
                         gai_strerror(gai));
            return false;
        }
        int err = 0;
        for (addrinfo* ai = found; ai != nullptr && listen_fd_ < 0; ai = ai->ai_next) {
            const int fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
            if (fd < 0) {
                err = errno;
                continue;
            }
            const int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (!set_nonblocking(fd) || ::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
                ::listen(fd, SOMAXCONN) != 0) {
                err = errno;
                ::close(fd);
                continue;
            }
            listen_fd_ = fd;
        }
        freeaddrinfo(found);
        if (listen_fd_ < 0) {
            std::fprintf(stderr, "hixie76-chat: cannot listen on %s:%u: %s\n", opt_.bind.c_str(),
                         static_cast<unsigned>(opt_.port), std::strerror(err));
            return false;
        }
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len);
        std::printf("listening on %s\n",
                    address_name(reinterpret_cast<sockaddr*>(&ss), len).c_str());
        std::fflush(stdout);
        return true;
    }

    /// The event loop; returns the exit status once a signal has closed every connection.
    int run() {
        std::vector<pollfd> fds;
        for (;;) {
            // 1. Build the poll set: the self-pipe, the listener (unless accepting is paused or
            //    over) and every connection: POLLIN until the peer's EOF (resets show up there
            //    too), POLLOUT while bytes are queued.
            fds.clear();
            fds.push_back({wake_read_, POLLIN, 0});
            const bool accepting = listen_fd_ >= 0 && clock_type::now() >= accept_paused_until_;
            fds.push_back({accepting ? listen_fd_ : -1, POLLIN, 0});
            const std::size_t polled = clients_.size();
            for (const auto& c : clients_) {
                const bool due = c->queued() > 0 || log_due(*c) > 0;
                const short events =
                    static_cast<short>((c->peer_eof ? 0 : POLLIN) | (due ? POLLOUT : 0));
                fds.push_back({c->fd, events, 0});
            }

            // 2. Wait for I/O, a signal or the nearest deadline. EINTR is a signal: go on.
            const int ready = ::poll(fds.data(), static_cast<nfds_t>(fds.size()), poll_timeout());
            if (ready < 0 && errno != EINTR) {
                std::fprintf(stderr, "hixie76-chat: poll: %s\n", std::strerror(errno));
                return 1;
            }

            // 3. A signal: send the closing handshake to everyone, stop accepting.
            if (ready > 0 && (fds[0].revents & POLLIN) != 0) {
                char drain[64];
                while (::read(wake_read_, drain, sizeof drain) > 0) {
                }
            }
            if (g_signal != 0 && !stopping_) {
                begin_shutdown();
            }

            // 4 and 5. Read, then write, for every connection that was polled.
            for (std::size_t i = 0; ready > 0 && i < polled; ++i) {
                connection& c = *clients_[i];
                const short rev = fds[i + 2].revents;
                if (c.state != phase::dead && (rev & (POLLIN | POLLHUP | POLLERR)) != 0) {
                    if (!c.peer_eof) {
                        on_readable(c);
                    } else if ((rev & (POLLHUP | POLLERR)) != 0) {
                        c.state = phase::dead; // half-closed, now gone: nothing more goes out
                    }
                }
                if (c.state != phase::dead && (rev & POLLOUT) != 0) {
                    flush(c);
                }
                announce_departures();
            }

            // 6. Accept new connections.
            if (ready > 0 && accepting && (fds[1].revents & POLLIN) != 0) {
                accept_clients();
            }

            // 7. Deadlines: unfinished handshakes, closing handshakes, lingering closes.
            check_deadlines();
            announce_departures();

            // 8. Send every member this turn's messages, then close and forget dead
            //    connections; after a signal, stop once all are gone.
            send_all();
            reap();
            if (stopping_ && (clients_.empty() || clock_type::now() >= stop_deadline_)) {
                std::fprintf(stderr, "hixie76-chat: stopped\n");
                return 0;
            }
        }
    }

private:
    // --- 1/2: deadlines ----------------------------------------------------------------------

    int poll_timeout() const {
        clock_type::time_point next = clock_type::time_point::max();
        for (const auto& c : clients_) {
            next = std::min(next, c->deadline);
        }
        if (stopping_) {
            next = std::min(next, stop_deadline_);
        }
        if (listen_fd_ >= 0 && accept_paused_until_ > clock_type::now()) {
            next = std::min(next, accept_paused_until_);
        }
        if (next == clock_type::time_point::max()) {
            return -1;
        }
        const auto now = clock_type::now();
        if (next <= now) {
            return 0;
        }
        const auto ms = std::chrono::ceil<milliseconds>(next - now).count();
        return static_cast<int>(std::min<long long>(ms, 60000));
    }

    // --- 3: shutdown -------------------------------------------------------------------------

    void begin_shutdown() {
        stopping_ = true;
        stop_deadline_ = clock_type::now() + close_timeout + milliseconds(500);
        std::fprintf(stderr, "hixie76-chat: signal %d: closing every connection\n",
                     static_cast<int>(g_signal));
        if (listen_fd_ >= 0) {
            ::close(listen_fd_);
            listen_fd_ = -1;
        }
        for (auto& p : clients_) {
            connection& c = *p;
            if (c.state == phase::open) {
                leave(c, "server shutting down", false);
                start_close(c);
            } else if (c.state == phase::handshake) {
                c.state = phase::dead;
            }
        }
    }

    // --- 4: reading --------------------------------------------------------------------------

    void on_readable(connection& c) {
        ssize_t n = 0;
        do {
            n = ::recv(c.fd, buf_.data(), buf_.size(), 0);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            drop(c, std::string("read: ") + std::strerror(errno));
            return;
        }
        if (n == 0) {
            on_eof(c);
            return;
        }
        const std::string_view data(buf_.data(), static_cast<std::size_t>(n));
        switch (c.state) {
        case phase::handshake:
            c.head.append(data);
            on_handshake_bytes(c);
            break;
        case phase::open:
        case phase::closing:
            feed_frames(c, data);
            break;
        case phase::flushing:
        case phase::lingering:
        case phase::dead:
            break; // discarded: this peer gets no more answers
        }
    }

    void on_eof(connection& c) {
        c.peer_eof = true;
        switch (c.state) {
        case phase::handshake: {
            const hixie76::parse_result r = c.parser.finish(c.head);
            log_error(c, std::string("connection closed during the handshake (") +
                             std::string(hixie76::to_string(r.err)) + ")");
            c.state = phase::dead;
            break;
        }
        case phase::open:
            c.state = phase::dead;
            leave(c, "disconnected");
            break;
        case phase::flushing:
            break; // still deliver the response; closed once it is out (or at the deadline)
        case phase::closing:
        case phase::lingering:
        case phase::dead:
            c.state = phase::dead;
            break;
        }
    }

    /// The handshake step: parse what we have; answer as soon as the head is complete
    /// (headers first: some proxies hold key3 until they see the 101), the 16 bytes once key3
    /// is in; then join, and hand any bytes after key3 to the frame decoder.
    void on_handshake_bytes(connection& c) {
        const hixie76::parse_result r = c.parser.parse(c.head);
        if (r.status == hixie76::parse_status::failed) {
            refuse(c, hixie76_examples::rejection(r.err));
            return;
        }
        if (!c.head_sent && c.parser.head_complete()) {
            if (c.parser.kind() == hixie76::dialect::http) {
                serve_http(c);
                return;
            }
            if (!answer_upgrade(c)) {
                return;
            }
        }
        if (r.status == hixie76::parse_status::complete) {
            join(c, r.consumed);
        }
    }

    void serve_http(connection& c) {
        const std::string_view resource = c.parser.resource();
        const hixie76_examples::refusal r = hixie76_examples::serve_http(resource, page_);
        c.out += r.bytes;
        std::fprintf(stderr, "http %s GET %.*s %d\n", c.name.c_str(),
                     static_cast<int>(resource.size() > 200 ? 200 : resource.size()),
                     resource.data(), r.status);
        finish_after_flush(c);
    }

    /// Applies the room's policy and writes the response head (headers first: some proxies
    /// hold key3 until they see it). Returns false when the request was refused.
    bool answer_upgrade(connection& c) {
        hixie76_examples::upgrade_answer a =
            hixie76_examples::answer_upgrade(opt_, c.parser, members() >= opt_.max_clients);
        if (!a.accepted) {
            refuse(c, a.refused);
            return false;
        }
        c.out += a.bytes;
        c.head_sent = true;
        c.version = a.version;
        flush(c);
        return c.state == phase::handshake;
    }

    /// The handshake is complete: send the 16-byte answer (draft-76), join the room and decode
    /// whatever the client sent after key3.
    void join(connection& c, std::size_t consumed) {
        if (c.version == hixie76::draft::draft76) {
            const hixie76::challenge_bytes& answer = c.parser.challenge();
            c.out.append(answer.data(), answer.size());
        }
        const std::string rest = c.head.substr(consumed);
        c.head.clear();
        c.head.shrink_to_fit();
        c.state = phase::open;
        c.joined = true;
        c.log_pos = log_base_ + log_.size(); // its share starts with its own welcome
        c.deadline = next_keepalive();
        c.reader = hixie76_examples::message_reader(c.parser, opt_.max_message);
        std::fprintf(stderr, "join %s (draft-%d)\n", c.name.c_str(), static_cast<int>(c.version));
        flush(c);
        broadcast(hixie76_examples::welcome_text(c.name));
        if (!rest.empty() && c.state == phase::open) {
            feed_frames(c, rest);
        }
    }

    /// The frame step: every message in `in`, in order; the closing handshake and failures
    /// end the membership.
    void feed_frames(connection& c, std::string_view in) {
        while (c.state == phase::open || c.state == phase::closing) {
            switch (c.reader.next(in)) {
            case hixie76_examples::message_reader::event::need_more:
                return;
            case hixie76_examples::message_reader::event::message:
                if (c.state == phase::open) {
                    on_message(c, c.reader.take());
                }
                break;
            case hixie76_examples::message_reader::event::close:
                on_peer_close(c);
                return;
            case hixie76_examples::message_reader::event::failed:
                drop(c, std::string(hixie76::to_string(c.reader.error())));
                return;
            }
        }
    }

    void on_message(connection& c, const std::string& message) {
        if (hixie76_examples::is_quit(message)) {
            leave(c, "quit");
            start_close(c);
            return;
        }
        broadcast(hixie76_examples::relay_text(c.name, message));
    }

    /// The client sent FF 00: answer FF 00 (unless ours is out already) and close.
    void on_peer_close(connection& c) {
        c.peer_close = true;
        if (c.state == phase::open) {
            leave(c, "closing handshake");
            start_close(c);
        }
        if (c.state == phase::closing && c.queued() == 0) {
            c.state = phase::dead;
        }
    }

    // --- 5: writing --------------------------------------------------------------------------

    /// Sends `a`, `b`, `t` (a frame's head, payload and tail): with one writev when nothing is
    /// queued, so the payload is not copied; whatever the socket does not take is queued.
    /// `bounded`: past --max-queue the client is dropped (it stopped reading). Only for a
    /// connection owed nothing from the room's log (a keepalive, the closing handshake after
    /// leave()), so these bytes never land inside a frame of the log.
    void send_parts(connection& c, std::string_view a, std::string_view b, std::string_view t,
                    bool bounded) {
        const std::array<std::string_view, 3> parts{{a, b, t}};
        const std::size_t total = a.size() + b.size() + t.size();
        if (c.state == phase::open) {
            c.deadline = next_keepalive(); // something goes out: the client is not idle
        }
        std::size_t written = 0;
        if (c.queued() == 0 && total > 0) {
            std::array<iovec, 3> iov{};
            int n = 0;
            for (const std::string_view p : parts) {
                if (!p.empty()) {
                    iov[static_cast<std::size_t>(n)].iov_base = const_cast<char*>(p.data());
                    iov[static_cast<std::size_t>(n)].iov_len = p.size();
                    ++n;
                }
            }
            ssize_t w = 0;
            do {
                w = ::writev(c.fd, iov.data(), n);
            } while (w < 0 && errno == EINTR);
            if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                drop(c, std::string("write: ") + std::strerror(errno));
                return;
            }
            written = w < 0 ? 0 : static_cast<std::size_t>(w);
        }
        const std::size_t rest = total - written;
        if (rest == 0) {
            return;
        }
        if (bounded && c.queued() + rest > opt_.max_queue) {
            drop(c, "more than " + std::to_string(opt_.max_queue) +
                        " bytes queued (--max-queue): the client is not reading");
            return;
        }
        compact(c);
        for (const std::string_view p : parts) {
            const std::size_t skip = std::min(written, p.size());
            written -= skip;
            c.out.append(p.substr(skip));
        }
    }

    static void compact(connection& c) {
        if (c.out_off > 0 && c.out_off >= c.out.size() / 2) {
            c.out.erase(0, c.out_off);
            c.out_off = 0;
        }
    }

    /// Bytes of the room's log still due to `c`.
    std::size_t log_due(const connection& c) const noexcept {
        return c.joined ? static_cast<std::size_t>(log_base_ + log_.size() - c.log_pos) : 0;
    }

    /// Writes what is due to `c` until the socket is full: its own bytes, then its share of the
    /// room's log, in one writev; short writes stay due (POLLOUT step).
    void flush(connection& c) {
        while (c.queued() > 0 || log_due(c) > 0) {
            std::array<iovec, 2> iov{};
            int n = 0;
            if (c.queued() > 0) {
                iov[0].iov_base = &c.out[c.out_off];
                iov[0].iov_len = c.queued();
                ++n;
            }
            if (log_due(c) > 0) {
                iov[static_cast<std::size_t>(n)].iov_base =
                    &log_[static_cast<std::size_t>(c.log_pos - log_base_)];
                iov[static_cast<std::size_t>(n)].iov_len = log_due(c);
                ++n;
            }
            const ssize_t w = ::writev(c.fd, iov.data(), n);
            if (w < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    break;
                }
                drop(c, std::string("write: ") + std::strerror(errno));
                return;
            }
            auto left = static_cast<std::size_t>(w);
            const std::size_t own = std::min(left, c.queued());
            c.out_off += own;
            c.log_pos += left - own;
            if (c.state == phase::open) {
                c.deadline = next_keepalive(); // something went out: the client is not idle
            }
        }
        if (c.queued() == 0) {
            c.out.clear();
            c.out_off = 0;
        }
        if (log_due(c) > opt_.max_queue) {
            drop(c, "more than " + std::to_string(opt_.max_queue) +
                        " bytes queued (--max-queue): the client is not reading");
            return;
        }
        if (c.queued() == 0 && log_due(c) == 0) {
            on_drained(c);
        }
    }

    /// Step 8: every connection with bytes due gets them, each in one writev, however many
    /// messages this turn brought; then the log forgets what every member has been sent.
    // scale.sh fan-out, 1,000 clients: 21 k → 995 k deliveries/s, p99 34 s → 0.31 s, with the
    // shared log of broadcast() (one write per member and turn instead of per message).
    void send_all() {
        do {
            announce_departures(); // a client dropped below is announced, and sent, this turn
            std::uint64_t keep = log_base_ + log_.size(); // oldest byte a member still needs
            for (const auto& p : clients_) {
                connection& c = *p;
                if (c.state != phase::dead && (c.queued() > 0 || log_due(c) > 0)) {
                    flush(c);
                }
                if (c.state != phase::dead && c.joined) {
                    keep = std::min(keep, c.log_pos);
                }
            }
            // Forget what every member has: all of it, or the older half once it is 64 KiB.
            const auto done = static_cast<std::size_t>(keep - log_base_);
            if (done == log_.size() || (done >= 65536 && done >= log_.size() / 2)) {
                log_.erase(0, done);
                log_base_ = keep;
            }
        } while (!departures_.empty());
    }

    void on_drained(connection& c) {
        if (c.state == phase::flushing) {
            if (c.peer_eof) {
                c.state = phase::dead;
                return;
            }
            ::shutdown(c.fd, SHUT_WR);
            c.state = phase::lingering;
            c.deadline = clock_type::now() + close_timeout;
        } else if (c.state == phase::closing && (c.peer_close || c.peer_eof)) {
            c.state = phase::dead;
        }
    }

    // --- 6: accepting ------------------------------------------------------------------------

    void accept_clients() {
        for (int k = 0; k < 64; ++k) {
            sockaddr_storage ss{};
            socklen_t len = sizeof ss;
            const int fd = ::accept(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED) {
                    continue;
                }
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    std::fprintf(stderr, "error accept: %s (pausing for 100 ms)\n",
                                 std::strerror(errno));
                    accept_paused_until_ = clock_type::now() + milliseconds(100);
                }
                return; // EAGAIN: no more for now
            }
            auto c = std::make_unique<connection>();
            c->fd = fd;
            c->name = address_name(reinterpret_cast<sockaddr*>(&ss), len);
            if (!set_nonblocking(fd)) {
                log_error(*c, std::string("fcntl: ") + std::strerror(errno));
                continue;
            }
            if (clients_.size() >= opt_.max_clients + handshake_slack) {
                log_error(*c, "too many connections; closed");
                continue;
            }
            const int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            c->deadline = clock_type::now() + opt_.handshake_timeout;
            clients_.push_back(std::move(c));
        }
    }

    // --- 7: deadlines ------------------------------------------------------------------------

    void check_deadlines() {
        const auto now = clock_type::now();
        for (auto& p : clients_) {
            connection& c = *p;
            if (c.state == phase::dead || now < c.deadline) {
                continue;
            }
            if (c.state == phase::handshake) {
                log_error(c, "handshake timeout");
                if (!c.head_sent) {
                    c.out += hixie76_examples::http_response(
                        408, "text/plain; charset=utf-8", "the opening handshake took too long\n");
                    finish_after_flush(c);
                } else {
                    c.state = phase::dead; // draft-76 head sent, key3 never came
                }
            } else if (c.state == phase::open) {
                if (log_due(c) == 0) {
                    send_keepalive(c);
                } else {
                    c.deadline = next_keepalive(); // frames are on their way: not idle
                }
            } else {
                c.state = phase::dead; // closing handshake, final response or linger: over
            }
        }
    }

    /// When an open connection that gets nothing until then is sent a keepalive frame.
    clock_type::time_point next_keepalive() const {
        return opt_.client_keepalive.count() > 0 ? clock_type::now() + opt_.client_keepalive
                                                 : clock_type::time_point::max();
    }

    /// The protocol has no ping: an idle client gets a text frame (--keepalive-text), so that
    /// proxies see traffic. A text frame, because browsers fire an error event on any other
    /// (draft-76 §4.2).
    void send_keepalive(connection& c) {
        const hixie76::framing f = hixie76::frame_text(opt_.keepalive_text); // checked: UTF-8
        send_parts(c, std::string_view(f.head.data(), f.head_size), opt_.keepalive_text,
                   std::string_view(f.tail.data(), f.tail_size), true);
    }

    // --- 8: reaping --------------------------------------------------------------------------

    void reap() {
        clients_.erase(std::remove_if(clients_.begin(), clients_.end(),
                                      [](const std::unique_ptr<connection>& c) {
                                          return c->state == phase::dead;
                                      }),
                       clients_.end());
    }

    // --- the room ----------------------------------------------------------------------------

    std::size_t members() const {
        std::size_t n = 0;
        for (const auto& c : clients_) {
            // Members, and draft-76 clients whose 101 is out while key3 is awaited.
            if (c->joined || (c->state == phase::handshake && c->head_sent)) {
                ++n;
            }
        }
        return n;
    }

    /// Sends `text` to every member, in the order of calls (sender included): its frame is
    /// appended once to the room's log, from which send_all() gives every member its share.
    // scale.sh idle, 10,000 joins (50 M welcome lines): one encoded frame for all members
    // instead of a copy queued for each: 1,861 → 10,000 joined, peak RSS 5.2 KiB per client.
    void broadcast(const std::string& text) {
        const hixie76::framing f = hixie76::frame_text(text);
        if (f.err != hixie76::error::none) {
            std::fprintf(stderr, "error broadcast: %s\n", hixie76::to_string(f.err).data());
            return;
        }
        log_.append(f.head.data(), f.head_size);
        log_.append(text);
        log_.append(f.tail.data(), f.tail_size);
    }

    /// Ends a membership; the others hear `NAME Logout` once the current step is over.
    void leave(connection& c, const std::string& why, bool announce = true) {
        if (!c.joined) {
            return;
        }
        if (c.state != phase::dead) {
            // Its share of the log goes out before whatever it is sent next (FF 00).
            c.out.append(log_, static_cast<std::size_t>(c.log_pos - log_base_), log_due(c));
        }
        c.joined = false;
        std::fprintf(stderr, "leave %s (%s)\n", c.name.c_str(), why.c_str());
        if (announce) {
            departures_.push_back(hixie76_examples::logout_text(c.name));
        }
    }

    /// Broadcasts the departures; a broadcast may drop a client that stopped reading, whose
    /// own departure is then announced in turn (each client leaves once, so this ends).
    void announce_departures() {
        for (std::size_t i = 0; i < departures_.size(); ++i) {
            const std::string text = departures_[i];
            if (!stopping_) {
                broadcast(text);
            }
        }
        departures_.clear();
    }

    /// Starts the server's side of the closing handshake: draft-76 sends FF 00 and waits
    /// (bounded) for the client's; draft-75 has none, so the last bytes go out, then TCP closes.
    void start_close(connection& c) {
        c.deadline = clock_type::now() + close_timeout;
        if (c.version == hixie76::draft::draft76) {
            c.state = phase::closing;
            send_parts(c,
                       std::string_view(hixie76::close_frame.data(), hixie76::close_frame.size()),
                       {}, {}, false);
            if (c.state == phase::closing && c.queued() == 0 && (c.peer_close || c.peer_eof)) {
                c.state = phase::dead;
            }
        } else {
            finish_after_flush(c);
        }
    }

    /// A final response is queued: send it, shut down writes, then close (all bounded).
    void finish_after_flush(connection& c) {
        c.state = phase::flushing;
        c.deadline = clock_type::now() + close_timeout;
        flush(c);
    }

    /// Refuses the handshake: the response goes out, then the connection closes.
    void refuse(connection& c, const hixie76_examples::refusal& r) {
        log_error(c, "handshake refused: " + r.why);
        c.out.assign(r.bytes);
        c.out_off = 0;
        finish_after_flush(c);
    }

    /// Ends a connection after an error: a member leaves with the reason, others are logged.
    void drop(connection& c, const std::string& why) {
        c.state = phase::dead;
        if (c.joined) {
            leave(c, why);
        } else {
            log_error(c, why);
        }
    }

    static void log_error(const connection& c, const std::string& what) {
        std::fprintf(stderr, "error %s: %s\n", c.name.c_str(), what.c_str());
    }

    options opt_;
    const std::string page_ = hixie76_examples::chat_page("hixie76 chat", "");
    int listen_fd_ = -1;
    int wake_read_ = -1;
    bool stopping_ = false;
    clock_type::time_point stop_deadline_{};
    clock_type::time_point accept_paused_until_{};
    std::vector<std::unique_ptr<connection>> clients_;
    std::vector<std::string> departures_;
    /// The room's log: every frame broadcast and not yet sent to every member, encoded once;
    /// log_[0] is the byte at absolute offset log_base_.
    std::string log_;
    std::uint64_t log_base_ = 0;
    std::array<char, 64 * 1024> buf_{};
};

} // namespace

int main(int argc, char** argv) {
    options opt(default_port);
    const hixie76_examples::parse_outcome parsed =
        hixie76_examples::parse_command_line(argc, argv, "hixie76-chat", usage_text(), opt);
    if (parsed.exit_status >= 0) { // --help, or a bad command line
        std::fputs(parsed.message.c_str(), parsed.exit_status == 0 ? stdout : stderr);
        return parsed.exit_status;
    }

    // SIGPIPE off (a peer that resets must not kill the server); SIGINT and SIGTERM wake the
    // loop through a self-pipe, so no signal is lost between two polls.
    std::signal(SIGPIPE, SIG_IGN);
    int wake[2] = {-1, -1};
    if (::pipe(wake) != 0 || !set_nonblocking(wake[0]) || !set_nonblocking(wake[1])) {
        std::fprintf(stderr, "hixie76-chat: pipe: %s\n", std::strerror(errno));
        return 1;
    }
    g_wake_write = wake[1];
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    chat_server server(std::move(opt));
    if (!server.listen_and_announce(wake[0])) {
        return 1;
    }
    return server.run();
}
