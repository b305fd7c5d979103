// The ticker list shipped in resources/news/tickers.json: symbols users commonly type, with
// the listed name (for completion and display only) and a sector (the demo provider uses it to
// pick a fictional stand-in company). Loaded once from the resources compiled into tw_news.
#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace tw::news {

class TickerList {
public:
    struct Ticker {
        QString symbol; // upper case, e.g. "BRK.B"
        QString name; // e.g. "Berkshire Hathaway Inc. (Class B)"
        QString sector; // one of the demo corpus's sectors, e.g. "auto"
    };

    // Parses the JSON form ({"tickers":[{"symbol","name","sector"}]}); `error` says what is wrong.
    static TickerList fromJson(const QByteArray &json, QString *error = nullptr);
    // The list embedded in tw_news (":/news/tickers.json"); empty only if the build is broken.
    static const TickerList &builtIn();

    const QList<Ticker> &tickers() const { return m_tickers; }
    QStringList symbols() const;
    const Ticker *find(const QString &symbol) const;
    // Symbols starting with `prefix` (case-insensitive), then those whose name contains it.
    QStringList complete(const QString &prefix, int limit = 100) const;

private:
    QList<Ticker> m_tickers;
    QHash<QString, int> m_index;
};

} // namespace tw::news
