#include "sseparser.h"

#include <limits>

namespace tw::client {

namespace {
    const QByteArray kBom = QByteArrayLiteral("\xEF\xBB\xBF");
}

SseParser::SseParser(qsizetype maxLineBytes, qsizetype maxEventBytes)
    : m_maxLineBytes(maxLineBytes > 0 ? maxLineBytes : kDefaultMaxBytes)
    , m_maxEventBytes(maxEventBytes > 0 ? maxEventBytes : kDefaultMaxBytes)
{
}

QList<SseEvent> SseParser::feed(const QByteArray &chunk)
{
    QList<SseEvent> out;
    QByteArray input = chunk;

    // The stream is UTF-8 decoded, which strips one leading BOM: hold back the first bytes of
    // a connection until they can no longer be the start of a BOM.
    if (!m_bomChecked) {
        m_bomPrefix += input;
        if (m_bomPrefix.size() < kBom.size() && kBom.startsWith(m_bomPrefix))
            return out;
        m_bomChecked = true;
        input = m_bomPrefix.startsWith(kBom) ? m_bomPrefix.mid(kBom.size()) : m_bomPrefix;
        m_bomPrefix.clear();
    }

    const char *p = input.constData();
    const qsizetype n = input.size();
    qsizetype i = 0;
    if (m_lastWasCR && n > 0) {
        // The LF of a CRLF split across chunks: the line already ended at the CR.
        if (p[0] == '\n')
            i = 1;
        m_lastWasCR = false;
    }
    while (i < n) {
        qsizetype end = i;
        while (end < n && p[end] != '\r' && p[end] != '\n')
            ++end;
        const qsizetype segment = end - i;
        if (!m_skipLine) {
            if (m_line.size() + segment > m_maxLineBytes) {
                m_line.clear();
                m_skipLine = true;
                resetEvent();
                m_skipEvent = true; // the rest of this event is incomplete: drop it up to its end
                fail(Error::LineTooLong);
            } else {
                m_line.append(p + i, segment);
            }
        }
        if (end == n)
            break; // no line end yet: the line continues in the next chunk
        // A line end: CR, LF, or CRLF.
        if (p[end] == '\r') {
            if (end + 1 < n) {
                if (p[end + 1] == '\n')
                    ++end;
            } else {
                m_lastWasCR = true;
            }
        }
        i = end + 1;
        if (m_skipLine) {
            m_skipLine = false;
            m_line.clear();
            continue;
        }
        const QByteArray line = m_line;
        m_line.clear();
        processLine(line, out);
    }
    return out;
}

void SseParser::processLine(const QByteArray &line, QList<SseEvent> &out)
{
    if (line.isEmpty()) {
        if (m_skipEvent) {
            m_skipEvent = false;
            resetEvent();
            return;
        }
        dispatch(out);
        return;
    }
    if (m_skipEvent || line.startsWith(':'))
        return; // the rest of a dropped event, or a comment
    const qsizetype colon = line.indexOf(':');
    if (colon < 0) {
        processField(line, QByteArray());
        return;
    }
    qsizetype valueStart = colon + 1;
    if (valueStart < line.size() && line.at(valueStart) == ' ')
        ++valueStart;
    processField(line.left(colon), line.mid(valueStart));
}

void SseParser::processField(const QByteArray &field, const QByteArray &value)
{
    if (field == "event") {
        m_type = value;
    } else if (field == "data") {
        if (m_data.size() + value.size() + 1 > m_maxEventBytes) {
            resetEvent();
            m_skipEvent = true;
            fail(Error::EventTooLarge);
            return;
        }
        m_data += value;
        m_data += '\n';
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_idBuffer = value;
    } else if (field == "retry") {
        if (value.isEmpty())
            return;
        qint64 ms = 0;
        for (char c : value) {
            if (c < '0' || c > '9')
                return;
            ms = ms * 10 + (c - '0');
            if (ms > std::numeric_limits<int>::max())
                ms = std::numeric_limits<int>::max(); // clamp: the value is still all digits
        }
        m_retry = int(ms);
    }
    // Any other field is ignored.
}

void SseParser::dispatch(QList<SseEvent> &out)
{
    // The last event ID string is updated even when nothing is dispatched.
    m_lastEventId = m_idBuffer;
    if (m_data.isEmpty()) {
        resetEvent();
        return;
    }
    if (m_data.endsWith('\n'))
        m_data.chop(1);
    SseEvent event;
    if (!m_type.isEmpty())
        event.type = m_type;
    event.data = m_data;
    event.lastEventId = m_lastEventId;
    out.append(std::move(event));
    resetEvent();
}

void SseParser::resetEvent()
{
    m_type.clear();
    m_data.clear();
}

void SseParser::fail(Error error) { m_error = error; }

std::optional<int> SseParser::takeRetry()
{
    std::optional<int> retry = m_retry;
    m_retry.reset();
    return retry;
}

QByteArray SseParser::lastEventId() const { return m_lastEventId; }

void SseParser::setLastEventId(const QByteArray &id)
{
    if (!id.contains('\0')) {
        m_lastEventId = id;
        m_idBuffer = id;
    }
}

void SseParser::resetConnection()
{
    m_line.clear();
    m_skipLine = false;
    m_skipEvent = false;
    m_lastWasCR = false;
    m_bomChecked = false;
    m_bomPrefix.clear();
    resetEvent();
    m_idBuffer = m_lastEventId; // an id whose event never ended does not count
    m_error = Error::None;
}

QString SseParser::errorString() const
{
    switch (m_error) {
    case Error::None: return QString();
    case Error::LineTooLong:
        return QStringLiteral("an event-stream line exceeded %1 bytes; the event was dropped")
            .arg(m_maxLineBytes);
    case Error::EventTooLarge:
        return QStringLiteral("an event's data exceeded %1 bytes; the event was dropped")
            .arg(m_maxEventBytes);
    }
    return QString();
}

SseParser::Error SseParser::takeError()
{
    const Error e = m_error;
    m_error = Error::None;
    return e;
}

} // namespace tw::client
