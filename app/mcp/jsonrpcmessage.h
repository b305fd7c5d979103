// One JSON-RPC 2.0 message, classified strictly (MCP's reading of the spec: ids are strings
// or integers, never null), plus the builders every layer uses for responses and errors, so
// that the wire shape of an error lives in exactly one place.
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace tw::mcp {

class JsonRpcMessage {
public:
    enum ErrorCode : int {
        ParseError = -32700,
        InvalidRequest = -32600,
        MethodNotFound = -32601,
        InvalidParams = -32602,
        InternalError = -32603,
        // MCP: resources/read for a URI the server does not know.
        ResourceNotFound = -32002,
    };

    enum class Kind { Invalid, Request, Notification, Response, ErrorResponse };

    // Never fails: an unusable message comes back as Kind::Invalid with a reason and, when
    // the id itself was usable, that id (so the error can still be correlated).
    static JsonRpcMessage classify(const QJsonValue &value);

    Kind kind() const { return m_kind; }
    bool isValid() const { return m_kind != Kind::Invalid; }
    bool isRequest() const { return m_kind == Kind::Request; }
    bool isNotification() const { return m_kind == Kind::Notification; }
    bool isResponse() const { return m_kind == Kind::Response || m_kind == Kind::ErrorResponse; }

    // The id for a request/response; Null when absent or unusable.
    QJsonValue id() const { return m_id; }
    QString method() const { return m_method; }
    // Undefined when the message has no params.
    QJsonValue params() const { return m_params; }
    QJsonObject paramsObject() const { return m_params.toObject(); }
    QJsonValue result() const { return m_object.value(QLatin1String("result")); }
    QJsonObject error() const { return m_object.value(QLatin1String("error")).toObject(); }
    QString invalidReason() const { return m_invalidReason; }
    QJsonObject object() const { return m_object; }

    // Whether `id` may identify a request: a string, or an integer within +-2^53 (larger
    // integers do not survive a round trip through a JavaScript client). `why` says what is
    // wrong otherwise.
    static bool isValidId(const QJsonValue &id, QString *why = nullptr);
    // A canonical key for maps of in-flight ids: 1 and "1" are different ids.
    static QString idKey(const QJsonValue &id);

    static QJsonObject makeResult(const QJsonValue &id, const QJsonObject &result);
    static QJsonObject makeError(const QJsonValue &id, int code, const QString &message,
        const QJsonValue &data = QJsonValue(QJsonValue::Undefined));
    static QJsonObject makeNotification(const QString &method, const QJsonObject &params = {});
    static QJsonObject makeRequest(const QJsonValue &id, const QString &method,
        const QJsonObject &params = {});

private:
    Kind m_kind = Kind::Invalid;
    QJsonValue m_id = QJsonValue::Null;
    QString m_method;
    QJsonValue m_params = QJsonValue(QJsonValue::Undefined);
    QString m_invalidReason;
    QJsonObject m_object;
};

} // namespace tw::mcp
