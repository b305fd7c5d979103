// Where the engine writes server->client messages. A transport implements it: the HTTP
// transport per POST (an SSE stream or a JSON body) and per session (the standalone GET
// stream), stdio once for stdout. The engine holds sinks by shared_ptr so a transport may
// drop its side at any time without leaving the engine a dangling pointer.
#pragma once

#include <QByteArray>
#include <QJsonObject>

namespace tw::mcp {

class McpSink {
public:
    virtual ~McpSink();

    // One JSON-RPC message (response, notification or server request), in order.
    virtual void send(const QJsonObject &message) = 0;
    // A notification already serialised as compact JSON (what QJsonDocument would write for
    // it): the hot path of streamed progress, which splices pre-escaped bytes instead of
    // building and serialising a QJsonObject per event. Sinks that write JSON text override
    // it to use the bytes as they are; the default parses them and calls send().
    virtual void sendSerialized(const QByteArray &json);
    // Every request routed to this sink that outlived McpServer::handle() has now been
    // answered, cancelled or expired: nothing more will be sent for them, so an SSE stream
    // may end. Not called for requests answered before handle() returned.
    virtual void complete() { }
    // Whether server->client requests may travel on this sink. A plain JSON response (the
    // HTTP transport's --json-response mode) cannot carry them: the engine then sends them on
    // the session sink instead.
    virtual bool carriesServerRequests() const { return true; }
};

} // namespace tw::mcp
