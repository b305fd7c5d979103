#include "mcpsink.h"

#include <QJsonDocument>

namespace tw::mcp {

// Out of line so the vtable has one home.
McpSink::~McpSink() = default;

void McpSink::sendSerialized(const QByteArray &json)
{
    send(QJsonDocument::fromJson(json).object());
}

} // namespace tw::mcp
