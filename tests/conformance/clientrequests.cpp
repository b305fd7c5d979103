// TEST FIXTURE ONLY -- see clientrequests.h.
#include "clientrequests.h"

#include "mcpsession.h"
#include "mcpsink.h"
#include "middleware.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace tw::conformance {

namespace {

    const QString kIdPrefix = u"tw-fixture-"_s;

    QJsonObject errorResponse(const QString &id, const QString &message)
    {
        return QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id },
            { u"error"_s, QJsonObject { { u"code"_s, -32603 }, { u"message"_s, message } } } };
    }

    class ResponseWatcher : public http::Middleware {
    public:
        explicit ResponseWatcher(ClientRequests *owner)
            : m_owner(owner)
        {
        }
        QByteArray name() const override { return QByteArrayLiteral("fixture-client-responses"); }
        std::optional<http::HttpResponse> process(
            const http::HttpRequest &request, http::RequestContext &context) override
        {
            if (!m_owner || request.method != "POST" || request.body.isEmpty())
                return std::nullopt;
            const QJsonDocument doc = context.jsonBody.isNull()
                ? QJsonDocument::fromJson(request.body)
                : context.jsonBody;
            if (doc.isObject()) {
                m_owner->noticeClientMessage(doc.object());
            } else if (doc.isArray()) {
                const QJsonArray batch = doc.array();
                for (const QJsonValue &v : batch)
                    m_owner->noticeClientMessage(v.toObject());
            }
            return std::nullopt;
        }

    private:
        QPointer<ClientRequests> m_owner;
    };

} // namespace

ClientRequests::ClientRequests(QObject *parent)
    : QObject(parent)
{
}

ClientRequests::~ClientRequests() = default;

std::shared_ptr<http::Middleware> ClientRequests::middleware()
{
    return std::make_shared<ResponseWatcher>(this);
}

void ClientRequests::send(mcp::McpSession *session, const QString &method,
    const QJsonObject &params, QObject *owner, Callback callback, int timeoutMs,
    int waitForStreamMs)
{
    const QString id = kIdPrefix + QString::number(m_nextId++);
    m_pending.insert(id, Pending { QPointer<QObject>(owner), std::move(callback) });
    // Forget the request when its tool is done (answered, cancelled, expired).
    connect(owner, &QObject::destroyed, this, [this, id] { m_pending.remove(id); });
    QTimer::singleShot(timeoutMs, this, [this, id, method, timeoutMs] {
        settle(id, errorResponse(id,
            u"the client did not answer "_s + method + u" within "_s + QString::number(timeoutMs)
                + u" ms"_s));
    });
    const QJsonObject request { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"method"_s, method },
        { u"params"_s, params } };
    trySend(QPointer<mcp::McpSession>(session), request,
        QDateTime::currentMSecsSinceEpoch() + waitForStreamMs);
}

void ClientRequests::trySend(QPointer<mcp::McpSession> session, const QJsonObject &request,
    qint64 deadlineMs)
{
    const QString id = request.value("id"_L1).toString();
    if (!m_pending.contains(id))
        return;
    if (!session) {
        settle(id, errorResponse(id, u"the session closed"_s));
        return;
    }
    if (const std::shared_ptr<mcp::McpSink> sink = session->sink()) {
        sink->send(request);
        return;
    }
    // The client opens its GET stream right after notifications/initialized, on another
    // connection: a tools/call may arrive first.
    if (QDateTime::currentMSecsSinceEpoch() >= deadlineMs) {
        settle(id, errorResponse(id,
            u"the client has no open GET stream to carry "_s + request.value("method"_L1).toString()));
        return;
    }
    QTimer::singleShot(20, this, [this, session, request, deadlineMs] {
        trySend(session, request, deadlineMs);
    });
}

void ClientRequests::noticeClientMessage(const QJsonObject &message)
{
    if (message.contains("method"_L1)
        || !(message.contains("result"_L1) || message.contains("error"_L1)))
        return;
    const QString id = message.value("id"_L1).toString();
    if (!id.startsWith(kIdPrefix) || !m_pending.contains(id))
        return;
    // After the pipeline: the transport handles the POST first, as if nothing had peeked.
    QTimer::singleShot(0, this, [this, id, message] { settle(id, message); });
}

void ClientRequests::settle(const QString &id, const QJsonObject &response)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    const Pending pending = it.value();
    m_pending.erase(it);
    if (pending.owner && pending.callback)
        pending.callback(response);
}

} // namespace tw::conformance
