// A family of resources named by a URI template, e.g. news://{symbol}/latest.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace tw::mcp {

class McpRequestContext;

struct McpResourceTemplate {
    QString uriTemplate;
    QString name;
    QString title;
    QString description;
    QString mimeType;
    QJsonObject annotations;
    // Answers resources/read for a URI matching the template; `variables` are decoded.
    std::function<void(McpRequestContext *ctx, const QString &uri,
        const QHash<QString, QString> &variables)>
        read;
    // completion/complete for one template variable: candidates for `value` (a prefix).
    // `context` holds variables the client already resolved.
    std::function<QStringList(const QString &variable, const QString &value,
        const QHash<QString, QString> &context)>
        complete;
};

} // namespace tw::mcp
