// AlertRules: the rule syntax users type in the settings, whole-word keyword matching, ticker
// matching, and the round trip through the settings' string list.
#include "alertrules.h"

#include <QtTest>

using tw::core::NewsItem;
using tw::ui::AlertRule;
using tw::ui::AlertRules;

namespace {

NewsItem item(const QString &headline, const QStringList &symbols = {}, const QString &summary = {})
{
    NewsItem news;
    news.id = QStringLiteral("id");
    news.headline = headline;
    news.symbols = symbols;
    news.summary = summary;
    news.source = QStringLiteral("Reuters");
    return news;
}

} // namespace

class TestAlertRules : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void rejects_data();
    void rejects();
    void wholeWords_data();
    void wholeWords();
    void keywordMatchesHeadlineAndSummary();
    void tickerMatchesSymbolsOnly();
    void matchReturnsFirstMatchingRule();
    void roundTripThroughSettings();
    void fromStringListReportsBadLines();
};

void TestAlertRules::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("canonical");

    const int ticker = int(AlertRule::Kind::Ticker);
    const int keyword = int(AlertRule::Kind::Keyword);
    QTest::newRow("ticker:") << "ticker:TSLA" << ticker << "TSLA"
                             << "ticker:TSLA";
    QTest::newRow("ticker lower") << "ticker:tsla" << ticker << "TSLA"
                                  << "ticker:TSLA";
    QTest::newRow("TICKER: spaced") << "  TICKER: aapl " << ticker << "AAPL"
                                    << "ticker:AAPL";
    QTest::newRow("$") << "$nvda" << ticker << "NVDA"
                       << "ticker:NVDA";
    QTest::newRow("ticker:$") << "ticker:$MSFT" << ticker << "MSFT"
                              << "ticker:MSFT";
    QTest::newRow("class share") << "$BRK.B" << ticker << "BRK.B"
                                 << "ticker:BRK.B";
    QTest::newRow("keyword:") << "keyword:recall" << keyword << "recall"
                              << "keyword:recall";
    QTest::newRow("keyword phrase") << "Keyword:  FDA   approval " << keyword << "FDA approval"
                                    << "keyword:FDA approval";
    QTest::newRow("bare word") << "bankruptcy" << keyword << "bankruptcy"
                               << "keyword:bankruptcy";
    QTest::newRow("bare phrase") << "guidance cut" << keyword << "guidance cut"
                                 << "keyword:guidance cut";
    QTest::newRow("punctuation") << "S&P 500" << keyword << "S&P 500"
                                 << "keyword:S&P 500";
}

void TestAlertRules::parse()
{
    QFETCH(QString, text);
    QFETCH(int, kind);
    QFETCH(QString, pattern);
    QFETCH(QString, canonical);

    QString error;
    const std::optional<AlertRule> rule = AlertRule::fromString(text, &error);
    QVERIFY2(rule.has_value(), qPrintable(error));
    QCOMPARE(int(rule->kind), kind);
    QCOMPARE(rule->pattern, pattern);
    QCOMPARE(rule->toString(), canonical);
    // The canonical form parses back to the same rule.
    QCOMPARE(AlertRule::fromString(canonical), rule);
}

void TestAlertRules::rejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("errorPart");

    QTest::newRow("empty") << ""
                           << "empty";
    QTest::newRow("blank") << "   "
                           << "empty";
    QTest::newRow("ticker without symbol") << "ticker:"
                                           << "without a symbol";
    QTest::newRow("lone $") << "$"
                            << "without a symbol";
    QTest::newRow("bad ticker") << "ticker:AB CD"
                                << "not a ticker";
    QTest::newRow("bad ticker chars") << "$TS!A"
                                      << "not a ticker";
    QTest::newRow("keyword without word") << "keyword:   "
                                          << "without a keyword";
    QTest::newRow("unknown kind") << "sector:tech"
                                  << "unknown rule kind 'sector'";
}

void TestAlertRules::rejects()
{
    QFETCH(QString, text);
    QFETCH(QString, errorPart);
    QString error;
    QVERIFY(!AlertRule::fromString(text, &error).has_value());
    QVERIFY2(error.contains(errorPart), qPrintable(error));
}

void TestAlertRules::wholeWords_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("phrase");
    QTest::addColumn<bool>("matches");

    QTest::newRow("word") << "Ford recall widens"
                          << "recall" << true;
    QTest::newRow("case") << "FORD RECALL WIDENS"
                          << "recall" << true;
    QTest::newRow("at start") << "Recall widens at Ford"
                              << "recall" << true;
    QTest::newRow("at end") << "Ford widens recall"
                            << "recall" << true;
    QTest::newRow("punctuated") << "Ford: recall, widens"
                                << "recall" << true;
    QTest::newRow("plural") << "Ford recalls cars"
                            << "recall" << false;
    QTest::newRow("past") << "Ford Recalled cars"
                          << "recall" << false;
    QTest::newRow("inside") << "Unrecallable"
                            << "recall" << false;
    QTest::newRow("phrase") << "FDA approval for the drug"
                            << "fda approval" << true;
    QTest::newRow("phrase broken") << "FDA delays approval"
                                   << "fda approval" << false;
    QTest::newRow("later occurrence") << "recalls, then a recall"
                                      << "recall" << true;
    QTest::newRow("symbol phrase") << "S&P 500 hits record"
                                   << "S&P 500" << true;
    QTest::newRow("empty phrase") << "anything"
                                  << "" << false;
}

void TestAlertRules::wholeWords()
{
    QFETCH(QString, text);
    QFETCH(QString, phrase);
    QFETCH(bool, matches);
    QCOMPARE(AlertRule::containsWholeWords(text, phrase), matches);
}

void TestAlertRules::keywordMatchesHeadlineAndSummary()
{
    const AlertRule rule = *AlertRule::fromString(QStringLiteral("keyword:recall"));
    QVERIFY(rule.matches(item(QStringLiteral("Ford recall widens"))));
    QVERIFY(rule.matches(
        item(QStringLiteral("Ford update"), {}, QStringLiteral("The recall covers 2M cars."))));
    QVERIFY(!rule.matches(item(QStringLiteral("Ford recalls cars"))));
    // A keyword is not a ticker: "F" the word does not match the symbol F.
    const AlertRule f = *AlertRule::fromString(QStringLiteral("keyword:F"));
    QVERIFY(!f.matches(item(QStringLiteral("Ford update"), { QStringLiteral("F") })));
}

void TestAlertRules::tickerMatchesSymbolsOnly()
{
    const AlertRule rule = *AlertRule::fromString(QStringLiteral("$TSLA"));
    QVERIFY(rule.matches(item(
        QStringLiteral("Deliveries beat"), { QStringLiteral("NVDA"), QStringLiteral("TSLA") })));
    QVERIFY(rule.matches(item(QStringLiteral("Deliveries beat"), { QStringLiteral("tsla") })));
    // The headline mentions it, the item is not about it.
    QVERIFY(!rule.matches(item(QStringLiteral("TSLA rival ships"), { QStringLiteral("RIVN") })));
    QVERIFY(!rule.matches(item(QStringLiteral("Deliveries beat"), { QStringLiteral("TSLAX") })));
}

void TestAlertRules::matchReturnsFirstMatchingRule()
{
    const AlertRules rules = AlertRules::fromStringList({ QStringLiteral("keyword:guidance"),
        QStringLiteral("ticker:TSLA"), QStringLiteral("keyword:recall") });
    QVERIFY(!rules.isEmpty());

    const NewsItem recall = item(QStringLiteral("Tesla recall widens"), { QStringLiteral("TSLA") });
    const std::optional<AlertRule> hit = rules.match(recall);
    QVERIFY(hit.has_value());
    QCOMPARE(hit->toString(), QStringLiteral("ticker:TSLA"));
    QVERIFY(rules.matches(recall));

    const NewsItem other = item(QStringLiteral("Ford recall widens"), { QStringLiteral("F") });
    QCOMPARE(rules.match(other)->toString(), QStringLiteral("keyword:recall"));

    const NewsItem none = item(QStringLiteral("Quiet day"), { QStringLiteral("AAPL") });
    QVERIFY(!rules.match(none).has_value());
    QVERIFY(!rules.matches(none));
    QVERIFY(!AlertRules().matches(recall));
}

void TestAlertRules::roundTripThroughSettings()
{
    const QStringList typed { QStringLiteral("$tsla"), QStringLiteral("FDA approval"),
        QStringLiteral(""), QStringLiteral("ticker:TSLA"), QStringLiteral("keyword:Recall") };
    QStringList errors;
    const AlertRules rules = AlertRules::fromStringList(typed, &errors);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    // The duplicate ($tsla = ticker:TSLA) is kept once; the blank line is skipped.
    const QStringList expected { QStringLiteral("ticker:TSLA"),
        QStringLiteral("keyword:FDA approval"), QStringLiteral("keyword:Recall") };
    QCOMPARE(rules.toStringList(), expected);
    QCOMPARE(AlertRules::fromStringList(rules.toStringList()), rules);
}

void TestAlertRules::fromStringListReportsBadLines()
{
    QStringList errors;
    const AlertRules rules
        = AlertRules::fromStringList({ QStringLiteral("ticker:AAPL"), QStringLiteral("sector:tech"),
                                         QStringLiteral("$"), QStringLiteral("recall") },
            &errors);
    QCOMPARE(rules.rules().size(), 2);
    QCOMPARE(errors.size(), 2);
    QVERIFY2(errors.at(0).startsWith(QStringLiteral("line 2: ")), qPrintable(errors.at(0)));
    QVERIFY2(errors.at(1).startsWith(QStringLiteral("line 3: ")), qPrintable(errors.at(1)));
}

QTEST_GUILESS_MAIN(TestAlertRules)
#include "tst_alertrules.moc"
