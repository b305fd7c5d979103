// Validates tool arguments against the JSON Schema subset that MCP servers actually publish
// in inputSchema/outputSchema: type (integer distinct from number), properties, required,
// additionalProperties, enum, const, numeric ranges (2020-12 and draft-4 exclusive forms),
// string lengths, pattern, items, prefixItems, array sizes, uniqueItems, allOf/anyOf/oneOf,
// not. Annotations (default, description, title, examples, $schema) are ignored. Unknown
// keywords are ignored rather than failing, as the spec asks of validators.
//
// The first error wins and names the field with a dotted path, e.g.
// "arguments.interval: must be >= 1000", so a client (or a model) can fix its call.
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace tw::mcp {

class JsonSchemaValidator {
public:
    // Empty string when `value` conforms to `schema`; otherwise "<path>: <problem>".
    static QString validate(const QJsonValue &value, const QJsonObject &schema,
        const QString &rootPath = QStringLiteral("arguments"));

private:
    static QString check(const QJsonValue &value, const QJsonValue &schema, const QString &path);
    static QString checkType(const QJsonValue &value, const QJsonValue &type, const QString &path);
    static QString checkNumber(const QJsonValue &value, const QJsonObject &s, const QString &path);
    static QString checkString(const QJsonValue &value, const QJsonObject &s, const QString &path);
    static QString checkArray(const QJsonValue &value, const QJsonObject &s, const QString &path);
    static QString checkObject(const QJsonValue &value, const QJsonObject &s, const QString &path);
    static QString checkCombinators(const QJsonValue &value, const QJsonObject &s,
        const QString &path);
};

} // namespace tw::mcp
