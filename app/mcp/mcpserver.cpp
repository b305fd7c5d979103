#include "mcpserver.h"

#include "jsonrpcmessage.h"
#include "jsonschemavalidator.h"
#include "mcpcursor.h"
#include "mcpprotocolversion.h"
#include "mcprequestcontext.h"
#include "mcpsession.h"
#include "mcpsink.h"
#include "uritemplate.h"

#include <ids.h>
#include <logging.h>
#include <metrics.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace tw::mcp {

namespace {

// completion/complete returns at most this many values (spec).
constexpr int kMaxCompletionValues = 100;

bool isValidToolName(const QString &name)
{
    static const QRegularExpression re(u"^[A-Za-z0-9_.-]{1,128}$"_s);
    return re.match(name).hasMatch();
}

void putIfNotEmpty(QJsonObject &o, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        o.insert(key, value);
}

void putIfNotEmpty(QJsonObject &o, const QString &key, const QJsonObject &value)
{
    if (!value.isEmpty())
        o.insert(key, value);
}

// The descriptive fields resources and resource templates share in their list entries.
template<typename Entry>
void putResourceDescription(QJsonObject &o, const Entry &e)
{
    putIfNotEmpty(o, u"title"_s, e.title);
    putIfNotEmpty(o, u"description"_s, e.description);
    putIfNotEmpty(o, u"mimeType"_s, e.mimeType);
    putIfNotEmpty(o, u"annotations"_s, e.annotations);
}

QHash<QString, QString> contextArguments(const QJsonObject &params)
{
    QHash<QString, QString> out;
    const QJsonObject args = params.value("context"_L1).toObject().value("arguments"_L1).toObject();
    for (auto it = args.constBegin(); it != args.constEnd(); ++it)
        out.insert(it.key(), it.value().toString());
    return out;
}

} // namespace

McpServer::McpServer(const McpSettings &settings, core::MetricsRegistry *metrics, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
{
    if (metrics) {
        m_inFlightGauge = metrics->gauge("tickerwire_mcp_requests_in_flight",
            "MCP requests being processed (including those within their abandon grace period).");
        m_sessionsGauge = metrics->gauge("tickerwire_mcp_sessions", "Open MCP sessions.");
        m_completed = metrics->counter("tickerwire_mcp_requests_completed_total",
            "MCP requests answered with a result or an error.");
        m_cancelled = metrics->counter("tickerwire_mcp_requests_cancelled_total",
            "MCP requests cancelled by the client or by closing their session.");
        m_expired = metrics->counter("tickerwire_mcp_requests_expired_total",
            "MCP requests cancelled because their client went away and did not resume in time.");
    }
}

McpServer::~McpServer()
{
    // Children (sessions, contexts) die with us without reporting back; keep the shared
    // gauges honest for whoever renders /metrics afterwards.
    for (McpSession *s : std::as_const(m_sessions)) {
        if (m_inFlightGauge)
            m_inFlightGauge->add(-s->inFlightCount());
        if (m_sessionsGauge)
            m_sessionsGauge->dec();
    }
}

// --- Sessions -------------------------------------------------------------------------------

McpSession *McpServer::createSession()
{
    QString id;
    do {
        id = QString::fromLatin1(core::randomHex(16));
    } while (m_sessions.contains(id));
    auto *s = new McpSession(id, m_settings.defaultLogLevel, this);
    m_sessions.insert(id, s);
    if (m_sessionsGauge)
        m_sessionsGauge->inc();
    return s;
}

McpSession *McpServer::session(const QString &id) const
{
    return m_sessions.value(id);
}

QList<McpSession *> McpServer::sessions() const
{
    return m_sessions.values();
}

void McpServer::closeSession(const QString &id)
{
    McpSession *s = m_sessions.take(id);
    if (!s)
        return;
    // Our requests to the client first, without telling it: the session is gone.
    const auto clientRequests = s->m_clientRequests.values();
    for (const QPointer<McpClientRequest> &request : clientRequests) {
        if (!request)
            continue;
        McpClientReply reply;
        reply.status = McpClientReply::Status::Cancelled;
        reply.errorCode = McpClientReply::CancelledCode;
        reply.errorMessage = request->method() + u" was cancelled: the session closed"_s;
        request->settle(reply);
    }
    const auto inFlight = s->m_inFlight.values();
    for (const QPointer<McpRequestContext> &ctx : inFlight)
        if (ctx)
            ctx->cancel(u"session closed"_s, McpRequestContext::End::Cancelled);
    if (m_sessionsGauge)
        m_sessionsGauge->dec();
    s->m_sink.reset();
    // Later: closeSession may be called from inside a handler running in this session.
    s->deleteLater();
    Q_EMIT sessionClosed(id);
}

// --- Transport entry points -------------------------------------------------------------------

McpDispatch McpServer::handle(McpSession *session, const QByteArray &body,
    const std::shared_ptr<McpSink> &sink)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error == QJsonParseError::NoError)
        return handleJson(session, doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()),
            sink);

    // QJsonDocument only takes objects and arrays at the top level; a bare scalar is valid
    // JSON but not a JSON-RPC message, which is -32600 rather than -32700.
    const QJsonDocument wrapped = QJsonDocument::fromJson('[' + body + ']');
    if (!wrapped.isNull() && wrapped.array().size() == 1)
        return handleJson(session, wrapped.array().first(), sink);

    if (sink)
        sink->send(JsonRpcMessage::makeError(QJsonValue::Null, JsonRpcMessage::ParseError,
            u"Parse error: "_s + error.errorString() + u" at offset "_s
                + QString::number(error.offset)));
    McpDispatch d;
    d.outcome = McpDispatch::Outcome::Rejected;
    return d;
}

McpDispatch McpServer::handleJson(McpSession *session, const QJsonValue &message,
    const std::shared_ptr<McpSink> &sink)
{
    // Save and restore: a handler may feed another message in (tests, bridges).
    const McpSink *outerSink = m_dispatchSink;
    const bool outerStreamed = m_dispatchStreamed;
    const auto outerContexts = m_dispatchContexts;
    m_dispatchSink = sink.get();
    m_dispatchStreamed = false;
    m_dispatchContexts.clear();

    McpDispatch d;
    auto reject = [&](const QString &why) {
        if (sink)
            sink->send(JsonRpcMessage::makeError(QJsonValue::Null, JsonRpcMessage::InvalidRequest, why));
        d.outcome = McpDispatch::Outcome::Rejected;
    };

    if (message.isArray()) {
        d.batch = true;
        const QJsonArray batch = message.toArray();
        const QString version = session ? session->protocolVersion() : QString();
        if (batch.isEmpty()) {
            reject(u"Invalid Request: an empty batch"_s);
        } else if (!McpProtocolVersion::allowsBatches(version)) {
            reject(u"Invalid Request: JSON-RPC batches are only accepted in protocol version "
                   "2025-03-26; this session uses "_s
                + (version.isEmpty() ? u"no version yet (initialize first)"_s : version)
                + u". Send one message per request."_s);
        } else {
            // Answers in a batch are matched to requests by id alone: two requests with one id
            // would get two answers the client cannot tell apart, even when the first is
            // answered before the second is read (so the in-flight check does not see it).
            QSet<QString> idsInBatch;
            for (const QJsonValue &element : batch) {
                const QJsonObject o = element.toObject();
                const QJsonValue id = o.value("id"_L1);
                if (o.contains("method"_L1) && JsonRpcMessage::isValidId(id)) {
                    const QString key = JsonRpcMessage::idKey(id);
                    if (idsInBatch.contains(key)) {
                        if (sink)
                            sink->send(JsonRpcMessage::makeError(id, JsonRpcMessage::InvalidRequest,
                                u"Invalid Request: id "_s
                                    + (key.size() > 102 ? key.mid(2, 100) + u"..."_s : key.mid(2))
                                    + u" is used more than once in this batch; give each request its own id"_s));
                        ++d.requests;
                        continue;
                    }
                    idsInBatch.insert(key);
                }
                const McpDispatch one = dispatchOne(session, element, sink, true);
                d.requests += one.requests;
            }
        }
    } else {
        const McpDispatch one = dispatchOne(session, message, sink, false);
        d.requests = one.requests;
        if (one.outcome == McpDispatch::Outcome::Rejected)
            d.outcome = McpDispatch::Outcome::Rejected;
    }

    if (d.outcome != McpDispatch::Outcome::Rejected) {
        bool pending = false;
        for (const QPointer<McpRequestContext> &ctx : std::as_const(m_dispatchContexts))
            pending = pending || (ctx && !ctx->isDone());
        d.outcome = pending           ? McpDispatch::Outcome::Pending
            : d.requests > 0          ? McpDispatch::Outcome::Answered
                                      : McpDispatch::Outcome::Accepted;
    }
    d.streamed = m_dispatchStreamed;

    m_dispatchSink = outerSink;
    m_dispatchStreamed = outerStreamed;
    m_dispatchContexts = outerContexts;
    return d;
}

McpDispatch McpServer::dispatchOne(McpSession *session, const QJsonValue &value,
    const std::shared_ptr<McpSink> &sink, bool inBatch)
{
    McpDispatch d;
    const JsonRpcMessage message = JsonRpcMessage::classify(value);
    if (session)
        session->m_lastActivityMs = McpSession::nowMs();

    switch (message.kind()) {
    case JsonRpcMessage::Kind::Invalid:
        if (sink)
            sink->send(JsonRpcMessage::makeError(message.id(), JsonRpcMessage::InvalidRequest,
                u"Invalid Request: "_s + message.invalidReason()));
        // Inside a batch the error is one of its answers; alone, the whole body is unusable.
        d.outcome = McpDispatch::Outcome::Rejected;
        d.requests = inBatch ? 1 : 0;
        return d;
    case JsonRpcMessage::Kind::Notification:
        handleNotification(session, message);
        return d;
    case JsonRpcMessage::Kind::Response:
    case JsonRpcMessage::Kind::ErrorResponse:
        handleResponse(session, message);
        return d;
    case JsonRpcMessage::Kind::Request:
        break;
    }

    d.requests = 1;
    if (inBatch && message.method() == "initialize"_L1) {
        if (sink)
            sink->send(JsonRpcMessage::makeError(message.id(), JsonRpcMessage::InvalidRequest,
                u"Invalid Request: initialize must not be part of a batch"_s));
        return d;
    }
    handleRequest(session, message, sink);
    return d;
}

void McpServer::handleRequest(McpSession *session, const JsonRpcMessage &message,
    const std::shared_ptr<McpSink> &sink)
{
    const QJsonValue id = message.id();
    const QString method = message.method();
    auto error = [&](int code, const QString &text) {
        if (sink)
            sink->send(JsonRpcMessage::makeError(id, code, text));
    };

    if (!session) {
        error(JsonRpcMessage::InvalidRequest, u"Invalid Request: no session"_s);
        return;
    }
    if (!message.params().isUndefined() && !message.params().isObject()) {
        error(JsonRpcMessage::InvalidParams, u"Invalid params: \"params\" must be an object"_s);
        return;
    }
    const QString key = JsonRpcMessage::idKey(id);
    if (session->m_inFlight.contains(key)) {
        // Answer the duplicate only: the original keeps running and gets its own answer.
        error(JsonRpcMessage::InvalidRequest,
            u"Invalid Request: id "_s + (key.size() > 102 ? key.mid(2, 100) + u"..."_s : key.mid(2))
                + u" is already used by a request in flight in this session"_s);
        return;
    }
    if (method == "initialize"_L1) {
        handleInitialize(session, message, sink.get());
        return;
    }
    if (method == "ping"_L1) {
        // Allowed at any time, even before initialization (spec).
        if (sink)
            sink->send(JsonRpcMessage::makeResult(id, QJsonObject()));
        return;
    }
    if (!session->isInitialized()) {
        error(JsonRpcMessage::InvalidRequest,
            u"Invalid Request: the session is not initialized; send initialize first (only ping "
            "is allowed before it)"_s);
        return;
    }

    using Handler = void (McpServer::*)(McpRequestContext *);
    static const QHash<QString, Handler> handlers {
        { u"tools/call"_s, &McpServer::callTool },
        { u"resources/read"_s, &McpServer::readResource },
        { u"prompts/get"_s, &McpServer::getPrompt },
        { u"completion/complete"_s, &McpServer::complete },
        { u"logging/setLevel"_s, &McpServer::setLogLevel },
    };
    const bool isList = method == "tools/list"_L1 || method == "resources/list"_L1
        || method == "resources/templates/list"_L1 || method == "prompts/list"_L1;
    const bool isSubscription = method == "resources/subscribe"_L1
        || method == "resources/unsubscribe"_L1;
    const bool completionsAllowed = method != "completion/complete"_L1
        || McpProtocolVersion::hasCompletions(session->protocolVersion());
    if ((!handlers.contains(method) && !isList && !isSubscription) || !completionsAllowed) {
        // Named, but never mirrored whole: the method is the client's bytes (up to the body limit).
        error(JsonRpcMessage::MethodNotFound,
            u"Method not found: "_s + (method.size() > 100 ? method.left(100) + u"..."_s : method));
        return;
    }

    auto *ctx = new McpRequestContext(this, session, sink, id, method, message.paramsObject());
    session->m_inFlight.insert(key, ctx);
    ++m_pendingBySink[sink.get()];
    if (m_inFlightGauge)
        m_inFlightGauge->inc();
    m_dispatchContexts.append(ctx);

    if (method == "tools/list"_L1) {
        QList<QJsonObject> items;
        for (const McpTool &t : std::as_const(m_tools))
            items << toolJson(t);
        listPage(ctx, u"tools"_s, u"tools"_s, items);
    } else if (method == "resources/list"_L1) {
        QList<QJsonObject> items;
        for (const McpResource &r : std::as_const(m_resources))
            items << resourceJson(r);
        listPage(ctx, u"resources"_s, u"resources"_s, items);
    } else if (method == "resources/templates/list"_L1) {
        QList<QJsonObject> items;
        for (const McpResourceTemplate &t : std::as_const(m_templates))
            items << templateJson(t);
        listPage(ctx, u"templates"_s, u"resourceTemplates"_s, items);
    } else if (method == "prompts/list"_L1) {
        QList<QJsonObject> items;
        for (const McpPrompt &p : std::as_const(m_prompts))
            items << promptJson(p);
        listPage(ctx, u"prompts"_s, u"prompts"_s, items);
    } else if (isSubscription) {
        subscribe(ctx, method == "resources/subscribe"_L1);
    } else {
        (this->*handlers.value(method))(ctx);
    }
}

void McpServer::handleInitialize(McpSession *session, const JsonRpcMessage &message, McpSink *sink)
{
    const QJsonValue id = message.id();
    auto reply = [&](const QJsonObject &m) {
        if (sink)
            sink->send(m);
    };
    if (session->isInitialized()) {
        reply(JsonRpcMessage::makeError(id, JsonRpcMessage::InvalidRequest,
            u"Invalid Request: this session is already initialized"_s));
        return;
    }
    const QJsonObject params = message.paramsObject();
    QString problem;
    if (!params.value("protocolVersion"_L1).isString())
        problem = u"params.protocolVersion: is required and must be a string"_s;
    else if (!params.value("capabilities"_L1).isObject())
        problem = u"params.capabilities: is required and must be an object"_s;
    else if (!params.value("clientInfo"_L1).isObject())
        problem = u"params.clientInfo: is required and must be an object"_s;
    else if (!params.value("clientInfo"_L1).toObject().value("name"_L1).isString())
        problem = u"params.clientInfo.name: is required and must be a string"_s;
    if (!problem.isEmpty()) {
        reply(JsonRpcMessage::makeError(id, JsonRpcMessage::InvalidParams,
            u"Invalid params: "_s + problem));
        return;
    }

    const QString requested = params.value("protocolVersion"_L1).toString();
    const QString version = McpProtocolVersion::negotiate(requested);
    if (version != requested)
        qCInfo(lcMcp) << "client asked for protocol version" << requested << "; offering" << version;
    session->m_protocolVersion = version;
    session->m_clientInfo = params.value("clientInfo"_L1).toObject();
    session->m_clientCapabilities = params.value("capabilities"_L1).toObject();

    QJsonObject serverInfo { { u"name"_s, m_settings.serverName },
        { u"version"_s, m_settings.serverVersion } };
    putIfNotEmpty(serverInfo, u"title"_s, m_settings.serverTitle);
    QJsonObject result { { u"protocolVersion"_s, version },
        { u"capabilities"_s, capabilities(version) }, { u"serverInfo"_s, serverInfo } };
    putIfNotEmpty(result, u"instructions"_s, m_settings.instructions);
    reply(JsonRpcMessage::makeResult(id, result));
    Q_EMIT sessionInitialized(session);
}

void McpServer::handleNotification(McpSession *session, const JsonRpcMessage &message)
{
    if (!session)
        return;
    const QString method = message.method();
    if (method == "notifications/initialized"_L1) {
        if (session->isInitialized() && !session->m_clientReady) {
            session->m_clientReady = true;
            Q_EMIT clientReady(session);
        }
        return;
    }
    if (method == "notifications/cancelled"_L1) {
        const QJsonObject params = message.paramsObject();
        const QJsonValue requestId = params.value("requestId"_L1);
        if (!JsonRpcMessage::isValidId(requestId))
            return; // malformed cancellations are ignored (spec)
        const QPointer<McpRequestContext> ctx
            = session->m_inFlight.value(JsonRpcMessage::idKey(requestId));
        // Unknown or finished ids are ignored: the answer and the cancel crossed.
        if (ctx && !ctx->isDone())
            ctx->cancel(params.value("reason"_L1).toString(u"cancelled by the client"_s),
                McpRequestContext::End::Cancelled);
        return;
    }
    // roots/list_changed and future notifications: nothing to do, and no answer is allowed.
    qCDebug(lcMcp) << "ignoring notification" << method;
}

void McpServer::handleResponse(McpSession *session, const JsonRpcMessage &message)
{
    if (!session) {
        qCDebug(lcMcp) << "ignoring a response outside any session, id" << message.id();
        return;
    }
    if (message.id().isNull()) {
        // An error about a message of ours the client could not read: nothing to route.
        qCInfo(lcMcp) << "the client reported an error without an id:"
                      << message.error().value("message"_L1).toString();
        return;
    }
    const QPointer<McpClientRequest> request
        = session->m_clientRequests.value(JsonRpcMessage::idKey(message.id()));
    if (!request || request->isDone()) {
        // Timed out or cancelled before the answer came, or an id we never used.
        qCDebug(lcMcp) << "ignoring a response from the client for unknown id" << message.id();
        return;
    }
    McpClientReply reply;
    if (message.kind() == JsonRpcMessage::Kind::Response) {
        const QJsonValue result = message.result();
        if (result.isObject()) {
            reply.result = result.toObject();
        } else {
            reply.status = McpClientReply::Status::Error;
            reply.errorCode = JsonRpcMessage::InvalidRequest;
            reply.errorMessage = u"the client answered "_s + request->method()
                + u" with a result that is not an object"_s;
        }
    } else {
        const QJsonObject error = message.error();
        reply.status = McpClientReply::Status::Error;
        reply.errorCode = error.value("code"_L1).toInt();
        reply.errorMessage = error.value("message"_L1).toString();
        reply.errorData = error.value("data"_L1);
    }
    qCDebug(lcMcp) << "client answered" << request->method() << message.id()
                   << (reply.isResult() ? "with a result" : "with an error");
    request->settle(reply);
}

// --- Methods --------------------------------------------------------------------------------

void McpServer::callTool(McpRequestContext *ctx)
{
    const QJsonObject params = ctx->params();
    if (!params.value("name"_L1).isString()) {
        ctx->fail(JsonRpcMessage::InvalidParams, u"Invalid params: params.name: is required"_s);
        return;
    }
    const QString name = params.value("name"_L1).toString();
    const McpTool *tool = nullptr;
    for (const McpTool &t : std::as_const(m_tools))
        if (t.name == name)
            tool = &t;
    if (!tool) {
        ctx->fail(JsonRpcMessage::InvalidParams, u"Unknown tool: "_s + name);
        return;
    }
    if (params.contains("arguments"_L1) && !params.value("arguments"_L1).isObject()) {
        ctx->fail(JsonRpcMessage::InvalidParams,
            u"Invalid params: params.arguments: must be an object"_s);
        return;
    }
    if (!tool->inputSchema.isEmpty()) {
        const QString problem = JsonSchemaValidator::validate(ctx->arguments(), tool->inputSchema);
        if (!problem.isEmpty()) {
            // 2025-11-25 (SEP-1303) wants these as tool errors the model can read and fix;
            // older revisions expect a JSON-RPC invalid-params error.
            if (McpProtocolVersion::argumentErrorsAsToolResults(ctx->protocolVersion()))
                ctx->finishWithToolError(u"Invalid arguments for tool "_s + name + u": "_s + problem);
            else
                ctx->fail(JsonRpcMessage::InvalidParams,
                    u"Invalid arguments for tool "_s + name + u": "_s + problem,
                    QJsonObject { { u"tool"_s, name }, { u"problem"_s, problem } });
            return;
        }
    }
    if (!tool->handler) {
        ctx->fail(JsonRpcMessage::InternalError, u"Tool "_s + name + u" has no handler"_s);
        return;
    }
    ctx->m_outputSchema = tool->outputSchema;
    // Copy: the handler may re-register tools, invalidating `tool`.
    const auto handler = tool->handler;
    handler(ctx);
}

void McpServer::readResource(McpRequestContext *ctx)
{
    const QJsonValue uriValue = ctx->params().value("uri"_L1);
    if (!uriValue.isString()) {
        ctx->fail(JsonRpcMessage::InvalidParams, u"Invalid params: params.uri: is required"_s);
        return;
    }
    const QString uri = uriValue.toString();
    for (const McpResource &r : std::as_const(m_resources)) {
        if (r.uri == uri && r.read) {
            const auto read = r.read;
            read(ctx, uri);
            return;
        }
    }
    for (const McpResourceTemplate &t : std::as_const(m_templates)) {
        const auto variables = UriTemplate(t.uriTemplate).match(uri);
        if (variables && t.read) {
            const auto read = t.read;
            read(ctx, uri, *variables);
            return;
        }
    }
    ctx->fail(JsonRpcMessage::ResourceNotFound, u"Resource not found: "_s + uri,
        QJsonObject { { u"uri"_s, uri } });
}

void McpServer::getPrompt(McpRequestContext *ctx)
{
    const QString name = ctx->params().value("name"_L1).toString();
    const McpPrompt *prompt = nullptr;
    for (const McpPrompt &p : std::as_const(m_prompts))
        if (p.name == name)
            prompt = &p;
    if (!prompt) {
        ctx->fail(JsonRpcMessage::InvalidParams, u"Unknown prompt: "_s + name);
        return;
    }
    const QJsonValue args = ctx->params().value("arguments"_L1);
    if (!args.isUndefined() && !args.isObject()) {
        ctx->fail(JsonRpcMessage::InvalidParams,
            u"Invalid params: params.arguments: must be an object"_s);
        return;
    }
    const QJsonObject argObject = args.toObject();
    for (auto it = argObject.constBegin(); it != argObject.constEnd(); ++it) {
        if (!it.value().isString()) {
            ctx->fail(JsonRpcMessage::InvalidParams,
                u"Invalid params: arguments."_s + it.key() + u": must be a string"_s);
            return;
        }
    }
    for (const McpPromptArgument &a : prompt->arguments) {
        if (a.required && !argObject.contains(a.name)) {
            ctx->fail(JsonRpcMessage::InvalidParams,
                u"Invalid params: arguments."_s + a.name + u": is required"_s);
            return;
        }
    }
    if (!prompt->get) {
        ctx->fail(JsonRpcMessage::InternalError, u"Prompt "_s + name + u" has no handler"_s);
        return;
    }
    const auto get = prompt->get;
    get(ctx);
}

void McpServer::complete(McpRequestContext *ctx)
{
    const QJsonObject params = ctx->params();
    const QJsonObject ref = params.value("ref"_L1).toObject();
    const QJsonObject argument = params.value("argument"_L1).toObject();
    if (!argument.value("name"_L1).isString() || !argument.value("value"_L1).isString()) {
        ctx->fail(JsonRpcMessage::InvalidParams,
            u"Invalid params: params.argument needs string \"name\" and \"value\""_s);
        return;
    }
    const QString argName = argument.value("name"_L1).toString();
    const QString value = argument.value("value"_L1).toString();
    const QHash<QString, QString> context = contextArguments(params);
    const QString type = ref.value("type"_L1).toString();

    QStringList values;
    if (type == "ref/prompt"_L1) {
        const QString name = ref.value("name"_L1).toString();
        const McpPrompt *prompt = nullptr;
        for (const McpPrompt &p : std::as_const(m_prompts))
            if (p.name == name)
                prompt = &p;
        if (!prompt) {
            ctx->fail(JsonRpcMessage::InvalidParams, u"Unknown prompt: "_s + name);
            return;
        }
        if (prompt->complete)
            values = prompt->complete(argName, value, context);
    } else if (type == "ref/resource"_L1) {
        const QString uri = ref.value("uri"_L1).toString();
        const McpResourceTemplate *found = nullptr;
        for (const McpResourceTemplate &t : std::as_const(m_templates))
            if (t.uriTemplate == uri)
                found = &t;
        if (!found) {
            ctx->fail(JsonRpcMessage::InvalidParams, u"Unknown resource template: "_s + uri);
            return;
        }
        if (found->complete)
            values = found->complete(argName, value, context);
    } else {
        ctx->fail(JsonRpcMessage::InvalidParams,
            u"Invalid params: params.ref.type: must be \"ref/prompt\" or \"ref/resource\""_s);
        return;
    }

    const qsizetype total = values.size();
    QJsonArray page;
    for (qsizetype i = 0; i < total && i < kMaxCompletionValues; ++i)
        page.append(values.at(i));
    ctx->finish(QJsonObject { { u"completion"_s,
        QJsonObject { { u"values"_s, page }, { u"total"_s, static_cast<qint64>(total) },
            { u"hasMore"_s, total > kMaxCompletionValues } } } });
}

void McpServer::setLogLevel(McpRequestContext *ctx)
{
    const auto level = McpLogLevel::fromString(ctx->params().value("level"_L1).toString());
    if (!level) {
        ctx->fail(JsonRpcMessage::InvalidParams,
            u"Invalid params: params.level: must be one of debug, info, notice, warning, error, "
            "critical, alert, emergency"_s);
        return;
    }
    ctx->session()->m_logLevel = *level;
    ctx->finish(QJsonObject());
}

void McpServer::subscribe(McpRequestContext *ctx, bool on)
{
    const QJsonValue uri = ctx->params().value("uri"_L1);
    if (!uri.isString()) {
        ctx->fail(JsonRpcMessage::InvalidParams, u"Invalid params: params.uri: is required"_s);
        return;
    }
    if (on) {
        if (!knowsResource(uri.toString())) {
            ctx->fail(JsonRpcMessage::ResourceNotFound, u"Resource not found: "_s + uri.toString(),
                QJsonObject { { u"uri"_s, uri } });
            return;
        }
        ctx->session()->m_subscriptions.insert(uri.toString());
    } else {
        ctx->session()->m_subscriptions.remove(uri.toString());
    }
    ctx->finish(QJsonObject());
}

void McpServer::listPage(McpRequestContext *ctx, const QString &list, const QString &key,
    const QList<QJsonObject> &items)
{
    qsizetype offset = 0;
    const QJsonValue cursor = ctx->params().value("cursor"_L1);
    if (!cursor.isUndefined() && !cursor.isNull()) {
        const auto decoded = cursor.isString() ? McpCursor::decode(list, cursor.toString())
                                               : std::nullopt;
        if (!decoded) {
            ctx->fail(JsonRpcMessage::InvalidParams,
                u"Invalid params: params.cursor is not a cursor this server issued for "_s
                    + ctx->method());
            return;
        }
        // A list that shrank since the cursor was issued just ends early.
        offset = qMin(*decoded, items.size());
    }
    const qsizetype pageSize = qMax(1, m_settings.pageSize);
    QJsonArray page;
    for (qsizetype i = offset; i < items.size() && i < offset + pageSize; ++i)
        page.append(items.at(i));
    QJsonObject result { { key, page } };
    if (offset + pageSize < items.size())
        result.insert(u"nextCursor"_s, McpCursor::encode(list, offset + pageSize));
    ctx->finish(result);
}

// --- Registries -------------------------------------------------------------------------------

bool McpServer::registerTool(const McpTool &tool)
{
    if (!isValidToolName(tool.name)) {
        qCWarning(lcMcp) << "refusing tool with invalid name" << tool.name
                         << "(1-128 of A-Z a-z 0-9 _ - .)";
        return false;
    }
    removeTool(tool.name);
    m_tools.append(tool);
    scheduleListChanged(ListKind::Tools);
    return true;
}

bool McpServer::removeTool(const QString &name)
{
    const auto removed = m_tools.removeIf([&](const McpTool &t) { return t.name == name; });
    if (removed)
        scheduleListChanged(ListKind::Tools);
    return removed > 0;
}

bool McpServer::registerResource(const McpResource &resource)
{
    if (resource.uri.isEmpty() || resource.name.isEmpty())
        return false;
    removeResource(resource.uri);
    m_resources.append(resource);
    scheduleListChanged(ListKind::Resources);
    return true;
}

bool McpServer::removeResource(const QString &uri)
{
    const auto removed = m_resources.removeIf([&](const McpResource &r) { return r.uri == uri; });
    if (removed)
        scheduleListChanged(ListKind::Resources);
    return removed > 0;
}

bool McpServer::registerResourceTemplate(const McpResourceTemplate &resourceTemplate)
{
    if (!UriTemplate(resourceTemplate.uriTemplate).isValid() || resourceTemplate.name.isEmpty()) {
        qCWarning(lcMcp) << "refusing resource template" << resourceTemplate.uriTemplate;
        return false;
    }
    removeResourceTemplate(resourceTemplate.uriTemplate);
    m_templates.append(resourceTemplate);
    scheduleListChanged(ListKind::Resources);
    return true;
}

bool McpServer::removeResourceTemplate(const QString &uriTemplate)
{
    const auto removed = m_templates.removeIf(
        [&](const McpResourceTemplate &t) { return t.uriTemplate == uriTemplate; });
    if (removed)
        scheduleListChanged(ListKind::Resources);
    return removed > 0;
}

bool McpServer::registerPrompt(const McpPrompt &prompt)
{
    if (prompt.name.isEmpty())
        return false;
    removePrompt(prompt.name);
    m_prompts.append(prompt);
    scheduleListChanged(ListKind::Prompts);
    return true;
}

bool McpServer::removePrompt(const QString &name)
{
    const auto removed = m_prompts.removeIf([&](const McpPrompt &p) { return p.name == name; });
    if (removed)
        scheduleListChanged(ListKind::Prompts);
    return removed > 0;
}

bool McpServer::knowsResource(const QString &uri) const
{
    for (const McpResource &r : m_resources)
        if (r.uri == uri)
            return true;
    for (const McpResourceTemplate &t : m_templates)
        if (UriTemplate(t.uriTemplate).match(uri))
            return true;
    return false;
}

// --- JSON shapes ------------------------------------------------------------------------------

QJsonObject McpServer::capabilities(const QString &version) const
{
    QJsonObject caps {
        { u"logging"_s, QJsonObject() },
        { u"tools"_s, QJsonObject { { u"listChanged"_s, true } } },
        { u"resources"_s, QJsonObject { { u"subscribe"_s, true }, { u"listChanged"_s, true } } },
        { u"prompts"_s, QJsonObject { { u"listChanged"_s, true } } },
        { u"experimental"_s,
            QJsonObject { { u"tickerwire/streaming"_s,
                QJsonObject { { u"enabled"_s, m_settings.streamingEnabled } } } } },
    };
    if (McpProtocolVersion::hasCompletions(version))
        caps.insert(u"completions"_s, QJsonObject());
    return caps;
}

QJsonObject McpServer::toolJson(const McpTool &tool) const
{
    QJsonObject o { { u"name"_s, tool.name },
        { u"inputSchema"_s,
            tool.inputSchema.isEmpty() ? QJsonObject { { u"type"_s, u"object"_s } } : tool.inputSchema } };
    putIfNotEmpty(o, u"title"_s, tool.title);
    putIfNotEmpty(o, u"description"_s, tool.description);
    putIfNotEmpty(o, u"outputSchema"_s, tool.outputSchema);
    putIfNotEmpty(o, u"annotations"_s, tool.annotations);
    return o;
}

QJsonObject McpServer::resourceJson(const McpResource &r) const
{
    QJsonObject o { { u"uri"_s, r.uri }, { u"name"_s, r.name } };
    putResourceDescription(o, r);
    return o;
}

QJsonObject McpServer::templateJson(const McpResourceTemplate &t) const
{
    QJsonObject o { { u"uriTemplate"_s, t.uriTemplate }, { u"name"_s, t.name } };
    putResourceDescription(o, t);
    return o;
}

QJsonObject McpServer::promptJson(const McpPrompt &p) const
{
    QJsonObject o { { u"name"_s, p.name } };
    putIfNotEmpty(o, u"title"_s, p.title);
    putIfNotEmpty(o, u"description"_s, p.description);
    if (!p.arguments.isEmpty()) {
        QJsonArray args;
        for (const McpPromptArgument &a : p.arguments) {
            QJsonObject arg { { u"name"_s, a.name }, { u"required"_s, a.required } };
            putIfNotEmpty(arg, u"title"_s, a.title);
            putIfNotEmpty(arg, u"description"_s, a.description);
            args.append(arg);
        }
        o.insert(u"arguments"_s, args);
    }
    return o;
}

// --- Output -----------------------------------------------------------------------------------

void McpServer::deliverForRequest(McpRequestContext *ctx, const QJsonObject &message, bool isResponse)
{
    if (!ctx->m_sink)
        return;
    if (!isResponse && ctx->m_sink.get() == m_dispatchSink)
        m_dispatchStreamed = true;
    ctx->m_sink->send(message);
}

void McpServer::deliverSerializedForRequest(McpRequestContext *ctx, const QByteArray &notificationJson)
{
    if (!ctx->m_sink)
        return;
    if (ctx->m_sink.get() == m_dispatchSink)
        m_dispatchStreamed = true;
    ctx->m_sink->sendSerialized(notificationJson);
}

void McpServer::requestEnded(McpRequestContext *ctx)
{
    McpSession *s = ctx->m_session;
    const QString key = JsonRpcMessage::idKey(ctx->m_id);
    if (s && s->m_inFlight.value(key) == ctx)
        s->m_inFlight.remove(key);

    const std::shared_ptr<McpSink> sink = std::move(ctx->m_sink); // freed with the request
    auto it = m_pendingBySink.find(sink.get());
    if (it != m_pendingBySink.end() && --it.value() <= 0) {
        m_pendingBySink.erase(it);
        // A request answered inside the handle() that created it is reported through
        // McpDispatch instead; complete() is for streams that outlived handle().
        const bool answeredInline = sink.get() == m_dispatchSink && m_dispatchContexts.contains(ctx);
        if (sink && !answeredInline)
            sink->complete();
    }

    if (m_inFlightGauge)
        m_inFlightGauge->dec();
    switch (ctx->end()) {
    case McpRequestContext::End::Answered:
        if (m_completed)
            m_completed->inc();
        break;
    case McpRequestContext::End::Cancelled:
        if (m_cancelled)
            m_cancelled->inc();
        break;
    case McpRequestContext::End::Expired:
        if (m_expired)
            m_expired->inc();
        break;
    case McpRequestContext::End::Open:
        break;
    }
    ctx->deleteLater();
}

// --- Server->client requests ---------------------------------------------------------------

McpClientRequest *McpServer::sendRequest(McpSession *session, const QString &method,
    const QJsonObject &params, McpClientRequest::Callback callback, int timeoutMs)
{
    return sendClientRequest(session, nullptr, method, params, std::move(callback), timeoutMs);
}

McpClientRequest *McpServer::sendClientRequest(McpSession *session, McpRequestContext *origin,
    const QString &method, const QJsonObject &params, McpClientRequest::Callback callback,
    int timeoutMs)
{
    auto refuse = [&](const QString &why) -> McpClientRequest * {
        qCDebug(lcMcp) << "not sending" << method << "to the client:" << why;
        McpClientReply reply;
        reply.status = McpClientReply::Status::Refused;
        reply.errorCode = McpClientReply::RefusedCode;
        reply.errorMessage = method + u" was not sent: "_s + why;
        if (callback)
            callback(reply);
        return nullptr;
    };
    if (!session || m_sessions.value(session->id()) != session)
        return refuse(u"the session is closed"_s);
    if (origin && origin->isDone())
        return refuse(u"the request that would send it has already ended"_s);
    if (method.isEmpty())
        return refuse(u"no method"_s);
    if (!session->isInitialized())
        return refuse(u"the session is not initialized"_s);
    // Spec (lifecycle): only pings before the client says notifications/initialized.
    if (!session->isClientReady() && method != "ping"_L1)
        return refuse(u"the client has not sent notifications/initialized yet"_s);
    const QString missing
        = McpClientRequest::missingCapability(session->clientCapabilities(), method, params);
    if (!missing.isEmpty())
        return refuse(missing);

    std::shared_ptr<McpSink> sink = origin ? origin->m_sink : nullptr;
    const bool onRequestStream = sink && sink->carriesServerRequests();
    if (!onRequestStream)
        sink = session->m_sink;
    if (!sink || !sink->carriesServerRequests())
        return refuse(u"there is no stream to the client to carry it (over HTTP: open the "
                      "session's GET stream)"_s);

    const QString id = u"s-"_s + QString::number(++session->m_nextClientRequestId);
    auto *request = new McpClientRequest(this, session, origin, sink, id, method, params,
        std::move(callback));
    session->m_clientRequests.insert(JsonRpcMessage::idKey(id), request);
    const int ms = timeoutMs < 0 ? m_settings.clientRequestTimeoutMs : timeoutMs;
    if (ms > 0)
        request->startTimeout(ms);
    qCDebug(lcMcp) << "sending" << method << id
                   << (onRequestStream ? "on the request's stream" : "on the session stream");
    const QJsonObject message = JsonRpcMessage::makeRequest(id, method, params);
    if (onRequestStream)
        deliverForRequest(origin, message, false);
    else
        sendOn(sink.get(), message);
    return request;
}

void McpServer::cancelClientRequests(McpRequestContext *origin, const QString &reason)
{
    McpSession *s = origin->m_session;
    if (!s)
        return;
    const auto requests = s->m_clientRequests.values();
    for (const QPointer<McpClientRequest> &request : requests)
        if (request && !request->isDone() && request->origin() == origin)
            request->cancel(reason);
}

void McpServer::clientRequestEnded(McpClientRequest *request, const QString &cancelReason)
{
    McpSession *s = request->session();
    const QString key = JsonRpcMessage::idKey(request->id());
    if (s && s->m_clientRequests.value(key) == request)
        s->m_clientRequests.remove(key);
    if (!cancelReason.isEmpty() && request->m_sink) {
        // Spec (cancellation): the receiver should stop, and not answer.
        sendOn(request->m_sink.get(),
            JsonRpcMessage::makeNotification(u"notifications/cancelled"_s,
                QJsonObject { { u"requestId"_s, request->id() }, { u"reason"_s, cancelReason } }));
    }
}

void McpServer::sendOn(McpSink *sink, const QJsonObject &message)
{
    if (!sink)
        return;
    if (sink == m_dispatchSink)
        m_dispatchStreamed = true;
    sink->send(message);
}

void McpServer::abandonSink(const McpSink *sink)
{
    for (McpSession *s : std::as_const(m_sessions))
        for (const QPointer<McpRequestContext> &ctx : std::as_const(s->m_inFlight))
            if (ctx && !ctx->isDone() && ctx->m_sink.get() == sink)
                ctx->startGrace(m_settings.abandonGraceMs);
}

void McpServer::resumeSink(const McpSink *sink)
{
    for (McpSession *s : std::as_const(m_sessions))
        for (const QPointer<McpRequestContext> &ctx : std::as_const(s->m_inFlight))
            if (ctx && ctx->m_sink.get() == sink)
                ctx->stopGrace();
}

void McpServer::sendToSession(McpSession *session, const QJsonObject &message)
{
    if (session->m_sink)
        session->m_sink->send(message);
}

void McpServer::notifyResourceUpdated(const QString &uri)
{
    const QJsonObject n = JsonRpcMessage::makeNotification(u"notifications/resources/updated"_s,
        QJsonObject { { u"uri"_s, uri } });
    for (McpSession *s : std::as_const(m_sessions))
        if (s->isSubscribed(uri))
            sendToSession(s, n);
}

void McpServer::log(McpLogLevel::Level level, const QJsonValue &data, const QString &logger,
    McpSession *session)
{
    QJsonObject params { { u"level"_s, McpLogLevel::toString(level) }, { u"data"_s, data } };
    if (!logger.isEmpty())
        params.insert(u"logger"_s, logger);
    const QJsonObject n = JsonRpcMessage::makeNotification(u"notifications/message"_s, params);
    const QList<McpSession *> targets = session ? QList<McpSession *> { session } : sessions();
    for (McpSession *s : targets)
        if (s->isInitialized() && level >= s->logLevel())
            sendToSession(s, n);
}

void McpServer::scheduleListChanged(ListKind kind)
{
    switch (kind) {
    case ListKind::Tools:
        m_toolsChanged = true;
        break;
    case ListKind::Resources:
        m_resourcesChanged = true;
        break;
    case ListKind::Prompts:
        m_promptsChanged = true;
        break;
    }
    // Coalesced: registering twenty tools at start-up sends one notification, not twenty.
    if (!m_listChangedScheduled) {
        m_listChangedScheduled = true;
        QTimer::singleShot(0, this, &McpServer::flushListChanged);
    }
}

void McpServer::flushListChanged()
{
    m_listChangedScheduled = false;
    QList<QJsonObject> notes;
    if (m_toolsChanged)
        notes << JsonRpcMessage::makeNotification(u"notifications/tools/list_changed"_s);
    if (m_resourcesChanged)
        notes << JsonRpcMessage::makeNotification(u"notifications/resources/list_changed"_s);
    if (m_promptsChanged)
        notes << JsonRpcMessage::makeNotification(u"notifications/prompts/list_changed"_s);
    m_toolsChanged = m_resourcesChanged = m_promptsChanged = false;
    for (McpSession *s : std::as_const(m_sessions))
        if (s->isInitialized())
            for (const QJsonObject &n : std::as_const(notes))
                sendToSession(s, n);
}

} // namespace tw::mcp
