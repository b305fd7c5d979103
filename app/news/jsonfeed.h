// Helpers the JSON API parsers (Finnhub, Alpha Vantage, Polygon) share: strict document
// parsing with an error a human can read, type names for "wrong type" messages, and typed
// field access that never trusts the shape of what came over the wire.
#pragma once

#include "parseresult.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <functional>
#include <optional>

namespace tw::news::jsonfeed {

// The document, or nullopt with "malformed JSON at offset 17: unterminated string" / "empty response".
std::optional<QJsonDocument> parse(const QByteArray &bytes, QString *error);
// "an object", "an array", "a string", "a number", "a boolean", "null"
QString typeName(const QJsonValue &value);
QString typeName(const QJsonDocument &document);
// The string at `key`; nullopt if absent or not a string.
std::optional<QString> string(const QJsonObject &object, const char *key);
// An API's error text from a JSON error body ({"error": ...}, {"message": ...},
// {"Error Message": ...}, {"Note": ...}, {"Information": ...}), bounded; empty if none.
QString apiMessage(const QByteArray &body);

// The loop every JSON news API parser shares: entries that are not objects, or whose
// `titleKey` is not a non-blank string, are skipped and counted; every other entry becomes an
// item via `toItem(entry, title)`. Entries given but none usable is an error naming the
// first problem ("none of the 4 entries is a usable article (entry 0: headline is a number...)").
ParseResult mapArticles(const QJsonArray &entries, const char *titleKey,
    const std::function<core::NewsItem(const QJsonObject &entry, const QString &title)> &toItem);

} // namespace tw::news::jsonfeed
