#include "alphavantageprovider.h"

#include "feedtext.h"
#include "jsonfeed.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimeZone>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace tw::news {

AlphaVantageProvider::AlphaVantageProvider(const QString &baseUrl, const QString &apiKey,
    const PollingSettings &settings, std::shared_ptr<HostBudget> budget, QObject *parent)
    : PollingProvider(settings, std::move(budget), parent)
    , m_baseUrl(baseUrl)
    , m_apiKey(apiKey.trimmed())
{
}

QString AlphaVantageProvider::configurationProblem() const
{
    if (m_apiKey.isEmpty())
        return QStringLiteral("no Alpha Vantage API key (set ALPHAVANTAGE_API_KEY)");
    const QUrl base(m_baseUrl, QUrl::StrictMode);
    if (!base.isValid() || base.host().isEmpty())
        return QStringLiteral("invalid Alpha Vantage base URL: %1").arg(m_baseUrl);
    return {};
}

QUrl AlphaVantageProvider::requestUrl(const QString &symbol) const
{
    QUrl url(m_baseUrl, QUrl::StrictMode);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("function"), QStringLiteral("NEWS_SENTIMENT"));
    query.addQueryItem(QStringLiteral("tickers"), QString::fromLatin1(QUrl::toPercentEncoding(symbol)));
    query.addQueryItem(QStringLiteral("sort"), QStringLiteral("LATEST"));
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("50"));
    query.addQueryItem(QStringLiteral("apikey"), QString::fromLatin1(QUrl::toPercentEncoding(m_apiKey)));
    url.setQuery(query);
    return url;
}

QList<PollTarget> AlphaVantageProvider::targets() const
{
    QList<PollTarget> out;
    for (const QString &symbol : symbols())
        out.append(PollTarget { requestUrl(symbol), symbol });
    return out;
}

QString AlphaVantageProvider::describeErrorBody(const QByteArray &body) const
{
    return jsonfeed::apiMessage(body);
}

ParseResult AlphaVantageProvider::parseNewsSentiment(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs)
{
    QString error;
    const auto document = jsonfeed::parse(bytes, &error);
    if (!document)
        return ParseResult::failure(error);
    if (!document->isObject())
        return ParseResult::failure(QStringLiteral("expected a JSON object with a \"feed\" array, got %1").arg(jsonfeed::typeName(*document)));
    const QJsonObject root = document->object();

    // Throttling comes as 200 + {"Note": "...call frequency..."} or {"Information": "...rate limit..."}.
    for (const char *key : { "Note", "Information" }) {
        if (const auto said = jsonfeed::string(root, key); said && !root.contains(QLatin1String("feed"))) {
            ParseResult limited = ParseResult::failure(feedtext::truncated(said->simplified(), 300));
            limited.rateLimited = true;
            return limited;
        }
    }
    if (const auto said = jsonfeed::string(root, "Error Message"))
        return ParseResult::failure(QStringLiteral("Alpha Vantage error: ") + feedtext::truncated(said->simplified(), 300));
    const QJsonValue feedValue = root.value(QLatin1String("feed"));
    if (!feedValue.isArray())
        return ParseResult::failure(QStringLiteral("\"feed\" is %1, expected an array").arg(jsonfeed::typeName(feedValue)));

    const QString wanted = symbol.toUpper();
    return jsonfeed::mapArticles(feedValue.toArray(), "title", [&](const QJsonObject &a, const QString &title) {
        core::NewsItem item;
        item.headline = feedtext::truncated(feedtext::htmlToPlainText(title), 400);
        item.summary = feedtext::truncated(feedtext::htmlToPlainText(jsonfeed::string(a, "summary").value_or(QString())), 1000);
        item.url = feedtext::safeLink(jsonfeed::string(a, "url").value_or(QString()));
        item.source = jsonfeed::string(a, "source").value_or(QString());
        if (item.source.isEmpty())
            item.source = jsonfeed::string(a, "source_domain").value_or(QStringLiteral("Alpha Vantage"));
        // "20240105T143000". Alpha Vantage does not document a zone; their examples line up with UTC.
        QDateTime when = QDateTime::fromString(jsonfeed::string(a, "time_published").value_or(QString()), QStringLiteral("yyyyMMddTHHmmss"));
        when.setTimeZone(QTimeZone::utc());
        item.publishedAtMs = when.isValid() ? when.toMSecsSinceEpoch() : receivedAtMs;
        item.receivedAtMs = receivedAtMs;
        item.id = !item.url.isEmpty()
            ? feedtext::hashedId(QStringLiteral("u"), core::NewsItem::canonicalUrl(item.url))
            : feedtext::hashedId(QStringLiteral("alphavantage"), item.headline + QString::number(item.publishedAtMs));
        if (!wanted.isEmpty())
            item.symbols.append(wanted);

        std::optional<double> sentiment;
        const QJsonValue overall = a.value(QLatin1String("overall_sentiment_score"));
        if (overall.isDouble())
            sentiment = overall.toDouble();
        for (const QJsonValue &t : a.value(QLatin1String("ticker_sentiment")).toArray()) {
            const QJsonObject ts = t.toObject();
            const QString ticker = jsonfeed::string(ts, "ticker").value_or(QString()).toUpper();
            if (ticker.isEmpty() || ticker.size() > 12 || ticker.contains(QLatin1Char(':')))
                continue; // "CRYPTO:BTC", "FOREX:USD" are not equities
            if (!item.symbols.contains(ticker))
                item.symbols.append(ticker);
            if (ticker == wanted) {
                // Scores come as strings ("0.123456") in the documented responses.
                bool ok = false;
                const QJsonValue score = ts.value(QLatin1String("ticker_sentiment_score"));
                const double v = score.isDouble() ? score.toDouble() : score.toString().toDouble(&ok);
                if (score.isDouble() || ok)
                    sentiment = v;
            }
        }
        if (sentiment && std::isfinite(*sentiment))
            item.sentiment = std::clamp(*sentiment, -1.0, 1.0);
        const QString category = jsonfeed::string(a, "category_within_source").value_or(QString()).toLower();
        item.category = category.isEmpty() || category == QLatin1String("n/a") ? QStringLiteral("general") : category;
        item.provider = QStringLiteral("alphavantage");
        return item;
    });
}

ParseResult AlphaVantageProvider::parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const
{
    return parseNewsSentiment(body, target.symbol, receivedAtMs);
}

} // namespace tw::news
