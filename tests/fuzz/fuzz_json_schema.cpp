// JsonSchemaValidator: the values clients send as tool arguments checked against a schema.
// Input: [mode][rest]. mode bit 0 clear: the rest is a JSON value checked against a built-in
// schema that uses every keyword the validator knows; set: the rest is "<schema>\n<value>",
// both JSON. Nothing may crash, validation must be deterministic, and an error must name its
// path under the root ("arguments...: problem") so a client can fix its call.
#include "fuzzsupport.h"

#include "jsonschemavalidator.h"

#include <QJsonArray>
#include <QJsonDocument>

using tw::mcp::JsonSchemaValidator;

namespace {

const char kBuiltInSchema[] = R"({
  "type": "object",
  "properties": {
    "symbol": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9.\\-]{0,11}$", "minLength": 1, "maxLength": 12},
    "symbols": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 5, "uniqueItems": true},
    "limit": {"type": "integer", "minimum": 1, "maximum": 200, "multipleOf": 1},
    "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "old": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true},
    "mode": {"enum": ["snapshot", "stream", 3, null, {"a": [1]}]},
    "fixed": {"const": {"k": [true, false]}},
    "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false},
    "tuple": {"type": "array", "items": [{"type": "boolean"}], "additionalItems": {"type": "null"}},
    "either": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "integer"}]},
    "exactly": {"oneOf": [{"type": "number", "minimum": 5}, {"type": "integer", "maximum": 10}]},
    "both": {"allOf": [{"type": ["string", "null"]}, {"not": {"const": "no"}}]},
    "nested": {"type": "object", "properties": {"deep": {"$ref": "#"}}, "additionalProperties": {"type": "integer"},
               "minProperties": 1, "maxProperties": 3, "required": ["deep"]}
  },
  "required": ["symbol"],
  "additionalProperties": false
})";

QJsonValue parseValue(const QByteArray &bytes, bool *ok)
{
    // Wrapped in an array so scalars are values too.
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + bytes + "]", &error);
    *ok = error.error == QJsonParseError::NoError && doc.isArray() && doc.array().size() == 1;
    return *ok ? doc.array().at(0) : QJsonValue();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tw::fuzz::ensureApp();
    tw::fuzz::ByteReader in(data, size);
    const uint8_t mode = in.byte();
    QByteArray rest = in.rest();

    static const QJsonObject builtIn = QJsonDocument::fromJson(kBuiltInSchema).object();
    tw::fuzz::check(!builtIn.isEmpty(), "the built-in schema parses");
    QJsonObject schema = builtIn;
    if (mode & 1) {
        const qsizetype nl = rest.indexOf('\n');
        if (nl < 0)
            return 0;
        bool ok = false;
        const QJsonValue s = parseValue(rest.left(nl), &ok);
        if (!ok || !s.isObject())
            return 0;
        schema = s.toObject();
        rest = rest.mid(nl + 1);
    }
    bool ok = false;
    const QJsonValue value = parseValue(rest, &ok);
    if (!ok)
        return 0;

    const QString first = JsonSchemaValidator::validate(value, schema);
    const QString again = JsonSchemaValidator::validate(value, schema);
    tw::fuzz::check(first == again, "validation is deterministic", first.toUtf8());
    tw::fuzz::check(first.isEmpty() || first.startsWith(QLatin1String("arguments")),
        "an error names its path under the root", first.toUtf8());
    return 0;
}
