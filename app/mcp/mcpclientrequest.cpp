#include "mcpclientrequest.h"

#include "mcprequestcontext.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "mcpsink.h"

#include <logging.h>

#include <QTimer>

using namespace Qt::StringLiterals;

namespace tw::mcp {

McpClientRequest::McpClientRequest(McpServer *server, McpSession *session,
    McpRequestContext *origin, std::shared_ptr<McpSink> sink, const QJsonValue &id,
    const QString &method, const QJsonObject &params, Callback callback)
    : QObject(session)
    , m_server(server)
    , m_session(session)
    , m_origin(origin)
    , m_sink(std::move(sink))
    , m_id(id)
    , m_method(method)
    , m_params(params)
    , m_callback(std::move(callback))
{
}

McpClientRequest::~McpClientRequest() = default;

McpRequestContext *McpClientRequest::origin() const { return m_origin; }

void McpClientRequest::cancel(const QString &reason)
{
    const QString why = reason.isEmpty() ? u"cancelled by the server"_s : reason;
    McpClientReply reply;
    reply.status = McpClientReply::Status::Cancelled;
    reply.errorCode = McpClientReply::CancelledCode;
    reply.errorMessage = m_method + u" was cancelled: "_s + why;
    settle(reply, why);
}

void McpClientRequest::startTimeout(int ms)
{
    m_timeoutMs = ms;
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        const QString why = u"the client did not answer "_s + m_method + u" within "_s
            + QString::number(m_timeoutMs) + u" ms"_s;
        qCInfo(lcMcp) << "server request" << m_id.toString() << "timed out:" << why;
        McpClientReply reply;
        reply.status = McpClientReply::Status::Timeout;
        reply.errorCode = McpClientReply::TimeoutCode;
        reply.errorMessage = u"Request timed out: "_s + why;
        settle(reply, u"timed out after "_s + QString::number(m_timeoutMs) + u" ms"_s);
    });
    m_timer->start(ms);
}

void McpClientRequest::settle(const McpClientReply &reply, const QString &cancelReason)
{
    if (m_done)
        return;
    m_done = true;
    if (m_timer)
        m_timer->stop();
    m_server->clientRequestEnded(this, cancelReason);
    const Callback callback = std::move(m_callback);
    m_callback = nullptr;
    // The callback may answer the originating request, send another request, or close the
    // session: nothing of ours is touched after it except the signal and deleteLater.
    const QPointer<McpClientRequest> self(this);
    if (callback)
        callback(reply);
    if (!self)
        return;
    m_sink.reset();
    Q_EMIT done();
    deleteLater();
}

QString McpClientRequest::missingCapability(const QJsonObject &clientCapabilities,
    const QString &method, const QJsonObject &params)
{
    auto missing = [&method](const QString &capability) -> QString {
        return u"the client did not declare the "_s + capability
            + u" capability in initialize, so "_s + method + u" cannot be sent to it"_s;
    };
    if (method == "sampling/createMessage"_L1) {
        if (!clientCapabilities.value("sampling"_L1).isObject())
            return missing(u"sampling"_s);
        const QJsonObject sampling = clientCapabilities.value("sampling"_L1).toObject();
        if ((params.contains("tools"_L1) || params.contains("toolChoice"_L1))
            && !sampling.contains("tools"_L1))
            return missing(u"sampling.tools"_s);
        const QString context = params.value("includeContext"_L1).toString(u"none"_s);
        if (context != "none"_L1 && !sampling.contains("context"_L1))
            return missing(u"sampling.context"_s);
        return {};
    }
    if (method == "elicitation/create"_L1) {
        if (!clientCapabilities.value("elicitation"_L1).isObject())
            return missing(u"elicitation"_s);
        const QJsonObject elicitation = clientCapabilities.value("elicitation"_L1).toObject();
        const QString mode = params.value("mode"_L1).toString(u"form"_s);
        // An empty elicitation object means form mode only (2025-11-25); a client that
        // lists only "url" does not take forms.
        if (mode == "url"_L1 && !elicitation.contains("url"_L1))
            return missing(u"elicitation.url"_s);
        if (mode == "form"_L1 && elicitation.contains("url"_L1) && !elicitation.contains("form"_L1))
            return missing(u"elicitation.form"_s);
        return {};
    }
    if (method == "roots/list"_L1) {
        if (!clientCapabilities.value("roots"_L1).isObject())
            return missing(u"roots"_s);
        return {};
    }
    return {};
}

} // namespace tw::mcp
