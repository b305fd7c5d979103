#include "newshub.h"

#include "jsonwrite.h"
#include "logging.h"
#include "metrics.h"
#include "newsprovider.h"
#include "sendbatch.h"
#include "sentiment.h"
#include "stablehash.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <atomic>

namespace tw::news {

struct NewsHub::Entry {
    explicit Entry(int *live)
        : liveCount(live)
    {
        ++*liveCount;
    }
    ~Entry() { --*liveCount; }
    Entry(const Entry &) = delete;
    Entry &operator=(const Entry &) = delete;

    int *liveCount; // the hub's m_liveEntries
    ItemPtr item; // replaced (never mutated) when a near-duplicate joins the story
    std::vector<quint64> words; // hashes of the normalised headline words, sorted, unique
    QString sourceKey; // lower-cased source
};

struct NewsHub::Subscription {
    quint64 id = 0;
    NewsFilter filter;
    ItemCallback onItem;
    quint64 lastDelivered = 0;
    bool replaying = true;
    bool removed = false;
    // Live items that arrived while replaying. A QList: empty, it allocates nothing (a
    // std::deque holds ~580 bytes from construction, for every subscription's lifetime).
    QList<ItemPtr> pending;
};

struct NewsHub::ProviderCounters {
    core::Counter *ingested = nullptr;
    core::Counter *accepted = nullptr;
    core::Counter *duplicates = nullptr;
    core::Counter *grouped = nullptr;
    core::Counter *invalid = nullptr;
    core::Counter fallback[5]; // used when there is no registry
};

namespace {

const QSet<QString> &stopWords()
{
    static const QSet<QString> words = [] {
        QSet<QString> s;
        for (const char *w : { "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "as", "at",
                 "by", "with", "from", "is", "are", "be", "its", "it", "after", "amid", "over", "says",
                 "said", "report", "reports", "new", "this", "that", "into", "than", "vs" })
            s.insert(QString::fromLatin1(w));
        return s;
    }();
    return words;
}

// Headline words as 64-bit hashes (core::stableHash), sorted and unique. Grouping compares word
// sets of up to 64 retained items per incoming item: as integers that is a merge of a few dozen
// compares instead of as many string compares (the largest single cost of ingesting an item),
// and an entry keeps 8 bytes per word instead of a string. A collision (about 1 in 2^64 per
// pair of words) could only make two headlines look a word more alike.
std::vector<quint64> headlineWords(const QString &headline)
{
    std::vector<quint64> words;
    QString current;
    auto flush = [&] {
        if (current.size() >= 2 && !stopWords().contains(current))
            words.push_back(core::stableHash(current));
        current.clear();
    };
    for (const QChar c : headline) {
        if (c.isLetterOrNumber())
            current.append(c.toLower());
        else
            flush();
    }
    flush();
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    return words;
}

double jaccard(const std::vector<quint64> &a, const std::vector<quint64> &b)
{
    if (a.empty() || b.empty())
        return 0.0;
    size_t i = 0, j = 0, common = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i] < b[j]) {
            ++i;
        } else if (b[j] < a[i]) {
            ++j;
        } else {
            ++common;
            ++i;
            ++j;
        }
    }
    return double(common) / double(a.size() + b.size() - common);
}

QString sha256Hex(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QStringList searchTerms(const QString &query)
{
    QStringList terms;
    QString current;
    bool quoted = false;
    for (const QChar c : query) {
        if (c == QLatin1Char('"')) {
            if (!current.trimmed().isEmpty())
                terms.append(current.trimmed());
            current.clear();
            quoted = !quoted;
        } else if (c.isSpace() && !quoted) {
            if (!current.isEmpty())
                terms.append(current);
            current.clear();
        } else {
            current.append(c);
        }
    }
    if (!current.trimmed().isEmpty())
        terms.append(current.trimmed());
    return terms;
}

// The highest sequence number any hub of this process has issued: a hub created after another
// (the GUI restarting its embedded server, tests) starts above it even within one millisecond.
std::atomic<quint64> g_highestIssued { 0 };

void noteIssued(quint64 sequence)
{
    quint64 seen = g_highestIssued.load(std::memory_order_relaxed);
    while (sequence > seen && !g_highestIssued.compare_exchange_weak(seen, sequence, std::memory_order_relaxed)) { }
}

bool lessBySequence(const ItemPtr &a, const ItemPtr &b)
{
    return a->item.sequence < b->item.sequence;
}

} // namespace

NewsHub::NewsHub(const NewsHubSettings &settings, core::MetricsRegistry *metrics, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_metrics(metrics)
{
    qRegisterMetaType<tw::news::ItemPtr>();
    m_settings.ringPerSymbol = std::max(1, m_settings.ringPerSymbol);
    m_settings.ringOverall = std::max(1, m_settings.ringOverall);
    m_settings.retainedMax = std::max(1, m_settings.retainedMax);
    m_settings.dedupeCapacity = std::max(1, m_settings.dedupeCapacity);
    m_settings.groupScanLimit = std::max(0, m_settings.groupScanLimit);
    m_settings.maxSymbolRings = std::max(1, m_settings.maxSymbolRings);
    if (m_settings.firstSequence == 0) {
        m_firstSequence = std::max(clockSequenceBase(QDateTime::currentMSecsSinceEpoch()),
            g_highestIssued.load(std::memory_order_relaxed) + 1);
    } else {
        m_firstSequence = m_settings.firstSequence;
    }
    m_nextSequence = m_firstSequence;
    if (m_metrics) {
        m_subscriptionsGauge = m_metrics->gauge("tickerwire_news_subscriptions",
            "Active NewsHub subscriptions (MCP streams, bridge streams, resource watchers)");
        m_lastSequenceGauge = m_metrics->gauge("tickerwire_news_last_sequence",
            "Sequence number of the last news item the hub published");
        m_retainedGauge = m_metrics->gauge("tickerwire_news_retained_items",
            "News items held in the hub's overall ring");
    }
}

quint64 NewsHub::clockSequenceBase(qint64 epochMs)
{
    if (epochMs <= 0)
        return 1; // a clock before 1970: the least we can do is not to issue 0
    if (quint64(epochMs) >= kMaxSequenceBase / 1000)
        return kMaxSequenceBase;
    return quint64(epochMs) * 1000;
}

NewsHub::~NewsHub()
{
    // Providers are children and go with us; stop them first so none emits into a half-dead hub.
    for (NewsProvider *p : std::as_const(m_providers))
        p->stop();
}

void NewsHub::addProvider(NewsProvider *provider)
{
    if (!provider || m_providers.contains(provider))
        return;
    provider->setParent(this);
    m_providers.append(provider);
    connect(provider, &NewsProvider::itemsReady, this, &NewsHub::onProviderItems);
    provider->setSymbols(m_watched);
}

NewsProvider *NewsHub::provider(const QString &id) const
{
    for (NewsProvider *p : m_providers) {
        if (p->id() == id)
            return p;
    }
    return nullptr;
}

void NewsHub::startProviders()
{
    for (NewsProvider *p : std::as_const(m_providers))
        p->start();
}

void NewsHub::stopProviders()
{
    for (NewsProvider *p : std::as_const(m_providers))
        p->stop();
}

void NewsHub::onProviderItems(const QList<core::NewsItem> &items)
{
    ingest(items);
}

NewsHub::ProviderCounters &NewsHub::countersFor(const QString &provider)
{
    const QString key = provider.isEmpty() ? QStringLiteral("unknown") : provider;
    auto it = m_providerCounters.find(key);
    if (it != m_providerCounters.end())
        return *it->second;
    auto counters = std::make_unique<ProviderCounters>();
    if (m_metrics) {
        QByteArray label = key.toUtf8();
        label.replace('\\', "\\\\").replace('"', "\\\"");
        const QByteArray labels = "provider=\"" + label + '"';
        counters->ingested = m_metrics->counter("tickerwire_news_items_ingested_total",
            "News items received from providers", labels);
        counters->accepted = m_metrics->counter("tickerwire_news_items_accepted_total",
            "News items published by the hub (new sequence numbers)", labels);
        counters->duplicates = m_metrics->counter("tickerwire_news_items_duplicate_total",
            "News items dropped as exact duplicates (same id or canonical URL)", labels);
        counters->grouped = m_metrics->counter("tickerwire_news_items_grouped_total",
            "News items grouped into an earlier story from another source", labels);
        counters->invalid = m_metrics->counter("tickerwire_news_items_invalid_total",
            "News items dropped as unusable (no headline)", labels);
    } else {
        counters->ingested = &counters->fallback[0];
        counters->accepted = &counters->fallback[1];
        counters->duplicates = &counters->fallback[2];
        counters->grouped = &counters->fallback[3];
        counters->invalid = &counters->fallback[4];
    }
    return *m_providerCounters.emplace(key, std::move(counters)).first->second;
}

QByteArray NewsHub::serialize(const core::NewsItem &item) const
{
    return item.toJson(m_settings.publishNsOnWire);
}

QByteArray NewsHub::jsonStringLiteral(const QByteArray &json)
{
    // Exactly what a QJsonObject holding the item's JSON as a string serialises to.
    return core::json::stringLiteral(json);
}

bool NewsHub::normalize(core::NewsItem &item) const
{
    item.headline = item.headline.trimmed();
    if (item.headline.isEmpty())
        return false;
    QStringList symbols;
    for (const QString &raw : std::as_const(item.symbols)) {
        const QString s = NewsFilter::normalizedSymbol(raw);
        if (!s.isNull() && !symbols.contains(s))
            symbols.append(s);
    }
    item.symbols = symbols;
    if (item.receivedAtMs == 0)
        item.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    if (item.publishedAtMs == 0)
        item.publishedAtMs = item.receivedAtMs;
    if (item.id.isEmpty()) {
        item.id = item.url.isEmpty()
            ? QStringLiteral("h:") + sha256Hex(item.source + QLatin1Char('\n') + item.headline + QLatin1Char('\n') + QString::number(item.publishedAtMs))
            : QStringLiteral("u:") + sha256Hex(core::NewsItem::canonicalUrl(item.url));
    }
    if (!item.sentiment)
        item.sentiment = Sentiment::score(item.headline, item.summary);
    item.sequence = 0;
    item.publishNs = 0;
    return true;
}

bool NewsHub::isDuplicate(const core::NewsItem &item, const QString &canonicalUrl) const
{
    if (m_seenKeys.contains(QStringLiteral("i:") + item.id))
        return true;
    return !canonicalUrl.isEmpty() && m_seenKeys.contains(QStringLiteral("u:") + canonicalUrl);
}

void NewsHub::remember(const QString &id, const QString &canonicalUrl)
{
    auto add = [this](const QString &key) {
        if (m_seenKeys.contains(key))
            return;
        m_seenKeys.insert(key);
        m_seenOrder.push_back(key);
    };
    add(QStringLiteral("i:") + id);
    if (!canonicalUrl.isEmpty())
        add(QStringLiteral("u:") + canonicalUrl);
    // Two keys per item at most.
    while (m_seenOrder.size() > size_t(m_settings.dedupeCapacity) * 2) {
        m_seenKeys.remove(m_seenOrder.front());
        m_seenOrder.pop_front();
    }
}

NewsHub::EntryPtr NewsHub::findNearDuplicate(const core::NewsItem &item, const std::vector<quint64> &words) const
{
    if (words.empty() || m_settings.groupScanLimit == 0)
        return nullptr;
    const QString sourceKey = item.source.toLower();
    auto scan = [&](const std::deque<EntryPtr> &ring, bool requireNoSymbols) -> EntryPtr {
        int scanned = 0;
        for (auto it = ring.rbegin(); it != ring.rend() && scanned < m_settings.groupScanLimit; ++it, ++scanned) {
            const Entry &e = **it;
            if (e.sourceKey == sourceKey)
                continue;
            if (requireNoSymbols && !e.item->item.symbols.isEmpty())
                continue;
            if (std::abs(e.item->item.publishedAtMs - item.publishedAtMs) > m_settings.groupWindowMs)
                continue;
            if (e.words == words || jaccard(e.words, words) >= m_settings.groupSimilarity)
                return *it;
        }
        return nullptr;
    };
    if (item.symbols.isEmpty())
        return scan(m_overall, true);
    for (const QString &s : item.symbols) {
        const auto it = m_bySymbol.constFind(s);
        if (it == m_bySymbol.constEnd())
            continue;
        if (EntryPtr found = scan(*it, false))
            return found;
    }
    return nullptr;
}

void NewsHub::groupInto(const EntryPtr &original, const core::NewsItem &item)
{
    const core::NewsItem &current = original->item->item;
    const QString source = item.source.trimmed().isEmpty() ? item.provider : item.source.trimmed();
    if (source.isEmpty() || current.source.compare(source, Qt::CaseInsensitive) == 0)
        return;
    for (const QString &s : current.otherSources) {
        if (s.compare(source, Qt::CaseInsensitive) == 0)
            return;
    }
    auto updated = std::make_shared<PublishedItem>();
    updated->item = current;
    updated->item.otherSources.append(source);
    updated->json = serialize(updated->item);
    updated->jsonString = jsonStringLiteral(updated->json);
    original->item = updated;
    Q_EMIT itemUpdated(original->item);
}

void NewsHub::enforceRetainedMax()
{
    while (m_liveEntries > m_settings.retainedMax && !m_allEntries.empty()) {
        const EntryPtr oldest = m_allEntries.front().lock();
        m_allEntries.pop_front();
        if (!oldest)
            continue; // already gone from every ring
        // The oldest live entry is at the front of every ring holding it: rings ascend by
        // sequence and hold only live entries. It dies with `oldest`, at the end of this pass.
        if (!m_overall.empty() && m_overall.front() == oldest)
            m_overall.pop_front();
        for (const QString &s : oldest->item->item.symbols) {
            const auto it = m_bySymbol.find(s);
            if (it != m_bySymbol.end() && !it->empty() && it->front() == oldest)
                it->pop_front();
        }
    }
    // Entries that left their rings on their own stay listed (expired) until a compaction.
    if (m_allEntries.size() > 2 * size_t(m_liveEntries) + 64) {
        m_allEntries.erase(std::remove_if(m_allEntries.begin(), m_allEntries.end(),
                               [](const std::weak_ptr<Entry> &w) { return w.expired(); }),
            m_allEntries.end());
    }
    if (m_retainedGauge)
        m_retainedGauge->set(qint64(m_overall.size()));
}

std::deque<NewsHub::EntryPtr> &NewsHub::ringFor(const QString &symbol)
{
    auto it = m_bySymbol.find(symbol);
    if (it != m_bySymbol.end())
        return *it;
    if (m_bySymbol.size() >= m_settings.maxSymbolRings) {
        // Forget the symbol whose newest item is the oldest: bounded memory under hostile feeds.
        auto victim = m_bySymbol.begin();
        quint64 oldest = ~quint64(0);
        for (auto r = m_bySymbol.begin(); r != m_bySymbol.end(); ++r) {
            const quint64 newest = r->empty() ? 0 : r->back()->item->item.sequence;
            if (newest < oldest) {
                oldest = newest;
                victim = r;
            }
        }
        m_bySymbol.erase(victim);
    }
    return *m_bySymbol.insert(symbol, {});
}

void NewsHub::retain(const EntryPtr &entry)
{
    m_overall.push_back(entry);
    while (m_overall.size() > size_t(m_settings.ringOverall))
        m_overall.pop_front();
    for (const QString &s : entry->item->item.symbols) {
        std::deque<EntryPtr> &ring = ringFor(s);
        ring.push_back(entry);
        while (ring.size() > size_t(m_settings.ringPerSymbol))
            ring.pop_front();
    }
    m_allEntries.push_back(entry);
    enforceRetainedMax(); // also updates the retained-items gauge
}

QList<ItemPtr> NewsHub::ingest(const QList<core::NewsItem> &batch)
{
    QList<ItemPtr> accepted;
    for (const core::NewsItem &incoming : batch) {
        ProviderCounters &counters = countersFor(incoming.provider);
        counters.ingested->inc();
        core::NewsItem item = incoming;
        if (!normalize(item)) {
            counters.invalid->inc();
            continue;
        }
        const QString canonical = item.url.isEmpty() ? QString() : core::NewsItem::canonicalUrl(item.url);
        if (isDuplicate(item, canonical)) {
            counters.duplicates->inc();
            continue;
        }
        std::vector<quint64> words = headlineWords(item.headline);
        if (EntryPtr original = findNearDuplicate(item, words)) {
            remember(item.id, canonical);
            counters.grouped->inc();
            groupInto(original, item);
            continue;
        }

        item.sequence = m_nextSequence++;
        m_lastSequence = item.sequence;
        item.publishNs = core::NewsItem::monotonicNowNs();
        auto published = std::make_shared<PublishedItem>();
        published->item = std::move(item);
        published->json = serialize(published->item);
        published->jsonString = jsonStringLiteral(published->json);
        auto entry = std::make_shared<Entry>(&m_liveEntries);
        entry->item = published;
        entry->words = std::move(words);
        entry->sourceKey = published->item.source.toLower();
        retain(entry);
        remember(published->item.id, canonical);
        counters.accepted->inc();
        if (m_lastSequenceGauge)
            m_lastSequenceGauge->set(qint64(m_lastSequence));

        ItemPtr ptr = published;
        accepted.append(ptr);
        deliver(ptr);
        Q_EMIT this->published(ptr);
    }
    if (!accepted.isEmpty())
        noteIssued(m_lastSequence);
    return accepted;
}

void NewsHub::deliverTo(Subscription &subscription, const ItemPtr &item)
{
    if (subscription.removed || item->item.sequence <= subscription.lastDelivered)
        return;
    subscription.lastDelivered = item->item.sequence;
    subscription.onItem(item);
}

void NewsHub::deliver(const ItemPtr &item)
{
    // Every stream's write of this item is gathered and sent when the fan-out is done, the
    // sends shared between threads (core::SendBatch): on loopback each costs ~7 us of kernel
    // time, and one thread alone makes the last listener wait for all the others.
    const core::SendBatch::Scope sendBatch;
    ++m_dispatchDepth;
    // A snapshot: subscriptions added by callbacks replay on their own, and removed ones stay
    // allocated until the dispatch is over (compaction waits for depth 0).
    std::vector<Subscription *> candidates = m_subscribersOfAll;
    int lists = candidates.empty() ? 0 : 1;
    for (const QString &symbol : item->item.symbols) {
        const auto it = m_subscribersBySymbol.constFind(symbol);
        if (it == m_subscribersBySymbol.cend())
            continue;
        candidates.insert(candidates.end(), it->begin(), it->end());
        ++lists;
    }
    if (lists > 1) {
        // Subscription order (ids grow), each once: a stream of TSLA and NVDA gets an item
        // about both one time.
        std::sort(candidates.begin(), candidates.end(),
            [](const Subscription *a, const Subscription *b) { return a->id < b->id; });
        candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    }
    // Every candidate's symbols match by construction (it is indexed under one of the item's
    // symbols, or watches all of them), so only keywords are left to test.
    for (Subscription *const sub : candidates) {
        if (sub->removed || !sub->filter.matchesKeywords(item->item))
            continue;
        if (sub->replaying)
            sub->pending.push_back(item);
        else
            deliverTo(*sub, item);
    }
    if (--m_dispatchDepth == 0 && m_needsCompaction)
        compactSubscriptions();
}

void NewsHub::compactSubscriptions()
{
    m_needsCompaction = false;
    // Every index list that held a removed subscription is swept once, however many of its
    // subscriptions went since the last compaction (a dispatch may remove many).
    bool anyOfAll = false;
    std::vector<QString> symbols;
    for (const std::shared_ptr<Subscription> &sub : m_subscriptions) {
        if (!sub->removed)
            continue;
        anyOfAll = anyOfAll || sub->filter.symbols.isEmpty();
        symbols.insert(symbols.end(), sub->filter.symbols.cbegin(), sub->filter.symbols.cend());
    }
    std::sort(symbols.begin(), symbols.end());
    symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
    const auto removed = [](const Subscription *s) { return s->removed; };
    if (anyOfAll) {
        m_subscribersOfAll.erase(
            std::remove_if(m_subscribersOfAll.begin(), m_subscribersOfAll.end(), removed),
            m_subscribersOfAll.end());
    }
    for (const QString &symbol : symbols) {
        const auto it = m_subscribersBySymbol.find(symbol);
        if (it == m_subscribersBySymbol.end())
            continue;
        it->erase(std::remove_if(it->begin(), it->end(), removed), it->end());
        if (it->empty())
            m_subscribersBySymbol.erase(it);
    }
    m_subscriptions.erase(std::remove_if(m_subscriptions.begin(), m_subscriptions.end(),
                              [](const std::shared_ptr<Subscription> &s) { return s->removed; }),
        m_subscriptions.end());
}

quint64 NewsHub::subscribe(const NewsFilter &filter, quint64 fromSequence, ItemCallback onItem)
{
    auto sub = std::make_shared<Subscription>();
    sub->id = m_nextSubscriptionId++;
    sub->filter = filter;
    sub->onItem = std::move(onItem);
    sub->lastDelivered = std::min(fromSequence, m_lastSequence);
    m_subscriptions.push_back(sub);
    if (sub->filter.symbols.isEmpty()) {
        m_subscribersOfAll.push_back(sub.get());
    } else {
        for (const QString &symbol : sub->filter.symbols)
            m_subscribersBySymbol[symbol].push_back(sub.get());
    }
    ++m_activeSubscriptions;
    if (m_subscriptionsGauge)
        m_subscriptionsGauge->set(m_activeSubscriptions);
    countSymbols(sub->filter, +1);

    ++m_dispatchDepth;
    const std::vector<ItemPtr> replay = collect(sub->filter, sub->lastDelivered);
    for (const ItemPtr &item : replay) {
        if (sub->removed)
            break;
        deliverTo(*sub, item);
    }
    // Items published by callbacks while we replayed, in order; callbacks may add more.
    while (!sub->removed && !sub->pending.isEmpty()) {
        const ItemPtr item = sub->pending.takeFirst();
        deliverTo(*sub, item);
    }
    sub->pending = QList<ItemPtr>();
    sub->replaying = false;
    const quint64 id = sub->id;
    if (--m_dispatchDepth == 0 && m_needsCompaction)
        compactSubscriptions();
    return id;
}

void NewsHub::unsubscribe(quint64 id)
{
    // Ids grow with each subscribe and compaction keeps the order: binary search.
    const auto it = std::lower_bound(m_subscriptions.cbegin(), m_subscriptions.cend(), id,
        [](const std::shared_ptr<Subscription> &s, quint64 wanted) { return s->id < wanted; });
    if (it != m_subscriptions.cend()) {
        const std::shared_ptr<Subscription> sub = *it; // compaction below may erase *it
        if (sub->id != id || sub->removed)
            return;
        sub->removed = true;
        sub->pending = QList<ItemPtr>();
        --m_activeSubscriptions;
        if (m_subscriptionsGauge)
            m_subscriptionsGauge->set(m_activeSubscriptions);
        if (m_dispatchDepth == 0)
            compactSubscriptions();
        else
            m_needsCompaction = true; // a callback may be running: free it once none is
        countSymbols(sub->filter, -1);
    }
}

void NewsHub::countSymbols(const NewsFilter &filter, int delta)
{
    bool changed = false;
    for (const QString &symbol : filter.symbols) {
        int &refs = m_symbolRefs[symbol];
        refs += delta;
        if (refs <= 0) {
            m_symbolRefs.remove(symbol);
            changed = true;
        } else if (refs == 1 && delta > 0) {
            changed = true;
        }
    }
    if (changed)
        updateProviderSymbols();
}

QStringList NewsHub::watchedSymbols() const
{
    return m_watched;
}

void NewsHub::updateProviderSymbols()
{
    QStringList watched = m_symbolRefs.keys();
    watched.sort();
    if (watched == m_watched)
        return;
    m_watched = watched;
    for (NewsProvider *p : std::as_const(m_providers))
        p->setSymbols(m_watched);
}

std::vector<ItemPtr> NewsHub::collect(const NewsFilter &filter, quint64 afterSequence) const
{
    std::vector<ItemPtr> out;
    auto firstAfter = [afterSequence](const std::deque<EntryPtr> &ring) {
        return std::upper_bound(ring.begin(), ring.end(), afterSequence,
            [](quint64 seq, const EntryPtr &e) { return seq < e->item->item.sequence; });
    };
    if (filter.symbols.isEmpty()) {
        for (auto it = firstAfter(m_overall); it != m_overall.end(); ++it) {
            if (filter.matchesKeywords((*it)->item->item))
                out.push_back((*it)->item);
        }
        return out;
    }
    // Each symbol ring is a contiguous suffix of that symbol's items; older ones may still be
    // in the overall ring, below the ring's first sequence.
    quint64 overallBelow = 0;
    for (const QString &s : filter.symbols) {
        const auto ring = m_bySymbol.constFind(s);
        if (ring == m_bySymbol.constEnd() || ring->empty()) {
            overallBelow = ~quint64(0);
            continue;
        }
        overallBelow = std::max(overallBelow, ring->front()->item->item.sequence);
        for (auto it = firstAfter(*ring); it != ring->end(); ++it) {
            if (filter.matchesKeywords((*it)->item->item))
                out.push_back((*it)->item);
        }
    }
    for (auto it = firstAfter(m_overall); it != m_overall.end() && (*it)->item->item.sequence < overallBelow; ++it) {
        if (filter.matches((*it)->item->item))
            out.push_back((*it)->item);
    }
    std::sort(out.begin(), out.end(), lessBySequence);
    out.erase(std::unique(out.begin(), out.end(),
                  [](const ItemPtr &a, const ItemPtr &b) { return a->item.sequence == b->item.sequence; }),
        out.end());
    return out;
}

QList<ItemPtr> NewsHub::latest(const NewsFilter &filter, int limit, qint64 sinceMs) const
{
    const std::vector<ItemPtr> all = collect(filter, 0);
    QList<ItemPtr> out;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (limit > 0 && out.size() >= limit)
            break;
        if (sinceMs > 0 && (*it)->item.publishedAtMs < sinceMs)
            continue;
        out.append(*it);
    }
    return out;
}

QList<ItemPtr> NewsHub::search(const QString &query, const QSet<QString> &symbols, int limit) const
{
    const QStringList terms = searchTerms(query);
    NewsFilter filter;
    for (const QString &s : symbols)
        filter.addSymbol(s);
    const std::vector<ItemPtr> all = collect(filter, 0);
    QList<ItemPtr> out;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (limit > 0 && out.size() >= limit)
            break;
        const core::NewsItem &item = (*it)->item;
        bool all_match = true;
        for (const QString &t : terms) {
            if (!item.headline.contains(t, Qt::CaseInsensitive) && !item.summary.contains(t, Qt::CaseInsensitive)
                && !item.source.contains(t, Qt::CaseInsensitive)) {
                all_match = false;
                break;
            }
        }
        if (all_match)
            out.append(*it);
    }
    return out;
}

ItemPtr NewsHub::itemBySequence(quint64 sequence) const
{
    auto lookIn = [sequence](const std::deque<EntryPtr> &ring) -> ItemPtr {
        const auto it = std::lower_bound(ring.begin(), ring.end(), sequence,
            [](const EntryPtr &e, quint64 seq) { return e->item->item.sequence < seq; });
        return it != ring.end() && (*it)->item->item.sequence == sequence ? (*it)->item : nullptr;
    };
    if (ItemPtr found = lookIn(m_overall))
        return found;
    for (const std::deque<EntryPtr> &ring : m_bySymbol) {
        if (ItemPtr found = lookIn(ring))
            return found;
    }
    return nullptr;
}

quint64 NewsHub::oldestRetainedSequence() const
{
    return m_overall.empty() ? 0 : m_overall.front()->item->item.sequence;
}

int NewsHub::retainedCount(const QString &symbol) const
{
    const auto it = m_bySymbol.constFind(symbol);
    return it == m_bySymbol.constEnd() ? 0 : int(it->size());
}

} // namespace tw::news
