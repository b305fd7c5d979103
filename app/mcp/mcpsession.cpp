#include "mcpsession.h"

#include "jsonrpcmessage.h"
#include "mcpclientrequest.h"
#include "mcprequestcontext.h"
#include "mcpserver.h"
#include "mcpsink.h"

#include <QDateTime>

namespace tw::mcp {

McpSession::McpSession(const QString &id, McpLogLevel::Level logLevel, McpServer *server)
    : QObject(server)
    , m_id(id)
    , m_logLevel(logLevel)
    , m_lastActivityMs(QDateTime::currentMSecsSinceEpoch())
{
}

McpSession::~McpSession() = default;

bool McpSession::isInFlight(const QJsonValue &id) const
{
    return m_inFlight.contains(JsonRpcMessage::idKey(id));
}

} // namespace tw::mcp
