#include "providerfactory.h"

#include "alphavantageprovider.h"
#include "finnhubprovider.h"
#include "hostbudget.h"
#include "polygonprovider.h"
#include "rssprovider.h"
#include "secedgarprovider.h"

#include <memory>

namespace tw::news {

QStringList networkProviderIds()
{
    return { QStringLiteral("rss"), QStringLiteral("sec-edgar"), QStringLiteral("finnhub"),
        QStringLiteral("alphavantage"), QStringLiteral("polygon") };
}

QList<NewsProvider *> createNetworkProviders(const ProviderSettings &s, QObject *parent, QStringList *errors)
{
    const auto budget = std::make_shared<HostBudget>(s.hostRequestsPerMinute);
    QList<NewsProvider *> out;
    QStringList built;
    for (const QString &raw : s.enabled) {
        const QString name = raw.trimmed().toLower();
        if (name.isEmpty())
            continue;
        if (built.contains(name)) {
            if (errors)
                errors->append(QStringLiteral("provider \"%1\" is listed twice").arg(name));
            continue;
        }
        NewsProvider *provider = nullptr;
        if (name == QLatin1String("rss"))
            provider = new RssProvider(s.rssUrlTemplates, s.pollingFor(name), budget, parent);
        else if (name == QLatin1String("sec-edgar") || name == QLatin1String("edgar"))
            provider = new SecEdgarProvider(s.edgarBaseUrl, s.edgarUserAgent, s.pollingFor(QStringLiteral("sec-edgar")), budget, parent);
        else if (name == QLatin1String("finnhub"))
            provider = new FinnhubProvider(s.finnhubBaseUrl, s.finnhubApiKey, s.finnhubLookbackDays, s.pollingFor(name), budget, parent);
        else if (name == QLatin1String("alphavantage"))
            provider = new AlphaVantageProvider(s.alphaVantageBaseUrl, s.alphaVantageApiKey, s.pollingFor(name), budget, parent);
        else if (name == QLatin1String("polygon"))
            provider = new PolygonProvider(s.polygonBaseUrl, s.polygonApiKey, s.pollingFor(name), budget, parent);
        if (!provider) {
            if (errors)
                errors->append(QStringLiteral("unknown news provider \"%1\" (known: %2)").arg(raw, networkProviderIds().join(QStringLiteral(", "))));
            continue;
        }
        built.append(provider->id());
        out.append(provider);
    }
    return out;
}

} // namespace tw::news
