#include "newsitem.h"

#include "jsonwrite.h"

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
    constexpr qint64 kYear10000Ms = 253402300800000; // 10000-01-01T00:00:00Z
    if (epochMs < 0 || epochMs >= kYear10000Ms) {
        return QDateTime::fromMSecsSinceEpoch(epochMs, Qt::UTC)
            .toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz'Z'"));
    }
    // Days to a civil date (H. Hinnant's days_from_civil inverted), as QDateTime would give it;
    // twice per published item, so not through QDateTime's formatter.
    const qint64 secs = epochMs / 1000;
    const int ms = int(epochMs % 1000);
    const qint64 days = secs / 86400;
    const int sod = int(secs % 86400);
    const qint64 z = days + 719468;
    const qint64 era = z / 146097;
    const int doe = int(z - era * 146097);
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int day = doy - (153 * mp + 2) / 5 + 1;
    const int month = mp < 10 ? mp + 3 : mp - 9;
    const int year = int(yoe + era * 400) + (month <= 2 ? 1 : 0);
    char buf[24];
    const auto put = [&buf](int at, int value, int width) {
        for (int i = width - 1; i >= 0; --i, value /= 10)
            buf[at + i] = char('0' + value % 10);
    };
    put(0, year, 4);
    buf[4] = '-';
    put(5, month, 2);
    buf[7] = '-';
    put(8, day, 2);
    buf[10] = 'T';
    put(11, sod / 3600, 2);
    buf[13] = ':';
    put(14, sod / 60 % 60, 2);
    buf[16] = ':';
    put(17, sod % 60, 2);
    buf[19] = '.';
    put(20, ms, 3);
    buf[23] = 'Z';
    return QString::fromLatin1(buf, 24);
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

QByteArray NewsItem::toJson(bool withPublishNs) const
{
    // toJsonObject()'s keys in QJsonObject's (sorted) order.
    QByteArray out;
    out.reserve(256 + 2 * (headline.size() + summary.size() + url.size()));
    const auto key = [&out](const char *name, qsizetype size) {
        out.append(name, size);
    };
    const auto stringList = [&out](const QStringList &list) {
        out.append('[');
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i > 0)
                out.append(',');
            json::appendString(out, list.at(i));
        }
        out.append(']');
    };
#define TW_KEY(literal) key(literal, sizeof(literal) - 1)
    TW_KEY("{\"category\":");
    json::appendString(out, category);
    TW_KEY(",\"headline\":");
    json::appendString(out, headline);
    TW_KEY(",\"id\":");
    json::appendString(out, id);
    if (!otherSources.isEmpty()) {
        TW_KEY(",\"otherSources\":");
        stringList(otherSources);
    }
    TW_KEY(",\"provider\":");
    json::appendString(out, provider);
    if (withPublishNs) {
        TW_KEY(",\"publishNs\":");
        json::appendInteger(out, publishNs);
    }
    TW_KEY(",\"publishedAt\":");
    json::appendString(out, isoTime(publishedAtMs));
    TW_KEY(",\"receivedAt\":");
    json::appendString(out, isoTime(receivedAtMs));
    if (sentiment) {
        TW_KEY(",\"sentiment\":");
        json::appendNumber(out, *sentiment);
    }
    if (sequence) {
        TW_KEY(",\"sequence\":");
        json::appendNumber(out, double(sequence));
    }
    TW_KEY(",\"source\":");
    json::appendString(out, source);
    TW_KEY(",\"summary\":");
    json::appendString(out, summary);
    TW_KEY(",\"symbols\":");
    stringList(symbols);
    TW_KEY(",\"url\":");
    json::appendString(out, url);
#undef TW_KEY
    out.append('}');
    return out;
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
