// The news settings of tickerwire-server: provider list (default demo, replaced not appended),
// demo rate and seed, provider keys from the environment (the names the providers' docs use)
// and never echoed back in error messages.
#include "serverconfig.h"

#include <QTest>

using namespace tw::server;

namespace {
QProcessEnvironment env(std::initializer_list<std::pair<const char *, const char *>> vars)
{
    QProcessEnvironment e;
    for (const auto &[k, v] : vars)
        e.insert(QString::fromLatin1(k), QString::fromLatin1(v));
    return e;
}
QStringList list(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *i : items)
        out.append(QString::fromLatin1(i));
    return out;
}
} // namespace

class tst_NewsConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaults();
    void providersReplaceTheDefault();
    void keysFromEnvironment();
    void invalidValues();
};

void tst_NewsConfig::defaults()
{
    const ConfigResult r = loadServerConfig({}, QProcessEnvironment());
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.config.newsProviders, list({ "demo" }));
    QCOMPARE(r.config.demo.rate, 1.0);
    QVERIFY(r.config.news.finnhubApiKey.isEmpty());
}

void tst_NewsConfig::providersReplaceTheDefault()
{
    ConfigResult r = loadServerConfig(
        { { QStringLiteral("provider"), list({ "finnhub,demo", "rss" }) } }, QProcessEnvironment());
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.config.newsProviders, list({ "finnhub", "demo", "rss" }));

    r = loadServerConfig({}, env({ { "TICKERWIRE_PROVIDERS", "polygon" } }));
    QCOMPARE(r.config.newsProviders, list({ "polygon" }));

    r = loadServerConfig({ { QStringLiteral("demo-rate"), list({ "2500.5" }) },
                             { QStringLiteral("demo-seed"), list({ "99" }) } },
        QProcessEnvironment());
    QCOMPARE(r.config.demo.rate, 2500.5);
    QCOMPARE(r.config.demo.seed, quint64(99));
}

void tst_NewsConfig::keysFromEnvironment()
{
    const ConfigResult r = loadServerConfig(
        { { QStringLiteral("edgar-user-agent"), list({ "Desk ops@example.com" }) } },
        env({ { "FINNHUB_API_KEY", "fh-secret" }, { "ALPHAVANTAGE_API_KEY", "av-secret" },
            { "POLYGON_API_KEY", "pg-secret" } }));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.config.news.finnhubApiKey, QStringLiteral("fh-secret"));
    QCOMPARE(r.config.news.alphaVantageApiKey, QStringLiteral("av-secret"));
    QCOMPARE(r.config.news.polygonApiKey, QStringLiteral("pg-secret"));
    QCOMPARE(r.config.news.edgarUserAgent, QStringLiteral("Desk ops@example.com"));
}

void tst_NewsConfig::invalidValues()
{
    ConfigResult r = loadServerConfig(
        { { QStringLiteral("provider"), list({ "bloomberg" }) } }, QProcessEnvironment());
    QVERIFY(r.error.contains(QStringLiteral("--provider")));
    QVERIFY(r.error.contains(QStringLiteral("finnhub")));
    r = loadServerConfig(
        { { QStringLiteral("demo-rate"), list({ "-1" }) } }, QProcessEnvironment());
    QVERIFY(r.error.contains(QStringLiteral("--demo-rate")));
    r = loadServerConfig(
        { { QStringLiteral("rss-url"), list({ "ftp://x" }) } }, QProcessEnvironment());
    QVERIFY(r.error.contains(QStringLiteral("--rss-url")));
    r = loadServerConfig({ { QStringLiteral("provider"), list({ "" }) } }, QProcessEnvironment());
    QVERIFY(r.error.contains(QStringLiteral("No news provider")));
}

QTEST_GUILESS_MAIN(tst_NewsConfig)
#include "tst_newsconfig.moc"
