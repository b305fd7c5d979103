// Strict JSON-RPC 2.0 classification and the shared builders (app/mcp/jsonrpcmessage.h).
#include "jsonrpcmessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using tw::mcp::JsonRpcMessage;
using Kind = JsonRpcMessage::Kind;

Q_DECLARE_METATYPE(JsonRpcMessage::Kind)

class tst_JsonRpcMessage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void classify_data();
    void classify();
    void idKeysDistinguishTypes();
    void builders();
};

static QJsonValue parse(const char *json)
{
    const QJsonDocument d = QJsonDocument::fromJson(QByteArray(json));
    return d.isArray() ? QJsonValue(d.array()) : QJsonValue(d.object());
}

void tst_JsonRpcMessage::classify_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("reasonContains");

    QTest::newRow("request int id") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")
                                    << Kind::Request << QString();
    QTest::newRow("request string id")
        << QByteArray(R"({"jsonrpc":"2.0","id":"a","method":"ping","params":{}})") << Kind::Request
        << QString();
    QTest::newRow("request max safe id")
        << QByteArray(R"({"jsonrpc":"2.0","id":9007199254740992,"method":"ping"})") << Kind::Request
        << QString();
    QTest::newRow("notification") << QByteArray(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")
                                   << Kind::Notification << QString();
    QTest::newRow("response") << QByteArray(R"({"jsonrpc":"2.0","id":3,"result":{}})") << Kind::Response
                              << QString();
    QTest::newRow("error response")
        << QByteArray(R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"x"}})")
        << Kind::ErrorResponse << QString();
    QTest::newRow("error response null id")
        << QByteArray(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}})")
        << Kind::ErrorResponse << QString();
    QTest::newRow("array params allowed by JSON-RPC")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1]})") << Kind::Request
        << QString();

    QTest::newRow("wrong version") << QByteArray(R"({"jsonrpc":"1.0","id":1,"method":"ping"})")
                                   << Kind::Invalid << u"jsonrpc"_s;
    QTest::newRow("missing version") << QByteArray(R"({"id":1,"method":"ping"})") << Kind::Invalid
                                     << u"jsonrpc"_s;
    QTest::newRow("null id") << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"ping"})")
                             << Kind::Invalid << u"null"_s;
    QTest::newRow("float id") << QByteArray(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})")
                              << Kind::Invalid << u"fractional"_s;
    QTest::newRow("bool id") << QByteArray(R"({"jsonrpc":"2.0","id":true,"method":"ping"})")
                             << Kind::Invalid << u"boolean"_s;
    QTest::newRow("object id") << QByteArray(R"({"jsonrpc":"2.0","id":{},"method":"ping"})")
                               << Kind::Invalid << u"object"_s;
    QTest::newRow("huge id") << QByteArray(R"({"jsonrpc":"2.0","id":9007199254740993,"method":"ping"})")
                             << Kind::Invalid << u"2^53"_s;
    QTest::newRow("huger id") << QByteArray(R"({"jsonrpc":"2.0","id":1e30,"method":"ping"})")
                              << Kind::Invalid << u"2^53"_s;
    QTest::newRow("negative huge id")
        << QByteArray(R"({"jsonrpc":"2.0","id":-9007199254740993,"method":"ping"})") << Kind::Invalid
        << u"2^53"_s;
    QTest::newRow("method not string") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":5})")
                                       << Kind::Invalid << u"method"_s;
    QTest::newRow("params scalar") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"x","params":3})")
                                   << Kind::Invalid << u"params"_s;
    QTest::newRow("result and error")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}})")
        << Kind::Invalid << u"both"_s;
    QTest::newRow("bad error object")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}})")
        << Kind::Invalid << u"code"_s;
    QTest::newRow("nothing") << QByteArray(R"({"jsonrpc":"2.0","id":1})") << Kind::Invalid
                             << u"method"_s;
    QTest::newRow("array") << QByteArray(R"([1])") << Kind::Invalid << u"object"_s;
}

void tst_JsonRpcMessage::classify()
{
    QFETCH(QByteArray, json);
    QFETCH(Kind, kind);
    QFETCH(QString, reasonContains);
    const JsonRpcMessage m = JsonRpcMessage::classify(parse(json.constData()));
    QCOMPARE(m.kind(), kind);
    if (!reasonContains.isEmpty())
        QVERIFY2(m.invalidReason().contains(reasonContains), qPrintable(m.invalidReason()));
}

void tst_JsonRpcMessage::idKeysDistinguishTypes()
{
    QVERIFY(JsonRpcMessage::idKey(QJsonValue(1)) != JsonRpcMessage::idKey(QJsonValue(u"1"_s)));
    QCOMPARE(JsonRpcMessage::idKey(QJsonValue(7)), JsonRpcMessage::idKey(QJsonValue(7.0)));
    // An invalid message keeps its usable id so the error can be correlated.
    const JsonRpcMessage m = JsonRpcMessage::classify(parse(R"({"jsonrpc":"2.0","id":9,"method":5})"));
    QCOMPARE(m.id(), QJsonValue(9));
}

void tst_JsonRpcMessage::builders()
{
    const QJsonObject e = JsonRpcMessage::makeError(QJsonValue(4), JsonRpcMessage::MethodNotFound,
        u"Method not found: x"_s);
    QCOMPARE(e.value("jsonrpc"_L1).toString(), u"2.0"_s);
    QCOMPARE(e.value("id"_L1), QJsonValue(4));
    QCOMPARE(e.value("error"_L1).toObject().value("code"_L1).toInt(), -32601);
    QVERIFY(!e.value("error"_L1).toObject().contains("data"_L1));
    const QJsonObject noId = JsonRpcMessage::makeError(QJsonValue::Undefined, -32700, u"x"_s);
    QVERIFY(noId.value("id"_L1).isNull());
    const QJsonObject r = JsonRpcMessage::makeResult(QJsonValue(u"a"_s), QJsonObject());
    QCOMPARE(JsonRpcMessage::classify(r).kind(), Kind::Response);
    const QJsonObject n = JsonRpcMessage::makeNotification(u"notifications/x"_s);
    QCOMPARE(JsonRpcMessage::classify(n).kind(), Kind::Notification);
    QVERIFY(!n.contains("params"_L1));
}

QTEST_GUILESS_MAIN(tst_JsonRpcMessage)
#include "tst_jsonrpcmessage.moc"
