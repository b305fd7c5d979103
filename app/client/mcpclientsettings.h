// What an McpClient can be told, with the defaults in one place. The CLI and the GUI map their
// options and QSettings onto this struct.
#pragma once

#include <QByteArray>
#include <QString>

namespace tw::client {

struct McpClientSettings {
    enum class ApiKeyHeader {
        XApiKey,
        Bearer
    };

    // Sent on every HTTP request when non-empty; empty: MCP_API_KEY from the environment
    // (unless apiKeyFromEnvironment is off).
    QByteArray apiKey;
    bool apiKeyFromEnvironment = true;
    ApiKeyHeader apiKeyHeader = ApiKeyHeader::XApiKey;

    // The revision offered at initialize; the server's answer is accepted when it is one of
    // McpClient::supportedProtocolVersions().
    QString protocolVersion = QStringLiteral("2025-11-25");
    QString clientName = QStringLiteral("tickerwire-client");
    QString clientVersion = QStringLiteral("0.1.0");

    // A request with no answer after this long is cancelled (notifications/cancelled) and
    // reported as timed out. 0 = wait for ever (streams that end on their own).
    int requestTimeoutMs = 60000;
    int initializeTimeoutMs = 15000;

    // Resumption of a POST stream that ended before its response (GET + Last-Event-ID): at
    // most this many failed attempts in a row (a resumed stream that opens resets the count,
    // so SSE polling can go on as long as the request); the delay is the server's `retry:`,
    // backing off exponentially from resumeBackoffMs up to resumeBackoffMaxMs on failures.
    int maxResumeAttempts = 5;
    int resumeBackoffMs = 500;
    int resumeBackoffMaxMs = 10000;
};

} // namespace tw::client
