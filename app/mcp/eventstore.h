// The bounded per-session store behind SSE resumability: every event the transport sends on
// a session's streams, already framed, so a client that reconnects with Last-Event-ID gets
// exactly the events it missed. Bounded by count, by bytes and by age; the oldest go first
// (the newest event is always kept, however large, so a final result stays resumable). Knows
// nothing about MCP: a stream number, a sequence number and bytes.
#pragma once

#include <QByteArray>
#include <QList>
#include <QSet>

#include <deque>

namespace tw::core {
class Gauge;
}

namespace tw::mcp {

class EventStore {
public:
    // `stored` (may be null) tracks the events held, summed over every store that shares it.
    // maxBytes <= 0: bounded by count and age only.
    EventStore(int maxEvents, qint64 maxAgeMs, qint64 maxBytes = 0, core::Gauge *stored = nullptr);
    ~EventStore();
    EventStore(const EventStore &) = delete;
    EventStore &operator=(const EventStore &) = delete;

    // `seq` must increase per stream. Evicts what the bounds no longer allow.
    void append(int stream, quint64 seq, const QByteArray &framed, qint64 nowMs);

    struct Replay {
        QList<QByteArray>
            events; // framed, in order, every stored event of the stream after `after`
        // Events after `after` were evicted before the client came back: the replay has a gap.
        bool gap = false;
    };
    Replay after(int stream, quint64 after, quint64 lastSeq) const;
    // The streams with at least one stored event (one pass, for forgetting many streams).
    QSet<int> heldStreams() const;

    void prune(qint64 nowMs);
    void clear();
    int size() const { return static_cast<int>(m_events.size()); }
    qint64 bytes() const { return m_bytes; }

private:
    struct Event {
        int stream;
        quint64 seq;
        qint64 atMs;
        QByteArray framed;
    };
    void popFront();

    int m_maxEvents;
    qint64 m_maxAgeMs;
    qint64 m_maxBytes;
    qint64 m_bytes = 0;
    core::Gauge *m_stored;
    std::deque<Event> m_events; // oldest first
};

} // namespace tw::mcp
