// One client's protocol state: the negotiated version and capabilities, its log level, its
// resource subscriptions, the requests it has in flight (and ours waiting on it), and the sink for messages that
// belong to no request (the HTTP standalone GET stream; stdout for stdio). The transport
// owns ids on the wire (Mcp-Session-Id) and idle expiry; the engine owns this state.
#pragma once

#include "mcploglevel.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>

#include <memory>

namespace tw::mcp {

class McpClientRequest;
class McpRequestContext;
class McpServer;
class McpSink;

class McpSession : public QObject {
    Q_OBJECT
public:
    ~McpSession() override;

    QString id() const { return m_id; }
    // Empty until initialize has been answered.
    QString protocolVersion() const { return m_protocolVersion; }
    bool isInitialized() const { return !m_protocolVersion.isEmpty(); }
    // The client has sent notifications/initialized.
    bool isClientReady() const { return m_clientReady; }
    QJsonObject clientInfo() const { return m_clientInfo; }
    QJsonObject clientCapabilities() const { return m_clientCapabilities; }
    McpLogLevel::Level logLevel() const { return m_logLevel; }
    QSet<QString> subscriptions() const { return m_subscriptions; }
    bool isSubscribed(const QString &uri) const { return m_subscriptions.contains(uri); }
    int inFlightCount() const { return static_cast<int>(m_inFlight.size()); }
    bool isInFlight(const QJsonValue &id) const;
    // Server->client requests still waiting for the client's answer.
    int clientRequestCount() const { return static_cast<int>(m_clientRequests.size()); }
    // When this client last sent a message (for idle expiry), on the clock of nowMs().
    qint64 lastActivityMs() const { return m_lastActivityMs; }
    // Monotonic milliseconds: what session expiry and event-store age are measured in, so a
    // wall-clock jump (NTP step, manual change) neither expires every session at once nor
    // keeps them alive for ever. Not a date: never show it or compare it with one.
    static qint64 nowMs();

    // The stream for messages tied to no request. Null means "nowhere to send": such
    // messages are dropped (the transport may install a buffering sink instead).
    void setSink(std::shared_ptr<McpSink> sink) { m_sink = std::move(sink); }
    std::shared_ptr<McpSink> sink() const { return m_sink; }

private:
    friend class McpServer;
    McpSession(const QString &id, McpLogLevel::Level logLevel, McpServer *server);

    QString m_id;
    QString m_protocolVersion;
    bool m_clientReady = false;
    QJsonObject m_clientInfo;
    QJsonObject m_clientCapabilities;
    McpLogLevel::Level m_logLevel;
    QSet<QString> m_subscriptions;
    QHash<QString, QPointer<McpRequestContext>> m_inFlight; // by JsonRpcMessage::idKey
    QHash<QString, QPointer<McpClientRequest>> m_clientRequests; // ours, by idKey
    quint64 m_nextClientRequestId = 0;
    qint64 m_lastActivityMs = 0;
    std::shared_ptr<McpSink> m_sink;
};

} // namespace tw::mcp
