// Runs the Tickerwire server (tw::server::ServerRuntime) inside the desktop app, in its OWN
// QThread (DESIGN.md): the runtime, which owns the QTcpServer, sockets and timers, is
// created, started, stopped and destroyed inside that thread; this object lives on the GUI
// thread and only talks to it through the thread's started()/finished() signals, quit() and
// members behind m_metricsMutex (see launch()). status() reads the runtime's metrics
// registry (atomics behind a mutex) and is safe from the GUI thread at any time.
#pragma once

#include "serverconfig.h"

#include <QMutex>
#include <QObject>
#include <QString>

class QThread;

namespace tw::core {
class MetricsRegistry;
}
namespace tw::server {
class ServerRuntime;
}

namespace tw::ui {

class EmbeddedServer : public QObject {
    Q_OBJECT
public:
    enum class State {
        Stopped,
        Starting,
        Running,
        Stopping,
        Failed
    };
    Q_ENUM(State)

    // Figures for the server panel, read from the runtime's MetricsRegistry (see status()).
    struct Status {
        int connections = 0; // tickerwire_http_connections_open
        int sessions = 0; // tickerwire_mcp_sessions
        int openStreams = 0; // tickerwire_http_streams_open (SSE responses open now)
        qint64 itemsPublished = 0; // sum of tickerwire_news_items_accepted_total
        qint64 eventsSent = 0; // tickerwire_sse_events_total
        qint64 requests = 0; // sum of tickerwire_http_requests_total
        int newsSubscriptions = 0; // tickerwire_news_subscriptions (news streams being fed)
        QString url; // "http://127.0.0.1:8750" while running, else ""
        quint16 port = 0; // the port actually listened on (also after a port fallback)
    };

    explicit EmbeddedServer(QObject *parent = nullptr);
    // Stops the runtime in its thread and joins the thread.
    ~EmbeddedServer() override;

    // Asynchronous: started(url) or failed(error) follows. If the configured port is busy
    // (and portFallback() is on, the default), a free port is used instead and a warning is
    // logged. Called while running or starting, it restarts with the new configuration.
    void start(const server::ServerConfig &config);
    // Asynchronous: ends every stream, closes every connection, destroys the runtime, then
    // emits stopped(). Does nothing when already stopped.
    void stop();

    State state() const { return m_state; }
    bool isRunning() const { return m_state == State::Running; }
    QString url() const { return m_url; } // "http://127.0.0.1:8750" while running, else ""
    quint16 port() const { return m_port; } // 0 unless running
    QString host() const { return m_host; } // the configured listen host of the last start
    // The configuration of the last start() (e.g. to restart with one setting changed).
    const server::ServerConfig &config() const { return m_config; }
    QString lastError() const { return m_lastError; }

    void setPortFallback(bool on) { m_portFallback = on; }
    bool portFallback() const { return m_portFallback; }

    // Thread-safe snapshot of the running server's metrics (all zero when not running).
    Status status() const;
    // One metric by name, summed over its labels (counters and gauges; 0 when absent or not
    // running). For tests and diagnostics.
    double metricValue(const QString &name) const;

    static QString stateName(State state); // "Stopped", "Starting", ...

    // Test hook: the runtime's thread while one exists (null otherwise).
    QThread *serverThread() const { return m_thread; }
    // Test hook: the thread the runtime object lives in, read inside that thread when it was
    // created (so tests can check the affinity). Null when not running.
    QThread *runtimeThread() const;

Q_SIGNALS:
    void stateChanged(tw::ui::EmbeddedServer::State state);
    void started(const QString &url);
    void failed(const QString &error);
    void stopped();
    // Emitted in the server thread once the runtime listens; received queued by onStarted().
    void runtimeStarted(QPrivateSignal);

private:
    void setState(State state);
    void launch(const server::ServerConfig &config);
    void onStarted();
    void onThreadFinished();
    void shutdownThread(); // quit the thread (which stops the runtime), wait
    // After QThread::wait(): the hand-off ThreadSanitizer can see; returns (and clears) the
    // error of a failed start.
    QString joinedThread();
    // Run in the server thread (its started() and finished() signals).
    void startInThread(const server::ServerConfig &config, bool portFallback);
    void stopInThread();

    State m_state = State::Stopped;
    QString m_url;
    QString m_host;
    quint16 m_port = 0;
    QString m_lastError;
    bool m_portFallback = true;
    bool m_restartPending = false;
    server::ServerConfig m_config; // of the current (or last) launch
    server::ServerConfig m_pendingConfig;

    QThread *m_thread = nullptr; // owned; one per start/stop cycle
    QObject *m_context = nullptr; // lives in m_thread; context of its started/finished slots

    // Server-thread only, but written under m_metricsMutex so that joinedThread() orders the
    // thread's last write before the GUI thread destroys this object.
    server::ServerRuntime *m_runtime = nullptr;

    // Shared: the registry of the running runtime, null outside [started, stopping).
    mutable QMutex m_metricsMutex;
    core::MetricsRegistry *m_metrics = nullptr;
    QThread *m_runtimeThread = nullptr;
    QString m_statusUrl;
    quint16 m_statusPort = 0;
    QString m_startError; // why the current cycle's start failed (then finished -> Failed)
};

} // namespace tw::ui
