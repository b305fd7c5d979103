#include "mcpsession.h"

#include "jsonrpcmessage.h"
#include "mcpclientrequest.h"
#include "mcprequestcontext.h"
#include "mcpserver.h"
#include "mcpsink.h"

#include <QDeadlineTimer>

namespace tw::mcp {

McpSession::McpSession(const QString &id, McpLogLevel::Level logLevel, McpServer *server)
    : QObject(server)
    , m_id(id)
    , m_logLevel(logLevel)
    , m_lastActivityMs(nowMs())
{
}

McpSession::~McpSession() = default;

qint64 McpSession::nowMs() { return QDeadlineTimer::current(Qt::PreciseTimer).deadline(); }

bool McpSession::isInFlight(const QJsonValue &id) const
{
    return m_inFlight.contains(JsonRpcMessage::idKey(id));
}

} // namespace tw::mcp
