// The JSON API parsers (Finnhub company-news, Alpha Vantage NEWS_SENTIMENT, Polygon reference
// news) on fixtures in the documented shapes: field mapping, sentiment, ids; the API's own
// error and throttling answers; and garbage, truncated, wrong-type and huge bodies, which
// must give a clear error and never a crash.
#include "alphavantageprovider.h"
#include "finnhubprovider.h"
#include "polygonprovider.h"

#include <QFile>
#include <QTest>

#include <functional>

using tw::core::NewsItem;
using tw::news::AlphaVantageProvider;
using tw::news::FinnhubProvider;
using tw::news::ParseResult;
using tw::news::PolygonProvider;

namespace {

constexpr qint64 kNow = 1730500000000;

QByteArray fixture(const char *name)
{
    QFile f(QStringLiteral(TW_TEST_DATA_DIR "/news/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", name);
    return f.readAll();
}

qint64 utc(const char *iso) { return *NewsItem::parseIsoTime(QLatin1String(iso)); }

using Parser = std::function<ParseResult(const QByteArray &, const QString &, qint64)>;

} // namespace

Q_DECLARE_METATYPE(Parser)

class tst_JsonNewsParsers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void finnhubArticlesAreMapped();
    void alphaVantageArticlesAreMapped();
    void alphaVantageThrottleNoticeIsRateLimited_data();
    void alphaVantageThrottleNoticeIsRateLimited();
    void polygonArticlesAreMapped();
    void apiErrorBodiesAreErrors_data();
    void apiErrorBodiesAreErrors();
    void hostileBodiesAreClearErrors_data();
    void hostileBodiesAreClearErrors();
    void hugeArrayIsParsed();
};

void tst_JsonNewsParsers::finnhubArticlesAreMapped()
{
    const ParseResult r = FinnhubProvider::parseCompanyNews(fixture("finnhub_company_news.json"), QStringLiteral("NWND"), kNow);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.items.size(), 2);
    const NewsItem &a = r.items.at(0);
    QCOMPARE(a.id, QStringLiteral("finnhub:131250001"));
    QCOMPARE(a.headline, QStringLiteral("Northwind Motors beats delivery estimates"));
    QCOMPARE(a.source, QStringLiteral("Example Wire"));
    QCOMPARE(a.url, QStringLiteral("https://news.example.com/2024/11/01/northwind-deliveries"));
    QCOMPARE(a.publishedAtMs, qint64(1730467800) * 1000);
    QCOMPARE(a.receivedAtMs, kNow);
    QCOMPARE(a.provider, QStringLiteral("finnhub"));
    QCOMPARE(a.category, QStringLiteral("general"));
    QCOMPARE(a.symbols, QStringList { QStringLiteral("NWND") });
    const NewsItem &b = r.items.at(1);
    QCOMPARE(b.summary, QStringLiteral("The pact now runs to 2030.")); // HTML stripped
    QCOMPARE(b.symbols, (QStringList { QStringLiteral("NWND"), QStringLiteral("ACME") }));
}

void tst_JsonNewsParsers::alphaVantageArticlesAreMapped()
{
    const ParseResult r = AlphaVantageProvider::parseNewsSentiment(fixture("alphavantage_news_sentiment.json"), QStringLiteral("NWND"), kNow);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(!r.rateLimited);
    QCOMPARE(r.items.size(), 2);
    const NewsItem &a = r.items.at(0);
    QCOMPARE(a.headline, QStringLiteral("Northwind Motors Q3: deliveries top forecasts"));
    QCOMPARE(a.publishedAtMs, utc("2024-11-01T13:30:00Z"));
    QCOMPARE(a.source, QStringLiteral("Example Finance"));
    // No provider id: the canonical URL's hash (tracking parameters do not split a story).
    QCOMPARE(a.id.left(2), QStringLiteral("u:"));
    QCOMPARE(a.symbols, (QStringList { QStringLiteral("NWND"), QStringLiteral("ACME") })); // FOREX:USD dropped
    QVERIFY(a.sentiment.has_value());
    QCOMPARE(*a.sentiment, 0.412); // the polled ticker's own score, not the overall one
    QCOMPARE(a.category, QStringLiteral("general"));
    QCOMPARE(*r.items.at(1).sentiment, -0.2);
    QCOMPARE(r.items.at(1).category, QStringLiteral("markets"));
    QCOMPARE(a.provider, QStringLiteral("alphavantage"));
}

void tst_JsonNewsParsers::alphaVantageThrottleNoticeIsRateLimited_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("words");
    QTest::newRow("Note") << fixture("alphavantage_note.json") << QStringLiteral("5 calls per minute");
    QTest::newRow("Information") << fixture("alphavantage_information.json") << QStringLiteral("25 requests per day");
}

void tst_JsonNewsParsers::alphaVantageThrottleNoticeIsRateLimited()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, words);
    const ParseResult r = AlphaVantageProvider::parseNewsSentiment(body, QStringLiteral("NWND"), kNow);
    QVERIFY(r.rateLimited);
    QVERIFY(!r.ok());
    QVERIFY2(r.error.contains(words), qPrintable(r.error));
    QVERIFY(r.items.isEmpty());
}

void tst_JsonNewsParsers::polygonArticlesAreMapped()
{
    const ParseResult r = PolygonProvider::parseReferenceNews(fixture("polygon_reference_news.json"), QStringLiteral("NWND"), kNow);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.items.size(), 1);
    const NewsItem &a = r.items.at(0);
    QCOMPARE(a.id, QStringLiteral("polygon:8ec638777ca03b553ae516761c2a22ba2fdd2f37befae3ab6fdab74e9e5193eb"));
    QCOMPARE(a.headline, QStringLiteral("Is Northwind Motors a buy after its delivery beat?"));
    QCOMPARE(a.source, QStringLiteral("Example Investor Daily"));
    QCOMPARE(a.url, QStringLiteral("https://investor.example.com/northwind-buy"));
    QCOMPARE(a.publishedAtMs, utc("2024-11-01T14:05:00Z"));
    QCOMPARE(a.symbols, (QStringList { QStringLiteral("NWND"), QStringLiteral("ACME") }));
    QVERIFY(a.sentiment.has_value() && *a.sentiment > 0);
    QCOMPARE(a.provider, QStringLiteral("polygon"));
}

void tst_JsonNewsParsers::apiErrorBodiesAreErrors_data()
{
    QTest::addColumn<Parser>("parser");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::newRow("finnhub error") << Parser(&FinnhubProvider::parseCompanyNews) << fixture("finnhub_error.json")
                                   << QStringLiteral("Finnhub error: Invalid API key.");
    QTest::newRow("polygon NOT_AUTHORIZED") << Parser(&PolygonProvider::parseReferenceNews) << fixture("polygon_not_authorized.json")
                                            << QStringLiteral("Polygon NOT_AUTHORIZED: You are not entitled");
    QTest::newRow("polygon ERROR") << Parser(&PolygonProvider::parseReferenceNews) << fixture("polygon_error.json")
                                   << QStringLiteral("Polygon ERROR: Unknown API Key");
    QTest::newRow("alphavantage Error Message") << Parser(&AlphaVantageProvider::parseNewsSentiment)
                                                << QByteArray(R"({"Error Message": "Invalid API call. Please retry or visit the documentation."})")
                                                << QStringLiteral("Alpha Vantage error: Invalid API call");
}

void tst_JsonNewsParsers::apiErrorBodiesAreErrors()
{
    QFETCH(Parser, parser);
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    const ParseResult r = parser(body, QStringLiteral("NWND"), kNow);
    QVERIFY(!r.ok());
    QVERIFY(!r.rateLimited);
    QVERIFY2(r.error.startsWith(expected), qPrintable(r.error));
}

void tst_JsonNewsParsers::hostileBodiesAreClearErrors_data()
{
    QTest::addColumn<Parser>("parser");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    const QList<QPair<const char *, Parser>> parsers {
        { "finnhub", Parser(&FinnhubProvider::parseCompanyNews) },
        { "alphavantage", Parser(&AlphaVantageProvider::parseNewsSentiment) },
        { "polygon", Parser(&PolygonProvider::parseReferenceNews) },
    };
    const QByteArray valid = fixture("polygon_reference_news.json");
    for (const auto &[name, parser] : parsers) {
        QTest::addRow("%s garbage", name) << parser << fixture("garbage.bin") << QStringLiteral("malformed JSON at offset");
        QTest::addRow("%s XML", name) << parser << fixture("rss_valid.xml") << QStringLiteral("malformed JSON at offset");
        QTest::addRow("%s truncated", name) << parser << valid.left(valid.size() / 2) << QStringLiteral("malformed JSON");
        QTest::addRow("%s empty", name) << parser << QByteArray() << QStringLiteral("empty response");
        QTest::addRow("%s deep nesting", name) << parser << (QByteArray(100000, '[') + QByteArray(100000, ']'))
                                               << QStringLiteral("malformed JSON");
        QTest::addRow("%s a number", name) << parser << QByteArray("42") << QStringLiteral("malformed JSON"); // Qt 6.4 refuses top-level scalars
    }
    QTest::newRow("finnhub object") << parsers[0].second << QByteArray(R"({"results": []})") << QStringLiteral("expected a JSON array of articles, got an object");
    QTest::newRow("finnhub wrong types") << parsers[0].second << fixture("finnhub_wrong_types.json")
                                         << QStringLiteral("none of the 4 entries is a usable article (entry 0: headline is a number");
    QTest::newRow("alphavantage array") << parsers[1].second << QByteArray("[]") << QStringLiteral("expected a JSON object");
    QTest::newRow("alphavantage feed object") << parsers[1].second << fixture("alphavantage_wrong_types.json")
                                              << QStringLiteral("\"feed\" is an object, expected an array");
    QTest::newRow("alphavantage no feed") << parsers[1].second << QByteArray("{}") << QStringLiteral("\"feed\" is missing");
    QTest::newRow("polygon results string") << parsers[2].second << QByteArray(R"({"status":"OK","results":"none"})")
                                            << QStringLiteral("\"results\" is a string, expected an array");
    QTest::newRow("polygon entries wrong") << parsers[2].second << QByteArray(R"({"status":"OK","results":[1, {"title": null}]})")
                                           << QStringLiteral("none of the 2 entries");
}

void tst_JsonNewsParsers::hostileBodiesAreClearErrors()
{
    QFETCH(Parser, parser);
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    const ParseResult r = parser(body, QStringLiteral("NWND"), kNow);
    QVERIFY(!r.ok());
    QVERIFY2(r.error.contains(expected), qPrintable(r.error));
    QVERIFY(r.items.isEmpty());
}

void tst_JsonNewsParsers::hugeArrayIsParsed()
{
    // A valid but large answer (the poller's size cap bounds it in practice): all items, in order.
    QByteArray body = "[";
    for (int i = 0; i < 20000; ++i) {
        if (i)
            body += ',';
        body += R"({"id":)" + QByteArray::number(i + 1) + R"(,"headline":"h)" + QByteArray::number(i)
            + R"(","datetime":1730467800,"url":"https://x.example.com/)" + QByteArray::number(i) + R"(","summary":")"
            + QByteArray(100, 's') + "\"}";
    }
    body += "]";
    const ParseResult r = FinnhubProvider::parseCompanyNews(body, QStringLiteral("NWND"), kNow);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.items.size(), 20000);
    QCOMPARE(r.items.constLast().id, QStringLiteral("finnhub:20000"));
}

QTEST_GUILESS_MAIN(tst_JsonNewsParsers)
#include "tst_jsonnewsparsers.moc"
