// Alert rules, one per line in the settings:
//   keyword:<word or phrase>  whole words, case-insensitive, in the headline or summary
//                             ("keyword:recall" matches "Ford recall widens", not "recalls");
//                             a bare word or phrase ("FDA approval") means the same
//   ticker:<SYMBOL> or $SYMBOL  the item carries that symbol (case-insensitive)
// The news model flags matching rows and announces new matches; settings keep the rules in
// their canonical string form ("keyword:recall", "ticker:TSLA").
#pragma once

#include "newsitem.h"

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace tw::ui {

struct AlertRule {
    enum class Kind {
        Keyword,
        Ticker
    };

    Kind kind = Kind::Keyword;
    QString pattern; // keyword: trimmed, inner whitespace simplified; ticker: upper case

    bool matches(const core::NewsItem &item) const;
    // "ticker:TSLA", "keyword:recall"
    QString toString() const;
    // Accepts "ticker:TSLA", "keyword:FDA approval", "$TSLA" (ticker) and a bare word or
    // phrase (keyword); prefixes are case-insensitive. Returns nullopt (and says why in
    // `error`) for an empty pattern, an unknown "kind:" prefix or a malformed ticker.
    static std::optional<AlertRule> fromString(const QString &text, QString *error = nullptr);

    // True when `text` contains `phrase` as whole words (case-insensitive): "recall" matches
    // "Ford recall widens" but not "recalls" or "Recalled".
    static bool containsWholeWords(const QString &text, const QString &phrase);

    friend bool operator==(const AlertRule &a, const AlertRule &b)
    {
        return a.kind == b.kind && a.pattern == b.pattern;
    }
    friend bool operator!=(const AlertRule &a, const AlertRule &b) { return !(a == b); }
};

class AlertRules {
public:
    AlertRules();
    explicit AlertRules(QVector<AlertRule> rules);

    const QVector<AlertRule> &rules() const { return m_rules; }
    bool isEmpty() const { return m_rules.isEmpty(); }
    bool matches(const core::NewsItem &item) const;
    // The first rule that matches (for the notification text), nullopt when none does.
    std::optional<AlertRule> match(const core::NewsItem &item) const;

    QStringList toStringList() const;
    // Skips the bad entries (and blank lines silently); each bad entry adds a message
    // ("line 2: unknown rule kind 'sector'") to `errors`. Duplicate rules are kept once.
    static AlertRules fromStringList(const QStringList &lines, QStringList *errors = nullptr);

    friend bool operator==(const AlertRules &a, const AlertRules &b)
    {
        return a.m_rules == b.m_rules;
    }
    friend bool operator!=(const AlertRules &a, const AlertRules &b) { return !(a == b); }

private:
    QVector<AlertRule> m_rules;
};

} // namespace tw::ui

Q_DECLARE_METATYPE(tw::ui::AlertRules)
