#include "sentiment.h"

#include <QSet>
#include <QStringList>

#include <cmath>

namespace tw::news {

namespace {

QSet<QString> wordSet(std::initializer_list<const char *> words)
{
    QSet<QString> set;
    for (const char *w : words)
        set.insert(QString::fromLatin1(w));
    return set;
}

const QSet<QString> &positiveWords()
{
    static const QSet<QString> words = wordSet({ "beat", "beats", "gain", "gains", "gained", "rise",
        "rises", "rose", "rising", "up", "upgrade", "upgrades", "upgraded", "growth", "grows", "grew",
        "profit", "profits", "profitable", "strong", "stronger", "strength", "improve", "improves",
        "improved", "improvement", "outperform", "outperforms", "buy", "bullish", "rally", "rallies",
        "rallied", "raise", "raises", "raised", "higher", "expands", "expansion", "approval",
        "approves", "approved", "win", "wins", "won", "award", "awarded", "exceed", "exceeds",
        "exceeded", "upbeat", "optimistic", "rebound", "rebounds", "recovery", "dividend",
        "buyback", "accelerates", "boost", "boosts", "positive", "success", "successful",
        "breakthrough", "favorable", "surpasses", "tops", "momentum", "resilient", "settles" });
    return words;
}

const QSet<QString> &strongPositiveWords()
{
    static const QSet<QString> words = wordSet({ "record", "soars", "soared", "surge", "surges",
        "surged", "skyrockets", "blowout", "jumps", "jumped", "doubles" });
    return words;
}

const QSet<QString> &negativeWords()
{
    static const QSet<QString> words = wordSet({ "miss", "misses", "missed", "fall", "falls", "fell",
        "falling", "down", "downgrade", "downgrades", "downgraded", "loss", "losses", "lose", "loses",
        "weak", "weaker", "weakness", "decline", "declines", "declined", "cut", "cuts", "lower",
        "lowers", "lowered", "sell", "bearish", "lawsuit", "lawsuits", "sue", "sues", "sued",
        "probe", "investigation", "fine", "fined", "penalty", "recall", "recalls", "delay",
        "delays", "delayed", "warning", "warns", "warned", "risk", "risks", "concern", "concerns",
        "layoffs", "layoff", "slump", "slumps", "drop", "drops", "dropped", "underperform",
        "disappoints", "disappointing", "negative", "halt", "halts", "halted", "default",
        "shortfall", "slowdown", "headwinds", "fraud", "breach", "suspends", "suspended",
        "restatement", "impairment", "dilution", "volatile", "uncertainty", "resigns", "exits" });
    return words;
}

const QSet<QString> &strongNegativeWords()
{
    static const QSet<QString> words = wordSet({ "plunge", "plunges", "plunged", "crash", "crashes",
        "tumbles", "tumbled", "collapse", "collapses", "bankruptcy", "insolvency", "plummets", "sinks" });
    return words;
}

const QSet<QString> &negations()
{
    static const QSet<QString> words = wordSet({ "not", "no", "never", "without", "fails", "failed",
        "isn't", "doesn't", "didn't", "won't", "cannot", "nor" });
    return words;
}

QStringList tokenize(const QString &text)
{
    QStringList words;
    QString current;
    for (const QChar c : text) {
        if (c.isLetterOrNumber() || ((c == QLatin1Char('\'') || c == QChar(0x2019)) && !current.isEmpty())) {
            current.append(c == QChar(0x2019) ? QLatin1Char('\'') : c.toLower());
        } else if (!current.isEmpty()) {
            words.append(current);
            current.clear();
        }
    }
    if (!current.isEmpty())
        words.append(current);
    return words;
}

} // namespace

Sentiment::Counts Sentiment::count(const QString &text)
{
    Counts counts;
    const QStringList words = tokenize(text);
    for (int i = 0; i < words.size(); ++i) {
        const QString &w = words.at(i);
        int weight = 0;
        if (strongPositiveWords().contains(w))
            weight = 2;
        else if (positiveWords().contains(w))
            weight = 1;
        else if (strongNegativeWords().contains(w))
            weight = -2;
        else if (negativeWords().contains(w))
            weight = -1;
        if (weight == 0)
            continue;
        for (int j = std::max(0, i - 3); j < i; ++j) {
            if (negations().contains(words.at(j))) {
                weight = -weight;
                break;
            }
        }
        if (weight > 0)
            counts.positive += weight;
        else
            counts.negative -= weight;
    }
    return counts;
}

double Sentiment::score(const QString &text)
{
    const Counts c = count(text);
    const double raw = double(c.positive - c.negative) / double(c.positive + c.negative + 1);
    return std::round(raw * 100.0) / 100.0;
}

double Sentiment::score(const QString &headline, const QString &summary)
{
    return score(headline + QLatin1Char(' ') + summary);
}

} // namespace tw::news
