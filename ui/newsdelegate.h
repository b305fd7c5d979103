// Paints one cell of the news list: time (shaded when not today), ticker chips, headline (bold
// while unread), source with a "+N sources" badge, right-aligned latency, and alert rows
// tinted with a left accent bar. Colours come from the view's palette so the light and dark
// themes both read well; sizes come from the view's font metrics.
#pragma once

#include <QColor>
#include <QStyledItemDelegate>

namespace tw::ui {

class NewsDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit NewsDelegate(QObject *parent = nullptr);
    ~NewsDelegate() override;

    void setCompact(bool compact);
    bool isCompact() const { return m_compact; }

    // Row height for a font: ~20 px compact, ~28 px normal (more for large fonts).
    int rowHeight(const QFontMetrics &metrics) const;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The chip colours for a symbol: deterministic (same symbol, same hue, every run), with
    // the lightness picked for the palette's base colour so the text stays readable.
    static QColor chipBackground(const QString &symbol, const QPalette &palette);
    static QColor chipText(const QString &symbol, const QPalette &palette);
    // The alert tint and accent bar colours for a palette.
    static QColor alertTint(const QPalette &palette);
    static QColor alertAccent(const QPalette &palette);
    static bool isDark(const QPalette &palette);

Q_SIGNALS:
    void compactChanged(bool compact);

private:
    void paintSymbols(
        QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const;
    void paintSource(
        QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const;

    bool m_compact = false;
};

} // namespace tw::ui
