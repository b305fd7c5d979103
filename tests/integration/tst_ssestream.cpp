// Streaming responses and Server-Sent Events through the real server: the SSE head and
// chunk framing, event formatting, heartbeats, a client leaving, a client too slow to keep
// up, HTTP/1.0 streams, server shutdown and a request pipelined behind a stream. The client
// decodes the chunked framing itself and parses the events as EventSource does.
#include "httpresponder.h"
#include "httpserver.h"
#include "metrics.h"
#include "ssewriter.h"
#include "testhttpclient.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTest>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

using tw::http::HttpLimits;
using tw::http::HttpResponder;
using tw::http::HttpResponse;
using tw::http::HttpServer;
using tw::http::SseEvent;
using tw::http::SseWriter;
using tw::test::kWaitMs;
using tw::test::ParsedResponse;
using tw::test::TestHttpClient;
using CloseReason = tw::http::HttpResponder::CloseReason;

namespace {

const QByteArray kStreamsOpen = QByteArrayLiteral("tickerwire_http_streams_open");
const QByteArray kConnectionsOpen = QByteArrayLiteral("tickerwire_http_connections_open");
const QByteArray kHeartbeats = QByteArrayLiteral("tickerwire_sse_heartbeats_total");
const QByteArray kSlowDropped = QByteArrayLiteral("tickerwire_http_slow_consumers_dropped_total");

QByteArray get(const QByteArray &target, const QByteArray &extraHeaders = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
}

HttpLimits streamLimits()
{
    HttpLimits l;
    l.sseRetryMs = 250;
    l.heartbeatIntervalMs = 0; // tests that want heartbeats turn them on
    l.requestTimeoutMs = 5000;
    l.idleTimeoutMs = 30000;
    return l;
}

// The real server with
//   GET /stream -> an SSE stream the test drives through `writers`
//   GET /hello  -> "hello:<query>"
//   POST /echo  -> the request body
// Every stream's close reason is recorded in `closeReasons` (and what its SseWriter passed on
// in `writerCloseReasons`), in order.
class StreamFixture : public QObject {
    Q_OBJECT
public:
    explicit StreamFixture(const HttpLimits &limits)
        : server(limits, &metrics)
    {
        const tw::http::RouteTraits open { false, true, false };
        server.router().add(
            QByteArrayLiteral("GET"), QByteArrayLiteral("/stream"), open, [this](HttpResponder *r) {
                // The writer lives as long as the responder, which the connection deletes.
                connect(r, &HttpResponder::closed, this,
                    [this](CloseReason reason) { closeReasons.append(reason); });
                auto *writer = new SseWriter(r, &server, r);
                connect(writer, &SseWriter::closed, this,
                    [this](CloseReason reason) { writerCloseReasons.append(reason); });
                writers.append(writer);
                QVERIFY(writer->start({}, server.limits().sseRetryMs));
            });
        server.router().add(QByteArrayLiteral("GET"), QByteArrayLiteral("/hello"),
            { false, false, false }, [](HttpResponder *r) {
                r->respond(HttpResponse::text(
                    200, "hello:" + r->request().query, QByteArrayLiteral("text/plain")));
            });
        server.router().add(QByteArrayLiteral("POST"), QByteArrayLiteral("/echo"),
            { false, false, false }, [](HttpResponder *r) {
                r->respond(HttpResponse::text(
                    200, r->request().body, QByteArrayLiteral("application/octet-stream")));
            });
    }

    bool listen() { return server.listen(QHostAddress::LocalHost, 0); }
    double metric(const QByteArray &name, const QByteArray &labels = {}) const
    {
        return metrics.value(name, labels);
    }
    // Waits until the route has started `count` streams; returns the last one.
    SseWriter *waitForWriter(int count = 1)
    {
        if (!QTest::qWaitFor([&] { return writers.size() >= count; }, kWaitMs))
            return nullptr;
        return writers.at(count - 1);
    }

    // Declared before the server: its destructor ends open streams, which reports here.
    tw::core::MetricsRegistry metrics; // the server holds handles into it
    QList<QPointer<SseWriter>> writers;
    QList<CloseReason> closeReasons; // as the responders emitted them
    QList<CloseReason> writerCloseReasons; // as the SSE writers passed them on
    HttpServer server;
};

QString describe(const TestHttpClient &client)
{
    return QStringLiteral("protocol error: '%1'; received: '%2'")
        .arg(client.protocolError(), QString::fromLatin1(client.rawReceived().left(300)));
}

} // namespace

#define TW_WAIT_HEAD(var, client) \
    const ParsedResponse *var = (client).waitForHead(); \
    QVERIFY2(var, qPrintable(describe(client)))

class tst_SseStream : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void streamHeadAndEventFraming();
    void heartbeatOnIdleStream();
    void noHeartbeatWhileEventsFlow();
    void streamOutlivesIdleAndRequestTimeouts();
    void clientDisconnectClosesStream_data();
    void clientDisconnectClosesStream();
    void slowConsumerIsDroppedOthersKeepReceiving();
    void backlogDrainsInOrder();
    void http10StreamIsCloseDelimited();
    void serverCloseEndsOpenStreams();
    void requestPipelinedBehindStreamIsAnsweredAfterIt();
    void expectContinueBehindStreamWaitsForTheStream();
};

void tst_SseStream::streamHeadAndEventFraming()
{
    StreamFixture f(streamLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(get(QByteArrayLiteral("/stream")));

    TW_WAIT_HEAD(head, client);
    QCOMPARE(head->status, 200);
    QCOMPARE(
        head->header(QByteArrayLiteral("content-type")), QByteArrayLiteral("text/event-stream"));
    QCOMPARE(head->header(QByteArrayLiteral("cache-control")), QByteArrayLiteral("no-cache"));
    QCOMPARE(head->header(QByteArrayLiteral("x-accel-buffering")), QByteArrayLiteral("no"));
    QCOMPARE(head->header(QByteArrayLiteral("transfer-encoding")), QByteArrayLiteral("chunked"));
    QCOMPARE(head->headerCount(QByteArrayLiteral("content-length")), 0);
    QVERIFY(head->header(QByteArrayLiteral("connection")).isNull());
    QVERIFY(client.waitForBody([](const QByteArray &body) { return !body.isEmpty(); }));
    QCOMPARE(client.current()->chunks.value(0), QByteArrayLiteral("retry: 250\n\n"));
    QCOMPARE(f.metric(kStreamsOpen), 1.0);

    SseWriter *writer = f.waitForWriter();
    QVERIFY(writer);
    // A stream may be open for hours: once its handler has returned, the request keeps only
    // what identifies it.
    const tw::http::HttpRequest &held = writer->responder()->request();
    QVERIFY(held.headers.isEmpty());
    QVERIFY(held.target.isNull());
    QCOMPARE(held.path, QByteArrayLiteral("/stream"));
    QCOMPARE(held.method, QByteArrayLiteral("GET"));
    SseEvent multiLine;
    multiLine.id = QByteArrayLiteral("7");
    multiLine.event = QByteArrayLiteral("news");
    multiLine.data = QByteArrayLiteral("lf\ncr\rcrlf\r\nlast");
    QVERIFY(writer->send(multiLine));
    SseEvent injected;
    injected.id = QByteArrayLiteral("8\nevent: forged");
    injected.data = QByteArrayLiteral("{\"headline\":\"x\"}");
    QVERIFY(writer->send(injected));
    SseEvent empty;
    empty.data = QByteArray();
    QVERIFY(writer->send(empty));
    QVERIFY(client.waitForBody([](const QByteArray &body) { return body.count("\n\n") >= 4; }));

    // One chunk per write, each exactly the formatted event.
    const QList<QByteArray> chunks = client.current()->chunks;
    QCOMPARE(chunks.size(), 4);
    QCOMPARE(chunks.at(1),
        QByteArrayLiteral("id: 7\nevent: news\ndata: lf\ndata: cr\ndata: crlf\ndata: last\n\n"));
    QCOMPARE(chunks.at(2), QByteArrayLiteral("id: 8event: forged\ndata: {\"headline\":\"x\"}\n\n"));
    QCOMPARE(chunks.at(3), QByteArrayLiteral("data: \n\n"));

    // What an EventSource makes of it.
    const tw::test::SseParse parsed = tw::test::parseSse(client.current()->body);
    QCOMPARE(parsed.retries, QList<int> { 250 });
    QCOMPARE(parsed.events.size(), 3);
    QCOMPARE(parsed.events.at(0).event, QByteArrayLiteral("news"));
    QCOMPARE(parsed.events.at(0).lastEventId, QByteArrayLiteral("7"));
    QCOMPARE(parsed.events.at(0).data, QByteArrayLiteral("lf\ncr\ncrlf\nlast"));
    QCOMPARE(parsed.events.at(1).event, QByteArray()); // the forged event line stayed inside the id
    QCOMPARE(parsed.events.at(1).lastEventId, QByteArrayLiteral("8event: forged"));
    QCOMPARE(parsed.events.at(1).data, QByteArrayLiteral("{\"headline\":\"x\"}"));
    QCOMPARE(parsed.events.at(2).data, QByteArray());
    QCOMPARE(f.metric(QByteArrayLiteral("tickerwire_sse_events_total")), 3.0);

    // Ending the stream sends the last chunk and the keep-alive connection moves on.
    writer->end();
    const std::optional<ParsedResponse> done = client.nextResponse();
    QVERIFY2(done.has_value(), qPrintable(describe(client)));
    QVERIFY(done->complete);
    QTRY_COMPARE_WITH_TIMEOUT(f.metric(kStreamsOpen), 0.0, kWaitMs);
    QCOMPARE(f.closeReasons, QList<CloseReason> { CloseReason::Completed });
    client.write(get(QByteArrayLiteral("/hello?after")));
    const std::optional<ParsedResponse> next = client.nextResponse();
    QVERIFY2(next.has_value(), qPrintable(describe(client)));
    QCOMPARE(next->body, QByteArrayLiteral("hello:after"));
    QCOMPARE(client.protocolError(), QString());
}

void tst_SseStream::heartbeatOnIdleStream()
{
    HttpLimits limits = streamLimits();
    limits.heartbeatIntervalMs = 100;
    StreamFixture f(limits);
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(get(QByteArrayLiteral("/stream")));
    TW_WAIT_HEAD(head, client);
    QCOMPARE(head->status, 200);

    // Nothing is sent: the stream is idle, so comments keep it alive.
    QVERIFY2(
        client.waitForBody([](const QByteArray &body) { return body.count(": ping\n\n") >= 2; }),
        qPrintable(describe(client)));
    const QList<QByteArray> chunks = client.current()->chunks;
    QVERIFY(chunks.contains(QByteArrayLiteral(": ping\n\n")));
    const tw::test::SseParse parsed = tw::test::parseSse(client.current()->body);
    QCOMPARE(parsed.events.size(), 0); // comments are not events
    QVERIFY(parsed.comments.size() >= 2);
    QCOMPARE(parsed.comments.at(0), QByteArrayLiteral("ping"));
    QVERIFY(f.metric(kHeartbeats) >= 2.0);
    QCOMPARE(f.metric(QByteArrayLiteral("tickerwire_sse_events_total")), 0.0);
}

void tst_SseStream::noHeartbeatWhileEventsFlow()
{
    // Events every 10 ms for at least three heartbeat intervals: a heartbeat timer that was
    // not restarted by each write would fire at least twice.
    constexpr int kHeartbeatMs = 400;
    constexpr int kEventEveryMs = 10;
    HttpLimits limits = streamLimits();
    limits.heartbeatIntervalMs = kHeartbeatMs;
    StreamFixture f(limits);
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(get(QByteArrayLiteral("/stream")));
    SseWriter *writer = f.waitForWriter();
    QVERIFY(writer);

    int sent = 0;
    qint64 longestGapMs = 0;
    QElapsedTimer sinceStart;
    QElapsedTimer sinceLast;
    sinceStart.start();
    sinceLast.start();
    QTimer ticker;
    ticker.setInterval(kEventEveryMs);
    QObject::connect(&ticker, &QTimer::timeout, writer, [&] {
        longestGapMs = qMax(longestGapMs, sinceLast.restart());
        SseEvent e;
        e.data = QByteArray::number(sent);
        if (writer->send(e))
            ++sent;
        if (sinceStart.elapsed() > 3 * kHeartbeatMs && sent >= 30)
            ticker.stop();
    });
    ticker.start();
    QVERIFY(QTest::qWaitFor([&] { return !ticker.isActive(); }, 10 * kWaitMs));
    QVERIFY(client.waitForBody(
        [&](const QByteArray &body) { return tw::test::parseSse(body).events.size() == sent; }));

    if (longestGapMs >= kHeartbeatMs / 2) {
        // The machine stalled the event loop long enough that a heartbeat would be legitimate.
        QSKIP(qPrintable(QStringLiteral("event loop stalled %1 ms between events; cannot judge")
                             .arg(longestGapMs)));
    }
    QCOMPARE(f.metric(kHeartbeats), 0.0);
    QVERIFY(!client.current()->body.contains(": ping"));
}

void tst_SseStream::streamOutlivesIdleAndRequestTimeouts()
{
    // The idle and request timeouts are for connections between requests; an open stream
    // with nothing to say is neither. Three heartbeats take longer than both timeouts.
    HttpLimits limits = streamLimits();
    limits.idleTimeoutMs = 100;
    limits.requestTimeoutMs = 100;
    limits.heartbeatIntervalMs = 150;
    StreamFixture f(limits);
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(get(QByteArrayLiteral("/stream")));
    QVERIFY2(
        client.waitForBody([](const QByteArray &body) { return body.count(": ping\n\n") >= 3; }),
        qPrintable(describe(client)));
    QVERIFY(client.isConnected());
    QVERIFY(!client.current()->complete);
    QVERIFY(f.closeReasons.isEmpty());
    QCOMPARE(f.metric(kStreamsOpen), 1.0);
}

void tst_SseStream::clientDisconnectClosesStream_data()
{
    QTest::addColumn<bool>("reset");
    QTest::newRow("close") << false;
    QTest::newRow("reset") << true;
}

void tst_SseStream::clientDisconnectClosesStream()
{
    QFETCH(bool, reset);
    StreamFixture f(streamLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(get(QByteArrayLiteral("/stream")));
    QVERIFY(client.waitForBodyContains(QByteArrayLiteral("retry:")));
    QPointer<SseWriter> writer = f.waitForWriter();
    QVERIFY(writer);
    QCOMPARE(f.metric(kStreamsOpen), 1.0);
    QCOMPARE(f.metric(kConnectionsOpen), 1.0);
    QVERIFY(writer->isOpen());

    if (reset) {
        // SO_LINGER 0: close() sends RST instead of FIN.
        ::linger lg { 1, 0 };
        ::setsockopt(
            int(client.socket()->socketDescriptor()), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        client.abort();
    } else {
        client.disconnectFromServer();
    }
    QTRY_COMPARE_WITH_TIMEOUT(
        f.closeReasons, QList<CloseReason> { CloseReason::PeerClosed }, kWaitMs);
    QCOMPARE(f.writerCloseReasons, f.closeReasons);
    QTRY_COMPARE_WITH_TIMEOUT(f.metric(kStreamsOpen), 0.0, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(f.metric(kConnectionsOpen), 0.0, kWaitMs);
    // The route's writer is told (or already gone with its responder): writes go nowhere.
    QVERIFY(!writer || !writer->isOpen());
    SseEvent e;
    e.data = QByteArrayLiteral("late");
    QVERIFY(!writer || !writer->send(e));
    QTRY_VERIFY_WITH_TIMEOUT(writer.isNull(), kWaitMs); // freed with its responder
    QCOMPARE(f.server.connectionCount(), 0);
}

void tst_SseStream::slowConsumerIsDroppedOthersKeepReceiving()
{
    constexpr qint64 kBudget = 256 * 1024;
    HttpLimits limits = streamLimits();
    limits.streamBufferBytes = kBudget;
    StreamFixture f(limits);
    QVERIFY(f.listen());

    // A reader first, then a client that sends its request and never reads.
    TestHttpClient reader;
    QVERIFY(reader.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    reader.write(get(QByteArrayLiteral("/stream")));
    QPointer<SseWriter> readerStream = f.waitForWriter(1);
    QVERIFY(readerStream);
    tw::test::StalledClient stalled;
    QVERIFY(stalled.connectAndSend(f.server.serverPort(), get(QByteArrayLiteral("/stream"))));
    QPointer<SseWriter> slowStream = f.waitForWriter(2);
    QVERIFY(slowStream);
    QCOMPARE(f.metric(kStreamsOpen), 2.0);

    // The route: a 64 KiB event to every open stream every few ms; it stops writing to a
    // stream as soon as write() says the stream is gone.
    SseEvent big;
    big.data = QByteArray(64 * 1024, 'x');
    const QByteArray bigEvent = SseWriter::format(big);
    int sentToReader = 0;
    int sentToSlow = 0;
    int readerEventsAtDrop = -1;
    qint64 maxUnsent = 0;
    bool slowOpen = true;
    auto readerEvents
        = [&reader] { return reader.current() ? int(reader.current()->body.count("\n\n")) : 0; };
    QTimer ticker;
    ticker.setInterval(2);
    QObject::connect(&ticker, &QTimer::timeout, &f, [&] {
        if (readerStream && readerStream->sendFormatted(bigEvent))
            ++sentToReader;
        if (slowStream && slowOpen) {
            maxUnsent = qMax(maxUnsent, slowStream->responder()->unsentBytes());
            if (slowStream->sendFormatted(bigEvent)) {
                ++sentToSlow;
            } else {
                slowOpen = false;
                readerEventsAtDrop = readerEvents();
            }
        }
        // Keep going a while after the drop to see the reader still served.
        if (!slowOpen && sentToReader > 0 && readerEvents() >= readerEventsAtDrop + 10)
            ticker.stop();
    });
    ticker.start();
    QVERIFY2(QTest::qWaitFor([&] { return !ticker.isActive(); }, 12 * kWaitMs),
        qPrintable(
            QStringLiteral("slow stream open: %1, sent to slow: %2, to reader: %3, reader got %4")
                .arg(slowOpen)
                .arg(sentToSlow)
                .arg(sentToReader)
                .arg(readerEvents())));

    QCOMPARE(f.closeReasons, QList<CloseReason> { CloseReason::SlowConsumer });
    QCOMPARE(f.writerCloseReasons, f.closeReasons);
    QCOMPARE(f.metric(kSlowDropped), 1.0);
    QCOMPARE(f.metric(kStreamsOpen), 1.0);
    QVERIFY(sentToSlow > 0);
    QVERIFY(!slowStream || !slowStream->isOpen());
    // The budget bounds what the server queued for the slow client.
    QVERIFY2(maxUnsent <= kBudget, qPrintable(QString::number(maxUnsent)));
    // The reader got every event sent to it, in full.
    QVERIFY(reader.waitForBody(
        [&](const QByteArray &body) { return int(body.count("\n\n")) == sentToReader; },
        2 * kWaitMs));
    QCOMPARE(reader.protocolError(), QString());
    QVERIFY(reader.isConnected());

    QVERIFY(readerStream);
    readerStream->end();
    QTRY_COMPARE_WITH_TIMEOUT(f.metric(kStreamsOpen), 0.0, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(
        f.server.connectionCount(), 1, kWaitMs); // the reader's keep-alive connection
}

void tst_SseStream::backlogDrainsInOrder()
{
    // Stream writes go straight to the kernel while Qt holds nothing for the socket, and into
    // QTcpSocket's buffer behind a full kernel buffer -- after which every write must queue
    // behind that backlog until Qt has sent it, even when the kernel has room again, or events
    // would interleave. A reader thread drains the socket all along while the route writes
    // without returning to the event loop (Qt cannot flush its buffer meanwhile).
    HttpLimits limits = streamLimits();
    limits.streamBufferBytes = 256 * 1024 * 1024; // not a slow-consumer test
    StreamFixture f(limits);
    QVERIFY(f.listen());
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QVERIFY(fd >= 0);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(f.server.serverPort());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    const QByteArray request = get(QByteArrayLiteral("/stream"));
    QCOMPARE(::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL), ssize_t(request.size()));
    QPointer<SseWriter> stream = f.waitForWriter(1);
    QVERIFY(stream);

    std::atomic<bool> paused { true };
    QByteArray received; // raw: head and chunk framing included
    std::thread readerThread([&] {
        char buf[65536];
        for (;;) {
            if (paused.load()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                return;
            received.append(buf, n);
        }
    });
    const QByteArray padding = QByteArray(8 * 1024, 'p') + "\n\n";
    int sent = 0;
    auto send = [&](int count) {
        for (int i = 0; i < count; ++i, ++sent) {
            const QByteArray id = QByteArray::number(sent);
            if (!stream->sendFormattedParts({ QByteArrayView("id: "), QByteArrayView(id),
                    QByteArrayView("\ndata: n:"), QByteArrayView(id), QByteArrayView(padding) }))
                return false;
        }
        return true;
    };
    bool ok = true;
    qint64 queued = 0;
    for (int round = 0; round < 64 && queued == 0 && ok; ++round) {
        ok = send(256); // 2 MiB a round, until the kernel stops taking it and Qt queues
        queued = stream->responder()->unsentBytes();
    }
    paused = false; // the kernel buffer drains from here on
    for (int round = 0; round < 50 && ok; ++round) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        ok = send(4); // the kernel has room now, but Qt still holds the backlog
    }
    const qint64 stillQueued = stream->responder()->unsentBytes();
    QVERIFY(QTest::qWaitFor([&] { return stream->responder()->unsentBytes() == 0; }, 4 * kWaitMs));
    ok = ok && send(8); // straight to the kernel again
    stream->end();
    const bool drained = QTest::qWaitFor([&] { return f.metric(kStreamsOpen) == 0.0; }, 4 * kWaitMs);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::shutdown(fd, SHUT_RDWR);
    readerThread.join();
    ::close(fd);
    QVERIFY(ok);
    QVERIFY2(queued > 0, "the kernel took everything: the backlog path was not exercised");
    QVERIFY2(stillQueued > 0, "Qt's buffer drained during the writes: nothing was tested");
    QVERIFY(drained);

    QList<int> ids;
    for (qsizetype at = received.indexOf("data: n:"); at >= 0; at = received.indexOf("data: n:", at + 1)) {
        const qsizetype end = received.indexOf('p', at + 8);
        ids.append(received.mid(at + 8, end - at - 8).toInt());
    }
    QCOMPARE(ids.size(), sent);
    for (int i = 0; i < ids.size(); ++i)
        QCOMPARE(ids.at(i), i);
    QVERIFY(received.endsWith("\r\n0\r\n\r\n"));
}

void tst_SseStream::http10StreamIsCloseDelimited()
{
    StreamFixture f(streamLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(QByteArrayLiteral("GET /stream HTTP/1.0\r\n\r\n"));
    TW_WAIT_HEAD(head, client);
    QCOMPARE(head->status, 200);
    QCOMPARE(
        head->header(QByteArrayLiteral("content-type")), QByteArrayLiteral("text/event-stream"));
    QCOMPARE(head->headerCount(QByteArrayLiteral("transfer-encoding")), 0);
    QCOMPARE(head->headerCount(QByteArrayLiteral("content-length")), 0);
    QCOMPARE(head->header(QByteArrayLiteral("connection")).toLower(), QByteArrayLiteral("close"));

    SseWriter *writer = f.waitForWriter();
    QVERIFY(writer);
    SseEvent e;
    e.id = QByteArrayLiteral("1");
    e.data = QByteArrayLiteral("one");
    QVERIFY(writer->send(e));
    QVERIFY(client.waitForBodyContains(QByteArrayLiteral("data: one\n\n")));
    QVERIFY(client.isConnected());
    writer->end();

    QVERIFY(client.waitForDisconnected());
    const std::optional<ParsedResponse> r = client.nextResponse();
    QVERIFY2(r.has_value(), qPrintable(describe(client)));
    // The raw bytes, with no chunk framing around them.
    QCOMPARE(r->body, QByteArrayLiteral("retry: 250\n\nid: 1\ndata: one\n\n"));
    QTRY_COMPARE_WITH_TIMEOUT(f.metric(kStreamsOpen), 0.0, kWaitMs);
    QCOMPARE(f.closeReasons, QList<CloseReason> { CloseReason::Completed });
}

void tst_SseStream::serverCloseEndsOpenStreams()
{
    StreamFixture f(streamLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(get(QByteArrayLiteral("/stream")));
    QVERIFY(client.waitForBodyContains(QByteArrayLiteral("retry:")));
    SseWriter *writer = f.waitForWriter();
    QVERIFY(writer);
    SseEvent e;
    e.data = QByteArrayLiteral("before shutdown");
    QVERIFY(writer->send(e));

    f.server.close();
    QVERIFY(!f.server.isListening());
    QCOMPARE(f.closeReasons, QList<CloseReason> { CloseReason::ServerShutdown });
    QCOMPARE(f.writerCloseReasons, f.closeReasons);

    // The client sees the event, then a properly terminated chunked body, then the close.
    const std::optional<ParsedResponse> r = client.nextResponse();
    QVERIFY2(r.has_value(), qPrintable(describe(client)));
    QVERIFY(r->complete);
    QVERIFY(r->body.endsWith("data: before shutdown\n\n"));
    QVERIFY(client.rawReceived().endsWith("\r\n0\r\n\r\n"));
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.unparsed(), QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(f.metric(kStreamsOpen), 0.0, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(f.metric(kConnectionsOpen), 0.0, kWaitMs);
}

void tst_SseStream::requestPipelinedBehindStreamIsAnsweredAfterIt()
{
    StreamFixture f(streamLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(get(QByteArrayLiteral("/stream")) + get(QByteArrayLiteral("/hello?queued")));

    SseWriter *writer = f.waitForWriter();
    QVERIFY(writer);
    SseEvent e;
    e.data = QByteArrayLiteral("while queued");
    QVERIFY(writer->send(e));
    QVERIFY(client.waitForBodyContains(QByteArrayLiteral("data: while queued\n\n")));
    // The queued request waits: nothing but the stream has arrived.
    QCOMPARE(client.completeResponses(), 0);
    QCOMPARE(client.unparsed(), QByteArray());

    writer->end();
    const std::optional<ParsedResponse> stream = client.nextResponse();
    QVERIFY2(stream.has_value(), qPrintable(describe(client)));
    QCOMPARE(
        stream->header(QByteArrayLiteral("content-type")), QByteArrayLiteral("text/event-stream"));
    QVERIFY(stream->body.endsWith("data: while queued\n\n"));
    const std::optional<ParsedResponse> queued = client.nextResponse();
    QVERIFY2(queued.has_value(), qPrintable(describe(client)));
    QCOMPARE(queued->status, 200);
    QCOMPARE(queued->body, QByteArrayLiteral("hello:queued"));
    QVERIFY(client.isConnected());
    QCOMPARE(f.metric(kStreamsOpen), 0.0);
}

void tst_SseStream::expectContinueBehindStreamWaitsForTheStream()
{
    StreamFixture f(streamLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    // The second request asks for 100-continue and holds its body back. Its interim answer
    // belongs after the stream's response, never before or inside it.
    client.write(get(QByteArrayLiteral("/stream"))
        + QByteArrayLiteral("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                            "Expect: 100-continue\r\n\r\n"));

    TW_WAIT_HEAD(head, client);
    QCOMPARE(head->status, 200);
    QCOMPARE(
        head->header(QByteArrayLiteral("content-type")), QByteArrayLiteral("text/event-stream"));
    SseWriter *writer = f.waitForWriter();
    QVERIFY(writer);
    SseEvent e;
    e.data = QByteArrayLiteral("during");
    QVERIFY(writer->send(e));
    QVERIFY2(client.waitForBodyContains(QByteArrayLiteral("data: during\n\n")),
        qPrintable(describe(client)));
    QCOMPARE(client.protocolError(), QString());
    writer->end();

    const std::optional<ParsedResponse> stream = client.nextResponse();
    QVERIFY2(stream.has_value(), qPrintable(describe(client)));
    QCOMPARE(stream->status, 200);
    const std::optional<ParsedResponse> interim = client.nextResponse();
    QVERIFY2(interim.has_value(), qPrintable(describe(client)));
    QCOMPARE(interim->status, 100);
    client.write(QByteArrayLiteral("hello"));
    const std::optional<ParsedResponse> echo = client.nextResponse();
    QVERIFY2(echo.has_value(), qPrintable(describe(client)));
    QCOMPARE(echo->status, 200);
    QCOMPARE(echo->body, QByteArrayLiteral("hello"));
}

QTEST_GUILESS_MAIN(tst_SseStream)
#include "tst_ssestream.moc"
