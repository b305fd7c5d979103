#include "httpconnection.h"

#include "httpserver.h"
#include "logging.h"
#include "metrics.h"
#include "ownedtimer.h"
#include "sendbatch.h"

#include <QSslSocket>

#include <cstdio>
#include <utility>

#include <cerrno>
#include <sys/socket.h>
#include <sys/uio.h>

namespace tw::http {

namespace {
constexpr qint64 kReadBufferBytes = 64 * 1024;
constexpr int kLingerMs = 5000;
constexpr qint64 kMaxDrainBytes = 4 * 1024 * 1024;
constexpr char kServerHeader[] = "tickerwire/" TW_VERSION_STRING;
} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, HttpServer *server, quint64 id)
    : QObject(server)
    , m_socket(socket)
    , m_server(server)
    , m_limits(server->limits())
    , m_id(id)
    , m_peerAddress(socket->peerAddress())
    , m_peerPort(socket->peerPort())
    , m_secure(qobject_cast<QSslSocket *>(socket) != nullptr)
    , m_parser(server->limits())
{
    socket->setParent(this);
    // Bounded read buffer: when we stop reading (too many pipelined requests), TCP pushes back.
    socket->setReadBufferSize(kReadBufferBytes);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);

    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError)
            qCDebug(lcHttp) << "connection" << m_id << "socket error:" << error;
        // A socket that errored will not deliver more; treat as gone once it is unconnected.
        if (m_socket && m_socket->state() == QAbstractSocket::UnconnectedState)
            onDisconnected();
    });

    updateTimers();
    if (socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    settleBatch(); // the batch must not outlive its owner's bytes
}

void HttpConnection::settleBatch()
{
    if (m_inBatch)
        core::SendBatch::flushCurrent();
}

void HttpConnection::finishBatchedSend(void *owner, QByteArrayView unsent, int /*error*/)
{
    auto *self = static_cast<HttpConnection *>(owner);
    self->m_inBatch = false;
    // As after a short direct write: the rest goes through Qt's buffer, which also meets a
    // failed socket and reports it as a disconnect.
    if (!unsent.isEmpty() && self->m_socket && !self->m_gone) {
        self->m_socket->write(unsent.data(), unsent.size());
        self->m_queuedInQt = true;
    }
}

void HttpConnection::timerEvent(QTimerEvent *event)
{
    // Each of these is single-shot: stopped before its handler runs (which may restart it).
    if (core::isOwnedTimer(event, m_requestTimer)) {
        m_requestTimer.stop();
        onRequestTimeout();
    } else if (core::isOwnedTimer(event, m_idleTimer)) {
        m_idleTimer.stop();
        onIdleTimeout();
    } else if (core::isOwnedTimer(event, m_lingerTimer)) {
        m_lingerTimer.stop();
        abortNow();
    } else {
        QObject::timerEvent(event);
    }
}

bool HttpConnection::isStreaming() const
{
    return m_active && m_active->isStreaming();
}

void HttpConnection::onReadyRead()
{
    if (m_draining && m_socket && !m_gone) {
        // After a refusal: discard what the client still sends (see lingeringClose()).
        m_drainedBytes += m_socket->read(m_socket->bytesAvailable()).size();
        if (m_drainedBytes > kMaxDrainBytes)
            abortNow();
        return;
    }
    if (!m_socket || m_closing || m_gone)
        return;
    if (m_parser.pendingCount() >= m_limits.maxPipelinedRequests) {
        m_pausedReading = true; // resumed from processQueue() once the queue drains
        return;
    }
    const QByteArray data = m_socket->read(m_socket->bytesAvailable());
    if (data.isEmpty())
        return;
    m_idleTimer.stop();
    m_parser.feed(data);
    processQueue(); // also sends a "100 Continue" the request in progress may be waiting for
    updateTimers();
}

void HttpConnection::processQueue()
{
    if (m_dispatching)
        return; // the loop below picks up what responseDone() left
    m_dispatching = true;
    while (!m_active && !m_closing && !m_gone) {
        if (m_parser.hasRequest()) {
            dispatch(m_parser.takeRequest());
            continue;
        }
        if (m_parser.state() == HttpRequestParser::State::Error) {
            sendErrorAndClose(HttpResponse::error(m_parser.errorStatus(), m_parser.errorReason(),
                m_parser.errorMessage(), m_parser.errorStatus() == 400 ? -32600 : -32000));
        } else if (m_parser.state() == HttpRequestParser::State::Upgrade) {
            closeSoon(); // everything parsed has been answered; we do not switch protocols
        }
        break;
    }
    m_dispatching = false;
    // Responses answered during the loop above went out together: one send (and one wake-up
    // of the client) for a burst of pipelined requests instead of one per response.
    if (!m_corked.isEmpty())
        writeParts({});
    // "100 Continue" only once the request that asked for it is the next to be answered:
    // written while an earlier response or stream is still going, it would land inside it.
    // (If the client sends the body without waiting, the parser drops the expectation.)
    if (!m_active && !m_closing && !m_gone && !m_parser.hasRequest()
        && m_parser.state() == HttpRequestParser::State::Ok && m_parser.takeExpectContinue()) {
        writeRaw(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    }
    if (m_pausedReading && !m_closing && !m_gone && m_parser.pendingCount() < m_limits.maxPipelinedRequests) {
        m_pausedReading = false;
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
    }
    updateTimers();
}

void HttpConnection::dispatch(HttpRequest request)
{
    m_firstRequest = false;
    request.peerAddress = m_peerAddress;
    request.peerPort = m_peerPort;
    request.secure = m_secure;
    request.connectionId = m_id;
    auto *responder = new HttpResponder(this, std::move(request), RequestContext());
    m_active = responder;
    m_activeChunked = false;
    m_closeAfterActive = false;
    updateTimers();
    m_server->handle(responder);
    if (responder->isStreaming()) {
        // The handler has read what the stream needs; the stream may stay open for hours.
        HttpRequest &held = responder->m_request;
        held.headers = HttpHeaders();
        held.body = QByteArray();
        held.target = QByteArray();
        held.query = QByteArray();
        responder->m_context.responseHeaders = HttpHeaders();
    }
}

void HttpConnection::updateTimers()
{
    if (m_closing || m_gone || m_active) {
        m_requestTimer.stop();
        m_idleTimer.stop();
        return;
    }
    if (m_parser.inMessage()) {
        m_idleTimer.stop();
        // A total deadline from the first byte: trickling bytes does not extend it (slowloris).
        if (!m_requestTimer.isActive())
            core::startOwnedTimer(m_requestTimer, m_limits.requestTimeoutMs, this);
    } else {
        m_requestTimer.stop();
        if (!m_idleTimer.isActive())
            core::startOwnedTimer(
                m_idleTimer, m_firstRequest ? m_limits.requestTimeoutMs : m_limits.idleTimeoutMs, this);
    }
}

void HttpConnection::onRequestTimeout()
{
    if (m_active || m_closing)
        return;
    qCDebug(lcHttp) << "connection" << m_id << "request timed out";
    sendErrorAndClose(HttpResponse::error(408, QByteArrayLiteral("timeout"),
        QStringLiteral("Request headers and body must arrive within %1 ms.").arg(m_limits.requestTimeoutMs)));
}

void HttpConnection::onIdleTimeout()
{
    if (m_active || m_closing)
        return;
    if (m_firstRequest) {
        // Connected but never sent a request in time: count it like any other timeout.
        m_server->countResponse(0, QByteArrayLiteral("timeout"));
    }
    closeSoon();
}

QByteArray HttpConnection::serializeHead(int status, const HttpHeaders &headers, const HttpHeaders &extra,
    qint64 contentLength, bool close, bool chunked) const
{
    QByteArray out;
    out.reserve(256);
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    out += "Server: ";
    out += kServerHeader;
    out += "\r\nDate: " + m_server->httpDate() + "\r\n";
    auto append = [&out](const HttpHeaders &list) {
        for (const auto &h : list) {
            out += h.first;
            out += ": ";
            out += h.second;
            out += "\r\n";
        }
    };
    append(headers);
    append(extra);
    if (chunked)
        out += "Transfer-Encoding: chunked\r\n";
    else if (contentLength >= 0)
        out += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    return out;
}

void HttpConnection::writeRaw(const QByteArray &bytes)
{
    writeParts({ QByteArrayView(bytes) });
}

void HttpConnection::corkResponse(const QByteArray &bytes)
{
    if (!m_socket || m_gone)
        return;
    m_server->hotMetrics().bytesOut->inc(quint64(bytes.size()));
    m_corked += bytes;
    if (m_corked.size() >= kMaxCorkedBytes)
        writeParts({});
}

void HttpConnection::writeParts(std::initializer_list<QByteArrayView> parts)
{
    writeParts(parts.begin(), int(parts.size()));
}

void HttpConnection::writeParts(const QByteArrayView *parts, int partCount)
{
    settleBatch(); // bytes handed to the batch go first
    QTcpSocket *socket = m_socket.data();
    if (!socket || m_gone)
        return;
    // Corked responses go first, in the same send.
    const QByteArray corked = std::exchange(m_corked, QByteArray());
    constexpr int kMaxViews = kMaxStreamParts + 3; // corked, chunk size, parts, CRLF
    Q_ASSERT(partCount <= kMaxViews - 1);
    QByteArrayView views[kMaxViews];
    int count = 0;
    qint64 total = 0;
    if (!corked.isEmpty())
        views[count++] = corked;
    for (int i = 0; i < partCount && count < kMaxViews; ++i) {
        if (!parts[i].isEmpty())
            views[count++] = parts[i];
    }
    for (int i = 0; i < count; ++i)
        total += views[i].size();
    if (total == 0)
        return;
    m_server->hotMetrics().bytesOut->inc(quint64(total - corked.size())); // corked: counted when corked

    // Plain TCP with nothing queued in Qt: hand the bytes to the kernel at once, all parts in
    // one sendmsg(). QTcpSocket::write() would copy them into a 32 KiB ring-buffer chunk that
    // the socket then keeps for its lifetime (most of an idle stream's memory), and send them
    // only when the event loop next polls for writability. Whatever the kernel does not take
    // goes through Qt's buffer as before, behind what was sent, so the order is kept; an error
    // other than a full buffer is left for Qt's own write to meet and report as a disconnect.
    qint64 sent = 0;
    if (!m_secure && queuedInQt() == 0 && socket->state() == QAbstractSocket::ConnectedState) {
        // Inside a fan-out (NewsHub::deliver): the batch sends it, sharing the sends of every
        // stream between threads, and finishBatchedSend() queues what the kernel left.
        core::SendBatch *batch = core::SendBatch::current();
        if (batch
            && batch->add(int(socket->socketDescriptor()), views, count, this,
                &HttpConnection::finishBatchedSend)) {
            m_inBatch = true;
            return;
        }
        iovec iov[kMaxViews];
        for (int i = 0; i < count; ++i) {
            iov[i].iov_base = const_cast<char *>(views[i].data());
            iov[i].iov_len = size_t(views[i].size());
        }
        msghdr msg {};
        msg.msg_iov = iov;
        msg.msg_iovlen = size_t(count);
        ssize_t r;
        do {
            r = ::sendmsg(int(socket->socketDescriptor()), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (r < 0 && errno == EINTR);
        if (r > 0)
            sent = r;
        if (sent == total)
            return;
    }
    // Queued behind a full kernel buffer: Qt sends it when the socket is writable again.
    qint64 skip = sent;
    for (int i = 0; i < count; ++i) {
        const QByteArrayView p = views[i];
        if (skip >= p.size()) {
            skip -= p.size();
            continue;
        }
        socket->write(p.data() + skip, p.size() - skip);
        m_queuedInQt = true;
        skip = 0;
    }
}

qint64 HttpConnection::queuedInQt()
{
    // Asked per write of every stream of a fan-out: only a connection that once had to queue
    // in Qt asks Qt, until its queue is empty again.
    if (!m_queuedInQt || !m_socket)
        return 0;
    const qint64 queued = m_socket->bytesToWrite();
    m_queuedInQt = queued > 0;
    return queued;
}

bool HttpConnection::lastBeforeUpgrade() const
{
    // The parser stops after an Upgrade request (we do not switch protocols), so the answer
    // to it is the last on this connection and must say "Connection: close": otherwise the
    // client sends its next request into a connection that is about to close.
    return m_parser.state() == HttpRequestParser::State::Upgrade && !m_parser.hasRequest();
}

void HttpConnection::sendComplete(HttpResponder *responder, HttpResponse response)
{
    const HttpRequest &req = responder->request();
    const bool close = response.closeConnection || !req.keepAlive || m_closing || lastBeforeUpgrade();
    const bool head = req.method == "HEAD";
    // 1xx, 204 and 304 responses carry no body and no Content-Length.
    const bool bodyless = response.status == 204 || response.status == 304 || response.status < 200;
    QByteArray out = serializeHead(response.status, response.headers, responder->context().responseHeaders,
        bodyless ? -1 : response.body.size(), close, false);
    if (!head && !bodyless)
        out += response.body;
    m_server->countResponse(response.status, response.rejectionReason);
    if (m_dispatching && !close)
        corkResponse(out); // sent when processQueue() has answered what it can (or any write)
    else
        writeRaw(out);
    responseDone(responder, HttpResponder::CloseReason::Completed, close);
}

bool HttpConnection::sendStreamHead(HttpResponder *responder, int status, const HttpHeaders &headers)
{
    if (!m_socket || m_gone) {
        responseDone(responder, HttpResponder::CloseReason::PeerClosed, true);
        return false;
    }
    const HttpRequest &req = responder->request();
    m_activeChunked = req.httpMinor >= 1;
    m_closeAfterActive = !m_activeChunked || !req.keepAlive || lastBeforeUpgrade();
    const bool head = req.method == "HEAD";
    m_server->countResponse(status, {});
    writeRaw(serializeHead(status, headers, responder->context().responseHeaders, -1,
        m_closeAfterActive || head, m_activeChunked && !head));
    if (head) {
        responseDone(responder, HttpResponder::CloseReason::Completed, true);
        return false;
    }
    m_streamCounted = true;
    m_server->hotMetrics().streamsOpen->inc();
    m_server->hotMetrics().streamsTotal->inc();
    return true;
}

bool HttpConnection::sendStreamParts(
    HttpResponder *responder, std::initializer_list<QByteArrayView> parts)
{
    if (int(parts.size()) > kMaxStreamParts) {
        qCWarning(lcHttp) << "stream write of" << parts.size() << "parts refused; at most" << kMaxStreamParts;
        return false;
    }
    qsizetype size = 0;
    for (QByteArrayView p : parts)
        size += p.size();
    if (!m_socket || m_gone || size == 0)
        return m_socket && !m_gone;
    qint64 unsent = queuedInQt();
    if (m_secure)
        unsent += static_cast<QSslSocket *>(m_socket.data())->encryptedBytesToWrite();
    // Slow means a backlog: with nothing unsent the client has taken everything so far, and
    // one event larger than the budget (a long stream's final result) must still go out.
    if (unsent > 0 && unsent + size > m_limits.streamBufferBytes) {
        qCInfo(lcHttp) << "connection" << m_id << "from" << m_peerAddress.toString()
                       << "dropped as a slow consumer:" << unsent << "bytes unsent";
        m_server->hotMetrics().slowConsumersDropped->inc();
        responseDone(responder, HttpResponder::CloseReason::SlowConsumer, true);
        abortNow();
        return false;
    }
    // Size line, parts and CRLF go out in one sendmsg() (writeParts) without building a framed
    // copy per event: most of an event's bytes are shared by every stream of the fan-out.
    QByteArrayView views[kMaxStreamParts + 2];
    int count = 0;
    char sizeLine[2 * sizeof(qsizetype) + 2];
    if (m_activeChunked) {
        static constexpr char kHex[] = "0123456789abcdef";
        char *end = sizeLine + sizeof sizeLine;
        char *p = end;
        *--p = '\n';
        *--p = '\r';
        for (auto v = quint64(size); v != 0; v >>= 4)
            *--p = kHex[v & 0xf];
        views[count++] = QByteArrayView(p, end - p);
    }
    for (QByteArrayView part : parts)
        views[count++] = part;
    if (m_activeChunked)
        views[count++] = QByteArrayView("\r\n", 2);
    writeParts(views, count);
    return m_socket && !m_gone;
}

void HttpConnection::sendStreamEnd(HttpResponder *responder)
{
    if (m_activeChunked)
        writeRaw(QByteArrayLiteral("0\r\n\r\n"));
    responseDone(responder, HttpResponder::CloseReason::Completed, m_closeAfterActive);
}

void HttpConnection::responseDone(HttpResponder *responder, HttpResponder::CloseReason reason, bool close)
{
    if (responder->isFinished())
        return;
    if (m_streamCounted && responder == m_active) {
        m_streamCounted = false;
        m_server->hotMetrics().streamsOpen->dec();
    }
    responder->finish(reason);
    responder->deleteLater();
    if (m_active == responder)
        m_active = nullptr;
    if (close) {
        closeSoon();
        return;
    }
    processQueue();
}

void HttpConnection::sendErrorAndClose(const HttpResponse &response, bool head)
{
    if (m_closing || m_gone)
        return;
    HttpResponse r = response;
    r.closeConnection = true;
    m_server->countResponse(r.status, r.rejectionReason);
    QByteArray out = serializeHead(r.status, r.headers, {}, r.body.size(), true, false);
    if (!head)
        out += r.body;
    writeRaw(out);
    lingeringClose();
}

void HttpConnection::refuse(const HttpResponse &response)
{
    sendErrorAndClose(response);
}

void HttpConnection::lingeringClose()
{
    // A refusal (413, 431, 400, ...) usually leaves part of the request unread. Closing the
    // socket with unread input makes the kernel send a RST, which can destroy the response
    // before the client has read it. So flush, half-close our side, and drain whatever the
    // client still sends until it closes or the linger time runs out (RFC 9112 9.6).
    auto *tcp = m_socket.data();
    if (m_closing || m_gone || !tcp || qobject_cast<QSslSocket *>(tcp)) {
        closeSoon(); // TLS needs its own close_notify: a plain close is the right thing there
        return;
    }
    m_closing = true;
    m_draining = true;
    m_requestTimer.stop();
    m_idleTimer.stop();
    core::startOwnedTimer(m_lingerTimer, kLingerMs, this);
    connect(tcp, &QTcpSocket::bytesWritten, this, &HttpConnection::halfCloseWhenFlushed);
    tcp->flush();
    halfCloseWhenFlushed();
    if (tcp->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

void HttpConnection::halfCloseWhenFlushed()
{
    settleBatch(); // what the batch holds goes out (or into Qt's buffer) first
    if (!m_draining || m_halfClosed || !m_socket || m_socket->bytesToWrite() > 0)
        return;
    m_halfClosed = true;
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void HttpConnection::closeSoon()
{
    settleBatch();
    if (m_closing || m_gone)
        return;
    m_closing = true;
    m_requestTimer.stop();
    m_idleTimer.stop();
    if (!m_socket) {
        onDisconnected();
        return;
    }
    if (!m_corked.isEmpty())
        writeParts({}); // answers to earlier pipelined requests, before the close
    // Flush what is queued, then close; a peer that never reads cannot hold us forever.
    core::startOwnedTimer(m_lingerTimer, kLingerMs, this);
    m_socket->disconnectFromHost();
}

void HttpConnection::abortNow()
{
    settleBatch();
    if (m_gone)
        return;
    m_closing = true;
    if (m_socket)
        m_socket->abort();
    onDisconnected();
}

void HttpConnection::shutdown()
{
    if (m_gone)
        return;
    if (m_active) {
        if (m_active->isStreaming()) {
            if (m_activeChunked)
                writeRaw(QByteArrayLiteral("0\r\n\r\n"));
        }
        responseDone(m_active, HttpResponder::CloseReason::ServerShutdown, true);
    }
    closeSoon();
}

void HttpConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_closing = true; // nothing more is dispatched on this connection
    if (m_active)
        responseDone(m_active, HttpResponder::CloseReason::PeerClosed, false);
    m_gone = true;
    m_requestTimer.stop();
    m_idleTimer.stop();
    m_lingerTimer.stop();
    Q_EMIT finished(this);
    deleteLater();
}

} // namespace tw::http
