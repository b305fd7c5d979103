// Resource limits of the HTTP server, each with a safe default. Every limit that refuses a
// request answers with its own status and a JSON body that says what was wrong.
#pragma once

#include <QtGlobal>

namespace tw::http {

struct HttpLimits {
    int maxHeaderBytes = 16 * 1024; // request line + header block -> 431 (414 for a long target)
    qint64 maxBodyBytes = 1024 * 1024; // -> 413
    int requestTimeoutMs = 10000; // headers and body must be complete this long after the first byte -> 408
    int idleTimeoutMs = 60000; // keep-alive connection with no request in progress is closed
    int maxConnections = 4096; // total -> 503
    int maxConnectionsPerAddress = 256; // per client IP -> 503
    int maxPipelinedRequests = 32; // parsed but not yet answered; reading pauses beyond this
    qint64 streamBufferBytes = 1024 * 1024; // unsent bytes a stream may queue before its consumer is dropped as slow
    // Threads besides the event loop that send shares of one news item's fan-out
    // (core::SendBatch; process-wide, applied by listen()). -1: one per extra core, at most 3.
    int sendThreads = -1;
    int heartbeatIntervalMs = 15000; // ": ping" on idle SSE streams
    int sseRetryMs = 3000; // "retry:" sent at the start of each SSE stream
};

} // namespace tw::http
