// SPDX-License-Identifier: MIT
// tests/gateway/upstream_room.cpp — an RFC 6455 broadcast room on Boost.Beast, the upstream the
// gateway tests put behind hixie76-gateway. It records what it sees, one JSON object per line
// on stdout, so a test can check both sides of the gateway:
//
//   {"event":"handshake","id":N,"target":"/x?y","headers":[["Origin","..."],...],"peer":"A:P"}
//   {"event":"open","id":N,"protocol":"chat"}      {"event":"text","id":N,"len":L,"data":"..."}
//   {"event":"binary","id":N,"len":L,"hex":"..."}  {"event":"ping"|"pong","id":N,"data":"..."}
//   {"event":"close","id":N,"code":C,"reason":"..."}  (the peer's close frame)
//   {"event":"end","id":N,"error":"..."}           (the connection ended; after "close" or not)
//   {"event":"refused","id":N,"status":S}  {"event":"stalled","id":N}  {"event":"overflow",...}
//
// Every text or binary message is relayed to every member (the sender too), unchanged, in the
// order read. A text message starting with '!' is a command for the sender's connection only:
//   !whoami            → text "id N"
//   !send TEXT         → text TEXT
//   !binary TEXT       → a binary message holding TEXT's bytes
//   !binhex HEX        → a binary message holding those bytes
//   !ping DATA         → a ping with DATA
//   !close CODE [WHY]  → the closing handshake with that code
//   !vanish            → the TCP connection is closed without a close frame
//   !flood N SIZE      → N text messages of SIZE bytes ("k:" then 'x's), as fast as possible
//   !pause             → this connection is not read from any more
//
//   upstream_room [--bind ADDR] [--port N] [--refuse STATUS] [--stall] [--delay MS]
//                 [--subprotocol echo|none|NAME] [--max-queue BYTES] [--rooms-by-path]
//                 [--quiet]
//
// --quiet prints no records (for benchmarks).
// With --rooms-by-path, connections whose targets have different paths (the query ignored)
// are in different rooms; by default there is one room.
//
// Prints "listening on ADDR:PORT" first. SIGINT/SIGTERM: exits 0 at once. A test helper: no
// timeouts of its own, queues bounded by --max-queue (the connection is dropped beyond it).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <set>
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

struct options {
    std::string bind = "127.0.0.1";
    std::uint16_t port = 0;
    unsigned refuse = 0;                ///< answer every handshake with this status
    bool stall = false;                 ///< never answer a handshake
    long delay_ms = 0;                  ///< wait this long before the 101
    std::string subprotocol = "echo";   ///< echo: the first offered; none; or a fixed name
    std::size_t max_queue = 64u << 20;  ///< unsent bytes per connection before it is dropped
    bool rooms_by_path = false;         ///< one room per target path instead of one in all
};

options opt;

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", u);
            out += esc;
        } else {
            out += c; // UTF-8 passes through; invalid bytes too (the reader replaces them)
        }
    }
    out += '"';
    return out;
}

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

std::string hex(std::string_view s) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out += digits[u >> 4];
        out += digits[u & 15];
    }
    return out;
}

std::string unhex(std::string_view s) {
    std::string out;
    auto val = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
        const int hi = val(s[i]);
        const int lo = val(s[i + 1]);
        if (hi < 0 || lo < 0) break;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

bool quiet = false; // --quiet: no records (for benchmarks)

void record(const std::string& line) {
    if (quiet) return;
    std::fputs(line.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string endpoint_name(const tcp::endpoint& ep) {
    const std::string a = ep.address().to_string();
    return (ep.address().is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(ep.port());
}

class session;
std::set<session*> room;     // members, in no particular order
std::vector<std::shared_ptr<session>> stalled; // never answered or never read, held to the end
std::uint64_t next_id = 1;

struct outgoing {
    enum kind_t { text, binary, ping, close, vanish } kind;
    std::shared_ptr<const std::string> data;
    std::uint16_t code = 0;
};

class session : public std::enable_shared_from_this<session> {
public:
    explicit session(tcp::socket s) : socket_(std::move(s)), timer_(socket_.get_executor()) {}

    ~session() { room.erase(this); }

    void start() {
        error_code ec;
        peer_ = endpoint_name(socket_.remote_endpoint(ec));
        http::async_read(socket_, buffer_, request_,
                         [self = shared_from_this()](error_code e, std::size_t) {
                             self->on_request(e);
                         });
    }

    void send(outgoing o) {
        if (ws_ == nullptr || ended_) return;
        queued_ += o.data ? o.data->size() : 0;
        out_.push_back(std::move(o));
        if (queued_ > opt.max_queue) {
            record("{\"event\":\"overflow\",\"id\":" + std::to_string(id_) + ",\"queued\":" +
                   std::to_string(queued_) + "}");
            out_.clear();
            queued_ = 0;
            out_.push_back(outgoing{outgoing::vanish, nullptr, 0});
            if (writing_) { // the pending write fails once the socket is closed
                error_code ec;
                beast::get_lowest_layer(*ws_).close(ec);
            }
        }
        write_next();
    }

private:
    void on_request(error_code ec) {
        if (ec) {
            record("{\"event\":\"end\",\"id\":" + std::to_string(id_) + ",\"error\":" +
                   json_string("before the handshake: " + ec.message()) + "}");
            return;
        }
        std::string line = "{\"event\":\"handshake\",\"id\":" + std::to_string(id_) +
                           ",\"target\":" + json_string(sv(request_.target())) + ",\"peer\":" +
                           json_string(peer_) + ",\"headers\":[";
        bool first = true;
        for (const auto& f : request_) {
            line += first ? "[" : ",[";
            first = false;
            line += json_string(sv(f.name_string())) + "," + json_string(sv(f.value())) + "]";
        }
        record(line + "]}");
        if (opt.stall) {
            record("{\"event\":\"stalled\",\"id\":" + std::to_string(id_) + "}");
            stalled.push_back(shared_from_this());
            return;
        }
        if (opt.refuse != 0 || !websocket::is_upgrade(request_)) {
            const unsigned status = opt.refuse != 0 ? opt.refuse : 400;
            record("{\"event\":\"refused\",\"id\":" + std::to_string(id_) + ",\"status\":" +
                   std::to_string(status) + "}");
            response_.result(status);
            response_.version(11);
            response_.set(http::field::content_type, "text/plain");
            response_.set(http::field::connection, "close");
            response_.body() = "refused by the test upstream\n";
            response_.prepare_payload();
            http::async_write(socket_, response_,
                              [self = shared_from_this()](error_code, std::size_t) {
                                  error_code e;
                                  self->socket_.shutdown(tcp::socket::shutdown_both, e);
                                  self->socket_.close(e);
                              });
            return;
        }
        timer_.expires_after(std::chrono::milliseconds(opt.delay_ms));
        timer_.async_wait([self = shared_from_this()](error_code) { self->accept(); });
    }

    void accept() {
        std::string offered(request_[http::field::sec_websocket_protocol]);
        if (opt.subprotocol == "echo") {
            const auto comma = offered.find(',');
            protocol_ = offered.substr(0, comma);
            while (!protocol_.empty() && protocol_.back() == ' ') protocol_.pop_back();
        } else if (opt.subprotocol != "none") {
            protocol_ = opt.subprotocol;
        }
        ws_ = std::make_unique<websocket::stream<tcp::socket>>(std::move(socket_));
        ws_->read_message_max(64u << 20);
        const std::string proto = protocol_;
        ws_->set_option(websocket::stream_base::decorator([proto](websocket::response_type& r) {
            r.set(http::field::server, "upstream_room");
            if (!proto.empty()) r.set(http::field::sec_websocket_protocol, proto);
        }));
        ws_->control_callback([this](websocket::frame_type kind, beast::string_view payload) {
            if (kind == websocket::frame_type::close) return; // reported when the read ends
            record(std::string("{\"event\":\"") +
                   (kind == websocket::frame_type::ping ? "ping" : "pong") + "\",\"id\":" +
                   std::to_string(id_) + ",\"data\":" + json_string(sv(payload)) + "}");
        });
        ws_->async_accept(request_, [self = shared_from_this()](error_code ec) {
            self->on_accept(ec);
        });
    }

    void on_accept(error_code ec) {
        if (ec) {
            record("{\"event\":\"end\",\"id\":" + std::to_string(id_) + ",\"error\":" +
                   json_string("accept: " + ec.message()) + "}");
            return;
        }
        room.insert(this);
        path_ = std::string(sv(request_.target()).substr(0, sv(request_.target()).find('?')));
        record("{\"event\":\"open\",\"id\":" + std::to_string(id_) + ",\"protocol\":" +
               json_string(protocol_) + "}");
        read();
    }

    void read() {
        ws_->async_read(in_, [self = shared_from_this()](error_code ec, std::size_t) {
            self->on_read(ec);
        });
    }

    void on_read(error_code ec) {
        if (ec) {
            if (ec == websocket::error::closed) {
                record("{\"event\":\"close\",\"id\":" + std::to_string(id_) + ",\"code\":" +
                       std::to_string(ws_->reason().code) + ",\"reason\":" +
                       json_string(std::string(ws_->reason().reason.c_str())) + "}");
            }
            end(ec.message());
            return;
        }
        const bool binary = ws_->got_binary();
        auto data = std::make_shared<const std::string>(beast::buffers_to_string(in_.data()));
        in_.consume(in_.size());
        if (binary) {
            record("{\"event\":\"binary\",\"id\":" + std::to_string(id_) + ",\"len\":" +
                   std::to_string(data->size()) + ",\"hex\":\"" + hex(data->substr(0, 64)) +
                   "\"}");
        } else {
            record("{\"event\":\"text\",\"id\":" + std::to_string(id_) + ",\"len\":" +
                   std::to_string(data->size()) + ",\"data\":" + json_string(data->substr(0, 200)) +
                   "}");
        }
        if (!binary && !data->empty() && (*data)[0] == '!') {
            if (command(*data)) read();
            return;
        }
        // Copied first: a send may drop a member (and erase it from the room).
        std::vector<std::shared_ptr<session>> members;
        for (session* s : room) {
            if (!opt.rooms_by_path || s->path_ == path_) members.push_back(s->shared_from_this());
        }
        for (auto& m : members) {
            m->send(outgoing{binary ? outgoing::binary : outgoing::text, data, 0});
        }
        read();
    }

    /// Runs a '!' command; false when this connection is no longer read.
    bool command(const std::string& line) {
        const auto space = line.find(' ');
        const std::string name = line.substr(0, space);
        const std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
        auto text = [](std::string s) { return std::make_shared<const std::string>(std::move(s)); };
        if (name == "!whoami") {
            send(outgoing{outgoing::text, text("id " + std::to_string(id_)), 0});
        } else if (name == "!send") {
            send(outgoing{outgoing::text, text(arg), 0});
        } else if (name == "!binary") {
            send(outgoing{outgoing::binary, text(arg), 0});
        } else if (name == "!binhex") {
            send(outgoing{outgoing::binary, text(unhex(arg)), 0});
        } else if (name == "!ping") {
            send(outgoing{outgoing::ping, text(arg), 0});
        } else if (name == "!close") {
            const auto sp = arg.find(' ');
            const unsigned long code = std::strtoul(arg.c_str(), nullptr, 10);
            send(outgoing{outgoing::close, text(sp == std::string::npos ? "" : arg.substr(sp + 1)),
                          static_cast<std::uint16_t>(code)});
        } else if (name == "!vanish") {
            send(outgoing{outgoing::vanish, nullptr, 0});
            return false;
        } else if (name == "!flood") {
            char* end = nullptr;
            const unsigned long n = std::strtoul(arg.c_str(), &end, 10);
            const unsigned long size = std::strtoul(end, nullptr, 10);
            for (unsigned long k = 0; k < n && k < 1000000; ++k) {
                std::string body = std::to_string(k) + ":";
                if (body.size() < size) body.append(size - body.size(), 'x');
                send(outgoing{outgoing::text, text(std::move(body)), 0});
            }
        } else if (name == "!pause") {
            record("{\"event\":\"paused\",\"id\":" + std::to_string(id_) + "}");
            stalled.push_back(shared_from_this()); // no read pending: held here instead
            return false;
        } else {
            send(outgoing{outgoing::text, text("unknown command " + name), 0});
        }
        return true;
    }

    void write_next() {
        if (writing_ || out_.empty() || ended_) return;
        outgoing o = std::move(out_.front());
        out_.pop_front();
        writing_ = true;
        auto self = shared_from_this();
        auto done = [self, size = o.data ? o.data->size() : 0](error_code ec, std::size_t = 0) {
            self->writing_ = false;
            self->queued_ -= std::min(self->queued_, size);
            if (ec) {
                self->end("write: " + ec.message());
                return;
            }
            self->write_next();
        };
        switch (o.kind) {
        case outgoing::text:
        case outgoing::binary:
            ws_->binary(o.kind == outgoing::binary);
            ws_->async_write(asio::buffer(*o.data),
                             [done, o](error_code ec, std::size_t n) { done(ec, n); });
            break;
        case outgoing::ping:
            ws_->async_ping(websocket::ping_data(o.data->c_str()),
                            [done, o](error_code ec) { done(ec); });
            break;
        case outgoing::close:
        {
            websocket::close_reason why(o.code);
            why.reason = o.data->substr(0, 120).c_str();
            ws_->async_close(why, [done, o](error_code ec) { done(ec); });
        }
            break;
        case outgoing::vanish: {
            error_code ec;
            auto& sock = beast::get_lowest_layer(*ws_);
            sock.set_option(asio::socket_base::linger(false, 0), ec);
            sock.close(ec);
            writing_ = false;
            end("vanished on request");
            break;
        }
        }
    }

    void end(const std::string& why) {
        if (ended_) return;
        ended_ = true;
        room.erase(this);
        record("{\"event\":\"end\",\"id\":" + std::to_string(id_) + ",\"error\":" +
               json_string(why) + "}");
        error_code ec;
        if (ws_ != nullptr) beast::get_lowest_layer(*ws_).close(ec);
    }

    tcp::socket socket_;
    asio::steady_timer timer_;
    std::unique_ptr<websocket::stream<tcp::socket>> ws_;
    beast::flat_buffer buffer_;
    beast::flat_buffer in_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
    std::deque<outgoing> out_;
    std::size_t queued_ = 0;
    bool writing_ = false;
    bool ended_ = false;
    std::string peer_;
    std::string protocol_;
    std::string path_;
    std::uint64_t id_ = next_id++;
};

void do_accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([&acceptor](error_code ec, tcp::socket s) {
        if (!ec) {
            std::make_shared<session>(std::move(s))->start();
        }
        do_accept(acceptor);
    });
}

int usage(const char* problem) {
    std::fprintf(stderr,
                 "upstream_room: %s\nusage: upstream_room [--bind ADDR] [--port N] "
                 "[--refuse STATUS] [--stall] [--delay MS] [--subprotocol echo|none|NAME] "
                 "[--max-queue BYTES] [--rooms-by-path] [--quiet]\n",
                 problem);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (a == "--stall") {
            opt.stall = true;
            continue;
        }
        if (a == "--quiet") {
            quiet = true;
            continue;
        }
        if (a == "--rooms-by-path") {
            opt.rooms_by_path = true;
            continue;
        }
        if (a == "--help") {
            usage("an RFC 6455 broadcast room for tests");
            return 0;
        }
        if (v == nullptr) return usage("missing value");
        ++i;
        if (a == "--bind") {
            opt.bind = v;
        } else if (a == "--port") {
            opt.port = static_cast<std::uint16_t>(std::strtoul(v, nullptr, 10));
        } else if (a == "--refuse") {
            opt.refuse = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
        } else if (a == "--delay") {
            opt.delay_ms = std::strtol(v, nullptr, 10);
        } else if (a == "--subprotocol") {
            opt.subprotocol = v;
        } else if (a == "--max-queue") {
            opt.max_queue = static_cast<std::size_t>(std::strtoull(v, nullptr, 10));
        } else {
            return usage("unknown option");
        }
    }
    asio::io_context ioc;
    error_code ec;
    const auto address = asio::ip::make_address(opt.bind, ec);
    if (ec) return usage("bad --bind address");
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint ep(address, opt.port);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::fprintf(stderr, "upstream_room: cannot listen: %s\n", ec.message().c_str());
        return 1;
    }
    std::printf("listening on %s\n", endpoint_name(acceptor.local_endpoint()).c_str());
    std::fflush(stdout);
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&ioc](error_code, int) { ioc.stop(); });
    do_accept(acceptor);
    ioc.run();
    stalled.clear();
    return 0;
}
