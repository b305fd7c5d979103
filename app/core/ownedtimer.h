// Timers for objects that live as long as a connection or stream. A QTimer member is a QObject
// of its own plus a signal connection and the sender's connection list (about 500 bytes each);
// a QBasicTimer is one int and fires the owner's timerEvent(). These two helpers spell the calls
// whose signatures changed after Qt 6.4 (chrono start() since 6.5, id() since 6.8).
// A QBasicTimer repeats: a single-shot use stops it first thing in timerEvent().
#pragma once

#include <QBasicTimer>
#include <QObject>
#include <QTimerEvent>

#include <chrono>

namespace tw::core {

inline void startOwnedTimer(
    QBasicTimer &timer, int ms, QObject *owner, Qt::TimerType type = Qt::CoarseTimer)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    timer.start(std::chrono::milliseconds(ms), type, owner);
#else
    timer.start(ms, type, owner);
#endif
}

inline bool isOwnedTimer(const QTimerEvent *event, const QBasicTimer &timer)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    return timer.isActive() && event->timerId() == qToUnderlying(timer.id());
#else
    return timer.isActive() && event->timerId() == timer.timerId();
#endif
}

} // namespace tw::core
