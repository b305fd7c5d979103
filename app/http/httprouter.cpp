#include "httprouter.h"

namespace tw::http {

void HttpRouter::add(const QByteArray &method, const QByteArray &path, RouteTraits traits, HttpHandler handler)
{
    m_routes.push_back(Route { method, path, traits, std::move(handler) });
}

HttpRouter::Match HttpRouter::match(const QByteArray &method, const QByteArray &path) const
{
    Match m;
    const QByteArray effective = method == "HEAD" ? QByteArrayLiteral("GET") : method;
    for (const Route &r : m_routes) {
        if (r.path != path)
            continue;
        m.pathKnown = true;
        if (!m.allowed.contains(r.method))
            m.allowed.append(r.method);
        if (r.method == "GET" && !m.allowed.contains("HEAD"))
            m.allowed.append(QByteArrayLiteral("HEAD"));
        if (r.method == effective && !m.route)
            m.route = &r;
    }
    if (m.pathKnown && !m.allowed.contains("OPTIONS"))
        m.allowed.append(QByteArrayLiteral("OPTIONS"));
    return m;
}

} // namespace tw::http
