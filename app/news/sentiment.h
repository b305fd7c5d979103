// Sentiment of a headline (and summary) from a small finance word list, in the spirit of the
// Loughran-McDonald lists: a deliberately simple, explainable score, not a model.
//
// Words are matched whole (lower case, letters/digits/apostrophes); a negation ("not", "no",
// "never", "without", "fails to") within the three words before a hit flips it; a word in the
// strong lists counts twice. score = (positive - negative) / (positive + negative + 1),
// rounded to two decimals, so one mild word gives +-0.5 and the score stays within (-1, 1).
// Text without any listed word scores 0.
#pragma once

#include <QString>

namespace tw::news {

class Sentiment {
public:
    struct Counts {
        int positive = 0;
        int negative = 0;
    };
    static double score(const QString &text);
    static double score(const QString &headline, const QString &summary);
    static Counts count(const QString &text);
};

} // namespace tw::news
