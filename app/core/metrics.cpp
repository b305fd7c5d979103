#include "metrics.h"

#include <QMutexLocker>

#include <cmath>
#include <variant>

namespace tw::core {

Histogram::Histogram(std::vector<double> upperBounds)
    : m_bounds(std::move(upperBounds))
    , m_buckets(new std::atomic<quint64>[m_bounds.size()])
{
    for (size_t i = 0; i < m_bounds.size(); ++i)
        m_buckets[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value)
{
    for (size_t i = 0; i < m_bounds.size(); ++i) {
        if (value <= m_bounds[i])
            m_buckets[i].fetch_add(1, std::memory_order_relaxed);
    }
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sumMicro.fetch_add(static_cast<qint64>(std::llround(value * 1e6)), std::memory_order_relaxed);
}

double Histogram::sum() const
{
    return static_cast<double>(m_sumMicro.load(std::memory_order_relaxed)) / 1e6;
}

struct MetricsRegistry::Family {
    QByteArray help;
    const char *type = "counter";
    using Series = std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>,
        std::unique_ptr<Histogram>, std::function<double()>>;
    std::map<QByteArray, Series> series; // by label string
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family &MetricsRegistry::family(
    const QByteArray &name, const QByteArray &help, const char *type)
{
    auto &slot = m_families[name];
    if (!slot) {
        slot = std::make_unique<Family>();
        slot->help = help;
        slot->type = type;
    }
    return *slot;
}

Counter *MetricsRegistry::counter(const QByteArray &name, const QByteArray &help, const QByteArray &labels)
{
    QMutexLocker lock(&m_mutex);
    auto &series = family(name, help, "counter").series[labels];
    if (!std::holds_alternative<std::unique_ptr<Counter>>(series) || !std::get<0>(series))
        series = std::make_unique<Counter>();
    return std::get<std::unique_ptr<Counter>>(series).get();
}

Gauge *MetricsRegistry::gauge(const QByteArray &name, const QByteArray &help, const QByteArray &labels)
{
    QMutexLocker lock(&m_mutex);
    auto &series = family(name, help, "gauge").series[labels];
    if (!std::holds_alternative<std::unique_ptr<Gauge>>(series))
        series = std::make_unique<Gauge>();
    return std::get<std::unique_ptr<Gauge>>(series).get();
}

Histogram *MetricsRegistry::histogram(const QByteArray &name, const QByteArray &help,
    std::vector<double> upperBounds, const QByteArray &labels)
{
    QMutexLocker lock(&m_mutex);
    auto &series = family(name, help, "histogram").series[labels];
    if (!std::holds_alternative<std::unique_ptr<Histogram>>(series))
        series = std::make_unique<Histogram>(std::move(upperBounds));
    return std::get<std::unique_ptr<Histogram>>(series).get();
}

void MetricsRegistry::gaugeCallback(const QByteArray &name, const QByteArray &help,
    std::function<double()> read, const QByteArray &labels)
{
    QMutexLocker lock(&m_mutex);
    family(name, help, "gauge").series[labels] = std::move(read);
}

void MetricsRegistry::increment(
    const QByteArray &name, const QByteArray &help, const QByteArray &labels, quint64 by)
{
    counter(name, help, labels)->inc(by);
}

double MetricsRegistry::value(const QByteArray &name, const QByteArray &labels) const
{
    QMutexLocker lock(&m_mutex);
    const auto fit = m_families.find(name);
    if (fit == m_families.end())
        return 0;
    const auto sit = fit->second->series.find(labels);
    if (sit == fit->second->series.end())
        return 0;
    const auto &s = sit->second;
    if (const auto *c = std::get_if<std::unique_ptr<Counter>>(&s))
        return *c ? static_cast<double>((*c)->value()) : 0;
    if (const auto *g = std::get_if<std::unique_ptr<Gauge>>(&s))
        return *g ? static_cast<double>((*g)->value()) : 0;
    if (const auto *h = std::get_if<std::unique_ptr<Histogram>>(&s))
        return *h ? static_cast<double>((*h)->count()) : 0;
    if (const auto *f = std::get_if<std::function<double()>>(&s))
        return *f ? (*f)() : 0;
    return 0;
}

double MetricsRegistry::sum(const QByteArray &name) const
{
    QMutexLocker lock(&m_mutex);
    const auto fit = m_families.find(name);
    if (fit == m_families.end())
        return 0;
    double total = 0;
    for (const auto &entry : fit->second->series) {
        if (const auto *c = std::get_if<std::unique_ptr<Counter>>(&entry.second))
            total += *c ? static_cast<double>((*c)->value()) : 0;
        else if (const auto *g = std::get_if<std::unique_ptr<Gauge>>(&entry.second))
            total += *g ? static_cast<double>((*g)->value()) : 0;
    }
    return total;
}

static QByteArray number(double v)
{
    if (std::isinf(v))
        return v > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    if (v == std::floor(v) && std::fabs(v) < 9e15)
        return QByteArray::number(static_cast<qint64>(v));
    return QByteArray::number(v, 'g', 12);
}

static QByteArray withLabels(const QByteArray &name, const QByteArray &labels, const QByteArray &extra = {})
{
    if (labels.isEmpty() && extra.isEmpty())
        return name;
    QByteArray all = labels;
    if (!extra.isEmpty()) {
        if (!all.isEmpty())
            all += ',';
        all += extra;
    }
    return name + '{' + all + '}';
}

QByteArray MetricsRegistry::renderPrometheus() const
{
    QMutexLocker lock(&m_mutex);
    QByteArray out;
    out.reserve(4096);
    for (const auto &[name, fam] : m_families) {
        out += "# HELP " + name + ' ' + fam->help + '\n';
        out += "# TYPE " + name + ' ' + fam->type + '\n';
        for (const auto &[labels, s] : fam->series) {
            if (const auto *c = std::get_if<std::unique_ptr<Counter>>(&s)) {
                out += withLabels(name, labels) + ' ' + number(static_cast<double>((*c)->value())) + '\n';
            } else if (const auto *g = std::get_if<std::unique_ptr<Gauge>>(&s)) {
                out += withLabels(name, labels) + ' ' + number(static_cast<double>((*g)->value())) + '\n';
            } else if (const auto *f = std::get_if<std::function<double()>>(&s)) {
                out += withLabels(name, labels) + ' ' + number((*f)()) + '\n';
            } else if (const auto *h = std::get_if<std::unique_ptr<Histogram>>(&s)) {
                const Histogram &hist = **h;
                for (size_t i = 0; i < hist.upperBounds().size(); ++i) {
                    out += withLabels(name + "_bucket", labels, "le=\"" + number(hist.upperBounds()[i]) + '"')
                        + ' ' + number(static_cast<double>(hist.bucketCount(i))) + '\n';
                }
                out += withLabels(name + "_bucket", labels, QByteArrayLiteral("le=\"+Inf\"")) + ' '
                    + number(static_cast<double>(hist.count())) + '\n';
                out += withLabels(name + "_sum", labels) + ' ' + number(hist.sum()) + '\n';
                out += withLabels(name + "_count", labels) + ' ' + number(static_cast<double>(hist.count())) + '\n';
            }
        }
    }
    return out;
}

} // namespace tw::core
