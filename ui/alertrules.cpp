#include "alertrules.h"

#include <QRegularExpression>

namespace tw::ui {

namespace {

    const QLatin1String kTickerPrefix("ticker:");
    const QLatin1String kKeywordPrefix("keyword:");

    bool isWordChar(QChar c) { return c.isLetterOrNumber() || c == QLatin1Char('_'); }

    // Same rule as the server's symbol validation: letters, digits and . - ^ =, 1..15 chars.
    bool isValidTicker(const QString &symbol)
    {
        if (symbol.isEmpty() || symbol.size() > 15)
            return false;
        for (QChar c : symbol) {
            if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != QLatin1Char('.')
                && c != QLatin1Char('-') && c != QLatin1Char('^') && c != QLatin1Char('='))
                return false;
        }
        return true;
    }

} // namespace

bool AlertRule::containsWholeWords(const QString &text, const QString &phrase)
{
    if (phrase.isEmpty())
        return false;
    const bool phraseStartsWord = isWordChar(phrase.front());
    const bool phraseEndsWord = isWordChar(phrase.back());
    qsizetype from = 0;
    while (true) {
        const qsizetype at = text.indexOf(phrase, from, Qt::CaseInsensitive);
        if (at < 0)
            return false;
        const qsizetype end = at + phrase.size();
        // A boundary is only needed where the phrase itself begins/ends with a word character
        // ("S&P" or "#ai" carry their own punctuation).
        const bool startOk = !phraseStartsWord || at == 0 || !isWordChar(text.at(at - 1));
        const bool endOk = !phraseEndsWord || end == text.size() || !isWordChar(text.at(end));
        if (startOk && endOk)
            return true;
        from = at + 1;
    }
}

bool AlertRule::matches(const core::NewsItem &item) const
{
    switch (kind) {
    case Kind::Ticker:
        for (const QString &symbol : item.symbols) {
            if (symbol.compare(pattern, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    case Kind::Keyword:
        return containsWholeWords(item.headline, pattern)
            || containsWholeWords(item.summary, pattern);
    }
    return false;
}

QString AlertRule::toString() const
{
    return (kind == Kind::Ticker ? QString(kTickerPrefix) : QString(kKeywordPrefix)) + pattern;
}

std::optional<AlertRule> AlertRule::fromString(const QString &text, QString *error)
{
    const auto fail = [error](const QString &message) -> std::optional<AlertRule> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return fail(QStringLiteral("empty rule"));

    AlertRule rule;
    QString body;
    if (trimmed.startsWith(kTickerPrefix, Qt::CaseInsensitive)) {
        rule.kind = Kind::Ticker;
        body = trimmed.mid(kTickerPrefix.size()).trimmed();
    } else if (trimmed.startsWith(kKeywordPrefix, Qt::CaseInsensitive)) {
        rule.kind = Kind::Keyword;
        body = trimmed.mid(kKeywordPrefix.size()).trimmed();
    } else if (trimmed.startsWith(QLatin1Char('$'))) {
        rule.kind = Kind::Ticker;
        body = trimmed.mid(1).trimmed();
    } else {
        // "sector:tech" is a typo'd or unsupported kind, not a keyword with a colon in it.
        static const QRegularExpression kindPrefix(QStringLiteral("^([A-Za-z]+):\\S"));
        const QRegularExpressionMatch match = kindPrefix.match(trimmed);
        if (match.hasMatch())
            return fail(QStringLiteral("unknown rule kind '%1' (use ticker: or keyword:)")
                            .arg(match.captured(1)));
        rule.kind = Kind::Keyword;
        body = trimmed;
    }

    if (rule.kind == Kind::Ticker) {
        if (body.startsWith(QLatin1Char('$')))
            body.remove(0, 1);
        body = body.toUpper();
        if (body.isEmpty())
            return fail(QStringLiteral("ticker rule without a symbol"));
        if (!isValidTicker(body))
            return fail(QStringLiteral("'%1' is not a ticker symbol").arg(body));
    } else {
        body = body.simplified();
        if (body.isEmpty())
            return fail(QStringLiteral("keyword rule without a keyword"));
    }
    rule.pattern = body;
    return rule;
}

AlertRules::AlertRules() = default;

AlertRules::AlertRules(QVector<AlertRule> rules)
    : m_rules(std::move(rules))
{
}

bool AlertRules::matches(const core::NewsItem &item) const
{
    for (const AlertRule &rule : m_rules) {
        if (rule.matches(item))
            return true;
    }
    return false;
}

std::optional<AlertRule> AlertRules::match(const core::NewsItem &item) const
{
    for (const AlertRule &rule : m_rules) {
        if (rule.matches(item))
            return rule;
    }
    return std::nullopt;
}

QStringList AlertRules::toStringList() const
{
    QStringList lines;
    lines.reserve(m_rules.size());
    for (const AlertRule &rule : m_rules)
        lines.append(rule.toString());
    return lines;
}

AlertRules AlertRules::fromStringList(const QStringList &lines, QStringList *errors)
{
    QVector<AlertRule> rules;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines.at(i).trimmed().isEmpty())
            continue;
        QString error;
        const std::optional<AlertRule> rule = AlertRule::fromString(lines.at(i), &error);
        if (!rule) {
            if (errors)
                errors->append(QStringLiteral("line %1: %2").arg(i + 1).arg(error));
            continue;
        }
        if (!rules.contains(*rule))
            rules.append(*rule);
    }
    return AlertRules(std::move(rules));
}

} // namespace tw::ui
