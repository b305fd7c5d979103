// The one owner of news in a process: providers hand it batches, it drops duplicates, groups
// near-duplicates of one story ("+N sources"), numbers what it accepts, keeps bounded rings
// (per symbol and overall) and fans items out to subscriptions, replay first, then live.
// Every ring is bounded on its own, and all of them together hold at most `retainedMax` items
// (the oldest goes first, from every ring that holds it): without that, a feed that touches
// thousands of symbols filled 500 items per symbol, ~200 MiB at the defaults.
//
// Threading: a NewsHub lives on one thread; every method, and every subscription callback,
// runs on that thread. Nothing here blocks.
//
// Duplicates: an item is a duplicate (dropped, counted) when its id or its canonical URL was
// seen among the last `dedupeCapacity` accepted items.
//
// Near-duplicates ("grouping"): an incoming item is the same story as a retained one when
//   - they come from different sources (case-insensitive),
//   - they share at least one symbol (or both have none),
//   - their publishedAt times are within `groupWindowMs` of each other, and
//   - their normalised headlines are alike: lower-cased words of two or more letters/digits,
//     minus a short stop-word list, compared as sets; Jaccard similarity >= `groupSimilarity`
//     (identical normalised headlines always match).
// Only the newest `groupScanLimit` items of each shared symbol (or of the overall ring for
// symbol-less items) are compared, so ingest cost stays bounded at high rates. A grouped item
// is not republished and gets no sequence number: the original's otherSources gains the new
// source, its JSON is rebuilt once, and itemUpdated() carries the new PublishedItem (same
// sequence). Subscriptions are not called for updates; listen to itemUpdated() for those.
//
// Sequence numbers: a hub numbers items from a per-process base, by default the wall clock's
// milliseconds at construction times 1000 (about 1.8e15 in 2026, below 2^53 until the year
// 2255, so JSON and JavaScript carry them exactly), and at least one above every number an
// earlier hub of this process issued. A restarted server therefore issues numbers above those
// of the run before (which would have had to average more than 1000 items per millisecond to
// reach them), so a bridge client resuming with an old Last-Event-ID is below the new hub's
// range and gets a gap replay of what the hub holds, instead of being taken for a client
// from the future and silently skipping everything published since the restart. A wall clock
// set back between two runs by more than the real time between their starts defeats this:
// the new numbers can then overlap the old ones (docs/reliability.md, "Clock jumps").
// Sequence 0 means "none": an item not (yet) published, "from the start" in subscribe().
#pragma once

#include "newsfilter.h"
#include "newsitem.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace tw::core {
class Counter;
class Gauge;
class MetricsRegistry;
}

namespace tw::news {

class NewsProvider;

// An accepted item and its JSON (item.toJson(), built exactly once): every subscriber and
// every stream shares these bytes.
struct PublishedItem {
    core::NewsItem item;
    QByteArray json;
    // `json` as a JSON string literal, quotes included, escaped as QJsonDocument escapes it:
    // streams that carry the item as a message (the bridge's progress notifications) splice
    // these bytes in instead of escaping the item again for every subscriber.
    QByteArray jsonString;
};
using ItemPtr = std::shared_ptr<const PublishedItem>;

struct NewsHubSettings {
    int ringPerSymbol = 500; // items kept per symbol
    int ringOverall = 5000; // items kept overall (symbol-less items live only here)
    int retainedMax = 20000; // items kept in all rings together, at most; the oldest goes
    int dedupeCapacity = 50000; // ids / canonical URLs remembered for duplicate detection
    qint64 groupWindowMs = 2 * 60 * 60 * 1000; // near-duplicates: max publishedAt distance
    double groupSimilarity = 0.7; // near-duplicates: min Jaccard similarity of headline words
    int groupScanLimit = 64; // near-duplicates: newest items compared per shared symbol
    int maxSymbolRings = 20000; // beyond this, the ring of the least recently active symbol goes
    // Benchmarks only (--bench-publish-ns): each item's JSON also carries "publishNs", the
    // CLOCK_MONOTONIC ns of its publication, so a load generator on the same host can measure
    // delivery latency. Off by default: the wire format is then unchanged.
    bool publishNsOnWire = false;
    // The first sequence number to issue. 0 (the default): NewsHub::clockSequenceBase() of the
    // wall clock at construction, raised above every number an earlier hub of this process
    // issued. Tests set a small explicit one (then taken as is).
    quint64 firstSequence = 0;
};

class NewsHub : public QObject {
    Q_OBJECT
public:
    using ItemCallback = std::function<void(const ItemPtr &)>;

    explicit NewsHub(const NewsHubSettings &settings = {}, core::MetricsRegistry *metrics = nullptr,
        QObject *parent = nullptr);
    ~NewsHub() override;

    const NewsHubSettings &settings() const { return m_settings; }

    // Largest sequence number a hub issues as a base: 2^53 - 2^40, so even a clock far in the
    // future leaves room for 2^40 items below 2^53 (the largest integer JSON numbers carry
    // exactly in JavaScript).
    static constexpr quint64 kMaxSequenceBase = (quint64(1) << 53) - (quint64(1) << 40);
    // The default first sequence for a hub created at `epochMs` (UTC ms): epochMs * 1000,
    // clamped to [1, kMaxSequenceBase].
    static quint64 clockSequenceBase(qint64 epochMs);
    // The first sequence number this hub issues (or issued).
    quint64 firstSequence() const { return m_firstSequence; }

    // Takes ownership (becomes the parent), connects itemsReady -> ingest, and keeps the
    // provider's symbols equal to the union of the subscriptions' symbols. Does not start it.
    void addProvider(NewsProvider *provider);
    QList<NewsProvider *> providers() const { return m_providers; }
    NewsProvider *provider(const QString &id) const;
    void startProviders();
    void stopProviders();

    // Accepts a batch: returns the items published (with their new sequence numbers), in
    // order. Invalid items (no headline), duplicates and near-duplicates are not returned.
    QList<ItemPtr> ingest(const QList<core::NewsItem> &batch);

    // Retained items matching the filter, newest first, at most `limit` (<= 0: no limit),
    // published at or after `sinceMs` (UTC epoch ms of publishedAt; 0 = any).
    QList<ItemPtr> latest(const NewsFilter &filter, int limit, qint64 sinceMs = 0) const;
    // Retained items whose headline, summary or source contain every word of `query`
    // (case-insensitive; "quoted phrases" stay whole), newest first.
    QList<ItemPtr> search(const QString &query, const QSet<QString> &symbols, int limit) const;
    // The retained item with this sequence number, if any.
    ItemPtr itemBySequence(quint64 sequence) const;

    // The newest sequence number issued; 0 while the hub has published nothing.
    quint64 lastSequence() const { return m_lastSequence; }
    // Lowest sequence still retained in the overall ring (0 when empty).
    quint64 oldestRetainedSequence() const;
    int retainedCount() const { return int(m_overall.size()); }
    // Distinct items held by any ring (at most NewsHubSettings::retainedMax).
    int retainedTotal() const { return m_liveEntries; }
    int retainedCount(const QString &symbol) const;

    // Calls onItem for every retained item with sequence > fromSequence that matches (in
    // order), then for every live one, with no gap and no repeat at the boundary (items
    // ingested from inside a callback during replay are delivered after the replay, in
    // order). fromSequence >= lastSequence() means live only. onItem runs synchronously on
    // the hub's thread, may call ingest(), subscribe() and unsubscribe() (also its own).
    quint64 subscribe(const NewsFilter &filter, quint64 fromSequence, ItemCallback onItem);
    // Frees the subscription (its callback is destroyed once no call of it is running).
    void unsubscribe(quint64 id);
    int subscriptionCount() const { return m_activeSubscriptions; }
    // Union of the subscriptions' symbols, sorted (what providers are told to watch).
    QStringList watchedSymbols() const;

Q_SIGNALS:
    void published(const tw::news::ItemPtr &item);
    void itemUpdated(const tw::news::ItemPtr &item);

private:
    struct Entry; // a retained item plus what grouping needs (headline words)
    using EntryPtr = std::shared_ptr<Entry>;
    struct Subscription;
    struct ProviderCounters;

    void onProviderItems(const QList<core::NewsItem> &items);
    QByteArray serialize(const core::NewsItem &item) const;
    static QByteArray jsonStringLiteral(const QByteArray &json);
    bool normalize(core::NewsItem &item) const;
    bool isDuplicate(const core::NewsItem &item, const QString &canonicalUrl) const;
    void remember(const QString &id, const QString &canonicalUrl);
    EntryPtr findNearDuplicate(const core::NewsItem &item, const std::vector<quint64> &words) const;
    void groupInto(const EntryPtr &original, const core::NewsItem &item);
    void retain(const EntryPtr &entry);
    void enforceRetainedMax();
    void deliver(const ItemPtr &item);
    void deliverTo(Subscription &subscription, const ItemPtr &item);
    void compactSubscriptions();
    void updateProviderSymbols();
    void countSymbols(const NewsFilter &filter, int delta);
    // Retained items matching `filter` with sequence > afterSequence, ascending by sequence.
    std::vector<ItemPtr> collect(const NewsFilter &filter, quint64 afterSequence) const;
    std::deque<EntryPtr> &ringFor(const QString &symbol);
    ProviderCounters &countersFor(const QString &provider);

    NewsHubSettings m_settings;
    core::MetricsRegistry *m_metrics = nullptr;
    QList<NewsProvider *> m_providers;

    quint64 m_firstSequence = 1;
    quint64 m_nextSequence = 1;
    quint64 m_lastSequence = 0;
    // Entries alive (held by a ring): counted by Entry's destructor, so declared before the
    // rings, which are destroyed first. m_allEntries lists them by ascending sequence (expired
    // ones are skipped and compacted away) to find the oldest when over retainedMax.
    int m_liveEntries = 0;
    std::deque<std::weak_ptr<Entry>> m_allEntries;
    std::deque<EntryPtr> m_overall; // ascending sequence
    QHash<QString, std::deque<EntryPtr>> m_bySymbol; // ascending sequence

    // Duplicate detection: keys of the last dedupeCapacity accepted items, FIFO.
    QSet<QString> m_seenKeys;
    std::deque<QString> m_seenOrder;

    std::vector<std::shared_ptr<Subscription>> m_subscriptions;
    // Who can match an item: subscriptions by each symbol they name, and those naming none.
    // An item is tested only against these, not against every stream (with 1,000 streams
    // the filter test per subscriber and item was a fifth of the server's CPU). Entries go
    // with compactSubscriptions(), which is when a removed Subscription is freed.
    QHash<QString, std::vector<Subscription *>> m_subscribersBySymbol;
    std::vector<Subscription *> m_subscribersOfAll;
    quint64 m_nextSubscriptionId = 1;
    int m_activeSubscriptions = 0;
    int m_dispatchDepth = 0; // > 0 while callbacks run: removal is deferred
    bool m_needsCompaction = false;
    QStringList m_watched;
    // How many live subscriptions name each symbol: subscribe/unsubscribe update the watched
    // list only when a symbol comes or goes, so opening N streams costs O(N), not O(N^2).
    QHash<QString, int> m_symbolRefs;

    std::map<QString, std::unique_ptr<ProviderCounters>> m_providerCounters;
    core::Gauge *m_subscriptionsGauge = nullptr;
    core::Gauge *m_lastSequenceGauge = nullptr;
    core::Gauge *m_retainedGauge = nullptr;
};

} // namespace tw::news

Q_DECLARE_METATYPE(tw::news::ItemPtr)
