// SPDX-License-Identifier: MIT
// examples/common/write_queue.hpp — what a legacy (draft-76 / draft-75) connection sends, in
// the Boost.Asio programs (hixie76-mixed-room, hixie76-gateway): raw bytes and text frames,
// queued in order and sent one gathered async_write at a time, each write taking everything
// queued when it starts (one syscall for a burst of messages instead of one each).
//
// A text frame is hixie76's framing (00 before, FF after) around a payload that is never
// copied: the mixed room encodes a broadcast once and every member's queue shares it, only
// the two framing bytes are per member; the gateway moves the upstream's message in.
//
// The queue counts the bytes not yet written, queued(): each program decides what that means
// (the mixed room drops a member past --max-queue, the gateway pauses the upstream and
// watches for a stall), and when the last byte is out (a closing connection goes on).
#ifndef HIXIE76_EXAMPLES_WRITE_QUEUE_HPP
#define HIXIE76_EXAMPLES_WRITE_QUEUE_HPP

#include <hixie76/hixie76.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hixie76_examples {

/// A message as each recipient receives it: one copy, shared by all their queues.
using shared_text = std::shared_ptr<const std::string>;

/// One piece of a legacy connection's output: raw bytes (a handshake answer, FF 00, an HTTP
/// response), or a text frame as hixie76's framing around its payload.
class outgoing {
public:
    static outgoing raw(std::string bytes) {
        outgoing o;
        o.owned_ = std::move(bytes);
        return o;
    }
    /// A text frame around `payload`, which the piece owns.
    static outgoing text(std::string payload) {
        outgoing o;
        o.framing_ = hixie76::frame_text(payload);
        o.owned_ = std::move(payload);
        o.frame_ = true;
        return o;
    }
    /// A text frame around `payload`, shared with every other recipient.
    static outgoing text(shared_text payload) {
        outgoing o;
        o.framing_ = hixie76::frame_text(*payload);
        o.shared_ = std::move(payload);
        o.frame_ = true;
        return o;
    }

    /// Why hixie76 would not frame the payload (it holds 0xFF, which valid UTF-8 never does);
    /// such a piece is not to be queued.
    hixie76::error error() const noexcept { return framing_.err; }

    /// The bytes it puts on the wire.
    std::size_t size() const noexcept {
        return frame_ ? framing_.head_size + payload().size() + framing_.tail_size : owned_.size();
    }

    /// Appends its buffers (three for a frame: framing, payload, framing), which point into
    /// this piece: it must not move until they are written.
    void add_buffers(std::vector<boost::asio::const_buffer>& out) const {
        if (!frame_) {
            out.emplace_back(boost::asio::buffer(owned_));
            return;
        }
        out.emplace_back(framing_.head.data(), framing_.head_size);
        out.emplace_back(payload().data(), payload().size());
        out.emplace_back(framing_.tail.data(), framing_.tail_size);
    }

private:
    const std::string& payload() const noexcept { return shared_ ? *shared_ : owned_; }

    std::string owned_;          ///< raw bytes, or the payload of a frame that owns it
    shared_text shared_;         ///< the payload of a frame that shares it
    hixie76::framing framing_{}; ///< a frame's head and tail
    bool frame_ = false;
};

/// The output of one connection on `Stream` (a TCP socket, or a TLS stream over one). The
/// owner keeps its policy: it hears of every completed write through the `written` callback
/// given at construction, and closes the queue when the connection dies.
template <class Stream> class write_queue {
public:
    using error_code = boost::system::error_code;

    /// `written(ec)` runs when a write completes: with its error (the owner ends the
    /// connection), or once its bytes are counted out and before the next write starts, so
    /// that idle() says whether everything is out. Never once the queue is closed.
    write_queue(Stream& stream, std::function<void(const error_code&)> written)
        : stream_(stream), written_(std::move(written)) {}
    write_queue(const write_queue&) = delete;
    write_queue& operator=(const write_queue&) = delete;

    /// Bytes queued or in the write in flight: what the peer has not taken yet.
    std::size_t queued() const noexcept { return queued_; }
    /// A write is in flight.
    bool writing() const noexcept { return writing_; }
    /// Nothing waits and nothing is in flight.
    bool idle() const noexcept { return !writing_ && queue_.empty(); }

    /// Queues `piece` after everything before it and starts a write unless one is in flight;
    /// `keep` holds the owner (and so this queue) alive until that write completes. False,
    /// and nothing queued, for an empty piece or a closed queue.
    bool push(outgoing piece, const std::shared_ptr<void>& keep) {
        if (piece.size() == 0 || closed_) {
            return false;
        }
        queued_ += piece.size();
        queue_.push_back(std::move(piece));
        write(keep);
        return true;
    }

    /// Forgets what is not on its way yet (a refusal replaces a response not sent); a write
    /// in flight finishes first.
    void drop_waiting() {
        queue_.clear();
        queued_ = 0;
        for (const outgoing& o : sending_) {
            queued_ += o.size();
        }
    }

    /// The connection is dead (or its stream handed on): nothing more is queued or written,
    /// and a write in flight reports nothing.
    void close() noexcept { closed_ = true; }

private:
    /// One gathered async_write at a time, of everything queued when it starts.
    void write(const std::shared_ptr<void>& keep) {
        if (writing_ || queue_.empty() || closed_) {
            return;
        }
        sending_.clear();
        for (outgoing& o : queue_) {
            sending_.push_back(std::move(o));
        }
        queue_.clear();
        // Built once sending_ no longer moves (short strings live inside their objects).
        buffers_.clear();
        for (const outgoing& o : sending_) {
            o.add_buffers(buffers_);
        }
        writing_ = true;
        boost::asio::async_write(
            stream_, buffers_,
            [this, keep](const error_code& ec, std::size_t n) { on_write(ec, n, keep); });
    }

    void on_write(const error_code& ec, std::size_t n, const std::shared_ptr<void>& keep) {
        writing_ = false;
        if (closed_) {
            return; // the connection is dead: its owner hears nothing more
        }
        if (ec) {
            written_(ec); // the owner ends the connection
            return;
        }
        queued_ -= n;
        sending_.clear();
        written_(ec);
        write(keep); // what was queued meanwhile
    }

    Stream& stream_;
    std::function<void(const error_code&)> written_;
    std::deque<outgoing> queue_;                     ///< waits while sending_ is in flight
    std::vector<outgoing> sending_;                  ///< the write in flight
    std::vector<boost::asio::const_buffer> buffers_; ///< sending_'s buffers, in order
    std::size_t queued_ = 0;                         ///< bytes in queue_ and sending_
    bool writing_ = false;
    bool closed_ = false;
};

} // namespace hixie76_examples

#endif // HIXIE76_EXAMPLES_WRITE_QUEUE_HPP
