#include "httpstreamsink.h"

#include "mcpprotocolversion.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "streamablehttptransport.h"
#include "streamsession.h"

#include <httpresponder.h>
#include <httpresponse.h>
#include <httpserver.h>
#include <logging.h>
#include <ssewriter.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

namespace tw::mcp {

namespace {

    bool isResponse(const QJsonObject &message)
    {
        return !message.contains(QLatin1String("method"))
            && (message.contains(QLatin1String("result"))
                || message.contains(QLatin1String("error")));
    }

    // 2025-11-25 (SEP-1699) clients expect a "priming" event (an id and empty data) first and
    // may resume a POST stream the server closes; older clients would try to parse the empty
    // data, so they get only the retry hint.
    bool speaksSsePolling(const QString &version)
    {
        return !version.isEmpty() && version >= QLatin1String("2025-11-25");
    }

} // namespace

HttpStreamSink::HttpStreamSink(
    Kind kind, int streamId, StreamSession *session, http::HttpServer *http)
    : m_kind(kind)
    , m_streamId(streamId)
    , m_session(session)
    , m_mcpSession(session ? session->mcpSession() : nullptr)
    , m_http(http)
    , m_state(kind == Kind::Post ? State::Buffering : State::Detached)
{
}

HttpStreamSink::~HttpStreamSink()
{
    // The engine may drop its last reference at any time; the response must not hang.
    endResponse();
}

QByteArray HttpStreamSink::eventId(quint64 seq) const
{
    return QByteArray::number(m_streamId) + '-' + QByteArray::number(seq);
}

bool HttpStreamSink::isAttached() const
{
    return m_state == State::Streaming && m_writer && m_writer->isOpen();
}

void HttpStreamSink::setPostResponder(http::HttpResponder *responder) { m_responder = responder; }

void HttpStreamSink::respondJson(
    bool batch, bool responsesOnly, const http::HttpHeaders &extraHeaders)
{
    QList<QJsonObject> messages;
    for (const QJsonObject &m : std::as_const(m_buffer))
        if (!responsesOnly || isResponse(m))
            messages.append(m);
    m_buffer.clear();
    m_state = State::Done;
    if (!m_responder)
        return;
    QByteArray body;
    if (batch) {
        QJsonArray array;
        for (const QJsonObject &m : std::as_const(messages))
            array.append(m);
        body = QJsonDocument(array).toJson(QJsonDocument::Compact);
    } else if (!messages.isEmpty()) {
        body = QJsonDocument(messages.first()).toJson(QJsonDocument::Compact);
    }
    http::HttpResponse r
        = http::HttpResponse::text(200, body, QByteArrayLiteral("application/json"));
    for (const auto &h : extraHeaders)
        r.setHeader(h.first, h.second);
    m_responder->respond(std::move(r));
}

void HttpStreamSink::respondJsonWhenComplete(bool batch, const http::HttpHeaders &extraHeaders)
{
    m_batch = batch;
    m_jsonHeaders = extraHeaders;
    QList<QJsonObject> kept;
    for (const QJsonObject &m : std::as_const(m_buffer))
        if (isResponse(m))
            kept.append(m);
    m_buffer = kept;
    m_state = State::JsonPending;
    if (m_responder) {
        connect(m_responder, &http::HttpResponder::closed, this,
            [this, responder = m_responder.data()](http::HttpResponder::CloseReason reason) {
                onResponderClosed(responder, int(reason));
            });
    }
}

void HttpStreamSink::startSse(const http::HttpHeaders &extraHeaders, bool endAfterBuffered)
{
    endAfterBuffered = endAfterBuffered || m_completed;
    const QList<QJsonObject> buffered = m_buffer;
    m_buffer.clear();
    if (!startWriter(m_responder, extraHeaders)) {
        // The client left while handle() ran: keep what was said for a resume.
        m_state = State::Detached;
        for (const QJsonObject &m : buffered)
            send(m);
        if (endAfterBuffered)
            m_completed = true;
        else if (m_session)
            m_session->transport()->server()->abandonSink(this);
        return;
    }
    for (const QJsonObject &m : buffered)
        send(m);
    if (endAfterBuffered) {
        m_completed = true;
        endResponse();
        m_state = State::Done;
        return;
    }
    if (m_closeRequested)
        closeResponse();
}

bool HttpStreamSink::attach(http::HttpResponder *responder, std::optional<quint64> afterSeq,
    const http::HttpHeaders &extraHeaders, bool *gap)
{
    if (isAttached())
        return false;
    dropWriter();
    const quint64 before = m_seq;
    if (!startWriter(responder, extraHeaders)) {
        m_state = State::Detached;
        return false;
    }
    if (afterSeq && m_session) {
        const EventStore::Replay replay = m_session->store().after(m_streamId, *afterSeq, before);
        if (gap)
            *gap = replay.gap;
        for (const QByteArray &framed : replay.events)
            writeEvent(framed);
    }
    if (m_kind == Kind::Post && m_completed) {
        // Everything was sent (and is now replayed): the resumed stream ends here.
        endResponse();
        m_state = State::Done;
    }
    return true;
}

bool HttpStreamSink::startWriter(
    http::HttpResponder *responder, const http::HttpHeaders &extraHeaders)
{
    if (!responder || !m_http)
        return false;
    auto *writer = new http::SseWriter(responder, m_http);
    const int retryMs = m_session ? m_session->transport()->settings().sseRetryMs : -1;
    const bool priming = m_mcpSession && speaksSsePolling(m_mcpSession->protocolVersion());
    if (!writer->start(extraHeaders, priming ? -1 : retryMs)) {
        writer->deleteLater();
        return false;
    }
    m_writer = writer;
    m_responder = responder;
    m_state = State::Streaming;
    ++m_generation;
    connect(responder, &http::HttpResponder::closed, this,
        [this, responder](http::HttpResponder::CloseReason reason) {
            onResponderClosed(responder, int(reason));
        });
    if (priming) {
        // The client's position right now: no new sequence number, nothing to store.
        http::SseEvent e;
        e.id = eventId(m_seq);
        e.data = QByteArray("");
        e.retryMs = retryMs;
        writer->send(e);
    }
    armPollTimer();
    return true;
}

void HttpStreamSink::send(const QJsonObject &message)
{
    switch (m_state) {
    case State::Buffering: m_buffer.append(message); return;
    case State::JsonPending:
        if (isResponse(message))
            m_buffer.append(message);
        return;
    case State::Done: return;
    case State::Streaming:
    case State::Detached: break;
    }
    emitEvent(QJsonDocument(message).toJson(QJsonDocument::Compact));
}

void HttpStreamSink::sendSerialized(const QByteArray &json)
{
    switch (m_state) {
    case State::Buffering: McpSink::sendSerialized(json); return; // kept as objects until then
    case State::JsonPending: return; // a JSON body carries only responses
    case State::Done: return;
    case State::Streaming:
    case State::Detached: break;
    }
    emitEvent(json);
}

void HttpStreamSink::emitEvent(const QByteArray &json)
{
    const quint64 seq = ++m_seq;
    http::SseEvent e;
    e.id = eventId(seq);
    e.data = json;
    const QByteArray framed = http::SseWriter::format(e);
    if (m_session)
        m_session->recordEvent(m_streamId, seq, framed);
    if (m_state == State::Streaming)
        writeEvent(framed);
}

bool HttpStreamSink::carriesServerRequests() const
{
    return m_kind == Kind::Standalone || !m_session
        || !m_session->transport()->settings().jsonResponse;
}

void HttpStreamSink::complete()
{
    if (m_kind != Kind::Post || m_completed)
        return;
    m_completed = true;
    switch (m_state) {
    case State::JsonPending: {
        m_state = State::Buffering; // respondJson takes the buffer as it is
        const http::HttpHeaders headers = m_jsonHeaders;
        respondJson(m_batch, true, headers);
        break;
    }
    case State::Streaming:
        m_state = State::Done;
        endResponse();
        break;
    case State::Buffering:
        // The engine reports requests answered inside handle() through McpDispatch, not
        // here; should one come anyway, startSse() sees m_completed and ends the stream.
        break;
    case State::Detached:
    case State::Done: break;
    }
}

void HttpStreamSink::closeResponse()
{
    switch (m_state) {
    case State::Buffering:
        m_closeRequested = true; // honoured once the SSE response has started
        return;
    case State::Streaming:
        m_state = m_kind == Kind::Post && m_completed ? State::Done : State::Detached;
        endResponse();
        if (m_kind == Kind::Post && !m_completed && m_session)
            m_session->transport()->server()->abandonSink(this);
        return;
    case State::JsonPending:
    case State::Detached:
    case State::Done: return;
    }
}

void HttpStreamSink::writeEvent(const QByteArray &framed)
{
    if (m_writer)
        m_writer->sendFormatted(framed);
}

void HttpStreamSink::endResponse()
{
    QPointer<http::SseWriter> writer = m_writer;
    m_writer = nullptr;
    m_responder = nullptr;
    if (writer) {
        writer->end();
        writer->deleteLater();
    }
}

void HttpStreamSink::dropWriter()
{
    if (m_writer)
        m_writer->deleteLater();
    m_writer = nullptr;
}

void HttpStreamSink::onResponderClosed(http::HttpResponder *responder, int reason)
{
    // Only the response currently carrying the stream matters; a Completed close is ours.
    if (responder != m_responder.data()
        || reason == int(http::HttpResponder::CloseReason::Completed))
        return;
    const bool wasJson = m_state == State::JsonPending;
    dropWriter();
    m_responder = nullptr;
    if (m_state == State::Streaming || wasJson)
        m_state = wasJson ? State::Done : State::Detached;
    qCDebug(lcMcp) << "client left stream" << m_streamId << "of session"
                   << (m_session ? m_session->id() : QString());
    // Not a cancellation (spec): the requests run on for the grace period so the client can
    // resume; a JSON response cannot be resumed, but the same grace applies.
    if (m_kind == Kind::Post && !m_completed && m_session)
        m_session->transport()->server()->abandonSink(this);
}

void HttpStreamSink::armPollTimer()
{
    if (m_kind != Kind::Post || !m_session || m_completed)
        return;
    const int interval = m_session->transport()->settings().ssePollIntervalMs;
    if (interval <= 0 || !clientCanResume())
        return;
    const quint64 generation = m_generation;
    QTimer::singleShot(interval, this, [this, generation] {
        if (generation == m_generation && m_state == State::Streaming && !m_completed)
            closeResponse();
    });
}

bool HttpStreamSink::clientCanResume() const
{
    return m_mcpSession && speaksSsePolling(m_mcpSession->protocolVersion());
}

} // namespace tw::mcp
