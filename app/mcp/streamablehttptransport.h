// MCP's Streamable HTTP transport (spec revisions 2025-03-26 .. 2025-11-25) on tw_http's
// server: POST / GET / DELETE at one path (default /mcp). It owns everything the engine must
// not see: Mcp-Session-Id headers, the choice between 202 / application/json / an SSE stream,
// event ids and the per-session event store, Last-Event-ID resumption, idle expiry and the
// session cap. The engine (McpServer) owns the protocol. See README.md and docs/protocol.md.
#pragma once

#include "streamablehttpsettings.h"

#include <QByteArray>
#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

namespace tw::core {
class Counter;
class Gauge;
} // namespace tw::core
namespace tw::http {
class HttpResponder;
class HttpServer;
} // namespace tw::http

namespace tw::mcp {

class McpServer;
class McpSession;
class StreamSession;

class StreamableHttpTransport : public QObject {
    Q_OBJECT
public:
    // Registers POST/GET/DELETE settings.path on `http` and appends the protocol-version
    // step (McpProtocolVersionMiddleware) to its pipeline: construct the transport after the
    // security and JSON-body middleware so that step runs last. Both servers must outlive
    // the transport. Metrics go to http->metrics() when it has a registry.
    StreamableHttpTransport(McpServer *server, http::HttpServer *http,
        const StreamableHttpSettings &settings = {}, QObject *parent = nullptr);
    ~StreamableHttpTransport() override;

    const StreamableHttpSettings &settings() const { return m_settings; }
    McpServer *server() const { return m_server; }

    // Server-initiated close of the SSE stream that carries request `requestId` of session
    // `sessionId` (2025-11-25 "SSE polling", and the conformance suite's test_reconnection
    // tool): the stream ends with the retry hint, the request keeps running, and the client
    // resumes with GET + Last-Event-ID within the engine's grace period. May be called from
    // the tool's handler while it runs. False if no open SSE stream carries that request.
    bool closeRequestStream(const QString &sessionId, const QJsonValue &requestId);

    // Closes sessions idle for longer than settings().sessionIdleTimeoutMs and drops events
    // older than eventStoreMaxAgeMs. Runs on a timer; public for tests and status panels.
    void sweep();

    // Events currently held for resumption, over all sessions.
    int storedEvents() const;
    // Stream and request records kept over all sessions: the open ones, those whose events
    // are still held, and the finished ones not yet forgotten (bounded, not per request).
    int trackedStreams() const;

private:
    friend class StreamSession;

    void handlePost(http::HttpResponder *responder);
    void handleGet(http::HttpResponder *responder);
    void handleDelete(http::HttpResponder *responder);

    // The session named by the request's Mcp-Session-Id; on failure answers 400/404 and
    // returns null.
    StreamSession *sessionFor(http::HttpResponder *responder);
    StreamSession *createSession(http::HttpResponder *responder);
    void onSessionClosed(const QString &id);

    McpServer *m_server;
    http::HttpServer *m_http;
    StreamableHttpSettings m_settings;
    QHash<QString, StreamSession *> m_sessions; // owned (children), by session id
    QTimer m_sweepTimer;

    core::Counter *m_sessionsExpired = nullptr;
    core::Counter *m_sessionsRefused = nullptr;
    core::Counter *m_resumed = nullptr;
    core::Counter *m_replayGaps = nullptr;
    core::Gauge *m_eventsStored = nullptr;
};

} // namespace tw::mcp
