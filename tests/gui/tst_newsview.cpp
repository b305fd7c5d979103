// NewsView (with NewsDelegate) over NewsFilterProxy and NewsModel, shown offscreen: the live
// tail at the top, the anchor and the "N new" pill when scrolled away, keyboard navigation,
// open/copy, read-on-select, compact rows, alert painting, and 100,000 rows in a shown view.
#include "newsdelegate.h"
#include "newsfilterproxy.h"
#include "newsmodel.h"
#include "newsview.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QHeaderView>
#include <QImage>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QtTest>

using tw::core::NewsItem;
using tw::ui::AlertRules;
using tw::ui::NewsDelegate;
using tw::ui::NewsFilterProxy;
using tw::ui::NewsModel;
using tw::ui::NewsView;

namespace {

NewsItem makeItem(int n, const QStringList &symbols = { QStringLiteral("TSLA") })
{
    NewsItem item;
    item.id = QStringLiteral("n%1").arg(n);
    item.headline = QStringLiteral("Headline number %1").arg(n);
    item.symbols = symbols;
    item.source = QStringLiteral("Reuters");
    item.url = QStringLiteral("https://news.example/story/%1").arg(n);
    item.publishedAtMs = QDateTime::currentMSecsSinceEpoch();
    return item;
}

QList<NewsItem> makeItems(
    int from, int count, const QStringList &symbols = { QStringLiteral("TSLA") })
{
    QList<NewsItem> items;
    for (int i = from; i < from + count; ++i)
        items.append(makeItem(i, symbols));
    return items;
}

} // namespace

class TestNewsView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void liveTailAtTop();
    void anchorAndPillWhenScrolledAway();
    void anchorHoldsAtTheBottom();
    void scrollingBackToTopHidesPill();
    void homeKeyGoesToNewest();
    void filteredOutRowsDoNotCount();
    void keyboardNavigation();
    void selectingMarksRead();
    void enterAndDoubleClickOpen();
    void copyHeadlineAndLink();
    void compactRows();
    void alertRowsArePainted_data();
    void alertRowsArePainted();
    void hundredThousandRows();

private:
    // The id of the row at the viewport's top edge, and how far that edge is into it.
    QString topId() const;
    int topOffset() const;
    void scrollToRow(int row, int intoRow);

    NewsModel *m_model = nullptr;
    NewsFilterProxy *m_proxy = nullptr;
    NewsView *m_view = nullptr;
};

void TestNewsView::init()
{
    m_model = new NewsModel;
    m_proxy = new NewsFilterProxy;
    m_proxy->setSourceModel(m_model);
    m_view = new NewsView;
    m_view->setModel(m_proxy);
    m_view->resize(900, 420);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
    m_view->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_view));
}

void TestNewsView::cleanup()
{
    delete m_view;
    delete m_proxy;
    delete m_model;
}

QString TestNewsView::topId() const
{
    const int row = m_view->rowAt(0);
    return row < 0 ? QString() : m_proxy->index(row, 0).data(NewsModel::IdRole).toString();
}

int TestNewsView::topOffset() const { return -m_view->rowViewportPosition(m_view->rowAt(0)); }

void TestNewsView::scrollToRow(int row, int intoRow)
{
    m_view->verticalScrollBar()->setValue(m_view->verticalHeader()->sectionPosition(row) + intoRow);
    QCOMPARE(m_view->rowAt(0), row);
}

void TestNewsView::liveTailAtTop()
{
    m_model->appendItems(makeItems(0, 100));
    QCOMPARE(m_view->verticalScrollBar()->value(), 0);
    QCOMPARE(topId(), QStringLiteral("n99"));

    m_model->appendItems(makeItems(100, 5));
    QCoreApplication::processEvents();
    // At the top the newest row is in sight; no pill.
    QCOMPARE(m_view->verticalScrollBar()->value(), 0);
    QCOMPARE(topId(), QStringLiteral("n104"));
    QVERIFY(!m_view->isPillVisible());
    QCOMPARE(m_view->newPillCount(), 0);
}

void TestNewsView::anchorAndPillWhenScrolledAway()
{
    m_model->appendItems(makeItems(0, 200));
    QCoreApplication::processEvents();
    scrollToRow(40, 5);
    const QString anchor = topId();
    QCOMPARE(anchor, QStringLiteral("n159"));
    QCOMPARE(topOffset(), 5);

    m_model->appendItems(makeItems(200, 7));
    // What the user reads stays put, to the pixel.
    QCOMPARE(topId(), anchor);
    QCOMPARE(topOffset(), 5);
    QVERIFY(m_view->isPillVisible());
    QCOMPARE(m_view->newPillCount(), 7);
    QVERIFY2(m_view->newPill()->text().contains(QStringLiteral("7 new")),
        qPrintable(m_view->newPill()->text()));

    // Also after the view's delayed relayout, and across further frames.
    QCoreApplication::processEvents();
    m_model->appendItems(makeItems(207, 3));
    QCoreApplication::processEvents();
    QCOMPARE(topId(), anchor);
    QCOMPARE(topOffset(), 5);
    QCOMPARE(m_view->newPillCount(), 10);
    QVERIFY(m_view->newPill()->text().contains(QStringLiteral("10 new")));
    // The pill floats over the list, near its top edge.
    QVERIFY(m_view->viewport()->rect().contains(m_view->newPill()->geometry()));

    // The per-item path with its frame timer behaves the same.
    m_model->addItem(makeItem(300));
    QTRY_COMPARE(m_view->newPillCount(), 11);
    QCOMPARE(topId(), anchor);

    // A click on the pill goes back to the newest.
    QTest::mouseClick(m_view->newPill(), Qt::LeftButton);
    QCOMPARE(m_view->verticalScrollBar()->value(), 0);
    QCOMPARE(topId(), QStringLiteral("n300"));
    QVERIFY(!m_view->isPillVisible());
    QCOMPARE(m_view->newPillCount(), 0);
}

void TestNewsView::anchorHoldsAtTheBottom()
{
    // Reading the oldest rows: the scroll range must grow before the anchor is restored, or
    // the old maximum would clamp it and the rows would slide.
    m_model->appendItems(makeItems(0, 100));
    QCoreApplication::processEvents();
    QScrollBar *bar = m_view->verticalScrollBar();
    bar->setValue(bar->maximum());
    const QString anchor = topId();
    const int offset = topOffset();
    m_model->appendItems(makeItems(100, 5));
    QCOMPARE(topId(), anchor);
    QCOMPARE(topOffset(), offset);
    QCoreApplication::processEvents();
    QCOMPARE(topId(), anchor);
    QCOMPARE(m_view->newPillCount(), 5);
}

void TestNewsView::scrollingBackToTopHidesPill()
{
    m_model->appendItems(makeItems(0, 100));
    QCoreApplication::processEvents();
    scrollToRow(10, 0);
    m_model->appendItems(makeItems(100, 2));
    QVERIFY(m_view->isPillVisible());
    m_view->verticalScrollBar()->setValue(0);
    QVERIFY(!m_view->isPillVisible());
    QCOMPARE(m_view->newPillCount(), 0);
}

void TestNewsView::homeKeyGoesToNewest()
{
    m_model->appendItems(makeItems(0, 100));
    QCoreApplication::processEvents();
    scrollToRow(30, 0);
    m_model->appendItems(makeItems(100, 4));
    QVERIFY(m_view->isPillVisible());
    m_view->setFocus();
    QTest::keyClick(m_view, Qt::Key_Home);
    QCOMPARE(m_view->verticalScrollBar()->value(), 0);
    QCOMPARE(m_view->currentIndex().row(), 0);
    QCOMPARE(m_view->currentItem().id, QStringLiteral("n103"));
    QVERIFY(!m_view->isPillVisible());
}

void TestNewsView::filteredOutRowsDoNotCount()
{
    m_proxy->setFilterText(QStringLiteral("$TSLA"));
    m_model->appendItems(makeItems(0, 100));
    QCoreApplication::processEvents();
    scrollToRow(20, 3);
    const QString anchor = topId();

    // Rows the filter hides are not "new" for this list and move nothing.
    m_model->appendItems(makeItems(100, 5, { QStringLiteral("AAPL") }));
    QCOMPARE(topId(), anchor);
    QVERIFY(!m_view->isPillVisible());

    // Changing the filter brings rows back above the anchor: the view holds still, but they
    // are not news, so no pill.
    m_proxy->setFilterText(QString());
    QCoreApplication::processEvents();
    QCOMPARE(topId(), anchor);
    QCOMPARE(topOffset(), 3);
    QVERIFY(!m_view->isPillVisible());

    m_model->appendItems(makeItems(200, 2));
    QCOMPARE(m_view->newPillCount(), 2);
    QCOMPARE(topId(), anchor);
}

void TestNewsView::keyboardNavigation()
{
    m_model->appendItems(makeItems(0, 50));
    m_view->setFocus();
    QVERIFY(!m_view->currentIndex().isValid());

    QTest::keyClick(m_view, Qt::Key_J);
    QCOMPARE(m_view->currentIndex().row(), 0);
    QTest::keyClick(m_view, Qt::Key_J);
    QTest::keyClick(m_view, Qt::Key_J);
    QCOMPARE(m_view->currentIndex().row(), 2);
    QCOMPARE(m_view->currentItem().id, QStringLiteral("n47"));
    QTest::keyClick(m_view, Qt::Key_K);
    QCOMPARE(m_view->currentIndex().row(), 1);
    QTest::keyClick(m_view, Qt::Key_Down);
    QCOMPARE(m_view->currentIndex().row(), 2);
    QTest::keyClick(m_view, Qt::Key_Up);
    QTest::keyClick(m_view, Qt::Key_Up);
    QCOMPARE(m_view->currentIndex().row(), 0);
    // k at the top stays there.
    QTest::keyClick(m_view, Qt::Key_K);
    QCOMPARE(m_view->currentIndex().row(), 0);
    // The whole row is selected.
    QCOMPARE(m_view->selectionModel()->selectedRows().size(), 1);

    QTest::keyClick(m_view, Qt::Key_End);
    QCOMPARE(m_view->currentIndex().row(), 49);
    QVERIFY(m_view->verticalScrollBar()->value() > 0);
    QTest::keyClick(m_view, Qt::Key_J);
    QCOMPARE(m_view->currentIndex().row(), 49);
    QTest::keyClick(m_view, Qt::Key_Home);
    QCOMPARE(m_view->currentIndex().row(), 0);
    QCOMPARE(m_view->verticalScrollBar()->value(), 0);

    // The selection follows its item when new rows arrive above it.
    QTest::keyClick(m_view, Qt::Key_J);
    QCOMPARE(m_view->currentItem().id, QStringLiteral("n48"));
    m_model->appendItems(makeItems(50, 3));
    QCOMPARE(m_view->currentItem().id, QStringLiteral("n48"));
    QCOMPARE(m_view->currentIndex().row(), 4);
}

void TestNewsView::selectingMarksRead()
{
    m_model->appendItems(makeItems(0, 10));
    QCOMPARE(m_model->unreadCount(), 10);
    QSignalSpy current(m_view, &NewsView::currentItemChanged);
    m_view->setFocus();
    QTest::keyClick(m_view, Qt::Key_J);
    QTest::keyClick(m_view, Qt::Key_J);
    QVERIFY(!m_model->isUnread(0));
    QVERIFY(!m_model->isUnread(1));
    QVERIFY(m_model->isUnread(2));
    QCOMPARE(m_model->unreadCount(), 8);
    QCOMPARE(current.count(), 2);
    QCOMPARE(current.last().at(0).value<NewsItem>().id, QStringLiteral("n8"));

    // The filter takes the current row away and another becomes current: not read, the
    // user has not looked at it.
    m_proxy->setFilterText(QStringLiteral("number 3"));
    QCOMPARE(m_proxy->rowCount(), 1);
    QCOMPARE(m_model->unreadCount(), 8);
    QVERIFY(m_model->isUnread(m_model->rowForId(QStringLiteral("n3"))));
    // A click reads (through a filter, the right model row).
    const QRect rect = m_view->visualRect(m_proxy->index(0, NewsModel::HeadlineColumn));
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, rect.center());
    QVERIFY(!m_model->isUnread(m_model->rowForId(QStringLiteral("n3"))));
    QCOMPARE(m_model->unreadCount(), 7);

    m_view->markAllReadAction()->trigger();
    QCOMPARE(m_model->unreadCount(), 0);
}

void TestNewsView::enterAndDoubleClickOpen()
{
    m_model->appendItems(makeItems(0, 10));
    QSignalSpy open(m_view, &NewsView::openRequested);
    m_view->setFocus();
    // Nothing selected: Enter opens nothing.
    QTest::keyClick(m_view, Qt::Key_Return);
    QCOMPARE(open.count(), 0);

    QTest::keyClick(m_view, Qt::Key_J);
    QTest::keyClick(m_view, Qt::Key_Return);
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.at(0).at(0).toUrl(), QUrl(QStringLiteral("https://news.example/story/9")));
    QTest::keyClick(m_view, Qt::Key_Enter, Qt::KeypadModifier);
    QCOMPARE(open.count(), 2);

    const QRect rect = m_view->visualRect(m_proxy->index(3, NewsModel::HeadlineColumn));
    // As a real double-click arrives: press and release, then the double-click event (which
    // is all QTest::mouseDClick sends to a widget).
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(open.count(), 2);
    QTest::mouseDClick(m_view->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(open.count(), 3);
    QCOMPARE(open.at(2).at(0).toUrl(), QUrl(QStringLiteral("https://news.example/story/6")));

    // A single click only selects.
    const QRect other = m_view->visualRect(m_proxy->index(5, NewsModel::HeadlineColumn));
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, other.center());
    QCOMPARE(open.count(), 3);
    QCOMPARE(m_view->currentIndex().row(), 5);
}

void TestNewsView::copyHeadlineAndLink()
{
    m_model->appendItems(makeItems(0, 3));
    QClipboard *clipboard = QApplication::clipboard();
    clipboard->setText(QStringLiteral("before"));
    // No current row: the clipboard is left alone.
    m_view->copyHeadlineAction()->trigger();
    QCOMPARE(clipboard->text(), QStringLiteral("before"));

    m_view->setFocus();
    QTest::keyClick(m_view, Qt::Key_J);
    QTest::keyClick(m_view, Qt::Key_J);
    m_view->copyHeadlineAction()->trigger();
    QCOMPARE(clipboard->text(), QStringLiteral("Headline number 1"));
    m_view->copyLinkAction()->trigger();
    QCOMPARE(clipboard->text(), QStringLiteral("https://news.example/story/1"));
    // Ctrl+C copies the headline.
    QTest::keyClick(m_view, Qt::Key_K);
    QTest::keySequence(m_view, QKeySequence::Copy);
    QCOMPARE(clipboard->text(), QStringLiteral("Headline number 2"));
}

void TestNewsView::compactRows()
{
    m_model->appendItems(makeItems(0, 10));
    const int normal = m_view->verticalHeader()->defaultSectionSize();
    QCOMPARE(m_view->rowHeight(0), normal);
    m_view->setCompact(true);
    QVERIFY(m_view->isCompact());
    const int compact = m_view->verticalHeader()->defaultSectionSize();
    QVERIFY2(compact < normal, qPrintable(QStringLiteral("%1 vs %2").arg(compact).arg(normal)));
    QCOMPARE(m_view->rowHeight(0), compact);
    QCOMPARE(m_view->rowHeight(9), compact);
    m_view->setCompact(false);
    QCOMPARE(m_view->rowHeight(0), normal);
}

void TestNewsView::alertRowsArePainted_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

void TestNewsView::alertRowsArePainted()
{
    QFETCH(bool, dark);
    if (dark) {
        QPalette palette = m_view->palette();
        palette.setColor(QPalette::Base, QColor(30, 30, 34));
        palette.setColor(QPalette::AlternateBase, QColor(40, 40, 46));
        palette.setColor(QPalette::Text, QColor(230, 230, 230));
        m_view->setPalette(palette);
    }
    QCOMPARE(NewsDelegate::isDark(m_view->palette()), dark);
    m_model->setAlertRules(AlertRules::fromStringList({ QStringLiteral("$NVDA") }));
    m_model->appendItems(
        QList<NewsItem> { makeItem(1, { QStringLiteral("NVDA") }), makeItem(2), makeItem(3) });
    // Rows: n3 (plain), n2 (plain), n1 (alert); rows 0 and 2 share the alternating shade.
    QVERIFY(m_model->isAlert(2));
    QVERIFY(!m_model->isAlert(0));
    const QImage image = m_view->viewport()->grab().toImage();
    const QRect alertRow = m_view->visualRect(m_proxy->index(2, NewsModel::TimeColumn));
    const QRect plainRow = m_view->visualRect(m_proxy->index(0, NewsModel::TimeColumn));
    const QPalette palette = m_view->palette();
    // The accent bar at the alert row's left edge; none on the plain row.
    const QColor accent = image.pixelColor(alertRow.left() + 1, alertRow.center().y());
    QCOMPARE(accent.rgb(), NewsDelegate::alertAccent(palette).rgb());
    QVERIFY(image.pixelColor(plainRow.left() + 1, plainRow.center().y()).rgb() != accent.rgb());
    // The tint on the headline cell's background, away from the text.
    const QRect alertHeadline = m_view->visualRect(m_proxy->index(2, NewsModel::HeadlineColumn));
    const QRect plainHeadline = m_view->visualRect(m_proxy->index(0, NewsModel::HeadlineColumn));
    QVERIFY(image.pixelColor(alertHeadline.right() - 2, alertHeadline.top() + 1)
        != image.pixelColor(plainHeadline.right() - 2, plainHeadline.top() + 1));
}

void TestNewsView::hundredThousandRows()
{
    constexpr int kBatch = 1000;
    for (int batch = 0; batch < 100; ++batch) {
        m_model->appendItems(makeItems(batch * kBatch, kBatch));
        if (batch % 10 == 0)
            QCoreApplication::processEvents(); // the view lays out and paints between frames
    }
    QCoreApplication::processEvents();
    QCOMPARE(m_model->rowCount(), 100000);
    QCOMPARE(m_proxy->rowCount(), 100000);
    QCOMPARE(topId(), QStringLiteral("n99999"));
    const int rowHeight = m_view->verticalHeader()->defaultSectionSize();
    QCOMPARE(m_view->verticalHeader()->length(), 100000 * rowHeight);

    // Scrolled to the middle, the next frame keeps the anchor there, and the cap drops the tail.
    scrollToRow(50000, 0);
    const QString anchor = topId();
    m_model->appendItems(makeItems(100000, kBatch));
    QCoreApplication::processEvents();
    QCOMPARE(m_model->rowCount(), 100000);
    QCOMPARE(topId(), anchor);
    QCOMPARE(m_view->newPillCount(), kBatch);
    QTest::keyClick(m_view, Qt::Key_End);
    QCOMPARE(m_view->currentItem().id, QStringLiteral("n1000"));
}

QTEST_MAIN(TestNewsView)
#include "tst_newsview.moc"
