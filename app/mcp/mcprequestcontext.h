// Everything one request's handler may do: read its arguments, report progress, log, send
// related notifications, ask the client (sampling, elicitation, roots), notice cancellation,
// and answer exactly once. The engine owns it
// and deletes it (deleteLater) once the request is done, so a handler that answers later
// keeps a QPointer or connects its timers/signals with the context as context object.
#pragma once

#include "mcpclientrequest.h"
#include "mcploglevel.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QTimer;

namespace tw::mcp {

class McpServer;
class McpSession;
class McpSink;

class McpRequestContext : public QObject {
    Q_OBJECT
public:
    enum class End { Open, Answered, Cancelled, Expired };

    ~McpRequestContext() override;

    QJsonValue id() const { return m_id; }
    QString method() const { return m_method; }
    QJsonObject params() const { return m_params; }
    // params.arguments (tools/call, prompts/get); empty object when absent.
    QJsonObject arguments() const { return m_params.value(QLatin1String("arguments")).toObject(); }
    McpSession *session() const { return m_session; }
    QString protocolVersion() const;

    QJsonValue progressToken() const { return m_progressToken; }
    bool hasProgressToken() const { return !m_progressToken.isUndefined(); }
    // notifications/progress to the caller. Refused (false) without a progress token, when
    // `progress` is not greater than the last one sent, or once the request is done.
    bool sendProgress(double progress, std::optional<double> total = std::nullopt,
        const QString &message = {});
    // The same notification with `messageJsonString` -- the message as a JSON string literal,
    // quotes included, escaped as QJsonDocument escapes it -- spliced into the serialised
    // notification: byte for byte what sendProgress(progress, {}, message) sends, without a
    // QJsonObject or a second escaping per event (streams of pre-escaped news items).
    bool sendProgressSerialized(double progress, const QByteArray &messageJsonString);
    // The compact JSON of notifications/progress {message, progress, progressToken} as
    // QJsonDocument writes it (keys sorted). `tokenJson` is the token as JSON.
    static QByteArray progressNotificationJson(
        const QByteArray &tokenJson, double progress, const QByteArray &messageJsonString);
    // A notification related to this request, on its stream. False once done.
    bool sendNotification(const QString &method, const QJsonObject &params = {});
    // notifications/message on this request's stream if `level` passes the session's level.
    bool log(McpLogLevel::Level level, const QJsonValue &data, const QString &logger = {});

    // A request to the client on this request's stream (over HTTP: the POST's SSE stream;
    // on the session sink when this stream cannot carry requests), with a fresh id "s-<n>".
    // `callback` runs once with the answer (see McpClientRequest). It is refused -- callback
    // with Status::Refused before this returns, and null returned -- when this request is
    // done, the client has not sent notifications/initialized (ping excepted), did not
    // declare the capability `method` needs, or cannot be reached. It ends with this request:
    // once this request is answered, cancelled or expired, whatever is still pending is
    // cancelled (notifications/cancelled to the client, callback with Status::Cancelled).
    // `timeoutMs` < 0 uses McpSettings::clientRequestTimeoutMs; 0 waits as long as this
    // request lives. On timeout the client gets notifications/cancelled too.
    McpClientRequest *sendRequest(const QString &method, const QJsonObject &params,
        McpClientRequest::Callback callback, int timeoutMs = -1);

    bool isCancelled() const { return m_end == End::Cancelled || m_end == End::Expired; }
    QString cancelReason() const { return m_cancelReason; }
    bool isDone() const { return m_end != End::Open; }
    End end() const { return m_end; }
    // The client went away from its stream; the request is within its grace period.
    bool isAbandoned() const { return m_graceTimer != nullptr; }

    // Answer with a result. Ignored (with a debug log) once done: one response per request.
    void finish(const QJsonObject &result);
    // Answer with a JSON-RPC error.
    void fail(int code, const QString &message, const QJsonValue &data = QJsonValue(QJsonValue::Undefined));
    // tools/call: a tool-level failure the model should read ({content:[text], isError:true}).
    void finishWithToolError(const QString &text);

Q_SIGNALS:
    // The client cancelled (notifications/cancelled), the session closed, or the abandon
    // grace period ran out. No response will be sent; stop work and free resources.
    void cancelled(const QString &reason);
    // Emitted once, however the request ended.
    void done();

private:
    friend class McpServer;
    McpRequestContext(McpServer *server, McpSession *session, std::shared_ptr<McpSink> sink,
        const QJsonValue &id, const QString &method, const QJsonObject &params);

    void deliver(const QJsonObject &message, bool isResponse);
    void respond(const QJsonObject &message);
    void cancel(const QString &reason, End how);
    void startGrace(int ms);
    void stopGrace();

    McpServer *m_server;
    McpSession *m_session;
    std::shared_ptr<McpSink> m_sink;
    QJsonValue m_id;
    QString m_method;
    QJsonObject m_params;
    QJsonValue m_progressToken = QJsonValue(QJsonValue::Undefined);
    // Whether a progress notification may go out now (open, has a token, progress increases);
    // records `progress` when it may.
    bool acceptProgress(double progress);
    std::optional<double> m_lastProgress;
    QByteArray m_progressTokenJson; // m_progressToken as JSON, serialised on first use
    QJsonObject m_outputSchema; // tools/call with an outputSchema: results are checked
    End m_end = End::Open;
    QString m_cancelReason;
    QTimer *m_graceTimer = nullptr;
};

} // namespace tw::mcp
