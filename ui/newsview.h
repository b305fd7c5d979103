// The news list view: a QTableView (a vertical header of fixed-height sections inserts 100,000
// rows far cheaper than QTreeView's full relayout per insert) over NewsFilterProxy, painted by
// NewsDelegate. Keyboard: arrows, j/k, Home/End, Enter opens the link; double-click opens too.
// Scroll anchoring: at the top, the list is a live tail (new rows appear at the top and push
// the others down); once the user has scrolled away from the top, inserted rows do not move
// what they are looking at, and a floating "N new ↑" pill counts them; clicking it (or Home)
// goes back to the top. Selecting a row (keyboard or mouse) marks it read; the context menu copies
// the headline or the link. Rows have one fixed height (from the font and the compact setting).
#pragma once

#include "newsitem.h"

#include <QPointer>
#include <QTableView>
#include <QUrl>

class QAction;
class QPushButton;

namespace tw::ui {

class NewsDelegate;
class NewsModel;

class NewsView : public QTableView {
    Q_OBJECT
public:
    explicit NewsView(QWidget *parent = nullptr);
    ~NewsView() override;

    // Usually a NewsFilterProxy over a NewsModel (a NewsModel directly works too).
    void setModel(QAbstractItemModel *model) override;

    NewsDelegate *newsDelegate() const { return m_delegate; }
    void setCompact(bool compact);
    bool isCompact() const;

    // The item of the current row (an empty item when none).
    core::NewsItem currentItem() const;

    int newPillCount() const { return m_pillCount; }
    bool isPillVisible() const;
    QPushButton *newPill() const { return m_pill; }

    QAction *copyHeadlineAction() const { return m_copyHeadline; }
    QAction *copyLinkAction() const { return m_copyLink; }
    QAction *openLinkAction() const { return m_openLink; }
    QAction *markAllReadAction() const { return m_markAllRead; }

public Q_SLOTS:
    // Scrolls to the top, selects nothing new, and hides the pill.
    void scrollToNewest();
    void copyHeadline();
    void copyLink();
    void openCurrentLink();
    void markAllRead();

Q_SIGNALS:
    void openRequested(const QUrl &url);
    void currentItemChanged(const tw::core::NewsItem &item);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    // Marks the span of a keyboard or mouse action: only then does a new current row count
    // as read.
    class UserNavigation {
    public:
        explicit UserNavigation(NewsView *view)
            : m_view(view)
            , m_outer(view->m_userNavigating)
        {
            view->m_userNavigating = true;
        }
        ~UserNavigation() { m_view->m_userNavigating = m_outer; }
        UserNavigation(const UserNavigation &) = delete;
        UserNavigation &operator=(const UserNavigation &) = delete;

    private:
        NewsView *m_view;
        bool m_outer;
    };

    void onRowsAboutToBeInserted(const QModelIndex &parent, int first, int last);
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onModelReset();
    void hookNewsModel();
    void emitOpen(const QModelIndex &index);
    void updatePillStyle();
    void onCurrentRowChanged(const QModelIndex &current, const QModelIndex &previous);
    void moveCurrentRow(int row);
    void updateRowHeight();
    void updatePill();
    void positionPill();
    void hidePill();
    NewsModel *findNewsModel() const;
    int newsModelRow(const QModelIndex &index) const;
    void applyColumnWidths();

    NewsDelegate *m_delegate = nullptr;
    QPushButton *m_pill = nullptr;
    QAction *m_copyHeadline = nullptr;
    QAction *m_copyLink = nullptr;
    QAction *m_openLink = nullptr;
    QAction *m_markAllRead = nullptr;
    QPointer<QAbstractItemModel> m_connectedModel;
    QPointer<NewsModel> m_hookedNewsModel;
    bool m_columnsApplied = false;
    bool m_userNavigating = false;
    bool m_newsInserting = false; // inside the NewsModel's insert of new stories
    int m_pillCount = 0;
    // Set in rowsAboutToBeInserted: whether the insert must not move the visible rows.
    bool m_anchorPending = false;
    int m_anchorOffset = 0; // pixels the viewport's top edge is into the anchor row
    int m_anchorTopRow = 0;
};

} // namespace tw::ui
