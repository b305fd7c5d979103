#include "httpserver.h"

#include "httpconnection.h"
#include "httpresponder.h"
#include "logging.h"
#include "metrics.h"
#include "sendbatch.h"

#include <QDateTime>
#include <QLocale>
#include <QSslServer>

namespace tw::http {

HttpServer::HttpServer(const HttpLimits &limits, core::MetricsRegistry *metrics, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_metrics(metrics)
{
    m_hot.connectionsTotal = m_metrics->counter(QByteArrayLiteral("tickerwire_http_connections_total"),
        QByteArrayLiteral("HTTP connections accepted since start."));
    m_hot.connectionsOpen = m_metrics->gauge(QByteArrayLiteral("tickerwire_http_connections_open"),
        QByteArrayLiteral("HTTP connections open now."));
    m_hot.bytesOut = m_metrics->counter(QByteArrayLiteral("tickerwire_http_response_bytes_total"),
        QByteArrayLiteral("Bytes written to HTTP clients (headers, bodies and stream chunks)."));
    m_hot.streamsOpen = m_metrics->gauge(QByteArrayLiteral("tickerwire_http_streams_open"),
        QByteArrayLiteral("Streaming (SSE) responses open now."));
    m_hot.streamsTotal = m_metrics->counter(QByteArrayLiteral("tickerwire_http_streams_total"),
        QByteArrayLiteral("Streaming (SSE) responses started since start."));
    m_hot.slowConsumersDropped = m_metrics->counter(
        QByteArrayLiteral("tickerwire_http_slow_consumers_dropped_total"),
        QByteArrayLiteral("Streams dropped because the client did not read fast enough."));
    m_hot.sseEvents = m_metrics->counter(QByteArrayLiteral("tickerwire_sse_events_total"),
        QByteArrayLiteral("Server-Sent Events written to streams."));
    m_hot.heartbeats = m_metrics->counter(QByteArrayLiteral("tickerwire_sse_heartbeats_total"),
        QByteArrayLiteral("SSE comment heartbeats written to idle streams."));
}

HttpServer::~HttpServer()
{
    close();
}

void HttpServer::setTlsConfiguration(const QSslConfiguration &config)
{
    m_tlsConfig = config;
    m_tls = true;
}

bool HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_limits.sendThreads >= 0)
        core::SendBatch::setWorkerThreads(m_limits.sendThreads);
    if (m_tls) {
        if (!QSslSocket::supportsSsl()) {
            m_error = QStringLiteral("TLS was requested but this Qt has no TLS backend available.");
            return false;
        }
        auto ssl = std::make_unique<QSslServer>();
        ssl->setSslConfiguration(m_tlsConfig);
        ssl->setHandshakeTimeout(m_limits.requestTimeoutMs);
        connect(ssl.get(), &QSslServer::errorOccurred, this, [](QSslSocket *socket, QAbstractSocket::SocketError) {
            qCDebug(lcHttp) << "TLS handshake failed from" << socket->peerAddress().toString() << socket->errorString();
        });
        m_listener = std::move(ssl);
    } else {
        m_listener = std::make_unique<QTcpServer>();
    }
    // Accept everything the kernel has; the caps are enforced with a 503 answer, not by
    // leaving clients hanging in the backlog.
    m_listener->setMaxPendingConnections(std::max(64, m_limits.maxConnections));
    connect(m_listener.get(), &QTcpServer::pendingConnectionAvailable, this, &HttpServer::onNewConnection);
    if (!m_listener->listen(address, port)) {
        m_error = QStringLiteral("Cannot listen on %1 port %2: %3")
                      .arg(address.toString())
                      .arg(port)
                      .arg(m_listener->errorString());
        m_listener.reset();
        return false;
    }
    return true;
}

QHostAddress HttpServer::serverAddress() const
{
    return m_listener ? m_listener->serverAddress() : QHostAddress();
}

quint16 HttpServer::serverPort() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

bool HttpServer::isListening() const
{
    return m_listener && m_listener->isListening();
}

QString HttpServer::baseUrl() const
{
    const QHostAddress a = serverAddress();
    QString host = a.toString();
    if (a.protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return (m_tls ? QStringLiteral("https://") : QStringLiteral("http://")) + host + QLatin1Char(':')
        + QString::number(serverPort());
}

void HttpServer::close()
{
    if (m_listener) {
        m_listener->close();
    }
    // Copy: shutdown() can finish a connection and erase it from the map.
    std::vector<HttpConnection *> all;
    all.reserve(m_connections.size());
    for (const auto &entry : m_connections)
        all.push_back(entry.second);
    for (HttpConnection *c : all)
        c->shutdown();
}

void HttpServer::addMiddleware(std::shared_ptr<Middleware> middleware)
{
    m_middleware.push_back(std::move(middleware));
}

int HttpServer::streamCount() const
{
    return int(m_hot.streamsOpen->value());
}

void HttpServer::onNewConnection()
{
    while (m_listener && m_listener->hasPendingConnections()) {
        QTcpSocket *socket = m_listener->nextPendingConnection();
        if (!socket)
            break;
        const quint64 id = m_nextConnectionId++;
        const QString addressKey = socket->peerAddress().toString();
        auto *connection = new HttpConnection(socket, this, id);
        m_connections.emplace(id, connection);
        m_hot.connectionsTotal->inc();
        m_hot.connectionsOpen->inc();
        const int perAddress = ++m_perAddress[addressKey];
        connect(connection, &HttpConnection::finished, this, &HttpServer::onConnectionFinished);

        if (int(m_connections.size()) > m_limits.maxConnections) {
            qCWarning(lcHttp) << "connection limit reached (" << m_limits.maxConnections << "); refusing"
                              << addressKey;
            connection->refuse(HttpResponse::error(503, QByteArrayLiteral("connection_limit"),
                QStringLiteral("Server is at its connection limit (%1); retry later.").arg(m_limits.maxConnections)));
        } else if (perAddress > m_limits.maxConnectionsPerAddress) {
            qCInfo(lcHttp) << "per-client connection limit reached for" << addressKey;
            connection->refuse(HttpResponse::error(503, QByteArrayLiteral("connection_limit"),
                QStringLiteral("Too many connections from your address (limit %1); close some and retry.")
                    .arg(m_limits.maxConnectionsPerAddress)));
        }
    }
}

void HttpServer::onConnectionFinished(HttpConnection *connection)
{
    if (m_connections.erase(connection->id()) == 0)
        return;
    m_hot.connectionsOpen->dec();
    const QString key = connection->peerAddress().toString();
    auto it = m_perAddress.find(key);
    if (it != m_perAddress.end() && --it.value() <= 0)
        m_perAddress.erase(it);
}

void HttpServer::countResponse(int status, const QByteArray &rejectionReason)
{
    if (status > 0) {
        m_metrics->increment(QByteArrayLiteral("tickerwire_http_requests_total"),
            QByteArrayLiteral("HTTP responses sent, by status code."),
            "status=\"" + QByteArray::number(status) + '"');
    }
    if (!rejectionReason.isEmpty()) {
        m_metrics->increment(QByteArrayLiteral("tickerwire_http_rejections_total"),
            QByteArrayLiteral("Requests refused before reaching a handler, by reason."),
            "reason=\"" + rejectionReason + '"');
    }
}

QByteArray HttpServer::httpDate() const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (now != m_dateSecond) {
        m_dateSecond = now;
        m_date = QLocale::c()
                     .toString(QDateTime::fromSecsSinceEpoch(now, Qt::UTC),
                         QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
                     .toLatin1();
    }
    return m_date;
}

void HttpServer::handle(HttpResponder *responder)
{
    const HttpRequest &req = responder->request();
    const HttpRouter::Match match = m_router.match(req.method, req.path);
    RequestContext &ctx = responder->context();
    if (match.route)
        ctx.route = match.route->traits;

    for (const auto &step : m_middleware)
        step->annotate(req, ctx);
    for (const auto &step : m_middleware) {
        if (std::optional<HttpResponse> refusal = step->process(req, ctx)) {
            if (refusal->rejectionReason.isEmpty() && refusal->status >= 400)
                refusal->rejectionReason = step->name();
            qCDebug(lcHttp) << req.method << req.path << "refused by" << step->name() << refusal->status;
            responder->respond(std::move(*refusal));
            return;
        }
    }

    if (!match.pathKnown) {
        HttpResponse r = HttpResponse::error(404, QByteArrayLiteral("not_found"),
            QStringLiteral("No such endpoint: %1").arg(QString::fromUtf8(req.path.left(200))));
        r.rejectionReason.clear(); // a 404 is an answer, not a refusal
        responder->respond(std::move(r));
        return;
    }
    const QByteArray allow = match.allowed.join(", ");
    if (req.method == "OPTIONS") {
        HttpResponse r = HttpResponse::noContent(204);
        r.setHeader(QByteArrayLiteral("allow"), allow);
        responder->respond(std::move(r));
        return;
    }
    if (!match.route) {
        HttpResponse r = HttpResponse::error(405, QByteArrayLiteral("method_not_allowed"),
            QStringLiteral("Method %1 is not allowed here; use %2.")
                .arg(QString::fromLatin1(req.method), QString::fromLatin1(allow)));
        r.rejectionReason.clear();
        r.setHeader(QByteArrayLiteral("allow"), allow);
        responder->respond(std::move(r));
        return;
    }
    match.route->handler(responder);
}

} // namespace tw::http
