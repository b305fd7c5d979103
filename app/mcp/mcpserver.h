// The MCP protocol engine: JSON-RPC messages in (from any transport), messages out through
// McpSink. Owns sessions, the lifecycle, the registries of tools, resources, templates and
// prompts, and the utilities (ping, logging, pagination, completion, progress, cancellation).
// It never sees a socket or an HTTP header; see README.md for how a transport drives it.
#pragma once

#include "mcpclientrequest.h"
#include "mcpdispatch.h"
#include "mcploglevel.h"
#include "mcpprompt.h"
#include "mcpresource.h"
#include "mcpresourcetemplate.h"
#include "mcpsettings.h"
#include "mcptool.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

#include <memory>

namespace tw::core {
class Counter;
class Gauge;
class MetricsRegistry;
}

namespace tw::mcp {

class JsonRpcMessage;
class McpRequestContext;
class McpSession;
class McpSink;

class McpServer : public QObject {
    Q_OBJECT
public:
    // `metrics` may be null (tests, tools); it must outlive the server.
    explicit McpServer(const McpSettings &settings, core::MetricsRegistry *metrics = nullptr,
        QObject *parent = nullptr);
    ~McpServer() override;

    const McpSettings &settings() const { return m_settings; }
    // Takes effect for sessions initialized afterwards.
    void setStreamingEnabled(bool enabled) { m_settings.streamingEnabled = enabled; }

    // --- Sessions -------------------------------------------------------------------------
    // A fresh session with a 128-bit random id. The HTTP transport creates one for a POST
    // that carries initialize, and closes it again if it did not end up initialized.
    McpSession *createSession();
    McpSession *session(const QString &id) const;
    // Cancels the session's in-flight requests (no responses) and deletes it.
    void closeSession(const QString &id);
    int sessionCount() const { return static_cast<int>(m_sessions.size()); }
    QList<McpSession *> sessions() const;

    // --- Transport entry points ------------------------------------------------------------
    // One POST body / stdio line: parses it (-32700 on failure) and dispatches it.
    McpDispatch handle(McpSession *session, const QByteArray &body,
        const std::shared_ptr<McpSink> &sink);
    // An already parsed message or batch (a JSON array).
    McpDispatch handleJson(McpSession *session, const QJsonValue &message,
        const std::shared_ptr<McpSink> &sink);
    // The client disconnected from `sink`'s stream without cancelling (spec: not a cancel).
    // Its requests keep running, still writing to the sink so a resumed stream can replay
    // them, for settings().abandonGraceMs; then they are cancelled and freed.
    void abandonSink(const McpSink *sink);
    // The client resumed `sink`'s stream in time: the grace period stops.
    void resumeSink(const McpSink *sink);
    // Requests still running that write to `sink`.
    int pendingRequests(const McpSink *sink) const { return m_pendingBySink.value(sink); }

    // --- Registries (each change sends notifications/*/list_changed, coalesced) -------------
    bool registerTool(const McpTool &tool); // replaces a tool of the same name
    bool removeTool(const QString &name);
    bool registerResource(const McpResource &resource);
    bool removeResource(const QString &uri);
    bool registerResourceTemplate(const McpResourceTemplate &resourceTemplate);
    bool removeResourceTemplate(const QString &uriTemplate);
    bool registerPrompt(const McpPrompt &prompt);
    bool removePrompt(const QString &name);
    int toolCount() const { return static_cast<int>(m_tools.size()); }

    // --- Server-originated messages --------------------------------------------------------
    // notifications/resources/updated to every session subscribed to `uri`.
    void notifyResourceUpdated(const QString &uri);
    // notifications/message to `session` (or every initialized session), level-filtered,
    // on the session sink: for events tied to no request.
    void log(McpLogLevel::Level level, const QJsonValue &data, const QString &logger = {},
        McpSession *session = nullptr);
    // A request to `session`'s client tied to no request of its own (roots/list when the
    // client says notifications/roots/list_changed, a ping), on the session sink. Same rules
    // and callback as McpRequestContext::sendRequest(); it ends with the session (no
    // notification then), by timeout, or by McpClientRequest::cancel().
    McpClientRequest *sendRequest(McpSession *session, const QString &method,
        const QJsonObject &params, McpClientRequest::Callback callback, int timeoutMs = -1);

Q_SIGNALS:
    void sessionInitialized(tw::mcp::McpSession *session);
    // The client sent notifications/initialized: from now on it may be sent requests.
    void clientReady(tw::mcp::McpSession *session);
    void sessionClosed(const QString &id);

private:
    friend class McpClientRequest;
    friend class McpRequestContext;
    enum class ListKind { Tools, Resources, Prompts };

    McpDispatch dispatchOne(McpSession *session, const QJsonValue &value,
        const std::shared_ptr<McpSink> &sink, bool inBatch);
    void handleRequest(McpSession *session, const JsonRpcMessage &message,
        const std::shared_ptr<McpSink> &sink);
    void handleNotification(McpSession *session, const JsonRpcMessage &message);
    void handleResponse(McpSession *session, const JsonRpcMessage &message);
    void handleInitialize(McpSession *session, const JsonRpcMessage &message, McpSink *sink);

    void callTool(McpRequestContext *ctx);
    void readResource(McpRequestContext *ctx);
    void getPrompt(McpRequestContext *ctx);
    void complete(McpRequestContext *ctx);
    void setLogLevel(McpRequestContext *ctx);
    void subscribe(McpRequestContext *ctx, bool on);
    void listPage(McpRequestContext *ctx, const QString &list, const QString &key,
        const QList<QJsonObject> &items);

    QJsonObject capabilities(const QString &version) const;
    QJsonObject toolJson(const McpTool &tool) const;
    QJsonObject resourceJson(const McpResource &resource) const;
    QJsonObject templateJson(const McpResourceTemplate &t) const;
    QJsonObject promptJson(const McpPrompt &prompt) const;
    bool knowsResource(const QString &uri) const;

    // Called by McpRequestContext.
    void deliverForRequest(McpRequestContext *ctx, const QJsonObject &message, bool isResponse);
    void deliverSerializedForRequest(McpRequestContext *ctx, const QByteArray &notificationJson);
    void requestEnded(McpRequestContext *ctx);
    McpClientRequest *sendClientRequest(McpSession *session, McpRequestContext *origin,
        const QString &method, const QJsonObject &params, McpClientRequest::Callback callback,
        int timeoutMs);
    // Cancels the server->client requests `origin` sent (it is ending), telling the client.
    void cancelClientRequests(McpRequestContext *origin, const QString &reason);
    // Called by McpClientRequest::settle(): forget it; tell the client if `cancelReason`.
    void clientRequestEnded(McpClientRequest *request, const QString &cancelReason);
    void sendOn(McpSink *sink, const QJsonObject &message);
    void sendToSession(McpSession *session, const QJsonObject &message);
    void scheduleListChanged(ListKind kind);
    void flushListChanged();

    McpSettings m_settings;
    QHash<QString, McpSession *> m_sessions;

    QList<McpTool> m_tools;
    QList<McpResource> m_resources;
    QList<McpResourceTemplate> m_templates;
    QList<McpPrompt> m_prompts;
    bool m_toolsChanged = false;
    bool m_resourcesChanged = false;
    bool m_promptsChanged = false;
    bool m_listChangedScheduled = false;

    QHash<const McpSink *, int> m_pendingBySink;
    // Set while handle() runs, to tell Answered from Pending and notice streamed output.
    const McpSink *m_dispatchSink = nullptr;
    bool m_dispatchStreamed = false;
    QList<QPointer<McpRequestContext>> m_dispatchContexts;

    core::Gauge *m_inFlightGauge = nullptr;
    core::Gauge *m_sessionsGauge = nullptr;
    core::Counter *m_completed = nullptr;
    core::Counter *m_cancelled = nullptr;
    core::Counter *m_expired = nullptr;
};

} // namespace tw::mcp
