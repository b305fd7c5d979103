#include "jsonwrite.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

#include <charconv>
#include <cmath>

namespace tw::core::json {

namespace {

    constexpr char kHex[] = "0123456789abcdef";

    void appendEscapedUnit(QByteArray &out, char16_t u)
    {
        const char esc[6] = { '\\', 'u', kHex[(u >> 12) & 0xf], kHex[(u >> 8) & 0xf],
            kHex[(u >> 4) & 0xf], kHex[u & 0xf] };
        out.append(esc, 6);
    }

    // A character below U+0080 that JSON escapes: a quote, a backslash or a control character.
    void appendEscapedAscii(QByteArray &out, char16_t u)
    {
        switch (u) {
        case '"': out.append("\\\"", 2); break;
        case '\\': out.append("\\\\", 2); break;
        case '\b': out.append("\\b", 2); break;
        case '\f': out.append("\\f", 2); break;
        case '\n': out.append("\\n", 2); break;
        case '\r': out.append("\\r", 2); break;
        case '\t': out.append("\\t", 2); break;
        default: appendEscapedUnit(out, u); break;
        }
    }

    // Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
    bool isValidUtf8(QByteArrayView s)
    {
        const auto *p = reinterpret_cast<const unsigned char *>(s.data());
        const auto *end = p + s.size();
        while (p < end) {
            const unsigned char c = *p;
            if (c < 0x80) {
                ++p;
                continue;
            }
            int extra = 0;
            char32_t cp = 0;
            if (c >= 0xc2 && c <= 0xdf) {
                extra = 1;
                cp = c & 0x1f;
            } else if (c >= 0xe0 && c <= 0xef) {
                extra = 2;
                cp = c & 0x0f;
            } else if (c >= 0xf0 && c <= 0xf4) {
                extra = 3;
                cp = c & 0x07;
            } else {
                return false;
            }
            if (end - p <= extra)
                return false;
            for (int i = 1; i <= extra; ++i) {
                if ((p[i] & 0xc0) != 0x80)
                    return false;
                cp = (cp << 6) | (p[i] & 0x3f);
            }
            if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff))
                || (cp >= 0xd800 && cp <= 0xdfff))
                return false;
            p += extra + 1;
        }
        return true;
    }

} // namespace

void appendString(QByteArray &out, QStringView s)
{
    out.reserve(out.size() + s.size() + 2);
    out.append('"');
    const char16_t *p = s.utf16();
    const char16_t *const end = p + s.size();
    while (p < end) {
        const char16_t u = *p++;
        if (u < 0x80) {
            if (u >= 0x20 && u != '"' && u != '\\')
                out.append(char(u));
            else
                appendEscapedAscii(out, u);
        } else if (u < 0x800) {
            const char b[2] = { char(0xc0 | (u >> 6)), char(0x80 | (u & 0x3f)) };
            out.append(b, 2);
        } else if (u < 0xd800 || u > 0xdfff) {
            const char b[3]
                = { char(0xe0 | (u >> 12)), char(0x80 | ((u >> 6) & 0x3f)), char(0x80 | (u & 0x3f)) };
            out.append(b, 3);
        } else if (u <= 0xdbff && p < end && *p >= 0xdc00 && *p <= 0xdfff) {
            const char32_t cp = 0x10000 + ((char32_t(u) - 0xd800) << 10) + (char32_t(*p++) - 0xdc00);
            const char b[4] = { char(0xf0 | (cp >> 18)), char(0x80 | ((cp >> 12) & 0x3f)),
                char(0x80 | ((cp >> 6) & 0x3f)), char(0x80 | (cp & 0x3f)) };
            out.append(b, 4);
        } else {
            appendEscapedUnit(out, u); // a surrogate without its other half
        }
    }
    out.append('"');
}

void appendInteger(QByteArray &out, qint64 value)
{
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, r.ptr - buf);
}

void appendNumber(QByteArray &out, double value)
{
    if (!std::isfinite(value)) {
        out.append("null", 4);
        return;
    }
    // QJsonValue(double) keeps an integral value as an integer only below 2^53 (exactly).
    constexpr double kTwo53 = 9007199254740992.0;
    if (std::abs(value) < kTwo53 && value == std::trunc(value)) {
        appendInteger(out, qint64(value));
        return;
    }
    out.append(QByteArray::number(value, 'g', QLocale::FloatingPointShortest));
}

QByteArray stringLiteral(QByteArrayView utf8)
{
    if (!isValidUtf8(utf8)) {
        const QByteArray array = QJsonDocument(QJsonArray { QString::fromUtf8(utf8) })
                                     .toJson(QJsonDocument::Compact);
        return array.mid(1, array.size() - 2);
    }
    QByteArray out;
    out.reserve(utf8.size() + utf8.size() / 8 + 2);
    out.append('"');
    const char *p = utf8.data();
    const char *const end = p + utf8.size();
    while (p < end) {
        // Runs of bytes that need nothing go in one append.
        const char *run = p;
        while (p < end && static_cast<unsigned char>(*p) >= 0x20 && *p != '"' && *p != '\\')
            ++p;
        out.append(run, p - run);
        if (p == end)
            break;
        appendEscapedAscii(out, char16_t(static_cast<unsigned char>(*p++)));
    }
    out.append('"');
    return out;
}

} // namespace tw::core::json
