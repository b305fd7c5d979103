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

ParseResult mapArticles(const QJsonArray &entries, const char *titleKey,
    const std::function<core::NewsItem(const QJsonObject &entry, const QString &title)> &toItem)
{
    ParseResult r;
    QString firstProblem;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonValue value = entries.at(i);
        QString problem;
        if (!value.isObject()) {
            problem = QStringLiteral("is %1, expected an object").arg(typeName(value));
        } else {
            const QJsonObject entry = value.toObject();
            const auto title = string(entry, titleKey);
            if (title && !title->trimmed().isEmpty()) {
                core::NewsItem item = toItem(entry, *title);
                // The mapper strips HTML: a title that was only markup ("<b", found by
                // fuzzing) leaves nothing a trader could read, so it counts as skipped.
                if (!item.headline.trimmed().isEmpty()) {
                    r.items.append(std::move(item));
                    continue;
                }
                problem = QStringLiteral("%1 has no text once HTML is removed").arg(QLatin1String(titleKey));
            } else {
                problem = QStringLiteral("%1 is %2, expected a string")
                              .arg(QLatin1String(titleKey), typeName(entry.value(QLatin1String(titleKey))));
            }
        }
        ++r.skippedEntries;
        if (firstProblem.isEmpty())
            firstProblem = QStringLiteral("entry %1: %2").arg(i).arg(problem);
    }
    if (r.items.isEmpty() && r.skippedEntries > 0)
        return ParseResult::failure(
            QStringLiteral("none of the %1 entries is a usable article (%2)").arg(r.skippedEntries).arg(firstProblem));
    return r;
}

} // namespace tw::news::jsonfeed
