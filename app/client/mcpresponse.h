// The outcome of one request: a result object, or an McpError.
#pragma once

#include "mcperror.h"

#include <QJsonObject>

namespace tw::client {

struct McpResponse {
    QJsonObject result;
    McpError error;

    bool ok() const { return !error.isError(); }
};

} // namespace tw::client
