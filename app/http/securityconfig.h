// Every security setting of the HTTP layer, with its safe default. The server's settings
// facade fills it from options, environment and the config file.
#pragma once

#include <QByteArrayList>
#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace tw::http {

enum class RunMode { Development, Production };

struct SecurityConfig {
    RunMode mode = RunMode::Development;
    // Plain keys as configured (MCP_API_KEYS, --api-key, --api-key-file). ApiKeyStore hashes
    // them at start-up; nothing else keeps or logs them.
    QByteArrayList apiKeys;
    // Serve without keys on a non-loopback bind (development only; loudly logged).
    bool insecureNoAuth = false;
    // Allowed browser origins; empty means the default: http(s)://localhost, 127.0.0.1 and
    // [::1] on any port. An entry may end in ":*" to allow any port.
    QStringList allowedOrigins;
    // Reject requests whose Host is not a loopback name when bound to loopback
    // (DNS-rebinding protection). On by default; the server turns it off for non-loopback binds.
    bool checkHost = true;
    // Token buckets per API key (else per client address).
    int requestsPerMinute = 100;
    int streamsPerMinute = 10;
    // Rate-limit buckets kept at most (memory bound); idle full buckets are dropped earlier.
    int maxRateLimitBuckets = 100000;
};

// Why the server refuses to start with this configuration on this address, or an empty
// string if it may start. Production without keys, and a non-loopback bind without keys
// (unless insecureNoAuth), are refused.
QString startupRefusal(const SecurityConfig &config, const QHostAddress &bindAddress);

} // namespace tw::http
