#include "mcpsink.h"

namespace tw::mcp {

// Out of line so the vtable has one home.
McpSink::~McpSink() = default;

} // namespace tw::mcp
