// The security steps of the pipeline, as a client sees them: statuses, headers and the JSON
// error body; plus the start-up refusals of SecurityConfig.
#include "securitymiddleware.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace tw::http;

Q_DECLARE_METATYPE(tw::http::RunMode)

namespace {

const QByteArray kKey = QByteArrayLiteral("valid-key-0123456789abcdef");
const QByteArray kOtherKey = QByteArrayLiteral("another-valid-key-987654321");

HttpRequest makeRequest(const QByteArray &method = QByteArrayLiteral("POST"),
    const HttpHeaders &extra = {}, const QByteArray &peer = QByteArrayLiteral("192.0.2.1"))
{
    HttpRequest request;
    request.method = method;
    request.target = QByteArrayLiteral("/mcp");
    request.path = QByteArrayLiteral("/mcp");
    request.headers = { { "host", "127.0.0.1:8750" } };
    request.headers.append(extra);
    request.peerAddress = QHostAddress(QString::fromLatin1(peer));
    request.peerPort = 50000;
    return request;
}

QByteArray contextHeader(const RequestContext &context, const QByteArray &name)
{
    for (const auto &h : context.responseHeaders) {
        if (h.first == name)
            return h.second;
    }
    return {};
}

struct ErrorBody {
    int code = 0;
    QString message;
    int status = 0;
    QString reason;
};

ErrorBody errorOf(const HttpResponse &response)
{
    const QJsonObject root = QJsonDocument::fromJson(response.body).object();
    const QJsonObject error = root.value(QStringLiteral("error")).toObject();
    const QJsonObject data = error.value(QStringLiteral("data")).toObject();
    return { error.value(QStringLiteral("code")).toInt(),
        error.value(QStringLiteral("message")).toString(),
        data.value(QStringLiteral("status")).toInt(),
        data.value(QStringLiteral("reason")).toString() };
}

// Checks what every rejection shares: status, JSON-RPC envelope, stable reason.
bool isRejection(const std::optional<HttpResponse> &response, int status, const QByteArray &reason)
{
    if (!response) {
        qWarning("expected a %d response, got none", status);
        return false;
    }
    const ErrorBody body = errorOf(*response);
    const bool ok = response->status == status && response->rejectionReason == reason
        && body.status == status && body.reason == QString::fromLatin1(reason)
        && response->header("content-type") == "application/json";
    if (!ok) {
        qWarning("expected %d/%s, got %d/%s: %s", status, reason.constData(), response->status,
            response->rejectionReason.constData(), response->body.constData());
    }
    return ok;
}

SecurityConfig limits(int requests, int streams, int maxBuckets = 100000)
{
    SecurityConfig config;
    config.requestsPerMinute = requests;
    config.streamsPerMinute = streams;
    config.maxRateLimitBuckets = maxBuckets;
    return config;
}

} // namespace

class tst_SecurityMiddleware : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // startupRefusal
    void startupRefusal_data();
    void startupRefusal();

    // ApiKeyMiddleware
    void apiKey_data();
    void apiKey();
    void apiKeyNotRequired();
    void apiKeyNoKeysConfigured();

    // RateLimitMiddleware
    void rateLimitAfterExactlyN();
    void rateLimitRefillsWithClock();
    void rateLimitFakeKeysShareAddressBucket();
    void rateLimitValidKeyOwnBucket();
    void rateLimitIPv6Prefix_data();
    void rateLimitIPv6Prefix();
    void rateLimitStreams();
    void rateLimitSweepsIdleBuckets();
    void rateLimitBucketCap();
    void rateLimitDisabled();

    // CorsMiddleware
    void corsPreflightAllowed();
    void corsPreflightDenied();
    void corsSimpleRequest_data();
    void corsSimpleRequest();

    // OriginHostMiddleware
    void originHost_data();
    void originHost();
    void originEchoIsSanitised();

    // JsonBodyMiddleware
    void jsonBody_data();
    void jsonBody();
    void jsonBodySkipped_data();
    void jsonBodySkipped();
};

// --- startupRefusal ----------------------------------------------------------------------

void tst_SecurityMiddleware::startupRefusal_data()
{
    QTest::addColumn<RunMode>("mode");
    QTest::addColumn<QByteArrayList>("keys");
    QTest::addColumn<bool>("insecureNoAuth");
    QTest::addColumn<QString>("bind");
    QTest::addColumn<QString>("expected"); // substring of the refusal; empty = may start

    const RunMode dev = RunMode::Development;
    const RunMode prod = RunMode::Production;
    const QByteArrayList none;
    const QByteArrayList keys { kKey };
    const QString prodMessage = QStringLiteral(
        "Refusing to start: production mode requires API keys. Set MCP_API_KEYS, --api-key or "
        "--api-key-file.");

    QTest::newRow("dev, loopback v4, no keys") << dev << none << false << "127.0.0.1" << QString();
    QTest::newRow("dev, loopback v6, no keys") << dev << none << false << "::1" << QString();
    QTest::newRow("dev, 0.0.0.0, keys") << dev << keys << false << "0.0.0.0" << QString();
    QTest::newRow("dev, 0.0.0.0, no keys, insecure")
        << dev << none << true << "0.0.0.0" << QString();
    QTest::newRow("prod, 0.0.0.0, keys") << prod << keys << false << "0.0.0.0" << QString();
    QTest::newRow("prod, loopback, keys") << prod << keys << false << "127.0.0.1" << QString();

    QTest::newRow("dev, 0.0.0.0, no keys")
        << dev << none << false << "0.0.0.0" << QStringLiteral("0.0.0.0");
    QTest::newRow("dev, ::, no keys") << dev << none << false << "::" << QStringLiteral("::");
    QTest::newRow("dev, LAN, no keys")
        << dev << none << false << "192.168.1.10" << QStringLiteral("192.168.1.10");
    QTest::newRow("dev, LAN, blank keys only")
        << dev << QByteArrayList { "", "  " } << false << "192.168.1.10"
        << QStringLiteral("--insecure-no-auth");
    QTest::newRow("prod, loopback, no keys") << prod << none << false << "127.0.0.1" << prodMessage;
    QTest::newRow("prod, loopback, no keys, insecure")
        << prod << none << true << "127.0.0.1" << prodMessage;
    QTest::newRow("prod, 0.0.0.0, no keys, insecure")
        << prod << none << true << "0.0.0.0" << prodMessage;
}

void tst_SecurityMiddleware::startupRefusal()
{
    QFETCH(RunMode, mode);
    QFETCH(QByteArrayList, keys);
    QFETCH(bool, insecureNoAuth);
    QFETCH(QString, bind);
    QFETCH(QString, expected);

    SecurityConfig config;
    config.mode = mode;
    config.apiKeys = keys;
    config.insecureNoAuth = insecureNoAuth;
    const QString refusal = tw::http::startupRefusal(config, QHostAddress(bind));
    if (expected.isEmpty()) {
        QVERIFY2(refusal.isEmpty(), qPrintable(refusal));
        return;
    }
    QVERIFY2(refusal.contains(expected), qPrintable(refusal));
    QVERIFY2(refusal.startsWith(QStringLiteral("Refusing to start")), qPrintable(refusal));
    if (mode == RunMode::Development) {
        QVERIFY2(refusal.contains(bind), qPrintable(refusal));
        QVERIFY2(refusal.contains(QStringLiteral("anyone on the network")), qPrintable(refusal));
        QVERIFY2(refusal.contains(QStringLiteral("--insecure-no-auth")), qPrintable(refusal));
    }
}

// --- ApiKeyMiddleware --------------------------------------------------------------------

void tst_SecurityMiddleware::apiKey_data()
{
    QTest::addColumn<HttpHeaders>("headers");
    QTest::addColumn<int>("status"); // 0 = passes
    QTest::addColumn<QByteArray>("wwwAuthenticate");

    const QByteArray missing = QByteArrayLiteral("Bearer realm=\"tickerwire\"");
    const QByteArray invalid
        = QByteArrayLiteral("Bearer realm=\"tickerwire\", error=\"invalid_token\"");

    QTest::newRow("missing") << HttpHeaders {} << 401 << missing;
    QTest::newRow("x-api-key wrong")
        << HttpHeaders { { "x-api-key", "wrong-key-guess-123" } } << 401 << invalid;
    QTest::newRow("bearer wrong") << HttpHeaders {
        { "authorization", "Bearer wrong-key-guess-123" }
    } << 401 << invalid;
    QTest::newRow("basic auth only")
        << HttpHeaders { { "authorization", "Basic dXNlcjpwYXNz" } } << 401 << missing;
    QTest::newRow("x-api-key correct")
        << HttpHeaders { { "x-api-key", kKey } } << 0 << QByteArray();
    QTest::newRow("bearer correct")
        << HttpHeaders { { "authorization", QByteArrayLiteral("Bearer ") + kOtherKey } } << 0
        << QByteArray();
}

void tst_SecurityMiddleware::apiKey()
{
    QFETCH(HttpHeaders, headers);
    QFETCH(int, status);
    QFETCH(QByteArray, wwwAuthenticate);

    ApiKeyStore store;
    store.addKeys({ kKey, kOtherKey });
    ApiKeyMiddleware middleware(&store);
    RequestContext context;
    const std::optional<HttpResponse> response
        = middleware.process(makeRequest("POST", headers), context);

    if (status == 0) {
        QVERIFY(!response);
        QCOMPARE(context.apiKeyId.size(), 8);
        const QByteArray presented = headers.first().second;
        QCOMPARE(context.apiKeyId, ApiKeyStore::keyIdOf(presented.mid(presented.indexOf(' ') + 1)));
        return;
    }
    QVERIFY(isRejection(response, 401, "auth"));
    QCOMPARE(response->header("www-authenticate"), wwwAuthenticate);
    const ErrorBody body = errorOf(*response);
    QCOMPARE(body.code, -32001);
    QCOMPARE(body.message,
        QStringLiteral("Unauthorized: Invalid or missing API key. Send it as 'X-API-Key: <key>' or "
                       "'Authorization: Bearer <key>'."));
    QVERIFY(!response->body.contains("wrong-key-guess"));
    QVERIFY(context.apiKeyId.isEmpty());
}

void tst_SecurityMiddleware::apiKeyNotRequired()
{
    ApiKeyStore store;
    store.addKeys({ kKey });
    ApiKeyMiddleware middleware(&store);
    RequestContext context;
    context.route.requiresAuth = false; // /healthz
    QVERIFY(!middleware.process(makeRequest("GET"), context));
    QVERIFY(!middleware.process(makeRequest("GET", { { "x-api-key", "wrong" } }), context));
}

void tst_SecurityMiddleware::apiKeyNoKeysConfigured()
{
    RequestContext context;
    ApiKeyMiddleware nullStore(nullptr);
    QVERIFY(!nullStore.process(makeRequest(), context));
    ApiKeyStore empty;
    ApiKeyMiddleware emptyStore(&empty);
    QVERIFY(!emptyStore.process(makeRequest("POST", { { "x-api-key", "anything" } }), context));
}

// --- RateLimitMiddleware -------------------------------------------------------------------

void tst_SecurityMiddleware::rateLimitAfterExactlyN()
{
    qint64 now = 0;
    RateLimitMiddleware middleware(limits(5, 10), nullptr);
    middleware.setClock([&now] { return now; });

    for (int i = 0; i < 5; ++i) {
        RequestContext context;
        QVERIFY2(!middleware.process(makeRequest(), context), qPrintable(QString::number(i)));
        QCOMPARE(contextHeader(context, "ratelimit-limit"), QByteArray("5"));
        QCOMPARE(contextHeader(context, "ratelimit-remaining"), QByteArray::number(4 - i));
        QVERIFY(!contextHeader(context, "ratelimit-reset").isEmpty());
    }
    RequestContext context;
    const std::optional<HttpResponse> refused = middleware.process(makeRequest(), context);
    QVERIFY(isRejection(refused, 429, "rate_limit"));
    const int retryAfter = refused->header("retry-after").toInt();
    QVERIFY(retryAfter >= 1);
    QCOMPARE(retryAfter, 12); // 5 per minute: one token every 12 s
    QCOMPARE(errorOf(*refused).message,
        QStringLiteral("Rate limit exceeded: 5 requests per minute per client. Retry in 12 s."));
    // The refusal carries the RateLimit headers too (they go with every response).
    QCOMPARE(contextHeader(context, "ratelimit-remaining"), QByteArray("0"));
    QCOMPARE(contextHeader(context, "ratelimit-reset"), QByteArray("60"));
}

void tst_SecurityMiddleware::rateLimitRefillsWithClock()
{
    qint64 now = 1000;
    RateLimitMiddleware middleware(limits(5, 10), nullptr);
    middleware.setClock([&now] { return now; });
    RequestContext context;
    for (int i = 0; i < 5; ++i)
        QVERIFY(!middleware.process(makeRequest(), context));
    QVERIFY(middleware.process(makeRequest(), context));

    now += 11999;
    QVERIFY(middleware.process(makeRequest(), context));
    now += 1;
    QVERIFY(!middleware.process(makeRequest(), context));
    QVERIFY(middleware.process(makeRequest(), context));

    now += 60000;
    for (int i = 0; i < 5; ++i)
        QVERIFY(!middleware.process(makeRequest(), context));
    QVERIFY(middleware.process(makeRequest(), context));
}

void tst_SecurityMiddleware::rateLimitFakeKeysShareAddressBucket()
{
    qint64 now = 0;
    ApiKeyStore store;
    store.addKeys({ kKey });
    RateLimitMiddleware middleware(limits(5, 10), &store);
    middleware.setClock([&now] { return now; });

    // Every request presents a different made-up key, in both header forms.
    for (int i = 0; i < 5; ++i) {
        RequestContext context;
        const QByteArray fake = QByteArrayLiteral("fake-") + QByteArray::number(i);
        const HttpHeaders headers = i % 2 ? HttpHeaders { { "x-api-key", fake } }
                                          : HttpHeaders { { "authorization", "Bearer " + fake } };
        QVERIFY(!middleware.process(makeRequest("POST", headers), context));
    }
    RequestContext context;
    QVERIFY(isRejection(
        middleware.process(makeRequest("POST", { { "x-api-key", "fake-new" } }), context), 429,
        "rate_limit"));
    // Nor does sending no key at all from the same address.
    QVERIFY(isRejection(middleware.process(makeRequest(), context), 429, "rate_limit"));
    QCOMPARE(middleware.general().bucketCount(), 1);
}

void tst_SecurityMiddleware::rateLimitValidKeyOwnBucket()
{
    qint64 now = 0;
    ApiKeyStore store;
    store.addKeys({ kKey, kOtherKey });
    RateLimitMiddleware middleware(limits(3, 10), &store);
    middleware.setClock([&now] { return now; });
    const HttpHeaders key { { "x-api-key", kKey } };
    const HttpHeaders keyAsBearer { { "authorization", QByteArrayLiteral("Bearer ") + kKey } };
    const HttpHeaders otherKey { { "x-api-key", kOtherKey } };

    RequestContext context;
    for (int i = 0; i < 3; ++i)
        QVERIFY(!middleware.process(makeRequest("POST", {}, "192.0.2.1"), context));
    QVERIFY(middleware.process(makeRequest("POST", {}, "192.0.2.1"), context));

    // Same address, valid key: its own bucket, whichever header carries it.
    QVERIFY(!middleware.process(makeRequest("POST", key, "192.0.2.1"), context));
    QVERIFY(!middleware.process(makeRequest("POST", keyAsBearer, "192.0.2.1"), context));
    // The key's bucket follows the key to another address.
    QVERIFY(!middleware.process(makeRequest("POST", key, "198.51.100.7"), context));
    QVERIFY(isRejection(
        middleware.process(makeRequest("POST", key, "198.51.100.8"), context), 429, "rate_limit"));
    // Another valid key is another client.
    QVERIFY(!middleware.process(makeRequest("POST", otherKey, "192.0.2.1"), context));
}

void tst_SecurityMiddleware::rateLimitIPv6Prefix_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<bool>("shared");

    QTest::newRow("same /64") << QByteArray("2001:db8:1:2::1")
                              << QByteArray("2001:db8:1:2:ffff:1:2:3") << true;
    QTest::newRow("other /64") << QByteArray("2001:db8:1:2::1") << QByteArray("2001:db8:1:3::1")
                               << false;
    QTest::newRow("v4 mapped = v4")
        << QByteArray("::ffff:192.0.2.1") << QByteArray("192.0.2.1") << true;
    QTest::newRow("v4 neighbours") << QByteArray("192.0.2.1") << QByteArray("192.0.2.2") << false;
}

void tst_SecurityMiddleware::rateLimitIPv6Prefix()
{
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(bool, shared);

    qint64 now = 0;
    RateLimitMiddleware middleware(limits(2, 10), nullptr);
    middleware.setClock([&now] { return now; });
    RequestContext context;
    QVERIFY(!middleware.process(makeRequest("POST", {}, first), context));
    QVERIFY(!middleware.process(makeRequest("POST", {}, first), context));
    const bool refused = middleware.process(makeRequest("POST", {}, second), context).has_value();
    QCOMPARE(refused, shared);
}

void tst_SecurityMiddleware::rateLimitStreams()
{
    qint64 now = 0;
    RateLimitMiddleware middleware(limits(100, 2), nullptr);
    middleware.setClock([&now] { return now; });

    for (int i = 0; i < 2; ++i) {
        RequestContext context;
        context.route.opensStream = true;
        QVERIFY(!middleware.process(makeRequest("GET"), context));
        // The stream bucket is the tighter one: its figures are reported.
        QCOMPARE(contextHeader(context, "ratelimit-limit"), QByteArray("2"));
        QCOMPARE(contextHeader(context, "ratelimit-remaining"), QByteArray::number(1 - i));
    }
    RequestContext stream;
    stream.route.opensStream = true;
    const std::optional<HttpResponse> refused = middleware.process(makeRequest("GET"), stream);
    QVERIFY(isRejection(refused, 429, "rate_limit"));
    QCOMPARE(refused->header("retry-after"), QByteArray("30"));
    QCOMPARE(errorOf(*refused).message,
        QStringLiteral("Rate limit exceeded: 2 new streams per minute per client. Retry in 30 s."));

    // Ordinary requests still pass, and report the general bucket.
    RequestContext plain;
    QVERIFY(!middleware.process(makeRequest("POST"), plain));
    QCOMPARE(contextHeader(plain, "ratelimit-limit"), QByteArray("100"));
    QCOMPARE(contextHeader(plain, "ratelimit-remaining"), QByteArray("96"));
}

void tst_SecurityMiddleware::rateLimitSweepsIdleBuckets()
{
    qint64 now = 0;
    RateLimitMiddleware middleware(limits(100, 10), nullptr);
    middleware.setClock([&now] { return now; });
    RequestContext context;
    for (int i = 1; i <= 3; ++i)
        QVERIFY(!middleware.process(
            makeRequest("POST", {}, "192.0.2." + QByteArray::number(i)), context));
    QCOMPARE(middleware.general().bucketCount(), 3);

    now = 30000; // not yet a sweep
    QVERIFY(!middleware.process(makeRequest("POST", {}, "192.0.2.1"), context));
    QCOMPARE(middleware.general().bucketCount(), 3);

    now = 61000; // idle buckets are full again and forgotten; the requester's comes back
    QVERIFY(!middleware.process(makeRequest("POST", {}, "192.0.2.9"), context));
    QCOMPARE(middleware.general().bucketCount(), 1);
}

void tst_SecurityMiddleware::rateLimitBucketCap()
{
    qint64 now = 0;
    RateLimitMiddleware middleware(limits(5, 10, 50), nullptr);
    middleware.setClock([&now] { return now; });
    int refused = 0;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("share one bucket")));
    // A flood from 5000 distinct addresses.
    for (int i = 0; i < 5000; ++i) {
        RequestContext context;
        const QByteArray peer = "10." + QByteArray::number(i / 65536) + '.'
            + QByteArray::number((i / 256) % 256) + '.' + QByteArray::number(i % 256);
        if (middleware.process(makeRequest("POST", {}, peer), context))
            ++refused;
    }
    QVERIFY(middleware.general().bucketCount() <= 51);
    // Past the cap, new clients share one bucket of 5: the flood is still limited.
    QCOMPARE(refused, 5000 - 50 - 5);
}

void tst_SecurityMiddleware::rateLimitDisabled()
{
    qint64 now = 0;
    RateLimitMiddleware middleware(limits(0, 0), nullptr);
    middleware.setClock([&now] { return now; });
    for (int i = 0; i < 500; ++i) {
        RequestContext context;
        context.route.opensStream = i % 2;
        QVERIFY(!middleware.process(makeRequest(), context));
        QVERIFY(context.responseHeaders.isEmpty());
    }
}

// As the server runs a step: annotate() first (headers every response gets), then process().
static std::optional<HttpResponse> runStep(tw::http::Middleware &step, const HttpRequest &request, RequestContext &context)
{
    step.annotate(request, context);
    return step.process(request, context);
}

// --- CorsMiddleware ------------------------------------------------------------------------

void tst_SecurityMiddleware::corsPreflightAllowed()
{
    const OriginPolicy origins;
    CorsMiddleware middleware(&origins);
    RequestContext context;
    const std::optional<HttpResponse> response = runStep(middleware, 
        makeRequest("OPTIONS",
            { { "origin", "http://localhost:5173" }, { "access-control-request-method", "POST" },
                { "access-control-request-headers", "content-type,x-api-key" } }),
        context);
    QVERIFY(response);
    QCOMPARE(response->status, 204);
    QVERIFY(response->body.isEmpty());
    // The server adds context.responseHeaders to whatever response the request gets.
    QCOMPARE(contextHeader(context, "access-control-allow-origin"), QByteArray("http://localhost:5173"));
    QCOMPARE(
        response->header("access-control-allow-methods"), QByteArray("GET, POST, DELETE, OPTIONS"));
    QCOMPARE(response->header("access-control-allow-headers"),
        QByteArray("Content-Type, Authorization, X-API-Key, Mcp-Session-Id, MCP-Protocol-Version, "
                   "Last-Event-ID"));
    QCOMPARE(response->header("access-control-max-age"), QByteArray("600"));
    QCOMPARE(contextHeader(context, "vary"), QByteArray("Origin"));
    QVERIFY(response->rejectionReason.isEmpty());
}

void tst_SecurityMiddleware::corsPreflightDenied()
{
    const OriginPolicy origins;
    CorsMiddleware middleware(&origins);
    RequestContext context;
    const std::optional<HttpResponse> response = runStep(middleware, 
        makeRequest("OPTIONS",
            { { "origin", "https://evil.example" }, { "access-control-request-method", "POST" } }),
        context);
    QVERIFY(isRejection(response, 403, "origin"));
    QVERIFY(response->header("access-control-allow-origin").isNull());
    QCOMPARE(errorOf(*response).message,
        QStringLiteral(
            "Forbidden: Invalid origin 'https://evil.example'. Add it to ALLOWED_ORIGINS "
            "or --allow-origin."));
    QVERIFY(context.responseHeaders.isEmpty());

    // Without a policy nothing is allowed.
    CorsMiddleware noPolicy(nullptr);
    QVERIFY(isRejection(noPolicy.process(makeRequest("OPTIONS",
                                             { { "origin", "http://localhost" },
                                                 { "access-control-request-method", "GET" } }),
                            context),
        403, "origin"));
}

void tst_SecurityMiddleware::corsSimpleRequest_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<HttpHeaders>("headers");
    QTest::addColumn<bool>("corsHeaders");

    QTest::newRow("POST, allowed origin")
        << QByteArray("POST") << HttpHeaders { { "origin", "http://127.0.0.1:3000" } } << true;
    QTest::newRow("GET, allowed origin")
        << QByteArray("GET") << HttpHeaders { { "origin", "http://localhost:5173" } } << true;
    QTest::newRow("POST, disallowed origin")
        << QByteArray("POST") << HttpHeaders { { "origin", "https://evil.example" } } << false;
    QTest::newRow("POST, no origin") << QByteArray("POST") << HttpHeaders {} << false;
    // OPTIONS without Access-Control-Request-Method is not a preflight: it goes on.
    QTest::newRow("OPTIONS, not preflight")
        << QByteArray("OPTIONS") << HttpHeaders { { "origin", "http://localhost:5173" } } << true;
    QTest::newRow("OPTIONS, no origin")
        << QByteArray("OPTIONS") << HttpHeaders { { "access-control-request-method", "POST" } }
        << false;
}

void tst_SecurityMiddleware::corsSimpleRequest()
{
    QFETCH(QByteArray, method);
    QFETCH(HttpHeaders, headers);
    QFETCH(bool, corsHeaders);

    const OriginPolicy origins;
    CorsMiddleware middleware(&origins);
    RequestContext context;
    QVERIFY(!runStep(middleware, makeRequest(method, headers), context));
    if (!corsHeaders) {
        QVERIFY(context.responseHeaders.isEmpty());
        return;
    }
    QCOMPARE(contextHeader(context, "access-control-allow-origin"), headers.first().second);
    QCOMPARE(contextHeader(context, "access-control-expose-headers"),
        QByteArray("Mcp-Session-Id, MCP-Protocol-Version, RateLimit-Limit, RateLimit-Remaining, "
                   "RateLimit-Reset, Retry-After"));
    QCOMPARE(contextHeader(context, "vary"), QByteArray("Origin"));
}

// --- OriginHostMiddleware ------------------------------------------------------------------

void tst_SecurityMiddleware::originHost_data()
{
    QTest::addColumn<HttpHeaders>("headers");
    QTest::addColumn<int>("httpMinor");
    QTest::addColumn<bool>("checkHost");
    QTest::addColumn<int>("status"); // 0 = passes
    QTest::addColumn<QByteArray>("reason");

    const QByteArray none;
    QTest::newRow("no origin, loopback host")
        << HttpHeaders { { "host", "localhost:8750" } } << 1 << true << 0 << none;
    QTest::newRow("allowed origin")
        << HttpHeaders { { "host", "127.0.0.1:8750" }, { "origin", "http://localhost:5173" } } << 1
        << true << 0 << none;
    QTest::newRow("disallowed origin")
        << HttpHeaders { { "host", "127.0.0.1:8750" }, { "origin", "https://evil.example" } } << 1
        << true << 403 << QByteArray("origin");
    QTest::newRow("null origin") << HttpHeaders { { "host", "127.0.0.1:8750" },
        { "origin", "null" } } << 1
                                 << true << 403 << QByteArray("origin");
    QTest::newRow("disallowed origin, host check off")
        << HttpHeaders { { "host", "example.com" }, { "origin", "https://evil.example" } } << 1
        << false << 403 << QByteArray("origin");
    QTest::newRow("two origins") << HttpHeaders { { "host", "localhost" },
        { "origin", "http://localhost" }, { "origin", "https://evil.example" } }
                                 << 1 << true << 400 << QByteArray("bad_request");
    QTest::newRow("rebinding host") << HttpHeaders { { "host", "evil.example:8750" } } << 1 << true
                                    << 403 << QByteArray("host");
    QTest::newRow("rebinding host, nip.io") << HttpHeaders { { "host", "127.0.0.1.nip.io:8750" } }
                                            << 1 << true << 403 << QByteArray("host");
    QTest::newRow("other host, host check off")
        << HttpHeaders { { "host", "tickerwire.lan:8750" } } << 1 << false << 0 << none;
    QTest::newRow("HTTP/1.1 without host")
        << HttpHeaders {} << 1 << true << 400 << QByteArray("bad_request");
    QTest::newRow("HTTP/1.1 without host, host check off")
        << HttpHeaders {} << 1 << false << 400 << QByteArray("bad_request");
    QTest::newRow("two hosts") << HttpHeaders { { "host", "localhost" },
        { "host", "evil.example" } }
                               << 1 << false << 400 << QByteArray("bad_request");
    QTest::newRow("HTTP/1.0 without host, host check off")
        << HttpHeaders {} << 0 << false << 0 << none;
    QTest::newRow("HTTP/1.0 without host, host check on")
        << HttpHeaders {} << 0 << true << 400 << QByteArray("bad_request");
}

void tst_SecurityMiddleware::originHost()
{
    QFETCH(HttpHeaders, headers);
    QFETCH(int, httpMinor);
    QFETCH(bool, checkHost);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);

    const OriginPolicy origins;
    OriginHostMiddleware middleware(&origins, checkHost);
    HttpRequest request = makeRequest("POST");
    request.headers = headers;
    request.httpMinor = httpMinor;
    RequestContext context;
    const std::optional<HttpResponse> response = middleware.process(request, context);
    if (status == 0) {
        QVERIFY2(!response, response ? response->body.constData() : "");
        return;
    }
    QVERIFY(isRejection(response, status, reason));
    const QString message = errorOf(*response).message;
    if (reason == "origin") {
        QVERIFY2(
            message.startsWith(QStringLiteral("Forbidden: Invalid origin '")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("ALLOWED_ORIGINS")), qPrintable(message));
    } else if (reason == "host") {
        QVERIFY2(message.contains(QStringLiteral("loopback")), qPrintable(message));
        QVERIFY2(
            message.contains(QStringLiteral("localhost, 127.0.0.1 or [::1]")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("DNS-rebinding")), qPrintable(message));
    }
}

void tst_SecurityMiddleware::originEchoIsSanitised()
{
    const OriginPolicy origins;
    OriginHostMiddleware middleware(&origins, true);
    const QByteArray hostile
        = "https://evil.example/\r\nSet-Cookie: x=1\x1b[31m" + QByteArray(500, 'a');
    RequestContext context;
    const std::optional<HttpResponse> response
        = middleware.process(makeRequest("POST", { { "origin", hostile } }), context);
    QVERIFY(isRejection(response, 403, "origin"));
    const QString message = errorOf(*response).message;
    const QString prefix = QStringLiteral("Forbidden: Invalid origin '");
    const QString suffix = QStringLiteral("'. Add it to ALLOWED_ORIGINS or --allow-origin.");
    QVERIFY(message.startsWith(prefix));
    QVERIFY(message.endsWith(suffix));
    const QString echoed
        = message.mid(prefix.size(), message.size() - prefix.size() - suffix.size());
    QCOMPARE(echoed.size(), 200);
    QVERIFY(echoed.startsWith(QStringLiteral("https://evil.example/Set-Cookie: x=1[31maaa")));
    for (const QChar c : echoed)
        QVERIFY(c.unicode() >= 0x20 && c.unicode() != 0x7f);
}

// --- JsonBodyMiddleware --------------------------------------------------------------------

void tst_SecurityMiddleware::jsonBody_data()
{
    QTest::addColumn<QByteArray>("contentType"); // null = no header
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status"); // 0 = passes
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<int>("rpcCode");

    const QByteArray json = QByteArrayLiteral("application/json");
    const QByteArray ping = QByteArrayLiteral("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
    const QByteArray none;

    QTest::newRow("object") << json << ping << 0 << none << 0;
    QTest::newRow("batch array") << json << QByteArray("[" + ping + "]") << 0 << none << 0;
    QTest::newRow("charset parameter")
        << QByteArray("application/json; charset=utf-8") << ping << 0 << none << 0;
    QTest::newRow("media type case") << QByteArray("Application/JSON") << ping << 0 << none << 0;
    QTest::newRow("brackets inside strings do not count")
        << json << QByteArray("{\"a\":\"[[[[[[[[[[{{{{{{{{\\\"[[[[\"}") << 0 << none << 0;
    QTest::newRow("exactly at the depth limit")
        << json << QByteArray(QByteArray(8, '[') + QByteArray(8, ']')) << 0 << none << 0;

    QTest::newRow("no content type")
        << QByteArray() << ping << 415 << QByteArray("unsupported_media_type") << -32600;
    QTest::newRow("text/plain") << QByteArray("text/plain") << ping << 415
                                << QByteArray("unsupported_media_type") << -32600;
    QTest::newRow("json-ish prefix") << QByteArray("application/jsonx") << ping << 415
                                     << QByteArray("unsupported_media_type") << -32600;
    QTest::newRow("form") << QByteArray("application/x-www-form-urlencoded") << ping << 415
                          << QByteArray("unsupported_media_type") << -32600;

    QTest::newRow("empty body") << json << QByteArray() << 400 << QByteArray("parse_error")
                                << -32700;
    QTest::newRow("whitespace body")
        << json << QByteArray(" \r\n") << 400 << QByteArray("parse_error") << -32700;
    QTest::newRow("truncated") << json << ping.left(20) << 400 << QByteArray("parse_error")
                               << -32700;
    QTest::newRow("garbage after")
        << json << QByteArray(ping + "x") << 400 << QByteArray("parse_error") << -32700;
    QTest::newRow("not json") << json << QByteArray("hello") << 400 << QByteArray("parse_error")
                              << -32700;
    QTest::newRow("too deep arrays") << json << QByteArray(QByteArray(9, '[') + QByteArray(9, ']'))
                                     << 400 << QByteArray("json_too_deep") << -32600;
    QTest::newRow("too deep, never closed")
        << json << QByteArray(100000, '{') << 400 << QByteArray("json_too_deep") << -32600;
    QTest::newRow("too deep, mixed, after an escaped quote")
        << json << QByteArray("{\"k\\\"\":[{\"a\":[{\"b\":[{\"c\":[{\"d\":[]}]}]}]}]}") << 400
        << QByteArray("json_too_deep") << -32600;
    QTest::newRow("number") << json << QByteArray("42") << 400 << QByteArray("invalid_request")
                            << -32600;
    QTest::newRow("string") << json << QByteArray("\"ping\"") << 400
                            << QByteArray("invalid_request") << -32600;
    QTest::newRow("null") << json << QByteArray("null") << 400 << QByteArray("invalid_request")
                          << -32600;
}

void tst_SecurityMiddleware::jsonBody()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(int, rpcCode);

    JsonBodyMiddleware middleware(8);
    HttpRequest request = makeRequest("POST");
    if (!contentType.isNull())
        request.headers.append({ "content-type", contentType });
    request.body = body;
    RequestContext context;
    context.route.jsonBody = true;
    const std::optional<HttpResponse> response = middleware.process(request, context);

    if (status == 0) {
        QVERIFY2(!response, response ? response->body.constData() : "");
        QVERIFY(context.jsonBody.isObject() || context.jsonBody.isArray());
        QCOMPARE(context.jsonBody, QJsonDocument::fromJson(body));
        return;
    }
    QVERIFY(isRejection(response, status, reason));
    QVERIFY(context.jsonBody.isNull());
    const ErrorBody error = errorOf(*response);
    QCOMPARE(error.code, rpcCode);
    if (reason == "unsupported_media_type")
        QVERIFY2(error.message.contains(QStringLiteral("Content-Type: application/json")),
            qPrintable(error.message));
    if (reason == "json_too_deep")
        QVERIFY2(error.message.contains(QStringLiteral("8")), qPrintable(error.message));
    if (reason == "parse_error" && !body.trimmed().isEmpty()) {
        QVERIFY2(
            error.message.startsWith(QStringLiteral("Parse error: ")), qPrintable(error.message));
        QVERIFY2(error.message.contains(QStringLiteral(" at offset ")), qPrintable(error.message));
    }
}

void tst_SecurityMiddleware::jsonBodySkipped_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("routeJsonBody");
    QTest::addColumn<bool>("checked");

    QTest::newRow("GET on a JSON route") << QByteArray("GET") << true << false;
    QTest::newRow("DELETE on a JSON route") << QByteArray("DELETE") << true << false;
    QTest::newRow("POST on a non-JSON route") << QByteArray("POST") << false << false;
    QTest::newRow("PUT on a JSON route") << QByteArray("PUT") << true << true;
    QTest::newRow("PATCH on a JSON route") << QByteArray("PATCH") << true << true;
}

void tst_SecurityMiddleware::jsonBodySkipped()
{
    QFETCH(QByteArray, method);
    QFETCH(bool, routeJsonBody);
    QFETCH(bool, checked);

    JsonBodyMiddleware middleware;
    HttpRequest request = makeRequest(method, { { "content-type", "text/plain" } });
    request.body = "not json";
    RequestContext context;
    context.route.jsonBody = routeJsonBody;
    const std::optional<HttpResponse> response = middleware.process(request, context);
    QCOMPARE(response.has_value(), checked);
    if (checked)
        QCOMPARE(response->status, 415);
}

QTEST_GUILESS_MAIN(tst_SecurityMiddleware)
#include "tst_securitymiddleware.moc"
