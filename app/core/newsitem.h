// One news item: the value type the hub, the MCP tools, the client and the GUI all share
// (it lives in tw_core so the client and GUI need no server code). Its JSON form is built
// once by the hub and the same bytes go to every subscriber.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace tw::core {

struct NewsItem {
    QString id; // provider's id, else "u:" + hex SHA-256 of the canonical URL
    QStringList symbols; // upper-case tickers, e.g. {"TSLA"}
    QString headline;
    QString summary;
    QString source; // publisher, e.g. "Reuters"
    QString url;
    qint64 publishedAtMs = 0; // UTC epoch milliseconds
    qint64 receivedAtMs = 0; // when Tickerwire got it (UTC epoch ms)
    QString provider; // "demo", "rss", "sec-edgar", "finnhub", "alphavantage", "polygon"
    QString category; // "earnings", "filing", "analyst", "macro", "general", ...
    std::optional<double> sentiment; // -1 .. 1, from the finance word list or the provider

    // Set by the NewsHub when it accepts the item:
    quint64 sequence = 0; // monotonic; numbered from a per-run base (NewsHub)
    QStringList otherSources; // near-duplicates of this story from other sources ("+N sources")
    qint64 publishNs = 0; // CLOCK_MONOTONIC ns when the hub published it (delivery latency)

    QJsonObject toJsonObject() const;
    // Compact JSON of toJsonObject() (plus "publishNs" when asked: the bench's
    // --bench-publish-ns), byte for byte what QJsonDocument writes, written directly: the hub
    // builds it for every item it publishes, between the publish stamp and the fan-out.
    QByteArray toJson(bool withPublishNs = false) const;
    // Parses the JSON form; on failure returns nullopt and says which field is wrong.
    static std::optional<NewsItem> fromJsonObject(const QJsonObject &object, QString *error = nullptr);

    // ISO-8601 UTC with milliseconds: "2026-11-25T09:41:00.123Z"
    static QString isoTime(qint64 epochMs);
    static std::optional<qint64> parseIsoTime(const QString &text);
    // Lower-cased scheme and host, no fragment, no default port, no tracking parameters
    // (utm_*, fbclid, gclid): two links to the same story compare equal.
    static QString canonicalUrl(const QString &url);

    // The clock behind publishNs: CLOCK_MONOTONIC in nanoseconds. It is system-wide on Linux,
    // so a benchmark in another process on the same host can compare against it.
    static qint64 monotonicNowNs();
};

} // namespace tw::core
