// SseStream (app/client) over real sockets on 127.0.0.1 against a deliberately awkward server
// written on a raw QTcpServer: it splits chunks mid-line and mid-UTF-8, stalls, drops the
// connection mid-event, and answers 204, 500 and the wrong content type; and against the real
// HTTP server (tw_http's SseWriter: retry, heartbeats, the JSON error envelope). Waits are
// QTRY_* only; nothing asserts a duration (settings are small so the tests are quick).
#include "ssestream.h"

#include "httplimits.h"
#include "httpresponder.h"
#include "httpresponse.h"
#include "httpserver.h"
#include "metrics.h"
#include "ssewriter.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <functional>
#include <memory>

using tw::client::SseEvent;
using tw::client::SseStream;

namespace {

struct Request {
    QByteArray method;
    QByteArray target;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;

    QByteArray header(const QByteArray &lowerName) const
    {
        for (const auto &h : headers) {
            if (h.first == lowerName)
                return h.second;
        }
        return QByteArray();
    }
    bool hasHeader(const QByteArray &lowerName) const
    {
        for (const auto &h : headers) {
            if (h.first == lowerName)
                return true;
        }
        return false;
    }
};

// One request per connection (every response says Connection: close), handed to `handler`
// with the socket; the handler writes whatever it likes, whenever it likes.
class AwkwardServer : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<void(QTcpSocket *socket, const Request &request, int index)>;

    explicit AwkwardServer(QObject *parent = nullptr)
        : QObject(parent)
    {
        connect(&m_server, &QTcpServer::newConnection, this, &AwkwardServer::onNewConnection);
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url(const QString &path = QStringLiteral("/events")) const
    {
        QUrl u;
        u.setScheme(QStringLiteral("http"));
        u.setHost(QStringLiteral("127.0.0.1"));
        u.setPort(m_server.serverPort());
        u.setPath(path);
        return u;
    }

    Handler handler;
    QList<Request> requests;
    QList<QPointer<QTcpSocket>> sockets; // one per request, in order
    int accepted = 0;
    int disconnected = 0;

    static void sendHead(QTcpSocket *socket, int status, const QByteArray &reason,
        const QByteArray &contentType, const QByteArray &extraHeaders = QByteArray())
    {
        QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
        if (!contentType.isEmpty())
            head += "Content-Type: " + contentType + "\r\n";
        if (status != 204)
            head += "Transfer-Encoding: chunked\r\n";
        head += "Cache-Control: no-cache\r\nConnection: close\r\n" + extraHeaders + "\r\n";
        socket->write(head);
        socket->flush();
    }
    static void sendChunk(QTcpSocket *socket, const QByteArray &bytes)
    {
        socket->write(QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n");
        socket->flush();
    }
    static void endChunks(QTcpSocket *socket)
    {
        socket->write("0\r\n\r\n");
        socket->flush();
        socket->disconnectFromHost();
    }
    static void respond(QTcpSocket *socket, int status, const QByteArray &reason,
        const QByteArray &contentType, const QByteArray &body)
    {
        sendHead(socket, status, reason, contentType);
        if (!body.isEmpty())
            sendChunk(socket, body);
        endChunks(socket);
    }

private:
    void onNewConnection()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            ++accepted;
            socket->setParent(this);
            // The request bytes read so far belong to the socket, not to its address: a socket
            // that a handler aborted is deleted, and the next connection's QTcpSocket may be
            // allocated at the same address (often so under ThreadSanitizer's allocator). A
            // buffer keyed by the pointer then still said "done", and the reconnect's request
            // was never answered.
            auto buffer = std::make_shared<QByteArray>();
            connect(socket, &QTcpSocket::readyRead, this,
                [this, socket, buffer] { onReadyRead(socket, *buffer); });
            connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                ++disconnected;
                socket->deleteLater();
            });
        }
    }

    void onReadyRead(QTcpSocket *socket, QByteArray &buffer)
    {
        if (buffer == "done")
            return;
        buffer += socket->readAll();
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        Request request;
        const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
        const QList<QByteArray> requestLine = lines.constFirst().trimmed().split(' ');
        request.method = requestLine.value(0);
        request.target = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                request.headers.append(
                    { line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed() });
        }
        const qsizetype length = request.header("content-length").toLongLong();
        if (buffer.size() < headEnd + 4 + length)
            return;
        request.body = buffer.mid(headEnd + 4, length);
        buffer = "done";
        requests.append(request);
        sockets.append(socket);
        if (handler)
            handler(socket, request, int(requests.size() - 1));
    }

    QTcpServer m_server;
};

QByteArray numberedEvent(int n)
{
    return "id: " + QByteArray::number(n) + "\nevent: tick\ndata: {\"n\":" + QByteArray::number(n)
        + "}\n\n";
}

// Collects what a stream emits.
struct Recorder {
    explicit Recorder(SseStream *stream)
        : events(stream, &SseStream::event)
        , states(stream, &SseStream::stateChanged)
        , errors(stream, &SseStream::error)
        , reconnects(stream, &SseStream::reconnectScheduled)
    {
    }
    QByteArrayList data() const
    {
        QByteArrayList out;
        for (const QList<QVariant> &args : events)
            out.append(args.at(0).value<SseEvent>().data);
        return out;
    }
    QByteArrayList ids() const
    {
        QByteArrayList out;
        for (const QList<QVariant> &args : events)
            out.append(args.at(0).value<SseEvent>().lastEventId);
        return out;
    }
    bool sawState(SseStream::State state) const
    {
        for (const QList<QVariant> &args : states) {
            if (args.at(0).value<SseStream::State>() == state)
                return true;
        }
        return false;
    }
    QSignalSpy events;
    QSignalSpy states;
    QSignalSpy errors;
    QSignalSpy reconnects;
};

// The real server: GET /stream replays every published event after the request's
// Last-Event-ID, then sends new ones as they are published; GET /broken answers the server's
// JSON error envelope.
class RealServer : public QObject {
    Q_OBJECT
public:
    explicit RealServer(const tw::http::HttpLimits &limits)
        : server(limits, &metrics)
    {
        const tw::http::RouteTraits stream { false, true, false };
        server.router().add(QByteArrayLiteral("GET"), QByteArrayLiteral("/stream"), stream,
            [this](tw::http::HttpResponder *r) {
                lastEventIds.append(r->request().header("last-event-id"));
                auto *writer = new tw::http::SseWriter(r, &server, r);
                writers.append(writer);
                if (!writer->start({}, server.limits().sseRetryMs))
                    return;
                const int after = r->request().header("last-event-id").toInt();
                for (const tw::http::SseEvent &e : std::as_const(published)) {
                    if (e.id.toInt() > after)
                        writer->send(e);
                }
            });
        server.router().add(QByteArrayLiteral("GET"), QByteArrayLiteral("/broken"),
            { false, false, false }, [](tw::http::HttpResponder *r) {
                r->respond(tw::http::HttpResponse::error(
                    503, "unavailable", QStringLiteral("the news engine is stopped")));
            });
    }

    bool listen() { return server.listen(QHostAddress::LocalHost, 0); }
    QUrl url(const QString &path) const { return QUrl(server.baseUrl() + path); }
    void publish(int n)
    {
        tw::http::SseEvent e;
        e.id = QByteArray::number(n);
        e.event = "news";
        e.data = "{\"n\":" + QByteArray::number(n) + "}\nline two";
        published.append(e);
        for (const QPointer<tw::http::SseWriter> &w : std::as_const(writers)) {
            if (w && w->isOpen())
                w->send(e);
        }
    }
    tw::http::SseWriter *openWriter() const
    {
        for (const QPointer<tw::http::SseWriter> &w : writers) {
            if (w && w->isOpen())
                return w;
        }
        return nullptr;
    }

    tw::core::MetricsRegistry metrics; // before the server, which holds handles into it
    QList<tw::http::SseEvent> published;
    QList<QPointer<tw::http::SseWriter>> writers;
    QByteArrayList lastEventIds; // one per GET /stream
    tw::http::HttpServer server;
};

tw::http::HttpLimits realLimits()
{
    tw::http::HttpLimits l;
    l.sseRetryMs = 20;
    l.heartbeatIntervalMs = 0;
    return l;
}

} // namespace

Q_DECLARE_METATYPE(tw::client::SseEvent)

class tst_SseStreamClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void eventsArriveAsChunksArrive();
    void reconnectWithLastEventIdLosesNothing();
    void retryHonoured();
    void watchdogFiresOnStalledStream();
    void noContentStops();
    void httpErrorFailsWithServerMessage();
    void wrongContentTypeFails();
    void stopWhileOpenNeverReconnects();
    void stopDuringPendingReconnectNeverReconnects();
    void postWithBody();
    void gaveUpAfterMaxReconnectAttempts();
    void realServerResumesAfterTheServerEndsTheStream();
    void realServerHeartbeatsKeepTheWatchdogQuiet();
    void realServerErrorEnvelope();
};

void tst_SseStreamClient::initTestCase() { qRegisterMetaType<tw::client::SseEvent>(); }

void tst_SseStreamClient::eventsArriveAsChunksArrive()
{
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &, int) {
        AwkwardServer::sendHead(socket, 200, "OK", "text/event-stream; charset=utf-8");
        AwkwardServer::sendChunk(socket,
            "\xEF\xBB\xBF"
            "data: first\n\n");
    };
    SseStream stream(server.url());
    stream.setIdleTimeoutMs(0);
    Recorder rec(&stream);
    stream.start();
    QCOMPARE(stream.state(), SseStream::State::Connecting);

    // The first event arrives while the response is still open: nothing waits for its end.
    QTRY_COMPARE(rec.events.size(), 1);
    QCOMPARE(stream.state(), SseStream::State::Open);
    QCOMPARE(rec.data(), QByteArrayList { "first" });
    QCOMPARE(rec.events.at(0).at(0).value<SseEvent>().type, QByteArray("message"));

    // Half an event, split mid-line, mid-UTF-8 ("café" = caf C3 A9) and mid-CRLF. Its "retry:"
    // line takes effect as soon as it is read: once the client shows it, the client has read
    // both halves, and still has no second event.
    QTcpSocket *socket = server.sockets.value(0);
    QVERIFY(socket);
    AwkwardServer::sendChunk(socket, "event: quote\r\ndata: caf\xC3");
    AwkwardServer::sendChunk(socket, "\xA9\rretry: 77\r");
    QTRY_COMPARE(stream.reconnectDelayMs(), 77);
    QCOMPARE(rec.events.size(), 1);
    // The rest of it: now the client has it, whole.
    AwkwardServer::sendChunk(socket, "\n\r\n");
    QTRY_COMPARE(rec.events.size(), 2);
    const SseEvent second = rec.events.at(1).at(0).value<SseEvent>();
    QCOMPARE(second.type, QByteArray("quote"));
    QCOMPARE(QString::fromUtf8(second.data), QStringLiteral("caf\u00E9"));
    QCOMPARE(stream.state(), SseStream::State::Open);
    stream.stop();
    QCOMPARE(stream.state(), SseStream::State::Closed);
}

void tst_SseStreamClient::reconnectWithLastEventIdLosesNothing()
{
    // Ten numbered events; the first connection drops in the middle of event 5. The server
    // replays everything after the Last-Event-ID it is given.
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &request, int index) {
        AwkwardServer::sendHead(socket, 200, "OK", "text/event-stream");
        AwkwardServer::sendChunk(socket, "retry: 10\n\n");
        const int after = request.header("last-event-id").toInt();
        if (index == 0) {
            QByteArray bytes;
            for (int n = after + 1; n <= 4; ++n)
                bytes += numberedEvent(n);
            bytes += numberedEvent(5).left(12); // "id: 5\nevent:" then the connection dies
            AwkwardServer::sendChunk(socket, bytes);
            socket->abort();
            return;
        }
        for (int n = after + 1; n <= 10; ++n)
            AwkwardServer::sendChunk(socket, numberedEvent(n));
        // ... and the stream stays open.
    };
    SseStream stream(server.url());
    stream.setIdleTimeoutMs(0);
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(rec.events.size(), 10);
    QByteArrayList expectedIds;
    QByteArrayList expectedData;
    for (int n = 1; n <= 10; ++n) {
        expectedIds.append(QByteArray::number(n));
        expectedData.append("{\"n\":" + QByteArray::number(n) + '}');
    }
    QCOMPARE(rec.ids(), expectedIds);
    QCOMPARE(rec.data(), expectedData);
    QCOMPARE(server.requests.size(), 2);
    QVERIFY(!server.requests.at(0).hasHeader("last-event-id"));
    QCOMPARE(server.requests.at(1).header("last-event-id"), QByteArray("4"));
    QVERIFY(rec.sawState(SseStream::State::Reconnecting));
    QCOMPARE(stream.state(), SseStream::State::Open);
    QCOMPARE(stream.lastEventId(), QByteArray("10"));
    stream.stop();
}

void tst_SseStreamClient::retryHonoured()
{
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &, int index) {
        AwkwardServer::sendHead(socket, 200, "OK", "text/event-stream");
        if (index == 0) {
            AwkwardServer::sendChunk(socket, "retry: 37\nid: a1\ndata: x\n\n");
            AwkwardServer::endChunks(socket); // a clean end: reconnect after the retry time
        }
    };
    SseStream stream(server.url());
    stream.setIdleTimeoutMs(0);
    stream.setReconnectDelayMs(5);
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(server.requests.size(), 2);
    QCOMPARE(rec.reconnects.size(), 1);
    QCOMPARE(rec.reconnects.at(0).at(0).toInt(), 37);
    QCOMPARE(server.requests.at(1).header("last-event-id"), QByteArray("a1"));
    QTRY_COMPARE(stream.state(), SseStream::State::Open);
    stream.stop();
}

void tst_SseStreamClient::watchdogFiresOnStalledStream()
{
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &, int index) {
        AwkwardServer::sendHead(socket, 200, "OK", "text/event-stream");
        AwkwardServer::sendChunk(
            socket, "retry: 5\nid: " + QByteArray::number(index + 1) + "\ndata: hi\n\n");
        // ... then nothing at all: no events, no heartbeats, no end.
    };
    SseStream stream(server.url());
    stream.setIdleTimeoutMs(150);
    Recorder rec(&stream);
    stream.start();
    QTRY_VERIFY(server.requests.size() >= 2);
    QCOMPARE(server.requests.at(1).header("last-event-id"), QByteArray("1"));
    QVERIFY(rec.sawState(SseStream::State::Reconnecting));
    QCOMPARE(rec.reconnects.at(0).at(0).toInt(), 5);
    QTRY_VERIFY(server.disconnected >= 1); // the stalled connection was dropped by the client
    stream.stop();
}

void tst_SseStreamClient::noContentStops()
{
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &, int) {
        AwkwardServer::sendHead(socket, 204, "No Content", QByteArray());
        socket->disconnectFromHost();
    };
    SseStream stream(server.url());
    stream.setReconnectDelayMs(1);
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(stream.state(), SseStream::State::Closed);
    QCOMPARE(stream.httpStatus(), 204);
    QCOMPARE(rec.reconnects.size(), 0);
    QCOMPARE(rec.errors.size(), 0);
    QCOMPARE(server.requests.size(), 1);
}

void tst_SseStreamClient::httpErrorFailsWithServerMessage()
{
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &, int) {
        const QByteArray body
            = R"({"jsonrpc":"2.0","id":null,"error":{"code":-32000,)"
              R"("message":"the news engine is not running","data":{"status":500}}})";
        AwkwardServer::respond(socket, 500, "Internal Server Error", "application/json", body);
    };
    SseStream stream(server.url());
    stream.setReconnectDelayMs(1);
    stream.setBackoff(1, 2);
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(stream.state(), SseStream::State::Failed);
    QVERIFY2(stream.errorString().contains(QLatin1String("500")), qPrintable(stream.errorString()));
    QVERIFY2(stream.errorString().contains(QLatin1String("the news engine is not running")),
        qPrintable(stream.errorString()));
    QCOMPARE(rec.errors.size(), 1);
    QCOMPARE(rec.errors.at(0).at(0).toString(), stream.errorString());
    QCOMPARE(rec.reconnects.size(), 0);
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(server.accepted, 1);
}

void tst_SseStreamClient::wrongContentTypeFails()
{
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &, int) {
        AwkwardServer::respond(
            socket, 200, "OK", "text/html", "<html>data: not an event\n\n</html>");
    };
    SseStream stream(server.url());
    stream.setReconnectDelayMs(1);
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(stream.state(), SseStream::State::Failed);
    QVERIFY2(stream.errorString().contains(QLatin1String("text/html")),
        qPrintable(stream.errorString()));
    QCOMPARE(rec.events.size(), 0);
    QCOMPARE(rec.reconnects.size(), 0);
    QCOMPARE(server.requests.size(), 1);
}

void tst_SseStreamClient::stopWhileOpenNeverReconnects()
{
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &, int) {
        AwkwardServer::sendHead(socket, 200, "OK", "text/event-stream");
        AwkwardServer::sendChunk(socket, "retry: 1\ndata: hello\n\n");
    };
    SseStream stream(server.url());
    stream.setIdleTimeoutMs(0);
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(rec.events.size(), 1);
    stream.stop();
    QCOMPARE(stream.state(), SseStream::State::Closed);
    // The connection is aborted at once (the server sees it go) ...
    QTRY_COMPARE(server.disconnected, 1);
    // ... and nothing comes back, even well after the 1 ms retry.
    QTest::qWait(200);
    QCOMPARE(server.accepted, 1);
    QCOMPARE(rec.reconnects.size(), 0);
    QCOMPARE(stream.state(), SseStream::State::Closed);
}

void tst_SseStreamClient::stopDuringPendingReconnectNeverReconnects()
{
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &, int) {
        AwkwardServer::sendHead(socket, 200, "OK", "text/event-stream");
        AwkwardServer::sendChunk(socket, "retry: 50\ndata: bye\n\n");
        socket->abort();
    };
    SseStream stream(server.url());
    stream.setIdleTimeoutMs(0);
    Recorder rec(&stream);
    // Stop as soon as the reconnect is scheduled, from inside the signal.
    connect(&stream, &SseStream::reconnectScheduled, &stream, [&stream](int) { stream.stop(); });
    stream.start();
    QTRY_COMPARE(rec.reconnects.size(), 1);
    QCOMPARE(rec.reconnects.at(0).at(0).toInt(), 50);
    QCOMPARE(stream.state(), SseStream::State::Closed);
    QTest::qWait(300); // six times the retry: a pending reconnect would have fired
    QCOMPARE(server.accepted, 1);
    QCOMPARE(stream.state(), SseStream::State::Closed);
}

void tst_SseStreamClient::postWithBody()
{
    AwkwardServer server;
    QVERIFY(server.listen());
    server.handler = [](QTcpSocket *socket, const Request &request, int) {
        AwkwardServer::sendHead(socket, 200, "OK", "text/event-stream", "Mcp-Session-Id: s-1\r\n");
        const QJsonObject body = QJsonDocument::fromJson(request.body).object();
        AwkwardServer::sendChunk(socket,
            "id: r1\ndata: {\"jsonrpc\":\"2.0\",\"id\":"
                + QByteArray::number(body.value(QStringLiteral("id")).toInt())
                + ",\"result\":{}}\n\n");
        AwkwardServer::endChunks(socket);
    };
    SseStream stream(server.url(QStringLiteral("/mcp")));
    stream.setIdleTimeoutMs(0);
    stream.setMethod("POST");
    const QByteArray body = R"({"jsonrpc":"2.0","id":7,"method":"tools/list"})";
    stream.setBody(body);
    stream.setRawHeader("Accept", "application/json, text/event-stream");
    stream.setRawHeader("Mcp-Session-Id", "s-1");
    stream.setRawHeader("MCP-Protocol-Version", "2025-06-18");
    stream.setRawHeader("X-API-Key", "k");
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(rec.events.size(), 1);
    QCOMPARE(rec.data(), QByteArrayList { R"({"jsonrpc":"2.0","id":7,"result":{}})" });
    QCOMPARE(stream.responseHeader("mcp-session-id"), QByteArray("s-1"));
    stream.stop();

    QCOMPARE(server.requests.size(), 1);
    const Request &r = server.requests.at(0);
    QCOMPARE(r.method, QByteArray("POST"));
    QCOMPARE(r.target, QByteArray("/mcp"));
    QCOMPARE(r.body, body);
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    QCOMPARE(r.header("accept"), QByteArray("application/json, text/event-stream"));
    QCOMPARE(r.header("cache-control"), QByteArray("no-cache"));
    QCOMPARE(r.header("accept-encoding"), QByteArray("identity"));
    QCOMPARE(r.header("mcp-session-id"), QByteArray("s-1"));
    QCOMPARE(r.header("mcp-protocol-version"), QByteArray("2025-06-18"));
    QCOMPARE(r.header("x-api-key"), QByteArray("k"));
    QVERIFY(!r.hasHeader("upgrade")); // HTTP/1.1, no h2c upgrade
}

void tst_SseStreamClient::gaveUpAfterMaxReconnectAttempts()
{
    // A port where nothing listens: every attempt is refused.
    QUrl url;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        url = QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(probe.serverPort()));
    }
    SseStream stream(url);
    stream.setBackoff(1, 4);
    stream.setMaxReconnectAttempts(3);
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(stream.state(), SseStream::State::Failed);
    QCOMPARE(rec.reconnects.size(), 3);
    for (const QList<QVariant> &args : rec.reconnects)
        QVERIFY(args.at(0).toInt() >= 0 && args.at(0).toInt() <= 4); // backoff stays under its cap
    QCOMPARE(stream.requestCount(), 4);
    QVERIFY2(
        stream.errorString().contains(QLatin1String("gave up")), qPrintable(stream.errorString()));
}

void tst_SseStreamClient::realServerResumesAfterTheServerEndsTheStream()
{
    RealServer server(realLimits());
    QVERIFY(server.listen());
    SseStream stream(server.url(QStringLiteral("/stream")));
    stream.setIdleTimeoutMs(0);
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(stream.state(), SseStream::State::Open);
    QTRY_VERIFY(server.openWriter());
    for (int n = 1; n <= 3; ++n)
        server.publish(n);
    QTRY_COMPARE(rec.events.size(), 3);

    // The server ends the stream; two events are published while the client is away.
    server.openWriter()->end();
    server.publish(4);
    server.publish(5);
    QTRY_COMPARE(rec.events.size(), 5);
    QCOMPARE(server.lastEventIds, (QByteArrayList { QByteArray(), "3" }));
    QCOMPARE(rec.ids(), (QByteArrayList { "1", "2", "3", "4", "5" }));
    QCOMPARE(rec.events.at(4).at(0).value<SseEvent>().type, QByteArray("news"));
    QCOMPARE(rec.data().at(4), QByteArray("{\"n\":5}\nline two"));
    QCOMPARE(rec.reconnects.at(0).at(0).toInt(), 20); // the server's retry
    stream.stop();
}

void tst_SseStreamClient::realServerHeartbeatsKeepTheWatchdogQuiet()
{
    tw::http::HttpLimits limits = realLimits();
    limits.heartbeatIntervalMs = 25;
    RealServer server(limits);
    QVERIFY(server.listen());
    SseStream stream(server.url(QStringLiteral("/stream")));
    stream.setIdleTimeoutMs(500); // twenty heartbeats: slack for a loaded machine
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(stream.state(), SseStream::State::Open);
    // Forty heartbeats span two idle timeouts: only the ": ping" comments keep it alive.
    QTRY_VERIFY(server.metrics.value("tickerwire_sse_heartbeats_total") >= 40);
    QCOMPARE(server.lastEventIds.size(), 1);
    QCOMPARE(rec.reconnects.size(), 0);
    QCOMPARE(rec.events.size(), 0); // comments are not events
    QCOMPARE(stream.state(), SseStream::State::Open);
    stream.stop();
}

void tst_SseStreamClient::realServerErrorEnvelope()
{
    RealServer server(realLimits());
    QVERIFY(server.listen());
    SseStream stream(server.url(QStringLiteral("/broken")));
    Recorder rec(&stream);
    stream.start();
    QTRY_COMPARE(stream.state(), SseStream::State::Failed);
    QVERIFY2(stream.errorString().contains(QLatin1String("503")), qPrintable(stream.errorString()));
    QVERIFY2(stream.errorString().contains(QLatin1String("the news engine is stopped")),
        qPrintable(stream.errorString()));
    QCOMPARE(stream.httpStatus(), 503);
    QCOMPARE(rec.reconnects.size(), 0);
}

QTEST_GUILESS_MAIN(tst_SseStreamClient)
#include "tst_ssestreamclient.moc"
