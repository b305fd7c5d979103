#include "tickerlist.h"

#include "newsfilter.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

static void twInitNewsResources()
{
    Q_INIT_RESOURCE(news); // tw_news is static: make sure the linker keeps the resources
}

namespace tw::news {

TickerList TickerList::fromJson(const QByteArray &json, QString *error)
{
    TickerList list;
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (!doc.isObject()) {
        if (error)
            *error = QStringLiteral("tickers: not a JSON object (%1)").arg(parseError.errorString());
        return list;
    }
    const QJsonArray rows = doc.object().value(QLatin1String("tickers")).toArray();
    for (const QJsonValue &row : rows) {
        const QJsonObject o = row.toObject();
        Ticker t;
        t.symbol = NewsFilter::normalizedSymbol(o.value(QLatin1String("symbol")).toString());
        t.name = o.value(QLatin1String("name")).toString();
        t.sector = o.value(QLatin1String("sector")).toString();
        if (t.symbol.isNull() || list.m_index.contains(t.symbol)) {
            if (error)
                *error = QStringLiteral("tickers[%1].symbol: missing, malformed or repeated").arg(list.m_tickers.size());
            return TickerList();
        }
        list.m_index.insert(t.symbol, int(list.m_tickers.size()));
        list.m_tickers.append(t);
    }
    return list;
}

const TickerList &TickerList::builtIn()
{
    static const TickerList list = [] {
        twInitNewsResources();
        QFile file(QStringLiteral(":/news/tickers.json"));
        if (!file.open(QIODevice::ReadOnly))
            return TickerList();
        return fromJson(file.readAll());
    }();
    return list;
}

QStringList TickerList::symbols() const
{
    QStringList out;
    out.reserve(m_tickers.size());
    for (const Ticker &t : m_tickers)
        out.append(t.symbol);
    return out;
}

const TickerList::Ticker *TickerList::find(const QString &symbol) const
{
    const auto it = m_index.constFind(symbol.trimmed().toUpper());
    return it == m_index.constEnd() ? nullptr : &m_tickers.at(*it);
}

QStringList TickerList::complete(const QString &prefix, int limit) const
{
    const QString p = prefix.trimmed();
    QStringList out;
    for (const Ticker &t : m_tickers) {
        if (out.size() >= limit)
            return out;
        if (t.symbol.startsWith(p, Qt::CaseInsensitive))
            out.append(t.symbol);
    }
    if (p.isEmpty())
        return out;
    for (const Ticker &t : m_tickers) {
        if (out.size() >= limit)
            break;
        if (!out.contains(t.symbol) && t.name.contains(p, Qt::CaseInsensitive))
            out.append(t.symbol);
    }
    return out;
}

} // namespace tw::news
