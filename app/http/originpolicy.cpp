#include "originpolicy.h"

#include "logging.h"

#include <QHostAddress>

#include <optional>

namespace tw::http {

namespace {

    // Port value for an origin of a scheme without a known default port and no explicit port
    // ("chrome-extension://abc"): it only matches the same absence.
    constexpr int kNoPort = 0;
    constexpr int kAnyPort = -1;

    struct ParsedOrigin {
        QByteArray scheme;
        QByteArray host;
        int port = kNoPort;
    };

    bool isAsciiDigits(const QByteArray &s)
    {
        if (s.isEmpty())
            return false;
        for (char c : s) {
            if (c < '0' || c > '9')
                return false;
        }
        return true;
    }

    // "8750" -> 8750; anything but 1-5 digits in 1..65535 -> nullopt.
    std::optional<int> parsePort(const QByteArray &s)
    {
        if (!isAsciiDigits(s) || s.size() > 5)
            return std::nullopt;
        const int port = s.toInt();
        if (port < 1 || port > 65535)
            return std::nullopt;
        return port;
    }

    int defaultPort(const QByteArray &scheme)
    {
        if (scheme == "http" || scheme == "ws")
            return 80;
        if (scheme == "https" || scheme == "wss")
            return 443;
        return kNoPort;
    }

    bool isSchemeChar(char c, bool first)
    {
        const bool alpha = c >= 'a' && c <= 'z';
        if (first)
            return alpha;
        return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    }

    bool isHostChar(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    }

    // Parses a serialised origin, RFC 6454 "scheme://host[:port]", lower-cased, with the
    // scheme's default port filled in. `allowAnyPort` accepts ":*" (configuration entries only).
    // Anything else (paths, user info, spaces, non-ASCII, an empty host) is malformed.
    std::optional<ParsedOrigin> parseOrigin(const QByteArray &text, bool allowAnyPort)
    {
        const QByteArray origin = text.toLower();
        const qsizetype sep = origin.indexOf("://");
        if (sep <= 0)
            return std::nullopt;
        ParsedOrigin parsed;
        parsed.scheme = origin.left(sep);
        for (qsizetype i = 0; i < parsed.scheme.size(); ++i) {
            if (!isSchemeChar(parsed.scheme.at(i), i == 0))
                return std::nullopt;
        }

        const QByteArray authority = origin.mid(sep + 3);
        QByteArray portText;
        bool hasPort = false;
        if (authority.startsWith('[')) {
            const qsizetype close = authority.indexOf(']');
            if (close < 0)
                return std::nullopt;
            const QByteArray inner = authority.mid(1, close - 1);
            for (char c : inner) {
                const bool ok
                    = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
                if (!ok)
                    return std::nullopt;
            }
            if (QHostAddress(QString::fromLatin1(inner)).protocol()
                != QAbstractSocket::IPv6Protocol)
                return std::nullopt;
            // Compare IPv6 hosts in one canonical spelling ("[0:0::1]" is "[::1]").
            parsed.host = QByteArrayLiteral("[")
                + QHostAddress(QString::fromLatin1(inner)).toString().toLatin1()
                + QByteArrayLiteral("]");
            const QByteArray rest = authority.mid(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(':'))
                    return std::nullopt;
                hasPort = true;
                portText = rest.mid(1);
            }
        } else {
            const qsizetype colon = authority.indexOf(':');
            parsed.host = colon < 0 ? authority : authority.left(colon);
            if (colon >= 0) {
                hasPort = true;
                portText = authority.mid(colon + 1);
            }
            if (parsed.host.isEmpty())
                return std::nullopt;
            for (char c : parsed.host) {
                if (!isHostChar(c))
                    return std::nullopt;
            }
        }

        if (!hasPort) {
            parsed.port = defaultPort(parsed.scheme);
        } else if (allowAnyPort && portText == "*") {
            parsed.port = kAnyPort;
        } else {
            const std::optional<int> port = parsePort(portText);
            if (!port)
                return std::nullopt;
            parsed.port = *port;
        }
        return parsed;
    }

    // Dotted-decimal IPv4 with exactly four parts, each 0-255, first part 127. Deliberately
    // stricter than inet_aton ("127.1", "0x7f.0.0.1"): this guards the DNS-rebinding check.
    bool isLoopbackIPv4(const QByteArray &host)
    {
        const QByteArrayList parts = host.split('.');
        if (parts.size() != 4)
            return false;
        for (const QByteArray &part : parts) {
            if (!isAsciiDigits(part) || part.size() > 3 || part.toInt() > 255)
                return false;
        }
        return parts.first().toInt() == 127;
    }

} // namespace

OriginPolicy::OriginPolicy(const QStringList &allowed)
    : m_entries(allowed)
{
    if (allowed.isEmpty()) {
        const QByteArray hosts[] = { "localhost", "127.0.0.1", "[::1]" };
        for (const char *scheme : { "http", "https" }) {
            for (const QByteArray &host : hosts)
                m_rules.push_back({ QByteArray(scheme), host, kAnyPort });
        }
        return;
    }
    for (const QString &entry : allowed) {
        QByteArray text = entry.trimmed().toUtf8();
        if (text == "*") {
            m_any = true;
            continue;
        }
        // Operators often paste a URL: tolerate the trailing slash browsers never send.
        if (text.endsWith('/'))
            text.chop(1);
        const std::optional<ParsedOrigin> parsed = parseOrigin(text, true);
        if (!parsed) {
            qCWarning(lcSecurity).noquote()
                << "ignoring allowed origin" << entry
                << "(expected scheme://host[:port], scheme://host:* or *)";
            continue;
        }
        m_rules.push_back({ parsed->scheme, parsed->host, parsed->port });
    }
}

bool OriginPolicy::isAllowed(const QByteArray &origin) const
{
    // "null" is what sandboxed frames, file: pages and cross-origin redirects send: it names
    // no site, so it can never be trusted, not even under "*".
    if (origin.isEmpty() || origin == "null")
        return false;
    const std::optional<ParsedOrigin> parsed = parseOrigin(origin, false);
    if (!parsed)
        return false;
    if (m_any)
        return true;
    for (const Rule &rule : m_rules) {
        if (rule.scheme == parsed->scheme && rule.host == parsed->host
            && (rule.port == kAnyPort || rule.port == parsed->port))
            return true;
    }
    return false;
}

bool OriginPolicy::isLoopbackHost(const QByteArray &hostHeader)
{
    const QByteArray value = hostHeader.trimmed().toLower();
    QByteArray host;
    QByteArray rest;
    if (value.startsWith('[')) {
        const qsizetype close = value.indexOf(']');
        if (close < 0)
            return false;
        host = value.mid(1, close - 1);
        rest = value.mid(close + 1);
        for (char c : host) {
            // No zone ids ("%eth0") or other decorations QHostAddress might accept.
            const bool ok
                = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
            if (!ok)
                return false;
        }
        const QHostAddress address(QString::fromLatin1(host));
        if (address.protocol() != QAbstractSocket::IPv6Protocol || !address.isLoopback())
            return false;
    } else {
        const qsizetype colon = value.indexOf(':');
        host = colon < 0 ? value : value.left(colon);
        rest = colon < 0 ? QByteArray() : value.mid(colon);
        if (host != "localhost" && !isLoopbackIPv4(host))
            return false;
    }
    if (rest.isEmpty())
        return true;
    return rest.startsWith(':') && parsePort(rest.mid(1)).has_value();
}

} // namespace tw::http
