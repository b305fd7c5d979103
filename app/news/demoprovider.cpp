#include "demoprovider.h"

#include "democorpus.h"
#include "logging.h"
#include "newsfilter.h"
#include "sentiment.h"
#include "stablehash.h"
#include "tickerlist.h"

#include <QDateTime>
#include <QHash>

#include <algorithm>
#include <cmath>

namespace tw::news {

namespace {

// SplitMix64: tiny, fast, and identical on every platform (unlike std:: distributions).
class Rng {
public:
    explicit Rng(quint64 state)
        : m_state(state)
    {
    }
    Rng(quint64 seed, quint64 n, quint64 salt)
        : m_state(mix(seed ^ mix(n + 0x632BE59BD9B4E019ULL * (salt + 1))))
    {
    }
    quint64 next()
    {
        m_state += 0x9E3779B97F4A7C15ULL;
        return mix(m_state);
    }
    // Uniform in [0, n); n > 0. The modulo bias is far below anything a demo can show.
    int below(qsizetype n) { return n <= 1 ? 0 : int(next() % quint64(n)); }
    double unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); } // [0, 1)
    template<typename List>
    const auto &pick(const List &list) { return list.at(below(list.size())); }
    static quint64 mix(quint64 z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

private:
    quint64 m_state;
};

QString groupedThousands(int value)
{
    QString digits = QString::number(value);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QLatin1Char(','));
    return digits;
}

QString slug(const QString &headline)
{
    QString out;
    for (const QChar c : headline) {
        if (out.size() >= 60)
            break;
        if (c.isLetterOrNumber() && c.unicode() < 128)
            out.append(c.toLower());
        else if (!out.isEmpty() && !out.endsWith(QLatin1Char('-')))
            out.append(QLatin1Char('-'));
    }
    while (out.endsWith(QLatin1Char('-')))
        out.chop(1);
    return out.isEmpty() ? QStringLiteral("item") : out;
}

// Category weights: what a busy tape looks like (earnings and analyst notes dominate).
struct Weighted {
    const char *name;
    int weight;
};
constexpr Weighted kCategoryWeights[] = {
    { "earnings", 18 }, { "analyst", 18 }, { "product", 16 }, { "legal", 8 },
    { "macro", 12 }, { "filing", 10 }, { "m&a", 8 }, { "guidance", 10 },
};

} // namespace

DemoProvider::DemoProvider(const DemoProviderSettings &settings, QObject *parent)
    : DemoProvider(settings, DemoCorpus::builtIn(), TickerList::builtIn(), parent)
{
}

DemoProvider::DemoProvider(const DemoProviderSettings &settings, const DemoCorpus &corpus,
    const TickerList &tickers, QObject *parent)
    : NewsProvider(parent)
    , m_settings(settings)
    , m_corpus(corpus)
    , m_tickers(tickers)
    , m_clock(&core::NewsItem::monotonicNowNs)
    , m_pacingState(Rng::mix(settings.seed ^ 0x5DEECE66DULL))
{
    m_settings.tickMs = std::clamp(m_settings.tickMs, 1, 1000);
    m_settings.focusShare = std::clamp(m_settings.focusShare, 0.0, 1.0);
    m_settings.echoShare = std::clamp(m_settings.echoShare, 0.0, 0.5);
    m_settings.rate = std::isfinite(m_settings.rate) ? std::clamp(m_settings.rate, 0.0, DemoProviderSettings::kMaxRate) : 0.0;
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &DemoProvider::pump);
    if (!m_corpus.isValid()) {
        m_health.state = ProviderHealth::State::Failing;
        m_health.lastError = QStringLiteral("demo corpus missing or invalid (resources not compiled in?)");
    }
}

DemoProvider::~DemoProvider() = default;

void DemoProvider::setClock(std::function<qint64()> nowNs)
{
    m_clock = nowNs ? std::move(nowNs) : std::function<qint64()>(&core::NewsItem::monotonicNowNs);
}

void DemoProvider::setSymbols(const QStringList &symbols)
{
    NewsProvider::setSymbols(symbols);
    QStringList focus;
    for (const QString &raw : symbols) {
        const QString s = NewsFilter::normalizedSymbol(raw);
        if (!s.isNull() && !focus.contains(s))
            focus.append(s);
    }
    m_focus = focus;
}

void DemoProvider::setState(ProviderHealth::State state)
{
    if (m_health.state == state)
        return;
    m_health.state = state;
    Q_EMIT healthChanged();
}

void DemoProvider::start()
{
    if (m_running || !m_corpus.isValid())
        return;
    m_running = true;
    const qint64 now = m_clock();
    m_nextArrivalNs = m_settings.rate > 0 ? now + qint64(nextGapNs()) : now;
    qCInfo(lcNews) << "demo provider started: seed" << m_settings.seed << "rate" << m_settings.rate << "items/s";
    setState(m_settings.rate > 0 ? ProviderHealth::State::Ok : ProviderHealth::State::Idle);
    schedule(now);
}

void DemoProvider::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_timer.stop();
    m_health.nextPollMs = 0;
    setState(m_corpus.isValid() ? ProviderHealth::State::Idle : ProviderHealth::State::Failing);
}

void DemoProvider::setRate(double itemsPerSecond)
{
    const double rate = std::isfinite(itemsPerSecond) ? std::clamp(itemsPerSecond, 0.0, DemoProviderSettings::kMaxRate) : 0.0;
    m_settings.rate = rate;
    if (!m_running)
        return;
    const qint64 now = m_clock();
    if (rate > 0)
        m_nextArrivalNs = now + qint64(nextGapNs());
    setState(rate > 0 ? ProviderHealth::State::Ok : ProviderHealth::State::Idle);
    schedule(now);
}

double DemoProvider::nextGapNs()
{
    Rng rng(m_pacingState);
    const double u = rng.unit();
    m_pacingState = rng.next();
    return -std::log(1.0 - u) / m_settings.rate * 1e9;
}

void DemoProvider::schedule(qint64 nowNs)
{
    if (!m_running || m_settings.rate <= 0) {
        m_timer.stop();
        m_health.nextPollMs = 0;
        return;
    }
    const qint64 untilNext = (m_nextArrivalNs - nowNs) / 1000000;
    const int delayMs = int(std::clamp<qint64>(untilNext, m_settings.tickMs, 1000));
    m_health.nextPollMs = QDateTime::currentMSecsSinceEpoch() + delayMs;
    m_timer.start(delayMs);
}

int DemoProvider::pump()
{
    if (!m_running || m_settings.rate <= 0) {
        schedule(0);
        return 0;
    }
    const qint64 now = m_clock();
    const int maxBatch = std::max(1000, int(m_settings.rate));
    int due = 0;
    while (m_nextArrivalNs <= now && due < maxBatch) {
        ++due;
        m_nextArrivalNs += qint64(nextGapNs());
    }
    if (m_nextArrivalNs <= now - 1000000000LL) {
        // More than a second behind (a stalled event loop): skip ahead rather than flood.
        ++m_skipped;
        m_nextArrivalNs = now + qint64(nextGapNs());
        qCDebug(lcNews) << "demo provider fell behind; skipped ahead" << m_skipped << "times";
    }
    if (due > 0) {
        QList<core::NewsItem> items = makeItems(m_next, due);
        m_next += quint64(due);
        const qint64 wallMs = QDateTime::currentMSecsSinceEpoch();
        for (core::NewsItem &item : items) {
            item.publishedAtMs = wallMs;
            item.receivedAtMs = wallMs;
        }
        m_health.fetches += 1;
        m_health.itemsDelivered += quint64(due);
        m_health.lastFetchMs = wallMs;
        m_health.lastError.clear();
        setState(ProviderHealth::State::Ok);
        if (now - m_lastHealthSignalNs >= 1000000000LL) {
            m_lastHealthSignalNs = now;
            Q_EMIT healthChanged();
        }
        Q_EMIT itemsReady(items);
    }
    schedule(m_clock());
    return due;
}

QList<core::NewsItem> DemoProvider::makeItems(quint64 first, int count) const
{
    QList<core::NewsItem> items;
    if (!m_corpus.isValid())
        return items;
    items.reserve(count);
    for (int i = 0; i < count; ++i)
        items.append(makeItem(first + quint64(i)));
    return items;
}

core::NewsItem DemoProvider::makeItem(quint64 n) const
{
    Rng rng(m_settings.seed, n, 1);
    core::NewsItem item;
    if (n > 0 && rng.unit() < m_settings.echoShare) {
        // The same story from another demo source, a little later: the hub groups it.
        const quint64 back = 1 + quint64(rng.below(qsizetype(std::min<quint64>(n, 4))));
        item = makeStory(n - back);
        const QStringList &sources = m_corpus.sources();
        const qsizetype at = std::max<qsizetype>(0, sources.indexOf(item.source));
        item.source = sources.at((at + 1 + rng.below(std::max<qsizetype>(1, sources.size() - 1))) % sources.size());
    } else {
        item = makeStory(n);
    }
    item.id = QStringLiteral("demo:%1:%2").arg(m_settings.seed).arg(n);
    item.url = QStringLiteral("https://demo.tickerwire.invalid/news/%1/%2/%3").arg(m_settings.seed).arg(n).arg(slug(item.headline));
    return item;
}

core::NewsItem DemoProvider::makeStory(quint64 n) const
{
    Rng rng(m_settings.seed, n, 0);
    const QList<DemoCorpus::Company> &companies = m_corpus.companies();

    QString symbol;
    if (!m_focus.isEmpty() && (m_tickers.tickers().isEmpty() || rng.unit() < m_settings.focusShare))
        symbol = rng.pick(m_focus);
    else if (!m_tickers.tickers().isEmpty())
        symbol = rng.pick(m_tickers.tickers()).symbol;
    else
        symbol = QStringLiteral("DEMO");

    // The fictional stand-in: same sector as the listed ticker, chosen by a stable hash.
    const TickerList::Ticker *ticker = m_tickers.find(symbol);
    QList<int> candidates = m_corpus.companiesInSector(ticker ? ticker->sector : QString());
    if (candidates.isEmpty()) {
        for (int i = 0; i < companies.size(); ++i) {
            if (companies.at(i).sector != QLatin1String("fund"))
                candidates.append(i);
        }
    }
    if (candidates.isEmpty())
        candidates.append(0);
    const int companyIndex = candidates.at(int(core::stableHash(symbol) % quint64(candidates.size())));
    const DemoCorpus::Company &company = companies.at(companyIndex);

    QString categoryName = QStringLiteral("macro");
    if (company.sector != QLatin1String("fund")) {
        int total = 0;
        for (const Weighted &w : kCategoryWeights)
            total += w.weight;
        int roll = rng.below(total);
        for (const Weighted &w : kCategoryWeights) {
            if (roll < w.weight) {
                categoryName = QString::fromLatin1(w.name);
                break;
            }
            roll -= w.weight;
        }
    }
    const DemoCorpus::Category *category = m_corpus.category(categoryName);
    if (!category)
        category = &m_corpus.categories().first();

    int partnerIndex = rng.below(companies.size());
    if (partnerIndex == companyIndex || companies.at(partnerIndex).sector == QLatin1String("fund"))
        partnerIndex = (companyIndex + 1 + rng.below(std::max<qsizetype>(1, companies.size() - 1))) % int(companies.size());
    const QStringList segments = m_corpus.sectorSegments(company.sector);

    // Slot values are drawn on first use and reused, so headline and summary agree.
    QHash<QString, QString> values;
    auto value = [&](const QString &slot) -> QString {
        const auto cached = values.constFind(slot);
        if (cached != values.constEnd())
            return *cached;
        QString v;
        if (slot == QLatin1String("company"))
            v = company.name;
        else if (slot == QLatin1String("short"))
            v = company.shortName;
        else if (slot == QLatin1String("ticker"))
            v = symbol;
        else if (slot == QLatin1String("product"))
            v = rng.pick(company.products);
        else if (slot == QLatin1String("person"))
            v = company.executive;
        else if (slot == QLatin1String("role"))
            v = QStringLiteral("CEO");
        else if (slot == QLatin1String("segment"))
            v = segments.isEmpty() ? QStringLiteral("core") : rng.pick(segments);
        else if (slot == QLatin1String("partner"))
            v = companies.at(partnerIndex).name;
        else if (slot == QLatin1String("firm"))
            v = rng.pick(m_corpus.analystFirms());
        else if (slot == QLatin1String("regulator"))
            v = rng.pick(m_corpus.regulators());
        else if (slot == QLatin1String("city"))
            v = rng.pick(m_corpus.cities());
        else if (slot == QLatin1String("indicator"))
            v = rng.pick(m_corpus.indicators());
        else if (slot == QLatin1String("pct"))
            v = QString::number(0.5 + rng.below(300) / 10.0, 'f', 1);
        else if (slot == QLatin1String("yield")) // a bond yield: 3.50-5.49
            v = QString::number(3.5 + rng.below(200) / 100.0, 'f', 2);
        else if (slot == QLatin1String("move")) // a commodity's day: 0.3-6.2
            v = QString::number(0.3 + rng.below(60) / 10.0, 'f', 1);
        else if (slot == QLatin1String("quarter"))
            v = QStringLiteral("Q%1").arg(1 + rng.below(4));
        else if (slot == QLatin1String("year"))
            v = QString::number(2026 + rng.below(2));
        else if (slot == QLatin1String("amount"))
            v = rng.below(2) ? QStringLiteral("$%1 million").arg(10 + rng.below(990))
                             : QStringLiteral("$%1 billion").arg(QString::number(0.2 + rng.below(400) / 10.0, 'f', 1));
        else if (slot == QLatin1String("eps") || slot == QLatin1String("eps2"))
            v = QStringLiteral("$%1").arg(QString::number(0.05 + rng.below(495) / 100.0, 'f', 2));
        else if (slot == QLatin1String("price") || slot == QLatin1String("price2"))
            v = QStringLiteral("$%1").arg(20 + rng.below(880));
        else if (slot == QLatin1String("count"))
            v = groupedThousands(1000 * (1 + rng.below(900)));
        else if (slot == QLatin1String("bps"))
            v = rng.below(3) ? QStringLiteral("25") : QStringLiteral("50");
        values.insert(slot, v);
        return v;
    };
    auto fill = [&](const QString &pattern) {
        QString out;
        out.reserve(pattern.size() + 32);
        qsizetype i = 0;
        while (i < pattern.size()) {
            const qsizetype open = pattern.indexOf(QLatin1Char('{'), i);
            const qsizetype close = open < 0 ? -1 : pattern.indexOf(QLatin1Char('}'), open);
            if (open < 0 || close < 0) {
                out.append(QStringView(pattern).mid(i));
                break;
            }
            out.append(QStringView(pattern).mid(i, open - i));
            out.append(value(pattern.mid(open + 1, close - open - 1)));
            i = close + 1;
        }
        if (!out.isEmpty())
            out[0] = out.at(0).toUpper();
        return out;
    };

    core::NewsItem item;
    item.headline = fill(rng.pick(category->headlines));
    item.summary = fill(rng.pick(category->summaries));
    item.symbols = QStringList { symbol };
    item.source = rng.pick(m_corpus.sources());
    item.provider = QStringLiteral("demo");
    item.category = category->name;
    item.sentiment = Sentiment::score(item.headline, item.summary);
    return item;
}

} // namespace tw::news
