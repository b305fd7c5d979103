#include "mcpcall.h"

#include "mcpclient.h"

#include <QNetworkReply>

namespace tw::client {

McpCall::McpCall(McpClient *client, qint64 id, const QString &method, const QJsonObject &message)
    : QObject(client)
    , m_client(client)
    , m_id(id)
    , m_method(method)
    , m_message(message)
{
    m_timeout.setSingleShot(true);
}

McpCall::~McpCall()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void McpCall::cancel(const QString &reason)
{
    if (m_done || !m_client)
        return;
    m_client->cancelCall(this,
        reason.isEmpty() ? QStringLiteral("cancelled by the client") : reason,
        McpError::Kind::Cancelled);
}

} // namespace tw::client
