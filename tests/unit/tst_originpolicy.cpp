// OriginPolicy: which browser origins are allowed, and which Host headers name loopback.
#include "originpolicy.h"

#include <QRegularExpression>
#include <QTest>

using tw::http::OriginPolicy;

class tst_OriginPolicy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void isAllowed_data();
    void isAllowed();
    void invalidEntriesAreIgnored();
    void isLoopbackHost_data();
    void isLoopbackHost();
};

void tst_OriginPolicy::isAllowed_data()
{
    QTest::addColumn<QStringList>("entries");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");

    const QStringList defaults;
    // Default list: local development servers on any port, http or https.
    QTest::newRow("default: localhost vite")
        << defaults << QByteArray("http://localhost:5173") << true;
    QTest::newRow("default: localhost no port")
        << defaults << QByteArray("http://localhost") << true;
    QTest::newRow("default: https localhost")
        << defaults << QByteArray("https://localhost:8443") << true;
    QTest::newRow("default: 127.0.0.1") << defaults << QByteArray("http://127.0.0.1:8080") << true;
    QTest::newRow("default: [::1]") << defaults << QByteArray("http://[::1]:3000") << true;
    QTest::newRow("default: [::1] long form")
        << defaults << QByteArray("http://[0:0:0:0:0:0:0:1]:3000") << true;
    QTest::newRow("default: upper case") << defaults << QByteArray("HTTP://LOCALHOST:5173") << true;
    QTest::newRow("default: evil.com") << defaults << QByteArray("http://evil.com") << false;
    QTest::newRow("default: localhost.evil.com")
        << defaults << QByteArray("http://localhost.evil.com") << false;
    QTest::newRow("default: 127.0.0.1.nip.io")
        << defaults << QByteArray("http://127.0.0.1.nip.io") << false;
    QTest::newRow("default: other loopback ip")
        << defaults << QByteArray("http://127.0.0.2") << false;
    QTest::newRow("default: other scheme") << defaults << QByteArray("ftp://localhost") << false;
    QTest::newRow("default: null") << defaults << QByteArray("null") << false;
    QTest::newRow("default: empty") << defaults << QByteArray("") << false;

    // An explicit list replaces the defaults; absent ports mean the scheme's default port.
    const QStringList app { QStringLiteral("https://app.example.com") };
    QTest::newRow("explicit: exact") << app << QByteArray("https://app.example.com") << true;
    QTest::newRow("explicit: default port spelled out")
        << app << QByteArray("https://app.example.com:443") << true;
    QTest::newRow("explicit: host case") << app << QByteArray("https://APP.Example.com") << true;
    QTest::newRow("explicit: other port")
        << app << QByteArray("https://app.example.com:8443") << false;
    QTest::newRow("explicit: http") << app << QByteArray("http://app.example.com") << false;
    QTest::newRow("explicit: subdomain") << app << QByteArray("https://x.app.example.com") << false;
    QTest::newRow("explicit: suffix") << app << QByteArray("https://app.example.com.evil") << false;
    QTest::newRow("explicit: defaults gone") << app << QByteArray("http://localhost:5173") << false;

    const QStringList port { QStringLiteral("http://localhost:5174") };
    QTest::newRow("port: same") << port << QByteArray("http://localhost:5174") << true;
    QTest::newRow("port: other") << port << QByteArray("http://localhost:5175") << false;
    QTest::newRow("port: absent is 80") << port << QByteArray("http://localhost") << false;

    const QStringList port80 { QStringLiteral("http://localhost") };
    QTest::newRow("no port entry: 80") << port80 << QByteArray("http://localhost:80") << true;
    QTest::newRow("no port entry: absent") << port80 << QByteArray("http://localhost") << true;
    QTest::newRow("no port entry: 8080") << port80 << QByteArray("http://localhost:8080") << false;

    const QStringList anyPort { QStringLiteral("http://localhost:*") };
    QTest::newRow("wildcard port: 1234") << anyPort << QByteArray("http://localhost:1234") << true;
    QTest::newRow("wildcard port: none") << anyPort << QByteArray("http://localhost") << true;
    QTest::newRow("wildcard port: https")
        << anyPort << QByteArray("https://localhost:1234") << false;
    QTest::newRow("wildcard port: other host")
        << anyPort << QByteArray("http://127.0.0.1:1234") << false;

    const QStringList pasted { QStringLiteral("  https://App.Example.com/  "),
        QStringLiteral("chrome-extension://abcdefgh") };
    QTest::newRow("entry: trimmed, slash, case")
        << pasted << QByteArray("https://app.example.com") << true;
    QTest::newRow("entry: scheme without default port")
        << pasted << QByteArray("chrome-extension://abcdefgh") << true;

    const QStringList any { QStringLiteral("*") };
    QTest::newRow("any: real origin") << any << QByteArray("https://anything.example:9") << true;
    QTest::newRow("any: null") << any << QByteArray("null") << false;
    QTest::newRow("any: malformed") << any << QByteArray("not an origin") << false;

    // Malformed origins never match, even where the host would.
    QTest::newRow("malformed: no scheme") << defaults << QByteArray("localhost:5173") << false;
    QTest::newRow("malformed: trailing slash")
        << defaults << QByteArray("http://localhost/") << false;
    QTest::newRow("malformed: path") << defaults << QByteArray("http://localhost/x") << false;
    QTest::newRow("malformed: user info") << defaults << QByteArray("http://a@localhost") << false;
    QTest::newRow("malformed: empty host") << defaults << QByteArray("http://:80") << false;
    QTest::newRow("malformed: empty port") << defaults << QByteArray("http://localhost:") << false;
    QTest::newRow("malformed: port 0") << defaults << QByteArray("http://localhost:0") << false;
    QTest::newRow("malformed: port too big")
        << defaults << QByteArray("http://localhost:65536") << false;
    QTest::newRow("malformed: port letters")
        << defaults << QByteArray("http://localhost:80a") << false;
    QTest::newRow("malformed: wildcard port")
        << defaults << QByteArray("http://localhost:*") << false;
    QTest::newRow("malformed: space") << defaults << QByteArray("http://local host") << false;
    QTest::newRow("malformed: unclosed bracket") << defaults << QByteArray("http://[::1") << false;
    QTest::newRow("malformed: zone id") << defaults << QByteArray("http://[::1%25eth0]") << false;
    QTest::newRow("malformed: scheme only") << defaults << QByteArray("http://") << false;
    QTest::newRow("malformed: javascript")
        << defaults << QByteArray("javascript:alert(1)") << false;
    QTest::newRow("malformed: control char")
        << defaults << QByteArray("http://localhost\r\nx: y") << false;
}

void tst_OriginPolicy::isAllowed()
{
    QFETCH(QStringList, entries);
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    const OriginPolicy policy(entries);
    QCOMPARE(policy.isAllowed(origin), allowed);
    QCOMPARE(policy.entries(), entries);
}

void tst_OriginPolicy::invalidEntriesAreIgnored()
{
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("ignoring allowed origin")));
    const OriginPolicy policy(
        { QStringLiteral("app.example.com"), QStringLiteral("http://ok.example") });
    QVERIFY(!policy.isAllowed("http://app.example.com"));
    QVERIFY(!policy.isAllowed("https://app.example.com"));
    QVERIFY(policy.isAllowed("http://ok.example"));
    // A list of only invalid entries is not the default list: nothing is allowed.
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("ignoring allowed origin")));
    const OriginPolicy broken({ QStringLiteral("localhost") });
    QVERIFY(!broken.isAllowed("http://localhost"));
}

void tst_OriginPolicy::isLoopbackHost_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<bool>("loopback");

    QTest::newRow("localhost:8750") << QByteArray("localhost:8750") << true;
    QTest::newRow("localhost") << QByteArray("localhost") << true;
    QTest::newRow("LocalHost:1") << QByteArray("LocalHost:1") << true;
    QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1") << true;
    QTest::newRow("127.0.0.1:8750") << QByteArray("127.0.0.1:8750") << true;
    QTest::newRow("127.1.2.3") << QByteArray("127.1.2.3") << true;
    QTest::newRow("[::1]") << QByteArray("[::1]") << true;
    QTest::newRow("[::1]:80") << QByteArray("[::1]:80") << true;
    QTest::newRow("[::1]:8750") << QByteArray("[::1]:8750") << true;

    QTest::newRow("evil.com") << QByteArray("evil.com") << false;
    QTest::newRow("evil.com:8750") << QByteArray("evil.com:8750") << false;
    QTest::newRow("localhost.evil.com") << QByteArray("localhost.evil.com") << false;
    QTest::newRow("127.0.0.1.nip.io") << QByteArray("127.0.0.1.nip.io") << false;
    QTest::newRow("sub.localhost") << QByteArray("app.localhost") << false;
    QTest::newRow("localhost.") << QByteArray("localhost.") << false;
    QTest::newRow("empty") << QByteArray("") << false;
    QTest::newRow("null") << QByteArray() << false;
    QTest::newRow("0.0.0.0") << QByteArray("0.0.0.0") << false;
    QTest::newRow("128.0.0.1") << QByteArray("128.0.0.1") << false;
    QTest::newRow("LAN address") << QByteArray("192.168.1.10:8750") << false;
    QTest::newRow("127.0.0.256") << QByteArray("127.0.0.256") << false;
    QTest::newRow("127.1 short form") << QByteArray("127.1") << false;
    QTest::newRow("hex form") << QByteArray("0x7f.0.0.1") << false;
    QTest::newRow("unbracketed ::1") << QByteArray("::1") << false;
    QTest::newRow("[::2]") << QByteArray("[::2]") << false;
    QTest::newRow("[::1] with junk") << QByteArray("[::1]x") << false;
    QTest::newRow("[::1] zone") << QByteArray("[::1%lo]") << false;
    QTest::newRow("empty port") << QByteArray("localhost:") << false;
    QTest::newRow("port letters") << QByteArray("localhost:abc") << false;
    QTest::newRow("two ports") << QByteArray("localhost:8750:1") << false;
    QTest::newRow("port too big") << QByteArray("localhost:99999") << false;
    QTest::newRow("user info") << QByteArray("evil.com@localhost") << false;
}

void tst_OriginPolicy::isLoopbackHost()
{
    QFETCH(QByteArray, host);
    QFETCH(bool, loopback);
    QCOMPARE(OriginPolicy::isLoopbackHost(host), loopback);
}

QTEST_GUILESS_MAIN(tst_OriginPolicy)
#include "tst_originpolicy.moc"
