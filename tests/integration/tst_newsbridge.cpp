// NewsBridge (the seed's browser bridge, GET /api/mcp/stream-news) across a server restart, over
// real sockets on 127.0.0.1: a client that read some items from one run of the server and
// resumes with its Last-Event-ID on the next run must get every item the new run published for
// its symbols -- none skipped because its old id looked like a number from the new run's
// future -- and a ": gap" comment saying that what the old run sent after its id is gone.
// Each "run" is a whole ServerRuntime (security pipeline, router, hub, bridge) without news
// providers, so the test decides exactly which items each run publishes.
#include "httpserver.h"
#include "newshub.h"
#include "serverconfig.h"
#include "serverruntime.h"
#include "testhttpclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <memory>

using tw::core::NewsItem;
using tw::news::ItemPtr;
using tw::server::ServerConfig;
using tw::server::ServerRuntime;
using tw::test::ParsedResponse;
using tw::test::SseMessage;
using tw::test::TestHttpClient;

namespace {

constexpr int kTimeoutMs = 10000;

NewsItem makeItem(int n, const QString &symbol)
{
    NewsItem item;
    item.id = QStringLiteral("bridge-test:%1").arg(n);
    item.symbols = { symbol };
    item.headline = QStringLiteral("Story number %1 about widget %2 pricing").arg(n).arg(n * 7);
    item.source = QStringLiteral("Test Source");
    item.url = QStringLiteral("https://news.example/story/%1").arg(n);
    item.publishedAtMs = 1795599660000 + n * 1000;
    item.provider = QStringLiteral("test");
    return item;
}

// Items first..first+count-1, alternating TSLA and AAPL (the client watches TSLA only).
QList<NewsItem> makeItems(int first, int count)
{
    QList<NewsItem> out;
    for (int n = first; n < first + count; ++n)
        out.append(makeItem(n, n % 2 == 0 ? QStringLiteral("TSLA") : QStringLiteral("AAPL")));
    return out;
}

QList<quint64> tslaSequences(const QList<ItemPtr> &items)
{
    QList<quint64> out;
    for (const ItemPtr &p : items) {
        if (p->item.symbols.contains(QStringLiteral("TSLA")))
            out.append(p->item.sequence);
    }
    return out;
}

QList<quint64> eventIds(const tw::test::SseParse &parsed)
{
    QList<quint64> out;
    for (const SseMessage &e : parsed.events) {
        bool ok = false;
        const quint64 id = e.lastEventId.toULongLong(&ok);
        if (ok)
            out.append(id);
    }
    return out;
}

// The item ids the progress notifications carried, in order.
QStringList itemIds(const tw::test::SseParse &parsed)
{
    QStringList out;
    for (const SseMessage &e : parsed.events) {
        const QJsonObject params = QJsonDocument::fromJson(e.data).object().value(QStringLiteral("params")).toObject();
        const QJsonObject item = QJsonDocument::fromJson(params.value(QStringLiteral("message")).toString().toUtf8()).object();
        if (!item.isEmpty())
            out.append(item.value(QStringLiteral("id")).toString());
    }
    return out;
}

QStringList gapComments(const tw::test::SseParse &parsed)
{
    QStringList out;
    for (const QByteArray &c : parsed.comments) {
        if (c.startsWith("gap: "))
            out.append(QString::fromUtf8(c));
    }
    return out;
}

} // namespace

class tst_NewsBridge : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanup();
    void resumeAfterRestartGetsEverythingTheNewRunPublished();
    void resumeAfterRestartBeforeTheNewRunPublished();

private:
    // Starts a run of the server (on `port`, 0 = any) with no providers; the hub's sequence
    // base is the default one, as in production.
    std::unique_ptr<ServerRuntime> startRun(quint16 port);
    // Opens a TSLA bridge stream on `port`, resuming after `lastEventId` when non-zero.
    std::unique_ptr<TestHttpClient> openStream(quint16 port, quint64 lastEventId);
    // First run: a client reads the first `read` TSLA items, then the run stops. Returns the
    // client's Last-Event-ID and the port the run listened on.
    void firstRun(quint64 *lastEventId, quint16 *port);

    std::unique_ptr<ServerRuntime> m_run;
};

void tst_NewsBridge::cleanup()
{
    m_run.reset();
}

std::unique_ptr<ServerRuntime> tst_NewsBridge::startRun(quint16 port)
{
    ServerConfig config;
    config.port = port;
    config.newsProviders.clear();
    config.security.requestsPerMinute = 0;
    config.security.streamsPerMinute = 0;
    auto run = std::make_unique<ServerRuntime>(config);
    QString error;
    if (!run->start(&error)) {
        qWarning("server did not start on port %u: %s", unsigned(port), qPrintable(error));
        return nullptr;
    }
    return run;
}

std::unique_ptr<TestHttpClient> tst_NewsBridge::openStream(quint16 port, quint64 lastEventId)
{
    auto client = std::make_unique<TestHttpClient>();
    if (!client->connectToServer(QHostAddress::LocalHost, port))
        return nullptr;
    QByteArray request = "GET /api/mcp/stream-news?symbol=TSLA&duration=600000&interval=300000 HTTP/1.1\r\nHost: 127.0.0.1:"
        + QByteArray::number(port) + "\r\nAccept: text/event-stream\r\n";
    if (lastEventId > 0)
        request += "Last-Event-ID: " + QByteArray::number(lastEventId) + "\r\n";
    client->write(request + "\r\n");
    const ParsedResponse *head = client->waitForHead(kTimeoutMs);
    if (!head || head->status != 200)
        return nullptr;
    return client;
}

void tst_NewsBridge::firstRun(quint64 *lastEventId, quint16 *port)
{
    m_run = startRun(0);
    QVERIFY(m_run);
    *port = m_run->httpServer()->serverPort();
    auto client = openStream(*port, 0);
    QVERIFY(client);
    // The stream is subscribed once its head is out: these all go to it live.
    const QList<quint64> published = tslaSequences(m_run->newsHub()->ingest(makeItems(0, 8)));
    QCOMPARE(published.size(), 4);
    QVERIFY(client->waitForBody([](const QByteArray &b) { return tw::test::parseSse(b).events.size() >= 4; }, kTimeoutMs));
    const QList<quint64> got = eventIds(tw::test::parseSse(client->current()->body));
    QCOMPARE(got, published);
    *lastEventId = got.constLast();

    // The server goes away (a restart, a crash): the connection ends under the client.
    m_run.reset();
    QVERIFY(client->waitForDisconnected(kTimeoutMs));
}

void tst_NewsBridge::resumeAfterRestartGetsEverythingTheNewRunPublished()
{
    quint64 lastEventId = 0;
    quint16 port = 0;
    firstRun(&lastEventId, &port);
    if (QTest::currentTestFailed())
        return;

    // The next run, on the same port, publishes before the client is back: first the same
    // stories again (a same-seed demo repeats itself; clients de-duplicate by item id), then
    // new ones. Its hub is new, so nothing here is a duplicate to it.
    m_run = startRun(port);
    QVERIFY(m_run);
    QVERIFY2(m_run->newsHub()->firstSequence() > lastEventId,
        qPrintable(QStringLiteral("new run starts at %1, the client's id is %2")
                       .arg(m_run->newsHub()->firstSequence())
                       .arg(lastEventId)));
    const QList<ItemPtr> newRun = m_run->newsHub()->ingest(makeItems(0, 14));
    const QList<quint64> expected = tslaSequences(newRun);
    QCOMPARE(expected.size(), 7);

    auto client = openStream(port, lastEventId);
    QVERIFY(client);
    QVERIFY(client->waitForBody(
        [&](const QByteArray &b) { return tw::test::parseSse(b).events.size() >= expected.size(); }, kTimeoutMs));
    tw::test::SseParse parsed = tw::test::parseSse(client->current()->body);
    // Every TSLA item of the new run, in order: none skipped for looking older than the client.
    QCOMPARE(eventIds(parsed), expected);
    QStringList expectedIds;
    for (int n = 0; n < 14; n += 2)
        expectedIds.append(QStringLiteral("bridge-test:%1").arg(n));
    QCOMPARE(itemIds(parsed), expectedIds);
    // ...and before them, the comment saying what the old run sent after the id is gone.
    const QStringList gaps = gapComments(parsed);
    QCOMPARE(gaps.size(), 1);
    QVERIFY2(gaps.at(0).contains(QString::number(lastEventId)), qPrintable(gaps.at(0)));
    QVERIFY(client->current()->body.indexOf(": gap: ") < client->current()->body.indexOf("id: "));

    // Then live, as any stream.
    const QList<quint64> live = tslaSequences(m_run->newsHub()->ingest(makeItems(100, 2)));
    QCOMPARE(live.size(), 1);
    QVERIFY(client->waitForBody(
        [&](const QByteArray &b) { return tw::test::parseSse(b).events.size() > expected.size(); }, kTimeoutMs));
    parsed = tw::test::parseSse(client->current()->body);
    QCOMPARE(eventIds(parsed), expected + live);
}

void tst_NewsBridge::resumeAfterRestartBeforeTheNewRunPublished()
{
    quint64 lastEventId = 0;
    quint16 port = 0;
    firstRun(&lastEventId, &port);
    if (QTest::currentTestFailed())
        return;

    // The client is back before the new run has anything: told about the gap, then every
    // item the new run publishes arrives (its numbers are all above the client's old id).
    m_run = startRun(port);
    QVERIFY(m_run);
    auto client = openStream(port, lastEventId);
    QVERIFY(client);
    QVERIFY(client->waitForBody([](const QByteArray &b) { return b.contains(": gap: "); }, kTimeoutMs));
    const QList<quint64> expected = tslaSequences(m_run->newsHub()->ingest(makeItems(0, 10)));
    QCOMPARE(expected.size(), 5);
    QVERIFY(client->waitForBody(
        [&](const QByteArray &b) { return tw::test::parseSse(b).events.size() >= expected.size(); }, kTimeoutMs));
    QCOMPARE(eventIds(tw::test::parseSse(client->current()->body)), expected);
}

QTEST_GUILESS_MAIN(tst_NewsBridge)
#include "tst_newsbridge.moc"
