// A complete (non-streamed) HTTP response, and the one JSON error shape every rejection uses.
#pragma once

#include "httprequest.h"

#include <QByteArray>
#include <QJsonObject>

namespace tw::http {

struct HttpResponse {
    int status = 200;
    HttpHeaders headers; // lower-case names; Content-Length / Date / Connection are added by the writer
    QByteArray body;
    bool closeConnection = false; // send "Connection: close" and close after writing
    // Set by error(): the stable reason a request was refused ("auth", "origin", ...). The
    // server counts it in /metrics (tickerwire_http_rejections_total{reason=...}).
    QByteArray rejectionReason;

    HttpResponse &setHeader(const QByteArray &lowerName, const QByteArray &value);
    HttpResponse &addHeader(const QByteArray &lowerName, const QByteArray &value);
    QByteArray header(const QByteArray &lowerName) const;

    static HttpResponse json(int status, const QJsonObject &object);
    static HttpResponse text(int status, const QByteArray &body, const QByteArray &contentType);
    static HttpResponse noContent(int status = 204);

    // Every rejection and error the server produces, whatever the layer, has this body: a
    // JSON-RPC 2.0 error envelope (which MCP clients already parse) whose `data` says the
    // HTTP status and a stable machine-readable reason, and whose message says what to fix:
    //   {"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"...",
    //    "data":{"status":413,"reason":"body_too_large"}}}
    // `rpcCode` defaults to -32000 (server error); use -32001 for authentication problems,
    // -32600 for malformed requests, -32700 for unparsable JSON.
    static HttpResponse error(int status, const QByteArray &reason, const QString &message,
        int rpcCode = -32000);
};

// "Not Found" for 404 etc.
QByteArray reasonPhrase(int status);

} // namespace tw::http
