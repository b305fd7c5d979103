// The request pipeline's steps. The server runs them in order for every routed request
// (rate limit -> CORS -> Origin/Host -> API key -> body parse -> protocol version) before the
// route's handler; the first one that answers ends the request there, so a rejection never
// reaches business logic.
#pragma once

#include "httprequest.h"
#include "httpresponse.h"

#include <QJsonDocument>

#include <optional>

namespace tw::http {

// What a route declares about itself; the pipeline steps read it.
struct RouteTraits {
    bool requiresAuth = true; // false only for /healthz-style probes
    bool opensStream = false; // also counts against the new-stream rate limit
    bool jsonBody = false; // the body-parse step requires and parses a JSON body (POST/PUT)
};

// Per-request state the steps share and hand on to the handler.
struct RequestContext {
    RouteTraits route;
    // Non-reversible short id of the API key the request authenticated with (a hash prefix,
    // safe to log); empty when no valid key was presented.
    QByteArray apiKeyId;
    // Headers every response to this request carries, whoever produces it (CORS, RateLimit-*).
    HttpHeaders responseHeaders;
    // Filled by the body-parse step when route.jsonBody is set.
    QJsonDocument jsonBody;
    // Filled by the protocol-version step (the MCP layer's slot).
    QByteArray protocolVersion;
};

class Middleware {
public:
    virtual ~Middleware() = default;
    virtual QByteArray name() const = 0;
    // Runs for every step before any step's process(), so headers added here reach every
    // response to the request, including another step's refusal (a 429 a browser page must
    // be able to read needs its CORS headers).
    virtual void annotate(const HttpRequest &request, RequestContext &context)
    {
        Q_UNUSED(request);
        Q_UNUSED(context);
    }
    // std::nullopt lets the request go on; a response ends it (and is sent as is, with
    // context.responseHeaders added).
    virtual std::optional<HttpResponse> process(const HttpRequest &request, RequestContext &context) = 0;
};

} // namespace tw::http
