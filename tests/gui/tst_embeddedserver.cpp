// EmbeddedServer: the real ServerRuntime in its own thread on 127.0.0.1 port 0, reached over
// real HTTP with QNetworkAccessManager from the test (GUI) thread.
#include "appsettings.h"
#include "embeddedserver.h"
#include "guihttp.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QThread>

using namespace tw;
using namespace tw::ui;
using test::kGuiWaitMs;

namespace {

server::ServerConfig configWithKey(const QString &key, int port = 0, double demoRate = 100.0)
{
    AppSettings s;
    s.apiKey = key;
    s.embeddedPort = port;
    s.demoRate = demoRate;
    return s.toServerConfig();
}

const QString kKey
    = QStringLiteral("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

bool startAndWait(EmbeddedServer &server, const server::ServerConfig &config)
{
    QSignalSpy started(&server, &EmbeddedServer::started);
    server.start(config);
    return started.wait(kGuiWaitMs) || server.isRunning();
}

} // namespace

class TestEmbeddedServer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void startsOnPortZeroInItsOwnThread();
    void answersHttpWithTheKeyOnly();
    void statusCountsSessionsAndStreams();
    void stopFreesThePort();
    void restartWithNewKey();
    void stopThenStartAgain();
    void busyPortFallsBackToAFreeOne();
    void refusedConfigurationFails();
    void destructionWhileRunningIsClean();
    void destructionWhileStartingIsClean();
};

void TestEmbeddedServer::startsOnPortZeroInItsOwnThread()
{
    EmbeddedServer server;
    QSignalSpy states(&server, &EmbeddedServer::stateChanged);
    QVERIFY(startAndWait(server, configWithKey(kKey)));
    QCOMPARE(server.state(), EmbeddedServer::State::Running);
    QVERIFY(server.port() != 0);
    QCOMPARE(server.url(), QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
    QVERIFY(server.serverThread());
    QCOMPARE(server.runtimeThread(), server.serverThread());
    QVERIFY(server.runtimeThread() != QThread::currentThread());
    const EmbeddedServer::Status status = server.status();
    QCOMPARE(status.port, server.port());
    QCOMPARE(status.url, server.url());
    QCOMPARE(
        states.first().first().value<EmbeddedServer::State>(), EmbeddedServer::State::Starting);
    QCOMPARE(states.last().first().value<EmbeddedServer::State>(), EmbeddedServer::State::Running);
}

void TestEmbeddedServer::answersHttpWithTheKeyOnly()
{
    EmbeddedServer server;
    QVERIFY(startAndWait(server, configWithKey(kKey)));
    QNetworkAccessManager nam;
    const QUrl endpoint(server.url() + QStringLiteral("/mcp"));

    const test::HttpResult ok = test::mcpInitialize(nam, endpoint, kKey.toLatin1());
    QCOMPARE(ok.status, 200);
    QVERIFY(!ok.sessionId.isEmpty());
    const test::HttpResult bearer
        = test::mcpInitialize(nam, endpoint, kKey.toLatin1(), test::KeyHeader::Bearer);
    QCOMPARE(bearer.status, 200);

    QCOMPARE(test::mcpInitialize(nam, endpoint, {}).status, 401);
    QCOMPARE(test::mcpInitialize(nam, endpoint, QByteArrayLiteral("not-the-key")).status, 401);
}

void TestEmbeddedServer::statusCountsSessionsAndStreams()
{
    EmbeddedServer server;
    QCOMPARE(server.status().sessions, 0); // not running: all zero, no crash
    QVERIFY(startAndWait(server, configWithKey(kKey)));
    QNetworkAccessManager nam;

    QCOMPARE(test::mcpInitialize(nam, QUrl(server.url() + QStringLiteral("/mcp")), kKey.toLatin1())
                 .status,
        200);
    QTRY_COMPARE_WITH_TIMEOUT(server.status().sessions, 1, kGuiWaitMs);

    QCOMPARE(server.status().openStreams, 0);
    std::unique_ptr<QNetworkReply> stream(test::openNewsStream(nam, server.url(), kKey.toLatin1()));
    QTRY_COMPARE_WITH_TIMEOUT(server.status().openStreams, 1, kGuiWaitMs);
    // The demo feed runs at 100 items/s: items reach the client and are counted as sent.
    QTRY_VERIFY_WITH_TIMEOUT(stream->bytesAvailable() > 0 || stream->size() > 0, kGuiWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(server.status().eventsSent > 0, kGuiWaitMs);
    QVERIFY(server.status().itemsPublished > 0);
    QVERIFY(server.status().connections >= 1);
    QCOMPARE(server.metricValue(QStringLiteral("tickerwire_http_streams_open")), 1.0);

    // The client goes away: the server frees the stream.
    stream->abort();
    stream.reset();
    QTRY_COMPARE_WITH_TIMEOUT(server.status().openStreams, 0, kGuiWaitMs);
}

void TestEmbeddedServer::stopFreesThePort()
{
    EmbeddedServer server;
    QVERIFY(startAndWait(server, configWithKey(kKey)));
    const quint16 port = server.port();
    QNetworkAccessManager nam;
    std::unique_ptr<QNetworkReply> stream(test::openNewsStream(nam, server.url(), kKey.toLatin1()));
    QTRY_COMPARE_WITH_TIMEOUT(server.status().openStreams, 1, kGuiWaitMs);

    QSignalSpy stopped(&server, &EmbeddedServer::stopped);
    server.stop();
    QCOMPARE(server.state(), EmbeddedServer::State::Stopping);
    QVERIFY(stopped.wait(kGuiWaitMs));
    QCOMPARE(server.state(), EmbeddedServer::State::Stopped);
    QVERIFY(server.url().isEmpty());
    QCOMPARE(server.port(), quint16(0));
    QVERIFY(!server.serverThread());
    QCOMPARE(server.status().openStreams, 0);
    QCOMPARE(server.status().port, quint16(0));
    // The open stream was ended by the server, not left hanging.
    QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), kGuiWaitMs);

    QTcpServer probe;
    QVERIFY2(probe.listen(QHostAddress::LocalHost, port), qPrintable(probe.errorString()));
    probe.close();

    server.stop(); // already stopped: nothing happens
    QCOMPARE(stopped.count(), 1);
}

void TestEmbeddedServer::restartWithNewKey()
{
    EmbeddedServer server;
    QVERIFY(startAndWait(server, configWithKey(kKey)));
    QNetworkAccessManager nam;

    const QString newKey = QString(64, QLatin1Char('b'));
    QSignalSpy stopped(&server, &EmbeddedServer::stopped);
    QSignalSpy started(&server, &EmbeddedServer::started);
    server.start(configWithKey(newKey)); // while running: a restart
    QVERIFY(started.wait(kGuiWaitMs));
    QCOMPARE(stopped.count(), 1);
    QCOMPARE(server.state(), EmbeddedServer::State::Running);
    QCOMPARE(server.config().security.apiKeys, QByteArrayList { newKey.toLatin1() });
    QVERIFY(server.serverThread());

    const QUrl endpoint(server.url() + QStringLiteral("/mcp"));
    QCOMPARE(test::mcpInitialize(nam, endpoint, newKey.toLatin1()).status, 200);
    QCOMPARE(test::mcpInitialize(nam, endpoint, kKey.toLatin1()).status, 401);
    // One server thread per start/stop cycle, never more: the old one is gone.
    QCOMPARE(server.findChildren<QThread *>().size(), 1);
}

void TestEmbeddedServer::stopThenStartAgain()
{
    EmbeddedServer server;
    for (int round = 0; round < 3; ++round) {
        QVERIFY2(startAndWait(server, configWithKey(kKey)), qPrintable(server.lastError()));
        QNetworkAccessManager nam;
        QCOMPARE(
            test::mcpInitialize(nam, QUrl(server.url() + QStringLiteral("/mcp")), kKey.toLatin1())
                .status,
            200);
        QSignalSpy stopped(&server, &EmbeddedServer::stopped);
        server.stop();
        QVERIFY(stopped.wait(kGuiWaitMs));
        QVERIFY(server.findChildren<QThread *>().isEmpty());
    }
    // stop() then start() before the stop has finished: the start waits for it and runs.
    QVERIFY(startAndWait(server, configWithKey(kKey)));
    QSignalSpy started(&server, &EmbeddedServer::started);
    server.stop();
    server.start(configWithKey(kKey));
    QVERIFY(started.wait(kGuiWaitMs));
    QCOMPARE(server.state(), EmbeddedServer::State::Running);
}

void TestEmbeddedServer::busyPortFallsBackToAFreeOne()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    const quint16 busy = occupant.serverPort();

    EmbeddedServer server;
    QVERIFY2(startAndWait(server, configWithKey(kKey, busy)), qPrintable(server.lastError()));
    QVERIFY(server.port() != 0);
    QVERIFY(server.port() != busy);

    // Without the fallback the busy port is an error that names the port.
    EmbeddedServer strict;
    strict.setPortFallback(false);
    QSignalSpy failed(&strict, &EmbeddedServer::failed);
    strict.start(configWithKey(kKey, busy));
    QVERIFY(failed.wait(kGuiWaitMs));
    QCOMPARE(strict.state(), EmbeddedServer::State::Failed);
    QVERIFY2(failed.first().first().toString().contains(QString::number(busy)),
        qPrintable(failed.first().first().toString()));
}

void TestEmbeddedServer::refusedConfigurationFails()
{
    // No key: the embedded server runs in production mode and must refuse to start.
    EmbeddedServer server;
    QSignalSpy failed(&server, &EmbeddedServer::failed);
    QSignalSpy started(&server, &EmbeddedServer::started);
    server.start(configWithKey(QString()));
    QVERIFY(failed.wait(kGuiWaitMs));
    QCOMPARE(started.count(), 0);
    QCOMPARE(server.state(), EmbeddedServer::State::Failed);
    QVERIFY(!server.lastError().isEmpty());
    QCOMPARE(failed.first().first().toString(), server.lastError());
    QVERIFY(!server.serverThread());

    // A failed server can be started again with a usable configuration.
    QVERIFY(startAndWait(server, configWithKey(kKey)));
    QVERIFY(server.lastError().isEmpty());
}

void TestEmbeddedServer::destructionWhileRunningIsClean()
{
    auto server = std::make_unique<EmbeddedServer>();
    QVERIFY(startAndWait(*server, configWithKey(kKey)));
    const quint16 port = server->port();
    QNetworkAccessManager nam;
    std::unique_ptr<QNetworkReply> stream(
        test::openNewsStream(nam, server->url(), kKey.toLatin1()));
    QTRY_COMPARE_WITH_TIMEOUT(server->status().openStreams, 1, kGuiWaitMs);

    server.reset(); // joins the thread; the port is free once it returns
    QTcpServer probe;
    QVERIFY2(probe.listen(QHostAddress::LocalHost, port), qPrintable(probe.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished(), kGuiWaitMs);
}

void TestEmbeddedServer::destructionWhileStartingIsClean()
{
    auto server = std::make_unique<EmbeddedServer>();
    server->start(configWithKey(kKey));
    QCOMPARE(server->state(), EmbeddedServer::State::Starting);
    server.reset(); // no crash, no leak (ASan), no hang
}

QTEST_GUILESS_MAIN(TestEmbeddedServer)
#include "tst_embeddedserver.moc"
