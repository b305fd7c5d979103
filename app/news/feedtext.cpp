#include "feedtext.h"

#include <QCryptographicHash>
#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QLocale>
#include <QRegularExpression>
#include <QTime>
#include <QTimeZone>
#include <QUrl>

namespace tw::news::feedtext {

namespace {

    // The named entities feeds actually use; anything else stays as written.
    QString namedEntity(QStringView name)
    {
        static const QHash<QString, QString> kEntities {
            { QStringLiteral("amp"), QStringLiteral("&") },
            { QStringLiteral("lt"), QStringLiteral("<") },
            { QStringLiteral("gt"), QStringLiteral(">") },
            { QStringLiteral("quot"), QStringLiteral("\"") },
            { QStringLiteral("apos"), QStringLiteral("'") },
            { QStringLiteral("nbsp"), QStringLiteral(" ") },
            { QStringLiteral("ndash"), QString(QChar(0x2013)) },
            { QStringLiteral("mdash"), QString(QChar(0x2014)) },
            { QStringLiteral("lsquo"), QString(QChar(0x2018)) },
            { QStringLiteral("rsquo"), QString(QChar(0x2019)) },
            { QStringLiteral("ldquo"), QString(QChar(0x201C)) },
            { QStringLiteral("rdquo"), QString(QChar(0x201D)) },
            { QStringLiteral("hellip"), QString(QChar(0x2026)) },
            { QStringLiteral("euro"), QString(QChar(0x20AC)) },
            { QStringLiteral("pound"), QString(QChar(0x00A3)) },
            { QStringLiteral("copy"), QString(QChar(0x00A9)) },
            { QStringLiteral("reg"), QString(QChar(0x00AE)) },
            { QStringLiteral("trade"), QString(QChar(0x2122)) },
        };
        return kEntities.value(name.toString());
    }

    // Decodes "&...;" at text[i]; returns the characters consumed (0 = not a reference).
    int decodeReference(QStringView text, qsizetype i, QString *out)
    {
        const qsizetype end = text.indexOf(QLatin1Char(';'), i + 1);
        if (end < 0 || end - i > 12)
            return 0;
        const QStringView body = text.mid(i + 1, end - i - 1);
        if (body.isEmpty())
            return 0;
        if (body.front() == QLatin1Char('#')) {
            bool ok = false;
            uint code = 0;
            if (body.size() > 1 && (body.at(1) == QLatin1Char('x') || body.at(1) == QLatin1Char('X')))
                code = body.mid(2).toUInt(&ok, 16);
            else
                code = body.mid(1).toUInt(&ok, 10);
            if (!ok || code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
                return 0;
            const char32_t c = char32_t(code);
            out->append(QString::fromUcs4(&c, 1));
            return int(end - i + 1);
        }
        const QString decoded = namedEntity(body);
        if (decoded.isEmpty())
            return 0;
        out->append(decoded);
        return int(end - i + 1);
    }

    QString collapseWhitespace(const QString &text)
    {
        QString out;
        out.reserve(text.size());
        bool space = false;
        for (const QChar c : text) {
            if (c.isSpace()) {
                space = !out.isEmpty();
                continue;
            }
            if (space)
                out.append(QLatin1Char(' '));
            space = false;
            out.append(c);
        }
        return out;
    }

    std::optional<int> zoneOffsetMinutes(const QString &zone)
    {
        static const QHash<QString, int> kZones {
            { QStringLiteral("GMT"), 0 },
            { QStringLiteral("UT"), 0 },
            { QStringLiteral("UTC"), 0 },
            { QStringLiteral("Z"), 0 },
            { QStringLiteral("EST"), -5 * 60 },
            { QStringLiteral("EDT"), -4 * 60 },
            { QStringLiteral("CST"), -6 * 60 },
            { QStringLiteral("CDT"), -5 * 60 },
            { QStringLiteral("MST"), -7 * 60 },
            { QStringLiteral("MDT"), -6 * 60 },
            { QStringLiteral("PST"), -8 * 60 },
            { QStringLiteral("PDT"), -7 * 60 },
        };
        if (zone.isEmpty())
            return 0; // RFC 822 requires a zone; feeds that omit it almost always mean UTC
        const auto it = kZones.constFind(zone.toUpper());
        if (it != kZones.constEnd())
            return it.value();
        if (zone.size() == 5 && (zone.front() == QLatin1Char('+') || zone.front() == QLatin1Char('-'))) {
            bool okH = false;
            bool okM = false;
            const int h = zone.mid(1, 2).toInt(&okH);
            const int m = zone.mid(3, 2).toInt(&okM);
            if (!okH || !okM || h > 23 || m > 59)
                return std::nullopt;
            const int minutes = h * 60 + m;
            return zone.front() == QLatin1Char('-') ? -minutes : minutes;
        }
        if (zone.size() == 1 && zone.front().isLetter())
            return 0; // military zones: RFC 1123 says treat them as unknown, i.e. UTC
        return std::nullopt;
    }

} // namespace

QString htmlToPlainText(const QString &html)
{
    QString out;
    out.reserve(html.size());
    const QStringView text(html);
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('<')) {
            const qsizetype close = text.indexOf(QLatin1Char('>'), i + 1);
            if (close < 0)
                break; // an unterminated tag swallows the rest, as a browser would
            const QStringView tag = text.mid(i + 1, close - i - 1).trimmed();
            QString name;
            for (const QChar t : tag) {
                if (t.isLetterOrNumber() || t == QLatin1Char('/'))
                    name.append(t.toLower());
                else
                    break;
            }
            i = close + 1;
            if (name == QLatin1String("script") || name == QLatin1String("style")) {
                const QString endTag = QLatin1String("</") + name;
                const qsizetype end = text.indexOf(endTag, i, Qt::CaseInsensitive);
                if (end < 0)
                    break;
                const qsizetype endClose = text.indexOf(QLatin1Char('>'), end);
                i = endClose < 0 ? n : endClose + 1;
                continue;
            }
            // Block-level tags separate words.
            static const QStringList kBreaking { QStringLiteral("br"), QStringLiteral("p"),
                QStringLiteral("/p"), QStringLiteral("div"), QStringLiteral("/div"),
                QStringLiteral("li"), QStringLiteral("/li"), QStringLiteral("tr"),
                QStringLiteral("td"), QStringLiteral("h1"), QStringLiteral("h2"),
                QStringLiteral("h3"), QStringLiteral("/h1"), QStringLiteral("/h2"),
                QStringLiteral("/h3"), QStringLiteral("br/") };
            if (kBreaking.contains(name))
                out.append(QLatin1Char(' '));
            continue;
        }
        if (c == QLatin1Char('&')) {
            const int used = decodeReference(text, i, &out);
            if (used > 0) {
                i += used;
                continue;
            }
        }
        out.append(c);
        ++i;
    }
    return collapseWhitespace(out);
}

// News from before 1970 or after 9999 is a garbled date, and years past 9999 would not survive
// the item's ISO-8601 "publishedAt" (a five-digit year does not read back).
static std::optional<qint64> plausibleNewsTime(qint64 epochMs)
{
    constexpr qint64 kYear10000Ms = 253402300800000; // 10000-01-01T00:00:00Z
    if (epochMs < 0 || epochMs >= kYear10000Ms)
        return std::nullopt;
    return epochMs;
}

std::optional<qint64> parseRfc822Date(const QString &input)
{
    QString text = input.simplified();
    // Optional day name: "Tue," or "Tue"
    const qsizetype comma = text.indexOf(QLatin1Char(','));
    if (comma >= 0 && comma <= 10)
        text = text.mid(comma + 1).trimmed();
    const QStringList parts = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (parts.size() < 4)
        return std::nullopt;
    int first = 0;
    if (!parts.at(0).front().isDigit()) // a day name without the comma
        first = 1;
    if (parts.size() < first + 4)
        return std::nullopt;
    bool ok = false;
    const int day = parts.at(first).toInt(&ok);
    if (!ok)
        return std::nullopt;
    static const QStringList kMonths { QStringLiteral("jan"), QStringLiteral("feb"),
        QStringLiteral("mar"), QStringLiteral("apr"), QStringLiteral("may"), QStringLiteral("jun"),
        QStringLiteral("jul"), QStringLiteral("aug"), QStringLiteral("sep"), QStringLiteral("oct"),
        QStringLiteral("nov"), QStringLiteral("dec") };
    const int month = int(kMonths.indexOf(parts.at(first + 1).left(3).toLower())) + 1;
    if (month <= 0)
        return std::nullopt;
    int year = parts.at(first + 2).toInt(&ok);
    if (!ok)
        return std::nullopt;
    if (parts.at(first + 2).size() == 2)
        year += year < 50 ? 2000 : 1900;
    const QStringList hms = parts.at(first + 3).split(QLatin1Char(':'));
    if (hms.size() < 2 || hms.size() > 3)
        return std::nullopt;
    bool okH = false;
    bool okM = false;
    bool okS = true;
    const int h = hms.at(0).toInt(&okH);
    const int m = hms.at(1).toInt(&okM);
    const int s = hms.size() == 3 ? hms.at(2).toInt(&okS) : 0;
    if (!okH || !okM || !okS)
        return std::nullopt;
    const QDate date(year, month, day);
    const QTime time(h, m, s);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    const auto offset = zoneOffsetMinutes(parts.size() > first + 4 ? parts.at(first + 4) : QString());
    if (!offset)
        return std::nullopt;
    const QDateTime utc(date, time, Qt::UTC);
    return plausibleNewsTime(utc.toMSecsSinceEpoch() - qint64(*offset) * 60 * 1000);
}

std::optional<qint64> parseFeedDate(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    if (const auto rfc = parseRfc822Date(trimmed))
        return rfc;
    QDateTime t = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(trimmed, Qt::ISODate);
    if (!t.isValid())
        return std::nullopt;
    return plausibleNewsTime(t.toMSecsSinceEpoch());
}

QByteArray formatHttpDate(qint64 epochMs)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(epochMs, Qt::UTC);
    return QLocale::c().toString(t, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1();
}

QStringList cashtags(const QString &text)
{
    static const QRegularExpression kCashtag(
        QStringLiteral("(?<![\\w$])\\$([A-Za-z]{1,5}(?:\\.[A-Za-z]{1,2})?)(?![\\w])"));
    QStringList out;
    auto it = kCashtag.globalMatch(text);
    while (it.hasNext()) {
        const QString symbol = it.next().captured(1).toUpper();
        if (!out.contains(symbol))
            out.append(symbol);
        if (out.size() >= 20)
            break; // a spam post listing every ticker tags nothing useful
    }
    return out;
}

QString truncated(const QString &text, int maxChars)
{
    if (text.size() <= maxChars)
        return text;
    qsizetype cut = text.lastIndexOf(QLatin1Char(' '), maxChars - 1);
    if (cut < maxChars / 2)
        cut = maxChars - 1;
    return text.left(cut) + QChar(0x2026);
}

QString hashedId(const QString &prefix, const QString &key)
{
    const QByteArray digest = QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex();
    return prefix + QLatin1Char(':') + QString::fromLatin1(digest.left(32));
}

QString safeLink(const QString &url)
{
    const QUrl u(url.trimmed(), QUrl::TolerantMode);
    if (!u.isValid())
        return {};
    const QString scheme = u.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return {};
    if (u.host().isEmpty())
        return {};
    return u.toString(QUrl::FullyEncoded);
}

} // namespace tw::news::feedtext
