#include "loadgen.h"

#include "responseparser.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <random>
#include <string_view>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace twbench {

namespace {

    int64_t nowNs()
    {
        timespec ts {};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
    }

    constexpr int64_t kNsPerS = 1000000000;

    // The first unsigned integer after `key` in `s` (skipping anything that is not a digit, such
    // as the quote and colon, or the escaped quote inside an item's JSON carried as a string).
    bool numberAfter(
        const std::string &s, const char *key, size_t from, uint64_t &out, size_t *at = nullptr)
    {
        const size_t k = s.find(key, from);
        if (k == std::string::npos)
            return false;
        size_t i = k + std::strlen(key);
        const size_t limit = std::min(s.size(), i + 8);
        while (i < limit && !(s[i] >= '0' && s[i] <= '9'))
            ++i;
        if (i >= s.size() || !(s[i] >= '0' && s[i] <= '9'))
            return false;
        uint64_t v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            v = v * 10 + uint64_t(s[i++] - '0');
        out = v;
        if (at)
            *at = i;
        return true;
    }

    bool isDigits(const std::string &s)
    {
        return !s.empty()
            && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    }

    std::string modeName(Mode m)
    {
        switch (m) {
        case Mode::SseBridge: return "bridge";
        case Mode::McpStream: return "mcp";
        case Mode::Idle: return "idle";
        case Mode::Rpc: return "rpc";
        case Mode::Churn: return "churn";
        }
        return "?";
    }

} // namespace

// One client connection and the state of its request flow.
struct LoadGen::Conn : ResponseListener {
    enum class Phase {
        Connecting,
        Initialize, // MCP: waiting for the initialize response
        Initialized, // MCP: waiting for the 202 of notifications/initialized
        Streaming, // a stream (bridge GET or tools/call) is open
        Rpc,
        Closing,
    };

    LoadGen *gen;
    int fd = -1;
    int slot = 0;
    Phase phase = Phase::Connecting;
    ResponseParser parser { this };
    std::string out;
    size_t outPos = 0;
    bool wantWrite = false;
    bool counted = false; // counted as connected (got its stream head / session)
    bool setupDone = false; // no longer counts against maxConnecting
    int64_t openedNs = 0;
    int64_t closeAtNs = 0; // churn: the client-side end of this stream
    int64_t lastProgress = -1;
    uint64_t items = 0;
    uint64_t firstSeq = 0, lastSeq = 0;
    int status = 0;
    bool eventStream = false;
    bool ended = false; // the server ended the stream (final event + end of body)
    bool finalSeen = false;
    std::string session;
    std::deque<int64_t> sent; // RPC: send times of the requests in flight

    explicit Conn(LoadGen *g)
        : gen(g)
    {
    }
    void onHead(int s, const std::string &sessionId, bool sse) override
    {
        status = s;
        eventStream = sse;
        gen->onHead(this, s, sessionId, sse);
    }
    void onEvent(const std::string &id, const std::string &data) override
    {
        gen->onEvent(this, id, data);
    }
    void onComment() override { gen->onComment(this); }
    void onComplete(const std::string &body) override { gen->onComplete(this, body); }
};

LoadGen::LoadGen(Options options)
    : m_opt(std::move(options))
{
}

LoadGen::~LoadGen()
{
    for (auto &entry : m_conns)
        ::close(entry.first);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

std::string LoadGen::post(const std::string &body, const std::string &session) const
{
    std::string r;
    r.reserve(400 + body.size());
    r += "POST /mcp HTTP/1.1\r\nHost: ";
    r += m_opt.host + ":" + std::to_string(m_opt.port);
    r += "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
    r += "MCP-Protocol-Version: 2025-06-18\r\n";
    if (!m_opt.apiKey.empty())
        r += "X-API-Key: " + m_opt.apiKey + "\r\n";
    if (!session.empty())
        r += "Mcp-Session-Id: " + session + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    r += body;
    return r;
}

std::string LoadGen::bridgeRequest(int durationMs) const
{
    std::string r = "GET /api/mcp/stream-news?symbol=" + m_opt.symbol + "&interval="
        + std::to_string(m_opt.intervalMs) + "&duration=" + std::to_string(durationMs)
        + " HTTP/1.1\r\nHost: " + m_opt.host + ":" + std::to_string(m_opt.port)
        + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n";
    if (!m_opt.apiKey.empty())
        r += "X-API-Key: " + m_opt.apiKey + "\r\n";
    r += "\r\n";
    return r;
}

void LoadGen::queue(Conn *c, const std::string &bytes)
{
    if (c->outPos == c->out.size()) {
        c->out.clear();
        c->outPos = 0;
    }
    c->out += bytes;
    onWritable(c);
}

void LoadGen::updateInterest(Conn *c)
{
    const bool want = c->phase == Conn::Phase::Connecting || c->outPos < c->out.size();
    if (want == c->wantWrite)
        return;
    c->wantWrite = want;
    epoll_event ev {};
    ev.events = EPOLLIN | EPOLLRDHUP | (want ? uint32_t(EPOLLOUT) : 0u);
    ev.data.fd = c->fd;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, c->fd, &ev);
}

bool LoadGen::openConnection(int slot)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ++m_result->failures;
        if (m_result->note.empty())
            m_result->note = std::string("socket(): ") + std::strerror(errno);
        return false;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(m_opt.port));
    addr.sin_addr.s_addr = m_addr;
    const int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    if (rc < 0 && errno != EINPROGRESS) {
        ++m_result->failures;
        if (m_result->note.empty())
            m_result->note = std::string("connect(): ") + std::strerror(errno);
        ::close(fd);
        return false;
    }
    auto conn = std::make_unique<Conn>(this);
    Conn *c = conn.get();
    c->fd = fd;
    c->slot = slot;
    c->openedNs = m_now;
    c->wantWrite = true;
    epoll_event ev {};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.fd = fd;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    m_conns.emplace(fd, std::move(conn));
    ++m_connecting;
    ++m_open;
    if (m_opt.mode == Mode::Churn) {
        std::uniform_real_distribution<double> life(m_opt.churnMinS, m_opt.churnMaxS);
        static std::mt19937_64 rng(12345);
        c->closeAtNs = m_now + int64_t(life(rng) * double(kNsPerS));
    }
    return true;
}

void LoadGen::closeConnection(Conn *c, bool failure)
{
    if (c->phase == Conn::Phase::Closing)
        return;
    if (failure) {
        ++m_result->failures;
    }
    if (!c->setupDone) {
        c->setupDone = true;
        --m_connecting;
    }
    if (c->eventStream && c->firstSeq > 0)
        m_ranges.emplace_back(c->firstSeq, c->lastSeq);
    c->phase = Conn::Phase::Closing;
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, c->fd, nullptr);
    ::close(c->fd);
    --m_open;
    m_dead.push_back(c);
}

void LoadGen::reap()
{
    for (Conn *c : m_dead)
        m_conns.erase(c->fd);
    m_dead.clear();
}

void LoadGen::startFlow(Conn *c)
{
    switch (m_opt.mode) {
    case Mode::SseBridge:
    case Mode::Idle:
    case Mode::Churn: {
        // Streams end on the server after the measured time (plus the setup time left), so a
        // stream's final event and count arrive inside the run; idle and churn streams are
        // closed by the client.
        int durationMs = int(std::max<int64_t>(1000, (m_endNs - m_now) / 1000000));
        if (m_opt.mode != Mode::SseBridge)
            durationMs = 3600000;
        c->phase = Conn::Phase::Streaming;
        queue(c, bridgeRequest(durationMs));
        break;
    }
    case Mode::McpStream:
        c->phase = Conn::Phase::Initialize;
        queue(c,
            post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                 "\"protocolVersion\":"
                 "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"tw-loadgen\","
                 "\"version\":\"1\"}}}",
                {}));
        break;
    case Mode::Rpc:
        c->phase = Conn::Phase::Rpc;
        c->setupDone = true;
        --m_connecting;
        c->counted = true;
        ++m_result->connected;
        for (int i = 0; i < m_opt.pipeline; ++i)
            sendRpc(c);
        break;
    }
}

void LoadGen::sendRpc(Conn *c)
{
    if (m_stopping)
        return;
    const std::string &method = m_opt.methods[m_nextMethod++ % m_opt.methods.size()];
    std::string params;
    if (method == "get_market_news")
        params = ",\"params\":{\"name\":\"get_market_news\",\"arguments\":{\"symbol\":\""
            + m_opt.symbol + "\",\"limit\":10}}";
    const std::string wireMethod = method == "get_market_news" ? "tools/call" : method;
    const std::string body = "{\"jsonrpc\":\"2.0\",\"id\":" + std::to_string(m_nextRpcId++)
        + ",\"method\":\"" + wireMethod + "\"" + params + "}";
    c->sent.push_back(m_now);
    queue(c, post(body, m_session));
}

void LoadGen::onWritable(Conn *c)
{
    if (c->phase == Conn::Phase::Closing)
        return;
    if (c->phase == Conn::Phase::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            if (m_result->note.empty())
                m_result->note = std::string("connect: ") + std::strerror(err);
            closeConnection(c, true);
            return;
        }
        startFlow(c);
        updateInterest(c);
        return;
    }
    while (c->outPos < c->out.size()) {
        const ssize_t n
            = ::send(c->fd, c->out.data() + c->outPos, c->out.size() - c->outPos, MSG_NOSIGNAL);
        if (n > 0) {
            c->outPos += size_t(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0 && errno == EINTR)
            continue;
        closeConnection(c, true);
        return;
    }
    updateInterest(c);
}

void LoadGen::onReadable(Conn *c, int64_t now)
{
    m_now = now; // replaced by the time of each read below
    char buf[65536];
    for (int round = 0; round < 16 && c->phase != Conn::Phase::Closing; ++round) {
        const ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
            // The receive time of these bytes, taken after the read: an item published after
            // epoll_wait returned cannot get a negative latency.
            m_now = nowNs();
            if (!c->parser.feed(buf, size_t(n))) {
                if (m_result->note.empty())
                    m_result->note = "malformed response";
                closeConnection(c, true);
                return;
            }
            if (size_t(n) < sizeof buf)
                return;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0 && errno == EINTR)
            continue;
        // EOF or error: a stream that ended normally was already closed in onComplete().
        const bool clean = c->parser.finish() && (c->ended || m_stopping);
        if (!clean && m_result->note.empty())
            m_result->note = "the server closed a connection mid-response";
        closeConnection(c, !clean);
        return;
    }
}

void LoadGen::onHead(Conn *c, int status, const std::string &sessionId, bool eventStream)
{
    if (c->phase == Conn::Phase::Initialize && !sessionId.empty())
        c->session = sessionId;
    if (status >= 400 || (c->phase == Conn::Phase::Streaming && status != 200)) {
        if (m_result->note.empty())
            m_result->note
                = "HTTP " + std::to_string(status) + " during " + modeName(m_opt.mode) + " flow";
        // The body (a JSON error) is read to its end; onComplete() closes.
        return;
    }
    if (c->phase == Conn::Phase::Streaming && status == 200 && eventStream) {
        if (!c->setupDone) {
            c->setupDone = true;
            --m_connecting;
        }
        if (!c->counted) {
            c->counted = true;
            ++m_result->connected;
            ++m_result->streamsOpened;
        }
    }
}

void LoadGen::onEvent(Conn *c, const std::string &id, const std::string &data)
{
    if (c->phase != Conn::Phase::Streaming) {
        // MCP initialize answered as SSE (the server may choose to): treat its data as the body.
        if (c->phase == Conn::Phase::Initialize)
            c->finalSeen = data.find("\"result\"") != std::string::npos;
        return;
    }
    ++m_result->events;
    const bool measuring
        = m_now >= m_measureStartNs && m_now < m_endNs + int64_t(m_opt.graceS * double(kNsPerS));

    // Progress notifications say so in their first bytes ({"jsonrpc":"2.0","method":
    // "notifications/progress",...}); anything else is the stream's final response or another
    // message. Looking only where the answer can be keeps the client's CPU per event low: four
    // scans of each ~1 KiB event were a tenth of its profile, time it then lacked for reading.
    const std::string_view head = std::string_view(data).substr(0, 96);
    const bool isProgress = head.find("\"notifications/progress\"") != std::string_view::npos;

    if (!isProgress) {
        // The end of a stream: the JSON-RPC response with the result (bridge: id "end"), whose
        // count must equal the items received. Anything else that is not progress (an error
        // response, an MCP priming event) is not an item.
        if (id == "end" || data.find("\"result\"") != std::string::npos) {
            c->finalSeen = true;
            uint64_t count = 0;
            const size_t sc = data.find("\"structuredContent\"");
            if (sc != std::string::npos && numberAfter(data, "\"count\"", sc, count)) {
                if (count != c->items) {
                    if (count > c->items)
                        m_result->lost += count - c->items;
                    if (m_result->note.empty())
                        m_result->note = "a stream's final count " + std::to_string(count)
                            + " != items received " + std::to_string(c->items);
                    m_result->coherent = false;
                }
                return;
            }
        }
        if (data.find("\"error\"") != std::string::npos)
            ++m_result->rpcErrors;
        return;
    }

    // "progress" follows the message (whose quotes are escaped): the last "progress": key.
    uint64_t progress = 0;
    const size_t progressKey = data.rfind("\"progress\":");
    const bool hasProgress
        = progressKey != std::string::npos && numberAfter(data, "\"progress\":", progressKey, progress);
    if (hasProgress && c->lastProgress >= 0 && progress != uint64_t(c->lastProgress) + 1) {
        if (progress > uint64_t(c->lastProgress) + 1)
            m_result->lost += progress - uint64_t(c->lastProgress) - 1;
        if (m_result->note.empty())
            m_result->note = "a stream's progress jumped from " + std::to_string(c->lastProgress)
                + " to " + std::to_string(progress);
    }
    if (hasProgress)
        c->lastProgress = int64_t(progress);

    // Items carry publishNs (run.sh starts the server with --bench-publish-ns; the smoke test
    // does not, and then the heartbeat test below decides). MCP heartbeats are progress
    // notifications whose message is {"at":...,"type":"heartbeat"}.
    uint64_t publishNs = 0;
    size_t publishEnd = 0;
    const bool hasPublishNs = numberAfter(data, "publishNs", 0, publishNs, &publishEnd);
    if (!hasPublishNs
        && data.find("\\\"type\\\":\\\"heartbeat\\\"") != std::string::npos) {
        ++m_result->heartbeats; // MCP: heartbeats are progress notifications too
        return;
    }
    ++c->items;
    ++m_result->items;
    uint64_t seq = 0;
    // The bridge's event id is the hub sequence; MCP event ids are the session's own. An item's
    // keys are sorted, so "sequence" comes after "publishNs".
    if (m_opt.mode != Mode::McpStream && isDigits(id))
        seq = std::strtoull(id.c_str(), nullptr, 10);
    else
        numberAfter(data, "sequence", hasPublishNs ? publishEnd : 0, seq);
    if (seq > 0) {
        if (c->firstSeq == 0)
            c->firstSeq = seq;
        c->lastSeq = seq;
        if (m_opt.checkCoherence)
            ++m_seqHits[seq];
    }
    if (hasPublishNs && measuring) {
        m_result->latency.record((m_now - int64_t(publishNs)) / 1000);
        if (m_opt.timeline)
            m_second.record((m_now - int64_t(publishNs)) / 1000);
    }
}

void LoadGen::onComment(Conn *c)
{
    if (c->phase == Conn::Phase::Streaming)
        ++m_result->heartbeats;
}

void LoadGen::onComplete(Conn *c, const std::string &body)
{
    switch (c->phase) {
    case Conn::Phase::Initialize:
        if (c->status != 200 || c->session.empty()) {
            if (m_result->note.empty())
                m_result->note = "initialize failed: HTTP " + std::to_string(c->status) + " "
                    + body.substr(0, 200);
            closeConnection(c, true);
            return;
        }
        c->phase = Conn::Phase::Initialized;
        queue(
            c, post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", c->session));
        return;
    case Conn::Phase::Initialized: {
        if (c->status != 202 && c->status != 200) {
            if (m_result->note.empty())
                m_result->note = "notifications/initialized: HTTP " + std::to_string(c->status);
            closeConnection(c, true);
            return;
        }
        c->phase = Conn::Phase::Streaming;
        const int durationMs = int(std::max<int64_t>(1000, (m_endNs - m_now) / 1000000));
        queue(c,
            post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/"
                 "call\",\"params\":{\"name\":\"stream_market_"
                 "news\",\"arguments\":{\"symbol\":\""
                    + m_opt.symbol + "\",\"interval\":" + std::to_string(m_opt.intervalMs)
                    + ",\"duration\":" + std::to_string(durationMs)
                    + "},\"_meta\":{\"progressToken\":\"bench-" + std::to_string(c->slot) + "\"}}}",
                c->session));
        return;
    }
    case Conn::Phase::Streaming:
        if (c->status != 200 || !c->eventStream) {
            closeConnection(c, true);
            return;
        }
        c->ended = true;
        if (c->finalSeen)
            ++m_result->completed;
        else if (m_result->note.empty())
            m_result->note = "a stream ended without its final result";
        closeConnection(c, !c->finalSeen);
        return;
    case Conn::Phase::Rpc: {
        if (c->sent.empty()) {
            closeConnection(c, true);
            return;
        }
        const int64_t sentAt = c->sent.front();
        c->sent.pop_front();
        if (c->status != 200 || body.find("\"error\"") != std::string::npos) {
            ++m_result->rpcErrors;
            if (m_result->note.empty())
                m_result->note
                    = "RPC answered HTTP " + std::to_string(c->status) + ": " + body.substr(0, 200);
        }
        if (m_now >= m_measureStartNs && m_now < m_endNs) {
            ++m_result->requests;
            ++m_result->events;
            m_result->latency.record((m_now - sentAt) / 1000);
            if (m_opt.timeline)
                m_second.record((m_now - sentAt) / 1000);
        }
        if (m_now < m_endNs)
            sendRpc(c);
        else if (c->sent.empty())
            closeConnection(c, false);
        return;
    }
    default: return;
    }
}

bool LoadGen::initSession()
{
    // RPC mode: one session shared by all connections, opened over a blocking connection.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    timeval tv { 5, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(m_opt.port));
    addr.sin_addr.s_addr = m_addr;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return false;
    }
    struct Collector : ResponseListener {
        int status = 0;
        std::string session;
        bool done = false;
        void onHead(int s, const std::string &id, bool) override
        {
            status = s;
            if (!id.empty())
                session = id;
        }
        void onEvent(const std::string &, const std::string &) override { }
        void onComment() override { }
        void onComplete(const std::string &) override { done = true; }
    } collector;
    auto exchange = [&](const std::string &request) {
        collector.done = false;
        ResponseParser parser(&collector);
        if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size()))
            return false;
        char buf[16384];
        while (!collector.done) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0 || !parser.feed(buf, size_t(n)))
                return false;
        }
        return true;
    };
    const bool ok
        = exchange(post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                        "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{"
                        "\"name\":\"tw-loadgen\",\"version\":\"1\"}}}",
              {}))
        && collector.status == 200 && !collector.session.empty();
    if (ok) {
        m_session = collector.session;
        exchange(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", m_session));
    } else if (m_result->note.empty()) {
        m_result->note = "initialize failed: HTTP " + std::to_string(collector.status);
    }
    ::close(fd);
    return ok;
}

void LoadGen::sampleServer(int64_t now)
{
    m_lastSampleNs = now;
    if (m_opt.serverPid <= 0)
        return;
    const double rss = procRssKiB(m_opt.serverPid);
    if (rss <= 0)
        return;
    m_rssSamples.push_back(rss);
    m_result->serverRssPeakKiB = std::max(m_result->serverRssPeakKiB, rss);
    const double warmup = m_opt.warmupS >= 0 ? m_opt.warmupS : m_opt.durationS * 0.1;
    if (m_opt.mode == Mode::Churn && m_result->rssBaselineKiB < 0
        && now >= m_measureStartNs + int64_t(warmup * double(kNsPerS)))
        m_result->rssBaselineKiB = rss;
}

bool LoadGen::run(Result &result)
{
    m_result = &result;
    result.scenario = m_opt.scenario.empty() ? modeName(m_opt.mode) : m_opt.scenario;
    result.mode = modeName(m_opt.mode);
    result.clients = m_opt.clients;
    if (inet_pton(AF_INET, m_opt.host.c_str(), &m_addr) != 1) {
        result.note = "host must be an IPv4 address (loopback): " + m_opt.host;
        return false;
    }
    // Every connection needs a descriptor: raise the soft limit as far as the hard one allows.
    rlimit lim {};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        result.note = "epoll_create1 failed";
        return false;
    }
    m_now = m_startNs = nowNs();
    if (m_opt.serverPid > 0) {
        result.fdBefore = procFdCount(m_opt.serverPid);
        result.serverRssStartKiB = procRssKiB(m_opt.serverPid);
        if (m_opt.mode == Mode::Idle)
            result.rssBaselineKiB = result.serverRssStartKiB;
    }
    if (m_opt.mode == Mode::Rpc && !initSession())
        return false;

    rusage selfStart {};
    getrusage(RUSAGE_SELF, &selfStart);

    // Setup: open the connections at the bounded rate; the measured time starts when all are
    // set up (or after a bounded setup time, whatever happened).
    // Generous: on a loaded machine the server may accept far slower than setupRate.
    const double setupBudgetS = double(m_opt.clients) / m_opt.setupRate * 3 + 30;
    const int64_t setupDeadline = m_startNs + int64_t(setupBudgetS * double(kNsPerS));
    // Bridge/MCP streams end server-side at m_endNs; until set up, estimate it.
    m_endNs = m_startNs
        + int64_t(
            (double(m_opt.clients) / m_opt.setupRate + 1 + m_opt.durationS) * double(kNsPerS));
    m_measureStartNs = INT64_MAX;
    int nextSlot = 0;
    double tokens = 1;
    int64_t lastTokenNs = m_startNs;
    std::vector<epoll_event> events(1024);
    const int64_t graceNs = int64_t(m_opt.graceS * double(kNsPerS));
    int64_t hardEnd = 0;
    std::vector<int> reopen; // churn: slots to reopen

    auto setUp = [&] { return m_measureStartNs != INT64_MAX; };
    while (true) {
        m_now = nowNs();
        // Opening connections (setup, and churn's replacements during the run).
        tokens = std::min(double(m_opt.maxConnecting),
            tokens + double(m_now - lastTokenNs) / double(kNsPerS) * m_opt.setupRate);
        lastTokenNs = m_now;
        while (!m_stopping && tokens >= 1 && m_connecting < m_opt.maxConnecting
            && (nextSlot < m_opt.clients || !reopen.empty())) {
            int slot = 0;
            if (nextSlot < m_opt.clients) {
                slot = nextSlot++;
            } else {
                slot = reopen.back();
                reopen.pop_back();
            }
            tokens -= 1;
            openConnection(slot);
        }
        if (!setUp() && nextSlot >= m_opt.clients
            && (m_connecting == 0 || m_now >= setupDeadline)) {
            m_measureStartNs = m_now;
            if (m_opt.mode != Mode::SseBridge && m_opt.mode != Mode::McpStream)
                m_endNs = m_now + int64_t(m_opt.durationS * double(kNsPerS));
            // Bridge/MCP: the streams asked for a duration ending at the estimate; measure
            // until then (at least a second).
            m_endNs = std::max(m_endNs, m_now + kNsPerS);
            m_cpuTicksStart = procCpuTicks(m_opt.serverPid);
            procSchedStat(m_opt.serverPid, m_runNsStart, m_waitNsStart);
            m_cpuStartNs = m_now;
            result.setupSeconds = double(m_now - m_startNs) / double(kNsPerS);
            if (m_connecting > 0 && result.note.empty())
                result.note = "setup incomplete: " + std::to_string(m_connecting)
                    + " connections still in progress";
            m_lastSampleNs = 0;
        }
        if (!setUp() && m_now >= setupDeadline + 30 * kNsPerS) {
            result.note = "setup did not finish: " + std::to_string(m_result->connected) + " of "
                + std::to_string(m_opt.clients) + " connected in time";
            break;
        }
        if (setUp() && m_now - m_lastSampleNs >= int64_t(m_opt.sampleEveryS * double(kNsPerS)))
            sampleServer(m_now);
        if (m_opt.timeline && m_now - m_secondStartNs >= kNsPerS) {
            std::fprintf(stderr,
                "t=%.0fs samples=%llu p50=%lldus p99=%lldus max=%lldus open=%d "
                "server_rss=%.0fKiB\n",
                double(m_now - m_startNs) / double(kNsPerS), (unsigned long long)m_second.count(),
                (long long)m_second.percentile(0.5), (long long)m_second.percentile(0.99),
                (long long)m_second.max(), m_open,
                m_rssSamples.empty() ? -1.0 : m_rssSamples.back());
            m_second = LatencyHistogram();
            m_secondStartNs = m_now;
        }

        // Churn: the client ends streams whose time is up and opens new ones.
        if (m_opt.mode == Mode::Churn && !m_stopping) {
            for (auto &entry : m_conns) {
                Conn *c = entry.second.get();
                if (c->phase == Conn::Phase::Streaming && c->counted && m_now >= c->closeAtNs) {
                    c->ended = true;
                    reopen.push_back(c->slot);
                    closeConnection(c, false);
                }
            }
            reap();
        }

        // The end of the measured time.
        if (setUp() && !m_stopping && m_now >= m_endNs) {
            if (m_opt.serverPid > 0) {
                const uint64_t ticks = procCpuTicks(m_opt.serverPid) - m_cpuTicksStart;
                const double secs = double(m_now - m_cpuStartNs) / double(kNsPerS);
                result.serverCpuPct
                    = secs > 0 ? 100.0 * double(ticks) / double(sysconf(_SC_CLK_TCK)) / secs : 0;
                uint64_t runNs = 0, waitNs = 0;
                if (secs > 0 && procSchedStat(m_opt.serverPid, runNs, waitNs)) {
                    result.serverRunPct = 100.0 * double(runNs - m_runNsStart) / 1e9 / secs;
                    result.serverWaitPct = 100.0 * double(waitNs - m_waitNsStart) / 1e9 / secs;
                }
                result.serverRssEndKiB = procRssKiB(m_opt.serverPid);
                m_result->serverRssPeakKiB
                    = std::max(m_result->serverRssPeakKiB, result.serverRssEndKiB);
            }
            result.seconds = double(m_now - m_measureStartNs) / double(kNsPerS);
            if (m_opt.mode == Mode::Idle) {
                for (auto &entry : m_conns) {
                    if (entry.second->counted && entry.second->phase == Conn::Phase::Streaming)
                        ++result.held;
                }
            }
            m_stopping = true;
            hardEnd = m_now + graceNs;
            // Streams the server ends by itself (bridge, MCP) get the grace time to deliver their
            // final event; everything else is closed by the client now.
            if (m_opt.mode != Mode::SseBridge && m_opt.mode != Mode::McpStream) {
                for (auto &entry : m_conns) {
                    if (entry.second->phase != Conn::Phase::Rpc || entry.second->sent.empty())
                        closeConnection(entry.second.get(), false);
                }
                reap();
            }
        }
        if (m_stopping && (m_conns.empty() || m_now >= hardEnd))
            break;

        int timeoutMs = 10;
        if (!m_stopping && (nextSlot < m_opt.clients || !reopen.empty()))
            timeoutMs = 1;
        if (m_opt.busyPoll && !m_stopping)
            timeoutMs = 0;
        const int n = epoll_wait(m_epoll, events.data(), int(events.size()), timeoutMs);
        const int64_t t = nowNs();
        m_now = t;
        for (int i = 0; i < n; ++i) {
            auto it = m_conns.find(events[size_t(i)].data.fd);
            if (it == m_conns.end())
                continue;
            Conn *c = it->second.get();
            if (c->phase == Conn::Phase::Closing)
                continue;
            const uint32_t ev = events[size_t(i)].events;
            if (ev & EPOLLOUT)
                onWritable(c);
            if (c->phase != Conn::Phase::Closing
                && (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
                onReadable(c, t);
        }
        reap();
    }

    // Streams still open at the hard end did not finish in time: count them as failures.
    for (auto &entry : m_conns) {
        Conn *c = entry.second.get();
        if (c->phase != Conn::Phase::Closing) {
            const bool expected = m_opt.mode != Mode::SseBridge && m_opt.mode != Mode::McpStream;
            if (!expected && m_result->note.empty())
                m_result->note = "streams still open after the grace time";
            closeConnection(c, !expected);
        }
    }
    reap();
    if (result.seconds == 0 && setUp())
        result.seconds = double(m_now - m_measureStartNs) / double(kNsPerS);

    rusage selfEnd {};
    getrusage(RUSAGE_SELF, &selfEnd);
    const auto us = [](const timeval &tv) { return double(tv.tv_sec) * 1e6 + double(tv.tv_usec); };
    const double cpuUs = us(selfEnd.ru_utime) - us(selfStart.ru_utime) + us(selfEnd.ru_stime)
        - us(selfStart.ru_stime);
    const double wallUs = double(nowNs() - m_startNs) / 1000.0;
    result.loadgenCpuPct = wallUs > 0 ? 100.0 * cpuUs / wallUs : 0;

    // Coherence: inside the window every stream was subscribed, each must have every item
    // that any stream saw.
    if (m_opt.checkCoherence && !m_ranges.empty()) {
        uint64_t lo = 0, hi = UINT64_MAX;
        for (const auto &r : m_ranges) {
            lo = std::max(lo, r.first);
            hi = std::min(hi, r.second);
        }
        result.seqFirst = lo;
        result.seqLast = hi;
        if (lo <= hi) {
            const uint64_t streams = m_ranges.size();
            for (const auto &hit : m_seqHits) {
                if (hit.first >= lo && hit.first <= hi && hit.second < streams) {
                    result.lost += streams - hit.second;
                    result.coherent = false;
                }
            }
        }
    }

    if (m_opt.serverPid > 0) {
        // Let the server notice the closes, then read what it still holds.
        const int64_t settleEnd = nowNs() + 3 * kNsPerS;
        const std::string metricsPath = "/metrics";
        while (true) {
            const std::string metrics = httpGet(m_opt.host, m_opt.port, metricsPath, m_opt.apiKey);
            result.streamsOpenAfter = metricValue(metrics, "tickerwire_http_streams_open");
            if (result.streamsOpenAfter == 0 || nowNs() >= settleEnd)
                break;
            usleep(100000);
        }
        usleep(300000); // the server closes the /metrics connection on its next loop turn
        result.fdAfter = procFdCount(m_opt.serverPid);
        if (m_opt.mode == Mode::Churn && result.rssBaselineKiB > 0 && !m_rssSamples.empty())
            result.rssDriftKiB = m_rssSamples.back() - result.rssBaselineKiB;
        if (m_rssSamples.size() >= 2)
            result.rssSecondHalfDriftKiB
                = m_rssSamples.back() - m_rssSamples[m_rssSamples.size() / 2];
    }
    return true;
}

uint64_t procCpuTicks(int pid)
{
    if (pid <= 0)
        return 0;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return 0;
    char buf[1024];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const char *p = std::strrchr(buf, ')');
    if (!p)
        return 0;
    unsigned long long utime = 0, stime = 0;
    // state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime)
        != 2)
        return 0;
    return utime + stime;
}

bool procSchedStat(int pid, uint64_t &runNs, uint64_t &waitNs)
{
    if (pid <= 0)
        return false;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return false;
    unsigned long long run = 0, wait = 0;
    const bool ok = std::fscanf(f, "%llu %llu", &run, &wait) == 2;
    std::fclose(f);
    runNs = run;
    waitNs = wait;
    return ok;
}

double procRssKiB(int pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    double kib = -1;
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "VmRSS:", 6) == 0) {
            kib = std::atof(line + 6);
            break;
        }
    }
    std::fclose(f);
    return kib;
}

int procFdCount(int pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int count = 0;
    while (dirent *e = readdir(d)) {
        if (e->d_name[0] != '.')
            ++count;
    }
    closedir(d);
    return count;
}

std::string httpGet(
    const std::string &host, int port, const std::string &path, const std::string &apiKey)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return {};
    timeval tv { 3, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return {};
    }
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port)
        + "\r\nConnection: close\r\n";
    if (!apiKey.empty())
        req += "X-API-Key: " + apiKey + "\r\n";
    req += "\r\n";
    struct Collector : ResponseListener {
        std::string body;
        bool done = false;
        void onHead(int, const std::string &, bool) override { }
        void onEvent(const std::string &, const std::string &) override { }
        void onComment() override { }
        void onComplete(const std::string &b) override
        {
            body = b;
            done = true;
        }
    } collector;
    ResponseParser parser(&collector);
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size())) {
        char buf[16384];
        for (int i = 0; i < 1000 && !collector.done; ++i) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n == 0) {
                parser.finish();
                break;
            }
            if (n < 0 || !parser.feed(buf, size_t(n)))
                break;
        }
    }
    ::close(fd);
    return collector.body;
}

long long metricValue(const std::string &metrics, const std::string &name)
{
    size_t pos = 0;
    while ((pos = metrics.find(name, pos)) != std::string::npos) {
        const bool lineStart = pos == 0 || metrics[pos - 1] == '\n';
        const size_t after = pos + name.size();
        if (lineStart && after < metrics.size()
            && (metrics[after] == ' ' || metrics[after] == '{')) {
            const size_t space = metrics.find(' ', after);
            if (space != std::string::npos)
                return std::atoll(metrics.c_str() + space + 1);
        }
        pos = after;
    }
    return -1;
}

} // namespace twbench
