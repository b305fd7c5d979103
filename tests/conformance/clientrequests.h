// TEST FIXTURE ONLY (tw-conformance-server) -- not part of any Tickerwire product.
//
// Server->client JSON-RPC requests (sampling/createMessage, elicitation/create) for the
// conformance scenarios that need them, built around the engine because McpServer has no API
// for them yet: McpRequestContext can only send notifications on a request's stream, and
// McpServer::dispatchOne() drops every response a client sends. Until the engine grows
// McpRequestContext::sendRequest(), this helper
//  - writes the request straight to the session's standalone stream (the GET stream;
//    McpSession::sink()), with an id of its own ("tw-fixture-N"), and
//  - watches POST bodies through a pipeline step (middleware()) for the client's response to
//    that id, and hands it to the waiting tool. The step never answers: the transport still
//    takes the body to the engine, which ignores the response and lets the transport reply 202.
// Known deviation from the spec: requests tied to a tool call SHOULD travel on that call's
// POST stream, not the GET stream. The conformance client accepts either.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

namespace tw::http {
class Middleware;
}
namespace tw::mcp {
class McpSession;
}

namespace tw::conformance {

class ClientRequests : public QObject {
    Q_OBJECT
public:
    // The client's JSON-RPC response object (with "result" or "error"); a synthesized
    // error object when nothing came back in time or no stream was there to send on.
    using Callback = std::function<void(const QJsonObject &response)>;

    explicit ClientRequests(QObject *parent = nullptr);
    ~ClientRequests() override;

    // Sends `method` to the client of `session`, waiting up to waitForStreamMs for the client
    // to open its GET stream first. `callback` runs once, unless `owner` (the tool's request
    // context) is destroyed before; the session must outlive the call or `owner`.
    void send(mcp::McpSession *session, const QString &method, const QJsonObject &params,
        QObject *owner, Callback callback, int timeoutMs = 10000, int waitForStreamMs = 3000);

    // The pipeline step that notices the client's responses; add it to the HttpServer before
    // the transport is constructed.
    std::shared_ptr<http::Middleware> middleware();

    // Called by the step with one parsed JSON-RPC message from a POST body.
    void noticeClientMessage(const QJsonObject &message);

private:
    struct Pending {
        QPointer<QObject> owner;
        Callback callback;
    };
    void trySend(QPointer<mcp::McpSession> session, const QJsonObject &request, qint64 deadlineMs);
    void settle(const QString &id, const QJsonObject &response);

    QHash<QString, Pending> m_pending;
    quint64 m_nextId = 1;
};

} // namespace tw::conformance
