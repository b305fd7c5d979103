#include "httpresponder.h"

#include "httpconnection.h"

namespace tw::http {

HttpResponder::HttpResponder(HttpConnection *connection, HttpRequest request, RequestContext context)
    : QObject(connection)
    , m_connection(connection)
    , m_request(std::move(request))
    , m_context(std::move(context))
{
}

void HttpResponder::respond(HttpResponse response)
{
    if (m_started || m_finished || !m_connection)
        return;
    m_started = true;
    m_connection->sendComplete(this, std::move(response));
}

bool HttpResponder::beginStream(int status, const HttpHeaders &headers)
{
    if (m_started || m_finished || !m_connection)
        return false;
    m_started = true;
    m_streaming = true;
    return m_connection->sendStreamHead(this, status, headers);
}

bool HttpResponder::write(const QByteArray &bytes)
{
    return writeParts({ QByteArrayView(bytes) });
}

bool HttpResponder::writeParts(std::initializer_list<QByteArrayView> parts)
{
    if (!m_streaming || m_finished || !m_connection)
        return false;
    return m_connection->sendStreamParts(this, parts);
}

void HttpResponder::endStream()
{
    if (!m_streaming || m_finished || !m_connection)
        return;
    m_connection->sendStreamEnd(this);
}

qint64 HttpResponder::unsentBytes() const
{
    if (!m_connection || !m_connection->m_socket)
        return 0;
    return m_connection->m_socket->bytesToWrite();
}

void HttpResponder::finish(CloseReason reason)
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT closed(reason);
}

} // namespace tw::http
