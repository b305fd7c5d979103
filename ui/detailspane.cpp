#include "detailspane.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace tw::ui {

namespace {

    QString timeText(qint64 epochMs)
    {
        if (epochMs <= 0)
            return QStringLiteral("—");
        // Time first (what a trader compares), to the millisecond; the UTC time too when the
        // local zone is not UTC, so a story can be matched with other feeds.
        const QDateTime local = QDateTime::fromMSecsSinceEpoch(epochMs);
        QString text = local.toString(QStringLiteral("HH:mm:ss.zzz  ddd d MMM yyyy"));
        if (local.offsetFromUtc() != 0)
            text += QStringLiteral("  (") + local.toUTC().toString(QStringLiteral("HH:mm:ss"))
                + QStringLiteral(" UTC)");
        else
            text += QStringLiteral(" UTC");
        return text;
    }

    QLabel *makeLabel(QWidget *parent)
    {
        auto *label = new QLabel(parent);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        return label;
    }

} // namespace

DetailsPane::DetailsPane(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
{
    setObjectName(QStringLiteral("detailsPane"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_stack);

    auto *placeholder = new QLabel(tr("Select a story to read it here.\n\n"
                                      "↑/↓ or j/k move · Enter opens the link"),
        m_stack);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setWordWrap(true);
    placeholder->setEnabled(false);
    m_stack->addWidget(placeholder);

    auto *scroll = new QScrollArea(m_stack);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *page = new QWidget(scroll);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(0);

    m_symbols = makeLabel(page);
    m_symbols->setTextFormat(Qt::RichText);
    m_headline = makeLabel(page);
    m_headline->setObjectName(QStringLiteral("detailsHeadline"));
    m_headline->setTextFormat(Qt::PlainText);
    QFont big = m_headline->font();
    big.setPointSizeF(big.pointSizeF() * 1.35);
    big.setBold(true);
    m_headline->setFont(big);
    m_meta = makeLabel(page);
    m_meta->setTextFormat(Qt::PlainText);
    m_meta->setForegroundRole(QPalette::PlaceholderText);
    m_summary = makeLabel(page);
    m_summary->setTextFormat(Qt::PlainText);
    QFont body = m_summary->font();
    body.setPointSizeF(body.pointSizeF() * 1.08);
    m_summary->setFont(body);
    m_sources = makeLabel(page);
    m_sources->setTextFormat(Qt::PlainText);
    m_times = makeLabel(page);
    m_times->setTextFormat(Qt::RichText);
    m_open = new QPushButton(tr("Open story in browser"), page);
    m_open->setObjectName(QStringLiteral("openLinkButton"));
    m_open->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (m_hasItem && !m_item.url.isEmpty())
            Q_EMIT openRequested(QUrl(m_item.url));
    });

    // Two columns: the story on the left, its times and link on the right, so a wide, short
    // pane under the list shows everything without scrolling.
    auto *columns = new QHBoxLayout;
    columns->setSpacing(24);
    auto *story = new QVBoxLayout;
    story->setSpacing(8);
    story->addWidget(m_symbols);
    story->addWidget(m_headline);
    story->addWidget(m_meta);
    story->addWidget(m_summary);
    story->addWidget(m_sources);
    story->addStretch(1);
    auto *facts = new QVBoxLayout;
    facts->setSpacing(8);
    facts->addWidget(m_times);
    facts->addWidget(m_open);
    facts->addStretch(1);
    columns->addLayout(story, 3);
    columns->addLayout(facts, 2);
    layout->addLayout(columns, 1);
    scroll->setWidget(page);
    m_stack->addWidget(scroll);
    m_stack->setCurrentIndex(0);
}

DetailsPane::~DetailsPane() = default;

QString DetailsPane::headlineText() const { return m_hasItem ? m_headline->text() : QString(); }

void DetailsPane::clear()
{
    m_hasItem = false;
    m_item = {};
    m_stack->setCurrentIndex(0);
}

void DetailsPane::setItem(const core::NewsItem &item, qint64 latencyMs)
{
    m_item = item;
    m_hasItem = true;

    const QColor chip = palette().color(QPalette::Highlight);
    const QColor chipText = palette().color(QPalette::HighlightedText);
    QString chips;
    for (const QString &symbol : item.symbols) {
        chips += QStringLiteral("<span style=\"background-color:%1; color:%2; font-weight:600;\">"
                                "&nbsp;%3&nbsp;</span>&nbsp; ")
                     .arg(chip.name(), chipText.name(), symbol.toHtmlEscaped());
    }
    m_symbols->setText(chips);
    m_symbols->setVisible(!item.symbols.isEmpty());
    m_headline->setText(item.headline);

    QStringList meta;
    if (!item.source.isEmpty())
        meta << item.source;
    if (!item.category.isEmpty())
        meta << item.category;
    if (item.sentiment) {
        const double s = *item.sentiment;
        const QString mood
            = s > 0.15 ? tr("positive") : (s < -0.15 ? tr("negative") : tr("neutral"));
        meta << tr("sentiment %1 (%2)").arg(s, 0, 'f', 2).arg(mood);
    }
    if (!item.provider.isEmpty())
        meta << tr("via %1").arg(item.provider);
    m_meta->setText(meta.join(QStringLiteral("  ·  ")));
    m_summary->setText(item.summary);
    m_summary->setVisible(!item.summary.isEmpty());
    m_sources->setText(item.otherSources.isEmpty()
            ? QString()
            : tr("Also reported by %1").arg(item.otherSources.join(QStringLiteral(", "))));
    m_sources->setVisible(!item.otherSources.isEmpty());

    QString times = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"2\">");
    const auto row = [&times](const QString &name, const QString &value) {
        times += QStringLiteral(
            "<tr><td style=\"padding-right:12px; white-space:nowrap;\"><b>%1</b></td><td "
            "style=\"white-space:nowrap;\">%2</td></tr>")
                     .arg(name.toHtmlEscaped(), value.toHtmlEscaped());
    };
    row(tr("Published"), timeText(item.publishedAtMs));
    row(tr("Received"), timeText(item.receivedAtMs));
    if (latencyMs >= 0)
        row(tr("Latency"), tr("%1 ms").arg(QLocale().toString(latencyMs)));
    if (!item.url.isEmpty()) {
        // The whole link is on the button's tooltip; here enough to see where it goes.
        row(tr("Link"), m_times->fontMetrics().elidedText(item.url, Qt::ElideMiddle, 300));
    }
    times += QStringLiteral("</table>");
    m_times->setText(times);
    m_open->setEnabled(!item.url.isEmpty());
    m_open->setToolTip(item.url);
    m_stack->setCurrentIndex(1);
}

} // namespace tw::ui
