// A tool as registered with McpServer: what tools/list shows and the handler tools/call runs.
#pragma once

#include <QJsonObject>
#include <QString>

#include <functional>

namespace tw::mcp {

class McpRequestContext;

struct McpTool {
    QString name; // 1-128 of [A-Za-z0-9_.-] (SEP-986); the programmatic identifier
    QString title; // human-facing name (2025-06-18+)
    QString description;
    QJsonObject inputSchema; // JSON Schema for `arguments`; {"type":"object"} when empty
    QJsonObject outputSchema; // when set, results must carry conforming structuredContent
    QJsonObject annotations; // readOnlyHint, destructiveHint, idempotentHint, openWorldHint
    // Runs with validated arguments (ctx->arguments()); answers through ctx->finish(),
    // ctx->finishWithToolError() or ctx->fail(), now or later.
    std::function<void(McpRequestContext *ctx)> handler;
};

} // namespace tw::mcp
