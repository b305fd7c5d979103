#include "ratelimiter.h"

#include "logging.h"

#include <algorithm>

namespace tw::http {

namespace {

    // An empty bucket is full again after one minute whatever the rate, so a longer gap
    // refills it completely; clamping there also keeps `elapsed * perMinute` from overflowing.
    constexpr qint64 kFullRefillMs = 60000;
    constexpr qint64 kCapSweepIntervalMs = 1000;

    qint64 ceilDiv(qint64 numerator, qint64 denominator)
    {
        return numerator <= 0 ? 0 : (numerator + denominator - 1) / denominator;
    }

} // namespace

RateLimiter::RateLimiter(int perMinute, int maxBuckets)
    : m_perMinute(perMinute)
    , m_maxBuckets(std::max(1, maxBuckets))
{
}

void RateLimiter::refill(Bucket &bucket, qint64 nowMs) const
{
    // A clock that goes backwards (it should not: it is monotonic) adds nothing.
    const qint64 elapsed = std::clamp<qint64>(nowMs - bucket.updatedMs, 0, kFullRefillMs);
    bucket.units = std::min(capacityUnits(), bucket.units + elapsed * m_perMinute);
    bucket.updatedMs = std::max(bucket.updatedMs, nowMs);
}

RateLimiter::Decision RateLimiter::take(const QByteArray &key, qint64 nowMs)
{
    Decision decision;
    if (m_perMinute <= 0)
        return decision; // unlimited: allowed, and no bucket to remember

    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxBuckets && nowMs >= m_nextCapSweepMs) {
            sweep(nowMs);
            m_nextCapSweepMs = nowMs + kCapSweepIntervalMs;
        }
        if (m_buckets.size() < m_maxBuckets) {
            it = m_buckets.insert(key, Bucket { capacityUnits(), nowMs });
        } else {
            // Fail safe: do not let a flood of new clients grow the table, and do not let them
            // through unlimited either. They share one bucket until old buckets expire.
            it = m_buckets.find(overflowKey());
            if (it == m_buckets.end()) {
                qCWarning(lcSecurity,
                    "rate limiter: %d clients tracked; new clients now share "
                    "one bucket until idle ones expire",
                    m_maxBuckets);
                it = m_buckets.insert(overflowKey(), Bucket { capacityUnits(), nowMs });
            }
        }
    }

    Bucket &bucket = it.value();
    refill(bucket, nowMs);
    decision.limit = m_perMinute;
    if (bucket.units >= kUnitsPerToken) {
        bucket.units -= kUnitsPerToken;
        decision.allowed = true;
    } else {
        decision.allowed = false;
        // Refill is perMinute units per ms, i.e. perMinute * 1000 units per second.
        const qint64 unitsPerSecond = qint64(m_perMinute) * 1000;
        decision.retryAfterSeconds
            = int(std::max<qint64>(1, ceilDiv(kUnitsPerToken - bucket.units, unitsPerSecond)));
    }
    decision.remaining = int(bucket.units / kUnitsPerToken);
    decision.resetSeconds
        = int(ceilDiv(capacityUnits() - bucket.units, qint64(m_perMinute) * 1000));
    return decision;
}

void RateLimiter::sweep(qint64 nowMs)
{
    // A bucket that would be full now is indistinguishable from a new one: forget it.
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        Bucket refilled = it.value();
        refill(refilled, nowMs);
        if (refilled.units >= capacityUnits())
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

} // namespace tw::http
