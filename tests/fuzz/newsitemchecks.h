// Invariants every parsed news item must hold, whichever parser made it: a headline, a safe
// link, a provider, and a JSON form that the client's parser reads back (the hub sends
// exactly that JSON to every subscriber).
#pragma once

#include "fuzzsupport.h"

#include "parseresult.h"

namespace tw::fuzz {

inline void checkItems(const news::ParseResult &r, const QString &provider, const QByteArray &detail)
{
    if (!r.ok()) {
        check(r.items.isEmpty(), "a failed parse has no items", detail);
        return;
    }
    for (const core::NewsItem &item : r.items) {
        check(!item.headline.trimmed().isEmpty(), "an item has a headline", detail);
        check(!item.id.isEmpty(), "an item has an id", detail);
        check(item.provider == provider, "the item names its provider", detail);
        check(item.url.isEmpty() || item.url.startsWith(QLatin1String("http://"))
                || item.url.startsWith(QLatin1String("https://")),
            "only http(s) links", item.url.toUtf8() + '\n' + detail);
        for (const QString &s : item.symbols)
            check(!s.isEmpty() && s == s.toUpper(), "symbols are upper-case", detail);
        QString error;
        const auto back = core::NewsItem::fromJsonObject(item.toJsonObject(), &error);
        check(back.has_value(), "the item's JSON reads back", error.toUtf8() + '\n' + item.toJson() + '\n' + detail);
        check(back->id == item.id && back->headline == item.headline && back->url == item.url
                && back->symbols == item.symbols,
            "the item's JSON round-trips", item.toJson() + '\n' + detail);
    }
}

} // namespace tw::fuzz
