// The embedded default provider: no network, no keys. Generates obviously fictional news from
// the demo corpus (resources/news) for the ticker list and for any well-formed symbol someone
// watches. Real tickers are mapped onto fictional stand-in companies of the same sector, so
// no item is ever about a real company. Every item says so: provider "demo", a source with
// "demo" in its name, a summary starting "Demo data." or "Fictional demo item.", and a URL
// under https://demo.tickerwire.invalid/ (the .invalid TLD never resolves).
//
// Determinism: item number n depends only on (seed, n, watched symbols), so the same seed and
// symbols give the same items in the same order whatever the rate; with an injected clock the
// batch boundaries are reproducible too. Pacing is Poisson: exponential inter-arrival times
// at `rate` items/s, drawn from a second stream of the same seed; a timer tick (10 ms at high
// rates, the next arrival at low ones) emits everything due as one batch.
#pragma once

#include "newsprovider.h"

#include <QTimer>

#include <functional>

namespace tw::news {

class DemoCorpus;
class TickerList;

struct DemoProviderSettings {
    quint64 seed = 1;
    double rate = 1.0; // items per second; 0 = paused; at most kMaxRate
    int tickMs = 10; // shortest timer period; high rates emit the due count per tick
    double focusShare = 0.5; // share of items about the watched symbols (when any are watched)
    double echoShare = 0.04; // share of items that retell a recent story from another source
    static constexpr double kMaxRate = 100000.0;
};

class DemoProvider : public NewsProvider {
    Q_OBJECT
public:
    explicit DemoProvider(const DemoProviderSettings &settings = {}, QObject *parent = nullptr);
    // For tests: another corpus / ticker list (both must outlive the provider).
    DemoProvider(const DemoProviderSettings &settings, const DemoCorpus &corpus, const TickerList &tickers,
        QObject *parent = nullptr);
    ~DemoProvider() override;

    QString id() const override { return QStringLiteral("demo"); }
    QString displayName() const override { return QStringLiteral("Demo feed (fictional news)"); }
    void start() override;
    void stop() override;
    void setSymbols(const QStringList &symbols) override;

    bool isRunning() const { return m_running; }
    double rate() const { return m_settings.rate; }
    void setRate(double itemsPerSecond);
    quint64 seed() const { return m_settings.seed; }
    quint64 itemsGenerated() const { return m_next; }

    // Monotonic clock in ns used for pacing; tests inject one and call pump() themselves.
    void setClock(std::function<qint64()> nowNs);
    // Emits every item due by now as one itemsReady batch; returns how many.
    int pump();
    // Items number first .. first+count-1 for the current seed and symbols, without timestamps
    // (publishedAtMs/receivedAtMs 0). Pure: the same arguments always give the same items.
    QList<core::NewsItem> makeItems(quint64 first, int count) const;

private:
    core::NewsItem makeItem(quint64 n) const;
    core::NewsItem makeStory(quint64 n) const;
    double nextGapNs();
    void schedule(qint64 nowNs);
    void setState(ProviderHealth::State state);

    DemoProviderSettings m_settings;
    const DemoCorpus &m_corpus;
    const TickerList &m_tickers;
    QStringList m_focus; // watched symbols, normalised
    std::function<qint64()> m_clock;
    QTimer m_timer;
    bool m_running = false;
    quint64 m_next = 0; // number of the next item
    quint64 m_pacingState = 0; // splitmix64 state for inter-arrival times
    qint64 m_nextArrivalNs = 0;
    qint64 m_lastHealthSignalNs = 0;
    quint64 m_skipped = 0; // arrivals dropped because the event loop fell > 1 s behind
};

} // namespace tw::news
