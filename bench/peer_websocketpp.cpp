// SPDX-License-Identifier: MIT
// bench/peer_websocketpp.cpp — the peer: websocketpp 0.8.2's hybi-00 processor
// (websocketpp/processors/hybi00.hpp), driven the way websocketpp::connection drives it
// (impl/connection_impl.hpp: handle_read_handshake, process_handshake_request,
// write_http_response, handle_read_frame, send). Built only when websocketpp is found; this
// file is compiled without the project's warning flags (websocketpp is not -Werror clean).
//
// Names: websocketpp/handshake/{spec,cookie}, websocketpp/decode/N,
// websocketpp/decode_chunk1500/N, websocketpp/decode_utf8/N, websocketpp/decode_utf8mb/N,
// websocketpp/encode_copy/N, websocketpp/md5/16.
//
// What the connection does that is reproduced here, per handshake: parse the HTTP request
// (request_type::consume), find the version (is_websocket_handshake, get_websocket_version),
// make the processor (connection::get_processor: make_shared), store the 8 bytes after the
// head as the `Sec-WebSocket-Key3` header, validate_handshake, negotiate_extensions, get_uri,
// extract_subprotocols, set_status(101), process_handshake, set_version, drop the Server
// header (an endpoint with an empty user agent), get_raw. Logging is off (as with the
// default static log levels in a release build).
#include <benchmark/benchmark.h>

#include <websocketpp/common/md5.hpp>
#include <websocketpp/config/core.hpp>
#include <websocketpp/processors/hybi00.hpp>
#include <websocketpp/processors/processor.hpp>
#include <websocketpp/utf8_validator.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "common.hpp"

namespace {

using config = websocketpp::config::core;
using request_type = config::request_type;
using response_type = config::response_type;
using processor_type = websocketpp::processor::hybi00<config>;
using manager_type = config::con_msg_manager_type;
using bench::corpus;
using bench::report;

// The response websocketpp writes for the draft-76 §1.2 request: its own status line and its
// header map's (alphabetical) field order, then the 16-byte answer.
const std::string expected_response = "HTTP/1.1 101 Switching Protocols\r\n"
                                      "Connection: Upgrade\r\n"
                                      "Sec-WebSocket-Location: ws://example.com/demo\r\n"
                                      "Sec-WebSocket-Origin: http://example.com\r\n"
                                      "Sec-WebSocket-Protocol: sample\r\n"
                                      "Upgrade: WebSocket\r\n"
                                      "\r\n"
                                      "8jKS'y:G*Co,Wxa-";

void wspp_handshake(benchmark::State& st, std::string_view request) {
    const manager_type::ptr manager = websocketpp::lib::make_shared<manager_type>();
    std::string raw;
    const std::uint64_t a0 = bench::alloc_count();
    for (auto _ : st) {
        request_type req;
        std::size_t used = 0;
        try {
            used = req.consume(request.data(), request.size());
        } catch (...) {
            st.SkipWithError("request_type::consume threw");
            return;
        }
        if (!req.ready() || !websocketpp::processor::is_websocket_handshake(req) ||
            websocketpp::processor::get_websocket_version(req) != 0 || request.size() - used < 8) {
            st.SkipWithError("not a complete hybi-00 request");
            return;
        }
        auto proc = websocketpp::lib::make_shared<processor_type>(false, true, manager);
        req.replace_header("Sec-WebSocket-Key3", std::string(request.data() + used, 8));
        response_type res;
        if (proc->validate_handshake(req)) {
            st.SkipWithError("validate_handshake failed");
            return;
        }
        const auto neg = proc->negotiate_extensions(req);
        benchmark::DoNotOptimize(neg);
        const websocketpp::uri_ptr uri = proc->get_uri(req);
        if (!uri->get_valid()) {
            st.SkipWithError("get_uri failed");
            return;
        }
        std::vector<std::string> subprotocols;
        if (proc->extract_subprotocols(req, subprotocols) || subprotocols.empty()) {
            st.SkipWithError("extract_subprotocols failed");
            return;
        }
        res.set_status(websocketpp::http::status_code::switching_protocols);
        if (proc->process_handshake(req, subprotocols.front(), res)) {
            st.SkipWithError("process_handshake failed");
            return;
        }
        res.set_version("HTTP/1.1");
        res.remove_header("Server");
        raw = proc->get_raw(res);
        if (raw.size() != expected_response.size()) {
            st.SkipWithError("response has the wrong size");
            return;
        }
        benchmark::DoNotOptimize(raw);
    }
    const std::uint64_t allocs = bench::alloc_count() - a0;
    if (raw != expected_response) {
        st.SkipWithError("response bytes differ from the expected ones");
        return;
    }
    report(st, request.size(), 1, allocs);
}

struct tally {
    std::size_t messages = 0;
    std::size_t bytes = 0;
    bool bad = false;
};

/// connection::handle_read_frame's loop: consume until the processor is ready, take the
/// message, go on. With `validate`, each message is checked with websocketpp's own UTF-8
/// validator, since hybi00::consume does not check (see the README).
void drain(processor_type& p, std::uint8_t* buf, std::size_t len, bool validate, tally& t) {
    std::size_t off = 0;
    websocketpp::lib::error_code ec;
    while (off < len) {
        off += p.consume(buf + off, len - off, ec);
        if (ec) {
            t.bad = true;
            return;
        }
        if (p.ready()) {
            const config::message_type::ptr msg = p.get_message();
            const std::string& payload = msg->get_payload();
            if (validate && !websocketpp::utf8_validator::validate(payload)) {
                t.bad = true;
                return;
            }
            t.bytes += payload.size();
            ++t.messages;
        }
    }
}

void wspp_decode(benchmark::State& st, const corpus* c, bool validate, std::size_t slice) {
    // consume() takes a mutable buffer (it does not write to it).
    std::vector<std::uint8_t> wire(c->wire.begin(), c->wire.end());
    const manager_type::ptr manager = websocketpp::lib::make_shared<manager_type>();
    const std::uint64_t a0 = bench::alloc_count();
    for (auto _ : st) {
        processor_type p(false, true, manager);
        tally t;
        if (slice == 0) {
            drain(p, wire.data(), wire.size(), validate, t);
        } else {
            for (std::size_t off = 0; off < wire.size() && !t.bad; off += slice) {
                const std::size_t len = std::min(slice, wire.size() - off);
                drain(p, wire.data() + off, len, validate, t);
            }
        }
        if (t.bad || t.messages != c->count || t.bytes != c->payload_bytes) {
            st.SkipWithError("wrong message count or payload bytes");
            return;
        }
        benchmark::DoNotOptimize(t);
    }
    report(st, wire.size(), c->count, bench::alloc_count() - a0);
}

/// connection::send(payload, op): a message from the manager, the payload appended, an
/// outgoing message, prepare_data_frame (which also validates UTF-8: it cannot be turned
/// off). websocketpp has no writev form: the frame is header + payload copy + 0xFF.
void wspp_encode(benchmark::State& st, const corpus* c) {
    const manager_type::ptr manager = websocketpp::lib::make_shared<manager_type>();
    processor_type p(false, true, manager);
    std::size_t last_size = 0;
    const std::uint64_t a0 = bench::alloc_count();
    for (auto _ : st) {
        std::size_t total = 0;
        for (const std::string_view payload : c->payloads) {
            const auto in = manager->get_message(websocketpp::frame::opcode::text, payload.size());
            in->append_payload(payload.data(), payload.size());
            const auto out = manager->get_message();
            if (p.prepare_data_frame(in, out)) {
                st.SkipWithError("prepare_data_frame failed");
                return;
            }
            const std::string& h = out->get_header();
            const std::string& b = out->get_payload();
            if (h.size() != 1 || h[0] != '\x00' || b.size() != payload.size() + 1 ||
                b.back() != '\xFF') {
                st.SkipWithError("wrong frame");
                return;
            }
            total += h.size() + b.size();
        }
        last_size = total;
        benchmark::DoNotOptimize(total);
    }
    const std::uint64_t allocs = bench::alloc_count() - a0;
    if (last_size != c->wire.size()) {
        st.SkipWithError("wrong encoded size");
        return;
    }
    report(st, c->wire.size(), c->count, allocs);
}

void wspp_md5(benchmark::State& st) {
    char in[16];
    std::memcpy(in, bench::spec_challenge_input().data(), sizeof in);
    websocketpp::md5::md5_byte_t d[16] = {};
    for (auto _ : st) {
        benchmark::DoNotOptimize(in);
        websocketpp::md5::md5_state_t s;
        websocketpp::md5::md5_init(&s);
        websocketpp::md5::md5_append(&s, reinterpret_cast<const websocketpp::md5::md5_byte_t*>(in),
                                     sizeof in);
        websocketpp::md5::md5_finish(&s, d);
        benchmark::DoNotOptimize(d);
    }
    if (std::memcmp(d, bench::spec_challenge.data(), 16) != 0) {
        st.SkipWithError("wrong digest");
        return;
    }
    report(st, sizeof in, 1, 0);
}

} // namespace

namespace bench {

void register_websocketpp_benchmarks() {
    using benchmark::RegisterBenchmark;
    RegisterBenchmark("websocketpp/handshake/spec", wspp_handshake, spec_request());
    RegisterBenchmark("websocketpp/handshake/cookie", wspp_handshake, cookie_request());
    for (const std::size_t n : frame_sizes) {
        const corpus* a = &ascii_corpus(n);
        const corpus* m = &multibyte_corpus(n);
        const std::string arg = "/" + std::to_string(n);
        RegisterBenchmark(("websocketpp/decode" + arg).c_str(), wspp_decode, a, false,
                          std::size_t{0});
        RegisterBenchmark(("websocketpp/decode_chunk1500" + arg).c_str(), wspp_decode, a, false,
                          slice_bytes);
        RegisterBenchmark(("websocketpp/decode_utf8" + arg).c_str(), wspp_decode, a, true,
                          std::size_t{0});
        RegisterBenchmark(("websocketpp/decode_utf8mb" + arg).c_str(), wspp_decode, m, true,
                          std::size_t{0});
        RegisterBenchmark(("websocketpp/encode_copy" + arg).c_str(), wspp_encode, a);
    }
    RegisterBenchmark("websocketpp/md5/16", wspp_md5);
}

} // namespace bench
