#include "sendbatch.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

namespace tw::core {

namespace {
    std::atomic<int> g_workerThreads { -1 }; // -1: not set, defaultWorkerThreads()
    // A batch bigger than this gives its buffer back after sending (10,000 streams of 1 KiB
    // would otherwise keep 10 MiB for good).
    constexpr size_t kKeptBufferBytes = 4 * 1024 * 1024;
} // namespace

// The worker threads: each woken per batch with its share, the caller waiting for all.
class SendWorkers {
public:
    static SendWorkers &instance()
    {
        static SendWorkers workers;
        return workers;
    }

    ~SendWorkers()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_quit = true;
        }
        m_wake.notify_all();
        for (std::thread &t : m_threads)
            t.join();
    }

    // Splits [0, n) of `batch` into count + 1 shares; the caller sends share 0.
    void run(SendBatch *batch, size_t n, int count)
    {
        ensureThreads(count);
        const size_t shares = size_t(count) + 1;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_batch = batch;
            m_total = n;
            m_shares = shares;
            m_pending = count;
            ++m_generation;
        }
        m_wake.notify_all();
        batch->sendRange(0, n / shares);
        std::unique_lock<std::mutex> lock(m_mutex);
        m_done.wait(lock, [this] { return m_pending == 0; });
        m_batch = nullptr;
    }

private:
    void ensureThreads(int count)
    {
        while (int(m_threads.size()) < count) {
            const size_t index = m_threads.size() + 1; // share 0 is the caller's
            m_threads.emplace_back([this, index] { loop(index); });
        }
    }

    void loop(size_t index)
    {
        quint64 seen = 0;
        std::unique_lock<std::mutex> lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [&] { return m_quit || m_generation != seen; });
            if (m_quit)
                return;
            seen = m_generation;
            if (index >= m_shares)
                continue; // fewer shares this time than threads
            SendBatch *batch = m_batch;
            const size_t first = m_total * index / m_shares;
            const size_t end = m_total * (index + 1) / m_shares;
            lock.unlock();
            batch->sendRange(first, end);
            lock.lock();
            if (--m_pending == 0)
                m_done.notify_one();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    std::vector<std::thread> m_threads;
    SendBatch *m_batch = nullptr;
    size_t m_total = 0;
    size_t m_shares = 1;
    int m_pending = 0;
    quint64 m_generation = 0;
    bool m_quit = false;
};

SendBatch &SendBatch::threadBatch()
{
    thread_local SendBatch batch;
    return batch;
}

SendBatch::Scope::Scope() { ++threadBatch().m_depth; }

SendBatch::Scope::~Scope()
{
    SendBatch &batch = threadBatch();
    if (--batch.m_depth == 0)
        batch.flush();
}

SendBatch *SendBatch::current()
{
    SendBatch &batch = threadBatch();
    return batch.m_depth > 0 ? &batch : nullptr;
}

void SendBatch::flushCurrent()
{
    if (SendBatch *batch = current())
        batch->flush();
}

void SendBatch::setWorkerThreads(int count)
{
    g_workerThreads = std::clamp(count, 0, 16);
}

int SendBatch::workerThreads()
{
    const int n = g_workerThreads.load();
    return n >= 0 ? n : defaultWorkerThreads();
}

int SendBatch::defaultWorkerThreads()
{
    const int cores = int(std::thread::hardware_concurrency());
    return std::clamp(cores - 1, 0, 3);
}

bool SendBatch::add(int fd, const QByteArrayView *parts, int count, void *owner, FinishFn finish)
{
    if (m_flushing || m_depth == 0)
        return false;
    qsizetype size = 0;
    for (int i = 0; i < count; ++i)
        size += parts[i].size();
    if (size > kMaxEntryBytes)
        return false;
    const qsizetype offset = qsizetype(m_bytes.size());
    m_bytes.resize(m_bytes.size() + size_t(size));
    char *out = m_bytes.data() + offset;
    for (int i = 0; i < count; ++i) {
        if (!parts[i].isEmpty())
            std::memcpy(out, parts[i].data(), size_t(parts[i].size()));
        out += parts[i].size();
    }
    m_entries.push_back({ fd, offset, size, owner, finish });
    return true;
}

void SendBatch::sendRange(size_t first, size_t end)
{
    for (size_t i = first; i < end; ++i) {
        Entry &e = m_entries[i];
        ssize_t r;
        do {
            r = ::send(e.fd, m_bytes.data() + e.offset, size_t(e.size), MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (r < 0 && errno == EINTR);
        e.sent = r > 0 ? qsizetype(r) : 0;
        e.error = r < 0 && errno != EAGAIN && errno != EWOULDBLOCK ? errno : 0;
    }
}

void SendBatch::flush()
{
    if (m_flushing || m_entries.empty())
        return;
    m_flushing = true;
    const size_t n = m_entries.size();
    const int workers = std::min(workerThreads(), int(n / kMinSendsPerThread) - 1);
    if (workers > 0)
        SendWorkers::instance().run(this, n, workers);
    else
        sendRange(0, n);
    // Back on this thread alone: each owner learns what is left (in the order they wrote).
    for (const Entry &e : m_entries) {
        e.finish(e.owner,
            QByteArrayView(m_bytes.data() + e.offset + e.sent, e.size - e.sent), e.error);
    }
    m_entries.clear();
    if (m_bytes.capacity() > kKeptBufferBytes)
        std::vector<char>().swap(m_bytes);
    else
        m_bytes.clear();
    m_flushing = false;
}

} // namespace tw::core
