// A request the server sends to the client (sampling/createMessage, elicitation/create,
// roots/list, ping, ...) and waits on. Made by McpRequestContext::sendRequest() (tied to the
// request being handled: it travels on that request's stream and ends with it) or
// McpServer::sendRequest() (tied to the session only: it travels on the session sink).
// The engine owns it and deletes it (deleteLater) once it has settled; keep a QPointer.
//
// The callback runs exactly once, with the client's result or error, or with a reply the
// engine made up: Timeout, Cancelled (the originating request ended, the session closed, or
// cancel() was called) or Refused (never sent: the client did not declare the capability the
// method needs, has not finished initializing, or there is no stream to reach it). A refusal
// runs the callback before sendRequest() returns (which then returns null); everything else
// runs it later, from the event loop or from inside McpServer::handle().
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

class QTimer;

namespace tw::mcp {

class McpRequestContext;
class McpServer;
class McpSession;
class McpSink;

struct McpClientReply {
    enum class Status {
        Result, // the client answered with a result (`result`)
        Error, // the client answered with a JSON-RPC error (errorCode / errorMessage / errorData)
        Timeout, // no answer in time; notifications/cancelled was sent to the client
        Cancelled, // the originating request ended, the session closed, or cancel() was called
        Refused, // never sent; errorMessage says why
    };
    // errorCode for the replies the engine makes up (Error carries the client's own code).
    static constexpr int TimeoutCode = -32001;
    static constexpr int CancelledCode = -32800;
    static constexpr int RefusedCode = -32600;

    Status status = Status::Result;
    QJsonObject result;
    int errorCode = 0;
    QString errorMessage;
    QJsonValue errorData = QJsonValue(QJsonValue::Undefined);

    bool isResult() const { return status == Status::Result; }
};

class McpClientRequest : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const McpClientReply &reply)>;

    ~McpClientRequest() override;

    // "s-<n>": unique within the session (the engine's ids never collide with the client's:
    // each side numbers its own requests).
    QJsonValue id() const { return m_id; }
    QString method() const { return m_method; }
    QJsonObject params() const { return m_params; }
    McpSession *session() const { return m_session; }
    // The request whose handler sent this one; null for a session-level request.
    McpRequestContext *origin() const;
    bool isDone() const { return m_done; }

    // Stop waiting: notifications/cancelled goes to the client and the callback gets
    // Status::Cancelled. Nothing happens once done.
    void cancel(const QString &reason = {});

    // Why a client with `clientCapabilities` (from initialize) cannot take `method` with
    // `params`; empty when it can. sampling/createMessage needs `sampling` (and
    // `sampling.tools` when params carry tools, `sampling.context` for includeContext other
    // than "none"), elicitation/create needs `elicitation` (`elicitation.url` for mode "url"),
    // roots/list needs `roots`. Other methods need nothing.
    static QString missingCapability(const QJsonObject &clientCapabilities, const QString &method,
        const QJsonObject &params);

Q_SIGNALS:
    // After the callback ran, however the request ended.
    void done();

private:
    friend class McpServer;
    McpClientRequest(McpServer *server, McpSession *session, McpRequestContext *origin,
        std::shared_ptr<McpSink> sink, const QJsonValue &id, const QString &method,
        const QJsonObject &params, Callback callback);

    void startTimeout(int ms);
    // Ends the request with `reply`; with a non-empty `cancelReason` the client is told with
    // notifications/cancelled first.
    void settle(const McpClientReply &reply, const QString &cancelReason = {});

    McpServer *m_server;
    McpSession *m_session;
    QPointer<McpRequestContext> m_origin;
    std::shared_ptr<McpSink> m_sink; // the stream it went out on; notifications/cancelled follow it
    QJsonValue m_id;
    QString m_method;
    QJsonObject m_params;
    Callback m_callback;
    QTimer *m_timer = nullptr;
    int m_timeoutMs = 0;
    bool m_done = false;
};

} // namespace tw::mcp
