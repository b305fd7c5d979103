// A process-wide sink for the tickerwire.* log categories: installs a Qt message handler
// (chaining to the one installed before it, so stderr still gets every line) and re-emits
// each Tickerwire message as message() on the GUI thread. Thread-safe: the embedded server
// logs from its own thread; the signal is always queued to the bus's thread. Keeps the last
// lines in a ring so a view created later can show what happened before it.
#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

#include <atomic>

namespace tw::ui {

class LogBus : public QObject {
    Q_OBJECT
public:
    struct Line {
        QtMsgType type = QtInfoMsg;
        QString category;
        QString text;
        QDateTime time;
    };
    static constexpr int kDefaultCapacity = 2000;

    // The bus, created (and the handler installed) on first use, on the calling thread
    // (call it first from the GUI thread). Deleted with the QCoreApplication.
    static LogBus *instance();

    // The lines kept, oldest first.
    QList<Line> recent() const { return m_ring; }
    int capacity() const { return m_capacity; }
    void setCapacity(int lines);
    // Debug messages are dropped unless this is on (they only arrive at all when enabled with
    // QT_LOGGING_RULES).
    void setIncludeDebug(bool on) { m_includeDebug.store(on); }
    bool includeDebug() const { return m_includeDebug.load(); }

    // "12:01:02.345 warn  tickerwire.server: text" (one line for a log view).
    static QString format(const Line &line);

Q_SIGNALS:
    void message(
        QtMsgType type, const QString &category, const QString &text, const QDateTime &time);

private:
    explicit LogBus(QObject *parent);
    ~LogBus() override;
    static void handler(QtMsgType type, const QMessageLogContext &context, const QString &text);
    void deliver(const Line &line);

    QList<Line> m_ring;
    int m_capacity = kDefaultCapacity;
    std::atomic<bool> m_includeDebug { false }; // read by the handler on any thread
};

} // namespace tw::ui
