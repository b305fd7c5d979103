#include "ssewriter.h"

#include "httpserver.h"
#include "logging.h"
#include "metrics.h"
#include "ownedtimer.h"

#include <chrono>
#include <cstring>

namespace tw::http {

namespace {
    qint64 steadyNowNs()
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
} // namespace

SseWriter::SseWriter(HttpResponder *responder, const HttpServer *server, QObject *parent)
    : QObject(parent)
    , m_responder(responder)
    , m_server(server)
{
    connect(responder, &HttpResponder::closed, this, [this](HttpResponder::CloseReason reason) {
        m_heartbeat.stop();
        Q_EMIT closed(reason);
    });
    setHeartbeatInterval(server->limits().heartbeatIntervalMs);
}

bool SseWriter::start(const HttpHeaders &extraHeaders, int retryMs)
{
    if (!m_responder)
        return false;
    HttpHeaders headers {
        { QByteArrayLiteral("content-type"), QByteArrayLiteral("text/event-stream") },
        { QByteArrayLiteral("cache-control"), QByteArrayLiteral("no-cache") },
        { QByteArrayLiteral("x-accel-buffering"), QByteArrayLiteral("no") },
    };
    headers += extraHeaders;
    if (!m_responder->beginStream(200, headers))
        return false;
    if (retryMs >= 0)
        return writeBytes("retry: " + QByteArray::number(retryMs) + "\n\n", false);
    return true;
}

QByteArray SseWriter::sanitizeField(const QByteArray &value)
{
    QByteArray out;
    out.reserve(value.size());
    for (char c : value) {
        if (c != '\r' && c != '\n' && c != '\0')
            out += c;
    }
    return out;
}

QByteArray SseWriter::format(const SseEvent &event)
{
    QByteArray out;
    out.reserve(event.data.size() + event.id.size() + event.event.size() + 32);
    if (!event.id.isNull())
        out += "id: " + sanitizeField(event.id) + '\n';
    if (!event.event.isEmpty())
        out += "event: " + sanitizeField(event.event) + '\n';
    if (event.retryMs >= 0)
        out += "retry: " + QByteArray::number(event.retryMs) + '\n';
    // Each line of the payload becomes its own data: line; CR, LF and CRLF all end a line,
    // exactly as the client-side parser splits them, so the payload round-trips (with line
    // ends normalised to LF). Line breaks are found with memchr() (vectorised), each search
    // starting past the last, so the scan stays linear: MCP's compact JSON events (~1 KiB, no
    // raw line break) were 3.5 % of the server's CPU as a loop over every byte.
    const QByteArray &d = event.data;
    const char *p = d.constData();
    const qsizetype n = d.size();
    const auto find = [p, n](char c, qsizetype from) -> qsizetype {
        const void *hit = from < n ? std::memchr(p + from, c, size_t(n - from)) : nullptr;
        return hit ? static_cast<const char *>(hit) - p : -1;
    };
    qsizetype lf = find('\n', 0);
    qsizetype cr = find('\r', 0);
    qsizetype start = 0;
    for (;;) {
        const qsizetype i = (cr >= 0 && (lf < 0 || cr < lf)) ? cr : lf;
        if (i < 0)
            break;
        out += "data: ";
        out.append(p + start, i - start);
        out += '\n';
        start = (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') ? i + 2 : i + 1;
        if (lf >= 0 && lf < start)
            lf = find('\n', start);
        if (cr >= 0 && cr < start)
            cr = find('\r', start);
    }
    out += "data: ";
    out.append(p + start, n - start);
    out += "\n\n";
    return out;
}

bool SseWriter::send(const SseEvent &event)
{
    return writeBytes(format(event), true);
}

bool SseWriter::sendFormatted(const QByteArray &eventBytes)
{
    return writeBytes(eventBytes, true);
}

bool SseWriter::sendFormattedParts(std::initializer_list<QByteArrayView> parts)
{
    return writeBytes(parts, true);
}

bool SseWriter::comment(const QByteArray &text)
{
    return writeBytes(": " + sanitizeField(text) + "\n\n", false);
}

void SseWriter::end()
{
    m_heartbeat.stop();
    if (m_responder)
        m_responder->endStream();
}

bool SseWriter::isOpen() const
{
    return m_responder && m_responder->isStreaming();
}

void SseWriter::setHeartbeatInterval(int ms)
{
    m_heartbeatMs = ms > 0 ? ms : 0;
    m_lastWriteNs = steadyNowNs();
    if (m_heartbeatMs > 0)
        core::startOwnedTimer(m_heartbeat, m_heartbeatMs, this);
    else
        m_heartbeat.stop();
}

bool SseWriter::writeBytes(const QByteArray &bytes, bool isEvent)
{
    return writeBytes({ QByteArrayView(bytes) }, isEvent);
}

bool SseWriter::writeBytes(std::initializer_list<QByteArrayView> parts, bool isEvent)
{
    if (!m_responder || !m_responder->writeParts(parts))
        return false;
    if (isEvent)
        m_server->hotMetrics().sseEvents->inc();
    // Any write proves liveness; the heartbeat is for idle streams only. onHeartbeat() reads
    // this time and re-arms the timer for the rest of the interval.
    if (m_heartbeatMs > 0)
        m_lastWriteNs = steadyNowNs();
    return true;
}

void SseWriter::timerEvent(QTimerEvent *event)
{
    if (!core::isOwnedTimer(event, m_heartbeat)) {
        QObject::timerEvent(event);
        return;
    }
    m_heartbeat.stop(); // single-shot: onHeartbeat() re-arms it
    onHeartbeat();
}

void SseWriter::onHeartbeat()
{
    if (!isOpen() || m_heartbeatMs <= 0) {
        m_heartbeat.stop();
        return;
    }
    const qint64 idleMs = (steadyNowNs() - m_lastWriteNs) / 1000000;
    // Coarse timers may fire a little early (up to 5 %): that still counts as idle.
    if (idleMs < m_heartbeatMs - m_heartbeatMs / 20) {
        core::startOwnedTimer(m_heartbeat, int(m_heartbeatMs - idleMs), this);
        return;
    }
    if (m_responder->write(QByteArrayLiteral(": ping\n\n")))
        m_server->hotMetrics().heartbeats->inc();
    m_lastWriteNs = steadyNowNs();
    core::startOwnedTimer(m_heartbeat, m_heartbeatMs, this);
}

} // namespace tw::http
