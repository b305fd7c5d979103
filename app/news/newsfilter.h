// Which items a reader wants: a symbol set (empty = every symbol) and keywords (any of them,
// case-insensitive, in headline or summary). Also owns the one rule for what a well-formed
// ticker symbol is, so the hub, the tools and the providers agree.
#pragma once

#include "newsitem.h"

#include <QSet>
#include <QString>
#include <QStringList>

namespace tw::news {

struct NewsFilter {
    QSet<QString> symbols; // normalised upper case; empty = all symbols
    QStringList keywords; // any of them matches; empty = no keyword constraint

    bool matches(const core::NewsItem &item) const;
    bool matchesKeywords(const core::NewsItem &item) const;

    // Builds a filter from user input: symbols are normalised, invalid ones are reported in
    // `invalid` (when given) and left out; blank keywords are dropped.
    static NewsFilter fromLists(const QStringList &symbols, const QStringList &keywords,
        QStringList *invalid = nullptr);

    // Upper-cased, trimmed symbol if it is well formed (1-10 chars of A-Z 0-9 . - ^ =, with at
    // least one letter or digit, e.g. "BRK.B", "^GSPC", "EURUSD=X"); a null QString otherwise.
    static QString normalizedSymbol(const QString &raw);
    static bool isValidSymbol(const QString &raw) { return !normalizedSymbol(raw).isNull(); }
};

} // namespace tw::news
