#include "newsview.h"

#include "newsdelegate.h"
#include "newsmodel.h"

#include <QAbstractProxyModel>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPushButton>
#include <QScrollBar>

#include <algorithm>

namespace tw::ui {

namespace {

    constexpr int kPillTopMargin = 8;

} // namespace

NewsView::NewsView(QWidget *parent)
    : QTableView(parent)
    , m_delegate(new NewsDelegate(this))
{
    setItemDelegate(m_delegate);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Pixel scrolling: smooth wheel scrolling, and the anchor can be restored to the pixel.
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    setShowGrid(false);
    setWordWrap(false);
    setAlternatingRowColors(true);
    setTabKeyNavigation(false);
    setSortingEnabled(false);
    setCornerButtonEnabled(false);

    // Uniform row heights: a fixed vertical header never asks the delegate for a size, which
    // is what keeps 100,000 rows cheap.
    QHeaderView *rows = verticalHeader();
    rows->hide();
    rows->setMinimumSectionSize(1);
    rows->setSectionResizeMode(QHeaderView::Fixed);
    QHeaderView *columns = horizontalHeader();
    columns->setHighlightSections(false);
    columns->setSectionsMovable(true);
    columns->setStretchLastSection(false);
    updateRowHeight();
    connect(m_delegate, &NewsDelegate::compactChanged, this, &NewsView::updateRowHeight);

    m_pill = new QPushButton(viewport());
    m_pill->setObjectName(QStringLiteral("newItemsPill"));
    m_pill->setFocusPolicy(Qt::NoFocus);
    m_pill->setCursor(Qt::PointingHandCursor);
    m_pill->setToolTip(tr("Scroll to the newest items (Home)"));
    m_pill->hide();
    connect(m_pill, &QPushButton::clicked, this, &NewsView::scrollToNewest);
    updatePillStyle();

    m_openLink = new QAction(tr("&Open Link"), this);
    m_openLink->setShortcutContext(Qt::WidgetShortcut);
    connect(m_openLink, &QAction::triggered, this, &NewsView::openCurrentLink);
    m_copyHeadline = new QAction(tr("Copy &Headline"), this);
    m_copyHeadline->setShortcut(QKeySequence::Copy);
    m_copyHeadline->setShortcutContext(Qt::WidgetShortcut);
    connect(m_copyHeadline, &QAction::triggered, this, &NewsView::copyHeadline);
    m_copyLink = new QAction(tr("Copy &Link"), this);
    m_copyLink->setShortcutContext(Qt::WidgetShortcut);
    connect(m_copyLink, &QAction::triggered, this, &NewsView::copyLink);
    m_markAllRead = new QAction(tr("Mark All as &Read"), this);
    m_markAllRead->setShortcutContext(Qt::WidgetShortcut);
    connect(m_markAllRead, &QAction::triggered, this, &NewsView::markAllRead);
    addAction(m_copyHeadline);

    connect(this, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.isValid())
            emitOpen(index);
    });
}

NewsView::~NewsView() = default;

void NewsView::setModel(QAbstractItemModel *model)
{
    if (m_connectedModel)
        disconnect(m_connectedModel, nullptr, this, nullptr);
    if (selectionModel())
        disconnect(selectionModel(), nullptr, this, nullptr);
    QTableView::setModel(model);
    if (!model && m_hookedNewsModel) {
        disconnect(m_hookedNewsModel, nullptr, this, nullptr);
        m_hookedNewsModel = nullptr;
    }
    m_connectedModel = model;
    hidePill();
    if (!model)
        return;
    // Connected after QTableView::setModel, so the header has already counted the new rows
    // when onRowsInserted runs and the anchor row's new position is known.
    connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
        &NewsView::onRowsAboutToBeInserted);
    connect(model, &QAbstractItemModel::rowsInserted, this, &NewsView::onRowsInserted);
    connect(model, &QAbstractItemModel::modelReset, this, &NewsView::onModelReset);
    connect(model, &QAbstractItemModel::layoutChanged, this, &NewsView::onModelReset);
    connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &NewsView::onCurrentRowChanged);
    if (auto *proxy = qobject_cast<QAbstractProxyModel *>(model))
        connect(proxy, &QAbstractProxyModel::sourceModelChanged, this, &NewsView::hookNewsModel);
    hookNewsModel();
    applyColumnWidths();
}

void NewsView::hookNewsModel()
{
    NewsModel *news = findNewsModel();
    if (news == m_hookedNewsModel)
        return;
    if (m_hookedNewsModel)
        disconnect(m_hookedNewsModel, nullptr, this, nullptr);
    m_hookedNewsModel = news;
    m_newsInserting = false;
    if (!news)
        return;
    // The NewsModel's insert brackets the proxy's: rows the view sees inserted in between are
    // new stories (for the pill); others come from a filter change.
    connect(
        news, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] { m_newsInserting = true; });
    connect(news, &NewsModel::itemsInserted, this, [this] { m_newsInserting = false; });
    connect(news, &QAbstractItemModel::modelReset, this, [this] { m_newsInserting = false; });
}

void NewsView::setCompact(bool compact) { m_delegate->setCompact(compact); }

bool NewsView::isCompact() const { return m_delegate->isCompact(); }

core::NewsItem NewsView::currentItem() const
{
    const QModelIndex current = currentIndex();
    const int row = newsModelRow(current);
    NewsModel *news = findNewsModel();
    if (!news || row < 0)
        return core::NewsItem();
    return news->itemAt(row);
}

bool NewsView::isPillVisible() const { return m_pill->isVisibleTo(this); }

void NewsView::scrollToNewest()
{
    verticalScrollBar()->setValue(0);
    hidePill();
}

void NewsView::copyHeadline()
{
    const core::NewsItem item = currentItem();
    if (!item.headline.isEmpty())
        QApplication::clipboard()->setText(item.headline);
}

void NewsView::copyLink()
{
    const core::NewsItem item = currentItem();
    if (!item.url.isEmpty())
        QApplication::clipboard()->setText(item.url);
}

void NewsView::openCurrentLink()
{
    const QModelIndex current = currentIndex();
    if (current.isValid())
        emitOpen(current);
}

void NewsView::markAllRead()
{
    if (NewsModel *news = findNewsModel())
        news->markAllRead();
}

void NewsView::emitOpen(const QModelIndex &index)
{
    const QUrl url = index.siblingAtColumn(0).data(NewsModel::UrlRole).toUrl();
    if (url.isValid() && !url.isEmpty())
        Q_EMIT openRequested(url);
}

void NewsView::keyPressEvent(QKeyEvent *event)
{
    const UserNavigation guard(this);
    // QAbstractItemView would copy the current cell (the time column); the headline is what
    // a trader pastes.
    if (event->matches(QKeySequence::Copy)) {
        copyHeadline();
        event->accept();
        return;
    }
    const Qt::KeyboardModifiers mods = event->modifiers() & ~Qt::KeypadModifier;
    if (mods == Qt::NoModifier) {
        switch (event->key()) {
        case Qt::Key_J: // next (older) item, as in mail and feed readers
            moveCurrentRow(currentIndex().isValid() ? currentIndex().row() + 1 : 0);
            return;
        case Qt::Key_K: // previous (newer) item
            moveCurrentRow(currentIndex().isValid() ? currentIndex().row() - 1 : 0);
            return;
        case Qt::Key_Home:
            moveCurrentRow(0);
            scrollToNewest();
            return;
        case Qt::Key_End:
            if (model())
                moveCurrentRow(model()->rowCount() - 1);
            return;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            // Handled here rather than through activated(): some styles activate on a single
            // click, and a stray click must not open a browser.
            openCurrentLink();
            return;
        default: break;
        }
    }
    QTableView::keyPressEvent(event);
}

void NewsView::moveCurrentRow(int row)
{
    if (!model() || model()->rowCount() == 0)
        return;
    row = std::clamp(row, 0, model()->rowCount() - 1);
    const QModelIndex target
        = model()->index(row, currentIndex().isValid() ? currentIndex().column() : 0);
    selectionModel()->setCurrentIndex(
        target, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    scrollTo(target);
}

void NewsView::mousePressEvent(QMouseEvent *event)
{
    const UserNavigation guard(this);
    QTableView::mousePressEvent(event);
    // A click on the row that is already current (e.g. one a filter made current) reads it.
    const QModelIndex current = currentIndex();
    if (current.isValid() && indexAt(event->position().toPoint()).row() == current.row()) {
        if (NewsModel *news = findNewsModel())
            news->markRead(newsModelRow(current));
    }
}

void NewsView::mouseMoveEvent(QMouseEvent *event)
{
    const UserNavigation guard(this);
    QTableView::mouseMoveEvent(event);
}

void NewsView::contextMenuEvent(QContextMenuEvent *event)
{
    const UserNavigation guard(this);
    const QModelIndex index = indexAt(event->pos());
    if (index.isValid() && index.row() != currentIndex().row())
        moveCurrentRow(index.row());
    const bool hasItem = currentIndex().isValid();
    const core::NewsItem item = currentItem();
    m_openLink->setEnabled(hasItem && !item.url.isEmpty());
    m_copyHeadline->setEnabled(hasItem && !item.headline.isEmpty());
    m_copyLink->setEnabled(hasItem && !item.url.isEmpty());
    const NewsModel *news = findNewsModel();
    m_markAllRead->setEnabled(news && news->unreadCount() > 0);

    QMenu menu(this);
    menu.addAction(m_openLink);
    menu.addSeparator();
    menu.addAction(m_copyHeadline);
    menu.addAction(m_copyLink);
    menu.addSeparator();
    menu.addAction(m_markAllRead);
    menu.exec(event->globalPos());
}

void NewsView::resizeEvent(QResizeEvent *event)
{
    QTableView::resizeEvent(event);
    positionPill();
}

void NewsView::changeEvent(QEvent *event)
{
    QTableView::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateRowHeight();
    else if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        updatePillStyle();
}

void NewsView::scrollContentsBy(int dx, int dy)
{
    QTableView::scrollContentsBy(dx, dy);
    // Back at the top (by wheel, scroll bar or keyboard): the new rows are in sight.
    if (!m_anchorPending && verticalScrollBar()->value() == 0)
        hidePill();
}

void NewsView::onRowsAboutToBeInserted(const QModelIndex &parent, int first, int last)
{
    Q_UNUSED(last)
    m_anchorPending = false;
    if (parent.isValid())
        return;
    const int value = verticalScrollBar()->value();
    // At the top the list is a live tail: new rows push the others down, as expected.
    if (value <= 0)
        return;
    const int topRow = rowAt(0);
    if (topRow < 0 || first > topRow)
        return;
    m_anchorPending = true;
    m_anchorTopRow = topRow;
    // How far the viewport's top edge is into the anchor row (pixel scrolling).
    m_anchorOffset = -rowViewportPosition(topRow);
}

void NewsView::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid() || !m_anchorPending)
        return;
    const int inserted = last - first + 1;
    const int anchorRow = m_anchorTopRow + inserted;
    // The header already knows the new rows; bring the scroll bar's range up to date now (the
    // view would do it on its next delayed layout, too late to keep the anchor).
    updateGeometries();
    const int target = verticalHeader()->sectionPosition(anchorRow) + m_anchorOffset;
    verticalScrollBar()->setValue(target);
    m_anchorPending = false;
    // Only new stories count; rows a filter change brings back are not news.
    if (m_newsInserting) {
        m_pillCount += inserted;
        updatePill();
    }
}

void NewsView::onModelReset()
{
    m_anchorPending = false;
    hidePill();
    // A proxy that got its source after setModel() has its columns only now.
    applyColumnWidths();
}

void NewsView::onCurrentRowChanged(const QModelIndex &current, const QModelIndex &previous)
{
    Q_UNUSED(previous)
    NewsModel *news = findNewsModel();
    const int row = newsModelRow(current);
    if (!news || row < 0) {
        Q_EMIT currentItemChanged(core::NewsItem());
        return;
    }
    // The user selecting a row is reading it; a row that becomes current because a filter or
    // the cap took the old one away is not.
    if (m_userNavigating)
        news->markRead(row);
    Q_EMIT currentItemChanged(news->itemAt(row));
}

void NewsView::updateRowHeight()
{
    verticalHeader()->setDefaultSectionSize(m_delegate->rowHeight(fontMetrics()));
}

void NewsView::updatePill()
{
    if (m_pillCount <= 0) {
        hidePill();
        return;
    }
    m_pill->setText(m_pillCount == 1 ? tr("1 new \u2191") : tr("%1 new \u2191").arg(m_pillCount));
    m_pill->adjustSize();
    positionPill();
    m_pill->show();
    m_pill->raise();
}

void NewsView::updatePillStyle()
{
    // Palette roles, not fixed colours, so the pill follows the light and dark themes.
    m_pill->setStyleSheet(QStringLiteral(
        "QPushButton#newItemsPill { background: palette(highlight); color: "
        "palette(highlighted-text);"
        " border: none; border-radius: 11px; padding: 3px 14px; font-weight: bold; }"));
}

void NewsView::positionPill()
{
    const QSize size = m_pill->sizeHint();
    m_pill->setGeometry(
        (viewport()->width() - size.width()) / 2, kPillTopMargin, size.width(), size.height());
}

void NewsView::hidePill()
{
    m_pillCount = 0;
    m_pill->hide();
}

NewsModel *NewsView::findNewsModel() const
{
    QAbstractItemModel *current = model();
    while (current) {
        if (auto *news = qobject_cast<NewsModel *>(current))
            return news;
        auto *proxy = qobject_cast<QAbstractProxyModel *>(current);
        current = proxy ? proxy->sourceModel() : nullptr;
    }
    return nullptr;
}

int NewsView::newsModelRow(const QModelIndex &index) const
{
    QModelIndex current = index;
    while (current.isValid()) {
        const QAbstractItemModel *model = current.model();
        if (qobject_cast<const NewsModel *>(model))
            return current.row();
        const auto *proxy = qobject_cast<const QAbstractProxyModel *>(model);
        if (!proxy)
            return -1;
        current = proxy->mapToSource(current);
    }
    return -1;
}

void NewsView::applyColumnWidths()
{
    QHeaderView *columns = horizontalHeader();
    // Once: later the user's widths (or the window's restored header state) win.
    if (m_columnsApplied || columns->count() < NewsModel::ColumnCount)
        return;
    m_columnsApplied = true;
    const QFontMetrics metrics = fontMetrics();
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setSectionResizeMode(NewsModel::HeadlineColumn, QHeaderView::Stretch);
    // Widths from the font, never ResizeToContents (which measures every row).
    columns->resizeSection(
        NewsModel::TimeColumn, metrics.horizontalAdvance(QStringLiteral("Mmm 00 00:00")) + 24);
    columns->resizeSection(
        NewsModel::SymbolsColumn, metrics.horizontalAdvance(QStringLiteral("NVDA AAPL")) + 48);
    columns->resizeSection(NewsModel::SourceColumn,
        metrics.horizontalAdvance(QStringLiteral("Reuters +2 sources")) + 24);
    columns->resizeSection(
        NewsModel::LatencyColumn, metrics.horizontalAdvance(QStringLiteral("99999 ms")) + 20);
}

} // namespace tw::ui
