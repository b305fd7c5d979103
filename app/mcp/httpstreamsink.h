// The McpSink behind one SSE stream of a session: a POST's response stream (which starts
// by buffering, because the response form is chosen only after McpServer::handle() returns)
// or the session's standalone GET stream. Every event it sends gets an id "<stream>-<seq>"
// and goes to the session's event store, so the stream outlives the HTTP response carrying
// it: when the client goes away the events are still stored, and a GET with Last-Event-ID
// attaches a new response to the same stream, replaying what was missed.
#pragma once

#include "mcpsession.h"
#include "mcpsink.h"

#include <httprequest.h>

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

#include <optional>

namespace tw::http {
class HttpResponder;
class HttpServer;
class SseWriter;
} // namespace tw::http

namespace tw::mcp {

class McpSession;
class StreamSession;

class HttpStreamSink
    : public QObject
    , public McpSink {
    Q_OBJECT
public:
    enum class Kind {
        Post,
        Standalone
    };

    HttpStreamSink(Kind kind, int streamId, StreamSession *session, http::HttpServer *http);
    ~HttpStreamSink() override;

    Kind kind() const { return m_kind; }
    int streamId() const { return m_streamId; }
    quint64 lastSeq() const { return m_seq; }
    QByteArray eventId(quint64 seq) const;
    // An HTTP response is carrying the stream right now.
    bool isAttached() const;
    // Every request on this (POST) stream has ended: nothing more will come.
    bool isCompleted() const { return m_completed; }

    // --- POST: the form is chosen after handle() -------------------------------------------
    void setPostResponder(http::HttpResponder *responder);
    QList<QJsonObject> buffered() const { return m_buffer; }
    // Everything was answered during handle(): one JSON body (an array for a batch).
    // `responsesOnly` drops notifications (the --json-response mode).
    void respondJson(bool batch, bool responsesOnly, const http::HttpHeaders &extraHeaders);
    // --json-response with requests still running: answer with JSON once they complete.
    void respondJsonWhenComplete(bool batch, const http::HttpHeaders &extraHeaders);
    // Switches to SSE: sends the buffered messages as events; ends the stream if
    // `endAfterBuffered` (nothing is pending), else at complete().
    void startSse(const http::HttpHeaders &extraHeaders, bool endAfterBuffered);

    // --- GET: (re)attach -----------------------------------------------------------------------
    // Continues the stream on `responder` (a GET), first replaying stored events after
    // `afterSeq` when given. Returns false if the peer is already gone. `gap` is set when
    // some of those events had already been evicted.
    bool attach(http::HttpResponder *responder, std::optional<quint64> afterSeq,
        const http::HttpHeaders &extraHeaders, bool *gap = nullptr);

    // Server-initiated end of the HTTP response (SSE polling): the stream itself goes on,
    // stored, until the client resumes it.
    void closeResponse();

    void send(const QJsonObject &message) override;
    void sendSerialized(const QByteArray &json) override;
    void complete() override;
    // Not a POST answered in the --json-response mode: a JSON body has no room for requests
    // to the client, so the engine sends those on the standalone GET stream.
    bool carriesServerRequests() const override;

private:
    // Frames `json` as the next event of this stream, stores it for resumption, writes it.
    void emitEvent(const QByteArray &json);
    enum class State {
        Buffering, // inside McpServer::handle()
        JsonPending, // --json-response: collecting answers until complete()
        Streaming, // an SSE response is attached
        Detached, // no response attached; events are stored for a resume
        Done, // a POST answered as JSON, or a completed POST stream
    };

    bool startWriter(http::HttpResponder *responder, const http::HttpHeaders &extraHeaders);
    void writeEvent(const QByteArray &framed);
    void endResponse();
    void dropWriter();
    void onResponderClosed(http::HttpResponder *responder, int reason);
    void armPollTimer();
    bool clientCanResume() const;

    Kind m_kind;
    int m_streamId;
    QPointer<StreamSession> m_session;
    QPointer<McpSession> m_mcpSession;
    http::HttpServer *m_http;
    State m_state;
    quint64 m_seq = 0;
    bool m_completed = false;
    bool m_batch = false;
    bool m_closeRequested = false; // closeResponse() while buffering
    quint64 m_generation = 0; // bumps per attached response, so stale timers do nothing
    QList<QJsonObject> m_buffer;
    http::HttpHeaders m_jsonHeaders;
    QPointer<http::HttpResponder> m_responder;
    QPointer<http::SseWriter> m_writer;
};

} // namespace tw::mcp
