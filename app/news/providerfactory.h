// Builds the network providers a ProviderSettings names, so the server turns its config into
// providers in one call. All of them share one per-host request budget. A provider that is
// named but not usable (no key, no EDGAR contact) is still built: it reports Disabled with
// the reason in its health, where list_news_sources shows it.
#pragma once

#include "providersettings.h"

#include <QList>
#include <QObject>
#include <QStringList>

namespace tw::news {

class NewsProvider;

// "rss", "sec-edgar", "finnhub", "alphavantage", "polygon"
QStringList networkProviderIds();

// The providers of settings.enabled, parented to `parent`, in that order. Unknown or repeated
// names are skipped and described in *errors (when given).
QList<NewsProvider *> createNetworkProviders(const ProviderSettings &settings, QObject *parent, QStringList *errors = nullptr);

} // namespace tw::news
