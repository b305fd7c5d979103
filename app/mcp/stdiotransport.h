// The MCP stdio transport (spec "Transports > stdio"): newline-delimited JSON-RPC. Each line
// read from the input is one message (or a 2025-03-26 batch) for McpServer::handle(); every
// server->client message -- responses, progress, logs, list_changed, resources/updated -- is
// written to the output as one line of compact JSON + "\n", flushed per message, in the order
// the engine produced them. The process has one session, created by start(); the engine's
// lifecycle rules apply to it (initialize first, notifications/initialized, ping).
//
// Input framing: lines end with "\n"; a trailing "\r" is dropped (CRLF tolerated); empty and
// whitespace-only lines are ignored; a line may arrive split over any number of reads, and one
// read may carry many lines. A line longer than maxLineBytes() is answered with a -32600 error
// (id null) as soon as it crosses the limit, and discarded up to its "\n"; reading goes on.
// A line that is not JSON gets -32700 (id null) from the engine; the next line is handled
// normally. At end of input, an unterminated last line is still handled, then the session is
// closed -- in-flight requests are cancelled, no responses are written for them -- and
// finished() is emitted. A write error on the output (the client closed its end: EPIPE) ends
// the transport the same way.
//
// Nothing but JSON-RPC messages may ever reach stdout. Logs go to stderr: the program installs
// the message handler (tw::core::installLogFormat() -- Qt's default handler writes to
// stderr), must not print banners to stdout, and must ignore SIGPIPE (UnixSignalWatcher does)
// so a vanished client is an EPIPE error here rather than a killed process.
//
// Two ways to build one:
//  - forStdio() / the fd constructor: the production path (Unix). A QSocketNotifier on the
//    input fd; each activation does exactly one read(2), which cannot block because poll()
//    reported the fd readable. O_NONBLOCK is deliberately not set: it is a property of the
//    open file description, which fd 0 often shares with fd 1 (a terminal, a socketpair) and
//    with the parent process. Writes go straight to the output fd, retrying on EINTR and
//    waiting with poll() on EAGAIN, so a non-blocking stdout set by someone else still works.
//    (QFile on stdin never emits readyRead, hence no QIODevice here.)
//  - the QIODevice constructor: for tests and bridges. The input is read on readyRead();
//    readChannelFinished() or aboutToClose() is end of input. A non-sequential input (QBuffer,
//    a regular QFile) is read to its end and then treated as end of input, which replays a
//    recorded transcript. A QFileDevice output is flushed after each message.
//
// Example (tickerwire-server --stdio):
//     McpServer engine(settings, metrics);
//     StdioTransport *t = StdioTransport::forStdio(&engine, &app);
//     QObject::connect(t, &StdioTransport::finished, &app, [] { QCoreApplication::exit(0); });
//     t->start();
//
// Do not delete the transport from a slot connected to finished(); use deleteLater().
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <memory>

class QIODevice;
class QSocketNotifier;

namespace tw::mcp {

class McpServer;
class McpSession;
class McpSink;

class StdioTransport : public QObject {
    Q_OBJECT
public:
    static constexpr qsizetype DefaultMaxLineBytes = 4 * 1024 * 1024;

    // Reads `in`, writes `out`; neither is owned, both must outlive the transport (or at
    // least its finished()). `in` must be open for reading, `out` for writing.
    StdioTransport(McpServer *server, QIODevice *in, QIODevice *out, QObject *parent = nullptr);
    // Reads file descriptor `inFd`, writes `outFd`; neither is closed by the transport.
    StdioTransport(McpServer *server, int inFd, int outFd, QObject *parent = nullptr);
    // The process's stdin (fd 0) and stdout (fd 1).
    static StdioTransport *forStdio(McpServer *server, QObject *parent = nullptr);
    ~StdioTransport() override;

    // Longest accepted line, in bytes, without its "\n". Set before start(); at least 1.
    void setMaxLineBytes(qsizetype bytes);
    qsizetype maxLineBytes() const { return m_maxLineBytes; }

    // Creates the session, installs the output as its sink, and starts reading. False (with
    // a warning on lcMcp) when already started or the devices/fds are unusable.
    bool start();
    // Stops reading, closes the session (in-flight requests are cancelled without responses)
    // and emits finished() once. Safe to call repeatedly; called for end of input.
    void stop();

    bool isRunning() const { return m_running; }
    // The process's one session; null before start() and after finished().
    McpSession *session() const;
    // Counters, for tests and logs.
    qint64 linesHandled() const { return m_linesHandled; }
    qint64 messagesWritten() const { return m_messagesWritten; }

Q_SIGNALS:
    // End of input, a broken output, or stop(): the server may exit (0 for end of input).
    void finished();

private:
    class OutputSink;
    friend class OutputSink;

    void onFdReadable();
    void onDeviceReadable();
    void onDeviceEnded();
    void consume(const QByteArray &data);
    void handleLine(QByteArray line);
    void rejectOversizedLine();
    void endOfInput();
    // Writes one message line; false when the output is broken.
    bool write(const QJsonObject &message);
    bool writeAll(const QByteArray &bytes);
    void outputBroken(const QString &why);

    QPointer<McpServer> m_server;
    QPointer<QIODevice> m_inDevice;
    QPointer<QIODevice> m_outDevice;
    int m_inFd = -1;
    int m_outFd = -1;
    QSocketNotifier *m_notifier = nullptr;

    std::shared_ptr<OutputSink> m_sink;
    QPointer<McpSession> m_session;
    QByteArray m_buffer; // bytes of the current, incomplete line
    bool m_discarding = false; // inside an oversized line: drop bytes up to the next "\n"
    bool m_inConsume = false;
    qsizetype m_maxLineBytes = DefaultMaxLineBytes;
    bool m_started = false;
    bool m_running = false;
    bool m_finished = false;
    bool m_outputBroken = false;
    qint64 m_linesHandled = 0;
    qint64 m_messagesWritten = 0;
};

} // namespace tw::mcp
