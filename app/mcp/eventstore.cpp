#include "eventstore.h"

#include <metrics.h>

namespace tw::mcp {

EventStore::EventStore(int maxEvents, qint64 maxAgeMs, qint64 maxBytes, core::Gauge *stored)
    : m_maxEvents(maxEvents)
    , m_maxAgeMs(maxAgeMs)
    , m_maxBytes(maxBytes)
    , m_stored(stored)
{
}

EventStore::~EventStore() { clear(); }

void EventStore::append(int stream, quint64 seq, const QByteArray &framed, qint64 nowMs)
{
    if (m_maxEvents <= 0)
        return;
    m_events.push_back(Event { stream, seq, nowMs, framed });
    m_bytes += framed.size();
    if (m_stored)
        m_stored->inc();
    while (static_cast<int>(m_events.size()) > m_maxEvents)
        popFront();
    // A count alone lets large events (a long result, a news page) hold megabytes per session.
    while (m_maxBytes > 0 && m_bytes > m_maxBytes && m_events.size() > 1)
        popFront();
    prune(nowMs);
}

EventStore::Replay EventStore::after(int stream, quint64 after, quint64 lastSeq) const
{
    Replay r;
    quint64 expected = after + 1;
    for (const Event &e : m_events) {
        if (e.stream != stream || e.seq <= after)
            continue;
        if (e.seq != expected)
            r.gap = true;
        expected = e.seq + 1;
        r.events.append(e.framed);
    }
    // Events up to lastSeq were sent; any missing from the tail are gone too.
    if (expected <= lastSeq)
        r.gap = true;
    return r;
}

QSet<int> EventStore::heldStreams() const
{
    QSet<int> held;
    for (const Event &e : m_events)
        held.insert(e.stream);
    return held;
}

void EventStore::prune(qint64 nowMs)
{
    while (!m_events.empty() && m_maxAgeMs > 0 && nowMs - m_events.front().atMs > m_maxAgeMs)
        popFront();
}

void EventStore::clear()
{
    while (!m_events.empty())
        popFront();
}

void EventStore::popFront()
{
    m_bytes -= m_events.front().framed.size();
    m_events.pop_front();
    if (m_stored)
        m_stored->dec();
}

} // namespace tw::mcp
