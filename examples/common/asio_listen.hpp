// SPDX-License-Identifier: MIT
// examples/common/asio_listen.hpp — opening the listening socket of the Boost.Asio programs
// (hixie76-mixed-room, hixie76-gateway): --bind may name a host that resolves to several
// addresses, and the first one that opens, binds and listens is used.
#ifndef HIXIE76_EXAMPLES_ASIO_LISTEN_HPP
#define HIXIE76_EXAMPLES_ASIO_LISTEN_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>

namespace hixie76_examples {

/// Opens `acceptor` on `bind`:`port` (address reuse on, `backlog` pending connections).
/// Returns an empty string on success, else the one-line reason (`--bind X: ...` when the
/// name does not resolve, `cannot listen on X:P: ...` when no address could be used).
inline std::string asio_listen(boost::asio::io_context& ioc,
                               boost::asio::ip::tcp::acceptor& acceptor, const std::string& bind,
                               std::uint16_t port, int backlog) {
    namespace asio = boost::asio;
    using tcp = asio::ip::tcp;
    boost::system::error_code ec;
    tcp::resolver resolver(ioc);
    const auto found = resolver.resolve(
        bind, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec) {
        return "--bind " + bind + ": " + ec.message();
    }
    for (const auto& entry : found) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        ec = {};
        const tcp::endpoint ep = entry.endpoint();
        acceptor.open(ep.protocol(), ec);
        if (!ec) {
            acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        }
        if (!ec) {
            acceptor.bind(ep, ec);
        }
        if (!ec) {
            acceptor.listen(backlog, ec);
        }
        if (!ec) {
            break;
        }
    }
    if (ec || !acceptor.is_open()) {
        return "cannot listen on " + bind + ":" + std::to_string(port) + ": " + ec.message();
    }
    return {};
}

} // namespace hixie76_examples

#endif
