// The load generator's engine: one thread, one epoll set, non-blocking sockets to a
// tickerwire-server on loopback. Each mode drives N connections through its request flow,
// parses the responses incrementally and records what the bench reports. Every loop is
// bounded: the run ends at its deadline whatever the server does.
#pragma once

#include "latencyhistogram.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace twbench {

enum class Mode {
    SseBridge, // GET /api/mcp/stream-news
    McpStream, // initialize, initialized, tools/call stream_market_news with a progressToken
    Idle, // bridge streams held open, heartbeats only
    Rpc, // JSON-RPC requests on one session over keep-alive connections, pipelined
    Churn, // bridge streams opened and closed continuously
};

struct Options {
    Mode mode = Mode::SseBridge;
    std::string scenario;
    std::string host = "127.0.0.1";
    int port = 8750;
    std::string apiKey;
    int serverPid = 0;
    int clients = 10; // connections (streams, RPC connections, churn slots)
    double durationS = 10; // measured time after setup
    double setupRate = 2000; // new connections per second at most
    int maxConnecting = 256; // connects + request flows in progress at once
    std::string symbol = "TSLA";
    int intervalMs = 15000; // stream heartbeat period
    int pipeline = 8; // RPC: requests in flight per connection
    std::vector<std::string> methods { "ping" }; // RPC: cycled
    double churnMinS = 1, churnMaxS = 5; // churn: client-side lifetime of a stream
    double graceS = 10; // after the end: how long to wait for streams to finish
    double sampleEveryS = 1; // server /proc sampling period
    double warmupS = -1; // churn/soak: RSS baseline taken after this (default 10 % of duration)
    bool checkCoherence = false; // every stream must see the same items in the common window
    bool timeline = false; // print per-second latency figures to stderr (where a p99 comes from)
    // Poll without sleeping (epoll_wait timeout 0) while measuring: the client never waits to be
    // woken, so what remains is the server's part of the latency. Costs a core.
    bool busyPoll = false;
};

struct Result {
    std::string scenario;
    std::string mode;
    int clients = 0;
    int connected = 0; // got a 200 stream head / a session
    int completed = 0; // streams that ended normally (server-side end)
    int held = 0; // idle: streams open at the end of the hold
    int failures = 0;
    double seconds = 0; // measured time
    uint64_t events = 0; // SSE events with data (items + heartbeats + finals) or RPC responses
    uint64_t items = 0;
    uint64_t heartbeats = 0;
    uint64_t lost = 0; // gaps in a stream's progress counter + items missing vs other streams
    uint64_t streamsOpened = 0;
    uint64_t requests = 0; // RPC responses
    uint64_t rpcErrors = 0;
    uint64_t seqFirst = 0, seqLast = 0; // common window of sequences (coherence check)
    bool coherent = true;
    LatencyHistogram latency;
    double serverCpuPct = -1;
    double serverRssStartKiB = -1, serverRssPeakKiB = -1, serverRssEndKiB = -1;
    double rssBaselineKiB = -1; // idle: before the streams; churn: after warm-up
    double rssDriftKiB = 0; // last sample - baseline
    double rssSecondHalfDriftKiB = 0; // last sample - the sample at half the measured time
    int fdBefore = -1, fdAfter = -1;
    long long streamsOpenAfter = -1; // server metric after everything closed
    double loadgenCpuPct = 0;
    double setupSeconds = 0; // connecting + request flows until all streams were open
    // From /proc/<pid>/schedstat over the measured time: the share of wall time the server's
    // main thread ran, and the share it was runnable but waiting for a CPU (other load).
    double serverRunPct = -1, serverWaitPct = -1;
    std::string note;
};

class LoadGen {
public:
    explicit LoadGen(Options options);
    ~LoadGen();
    // Runs the scenario to its end; false when nothing could run (setup failed).
    bool run(Result &result);

private:
    struct Conn;
    friend struct Conn;

    bool openConnection(int slot);
    void closeConnection(Conn *c, bool failure);
    void onReadable(Conn *c, int64_t nowNs);
    void onWritable(Conn *c);
    void queue(Conn *c, const std::string &bytes);
    void updateInterest(Conn *c);
    void startFlow(Conn *c);
    void onHead(Conn *c, int status, const std::string &sessionId, bool eventStream);
    void onEvent(Conn *c, const std::string &id, const std::string &data);
    void onComment(Conn *c);
    void onComplete(Conn *c, const std::string &body);
    void sendRpc(Conn *c);
    std::string post(const std::string &body, const std::string &session) const;
    std::string bridgeRequest(int durationMs) const;
    bool initSession(); // RPC mode: one session for every connection (blocking, at setup)
    void sampleServer(int64_t nowNs);
    void reap();

    Options m_opt;
    Result *m_result = nullptr;
    int m_epoll = -1;
    uint32_t m_addr = 0;
    std::unordered_map<int, std::unique_ptr<Conn>> m_conns; // by fd
    std::vector<Conn *> m_dead;
    int m_connecting = 0;
    int m_open = 0;
    int64_t m_startNs = 0;
    int64_t m_measureStartNs = 0;
    int64_t m_endNs = 0; // streams end here (server-side duration)
    int64_t m_now = 0;
    int64_t m_lastSampleNs = 0;
    std::string m_session; // RPC
    uint64_t m_nextRpcId = 1;
    size_t m_nextMethod = 0;
    bool m_stopping = false;
    // coherence: hub sequence -> streams that saw it
    std::unordered_map<uint64_t, uint32_t> m_seqHits;
    std::vector<double> m_rssSamples; // KiB, one per sample
    LatencyHistogram m_second; // --timeline: this second's samples
    int64_t m_secondStartNs = 0;
    uint64_t m_cpuTicksStart = 0;
    int64_t m_cpuStartNs = 0;
    uint64_t m_runNsStart = 0, m_waitNsStart = 0;
    std::vector<std::pair<uint64_t, uint64_t>> m_ranges; // per finished stream: first, last seq
};

// /proc/<pid> readers for the server figures.
uint64_t procCpuTicks(int pid);
// Main thread: ns on a CPU, ns runnable but waiting for one.
bool procSchedStat(int pid, uint64_t &runNs, uint64_t &waitNs);
double procRssKiB(int pid);
int procFdCount(int pid);
// One blocking GET on loopback (bounded by a timeout): the body, or empty on failure.
std::string httpGet(
    const std::string &host, int port, const std::string &path, const std::string &apiKey);
long long metricValue(const std::string &metrics, const std::string &name);

} // namespace twbench
