#include "jsonfeed.h"

#include "feedtext.h"

#include <QJsonParseError>

namespace tw::news::jsonfeed {

std::optional<QJsonDocument> parse(const QByteArray &bytes, QString *error)
{
    if (bytes.trimmed().isEmpty()) {
        *error = QStringLiteral("empty response: no JSON document");
        return std::nullopt;
    }
    QJsonParseError parseError;
    QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("malformed JSON at offset %1: %2").arg(parseError.offset).arg(parseError.errorString());
        return std::nullopt;
    }
    return document;
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("missing");
}

QString typeName(const QJsonDocument &document)
{
    if (document.isObject())
        return QStringLiteral("an object");
    if (document.isArray())
        return QStringLiteral("an array");
    return QStringLiteral("a bare value");
}

std::optional<QString> string(const QJsonObject &object, const char *key)
{
    const QJsonValue v = object.value(QLatin1String(key));
    if (!v.isString())
        return std::nullopt;
    return v.toString();
}

QString apiMessage(const QByteArray &body)
{
    QString ignored;
    const auto document = parse(body, &ignored);
    if (!document || !document->isObject())
        return {};
    const QJsonObject o = document->object();
    for (const char *key : { "error", "message", "Error Message", "Note", "Information" }) {
        if (const auto text = string(o, key); text && !text->trimmed().isEmpty())
            return feedtext::truncated(text->simplified(), 300);
    }
    return {};
}

} // namespace tw::news::jsonfeed
