// Server-Sent Events over a streaming HttpResponder: event framing, the retry hint, and
// ": ping" heartbeats while the stream is idle. format() builds an event's bytes once, so a
// fan-out to many streams shares one buffer (QByteArray is implicitly shared).
#pragma once

#include "httpresponder.h"

#include <QByteArray>
#include <QObject>
#include <QBasicTimer>
#include <QPointer>

namespace tw::http {

class HttpServer;

struct SseEvent {
    QByteArray id; // "id:" line when non-null (an empty id resets the client's last id)
    QByteArray event; // "event:" line when non-empty
    QByteArray data; // split on CR, LF and CRLF into one "data:" line each
    int retryMs = -1; // "retry:" line when >= 0
};

class SseWriter : public QObject {
    Q_OBJECT
public:
    // Does not start the stream: call start().
    SseWriter(HttpResponder *responder, const HttpServer *server, QObject *parent = nullptr);

    // Sends the status line and the SSE headers (plus `extraHeaders`), then "retry:" if
    // retryMs >= 0. Returns false if the peer is already gone.
    bool start(const HttpHeaders &extraHeaders = {}, int retryMs = -1);
    bool send(const SseEvent &event);
    // Bytes already framed by format(): the fan-out path.
    bool sendFormatted(const QByteArray &eventBytes);
    // One framed event given as up to five parts, sent in order with one send and never joined:
    // the fan-out's bytes shared by every stream plus the few that are this stream's own.
    bool sendFormattedParts(std::initializer_list<QByteArrayView> parts);
    bool comment(const QByteArray &text);
    void end();
    bool isOpen() const;
    HttpResponder *responder() const { return m_responder; }

    // A heartbeat is written when nothing was sent for this long; 0 disables.
    void setHeartbeatInterval(int ms);

    static QByteArray format(const SseEvent &event);
    // Removes CR/LF/NUL so a value cannot break the framing of an id/event line.
    static QByteArray sanitizeField(const QByteArray &value);

Q_SIGNALS:
    void closed(tw::http::HttpResponder::CloseReason reason);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    bool writeBytes(const QByteArray &bytes, bool isEvent);
    bool writeBytes(std::initializer_list<QByteArrayView> parts, bool isEvent);
    void onHeartbeat();

    QPointer<HttpResponder> m_responder;
    const HttpServer *m_server;
    // Single-shot, armed for the moment the stream would have been idle for the interval.
    // A write only records its time: restarting a QTimer per event costs a timer-list
    // insert on every write of every stream (see bench/README.md). A QBasicTimer (timerEvent())
    // rather than a QTimer object with a connection: one per open stream.
    QBasicTimer m_heartbeat;
    int m_heartbeatMs = 0;
    qint64 m_lastWriteNs = 0; // steady clock
};

} // namespace tw::http
