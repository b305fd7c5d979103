// The stdio transport (app/mcp/stdiotransport.h) over real pipes -- the production path: a
// QSocketNotifier on the input fd, write(2) to the output fd -- and over in-memory QIODevices:
// line framing (split reads, several lines per read, CRLF, empty lines, an unterminated last
// line), errors and recovery (garbage, oversized lines), ordering of progress, logs and
// list_changed on the one output, end of input and a broken output.
// The child-process test of `tickerwire-server --stdio` lives with the server's tests.
#include "mcprequestcontext.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "stdiotransport.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <memory>

using namespace Qt::StringLiterals;
using namespace tw::mcp;

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray initializeLine(int id = 1, const QString &version = u"2025-06-18"_s)
{
    const QJsonObject params { { u"protocolVersion"_s, version }, { u"capabilities"_s, QJsonObject() },
        { u"clientInfo"_s, QJsonObject { { u"name"_s, u"test"_s }, { u"version"_s, u"1"_s } } } };
    return compact(QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id },
               { u"method"_s, u"initialize"_s }, { u"params"_s, params } })
        + '\n';
}

QByteArray requestLine(const QJsonValue &id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject o { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"method"_s, method } };
    if (!params.isEmpty())
        o.insert(u"params"_s, params);
    return compact(o) + '\n';
}

QByteArray notificationLine(const QString &method, const QJsonObject &params = {})
{
    QJsonObject o { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, method } };
    if (!params.isEmpty())
        o.insert(u"params"_s, params);
    return compact(o) + '\n';
}

QByteArray pingLine(const QJsonValue &id)
{
    return requestLine(id, u"ping"_s);
}

QJsonObject toolCallParams(const QString &name, const QJsonObject &arguments, const QJsonValue &token = {})
{
    QJsonObject p { { u"name"_s, name }, { u"arguments"_s, arguments } };
    if (!token.isNull())
        p.insert(u"_meta"_s, QJsonObject { { u"progressToken"_s, token } });
    return p;
}

int errorCode(const QJsonObject &m)
{
    return m.value("error"_L1).toObject().value("code"_L1).toInt();
}

bool isResultFor(const QJsonObject &m, const QJsonValue &id)
{
    return m.contains("result"_L1) && m.value("id"_L1) == id;
}

// A sequential device fed by the test: readyRead() per feed(), readChannelFinished() at end().
class FeedDevice : public QIODevice {
public:
    FeedDevice() { open(QIODevice::ReadOnly); }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_data.size() + QIODevice::bytesAvailable(); }
    void feed(const QByteArray &bytes)
    {
        m_data.append(bytes);
        Q_EMIT readyRead();
    }
    void end() { Q_EMIT readChannelFinished(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = qMin<qint64>(maxSize, m_data.size());
        std::memcpy(data, m_data.constData(), static_cast<size_t>(n));
        m_data.remove(0, static_cast<qsizetype>(n));
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
};

} // namespace

class tst_StdioTransport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void initializeThenPing();
    void requestsBeforeInitializeRejected();
    void progressLinesThenResult();
    void lineSplitAcrossWrites();
    void twoMessagesInOneWrite();
    void crlfTolerated();
    void emptyLinesIgnored();
    void garbageThenRecovery();
    void oversizedLineAcrossReadsThenRecovery();
    void oversizedLineInOneRead();
    void sessionMessagesOnSameOutput();
    void outputIsOneCompactLinePerMessage();
    void endOfInputCancelsInFlight();
    void unterminatedLastLineHandled();
    void brokenOutputFinishes();
    void deviceTranscriptReplay();
    void deviceIncrementalFeed();
    void startRefusesUnusableInput();

private:
    void startPipes();
    void send(const QByteArray &bytes);
    void closeInput();
    // Reads output lines until `count` have arrived (or timeout); returns all read so far.
    QList<QJsonObject> readLines(qsizetype count, int timeoutMs = 5000);
    // Output that arrives within `ms`, without waiting for a count.
    QList<QJsonObject> drain(int ms = 50);
    void initializeSession();

    std::unique_ptr<McpServer> m_server;
    std::unique_ptr<StdioTransport> m_transport;
    int m_in[2] = { -1, -1 }; // test writes m_in[1]; transport reads m_in[0]
    int m_out[2] = { -1, -1 }; // transport writes m_out[1]; test reads m_out[0]
    QByteArray m_outBuffer;
    QList<QByteArray> m_rawLines;
    QList<QJsonObject> m_lines;
    QList<QPointer<McpRequestContext>> m_slow;
};

void tst_StdioTransport::initTestCase()
{
    // As in tickerwire-server (UnixSignalWatcher): a closed reader is EPIPE, not death.
    ::signal(SIGPIPE, SIG_IGN);
}

void tst_StdioTransport::init()
{
    m_server = std::make_unique<McpServer>(McpSettings());
    m_slow.clear();
    m_outBuffer.clear();
    m_rawLines.clear();
    m_lines.clear();

    McpTool echo;
    echo.name = u"echo"_s;
    echo.inputSchema = QJsonDocument::fromJson(
        R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})")
                           .object();
    echo.handler = [](McpRequestContext *ctx) {
        ctx->finish(QJsonObject { { u"content"_s,
            QJsonArray { QJsonObject { { u"type"_s, u"text"_s },
                { u"text"_s, ctx->arguments().value("text"_L1).toString() } } } } });
    };
    QVERIFY(m_server->registerTool(echo));

    // Sends progress 1..n from timers (after handle() has returned), then answers.
    McpTool ticks;
    ticks.name = u"ticks"_s;
    ticks.inputSchema = QJsonDocument::fromJson(
        R"({"type":"object","properties":{"n":{"type":"integer","minimum":1}},"required":["n"]})")
                            .object();
    ticks.handler = [](McpRequestContext *ctx) {
        const int n = ctx->arguments().value("n"_L1).toInt();
        ctx->log(McpLogLevel::Info, u"starting"_s, u"ticks"_s);
        auto *timer = new QTimer(ctx);
        timer->setInterval(2);
        auto sent = std::make_shared<int>(0);
        QObject::connect(timer, &QTimer::timeout, ctx, [ctx, n, sent, timer] {
            ++*sent;
            ctx->sendProgress(*sent, n, u"tick %1"_s.arg(*sent));
            if (*sent == n) {
                timer->stop();
                ctx->finish(QJsonObject { { u"content"_s,
                    QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, u"done"_s } } } } });
            }
        });
        timer->start();
    };
    QVERIFY(m_server->registerTool(ticks));

    McpTool slow;
    slow.name = u"slow"_s;
    slow.handler = [this](McpRequestContext *ctx) { m_slow.append(ctx); };
    QVERIFY(m_server->registerTool(slow));
    // Let the coalesced tools/list_changed of these registrations go out (to no session)
    // now, not in the middle of a test.
    QTest::qWait(5);
}

void tst_StdioTransport::cleanup()
{
    m_transport.reset();
    m_server.reset();
    for (int *fds : { m_in, m_out }) {
        for (int i = 0; i < 2; ++i) {
            if (fds[i] >= 0)
                ::close(fds[i]);
            fds[i] = -1;
        }
    }
}

void tst_StdioTransport::startPipes()
{
    QCOMPARE(::pipe(m_in), 0);
    QCOMPARE(::pipe(m_out), 0);
    QCOMPARE(::fcntl(m_out[0], F_SETFL, ::fcntl(m_out[0], F_GETFL) | O_NONBLOCK), 0);
    m_transport = std::make_unique<StdioTransport>(m_server.get(), m_in[0], m_out[1]);
    QVERIFY(m_transport->start());
    QVERIFY(m_transport->session());
    QTest::ignoreMessage(QtWarningMsg, "stdio: start() called twice");
    QVERIFY(!m_transport->start()); // once only
}

void tst_StdioTransport::send(const QByteArray &bytes)
{
    QCOMPARE(::write(m_in[1], bytes.constData(), static_cast<size_t>(bytes.size())),
        static_cast<ssize_t>(bytes.size()));
}

void tst_StdioTransport::closeInput()
{
    ::close(m_in[1]);
    m_in[1] = -1;
}

QList<QJsonObject> tst_StdioTransport::readLines(qsizetype count, int timeoutMs)
{
    auto pump = [this, count] {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(m_out[0], buf, sizeof buf);
            if (n <= 0)
                break;
            m_outBuffer.append(buf, static_cast<qsizetype>(n));
        }
        qsizetype nl;
        while ((nl = m_outBuffer.indexOf('\n')) >= 0) {
            const QByteArray line = m_outBuffer.left(nl);
            m_outBuffer.remove(0, nl + 1);
            m_rawLines.append(line);
            QJsonParseError err;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
            if (err.error != QJsonParseError::NoError || !doc.isObject())
                qWarning() << "not a JSON object line:" << line;
            m_lines.append(doc.object());
        }
        return m_lines.size() >= count;
    };
    [[maybe_unused]] const bool enough = QTest::qWaitFor(pump, timeoutMs);
    return m_lines;
}

QList<QJsonObject> tst_StdioTransport::drain(int ms)
{
    QTest::qWait(ms);
    return readLines(0, 0);
}

void tst_StdioTransport::initializeSession()
{
    send(initializeLine(1));
    send(notificationLine(u"notifications/initialized"_s));
    const QList<QJsonObject> lines = readLines(1);
    QCOMPARE(lines.size(), 1);
    QVERIFY(isResultFor(lines.first(), 1));
    QTRY_VERIFY(m_transport->session()->isClientReady());
    m_lines.clear();
    m_rawLines.clear();
}

void tst_StdioTransport::initializeThenPing()
{
    startPipes();
    send(initializeLine(1));
    QList<QJsonObject> lines = readLines(1);
    QCOMPARE(lines.size(), 1);
    const QJsonObject result = lines.first().value("result"_L1).toObject();
    QCOMPARE(lines.first().value("jsonrpc"_L1).toString(), u"2.0"_s);
    QCOMPARE(result.value("protocolVersion"_L1).toString(), u"2025-06-18"_s);
    QCOMPARE(result.value("serverInfo"_L1).toObject().value("name"_L1).toString(), u"tickerwire"_s);
    QVERIFY(m_transport->session()->isInitialized());

    // A notification is never answered.
    send(notificationLine(u"notifications/initialized"_s));
    QTRY_VERIFY(m_transport->session()->isClientReady());
    QCOMPARE(drain().size(), 1);

    send(pingLine(u"p1"_s));
    lines = readLines(2);
    QCOMPARE(lines.size(), 2);
    QVERIFY(isResultFor(lines.at(1), u"p1"_s));
    QCOMPARE(m_server->sessionCount(), 1);
}

void tst_StdioTransport::requestsBeforeInitializeRejected()
{
    startPipes();
    send(requestLine(7, u"tools/list"_s));
    QList<QJsonObject> lines = readLines(1);
    QCOMPARE(lines.size(), 1);
    QCOMPARE(errorCode(lines.first()), -32600);
    QCOMPARE(lines.first().value("id"_L1), QJsonValue(7));
    // Then the engine's lifecycle goes on as usual, and a second initialize is refused.
    send(initializeLine(8));
    send(initializeLine(9));
    lines = readLines(3);
    QCOMPARE(lines.size(), 3);
    QVERIFY(isResultFor(lines.at(1), 8));
    QCOMPARE(errorCode(lines.at(2)), -32600);
}

void tst_StdioTransport::progressLinesThenResult()
{
    startPipes();
    initializeSession();
    send(requestLine(5, u"tools/call"_s, toolCallParams(u"ticks"_s, QJsonObject { { u"n"_s, 3 } }, u"tok"_s)));
    const QList<QJsonObject> lines = readLines(5);
    QCOMPARE(lines.size(), 5); // log, 3 progress, result
    QCOMPARE(lines.at(0).value("method"_L1).toString(), u"notifications/message"_s);
    for (int i = 1; i <= 3; ++i) {
        const QJsonObject n = lines.at(i);
        QCOMPARE(n.value("method"_L1).toString(), u"notifications/progress"_s);
        const QJsonObject p = n.value("params"_L1).toObject();
        QCOMPARE(p.value("progressToken"_L1).toString(), u"tok"_s);
        QCOMPARE(p.value("progress"_L1).toDouble(), double(i));
        QCOMPARE(p.value("total"_L1).toDouble(), 3.0);
    }
    QVERIFY(isResultFor(lines.at(4), 5));
    const QJsonArray content = lines.at(4).value("result"_L1).toObject().value("content"_L1).toArray();
    QCOMPARE(content.first().toObject().value("text"_L1).toString(), u"done"_s);
    QCOMPARE(drain().size(), 5); // never two responses
}

void tst_StdioTransport::lineSplitAcrossWrites()
{
    startPipes();
    initializeSession();
    const QByteArray line = requestLine(3, u"tools/call"_s,
        toolCallParams(u"echo"_s, QJsonObject { { u"text"_s, u"split over writes"_s } }));
    const qsizetype third = line.size() / 3;
    send(line.left(third));
    QCOMPARE(drain(30).size(), 0);
    send(line.mid(third, third));
    QCOMPARE(drain(30).size(), 0);
    send(line.mid(2 * third));
    const QList<QJsonObject> lines = readLines(1);
    QCOMPARE(lines.size(), 1);
    QVERIFY(isResultFor(lines.first(), 3));
    QCOMPARE(lines.first()
                 .value("result"_L1)
                 .toObject()
                 .value("content"_L1)
                 .toArray()
                 .first()
                 .toObject()
                 .value("text"_L1)
                 .toString(),
        u"split over writes"_s);
}

void tst_StdioTransport::twoMessagesInOneWrite()
{
    startPipes();
    initializeSession();
    send(pingLine(2) + pingLine(3) + pingLine(u"four"_s));
    const QList<QJsonObject> lines = readLines(3);
    QCOMPARE(lines.size(), 3);
    QVERIFY(isResultFor(lines.at(0), 2));
    QVERIFY(isResultFor(lines.at(1), 3));
    QVERIFY(isResultFor(lines.at(2), u"four"_s));
}

void tst_StdioTransport::crlfTolerated()
{
    startPipes();
    QByteArray init = initializeLine(1);
    init.insert(init.size() - 1, '\r');
    QByteArray ping = pingLine(2);
    ping.insert(ping.size() - 1, '\r');
    send(init + ping);
    const QList<QJsonObject> lines = readLines(2);
    QCOMPARE(lines.size(), 2);
    QVERIFY(isResultFor(lines.at(0), 1));
    QVERIFY(isResultFor(lines.at(1), 2));
}

void tst_StdioTransport::emptyLinesIgnored()
{
    startPipes();
    initializeSession();
    const qint64 before = m_transport->linesHandled();
    send("\n\n   \n\r\n\t\n"_ba);
    QCOMPARE(drain().size(), 0);
    QCOMPARE(m_transport->linesHandled(), before);
    send(pingLine(9));
    const QList<QJsonObject> lines = readLines(1);
    QCOMPARE(lines.size(), 1);
    QVERIFY(isResultFor(lines.first(), 9));
    QCOMPARE(m_transport->linesHandled(), before + 1);
}

void tst_StdioTransport::garbageThenRecovery()
{
    startPipes();
    initializeSession();
    send("this is not json\n"_ba);
    send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\n"_ba); // truncated
    send(pingLine(5));
    const QList<QJsonObject> lines = readLines(3);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(errorCode(lines.at(0)), -32700);
    QVERIFY(lines.at(0).value("id"_L1).isNull());
    QCOMPARE(errorCode(lines.at(1)), -32700);
    QVERIFY(isResultFor(lines.at(2), 5));
    QVERIFY(m_transport->isRunning());
}

void tst_StdioTransport::oversizedLineAcrossReadsThenRecovery()
{
    QCOMPARE(::pipe(m_in), 0);
    QCOMPARE(::pipe(m_out), 0);
    QCOMPARE(::fcntl(m_out[0], F_SETFL, ::fcntl(m_out[0], F_GETFL) | O_NONBLOCK), 0);
    m_transport = std::make_unique<StdioTransport>(m_server.get(), m_in[0], m_out[1]);
    m_transport->setMaxLineBytes(1024);
    QCOMPARE(m_transport->maxLineBytes(), qsizetype(1024));
    QVERIFY(m_transport->start());
    initializeSession();

    // A valid JSON request, just too long, sent in pieces: answered once, when it crosses
    // the limit, and its tail is dropped as it arrives.
    const QByteArray big = requestLine(6, u"tools/call"_s,
        toolCallParams(u"echo"_s, QJsonObject { { u"text"_s, QString(5000, u'x') } }));
    QVERIFY(big.size() > 5000);
    QTest::ignoreMessage(QtWarningMsg, "stdio: discarding a line longer than 1024 bytes");
    for (qsizetype i = 0; i < big.size() - 1; i += 700) {
        send(big.mid(i, qMin<qsizetype>(700, big.size() - 1 - i)));
        QTest::qWait(5);
    }
    QList<QJsonObject> lines = readLines(1);
    QCOMPARE(lines.size(), 1);
    QCOMPARE(errorCode(lines.first()), -32600);
    QVERIFY(lines.first().value("id"_L1).isNull());
    send("\n"_ba + pingLine(7));
    lines = readLines(2);
    QCOMPARE(lines.size(), 2);
    QVERIFY(isResultFor(lines.at(1), 7));
    QCOMPARE(drain().size(), 2); // the echo never ran
    QVERIFY(m_transport->isRunning());

    // A line right at the limit is fine, even with its "\r".
    QByteArray atLimit = requestLine(8, u"ping"_s, QJsonObject { { u"pad"_s, QString() } });
    atLimit.chop(1);
    const qsizetype padding = 1024 - atLimit.size();
    atLimit = requestLine(8, u"ping"_s, QJsonObject { { u"pad"_s, QString(padding, u'p') } });
    atLimit.chop(1);
    QCOMPARE(atLimit.size(), qsizetype(1024));
    send(atLimit.left(1000));
    QTest::qWait(10);
    send(atLimit.mid(1000) + "\r");
    QTest::qWait(10);
    send("\n"_ba);
    lines = readLines(3);
    QCOMPARE(lines.size(), 3);
    QVERIFY(isResultFor(lines.at(2), 8));
}

void tst_StdioTransport::oversizedLineInOneRead()
{
    QCOMPARE(::pipe(m_in), 0);
    QCOMPARE(::pipe(m_out), 0);
    QCOMPARE(::fcntl(m_out[0], F_SETFL, ::fcntl(m_out[0], F_GETFL) | O_NONBLOCK), 0);
    m_transport = std::make_unique<StdioTransport>(m_server.get(), m_in[0], m_out[1]);
    m_transport->setMaxLineBytes(100);
    QVERIFY(m_transport->start());
    // Oversized, then a good line, in one write: the good one still gets through.
    QTest::ignoreMessage(QtWarningMsg, "stdio: discarding a line longer than 100 bytes");
    send(QByteArray(300, 'z') + '\n' + pingLine(1));
    const QList<QJsonObject> lines = readLines(2);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(errorCode(lines.at(0)), -32600);
    QVERIFY(isResultFor(lines.at(1), 1));
}

void tst_StdioTransport::sessionMessagesOnSameOutput()
{
    startPipes();
    initializeSession();

    // list_changed (session sink) arrives on stdout like everything else.
    McpTool extra;
    extra.name = u"extra"_s;
    extra.handler = [](McpRequestContext *ctx) { ctx->finish({}); };
    QVERIFY(m_server->registerTool(extra));
    QList<QJsonObject> lines = readLines(1);
    QCOMPARE(lines.size(), 1);
    QCOMPARE(lines.first().value("method"_L1).toString(), u"notifications/tools/list_changed"_s);

    // A server log tied to no request.
    m_server->log(McpLogLevel::Warning, u"feed lagging"_s, u"news"_s);
    lines = readLines(2);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines.at(1).value("method"_L1).toString(), u"notifications/message"_s);
    QCOMPARE(lines.at(1).value("params"_L1).toObject().value("data"_L1).toString(), u"feed lagging"_s);

    // Interleaved with a request's progress, in the order the engine produced them.
    send(requestLine(11, u"tools/call"_s, toolCallParams(u"slow"_s, {}, 77)));
    QTRY_COMPARE(m_slow.size(), 1);
    McpRequestContext *ctx = m_slow.first();
    QVERIFY(ctx->sendProgress(1));
    m_server->log(McpLogLevel::Error, u"between"_s);
    QVERIFY(ctx->log(McpLogLevel::Info, u"request log"_s));
    QVERIFY(ctx->sendProgress(2));
    ctx->finish(QJsonObject { { u"content"_s, QJsonArray() } });
    lines = readLines(7);
    QCOMPARE(lines.size(), 7);
    QStringList kinds;
    for (const QJsonObject &m : lines.mid(2))
        kinds << (m.contains("result"_L1) ? u"result"_s : m.value("method"_L1).toString());
    const QStringList expected { u"notifications/progress"_s, u"notifications/message"_s,
        u"notifications/message"_s, u"notifications/progress"_s, u"result"_s };
    QCOMPARE(kinds, expected);
    QCOMPARE(lines.at(3).value("params"_L1).toObject().value("data"_L1).toString(), u"between"_s);
    QCOMPARE(lines.at(4).value("params"_L1).toObject().value("data"_L1).toString(), u"request log"_s);
    QVERIFY(isResultFor(lines.at(6), 11));
    QCOMPARE(drain().size(), 7);
    QCOMPARE(m_transport->messagesWritten(), qint64(8)); // with the initialize result
}

void tst_StdioTransport::outputIsOneCompactLinePerMessage()
{
    startPipes();
    initializeSession();
    // Newlines inside strings travel escaped: each message stays on one line.
    send(requestLine(12, u"tools/call"_s,
        toolCallParams(u"echo"_s, QJsonObject { { u"text"_s, u"two\nlines\r\nand\u2028more"_s } })));
    const QList<QJsonObject> lines = readLines(1);
    QCOMPARE(lines.size(), 1);
    QCOMPARE(m_rawLines.size(), 1);
    QVERIFY(!m_rawLines.first().contains('\n'));
    QVERIFY(!m_rawLines.first().contains('\r'));
    QVERIFY(!m_rawLines.first().startsWith(' '));
    QCOMPARE(m_rawLines.first(), compact(lines.first()));
    QCOMPARE(lines.first()
                 .value("result"_L1)
                 .toObject()
                 .value("content"_L1)
                 .toArray()
                 .first()
                 .toObject()
                 .value("text"_L1)
                 .toString(),
        u"two\nlines\r\nand\u2028more"_s);
    QVERIFY(m_outBuffer.isEmpty()); // ended by "\n"
}

void tst_StdioTransport::endOfInputCancelsInFlight()
{
    startPipes();
    QSignalSpy finished(m_transport.get(), &StdioTransport::finished);
    QSignalSpy closed(m_server.get(), &McpServer::sessionClosed);
    initializeSession();
    send(requestLine(20, u"tools/call"_s, toolCallParams(u"slow"_s, {})));
    QTRY_COMPARE(m_slow.size(), 1);
    QPointer<McpRequestContext> ctx = m_slow.first();
    QSignalSpy cancelled(ctx.data(), &McpRequestContext::cancelled);
    QCOMPARE(m_transport->session()->inFlightCount(), 1);

    closeInput();
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(cancelled.size(), 1);
    QVERIFY(!m_transport->isRunning());
    QVERIFY(!m_transport->session());
    QTRY_COMPARE(m_server->sessionCount(), 0);
    QTRY_VERIFY(ctx.isNull()); // freed
    QCOMPARE(drain().size(), 0); // no response for a cancelled request
    m_transport->stop(); // idempotent
    QCOMPARE(finished.size(), 1);
}

void tst_StdioTransport::unterminatedLastLineHandled()
{
    startPipes();
    QSignalSpy finished(m_transport.get(), &StdioTransport::finished);
    QByteArray init = initializeLine(1);
    init.chop(1);
    send(init);
    QCOMPARE(drain(30).size(), 0);
    closeInput();
    QTRY_COMPARE(finished.size(), 1);
    const QList<QJsonObject> lines = readLines(1);
    QCOMPARE(lines.size(), 1);
    QVERIFY(isResultFor(lines.first(), 1));
}

void tst_StdioTransport::brokenOutputFinishes()
{
    startPipes();
    QSignalSpy finished(m_transport.get(), &StdioTransport::finished);
    initializeSession();
    ::close(m_out[0]); // the client stopped reading
    m_out[0] = -1;
    QTest::ignoreMessage(QtWarningMsg, "stdio: writing output failed, stopping: Broken pipe");
    send(pingLine(30));
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(!m_transport->isRunning());
    QTRY_COMPARE(m_server->sessionCount(), 0);
}

void tst_StdioTransport::deviceTranscriptReplay()
{
    // A non-sequential input is read to its end, which is then end of input.
    QByteArray transcript = initializeLine(1) + notificationLine(u"notifications/initialized"_s)
        + "\r\n"_ba + pingLine(2) + "garbage\n"_ba + requestLine(3, u"tools/list"_s);
    transcript.chop(1); // no final newline
    QBuffer in(&transcript);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QByteArray written;
    QBuffer out(&written);
    QVERIFY(out.open(QIODevice::WriteOnly));

    StdioTransport t(m_server.get(), &in, &out);
    QSignalSpy finished(&t, &StdioTransport::finished);
    QVERIFY(t.start());
    QTRY_COMPARE(finished.size(), 1);

    QList<QByteArray> raw = written.split('\n');
    QCOMPARE(raw.takeLast(), QByteArray()); // every message ends with "\n"
    QCOMPARE(raw.size(), 4);
    QList<QJsonObject> lines;
    for (const QByteArray &line : std::as_const(raw))
        lines << QJsonDocument::fromJson(line).object();
    QVERIFY(isResultFor(lines.at(0), 1));
    QVERIFY(isResultFor(lines.at(1), 2));
    QCOMPARE(errorCode(lines.at(2)), -32700);
    QVERIFY(isResultFor(lines.at(3), 3));
    QCOMPARE(lines.at(3).value("result"_L1).toObject().value("tools"_L1).toArray().size(), 3);
}

void tst_StdioTransport::deviceIncrementalFeed()
{
    FeedDevice in;
    QByteArray written;
    QBuffer out(&written);
    QVERIFY(out.open(QIODevice::WriteOnly));
    StdioTransport t(m_server.get(), &in, &out);
    QSignalSpy finished(&t, &StdioTransport::finished);
    QVERIFY(t.start());

    const QByteArray init = initializeLine(1);
    in.feed(init.left(10));
    QCOMPARE(written.size(), 0);
    in.feed(init.mid(10) + pingLine(2).left(5));
    QCOMPARE(written.count('\n'), 1);
    in.feed(pingLine(2).mid(5));
    QCOMPARE(written.count('\n'), 2);
    QCOMPARE(finished.size(), 0);
    in.end();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(m_server->sessionCount(), 0);
}

void tst_StdioTransport::startRefusesUnusableInput()
{
    StdioTransport badFds(m_server.get(), 12345, 12346);
    QTest::ignoreMessage(QtWarningMsg, "stdio: unusable file descriptors 12345 12346");
    QVERIFY(!badFds.start());
    QBuffer closedIn;
    QBuffer out;
    StdioTransport closedDevices(m_server.get(), &closedIn, &out);
    QTest::ignoreMessage(QtWarningMsg, "stdio: input must be open for reading and output for writing");
    QVERIFY(!closedDevices.start());
    QCOMPARE(m_server->sessionCount(), 0);
}

QTEST_GUILESS_MAIN(tst_StdioTransport)
#include "tst_stdiotransport.moc"
