// Which items a reader wants: a symbol set (empty = every symbol) and keywords (any of them,
// case-insensitive, in headline or summary). Also owns the one rule for what a well-formed
// ticker symbol is, so the hub, the tools and the providers agree.
#pragma once

#include "newsitem.h"

#include <QString>
#include <QStringList>

namespace tw::news {

struct NewsFilter {
    // Normalised upper case, sorted, each once; empty = all symbols. A sorted list, not a QSet:
    // filters have a handful of symbols, and a one-element QSet costs ~1.3 KiB in Qt 6.4 (a
    // 128-slot span), paid by every open stream.
    QStringList symbols;
    QStringList keywords; // any of them matches; empty = no keyword constraint

    bool matches(const core::NewsItem &item) const;
    bool hasSymbol(const QString &normalized) const;
    // Adds an already normalised symbol, keeping the list sorted and unique.
    void addSymbol(const QString &normalized);
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
