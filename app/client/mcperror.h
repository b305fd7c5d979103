// Why a request (or the connection) failed, as a value: a kind that scripts and the GUI can
// branch on (the CLI maps it to exit codes) and a message a user can act on.
#pragma once

#include <QJsonValue>
#include <QString>

namespace tw::client {

struct McpError {
    enum class Kind {
        None,
        ConnectionRefused, // nothing listens at the endpoint
        Network, // DNS, reset, TLS, a stream lost for good
        Unauthorized, // 401: API key missing or wrong
        Forbidden, // 403: Origin/Host refused
        NotFound, // 404: no such endpoint, or the session is gone even after re-initializing
        RateLimited, // 429: retryAfterSeconds says when to come back
        NotAcceptable, // 406
        HttpStatus, // any other non-2xx answer
        Protocol, // the server broke the protocol (bad JSON, no answer, unsupported version)
        Rpc, // a JSON-RPC error response: code, message, data
        Timeout, // no answer within the request timeout (the server was told to cancel)
        Cancelled, // cancelled by this client
        Process, // the stdio child could not start or exited
        NotConnected, // request() before connectToServer() or after close()
    };

    Kind kind = Kind::None;
    QString message;
    int httpStatus = 0;
    int code = 0; // JSON-RPC error code (Kind::Rpc)
    QJsonValue data;
    int retryAfterSeconds = -1; // Kind::RateLimited, when the server said

    bool isError() const { return kind != Kind::None; }

    static McpError make(Kind kind, const QString &message)
    {
        McpError e;
        e.kind = kind;
        e.message = message;
        return e;
    }
};

} // namespace tw::client
