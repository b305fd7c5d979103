// One notifications/progress for a request, as delivered to its caller.
#pragma once

#include <QString>

#include <optional>

namespace tw::client {

struct McpProgress {
    double progress = 0;
    std::optional<double> total;
    QString message;
};

} // namespace tw::client
