#include "serverruntime.h"

#include "apikeystore.h"
#include "demoprovider.h"
#include "httpresponder.h"
#include "httpserver.h"
#include "logging.h"
#include "markettools.h"
#include "mcpserver.h"
#include "metrics.h"
#include "newsbridge.h"
#include "newshub.h"
#include "originpolicy.h"
#include "providerfactory.h"
#include "securitymiddleware.h"
#include "stdiotransport.h"
#include "streamablehttptransport.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>

#include <unistd.h>

namespace tw::server {

QHostAddress parseBindAddress(const QString &host)
{
    const QString h = host.trimmed();
    if (h.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);
    QString literal = h;
    if (literal.startsWith(QLatin1Char('[')) && literal.endsWith(QLatin1Char(']')))
        literal = literal.mid(1, literal.size() - 2);
    QHostAddress address;
    if (!address.setAddress(literal))
        return {};
    return address;
}

ServerRuntime::ServerRuntime(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_metrics(std::make_unique<core::MetricsRegistry>())
    , m_hub(std::make_unique<news::NewsHub>(m_config.newsHub, m_metrics.get()))
    , m_mcp(std::make_unique<mcp::McpServer>(m_config.mcp, m_metrics.get()))
{
    buildNews();
}

void ServerRuntime::buildNews()
{
    news::ProviderSettings network = m_config.news;
    network.enabled.clear();
    for (const QString &name : std::as_const(m_config.newsProviders)) {
        if (name == QLatin1String("demo")) {
            if (!m_demo) {
                m_demo = new news::DemoProvider(m_config.demo);
                m_hub->addProvider(m_demo);
            }
        } else {
            network.enabled.append(name);
        }
    }
    if (!network.enabled.isEmpty()) {
        QStringList errors;
        const QList<news::NewsProvider *> providers = news::createNetworkProviders(network, nullptr, &errors);
        for (news::NewsProvider *p : providers)
            m_hub->addProvider(p);
        for (const QString &e : std::as_const(errors))
            qCWarning(lcNews).noquote() << e;
    }
    m_tools = std::make_unique<news::MarketTools>(m_hub.get(), m_mcp.get());
    m_tools->registerAll();
}

ServerRuntime::~ServerRuntime()
{
    stop();
}

bool ServerRuntime::authRequired() const
{
    return m_keys && !m_keys->isEmpty();
}

bool ServerRuntime::start(QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QHostAddress bind = parseBindAddress(m_config.host);
    if (bind.isNull())
        return fail(QStringLiteral("Invalid --host '%1': give an IP address (127.0.0.1, ::1, 0.0.0.0, ::) or localhost.")
                        .arg(m_config.host));

    http::SecurityConfig security = m_config.security;
    if (!m_config.apiKeyFile.isEmpty()) {
        http::ApiKeyStore fileKeys;
        const QString err = fileKeys.loadFile(m_config.apiKeyFile, &security.apiKeys);
        if (!err.isEmpty())
            return fail(err);
    }
    m_keys = std::make_unique<http::ApiKeyStore>();
    m_keys->addKeys(security.apiKeys);
    const QString refusal = http::startupRefusal(security, bind);
    // Only digests stay in memory from here on.
    security.apiKeys.clear();
    m_config.security.apiKeys.clear();
    if (!refusal.isEmpty())
        return fail(refusal);
    // Host checking protects loopback-bound servers from DNS rebinding; on other binds the
    // Host is whatever name the operator's network gives the machine.
    security.checkHost = bind.isLoopback();

    m_origins = std::make_unique<http::OriginPolicy>(security.allowedOrigins);
    m_http = std::make_unique<http::HttpServer>(m_config.limits, m_metrics.get());

    if (!m_config.tlsCertFile.isEmpty()) {
        QFile certFile(m_config.tlsCertFile);
        if (!certFile.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("Cannot read TLS certificate %1: %2").arg(m_config.tlsCertFile, certFile.errorString()));
        const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
        if (chain.isEmpty())
            return fail(QStringLiteral("TLS certificate %1 holds no PEM certificate.").arg(m_config.tlsCertFile));
        QFile keyFile(m_config.tlsKeyFile);
        if (!keyFile.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("Cannot read TLS key %1: %2").arg(m_config.tlsKeyFile, keyFile.errorString()));
        const QByteArray keyPem = keyFile.readAll();
        QSslKey key(keyPem, QSsl::Rsa, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
        if (key.isNull())
            return fail(QStringLiteral("TLS key %1 is not an unencrypted PEM RSA or EC private key.").arg(m_config.tlsKeyFile));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificateChain(chain);
        tls.setPrivateKey(key);
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        tls.setProtocol(QSsl::TlsV1_2OrLater);
        m_http->setTlsConfiguration(tls);
    }

    // The pipeline, in the seed's order. The protocol-version step is added by the MCP
    // transport, last, when it is built below.
    m_http->addMiddleware(std::make_shared<http::RateLimitMiddleware>(security, m_keys.get()));
    m_http->addMiddleware(std::make_shared<http::CorsMiddleware>(m_origins.get()));
    m_http->addMiddleware(std::make_shared<http::OriginHostMiddleware>(m_origins.get(), security.checkHost));
    m_http->addMiddleware(std::make_shared<http::ApiKeyMiddleware>(m_keys.get()));
    m_http->addMiddleware(std::make_shared<http::JsonBodyMiddleware>());

    installRoutes();
    installProcessMetrics();
    m_bridge = std::make_unique<news::NewsBridge>(m_hub.get(), m_http.get());
    m_bridge->setStreamingEnabled(m_mcp->settings().streamingEnabled);
    m_transport = std::make_unique<mcp::StreamableHttpTransport>(m_mcp.get(), m_http.get(), m_config.mcpHttp);

    if (!m_http->listen(bind, quint16(m_config.port)))
        return fail(m_http->errorString());
    m_uptime.start();
    m_hub->startProviders();

    const bool loopback = bind.isLoopback();
    qCInfo(lcServer).noquote() << "listening on" << m_http->baseUrl() << "mode"
                               << (security.mode == http::RunMode::Production ? "production" : "development");
    if (m_keys->isEmpty()) {
        if (loopback)
            qCInfo(lcSecurity) << "no API keys configured: loopback clients need none (development)";
        else
            qCWarning(lcSecurity).noquote() << "INSECURE: serving" << m_http->baseUrl()
                                            << "to the network WITHOUT authentication (--insecure-no-auth)";
    } else {
        qCInfo(lcSecurity) << "API key authentication on," << m_keys->size() << "key(s)";
    }
    if (security.allowedOrigins.contains(QStringLiteral("*")))
        qCWarning(lcSecurity) << "every browser origin is allowed (--allow-origin '*')";
    return true;
}

bool ServerRuntime::startStdio(QString *error)
{
    // No network is involved, so none of the HTTP start-up refusals apply: the client that
    // launched us owns both ends of the pipe.
    m_stdio = std::make_unique<mcp::StdioTransport>(m_mcp.get(), 0, 1);
    connect(m_stdio.get(), &mcp::StdioTransport::finished, this, &ServerRuntime::stdioFinished);
    if (!m_stdio->start()) {
        if (error)
            *error = QStringLiteral("Cannot use stdin/stdout for MCP (are they open?).");
        return false;
    }
    m_uptime.start();
    m_hub->startProviders();
    qCInfo(lcServer) << "serving MCP on stdio";
    return true;
}

void ServerRuntime::stop()
{
    if (m_hub)
        m_hub->stopProviders();
    if (m_stdio)
        m_stdio->stop();
    if (m_http)
        m_http->close();
}

bool ServerRuntime::isRunning() const
{
    return m_http && m_http->isListening();
}

QString ServerRuntime::url() const
{
    return m_http ? m_http->baseUrl() : QString();
}

void ServerRuntime::installRoutes()
{
    http::RouteTraits probe;
    probe.requiresAuth = false;
    m_http->router().add(QByteArrayLiteral("GET"), QByteArrayLiteral("/healthz"), probe,
        [this](http::HttpResponder *r) {
            r->respond(http::HttpResponse::json(200,
                QJsonObject { { QStringLiteral("status"), QStringLiteral("ok") },
                    { QStringLiteral("version"), QStringLiteral(TW_VERSION_STRING) },
                    { QStringLiteral("uptimeSeconds"), double(m_uptime.elapsed() / 1000) } }));
        });
    // Metrics say how busy the server is and who was refused: behind the API key like the rest.
    m_http->router().add(QByteArrayLiteral("GET"), QByteArrayLiteral("/metrics"), http::RouteTraits(),
        [this](http::HttpResponder *r) {
            r->respond(http::HttpResponse::text(200, m_metrics->renderPrometheus(),
                QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8")));
        });
}

void ServerRuntime::installProcessMetrics()
{
    m_metrics->gaugeCallback(QByteArrayLiteral("tickerwire_build_info"),
        QByteArrayLiteral("Build information; the value is always 1."), [] { return 1.0; },
        QByteArrayLiteral("version=\"" TW_VERSION_STRING "\""));
    m_metrics->gaugeCallback(QByteArrayLiteral("tickerwire_uptime_seconds"),
        QByteArrayLiteral("Seconds since the server started listening."),
        [this] { return m_uptime.isValid() ? double(m_uptime.elapsed()) / 1000.0 : 0.0; });
    m_metrics->gaugeCallback(QByteArrayLiteral("process_resident_memory_bytes"),
        QByteArrayLiteral("Resident memory of this process."), [] {
            QFile f(QStringLiteral("/proc/self/statm"));
            if (!f.open(QIODevice::ReadOnly))
                return 0.0;
            const QList<QByteArray> parts = f.readAll().split(' ');
            return parts.size() > 1 ? parts[1].toDouble() * double(sysconf(_SC_PAGESIZE)) : 0.0;
        });
    m_metrics->gaugeCallback(QByteArrayLiteral("process_open_fds"),
        QByteArrayLiteral("Open file descriptors of this process."), [] {
            return double(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size());
        });
    m_metrics->gaugeCallback(QByteArrayLiteral("tickerwire_auth_required"),
        QByteArrayLiteral("1 when requests must carry an API key."), [this] { return authRequired() ? 1.0 : 0.0; });
}

} // namespace tw::server
