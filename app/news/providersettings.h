// Settings of the real (network) news providers, in one struct the server fills from its
// config, the environment (FINNHUB_API_KEY, ALPHAVANTAGE_API_KEY, POLYGON_API_KEY) and the
// command line. Defaults live here and only here. Base URLs are settings so tests (and
// self-hosted mirrors) can point them elsewhere, e.g. at a fixture server on 127.0.0.1.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace tw::news {

// How one polling provider talks to the network.
struct PollingSettings {
    int intervalMs = 5 * 60 * 1000; // between polls of the same feed when all is well
    int timeoutMs = 15000; // no bytes for this long -> the request is abandoned
    qint64 maxResponseBytes = 4 * 1024 * 1024; // larger bodies are aborted ("response too large")
    int maxRedirects = 3;
    int backoffInitialMs = 30 * 1000; // first retry delay after a failure; doubles per failure
    int backoffMaxMs = 30 * 60 * 1000; // backoff cap
    // Retry-After values beyond this are clamped (a misconfigured server must not park us for a year).
    qint64 maxRetryAfterMs = 24LL * 60 * 60 * 1000;
    // Sent with every request. SEC EDGAR requires contact details in it (see edgarUserAgent).
    QString userAgent = QStringLiteral("Tickerwire/" TW_VERSION_STRING " (+https://github.com/tickerwire/tickerwire)");
};

struct ProviderSettings {
    // Which providers to build: "rss", "sec-edgar", "finnhub", "alphavantage", "polygon".
    QStringList enabled;
    PollingSettings polling; // shared defaults
    // Per-provider polling interval overrides (provider id -> ms).
    QHash<QString, int> intervalMs;
    // Requests per minute per host, shared by every provider that talks to that host.
    int hostRequestsPerMinute = 30;

    // RSS 2.0 / Atom: URL templates; "{symbol}" is replaced by each watched symbol (a template
    // without it is a general feed polled once per cycle, its items tagged by $CASHTAG only).
    QStringList rssUrlTemplates;

    // SEC EDGAR filings (Atom). EDGAR refuses anonymous clients: the user agent must name the
    // operator and a contact, e.g. "Example Desk ops@example.com". Empty -> provider disabled.
    QString edgarBaseUrl = QStringLiteral("https://www.sec.gov/cgi-bin/browse-edgar");
    QString edgarUserAgent;

    QString finnhubBaseUrl = QStringLiteral("https://finnhub.io/api/v1");
    QString finnhubApiKey;
    int finnhubLookbackDays = 3; // company-news "from" date

    QString alphaVantageBaseUrl = QStringLiteral("https://www.alphavantage.co/query");
    QString alphaVantageApiKey;

    QString polygonBaseUrl = QStringLiteral("https://api.polygon.io");
    QString polygonApiKey;

    // The polling settings for one provider: the shared ones plus its interval override.
    PollingSettings pollingFor(const QString &providerId) const
    {
        PollingSettings p = polling;
        const auto it = intervalMs.constFind(providerId);
        if (it != intervalMs.constEnd() && it.value() > 0)
            p.intervalMs = it.value();
        return p;
    }
};

} // namespace tw::news
