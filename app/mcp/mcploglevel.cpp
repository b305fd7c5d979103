#include "mcploglevel.h"

#include <array>

using namespace Qt::StringLiterals;

namespace tw::mcp {

namespace {
constexpr std::array<const char *, 8> kNames { "debug", "info", "notice", "warning", "error",
    "critical", "alert", "emergency" };
}

std::optional<McpLogLevel::Level> McpLogLevel::fromString(const QString &name)
{
    for (size_t i = 0; i < kNames.size(); ++i)
        if (name == QLatin1String(kNames[i]))
            return static_cast<Level>(i);
    return std::nullopt;
}

QString McpLogLevel::toString(Level level)
{
    return QLatin1String(kNames[static_cast<size_t>(level)]);
}

} // namespace tw::mcp
