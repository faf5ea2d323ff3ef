// SPDX-License-Identifier: MIT
// examples/gateway/metrics.hpp — the gateway's counters and their Prometheus text exposition
// (text format 0.0.4), served by GET /metrics on the gateway's own port. I/O-free.
#ifndef HIXIE76_GATEWAY_METRICS_HPP
#define HIXIE76_GATEWAY_METRICS_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace gateway {

enum class side : std::uint8_t { client, upstream, count_ };
enum class client_draft : std::uint8_t { draft76, draft75, rfc6455, count_ };
/// The outcome of a client's opening handshake.
enum class handshake_result : std::uint8_t {
    ok,                   ///< relayed: the upstream said 101 and the client got its 101
    refused,              ///< refused by the gateway (bad request, origin, full, timeout)
    upstream_refused,     ///< the upstream answered with a status other than 101
    upstream_unreachable, ///< 502: no connection, TLS failure or no valid answer
    upstream_timeout,     ///< 504: no answer within --upstream-timeout
    count_
};
enum class direction : std::uint8_t { to_upstream, to_client, count_ };
/// Why a message or a connection was dropped.
enum class drop_reason : std::uint8_t {
    binary,           ///< an upstream binary message under --binary drop
    queue_full,       ///< a side stopped reading: its queue passed --max-queue
    message_too_large,///< a message above --max-message
    bad_frame,        ///< a client sent bytes the legacy framing does not allow
    keepalive_timeout,///< the upstream did not answer --upstream-ping
    count_
};

inline const char* name(side s) { return s == side::client ? "client" : "upstream"; }
inline const char* name(client_draft d) {
    return d == client_draft::draft76 ? "76" : d == client_draft::draft75 ? "75" : "rfc6455";
}
inline const char* name(handshake_result r) {
    switch (r) {
    case handshake_result::ok:
        return "ok";
    case handshake_result::refused:
        return "refused";
    case handshake_result::upstream_refused:
        return "upstream_refused";
    case handshake_result::upstream_unreachable:
        return "upstream_unreachable";
    default:
        return "upstream_timeout";
    }
}
inline const char* name(direction d) { return d == direction::to_upstream ? "to_upstream" : "to_client"; }
inline const char* name(drop_reason r) {
    switch (r) {
    case drop_reason::binary:
        return "binary";
    case drop_reason::queue_full:
        return "queue_full";
    case drop_reason::message_too_large:
        return "message_too_large";
    case drop_reason::bad_frame:
        return "bad_frame";
    default:
        return "keepalive_timeout";
    }
}

template <class E> constexpr std::size_t idx(E e) { return static_cast<std::size_t>(e); }
template <class E> constexpr std::size_t count() { return static_cast<std::size_t>(E::count_); }

/// Every counter of one gateway process (single-threaded: plain integers).
struct metrics {
    std::array<std::int64_t, count<side>()> open{};
    std::array<std::array<std::uint64_t, count<handshake_result>()>, count<client_draft>()>
        handshakes{};
    std::array<std::uint64_t, count<direction>()> messages{};
    std::array<std::uint64_t, count<direction>()> bytes{};
    std::array<std::uint64_t, count<drop_reason>()> drops{};

    void count_message(direction d, std::size_t n) {
        ++messages[idx(d)];
        bytes[idx(d)] += n;
    }

    /// The Prometheus text exposition.
    std::string render() const {
        std::string o;
        o += "# HELP hixie76_gateway_open_connections Open connections by side.\n"
             "# TYPE hixie76_gateway_open_connections gauge\n";
        for (std::size_t s = 0; s < count<side>(); ++s) {
            o += std::string("hixie76_gateway_open_connections{side=\"") +
                 name(static_cast<side>(s)) + "\"} " + std::to_string(open[s]) + "\n";
        }
        o += "# HELP hixie76_gateway_handshakes_total Client opening handshakes by draft and "
             "result.\n# TYPE hixie76_gateway_handshakes_total counter\n";
        for (std::size_t d = 0; d < count<client_draft>(); ++d) {
            for (std::size_t r = 0; r < count<handshake_result>(); ++r) {
                o += std::string("hixie76_gateway_handshakes_total{draft=\"") +
                     name(static_cast<client_draft>(d)) + "\",result=\"" +
                     name(static_cast<handshake_result>(r)) + "\"} " +
                     std::to_string(handshakes[d][r]) + "\n";
            }
        }
        o += "# HELP hixie76_gateway_messages_total Messages relayed by direction.\n"
             "# TYPE hixie76_gateway_messages_total counter\n";
        for (std::size_t d = 0; d < count<direction>(); ++d) {
            o += std::string("hixie76_gateway_messages_total{direction=\"") +
                 name(static_cast<direction>(d)) + "\"} " + std::to_string(messages[d]) + "\n";
        }
        o += "# HELP hixie76_gateway_bytes_total Message payload bytes relayed by direction.\n"
             "# TYPE hixie76_gateway_bytes_total counter\n";
        for (std::size_t d = 0; d < count<direction>(); ++d) {
            o += std::string("hixie76_gateway_bytes_total{direction=\"") +
                 name(static_cast<direction>(d)) + "\"} " + std::to_string(bytes[d]) + "\n";
        }
        o += "# HELP hixie76_gateway_drops_total Messages (binary) and connections (the others) "
             "dropped, by reason.\n# TYPE hixie76_gateway_drops_total counter\n";
        for (std::size_t r = 0; r < count<drop_reason>(); ++r) {
            o += std::string("hixie76_gateway_drops_total{reason=\"") +
                 name(static_cast<drop_reason>(r)) + "\"} " + std::to_string(drops[r]) + "\n";
        }
        return o;
    }
};

} // namespace gateway

#endif // HIXIE76_GATEWAY_METRICS_HPP
