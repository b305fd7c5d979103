#include "secedgarprovider.h"

#include "feedparser.h"


namespace tw::news {

SecEdgarProvider::SecEdgarProvider(const QString &baseUrl, const QString &userAgent,
    const PollingSettings &settings, std::shared_ptr<HostBudget> budget, QObject *parent)
    : PollingProvider(withUserAgent(settings, userAgent), std::move(budget), parent)
    , m_baseUrl(baseUrl)
    , m_userAgent(userAgent.trimmed())
{
}

PollingSettings SecEdgarProvider::withUserAgent(PollingSettings settings, const QString &userAgent)
{
    settings.userAgent = userAgent.trimmed();
    return settings;
}

QString SecEdgarProvider::configurationProblem() const
{
    // A contact is an e-mail address (the SEC's own example: "Sample Company AdminContact@<sample company domain>.com").
    if (m_userAgent.isEmpty() || !m_userAgent.contains(QLatin1Char('@')))
        return QStringLiteral("SEC EDGAR requires a User-Agent naming you with a contact e-mail "
                              "(e.g. \"Example Desk ops@example.com\"); set the EDGAR user agent to enable it");
    const QUrl base(m_baseUrl, QUrl::StrictMode);
    if (!base.isValid() || base.host().isEmpty())
        return QStringLiteral("invalid EDGAR base URL: %1").arg(m_baseUrl);
    return {};
}

QUrl SecEdgarProvider::feedUrl(const QString &symbol) const
{
    // Spelled out rather than built with QUrlQuery, which would drop the '=' of the empty
    // parameters; this is the form EDGAR documents and serves.
    QUrl url(m_baseUrl, QUrl::StrictMode);
    url.setQuery(QStringLiteral("action=getcompany&CIK=%1&type=&dateb=&owner=include&count=40&output=atom")
                     .arg(QString::fromLatin1(QUrl::toPercentEncoding(symbol))));
    return url;
}

QList<PollTarget> SecEdgarProvider::targets() const
{
    QList<PollTarget> out;
    for (const QString &symbol : symbols())
        out.append(PollTarget { feedUrl(symbol), symbol });
    return out;
}

ParseResult SecEdgarProvider::parseFilings(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs)
{
    FeedOptions options;
    options.provider = QStringLiteral("sec-edgar");
    options.idPrefix = QStringLiteral("sec-edgar");
    options.category = QStringLiteral("filing");
    options.source = QStringLiteral("SEC EDGAR");
    options.prefixCompanyName = true;
    options.symbol = symbol;
    options.receivedAtMs = receivedAtMs;
    return FeedParser::parse(bytes, options);
}

ParseResult SecEdgarProvider::parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const
{
    return parseFilings(body, target.symbol, receivedAtMs);
}

} // namespace tw::news
