// The security steps of the pipeline, in the seed's order: rate limit -> CORS -> Origin/Host
// -> API key -> body parse. (The protocol-version step is the MCP layer's.)
#pragma once

#include "apikeystore.h"
#include "middleware.h"
#include "originpolicy.h"
#include "ratelimiter.h"
#include "securityconfig.h"

#include <QElapsedTimer>

#include <functional>

namespace tw::core {
class MetricsRegistry;
}

namespace tw::http {

// Buckets are keyed by the id of a *valid* API key, else by the client address: an unknown
// key never earns a fresh bucket. Routes with opensStream also take from the stream bucket.
// Every response carries RateLimit-Limit/Remaining/Reset; a rejection is 429 with Retry-After.
class RateLimitMiddleware : public Middleware {
public:
    RateLimitMiddleware(const SecurityConfig &config, const ApiKeyStore *keys);
    QByteArray name() const override { return QByteArrayLiteral("rate-limit"); }
    std::optional<HttpResponse> process(const HttpRequest &request, RequestContext &context) override;
    // Test hook: the clock the buckets use (monotonic ms). Defaults to a QElapsedTimer.
    void setClock(std::function<qint64()> nowMs) { m_now = std::move(nowMs); }
    const RateLimiter &general() const { return m_general; }
    const RateLimiter &streams() const { return m_streams; }

private:
    const ApiKeyStore *m_keys;
    RateLimiter m_general;
    RateLimiter m_streams;
    QElapsedTimer m_timer;
    std::function<qint64()> m_now;
    qint64 m_lastSweepMs = 0;
};

// Answers preflights (OPTIONS with Origin + Access-Control-Request-Method) for allowed
// origins with 204, and adds Access-Control-Allow-Origin / Expose-Headers / Vary to every
// response for an allowed origin, refusals by earlier steps included.
class CorsMiddleware : public Middleware {
public:
    explicit CorsMiddleware(const OriginPolicy *origins);
    QByteArray name() const override { return QByteArrayLiteral("cors"); }
    void annotate(const HttpRequest &request, RequestContext &context) override;
    std::optional<HttpResponse> process(const HttpRequest &request, RequestContext &context) override;

private:
    const OriginPolicy *m_origins;
};

// 403 for an Origin that is not allowed (requests without Origin pass), and, when
// checkHost is on, 403 for a Host that is not a loopback name. 400 for a repeated Host, and for a
// missing one on HTTP/1.1 or when checkHost is on.
class OriginHostMiddleware : public Middleware {
public:
    OriginHostMiddleware(const OriginPolicy *origins, bool checkHost);
    QByteArray name() const override { return QByteArrayLiteral("origin-host"); }
    std::optional<HttpResponse> process(const HttpRequest &request, RequestContext &context) override;

private:
    const OriginPolicy *m_origins;
    bool m_checkHost;
};

// 401 + WWW-Authenticate: Bearer when keys are configured and the request's route requires
// auth but presents no valid key. Sets context.apiKeyId when valid.
class ApiKeyMiddleware : public Middleware {
public:
    explicit ApiKeyMiddleware(const ApiKeyStore *keys);
    QByteArray name() const override { return QByteArrayLiteral("api-key"); }
    std::optional<HttpResponse> process(const HttpRequest &request, RequestContext &context) override;

private:
    const ApiKeyStore *m_keys;
};

// For routes with jsonBody on requests that carry a body (POST/PUT/PATCH): 415 unless the
// Content-Type is application/json, 400 (-32700 parse error) unless the body is valid JSON
// (object or array) within the nesting limit; the parsed document goes to context.jsonBody.
class JsonBodyMiddleware : public Middleware {
public:
    explicit JsonBodyMiddleware(int maxDepth = 64);
    QByteArray name() const override { return QByteArrayLiteral("body-parse"); }
    std::optional<HttpResponse> process(const HttpRequest &request, RequestContext &context) override;

private:
    int m_maxDepth;
};

} // namespace tw::http
