// The Streamable HTTP transport's state for one MCP session: its event store, its streams
// by number (0 = the standalone GET stream, 1.. = POST streams), which stream carries which
// request (for a server-initiated close), and when the client was last heard from. The
// engine's McpSession holds the protocol state; this holds the wire state.
#pragma once

#include "eventstore.h"
#include "mcpsession.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>

namespace tw::http {
class HttpResponder;
}

namespace tw::mcp {

class HttpStreamSink;
class McpSession;
class StreamableHttpTransport;

class StreamSession : public QObject {
    Q_OBJECT
public:
    StreamSession(McpSession *session, StreamableHttpTransport *transport);
    ~StreamSession() override;

    QString id() const { return m_id; }
    McpSession *mcpSession() const { return m_session; }
    // The short id of the API key that created the session (empty without keys): only requests
    // authenticated with the same key may use it, so a leaked session id is worth nothing to a
    // holder of another key (MCP security best practice: bind sessions to the user).
    QByteArray ownerKeyId() const { return m_ownerKeyId; }
    void setOwnerKeyId(const QByteArray &keyId) { m_ownerKeyId = keyId; }
    StreamableHttpTransport *transport() const { return m_transport; }

    // A new POST stream, buffering until the transport picks the response form.
    std::shared_ptr<HttpStreamSink> newPostStream(http::HttpResponder *responder);
    // The standalone stream (created and installed as the session sink on first use).
    std::shared_ptr<HttpStreamSink> standalone();
    bool hasStandalone() const { return m_standalone != nullptr; }
    // A stream that is still alive (its requests running, or the standalone stream).
    std::shared_ptr<HttpStreamSink> stream(int streamId) const;
    // Whether `streamId` was a stream of this session we still remember, and its last seq.
    bool knowsStream(int streamId, quint64 *lastSeq) const;

    // Called by the sinks for every event they send.
    void recordEvent(int streamId, quint64 seq, const QByteArray &framed);
    EventStore &store() { return m_store; }
    const EventStore &store() const { return m_store; }

    void trackRequest(const QString &idKey, const std::shared_ptr<HttpStreamSink> &sink);
    std::shared_ptr<HttpStreamSink> streamForRequest(const QString &idKey) const;

    void touch();
    // No request, no open stream and nothing from the client for `timeoutMs`.
    bool isIdle(qint64 nowMs, qint64 timeoutMs) const;
    // Forgets streams that ended and whose events have all been evicted.
    void prune(qint64 nowMs);
    int trackedCount() const { return int(m_streams.size() + m_requests.size()); }

private:
    void forgetFinished();
    // Every POST adds a stream record and its request ids; a client sending tens of thousands
    // of requests a second would otherwise pile them up until the next sweep (up to 30 s).
    void forgetFinishedIfGrown();

    struct StreamRecord {
        std::weak_ptr<HttpStreamSink> sink;
        quint64 lastSeq = 0;
    };

    QString m_id;
    QPointer<McpSession> m_session;
    StreamableHttpTransport *m_transport;
    EventStore m_store;
    int m_nextStreamId = 1;
    QHash<int, StreamRecord> m_streams;
    QHash<QString, std::weak_ptr<HttpStreamSink>> m_requests;
    qsizetype m_forgetAt = 64; // m_streams + m_requests size that triggers forgetFinished()
    std::shared_ptr<HttpStreamSink> m_standalone;
    qint64 m_lastSeenMs = 0;
    QByteArray m_ownerKeyId;
};

} // namespace tw::mcp
