// Hostile input against the real tickerwire-server process on 127.0.0.1 port 0, over raw
// sockets: malformed, truncated and smuggling HTTP, oversized and invalid bodies, JSON-RPC and
// session abuse, Last-Event-ID garbage, connection floods, slowloris, a reader that never
// reads. tests/integration already checks the HTTP layer's refusals one by one on a bare
// HttpServer; this suite aims the same kind of input (and what those tests do not cover) at
// the whole pipeline -- middleware, MCP transport, engine, news bridge -- and after every
// case checks, in cleanup(), what a user of the server would notice: it still answers another
// client (health probe and a full MCP initialize), every connection the attack opened is gone,
// and its resident memory is back near the baseline measured after warm-up (generous
// tolerance: the check is for leaks and runaway buffers, not for allocator noise).
#include "testhttpclient.h"
#include "testserverprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <QTimer>

#include <memory>
#include <vector>

using tw::test::ParsedResponse;
using tw::test::StalledClient;
using tw::test::TestHttpClient;
using tw::test::TestServerProcess;

namespace {

constexpr int kTimeoutMs = 20000;
// RSS may sit this far above the warm baseline after an attack: allocators keep freed memory,
// and the demo feed's bounded rings fill. A leak per request or an unbounded buffer exceeds it.
constexpr qint64 kRssToleranceBytes = 48 * 1024 * 1024;
// Under ASan the server's freed memory sits in the allocator's quarantine (up to 256 MiB), so
// RSS only grows and says nothing about leaks; there LeakSanitizer checks the server at exit
// instead (terminate() fails on a leak report), and the RSS bound is checked in the other builds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssMeaningful = false;
#else
constexpr bool kRssMeaningful = true;
#endif
const QByteArray kKeyA = QByteArrayLiteral("hostile-key-a-0123456789abcdef");
const QByteArray kKeyB = QByteArrayLiteral("hostile-key-b-0123456789abcdef");
const QByteArray kBothTypes = QByteArrayLiteral("application/json, text/event-stream");
using Headers = QList<QPair<QByteArray, QByteArray>>;

QByteArray compact(const QJsonValue &v)
{
    return v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                       : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
}

QJsonObject rpc(const QJsonValue &id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject o { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
        { QStringLiteral("method"), method } };
    if (!id.isUndefined())
        o.insert(QStringLiteral("id"), id);
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    return o;
}

QJsonObject initializeParams(const QString &version)
{
    return QJsonObject { { QStringLiteral("protocolVersion"), version },
        { QStringLiteral("capabilities"), QJsonObject() },
        { QStringLiteral("clientInfo"),
            QJsonObject { { QStringLiteral("name"), QStringLiteral("hostile") },
                { QStringLiteral("version"), QStringLiteral("1") } } } };
}

// The error message of a JSON-RPC error body (HTTP-level refusals use the same envelope).
QString errorMessage(const QJsonObject &o)
{
    return o.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString();
}
int errorCode(const QJsonObject &o)
{
    return o.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt();
}

} // namespace

class tst_HostileInput : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    // HTTP framing, aimed at /mcp through the whole pipeline.
    void malformedHttpIsRefusedWithAReason_data();
    void malformedHttpIsRefusedWithAReason();
    void smuggledRequestIsNeverAnswered_data();
    void smuggledRequestIsNeverAnswered();
    void truncatedRequestsAreFreed_data();
    void truncatedRequestsAreFreed();
    void slowBodyGets408();
    // Sizes and encodings of the body.
    void oversizedInputs_data();
    void oversizedInputs();
    void invalidBodies_data();
    void invalidBodies();
    // JSON-RPC abuse inside a valid session.
    void jsonRpcAbuse_data();
    void jsonRpcAbuse();
    void batchOfThousands();
    void duplicateIdInFlightIsRejected();
    void hugeMethodNameIsNotEchoedWhole();
    // Sessions and resumption.
    void sessionAbuse_data();
    void sessionAbuse();
    void otherClientsSessionIsNotFound();
    void lastEventIdGarbage_data();
    void lastEventIdGarbage();
    // Floods and stalls.
    void connectionFloodBeyondTheCap();
    void readerThatNeverReadsIsDropped();

private:
    QByteArray request(const QByteArray &method, const QByteArray &target, const QByteArray &body,
        const Headers &headers, const QByteArray &key = kKeyA) const;
    QByteArray mcpPost(const QByteArray &body, const QByteArray &session = {},
        const Headers &extra = {}, const QByteArray &key = kKeyA) const;
    // Sends `bytes` on a fresh connection and returns the first complete response.
    std::optional<ParsedResponse> exchange(const QByteArray &bytes, int timeoutMs = kTimeoutMs);
    // A fully initialised session (initialize + notifications/initialized); empty on failure.
    QByteArray initialize(const QString &version = QStringLiteral("2025-06-18"),
        const QByteArray &key = kKeyA);
    QJsonObject call(const QByteArray &session, const QJsonObject &message,
        const QString &version = QStringLiteral("2025-06-18"), int *status = nullptr);
    double metric(const QByteArray &name);
    bool serverAnswersOthers(QString *why);

    TestServerProcess m_server;
    qint64 m_baselineRss = 0;
};

// --- Fixture ------------------------------------------------------------------------------

void tst_HostileInput::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({ QStringLiteral("--port"), QStringLiteral("0"),
                                QStringLiteral("--api-key"), QString::fromLatin1(kKeyA),
                                QStringLiteral("--api-key"), QString::fromLatin1(kKeyB),
                                QStringLiteral("--demo-rate"), QStringLiteral("20"),
                                QStringLiteral("--news-ring-total"), QStringLiteral("400"),
                                QStringLiteral("--news-ring-size"), QStringLiteral("100"),
                                QStringLiteral("--rate-limit"), QStringLiteral("0"),
                                QStringLiteral("--stream-rate-limit"), QStringLiteral("0"),
                                QStringLiteral("--max-connections"), QStringLiteral("120"),
                                QStringLiteral("--max-connections-per-client"), QStringLiteral("40"),
                                QStringLiteral("--max-body-bytes"), QStringLiteral("262144"),
                                QStringLiteral("--request-timeout"), QStringLiteral("1500"),
                                QStringLiteral("--idle-timeout"), QStringLiteral("4000"),
                                QStringLiteral("--request-grace"), QStringLiteral("300"),
                                QStringLiteral("--stream-buffer-bytes"), QStringLiteral("16384"),
                                QStringLiteral("--heartbeat-interval"), QStringLiteral("1000") },
                 &error),
        qPrintable(error));
    // Warm up every path the cases use, so the baseline includes what any first use allocates.
    for (int i = 0; i < 3; ++i) {
        const QByteArray session = initialize();
        QVERIFY(!session.isEmpty());
        call(session, rpc(2, QStringLiteral("tools/list")));
        call(session,
            rpc(3, QStringLiteral("tools/call"),
                QJsonObject { { QStringLiteral("name"), QStringLiteral("get_market_news") },
                    { QStringLiteral("arguments"),
                        QJsonObject { { QStringLiteral("symbol"), QStringLiteral("TSLA") } } } }));
        exchange(request("DELETE", "/mcp", {}, { { "Mcp-Session-Id", session } }));
    }
    QTest::qWait(2000); // let the demo rings fill up to their bounds
    m_baselineRss = m_server.rssBytes();
    QVERIFY(m_baselineRss > 0);
    qInfo("server pid %lld, baseline RSS %.1f MiB, %d fds", m_server.pid(),
        double(m_baselineRss) / 1048576.0, m_server.openFds());
}

void tst_HostileInput::cleanup()
{
    QVERIFY2(m_server.isRunning(),
        qPrintable(QStringLiteral("the server died:\n") + QString::fromUtf8(m_server.stderrText().right(3000))));
    QString why;
    QVERIFY2(serverAnswersOthers(&why), qPrintable(why));
    // Every connection the case opened is gone (the probe's own /metrics connection is one).
    QTRY_VERIFY_WITH_TIMEOUT(metric("tickerwire_http_connections_open") <= 1.0, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(metric("tickerwire_http_streams_open"), 0.0, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(metric("tickerwire_mcp_requests_in_flight"), 0.0, kTimeoutMs);
    const qint64 rss = m_server.rssBytes();
    QVERIFY2(!kRssMeaningful || rss - m_baselineRss < kRssToleranceBytes,
        qPrintable(QStringLiteral("RSS %1 MiB after the case, baseline %2 MiB")
                       .arg(double(rss) / 1048576.0, 0, 'f', 1)
                       .arg(double(m_baselineRss) / 1048576.0, 0, 'f', 1)));
}

void tst_HostileInput::cleanupTestCase()
{
    qInfo("final RSS %.1f MiB (baseline %.1f MiB), %d fds", double(m_server.rssBytes()) / 1048576.0,
        double(m_baselineRss) / 1048576.0, m_server.openFds());
    QVERIFY2(m_server.terminate(), "the server did not exit cleanly on SIGTERM");
}

QByteArray tst_HostileInput::request(const QByteArray &method, const QByteArray &target,
    const QByteArray &body, const Headers &headers, const QByteArray &key) const
{
    QByteArray out = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1:"
        + QByteArray::number(m_server.port()) + "\r\n";
    if (!key.isEmpty())
        out += "X-API-Key: " + key + "\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    if (!body.isEmpty() || method == "POST")
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return out + "\r\n" + body;
}

QByteArray tst_HostileInput::mcpPost(
    const QByteArray &body, const QByteArray &session, const Headers &extra, const QByteArray &key) const
{
    Headers h { { "Content-Type", "application/json" }, { "Accept", kBothTypes } };
    if (!session.isEmpty())
        h.append({ "Mcp-Session-Id", session });
    h += extra;
    return request("POST", "/mcp", body, h, key);
}

std::optional<ParsedResponse> tst_HostileInput::exchange(const QByteArray &bytes, int timeoutMs)
{
    TestHttpClient client;
    if (!client.connectToServer(QHostAddress::LocalHost, m_server.port()))
        return std::nullopt;
    client.write(bytes);
    return client.nextResponse(timeoutMs);
}

QByteArray tst_HostileInput::initialize(const QString &version, const QByteArray &key)
{
    const auto r = exchange(mcpPost(compact(rpc(1, QStringLiteral("initialize"), initializeParams(version))),
        {}, {}, key));
    if (!r || r->status != 200)
        return {};
    const QByteArray session = r->header("mcp-session-id");
    const auto ready = exchange(mcpPost(compact(rpc(QJsonValue::Undefined,
                                            QStringLiteral("notifications/initialized"))),
        session, { { "MCP-Protocol-Version", version.toLatin1() } }, key));
    return ready && ready->status == 202 ? session : QByteArray();
}

QJsonObject tst_HostileInput::call(
    const QByteArray &session, const QJsonObject &message, const QString &version, int *status)
{
    const auto r = exchange(
        mcpPost(compact(message), session, { { "MCP-Protocol-Version", version.toLatin1() } }));
    if (status)
        *status = r ? r->status : 0;
    if (!r)
        return {};
    if (r->header("content-type").startsWith("text/event-stream")) {
        // The answer is the last event of the stream.
        const tw::test::SseParse sse = tw::test::parseSse(r->body);
        return sse.events.isEmpty() ? QJsonObject()
                                    : QJsonDocument::fromJson(sse.events.constLast().data).object();
    }
    return r->json();
}

double tst_HostileInput::metric(const QByteArray &name)
{
    const auto r = exchange(request("GET", "/metrics", {}, {}), 5000);
    if (!r || r->status != 200)
        return -1;
    return tw::test::sumMetric(r->body, name);
}

bool tst_HostileInput::serverAnswersOthers(QString *why)
{
    // Another client, from another loopback address where the system allows binding one.
    TestHttpClient probe;
    if (!probe.connectToServer(QHostAddress::LocalHost, m_server.port(), QHostAddress(QStringLiteral("127.0.0.2")))
        && !probe.connectToServer(QHostAddress::LocalHost, m_server.port())) {
        *why = QStringLiteral("cannot connect");
        return false;
    }
    probe.write(request("GET", "/healthz", {}, {}, {}));
    const auto health = probe.nextResponse(kTimeoutMs);
    if (!health || health->status != 200) {
        *why = QStringLiteral("/healthz did not answer 200 (%1)").arg(health ? health->status : 0);
        return false;
    }
    const QByteArray session = initialize();
    if (session.isEmpty()) {
        *why = QStringLiteral("a new client could not initialize an MCP session");
        return false;
    }
    const QJsonObject pong = call(session, rpc(7, QStringLiteral("ping")));
    exchange(request("DELETE", "/mcp", {}, { { "Mcp-Session-Id", session } }));
    if (!pong.contains(QLatin1String("result"))) {
        *why = QStringLiteral("ping got no result: %1").arg(QString::fromUtf8(compact(pong)));
        return false;
    }
    return true;
}

// --- HTTP framing -------------------------------------------------------------------------

void tst_HostileInput::malformedHttpIsRefusedWithAReason_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");

    const QByteArray head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + kKeyA
        + "\r\nContent-Type: application/json\r\nAccept: " + kBothTypes + "\r\n";
    QTest::newRow("Content-Length with a sign") << QByteArray(head + "Content-Length: +2\r\n\r\n{}") << 400;
    QTest::newRow("negative Content-Length") << QByteArray(head + "Content-Length: -1\r\n\r\n{}") << 400;
    QTest::newRow("Content-Length overflowing 64 bits")
        << QByteArray(head + "Content-Length: 99999999999999999999999\r\n\r\n{}") << 400;
    QTest::newRow("Content-Length list") << QByteArray(head + "Content-Length: 2, 2\r\n\r\n{}") << 400;
    QTest::newRow("chunk size overflowing 64 bits") << QByteArray(
        head + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\n{}\r\n0\r\n\r\n") << 400;
    QTest::newRow("chunk size not hex")
        << QByteArray(head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n") << 400;
    QTest::newRow("chunk data longer than its size")
        << QByteArray(head + "Transfer-Encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n") << 400;
    QTest::newRow("Transfer-Encoding xchunked")
        << QByteArray(head + "Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n") << 400;
    QTest::newRow("NUL in a header value")
        << QByteArray(head + "X-Evil: a" + QByteArray(1, '\0') + "b\r\nContent-Length: 2\r\n\r\n{}") << 400;
    QTest::newRow("CR alone in a header value")
        << QByteArray(head + "X-Evil: a\rb\r\nContent-Length: 2\r\n\r\n{}") << 400;
    QTest::newRow("space in a header name")
        << QByteArray(head + "X Evil: a\r\nContent-Length: 2\r\n\r\n{}") << 400;
    // An HTTP/0.9 request line: answered in HTTP/1.1 all the same, as 505 with a reason.
    QTest::newRow("no HTTP version") << QByteArrayLiteral("GET /healthz\r\nHost: 127.0.0.1\r\n\r\n") << 505;
    QTest::newRow("binary garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << 400;
}

void tst_HostileInput::malformedHttpIsRefusedWithAReason()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, m_server.port()));
    client.write(bytes);
    const auto r = client.nextResponse(kTimeoutMs);
    QVERIFY2(r, client.rawReceived().left(300).constData());
    QCOMPARE(r->status, status);
    QCOMPARE(r->errorStatus(), status);
    QVERIFY2(!errorMessage(r->json()).isEmpty(), r->body.constData());
    QCOMPARE(r->header("connection").toLower(), QByteArrayLiteral("close"));
    QVERIFY(client.waitForDisconnected(kTimeoutMs));
}

void tst_HostileInput::smuggledRequestIsNeverAnswered_data()
{
    QTest::addColumn<QByteArray>("bytes");

    // Behind the first request hides a second one (a DELETE of some session, a metrics read);
    // a server that framed the body differently from a proxy in front of it would answer it.
    const QByteArray hidden = "GET /metrics?smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + kKeyA + "\r\n\r\n";
    const QByteArray head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + kKeyA
        + "\r\nContent-Type: application/json\r\nAccept: " + kBothTypes + "\r\n";
    QTest::newRow("TE before CL") << QByteArray(head + "Transfer-Encoding: chunked\r\nContent-Length: "
        + QByteArray::number(5 + hidden.size()) + "\r\n\r\n0\r\n\r\n" + hidden);
    QTest::newRow("CL before TE") << QByteArray(head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden);
    QTest::newRow("two Content-Lengths") << QByteArray(head + "Content-Length: 0\r\nContent-Length: "
        + QByteArray::number(hidden.size()) + "\r\n\r\n" + hidden);
    QTest::newRow("Transfer-Encoding chunked twice") << QByteArray(head
        + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n" + hidden);
    QTest::newRow("obs-folded Transfer-Encoding") << QByteArray(head
        + "Content-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" + hidden);
    QTest::newRow("Transfer-Encoding with a tab") << QByteArray(head
        + "Content-Length: 5\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n" + hidden);
    QTest::newRow("chunked in HTTP/1.0") << QByteArray(
        "POST /mcp HTTP/1.0\r\nHost: 127.0.0.1\r\nX-API-Key: " + kKeyA
        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"
        + hidden);
}

void tst_HostileInput::smuggledRequestIsNeverAnswered()
{
    QFETCH(QByteArray, bytes);
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, m_server.port()));
    client.write(bytes);
    const auto r = client.nextResponse(kTimeoutMs);
    QVERIFY2(r, client.rawReceived().left(300).constData());
    // Refused as a whole, with a reason, and the connection closed: nothing after it is read.
    QCOMPARE(r->status, 400);
    QVERIFY2(!errorMessage(r->json()).isEmpty(), r->body.constData());
    QVERIFY(client.waitForDisconnected(kTimeoutMs));
    QCOMPARE(client.completeResponses(), 0);
    QVERIFY2(!client.rawReceived().contains("tickerwire_"), "the smuggled /metrics was answered");
}

void tst_HostileInput::truncatedRequestsAreFreed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("hangUp"); // else the client stays silent: 408 after the request timeout

    const QByteArray head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + kKeyA
        + "\r\nContent-Type: application/json\r\nAccept: " + kBothTypes + "\r\n";
    QTest::newRow("request line cut, hang up") << QByteArrayLiteral("POST /mc") << true;
    QTest::newRow("head cut, hang up") << QByteArray(head + "Content-Le") << true;
    QTest::newRow("body cut, hang up") << QByteArray(head + "Content-Length: 100\r\n\r\n{\"jsonrpc\"") << true;
    QTest::newRow("chunked body cut, hang up")
        << QByteArray(head + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"jsonrpc\":") << true;
    QTest::newRow("head cut, silence") << QByteArray(head + "Content-Le") << false;
    QTest::newRow("body cut, silence") << QByteArray(head + "Content-Length: 100\r\n\r\n{\"jsonrpc\"") << false;
    QTest::newRow("last chunk missing, silence")
        << QByteArray(head + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n") << false;
}

void tst_HostileInput::truncatedRequestsAreFreed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, hangUp);
    TestHttpClient client;
    QVERIFY(client.connectToServer(QHostAddress::LocalHost, m_server.port()));
    client.write(bytes);
    if (hangUp) {
        QTest::qWait(50);
        client.abort();
        return; // cleanup() checks the server let go of the connection
    }
    const auto r = client.nextResponse(kTimeoutMs);
    QVERIFY2(r, "a stalled request got no answer");
    QCOMPARE(r->status, 408);
    QCOMPARE(r->errorReason(), QStringLiteral("timeout"));
    QVERIFY2(!errorMessage(r->json()).isEmpty(), r->body.constData());
    QVERIFY(client.waitForDisconnected(kTimeoutMs));
}

void tst_HostileInput::slowBodyGets408()
{
    // The head arrives at once; the body one byte every 100 ms, far past the 1.5 s deadline. A
    // deadline that restarted with each byte would let this hold a connection forever.
    TestHttpClient slow;
    QVERIFY(slow.connectToServer(QHostAddress::LocalHost, m_server.port()));
    const QByteArray body = compact(rpc(1, QStringLiteral("ping"))) + QByteArray(200, ' ');
    slow.write(mcpPost({}).replace(QByteArrayLiteral("Content-Length: 0"),
        QByteArray("Content-Length: " + QByteArray::number(body.size()))));
    int sent = 0;
    QTimer timer;
    timer.setInterval(100);
    connect(&timer, &QTimer::timeout, &slow, [&] {
        if (sent < body.size() && slow.isConnected())
            slow.write(body.mid(sent++, 1));
    });
    timer.start();
    const auto r = slow.nextResponse(kTimeoutMs);
    timer.stop();
    QVERIFY(r);
    QCOMPARE(r->status, 408);
    QVERIFY2(!errorMessage(r->json()).isEmpty(), r->body.constData());
    QVERIFY2(sent > 0 && sent < body.size(), "the body was not trickled past the deadline");
}

// --- Bodies -------------------------------------------------------------------------------

void tst_HostileInput::oversizedInputs_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");

    const QByteArray post = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + kKeyA
        + "\r\nContent-Type: application/json\r\nAccept: " + kBothTypes + "\r\n";
    QTest::newRow("one header of 64 KiB")
        << QByteArray(post + "X-Big: " + QByteArray(64 * 1024, 'a') + "\r\nContent-Length: 2\r\n\r\n{}")
        << 431 << QStringLiteral("headers_too_large");
    QTest::newRow("Mcp-Session-Id of 20 KiB")
        << QByteArray(post + "Mcp-Session-Id: " + QByteArray(20 * 1024, 'f') + "\r\nContent-Length: 2\r\n\r\n{}")
        << 431 << QStringLiteral("headers_too_large");
    QTest::newRow("body announced at 1 GiB")
        << QByteArray(post + "Content-Length: 1073741824\r\n\r\n{") << 413 << QStringLiteral("body_too_large");
    QByteArray big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\""
        + QByteArray(300 * 1024, 'x') + "\"}}";
    QTest::newRow("body of 300 KiB over a 256 KiB limit")
        << QByteArray(post + "Content-Length: " + QByteArray::number(big.size()) + "\r\n\r\n" + big) << 413
        << QStringLiteral("body_too_large");
    QByteArray chunked;
    for (int i = 0; i < 40; ++i)
        chunked += "2000\r\n" + QByteArray(0x2000, ' ') + "\r\n";
    QTest::newRow("chunked body growing past the limit")
        << QByteArray(post + "Transfer-Encoding: chunked\r\n\r\n" + chunked + "0\r\n\r\n") << 413
        << QStringLiteral("body_too_large");
    const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
    QTest::newRow("arrays nested 100000 deep")
        << QByteArray(post + "Content-Length: " + QByteArray::number(deep.size()) + "\r\n\r\n" + deep) << 400
        << QStringLiteral("json_too_deep");
    QByteArray objects = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":";
    for (int i = 0; i < 5000; ++i)
        objects += "{\"a\":";
    objects += "1" + QByteArray(5000, '}') + "}";
    QTest::newRow("params nested 5000 deep")
        << QByteArray(post + "Content-Length: " + QByteArray::number(objects.size()) + "\r\n\r\n" + objects)
        << 400 << QStringLiteral("json_too_deep");
}

void tst_HostileInput::oversizedInputs()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    QFETCH(QString, reason);
    const auto r = exchange(bytes);
    QVERIFY(r);
    QCOMPARE(r->status, status);
    QCOMPARE(r->errorReason(), reason);
    QVERIFY2(!errorMessage(r->json()).isEmpty(), r->body.constData());
}

void tst_HostileInput::invalidBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("rpcCode");

    const QByteArray init = compact(rpc(1, QStringLiteral("initialize"), initializeParams(QStringLiteral("2025-06-18"))));
    QTest::newRow("invalid UTF-8 in a string")
        << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"x\":\"\xff\xfe\xc0\xaf\"}}")
        << QByteArrayLiteral("application/json") << 400 << -32700;
    QTest::newRow("overlong UTF-8 encoding of a quote")
        << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ini\xc0\xa2tialize\"}")
        << QByteArrayLiteral("application/json") << 400 << -32700;
    QTest::newRow("NUL byte inside the JSON")
        << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\0\"method\":\"ping\"}", 38)
        << QByteArrayLiteral("application/json") << 400 << -32700;
    QTest::newRow("truncated JSON") << init.left(init.size() / 2) << QByteArrayLiteral("application/json")
                                    << 400 << -32700;
    QTest::newRow("JSON scalar") << QByteArrayLiteral("42") << QByteArrayLiteral("application/json") << 400
                                 << -32600;
    QTest::newRow("text/plain") << init << QByteArrayLiteral("text/plain") << 415 << -32600;
    QTest::newRow("form encoded") << init << QByteArrayLiteral("application/x-www-form-urlencoded") << 415
                                  << -32600;
    QTest::newRow("multipart") << init << QByteArrayLiteral("multipart/form-data; boundary=x") << 415 << -32600;
    QTest::newRow("no content type") << init << QByteArray() << 415 << -32600;
    QTest::newRow("json-seq") << init << QByteArrayLiteral("application/json-seq") << 415 << -32600;
}

void tst_HostileInput::invalidBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(int, rpcCode);
    Headers h { { "Accept", kBothTypes } };
    if (!contentType.isEmpty())
        h.append({ "Content-Type", contentType });
    const auto r = exchange(request("POST", "/mcp", body, h));
    QVERIFY(r);
    QCOMPARE(r->status, status);
    QCOMPARE(errorCode(r->json()), rpcCode);
    QVERIFY2(!errorMessage(r->json()).isEmpty(), r->body.constData());
    QVERIFY2(r->header("mcp-session-id").isEmpty(), "a refused initialize created a session");
}

// --- JSON-RPC -----------------------------------------------------------------------------

void tst_HostileInput::jsonRpcAbuse_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("rpcCode");
    QTest::addColumn<QString>("messageMentions");

    auto msg = [](const QJsonObject &o) { return compact(o); };
    const QJsonObject toolsCall { { QStringLiteral("name"), QStringLiteral("get_market_news") } };
    QTest::newRow("unknown method") << msg(rpc(5, QStringLiteral("tools/explode"))) << -32601
                                    << QStringLiteral("tools/explode");
    QTest::newRow("fractional id") << QByteArrayLiteral("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}")
                                   << -32600 << QStringLiteral("id");
    QTest::newRow("object id") << QByteArrayLiteral("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}")
                               << -32600 << QStringLiteral("id");
    QTest::newRow("id 1e300") << QByteArrayLiteral("{\"jsonrpc\":\"2.0\",\"id\":1e300,\"method\":\"ping\"}")
                              << -32600 << QStringLiteral("id");
    QTest::newRow("jsonrpc 1.0") << QByteArrayLiteral("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}")
                                 << -32600 << QStringLiteral("jsonrpc");
    QTest::newRow("method a number") << QByteArrayLiteral("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":42}")
                                     << -32600 << QStringLiteral("method");
    QTest::newRow("params an array") << QByteArrayLiteral("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":[1]}")
                                     << -32602 << QStringLiteral("params");
    QTest::newRow("tools/call without a name") << msg(rpc(6, QStringLiteral("tools/call"), QJsonObject { { QStringLiteral("x"), 1 } }))
                                                << -32602 << QStringLiteral("name");
    QTest::newRow("tool name a number")
        << msg(rpc(6, QStringLiteral("tools/call"), QJsonObject { { QStringLiteral("name"), 42 } })) << -32602
        << QStringLiteral("name");
    QJsonObject wrongSymbol = toolsCall;
    wrongSymbol.insert(QStringLiteral("arguments"), QJsonObject { { QStringLiteral("symbol"), 42 } });
    QTest::newRow("symbol a number") << msg(rpc(7, QStringLiteral("tools/call"), wrongSymbol)) << -32602
                                     << QStringLiteral("symbol");
    QJsonObject wrongLimit = toolsCall;
    wrongLimit.insert(QStringLiteral("arguments"),
        QJsonObject { { QStringLiteral("symbol"), QStringLiteral("TSLA") }, { QStringLiteral("limit"), QStringLiteral("lots") } });
    QTest::newRow("limit a string") << msg(rpc(8, QStringLiteral("tools/call"), wrongLimit)) << -32602
                                    << QStringLiteral("limit");
    QJsonObject hugeLimit = toolsCall;
    hugeLimit.insert(QStringLiteral("arguments"),
        QJsonObject { { QStringLiteral("symbol"), QStringLiteral("TSLA") }, { QStringLiteral("limit"), 1e18 } });
    QTest::newRow("limit 1e18") << msg(rpc(9, QStringLiteral("tools/call"), hugeLimit)) << -32602
                                << QStringLiteral("limit");
    QJsonObject arguments = toolsCall;
    arguments.insert(QStringLiteral("arguments"), QStringLiteral("TSLA"));
    QTest::newRow("arguments a string") << msg(rpc(10, QStringLiteral("tools/call"), arguments)) << -32602
                                        << QStringLiteral("arguments");
    QTest::newRow("batch on 2025-06-18") << QByteArray("[" + msg(rpc(11, QStringLiteral("ping"))) + "]")
                                         << -32600 << QStringLiteral("batch");
}

void tst_HostileInput::jsonRpcAbuse()
{
    QFETCH(QByteArray, body);
    QFETCH(int, rpcCode);
    QFETCH(QString, messageMentions);
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const auto r = exchange(mcpPost(body, session, { { "MCP-Protocol-Version", "2025-06-18" } }));
    QVERIFY(r);
    QJsonObject answer = r->json();
    if (r->header("content-type").startsWith("text/event-stream")) {
        const tw::test::SseParse sse = tw::test::parseSse(r->body);
        QVERIFY(!sse.events.isEmpty());
        answer = QJsonDocument::fromJson(sse.events.constLast().data).object();
    }
    QVERIFY2(answer.contains(QLatin1String("error")), r->body.left(500).constData());
    QCOMPARE(errorCode(answer), rpcCode);
    QVERIFY2(errorMessage(answer).contains(messageMentions, Qt::CaseInsensitive),
        qPrintable(errorMessage(answer)));
    QVERIFY(r->status == 200 || r->status == 400);
    // The session survives a bad message.
    QVERIFY(call(session, rpc(99, QStringLiteral("ping"))).contains(QLatin1String("result")));
    exchange(request("DELETE", "/mcp", {}, { { "Mcp-Session-Id", session } }));
}

void tst_HostileInput::batchOfThousands()
{
    // 2025-03-26 is the one negotiated version that allows batches.
    const QString version = QStringLiteral("2025-03-26");
    const QByteArray session = initialize(version);
    QVERIFY(!session.isEmpty());
    QJsonArray batch;
    const int n = 4000;
    for (int i = 0; i < n; ++i)
        batch.append(rpc(i % 2 ? QJsonValue(i) : QJsonValue(QStringLiteral("s%1").arg(i)), QStringLiteral("ping")));
    // A few duplicates of ids already in the batch, and a notification.
    batch.append(rpc(1, QStringLiteral("ping")));
    batch.append(rpc(QStringLiteral("s0"), QStringLiteral("ping")));
    batch.append(rpc(QJsonValue::Undefined, QStringLiteral("notifications/cancelled"),
        QJsonObject { { QStringLiteral("requestId"), 424242 } }));
    const QByteArray body = compact(batch);
    QVERIFY(body.size() < 262144);
    const auto r = exchange(mcpPost(body, session, { { "MCP-Protocol-Version", version.toLatin1() } }), 60000);
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    const QJsonArray answers = QJsonDocument::fromJson(r->body).array();
    // Every request is answered exactly once, by its id; the notification gets no answer.
    QCOMPARE(answers.size(), n + 2);
    int results = 0;
    int duplicateErrors = 0;
    for (const QJsonValue &a : answers) {
        const QJsonObject o = a.toObject();
        if (o.contains(QLatin1String("result")))
            ++results;
        else if (errorCode(o) == -32600 && errorMessage(o).contains(QLatin1String("id")))
            ++duplicateErrors;
    }
    QCOMPARE(results, n);
    QCOMPARE(duplicateErrors, 2);
    exchange(request("DELETE", "/mcp", {}, { { "Mcp-Session-Id", session } }));
}

void tst_HostileInput::duplicateIdInFlightIsRejected()
{
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const QJsonObject stream = rpc(77, QStringLiteral("tools/call"),
        QJsonObject { { QStringLiteral("name"), QStringLiteral("stream_market_news") },
            { QStringLiteral("arguments"),
                QJsonObject { { QStringLiteral("symbol"), QStringLiteral("TSLA") },
                    { QStringLiteral("duration"), 3000 }, { QStringLiteral("interval"), 1000 } } },
            { QStringLiteral("_meta"), QJsonObject { { QStringLiteral("progressToken"), QStringLiteral("p77") } } } });
    TestHttpClient first;
    QVERIFY(first.connectToServer(QHostAddress::LocalHost, m_server.port()));
    first.write(mcpPost(compact(stream), session, { { "MCP-Protocol-Version", "2025-06-18" } }));
    QVERIFY(first.waitForHead(kTimeoutMs));
    QCOMPARE(first.current()->status, 200);

    // Same id while the first runs: refused, and the answer does not cross to the first stream.
    const QJsonObject dup = call(session, stream);
    QCOMPARE(errorCode(dup), -32600);
    QVERIFY2(errorMessage(dup).contains(QLatin1String("already used")), qPrintable(errorMessage(dup)));

    const auto done = first.nextResponse(kTimeoutMs);
    QVERIFY2(done, qPrintable(first.protocolError() + QString::fromUtf8(m_server.stderrText().right(1500))));
    const tw::test::SseParse sse = tw::test::parseSse(done->body);
    QVERIFY(!sse.events.isEmpty());
    const QJsonObject last = QJsonDocument::fromJson(sse.events.constLast().data).object();
    QVERIFY2(last.contains(QLatin1String("result")), sse.events.constLast().data.constData());
    QCOMPARE(last.value(QLatin1String("id")).toInt(), 77);
    exchange(request("DELETE", "/mcp", {}, { { "Mcp-Session-Id", session } }));
}

void tst_HostileInput::hugeMethodNameIsNotEchoedWhole()
{
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const QString method = QString(200 * 1024, QLatin1Char('m'));
    int status = 0;
    const QJsonObject answer = call(session, rpc(1, method), QStringLiteral("2025-06-18"), &status);
    QCOMPARE(errorCode(answer), -32601);
    // Says what was wrong without mirroring 200 KiB of the attacker's bytes back (or into logs).
    QVERIFY2(errorMessage(answer).size() < 1024, qPrintable(errorMessage(answer).left(200)));
    QVERIFY(errorMessage(answer).startsWith(QLatin1String("Method not found")));
    const QString id = QString(100 * 1024, QLatin1Char('i'));
    const QJsonObject unknownWithHugeId = call(session, rpc(id, QStringLiteral("nope/nope")));
    QCOMPARE(errorCode(unknownWithHugeId), -32601);
    // The id must come back intact: it is how the client matches the answer.
    QCOMPARE(unknownWithHugeId.value(QLatin1String("id")).toString(), id);
    exchange(request("DELETE", "/mcp", {}, { { "Mcp-Session-Id", session } }));
}

// --- Sessions -----------------------------------------------------------------------------

void tst_HostileInput::sessionAbuse_data()
{
    QTest::addColumn<QByteArray>("session");
    QTest::addColumn<int>("status");

    QTest::newRow("random 128-bit id") << QByteArrayLiteral("0123456789abcdef0123456789abcdef") << 404;
    QTest::newRow("empty id") << QByteArray() << 404;
    QTest::newRow("1 KiB id") << QByteArray(1024, 'a') << 404;
    QTest::newRow("non-ASCII id") << QByteArray("\xff\xfe\xfd\xfc\xc3\xa9") << 404;
    QTest::newRow("path traversal") << QByteArrayLiteral("../../etc/passwd") << 404;
    QTest::newRow("quote and newline escape") << QByteArrayLiteral("a\"b\\c") << 404;
}

void tst_HostileInput::sessionAbuse()
{
    QFETCH(QByteArray, session);
    QFETCH(int, status);
    Headers h { { "Content-Type", "application/json" }, { "Accept", kBothTypes },
        { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2025-06-18" } };
    const QByteArray body = compact(rpc(1, QStringLiteral("tools/list")));
    for (const QByteArray &method : { QByteArrayLiteral("POST"), QByteArrayLiteral("GET"), QByteArrayLiteral("DELETE") }) {
        Headers headers = h;
        if (method == "GET")
            headers[1].second = "text/event-stream";
        const auto r = exchange(request(method, "/mcp", method == "POST" ? body : QByteArray(), headers));
        QVERIFY(r);
        QCOMPARE(r->status, status);
        QVERIFY2(!errorMessage(r->json()).isEmpty(), r->body.constData());
        QVERIFY(r->header("mcp-session-id").isEmpty());
    }
}

void tst_HostileInput::otherClientsSessionIsNotFound()
{
    // Client A's session, presented by client B with B's own valid key: B must not be able to
    // read A's stream, resume it or end it. To B the session does not exist (404, as for any
    // id it was not given), so a leaked id is no more use than a guessed one.
    const QByteArray mine = initialize(QStringLiteral("2025-06-18"), kKeyA);
    QVERIFY(!mine.isEmpty());
    const Headers h { { "Content-Type", "application/json" }, { "Accept", kBothTypes },
        { "Mcp-Session-Id", mine }, { "MCP-Protocol-Version", "2025-06-18" } };
    const auto post = exchange(request("POST", "/mcp", compact(rpc(1, QStringLiteral("tools/list"))), h, kKeyB));
    QVERIFY(post);
    QCOMPARE(post->status, 404);
    QVERIFY(!errorMessage(post->json()).isEmpty());
    Headers g = h;
    g[1].second = "text/event-stream";
    const auto get = exchange(request("GET", "/mcp", {}, g, kKeyB));
    QVERIFY(get);
    QCOMPARE(get->status, 404);
    const auto del = exchange(request("DELETE", "/mcp", {}, h, kKeyB));
    QVERIFY(del);
    QCOMPARE(del->status, 404);
    // ...and the owner's session is untouched.
    QVERIFY(call(mine, rpc(2, QStringLiteral("ping"))).contains(QLatin1String("result")));
    exchange(request("DELETE", "/mcp", {}, { { "Mcp-Session-Id", mine } }));
}

void tst_HostileInput::lastEventIdGarbage_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("lastEventId");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("mentions");

    const QByteArray bridge = QByteArrayLiteral("/api/mcp/stream-news?symbol=TSLA&duration=1000&interval=1000");
    QTest::newRow("mcp: letters") << QByteArrayLiteral("/mcp") << QByteArrayLiteral("abc") << 400 << QStringLiteral("Last-Event-ID");
    QTest::newRow("mcp: negative stream") << QByteArrayLiteral("/mcp") << QByteArrayLiteral("-1-5") << 400 << QStringLiteral("Last-Event-ID");
    QTest::newRow("mcp: overflowing sequence") << QByteArrayLiteral("/mcp")
                                               << QByteArrayLiteral("1-999999999999999999999999") << 400
                                               << QStringLiteral("Last-Event-ID");
    QTest::newRow("mcp: future event") << QByteArrayLiteral("/mcp") << QByteArrayLiteral("0-4000000000") << 400 << QStringLiteral("Last-Event-ID");
    QTest::newRow("mcp: unknown stream") << QByteArrayLiteral("/mcp") << QByteArrayLiteral("9999-1") << 400 << QStringLiteral("Last-Event-ID");
    QTest::newRow("mcp: three parts") << QByteArrayLiteral("/mcp") << QByteArrayLiteral("1-2-3") << 400 << QStringLiteral("Last-Event-ID");
    QTest::newRow("mcp: 8 KiB") << QByteArrayLiteral("/mcp") << QByteArray(8 * 1024, '7') << 400 << QStringLiteral("Last-Event-ID");
    QTest::newRow("mcp: control bytes") << QByteArrayLiteral("/mcp") << QByteArray("0-1\x01\x02\x7f", 6) << 400 << QStringLiteral("header value");
    QTest::newRow("bridge: letters") << bridge << QByteArrayLiteral("abc") << 400 << QStringLiteral("Last-Event-ID");
    QTest::newRow("bridge: negative") << bridge << QByteArrayLiteral("-5") << 400 << QStringLiteral("Last-Event-ID");
    QTest::newRow("bridge: overflowing") << bridge << QByteArrayLiteral("999999999999999999999999") << 400 << QStringLiteral("Last-Event-ID");
    // Not garbage: an id above the hub's newest (a client of a run whose wall clock was ahead
    // of this one's: each run numbers from its start time, see NewsHub). The hub clamps it to
    // its newest item, so the stream goes on live at once instead of waiting, silent, for the
    // sequence to climb past it. (An id of an earlier run is below this run's numbers and gets
    // a gap replay: tests/integration/tst_newsbridge.)
    QTest::newRow("bridge: from the future") << bridge << QByteArrayLiteral("18446744073709551615") << 200 << QString();
    QTest::newRow("bridge: 8 KiB") << bridge << QByteArray(8 * 1024, '9') << 400 << QStringLiteral("Last-Event-ID");
}

void tst_HostileInput::lastEventIdGarbage()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, lastEventId);
    QFETCH(int, status);
    QFETCH(QString, mentions);
    Headers h { { "Accept", "text/event-stream" }, { "Last-Event-ID", lastEventId } };
    QByteArray session;
    if (target == "/mcp") {
        session = initialize();
        QVERIFY(!session.isEmpty());
        h.append({ "Mcp-Session-Id", session });
        h.append({ QByteArrayLiteral("MCP-Protocol-Version"), QByteArrayLiteral("2025-06-18") });
    }
    const auto r = exchange(request("GET", target, {}, h));
    QVERIFY(r);
    QCOMPARE(r->status, status);
    if (status == 200) {
        QVERIFY(r->header("content-type").startsWith("text/event-stream"));
        QVERIFY2(r->body.contains("id: end"), r->body.right(300).constData()); // ran to its end
        return;
    }
    const QString message = errorMessage(r->json());
    // (Control bytes never reach the route: the HTTP parser refuses the header itself.)
    QVERIFY2(message.contains(mentions, Qt::CaseInsensitive), r->body.constData());
    // The garbage is not mirrored back whole (nor control bytes at all).
    QVERIFY2(r->body.size() < 1024, r->body.left(200).constData());
    QVERIFY(!r->body.contains('\x01'));
    if (!session.isEmpty())
        exchange(request("DELETE", "/mcp", {}, { { "Mcp-Session-Id", session } }));
}

// --- Floods and stalls --------------------------------------------------------------------

void tst_HostileInput::connectionFloodBeyondTheCap()
{
    // 60 connections from one address against a per-address cap of 40: the first 40 hold
    // their slots, every further one is answered 503 with a reason, and another address is
    // still served meanwhile. Then the flood ends and every slot comes back.
    std::vector<std::unique_ptr<TestHttpClient>> flood;
    for (int i = 0; i < 60; ++i) {
        auto c = std::make_unique<TestHttpClient>();
        QVERIFY(c->connectToServer(QHostAddress::LocalHost, m_server.port()));
        flood.push_back(std::move(c));
    }
    // (No /metrics read here: from this address it would be refused too.)
    int refused = 0;
    int served = 0;
    for (auto &c : flood) {
        c->write(request("GET", "/healthz", {}, {}, {}));
    }
    for (auto &c : flood) {
        const auto r = c->nextResponse(kTimeoutMs);
        QVERIFY(r);
        if (r->status == 503) {
            ++refused;
            QCOMPARE(r->errorReason(), QStringLiteral("connection_limit"));
            QVERIFY(!errorMessage(r->json()).isEmpty());
        } else {
            QCOMPARE(r->status, 200);
            ++served;
        }
    }
    // At least the 20 beyond the cap are refused; connections of earlier cases still closing
    // may take a few more slots, but most of the 40 are served.
    QVERIFY2(refused >= 20 && served >= 30, qPrintable(QStringLiteral("%1 refused, %2 served").arg(refused).arg(served)));
    // Meanwhile a client from another address gets a full MCP answer (where 127.0.0.2 exists).
    TestHttpClient other;
    QByteArray otherSession;
    if (other.connectToServer(QHostAddress::LocalHost, m_server.port(), QHostAddress(QStringLiteral("127.0.0.2")))) {
        other.write(mcpPost(compact(rpc(1, QStringLiteral("initialize"), initializeParams(QStringLiteral("2025-06-18"))))));
        const auto init = other.nextResponse(kTimeoutMs);
        QVERIFY(init);
        QCOMPARE(init->status, 200);
        otherSession = init->header("mcp-session-id");
    } else {
        qInfo("cannot bind 127.0.0.2 here; the other-address check is skipped");
    }
    for (auto &c : flood)
        c->abort();
    if (!otherSession.isEmpty())
        exchange(request("DELETE", "/mcp", {}, { { "Mcp-Session-Id", otherSession } }));
}

void tst_HostileInput::readerThatNeverReadsIsDropped()
{
    // A bridge stream on many symbols whose reader never reads: once the socket buffers and
    // the server's 16 KiB stream budget are full, the server drops it (counted) instead of
    // buffering without bound. A second server with a fast feed, so this happens in seconds.
    TestServerProcess fast;
    QString error;
    QVERIFY2(fast.start({ QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--demo-rate"),
                          QStringLiteral("3000"), QStringLiteral("--news-ring-size"), QStringLiteral("20"),
                          QStringLiteral("--news-ring-total"), QStringLiteral("2000"),
                          QStringLiteral("--stream-buffer-bytes"),
                          QStringLiteral("16384"), QStringLiteral("--rate-limit"), QStringLiteral("0"),
                          QStringLiteral("--stream-rate-limit"), QStringLiteral("0") },
                 &error),
        qPrintable(error));
    const QByteArray symbols = QByteArrayLiteral("TSLA,AAPL,MSFT,NVDA,AMZN,GOOGL,META,NFLX,AMD,INTC");
    const QByteArray target = "/api/mcp/stream-news?symbol=" + symbols + "&duration=600000&interval=1000";
    const QByteArray get = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(fast.port())
        + "\r\nAccept: text/event-stream\r\n\r\n";

    auto fastMetric = [&fast](const QByteArray &name) {
        TestHttpClient c;
        if (!c.connectToServer(QHostAddress::LocalHost, fast.port()))
            return -1.0;
        c.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        const auto r = c.nextResponse(kTimeoutMs);
        if (!r)
            return -1.0;
        const QList<QByteArray> lines = r->body.split('\n');
        for (const QByteArray &line : lines)
            if (line.startsWith(QByteArray(name + ' ')))
                return line.mid(name.size() + 1).toDouble();
        return -1.0;
    };
    // The baseline once the hub's (small) rings are full, so what grows after is the stream's.
    QTRY_VERIFY_WITH_TIMEOUT(fastMetric("tickerwire_news_items_accepted_total{provider=\"demo\"}") > 20000.0, 60000);
    const qint64 before = fast.rssBytes();
    StalledClient stalled;
    QVERIFY(stalled.connectAndSend(fast.port(), get));
    QTRY_VERIFY_WITH_TIMEOUT(fastMetric("tickerwire_http_slow_consumers_dropped_total") >= 1.0, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(fastMetric("tickerwire_http_streams_open"), 0.0, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(fastMetric("tickerwire_news_subscriptions"), 0.0, kTimeoutMs);
    // Others are still served, and the stalled stream's backlog did not stay in memory.
    TestHttpClient other;
    QVERIFY(other.connectToServer(QHostAddress::LocalHost, fast.port()));
    other.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const auto ok = other.nextResponse(kTimeoutMs);
    QVERIFY(ok);
    QCOMPARE(ok->status, 200);
    QVERIFY2(!kRssMeaningful || fast.rssBytes() - before < kRssToleranceBytes,
        qPrintable(QStringLiteral("RSS %1 -> %2").arg(before).arg(fast.rssBytes())));
    stalled.close();
    QVERIFY(fast.terminate());
}

QTEST_GUILESS_MAIN(tst_HostileInput)
#include "tst_hostileinput.moc"
