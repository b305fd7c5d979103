#include "mcpprotocolversionmiddleware.h"

#include "mcpprotocolversion.h"

#include <logging.h>

#include <QJsonObject>

namespace tw::mcp {

namespace {

    // The refused value echoed back, cut short and without control characters.
    QString printable(const QByteArray &value)
    {
        QString out;
        for (const char c : value.left(40))
            out += (c >= 0x20 && c < 0x7f) ? QLatin1Char(c) : QLatin1Char('?');
        return out;
    }

} // namespace

McpProtocolVersionMiddleware::McpProtocolVersionMiddleware(QByteArray path)
    : m_path(std::move(path))
{
}

std::optional<http::HttpResponse> McpProtocolVersionMiddleware::process(
    const http::HttpRequest &request, http::RequestContext &context)
{
    if (request.path != m_path || request.method == "OPTIONS")
        return std::nullopt;
    const bool isInitialize = context.jsonBody.isObject()
        && context.jsonBody.object().value(QLatin1String("method")).toString()
            == QLatin1String("initialize");
    if (isInitialize)
        return std::nullopt;

    if (!request.hasHeader(QByteArrayLiteral("mcp-protocol-version"))) {
        context.protocolVersion = McpProtocolVersion::httpDefault().toLatin1();
        return std::nullopt;
    }
    const QByteArray value = request.header(QByteArrayLiteral("mcp-protocol-version")).trimmed();
    if (request.headerCount(QByteArrayLiteral("mcp-protocol-version")) > 1
        || !McpProtocolVersion::isSupported(QString::fromLatin1(value))) {
        qCDebug(lcMcp) << "refused MCP-Protocol-Version" << value.left(40);
        return http::HttpResponse::error(400, QByteArrayLiteral("unsupported_protocol_version"),
            QStringLiteral(
                "Bad Request: unsupported MCP-Protocol-Version '%1'; this server speaks %2.")
                .arg(printable(value), McpProtocolVersion::supported().join(QStringLiteral(", "))),
            -32600);
    }
    context.protocolVersion = value;
    return std::nullopt;
}

} // namespace tw::mcp
