#include "serverconfig.h"

#include "providerfactory.h"

#include <QFileInfo>
#include <QSettings>

namespace tw::server {

namespace {

using Kind = SettingSpec::Kind;

// A parser for an integer setting within [min, max].
template<typename Setter>
std::function<QString(ServerConfig &, const QString &)> integer(qint64 min, qint64 max, Setter set)
{
    return [min, max, set](ServerConfig &c, const QString &text) -> QString {
        bool ok = false;
        const qint64 v = text.trimmed().toLongLong(&ok);
        if (!ok || v < min || v > max)
            return QStringLiteral("expected an integer from %1 to %2").arg(min).arg(max);
        set(c, v);
        return {};
    };
}

std::optional<bool> parseBool(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("1") || t == QLatin1String("true") || t == QLatin1String("yes") || t == QLatin1String("on"))
        return true;
    if (t == QLatin1String("0") || t == QLatin1String("false") || t == QLatin1String("no") || t == QLatin1String("off")
        || t.isEmpty())
        return false;
    return std::nullopt;
}

std::vector<SettingSpec> buildSpecs()
{
    std::vector<SettingSpec> s;
    auto add = [&s](QString option, QString ini, QStringList env, QString valueName, QString help, Kind kind,
                   std::function<QString(ServerConfig &, const QString &)> apply) {
        s.push_back(SettingSpec { std::move(option), std::move(ini), std::move(env), std::move(valueName),
            std::move(help), kind, std::move(apply) });
    };

    add(QStringLiteral("host"), QStringLiteral("server/host"), { QStringLiteral("TICKERWIRE_HOST") },
        QStringLiteral("ADDRESS"),
        QStringLiteral("Address to listen on (default 127.0.0.1; ::1 for IPv6 loopback, 0.0.0.0 or :: "
                       "for every interface, which requires API keys)."),
        Kind::Value, [](ServerConfig &c, const QString &v) -> QString {
            const QString h = v.trimmed();
            if (h.isEmpty())
                return QStringLiteral("expected an IP address or localhost");
            c.host = h;
            return {};
        });
    add(QStringLiteral("port"), QStringLiteral("server/port"), { QStringLiteral("TICKERWIRE_PORT") },
        QStringLiteral("PORT"), QStringLiteral("TCP port (default 8750; 0 picks a free port)."), Kind::Value,
        integer(0, 65535, [](ServerConfig &c, qint64 v) { c.port = int(v); }));
    add(QStringLiteral("mode"), QStringLiteral("server/mode"),
        { QStringLiteral("TICKERWIRE_MODE"), QStringLiteral("NODE_ENV") }, QStringLiteral("MODE"),
        QStringLiteral("development (default) or production. Production refuses to start without API keys. "
                       "NODE_ENV=production is honoured."),
        Kind::Value, [](ServerConfig &c, const QString &v) -> QString {
            const QString m = v.trimmed().toLower();
            if (m == QLatin1String("production") || m == QLatin1String("prod"))
                c.security.mode = http::RunMode::Production;
            else if (m == QLatin1String("development") || m == QLatin1String("dev") || m == QLatin1String("test"))
                c.security.mode = http::RunMode::Development;
            else
                return QStringLiteral("expected development or production");
            return {};
        });
    add(QStringLiteral("api-key"), QStringLiteral("security/apiKeys"), { QStringLiteral("MCP_API_KEYS") },
        QStringLiteral("KEY"),
        QStringLiteral("An API key clients must send (X-API-Key or Authorization: Bearer). Repeatable; "
                       "MCP_API_KEYS takes a comma-separated list. Prefer --api-key-file: command lines are "
                       "visible to other local users."),
        Kind::List, [](ServerConfig &c, const QString &v) -> QString {
            const QByteArray key = v.trimmed().toUtf8();
            if (!key.isEmpty())
                c.security.apiKeys.append(key);
            return {};
        });
    add(QStringLiteral("api-key-file"), QStringLiteral("security/apiKeyFile"), { QStringLiteral("MCP_API_KEY_FILE") },
        QStringLiteral("FILE"), QStringLiteral("File with one API key per line ('#' starts a comment)."), Kind::Value,
        [](ServerConfig &c, const QString &v) -> QString {
            c.apiKeyFile = v.trimmed();
            return {};
        });
    add(QStringLiteral("insecure-no-auth"), QStringLiteral("security/insecureNoAuth"),
        { QStringLiteral("TICKERWIRE_INSECURE_NO_AUTH") }, {},
        QStringLiteral("Allow a non-loopback bind without API keys: anyone who can reach the port can use "
                       "the server. Never in production."),
        Kind::Flag, [](ServerConfig &c, const QString &v) -> QString {
            const auto b = parseBool(v);
            if (!b)
                return QStringLiteral("expected true or false");
            c.security.insecureNoAuth = *b;
            return {};
        });
    add(QStringLiteral("allow-origin"), QStringLiteral("security/allowedOrigins"),
        { QStringLiteral("ALLOWED_ORIGINS") }, QStringLiteral("ORIGIN"),
        QStringLiteral("A browser origin allowed to call the server, e.g. https://app.example.com or "
                       "http://localhost:* (repeatable; ALLOWED_ORIGINS takes a comma-separated list). Default: "
                       "http(s)://localhost, 127.0.0.1 and [::1] on any port."),
        Kind::List, [](ServerConfig &c, const QString &v) -> QString {
            const QString o = v.trimmed();
            if (o.isEmpty())
                return {};
            if (o != QLatin1String("*") && !o.startsWith(QLatin1String("http://"))
                && !o.startsWith(QLatin1String("https://")))
                return QStringLiteral("expected an origin like https://host[:port], or *");
            c.security.allowedOrigins.append(o);
            return {};
        });
    add(QStringLiteral("tls-cert"), QStringLiteral("tls/cert"), { QStringLiteral("TICKERWIRE_TLS_CERT") },
        QStringLiteral("FILE"), QStringLiteral("PEM certificate (chain) to serve HTTPS; needs --tls-key."),
        Kind::Value, [](ServerConfig &c, const QString &v) -> QString {
            c.tlsCertFile = v.trimmed();
            return {};
        });
    add(QStringLiteral("tls-key"), QStringLiteral("tls/key"), { QStringLiteral("TICKERWIRE_TLS_KEY") },
        QStringLiteral("FILE"), QStringLiteral("PEM private key for --tls-cert."), Kind::Value,
        [](ServerConfig &c, const QString &v) -> QString {
            c.tlsKeyFile = v.trimmed();
            return {};
        });
    add(QStringLiteral("rate-limit"), QStringLiteral("security/requestsPerMinute"),
        { QStringLiteral("TICKERWIRE_RATE_LIMIT") }, QStringLiteral("N"),
        QStringLiteral("Requests per minute per API key (else per client address); 0 = unlimited. Default 100."),
        Kind::Value, integer(0, 10000000, [](ServerConfig &c, qint64 v) { c.security.requestsPerMinute = int(v); }));
    add(QStringLiteral("stream-rate-limit"), QStringLiteral("security/streamsPerMinute"),
        { QStringLiteral("TICKERWIRE_STREAM_RATE_LIMIT") }, QStringLiteral("N"),
        QStringLiteral("New streams per minute per API key (else per client address); 0 = unlimited. Default 10."),
        Kind::Value, integer(0, 10000000, [](ServerConfig &c, qint64 v) { c.security.streamsPerMinute = int(v); }));
    add(QStringLiteral("max-connections"), QStringLiteral("limits/maxConnections"),
        { QStringLiteral("TICKERWIRE_MAX_CONNECTIONS") }, QStringLiteral("N"),
        QStringLiteral("Open connections in total; more are answered 503. Default 4096."), Kind::Value,
        integer(1, 1000000, [](ServerConfig &c, qint64 v) { c.limits.maxConnections = int(v); }));
    add(QStringLiteral("max-connections-per-client"), QStringLiteral("limits/maxConnectionsPerClient"),
        { QStringLiteral("TICKERWIRE_MAX_CONNECTIONS_PER_CLIENT") }, QStringLiteral("N"),
        QStringLiteral("Open connections per client address; more are answered 503. Default 256."), Kind::Value,
        integer(1, 1000000, [](ServerConfig &c, qint64 v) { c.limits.maxConnectionsPerAddress = int(v); }));
    add(QStringLiteral("max-header-bytes"), QStringLiteral("limits/maxHeaderBytes"),
        { QStringLiteral("TICKERWIRE_MAX_HEADER_BYTES") }, QStringLiteral("BYTES"),
        QStringLiteral("Largest request line + header block; larger is answered 431. Default 16384."), Kind::Value,
        integer(1024, 1024 * 1024, [](ServerConfig &c, qint64 v) { c.limits.maxHeaderBytes = int(v); }));
    add(QStringLiteral("max-body-bytes"), QStringLiteral("limits/maxBodyBytes"),
        { QStringLiteral("TICKERWIRE_MAX_BODY_BYTES") }, QStringLiteral("BYTES"),
        QStringLiteral("Largest request body; larger is answered 413. Default 1048576."), Kind::Value,
        integer(0, qint64(1) << 32, [](ServerConfig &c, qint64 v) { c.limits.maxBodyBytes = v; }));
    add(QStringLiteral("request-timeout"), QStringLiteral("limits/requestTimeoutMs"),
        { QStringLiteral("TICKERWIRE_REQUEST_TIMEOUT_MS") }, QStringLiteral("MS"),
        QStringLiteral("A request's headers and body must arrive within this time of its first byte, else "
                       "408. Default 10000."),
        Kind::Value, integer(100, 3600000, [](ServerConfig &c, qint64 v) { c.limits.requestTimeoutMs = int(v); }));
    add(QStringLiteral("idle-timeout"), QStringLiteral("limits/idleTimeoutMs"),
        { QStringLiteral("TICKERWIRE_IDLE_TIMEOUT_MS") }, QStringLiteral("MS"),
        QStringLiteral("Keep-alive connections with no request for this long are closed. Default 60000."),
        Kind::Value, integer(100, 86400000, [](ServerConfig &c, qint64 v) { c.limits.idleTimeoutMs = int(v); }));
    add(QStringLiteral("send-threads"), QStringLiteral("limits/sendThreads"),
        { QStringLiteral("TICKERWIRE_SEND_THREADS") }, QStringLiteral("N"),
        QStringLiteral("Threads besides the event loop that share the socket writes of each news item's fan-out; "
                       "0 = the event loop alone. Default: one per core beyond the first, at most 3."),
        Kind::Value, integer(0, 16, [](ServerConfig &c, qint64 v) { c.limits.sendThreads = int(v); }));
    add(QStringLiteral("stream-buffer-bytes"), QStringLiteral("limits/streamBufferBytes"),
        { QStringLiteral("TICKERWIRE_STREAM_BUFFER_BYTES") }, QStringLiteral("BYTES"),
        QStringLiteral("Unsent bytes a stream may queue for a slow client before it is dropped. Default 1048576."),
        Kind::Value,
        integer(4096, qint64(1) << 31, [](ServerConfig &c, qint64 v) { c.limits.streamBufferBytes = v; }));
    add(QStringLiteral("heartbeat-interval"), QStringLiteral("limits/heartbeatIntervalMs"),
        { QStringLiteral("TICKERWIRE_HEARTBEAT_INTERVAL_MS") }, QStringLiteral("MS"),
        QStringLiteral("An idle SSE stream gets a ': ping' comment this often; 0 disables. Default 15000."),
        Kind::Value,
        integer(0, 3600000, [](ServerConfig &c, qint64 v) { c.limits.heartbeatIntervalMs = int(v); }));

    // --- MCP (engine and Streamable HTTP transport) ---
    auto flag = [](std::function<void(ServerConfig &, bool)> set) {
        return [set](ServerConfig &c, const QString &v) -> QString {
            const auto b = parseBool(v);
            if (!b)
                return QStringLiteral("expected true or false");
            set(c, *b);
            return {};
        };
    };
    add(QStringLiteral("stdio"), QStringLiteral("server/stdio"), { QStringLiteral("TICKERWIRE_STDIO") }, {},
        QStringLiteral("Speak MCP as newline-delimited JSON-RPC on stdin/stdout instead of listening on a port "
                       "(for MCP clients that launch servers as commands). Logs go to stderr; EOF exits."),
        Kind::Flag, flag([](ServerConfig &c, bool b) { c.stdio = b; }));
    add(QStringLiteral("json-response"), QStringLiteral("mcp/jsonResponse"),
        { QStringLiteral("TICKERWIRE_JSON_RESPONSE") }, {},
        QStringLiteral("Answer every MCP request with application/json instead of an SSE stream: slow "
                       "requests are waited for and their progress/log notifications are dropped."),
        Kind::Flag, flag([](ServerConfig &c, bool b) { c.mcpHttp.jsonResponse = b; }));
    add(QStringLiteral("streaming"), QStringLiteral("mcp/streaming"),
        { QStringLiteral("TICKERWIRE_STREAMING"), QStringLiteral("ENABLE_STREAMING") }, QStringLiteral("BOOL"),
        QStringLiteral("Advertise and allow news streaming (experimental tickerwire/streaming capability). "
                       "Default true; the seed's ENABLE_STREAMING=false is honoured."),
        Kind::Value, flag([](ServerConfig &c, bool b) { c.mcp.streamingEnabled = b; }));
    add(QStringLiteral("no-streaming"), QStringLiteral("mcp/noStreaming"), { QStringLiteral("TICKERWIRE_NO_STREAMING") }, {},
        QStringLiteral("Shorthand for --streaming false."), Kind::Flag,
        flag([](ServerConfig &c, bool b) {
            if (b)
                c.mcp.streamingEnabled = false;
        }));
    add(QStringLiteral("session-idle-timeout"), QStringLiteral("mcp/sessionIdleTimeoutMs"),
        { QStringLiteral("TICKERWIRE_SESSION_IDLE_TIMEOUT_MS") }, QStringLiteral("MS"),
        QStringLiteral("An MCP session with no request and no open stream for this long is closed (its id then "
                       "gets 404). Default 1800000 (30 minutes)."),
        Kind::Value,
        integer(100, qint64(7) * 24 * 3600 * 1000, [](ServerConfig &c, qint64 v) { c.mcpHttp.sessionIdleTimeoutMs = int(v); }));
    add(QStringLiteral("max-sessions"), QStringLiteral("mcp/maxSessions"), { QStringLiteral("TICKERWIRE_MAX_SESSIONS") },
        QStringLiteral("N"),
        QStringLiteral("Open MCP sessions at most; initialize beyond it gets 503. 0 = unlimited. Default 1000."),
        Kind::Value, integer(0, 1000000, [](ServerConfig &c, qint64 v) { c.mcpHttp.maxSessions = int(v); }));
    add(QStringLiteral("event-store-size"), QStringLiteral("mcp/eventStoreMaxEvents"),
        { QStringLiteral("TICKERWIRE_EVENT_STORE_SIZE") }, QStringLiteral("N"),
        QStringLiteral("SSE events kept per session for resumption with Last-Event-ID; 0 disables. Default 1000."),
        Kind::Value, integer(0, 1000000, [](ServerConfig &c, qint64 v) { c.mcpHttp.eventStoreMaxEvents = int(v); }));
    add(QStringLiteral("event-store-bytes"), QStringLiteral("mcp/eventStoreMaxBytes"),
        { QStringLiteral("TICKERWIRE_EVENT_STORE_BYTES") }, QStringLiteral("BYTES"),
        QStringLiteral("Bytes of SSE events kept per session for resumption (the newest event is always kept). "
                       "Default 1048576 (1 MiB)."),
        Kind::Value, integer(1024, qint64(1) << 30, [](ServerConfig &c, qint64 v) { c.mcpHttp.eventStoreMaxBytes = v; }));
    add(QStringLiteral("event-store-age"), QStringLiteral("mcp/eventStoreMaxAgeMs"),
        { QStringLiteral("TICKERWIRE_EVENT_STORE_AGE_MS") }, QStringLiteral("MS"),
        QStringLiteral("Stored SSE events older than this are dropped. Default 300000 (5 minutes)."), Kind::Value,
        integer(100, qint64(24) * 3600 * 1000, [](ServerConfig &c, qint64 v) { c.mcpHttp.eventStoreMaxAgeMs = int(v); }));
    add(QStringLiteral("request-grace"), QStringLiteral("mcp/abandonGraceMs"),
        { QStringLiteral("TICKERWIRE_REQUEST_GRACE_MS") }, QStringLiteral("MS"),
        QStringLiteral("A request whose client dropped its stream keeps running this long so the client can "
                       "resume, then is cancelled. Default 30000."),
        Kind::Value, integer(0, 3600000, [](ServerConfig &c, qint64 v) { c.mcp.abandonGraceMs = int(v); }));
    add(QStringLiteral("sse-retry"), QStringLiteral("mcp/sseRetryMs"), { QStringLiteral("TICKERWIRE_SSE_RETRY_MS") },
        QStringLiteral("MS"),
        QStringLiteral("The retry: hint sent at the start of every MCP SSE stream. Default 2000."), Kind::Value,
        integer(0, 3600000, [](ServerConfig &c, qint64 v) { c.mcpHttp.sseRetryMs = int(v); }));
    add(QStringLiteral("sse-poll-interval"), QStringLiteral("mcp/ssePollIntervalMs"),
        { QStringLiteral("TICKERWIRE_SSE_POLL_INTERVAL_MS") }, QStringLiteral("MS"),
        QStringLiteral("SSE polling (2025-11-25 clients): end a POST stream whose request is still running after "
                       "this long; the client resumes it with Last-Event-ID. 0 (default) = off."),
        Kind::Value, integer(0, 3600000, [](ServerConfig &c, qint64 v) { c.mcpHttp.ssePollIntervalMs = int(v); }));

    // --- News (providers and hub) ---
    add(QStringLiteral("provider"), QStringLiteral("news/providers"), { QStringLiteral("TICKERWIRE_PROVIDERS") },
        QStringLiteral("NAME"),
        QStringLiteral("News providers to run: demo (default; fictional, no network), rss, sec-edgar, finnhub, "
                       "alphavantage, polygon. Repeatable or comma-separated; replaces the default."),
        Kind::List, [](ServerConfig &c, const QString &v) -> QString {
            // Also a comma list on the command line: --provider demo,finnhub.
            const QStringList names = v.split(QLatin1Char(','), Qt::SkipEmptyParts);
            for (const QString &raw : names) {
                const QString name = raw.trimmed().toLower();
                if (name.isEmpty())
                    continue;
                if (name != QLatin1String("demo") && !news::networkProviderIds().contains(name))
                    return QStringLiteral("expected demo, %1").arg(news::networkProviderIds().join(QStringLiteral(", ")));
                if (!c.newsProviders.contains(name))
                    c.newsProviders.append(name);
            }
            return {};
        });
    add(QStringLiteral("demo-rate"), QStringLiteral("news/demoRate"), { QStringLiteral("TICKERWIRE_DEMO_RATE") },
        QStringLiteral("ITEMS_PER_S"),
        QStringLiteral("Demo feed pace in items per second (0 pauses it; fractions allowed). Default 1."),
        Kind::Value, [](ServerConfig &c, const QString &v) -> QString {
            bool ok = false;
            const double rate = v.trimmed().toDouble(&ok);
            if (!ok || rate < 0 || rate > news::DemoProviderSettings::kMaxRate)
                return QStringLiteral("expected a number from 0 to %1").arg(news::DemoProviderSettings::kMaxRate);
            c.demo.rate = rate;
            return {};
        });
    add(QStringLiteral("demo-seed"), QStringLiteral("news/demoSeed"), { QStringLiteral("TICKERWIRE_DEMO_SEED") },
        QStringLiteral("N"), QStringLiteral("Seed of the demo feed: the same seed gives the same items. Default 1."),
        Kind::Value, [](ServerConfig &c, const QString &v) -> QString {
            bool ok = false;
            const quint64 seed = v.trimmed().toULongLong(&ok);
            if (!ok)
                return QStringLiteral("expected a non-negative integer");
            c.demo.seed = seed;
            return {};
        });
    auto secret = [](std::function<void(ServerConfig &, const QString &)> set) {
        return [set](ServerConfig &c, const QString &v) -> QString {
            set(c, v.trimmed());
            return {};
        };
    };
    add(QStringLiteral("finnhub-api-key"), QStringLiteral("news/finnhubApiKey"), { QStringLiteral("FINNHUB_API_KEY") },
        QStringLiteral("KEY"), QStringLiteral("Finnhub API key (provider finnhub). Prefer the environment variable."),
        Kind::Value, secret([](ServerConfig &c, const QString &v) { c.news.finnhubApiKey = v; }));
    add(QStringLiteral("alphavantage-api-key"), QStringLiteral("news/alphaVantageApiKey"),
        { QStringLiteral("ALPHAVANTAGE_API_KEY") }, QStringLiteral("KEY"),
        QStringLiteral("Alpha Vantage API key (provider alphavantage). Prefer the environment variable."),
        Kind::Value, secret([](ServerConfig &c, const QString &v) { c.news.alphaVantageApiKey = v; }));
    add(QStringLiteral("polygon-api-key"), QStringLiteral("news/polygonApiKey"), { QStringLiteral("POLYGON_API_KEY") },
        QStringLiteral("KEY"), QStringLiteral("Polygon API key (provider polygon). Prefer the environment variable."),
        Kind::Value, secret([](ServerConfig &c, const QString &v) { c.news.polygonApiKey = v; }));
    add(QStringLiteral("edgar-user-agent"), QStringLiteral("news/edgarUserAgent"),
        { QStringLiteral("TICKERWIRE_EDGAR_USER_AGENT") }, QStringLiteral("TEXT"),
        QStringLiteral("User-Agent for SEC EDGAR, naming you and a contact, e.g. \"Example Desk ops@example.com\" "
                       "(EDGAR refuses anonymous clients; provider sec-edgar stays disabled without it)."),
        Kind::Value, [](ServerConfig &c, const QString &v) -> QString {
            c.news.edgarUserAgent = v.trimmed();
            return {};
        });
    add(QStringLiteral("rss-url"), QStringLiteral("news/rssUrls"), { QStringLiteral("TICKERWIRE_RSS_URLS") },
        QStringLiteral("URL"),
        QStringLiteral("RSS/Atom feed URL template for provider rss; {symbol} is replaced by each watched symbol. "
                       "Repeatable or comma-separated."),
        Kind::List, [](ServerConfig &c, const QString &v) -> QString {
            const QString url = v.trimmed();
            if (url.isEmpty())
                return {};
            if (!url.startsWith(QLatin1String("http://")) && !url.startsWith(QLatin1String("https://")))
                return QStringLiteral("expected an http(s) URL");
            c.news.rssUrlTemplates.append(url);
            return {};
        });
    add(QStringLiteral("news-ring-size"), QStringLiteral("news/ringPerSymbol"),
        { QStringLiteral("TICKERWIRE_NEWS_RING_SIZE") }, QStringLiteral("N"),
        QStringLiteral("News items kept per symbol for get_market_news and resumption. Default 500."), Kind::Value,
        integer(1, 1000000, [](ServerConfig &c, qint64 v) { c.newsHub.ringPerSymbol = int(v); }));
    add(QStringLiteral("news-ring-total"), QStringLiteral("news/ringOverall"),
        { QStringLiteral("TICKERWIRE_NEWS_RING_TOTAL") }, QStringLiteral("N"),
        QStringLiteral("News items kept in total. Default 5000."), Kind::Value,
        integer(1, 10000000, [](ServerConfig &c, qint64 v) { c.newsHub.ringOverall = int(v); }));
    add(QStringLiteral("news-retain-max"), QStringLiteral("news/retainedMax"),
        { QStringLiteral("TICKERWIRE_NEWS_RETAIN_MAX") }, QStringLiteral("N"),
        QStringLiteral("News items kept in all rings together; the oldest goes first. Default 20000."),
        Kind::Value,
        integer(1, 10000000, [](ServerConfig &c, qint64 v) { c.newsHub.retainedMax = int(v); }));
    add(QStringLiteral("news-dedupe-size"), QStringLiteral("news/dedupeCapacity"),
        { QStringLiteral("TICKERWIRE_NEWS_DEDUPE_SIZE") }, QStringLiteral("N"),
        QStringLiteral("Accepted items whose ids and URLs are remembered to drop duplicates. Default 50000."),
        Kind::Value,
        integer(100, 10000000, [](ServerConfig &c, qint64 v) { c.newsHub.dedupeCapacity = int(v); }));
    add(QStringLiteral("bench-publish-ns"), QStringLiteral("news/benchPublishNs"),
        { QStringLiteral("TICKERWIRE_BENCH_PUBLISH_NS") }, {},
        QStringLiteral("Benchmarks only: add \"publishNs\" (the hub's CLOCK_MONOTONIC publish time in ns) to "
                       "each item's JSON so bench/tw-loadgen can measure delivery latency. Off by default."),
        Kind::Flag, flag([](ServerConfig &c, bool b) { c.newsHub.publishNsOnWire = b; }));
    return s;
}

QStringList splitList(const QString &value)
{
    QStringList out;
    const QStringList parts = value.split(QLatin1Char(','));
    for (const QString &p : parts) {
        if (!p.trimmed().isEmpty())
            out.append(p.trimmed());
    }
    return out;
}

QString applyValues(ServerConfig &config, const SettingSpec &spec, const QStringList &values, const QString &where)
{
    for (const QString &v : values) {
        const QString err = spec.apply(config, v);
        if (!err.isEmpty()) {
            // The value is echoed only for settings that cannot be secrets.
            const bool secret = spec.option == QLatin1String("api-key") || spec.option.endsWith(QLatin1String("-api-key"));
            return QStringLiteral("Invalid value %1for %2: %3.")
                .arg(secret ? QString() : QStringLiteral("'%1' ").arg(v.left(100)), where, err);
        }
    }
    return {};
}

} // namespace

const std::vector<SettingSpec> &settingSpecs()
{
    static const std::vector<SettingSpec> specs = buildSpecs();
    return specs;
}

ConfigResult loadServerConfig(const CommandLineValues &commandLine, const QProcessEnvironment &env, QString configFile)
{
    ConfigResult result;
    ServerConfig &config = result.config;

    if (configFile.isEmpty())
        configFile = env.value(QStringLiteral("TICKERWIRE_CONFIG"));
    for (const auto &[name, values] : commandLine) {
        if (name == QLatin1String("config") && !values.isEmpty())
            configFile = values.constLast();
    }

    // 1. config file
    if (!configFile.isEmpty()) {
        const QFileInfo info(configFile);
        if (!info.isFile() || !info.isReadable()) {
            result.error = QStringLiteral("Cannot read config file %1.").arg(configFile);
            return result;
        }
        QSettings ini(configFile, QSettings::IniFormat);
        if (ini.status() != QSettings::NoError) {
            result.error = QStringLiteral("Config file %1 is not a valid INI file.").arg(configFile);
            return result;
        }
        const QStringList known = [] {
            QStringList keys;
            for (const SettingSpec &s : settingSpecs())
                keys.append(s.iniKey);
            return keys;
        }();
        const QStringList present = ini.allKeys();
        for (const QString &key : present) {
            if (!known.contains(key))
                result.notes.append(QStringLiteral("Config file %1: unknown key '%2' ignored.").arg(configFile, key));
        }
        for (const SettingSpec &spec : settingSpecs()) {
            if (!ini.contains(spec.iniKey))
                continue;
            const QVariant raw = ini.value(spec.iniKey);
            // QSettings turns "a, b" into a QStringList already.
            QStringList values = raw.typeId() == QMetaType::QStringList ? raw.toStringList() : QStringList { raw.toString() };
            if (spec.kind == Kind::List) {
                QStringList flat;
                for (const QString &v : values)
                    flat += splitList(v);
                values = flat;
                if (spec.option == QLatin1String("provider") && !values.isEmpty())
                    config.newsProviders.clear(); // the file's list replaces the default
            } else {
                values = QStringList { values.join(QLatin1Char(',')) };
            }
            const QString err = applyValues(config, spec, values,
                QStringLiteral("%1 in %2").arg(spec.iniKey, configFile));
            if (!err.isEmpty()) {
                result.error = err;
                return result;
            }
        }
    }

    // 2. environment
    for (const SettingSpec &spec : settingSpecs()) {
        for (const QString &var : spec.env) {
            if (!env.contains(var))
                continue;
            const QString value = env.value(var);
            if (var == QLatin1String("NODE_ENV") && value.trimmed().toLower() != QLatin1String("production")) {
                // The seed's users run NODE_ENV=development/test; only "production" changes anything here.
                continue;
            }
            const QStringList values = spec.kind == Kind::List ? splitList(value) : QStringList { value };
            if (spec.kind == Kind::List && !values.isEmpty()) {
                if (spec.option == QLatin1String("api-key"))
                    config.security.apiKeys.clear(); // the environment replaces the file's list
                else if (spec.option == QLatin1String("allow-origin"))
                    config.security.allowedOrigins.clear();
                else if (spec.option == QLatin1String("provider"))
                    config.newsProviders.clear();
                else if (spec.option == QLatin1String("rss-url"))
                    config.news.rssUrlTemplates.clear();
            }
            const QString err = applyValues(config, spec, values, QStringLiteral("environment variable %1").arg(var));
            if (!err.isEmpty()) {
                result.error = err;
                return result;
            }
            break; // the first variable that is set wins over its aliases
        }
    }

    // 3. command line
    for (const auto &[name, values] : commandLine) {
        if (name == QLatin1String("config"))
            continue;
        const SettingSpec *spec = nullptr;
        for (const SettingSpec &s : settingSpecs()) {
            if (s.option == name)
                spec = &s;
        }
        if (!spec) {
            result.error = QStringLiteral("Unknown option --%1.").arg(name);
            return result;
        }
        if (spec->kind == Kind::List && !values.isEmpty()) {
            if (spec->option == QLatin1String("api-key"))
                config.security.apiKeys.clear();
            else if (spec->option == QLatin1String("allow-origin"))
                config.security.allowedOrigins.clear();
            else if (spec->option == QLatin1String("provider"))
                config.newsProviders.clear();
            else if (spec->option == QLatin1String("rss-url"))
                config.news.rssUrlTemplates.clear();
        }
        const QStringList effective = spec->kind == Kind::Flag && values.isEmpty() ? QStringList { QStringLiteral("true") } : values;
        const QString err = applyValues(config, *spec, effective, QStringLiteral("--%1").arg(name));
        if (!err.isEmpty()) {
            result.error = err;
            return result;
        }
    }

    if (config.tlsCertFile.isEmpty() != config.tlsKeyFile.isEmpty())
        result.error = QStringLiteral("TLS needs both --tls-cert and --tls-key.");
    if (result.error.isEmpty() && config.newsProviders.isEmpty())
        result.error = QStringLiteral("No news provider: give --provider demo or a real one.");
    return result;
}

} // namespace tw::server
