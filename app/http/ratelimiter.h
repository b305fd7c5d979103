// Token-bucket rate limiter: `perMinute` tokens refilled continuously, burst = perMinute.
// Buckets that have refilled completely are forgotten, and the number of buckets is
// capped, so memory stays bounded whatever the number of clients.
#pragma once

#include <QByteArray>
#include <QHash>

#include <limits>

namespace tw::http {

class RateLimiter {
public:
    struct Decision {
        bool allowed = true;
        int limit = 0; // RateLimit-Limit
        int remaining = 0; // RateLimit-Remaining (after this request)
        int resetSeconds = 0; // RateLimit-Reset: seconds until the bucket is full again
        int retryAfterSeconds = 0; // Retry-After when !allowed (>= 1)
    };

    RateLimiter(int perMinute, int maxBuckets = 100000);

    // Takes one token from `key`'s bucket at time `nowMs` (a monotonic clock in ms).
    Decision take(const QByteArray &key, qint64 nowMs);
    // Drops buckets that are full again at `nowMs`. Called periodically and when the cap is hit.
    void sweep(qint64 nowMs);

    // When maxBuckets buckets are live (even after a sweep), new keys share this one bucket:
    // memory stays bounded and a flood of new clients is still limited, as one client.
    static QByteArray overflowKey() { return QByteArrayLiteral("<overflow>"); }

    int perMinute() const { return m_perMinute; }
    // At most maxBuckets + 1 (the overflow bucket).
    int bucketCount() const { return int(m_buckets.size()); }

private:
    // Tokens are counted in integer units of 1/60000 token, so that a refill of perMinute
    // units per ms is exact: with doubles, rounding could leave a bucket at 0.999... tokens
    // and refuse a request that is due.
    static constexpr qint64 kUnitsPerToken = 60000;
    struct Bucket {
        qint64 units = 0; // tokens * kUnitsPerToken
        qint64 updatedMs = 0;
    };
    // Refills `bucket` up to `nowMs`.
    void refill(Bucket &bucket, qint64 nowMs) const;
    qint64 capacityUnits() const { return qint64(m_perMinute) * kUnitsPerToken; }
    int m_perMinute;
    int m_maxBuckets;
    QHash<QByteArray, Bucket> m_buckets;
    // A sweep walks every bucket; when the cap is hit during a flood of new clients, sweep at
    // most once a second instead of once per request.
    qint64 m_nextCapSweepMs = std::numeric_limits<qint64>::min();
};

} // namespace tw::http
