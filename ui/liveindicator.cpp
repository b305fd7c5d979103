#include "liveindicator.h"

#include <QEasingCurve>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QVariantAnimation>

#include <algorithm>
#include <cmath>

namespace tw::ui {

namespace {
    constexpr int kDotDiameter = 10;
    constexpr int kDotLeft = 10;
    constexpr int kRefreshMs = 150; // label refresh while live: fast enough to feel live
} // namespace

LiveIndicator::LiveIndicator(QWidget *parent)
    : QWidget(parent)
    , m_label(new QLabel(this))
    , m_pulse(new QVariantAnimation(this))
{
    setObjectName(QStringLiteral("liveIndicator"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(kDotLeft + kDotDiameter + 8, 3, 12, 3);
    layout->addWidget(m_label);
    QFont bold = m_label->font();
    bold.setBold(true);
    m_label->setFont(bold);
    m_label->setTextFormat(Qt::PlainText);
    // Room for a large count up front, so the toolbar does not shift as digits are added.
    m_label->setMinimumWidth(
        m_label->fontMetrics().horizontalAdvance(QStringLiteral("LIVE · 999,999 items · 9999 ms")));
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);

    // Only the dot animates; the animation runs while live and is cheap (one small repaint).
    m_pulse->setStartValue(1.0);
    m_pulse->setKeyValueAt(0.5, 0.25);
    m_pulse->setEndValue(1.0);
    m_pulse->setDuration(1400);
    m_pulse->setEasingCurve(QEasingCurve::InOutSine);
    m_pulse->setLoopCount(-1);
    connect(m_pulse, &QVariantAnimation::valueChanged, this, [this](const QVariant &value) {
        m_pulseLevel = value.toReal();
        update(QRect(kDotLeft - 2, 0, kDotDiameter + 4, height()));
    });

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(kRefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &LiveIndicator::refresh);
    m_countdown.setInterval(250);
    connect(&m_countdown, &QTimer::timeout, this, &LiveIndicator::refresh);
    refresh();
}

LiveIndicator::~LiveIndicator() = default;

void LiveIndicator::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    if (state == State::Live) {
        m_pulse->start();
    } else {
        m_pulse->stop();
        m_pulseLevel = 1.0;
    }
    if (state == State::Reconnecting)
        m_countdown.start();
    else
        m_countdown.stop();
    refresh();
    update();
    Q_EMIT stateChanged(state);
}

void LiveIndicator::setStopped() { setState(State::Stopped); }

void LiveIndicator::setConnecting() { setState(State::Connecting); }

void LiveIndicator::setLive(qint64 items, qint64 latencyMs)
{
    m_items = items;
    m_latencyMs = latencyMs;
    if (m_state != State::Live)
        setState(State::Live);
    else
        scheduleRefresh();
}

void LiveIndicator::setReconnecting(int retryInMs)
{
    m_retryInMs = retryInMs;
    m_retryClock.start();
    if (m_state != State::Reconnecting)
        setState(State::Reconnecting);
    else
        refresh();
}

void LiveIndicator::setError(const QString &reason)
{
    m_error = reason;
    if (m_state != State::Error)
        setState(State::Error);
    else
        refresh();
}

QString LiveIndicator::text() const
{
    switch (m_state) {
    case State::Stopped: return tr("Stopped");
    case State::Connecting: return tr("Connecting…");
    case State::Live:
        if (m_items <= 0)
            return tr("LIVE · waiting for news");
        return (m_items == 1 ? tr("LIVE · %1 item · %2 ms") : tr("LIVE · %1 items · %2 ms"))
            .arg(QLocale().toString(m_items))
            .arg(QLocale().toString(std::max<qint64>(0, m_latencyMs)));
    case State::Reconnecting: {
        if (m_retryInMs < 0)
            return tr("Reconnecting…");
        const qint64 left = m_retryInMs - m_retryClock.elapsed();
        if (left <= 0)
            return tr("Reconnecting… retrying now");
        const int seconds = int(std::ceil(double(left) / 1000.0));
        return tr("Reconnecting… retry in %1 s").arg(seconds);
    }
    case State::Error: return tr("Error: %1").arg(m_error);
    }
    return {};
}

QColor LiveIndicator::colorFor(State state)
{
    switch (state) {
    case State::Live: return QColor(0xe5, 0x38, 0x35); // the red of an on-air light
    case State::Reconnecting: return QColor(0xf5, 0x9e, 0x0b); // amber
    case State::Connecting: return QColor(0x3b, 0x82, 0xf6); // blue: working on it
    case State::Error: return QColor(0xdc, 0x26, 0x26);
    case State::Stopped: break;
    }
    return QColor(0x8b, 0x8d, 0x98); // grey
}

QColor LiveIndicator::color() const { return colorFor(m_state); }

void LiveIndicator::scheduleRefresh()
{
    if (!m_refresh.isActive())
        m_refresh.start();
}

void LiveIndicator::refresh()
{
    const QString full = text();
    // An error can be long: show what fits, the whole reason in the tooltip.
    const QString shown = m_state == State::Error
        ? m_label->fontMetrics().elidedText(full, Qt::ElideRight, 420)
        : full;
    if (m_label->text() != shown)
        m_label->setText(shown);
    setToolTip(m_state == State::Error ? full : QString());
    QPalette p = m_label->palette();
    p.setColor(QPalette::WindowText,
        m_state == State::Stopped ? palette().color(QPalette::WindowText) : color());
    m_label->setPalette(p);
}

QSize LiveIndicator::sizeHint() const { return QWidget::sizeHint().expandedTo(QSize(120, 26)); }

void LiveIndicator::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    // A soft pill in the state's colour, so the indicator reads as one control.
    QColor fill = color();
    fill.setAlphaF(m_state == State::Stopped ? 0.10 : 0.14);
    painter.setPen(Qt::NoPen);
    painter.setBrush(fill);
    const QRectF pill = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2);

    const QPointF centre(kDotLeft + kDotDiameter / 2.0, height() / 2.0);
    QColor dot = color();
    if (m_state == State::Live) {
        // The halo grows as the dot fades: reads as a pulse even in a screenshot.
        QColor halo = dot;
        halo.setAlphaF(0.35 * (1.0 - m_pulseLevel) + 0.1);
        painter.setBrush(halo);
        const qreal r = kDotDiameter / 2.0 + 3.0 * (1.0 - m_pulseLevel) + 1.0;
        painter.drawEllipse(centre, r, r);
        dot.setAlphaF(0.55 + 0.45 * m_pulseLevel);
    }
    painter.setBrush(dot);
    painter.drawEllipse(centre, kDotDiameter / 2.0, kDotDiameter / 2.0);
}

} // namespace tw::ui
