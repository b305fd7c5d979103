// A prompt (template of messages) as registered with McpServer.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace tw::mcp {

class McpRequestContext;

struct McpPromptArgument {
    QString name;
    QString title;
    QString description;
    bool required = false;
};

struct McpPrompt {
    QString name;
    QString title;
    QString description;
    QList<McpPromptArgument> arguments;
    // Answers prompts/get with ctx->finish({"messages": [...]}); required arguments have been
    // checked and are in ctx->arguments().
    std::function<void(McpRequestContext *ctx)> get;
    // completion/complete for one argument; `context` holds arguments already chosen.
    std::function<QStringList(const QString &argument, const QString &value,
        const QHash<QString, QString> &context)>
        complete;
};

} // namespace tw::mcp
