// SPDX-License-Identifier: MIT
// hixie76/handshake.hpp — server side of the opening handshake: request parser, response
// serializer (draft-76 and draft-75, headers-first), and rejection responses.
//
// Theory of operation.
//
//   bytes ──► request_parser::parse(buf) ──► need_more … complete (dialect known)
//                                         └► failed (error, offset); sticky until reset()
//
// The caller appends each read to one buffer and calls parse() with the whole buffer. The
// parser walks the head once (detail::head_tokenizer), then classifies the request:
//
//   head    --(RFC 6455 fields)-----------------------------► failed: rfc6455_request,
//                                                             consumed = head size (hand off)
//   head    --(no keys, no `Upgrade: WebSocket`)------------► complete: dialect::http
//   head    --(Upgrade: WebSocket, no keys)-----------------► complete: dialect::draft75
//   head    --(Upgrade: WebSocket, Key1 and Key2 valid)-----► awaiting_key3
//   awaiting_key3 --(8 more bytes, in any number of reads)--► complete: dialect::draft76,
//                                                             consumed = head size + 8
//
// Bytes past `consumed` are the client's first frames: give them to a frame_decoder.
//
// Headers first: once head_complete() is true the response head can be written (some proxies
// hold key3 back until they see it) and the 16-byte answer sent when parse() completes.
#ifndef HIXIE76_HANDSHAKE_HPP
#define HIXIE76_HANDSHAKE_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "hixie76/detail/ascii.hpp"
#include "hixie76/detail/http.hpp"
#include "hixie76/error.hpp"
#include "hixie76/token.hpp"

namespace hixie76 {

/// What kind of request a complete head turned out to be.
enum class dialect : std::uint8_t {
    unknown = 0, ///< the head is not complete yet
    http,        ///< a plain HTTP GET (no upgrade): serve a page on the same port
    draft75,     ///< a draft-75 WebSocket request (no keys)
    draft76,     ///< a draft-76 / hybi-00 request (Key1, Key2 and key3)
    rfc6455,     ///< an RFC 6455 request: reported as error::rfc6455_request for hand-off
};

/// Limits of a request parser.
struct request_config {
    /// Largest head accepted, in bytes (see default_max_head_bytes for the rationale). Values
    /// above 1 GiB are treated as 1 GiB.
    std::size_t max_head_bytes = default_max_head_bytes;
    /// Most fields accepted; at most max_fields_capacity.
    std::size_t max_fields = max_fields_capacity;
};

/// Incremental parser of a client's opening handshake (draft-76 §5.1, draft-75).
///
/// Leniencies (each is what real clients need): field names match case-insensitively (Netty
/// sends `upgrade: WebSocket`); `Upgrade` matches `WebSocket` case-insensitively; `Connection`
/// may list other tokens (`keep-alive, Upgrade`); the space after the colon is optional;
/// fields may come in any order (§4.1 step 24); `Content-Length` is ignored, so Netty's
/// `content-length: 8` works. Everything else the drafts forbid is refused.
class request_parser {
public:
    explicit constexpr request_parser(request_config cfg = {}) noexcept : cfg_(cfg) {
        if (cfg_.max_fields > max_fields_capacity) {
            cfg_.max_fields = max_fields_capacity;
        }
        if (cfg_.max_head_bytes > (std::size_t{1} << 30)) {
            cfg_.max_head_bytes = std::size_t{1} << 30;
        }
    }

    /// Parses the bytes received so far.
    /// Precondition: `buf` holds every byte given before, followed by any new ones.
    /// **Returns** need_more (consumed = bytes scanned), complete (consumed = the handshake's
    /// bytes: head, plus key3 for draft-76) or failed (consumed = offset of the offending
    /// byte; for rfc6455_request, the head size).
    /// **Errors** bad_method, bad_request_target, bad_version, bad_request_line, bare_lf,
    /// bare_cr, malformed_field, bad_control_char, head_too_large, too_many_fields,
    /// missing_host, missing_upgrade, bad_upgrade, missing_connection, bad_connection,
    /// only_one_key, duplicate_key, duplicate_field, bad_protocol, unsupported_draft,
    /// rfc6455_request, and the key errors of parse_key. Sticky until reset().
    /// **Lifetime** accessors' views point into the `buf` of the latest call.
    /// **Complexity** O(new bytes) per call. **Spec** draft-76 §5.1, §5.2 steps 1–9.
    constexpr parse_result parse(std::string_view buf) noexcept {
        buf_ = buf;
        if (result_.status != parse_status::need_more) {
            return result_;
        }
        if (!tok_.done()) {
            const detail::head_step s = tok_.advance(buf, cfg_.max_head_bytes, cfg_.max_fields);
            if (s.status == parse_status::failed) {
                return fail(s.err, s.pos);
            }
            if (s.status == parse_status::need_more) {
                return {parse_status::need_more, error::none, s.pos};
            }
            const parse_result c = classify();
            if (c.status != parse_status::need_more) {
                return c;
            }
        }
        // Awaiting key3 (§5.1: exactly 8 bytes after the blank line, maybe in a later read).
        const std::size_t head = tok_.position();
        if (head > buf.size() || buf.size() - head < 8) { // (no head + 8: it cannot wrap)
            return {parse_status::need_more, error::none, buf.size()};
        }
        key3_.assign(buf.data() + head, 8);
        response_ = challenge_from_parts(part1_, part2_, key3_.view());
        result_ = {parse_status::complete, error::none, head + 8};
        return result_;
    }

    /// Tells the parser the stream ended. **Returns** the result of parse() if complete or
    /// failed; otherwise failed with unexpected_eof (inside the head) or missing_key3.
    constexpr parse_result finish(std::string_view buf) noexcept {
        const parse_result r = parse(buf);
        if (r.status != parse_status::need_more) {
            return r;
        }
        return fail(tok_.done() ? error::missing_key3 : error::unexpected_eof, buf.size());
    }

    /// Forgets everything; the parser can read a new request.
    constexpr void reset() noexcept {
        const request_config cfg = cfg_;
        *this = request_parser(cfg);
    }

    /// The latest result (need_more before the first call).
    constexpr parse_result result() const noexcept { return result_; }
    /// True once the head is parsed and valid: the response head may be written (headers
    /// first) even while key3 is still awaited.
    constexpr bool head_complete() const noexcept {
        return kind_ != dialect::unknown && kind_ != dialect::rfc6455 &&
               result_.status != parse_status::failed;
    }
    /// The request's kind; unknown until the head is complete.
    constexpr dialect kind() const noexcept { return kind_; }
    /// Size of the head including its blank line (valid once the head is complete).
    constexpr std::size_t head_size() const noexcept { return tok_.position(); }

    /// The resource name (path and query) from the request line.
    constexpr std::string_view resource() const noexcept { return slice(resource_); }
    /// The `Host` field's value.
    constexpr std::string_view host() const noexcept { return value_of(host_); }
    /// The `Origin` field's value; empty when absent.
    constexpr std::string_view origin() const noexcept { return value_of(origin_); }
    /// The requested subprotocol (`Sec-WebSocket-Protocol` in -76, `WebSocket-Protocol` in
    /// -75); empty when none.
    constexpr std::string_view protocol() const noexcept {
        return value_of(kind_ == dialect::draft75 ? protocol75_ : protocol76_);
    }
    /// The raw `Sec-WebSocket-Key1` / `-Key2` values (spaces are significant).
    constexpr std::string_view key1() const noexcept { return value_of(key1_); }
    constexpr std::string_view key2() const noexcept { return value_of(key2_); }
    /// The 8 bytes of key3 (draft-76, once complete). **Lifetime** as long as the parser.
    constexpr std::string_view key3() const noexcept { return key3_.view(); }
    /// The 16-byte answer (draft-76, once complete). **Lifetime** as long as the parser.
    constexpr const challenge_bytes& challenge() const noexcept { return response_; }

    /// Number of fields in the head.
    constexpr std::size_t field_count() const noexcept { return tok_.field_count(); }
    /// Field `i` in the order received.
    constexpr header_field field(std::size_t i) const noexcept { return tok_.field(buf_, i); }
    /// The first field whose name equals `name` ignoring ASCII case; empty if none.
    constexpr std::string_view find(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < tok_.field_count(); ++i) {
            const header_field f = tok_.field(buf_, i);
            if (detail::iequals(f.name, name)) {
                return f.value;
            }
        }
        return {};
    }
    /// True when a field named `name` is present (even with an empty value).
    constexpr bool has(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < tok_.field_count(); ++i) {
            if (detail::iequals(tok_.field(buf_, i).name, name)) {
                return true;
            }
        }
        return false;
    }
    /// The bytes of the head seen so far (for an RFC 6455 hand-off, the whole head).
    constexpr std::string_view head_bytes() const noexcept {
        return buf_.substr(0, tok_.position());
    }

private:
    static constexpr std::uint8_t none_idx = 0xFF;
    struct range {
        std::uint32_t off = 0;
        std::uint32_t len = 0;
    };
    struct key3_store {
        std::array<char, 8> bytes{};
        bool set = false;
        constexpr void assign(const char* p, std::size_t n) noexcept {
            for (std::size_t i = 0; i < n && i < 8; ++i) {
                bytes[i] = p[i];
            }
            set = true;
        }
        constexpr std::string_view view() const noexcept {
            return set ? std::string_view(bytes.data(), 8) : std::string_view();
        }
    };

    constexpr std::string_view slice(range r) const noexcept { return buf_.substr(r.off, r.len); }
    constexpr std::string_view value_of(std::uint8_t idx) const noexcept {
        return idx == none_idx ? std::string_view() : tok_.field(buf_, idx).value;
    }
    constexpr std::size_t value_off(std::uint8_t idx) const noexcept {
        return tok_.span(idx).value_off;
    }
    constexpr parse_result fail(error e, std::size_t at) noexcept {
        result_ = {parse_status::failed, e, at};
        return result_;
    }

    /// Checks `GET SP resource SP HTTP/1.1` (draft-76 §4.1 step 5).
    constexpr parse_result check_request_line() noexcept {
        const std::string_view line = tok_.start_line(buf_);
        // The usual line, `GET /… HTTP/1.1` with no SP, '#' or byte above 0x7F in the target,
        // passes every check below: take it without the three searches.
        if (line.size() >= 14 && line.substr(0, 5) == "GET /" &&
            line.substr(line.size() - 9) == " HTTP/1.1") {
            std::size_t i = 4;
            const std::size_t end = line.size() - 9;
            while (i < end && line[i] != ' ' && line[i] != '#' && detail::byte(line[i]) < 0x80) {
                ++i;
            }
            if (i == end) {
                resource_ = {4, static_cast<std::uint32_t>(end - 4)};
                return result_;
            }
        }
        // Each structural fault is reported where the line first departs from the form: a
        // missing space or token at the line's end, an extra space where it stands.
        const std::size_t sp1 = line.find(' ');
        if (sp1 == std::string_view::npos) {
            return fail(error::bad_request_line, line.size());
        }
        if (sp1 == 0) {
            return fail(error::bad_request_line, 0);
        }
        const std::size_t sp2 = line.find(' ', sp1 + 1);
        if (sp2 == std::string_view::npos) {
            return fail(error::bad_request_line, line.size());
        }
        if (sp2 == sp1 + 1) {
            return fail(error::bad_request_line, sp2);
        }
        const std::size_t sp3 = line.find(' ', sp2 + 1);
        if (sp3 != std::string_view::npos) {
            return fail(error::bad_request_line, sp3);
        }
        if (sp2 + 1 == line.size()) {
            return fail(error::bad_request_line, line.size());
        }
        for (std::size_t i = 0; i < sp1; ++i) {
            if (!detail::is_tchar(line[i])) {
                return fail(error::bad_request_line, i);
            }
        }
        if (line.substr(0, sp1) != "GET") {
            return fail(error::bad_method, 0);
        }
        if (line.substr(sp2 + 1) != "HTTP/1.1") {
            return fail(error::bad_version, sp2 + 1);
        }
        const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        if (target[0] != '/') {
            return fail(error::bad_request_target, sp1 + 1);
        }
        for (std::size_t i = 0; i < target.size(); ++i) {
            const auto b = detail::byte(target[i]);
            if (target[i] == '#' || b >= 0x80) {
                return fail(error::bad_request_target, sp1 + 1 + i);
            }
        }
        resource_ = {static_cast<std::uint32_t>(sp1 + 1),
                     static_cast<std::uint32_t>(target.size())};
        return result_;
    }

    /// A field name (tchar only, as the tokenizer checked) against a lower-case literal of
    /// letters, digits and '-': `| 0x20` folds case and maps no other tchar onto those.
    static constexpr bool name_is(std::string_view name, std::string_view lower) noexcept {
        if (name.size() != lower.size()) {
            return false;
        }
        const std::size_t n = name.size();
        if (!detail::in_constant_evaluation() && n >= 8) {
            // Overlapping 8-byte words: first, middle, last (names here are 4..22 bytes).
            constexpr std::uint64_t fold = 0x2020202020202020u;
            const auto word = [](const char* p) {
                std::uint64_t w = 0;
                std::memcpy(&w, p, 8);
                return w;
            };
            const std::size_t mid = (n - 8) / 2;
            const std::uint64_t d =
                ((word(name.data()) | fold) ^ word(lower.data())) |
                ((word(name.data() + mid) | fold) ^ word(lower.data() + mid)) |
                ((word(name.data() + n - 8) | fold) ^ word(lower.data() + n - 8));
            return d == 0;
        }
        if (!detail::in_constant_evaluation() && n >= 4) {
            // Two overlapping 4-byte words: first and last (names here are 4..7 bytes).
            constexpr std::uint32_t fold = 0x20202020u;
            const auto word = [](const char* p) {
                std::uint32_t w = 0;
                std::memcpy(&w, p, 4);
                return w;
            };
            const std::uint32_t d =
                ((word(name.data()) | fold) ^ word(lower.data())) |
                ((word(name.data() + n - 4) | fold) ^ word(lower.data() + n - 4));
            return d == 0;
        }
        unsigned diff = 0;
        for (std::size_t i = 0; i < n; ++i) {
            diff |= static_cast<unsigned>((detail::byte(name[i]) | 0x20u) ^ detail::byte(lower[i]));
        }
        return diff == 0;
    }

    /// Records a field the parser cares about; a second occurrence is refused.
    static constexpr bool note(std::uint8_t& slot, std::uint8_t idx) noexcept {
        if (slot != none_idx) {
            return false;
        }
        slot = idx;
        return true;
    }

    /// Runs once the head is complete: finds the fields and decides the dialect.
    constexpr parse_result classify() noexcept {
        const parse_result line = check_request_line();
        if (line.status == parse_status::failed) {
            return line;
        }
        bool rfc6455 = false;
        error dup_err = error::none;
        std::size_t dup_at = 0;
        for (std::size_t i = 0; i < tok_.field_count(); ++i) {
            const detail::field_span& sp = tok_.span(i);
            const std::string_view name(buf_.data() + sp.name_off, sp.name_len);
            const auto idx = static_cast<std::uint8_t>(i);
            std::uint8_t* slot = nullptr;
            error dup = error::duplicate_field;
            switch (name.size()) {
            case 4:
                if (name_is(name, "host")) {
                    slot = &host_;
                }
                break;
            case 6:
                if (name_is(name, "origin")) {
                    slot = &origin_;
                }
                break;
            case 7:
                if (name_is(name, "upgrade")) {
                    slot = &upgrade_;
                }
                break;
            case 10:
                if (name_is(name, "connection")) {
                    slot = &connection_;
                }
                break;
            case 17:
                rfc6455 = rfc6455 || name_is(name, "sec-websocket-key");
                break;
            case 18:
                if (name_is(name, "sec-websocket-key1")) {
                    slot = &key1_;
                    dup = error::duplicate_key;
                } else if (name_is(name, "sec-websocket-key2")) {
                    slot = &key2_;
                    dup = error::duplicate_key;
                } else if (name_is(name, "websocket-protocol")) {
                    slot = &protocol75_;
                }
                break;
            case 19:
                if (name_is(name, "sec-websocket-draft")) {
                    slot = &draft_;
                }
                break;
            case 21:
                rfc6455 = rfc6455 || name_is(name, "sec-websocket-version");
                break;
            case 22:
                if (name_is(name, "sec-websocket-protocol")) {
                    slot = &protocol76_;
                }
                break;
            default:
                break;
            }
            if (slot != nullptr && !note(*slot, idx) && dup_err == error::none) {
                dup_err = dup;
                dup_at = sp.name_off;
            }
        }
        if (rfc6455) {
            kind_ = dialect::rfc6455;
            return fail(error::rfc6455_request, tok_.position());
        }
        if (dup_err != error::none) {
            return fail(dup_err, dup_at);
        }
        if (host_ == none_idx) {
            return fail(error::missing_host, tok_.position());
        }
        const bool has_keys = key1_ != none_idx || key2_ != none_idx;
        const bool conn_upgrade = connection_ != none_idx &&
                                  detail::list_contains_token(value_of(connection_), "upgrade");
        // Without keys, only `Upgrade: WebSocket` makes a WebSocket (draft-75) request; any
        // other GET is plain HTTP, which may ignore an Upgrade it does not speak (RFC 9110
        // §7.8: `h2c`, or a stray `Connection: Upgrade`).
        if (!has_keys &&
            (upgrade_ == none_idx || !detail::iequals(value_of(upgrade_), "WebSocket"))) {
            kind_ = dialect::http;
            result_ = {parse_status::complete, error::none, tok_.position()};
            return result_;
        }
        if (upgrade_ == none_idx) {
            return fail(error::missing_upgrade, tok_.position());
        }
        if (!detail::iequals(value_of(upgrade_), "WebSocket")) {
            return fail(error::bad_upgrade, value_off(upgrade_));
        }
        if (connection_ == none_idx) {
            return fail(error::missing_connection, tok_.position());
        }
        if (!conn_upgrade) {
            return fail(error::bad_connection, value_off(connection_));
        }
        if (draft_ != none_idx && value_of(draft_) != "0") {
            return fail(error::unsupported_draft, value_off(draft_));
        }
        if (has_keys && (key1_ == none_idx || key2_ == none_idx)) {
            return fail(error::only_one_key, tok_.position());
        }
        const std::uint8_t proto = has_keys ? protocol76_ : protocol75_;
        if (proto != none_idx) {
            const std::string_view p = value_of(proto);
            if (p.empty()) {
                return fail(error::bad_protocol, value_off(proto));
            }
            for (std::size_t i = 0; i < p.size(); ++i) {
                const auto b = detail::byte(p[i]);
                if (b < 0x20 || b > 0x7E) {
                    return fail(error::bad_protocol, value_off(proto) + i);
                }
            }
        }
        if (!has_keys) {
            kind_ = dialect::draft75;
            result_ = {parse_status::complete, error::none, tok_.position()};
            return result_;
        }
        const key_result k1 = parse_key(value_of(key1_));
        if (k1.err != error::none) {
            return fail(k1.err, value_off(key1_));
        }
        const key_result k2 = parse_key(value_of(key2_));
        if (k2.err != error::none) {
            return fail(k2.err, value_off(key2_));
        }
        part1_ = k1.part;
        part2_ = k2.part;
        kind_ = dialect::draft76;
        return {parse_status::need_more, error::none, tok_.position()};
    }

    request_config cfg_;
    detail::head_tokenizer tok_{};
    std::string_view buf_{};
    parse_result result_{};
    dialect kind_ = dialect::unknown;
    range resource_{};
    std::uint8_t host_ = none_idx;
    std::uint8_t origin_ = none_idx;
    std::uint8_t upgrade_ = none_idx;
    std::uint8_t connection_ = none_idx;
    std::uint8_t protocol76_ = none_idx;
    std::uint8_t protocol75_ = none_idx;
    std::uint8_t key1_ = none_idx;
    std::uint8_t key2_ = none_idx;
    std::uint8_t draft_ = none_idx;
    std::uint32_t part1_ = 0;
    std::uint32_t part2_ = 0;
    key3_store key3_{};
    challenge_bytes response_{};
};

/// A list of extra response fields (e.g. `Set-Cookie`). **Lifetime** it views the caller's
/// array, which must outlive the call it is passed to.
struct field_list {
    const header_field* data = nullptr;
    std::size_t size = 0;
    constexpr field_list() noexcept = default;
    constexpr field_list(const header_field* d, std::size_t n) noexcept : data(d), size(n) {}
    template <std::size_t N>
    constexpr field_list(const header_field (&a)[N]) noexcept : data(a), size(N) {} // NOLINT
};

/// What the server puts in its answer besides what the request dictates.
struct response_options {
    /// `wss` in the location: the client connected over TLS, perhaps to a proxy in front of
    /// this server (draft-76 §3; NOTES §14.3: the scheme the client saw, not the transport's).
    bool secure = false;
    /// The public `host[:port]` for the location; empty: the request's `Host`.
    std::string_view host{};
    /// The origin to echo; empty: the request's `Origin`. One of the two must be non-empty
    /// for draft-76 and -75 (WebKit fails without `Sec-WebSocket-Origin`).
    std::string_view origin{};
    /// The subprotocol to echo (an exact echo of the request's; §4.1 step 41); empty: none.
    std::string_view protocol{};
    /// Extra fields written after the WebSocket ones.
    field_list extra_fields{};
};

/// The outcome of writing bytes into a caller buffer.
struct write_result {
    error err = error::none;
    /// Bytes written; with buffer_too_small, the bytes that would be needed.
    std::size_t size = 0;
};

namespace detail {

/// Writes into a bounded buffer, counting what would be needed when it does not fit.
class bounded_writer {
public:
    constexpr bounded_writer(char* out, std::size_t cap) noexcept : out_(out), cap_(cap) {}
    constexpr void put(std::string_view s) noexcept {
        if (n_ <= cap_ && s.size() <= cap_ - n_) {
            if (!detail::in_constant_evaluation()) {
                if (!s.empty()) {
                    std::memcpy(out_ + n_, s.data(), s.size());
                }
            } else {
                for (std::size_t i = 0; i < s.size(); ++i) {
                    out_[n_ + i] = s[i];
                }
            }
        } else {
            overflow_ = true;
        }
        n_ += s.size();
    }
    void put_bulk(std::string_view s) noexcept {
        if (n_ <= cap_ && s.size() <= cap_ - n_) {
            if (!s.empty()) {
                std::memcpy(out_ + n_, s.data(), s.size());
            }
        } else {
            overflow_ = true;
        }
        n_ += s.size();
    }
    constexpr void put_uint(std::size_t v) noexcept {
        char digits[20] = {};
        std::size_t k = 0;
        do {
            digits[k++] = static_cast<char>('0' + static_cast<int>(v % 10U));
            v /= 10U;
        } while (v != 0);
        char rev[20] = {};
        for (std::size_t i = 0; i < k; ++i) {
            rev[i] = digits[k - 1 - i];
        }
        put(std::string_view(rev, k));
    }
    constexpr write_result result() const noexcept {
        return {overflow_ ? error::buffer_too_small : error::none, n_};
    }

private:
    char* out_;
    std::size_t cap_;
    std::size_t n_ = 0;
    bool overflow_ = false;
};

/// True when `s` may not be written into a head: CR, LF or NUL (which could split the
/// message) or another control byte but HTAB (which a peer would refuse).
constexpr bool unsafe(std::string_view s) noexcept {
    std::size_t i = 0;
    if (!in_constant_evaluation()) {
        // Eight bytes at a time while none is below 0x20 or DEL (an HTAB stops the words; the
        // loop below passes it).
        while (s.size() - i >= 8 && swar_controls(load_le64(s.data() + i)) == 0) {
            i += 8;
        }
    }
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (is_forbidden_control(c)) {
            return true;
        }
    }
    return false;
}

constexpr bool valid_field_name(std::string_view s) noexcept {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!is_tchar(c)) {
            return false;
        }
    }
    return true;
}

} // namespace detail

/// Writes the response head for an accepted request: status line, `Upgrade`, `Connection`,
/// origin, location, optional protocol, extra fields and the blank line. For draft-75 this is
/// the whole response; for draft-76 the 16 bytes of `req.challenge()` follow (headers first:
/// this may be called as soon as `req.head_complete()`, before key3 has arrived).
/// **Errors** missing_origin (no origin to echo), unsafe_value (a caller value holds a
/// control byte such as CR, LF or NUL, or an extra field name is not a token),
/// buffer_too_small (`size` = bytes needed),
/// bad_upgrade when `req` is not a complete draft-75/76 head.
/// **Spec** draft-76 §5.2 steps 10–12; draft-75 §5.2.
inline write_result write_response_head(const request_parser& req, const response_options& opt,
                                        char* out, std::size_t cap) noexcept {
    const bool is76 = req.kind() == dialect::draft76;
    if (!req.head_complete() || (!is76 && req.kind() != dialect::draft75)) {
        return {error::bad_upgrade, 0};
    }
    const std::string_view origin = opt.origin.empty() ? req.origin() : opt.origin;
    const std::string_view host = opt.host.empty() ? req.host() : opt.host;
    // An echo of the request's own subprotocol (the same bytes) was checked by the parser
    // (U+0020–U+007E only), so it is not scanned again.
    const std::string_view req_protocol = req.protocol();
    const bool protocol_echo =
        opt.protocol.data() == req_protocol.data() && opt.protocol.size() == req_protocol.size();
    if (detail::unsafe(opt.origin) || detail::unsafe(opt.host) ||
        (!protocol_echo && detail::unsafe(opt.protocol))) {
        return {error::unsafe_value, 0};
    }
    for (std::size_t i = 0; i < opt.extra_fields.size; ++i) {
        const header_field& f = opt.extra_fields.data[i];
        if (!detail::valid_field_name(f.name) || detail::unsafe(f.value)) {
            return {error::unsafe_value, 0};
        }
    }
    if (origin.empty()) {
        return {error::missing_origin, 0};
    }
    // Fast path: size the response, then copy its pieces without per-piece checks. Adjacent
    // fixed strings are merged, so a §1.2 answer is nine copies. The bytes are those the
    // bounded writer below would write; it stays for buffers too small (it writes the pieces
    // that fit and reports the size needed).
    constexpr std::string_view head76 = "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
                                        "Upgrade: WebSocket\r\nConnection: Upgrade\r\n"
                                        "Sec-WebSocket-Origin: ";
    constexpr std::string_view head75 = "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
                                        "Upgrade: WebSocket\r\nConnection: Upgrade\r\n"
                                        "WebSocket-Origin: ";
    constexpr std::string_view loc76 = "\r\nSec-WebSocket-Location: ws://";
    constexpr std::string_view loc76s = "\r\nSec-WebSocket-Location: wss://";
    constexpr std::string_view loc75 = "\r\nWebSocket-Location: ws://";
    constexpr std::string_view loc75s = "\r\nWebSocket-Location: wss://";
    constexpr std::string_view proto76 = "\r\nSec-WebSocket-Protocol: ";
    constexpr std::string_view proto75 = "\r\nWebSocket-Protocol: ";
    const std::string_view head = is76 ? head76 : head75;
    const std::string_view loc =
        is76 ? (opt.secure ? loc76s : loc76) : (opt.secure ? loc75s : loc75);
    const std::string_view proto = is76 ? proto76 : proto75;
    const std::string_view resource = req.resource();
    std::size_t need = head.size() + origin.size() + loc.size() + host.size() + resource.size() + 4;
    if (!opt.protocol.empty()) {
        need += proto.size() + opt.protocol.size();
    }
    for (std::size_t i = 0; i < opt.extra_fields.size; ++i) {
        need += 4 + opt.extra_fields.data[i].name.size() + opt.extra_fields.data[i].value.size();
    }
    if (need <= cap) {
        char* o = out;
        const auto copy = [&o](std::string_view piece) {
            if (!piece.empty()) {
                std::memcpy(o, piece.data(), piece.size());
                o += piece.size();
            }
        };
        copy(head);
        copy(origin);
        copy(loc);
        copy(host);
        copy(resource);
        if (!opt.protocol.empty()) {
            copy(proto);
            copy(opt.protocol);
        }
        for (std::size_t i = 0; i < opt.extra_fields.size; ++i) {
            copy("\r\n");
            copy(opt.extra_fields.data[i].name);
            copy(": ");
            copy(opt.extra_fields.data[i].value);
        }
        copy("\r\n\r\n");
        return {error::none, need};
    }
    detail::bounded_writer w(out, cap);
    w.put(is76 ? "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
               : "HTTP/1.1 101 Web Socket Protocol Handshake\r\n");
    w.put("Upgrade: WebSocket\r\nConnection: Upgrade\r\n");
    w.put(is76 ? "Sec-WebSocket-Origin: " : "WebSocket-Origin: ");
    w.put(origin);
    w.put(is76 ? "\r\nSec-WebSocket-Location: " : "\r\nWebSocket-Location: ");
    w.put(opt.secure ? "wss://" : "ws://");
    w.put(host);
    w.put(req.resource());
    w.put("\r\n");
    if (!opt.protocol.empty()) {
        w.put(is76 ? "Sec-WebSocket-Protocol: " : "WebSocket-Protocol: ");
        w.put(opt.protocol);
        w.put("\r\n");
    }
    for (std::size_t i = 0; i < opt.extra_fields.size; ++i) {
        w.put(opt.extra_fields.data[i].name);
        w.put(": ");
        w.put(opt.extra_fields.data[i].value);
        w.put("\r\n");
    }
    w.put("\r\n");
    return w.result();
}

/// Writes the whole response: the head and, for draft-76, the 16-byte answer.
/// Precondition: `req.result().status == parse_status::complete`.
/// **Errors** those of write_response_head. **Spec** draft-76 §5.2 steps 10–13.
inline write_result write_response(const request_parser& req, const response_options& opt,
                                   char* out, std::size_t cap) noexcept {
    write_result r = write_response_head(req, opt, out, cap);
    if (r.err != error::none && r.err != error::buffer_too_small) {
        return r;
    }
    if (req.kind() == dialect::draft76) {
        if (req.result().status != parse_status::complete) {
            return {error::missing_key3, 0};
        }
        if (r.err == error::none && cap - r.size >= 16) {
            std::memcpy(out + r.size, req.challenge().data(), 16);
        } else {
            r.err = error::buffer_too_small;
        }
        r.size += 16;
    }
    return r;
}

/// Appends the whole response to `out` (a convenience that allocates).
/// **Errors** those of write_response except buffer_too_small.
inline error append_response(const request_parser& req, const response_options& opt,
                             std::string& out) {
    const write_result need = write_response(req, opt, nullptr, 0);
    if (need.err != error::buffer_too_small) {
        return need.err;
    }
    const std::size_t at = out.size();
    out.resize(at + need.size);
    const write_result r = write_response(req, opt, &out[at], need.size);
    if (r.err != error::none) {
        out.resize(at);
    }
    return r.err;
}

/// The reason phrase for the statuses this library writes.
constexpr std::string_view reason_phrase(int status) noexcept {
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

/// Writes a complete, self-delimiting HTTP/1.1 response that closes the connection:
/// status line, `Content-Type`, `Content-Length`, `Connection: close`, blank line, body.
/// **Errors** unsafe_value (a control byte in `content_type`), buffer_too_small.
inline write_result write_http_response(int status, std::string_view content_type,
                                        std::string_view body, char* out,
                                        std::size_t cap) noexcept {
    if (detail::unsafe(content_type) || status < 100 || status > 999) {
        return {error::unsafe_value, 0};
    }
    detail::bounded_writer w(out, cap);
    w.put("HTTP/1.1 ");
    w.put_uint(static_cast<std::size_t>(status));
    w.put(" ");
    w.put(reason_phrase(status));
    w.put("\r\nContent-Type: ");
    w.put(content_type);
    w.put("\r\nContent-Length: ");
    w.put_uint(body.size());
    if (status == 405) {
        w.put("\r\nAllow: GET");
    } else if (status == 426) {
        w.put("\r\nUpgrade: WebSocket");
    }
    w.put("\r\nConnection: close\r\n\r\n");
    w.put_bulk(body);
    return w.result();
}

/// The body of the 426 answer to RFC 6455 clients.
inline constexpr std::string_view rfc6455_refusal_text =
    "This endpoint speaks only the legacy WebSocket protocol (draft-hixie-76 / hybi-00 and "
    "draft-75); RFC 6455 clients are not served here.\n";

/// Writes the rejection a server should send for a failed request: the status of
/// suggested_http_status(e) (400 when it has none), a plain-text body naming the broken rule
/// (describe(e)), and `Connection: close`. error::origin_refused gives 403 and
/// error::rfc6455_request gives 426 with a one-line explanation.
/// **Errors** buffer_too_small.
inline write_result write_rejection(error e, char* out, std::size_t cap) noexcept {
    int status = suggested_http_status(e);
    if (status == 0) {
        status = 400;
    }
    if (e == error::rfc6455_request) {
        return write_http_response(status, "text/plain; charset=utf-8", rfc6455_refusal_text, out,
                                   cap);
    }
    // describe() plus a newline, without allocating.
    char body[256] = {};
    const std::string_view text = describe(e);
    const std::size_t n = text.size() < sizeof(body) - 1 ? text.size() : sizeof(body) - 1;
    for (std::size_t i = 0; i < n; ++i) {
        body[i] = text[i];
    }
    body[n] = '\n';
    return write_http_response(status, "text/plain; charset=utf-8", std::string_view(body, n + 1),
                               out, cap);
}

/// Appends a rejection to `out` (a convenience that allocates).
inline void append_rejection(error e, std::string& out) {
    const write_result need = write_rejection(e, nullptr, 0);
    const std::size_t at = out.size();
    out.resize(at + need.size);
    const write_result r = write_rejection(e, &out[at], need.size);
    out.resize(at + r.size);
}

} // namespace hixie76

#endif // HIXIE76_HANDSHAKE_HPP
