// tw-floor: the least work any server could do to fan news items out over SSE on this machine,
// as the control for bench/run.sh's stream scenarios (floor100, floor100spin, floor1000).
//
// It answers the load generator's bridge request (GET /api/mcp/stream-news?...&duration=MS)
// with the same bytes tickerwire-server sends -- a chunked text/event-stream of JSON-RPC progress
// notifications, each carrying an item with publishNs and sequence, and a final `id: end`
// result with the count -- but does nothing else: one thread, one epoll set, no HTTP parsing
// beyond the request line, no hub, no filters, no objects per stream. Each item is serialised
// once; per stream only the chunk size and the progress counter differ, and the event goes out
// in one sendmsg() of five pieces. Whatever latency the load generator measures against it is
// the kernel's loopback path, the scheduler and the client: the floor under every server.
//
//   tw-floor [--host 127.0.0.1] [--port 0] [--rate ITEMS_PER_S] [--tick-ms 10] [--periodic]
//            [--threads 1|2]
//
// --threads 2 splits each item's fan-out over two threads (this one and a helper woken per
// item), every other stream each: what one event loop per core would gain at best, without
// any of a real server's work on either.
//
// Items arrive as the demo feed's do (DemoProvider): exponential gaps at the rate (a Poisson
// stream, so some come close together), looked at no more often than every --tick-ms, the items
// due at a tick published one after another, each stamped at the start of its own fan-out as the
// hub stamps publishNs. --periodic sends one item every 1/rate s instead.
//
// Prints "tw-floor listening on http://HOST:PORT" once it accepts. Also answers GET /metrics with
// tickerwire_http_streams_open (the load generator reads it after a run). Loopback only: it
// refuses any other --host. Ends on SIGTERM/SIGINT.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <random>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

int64_t nowNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts); // the clock tw-loadgen and --bench-publish-ns use
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

struct Conn {
    int fd = -1;
    std::string in; // the request head, until it is complete
    std::string out; // what the socket did not take (slow reader); sent on EPOLLOUT first
    bool streaming = false;
    bool closing = false; // close once `out` is written
    bool broken = false; // a send failed: dropped by the main thread after the fan-out
    uint64_t items = 0;
    int64_t endNs = 0;
    std::string token; // progressToken, as the server names it: stream-news-N
};

class FloorServer {
public:
    ~FloorServer()
    {
        if (m_helper.joinable()) {
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_quit = true;
            }
            m_wake.notify_one();
            m_helper.join();
        }
    }

    void setThreads(int threads)
    {
        if (threads > 1 && !m_helper.joinable())
            m_helper = std::thread([this] { helperLoop(); });
    }

    bool listenOn(const char *host, int port, double rate, int tickMs, bool periodic)
    {
        m_rate = rate;
        m_tickNs = int64_t(tickMs) * 1000000;
        m_periodic = periodic;
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(uint16_t(port));
        if (inet_pton(AF_INET, host, &addr.sin_addr) != 1 || (ntohl(addr.sin_addr.s_addr) >> 24) != 127) {
            std::fprintf(stderr, "tw-floor: --host must be a loopback IPv4 address, not %s\n", host);
            return false;
        }
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int one = 1;
        setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (m_listen < 0 || ::bind(m_listen, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
            || ::listen(m_listen, 4096) != 0) {
            std::fprintf(stderr, "tw-floor: cannot listen on %s:%d: %s\n", host, port, std::strerror(errno));
            return false;
        }
        socklen_t len = sizeof addr;
        getsockname(m_listen, reinterpret_cast<sockaddr *>(&addr), &len);
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        m_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (m_epoll < 0 || m_timer < 0)
            return false;
        watch(m_listen, EPOLLIN);
        watch(m_timer, EPOLLIN);
        if (m_rate > 0) {
            m_nextArrivalNs = nowNs() + gapNs();
            arm(m_nextArrivalNs);
        }
        std::printf("tw-floor listening on http://%s:%d\n", host, int(ntohs(addr.sin_port)));
        std::fflush(stdout);
        return true;
    }

    void run()
    {
        std::vector<epoll_event> events(1024);
        while (!g_stop) {
            const int n = epoll_wait(m_epoll, events.data(), int(events.size()), 100);
            for (int i = 0; i < n; ++i) {
                const int fd = events[size_t(i)].data.fd;
                if (fd == m_listen) {
                    acceptAll();
                } else if (fd == m_timer) {
                    uint64_t ticks = 0;
                    if (::read(m_timer, &ticks, sizeof ticks) == sizeof ticks)
                        onTick();
                } else if (auto it = m_conns.find(fd); it != m_conns.end()) {
                    Conn &c = *it->second;
                    if (events[size_t(i)].events & EPOLLOUT)
                        flush(c);
                    if (!c.closing && (events[size_t(i)].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                        readFrom(c);
                }
            }
            endStreams(nowNs());
            reap();
        }
    }

private:
    void watch(int fd, uint32_t events, int op = EPOLL_CTL_ADD)
    {
        epoll_event ev {};
        ev.events = events;
        ev.data.fd = fd;
        epoll_ctl(m_epoll, op, fd, &ev);
    }

    int64_t gapNs()
    {
        if (m_periodic)
            return int64_t(1e9 / m_rate);
        return int64_t(-std::log(1.0 - m_uniform(m_rng)) / m_rate * 1e9);
    }

    void arm(int64_t atNs)
    {
        itimerspec spec {};
        spec.it_value.tv_sec = atNs / 1000000000;
        spec.it_value.tv_nsec = atNs % 1000000000;
        timerfd_settime(m_timer, TFD_TIMER_ABSTIME, &spec, nullptr);
    }

    // The items due now, one after another (each stamped as its fan-out starts), then the timer
    // for the next arrival, no sooner than a tick from now.
    void onTick()
    {
        const int64_t tickAt = nowNs();
        for (int due = 0; m_nextArrivalNs <= tickAt && due < 1000; ++due) {
            publish(nowNs());
            m_nextArrivalNs += gapNs();
        }
        if (m_nextArrivalNs <= tickAt)
            m_nextArrivalNs = tickAt + gapNs(); // far behind: skip ahead, as the demo feed does
        arm(std::max(m_nextArrivalNs, tickAt + (m_periodic ? 0 : m_tickNs)));
    }

    void acceptAll()
    {
        for (;;) {
            const int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                return;
            const int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto c = std::make_unique<Conn>();
            c->fd = fd;
            watch(fd, EPOLLIN | EPOLLRDHUP);
            m_conns.emplace(fd, std::move(c));
        }
    }

    void readFrom(Conn &c)
    {
        char buf[4096];
        for (;;) {
            const ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                drop(c);
                return;
            }
            if (r < 0)
                return;
            if (c.streaming)
                continue; // nothing more is expected from a stream's client
            c.in.append(buf, size_t(r));
            if (c.in.size() > 16384) {
                drop(c);
                return;
            }
            if (c.in.find("\r\n\r\n") != std::string::npos) {
                answer(c);
                return;
            }
        }
    }

    void answer(Conn &c)
    {
        if (c.in.rfind("GET /metrics", 0) == 0) {
            const std::string body
                = "tickerwire_http_streams_open " + std::to_string(m_streams) + "\n";
            send(c,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                    + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
            c.closing = true;
            flush(c);
            return;
        }
        if (c.in.rfind("GET /api/mcp/stream-news?", 0) != 0) {
            send(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            c.closing = true;
            flush(c);
            return;
        }
        int64_t durationMs = 60000;
        const size_t d = c.in.find("duration=");
        if (d != std::string::npos && d < c.in.find("\r\n"))
            durationMs = std::strtoll(c.in.c_str() + d + 9, nullptr, 10);
        c.in.clear();
        c.in.shrink_to_fit();
        c.streaming = true;
        c.endNs = nowNs() + durationMs * 1000000;
        c.token = "stream-news-" + std::to_string(++m_nextStream);
        ++m_streams;
        send(c,
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
            "Transfer-Encoding: chunked\r\n\r\nd\r\nretry: 2000\n\n\r\n");
    }

    // One item to every stream: serialised once, five pieces per stream, one sendmsg() each.
    void publish(int64_t publishNs)
    {
        const uint64_t seq = ++m_sequence;
        char item[1024];
        // An item the size and shape of a demo item (the message is a JSON string, escaped).
        const int itemLen = std::snprintf(item, sizeof item,
            "{\\\"category\\\":\\\"earnings\\\",\\\"headline\\\":\\\"Voltmeadow Cars tops Q4 "
            "estimates on record battery demand\\\",\\\"id\\\":\\\"floor:%llu\\\",\\\"provider\\\":"
            "\\\"floor\\\",\\\"publishNs\\\":%lld,\\\"publishedAt\\\":\\\"2026-12-03T17:37:40.727Z\\\","
            "\\\"receivedAt\\\":\\\"2026-12-03T17:37:40.727Z\\\",\\\"sentiment\\\":0.75,"
            "\\\"sequence\\\":%llu,\\\"source\\\":\\\"Cobalt Markets Brief (floor)\\\",\\\"summary\\\":"
            "\\\"Voltmeadow Cars (TSLA) reported Q4 revenue of $11.4 billion; EPS came in at $3.48 "
            "against $2.57 expected.\\\",\\\"symbols\\\":[\\\"TSLA\\\"],\\\"url\\\":\\\"https://"
            "floor.invalid/news/1/52/voltmeadow-cars-tops-q4-estimates-on-record-battery-demand\\\"}",
            (unsigned long long)seq, (long long)publishNs, (unsigned long long)seq);
        char head[160];
        const int headLen = std::snprintf(head, sizeof head,
            "id: %llu\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\","
            "\"params\":{\"message\":\"",
            (unsigned long long)seq);
        m_targets.clear();
        for (auto &entry : m_conns) {
            if (entry.second->streaming && !entry.second->closing)
                m_targets.push_back(entry.second.get());
        }
        const Job job { head, headLen, item, itemLen };
        if (m_helper.joinable() && m_targets.size() > 1) {
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_job = job;
                ++m_posted;
            }
            m_wake.notify_one();
            fanOut(job, 0, 2);
            std::unique_lock<std::mutex> lock(m_mutex);
            m_finished.wait(lock, [this] { return m_done == m_posted; });
        } else {
            fanOut(job, 0, 1);
        }
        for (Conn *c : m_targets) {
            if (c->broken)
                drop(*c);
        }
    }

    struct Job {
        const char *head;
        int headLen;
        const char *item;
        int itemLen;
    };

    // Every `step`th stream from `first`: its own tail and chunk size, the shared head and item.
    void fanOut(const Job &job, size_t first, size_t step)
    {
        for (size_t i = first; i < m_targets.size(); i += step) {
            Conn &c = *m_targets[i];
            char tail[128];
            const int tailLen = std::snprintf(tail, sizeof tail,
                "\",\"progress\":%llu,\"progressToken\":\"%s\"}}\n\n\r\n",
                (unsigned long long)++c.items, c.token.c_str());
            char size[24];
            const int sizeLen = std::snprintf(
                size, sizeof size, "%x\r\n", unsigned(job.headLen + job.itemLen + tailLen - 2));
            iovec parts[] = { { size, size_t(sizeLen) },
                { const_cast<char *>(job.head), size_t(job.headLen) },
                { const_cast<char *>(job.item), size_t(job.itemLen) }, { tail, size_t(tailLen) } };
            sendParts(c, parts, 4);
        }
    }

    // --threads 2: the odd streams of each item, while the main thread sends to the even ones.
    // Touches only those streams (sendParts() marks failures; epoll_ctl is thread-safe).
    void helperLoop()
    {
        uint64_t seen = 0;
        for (;;) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [&] { return m_quit || m_posted != seen; });
            if (m_quit)
                return;
            seen = m_posted;
            const Job job = m_job;
            lock.unlock();
            fanOut(job, 1, 2);
            lock.lock();
            m_done = seen;
            m_finished.notify_one();
        }
    }

    void endStreams(int64_t now)
    {
        for (auto &entry : m_conns) {
            Conn &c = *entry.second;
            if (!c.streaming || c.closing || now < c.endNs)
                continue;
            const std::string event = "id: end\ndata: {\"id\":1,\"jsonrpc\":\"2.0\",\"result\":{"
                                      "\"structuredContent\":{\"count\":"
                + std::to_string(c.items) + "}}}\n\n";
            char size[24];
            std::snprintf(size, sizeof size, "%zx\r\n", event.size());
            send(c, size + event + "\r\n0\r\n\r\n");
            c.closing = true;
            --m_streams;
            flush(c);
        }
    }

    void send(Conn &c, const std::string &bytes)
    {
        iovec part { const_cast<char *>(bytes.data()), bytes.size() };
        sendParts(c, &part, 1);
        if (c.broken)
            drop(c);
    }

    void sendParts(Conn &c, iovec *parts, int count)
    {
        size_t total = 0;
        for (int i = 0; i < count; ++i)
            total += parts[i].iov_len;
        ssize_t sent = 0;
        if (c.out.empty()) {
            msghdr msg {};
            msg.msg_iov = parts;
            msg.msg_iovlen = size_t(count);
            sent = ::sendmsg(c.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent < 0 && errno != EAGAIN && errno != EINTR) {
                c.broken = true;
                return;
            }
            sent = std::max<ssize_t>(sent, 0);
        }
        if (size_t(sent) == total)
            return;
        // Keep what the socket did not take, in order; nothing is dropped.
        const bool wasEmpty = c.out.empty();
        size_t skip = size_t(sent);
        for (int i = 0; i < count; ++i) {
            const size_t len = parts[i].iov_len;
            if (skip >= len) {
                skip -= len;
                continue;
            }
            c.out.append(static_cast<const char *>(parts[i].iov_base) + skip, len - skip);
            skip = 0;
        }
        if (wasEmpty)
            watch(c.fd, EPOLLIN | EPOLLRDHUP | EPOLLOUT, EPOLL_CTL_MOD);
    }

    void flush(Conn &c)
    {
        while (!c.out.empty()) {
            const ssize_t w = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w < 0) {
                if (errno != EAGAIN && errno != EINTR)
                    drop(c);
                return;
            }
            c.out.erase(0, size_t(w));
        }
        if (c.closing) {
            drop(c);
            return;
        }
        watch(c.fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
    }

    void drop(Conn &c)
    {
        if (c.fd < 0)
            return;
        if (c.streaming && !c.closing)
            --m_streams;
        c.closing = true;
        ::close(c.fd); // also leaves the epoll set
        m_dead.push_back(c.fd);
        c.fd = -1;
    }

    void reap()
    {
        for (int fd : m_dead)
            m_conns.erase(fd);
        m_dead.clear();
    }

    int m_listen = -1;
    int m_epoll = -1;
    int m_timer = -1;
    double m_rate = 100;
    int64_t m_tickNs = 10000000;
    bool m_periodic = false;
    int64_t m_nextArrivalNs = 0;
    std::mt19937_64 m_rng { 20261203 };
    std::uniform_real_distribution<double> m_uniform { 0.0, 1.0 };
    uint64_t m_sequence = 0;
    uint64_t m_nextStream = 0;
    long long m_streams = 0;
    std::unordered_map<int, std::unique_ptr<Conn>> m_conns;
    std::vector<int> m_dead;
    std::vector<Conn *> m_targets; // this item's streams
    // --threads 2
    std::thread m_helper;
    std::mutex m_mutex;
    std::condition_variable m_wake; // the helper: an item is posted (or quit)
    std::condition_variable m_finished; // the main thread: the helper's half is sent
    Job m_job {};
    uint64_t m_posted = 0, m_done = 0;
    bool m_quit = false;
};

} // namespace

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 0;
    double rate = 100;
    int tickMs = 10;
    bool periodic = false;
    int threads = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--host" && hasValue) {
            host = argv[++i];
        } else if (a == "--port" && hasValue) {
            port = std::atoi(argv[++i]);
        } else if (a == "--rate" && hasValue) {
            rate = std::atof(argv[++i]);
        } else if (a == "--tick-ms" && hasValue) {
            tickMs = std::atoi(argv[++i]);
        } else if (a == "--threads" && hasValue) {
            threads = std::atoi(argv[++i]);
        } else if (a == "--periodic") {
            periodic = true;
        } else {
            std::fprintf(stderr,
                "usage: tw-floor [--host 127.0.0.1] [--port 0] [--rate ITEMS_PER_S] [--tick-ms 10] "
                "[--periodic] [--threads 1|2]\n"
                "The least a server can do to fan items out over SSE: the control for "
                "bench/run.sh's floor* scenarios.\n");
            return a == "--help" || a == "-h" ? 0 : 2;
        }
    }
    if (!(rate >= 0 && rate <= 100000) || port < 0 || port > 65535 || tickMs < 0 || tickMs > 1000
        || threads < 1 || threads > 2) {
        std::fprintf(stderr, "tw-floor: --rate must be 0..100000, --port 0..65535, --tick-ms 0..1000, --threads 1 or 2\n");
        return 2;
    }
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    std::signal(SIGPIPE, SIG_IGN);
    FloorServer server;
    if (!server.listenOn(host, port, rate, tickMs, periodic))
        return 1;
    server.setThreads(threads);
    server.run();
    return 0;
}
