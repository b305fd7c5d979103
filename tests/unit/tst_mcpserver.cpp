// The MCP engine (app/mcp/mcpserver.h) driven the way a transport drives it, over an
// in-memory sink: lifecycle and versions, JSON-RPC error codes, batches, duplicate ids,
// cancellation, progress, pagination, logging, subscriptions, list_changed, the grace
// period for requests whose client went away, and server->client requests (sampling,
// elicitation, roots/list): their ids and streams, the routing of the client's answers,
// timeouts, capability checks and cancellation.
#include "mcprequestcontext.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "mcpsink.h"

#include <metrics.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tw::mcp;
using Outcome = McpDispatch::Outcome;

Q_DECLARE_METATYPE(McpDispatch::Outcome)

namespace {

class MemorySink : public McpSink {
public:
    void send(const QJsonObject &message) override { messages.append(message); }
    void complete() override { ++completions; }
    bool carriesServerRequests() const override { return carriesRequests; }

    QJsonObject last() const { return messages.isEmpty() ? QJsonObject() : messages.last(); }
    QList<QJsonObject> withMethod(const QString &method) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &m : messages)
            if (m.value("method"_L1).toString() == method)
                out << m;
        return out;
    }
    QList<QJsonObject> responses() const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &m : messages)
            if (m.contains("result"_L1) || m.contains("error"_L1))
                out << m;
        return out;
    }

    QList<QJsonObject> messages;
    int completions = 0;
    bool carriesRequests = true;
};

int errorCode(const QJsonObject &m)
{
    return m.value("error"_L1).toObject().value("code"_L1).toInt();
}

QString errorMessage(const QJsonObject &m)
{
    return m.value("error"_L1).toObject().value("message"_L1).toString();
}

QByteArray initializeBody(const QString &version, int id = 1,
    const QJsonObject &capabilities = QJsonObject())
{
    const QJsonObject params { { u"protocolVersion"_s, version }, { u"capabilities"_s, capabilities },
        { u"clientInfo"_s, QJsonObject { { u"name"_s, u"test"_s }, { u"version"_s, u"1"_s } } } };
    return QJsonDocument(QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id },
                             { u"method"_s, u"initialize"_s }, { u"params"_s, params } })
        .toJson(QJsonDocument::Compact);
}

QByteArray call(const QJsonValue &id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject o { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"method"_s, method } };
    if (!params.isEmpty())
        o.insert(u"params"_s, params);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray notify(const QString &method, const QJsonObject &params = {})
{
    QJsonObject o { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, method } };
    if (!params.isEmpty())
        o.insert(u"params"_s, params);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray answer(const QJsonValue &id, const QJsonObject &result)
{
    return QJsonDocument(QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"result"_s, result } })
        .toJson(QJsonDocument::Compact);
}

QByteArray answerError(const QJsonValue &id, int code, const QString &message, const QJsonValue &data)
{
    return QJsonDocument(QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id },
                             { u"error"_s,
                                 QJsonObject { { u"code"_s, code }, { u"message"_s, message },
                                     { u"data"_s, data } } } })
        .toJson(QJsonDocument::Compact);
}

const QJsonObject kAllClientCapabilities { { u"sampling"_s, QJsonObject() },
    { u"elicitation"_s, QJsonObject() }, { u"roots"_s, QJsonObject { { u"listChanged"_s, true } } } };

QJsonObject toolCall(const QString &name, const QJsonObject &arguments, const QJsonValue &token = {})
{
    QJsonObject p { { u"name"_s, name }, { u"arguments"_s, arguments } };
    if (!token.isNull())
        p.insert(u"_meta"_s, QJsonObject { { u"progressToken"_s, token } });
    return p;
}

} // namespace

class tst_McpServer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void initializeNegotiatesVersion_data();
    void initializeNegotiatesVersion();
    void serializedProgressMatchesQJsonDocument_data();
    void serializedProgressMatchesQJsonDocument();
    void initializeRejectsBadParamsAndRepeats();
    void requestsBeforeInitialize();
    void errorCodes_data();
    void errorCodes();
    void batches();
    void toolArgumentsValidated_data();
    void toolArgumentsValidated();
    void toolErrorsAndOutputSchema();
    void duplicateInFlightId();
    void cancellationSuppressesResponse();
    void progressOnlyIncreasing();
    void pagination();
    void logging();
    void resourcesAndSubscriptions();
    void promptsAndCompletion();
    void listChangedIsCoalesced();
    void abandonedRequestExpiresAfterGrace();
    void resumedRequestSurvivesGrace();
    void closeSessionCancelsRequests();

    void clientRequestGoesOnTheRequestStream();
    void clientResultRoutedToCallback();
    void clientErrorRoutedToCallback();
    void clientRequestTimesOut();
    void clientRequestNeedsCapability_data();
    void clientRequestNeedsCapability();
    void clientRequestNeedsReadyClient();
    void originCancelledCancelsClientRequests();
    void originAnsweredCancelsClientRequests();
    void unknownResponseIdIgnored();
    void sessionLevelClientRequest();
    void closeSessionCancelsClientRequests();
    void jsonOnlySinkFallsBackToSessionSink();

private:
    McpSession *initialized(const QString &version = u"2025-06-18"_s,
        const QJsonObject &capabilities = QJsonObject());
    // A tool "ask" that sends args.method (params args.params, timeout args.timeoutMs) to
    // the client and records the reply in m_replies; answers the call when args.answer.
    void registerAskTool();
    QJsonObject ask(McpSession *s, const QByteArray &body, McpDispatch *dispatch = nullptr);
    void registerSlowTool();

    std::unique_ptr<tw::core::MetricsRegistry> m_metrics;
    std::unique_ptr<McpServer> m_server;
    std::shared_ptr<MemorySink> m_sink;
    QList<QPointer<McpRequestContext>> m_slow; // requests of the "slow" tool, still open
    QList<McpClientReply> m_replies; // replies to the "ask" tool's client requests
    QList<QPointer<McpClientRequest>> m_asked; // what the "ask" tool sent (null if refused)
};

void tst_McpServer::init()
{
    qRegisterMetaType<McpSession *>(); // for QSignalSpy on sessionInitialized / clientReady
    McpSettings settings;
    settings.instructions = u"Ask for news by ticker."_s;
    settings.pageSize = 2;
    settings.abandonGraceMs = 50;
    m_metrics = std::make_unique<tw::core::MetricsRegistry>();
    m_server = std::make_unique<McpServer>(settings, m_metrics.get());
    m_sink = std::make_shared<MemorySink>();
    m_slow.clear();
    m_replies.clear();
    m_asked.clear();

    McpTool stream;
    stream.name = u"stream_market_news"_s;
    stream.title = u"Stream market news"_s;
    stream.inputSchema = QJsonDocument::fromJson(R"({"type":"object","properties":{
        "symbol":{"type":"string"},"interval":{"type":"integer","minimum":1000}},
        "required":["symbol"]})")
                             .object();
    stream.annotations = QJsonObject { { u"readOnlyHint"_s, true } };
    stream.handler = [](McpRequestContext *ctx) {
        ctx->finish(QJsonObject { { u"content"_s,
            QJsonArray { QJsonObject { { u"type"_s, u"text"_s },
                { u"text"_s, ctx->arguments().value("symbol"_L1).toString() } } } } });
    };
    QVERIFY(m_server->registerTool(stream));
}

void tst_McpServer::cleanup()
{
    m_server.reset();
    m_metrics.reset();
}

McpSession *tst_McpServer::initialized(const QString &version, const QJsonObject &capabilities)
{
    McpSession *s = m_server->createSession();
    s->setSink(std::make_shared<MemorySink>());
    m_server->handle(s, initializeBody(version, 1, capabilities), m_sink);
    m_server->handle(s, notify(u"notifications/initialized"_s), m_sink);
    m_sink->messages.clear();
    return s;
}

QJsonObject tst_McpServer::ask(McpSession *s, const QByteArray &body, McpDispatch *dispatch)
{
    const qsizetype before = m_sink->messages.size();
    const McpDispatch d = m_server->handle(s, body, m_sink);
    if (dispatch)
        *dispatch = d;
    return m_sink->messages.size() > before ? m_sink->last() : QJsonObject();
}

void tst_McpServer::registerSlowTool()
{
    McpTool slow;
    slow.name = u"slow"_s;
    slow.handler = [this](McpRequestContext *ctx) { m_slow.append(ctx); };
    QVERIFY(m_server->registerTool(slow));
}

void tst_McpServer::registerAskTool()
{
    McpTool ask;
    ask.name = u"ask"_s;
    ask.handler = [this](McpRequestContext *ctx) {
        const QJsonObject args = ctx->arguments();
        m_slow.append(ctx);
        McpClientRequest *sent = ctx->sendRequest(args.value("method"_L1).toString(),
            args.value("params"_L1).toObject(),
            [this, ctx](const McpClientReply &reply) {
                m_replies.append(reply);
                if (reply.isResult())
                    ctx->finish(QJsonObject { { u"content"_s,
                        QJsonArray { QJsonObject { { u"type"_s, u"text"_s },
                            { u"text"_s, reply.result.value("text"_L1).toString() } } } } });
            },
            args.value("timeoutMs"_L1).toInt(-1));
        m_asked.append(sent);
        if (args.value("answer"_L1).toBool())
            ctx->finish(QJsonObject { { u"content"_s, QJsonArray() } });
    };
    QVERIFY(m_server->registerTool(ask));
}

void tst_McpServer::initializeNegotiatesVersion_data()
{
    QTest::addColumn<QString>("requested");
    QTest::addColumn<QString>("negotiated");
    QTest::addColumn<bool>("completions");
    QTest::newRow("2025-11-25") << u"2025-11-25"_s << u"2025-11-25"_s << true;
    QTest::newRow("2025-06-18") << u"2025-06-18"_s << u"2025-06-18"_s << true;
    QTest::newRow("2025-03-26") << u"2025-03-26"_s << u"2025-03-26"_s << true;
    QTest::newRow("2024-11-05") << u"2024-11-05"_s << u"2024-11-05"_s << false;
    QTest::newRow("unknown gets latest") << u"2099-01-01"_s << u"2025-11-25"_s << true;
}

void tst_McpServer::initializeNegotiatesVersion()
{
    QFETCH(QString, requested);
    QFETCH(QString, negotiated);
    QFETCH(bool, completions);
    McpSession *s = m_server->createSession();
    QSignalSpy spy(m_server.get(), &McpServer::sessionInitialized);
    McpDispatch d;
    const QJsonObject r = ask(s, initializeBody(requested), &d);
    QCOMPARE(d.outcome, Outcome::Answered);
    const QJsonObject result = r.value("result"_L1).toObject();
    QCOMPARE(result.value("protocolVersion"_L1).toString(), negotiated);
    QCOMPARE(s->protocolVersion(), negotiated);
    QVERIFY(s->isInitialized());
    QVERIFY(!s->isClientReady());
    QCOMPARE(spy.count(), 1);
    const QJsonObject info = result.value("serverInfo"_L1).toObject();
    QCOMPARE(info.value("name"_L1).toString(), u"tickerwire"_s);
    QCOMPARE(info.value("title"_L1).toString(), u"Tickerwire"_s);
    QVERIFY(!info.value("version"_L1).toString().isEmpty());
    QCOMPARE(result.value("instructions"_L1).toString(), u"Ask for news by ticker."_s);
    const QJsonObject caps = result.value("capabilities"_L1).toObject();
    QVERIFY(caps.contains("tools"_L1) && caps.contains("logging"_L1) && caps.contains("prompts"_L1));
    QCOMPARE(caps.value("resources"_L1).toObject().value("subscribe"_L1).toBool(), true);
    QCOMPARE(caps.contains("completions"_L1), completions);
    QCOMPARE(caps.value("experimental"_L1).toObject().value("tickerwire/streaming"_L1).toObject()
                 .value("enabled"_L1).toBool(),
        true);
    ask(s, notify(u"notifications/initialized"_s), &d);
    QCOMPARE(d.outcome, Outcome::Accepted);
    QVERIFY(s->isClientReady());
}

void tst_McpServer::initializeRejectsBadParamsAndRepeats()
{
    McpSession *s = m_server->createSession();
    QJsonObject r = ask(s, call(1, u"initialize"_s, { { u"capabilities"_s, QJsonObject() } }));
    QCOMPARE(errorCode(r), -32602);
    QVERIFY(errorMessage(r).contains("protocolVersion"_L1));
    QVERIFY(!s->isInitialized());
    ask(s, initializeBody(u"2025-06-18"_s));
    QVERIFY(s->isInitialized());
    r = ask(s, initializeBody(u"2025-11-25"_s, 2));
    QCOMPARE(errorCode(r), -32600);
    QCOMPARE(s->protocolVersion(), u"2025-06-18"_s);
}

void tst_McpServer::requestsBeforeInitialize()
{
    McpSession *s = m_server->createSession();
    QJsonObject r = ask(s, call(1, u"tools/list"_s));
    QCOMPARE(errorCode(r), -32600);
    QVERIFY(errorMessage(r).contains("initialize"_L1));
    r = ask(s, call(2, u"ping"_s));
    QCOMPARE(r.value("id"_L1).toInt(), 2);
    QVERIFY(r.value("result"_L1).isObject());
}

void tst_McpServer::errorCodes_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("code");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<QJsonValue>("id");
    QTest::newRow("parse error") << QByteArray("{\"jsonrpc\":") << -32700 << Outcome::Rejected
                                 << QJsonValue(QJsonValue::Null);
    QTest::newRow("scalar") << QByteArray("42") << -32600 << Outcome::Rejected << QJsonValue(QJsonValue::Null);
    QTest::newRow("wrong jsonrpc") << QByteArray(R"({"jsonrpc":"1.0","id":5,"method":"ping"})") << -32600
                                   << Outcome::Rejected << QJsonValue(5);
    QTest::newRow("float id") << QByteArray(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})") << -32600
                              << Outcome::Rejected << QJsonValue(QJsonValue::Null);
    QTest::newRow("unknown method") << QByteArray(R"({"jsonrpc":"2.0","id":"m","method":"nope/x"})")
                                    << -32601 << Outcome::Answered << QJsonValue(u"m"_s);
    QTest::newRow("array params") << QByteArray(R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":[]})")
                                  << -32602 << Outcome::Answered << QJsonValue(3);
    QTest::newRow("unknown tool")
        << QByteArray(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"x"}})")
        << -32602 << Outcome::Answered << QJsonValue(4);
    QTest::newRow("arguments not object")
        << QByteArray(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"stream_market_news","arguments":1}})")
        << -32602 << Outcome::Answered << QJsonValue(4);
    QTest::newRow("bad log level")
        << QByteArray(R"({"jsonrpc":"2.0","id":6,"method":"logging/setLevel","params":{"level":"loud"}})")
        << -32602 << Outcome::Answered << QJsonValue(6);
    QTest::newRow("unknown resource")
        << QByteArray(R"({"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"x://y"}})")
        << -32002 << Outcome::Answered << QJsonValue(7);
}

void tst_McpServer::errorCodes()
{
    QFETCH(QByteArray, body);
    QFETCH(int, code);
    QFETCH(Outcome, outcome);
    QFETCH(QJsonValue, id);
    McpSession *s = initialized();
    McpDispatch d;
    const QJsonObject r = ask(s, body, &d);
    QCOMPARE(errorCode(r), code);
    QCOMPARE(r.value("id"_L1), id);
    QCOMPARE(d.outcome, outcome);
    QCOMPARE(m_sink->messages.size(), 1); // exactly one answer
    if (code == -32602 && body.contains("\"x\""))
        QCOMPARE(errorMessage(r), u"Unknown tool: x"_s);
}

void tst_McpServer::batches()
{
    // 2025-03-26 allows batches: one answer per request, none for notifications.
    McpSession *old = initialized(u"2025-03-26"_s);
    McpDispatch d;
    ask(old, "[" + call(1, u"ping"_s) + "," + notify(u"notifications/roots/list_changed"_s) + ","
            + call(2, u"tools/list"_s) + R"(,{"jsonrpc":"2.0","id":3})" + "]",
        &d);
    QVERIFY(d.batch);
    QCOMPARE(d.outcome, Outcome::Answered);
    QCOMPARE(d.requests, 3);
    QCOMPARE(m_sink->messages.size(), 3);
    QCOMPARE(m_sink->messages.at(0).value("id"_L1).toInt(), 1);
    QCOMPARE(m_sink->messages.at(1).value("id"_L1).toInt(), 2);
    QCOMPARE(errorCode(m_sink->messages.at(2)), -32600);

    m_sink->messages.clear();
    QCOMPARE(errorCode(ask(old, "[]", &d)), -32600);
    QCOMPARE(d.outcome, Outcome::Rejected);

    m_sink->messages.clear();
    ask(old, "[" + initializeBody(u"2025-03-26"_s, 9) + "]", &d);
    QCOMPARE(errorCode(m_sink->last()), -32600);
    QVERIFY(errorMessage(m_sink->last()).contains("batch"_L1));

    // Later revisions removed batching.
    McpSession *s = initialized(u"2025-06-18"_s);
    const QJsonObject r = ask(s, "[" + call(1, u"ping"_s) + "," + call(2, u"ping"_s) + "]", &d);
    QCOMPARE(d.outcome, Outcome::Rejected);
    QCOMPARE(errorCode(r), -32600);
    QVERIFY(errorMessage(r).contains("2025-03-26"_L1));
    QCOMPARE(m_sink->messages.size(), 1);
}

void tst_McpServer::toolArgumentsValidated_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<bool>("asToolResult");
    QTest::newRow("2025-06-18: -32602") << u"2025-06-18"_s << false;
    QTest::newRow("2025-03-26: -32602") << u"2025-03-26"_s << false;
    QTest::newRow("2025-11-25: isError (SEP-1303)") << u"2025-11-25"_s << true;
}

void tst_McpServer::toolArgumentsValidated()
{
    QFETCH(QString, version);
    QFETCH(bool, asToolResult);
    McpSession *s = initialized(version);
    QJsonObject r = ask(s, call(1, u"tools/call"_s,
        toolCall(u"stream_market_news"_s, { { u"symbol"_s, u"TSLA"_s }, { u"interval"_s, 10 } })));
    if (asToolResult) {
        const QJsonObject result = r.value("result"_L1).toObject();
        QCOMPARE(result.value("isError"_L1).toBool(), true);
        QVERIFY(result.value("content"_L1).toArray().first().toObject().value("text"_L1).toString()
                    .contains("arguments.interval: must be >= 1000"_L1));
    } else {
        QCOMPARE(errorCode(r), -32602);
        QVERIFY2(errorMessage(r).contains("arguments.interval: must be >= 1000"_L1),
            qPrintable(errorMessage(r)));
    }
    r = ask(s, call(2, u"tools/call"_s, toolCall(u"stream_market_news"_s, { { u"symbol"_s, u"TSLA"_s } })));
    QCOMPARE(r.value("result"_L1).toObject().value("content"_L1).toArray().first().toObject()
                 .value("text"_L1).toString(),
        u"TSLA"_s);
}

void tst_McpServer::toolErrorsAndOutputSchema()
{
    McpSession *s = initialized();
    McpTool failing;
    failing.name = u"failing"_s;
    failing.handler = [](McpRequestContext *ctx) {
        ctx->finishWithToolError(u"provider down"_s);
        ctx->finish(QJsonObject()); // a second answer is ignored
        ctx->fail(-32603, u"nope"_s);
    };
    m_server->registerTool(failing);
    McpTool typed;
    typed.name = u"typed"_s;
    typed.outputSchema = QJsonDocument::fromJson(
        R"({"type":"object","properties":{"count":{"type":"integer"}},"required":["count"]})")
                             .object();
    typed.handler = [](McpRequestContext *ctx) {
        const bool good = ctx->arguments().value("good"_L1).toBool();
        ctx->finish(QJsonObject { { u"content"_s, QJsonArray() },
            { u"structuredContent"_s,
                good ? QJsonObject { { u"count"_s, 3 } } : QJsonObject { { u"count"_s, u"3"_s } } } });
    };
    m_server->registerTool(typed);

    QJsonObject r = ask(s, call(1, u"tools/call"_s, toolCall(u"failing"_s, {})));
    QCOMPARE(m_sink->messages.size(), 1);
    QCOMPARE(r.value("result"_L1).toObject().value("isError"_L1).toBool(), true);
    r = ask(s, call(2, u"tools/call"_s, toolCall(u"typed"_s, { { u"good"_s, true } })));
    QCOMPARE(r.value("result"_L1).toObject().value("structuredContent"_L1).toObject()
                 .value("count"_L1).toInt(),
        3);
    r = ask(s, call(3, u"tools/call"_s, toolCall(u"typed"_s, { { u"good"_s, false } })));
    QCOMPARE(errorCode(r), -32603);
    QVERIFY(errorMessage(r).contains("structuredContent.count"_L1));

    // tools/list shows what was registered.
    r = ask(s, call(4, u"tools/list"_s));
    const QJsonObject first = r.value("result"_L1).toObject().value("tools"_L1).toArray().first().toObject();
    QCOMPARE(first.value("name"_L1).toString(), u"stream_market_news"_s);
    QCOMPARE(first.value("title"_L1).toString(), u"Stream market news"_s);
    QCOMPARE(first.value("annotations"_L1).toObject().value("readOnlyHint"_L1).toBool(), true);
    QVERIFY(first.value("inputSchema"_L1).toObject().contains("required"_L1));
}

void tst_McpServer::duplicateInFlightId()
{
    registerSlowTool();
    McpSession *s = initialized();
    McpDispatch d;
    QVERIFY(ask(s, call(7, u"tools/call"_s, toolCall(u"slow"_s, {})), &d).isEmpty());
    QCOMPARE(d.outcome, Outcome::Pending);
    QVERIFY(s->isInFlight(7));
    QCOMPARE(m_metrics->value("tickerwire_mcp_requests_in_flight"), 1.0);

    const QJsonObject dup = ask(s, call(7, u"ping"_s), &d);
    QCOMPARE(errorCode(dup), -32600);
    QCOMPARE(dup.value("id"_L1).toInt(), 7);
    // The same number as a string is a different id.
    QVERIFY(ask(s, call(u"7"_s, u"ping"_s)).value("result"_L1).isObject());

    QCOMPARE(m_slow.size(), 1);
    QVERIFY(m_slow.first());
    m_slow.first()->finish(QJsonObject { { u"content"_s, QJsonArray() } });
    QCOMPARE(m_sink->responses().size(), 3);
    QCOMPARE(m_sink->last().value("id"_L1).toInt(), 7);
    QVERIFY(m_sink->last().contains("result"_L1));
    QCOMPARE(m_sink->completions, 1); // the stream may end now
    QVERIFY(!s->isInFlight(7));
    QCOMPARE(m_metrics->value("tickerwire_mcp_requests_in_flight"), 0.0);
    QCOMPARE(m_metrics->value("tickerwire_mcp_requests_completed_total"), 1.0 + 0.0);
}

void tst_McpServer::cancellationSuppressesResponse()
{
    registerSlowTool();
    McpSession *s = initialized();
    ask(s, call(u"c1"_s, u"tools/call"_s, toolCall(u"slow"_s, {})));
    QCOMPARE(m_slow.size(), 1);
    QPointer<McpRequestContext> ctx = m_slow.first();
    QSignalSpy cancelled(ctx.data(), &McpRequestContext::cancelled);

    // Unknown ids and malformed cancellations are ignored.
    ask(s, notify(u"notifications/cancelled"_s, { { u"requestId"_s, u"other"_s } }));
    ask(s, notify(u"notifications/cancelled"_s, { { u"requestId"_s, 1.5 } }));
    QCOMPARE(cancelled.count(), 0);

    McpDispatch d;
    ask(s, notify(u"notifications/cancelled"_s, { { u"requestId"_s, u"c1"_s }, { u"reason"_s, u"user"_s } }),
        &d);
    QCOMPARE(d.outcome, Outcome::Accepted);
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(cancelled.first().first().toString(), u"user"_s);
    QVERIFY(ctx->isCancelled());
    ctx->finish(QJsonObject()); // too late: suppressed
    QVERIFY(!ctx->sendProgress(1));
    QVERIFY(m_sink->responses().isEmpty());
    QVERIFY(!s->isInFlight(u"c1"_s));
    QCOMPARE(m_metrics->value("tickerwire_mcp_requests_cancelled_total"), 1.0);
    QCOMPARE(m_sink->completions, 1);
    QTRY_VERIFY(!ctx); // freed
    // The id is free again.
    QVERIFY(ask(s, call(u"c1"_s, u"ping"_s)).value("result"_L1).isObject());
}

void tst_McpServer::progressOnlyIncreasing()
{
    McpTool progress;
    progress.name = u"progress"_s;
    QList<bool> accepted;
    progress.handler = [&accepted](McpRequestContext *ctx) {
        accepted << ctx->sendProgress(1, 10) << ctx->sendProgress(2, 10, u"two"_s)
                 << ctx->sendProgress(2) << ctx->sendProgress(1.5) << ctx->sendProgress(3);
        ctx->finish(QJsonObject { { u"content"_s, QJsonArray() } });
        accepted << ctx->sendProgress(4); // after the response: refused
    };
    m_server->registerTool(progress);
    McpSession *s = initialized();

    McpDispatch d;
    ask(s, call(1, u"tools/call"_s, toolCall(u"progress"_s, {}, u"tok"_s)), &d);
    QCOMPARE(accepted, (QList<bool> { true, true, false, false, true, false }));
    QCOMPARE(d.outcome, Outcome::Answered);
    QVERIFY(d.streamed); // notifications went out: the transport should answer with SSE
    const auto notes = m_sink->withMethod(u"notifications/progress"_s);
    QCOMPARE(notes.size(), 3);
    QCOMPARE(notes.at(0).value("params"_L1).toObject().value("progressToken"_L1).toString(), u"tok"_s);
    QCOMPARE(notes.at(0).value("params"_L1).toObject().value("total"_L1).toDouble(), 10.0);
    QCOMPARE(notes.at(1).value("params"_L1).toObject().value("message"_L1).toString(), u"two"_s);
    QCOMPARE(notes.at(2).value("params"_L1).toObject().value("progress"_L1).toDouble(), 3.0);
    QVERIFY(m_sink->last().contains("result"_L1)); // the response is last on the stream

    // Without a progress token nothing is sent.
    accepted.clear();
    m_sink->messages.clear();
    ask(s, call(2, u"tools/call"_s, toolCall(u"progress"_s, {})), &d);
    QCOMPARE(accepted, (QList<bool> { false, false, false, false, false, false }));
    QVERIFY(!d.streamed);
    QCOMPARE(m_sink->messages.size(), 1);
}

void tst_McpServer::pagination()
{
    for (int i = 0; i < 4; ++i) {
        McpTool t;
        t.name = u"tool_"_s + QString::number(i);
        t.handler = [](McpRequestContext *ctx) { ctx->finish({}); };
        m_server->registerTool(t);
    }
    McpSession *s = initialized();
    QStringList names;
    QString cursor;
    int pages = 0;
    do {
        QJsonObject params;
        if (!cursor.isEmpty())
            params.insert(u"cursor"_s, cursor);
        const QJsonObject result = ask(s, call(100 + pages, u"tools/list"_s, params)).value("result"_L1).toObject();
        const QJsonArray tools = result.value("tools"_L1).toArray();
        QVERIFY(tools.size() <= 2);
        for (const QJsonValue &t : tools)
            names << t.toObject().value("name"_L1).toString();
        cursor = result.value("nextCursor"_L1).toString();
        ++pages;
    } while (!cursor.isEmpty() && pages < 10);
    QCOMPARE(pages, 3);
    QCOMPARE(names,
        (QStringList { u"stream_market_news"_s, u"tool_0"_s, u"tool_1"_s, u"tool_2"_s, u"tool_3"_s }));

    QJsonObject r = ask(s, call(1, u"tools/list"_s, { { u"cursor"_s, u"garbage!"_s } }));
    QCOMPARE(errorCode(r), -32602);
    r = ask(s, call(2, u"tools/list"_s, { { u"cursor"_s, 5 } }));
    QCOMPARE(errorCode(r), -32602);
    // A cursor from one list is not valid for another.
    const QString toolsCursor = ask(s, call(3, u"tools/list"_s)).value("result"_L1).toObject()
                                    .value("nextCursor"_L1).toString();
    QVERIFY(!toolsCursor.isEmpty());
    r = ask(s, call(4, u"prompts/list"_s, { { u"cursor"_s, toolsCursor } }));
    QCOMPARE(errorCode(r), -32602);
    r = ask(s, call(5, u"prompts/list"_s));
    QCOMPARE(r.value("result"_L1).toObject().value("prompts"_L1).toArray().size(), 0);
    QVERIFY(!r.value("result"_L1).toObject().contains("nextCursor"_L1));
}

void tst_McpServer::logging()
{
    McpTool chatty;
    chatty.name = u"chatty"_s;
    chatty.handler = [](McpRequestContext *ctx) {
        ctx->log(McpLogLevel::Info, u"fetching"_s, u"news"_s);
        ctx->log(McpLogLevel::Error, u"provider failed"_s, u"news"_s);
        ctx->finish({});
    };
    m_server->registerTool(chatty);
    McpSession *s = initialized();
    auto sessionSink = std::static_pointer_cast<MemorySink>(s->sink());

    QCOMPARE(s->logLevel(), McpLogLevel::Info); // the default
    ask(s, call(1, u"tools/call"_s, toolCall(u"chatty"_s, {})));
    QCOMPARE(m_sink->withMethod(u"notifications/message"_s).size(), 2);

    QVERIFY(ask(s, call(2, u"logging/setLevel"_s, { { u"level"_s, u"warning"_s } })).value("result"_L1).isObject());
    QCOMPARE(s->logLevel(), McpLogLevel::Warning);
    m_sink->messages.clear();
    ask(s, call(3, u"tools/call"_s, toolCall(u"chatty"_s, {})));
    const auto logs = m_sink->withMethod(u"notifications/message"_s);
    QCOMPARE(logs.size(), 1);
    const QJsonObject p = logs.first().value("params"_L1).toObject();
    QCOMPARE(p.value("level"_L1).toString(), u"error"_s);
    QCOMPARE(p.value("logger"_L1).toString(), u"news"_s);
    QCOMPARE(p.value("data"_L1).toString(), u"provider failed"_s);

    // Logs tied to no request go to the session's own stream, filtered the same way.
    m_server->log(McpLogLevel::Notice, u"quiet"_s);
    m_server->log(McpLogLevel::Critical, u"loud"_s);
    QCOMPARE(sessionSink->withMethod(u"notifications/message"_s).size(), 1);
    QCOMPARE(sessionSink->last().value("params"_L1).toObject().value("data"_L1).toString(), u"loud"_s);
}

void tst_McpServer::resourcesAndSubscriptions()
{
    McpResourceTemplate latest;
    latest.uriTemplate = u"news://{symbol}/latest"_s;
    latest.name = u"latest-news"_s;
    latest.mimeType = u"application/json"_s;
    latest.read = [](McpRequestContext *ctx, const QString &uri, const QHash<QString, QString> &vars) {
        ctx->finish(QJsonObject { { u"contents"_s,
            QJsonArray { QJsonObject { { u"uri"_s, uri }, { u"text"_s, vars.value(u"symbol"_s) } } } } });
    };
    QVERIFY(m_server->registerResourceTemplate(latest));
    McpResource sources;
    sources.uri = u"news://sources"_s;
    sources.name = u"sources"_s;
    sources.read = [](McpRequestContext *ctx, const QString &uri) {
        ctx->finish(QJsonObject { { u"contents"_s, QJsonArray { QJsonObject { { u"uri"_s, uri } } } } });
    };
    QVERIFY(m_server->registerResource(sources));

    McpSession *a = initialized();
    McpSession *b = initialized();
    auto sinkA = std::static_pointer_cast<MemorySink>(a->sink());
    auto sinkB = std::static_pointer_cast<MemorySink>(b->sink());

    QJsonObject r = ask(a, call(1, u"resources/read"_s, { { u"uri"_s, u"news://TSLA/latest"_s } }));
    QCOMPARE(r.value("result"_L1).toObject().value("contents"_L1).toArray().first().toObject()
                 .value("text"_L1).toString(),
        u"TSLA"_s);
    r = ask(a, call(2, u"resources/templates/list"_s));
    QCOMPARE(r.value("result"_L1).toObject().value("resourceTemplates"_L1).toArray().first().toObject()
                 .value("uriTemplate"_L1).toString(),
        u"news://{symbol}/latest"_s);
    r = ask(a, call(3, u"resources/list"_s));
    QCOMPARE(r.value("result"_L1).toObject().value("resources"_L1).toArray().size(), 1);

    QVERIFY(ask(a, call(4, u"resources/subscribe"_s, { { u"uri"_s, u"news://TSLA/latest"_s } })).value("result"_L1).isObject());
    QCOMPARE(errorCode(ask(a, call(5, u"resources/subscribe"_s, { { u"uri"_s, u"ftp://x"_s } }))), -32002);
    QVERIFY(a->isSubscribed(u"news://TSLA/latest"_s));
    QTest::qWait(0); // let registration list_changed notifications pass
    sinkA->messages.clear();
    sinkB->messages.clear();

    m_server->notifyResourceUpdated(u"news://TSLA/latest"_s);
    m_server->notifyResourceUpdated(u"news://AAPL/latest"_s);
    QCOMPARE(sinkA->messages.size(), 1);
    QCOMPARE(sinkA->last().value("method"_L1).toString(), u"notifications/resources/updated"_s);
    QCOMPARE(sinkA->last().value("params"_L1).toObject().value("uri"_L1).toString(), u"news://TSLA/latest"_s);
    QVERIFY(sinkB->messages.isEmpty());

    ask(a, call(6, u"resources/unsubscribe"_s, { { u"uri"_s, u"news://TSLA/latest"_s } }));
    m_server->notifyResourceUpdated(u"news://TSLA/latest"_s);
    QCOMPARE(sinkA->messages.size(), 1);
}

void tst_McpServer::promptsAndCompletion()
{
    McpPrompt summarize;
    summarize.name = u"summarize_news"_s;
    summarize.arguments = { McpPromptArgument { u"symbol"_s, {}, u"Ticker"_s, true } };
    summarize.get = [](McpRequestContext *ctx) {
        ctx->finish(QJsonObject { { u"messages"_s,
            QJsonArray { QJsonObject { { u"role"_s, u"user"_s },
                { u"content"_s,
                    QJsonObject { { u"type"_s, u"text"_s },
                        { u"text"_s, QString(u"Summarize "_s + ctx->arguments().value("symbol"_L1).toString()) } } } } } } });
    };
    summarize.complete = [](const QString &arg, const QString &value, const QHash<QString, QString> &) {
        QStringList out;
        if (arg == "symbol"_L1)
            for (const QString &t : { u"TSLA"_s, u"TSM"_s, u"AAPL"_s })
                if (t.startsWith(value))
                    out << t;
        return out;
    };
    QVERIFY(m_server->registerPrompt(summarize));
    McpSession *s = initialized();

    QJsonObject r = ask(s, call(1, u"prompts/get"_s, { { u"name"_s, u"summarize_news"_s } }));
    QCOMPARE(errorCode(r), -32602);
    QVERIFY(errorMessage(r).contains("arguments.symbol"_L1));
    r = ask(s, call(2, u"prompts/get"_s,
        { { u"name"_s, u"summarize_news"_s }, { u"arguments"_s, QJsonObject { { u"symbol"_s, u"TSLA"_s } } } }));
    QVERIFY(r.value("result"_L1).toObject().value("messages"_L1).toArray().size() == 1);
    QCOMPARE(errorCode(ask(s, call(3, u"prompts/get"_s, { { u"name"_s, u"nope"_s } }))), -32602);

    r = ask(s, call(4, u"completion/complete"_s,
        { { u"ref"_s, QJsonObject { { u"type"_s, u"ref/prompt"_s }, { u"name"_s, u"summarize_news"_s } } },
            { u"argument"_s, QJsonObject { { u"name"_s, u"symbol"_s }, { u"value"_s, u"TS"_s } } } }));
    const QJsonObject completion = r.value("result"_L1).toObject().value("completion"_L1).toObject();
    QCOMPARE(completion.value("values"_L1).toArray(), (QJsonArray { u"TSLA"_s, u"TSM"_s }));
    QCOMPARE(completion.value("hasMore"_L1).toBool(), false);
    QCOMPARE(errorCode(ask(s, call(5, u"completion/complete"_s,
                 { { u"ref"_s, QJsonObject { { u"type"_s, u"ref/resource"_s }, { u"uri"_s, u"x://{a}"_s } } },
                     { u"argument"_s, QJsonObject { { u"name"_s, u"a"_s }, { u"value"_s, u""_s } } } }))),
        -32602);

    // Completions did not exist in 2024-11-05.
    McpSession *old = initialized(u"2024-11-05"_s);
    QCOMPARE(errorCode(ask(old, call(6, u"completion/complete"_s))), -32601);
}

void tst_McpServer::listChangedIsCoalesced()
{
    McpSession *s = initialized();
    auto sessionSink = std::static_pointer_cast<MemorySink>(s->sink());
    QTest::qWait(0);
    sessionSink->messages.clear();
    for (const QString &name : { u"a"_s, u"b"_s, u"c"_s }) {
        McpTool t;
        t.name = name;
        m_server->registerTool(t);
    }
    QVERIFY(!m_server->registerTool(McpTool { u"bad name!"_s, {}, {}, {}, {}, {}, {} }));
    QTRY_COMPARE(sessionSink->withMethod(u"notifications/tools/list_changed"_s).size(), 1);
    QTest::qWait(20);
    QCOMPARE(sessionSink->messages.size(), 1);
    QVERIFY(m_server->removeTool(u"b"_s));
    QVERIFY(!m_server->removeTool(u"b"_s));
    QTRY_COMPARE(sessionSink->withMethod(u"notifications/tools/list_changed"_s).size(), 2);
}

void tst_McpServer::abandonedRequestExpiresAfterGrace()
{
    registerSlowTool();
    McpSession *s = initialized();
    McpDispatch d;
    ask(s, call(1, u"tools/call"_s, toolCall(u"slow"_s, {}, 1)), &d);
    QCOMPARE(d.outcome, Outcome::Pending);
    QPointer<McpRequestContext> ctx = m_slow.first();
    QSignalSpy cancelled(ctx.data(), &McpRequestContext::cancelled);

    m_server->abandonSink(m_sink.get());
    QVERIFY(ctx->isAbandoned());
    QVERIFY(!ctx->isCancelled());
    // Still running within the grace period, and still writing to its (buffered) stream.
    QVERIFY(ctx->sendProgress(1));
    QCOMPARE(m_sink->withMethod(u"notifications/progress"_s).size(), 1);

    QTRY_COMPARE(cancelled.count(), 1);
    QVERIFY(m_sink->responses().isEmpty());
    QVERIFY(!s->isInFlight(1));
    QCOMPARE(m_server->pendingRequests(m_sink.get()), 0);
    QCOMPARE(m_sink->completions, 1);
    QCOMPARE(m_metrics->value("tickerwire_mcp_requests_expired_total"), 1.0);
    QCOMPARE(m_metrics->value("tickerwire_mcp_requests_cancelled_total"), 0.0);
    QCOMPARE(m_metrics->value("tickerwire_mcp_requests_in_flight"), 0.0);
    QTRY_VERIFY(!ctx);
}

void tst_McpServer::resumedRequestSurvivesGrace()
{
    registerSlowTool();
    McpSession *s = initialized();
    ask(s, call(1, u"tools/call"_s, toolCall(u"slow"_s, {})));
    QPointer<McpRequestContext> ctx = m_slow.first();
    m_server->abandonSink(m_sink.get());
    m_server->resumeSink(m_sink.get());
    QVERIFY(!ctx->isAbandoned());
    QTest::qWait(150); // three grace periods
    QVERIFY(ctx);
    QVERIFY(!ctx->isCancelled());
    ctx->finish(QJsonObject { { u"content"_s, QJsonArray() } });
    QCOMPARE(m_sink->responses().size(), 1);
    QCOMPARE(m_metrics->value("tickerwire_mcp_requests_expired_total"), 0.0);
}

void tst_McpServer::closeSessionCancelsRequests()
{
    registerSlowTool();
    McpSession *s = initialized();
    ask(s, call(1, u"tools/call"_s, toolCall(u"slow"_s, {})));
    QPointer<McpRequestContext> ctx = m_slow.first();
    QSignalSpy cancelled(ctx.data(), &McpRequestContext::cancelled);
    QSignalSpy closed(m_server.get(), &McpServer::sessionClosed);
    QCOMPARE(m_metrics->value("tickerwire_mcp_sessions"), 1.0);
    const QString id = s->id();
    QCOMPARE(id.size(), 32); // 128 bits, hex
    m_server->closeSession(id);
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(closed.count(), 1);
    QVERIFY(!m_server->session(id));
    QCOMPARE(m_metrics->value("tickerwire_mcp_sessions"), 0.0);
    QVERIFY(m_sink->responses().isEmpty());
    QTRY_VERIFY(!ctx);
}

// --- Server->client requests -------------------------------------------------------------------

void tst_McpServer::clientRequestGoesOnTheRequestStream()
{
    registerAskTool();
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    auto sessionSink = std::static_pointer_cast<MemorySink>(s->sink());
    QTest::qWait(0); // list_changed from init()
    sessionSink->messages.clear();

    const QJsonObject params { { u"messages"_s, QJsonArray() }, { u"maxTokens"_s, 10 } };
    McpDispatch d;
    ask(s, call(1, u"tools/call"_s,
               toolCall(u"ask"_s, { { u"method"_s, u"sampling/createMessage"_s }, { u"params"_s, params } })),
        &d);
    QCOMPARE(d.outcome, Outcome::Pending);
    QVERIFY(d.streamed); // HTTP: the POST answers with SSE, which carries the request
    QCOMPARE(m_asked.size(), 1);
    QVERIFY(m_asked.first());
    QCOMPARE(m_asked.first()->id(), QJsonValue(u"s-1"_s));
    QCOMPARE(m_asked.first()->origin(), m_slow.first().data());
    QCOMPARE(s->clientRequestCount(), 1);

    // On the tool call's own stream, not the session's.
    const QList<QJsonObject> sent = m_sink->withMethod(u"sampling/createMessage"_s);
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.first().value("id"_L1).toString(), u"s-1"_s);
    QCOMPARE(sent.first().value("jsonrpc"_L1).toString(), u"2.0"_s);
    QCOMPARE(sent.first().value("params"_L1).toObject(), params);
    QVERIFY(sessionSink->messages.isEmpty());

    // Ids are unique within the session.
    ask(s, call(2, u"tools/call"_s,
               toolCall(u"ask"_s, { { u"method"_s, u"elicitation/create"_s },
                                      { u"params"_s, QJsonObject { { u"message"_s, u"name?"_s } } } })));
    QCOMPARE(m_sink->withMethod(u"elicitation/create"_s).first().value("id"_L1).toString(), u"s-2"_s);
    QCOMPARE(s->clientRequestCount(), 2);
}

void tst_McpServer::clientResultRoutedToCallback()
{
    registerAskTool();
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    ask(s, call(1, u"tools/call"_s,
               toolCall(u"ask"_s, { { u"method"_s, u"sampling/createMessage"_s },
                                      { u"params"_s, QJsonObject { { u"maxTokens"_s, 10 } } } })));
    QPointer<McpClientRequest> request = m_asked.first();
    QSignalSpy done(request.data(), &McpClientRequest::done);
    QVERIFY(m_replies.isEmpty());

    // The answer arrives in another POST (its own sink): accepted, nothing written there.
    auto answerSink = std::make_shared<MemorySink>();
    const McpDispatch d = m_server->handle(s, answer(u"s-1"_s, { { u"text"_s, u"hello"_s } }), answerSink);
    QCOMPARE(d.outcome, Outcome::Accepted);
    QVERIFY(answerSink->messages.isEmpty());
    QCOMPARE(answerSink->completions, 0);

    QCOMPARE(m_replies.size(), 1);
    QCOMPARE(m_replies.first().status, McpClientReply::Status::Result);
    QCOMPARE(m_replies.first().result.value("text"_L1).toString(), u"hello"_s);
    QCOMPARE(done.count(), 1);
    QCOMPARE(s->clientRequestCount(), 0);
    // The tool answered from the callback, on its own stream, which may now end.
    QCOMPARE(m_sink->last().value("id"_L1).toInt(), 1);
    QCOMPARE(m_sink->last().value("result"_L1).toObject().value("content"_L1).toArray().first()
                 .toObject().value("text"_L1).toString(),
        u"hello"_s);
    QCOMPARE(m_sink->completions, 1);
    QVERIFY(m_sink->withMethod(u"notifications/cancelled"_s).isEmpty());

    // A second answer to the same id is ignored.
    m_server->handle(s, answer(u"s-1"_s, { { u"text"_s, u"again"_s } }), answerSink);
    QCOMPARE(m_replies.size(), 1);
    QTRY_VERIFY(!request); // freed
}

void tst_McpServer::clientErrorRoutedToCallback()
{
    registerAskTool();
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    ask(s, call(1, u"tools/call"_s, toolCall(u"ask"_s, { { u"method"_s, u"elicitation/create"_s } })));
    m_server->handle(s, answerError(u"s-1"_s, -1, u"User rejected"_s, QJsonObject { { u"why"_s, 1 } }),
        std::make_shared<MemorySink>());
    QCOMPARE(m_replies.size(), 1);
    const McpClientReply reply = m_replies.first();
    QCOMPARE(reply.status, McpClientReply::Status::Error);
    QVERIFY(!reply.isResult());
    QCOMPARE(reply.errorCode, -1);
    QCOMPARE(reply.errorMessage, u"User rejected"_s);
    QCOMPARE(reply.errorData.toObject().value("why"_L1).toInt(), 1);
    QCOMPARE(s->clientRequestCount(), 0);
    // The tool is still open; it decides what to do with the error.
    QVERIFY(s->isInFlight(1));
}

void tst_McpServer::clientRequestTimesOut()
{
    registerAskTool();
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    ask(s, call(1, u"tools/call"_s,
               toolCall(u"ask"_s, { { u"method"_s, u"roots/list"_s }, { u"timeoutMs"_s, 30 } })));
    QCOMPARE(m_sink->withMethod(u"roots/list"_s).size(), 1);
    QVERIFY(!m_sink->withMethod(u"roots/list"_s).first().contains("params"_L1));
    QTRY_COMPARE(m_replies.size(), 1);
    QCOMPARE(m_replies.first().status, McpClientReply::Status::Timeout);
    QCOMPARE(m_replies.first().errorCode, McpClientReply::TimeoutCode);
    QVERIFY2(m_replies.first().errorMessage.contains(u"30 ms"_s), qPrintable(m_replies.first().errorMessage));
    QCOMPARE(s->clientRequestCount(), 0);
    // The client is told to stop, on the stream the request went out on.
    const QList<QJsonObject> cancelled = m_sink->withMethod(u"notifications/cancelled"_s);
    QCOMPARE(cancelled.size(), 1);
    QCOMPARE(cancelled.first().value("params"_L1).toObject().value("requestId"_L1).toString(), u"s-1"_s);
    QVERIFY(!cancelled.first().value("params"_L1).toObject().value("reason"_L1).toString().isEmpty());
    // A late answer is ignored.
    m_server->handle(s, answer(u"s-1"_s, {}), std::make_shared<MemorySink>());
    QCOMPARE(m_replies.size(), 1);
    QVERIFY(s->isInFlight(1));
}

void tst_McpServer::clientRequestNeedsCapability_data()
{
    QTest::addColumn<QJsonObject>("capabilities");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QString>("missing"); // empty: allowed

    const QJsonObject none;
    QTest::newRow("sampling") << none << u"sampling/createMessage"_s << QJsonObject() << u"sampling"_s;
    QTest::newRow("elicitation") << QJsonObject { { u"sampling"_s, QJsonObject() } }
                                 << u"elicitation/create"_s << QJsonObject() << u"elicitation"_s;
    QTest::newRow("roots") << none << u"roots/list"_s << QJsonObject() << u"roots"_s;
    QTest::newRow("sampling.tools")
        << QJsonObject { { u"sampling"_s, QJsonObject() } } << u"sampling/createMessage"_s
        << QJsonObject { { u"tools"_s, QJsonArray() } } << u"sampling.tools"_s;
    QTest::newRow("elicitation.url")
        << QJsonObject { { u"elicitation"_s, QJsonObject() } } << u"elicitation/create"_s
        << QJsonObject { { u"mode"_s, u"url"_s } } << u"elicitation.url"_s;
    QTest::newRow("elicitation.form")
        << QJsonObject { { u"elicitation"_s, QJsonObject { { u"url"_s, QJsonObject() } } } }
        << u"elicitation/create"_s << QJsonObject() << u"elicitation.form"_s;
    QTest::newRow("ping needs nothing") << none << u"ping"_s << QJsonObject() << QString();
    QTest::newRow("declared") << kAllClientCapabilities << u"elicitation/create"_s << QJsonObject()
                              << QString();
}

void tst_McpServer::clientRequestNeedsCapability()
{
    QFETCH(QJsonObject, capabilities);
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    QFETCH(QString, missing);
    registerAskTool();
    McpSession *s = initialized(u"2025-11-25"_s, capabilities);
    McpDispatch d;
    ask(s, call(1, u"tools/call"_s,
               toolCall(u"ask"_s, { { u"method"_s, method }, { u"params"_s, params } })),
        &d);
    if (missing.isEmpty()) {
        QVERIFY(m_asked.first());
        QCOMPARE(m_sink->withMethod(method).size(), 1);
        QVERIFY(m_replies.isEmpty());
        return;
    }
    // Refused at once: callback before sendRequest() returned, null handle, nothing sent.
    QCOMPARE(m_asked.size(), 1);
    QVERIFY(!m_asked.first());
    QCOMPARE(m_replies.size(), 1);
    QCOMPARE(m_replies.first().status, McpClientReply::Status::Refused);
    QCOMPARE(m_replies.first().errorCode, McpClientReply::RefusedCode);
    QVERIFY2(m_replies.first().errorMessage.contains(u"the "_s + missing + u" capability"_s),
        qPrintable(m_replies.first().errorMessage));
    QVERIFY(m_sink->withMethod(method).isEmpty());
    QVERIFY(!d.streamed);
    QCOMPARE(s->clientRequestCount(), 0);
}

void tst_McpServer::clientRequestNeedsReadyClient()
{
    registerAskTool();
    McpSession *s = m_server->createSession();
    s->setSink(std::make_shared<MemorySink>());
    QSignalSpy ready(m_server.get(), &McpServer::clientReady);
    m_server->handle(s, initializeBody(u"2025-06-18"_s, 1, kAllClientCapabilities), m_sink);
    // Spec: before notifications/initialized, only pings.
    ask(s, call(2, u"tools/call"_s, toolCall(u"ask"_s, { { u"method"_s, u"roots/list"_s } })));
    QCOMPARE(m_replies.size(), 1);
    QCOMPARE(m_replies.first().status, McpClientReply::Status::Refused);
    QVERIFY(m_replies.first().errorMessage.contains(u"notifications/initialized"_s));
    ask(s, call(3, u"tools/call"_s, toolCall(u"ask"_s, { { u"method"_s, u"ping"_s } })));
    QCOMPARE(m_replies.size(), 1);
    QCOMPARE(m_sink->withMethod(u"ping"_s).size(), 1);

    QCOMPARE(ready.count(), 0);
    m_server->handle(s, notify(u"notifications/initialized"_s), m_sink);
    m_server->handle(s, notify(u"notifications/initialized"_s), m_sink);
    QCOMPARE(ready.count(), 1);
    ask(s, call(4, u"tools/call"_s, toolCall(u"ask"_s, { { u"method"_s, u"roots/list"_s } })));
    QCOMPARE(m_sink->withMethod(u"roots/list"_s).size(), 1);
}

void tst_McpServer::originCancelledCancelsClientRequests()
{
    registerAskTool();
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    ask(s, call(u"t1"_s, u"tools/call"_s,
               toolCall(u"ask"_s, { { u"method"_s, u"sampling/createMessage"_s }, { u"timeoutMs"_s, 0 } })));
    QPointer<McpClientRequest> request = m_asked.first();
    QVERIFY(request);

    ask(s, notify(u"notifications/cancelled"_s, { { u"requestId"_s, u"t1"_s }, { u"reason"_s, u"user"_s } }));
    QCOMPARE(m_replies.size(), 1);
    QCOMPARE(m_replies.first().status, McpClientReply::Status::Cancelled);
    QCOMPARE(m_replies.first().errorCode, McpClientReply::CancelledCode);
    QVERIFY(request->isDone());
    QCOMPARE(s->clientRequestCount(), 0);
    const QList<QJsonObject> cancelled = m_sink->withMethod(u"notifications/cancelled"_s);
    QCOMPARE(cancelled.size(), 1);
    const QJsonObject params = cancelled.first().value("params"_L1).toObject();
    QCOMPARE(params.value("requestId"_L1).toString(), u"s-1"_s);
    QVERIFY2(params.value("reason"_L1).toString().contains(u"user"_s), qPrintable(params.value("reason"_L1).toString()));
    QVERIFY(m_sink->responses().isEmpty()); // the cancelled tool call gets no response
    QTRY_VERIFY(!request);
    QTRY_VERIFY(!m_slow.first());
    // The client's answer may still cross the cancellation: ignored.
    m_server->handle(s, answer(u"s-1"_s, {}), std::make_shared<MemorySink>());
    QCOMPARE(m_replies.size(), 1);
}

void tst_McpServer::originAnsweredCancelsClientRequests()
{
    registerAskTool();
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    // The tool sends a request and answers at once without waiting for it.
    McpDispatch d;
    ask(s, call(1, u"tools/call"_s,
               toolCall(u"ask"_s, { { u"method"_s, u"roots/list"_s }, { u"answer"_s, true } })),
        &d);
    QCOMPARE(d.outcome, Outcome::Answered);
    QVERIFY(d.streamed);
    QCOMPARE(m_replies.size(), 1);
    QCOMPARE(m_replies.first().status, McpClientReply::Status::Cancelled);
    QCOMPARE(s->clientRequestCount(), 0);
    // request, cancellation, response: in that order, on the call's stream.
    QCOMPARE(m_sink->messages.size(), 3);
    QCOMPARE(m_sink->messages.at(0).value("method"_L1).toString(), u"roots/list"_s);
    QCOMPARE(m_sink->messages.at(1).value("method"_L1).toString(), u"notifications/cancelled"_s);
    QCOMPARE(m_sink->messages.at(2).value("id"_L1).toInt(), 1);
    QVERIFY(m_sink->messages.at(2).contains("result"_L1));
}

void tst_McpServer::unknownResponseIdIgnored()
{
    registerAskTool();
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    ask(s, call(1, u"tools/call"_s, toolCall(u"ask"_s, { { u"method"_s, u"roots/list"_s } })));
    auto other = std::make_shared<MemorySink>();
    for (const QJsonValue &id : { QJsonValue(u"s-99"_s), QJsonValue(1), QJsonValue(u"1"_s) }) {
        const McpDispatch d = m_server->handle(s, answer(id, {}), other);
        QCOMPARE(d.outcome, Outcome::Accepted);
    }
    // An error the client could not correlate (id null) is noted and dropped too.
    QCOMPARE(m_server->handle(s, answerError(QJsonValue::Null, -32700, u"Parse error"_s, {}), other)
                 .outcome,
        Outcome::Accepted);
    QVERIFY(other->messages.isEmpty());
    QVERIFY(m_replies.isEmpty());
    QCOMPARE(s->clientRequestCount(), 1);
    QVERIFY(s->isInFlight(1));
    // Answers belong to their session: the same id from another session does nothing.
    McpSession *s2 = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    m_server->handle(s2, answer(u"s-1"_s, {}), other);
    QVERIFY(m_replies.isEmpty());
    m_server->handle(s, answer(u"s-1"_s, { { u"text"_s, u"ok"_s } }), other);
    QCOMPARE(m_replies.size(), 1);
}

void tst_McpServer::sessionLevelClientRequest()
{
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    auto sessionSink = std::static_pointer_cast<MemorySink>(s->sink());
    QTest::qWait(0);
    sessionSink->messages.clear();
    QList<McpClientReply> replies;
    auto record = [&replies](const McpClientReply &r) { replies.append(r); };

    QPointer<McpClientRequest> request = m_server->sendRequest(s, u"roots/list"_s, {}, record);
    QVERIFY(request);
    QVERIFY(!request->origin());
    QCOMPARE(sessionSink->withMethod(u"roots/list"_s).size(), 1);
    QCOMPARE(sessionSink->withMethod(u"roots/list"_s).first().value("id"_L1).toString(), u"s-1"_s);
    QVERIFY(m_sink->messages.isEmpty());
    m_server->handle(s, answer(u"s-1"_s, { { u"roots"_s, QJsonArray() } }), m_sink);
    QCOMPARE(replies.size(), 1);
    QVERIFY(replies.first().isResult());
    QVERIFY(replies.first().result.value("roots"_L1).isArray());

    // cancel(): the client is told on the session stream.
    request = m_server->sendRequest(s, u"ping"_s, {}, record);
    request->cancel(u"changed my mind"_s);
    QCOMPARE(replies.size(), 2);
    QCOMPARE(replies.last().status, McpClientReply::Status::Cancelled);
    const QList<QJsonObject> cancelled = sessionSink->withMethod(u"notifications/cancelled"_s);
    QCOMPARE(cancelled.size(), 1);
    QCOMPARE(cancelled.first().value("params"_L1).toObject().value("requestId"_L1).toString(), u"s-2"_s);
    QCOMPARE(cancelled.first().value("params"_L1).toObject().value("reason"_L1).toString(),
        u"changed my mind"_s);
    request->cancel(); // done: nothing more
    QCOMPARE(replies.size(), 2);

    // Without a session sink there is no way to reach the client.
    s->setSink(nullptr);
    QVERIFY(!m_server->sendRequest(s, u"roots/list"_s, {}, record));
    QCOMPARE(replies.size(), 3);
    QCOMPARE(replies.last().status, McpClientReply::Status::Refused);
    QVERIFY(!m_server->sendRequest(nullptr, u"roots/list"_s, {}, record));
    QCOMPARE(replies.size(), 4);
}

void tst_McpServer::closeSessionCancelsClientRequests()
{
    registerAskTool();
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    auto sessionSink = std::static_pointer_cast<MemorySink>(s->sink());
    ask(s, call(1, u"tools/call"_s, toolCall(u"ask"_s, { { u"method"_s, u"roots/list"_s } })));
    QList<McpClientReply> replies;
    QPointer<McpClientRequest> sessionLevel = m_server->sendRequest(s, u"roots/list"_s, {},
        [&replies](const McpClientReply &r) { replies.append(r); });
    QPointer<McpClientRequest> fromTool = m_asked.first();
    QVERIFY(sessionLevel && fromTool);
    const qsizetype before = m_sink->messages.size() + sessionSink->messages.size();

    m_server->closeSession(s->id());
    QCOMPARE(replies.size(), 1);
    QCOMPARE(replies.first().status, McpClientReply::Status::Cancelled);
    QCOMPARE(m_replies.size(), 1);
    QCOMPARE(m_replies.first().status, McpClientReply::Status::Cancelled);
    QVERIFY(m_replies.first().errorMessage.contains(u"session closed"_s));
    // The session is gone: nothing is sent for them.
    QCOMPARE(m_sink->messages.size() + sessionSink->messages.size(), before);
    QTRY_VERIFY(!sessionLevel);
    QTRY_VERIFY(!fromTool);
}

void tst_McpServer::jsonOnlySinkFallsBackToSessionSink()
{
    registerAskTool();
    McpSession *s = initialized(u"2025-06-18"_s, kAllClientCapabilities);
    auto sessionSink = std::static_pointer_cast<MemorySink>(s->sink());
    QTest::qWait(0);
    sessionSink->messages.clear();
    m_sink->carriesRequests = false; // an HTTP POST in --json-response mode
    McpDispatch d;
    ask(s, call(1, u"tools/call"_s, toolCall(u"ask"_s, { { u"method"_s, u"roots/list"_s } })), &d);
    QCOMPARE(d.outcome, Outcome::Pending);
    QVERIFY(!d.streamed);
    QVERIFY(m_sink->messages.isEmpty());
    QCOMPARE(sessionSink->withMethod(u"roots/list"_s).size(), 1);
    m_server->handle(s, answer(u"s-1"_s, { { u"text"_s, u"r"_s } }), std::make_shared<MemorySink>());
    QCOMPARE(m_replies.size(), 1);
    QCOMPARE(m_sink->responses().size(), 1); // the tool's answer still goes to its own sink

    // Neither can carry it: refused.
    sessionSink->carriesRequests = false;
    ask(s, call(3, u"tools/call"_s, toolCall(u"ask"_s, { { u"method"_s, u"roots/list"_s } })));
    QCOMPARE(m_replies.size(), 2);
    QCOMPARE(m_replies.last().status, McpClientReply::Status::Refused);
}

QTEST_GUILESS_MAIN(tst_McpServer)
// The streamed-progress fast path splices bytes; a client must see exactly what the
// QJsonObject path sends (same keys, order, number and string forms).
void tst_McpServer::serializedProgressMatchesQJsonDocument_data()
{
    QTest::addColumn<QJsonValue>("token");
    QTest::addColumn<double>("progress");
    QTest::addColumn<QString>("message");
    const QString item = QStringLiteral(R"({"headline":"Ünïcode \"quoted\" & <tags>\n","id":"x/1","sentiment":-0.25})");
    QTest::newRow("string token") << QJsonValue(QStringLiteral("tok")) << 1.0 << item;
    QTest::newRow("integer token") << QJsonValue(42) << 42.0 << item;
    QTest::newRow("token needing escapes") << QJsonValue(QStringLiteral("a\"b\u0001")) << 7.0 << QStringLiteral("plain");
    QTest::newRow("large integral progress") << QJsonValue(1) << 1e15 << item;
    QTest::newRow("fractional progress") << QJsonValue(1) << 0.5 << item;
    QTest::newRow("huge progress") << QJsonValue(1) << 1e20 << item;
    QTest::newRow("control characters") << QJsonValue(1) << 3.0 << QString::fromUtf8("\x01\x1f\t\u2028 end");
}

void tst_McpServer::serializedProgressMatchesQJsonDocument()
{
    QFETCH(QJsonValue, token);
    QFETCH(double, progress);
    QFETCH(QString, message);
    const QJsonObject params { { QStringLiteral("progressToken"), token },
        { QStringLiteral("progress"), progress }, { QStringLiteral("message"), message } };
    const QByteArray expected = QJsonDocument(QJsonObject {
                                                  { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                                                  { QStringLiteral("method"), QStringLiteral("notifications/progress") },
                                                  { QStringLiteral("params"), params } })
                                    .toJson(QJsonDocument::Compact);
    const auto literal = [](const QJsonValue &v) {
        const QByteArray a = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
        return a.mid(1, a.size() - 2);
    };
    QCOMPARE(McpRequestContext::progressNotificationJson(literal(token), progress, literal(message)),
        expected);
}

#include "tst_mcpserver.moc"
