// The engine's knobs, with their defaults in one place. The server's Config maps command-line
// options and environment variables (ENABLE_STREAMING, --no-streaming, ...) onto this.
#pragma once

#include "mcploglevel.h"

#include <QString>

namespace tw::mcp {

struct McpSettings {
    QString serverName = QStringLiteral("tickerwire");
    QString serverTitle = QStringLiteral("Tickerwire");
    QString serverVersion = QStringLiteral(TW_VERSION_STRING);
    QString instructions; // sent in the initialize result when not empty
    int pageSize = 50; // items per page of tools/list, resources/list, ...
    // How long a request whose client went away keeps running so the client can resume
    // its stream, before it is cancelled and freed.
    int abandonGraceMs = 30000;
    // How long a server->client request (sampling, elicitation, roots/list) waits for the
    // client's answer when the caller gives no timeout. Elicitation waits on a human.
    int clientRequestTimeoutMs = 60000;
    // Advertised as experimental["tickerwire/streaming"] = { enabled }.
    bool streamingEnabled = true;
    // notifications/message below this level are not sent until the client sets one.
    McpLogLevel::Level defaultLogLevel = McpLogLevel::Info;
};

} // namespace tw::mcp
