// SPDX-License-Identifier: MIT
// hixie76-gateway — legacy WebSocket clients (draft-hixie-76 / hybi-00 and draft-75) in front
// of any RFC 6455 backend: one upstream RFC 6455 connection per client, on a single-threaded
// Boost.Asio io_context, with hixie76 for the legacy side and Boost.Beast for RFC 6455.
//
// A connection's way in:
//
//   accept ─► [--proxy-protocol: read exactly the PROXY v1/v2 header; the source is the client]
//          ─► [--tls-cert: peek one byte: 0x16 → TLS handshake, else "plain text on a TLS
//              port", close]
//          ─► legacy_session: request_parser decides (legacy_session.hpp); RFC 6455 requests
//             go on to a modern_session (modern_session.hpp); each has an upstream link
//             (upstream.hpp)
//
// The parts: options.hpp (command line), proxy_protocol.hpp (PROXY header parser),
// metrics.hpp (counters, Prometheus text), core.hpp (registry, log), this file (listening,
// TLS setup, the accept steps, signals).
#include "legacy_session.hpp"
#include "proxy_protocol.hpp"

#include "../common/asio_listen.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>

#include <openssl/ssl.h>

#include <csignal>

namespace gateway {
namespace {

/// The steps before a session: the PROXY header and the TLS handshake, bounded by
/// --handshake-timeout.
class accept_step final : public session {
public:
    accept_step(server_base& srv, tcp::socket socket, client_id who, ssl::context* tls)
        : srv_(srv), socket_(std::move(socket)), who_(std::move(who)), tls_(tls),
          timer_(srv.context()) {}

    void start() {
        timer_.expires_after(srv_.opt().handshake_timeout);
        timer_.async_wait([self = self<accept_step>()](const error_code& ec) {
            if (!ec && !self->done_) {
                log_line("error client=%s: %s not done within --handshake-timeout; closed",
                         self->who_.name.c_str(),
                         self->in_tls_ ? "TLS handshake" : "PROXY header");
                self->finish();
            }
        });
        if (srv_.opt().proxy_protocol) {
            read_proxy(proxy::first_read);
        } else {
            after_proxy();
        }
    }

    void shut_down() override { finish(); }

private:
    // --- PROXY protocol: exact reads, so no byte of the client's stream is taken ----------------

    void read_proxy(std::size_t more) {
        const std::size_t at = header_.size();
        header_.resize(at + more);
        asio::async_read(socket_, asio::buffer(&header_[at], more),
                         [self = self<accept_step>()](const error_code& ec, std::size_t) {
                             self->on_proxy(ec);
                         });
    }

    void on_proxy(const error_code& ec) {
        if (done_) {
            return;
        }
        if (ec) {
            log_line("error client=%s: connection closed before a PROXY header (%s)",
                     who_.name.c_str(), ec.message().c_str());
            finish();
            return;
        }
        const proxy::result r = proxy::parse(header_);
        if (r.st == proxy::status::need_more) {
            read_proxy(r.more);
            return;
        }
        if (r.st == proxy::status::failed) {
            log_line("error client=%s: %s (--proxy-protocol); closed", who_.name.c_str(), r.why);
            finish();
            return;
        }
        if (r.has_source) {
            who_.ip = r.source_ip;
            who_.name = endpoint_name(r.source_ip, r.source_port);
        }
        header_.clear();
        header_.shrink_to_fit();
        after_proxy();
    }

    // --- TLS -----------------------------------------------------------------------------------

    void after_proxy() {
        if (tls_ == nullptr) {
            done_ = true;
            timer_.cancel();
            launch(tcp::socket(std::move(socket_)));
            return;
        }
        in_tls_ = true;
        // Peek at the first byte: a TLS record starts with 0x16 (handshake).
        socket_.async_wait(tcp::socket::wait_read, [self = self<accept_step>()](const error_code& ec) {
            self->on_readable(ec);
        });
    }

    void on_readable(const error_code& ec) {
        if (done_) {
            return;
        }
        std::array<char, 16> peek{};
        error_code e = ec;
        std::size_t n = 0;
        if (!e) {
            n = socket_.receive(asio::buffer(peek), tcp::socket::message_peek, e);
        }
        if (e || n == 0) {
            log_line("error client=%s: connection closed before the TLS handshake",
                     who_.name.c_str());
            finish();
            return;
        }
        if (peek[0] != '\x16') {
            log_line("error client=%s: plain text on a TLS port (\"%s\"); closed",
                     who_.name.c_str(), printable(std::string_view(peek.data(), n)).c_str());
            finish();
            return;
        }
        stream_ = std::make_unique<tls_stream>(std::move(socket_), *tls_);
        stream_->async_handshake(ssl::stream_base::server,
                                 [self = self<accept_step>()](const error_code& e2) {
                                     self->on_tls(e2);
                                 });
    }

    void on_tls(const error_code& ec) {
        if (done_) {
            return;
        }
        if (ec) {
            log_line("error client=%s: TLS handshake failed: %s", who_.name.c_str(),
                     ec.message().c_str());
            finish();
            return;
        }
        done_ = true;
        timer_.cancel();
        launch(std::move(*stream_));
    }

    template <class Stream> void launch(Stream stream) {
        auto s = std::make_shared<legacy_session<Stream>>(srv_, std::move(stream), who_);
        srv_.add(s);
        srv_.remove(this);
        s->start();
    }

    void finish() {
        if (done_ && !in_registry_) {
            return;
        }
        done_ = true;
        in_registry_ = false;
        timer_.cancel();
        error_code ignored;
        socket_.close(ignored);
        if (stream_) {
            beast::get_lowest_layer(*stream_).close(ignored);
        }
        srv_.remove(this);
    }

    server_base& srv_;
    tcp::socket socket_;
    client_id who_;
    ssl::context* tls_;
    asio::steady_timer timer_;
    std::string header_;
    std::unique_ptr<tls_stream> stream_;
    bool done_ = false;
    bool in_tls_ = false;
    bool in_registry_ = true;
};

class server final : public server_base {
public:
    server(asio::io_context& ioc, options opt)
        : server_base(ioc, std::move(opt)), acceptor_(ioc), signals_(ioc, SIGINT, SIGTERM),
          pause_timer_(ioc), stop_timer_(ioc) {}

    /// Loads the certificates and sets up TLS; false (logged) on failure.
    bool set_up_tls() {
        if (opt_.upstream.secure) {
            upstream_tls_ = std::make_unique<ssl::context>(ssl::context::tls_client);
            error_code ec;
            upstream_tls_->set_default_verify_paths(ec); // SSL_CERT_FILE / SSL_CERT_DIR apply
            upstream_tls_->set_verify_mode(ssl::verify_peer);
            if (ec) {
                log_line("hixie76-gateway: cannot load the system CAs: %s", ec.message().c_str());
                return false;
            }
        }
        if (!opt_.tls()) {
            return true;
        }
        tls_ = std::make_unique<ssl::context>(ssl::context::tls_server);
        SSL_CTX* ctx = tls_->native_handle();
        const int min = opt_.tls_min == 10   ? TLS1_VERSION
                        : opt_.tls_min == 11 ? TLS1_1_VERSION
                                             : TLS1_2_VERSION;
        SSL_CTX_set_min_proto_version(ctx, min);
        if (opt_.tls_min < 12) {
            // OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level (1, and 2 in
            // Debian's configuration): their handshake signs with SHA-1 / MD5+SHA-1. Level 0
            // for this context only lets the old devices in; TLS 1.2+ clients still negotiate
            // what they would anyway.
            SSL_CTX_set_security_level(ctx, 0);
            SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
        }
        tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::single_dh_use);
        error_code ec;
        tls_->use_certificate_chain_file(opt_.tls_cert, ec);
        if (ec) {
            log_line("hixie76-gateway: --tls-cert %s: %s", opt_.tls_cert.c_str(),
                     ec.message().c_str());
            return false;
        }
        tls_->use_private_key_file(opt_.tls_key, ssl::context::pem, ec);
        if (ec) {
            log_line("hixie76-gateway: --tls-key %s: %s", opt_.tls_key.c_str(),
                     ec.message().c_str());
            return false;
        }
        if (SSL_CTX_check_private_key(ctx) != 1) {
            log_line("hixie76-gateway: --tls-key does not match --tls-cert");
            return false;
        }
        return true;
    }

    /// Opens the listening socket and prints `listening on ADDR:PORT`; false on failure.
    bool listen_and_announce() {
        const std::string failed = hixie76_examples::asio_listen(
            ioc_, acceptor_, opt_.bind, opt_.port, asio::socket_base::max_listen_connections);
        if (!failed.empty()) {
            log_line("hixie76-gateway: %s", failed.c_str());
            return false;
        }
        error_code ec;
        log_line("hixie76-gateway: upstream %s%s%s", opt_.upstream_text.c_str(),
                 opt_.tls() ? ", TLS from " : "",
                 opt_.tls() ? (opt_.tls_min == 10   ? "1.0 (security level 0)"
                               : opt_.tls_min == 11 ? "1.1 (security level 0)"
                                                    : "1.2")
                            : "");
        const tcp::endpoint local = acceptor_.local_endpoint(ec);
        std::printf("listening on %s\n",
                    endpoint_name(local.address().to_string(), local.port()).c_str());
        std::fflush(stdout);
        return true;
    }

    void start() {
        signals_.async_wait([this](const error_code& ec, int sig) {
            if (!ec) {
                begin_shutdown(sig);
            }
        });
        accept();
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
                log_line("error accept: %s (pausing for 100 ms)", ec.message().c_str());
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

    void on_accepted(tcp::socket socket, const tcp::endpoint& peer) {
        error_code ec;
        client_id who;
        who.ip = peer.address().to_string();
        who.name = endpoint_name(who.ip, peer.port());
        if (live() >= opt_.max_clients + handshake_slack) {
            log_line("error client=%s: too many connections (--max-clients); closed",
                     who.name.c_str());
            return; // the socket closes as it goes out of scope
        }
        socket.set_option(tcp::no_delay(true), ec);
        // A small kernel send buffer, so that a client that stops reading fills --max-queue
        // (and is closed) instead of parking megabytes in the kernel (loopback autotunes to 4 MiB).
        socket.set_option(asio::socket_base::send_buffer_size(kernel_send_buffer), ec);
        auto step = std::make_shared<accept_step>(*this, std::move(socket), std::move(who),
                                                  tls_.get());
        add(step);
        step->start();
    }

    /// A signal: stop accepting, close every connection politely, stop once all are gone or
    /// at the latest after the closing handshakes' time limit.
    void begin_shutdown(int sig) {
        stopping_ = true;
        log_line("hixie76-gateway: signal %d: closing every connection", sig);
        error_code ignored;
        acceptor_.close(ignored);
        pause_timer_.cancel();
        stop_timer_.expires_after(close_timeout + milliseconds(500));
        stop_timer_.async_wait([this](const error_code& ec) {
            if (!ec) {
                ioc_.stop();
            }
        });
        std::vector<std::shared_ptr<session>> everyone;
        everyone.reserve(live_.size());
        for (const auto& entry : live_) {
            everyone.push_back(entry.second);
        }
        for (const auto& s : everyone) {
            s->shut_down();
        }
        check_all_closed();
    }

    void on_all_closed() override {
        // Every client and upstream connection has ended: what may still be queued are the
        // handlers of cancelled operations, which have nothing left to do. Stopping here
        // rather than waiting for the queue to drain keeps the exit prompt whatever remains.
        ioc_.stop();
    }

    tcp::acceptor acceptor_;
    asio::signal_set signals_;
    asio::steady_timer pause_timer_; ///< accept() paused after EMFILE and the like
    tcp::endpoint peer_;             ///< the address of the client being accepted
    asio::steady_timer stop_timer_;  ///< the bound on a shutdown
    std::unique_ptr<ssl::context> tls_;
};

} // namespace
} // namespace gateway

int main(int argc, char** argv) {
    gateway::options opt;
    const int status = gateway::parse_options(argc, argv, opt);
    if (status >= 0) {
        return status;
    }
    std::signal(SIGPIPE, SIG_IGN); // a peer that resets must not kill the gateway

    // One io_context on this thread runs every socket, timer and signal.
    boost::asio::io_context ioc(1);
    gateway::server srv(ioc, std::move(opt));
    if (!srv.set_up_tls() || !srv.listen_and_announce()) {
        return 1;
    }
    srv.start();
    ioc.run();
    gateway::log_line("hixie76-gateway: stopped");
    return 0;
}
