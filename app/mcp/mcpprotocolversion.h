// The MCP revisions this engine speaks and the rules that differ between them, kept in one
// place so a new revision is one edit here plus the features it adds.
#pragma once

#include <QString>
#include <QStringList>

namespace tw::mcp {

class McpProtocolVersion {
public:
    static QString latest(); // 2025-11-25
    // What the spec says a server assumes when an HTTP client sends no MCP-Protocol-Version.
    static QString httpDefault(); // 2025-03-26
    static QStringList supported(); // newest first
    static bool isSupported(const QString &version);
    // The version to answer an initialize with: the client's if we speak it, else our latest
    // (the client then decides whether it can continue).
    static QString negotiate(const QString &requested);
    // JSON-RPC batches exist only in 2025-03-26 (added there, removed in 2025-06-18).
    static bool allowsBatches(const QString &version);
    // SEP-1303 (2025-11-25): tool argument validation failures are tool execution errors
    // (isError results the model can read), not JSON-RPC -32602.
    static bool argumentErrorsAsToolResults(const QString &version);
    // completions capability and completion/complete appeared in 2025-03-26.
    static bool hasCompletions(const QString &version);
};

} // namespace tw::mcp
