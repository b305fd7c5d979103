#include "streamsession.h"

#include "httpstreamsink.h"
#include "mcpsession.h"
#include "streamablehttptransport.h"

#include <QDateTime>

#include <algorithm>

namespace tw::mcp {

StreamSession::StreamSession(McpSession *session, StreamableHttpTransport *transport)
    : QObject(transport)
    , m_id(session->id())
    , m_session(session)
    , m_transport(transport)
    , m_store(transport->settings().eventStoreMaxEvents, transport->settings().eventStoreMaxAgeMs,
          transport->settings().eventStoreMaxBytes, transport->m_eventsStored)
{
    touch();
}

StreamSession::~StreamSession()
{
    // The standalone stream ends with its session; POST streams end as the engine cancels
    // their requests (complete()).
    if (m_standalone)
        m_standalone->closeResponse();
    if (m_session && m_session->sink() == m_standalone)
        m_session->setSink(nullptr);
}

std::shared_ptr<HttpStreamSink> StreamSession::newPostStream(http::HttpResponder *responder)
{
    forgetFinishedIfGrown();
    const int streamId = m_nextStreamId++;
    auto sink = std::make_shared<HttpStreamSink>(
        HttpStreamSink::Kind::Post, streamId, this, m_transport->m_http);
    sink->setPostResponder(responder);
    m_streams.insert(streamId, StreamRecord { sink, 0 });
    return sink;
}

std::shared_ptr<HttpStreamSink> StreamSession::standalone()
{
    if (!m_standalone) {
        m_standalone = std::make_shared<HttpStreamSink>(
            HttpStreamSink::Kind::Standalone, 0, this, m_transport->m_http);
        m_streams.insert(0, StreamRecord { m_standalone, 0 });
        if (m_session)
            m_session->setSink(m_standalone);
    }
    return m_standalone;
}

std::shared_ptr<HttpStreamSink> StreamSession::stream(int streamId) const
{
    const auto it = m_streams.constFind(streamId);
    return it == m_streams.constEnd() ? nullptr : it->sink.lock();
}

bool StreamSession::knowsStream(int streamId, quint64 *lastSeq) const
{
    const auto it = m_streams.constFind(streamId);
    if (it == m_streams.constEnd())
        return false;
    if (lastSeq)
        *lastSeq = it->lastSeq;
    return true;
}

void StreamSession::recordEvent(int streamId, quint64 seq, const QByteArray &framed)
{
    auto it = m_streams.find(streamId);
    if (it != m_streams.end())
        it->lastSeq = seq;
    m_store.append(streamId, seq, framed, McpSession::nowMs());
}

void StreamSession::trackRequest(const QString &idKey, const std::shared_ptr<HttpStreamSink> &sink)
{
    m_requests.insert(idKey, sink);
}

std::shared_ptr<HttpStreamSink> StreamSession::streamForRequest(const QString &idKey) const
{
    return m_requests.value(idKey).lock();
}

void StreamSession::touch() { m_lastSeenMs = McpSession::nowMs(); }

bool StreamSession::isIdle(qint64 nowMs, qint64 timeoutMs) const
{
    if (!m_session)
        return true;
    if (m_session->inFlightCount() > 0 || (m_standalone && m_standalone->isAttached()))
        return false;
    const qint64 last = std::max(m_lastSeenMs, m_session->lastActivityMs());
    return nowMs - last > timeoutMs;
}

void StreamSession::prune(qint64 nowMs)
{
    m_store.prune(nowMs);
    forgetFinished();
}

void StreamSession::forgetFinishedIfGrown()
{
    if (m_streams.size() + m_requests.size() < m_forgetAt)
        return;
    forgetFinished();
    // Amortised O(1) per request: the next pass comes after as many new entries as are left.
    m_forgetAt = std::max<qsizetype>(64, 2 * (m_streams.size() + m_requests.size()));
}

void StreamSession::forgetFinished()
{
    const QSet<int> held = m_store.heldStreams();
    for (auto it = m_streams.begin(); it != m_streams.end();) {
        if (it.key() != 0 && it->sink.expired() && !held.contains(it.key()))
            it = m_streams.erase(it);
        else
            ++it;
    }
    for (auto it = m_requests.begin(); it != m_requests.end();) {
        if (it->expired())
            it = m_requests.erase(it);
        else
            ++it;
    }
}

} // namespace tw::mcp
