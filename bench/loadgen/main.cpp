// tw-loadgen: drives one scenario against a tickerwire-server on loopback and prints one
// human-readable line and one machine-readable "BENCH key=value ..." line.
// Exit status: 0 when the scenario ran (with --strict: and nothing was lost, no connection
// failed, every stream was set up and, for bridge/MCP streams, every stream's item count equals
// the count in its final result), 1 when it did not, 2 on bad usage.
#include "loadgen.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

void usage()
{
    std::fprintf(stderr,
        "usage: tw-loadgen --port N [options]\n"
        "  --mode bridge|mcp|idle|rpc|churn   what each connection does (default bridge)\n"
        "  --host ADDR          IPv4 address of the server (default 127.0.0.1)\n"
        "  --port N             server port\n"
        "  --api-key KEY        sent as X-API-Key\n"
        "  --server-pid PID     read the server's CPU, RSS and fds from /proc\n"
        "  --scenario NAME      label for the output\n"
        "  --clients N          connections / streams (default 10)\n"
        "  --duration S         measured seconds after setup (default 10)\n"
        "  --setup-rate N       new connections per second at most (default 2000)\n"
        "  --symbol SYM         symbol the streams watch (default TSLA)\n"
        "  --interval MS        stream heartbeat period (default 15000)\n"
        "  --pipeline N         rpc: requests in flight per connection (default 8)\n"
        "  --methods LIST       rpc: comma list of ping, tools/list, get_market_news (default "
        "ping)\n"
        "  --churn-min S / --churn-max S   churn: client-side stream lifetime (default 1..5)\n"
        "  --warmup S           churn: RSS baseline after this (default 10%% of duration)\n"
        "  --grace S            wait this long for streams to end after the run (default 10)\n"
        "  --coherence          every stream must see every item of the common window\n"
        "  --timeline           print each second's latency percentiles to stderr\n"
        "  --busy-poll          never sleep in epoll_wait (a spinning client: no wake-up latency)\n"
        "  --strict             exit 1 unless the run was clean (see header of main.cpp)\n");
}

bool parseMode(const std::string &s, twbench::Mode &m)
{
    using twbench::Mode;
    if (s == "bridge")
        m = Mode::SseBridge;
    else if (s == "mcp")
        m = Mode::McpStream;
    else if (s == "idle")
        m = Mode::Idle;
    else if (s == "rpc")
        m = Mode::Rpc;
    else if (s == "churn")
        m = Mode::Churn;
    else
        return false;
    return true;
}

std::string fmt(double v, int decimals = 1)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

} // namespace

int main(int argc, char **argv)
{
    twbench::Options o;
    bool strict = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "tw-loadgen: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--mode") {
            if (!parseMode(value(), o.mode)) {
                std::fprintf(
                    stderr, "tw-loadgen: --mode must be bridge, mcp, idle, rpc or churn\n");
                return 2;
            }
        } else if (a == "--host") {
            o.host = value();
        } else if (a == "--port") {
            o.port = std::atoi(value().c_str());
        } else if (a == "--api-key") {
            o.apiKey = value();
        } else if (a == "--server-pid") {
            o.serverPid = std::atoi(value().c_str());
        } else if (a == "--scenario") {
            o.scenario = value();
        } else if (a == "--clients") {
            o.clients = std::atoi(value().c_str());
        } else if (a == "--duration") {
            o.durationS = std::atof(value().c_str());
        } else if (a == "--setup-rate") {
            o.setupRate = std::atof(value().c_str());
        } else if (a == "--symbol") {
            o.symbol = value();
        } else if (a == "--interval") {
            o.intervalMs = std::atoi(value().c_str());
        } else if (a == "--pipeline") {
            o.pipeline = std::atoi(value().c_str());
        } else if (a == "--methods") {
            o.methods.clear();
            std::string list = value();
            size_t pos = 0;
            while (pos <= list.size()) {
                const size_t comma = std::min(list.find(',', pos), list.size());
                if (comma > pos)
                    o.methods.push_back(list.substr(pos, comma - pos));
                pos = comma + 1;
            }
        } else if (a == "--churn-min") {
            o.churnMinS = std::atof(value().c_str());
        } else if (a == "--churn-max") {
            o.churnMaxS = std::atof(value().c_str());
        } else if (a == "--warmup") {
            o.warmupS = std::atof(value().c_str());
        } else if (a == "--grace") {
            o.graceS = std::atof(value().c_str());
        } else if (a == "--coherence") {
            o.checkCoherence = true;
        } else if (a == "--busy-poll") {
            o.busyPoll = true;
        } else if (a == "--timeline") {
            o.timeline = true;
        } else if (a == "--strict") {
            strict = true;
        } else if (a == "-h" || a == "--help") {
            usage();
            return 0;
        } else {
            std::fprintf(stderr, "tw-loadgen: unknown option %s\n", a.c_str());
            usage();
            return 2;
        }
    }
    if (o.port <= 0 || o.port > 65535 || o.clients <= 0 || o.clients > 100000 || o.durationS <= 0
        || o.durationS > 24 * 3600 || o.setupRate <= 0 || o.pipeline <= 0 || o.pipeline > 1024
        || o.methods.empty() || o.churnMinS <= 0 || o.churnMaxS < o.churnMinS) {
        std::fprintf(stderr,
            "tw-loadgen: bad arguments (need --port; positive, bounded counts and times)\n");
        usage();
        return 2;
    }

    twbench::Result r;
    twbench::LoadGen gen(o);
    const bool ran = gen.run(r);
    const bool stream = o.mode == twbench::Mode::SseBridge || o.mode == twbench::Mode::McpStream;
    const double perS = r.seconds > 0 ? 1.0 / r.seconds : 0;
    const double rate
        = o.mode == twbench::Mode::Rpc ? double(r.requests) * perS : double(r.items) * perS;
    double kibPerStream = -1;
    if (o.mode == twbench::Mode::Idle && r.held > 0 && r.rssBaselineKiB > 0
        && r.serverRssEndKiB > 0)
        kibPerStream = (r.serverRssEndKiB - r.rssBaselineKiB) / r.held;

    // CPU time per delivered event (item, heartbeat or RPC response): robust against a
    // machine shared with other load, unlike the latency figures.
    const double cpuUsPerEvent = r.events > 0 && r.serverCpuPct >= 0
        ? r.serverCpuPct / 100.0 * r.seconds * 1e6 / double(r.events)
        : -1;
    std::printf(
        "%-14s %-6s clients=%d connected=%d failures=%d %.1fs  %s/s=%.0f  p50=%lldus p99=%lldus "
        "p99.9=%lldus max=%lldus  lost=%llu  cpu=%.0f%% wait=%.0f%% rss=%.0fKiB%s\n",
        r.scenario.c_str(), r.mode.c_str(), r.clients, r.connected, r.failures, r.seconds,
        o.mode == twbench::Mode::Rpc ? "req" : "items", rate, (long long)r.latency.percentile(0.50),
        (long long)r.latency.percentile(0.99), (long long)r.latency.percentile(0.999),
        (long long)r.latency.max(), (unsigned long long)r.lost, r.serverCpuPct, r.serverWaitPct,
        r.serverRssPeakKiB, r.note.empty() ? "" : ("  note: " + r.note).c_str());
    std::printf(
        "BENCH scenario=%s mode=%s clients=%d connected=%d completed=%d held=%d failures=%d "
        "seconds=%s "
        "events=%llu items=%llu heartbeats=%llu requests=%llu rpc_errors=%llu rate_per_s=%s "
        "samples=%llu p50_us=%lld p90_us=%lld p99_us=%lld p999_us=%lld max_us=%lld negative=%llu "
        "lost=%llu coherent=%d server_cpu_pct=%s server_rss_start_kib=%s server_rss_peak_kib=%s "
        "server_rss_end_kib=%s rss_baseline_kib=%s kib_per_stream=%s rss_drift_kib=%s fd_before=%d "
        "fd_after=%d streams_open_after=%lld loadgen_cpu_pct=%s setup_s=%s server_run_pct=%s "
        "server_wait_pct=%s "
        "server_cpu_us_per_event=%s rss_second_half_drift_kib=%s busy_poll=%d\n",
        r.scenario.c_str(), r.mode.c_str(), r.clients, r.connected, r.completed, r.held, r.failures,
        fmt(r.seconds, 2).c_str(), (unsigned long long)r.events, (unsigned long long)r.items,
        (unsigned long long)r.heartbeats, (unsigned long long)r.requests,
        (unsigned long long)r.rpcErrors, fmt(rate).c_str(), (unsigned long long)r.latency.count(),
        (long long)r.latency.percentile(0.50), (long long)r.latency.percentile(0.90),
        (long long)r.latency.percentile(0.99), (long long)r.latency.percentile(0.999),
        (long long)r.latency.max(), (unsigned long long)r.latency.negative(),
        (unsigned long long)r.lost, r.coherent ? 1 : 0, fmt(r.serverCpuPct).c_str(),
        fmt(r.serverRssStartKiB, 0).c_str(), fmt(r.serverRssPeakKiB, 0).c_str(),
        fmt(r.serverRssEndKiB, 0).c_str(), fmt(r.rssBaselineKiB, 0).c_str(),
        fmt(kibPerStream, 2).c_str(), fmt(r.rssDriftKiB, 0).c_str(), r.fdBefore, r.fdAfter,
        r.streamsOpenAfter, fmt(r.loadgenCpuPct).c_str(), fmt(r.setupSeconds, 2).c_str(),
        fmt(r.serverRunPct).c_str(), fmt(r.serverWaitPct).c_str(), fmt(cpuUsPerEvent, 2).c_str(),
        fmt(r.rssSecondHalfDriftKiB, 0).c_str(), o.busyPoll ? 1 : 0);
    if (!r.note.empty())
        std::fprintf(stderr, "tw-loadgen: %s: %s\n", r.scenario.c_str(), r.note.c_str());
    std::fflush(stdout);
    if (!ran)
        return 1;
    if (strict) {
        bool clean = r.failures == 0 && r.lost == 0 && r.coherent && r.connected == o.clients
            && r.latency.negative() == 0 && r.rpcErrors == 0;
        if (stream)
            clean = clean && r.completed == o.clients && r.items > 0;
        if (o.mode == twbench::Mode::Idle)
            clean = clean && r.held == o.clients;
        if (o.mode == twbench::Mode::Rpc)
            clean = clean && r.requests > 0;
        if (r.streamsOpenAfter > 0)
            clean = false;
        return clean ? 0 : 1;
    }
    return 0;
}
