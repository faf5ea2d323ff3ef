// SPDX-License-Identifier: MIT
// tests/fuzz/reference.hpp — slow, obviously-correct references the fuzz targets compare the
// library against: UTF-8 by code point arithmetic, and a one-shot frame decoder.
//
// They share no code with the library: UTF-8 is judged by decoding code points and checking
// their range (not by the library's byte-range table), and frames are read in one pass over
// the whole stream (not by the library's resumable state machine).
#ifndef HIXIE76_TESTS_FUZZ_REFERENCE_HPP
#define HIXIE76_TESTS_FUZZ_REFERENCE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hixie76/error.hpp"

namespace ref {

inline std::uint8_t u8(char c) { return static_cast<std::uint8_t>(c); }

/// Bytes of the sequence a lead byte announces by its bit pattern, or 0 when the byte cannot
/// lead (10xxxxxx, 11111xxx).
inline std::size_t sequence_length(std::uint8_t b) {
    if (b < 0x80) {
        return 1;
    }
    if ((b & 0xE0) == 0xC0) {
        return 2;
    }
    if ((b & 0xF0) == 0xE0) {
        return 3;
    }
    if ((b & 0xF8) == 0xF0) {
        return 4;
    }
    return 0;
}

/// True when the `len` bytes at `s` decode to a Unicode scalar value in its shortest form.
inline bool decodes(const std::uint8_t* s, std::size_t len) {
    std::uint32_t cp = 0;
    if (len == 1) {
        return s[0] < 0x80;
    }
    cp = static_cast<std::uint32_t>(s[0]) & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
        if ((s[k] & 0xC0) != 0x80) {
            return false;
        }
        cp = (cp << 6) | (static_cast<std::uint32_t>(s[k]) & 0x3Fu);
    }
    const std::uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    return cp >= min[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

/// True when the first `m` bytes of a `len`-byte sequence at `s` can be completed into a
/// well-formed sequence (tries every second byte when it is missing; later bytes never decide).
inline bool completable(const std::uint8_t* s, std::size_t m, std::size_t len) {
    std::uint8_t buf[4] = {0, 0x80, 0x80, 0x80};
    for (std::size_t k = 0; k < m; ++k) {
        buf[k] = s[k];
    }
    if (m >= 2 || len == 1) {
        return decodes(buf, len);
    }
    for (unsigned b = 0x80; b <= 0xBF; ++b) {
        buf[1] = static_cast<std::uint8_t>(b);
        if (decodes(buf, len)) {
            return true;
        }
    }
    return false;
}

/// The verdict on a text.
struct utf8_verdict {
    std::size_t bad = std::string_view::npos; ///< first byte no text can continue with
    bool incomplete = false;                  ///< no bad byte, but it ends inside a sequence
    bool valid() const { return bad == std::string_view::npos && !incomplete; }
};

inline utf8_verdict check_utf8(std::string_view text) {
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const std::size_t n = text.size();
    utf8_verdict v;
    std::size_t i = 0;
    while (i < n) {
        const std::size_t len = sequence_length(s[i]);
        if (len == 0) {
            v.bad = i;
            return v;
        }
        for (std::size_t m = 1; m <= len; ++m) {
            if (i + m > n) {
                v.incomplete = true;
                return v;
            }
            if (!completable(s + i, m, len)) {
                v.bad = i + m - 1;
                return v;
            }
        }
        i += len;
    }
    return v;
}

/// `text` with each maximal subpart of an ill-formed sequence replaced by U+FFFD.
inline std::string replace_invalid(std::string_view text) {
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const std::size_t n = text.size();
    std::string out;
    std::size_t i = 0;
    while (i < n) {
        const std::size_t len = sequence_length(s[i]);
        std::size_t good = 0; // the longest completable prefix of this sequence
        if (len != 0) {
            for (std::size_t m = 1; m <= len && i + m <= n && completable(s + i, m, len); ++m) {
                good = m;
            }
        }
        if (len != 0 && good == len) {
            out.append(text.substr(i, len));
            i += len;
        } else {
            out.append("\xEF\xBF\xBD");
            i += good == 0 ? 1 : good;
        }
    }
    return out;
}

/// One line of a normalized event log: text and binary pieces of one frame are merged.
struct entry {
    enum kind_t { text, binary, skipped, close, failed, message } kind = text;
    std::uint8_t type = 0;
    std::string payload;
    bool fin = false;
    hixie76::error err = hixie76::error::none;
    std::uint64_t pos = 0;

    bool operator==(const entry& o) const {
        return kind == o.kind && type == o.type && payload == o.payload && fin == o.fin &&
               err == o.err && pos == o.pos;
    }
};

/// The options the reference decoder follows (a copy of the decoder's, without its types).
struct options {
    bool draft76 = true;
    bool utf8_reject = false;
    std::uint64_t max_frame = 16u << 20;
    bool deliver_binary = false;
    bool strict_types = false;
};

/// Decodes the whole stream at once into the normalized log.
inline std::vector<entry> decode(std::string_view in, const options& o) {
    using hixie76::error;
    std::vector<entry> log;
    const std::size_t n = in.size();
    const auto fail = [&](error e, std::size_t at) {
        entry x;
        x.kind = entry::failed;
        x.err = e;
        x.pos = at;
        log.push_back(x);
    };
    const auto piece = [&](entry::kind_t k, std::uint8_t t, std::string_view p, bool fin) {
        entry x;
        x.kind = k;
        x.type = t;
        x.payload = std::string(p);
        x.fin = fin;
        log.push_back(x);
    };
    std::size_t pos = 0;
    while (pos < n) {
        const std::uint8_t t = u8(in[pos]);
        if (t < 0x80) {
            if (t != 0 && o.strict_types) {
                fail(error::unknown_frame_type, pos);
                return log;
            }
            const std::size_t start = pos + 1;
            std::size_t ff = in.find('\xff', start);
            if (ff == std::string_view::npos) {
                ff = n;
            }
            // Bytes [start, w) are inside the limit and before the terminator.
            std::size_t w = ff;
            const bool limited = o.max_frame < ff - start;
            if (limited) {
                w = start + static_cast<std::size_t>(o.max_frame);
            }
            const bool is_text = t == 0;
            const std::string_view body = in.substr(start, w - start);
            utf8_verdict v;
            if (is_text && o.utf8_reject) {
                v = check_utf8(body);
            }
            if (v.bad != std::string_view::npos) {
                if (v.bad > 0) {
                    piece(entry::text, 0, body.substr(0, v.bad), false);
                }
                fail(error::invalid_utf8, start + v.bad);
                return log;
            }
            if (w == n) { // the input ends inside the frame
                if (is_text && !body.empty()) {
                    piece(entry::text, 0, body, false);
                }
                return log;
            }
            if (limited) { // in[w] is one byte too many, and not the terminator
                if (is_text && !body.empty()) {
                    piece(entry::text, 0, body, false);
                }
                fail(error::frame_too_large, w);
                return log;
            }
            if (v.incomplete) { // the terminator arrived inside a sequence
                piece(entry::text, 0, body, false);
                fail(error::invalid_utf8, w);
                return log;
            }
            if (is_text) {
                piece(entry::text, 0, body, true);
            } else {
                piece(entry::skipped, t, {}, false);
            }
            pos = w + 1;
            continue;
        }
        const bool may_close = t == 0xFF && o.draft76;
        const bool deliver = o.deliver_binary && t != 0xFF;
        if (!may_close && !deliver && o.strict_types) {
            fail(error::unknown_frame_type, pos);
            return log;
        }
        ++pos;
        std::uint64_t length = 0;
        const std::uint64_t max_length = (std::uint64_t{1} << 63) - 1;
        std::size_t prefix_bytes = 0;
        bool ended = false;
        while (pos < n) {
            const std::uint8_t b = u8(in[pos]);
            const std::uint64_t group = b & 0x7Fu;
            // length * 128 + group must stay within 2^63 - 1, and the prefix within 10 bytes
            // (max_length_prefix_size: anything longer is padding with zero groups).
            ++prefix_bytes;
            if (length > (max_length - group) / 128 || prefix_bytes > 10) {
                fail(error::length_overflow, pos);
                return log;
            }
            length = length * 128 + group;
            if (may_close && length != 0 && o.strict_types) {
                fail(error::unknown_frame_type, pos);
                return log;
            }
            if (length > o.max_frame) {
                fail(error::frame_too_large, pos);
                return log;
            }
            ++pos;
            if (b < 0x80) {
                ended = true;
                break;
            }
        }
        if (!ended) {
            return log;
        }
        if (length == 0 && may_close) {
            piece(entry::close, t, {}, false);
            return log; // everything after the close is discarded
        }
        const std::size_t avail = n - pos;
        if (length > avail) {
            if (deliver && avail > 0) {
                piece(entry::binary, t, in.substr(pos), false);
            }
            return log;
        }
        const auto len = static_cast<std::size_t>(length);
        if (deliver) {
            piece(entry::binary, t, in.substr(pos, len), true);
        } else {
            piece(entry::skipped, t, {}, false);
        }
        pos += len;
    }
    return log;
}

} // namespace ref

#endif // HIXIE76_TESTS_FUZZ_REFERENCE_HPP
