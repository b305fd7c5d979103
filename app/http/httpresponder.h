// The handle a route's handler answers through: once with a complete response, or by
// opening a chunked stream (SSE) and writing to it until it ends. The connection owns it;
// handlers that answer later keep a QPointer, because the peer can vanish at any time.
#pragma once

#include "httprequest.h"
#include "httpresponse.h"
#include "middleware.h"

#include <QByteArrayView>
#include <QObject>
#include <QPointer>

#include <initializer_list>

namespace tw::http {

class HttpConnection;

class HttpResponder : public QObject {
    Q_OBJECT
public:
    enum class CloseReason {
        Completed, // the handler ended the response
        PeerClosed, // the client went away
        SlowConsumer, // the client did not read fast enough; its unsent bytes exceeded the budget
        ServerShutdown, // the server is stopping
    };
    Q_ENUM(CloseReason)

    // When the route handler returns with a stream open, the request's headers, body, target
    // and query are released (a stream may be open for hours; they were ~700 bytes of each):
    // code that runs later for the stream reads what it needs in the handler. Method, path,
    // version and peer stay.
    const HttpRequest &request() const { return m_request; }
    RequestContext &context() { return m_context; }
    const RequestContext &context() const { return m_context; }

    // Sends a complete response (context().responseHeaders are added). Ignored after the
    // response has started.
    void respond(HttpResponse response);

    // Starts a chunked (HTTP/1.1) or close-delimited (HTTP/1.0) streaming response.
    // Returns false if the peer is already gone or a response was already started.
    bool beginStream(int status, const HttpHeaders &headers);
    // Appends bytes to the stream. Returns false when the stream is closed; a write that
    // would take the unsent bytes past the budget drops the consumer (closed(SlowConsumer)).
    bool write(const QByteArray &bytes);
    // The same for one piece given as parts (at most five), written in order with one send and
    // never joined: the fan-out's shared bytes plus a few of this stream's own.
    bool writeParts(std::initializer_list<QByteArrayView> parts);
    // Ends the stream (the terminating chunk), then the connection moves on.
    void endStream();

    bool isStreaming() const { return m_streaming && !m_finished; }
    bool isFinished() const { return m_finished; }
    // Bytes written to the socket but not yet sent to the peer.
    qint64 unsentBytes() const;
    // The connection's HEAD-ness: write() discards bytes for HEAD.
    bool isHead() const { return m_request.method == "HEAD"; }

Q_SIGNALS:
    // Emitted once when the response is over for whatever reason. Layers above free the
    // work they did for this request here (and only here).
    void closed(tw::http::HttpResponder::CloseReason reason);

private:
    friend class HttpConnection;
    HttpResponder(HttpConnection *connection, HttpRequest request, RequestContext context);
    void finish(CloseReason reason);

    QPointer<HttpConnection> m_connection;
    HttpRequest m_request;
    RequestContext m_context;
    bool m_started = false;
    bool m_streaming = false;
    bool m_finished = false;
};

} // namespace tw::http
