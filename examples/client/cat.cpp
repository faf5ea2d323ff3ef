// SPDX-License-Identifier: MIT
// hixie76-cat — a netcat for the legacy WebSocket protocol: stdin lines out as text frames,
// received messages to stdout, one per line (draft-76 / hybi-00 or draft-75).
//
// The program runs in three phases:
//   connect    getaddrinfo (IPv4 or IPv6), a non-blocking connect bounded by the timeout
//   handshake  send the request built by client_handshake; parse the answer until it is
//              complete (the 16-byte token checked), failed, or the timeout expires
//   open       a poll() loop over stdin and the socket (numbered steps in run_open):
//              1. build the poll set  2. wait  3. read stdin  4. read the socket
//              5. write queued bytes  6. decide whether to close
#include <hixie76/hixie76.hpp>

#include "../common/options.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
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
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view usage_text =
    R"(usage: hixie76-cat ws://HOST:PORT/PATH [options]

A command-line client for the legacy WebSocket protocol (draft-hixie-76 / hybi-00 and
draft-75). Each stdin line is sent as a text frame; each text message received is printed
on stdout on its own line. On stdin EOF it waits for further messages (--wait), then
performs the closing handshake and exits 0.

options:
  --origin URL              the Origin to send (default http://HOST[:PORT])
  --protocol NAME           request this subprotocol
  --draft 75|76             protocol version (default 76)
  --header 'Name: value'    add a request field (repeatable)
  --wait MS                 after stdin EOF, wait this long for messages (default 1000)
  --expect N                after stdin EOF, close as soon as N messages in all have
                            arrived (still bounded by --wait)
  --handshake-timeout SECS  bound on connecting plus the opening handshake (default 10)
  --exact-upgrade           require `Upgrade: WebSocket` to the letter (draft-76 4.1 step
                            41; draft-75's first 85 bytes exact); by default its case is
                            ignored, as WebKit-era browsers did (Netty answers in lower case)
  -v, --verbose             report the connection and the close on stderr
  --help                    show this text

Exit status: 0 after a normal close (by either side), 1 when the connection or the
handshake fails (one line on stderr names the reason) or the stream breaks, 2 on a usage
error. wss:// is not supported (no TLS here).
)";

/// How long to wait for the server's FF 00 after sending ours (draft-76 §1.4: bounded).
constexpr milliseconds close_timeout{1000};
/// Longest stdin line: a bigger one is refused rather than buffered without end.
constexpr std::size_t max_line = 16u << 20;
/// Stop reading stdin while this much is unsent (back-pressure from a slow server).
constexpr std::size_t max_unsent = 1u << 20;

struct options {
    std::string url;
    std::string origin;
    std::string protocol;
    hixie76::draft version = hixie76::draft::draft76;
    std::vector<std::string> header_names;
    std::vector<std::string> header_values;
    milliseconds wait{1000};
    std::size_t expect = 0;
    milliseconds handshake_timeout{10000};
    bool verbose = false;
    bool exact_upgrade = false;
};

using hixie76_examples::parse_seconds;
using hixie76_examples::parse_size;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

/// Parses the command line; returns -1 to go on, else the exit status.
int parse_options(int argc, char** argv, options& opt) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        bool ok = value != nullptr;
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage_text.data(), stdout);
            return 0;
        }
        if (arg == "-v" || arg == "--verbose") {
            opt.verbose = true;
            continue;
        }
        if (arg == "--exact-upgrade") {
            opt.exact_upgrade = true;
            continue;
        }
        if (arg.size() > 1 && arg[0] == '-') {
            if (arg == "--origin" && ok) {
                opt.origin = value;
            } else if (arg == "--protocol" && ok) {
                opt.protocol = value;
            } else if (arg == "--draft" && ok) {
                const std::string_view v = value;
                ok = v == "75" || v == "76";
                opt.version = v == "75" ? hixie76::draft::draft75 : hixie76::draft::draft76;
            } else if (arg == "--header" && ok) {
                const std::string_view h = value;
                const std::size_t colon = h.find(':');
                ok = colon != std::string_view::npos && !trim(h.substr(0, colon)).empty();
                if (ok) {
                    opt.header_names.emplace_back(trim(h.substr(0, colon)));
                    opt.header_values.emplace_back(trim(h.substr(colon + 1)));
                }
            } else if (arg == "--wait") {
                std::size_t ms = 0;
                ok = parse_size(value, ms);
                opt.wait = milliseconds(static_cast<long long>(ms));
            } else if (arg == "--expect") {
                ok = parse_size(value, opt.expect);
            } else if (arg == "--handshake-timeout") {
                ok = parse_seconds(value, opt.handshake_timeout);
            } else {
                std::fprintf(stderr, "hixie76-cat: unknown option '%s' (try --help)\n", argv[i]);
                return 2;
            }
            if (!ok) {
                std::fprintf(stderr, "hixie76-cat: %s needs a valid value (try --help)\n", argv[i]);
                return 2;
            }
            ++i;
            continue;
        }
        if (!opt.url.empty()) {
            std::fprintf(stderr, "hixie76-cat: one URL only (try --help)\n");
            return 2;
        }
        opt.url = argv[i];
    }
    if (opt.url.empty()) {
        std::fputs("hixie76-cat: no URL given\n", stderr);
        std::fputs(usage_text.data(), stderr);
        return 2;
    }
    return -1;
}

/// Milliseconds from now until `t` for poll(): 0 when past, -1 for "never".
int ms_until(clock_type::time_point t) {
    if (t == clock_type::time_point::max()) {
        return -1;
    }
    const auto now = clock_type::now();
    if (t <= now) {
        return 0;
    }
    return static_cast<int>(
        std::min<long long>(std::chrono::ceil<milliseconds>(t - now).count(), 60000));
}

/// A printable excerpt of the peer's bytes for an error line: the first line, at most 120
/// characters, control bytes as '?'.
std::string excerpt(std::string_view bytes) {
    std::string out;
    for (char ch : bytes.substr(0, bytes.find('\r'))) {
        if (out.size() >= 120) {
            out += "...";
            break;
        }
        const auto b = static_cast<unsigned char>(ch);
        out += b < 0x20 || b == 0x7F ? '?' : ch;
    }
    return out;
}

[[noreturn]] void fail(const std::string& line) {
    std::fprintf(stderr, "hixie76-cat: %s\n", line.c_str());
    std::exit(1);
}

// --- connect -----------------------------------------------------------------------------------

/// Connects to `host:port` (every address getaddrinfo gives, in order) before `deadline`.
/// Returns a non-blocking socket; on failure prints one line and exits 1.
int connect_to(const std::string& host, std::uint16_t port, clock_type::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port_text = std::to_string(port);
    const std::string where =
        (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port_text;
    const int gai = getaddrinfo(host.c_str(), port_text.c_str(), &hints, &found);
    if (gai != 0) {
        fail("cannot resolve " + host + ": " + gai_strerror(gai));
    }
    int err = ETIMEDOUT;
    int fd = -1;
    for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
        const int s = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s < 0) {
            err = errno;
            continue;
        }
        const int flags = fcntl(s, F_GETFL, 0);
        fcntl(s, F_SETFL, flags | O_NONBLOCK);
        fcntl(s, F_SETFD, FD_CLOEXEC);
        int rc = ::connect(s, ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && (errno == EINPROGRESS || errno == EINTR)) {
            pollfd p{s, POLLOUT, 0};
            int ready = 0;
            do {
                ready = ::poll(&p, 1, ms_until(deadline));
            } while (ready < 0 && errno == EINTR);
            int so_error = ETIMEDOUT;
            if (ready > 0) {
                socklen_t len = sizeof so_error;
                getsockopt(s, SOL_SOCKET, SO_ERROR, &so_error, &len);
            }
            rc = so_error == 0 ? 0 : -1;
            errno = so_error;
        }
        if (rc != 0) {
            err = errno;
            ::close(s);
            continue;
        }
        fd = s;
    }
    freeaddrinfo(found);
    if (fd < 0) {
        fail("cannot connect to " + where + ": " + std::strerror(err));
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// --- the open connection -----------------------------------------------------------------------

class session {
public:
    session(int fd, const options& opt) : fd_(fd), opt_(opt) {
        hixie76::decoder_config dc;
        dc.version = opt.version;
        decoder_ = hixie76::frame_decoder(dc);
        // §4.3: a client decodes invalid UTF-8 as U+FFFD; it is not a connection error.
        hixie76::assembler_config ac;
        ac.utf8 = hixie76::utf8_policy::replace;
        assembler_ = hixie76::message_assembler(ac);
    }

    /// Queues bytes for the socket.
    void queue(std::string_view bytes) { out_.append(bytes); }

    /// Sends the opening request and waits for a complete answer before `deadline`.
    /// Returns the bytes that followed the answer (the server's first frames).
    std::string handshake(hixie76::client_handshake& hs, clock_type::time_point deadline) {
        queue(hs.request());
        std::string in;
        for (;;) {
            pollfd p{fd_, static_cast<short>(POLLIN | (unsent() > 0 ? POLLOUT : 0)), 0};
            const int ready = ::poll(&p, 1, ms_until(deadline));
            if (ready < 0 && errno != EINTR) {
                fail(std::string("poll: ") + std::strerror(errno));
            }
            if (ready == 0) {
                fail("handshake failed: timeout: no complete answer within " +
                     std::to_string(opt_.handshake_timeout.count()) + " ms" +
                     (in.empty() ? std::string() : " (got: " + excerpt(in) + ")"));
            }
            if (ready < 0) {
                continue;
            }
            if ((p.revents & POLLOUT) != 0 && !write_some()) {
                fail(std::string("handshake failed: connection lost while sending: ") +
                     std::strerror(errno));
            }
            if ((p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
            if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
                continue;
            }
            if (n < 0) {
                fail(std::string("handshake failed: ") + std::strerror(errno));
            }
            hixie76::parse_result r{};
            if (n == 0) {
                r = hs.finish(in);
            } else {
                in.append(buf_.data(), static_cast<std::size_t>(n));
                r = hs.parse(in);
            }
            if (r.status == hixie76::parse_status::complete) {
                return in.substr(r.consumed);
            }
            if (r.status == hixie76::parse_status::failed) {
                std::string line = "handshake failed: " + std::string(hixie76::to_string(r.err)) +
                                   " (" + std::string(hixie76::describe(r.err)) + ")";
                if (in.empty()) {
                    line += ": the server closed the connection without answering";
                } else {
                    line += ": " + excerpt(in);
                }
                fail(line);
            }
        }
    }

    /// The open phase; returns the exit status.
    int run(std::string_view first_frames) {
        if (!first_frames.empty() && !on_socket_bytes(first_frames)) {
            return finish();
        }
        for (;;) {
            // 1. Poll set: stdin while it is open and the socket keeps up; the socket for
            //    reading always, for writing while bytes are queued.
            std::array<pollfd, 2> fds{};
            const bool read_stdin = stdin_open_ && !close_sent_ && unsent() < max_unsent;
            fds[0] = {read_stdin ? STDIN_FILENO : -1, POLLIN, 0};
            fds[1] = {fd_, static_cast<short>(POLLIN | (unsent() > 0 ? POLLOUT : 0)), 0};

            // 2. Wait, at most until the --wait or closing deadline.
            const clock_type::time_point deadline = close_sent_ ? close_deadline_ : eof_deadline_;
            const int ready = ::poll(fds.data(), fds.size(), ms_until(deadline));
            if (ready < 0 && errno != EINTR) {
                fail(std::string("poll: ") + std::strerror(errno));
            }

            // 3. Stdin: every complete line becomes a text frame.
            if (ready > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
                read_stdin_once();
            }

            // 4. Socket in: frames → decoder → assembler → stdout. False: the stream ended.
            if (ready > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
                const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
                if (n == 0) {
                    if (opt_.verbose || (opt_.version == hixie76::draft::draft76 && !close_sent_)) {
                        note("the server closed the connection");
                    }
                    return finish();
                }
                if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
                    if (close_sent_) {
                        return finish(); // a reset after our FF 00: the close is over anyway
                    }
                    fail(std::string("connection lost: ") + std::strerror(errno));
                }
                if (n > 0 &&
                    !on_socket_bytes(std::string_view(buf_.data(), static_cast<std::size_t>(n)))) {
                    return finish();
                }
            }

            // 5. Socket out: short writes stay queued for the next POLLOUT.
            if (unsent() > 0 && !write_some()) {
                if (close_sent_) {
                    return finish();
                }
                fail(std::string("connection lost: ") + std::strerror(errno));
            }

            // 6. Close: after stdin EOF, once --expect messages came or --wait ran out, send
            //    FF 00 (draft-76; draft-75 has no closing handshake) and wait, bounded, for the
            //    server's FF 00 or its close.
            const auto now = clock_type::now();
            if (!stdin_open_ && !close_sent_ &&
                (now >= eof_deadline_ || (opt_.expect > 0 && received_ >= opt_.expect))) {
                start_close();
            }
            if (close_sent_ && unsent() == 0 && opt_.version == hixie76::draft::draft75) {
                return finish();
            }
            if (close_sent_ && now >= close_deadline_) {
                if (opt_.version == hixie76::draft::draft76) {
                    note("no closing handshake from the server within 1 s; closing");
                }
                return finish();
            }
        }
    }

private:
    std::size_t unsent() const noexcept { return out_.size() - out_off_; }

    void note(const char* what) const { std::fprintf(stderr, "hixie76-cat: %s\n", what); }

    /// Writes queued bytes until done or the socket is full; false on a write error.
    bool write_some() {
        while (unsent() > 0) {
            const ssize_t w = ::send(fd_, out_.data() + out_off_, unsent(), MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return errno == EAGAIN || errno == EWOULDBLOCK;
            }
            out_off_ += static_cast<std::size_t>(w);
        }
        out_.clear();
        out_off_ = 0;
        return true;
    }

    void read_stdin_once() {
        const ssize_t n = ::read(STDIN_FILENO, buf_.data(), buf_.size());
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (n <= 0) {
            if (n < 0) {
                std::fprintf(stderr, "hixie76-cat: stdin: %s\n", std::strerror(errno));
            }
            if (!line_.empty()) {
                send_line(line_); // a last line without a newline is still a line
                line_.clear();
            }
            stdin_open_ = false;
            eof_deadline_ = clock_type::now() + opt_.wait;
            return;
        }
        std::string_view data(buf_.data(), static_cast<std::size_t>(n));
        for (std::size_t nl = data.find('\n'); nl != std::string_view::npos; nl = data.find('\n')) {
            line_.append(data.substr(0, nl));
            data.remove_prefix(nl + 1);
            send_line(line_);
            line_.clear();
        }
        line_.append(data);
        if (line_.size() > max_line) {
            fail("a stdin line is longer than " + std::to_string(max_line) + " bytes");
        }
    }

    void send_line(std::string_view text) {
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1); // CRLF input
        }
        ++lines_;
        if (close_sent_) {
            return;
        }
        // A sender must send valid UTF-8 (draft-76 §4.2, §7); invalid input is not sent.
        const hixie76::error e = hixie76::append_text(out_, text, hixie76::utf8_check::reject);
        if (e != hixie76::error::none) {
            std::fprintf(stderr, "hixie76-cat: stdin line %zu not sent: %s\n", lines_,
                         std::string(hixie76::describe(e)).c_str());
        }
    }

    /// Feeds the server's bytes to the decoder; false once the server closed (FF 00).
    bool on_socket_bytes(std::string_view in) {
        while (!in.empty()) {
            const hixie76::frame_event ev = decoder_.next(in);
            in.remove_prefix(ev.consumed);
            switch (ev.kind) {
            case hixie76::frame_kind::need_more:
                return true;
            case hixie76::frame_kind::text: {
                const hixie76::assemble_result r = assembler_.push(ev);
                if (r.status == hixie76::parse_status::failed) {
                    fail("message refused: " + std::string(hixie76::describe(r.err)));
                }
                if (r.status == hixie76::parse_status::complete) {
                    const std::string& m = assembler_.message();
                    std::fwrite(m.data(), 1, m.size(), stdout);
                    std::fputc('\n', stdout);
                    std::fflush(stdout);
                    ++received_;
                }
                break;
            }
            case hixie76::frame_kind::binary:
                break;
            case hixie76::frame_kind::skipped:
                // §4.2: a frame of another type is discarded; "a WebSocket error" (non-fatal).
                if (opt_.verbose) {
                    std::fprintf(stderr, "hixie76-cat: skipped a frame of type 0x%02X\n",
                                 static_cast<unsigned>(ev.type));
                }
                break;
            case hixie76::frame_kind::close:
                // §4.2: the server started the closing handshake: answer once, then close.
                if (opt_.verbose) {
                    note(close_sent_ ? "closing handshake complete"
                                     : "closing handshake from the server");
                }
                if (!close_sent_) {
                    queue(
                        std::string_view(hixie76::close_frame.data(), hixie76::close_frame.size()));
                    close_sent_ = true;
                    write_some();
                }
                return false;
            case hixie76::frame_kind::failed:
                fail("bad frame from the server: " + std::string(hixie76::to_string(ev.err)) +
                     " (" + std::string(hixie76::describe(ev.err)) + ")");
            }
        }
        return true;
    }

    void start_close() {
        close_sent_ = true;
        close_deadline_ = clock_type::now() + close_timeout;
        if (opt_.version == hixie76::draft::draft76) {
            queue(std::string_view(hixie76::close_frame.data(), hixie76::close_frame.size()));
        }
        write_some();
    }

    int finish() {
        // Send what is still queued (our FF 00 at least) with a short bound, then close.
        const auto until = clock_type::now() + milliseconds(500);
        while (unsent() > 0 && clock_type::now() < until) {
            if (!write_some()) {
                break;
            }
            if (unsent() > 0) {
                pollfd p{fd_, POLLOUT, 0};
                ::poll(&p, 1, ms_until(until));
            }
        }
        ::close(fd_);
        if (opt_.verbose) {
            std::fprintf(stderr, "hixie76-cat: closed after %zu messages\n", received_);
        }
        return 0;
    }

    int fd_;
    const options& opt_;
    hixie76::frame_decoder decoder_{};
    hixie76::message_assembler assembler_{};
    std::string out_;
    std::size_t out_off_ = 0;
    std::string line_;
    std::size_t lines_ = 0;
    std::size_t received_ = 0;
    bool stdin_open_ = true;
    bool close_sent_ = false;
    clock_type::time_point eof_deadline_ = clock_type::time_point::max();
    clock_type::time_point close_deadline_ = clock_type::time_point::max();
    std::array<char, 64 * 1024> buf_{};
};

} // namespace

int main(int argc, char** argv) {
    options opt;
    const int status = parse_options(argc, argv, opt);
    if (status >= 0) {
        return status;
    }
    std::signal(SIGPIPE, SIG_IGN);

    // The request: keys and key3 from a generator seeded by the system's entropy source.
    std::random_device entropy;
    std::seed_seq seed{entropy(), entropy(), entropy(), entropy(),
                       entropy(), entropy(), entropy(), entropy()};
    std::mt19937 rng(seed);
    std::vector<hixie76::header_field> fields;
    for (std::size_t i = 0; i < opt.header_names.size(); ++i) {
        fields.push_back({opt.header_names[i], opt.header_values[i]});
    }
    hixie76::client_options co;
    co.version = opt.version;
    co.origin = opt.origin;
    co.protocol = opt.protocol;
    co.exact_upgrade = opt.exact_upgrade;
    co.extra_fields = hixie76::field_list(fields.data(), fields.size());
    hixie76::client_handshake hs;
    const hixie76::error e = hs.start(opt.url, co, rng);
    if (e != hixie76::error::none) {
        std::fprintf(stderr, "hixie76-cat: cannot start: %s (%s)\n",
                     std::string(hixie76::to_string(e)).c_str(),
                     std::string(hixie76::describe(e)).c_str());
        return 2;
    }
    const hixie76::url_result url = hixie76::parse_ws_url(opt.url);
    if (url.url.secure) {
        std::fputs("hixie76-cat: wss:// needs TLS, which this example does not do\n", stderr);
        return 2;
    }

    const auto deadline = clock_type::now() + opt.handshake_timeout;
    const int fd = connect_to(std::string(url.url.host), url.url.port, deadline);
    session s(fd, opt);
    const std::string first_frames = s.handshake(hs, deadline);
    if (opt.verbose) {
        std::fprintf(stderr, "hixie76-cat: connected to %s (draft-%d)\n", opt.url.c_str(),
                     static_cast<int>(opt.version));
    }
    return s.run(first_frames);
}
