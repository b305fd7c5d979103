#include "embeddedserver.h"

#include "httpserver.h"
#include "logging.h"
#include "metrics.h"
#include "serverruntime.h"

#include <QMutexLocker>
#include <QTcpServer>
#include <QThread>
#include <QUrl>

#include <memory>

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
    m_startFailed = false;
    m_config = config;
    m_host = config.host;
    m_url.clear();
    m_port = 0;
    setState(State::Starting);

    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("tickerwire-server"));
    m_context = new QObject;
    m_context->moveToThread(m_thread);
    // The context object queues the work into the thread and is deleted when the thread ends
    // (QThread runs pending deferred deletes as it finishes).
    connect(m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    connect(m_thread, &QThread::finished, this, &EmbeddedServer::onThreadFinished,
        Qt::QueuedConnection);
    m_thread->start();
    // The fallback flag is copied now: the server thread must not read members the GUI
    // thread may change.
    const bool fallback = m_portFallback;
    QMetaObject::invokeMethod(
        m_context, [this, config, fallback] { startInThread(config, fallback); },
        Qt::QueuedConnection);
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
        QMetaObject::invokeMethod(
            this, [this, error] { onFailed(error); }, Qt::QueuedConnection);
        QThread::currentThread()->quit();
        return;
    }
    const QString url = runtime->url();
    const quint16 port = runtime->httpServer()->serverPort();
    m_runtime = runtime.release();
    {
        QMutexLocker lock(&m_metricsMutex);
        m_metrics = m_runtime->metrics();
        m_runtimeThread = m_runtime->thread();
        m_statusUrl = url;
        m_statusPort = port;
    }
    QMetaObject::invokeMethod(
        this, [this, url, port] { onStarted(url, port); }, Qt::QueuedConnection);
}

void EmbeddedServer::stopInThread()
{
    // Server thread. The panel must not read the registry while it is destroyed.
    {
        QMutexLocker lock(&m_metricsMutex);
        m_metrics = nullptr;
        m_runtimeThread = nullptr;
        m_statusUrl.clear();
        m_statusPort = 0;
    }
    if (m_runtime) {
        // Ends every stream (clients see the end of their SSE response) and closes every
        // connection; the destructor then closes the MCP sessions and frees the hub.
        m_runtime->stop();
        delete m_runtime;
        m_runtime = nullptr;
    }
    // Connections closed above are deleted (deleteLater) as the thread finishes.
    QThread::currentThread()->quit();
}

void EmbeddedServer::onStarted(const QString &url, quint16 port)
{
    if (m_state != State::Starting)
        return; // stop() came first: the thread is already being wound down
    m_url = url;
    m_port = port;
    qCInfo(lcUi).noquote() << "embedded server running at" << url;
    setState(State::Running);
    Q_EMIT started(url);
}

void EmbeddedServer::onFailed(const QString &error)
{
    m_lastError = error;
    m_startFailed = true;
}

void EmbeddedServer::stop()
{
    m_restartPending = false;
    if (!m_thread || m_state == State::Stopping)
        return;
    setState(State::Stopping);
    QMetaObject::invokeMethod(
        m_context, [this] { stopInThread(); }, Qt::QueuedConnection);
}

void EmbeddedServer::onThreadFinished()
{
    if (!m_thread)
        return;
    // finished() is emitted just before the thread really ends: wait for that moment.
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_context = nullptr; // deleted by the thread as it finished
    m_url.clear();
    m_port = 0;
    const bool failedStart = m_startFailed && m_state != State::Stopping;
    if (failedStart) {
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
    if (m_thread->isRunning()) {
        if (m_state != State::Stopping) {
            QMetaObject::invokeMethod(
                m_context, [this] { stopInThread(); }, Qt::QueuedConnection);
        }
        m_thread->wait();
    }
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
