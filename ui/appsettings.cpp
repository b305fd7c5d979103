#include "appsettings.h"

#include "ids.h"
#include "newsfilter.h"
#include "serverruntime.h"

#include <QRandomGenerator>
#include <QSettings>

namespace tw::ui {

namespace {

    // The QSettings keys, in one place.
    namespace key {
        const QString watchlist = QStringLiteral("watch/symbols");
        const QString streamInterval = QStringLiteral("watch/streamIntervalMs");
        const QString streamDuration = QStringLiteral("watch/streamDurationMs");
        const QString alertRules = QStringLiteral("alerts/rules");
        const QString embeddedEnabled = QStringLiteral("server/embedded");
        const QString embeddedHost = QStringLiteral("server/host");
        const QString embeddedPort = QStringLiteral("server/port");
        const QString apiKey = QStringLiteral("server/apiKey");
        const QString useRemote = QStringLiteral("client/useRemoteServer");
        const QString remoteUrl = QStringLiteral("client/remoteUrl");
        const QString remoteApiKey = QStringLiteral("client/remoteApiKey");
        const QString providers = QStringLiteral("news/providers");
        const QString demoRate = QStringLiteral("news/demoRate");
        const QString finnhubKey = QStringLiteral("news/finnhubApiKey");
        const QString alphaVantageKey = QStringLiteral("news/alphaVantageApiKey");
        const QString polygonKey = QStringLiteral("news/polygonApiKey");
        const QString edgarUserAgent = QStringLiteral("news/edgarUserAgent");
        const QString rssUrls = QStringLiteral("news/rssUrls");
        const QString theme = QStringLiteral("appearance/theme");
        const QString compactRows = QStringLiteral("appearance/compactRows");
        const QString maxRows = QStringLiteral("appearance/maxRows");
        const QString tray = QStringLiteral("appearance/trayNotifications");
        const QString geometry = QStringLiteral("window/geometry");
        const QString windowState = QStringLiteral("window/state");
        const QString splitter = QStringLiteral("window/splitter");
    } // namespace key

    constexpr int kApiKeyBytes = 32; // 256 bits -> 64 hex characters

    // QSettings' INI backend turns a one-element list into a plain string and an empty list into
    // an invalid variant: read both back as lists.
    QStringList readList(const QSettings &s, const QString &name, const QStringList &fallback)
    {
        if (!s.contains(name))
            return fallback;
        const QVariant v = s.value(name);
        if (v.typeId() == QMetaType::QStringList)
            return v.toStringList();
        const QString text = v.toString();
        return text.isEmpty() ? QStringList() : QStringList { text };
    }

    int readInt(const QSettings &s, const QString &name, int fallback, int min, int max)
    {
        bool ok = false;
        const int v = s.value(name, fallback).toInt(&ok);
        return ok && v >= min && v <= max ? v : fallback;
    }

    bool readBool(const QSettings &s, const QString &name, bool fallback)
    {
        const QVariant v = s.value(name);
        return v.isValid() ? v.toBool() : fallback;
    }

    QString settingsLocation(const QSettings &s)
    {
        return s.fileName().isEmpty() ? QStringLiteral("(the platform settings store)")
                                      : s.fileName();
    }

} // namespace

AppSettings AppSettings::load(QSettings &s)
{
    AppSettings a;
    a.watchlist = readList(s, key::watchlist, a.watchlist);
    a.streamIntervalMs = readInt(s, key::streamInterval, a.streamIntervalMs, 100, 3600000);
    a.streamDurationMs = readInt(s, key::streamDuration, a.streamDurationMs, 1000, 3600000);
    a.alertRules = readList(s, key::alertRules, a.alertRules);
    a.embeddedServerEnabled = readBool(s, key::embeddedEnabled, a.embeddedServerEnabled);
    a.embeddedHost = s.value(key::embeddedHost, a.embeddedHost).toString().trimmed();
    if (a.embeddedHost.isEmpty())
        a.embeddedHost = AppSettings().embeddedHost;
    a.embeddedPort = readInt(s, key::embeddedPort, a.embeddedPort, 0, 65535);
    a.apiKey = s.value(key::apiKey).toString().trimmed();
    a.useRemoteServer = readBool(s, key::useRemote, a.useRemoteServer);
    a.remoteUrl = s.value(key::remoteUrl).toString().trimmed();
    a.remoteApiKey = s.value(key::remoteApiKey).toString().trimmed();
    a.providers = readList(s, key::providers, a.providers);
    bool ok = false;
    const double rate = s.value(key::demoRate, a.demoRate).toDouble(&ok);
    if (ok && rate >= 0 && rate <= news::DemoProviderSettings::kMaxRate)
        a.demoRate = rate;
    a.finnhubKey = s.value(key::finnhubKey).toString().trimmed();
    a.alphaVantageKey = s.value(key::alphaVantageKey).toString().trimmed();
    a.polygonKey = s.value(key::polygonKey).toString().trimmed();
    a.edgarUserAgent = s.value(key::edgarUserAgent).toString().trimmed();
    a.rssUrls = readList(s, key::rssUrls, a.rssUrls);
    a.theme = themeFromName(s.value(key::theme, themeName(a.theme)).toString());
    a.compactRows = readBool(s, key::compactRows, a.compactRows);
    a.maxRows = readInt(s, key::maxRows, a.maxRows, 100, 10000000);
    a.trayNotifications = readBool(s, key::tray, a.trayNotifications);
    a.windowGeometry = s.value(key::geometry).toByteArray();
    a.windowState = s.value(key::windowState).toByteArray();
    a.splitterState = s.value(key::splitter).toByteArray();

    if (a.apiKey.isEmpty()) {
        // First run: the embedded server gets its own key, kept so clients configured with it
        // keep working after a restart. A failed write is reported by the next save().
        a.apiKey = QString::fromLatin1(core::randomHex(kApiKeyBytes));
        s.setValue(key::apiKey, a.apiKey);
        s.sync();
    }
    return a;
}

QString AppSettings::save(QSettings &s) const
{
    if (!s.isWritable())
        return QStringLiteral("Settings could not be saved: %1 is not writable.")
            .arg(settingsLocation(s));
    s.setValue(key::watchlist, watchlist);
    s.setValue(key::streamInterval, streamIntervalMs);
    s.setValue(key::streamDuration, streamDurationMs);
    s.setValue(key::alertRules, alertRules);
    s.setValue(key::embeddedEnabled, embeddedServerEnabled);
    s.setValue(key::embeddedHost, embeddedHost);
    s.setValue(key::embeddedPort, embeddedPort);
    s.setValue(key::apiKey, apiKey);
    s.setValue(key::useRemote, useRemoteServer);
    s.setValue(key::remoteUrl, remoteUrl);
    s.setValue(key::remoteApiKey, remoteApiKey);
    s.setValue(key::providers, providers);
    s.setValue(key::demoRate, demoRate);
    s.setValue(key::finnhubKey, finnhubKey);
    s.setValue(key::alphaVantageKey, alphaVantageKey);
    s.setValue(key::polygonKey, polygonKey);
    s.setValue(key::edgarUserAgent, edgarUserAgent);
    s.setValue(key::rssUrls, rssUrls);
    s.setValue(key::theme, themeName(theme));
    s.setValue(key::compactRows, compactRows);
    s.setValue(key::maxRows, maxRows);
    s.setValue(key::tray, trayNotifications);
    s.setValue(key::geometry, windowGeometry);
    s.setValue(key::windowState, windowState);
    s.setValue(key::splitter, splitterState);
    s.sync();
    switch (s.status()) {
    case QSettings::NoError: return {};
    case QSettings::AccessError:
        return QStringLiteral(
            "Settings could not be saved: cannot write %1 (permission denied or the folder "
            "does not exist).")
            .arg(settingsLocation(s));
    case QSettings::FormatError:
        return QStringLiteral("Settings could not be saved: %1 is not a valid settings file.")
            .arg(settingsLocation(s));
    }
    return QStringLiteral("Settings could not be saved to %1.").arg(settingsLocation(s));
}

QString AppSettings::validate() const
{
    if (embeddedPort < 0 || embeddedPort > 65535)
        return QStringLiteral("Port must be from 0 to 65535 (0 picks a free port).");
    if (embeddedServerEnabled && server::parseBindAddress(embeddedHost).isNull())
        return QStringLiteral(
            "Listen address '%1' is not an IP address: use 127.0.0.1, ::1, 0.0.0.0 or localhost.")
            .arg(embeddedHost);
    if (useRemoteServer && !normaliseRemoteUrl(remoteUrl).isValid())
        return QStringLiteral("Remote server URL must be an http:// or https:// URL, e.g. "
                              "https://news.example.com or http://host:8750/mcp.");
    if (!useRemoteServer && !embeddedServerEnabled)
        return QStringLiteral(
            "Turn on the embedded server or give a remote server: the client needs one of them.");
    if (embeddedServerEnabled && providers.isEmpty())
        return QStringLiteral(
            "Choose at least one news provider for the embedded server (demo needs no key).");
    for (const QString &url : rssUrls) {
        const QUrl u(url.trimmed());
        if (!u.isValid()
            || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https"))
            || u.host().isEmpty())
            return QStringLiteral("RSS feed '%1' is not an http(s) URL.").arg(url.left(100));
    }
    if (embeddedServerEnabled) {
        // A provider without what it needs would start and then fail on every poll.
        auto on = [this](const char *id) {
            return providers.contains(QLatin1String(id), Qt::CaseInsensitive);
        };
        if (on("finnhub") && finnhubKey.isEmpty())
            return QStringLiteral(
                "Finnhub needs an API key (free at finnhub.io), or untick Finnhub.");
        if (on("alphavantage") && alphaVantageKey.isEmpty())
            return QStringLiteral("Alpha Vantage needs an API key (free at alphavantage.co), or "
                                  "untick Alpha Vantage.");
        if (on("polygon") && polygonKey.isEmpty())
            return QStringLiteral("Polygon needs an API key (from polygon.io), or untick Polygon.");
        if (on("sec-edgar") && edgarUserAgent.isEmpty())
            return QStringLiteral("SEC EDGAR requires a user agent with your name and e-mail, e.g. "
                                  "\"Example Desk ops@example.com\", or untick SEC EDGAR.");
        if (on("rss") && rssUrls.isEmpty())
            return QStringLiteral("Give at least one RSS/Atom feed URL, or untick RSS.");
    }
    for (const QString &symbol : watchlist) {
        if (news::NewsFilter::normalizedSymbol(symbol).isNull())
            return QStringLiteral(
                "Watchlist: '%1' is not a ticker symbol (1-10 letters, digits, '.', '-', '^' "
                "or '=', e.g. TSLA, BRK.B).")
                .arg(symbol.left(40));
    }
    if (streamIntervalMs < 100)
        return QStringLiteral("Stream interval must be at least 100 ms.");
    if (maxRows < 100)
        return QStringLiteral("Keep at least 100 rows.");
    return {};
}

server::ServerConfig AppSettings::toServerConfig() const
{
    server::ServerConfig c;
    c.host = embeddedHost;
    c.port = embeddedPort;
    c.security.apiKeys.clear();
    if (!apiKey.isEmpty())
        c.security.apiKeys.append(apiKey.toUtf8());
    // Production mode: the server refuses to start without the key rather than serve a
    // desktop's news to anyone who can reach the port.
    c.security.mode = http::RunMode::Production;
    // The window is the main client and goes live/stops at the user's pace (and re-issues the
    // call after each duration): the seed's 10 new streams a minute would lock a user out who
    // flips between watchlists; the limits still bound a runaway local client.
    c.security.requestsPerMinute = 600;
    c.security.streamsPerMinute = 60;
    c.newsProviders.clear();
    for (const QString &p : providers) {
        const QString name = p.trimmed().toLower();
        if (!name.isEmpty() && !c.newsProviders.contains(name))
            c.newsProviders.append(name);
    }
    c.demo.rate = demoRate;
    // DemoProvider derives ids and URLs from its seed: a fresh one per start keeps the items
    // of a restarted server new (the client would otherwise drop them as already seen).
    c.demo.seed = QRandomGenerator::system()->generate64() | 1U;
    c.news.finnhubApiKey = finnhubKey;
    c.news.alphaVantageApiKey = alphaVantageKey;
    c.news.polygonApiKey = polygonKey;
    c.news.edgarUserAgent = edgarUserAgent;
    c.news.rssUrlTemplates = rssUrls;
    return c;
}

QUrl AppSettings::normaliseRemoteUrl(const QString &text)
{
    QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    if (!t.contains(QLatin1String("://")))
        t.prepend(QLatin1String("http://"));
    QUrl url(t, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return {};
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    // A bare server address means a Tickerwire server: its endpoint is /mcp. A URL with a
    // path names the endpoint of some other MCP server and is used as given.
    url.setPath(path.isEmpty() ? QStringLiteral("/mcp") : path);
    url.setFragment({});
    return url;
}

QUrl AppSettings::mcpEndpoint(const QString &embeddedUrl) const
{
    if (useRemoteServer)
        return normaliseRemoteUrl(remoteUrl);
    if (embeddedUrl.isEmpty())
        return {};
    QString base = embeddedUrl;
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return QUrl(base + QStringLiteral("/mcp"));
}

QString AppSettings::clientApiKey() const { return useRemoteServer ? remoteApiKey : apiKey; }

QString AppSettings::themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::System: break;
    }
    return QStringLiteral("system");
}

AppSettings::Theme AppSettings::themeFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("light"))
        return Theme::Light;
    if (n == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

bool AppSettings::operator==(const AppSettings &o) const
{
    return watchlist == o.watchlist && streamIntervalMs == o.streamIntervalMs
        && streamDurationMs == o.streamDurationMs && alertRules == o.alertRules
        && embeddedServerEnabled == o.embeddedServerEnabled && embeddedHost == o.embeddedHost
        && embeddedPort == o.embeddedPort && apiKey == o.apiKey
        && useRemoteServer == o.useRemoteServer && remoteUrl == o.remoteUrl
        && remoteApiKey == o.remoteApiKey && providers == o.providers
        && qFuzzyCompare(demoRate + 1, o.demoRate + 1) && finnhubKey == o.finnhubKey
        && alphaVantageKey == o.alphaVantageKey && polygonKey == o.polygonKey
        && edgarUserAgent == o.edgarUserAgent && rssUrls == o.rssUrls && theme == o.theme
        && compactRows == o.compactRows && maxRows == o.maxRows
        && trayNotifications == o.trayNotifications && windowGeometry == o.windowGeometry
        && windowState == o.windowState && splitterState == o.splitterState;
}

} // namespace tw::ui
