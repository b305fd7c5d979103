// Tool argument validation (app/mcp/jsonschemavalidator.h): the first error names the field.
#include "jsonschemavalidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using tw::mcp::JsonSchemaValidator;

class tst_JsonSchemaValidator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void validate_data();
    void validate();
};

static QJsonValue json(const QByteArray &text)
{
    // Wrap so scalars parse too.
    return QJsonDocument::fromJson('[' + text + ']').array().first();
}

void tst_JsonSchemaValidator::validate_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("error"); // empty = valid

    const QByteArray stream = R"({"type":"object","properties":{
        "symbol":{"type":"string","minLength":1,"maxLength":5,"pattern":"^[A-Z.]+$"},
        "interval":{"type":"integer","minimum":1000,"default":10000},
        "ratio":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1},
        "stream":{"type":"boolean"},
        "mode":{"enum":["live","replay"]},
        "kind":{"const":"news"},
        "symbols":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":3}},
        "required":["symbol"],"additionalProperties":false})";

    QTest::newRow("valid") << stream << QByteArray(R"({"symbol":"TSLA","interval":1000})") << QString();
    QTest::newRow("default ignored") << stream << QByteArray(R"({"symbol":"A"})") << QString();
    QTest::newRow("missing required") << stream << QByteArray(R"({})")
                                      << u"arguments.symbol: is required"_s;
    QTest::newRow("wrong type") << stream << QByteArray(R"({"symbol":5})")
                                << u"arguments.symbol: must be a string (got integer)"_s;
    QTest::newRow("integer vs number") << stream << QByteArray(R"({"symbol":"A","interval":1500.5})")
                                       << u"arguments.interval: must be an integer (got number)"_s;
    QTest::newRow("integral float is an integer")
        << stream << QByteArray(R"({"symbol":"A","interval":2000.0})") << QString();
    QTest::newRow("minimum") << stream << QByteArray(R"({"symbol":"A","interval":999})")
                             << u"arguments.interval: must be >= 1000"_s;
    QTest::newRow("exclusiveMinimum") << stream << QByteArray(R"({"symbol":"A","ratio":0})")
                                      << u"arguments.ratio: must be > 0"_s;
    QTest::newRow("exclusiveMaximum") << stream << QByteArray(R"({"symbol":"A","ratio":1})")
                                      << u"arguments.ratio: must be < 1"_s;
    QTest::newRow("minLength") << stream << QByteArray(R"({"symbol":""})")
                               << u"arguments.symbol: must be at least 1 characters long"_s;
    QTest::newRow("maxLength") << stream << QByteArray(R"({"symbol":"ABCDEF"})")
                               << u"arguments.symbol: must be at most 5 characters long"_s;
    QTest::newRow("pattern") << stream << QByteArray(R"({"symbol":"ts"})")
                             << u"arguments.symbol: must match the pattern ^[A-Z.]+$"_s;
    QTest::newRow("enum") << stream << QByteArray(R"({"symbol":"A","mode":"x"})")
                          << u"arguments.mode: must be one of \"live\", \"replay\""_s;
    QTest::newRow("const") << stream << QByteArray(R"({"symbol":"A","kind":"x"})")
                           << u"arguments.kind: must be \"news\""_s;
    QTest::newRow("additional") << stream << QByteArray(R"({"symbol":"A","extra":1})")
                                << u"arguments.extra: is not a known property (expected: interval, kind, mode, ratio, "
                                   "stream, symbol, symbols)"_s;
    QTest::newRow("items") << stream << QByteArray(R"({"symbol":"A","symbols":["A",2]})")
                           << u"arguments.symbols[1]: must be a string (got integer)"_s;
    QTest::newRow("minItems") << stream << QByteArray(R"({"symbol":"A","symbols":[]})")
                              << u"arguments.symbols: must have at least 1 items"_s;
    QTest::newRow("maxItems") << stream << QByteArray(R"({"symbol":"A","symbols":["A","B","C","D"]})")
                              << u"arguments.symbols: must have at most 3 items"_s;
    QTest::newRow("not an object") << stream << QByteArray(R"([1])")
                                   << u"arguments: must be an object (got array)"_s;

    const QByteArray draft4 = R"({"type":"object","properties":{"n":{"type":"number","minimum":0,
        "exclusiveMinimum":true,"maximum":10}}})";
    QTest::newRow("draft4 exclusive") << draft4 << QByteArray(R"({"n":0})") << u"arguments.n: must be > 0"_s;
    QTest::newRow("maximum") << draft4 << QByteArray(R"({"n":11})") << u"arguments.n: must be <= 10"_s;

    const QByteArray anyOf = R"({"type":"object","properties":{"s":{"anyOf":[{"type":"string"},
        {"type":"array","items":{"type":"string"}}]}}})";
    QTest::newRow("anyOf first") << anyOf << QByteArray(R"({"s":"A"})") << QString();
    QTest::newRow("anyOf second") << anyOf << QByteArray(R"({"s":["A"]})") << QString();
    QTest::newRow("anyOf none") << anyOf << QByteArray(R"({"s":3})")
                                << u"arguments.s: does not match any allowed form (first: must be a string (got integer))"_s;

    const QByteArray oneOf = R"({"oneOf":[{"type":"integer"},{"type":"number"}]})";
    QTest::newRow("oneOf one") << oneOf << QByteArray("1.5") << QString();
    QTest::newRow("oneOf two") << oneOf << QByteArray("1")
                               << u"arguments: matches more than one allowed form"_s;
    QTest::newRow("type list") << QByteArray(R"({"type":["string","null"]})") << QByteArray("null")
                               << QString();
    QTest::newRow("type list miss") << QByteArray(R"({"type":["string","null"]})") << QByteArray("1")
                                    << u"arguments: must be one of the types string, null (got integer)"_s;
    QTest::newRow("nested path") << QByteArray(R"({"type":"object","properties":{"a":{"type":"object",
        "properties":{"b":{"type":"integer","maximum":2}}}}})")
                                 << QByteArray(R"({"a":{"b":3}})") << u"arguments.a.b: must be <= 2"_s;
    QTest::newRow("empty schema") << QByteArray("{}") << QByteArray(R"({"x":1})") << QString();
}

void tst_JsonSchemaValidator::validate()
{
    QFETCH(QByteArray, schema);
    QFETCH(QByteArray, value);
    QFETCH(QString, error);
    const QJsonDocument s = QJsonDocument::fromJson(schema);
    QVERIFY2(s.isObject(), schema.constData());
    QCOMPARE(JsonSchemaValidator::validate(json(value), s.object()), error);
}

QTEST_GUILESS_MAIN(tst_JsonSchemaValidator)
#include "tst_jsonschemavalidator.moc"
