// Maps (method, path) to a handler and the traits the pipeline reads. Paths match exactly.
#pragma once

#include "middleware.h"

#include <QByteArray>
#include <QByteArrayList>

#include <functional>
#include <vector>

namespace tw::http {

class HttpResponder;

using HttpHandler = std::function<void(HttpResponder *responder)>;

class HttpRouter {
public:
    struct Route {
        QByteArray method;
        QByteArray path;
        RouteTraits traits;
        HttpHandler handler;
    };
    struct Match {
        const Route *route = nullptr; // set when method and path match
        bool pathKnown = false; // the path exists for some method
        QByteArrayList allowed; // methods the path allows (for 405's Allow and OPTIONS)
    };

    // GET routes answer HEAD too (the body is dropped on the way out).
    void add(const QByteArray &method, const QByteArray &path, RouteTraits traits, HttpHandler handler);
    Match match(const QByteArray &method, const QByteArray &path) const;

private:
    std::vector<Route> m_routes;
};

} // namespace tw::http
