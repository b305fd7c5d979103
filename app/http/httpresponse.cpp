#include "httpresponse.h"

#include <QJsonDocument>

namespace tw::http {

HttpResponse &HttpResponse::setHeader(const QByteArray &lowerName, const QByteArray &value)
{
    for (auto &h : headers) {
        if (h.first == lowerName) {
            h.second = value;
            return *this;
        }
    }
    headers.append({ lowerName, value });
    return *this;
}

HttpResponse &HttpResponse::addHeader(const QByteArray &lowerName, const QByteArray &value)
{
    headers.append({ lowerName, value });
    return *this;
}

QByteArray HttpResponse::header(const QByteArray &lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    return text(status, QJsonDocument(object).toJson(QJsonDocument::Compact),
        QByteArrayLiteral("application/json"));
}

HttpResponse HttpResponse::text(int status, const QByteArray &body, const QByteArray &contentType)
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers.append({ QByteArrayLiteral("content-type"), contentType });
    return r;
}

HttpResponse HttpResponse::noContent(int status)
{
    HttpResponse r;
    r.status = status;
    return r;
}

HttpResponse HttpResponse::error(int status, const QByteArray &reason, const QString &message, int rpcCode)
{
    const QJsonObject data { { QStringLiteral("status"), status },
        { QStringLiteral("reason"), QString::fromLatin1(reason) } };
    const QJsonObject err { { QStringLiteral("code"), rpcCode }, { QStringLiteral("message"), message },
        { QStringLiteral("data"), data } };
    const QJsonObject envelope { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
        { QStringLiteral("id"), QJsonValue::Null }, { QStringLiteral("error"), err } };
    HttpResponse r = json(status, envelope);
    r.rejectionReason = reason;
    return r;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return QByteArrayLiteral("Continue");
    case 200: return QByteArrayLiteral("OK");
    case 201: return QByteArrayLiteral("Created");
    case 202: return QByteArrayLiteral("Accepted");
    case 204: return QByteArrayLiteral("No Content");
    case 304: return QByteArrayLiteral("Not Modified");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 406: return QByteArrayLiteral("Not Acceptable");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 409: return QByteArrayLiteral("Conflict");
    case 411: return QByteArrayLiteral("Length Required");
    case 413: return QByteArrayLiteral("Content Too Large");
    case 414: return QByteArrayLiteral("URI Too Long");
    case 415: return QByteArrayLiteral("Unsupported Media Type");
    case 417: return QByteArrayLiteral("Expectation Failed");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 500: return QByteArrayLiteral("Internal Server Error");
    case 501: return QByteArrayLiteral("Not Implemented");
    case 503: return QByteArrayLiteral("Service Unavailable");
    case 505: return QByteArrayLiteral("HTTP Version Not Supported");
    default: return QByteArrayLiteral("Unknown");
    }
}

} // namespace tw::http
