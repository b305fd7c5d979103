// NewsHub: what a reader of the live feed would notice — no duplicates, one story with
// "+N sources", ordered sequence numbers, bounded memory, and replay-then-live with no gap
// and no repeat.
#include "metrics.h"
#include "newshub.h"
#include "newsprovider.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <utility>

#include <limits>

using tw::core::NewsItem;
using tw::news::ItemPtr;
using tw::news::NewsFilter;
using tw::news::NewsHub;
using tw::news::NewsHubSettings;

namespace {

const qint64 kBaseMs = 1795599660000; // 2026-11-25T09:41:00Z

// Most cases read sequence numbers as 1, 2, 3...: an explicit base instead of the clock's.
NewsHubSettings fromOne()
{
    NewsHubSettings s;
    s.firstSequence = 1;
    return s;
}

NewsItem makeItem(int n, const QStringList &symbols = { QStringLiteral("TSLA") }, const QString &headline = {})
{
    NewsItem item;
    item.id = QStringLiteral("t:%1").arg(n);
    item.symbols = symbols;
    item.headline = headline.isEmpty() ? QStringLiteral("Story number %1 about widget %2 pricing").arg(n).arg(n * 7) : headline;
    item.summary = QStringLiteral("Summary %1").arg(n);
    item.source = QStringLiteral("Test Source"); // one source: never grouped unless a test says so
    item.url = QStringLiteral("https://news.example/story/%1").arg(n);
    item.publishedAtMs = kBaseMs + n * 1000;
    item.provider = QStringLiteral("test");
    item.category = QStringLiteral("general");
    return item;
}

QList<NewsItem> makeItems(int first, int count, const QStringList &symbols = { QStringLiteral("TSLA") })
{
    QList<NewsItem> items;
    for (int i = first; i < first + count; ++i)
        items.append(makeItem(i, symbols));
    return items;
}

QList<quint64> sequences(const QList<ItemPtr> &items)
{
    QList<quint64> out;
    for (const ItemPtr &p : items)
        out.append(p->item.sequence);
    return out;
}

QList<quint64> range(quint64 first, quint64 last)
{
    QList<quint64> out;
    for (quint64 s = first; s <= last; ++s)
        out.append(s);
    return out;
}

class FakeProvider : public tw::news::NewsProvider {
public:
    FakeProvider()
        : NewsProvider(nullptr)
    {
    }
    QString id() const override { return QStringLiteral("fake"); }
    QString displayName() const override { return QStringLiteral("Fake"); }
    void start() override { }
    void stop() override { }
    void emitItems(const QList<NewsItem> &items) { Q_EMIT itemsReady(items); }
};

} // namespace

class TestNewsHub : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sequencesAreMonotonicFromOne();
    void defaultSequencesStartAboveAnEarlierHub();
    void clockSequenceBaseIsExactAndOrdered();
    void explicitFirstSequenceIsKept();
    void subscribeBelowFirstSequenceReplaysAllRetained();
    void normalisesSymbolsAndFillsFields();
    void itemReachesEachMatchingSubscriptionOnceInOrder();
    void dropsDuplicateIds();
    void dropsDuplicateCanonicalUrls();
    void dropsItemsWithoutHeadline();
    void groupsNearDuplicatesFromOtherSources();
    void doesNotGroupDifferentStoriesOrOutsideWindow();
    void ringsAreBounded();
    void allRingsTogetherAreBounded();
    void latestFiltersAndOrders();
    void latestFindsItemsEvictedFromSymbolRing();
    void searchMatchesAllTerms();
    void subscribeReplaysThenLive();
    void subscribeFromMiddle();
    void subscribeBeyondRingReplaysRetained();
    void subscribeFromFutureIsLiveOnly();
    void ingestDuringReplayKeepsOrder();
    void unsubscribeInsideCallback();
    void unsubscribeManyInOneDispatch();
    void unsubscribeFreesCallback();
    void subscriptionsFilterBySymbolAndKeyword();
    void jsonIsBuiltOnceAndShared();
    void publishNsFromMonotonicClock();
    void providersFollowSubscriptionSymbols();
    void metricsCount();
};

void TestNewsHub::sequencesAreMonotonicFromOne()
{
    NewsHub hub(fromOne());
    QSignalSpy published(&hub, &NewsHub::published);
    QCOMPARE(hub.lastSequence(), quint64(0));
    const QList<ItemPtr> first = hub.ingest(makeItems(0, 3));
    QCOMPARE(sequences(first), range(1, 3));
    const QList<ItemPtr> second = hub.ingest(makeItems(3, 2));
    QCOMPARE(sequences(second), range(4, 5));
    QCOMPARE(hub.lastSequence(), quint64(5));
    QCOMPARE(published.count(), 5);
    // The JSON carries the sequence.
    QVERIFY(first.at(0)->json.contains("\"sequence\":1"));
}

void TestNewsHub::defaultSequencesStartAboveAnEarlierHub()
{
    // A restarted server (here: a second hub after the first, as the GUI does when it restarts
    // its embedded server) must number above everything the run before issued, so a client's
    // old Last-Event-ID falls below the new range instead of above it.
    const quint64 clockFloor = NewsHub::clockSequenceBase(QDateTime::currentMSecsSinceEpoch());
    quint64 firstRunLast = 0;
    {
        NewsHub first;
        QVERIFY(first.firstSequence() >= clockFloor); // from the clock, not from 1
        QCOMPARE(first.lastSequence(), quint64(0)); // nothing issued yet
        const QList<ItemPtr> items = first.ingest(makeItems(0, 5));
        QCOMPARE(items.first()->item.sequence, first.firstSequence());
        QCOMPARE(sequences(items), range(first.firstSequence(), first.firstSequence() + 4));
        firstRunLast = first.lastSequence();
    }
    NewsHub second;
    QVERIFY2(second.firstSequence() > firstRunLast,
        qPrintable(QStringLiteral("%1 <= %2").arg(second.firstSequence()).arg(firstRunLast)));
    const QList<ItemPtr> items = second.ingest(makeItems(0, 5)); // a same-seed demo: same items again
    QCOMPARE(items.size(), 5);
    QVERIFY(items.first()->item.sequence > firstRunLast);
    // Exact in JSON (and so in JavaScript): below 2^53, written as an integer.
    QVERIFY(second.lastSequence() < (quint64(1) << 53));
    QVERIFY(items.last()->json.contains(QByteArray("\"sequence\":" + QByteArray::number(items.last()->item.sequence) + ',')));
    const auto back = NewsItem::fromJsonObject(QJsonDocument::fromJson(items.last()->json).object());
    QVERIFY(back);
    QCOMPARE(back->sequence, items.last()->item.sequence);
}

void TestNewsHub::clockSequenceBaseIsExactAndOrdered()
{
    QCOMPARE(NewsHub::clockSequenceBase(kBaseMs), quint64(kBaseMs) * 1000);
    // A millisecond later leaves room for 1000 items of the earlier run.
    QCOMPARE(NewsHub::clockSequenceBase(kBaseMs + 1) - NewsHub::clockSequenceBase(kBaseMs), quint64(1000));
    QVERIFY(NewsHub::clockSequenceBase(kBaseMs) < (quint64(1) << 53));
    // Clocks before 1970 never give 0 ("no sequence"); absurd futures stay exact in JSON.
    QCOMPARE(NewsHub::clockSequenceBase(0), quint64(1));
    QCOMPARE(NewsHub::clockSequenceBase(-5), quint64(1));
    const qint64 year3000 = 32503680000000;
    QCOMPARE(NewsHub::clockSequenceBase(year3000), NewsHub::kMaxSequenceBase);
    QCOMPARE(NewsHub::clockSequenceBase(std::numeric_limits<qint64>::max()), NewsHub::kMaxSequenceBase);
    QVERIFY(NewsHub::kMaxSequenceBase + (quint64(1) << 40) <= (quint64(1) << 53));
}

void TestNewsHub::explicitFirstSequenceIsKept()
{
    NewsHubSettings settings;
    settings.firstSequence = 1800000000000007;
    NewsHub hub(settings);
    QCOMPARE(hub.firstSequence(), quint64(1800000000000007));
    QCOMPARE(sequences(hub.ingest(makeItems(0, 2))), range(1800000000000007, 1800000000000008));
    QCOMPARE(hub.oldestRetainedSequence(), quint64(1800000000000007));
    QVERIFY(hub.itemBySequence(1800000000000008));
}

void TestNewsHub::subscribeBelowFirstSequenceReplaysAllRetained()
{
    // A client of the previous run resumes with its last id, far below this run's numbers:
    // it gets everything retained for its filter (the gap case), then live items.
    NewsHubSettings settings;
    settings.firstSequence = 1000000;
    NewsHub hub(settings);
    hub.ingest(makeItems(0, 4));
    QList<quint64> got;
    hub.subscribe(NewsFilter {}, 5000, [&](const ItemPtr &p) { got.append(p->item.sequence); });
    QCOMPARE(got, range(1000000, 1000003));
    hub.ingest(makeItems(4, 1));
    QCOMPARE(got, range(1000000, 1000004));
}

void TestNewsHub::normalisesSymbolsAndFillsFields()
{
    NewsHub hub(fromOne());
    NewsItem item = makeItem(1, { QStringLiteral(" tsla "), QStringLiteral("brk.b"), QStringLiteral("bad symbol!"),
                                    QStringLiteral("TSLA"), QStringLiteral("^gspc"), QStringLiteral("WAYTOOLONGSYMBOL") });
    item.id.clear();
    item.receivedAtMs = 0;
    const QList<ItemPtr> out = hub.ingest({ item });
    QCOMPARE(out.size(), 1);
    const NewsItem &got = out.at(0)->item;
    QCOMPARE(got.symbols, (QStringList { QStringLiteral("TSLA"), QStringLiteral("BRK.B"), QStringLiteral("^GSPC") }));
    QVERIFY(got.id.startsWith(QLatin1String("u:")));
    QVERIFY(got.receivedAtMs > 0);
    QVERIFY(got.sentiment.has_value());

    NewsItem noSymbols = makeItem(2, { QStringLiteral("not valid") });
    const QList<ItemPtr> out2 = hub.ingest({ noSymbols });
    QCOMPARE(out2.size(), 1);
    QVERIFY(out2.at(0)->item.symbols.isEmpty());
    QCOMPARE(hub.retainedCount(), 2); // in the overall ring only
    QCOMPARE(hub.retainedCount(QStringLiteral("TSLA")), 1);
}

void TestNewsHub::dropsDuplicateIds()
{
    NewsHub hub(fromOne());
    hub.ingest(makeItems(0, 3));
    NewsItem again = makeItem(1);
    again.url = QStringLiteral("https://elsewhere.example/other");
    again.headline = QStringLiteral("Completely different words here");
    QVERIFY(hub.ingest({ again }).isEmpty());
    // Within one batch too.
    QCOMPARE(hub.ingest({ makeItem(10), makeItem(10) }).size(), 1);
    QCOMPARE(hub.lastSequence(), quint64(4));
}

void TestNewsHub::dropsDuplicateCanonicalUrls()
{
    NewsHub hub(fromOne());
    NewsItem a = makeItem(1);
    a.url = QStringLiteral("https://News.Example/story/1?utm_source=rss");
    NewsItem b = makeItem(2, { QStringLiteral("AAPL") }, QStringLiteral("Unrelated words in this headline"));
    b.url = QStringLiteral("https://news.example:443/story/1#comments");
    QCOMPARE(hub.ingest({ a }).size(), 1);
    QVERIFY(hub.ingest({ b }).isEmpty());
    QCOMPARE(hub.lastSequence(), quint64(1));
}

void TestNewsHub::dropsItemsWithoutHeadline()
{
    NewsHub hub(fromOne());
    NewsItem blank = makeItem(1);
    blank.headline = QStringLiteral("   ");
    QVERIFY(hub.ingest({ blank }).isEmpty());
    QCOMPARE(hub.lastSequence(), quint64(0));
}

void TestNewsHub::groupsNearDuplicatesFromOtherSources()
{
    NewsHub hub(fromOne());
    QSignalSpy published(&hub, &NewsHub::published);
    QSignalSpy updated(&hub, &NewsHub::itemUpdated);
    NewsItem original = makeItem(1, { QStringLiteral("TSLA") }, QStringLiteral("Gullwing Motorworks beats Q3 estimates on strong EV demand"));
    original.source = QStringLiteral("Demo Wire");
    NewsItem echo = makeItem(2, { QStringLiteral("TSLA"), QStringLiteral("GM") },
        QStringLiteral("Gullwing Motorworks Beats Q3 Estimates on Strong EV Demand!"));
    echo.source = QStringLiteral("Harbor Street Journal (demo)");
    echo.publishedAtMs = original.publishedAtMs + 20 * 60 * 1000;
    NewsItem rephrased = makeItem(3, { QStringLiteral("TSLA") }, QStringLiteral("Gullwing Motorworks beats Q3 estimates on strong EV demand, shares up"));
    rephrased.source = QStringLiteral("Mariner Money (demo)");
    NewsItem sameSourceAgain = makeItem(4, { QStringLiteral("TSLA") }, QStringLiteral("Gullwing Motorworks beats Q3 estimates on strong EV demand"));
    sameSourceAgain.source = QStringLiteral("Harbor Street Journal (DEMO)"); // already listed

    QCOMPARE(hub.ingest({ original }).size(), 1);
    QVERIFY(hub.ingest({ echo }).isEmpty());
    QVERIFY(hub.ingest({ rephrased }).isEmpty());
    QVERIFY(hub.ingest({ sameSourceAgain }).isEmpty());
    QCOMPARE(published.count(), 1);
    QCOMPARE(updated.count(), 2);
    QCOMPARE(hub.lastSequence(), quint64(1));

    const ItemPtr last = updated.last().at(0).value<ItemPtr>();
    QCOMPARE(last->item.sequence, quint64(1));
    QCOMPARE(last->item.otherSources, (QStringList { QStringLiteral("Harbor Street Journal (demo)"), QStringLiteral("Mariner Money (demo)") }));
    QVERIFY(last->json.contains("\"otherSources\":[\"Harbor Street Journal (demo)\",\"Mariner Money (demo)\"]"));
    // latest() and replay hand out the updated item, not the stale one.
    const QList<ItemPtr> latest = hub.latest(NewsFilter {}, 10);
    QCOMPARE(latest.size(), 1);
    QCOMPARE(latest.at(0).get(), last.get());
    // The grouped item's own id is remembered: re-sending it is a plain duplicate.
    QVERIFY(hub.ingest({ echo }).isEmpty());
    QCOMPARE(updated.count(), 2);
}

void TestNewsHub::doesNotGroupDifferentStoriesOrOutsideWindow()
{
    NewsHubSettings settings = fromOne();
    settings.groupWindowMs = 60 * 60 * 1000;
    NewsHub hub(settings);
    NewsItem original = makeItem(1, { QStringLiteral("TSLA") }, QStringLiteral("Gullwing Motorworks beats Q3 estimates on strong EV demand"));
    original.source = QStringLiteral("A");
    NewsItem different = makeItem(2, { QStringLiteral("TSLA") }, QStringLiteral("Gullwing Motorworks recalls 4,000 Kestrel EV units over brakes"));
    different.source = QStringLiteral("B");
    NewsItem otherSymbol = makeItem(3, { QStringLiteral("AAPL") }, original.headline);
    otherSymbol.source = QStringLiteral("C");
    NewsItem late = makeItem(4, { QStringLiteral("TSLA") }, original.headline);
    late.source = QStringLiteral("D");
    late.publishedAtMs = original.publishedAtMs + 2 * 60 * 60 * 1000;
    NewsItem sameSource = makeItem(5, { QStringLiteral("TSLA") }, original.headline);
    sameSource.source = QStringLiteral("a"); // a re-post by the same outlet is its own item
    QCOMPARE(hub.ingest({ original, different, otherSymbol, late, sameSource }).size(), 5);
}

void TestNewsHub::ringsAreBounded()
{
    NewsHubSettings settings = fromOne();
    settings.ringPerSymbol = 5;
    settings.ringOverall = 12;
    NewsHub hub(settings);
    hub.ingest(makeItems(0, 10, { QStringLiteral("TSLA") }));
    hub.ingest(makeItems(10, 10, { QStringLiteral("AAPL") }));
    hub.ingest(makeItems(20, 3, {}));
    QCOMPARE(hub.retainedCount(), 12);
    QCOMPARE(hub.retainedCount(QStringLiteral("TSLA")), 5);
    QCOMPARE(hub.retainedCount(QStringLiteral("AAPL")), 5);
    QCOMPARE(hub.oldestRetainedSequence(), quint64(12));
    // TSLA's newest five survive in its ring even though the overall ring moved on.
    NewsFilter tsla;
    tsla.symbols = { QStringLiteral("TSLA") };
    QCOMPARE(sequences(hub.latest(tsla, 0)), (QList<quint64> { 10, 9, 8, 7, 6 }));
    QVERIFY(!hub.itemBySequence(1));
    QVERIFY(hub.itemBySequence(8));
    QVERIFY(hub.itemBySequence(23));
}

void TestNewsHub::allRingsTogetherAreBounded()
{
    // Each ring is within its own bound, but together they would hold 12 items: the oldest go.
    NewsHubSettings settings = fromOne();
    settings.ringPerSymbol = 6;
    settings.ringOverall = 100;
    settings.retainedMax = 8;
    NewsHub hub(settings);
    hub.ingest(makeItems(0, 6, { QStringLiteral("TSLA") })); // 1..6
    QCOMPARE(hub.retainedTotal(), 6);
    hub.ingest(makeItems(6, 6, { QStringLiteral("AAPL") })); // 7..12
    QCOMPARE(hub.retainedTotal(), 8);
    QCOMPARE(hub.retainedCount(), 8);
    QCOMPARE(hub.retainedCount(QStringLiteral("TSLA")), 2);
    QCOMPARE(hub.retainedCount(QStringLiteral("AAPL")), 6);
    QCOMPARE(sequences(hub.latest(NewsFilter {}, 0)), (QList<quint64> { 12, 11, 10, 9, 8, 7, 6, 5 }));
    QVERIFY(!hub.itemBySequence(4));
    QVERIFY(hub.itemBySequence(5));
    QCOMPARE(hub.oldestRetainedSequence(), quint64(5));
    // A reader resuming from the start gets what is left, oldest first.
    QList<quint64> got;
    hub.subscribe(NewsFilter {}, 0, [&](const ItemPtr &p) { got.append(p->item.sequence); });
    QCOMPARE(got, range(5, 12));
    // Newer items push the oldest out of every ring: MSFT fills its ring, AAPL's older ones go.
    hub.ingest(makeItems(12, 4, { QStringLiteral("MSFT") })); // 13..16
    QCOMPARE(hub.retainedTotal(), 8);
    QCOMPARE(hub.retainedCount(QStringLiteral("TSLA")), 0);
    QCOMPARE(hub.retainedCount(QStringLiteral("AAPL")), 4);
    QCOMPARE(hub.retainedCount(QStringLiteral("MSFT")), 4);

    // Items that leave their rings on their own are no longer counted (and their bookkeeping
    // is compacted): overall ring 3, symbol ring 2, 300 items in -> 3 held.
    NewsHubSettings small = fromOne();
    small.ringOverall = 3;
    small.ringPerSymbol = 2;
    small.retainedMax = 100;
    NewsHub churn(small);
    for (int i = 0; i < 300; i += 10)
        churn.ingest(makeItems(i, 10, { QStringLiteral("TSLA") }));
    QCOMPARE(churn.retainedTotal(), 3);
    QCOMPARE(sequences(churn.latest(NewsFilter {}, 0)), (QList<quint64> { 300, 299, 298 }));
}

void TestNewsHub::latestFiltersAndOrders()
{
    NewsHub hub(fromOne());
    hub.ingest(makeItems(0, 3, { QStringLiteral("TSLA") })); // 1..3
    hub.ingest(makeItems(3, 3, { QStringLiteral("AAPL") })); // 4..6
    hub.ingest(makeItems(6, 2, { QStringLiteral("TSLA"), QStringLiteral("AAPL") })); // 7..8
    NewsItem special = makeItem(8, { QStringLiteral("MSFT") }, QStringLiteral("Cinderbloom unveils Ember cloud tier"));
    hub.ingest({ special }); // 9

    QCOMPARE(sequences(hub.latest(NewsFilter {}, 0)), (QList<quint64> { 9, 8, 7, 6, 5, 4, 3, 2, 1 }));
    QCOMPARE(sequences(hub.latest(NewsFilter {}, 2)), (QList<quint64> { 9, 8 }));
    NewsFilter tsla;
    tsla.symbols = { QStringLiteral("TSLA") };
    QCOMPARE(sequences(hub.latest(tsla, 0)), (QList<quint64> { 8, 7, 3, 2, 1 }));
    NewsFilter both;
    both.symbols = { QStringLiteral("TSLA"), QStringLiteral("AAPL") };
    QCOMPARE(sequences(hub.latest(both, 0)), (QList<quint64> { 8, 7, 6, 5, 4, 3, 2, 1 })); // no repeats
    NewsFilter keyword;
    keyword.keywords = { QStringLiteral("EMBER") };
    QCOMPARE(sequences(hub.latest(keyword, 0)), (QList<quint64> { 9 }));
    NewsFilter summaryKeyword;
    summaryKeyword.keywords = { QStringLiteral("nothing"), QStringLiteral("summary 4") };
    QCOMPARE(sequences(hub.latest(summaryKeyword, 0)), (QList<quint64> { 5 }));
    // since: publishedAt of item n is kBaseMs + n s.
    QCOMPARE(sequences(hub.latest(tsla, 0, kBaseMs + 2000)), (QList<quint64> { 8, 7, 3 }));
    NewsFilter unknown;
    unknown.symbols = { QStringLiteral("ZZZZ") };
    QVERIFY(hub.latest(unknown, 10).isEmpty());
}

void TestNewsHub::latestFindsItemsEvictedFromSymbolRing()
{
    NewsHubSettings settings = fromOne();
    settings.ringPerSymbol = 2;
    settings.ringOverall = 100;
    NewsHub hub(settings);
    hub.ingest(makeItems(0, 6, { QStringLiteral("TSLA") }));
    NewsFilter tsla;
    tsla.symbols = { QStringLiteral("TSLA") };
    // Still retained overall: a reader asking for TSLA gets all six.
    QCOMPARE(sequences(hub.latest(tsla, 0)), (QList<quint64> { 6, 5, 4, 3, 2, 1 }));
}

void TestNewsHub::searchMatchesAllTerms()
{
    NewsHub hub(fromOne());
    hub.ingest({ makeItem(1, { QStringLiteral("TSLA") }, QStringLiteral("Gullwing raises EV price target")),
        makeItem(2, { QStringLiteral("AAPL") }, QStringLiteral("Orchard Lane raises dividend")),
        makeItem(3, { QStringLiteral("TSLA") }, QStringLiteral("Gullwing opens plant in Portsmere")),
        makeItem(4, { QStringLiteral("TSLA") }, QStringLiteral("Price target cut for Gullwing")) });
    QCOMPARE(sequences(hub.search(QStringLiteral("gullwing"), {}, 10)), (QList<quint64> { 4, 3, 1 }));
    QCOMPARE(sequences(hub.search(QStringLiteral("RAISES"), {}, 10)), (QList<quint64> { 2, 1 }));
    QCOMPARE(sequences(hub.search(QStringLiteral("raises"), { QStringLiteral("AAPL") }, 10)), (QList<quint64> { 2 }));
    QCOMPARE(sequences(hub.search(QStringLiteral("gullwing target"), {}, 10)), (QList<quint64> { 4, 1 }));
    QCOMPARE(sequences(hub.search(QStringLiteral("\"price target cut\""), {}, 10)), (QList<quint64> { 4 }));
    QCOMPARE(sequences(hub.search(QStringLiteral("gullwing"), {}, 1)), (QList<quint64> { 4 }));
    QVERIFY(hub.search(QStringLiteral("nonexistentword"), {}, 10).isEmpty());
}

void TestNewsHub::subscribeReplaysThenLive()
{
    NewsHub hub(fromOne());
    hub.ingest(makeItems(0, 5));
    QList<quint64> got;
    const quint64 id = hub.subscribe(NewsFilter {}, 0, [&](const ItemPtr &p) { got.append(p->item.sequence); });
    QCOMPARE(got, range(1, 5));
    QCOMPARE(hub.subscriptionCount(), 1);
    hub.ingest(makeItems(5, 3));
    QCOMPARE(got, range(1, 8));
    hub.unsubscribe(id);
    QCOMPARE(hub.subscriptionCount(), 0);
    hub.ingest(makeItems(8, 1));
    QCOMPARE(got, range(1, 8));
}

void TestNewsHub::subscribeFromMiddle()
{
    NewsHub hub(fromOne());
    hub.ingest(makeItems(0, 10));
    QList<quint64> got;
    hub.subscribe(NewsFilter {}, 6, [&](const ItemPtr &p) { got.append(p->item.sequence); });
    QCOMPARE(got, range(7, 10));
    hub.ingest(makeItems(10, 2));
    QCOMPARE(got, range(7, 12));
}

void TestNewsHub::subscribeBeyondRingReplaysRetained()
{
    NewsHubSettings settings = fromOne();
    settings.ringOverall = 4;
    settings.ringPerSymbol = 4;
    NewsHub hub(settings);
    hub.ingest(makeItems(0, 10)); // 1..10, only 7..10 retained
    QList<quint64> got;
    hub.subscribe(NewsFilter {}, 2, [&](const ItemPtr &p) { got.append(p->item.sequence); });
    QCOMPARE(got, range(7, 10));
    hub.ingest(makeItems(10, 1));
    QCOMPARE(got, range(7, 11));
}

void TestNewsHub::subscribeFromFutureIsLiveOnly()
{
    NewsHub hub(fromOne());
    hub.ingest(makeItems(0, 3));
    QList<quint64> got;
    // A client resuming with an id from a previous server run must not miss new items.
    hub.subscribe(NewsFilter {}, 1000, [&](const ItemPtr &p) { got.append(p->item.sequence); });
    QVERIFY(got.isEmpty());
    hub.ingest(makeItems(3, 2));
    QCOMPARE(got, range(4, 5));
}

void TestNewsHub::ingestDuringReplayKeepsOrder()
{
    NewsHub hub(fromOne());
    hub.ingest(makeItems(0, 5));
    QList<quint64> got;
    QList<quint64> other;
    hub.subscribe(NewsFilter {}, 0, [&](const ItemPtr &p) { other.append(p->item.sequence); });
    int next = 100;
    hub.subscribe(NewsFilter {}, 2, [&](const ItemPtr &p) {
        got.append(p->item.sequence);
        // New items arrive while we are still replaying (3..5), and after.
        if (p->item.sequence == 3 || p->item.sequence == 6)
            hub.ingest(makeItems(next++, 1));
        if (p->item.sequence == 4) {
            hub.ingest(makeItems(next, 2));
            next += 2;
        }
    });
    // Replay 3,4,5 then the items ingested meanwhile (6 from 3; 7,8 from 4; 9 from 6): no gap, no repeat.
    QCOMPARE(got, range(3, 9));
    QCOMPARE(other, range(1, 9));
    hub.ingest(makeItems(200, 1));
    QCOMPARE(got, range(3, 10));
    QCOMPARE(other, range(1, 10));
}

void TestNewsHub::unsubscribeInsideCallback()
{
    NewsHub hub(fromOne());
    hub.ingest(makeItems(0, 5));
    // A replaying subscription drops a live one and publishes: the dropped one hears nothing.
    QList<quint64> victim;
    const quint64 victimId = hub.subscribe(NewsFilter {}, hub.lastSequence(), [&](const ItemPtr &p) { victim.append(p->item.sequence); });
    QList<quint64> replayed;
    hub.subscribe(NewsFilter {}, 0, [&](const ItemPtr &p) {
        replayed.append(p->item.sequence);
        if (p->item.sequence == 2) {
            hub.unsubscribe(victimId);
            hub.ingest(makeItems(50, 1));
        }
    });
    QCOMPARE(replayed, range(1, 6));
    QVERIFY(victim.isEmpty());
    QCOMPARE(hub.subscriptionCount(), 1);

    // And during live delivery, with another subscriber after it in the list.
    QList<quint64> live;
    quint64 liveId = 0;
    liveId = hub.subscribe(NewsFilter {}, hub.lastSequence(), [&](const ItemPtr &p) {
        live.append(p->item.sequence);
        hub.unsubscribe(liveId);
        hub.unsubscribe(liveId); // twice is harmless
    });
    QList<quint64> after;
    hub.subscribe(NewsFilter {}, hub.lastSequence(), [&](const ItemPtr &p) { after.append(p->item.sequence); });
    hub.ingest(makeItems(5, 2));
    QCOMPARE(live, (QList<quint64> { 7 }));
    QCOMPARE(after, range(7, 8));
    QCOMPARE(replayed, range(1, 8));
    QCOMPARE(hub.subscriptionCount(), 2);
}

void TestNewsHub::unsubscribeManyInOneDispatch()
{
    // One callback drops three symbol subscriptions (two sharing TSLA's index list, one in
    // NVDA's) during a single dispatch: after it, they hear nothing, and the index still
    // reaches the one that is left.
    NewsHub hub(fromOne());
    QList<quint64> kept, dropped;
    quint64 ids[3] = {};
    const NewsFilter tsla = NewsFilter::fromLists({ QStringLiteral("TSLA") }, {});
    const NewsFilter nvda = NewsFilter::fromLists({ QStringLiteral("NVDA") }, {});
    hub.subscribe(tsla, 0, [&](const ItemPtr &p) {
        kept.append(p->item.sequence);
        for (const quint64 id : ids)
            hub.unsubscribe(id);
    });
    ids[0] = hub.subscribe(tsla, 0, [&](const ItemPtr &p) { dropped.append(p->item.sequence); });
    ids[1] = hub.subscribe(tsla, 0, [&](const ItemPtr &p) { dropped.append(p->item.sequence); });
    ids[2] = hub.subscribe(nvda, 0, [&](const ItemPtr &p) { dropped.append(p->item.sequence); });
    QCOMPARE(hub.subscriptionCount(), 4);
    hub.ingest({ makeItem(1, { QStringLiteral("TSLA") }) });
    QCOMPARE(hub.subscriptionCount(), 1);
    hub.ingest({ makeItem(2, { QStringLiteral("TSLA") }, QStringLiteral("Second story")),
        makeItem(3, { QStringLiteral("NVDA") }, QStringLiteral("Third story")) });
    QCOMPARE(kept, (QList<quint64> { 1, 2 }));
    QVERIFY(dropped.isEmpty());
}

void TestNewsHub::unsubscribeFreesCallback()
{
    NewsHub hub(fromOne());
    auto token = std::make_shared<int>(42);
    std::weak_ptr<int> watch = token;
    const quint64 id = hub.subscribe(NewsFilter {}, 0, [token](const ItemPtr &) { });
    token.reset();
    QVERIFY(!watch.expired());
    hub.unsubscribe(id);
    QVERIFY(watch.expired());

    // Unsubscribed from inside its own callback: freed as soon as the call returns.
    auto token2 = std::make_shared<int>(7);
    std::weak_ptr<int> watch2 = token2;
    quint64 id2 = 0;
    id2 = hub.subscribe(NewsFilter {}, hub.lastSequence(), [token2, &hub, &id2](const ItemPtr &) { hub.unsubscribe(id2); });
    token2.reset();
    hub.ingest(makeItems(0, 1));
    QVERIFY(watch2.expired());
    QCOMPARE(hub.subscriptionCount(), 0);
}

void TestNewsHub::subscriptionsFilterBySymbolAndKeyword()
{
    NewsHub hub(fromOne());
    QList<quint64> tsla;
    QList<quint64> keyword;
    hub.subscribe(NewsFilter::fromLists({ QStringLiteral("tsla") }, {}), 0, [&](const ItemPtr &p) { tsla.append(p->item.sequence); });
    hub.subscribe(NewsFilter::fromLists({}, { QStringLiteral("dividend") }), 0, [&](const ItemPtr &p) { keyword.append(p->item.sequence); });
    hub.ingest({ makeItem(1, { QStringLiteral("TSLA") }), makeItem(2, { QStringLiteral("AAPL") }, QStringLiteral("Orchard Lane lifts dividend")),
        makeItem(3, { QStringLiteral("TSLA"), QStringLiteral("AAPL") }) });
    QCOMPARE(tsla, (QList<quint64> { 1, 3 }));
    QCOMPARE(keyword, (QList<quint64> { 2 }));
    QStringList invalid;
    const NewsFilter f = NewsFilter::fromLists({ QStringLiteral("ok"), QStringLiteral("no way"), QStringLiteral("^") }, { QStringLiteral("  ") }, &invalid);
    QCOMPARE(f.symbols, QStringList { QStringLiteral("OK") });
    QVERIFY(f.keywords.isEmpty());
    // Sorted and each once, whatever the order and case they came in.
    const NewsFilter many = NewsFilter::fromLists({ QStringLiteral("tsla"), QStringLiteral("NVDA"),
                                                      QStringLiteral(" TSLA "), QStringLiteral("aapl") },
        {});
    QCOMPARE(many.symbols, (QStringList { QStringLiteral("AAPL"), QStringLiteral("NVDA"), QStringLiteral("TSLA") }));
    QVERIFY(many.hasSymbol(QStringLiteral("NVDA")));
    QVERIFY(!many.hasSymbol(QStringLiteral("MSFT")));
    QCOMPARE(invalid, (QStringList { QStringLiteral("no way"), QStringLiteral("^") }));
}

void TestNewsHub::jsonIsBuiltOnceAndShared()
{
    NewsHub hub(fromOne());
    QList<ItemPtr> a;
    QList<ItemPtr> b;
    hub.subscribe(NewsFilter {}, 0, [&](const ItemPtr &p) { a.append(p); });
    hub.subscribe(NewsFilter {}, 0, [&](const ItemPtr &p) { b.append(p); });
    const QList<ItemPtr> accepted = hub.ingest(makeItems(0, 2));
    QCOMPARE(a.size(), 2);
    QCOMPARE(b.size(), 2);
    for (int i = 0; i < 2; ++i) {
        // The same buffer, not equal copies.
        QCOMPARE(a.at(i)->json.constData(), b.at(i)->json.constData());
        QCOMPARE(a.at(i)->json.constData(), accepted.at(i)->json.constData());
        QCOMPARE(a.at(i)->json, a.at(i)->item.toJson());
    }
    // Replay and latest() hand out the same bytes too.
    QList<ItemPtr> late;
    hub.subscribe(NewsFilter {}, 0, [&](const ItemPtr &p) { late.append(p); });
    QCOMPARE(late.at(1)->json.constData(), a.at(1)->json.constData());
    QCOMPARE(hub.latest(NewsFilter {}, 1).at(0)->json.constData(), a.at(1)->json.constData());
}

void TestNewsHub::publishNsFromMonotonicClock()
{
    NewsHub hub(fromOne());
    const qint64 before = NewsItem::monotonicNowNs();
    const QList<ItemPtr> out = hub.ingest(makeItems(0, 2));
    const qint64 after = NewsItem::monotonicNowNs();
    QVERIFY(out.at(0)->item.publishNs >= before);
    QVERIFY(out.at(1)->item.publishNs >= out.at(0)->item.publishNs);
    QVERIFY(out.at(1)->item.publishNs <= after);
}

void TestNewsHub::providersFollowSubscriptionSymbols()
{
    NewsHub hub(fromOne());
    auto *provider = new FakeProvider;
    hub.addProvider(provider);
    QCOMPARE(provider->parent(), &hub);
    QCOMPARE(hub.providers().size(), 1);
    QCOMPARE(hub.provider(QStringLiteral("fake")), provider);
    const quint64 a = hub.subscribe(NewsFilter::fromLists({ QStringLiteral("tsla"), QStringLiteral("aapl") }, {}), 0, [](const ItemPtr &) { });
    const quint64 b = hub.subscribe(NewsFilter::fromLists({ QStringLiteral("AAPL"), QStringLiteral("brk.b") }, {}), 0, [](const ItemPtr &) { });
    hub.subscribe(NewsFilter {}, 0, [](const ItemPtr &) { });
    QCOMPARE(provider->symbols(), (QStringList { QStringLiteral("AAPL"), QStringLiteral("BRK.B"), QStringLiteral("TSLA") }));
    hub.unsubscribe(a);
    QCOMPARE(provider->symbols(), (QStringList { QStringLiteral("AAPL"), QStringLiteral("BRK.B") }));
    hub.unsubscribe(b);
    QVERIFY(provider->symbols().isEmpty());

    // Items from the provider reach the hub.
    QSignalSpy published(&hub, &NewsHub::published);
    provider->emitItems(makeItems(0, 2));
    QCOMPARE(published.count(), 2);
}

void TestNewsHub::metricsCount()
{
    tw::core::MetricsRegistry metrics;
    NewsHub hub(fromOne(), &metrics);
    NewsItem original = makeItem(1, { QStringLiteral("TSLA") }, QStringLiteral("Gullwing Motorworks beats Q3 estimates on strong EV demand"));
    original.source = QStringLiteral("A");
    NewsItem echo = makeItem(2, { QStringLiteral("TSLA") }, original.headline);
    echo.source = QStringLiteral("B");
    hub.ingest({ original, echo, original, makeItem(3) });
    const QByteArray label = "provider=\"test\"";
    QCOMPARE(metrics.value("tickerwire_news_items_ingested_total", label), 4.0);
    QCOMPARE(metrics.value("tickerwire_news_items_accepted_total", label), 2.0);
    QCOMPARE(metrics.value("tickerwire_news_items_duplicate_total", label), 1.0);
    QCOMPARE(metrics.value("tickerwire_news_items_grouped_total", label), 1.0);
    QCOMPARE(metrics.value("tickerwire_news_last_sequence"), 2.0);
    const quint64 id = hub.subscribe(NewsFilter {}, 0, [](const ItemPtr &) { });
    QCOMPARE(metrics.value("tickerwire_news_subscriptions"), 1.0);
    hub.unsubscribe(id);
    QCOMPARE(metrics.value("tickerwire_news_subscriptions"), 0.0);
    QVERIFY(metrics.renderPrometheus().contains("tickerwire_news_items_accepted_total{provider=\"test\"} 2"));
}

QTEST_GUILESS_MAIN(TestNewsHub)
// Delivery goes through a per-symbol index: an item about two symbols reaches a stream of both
// once, streams of neither never, streams without a symbol filter always (by keyword), all in
// subscription order; one unsubscribed by an earlier callback of the same dispatch gets none.
void TestNewsHub::itemReachesEachMatchingSubscriptionOnceInOrder()
{
    NewsHub hub(fromOne());
    QStringList log;
    const auto record = [&log](const QString &who) {
        return [&log, who](const ItemPtr &p) { log.append(who + QLatin1Char(':') + p->item.id); };
    };
    quint64 victim = 0;
    hub.subscribe(NewsFilter::fromLists({ QStringLiteral("TSLA"), QStringLiteral("NVDA") }, {}), 0,
        [&](const ItemPtr &p) {
            log.append(QStringLiteral("both:") + p->item.id);
            if (victim)
                hub.unsubscribe(std::exchange(victim, 0));
        });
    hub.subscribe(NewsFilter::fromLists({ QStringLiteral("AAPL") }, {}), 0, record(QStringLiteral("aapl")));
    hub.subscribe(NewsFilter {}, 0, record(QStringLiteral("all")));
    hub.subscribe(NewsFilter::fromLists({}, { QStringLiteral("nothing-like-this") }), 0, record(QStringLiteral("keyword")));
    hub.subscribe(NewsFilter::fromLists({ QStringLiteral("NVDA") }, {}), 0, record(QStringLiteral("nvda")));
    hub.subscribe(NewsFilter::fromLists({ QStringLiteral("TSLA") }, {}), 0, record(QStringLiteral("tsla")));

    hub.ingest({ makeItem(1, { QStringLiteral("TSLA"), QStringLiteral("NVDA") }) });
    QCOMPARE(log, (QStringList { QStringLiteral("both:t:1"), QStringLiteral("all:t:1"),
                      QStringLiteral("nvda:t:1"), QStringLiteral("tsla:t:1") }));

    victim = hub.subscribe(NewsFilter::fromLists({ QStringLiteral("NVDA") }, {}), 0, record(QStringLiteral("victim")));
    QCOMPARE(log.last(), QStringLiteral("victim:t:1")); // its replay
    log.clear();
    hub.ingest({ makeItem(2, { QStringLiteral("NVDA") }) });
    QCOMPARE(log, (QStringList { QStringLiteral("both:t:2"), QStringLiteral("all:t:2"),
                      QStringLiteral("nvda:t:2") }));
    log.clear();
    hub.ingest({ makeItem(3, { QStringLiteral("AAPL") }) });
    QCOMPARE(log, (QStringList { QStringLiteral("aapl:t:3"), QStringLiteral("all:t:3") }));
}

#include "tst_newshub.moc"
