// An HDR-style latency histogram in microseconds: exact below 128 us, then 64 buckets per
// power of two (under 1.6 % error), so millions of samples cost a few KiB and a percentile
// is a walk over ~3,000 counters. Negative samples (clock skew cannot happen with one
// CLOCK_MONOTONIC, but a bug could) are counted apart and never hidden in the figures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace twbench {

class LatencyHistogram {
public:
    LatencyHistogram();
    void record(int64_t micros);
    void merge(const LatencyHistogram &other);
    uint64_t count() const { return m_count; }
    uint64_t negative() const { return m_negative; }
    // Value at or below which `q` (0..1) of the samples lie, in microseconds.
    int64_t percentile(double q) const;
    int64_t max() const { return m_max; }

private:
    static size_t indexOf(uint64_t v);
    static uint64_t valueOf(size_t index);
    std::vector<uint64_t> m_buckets;
    uint64_t m_count = 0;
    uint64_t m_negative = 0;
    int64_t m_max = 0;
};

} // namespace twbench
