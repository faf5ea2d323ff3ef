// SPDX-License-Identifier: MIT
// examples/common/deadline.hpp — the one deadline a legacy connection of the Boost.Asio
// programs (hixie76-mixed-room, hixie76-gateway) has at a time: the opening handshake's, a
// closing handshake's, a final response's, a lingering close's. Each step sets its own,
// replacing the last, or clears it while something else bounds the step.
#ifndef HIXIE76_EXAMPLES_DEADLINE_HPP
#define HIXIE76_EXAMPLES_DEADLINE_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <utility>

namespace hixie76_examples {

/// A connection's current deadline, on one steady_timer.
class deadline {
public:
    explicit deadline(boost::asio::io_context& ioc) : timer_(ioc) {}

    /// Sets the deadline `d` from now, replacing any earlier one: `expired()` runs then,
    /// unless the deadline is set again or cleared first. `keep` holds the owner alive until
    /// the wait ends.
    template <class Expired>
    void set(std::chrono::milliseconds d, std::shared_ptr<void> keep, Expired expired) {
        timer_.expires_after(d);
        timer_.async_wait([this, keep = std::move(keep),
                           expired = std::move(expired)](const boost::system::error_code& ec) {
            // A re-armed or cleared timer: its old wait either failed or finds a later expiry.
            if (!ec && timer_.expiry() <= std::chrono::steady_clock::now()) {
                expired();
            }
        });
    }

    /// No deadline until the next set().
    void clear() { timer_.expires_at(std::chrono::steady_clock::time_point::max()); }

    /// The connection is closed: the wait ends at once, and with it the hold on the owner.
    void cancel() { timer_.cancel(); }

private:
    boost::asio::steady_timer timer_;
};

} // namespace hixie76_examples

#endif // HIXIE76_EXAMPLES_DEADLINE_HPP
