// The LIVE indicator in the main toolbar: a dot and a line of text that say at a glance whether
// news is flowing. Pulsing red "LIVE · 1,234 items · 4 ms" while streaming, amber
// "Reconnecting… retry in 2 s" while resuming, blue "Connecting…" while starting, grey
// "Stopped", red "Error: reason". Cheap on the hot path: setLive() only stores the figures;
// the label is refreshed at most a few times a second and only the dot animates.
#pragma once

#include <QColor>
#include <QElapsedTimer>
#include <QString>
#include <QTimer>
#include <QWidget>

class QLabel;
class QVariantAnimation;

namespace tw::ui {

class LiveIndicator : public QWidget {
    Q_OBJECT
public:
    enum class State {
        Stopped,
        Connecting,
        Live,
        Reconnecting,
        Error
    };
    Q_ENUM(State)

    explicit LiveIndicator(QWidget *parent = nullptr);
    ~LiveIndicator() override;

    void setStopped();
    void setConnecting();
    // Streaming: `items` received since Go Live, the latest item's latency.
    void setLive(qint64 items, qint64 latencyMs);
    // Resuming; the next attempt starts in retryInMs (< 0: an attempt is under way).
    void setReconnecting(int retryInMs);
    void setError(const QString &reason);

    State state() const { return m_state; }
    // What the label says (or will say at its next refresh): tests and the window title read it.
    QString text() const;
    // The dot's colour for the current state (without the pulse).
    QColor color() const;
    static QColor colorFor(State state);

    QSize sizeHint() const override;

Q_SIGNALS:
    void stateChanged(tw::ui::LiveIndicator::State state);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void setState(State state);
    void scheduleRefresh();
    void refresh();

    State m_state = State::Stopped;
    qint64 m_items = 0;
    qint64 m_latencyMs = 0;
    QString m_error;
    QElapsedTimer m_retryClock; // started when the retry was scheduled
    int m_retryInMs = -1;
    QLabel *m_label = nullptr;
    QVariantAnimation *m_pulse = nullptr;
    qreal m_pulseLevel = 1.0;
    QTimer m_refresh; // coalesces label updates while live
    QTimer m_countdown; // ticks "retry in N s" down
};

} // namespace tw::ui
