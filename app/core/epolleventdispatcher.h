// An event dispatcher for the server's main thread on Linux epoll, with timers in a heap.
//
// Qt's own UNIX dispatcher rebuilds a pollfd array and calls poll() over every registered
// socket on each wake-up, and keeps timers in a sorted list: with thousands of open streams
// both are O(connections) per event-loop turn (poll was ~15 % of the server's CPU delivering
// to 1,000 SSE streams, and registering 10,000 streams' timers spent seconds in
// QTimerInfoList::timerInsert). Here a wake-up costs O(ready sockets), starting or stopping a
// timer O(log timers).
//
// Semantics follow QEventDispatcherUNIX: level-triggered notifiers (read on IN/HUP/ERR, write
// on OUT/ERR, exception on PRI), posted events sent at the start of every processEvents(),
// wakeUp() from any thread through an eventfd, a timer never re-entered from a nested loop
// of its own handler, a missed period skipped instead of fired in a burst. All timer types
// are kept at millisecond precision (a coarse timer may be late, it need not be). Install it
// with QCoreApplication::setEventDispatcher() before the application object exists.
#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>
#include <QList>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

class QSocketNotifier;

namespace tw::core {

class EpollEventDispatcher final : public QAbstractEventDispatcher {
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False when the kernel refused epoll or eventfd (then use Qt's dispatcher instead).
    bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }
    // A working dispatcher for QCoreApplication/QThread::setEventDispatcher(), or null when
    // the kernel refused one (the caller then keeps Qt's).
    static EpollEventDispatcher *create();

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

    // Registered timers and watched descriptors (for tests and status).
    int timerCount() const { return int(m_timers.size()); }
    int watchedDescriptorCount() const { return int(m_watches.size()); }
    // Timer entries in the heap, stale ones (of stopped timers) included.
    int scheduledEntryCount() const { return int(m_heap.size()); }

private:
    struct Watch {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        std::uint32_t events = 0; // as registered with epoll
    };
    struct Timer {
        qint64 intervalMs = 0;
        qint64 dueNs = 0;
        QObject *object = nullptr;
        Qt::TimerType type = Qt::CoarseTimer;
        quint64 generation = 0; // heap entries of another generation are stale
        bool inEvent = false; // its QTimerEvent is being delivered
    };
    struct HeapEntry {
        qint64 dueNs;
        int id;
        quint64 generation;
        bool operator>(const HeapEntry &o) const { return dueNs > o.dueNs; }
    };

    static qint64 nowNs();
    void updateWatch(int fd, Watch &watch);
    void schedule(int id, Timer &timer);
    void compactHeapIfStale();
    int waitTimeoutMs(qint64 now) const;
    int activateTimers();
    int activateNotifiers();

    int m_epoll = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_wakePending { false };
    std::atomic<bool> m_interrupted { false };
    QHash<int, Watch> m_watches; // by descriptor
    QHash<int, Timer> m_timers; // by timer id
    QMultiHash<QObject *, int> m_timersByObject;
    quint64 m_generation = 0;
    std::vector<HeapEntry> m_heap; // min-heap on dueNs (std::push_heap with greater<>)
    // Notifiers found ready by the last wait, activated one by one; an entry is cleared when
    // its notifier is unregistered meanwhile (a handler may close other sockets).
    std::vector<QSocketNotifier *> m_pending;
    std::size_t m_pendingPos = 0;
};

} // namespace tw::core
