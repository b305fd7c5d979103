// FeedParser (RSS 2.0 / Atom / EDGAR) on the fixture files in tests/data/news: field mapping,
// HTML stripping, dates, ids, symbols; the same result whether the bytes come whole, in
// random chunks or one at a time; and clear errors (never a crash) on malformed, truncated,
// entity-bomb, non-feed and huge input.
#include "feedparser.h"
#include "rssprovider.h"
#include "secedgarprovider.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTest>

using tw::core::NewsItem;
using tw::news::FeedOptions;
using tw::news::FeedParser;
using tw::news::ParseResult;
using tw::news::RssProvider;
using tw::news::SecEdgarProvider;

namespace {

constexpr qint64 kNow = 1730500000000; // 2024-11-01T22:26:40Z

QByteArray fixture(const char *name)
{
    QFile f(QStringLiteral(TW_TEST_DATA_DIR "/news/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", name);
    return f.readAll();
}

qint64 utc(const char *iso) { return *NewsItem::parseIsoTime(QLatin1String(iso)); }

FeedOptions options(const QString &symbol = QString())
{
    FeedOptions o;
    o.symbol = symbol;
    o.receivedAtMs = kNow;
    return o;
}

// Items compared field by field (QCOMPARE on a whole list would only say "different").
void compareItems(const QList<NewsItem> &a, const QList<NewsItem> &b)
{
    QCOMPARE(a.size(), b.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].id, b[i].id);
        QCOMPARE(a[i].headline, b[i].headline);
        QCOMPARE(a[i].summary, b[i].summary);
        QCOMPARE(a[i].url, b[i].url);
        QCOMPARE(a[i].publishedAtMs, b[i].publishedAtMs);
        QCOMPARE(a[i].symbols, b[i].symbols);
        QCOMPARE(a[i].source, b[i].source);
    }
}

QByteArray hugeFeed(int items)
{
    QByteArray xml = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title>";
    for (int i = 0; i < items; ++i) {
        xml += "<item><title>Headline number " + QByteArray::number(i) + "</title><link>https://big.example.com/"
            + QByteArray::number(i) + "</link><description>" + QByteArray(200, 'x')
            + "</description></item>";
    }
    return xml + "</channel></rss>";
}

} // namespace

class tst_FeedParser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rssItemsAreMapped();
    void atomEntriesAreMapped();
    void edgarFilingsAreMapped();
    void htmlInDescriptionIsStripped();
    void splitInputGivesTheSameItems_data();
    void splitInputGivesTheSameItems();
    void badInputIsAClearError_data();
    void badInputIsAClearError();
    void truncatedDocumentIsAnErrorEvenWhenFedByteByByte();
    void hugeFeedIsCappedNotFatal();
};

void tst_FeedParser::rssItemsAreMapped()
{
    const ParseResult r = RssProvider::parseFeed(fixture("rss_valid.xml"), QStringLiteral("NWND"), kNow);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.feedTitle, QStringLiteral("Example Markets Wire"));
    QCOMPARE(r.items.size(), 3);

    const NewsItem &first = r.items.at(0);
    QCOMPARE(first.headline, QStringLiteral("Northwind Motors beats delivery estimates; $NWND and $ACME rally"));
    QCOMPARE(first.summary,
        QStringLiteral("Northwind Motors delivered 412,000 vehicles in the quarter, ahead of the 398,000 analysts expected."));
    QCOMPARE(first.url, QStringLiteral("https://news.example.com/2024/11/01/northwind-deliveries?utm_source=rss"));
    QCOMPARE(first.publishedAtMs, utc("2024-11-01T13:30:00Z"));
    QCOMPARE(first.receivedAtMs, kNow);
    QVERIFY(first.id.startsWith(QLatin1String("rss:")));
    QCOMPARE(first.id.size(), 4 + 32);
    QCOMPARE(first.symbols, (QStringList { QStringLiteral("NWND"), QStringLiteral("ACME") }));
    QCOMPARE(first.source, QStringLiteral("Example Markets Wire"));
    QCOMPARE(first.provider, QStringLiteral("rss"));
    QCOMPARE(first.category, QStringLiteral("general"));

    const NewsItem &second = r.items.at(1);
    QCOMPARE(second.headline, QStringLiteral("Acme Corp & partners sign chip supply deal"));
    QCOMPARE(second.summary, QStringLiteral("Acme said the agreement runs through 2027."));
    QCOMPARE(second.publishedAtMs, utc("2024-11-01T13:15:00Z")); // 09:15 -0400
    QCOMPARE(second.symbols, QStringList { QStringLiteral("NWND") });

    const NewsItem &third = r.items.at(2); // no guid: id from the link; dc:date
    QCOMPARE(third.publishedAtMs, utc("2024-10-31T18:00:00Z"));
    QVERIFY(third.id != first.id && third.id != second.id);

    // Ids are stable: the same feed parsed again gives the same ids (the hub dedupes on them).
    const ParseResult again = RssProvider::parseFeed(fixture("rss_valid.xml"), QStringLiteral("NWND"), kNow + 5000);
    QCOMPARE(again.items.at(0).id, first.id);
}

void tst_FeedParser::atomEntriesAreMapped()
{
    const ParseResult r = RssProvider::parseFeed(fixture("atom_valid.xml"), QString(), kNow);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.feedTitle, QStringLiteral("Example Filings & Research"));
    QCOMPARE(r.items.size(), 2);
    const NewsItem &a = r.items.at(0);
    QCOMPARE(a.headline, QStringLiteral("Analysts lift Contoso target to $210"));
    QCOMPARE(a.url, QStringLiteral("https://research.example.org/notes/contoso-target")); // rel=alternate, not the enclosure
    QCOMPARE(a.publishedAtMs, utc("2024-11-02T08:45:00Z")); // published wins over updated
    QCOMPARE(a.summary, QStringLiteral("Two brokers raised their targets on $CTSO after the print."));
    QCOMPARE(a.symbols, QStringList { QStringLiteral("CTSO") }); // no polled symbol: cashtags only ("$210" is no ticker)
    const NewsItem &b = r.items.at(1);
    QCOMPARE(b.headline, QStringLiteral("Fabrikam guides lower"));
    QCOMPARE(b.summary, QStringLiteral("Fabrikam cut its full-year outlook."));
    QCOMPARE(b.url, QStringLiteral("https://research.example.org/notes/fabrikam-guidance"));
    QCOMPARE(b.publishedAtMs, utc("2024-11-01T20:10:00Z"));
}

void tst_FeedParser::edgarFilingsAreMapped()
{
    const ParseResult r = SecEdgarProvider::parseFilings(fixture("edgar_atom.xml"), QStringLiteral("NWND"), kNow);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.items.size(), 2);
    const NewsItem &f = r.items.at(0);
    QCOMPARE(f.id, QStringLiteral("sec-edgar:0009999999-24-000123"));
    QCOMPARE(f.headline, QStringLiteral("NORTHWIND MOTORS INC: 8-K - Current report"));
    QCOMPARE(f.provider, QStringLiteral("sec-edgar"));
    QCOMPARE(f.category, QStringLiteral("filing"));
    QCOMPARE(f.source, QStringLiteral("SEC EDGAR"));
    QCOMPARE(f.symbols, QStringList { QStringLiteral("NWND") });
    QCOMPARE(f.url, QStringLiteral("https://www.sec.gov/Archives/edgar/data/9999999/000999999924000123/0009999999-24-000123-index.htm"));
    QCOMPARE(f.publishedAtMs, utc("2024-11-01T20:30:42Z"));
    QVERIFY2(f.summary.startsWith(QLatin1String("Filed: 2024-11-01 AccNo: 0009999999-24-000123")), qPrintable(f.summary));
    QVERIFY(f.summary.contains(QLatin1String("Item 2.02: Results of Operations")));
    // ISO-8859-1 document with a character reference: decoded, not mangled.
    QVERIFY2(r.items.at(1).summary.endsWith(QString(QStringLiteral("Caf")) + QChar(0xE9) + QStringLiteral(" segment")),
        qPrintable(r.items.at(1).summary));
}

void tst_FeedParser::htmlInDescriptionIsStripped()
{
    const ParseResult r = RssProvider::parseFeed(fixture("html_description.xml"), QStringLiteral("CTSO"), kNow);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.items.size(), 1);
    const NewsItem &item = r.items.at(0);
    QCOMPARE(item.headline, QString(QStringLiteral("Contoso")) + QChar(0x2019) + QStringLiteral("s record quarter"));
    // Scripts and styles vanish with their content; entities decode; unknown ones stay as written.
    QCOMPARE(item.summary,
        QString(QStringLiteral("Revenue rose & margins widened. Shares ")) + QChar(0x2191) + QStringLiteral(" 4% &unknown; premarket."));
    QVERIFY(item.url.isEmpty()); // a javascript: link never reaches a UI
    QCOMPARE(item.publishedAtMs, utc("2024-11-02T12:00:00Z")); // 07:00 EST
}

void tst_FeedParser::splitInputGivesTheSameItems_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<int>("chunk"); // 1 = byte at a time, 0 = random chunk sizes
    for (const char *file : { "rss_valid.xml", "atom_valid.xml", "edgar_atom.xml", "html_description.xml" }) {
        QTest::addRow("%s byte-at-a-time", file) << QByteArray(file) << 1;
        QTest::addRow("%s 7-byte chunks", file) << QByteArray(file) << 7;
        QTest::addRow("%s random chunks", file) << QByteArray(file) << 0;
    }
}

void tst_FeedParser::splitInputGivesTheSameItems()
{
    QFETCH(QByteArray, file);
    QFETCH(int, chunk);
    const QByteArray bytes = fixture(file.constData());
    const ParseResult whole = FeedParser::parse(bytes, options(QStringLiteral("NWND")));
    QVERIFY2(whole.ok(), qPrintable(whole.error));
    QVERIFY(!whole.items.isEmpty());

    FeedParser parser(options(QStringLiteral("NWND")));
    QRandomGenerator rng(42);
    for (qsizetype i = 0; i < bytes.size();) {
        const qsizetype n = chunk > 0 ? chunk : 1 + rng.bounded(64);
        parser.addData(bytes.mid(i, n));
        i += n;
    }
    const ParseResult split = parser.finish();
    QVERIFY2(split.ok(), qPrintable(split.error));
    QCOMPARE(split.feedTitle, whole.feedTitle);
    compareItems(split.items, whole.items);
}

void tst_FeedParser::badInputIsAClearError_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected"); // a fragment of the error
    QTest::newRow("malformed XML") << fixture("malformed.xml") << QStringLiteral("malformed XML at line 3");
    QTest::newRow("entity bomb") << fixture("doctype_entities.xml") << QStringLiteral("DOCTYPE declares entities");
    QTest::newRow("an HTML page") << fixture("not_a_feed.html") << QStringLiteral("not an RSS or Atom feed: the document element is <html>");
    QTest::newRow("binary garbage") << fixture("garbage.bin") << QStringLiteral("malformed XML");
    QTest::newRow("JSON") << fixture("finnhub_company_news.json") << QStringLiteral("malformed XML at line 1");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty response");
    QTest::newRow("whitespace") << QByteArray("  \n ") << QStringLiteral("empty response");
    QTest::newRow("undeclared entity") << QByteArray("<rss><channel><item><title>a&nbsp;b</title></item></channel></rss>")
                                       << QStringLiteral("malformed XML");
    QTest::newRow("truncated") << fixture("rss_valid.xml").left(700) << QStringLiteral("truncated XML");
}

void tst_FeedParser::badInputIsAClearError()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    const ParseResult whole = FeedParser::parse(bytes, options());
    QVERIFY(!whole.ok());
    QVERIFY2(whole.error.contains(expected), qPrintable(whole.error));
    QVERIFY(whole.items.isEmpty());

    FeedParser parser(options());
    for (const char c : bytes)
        parser.addData(QByteArray(1, c));
    const ParseResult split = parser.finish();
    QVERIFY(!split.ok());
    QVERIFY2(split.error.contains(expected), qPrintable(split.error));
}

void tst_FeedParser::truncatedDocumentIsAnErrorEvenWhenFedByteByByte()
{
    // Items completed before the cut must not leak out as a "successful" partial parse.
    const QByteArray bytes = fixture("atom_valid.xml");
    FeedParser parser(options());
    for (const char c : bytes.left(bytes.size() - 10))
        parser.addData(QByteArray(1, c));
    const ParseResult r = parser.finish();
    QVERIFY(!r.ok());
    QVERIFY2(r.error.contains(QLatin1String("truncated XML")), qPrintable(r.error));
    QVERIFY(r.items.isEmpty());
}

void tst_FeedParser::hugeFeedIsCappedNotFatal()
{
    FeedOptions o = options();
    o.maxItems = 1000;
    const ParseResult r = FeedParser::parse(hugeFeed(20000), o); // ~5 MB
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.items.size(), 1000);
    QCOMPARE(r.skippedEntries, 19000);
    QCOMPARE(r.items.constLast().headline, QStringLiteral("Headline number 999"));
}

QTEST_GUILESS_MAIN(tst_FeedParser)
#include "tst_feedparser.moc"
