// tickerwire-cli as a user runs it: a real tickerwire-server (demo feed, port 0) started with
// QProcess, the CLI run against it with QProcess; output, exit codes, Ctrl-C and --stdio.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>

#include <csignal>

namespace {
const QString kServerBinary = QStringLiteral(TW_BINARY_DIR "/app/server/tickerwire-server");
const QString kCliBinary = QStringLiteral(TW_BINARY_DIR "/app/cli/tickerwire-cli");
constexpr int kWaitMs = 30000;

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};
} // namespace

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void toolsListsTheMarketTools();
    void callPrintsTheRawResultAsJson();
    void newsPrintsColumns();
    void streamPrintsItemsAsJson();
    void sigintCancelsTheStream();
    void connectionRefusedExits3();
    void wrongApiKeyExits4WithoutLeakingIt();
    void unknownToolExits5();
    void rateLimitedExits6();
    void badJsonArgumentExits2();
    void unknownCommandExits2();
    void stdioTransportWorks();

private:
    bool startServer(QProcess *server, const QStringList &extra, QString *url);
    Run runCli(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    QByteArray metrics();

    QProcess m_server;
    QString m_base; // http://127.0.0.1:PORT
};

bool TestCli::startServer(QProcess *server, const QStringList &extra, QString *url)
{
    server->setProgram(kServerBinary);
    server->setArguments(QStringList { QStringLiteral("--port"), QStringLiteral("0"),
                             QStringLiteral("--demo-rate"), QStringLiteral("200"),
                             QStringLiteral("--demo-seed"), QStringLiteral("1") }
        + (extra.contains(QStringLiteral("--rate-limit"))
                ? QStringList()
                : QStringList { QStringLiteral("--rate-limit"), QStringLiteral("0"),
                    QStringLiteral("--stream-rate-limit"), QStringLiteral("0") })
        + extra);
    server->setProcessChannelMode(QProcess::SeparateChannels);
    server->setStandardErrorFile(QProcess::nullDevice()); // its log must not fill a pipe
    server->start();
    if (!server->waitForStarted(kWaitMs))
        return false;
    const QRegularExpression re(QStringLiteral("listening on (http://\\S+)"));
    QByteArray out;
    while (server->waitForReadyRead(kWaitMs)) {
        out += server->readAllStandardOutput();
        const QRegularExpressionMatch m = re.match(QString::fromUtf8(out));
        if (m.hasMatch()) {
            *url = m.captured(1);
            return true;
        }
    }
    return false;
}

Run TestCli::runCli(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess cli;
    cli.setProcessEnvironment(env);
    cli.start(kCliBinary, args);
    Run r;
    if (!cli.waitForStarted(kWaitMs) || !cli.waitForFinished(kWaitMs)) {
        qWarning("cli %s: no exit: %s", qPrintable(args.join(QLatin1Char(' '))), cli.readAllStandardError().constData());
        cli.kill();
        cli.waitForFinished();
        return r;
    }
    r.exitCode = cli.exitStatus() == QProcess::NormalExit ? cli.exitCode() : -2;
    r.out = cli.readAllStandardOutput();
    r.err = cli.readAllStandardError();
    if (r.exitCode != 0)
        qWarning("cli %s: exit %d: %s", qPrintable(args.join(QLatin1Char(' '))), r.exitCode, r.err.constData());
    return r;
}

QByteArray TestCli::metrics()
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(m_base + QStringLiteral("/metrics"))));
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, kWaitMs))
        return {};
    const QByteArray body = reply->readAll();
    delete reply;
    return body;
}

void TestCli::initTestCase()
{
    QVERIFY2(QFile::exists(kCliBinary), qPrintable(kCliBinary));
    QVERIFY(startServer(&m_server, {}, &m_base));
    // The demo feed needs a moment to fill the hub: wait until TSLA has 3 items.
    QTRY_VERIFY_WITH_TIMEOUT(
        runCli({ QStringLiteral("--url"), m_base + QStringLiteral("/mcp"), QStringLiteral("news"),
                   QStringLiteral("TSLA"), QStringLiteral("--limit"), QStringLiteral("3"),
                   QStringLiteral("--json") })
                .out.count('\n')
            == 3,
        kWaitMs);
}

void TestCli::cleanupTestCase()
{
    m_server.terminate();
    m_server.waitForFinished(kWaitMs);
}

void TestCli::toolsListsTheMarketTools()
{
    const Run r = runCli({ QStringLiteral("--url"), m_base + QStringLiteral("/mcp"), QStringLiteral("tools") });
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("get_market_news"), r.out.constData());
    QVERIFY2(r.out.contains("stream_market_news"), r.out.constData());
}

void TestCli::callPrintsTheRawResultAsJson()
{
    const Run r = runCli({ QStringLiteral("--url"), m_base + QStringLiteral("/mcp"), QStringLiteral("call"),
        QStringLiteral("get_market_news"), QStringLiteral(R"({"symbol":"TSLA","limit":3})"),
        QStringLiteral("--json") });
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count('\n'), 1);
    const QJsonObject result = QJsonDocument::fromJson(r.out).object();
    const QJsonArray items
        = result.value(QStringLiteral("structuredContent")).toObject().value(QStringLiteral("items")).toArray();
    QCOMPARE(items.size(), 3);
}

void TestCli::newsPrintsColumns()
{
    const Run r = runCli({ QStringLiteral("--url"), m_base + QStringLiteral("/mcp"), QStringLiteral("news"),
        QStringLiteral("TSLA") });
    QCOMPARE(r.exitCode, 0);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QVERIFY(!lines.isEmpty());
    const QRegularExpression row(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d  \\S*TSLA\\S* +\\S.*  \\S"));
    for (const QByteArray &line : lines)
        QVERIFY2(row.match(QString::fromUtf8(line)).hasMatch(), line.constData());
    // Aligned: the headline column starts at the same offset on every line.
    const qsizetype headlineAt = lines.first().indexOf("  ", 10);
    for (const QByteArray &line : lines)
        QCOMPARE(line.indexOf("  ", 10), headlineAt);
}

void TestCli::streamPrintsItemsAsJson()
{
    const Run r = runCli({ QStringLiteral("--url"), m_base + QStringLiteral("/mcp"), QStringLiteral("stream"),
        QStringLiteral("TSLA"), QStringLiteral("--duration"), QStringLiteral("2000"), QStringLiteral("--json") });
    QCOMPARE(r.exitCode, 0);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QVERIFY2(!r.out.trimmed().isEmpty(), r.err.constData());
    for (const QByteArray &line : lines) {
        const QJsonObject item = QJsonDocument::fromJson(line).object();
        QVERIFY2(item.value(QStringLiteral("symbols")).toArray().contains(QStringLiteral("TSLA")), line.constData());
    }
}

void TestCli::sigintCancelsTheStream()
{
    QProcess cli;
    cli.start(kCliBinary, { QStringLiteral("--url"), m_base + QStringLiteral("/mcp"), QStringLiteral("stream"),
                              QStringLiteral("TSLA"), QStringLiteral("--json") });
    QVERIFY(cli.waitForStarted(kWaitMs));
    // Wait for the first item: the stream is running on the server.
    QTRY_VERIFY_WITH_TIMEOUT(cli.bytesAvailable() > 0 || cli.canReadLine(), kWaitMs);
    ::kill(pid_t(cli.processId()), SIGINT);
    QVERIFY(cli.waitForFinished(kWaitMs));
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 130);
    QTRY_VERIFY_WITH_TIMEOUT(
        QRegularExpression(QStringLiteral("(?m)^tickerwire_mcp_requests_cancelled_total(\\{[^}]*\\})? [1-9]"))
            .match(QString::fromUtf8(metrics()))
            .hasMatch(),
        kWaitMs);
}

void TestCli::connectionRefusedExits3()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close(); // nothing listens there now
    const Run r = runCli({ QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:%1/mcp").arg(port),
        QStringLiteral("tools") });
    QCOMPARE(r.exitCode, 3);
    QVERIFY(!r.err.isEmpty());
}

void TestCli::wrongApiKeyExits4WithoutLeakingIt()
{
    QProcess server;
    QString base;
    QVERIFY(startServer(&server, { QStringLiteral("--api-key"), QStringLiteral("right-key-123456") }, &base));
    const QString wrong = QStringLiteral("wrong-key-SECRET-987");
    const Run r = runCli({ QStringLiteral("--url"), base + QStringLiteral("/mcp"), QStringLiteral("--api-key"),
        wrong, QStringLiteral("tools") });
    QCOMPARE(r.exitCode, 4);
    QVERIFY(!r.err.isEmpty());
    QVERIFY(!r.err.contains(wrong.toUtf8()));
    QVERIFY(!r.out.contains(wrong.toUtf8()));
    // From the environment too; and the right key works.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("MCP_API_KEY"), QStringLiteral("right-key-123456"));
    const Run ok = runCli({ QStringLiteral("--url"), base + QStringLiteral("/mcp"), QStringLiteral("tools") }, env);
    QCOMPARE(ok.exitCode, 0);
    server.terminate();
    QVERIFY(server.waitForFinished(kWaitMs));
}

void TestCli::unknownToolExits5()
{
    const Run r = runCli({ QStringLiteral("--url"), m_base + QStringLiteral("/mcp"), QStringLiteral("call"),
        QStringLiteral("no_such_tool"), QStringLiteral("{}") });
    QCOMPARE(r.exitCode, 5);
    QVERIFY(r.err.contains("no_such_tool"));
}

void TestCli::rateLimitedExits6()
{
    QProcess server;
    QString base;
    QVERIFY(startServer(&server, { QStringLiteral("--rate-limit"), QStringLiteral("1") }, &base));
    Run r;
    QTRY_VERIFY_WITH_TIMEOUT(
        (r = runCli({ QStringLiteral("--url"), base + QStringLiteral("/mcp"), QStringLiteral("tools") })).exitCode == 6,
        kWaitMs);
    QVERIFY2(r.err.contains("retry"), r.err.constData());
    server.terminate();
    QVERIFY(server.waitForFinished(kWaitMs));
}

void TestCli::badJsonArgumentExits2()
{
    const Run r = runCli({ QStringLiteral("--url"), m_base + QStringLiteral("/mcp"), QStringLiteral("call"),
        QStringLiteral("get_market_news"), QStringLiteral("{not json") });
    QCOMPARE(r.exitCode, 2);
    QVERIFY(!r.err.isEmpty());
}

void TestCli::unknownCommandExits2()
{
    QCOMPARE(runCli({ QStringLiteral("frobnicate") }).exitCode, 2);
    QCOMPARE(runCli({ QStringLiteral("--bogus-option"), QStringLiteral("tools") }).exitCode, 2);
}

void TestCli::stdioTransportWorks()
{
    const Run r = runCli({ QStringLiteral("--stdio"), kServerBinary + QStringLiteral(" --stdio"), QStringLiteral("tools") });
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("get_market_news"), r.err.constData());
}

QTEST_MAIN(TestCli)
#include "tst_cli.moc"
