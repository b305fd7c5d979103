// DemoProvider: deterministic, paced, obviously fictional, and it covers whatever a user types.
#include "democorpus.h"
#include "demoprovider.h"
#include "newshub.h"
#include "tickerlist.h"

#include <QSignalSpy>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <numeric>

using tw::core::NewsItem;
using tw::news::DemoCorpus;
using tw::news::DemoProvider;
using tw::news::DemoProviderSettings;
using tw::news::TickerList;

namespace {

DemoProviderSettings settingsWith(quint64 seed, double rate)
{
    DemoProviderSettings s;
    s.seed = seed;
    s.rate = rate;
    return s;
}

// Runs `provider` on a fake clock for `seconds`, pumping every `tickMs`; returns batch sizes.
QList<int> run(DemoProvider &provider, qint64 &clockNs, double seconds, int tickMs = 10)
{
    QList<int> batches;
    const int ticks = int(seconds * 1000 / tickMs);
    for (int i = 0; i < ticks; ++i) {
        clockNs += qint64(tickMs) * 1000000;
        batches.append(provider.pump());
    }
    return batches;
}

QString itemKey(const NewsItem &i)
{
    return i.id + QLatin1Char('|') + i.symbols.join(QLatin1Char(',')) + QLatin1Char('|') + i.headline + QLatin1Char('|')
        + i.summary + QLatin1Char('|') + i.source + QLatin1Char('|') + i.url + QLatin1Char('|') + i.category;
}

} // namespace

class TestDemoProvider : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void corpusAndTickersAreEmbedded();
    void sameSeedSameItems();
    void sameSeedSameBatchesOnSameClock();
    void rateZeroEmitsNothing();
    void highRateEmitsRoughlyRateTimesTime_data();
    void highRateEmitsRoughlyRateTimesTime();
    void setRateWhileRunning();
    void coversSubscribedUnknownSymbol();
    void itemsAreMarkedDemo();
    void realTickersGetFictionalCompanies();
    void echoesAreGroupedByTheHub();
    void healthReportsCounts();
    void runsOnItsOwnTimer();
};

void TestDemoProvider::corpusAndTickersAreEmbedded()
{
    const DemoCorpus &corpus = DemoCorpus::builtIn();
    QVERIFY(corpus.isValid());
    QVERIFY(corpus.companies().size() >= 50);
    QVERIFY(corpus.sources().size() >= 30);
    QCOMPARE(corpus.categories().size(), 8);
    for (const DemoCorpus::Category &c : corpus.categories())
        QVERIFY2(c.headlines.size() >= 100, qPrintable(c.name));
    for (const QString &source : corpus.sources())
        QVERIFY2(source.contains(QLatin1String("demo"), Qt::CaseInsensitive), qPrintable(source));

    const TickerList &tickers = TickerList::builtIn();
    QVERIFY(tickers.tickers().size() >= 100);
    for (const char *symbol : { "TSLA", "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "SPY", "BRK.B", "^GSPC" })
        QVERIFY2(tickers.find(QString::fromLatin1(symbol)), symbol);
    QCOMPARE(tickers.find(QStringLiteral("tsla"))->name, QStringLiteral("Tesla, Inc."));
    QVERIFY(tickers.complete(QStringLiteral("ts")).contains(QStringLiteral("TSLA")));
    QVERIFY(tickers.complete(QStringLiteral("tesla")).contains(QStringLiteral("TSLA")));

    QString error;
    QVERIFY(!DemoCorpus::fromJson("{\"companies\": 3}", &error).isValid());
    QVERIFY(!error.isEmpty());
    QVERIFY(TickerList::fromJson("{\"tickers\":[{\"symbol\":\"bad symbol\"}]}", &error).tickers().isEmpty());
    QVERIFY(error.contains(QLatin1String("symbol")));
}

void TestDemoProvider::sameSeedSameItems()
{
    DemoProvider a(settingsWith(7, 100));
    DemoProvider b(settingsWith(7, 5000)); // the rate does not change what the items are
    DemoProvider c(settingsWith(8, 100));
    a.setSymbols({ QStringLiteral("TSLA"), QStringLiteral("ZZQX") });
    b.setSymbols({ QStringLiteral("TSLA"), QStringLiteral("ZZQX") });
    c.setSymbols({ QStringLiteral("TSLA"), QStringLiteral("ZZQX") });
    const QList<NewsItem> ia = a.makeItems(0, 500);
    const QList<NewsItem> ib = b.makeItems(0, 500);
    const QList<NewsItem> ic = c.makeItems(0, 500);
    QCOMPARE(ia.size(), 500);
    int differ = 0;
    for (int i = 0; i < ia.size(); ++i) {
        QCOMPARE(itemKey(ia.at(i)), itemKey(ib.at(i)));
        QCOMPARE(ia.at(i).sentiment, ib.at(i).sentiment);
        if (ia.at(i).headline != ic.at(i).headline)
            ++differ;
    }
    QVERIFY(differ > 400); // another seed, another tape
    // A window in the middle equals the same slice of a longer run.
    QCOMPARE(itemKey(a.makeItems(250, 1).at(0)), itemKey(ia.at(250)));
}

void TestDemoProvider::sameSeedSameBatchesOnSameClock()
{
    qint64 clockA = 1000000000;
    qint64 clockB = 1000000000;
    DemoProvider a(settingsWith(3, 800));
    DemoProvider b(settingsWith(3, 800));
    a.setClock([&clockA] { return clockA; });
    b.setClock([&clockB] { return clockB; });
    QSignalSpy spyA(&a, &DemoProvider::itemsReady);
    QSignalSpy spyB(&b, &DemoProvider::itemsReady);
    a.start();
    b.start();
    const QList<int> batchesA = run(a, clockA, 1.0);
    const QList<int> batchesB = run(b, clockB, 1.0);
    QCOMPARE(batchesA, batchesB);
    QCOMPARE(spyA.count(), spyB.count());
    for (int i = 0; i < spyA.count(); ++i) {
        const auto itemsA = spyA.at(i).at(0).value<QList<NewsItem>>();
        const auto itemsB = spyB.at(i).at(0).value<QList<NewsItem>>();
        QCOMPARE(itemsA.size(), itemsB.size());
        for (int j = 0; j < itemsA.size(); ++j)
            QCOMPARE(itemKey(itemsA.at(j)), itemKey(itemsB.at(j)));
    }
}

void TestDemoProvider::rateZeroEmitsNothing()
{
    qint64 clock = 0;
    DemoProvider provider(settingsWith(1, 0));
    provider.setClock([&clock] { return clock; });
    QSignalSpy spy(&provider, &DemoProvider::itemsReady);
    provider.start();
    const QList<int> batches = run(provider, clock, 10.0, 100);
    QCOMPARE(std::accumulate(batches.begin(), batches.end(), 0), 0);
    QCOMPARE(spy.count(), 0);
    QCOMPARE(provider.itemsGenerated(), quint64(0));
    QCOMPARE(provider.health().state, tw::news::ProviderHealth::State::Idle);
}

void TestDemoProvider::highRateEmitsRoughlyRateTimesTime_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("seconds");
    QTest::newRow("5/s") << 5.0 << 400.0;
    QTest::newRow("200/s") << 200.0 << 20.0;
    QTest::newRow("10k/s") << 10000.0 << 2.0;
    QTest::newRow("20k/s") << 20000.0 << 1.0;
}

void TestDemoProvider::highRateEmitsRoughlyRateTimesTime()
{
    QFETCH(double, rate);
    QFETCH(double, seconds);
    qint64 clock = 5000000000;
    DemoProvider provider(settingsWith(11, rate));
    provider.setClock([&clock] { return clock; });
    provider.start();
    const QList<int> batches = run(provider, clock, seconds);
    const int total = std::accumulate(batches.begin(), batches.end(), 0);
    const double expected = rate * seconds;
    // Poisson: the standard deviation is sqrt(expected); 5 % is > 4 sigma for every row.
    QVERIFY2(std::abs(total - expected) < 0.05 * expected,
        qPrintable(QStringLiteral("%1 items for an expected %2").arg(total).arg(expected)));
    QCOMPARE(provider.itemsGenerated(), quint64(total));
    if (rate >= 10000) {
        // Batched per tick, not one emission per item.
        QCOMPARE(batches.size(), int(seconds * 100));
        QVERIFY(*std::max_element(batches.begin(), batches.end()) > 1);
    }
}

void TestDemoProvider::setRateWhileRunning()
{
    qint64 clock = 0;
    DemoProvider provider(settingsWith(2, 1000));
    provider.setClock([&clock] { return clock; });
    provider.start();
    const QList<int> fast = run(provider, clock, 1.0);
    provider.setRate(0);
    QCOMPARE(provider.health().state, tw::news::ProviderHealth::State::Idle);
    const QList<int> paused = run(provider, clock, 5.0);
    provider.setRate(100);
    const QList<int> slow = run(provider, clock, 5.0);
    QVERIFY(std::accumulate(fast.begin(), fast.end(), 0) > 900);
    QCOMPARE(std::accumulate(paused.begin(), paused.end(), 0), 0);
    const int slowTotal = std::accumulate(slow.begin(), slow.end(), 0);
    QVERIFY2(slowTotal > 400 && slowTotal < 600, qPrintable(QString::number(slowTotal)));
    provider.setRate(-5); // clamped to paused
    QCOMPARE(provider.rate(), 0.0);
    provider.setRate(1e12);
    QCOMPARE(provider.rate(), DemoProviderSettings::kMaxRate);
}

void TestDemoProvider::coversSubscribedUnknownSymbol()
{
    DemoProvider provider(settingsWith(5, 10));
    QVERIFY(!TickerList::builtIn().find(QStringLiteral("ZZQX")));
    provider.setSymbols({ QStringLiteral("zzqx"), QStringLiteral("not a symbol") });
    int hits = 0;
    for (const NewsItem &item : provider.makeItems(0, 400)) {
        if (item.symbols.contains(QStringLiteral("ZZQX"))) {
            ++hits;
            QVERIFY(!item.headline.isEmpty());
        }
        QVERIFY(!item.symbols.contains(QStringLiteral("NOT A SYMBOL")));
    }
    QVERIFY2(hits > 120, qPrintable(QString::number(hits))); // about half: the focus share
    // Without subscriptions, the ticker list is covered.
    provider.setSymbols({});
    QSet<QString> seen;
    for (const NewsItem &item : provider.makeItems(0, 2000))
        seen.insert(item.symbols.value(0));
    QVERIFY(!seen.contains(QStringLiteral("ZZQX")));
    QVERIFY(seen.size() > 90);
}

void TestDemoProvider::itemsAreMarkedDemo()
{
    DemoProvider provider(settingsWith(42, 10));
    provider.setSymbols({ QStringLiteral("TSLA"), QStringLiteral("^GSPC") });
    const QSet<QString> categories { QStringLiteral("earnings"), QStringLiteral("analyst"), QStringLiteral("product"),
        QStringLiteral("legal"), QStringLiteral("macro"), QStringLiteral("filing"), QStringLiteral("m&a"), QStringLiteral("guidance") };
    QSet<QString> seenCategories;
    QSet<QString> ids;
    for (const NewsItem &item : provider.makeItems(0, 1000)) {
        QCOMPARE(item.provider, QStringLiteral("demo"));
        QVERIFY2(item.source.contains(QLatin1String("demo"), Qt::CaseInsensitive), qPrintable(item.source));
        QVERIFY2(item.summary.startsWith(QLatin1String("Demo data.")) || item.summary.startsWith(QLatin1String("Fictional demo item.")),
            qPrintable(item.summary));
        const QUrl url(item.url);
        QVERIFY2(url.isValid() && url.scheme() == QLatin1String("https") && url.host() == QLatin1String("demo.tickerwire.invalid"),
            qPrintable(item.url));
        QVERIFY(item.id.startsWith(QLatin1String("demo:42:")));
        QVERIFY(!ids.contains(item.id));
        ids.insert(item.id);
        QVERIFY2(!item.headline.contains(QLatin1Char('{')) && !item.headline.contains(QLatin1Char('}')), qPrintable(item.headline));
        QVERIFY2(!item.summary.contains(QLatin1Char('{')), qPrintable(item.summary));
        QVERIFY(item.headline.at(0).isUpper() || item.headline.at(0).isDigit());
        QVERIFY(categories.contains(item.category));
        seenCategories.insert(item.category);
        QVERIFY(item.sentiment.has_value());
        QCOMPARE(item.symbols.size(), 1);
    }
    QCOMPARE(seenCategories, categories);
}

void TestDemoProvider::realTickersGetFictionalCompanies()
{
    DemoProvider provider(settingsWith(9, 10));
    provider.setSymbols({ QStringLiteral("TSLA"), QStringLiteral("AAPL"), QStringLiteral("MSFT"), QStringLiteral("NVDA") });
    const QStringList realNames { QStringLiteral("Tesla"), QStringLiteral("Apple"), QStringLiteral("Microsoft"),
        QStringLiteral("NVIDIA"), QStringLiteral("Amazon"), QStringLiteral("Alphabet"), QStringLiteral("Google"), QStringLiteral("Meta ") };
    QHash<QString, QString> companyOf; // the stand-in is stable per ticker
    const QList<DemoCorpus::Company> &companies = DemoCorpus::builtIn().companies();
    for (const NewsItem &item : provider.makeItems(0, 1000)) {
        for (const QString &real : realNames) {
            QVERIFY2(!item.headline.contains(real, Qt::CaseInsensitive), qPrintable(item.headline));
            QVERIFY2(!item.summary.contains(real, Qt::CaseInsensitive), qPrintable(item.summary));
        }
        if (item.symbols.value(0) != QLatin1String("TSLA"))
            continue;
        for (const DemoCorpus::Company &c : companies) {
            if (item.summary.contains(c.name + QStringLiteral(" (TSLA, demo stand-in)"))) {
                QVERIFY(companyOf.value(QStringLiteral("TSLA"), c.name) == c.name);
                companyOf.insert(QStringLiteral("TSLA"), c.name);
                QCOMPARE(c.sector, QStringLiteral("auto"));
            }
        }
    }
    QVERIFY(companyOf.contains(QStringLiteral("TSLA")));
}

void TestDemoProvider::echoesAreGroupedByTheHub()
{
    tw::news::NewsHub hub;
    DemoProvider provider(settingsWith(4, 10));
    QList<NewsItem> items = provider.makeItems(0, 2000);
    for (NewsItem &item : items)
        item.publishedAtMs = 1795599660000;
    QSignalSpy updated(&hub, &tw::news::NewsHub::itemUpdated);
    const auto accepted = hub.ingest(items);
    // Roughly echoShare (4 %) of items retell an earlier story from another demo source.
    QVERIFY2(accepted.size() < 1970 && accepted.size() > 1850, qPrintable(QString::number(accepted.size())));
    QVERIFY(updated.count() > 0);
    const auto first = updated.first().at(0).value<tw::news::ItemPtr>();
    QVERIFY(!first->item.otherSources.isEmpty());
    QVERIFY(first->item.otherSources.first().contains(QLatin1String("demo"), Qt::CaseInsensitive));
}

void TestDemoProvider::healthReportsCounts()
{
    qint64 clock = 0;
    DemoProvider provider(settingsWith(6, 500));
    provider.setClock([&clock] { return clock; });
    QCOMPARE(provider.health().state, tw::news::ProviderHealth::State::Idle);
    provider.start();
    QVERIFY(provider.isRunning());
    QCOMPARE(provider.health().state, tw::news::ProviderHealth::State::Ok);
    const QList<int> batches = run(provider, clock, 1.0);
    const int total = std::accumulate(batches.begin(), batches.end(), 0);
    QCOMPARE(provider.health().itemsDelivered, quint64(total));
    QVERIFY(provider.health().fetches > 0);
    QVERIFY(provider.health().lastFetchMs > 0);
    QVERIFY(provider.health().lastError.isEmpty());
    provider.stop();
    QCOMPARE(provider.health().state, tw::news::ProviderHealth::State::Idle);
    QCOMPARE(provider.pump(), 0);
}

void TestDemoProvider::runsOnItsOwnTimer()
{
    tw::news::NewsHub hub;
    auto *provider = new DemoProvider(settingsWith(12, 500));
    hub.addProvider(provider);
    QSignalSpy published(&hub, &tw::news::NewsHub::published);
    hub.startProviders();
    QTRY_VERIFY(published.count() >= 20);
    hub.stopProviders();
    const int count = published.count();
    QTest::qWait(50);
    QCOMPARE(published.count(), count);
}

QTEST_GUILESS_MAIN(TestDemoProvider)
#include "tst_demoprovider.moc"
