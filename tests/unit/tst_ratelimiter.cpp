// RateLimiter: N requests per minute per key, continuous refill, expiry and the bucket cap.
#include "ratelimiter.h"

#include <QRegularExpression>
#include <QTest>

using tw::http::RateLimiter;

class tst_RateLimiter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void allowsExactlyPerMinute_data();
    void allowsExactlyPerMinute();
    void retryAfter_data();
    void retryAfter();
    void refillsWithTime();
    void fullAgainAfterAMinute();
    void keysHaveSeparateBuckets();
    void sweepDropsOnlyFullBuckets();
    void capBoundsMemoryAndStillLimits();
    void capFreesUpWhenBucketsExpire();
    void unlimited_data();
    void unlimited();
    void clockGoingBackwardsAddsNothing();
};

void tst_RateLimiter::allowsExactlyPerMinute_data()
{
    QTest::addColumn<int>("perMinute");
    QTest::newRow("1") << 1;
    QTest::newRow("10 (streams default)") << 10;
    QTest::newRow("100 (requests default)") << 100;
    QTest::newRow("7") << 7;
}

void tst_RateLimiter::allowsExactlyPerMinute()
{
    QFETCH(int, perMinute);
    RateLimiter limiter(perMinute);
    const qint64 t = 1000;
    for (int i = 0; i < perMinute; ++i) {
        const RateLimiter::Decision d = limiter.take("client", t);
        QVERIFY2(d.allowed, qPrintable(QStringLiteral("request %1 refused").arg(i + 1)));
        QCOMPARE(d.limit, perMinute);
        QCOMPARE(d.remaining, perMinute - 1 - i);
        QCOMPARE(d.retryAfterSeconds, 0);
    }
    const RateLimiter::Decision refused = limiter.take("client", t);
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.limit, perMinute);
    QCOMPARE(refused.remaining, 0);
    QVERIFY(refused.retryAfterSeconds >= 1);
    QCOMPARE(refused.resetSeconds, 60); // empty: a full minute to refill completely
    // Refused requests do not dig a deeper hole.
    for (int i = 0; i < 50; ++i)
        QVERIFY(!limiter.take("client", t).allowed);
    QCOMPARE(limiter.take("client", t).retryAfterSeconds, refused.retryAfterSeconds);
}

void tst_RateLimiter::retryAfter_data()
{
    QTest::addColumn<int>("perMinute");
    QTest::addColumn<int>("retryAfter");
    QTest::newRow("1/min: 60 s") << 1 << 60;
    QTest::newRow("10/min: 6 s") << 10 << 6;
    QTest::newRow("7/min: ceil(8.57) s") << 7 << 9;
    QTest::newRow("100/min: 0.6 s rounds up to 1") << 100 << 1;
    QTest::newRow("6000/min: 0.01 s is still 1") << 6000 << 1;
}

void tst_RateLimiter::retryAfter()
{
    QFETCH(int, perMinute);
    QFETCH(int, retryAfter);
    RateLimiter limiter(perMinute);
    for (int i = 0; i < perMinute; ++i)
        QVERIFY(limiter.take("c", 0).allowed);
    const RateLimiter::Decision d = limiter.take("c", 0);
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfterSeconds, retryAfter);
}

void tst_RateLimiter::refillsWithTime()
{
    RateLimiter limiter(60); // one token per second
    for (int i = 0; i < 60; ++i)
        QVERIFY(limiter.take("c", 0).allowed);
    QVERIFY(!limiter.take("c", 0).allowed);

    RateLimiter::Decision d = limiter.take("c", 999);
    QVERIFY(!d.allowed);
    QCOMPARE(d.retryAfterSeconds, 1);

    d = limiter.take("c", 1000);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, 0);
    QVERIFY(!limiter.take("c", 1000).allowed);

    // Exact arithmetic: many small steps add up to whole tokens (no 0.999... left over).
    for (qint64 t = 1001; t <= 2000; t += 7)
        QVERIFY(!limiter.take("c", t).allowed);
    QVERIFY(limiter.take("c", 2000).allowed);

    // Five seconds later, five tokens.
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.take("c", 7000).allowed);
    QVERIFY(!limiter.take("c", 7000).allowed);
}

void tst_RateLimiter::fullAgainAfterAMinute()
{
    RateLimiter limiter(100);
    for (int i = 0; i < 100; ++i)
        QVERIFY(limiter.take("c", 0).allowed);
    QVERIFY(!limiter.take("c", 0).allowed);

    RateLimiter::Decision d = limiter.take("c", 30000);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, 49); // 50 refilled, one taken
    QCOMPARE(d.resetSeconds, 31); // 51 tokens missing at 100/min = 30.6 s

    d = limiter.take("c", 30000 + 600000);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, 99); // capped at capacity, however long the pause
    QCOMPARE(d.resetSeconds, 1);
}

void tst_RateLimiter::keysHaveSeparateBuckets()
{
    RateLimiter limiter(3);
    for (int i = 0; i < 3; ++i)
        QVERIFY(limiter.take("a", 0).allowed);
    QVERIFY(!limiter.take("a", 0).allowed);
    const RateLimiter::Decision b = limiter.take("b", 0);
    QVERIFY(b.allowed);
    QCOMPARE(b.remaining, 2);
    QCOMPARE(limiter.bucketCount(), 2);
}

void tst_RateLimiter::sweepDropsOnlyFullBuckets()
{
    RateLimiter limiter(60);
    QVERIFY(limiter.take("one-token-used", 0).allowed);
    for (int i = 0; i < 60; ++i)
        QVERIFY(limiter.take("emptied", 0).allowed);
    QCOMPARE(limiter.bucketCount(), 2);

    limiter.sweep(999);
    QCOMPARE(limiter.bucketCount(), 2);
    limiter.sweep(1000); // one token back: "one-token-used" is full again
    QCOMPARE(limiter.bucketCount(), 1);
    limiter.sweep(59999);
    QCOMPARE(limiter.bucketCount(), 1);

    // Sweeping does not change what the remaining bucket decides.
    const RateLimiter::Decision d = limiter.take("emptied", 59999);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, 58);

    limiter.sweep(59999 + 60000);
    QCOMPARE(limiter.bucketCount(), 0);
    // A forgotten bucket comes back full, as it would have been.
    QCOMPARE(limiter.take("emptied", 59999 + 60000).remaining, 59);
}

void tst_RateLimiter::capBoundsMemoryAndStillLimits()
{
    const int perMinute = 5;
    const int cap = 10;
    RateLimiter limiter(perMinute, cap);
    // The operator hears about it once, not once per request.
    QTest::ignoreMessage(QtWarningMsg,
        "rate limiter: 10 clients tracked; new clients now share one bucket until idle ones "
        "expire");
    // A flood of distinct clients (spoofed addresses, say) within the same instant.
    int allowed = 0;
    for (int i = 0; i < 10000; ++i) {
        if (limiter.take(QByteArrayLiteral("client-") + QByteArray::number(i), 0).allowed)
            ++allowed;
        QVERIFY(limiter.bucketCount() <= cap + 1);
    }
    // The first `cap` clients got their own bucket; everyone after shares one more.
    QCOMPARE(allowed, cap + perMinute);
    QCOMPARE(limiter.bucketCount(), cap + 1);

    // Existing clients keep their own buckets meanwhile.
    const RateLimiter::Decision d = limiter.take("client-0", 0);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, perMinute - 2);
}

void tst_RateLimiter::capFreesUpWhenBucketsExpire()
{
    RateLimiter limiter(60, 2);
    QVERIFY(limiter.take("a", 0).allowed);
    QVERIFY(limiter.take("b", 0).allowed);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("share one bucket")));
    QVERIFY(limiter.take("c", 0).allowed); // overflow bucket
    QCOMPARE(limiter.bucketCount(), 3);

    // One second on, a and b are full again and get swept when a new client needs room.
    const RateLimiter::Decision d = limiter.take("d", 1000);
    QVERIFY(d.allowed);
    QCOMPARE(d.remaining, 59);
    QCOMPARE(limiter.bucketCount(), 1);
}

void tst_RateLimiter::unlimited_data()
{
    QTest::addColumn<int>("perMinute");
    QTest::newRow("0") << 0;
    QTest::newRow("negative") << -1;
}

void tst_RateLimiter::unlimited()
{
    QFETCH(int, perMinute);
    RateLimiter limiter(perMinute);
    for (int i = 0; i < 1000; ++i)
        QVERIFY(limiter.take(QByteArray::number(i % 3), 0).allowed);
    QCOMPARE(limiter.bucketCount(), 0);
}

void tst_RateLimiter::clockGoingBackwardsAddsNothing()
{
    RateLimiter limiter(2);
    QVERIFY(limiter.take("c", 100000).allowed);
    QVERIFY(limiter.take("c", 100000).allowed);
    QVERIFY(!limiter.take("c", 50000).allowed);
    QVERIFY(!limiter.take("c", 100000).allowed);
    QVERIFY(limiter.take("c", 130000).allowed);
}

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
