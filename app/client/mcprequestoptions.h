// How McpClient::request() runs one request: callbacks (an alternative to McpCall's signals,
// invoked with the call as context) and the timeout.
#pragma once

#include "mcpprogress.h"
#include "mcpresponse.h"

#include <functional>

namespace tw::client {

struct McpRequestOptions {
    // When set (or when `progress` is true), params._meta.progressToken is added.
    std::function<void(const McpProgress &)> onProgress;
    // Exactly once: the result, the error, a timeout or a cancel.
    std::function<void(const McpResponse &)> onDone;
    bool progress = false;
    // < 0: McpClientSettings::requestTimeoutMs; 0: no timeout.
    int timeoutMs = -1;
};

} // namespace tw::client
