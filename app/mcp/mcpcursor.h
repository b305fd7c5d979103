// Opaque pagination cursors for the list methods. A cursor names the list it belongs to and
// an offset; clients must treat it as opaque, and one that does not decode (or belongs to
// another list) is refused with -32602 rather than silently restarting the walk.
#pragma once

#include <QString>

#include <optional>

namespace tw::mcp {

class McpCursor {
public:
    static QString encode(const QString &list, qsizetype offset);
    // The offset, or nullopt when `cursor` was not made by encode() for `list`.
    static std::optional<qsizetype> decode(const QString &list, const QString &cursor);
};

} // namespace tw::mcp
