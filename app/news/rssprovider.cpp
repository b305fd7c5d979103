#include "rssprovider.h"

#include "feedparser.h"

namespace tw::news {

namespace {
    const QString kSymbolPlaceholder = QStringLiteral("{symbol}");

    bool isHttpUrl(const QUrl &url)
    {
        return url.isValid() && !url.host().isEmpty()
            && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
    }
} // namespace

RssProvider::RssProvider(const QStringList &urlTemplates, const PollingSettings &settings,
    std::shared_ptr<HostBudget> budget, QObject *parent)
    : PollingProvider(settings, std::move(budget), parent)
    , m_templates(urlTemplates)
{
}

QUrl RssProvider::expand(const QString &urlTemplate, const QString &symbol)
{
    QString text = urlTemplate.trimmed();
    text.replace(kSymbolPlaceholder, QString::fromLatin1(QUrl::toPercentEncoding(symbol)));
    return QUrl(text, QUrl::StrictMode);
}

QString RssProvider::configurationProblem() const
{
    if (m_templates.isEmpty())
        return QStringLiteral("no feed URLs configured (set the RSS URL templates)");
    for (const QString &t : m_templates) {
        if (!isHttpUrl(expand(t, QStringLiteral("TEST"))))
            return QStringLiteral("not an http(s) URL template: %1").arg(t);
    }
    return {};
}

QList<PollTarget> RssProvider::targets() const
{
    QList<PollTarget> out;
    for (const QString &t : m_templates) {
        if (!t.contains(kSymbolPlaceholder)) {
            out.append(PollTarget { expand(t, QString()), QString() });
            continue;
        }
        for (const QString &symbol : symbols())
            out.append(PollTarget { expand(t, symbol), symbol });
    }
    return out;
}

ParseResult RssProvider::parseFeed(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs)
{
    FeedOptions options;
    options.symbol = symbol;
    options.receivedAtMs = receivedAtMs;
    return FeedParser::parse(bytes, options);
}

ParseResult RssProvider::parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const
{
    ParseResult r = parseFeed(body, target.symbol, receivedAtMs);
    for (core::NewsItem &item : r.items) {
        if (item.source.isEmpty())
            item.source = target.url.host();
    }
    return r;
}

} // namespace tw::news
