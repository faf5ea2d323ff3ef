// SPDX-License-Identifier: MIT
// hixie76/error.hpp — every way a handshake, a frame or a call can fail, as one enum.
//
// Values are explicit, never renumbered and only appended to; a retired value would stay as
// `reserved_N`. "Need more input" is never an error: parsers report it as a status.
#ifndef HIXIE76_ERROR_HPP
#define HIXIE76_ERROR_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "hixie76/detail/config.hpp"

namespace hixie76 {

/// Every failure the library can report. Grouped by where it arises; each names the rule of
/// draft-hixie-thewebsocketprotocol-76 (= hybi-00) or -75 that was broken, or the limit hit.
enum class error : std::uint8_t {
    none = 0, ///< success

    // --- keys and the challenge (draft-76 §5.2 steps 4–9) ---
    key_no_spaces = 1,     ///< a key holds no U+0020: cross-protocol attack (§5.2)
    key_not_divisible = 2, ///< key number is not an integral multiple of its spaces (§5.2)
    key_overflow = 3,      ///< key number above 4294967295 (§5.2: "symptom of an attack")
    key_no_digits = 4,     ///< a key holds no digit at all (conforming keys always have one)

    // --- the client's opening handshake, read by a server (§5.1) ---
    bad_method = 10,         ///< request method is not `GET` (§4.1 step 5)
    bad_request_target = 11, ///< resource name empty, not starting with `/`, or a fragment
    bad_version = 12,        ///< request version is not `HTTP/1.1` (§4.1 step 5)
    bad_request_line = 13,   ///< request line is not `GET SP resource SP HTTP/1.1 CRLF`
    bare_lf = 14,            ///< a line ends in LF without CR (§4.1 steps 24–25: CRLF)
    bare_cr = 15,            ///< a CR that is not followed by LF
    malformed_field = 16,    ///< a field line with no colon, an empty or invalid name, a fold
    bad_control_char = 17,   ///< NUL or another control byte in the request line or a value
    head_too_large = 18,     ///< the head exceeds the configured byte limit
    too_many_fields = 19,    ///< the head has more fields than the configured limit
    missing_host = 20,       ///< no `Host` field (§4.1 step 8)
    missing_upgrade = 21,    ///< WebSocket keys but no `Upgrade` field (§4.1 step 6)
    bad_upgrade = 22,        ///< `Upgrade` is not `WebSocket`
    missing_connection = 23, ///< WebSocket request without `Connection` (§4.1 step 7)
    bad_connection = 24,     ///< `Connection` does not list `Upgrade`
    only_one_key = 25,       ///< `Sec-WebSocket-Key1` without `-Key2`, or the reverse
    duplicate_key = 26,      ///< `Sec-WebSocket-Key1` or `-Key2` appears twice
    duplicate_field = 27,    ///< Host, Origin, Upgrade, Connection or Protocol appears twice
    bad_protocol = 28,       ///< subprotocol empty or outside U+0020–U+007E (§4.1 step 12)
    unsupported_draft = 29,  ///< `Sec-WebSocket-Draft` other than 0 (hybi-01…03 client)
    rfc6455_request = 30,    ///< an RFC 6455 request (`Sec-WebSocket-Key`/`-Version`)
    missing_key3 = 31,       ///< the stream ended before the 8 bytes of key3 (§5.1)
    unexpected_eof = 32,     ///< the stream ended inside the head

    // --- building responses and requests (caller's input) ---
    missing_origin = 40,   ///< no origin to echo: the request had none and none was configured
    unsafe_value = 41,     ///< a caller value holds CR, LF, NUL or another control byte
    buffer_too_small = 42, ///< the output buffer cannot hold the result
    origin_refused = 43,   ///< the application refused the origin (§5.1; answered with 403)

    // --- the server's opening handshake, read by a client (§4.1 steps 28–46) ---
    bad_url = 50,              ///< not a `ws://` or `wss://` URL, or a fragment or bad port (§3)
    bad_status_line = 51,      ///< status line malformed (§4.1 step 28)
    bad_status = 52,           ///< status code is not 101 (§4.1 steps 29–31)
    missing_sec_origin = 53,   ///< no `Sec-WebSocket-Origin` (`WebSocket-Origin` in -75)
    missing_sec_location = 54, ///< no `Sec-WebSocket-Location` (`WebSocket-Location` in -75)
    missing_sec_protocol = 55, ///< a subprotocol was requested but none came back
    origin_mismatch = 56,      ///< origin differs from the one sent (§4.1 step 41)
    location_mismatch = 57,    ///< location differs from the URL requested (§4.1 step 41)
    protocol_mismatch = 58,    ///< subprotocol differs from the one requested (§4.1 step 41)
    token_mismatch = 59,       ///< the 16-byte answer is not MD5 of the challenge (§4.1 step 45)

    // --- data framing (§4.2, §5.3) ---
    frame_too_large = 70,    ///< a frame is longer than the configured limit
    length_overflow = 71,    ///< a length prefix above 2^63 - 1 or longer than 10 bytes
    invalid_utf8 = 72,       ///< text is not valid UTF-8 (under the `reject` policy)
    text_contains_ff = 73,   ///< a text payload to send contains byte 0xFF (frame injection)
    message_too_large = 74,  ///< an assembled message exceeds the assembler's limit
    unknown_frame_type = 75, ///< a non-text frame arrived under the strict-types option

    // --- appended in 1.1 (values are never renumbered, so new codes come last) ---
    bad_host = 80,          ///< `Host` is empty or not a host name or IP literal with a port
    tls_on_plain_port = 81, ///< the first byte is a TLS record (0x16): TLS on a plain-text port
    wrong_state = 82,       ///< a call made in the wrong state (e.g. a response to plain HTTP)
    invalid_argument = 83,  ///< an argument the call cannot use (e.g. a rejection for `none`)
    missing_answer = 84,    ///< the stream ended before the server's 16-byte answer (§4.1)
};

/// Which protocol draft a handshake or a frame stream follows.
enum class draft : std::uint8_t {
    draft75 = 75, ///< draft-hixie-thewebsocketprotocol-75: no keys, no closing handshake
    draft76 = 76, ///< draft-hixie-thewebsocketprotocol-76 = hybi-00: keys, challenge, FF 00 close
};

/// How far an incremental parser got. "Need more" is a state, never an error.
enum class parse_status : std::uint8_t {
    complete,  ///< the unit is whole; `consumed` says how many bytes belong to it
    need_more, ///< everything given was used; call again with more bytes
    failed,    ///< `err` says why; the parser repeats this result until `reset()`
};

/// The result of one parse call.
struct [[nodiscard]] parse_result {
    parse_status status = parse_status::need_more;
    error err = error::none; ///< error::none unless failed
    /// complete: bytes that belong to the handshake (the rest is frame data);
    /// failed: offset of the offending byte (for error::rfc6455_request: the head's length);
    /// need_more: bytes scanned so far.
    std::size_t consumed = 0;
};

/// The broad class of an error, for callers that branch on kinds rather than codes.
enum class error_condition_kind : std::uint8_t {
    none = 0,
    handshake_failed = 1,   ///< the opening handshake cannot complete
    protocol_violation = 2, ///< the peer broke the framing rules
    limit_exceeded = 3,     ///< a configured limit was hit
    usage_error = 4,        ///< the caller passed a value the library must refuse
};

/// A `std::string_view` of a NUL-terminated string literal: usable wherever a string_view is,
/// and with `printf("%s", v.c_str())` without a copy.
class cstring_view : public std::string_view {
public:
    // cppcheck-suppress noExplicitConstructor ; implicit on purpose: `return "name";`
    constexpr cstring_view(const char* literal) noexcept // NOLINT(google-explicit-constructor)
        : std::string_view(literal) {}
    /// The same bytes followed by NUL. **Lifetime** static.
    constexpr const char* c_str() const noexcept { return data(); }
};

/// The code's identifier, e.g. `"key_no_spaces"`. Never empty; `c_str()` gives it for printf.
constexpr cstring_view to_string(error e) noexcept {
    switch (e) {
    case error::none:
        return "none";
    case error::key_no_spaces:
        return "key_no_spaces";
    case error::key_not_divisible:
        return "key_not_divisible";
    case error::key_overflow:
        return "key_overflow";
    case error::key_no_digits:
        return "key_no_digits";
    case error::bad_method:
        return "bad_method";
    case error::bad_request_target:
        return "bad_request_target";
    case error::bad_version:
        return "bad_version";
    case error::bad_request_line:
        return "bad_request_line";
    case error::bare_lf:
        return "bare_lf";
    case error::bare_cr:
        return "bare_cr";
    case error::malformed_field:
        return "malformed_field";
    case error::bad_control_char:
        return "bad_control_char";
    case error::head_too_large:
        return "head_too_large";
    case error::too_many_fields:
        return "too_many_fields";
    case error::missing_host:
        return "missing_host";
    case error::missing_upgrade:
        return "missing_upgrade";
    case error::bad_upgrade:
        return "bad_upgrade";
    case error::missing_connection:
        return "missing_connection";
    case error::bad_connection:
        return "bad_connection";
    case error::only_one_key:
        return "only_one_key";
    case error::duplicate_key:
        return "duplicate_key";
    case error::duplicate_field:
        return "duplicate_field";
    case error::bad_protocol:
        return "bad_protocol";
    case error::unsupported_draft:
        return "unsupported_draft";
    case error::rfc6455_request:
        return "rfc6455_request";
    case error::missing_key3:
        return "missing_key3";
    case error::unexpected_eof:
        return "unexpected_eof";
    case error::missing_origin:
        return "missing_origin";
    case error::unsafe_value:
        return "unsafe_value";
    case error::buffer_too_small:
        return "buffer_too_small";
    case error::origin_refused:
        return "origin_refused";
    case error::bad_url:
        return "bad_url";
    case error::bad_status_line:
        return "bad_status_line";
    case error::bad_status:
        return "bad_status";
    case error::missing_sec_origin:
        return "missing_sec_origin";
    case error::missing_sec_location:
        return "missing_sec_location";
    case error::missing_sec_protocol:
        return "missing_sec_protocol";
    case error::origin_mismatch:
        return "origin_mismatch";
    case error::location_mismatch:
        return "location_mismatch";
    case error::protocol_mismatch:
        return "protocol_mismatch";
    case error::token_mismatch:
        return "token_mismatch";
    case error::frame_too_large:
        return "frame_too_large";
    case error::length_overflow:
        return "length_overflow";
    case error::invalid_utf8:
        return "invalid_utf8";
    case error::text_contains_ff:
        return "text_contains_ff";
    case error::message_too_large:
        return "message_too_large";
    case error::unknown_frame_type:
        return "unknown_frame_type";
    case error::bad_host:
        return "bad_host";
    case error::tls_on_plain_port:
        return "tls_on_plain_port";
    case error::wrong_state:
        return "wrong_state";
    case error::invalid_argument:
        return "invalid_argument";
    case error::missing_answer:
        return "missing_answer";
    }
    return "unknown";
}

/// A human sentence naming the broken rule and, where there is one, the remedy; `c_str()`
/// gives it for printf.
constexpr cstring_view describe(error e) noexcept {
    switch (e) {
    case error::none:
        return "success";
    case error::key_no_spaces:
        return "a Sec-WebSocket-Key field has no spaces (draft-76 5.2: abort, a symptom of a "
               "cross-protocol attack)";
    case error::key_not_divisible:
        return "a Sec-WebSocket-Key number is not an integral multiple of its spaces "
               "(draft-76 5.2: abort)";
    case error::key_overflow:
        return "a Sec-WebSocket-Key number is greater than 4294967295 (draft-76 5.2: abort)";
    case error::key_no_digits:
        return "a Sec-WebSocket-Key field holds no digits";
    case error::bad_method:
        return "the request method is not GET (draft-76 4.1 step 5)";
    case error::bad_request_target:
        return "the resource name must start with '/' and hold no fragment, space or non-ASCII "
               "byte (draft-76 3)";
    case error::bad_version:
        return "the request version is not HTTP/1.1 (draft-76 4.1 step 5)";
    case error::bad_request_line:
        return "the request line is not 'GET <resource> HTTP/1.1' with single spaces";
    case error::bare_lf:
        return "a line ends in LF without CR; lines must end in CRLF";
    case error::bare_cr:
        return "a CR is not followed by LF";
    case error::malformed_field:
        return "a field line is not 'Name: value' (no colon, empty or invalid name, or a fold)";
    case error::bad_control_char:
        return "a control byte (such as NUL) appears in the head";
    case error::head_too_large:
        return "the handshake head is larger than the configured limit";
    case error::too_many_fields:
        return "the handshake head has more fields than the configured limit";
    case error::missing_host:
        return "the request has no Host field (draft-76 4.1 step 8)";
    case error::missing_upgrade:
        return "a WebSocket request has no Upgrade field (draft-76 4.1 step 6)";
    case error::bad_upgrade:
        return "the Upgrade field is not 'WebSocket'";
    case error::missing_connection:
        return "a WebSocket request has no Connection field (draft-76 4.1 step 7)";
    case error::bad_connection:
        return "the Connection field does not list 'Upgrade'";
    case error::only_one_key:
        return "only one of Sec-WebSocket-Key1 and Sec-WebSocket-Key2 is present";
    case error::duplicate_key:
        return "Sec-WebSocket-Key1 or Sec-WebSocket-Key2 appears twice";
    case error::duplicate_field:
        return "Host, Origin, Upgrade, Connection or a protocol field appears twice";
    case error::bad_protocol:
        return "the subprotocol is empty or has bytes outside U+0020-U+007E (draft-76 4.1)";
    case error::unsupported_draft:
        return "Sec-WebSocket-Draft names a hybi draft other than 00; only 75/76 are spoken";
    case error::rfc6455_request:
        return "an RFC 6455 request; hand the connection to an RFC 6455 implementation";
    case error::missing_key3:
        return "the connection ended before the 8 bytes of key3 (draft-76 5.1)";
    case error::unexpected_eof:
        return "the connection ended inside the handshake head";
    case error::missing_origin:
        return "no origin to echo: the request had no Origin and none was configured";
    case error::unsafe_value:
        return "a value holds CR, LF, NUL or another control byte and could split the "
               "message; refused";
    case error::buffer_too_small:
        return "the output buffer is too small";
    case error::origin_refused:
        return "the origin is not allowed by this server (403)";
    case error::bad_url:
        return "not a ws:// or wss:// URL with a host, a valid port and no fragment (draft-76 3)";
    case error::bad_status_line:
        return "the response status line is malformed (draft-76 4.1 step 28)";
    case error::bad_status:
        return "the response status is not 101 (draft-76 4.1 steps 29-31)";
    case error::missing_sec_origin:
        return "the response has no Sec-WebSocket-Origin field";
    case error::missing_sec_location:
        return "the response has no Sec-WebSocket-Location field";
    case error::missing_sec_protocol:
        return "a subprotocol was requested but the response names none";
    case error::origin_mismatch:
        return "the response's origin differs from the one sent";
    case error::location_mismatch:
        return "the response's location differs from the URL used";
    case error::protocol_mismatch:
        return "the response's subprotocol differs from the one requested";
    case error::token_mismatch:
        return "the 16-byte answer is not the MD5 of the challenge (draft-76 4.1 step 45)";
    case error::frame_too_large:
        return "a frame is longer than the configured limit";
    case error::length_overflow:
        return "a frame length prefix is above 2^63-1 or longer than 10 bytes";
    case error::invalid_utf8:
        return "text is not valid UTF-8";
    case error::text_contains_ff:
        return "a text payload contains byte 0xFF, which would end the frame early";
    case error::message_too_large:
        return "a message is longer than the assembler's limit";
    case error::unknown_frame_type:
        return "a frame of a type other than 0x00 text arrived (strict types)";
    case error::bad_host:
        return "the Host field is empty or not a host name or IP literal with an optional port; "
               "it would be echoed into the location (draft-76 4.1 step 8)";
    case error::tls_on_plain_port:
        return "a TLS handshake arrived on a plain-text port: use wss:// only through a TLS "
               "endpoint";
    case error::wrong_state:
        return "the call is not valid in this state (e.g. a WebSocket response to a request "
               "that is not a complete WebSocket handshake)";
    case error::invalid_argument:
        return "an argument the call cannot use (e.g. a rejection for error::none)";
    case error::missing_answer:
        return "the connection ended before the server's 16-byte answer (draft-76 4.1 step 42)";
    }
    return "unknown error";
}

/// The class of an error.
constexpr error_condition_kind condition_of(error e) noexcept {
    switch (e) {
    case error::none:
        return error_condition_kind::none;
    case error::head_too_large:
    case error::too_many_fields:
    case error::frame_too_large:
    case error::message_too_large:
        return error_condition_kind::limit_exceeded;
    case error::missing_origin:
    case error::unsafe_value:
    case error::buffer_too_small:
    case error::bad_url:
    case error::text_contains_ff:
    case error::wrong_state:
    case error::invalid_argument:
        return error_condition_kind::usage_error;
    case error::length_overflow:
    case error::invalid_utf8:
    case error::unknown_frame_type:
        return error_condition_kind::protocol_violation;
    case error::key_no_spaces:
    case error::key_not_divisible:
    case error::key_overflow:
    case error::key_no_digits:
    case error::bad_method:
    case error::bad_request_target:
    case error::bad_version:
    case error::bad_request_line:
    case error::bare_lf:
    case error::bare_cr:
    case error::malformed_field:
    case error::bad_control_char:
    case error::missing_host:
    case error::missing_upgrade:
    case error::bad_upgrade:
    case error::missing_connection:
    case error::bad_connection:
    case error::only_one_key:
    case error::duplicate_key:
    case error::duplicate_field:
    case error::bad_protocol:
    case error::unsupported_draft:
    case error::rfc6455_request:
    case error::missing_key3:
    case error::unexpected_eof:
    case error::origin_refused:
    case error::bad_status_line:
    case error::bad_status:
    case error::missing_sec_origin:
    case error::missing_sec_location:
    case error::missing_sec_protocol:
    case error::origin_mismatch:
    case error::location_mismatch:
    case error::protocol_mismatch:
    case error::token_mismatch:
    case error::bad_host:
    case error::tls_on_plain_port:
    case error::missing_answer:
        return error_condition_kind::handshake_failed;
    }
    return error_condition_kind::handshake_failed;
}

/// The HTTP status a server should answer a failed request with, or 0 when no response is
/// due (the peer is gone, or the error does not arise while reading a request).
constexpr int suggested_http_status(error e) noexcept {
    switch (e) {
    case error::none:
        return 0;
    case error::bad_method:
        return 405;
    case error::bad_version:
        return 505;
    case error::head_too_large:
    case error::too_many_fields:
        return 431;
    case error::rfc6455_request:
        return 426;
    case error::origin_refused:
        return 403;
    case error::key_no_spaces:
    case error::key_not_divisible:
    case error::key_overflow:
    case error::key_no_digits:
    case error::bad_request_target:
    case error::bad_request_line:
    case error::bare_lf:
    case error::bare_cr:
    case error::malformed_field:
    case error::bad_control_char:
    case error::missing_host:
    case error::missing_upgrade:
    case error::bad_upgrade:
    case error::missing_connection:
    case error::bad_connection:
    case error::only_one_key:
    case error::duplicate_key:
    case error::duplicate_field:
    case error::bad_protocol:
    case error::unsupported_draft:
    case error::missing_origin:
    case error::bad_host:
        return 400;
    case error::missing_key3:
    case error::unexpected_eof:
    case error::unsafe_value:
    case error::buffer_too_small:
    case error::bad_url:
    case error::bad_status_line:
    case error::bad_status:
    case error::missing_sec_origin:
    case error::missing_sec_location:
    case error::missing_sec_protocol:
    case error::origin_mismatch:
    case error::location_mismatch:
    case error::protocol_mismatch:
    case error::token_mismatch:
    case error::frame_too_large:
    case error::length_overflow:
    case error::invalid_utf8:
    case error::text_contains_ff:
    case error::message_too_large:
    case error::unknown_frame_type:
    case error::tls_on_plain_port: // a TLS client cannot read a plain-text answer
    case error::wrong_state:
    case error::invalid_argument:
    case error::missing_answer:
        return 0;
    }
    return 0;
}

/// Every code, in declaration order (for tests and tables).
inline constexpr error all_errors[] = {
    error::none,
    error::key_no_spaces,
    error::key_not_divisible,
    error::key_overflow,
    error::key_no_digits,
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
    error::missing_key3,
    error::unexpected_eof,
    error::missing_origin,
    error::unsafe_value,
    error::buffer_too_small,
    error::origin_refused,
    error::bad_url,
    error::bad_status_line,
    error::bad_status,
    error::missing_sec_origin,
    error::missing_sec_location,
    error::missing_sec_protocol,
    error::origin_mismatch,
    error::location_mismatch,
    error::protocol_mismatch,
    error::token_mismatch,
    error::frame_too_large,
    error::length_overflow,
    error::invalid_utf8,
    error::text_contains_ff,
    error::message_too_large,
    error::unknown_frame_type,
    error::bad_host,
    error::tls_on_plain_port,
    error::wrong_state,
    error::invalid_argument,
    error::missing_answer,
};

namespace detail {

class error_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "hixie76"; }
    std::string message(int ev) const override {
        return std::string(describe(static_cast<error>(ev)));
    }
};

} // namespace detail

/// The `std::error_category` of hixie76 errors (glue for `std::error_code`).
inline const std::error_category& error_category() noexcept {
    static const detail::error_category_impl instance{};
    return instance;
}

/// Makes a `std::error_code` from a hixie76 error.
inline std::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

} // namespace hixie76

namespace std {
template <> struct is_error_code_enum<hixie76::error> : true_type {};
} // namespace std

#endif // HIXIE76_ERROR_HPP
