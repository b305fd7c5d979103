// A concrete resource (fixed URI) as registered with McpServer.
#pragma once

#include <QJsonObject>
#include <QString>

#include <functional>

namespace tw::mcp {

class McpRequestContext;

struct McpResource {
    QString uri;
    QString name;
    QString title;
    QString description;
    QString mimeType;
    QJsonObject annotations;
    // Answers resources/read with ctx->finish({"contents": [...]}).
    std::function<void(McpRequestContext *ctx, const QString &uri)> read;
};

} // namespace tw::mcp
