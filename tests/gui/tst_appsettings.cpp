// AppSettings: the desktop app's typed facade over QSettings (INI files in a temporary folder).
#include "appsettings.h"

#include <QFile>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace tw;
using namespace tw::ui;

namespace {

bool isHexKey(const QString &key)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    return hex.match(key).hasMatch();
}

AppSettings everythingChanged()
{
    AppSettings a;
    a.watchlist = { QStringLiteral("NVDA"), QStringLiteral("BRK.B") };
    a.streamIntervalMs = 2500;
    a.streamDurationMs = 120000;
    a.alertRules = { QStringLiteral("ticker:TSLA"), QStringLiteral("keyword:recall") };
    a.embeddedServerEnabled = false;
    a.embeddedHost = QStringLiteral("::1");
    a.embeddedPort = 9123;
    a.apiKey = QString(64, QLatin1Char('c'));
    a.useRemoteServer = true;
    a.remoteUrl = QStringLiteral("https://news.example.com");
    a.remoteApiKey = QStringLiteral("remote-secret");
    a.providers = { QStringLiteral("demo"), QStringLiteral("finnhub") };
    a.demoRate = 12.5;
    a.finnhubKey = QStringLiteral("fh");
    a.alphaVantageKey = QStringLiteral("av");
    a.polygonKey = QStringLiteral("pg");
    a.edgarUserAgent = QStringLiteral("Desk ops@example.com");
    a.rssUrls = { QStringLiteral("https://feeds.example.com/{symbol}.xml") };
    a.theme = AppSettings::Theme::Dark;
    a.compactRows = true;
    a.maxRows = 5000;
    a.trayNotifications = false;
    a.windowGeometry = QByteArrayLiteral("\x01\x02geometry");
    a.windowState = QByteArrayLiteral("state");
    a.splitterState = QByteArrayLiteral("splitter");
    return a;
}

} // namespace

class TestAppSettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsOnAFreshFile();
    void generatedKeyIsKept();
    void roundTrip();
    void oneElementAndEmptyListsSurvive();
    void outOfRangeValuesFallBackToDefaults();
    void unwritableFileGivesAnError();
    void validate_data();
    void validate();
    void serverConfig();
    void endpoints_data();
    void endpoints();
};

void TestAppSettings::defaultsOnAFreshFile()
{
    QTemporaryDir dir;
    QSettings store(dir.filePath(QStringLiteral("tw.ini")), QSettings::IniFormat);
    const AppSettings loaded = AppSettings::load(store);
    AppSettings expected;
    expected.apiKey = loaded.apiKey; // the only value not fixed in advance
    QCOMPARE(loaded, expected);
    QCOMPARE(loaded.watchlist, QStringList { QStringLiteral("TSLA") });
    QVERIFY(loaded.embeddedServerEnabled);
    QCOMPARE(loaded.embeddedHost, QStringLiteral("127.0.0.1"));
    QCOMPARE(loaded.providers, QStringList { QStringLiteral("demo") });
    QCOMPARE(loaded.validate(), QString());
}

void TestAppSettings::generatedKeyIsKept()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tw.ini"));
    QString first;
    {
        QSettings store(path, QSettings::IniFormat);
        first = AppSettings::load(store).apiKey;
    }
    QVERIFY2(isHexKey(first), qPrintable(first.left(8)));
    // Written at once, before any save(): another run (a new QSettings) reads the same key.
    {
        QSettings store(path, QSettings::IniFormat);
        QCOMPARE(AppSettings::load(store).apiKey, first);
    }
    // Another fresh file gets another key.
    QSettings other(dir.filePath(QStringLiteral("other.ini")), QSettings::IniFormat);
    const QString second = AppSettings::load(other).apiKey;
    QVERIFY(isHexKey(second));
    QVERIFY(second != first);
}

void TestAppSettings::roundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tw.ini"));
    const AppSettings written = everythingChanged();
    QVERIFY(written != AppSettings());
    {
        QSettings store(path, QSettings::IniFormat);
        QCOMPARE(written.save(store), QString());
    }
    QSettings store(path, QSettings::IniFormat);
    const AppSettings read = AppSettings::load(store);
    QCOMPARE(read.watchlist, written.watchlist);
    QCOMPARE(read.alertRules, written.alertRules);
    QCOMPARE(read.apiKey, written.apiKey);
    QCOMPARE(read.theme, AppSettings::Theme::Dark);
    QCOMPARE(read.windowGeometry, written.windowGeometry);
    QCOMPARE(read, written);
}

void TestAppSettings::oneElementAndEmptyListsSurvive()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tw.ini"));
    AppSettings a;
    a.apiKey = QString(64, QLatin1Char('d'));
    a.watchlist = { QStringLiteral("AAPL") };
    a.alertRules = { QStringLiteral("keyword:FDA approval") };
    a.providers = {};
    a.rssUrls = {};
    {
        QSettings store(path, QSettings::IniFormat);
        QCOMPARE(a.save(store), QString());
    }
    QSettings store(path, QSettings::IniFormat);
    const AppSettings read = AppSettings::load(store);
    QCOMPARE(read.watchlist, a.watchlist);
    QCOMPARE(read.alertRules, a.alertRules);
    QCOMPARE(read.providers, QStringList()); // saved empty: not the default {"demo"}
    QCOMPARE(read.rssUrls, QStringList());
}

void TestAppSettings::outOfRangeValuesFallBackToDefaults()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tw.ini"));
    {
        QSettings store(path, QSettings::IniFormat);
        store.setValue(QStringLiteral("server/port"), 99999);
        store.setValue(QStringLiteral("server/host"), QStringLiteral("   "));
        store.setValue(QStringLiteral("watch/streamIntervalMs"), QStringLiteral("often"));
        store.setValue(QStringLiteral("news/demoRate"), -3);
        store.setValue(QStringLiteral("appearance/theme"), QStringLiteral("neon"));
    }
    QSettings store(path, QSettings::IniFormat);
    const AppSettings read = AppSettings::load(store);
    const AppSettings defaults;
    QCOMPARE(read.embeddedPort, defaults.embeddedPort);
    QCOMPARE(read.embeddedHost, defaults.embeddedHost);
    QCOMPARE(read.streamIntervalMs, defaults.streamIntervalMs);
    QCOMPARE(read.demoRate, defaults.demoRate);
    QCOMPARE(read.theme, AppSettings::Theme::System);
}

void TestAppSettings::unwritableFileGivesAnError()
{
    // A settings file whose folder cannot exist (its "parent" is a regular file): cannot be
    // written even by root, unlike a chmod'ed folder.
    QTemporaryDir dir;
    const QString blocker = dir.filePath(QStringLiteral("not-a-folder"));
    {
        QFile f(blocker);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
    }
    const QString path = blocker + QStringLiteral("/tickerwire/tw.ini");
    QSettings store(path, QSettings::IniFormat);
    const AppSettings loaded = AppSettings::load(store); // still usable: defaults and a key
    QVERIFY(isHexKey(loaded.apiKey));
    const QString error = loaded.save(store);
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(!error.contains(loaded.apiKey), "an error message must not contain the key");
}

void TestAppSettings::validate_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("mentions"); // "" = valid

    QTest::newRow("defaults") << QString() << QString() << QString();
    QTest::newRow("port too big") << QStringLiteral("port") << QStringLiteral("70000")
                                  << QStringLiteral("Port");
    QTest::newRow("port 0 is fine") << QStringLiteral("port") << QStringLiteral("0") << QString();
    QTest::newRow("host not an address")
        << QStringLiteral("host") << QStringLiteral("example.com") << QStringLiteral("example.com");
    QTest::newRow("host localhost")
        << QStringLiteral("host") << QStringLiteral("localhost") << QString();
    QTest::newRow("host ipv6") << QStringLiteral("host") << QStringLiteral("::1") << QString();
    QTest::newRow("remote without url")
        << QStringLiteral("remoteUrl") << QString() << QStringLiteral("URL");
    QTest::newRow("remote ftp url") << QStringLiteral("remoteUrl")
                                    << QStringLiteral("ftp://x.example") << QStringLiteral("URL");
    QTest::newRow("remote url") << QStringLiteral("remoteUrl")
                                << QStringLiteral("news.example.com:8750") << QString();
    QTest::newRow("nothing to connect to")
        << QStringLiteral("neither") << QString() << QStringLiteral("embedded server");
    QTest::newRow("no providers") << QStringLiteral("providers") << QString()
                                  << QStringLiteral("provider");
    QTest::newRow("finnhub without key")
        << QStringLiteral("providers") << QStringLiteral("demo,finnhub")
        << QStringLiteral("Finnhub");
    QTest::newRow("edgar without agent")
        << QStringLiteral("providers") << QStringLiteral("sec-edgar") << QStringLiteral("EDGAR");
    QTest::newRow("bad rss url") << QStringLiteral("rss") << QStringLiteral("file:///etc/passwd")
                                 << QStringLiteral("file:///etc/passwd");
    QTest::newRow("bad symbol") << QStringLiteral("watchlist") << QStringLiteral("TS LA!")
                                << QStringLiteral("TS LA!");
    QTest::newRow("tiny interval")
        << QStringLiteral("interval") << QStringLiteral("10") << QStringLiteral("interval");
}

void TestAppSettings::validate()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, mentions);
    AppSettings a;
    a.apiKey = QString(64, QLatin1Char('e'));
    if (field == QLatin1String("port"))
        a.embeddedPort = value.toInt();
    else if (field == QLatin1String("host"))
        a.embeddedHost = value;
    else if (field == QLatin1String("remoteUrl")) {
        a.useRemoteServer = true;
        a.remoteUrl = value;
    } else if (field == QLatin1String("neither")) {
        a.embeddedServerEnabled = false;
        a.useRemoteServer = false;
    } else if (field == QLatin1String("providers"))
        a.providers = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
    else if (field == QLatin1String("rss")) {
        a.providers = { QStringLiteral("rss") };
        a.rssUrls = { value };
    } else if (field == QLatin1String("watchlist"))
        a.watchlist = { value };
    else if (field == QLatin1String("interval"))
        a.streamIntervalMs = value.toInt();

    const QString error = a.validate();
    if (mentions.isEmpty()) {
        QVERIFY2(error.isEmpty(), qPrintable(error));
    } else {
        QVERIFY(!error.isEmpty());
        QVERIFY2(error.contains(mentions, Qt::CaseInsensitive), qPrintable(error));
    }
}

void TestAppSettings::serverConfig()
{
    AppSettings a;
    a.apiKey = QString(64, QLatin1Char('f'));
    a.embeddedPort = 0;
    a.providers = { QStringLiteral(" Demo "), QStringLiteral("finnhub"), QStringLiteral("demo") };
    a.finnhubKey = QStringLiteral("fh-key");
    a.demoRate = 42;
    const server::ServerConfig c = a.toServerConfig();
    QCOMPARE(c.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(c.port, 0);
    QCOMPARE(c.security.apiKeys, QByteArrayList { a.apiKey.toLatin1() });
    QCOMPARE(c.security.mode, http::RunMode::Production); // refuses to run without the key
    QCOMPARE(c.newsProviders, (QStringList { QStringLiteral("demo"), QStringLiteral("finnhub") }));
    QCOMPARE(c.news.finnhubApiKey, QStringLiteral("fh-key"));
    QCOMPARE(c.demo.rate, 42.0);
    // A fresh demo seed per start: a restarted server's items are new to the client.
    QVERIFY(c.demo.seed != a.toServerConfig().demo.seed);
}

void TestAppSettings::endpoints_data()
{
    QTest::addColumn<bool>("remote");
    QTest::addColumn<QString>("remoteUrl");
    QTest::addColumn<QString>("expected");
    QTest::newRow("embedded") << false << QString() << QStringLiteral("http://127.0.0.1:8750/mcp");
    QTest::newRow("bare host") << true << QStringLiteral("news.example.com")
                               << QStringLiteral("http://news.example.com/mcp");
    QTest::newRow("base url slash") << true << QStringLiteral("https://news.example.com/")
                                    << QStringLiteral("https://news.example.com/mcp");
    QTest::newRow("other server's path") << true << QStringLiteral("https://mcp.example.org/v1/sse")
                                         << QStringLiteral("https://mcp.example.org/v1/sse");
    QTest::newRow("invalid") << true << QStringLiteral("ftp://x") << QString();
}

void TestAppSettings::endpoints()
{
    QFETCH(bool, remote);
    QFETCH(QString, remoteUrl);
    QFETCH(QString, expected);
    AppSettings a;
    a.apiKey = QStringLiteral("embedded-key");
    a.remoteApiKey = QStringLiteral("remote-key");
    a.useRemoteServer = remote;
    a.remoteUrl = remoteUrl;
    QCOMPARE(a.mcpEndpoint(QStringLiteral("http://127.0.0.1:8750/")).toString(), expected);
    QCOMPARE(a.clientApiKey(), remote ? a.remoteApiKey : a.apiKey);
}

QTEST_GUILESS_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
