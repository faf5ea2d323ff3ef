// SPDX-License-Identifier: MIT
// examples/gateway/core.hpp — what every part of hixie76-gateway shares: the Asio and Beast
// names, the registry of live connections (for --max-clients and the shutdown), the metrics,
// the log, and small helpers.
#ifndef HIXIE76_GATEWAY_CORE_HPP
#define HIXIE76_GATEWAY_CORE_HPP

#include "metrics.hpp"
#include "options.hpp"

#include "../common/room.hpp"

#include <hixie76/hixie76.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gateway {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;

/// A client stream over TLS (the plain one is tcp::socket).
using tls_stream = ssl::stream<tcp::socket>;

/// How long a closing handshake, a final response or a lingering close may take.
inline constexpr milliseconds close_timeout{2000};
/// How long a side whose queue is full (--max-queue) may make no progress before it is
/// closed as "not reading". Meanwhile the other side is not read from (backpressure).
inline constexpr milliseconds stall_timeout{5000};
/// SO_SNDBUF of every socket (Linux doubles it): the kernel's share of a side that stops
/// reading stays small, and the gateway's own --max-queue decides when it is closed.
inline constexpr int kernel_send_buffer = 64 * 1024;
/// Connections still in their handshake, beyond --max-clients, before new ones are refused:
/// enough for a burst of connections, few enough that idle sockets cannot exhaust fds.
inline constexpr std::size_t handshake_slack = 64;

/// One log line on stderr (printf-style).
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
inline void log_line(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    const int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    std::size_t len = static_cast<std::size_t>(n) < sizeof(buf) - 1 ? static_cast<std::size_t>(n)
                                                                    : sizeof(buf) - 2;
    buf[len++] = '\n';
    std::fwrite(buf, 1, len, stderr);
}

/// A log-safe copy of untrusted text: at most `max` bytes, control bytes, quotes, backslashes,
/// non-ASCII bytes and (unless `spaces`) spaces as \xNN.
inline std::string printable(std::string_view s, std::size_t max = 200, bool spaces = false) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if ((c == 0x20 && !spaces) || c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > max) {
        out += "...";
    }
    return out;
}

/// `IP:PORT` (`[IPv6]:PORT`).
inline std::string endpoint_name(const std::string& ip, std::uint16_t port) {
    return hixie76_examples::peer_name(ip, std::to_string(port));
}

/// An HTTP response that closes the connection, written by hixie76.
inline std::string http_response(int status, std::string_view body) {
    std::string out = hixie76_examples::http_response(status, "text/plain; charset=utf-8", body);
    // The library names the statuses a legacy server sends; a gateway's two more are named here.
    const std::string_view line = status == 502 ? "HTTP/1.1 502 Bad Gateway\r\n"
                                  : status == 504 ? "HTTP/1.1 504 Gateway Timeout\r\n"
                                                  : "";
    const std::size_t eol = out.find("\r\n");
    if (!line.empty() && eol != std::string::npos) {
        out.replace(0, eol + 2, line);
    }
    return out;
}

/// Backpressure for one relayed connection (--max-queue): while the queue towards one side is
/// full the other side is not read from; reading resumes once half of it is out. A side whose
/// queue stays full with no write completing for stall_timeout has stopped reading: the
/// session closes the connection.
class backpressure {
public:
    explicit backpressure(asio::io_context& ioc) : timer_(ioc) {}

    bool client_paused() const noexcept { return client_paused_; }
    bool upstream_paused() const noexcept { return upstream_paused_; }

    /// The upstream queue holds `queued` bytes: true while the client is not to be read.
    bool check_upstream_queue(std::size_t queued, std::size_t max) {
        if (queued >= max && !client_paused_) {
            client_paused_ = true;
            up_progress_ = clock_type::now();
        }
        return client_paused_;
    }
    /// A write to the upstream completed; true when reading the client resumes.
    bool upstream_progress(std::size_t queued, std::size_t max) {
        up_progress_ = clock_type::now();
        if (client_paused_ && queued <= max / 2) {
            client_paused_ = false;
            return true;
        }
        return false;
    }
    /// The client queue holds `queued` bytes: true when the upstream is now to be paused.
    bool check_client_queue(std::size_t queued, std::size_t max) {
        if (queued >= max && !upstream_paused_) {
            upstream_paused_ = true;
            client_progress_ = clock_type::now();
            return true;
        }
        return false;
    }
    /// A write to the client completed; true when reading the upstream resumes.
    bool client_progress(std::size_t queued, std::size_t max) {
        client_progress_ = clock_type::now();
        if (upstream_paused_ && queued <= max / 2) {
            upstream_paused_ = false;
            return true;
        }
        return false;
    }

    /// Arms the stall check while a side is paused; `stuck(client)` runs when the client
    /// (true) or the upstream (false) has taken nothing for stall_timeout. `keep` holds the
    /// session (and so this object) alive until the check has run.
    template <class Stuck> void watch(std::shared_ptr<void> keep, Stuck stuck) {
        if (watching_ || (!client_paused_ && !upstream_paused_)) {
            return;
        }
        watching_ = true;
        timer_.expires_after(stall_timeout);
        timer_.async_wait([this, keep = std::move(keep), stuck](const error_code& ec) mutable {
            watching_ = false;
            if (ec) {
                return;
            }
            const clock_type::time_point now = clock_type::now();
            if (upstream_paused_ && now - client_progress_ >= stall_timeout) {
                stuck(true);
            } else if (client_paused_ && now - up_progress_ >= stall_timeout) {
                stuck(false);
            } else {
                watch(std::move(keep), stuck);
            }
        });
    }

    void cancel() { timer_.cancel(); }

private:
    asio::steady_timer timer_;
    bool client_paused_ = false;   ///< not reading the client: the upstream queue is full
    bool upstream_paused_ = false; ///< not reading the upstream: the client queue is full
    bool watching_ = false;        ///< timer_ is armed
    clock_type::time_point client_progress_{}; ///< the latest write to the client
    clock_type::time_point up_progress_{};     ///< the latest write to the upstream
};

/// Who the client is: its address as the logs and X-Forwarded-For give it.
struct client_id {
    std::string ip;   ///< the PROXY protocol source when that is on, else the peer's
    std::string name; ///< IP:PORT
};

/// Anything the server must be able to close at shutdown.
class session : public std::enable_shared_from_this<session> {
public:
    session() = default;
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    virtual ~session() = default;
    /// The server is stopping: close politely (bounded by close_timeout), or at once.
    virtual void shut_down() = 0;

protected:
    template <class Derived> std::shared_ptr<Derived> self() {
        return std::static_pointer_cast<Derived>(shared_from_this());
    }
};

/// What the connections need from the server.
class server_base {
public:
    server_base(asio::io_context& ioc, options opt) : ioc_(ioc), opt_(std::move(opt)) {}
    server_base(const server_base&) = delete;
    server_base& operator=(const server_base&) = delete;
    virtual ~server_base() = default;

    asio::io_context& context() noexcept { return ioc_; }
    const options& opt() const noexcept { return opt_; }
    gateway::metrics& stats() noexcept { return metrics_; }
    ssl::context* upstream_tls() noexcept { return upstream_tls_.get(); }
    bool stopping() const noexcept { return stopping_; }

    void add(const std::shared_ptr<session>& s) { live_.emplace(s.get(), s); }
    /// Forgets a closed connection (its pending handlers keep it alive until they have run).
    void remove(const session* s) {
        live_.erase(s);
        check_all_closed();
    }
    std::size_t live() const noexcept { return live_.size(); }

    /// An upstream connection was created / has ended (its closing handshake done or given
    /// up). A shutdown waits for these too, so the upstream sees every close frame answered.
    void link_opened() noexcept { ++links_; }
    void link_closed() {
        --links_;
        check_all_closed();
    }

    /// A relayed connection takes one of --max-clients places; false when all are taken.
    bool take_place() {
        if (places_ >= opt_.max_clients) {
            return false;
        }
        ++places_;
        return true;
    }
    void release_place() noexcept { --places_; }

protected:
    /// Stopping, and every client and upstream connection has ended.
    virtual void on_all_closed() = 0;

    void check_all_closed() {
        if (stopping_ && live_.empty() && links_ == 0) {
            on_all_closed();
        }
    }

    asio::io_context& ioc_;
    options opt_;
    gateway::metrics metrics_;
    std::unique_ptr<ssl::context> upstream_tls_;
    bool stopping_ = false;
    std::size_t places_ = 0;
    std::size_t links_ = 0; ///< upstream connections not yet ended
    std::unordered_map<const session*, std::shared_ptr<session>> live_;
};

} // namespace gateway

#endif // HIXIE76_GATEWAY_CORE_HPP
