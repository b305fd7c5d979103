#include "newsmodel.h"

#include <QDateTime>
#include <QFont>
#include <QUrl>

#include <algorithm>

namespace tw::ui {

NewsModel::NewsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushIntervalMs);
    // A precise timer: a coarse one may fire up to 5% late, which at 16 ms is noise, but it
    // also may be merged with other timers; the frame cadence is what the user sees.
    m_flushTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_flushTimer, &QTimer::timeout, this, &NewsModel::flush);
}

NewsModel::~NewsModel() = default;

int NewsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int NewsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

qint64 NewsModel::displayTimeMs(const core::NewsItem &item)
{
    return item.publishedAtMs > 0 ? item.publishedAtMs : item.receivedAtMs;
}

bool NewsModel::isToday(qint64 epochMs) const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now < m_todayStartMs || now >= m_todayEndMs) {
        const QDate today = QDate::currentDate();
        m_todayStartMs = today.startOfDay().toMSecsSinceEpoch();
        m_todayEndMs = today.addDays(1).startOfDay().toMSecsSinceEpoch();
    }
    return epochMs >= m_todayStartMs && epochMs < m_todayEndMs;
}

QString NewsModel::timeText(qint64 epochMs, bool today)
{
    if (epochMs <= 0)
        return QString();
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(epochMs).toLocalTime();
    return local.toString(today ? QStringLiteral("HH:mm:ss") : QStringLiteral("MMM d HH:mm"));
}

QString NewsModel::latencyText(qint64 latencyMs)
{
    if (latencyMs < 0)
        return QString();
    return QString::number(latencyMs) + QStringLiteral(" ms");
}

QString NewsModel::otherSourcesText(int count)
{
    if (count <= 0)
        return QString();
    return count == 1 ? QStringLiteral("+1 source") : QStringLiteral("+%1 sources").arg(count);
}

QVariant NewsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= int(m_rows.size())
        || index.column() >= ColumnCount)
        return QVariant();
    const Row &row = m_rows[size_t(index.row())];
    const core::NewsItem &item = row.item;

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: {
            const qint64 ms = displayTimeMs(item);
            return timeText(ms, isToday(ms));
        }
        case SymbolsColumn: return item.symbols.join(QLatin1Char(' '));
        case HeadlineColumn: return item.headline;
        case SourceColumn:
            if (item.otherSources.isEmpty())
                return item.source;
            return QString(
                item.source + QLatin1Char(' ') + otherSourcesText(int(item.otherSources.size())));
        case LatencyColumn: return latencyText(row.latencyMs);
        }
        return QVariant();
    case Qt::ToolTipRole:
        switch (index.column()) {
        case TimeColumn: {
            QString text = tr("Published %1").arg(core::NewsItem::isoTime(displayTimeMs(item)));
            if (item.receivedAtMs > 0)
                text += QLatin1Char('\n')
                    + tr("Received %1").arg(core::NewsItem::isoTime(item.receivedAtMs));
            return text;
        }
        case SymbolsColumn: return item.symbols.join(QStringLiteral(", "));
        case HeadlineColumn:
            return item.summary.isEmpty()
                ? item.headline
                : QString(item.headline + QStringLiteral("\n\n") + item.summary);
        case SourceColumn:
            if (item.otherSources.isEmpty())
                return item.source;
            return QString(item.source + QLatin1Char('\n')
                + tr("Also: %1").arg(item.otherSources.join(QStringLiteral(", "))));
        case LatencyColumn:
            return row.latencyMs < 0
                ? QVariant()
                : QVariant(tr("Delivery latency: %1").arg(latencyText(row.latencyMs)));
        }
        return QVariant();
    case Qt::FontRole:
        // For plain views and accessibility; NewsDelegate paints from UnreadRole.
        if (index.column() == HeadlineColumn && row.unread) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == LatencyColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return QVariant::fromValue(Qt::Alignment(Qt::AlignLeft | Qt::AlignVCenter));
    case ItemRole: return QVariant::fromValue(item);
    case IdRole: return item.id;
    case UnreadRole: return row.unread;
    case AlertRole: return row.alert;
    case LatencyRole: return row.latencyMs;
    case SymbolsRole: return item.symbols;
    case OtherSourcesRole: return int(item.otherSources.size());
    case PublishedAtRole: return QDateTime::fromMSecsSinceEpoch(displayTimeMs(item), Qt::UTC);
    case UrlRole: return QUrl(item.url);
    case SourceRole: return item.source;
    case IsTodayRole: return isToday(displayTimeMs(item));
    case HeadlineRole: return item.headline;
    default: return QVariant();
    }
}

QVariant NewsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QVariant();
    if (role == Qt::TextAlignmentRole && section == LatencyColumn)
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    if (role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case TimeColumn: return tr("Time");
    case SymbolsColumn: return tr("Symbols");
    case HeadlineColumn: return tr("Headline");
    case SourceColumn: return tr("Source");
    case LatencyColumn: return tr("Latency");
    }
    return QVariant();
}

QHash<int, QByteArray> NewsModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(ItemRole, QByteArrayLiteral("item"));
    names.insert(IdRole, QByteArrayLiteral("id"));
    names.insert(UnreadRole, QByteArrayLiteral("unread"));
    names.insert(AlertRole, QByteArrayLiteral("alert"));
    names.insert(LatencyRole, QByteArrayLiteral("latency"));
    names.insert(SymbolsRole, QByteArrayLiteral("symbols"));
    names.insert(OtherSourcesRole, QByteArrayLiteral("otherSources"));
    names.insert(PublishedAtRole, QByteArrayLiteral("publishedAt"));
    names.insert(UrlRole, QByteArrayLiteral("url"));
    names.insert(SourceRole, QByteArrayLiteral("source"));
    names.insert(IsTodayRole, QByteArrayLiteral("isToday"));
    names.insert(HeadlineRole, QByteArrayLiteral("headline"));
    return names;
}

bool NewsModel::mergeUpdate(core::NewsItem &existing, const core::NewsItem &update)
{
    // A replay carries nothing new; a grouped-story update carries the hub's full, grown
    // list. Take the union so an older copy replayed late never takes a source away.
    QStringList added;
    for (const QString &source : update.otherSources) {
        if (source.compare(existing.source, Qt::CaseInsensitive) == 0
            || existing.otherSources.contains(source, Qt::CaseInsensitive)
            || added.contains(source, Qt::CaseInsensitive))
            continue;
        added.append(source);
    }
    if (added.isEmpty())
        return false;
    QStringList merged = existing.otherSources;
    merged.append(added);
    // Fields the hub may have refreshed with the update (a summary that arrived later).
    const QString source = existing.source;
    existing = update;
    existing.source = source;
    existing.otherSources = merged;
    return true;
}

void NewsModel::addItem(const core::NewsItem &item, qint64 latencyMs)
{
    if (!item.id.isEmpty()) {
        const int row = rowForId(item.id);
        if (row >= 0) {
            core::NewsItem merged = m_rows[size_t(row)].item;
            if (mergeUpdate(merged, item))
                updateRow(row, merged);
            return;
        }
        const auto queued = m_pendingById.constFind(item.id);
        if (queued != m_pendingById.constEnd()) {
            mergeUpdate(m_pending[queued.value()].item, item);
            return;
        }
        m_pendingById.insert(item.id, int(m_pending.size()));
    }
    m_pending.append(Entry { item, latencyMs });
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void NewsModel::appendItems(const QList<Entry> &entries)
{
    // Keep arrival order across both paths: whatever addItem() queued came first.
    QVector<Entry> batch;
    batch.swap(m_pending);
    m_pendingById.clear();
    m_flushTimer.stop();
    batch.reserve(batch.size() + entries.size());
    for (const Entry &entry : entries)
        batch.append(entry);
    insertBatch(std::move(batch));
}

void NewsModel::appendItems(const QList<core::NewsItem> &items)
{
    QList<Entry> entries;
    entries.reserve(items.size());
    for (const core::NewsItem &item : items)
        entries.append(Entry { item, -1 });
    appendItems(entries);
}

void NewsModel::updateRow(int row, const core::NewsItem &item)
{
    Row &r = m_rows[size_t(row)];
    const QString oldSource = r.item.source;
    r.item = item;
    // The flag follows the rules, but an update is not a new story: no alertTriggered.
    r.alert = !m_alertRules.isEmpty() && m_alertRules.matches(r.item);
    bool sourcesDirty = false;
    if (oldSource != item.source) {
        sourcesDirty = removeSource(oldSource);
        const int before = int(m_sourceCounts.size());
        addSource(item.source);
        sourcesDirty = sourcesDirty || int(m_sourceCounts.size()) != before;
    }
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (sourcesDirty)
        Q_EMIT sourcesChanged();
}

void NewsModel::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return;
    QVector<Entry> batch;
    batch.swap(m_pending);
    m_pendingById.clear();
    insertBatch(std::move(batch));
}

void NewsModel::dropOldest(int count, bool *sourcesDirty)
{
    if (count <= 0)
        return;
    const int last = int(m_rows.size()) - 1;
    beginRemoveRows(QModelIndex(), last - count + 1, last);
    for (int i = 0; i < count; ++i) {
        const Row &oldest = m_rows.back();
        if (!oldest.item.id.isEmpty())
            m_serialById.remove(oldest.item.id);
        if (oldest.unread)
            --m_unreadCount;
        *sourcesDirty = removeSource(oldest.item.source) || *sourcesDirty;
        m_rows.pop_back();
    }
    endRemoveRows();
}

void NewsModel::insertBatch(QVector<Entry> batch)
{
    const int unreadBefore = m_unreadCount;
    const int sourcesBefore = int(m_sourceCounts.size());
    bool sourcesDirty = false;

    // Ids already shown update their row; repeats inside the batch fold into the first copy.
    QVector<Entry> fresh;
    fresh.reserve(batch.size());
    QHash<QString, int> freshById;
    for (Entry &entry : batch) {
        const QString &id = entry.item.id;
        if (!id.isEmpty()) {
            const int row = rowForId(id);
            if (row >= 0) {
                core::NewsItem merged = m_rows[size_t(row)].item;
                if (mergeUpdate(merged, entry.item))
                    updateRow(row, merged);
                continue;
            }
            const auto seen = freshById.constFind(id);
            if (seen != freshById.constEnd()) {
                mergeUpdate(fresh[seen.value()].item, entry.item);
                continue;
            }
            freshById.insert(id, int(fresh.size()));
        }
        fresh.append(std::move(entry));
    }
    if (fresh.isEmpty())
        return;

    // More than the capacity in one batch: only the newest `capacity` can be shown.
    const int skip = std::max(0, int(fresh.size()) - m_capacity);
    const int count = int(fresh.size()) - skip;
    dropOldest(int(m_rows.size()) + count - m_capacity, &sourcesDirty);

    QVector<int> alertOffsets; // indexes into fresh, in arrival order
    beginInsertRows(QModelIndex(), 0, count - 1);
    for (int i = skip; i < int(fresh.size()); ++i) {
        Row row;
        row.item = std::move(fresh[i].item);
        row.latencyMs = fresh[i].latencyMs;
        row.serial = ++m_newestSerial;
        row.unread = true;
        row.alert = !m_alertRules.isEmpty() && m_alertRules.matches(row.item);
        if (row.alert)
            alertOffsets.append(i);
        if (!row.item.id.isEmpty())
            m_serialById.insert(row.item.id, row.serial);
        addSource(row.item.source);
        m_rows.push_front(std::move(row));
    }
    m_unreadCount += count;
    endInsertRows();
    sourcesDirty = sourcesDirty || int(m_sourceCounts.size()) != sourcesBefore;

    Q_EMIT itemsInserted(count);
    for (int offset : alertOffsets) {
        // Row of fresh[offset]: the last of the batch is row 0.
        const int row = int(fresh.size()) - 1 - offset;
        Q_EMIT alertTriggered(m_rows[size_t(row)].item);
    }
    if (m_unreadCount != unreadBefore)
        Q_EMIT unreadCountChanged(m_unreadCount);
    if (sourcesDirty)
        Q_EMIT sourcesChanged();
}

void NewsModel::setCapacity(int capacity)
{
    m_capacity = std::max(1, capacity);
    const int overflow = int(m_rows.size()) - m_capacity;
    if (overflow <= 0)
        return;
    const int unreadBefore = m_unreadCount;
    bool sourcesDirty = false;
    dropOldest(overflow, &sourcesDirty);
    if (m_unreadCount != unreadBefore)
        Q_EMIT unreadCountChanged(m_unreadCount);
    if (sourcesDirty)
        Q_EMIT sourcesChanged();
}

const core::NewsItem &NewsModel::itemAt(int row) const
{
    Q_ASSERT(row >= 0 && row < int(m_rows.size()));
    return m_rows[size_t(row)].item;
}

qint64 NewsModel::latencyAt(int row) const
{
    Q_ASSERT(row >= 0 && row < int(m_rows.size()));
    return m_rows[size_t(row)].latencyMs;
}

bool NewsModel::isUnread(int row) const
{
    Q_ASSERT(row >= 0 && row < int(m_rows.size()));
    return m_rows[size_t(row)].unread;
}

bool NewsModel::isAlert(int row) const
{
    Q_ASSERT(row >= 0 && row < int(m_rows.size()));
    return m_rows[size_t(row)].alert;
}

int NewsModel::rowForId(const QString &id) const
{
    const auto it = m_serialById.constFind(id);
    return it == m_serialById.constEnd() ? -1 : int(m_newestSerial - it.value());
}

void NewsModel::setUnreadCount(int count)
{
    if (count == m_unreadCount)
        return;
    m_unreadCount = count;
    Q_EMIT unreadCountChanged(count);
}

void NewsModel::markRead(int row)
{
    if (row < 0 || row >= int(m_rows.size()) || !m_rows[size_t(row)].unread)
        return;
    m_rows[size_t(row)].unread = false;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1), { UnreadRole, Qt::FontRole });
    setUnreadCount(m_unreadCount - 1);
}

void NewsModel::markAllRead()
{
    if (m_unreadCount == 0)
        return;
    int first = -1;
    int last = -1;
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].unread) {
            m_rows[i].unread = false;
            if (first < 0)
                first = int(i);
            last = int(i);
        }
    }
    if (first >= 0)
        Q_EMIT dataChanged(
            index(first, 0), index(last, ColumnCount - 1), { UnreadRole, Qt::FontRole });
    setUnreadCount(0);
}

void NewsModel::setAlertRules(const AlertRules &rules)
{
    m_alertRules = rules;
    int first = -1;
    int last = -1;
    for (size_t i = 0; i < m_rows.size(); ++i) {
        const bool alert = !rules.isEmpty() && rules.matches(m_rows[i].item);
        if (alert != m_rows[i].alert) {
            m_rows[i].alert = alert;
            if (first < 0)
                first = int(i);
            last = int(i);
        }
    }
    if (first >= 0)
        Q_EMIT dataChanged(
            index(first, 0), index(last, ColumnCount - 1), { AlertRole, Qt::BackgroundRole });
}

QStringList NewsModel::sources() const { return m_sourceCounts.keys(); }

void NewsModel::addSource(const QString &source)
{
    if (!source.isEmpty())
        ++m_sourceCounts[source];
}

bool NewsModel::removeSource(const QString &source)
{
    if (source.isEmpty())
        return false;
    const auto it = m_sourceCounts.find(source);
    if (it == m_sourceCounts.end())
        return false;
    if (--it.value() > 0)
        return false;
    m_sourceCounts.erase(it);
    return true;
}

void NewsModel::clear()
{
    m_flushTimer.stop();
    const bool hadSources = !m_sourceCounts.isEmpty();
    beginResetModel();
    m_rows.clear();
    m_pending.clear();
    m_serialById.clear();
    m_pendingById.clear();
    m_sourceCounts.clear();
    endResetModel();
    setUnreadCount(0);
    if (hadSources)
        Q_EMIT sourcesChanged();
}

} // namespace tw::ui
