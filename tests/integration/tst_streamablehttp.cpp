// MCP's Streamable HTTP transport as a client sees it: ServerRuntime on 127.0.0.1 port 0 with
// a few test tools registered on its engine, driven over real sockets (raw HTTP/1.1 where the
// exact bytes matter, QNetworkAccessManager for the plain initialize). Sessions (400/404/
// DELETE/expiry/cap), Accept and MCP-Protocol-Version checks, the JSON/SSE choice, event ids,
// the standalone GET stream, resumption with Last-Event-ID and the disconnect grace period.
#include "httpserver.h"
#include "mcprequestcontext.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "metrics.h"
#include "serverconfig.h"
#include "serverruntime.h"
#include "streamablehttptransport.h"
#include "testhttpclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

using tw::mcp::McpRequestContext;
using tw::mcp::McpTool;
using tw::server::ServerConfig;
using tw::server::ServerRuntime;
using tw::test::ParsedResponse;
using tw::test::SseMessage;
using tw::test::TestHttpClient;

namespace {

constexpr int kTimeoutMs = 20000;
using Headers = QList<QPair<QByteArray, QByteArray>>;
const QByteArray kBothTypes = QByteArrayLiteral("application/json, text/event-stream");

QByteArray json(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

QJsonObject request(int id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject o { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
        { QStringLiteral("id"), id }, { QStringLiteral("method"), method } };
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    return o;
}

QJsonObject notification(const QString &method)
{
    return QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
        { QStringLiteral("method"), method } };
}

QJsonObject initializeRequest(const QString &version)
{
    return request(1, QStringLiteral("initialize"),
        QJsonObject { { QStringLiteral("protocolVersion"), version },
            { QStringLiteral("capabilities"), QJsonObject() },
            { QStringLiteral("clientInfo"),
                QJsonObject { { QStringLiteral("name"), QStringLiteral("tst") },
                    { QStringLiteral("version"), QStringLiteral("1") } } } });
}

QJsonObject toolCall(int id, const QString &tool, const QJsonObject &arguments,
    const QJsonValue &progressToken = QJsonValue::Undefined)
{
    QJsonObject params { { QStringLiteral("name"), tool },
        { QStringLiteral("arguments"), arguments } };
    if (!progressToken.isUndefined())
        params.insert(QStringLiteral("_meta"),
            QJsonObject { { QStringLiteral("progressToken"), progressToken } });
    return request(id, QStringLiteral("tools/call"), params);
}

QJsonObject eventJson(const SseMessage &m) { return QJsonDocument::fromJson(m.data).object(); }

} // namespace

class tst_StreamableHttp : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void initializeIssuesSession();
    void failedInitializeLeavesNoSession();
    void sessionHeaderRequired();
    void unknownSessionAndDelete();
    void acceptHeaderChecked();
    void protocolVersionHeader();
    void notificationsGet202();
    void jsonWhenAnsweredAtOnce();
    void manyRequestsKeepNoStatePerRequest();
    void storedEventsAreBoundedInBytes();
    void sseWithProgressInOrder();
    void jsonResponseMode();
    void getStreamIsExclusiveAndCarriesListChanged();
    void resumeAfterDisconnect();
    void resumeCompletedStream();
    void unknownLastEventId();
    void graceExpiryCancelsAndFrees();
    void serverClosesStreamAndClientResumes();
    void ssePollingClosesLongStreams();
    void sessionExpires();
    void sessionCap();

private:
    void startServer(const std::function<void(ServerConfig &)> &configure = {});
    QByteArray raw(const QByteArray &method, const QByteArray &body, const Headers &headers) const;
    // One request on a fresh connection; waits for the complete response.
    ParsedResponse roundTrip(const QByteArray &bytes);
    ParsedResponse post(const QJsonObject &message, const QByteArray &session,
        const QByteArray &accept = kBothTypes, const Headers &extra = {});
    QByteArray initialize(const QString &version = QStringLiteral("2025-11-25"));
    // Opens a POST or GET whose response is a stream; returns the client to read it from.
    std::unique_ptr<TestHttpClient> open(const QByteArray &bytes);
    double metric(const QByteArray &name) const;

    std::unique_ptr<ServerRuntime> m_runtime;
    quint16 m_port = 0;
    int m_slowCancelled = 0;
};

void tst_StreamableHttp::init() { m_slowCancelled = 0; }

void tst_StreamableHttp::cleanup() { m_runtime.reset(); }

void tst_StreamableHttp::startServer(const std::function<void(ServerConfig &)> &configure)
{
    ServerConfig config;
    config.port = 0;
    config.security.requestsPerMinute = 0;
    config.security.streamsPerMinute = 0;
    if (configure)
        configure(config);
    m_runtime = std::make_unique<ServerRuntime>(config);

    McpTool echo;
    echo.name = QStringLiteral("echo");
    echo.handler = [](McpRequestContext *ctx) {
        ctx->finish(QJsonObject { { QStringLiteral("content"),
            QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                { QStringLiteral("text"),
                    ctx->arguments().value(QStringLiteral("text")).toString() } } } } });
    };
    QVERIFY(m_runtime->mcpServer()->registerTool(echo));

    // Progress every intervalMs for `steps` steps, then the result; stops when cancelled.
    McpTool slow;
    slow.name = QStringLiteral("slow");
    slow.handler = [this](McpRequestContext *ctx) {
        const int steps = ctx->arguments().value(QStringLiteral("steps")).toInt(5);
        const int interval = ctx->arguments().value(QStringLiteral("intervalMs")).toInt(50);
        auto *timer = new QTimer(ctx); // dies with the request, whatever ends it
        auto count = std::make_shared<int>(0);
        connect(timer, &QTimer::timeout, ctx, [ctx, timer, steps, count] {
            ++*count;
            ctx->sendProgress(*count, steps, QStringLiteral("step %1").arg(*count));
            if (*count >= steps) {
                timer->stop();
                ctx->finish(QJsonObject { { QStringLiteral("content"),
                    QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                        { QStringLiteral("text"),
                            QStringLiteral("done after %1").arg(steps) } } } } });
            }
        });
        connect(ctx, &McpRequestContext::cancelled, this, [this, timer] {
            timer->stop();
            ++m_slowCancelled;
        });
        timer->start(interval);
    };
    QVERIFY(m_runtime->mcpServer()->registerTool(slow));

    // Ends its own SSE response at once (as the conformance suite's test_reconnection does)
    // and answers a little later, so the answer can only arrive through a resume.
    McpTool reconnect;
    reconnect.name = QStringLiteral("reconnect");
    reconnect.handler = [this](McpRequestContext *ctx) {
        QVERIFY(m_runtime->mcpTransport()->closeRequestStream(ctx->session()->id(), ctx->id()));
        QTimer::singleShot(200, ctx, [ctx] {
            ctx->finish(QJsonObject { { QStringLiteral("content"),
                QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                    { QStringLiteral("text"), QStringLiteral("reconnected") } } } } });
        });
    };
    QVERIFY(m_runtime->mcpServer()->registerTool(reconnect));

    QString error;
    QVERIFY2(m_runtime->start(&error), qPrintable(error));
    m_port = m_runtime->httpServer()->serverPort();
}

QByteArray tst_StreamableHttp::raw(
    const QByteArray &method, const QByteArray &body, const Headers &headers) const
{
    QByteArray out
        = method + " /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    if (!body.isEmpty() || method == "POST")
        out += "Content-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n";
    return out + "\r\n" + body;
}

ParsedResponse tst_StreamableHttp::roundTrip(const QByteArray &bytes)
{
    TestHttpClient client;
    if (!client.connectToServer(QHostAddress::LocalHost, m_port))
        return {};
    client.write(bytes);
    return client.nextResponse(kTimeoutMs).value_or(ParsedResponse());
}

ParsedResponse tst_StreamableHttp::post(const QJsonObject &message, const QByteArray &session,
    const QByteArray &accept, const Headers &extra)
{
    Headers h { { "Accept", accept } };
    if (!session.isEmpty())
        h.append({ "Mcp-Session-Id", session });
    h += extra;
    return roundTrip(raw("POST", json(message), h));
}

QByteArray tst_StreamableHttp::initialize(const QString &version)
{
    const ParsedResponse r = post(initializeRequest(version), {});
    if (r.status != 200)
        return {};
    const QByteArray id = r.header("mcp-session-id");
    const ParsedResponse ready
        = post(notification(QStringLiteral("notifications/initialized")), id);
    return ready.status == 202 ? id : QByteArray();
}

std::unique_ptr<TestHttpClient> tst_StreamableHttp::open(const QByteArray &bytes)
{
    auto client = std::make_unique<TestHttpClient>();
    if (!client->connectToServer(QHostAddress::LocalHost, m_port))
        return nullptr;
    client->write(bytes);
    if (!client->waitForHead(kTimeoutMs))
        return nullptr;
    return client;
}

double tst_StreamableHttp::metric(const QByteArray &name) const
{
    return m_runtime->metrics()->value(name);
}

// --- Sessions -----------------------------------------------------------------------------

void tst_StreamableHttp::initializeIssuesSession()
{
    startServer();
    // A stock HTTP client: QNetworkAccessManager.
    QNetworkAccessManager nam;
    QNetworkRequest req(QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(m_port)));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    req.setRawHeader("Accept", kBothTypes);
    QNetworkReply *reply = nam.post(req, json(initializeRequest(QStringLiteral("2025-06-18"))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(kTimeoutMs));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QVERIFY(reply->header(QNetworkRequest::ContentTypeHeader)
                .toString()
                .startsWith(QLatin1String("application/json")));
    const QByteArray session = reply->rawHeader("Mcp-Session-Id");
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$"))
                 .match(QString::fromLatin1(session))
                 .hasMatch(),
        session.constData());
    const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
    QCOMPARE(body.value(QLatin1String("result"))
                 .toObject()
                 .value(QLatin1String("protocolVersion"))
                 .toString(),
        QStringLiteral("2025-06-18"));
    reply->deleteLater();
    QCOMPARE(metric("tickerwire_mcp_sessions"), 1.0);

    // The session works, and only initialize responses carry the header.
    const ParsedResponse list = post(request(2, QStringLiteral("tools/list")), session, kBothTypes,
        { { "MCP-Protocol-Version", "2025-06-18" } });
    QCOMPARE(list.status, 200);
    QVERIFY(list.header("mcp-session-id").isNull());
    const QJsonArray tools = list.json()
                                 .value(QLatin1String("result"))
                                 .toObject()
                                 .value(QLatin1String("tools"))
                                 .toArray();
    // The test's three tools, next to the ones the server registers itself (market news).
    QCOMPARE(tools.size(), m_runtime->mcpServer()->toolCount());
    QStringList names;
    for (const QJsonValue &t : tools)
        names.append(t.toObject().value(QLatin1String("name")).toString());
    for (const char *name : { "echo", "slow", "reconnect" })
        QVERIFY2(names.contains(QLatin1String(name)), name);
}

void tst_StreamableHttp::failedInitializeLeavesNoSession()
{
    startServer();
    QJsonObject bad = initializeRequest(QStringLiteral("2025-11-25"));
    bad.insert(QStringLiteral("params"),
        QJsonObject { { QStringLiteral("protocolVersion"), QStringLiteral("2025-11-25") } });
    const ParsedResponse r = post(bad, {});
    QCOMPARE(r.status, 200); // a JSON-RPC error is an answer
    QCOMPARE(r.json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(),
        -32602);
    QVERIFY(r.header("mcp-session-id").isNull());
    QCOMPARE(m_runtime->mcpServer()->sessionCount(), 0);
}

void tst_StreamableHttp::sessionHeaderRequired()
{
    startServer();
    const ParsedResponse r = post(request(2, QStringLiteral("tools/list")), {});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorReason(), QStringLiteral("missing_session"));
    const ParsedResponse get = roundTrip(raw("GET", {}, { { "Accept", "text/event-stream" } }));
    QCOMPARE(get.status, 400);
    const ParsedResponse del = roundTrip(raw("DELETE", {}, {}));
    QCOMPARE(del.status, 400);
}

void tst_StreamableHttp::unknownSessionAndDelete()
{
    startServer();
    const ParsedResponse unknown
        = post(request(2, QStringLiteral("tools/list")), "0123456789abcdef0123456789abcdef");
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.json()
                 .value(QLatin1String("error"))
                 .toObject()
                 .value(QLatin1String("code"))
                 .toInt(),
        -32001);

    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const ParsedResponse del = roundTrip(raw("DELETE", {}, { { "Mcp-Session-Id", session } }));
    QCOMPARE(del.status, 204);
    QCOMPARE(m_runtime->mcpServer()->sessionCount(), 0);
    QCOMPARE(post(request(3, QStringLiteral("ping")), session).status, 404);
    QCOMPARE(roundTrip(raw("GET", {},
                           { { "Accept", "text/event-stream" }, { "Mcp-Session-Id", session } }))
                 .status,
        404);
    QCOMPARE(roundTrip(raw("DELETE", {}, { { "Mcp-Session-Id", session } })).status, 404);
}

void tst_StreamableHttp::acceptHeaderChecked()
{
    startServer();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    ParsedResponse r = post(request(2, QStringLiteral("ping")), session, "application/json");
    QCOMPARE(r.status, 406);
    QCOMPARE(r.errorReason(), QStringLiteral("not_acceptable"));
    QCOMPARE(post(request(2, QStringLiteral("ping")), session, "text/event-stream").status, 406);
    QCOMPARE(
        post(request(2, QStringLiteral("ping")), session, "application/json, text/event-stream;q=0")
            .status,
        406);
    QCOMPARE(post(request(2, QStringLiteral("ping")), session, "*/*").status, 200);
    r = roundTrip(
        raw("GET", {}, { { "Accept", "application/json" }, { "Mcp-Session-Id", session } }));
    QCOMPARE(r.status, 406);
}

void tst_StreamableHttp::protocolVersionHeader()
{
    startServer();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    ParsedResponse r = post(request(2, QStringLiteral("ping")), session, kBothTypes,
        { { "MCP-Protocol-Version", "1999-01-01" } });
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorReason(), QStringLiteral("unsupported_protocol_version"));
    QVERIFY(r.json()
                .value(QLatin1String("error"))
                .toObject()
                .value(QLatin1String("message"))
                .toString()
                .contains(QLatin1String("2025-11-25")));
    // Absent: 2025-03-26 is assumed, which we speak. Another supported version is accepted.
    QCOMPARE(post(request(3, QStringLiteral("ping")), session).status, 200);
    QCOMPARE(post(request(4, QStringLiteral("ping")), session, kBothTypes,
                 { { "MCP-Protocol-Version", "2025-06-18" } })
                 .status,
        200);
    // GET and DELETE are checked too.
    r = roundTrip(raw("GET", {},
        { { "Accept", "text/event-stream" }, { "Mcp-Session-Id", session },
            { "MCP-Protocol-Version", "bogus" } }));
    QCOMPARE(r.status, 400);
    // initialize is exempt: its version is negotiated from the body.
    QCOMPARE(post(initializeRequest(QStringLiteral("2025-11-25")), {}, kBothTypes,
                 { { "MCP-Protocol-Version", "bogus" } })
                 .status,
        200);
}

void tst_StreamableHttp::notificationsGet202()
{
    startServer();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const ParsedResponse r
        = post(notification(QStringLiteral("notifications/roots/list_changed")), session);
    QCOMPARE(r.status, 202);
    QVERIFY(r.body.isEmpty());
    // A response from the client is accepted the same way.
    const QJsonObject response { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
        { QStringLiteral("id"), 7 }, { QStringLiteral("result"), QJsonObject() } };
    QCOMPARE(post(response, session).status, 202);
}

// --- Response forms -----------------------------------------------------------------------

void tst_StreamableHttp::jsonWhenAnsweredAtOnce()
{
    startServer();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const ParsedResponse r = post(
        toolCall(5, QStringLiteral("echo"), { { QStringLiteral("text"), QStringLiteral("hi") } }),
        session);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    QCOMPARE(r.json().value(QLatin1String("id")).toInt(), 5);
    QCOMPARE(r.json()
                 .value(QLatin1String("result"))
                 .toObject()
                 .value(QLatin1String("content"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QLatin1String("text"))
                 .toString(),
        QStringLiteral("hi"));
}

// A client pinging as fast as it can must not grow the session by a record per request until
// the next sweep (which is up to 30 s away: at 35,000 pings/s that was ~150 MiB).
void tst_StreamableHttp::manyRequestsKeepNoStatePerRequest()
{
    startServer();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, m_port));
    constexpr int kRequests = 3000;
    constexpr int kBatch = 100; // written together, answered in order on the keep-alive socket
    const Headers h { { "Accept", kBothTypes }, { "Mcp-Session-Id", session } };
    for (int sent = 0; sent < kRequests; sent += kBatch) {
        QByteArray bytes;
        for (int i = 0; i < kBatch; ++i)
            bytes += raw("POST", json(request(100 + sent + i, QStringLiteral("ping"))), h);
        client.write(bytes);
        for (int i = 0; i < kBatch; ++i) {
            const std::optional<ParsedResponse> r = client.nextResponse(kTimeoutMs);
            QVERIFY(r.has_value());
            QCOMPARE(r->status, 200);
            QCOMPARE(r->json().value(QLatin1String("id")).toInt(), 100 + sent + i);
        }
    }
    const int tracked = m_runtime->mcpTransport()->trackedStreams();
    QVERIFY2(tracked < kRequests / 10, qPrintable(QString::number(tracked)));
}

// The resumption store is bounded in bytes too: large events must not pile up to the count
// limit (1000 per session by default) and hold megabytes per session.
void tst_StreamableHttp::storedEventsAreBoundedInBytes()
{
    startServer([](ServerConfig &c) { c.mcpHttp.eventStoreMaxBytes = 1024; });
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    auto client = open(raw("POST",
        json(toolCall(8, QStringLiteral("slow"),
            { { QStringLiteral("steps"), 30 }, { QStringLiteral("intervalMs"), 1 } },
            QStringLiteral("tok"))),
        { { "Accept", kBothTypes }, { "Mcp-Session-Id", session } }));
    QVERIFY(client);
    const std::optional<ParsedResponse> r = client->nextResponse(kTimeoutMs);
    QVERIFY(r && r->complete);
    QCOMPARE(tw::test::parseSse(r->body).events.size(), 32); // priming, 30 progress, result
    const int stored = m_runtime->mcpTransport()->storedEvents();
    // ~120 bytes per framed progress event: a 1 KiB store holds the last few, the result last.
    QVERIFY2(stored >= 1 && stored <= 10, qPrintable(QString::number(stored)));
}

void tst_StreamableHttp::sseWithProgressInOrder()
{
    startServer([](ServerConfig &c) { c.mcpHttp.sseRetryMs = 1500; });
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    auto client = open(raw("POST",
        json(toolCall(6, QStringLiteral("slow"),
            { { QStringLiteral("steps"), 5 }, { QStringLiteral("intervalMs"), 20 } },
            QStringLiteral("tok"))),
        { { "Accept", kBothTypes }, { "Mcp-Session-Id", session } }));
    QVERIFY(client);
    const std::optional<ParsedResponse> r = client->nextResponse(kTimeoutMs);
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->header("content-type"), QByteArray("text/event-stream"));
    QVERIFY(r->chunked && r->complete); // the stream ended after the response

    const tw::test::SseParse sse = tw::test::parseSse(r->body);
    QCOMPARE(sse.retries, QList<int> { 1500 });
    // 2025-11-25: a priming event first (an id, empty data), then 5 progress, then the result.
    QCOMPARE(sse.events.size(), 7);
    QVERIFY(sse.events.first().data.isEmpty());
    const QByteArray stream = sse.events.first().lastEventId.split('-').first();
    QCOMPARE(sse.events.first().lastEventId, stream + "-0");
    for (int i = 1; i <= 5; ++i) {
        const QJsonObject n = eventJson(sse.events.at(i));
        QCOMPARE(
            n.value(QLatin1String("method")).toString(), QStringLiteral("notifications/progress"));
        QCOMPARE(
            n.value(QLatin1String("params")).toObject().value(QLatin1String("progress")).toInt(),
            i);
        QCOMPARE(sse.events.at(i).lastEventId, stream + '-' + QByteArray::number(i));
    }
    QCOMPARE(eventJson(sse.events.last()).value(QLatin1String("id")).toInt(), 6);
    QVERIFY(eventJson(sse.events.last()).contains(QLatin1String("result")));
    QCOMPARE(sse.events.last().lastEventId, stream + "-6");
    QTRY_COMPARE_WITH_TIMEOUT(metric("tickerwire_mcp_requests_in_flight"), 0.0, kTimeoutMs);
}

void tst_StreamableHttp::jsonResponseMode()
{
    startServer([](ServerConfig &c) { c.mcpHttp.jsonResponse = true; });
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const ParsedResponse r
        = post(toolCall(7, QStringLiteral("slow"),
                   { { QStringLiteral("steps"), 3 }, { QStringLiteral("intervalMs"), 20 } }, 1),
            session);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    QCOMPARE(r.json().value(QLatin1String("id")).toInt(), 7);
    QVERIFY(r.json().contains(QLatin1String("result")));
}

void tst_StreamableHttp::getStreamIsExclusiveAndCarriesListChanged()
{
    startServer();
    const QByteArray session = initialize(QStringLiteral("2025-06-18"));
    QVERIFY(!session.isEmpty());
    const QByteArray get
        = raw("GET", {}, { { "Accept", "text/event-stream" }, { "Mcp-Session-Id", session } });
    auto first = open(get);
    QVERIFY(first);
    QCOMPARE(first->current()->status, 200);
    QCOMPARE(first->current()->header("content-type"), QByteArray("text/event-stream"));
    QCOMPARE(first->current()->header("mcp-session-id"), session);

    const ParsedResponse second = roundTrip(get);
    QCOMPARE(second.status, 409);
    QCOMPARE(second.errorReason(), QStringLiteral("stream_conflict"));

    McpTool late;
    late.name = QStringLiteral("late");
    late.handler = [](McpRequestContext *ctx) { ctx->finish({}); };
    m_runtime->mcpServer()->registerTool(late);
    QVERIFY(first->waitForBodyContains("notifications/tools/list_changed", kTimeoutMs));
    const tw::test::SseParse sse = tw::test::parseSse(first->current()->body);
    QCOMPARE(sse.events.size(), 1); // no priming event before 2025-11-25
    QCOMPARE(sse.events.first().lastEventId, QByteArray("0-1"));

    // Once the first goes away, a new GET may open.
    first->abort();
    QTRY_COMPARE_WITH_TIMEOUT(m_runtime->httpServer()->streamCount(), 0, kTimeoutMs);
    auto third = open(get);
    QVERIFY(third);
    QCOMPARE(third->current()->status, 200);
}

// --- Resumability -------------------------------------------------------------------------

void tst_StreamableHttp::resumeAfterDisconnect()
{
    startServer();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const int steps = 12;
    auto client = open(raw("POST",
        json(toolCall(8, QStringLiteral("slow"),
            { { QStringLiteral("steps"), steps }, { QStringLiteral("intervalMs"), 50 } },
            QStringLiteral("p"))),
        { { "Accept", kBothTypes }, { "Mcp-Session-Id", session } }));
    QVERIFY(client);
    QVERIFY(client->waitForBodyContains("\"progress\":2", kTimeoutMs));
    const tw::test::SseParse before = tw::test::parseSse(client->current()->body);
    const QByteArray lastSeen = before.events.last().lastEventId;
    client->abort();
    // The server notices, keeps the request running (grace), and stores what it sends.
    QTRY_COMPARE_WITH_TIMEOUT(m_runtime->httpServer()->streamCount(), 0, kTimeoutMs);
    // Let a few events happen while nobody listens, so the resume must replay them.
    const int seen = int(before.events.size()) - 1; // minus the priming event
    QTRY_VERIFY_WITH_TIMEOUT(m_runtime->mcpTransport()->storedEvents() >= seen + 2, kTimeoutMs);
    QCOMPARE(m_slowCancelled, 0);

    auto resumed = open(raw("GET", {},
        { { "Accept", "text/event-stream" }, { "Mcp-Session-Id", session },
            { "Last-Event-ID", lastSeen } }));
    QVERIFY(resumed);
    QCOMPARE(resumed->current()->status, 200);
    const std::optional<ParsedResponse> rest = resumed->nextResponse(kTimeoutMs);
    QVERIFY(rest && rest->complete); // ends with the request

    // Before + after: every progress exactly once, in order, then the result.
    QList<SseMessage> all;
    for (const SseMessage &m : before.events)
        if (!m.data.isEmpty())
            all.append(m);
    for (const SseMessage &m : tw::test::parseSse(rest->body).events)
        if (!m.data.isEmpty())
            all.append(m);
    QCOMPARE(all.size(), steps + 1);
    for (int i = 0; i < steps; ++i)
        QCOMPARE(eventJson(all.at(i))
                     .value(QLatin1String("params"))
                     .toObject()
                     .value(QLatin1String("progress"))
                     .toInt(),
            i + 1);
    QCOMPARE(eventJson(all.last()).value(QLatin1String("id")).toInt(), 8);
    QCOMPARE(metric("tickerwire_mcp_streams_resumed_total"), 1.0);
    QCOMPARE(metric("tickerwire_mcp_requests_expired_total"), 0.0);
    QTRY_COMPARE_WITH_TIMEOUT(metric("tickerwire_mcp_requests_in_flight"), 0.0, kTimeoutMs);
}

void tst_StreamableHttp::resumeCompletedStream()
{
    startServer();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    auto client = open(raw("POST",
        json(toolCall(9, QStringLiteral("slow"),
            { { QStringLiteral("steps"), 4 }, { QStringLiteral("intervalMs"), 30 } }, 9)),
        { { "Accept", kBothTypes }, { "Mcp-Session-Id", session } }));
    QVERIFY(client);
    QVERIFY(client->waitForBodyContains("\"progress\":1", kTimeoutMs));
    const SseMessage lastEvent = tw::test::parseSse(client->current()->body).events.last();
    const QByteArray lastSeen = lastEvent.lastEventId;
    // The events may have moved on past progress 1 by the time the wait saw them.
    const int seenProgress = eventJson(lastEvent)
                                 .value(QLatin1String("params"))
                                 .toObject()
                                 .value(QLatin1String("progress"))
                                 .toInt();
    QVERIFY(seenProgress >= 1 && seenProgress < 4);
    client->abort();
    // The request finishes while nobody listens.
    QTRY_COMPARE_WITH_TIMEOUT(metric("tickerwire_mcp_requests_in_flight"), 0.0, kTimeoutMs);
    const ParsedResponse rest = roundTrip(raw("GET", {},
        { { "Accept", "text/event-stream" }, { "Mcp-Session-Id", session },
            { "Last-Event-ID", lastSeen } }));
    QCOMPARE(rest.status, 200);
    const QList<SseMessage> events = tw::test::parseSse(rest.body).events;
    QCOMPARE(events.size(), 4 - seenProgress + 1); // the progress not seen, the result
    QCOMPARE(eventJson(events.first())
                 .value(QLatin1String("params"))
                 .toObject()
                 .value(QLatin1String("progress"))
                 .toInt(),
        seenProgress + 1);
    QCOMPARE(eventJson(events.last()).value(QLatin1String("id")).toInt(), 9);
}

void tst_StreamableHttp::unknownLastEventId()
{
    startServer();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    for (const QByteArray &id : { QByteArray("garbage"), QByteArray("99-1"), QByteArray("0-5"),
             QByteArray("-1-2"), QByteArray("1-99999999999999999999999") }) {
        const ParsedResponse r = roundTrip(raw("GET", {},
            { { "Accept", "text/event-stream" }, { "Mcp-Session-Id", session },
                { "Last-Event-ID", id } }));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorReason(), QStringLiteral("unknown_event_id"));
    }
}

void tst_StreamableHttp::graceExpiryCancelsAndFrees()
{
    startServer([](ServerConfig &c) { c.mcp.abandonGraceMs = 200; });
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    auto client = open(raw("POST",
        json(toolCall(10, QStringLiteral("slow"),
            { { QStringLiteral("steps"), 100000 }, { QStringLiteral("intervalMs"), 20 } }, 10)),
        { { "Accept", kBothTypes }, { "Mcp-Session-Id", session } }));
    QVERIFY(client);
    QVERIFY(client->waitForBodyContains("\"progress\":1", kTimeoutMs));
    QCOMPARE(metric("tickerwire_mcp_requests_in_flight"), 1.0);
    client->abort();
    // Never comes back: after the grace period the request is cancelled and freed.
    QTRY_COMPARE_WITH_TIMEOUT(metric("tickerwire_mcp_requests_expired_total"), 1.0, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(metric("tickerwire_mcp_requests_in_flight"), 0.0, kTimeoutMs);
    QCOMPARE(m_slowCancelled, 1);
    // ... as an operator sees it.
    const ParsedResponse metrics
        = roundTrip(QByteArrayLiteral("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    QVERIFY(metrics.body.contains("tickerwire_mcp_requests_expired_total 1\n"));
    QVERIFY(metrics.body.contains("tickerwire_mcp_requests_in_flight 0\n"));
}

void tst_StreamableHttp::serverClosesStreamAndClientResumes()
{
    startServer([](ServerConfig &c) { c.mcpHttp.sseRetryMs = 100; });
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const ParsedResponse first = post(toolCall(11, QStringLiteral("reconnect"), {}), session);
    QCOMPARE(first.status, 200);
    QVERIFY(first.complete);
    const tw::test::SseParse sse = tw::test::parseSse(first.body);
    QCOMPARE(sse.events.size(), 1); // the priming event only: the answer comes after the close
    QVERIFY(sse.events.first().data.isEmpty());
    QCOMPARE(sse.retries, QList<int> { 100 });

    auto resumed = open(raw("GET", {},
        { { "Accept", "text/event-stream" }, { "Mcp-Session-Id", session },
            { "MCP-Protocol-Version", "2025-11-25" },
            { "Last-Event-ID", sse.events.first().lastEventId } }));
    QVERIFY(resumed);
    const std::optional<ParsedResponse> rest = resumed->nextResponse(kTimeoutMs);
    QVERIFY(rest && rest->complete);
    const QList<SseMessage> events = tw::test::parseSse(rest->body).events;
    QVERIFY(!events.isEmpty());
    QCOMPARE(eventJson(events.last()).value(QLatin1String("id")).toInt(), 11);
    QVERIFY(eventJson(events.last()).contains(QLatin1String("result")));
}

void tst_StreamableHttp::ssePollingClosesLongStreams()
{
    startServer([](ServerConfig &c) { c.mcpHttp.ssePollIntervalMs = 150; });
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const int steps = 10;
    ParsedResponse r = post(
        toolCall(12, QStringLiteral("slow"),
            { { QStringLiteral("steps"), steps }, { QStringLiteral("intervalMs"), 50 } }, 12),
        session);
    QCOMPARE(r.status, 200);
    QVERIFY(r.complete); // closed by the server before the request finished
    QList<SseMessage> all;
    QByteArray last;
    int resumes = 0;
    // Like a polling client: follow each closed stream with GET + Last-Event-ID.
    for (;;) {
        const QList<SseMessage> events = tw::test::parseSse(r.body).events;
        for (const SseMessage &m : events) {
            last = m.lastEventId;
            if (!m.data.isEmpty())
                all.append(m);
        }
        if (!all.isEmpty() && eventJson(all.last()).contains(QLatin1String("result")))
            break;
        QVERIFY(++resumes < 100);
        r = roundTrip(raw("GET", {},
            { { "Accept", "text/event-stream" }, { "Mcp-Session-Id", session },
                { "Last-Event-ID", last } }));
        QCOMPARE(r.status, 200);
    }
    QVERIFY(resumes >= 1);
    QCOMPARE(all.size(), steps + 1);
    for (int i = 0; i < steps; ++i)
        QCOMPARE(eventJson(all.at(i))
                     .value(QLatin1String("params"))
                     .toObject()
                     .value(QLatin1String("progress"))
                     .toInt(),
            i + 1);
    QCOMPARE(metric("tickerwire_mcp_requests_expired_total"), 0.0);
}

// --- Limits -------------------------------------------------------------------------------

void tst_StreamableHttp::sessionExpires()
{
    startServer([](ServerConfig &c) { c.mcpHttp.sessionIdleTimeoutMs = 1000; });
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(metric("tickerwire_mcp_sessions_expired_total"), 1.0, kTimeoutMs);
    QCOMPARE(post(request(2, QStringLiteral("ping")), session).status, 404);
    QCOMPARE(metric("tickerwire_mcp_sessions"), 0.0);
}

void tst_StreamableHttp::sessionCap()
{
    startServer([](ServerConfig &c) { c.mcpHttp.maxSessions = 2; });
    const QByteArray a = initialize();
    const QByteArray b = initialize();
    QVERIFY(!a.isEmpty() && !b.isEmpty());
    const ParsedResponse refused = post(initializeRequest(QStringLiteral("2025-11-25")), {});
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.errorReason(), QStringLiteral("too_many_sessions"));
    QVERIFY(!refused.header("retry-after").isEmpty());
    QCOMPARE(metric("tickerwire_mcp_sessions_refused_total"), 1.0);
    QCOMPARE(roundTrip(raw("DELETE", {}, { { "Mcp-Session-Id", a } })).status, 204);
    QVERIFY(!initialize().isEmpty());
}

QTEST_GUILESS_MAIN(tst_StreamableHttp)
#include "tst_streamablehttp.moc"
