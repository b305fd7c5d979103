// HTTP/1.1 server on QTcpServer (or QSslServer with TLS): accepts connections within the
// connection caps, runs each request through the middleware pipeline, routes it, and keeps
// the HTTP metrics. Single-threaded: everything runs on the thread that owns the server.
#pragma once

#include "httplimits.h"
#include "httprouter.h"
#include "middleware.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QTcpServer>

#include <memory>
#include <unordered_map>
#include <vector>

namespace tw::core {
class Counter;
class Gauge;
class MetricsRegistry;
} // namespace tw::core

namespace tw::http {

class HttpConnection;

// Handles into the metrics registry used on hot paths.
struct HttpMetrics {
    core::Counter *connectionsTotal = nullptr;
    core::Gauge *connectionsOpen = nullptr;
    core::Counter *bytesOut = nullptr;
    core::Gauge *streamsOpen = nullptr;
    core::Counter *streamsTotal = nullptr;
    core::Counter *slowConsumersDropped = nullptr;
    core::Counter *sseEvents = nullptr;
    core::Counter *heartbeats = nullptr;
};

class HttpServer : public QObject {
    Q_OBJECT
public:
    HttpServer(const HttpLimits &limits, core::MetricsRegistry *metrics, QObject *parent = nullptr);
    ~HttpServer() override;

    // TLS: call before listen(). An invalid configuration is refused by listen().
    void setTlsConfiguration(const QSslConfiguration &config);
    bool listen(const QHostAddress &address, quint16 port);
    QString errorString() const { return m_error; }
    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    bool isListening() const;
    bool isTls() const { return m_tls; }
    // "http://127.0.0.1:8750" / "https://[::1]:8750"
    QString baseUrl() const;

    // Stops accepting, ends every stream and closes every connection (flushing what is queued).
    void close();

    HttpRouter &router() { return m_router; }
    void addMiddleware(std::shared_ptr<Middleware> middleware);
    const HttpLimits &limits() const { return m_limits; }
    core::MetricsRegistry *metrics() const { return m_metrics; }
    const HttpMetrics &hotMetrics() const { return m_hot; }
    int connectionCount() const { return int(m_connections.size()); }
    int streamCount() const;

    // Runs the pipeline for a parsed request, then the route (or 404/405). Called by connections.
    void handle(class HttpResponder *responder);
    void countResponse(int status, const QByteArray &rejectionReason);
    // The cached Date header value (updated once a second at most).
    QByteArray httpDate() const;

private:
    void onNewConnection();
    void onConnectionFinished(HttpConnection *connection);

    HttpLimits m_limits;
    core::MetricsRegistry *m_metrics;
    HttpMetrics m_hot;
    HttpRouter m_router;
    std::vector<std::shared_ptr<Middleware>> m_middleware;
    std::unique_ptr<QTcpServer> m_listener;
    QSslConfiguration m_tlsConfig;
    bool m_tls = false;
    QString m_error;
    quint64 m_nextConnectionId = 1;
    std::unordered_map<quint64, HttpConnection *> m_connections;
    QHash<QString, int> m_perAddress;
    mutable qint64 m_dateSecond = -1;
    mutable QByteArray m_date;
};

} // namespace tw::http
