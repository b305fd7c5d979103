// NewsFilterProxy: the filter box (headline, source, ticker; "$TSLA" / "ticker:TSLA" for the
// ticker alone), the source filter and "only alerts", over a live NewsModel.
#include "newsfilterproxy.h"
#include "newsmodel.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QtTest>

using tw::core::NewsItem;
using tw::ui::AlertRules;
using tw::ui::NewsFilterProxy;
using tw::ui::NewsModel;

namespace {

NewsItem makeItem(
    const QString &id, const QString &headline, const QStringList &symbols, const QString &source)
{
    NewsItem item;
    item.id = id;
    item.headline = headline;
    item.symbols = symbols;
    item.source = source;
    item.url = QStringLiteral("https://news.example/") + id;
    item.publishedAtMs = QDateTime::currentMSecsSinceEpoch();
    return item;
}

QStringList shownIds(const NewsFilterProxy &proxy)
{
    QStringList ids;
    for (int row = 0; row < proxy.rowCount(); ++row)
        ids.append(proxy.index(row, 0).data(NewsModel::IdRole).toString());
    return ids;
}

} // namespace

class TestNewsFilterProxy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void noFilterShowsAllNewestFirst();
    void freeText_data();
    void freeText();
    void sourceFilter();
    void onlyAlerts();
    void filtersCombine();
    void newRowsAreFiltered();
    void keepsModelOrder();
    void sourcesSorted();
    void sourceRowMapsBack();

private:
    NewsModel *m_model = nullptr;
    NewsFilterProxy *m_proxy = nullptr;
};

void TestNewsFilterProxy::init()
{
    m_model = new NewsModel;
    m_proxy = new NewsFilterProxy;
    m_proxy->setSourceModel(m_model);
    // Arrival order a..e; shown newest first: e d c b a.
    m_model->appendItems(QList<NewsItem> {
        makeItem(QStringLiteral("a"), QStringLiteral("Tesla recall widens to 2M cars"),
            { QStringLiteral("TSLA") }, QStringLiteral("Reuters")),
        makeItem(QStringLiteral("b"), QStringLiteral("Nvidia beats on data-center demand"),
            { QStringLiteral("NVDA") }, QStringLiteral("Bloomberg")),
        makeItem(QStringLiteral("c"), QStringLiteral("TSLA rival Rivian ships early"),
            { QStringLiteral("RIVN") }, QStringLiteral("CNBC")),
        makeItem(QStringLiteral("d"), QStringLiteral("Chipmakers rally"),
            { QStringLiteral("NVDA"), QStringLiteral("AMD") }, QStringLiteral("Reuters")),
        makeItem(QStringLiteral("e"), QStringLiteral("Apple supplier warns"),
            { QStringLiteral("AAPL") }, QStringLiteral("Nikkei Asia")),
    });
}

void TestNewsFilterProxy::cleanup()
{
    delete m_proxy;
    delete m_model;
}

void TestNewsFilterProxy::noFilterShowsAllNewestFirst()
{
    QVERIFY(!m_proxy->isFiltering());
    QCOMPARE(shownIds(*m_proxy),
        (QStringList { QStringLiteral("e"), QStringLiteral("d"), QStringLiteral("c"),
            QStringLiteral("b"), QStringLiteral("a") }));
}

void TestNewsFilterProxy::freeText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("ids");

    QTest::newRow("headline word") << "recall" << QStringList { QStringLiteral("a") };
    QTest::newRow("case-insensitive") << "RECALL" << QStringList { QStringLiteral("a") };
    QTest::newRow("part of a word") << "chip" << QStringList { QStringLiteral("d") };
    QTest::newRow("source") << "bloomberg" << QStringList { QStringLiteral("b") };
    QTest::newRow("source part") << "nikkei" << QStringList { QStringLiteral("e") };
    // A bare ticker matches the symbol and also a headline that mentions it.
    QTest::newRow("ticker as text")
        << "tsla" << QStringList { QStringLiteral("c"), QStringLiteral("a") };
    QTest::newRow("ticker only $") << "$TSLA" << QStringList { QStringLiteral("a") };
    QTest::newRow("ticker only lower") << "$tsla" << QStringList { QStringLiteral("a") };
    QTest::newRow("ticker: syntax")
        << "ticker:nvda" << QStringList { QStringLiteral("d"), QStringLiteral("b") };
    QTest::newRow("ticker exact") << "$NVD" << QStringList {};
    QTest::newRow("second symbol") << "$AMD" << QStringList { QStringLiteral("d") };
    QTest::newRow("all terms") << "nvda rally" << QStringList { QStringLiteral("d") };
    QTest::newRow("terms any field") << "reuters tesla" << QStringList { QStringLiteral("a") };
    QTest::newRow("no match") << "merger" << QStringList {};
    QTest::newRow("spaces only") << "   "
                                 << QStringList { QStringLiteral("e"), QStringLiteral("d"),
                                        QStringLiteral("c"), QStringLiteral("b"),
                                        QStringLiteral("a") };
    QTest::newRow("lone $ while typing")
        << "$"
        << QStringList { QStringLiteral("e"), QStringLiteral("d"), QStringLiteral("c"),
               QStringLiteral("b"), QStringLiteral("a") };
}

void TestNewsFilterProxy::freeText()
{
    QFETCH(QString, text);
    QFETCH(QStringList, ids);
    QSignalSpy changed(m_proxy, &NewsFilterProxy::filterChanged);
    m_proxy->setFilterText(text);
    QCOMPARE(shownIds(*m_proxy), ids);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_proxy->filterText(), text);
    m_proxy->setFilterText(QString());
    QCOMPARE(m_proxy->rowCount(), 5);
}

void TestNewsFilterProxy::sourceFilter()
{
    m_proxy->setSourceFilter(QStringLiteral("Reuters"));
    QVERIFY(m_proxy->isFiltering());
    QCOMPARE(shownIds(*m_proxy), (QStringList { QStringLiteral("d"), QStringLiteral("a") }));
    // The whole name, not a part of it.
    m_proxy->setSourceFilter(QStringLiteral("Nikkei"));
    QCOMPARE(m_proxy->rowCount(), 0);
    m_proxy->setSourceFilter(QStringLiteral("nikkei asia"));
    QCOMPARE(shownIds(*m_proxy), QStringList { QStringLiteral("e") });
    m_proxy->setSourceFilter(QString());
    QCOMPARE(m_proxy->rowCount(), 5);
}

void TestNewsFilterProxy::onlyAlerts()
{
    m_proxy->setOnlyAlerts(true);
    QVERIFY(m_proxy->onlyAlerts());
    QCOMPARE(m_proxy->rowCount(), 0);
    // Rules set later re-filter the rows already shown.
    m_model->setAlertRules(
        AlertRules::fromStringList({ QStringLiteral("keyword:recall"), QStringLiteral("$AAPL") }));
    QCOMPARE(shownIds(*m_proxy), (QStringList { QStringLiteral("e"), QStringLiteral("a") }));
    m_proxy->setOnlyAlerts(false);
    QCOMPARE(m_proxy->rowCount(), 5);
}

void TestNewsFilterProxy::filtersCombine()
{
    m_model->setAlertRules(AlertRules::fromStringList({ QStringLiteral("$NVDA") }));
    m_proxy->setOnlyAlerts(true);
    QCOMPARE(shownIds(*m_proxy), (QStringList { QStringLiteral("d"), QStringLiteral("b") }));
    m_proxy->setSourceFilter(QStringLiteral("Reuters"));
    QCOMPARE(shownIds(*m_proxy), QStringList { QStringLiteral("d") });
    m_proxy->setFilterText(QStringLiteral("beats"));
    QCOMPARE(m_proxy->rowCount(), 0);
}

void TestNewsFilterProxy::newRowsAreFiltered()
{
    m_proxy->setFilterText(QStringLiteral("$TSLA"));
    QCOMPARE(m_proxy->rowCount(), 1);
    QSignalSpy inserted(m_proxy, &QAbstractItemModel::rowsInserted);
    m_model->appendItems(QList<NewsItem> {
        makeItem(QStringLiteral("f"), QStringLiteral("Musk comments on demand"),
            { QStringLiteral("TSLA") }, QStringLiteral("AP")),
        makeItem(QStringLiteral("g"), QStringLiteral("Oil slips"), { QStringLiteral("XOM") },
            QStringLiteral("AP")),
    });
    QCOMPARE(shownIds(*m_proxy), (QStringList { QStringLiteral("f"), QStringLiteral("a") }));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
}

void TestNewsFilterProxy::keepsModelOrder()
{
    // A click on a header must not re-sort a live newest-first list.
    m_proxy->sort(NewsModel::HeadlineColumn, Qt::AscendingOrder);
    QCOMPARE(shownIds(*m_proxy),
        (QStringList { QStringLiteral("e"), QStringLiteral("d"), QStringLiteral("c"),
            QStringLiteral("b"), QStringLiteral("a") }));
}

void TestNewsFilterProxy::sourcesSorted()
{
    QSignalSpy changed(m_proxy, &NewsFilterProxy::sourcesChanged);
    QCOMPARE(m_proxy->sources(),
        (QStringList { QStringLiteral("Bloomberg"), QStringLiteral("CNBC"),
            QStringLiteral("Nikkei Asia"), QStringLiteral("Reuters") }));
    m_model->appendItems(QList<NewsItem> {
        makeItem(QStringLiteral("f"), QStringLiteral("x"), {}, QStringLiteral("ap")) });
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_proxy->sources().first(), QStringLiteral("ap"));
}

void TestNewsFilterProxy::sourceRowMapsBack()
{
    m_proxy->setFilterText(QStringLiteral("$NVDA"));
    QCOMPARE(m_proxy->sourceRow(0), 1); // d
    QCOMPARE(m_proxy->sourceRow(1), 3); // b
    QCOMPARE(m_proxy->sourceRow(2), -1);
    QCOMPARE(m_proxy->newsModel(), m_model);
}

QTEST_MAIN(TestNewsFilterProxy)
#include "tst_newsfilterproxy.moc"
