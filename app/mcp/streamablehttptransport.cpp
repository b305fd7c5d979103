#include "streamablehttptransport.h"

#include "httpstreamsink.h"
#include "jsonrpcmessage.h"
#include "mcpprotocolversionmiddleware.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "streamsession.h"

#include <httpresponder.h>
#include <httpresponse.h>
#include <httpserver.h>
#include <logging.h>
#include <metrics.h>
#include <ssewriter.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

#include <algorithm>

namespace tw::mcp {

namespace {

    const QByteArray kSessionHeader = QByteArrayLiteral("mcp-session-id");

    // Whether an Accept header allows `type` ("application/json"): an exact media range or a
    // wildcard, with a q-value above 0. A missing header allows nothing: the spec requires
    // clients to list both types, and a silent fallback would hide a broken client.
    bool accepts(const QByteArray &accept, const QByteArray &type)
    {
        const QByteArray major = type.left(type.indexOf('/'));
        const QList<QByteArray> ranges = accept.split(',');
        for (const QByteArray &range : ranges) {
            const QList<QByteArray> parts = range.split(';');
            const QByteArray media = parts.first().trimmed().toLower();
            bool excluded = false;
            for (qsizetype i = 1; i < parts.size(); ++i) {
                const QByteArray param = parts.at(i).trimmed().toLower();
                if (param.startsWith("q=")) {
                    bool ok = false;
                    const double q = param.mid(2).toDouble(&ok);
                    excluded = !ok || q <= 0.0;
                }
            }
            if (excluded)
                continue;
            if (media == type || media == "*/*" || media == major + "/*")
                return true;
        }
        return false;
    }

    http::HttpResponse notAcceptable(const QString &what)
    {
        return http::HttpResponse::error(406, QByteArrayLiteral("not_acceptable"),
            QStringLiteral("Not Acceptable: %1").arg(what));
    }

    http::HttpResponse jsonRpcBody(int status, const QJsonObject &message)
    {
        return http::HttpResponse::text(status,
            QJsonDocument(message).toJson(QJsonDocument::Compact),
            QByteArrayLiteral("application/json"));
    }

    bool isRequest(const QJsonValue &v)
    {
        const QJsonObject o = v.toObject();
        return o.contains(QLatin1String("method")) && o.contains(QLatin1String("id"))
            && JsonRpcMessage::isValidId(o.value(QLatin1String("id")));
    }

} // namespace

StreamableHttpTransport::StreamableHttpTransport(McpServer *server, http::HttpServer *http,
    const StreamableHttpSettings &settings, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_http(http)
    , m_settings(settings)
{
    if (core::MetricsRegistry *metrics = http->metrics()) {
        m_sessionsExpired = metrics->counter("tickerwire_mcp_sessions_expired_total",
            "MCP sessions closed after being idle for the session idle timeout.");
        m_sessionsRefused = metrics->counter("tickerwire_mcp_sessions_refused_total",
            "MCP initialize requests refused (503) because the session cap was reached.");
        m_resumed = metrics->counter(
            "tickerwire_mcp_streams_resumed_total", "SSE streams resumed with Last-Event-ID.");
        m_replayGaps = metrics->counter("tickerwire_mcp_replay_gaps_total",
            "Resumptions that could not replay every missed event (evicted from the event store).");
        m_eventsStored = metrics->gauge("tickerwire_mcp_events_stored",
            "SSE events held in the per-session event stores for resumption.");
    }

    // The router has no removal: the handlers check the transport is still there.
    const QPointer<StreamableHttpTransport> self(this);
    auto route = [self](void (StreamableHttpTransport::*handler)(http::HttpResponder *)) {
        return [self, handler](http::HttpResponder *r) {
            if (self)
                (self.data()->*handler)(r);
            else
                r->respond(http::HttpResponse::error(503, QByteArrayLiteral("mcp_unavailable"),
                    QStringLiteral("The MCP endpoint is shutting down.")));
        };
    };
    http::RouteTraits post;
    post.jsonBody = true;
    http::RouteTraits get;
    get.opensStream = true;
    http->router().add(QByteArrayLiteral("POST"), m_settings.path, post,
        route(&StreamableHttpTransport::handlePost));
    http->router().add(
        QByteArrayLiteral("GET"), m_settings.path, get, route(&StreamableHttpTransport::handleGet));
    http->router().add(QByteArrayLiteral("DELETE"), m_settings.path, http::RouteTraits(),
        route(&StreamableHttpTransport::handleDelete));
    http->addMiddleware(std::make_shared<McpProtocolVersionMiddleware>(m_settings.path));

    connect(m_server, &McpServer::sessionClosed, this, &StreamableHttpTransport::onSessionClosed);

    // Often enough that expiry is prompt relative to the timeout, rarely enough to cost nothing.
    const int sweepMs = std::clamp(
        std::min(m_settings.sessionIdleTimeoutMs, m_settings.eventStoreMaxAgeMs) / 4, 50, 30000);
    m_sweepTimer.setInterval(sweepMs);
    connect(&m_sweepTimer, &QTimer::timeout, this, &StreamableHttpTransport::sweep);
    m_sweepTimer.start();
}

StreamableHttpTransport::~StreamableHttpTransport()
{
    disconnect(m_server, nullptr, this, nullptr);
    const QStringList ids = m_sessions.keys();
    for (const QString &id : ids)
        m_server->closeSession(id);
    qDeleteAll(m_sessions);
    m_sessions.clear();
}

int StreamableHttpTransport::storedEvents() const
{
    int n = 0;
    for (const StreamSession *s : m_sessions)
        n += s->store().size();
    return n;
}

int StreamableHttpTransport::trackedStreams() const
{
    int n = 0;
    for (const StreamSession *s : m_sessions)
        n += s->trackedCount();
    return n;
}

// --- POST ---------------------------------------------------------------------------------

void StreamableHttpTransport::handlePost(http::HttpResponder *responder)
{
    const http::HttpRequest &req = responder->request();
    const QByteArray accept = req.header(QByteArrayLiteral("accept"));
    if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
        responder->respond(notAcceptable(QStringLiteral(
            "a POST must send 'Accept: application/json, text/event-stream' (the server answers "
            "with either).")));
        return;
    }
    const QJsonDocument &doc = responder->context().jsonBody;
    const QJsonValue body = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    const bool isInitialize = doc.isObject() && isRequest(body)
        && body.toObject().value(QLatin1String("method")).toString() == QLatin1String("initialize");

    StreamSession *session = nullptr;
    bool created = false;
    if (isInitialize && !req.hasHeader(kSessionHeader)) {
        session = createSession(responder);
        created = true;
    } else {
        session = sessionFor(responder);
    }
    if (!session)
        return;
    session->touch();
    McpSession *mcpSession = session->mcpSession();
    const QString sessionId = session->id();

    const std::shared_ptr<HttpStreamSink> sink = session->newPostStream(responder);
    const QJsonArray messages = body.isArray() ? body.toArray() : QJsonArray { body };
    for (const QJsonValue &m : messages)
        if (isRequest(m))
            session->trackRequest(
                JsonRpcMessage::idKey(m.toObject().value(QLatin1String("id"))), sink);

    const McpDispatch d = m_server->handleJson(mcpSession, body, sink);

    const bool initialized = mcpSession && mcpSession->isInitialized();
    http::HttpHeaders extra;
    if (created && initialized)
        extra.append({ kSessionHeader, sessionId.toLatin1() });

    switch (d.outcome) {
    case McpDispatch::Outcome::Accepted: {
        http::HttpResponse r = http::HttpResponse::noContent(202);
        responder->respond(std::move(r));
        break;
    }
    case McpDispatch::Outcome::Rejected: {
        const QList<QJsonObject> errors = sink->buffered();
        responder->respond(errors.isEmpty()
                ? http::HttpResponse::error(400, QByteArrayLiteral("invalid_request"),
                    QStringLiteral("Invalid Request."), JsonRpcMessage::InvalidRequest)
                : jsonRpcBody(400, errors.first()));
        break;
    }
    case McpDispatch::Outcome::Answered:
        if (!d.streamed || m_settings.jsonResponse)
            sink->respondJson(d.batch, m_settings.jsonResponse, extra);
        else
            sink->startSse(extra, true);
        break;
    case McpDispatch::Outcome::Pending:
        if (m_settings.jsonResponse)
            sink->respondJsonWhenComplete(d.batch, extra);
        else
            sink->startSse(extra, false);
        break;
    }

    // An initialize that failed leaves nothing behind: the client may try again.
    if (created && !initialized)
        m_server->closeSession(sessionId);
}

// --- GET ----------------------------------------------------------------------------------

void StreamableHttpTransport::handleGet(http::HttpResponder *responder)
{
    const http::HttpRequest &req = responder->request();
    if (!accepts(req.header(QByteArrayLiteral("accept")), "text/event-stream")) {
        responder->respond(notAcceptable(
            QStringLiteral("GET opens an event stream: send 'Accept: text/event-stream'.")));
        return;
    }
    StreamSession *session = sessionFor(responder);
    if (!session)
        return;
    session->touch();
    if (responder->isHead()) {
        responder->respond(
            http::HttpResponse::text(200, QByteArray(), QByteArrayLiteral("text/event-stream")));
        return;
    }
    const http::HttpHeaders extra { { kSessionHeader, session->id().toLatin1() } };
    auto conflict = [responder](const QString &message) {
        responder->respond(http::HttpResponse::error(409, QByteArrayLiteral("stream_conflict"),
            QStringLiteral("Conflict: %1").arg(message)));
    };

    const QByteArray lastEventId = req.header(QByteArrayLiteral("last-event-id")).trimmed();
    if (lastEventId.isEmpty()) {
        const std::shared_ptr<HttpStreamSink> standalone = session->standalone();
        if (standalone->isAttached()) {
            conflict(QStringLiteral(
                "this session's GET stream is already open; only one is "
                "allowed per session (close it first, or resume with Last-Event-ID)."));
            return;
        }
        standalone->attach(responder, std::nullopt, extra);
        return;
    }

    // "<stream>-<seq>": which of the session's streams to continue, and after which event.
    const qsizetype dash = lastEventId.indexOf('-');
    bool streamOk = false;
    bool seqOk = false;
    const int streamId = dash > 0 ? lastEventId.left(dash).toInt(&streamOk) : -1;
    const quint64 seq = dash > 0 ? lastEventId.mid(dash + 1).toULongLong(&seqOk) : 0;
    quint64 lastSeq = 0;
    if (!streamOk || !seqOk || streamId < 0 || !session->knowsStream(streamId, &lastSeq)
        || seq > lastSeq) {
        responder->respond(http::HttpResponse::error(400, QByteArrayLiteral("unknown_event_id"),
            QStringLiteral("Bad Request: Last-Event-ID '%1' was not issued in this session or its "
                           "events are no longer stored; open a new stream without Last-Event-ID.")
                .arg(QString::fromLatin1(http::SseWriter::sanitizeField(lastEventId.left(64))))));
        return;
    }

    const std::shared_ptr<HttpStreamSink> sink
        = streamId == 0 ? session->standalone() : session->stream(streamId);
    if (sink && sink->isAttached()) {
        conflict(QStringLiteral("stream %1 is already being delivered on another connection.")
                     .arg(streamId));
        return;
    }
    bool gap = false;
    if (sink) {
        if (!sink->attach(responder, seq, extra, &gap))
            return;
        if (streamId != 0 && !sink->isCompleted())
            m_server->resumeSink(sink.get());
    } else {
        // The stream's requests are over: replay what it sent after `seq`, then end.
        const EventStore::Replay replay = session->store().after(streamId, seq, lastSeq);
        gap = replay.gap;
        auto *writer = new http::SseWriter(responder, m_http, responder);
        if (writer->start(extra, m_settings.sseRetryMs)) {
            for (const QByteArray &framed : replay.events)
                writer->sendFormatted(framed);
            writer->end();
        }
    }
    if (m_resumed)
        m_resumed->inc();
    if (gap) {
        qCWarning(lcMcp) << "resumed stream" << streamId
                         << "of a session with a gap: events were evicted";
        if (m_replayGaps)
            m_replayGaps->inc();
    }
}

// --- DELETE -------------------------------------------------------------------------------

void StreamableHttpTransport::handleDelete(http::HttpResponder *responder)
{
    StreamSession *session = sessionFor(responder);
    if (!session)
        return;
    const QString id = session->id();
    m_server->closeSession(id); // -> onSessionClosed
    responder->respond(http::HttpResponse::noContent(204));
}

// --- Sessions -----------------------------------------------------------------------------

StreamSession *StreamableHttpTransport::sessionFor(http::HttpResponder *responder)
{
    const http::HttpRequest &req = responder->request();
    if (!req.hasHeader(kSessionHeader)) {
        responder->respond(http::HttpResponse::error(400, QByteArrayLiteral("missing_session"),
            QStringLiteral("Bad Request: Mcp-Session-Id header is required; send initialize first "
                           "to get one.")));
        return nullptr;
    }
    const QString id = QString::fromLatin1(req.header(kSessionHeader).trimmed().left(128));
    StreamSession *session = m_sessions.value(id);
    // Another key's session answers exactly as an unknown one: its existence is not revealed.
    if (!session || !session->mcpSession()
        || session->ownerKeyId() != responder->context().apiKeyId) {
        // 404 tells the client to start over with a new initialize (spec).
        http::HttpResponse r = http::HttpResponse::error(404, QByteArrayLiteral("unknown_session"),
            QStringLiteral("Session not found: it expired, was deleted, or never existed; send "
                           "initialize without Mcp-Session-Id to start a new one."),
            -32001);
        r.rejectionReason.clear(); // an answer the protocol expects, not a refusal
        responder->respond(std::move(r));
        return nullptr;
    }
    return session;
}

StreamSession *StreamableHttpTransport::createSession(http::HttpResponder *responder)
{
    if (m_settings.maxSessions > 0 && m_sessions.size() >= m_settings.maxSessions)
        sweep();
    if (m_settings.maxSessions > 0 && m_sessions.size() >= m_settings.maxSessions) {
        if (m_sessionsRefused)
            m_sessionsRefused->inc();
        qCWarning(lcMcp) << "session cap of" << m_settings.maxSessions
                         << "reached: initialize refused";
        http::HttpResponse r
            = http::HttpResponse::error(503, QByteArrayLiteral("too_many_sessions"),
                QStringLiteral(
                    "Service Unavailable: the server already has its maximum of %1 MCP sessions; "
                    "retry later (clients should DELETE sessions they no longer use).")
                    .arg(m_settings.maxSessions));
        r.setHeader(QByteArrayLiteral("retry-after"),
            QByteArray::number(std::max(1, m_sweepTimer.interval() / 1000)));
        responder->respond(std::move(r));
        return nullptr;
    }
    McpSession *s = m_server->createSession();
    auto *session = new StreamSession(s, this);
    session->setOwnerKeyId(responder->context().apiKeyId);
    m_sessions.insert(s->id(), session);
    return session;
}

void StreamableHttpTransport::onSessionClosed(const QString &id) { delete m_sessions.take(id); }

bool StreamableHttpTransport::closeRequestStream(
    const QString &sessionId, const QJsonValue &requestId)
{
    StreamSession *session = m_sessions.value(sessionId);
    if (!session || !JsonRpcMessage::isValidId(requestId))
        return false;
    const std::shared_ptr<HttpStreamSink> sink
        = session->streamForRequest(JsonRpcMessage::idKey(requestId));
    if (!sink || sink->isCompleted())
        return false;
    sink->closeResponse();
    return true;
}

void StreamableHttpTransport::sweep()
{
    const qint64 now = McpSession::nowMs();
    QStringList idle;
    for (StreamSession *s : std::as_const(m_sessions)) {
        if (s->isIdle(now, m_settings.sessionIdleTimeoutMs))
            idle.append(s->id());
        else
            s->prune(now);
    }
    for (const QString &id : std::as_const(idle)) {
        qCInfo(lcMcp) << "session expired after" << m_settings.sessionIdleTimeoutMs << "ms idle";
        if (m_sessionsExpired)
            m_sessionsExpired->inc();
        m_server->closeSession(id);
    }
}

} // namespace tw::mcp
