// Helpers the JSON API parsers (Finnhub, Alpha Vantage, Polygon) share: strict document
// parsing with an error a human can read, type names for "wrong type" messages, and typed
// field access that never trusts the shape of what came over the wire.
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

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

} // namespace tw::news::jsonfeed
