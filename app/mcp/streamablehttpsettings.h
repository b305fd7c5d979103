// The Streamable HTTP transport's knobs, with their defaults in one place. The server's
// Config maps command-line options and environment variables onto this (see README.md).
#pragma once

#include <QByteArray>

namespace tw::mcp {

struct StreamableHttpSettings {
    QByteArray path = QByteArrayLiteral("/mcp");
    // Answer every request with application/json, waiting for slow requests to finish and
    // dropping the progress/log notifications a JSON body cannot carry (--json-response).
    bool jsonResponse = false;
    // A session with no HTTP request and no open stream for this long is closed (the
    // seed's 30 minutes). Its id then answers 404 so the client re-initializes.
    int sessionIdleTimeoutMs = 30 * 60 * 1000;
    // Open sessions at most; an initialize beyond it is answered 503 (after expired
    // sessions have been swept). 0 = unlimited.
    int maxSessions = 1000;
    // Per-session resumability store: SSE events kept for replay after Last-Event-ID.
    int eventStoreMaxEvents = 1000;
    int eventStoreMaxAgeMs = 5 * 60 * 1000;
    // Bytes of stored events per session (the newest is kept whatever its size): with the
    // default session cap, 1000 sessions x 1 MiB bounds the stores to 1 GiB overall.
    qint64 eventStoreMaxBytes = 1024 * 1024;
    // "retry:" sent at the start of every SSE stream: how long a client waits before it
    // reconnects with Last-Event-ID.
    int sseRetryMs = 2000;
    // SSE polling (2025-11-25): the server ends a POST stream whose request is still running
    // after this long, and the client resumes it with GET + Last-Event-ID. 0 = off. Only for
    // sessions on 2025-11-25 or later (older clients were not told they may resume).
    int ssePollIntervalMs = 0;
};

} // namespace tw::mcp
