// SseParser against the WHATWG "event stream interpretation" algorithm: a corpus of tricky
// streams (the spec's own examples and every edge case) must give the same events, last event
// ID and retry value whether fed whole, one byte at a time, or in random chunkings.
#include "sseparser.h"

#include <QRandomGenerator>
#include <QTest>

#include <limits>

using tw::client::SseEvent;
using tw::client::SseParser;

namespace {

// A literal with embedded NULs kept.
template<std::size_t N>
QByteArray raw(const char (&s)[N])
{
    return QByteArray(s, qsizetype(N - 1));
}

// One event as "type|id|data" (the corpus has no '|' in types or ids).
QByteArray describe(const SseEvent &e) { return e.type + '|' + e.lastEventId + '|' + e.data; }

struct Outcome {
    QByteArrayList events;
    QByteArray lastEventId;
    int retry = -1;
};

Outcome run(const QList<QByteArray> &chunks)
{
    SseParser parser;
    Outcome o;
    for (const QByteArray &chunk : chunks) {
        const QList<SseEvent> events = parser.feed(chunk);
        for (const SseEvent &e : events)
            o.events.append(describe(e));
        if (const std::optional<int> r = parser.takeRetry())
            o.retry = *r;
    }
    o.lastEventId = parser.lastEventId();
    return o;
}

QList<QByteArray> byteAtATime(const QByteArray &stream)
{
    QList<QByteArray> chunks;
    for (char c : stream)
        chunks.append(QByteArray(1, c));
    return chunks;
}

QList<QByteArray> randomChunks(const QByteArray &stream, QRandomGenerator &rng)
{
    QList<QByteArray> chunks;
    qsizetype i = 0;
    while (i < stream.size()) {
        const qsizetype len = rng.bounded(0, 6); // empty chunks too
        chunks.append(stream.mid(i, len));
        i += len;
    }
    return chunks;
}

} // namespace

class tst_SseParser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void corpus_data();
    void corpus();
    void lineLimitDropsEventAndCarriesOn();
    void eventLimitDropsEvent();
    void resetConnectionKeepsLastEventIdOnly();
    void resetConnectionDiscardsUncommittedId();
    void bomOncePerConnection();
    void crAtChunkEndThenLf();
    void takeRetryOnce();
};

void tst_SseParser::corpus_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QByteArrayList>("events");
    QTest::addColumn<QByteArray>("lastEventId");
    QTest::addColumn<int>("retry");

    // The spec's examples.
    QTest::newRow("spec: stock ticker")
        << QByteArray("data: YHOO\ndata: +2\ndata: 10\n\n")
        << QByteArrayList { "message||YHOO\n+2\n10" } << QByteArray() << -1;
    QTest::newRow("spec: ids and unterminated")
        << QByteArray(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata: "
                      " third event\n")
        << QByteArrayList { "message|1|first event", "message||second event" } << QByteArray()
        << -1;
    QTest::newRow("spec: empty data")
        << QByteArray("data\n\ndata\ndata\n\ndata:")
        << QByteArrayList { "message||", "message||\n" } << QByteArray() << -1;
    QTest::newRow("spec: one leading space")
        << QByteArray("data:test\n\ndata: test\n\n")
        << QByteArrayList { "message||test", "message||test" } << QByteArray() << -1;

    // BOM.
    QTest::newRow("bom stripped") << QByteArray("\xEF\xBB\xBF"
                                                "data: a\n\n")
                                  << QByteArrayList { "message||a" } << QByteArray() << -1;
    QTest::newRow("second bom is part of the field name")
        << QByteArray("\xEF\xBB\xBF\xEF\xBB\xBF"
                      "data: a\n\ndata: b\n\n")
        << QByteArrayList { "message||b" } << QByteArray() << -1;
    QTest::newRow("partial bom is not stripped")
        << QByteArray("\xEF\xBB"
                      "data: a\n\ndata: b\n\n")
        << QByteArrayList { "message||b" } << QByteArray() << -1;
    QTest::newRow("bom only") << QByteArray("\xEF\xBB\xBF") << QByteArrayList {} << QByteArray()
                              << -1;

    // Line ends.
    QTest::newRow("cr only") << QByteArray("data: a\rdata: b\r\rdata: c\r\r")
                             << QByteArrayList { "message||a\nb", "message||c" } << QByteArray()
                             << -1;
    QTest::newRow("crlf") << QByteArray("data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n")
                          << QByteArrayList { "message||a\nb", "message||c" } << QByteArray() << -1;
    QTest::newRow("mixed") << QByteArray("data: a\r\n\rdata: b\n\r\ndata: c\r\n\ndata: d\n\r")
                           << QByteArrayList { "message||a", "message||b", "message||c",
                                  "message||d" }
                           << QByteArray() << -1;
    QTest::newRow("lf cr is two line ends")
        << QByteArray("data: a\n\rdata: b\n\n") << QByteArrayList { "message||a", "message||b" }
        << QByteArray() << -1;
    QTest::newRow("many blank lines") << QByteArray("\n\r\n\rdata: a\n\n\n\n\r\r")
                                      << QByteArrayList { "message||a" } << QByteArray() << -1;
    QTest::newRow("unterminated line at end")
        << QByteArray("data: a\n\ndata: b") << QByteArrayList { "message||a" } << QByteArray()
        << -1;
    QTest::newRow("unterminated event at end (cr)")
        << QByteArray("data: a\r") << QByteArrayList {} << QByteArray() << -1;
    QTest::newRow("unterminated event at end (crlf)")
        << QByteArray("data: a\r\n") << QByteArrayList {} << QByteArray() << -1;

    // Comments and field parsing.
    QTest::newRow("comments") << QByteArray(":comment\n: another\ndata: a\n:mid\ndata: b\n\n:\n\n")
                              << QByteArrayList { "message||a\nb" } << QByteArray() << -1;
    QTest::newRow("colon in value")
        << QByteArray("data:a:b\n\ndata: http://x/y\n\n")
        << QByteArrayList { "message||a:b", "message||http://x/y" } << QByteArray() << -1;
    QTest::newRow("only one space stripped")
        << QByteArray("data:  two\n\ndata:\ttab\n\n")
        << QByteArrayList { "message|| two", "message||\ttab" } << QByteArray() << -1;
    QTest::newRow("field without colon") << QByteArray("data\ndata: x\n\n")
                                         << QByteArrayList { "message||\nx" } << QByteArray() << -1;
    QTest::newRow("unknown fields ignored")
        << QByteArray("foo: bar\nData: no\ndata : no\ndata: a\n\n")
        << QByteArrayList { "message||a" } << QByteArray() << -1;
    QTest::newRow("utf-8 and nul in data")
        << raw("data: caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x88\n\ndata: a\0b\n\n")
        << QByteArrayList { "message||caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x88",
               raw("message||a\0b") }
        << QByteArray() << -1;

    // Event types.
    QTest::newRow("event types reset after dispatch")
        << QByteArray("event: add\ndata: 1\n\nevent: remove\ndata: 2\n\ndata: 3\n\n")
        << QByteArrayList { "add||1", "remove||2", "message||3" } << QByteArray() << -1;
    QTest::newRow("event without data is not dispatched and resets")
        << QByteArray("event: x\n\ndata: y\n\n") << QByteArrayList { "message||y" } << QByteArray()
        << -1;
    QTest::newRow("empty event type is message")
        << QByteArray("event: x\nevent\ndata: a\n\nevent:\ndata: b\n\n")
        << QByteArrayList { "message||a", "message||b" } << QByteArray() << -1;
    QTest::newRow("last event field wins") << QByteArray("event: a\nevent: b\ndata: 1\n\n")
                                           << QByteArrayList { "b||1" } << QByteArray() << -1;

    // Ids.
    QTest::newRow("id persists across events")
        << QByteArray("id: 7\ndata: a\n\ndata: b\n\n")
        << QByteArrayList { "message|7|a", "message|7|b" } << QByteArray("7") << -1;
    QTest::newRow("empty id resets")
        << QByteArray("id: 7\ndata: a\n\nid\ndata: b\n\nid: 8\ndata: c\n\nid:\ndata: d\n\n")
        << QByteArrayList { "message|7|a", "message||b", "message|8|c", "message||d" }
        << QByteArray() << -1;
    QTest::newRow("id with nul ignored")
        << raw("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n")
        << QByteArrayList { "message|1|a", "message|1|b" } << QByteArray("1") << -1;
    QTest::newRow("id without data updates the buffer")
        << QByteArray("id: 5\n\ndata: a\n\nid: 6\n\n") << QByteArrayList { "message|5|a" }
        << QByteArray("6") << -1;
    QTest::newRow("id in an unterminated event is not committed")
        << QByteArray("id: 8\ndata: a\n\nid: 9\ndata: b") << QByteArrayList { "message|8|a" }
        << QByteArray("8") << -1;
    QTest::newRow("id commits at the blank line")
        << QByteArray("data: a\nid: 9\n\n") << QByteArrayList { "message|9|a" } << QByteArray("9")
        << -1;
    QTest::newRow("id keeps spaces after the first")
        << QByteArray("id:  x y\ndata: a\n\n") << QByteArrayList { "message| x y|a" }
        << QByteArray(" x y") << -1;
    QTest::newRow("id after data in the same event")
        << QByteArray("data: a\nid: 3\n\n") << QByteArrayList { "message|3|a" } << QByteArray("3")
        << -1;

    // Retry.
    QTest::newRow("retry") << QByteArray("retry: 1500\n\n") << QByteArrayList {} << QByteArray()
                           << 1500;
    QTest::newRow("retry last wins") << QByteArray("retry: 10\nretry: 20\ndata: a\n\n")
                                     << QByteArrayList { "message||a" } << QByteArray() << 20;
    QTest::newRow("retry zero") << QByteArray("retry:0\n") << QByteArrayList {} << QByteArray()
                                << 0;
    QTest::newRow("retry non-digits ignored")
        << QByteArray("retry: 15x\nretry: -1\nretry: 1.5\nretry:\nretry\nretry:  15\nretry: +3\n\n")
        << QByteArrayList {} << QByteArray() << -1;
    QTest::newRow("retry invalid keeps previous")
        << QByteArray("retry: 300\nretry: abc\n") << QByteArrayList {} << QByteArray() << 300;
}

void tst_SseParser::corpus()
{
    QFETCH(QByteArray, stream);
    QFETCH(QByteArrayList, events);
    QFETCH(QByteArray, lastEventId);
    QFETCH(int, retry);

    const Outcome whole = run({ stream });
    QCOMPARE(whole.events, events);
    QCOMPARE(whole.lastEventId, lastEventId);
    QCOMPARE(whole.retry, retry);

    const Outcome bytes = run(byteAtATime(stream));
    QCOMPARE(bytes.events, events);
    QCOMPARE(bytes.lastEventId, lastEventId);
    QCOMPARE(bytes.retry, retry);

    // Every split into two chunks: catches CR | LF and BOM splits exactly.
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        const Outcome two = run({ stream.left(cut), stream.mid(cut) });
        QVERIFY2(two.events == events, qPrintable(QStringLiteral("split at %1").arg(cut)));
        QCOMPARE(two.lastEventId, lastEventId);
        QCOMPARE(two.retry, retry);
    }

    QRandomGenerator rng(20261125); // fixed seed: failures reproduce
    for (int round = 0; round < 200; ++round) {
        const Outcome random = run(randomChunks(stream, rng));
        QVERIFY2(random.events == events,
            qPrintable(QStringLiteral("random chunking round %1").arg(round)));
        QCOMPARE(random.lastEventId, lastEventId);
        QCOMPARE(random.retry, retry);
    }
}

void tst_SseParser::lineLimitDropsEventAndCarriesOn()
{
    const QByteArray stream = "data: first\n\ndata: ok\ndata: " + QByteArray(40, 'x')
        + "\ndata: tail\n\ndata: after\n\n";
    for (const QList<QByteArray> &chunks : { QList<QByteArray> { stream }, byteAtATime(stream) }) {
        SseParser parser(32);
        QList<SseEvent> events;
        for (const QByteArray &c : chunks)
            events += parser.feed(c);
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(0).data, QByteArray("first"));
        QCOMPARE(
            events.at(1).data, QByteArray("after")); // the over-long line's event is dropped whole
        QCOMPARE(parser.error(), SseParser::Error::LineTooLong);
        QVERIFY(!parser.errorString().isEmpty());
        QCOMPARE(parser.takeError(), SseParser::Error::LineTooLong);
        QCOMPARE(parser.error(), SseParser::Error::None);
    }
}

void tst_SseParser::eventLimitDropsEvent()
{
    SseParser parser(1024, 16);
    const QList<SseEvent> events
        = parser.feed("data: 0123456789\ndata: 0123456789\nid: 4\n\ndata: small\n\n");
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).data, QByteArray("small"));
    QCOMPARE(events.at(0).lastEventId, QByteArray()); // fields of the dropped event are ignored
    QCOMPARE(parser.error(), SseParser::Error::EventTooLarge);
}

void tst_SseParser::resetConnectionKeepsLastEventIdOnly()
{
    SseParser parser;
    QCOMPARE(parser.feed("id: 42\ndata: a\n\nevent: x\ndata: partial\ndata: half-a-li").size(), 1);
    parser.resetConnection();
    QCOMPARE(parser.lastEventId(), QByteArray("42"));
    const QList<SseEvent> events = parser.feed("ne\n\ndata: b\n\n");
    // "ne" is a new line (unknown field), the partial event and its type are gone.
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).type, QByteArray("message"));
    QCOMPARE(events.at(0).data, QByteArray("b"));
    QCOMPARE(events.at(0).lastEventId, QByteArray("42"));
}

void tst_SseParser::resetConnectionDiscardsUncommittedId()
{
    // The connection drops in the middle of event 2, after its id line: resuming must ask for
    // everything after 1, or event 2 is lost.
    SseParser parser;
    QCOMPARE(parser.feed("id: 1\ndata: a\n\nid: 2\ndata: b").size(), 1);
    QCOMPARE(parser.lastEventId(), QByteArray("1"));
    parser.resetConnection();
    QCOMPARE(parser.lastEventId(), QByteArray("1"));
    const QList<SseEvent> events = parser.feed("data: c\n\n");
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).lastEventId, QByteArray("1"));
}

void tst_SseParser::bomOncePerConnection()
{
    SseParser parser;
    QCOMPARE(parser
                 .feed("\xEF\xBB\xBF"
                       "data: a\n\n")
                 .size(),
        1);
    parser.resetConnection();
    const QList<SseEvent> events = parser.feed("\xEF\xBB\xBF"
                                               "data: b\n\n");
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).data, QByteArray("b"));
}

void tst_SseParser::crAtChunkEndThenLf()
{
    SseParser parser;
    QVERIFY(parser.feed("data: a\r").isEmpty());
    QVERIFY(parser.feed("\n").isEmpty()); // the LF completes the CRLF: still only one line end
    const QList<SseEvent> events = parser.feed("\r\n");
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).data, QByteArray("a"));
}

void tst_SseParser::takeRetryOnce()
{
    SseParser parser;
    parser.feed("retry: 250\n");
    QCOMPARE(parser.takeRetry(), std::optional<int>(250));
    QCOMPARE(parser.takeRetry(), std::optional<int>());
    parser.feed("retry: 99999999999999\n");
    QCOMPARE(parser.takeRetry(), std::optional<int>(std::numeric_limits<int>::max()));
}

QTEST_APPLESS_MAIN(tst_SseParser)
#include "tst_sseparser.moc"
