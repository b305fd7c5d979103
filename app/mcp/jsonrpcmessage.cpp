#include "jsonrpcmessage.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace tw::mcp {

namespace {
// Integers beyond this lose precision in JavaScript, so a client could not match our reply.
constexpr double kMaxSafeInteger = 9007199254740992.0; // 2^53
constexpr qint64 kMaxSafeInteger64 = Q_INT64_C(9007199254740992);
}

bool JsonRpcMessage::isValidId(const QJsonValue &id, QString *why)
{
    auto fail = [why](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };
    switch (id.type()) {
    case QJsonValue::String:
        return true;
    case QJsonValue::Double: {
        const double d = id.toDouble();
        if (!std::isfinite(d) || std::trunc(d) != d)
            return fail(u"id must be a string or an integer, not a fractional number"_s);
        // Integers that fit qint64 are kept exactly by Qt; toDouble() would round them.
        const qint64 exact = id.toInteger(0);
        const bool tooBig = exact != 0 ? (exact > kMaxSafeInteger64 || exact < -kMaxSafeInteger64)
                                       : std::fabs(d) > kMaxSafeInteger;
        if (tooBig)
            return fail(u"id is an integer beyond 2^53, which clients cannot represent exactly; "
                        "use a smaller integer or a string"_s);
        return true;
    }
    case QJsonValue::Null:
        return fail(u"id must not be null"_s);
    case QJsonValue::Bool:
        return fail(u"id must be a string or an integer, not a boolean"_s);
    case QJsonValue::Object:
    case QJsonValue::Array:
        return fail(u"id must be a string or an integer, not an object or array"_s);
    case QJsonValue::Undefined:
        return fail(u"id is missing"_s);
    }
    return fail(u"id has an unknown type"_s);
}

QString JsonRpcMessage::idKey(const QJsonValue &id)
{
    if (id.isString())
        return u"s:"_s + id.toString();
    const qint64 exact = id.toInteger(0);
    if (exact != 0 || id.toDouble() == 0)
        return u"n:"_s + QString::number(exact);
    return u"n:"_s + QString::number(id.toDouble(), 'f', 0);
}

JsonRpcMessage JsonRpcMessage::classify(const QJsonValue &value)
{
    JsonRpcMessage m;
    auto invalid = [&m](const QString &reason) {
        m.m_kind = Kind::Invalid;
        m.m_invalidReason = reason;
        return m;
    };
    if (!value.isObject())
        return invalid(u"a JSON-RPC message must be a JSON object"_s);
    m.m_object = value.toObject();
    const QJsonObject &o = m.m_object;

    const bool hasId = o.contains("id"_L1);
    const QJsonValue id = o.value("id"_L1);
    QString idProblem;
    const bool idOk = hasId && isValidId(id, &idProblem);
    if (idOk)
        m.m_id = id; // so even an otherwise invalid message gets a correlatable error

    if (o.value("jsonrpc"_L1) != QJsonValue(u"2.0"_s))
        return invalid(u"\"jsonrpc\" must be exactly \"2.0\""_s);

    if (o.contains("method"_L1)) {
        const QJsonValue method = o.value("method"_L1);
        if (!method.isString() || method.toString().isEmpty())
            return invalid(u"\"method\" must be a non-empty string"_s);
        if (o.contains("result"_L1) || o.contains("error"_L1))
            return invalid(u"a request must not carry \"result\" or \"error\""_s);
        m.m_method = method.toString();
        if (o.contains("params"_L1)) {
            const QJsonValue params = o.value("params"_L1);
            if (!params.isObject() && !params.isArray())
                return invalid(u"\"params\" must be an object or an array"_s);
            m.m_params = params;
        }
        if (!hasId) {
            m.m_kind = Kind::Notification;
            return m;
        }
        if (!idOk)
            return invalid(idProblem);
        m.m_kind = Kind::Request;
        return m;
    }

    const bool hasResult = o.contains("result"_L1);
    const bool hasError = o.contains("error"_L1);
    if (!hasResult && !hasError)
        return invalid(u"a message needs \"method\" (request or notification) or \"result\"/"
                       "\"error\" (response)"_s);
    if (hasResult && hasError)
        return invalid(u"a response must not carry both \"result\" and \"error\""_s);
    if (hasResult) {
        if (!idOk)
            return invalid(idProblem.isEmpty() ? u"a response needs an id"_s : idProblem);
        m.m_kind = Kind::Response;
        return m;
    }
    const QJsonValue error = o.value("error"_L1);
    const QJsonObject errorObject = error.toObject();
    const QJsonValue code = errorObject.value("code"_L1);
    if (!error.isObject() || !code.isDouble() || std::trunc(code.toDouble()) != code.toDouble()
        || !errorObject.value("message"_L1).isString())
        return invalid(u"\"error\" must be an object with an integer \"code\" and a string "
                       "\"message\""_s);
    // An error response may have a null id (the peer could not read ours).
    if (!idOk && !(hasId && id.isNull()))
        return invalid(idProblem.isEmpty() ? u"an error response needs an id"_s : idProblem);
    m.m_kind = Kind::ErrorResponse;
    return m;
}

QJsonObject JsonRpcMessage::makeResult(const QJsonValue &id, const QJsonObject &result)
{
    return QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"result"_s, result } };
}

QJsonObject JsonRpcMessage::makeError(
    const QJsonValue &id, int code, const QString &message, const QJsonValue &data)
{
    QJsonObject error { { u"code"_s, code }, { u"message"_s, message } };
    if (!data.isUndefined())
        error.insert(u"data"_s, data);
    return QJsonObject { { u"jsonrpc"_s, u"2.0"_s },
        { u"id"_s, id.isUndefined() ? QJsonValue(QJsonValue::Null) : id }, { u"error"_s, error } };
}

QJsonObject JsonRpcMessage::makeNotification(const QString &method, const QJsonObject &params)
{
    QJsonObject n { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, method } };
    if (!params.isEmpty())
        n.insert(u"params"_s, params);
    return n;
}

QJsonObject JsonRpcMessage::makeRequest(
    const QJsonValue &id, const QString &method, const QJsonObject &params)
{
    QJsonObject r { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"method"_s, method } };
    if (!params.isEmpty())
        r.insert(u"params"_s, params);
    return r;
}

} // namespace tw::mcp
