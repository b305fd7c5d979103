// feedtext helpers: the date forms feeds and HTTP use, HTML to text, $CASHTAG scanning, link
// filtering. Data-driven: each row is an input a real feed has sent (or a hostile one).
#include "feedtext.h"

#include "newsitem.h"

#include <QTest>

namespace ft = tw::news::feedtext;

class tst_FeedText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rfc822Dates_data();
    void rfc822Dates();
    void htmlToPlainText_data();
    void htmlToPlainText();
    void cashtags_data();
    void cashtags();
    void safeLinkKeepsOnlyHttp();
    void httpDateRoundTrips();
};

void tst_FeedText::rfc822Dates_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("iso"); // empty = must not parse
    QTest::newRow("RFC 1123 GMT") << QStringLiteral("Sun, 06 Nov 1994 08:49:37 GMT") << QStringLiteral("1994-11-06T08:49:37Z");
    QTest::newRow("numeric zone") << QStringLiteral("Fri, 01 Nov 2024 09:15:00 -0400") << QStringLiteral("2024-11-01T13:15:00Z");
    QTest::newRow("positive zone") << QStringLiteral("Fri, 01 Nov 2024 09:15:00 +0530") << QStringLiteral("2024-11-01T03:45:00Z");
    QTest::newRow("EST") << QStringLiteral("Sat, 02 Nov 2024 07:00:00 EST") << QStringLiteral("2024-11-02T12:00:00Z");
    QTest::newRow("PDT") << QStringLiteral("Sat, 02 Nov 2024 07:00:00 PDT") << QStringLiteral("2024-11-02T14:00:00Z");
    QTest::newRow("no day name, no seconds") << QStringLiteral("2 Nov 2024 07:00 UT") << QStringLiteral("2024-11-02T07:00:00Z");
    QTest::newRow("two-digit year") << QStringLiteral("Tue, 10 Jun 03 04:00:00 GMT") << QStringLiteral("2003-06-10T04:00:00Z");
    QTest::newRow("full month, lower case") << QStringLiteral("Tue, 10 june 2003 04:00:00 gmt") << QStringLiteral("2003-06-10T04:00:00Z");
    QTest::newRow("no zone") << QStringLiteral("Tue, 10 Jun 2003 04:00:00") << QStringLiteral("2003-06-10T04:00:00Z");
    QTest::newRow("bad day") << QStringLiteral("Tue, 32 Jun 2003 04:00:00 GMT") << QString();
    QTest::newRow("bad month") << QStringLiteral("Tue, 10 Foo 2003 04:00:00 GMT") << QString();
    QTest::newRow("bad zone") << QStringLiteral("Tue, 10 Jun 2003 04:00:00 +99") << QString();
    QTest::newRow("garbage") << QStringLiteral("yesterday-ish") << QString();
    QTest::newRow("empty") << QString() << QString();
}

void tst_FeedText::rfc822Dates()
{
    QFETCH(QString, text);
    QFETCH(QString, iso);
    const auto parsed = ft::parseRfc822Date(text);
    if (iso.isEmpty()) {
        QVERIFY(!parsed.has_value());
        return;
    }
    QVERIFY(parsed.has_value());
    QCOMPARE(tw::core::NewsItem::isoTime(*parsed), QString(iso).replace(QLatin1String("Z"), QLatin1String(".000Z")));
}

void tst_FeedText::htmlToPlainText_data()
{
    QTest::addColumn<QString>("html");
    QTest::addColumn<QString>("text");
    QTest::newRow("tags") << QStringLiteral("<p>Hello <b>world</b></p>") << QStringLiteral("Hello world");
    QTest::newRow("breaks separate words") << QStringLiteral("one<br>two<p>three</p>four") << QStringLiteral("one two three four");
    QTest::newRow("script and style dropped") << QStringLiteral("a<script>x<y</script>b<STYLE>p{}</STYLE>c") << QStringLiteral("abc");
    QTest::newRow("entities") << QStringLiteral("AT&amp;T &lt;tag&gt; &#65;&#x42; &quot;q&quot;") << QStringLiteral("AT&T <tag> AB \"q\"");
    QTest::newRow("bare ampersand") << QStringLiteral("AT&T & co") << QStringLiteral("AT&T & co");
    QTest::newRow("invalid references stay") << QStringLiteral("&#0; &#xD800; &#99999999; &bogus;") << QStringLiteral("&#0; &#xD800; &#99999999; &bogus;");
    QTest::newRow("whitespace collapsed") << QStringLiteral("  a \n\t b  ") << QStringLiteral("a b");
    QTest::newRow("unterminated tag") << QStringLiteral("text <a href=") << QStringLiteral("text");
    QTest::newRow("unterminated script") << QStringLiteral("x<script>alert(1)") << QStringLiteral("x");
}

void tst_FeedText::htmlToPlainText()
{
    QFETCH(QString, html);
    QFETCH(QString, text);
    QCOMPARE(ft::htmlToPlainText(html), text);
}

void tst_FeedText::cashtags_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("symbols");
    QTest::newRow("two") << QStringLiteral("$TSLA and $aapl up") << QStringList { QStringLiteral("TSLA"), QStringLiteral("AAPL") };
    QTest::newRow("class shares") << QStringLiteral("$BRK.B holders") << QStringList { QStringLiteral("BRK.B") };
    QTest::newRow("prices are not tickers") << QStringLiteral("target $210, $1.5bn") << QStringList {};
    QTest::newRow("too long") << QStringLiteral("$ABCDEFG") << QStringList {};
    QTest::newRow("inside words") << QStringLiteral("US$ABC x$TSLA") << QStringList {};
    QTest::newRow("duplicates") << QStringLiteral("$NVDA $NVDA $nvda") << QStringList { QStringLiteral("NVDA") };
}

void tst_FeedText::cashtags()
{
    QFETCH(QString, text);
    QFETCH(QStringList, symbols);
    QCOMPARE(ft::cashtags(text), symbols);
}

void tst_FeedText::safeLinkKeepsOnlyHttp()
{
    QCOMPARE(ft::safeLink(QStringLiteral(" https://a.example/x?y=1 ")), QStringLiteral("https://a.example/x?y=1"));
    QCOMPARE(ft::safeLink(QStringLiteral("http://a.example/")), QStringLiteral("http://a.example/"));
    QVERIFY(ft::safeLink(QStringLiteral("javascript:alert(1)")).isEmpty());
    QVERIFY(ft::safeLink(QStringLiteral("data:text/html,<b>x</b>")).isEmpty());
    QVERIFY(ft::safeLink(QStringLiteral("file:///etc/passwd")).isEmpty());
    QVERIFY(ft::safeLink(QStringLiteral("/relative/path")).isEmpty());
    QVERIFY(ft::safeLink(QString()).isEmpty());
}

void tst_FeedText::httpDateRoundTrips()
{
    const qint64 t = *tw::core::NewsItem::parseIsoTime(QStringLiteral("1994-11-06T08:49:37Z"));
    QCOMPARE(ft::formatHttpDate(t), QByteArray("Sun, 06 Nov 1994 08:49:37 GMT"));
    QCOMPARE(*ft::parseRfc822Date(QString::fromLatin1(ft::formatHttpDate(t))), t);
}

QTEST_GUILESS_MAIN(tst_FeedText)
#include "tst_feedtext.moc"
