#include "finnhubprovider.h"

#include "feedtext.h"
#include "jsonfeed.h"

#include <QDateTime>
#include <QJsonArray>
#include <QUrlQuery>

namespace tw::news {

FinnhubProvider::FinnhubProvider(const QString &baseUrl, const QString &apiKey, int lookbackDays,
    const PollingSettings &settings, std::shared_ptr<HostBudget> budget, QObject *parent)
    : PollingProvider(settings, std::move(budget), parent)
    , m_baseUrl(baseUrl)
    , m_apiKey(apiKey.trimmed())
    , m_lookbackDays(std::max(1, lookbackDays))
{
}

QString FinnhubProvider::configurationProblem() const
{
    if (m_apiKey.isEmpty())
        return QStringLiteral("no Finnhub API key (set FINNHUB_API_KEY)");
    const QUrl base(m_baseUrl, QUrl::StrictMode);
    if (!base.isValid() || base.host().isEmpty())
        return QStringLiteral("invalid Finnhub base URL: %1").arg(m_baseUrl);
    return {};
}

QUrl FinnhubProvider::requestUrl(const QString &symbol, qint64 nowMs) const
{
    QUrl url(m_baseUrl + QStringLiteral("/company-news"), QUrl::StrictMode);
    const QDate today = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC).date();
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("symbol"), QString::fromLatin1(QUrl::toPercentEncoding(symbol)));
    query.addQueryItem(QStringLiteral("from"), today.addDays(-m_lookbackDays).toString(Qt::ISODate));
    query.addQueryItem(QStringLiteral("to"), today.toString(Qt::ISODate));
    query.addQueryItem(QStringLiteral("token"), QString::fromLatin1(QUrl::toPercentEncoding(m_apiKey)));
    url.setQuery(query);
    return url;
}

QList<PollTarget> FinnhubProvider::targets() const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<PollTarget> out;
    for (const QString &symbol : symbols())
        out.append(PollTarget { requestUrl(symbol, now), symbol });
    return out;
}

QString FinnhubProvider::describeErrorBody(const QByteArray &body) const
{
    return jsonfeed::apiMessage(body);
}

ParseResult FinnhubProvider::parseCompanyNews(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs)
{
    QString error;
    const auto document = jsonfeed::parse(bytes, &error);
    if (!document)
        return ParseResult::failure(error);
    if (document->isObject()) {
        // Finnhub answers errors as {"error": "..."} (sometimes with status 200).
        if (const auto said = jsonfeed::string(document->object(), "error"))
            return ParseResult::failure(QStringLiteral("Finnhub error: ") + feedtext::truncated(*said, 300));
    }
    if (!document->isArray())
        return ParseResult::failure(QStringLiteral("expected a JSON array of articles, got %1").arg(jsonfeed::typeName(*document)));

    return jsonfeed::mapArticles(document->array(), "headline", [&](const QJsonObject &a, const QString &headline) {
        core::NewsItem item;
        item.headline = feedtext::truncated(feedtext::htmlToPlainText(headline), 400);
        item.summary = feedtext::truncated(feedtext::htmlToPlainText(jsonfeed::string(a, "summary").value_or(QString())), 1000);
        item.url = feedtext::safeLink(jsonfeed::string(a, "url").value_or(QString()));
        item.source = jsonfeed::string(a, "source").value_or(QStringLiteral("Finnhub"));
        const QJsonValue when = a.value(QLatin1String("datetime"));
        item.publishedAtMs = when.isDouble() && when.toDouble() > 0 && when.toDouble() < 1e11
            ? qint64(when.toDouble()) * 1000
            : receivedAtMs;
        item.receivedAtMs = receivedAtMs;
        const QJsonValue id = a.value(QLatin1String("id"));
        // Below 2^53 only: larger doubles are not exact ids, and converting one beyond
        // qint64 is undefined behaviour (found by fuzzing: "id": 1.3e98); those fall through.
        if (id.isDouble() && id.toDouble() > 0 && id.toDouble() < 9007199254740992.0)
            item.id = QStringLiteral("finnhub:") + QString::number(qint64(id.toDouble()));
        else if (id.isString() && !id.toString().isEmpty())
            item.id = QStringLiteral("finnhub:") + feedtext::truncated(id.toString(), 64);
        else if (!item.url.isEmpty())
            item.id = feedtext::hashedId(QStringLiteral("u"), core::NewsItem::canonicalUrl(item.url));
        else
            item.id = feedtext::hashedId(QStringLiteral("finnhub"), item.headline + QString::number(item.publishedAtMs));
        if (!symbol.isEmpty())
            item.symbols.append(symbol.toUpper());
        const QStringList related = jsonfeed::string(a, "related").value_or(QString()).split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &s : related) {
            const QString upper = s.trimmed().toUpper();
            if (!upper.isEmpty() && upper.size() <= 12 && !item.symbols.contains(upper))
                item.symbols.append(upper);
        }
        const QString category = jsonfeed::string(a, "category").value_or(QString()).toLower();
        item.category = category.isEmpty() || category == QLatin1String("company") ? QStringLiteral("general") : category;
        item.provider = QStringLiteral("finnhub");
        return item;
    });
}

ParseResult FinnhubProvider::parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const
{
    return parseCompanyNews(body, target.symbol, receivedAtMs);
}

} // namespace tw::news
