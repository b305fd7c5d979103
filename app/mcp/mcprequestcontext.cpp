#include "mcprequestcontext.h"

#include "jsonrpcmessage.h"
#include "jsonschemavalidator.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "mcpsink.h"

#include <logging.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QTimer>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tw::mcp {

McpRequestContext::McpRequestContext(McpServer *server, McpSession *session,
    std::shared_ptr<McpSink> sink, const QJsonValue &id, const QString &method,
    const QJsonObject &params)
    : QObject(session)
    , m_server(server)
    , m_session(session)
    , m_sink(std::move(sink))
    , m_id(id)
    , m_method(method)
    , m_params(params)
{
    const QJsonValue token = params.value("_meta"_L1).toObject().value("progressToken"_L1);
    if (token.isString() || token.isDouble())
        m_progressToken = token;
}

McpRequestContext::~McpRequestContext() = default;

QString McpRequestContext::protocolVersion() const
{
    return m_session ? m_session->protocolVersion() : QString();
}

bool McpRequestContext::acceptProgress(double progress)
{
    if (isDone() || !hasProgressToken())
        return false;
    // The spec requires progress to increase with each notification; refusing here keeps a
    // careless handler from confusing clients.
    if (m_lastProgress && !(progress > *m_lastProgress)) {
        qCDebug(lcMcp) << "progress" << progress << "refused: not above" << *m_lastProgress;
        return false;
    }
    m_lastProgress = progress;
    return true;
}

bool McpRequestContext::sendProgress(double progress, std::optional<double> total,
    const QString &message)
{
    if (!acceptProgress(progress))
        return false;
    QJsonObject params { { u"progressToken"_s, m_progressToken }, { u"progress"_s, progress } };
    if (total)
        params.insert(u"total"_s, *total);
    if (!message.isEmpty())
        params.insert(u"message"_s, message);
    deliver(JsonRpcMessage::makeNotification(u"notifications/progress"_s, params), false);
    return true;
}

bool McpRequestContext::sendProgressSerialized(double progress, const QByteArray &messageJsonString)
{
    if (!acceptProgress(progress))
        return false;
    if (m_progressTokenJson.isEmpty()) {
        // A one-element array serialises the token exactly as it appears inside an object.
        const QByteArray array = QJsonDocument(QJsonArray { m_progressToken }).toJson(QJsonDocument::Compact);
        m_progressTokenJson = array.mid(1, array.size() - 2);
    }
    m_server->deliverSerializedForRequest(
        this, progressNotificationJson(m_progressTokenJson, progress, messageJsonString));
    return true;
}

QByteArray McpRequestContext::progressNotificationJson(
    const QByteArray &tokenJson, double progress, const QByteArray &messageJsonString)
{
    // QJsonDocument writes an integral double below 2^53 without a fraction, others in the
    // shortest form that reads back the same.
    const QByteArray number = std::abs(progress) < 9007199254740992.0 && progress == std::trunc(progress)
        ? QByteArray::number(qint64(progress))
        : QByteArray::number(progress, 'g', QLocale::FloatingPointShortest);
    QByteArray out;
    out.reserve(messageJsonString.size() + tokenJson.size() + number.size() + 96);
    out += R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"message":)";
    out += messageJsonString;
    out += R"(,"progress":)";
    out += number;
    out += R"(,"progressToken":)";
    out += tokenJson;
    out += "}}";
    return out;
}

bool McpRequestContext::sendNotification(const QString &method, const QJsonObject &params)
{
    if (isDone())
        return false;
    deliver(JsonRpcMessage::makeNotification(method, params), false);
    return true;
}

bool McpRequestContext::log(McpLogLevel::Level level, const QJsonValue &data, const QString &logger)
{
    if (isDone() || (m_session && level < m_session->logLevel()))
        return false;
    QJsonObject params { { u"level"_s, McpLogLevel::toString(level) }, { u"data"_s, data } };
    if (!logger.isEmpty())
        params.insert(u"logger"_s, logger);
    deliver(JsonRpcMessage::makeNotification(u"notifications/message"_s, params), false);
    return true;
}

McpClientRequest *McpRequestContext::sendRequest(const QString &method,
    const QJsonObject &params, McpClientRequest::Callback callback, int timeoutMs)
{
    return m_server->sendClientRequest(m_session, this, method, params, std::move(callback),
        timeoutMs);
}

void McpRequestContext::finish(const QJsonObject &result)
{
    if (isDone()) {
        qCDebug(lcMcp) << "ignoring a second answer to" << m_method << m_id;
        return;
    }
    // A tool that declares an outputSchema promises conforming structuredContent; breaking
    // that is our bug, reported as an internal error rather than passed to the client.
    if (!m_outputSchema.isEmpty() && !result.value("isError"_L1).toBool(false)) {
        const QJsonValue structured = result.value("structuredContent"_L1);
        const QString problem = structured.isUndefined()
            ? u"structuredContent: is required by the tool's outputSchema"_s
            : JsonSchemaValidator::validate(structured, m_outputSchema, u"structuredContent"_s);
        if (!problem.isEmpty()) {
            qCWarning(lcMcp) << "tool" << m_params.value("name"_L1).toString()
                             << "produced invalid output:" << problem;
            respond(JsonRpcMessage::makeError(m_id, JsonRpcMessage::InternalError,
                u"Tool produced output that does not match its outputSchema: "_s + problem));
            return;
        }
    }
    respond(JsonRpcMessage::makeResult(m_id, result));
}

void McpRequestContext::fail(int code, const QString &message, const QJsonValue &data)
{
    if (isDone()) {
        qCDebug(lcMcp) << "ignoring a second answer to" << m_method << m_id;
        return;
    }
    respond(JsonRpcMessage::makeError(m_id, code, message, data));
}

void McpRequestContext::finishWithToolError(const QString &text)
{
    finish(QJsonObject {
        { u"content"_s, QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } } } },
        { u"isError"_s, true } });
}

void McpRequestContext::deliver(const QJsonObject &message, bool isResponse)
{
    m_server->deliverForRequest(this, message, isResponse);
}

void McpRequestContext::respond(const QJsonObject &message)
{
    m_end = End::Answered;
    stopGrace();
    // Before the response, so the client sees them on the stream while it is still open.
    m_server->cancelClientRequests(this, u"the request that sent it has ended ("_s + m_method
            + u" answered)"_s);
    deliver(message, true);
    m_server->requestEnded(this);
    Q_EMIT done();
}

void McpRequestContext::cancel(const QString &reason, End how)
{
    if (isDone())
        return;
    m_end = how;
    m_cancelReason = reason;
    stopGrace();
    m_server->cancelClientRequests(this, u"the request that sent it was cancelled: "_s + reason);
    Q_EMIT cancelled(reason);
    m_server->requestEnded(this);
    Q_EMIT done();
}

void McpRequestContext::startGrace(int ms)
{
    if (isDone() || m_graceTimer)
        return;
    m_graceTimer = new QTimer(this);
    m_graceTimer->setSingleShot(true);
    connect(m_graceTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcMcp) << "request" << m_method << m_id
                      << "expired: its client went away and did not resume";
        cancel(u"client disconnected and did not resume within the grace period"_s, End::Expired);
    });
    m_graceTimer->start(ms);
}

void McpRequestContext::stopGrace()
{
    if (!m_graceTimer)
        return;
    m_graceTimer->stop();
    m_graceTimer->deleteLater();
    m_graceTimer = nullptr;
}

} // namespace tw::mcp
