// One Server-Sent Events stream over QNetworkAccessManager: reads chunk by chunk as bytes arrive,
// reconnects with Last-Event-ID (after the server's retry, or with backoff and jitter after a
// network error), an idle watchdog, and clear terminal states (204 = Closed, an HTTP error or a
// wrong content type = Failed). Each stream has its own QNetworkAccessManager, so a long-lived
// stream never takes one of the connections that a shared manager's requests queue for.
#pragma once

#include "sseparser.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace tw::client {

class SseStream : public QObject {
    Q_OBJECT
public:
    enum class State {
        Connecting, // start() was called; the first response has not arrived yet
        Open, // 200 with text/event-stream: events flow
        Reconnecting, // the connection was lost; a reconnect is scheduled or under way
        Closed, // not started, stopped, or the server answered 204 (no reconnect)
        Failed, // an HTTP error, a wrong content type, or too many reconnects (no reconnect)
    };
    Q_ENUM(State)

    explicit SseStream(const QUrl &url, QObject *parent = nullptr);
    ~SseStream() override;

    QUrl url() const { return m_url; }
    void setUrl(const QUrl &url) { m_url = url; }

    // Extra request headers (API key, Mcp-Session-Id, MCP-Protocol-Version, ...), sent on every
    // request including reconnects. Setting an existing name replaces it; an empty value removes
    // it. A header named like one of the defaults (e.g. Accept) replaces the default.
    void setRawHeader(const QByteArray &name, const QByteArray &value);
    QByteArray rawHeader(const QByteArray &name) const;

    // The request method and body: GET without a body by default. MCP's POST requests that
    // answer with an SSE stream use "POST" and the JSON-RPC body.
    void setMethod(const QByteArray &method) { m_method = method; }
    void setBody(const QByteArray &body,
        const QByteArray &contentType = QByteArrayLiteral("application/json"));
    // When true, reconnects after the first request are GETs without a body (MCP resumes an
    // interrupted POST stream with GET + Last-Event-ID). Off by default: reconnects repeat the
    // request as set.
    void setResumeWithGet(bool on) { m_resumeWithGet = on; }

    // No bytes (events, comments, heartbeats) for this long, whether waiting for the response or
    // while open, means the connection is lost: abort and reconnect. 0 disables the watchdog.
    void setIdleTimeoutMs(int ms) { m_idleTimeoutMs = ms; }
    int idleTimeoutMs() const { return m_idleTimeoutMs; }
    // The reconnection time used after an open stream ends, until the server sends "retry:".
    void setReconnectDelayMs(int ms) { m_reconnectDelayMs = ms; }
    int reconnectDelayMs() const { return m_reconnectDelayMs; }
    // Backoff after failed connection attempts (no response, connection refused, ...):
    // min(max, initial * 2^(n-1)), with jitter taking it down by up to a half.
    void setBackoff(int initialMs, int maxMs);
    // Consecutive reconnects without reaching Open before giving up (Failed); -1 = no limit.
    void setMaxReconnectAttempts(int attempts) { m_maxReconnectAttempts = attempts; }
    int maxReconnectAttempts() const { return m_maxReconnectAttempts; }

    // Connects (state Connecting). No effect while already Connecting, Open or Reconnecting.
    void start();
    // Aborts at once; never reconnects, even if a reconnect is pending. State Closed.
    void stop();

    State state() const { return m_state; }
    // The last event ID buffer, sent as Last-Event-ID on reconnects.
    QByteArray lastEventId() const { return m_parser.lastEventId(); }
    // Seeds the Last-Event-ID of the next connection (e.g. resuming a stream another object read).
    void setLastEventId(const QByteArray &id) { m_parser.setLastEventId(id); }
    // The last error message (also emitted by error()).
    QString errorString() const { return m_errorString; }
    // The HTTP status and headers of the latest response (valid from Open, Closed or Failed on).
    int httpStatus() const { return m_httpStatus; }
    QByteArray responseHeader(const QByteArray &name) const;
    // Requests made since start() (the first one and each reconnect).
    int requestCount() const { return m_requestCount; }

Q_SIGNALS:
    void event(const tw::client::SseEvent &event);
    void stateChanged(tw::client::SseStream::State state);
    // Fatal errors (state Failed) and lost connections (followed by a reconnect).
    void error(const QString &message);
    void reconnectScheduled(int ms);

private:
    void openConnection();
    void onMetaDataChanged();
    void onReadyRead();
    void onFinished();
    bool takeResponseBytes(quint64 generation);
    void onIdleTimeout();
    bool checkResponse(); // false if the reply was dropped (terminal state or not ready)
    void connectionLost(const QString &why);
    void scheduleReconnect(int ms);
    void fail(const QString &message);
    void dropReply();
    void setState(State state);
    void armWatchdog();
    QString httpErrorMessage(int status, const QByteArray &body) const;

    QUrl m_url;
    QNetworkAccessManager *m_manager = nullptr;
    QPointer<QNetworkReply> m_reply;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_method = QByteArrayLiteral("GET");
    QByteArray m_body;
    QByteArray m_bodyContentType;
    bool m_resumeWithGet = false;

    int m_idleTimeoutMs = 45000;
    int m_reconnectDelayMs = 3000;
    int m_backoffInitialMs = 1000;
    int m_backoffMaxMs = 30000;
    int m_maxReconnectAttempts = -1;

    SseParser m_parser;
    QTimer m_watchdog;
    QTimer m_reconnectTimer;
    State m_state = State::Closed;
    bool m_responseChecked = false; // the current reply's status and content type were checked
    bool m_errorResponse = false; // the current reply is an HTTP error: collect its body
    QByteArray m_errorBody;
    QList<QPair<QByteArray, QByteArray>> m_responseHeaders;
    int m_httpStatus = 0;
    int m_failedAttempts = 0; // consecutive attempts that never reached Open
    int m_reconnects = 0; // consecutive reconnects without reaching Open
    int m_requestCount = 0;
    quint64 m_generation = 0; // bumped whenever the current reply is dropped
    QString m_errorString;
};

} // namespace tw::client
