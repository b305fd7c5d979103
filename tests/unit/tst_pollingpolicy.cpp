// The pure parts of the polling etiquette: per-host budgets (sliding window, shared across
// providers, per host), exponential backoff with bounded jitter and a cap, Retry-After in
// both forms, and the redaction of API keys from any URL that may be logged or shown.
#include "feedtext.h"
#include "hostbudget.h"
#include "httpfetcher.h"
#include "pollingprovider.h"

#include <QTest>
#include <QUrl>

using tw::news::HostBudget;
using tw::news::HttpFetcher;
using tw::news::PollingProvider;

class tst_PollingPolicy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hostBudgetLimitsEachHostInItsWindow();
    void backoffDoublesWithBoundedJitterAndACap();
    void retryAfterSecondsAndHttpDate_data();
    void retryAfterSecondsAndHttpDate();
    void redactedUrlHidesKeys();
};

void tst_PollingPolicy::hostBudgetLimitsEachHostInItsWindow()
{
    HostBudget budget(3, 60000);
    const qint64 t0 = 1000000;
    QCOMPARE(budget.reserve(QStringLiteral("a.example"), t0), 0);
    QCOMPARE(budget.reserve(QStringLiteral("A.example"), t0 + 10), 0); // host names are case-insensitive
    QCOMPARE(budget.reserve(QStringLiteral("a.example"), t0 + 20), 0);
    // The fourth in the window waits until the first leaves it.
    QCOMPARE(budget.reserve(QStringLiteral("a.example"), t0 + 30), 60000 - 30);
    // Another host has its own budget.
    QCOMPARE(budget.reserve(QStringLiteral("b.example"), t0 + 30), 0);
    // A refused reservation is not counted: once the first expires, exactly one more fits.
    QCOMPARE(budget.reserve(QStringLiteral("a.example"), t0 + 60000), 0);
    QVERIFY(budget.reserve(QStringLiteral("a.example"), t0 + 60000) > 0);
    QCOMPARE(budget.reserve(QStringLiteral("a.example"), t0 + 60020), 0);
}

void tst_PollingPolicy::backoffDoublesWithBoundedJitterAndACap()
{
    // Without jitter (unit 0.5 -> factor 1.0): 1s, 2s, 4s, 8s ... capped at 60s.
    QCOMPARE(PollingProvider::backoffDelayMs(1, 1000, 60000, 0.5), 1000);
    QCOMPARE(PollingProvider::backoffDelayMs(2, 1000, 60000, 0.5), 2000);
    QCOMPARE(PollingProvider::backoffDelayMs(4, 1000, 60000, 0.5), 8000);
    QCOMPARE(PollingProvider::backoffDelayMs(7, 1000, 60000, 0.5), 60000);
    QCOMPARE(PollingProvider::backoffDelayMs(1000, 1000, 60000, 0.5), 60000); // no overflow
    // Jitter stays within +-20 %, so the worst draw for n+1 still exceeds the best for n.
    QCOMPARE(PollingProvider::backoffDelayMs(3, 1000, 60000, 0.0), 3200);
    QCOMPARE(PollingProvider::backoffDelayMs(3, 1000, 60000, 1.0), 4800);
    QVERIFY(PollingProvider::backoffDelayMs(2, 1000, 60000, 1.0) < PollingProvider::backoffDelayMs(3, 1000, 60000, 0.0));
}

void tst_PollingPolicy::retryAfterSecondsAndHttpDate_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("expectedDelayMs"); // -1 = not understood
    QTest::newRow("seconds") << QByteArray("120") << qint64(120000);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("padded") << QByteArray(" 5 ") << qint64(5000);
    QTest::newRow("http-date") << tw::news::feedtext::formatHttpDate(1000000000000 + 90000) << qint64(90000);
    QTest::newRow("date in the past") << tw::news::feedtext::formatHttpDate(1000000000000 - 90000) << qint64(0);
    QTest::newRow("absurd seconds clamp to a day") << QByteArray("99999999999") << qint64(24LL * 3600 * 1000);
    QTest::newRow("negative") << QByteArray("-5") << qint64(-1);
    QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
    QTest::newRow("empty") << QByteArray() << qint64(-1);
}

void tst_PollingPolicy::retryAfterSecondsAndHttpDate()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, expectedDelayMs);
    const qint64 now = 1000000000000;
    const auto at = HttpFetcher::parseRetryAfter(value, now, 24LL * 3600 * 1000);
    if (expectedDelayMs < 0) {
        QVERIFY(!at.has_value());
        return;
    }
    QVERIFY(at.has_value());
    QCOMPARE(*at - now, expectedDelayMs);
}

void tst_PollingPolicy::redactedUrlHidesKeys()
{
    const QUrl url(QStringLiteral("https://user:pw@api.example.com/v2/news?ticker=NWND&apiKey=SECRET1&token=SECRET2&apikey=SECRET3&api_key=SECRET4&limit=5"));
    const QString redacted = HttpFetcher::redactedUrl(url);
    for (const char *secret : { "SECRET1", "SECRET2", "SECRET3", "SECRET4", "pw" })
        QVERIFY2(!redacted.contains(QLatin1String(secret)), qPrintable(redacted));
    QVERIFY2(redacted.contains(QLatin1String("ticker=NWND")), qPrintable(redacted));
    QVERIFY2(redacted.contains(QLatin1String("apiKey=REDACTED")), qPrintable(redacted));
    QVERIFY2(redacted.contains(QLatin1String("limit=5")), qPrintable(redacted));
}

QTEST_GUILESS_MAIN(tst_PollingPolicy)
#include "tst_pollingpolicy.moc"
