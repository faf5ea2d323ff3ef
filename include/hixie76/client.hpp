// SPDX-License-Identifier: MIT
// hixie76/client.hpp — client side of the opening handshake: URL parsing, the request builder
// (fresh keys from the caller's random generator) and the incremental response checker.
//
// Theory of operation.
//
//   client_handshake::start(url, options, rng) ──► request() bytes to send
//   bytes ──► client_handshake::parse(buf) ──► need_more … complete | failed (sticky)
//
// start() builds the request of draft-76 §4.1 steps 1–27 (or draft-75's) and remembers what
// the answer must contain: the origin and location it implies, the protocol, and for
// draft-76 the expected 16-byte MD5 answer. parse() walks the response head once
// (detail::head_tokenizer), checks the status line and every field (§4.1 steps 28–41), then
// waits for exactly 16 bytes and compares them (steps 42–45):
//
//   head --(status, fields ok; draft-75)---------------------► complete, consumed = head
//   head --(status, fields ok; draft-76)--► awaiting_answer --(16 bytes)--► complete,
//                                                              consumed = head + 16
//
// Bytes past `consumed` are the server's first frames: give them to a frame_decoder.
#ifndef HIXIE76_CLIENT_HPP
#define HIXIE76_CLIENT_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "hixie76/detail/ascii.hpp"
#include "hixie76/detail/http.hpp"
#include "hixie76/error.hpp"
#include "hixie76/head.hpp"
#include "hixie76/token.hpp"

namespace hixie76 {

/// The parts of a `ws://` or `wss://` URL. **Lifetime** the views point into the parsed text.
struct ws_url {
    bool secure = false;     ///< `wss`
    std::string_view host{}; ///< as written, without brackets for an IPv6 literal
    bool ipv6 = false;       ///< the host was a bracketed IPv6 literal
    std::uint16_t port = 0;  ///< explicit port, or 80 / 443 by scheme
    /// Path and `?query` as written; "/" when the URL has neither. When the URL has a query
    /// but no path (`ws://h?q`) this is `?q`, and the resource name is "/" followed by it
    /// (draft-76 §3: an empty path is "/"): use resource_name().
    std::string_view resource{};

    /// The resource name the request line and the location carry: `resource`, with the "/"
    /// of an empty path put in front of a bare query. Allocates.
    std::string resource_name() const {
        std::string r;
        if (resource.empty() || resource[0] != '/') {
            r += '/';
        }
        r.append(resource.data(), resource.size());
        return r;
    }
};

/// The result of parse_ws_url.
struct url_result {
    error err = error::none; ///< none or bad_url
    ws_url url{};            ///< empty (`ws_url{}`) with bad_url
};

namespace detail {

/// The port a URL that names none means (draft-76 §3): 80 for `ws`, 443 for `wss`.
inline constexpr std::uint16_t ws_default_port = 80;
inline constexpr std::uint16_t wss_default_port = 443;
/// Most digits a port is written with: those of max_port, so `:000080` is refused.
inline constexpr std::size_t max_port_digits = 5;

/// Returns: the number of decimal digits of `v`.
constexpr std::size_t decimal_digits(std::uint32_t v) noexcept {
    std::size_t n = 1;
    for (; v >= 10U; v /= 10U) {
        ++n;
    }
    return n;
}

static_assert(max_port == std::numeric_limits<std::uint16_t>::max(),
              "every port fits ws_url::port, and no port above it does");
static_assert(decimal_digits(max_port) == max_port_digits,
              "max_port_digits digits can write max_port and no longer port");
static_assert(ws_default_port != 0 && wss_default_port != 0, "a default port is a valid port");

/// Returns: the port a `ws` (or, when `secure`, `wss`) URL means when it names none.
constexpr std::uint16_t default_port(bool secure) noexcept {
    return secure ? wss_default_port : ws_default_port;
}

/// A URL's scheme read off its front.
struct url_scheme {
    bool ok = false;         ///< `ws://` or `wss://`
    bool secure = false;     ///< `wss://`
    std::string_view rest{}; ///< what follows the scheme
};

/// Returns: the scheme of `text`, `ws://` or `wss://` in any case (draft-76 §3), and the text
/// after it; ok is false for any other scheme.
constexpr url_scheme read_ws_scheme(std::string_view text) noexcept {
    constexpr std::string_view ws = "ws://";
    constexpr std::string_view wss = "wss://";
    if (text.size() >= ws.size() && iequals(text.substr(0, ws.size()), ws)) {
        return {true, false, text.substr(ws.size())};
    }
    if (text.size() >= wss.size() && iequals(text.substr(0, wss.size()), wss)) {
        return {true, true, text.substr(wss.size())};
    }
    return {};
}

/// Returns: whether no byte of `text` is one a WebSocket URL may not hold anywhere: a space,
/// '#' (§3 refuses a fragment), HTAB, another control byte (NUL, CR, LF, DEL...) or a byte
/// 0x80–0xFF.
constexpr bool url_bytes_ok(std::string_view text) noexcept {
    for (char c : text) {
        if (c == ' ' || c == '#' || is_forbidden_control(c) || c == '\t' || byte(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

/// The text after the scheme, cut where the resource begins.
struct url_split {
    std::string_view authority{}; ///< host and port, up to the first '/' or '?'
    std::string_view resource{};  ///< from that '/' or '?' on, or "/" when there is neither
};

/// Returns: `rest` (the text after the scheme) cut at its first '/' or '?': a query without a
/// path stays as written (`ws://h?q` gives "?q"; see ws_url::resource), and no path nor query
/// gives "/" (draft-76 §3: an empty path is "/").
constexpr url_split split_authority(std::string_view rest) noexcept {
    const std::size_t end = rest.find_first_of("/?");
    return {rest.substr(0, end),
            end == std::string_view::npos ? std::string_view("/") : rest.substr(end)};
}

/// The host of an authority and the port text after it. When ok is false, `host` and `ipv6`
/// hold what was read before the fault (parse_ws_url does not pass them on).
struct url_host {
    bool ok = false;
    std::string_view host{};      ///< without the brackets of an IPv6 literal
    bool ipv6 = false;            ///< the host was a bracketed IPv6 literal
    std::string_view port_text{}; ///< the text after ':', never empty; empty: no port written
};

/// Returns: whether `c` may stand in a bracketed IPv6 literal: a hex digit, ':' or '.' (for
/// the IPv4 form of the last 32 bits).
constexpr bool is_ipv6_literal_char(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/// Returns: the host of an authority that starts with '[': a non-empty IPv6 literal up to ']',
/// then nothing or ':' and a non-empty port text.
constexpr url_host read_ipv6_host(std::string_view authority) noexcept {
    url_host h{};
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close < 2) {
        return h;
    }
    h.host = authority.substr(1, close - 1);
    h.ipv6 = true;
    for (char c : h.host) {
        if (!is_ipv6_literal_char(c)) {
            return h;
        }
    }
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && (after[0] != ':' || after.size() == 1)) {
        return h;
    }
    h.port_text = after.empty() ? after : after.substr(1);
    h.ok = true;
    return h;
}

/// Returns: whether `c` may stand in a registered name or an IPv4 address: a letter, a digit,
/// '-', '.' or '_'.
constexpr bool is_ws_host_char(char c) noexcept {
    const bool alnum = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return alnum || c == '-' || c == '.' || c == '_';
}

/// Returns: the host of an authority that does not start with '[': a non-empty name or IPv4
/// address up to the first ':', then a non-empty port text after that ':' if there is one.
constexpr url_host read_name_host(std::string_view authority) noexcept {
    url_host h{};
    const std::size_t colon = authority.find(':');
    h.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
        h.port_text = authority.substr(colon + 1);
        if (h.port_text.empty()) {
            return h;
        }
    }
    if (h.host.empty()) {
        return h;
    }
    for (char c : h.host) {
        if (!is_ws_host_char(c)) {
            return h;
        }
    }
    h.ok = true;
    return h;
}

/// Returns: the port `text` writes, 1–max_port (§3) in at most max_port_digits decimal digits;
/// 0 for anything else (another byte, port 0, a larger number, a sixth digit as in `:000080`).
constexpr std::uint16_t read_port(std::string_view text) noexcept {
    if (text.empty() || text.size() > max_port_digits) {
        return 0;
    }
    std::uint32_t port = 0; // at most max_port_digits digits: no overflow
    for (char c : text) {
        if (!is_digit(c)) {
            return 0;
        }
        port = port * 10U + static_cast<std::uint32_t>(c - '0');
    }
    return port > max_port ? 0 : static_cast<std::uint16_t>(port);
}

} // namespace detail

/// Parses a WebSocket URL (draft-76 §3): scheme `ws` or `wss` (any case), a non-empty host
/// (a name, an IPv4 address or a bracketed IPv6 literal), an optional port 1–65535, then the
/// resource name. A name is letters, digits, '-', '.' and '_': the host names DNS can
/// resolve. RFC 3986's other reg-name bytes (`~`, `%` escapes, sub-delims) are refused here,
/// though a server's `Host` check lets them through, since no client resolves them.
/// **Errors** bad_url for another scheme, user info, an empty host, a bad port, a fragment
/// (§3: URLs with a fragment are refused), a space or a control byte; `url` is then empty
/// (`ws_url{}`), never a part of the refused text.
constexpr url_result parse_ws_url(std::string_view text) noexcept {
    const url_result refused{error::bad_url, ws_url{}};
    const detail::url_scheme scheme = detail::read_ws_scheme(text);
    if (!scheme.ok || !detail::url_bytes_ok(text)) {
        return refused;
    }
    const detail::url_split parts = detail::split_authority(scheme.rest);
    if (parts.authority.empty() || parts.authority.find('@') != std::string_view::npos) {
        return refused; // no host, or user info
    }
    const detail::url_host h = parts.authority[0] == '[' ? detail::read_ipv6_host(parts.authority)
                                                         : detail::read_name_host(parts.authority);
    if (!h.ok) {
        return refused;
    }
    const std::uint16_t port =
        h.port_text.empty() ? detail::default_port(scheme.secure) : detail::read_port(h.port_text);
    if (port == 0) {
        return refused;
    }
    url_result r{};
    r.url.secure = scheme.secure;
    r.url.host = h.host;
    r.url.ipv6 = h.ipv6;
    r.url.port = port;
    r.url.resource = parts.resource;
    return r;
}

/// What the client asks for besides the URL.
struct client_options {
    draft version = draft::draft76;
    /// The `Origin` to send (sent lowercased, §4.1 step 9). Empty: `http://` (or `https://`
    /// for wss) followed by the URL's host and port.
    std::string_view origin{};
    /// One subprotocol (draft-76 has no lists): non-empty, U+0020–U+007E; empty: none.
    std::string_view protocol{};
    /// Extra request fields (cookies, authorization).
    field_list extra_fields{};
    /// Also send `Content-Length: 8` with draft-76 so HTTP intermediaries forward key3.
    /// Not in the draft; some servers reject it. Off by default.
    bool content_length = false;
    /// Limit on the response head, in bytes.
    std::size_t max_head_bytes = default_max_head_bytes;
    /// Require the `Upgrade` and `Connection` lines to the letter: `Upgrade: WebSocket`
    /// exactly (draft-76 §4.1 step 41) and, for draft-75, the first 85 bytes exactly.
    /// Off by default (leniency): the value of `Upgrade` is then compared ignoring ASCII case
    /// and draft-75's lines may come in any order and case, as WebKit-era browsers accepted;
    /// Netty's server answers `upgrade: websocket`. Risk: none known — the 16-byte answer
    /// (draft-76) and the origin and location checks still prove a WebSocket server replied.
    bool exact_upgrade = false;
};

/// One client opening handshake: builds the request, then checks the response.
/// start() allocates (the request and the expected values are owned strings); parse() does
/// not.
class client_handshake {
public:
    /// Every code parse() and finish() can report; the tests and the fuzz target read this
    /// list, so it is the one place that says it.
    static constexpr error documented_errors[] = {
        error::bad_status_line,
        error::bad_status,
        error::bare_lf,
        error::bare_cr,
        error::malformed_field,
        error::head_too_large,
        error::too_many_fields,
        error::duplicate_field,
        error::missing_upgrade,
        error::bad_upgrade,
        error::missing_connection,
        error::bad_connection,
        error::missing_sec_origin,
        error::missing_sec_location,
        error::missing_sec_protocol,
        error::origin_mismatch,
        error::location_mismatch,
        error::protocol_mismatch,
        error::token_mismatch,
        error::missing_answer,
        error::unexpected_eof,
        error::wrong_state,
    };

    /// Builds the request for `url`. `rng` is any uniform random bit generator used for the
    /// keys, key3 and the field order (§4.1 step 24 shuffles the fields).
    /// **Errors** bad_url, bad_protocol (bytes outside U+0020–U+007E), unsafe_value (CR, LF,
    /// NUL or another control byte in the origin or an extra value, or an extra name that is
    /// not a token). **Spec** draft-76 §4.1 steps 1–27; draft-75 §4.1.
    template <class URBG> error start(std::string_view url, const client_options& opt, URBG& rng) {
        *this = client_handshake{};
        version_ = opt.version;
        exact_upgrade_ = opt.exact_upgrade;
        max_head_ = opt.max_head_bytes > detail::max_head_bytes_cap ? detail::max_head_bytes_cap
                                                                    : opt.max_head_bytes;
        const url_result u = parse_ws_url(url);
        if (u.err != error::none) {
            return fail_start(u.err);
        }
        const error bad_option = check_options(opt);
        if (bad_option != error::none) {
            return fail_start(bad_option);
        }
        const std::string host = host_text(u.url);
        const std::string resource = u.url.resource_name();
        set_expected(u.url, host, resource, opt.origin, opt.protocol);
        request_fields fields{};
        add_fields(fields, host, opt.content_length, rng);
        write_request(resource, fields, opt.extra_fields);
        started_ = true;
        return error::none;
    }

    /// Checks the response bytes received so far.
    /// Precondition: start() succeeded; `buf` holds every byte given before plus new ones.
    /// Returns: need_more, complete (consumed = head, plus 16 for draft-76) or failed
    /// (consumed = offset of the offending byte or field).
    /// The head is read as the draft's client reads it (§4.1 steps 28–40): the status line
    /// needs a 3-digit code between its first two spaces (the version is not checked: an
    /// `HTTP/1.0 101` passes); a field name is any bytes up to ':' but CR and LF (a name
    /// with a space is read and ignored); a value any bytes but CR and LF. CR and LF never
    /// pass outside a line end.
    /// **Errors** those of documented_errors but missing_answer and unexpected_eof (which only
    /// finish() reports); wrong_state before a successful start(). Sticky until start() is
    /// called again.
    /// **Complexity** O(new bytes). **Spec** draft-76 §4.1 steps 28–46; draft-75 §4.1.
    parse_result parse(std::string_view buf) noexcept {
        buf_ = buf;
        if (result_.status != parse_status::need_more) {
            return result_;
        }
        if (!started_) {
            return fail(error::wrong_state, 0);
        }
        if (!tok_.done()) {
            const detail::head_step s = tok_.advance(buf, max_head_, max_fields_capacity);
            if (s.status == parse_status::failed) {
                return fail(s.err, s.pos);
            }
            if (s.status == parse_status::need_more) {
                return {parse_status::need_more, error::none, s.pos};
            }
            const parse_result c = check_head();
            if (c.status == parse_status::failed) {
                return c;
            }
            if (version_ == draft::draft75) {
                result_ = {parse_status::complete, error::none, tok_.position()};
                return result_;
            }
        }
        const std::size_t head = tok_.position();
        if (head > buf.size() || buf.size() - head < answer_size) { // (it cannot wrap)
            return {parse_status::need_more, error::none, buf.size()};
        }
        if (!detail::equal_bytes(buf.data() + head, expected_.data(), answer_size)) {
            return fail(error::token_mismatch, head);
        }
        result_ = {parse_status::complete, error::none, head + answer_size};
        return result_;
    }

    /// Tells the checker the stream ended: unexpected_eof inside the head, missing_answer
    /// when fewer than 16 answer bytes came, else the result of parse().
    parse_result finish(std::string_view buf) noexcept {
        const parse_result r = parse(buf);
        if (r.status != parse_status::need_more) {
            return r;
        }
        return fail(tok_.done() ? error::missing_answer : error::unexpected_eof, buf.size());
    }

    /// The request bytes to send, key3 included. **Lifetime** until start() is called again.
    const std::string& request() const noexcept { return request_; }
    /// The 16 bytes the server must answer with (draft-76).
    const challenge_bytes& expected_answer() const noexcept { return expected_; }
    /// The location and origin the response must carry, and the protocol asked for.
    const std::string& expected_location() const noexcept { return location_; }
    const std::string& origin() const noexcept { return origin_; }
    const std::string& protocol() const noexcept { return protocol_; }
    const std::string& key1() const noexcept { return key1_; }
    const std::string& key2() const noexcept { return key2_; }
    std::string_view key3() const noexcept { return {key3_.data(), key3_.size()}; }
    draft version() const noexcept { return version_; }
    parse_result result() const noexcept { return result_; }

    /// Number of response fields, field `i`, and the first field named `name` (any case).
    /// **Lifetime** views point into the `buf` of the latest parse() call.
    std::size_t field_count() const noexcept { return tok_.field_count(); }
    header_field field(std::size_t i) const noexcept { return tok_.field(buf_, i); }
    std::string_view find(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < tok_.field_count(); ++i) {
            const header_field f = tok_.field(buf_, i);
            if (detail::iequals(f.name, name)) {
                return f.value;
            }
        }
        return {};
    }

private:
    /// Most fields start() shuffles: Upgrade, Connection, Host, Origin, the protocol, the two
    /// keys and Content-Length.
    static constexpr std::size_t max_request_fields = 8;
    /// The fields of the request, each a whole line with its CRLF, in the order they are sent.
    struct request_fields {
        std::array<std::string, max_request_fields> line{};
        std::size_t count = 0;
    };

    /// Returns: none, or the first fault of `opt` in the order start() checks them:
    /// bad_protocol for a protocol outside U+0020–U+007E, then unsafe_value for a control
    /// byte in the origin, then for an extra field whose name is not a token or whose value
    /// holds a control byte.
    static error check_options(const client_options& opt) noexcept {
        if (!opt.protocol.empty() && !detail::valid_protocol(opt.protocol)) {
            return error::bad_protocol;
        }
        if (detail::unsafe(opt.origin)) {
            return error::unsafe_value;
        }
        for (std::size_t i = 0; i < opt.extra_fields.size; ++i) {
            const header_field& f = opt.extra_fields.data[i];
            if (!detail::valid_field_name(f.name) || detail::unsafe(f.value)) {
                return error::unsafe_value;
            }
        }
        return error::none;
    }

    /// Returns: the `Host` value for `url` (§4.1): the host lowercased, in brackets when it is
    /// an IPv6 literal, then `:port` only when the port is not the scheme's default.
    static std::string host_text(const ws_url& url) {
        std::string host;
        if (url.ipv6) {
            host += '[';
        }
        for (char c : url.host) {
            host += detail::to_lower(c);
        }
        if (url.ipv6) {
            host += ']';
        }
        if (url.port != detail::default_port(url.secure)) {
            host += ':';
            host += std::to_string(url.port);
        }
        return host;
    }

    /// Sets what the response must carry back: the location (the URL's scheme, `host` and
    /// `resource`), the origin (`origin` lowercased, §4.1 step 9, or by default `http://` or
    /// `https://` and `host`) and the protocol asked for.
    void set_expected(const ws_url& url, const std::string& host, const std::string& resource,
                      std::string_view origin, std::string_view protocol) {
        location_ = std::string(url.secure ? "wss://" : "ws://") + host + resource;
        if (origin.empty()) {
            origin_ = std::string(url.secure ? "https://" : "http://") + host;
        } else {
            for (char c : origin) {
                origin_ += detail::to_lower(c);
            }
        }
        protocol_.assign(protocol.data(), protocol.size());
    }

    /// draft-76 §4.1 steps 16–22 and 26: makes key1, key2 and key3 from `rng`, in that order,
    /// and the answer they call for (steps 42–43).
    template <class URBG> void make_keys(URBG& rng) {
        const client_key k1 = generate_key(rng);
        const client_key k2 = generate_key(rng);
        key1_ = std::string(k1.text());
        key2_ = std::string(k2.text());
        key3_ = generate_key3(rng);
        expected_ = challenge_from_parts(k1.number, k2.number,
                                         std::string_view(key3_.data(), key3_.size()));
    }

    /// Adds the handshake's own fields to `fields`. draft-76 also gets its two keys (so `rng`
    /// draws key1, key2, key3, then the shuffle), `Content-Length: 8` when asked for, and
    /// goes out in a random order (§4.1 step 24); draft-75's order is fixed.
    template <class URBG>
    void add_fields(request_fields& fields, const std::string& host, bool content_length,
                    URBG& rng) {
        const bool is76 = version_ == draft::draft76;
        std::size_t& n = fields.count;
        fields.line[n++] = "Upgrade: WebSocket\r\n";
        fields.line[n++] = "Connection: Upgrade\r\n";
        fields.line[n++] = "Host: " + host + "\r\n";
        fields.line[n++] = "Origin: " + origin_ + "\r\n";
        if (!protocol_.empty()) {
            fields.line[n++] =
                (is76 ? "Sec-WebSocket-Protocol: " : "WebSocket-Protocol: ") + protocol_ + "\r\n";
        }
        if (is76) {
            make_keys(rng);
            fields.line[n++] = "Sec-WebSocket-Key1: " + key1_ + "\r\n";
            fields.line[n++] = "Sec-WebSocket-Key2: " + key2_ + "\r\n";
            if (content_length) {
                fields.line[n++] = "Content-Length: 8\r\n";
            }
            std::shuffle(fields.line.begin(), fields.line.begin() + static_cast<std::ptrdiff_t>(n),
                         rng);
        }
    }

    /// Writes request_: the request line for `resource`, `fields`, the caller's extra fields
    /// (after the shuffled ones, in the caller's order), the blank line, then for draft-76
    /// the 8 bytes of key3 (§4.1 steps 25–27).
    void write_request(const std::string& resource, const request_fields& fields,
                       field_list extra) {
        request_ = "GET " + resource + " HTTP/1.1\r\n";
        for (std::size_t i = 0; i < fields.count; ++i) {
            request_ += fields.line[i];
        }
        for (std::size_t i = 0; i < extra.size; ++i) {
            const header_field& f = extra.data[i];
            request_.append(f.name.data(), f.name.size());
            request_ += ": ";
            request_.append(f.value.data(), f.value.size());
            request_ += "\r\n";
        }
        request_ += "\r\n";
        if (version_ == draft::draft76) {
            request_.append(key3_.data(), key3_.size());
        }
    }

    error fail_start(error e) {
        result_ = {parse_status::failed, e, 0};
        return e;
    }
    parse_result fail(error e, std::size_t at) noexcept {
        result_ = {parse_status::failed, e, at};
        return result_;
    }

    /// The fields the client reads (draft-76 §4.1 step 41; draft-75 §4.1), by name. Each
    /// draft reads `Upgrade`, `Connection` and its own three; the other draft's are ignored.
    enum name_id : std::uint8_t {
        n_upgrade,
        n_connection,
        n_origin76,
        n_location76,
        n_protocol76,
        n_origin75,
        n_location75,
        n_protocol75,
        name_count
    };
    static constexpr detail::field_names<name_count> names{{
        "upgrade",
        "connection",
        "sec-websocket-origin",
        "sec-websocket-location",
        "sec-websocket-protocol",
        "websocket-origin",
        "websocket-location",
        "websocket-protocol",
    }};
    static_assert(names.find("upgrade") == n_upgrade && names.find("connection") == n_connection &&
                      names.find("sec-websocket-origin") == n_origin76 &&
                      names.find("sec-websocket-location") == n_location76 &&
                      names.find("sec-websocket-protocol") == n_protocol76 &&
                      names.find("websocket-origin") == n_origin75 &&
                      names.find("websocket-location") == n_location75 &&
                      names.find("websocket-protocol") == n_protocol75,
                  "each name_id is the index of its name");
    static_assert(names.valid(), "every name is 1 to max_length bytes");

    /// §4.1 steps 28–31 (status line) and 32–41 (fields).
    parse_result check_head() noexcept {
        parse_result r = check_status_line();
        if (r.status == parse_status::failed) {
            return r;
        }
        detail::field_slots<name_count> at;
        r = index_fields(at);
        if (r.status == parse_status::failed) {
            return r;
        }
        if (version_ == draft::draft75 && exact_upgrade_) {
            r = check_exact_lines75(at);
            if (r.status == parse_status::failed) {
                return r;
            }
        }
        return check_fields(at);
    }

    /// Steps 28–31: at least 7 bytes with the CRLF and two spaces (step 28), a 3-digit code
    /// between them (step 29), 101 (step 30). The version before the first space is not read.
    /// draft-75 compares the whole line, reason phrase included (its first 85 bytes are exact).
    parse_result check_status_line() noexcept {
        const std::string_view line = tok_.start_line(buf_);
        const std::size_t sp1 = line.find(' ');
        const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
        if (line.size() + 2 < 7 || sp2 == std::string_view::npos || sp2 - sp1 != 4) {
            return fail(error::bad_status_line, 0);
        }
        const std::string_view code = line.substr(sp1 + 1, 3);
        for (char c : code) {
            if (!detail::is_digit(c)) {
                return fail(error::bad_status_line, sp1 + 1);
            }
        }
        if (code != "101") {
            return fail(error::bad_status, sp1 + 1);
        }
        if (version_ == draft::draft75 && line != "HTTP/1.1 101 Web Socket Protocol Handshake") {
            return fail(error::bad_status_line, sp2 + 1);
        }
        return {};
    }

    /// Steps 32–40 read the fields; each name the draft reads may appear once.
    parse_result index_fields(detail::field_slots<name_count>& at) noexcept {
        const bool is76 = version_ == draft::draft76;
        for (std::size_t i = 0; i < tok_.field_count(); ++i) {
            const std::uint8_t k = names.find(tok_.field(buf_, i).name);
            const bool read = k == n_upgrade || k == n_connection ||
                              (is76 ? k >= n_origin76 && k <= n_protocol76
                                    : k >= n_origin75 && k <= n_protocol75);
            if (read && !at.note(k, static_cast<std::uint8_t>(i))) {
                return fail(error::duplicate_field, tok_.span(i).name_off);
            }
        }
        return {};
    }

    /// draft-75 with exact_upgrade: the Upgrade and Connection lines come first, exactly as
    /// written (the response's first 85 bytes are fixed).
    parse_result check_exact_lines75(const detail::field_slots<name_count>& at) noexcept {
        const std::size_t line_end = tok_.start_line(buf_).size() + 2;
        if (tok_.field_count() < 1 || at[n_upgrade] != 0 ||
            buf_.substr(tok_.span(0).name_off, 20) != "Upgrade: WebSocket\r\n") {
            return fail(at[n_upgrade] == detail::no_field ? error::missing_upgrade
                                                          : error::bad_upgrade,
                        line_end);
        }
        if (tok_.field_count() < 2 || at[n_connection] != 1 ||
            buf_.substr(tok_.span(1).name_off, 21) != "Connection: Upgrade\r\n") {
            return fail(at[n_connection] == detail::no_field ? error::missing_connection
                                                             : error::bad_connection,
                        tok_.span(0).name_off + 20);
        }
        return {};
    }

    /// Step 41: every field the draft requires is there, with the value expected.
    parse_result check_fields(const detail::field_slots<name_count>& at) noexcept {
        const bool is76 = version_ == draft::draft76;
        const std::uint8_t upgrade_at = at[n_upgrade];
        const std::uint8_t connection_at = at[n_connection];
        const std::uint8_t origin_at = at[is76 ? n_origin76 : n_origin75];
        const std::uint8_t location_at = at[is76 ? n_location76 : n_location75];
        const std::uint8_t protocol_at = at[is76 ? n_protocol76 : n_protocol75];
        const std::size_t end = tok_.position();
        if (upgrade_at == detail::no_field) {
            return fail(error::missing_upgrade, end);
        }
        if (connection_at == detail::no_field) {
            return fail(error::missing_connection, end);
        }
        if (origin_at == detail::no_field) {
            return fail(error::missing_sec_origin, end);
        }
        if (location_at == detail::no_field) {
            return fail(error::missing_sec_location, end);
        }
        if (!protocol_.empty() && protocol_at == detail::no_field) {
            return fail(error::missing_sec_protocol, end);
        }
        const std::string_view upgrade_value = tok_.field(buf_, upgrade_at).value;
        if (exact_upgrade_ ? upgrade_value != "WebSocket"
                           : !detail::iequals(upgrade_value, "WebSocket")) {
            return fail(error::bad_upgrade, tok_.span(upgrade_at).value_off);
        }
        if (!detail::iequals(tok_.field(buf_, connection_at).value, "Upgrade")) {
            return fail(error::bad_connection, tok_.span(connection_at).value_off);
        }
        if (tok_.field(buf_, origin_at).value != origin_) {
            return fail(error::origin_mismatch, tok_.span(origin_at).value_off);
        }
        if (tok_.field(buf_, location_at).value != location_) {
            return fail(error::location_mismatch, tok_.span(location_at).value_off);
        }
        if (!protocol_.empty() && tok_.field(buf_, protocol_at).value != protocol_) {
            return fail(error::protocol_mismatch, tok_.span(protocol_at).value_off);
        }
        return {parse_status::need_more, error::none, end};
    }

    /// Bytes of the server's answer after the head (draft-76 §4.1 steps 42–45).
    static constexpr std::size_t answer_size = 16;
    static_assert(answer_size == std::tuple_size<challenge_bytes>::value);

    draft version_ = draft::draft76;
    bool exact_upgrade_ = false;
    bool started_ = false;
    std::size_t max_head_ = default_max_head_bytes;
    std::string request_{};
    std::string origin_{};
    std::string location_{};
    std::string protocol_{};
    std::string key1_{};
    std::string key2_{};
    std::array<char, 8> key3_{};
    static_assert(std::tuple_size<decltype(key3_)>::value == 8,
                  "the Content-Length: 8 field counts the bytes of key3");
    challenge_bytes expected_{};
    detail::response_tokenizer tok_{};
    std::string_view buf_{};
    parse_result result_{};
};

} // namespace hixie76

#endif // HIXIE76_CLIENT_HPP
