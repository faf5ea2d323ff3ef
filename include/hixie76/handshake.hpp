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

#include "hixie76/detail/append.hpp"
#include "hixie76/detail/ascii.hpp"
#include "hixie76/detail/config.hpp"
#include "hixie76/detail/http.hpp"
#include "hixie76/error.hpp"
#include "hixie76/frame.hpp"
#include "hixie76/head.hpp"
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
    /// Every code parse() and finish() can report; the tests and the fuzz target read this
    /// list, so it is the one place that says it.
    static constexpr error documented_errors[] = {
        error::bad_method,
        error::bad_request_target,
        error::bad_version,
        error::bad_request_line,
        error::bare_lf,
        error::bare_cr,
        error::malformed_field,
        error::bad_control_char,
        error::head_too_large,
        error::too_many_fields,
        error::missing_host,
        error::bad_host,
        error::missing_upgrade,
        error::bad_upgrade,
        error::missing_connection,
        error::bad_connection,
        error::only_one_key,
        error::duplicate_key,
        error::duplicate_field,
        error::bad_protocol,
        error::unsupported_draft,
        error::rfc6455_request,
        error::tls_on_plain_port,
        error::key_no_spaces,
        error::key_not_divisible,
        error::key_overflow,
        error::key_no_digits,
        error::missing_key3,
        error::unexpected_eof,
    };

    explicit constexpr request_parser(request_config cfg = {}) noexcept : cfg_(cfg) {
        if (cfg_.max_fields > max_fields_capacity) {
            cfg_.max_fields = max_fields_capacity;
        }
        if (cfg_.max_head_bytes > detail::max_head_bytes_cap) {
            cfg_.max_head_bytes = detail::max_head_bytes_cap;
        }
    }

    /// Parses the bytes received so far.
    /// Precondition: `buf` holds every byte given before, followed by any new ones.
    /// Returns: need_more (consumed = bytes scanned), complete (consumed = the handshake's
    /// bytes: head, plus key3 for draft-76) or failed (consumed = offset of the offending
    /// byte; for rfc6455_request, the head size).
    /// **Errors** those of documented_errors but missing_key3 and unexpected_eof (which only
    /// finish() reports). The first broken rule in stream order decides, wherever the reads split
    /// the bytes: the request line is checked when it ends, each field when its line ends (a
    /// duplicate, `Host`, the keys), the rest once the head is whole. Sticky until reset().
    /// **Lifetime** accessors' views point into the `buf` of the latest call.
    /// **Complexity** O(new bytes) per call. **Spec** draft-76 §5.1, §5.2 steps 1–9.
    constexpr parse_result parse(std::string_view buf) noexcept {
        buf_ = buf;
        if (result_.status != parse_status::need_more) {
            return result_;
        }
        if (!tok_.done()) {
            if (tok_.position() == 0 && !buf.empty() && buf[0] == tls_handshake_record) {
                return fail(error::tls_on_plain_port, 0);
            }
            const detail::head_step s = tok_.advance(buf, cfg_.max_head_bytes, cfg_.max_fields);
            // The first broken rule in stream order decides: the request line, then each whole
            // field in turn, then the tokenizer's own verdict (which lies after both).
            const parse_result early = check_progress(s);
            if (early.status == parse_status::failed) {
                return early;
            }
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
        if (head > buf.size() || buf.size() - head < key3_size) { // (head + 8 cannot wrap)
            return {parse_status::need_more, error::none, buf.size()};
        }
        key3_.assign(buf.data() + head, key3_size);
        response_ = challenge_from_parts(part1_, part2_, key3_.view());
        result_ = {parse_status::complete, error::none, head + key3_size};
        return result_;
    }

    /// Tells the parser the stream ended. Returns: the result of parse() if complete or
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
    /// The request's kind; unknown until the head is complete. After a failure: draft76 when
    /// a key field had been read, draft75 when `Upgrade: WebSocket` had (so a server can log
    /// which dialect a failing client spoke), rfc6455 for rfc6455_request, else unknown.
    constexpr dialect kind() const noexcept { return kind_; }
    /// The draft to speak once the head is complete: draft75 for a draft-75 request, else
    /// draft76 (what decoder_config_for uses).
    constexpr draft version() const noexcept {
        return kind_ == dialect::draft75 ? draft::draft75 : draft::draft76;
    }
    /// Size of the head including its blank line (valid once the head is complete).
    constexpr std::size_t head_size() const noexcept { return tok_.position(); }

    /// The resource name (path and query) from the request line.
    constexpr std::string_view resource() const noexcept { return slice(resource_); }
    /// The `Host` field's value.
    constexpr std::string_view host() const noexcept { return value_of(at(n_host)); }
    /// The `Origin` field's value; empty when absent.
    constexpr std::string_view origin() const noexcept { return value_of(at(n_origin)); }
    /// The requested subprotocol (`Sec-WebSocket-Protocol` in -76, `WebSocket-Protocol` in
    /// -75); empty when none.
    constexpr std::string_view protocol() const noexcept {
        return value_of(at(kind_ == dialect::draft75 ? n_protocol75 : n_protocol76));
    }
    /// The raw `Sec-WebSocket-Key1` / `-Key2` values (spaces are significant).
    constexpr std::string_view key1() const noexcept { return value_of(at(n_key1)); }
    constexpr std::string_view key2() const noexcept { return value_of(at(n_key2)); }
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
    /// The first byte of a TLS record of type handshake (RFC 8446 §5.1): a ClientHello.
    static constexpr char tls_handshake_record = '\x16';
    /// Bytes of key3 after the head (draft-76 §5.1).
    static constexpr std::size_t key3_size = 8;
    struct range {
        std::uint32_t off = 0;
        std::uint32_t len = 0;
    };
    struct key3_store {
        std::array<char, key3_size> bytes{};
        bool set = false;
        constexpr void assign(const char* p, std::size_t n) noexcept {
            for (std::size_t i = 0; i < n && i < key3_size; ++i) {
                bytes[i] = p[i];
            }
            set = true;
        }
        constexpr std::string_view view() const noexcept {
            return set ? std::string_view(bytes.data(), key3_size) : std::string_view();
        }
    };

    constexpr std::string_view slice(range r) const noexcept { return buf_.substr(r.off, r.len); }
    constexpr std::string_view value_of(std::uint8_t idx) const noexcept {
        return idx == detail::no_field ? std::string_view() : tok_.field(buf_, idx).value;
    }
    constexpr std::size_t value_off(std::uint8_t idx) const noexcept {
        return tok_.span(idx).value_off;
    }
    constexpr parse_result fail(error e, std::size_t at) noexcept {
        result_ = {parse_status::failed, e, at};
        if (kind_ == dialect::unknown) {
            kind_ = recognised();
        }
        return result_;
    }
    /// Fails at a byte of the head that the tokenizer has passed: it stops there too, so
    /// field_count() and head_size() do not depend on how far a read reached.
    constexpr parse_result fail_within(error e, std::size_t at, std::size_t fields) noexcept {
        tok_.stop_at(fields, at);
        return fail(e, at);
    }
    /// The dialect the fields read so far announce.
    constexpr dialect recognised() const noexcept {
        if (has(n_key1) || has(n_key2)) {
            return dialect::draft76;
        }
        if (has(n_upgrade) && is_websocket(value_of(at(n_upgrade)))) {
            return dialect::draft75;
        }
        return dialect::unknown;
    }
    /// `Upgrade: WebSocket`, in any case, with optional whitespace around it.
    static constexpr bool is_websocket(std::string_view v) noexcept {
        return detail::iequals(detail::trim_ows(v), "WebSocket");
    }

    /// Checks what the last advance() completed: the request line once it ends (or, when the
    /// tokenizer failed inside it, the part before the failure, whose own fault would be
    /// earlier), then every field whose line ended.
    constexpr parse_result check_progress(const detail::head_step& s) noexcept {
        if (!line_checked_) {
            const bool ended = tok_.start_line_ended();
            if (!ended && s.status != parse_status::failed) {
                return {};
            }
            const std::string_view line =
                ended ? tok_.start_line(buf_) : buf_.substr(0, s.pos < buf_.size() ? s.pos : 0);
            const line_verdict v = check_request_line(line, !ended);
            if (v.err != error::none && (ended || v.at < s.pos)) {
                return fail_within(v.err, v.at, 0);
            }
            if (!ended) {
                return {};
            }
            resource_ = v.resource;
            line_checked_ = true;
        }
        for (; checked_ < tok_.field_count(); ++checked_) {
            const parse_result r = check_field(checked_);
            if (r.status == parse_status::failed) {
                return r;
            }
        }
        return {};
    }

    struct line_verdict {
        error err = error::none;
        std::size_t at = 0;
        range resource{};
    };

    /// Checks `GET SP resource SP HTTP/1.1` (draft-76 §4.1 step 5; the draft's client sends
    /// exactly this line, §4.1 steps 1–5 of its opening handshake).
    /// `partial`: the line was cut short by a fault after it, so a version that is a prefix
    /// of `HTTP/1.1` has no offending byte yet.
    static constexpr line_verdict check_request_line(std::string_view line,
                                                     bool partial = false) noexcept {
        // Each structural fault is reported where the line first departs from the form: a
        // wrong method once its token is whole, a missing space or token at the line's end, an
        // extra space where it stands.
        const std::size_t sp1 = line.find(' ');
        for (std::size_t i = 0; i < sp1 && i < line.size(); ++i) {
            if (!detail::is_tchar(line[i])) {
                return {error::bad_request_line, i};
            }
        }
        if (sp1 == 0) {
            return {error::bad_request_line, 0};
        }
        if (sp1 != std::string_view::npos && line.substr(0, sp1) != "GET") {
            return {error::bad_method, 0};
        }
        if (sp1 == std::string_view::npos) {
            return {error::bad_request_line, line.size()};
        }
        const std::size_t sp2 = line.find(' ', sp1 + 1);
        if (sp2 == std::string_view::npos) {
            return {error::bad_request_line, line.size()};
        }
        if (sp2 == sp1 + 1) {
            return {error::bad_request_line, sp2};
        }
        const std::size_t sp3 = line.find(' ', sp2 + 1);
        if (sp3 != std::string_view::npos) {
            return {error::bad_request_line, sp3};
        }
        if (sp2 + 1 == line.size()) {
            return {error::bad_request_line, line.size()};
        }
        const std::string_view http = line.substr(sp2 + 1);
        if (http != "HTTP/1.1" &&
            !(partial && http.size() < 8 && http == std::string_view("HTTP/1.1", http.size()))) {
            return {error::bad_version, sp2 + 1};
        }
        const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        if (target[0] != '/') {
            return {error::bad_request_target, sp1 + 1};
        }
        for (std::size_t i = 0; i < target.size(); ++i) {
            const auto b = detail::byte(target[i]);
            if (target[i] == '#' || b >= 0x80) {
                return {error::bad_request_target, sp1 + 1 + i};
            }
        }
        return {error::none,
                0,
                {static_cast<std::uint32_t>(sp1 + 1), static_cast<std::uint32_t>(target.size())}};
    }

    /// The fields the parser reads, by name (draft-76 §5.1 and §5.2; draft-75 §5.1), and the
    /// two that mark an RFC 6455 request.
    enum name_id : std::uint8_t {
        n_host,
        n_origin,
        n_upgrade,
        n_connection,
        n_draft,
        n_key1,
        n_key2,
        n_protocol76,
        n_protocol75,
        n_rfc6455_key,
        n_rfc6455_version,
        name_count
    };
    static constexpr detail::field_names<name_count> names{{
        "host",
        "origin",
        "upgrade",
        "connection",
        "sec-websocket-draft",
        "sec-websocket-key1",
        "sec-websocket-key2",
        "sec-websocket-protocol",
        "websocket-protocol",
        "sec-websocket-key",
        "sec-websocket-version",
    }};
    static_assert(names.find("host") == n_host && names.find("origin") == n_origin &&
                      names.find("upgrade") == n_upgrade &&
                      names.find("connection") == n_connection &&
                      names.find("sec-websocket-draft") == n_draft &&
                      names.find("sec-websocket-key1") == n_key1 &&
                      names.find("sec-websocket-key2") == n_key2 &&
                      names.find("sec-websocket-protocol") == n_protocol76 &&
                      names.find("websocket-protocol") == n_protocol75 &&
                      names.find("sec-websocket-key") == n_rfc6455_key &&
                      names.find("sec-websocket-version") == n_rfc6455_version,
                  "each name_id is the index of its name");
    static_assert(names.valid(), "every name is 1 to max_length bytes");

    /// The field recorded under `k`, or no_field.
    constexpr std::uint8_t at(name_id k) const noexcept { return fields_[k]; }
    constexpr bool has(name_id k) const noexcept { return fields_[k] != detail::no_field; }

    /// Field `i`, whose line has ended: notes the fields the parser reads and checks what one
    /// field decides alone (a duplicate, `Host`, a key), so the earliest fault wins.
    // HIXIE76_ALWAYS_INLINE here, on check_key and on check_upgrade: bench: handshake/spec
    // 314 ns -> 298 ns, cookie 352 ns -> 334 ns (medians of 10 interleaved runs).
    HIXIE76_ALWAYS_INLINE constexpr parse_result check_field(std::size_t i) noexcept {
        const detail::field_span& sp = tok_.span(i);
        const std::uint8_t k = names.find(std::string_view(buf_.data() + sp.name_off, sp.name_len));
        if (k == detail::no_field) {
            return {};
        }
        const auto idx = static_cast<std::uint8_t>(i);
        const bool first = fields_.note(k, idx);
        switch (k) {
        case n_key1:
            return check_key(first, part1_, idx);
        case n_key2:
            return check_key(first, part2_, idx);
        case n_protocol76:
        case n_protocol75:
            // A repeat matters only in the dialect that reads that field (the other draft's
            // field is ignored, repeats included), which the whole head decides.
            if (!first) {
                std::uint32_t& dup_at = k == n_protocol76 ? dup76_at_ : dup75_at_;
                dup_at = dup_at == 0 ? idx : dup_at; // resolved to an offset by classify()
            }
            return {};
        case n_rfc6455_key:
        case n_rfc6455_version:
            return {}; // classify() refuses the request as a whole
        default:
            break;
        }
        if (!first) {
            return fail_within(error::duplicate_field, sp.name_off, i + 1);
        }
        if (k == n_host) {
            // The Host is echoed into the location (draft-76 §5.2 step 12): only a host name or
            // IP literal with an optional port may pass, never an empty or spaced value.
            const std::size_t bad = detail::host_error_at(value_of(idx));
            if (bad != std::string_view::npos) {
                return fail_within(error::bad_host, sp.value_off + bad, i + 1);
            }
        }
        return {};
    }

    /// A key field (`first`: not a repeat): refused when repeated or when its value breaks
    /// §5.2 steps 4–9.
    HIXIE76_ALWAYS_INLINE constexpr parse_result check_key(bool first, std::uint32_t& part,
                                                           std::uint8_t idx) noexcept {
        const detail::field_span& sp = tok_.span(idx);
        if (!first) {
            return fail_within(error::duplicate_key, sp.name_off, std::size_t{idx} + 1);
        }
        const key_result r = parse_key(value_of(idx));
        if (r.err != error::none) {
            return fail_within(r.err, sp.value_off, std::size_t{idx} + 1);
        }
        part = r.part;
        return {};
    }

    /// Checks the subprotocol the dialect reads (draft-76 §4.1 step 12: U+0020–U+007E).
    constexpr parse_result check_protocol(std::uint8_t proto) noexcept {
        if (proto == detail::no_field) {
            return {};
        }
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
        return {};
    }

    /// Runs once the head is complete (every field already checked alone): decides the
    /// dialect, then check_upgrade() checks what depends on several fields.
    constexpr parse_result classify() noexcept {
        const std::size_t head = tok_.position();
        if (has(n_rfc6455_key) || has(n_rfc6455_version)) {
            kind_ = dialect::rfc6455;
            return fail(error::rfc6455_request, head);
        }
        const bool has_keys = has(n_key1) || has(n_key2);
        const std::uint32_t dup = has_keys ? dup76_at_ : dup75_at_;
        if (dup != 0) {
            return fail(error::duplicate_field, tok_.span(dup).name_off);
        }
        if (!has(n_host)) {
            return fail(error::missing_host, head);
        }
        // Without keys, only `Upgrade: WebSocket` makes a WebSocket (draft-75) request; any
        // other GET is plain HTTP, which may ignore an Upgrade it does not speak (RFC 9110
        // §7.8: `h2c`, or a stray `Connection: Upgrade`).
        if (!has_keys && !(has(n_upgrade) && is_websocket(value_of(at(n_upgrade))))) {
            kind_ = dialect::http;
            result_ = {parse_status::complete, error::none, head};
            return result_;
        }
        const parse_result r = check_upgrade(has_keys);
        if (r.status == parse_status::failed) {
            return r;
        }
        kind_ = has_keys ? dialect::draft76 : dialect::draft75;
        if (!has_keys) {
            result_ = {parse_status::complete, error::none, head};
            return result_;
        }
        return {parse_status::need_more, error::none, head};
    }

    /// The fields of a WebSocket request (draft-76 §5.1 and §5.2 steps 1–3; draft-75 §5.1):
    /// `Upgrade: WebSocket`, `Connection` listing `Upgrade`, no draft but 0, both keys or
    /// none, a valid subprotocol.
    HIXIE76_ALWAYS_INLINE constexpr parse_result check_upgrade(bool has_keys) noexcept {
        const std::size_t head = tok_.position();
        if (!has(n_upgrade)) {
            return fail(error::missing_upgrade, head);
        }
        if (!is_websocket(value_of(at(n_upgrade)))) {
            return fail(error::bad_upgrade, value_off(at(n_upgrade)));
        }
        if (!has(n_connection)) {
            return fail(error::missing_connection, head);
        }
        if (!detail::list_contains_token(value_of(at(n_connection)), "upgrade")) {
            return fail(error::bad_connection, value_off(at(n_connection)));
        }
        if (has(n_draft) && detail::trim_ows(value_of(at(n_draft))) != "0") {
            return fail(error::unsupported_draft, value_off(at(n_draft)));
        }
        if (has_keys && !(has(n_key1) && has(n_key2))) {
            return fail(error::only_one_key, head);
        }
        return check_protocol(at(has_keys ? n_protocol76 : n_protocol75));
    }

    request_config cfg_;
    detail::head_tokenizer tok_{};
    std::string_view buf_{};
    parse_result result_{};
    dialect kind_ = dialect::unknown;
    range resource_{};
    detail::field_slots<name_count> fields_{};
    bool line_checked_ = false;
    std::size_t checked_ = 0;    ///< fields checked by check_field
    std::uint32_t dup75_at_ = 0; ///< index of a repeated WebSocket-Protocol (0: none)
    std::uint32_t dup76_at_ = 0; ///< index of a repeated Sec-WebSocket-Protocol (0: none)
    std::uint32_t part1_ = 0;
    std::uint32_t part2_ = 0;
    key3_store key3_{};
    challenge_bytes response_{};
};

/// What the server puts in its answer besides what the request dictates.
struct response_options {
    /// `wss` in the location: the client connected over TLS, perhaps to a proxy in front of
    /// this server (draft-76 §3: the scheme the client used, not the transport's).
    bool secure = false;
    /// The public `host[:port]` for the location; empty: the request's `Host`.
    std::string_view host{};
    /// The origin to echo; empty: the request's `Origin` (WebKit fails without
    /// `Sec-WebSocket-Origin`). With neither, see require_origin.
    std::string_view origin{};
    /// The subprotocol to answer with: an exact echo of the request's (draft-76 §4.1 step 41),
    /// U+0020–U+007E. Empty: see echo_protocol.
    std::string_view protocol{};
    /// Extra fields written after the WebSocket ones.
    field_list extra_fields{};
    /// With `protocol` empty: true (the default since 1.1) echoes the request's subprotocol,
    /// as its client requires (a client that asked for one fails without it, §4.1 step 41);
    /// false answers with none, and such a client fails the connection.
    bool echo_protocol = true;
    /// With `origin` empty and no `Origin` in the request (a client that is not a browser):
    /// false (the default since 1.1) answers with the origin the request's `Host` implies
    /// (`http://` + Host, `https://` when `secure`), which a same-origin page would have sent;
    /// true refuses with missing_origin, as 1.0 did.
    bool require_origin = false;
};

namespace detail {

/// Copies pieces to a buffer known to be large enough.
class piece_copier {
public:
    explicit piece_copier(char* out) noexcept : o_(out) {}
    void operator()(std::string_view piece) noexcept {
        if (!piece.empty()) {
            std::memcpy(o_, piece.data(), piece.size());
            o_ += piece.size();
        }
    }

private:
    char* o_;
};

/// Adds up the sizes of pieces.
struct piece_counter {
    std::size_t n = 0;
    constexpr void operator()(std::string_view piece) noexcept { n += piece.size(); }
};

/// What a response head is made of, decided once and then written piece by piece.
struct response_head_parts {
    bool is76 = true;
    bool secure = false;
    std::string_view origin_scheme{}; ///< "http://" or "https://" before a Host-made origin
    std::string_view origin{};
    std::string_view host{};
    std::string_view resource{};
    std::string_view protocol{};
    field_list extra{};

    /// Passes the head's pieces, in order, to `put`. Adjacent fixed strings are merged, so a
    /// §1.2 answer is nine pieces.
    template <class Put> constexpr void emit(Put& put) const noexcept {
        put(is76 ? "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
                   "Upgrade: WebSocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Origin: "
                 : "HTTP/1.1 101 Web Socket Protocol Handshake\r\n"
                   "Upgrade: WebSocket\r\nConnection: Upgrade\r\n"
                   "WebSocket-Origin: ");
        put(origin_scheme);
        put(origin);
        if (is76) {
            put(secure ? "\r\nSec-WebSocket-Location: wss://"
                       : "\r\nSec-WebSocket-Location: ws://");
        } else {
            put(secure ? "\r\nWebSocket-Location: wss://" : "\r\nWebSocket-Location: ws://");
        }
        put(host);
        put(resource);
        if (!protocol.empty()) {
            put(is76 ? "\r\nSec-WebSocket-Protocol: " : "\r\nWebSocket-Protocol: ");
            put(protocol);
        }
        for (std::size_t i = 0; i < extra.size; ++i) {
            put("\r\n");
            put(extra.data[i].name);
            put(": ");
            put(extra.data[i].value);
        }
        put("\r\n\r\n");
    }
};

} // namespace detail

/// Writes the response head for an accepted request: status line, `Upgrade`, `Connection`,
/// origin, location, optional protocol, extra fields and the blank line. For draft-75 this is
/// the whole response; for draft-76 the 16 bytes of `req.challenge()` follow. Headers first is
/// the recommended path: call this as soon as `req.head_complete()`, before key3 has arrived
/// (some proxies hold key3 back until they see the 101), and send the 16 bytes when parse()
/// completes.
/// **Errors** wrong_state (`req` is not a complete draft-75/76 head: plain HTTP, RFC 6455,
/// failed or unfinished); unsafe_value (a caller value holds a control byte such as CR, LF or
/// NUL, or an extra field name is not a token); bad_protocol (`opt.protocol` outside
/// U+0020–U+007E); missing_origin (no origin to echo and `opt.require_origin`);
/// buffer_too_small (`size` = bytes needed; nothing is written).
/// **Spec** draft-76 §5.2 steps 10–12; draft-75 §5.2.
inline write_result write_response_head(const request_parser& req, const response_options& opt,
                                        char* out, std::size_t cap) noexcept {
    detail::response_head_parts parts;
    parts.is76 = req.kind() == dialect::draft76;
    if (!req.head_complete() || (!parts.is76 && req.kind() != dialect::draft75)) {
        return {error::wrong_state, 0};
    }
    const std::string_view req_protocol = req.protocol();
    // An echo of the request's own subprotocol (the same bytes) was checked by the parser
    // (U+0020–U+007E only), so it is not scanned again.
    const bool protocol_echo =
        opt.protocol.data() == req_protocol.data() && opt.protocol.size() == req_protocol.size();
    if (detail::unsafe(opt.origin) || detail::unsafe(opt.host) ||
        (!protocol_echo && detail::unsafe(opt.protocol)) ||
        !detail::safe_fields(opt.extra_fields)) {
        return {error::unsafe_value, 0};
    }
    if (!protocol_echo && !opt.protocol.empty() && !detail::valid_protocol(opt.protocol)) {
        return {error::bad_protocol, 0};
    }
    parts.secure = opt.secure;
    parts.host = opt.host.empty() ? req.host() : opt.host;
    parts.resource = req.resource();
    parts.origin = opt.origin.empty() ? req.origin() : opt.origin;
    if (parts.origin.empty()) {
        if (opt.require_origin) {
            return {error::missing_origin, 0};
        }
        parts.origin_scheme = opt.secure ? "https://" : "http://";
        parts.origin = req.host();
    }
    parts.protocol = opt.protocol.empty() && opt.echo_protocol ? req_protocol : opt.protocol;
    parts.extra = opt.extra_fields;
    detail::piece_counter count;
    parts.emit(count);
    if (count.n > cap) {
        return {error::buffer_too_small, count.n};
    }
    detail::piece_copier copy(out);
    parts.emit(copy);
    return {error::none, count.n};
}

/// Writes the whole response: the head and, for draft-76, the 16-byte answer.
/// **Errors** those of write_response_head; wrong_state also for a draft-76 request whose key3
/// has not arrived yet (`req.result().status` is not complete: write the head alone first).
/// **Spec** draft-76 §5.2 steps 10–13.
inline write_result write_response(const request_parser& req, const response_options& opt,
                                   char* out, std::size_t cap) noexcept {
    const bool is76 = req.kind() == dialect::draft76;
    if (is76 && req.head_complete() && req.result().status != parse_status::complete) {
        return {error::wrong_state, 0};
    }
    const std::size_t answer = is76 ? req.challenge().size() : 0;
    write_result r = write_response_head(req, opt, out, cap < answer ? 0 : cap - answer);
    if (r.err == error::buffer_too_small) {
        r.size += answer;
    } else if (r.err == error::none && answer != 0) {
        std::memcpy(out + r.size, req.challenge().data(), answer);
        r.size += answer;
    }
    return r;
}

/// Appends the whole response to `out` (a convenience that allocates). The request may have
/// been read into `out` itself. **Errors** those of write_response but buffer_too_small;
/// `out` is unchanged on error.
inline error append_response(const request_parser& req, const response_options& opt,
                             std::string& out) {
    const write_result need = write_response(req, opt, nullptr, 0);
    if (need.err != error::buffer_too_small) {
        return need.err;
    }
    detail::append_with(out, need.size, [&](char* o) {
        static_cast<void>(write_response(req, opt, o, need.size));
    });
    return error::none;
}

/// Appends the response head to `out` (headers first; see write_response_head). The 16-byte
/// answer of a draft-76 request follows once parse() completes: `req.challenge()`.
/// **Errors** those of write_response_head but buffer_too_small; `out` is unchanged on error.
inline error append_response_head(const request_parser& req, const response_options& opt,
                                  std::string& out) {
    const write_result need = write_response_head(req, opt, nullptr, 0);
    if (need.err != error::buffer_too_small) {
        return need.err;
    }
    detail::append_with(out, need.size, [&](char* o) {
        static_cast<void>(write_response_head(req, opt, o, need.size));
    });
    return error::none;
}

/// The frame_decoder options for the draft `req` speaks (once its head is complete), on top of
/// `base` (limits, UTF-8 checking): one call instead of mapping dialect to draft by hand.
inline decoder_config decoder_config_for(const request_parser& req,
                                         decoder_config base = {}) noexcept {
    base.version = req.version();
    return base;
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

/// Writes a complete, self-delimiting HTTP/1.1 response that closes the connection: status
/// line, `Content-Type`, `Content-Length`, `extra` fields (`Retry-After`, `Server`, ...),
/// `Connection: close`, blank line, body. A 405 also gets `Allow: GET`; a 426 gets
/// `Upgrade: WebSocket` with `Connection: Upgrade, close` (RFC 9110 §7.8: an Upgrade field is
/// named in Connection).
/// **Errors** unsafe_value (a control byte in `content_type` or an extra value, an extra name
/// that is not a token, a status outside 100–999), buffer_too_small (`size` = bytes needed).
inline write_result write_http_response(int status, std::string_view content_type,
                                        std::string_view body, field_list extra, char* out,
                                        std::size_t cap) noexcept {
    if (detail::unsafe(content_type) || status < 100 || status > 999 ||
        !detail::safe_fields(extra)) {
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
    for (std::size_t i = 0; i < extra.size; ++i) {
        w.put("\r\n");
        w.put(extra.data[i].name);
        w.put(": ");
        w.put(extra.data[i].value);
    }
    if (status == 405) {
        w.put("\r\nAllow: GET");
    } else if (status == 426) {
        w.put("\r\nUpgrade: WebSocket\r\nConnection: Upgrade, close\r\n\r\n");
    }
    if (status != 426) {
        w.put("\r\nConnection: close\r\n\r\n");
    }
    w.put(body);
    return w.result();
}

/// write_http_response without extra fields (the 1.0 signature).
inline write_result write_http_response(int status, std::string_view content_type,
                                        std::string_view body, char* out,
                                        std::size_t cap) noexcept {
    return write_http_response(status, content_type, body, field_list{}, out, cap);
}

/// Appends write_http_response's bytes to `out` (a convenience that allocates; `body` may
/// view `out`). **Errors** unsafe_value; `out` is unchanged on error.
inline error append_http_response(int status, std::string_view content_type, std::string_view body,
                                  std::string& out, field_list extra = {}) {
    const write_result need = write_http_response(status, content_type, body, extra, nullptr, 0);
    if (need.err != error::buffer_too_small) {
        return need.err;
    }
    detail::append_with(out, need.size, [&](char* o) {
        static_cast<void>(write_http_response(status, content_type, body, extra, o, need.size));
    });
    return error::none;
}

/// The body of the 426 answer to RFC 6455 clients.
inline constexpr std::string_view rfc6455_refusal_text =
    "This endpoint speaks only the legacy WebSocket protocol (draft-hixie-76 / hybi-00 and "
    "draft-75); RFC 6455 clients are not served here.\n";

/// What a rejection carries besides its status and body.
struct rejection_options {
    /// Extra fields (`Retry-After`, `Server`, ...), written before `Connection`.
    field_list extra_fields{};
};

/// Writes the rejection a server should send for a failed request: the status of
/// suggested_http_status(e) (400 when it has none), a plain-text body naming the broken rule
/// (describe(e)), `opt.extra_fields` and `Connection: close`. error::origin_refused gives 403;
/// error::rfc6455_request gives 426 with a one-line explanation, `Sec-WebSocket-Version: 13`
/// (RFC 6455 §4.4) and `Connection: Upgrade, close` matching its `Upgrade`.
/// **Errors** invalid_argument (`e` is error::none: there is nothing to reject), unsafe_value
/// (a bad extra field), buffer_too_small.
inline write_result write_rejection(error e, const rejection_options& opt, char* out,
                                    std::size_t cap) noexcept {
    if (e == error::none) {
        return {error::invalid_argument, 0};
    }
    int status = suggested_http_status(e);
    if (status == 0) {
        status = 400;
    }
    constexpr std::string_view text_plain = "text/plain; charset=utf-8";
    if (e == error::rfc6455_request) {
        // The caller's fields plus Sec-WebSocket-Version (at most max_fields_capacity).
        header_field fields[max_fields_capacity + 1] = {};
        std::size_t n = 0;
        for (; n < opt.extra_fields.size && n < max_fields_capacity; ++n) {
            fields[n] = opt.extra_fields.data[n];
        }
        fields[n++] = {"Sec-WebSocket-Version", "13"};
        return write_http_response(status, text_plain, rfc6455_refusal_text, field_list(fields, n),
                                   out, cap);
    }
    // describe() plus a newline, without allocating.
    char body[256] = {};
    const std::string_view text = describe(e);
    const std::size_t n = text.size() < sizeof(body) - 1 ? text.size() : sizeof(body) - 1;
    for (std::size_t i = 0; i < n; ++i) {
        body[i] = text[i];
    }
    body[n] = '\n';
    return write_http_response(status, text_plain, std::string_view(body, n + 1), opt.extra_fields,
                               out, cap);
}

/// write_rejection without options (the 1.0 signature).
inline write_result write_rejection(error e, char* out, std::size_t cap) noexcept {
    return write_rejection(e, rejection_options{}, out, cap);
}

/// Appends a rejection to `out` (a convenience that allocates).
/// **Errors** those of write_rejection but buffer_too_small; `out` is unchanged on error.
inline error append_rejection(error e, std::string& out, const rejection_options& opt = {}) {
    const write_result need = write_rejection(e, opt, nullptr, 0);
    if (need.err != error::buffer_too_small) {
        return need.err;
    }
    detail::append_with(out, need.size,
                        [&](char* o) { static_cast<void>(write_rejection(e, opt, o, need.size)); });
    return error::none;
}

} // namespace hixie76

#endif // HIXIE76_HANDSHAKE_HPP
