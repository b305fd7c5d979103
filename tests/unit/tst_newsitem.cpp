// NewsItem: the one JSON form every layer shares, its times, and URL canonicalisation.
#include "jsonwrite.h"
#include "newsitem.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <limits>

using tw::core::NewsItem;

Q_DECLARE_METATYPE(NewsItem)

class TestNewsItem : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip();
    void isoTimesHaveMilliseconds();
    void parseIsoTime_data();
    void parseIsoTime();
    void canonicalUrl_data();
    void canonicalUrl();
    void fromJsonErrorsNameTheField_data();
    void fromJsonErrorsNameTheField();
    void monotonicClockAdvances();
    // toJson() writes the bytes itself (the hub's hot path): they must be QJsonDocument's.
    void toJsonIsQJsonDocumentsBytes_data();
    void toJsonIsQJsonDocumentsBytes();
    void stringLiteralIsQtsBytes_data();
    void stringLiteralIsQtsBytes();
    void isoTimeIsQDateTimes();
};

static NewsItem sample()
{
    NewsItem item;
    item.id = QStringLiteral("demo:1:42");
    item.symbols = { QStringLiteral("TSLA"), QStringLiteral("BRK.B") };
    item.headline = QStringLiteral("Gullwing Motorworks beats Q3 estimates \u2014 \"record\" quarter");
    item.summary = QStringLiteral("Demo data. Line one\nline two.");
    item.source = QStringLiteral("Demo Wire");
    item.url = QStringLiteral("https://demo.tickerwire.invalid/news/1/42/x");
    item.publishedAtMs = 1795599660123; // 2026-11-25T09:41:00.123Z
    item.receivedAtMs = 1795599661001;
    item.provider = QStringLiteral("demo");
    item.category = QStringLiteral("earnings");
    item.sentiment = 0.67;
    item.sequence = 7;
    item.otherSources = { QStringLiteral("Harbor Street Journal (demo)") };
    return item;
}

void TestNewsItem::roundTrip()
{
    const NewsItem item = sample();
    const QByteArray json = item.toJson();
    QVERIFY(!json.contains('\n')); // compact: one line, ready for SSE data:
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    QCOMPARE(object.value(QLatin1String("publishedAt")).toString(), QStringLiteral("2026-11-25T09:41:00.123Z"));
    QCOMPARE(object.value(QLatin1String("sequence")).toInt(), 7);
    QString error;
    const auto back = NewsItem::fromJsonObject(object, &error);
    QVERIFY2(back.has_value(), qPrintable(error));
    QCOMPARE(back->id, item.id);
    QCOMPARE(back->symbols, item.symbols);
    QCOMPARE(back->headline, item.headline);
    QCOMPARE(back->summary, item.summary);
    QCOMPARE(back->source, item.source);
    QCOMPARE(back->url, item.url);
    QCOMPARE(back->publishedAtMs, item.publishedAtMs);
    QCOMPARE(back->receivedAtMs, item.receivedAtMs);
    QCOMPARE(back->provider, item.provider);
    QCOMPARE(back->category, item.category);
    QVERIFY(back->sentiment.has_value());
    QCOMPARE(*back->sentiment, 0.67);
    QCOMPARE(back->sequence, item.sequence);
    QCOMPARE(back->otherSources, item.otherSources);
    QCOMPARE(back->toJson(), json);

    NewsItem bare = sample();
    bare.sentiment.reset();
    bare.sequence = 0;
    bare.otherSources.clear();
    const QJsonObject bareObject = bare.toJsonObject();
    QVERIFY(!bareObject.contains(QLatin1String("sentiment")));
    QVERIFY(!bareObject.contains(QLatin1String("sequence")));
    QVERIFY(!bareObject.contains(QLatin1String("otherSources")));
    QVERIFY(!NewsItem::fromJsonObject(bareObject)->sentiment.has_value());
}

void TestNewsItem::isoTimesHaveMilliseconds()
{
    QCOMPARE(NewsItem::isoTime(0), QStringLiteral("1970-01-01T00:00:00.000Z"));
    QCOMPARE(NewsItem::isoTime(1795599660123), QStringLiteral("2026-11-25T09:41:00.123Z"));
    QCOMPARE(NewsItem::isoTime(1795599660005), QStringLiteral("2026-11-25T09:41:00.005Z"));
}

void TestNewsItem::parseIsoTime_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected"); // -1: invalid
    QTest::newRow("ms Z") << QStringLiteral("2026-11-25T09:41:00.123Z") << qint64(1795599660123);
    QTest::newRow("no ms") << QStringLiteral("2026-11-25T09:41:00Z") << qint64(1795599660000);
    QTest::newRow("offset") << QStringLiteral("2026-11-25T10:41:00.123+01:00") << qint64(1795599660123);
    QTest::newRow("garbage") << QStringLiteral("yesterday") << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1);
}

void TestNewsItem::parseIsoTime()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    const auto parsed = NewsItem::parseIsoTime(text);
    if (expected < 0) {
        QVERIFY(!parsed.has_value());
    } else {
        QVERIFY(parsed.has_value());
        QCOMPARE(*parsed, expected);
    }
}

void TestNewsItem::canonicalUrl_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    QTest::newRow("case of scheme and host") << QStringLiteral("HTTPS://Example.COM/News/1") << QStringLiteral("https://example.com/News/1") << true;
    QTest::newRow("path case matters") << QStringLiteral("https://example.com/News/1") << QStringLiteral("https://example.com/news/1") << false;
    QTest::newRow("fragment") << QStringLiteral("https://example.com/a#top") << QStringLiteral("https://example.com/a") << true;
    QTest::newRow("default port") << QStringLiteral("https://example.com:443/a") << QStringLiteral("https://example.com/a") << true;
    QTest::newRow("other port") << QStringLiteral("https://example.com:8443/a") << QStringLiteral("https://example.com/a") << false;
    QTest::newRow("tracking params") << QStringLiteral("https://example.com/a?id=3&utm_source=x&UTM_medium=y&fbclid=z&gclid=q") << QStringLiteral("https://example.com/a?id=3") << true;
    QTest::newRow("only tracking") << QStringLiteral("https://example.com/a?utm_campaign=x") << QStringLiteral("https://example.com/a") << true;
    QTest::newRow("real params differ") << QStringLiteral("https://example.com/a?id=3") << QStringLiteral("https://example.com/a?id=4") << false;
    QTest::newRow("trailing slash") << QStringLiteral("https://example.com/a/") << QStringLiteral("https://example.com/a") << true;
    QTest::newRow("whitespace") << QStringLiteral("  https://example.com/a ") << QStringLiteral("https://example.com/a") << true;
    QTest::newRow("http vs https") << QStringLiteral("http://example.com/a") << QStringLiteral("https://example.com/a") << false;
}

void TestNewsItem::canonicalUrl()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QCOMPARE(NewsItem::canonicalUrl(a) == NewsItem::canonicalUrl(b), same);
    // Idempotent.
    QCOMPARE(NewsItem::canonicalUrl(NewsItem::canonicalUrl(a)), NewsItem::canonicalUrl(a));
}

void TestNewsItem::fromJsonErrorsNameTheField_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    const QByteArray ok = R"("headline":"h","symbols":["A"],"publishedAt":"2026-01-01T00:00:00.000Z")";
    QTest::newRow("no id") << QByteArray("{" + ok + "}") << QStringLiteral("id");
    QTest::newRow("id not string") << QByteArray(R"({"id":5,)" + ok + "}") << QStringLiteral("id");
    QTest::newRow("no headline") << QByteArray(R"({"id":"x","symbols":["A"],"publishedAt":"2026-01-01T00:00:00.000Z"})") << QStringLiteral("headline");
    QTest::newRow("symbols not array") << QByteArray(R"({"id":"x","headline":"h","symbols":"A","publishedAt":"2026-01-01T00:00:00.000Z"})") << QStringLiteral("symbols");
    QTest::newRow("symbols with number") << QByteArray(R"({"id":"x","headline":"h","symbols":["A",1],"publishedAt":"2026-01-01T00:00:00.000Z"})") << QStringLiteral("symbols");
    QTest::newRow("bad time") << QByteArray(R"({"id":"x","headline":"h","symbols":[],"publishedAt":"soon"})") << QStringLiteral("publishedAt");
}

void TestNewsItem::fromJsonErrorsNameTheField()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    QVERIFY(doc.isObject());
    QString error;
    QVERIFY(!NewsItem::fromJsonObject(doc.object(), &error).has_value());
    QVERIFY2(error.startsWith(field + QLatin1Char(':')), qPrintable(error));
}

void TestNewsItem::monotonicClockAdvances()
{
    const qint64 a = NewsItem::monotonicNowNs();
    const qint64 b = NewsItem::monotonicNowNs();
    QVERIFY(a > 0);
    QVERIFY(b >= a);
}

// What QJsonDocument writes for the item (the reference the direct writer must equal).
static QByteArray qtJson(const NewsItem &item, bool withPublishNs)
{
    QJsonObject o = item.toJsonObject();
    if (withPublishNs)
        o.insert(QStringLiteral("publishNs"), QJsonValue(item.publishNs));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void TestNewsItem::toJsonIsQJsonDocumentsBytes_data()
{
    QTest::addColumn<NewsItem>("item");
    QTest::addColumn<bool>("withPublishNs");
    const NewsItem base = sample();
    QTest::newRow("sample") << base << false;
    NewsItem bench = base;
    bench.publishNs = 36408067322287;
    QTest::newRow("publishNs") << bench << true;
    NewsItem bare = base;
    bare.sentiment.reset();
    bare.sequence = 0;
    bare.otherSources.clear();
    bare.symbols.clear();
    bare.summary.clear();
    QTest::newRow("optional fields absent") << bare << false;
    NewsItem text = base;
    text.headline = QString::fromUtf16(u"quote \" back\\slash /slash \b\f\n\r\t \u0001\u001f\u007f "
                                        u"\u00e9\u2014\u2028\u2029\uffff \U0001F680 end");
    text.summary = QString(QChar(0xd800)) + QStringLiteral("lone high, then low: ") + QChar(0xdc00)
        + QChar(0xdbff) + QChar(0xdfff) + QChar(0xd83d); // a pair, and a high at the end
    text.source = QString(QChar(0)) + QStringLiteral("nul");
    QTest::newRow("escapes and UTF-16") << text << true;
    const double sentiments[] = { 0.0, -0.0, 1.0, -1.0, 0.75, -0.5, 0.1, 1.0 / 3, -2.0 / 3, 1e-7,
        123456789.125, 1e16, 1e21, 5e-324, std::numeric_limits<double>::quiet_NaN() };
    for (double v : sentiments) {
        NewsItem n = base;
        n.sentiment = v;
        QTest::newRow(qPrintable(QStringLiteral("sentiment %1").arg(v, 0, 'g', 17))) << n << false;
    }
    const quint64 sequences[] = { 1, 1796319459191048, 9007199254740991ULL, 9007199254740993ULL,
        1152921504606846976ULL, 18446744073709551615ULL };
    for (quint64 v : sequences) {
        NewsItem n = base;
        n.sequence = v;
        QTest::newRow(qPrintable(QStringLiteral("sequence %1").arg(v))) << n << false;
    }
    NewsItem times = base;
    times.publishedAtMs = 0;
    times.receivedAtMs = -86400001;
    QTest::newRow("epoch and before") << times << false;
}

void TestNewsItem::toJsonIsQJsonDocumentsBytes()
{
    QFETCH(NewsItem, item);
    QFETCH(bool, withPublishNs);
    QCOMPARE(item.toJson(withPublishNs), qtJson(item, withPublishNs));
}

void TestNewsItem::stringLiteralIsQtsBytes_data()
{
    QTest::addColumn<QByteArray>("utf8");
    QTest::newRow("item JSON") << qtJson(sample(), true);
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("controls") << QByteArray("a\x01\x1f\b\f\n\r\t\"\\z");
    QTest::newRow("UTF-8") << QString::fromUtf16(u"\u00e9\u2014\uffff\U0001F680").toUtf8();
    QTest::newRow("invalid: lone continuation") << QByteArray("a\x80" "b");
    QTest::newRow("invalid: overlong") << QByteArray("\xc0\xaf");
    QTest::newRow("invalid: surrogate") << QByteArray("\xed\xa0\x80");
    QTest::newRow("invalid: past U+10FFFF") << QByteArray("\xf4\x90\x80\x80");
    QTest::newRow("invalid: truncated") << QByteArray("ok\xe2\x82");
}

void TestNewsItem::stringLiteralIsQtsBytes()
{
    QFETCH(QByteArray, utf8);
    const QByteArray array
        = QJsonDocument(QJsonArray { QString::fromUtf8(utf8) }).toJson(QJsonDocument::Compact);
    QCOMPARE(tw::core::json::stringLiteral(utf8), array.mid(1, array.size() - 2));
}

void TestNewsItem::isoTimeIsQDateTimes()
{
    const auto qt = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz'Z'"));
    };
    QList<qint64> times { 0, 1, 999, 1000, 86399999, 86400000, 951782400000 /* 2000-02-29 */,
        4107542400000 /* 2100-03-01 */, 1795599660123, 253402300799999, 253402300800000, -1,
        -62135596800000 };
    QRandomGenerator rng(20261203);
    for (int i = 0; i < 2000; ++i)
        times.append(qint64(rng.bounded(quint64(253402300800000))));
    for (qint64 ms : times)
        QCOMPARE(NewsItem::isoTime(ms), qt(ms));
}

QTEST_GUILESS_MAIN(TestNewsItem)
#include "tst_newsitem.moc"
