// SPDX-License-Identifier: MIT
// examples/load/poller.hpp — the readiness API of hixie76-load: epoll on Linux, poll()
// elsewhere, behind one small level-triggered interface.
//
//   poller p;                      // p.ok() false: epoll_create1 failed (errno kept)
//   p.add(fd, poller::in, key);    // key: any 64-bit value handed back with the event
//   p.modify(fd, poller::in | poller::out, key);
//   p.wait(events, timeout_ms);    // fills `events`; -1 and errno on error (EINTR included)
//   p.remove(fd);                  // before close(fd)
//
// Level-triggered in both back ends, so a program written for one behaves the same on the
// other. The poll() back end keeps a dense pollfd array (swap-remove) and an fd→slot index;
// defining HIXIE76_EXAMPLES_POLL selects it on Linux too (the tests build it that way).
#ifndef HIXIE76_EXAMPLES_LOAD_POLLER_HPP
#define HIXIE76_EXAMPLES_LOAD_POLLER_HPP

#include <cerrno>
#include <cstdint>
#include <vector>

#if defined(__linux__) && !defined(HIXIE76_EXAMPLES_POLL)
#include <sys/epoll.h>
#include <unistd.h>
#else
#include <poll.h>
#endif

namespace hixie76_examples {

/// One readiness report.
struct ready_event {
    std::uint64_t key = 0;
    bool readable = false; ///< data, EOF or an error: a read tells which
    bool writable = false;
    bool hangup = false; ///< error or hang-up reported by the kernel
};

class poller {
public:
    static constexpr unsigned in = 1;
    static constexpr unsigned out = 2;

#if defined(__linux__) && !defined(HIXIE76_EXAMPLES_POLL)
    poller() noexcept : ep_(::epoll_create1(EPOLL_CLOEXEC)) {}
    ~poller() {
        if (ep_ >= 0) {
            ::close(ep_);
        }
    }
    poller(const poller&) = delete;
    poller& operator=(const poller&) = delete;

    bool ok() const noexcept { return ep_ >= 0; }
    static constexpr const char* backend() noexcept { return "epoll"; }

    bool add(int fd, unsigned events, std::uint64_t key) noexcept {
        return control(EPOLL_CTL_ADD, fd, events, key);
    }
    bool modify(int fd, unsigned events, std::uint64_t key) noexcept {
        return control(EPOLL_CTL_MOD, fd, events, key);
    }
    void remove(int fd) noexcept { ::epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr); }

    /// Waits up to `timeout_ms` (-1: no bound); returns the number of events or -1.
    int wait(std::vector<ready_event>& events, int timeout_ms) {
        buf_.resize(1024);
        const int n = ::epoll_wait(ep_, buf_.data(), static_cast<int>(buf_.size()), timeout_ms);
        events.clear();
        for (int i = 0; i < n; ++i) {
            const epoll_event& e = buf_[static_cast<std::size_t>(i)];
            ready_event r;
            r.key = e.data.u64;
            r.readable = (e.events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) != 0;
            r.writable = (e.events & EPOLLOUT) != 0;
            r.hangup = (e.events & (EPOLLHUP | EPOLLERR)) != 0;
            events.push_back(r);
        }
        return n;
    }

private:
    bool control(int op, int fd, unsigned events, std::uint64_t key) noexcept {
        epoll_event e{};
        e.events = ((events & in) != 0 ? static_cast<std::uint32_t>(EPOLLIN) : 0U) |
                   ((events & out) != 0 ? static_cast<std::uint32_t>(EPOLLOUT) : 0U);
        e.data.u64 = key;
        return ::epoll_ctl(ep_, op, fd, &e) == 0;
    }

    int ep_;
    std::vector<epoll_event> buf_;
#else
    poller() noexcept = default;
    bool ok() const noexcept { return true; }
    static constexpr const char* backend() noexcept { return "poll"; }

    bool add(int fd, unsigned events, std::uint64_t key) {
        if (fd < 0) {
            errno = EBADF;
            return false;
        }
        if (static_cast<std::size_t>(fd) >= slot_.size()) {
            slot_.resize(static_cast<std::size_t>(fd) + 1, none);
        }
        if (slot_[static_cast<std::size_t>(fd)] != none) {
            errno = EEXIST;
            return false;
        }
        slot_[static_cast<std::size_t>(fd)] = fds_.size();
        fds_.push_back({fd, mask(events), 0});
        keys_.push_back(key);
        return true;
    }
    bool modify(int fd, unsigned events, std::uint64_t key) noexcept {
        const std::size_t s = find(fd);
        if (s == none) {
            errno = ENOENT;
            return false;
        }
        fds_[s].events = mask(events);
        keys_[s] = key;
        return true;
    }
    void remove(int fd) noexcept {
        const std::size_t s = find(fd);
        if (s == none) {
            return;
        }
        const std::size_t last = fds_.size() - 1;
        if (s != last) {
            fds_[s] = fds_[last];
            keys_[s] = keys_[last];
            slot_[static_cast<std::size_t>(fds_[s].fd)] = s;
        }
        fds_.pop_back();
        keys_.pop_back();
        slot_[static_cast<std::size_t>(fd)] = none;
    }

    int wait(std::vector<ready_event>& events, int timeout_ms) {
        events.clear();
        const int n = ::poll(fds_.data(), static_cast<nfds_t>(fds_.size()), timeout_ms);
        for (std::size_t i = 0; n > 0 && i < fds_.size(); ++i) {
            const short rev = fds_[i].revents;
            if (rev == 0) {
                continue;
            }
            ready_event r;
            r.key = keys_[i];
            r.readable = (rev & (POLLIN | POLLHUP | POLLERR)) != 0;
            r.writable = (rev & POLLOUT) != 0;
            r.hangup = (rev & (POLLHUP | POLLERR | POLLNVAL)) != 0;
            events.push_back(r);
        }
        return n < 0 ? -1 : static_cast<int>(events.size());
    }

private:
    static constexpr std::size_t none = ~std::size_t{0};
    static short mask(unsigned events) noexcept {
        return static_cast<short>(((events & in) != 0 ? POLLIN : 0) |
                                  ((events & out) != 0 ? POLLOUT : 0));
    }
    std::size_t find(int fd) const noexcept {
        return fd >= 0 && static_cast<std::size_t>(fd) < slot_.size()
                   ? slot_[static_cast<std::size_t>(fd)]
                   : none;
    }

    std::vector<pollfd> fds_;
    std::vector<std::uint64_t> keys_;
    std::vector<std::size_t> slot_;
#endif
};

} // namespace hixie76_examples

#endif // HIXIE76_EXAMPLES_LOAD_POLLER_HPP
