// One parsed HTTP/1.1 request, as the connection hands it to the middleware and routes.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace tw::http {

// Header names are stored lower-cased (HTTP field names are case-insensitive); values as sent.
using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct HttpRequest {
    QByteArray method; // "GET", "POST", ... (upper case, as llhttp names it)
    QByteArray target; // request-target as sent: "/mcp?x=1"
    QByteArray path; // percent-decoded path without the query: "/mcp"
    QByteArray query; // raw query without '?': "x=1"
    HttpHeaders headers;
    QByteArray body;
    int httpMajor = 1;
    int httpMinor = 1;
    bool keepAlive = true; // what the client asked for (llhttp_should_keep_alive)
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    bool secure = false; // arrived over TLS
    quint64 connectionId = 0;

    // First value of a header (name must be lower case), or a null QByteArray.
    QByteArray header(const QByteArray &lowerName) const
    {
        for (const auto &h : headers) {
            if (h.first == lowerName)
                return h.second;
        }
        return {};
    }
    bool hasHeader(const QByteArray &lowerName) const
    {
        for (const auto &h : headers) {
            if (h.first == lowerName)
                return true;
        }
        return false;
    }
    // Number of times a header appears (duplicate Host, Content-Length, ... are rejected).
    int headerCount(const QByteArray &lowerName) const
    {
        int n = 0;
        for (const auto &h : headers)
            n += h.first == lowerName ? 1 : 0;
        return n;
    }
    // A query parameter, percent-decoded ('+' is a space), or a null QByteArray.
    QByteArray queryItem(const QByteArray &name) const;
};

} // namespace tw::http
