#include "embeddedserver.h"

#include "epolleventdispatcher.h"
#include "httpserver.h"
#include "logging.h"
#include "metrics.h"
#include "serverruntime.h"

#include <QMutexLocker>
#include <QTcpServer>
#include <QThread>
#include <QUrl>

#include <memory>
#include <utility>

namespace tw::ui {

namespace {

    // True when nothing can listen on host:port right now because something else already does.
    bool portInUse(const QString &host, int port)
    {
        const QHostAddress address = server::parseBindAddress(host);
        if (address.isNull() || port <= 0)
            return false;
        QTcpServer probe;
        if (probe.listen(address, quint16(port))) {
            probe.close();
            return false;
        }
        return probe.serverError() == QAbstractSocket::AddressInUseError;
    }

} // namespace

EmbeddedServer::EmbeddedServer(QObject *parent)
    : QObject(parent)
{
    // Emitted in the server thread, delivered (queued) here.
    connect(this, &EmbeddedServer::runtimeStarted, this, &EmbeddedServer::onStarted,
        Qt::QueuedConnection);
}

EmbeddedServer::~EmbeddedServer()
{
    m_restartPending = false;
    shutdownThread();
}

QString EmbeddedServer::stateName(State state)
{
    switch (state) {
    case State::Stopped: return QStringLiteral("Stopped");
    case State::Starting: return QStringLiteral("Starting");
    case State::Running: return QStringLiteral("Running");
    case State::Stopping: return QStringLiteral("Stopping");
    case State::Failed: return QStringLiteral("Failed");
    }
    return {};
}

void EmbeddedServer::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void EmbeddedServer::start(const server::ServerConfig &config)
{
    switch (m_state) {
    case State::Starting:
    case State::Running:
        stop(); // clears m_restartPending: set it after
        m_pendingConfig = config;
        m_restartPending = true;
        return;
    case State::Stopping:
        m_pendingConfig = config;
        m_restartPending = true;
        return;
    case State::Stopped:
    case State::Failed: break;
    }
    launch(config);
}

void EmbeddedServer::launch(const server::ServerConfig &config)
{
    Q_ASSERT(!m_thread);
    m_lastError.clear();
    m_config = config;
    m_host = config.host;
    m_url.clear();
    m_port = 0;
    setState(State::Starting);

    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("tickerwire-server"));
    // The same epoll dispatcher as tickerwire-server (O(ready sockets) per loop turn, timers in
    // a heap) instead of GLib's, which walks every notifier on each enable/disable.
    if (auto *dispatcher = tw::core::EpollEventDispatcher::create())
        m_thread->setEventDispatcher(dispatcher);
    m_context = new QObject;
    m_context->moveToThread(m_thread);
    // Work reaches the thread only through connections made here, before start(): the thread's
    // own started() and finished() signals, emitted inside it (so the slots run there, direct).
    // Whatever the slots capture is written before the thread exists, and start() orders that
    // for every checker; a functor queued to a running thread would hand its captures over
    // inside Qt's event queue instead, which ThreadSanitizer cannot see through (Debian's Qt
    // is not instrumented). The fallback flag is copied now: the server thread must not read
    // members the GUI thread may change.
    const bool fallback = m_portFallback;
    connect(m_thread, &QThread::started, m_context,
        [this, config, fallback] { startInThread(config, fallback); });
    connect(m_thread, &QThread::finished, m_context, [this] { stopInThread(); });
    // The context object is deleted when the thread ends (QThread runs pending deferred
    // deletes as it finishes).
    connect(m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    connect(m_thread, &QThread::finished, this, &EmbeddedServer::onThreadFinished,
        Qt::QueuedConnection);
    m_thread->start();
}

void EmbeddedServer::startInThread(const server::ServerConfig &config, bool portFallback)
{
    // Server thread.
    server::ServerConfig effective = config;
    auto runtime = std::make_unique<server::ServerRuntime>(effective);
    QString error;
    bool ok = runtime->start(&error);
    if (!ok && portFallback && effective.port != 0 && portInUse(effective.host, effective.port)) {
        runtime.reset();
        effective.port = 0;
        runtime = std::make_unique<server::ServerRuntime>(effective);
        ok = runtime->start(&error);
        if (ok) {
            qCWarning(lcServer).noquote()
                << QStringLiteral("port %1 is already in use (another Tickerwire?); the "
                                  "embedded server listens on port %2 instead")
                       .arg(config.port)
                       .arg(runtime->httpServer()->serverPort());
        } else {
            error = QStringLiteral("Port %1 is in use and no free port could be opened: %2")
                        .arg(config.port)
                        .arg(error);
        }
    }
    if (!ok) {
        runtime.reset();
        qCWarning(lcServer).noquote() << "embedded server did not start:" << error;
        {
            QMutexLocker lock(&m_metricsMutex);
            // Read by onThreadFinished() after the join; never empty, it marks the failure.
            m_startError = error.isEmpty() ? QStringLiteral("the server did not start") : error;
        }
        QThread::currentThread()->quit(); // finished() -> Failed
        return;
    }
    {
        QMutexLocker lock(&m_metricsMutex);
        m_metrics = runtime->metrics();
        m_runtimeThread = runtime->thread();
        m_statusUrl = runtime->url();
        m_statusPort = runtime->httpServer()->serverPort();
        m_runtime = runtime.release();
    }
    // No arguments: onStarted() reads the URL and port under the mutex.
    Q_EMIT runtimeStarted(QPrivateSignal());
}

void EmbeddedServer::stopInThread()
{
    // Server thread, from its finished() signal: after stop() or shutdownThread() asked the
    // event loop to quit (or a failed start quit it). The panel must not read the registry
    // while it is destroyed. This is the thread's last access to any member of this object; it
    // ends with this unlock, which joinedThread() pairs with on the GUI thread.
    server::ServerRuntime *runtime = nullptr;
    {
        QMutexLocker lock(&m_metricsMutex);
        m_metrics = nullptr;
        m_runtimeThread = nullptr;
        m_statusUrl.clear();
        m_statusPort = 0;
        runtime = std::exchange(m_runtime, nullptr);
    }
    if (runtime) {
        // Ends every stream (clients see the end of their SSE response) and closes every
        // connection; the destructor then closes the MCP sessions and frees the hub.
        runtime->stop();
        delete runtime;
    }
    // Connections closed above are deleted (deleteLater) as the thread finishes.
}

QString EmbeddedServer::joinedThread()
{
    // GUI thread, right after m_thread->wait(). QThread::wait() orders everything the server
    // thread did before what follows, but it waits inside Qt (futex), which ThreadSanitizer
    // does not see; this critical section pairs with the last unlock in stopInThread(), the
    // server thread's last write to this object, and so makes the hand-off visible before the
    // GUI thread reads, reuses or destroys these members.
    QMutexLocker lock(&m_metricsMutex);
    Q_ASSERT(!m_runtime && !m_metrics);
    return std::exchange(m_startError, QString());
}

void EmbeddedServer::onStarted()
{
    if (m_state != State::Starting)
        return; // stop() came first: the thread is already being wound down
    QString url;
    quint16 port = 0;
    {
        QMutexLocker lock(&m_metricsMutex);
        url = m_statusUrl;
        port = m_statusPort;
    }
    if (url.isEmpty())
        return; // the runtime is already gone again (stopped before this arrived)
    m_url = url;
    m_port = port;
    qCInfo(lcUi).noquote() << "embedded server running at" << url;
    setState(State::Running);
    Q_EMIT started(url);
}

void EmbeddedServer::stop()
{
    m_restartPending = false;
    if (!m_thread || m_state == State::Stopping)
        return;
    setState(State::Stopping);
    // Thread-safe; the thread's finished() handler (stopInThread) tears the runtime down.
    m_thread->quit();
}

void EmbeddedServer::onThreadFinished()
{
    if (!m_thread)
        return;
    // finished() is emitted just before the thread really ends: wait for that moment.
    m_thread->wait();
    const QString startError = joinedThread();
    delete m_thread;
    m_thread = nullptr;
    m_context = nullptr; // deleted by the thread as it finished
    m_url.clear();
    m_port = 0;
    if (!startError.isEmpty() && m_state != State::Stopping) {
        m_lastError = startError;
        setState(State::Failed);
        Q_EMIT failed(m_lastError);
    } else {
        setState(State::Stopped);
        Q_EMIT stopped();
    }
    if (m_restartPending) {
        m_restartPending = false;
        launch(m_pendingConfig);
    }
}

void EmbeddedServer::shutdownThread()
{
    if (!m_thread)
        return;
    m_thread->quit(); // the runtime is torn down in the thread as it finishes
    m_thread->wait();
    joinedThread();
    delete m_thread;
    m_thread = nullptr;
    m_context = nullptr;
}

QThread *EmbeddedServer::runtimeThread() const
{
    QMutexLocker lock(&m_metricsMutex);
    return m_runtimeThread;
}

EmbeddedServer::Status EmbeddedServer::status() const
{
    Status s;
    QMutexLocker lock(&m_metricsMutex);
    if (!m_metrics)
        return s;
    s.url = m_statusUrl;
    s.port = m_statusPort;
    s.connections = int(m_metrics->value(QByteArrayLiteral("tickerwire_http_connections_open")));
    s.sessions = int(m_metrics->value(QByteArrayLiteral("tickerwire_mcp_sessions")));
    s.openStreams = int(m_metrics->value(QByteArrayLiteral("tickerwire_http_streams_open")));
    s.itemsPublished
        = qint64(m_metrics->sum(QByteArrayLiteral("tickerwire_news_items_accepted_total")));
    s.eventsSent = qint64(m_metrics->value(QByteArrayLiteral("tickerwire_sse_events_total")));
    s.requests = qint64(m_metrics->sum(QByteArrayLiteral("tickerwire_http_requests_total")));
    s.newsSubscriptions = int(m_metrics->value(QByteArrayLiteral("tickerwire_news_subscriptions")));
    return s;
}

double EmbeddedServer::metricValue(const QString &name) const
{
    QMutexLocker lock(&m_metricsMutex);
    return m_metrics ? m_metrics->sum(name.toUtf8()) : 0.0;
}

} // namespace tw::ui
