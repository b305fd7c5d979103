// The Prometheus text that /metrics serves.
#include "metrics.h"

#include <QTest>

using tw::core::MetricsRegistry;

class tst_MetricsRegistry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void countersAndGauges();
    void labelsAndHelpOncePerFamily();
    void histogram();
    void callbacks();
};

void tst_MetricsRegistry::countersAndGauges()
{
    MetricsRegistry m;
    auto *c = m.counter("tw_requests_total", "Requests.");
    c->inc();
    c->inc(4);
    auto *g = m.gauge("tw_open", "Open.");
    g->inc();
    g->inc();
    g->dec();
    QCOMPARE(m.value("tw_requests_total"), 5.0);
    QCOMPARE(m.value("tw_open"), 1.0);
    QCOMPARE(m.counter("tw_requests_total", "ignored"), c); // same handle for the same series
    const QByteArray text = m.renderPrometheus();
    QVERIFY(text.contains("# TYPE tw_requests_total counter\ntw_requests_total 5\n"));
    QVERIFY(text.contains("# TYPE tw_open gauge\ntw_open 1\n"));
}

void tst_MetricsRegistry::labelsAndHelpOncePerFamily()
{
    MetricsRegistry m;
    m.increment("tw_rejections_total", "Refused.", "reason=\"auth\"");
    m.increment("tw_rejections_total", "Refused.", "reason=\"auth\"");
    m.increment("tw_rejections_total", "Refused.", "reason=\"origin\"");
    QCOMPARE(m.value("tw_rejections_total", "reason=\"auth\""), 2.0);
    QCOMPARE(m.value("tw_rejections_total", "reason=\"host\""), 0.0);
    const QByteArray text = m.renderPrometheus();
    QCOMPARE(text.count("# HELP tw_rejections_total"), 1);
    QVERIFY(text.contains("tw_rejections_total{reason=\"auth\"} 2\n"));
    QVERIFY(text.contains("tw_rejections_total{reason=\"origin\"} 1\n"));
}

void tst_MetricsRegistry::histogram()
{
    MetricsRegistry m;
    auto *h = m.histogram("tw_latency_seconds", "Latency.", { 0.001, 0.01, 0.1 });
    h->observe(0.0005);
    h->observe(0.005);
    h->observe(0.5);
    const QByteArray text = m.renderPrometheus();
    QVERIFY(text.contains("tw_latency_seconds_bucket{le=\"0.001\"} 1\n"));
    QVERIFY(text.contains("tw_latency_seconds_bucket{le=\"0.01\"} 2\n"));
    QVERIFY(text.contains("tw_latency_seconds_bucket{le=\"0.1\"} 2\n"));
    QVERIFY(text.contains("tw_latency_seconds_bucket{le=\"+Inf\"} 3\n"));
    QVERIFY(text.contains("tw_latency_seconds_count 3\n"));
    QVERIFY(text.contains("tw_latency_seconds_sum 0.5055\n"));
}

void tst_MetricsRegistry::callbacks()
{
    MetricsRegistry m;
    int value = 7;
    m.gaugeCallback("tw_things", "Things.", [&value] { return double(value); });
    QVERIFY(m.renderPrometheus().contains("tw_things 7\n"));
    value = 9;
    QCOMPARE(m.value("tw_things"), 9.0);
}

QTEST_GUILESS_MAIN(tst_MetricsRegistry)
#include "tst_metricsregistry.moc"
