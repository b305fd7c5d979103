// The last step of the HTTP pipeline (after the JSON body is parsed): the
// MCP-Protocol-Version header of requests to the MCP endpoint. An unsupported value is
// refused with 400 before any session lookup or business logic; an absent header means
// 2025-03-26 (the spec's rule for clients that predate the header). The result goes to
// RequestContext::protocolVersion. An initialize request is exempt: its version is
// negotiated from the body, and a client cannot know the version before it.
//
// A pipeline step rather than code in the transport because DESIGN.md's pipeline names it
// and RequestContext has its slot: a rejected version never reaches the engine, and the
// refusal is counted with the other pipeline refusals in /metrics.
#pragma once

#include <middleware.h>

namespace tw::mcp {

class McpProtocolVersionMiddleware : public http::Middleware {
public:
    // Only requests whose path is `path` are checked.
    explicit McpProtocolVersionMiddleware(QByteArray path);
    QByteArray name() const override { return QByteArrayLiteral("protocol-version"); }
    std::optional<http::HttpResponse> process(
        const http::HttpRequest &request, http::RequestContext &context) override;

private:
    QByteArray m_path;
};

} // namespace tw::mcp
