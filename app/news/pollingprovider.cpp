#include "pollingprovider.h"

#include "hostbudget.h"
#include "logging.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace tw::news {

namespace {
    constexpr size_t kMaxSeenIds = 20000;

    // Durations and deadlines: the same monotonic clock as the host budgets.
    qint64 monotonicNow() { return HostBudget::nowMs(); }

    QString clockTime(qint64 epochMs)
    {
        return QDateTime::fromMSecsSinceEpoch(epochMs, Qt::UTC).toString(QStringLiteral("HH:mm:ss 'UTC'"));
    }
} // namespace

PollingProvider::PollingProvider(const PollingSettings &settings, std::shared_ptr<HostBudget> budget, QObject *parent)
    : NewsProvider(parent)
    , m_settings(settings)
    , m_budget(std::move(budget))
    , m_wallClock([] { return QDateTime::currentMSecsSinceEpoch(); })
    , m_fetcher(new HttpFetcher(settings, this))
{
    m_timer.setSingleShot(true);
    // Retry-After and budget waits are minimums: a coarse timer may fire up to 5 % early.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_inCycle)
            nextTarget();
        else
            startCycle();
    });
    connect(m_fetcher, &HttpFetcher::finished, this, &PollingProvider::onFetched);
}

PollingProvider::~PollingProvider() = default;

void PollingProvider::setWallClock(std::function<qint64()> wallMs)
{
    if (wallMs)
        m_wallClock = std::move(wallMs);
}

qint64 PollingProvider::backoffDelayMs(int failures, int initialMs, int maxMs, double jitterUnit)
{
    const int exponent = std::clamp(failures - 1, 0, 30);
    const double base = double(std::max(1, initialMs)) * std::pow(2.0, exponent);
    const double jittered = base * (0.8 + 0.4 * std::clamp(jitterUnit, 0.0, 1.0));
    return qint64(std::min(jittered, double(std::max(1, maxMs))));
}

void PollingProvider::start()
{
    if (m_running)
        return;
    const QString problem = configurationProblem();
    if (!problem.isEmpty()) {
        m_health.state = ProviderHealth::State::Disabled;
        m_health.lastError = problem;
        m_health.nextPollMs = 0;
        qCWarning(lcNews).noquote() << id() << "disabled:" << problem;
        Q_EMIT healthChanged();
        return;
    }
    m_running = true;
    m_health.state = ProviderHealth::State::Idle;
    m_health.lastError.clear();
    scheduleCycle(0); // from the event loop: start() returns at once
}

void PollingProvider::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_inCycle = false;
    m_timer.stop();
    m_fetcher->abort();
    m_health.nextPollMs = 0;
    if (m_health.state != ProviderHealth::State::Disabled)
        m_health.state = ProviderHealth::State::Idle;
    Q_EMIT healthChanged();
}

void PollingProvider::setSymbols(const QStringList &symbols)
{
    NewsProvider::setSymbols(symbols);
    if (!m_running || m_inCycle || inPenalty(monotonicNow()))
        return;
    // Someone started watching a symbol we have never fetched: poll now rather than at the
    // next tick, so a new subscription sees news promptly.
    for (const QString &s : symbols) {
        if (!m_polledSymbols.contains(s)) {
            scheduleCycle(0);
            return;
        }
    }
}

bool PollingProvider::inPenalty(qint64 now) const
{
    return m_consecutiveFailures > 0 || m_rateLimitedUntilMs > now;
}

void PollingProvider::scheduleCycle(qint64 delayMs)
{
    delayMs = std::max<qint64>(0, delayMs);
    m_health.nextPollMs = wallNow() + delayMs;
    m_timer.start(int(std::min<qint64>(delayMs, std::numeric_limits<int>::max())));
}

void PollingProvider::startCycle()
{
    if (!m_running)
        return;
    m_cycle = targets();
    if (m_cycle.isEmpty()) {
        // Nothing watched: sleep until setSymbols() brings work.
        m_health.nextPollMs = 0;
        Q_EMIT healthChanged();
        return;
    }
    // Validators of URLs no longer polled (a symbol nobody watches, yesterday's date range) go.
    QSet<QString> current;
    for (const PollTarget &t : std::as_const(m_cycle))
        current.insert(t.url.toString(QUrl::FullyEncoded));
    for (auto it = m_validators.begin(); it != m_validators.end();)
        it = current.contains(it.key()) ? std::next(it) : m_validators.erase(it);
    m_inCycle = true;
    m_index = 0;
    m_cycleOk = 0;
    m_cycleFailed = 0;
    m_cycleError.clear();
    m_cycleRateLimited = false;
    nextTarget();
}

void PollingProvider::nextTarget()
{
    if (!m_running || !m_inCycle)
        return;
    if (m_index >= m_cycle.size()) {
        finishCycle();
        return;
    }
    const PollTarget &target = m_cycle.at(m_index);
    if (m_budget) {
        const qint64 wait = m_budget->reserve(target.url.host());
        if (wait > 0) {
            m_health.nextPollMs = wallNow() + wait;
            m_timer.start(int(std::min<qint64>(wait, std::numeric_limits<int>::max())));
            Q_EMIT healthChanged();
            return;
        }
    }
    const Validators v = m_validators.value(target.url.toString(QUrl::FullyEncoded));
    m_fetcher->get(FetchRequest { target.url, v.etag, v.lastModified });
}

void PollingProvider::onFetched(const FetchResult &result)
{
    if (!m_running || !m_inCycle || m_index >= m_cycle.size())
        return;
    const PollTarget target = m_cycle.at(m_index);
    const qint64 now = monotonicNow();
    const qint64 wall = wallNow();
    ++m_health.fetches;
    m_health.lastFetchMs = wall;

    auto failed = [this](const QString &why) {
        ++m_cycleFailed;
        ++m_health.failures;
        m_cycleError = why;
    };
    auto rateLimited = [this, now, wall](qint64 waitMs, const QString &why) {
        ++m_health.failures;
        m_cycleRateLimited = true;
        if (waitMs <= 0) {
            ++m_consecutiveFailures; // no time given: back off as after a failure
            waitMs = backoffDelayMs(m_consecutiveFailures, m_settings.backoffInitialMs, m_settings.backoffMaxMs,
                QRandomGenerator::global()->generateDouble());
        }
        m_rateLimitedUntilMs = std::max(m_rateLimitedUntilMs, now + waitMs);
        m_rateLimitError = QStringLiteral("rate limited until %1 (%2)")
                               .arg(clockTime(wall + (m_rateLimitedUntilMs - now)), why);
    };

    switch (result.outcome) {
    case FetchResult::Outcome::NotModified:
        ++m_cycleOk;
        break;
    case FetchResult::Outcome::Ok: {
        ParseResult parsed = parse(target, result.body, wall);
        if (parsed.rateLimited) {
            rateLimited(0, QStringLiteral("%1 said: %2").arg(result.host, parsed.error));
            break;
        }
        if (!parsed.ok()) {
            failed(parsed.error + QStringLiteral(" (from ") + result.host + QLatin1Char(')'));
            break;
        }
        ++m_cycleOk;
        m_validators.insert(target.url.toString(QUrl::FullyEncoded), Validators { result.etag, result.lastModified });
        deliver(std::move(parsed.items));
        break;
    }
    case FetchResult::Outcome::RateLimited: {
        const QString said = describeErrorBody(result.body);
        rateLimited(result.retryAfterMs, said.isEmpty() ? result.error : result.error + QStringLiteral(": ") + said);
        break;
    }
    case FetchResult::Outcome::HttpError: {
        const QString said = describeErrorBody(result.body);
        failed(said.isEmpty() ? result.error : result.error + QStringLiteral(": ") + said);
        break;
    }
    case FetchResult::Outcome::Aborted:
        return; // stop() or a new request: nothing to account
    default:
        failed(result.error);
        break;
    }
    if (!target.symbol.isEmpty())
        m_polledSymbols.insert(target.symbol);

    if (m_cycleRateLimited) {
        finishCycle(); // the server asked us to stop: the rest of the cycle waits too
        return;
    }
    ++m_index;
    nextTarget();
}

void PollingProvider::deliver(QList<core::NewsItem> items)
{
    QList<core::NewsItem> fresh;
    for (core::NewsItem &item : items) {
        if (m_seen.contains(item.id))
            continue;
        m_seen.insert(item.id);
        m_seenOrder.push_back(item.id);
        if (m_seenOrder.size() > kMaxSeenIds) {
            m_seen.remove(m_seenOrder.front());
            m_seenOrder.pop_front();
        }
        fresh.append(std::move(item));
    }
    if (fresh.isEmpty())
        return;
    // Oldest first, so the hub assigns sequences in publication order.
    std::stable_sort(fresh.begin(), fresh.end(),
        [](const core::NewsItem &a, const core::NewsItem &b) { return a.publishedAtMs < b.publishedAtMs; });
    m_health.itemsDelivered += quint64(fresh.size());
    Q_EMIT itemsReady(fresh);
}

void PollingProvider::finishCycle()
{
    m_inCycle = false;
    const qint64 now = monotonicNow();
    qint64 delay = m_settings.intervalMs;
    if (m_cycleRateLimited) {
        m_health.state = ProviderHealth::State::Degraded;
        m_health.lastError = m_rateLimitError;
        delay = std::max<qint64>(0, m_rateLimitedUntilMs - now);
    } else if (m_cycleFailed > 0 && m_cycleOk == 0) {
        ++m_consecutiveFailures;
        m_health.state = ProviderHealth::State::Failing;
        m_health.lastError = m_cycleError;
        delay = backoffDelayMs(m_consecutiveFailures, m_settings.backoffInitialMs, m_settings.backoffMaxMs,
            QRandomGenerator::global()->generateDouble());
    } else if (m_cycleFailed > 0) {
        // Some feeds answered: keep the normal pace, say what is wrong with the others.
        m_consecutiveFailures = 0;
        m_health.state = ProviderHealth::State::Degraded;
        m_health.lastError = m_cycleError;
    } else {
        m_consecutiveFailures = 0;
        m_rateLimitedUntilMs = 0; // a clean cycle: whatever limit there was is over
        m_health.state = ProviderHealth::State::Ok;
        m_health.lastError.clear();
    }
    if (!m_health.lastError.isEmpty())
        qCInfo(lcNews).noquote() << id() << m_health.lastError;
    scheduleCycle(delay);
    Q_EMIT healthChanged();
}

} // namespace tw::news
