#include "polygonprovider.h"

#include "feedtext.h"
#include "jsonfeed.h"

#include <QJsonArray>
#include <QUrlQuery>

#include <algorithm>

namespace tw::news {

PolygonProvider::PolygonProvider(const QString &baseUrl, const QString &apiKey,
    const PollingSettings &settings, std::shared_ptr<HostBudget> budget, QObject *parent)
    : PollingProvider(settings, std::move(budget), parent)
    , m_baseUrl(baseUrl)
    , m_apiKey(apiKey.trimmed())
{
}

QString PolygonProvider::configurationProblem() const
{
    if (m_apiKey.isEmpty())
        return QStringLiteral("no Polygon API key (set POLYGON_API_KEY)");
    const QUrl base(m_baseUrl, QUrl::StrictMode);
    if (!base.isValid() || base.host().isEmpty())
        return QStringLiteral("invalid Polygon base URL: %1").arg(m_baseUrl);
    return {};
}

QUrl PolygonProvider::requestUrl(const QString &symbol) const
{
    QUrl url(m_baseUrl + QStringLiteral("/v2/reference/news"), QUrl::StrictMode);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("ticker"), QString::fromLatin1(QUrl::toPercentEncoding(symbol)));
    query.addQueryItem(QStringLiteral("order"), QStringLiteral("desc"));
    query.addQueryItem(QStringLiteral("sort"), QStringLiteral("published_utc"));
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("50"));
    query.addQueryItem(QStringLiteral("apiKey"), QString::fromLatin1(QUrl::toPercentEncoding(m_apiKey)));
    url.setQuery(query);
    return url;
}

QList<PollTarget> PolygonProvider::targets() const
{
    QList<PollTarget> out;
    for (const QString &symbol : symbols())
        out.append(PollTarget { requestUrl(symbol), symbol });
    return out;
}

QString PolygonProvider::describeErrorBody(const QByteArray &body) const
{
    return jsonfeed::apiMessage(body);
}

ParseResult PolygonProvider::parseReferenceNews(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs)
{
    QString error;
    const auto document = jsonfeed::parse(bytes, &error);
    if (!document)
        return ParseResult::failure(error);
    if (!document->isObject())
        return ParseResult::failure(QStringLiteral("expected a JSON object with a \"results\" array, got %1").arg(jsonfeed::typeName(*document)));
    const QJsonObject root = document->object();
    const QString status = jsonfeed::string(root, "status").value_or(QString());
    if (status == QLatin1String("ERROR") || status == QLatin1String("NOT_AUTHORIZED")) {
        const QString said = jsonfeed::string(root, "error").value_or(jsonfeed::string(root, "message").value_or(QString()));
        return ParseResult::failure(QStringLiteral("Polygon %1: %2").arg(status, feedtext::truncated(said.simplified(), 300)));
    }
    const QJsonValue resultsValue = root.value(QLatin1String("results"));
    if (!resultsValue.isArray())
        return ParseResult::failure(QStringLiteral("\"results\" is %1, expected an array").arg(jsonfeed::typeName(resultsValue)));

    const QString wanted = symbol.toUpper();
    return jsonfeed::mapArticles(resultsValue.toArray(), "title", [&](const QJsonObject &a, const QString &title) {
        core::NewsItem item;
        item.headline = feedtext::truncated(feedtext::htmlToPlainText(title), 400);
        item.summary = feedtext::truncated(feedtext::htmlToPlainText(jsonfeed::string(a, "description").value_or(QString())), 1000);
        item.url = feedtext::safeLink(jsonfeed::string(a, "article_url").value_or(QString()));
        item.source = jsonfeed::string(a.value(QLatin1String("publisher")).toObject(), "name").value_or(QString());
        if (item.source.isEmpty())
            item.source = QUrl(item.url).host();
        item.publishedAtMs = core::NewsItem::parseIsoTime(jsonfeed::string(a, "published_utc").value_or(QString())).value_or(receivedAtMs);
        item.receivedAtMs = receivedAtMs;
        const QString id = jsonfeed::string(a, "id").value_or(QString());
        if (!id.isEmpty())
            item.id = QStringLiteral("polygon:") + feedtext::truncated(id, 128);
        else if (!item.url.isEmpty())
            item.id = feedtext::hashedId(QStringLiteral("u"), core::NewsItem::canonicalUrl(item.url));
        else
            item.id = feedtext::hashedId(QStringLiteral("polygon"), item.headline + QString::number(item.publishedAtMs));
        if (!wanted.isEmpty())
            item.symbols.append(wanted);
        for (const QJsonValue &t : a.value(QLatin1String("tickers")).toArray()) {
            const QString ticker = t.toString().trimmed().toUpper();
            if (!ticker.isEmpty() && ticker.size() <= 12 && !item.symbols.contains(ticker))
                item.symbols.append(ticker);
        }
        // insights: [{ticker, sentiment: "positive"|"neutral"|"negative", ...}]
        for (const QJsonValue &v : a.value(QLatin1String("insights")).toArray()) {
            const QJsonObject insight = v.toObject();
            if (jsonfeed::string(insight, "ticker").value_or(QString()).toUpper() != wanted)
                continue;
            const QString s = jsonfeed::string(insight, "sentiment").value_or(QString());
            if (s == QLatin1String("positive"))
                item.sentiment = 0.5;
            else if (s == QLatin1String("negative"))
                item.sentiment = -0.5;
            else if (s == QLatin1String("neutral"))
                item.sentiment = 0.0;
        }
        item.category = QStringLiteral("general");
        item.provider = QStringLiteral("polygon");
        return item;
    });
}

ParseResult PolygonProvider::parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const
{
    return parseReferenceNews(body, target.symbol, receivedAtMs);
}

} // namespace tw::news
