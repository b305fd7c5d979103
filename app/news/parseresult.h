// What a feed parser makes of one response body: items, or an error a human can act on.
// Parsers are pure functions of the bytes (no network, no clock beyond the receivedAt they
// are given) so they can be unit-tested and fuzzed on their own.
#pragma once

#include "newsitem.h"

#include <QList>
#include <QString>

namespace tw::news {

struct ParseResult {
    QList<core::NewsItem> items;
    QString error; // non-empty: the body was unusable; says why ("malformed XML at line 3: ...")
    // The provider answered 200 but said it is throttling us (Alpha Vantage's "Note" /
    // "Information"): the poller treats this like a 429. `error` holds the provider's words.
    bool rateLimited = false;
    int skippedEntries = 0; // entries dropped for missing fields (no title, bad types)
    QString feedTitle; // channel/feed title, when the format has one

    bool ok() const { return error.isEmpty(); }
    static ParseResult failure(const QString &why)
    {
        ParseResult r;
        r.error = why;
        return r;
    }
};

} // namespace tw::news
