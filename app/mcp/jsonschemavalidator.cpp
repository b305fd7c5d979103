#include "jsonschemavalidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QStringList>

#include <cmath>

using namespace Qt::StringLiterals;

namespace tw::mcp {

namespace {

bool isInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return std::isfinite(d) && std::trunc(d) == d;
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"boolean"_s;
    case QJsonValue::Double:
        return isInteger(v) ? u"integer"_s : u"number"_s;
    case QJsonValue::String:
        return u"string"_s;
    case QJsonValue::Array:
        return u"array"_s;
    case QJsonValue::Object:
        return u"object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"undefined"_s;
}

bool matchesType(const QJsonValue &v, const QString &type)
{
    if (type == "integer"_L1)
        return isInteger(v);
    if (type == "number"_L1)
        return v.isDouble();
    return typeName(v) == type || (type == "number"_L1 && v.isDouble());
}

QString compact(const QJsonValue &v)
{
    if (v.isString())
        return u"\""_s + v.toString() + u"\""_s;
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    if (v.isBool())
        return v.toBool() ? u"true"_s : u"false"_s;
    if (v.isNull())
        return u"null"_s;
    const QJsonDocument doc = v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject());
    return QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
}

QString number(double d)
{
    return QString::number(d, 'g', 17);
}

QString err(const QString &path, const QString &problem)
{
    return path + u": "_s + problem;
}

QString childPath(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

} // namespace

QString JsonSchemaValidator::validate(
    const QJsonValue &value, const QJsonObject &schema, const QString &rootPath)
{
    return check(value, schema, rootPath);
}

QString JsonSchemaValidator::check(const QJsonValue &value, const QJsonValue &schemaValue,
    const QString &path)
{
    // Boolean schemas (2020-12): true accepts anything, false nothing.
    if (schemaValue.isBool())
        return schemaValue.toBool() ? QString() : err(path, u"is not allowed"_s);
    if (!schemaValue.isObject())
        return {};
    const QJsonObject s = schemaValue.toObject();

    if (s.contains("type"_L1)) {
        const QString e = checkType(value, s.value("type"_L1), path);
        if (!e.isEmpty())
            return e;
    }
    if (s.contains("const"_L1) && value != s.value("const"_L1))
        return err(path, u"must be "_s + compact(s.value("const"_L1)));
    if (s.contains("enum"_L1)) {
        const QJsonArray options = s.value("enum"_L1).toArray();
        if (!options.contains(value)) {
            QStringList names;
            for (const QJsonValue &o : options)
                names << compact(o);
            return err(path, u"must be one of "_s + names.join(u", "_s));
        }
    }
    QString e;
    if (value.isDouble() && !(e = checkNumber(value, s, path)).isEmpty())
        return e;
    if (value.isString() && !(e = checkString(value, s, path)).isEmpty())
        return e;
    if (value.isArray() && !(e = checkArray(value, s, path)).isEmpty())
        return e;
    if (value.isObject() && !(e = checkObject(value, s, path)).isEmpty())
        return e;
    return checkCombinators(value, s, path);
}

QString JsonSchemaValidator::checkType(const QJsonValue &value, const QJsonValue &type,
    const QString &path)
{
    QStringList allowed;
    if (type.isString())
        allowed << type.toString();
    else
        for (const QJsonValue &t : type.toArray())
            allowed << t.toString();
    for (const QString &t : allowed)
        if (matchesType(value, t))
            return {};
    if (allowed.isEmpty())
        return {};
    const QString article = !allowed.first().isEmpty() && u"aeiou"_s.contains(allowed.first().front())
        ? u"an "_s
        : u"a "_s;
    if (allowed.size() == 1)
        return err(path, u"must be "_s + article + allowed.first() + u" (got "_s + typeName(value)
                + u')');
    return err(path, u"must be one of the types "_s + allowed.join(u", "_s) + u" (got "_s
            + typeName(value) + u')');
}

QString JsonSchemaValidator::checkNumber(const QJsonValue &value, const QJsonObject &s,
    const QString &path)
{
    const double d = value.toDouble();
    // draft-4 spells exclusivity as booleans next to minimum/maximum; 2020-12 as numbers.
    const bool exclMinBool = s.value("exclusiveMinimum"_L1).toBool(false);
    const bool exclMaxBool = s.value("exclusiveMaximum"_L1).toBool(false);
    if (s.value("minimum"_L1).isDouble()) {
        const double min = s.value("minimum"_L1).toDouble();
        if (exclMinBool ? !(d > min) : !(d >= min))
            return err(path, (exclMinBool ? u"must be > "_s : u"must be >= "_s) + number(min));
    }
    if (s.value("maximum"_L1).isDouble()) {
        const double max = s.value("maximum"_L1).toDouble();
        if (exclMaxBool ? !(d < max) : !(d <= max))
            return err(path, (exclMaxBool ? u"must be < "_s : u"must be <= "_s) + number(max));
    }
    if (s.value("exclusiveMinimum"_L1).isDouble()) {
        const double min = s.value("exclusiveMinimum"_L1).toDouble();
        if (!(d > min))
            return err(path, u"must be > "_s + number(min));
    }
    if (s.value("exclusiveMaximum"_L1).isDouble()) {
        const double max = s.value("exclusiveMaximum"_L1).toDouble();
        if (!(d < max))
            return err(path, u"must be < "_s + number(max));
    }
    if (s.value("multipleOf"_L1).isDouble()) {
        const double m = s.value("multipleOf"_L1).toDouble();
        if (m > 0) {
            const double q = d / m;
            if (std::fabs(q - std::round(q)) > 1e-9)
                return err(path, u"must be a multiple of "_s + number(m));
        }
    }
    return {};
}

QString JsonSchemaValidator::checkString(const QJsonValue &value, const QJsonObject &s,
    const QString &path)
{
    const QString str = value.toString();
    // Lengths count code points, as JSON Schema does, not UTF-16 units.
    const qsizetype length = str.toUcs4().size();
    if (s.value("minLength"_L1).isDouble() && length < s.value("minLength"_L1).toInteger())
        return err(path, u"must be at least "_s + QString::number(s.value("minLength"_L1).toInteger())
                + u" characters long"_s);
    if (s.value("maxLength"_L1).isDouble() && length > s.value("maxLength"_L1).toInteger())
        return err(path, u"must be at most "_s + QString::number(s.value("maxLength"_L1).toInteger())
                + u" characters long"_s);
    if (s.value("pattern"_L1).isString()) {
        const QString pattern = s.value("pattern"_L1).toString();
        const QRegularExpression re(pattern);
        // A schema with a broken pattern is the server's bug; don't blame the caller for it.
        if (re.isValid() && !re.match(str).hasMatch())
            return err(path, u"must match the pattern "_s + pattern);
    }
    return {};
}

QString JsonSchemaValidator::checkArray(const QJsonValue &value, const QJsonObject &s,
    const QString &path)
{
    const QJsonArray array = value.toArray();
    if (s.value("minItems"_L1).isDouble() && array.size() < s.value("minItems"_L1).toInteger())
        return err(path, u"must have at least "_s + QString::number(s.value("minItems"_L1).toInteger())
                + u" items"_s);
    if (s.value("maxItems"_L1).isDouble() && array.size() > s.value("maxItems"_L1).toInteger())
        return err(path, u"must have at most "_s + QString::number(s.value("maxItems"_L1).toInteger())
                + u" items"_s);
    if (s.value("uniqueItems"_L1).toBool(false)) {
        for (qsizetype i = 0; i < array.size(); ++i)
            for (qsizetype j = i + 1; j < array.size(); ++j)
                if (array.at(i) == array.at(j))
                    return err(path, u"must not contain duplicate items ("_s + compact(array.at(i))
                            + u')');
    }
    // prefixItems (2020-12) or items as an array (draft-4..2019) constrain positions; then
    // items (2020-12) or additionalItems constrain the rest.
    QJsonArray prefix = s.value("prefixItems"_L1).toArray();
    QJsonValue rest = s.value("items"_L1);
    if (rest.isArray()) {
        prefix = rest.toArray();
        rest = s.value("additionalItems"_L1);
    }
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemPath = path + u'[' + QString::number(i) + u']';
        const QJsonValue itemSchema = i < prefix.size() ? prefix.at(i) : rest;
        if (itemSchema.isUndefined())
            continue;
        const QString e = check(array.at(i), itemSchema, itemPath);
        if (!e.isEmpty())
            return e;
    }
    return {};
}

QString JsonSchemaValidator::checkObject(const QJsonValue &value, const QJsonObject &s,
    const QString &path)
{
    const QJsonObject object = value.toObject();
    for (const QJsonValue &required : s.value("required"_L1).toArray()) {
        if (!object.contains(required.toString()))
            return err(childPath(path, required.toString()), u"is required"_s);
    }
    const QJsonObject properties = s.value("properties"_L1).toObject();
    const QJsonValue additional = s.value("additionalProperties"_L1);
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString p = childPath(path, it.key());
        if (properties.contains(it.key())) {
            const QString e = check(it.value(), properties.value(it.key()), p);
            if (!e.isEmpty())
                return e;
        } else if (additional.isBool() && !additional.toBool()) {
            QStringList known = properties.keys();
            return err(p, u"is not a known property"_s
                    + (known.isEmpty() ? QString() : u" (expected: "_s + known.join(u", "_s) + u')'));
        } else if (additional.isObject()) {
            const QString e = check(it.value(), additional, p);
            if (!e.isEmpty())
                return e;
        }
    }
    if (s.value("minProperties"_L1).isDouble()
        && object.size() < s.value("minProperties"_L1).toInteger())
        return err(path, u"must have at least "_s
                + QString::number(s.value("minProperties"_L1).toInteger()) + u" properties"_s);
    if (s.value("maxProperties"_L1).isDouble()
        && object.size() > s.value("maxProperties"_L1).toInteger())
        return err(path, u"must have at most "_s
                + QString::number(s.value("maxProperties"_L1).toInteger()) + u" properties"_s);
    return {};
}

QString JsonSchemaValidator::checkCombinators(const QJsonValue &value, const QJsonObject &s,
    const QString &path)
{
    for (const QJsonValue &sub : s.value("allOf"_L1).toArray()) {
        const QString e = check(value, sub, path);
        if (!e.isEmpty())
            return e;
    }
    if (s.contains("anyOf"_L1)) {
        const QJsonArray options = s.value("anyOf"_L1).toArray();
        QString first;
        bool any = false;
        for (const QJsonValue &sub : options) {
            const QString e = check(value, sub, path);
            if (e.isEmpty()) {
                any = true;
                break;
            }
            if (first.isEmpty())
                first = e;
        }
        if (!any && !options.isEmpty())
            return options.size() == 1 ? first
                                       : err(path, u"does not match any allowed form (first: "_s
                                               + first.mid(path.size() + 2) + u')');
    }
    if (s.contains("oneOf"_L1)) {
        const QJsonArray options = s.value("oneOf"_L1).toArray();
        int matches = 0;
        QString first;
        for (const QJsonValue &sub : options) {
            const QString e = check(value, sub, path);
            if (e.isEmpty())
                ++matches;
            else if (first.isEmpty())
                first = e;
        }
        if (matches == 0 && !options.isEmpty())
            return options.size() == 1 ? first
                                       : err(path, u"does not match any allowed form (first: "_s
                                               + first.mid(path.size() + 2) + u')');
        if (matches > 1)
            return err(path, u"matches more than one allowed form"_s);
    }
    if (s.contains("not"_L1) && check(value, s.value("not"_L1), path).isEmpty())
        return err(path, u"must not match "_s + compact(s.value("not"_L1)));
    return {};
}

} // namespace tw::mcp
