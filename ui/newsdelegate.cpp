#include "newsdelegate.h"

#include "newsmodel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QStyle>

#include <algorithm>

namespace tw::ui {

namespace {

    constexpr int kAccentWidth = 3;
    constexpr int kChipSpacing = 4;

    // FNV-1a over the UTF-16 units: stable across runs, platforms and Qt versions (qHash is
    // seeded per process, so the same ticker would change colour on every start).
    quint32 stableHash(const QString &text)
    {
        quint32 hash = 2166136261u;
        for (QChar c : text) {
            hash ^= c.unicode();
            hash *= 16777619u;
        }
        return hash;
    }

    int chipHue(const QString &symbol) { return int(stableHash(symbol) % 360u); }

    QPalette::ColorGroup colorGroup(const QStyleOptionViewItem &option)
    {
        if (!(option.state & QStyle::State_Enabled))
            return QPalette::Disabled;
        return (option.state & QStyle::State_Active) ? QPalette::Active : QPalette::Inactive;
    }

} // namespace

NewsDelegate::NewsDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

NewsDelegate::~NewsDelegate() = default;

void NewsDelegate::setCompact(bool compact)
{
    if (compact == m_compact)
        return;
    m_compact = compact;
    Q_EMIT compactChanged(compact);
}

int NewsDelegate::rowHeight(const QFontMetrics &metrics) const
{
    return m_compact ? std::max(20, metrics.height() + 4) : std::max(28, metrics.height() + 12);
}

bool NewsDelegate::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor NewsDelegate::chipBackground(const QString &symbol, const QPalette &palette)
{
    const int hue = chipHue(symbol);
    return isDark(palette) ? QColor::fromHsl(hue, 90, 62) : QColor::fromHsl(hue, 150, 218);
}

QColor NewsDelegate::chipText(const QString &symbol, const QPalette &palette)
{
    const int hue = chipHue(symbol);
    return isDark(palette) ? QColor::fromHsl(hue, 170, 218) : QColor::fromHsl(hue, 170, 52);
}

QColor NewsDelegate::alertTint(const QPalette &palette)
{
    // Amber, translucent so the alternate-row shading still shows through.
    return isDark(palette) ? QColor(255, 170, 40, 52) : QColor(255, 190, 40, 80);
}

QColor NewsDelegate::alertAccent(const QPalette &palette)
{
    return isDark(palette) ? QColor(255, 176, 46) : QColor(214, 122, 0);
}

QSize NewsDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(rowHeight(option.fontMetrics));
    if (index.column() == NewsModel::SymbolsColumn) {
        const QStringList symbols = index.data(NewsModel::SymbolsRole).toStringList();
        int width = 8;
        for (const QString &symbol : symbols)
            width += option.fontMetrics.horizontalAdvance(symbol) + 10 + kChipSpacing;
        size.setWidth(width);
    }
    return size;
}

void NewsDelegate::paint(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    // The whole row is the unit of selection; a dotted focus frame around one cell is noise.
    opt.state &= ~QStyle::State_HasFocus;
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    const bool alert = index.data(NewsModel::AlertRole).toBool();
    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorGroup group = colorGroup(opt);

    const QString text = opt.text;
    opt.text.clear();
    opt.icon = QIcon();
    // Background, alternate shading, selection and hover come from the style.
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    painter->save();
    if (alert && !selected)
        painter->fillRect(opt.rect, alertTint(opt.palette));
    if (alert && index.column() == 0)
        painter->fillRect(QRect(opt.rect.left(), opt.rect.top(), kAccentWidth, opt.rect.height()),
            alertAccent(opt.palette));

    const QColor textColor
        = opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 3;
    const QRect textRect
        = opt.rect.adjusted(margin + (index.column() == 0 ? kAccentWidth : 0), 0, -margin, 0);

    switch (index.column()) {
    case NewsModel::TimeColumn: {
        const bool today = index.data(NewsModel::IsTodayRole).toBool();
        QColor color = textColor;
        if (!today && !selected)
            color = opt.palette.color(group, QPalette::PlaceholderText);
        painter->setPen(color);
        painter->setFont(opt.font);
        painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter,
            opt.fontMetrics.elidedText(text, Qt::ElideRight, textRect.width()));
        break;
    }
    case NewsModel::SymbolsColumn: paintSymbols(painter, opt, index); break;
    case NewsModel::HeadlineColumn: {
        QFont font = opt.font;
        if (index.data(NewsModel::UnreadRole).toBool())
            font.setBold(true);
        painter->setFont(font);
        painter->setPen(textColor);
        const QFontMetrics metrics(font);
        painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter,
            metrics.elidedText(text, Qt::ElideRight, textRect.width()));
        break;
    }
    case NewsModel::SourceColumn: paintSource(painter, opt, index); break;
    case NewsModel::LatencyColumn: {
        painter->setFont(opt.font);
        painter->setPen(selected ? textColor : opt.palette.color(group, QPalette::PlaceholderText));
        painter->drawText(textRect, Qt::AlignRight | Qt::AlignVCenter, text);
        break;
    }
    default:
        painter->setPen(textColor);
        painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter, text);
        break;
    }
    painter->restore();
}

void NewsDelegate::paintSymbols(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QStringList symbols = index.data(NewsModel::SymbolsRole).toStringList();
    if (symbols.isEmpty())
        return;
    QFont font = option.font;
    font.setBold(true);
    if (font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * 0.9);
    const QFontMetrics metrics(font);
    painter->setFont(font);
    painter->setRenderHint(QPainter::Antialiasing, true);

    const int padding = 5;
    const int chipHeight = std::min(option.rect.height() - 4, metrics.height() + 4);
    const int top = option.rect.top() + (option.rect.height() - chipHeight) / 2;
    const int right = option.rect.right() - 4;
    int x = option.rect.left() + 6;
    for (qsizetype i = 0; i < symbols.size(); ++i) {
        const QString &symbol = symbols.at(i);
        const int width = metrics.horizontalAdvance(symbol) + 2 * padding;
        if (x + width > right) {
            // The rest do not fit: say how many are hidden (the tooltip lists them all).
            const QString more = QStringLiteral("+%1").arg(symbols.size() - i);
            painter->setPen(option.palette.color(QPalette::PlaceholderText));
            painter->drawText(QRect(x, option.rect.top(), right - x, option.rect.height()),
                Qt::AlignLeft | Qt::AlignVCenter, more);
            break;
        }
        const QRectF chip(x, top, width, chipHeight);
        QPainterPath path;
        path.addRoundedRect(chip.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
        painter->fillPath(path, chipBackground(symbol, option.palette));
        painter->setPen(chipText(symbol, option.palette));
        painter->drawText(chip, Qt::AlignCenter, symbol);
        x += width + kChipSpacing;
    }
}

void NewsDelegate::paintSource(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const bool selected = option.state & QStyle::State_Selected;
    const QPalette::ColorGroup group = colorGroup(option);
    const QString source = index.data(NewsModel::SourceRole).toString();
    const int others = index.data(NewsModel::OtherSourcesRole).toInt();
    const QRect rect = option.rect.adjusted(6, 0, -4, 0);

    QString badge;
    int badgeWidth = 0;
    QFont badgeFont = option.font;
    if (badgeFont.pointSizeF() > 0)
        badgeFont.setPointSizeF(badgeFont.pointSizeF() * 0.85);
    const QFontMetrics badgeMetrics(badgeFont);
    if (others > 0) {
        badge = NewsModel::otherSourcesText(others);
        badgeWidth = badgeMetrics.horizontalAdvance(badge) + 10;
        // Narrow column: the short form still says "grouped".
        if (badgeWidth > rect.width() / 2) {
            badge = QStringLiteral("+%1").arg(others);
            badgeWidth = badgeMetrics.horizontalAdvance(badge) + 10;
        }
    }

    const int sourceSpace = std::max(0, rect.width() - (badgeWidth > 0 ? badgeWidth + 6 : 0));
    const QString shown = option.fontMetrics.elidedText(source, Qt::ElideRight, sourceSpace);
    painter->setFont(option.font);
    painter->setPen(
        option.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(QRect(rect.left(), rect.top(), sourceSpace, rect.height()),
        Qt::AlignLeft | Qt::AlignVCenter, shown);

    if (badgeWidth > 0) {
        const int x = rect.left() + option.fontMetrics.horizontalAdvance(shown) + 6;
        const int height = std::min(rect.height() - 6, badgeMetrics.height() + 2);
        const QRectF pill(x, rect.top() + (rect.height() - height) / 2, badgeWidth, height);
        QColor fill = option.palette.color(group, QPalette::Highlight);
        fill.setAlpha(selected ? 110 : 55);
        painter->setRenderHint(QPainter::Antialiasing, true);
        QPainterPath path;
        path.addRoundedRect(pill, height / 2.0, height / 2.0);
        painter->fillPath(path, fill);
        painter->setFont(badgeFont);
        painter->setPen(
            option.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text));
        painter->drawText(pill, Qt::AlignCenter, badge);
    }
}

} // namespace tw::ui
