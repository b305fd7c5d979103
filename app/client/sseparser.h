// The WHATWG "event stream interpretation" algorithm (HTML, server-sent events), incremental:
// bytes may arrive in any chunking, down to one byte at a time, and yield the same events.
// Knows nothing of the network; SseStream feeds it and McpClient reads POST responses with it.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace tw::client {

struct SseEvent {
    QByteArray type = QByteArrayLiteral("message");
    QByteArray data;
    QByteArray lastEventId;
};

class SseParser {
public:
    enum class Error {
        None,
        LineTooLong, // a line exceeded maxLineBytes(): the partial line and event were dropped
        EventTooLarge, // the data buffer exceeded maxEventBytes(): the event was dropped
    };

    // Default bound on one line and on one event's data buffer (16 MiB).
    static constexpr qsizetype kDefaultMaxBytes = 16 * 1024 * 1024;

    SseParser() = default;
    explicit SseParser(qsizetype maxLineBytes, qsizetype maxEventBytes = kDefaultMaxBytes);

    // Feeds bytes in any chunking; returns the events dispatched by them, in order.
    QList<SseEvent> feed(const QByteArray &chunk);
    // The last "retry:" value seen and not yet taken.
    std::optional<int> takeRetry();
    // The last event ID buffer (kept across events and across resetConnection()), as of the
    // last blank line: an "id:" line takes effect when its event ends (the spec's "last event
    // ID string", which is what a reconnect sends as Last-Event-ID). An id in an event cut off
    // by a dropped connection is discarded, so resuming never skips that event.
    QByteArray lastEventId() const;
    // A new connection: clears the partial line/event (including an uncommitted id) and BOM
    // state, keeps lastEventId.
    void resetConnection();

    // Seeds the last event ID buffer (e.g. a resumed stream restored from elsewhere).
    void setLastEventId(const QByteArray &id);

    // The limits: when a line grows past maxLineBytes (without its line end), or an event's
    // data buffer past maxEventBytes, the parser drops that line and the pending event, skips
    // to the next line end, and records the error. The stream then carries on normally.
    // error() is sticky until takeError() or resetConnection().
    qsizetype maxLineBytes() const { return m_maxLineBytes; }
    qsizetype maxEventBytes() const { return m_maxEventBytes; }
    Error error() const { return m_error; }
    QString errorString() const;
    Error takeError();

private:
    void processLine(const QByteArray &line, QList<SseEvent> &out);
    void processField(const QByteArray &field, const QByteArray &value);
    void dispatch(QList<SseEvent> &out);
    void resetEvent();
    void fail(Error error);

    qsizetype m_maxLineBytes = kDefaultMaxBytes;
    qsizetype m_maxEventBytes = kDefaultMaxBytes;

    QByteArray m_line; // the partial line (no line end yet)
    bool m_skipLine = false; // discarding an over-long line up to its end
    bool m_skipEvent = false; // discarding the rest of an over-limit event up to its blank line
    bool m_lastWasCR = false; // the previous byte was CR: a following LF is part of that line end
    bool m_bomChecked = false; // the first bytes of this connection were checked for a BOM
    QByteArray m_bomPrefix; // the first bytes while they still could be a BOM

    QByteArray m_type; // event type buffer
    QByteArray m_data; // data buffer
    QByteArray m_idBuffer; // last event ID buffer (set by "id:" lines)
    QByteArray m_lastEventId; // last event ID string (the buffer as of the last blank line)
    std::optional<int> m_retry;
    Error m_error = Error::None;
};

} // namespace tw::client
