// The socket writes of one fan-out, gathered and then made by more than one thread.
//
// Delivering one news item writes it to every listening socket in turn, and on loopback each
// send() also runs the receiving side of TCP: ~7 us per stream on the bench machine, so the
// 100th listener hears of an item ~0.7 ms after the first (bench/README.md, findings 16-19).
// While a Scope is open on the event-loop thread (NewsHub::deliver opens one per item), a
// connection that would write straight to the kernel hands its bytes to the batch instead
// (add(): copied into one reused buffer); when the outermost Scope closes, the batch sends
// them all -- the event loop one share, the worker threads the others -- and then, back on the
// event-loop thread alone, tells each owner what the kernel did not take (its finish callback),
// so the owner queues the rest exactly as after a short direct write.
//
// Nothing but send() runs on a worker, and only while the event-loop thread waits in flush():
// no socket can be closed or reused meanwhile, and no Qt object is touched off its thread.
// Owners keep their order by flushing the batch before any other write (flushCurrent()).
#pragma once

#include <QByteArrayView>
#include <QtGlobal>

#include <vector>

namespace tw::core {

class SendBatch {
public:
    // What the kernel did not take of an owner's bytes (empty when all went; `error` is errno
    // for a failed send, else 0). Called on the event-loop thread, once per add().
    using FinishFn = void (*)(void *owner, QByteArrayView unsent, int error);

    // Opens the batch of this thread for its lifetime; nested scopes join the outer one, whose
    // end sends everything.
    class Scope {
    public:
        Scope();
        ~Scope();
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;
    };

    // The open batch of this thread, or nullptr.
    static SendBatch *current();
    // Sends what the open batch holds now (an owner about to write outside it, or to close).
    static void flushCurrent();

    // Threads besides the caller's that send shares of a batch (0: the caller sends all).
    // Process-wide; set at start-up (ServerConfig). Workers start on first use.
    static void setWorkerThreads(int count);
    static int workerThreads();
    // The default: one per core beyond the first, at most three.
    static int defaultWorkerThreads();

    // Queues `parts` (copied) for `fd`; false if this batch does not take them (too large, or
    // flushing), and the caller writes them itself.
    bool add(int fd, const QByteArrayView *parts, int count, void *owner, FinishFn finish);
    qsizetype size() const { return qsizetype(m_entries.size()); }

    // Below this many sends a batch is sent by the caller alone: waking a worker costs more.
    static constexpr int kMinSendsPerThread = 8;
    // Bytes of one add() at most: bigger writes (a stream's final result) go straight out.
    static constexpr qsizetype kMaxEntryBytes = 64 * 1024;

private:
    struct Entry {
        int fd;
        qsizetype offset; // into m_bytes
        qsizetype size;
        void *owner;
        FinishFn finish;
        qsizetype sent = 0;
        int error = 0;
    };
    friend class SendWorkers;

    SendBatch() = default;
    static SendBatch &threadBatch(); // this thread's (kept: its buffers are reused)
    void flush();
    void sendRange(size_t first, size_t end);

    std::vector<Entry> m_entries;
    std::vector<char> m_bytes; // every entry's bytes, one after another; reused
    int m_depth = 0;
    bool m_flushing = false;
};

} // namespace tw::core
