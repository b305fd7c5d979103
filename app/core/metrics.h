// Process-wide counters, gauges and histograms, rendered in the Prometheus text format.
// Handles returned by counter()/gauge()/histogram() stay valid for the registry's lifetime,
// so hot paths keep a pointer and pay one increment, never a lookup.
#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace tw::core {

class Counter {
public:
    void inc(quint64 by = 1) { m_value.fetch_add(by, std::memory_order_relaxed); }
    quint64 value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<quint64> m_value { 0 };
};

class Gauge {
public:
    void set(qint64 v) { m_value.store(v, std::memory_order_relaxed); }
    void add(qint64 by) { m_value.fetch_add(by, std::memory_order_relaxed); }
    void inc() { add(1); }
    void dec() { add(-1); }
    qint64 value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<qint64> m_value { 0 };
};

class Histogram {
public:
    explicit Histogram(std::vector<double> upperBounds);
    void observe(double value);
    const std::vector<double> &upperBounds() const { return m_bounds; }
    quint64 bucketCount(size_t i) const { return m_buckets[i].load(std::memory_order_relaxed); }
    quint64 count() const { return m_count.load(std::memory_order_relaxed); }
    double sum() const;

private:
    std::vector<double> m_bounds;
    std::unique_ptr<std::atomic<quint64>[]> m_buckets; // cumulative counts per upper bound
    std::atomic<quint64> m_count { 0 };
    std::atomic<qint64> m_sumMicro { 0 }; // sum * 1e6, to stay lock-free
};

class MetricsRegistry {
public:
    MetricsRegistry();
    ~MetricsRegistry();
    MetricsRegistry(const MetricsRegistry &) = delete;
    MetricsRegistry &operator=(const MetricsRegistry &) = delete;

    // `labels` is the inside of the braces, e.g. `reason="auth"`; empty for none.
    // The first call for a name sets its help text.
    Counter *counter(const QByteArray &name, const QByteArray &help, const QByteArray &labels = {});
    Gauge *gauge(const QByteArray &name, const QByteArray &help, const QByteArray &labels = {});
    Histogram *histogram(const QByteArray &name, const QByteArray &help,
        std::vector<double> upperBounds, const QByteArray &labels = {});
    // A gauge computed when scraped (e.g. a size owned by another object). The callback
    // runs on the thread that renders.
    void gaugeCallback(const QByteArray &name, const QByteArray &help, std::function<double()> read,
        const QByteArray &labels = {});

    // Convenience for counters looked up by a label that is only known at run time
    // (`reason` of a rejection, `status` of a response): not for per-event hot paths.
    void increment(const QByteArray &name, const QByteArray &help, const QByteArray &labels = {},
        quint64 by = 1);

    // Current value of a counter or gauge (0 if absent): for tests and status panels.
    double value(const QByteArray &name, const QByteArray &labels = {}) const;
    // A counter or gauge family summed over all its label sets (e.g. requests by status); 0 if
    // absent. Computed gauges (gaugeCallback) are skipped, so any thread may call it.
    double sum(const QByteArray &name) const;

    QByteArray renderPrometheus() const;

private:
    struct Family;
    Family &family(const QByteArray &name, const QByteArray &help, const char *type);
    mutable QMutex m_mutex; // guards the maps; values themselves are atomics
    std::map<QByteArray, std::unique_ptr<Family>> m_families;
};

} // namespace tw::core
