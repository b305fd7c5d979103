// Compact JSON written straight into a QByteArray, byte for byte as QJsonDocument writes it
// (Qt 6: the same escapes, numbers and key order when the caller writes keys sorted), for the
// few documents built on a hot path: each published news item (NewsItem::toJson). Going through
// QJsonObject and QJsonDocument cost ~35 us per item on the bench machine -- between the hub's
// publish stamp and the item's fan-out. tst_jsonwrite holds the equivalence.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QStringView>

namespace tw::core::json {

// `s` as a JSON string, quotes included: ", \ and control characters escaped (\b \f \n \r \t,
// else \u00xx), everything else as UTF-8, a lone surrogate as \uxxxx.
void appendString(QByteArray &out, QStringView s);
// A JSON number as QJsonValue(double) writes it: integral values (below 2^53) as integers,
// others in the shortest form that reads back the same, non-finite ones as null.
void appendNumber(QByteArray &out, double value);
void appendInteger(QByteArray &out, qint64 value);
// `json` (UTF-8 text) as a JSON string literal, quotes included: what QJsonDocument writes for a
// string holding it. Invalid UTF-8 goes through Qt, which replaces it as QString::fromUtf8 does.
QByteArray stringLiteral(QByteArrayView utf8);

} // namespace tw::core::json
