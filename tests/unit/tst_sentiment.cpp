// Sentiment: the finance word list score a user sees next to each headline.
#include "sentiment.h"

#include <QTest>

using tw::news::Sentiment;

class TestSentiment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void score_data();
    void score();
    void staysWithinRange();
    void headlineAndSummaryCombine();
};

void TestSentiment::score_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("expected");
    QTest::newRow("neutral") << QStringLiteral("Company files quarterly report") << 0.0;
    QTest::newRow("empty") << QString() << 0.0;
    QTest::newRow("one positive") << QStringLiteral("Gullwing beats estimates") << 0.5;
    QTest::newRow("one negative") << QStringLiteral("Gullwing misses estimates") << -0.5;
    QTest::newRow("strong positive") << QStringLiteral("Shares surge after results") << 0.67;
    QTest::newRow("strong negative") << QStringLiteral("Shares plunge after results") << -0.67;
    QTest::newRow("mixed cancels") << QStringLiteral("Revenue beats but margins decline") << 0.0;
    QTest::newRow("two positives") << QStringLiteral("Analyst upgrades stock, raises target") << 0.67;
    QTest::newRow("negation flips") << QStringLiteral("Company does not expect growth") << -0.5;
    QTest::newRow("negation window is three words") << QStringLiteral("No comment was made on the strong quarter") << 0.5;
    QTest::newRow("case-insensitive") << QStringLiteral("UPGRADE for Saltmarsh") << 0.5;
    QTest::newRow("whole words only") << QStringLiteral("Upbeatness and finery") << 0.0;
    QTest::newRow("lawsuit and probe") << QStringLiteral("Regulator opens probe; lawsuit follows") << -0.67;
    QTest::newRow("punctuation") << QStringLiteral("Profit!!! (record)") << 0.75;
}

void TestSentiment::score()
{
    QFETCH(QString, text);
    QFETCH(double, expected);
    QCOMPARE(Sentiment::score(text), expected);
}

void TestSentiment::staysWithinRange()
{
    const double high = Sentiment::score(QStringLiteral("record surge soars jumps beats profit growth upgrade"));
    const double low = Sentiment::score(QStringLiteral("plunge crash collapse bankruptcy misses loss lawsuit fraud"));
    QVERIFY(high > 0.9 && high < 1.0);
    QVERIFY(low < -0.9 && low > -1.0);
}

void TestSentiment::headlineAndSummaryCombine()
{
    QCOMPARE(Sentiment::score(QStringLiteral("Stock gains"), QStringLiteral("after upgrade")), 0.67);
    QCOMPARE(Sentiment::score(QStringLiteral("Stock gains"), QStringLiteral("despite lawsuit")), 0.0);
}

QTEST_GUILESS_MAIN(TestSentiment)
#include "tst_sentiment.moc"
