#include "mcpprotocolversion.h"

using namespace Qt::StringLiterals;

namespace tw::mcp {

QString McpProtocolVersion::latest()
{
    return u"2025-11-25"_s;
}

QString McpProtocolVersion::httpDefault()
{
    return u"2025-03-26"_s;
}

QStringList McpProtocolVersion::supported()
{
    return { u"2025-11-25"_s, u"2025-06-18"_s, u"2025-03-26"_s, u"2024-11-05"_s };
}

bool McpProtocolVersion::isSupported(const QString &version)
{
    return supported().contains(version);
}

QString McpProtocolVersion::negotiate(const QString &requested)
{
    return isSupported(requested) ? requested : latest();
}

bool McpProtocolVersion::allowsBatches(const QString &version)
{
    return version == "2025-03-26"_L1;
}

bool McpProtocolVersion::argumentErrorsAsToolResults(const QString &version)
{
    // Dates in YYYY-MM-DD order compare correctly as strings.
    return version >= "2025-11-25"_L1;
}

bool McpProtocolVersion::hasCompletions(const QString &version)
{
    return version >= "2025-03-26"_L1;
}

} // namespace tw::mcp
