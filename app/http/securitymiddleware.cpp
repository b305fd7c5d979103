#include "securitymiddleware.h"

#include "logging.h"

#include <QJsonArray>
#include <QJsonParseError>

namespace tw::http {

namespace {

    constexpr qint64 kSweepIntervalMs = 60000;
    constexpr int kMaxEchoedChars = 200;

    // A client-supplied value made safe to quote back in a message: at most 200 characters,
    // no control or invisible formatting characters (which could forge lines or reorder text
    // in whatever displays the error).
    QString echoable(const QByteArray &value)
    {
        const QString text = QString::fromUtf8(value);
        QString out;
        out.reserve(std::min<qsizetype>(text.size(), kMaxEchoedChars));
        for (const QChar c : text) {
            if (out.size() >= kMaxEchoedChars)
                break;
            const QChar::Category category = c.category();
            if (category == QChar::Other_Control || category == QChar::Other_Format)
                continue;
            out.append(c);
        }
        return out;
    }

    QString invalidOriginMessage(const QByteArray &origin)
    {
        return QStringLiteral("Forbidden: Invalid origin '%1'. Add it to ALLOWED_ORIGINS or "
                              "--allow-origin.")
            .arg(echoable(origin));
    }

    // The client part of a rate-limit key: the address, except that an IPv6 client counts as
    // its /64 (one host usually owns a whole /64 and could otherwise rotate addresses).
    QByteArray addressKey(const QHostAddress &peer)
    {
        if (peer.isNull())
            return QByteArrayLiteral("unknown");
        bool isMappedV4 = false;
        const quint32 v4 = peer.toIPv4Address(&isMappedV4);
        if (isMappedV4) // also true for ::ffff:a.b.c.d from a dual-stack socket
            return QHostAddress(v4).toString().toLatin1();
        Q_IPV6ADDR bytes = peer.toIPv6Address();
        for (int i = 8; i < 16; ++i)
            bytes[i] = 0;
        return QHostAddress(bytes).toString().toLatin1() + QByteArrayLiteral("/64");
    }

    void appendHeader(HttpHeaders &headers, const QByteArray &name, const QByteArray &value)
    {
        headers.append({ name, value });
    }

} // namespace

// --- RateLimitMiddleware -----------------------------------------------------------------

RateLimitMiddleware::RateLimitMiddleware(const SecurityConfig &config, const ApiKeyStore *keys)
    : m_keys(keys)
    , m_general(config.requestsPerMinute, config.maxRateLimitBuckets)
    , m_streams(config.streamsPerMinute, config.maxRateLimitBuckets)
{
    m_timer.start();
}

std::optional<HttpResponse> RateLimitMiddleware::process(
    const HttpRequest &request, RequestContext &context)
{
    const qint64 now = m_now ? m_now() : m_timer.elapsed();
    if (now - m_lastSweepMs >= kSweepIntervalMs || now < m_lastSweepMs) {
        m_general.sweep(now);
        m_streams.sweep(now);
        m_lastSweepMs = now;
    }

    const bool limitRequests = m_general.perMinute() > 0;
    const bool limitStreams = context.route.opensStream && m_streams.perMinute() > 0;
    if (!limitRequests && !limitStreams)
        return std::nullopt;

    // Only a valid key earns its own bucket; a wrong or made-up key counts against the
    // address, so rotating fake keys gains nothing.
    QByteArray bucketKey;
    if (m_keys && !m_keys->isEmpty()) {
        const ApiKeyStore::Result auth = m_keys->check(request);
        if (auth.presented == ApiKeyStore::Presented::Valid) {
            bucketKey = QByteArrayLiteral("k:") + auth.keyId;
            context.apiKeyId = auth.keyId; // the API-key step need not hash the key again
        }
    }
    if (bucketKey.isEmpty())
        bucketKey = QByteArrayLiteral("a:") + addressKey(request.peerAddress);

    RateLimiter::Decision decision;
    bool refusedStream = false;
    if (limitRequests)
        decision = m_general.take(bucketKey, now);
    // A refused request does not also spend a stream token.
    if (limitStreams && decision.allowed) {
        const RateLimiter::Decision stream = m_streams.take(bucketKey, now);
        // Report whichever bucket is closer to refusing (the IETF RateLimit draft's advice).
        const bool tighter = !limitRequests || !stream.allowed
            || stream.remaining < decision.remaining
            || (stream.remaining == decision.remaining
                && stream.resetSeconds > decision.resetSeconds);
        if (tighter)
            decision = stream;
        refusedStream = !stream.allowed;
    }

    appendHeader(context.responseHeaders, QByteArrayLiteral("ratelimit-limit"),
        QByteArray::number(decision.limit));
    appendHeader(context.responseHeaders, QByteArrayLiteral("ratelimit-remaining"),
        QByteArray::number(decision.remaining));
    appendHeader(context.responseHeaders, QByteArrayLiteral("ratelimit-reset"),
        QByteArray::number(decision.resetSeconds));
    if (decision.allowed)
        return std::nullopt;

    const QString what = refusedStream
        ? QStringLiteral("%1 new streams per minute").arg(decision.limit)
        : QStringLiteral("%1 requests per minute").arg(decision.limit);
    qCDebug(lcSecurity).noquote() << "rate limit: refused" << (refusedStream ? "stream" : "request")
                                  << "for" << QString::fromLatin1(bucketKey);
    HttpResponse response = HttpResponse::error(429, QByteArrayLiteral("rate_limit"),
        QStringLiteral("Rate limit exceeded: %1 per client. Retry in %2 s.")
            .arg(what)
            .arg(decision.retryAfterSeconds));
    response.setHeader(
        QByteArrayLiteral("retry-after"), QByteArray::number(decision.retryAfterSeconds));
    return response;
}

// --- CorsMiddleware ------------------------------------------------------------------------

CorsMiddleware::CorsMiddleware(const OriginPolicy *origins)
    : m_origins(origins)
{
}

void CorsMiddleware::annotate(const HttpRequest &request, RequestContext &context)
{
    if (!request.hasHeader(QByteArrayLiteral("origin")) || !m_origins)
        return;
    const QByteArray origin = request.header(QByteArrayLiteral("origin"));
    if (!m_origins->isAllowed(origin))
        return;
    appendHeader(context.responseHeaders, QByteArrayLiteral("access-control-allow-origin"), origin);
    appendHeader(context.responseHeaders, QByteArrayLiteral("access-control-expose-headers"),
        QByteArrayLiteral("Mcp-Session-Id, MCP-Protocol-Version, RateLimit-Limit, "
                          "RateLimit-Remaining, RateLimit-Reset, Retry-After"));
    appendHeader(context.responseHeaders, QByteArrayLiteral("vary"), QByteArrayLiteral("Origin"));
}

std::optional<HttpResponse> CorsMiddleware::process(
    const HttpRequest &request, RequestContext &context)
{
    Q_UNUSED(context);
    if (!request.hasHeader(QByteArrayLiteral("origin")))
        return std::nullopt; // not a browser cross-origin request: CORS has nothing to say
    const QByteArray origin = request.header(QByteArrayLiteral("origin"));
    const bool preflight = request.method == "OPTIONS"
        && request.hasHeader(QByteArrayLiteral("access-control-request-method"));
    if (!preflight)
        return std::nullopt; // a disallowed origin is refused by OriginHostMiddleware, next
    // Without a policy nothing is allowed: failing closed beats reflecting any origin.
    if (!m_origins || !m_origins->isAllowed(origin)) {
        qCDebug(lcSecurity) << "cors: preflight refused for a disallowed origin";
        return HttpResponse::error(403, QByteArrayLiteral("origin"), invalidOriginMessage(origin));
    }
    // Allow-Origin and Vary come from annotate(), like on every response to this origin.
    HttpResponse response = HttpResponse::noContent(204);
    response.setHeader(QByteArrayLiteral("access-control-allow-methods"),
        QByteArrayLiteral("GET, POST, DELETE, OPTIONS"));
    response.setHeader(QByteArrayLiteral("access-control-allow-headers"),
        QByteArrayLiteral("Content-Type, Authorization, X-API-Key, Mcp-Session-Id, "
                          "MCP-Protocol-Version, Last-Event-ID"));
    response.setHeader(QByteArrayLiteral("access-control-max-age"), QByteArrayLiteral("600"));
    return response;
}

// --- OriginHostMiddleware ------------------------------------------------------------------

OriginHostMiddleware::OriginHostMiddleware(const OriginPolicy *origins, bool checkHost)
    : m_origins(origins)
    , m_checkHost(checkHost)
{
}

std::optional<HttpResponse> OriginHostMiddleware::process(
    const HttpRequest &request, RequestContext &context)
{
    Q_UNUSED(context);
    const QByteArray hostName = QByteArrayLiteral("host");
    const int hostCount = request.headerCount(hostName);
    const bool http11 = request.httpMajor > 1 || (request.httpMajor == 1 && request.httpMinor >= 1);
    // RFC 9112 section 3.2: a 1.1 request without Host, or any request with several, is a
    // 400; so is a 1.0 request without Host where the Host check needs one.
    if (hostCount > 1 || (hostCount == 0 && (http11 || m_checkHost))) {
        qCDebug(lcSecurity) << "host: refused a request with" << hostCount << "Host headers";
        return HttpResponse::error(400, QByteArrayLiteral("bad_request"),
            hostCount > 1 ? QStringLiteral("Bad request: more than one Host header.")
                          : QStringLiteral("Bad request: requests must carry a Host header."),
            -32600);
    }

    const QByteArray originName = QByteArrayLiteral("origin");
    const int originCount = request.headerCount(originName);
    if (originCount > 1) {
        // Browsers send one; which one to believe is ambiguous, so believe none.
        qCDebug(lcSecurity) << "origin: refused a request with" << originCount << "Origin headers";
        return HttpResponse::error(400, QByteArrayLiteral("bad_request"),
            QStringLiteral("Bad request: more than one Origin header."), -32600);
    }
    if (originCount == 1) {
        const QByteArray origin = request.header(originName);
        if (!m_origins || !m_origins->isAllowed(origin)) {
            qCDebug(lcSecurity).noquote() << "origin: refused" << echoable(origin);
            return HttpResponse::error(
                403, QByteArrayLiteral("origin"), invalidOriginMessage(origin));
        }
    }

    if (m_checkHost) {
        const QByteArray host = request.header(hostName);
        if (!OriginPolicy::isLoopbackHost(host)) {
            qCDebug(lcSecurity).noquote() << "host: refused" << echoable(host);
            return HttpResponse::error(403, QByteArrayLiteral("host"),
                QStringLiteral("Forbidden: Host '%1' is not a loopback name. This server is bound "
                               "to a loopback address and only answers requests addressed to "
                               "localhost, 127.0.0.1 or [::1] (DNS-rebinding protection).")
                    .arg(echoable(host)));
        }
    }
    return std::nullopt;
}

// --- ApiKeyMiddleware ----------------------------------------------------------------------

ApiKeyMiddleware::ApiKeyMiddleware(const ApiKeyStore *keys)
    : m_keys(keys)
{
}

std::optional<HttpResponse> ApiKeyMiddleware::process(
    const HttpRequest &request, RequestContext &context)
{
    // No keys configured: startupRefusal() has already decided that may run open.
    if (!m_keys || m_keys->isEmpty())
        return std::nullopt;
    if (!context.route.requiresAuth)
        return std::nullopt;
    if (!context.apiKeyId.isEmpty())
        return std::nullopt; // already verified by the rate-limit step

    const ApiKeyStore::Result result = m_keys->check(request);
    if (result.presented == ApiKeyStore::Presented::Valid) {
        context.apiKeyId = result.keyId;
        return std::nullopt;
    }

    const bool wrongKey = result.presented == ApiKeyStore::Presented::Invalid;
    // The presented key never appears here, only whether there was one.
    qCDebug(lcSecurity).noquote() << "auth: refused," << (wrongKey ? "invalid key" : "no key")
                                  << "from" << request.peerAddress.toString();
    HttpResponse response = HttpResponse::error(401, QByteArrayLiteral("auth"),
        QStringLiteral("Unauthorized: Invalid or missing API key. Send it as 'X-API-Key: <key>' "
                       "or 'Authorization: Bearer <key>'."),
        -32001);
    // RFC 6750 section 3: no error code when no credentials were sent, invalid_token otherwise.
    response.setHeader(QByteArrayLiteral("www-authenticate"),
        wrongKey ? QByteArrayLiteral("Bearer realm=\"tickerwire\", error=\"invalid_token\"")
                 : QByteArrayLiteral("Bearer realm=\"tickerwire\""));
    return response;
}

// --- JsonBodyMiddleware --------------------------------------------------------------------

namespace {

    // Deepest nesting of arrays/objects, counted outside strings, stopping once past `limit`
    // so a hostile body costs one linear scan and no recursion.
    int nestingDepth(const QByteArray &body, int limit)
    {
        int depth = 0;
        int deepest = 0;
        bool inString = false;
        bool escaped = false;
        for (const char c : body) {
            if (inString) {
                if (escaped)
                    escaped = false;
                else if (c == '\\')
                    escaped = true;
                else if (c == '"')
                    inString = false;
                continue;
            }
            switch (c) {
            case '"': inString = true; break;
            case '[':
            case '{':
                deepest = std::max(deepest, ++depth);
                if (deepest > limit)
                    return deepest;
                break;
            case ']':
            case '}':
                --depth; // unbalanced input is the parser's to report
                break;
            default: break;
            }
        }
        return deepest;
    }

    // Whether `body` is a JSON scalar (42, "x", true, null): QJsonDocument only accepts an
    // object or array at the top level and calls anything else a parse error, but a valid
    // scalar is an invalid JSON-RPC request, not unparsable JSON.
    bool isJsonScalar(const QByteArray &body)
    {
        QJsonParseError error;
        const QJsonDocument wrapped = QJsonDocument::fromJson(
            QByteArrayLiteral("[") + body + QByteArrayLiteral("]"), &error);
        return error.error == QJsonParseError::NoError && wrapped.array().size() == 1;
    }

} // namespace

JsonBodyMiddleware::JsonBodyMiddleware(int maxDepth)
    : m_maxDepth(maxDepth)
{
}

std::optional<HttpResponse> JsonBodyMiddleware::process(
    const HttpRequest &request, RequestContext &context)
{
    if (!context.route.jsonBody)
        return std::nullopt;
    if (request.method != "POST" && request.method != "PUT" && request.method != "PATCH")
        return std::nullopt;

    const QByteArray contentType = request.header(QByteArrayLiteral("content-type"));
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray mediaType
        = (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
    if (mediaType != "application/json") {
        qCDebug(lcSecurity) << "body: refused content type";
        return HttpResponse::error(415, QByteArrayLiteral("unsupported_media_type"),
            QStringLiteral("Unsupported Media Type: send the body as JSON with "
                           "'Content-Type: application/json'."),
            -32600);
    }

    if (request.body.trimmed().isEmpty()) {
        qCDebug(lcSecurity) << "body: refused an empty body";
        return HttpResponse::error(400, QByteArrayLiteral("parse_error"),
            QStringLiteral("Parse error: the request body is empty; send a JSON-RPC message."),
            -32700);
    }

    if (nestingDepth(request.body, m_maxDepth) > m_maxDepth) {
        qCDebug(lcSecurity) << "body: refused JSON nested deeper than" << m_maxDepth;
        return HttpResponse::error(400, QByteArrayLiteral("json_too_deep"),
            QStringLiteral("Invalid request: JSON is nested more than %1 levels deep.")
                .arg(m_maxDepth),
            -32600);
    }

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError) {
        if (isJsonScalar(request.body)) {
            qCDebug(lcSecurity) << "body: refused a JSON scalar";
            return HttpResponse::error(400, QByteArrayLiteral("invalid_request"),
                QStringLiteral("Invalid request: the body must be a JSON object (or a batch "
                               "array)."),
                -32600);
        }
        qCDebug(lcSecurity) << "body: refused unparsable JSON at offset" << error.offset;
        return HttpResponse::error(400, QByteArrayLiteral("parse_error"),
            QStringLiteral("Parse error: %1 at offset %2")
                .arg(error.errorString())
                .arg(error.offset),
            -32700);
    }
    if (!document.isObject() && !document.isArray()) {
        // Not reached with Qt 6.4 (see isJsonScalar), kept in case a later Qt accepts scalars.
        return HttpResponse::error(400, QByteArrayLiteral("invalid_request"),
            QStringLiteral("Invalid request: the body must be a JSON object (or a batch array)."),
            -32600);
    }
    context.jsonBody = document;
    return std::nullopt;
}

} // namespace tw::http
