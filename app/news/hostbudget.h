// Per-host request budget: at most N requests in any sliding window (a minute by default)
// to one host, shared by every provider that talks to that host (RSS feeds and EDGAR may both
// live on www.sec.gov; two Finnhub-backed providers share finnhub.io). Providers ask before
// each request; a refusal says how long to wait, so nobody blocks.
//
// Time is the monotonic clock's (nowMs()): on wall time, a clock set back by N would make the
// requests already counted look N in the future and hold the host's next request for N.
#pragma once

#include <QHash>
#include <QString>

#include <deque>

namespace tw::news {

class HostBudget {
public:
    explicit HostBudget(int requestsPerWindow, qint64 windowMs = 60 * 1000);

    // 0: a request to `host` may go now (and is counted). Otherwise the ms until one may.
    qint64 reserve(const QString &host) { return reserve(host, nowMs()); }
    // The same at `nowMs` on the clock of nowMs() (tests step it by hand). Every caller of one
    // budget must use that one clock.
    qint64 reserve(const QString &host, qint64 nowMs);
    // The monotonic clock budgets count on (CLOCK_MONOTONIC ms, via QDeadlineTimer).
    static qint64 nowMs();
    int requestsPerWindow() const { return m_limit; }
    qint64 windowMs() const { return m_windowMs; }

private:
    int m_limit;
    qint64 m_windowMs;
    QHash<QString, std::deque<qint64>> m_sent; // per host, send times inside the window
};

} // namespace tw::news
