// One client connection: reads and parses requests, runs them through the server's pipeline
// one at a time (pipelined requests are answered in order), writes responses and streams,
// and enforces the per-connection limits (request timeout, idle timeout, stream budget).
#pragma once

#include "httplimits.h"
#include "httprequestparser.h"
#include "httpresponder.h"

#include <QByteArrayView>
#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QBasicTimer>
#include <QTcpSocket>

#include <deque>
#include <initializer_list>

namespace tw::http {

class HttpServer;

class HttpConnection : public QObject {
    Q_OBJECT
public:
    HttpConnection(QTcpSocket *socket, HttpServer *server, quint64 id);
    ~HttpConnection() override;

    quint64 id() const { return m_id; }
    QHostAddress peerAddress() const { return m_peerAddress; }
    bool isStreaming() const;
    // Ends any stream (closed(ServerShutdown)), flushes and closes.
    void shutdown();
    // Sends `response` at once and closes (used for connections refused at accept time).
    void refuse(const HttpResponse &response);

Q_SIGNALS:
    void finished(tw::http::HttpConnection *connection);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    friend class HttpResponder;
    void onReadyRead();
    void onDisconnected();
    void onRequestTimeout();
    void onIdleTimeout();
    void processQueue();
    void dispatch(HttpRequest request);
    void updateTimers();
    bool lastBeforeUpgrade() const;
    void sendComplete(HttpResponder *responder, HttpResponse response);
    bool sendStreamHead(HttpResponder *responder, int status, const HttpHeaders &headers);
    // One piece of the stream (an SSE event): its parts, in order, framed as one chunk and sent
    // with the chunk's size line and CRLF in one sendmsg() -- never joined into a new buffer.
    bool sendStreamParts(HttpResponder *responder, std::initializer_list<QByteArrayView> parts);
    void sendStreamEnd(HttpResponder *responder);
    void responseDone(HttpResponder *responder, HttpResponder::CloseReason reason, bool close);
    void writeRaw(const QByteArray &bytes);
    // Writes the corked bytes and then the parts in order, straight to the kernel when
    // nothing is queued (plain TCP).
    void writeParts(std::initializer_list<QByteArrayView> parts);
    void writeParts(const QByteArrayView *parts, int count);
    // Most parts a stream write may have (HttpResponder::writeParts): with the corked bytes,
    // the chunk size line and its CRLF, still one small iovec array on the stack.
    static constexpr int kMaxStreamParts = 5;
    // Bytes waiting in QTcpSocket's buffer (writeParts() could not hand them to the kernel).
    qint64 queuedInQt();
    // Sends the open core::SendBatch if it holds bytes of ours: before any other write, a close
    // or a shutdown, so they keep their order.
    void settleBatch();
    static void finishBatchedSend(void *owner, QByteArrayView unsent, int error);
    // Holds a complete response answered while processQueue() runs, for one send at its end.
    void corkResponse(const QByteArray &bytes);
    void sendErrorAndClose(const HttpResponse &response, bool head = false);
    void closeSoon();
    void lingeringClose();
    void halfCloseWhenFlushed();
    void abortNow();
    QByteArray serializeHead(int status, const HttpHeaders &headers, const HttpHeaders &extra,
        qint64 contentLength, bool close, bool chunked) const;

    QPointer<QTcpSocket> m_socket;
    HttpServer *m_server;
    HttpLimits m_limits;
    quint64 m_id;
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;
    bool m_secure = false;
    HttpRequestParser m_parser;
    // QBasicTimers (timerEvent()), not QTimers: a connection holds three, for as long as it is
    // open; as QTimers they were ~1.5 KiB of each idle stream's memory.
    QBasicTimer m_requestTimer;
    QBasicTimer m_idleTimer;
    QPointer<HttpResponder> m_active; // the request being answered
    bool m_activeChunked = false;
    bool m_streamCounted = false; // the active stream is counted in streamsOpen
    bool m_closeAfterActive = false;
    bool m_closing = false; // no more requests will be answered
    bool m_gone = false; // finished() emitted
    bool m_firstRequest = true;
    bool m_pausedReading = false;
    bool m_dispatching = false;
    bool m_draining = false; // refused: reading only to discard, our side half-closed once flushed
    bool m_halfClosed = false;
    qint64 m_drainedBytes = 0;
    QBasicTimer m_lingerTimer; // bounds how long a closing connection may take to flush
    QByteArray m_corked; // responses to pipelined requests, sent together (writeParts)
    bool m_queuedInQt = false; // a write went through QTcpSocket's buffer (queuedInQt())
    bool m_inBatch = false; // the open core::SendBatch holds bytes of ours
    static constexpr qsizetype kMaxCorkedBytes = 64 * 1024;
};

} // namespace tw::http
