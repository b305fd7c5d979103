// Faults around the real tickerwire-server process: a news provider that hangs, fails, talks
// garbage or never stops talking (a local fixture feed server on 127.0.0.1); a client killed
// in the middle of a stream; the server itself killed and restarted under a streaming
// tickerwire-cli; configuration the server cannot read. What is asserted is what a user sees:
// the server goes on serving and streaming the healthy provider's news, says what is wrong
// (list_news_sources, an exit message), frees what a dead client held, and the CLI carries on
// after a restart without showing an item twice. (tst_newsproviders covers each provider's
// own timeout/backoff/size rules in process; this is the same faults seen from outside.)
#include "testhttpclient.h"
#include "testserverprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using tw::test::ParsedResponse;
using tw::test::TestHttpClient;
using tw::test::TestServerProcess;

namespace {

constexpr int kTimeoutMs = 20000;
const QString kCliBinary = QStringLiteral(TW_BINARY_DIR "/app/cli/tickerwire-cli");

// A feed server that misbehaves in one chosen way.
class FaultyFeed : public QObject {
public:
    enum class Mode { Hang, ServerError, Garbage, Endless };

    explicit FaultyFeed(Mode mode)
        : m_mode(mode)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                QObject::connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
                QObject::connect(s, &QTcpSocket::disconnected, this, [this, s] {
                    ++m_disconnects;
                    // The next socket may be allocated at this address: it must not find
                    // this one's half-read request.
                    m_buffers.remove(s);
                    s->deleteLater();
                });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    int requests() const { return m_requests; }
    int disconnects() const { return m_disconnects; }
    qint64 bytesSent() const { return m_sent; }

private:
    void onRead(QTcpSocket *s)
    {
        QByteArray &buffer = m_buffers[s];
        buffer += s->readAll();
        if (!buffer.contains("\r\n\r\n"))
            return;
        buffer.clear();
        ++m_requests;
        switch (m_mode) {
        case Mode::Hang:
            break; // holds the connection and never answers
        case Mode::ServerError:
            s->write("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                     "Content-Length: 5\r\n\r\noops!");
            break;
        case Mode::Garbage: {
            QByteArray junk(8192, Qt::Uninitialized);
            for (char &c : junk)
                c = char(QRandomGenerator::global()->bounded(256));
            s->write("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: "
                + QByteArray::number(junk.size()) + "\r\n\r\n" + junk);
            break;
        }
        case Mode::Endless: {
            // A well-formed start and then items for ever: only a size cap ends it.
            s->write("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n"
                     "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>endless</title>");
            QObject::connect(s, &QTcpSocket::bytesWritten, this, [this, s](qint64 n) {
                m_sent += n;
                if (s->bytesToWrite() < 256 * 1024 && m_sent < qint64(512) * 1024 * 1024)
                    s->write(QByteArray("<item><title>more</title><link>http://x/").repeated(1024));
            });
            break;
        }
        }
    }

    Mode m_mode;
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    int m_requests = 0;
    int m_disconnects = 0;
    qint64 m_sent = 0;
};

QByteArray get(quint16 port, const QByteArray &target, const QByteArray &accept = "*/*")
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
        + "\r\nAccept: " + accept + "\r\n\r\n";
}

std::optional<ParsedResponse> exchange(quint16 port, const QByteArray &bytes)
{
    TestHttpClient c;
    if (!c.connectToServer(QHostAddress::LocalHost, port))
        return std::nullopt;
    c.write(bytes);
    return c.nextResponse(kTimeoutMs);
}

double metric(quint16 port, const QByteArray &name)
{
    const auto r = exchange(port, get(port, "/metrics"));
    if (!r || r->status != 200)
        return -1;
    return tw::test::sumMetric(r->body, name);
}

QByteArray mcpPost(quint16 port, const QJsonObject &message, const QByteArray &session)
{
    const QByteArray body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QByteArray out = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
        + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
    if (!session.isEmpty())
        out += "Mcp-Session-Id: " + session + "\r\nMCP-Protocol-Version: 2025-06-18\r\n";
    return out + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// The rss provider's health as list_news_sources reports it, or an empty object.
QJsonObject rssHealth(quint16 port)
{
    const QJsonObject init { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") }, { QStringLiteral("id"), 1 },
        { QStringLiteral("method"), QStringLiteral("initialize") },
        { QStringLiteral("params"),
            QJsonObject { { QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18") },
                { QStringLiteral("capabilities"), QJsonObject() },
                { QStringLiteral("clientInfo"),
                    QJsonObject { { QStringLiteral("name"), QStringLiteral("fault") },
                        { QStringLiteral("version"), QStringLiteral("1") } } } } } };
    const auto r = exchange(port, mcpPost(port, init, {}));
    if (!r || r->status != 200)
        return {};
    const QByteArray session = r->header("mcp-session-id");
    exchange(port, mcpPost(port,
                       QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
                           { QStringLiteral("method"), QStringLiteral("notifications/initialized") } },
                       session));
    const auto list = exchange(port,
        mcpPost(port,
            QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") }, { QStringLiteral("id"), 2 },
                { QStringLiteral("method"), QStringLiteral("tools/call") },
                { QStringLiteral("params"),
                    QJsonObject { { QStringLiteral("name"), QStringLiteral("list_news_sources") },
                        { QStringLiteral("arguments"), QJsonObject() } } } },
            session));
    exchange(port,
        "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nMcp-Session-Id: " + session
            + "\r\nMCP-Protocol-Version: 2025-06-18\r\n\r\n");
    if (!list)
        return {};
    QJsonObject answer = list->json();
    if (list->header("content-type").startsWith("text/event-stream")) {
        const auto sse = tw::test::parseSse(list->body);
        if (sse.events.isEmpty())
            return {};
        answer = QJsonDocument::fromJson(sse.events.constLast().data).object();
    }
    const QJsonArray sources = answer.value(QLatin1String("result"))
                                   .toObject()
                                   .value(QLatin1String("structuredContent"))
                                   .toObject()
                                   .value(QLatin1String("sources"))
                                   .toArray();
    for (const QJsonValue &s : sources)
        if (s.toObject().value(QLatin1String("id")).toString() == QLatin1String("rss"))
            return s.toObject();
    return {};
}

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

// Ids of the news items a `tickerwire-cli --json stream` printed so far.
QStringList itemIds(const QByteArray &out)
{
    QStringList ids;
    const QList<QByteArray> lines = out.split('\n');
    for (const QByteArray &line : lines) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.contains(QLatin1String("id")) && o.contains(QLatin1String("headline")))
            ids.append(o.value(QLatin1String("id")).toString());
    }
    return ids;
}

} // namespace

class tst_FaultInjection : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void faultyProviderDoesNotStallTheServer_data();
    void faultyProviderDoesNotStallTheServer();
    void bridgeClientGoneMidStreamIsFreed();
    void cliKilledMidStreamIsFreed();
    void cliResumesAcrossServerRestart();
    void unusableConfigurationIsNamed_data();
    void unusableConfigurationIsNamed();
};

void tst_FaultInjection::initTestCase()
{
    QVERIFY2(QFile::exists(TestServerProcess::binary()), qPrintable(TestServerProcess::binary()));
    QVERIFY2(QFile::exists(kCliBinary), qPrintable(kCliBinary));
}

void tst_FaultInjection::faultyProviderDoesNotStallTheServer_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("errorMentions");
    QTest::newRow("hangs") << int(FaultyFeed::Mode::Hang) << QStringLiteral("timed out");
    QTest::newRow("500") << int(FaultyFeed::Mode::ServerError) << QStringLiteral("500");
    QTest::newRow("garbage") << int(FaultyFeed::Mode::Garbage) << QString();
    QTest::newRow("endless feed") << int(FaultyFeed::Mode::Endless) << QString();
}

void tst_FaultInjection::faultyProviderDoesNotStallTheServer()
{
    QFETCH(int, mode);
    QFETCH(QString, errorMentions);
    FaultyFeed feed { FaultyFeed::Mode(mode) };
    QVERIFY(feed.listen());
    TestServerProcess server;
    QString error;
    QVERIFY2(server.start({ QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--provider"),
                              QStringLiteral("demo,rss"), QStringLiteral("--rss-url"),
                              QStringLiteral("http://127.0.0.1:%1/feed/{symbol}").arg(feed.port()),
                              QStringLiteral("--demo-rate"), QStringLiteral("20"), QStringLiteral("--rate-limit"),
                              QStringLiteral("0"), QStringLiteral("--stream-rate-limit"), QStringLiteral("0") },
                 &error),
        qPrintable(error));
    const qint64 baseline = server.rssBytes();

    // A client watching TSLA makes the rss provider poll the faulty feed for it.
    TestHttpClient watcher;
    QVERIFY(watcher.connectToServer(QHostAddress::LocalHost, server.port()));
    watcher.write(get(server.port(), "/api/mcp/stream-news?symbol=TSLA&duration=600000&interval=1000",
        "text/event-stream"));
    QVERIFY(watcher.waitForHead(kTimeoutMs));
    QCOMPARE(watcher.current()->status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(feed.requests() >= 1, kTimeoutMs);

    // While the feed misbehaves, the demo provider's items keep reaching the client.
    const auto itemsSoFar = [&watcher] {
        return watcher.current() ? tw::test::parseSse(watcher.current()->body).events.size() : 0;
    };
    const qsizetype before = itemsSoFar();
    QTRY_VERIFY_WITH_TIMEOUT(itemsSoFar() >= before + 3, kTimeoutMs);
    const auto health = exchange(server.port(), get(server.port(), "/healthz"));
    QVERIFY(health);
    QCOMPARE(health->status, 200);

    // The fault is reported where an operator looks (hang: after the 15 s fetch timeout).
    QJsonObject rss;
    QTRY_VERIFY_WITH_TIMEOUT(
        !(rss = rssHealth(server.port())).value(QLatin1String("lastError")).toString().isEmpty(), 45000);
    if (!errorMentions.isEmpty())
        QVERIFY2(rss.value(QLatin1String("lastError")).toString().contains(errorMentions),
            qPrintable(rss.value(QLatin1String("lastError")).toString()));
    if (FaultyFeed::Mode(mode) == FaultyFeed::Mode::Endless) {
        // Cut off at the response size cap, not read into memory without end.
        QTRY_VERIFY_WITH_TIMEOUT(feed.disconnects() >= 1, kTimeoutMs);
        QVERIFY2(feed.bytesSent() < qint64(512) * 1024 * 1024, "the server read the whole endless feed");
        QVERIFY2(server.rssBytes() - baseline < qint64(64) * 1024 * 1024,
            qPrintable(QStringLiteral("RSS %1 -> %2").arg(baseline).arg(server.rssBytes())));
    }
    QVERIFY(itemsSoFar() >= before + 3);
    QVERIFY(server.isRunning());
    watcher.abort();
    QVERIFY(server.terminate());
}

void tst_FaultInjection::bridgeClientGoneMidStreamIsFreed()
{
    TestServerProcess server;
    QString error;
    QVERIFY2(server.start({ QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--demo-rate"),
                              QStringLiteral("50"), QStringLiteral("--stream-rate-limit"), QStringLiteral("0") },
                 &error),
        qPrintable(error));
    for (int round = 0; round < 20; ++round) {
        TestHttpClient c;
        QVERIFY(c.connectToServer(QHostAddress::LocalHost, server.port()));
        c.write(get(server.port(), "/api/mcp/stream-news?symbol=TSLA,AAPL&duration=600000&interval=1000",
            "text/event-stream"));
        QVERIFY(c.waitForBodyContains("id: ", kTimeoutMs));
        c.abort(); // RST, mid-stream
    }
    QTRY_COMPARE_WITH_TIMEOUT(metric(server.port(), "tickerwire_http_streams_open"), 0.0, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(metric(server.port(), "tickerwire_news_subscriptions"), 0.0, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(metric(server.port(), "tickerwire_http_connections_open") <= 1.0, kTimeoutMs);
    QVERIFY(server.terminate());
}

void tst_FaultInjection::cliKilledMidStreamIsFreed()
{
    TestServerProcess server;
    QString error;
    QVERIFY2(server.start({ QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--demo-rate"),
                              QStringLiteral("50"), QStringLiteral("--request-grace"), QStringLiteral("500") },
                 &error),
        qPrintable(error));
    QProcess cli;
    cli.start(kCliBinary,
        { QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:%1/mcp").arg(server.port()),
            QStringLiteral("--json"), QStringLiteral("stream"), QStringLiteral("TSLA"), QStringLiteral("--duration"),
            QStringLiteral("600000") });
    QVERIFY(cli.waitForStarted(kTimeoutMs));
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += cli.readAllStandardOutput(), itemIds(out).size() >= 3), kTimeoutMs);
    QCOMPARE(metric(server.port(), "tickerwire_mcp_requests_in_flight"), 1.0);
    cli.kill(); // no cancel, no DELETE: the socket just goes away
    QVERIFY(cli.waitForFinished(kTimeoutMs));
    // The stream is freed at once; the request after its grace period, with its subscription.
    QTRY_COMPARE_WITH_TIMEOUT(metric(server.port(), "tickerwire_http_streams_open"), 0.0, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(metric(server.port(), "tickerwire_mcp_requests_in_flight"), 0.0, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(metric(server.port(), "tickerwire_news_subscriptions"), 0.0, kTimeoutMs);
    QVERIFY(metric(server.port(), "tickerwire_mcp_requests_expired_total") >= 1.0);
    QVERIFY(server.terminate());
}

void tst_FaultInjection::cliResumesAcrossServerRestart()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    const QStringList args { QStringLiteral("--port"), QString::number(port), QStringLiteral("--demo-rate"),
        QStringLiteral("20"), QStringLiteral("--demo-seed"), QStringLiteral("7") };
    auto server = std::make_unique<TestServerProcess>();
    QString error;
    QVERIFY2(server->start(args, &error), qPrintable(error));

    QProcess cli;
    cli.start(kCliBinary,
        { QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:%1/mcp").arg(port), QStringLiteral("--json"),
            QStringLiteral("stream"), QStringLiteral("TSLA"), QStringLiteral("--duration"),
            QStringLiteral("600000"), QStringLiteral("--interval"), QStringLiteral("1000") });
    QVERIFY(cli.waitForStarted(kTimeoutMs));
    QByteArray out;
    QByteArray err;
    auto drain = [&] {
        out += cli.readAllStandardOutput();
        err += cli.readAllStandardError();
    };
    QTRY_VERIFY_WITH_TIMEOUT((drain(), itemIds(out).size() >= 5), kTimeoutMs);

    server->kill(); // a crash: no stream end, no goodbye
    server.reset();
    QTest::qWait(1000);
    QVERIFY2(cli.state() == QProcess::Running, (drain(), err.constData()));
    server = std::make_unique<TestServerProcess>();
    // Same seed: the restarted feed repeats the items the CLI has already shown.
    QVERIFY2(server->start(args, &error), qPrintable(error));
    const int beforeRestart = int(itemIds(out).size());
    QTRY_VERIFY2_WITH_TIMEOUT((drain(), itemIds(out).size() >= beforeRestart + 5),
        qPrintable(QStringLiteral("no new items after the restart; cli stderr:\n") + QString::fromUtf8(err)),
        60000);
    const QStringList ids = itemIds(out);
    QCOMPARE(QSet<QString>(ids.cbegin(), ids.cend()).size(), ids.size()); // nothing shown twice
    QVERIFY(cli.state() == QProcess::Running);
    cli.terminate(); // SIGTERM, as Ctrl-C would
    QVERIFY(cli.waitForFinished(kTimeoutMs));
    QVERIFY(server->terminate());
}

void tst_FaultInjection::unusableConfigurationIsNamed_data()
{
    QTest::addColumn<QString>("what");
    QTest::newRow("config file missing") << QStringLiteral("missing");
    QTest::newRow("config file is a directory") << QStringLiteral("directory");
    QTest::newRow("config file with a bad value") << QStringLiteral("badvalue");
    QTest::newRow("API key file missing") << QStringLiteral("keyfile");
}

void tst_FaultInjection::unusableConfigurationIsNamed()
{
    // The server writes no settings of its own (only stderr), so a full or read-only disk
    // cannot hurt it while running; what it must survive is configuration it cannot read:
    // it refuses to start and names the file and the problem.
    QFETCH(QString, what);
    QTemporaryDir dir;
    QStringList args { QStringLiteral("--port"), QStringLiteral("0") };
    QString named;
    if (what == QLatin1String("missing")) {
        named = dir.filePath(QStringLiteral("nope.ini"));
        args << QStringLiteral("--config") << named;
    } else if (what == QLatin1String("directory")) {
        named = dir.path();
        args << QStringLiteral("--config") << named;
    } else if (what == QLatin1String("badvalue")) {
        named = dir.filePath(QStringLiteral("bad.ini"));
        QFile f(named);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[limits]\nmaxConnections=lots\n");
        f.close();
        args << QStringLiteral("--config") << named;
        named = QStringLiteral("limits/maxConnections");
    } else {
        named = dir.filePath(QStringLiteral("keys.txt"));
        args << QStringLiteral("--api-key-file") << named;
    }
    QProcess server;
    server.start(TestServerProcess::binary(), args);
    QVERIFY(server.waitForFinished(kTimeoutMs));
    QVERIFY(server.exitCode() != 0);
    const QString stderrText = QString::fromUtf8(server.readAllStandardError());
    QVERIFY2(stderrText.contains(named), qPrintable(stderrText));
    QVERIFY2(!server.readAllStandardOutput().contains("listening"), "started anyway");
}

QTEST_GUILESS_MAIN(tst_FaultInjection)
#include "tst_faultinjection.moc"
