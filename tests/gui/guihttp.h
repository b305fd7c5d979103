// Small blocking HTTP helpers over QNetworkAccessManager for the GUI tests: the embedded server
// runs in its own thread, so the test thread may simply spin its event loop while it waits.
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTest>
#include <QUrl>

#include <memory>

namespace tw::test {

constexpr int kGuiWaitMs = 10000; // generous: the test machines are loaded; never asserted

struct HttpResult {
    int status = 0; // 0: no HTTP answer (connection refused, timeout)
    QByteArray body;
    QByteArray sessionId;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
};

inline HttpResult finish(QNetworkReply *reply)
{
    std::unique_ptr<QNetworkReply> owner(reply);
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, kGuiWaitMs))
        reply->abort();
    HttpResult r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.sessionId = reply->rawHeader(QByteArrayLiteral("Mcp-Session-Id"));
    r.error = reply->error();
    return r;
}

// How the server takes a key: as "X-API-Key: <key>" or as "Authorization: Bearer <key>".
enum class KeyHeader {
    XApiKey,
    Bearer
};

inline void setKey(QNetworkRequest &request, const QByteArray &key, KeyHeader form)
{
    if (key.isEmpty())
        return;
    if (form == KeyHeader::XApiKey)
        request.setRawHeader(QByteArrayLiteral("X-API-Key"), key);
    else
        request.setRawHeader(
            QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + key);
}

// POST initialize to an MCP endpoint: 200 and a session id when the key is accepted, 401 if not.
inline HttpResult mcpInitialize(QNetworkAccessManager &nam, const QUrl &endpoint,
    const QByteArray &key, KeyHeader form = KeyHeader::XApiKey)
{
    QNetworkRequest request(endpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader(
        QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json, text/event-stream"));
    setKey(request, key, form);
    const QByteArray body = QByteArrayLiteral(
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
        R"("capabilities":{},"clientInfo":{"name":"tst-gui","version":"1"}}})");
    return finish(nam.post(request, body));
}

// Opens the browser bridge's news stream (an SSE response that stays open): the caller owns
// the reply and aborts it to end the stream.
inline QNetworkReply *openNewsStream(QNetworkAccessManager &nam, const QString &baseUrl,
    const QByteArray &key, const QString &symbol = QStringLiteral("TSLA"))
{
    QUrl url(baseUrl + QStringLiteral("/api/mcp/stream-news"));
    url.setQuery(QStringLiteral("symbol=%1&interval=1000&duration=600000").arg(symbol));
    QNetworkRequest request(url);
    request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("text/event-stream"));
    setKey(request, key, KeyHeader::XApiKey);
    return nam.get(request);
}

} // namespace tw::test
