// The news list's model: newest first (row 0 = the latest arrival), one row per story id.
// Items arrive in batches: appendItems() inserts a whole batch with one beginInsertRows (the
// controller calls it at most once per frame), and addItem() queues single items and flushes
// them the same way on a ~16 ms single-shot timer, so 1,000 items/s cost ~60 model updates/s,
// not 1,000. An item whose id is already shown never adds a row: it is a replay (after a
// reconnect) or a grouped-story update ("+N sources"), merged into the existing row in place.
// Rows are plain values in a deque (NewsItem + latency + flags, no QVariants), capped at
// capacity() rows (oldest dropped), so 100,000 rows stay cheap.
#pragma once

#include "alertrules.h"
#include "newsitem.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QTimer>
#include <QVector>

#include <deque>

namespace tw::ui {

class NewsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        SymbolsColumn,
        HeadlineColumn,
        SourceColumn,
        LatencyColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        ItemRole = Qt::UserRole + 1, // QVariant holding a core::NewsItem (a copy)
        IdRole, // QString
        UnreadRole, // bool
        AlertRole, // bool
        LatencyRole, // qint64 ms, -1 when unknown
        SymbolsRole, // QStringList
        OtherSourcesRole, // int: how many other sources carried the story ("+N sources")
        PublishedAtRole, // QDateTime (UTC); falls back to the receive time
        UrlRole, // QUrl
        SourceRole, // QString (the primary source, without the "+N" suffix)
        IsTodayRole, // bool: the time column's date is today (local time)
        HeadlineRole, // QString
    };
    Q_ENUM(Role)

    static constexpr int kDefaultCapacity = 100000;
    static constexpr int kFlushIntervalMs = 16;

    // One arrival: the item and its delivery latency (ms; < 0 when unknown).
    struct Entry {
        core::NewsItem item;
        qint64 latencyMs = -1;
    };

    explicit NewsModel(QObject *parent = nullptr);
    ~NewsModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Inserts a batch now, in arrival order (the last entry becomes row 0): one
    // beginRemoveRows for the oldest rows beyond the capacity, one beginInsertRows for the new
    // ones. Anything queued by addItem() goes first. An entry whose id is already shown (or
    // earlier in the batch) adds no row: its otherSources are merged into that row, which
    // changes in place (dataChanged) only when it gained a source; read state and latency stay.
    void appendItems(const QList<Entry> &entries);
    void appendItems(const QList<core::NewsItem> &items); // latency unknown
    // Queues one item (latencyMs < 0: unknown); it appears at the next flush, at most
    // kFlushIntervalMs later. Same id rules as appendItems().
    void addItem(const core::NewsItem &item, qint64 latencyMs = -1);
    // Inserts everything queued by addItem() now.
    void flush();
    int pendingCount() const { return int(m_pending.size()); }

    void setCapacity(int capacity); // >= 1; trims at once
    int capacity() const { return m_capacity; }

    // Row accessors; `row` must be in [0, rowCount()).
    const core::NewsItem &itemAt(int row) const;
    qint64 latencyAt(int row) const;
    bool isUnread(int row) const;
    bool isAlert(int row) const;
    int rowForId(const QString &id) const; // -1 when not shown

    void markRead(int row);
    void markAllRead();
    int unreadCount() const { return m_unreadCount; }

    // Recomputes every row's alert flag (no alertTriggered for rows already shown).
    void setAlertRules(const AlertRules &rules);
    const AlertRules &alertRules() const { return m_alertRules; }

    // Distinct primary sources of the rows shown (unsorted).
    QStringList sources() const;

    // Drops every row and everything queued.
    void clear();

    // Text helpers shared with the delegate and the details pane.
    static QString timeText(qint64 epochMs, bool today);
    static QString latencyText(qint64 latencyMs);
    static QString otherSourcesText(int count); // "+2 sources", "+1 source", "" for 0

Q_SIGNALS:
    void itemsInserted(int count);
    void alertTriggered(const tw::core::NewsItem &item);
    void unreadCountChanged(int count);
    void sourcesChanged();

private:
    struct Row {
        core::NewsItem item;
        qint64 latencyMs = -1;
        quint64 serial = 0; // insertion order; row = m_newestSerial - serial
        bool unread = true;
        bool alert = false;
    };
    static qint64 displayTimeMs(const core::NewsItem &item);
    bool isToday(qint64 epochMs) const;
    void setUnreadCount(int count);
    void addSource(const QString &source);
    bool removeSource(const QString &source); // true when its last row went
    void updateRow(int row, const core::NewsItem &item);
    void insertBatch(QVector<Entry> batch);
    void dropOldest(int count, bool *sourcesDirty);
    // Folds `update` (same id) into `existing`; true when `existing` changed.
    static bool mergeUpdate(core::NewsItem &existing, const core::NewsItem &update);

    std::deque<Row> m_rows; // front = newest
    QVector<Entry> m_pending; // arrival order
    QHash<QString, quint64> m_serialById; // rows shown
    QHash<QString, int> m_pendingById; // index into m_pending
    QHash<QString, int> m_sourceCounts;
    quint64 m_newestSerial = 0;
    int m_capacity = kDefaultCapacity;
    int m_unreadCount = 0;
    AlertRules m_alertRules;
    QTimer m_flushTimer;
    // Local-day window for "today" shading; refreshed when the clock leaves it.
    mutable qint64 m_todayStartMs = 0;
    mutable qint64 m_todayEndMs = 0;
};

} // namespace tw::ui
