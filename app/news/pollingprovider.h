// The base of every network provider: polls a list of URLs (one per watched symbol, or
// fixed feeds) with the etiquette DESIGN.md asks for, and leaves only "which URLs" and "what
// do these bytes mean" to subclasses.
//
// Etiquette: conditional requests per URL (ETag / Last-Modified -> 304, nothing re-parsed);
// 429 and 503 + Retry-After (seconds or HTTP-date) stop the cycle and park the provider
// until then; a provider-level "slow down" in a 200 body (Alpha Vantage) counts the same;
// failures back off exponentially (doubling from backoffInitialMs, +-20 % jitter, capped at
// backoffMaxMs, reset by a clean cycle); each request first takes a slot from the per-host
// budget it shares with the other providers; timeouts and size caps live in HttpFetcher.
// Everything is asynchronous; a provider's failures stay in its own health.
//
// Clocks: every wait (back-off, Retry-After, the host budget, "may a new symbol be polled at
// once") is counted on the monotonic clock, so a wall clock set back or forward changes no
// schedule. The wall clock only stamps what people read: health lastFetch / nextPoll, the
// "rate limited until" time in lastError, and items' receivedAt.
#pragma once

#include "httpfetcher.h"
#include "newsprovider.h"
#include "parseresult.h"
#include "providersettings.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <functional>
#include <memory>

namespace tw::news {

class HostBudget;

struct PollTarget {
    QUrl url;
    QString symbol; // the symbol this URL is for; empty for a general feed
};

class PollingProvider : public NewsProvider {
    Q_OBJECT
public:
    // `budget` may be shared with other providers; null means "no per-host limit".
    PollingProvider(const PollingSettings &settings, std::shared_ptr<HostBudget> budget, QObject *parent = nullptr);
    ~PollingProvider() override;

    void start() override;
    void stop() override;
    void setSymbols(const QStringList &symbols) override;

    bool isRunning() const { return m_running; }
    // Tests: the wall clock (UTC epoch ms) for health dates and receivedAt, to show that moving
    // it moves no schedule. Defaults to QDateTime::currentMSecsSinceEpoch.
    void setWallClock(std::function<qint64()> wallMs);
    const PollingSettings &pollingSettings() const { return m_settings; }

    // Delay before the retry after `failures` consecutive failed cycles (1-based):
    // initialMs * 2^(failures-1), times a jitter factor 0.8 + 0.4 * jitterUnit, capped at maxMs.
    static qint64 backoffDelayMs(int failures, int initialMs, int maxMs, double jitterUnit);

protected:
    // The URLs to fetch this cycle (built from symbols() and settings).
    virtual QList<PollTarget> targets() const = 0;
    // Response body -> items (with provider, symbols, receivedAt set) or an error.
    virtual ParseResult parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const = 0;
    // Why the provider cannot run as configured (no API key, no EDGAR contact), or empty.
    // start() leaves a misconfigured provider Disabled with this reason.
    virtual QString configurationProblem() const { return {}; }
    // The API's own explanation in an error body ({"error": "..."}), or empty.
    virtual QString describeErrorBody(const QByteArray &body) const
    {
        Q_UNUSED(body);
        return {};
    }

private:
    void startCycle();
    void nextTarget();
    void onFetched(const FetchResult &result);
    void finishCycle();
    void scheduleCycle(qint64 delayMs);
    void deliver(QList<core::NewsItem> items);
    bool inPenalty(qint64 monotonicNowMs) const;
    qint64 wallNow() const { return m_wallClock(); }

    PollingSettings m_settings;
    std::shared_ptr<HostBudget> m_budget;
    std::function<qint64()> m_wallClock;
    HttpFetcher *m_fetcher;
    QTimer m_timer; // next cycle, or the next request of a cycle waiting for budget
    bool m_running = false;
    bool m_inCycle = false;

    QList<PollTarget> m_cycle;
    int m_index = 0;
    int m_cycleOk = 0;
    int m_cycleFailed = 0;
    QString m_cycleError;
    bool m_cycleRateLimited = false;
    QString m_rateLimitError;
    qint64 m_rateLimitedUntilMs = 0; // on the monotonic clock (HostBudget::nowMs())
    int m_consecutiveFailures = 0;
    QSet<QString> m_polledSymbols;

    struct Validators {
        QByteArray etag;
        QByteArray lastModified;
    };
    QHash<QString, Validators> m_validators; // per URL (redaction not needed: never logged)
    QSet<QString> m_seen; // ids already delivered (bounded; the hub dedupes too)
    std::deque<QString> m_seenOrder;
};

} // namespace tw::news
