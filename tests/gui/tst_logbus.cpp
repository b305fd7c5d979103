// LogBus: Tickerwire log lines from any thread reach the GUI thread as signals and a bounded
// ring; other categories and (by default) debug lines do not.
#include "logbus.h"
#include "logging.h"

#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace tw::ui;

Q_LOGGING_CATEGORY(lcForeign, "someone.else")

class TestLogBus : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void deliversTickerwireLinesOnly();
    void linesFromAnotherThreadArriveOnTheBusThread();
    void ringIsBounded();
    void formatIsOneLine();
};

void TestLogBus::initTestCase()
{
    // ctest's QT_LOGGING_RULES turns tickerwire debug output off and outranks setFilterRules():
    // switch it on for this category directly, so LogBus's own debug filter is what is tested.
    const_cast<QLoggingCategory &>(lcUi()).setEnabled(QtDebugMsg, true);
    QVERIFY(lcUi().isDebugEnabled());
}

void TestLogBus::deliversTickerwireLinesOnly()
{
    LogBus *bus = LogBus::instance();
    QCOMPARE(LogBus::instance(), bus); // one bus
    QSignalSpy spy(bus, &LogBus::message);
    qCInfo(lcUi) << "ui line";
    qCWarning(lcServer) << "server line";
    qCInfo(lcForeign) << "foreign line";
    qCDebug(lcUi) << "debug line";
    QVERIFY(
        spy.isEmpty()); // queued, also on the bus's own thread (a slot that logs must not recurse)
    QTRY_COMPARE(spy.count(), 2);
    QCOMPARE(spy.at(0).at(1).toString(), QStringLiteral("tickerwire.ui"));
    QCOMPARE(spy.at(0).at(2).toString(), QStringLiteral("ui line"));
    QCOMPARE(spy.at(1).at(0).value<QtMsgType>(), QtWarningMsg);
    QCOMPARE(spy.at(1).at(2).toString(), QStringLiteral("server line"));

    bus->setIncludeDebug(true);
    qCDebug(lcUi) << "debug line";
    QTRY_COMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).value<QtMsgType>(), QtDebugMsg);
    bus->setIncludeDebug(false);
}

void TestLogBus::linesFromAnotherThreadArriveOnTheBusThread()
{
    LogBus *bus = LogBus::instance();
    QThread *receivedOn = nullptr;
    int received = 0;
    connect(bus, &LogBus::message, this,
        [&](QtMsgType, const QString &, const QString &text, const QDateTime &) {
            if (text.startsWith(QLatin1String("from worker"))) {
                receivedOn = QThread::currentThread();
                ++received;
            }
        });
    std::unique_ptr<QThread> worker(QThread::create([] {
        for (int i = 0; i < 100; ++i)
            qCInfo(lcServer) << "from worker" << i;
    }));
    worker->start();
    QVERIFY(worker->wait(10000));
    QTRY_COMPARE(received, 100);
    QCOMPARE(receivedOn, QThread::currentThread());
}

void TestLogBus::ringIsBounded()
{
    LogBus *bus = LogBus::instance();
    bus->setCapacity(10);
    QSignalSpy spy(bus, &LogBus::message);
    for (int i = 0; i < 25; ++i)
        qCInfo(lcUi) << "ring" << i;
    QTRY_COMPARE(spy.count(), 25);
    const QList<LogBus::Line> lines = bus->recent();
    QCOMPARE(lines.size(), 10);
    QCOMPARE(lines.first().text, QStringLiteral("ring 15"));
    QCOMPARE(lines.last().text, QStringLiteral("ring 24"));
    bus->setCapacity(3);
    QCOMPARE(bus->recent().size(), 3);
    QCOMPARE(bus->recent().last().text, QStringLiteral("ring 24"));
    bus->setCapacity(LogBus::kDefaultCapacity);
}

void TestLogBus::formatIsOneLine()
{
    const LogBus::Line line { QtWarningMsg, QStringLiteral("tickerwire.http"),
        QStringLiteral("port busy"), QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5, 678)) };
    QCOMPARE(LogBus::format(line), QStringLiteral("03:04:05.678 warn  tickerwire.http: port busy"));
}

QTEST_GUILESS_MAIN(TestLogBus)
#include "tst_logbus.moc"
