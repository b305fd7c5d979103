#include "logbus.h"

#include <QCoreApplication>
#include <QMutex>
#include <QMutexLocker>

namespace tw::ui {

namespace {

    // Guards the bus pointer against a message arriving from another thread while the bus is
    // being destroyed.
    QMutex g_mutex;
    LogBus *g_bus = nullptr;
    QtMessageHandler g_previous = nullptr;

} // namespace

LogBus *LogBus::instance()
{
    QMutexLocker lock(&g_mutex);
    if (!g_bus) {
        // Parented to the application so it goes (and the handler is restored) before Qt shuts
        // down.
        g_bus = new LogBus(QCoreApplication::instance());
        g_previous = qInstallMessageHandler(&LogBus::handler);
    }
    return g_bus;
}

LogBus::LogBus(QObject *parent)
    : QObject(parent)
{
}

LogBus::~LogBus()
{
    QMutexLocker lock(&g_mutex);
    if (g_bus == this) {
        qInstallMessageHandler(g_previous);
        g_bus = nullptr;
        g_previous = nullptr;
    }
}

void LogBus::setCapacity(int lines)
{
    m_capacity = qMax(1, lines);
    if (m_ring.size() > m_capacity)
        m_ring.erase(m_ring.begin(), m_ring.begin() + (m_ring.size() - m_capacity));
}

void LogBus::handler(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    QtMessageHandler previous = nullptr;
    {
        QMutexLocker lock(&g_mutex);
        previous = g_previous;
        const QLatin1String category(context.category ? context.category : "");
        if (g_bus && category.startsWith(QLatin1String("tickerwire."))
            && (type != QtDebugMsg || g_bus->m_includeDebug.load())) {
            Line line { type, QString(category), text, QDateTime::currentDateTime() };
            LogBus *bus = g_bus;
            // Always queued, also from the bus's own thread: a slot that logs must not recurse.
            QMetaObject::invokeMethod(
                bus, [bus, line] { bus->deliver(line); }, Qt::QueuedConnection);
        }
    }
    if (previous)
        previous(type, context, text);
}

void LogBus::deliver(const Line &line)
{
    m_ring.append(line);
    if (m_ring.size() > m_capacity)
        m_ring.removeFirst();
    Q_EMIT message(line.type, line.category, line.text, line.time);
}

QString LogBus::format(const Line &line)
{
    QString level;
    switch (line.type) {
    case QtDebugMsg: level = QStringLiteral("debug"); break;
    case QtInfoMsg: level = QStringLiteral("info "); break;
    case QtWarningMsg: level = QStringLiteral("warn "); break;
    case QtCriticalMsg: level = QStringLiteral("error"); break;
    case QtFatalMsg: level = QStringLiteral("fatal"); break;
    }
    return line.time.toString(QStringLiteral("HH:mm:ss.zzz")) + QLatin1Char(' ') + level
        + QLatin1Char(' ') + line.category + QStringLiteral(": ") + line.text;
}

} // namespace tw::ui
