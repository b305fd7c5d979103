#include "newsitem.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <QUrlQuery>

#include <time.h>

namespace tw::core {

QString NewsItem::isoTime(qint64 epochMs)
{
    return QDateTime::fromMSecsSinceEpoch(epochMs, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz'Z'"));
}

std::optional<qint64> NewsItem::parseIsoTime(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid())
        return std::nullopt;
    return t.toMSecsSinceEpoch();
}

QString NewsItem::canonicalUrl(const QString &url)
{
    QUrl u(url.trimmed(), QUrl::StrictMode);
    if (!u.isValid() || u.scheme().isEmpty())
        return url.trimmed();
    u.setScheme(u.scheme().toLower());
    u.setHost(u.host().toLower());
    u.setFragment(QString());
    if ((u.scheme() == QLatin1String("http") && u.port() == 80) || (u.scheme() == QLatin1String("https") && u.port() == 443))
        u.setPort(-1);
    if (u.hasQuery()) {
        QUrlQuery q(u);
        const auto items = q.queryItems(QUrl::FullyEncoded);
        QUrlQuery kept;
        for (const auto &item : items) {
            const QString key = item.first.toLower();
            if (key.startsWith(QLatin1String("utm_")) || key == QLatin1String("fbclid") || key == QLatin1String("gclid"))
                continue;
            kept.addQueryItem(item.first, item.second);
        }
        u.setQuery(kept.isEmpty() ? QString() : kept.toString(QUrl::FullyEncoded));
    }
    QString s = u.toString(QUrl::FullyEncoded);
    if (s.endsWith(QLatin1Char('/')) && u.path() != QLatin1String("/"))
        s.chop(1);
    return s;
}

qint64 NewsItem::monotonicNowNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000LL + qint64(ts.tv_nsec);
}

QJsonObject NewsItem::toJsonObject() const
{
    QJsonObject o {
        { QStringLiteral("id"), id },
        { QStringLiteral("symbols"), QJsonArray::fromStringList(symbols) },
        { QStringLiteral("headline"), headline },
        { QStringLiteral("summary"), summary },
        { QStringLiteral("source"), source },
        { QStringLiteral("url"), url },
        { QStringLiteral("publishedAt"), isoTime(publishedAtMs) },
        { QStringLiteral("receivedAt"), isoTime(receivedAtMs) },
        { QStringLiteral("provider"), provider },
        { QStringLiteral("category"), category },
    };
    if (sentiment)
        o.insert(QStringLiteral("sentiment"), *sentiment);
    if (sequence)
        o.insert(QStringLiteral("sequence"), double(sequence));
    if (!otherSources.isEmpty())
        o.insert(QStringLiteral("otherSources"), QJsonArray::fromStringList(otherSources));
    return o;
}

QByteArray NewsItem::toJson() const
{
    return QJsonDocument(toJsonObject()).toJson(QJsonDocument::Compact);
}

std::optional<NewsItem> NewsItem::fromJsonObject(const QJsonObject &o, QString *error)
{
    auto fail = [error](const QString &why) -> std::optional<NewsItem> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    NewsItem item;
    const auto str = [&o](const char *key) { return o.value(QLatin1String(key)).toString(); };
    item.id = str("id");
    if (item.id.isEmpty())
        return fail(QStringLiteral("id: missing or not a string"));
    item.headline = str("headline");
    if (item.headline.isEmpty())
        return fail(QStringLiteral("headline: missing or not a string"));
    const QJsonValue symbols = o.value(QLatin1String("symbols"));
    if (!symbols.isArray())
        return fail(QStringLiteral("symbols: must be an array of strings"));
    for (const QJsonValue &s : symbols.toArray()) {
        if (!s.isString())
            return fail(QStringLiteral("symbols: must be an array of strings"));
        item.symbols.append(s.toString());
    }
    item.summary = str("summary");
    item.source = str("source");
    item.url = str("url");
    item.provider = str("provider");
    item.category = str("category");
    const auto published = parseIsoTime(str("publishedAt"));
    if (!published)
        return fail(QStringLiteral("publishedAt: not an ISO-8601 time"));
    item.publishedAtMs = *published;
    item.receivedAtMs = parseIsoTime(str("receivedAt")).value_or(0);
    const QJsonValue sentiment = o.value(QLatin1String("sentiment"));
    if (sentiment.isDouble())
        item.sentiment = sentiment.toDouble();
    item.sequence = quint64(o.value(QLatin1String("sequence")).toDouble());
    for (const QJsonValue &s : o.value(QLatin1String("otherSources")).toArray())
        item.otherSources.append(s.toString());
    return item;
}

} // namespace tw::core
