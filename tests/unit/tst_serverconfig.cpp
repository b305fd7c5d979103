// Settings precedence (defaults < config file < environment < command line) and the
// messages an operator gets for bad values.
#include "serverconfig.h"

#include <QTemporaryDir>
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

QString writeIni(const QTemporaryDir &dir, const QByteArray &content)
{
    const QString path = dir.filePath(QStringLiteral("tickerwire.ini"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(content);
    return path;
}
} // namespace

class tst_ServerConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaults();
    void precedence();
    void seedEnvironmentNames();
    void nodeEnvOnlyProductionMatters();
    void invalidValues_data();
    void invalidValues();
    void secretsAreNotEchoed();
    void configFileProblems();
    void tlsNeedsBoth();
    void everySpecIsComplete();
    void readmeDocumentsEverySetting();
};

void tst_ServerConfig::defaults()
{
    const ConfigResult r = loadServerConfig({}, QProcessEnvironment());
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.config.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(r.config.port, 8750);
    QCOMPARE(r.config.security.requestsPerMinute, 100);
    QCOMPARE(r.config.security.streamsPerMinute, 10);
    QCOMPARE(r.config.limits.maxBodyBytes, qint64(1024 * 1024));
    QVERIFY(r.config.security.apiKeys.isEmpty());
    QCOMPARE(r.config.security.mode, tw::http::RunMode::Development);
    QCOMPARE(r.config.newsHub.dedupeCapacity, 50000);
    QCOMPARE(r.config.newsHub.retainedMax, 20000);
    const ConfigResult small = loadServerConfig({}, env({ { "TICKERWIRE_NEWS_DEDUPE_SIZE", "400" } }));
    QCOMPARE(small.config.newsHub.dedupeCapacity, 400);
}

void tst_ServerConfig::precedence()
{
    QTemporaryDir dir;
    const QString ini = writeIni(dir,
        "[server]\nport=9001\nhost=::1\n[security]\nrequestsPerMinute=50\nstreamsPerMinute=3\n"
        "allowedOrigins=https://a.example, https://b.example\n[limits]\nmaxBodyBytes=2048\n");
    // file only
    ConfigResult r = loadServerConfig({}, QProcessEnvironment(), ini);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.config.port, 9001);
    QCOMPARE(r.config.host, QStringLiteral("::1"));
    QCOMPARE(r.config.security.streamsPerMinute, 3);
    QCOMPARE(r.config.limits.maxBodyBytes, qint64(2048));
    QCOMPARE(r.config.security.allowedOrigins,
        QStringList({ QStringLiteral("https://a.example"), QStringLiteral("https://b.example") }));

    // env beats file
    r = loadServerConfig({}, env({ { "TICKERWIRE_PORT", "9002" }, { "TICKERWIRE_RATE_LIMIT", "60" } }), ini);
    QCOMPARE(r.config.port, 9002);
    QCOMPARE(r.config.security.requestsPerMinute, 60);
    QCOMPARE(r.config.security.streamsPerMinute, 3); // untouched by env: still the file's

    // command line beats env; --config on the command line is honoured
    const CommandLineValues cli { { QStringLiteral("config"), { ini } }, { QStringLiteral("port"), { QStringLiteral("0") } },
        { QStringLiteral("allow-origin"), { QStringLiteral("http://localhost:5174") } } };
    r = loadServerConfig(cli, env({ { "TICKERWIRE_PORT", "9002" } }));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.config.port, 0);
    QCOMPARE(r.config.security.allowedOrigins, QStringList { QStringLiteral("http://localhost:5174") });
    QCOMPARE(r.config.limits.maxBodyBytes, qint64(2048));
}

void tst_ServerConfig::seedEnvironmentNames()
{
    const ConfigResult r = loadServerConfig({},
        env({ { "MCP_API_KEYS", "dev_key_12345, prod_key_67890,," },
            { "ALLOWED_ORIGINS", "http://localhost:5174,https://gvses-ai-market-assistant.fly.dev" } }));
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.config.security.apiKeys, QByteArrayList({ "dev_key_12345", "prod_key_67890" }));
    QCOMPARE(r.config.security.allowedOrigins.size(), 2);

    // Repeated --api-key replaces the environment's list rather than merging silently.
    const ConfigResult cli = loadServerConfig({ { QStringLiteral("api-key"), { QStringLiteral("k1"), QStringLiteral("k2") } } },
        env({ { "MCP_API_KEYS", "dev_key_12345" } }));
    QCOMPARE(cli.config.security.apiKeys, QByteArrayList({ "k1", "k2" }));
}

void tst_ServerConfig::nodeEnvOnlyProductionMatters()
{
    QCOMPARE(loadServerConfig({}, env({ { "NODE_ENV", "production" } })).config.security.mode,
        tw::http::RunMode::Production);
    QCOMPARE(loadServerConfig({}, env({ { "NODE_ENV", "development" } })).config.security.mode,
        tw::http::RunMode::Development);
    const ConfigResult odd = loadServerConfig({}, env({ { "NODE_ENV", "staging" } }));
    QVERIFY(odd.error.isEmpty()); // the seed's other NODE_ENV values are not an error here
    // TICKERWIRE_MODE wins over NODE_ENV
    QCOMPARE(loadServerConfig({}, env({ { "TICKERWIRE_MODE", "development" }, { "NODE_ENV", "production" } }))
                 .config.security.mode,
        tw::http::RunMode::Development);
}

void tst_ServerConfig::invalidValues_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("port text") << QStringLiteral("port") << QStringLiteral("abc") << QStringLiteral("--port");
    QTest::newRow("port range") << QStringLiteral("port") << QStringLiteral("70000") << QStringLiteral("65535");
    QTest::newRow("mode") << QStringLiteral("mode") << QStringLiteral("prodution") << QStringLiteral("production");
    QTest::newRow("origin") << QStringLiteral("allow-origin") << QStringLiteral("example.com") << QStringLiteral("https://");
    QTest::newRow("negative limit") << QStringLiteral("rate-limit") << QStringLiteral("-1") << QStringLiteral("--rate-limit");
    QTest::newRow("tiny header limit") << QStringLiteral("max-header-bytes") << QStringLiteral("10") << QStringLiteral("1024");
    QTest::newRow("tiny dedupe window") << QStringLiteral("news-dedupe-size") << QStringLiteral("5") << QStringLiteral("100");
}

void tst_ServerConfig::invalidValues()
{
    QFETCH(QString, option);
    QFETCH(QString, value);
    QFETCH(QString, mentions);
    const ConfigResult r = loadServerConfig({ { option, { value } } }, QProcessEnvironment());
    QVERIFY(!r.error.isEmpty());
    QVERIFY2(r.error.contains(mentions), qPrintable(r.error));

    const ConfigResult fromEnv = loadServerConfig({}, env({ { "TICKERWIRE_PORT", "99999" } }));
    QVERIFY(fromEnv.error.contains(QLatin1String("TICKERWIRE_PORT")));
}

void tst_ServerConfig::secretsAreNotEchoed()
{
    // Keys have no invalid form, but the error path for a secret setting must never echo it.
    QTemporaryDir dir;
    const QString ini = writeIni(dir, "[server]\nport=nope\n[security]\napiKeys=super-secret-key-value\n");
    const ConfigResult r = loadServerConfig({}, QProcessEnvironment(), ini);
    QVERIFY(r.error.contains(QLatin1String("server/port")));
    QVERIFY(!r.error.contains(QLatin1String("super-secret-key-value")));
}

void tst_ServerConfig::configFileProblems()
{
    const ConfigResult missing = loadServerConfig({}, QProcessEnvironment(), QStringLiteral("/nonexistent/tw.ini"));
    QVERIFY(missing.error.contains(QLatin1String("/nonexistent/tw.ini")));

    QTemporaryDir dir;
    const QString ini = writeIni(dir, "[server]\nprot=9000\n");
    const ConfigResult typo = loadServerConfig({}, QProcessEnvironment(), ini);
    QVERIFY(typo.error.isEmpty());
    QCOMPARE(typo.notes.size(), 1);
    QVERIFY(typo.notes.first().contains(QLatin1String("server/prot")));
}

void tst_ServerConfig::tlsNeedsBoth()
{
    const ConfigResult r = loadServerConfig({ { QStringLiteral("tls-cert"), { QStringLiteral("/tmp/c.pem") } } }, QProcessEnvironment());
    QVERIFY(r.error.contains(QLatin1String("--tls-key")));
}

void tst_ServerConfig::everySpecIsComplete()
{
    for (const SettingSpec &s : settingSpecs()) {
        QVERIFY2(!s.option.isEmpty() && !s.iniKey.contains(QLatin1Char(' ')), qPrintable(s.option));
        QVERIFY2(s.iniKey.contains(QLatin1Char('/')), qPrintable(s.option));
        QVERIFY2(!s.help.isEmpty(), qPrintable(s.option));
        QVERIFY2(!s.env.isEmpty(), qPrintable(s.option));
        QVERIFY2(s.apply, qPrintable(s.option));
    }
}

void tst_ServerConfig::readmeDocumentsEverySetting()
{
    // The README's configuration table is what operators read: it must not fall behind.
    QFile readme(QStringLiteral(TW_TEST_DATA_DIR "/../../README.md"));
    QVERIFY(readme.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(readme.readAll());
    for (const SettingSpec &s : settingSpecs()) {
        QVERIFY2(text.contains(QStringLiteral("`--") + s.option), qPrintable(s.option));
        QVERIFY2(text.contains(s.iniKey), qPrintable(s.iniKey));
        for (const QString &var : s.env)
            QVERIFY2(text.contains(var), qPrintable(var));
    }
}

QTEST_GUILESS_MAIN(tst_ServerConfig)
#include "tst_serverconfig.moc"
