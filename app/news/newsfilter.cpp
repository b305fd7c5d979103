#include "newsfilter.h"

#include <algorithm>

namespace tw::news {

QString NewsFilter::normalizedSymbol(const QString &raw)
{
    const QString s = raw.trimmed().toUpper();
    if (s.isEmpty() || s.size() > 10)
        return {};
    bool hasAlnum = false;
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        const bool alnum = (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9');
        if (!alnum && u != u'.' && u != u'-' && u != u'^' && u != u'=')
            return {};
        hasAlnum = hasAlnum || alnum;
    }
    return hasAlnum ? s : QString();
}

NewsFilter NewsFilter::fromLists(const QStringList &symbols, const QStringList &keywords, QStringList *invalid)
{
    NewsFilter f;
    for (const QString &raw : symbols) {
        const QString s = normalizedSymbol(raw);
        if (s.isNull()) {
            if (invalid)
                invalid->append(raw);
            continue;
        }
        f.addSymbol(s);
    }
    for (const QString &k : keywords) {
        const QString t = k.trimmed();
        if (!t.isEmpty())
            f.keywords.append(t);
    }
    return f;
}

bool NewsFilter::hasSymbol(const QString &normalized) const
{
    const auto it = std::lower_bound(symbols.cbegin(), symbols.cend(), normalized);
    return it != symbols.cend() && *it == normalized;
}

void NewsFilter::addSymbol(const QString &normalized)
{
    const auto it = std::lower_bound(symbols.begin(), symbols.end(), normalized);
    if (it == symbols.end() || *it != normalized)
        symbols.insert(it, normalized);
}

bool NewsFilter::matchesKeywords(const core::NewsItem &item) const
{
    if (keywords.isEmpty())
        return true;
    for (const QString &k : keywords) {
        if (item.headline.contains(k, Qt::CaseInsensitive) || item.summary.contains(k, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool NewsFilter::matches(const core::NewsItem &item) const
{
    if (!symbols.isEmpty()) {
        bool any = false;
        for (const QString &s : item.symbols) {
            if (hasSymbol(s)) {
                any = true;
                break;
            }
        }
        if (!any)
            return false;
    }
    return matchesKeywords(item);
}

} // namespace tw::news
