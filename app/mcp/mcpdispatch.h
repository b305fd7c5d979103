// What McpServer::handle() did with one POST body / one stdio line, so the transport can pick
// the response form without looking inside the messages.
#pragma once

namespace tw::mcp {

struct McpDispatch {
    enum class Outcome {
        // Only notifications and/or responses: nothing to answer (HTTP 202, no body).
        Accepted,
        // Every request was answered before handle() returned; the answers are already in
        // the sink (HTTP: application/json, an array when `batch`).
        Answered,
        // At least one request is still running: keep the sink open; more messages and
        // finally McpSink::complete() follow (HTTP: text/event-stream).
        Pending,
        // The body was not a usable JSON-RPC message (parse error, invalid message, a batch
        // where the version forbids them); an error is in the sink (HTTP: 400).
        Rejected,
    };
    Outcome outcome = Outcome::Accepted;
    bool batch = false;
    // Notifications (progress, logs) were sent to the request sink before handle()
    // returned: a JSON body cannot carry them, so HTTP should answer with SSE.
    bool streamed = false;
    int requests = 0; // requests in the body
};

} // namespace tw::mcp
