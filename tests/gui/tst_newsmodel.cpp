// NewsModel: what the trader sees in the list: newest first, batched inserts, the row cap,
// unread state, grouped-story updates in place and no duplicate rows after a replay, alert
// flags, the time and latency columns, and 100,000 rows.
#include "newsfilterproxy.h"
#include "newsmodel.h"

#include <QDateTime>
#include <QFont>
#include <QSignalSpy>
#include <QUrl>
#include <QtTest>

using tw::core::NewsItem;
using tw::ui::AlertRules;
using tw::ui::NewsFilterProxy;
using tw::ui::NewsModel;

namespace {

NewsItem makeItem(const QString &id, const QString &headline = QString(),
    const QStringList &symbols = { QStringLiteral("TSLA") },
    const QString &source = QStringLiteral("Reuters"))
{
    NewsItem item;
    item.id = id;
    item.headline = headline.isEmpty() ? QStringLiteral("Headline ") + id : headline;
    item.symbols = symbols;
    item.source = source;
    item.url = QStringLiteral("https://news.example/") + id;
    item.publishedAtMs = QDateTime::currentMSecsSinceEpoch();
    item.receivedAtMs = item.publishedAtMs;
    item.provider = QStringLiteral("demo");
    return item;
}

QList<NewsItem> makeItems(int from, int count)
{
    QList<NewsItem> items;
    items.reserve(count);
    for (int i = from; i < from + count; ++i)
        items.append(makeItem(QStringLiteral("n%1").arg(i)));
    return items;
}

QStringList idsOf(const NewsModel &model)
{
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.index(row, 0).data(NewsModel::IdRole).toString());
    return ids;
}

} // namespace

class TestNewsModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void newestFirstInOneInsert();
    void addItemBatchesPerFrame();
    void appendKeepsQueuedItemsFirst();
    void capDropsOldest();
    void capSmallerThanOneBatch();
    void setCapacityTrims();
    void unreadUntilRead();
    void markAllRead();
    void replayAddsNoDuplicates();
    void groupedUpdateReplacesInPlace();
    void olderCopyDoesNotTakeSourcesAway();
    void duplicatesInsideOneBatch();
    void queuedUpdateMerges();
    void alertFlagsAndSignal();
    void alertRulesRecomputeExistingRows();
    void timeColumnTodayVersusOlder();
    void latencyColumn();
    void columnsAndRoles();
    void sourcesFollowRows();
    void clearDropsEverything();
    void hundredThousandRowsInBatches();
};

void TestNewsModel::newestFirstInOneInsert()
{
    NewsModel model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy itemsInserted(&model, &NewsModel::itemsInserted);

    model.appendItems(makeItems(0, 3)); // arrival order n0, n1, n2
    QCOMPARE(idsOf(model),
        (QStringList { QStringLiteral("n2"), QStringLiteral("n1"), QStringLiteral("n0") }));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 2);
    QCOMPARE(itemsInserted.count(), 1);
    QCOMPARE(itemsInserted.at(0).at(0).toInt(), 3);

    model.appendItems(makeItems(3, 2));
    QCOMPARE(idsOf(model),
        (QStringList { QStringLiteral("n4"), QStringLiteral("n3"), QStringLiteral("n2"),
            QStringLiteral("n1"), QStringLiteral("n0") }));
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(model.rowForId(QStringLiteral("n0")), 4);
    QCOMPARE(model.rowForId(QStringLiteral("n4")), 0);
    QCOMPARE(model.rowForId(QStringLiteral("missing")), -1);
}

void TestNewsModel::addItemBatchesPerFrame()
{
    NewsModel model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (const NewsItem &item : makeItems(0, 50))
        model.addItem(item, 7);
    // Nothing shown until the frame's flush, then all of it in one insert.
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.pendingCount(), 50);
    QTRY_COMPARE(model.rowCount(), 50);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(model.itemAt(0).id, QStringLiteral("n49"));
    QCOMPARE(model.latencyAt(0), qint64(7));

    // flush() shows what is queued at once.
    model.addItem(makeItem(QStringLiteral("x")));
    model.flush();
    QCOMPARE(model.rowCount(), 51);
    QCOMPARE(model.itemAt(0).id, QStringLiteral("x"));
}

void TestNewsModel::appendKeepsQueuedItemsFirst()
{
    NewsModel model;
    model.addItem(makeItem(QStringLiteral("queued")));
    model.appendItems(QList<NewsItem> { makeItem(QStringLiteral("batch")) });
    QCOMPARE(idsOf(model), (QStringList { QStringLiteral("batch"), QStringLiteral("queued") }));
    QCOMPARE(model.pendingCount(), 0);
}

void TestNewsModel::capDropsOldest()
{
    NewsModel model;
    model.setCapacity(5);
    QCOMPARE(model.capacity(), 5);
    model.appendItems(makeItems(0, 4));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.appendItems(makeItems(4, 4));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(idsOf(model),
        (QStringList { QStringLiteral("n7"), QStringLiteral("n6"), QStringLiteral("n5"),
            QStringLiteral("n4"), QStringLiteral("n3") }));
    // The three oldest went in one removal from the bottom.
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 1);
    QCOMPARE(removed.at(0).at(2).toInt(), 3);
    QCOMPARE(model.rowForId(QStringLiteral("n2")), -1);
    QCOMPARE(model.rowForId(QStringLiteral("n3")), 4);
    QCOMPARE(model.unreadCount(), 5);
}

void TestNewsModel::capSmallerThanOneBatch()
{
    NewsModel model;
    model.setCapacity(3);
    model.appendItems(makeItems(0, 10));
    QCOMPARE(idsOf(model),
        (QStringList { QStringLiteral("n9"), QStringLiteral("n8"), QStringLiteral("n7") }));
    QCOMPARE(model.unreadCount(), 3);
}

void TestNewsModel::setCapacityTrims()
{
    NewsModel model;
    model.appendItems(makeItems(0, 10));
    model.markRead(9); // n0, the oldest
    QCOMPARE(model.unreadCount(), 9);
    QSignalSpy unread(&model, &NewsModel::unreadCountChanged);
    model.setCapacity(4);
    QCOMPARE(idsOf(model),
        (QStringList { QStringLiteral("n9"), QStringLiteral("n8"), QStringLiteral("n7"),
            QStringLiteral("n6") }));
    QCOMPARE(model.unreadCount(), 4);
    QCOMPARE(unread.count(), 1);
    model.setCapacity(0); // clamps to 1
    QCOMPARE(model.capacity(), 1);
    QCOMPARE(model.rowCount(), 1);
}

void TestNewsModel::unreadUntilRead()
{
    NewsModel model;
    QSignalSpy unread(&model, &NewsModel::unreadCountChanged);
    model.appendItems(makeItems(0, 3));
    QCOMPARE(model.unreadCount(), 3);
    QCOMPARE(unread.count(), 1);
    const QModelIndex headline = model.index(1, NewsModel::HeadlineColumn);
    QVERIFY(headline.data(NewsModel::UnreadRole).toBool());
    QVERIFY(headline.data(Qt::FontRole).value<QFont>().bold());

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.markRead(1);
    QVERIFY(!headline.data(NewsModel::UnreadRole).toBool());
    QVERIFY(!model.isUnread(1));
    QVERIFY(model.isUnread(0));
    QVERIFY(!headline.data(Qt::FontRole).isValid());
    QCOMPARE(model.unreadCount(), 2);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);

    // Reading it again, or a row that does not exist, changes nothing.
    model.markRead(1);
    model.markRead(-1);
    model.markRead(99);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.unreadCount(), 2);

    // New rows come in unread and do not disturb the read one (now row 2).
    model.appendItems(makeItems(3, 1));
    QCOMPARE(model.unreadCount(), 3);
    QVERIFY(!model.isUnread(2));
    QCOMPARE(model.itemAt(2).id, QStringLiteral("n1"));
}

void TestNewsModel::markAllRead()
{
    NewsModel model;
    model.appendItems(makeItems(0, 5));
    QSignalSpy unread(&model, &NewsModel::unreadCountChanged);
    model.markAllRead();
    QCOMPARE(model.unreadCount(), 0);
    QCOMPARE(unread.count(), 1);
    for (int row = 0; row < model.rowCount(); ++row)
        QVERIFY(!model.isUnread(row));
    model.markAllRead();
    QCOMPARE(unread.count(), 1);
}

void TestNewsModel::replayAddsNoDuplicates()
{
    NewsModel model;
    model.appendItems(makeItems(0, 5));
    model.markRead(0);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    // A reconnect replays what the client already has, then the items it missed.
    QList<NewsItem> replay = makeItems(2, 3);
    replay.append(makeItems(5, 2));
    model.appendItems(replay);
    QCOMPARE(model.rowCount(), 7);
    QCOMPARE(idsOf(model),
        (QStringList { QStringLiteral("n6"), QStringLiteral("n5"), QStringLiteral("n4"),
            QStringLiteral("n3"), QStringLiteral("n2"), QStringLiteral("n1"),
            QStringLiteral("n0") }));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(2).toInt(), 1); // only the two new rows
    QCOMPARE(changed.count(), 0); // an identical copy changes nothing
    QVERIFY(!model.isUnread(2)); // n4 stays read

    // The same through the per-item path.
    for (const NewsItem &item : makeItems(0, 7))
        model.addItem(item);
    QCOMPARE(model.pendingCount(), 0);
    model.flush();
    QCOMPARE(model.rowCount(), 7);

    // A replay made only of known items inserts nothing at all.
    model.appendItems(makeItems(0, 7));
    QCOMPARE(inserted.count(), 1);
}

void TestNewsModel::groupedUpdateReplacesInPlace()
{
    NewsModel model;
    model.appendItems(QList<NewsModel::Entry> { { makeItem(QStringLiteral("story")), 12 } });
    model.appendItems(makeItems(0, 2));
    model.markRead(2);
    QCOMPARE(model.rowForId(QStringLiteral("story")), 2);
    const QModelIndex source = model.index(2, NewsModel::SourceColumn);
    QCOMPARE(source.data().toString(), QStringLiteral("Reuters"));
    QCOMPARE(source.data(NewsModel::OtherSourcesRole).toInt(), 0);

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    NewsItem update = makeItem(QStringLiteral("story"));
    update.otherSources = QStringList { QStringLiteral("Bloomberg") };
    update.summary = QStringLiteral("Now with a summary.");
    model.appendItems(QList<NewsModel::Entry> { { update, 900 } });

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 2);
    QCOMPARE(model.rowForId(QStringLiteral("story")), 2);
    QCOMPARE(source.data(NewsModel::OtherSourcesRole).toInt(), 1);
    QCOMPARE(source.data().toString(), QStringLiteral("Reuters +1 source"));
    QCOMPARE(source.data(NewsModel::SourceRole).toString(), QStringLiteral("Reuters"));
    QCOMPARE(model.itemAt(2).summary, QStringLiteral("Now with a summary."));
    // An update is not a new story: still read, and the first delivery's latency stays.
    QVERIFY(!model.isUnread(2));
    QCOMPARE(model.latencyAt(2), qint64(12));

    update.otherSources.append(QStringLiteral("CNBC"));
    model.addItem(update);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(source.data().toString(), QStringLiteral("Reuters +2 sources"));
    QCOMPARE(model.rowCount(), 3);
}

void TestNewsModel::olderCopyDoesNotTakeSourcesAway()
{
    NewsModel model;
    NewsItem grouped = makeItem(QStringLiteral("story"));
    grouped.otherSources = QStringList { QStringLiteral("Bloomberg"), QStringLiteral("CNBC") };
    model.appendItems(QList<NewsItem> { grouped });
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    // A replay from an event store may carry the story as it was first sent.
    model.appendItems(QList<NewsItem> { makeItem(QStringLiteral("story")) });
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(model.itemAt(0).otherSources, grouped.otherSources);

    // A copy with one old and one new source: the union, once each.
    NewsItem other = makeItem(QStringLiteral("story"));
    other.otherSources
        = QStringList { QStringLiteral("cnbc"), QStringLiteral("WSJ"), QStringLiteral("Reuters") };
    model.appendItems(QList<NewsItem> { other });
    QCOMPARE(model.itemAt(0).otherSources,
        (QStringList {
            QStringLiteral("Bloomberg"), QStringLiteral("CNBC"), QStringLiteral("WSJ") }));
    QCOMPARE(changed.count(), 1);
}

void TestNewsModel::duplicatesInsideOneBatch()
{
    NewsModel model;
    NewsItem first = makeItem(QStringLiteral("a"));
    NewsItem again = makeItem(QStringLiteral("a"));
    again.otherSources = QStringList { QStringLiteral("AP") };
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.appendItems(QList<NewsItem> { first, makeItem(QStringLiteral("b")), again });
    QCOMPARE(idsOf(model), (QStringList { QStringLiteral("b"), QStringLiteral("a") }));
    QCOMPARE(model.itemAt(1).otherSources, QStringList { QStringLiteral("AP") });
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.unreadCount(), 2);
}

void TestNewsModel::queuedUpdateMerges()
{
    NewsModel model;
    model.addItem(makeItem(QStringLiteral("a")));
    NewsItem update = makeItem(QStringLiteral("a"));
    update.otherSources = QStringList { QStringLiteral("AP") };
    model.addItem(update);
    QCOMPARE(model.pendingCount(), 1);
    model.flush();
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, 0).data(NewsModel::OtherSourcesRole).toInt(), 1);
}

void TestNewsModel::alertFlagsAndSignal()
{
    NewsModel model;
    model.setAlertRules(
        AlertRules::fromStringList({ QStringLiteral("keyword:recall"), QStringLiteral("$NVDA") }));
    QSignalSpy alerts(&model, &NewsModel::alertTriggered);

    model.appendItems(QList<NewsItem> {
        makeItem(
            QStringLiteral("a"), QStringLiteral("Ford recall widens"), { QStringLiteral("F") }),
        makeItem(QStringLiteral("b"), QStringLiteral("Quiet day"), { QStringLiteral("AAPL") }),
        makeItem(QStringLiteral("c"), QStringLiteral("Chips rally"), { QStringLiteral("NVDA") }),
    });
    // Rows: c, b, a.
    QVERIFY(model.isAlert(0));
    QVERIFY(!model.isAlert(1));
    QVERIFY(model.isAlert(2));
    QVERIFY(model.index(2, NewsModel::HeadlineColumn).data(NewsModel::AlertRole).toBool());
    QVERIFY(!model.index(1, NewsModel::HeadlineColumn).data(NewsModel::AlertRole).toBool());
    // One signal per new matching item, in arrival order.
    QCOMPARE(alerts.count(), 2);
    QCOMPARE(alerts.at(0).at(0).value<NewsItem>().id, QStringLiteral("a"));
    QCOMPARE(alerts.at(1).at(0).value<NewsItem>().id, QStringLiteral("c"));
    // Which rule: the window's notification can say why.
    QCOMPARE(model.alertRules().match(model.itemAt(0))->toString(), QStringLiteral("ticker:NVDA"));

    // A replay of an alerting item is not a new alert.
    model.appendItems(QList<NewsItem> { makeItem(
        QStringLiteral("a"), QStringLiteral("Ford recall widens"), { QStringLiteral("F") }) });
    QCOMPARE(alerts.count(), 2);
}

void TestNewsModel::alertRulesRecomputeExistingRows()
{
    NewsModel model;
    model.appendItems(QList<NewsItem> {
        makeItem(
            QStringLiteral("a"), QStringLiteral("Ford recall widens"), { QStringLiteral("F") }),
        makeItem(QStringLiteral("b"), QStringLiteral("Quiet day"), { QStringLiteral("AAPL") }),
    });
    QVERIFY(!model.isAlert(0));
    QVERIFY(!model.isAlert(1));
    QSignalSpy alerts(&model, &NewsModel::alertTriggered);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.setAlertRules(AlertRules::fromStringList({ QStringLiteral("ticker:F") }));
    QVERIFY(model.isAlert(1));
    QVERIFY(!model.isAlert(0));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(alerts.count(), 0); // rules changed, no story arrived

    model.setAlertRules(AlertRules());
    QVERIFY(!model.isAlert(1));
}

void TestNewsModel::timeColumnTodayVersusOlder()
{
    NewsModel model;
    NewsItem today = makeItem(QStringLiteral("today"));
    NewsItem older = makeItem(QStringLiteral("older"));
    older.publishedAtMs = QDateTime::currentDateTime().addDays(-3).toMSecsSinceEpoch();
    NewsItem noPublishTime = makeItem(QStringLiteral("received"));
    noPublishTime.publishedAtMs = 0;
    model.appendItems(QList<NewsItem> { older, today, noPublishTime });
    // Rows: received, today, older.
    const QModelIndex todayTime = model.index(1, NewsModel::TimeColumn);
    const QModelIndex olderTime = model.index(2, NewsModel::TimeColumn);
    QVERIFY(todayTime.data(NewsModel::IsTodayRole).toBool());
    QVERIFY(!olderTime.data(NewsModel::IsTodayRole).toBool());

    // Today: the time alone; older: the date too, so the two read differently.
    const QDateTime todayLocal = QDateTime::fromMSecsSinceEpoch(today.publishedAtMs);
    const QDateTime olderLocal = QDateTime::fromMSecsSinceEpoch(older.publishedAtMs);
    QCOMPARE(todayTime.data().toString(), todayLocal.toString(QStringLiteral("HH:mm:ss")));
    QCOMPARE(olderTime.data().toString(), olderLocal.toString(QStringLiteral("MMM d HH:mm")));
    QVERIFY(olderTime.data().toString().contains(olderLocal.toString(QStringLiteral("MMM"))));

    // Without a publish time the receive time shows.
    QCOMPARE(model.index(0, NewsModel::TimeColumn)
                 .data(NewsModel::PublishedAtRole)
                 .toDateTime()
                 .toMSecsSinceEpoch(),
        noPublishTime.receivedAtMs);
    QVERIFY(!model.index(0, NewsModel::TimeColumn).data().toString().isEmpty());
    QVERIFY(model.index(2, NewsModel::TimeColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(NewsItem::isoTime(older.publishedAtMs)));
}

void TestNewsModel::latencyColumn()
{
    NewsModel model;
    model.appendItems(QList<NewsModel::Entry> {
        { makeItem(QStringLiteral("unknown")), -1 }, { makeItem(QStringLiteral("known")), 42 } });
    const QModelIndex known = model.index(0, NewsModel::LatencyColumn);
    const QModelIndex unknown = model.index(1, NewsModel::LatencyColumn);
    QCOMPARE(known.data().toString(), QStringLiteral("42 ms"));
    QCOMPARE(known.data(NewsModel::LatencyRole).toLongLong(), qint64(42));
    QCOMPARE(unknown.data().toString(), QString());
    QCOMPARE(unknown.data(NewsModel::LatencyRole).toLongLong(), qint64(-1));
    QVERIFY(known.data(Qt::TextAlignmentRole).value<Qt::Alignment>() & Qt::AlignRight);
}

void TestNewsModel::columnsAndRoles()
{
    NewsModel model;
    QCOMPARE(model.columnCount(), int(NewsModel::ColumnCount));
    QCOMPARE(
        model.headerData(NewsModel::TimeColumn, Qt::Horizontal).toString(), QStringLiteral("Time"));
    QCOMPARE(model.headerData(NewsModel::SymbolsColumn, Qt::Horizontal).toString(),
        QStringLiteral("Symbols"));
    QCOMPARE(model.headerData(NewsModel::HeadlineColumn, Qt::Horizontal).toString(),
        QStringLiteral("Headline"));
    QCOMPARE(model.headerData(NewsModel::SourceColumn, Qt::Horizontal).toString(),
        QStringLiteral("Source"));
    QCOMPARE(model.headerData(NewsModel::LatencyColumn, Qt::Horizontal).toString(),
        QStringLiteral("Latency"));

    NewsItem item = makeItem(QStringLiteral("x"), QStringLiteral("Chips rally"),
        { QStringLiteral("NVDA"), QStringLiteral("AMD") });
    model.appendItems(QList<NewsItem> { item });
    const QModelIndex row = model.index(0, NewsModel::HeadlineColumn);
    QCOMPARE(row.data().toString(), QStringLiteral("Chips rally"));
    QCOMPARE(
        model.index(0, NewsModel::SymbolsColumn).data().toString(), QStringLiteral("NVDA AMD"));
    QCOMPARE(row.data(NewsModel::SymbolsRole).toStringList(), item.symbols);
    QCOMPARE(row.data(NewsModel::UrlRole).toUrl(), QUrl(item.url));
    QCOMPARE(row.data(NewsModel::HeadlineRole).toString(), item.headline);
    QCOMPARE(row.data(NewsModel::IdRole).toString(), item.id);
    QCOMPARE(row.data(NewsModel::ItemRole).value<NewsItem>().url, item.url);
    QVERIFY(model.roleNames().contains(NewsModel::SymbolsRole));
    QVERIFY(!model.index(1, 0).isValid());
    QCOMPARE(model.rowCount(model.index(0, 0)), 0); // a flat table
}

void TestNewsModel::sourcesFollowRows()
{
    NewsModel model;
    model.setCapacity(2);
    QSignalSpy sources(&model, &NewsModel::sourcesChanged);
    model.appendItems(QList<NewsItem> {
        makeItem(QStringLiteral("a"), {}, { QStringLiteral("F") }, QStringLiteral("AP")) });
    QCOMPARE(model.sources(), QStringList { QStringLiteral("AP") });
    QCOMPARE(sources.count(), 1);
    model.appendItems(QList<NewsItem> {
        makeItem(QStringLiteral("b"), {}, { QStringLiteral("F") }, QStringLiteral("AP")) });
    QCOMPARE(sources.count(), 1); // no new source
    model.appendItems(QList<NewsItem> {
        makeItem(QStringLiteral("c"), {}, { QStringLiteral("F") }, QStringLiteral("WSJ")) });
    QCOMPARE(sources.count(), 2);
    QStringList list = model.sources();
    list.sort();
    QCOMPARE(list, (QStringList { QStringLiteral("AP"), QStringLiteral("WSJ") }));
    model.appendItems(QList<NewsItem> {
        makeItem(QStringLiteral("d"), {}, { QStringLiteral("F") }, QStringLiteral("WSJ")) });
    // Both AP rows dropped by the cap: AP is gone from the list.
    QCOMPARE(model.sources(), QStringList { QStringLiteral("WSJ") });
    QCOMPARE(sources.count(), 3);
}

void TestNewsModel::clearDropsEverything()
{
    NewsModel model;
    model.appendItems(makeItems(0, 3));
    model.addItem(makeItem(QStringLiteral("queued")));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.clear();
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(model.unreadCount(), 0);
    QVERIFY(model.sources().isEmpty());
    // Ids are forgotten too: the same items are new again.
    model.appendItems(makeItems(0, 3));
    QCOMPARE(model.rowCount(), 3);
}

void TestNewsModel::hundredThousandRowsInBatches()
{
    NewsModel model;
    QCOMPARE(model.capacity(), 100000);
    NewsFilterProxy proxy;
    proxy.setSourceModel(&model);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    // 100 frames of 1,000 items, as the controller delivers a heavy feed.
    constexpr int kBatch = 1000;
    for (int batch = 0; batch < 100; ++batch) {
        QList<NewsModel::Entry> entries;
        entries.reserve(kBatch);
        for (int i = 0; i < kBatch; ++i) {
            const int n = batch * kBatch + i;
            NewsItem item = makeItem(QStringLiteral("n%1").arg(n), QString(),
                { n % 10 == 0 ? QStringLiteral("NVDA") : QStringLiteral("TSLA") });
            entries.append(NewsModel::Entry { std::move(item), n % 50 });
        }
        model.appendItems(entries);
    }
    QCOMPARE(inserted.count(), 100);
    QCOMPARE(model.rowCount(), 100000);
    QCOMPARE(proxy.rowCount(), 100000);
    QCOMPARE(model.unreadCount(), 100000);
    QCOMPARE(model.itemAt(0).id, QStringLiteral("n99999"));
    QCOMPARE(model.itemAt(99999).id, QStringLiteral("n0"));

    // One more frame: the cap holds, the oldest frame goes, and the replayed tail adds nothing.
    QList<NewsItem> more = makeItems(100000, kBatch);
    more.append(makeItems(99000, kBatch));
    model.appendItems(more);
    QCOMPARE(model.rowCount(), 100000);
    QCOMPARE(proxy.rowCount(), 100000);
    QCOMPARE(model.rowForId(QStringLiteral("n999")), -1);
    QCOMPARE(model.rowForId(QStringLiteral("n1000")), 99999);
    QCOMPARE(model.itemAt(0).id, QStringLiteral("n100999"));

    // The filter over all of it.
    proxy.setFilterText(QStringLiteral("$NVDA"));
    QCOMPARE(proxy.rowCount(), 9900); // n1000..n99990 step 10 (n100000.. are TSLA)
    proxy.setFilterText(QString());
    QCOMPARE(proxy.rowCount(), 100000);
}

QTEST_MAIN(TestNewsModel)
#include "tst_newsmodel.moc"
