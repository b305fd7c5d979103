// The incremental HTTP parser: any chunking gives the same requests; limits and malformed
// input give the right status and reason.
#include "httprequestparser.h"

#include <QRandomGenerator>
#include <QTest>

using tw::http::HttpLimits;
using tw::http::HttpRequest;
using tw::http::HttpRequestParser;

namespace {

struct Parsed {
    QList<HttpRequest> requests;
    HttpRequestParser::State state = HttpRequestParser::State::Ok;
    int errorStatus = 0;
    QByteArray errorReason;
};

// Feeds `input` in chunks whose sizes come from `chunk(i)`.
template<typename ChunkSize>
Parsed parse(const QByteArray &input, ChunkSize chunk, HttpLimits limits = {})
{
    HttpRequestParser p(limits);
    Parsed out;
    qsizetype pos = 0;
    int i = 0;
    while (pos < input.size() && p.state() == HttpRequestParser::State::Ok) {
        const qsizetype n = std::min<qsizetype>(chunk(i++), input.size() - pos);
        p.feed(input.constData() + pos, n);
        pos += n;
        while (p.hasRequest())
            out.requests.append(p.takeRequest());
    }
    out.state = p.state();
    out.errorStatus = p.errorStatus();
    out.errorReason = p.errorReason();
    return out;
}

Parsed parseWhole(const QByteArray &input, HttpLimits limits = {})
{
    return parse(input, [&](int) { return input.size(); }, limits);
}

Parsed parseBytewise(const QByteArray &input, HttpLimits limits = {})
{
    return parse(input, [](int) { return 1; }, limits);
}

void compareRequests(const QList<HttpRequest> &a, const QList<HttpRequest> &b)
{
    QCOMPARE(a.size(), b.size());
    for (int i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].method, b[i].method);
        QCOMPARE(a[i].target, b[i].target);
        QCOMPARE(a[i].path, b[i].path);
        QCOMPARE(a[i].query, b[i].query);
        QCOMPARE(a[i].headers, b[i].headers);
        QCOMPARE(a[i].body, b[i].body);
        QCOMPARE(a[i].keepAlive, b[i].keepAlive);
        QCOMPARE(a[i].httpMinor, b[i].httpMinor);
    }
}

} // namespace

class tst_HttpRequestParser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chunkingDoesNotMatter_data();
    void chunkingDoesNotMatter();
    void fields();
    void absoluteFormTarget();
    void errors_data();
    void errors();
    void bodyLimitBeforeBodyArrives();
    void requestsBeforeAnErrorAreKept();
    void expectContinue();
    void queryItem();
};

void tst_HttpRequestParser::chunkingDoesNotMatter_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("count");
    QTest::newRow("simple GET") << QByteArray("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n") << 1;
    QTest::newRow("POST with body")
        << QByteArray("POST /mcp?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                      "Content-Length: 13\r\n\r\n{\"jsonrpc\":1}")
        << 1;
    QTest::newRow("chunked body")
        << QByteArray("POST /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        << 1;
    QTest::newRow("pipelined three")
        << QByteArray("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
                      "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                      "GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        << 3;
    QTest::newRow("HTTP/1.0") << QByteArray("GET / HTTP/1.0\r\n\r\n") << 1;
    QTest::newRow("empty header values")
        << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nAccept-Encoding: \r\nX-Last:\r\n\r\n") << 1;
    QTest::newRow("percent-encoded path") << QByteArray("GET /api/mcp/stream%2Dnews?symbol=TSLA HTTP/1.1\r\nHost: a\r\n\r\n")
                                          << 1;
}

void tst_HttpRequestParser::chunkingDoesNotMatter()
{
    QFETCH(QByteArray, input);
    QFETCH(int, count);
    const Parsed whole = parseWhole(input);
    QCOMPARE(whole.state, HttpRequestParser::State::Ok);
    QCOMPARE(whole.requests.size(), count);
    const Parsed bytes = parseBytewise(input);
    compareRequests(bytes.requests, whole.requests);
    auto *rng = QRandomGenerator::global();
    for (int round = 0; round < 50; ++round) {
        const Parsed random = parse(input, [rng](int) { return rng->bounded(1, 17); });
        compareRequests(random.requests, whole.requests);
    }
}

void tst_HttpRequestParser::fields()
{
    const Parsed p = parseBytewise("POST /mcp?session=1&a=b HTTP/1.1\r\nHost: localhost:8750\r\n"
                                   "X-API-Key:   secret  \r\nContent-Length: 2\r\n\r\n{}");
    QCOMPARE(p.requests.size(), 1);
    const HttpRequest &r = p.requests.first();
    QCOMPARE(r.method, QByteArray("POST"));
    QCOMPARE(r.path, QByteArray("/mcp"));
    QCOMPARE(r.query, QByteArray("session=1&a=b"));
    QCOMPARE(r.header("host"), QByteArray("localhost:8750"));
    QCOMPARE(r.header("x-api-key"), QByteArray("secret")); // names lower-cased, values trimmed
    QCOMPARE(r.body, QByteArray("{}"));
    QVERIFY(r.keepAlive);

    const Parsed empty = parseBytewise("GET / HTTP/1.1\r\nHost:\r\nX-Empty: \r\n\r\n");
    QCOMPARE(empty.state, HttpRequestParser::State::Ok);
    QVERIFY(empty.requests.first().hasHeader("host"));
    QVERIFY(empty.requests.first().header("x-empty").isEmpty());

    const Parsed close = parseWhole("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    QVERIFY(!close.requests.first().keepAlive);
    const Parsed old = parseWhole("GET / HTTP/1.0\r\n\r\n");
    QVERIFY(!old.requests.first().keepAlive);
    QCOMPARE(old.requests.first().httpMinor, 0);
}

void tst_HttpRequestParser::absoluteFormTarget()
{
    const Parsed p = parseWhole("GET http://localhost:8750/healthz?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(p.requests.size(), 1);
    QCOMPARE(p.requests.first().path, QByteArray("/healthz"));
    QCOMPARE(p.requests.first().query, QByteArray("x=1"));
}

void tst_HttpRequestParser::errors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    const QByteArray big(20000, 'a');
    QTest::newRow("garbage") << QByteArray("HELLO\r\n\r\n") << 400 << QByteArray("bad_request");
    QTest::newRow("header block too large") << QByteArray("GET / HTTP/1.1\r\nX-Big: " + big + "\r\n\r\n") << 431
                                            << QByteArray("headers_too_large");
    QTest::newRow("target too long") << QByteArray("GET /" + big + " HTTP/1.1\r\n\r\n") << 414
                                     << QByteArray("uri_too_long");
    QTest::newRow("CL and TE together (smuggling)")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n")
        << 400 << QByteArray("bad_request");
    QTest::newRow("duplicate Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab") << 400
        << QByteArray("bad_request");
    QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n  c\r\n\r\n") << 400
                              << QByteArray("bad_request");
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : a\r\n\r\n") << 400
                                        << QByteArray("bad_request");
    QTest::newRow("HTTP/2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 400
                                    << QByteArray("bad_request");
    QTest::newRow("relative target") << QByteArray("GET healthz HTTP/1.1\r\nHost: a\r\n\r\n") << 400
                                     << QByteArray("bad_request");
    QTest::newRow("NUL in path") << QByteArray("GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n") << 400
                                 << QByteArray("bad_request");
    QTest::newRow("unknown Expect") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n") << 417
                                    << QByteArray("bad_request");
    QTest::newRow("chunked body over limit")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "800\r\n"
            + QByteArray(0x800, 'x') + "\r\n0\r\n\r\n")
        << 413 << QByteArray("body_too_large");
}

void tst_HttpRequestParser::errors()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    HttpLimits limits;
    limits.maxBodyBytes = 1024;
    for (const Parsed &p : { parseWhole(input, limits), parseBytewise(input, limits) }) {
        QCOMPARE(p.state, HttpRequestParser::State::Error);
        QCOMPARE(p.errorStatus, status);
        QCOMPARE(p.errorReason, reason);
        for (const HttpRequest &r : p.requests)
            QVERIFY2(r.path != "/smuggled", "a smuggled request must never come out");
    }
}

void tst_HttpRequestParser::bodyLimitBeforeBodyArrives()
{
    HttpLimits limits;
    limits.maxBodyBytes = 100;
    HttpRequestParser p(limits);
    // Only the head: the 413 is known before a single body byte is sent.
    p.feed(QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n"));
    QCOMPARE(p.state(), HttpRequestParser::State::Error);
    QCOMPARE(p.errorStatus(), 413);
    QVERIFY(p.errorMessage().contains(QLatin1String("1000000")));
}

void tst_HttpRequestParser::requestsBeforeAnErrorAreKept()
{
    HttpRequestParser p(HttpLimits {});
    p.feed(QByteArray("GET /first HTTP/1.1\r\nHost: a\r\n\r\nBROKEN REQUEST\r\n\r\n"));
    QCOMPARE(p.state(), HttpRequestParser::State::Error);
    QVERIFY(p.hasRequest());
    QCOMPARE(p.takeRequest().path, QByteArray("/first"));
}

void tst_HttpRequestParser::expectContinue()
{
    HttpRequestParser p(HttpLimits {});
    p.feed(QByteArray("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
    QVERIFY(p.takeExpectContinue());
    QVERIFY(!p.takeExpectContinue()); // once
    QVERIFY(p.inMessage());
    p.feed(QByteArray("abc"));
    QVERIFY(!p.inMessage());
    QCOMPARE(p.takeRequest().body, QByteArray("abc"));
}

void tst_HttpRequestParser::queryItem()
{
    HttpRequest r;
    r.query = "symbol=TSLA&keywords=earnings+call&x=%41%42&empty=&flag";
    QCOMPARE(r.queryItem("symbol"), QByteArray("TSLA"));
    QCOMPARE(r.queryItem("keywords"), QByteArray("earnings call"));
    QCOMPARE(r.queryItem("x"), QByteArray("AB"));
    QCOMPARE(r.queryItem("empty"), QByteArray(""));
    QVERIFY(!r.queryItem("empty").isNull());
    QVERIFY(r.queryItem("missing").isNull());
    QCOMPARE(r.queryItem("flag"), QByteArray(""));
}

QTEST_GUILESS_MAIN(tst_HttpRequestParser)
#include "tst_httprequestparser.moc"
