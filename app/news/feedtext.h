// Text helpers every feed parser needs: HTML to plain text, the date formats feeds and HTTP
// use (RFC 822/1123 with named zones, ISO 8601), $CASHTAG scanning and stable ids. Pure
// functions, safe on hostile input (linear time, bounded output).
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace tw::news::feedtext {

// Drops tags (and the contents of <script>/<style>), decodes character references,
// collapses whitespace. Not an HTML renderer: enough to turn feed descriptions into a summary.
QString htmlToPlainText(const QString &html);

// "Tue, 10 Jun 2003 04:00:00 GMT", "10 Jun 03 04:00 EDT", "Tue, 10 Jun 2003 04:00:00 +0200"
// (RFC 822 / 2822 / 1123, the RSS pubDate and HTTP-date forms) -> UTC epoch ms.
std::optional<qint64> parseRfc822Date(const QString &text);
// RFC 822 first, then ISO 8601 (Atom, dc:date).
std::optional<qint64> parseFeedDate(const QString &text);
// The IMF-fixdate form HTTP uses: "Sun, 06 Nov 1994 08:49:37 GMT".
QByteArray formatHttpDate(qint64 epochMs);

// Upper-case tickers mentioned as $TSLA, $BRK.B in the text (deduplicated, in order).
QStringList cashtags(const QString &text);

// At most maxChars characters, cut at a word boundary where possible, with an ellipsis.
QString truncated(const QString &text, int maxChars);

// prefix + ":" + the first 32 hex digits of SHA-256(key): short, stable, collision-safe enough.
QString hashedId(const QString &prefix, const QString &key);

// Only http(s) links are kept (a javascript: or data: link in a feed must never reach a UI).
QString safeLink(const QString &url);

} // namespace tw::news::feedtext
