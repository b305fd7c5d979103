// LiveIndicator: what the trader reads at a glance — the text and colour of each state, the
// retry countdown, long errors, and that a flood of setLive() calls does not flood the label.
#include "liveindicator.h"

#include <QLabel>
#include <QLocale>
#include <QSignalSpy>
#include <QTest>

using tw::ui::LiveIndicator;

class tst_LiveIndicator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void startsStopped()
    {
        LiveIndicator indicator;
        QCOMPARE(indicator.state(), LiveIndicator::State::Stopped);
        QCOMPARE(indicator.text(), QStringLiteral("Stopped"));
        QCOMPARE(indicator.color(), LiveIndicator::colorFor(LiveIndicator::State::Stopped));
    }

    void liveShowsCountAndLatency()
    {
        LiveIndicator indicator;
        QSignalSpy states(&indicator, &LiveIndicator::stateChanged);
        indicator.setLive(0, 0);
        QCOMPARE(indicator.state(), LiveIndicator::State::Live);
        QCOMPARE(states.count(), 1);
        QVERIFY2(indicator.text().contains(QStringLiteral("LIVE")), qPrintable(indicator.text()));
        QVERIFY2(!indicator.text().contains(QStringLiteral("0 ms")), "no latency before any item");

        indicator.setLive(1234, 17);
        QCOMPARE(indicator.text(), QStringLiteral("LIVE · 1,234 items · 17 ms"));
        QCOMPARE(states.count(), 1); // still live: no new state
        // The label follows within its refresh period, not per call.
        auto *label = indicator.findChild<QLabel *>();
        QVERIFY(label);
        QTRY_COMPARE(label->text(), QStringLiteral("LIVE · 1,234 items · 17 ms"));
    }

    void manyUpdatesCoalesce()
    {
        LiveIndicator indicator;
        indicator.setLive(1, 1);
        auto *label = indicator.findChild<QLabel *>();
        QVERIFY(label);
        QTRY_COMPARE(label->text(), QStringLiteral("LIVE · 1 item · 1 ms"));
        for (int i = 2; i <= 5000; ++i)
            indicator.setLive(i, 3);
        // Without an event loop pass, the label has not been rebuilt 5,000 times.
        QCOMPARE(label->text(), QStringLiteral("LIVE · 1 item · 1 ms"));
        QTRY_COMPARE(label->text(), QStringLiteral("LIVE · 5,000 items · 3 ms"));
    }

    void colorsDifferByState()
    {
        const QColor live = LiveIndicator::colorFor(LiveIndicator::State::Live);
        const QColor reconnecting = LiveIndicator::colorFor(LiveIndicator::State::Reconnecting);
        const QColor stopped = LiveIndicator::colorFor(LiveIndicator::State::Stopped);
        QVERIFY(live != reconnecting);
        QVERIFY(live != stopped);
        QVERIFY(reconnecting != stopped);
        // Red, amber, grey as a trader expects.
        QVERIFY(live.red() > 200 && live.green() < 100);
        QVERIFY(reconnecting.red() > 200 && reconnecting.green() > 120 && reconnecting.blue() < 60);
        QVERIFY(qAbs(stopped.red() - stopped.blue()) < 30);
    }

    void reconnectingCountsDown()
    {
        LiveIndicator indicator;
        indicator.setReconnecting(3000);
        QCOMPARE(indicator.state(), LiveIndicator::State::Reconnecting);
        QCOMPARE(indicator.text(), QStringLiteral("Reconnecting… retry in 3 s"));
        // The countdown reaches "retrying now" on its own.
        QTRY_COMPARE_WITH_TIMEOUT(
            indicator.text(), QStringLiteral("Reconnecting… retrying now"), 5000);
        indicator.setReconnecting(-1);
        QCOMPARE(indicator.text(), QStringLiteral("Reconnecting…"));
    }

    void errorIsShownWholeInTooltip()
    {
        LiveIndicator indicator;
        const QString reason = QStringLiteral("Unauthorized (401): the API key was refused; ")
            + QString(300, QLatin1Char('x'));
        indicator.setError(reason);
        QCOMPARE(indicator.state(), LiveIndicator::State::Error);
        QCOMPARE(indicator.text(), QStringLiteral("Error: ") + reason);
        QCOMPARE(indicator.toolTip(), QStringLiteral("Error: ") + reason);
        auto *label = indicator.findChild<QLabel *>();
        QVERIFY(label->text().size() < indicator.text().size()); // elided in the toolbar
        QVERIFY(label->text().startsWith(QStringLiteral("Error: Unauthorized")));
        indicator.setStopped();
        QVERIFY(indicator.toolTip().isEmpty());
        QCOMPARE(indicator.text(), QStringLiteral("Stopped"));
    }

    void connecting()
    {
        LiveIndicator indicator;
        indicator.setConnecting();
        QCOMPARE(indicator.state(), LiveIndicator::State::Connecting);
        QCOMPARE(indicator.text(), QStringLiteral("Connecting…"));
    }

    void paintsEveryState()
    {
        LiveIndicator indicator;
        indicator.resize(indicator.sizeHint());
        const auto grab = [&indicator] { return indicator.grab().toImage(); };
        indicator.setStopped();
        const QImage stopped = grab();
        indicator.setLive(10, 5);
        const QImage live = grab();
        indicator.setReconnecting(1000);
        const QImage reconnecting = grab();
        QVERIFY(stopped != live);
        QVERIFY(live != reconnecting);
        // The dot is painted in the state's colour (without the pulse's fade at its centre).
        const QPoint dot(15, indicator.height() / 2);
        const QColor centre = reconnecting.pixelColor(dot);
        const QColor amber = LiveIndicator::colorFor(LiveIndicator::State::Reconnecting);
        QVERIFY2(qAbs(centre.red() - amber.red()) < 20 && qAbs(centre.green() - amber.green()) < 20,
            qPrintable(centre.name()));
    }
};

QTEST_MAIN(tst_LiveIndicator)
#include "tst_liveindicator.moc"
