// Builds the running server from a ServerConfig: metrics, the news hub and its providers, the
// MCP engine with the market-news tools, the HTTP server with its security pipeline, the
// routes (incl. the browser bridge /api/mcp/stream-news) and the MCP Streamable HTTP
// transport at /mcp. Owned by tickerwire-server's main (and, later, by the GUI's
// server thread). start() refuses unsafe configurations with a message that says what to do.
#pragma once

#include "serverconfig.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>

#include <memory>

namespace tw::core {
class MetricsRegistry;
}
namespace tw::http {
class ApiKeyStore;
class HttpServer;
class OriginPolicy;
} // namespace tw::http
namespace tw::mcp {
class McpServer;
class StdioTransport;
class StreamableHttpTransport;
} // namespace tw::mcp

namespace tw::news {
class DemoProvider;
class MarketTools;
class NewsBridge;
class NewsHub;
} // namespace tw::news

namespace tw::server {

// "localhost", an IPv4/IPv6 literal or a bracketed IPv6 literal; a null address if none of
// those (what --host and the GUI's listen-address field accept).
QHostAddress parseBindAddress(const QString &host);

class ServerRuntime : public QObject {
    Q_OBJECT
public:
    explicit ServerRuntime(ServerConfig config, QObject *parent = nullptr);
    ~ServerRuntime() override;

    // Validates the configuration, loads keys and TLS material, listens. On failure returns
    // false and sets *error to a message for the operator (never containing a secret).
    bool start(QString *error);
    // Serves MCP on stdin/stdout (no HTTP, no port): the transport for clients that launch the
    // server as a command. stdioFinished() is emitted at end of input or on stop().
    bool startStdio(QString *error);
    // Ends every stream cleanly and closes every connection (or the stdio session).
    void stop();

    bool isRunning() const;
    QString url() const; // "http://127.0.0.1:8750"
    const ServerConfig &config() const { return m_config; }
    bool authRequired() const;
    http::HttpServer *httpServer() const { return m_http.get(); }
    core::MetricsRegistry *metrics() const { return m_metrics.get(); }
    // The MCP engine: valid from construction, before and without start(), so tools can be
    // registered first and the stdio transport can drive it with no HTTP at all.
    mcp::McpServer *mcpServer() const { return m_mcp.get(); }
    // The /mcp transport: null until start() has built the HTTP server.
    mcp::StreamableHttpTransport *mcpTransport() const { return m_transport.get(); }
    // The news hub (valid from construction; providers start with start()/startStdio()).
    news::NewsHub *newsHub() const { return m_hub.get(); }
    // The demo provider when "demo" is among the providers, else null.
    news::DemoProvider *demoProvider() const { return m_demo; }
    news::NewsBridge *newsBridge() const { return m_bridge.get(); }

Q_SIGNALS:
    void stdioFinished();

private:
    void installRoutes();
    void installProcessMetrics();
    void buildNews();

    ServerConfig m_config;
    // Declaration order is destruction order in reverse: the transport goes first (it closes
    // its sessions on the engine and ends their streams on the HTTP server), metrics last.
    std::unique_ptr<core::MetricsRegistry> m_metrics;
    std::unique_ptr<news::NewsHub> m_hub; // owns the providers
    news::DemoProvider *m_demo = nullptr;
    std::unique_ptr<mcp::McpServer> m_mcp;
    std::unique_ptr<news::MarketTools> m_tools;
    std::unique_ptr<http::ApiKeyStore> m_keys;
    std::unique_ptr<http::OriginPolicy> m_origins;
    std::unique_ptr<http::HttpServer> m_http;
    std::unique_ptr<news::NewsBridge> m_bridge;
    std::unique_ptr<mcp::StreamableHttpTransport> m_transport;
    std::unique_ptr<mcp::StdioTransport> m_stdio;
    QElapsedTimer m_uptime;
};

} // namespace tw::server
