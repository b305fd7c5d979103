// The whole server input path: the input's bytes are written to a real TCP connection (127.0.0.1,
// port 0) of a real ServerRuntime -- HttpConnection, HttpRequestParser, the limits, the
// security pipeline (rate limit, CORS, Origin/Host, API key, JSON body, protocol version), the
// router, /healthz, /metrics, the browser bridge and the MCP Streamable HTTP transport with the
// market-news tools -- then the client reads until the server closes or falls silent, and closes.
//
// Input: [flags][n][n chunk sizes][request bytes...]. flags bit 0: the server that requires an
// API key (else the development server without keys). n > 0: the bytes are written in chunks of
// those sizes, with the server's event loop run between them. In the request bytes "@SID@"
// becomes the id of a live, initialized MCP session and "@KEY@" the API key, so the fuzzer can
// reach what lies behind the session and key checks (they are random and cannot be guessed).
//
// Checked: what the server writes back is a sequence of well-formed HTTP/1.1 responses (status
// line, header lines without stray CR/LF, a body framed by Content-Length or chunked encoding)
// -- a header injection or framing bug shows up here; no response is a 500; no more responses
// than requests (+1 for a parse error); and once the client is gone the server frees the
// connection, its streams, the hub subscriptions and the engine's requests.
#include "fuzzsupport.h"

#include "httprequestparser.h"
#include "httpserver.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "newshub.h"
#include "serverruntime.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEvent>
#include <QSocketNotifier>
#include <QTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>

using tw::server::ServerConfig;
using tw::server::ServerRuntime;

namespace {

constexpr int kCloseDeadlineMs = 5000; // generous: the machine is shared and this is ASan

const QByteArray kApiKey = QByteArrayLiteral("fuzz-key-6f1c2a9d8e7b4c3a");

// One client connection on a plain socket: writes never block the shared event loop, and
// reading needs no second QTcpSocket state machine.
class RawClient {
public:
    explicit RawClient(quint16 port)
    {
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        // Blocking connect: the kernel completes a loopback handshake without the server's
        // loop. EADDRNOTAVAIL/EAGAIN: no local port free for a moment (the machine is shared
        // with load tests), the client's problem, so wait and retry on a new socket. Anything
        // else, above all ECONNREFUSED, means the server stopped listening: a bug.
        for (int attempt = 0;; ++attempt) {
            m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            tw::fuzz::check(m_fd >= 0, "socket()", QByteArray(std::strerror(errno)));
            if (::connect(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0)
                break;
            const int error = errno;
            ::close(m_fd);
            if ((error != EADDRNOTAVAIL && error != EAGAIN && error != EINTR) || attempt >= 100)
                tw::fuzz::fail("the server accepts connections (connect() failed)", QByteArray(std::strerror(error)));
            const QDeadlineTimer wait(20);
            while (!wait.hasExpired())
                QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        }
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
        m_notifier = std::make_unique<QSocketNotifier>(qintptr(m_fd), QSocketNotifier::Read);
    }
    ~RawClient()
    {
        m_notifier.reset();
        ::close(m_fd);
    }

    // Writes all of `bytes`, running the server's loop whenever the socket buffer is full.
    void write(const QByteArray &bytes)
    {
        qsizetype done = 0;
        const QDeadlineTimer deadline(kCloseDeadlineMs);
        while (done < bytes.size() && !m_closed) {
            const ssize_t n = ::send(m_fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
            if (n > 0) {
                done += n;
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                m_closed = true; // the server closed (e.g. after refusing the request)
                break;
            }
            if (deadline.hasExpired())
                break; // the server stopped reading (pipelining cap): what was sent is enough
            pump(10);
        }
    }

    // Runs the server's loop once (waiting up to `waitMs` for something to happen) and reads
    // what the server sent.
    void pump(int waitMs)
    {
        QTimer::singleShot(waitMs, QCoreApplication::instance(), [] { }); // a wake-up
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        read();
    }
    void read()
    {
        char buffer[16384];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                m_received.append(buffer, qsizetype(n));
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                m_closed = true;
                m_notifier->setEnabled(false);
            }
            return;
        }
    }
    bool closed() const { return m_closed; }
    const QByteArray &received() const { return m_received; }

private:
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QByteArray m_received;
    bool m_closed = false;
};

void pumpUntil(const std::function<bool()> &done, int deadlineMs)
{
    const QDeadlineTimer deadline(deadlineMs);
    while (!done() && !deadline.hasExpired()) {
        QTimer::singleShot(1, QCoreApplication::instance(), [] { });
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
}

// One whole exchange: connect, send, read until the server closes or has nothing more to say,
// close. "Nothing more" is safe to decide by rounds of the event loop, not by time: client
// and server share this thread, so one round of the loop runs whatever the server does with
// the bytes the kernel already handed it. (A half-close would be cleaner, but QAbstractSocket
// treats end of input as the peer gone and drops the unsent responses.)
QByteArray exchange(quint16 port, const QList<QByteArray> &chunks)
{
    RawClient client(port);
    for (const QByteArray &chunk : chunks) {
        client.write(chunk);
        if (chunks.size() > 1)
            client.pump(0);
    }
    const QDeadlineTimer deadline(kCloseDeadlineMs);
    int quietRounds = 0;
    while (!client.closed() && quietRounds < 3 && !deadline.hasExpired()) {
        const qsizetype before = client.received().size();
        client.pump(0);
        quietRounds = client.received().size() == before ? quietRounds + 1 : 0;
    }
    return client.received();
}

QByteArray headerValue(const QByteArray &response, const QByteArray &name)
{
    const QByteArray head = response.left(response.indexOf("\r\n\r\n"));
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == name)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

struct Server {
    std::unique_ptr<ServerRuntime> runtime;
    quint16 port = 0;
    QByteArray apiKey;
    QString sessionId;

    QByteArray authHeader() const
    {
        return apiKey.isEmpty() ? QByteArray() : "X-API-Key: " + apiKey + "\r\n";
    }

    // A live, initialized session for "@SID@": made over HTTP like a client would.
    void ensureSession()
    {
        tw::mcp::McpServer *engine = runtime->mcpServer();
        if (!sessionId.isEmpty() && engine->session(sessionId))
            return;
        const QByteArray init = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}})";
        const QByteArray reply = exchange(port, { "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n" + authHeader()
            + "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: "
            + QByteArray::number(init.size()) + "\r\n\r\n" + init });
        sessionId = QString::fromLatin1(headerValue(reply, "mcp-session-id"));
        tw::fuzz::check(!sessionId.isEmpty() && engine->session(sessionId), "the fuzz session was created", reply);
        const QByteArray ready = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
        exchange(port, { "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n" + authHeader() + "Mcp-Session-Id: "
            + sessionId.toLatin1() + "\r\nMCP-Protocol-Version: 2025-06-18\r\nContent-Type: application/json\r\n"
            "Accept: application/json, text/event-stream\r\nContent-Length: " + QByteArray::number(ready.size())
            + "\r\n\r\n" + ready });
    }
};

Server *makeServer(const QByteArray &apiKey)
{
    ServerConfig config;
    config.host = QStringLiteral("127.0.0.1");
    config.port = 0;
    config.newsProviders.clear(); // items are ingested below: the same every run
    if (!apiKey.isEmpty())
        config.security.apiKeys = { apiKey };
    // The rate limiter still runs; it just never says 429, or most inputs would test only that.
    config.security.requestsPerMinute = 1000000000;
    config.security.streamsPerMinute = 1000000000;
    // A POST stream whose client went away is cancelled at once instead of after 30 s, so
    // nothing an input started outlives it (checked after each input).
    config.mcp.abandonGraceMs = 0;
    config.mcpHttp.maxSessions = 64;
    auto *server = new Server;
    server->apiKey = apiKey;
    server->runtime = std::make_unique<ServerRuntime>(config);
    QString error;
    tw::fuzz::check(server->runtime->start(&error), "the server starts", error.toUtf8());
    server->port = server->runtime->httpServer()->serverPort();

    QList<tw::core::NewsItem> items;
    const char *symbols[] = { "TSLA", "AAPL", "MSFT" };
    for (int i = 0; i < 9; ++i) {
        tw::core::NewsItem item;
        item.id = QStringLiteral("fuzz:%1").arg(i);
        item.symbols = { QString::fromLatin1(symbols[i % 3]) };
        item.headline = QStringLiteral("Fictional headline %1 about %2").arg(i).arg(item.symbols.first());
        item.source = QStringLiteral("Fuzz Wire");
        item.url = QStringLiteral("https://news.example/fuzz/%1").arg(i);
        item.publishedAtMs = 1764064800000 + i * 1000;
        item.receivedAtMs = item.publishedAtMs;
        item.provider = QStringLiteral("demo");
        items.append(item);
    }
    server->runtime->newsHub()->ingest(items);
    server->ensureSession();
    return server;
}

Server &server(bool withKey)
{
    tw::fuzz::ensureApp();
    static Server *open = makeServer({});
    static Server *keyed = makeServer(kApiKey);
    return withKey ? *keyed : *open;
}

int openFileDescriptors()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).count()) - 2; // less "." and ".."
}

bool isToken(const QByteArray &name)
{
    if (name.isEmpty())
        return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

// Checks that `bytes` is a sequence of well-formed responses to requests with `methods` (in
// order); a truncated last response is allowed (the client went away mid-stream). Returns the
// number of final (non-1xx) responses.
int checkResponses(const QByteArray &bytes, const QList<QByteArray> &methods, const QByteArray &input)
{
    qsizetype pos = 0;
    int finals = 0;
    auto fail = [&](const char *what) {
        tw::fuzz::fail(what, "at offset " + QByteArray::number(pos) + " of the output:\n" + bytes.left(4096)
                + "\ninput:\n" + input.left(4096));
    };
    while (pos < bytes.size()) {
        const qsizetype headEnd = bytes.indexOf("\r\n\r\n", pos);
        if (headEnd < 0)
            return finals; // truncated head
        // Each line with its CRLF; the split leaves an empty element after the last LF.
        QList<QByteArray> lines = bytes.mid(pos, headEnd + 2 - pos).split('\n');
        lines.removeLast();
        if (!lines.first().endsWith('\r'))
            fail("the status line ends in CRLF");
        const QByteArray status = lines.first().chopped(1);
        if (!status.startsWith("HTTP/1.1 ") || status.size() < 12)
            fail("a response starts with an HTTP/1.1 status line");
        bool ok = false;
        const int code = status.mid(9, 3).toInt(&ok);
        if (!ok || code < 100 || code > 599 || (status.size() > 12 && status.at(12) != ' '))
            fail("a status line has a three-digit status");
        if (code == 500)
            fail("no request makes the server fail (500)");
        qint64 contentLength = -1;
        bool chunked = false;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            QByteArray line = lines.at(i);
            if (!line.endsWith('\r'))
                fail("header lines end in CRLF (no bare LF: header injection)");
            line.chop(1);
            if (line.contains('\r'))
                fail("no bare CR in a header line");
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.left(colon)))
                fail("a header line is name: value");
            const QByteArray name = line.left(colon).toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-length") {
                if (contentLength >= 0)
                    fail("at most one Content-Length");
                contentLength = value.toLongLong(&ok);
                if (!ok || contentLength < 0)
                    fail("Content-Length is a number");
            } else if (name == "transfer-encoding") {
                chunked = value.toLower() == "chunked";
            }
        }
        if (chunked && contentLength >= 0)
            fail("never both Content-Length and chunked");
        pos = headEnd + 4;
        if (code < 200)
            continue; // 100 Continue: no body, the final response follows
        const QByteArray method = methods.value(finals);
        ++finals;
        if (method == "HEAD" || code == 204 || code == 304)
            continue;
        if (chunked) {
            for (;;) {
                const qsizetype lineEnd = bytes.indexOf("\r\n", pos);
                if (lineEnd < 0)
                    return finals; // truncated
                const QByteArray sizeLine = bytes.mid(pos, lineEnd - pos);
                const qint64 size = sizeLine.toLongLong(&ok, 16);
                if (!ok || size < 0)
                    fail("a chunk size is hex");
                pos = lineEnd + 2;
                if (size == 0) {
                    if (bytes.mid(pos, 2) == "\r\n")
                        pos += 2;
                    else if (pos < bytes.size())
                        fail("the last chunk ends with CRLF");
                    break;
                }
                if (pos + size + 2 > bytes.size())
                    return finals; // truncated
                if (bytes.mid(pos + size, 2) != "\r\n")
                    fail("a chunk ends with CRLF");
                pos += size + 2;
            }
        } else if (contentLength >= 0) {
            if (pos + contentLength > bytes.size())
                return finals; // truncated
            pos += contentLength;
        } else {
            return finals; // delimited by the close
        }
    }
    return finals;
}

QList<QByteArray> requestMethods(const QByteArray &bytes, const tw::http::HttpLimits &limits)
{
    tw::http::HttpRequestParser parser(limits);
    parser.feed(bytes);
    QList<QByteArray> methods;
    while (parser.hasRequest())
        methods.append(parser.takeRequest().method);
    return methods;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tw::fuzz::ByteReader in(data, size);
    const uint8_t flags = in.byte();
    Server &s = server(flags & 1);
    const uint8_t n = in.byte() % 32;
    QByteArray sizes;
    for (int i = 0; i < n; ++i)
        sizes.append(char(in.byte()));
    s.ensureSession();
    QByteArray bytes = in.rest();
    bytes.replace("@SID@", s.sessionId.toLatin1());
    bytes.replace("@KEY@", kApiKey);

    const QByteArray received = exchange(s.port, n > 0 ? tw::fuzz::chunked(bytes, sizes) : QList<QByteArray> { bytes });

    static const bool verbose = qEnvironmentVariableIsSet("TW_FUZZ_VERBOSE");
    if (verbose)
        std::fprintf(stderr, "--- sent:\n%s\n--- received:\n%s\n", bytes.left(2048).constData(),
            received.left(4096).constData());

    const QList<QByteArray> methods = requestMethods(bytes, s.runtime->httpServer()->limits());
    const int responses = checkResponses(received, methods, bytes);
    tw::fuzz::check(responses <= methods.size() + 1, "no more responses than requests (+1 error)",
        QByteArray::number(responses) + " responses to " + QByteArray::number(methods.size()) + " requests\n"
            + received.left(4096));

    // The client is gone: everything it started must be freed.
    tw::http::HttpServer *http = s.runtime->httpServer();
    tw::news::NewsHub *hub = s.runtime->newsHub();
    tw::mcp::McpServer *engine = s.runtime->mcpServer();
    auto released = [&] {
        const tw::mcp::McpSession *session = engine->session(s.sessionId);
        return http->connectionCount() == 0 && http->streamCount() == 0 && hub->subscriptionCount() == 0
            && (!session || session->inFlightCount() == 0);
    };
    pumpUntil(released, kCloseDeadlineMs);
    const tw::mcp::McpSession *session = engine->session(s.sessionId);
    tw::fuzz::check(released(), "the server frees the connection, its streams and requests",
        "connections " + QByteArray::number(http->connectionCount()) + " streams "
            + QByteArray::number(http->streamCount()) + " hub subscriptions "
            + QByteArray::number(hub->subscriptionCount()) + " in flight "
            + QByteArray::number(session ? session->inFlightCount() : 0) + "\ninput:\n" + bytes.left(4096));

    // Sessions the input created would pile up to the cap: close them (the transport follows).
    for (tw::mcp::McpSession *other : engine->sessions()) {
        if (other->id() != s.sessionId)
            engine->closeSession(other->id());
    }
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);

    // No socket outlives its connection: a leaked descriptor per input would end, much later,
    // in accept() failing with EMFILE and the server deaf to everyone.
    static const int baselineFds = openFileDescriptors();
    tw::fuzz::check(openFileDescriptors() <= baselineFds + 16, "no file descriptor leaks",
        QByteArray::number(openFileDescriptors()) + " open, " + QByteArray::number(baselineFds)
            + " after the first input\ninput:\n" + bytes.left(4096));
    return 0;
}
