// One request in flight on an McpClient: the handle request() returns. It reports progress,
// resumption attempts and its outcome (exactly once, then it deletes itself later), and can be
// cancelled. Keep a QPointer to it: it goes away after done().
#pragma once

#include "mcpprogress.h"
#include "mcpresponse.h"
#include "sseparser.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

class QNetworkReply;

namespace tw::client {

class McpClient;

class McpCall : public QObject {
    Q_OBJECT
public:
    ~McpCall() override;

    qint64 id() const { return m_id; }
    QString method() const { return m_method; }
    bool isDone() const { return m_done; }
    const McpResponse &response() const { return m_response; }

    // Tells the server (notifications/cancelled for this id), drops the stream and reports
    // McpError::Kind::Cancelled locally. No-op once done.
    void cancel(const QString &reason = {});

Q_SIGNALS:
    void progress(const tw::client::McpProgress &progress);
    // The response stream was lost before the answer; resuming (GET + Last-Event-ID) in
    // delayMs (what a user is told: "retry in 2 s").
    void resuming(int attempt, int delayMs);
    void done(const tw::client::McpResponse &response);

private:
    friend class McpClient;
    McpCall(McpClient *client, qint64 id, const QString &method, const QJsonObject &message);

    QPointer<McpClient> m_client;
    qint64 m_id;
    QString m_method;
    QJsonObject m_message; // kept to resend it after a re-initialize
    QString m_progressToken;
    bool m_internal = false; // initialize: sent without a session, never queued
    bool m_sent = false;
    bool m_done = false;
    bool m_retriedAfter404 = false;
    McpResponse m_response;
    QTimer m_timeout;

    // The HTTP exchange that should carry the answer (POST, then resumed GETs).
    QPointer<QNetworkReply> m_reply;
    bool m_headersSeen = false;
    bool m_isSse = false;
    bool m_isResume = false;
    SseParser m_parser;
    QByteArray m_lastEventId;
    int m_retryMs = -1; // the server's retry: hint
    int m_resumeAttempts = 0;
};

} // namespace tw::client
