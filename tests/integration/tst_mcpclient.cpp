// McpClient and NewsStreamClient against the real server: ServerRuntime on 127.0.0.1 port 0
// with test tools registered on its engine (echo, a slow tool with progress that honours
// cancellation, a tool that pings the client, a scripted stream_market_news), and
// tickerwire-server --stdio as a child process. Real sockets and pipes, no mocks.
#include "httpserver.h"
#include "mcpclient.h"
#include "mcprequestcontext.h"
#include "mcpserver.h"
#include "metrics.h"
#include "newsitem.h"
#include "newsstreamclient.h"
#include "serverconfig.h"
#include "serverruntime.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <memory>

using tw::client::McpCall;
using tw::client::McpClient;
using tw::client::McpClientSettings;
using tw::client::McpError;
using tw::client::McpProgress;
using tw::client::McpRequestOptions;
using tw::client::McpResponse;
using tw::client::NewsStreamClient;
using tw::mcp::McpRequestContext;
using tw::mcp::McpTool;
using tw::server::ServerConfig;
using tw::server::ServerRuntime;

namespace {

constexpr int kTimeoutMs = 20000;
const QString kServerBinary = QStringLiteral(TW_BINARY_DIR "/app/server/tickerwire-server");
const QByteArray kKey = QByteArrayLiteral("tw-client-test-key-3f9a1c77d2");

QJsonObject textResult(const QString &text)
{
    return QJsonObject { { QStringLiteral("content"),
        QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
            { QStringLiteral("text"), text } } } } };
}

QString resultText(const McpResponse &r)
{
    return r.result.value(QStringLiteral("content"))
        .toArray()
        .first()
        .toObject()
        .value(QStringLiteral("text"))
        .toString();
}

QJsonObject callParams(const QString &tool, const QJsonObject &arguments)
{
    return QJsonObject { { QStringLiteral("name"), tool },
        { QStringLiteral("arguments"), arguments } };
}

QByteArray newsItemJson(const QString &id, qint64 publishedAtMs)
{
    tw::core::NewsItem item;
    item.id = id;
    item.symbols = { QStringLiteral("TSLA") };
    item.headline = QStringLiteral("Fictional headline %1").arg(id);
    item.source = QStringLiteral("Demo Wire");
    item.url = QStringLiteral("https://example.invalid/%1").arg(id);
    item.publishedAtMs = publishedAtMs;
    item.receivedAtMs = publishedAtMs;
    item.provider = QStringLiteral("demo");
    item.category = QStringLiteral("general");
    return item.toJson();
}

// Collects what one request delivered.
struct Outcome {
    QList<McpProgress> progress;
    int resumes = 0;
    bool done = false;
    McpResponse response;
};

} // namespace

class tst_McpClient : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void initializeNegotiatesVersionAndSession();
    void toolsList();
    void callWithJsonResponse();
    void callWithSseProgressInOrder();
    void requestHandleSignals();
    void cancelReachesServer();
    void serverPingIsAnswered();
    void rootsHandlerAnswersServer();
    void timeoutCancelsOnServer();
    void rateLimitedSaysWhenToRetry();
    void reinitializesAfter404();
    void wrongApiKeyIsRefusedClearly();
    void rightApiKeyAsBearer();
    void connectionRefused();
    void resumesAfterServerClosesStream();
    void closeDeletesSession();
    void serverStreamCarriesLogMessages();
    void stdioChildProcess();
    void newsStreamItemsHeartbeatsFinished();
    void newsStreamStop();
    void newsStreamSurvivesResumption();
    void newsStreamFromDemoFeed();

private:
    void startServer(const std::function<void(ServerConfig &)> &configure = {});
    std::unique_ptr<McpClient> connectedClient(McpClientSettings settings = {});
    std::shared_ptr<Outcome> run(
        McpClient *client, const QString &method, const QJsonObject &params, bool progress = false);
    double metric(const QByteArray &name) const;
    QUrl endpoint() const;

    std::unique_ptr<ServerRuntime> m_runtime;
    int m_slowCancelled = 0;
    int m_streamCancelled = 0;
    bool m_scriptedStream = true; // replace the real stream_market_news with the scripted one
    QString m_pingStatus;
};

void tst_McpClient::init()
{
    m_slowCancelled = 0;
    m_streamCancelled = 0;
    m_scriptedStream = true;
    m_pingStatus.clear();
    qunsetenv("MCP_API_KEY");
}

void tst_McpClient::cleanup() { m_runtime.reset(); }

QUrl tst_McpClient::endpoint() const
{
    return QUrl(
        QStringLiteral("http://127.0.0.1:%1/mcp").arg(m_runtime->httpServer()->serverPort()));
}

double tst_McpClient::metric(const QByteArray &name) const
{
    return m_runtime->metrics()->value(name);
}

void tst_McpClient::startServer(const std::function<void(ServerConfig &)> &configure)
{
    ServerConfig config;
    config.port = 0;
    config.security.requestsPerMinute = 0;
    config.security.streamsPerMinute = 0;
    if (configure)
        configure(config);
    m_runtime = std::make_unique<ServerRuntime>(config);
    tw::mcp::McpServer *server = m_runtime->mcpServer();

    McpTool echo;
    echo.name = QStringLiteral("echo");
    echo.handler = [](McpRequestContext *ctx) {
        ctx->finish(textResult(ctx->arguments().value(QStringLiteral("text")).toString()));
    };
    QVERIFY(server->registerTool(echo));

    // Progress every intervalMs (default 20) for `steps` steps, then the result; stops when
    // cancelled.
    McpTool slow;
    slow.name = QStringLiteral("slow");
    slow.handler = [this](McpRequestContext *ctx) {
        const int steps = ctx->arguments().value(QStringLiteral("steps")).toInt(5);
        auto *timer = new QTimer(ctx);
        auto count = std::make_shared<int>(0);
        connect(timer, &QTimer::timeout, ctx, [ctx, timer, steps, count] {
            ++*count;
            ctx->sendProgress(*count, steps, QStringLiteral("step %1").arg(*count));
            if (*count >= steps) {
                timer->stop();
                ctx->finish(textResult(QStringLiteral("done after %1").arg(steps)));
            }
        });
        connect(ctx, &McpRequestContext::cancelled, this, [this, timer] {
            timer->stop();
            ++m_slowCancelled;
        });
        timer->start(ctx->arguments().value(QStringLiteral("intervalMs")).toInt(20));
    };
    QVERIFY(server->registerTool(slow));

    // Asks the client for a ping and reports how that went.
    McpTool pinger;
    pinger.name = QStringLiteral("pinger");
    pinger.handler = [this](McpRequestContext *ctx) {
        QPointer<McpRequestContext> guard(ctx);
        ctx->sendRequest(
            QStringLiteral("ping"), {}, [this, guard](const tw::mcp::McpClientReply &reply) {
                m_pingStatus = reply.isResult()
                    ? QStringLiteral("answered")
                    : QStringLiteral("not answered: %1").arg(reply.errorMessage);
                if (guard)
                    guard->finish(textResult(m_pingStatus));
            });
    };
    QVERIFY(server->registerTool(pinger));

    // Asks the client for its roots and returns the first root's uri (or why it could not).
    McpTool rooter;
    rooter.name = QStringLiteral("rooter");
    rooter.handler = [](McpRequestContext *ctx) {
        QPointer<McpRequestContext> guard(ctx);
        ctx->sendRequest(
            QStringLiteral("roots/list"), {}, [guard](const tw::mcp::McpClientReply &reply) {
                if (!guard)
                    return;
                guard->finish(
                    textResult(reply.isResult() ? reply.result.value(QStringLiteral("roots"))
                                                      .toArray()
                                                      .first()
                                                      .toObject()
                                                      .value(QStringLiteral("uri"))
                                                      .toString()
                                                : QStringLiteral("refused")));
            });
    };
    QVERIFY(server->registerTool(rooter));

    // A scripted stream_market_news (replaces the real one): duration/250 items every 20 ms, the
    // second one sent twice (as a replay would), a heartbeat after the first item, then the
    // result -- or, with a duration of a minute or more, items for ever until cancelled.
    McpTool stream;
    stream.name = QStringLiteral("stream_market_news");
    stream.handler = [this](McpRequestContext *ctx) {
        const int count
            = std::max(1, ctx->arguments().value(QStringLiteral("duration")).toInt(750) / 250);
        const bool forever = ctx->arguments().value(QStringLiteral("duration")).toInt(1) >= 60000;
        auto *timer = new QTimer(ctx);
        auto step = std::make_shared<int>(0);
        auto progress = std::make_shared<int>(0);
        connect(timer, &QTimer::timeout, ctx, [ctx, timer, count, forever, step, progress] {
            ++*step;
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            ctx->sendProgress(++*progress, std::nullopt,
                QString::fromUtf8(newsItemJson(QStringLiteral("item-%1").arg(*step), now - 5)));
            if (*step == 1) {
                ctx->sendProgress(++*progress, std::nullopt,
                    QStringLiteral("{\"type\":\"heartbeat\",\"at\":\"x\",\"items\":1}"));
            }
            if (*step == 2) {
                ctx->sendProgress(++*progress, std::nullopt,
                    QString::fromUtf8(newsItemJson(QStringLiteral("item-2"), now - 5)));
            }
            if (!forever && *step >= count) {
                timer->stop();
                QJsonObject result = textResult(QStringLiteral("%1 items").arg(count));
                result.insert(QStringLiteral("structuredContent"),
                    QJsonObject { { QStringLiteral("endReason"), QStringLiteral("duration") },
                        { QStringLiteral("count"), count } });
                ctx->finish(result);
            }
        });
        connect(ctx, &McpRequestContext::cancelled, this, [this, timer] {
            timer->stop();
            ++m_streamCancelled;
        });
        timer->start(20);
    };
    if (m_scriptedStream)
        QVERIFY(server->registerTool(stream));

    QString error;
    QVERIFY2(m_runtime->start(&error), qPrintable(error));
}

std::unique_ptr<McpClient> tst_McpClient::connectedClient(McpClientSettings settings)
{
    settings.apiKeyFromEnvironment = false;
    auto client = std::make_unique<McpClient>(endpoint(), settings);
    QSignalSpy ready(client.get(), &McpClient::ready);
    client->connectToServer();
    if (!ready.wait(kTimeoutMs) && ready.isEmpty()) {
        qWarning() << "connect failed:" << client->lastError().message;
        return nullptr;
    }
    return client;
}

std::shared_ptr<Outcome> tst_McpClient::run(
    McpClient *client, const QString &method, const QJsonObject &params, bool progress)
{
    auto outcome = std::make_shared<Outcome>();
    McpRequestOptions options;
    if (progress)
        options.onProgress = [outcome](const McpProgress &p) { outcome->progress.append(p); };
    options.onDone = [outcome](const McpResponse &r) {
        outcome->done = true;
        outcome->response = r;
    };
    McpCall *call = client->request(method, params, options);
    connect(call, &McpCall::resuming, call, [outcome] { ++outcome->resumes; });
    return outcome;
}

void tst_McpClient::initializeNegotiatesVersionAndSession()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    QCOMPARE(client->state(), McpClient::State::Ready);
    QCOMPARE(client->protocolVersion(), QStringLiteral("2025-11-25"));
    QCOMPARE(client->sessionId().size(), 32);
    QVERIFY(m_runtime->mcpServer()->session(client->sessionId()));
    QCOMPARE(client->serverInfo().value(QStringLiteral("name")).toString(),
        QStringLiteral("tickerwire"));

    // An older offer is echoed and used.
    McpClientSettings older;
    older.protocolVersion = QStringLiteral("2025-06-18");
    auto second = connectedClient(older);
    QVERIFY(second);
    QCOMPARE(second->protocolVersion(), QStringLiteral("2025-06-18"));
    QVERIFY(second->sessionId() != client->sessionId());
}

void tst_McpClient::toolsList()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    auto out = run(client.get(), QStringLiteral("tools/list"), {});
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QVERIFY2(out->response.ok(), qPrintable(out->response.error.message));
    QStringList names;
    const QJsonArray tools = out->response.result.value(QStringLiteral("tools")).toArray();
    for (const QJsonValue &t : tools)
        names << t.toObject().value(QStringLiteral("name")).toString();
    QVERIFY2(names.contains(QStringLiteral("echo")), qPrintable(names.join(u',')));
    QVERIFY(names.contains(QStringLiteral("slow")));
}

void tst_McpClient::callWithJsonResponse()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    auto out = run(client.get(), QStringLiteral("tools/call"),
        callParams(
            QStringLiteral("echo"), { { QStringLiteral("text"), QStringLiteral("héllo") } }));
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QVERIFY2(out->response.ok(), qPrintable(out->response.error.message));
    QCOMPARE(resultText(out->response), QStringLiteral("héllo"));

    // A JSON-RPC error comes back as Kind::Rpc with the server's code and message.
    auto bad = run(client.get(), QStringLiteral("no/such/method"), {});
    QTRY_VERIFY_WITH_TIMEOUT(bad->done, kTimeoutMs);
    QCOMPARE(bad->response.error.kind, McpError::Kind::Rpc);
    QCOMPARE(bad->response.error.code, -32601);
}

void tst_McpClient::callWithSseProgressInOrder()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    auto out = run(client.get(), QStringLiteral("tools/call"),
        callParams(QStringLiteral("slow"), { { QStringLiteral("steps"), 6 } }), true);
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QVERIFY2(out->response.ok(), qPrintable(out->response.error.message));
    QCOMPARE(resultText(out->response), QStringLiteral("done after 6"));
    QCOMPARE(out->progress.size(), 6);
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(out->progress.at(i).progress, double(i + 1));
        QCOMPARE(out->progress.at(i).total.value_or(-1), 6.0);
        QCOMPARE(out->progress.at(i).message, QStringLiteral("step %1").arg(i + 1));
    }
}

void tst_McpClient::requestHandleSignals()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    McpRequestOptions options;
    options.progress = true;
    QPointer<McpCall> call = client->request(QStringLiteral("tools/call"),
        callParams(QStringLiteral("slow"), { { QStringLiteral("steps"), 3 } }), options);
    QSignalSpy progress(call.data(), &McpCall::progress);
    QSignalSpy done(call.data(), &McpCall::done);
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, kTimeoutMs);
    QCOMPARE(progress.size(), 3);
    QVERIFY(done.first().first().value<McpResponse>().ok());
    QTRY_VERIFY(call.isNull()); // the handle deletes itself once done
}

void tst_McpClient::cancelReachesServer()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    const double before = metric("tickerwire_mcp_requests_cancelled_total");
    auto out = std::make_shared<Outcome>();
    McpRequestOptions options;
    options.onProgress = [out](const McpProgress &p) { out->progress.append(p); };
    options.onDone = [out](const McpResponse &r) {
        out->done = true;
        out->response = r;
    };
    QPointer<McpCall> call = client->request(QStringLiteral("tools/call"),
        callParams(QStringLiteral("slow"), { { QStringLiteral("steps"), 100000 } }), options);
    QTRY_VERIFY_WITH_TIMEOUT(!out->progress.isEmpty(), kTimeoutMs);
    call->cancel(QStringLiteral("test says stop"));
    QVERIFY(out->done); // reported locally at once
    QCOMPARE(out->response.error.kind, McpError::Kind::Cancelled);
    QVERIFY(out->response.error.message.contains(QStringLiteral("test says stop")));
    QTRY_COMPARE_WITH_TIMEOUT(m_slowCancelled, 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(
        metric("tickerwire_mcp_requests_cancelled_total"), before + 1, kTimeoutMs);

    // The client carries on.
    auto after = run(client.get(), QStringLiteral("tools/call"),
        callParams(
            QStringLiteral("echo"), { { QStringLiteral("text"), QStringLiteral("still here") } }));
    QTRY_VERIFY_WITH_TIMEOUT(after->done, kTimeoutMs);
    QCOMPARE(resultText(after->response), QStringLiteral("still here"));
}

void tst_McpClient::serverPingIsAnswered()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    auto out
        = run(client.get(), QStringLiteral("tools/call"), callParams(QStringLiteral("pinger"), {}));
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QVERIFY2(out->response.ok(), qPrintable(out->response.error.message));
    QCOMPARE(resultText(out->response), QStringLiteral("answered"));
}

void tst_McpClient::rootsHandlerAnswersServer()
{
    startServer();
    // Without a handler the capability is not declared: the server does not even ask.
    auto plain = connectedClient();
    QVERIFY(plain);
    auto refused
        = run(plain.get(), QStringLiteral("tools/call"), callParams(QStringLiteral("rooter"), {}));
    QTRY_VERIFY_WITH_TIMEOUT(refused->done, kTimeoutMs);
    QCOMPARE(resultText(refused->response), QStringLiteral("refused"));

    McpClientSettings settings;
    settings.apiKeyFromEnvironment = false;
    McpClient client(endpoint(), settings);
    client.setRequestHandler(QStringLiteral("roots/list"), [](const QJsonObject &) {
        McpResponse r;
        r.result.insert(QStringLiteral("roots"),
            QJsonArray {
                QJsonObject { { QStringLiteral("uri"), QStringLiteral("file:///desk") } } });
        return r;
    });
    QSignalSpy ready(&client, &McpClient::ready);
    client.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, kTimeoutMs);
    auto out = run(&client, QStringLiteral("tools/call"), callParams(QStringLiteral("rooter"), {}));
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QVERIFY2(out->response.ok(), qPrintable(out->response.error.message));
    QCOMPARE(resultText(out->response), QStringLiteral("file:///desk"));
}

void tst_McpClient::timeoutCancelsOnServer()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    auto out = std::make_shared<Outcome>();
    McpRequestOptions options;
    options.timeoutMs = 100;
    options.onDone = [out](const McpResponse &r) {
        out->done = true;
        out->response = r;
    };
    client->request(QStringLiteral("tools/call"),
        callParams(QStringLiteral("slow"), { { QStringLiteral("steps"), 100000 } }), options);
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QCOMPARE(out->response.error.kind, McpError::Kind::Timeout);
    QVERIFY(out->response.error.message.contains(QStringLiteral("timed out")));
    QTRY_COMPARE_WITH_TIMEOUT(m_slowCancelled, 1, kTimeoutMs);
}

void tst_McpClient::rateLimitedSaysWhenToRetry()
{
    startServer([](ServerConfig &c) { c.security.requestsPerMinute = 3; });
    auto client = connectedClient(); // initialize + initialized: 2 of the 3
    QVERIFY(client);
    QList<std::shared_ptr<Outcome>> outs;
    for (int i = 0; i < 3; ++i)
        outs << run(client.get(), QStringLiteral("ping"), {});
    QTRY_VERIFY_WITH_TIMEOUT(outs.at(0)->done && outs.at(1)->done && outs.at(2)->done, kTimeoutMs);
    const auto limited
        = std::find_if(outs.cbegin(), outs.cend(), [](const std::shared_ptr<Outcome> &o) {
              return o->response.error.kind == McpError::Kind::RateLimited;
          });
    QVERIFY(limited != outs.cend());
    const McpError &error = (*limited)->response.error;
    QCOMPARE(error.httpStatus, 429);
    QVERIFY(error.retryAfterSeconds > 0);
    QVERIFY2(
        error.message.contains(QStringLiteral("retry after %1 s").arg(error.retryAfterSeconds)),
        qPrintable(error.message));
}

void tst_McpClient::reinitializesAfter404()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    const QString first = client->sessionId();
    QSignalSpy reinitialized(client.get(), &McpClient::sessionReinitialized);
    m_runtime->mcpServer()->closeSession(first);
    QVERIFY(!m_runtime->mcpServer()->session(first));

    auto out = run(client.get(), QStringLiteral("tools/call"),
        callParams(
            QStringLiteral("echo"), { { QStringLiteral("text"), QStringLiteral("again") } }));
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QVERIFY2(out->response.ok(), qPrintable(out->response.error.message));
    QCOMPARE(resultText(out->response), QStringLiteral("again"));
    QCOMPARE(reinitialized.size(), 1);
    QVERIFY(client->sessionId() != first);
    QVERIFY(m_runtime->mcpServer()->session(client->sessionId()));
    QCOMPARE(client->state(), McpClient::State::Ready);
}

void tst_McpClient::wrongApiKeyIsRefusedClearly()
{
    startServer([](ServerConfig &c) { c.security.apiKeys = { kKey }; });
    McpClientSettings settings;
    settings.apiKeyFromEnvironment = false;
    McpClient noKey(endpoint(), settings);
    QSignalSpy noKeyError(&noKey, &McpClient::errorOccurred);
    noKey.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(noKeyError.size(), 1, kTimeoutMs);
    QCOMPARE(noKey.lastError().kind, McpError::Kind::Unauthorized);
    QVERIFY2(noKey.lastError().message.contains(QStringLiteral("requires an API key")),
        qPrintable(noKey.lastError().message));

    // The key comes from MCP_API_KEY when the settings have none.
    qputenv("MCP_API_KEY", "tw-wrong-key-0000000000");
    McpClient wrong(endpoint(), McpClientSettings {});
    QSignalSpy wrongError(&wrong, &McpClient::errorOccurred);
    wrong.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(wrongError.size(), 1, kTimeoutMs);
    QCOMPARE(wrong.state(), McpClient::State::Failed);
    QCOMPARE(wrong.lastError().kind, McpError::Kind::Unauthorized);
    QCOMPARE(wrong.lastError().httpStatus, 401);
    QVERIFY2(wrong.lastError().message.contains(QStringLiteral("rejected the API key")),
        qPrintable(wrong.lastError().message));
    QVERIFY(!wrong.lastError().message.contains(QStringLiteral("tw-wrong-key")));
    qunsetenv("MCP_API_KEY");
}

void tst_McpClient::rightApiKeyAsBearer()
{
    startServer([](ServerConfig &c) { c.security.apiKeys = { kKey }; });
    McpClientSettings settings;
    settings.apiKey = kKey;
    settings.apiKeyHeader = McpClientSettings::ApiKeyHeader::Bearer;
    auto client = connectedClient(settings);
    QVERIFY(client);
    auto out = run(client.get(), QStringLiteral("tools/call"),
        callParams(QStringLiteral("slow"), { { QStringLiteral("steps"), 2 } }), true);
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QVERIFY2(out->response.ok(), qPrintable(out->response.error.message));
    QCOMPARE(out->progress.size(), 2);
}

void tst_McpClient::connectionRefused()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    McpClientSettings settings;
    settings.apiKeyFromEnvironment = false;
    McpClient client(QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port)), settings);
    QSignalSpy error(&client, &McpClient::errorOccurred);
    client.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(error.size(), 1, kTimeoutMs);
    QCOMPARE(client.lastError().kind, McpError::Kind::ConnectionRefused);
    QVERIFY(client.lastError().message.contains(QStringLiteral("Connection refused")));

    // A request on a failed client says why at once.
    auto out = run(&client, QStringLiteral("tools/list"), {});
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QCOMPARE(out->response.error.kind, McpError::Kind::NotConnected);
}

void tst_McpClient::resumesAfterServerClosesStream()
{
    // SSE polling: the server ends the POST stream every 60 ms; the client resumes with GET +
    // Last-Event-ID (after the server's 10 ms retry) until the response arrives.
    startServer([](ServerConfig &c) {
        c.mcpHttp.ssePollIntervalMs = 60;
        c.mcpHttp.sseRetryMs = 10;
    });
    auto client = connectedClient();
    QVERIFY(client);
    const int steps = 15;
    auto out = run(client.get(), QStringLiteral("tools/call"),
        callParams(QStringLiteral("slow"), { { QStringLiteral("steps"), steps } }), true);
    QTRY_VERIFY_WITH_TIMEOUT(out->done, kTimeoutMs);
    QVERIFY2(out->response.ok(), qPrintable(out->response.error.message));
    QCOMPARE(resultText(out->response), QStringLiteral("done after %1").arg(steps));
    QVERIFY2(out->resumes >= 1, "the stream was never cut: the test proves nothing");
    QCOMPARE(out->progress.size(), steps); // every event exactly once
    for (int i = 0; i < steps; ++i)
        QCOMPARE(out->progress.at(i).progress, double(i + 1));

    // A quiet request: many polls in a row bring nothing new, and that is no failure.
    auto quiet = run(client.get(), QStringLiteral("tools/call"),
        callParams(QStringLiteral("slow"),
            { { QStringLiteral("steps"), 2 }, { QStringLiteral("intervalMs"), 600 } }),
        true);
    QTRY_VERIFY_WITH_TIMEOUT(quiet->done, kTimeoutMs);
    QVERIFY2(quiet->response.ok(), qPrintable(quiet->response.error.message));
    QVERIFY(quiet->resumes > client->settings().maxResumeAttempts);
    QCOMPARE(quiet->progress.size(), 2);
}

void tst_McpClient::closeDeletesSession()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    const QString id = client->sessionId();
    QVERIFY(m_runtime->mcpServer()->session(id));
    QSignalSpy closed(client.get(), &McpClient::closed);
    client->close();
    QCOMPARE(client->state(), McpClient::State::Closed);
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, kTimeoutMs);
    QVERIFY(!m_runtime->mcpServer()->session(id));
}

void tst_McpClient::serverStreamCarriesLogMessages()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    QSignalSpy logs(client.get(), &McpClient::logMessage);
    client->openServerStream();
    tw::mcp::McpSession *session = m_runtime->mcpServer()->session(client->sessionId());
    QVERIFY(session);
    // Logged until the GET stream is there to carry it (the session sink drops it before).
    QTimer sender;
    connect(&sender, &QTimer::timeout, this, [&] {
        m_runtime->mcpServer()->log(tw::mcp::McpLogLevel::Level::Error, QStringLiteral("feed down"),
            QStringLiteral("news"), session);
    });
    sender.start(50);
    QTRY_VERIFY_WITH_TIMEOUT(!logs.isEmpty(), kTimeoutMs);
    sender.stop();
    QCOMPARE(logs.first().at(0).toString(), QStringLiteral("error"));
    QCOMPARE(logs.first().at(1).toString(), QStringLiteral("news"));
    QCOMPARE(logs.first().at(2).toJsonValue().toString(), QStringLiteral("feed down"));
}

void tst_McpClient::stdioChildProcess()
{
    QVERIFY2(QFile::exists(kServerBinary), qPrintable(kServerBinary));
    McpClientSettings settings;
    settings.apiKeyFromEnvironment = false;
    std::unique_ptr<McpClient> client(
        McpClient::forCommand(kServerBinary, { QStringLiteral("--stdio") }, settings));
    QSignalSpy ready(client.get(), &McpClient::ready);
    QSignalSpy failed(client.get(), &McpClient::errorOccurred);
    client->connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty() || !failed.isEmpty(), kTimeoutMs);
    QVERIFY2(failed.isEmpty(), qPrintable(client->lastError().message));
    QCOMPARE(client->protocolVersion(), QStringLiteral("2025-11-25"));

    auto ping = run(client.get(), QStringLiteral("ping"), {});
    QTRY_VERIFY_WITH_TIMEOUT(ping->done, kTimeoutMs);
    QVERIFY2(ping->response.ok(), qPrintable(ping->response.error.message));

    auto list = run(client.get(), QStringLiteral("tools/list"), {});
    QTRY_VERIFY_WITH_TIMEOUT(list->done, kTimeoutMs);
    QVERIFY2(list->response.ok(), qPrintable(list->response.error.message));
    QVERIFY(list->response.result.value(QStringLiteral("tools")).isArray());

    QSignalSpy closed(client.get(), &McpClient::closed);
    client->close();
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, kTimeoutMs);
}

void tst_McpClient::newsStreamItemsHeartbeatsFinished()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    NewsStreamClient news(client.get());
    QSignalSpy items(&news, &NewsStreamClient::item);
    QSignalSpy heartbeats(&news, &NewsStreamClient::heartbeat);
    QSignalSpy finished(&news, &NewsStreamClient::finished);
    QSignalSpy errors(&news, &NewsStreamClient::error);
    news.start({ QStringLiteral("TSLA") }, {}, 1000, 750);
    QCOMPARE(news.state(), NewsStreamClient::State::Starting);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QVERIFY(errors.isEmpty());
    QCOMPARE(finished.first().first().toString(), QStringLiteral("duration"));
    QCOMPARE(news.endReason(), QStringLiteral("duration"));
    QCOMPARE(news.state(), NewsStreamClient::State::Stopped);
    // item-2 was sent twice: shown once.
    QCOMPARE(items.size(), 3);
    QStringList ids;
    for (const QList<QVariant> &args : std::as_const(items)) {
        ids << args.first().value<tw::core::NewsItem>().id;
        QVERIFY(args.at(1).toLongLong() >= 0); // latency: received after published
    }
    QCOMPARE(ids,
        (QStringList {
            QStringLiteral("item-1"), QStringLiteral("item-2"), QStringLiteral("item-3") }));
    QCOMPARE(heartbeats.size(), 1);
    QCOMPARE(news.itemCount(), 3);
}

void tst_McpClient::newsStreamStop()
{
    startServer();
    auto client = connectedClient();
    QVERIFY(client);
    NewsStreamClient news(client.get());
    QSignalSpy items(&news, &NewsStreamClient::item);
    QSignalSpy finished(&news, &NewsStreamClient::finished);
    news.start({ QStringLiteral("TSLA") }, { QStringLiteral("fictional") }, 1000, 3600000);
    QTRY_VERIFY_WITH_TIMEOUT(!items.isEmpty(), kTimeoutMs);
    QCOMPARE(news.state(), NewsStreamClient::State::Live);
    news.stop();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QCOMPARE(finished.first().first().toString(), QStringLiteral("cancelled"));
    QCOMPARE(news.state(), NewsStreamClient::State::Stopped);
    QTRY_COMPARE_WITH_TIMEOUT(m_streamCancelled, 1, kTimeoutMs);
}

void tst_McpClient::newsStreamSurvivesResumption()
{
    startServer([](ServerConfig &c) {
        c.mcpHttp.ssePollIntervalMs = 60;
        c.mcpHttp.sseRetryMs = 10;
    });
    auto client = connectedClient();
    QVERIFY(client);
    NewsStreamClient news(client.get());
    QSignalSpy items(&news, &NewsStreamClient::item);
    QSignalSpy states(&news, &NewsStreamClient::stateChanged);
    QSignalSpy finished(&news, &NewsStreamClient::finished);
    news.start({ QStringLiteral("TSLA") }, {}, 1000, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QCOMPARE(news.endReason(), QStringLiteral("duration"));
    QVERIFY(states.contains(
        QVariantList { QVariant::fromValue(NewsStreamClient::State::Reconnecting) }));
    // Scripted: item-1..20 with item-2 twice, across several resumed connections; each shown once.
    QCOMPARE(items.size(), 20);
    QSet<QString> ids;
    for (const QList<QVariant> &args : std::as_const(items))
        ids.insert(args.first().value<tw::core::NewsItem>().id);
    QCOMPARE(ids.size(), 20);
    QCOMPARE(news.state(), NewsStreamClient::State::Stopped);
}

void tst_McpClient::newsStreamFromDemoFeed()
{
    // The real tool on the real demo feed: what the GUI sees.
    m_scriptedStream = false;
    startServer([](ServerConfig &c) { c.demo.rate = 50; });
    auto client = connectedClient();
    QVERIFY(client);
    NewsStreamClient news(client.get());
    QSignalSpy items(&news, &NewsStreamClient::item);
    QSignalSpy heartbeats(&news, &NewsStreamClient::heartbeat);
    QSignalSpy finished(&news, &NewsStreamClient::finished);
    QSignalSpy errors(&news, &NewsStreamClient::error);
    news.start({ QStringLiteral("TSLA") }, {}, 1000, 2500);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QVERIFY2(
        errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
    QCOMPARE(news.endReason(), QStringLiteral("duration"));
    QVERIFY(!items.isEmpty());
    QVERIFY(!heartbeats.isEmpty());
    QSet<QString> ids;
    for (const QList<QVariant> &args : std::as_const(items)) {
        const auto item = args.first().value<tw::core::NewsItem>();
        QVERIFY(item.symbols.contains(QStringLiteral("TSLA")));
        QVERIFY(!item.headline.isEmpty());
        ids.insert(item.id);
    }
    QCOMPARE(ids.size(), items.size());
    QCOMPARE(news.result().value(QStringLiteral("count")).toInt(), int(items.size()));
}

QTEST_GUILESS_MAIN(tst_McpClient)
#include "tst_mcpclient.moc"
