// Raw-socket HTTP/1.1 clients for the integration tests: they write exactly the bytes a test
// gives them and parse what the server sends back (status line, headers, a Content-Length,
// chunked or close-delimited body) strictly, so a framing mistake by the server is a failure
// of the test, not something a forgiving client papers over. Everything runs on the test's
// thread: waits spin the event loop (QTest::qWaitFor), so a server on the same thread runs.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslCertificate>
#include <QTcpSocket>
#include <QTest>

#include <deque>
#include <optional>

namespace tw::test {

// Generous: the machines that run the tests may be loaded. Tests never assert durations.
constexpr int kWaitMs = 5000;

struct ParsedResponse {
    int status = 0;
    QByteArray statusLine;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body; // decoded (chunk framing removed)
    QList<QByteArray> chunks; // the chunks as framed by the server (chunked responses only)
    bool chunked = false;
    bool headComplete = false;
    bool complete = false; // body complete (terminating chunk, Content-Length reached or close)

    QByteArray header(const QByteArray &lowerName) const;
    int headerCount(const QByteArray &lowerName) const;
    // The JSON object of the body, or an empty object if it is not one.
    QJsonObject json() const;
    // error.data.reason / error.data.status of the server's JSON error envelope.
    QString errorReason() const;
    int errorStatus() const;
};

class TestHttpClient : public QObject {
    Q_OBJECT
public:
    explicit TestHttpClient(QObject *parent = nullptr);
    ~TestHttpClient() override;

    // `from`, when set, is the local address to connect from (127.0.0.2 is a second client).
    bool connectToServer(const QHostAddress &address, quint16 port,
        const QHostAddress &from = QHostAddress(), int timeoutMs = kWaitMs);
    // TLS with `ca` as the only trusted root; `peerName` is checked against the certificate.
    bool connectToServerEncrypted(
        const QString &peerName, quint16 port, const QSslCertificate &ca, int timeoutMs = kWaitMs);

    void write(const QByteArray &bytes);
    // The next response answers a HEAD request (no body whatever the headers say).
    void expectHeadResponse() { m_headQueue.push_back(true); }
    void expectNormalResponse() { m_headQueue.push_back(false); }

    // Waits for the next complete response (1xx interim responses included) and removes it.
    std::optional<ParsedResponse> nextResponse(int timeoutMs = kWaitMs);
    // Waits until the headers of the response in progress have arrived; it stays queued.
    const ParsedResponse *waitForHead(int timeoutMs = kWaitMs);
    // The response in progress (or the oldest unread one), or null.
    const ParsedResponse *current() const;
    // Waits until the body of the response in progress (decoded) satisfies `done`.
    template<typename Predicate>
    bool waitForBody(Predicate done, int timeoutMs = kWaitMs);
    bool waitForBodyContains(const QByteArray &needle, int timeoutMs = kWaitMs);
    // Number of complete responses queued and not yet taken.
    int completeResponses() const;

    bool waitForDisconnected(int timeoutMs = kWaitMs);
    bool isConnected() const;
    bool isDisconnected() const { return m_disconnected; }
    // Bytes received that could not be parsed into a response (yet, or ever).
    QByteArray unparsed() const { return m_buffer; }
    // Every byte received, as sent.
    QByteArray rawReceived() const { return m_raw; }
    // Set when the server broke the framing (bad status line, bad chunk size, ...).
    QString protocolError() const { return m_error; }

    void disconnectFromServer();
    void abort();
    QTcpSocket *socket() const { return m_socket; }

private:
    void onReadyRead();
    void parse();
    bool parseHead(ParsedResponse &r);
    bool parseChunked(ParsedResponse &r);
    void fail(const QString &message);

    QPointer<QTcpSocket> m_socket;
    QByteArray m_buffer;
    QByteArray m_raw;
    std::deque<ParsedResponse> m_responses;
    std::deque<bool> m_headQueue;
    qint64 m_remaining = -1; // Content-Length bytes still due for the response in progress
    bool m_closeDelimited = false;
    bool m_disconnected = false;
    QString m_error;
};

template<typename Predicate>
bool TestHttpClient::waitForBody(Predicate done, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            const ParsedResponse *r = current();
            return r && r->headComplete && done(r->body);
        },
        timeoutMs);
}

// A client that connects with a tiny receive buffer, sends its request and then never reads:
// the slow consumer a streaming server must drop. Plain POSIX socket, so no event loop reads
// on its behalf.
class StalledClient {
public:
    StalledClient() = default;
    ~StalledClient();
    StalledClient(const StalledClient &) = delete;
    StalledClient &operator=(const StalledClient &) = delete;

    bool connectAndSend(quint16 port, const QByteArray &request);
    void close();

private:
    int m_fd = -1;
};

// Server-Sent Events as a browser's EventSource parses them (WHATWG HTML, "Interpreting an
// event stream"), fed with the decoded body.
struct SseMessage {
    QByteArray lastEventId; // the stream's last event id when this event was dispatched
    QByteArray event; // empty means "message"
    QByteArray data;
};
struct SseParse {
    QList<SseMessage> events;
    QList<QByteArray> comments;
    QList<int> retries;
};
SseParse parseSse(const QByteArray &stream);

} // namespace tw::test
