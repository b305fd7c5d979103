#include "epolleventdispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <functional>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace tw::core {

namespace {
constexpr int kMaxEventsPerWait = 256;
constexpr qint64 kNsPerMs = 1000000;
} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_epoll >= 0 && m_wakeFd >= 0) {
        epoll_event ev {};
        ev.events = EPOLLIN;
        ev.data.fd = m_wakeFd;
        if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev) != 0) {
            ::close(m_wakeFd);
            m_wakeFd = -1;
        }
    }
}

EpollEventDispatcher *EpollEventDispatcher::create()
{
    auto *dispatcher = new EpollEventDispatcher;
    if (dispatcher->isValid())
        return dispatcher;
    delete dispatcher;
    return nullptr;
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

qint64 EpollEventDispatcher::nowNs()
{
    timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// --- Event loop turn ----------------------------------------------------------------------

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false);
    Q_EMIT awake();
    // Posting an event calls wakeUp(), so events posted from now on make the wait below
    // return at once: no private "can wait" state is needed.
    QCoreApplication::sendPostedEvents();

    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.load();
    const int timeoutMs = canWait ? waitTimeoutMs(nowNs()) : 0;
    if (canWait)
        Q_EMIT aboutToBlock();

    epoll_event events[kMaxEventsPerWait];
    int n = ::epoll_wait(m_epoll, events, kMaxEventsPerWait, timeoutMs);
    if (n < 0)
        n = 0; // EINTR: a signal; go round again
    int activated = 0;
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wakeFd) {
            quint64 count = 0;
            [[maybe_unused]] const ssize_t r = ::read(m_wakeFd, &count, sizeof count);
            m_wakePending.store(false);
            ++activated;
            continue;
        }
        if (flags & QEventLoop::ExcludeSocketNotifiers)
            continue; // level-triggered: reported again by the next wait
        const auto it = m_watches.constFind(fd);
        if (it == m_watches.constEnd())
            continue;
        const std::uint32_t ev = events[i].events;
        if (it->read && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
            m_pending.push_back(it->read);
        // A hang-up must reach someone: with no read notifier it goes to the write one.
        if (it->write && ((ev & (EPOLLOUT | EPOLLERR)) || (!it->read && (ev & EPOLLHUP))))
            m_pending.push_back(it->write);
        if (it->exception && (ev & EPOLLPRI))
            m_pending.push_back(it->exception);
    }
    activated += activateNotifiers();
    if (!(flags & QEventLoop::X11ExcludeTimers))
        activated += activateTimers();
    return activated > 0;
}

int EpollEventDispatcher::activateNotifiers()
{
    // Indexes, not iterators: a handler may run a nested loop that appends to (and finishes)
    // the same list, or unregister a notifier still listed (its entry becomes null).
    int activated = 0;
    while (m_pendingPos < m_pending.size()) {
        QSocketNotifier *notifier = m_pending[m_pendingPos++];
        if (!notifier)
            continue;
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(notifier, &event);
        ++activated;
    }
    m_pending.clear();
    m_pendingPos = 0;
    return activated;
}

void EpollEventDispatcher::wakeUp()
{
    // Any thread. One eventfd write until the loop has seen it.
    if (m_wakePending.exchange(true))
        return;
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t r = ::write(m_wakeFd, &one, sizeof one);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true);
    wakeUp();
}

// --- Socket notifiers ---------------------------------------------------------------------

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Watch &watch = m_watches[fd];
    QSocketNotifier **slot = notifier->type() == QSocketNotifier::Read
        ? &watch.read
        : notifier->type() == QSocketNotifier::Write ? &watch.write : &watch.exception;
    if (*slot && *slot != notifier)
        qWarning("EpollEventDispatcher: a second socket notifier of type %d for descriptor %d "
                 "replaces the first",
            int(notifier->type()), fd);
    *slot = notifier;
    updateWatch(fd, watch);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    for (std::size_t i = m_pendingPos; i < m_pending.size(); ++i)
        if (m_pending[i] == notifier)
            m_pending[i] = nullptr;
    const auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    if (it->read == notifier)
        it->read = nullptr;
    if (it->write == notifier)
        it->write = nullptr;
    if (it->exception == notifier)
        it->exception = nullptr;
    updateWatch(fd, *it);
    if (it->events == 0)
        m_watches.erase(it);
}

void EpollEventDispatcher::updateWatch(int fd, Watch &watch)
{
    const std::uint32_t wanted = (watch.read ? std::uint32_t(EPOLLIN) : 0u)
        | (watch.write ? std::uint32_t(EPOLLOUT) : 0u)
        | (watch.exception ? std::uint32_t(EPOLLPRI) : 0u);
    if (wanted == watch.events)
        return;
    if (wanted == 0) {
        // May fail when the descriptor is already closed (epoll forgot it then): harmless.
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        watch.events = 0;
        return;
    }
    epoll_event ev {};
    ev.events = wanted;
    ev.data.fd = fd;
    // A descriptor closed and reused without its notifiers being unregistered first is no
    // longer in the epoll set (MOD fails with ENOENT), one added twice fails with EEXIST.
    int rc = ::epoll_ctl(m_epoll, watch.events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    if (rc != 0 && errno == ENOENT)
        rc = ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    else if (rc != 0 && errno == EEXIST)
        rc = ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
    if (rc != 0)
        qWarning("EpollEventDispatcher: cannot watch descriptor %d: %s", fd, strerror(errno));
    watch.events = wanted;
}

// --- Timers -------------------------------------------------------------------------------

void EpollEventDispatcher::registerTimer(
    int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    Timer timer;
    timer.intervalMs = std::max<qint64>(0, interval);
    timer.dueNs = nowNs() + timer.intervalMs * kNsPerMs;
    timer.object = object;
    timer.type = timerType;
    Timer &stored = *m_timers.insert(timerId, timer);
    m_timersByObject.insert(object, timerId);
    schedule(timerId, stored);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_timersByObject.remove(it->object, timerId);
    m_timers.erase(it);
    compactHeapIfStale();
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const QList<int> ids = m_timersByObject.values(object);
    if (ids.isEmpty())
        return false;
    for (int id : ids)
        m_timers.remove(id);
    m_timersByObject.remove(object);
    compactHeapIfStale();
    return true;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (auto it = m_timersByObject.constFind(object);
         it != m_timersByObject.constEnd() && it.key() == object; ++it) {
        const Timer t = m_timers.value(it.value());
        list.append(TimerInfo(it.value(), int(std::min<qint64>(t.intervalMs, INT_MAX)), t.type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.constEnd())
        return -1;
    const qint64 left = it->dueNs - nowNs();
    return left <= 0 ? 0 : int(std::min<qint64>((left + kNsPerMs - 1) / kNsPerMs, INT_MAX));
}

void EpollEventDispatcher::schedule(int id, Timer &timer)
{
    // Whatever the heap still holds for this timer is stale from now on. One counter for all
    // timers: Qt reuses a stopped timer's id at once, and a per-timer count restarting at 1
    // would let the old timer's entry fire the new one early.
    timer.generation = ++m_generation;
    m_heap.push_back(HeapEntry { timer.dueNs, id, timer.generation });
    std::push_heap(m_heap.begin(), m_heap.end(), std::greater<>());
}

void EpollEventDispatcher::compactHeapIfStale()
{
    // Entries of stopped timers leave the heap when they come due; a stream's one-hour
    // duration timer stopped after a second would stay for the hour. Rebuild once the stale
    // ones outnumber the live ones (amortised O(1) per stop).
    if (m_heap.size() <= 2 * std::size_t(m_timers.size()) + 1024)
        return;
    m_heap.clear();
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it)
        m_heap.push_back(HeapEntry { it->dueNs, it.key(), it->generation });
    std::make_heap(m_heap.begin(), m_heap.end(), std::greater<>());
}

int EpollEventDispatcher::waitTimeoutMs(qint64 now) const
{
    if (m_heap.empty())
        return -1;
    const qint64 left = m_heap.front().dueNs - now;
    if (left <= 0)
        return 0;
    // Rounded up: waking before the timer is due would only spin.
    return int(std::min<qint64>((left + kNsPerMs - 1) / kNsPerMs, INT_MAX));
}

int EpollEventDispatcher::activateTimers()
{
    const qint64 now = nowNs();
    // Collect first, then fire: a handler that restarts its own zero-interval timer (or
    // starts a due one) must not make this loop endless; those fire on the next turn.
    std::vector<int> due;
    while (!m_heap.empty() && m_heap.front().dueNs <= now) {
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<>());
        const HeapEntry entry = m_heap.back();
        m_heap.pop_back();
        const auto it = m_timers.find(entry.id);
        if (it == m_timers.end() || it->generation != entry.generation)
            continue; // stopped or rescheduled since
        if (it->inEvent) {
            // Its handler runs a nested loop: never re-enter it; look again a period later.
            it->dueNs = now + std::max<qint64>(it->intervalMs, 1) * kNsPerMs;
            schedule(entry.id, *it);
            continue;
        }
        due.push_back(entry.id);
    }
    int activated = 0;
    for (int id : due) {
        const auto it = m_timers.find(id);
        if (it == m_timers.end())
            continue; // stopped by an earlier handler of this turn
        // The next period counts from when this one was due; a missed period is skipped,
        // not fired in a burst.
        it->dueNs += it->intervalMs * kNsPerMs;
        if (it->dueNs <= now)
            it->dueNs = now + it->intervalMs * kNsPerMs;
        schedule(id, *it);
        it->inEvent = true;
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++activated;
        const auto after = m_timers.find(id); // the handler may have stopped it
        if (after != m_timers.end())
            after->inEvent = false;
    }
    return activated;
}

} // namespace tw::core
