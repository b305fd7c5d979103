// The real tickerwire-server executable, run with QProcess the way an operator runs it: what
// it prints, how it exits, which settings (options, environment, INI file) it honours and in
// which order, and what it refuses. Every run has debug logging on, and cleanup() checks that
// no API key passed to the server ever shows up in its output.
#include "serverconfig.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <csignal>
#include <QTest>

#include <memory>

#include <signal.h>

namespace {

constexpr int kTimeoutMs = 30000;
const QString kServerBinary = QStringLiteral(TW_BINARY_DIR "/app/server/tickerwire-server");

const QByteArray kKeyA = QByteArrayLiteral("tw-proc-key-alpha-6b2d90e4f1");
const QByteArray kKeyB = QByteArrayLiteral("tw-proc-key-bravo-c37a5e18d0");
const QByteArray kKeyC = QByteArrayLiteral("tw-proc-key-charlie-09f4b6a2e7");
const QByteArray kWrongKey = QByteArrayLiteral("tw-proc-wrong-key-delta-55aa11");
const QByteArray kFileKeyA
    = QByteArrayLiteral("tw-file-key-alpha-5d1e2c7b9a"); // tests/data/apikeys.txt

using Headers = QList<QPair<QByteArray, QByteArray>>;

struct Reply {
    bool complete = false;
    int status = 0;
    Headers headers; // lower-case names
    QByteArray body;

    QByteArray header(const QByteArray &lowerName) const
    {
        for (const auto &h : headers) {
            if (h.first == lowerName)
                return h.second;
        }
        return {};
    }
    QString describe() const
    {
        return QStringLiteral("status %1, body %2")
            .arg(status)
            .arg(QString::fromUtf8(body.left(500)));
    }
};

// The environment of a test run: this process's, without any setting the server reads (a
// developer's MCP_API_KEYS or NODE_ENV must not change what the test sees), with debug logging on.
QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const tw::server::SettingSpec &spec : tw::server::settingSpecs()) {
        for (const QString &var : spec.env)
            env.remove(var);
    }
    env.remove(QStringLiteral("TICKERWIRE_CONFIG"));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("tickerwire.*.debug=true"));
    return env;
}

} // namespace

class tst_ServerProcess : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void printsOneListeningLineAndServes();
    void signalEndsCleanly_data();
    void signalEndsCleanly();
    void productionWithoutKeysRefuses_data();
    void productionWithoutKeysRefuses();
    void nodeEnvOtherThanProductionIsIgnored();
    void nonLoopbackWithoutKeysRefuses();
    void insecureNoAuthStartsOpen();
    void apiKeyInProductionStarts();
    void apiKeysFromEnvironment();
    void commandLineKeysReplaceEnvironmentKeys();
    void apiKeyFile();
    void configFileAndPrecedence();
    void invalidValuesExitWithUsageError_data();
    void invalidValuesExitWithUsageError();
    void helpListsEveryOption();
    void versionPrintsVersion();
    void stdioSpeaksMcpAndExitsOnEof();
    void stdioSurvivesGarbageAndSignals();

private:
    // Starts the server with `args` (plus --port 0 unless a port is given elsewhere) and waits
    // for its "listening on" line. Returns the process, or null if it did not get there.
    std::unique_ptr<QProcess> startServer(
        const QStringList &args, const QProcessEnvironment &env = cleanEnvironment());
    // Runs the server to completion (for runs that must refuse to start, --help, ...).
    bool runToEnd(QProcess &process, const QStringList &args,
        const QProcessEnvironment &env = cleanEnvironment());
    // Sends SIGTERM, waits for the exit and records the remaining output.
    bool stopServer(QProcess &process);
    Reply get(quint16 port, const QString &path, const Headers &headers = {});
    void collectOutput(QProcess &process);
    QByteArray secret(const QByteArray &key)
    {
        m_secrets.insert(key);
        return key;
    }

    std::unique_ptr<QNetworkAccessManager> m_nam;
    QSet<QByteArray> m_secrets;
    QByteArray m_stdout; // everything the runs of the current test printed
    QByteArray m_stderr;
    quint16 m_port = 0; // of the last server started
};

void tst_ServerProcess::initTestCase()
{
    QVERIFY2(QFileInfo(kServerBinary).isExecutable(), qPrintable(kServerBinary));
}

void tst_ServerProcess::init()
{
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_secrets = { kKeyA, kKeyB, kKeyC, kWrongKey, kFileKeyA };
    m_stdout.clear();
    m_stderr.clear();
    m_port = 0;
}

void tst_ServerProcess::cleanup()
{
    m_nam.reset();
    // Whatever the server logs, at whatever level, it never writes a key.
    for (const QByteArray &key : std::as_const(m_secrets)) {
        QVERIFY2(!m_stderr.contains(key),
            qPrintable(
                QStringLiteral("stderr contains the key %1:\n%2")
                    .arg(QString::fromLatin1(key), QString::fromUtf8(m_stderr.right(4000)))));
        QVERIFY2(!m_stdout.contains(key),
            qPrintable(QStringLiteral("stdout contains the key %1").arg(QString::fromLatin1(key))));
    }
}

void tst_ServerProcess::collectOutput(QProcess &process)
{
    m_stdout += process.readAllStandardOutput();
    m_stderr += process.readAllStandardError();
}

std::unique_ptr<QProcess> tst_ServerProcess::startServer(
    const QStringList &args, const QProcessEnvironment &env)
{
    auto process = std::make_unique<QProcess>();
    process->setProcessEnvironment(env);
    process->setProgram(kServerBinary);
    process->setArguments(args);
    process->start();
    if (!process->waitForStarted(kTimeoutMs)) {
        qWarning("could not start %s: %s", qPrintable(kServerBinary),
            qPrintable(process->errorString()));
        return nullptr;
    }
    while (!process->canReadLine() && process->state() == QProcess::Running)
        process->waitForReadyRead(kTimeoutMs);
    if (!process->canReadLine()) {
        process->kill();
        process->waitForFinished(kTimeoutMs);
        collectOutput(*process);
        qWarning("the server did not print its address; stderr:\n%s", m_stderr.constData());
        return nullptr;
    }
    const QByteArray line = process->readLine();
    m_stdout += line;
    static const QRegularExpression listening(
        QStringLiteral("^tickerwire-server listening on http://[^:]+:(\\d+)\n$"));
    const QRegularExpressionMatch match = listening.match(QString::fromUtf8(line));
    if (!match.hasMatch()) {
        qWarning("unexpected first line: %s", line.constData());
        process->kill();
        process->waitForFinished(kTimeoutMs);
        return nullptr;
    }
    m_port = quint16(match.captured(1).toUInt());
    return process;
}

bool tst_ServerProcess::runToEnd(
    QProcess &process, const QStringList &args, const QProcessEnvironment &env)
{
    process.setProcessEnvironment(env);
    process.start(kServerBinary, args);
    const bool finished = process.waitForFinished(kTimeoutMs);
    if (!finished) {
        process.kill();
        process.waitForFinished(kTimeoutMs);
    }
    collectOutput(process);
    return finished;
}

bool tst_ServerProcess::stopServer(QProcess &process)
{
    process.terminate(); // SIGTERM
    const bool finished = process.waitForFinished(kTimeoutMs);
    if (!finished) {
        process.kill();
        process.waitForFinished(kTimeoutMs);
    }
    collectOutput(process);
    return finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

Reply tst_ServerProcess::get(quint16 port, const QString &path, const Headers &headers)
{
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)));
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    QNetworkReply *reply = m_nam->get(request);
    Reply out;
    out.complete = QTest::qWaitFor([reply] { return reply->isFinished(); }, kTimeoutMs);
    if (out.complete) {
        out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        for (const auto &h : reply->rawHeaderPairs())
            out.headers.append({ h.first.toLower(), h.second });
        out.body = reply->readAll();
    }
    reply->abort();
    reply->deleteLater();
    return out;
}

void tst_ServerProcess::printsOneListeningLineAndServes()
{
    const auto server = startServer({ QStringLiteral("--port"), QStringLiteral("0") });
    QVERIFY(server);
    QVERIFY(m_port != 0);
    QCOMPARE(m_stdout,
        QByteArray("tickerwire-server listening on http://127.0.0.1:" + QByteArray::number(m_port)
            + '\n'));

    const Reply health = get(m_port, QStringLiteral("/healthz"));
    QVERIFY2(health.complete && health.status == 200, qPrintable(health.describe()));
    const QJsonObject body = QJsonDocument::fromJson(health.body).object();
    QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(body.value(QStringLiteral("version")).toString(), QStringLiteral(TW_VERSION_STRING));

    QVERIFY(stopServer(*server));
    // Logs go to stderr; stdout carries that one line only, for scripts to parse.
    QCOMPARE(m_stdout,
        QByteArray("tickerwire-server listening on http://127.0.0.1:" + QByteArray::number(m_port)
            + '\n'));
    QVERIFY2(m_stderr.contains("listening on"), m_stderr.constData());
}

void tst_ServerProcess::signalEndsCleanly_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void tst_ServerProcess::signalEndsCleanly()
{
    QFETCH(int, signalNumber);
    const auto server = startServer({ QStringLiteral("--port"), QStringLiteral("0") });
    QVERIFY(server);

    // An idle keep-alive connection: one request answered, the connection left open.
    QTcpSocket client;
    client.connectToHost(QHostAddress(QHostAddress::LocalHost), m_port);
    QVERIFY(client.waitForConnected(kTimeoutMs));
    client.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray response;
    while (!response.contains("\"status\":\"ok\"") && client.waitForReadyRead(kTimeoutMs))
        response += client.readAll();
    QVERIFY2(response.startsWith("HTTP/1.1 200"), response.constData());
    QVERIFY(!response.contains("Connection: close"));
    QCOMPARE(client.state(), QAbstractSocket::ConnectedState);

    QCOMPARE(::kill(pid_t(server->processId()), signalNumber), 0);
    // The server closes the connection and exits with 0, not killed by the signal.
    QVERIFY(client.state() == QAbstractSocket::UnconnectedState
        || client.waitForDisconnected(kTimeoutMs));
    QVERIFY(server->waitForFinished(kTimeoutMs));
    collectOutput(*server);
    QCOMPARE(server->exitStatus(), QProcess::NormalExit);
    QCOMPARE(server->exitCode(), 0);
    QVERIFY2(m_stderr.contains("shutting down"), m_stderr.constData());
}

void tst_ServerProcess::productionWithoutKeysRefuses_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("envName");
    QTest::addColumn<QString>("envValue");

    QTest::newRow("--mode production")
        << QStringList { QStringLiteral("--mode"), QStringLiteral("production") } << QString()
        << QString();
    QTest::newRow("NODE_ENV=production")
        << QStringList {} << QStringLiteral("NODE_ENV") << QStringLiteral("production");
    QTest::newRow("TICKERWIRE_MODE=production")
        << QStringList {} << QStringLiteral("TICKERWIRE_MODE") << QStringLiteral("production");
    QTest::newRow("empty MCP_API_KEYS")
        << QStringList { QStringLiteral("--mode"), QStringLiteral("production") }
        << QStringLiteral("MCP_API_KEYS") << QStringLiteral(" , ");
    QTest::newRow("production and --insecure-no-auth") << QStringList { QStringLiteral("--mode"),
        QStringLiteral("production"), QStringLiteral("--insecure-no-auth") }
                                                       << QString() << QString();
}

void tst_ServerProcess::productionWithoutKeysRefuses()
{
    QFETCH(QStringList, args);
    QFETCH(QString, envName);
    QFETCH(QString, envValue);
    QProcessEnvironment env = cleanEnvironment();
    if (!envName.isEmpty())
        env.insert(envName, envValue);

    QProcess process;
    QVERIFY(runToEnd(
        process, args + QStringList { QStringLiteral("--port"), QStringLiteral("0") }, env));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY(process.exitCode() != 0);
    QVERIFY2(m_stdout.isEmpty(), m_stdout.constData());
    QVERIFY2(m_stderr.contains("production mode requires API keys"), m_stderr.constData());
    QVERIFY2(m_stderr.contains("MCP_API_KEYS"), m_stderr.constData());
}

void tst_ServerProcess::nodeEnvOtherThanProductionIsIgnored()
{
    // The seed's users run NODE_ENV=development or test: a loopback server without keys.
    QProcessEnvironment env = cleanEnvironment();
    env.insert(QStringLiteral("NODE_ENV"), QStringLiteral("test"));
    const auto server = startServer({ QStringLiteral("--port"), QStringLiteral("0") }, env);
    QVERIFY(server);
    const Reply metrics = get(m_port, QStringLiteral("/metrics"));
    QVERIFY2(metrics.complete && metrics.status == 200, qPrintable(metrics.describe()));
    QVERIFY(metrics.body.contains("tickerwire_auth_required 0\n"));
    QVERIFY(stopServer(*server));
}

void tst_ServerProcess::nonLoopbackWithoutKeysRefuses()
{
    QProcess process;
    QVERIFY(runToEnd(process,
        { QStringLiteral("--host"), QStringLiteral("0.0.0.0"), QStringLiteral("--port"),
            QStringLiteral("0") }));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY(process.exitCode() != 0);
    QVERIFY2(m_stdout.isEmpty(), m_stdout.constData());
    QVERIFY2(m_stderr.contains("--insecure-no-auth"), m_stderr.constData());
    QVERIFY2(m_stderr.contains("0.0.0.0"), m_stderr.constData());
}

void tst_ServerProcess::insecureNoAuthStartsOpen()
{
    const auto server = startServer({ QStringLiteral("--host"), QStringLiteral("0.0.0.0"),
        QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--insecure-no-auth") });
    QVERIFY(server);
    QVERIFY2(m_stdout.startsWith("tickerwire-server listening on http://0.0.0.0:"),
        m_stdout.constData());
    const Reply metrics = get(m_port, QStringLiteral("/metrics"));
    QVERIFY2(metrics.complete && metrics.status == 200, qPrintable(metrics.describe()));
    QVERIFY(stopServer(*server));
    // The operator is told, loudly.
    QVERIFY2(m_stderr.contains("INSECURE"), m_stderr.constData());
    QVERIFY2(m_stderr.contains("WITHOUT authentication"), m_stderr.constData());
}

void tst_ServerProcess::apiKeyInProductionStarts()
{
    const auto server = startServer(
        { QStringLiteral("--api-key"), QString::fromLatin1(kKeyA), QStringLiteral("--mode"),
            QStringLiteral("production"), QStringLiteral("--port"), QStringLiteral("0") });
    QVERIFY(server);
    QCOMPARE(get(m_port, QStringLiteral("/metrics")).status, 401);
    QCOMPARE(get(m_port, QStringLiteral("/metrics"), { { "X-API-Key", kWrongKey } }).status, 401);
    const Reply keyed = get(m_port, QStringLiteral("/metrics"), { { "X-API-Key", kKeyA } });
    QVERIFY2(keyed.complete && keyed.status == 200, qPrintable(keyed.describe()));
    QVERIFY(keyed.body.contains("tickerwire_auth_required 1\n"));
    QVERIFY(!keyed.body.contains(kKeyA));
    QVERIFY(stopServer(*server));
    QVERIFY2(m_stderr.contains("mode production"), m_stderr.constData());
    // The debug log of the refusals was written, and names no key.
    QVERIFY2(m_stderr.contains("auth: refused"), m_stderr.constData());
}

void tst_ServerProcess::apiKeysFromEnvironment()
{
    QProcessEnvironment env = cleanEnvironment();
    env.insert(
        QStringLiteral("MCP_API_KEYS"), QString::fromLatin1(QByteArray(kKeyA + ", " + kKeyB)));
    const auto server = startServer({ QStringLiteral("--port"), QStringLiteral("0") }, env);
    QVERIFY(server);
    QCOMPARE(get(m_port, QStringLiteral("/metrics"), { { "X-API-Key", kKeyA } }).status, 200);
    QCOMPARE(
        get(m_port, QStringLiteral("/metrics"), { { "Authorization", "Bearer " + kKeyB } }).status,
        200);
    QCOMPARE(
        get(m_port, QStringLiteral("/metrics"), { { "X-API-Key", kKeyA + ", " + kKeyB } }).status,
        401);
    QCOMPARE(get(m_port, QStringLiteral("/metrics")).status, 401);
    QVERIFY(stopServer(*server));
}

void tst_ServerProcess::commandLineKeysReplaceEnvironmentKeys()
{
    // Settings from the command line take precedence over the environment: for the key list
    // that means replacing it, so an operator can rotate keys without editing the environment.
    QProcessEnvironment env = cleanEnvironment();
    env.insert(QStringLiteral("MCP_API_KEYS"), QString::fromLatin1(kKeyA));
    const auto server = startServer({ QStringLiteral("--api-key"), QString::fromLatin1(kKeyC),
                                        QStringLiteral("--port"), QStringLiteral("0") },
        env);
    QVERIFY(server);
    QCOMPARE(get(m_port, QStringLiteral("/metrics"), { { "X-API-Key", kKeyC } }).status, 200);
    QCOMPARE(get(m_port, QStringLiteral("/metrics"), { { "X-API-Key", kKeyA } }).status, 401);
    QVERIFY(stopServer(*server));
}

void tst_ServerProcess::apiKeyFile()
{
    const auto server = startServer({ QStringLiteral("--api-key-file"),
        QStringLiteral(TW_TEST_DATA_DIR "/apikeys.txt"), QStringLiteral("--mode"),
        QStringLiteral("production"), QStringLiteral("--port"), QStringLiteral("0") });
    QVERIFY(server);
    QCOMPARE(get(m_port, QStringLiteral("/metrics"), { { "X-API-Key", kFileKeyA } }).status, 200);
    QCOMPARE(get(m_port, QStringLiteral("/metrics"), { { "X-API-Key", kWrongKey } }).status, 401);
    QVERIFY(stopServer(*server));

    // A key file that is not there stops the start, naming the file.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath(QStringLiteral("missing-keys.txt"));
    QProcess process;
    QVERIFY(runToEnd(process,
        { QStringLiteral("--api-key-file"), missing, QStringLiteral("--port"),
            QStringLiteral("0") }));
    QVERIFY(process.exitCode() != 0);
    QVERIFY2(m_stderr.contains(missing.toUtf8()), m_stderr.constData());
}

void tst_ServerProcess::configFileAndPrecedence()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("tickerwire.ini"));
    {
        QFile ini(path);
        QVERIFY(ini.open(QIODevice::WriteOnly));
        ini.write("[server]\nport=0\nmode=production\n\n[security]\napiKeys=" + kKeyA + ", " + kKeyB
            + "\nrequestsPerMinute=7\n");
    }

    struct Run {
        QStringList args;
        QString envName;
        QString envValue;
        QByteArray expectedLimit;
    };
    const Run runs[] = {
        // The file alone (production mode with the file's keys).
        { { QStringLiteral("--config"), path }, {}, {}, QByteArrayLiteral("7") },
        // The environment beats the file (here the file comes from TICKERWIRE_CONFIG).
        { {}, QStringLiteral("TICKERWIRE_RATE_LIMIT"), QStringLiteral("5"),
            QByteArrayLiteral("5") },
        // The command line beats both.
        { { QStringLiteral("--rate-limit"), QStringLiteral("3") },
            QStringLiteral("TICKERWIRE_RATE_LIMIT"), QStringLiteral("5"), QByteArrayLiteral("3") },
    };
    for (const Run &run : runs) {
        QProcessEnvironment env = cleanEnvironment();
        if (!run.args.contains(QStringLiteral("--config")))
            env.insert(QStringLiteral("TICKERWIRE_CONFIG"), path);
        if (!run.envName.isEmpty())
            env.insert(run.envName, run.envValue);
        const auto server = startServer(run.args, env);
        QVERIFY(server);
        QVERIFY(m_port != 0);
        QCOMPARE(get(m_port, QStringLiteral("/metrics")).status, 401);
        for (const QByteArray &key : { kKeyA, kKeyB }) {
            const Reply reply = get(m_port, QStringLiteral("/metrics"), { { "X-API-Key", key } });
            QVERIFY2(reply.complete && reply.status == 200, qPrintable(reply.describe()));
            QCOMPARE(reply.header("ratelimit-limit"), run.expectedLimit);
        }
        QVERIFY(stopServer(*server));
    }
}

void tst_ServerProcess::invalidValuesExitWithUsageError_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("envName");
    QTest::addColumn<QString>("envValue");
    QTest::addColumn<QByteArray>("named"); // what the message must name

    QTest::newRow("--port abc") << QStringList { QStringLiteral("--port"), QStringLiteral("abc") }
                                << QString() << QString() << QByteArrayLiteral("--port");
    QTest::newRow("--port 70000") << QStringList { QStringLiteral("--port"),
        QStringLiteral("70000") } << QString()
                                  << QString() << QByteArrayLiteral("--port");
    QTest::newRow("TICKERWIRE_PORT=99999")
        << QStringList {} << QStringLiteral("TICKERWIRE_PORT") << QStringLiteral("99999")
        << QByteArrayLiteral("TICKERWIRE_PORT");
    QTest::newRow("--rate-limit -1")
        << QStringList { QStringLiteral("--rate-limit"), QStringLiteral("-1") } << QString()
        << QString() << QByteArrayLiteral("--rate-limit");
    QTest::newRow("--mode staging")
        << QStringList { QStringLiteral("--mode"), QStringLiteral("staging") } << QString()
        << QString() << QByteArrayLiteral("--mode");
    QTest::newRow("NODE_ENV is only read for production")
        << QStringList { QStringLiteral("--max-body-bytes"), QStringLiteral("lots") }
        << QStringLiteral("NODE_ENV") << QStringLiteral("staging")
        << QByteArrayLiteral("--max-body-bytes");
    QTest::newRow("--allow-origin without scheme")
        << QStringList { QStringLiteral("--allow-origin"), QStringLiteral("app.example.com") }
        << QString() << QString() << QByteArrayLiteral("--allow-origin");
    QTest::newRow("ALLOWED_ORIGINS without scheme")
        << QStringList {} << QStringLiteral("ALLOWED_ORIGINS")
        << QStringLiteral("http://localhost:5174,evil.example")
        << QByteArrayLiteral("ALLOWED_ORIGINS");
    QTest::newRow("TICKERWIRE_INSECURE_NO_AUTH=maybe")
        << QStringList {} << QStringLiteral("TICKERWIRE_INSECURE_NO_AUTH")
        << QStringLiteral("maybe") << QByteArrayLiteral("TICKERWIRE_INSECURE_NO_AUTH");
    QTest::newRow("--tls-cert without --tls-key")
        << QStringList { QStringLiteral("--tls-cert"), QStringLiteral("/nonexistent/cert.pem") }
        << QString() << QString() << QByteArrayLiteral("--tls-key");
    QTest::newRow("missing --config file")
        << QStringList { QStringLiteral("--config"), QStringLiteral("/nonexistent/tickerwire.ini") }
        << QString() << QString() << QByteArrayLiteral("/nonexistent/tickerwire.ini");
    QTest::newRow("unknown option")
        << QStringList { QStringLiteral("--no-such-option") } << QString() << QString()
        << QByteArrayLiteral("no-such-option");
    QTest::newRow("option without its value")
        << QStringList { QStringLiteral("--port") } << QString() << QString()
        << QByteArrayLiteral("port");
}

void tst_ServerProcess::invalidValuesExitWithUsageError()
{
    QFETCH(QStringList, args);
    QFETCH(QString, envName);
    QFETCH(QString, envValue);
    QFETCH(QByteArray, named);
    QProcessEnvironment env = cleanEnvironment();
    if (!envName.isEmpty())
        env.insert(envName, envValue);
    // Keys are configured, so only the invalid value can stop the start.
    env.insert(QStringLiteral("MCP_API_KEYS"), QString::fromLatin1(kKeyA));

    QProcess process;
    QVERIFY(runToEnd(process, args, env));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 2);
    QVERIFY2(m_stdout.isEmpty(), m_stdout.constData());
    QVERIFY2(m_stderr.contains(named), m_stderr.constData());
}

void tst_ServerProcess::helpListsEveryOption()
{
    QProcess process;
    QVERIFY(runToEnd(process, { QStringLiteral("--help") }));
    QCOMPARE(process.exitCode(), 0);
    QStringList expected { QStringLiteral("config") };
    for (const tw::server::SettingSpec &spec : tw::server::settingSpecs())
        expected.append(spec.option);
    QVERIFY(expected.size() > 10);
    for (const QString &option : std::as_const(expected)) {
        const QByteArray flag = "--" + option.toLatin1();
        QVERIFY2(
            m_stdout.contains(QByteArray(flag + ' ')) || m_stdout.contains(QByteArray(flag + '\n')),
            qPrintable(QStringLiteral("--help does not list --%1").arg(option)));
    }
    // ... and the environment variable of each (looked for with line wrapping undone).
    QString unwrapped = QString::fromUtf8(m_stdout);
    unwrapped.remove(QRegularExpression(QStringLiteral("\\s+")));
    for (const tw::server::SettingSpec &spec : tw::server::settingSpecs()) {
        for (const QString &var : spec.env) {
            QVERIFY2(unwrapped.contains(var),
                qPrintable(QStringLiteral("--help does not mention %1").arg(var)));
        }
    }
}

void tst_ServerProcess::versionPrintsVersion()
{
    QProcess process;
    QVERIFY(runToEnd(process, { QStringLiteral("--version") }));
    QCOMPARE(process.exitCode(), 0);
    QCOMPARE(m_stdout, QByteArrayLiteral("tickerwire-server " TW_VERSION_STRING "\n"));
}

namespace {
// Reads one newline-terminated JSON object from the child's stdout.
QJsonObject readJsonLine(QProcess &process)
{
    while (!process.canReadLine() && process.state() == QProcess::Running)
        process.waitForReadyRead(kTimeoutMs);
    if (!process.canReadLine())
        return {};
    return QJsonDocument::fromJson(process.readLine()).object();
}
} // namespace

void tst_ServerProcess::stdioSpeaksMcpAndExitsOnEof()
{
    // An MCP client that launches the server as a command: JSON-RPC lines in, lines out,
    // nothing else on stdout; closing stdin ends the process cleanly.
    QProcess process;
    process.setProcessEnvironment(cleanEnvironment());
    process.start(kServerBinary, { QStringLiteral("--stdio") });
    QVERIFY(process.waitForStarted(kTimeoutMs));
    process.write(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}})"
                  "\n");
    const QJsonObject init = readJsonLine(process);
    QCOMPARE(init.value(QLatin1String("id")).toInt(), 1);
    QCOMPARE(init.value(QLatin1String("result")).toObject().value(QLatin1String("protocolVersion")).toString(),
        QStringLiteral("2025-06-18"));
    QCOMPARE(init.value(QLatin1String("result")).toObject().value(QLatin1String("serverInfo")).toObject().value(QLatin1String("name")).toString(),
        QStringLiteral("tickerwire"));
    // A notification gets no answer; the ping after it does, split over two writes.
    process.write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
                  "\n"
                  R"({"jsonrpc":"2.0","id":"p-1",)");
    process.waitForBytesWritten(kTimeoutMs);
    process.write(R"("method":"ping"})"
                  "\n");
    const QJsonObject pong = readJsonLine(process);
    QCOMPARE(pong.value(QLatin1String("id")).toString(), QStringLiteral("p-1"));
    QVERIFY(pong.contains(QLatin1String("result")));

    process.closeWriteChannel();
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    const QByteArray rest = process.readAllStandardOutput();
    QVERIFY2(rest.isEmpty(), rest.constData()); // no ready line, no logs on stdout
    m_stderr += process.readAllStandardError();
    QVERIFY(m_stderr.contains("serving MCP on stdio"));
}

void tst_ServerProcess::stdioSurvivesGarbageAndSignals()
{
    QProcess process;
    process.setProcessEnvironment(cleanEnvironment());
    process.start(kServerBinary, { QStringLiteral("--stdio") });
    QVERIFY(process.waitForStarted(kTimeoutMs));
    process.write("this is not json\n");
    const QJsonObject parseError = readJsonLine(process);
    QCOMPARE(parseError.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32700);
    process.write(R"({"jsonrpc":"2.0","id":7,"method":"tools/list"})"
                  "\n");
    const QJsonObject early = readJsonLine(process);
    QCOMPARE(early.value(QLatin1String("id")).toInt(), 7);
    QVERIFY2(early.contains(QLatin1String("error")), "requests before initialize are refused");
    ::kill(pid_t(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(kTimeoutMs));
    QCOMPARE(process.exitCode(), 0);
    m_stderr += process.readAllStandardError();
}

QTEST_GUILESS_MAIN(tst_ServerProcess)
#include "tst_serverprocess.moc"
