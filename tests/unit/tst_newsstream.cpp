// NewsStream, the engine of stream_market_news and the browser bridge, on a NewsHub fed by
// hand: live items for its symbols only, in order; replay from a sequence; heartbeats and the
// duration end; stop() is idempotent and frees the hub subscription; the result lists what was
// sent (and says when it had to leave items out).
#include "newshub.h"
#include "newsstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace tw::news;
using tw::core::NewsItem;

namespace {

// Sequence numbers 1, 2, 3... (a hub's default base comes from the clock).
NewsHubSettings fromOne()
{
    NewsHubSettings s;
    s.firstSequence = 1;
    return s;
}

NewsItem makeItem(int n, const QString &symbol)
{
    NewsItem item;
    item.id = QStringLiteral("t:%1").arg(n);
    item.symbols = { symbol };
    item.headline = QStringLiteral("Story number %1 about widget %2 pricing").arg(n).arg(n * 7);
    item.source = QStringLiteral("Test Source");
    item.url = QStringLiteral("https://news.example/story/%1").arg(n);
    item.publishedAtMs = 1795599660000 + n * 1000;
    item.provider = QStringLiteral("test");
    return item;
}

NewsStreamOptions options(const QString &symbol, int intervalMs = 0, int durationMs = 0)
{
    NewsStreamOptions o;
    o.filter = NewsFilter::fromLists({ symbol }, {});
    o.symbols = { symbol };
    o.intervalMs = intervalMs;
    o.durationMs = durationMs;
    return o;
}

// The items a stream hands to its handler, by sequence.
struct ItemLog {
    explicit ItemLog(NewsStream &stream)
    {
        stream.setItemHandler(&context, [this](const ItemPtr &item) { sequences.append(item->item.sequence); });
    }
    QObject context;
    QList<quint64> sequences;
};

} // namespace

class tst_NewsStream : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void liveItemsForItsSymbolsOnly();
    void replayFromSequenceThenLive();
    void handlerEndsWithItsContext();
    void heartbeatsAndDuration();
    void stopIsIdempotentAndFrees();
    void resultListsWhatWasSent();
    void resultJsonMatchesResult_data();
    void resultJsonMatchesResult();
};

void tst_NewsStream::liveItemsForItsSymbolsOnly()
{
    NewsHub hub(fromOne());
    hub.ingest({ makeItem(1, QStringLiteral("TSLA")) }); // before the stream: not sent
    NewsStream stream(&hub, options(QStringLiteral("TSLA")));
    ItemLog items(stream);
    stream.start();
    QCOMPARE(items.sequences.size(), 0);
    hub.ingest({ makeItem(2, QStringLiteral("AAPL")), makeItem(3, QStringLiteral("TSLA")),
        makeItem(4, QStringLiteral("TSLA")) });
    QCOMPARE(items.sequences, (QList<quint64> { 3, 4 }));
    QCOMPARE(stream.itemCount(), 2);
    QCOMPARE(stream.eventCount(), quint64(2));
    QCOMPARE(stream.lastSequence(), quint64(4));
}

void tst_NewsStream::replayFromSequenceThenLive()
{
    NewsHub hub(fromOne());
    for (int i = 1; i <= 4; ++i)
        hub.ingest({ makeItem(i, QStringLiteral("TSLA")) });
    NewsStreamOptions o = options(QStringLiteral("TSLA"));
    o.fromSequence = 2;
    NewsStream stream(&hub, o);
    ItemLog items(stream);
    stream.start();
    QCOMPARE(items.sequences, (QList<quint64> { 3, 4 })); // replayed before start() returned
    hub.ingest({ makeItem(5, QStringLiteral("TSLA")) });
    QCOMPARE(items.sequences, (QList<quint64> { 3, 4, 5 }));
}

void tst_NewsStream::handlerEndsWithItsContext()
{
    // The handler's context is what a connection's receiver was: the SSE writer or the MCP
    // request. Once it is gone, items still count for the result but call nothing.
    NewsHub hub(fromOne());
    NewsStream stream(&hub, options(QStringLiteral("TSLA")));
    QList<quint64> seen;
    auto context = std::make_unique<QObject>();
    stream.setItemHandler(context.get(), [&seen](const ItemPtr &item) { seen.append(item->item.sequence); });
    stream.start();
    hub.ingest({ makeItem(1, QStringLiteral("TSLA")) });
    context.reset();
    hub.ingest({ makeItem(2, QStringLiteral("TSLA")) });
    QCOMPARE(seen, (QList<quint64> { 1 }));
    QCOMPARE(stream.itemCount(), 2);
}

void tst_NewsStream::heartbeatsAndDuration()
{
    NewsHub hub(fromOne());
    NewsStream stream(&hub, options(QStringLiteral("TSLA"), 10, 300));
    QSignalSpy heartbeats(&stream, &NewsStream::heartbeat);
    QSignalSpy ended(&stream, &NewsStream::ended);
    stream.start();
    hub.ingest({ makeItem(1, QStringLiteral("TSLA")) });
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
    QCOMPARE(ended.at(0).at(0).value<NewsStream::EndReason>(), NewsStream::EndReason::Duration);
    QVERIFY(heartbeats.count() >= 1);
    QCOMPARE(stream.eventCount(), quint64(heartbeats.count() + 1));
    QCOMPARE(hub.subscriptionCount(), 0);
    const int afterEnd = heartbeats.count();
    hub.ingest({ makeItem(2, QStringLiteral("TSLA")) });
    QTest::qWait(50);
    QCOMPARE(heartbeats.count(), afterEnd);
    QCOMPARE(stream.itemCount(), 1);

    const QJsonObject hb
        = QJsonDocument::fromJson(NewsStream::heartbeatJson(1795599660000, 3)).object();
    QCOMPARE(hb.value(QStringLiteral("type")).toString(), QStringLiteral("heartbeat"));
    QCOMPARE(hb.value(QStringLiteral("at")).toString(), QStringLiteral("2026-11-25T09:41:00.000Z"));
    QCOMPARE(hb.value(QStringLiteral("items")).toInt(), 3);
}

void tst_NewsStream::stopIsIdempotentAndFrees()
{
    NewsHub hub(fromOne());
    {
        NewsStream stream(&hub, options(QStringLiteral("TSLA")));
        QSignalSpy ended(&stream, &NewsStream::ended);
        stream.start();
        QCOMPARE(hub.subscriptionCount(), 1);
        stream.stop(NewsStream::EndReason::Cancelled);
        stream.stop(NewsStream::EndReason::Duration);
        QCOMPARE(ended.count(), 1);
        QCOMPARE(
            ended.at(0).at(0).value<NewsStream::EndReason>(), NewsStream::EndReason::Cancelled);
        QCOMPARE(hub.subscriptionCount(), 0);
    }
    {
        auto *stream = new NewsStream(&hub, options(QStringLiteral("TSLA")));
        stream->start();
        QCOMPARE(hub.subscriptionCount(), 1);
        delete stream; // the owner (request context, HTTP responder) went away
        QCOMPARE(hub.subscriptionCount(), 0);
        hub.ingest({ makeItem(1, QStringLiteral("TSLA")) });
    }
}

void tst_NewsStream::resultListsWhatWasSent()
{
    NewsHub hub(fromOne());
    NewsStreamOptions o = options(QStringLiteral("TSLA"));
    o.maxResultItems = 2;
    NewsStream stream(&hub, o);
    stream.start();
    for (int i = 1; i <= 5; ++i)
        hub.ingest({ makeItem(i, QStringLiteral("TSLA")) });
    const QJsonObject result = stream.result(NewsStream::EndReason::Duration);
    const QJsonObject sc = result.value(QStringLiteral("structuredContent")).toObject();
    QCOMPARE(sc.value(QStringLiteral("count")).toInt(), 5);
    QCOMPARE(sc.value(QStringLiteral("items")).toArray().size(), 2);
    QCOMPARE(sc.value(QStringLiteral("items"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("id"))
                 .toString(),
        QStringLiteral("t:1"));
    QCOMPARE(sc.value(QStringLiteral("truncated")).toBool(), true);
    QCOMPARE(sc.value(QStringLiteral("endReason")).toString(), QStringLiteral("duration"));
    QCOMPARE(sc.value(QStringLiteral("symbols")).toArray(), QJsonArray { QStringLiteral("TSLA") });
    const QString text = result.value(QStringLiteral("content"))
                             .toArray()
                             .at(0)
                             .toObject()
                             .value(QStringLiteral("text"))
                             .toString();
    QVERIFY(text.contains(QStringLiteral("Streamed 5 news item(s) for TSLA")));
}

void tst_NewsStream::resultJsonMatchesResult_data()
{
    QTest::addColumn<int>("items");
    QTest::addColumn<int>("maxResultItems");
    QTest::addColumn<NewsStream::EndReason>("reason");
    QTest::newRow("none") << 0 << 10 << NewsStream::EndReason::Duration;
    QTest::newRow("some") << 3 << 10 << NewsStream::EndReason::Cancelled;
    QTest::newRow("truncated") << 5 << 2 << NewsStream::EndReason::Duration;
}

// The bridge sends resultJson() (spliced bytes); MCP sends result() (QJsonObject): a client
// must not be able to tell them apart.
void tst_NewsStream::resultJsonMatchesResult()
{
    QFETCH(int, items);
    QFETCH(int, maxResultItems);
    QFETCH(NewsStream::EndReason, reason);
    NewsHub hub(fromOne());
    NewsStreamOptions o = options(QStringLiteral("TSLA"));
    o.maxResultItems = maxResultItems;
    NewsStream stream(&hub, o);
    stream.start();
    for (int i = 1; i <= items; ++i)
        hub.ingest({ makeItem(i, QStringLiteral("TSLA")) });
    const QByteArray json = stream.resultJson(reason);
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(parsed.object(), stream.result(reason));
    QCOMPARE(json, QJsonDocument(stream.result(reason)).toJson(QJsonDocument::Compact));
}

QTEST_GUILESS_MAIN(tst_NewsStream)
#include "tst_newsstream.moc"
