// The syslog severities MCP uses for logging/setLevel and notifications/message.
#pragma once

#include <QString>

#include <optional>

namespace tw::mcp {

class McpLogLevel {
public:
    // Ordered: a session at level L receives messages with level >= L.
    enum Level { Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency };

    static std::optional<Level> fromString(const QString &name);
    static QString toString(Level level);
};

} // namespace tw::mcp
