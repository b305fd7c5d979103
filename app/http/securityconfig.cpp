#include "securityconfig.h"

namespace tw::http {

QString startupRefusal(const SecurityConfig &config, const QHostAddress &bindAddress)
{
    // Blank entries ("MCP_API_KEYS=" or "a,,b") are not keys: ApiKeyStore drops them too.
    bool hasKeys = false;
    for (const QByteArray &key : config.apiKeys)
        hasKeys = hasKeys || !key.trimmed().isEmpty();
    if (hasKeys)
        return {};

    // --insecure-no-auth is a development convenience; production never runs open.
    if (config.mode == RunMode::Production) {
        return QStringLiteral("Refusing to start: production mode requires API keys. Set "
                              "MCP_API_KEYS, --api-key or --api-key-file.");
    }
    if (!bindAddress.isLoopback() && !config.insecureNoAuth) {
        const QString address = bindAddress.isNull() ? QStringLiteral("an unspecified address")
                                                     : bindAddress.toString();
        return QStringLiteral("Refusing to start: listening on %1 (not a loopback address) "
                              "without API keys means anyone on the network could use the "
                              "server. Configure API keys (MCP_API_KEYS, --api-key or "
                              "--api-key-file), bind to 127.0.0.1, or pass --insecure-no-auth "
                              "to run without authentication anyway.")
            .arg(address);
    }
    return {};
}

} // namespace tw::http
