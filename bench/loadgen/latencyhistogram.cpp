#include "latencyhistogram.h"

#include <algorithm>

namespace twbench {

namespace {
    constexpr size_t kSubBuckets = 64;
    constexpr size_t kMaxShift = 44; // beyond 2^50 us nothing is a latency
    constexpr size_t kBucketCount = 2 * kSubBuckets + kMaxShift * kSubBuckets;
} // namespace

LatencyHistogram::LatencyHistogram()
    : m_buckets(kBucketCount, 0)
{
}

size_t LatencyHistogram::indexOf(uint64_t v)
{
    if (v < 2 * kSubBuckets)
        return size_t(v);
    const int magnitude = 63 - __builtin_clzll(v); // >= 7
    const size_t shift = std::min<size_t>(size_t(magnitude) - 6, kMaxShift);
    const uint64_t top = std::min<uint64_t>(v >> shift, 2 * kSubBuckets - 1); // 64..127
    return shift * kSubBuckets + size_t(top);
}

uint64_t LatencyHistogram::valueOf(size_t index)
{
    if (index < 2 * kSubBuckets)
        return index;
    const size_t shift = (index - kSubBuckets) / kSubBuckets;
    const uint64_t top = index - shift * kSubBuckets;
    // The upper edge of the bucket: percentiles never understate.
    return ((top + 1) << shift) - 1;
}

void LatencyHistogram::record(int64_t micros)
{
    ++m_count;
    if (micros < 0) {
        ++m_negative;
        micros = 0;
    }
    m_max = std::max(m_max, micros);
    ++m_buckets[indexOf(uint64_t(micros))];
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    for (size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_negative += other.m_negative;
    m_max = std::max(m_max, other.m_max);
}

int64_t LatencyHistogram::percentile(double q) const
{
    if (m_count == 0)
        return 0;
    const uint64_t rank = std::max<uint64_t>(1, uint64_t(q * double(m_count) + 0.5));
    uint64_t seen = 0;
    for (size_t i = 0; i < m_buckets.size(); ++i) {
        seen += m_buckets[i];
        if (seen >= rank)
            return std::min<int64_t>(int64_t(valueOf(i)), m_max);
    }
    return m_max;
}

} // namespace twbench
