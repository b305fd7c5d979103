// HttpServer at the protocol level: keep-alive and close, pipelining, chunked and
// 100-continue request bodies, HEAD/404/405/OPTIONS, every limit (431, 413, 400, 408, idle
// timeout, connection caps), the metrics a rejection leaves, IPv6 and TLS. Real sockets on
// the loopback interface; the assertions are what a client sees on the wire.
#include "httpresponder.h"
#include "httpserver.h"
#include "metrics.h"
#include "testhttpclient.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QScopeGuard>
#include <QTest>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <QTimer>

using tw::http::HttpLimits;
using tw::http::HttpResponder;
using tw::http::HttpResponse;
using tw::http::HttpServer;
using tw::test::kWaitMs;
using tw::test::ParsedResponse;
using tw::test::TestHttpClient;

namespace {

const QByteArray kRequests = QByteArrayLiteral("tickerwire_http_requests_total");
const QByteArray kRejections = QByteArrayLiteral("tickerwire_http_rejections_total");

QByteArray statusLabel(int status) { return "status=\"" + QByteArray::number(status) + '"'; }

QByteArray reasonLabel(const QByteArray &reason) { return "reason=\"" + reason + '"'; }

QByteArray get(const QByteArray &target, const QByteArray &extraHeaders = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
}

QByteArray post(
    const QByteArray &target, const QByteArray &body, const QByteArray &extraHeaders = {})
{
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n" + extraHeaders + "\r\n" + body;
}

// Small limits so every test reaches them quickly; individual tests lower some further.
HttpLimits smallLimits()
{
    HttpLimits l;
    l.maxHeaderBytes = 1024;
    l.maxBodyBytes = 1024;
    l.requestTimeoutMs = 5000;
    l.idleTimeoutMs = 30000;
    return l;
}

// The real server with three test routes:
//   GET  /hello  -> "hello:<query>" (x-secure: 1 over TLS)
//   POST /echo   -> the request body
//   GET  /slow   -> "slow:<query>", answered from a timer after 50 ms (or ?ms=N)
class ServerFixture {
public:
    explicit ServerFixture(const HttpLimits &limits)
        : server(limits, &metrics)
    {
        const tw::http::RouteTraits open { false, false, false };
        server.router().add(
            QByteArrayLiteral("GET"), QByteArrayLiteral("/hello"), open, [](HttpResponder *r) {
                HttpResponse response = HttpResponse::text(
                    200, "hello:" + r->request().query, QByteArrayLiteral("text/plain"));
                response.setHeader(QByteArrayLiteral("x-secure"),
                    r->request().secure ? QByteArrayLiteral("1") : QByteArrayLiteral("0"));
                r->respond(response);
            });
        server.router().add(
            QByteArrayLiteral("POST"), QByteArrayLiteral("/echo"), open, [](HttpResponder *r) {
                r->respond(HttpResponse::text(
                    200, r->request().body, QByteArrayLiteral("application/octet-stream")));
            });
        server.router().add(
            QByteArrayLiteral("GET"), QByteArrayLiteral("/slow"), open, [](HttpResponder *r) {
                // The responder is the timer's context: if the peer goes, the answer is dropped.
                const QByteArray delay = r->request().queryItem(QByteArrayLiteral("ms"));
                QTimer::singleShot(delay.isNull() ? 50 : delay.toInt(), r, [r] {
                    r->respond(HttpResponse::text(
                        200, "slow:" + r->request().query, QByteArrayLiteral("text/plain")));
                });
            });
    }

    bool listen(const QHostAddress &address = QHostAddress::LocalHost)
    {
        return server.listen(address, 0);
    }
    double metric(const QByteArray &name, const QByteArray &labels = {}) const
    {
        return metrics.value(name, labels);
    }

    tw::core::MetricsRegistry metrics; // outlives the server, which holds handles into it
    HttpServer server;
};

QString describe(const TestHttpClient &client)
{
    return QStringLiteral("protocol error: '%1'; received: '%2'")
        .arg(client.protocolError(), QString::fromLatin1(client.rawReceived().left(300)));
}

} // namespace

#define TW_NEXT_RESPONSE(var, client) \
    const std::optional<ParsedResponse> var = (client).nextResponse(); \
    QVERIFY2(var.has_value(), qPrintable(describe(client)))

class tst_HttpServer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keepAliveAnswersSequentialRequests();
    void http10WithoutKeepAliveIsClosed();
    void connectionCloseIsHonoured();
    void pipelinedRequestsAreAnsweredInOrder_data();
    void pipelinedRequestsAreAnsweredInOrder();
    void manyPipelinedAsyncRequestsBeyondTheQueueLimit();
    void refusalIsAnsweredAfterEarlierPipelinedResponses();
    void chunkedBodyAndExpectContinue_data();
    void chunkedBodyAndExpectContinue();
    void expectContinueWaitsForEarlierResponses();
    void headHasHeadersButNoBody();
    void unknownPathIs404Json();
    void wrongMethodIs405WithAllow();
    void optionsWithoutOriginIs204WithAllow();
    void badRequestsAreRefused_data();
    void badRequestsAreRefused();
    void longTargetIs414();
    void bodySentDespite413StillGetsTheAnswer();
    void refusalHalfClosesAndDrainsInsteadOfResetting();
    void slowlorisGets408WhileOthersAreServed();
    void idleKeepAliveConnectionIsClosed();
    void silentConnectionIsClosedAndCounted();
    void connectionCaps_data();
    void connectionCaps();
    void responsesAreCounted();
    void upgradeRequestIsNotSilentlyDropped();
    void servesIpv6();
    void servesTls();
};

void tst_HttpServer::keepAliveAnswersSequentialRequests()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    client.write(get(QByteArrayLiteral("/hello?n=1")));
    TW_NEXT_RESPONSE(first, client);
    QCOMPARE(first->status, 200);
    QCOMPARE(first->body, QByteArrayLiteral("hello:n=1"));
    QCOMPARE(first->header(QByteArrayLiteral("content-length")), QByteArrayLiteral("9"));
    QVERIFY(first->header(QByteArrayLiteral("connection")).isNull());
    // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
    const QString date = QString::fromLatin1(first->header(QByteArrayLiteral("date")));
    QVERIFY2(QRegularExpression(QStringLiteral("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] "
                                               "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                                               "[0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9] GMT$"))
                 .match(date)
                 .hasMatch(),
        qPrintable(date));

    // The second request goes out only after the first answer: the connection was kept.
    client.write(get(QByteArrayLiteral("/hello?n=2")));
    TW_NEXT_RESPONSE(second, client);
    QCOMPARE(second->status, 200);
    QCOMPARE(second->body, QByteArrayLiteral("hello:n=2"));
    QVERIFY(client.isConnected());
    QCOMPARE(f.metric(QByteArrayLiteral("tickerwire_http_connections_total")), 1.0);
}

void tst_HttpServer::http10WithoutKeepAliveIsClosed()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    client.write(QByteArrayLiteral("GET /hello?v=10 HTTP/1.0\r\n\r\n"));
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArrayLiteral("hello:v=10"));
    QCOMPARE(r->header(QByteArrayLiteral("connection")).toLower(), QByteArrayLiteral("close"));
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.unparsed(), QByteArray());
}

void tst_HttpServer::connectionCloseIsHonoured()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    // A request after the one that says "close" must not be answered.
    client.write(get(QByteArrayLiteral("/hello?last"), QByteArrayLiteral("Connection: close\r\n"))
        + get(QByteArrayLiteral("/hello?never")));
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArrayLiteral("hello:last"));
    QCOMPARE(r->header(QByteArrayLiteral("connection")).toLower(), QByteArrayLiteral("close"));
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.completeResponses(), 0);
    QCOMPARE(client.unparsed(), QByteArray());
    QCOMPARE(f.metric(kRequests, statusLabel(200)), 1.0);
}

void tst_HttpServer::pipelinedRequestsAreAnsweredInOrder_data()
{
    QTest::addColumn<QByteArray>("firstTarget");
    QTest::addColumn<QByteArray>("firstBody");
    QTest::newRow("all synchronous")
        << QByteArrayLiteral("/hello?first") << QByteArrayLiteral("hello:first");
    QTest::newRow("first answers from a timer")
        << QByteArrayLiteral("/slow") << QByteArrayLiteral("slow:");
}

void tst_HttpServer::pipelinedRequestsAreAnsweredInOrder()
{
    QFETCH(QByteArray, firstTarget);
    QFETCH(QByteArray, firstBody);
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    // Three requests in one write, the second with a body.
    client.write(get(firstTarget)
        + post(QByteArrayLiteral("/echo"), QByteArrayLiteral("second body"))
        + get(QByteArrayLiteral("/hello?third")));
    TW_NEXT_RESPONSE(r1, client);
    TW_NEXT_RESPONSE(r2, client);
    TW_NEXT_RESPONSE(r3, client);
    QCOMPARE(r1->status, 200);
    QCOMPARE(r1->body, firstBody);
    QCOMPARE(r2->status, 200);
    QCOMPARE(r2->body, QByteArrayLiteral("second body"));
    QCOMPARE(r3->status, 200);
    QCOMPARE(r3->body, QByteArrayLiteral("hello:third"));
    QVERIFY(client.isConnected());
    QCOMPARE(f.metric(QByteArrayLiteral("tickerwire_http_connections_total")), 1.0);
}

void tst_HttpServer::manyPipelinedAsyncRequestsBeyondTheQueueLimit()
{
    // More requests in flight than the connection queues: it stops reading and resumes as
    // answers go out; every request is answered once, in order.
    constexpr int kRequestsInFlight = 200;
    HttpLimits limits = smallLimits();
    limits.maxPipelinedRequests = 4;
    ServerFixture f(limits);
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    QByteArray all;
    for (int i = 0; i < kRequestsInFlight; ++i)
        all += get("/slow?ms=0&n=" + QByteArray::number(i));
    client.write(all);
    for (int i = 0; i < kRequestsInFlight; ++i) {
        TW_NEXT_RESPONSE(r, client);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, "slow:ms=0&n=" + QByteArray::number(i));
    }
    QCOMPARE(f.metric(kRequests, statusLabel(200)), double(kRequestsInFlight));
    QVERIFY(client.isConnected());
}

void tst_HttpServer::refusalIsAnsweredAfterEarlierPipelinedResponses()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    // A good asynchronous request, then garbage: the good one is answered first.
    client.write(
        get(QByteArrayLiteral("/slow?first")) + QByteArrayLiteral("NOT HTTP AT ALL\r\n\r\n"));
    TW_NEXT_RESPONSE(first, client);
    QCOMPARE(first->status, 200);
    QCOMPARE(first->body, QByteArrayLiteral("slow:first"));
    TW_NEXT_RESPONSE(refusal, client);
    QCOMPARE(refusal->status, 400);
    QCOMPARE(refusal->errorReason(), QStringLiteral("bad_request"));
    QVERIFY(client.waitForDisconnected());
}

void tst_HttpServer::chunkedBodyAndExpectContinue_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("expectContinue");
    QTest::addColumn<QByteArray>("decoded");

    const QByteArray chunkedBody
        = QByteArrayLiteral("5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
    const QByteArray chunkedHead = QByteArrayLiteral(
        "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n");
    QTest::newRow("chunked") << chunkedHead << chunkedBody << false
                             << QByteArrayLiteral("hello world");
    QTest::newRow("chunked with trailer")
        << chunkedHead << QByteArrayLiteral("b\r\nhello world\r\n0\r\nX-Trailer: 1\r\n\r\n")
        << false << QByteArrayLiteral("hello world");
    QTest::newRow("100-continue, Content-Length")
        << QByteArrayLiteral("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 11\r\n"
                             "Expect: 100-continue\r\n")
        << QByteArrayLiteral("hello world") << true << QByteArrayLiteral("hello world");
    QTest::newRow("100-continue, chunked")
        << QByteArray(chunkedHead + "Expect: 100-continue\r\n") << chunkedBody << true
        << QByteArrayLiteral("hello world");
}

void tst_HttpServer::chunkedBodyAndExpectContinue()
{
    QFETCH(QByteArray, head);
    QFETCH(QByteArray, body);
    QFETCH(bool, expectContinue);
    QFETCH(QByteArray, decoded);
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    if (expectContinue) {
        // A client that asked for 100-continue waits for it before sending the body.
        client.write(head + "\r\n");
        TW_NEXT_RESPONSE(interim, client);
        QCOMPARE(interim->statusLine, QByteArrayLiteral("HTTP/1.1 100 Continue"));
        QCOMPARE(interim->body, QByteArray());
        QCOMPARE(client.unparsed(), QByteArray());
        client.write(body);
    } else {
        client.write(head + "\r\n" + body);
    }
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, decoded);
    // The body was consumed exactly: the connection still parses the next request.
    client.write(get(QByteArrayLiteral("/hello?after")));
    TW_NEXT_RESPONSE(next, client);
    QCOMPARE(next->status, 200);
    QCOMPARE(next->body, QByteArrayLiteral("hello:after"));
}

void tst_HttpServer::expectContinueWaitsForEarlierResponses()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    // The first request is answered from a timer; the second asks for 100-continue. Responses
    // go out in request order, interim ones included.
    client.write(get(QByteArrayLiteral("/slow?first"))
        + QByteArrayLiteral("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n"
                            "Expect: 100-continue\r\n\r\n"));
    TW_NEXT_RESPONSE(first, client);
    QCOMPARE(first->status, 200);
    QCOMPARE(first->body, QByteArrayLiteral("slow:first"));
    TW_NEXT_RESPONSE(interim, client);
    QCOMPARE(interim->status, 100);
    client.write(QByteArrayLiteral("body"));
    TW_NEXT_RESPONSE(echo, client);
    QCOMPARE(echo->status, 200);
    QCOMPARE(echo->body, QByteArrayLiteral("body"));
}

void tst_HttpServer::headHasHeadersButNoBody()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    // HEAD then GET in one write: a body after the HEAD answer would be read as a status line.
    client.expectHeadResponse();
    client.expectNormalResponse();
    client.write(QByteArrayLiteral("HEAD /hello?h HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        + get(QByteArrayLiteral("/hello?g")));
    TW_NEXT_RESPONSE(head, client);
    QCOMPARE(head->status, 200);
    QCOMPARE(
        head->header(QByteArrayLiteral("content-length")), QByteArrayLiteral("7")); // "hello:h"
    QCOMPARE(head->header(QByteArrayLiteral("content-type")), QByteArrayLiteral("text/plain"));
    QCOMPARE(head->body, QByteArray());
    TW_NEXT_RESPONSE(getResponse, client);
    QCOMPARE(getResponse->status, 200);
    QCOMPARE(getResponse->body, QByteArrayLiteral("hello:g"));
    QCOMPARE(client.unparsed(), QByteArray());
}

void tst_HttpServer::unknownPathIs404Json()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    client.write(get(QByteArrayLiteral("/nowhere")));
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, 404);
    QCOMPARE(r->header(QByteArrayLiteral("content-type")), QByteArrayLiteral("application/json"));
    QCOMPARE(r->errorStatus(), 404);
    QCOMPARE(r->errorReason(), QStringLiteral("not_found"));
    QVERIFY(r->json()
                .value(QLatin1String("error"))
                .toObject()
                .value(QLatin1String("message"))
                .toString()
                .contains(QLatin1String("/nowhere")));
    // An answer, not a refusal: the connection stays usable.
    client.write(get(QByteArrayLiteral("/hello")));
    TW_NEXT_RESPONSE(next, client);
    QCOMPARE(next->status, 200);
}

void tst_HttpServer::wrongMethodIs405WithAllow()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    client.write(QByteArrayLiteral("DELETE /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        + post(QByteArrayLiteral("/hello"), QByteArrayLiteral("x")));
    for (int i = 0; i < 2; ++i) {
        TW_NEXT_RESPONSE(r, client);
        QCOMPARE(r->status, 405);
        QCOMPARE(r->errorStatus(), 405);
        QCOMPARE(r->errorReason(), QStringLiteral("method_not_allowed"));
        const QList<QByteArray> allow = r->header(QByteArrayLiteral("allow")).split(',');
        QList<QByteArray> methods;
        for (const QByteArray &m : allow)
            methods.append(m.trimmed());
        QVERIFY2(methods.contains("GET") && methods.contains("HEAD") && !methods.contains("DELETE"),
            r->header(QByteArrayLiteral("allow")).constData());
    }
    QVERIFY(client.isConnected());
}

void tst_HttpServer::optionsWithoutOriginIs204WithAllow()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    client.write(QByteArrayLiteral("OPTIONS /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        + get(QByteArrayLiteral("/hello")));
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, 204);
    QVERIFY(r->header(QByteArrayLiteral("allow")).contains("POST"));
    QVERIFY(!r->header(QByteArrayLiteral("allow")).contains("GET"));
    QCOMPARE(r->headerCount(QByteArrayLiteral("content-length")), 0);
    // No body bytes after a 204: the next answer parses.
    TW_NEXT_RESPONSE(next, client);
    QCOMPARE(next->status, 200);
    QCOMPARE(next->body, QByteArrayLiteral("hello:"));
}

void tst_HttpServer::badRequestsAreRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");

    // smallLimits(): 1024 header bytes, 1024 body bytes.
    QTest::newRow("header block over maxHeaderBytes")
        << get(QByteArrayLiteral("/hello"), "X-Big: " + QByteArray(2000, 'a') + "\r\n") << 431
        << QByteArrayLiteral("headers_too_large");
    QTest::newRow("many small headers over maxHeaderBytes")
        << get(QByteArrayLiteral("/hello"), QByteArray("X-Small: 0123456789\r\n").repeated(60))
        << 431 << QByteArrayLiteral("headers_too_large");
    // Only the head is sent: the refusal must come without waiting for the body.
    QTest::newRow("Content-Length over maxBodyBytes, body not sent")
        << QByteArrayLiteral(
               "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n")
        << 413 << QByteArrayLiteral("body_too_large");
    QTest::newRow("Content-Length over maxBodyBytes with 100-continue") << QByteArrayLiteral(
        "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n"
        "Expect: 100-continue\r\n\r\n") << 413 << QByteArrayLiteral("body_too_large");
    QByteArray chunks;
    for (int i = 0; i < 3; ++i)
        chunks += "200\r\n" + QByteArray(0x200, 'c') + "\r\n";
    QTest::newRow("chunked body growing over maxBodyBytes") << QByteArray(
        "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
        + "0\r\n\r\n") << 413 << QByteArrayLiteral("body_too_large");
    QTest::newRow("garbage request line")
        << QByteArrayLiteral("HELLO THERE\r\n\r\n") << 400 << QByteArrayLiteral("bad_request");
    // If the server believed Transfer-Encoding, the second request would be smuggled in.
    QTest::newRow("Content-Length and Transfer-Encoding")
        << QByteArray("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 44\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
               + get(QByteArrayLiteral("/hello?smuggled")))
        << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("repeated Content-Length") << QByteArrayLiteral(
        "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\n"
        "Content-Length: 2\r\n\r\nab") << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("obs-fold header")
        << QByteArrayLiteral("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\n\r\n")
        << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("obs-fold header, tab")
        << QByteArrayLiteral("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n\tb\r\n\r\n")
        << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("obs-fold header, several spaces") << QByteArrayLiteral(
        "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n   b\r\n\r\n")
                                                     << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("obs-fold after an empty value")
        << QByteArrayLiteral("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded:\r\n b\r\n\r\n")
        << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("obs-fold folding Content-Length") << QByteArrayLiteral(
        "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length:\r\n 3\r\n\r\nabc")
                                                     << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("bare LF in a header line")
        << QByteArrayLiteral("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\nX-A: b\r\n\r\n") << 400
        << QByteArrayLiteral("bad_request");
    QTest::newRow("whitespace before a header colon")
        << QByteArrayLiteral("GET /hello HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n") << 400
        << QByteArrayLiteral("bad_request");
    QTest::newRow("Transfer-Encoding not ending in chunked")
        << QByteArrayLiteral(
               "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\nabc")
        << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("invalid Content-Length") << QByteArrayLiteral(
        "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1x\r\n\r\na")
                                            << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("NUL in the path")
        << get(QByteArrayLiteral("/hel%00lo")) << 400 << QByteArrayLiteral("bad_request");
    QTest::newRow("more than 100 headers")
        << get(QByteArrayLiteral("/hello"), QByteArray("a: b\r\n").repeated(101)) << 431
        << QByteArrayLiteral("headers_too_large");
    QTest::newRow("HTTP/2.0 request line")
        << QByteArrayLiteral("GET /hello HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n") << 505
        << QByteArrayLiteral("http_version");
}

void tst_HttpServer::badRequestsAreRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    client.write(request);
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, status);
    QCOMPARE(r->header(QByteArrayLiteral("content-type")), QByteArrayLiteral("application/json"));
    QCOMPARE(r->errorStatus(), status);
    QCOMPARE(r->errorReason(), QString::fromLatin1(reason));
    QCOMPARE(r->header(QByteArrayLiteral("connection")).toLower(), QByteArrayLiteral("close"));
    QVERIFY(client.waitForDisconnected());
    // Exactly one answer: nothing after the refusal was treated as a request.
    QCOMPARE(client.completeResponses(), 0);
    QCOMPARE(client.unparsed(), QByteArray());

    QCOMPARE(f.metric(kRejections, reasonLabel(reason)), 1.0);
    QCOMPARE(f.metric(kRequests, statusLabel(status)), 1.0);
    QCOMPARE(f.metric(kRequests, statusLabel(200)), 0.0);

    // The server is unharmed.
    TestHttpClient next;
    QVERIFY(next.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    next.write(get(QByteArrayLiteral("/hello")));
    TW_NEXT_RESPONSE(ok, next);
    QCOMPARE(ok->status, 200);
}

void tst_HttpServer::longTargetIs414()
{
    ServerFixture f(HttpLimits {}); // default header limit, larger than the target limit
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(get("/hello?" + QByteArray(9000, 'q')));
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, 414);
    QCOMPARE(r->errorReason(), QStringLiteral("uri_too_long"));
    QCOMPARE(r->header(QByteArrayLiteral("connection")).toLower(), QByteArrayLiteral("close"));
    QVERIFY(client.waitForDisconnected());
}

void tst_HttpServer::bodySentDespite413StillGetsTheAnswer()
{
    // A client that sends a large body without waiting (no Expect) must still be able to read
    // the 413, not see its connection reset under it.
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(post(QByteArrayLiteral("/echo"), QByteArray(512 * 1024, 'b')));
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, 413);
    QCOMPARE(r->errorReason(), QStringLiteral("body_too_large"));
    QVERIFY(client.waitForDisconnected());
}

void tst_HttpServer::refusalHalfClosesAndDrainsInsteadOfResetting()
{
    // After a refusal the server half-closes and keeps reading (lingering close): a client
    // still sending its refused body must not have its connection reset under it, which over
    // a real network can destroy the 413 before the client reads it. QTcpSocket cannot
    // half-close, so this client is a plain non-blocking POSIX socket.
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    QVERIFY(fd >= 0);
    auto closeFd = qScopeGuard([fd] { ::close(fd); });
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(f.server.serverPort());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr);
    QVERIFY(rc == 0 || errno == EINPROGRESS);
    const QByteArray head = "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000000\r\n\r\n";
    QTRY_VERIFY_WITH_TIMEOUT(::send(fd, head.constData(), size_t(head.size()), MSG_NOSIGNAL) == head.size(), 5000);

    QByteArray received;
    bool eof = false;
    auto pump = [&] {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n > 0) {
                received.append(buf, n);
                continue;
            }
            if (n == 0)
                eof = true;
            return;
        }
    };
    QTRY_VERIFY_WITH_TIMEOUT((pump(), eof), 5000); // the 413, then the server's FIN
    QVERIFY2(received.startsWith("HTTP/1.1 413 "), received.left(200).constData());

    // The server closed its sending side only: the client may go on sending its body.
    const QByteArray chunk(16 * 1024, 'b');
    for (int round = 0; round < 10; ++round) {
        const ssize_t n = ::send(fd, chunk.constData(), size_t(chunk.size()), MSG_NOSIGNAL);
        QVERIFY2(n > 0 || errno == EAGAIN, qPrintable(QStringLiteral("round %1: %2").arg(round).arg(QString::fromLocal8Bit(strerror(errno)))));
        QTest::qWait(20); // let the server read (and, were it closed, the RST arrive)
    }
}

void tst_HttpServer::slowlorisGets408WhileOthersAreServed()
{
    HttpLimits limits = smallLimits();
    limits.requestTimeoutMs = 400;
    ServerFixture f(limits);
    QVERIFY(f.listen());

    TestHttpClient slow;
    QVERIFY(slow.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    slow.write(QByteArrayLiteral("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
    // One more byte of the header value every 100 ms, for far longer than the deadline: a
    // deadline that restarted with each byte would never fire.
    const QByteArray trickle(200, 'a');
    int trickled = 0;
    QTimer timer;
    timer.setInterval(100);
    QObject::connect(&timer, &QTimer::timeout, &slow, [&] {
        if (trickled < trickle.size() && slow.isConnected())
            slow.write(trickle.mid(trickled++, 1));
    });
    timer.start();

    // Meanwhile another client is served normally.
    TestHttpClient other;
    QVERIFY(other.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    other.write(get(QByteArrayLiteral("/hello?other")));
    TW_NEXT_RESPONSE(ok, other);
    QCOMPARE(ok->status, 200);
    QCOMPARE(ok->body, QByteArrayLiteral("hello:other"));

    TW_NEXT_RESPONSE(r, slow);
    QCOMPARE(r->status, 408);
    QCOMPARE(r->errorStatus(), 408);
    QCOMPARE(r->errorReason(), QStringLiteral("timeout"));
    QCOMPARE(r->header(QByteArrayLiteral("connection")).toLower(), QByteArrayLiteral("close"));
    QVERIFY(slow.waitForDisconnected());
    timer.stop();
    QVERIFY2(trickled >= 1, "the test never trickled a byte");
    QCOMPARE(f.metric(kRejections, reasonLabel(QByteArrayLiteral("timeout"))), 1.0);
    QCOMPARE(f.metric(kRequests, statusLabel(408)), 1.0);

    // And the other client's keep-alive connection still works after the timeout.
    other.write(get(QByteArrayLiteral("/hello?again")));
    TW_NEXT_RESPONSE(again, other);
    QCOMPARE(again->status, 200);
}

void tst_HttpServer::idleKeepAliveConnectionIsClosed()
{
    HttpLimits limits = smallLimits();
    limits.idleTimeoutMs = 200;
    ServerFixture f(limits);
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    client.write(get(QByteArrayLiteral("/hello")));
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, 200);
    QVERIFY(r->header(QByteArrayLiteral("connection")).isNull()); // kept alive...
    QVERIFY(client.waitForDisconnected()); // ...until idle for too long
    QCOMPARE(client.unparsed(), QByteArray()); // closed without a word
    QTRY_COMPARE_WITH_TIMEOUT(
        f.metric(QByteArrayLiteral("tickerwire_http_connections_open")), 0.0, kWaitMs);
    // Closing an idle keep-alive connection is routine, not a refusal.
    QCOMPARE(f.metric(kRejections, reasonLabel(QByteArrayLiteral("timeout"))), 0.0);
}

void tst_HttpServer::silentConnectionIsClosedAndCounted()
{
    HttpLimits limits = smallLimits();
    limits.requestTimeoutMs = 300;
    ServerFixture f(limits);
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    // Never sends a byte.
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.rawReceived(), QByteArray());
    QCOMPARE(f.metric(kRejections, reasonLabel(QByteArrayLiteral("timeout"))), 1.0);
}

void tst_HttpServer::connectionCaps_data()
{
    QTest::addColumn<int>("maxConnections");
    QTest::addColumn<int>("maxPerAddress");
    QTest::addColumn<bool>("otherAddressServed");
    QTest::newRow("per address") << 100 << 2 << true;
    QTest::newRow("total") << 2 << 100 << false;
}

void tst_HttpServer::connectionCaps()
{
    QFETCH(int, maxConnections);
    QFETCH(int, maxPerAddress);
    QFETCH(bool, otherAddressServed);
    HttpLimits limits = smallLimits();
    limits.maxConnections = maxConnections;
    limits.maxConnectionsPerAddress = maxPerAddress;
    ServerFixture f(limits);
    QVERIFY(f.listen());
    const quint16 port = f.server.serverPort();
    const QByteArray open = QByteArrayLiteral("tickerwire_http_connections_open");

    TestHttpClient c1;
    TestHttpClient c2;
    QVERIFY(c1.connectToServer(QHostAddress::LocalHost, port));
    QVERIFY(c2.connectToServer(QHostAddress::LocalHost, port));
    QTRY_COMPARE_WITH_TIMEOUT(f.metric(open), 2.0, kWaitMs);

    TestHttpClient refused;
    QVERIFY(refused.connectToServer(QHostAddress::LocalHost, port));
    refused.write(get(QByteArrayLiteral("/hello?third")));
    TW_NEXT_RESPONSE(r, refused);
    QCOMPARE(r->status, 503);
    QCOMPARE(r->errorStatus(), 503);
    QCOMPARE(r->errorReason(), QStringLiteral("connection_limit"));
    QCOMPARE(r->header(QByteArrayLiteral("connection")).toLower(), QByteArrayLiteral("close"));
    QVERIFY(refused.waitForDisconnected());
    QCOMPARE(refused.completeResponses(), 0);
    QCOMPARE(f.metric(kRejections, reasonLabel(QByteArrayLiteral("connection_limit"))), 1.0);

    // The first two still work.
    for (TestHttpClient *c : { &c1, &c2 }) {
        c->write(get(QByteArrayLiteral("/hello")));
        TW_NEXT_RESPONSE(ok, *c);
        QCOMPARE(ok->status, 200);
    }

    // A client from another loopback address: only the per-address cap lets it in.
    TestHttpClient elsewhere;
    if (elsewhere.connectToServer(
            QHostAddress::LocalHost, port, QHostAddress(QStringLiteral("127.0.0.2")))) {
        elsewhere.write(get(QByteArrayLiteral("/hello?elsewhere")));
        TW_NEXT_RESPONSE(e, elsewhere);
        QCOMPARE(e->status, otherAddressServed ? 200 : 503);
        elsewhere.abort();
    } else {
        qInfo("cannot bind 127.0.0.2 here; the other-address check is skipped");
    }

    // Closing a connection frees its slot.
    c1.abort();
    QTRY_COMPARE_WITH_TIMEOUT(f.metric(open), 1.0, kWaitMs);
    TestHttpClient later;
    QVERIFY(later.connectToServer(QHostAddress::LocalHost, port));
    later.write(get(QByteArrayLiteral("/hello?later")));
    TW_NEXT_RESPONSE(ok, later);
    QCOMPARE(ok->status, 200);
}

void tst_HttpServer::responsesAreCounted()
{
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));

    client.write(get(QByteArrayLiteral("/hello")) + get(QByteArrayLiteral("/hello"))
        + get(QByteArrayLiteral("/nope")));
    for (int status : { 200, 200, 404 }) {
        TW_NEXT_RESPONSE(r, client);
        QCOMPARE(r->status, status);
    }
    QCOMPARE(f.metric(kRequests, statusLabel(200)), 2.0);
    QCOMPARE(f.metric(kRequests, statusLabel(404)), 1.0);
    QCOMPARE(f.metric(kRejections, reasonLabel(QByteArrayLiteral("not_found"))), 0.0);
    QCOMPARE(f.metric(QByteArrayLiteral("tickerwire_http_connections_total")), 1.0);
    QCOMPARE(f.metric(QByteArrayLiteral("tickerwire_http_connections_open")), 1.0);
    // Every byte the client received is counted, and nothing else.
    QCOMPARE(f.metric(QByteArrayLiteral("tickerwire_http_response_bytes_total")),
        double(client.rawReceived().size()));
    // The Prometheus rendering carries the labelled series.
    QVERIFY(
        f.metrics.renderPrometheus().contains("tickerwire_http_requests_total{status=\"404\"} 1"));

    client.abort();
    QTRY_COMPARE_WITH_TIMEOUT(
        f.metric(QByteArrayLiteral("tickerwire_http_connections_open")), 0.0, kWaitMs);
}

void tst_HttpServer::upgradeRequestIsNotSilentlyDropped()
{
    // curl --http2 on an http:// URL asks to upgrade to h2c. The server does not switch
    // protocols; it answers in HTTP/1.1. If it then closes, it must say so in that answer,
    // or the client's next request on the connection is lost.
    ServerFixture f(smallLimits());
    QVERIFY(f.listen());
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    client.write(get(QByteArrayLiteral("/hello?up"),
        QByteArrayLiteral("Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: "
                          "AAMAAABkAAQAoAAAAAIAAAAA\r\n")));
    TW_NEXT_RESPONSE(r, client);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArrayLiteral("hello:up"));
    if (r->header(QByteArrayLiteral("connection")).toLower() == "close") {
        QVERIFY(client.waitForDisconnected());
        return;
    }
    client.write(get(QByteArrayLiteral("/hello?next")));
    TW_NEXT_RESPONSE(next, client);
    QCOMPARE(next->status, 200);
    QCOMPARE(next->body, QByteArrayLiteral("hello:next"));
}

void tst_HttpServer::servesIpv6()
{
    ServerFixture f(smallLimits());
    if (!f.listen(QHostAddress::LocalHostIPv6))
        QSKIP(qPrintable(QStringLiteral("cannot bind ::1 here: %1").arg(f.server.errorString())));
    QVERIFY(f.server.baseUrl().startsWith(QLatin1String("http://[::1]:")));

    // A real client, through the server's own base URL.
    QNetworkAccessManager nam;
    QNetworkReply *reply
        = nam.get(QNetworkRequest(QUrl(f.server.baseUrl() + QLatin1String("/hello?v6"))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->readAll(), QByteArrayLiteral("hello:v6"));
    reply->deleteLater();

    TestHttpClient raw;
    QVERIFY(raw.connectToServer(QHostAddress::LocalHostIPv6, f.server.serverPort()));
    raw.write(get(QByteArrayLiteral("/hello?raw")));
    TW_NEXT_RESPONSE(r, raw);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArrayLiteral("hello:raw"));
}

void tst_HttpServer::servesTls()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("this Qt has no TLS backend");
    QFile certFile(QStringLiteral(TW_TEST_DATA_DIR "/tls/localhost.crt"));
    QFile keyFile(QStringLiteral(TW_TEST_DATA_DIR "/tls/localhost.key"));
    QVERIFY(certFile.open(QIODevice::ReadOnly));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QSslCertificate cert(certFile.readAll(), QSsl::Pem);
    const QSslKey key(keyFile.readAll(), QSsl::Rsa, QSsl::Pem);
    QVERIFY(!cert.isNull());
    QVERIFY(!key.isNull());

    HttpLimits limits = smallLimits();
    limits.requestTimeoutMs = 2000; // also the TLS handshake timeout
    ServerFixture f(limits);
    QSslConfiguration serverConfig = QSslConfiguration::defaultConfiguration();
    serverConfig.setLocalCertificate(cert);
    serverConfig.setPrivateKey(key);
    serverConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
    f.server.setTlsConfiguration(serverConfig);
    QVERIFY2(f.listen(), qPrintable(f.server.errorString()));
    QVERIFY(f.server.isTls());
    QVERIFY(f.server.baseUrl().startsWith(QLatin1String("https://127.0.0.1:")));

    // QNetworkAccessManager trusting only the test certificate.
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(f.server.baseUrl() + QLatin1String("/hello?tls")));
    QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
    clientConfig.setCaCertificates({ cert });
    request.setSslConfiguration(clientConfig);
    QNetworkReply *reply = nam.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->rawHeader("X-Secure"), QByteArrayLiteral("1"));
    QCOMPARE(reply->readAll(), QByteArrayLiteral("hello:tls"));
    reply->deleteLater();

    // Plain HTTP to the TLS port gets no HTTP response, only a closed connection.
    TestHttpClient plain;
    QVERIFY(plain.connectToServer(QHostAddress::LocalHost, f.server.serverPort()));
    plain.write(get(QByteArrayLiteral("/hello?plain")));
    QVERIFY(plain.waitForDisconnected());
    QVERIFY2(!plain.rawReceived().startsWith("HTTP/"), plain.rawReceived().left(100).constData());
    QCOMPARE(f.metric(kRequests, statusLabel(200)), 1.0);

    // And TLS clients are still served after that.
    TestHttpClient secure;
    QVERIFY2(
        secure.connectToServerEncrypted(QStringLiteral("localhost"), f.server.serverPort(), cert),
        qPrintable(secure.socket()->errorString()));
    secure.write(get(QByteArrayLiteral("/hello?again")));
    TW_NEXT_RESPONSE(r, secure);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, QByteArrayLiteral("hello:again"));
    QCOMPARE(r->header(QByteArrayLiteral("x-secure")), QByteArrayLiteral("1"));
}

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"
