// SPDX-License-Identifier: MIT
// hixie76-load — a load generator for legacy WebSocket servers (draft-hixie-76 / hybi-00 and
// draft-75): many client connections from one single-threaded process, on client.hpp and the
// platform's readiness API (poller.hpp: epoll on Linux, poll elsewhere).
//
// A run has four phases:
//   connect   open --connections at --connect-rate; each connection's handshake time runs
//             from its connect() to the checked answer
//   messages  once every connection is open or has failed, each open connection sends a text
//             message every --interval ms (connection c starts c/N of an interval late, so
//             the sends are spread evenly), --messages of them or for --duration seconds
//   drain     wait (--drain) until every expected message has arrived
//   close     send FF 00 (draft-76) and close
//
// Every message carries `h76 SENDER SEQ MICROS` (then padding to --size): the sender's index,
// its sequence number and the send time. Received messages are recognised by that mark, so a
// server may wrap them (hixie76-chat relays `NAME:message`) and send other messages (welcome
// and logout lines), which are counted apart. --expect says what must come back:
//   echo       each connection gets its own messages, in order
//   broadcast  each connection gets every message of every connection, once, and all of them
//              in one global order (the order the first reader saw, checked for every reader)
//   none       nothing is checked
#include <hixie76/hixie76.hpp>

#include "poller.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr std::string_view usage_text =
    R"(usage: hixie76-load ws://HOST:PORT/PATH --connections N [options]

A load generator for legacy WebSocket servers (draft-hixie-76 / hybi-00 and draft-75).
Opens N connections from one process, sends timestamped text messages and checks what
comes back: lost messages, order, latency and handshake times.

options:
  --connections N           connections to open (required)
  --draft 75|76|mix         protocol version; mix alternates 76 and 75 (default 76)
  --connect-rate N[/s]      new connections per second (default: all at once)
  --messages M              messages each connection sends (default 0; with --duration and
                            no --messages: as many as fit in the duration)
  --interval MS             time between two messages of one connection (default 1000)
  --size BYTES              message size in bytes (default 64; at least the message's id)
  --duration S              bound on the message phase in seconds; with no messages, how
                            long the connections stay open once all are connected
  --expect echo|broadcast|none
                            what the server sends back (default echo): each connection's
                            own messages, every connection's messages in one global
                            order, or nothing checked
  --origin URL              the Origin to send (default http://HOST[:PORT])
  --protocol P              request this subprotocol
  --json FILE               write the results as JSON to FILE
  --handshake-timeout S     bound on connect plus handshake of one connection (default 10)
  --drain S                 how long to wait for outstanding messages after the last send
                            (default 5)
  --ports-per-source N      connections per 127.0.0.x source address before the next one
                            is used (default: 3/4 of the system's ephemeral port range)
  --help                    show this text

Each message is `h76 SENDER SEQ MICROS` padded to --size; the server may wrap it (e.g.
`NAME:message`) and send other messages, which are counted apart. Once a second a
progress line goes to stderr; at the end a summary goes to stdout.

JSON keys: connections_ok, connections_failed, failures (count by reason), handshake_ms
{p50,p90,p99,max}, messages_sent, messages_received, lost, out_of_order, latency_ms
{p50,p99,max}, duration_s (the whole run). A message that arrives out of its place counts
as out of order; one that arrives after its place has passed counts as lost as well.

The file-descriptor limit is raised as far as allowed. Against an IPv4 loopback server,
connections are spread over the source addresses 127.0.0.1, 127.0.0.2, ... (at most 250)
when one address's ephemeral ports do not suffice, or past --ports-per-source.
SIGINT/SIGTERM ends the run early (exit 1).

Exit status: 0 when every connection succeeded and stayed open, nothing was lost and
nothing came out of order; 1 otherwise; 2 on a usage error.
)";

/// A message id is `h76 ` followed by three decimal numbers.
constexpr std::string_view mark = "h76 ";
/// Largest text frame accepted from the server.
constexpr std::size_t max_frame = 1u << 20;
/// Unsent bytes per connection before it counts as failed (the server stopped reading).
constexpr std::size_t max_unsent = 4u << 20;

enum class expect_mode : std::uint8_t { echo, broadcast, none };
enum class draft_choice : std::uint8_t { d76, d75, mix };

struct options {
    std::string url;
    std::size_t connections = 0;
    draft_choice draft = draft_choice::d76;
    double connect_rate = 0.0; ///< per second; 0: no pacing
    std::size_t messages = 0;
    bool messages_given = false;
    milliseconds interval{1000};
    std::size_t size = 64;
    double duration = 0.0; ///< seconds; 0: not given
    expect_mode expect = expect_mode::echo;
    std::string origin;
    std::string protocol;
    std::string json;
    milliseconds handshake_timeout{10000};
    milliseconds drain{5000};
    std::size_t ports_per_source = 0; ///< 0: from the ephemeral port range
};

bool parse_count(const char* text, std::size_t& out) {
    if (text == nullptr || *text < '0' || *text > '9') {
        return false;
    }
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > (1ULL << 40)) {
        return false;
    }
    out = static_cast<std::size_t>(v);
    return true;
}

/// A positive decimal number, optionally followed by `suffix` (e.g. "2000/s").
bool parse_number(const char* text, double& out, std::string_view suffix = {}) {
    if (text == nullptr || ((*text < '0' || *text > '9') && *text != '.')) {
        return false;
    }
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(text, &end);
    const std::string_view rest(end);
    if (errno != 0 || !(rest.empty() || (!suffix.empty() && rest == suffix)) || !(v > 0.0) ||
        v > 1e9) {
        return false;
    }
    out = v;
    return true;
}

/// Parses the command line; returns -1 to go on, else the exit status.
int parse_options(int argc, char** argv, options& opt) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage_text.data(), stdout);
            return 0;
        }
        if (arg.size() < 2 || arg[0] != '-') {
            if (!opt.url.empty()) {
                std::fprintf(stderr, "hixie76-load: one URL only (try --help)\n");
                return 2;
            }
            opt.url = argv[i];
            continue;
        }
        bool ok = value != nullptr;
        double seconds = 0.0;
        if (arg == "--connections") {
            ok = parse_count(value, opt.connections) && opt.connections > 0 &&
                 opt.connections <= 1000000;
        } else if (arg == "--draft" && ok) {
            const std::string_view v = value;
            ok = v == "75" || v == "76" || v == "mix";
            opt.draft = v == "75"    ? draft_choice::d75
                        : v == "mix" ? draft_choice::mix
                                     : draft_choice::d76;
        } else if (arg == "--connect-rate") {
            ok = parse_number(value, opt.connect_rate, "/s");
        } else if (arg == "--messages") {
            ok = parse_count(value, opt.messages) && opt.messages <= 100000000;
            opt.messages_given = true;
        } else if (arg == "--interval") {
            std::size_t ms = 0;
            ok = parse_count(value, ms) && ms > 0 && ms <= 3600000;
            opt.interval = milliseconds(static_cast<long long>(ms));
        } else if (arg == "--size") {
            ok = parse_count(value, opt.size) && opt.size <= max_frame;
        } else if (arg == "--duration") {
            ok = parse_number(value, opt.duration) && opt.duration <= 86400.0;
        } else if (arg == "--expect" && ok) {
            const std::string_view v = value;
            ok = v == "echo" || v == "broadcast" || v == "none";
            opt.expect = v == "broadcast" ? expect_mode::broadcast
                         : v == "none"    ? expect_mode::none
                                          : expect_mode::echo;
        } else if (arg == "--origin" && ok) {
            opt.origin = value;
        } else if (arg == "--protocol" && ok) {
            opt.protocol = value;
        } else if (arg == "--json" && ok) {
            opt.json = value;
        } else if (arg == "--handshake-timeout") {
            ok = parse_number(value, seconds) && seconds <= 3600.0;
            opt.handshake_timeout = milliseconds(std::max(1LL, std::llround(seconds * 1000.0)));
        } else if (arg == "--drain") {
            ok = value != nullptr && (std::string_view(value) == "0" ||
                                      (parse_number(value, seconds) && seconds <= 3600.0));
            opt.drain = milliseconds(std::llround(seconds * 1000.0));
        } else if (arg == "--ports-per-source") {
            ok = parse_count(value, opt.ports_per_source) && opt.ports_per_source > 0 &&
                 opt.ports_per_source <= 65535;
        } else {
            std::fprintf(stderr, "hixie76-load: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
        if (!ok) {
            std::fprintf(stderr, "hixie76-load: %s needs a valid value (try --help)\n", argv[i]);
            return 2;
        }
        ++i;
    }
    if (opt.url.empty()) {
        std::fputs("hixie76-load: no URL given (try --help)\n", stderr);
        return 2;
    }
    if (opt.connections == 0) {
        std::fputs("hixie76-load: --connections N is required (try --help)\n", stderr);
        return 2;
    }
    return -1;
}

// --- measurements --------------------------------------------------------------------------

/// A log-linear histogram of microsecond values: exact below 128 µs, then 64 buckets per
/// power of two (within 1.6 %). Fixed size, so millions of samples cost nothing more.
class histogram {
public:
    void add(std::uint64_t us) noexcept {
        ++counts_[index(us)];
        ++n_;
        max_ = std::max(max_, us);
    }
    std::uint64_t count() const noexcept { return n_; }
    /// The value at quantile q (0..1), in milliseconds; 0 without samples.
    double quantile_ms(double q) const noexcept {
        if (n_ == 0) {
            return 0.0;
        }
        const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n_)));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            seen += counts_[i];
            if (seen >= std::max<std::uint64_t>(rank, 1)) {
                return static_cast<double>(std::min(middle(i), max_)) / 1000.0;
            }
        }
        return max_ms();
    }
    double max_ms() const noexcept { return static_cast<double>(max_) / 1000.0; }

private:
    static constexpr std::size_t buckets = 128 + 64 * 64;
    static std::size_t index(std::uint64_t v) noexcept {
        if (v < 128) {
            return static_cast<std::size_t>(v);
        }
        unsigned e = 1;
        while ((v >> e) >= 128) {
            ++e;
        }
        return 128 + (e - 1) * 64 + static_cast<std::size_t>((v >> e) - 64);
    }
    static std::uint64_t middle(std::size_t i) noexcept {
        if (i < 128) {
            return i;
        }
        const std::size_t e = (i - 128) / 64 + 1;
        const std::uint64_t m = (i - 128) % 64 + 64;
        return (m << e) + ((std::uint64_t{1} << e) - 1) / 2;
    }
    std::array<std::uint64_t, buckets> counts_{};
    std::uint64_t n_ = 0;
    std::uint64_t max_ = 0;
};

// --- signals -------------------------------------------------------------------------------

volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) { g_signal = sig; }

// --- connections ---------------------------------------------------------------------------

enum class cstate : std::uint8_t { idle, connecting, handshaking, open, closed };

struct handshake_state {
    hixie76::client_handshake hs;
    std::string in; ///< the response bytes so far
};

struct connection {
    int fd = -1;
    cstate state = cstate::idle;
    hixie76::draft version = hixie76::draft::draft76;
    bool polled_out = false;  ///< the poller watches for writability
    bool ever_open = false;   ///< the handshake succeeded
    std::uint32_t source = 0; ///< index of the source address (spreading), 0: the default
    clock_type::time_point started{};
    std::unique_ptr<handshake_state> hs; ///< only during the handshake
    hixie76::frame_decoder decoder{};
    std::string partial; ///< a text frame that straddles reads
    std::string out;     ///< bytes the socket did not take yet, from out_off
    std::size_t out_off = 0;
    std::uint32_t sent = 0;     ///< messages sent (the next one's sequence number)
    std::uint64_t received = 0; ///< marked messages counted as received
    std::uint32_t next_seq = 0; ///< echo: the next own sequence number expected
    std::size_t cursor = 0;     ///< broadcast: position in the global order
    std::size_t unsent() const noexcept { return out.size() - out_off; }
};

struct source_plan {
    bool spread = false;         ///< bind to 127.0.0.x before connecting
    std::uint32_t addresses = 1; ///< 127.0.0.1 .. 127.0.0.<addresses> in use
    std::size_t per_address = 0; ///< connections per source address
};

class load_run {
public:
    explicit load_run(options opt) : opt_(std::move(opt)) {}

    int run() {
        if (!setup()) {
            return 2;
        }
        start_ = clock_type::now();
        next_progress_ = start_ + std::chrono::seconds(1);
        last_progress_at_ = start_;
        conns_.resize(opt_.connections);
        if (opt_.expect == expect_mode::broadcast) {
            global_index_.resize(opt_.connections);
        }
        for (std::size_t i = 0; i < conns_.size(); ++i) {
            conns_[i].version = pick_version(i);
        }
        loop();
        close_all();
        end_ = clock_type::now();
        return report();
    }

private:
    // --- setup -------------------------------------------------------------------------------

    hixie76::draft pick_version(std::size_t i) const noexcept {
        switch (opt_.draft) {
        case draft_choice::d75:
            return hixie76::draft::draft75;
        case draft_choice::mix:
            return i % 2 == 0 ? hixie76::draft::draft76 : hixie76::draft::draft75;
        case draft_choice::d76:
            break;
        }
        return hixie76::draft::draft76;
    }

    bool setup() {
        const hixie76::url_result u = hixie76::parse_ws_url(opt_.url);
        if (u.err != hixie76::error::none) {
            std::fprintf(stderr, "hixie76-load: bad URL '%s' (%s)\n", opt_.url.c_str(),
                         std::string(hixie76::describe(u.err)).c_str());
            return false;
        }
        if (u.url.secure) {
            std::fputs("hixie76-load: wss:// needs TLS, which this tool does not do\n", stderr);
            return false;
        }
        // One handshake built up front checks --origin and --protocol once for all.
        std::mt19937 probe_rng(1);
        hixie76::client_handshake probe;
        const hixie76::error e =
            probe.start(opt_.url, client_opts(hixie76::draft::draft76), probe_rng);
        if (e != hixie76::error::none) {
            std::fprintf(stderr, "hixie76-load: cannot build the request: %s (%s)\n",
                         std::string(hixie76::to_string(e)).c_str(),
                         std::string(hixie76::describe(e)).c_str());
            return false;
        }
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        addrinfo* found = nullptr;
        const std::string host(u.url.host);
        const std::string port = std::to_string(u.url.port);
        const int gai = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
        if (gai != 0 || found == nullptr) {
            std::fprintf(stderr, "hixie76-load: cannot resolve %s: %s\n", host.c_str(),
                         gai_strerror(gai));
            return false;
        }
        std::memcpy(&target_, found->ai_addr, found->ai_addrlen);
        target_len_ = found->ai_addrlen;
        freeaddrinfo(found);

        raise_fd_limit();
        plan_sources();
        rng_.seed(std::random_device{}());
        if (!poller_.ok()) {
            std::fprintf(stderr, "hixie76-load: %s: %s\n", hixie76_examples::poller::backend(),
                         std::strerror(errno));
            return false;
        }
        const std::size_t id_size = mark.size() + 8 + 1 + 10 + 1 + 20;
        if (opt_.size < id_size && (opt_.messages > 0 || opt_.duration > 0.0)) {
            std::fprintf(stderr,
                         "hixie76-load: note: messages carry a mark and three numbers, so some "
                         "are longer than --size %zu\n",
                         opt_.size);
        }
        return true;
    }

    hixie76::client_options client_opts(hixie76::draft version) const {
        hixie76::client_options co;
        co.version = version;
        co.origin = opt_.origin;
        co.protocol = opt_.protocol;
        return co;
    }

    /// Raises the soft fd limit to the hard one (or to what the run needs, if unlimited).
    void raise_fd_limit() {
        const auto need = static_cast<rlim_t>(opt_.connections + 64);
        rlimit rl{};
        if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
            return;
        }
        const rlim_t want =
            rl.rlim_max == RLIM_INFINITY ? std::max(need, rl.rlim_cur) : rl.rlim_max;
        if (want > rl.rlim_cur) {
            rlimit raised = rl;
            raised.rlim_cur = want;
            if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
                rl = raised;
            }
        }
        if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
            std::fprintf(stderr,
                         "hixie76-load: warning: the file-descriptor limit is %llu (hard %llu); "
                         "about %llu connections fit, the others will fail (fd_limit)\n",
                         static_cast<unsigned long long>(rl.rlim_cur),
                         static_cast<unsigned long long>(rl.rlim_max),
                         static_cast<unsigned long long>(rl.rlim_cur > 64 ? rl.rlim_cur - 64 : 0));
        }
    }

    /// Against an IPv4 loopback server, spreads the connections over 127.0.0.1..x when the
    /// ephemeral port range (3/4 of it, leaving the rest to other programs), or
    /// --ports-per-source, is too small.
    void plan_sources() {
        if (target_.ss_family != AF_INET) {
            return;
        }
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&target_);
        if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127) {
            return;
        }
        std::size_t range = 28232; // Linux's default 32768–60999
        if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
            unsigned lo = 0;
            unsigned hi = 0;
            if (std::fscanf(f, "%u %u", &lo, &hi) == 2 && hi > lo) {
                range = hi - lo + 1;
            }
            std::fclose(f);
        }
        sources_.per_address = opt_.ports_per_source != 0
                                    ? opt_.ports_per_source
                                    : std::max<std::size_t>(range * 3 / 4, 1);
        if (opt_.connections > sources_.per_address) {
            sources_.spread = true;
            sources_.addresses = static_cast<std::uint32_t>(std::min<std::size_t>(
                (opt_.connections + sources_.per_address - 1) / sources_.per_address, 250));
            std::fprintf(stderr,
                         "hixie76-load: %zu connections over %u source addresses "
                         "(127.0.0.1-%u; up to %zu connections each)\n",
                         opt_.connections, sources_.addresses, sources_.addresses,
                         sources_.per_address);
        }
    }

    // --- the loop ----------------------------------------------------------------------------

    enum class phase : std::uint8_t { connect, messages, drain, done };

    void loop() {
        std::vector<hixie76_examples::ready_event> events;
        while (phase_ != phase::done) {
            const auto now = clock_type::now();
            if (g_signal != 0) {
                std::fprintf(stderr, "hixie76-load: signal %d: stopping\n",
                             static_cast<int>(g_signal));
                interrupted_ = true;
                break;
            }
            if (phase_ == phase::connect) {
                start_connections(now);
                if (pending_ > 0 && now >= next_deadline_scan_) {
                    check_deadlines(now);
                }
                if (started_ == conns_.size() && pending_ == 0) {
                    begin_messages(now);
                }
            }
            if (phase_ == phase::messages) {
                send_due(now);
            }
            if (phase_ == phase::drain && (now >= drain_end_ || open_ == 0 ||
                                           (now >= next_arrival_check_ && all_arrived(now)))) {
                phase_ = phase::done;
                break;
            }
            if (now >= next_progress_) {
                progress(now);
            }
            const int n = poller_.wait(events, wait_ms(clock_type::now()));
            if (n < 0 && errno != EINTR) {
                std::fprintf(stderr, "hixie76-load: %s: %s\n", hixie76_examples::poller::backend(),
                             std::strerror(errno));
                interrupted_ = true;
                break;
            }
            for (const hixie76_examples::ready_event& ev : events) {
                on_event(ev);
            }
        }
    }

    int wait_ms(clock_type::time_point now) const {
        clock_type::time_point next = next_progress_;
        if (phase_ == phase::connect) {
            if (started_ < conns_.size()) {
                next = std::min(next, next_connect_time());
            }
            if (pending_ > 0) {
                next = std::min(next, next_deadline_scan_);
            }
        } else if (phase_ == phase::messages) {
            next = std::min(next, send_end_);
            if (!holding_) {
                next = std::min(next, slot_due(slot_));
            }
        } else if (phase_ == phase::drain) {
            next = std::min({next, drain_end_, next_arrival_check_});
        }
        if (next <= now) {
            return 0;
        }
        return static_cast<int>(
            std::min<long long>(std::chrono::ceil<milliseconds>(next - now).count(), 1000));
    }

    void on_event(const hixie76_examples::ready_event& ev) {
        connection& c = conns_[static_cast<std::size_t>(ev.key)];
        switch (c.state) {
        case cstate::connecting:
            if (ev.writable || ev.hangup || ev.readable) {
                on_connected(c);
            }
            return;
        case cstate::handshaking:
        case cstate::open:
            if (ev.writable && c.unsent() > 0) {
                flush(c);
            }
            if ((ev.readable || ev.hangup) &&
                (c.state == cstate::handshaking || c.state == cstate::open)) {
                on_readable(c);
            }
            return;
        case cstate::idle:
        case cstate::closed:
            return;
        }
    }

    // --- connect -----------------------------------------------------------------------------

    clock_type::time_point next_connect_time() const {
        if (opt_.connect_rate <= 0.0) {
            return start_;
        }
        const double at = static_cast<double>(started_) / opt_.connect_rate;
        return start_ +
               std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(at));
    }

    void start_connections(clock_type::time_point now) {
        // At most 500 per turn, so replies to earlier ones are read in between.
        for (int k = 0; k < 500 && started_ < conns_.size() && next_connect_time() <= now; ++k) {
            const std::size_t i = started_++;
            connection& c = conns_[i];
            c.source = sources_.spread ? static_cast<std::uint32_t>(i / sources_.per_address) %
                                             sources_.addresses
                                       : 0;
            open_socket(i);
        }
    }

    void open_socket(std::size_t i) {
        connection& c = conns_[i];
        c.started = clock_type::now();
        for (;;) {
            const int fd = ::socket(target_.ss_family, SOCK_STREAM, 0);
            if (fd < 0) {
                fail(c, errno == EMFILE || errno == ENFILE ? "fd_limit" : "socket_error");
                return;
            }
            const int flags = fcntl(fd, F_GETFL, 0);
            fcntl(fd, F_SETFL, flags | O_NONBLOCK);
            fcntl(fd, F_SETFD, FD_CLOEXEC);
            const int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (sources_.spread && !bind_source(fd, c.source)) {
                ::close(fd);
                fail(c, "bind_error");
                return;
            }
            const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&target_),
                                     static_cast<socklen_t>(target_len_));
            if (rc != 0 && errno != EINPROGRESS && errno != EINTR) {
                const int err = errno;
                ::close(fd);
                // This address's ephemeral ports are used up: go on with the next one.
                if (err == EADDRNOTAVAIL && target_.ss_family == AF_INET && is_loopback() &&
                    sources_.addresses < 250 && c.source + 1 >= sources_.addresses) {
                    if (!sources_.spread) {
                        sources_.spread = true;
                        sources_.per_address = std::max<std::size_t>(started_, 1);
                    }
                    c.source = sources_.addresses++;
                    std::fprintf(stderr,
                                 "hixie76-load: out of ephemeral ports; adding source "
                                 "address 127.0.0.%u\n",
                                 sources_.addresses);
                    continue;
                }
                fail(c, reason_of(err));
                return;
            }
            c.fd = fd;
            c.state = cstate::connecting;
            ++pending_;
            c.polled_out = true;
            if (!poller_.add(fd, hixie76_examples::poller::in | hixie76_examples::poller::out,
                             key_of(c))) {
                fail(c, "poller_error");
            }
            return;
        }
    }

    bool is_loopback() const noexcept {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&target_);
        return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
    }

    static bool bind_source(int fd, std::uint32_t source) {
#if defined(IP_BIND_ADDRESS_NO_PORT)
        // The port is chosen at connect() time, per destination, not reserved by bind().
        const int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = 0;
        a.sin_addr.s_addr = htonl((127U << 24) | (source + 1));
        return ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    }

    std::uint64_t key_of(const connection& c) const noexcept {
        return static_cast<std::uint64_t>(&c - conns_.data());
    }

    static const char* reason_of(int err) {
        switch (err) {
        case ECONNREFUSED:
            return "refused";
        case ETIMEDOUT:
            return "timeout";
        case ECONNRESET:
            return "reset";
        case EPIPE:
            return "broken_pipe";
        case EADDRNOTAVAIL:
            return "no_local_port";
        case ENETUNREACH:
        case EHOSTUNREACH:
            return "unreachable";
        case EMFILE:
        case ENFILE:
            return "fd_limit";
        default:
            return "socket_error";
        }
    }

    void on_connected(connection& c) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
            err = errno;
        }
        if (err != 0) {
            fail(c, reason_of(err));
            return;
        }
        c.hs = std::make_unique<handshake_state>();
        const hixie76::error e = c.hs->hs.start(opt_.url, client_opts(c.version), rng_);
        if (e != hixie76::error::none) {
            fail(c, "request_error");
            return;
        }
        c.state = cstate::handshaking;
        c.out = c.hs->hs.request();
        c.out_off = 0;
        flush(c);
    }

    /// Connections past --handshake-timeout fail (scanned every 100 ms while any is pending).
    void check_deadlines(clock_type::time_point now) {
        next_deadline_scan_ = now + milliseconds(100);
        for (connection& c : conns_) {
            if ((c.state == cstate::connecting || c.state == cstate::handshaking) &&
                now - c.started >= opt_.handshake_timeout) {
                fail(c, c.state == cstate::connecting ? "connect_timeout" : "handshake_timeout");
            }
        }
    }

    // --- reading -----------------------------------------------------------------------------

    void on_readable(connection& c) {
        ssize_t n = 0;
        do {
            n = ::recv(c.fd, buf_.data(), buf_.size(), 0);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fail(c, reason_of(errno));
            }
            return;
        }
        const std::string_view data(buf_.data(), static_cast<std::size_t>(n));
        if (c.state == cstate::handshaking) {
            on_handshake_bytes(c, data, n == 0);
            return;
        }
        if (n == 0) {
            fail(c, "closed_by_server");
            return;
        }
        feed_frames(c, data);
    }

    void on_handshake_bytes(connection& c, std::string_view data, bool eof) {
        handshake_state& h = *c.hs;
        h.in.append(data);
        const hixie76::parse_result r = eof ? h.hs.finish(h.in) : h.hs.parse(h.in);
        if (r.status == hixie76::parse_status::need_more) {
            return;
        }
        if (r.status == hixie76::parse_status::failed) {
            const std::string why = eof && h.in.empty()
                                        ? std::string("closed_in_handshake")
                                        : "handshake_" + std::string(hixie76::to_string(r.err));
            fail(c, why);
            return;
        }
        const auto now = clock_type::now();
        handshake_.add(static_cast<std::uint64_t>(
            std::chrono::duration_cast<microseconds>(now - c.started).count()));
        const std::string rest = h.in.substr(r.consumed);
        c.hs.reset();
        c.state = cstate::open;
        c.ever_open = true;
        --pending_;
        ++open_;
        hixie76::decoder_config dc;
        dc.version = c.version;
        dc.max_frame_size = max_frame;
        c.decoder = hixie76::frame_decoder(dc);
        if (!rest.empty()) {
            feed_frames(c, rest);
        }
    }

    /// Frame step: whole frames are looked at in place; a frame split over reads is gathered.
    void feed_frames(connection& c, std::string_view in) {
        while (!in.empty() && c.state == cstate::open) {
            const hixie76::frame_event ev = c.decoder.next(in);
            in.remove_prefix(ev.consumed);
            switch (ev.kind) {
            case hixie76::frame_kind::need_more:
                return;
            case hixie76::frame_kind::text:
                if (ev.fin && c.partial.empty()) {
                    on_message(c, ev.payload);
                } else {
                    c.partial.append(ev.payload);
                    if (ev.fin) {
                        on_message(c, c.partial);
                        c.partial.clear();
                    }
                }
                break;
            case hixie76::frame_kind::binary:
            case hixie76::frame_kind::skipped:
                break;
            case hixie76::frame_kind::close:
                fail(c, "closed_by_server");
                return;
            case hixie76::frame_kind::failed:
                fail(c, "bad_frame_" + std::string(hixie76::to_string(ev.err)));
                return;
            }
        }
    }

    static bool read_number(std::string_view& s, std::uint64_t& out) {
        std::size_t i = 0;
        std::uint64_t v = 0;
        while (i < s.size() && i < 20 && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
            ++i;
        }
        if (i == 0) {
            return false;
        }
        s.remove_prefix(i);
        out = v;
        return true;
    }

    static bool skip_space(std::string_view& s) {
        if (s.empty() || s[0] != ' ') {
            return false;
        }
        s.remove_prefix(1);
        return true;
    }

    void on_message(connection& c, std::string_view payload) {
        const std::size_t at = payload.find(mark);
        if (at == std::string_view::npos) {
            ++other_;
            return;
        }
        std::string_view p = payload.substr(at + mark.size());
        std::uint64_t sender = 0;
        std::uint64_t seq = 0;
        std::uint64_t t_us = 0;
        const bool ok = read_number(p, sender) && skip_space(p) && read_number(p, seq) &&
                        skip_space(p) && read_number(p, t_us);
        if (!ok || sender >= conns_.size() || seq >= conns_[sender].sent) {
            ++other_; // not one of ours: a garbled or foreign mark
            return;
        }
        const auto now_us = static_cast<std::uint64_t>(
            std::chrono::duration_cast<microseconds>(clock_type::now() - start_).count());
        latency_.add(now_us > t_us ? now_us - t_us : 0);
        last_receive_ = clock_type::now();
        const auto self = static_cast<std::uint64_t>(&c - conns_.data());
        switch (opt_.expect) {
        case expect_mode::none:
            count_received(c);
            return;
        case expect_mode::echo:
            if (sender != self) {
                ++out_of_order_; // someone else's message: not an echo
                return;
            }
            if (seq != c.next_seq) {
                ++out_of_order_;
            }
            if (seq >= c.next_seq) {
                c.next_seq = static_cast<std::uint32_t>(seq + 1);
                count_received(c);
            }
            return;
        case expect_mode::broadcast:
            on_broadcast(c, static_cast<std::size_t>(sender), static_cast<std::uint32_t>(seq));
            return;
        }
    }

    /// One global order: the first reader to get past the end of `order_` extends it; every
    /// reader must follow it. A reader that gets a message other than the one at its cursor
    /// counts one out_of_order and moves its cursor past that message (a message whose place
    /// is already passed is a duplicate or late, and is not counted as received).
    void on_broadcast(connection& c, std::size_t sender, std::uint32_t seq) {
        std::vector<std::uint32_t>& idx = global_index_[sender];
        if (idx.size() <= seq) {
            idx.resize(static_cast<std::size_t>(seq) + 1, unplaced);
        }
        const std::uint64_t id = (static_cast<std::uint64_t>(sender) << 32) | seq;
        if (c.cursor < order_.size() && order_[c.cursor] == id) {
            ++c.cursor;
            count_received(c);
            return;
        }
        if (idx[seq] == unplaced) {
            idx[seq] = static_cast<std::uint32_t>(order_.size());
            order_.push_back(id);
            if (c.cursor + 1 != order_.size()) {
                ++out_of_order_; // others had messages this reader skipped
            }
            c.cursor = order_.size();
            count_received(c);
            return;
        }
        ++out_of_order_;
        if (idx[seq] >= c.cursor) {
            c.cursor = static_cast<std::size_t>(idx[seq]) + 1;
            count_received(c);
        }
    }

    void count_received(connection& c) noexcept {
        ++c.received;
        ++received_;
    }

    // --- writing -----------------------------------------------------------------------------

    void flush(connection& c) {
        while (c.unsent() > 0) {
            const ssize_t w = ::send(c.fd, c.out.data() + c.out_off, c.unsent(), MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    break;
                }
                fail(c, reason_of(errno));
                return;
            }
            c.out_off += static_cast<std::size_t>(w);
        }
        if (c.unsent() == 0) {
            c.out.clear();
            c.out_off = 0;
        } else if (c.out_off > 65536 && c.out_off * 2 > c.out.size()) {
            c.out.erase(0, c.out_off);
            c.out_off = 0;
        }
        watch(c, c.unsent() > 0);
    }

    void watch(connection& c, bool out) {
        if (c.polled_out == out || c.fd < 0) {
            return;
        }
        c.polled_out = out;
        poller_.modify(c.fd,
                       hixie76_examples::poller::in | (out ? hixie76_examples::poller::out : 0U),
                       key_of(c));
    }

    // --- the message phase -------------------------------------------------------------------

    void begin_messages(clock_type::time_point now) {
        phase_ = phase::messages;
        messages_start_ = now;
        const bool by_count = opt_.messages_given || opt_.duration <= 0.0;
        per_connection_ = by_count ? opt_.messages : ~std::size_t{0};
        send_end_ = opt_.duration > 0.0 ? now + std::chrono::duration_cast<clock_type::duration>(
                                                    std::chrono::duration<double>(opt_.duration))
                                        : clock_type::time_point::max();
        if (open_ == 0 || (per_connection_ == 0 && opt_.duration <= 0.0)) {
            start_drain(now);
        }
        holding_ = per_connection_ == 0; // no messages: hold the connections until send_end_
    }

    /// Send slot j is connection j % N's message j / N, due at start + j × interval / N.
    clock_type::time_point slot_due(std::uint64_t j) const {
        const auto step = std::chrono::duration_cast<clock_type::duration>(opt_.interval);
        const auto n = static_cast<std::int64_t>(conns_.size());
        const auto jj = static_cast<std::int64_t>(j);
        return messages_start_ + step * (jj / n) + step * (jj % n) / n;
    }

    void send_due(clock_type::time_point now) {
        if (holding_) {
            if (now >= send_end_) {
                start_drain(now);
            }
            return;
        }
        const std::uint64_t n = conns_.size();
        for (;;) {
            const std::uint64_t round = slot_ / n;
            if (round >= per_connection_ || slot_due(slot_) >= send_end_) {
                start_drain(now);
                return;
            }
            if (slot_due(slot_) > now) {
                return;
            }
            connection& c = conns_[static_cast<std::size_t>(slot_ % n)];
            ++slot_;
            if (c.state == cstate::open) {
                send_message(c);
            }
        }
    }

    void send_message(connection& c) {
        const auto t_us = static_cast<unsigned long long>(
            std::chrono::duration_cast<microseconds>(clock_type::now() - start_).count());
        std::array<char, 64> id{};
        const int k = std::snprintf(id.data(), id.size(), "h76 %zu %u %llu ",
                                    static_cast<std::size_t>(&c - conns_.data()), c.sent, t_us);
        const std::size_t id_size = static_cast<std::size_t>(k);
        const std::size_t size = std::max(opt_.size, id_size);
        const bool direct = c.unsent() == 0;
        const std::size_t at = c.out.size();
        c.out.resize(at + size + 2);
        char* p = &c.out[at];
        p[0] = hixie76::text_frame_start;
        std::memcpy(p + 1, id.data(), id_size);
        std::memset(p + 1 + id_size, 'x', size - id_size);
        p[size + 1] = hixie76::text_frame_end;
        ++c.sent;
        ++sent_;
        if (direct || c.unsent() > max_unsent) {
            if (c.unsent() > max_unsent) {
                fail(c, "server_not_reading");
                return;
            }
            flush(c);
        }
    }

    void start_drain(clock_type::time_point now) {
        phase_ = phase::drain;
        drain_end_ = opt_.expect == expect_mode::none ? now : now + opt_.drain;
    }

    /// Every connection still open got what it must get (checked at most every 10 ms: the
    /// scan is O(connections)).
    bool all_arrived(clock_type::time_point now) {
        next_arrival_check_ = now + milliseconds(10);
        if (opt_.expect == expect_mode::none) {
            return true;
        }
        for (const connection& c : conns_) {
            if (c.state == cstate::open && c.received < expected_for(c)) {
                return false;
            }
        }
        return true;
    }

    std::uint64_t expected_for(const connection& c) const noexcept {
        switch (opt_.expect) {
        case expect_mode::echo:
            return c.sent;
        case expect_mode::broadcast:
            return sent_;
        case expect_mode::none:
            break;
        }
        return 0;
    }

    // --- ends --------------------------------------------------------------------------------

    void fail(connection& c, const std::string& why) {
        if (c.state == cstate::connecting || c.state == cstate::handshaking) {
            --pending_;
        } else if (c.state == cstate::open) {
            --open_;
        }
        ++failures_[c.ever_open ? "dropped_" + why : why];
        ++failed_;
        close_socket(c);
    }

    void close_socket(connection& c) {
        if (c.fd >= 0) {
            poller_.remove(c.fd);
            ::close(c.fd);
            c.fd = -1;
        }
        c.state = cstate::closed;
        c.hs.reset();
        std::string().swap(c.out);
        std::string().swap(c.partial);
        c.out_off = 0;
    }

    void close_all() {
        for (connection& c : conns_) {
            if (c.state == cstate::open) {
                --open_;
                ++finished_;
                if (c.version == hixie76::draft::draft76) {
                    const ssize_t w = ::send(c.fd, hixie76::close_frame.data(),
                                             hixie76::close_frame.size(), MSG_NOSIGNAL);
                    (void)w; // best effort: the closing handshake is not measured
                }
            } else if (c.state == cstate::connecting || c.state == cstate::handshaking) {
                --pending_;
                ++failures_["interrupted"];
                ++failed_;
            } else if (c.state == cstate::idle) {
                ++failures_["not_started"];
                ++failed_;
            }
            close_socket(c);
        }
    }

    void progress(clock_type::time_point now) {
        const double secs = std::chrono::duration<double>(now - start_).count();
        const double span = std::chrono::duration<double>(now - last_progress_at_).count();
        const auto rate = span > 0.0 ? static_cast<double>(received_ - last_received_) / span : 0.0;
        std::fprintf(stderr,
                     "hixie76-load: %6.1fs connected %zu failed %zu sent %llu received %llu "
                     "rate %.0f/s\n",
                     secs, open_, failed_, static_cast<unsigned long long>(sent_),
                     static_cast<unsigned long long>(received_), rate);
        last_received_ = received_;
        last_progress_at_ = now;
        next_progress_ = now + std::chrono::seconds(1);
    }

    // --- results -----------------------------------------------------------------------------

    int report() {
        std::uint64_t lost = 0;
        for (const connection& c : conns_) {
            if (c.ever_open) {
                const std::uint64_t want = expected_for(c);
                lost += want > c.received ? want - c.received : 0;
            }
        }
        const double duration = std::chrono::duration<double>(end_ - start_).count();
        const char* mode = opt_.expect == expect_mode::echo        ? "echo"
                           : opt_.expect == expect_mode::broadcast ? "broadcast"
                                                                   : "none";
        const char* draft = opt_.draft == draft_choice::d75   ? "75"
                            : opt_.draft == draft_choice::mix ? "mix"
                                                              : "76";
        std::printf("hixie76-load: %s, %zu connections, draft %s, expect %s (%s)\n",
                    opt_.url.c_str(), conns_.size(), draft, mode,
                    hixie76_examples::poller::backend());
        std::printf("connections: %zu ok, %zu failed", finished_, failed_);
        for (const auto& f : failures_) {
            std::printf(" [%s %zu]", f.first.c_str(), f.second);
        }
        std::printf("\nhandshake ms: p50 %.3f p90 %.3f p99 %.3f max %.3f\n",
                    handshake_.quantile_ms(0.50), handshake_.quantile_ms(0.90),
                    handshake_.quantile_ms(0.99), handshake_.max_ms());
        std::printf(
            "messages: %llu sent, %llu received, %llu lost, %llu out of order, %llu "
            "other\n",
            static_cast<unsigned long long>(sent_), static_cast<unsigned long long>(received_),
            static_cast<unsigned long long>(lost), static_cast<unsigned long long>(out_of_order_),
            static_cast<unsigned long long>(other_));
        std::printf("latency ms: p50 %.3f p99 %.3f max %.3f\n", latency_.quantile_ms(0.50),
                    latency_.quantile_ms(0.99), latency_.max_ms());
        if (sent_ > 0) {
            // The message phase: from the first send to the last message received.
            const auto last = std::max(last_receive_, messages_start_);
            const double span = std::chrono::duration<double>(last - messages_start_).count();
            std::printf("message phase: %.3f s, %.0f received/s\n", span,
                        span > 0.0 ? static_cast<double>(received_) / span : 0.0);
        }
        std::printf("duration: %.3f s\n", duration);
        const bool ok = failed_ == 0 && lost == 0 && out_of_order_ == 0 && !interrupted_;
        std::printf("result: %s\n", ok ? "ok" : "FAILED");
        std::fflush(stdout);
        if (!opt_.json.empty() && !write_json(lost, duration)) {
            return 1;
        }
        return ok ? 0 : 1;
    }

    bool write_json(std::uint64_t lost, double duration) const {
        std::FILE* f = std::fopen(opt_.json.c_str(), "w");
        if (f == nullptr) {
            std::fprintf(stderr, "hixie76-load: --json %s: %s\n", opt_.json.c_str(),
                         std::strerror(errno));
            return false;
        }
        std::fprintf(f, "{\n  \"connections_ok\": %zu,\n  \"connections_failed\": %zu,\n",
                     finished_, failed_);
        std::fputs("  \"failures\": {", f);
        bool first = true;
        for (const auto& r : failures_) {
            // Reasons are fixed identifiers plus error names: [a-z0-9_] only.
            std::fprintf(f, "%s\"%s\": %zu", first ? "" : ", ", r.first.c_str(), r.second);
            first = false;
        }
        std::fprintf(f,
                     "},\n  \"handshake_ms\": {\"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, "
                     "\"max\": %.3f},\n",
                     handshake_.quantile_ms(0.50), handshake_.quantile_ms(0.90),
                     handshake_.quantile_ms(0.99), handshake_.max_ms());
        std::fprintf(
            f,
            "  \"messages_sent\": %llu,\n  \"messages_received\": %llu,\n  \"lost\": "
            "%llu,\n  \"out_of_order\": %llu,\n",
            static_cast<unsigned long long>(sent_), static_cast<unsigned long long>(received_),
            static_cast<unsigned long long>(lost), static_cast<unsigned long long>(out_of_order_));
        std::fprintf(f,
                     "  \"latency_ms\": {\"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f},\n"
                     "  \"duration_s\": %.3f\n}\n",
                     latency_.quantile_ms(0.50), latency_.quantile_ms(0.99), latency_.max_ms(),
                     duration);
        const bool ok = std::fclose(f) == 0;
        if (!ok) {
            std::fprintf(stderr, "hixie76-load: --json %s: write failed\n", opt_.json.c_str());
        }
        return ok;
    }

    static constexpr std::uint32_t unplaced = ~std::uint32_t{0};

    options opt_;
    hixie76_examples::poller poller_;
    sockaddr_storage target_{};
    std::size_t target_len_ = 0;
    source_plan sources_;
    std::mt19937 rng_;
    std::vector<connection> conns_;
    phase phase_ = phase::connect;

    clock_type::time_point start_{};
    clock_type::time_point end_{};
    clock_type::time_point messages_start_{};
    clock_type::time_point send_end_ = clock_type::time_point::max();
    clock_type::time_point drain_end_{};
    clock_type::time_point next_progress_{};
    clock_type::time_point last_progress_at_{};
    clock_type::time_point next_deadline_scan_{};
    clock_type::time_point next_arrival_check_{};
    clock_type::time_point last_receive_{};

    std::size_t started_ = 0;  ///< connections whose connect() was called
    std::size_t pending_ = 0;  ///< connecting or in the handshake
    std::size_t open_ = 0;     ///< open now
    std::size_t failed_ = 0;   ///< failed (before or after the handshake)
    std::size_t finished_ = 0; ///< open until the end
    std::map<std::string, std::size_t> failures_;
    bool interrupted_ = false;

    std::size_t per_connection_ = 0;
    bool holding_ = false;
    std::uint64_t slot_ = 0;
    std::uint64_t sent_ = 0;
    std::uint64_t received_ = 0;
    std::uint64_t last_received_ = 0;
    std::uint64_t out_of_order_ = 0;
    std::uint64_t other_ = 0;
    histogram handshake_;
    histogram latency_;

    std::vector<std::uint64_t> order_; ///< broadcast: the global order of message ids
    std::vector<std::vector<std::uint32_t>> global_index_; ///< [sender][seq] → order_ index

    std::array<char, 64 * 1024> buf_{};
};

} // namespace

int main(int argc, char** argv) {
    options opt;
    const int status = parse_options(argc, argv, opt);
    if (status >= 0) {
        return status;
    }
    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // The run object is large (histograms, buffers): on the heap.
    auto run = std::make_unique<load_run>(std::move(opt));
    return run->run();
}
