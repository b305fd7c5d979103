// EpollEventDispatcher, installed as the application's dispatcher exactly as tickerwire-server
// installs it: timers (order, periods, zero intervals, nesting, many at once), socket
// notifiers on a socketpair, a real TCP transfer through QTcpServer/QTcpSocket on 127.0.0.1,
// wake-ups from another thread, deleteLater.
#include "epolleventdispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

using tw::core::EpollEventDispatcher;

namespace {

EpollEventDispatcher *dispatcher()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

class TimerCounter : public QObject {
public:
    QList<int> fired;
    int depth = 0;
    int maxDepth = 0;
    std::function<void(int)> onTimer;

protected:
    void timerEvent(QTimerEvent *e) override
    {
        ++depth;
        maxDepth = std::max(maxDepth, depth);
        fired.append(e->timerId());
        if (onTimer)
            onTimer(e->timerId());
        --depth;
    }
};

} // namespace

class tst_EpollEventDispatcher : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void isInstalled();
    void timersFireInDueOrder();
    void repeatingTimerKeepsFiringUntilStopped();
    void zeroIntervalTimerDoesNotStarveOthers();
    void restartedTimerKeepsOnlyItsNewDeadline();
    void registeredTimersAndRemainingTime();
    void nestedLoopNeverReentersATimer();
    void manyTimersEachFireOnce();
    void stoppedTimersDoNotAccumulate();
    void socketNotifiers();
    void notifierDeletedByAnotherHandlerIsNotActivated();
    void tcpTransferBothWays();
    void wakeUpFromAnotherThread();
    void deleteLaterRuns();
};

void tst_EpollEventDispatcher::isInstalled()
{
    QVERIFY(dispatcher());
    QVERIFY(dispatcher()->isValid());
}

void tst_EpollEventDispatcher::timersFireInDueOrder()
{
    TimerCounter c;
    const int late = c.startTimer(60, Qt::PreciseTimer);
    const int early = c.startTimer(10, Qt::PreciseTimer);
    const int middle = c.startTimer(35, Qt::CoarseTimer);
    c.onTimer = [&c](int id) { c.killTimer(id); };
    QTRY_COMPARE(c.fired.size(), 3);
    QCOMPARE(c.fired, (QList<int> { early, middle, late }));
}

void tst_EpollEventDispatcher::repeatingTimerKeepsFiringUntilStopped()
{
    QTimer t;
    t.setInterval(5);
    int count = 0;
    connect(&t, &QTimer::timeout, this, [&] {
        if (++count == 10)
            t.stop();
    });
    QElapsedTimer elapsed;
    elapsed.start();
    t.start();
    QTRY_COMPARE(count, 10);
    QVERIFY(elapsed.elapsed() >= 45); // ten periods of 5 ms cannot come sooner
    QTest::qWait(30);
    QCOMPARE(count, 10);
}

void tst_EpollEventDispatcher::zeroIntervalTimerDoesNotStarveOthers()
{
    QTimer busy;
    busy.setInterval(0);
    int spins = 0;
    connect(&busy, &QTimer::timeout, this, [&] { ++spins; });
    busy.start();
    bool single = false;
    QTimer::singleShot(20, this, [&] { single = true; });
    bool posted = false;
    QMetaObject::invokeMethod(this, [&] { posted = true; }, Qt::QueuedConnection);
    QTRY_VERIFY(single);
    QVERIFY(posted);
    QVERIFY(spins > 1);
}

void tst_EpollEventDispatcher::restartedTimerKeepsOnlyItsNewDeadline()
{
    // QTimer::start() on a running timer stops it and starts a new one, and Qt hands the new
    // one the id just released: the first deadline must not fire the second timer (a request
    // deadline restarted for each request of a keep-alive connection did exactly that).
    QTimer t;
    t.setSingleShot(true);
    int fired = 0;
    connect(&t, &QTimer::timeout, this, [&] { ++fired; });
    t.start(150);
    const int firstId = t.timerId();
    QTest::qWait(20);
    t.start(5000);
    QCOMPARE(t.timerId(), firstId); // the premise: the id is reused
    QTest::qWait(400);
    QCOMPARE(fired, 0);
    QVERIFY(dispatcher()->remainingTime(t.timerId()) > 4000);
}

void tst_EpollEventDispatcher::registeredTimersAndRemainingTime()
{
    QObject o;
    const int before = dispatcher()->timerCount();
    const int id = o.startTimer(1000, Qt::VeryCoarseTimer);
    QVERIFY(id > 0);
    const QList<QAbstractEventDispatcher::TimerInfo> timers = dispatcher()->registeredTimers(&o);
    QCOMPARE(timers.size(), 1);
    QCOMPARE(timers.first().timerId, id);
    QCOMPARE(timers.first().interval, 1000);
    QCOMPARE(timers.first().timerType, Qt::VeryCoarseTimer);
    const int left = dispatcher()->remainingTime(id);
    QVERIFY2(left > 0 && left <= 1000, qPrintable(QString::number(left)));
    QCOMPARE(dispatcher()->timerCount(), before + 1);
    o.killTimer(id);
    QCOMPARE(dispatcher()->remainingTime(id), -1);
    QCOMPARE(dispatcher()->timerCount(), before);
    // An object destroyed with running timers takes them along.
    {
        QObject gone;
        gone.startTimer(50);
        gone.startTimer(70);
        QCOMPARE(dispatcher()->timerCount(), before + 2);
    }
    QCOMPARE(dispatcher()->timerCount(), before);
}

void tst_EpollEventDispatcher::nestedLoopNeverReentersATimer()
{
    TimerCounter c;
    int otherFired = 0;
    QTimer other;
    other.setInterval(2);
    connect(&other, &QTimer::timeout, this, [&] { ++otherFired; });
    other.start();
    c.onTimer = [&](int) {
        if (c.fired.size() != 1)
            return;
        // The first call runs a nested loop for 60 ms: the 5 ms timer comes due many times
        // meanwhile and must not call this handler again while it runs.
        QEventLoop loop;
        QTimer::singleShot(60, &loop, &QEventLoop::quit);
        loop.exec();
    };
    const int id = c.startTimer(5, Qt::PreciseTimer);
    QTRY_VERIFY(c.fired.size() >= 3);
    c.killTimer(id);
    QCOMPARE(c.maxDepth, 1);
    QVERIFY(otherFired >= 5); // other timers kept firing inside the nested loop
}

void tst_EpollEventDispatcher::manyTimersEachFireOnce()
{
    constexpr int kTimers = 20000;
    const int before = dispatcher()->timerCount();
    std::vector<int> fired(kTimers, 0);
    std::vector<std::unique_ptr<QTimer>> timers;
    timers.reserve(kTimers);
    QRandomGenerator rng(7);
    for (int i = 0; i < kTimers; ++i) {
        auto t = std::make_unique<QTimer>();
        t->setSingleShot(true);
        t->setInterval(int(rng.bounded(1, 80)));
        connect(t.get(), &QTimer::timeout, this, [&fired, i] { ++fired[std::size_t(i)]; });
        t->start();
        timers.push_back(std::move(t));
    }
    QTRY_COMPARE_WITH_TIMEOUT(dispatcher()->timerCount(), before, 20000);
    QTest::qWait(20);
    for (int i = 0; i < kTimers; ++i)
        QVERIFY2(fired[std::size_t(i)] == 1, qPrintable(QStringLiteral("timer %1 fired %2 times").arg(i).arg(fired[std::size_t(i)])));
}

void tst_EpollEventDispatcher::stoppedTimersDoNotAccumulate()
{
    // Streams start a one-hour duration timer and usually stop it much sooner: the heap must
    // not keep an entry per stopped timer for the hour.
    const int before = dispatcher()->timerCount();
    for (int round = 0; round < 20; ++round) {
        std::vector<std::unique_ptr<QTimer>> timers;
        for (int i = 0; i < 1000; ++i) {
            auto t = std::make_unique<QTimer>();
            t->start(3600 * 1000);
            timers.push_back(std::move(t));
        }
    }
    QCOMPARE(dispatcher()->timerCount(), before);
    QVERIFY2(dispatcher()->scheduledEntryCount() <= 2 * before + 1024,
        qPrintable(QString::number(dispatcher()->scheduledEntryCount())));
}

void tst_EpollEventDispatcher::socketNotifiers()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    const int watchedBefore = dispatcher()->watchedDescriptorCount();
    {
        QSocketNotifier readable(fds[0], QSocketNotifier::Read);
        QSocketNotifier writable(fds[0], QSocketNotifier::Write);
        int reads = 0;
        int writes = 0;
        connect(&readable, &QSocketNotifier::activated, this, [&] {
            ++reads;
            char buf[64];
            ssize_t n;
            while ((n = ::read(fds[0], buf, sizeof buf)) > 0) { }
            if (n == 0)
                readable.setEnabled(false); // end of stream stays readable for ever
        });
        connect(&writable, &QSocketNotifier::activated, this, [&] {
            ++writes;
            writable.setEnabled(false); // level-triggered: would fire on every turn otherwise
        });
        QCOMPARE(dispatcher()->watchedDescriptorCount(), watchedBefore + 1); // one per descriptor
        QTRY_COMPARE(writes, 1);
        QTest::qWait(20);
        QCOMPARE(reads, 0); // nothing to read yet
        QCOMPARE(::write(fds[1], "x", 1), 1);
        QTRY_COMPARE(reads, 1);
        readable.setEnabled(false);
        QCOMPARE(::write(fds[1], "y", 1), 1);
        QTest::qWait(30);
        QCOMPARE(reads, 1); // disabled: not activated
        readable.setEnabled(true);
        QTRY_COMPARE(reads, 2); // still readable: level-triggered
        // The peer hangs up: the read notifier hears it.
        ::close(fds[1]);
        QTRY_COMPARE(reads, 3);
    }
    QCOMPARE(dispatcher()->watchedDescriptorCount(), watchedBefore);
    ::close(fds[0]);
}

void tst_EpollEventDispatcher::notifierDeletedByAnotherHandlerIsNotActivated()
{
    int a[2];
    int b[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a), 0);
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b), 0);
    auto first = std::make_unique<QSocketNotifier>(a[0], QSocketNotifier::Read);
    auto second = std::make_unique<QSocketNotifier>(b[0], QSocketNotifier::Read);
    int activations = 0;
    // Whichever is activated first drains its socket and deletes the other, which is ready
    // in the same turn.
    connect(first.get(), &QSocketNotifier::activated, this, [&] {
        ++activations;
        char c;
        [[maybe_unused]] const ssize_t n = ::read(a[0], &c, 1);
        second.reset();
    });
    connect(second.get(), &QSocketNotifier::activated, this, [&] {
        ++activations;
        char c;
        [[maybe_unused]] const ssize_t n = ::read(b[0], &c, 1);
        first.reset();
    });
    QCOMPARE(::write(a[1], "x", 1), 1);
    QCOMPARE(::write(b[1], "x", 1), 1);
    QTRY_COMPARE(activations, 1);
    QTest::qWait(20);
    QCOMPARE(activations, 1);
    QVERIFY((first == nullptr) != (second == nullptr));
    first.reset();
    second.reset();
    for (int fd : { a[0], a[1], b[0], b[1] })
        ::close(fd);
}

void tst_EpollEventDispatcher::tcpTransferBothWays()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QByteArray payload(4 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char(i * 31 + 7);
    QByteArray serverGot;
    QPointer<QTcpSocket> accepted;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        accepted = server.nextPendingConnection();
        connect(accepted, &QTcpSocket::readyRead, this, [&] { serverGot += accepted->readAll(); });
        accepted->write(payload); // more than the kernel buffers hold: needs write notifiers
    });
    QTcpSocket client;
    QByteArray clientGot;
    connect(&client, &QTcpSocket::readyRead, this, [&] { clientGot += client.readAll(); });
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    client.write(payload);
    QTRY_COMPARE_WITH_TIMEOUT(clientGot.size(), payload.size(), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(serverGot.size(), payload.size(), 20000);
    QVERIFY(clientGot == payload);
    QVERIFY(serverGot == payload);
    // Closing one end is seen by the other.
    QSignalSpy gone(accepted.data(), &QTcpSocket::disconnected);
    client.disconnectFromHost();
    QTRY_COMPARE(gone.size(), 1);
}

void tst_EpollEventDispatcher::wakeUpFromAnotherThread()
{
    // No timer due for a long time: only the eventfd wake-up can end the wait early.
    QTimer far;
    far.start(3600 * 1000);
    QEventLoop loop;
    QTimer::singleShot(10000, &loop, &QEventLoop::quit); // the test's own bound
    bool arrived = false;
    std::thread poster([&loop, &arrived] {
        QThread::msleep(50);
        QMetaObject::invokeMethod(&loop, [&loop, &arrived] {
            arrived = true;
            loop.quit();
        }, Qt::QueuedConnection);
    });
    QElapsedTimer elapsed;
    elapsed.start();
    loop.exec();
    poster.join();
    QVERIFY(arrived);
    QVERIFY2(elapsed.elapsed() < 9000, "the loop never woke up for the posted event");
}

void tst_EpollEventDispatcher::deleteLaterRuns()
{
    QPointer<QObject> o = new QObject;
    o->deleteLater();
    QTRY_VERIFY(o.isNull());
}

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    tst_EpollEventDispatcher t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_epolleventdispatcher.moc"
