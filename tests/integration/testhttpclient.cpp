#include "testhttpclient.h"

#include <QJsonDocument>
#include <QSslConfiguration>
#include <QSslSocket>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tw::test {

namespace {
    constexpr qsizetype kMaxHeadBytes = 64 * 1024;
} // namespace

QByteArray ParsedResponse::header(const QByteArray &lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

int ParsedResponse::headerCount(const QByteArray &lowerName) const
{
    int n = 0;
    for (const auto &h : headers)
        n += h.first == lowerName ? 1 : 0;
    return n;
}

QJsonObject ParsedResponse::json() const { return QJsonDocument::fromJson(body).object(); }

QString ParsedResponse::errorReason() const
{
    return json()
        .value(QLatin1String("error"))
        .toObject()
        .value(QLatin1String("data"))
        .toObject()
        .value(QLatin1String("reason"))
        .toString();
}

int ParsedResponse::errorStatus() const
{
    return json()
        .value(QLatin1String("error"))
        .toObject()
        .value(QLatin1String("data"))
        .toObject()
        .value(QLatin1String("status"))
        .toInt(-1);
}

TestHttpClient::TestHttpClient(QObject *parent)
    : QObject(parent)
{
}

TestHttpClient::~TestHttpClient()
{
    if (m_socket)
        m_socket->abort();
}

bool TestHttpClient::connectToServer(
    const QHostAddress &address, quint16 port, const QHostAddress &from, int timeoutMs)
{
    auto *socket = new QTcpSocket(this);
    m_socket = socket;
    if (!from.isNull() && !socket->bind(from))
        return false;
    connect(socket, &QTcpSocket::readyRead, this, &TestHttpClient::onReadyRead);
    connect(socket, &QTcpSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::UnconnectedState) {
            onReadyRead();
            m_disconnected = true;
            parse();
        }
    });
    socket->connectToHost(address, port);
    return QTest::qWaitFor(
               [socket] {
                   return socket->state() == QAbstractSocket::ConnectedState
                       || socket->state() == QAbstractSocket::UnconnectedState;
               },
               timeoutMs)
        && socket->state() == QAbstractSocket::ConnectedState;
}

bool TestHttpClient::connectToServerEncrypted(
    const QString &peerName, quint16 port, const QSslCertificate &ca, int timeoutMs)
{
    auto *socket = new QSslSocket(this);
    m_socket = socket;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates({ ca });
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    socket->setSslConfiguration(config);
    connect(socket, &QSslSocket::readyRead, this, &TestHttpClient::onReadyRead);
    connect(socket, &QSslSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::UnconnectedState) {
            onReadyRead();
            m_disconnected = true;
            parse();
        }
    });
    socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, peerName);
    return QTest::qWaitFor(
               [socket] {
                   return socket->isEncrypted()
                       || socket->state() == QAbstractSocket::UnconnectedState;
               },
               timeoutMs)
        && socket->isEncrypted();
}

void TestHttpClient::write(const QByteArray &bytes)
{
    if (m_socket)
        m_socket->write(bytes);
}

void TestHttpClient::onReadyRead()
{
    if (!m_socket || !m_socket->isOpen())
        return;
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    m_raw += data;
    m_buffer += data;
    parse();
}

void TestHttpClient::fail(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
}

bool TestHttpClient::parseHead(ParsedResponse &r)
{
    if (m_buffer.size() >= 5 && !m_buffer.startsWith("HTTP/")) {
        fail(QStringLiteral("response does not start with a status line: %1")
                 .arg(QString::fromLatin1(m_buffer.left(40).toPercentEncoding())));
        return false;
    }
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_buffer.size() > kMaxHeadBytes)
            fail(QStringLiteral("response head larger than 64 KiB"));
        return false;
    }
    const QByteArray head = m_buffer.left(end);
    m_buffer.remove(0, end + 4);
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        // Every line but the last one of the block must have ended in CRLF.
        if (i + 1 < lines.size()) {
            if (!line.endsWith('\r')) {
                fail(QStringLiteral("bare LF in the response head"));
                return false;
            }
            line.chop(1);
        }
        if (line.contains('\r')) {
            fail(QStringLiteral("bare CR in the response head"));
            return false;
        }
        if (i == 0) {
            r.statusLine = line;
            const QList<QByteArray> parts = line.split(' ');
            bool ok = false;
            r.status = parts.size() >= 2 ? parts.at(1).toInt(&ok) : 0;
            if (parts.at(0) != "HTTP/1.1" || !ok || parts.at(1).size() != 3) {
                fail(QStringLiteral("bad status line: %1").arg(QString::fromLatin1(line)));
                return false;
            }
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || line.left(colon).contains(' ')) {
            fail(QStringLiteral("bad header line: %1").arg(QString::fromLatin1(line)));
            return false;
        }
        r.headers.append({ line.left(colon).toLower(), line.mid(colon + 1).trimmed() });
    }
    r.headComplete = true;

    const bool interim = r.status < 200;
    bool toHead = false;
    if (!interim && !m_headQueue.empty()) {
        toHead = m_headQueue.front();
        m_headQueue.pop_front();
    }
    m_remaining = -1;
    m_closeDelimited = false;
    if (interim || toHead || r.status == 204 || r.status == 304) {
        r.complete = true;
    } else if (r.header(QByteArrayLiteral("transfer-encoding")).toLower() == "chunked") {
        r.chunked = true;
    } else if (r.headerCount(QByteArrayLiteral("content-length")) == 1) {
        bool ok = false;
        m_remaining = r.header(QByteArrayLiteral("content-length")).toLongLong(&ok);
        if (!ok || m_remaining < 0) {
            fail(QStringLiteral("bad Content-Length"));
            return false;
        }
        r.complete = m_remaining == 0;
    } else if (r.headerCount(QByteArrayLiteral("content-length")) > 1) {
        fail(QStringLiteral("repeated Content-Length"));
        return false;
    } else {
        m_closeDelimited = true;
    }
    return true;
}

bool TestHttpClient::parseChunked(ParsedResponse &r)
{
    for (;;) {
        const qsizetype lineEnd = m_buffer.indexOf("\r\n");
        if (lineEnd < 0)
            return false;
        QByteArray sizeField = m_buffer.left(lineEnd);
        const qsizetype semicolon = sizeField.indexOf(';');
        if (semicolon >= 0)
            sizeField.truncate(semicolon);
        bool ok = false;
        const qint64 size = sizeField.toLongLong(&ok, 16);
        if (!ok || size < 0 || sizeField.isEmpty()) {
            fail(
                QStringLiteral("bad chunk size line: %1")
                    .arg(QString::fromLatin1(m_buffer.left(lineEnd).left(40).toPercentEncoding())));
            return false;
        }
        if (size == 0) {
            // Last chunk, then optional trailer fields, then an empty line.
            qsizetype pos = lineEnd + 2;
            for (;;) {
                const qsizetype trailerEnd = m_buffer.indexOf("\r\n", pos);
                if (trailerEnd < 0)
                    return false;
                if (trailerEnd == pos) {
                    m_buffer.remove(0, trailerEnd + 2);
                    r.complete = true;
                    return true;
                }
                pos = trailerEnd + 2;
            }
        }
        if (m_buffer.size() < lineEnd + 2 + size + 2)
            return false;
        const QByteArray data = m_buffer.mid(lineEnd + 2, size);
        if (m_buffer.mid(lineEnd + 2 + size, 2) != "\r\n") {
            fail(QStringLiteral("chunk data not followed by CRLF"));
            return false;
        }
        m_buffer.remove(0, lineEnd + 2 + size + 2);
        r.body += data;
        r.chunks.append(data);
    }
}

void TestHttpClient::parse()
{
    while (m_error.isEmpty()) {
        if (m_responses.empty() || m_responses.back().complete) {
            if (m_buffer.isEmpty())
                break;
            m_responses.emplace_back();
        }
        ParsedResponse &r = m_responses.back();
        if (!r.headComplete && !parseHead(r))
            break;
        if (r.complete)
            continue;
        if (r.chunked) {
            if (!parseChunked(r))
                break;
        } else if (m_remaining >= 0) {
            const qsizetype take = qsizetype(qMin<qint64>(m_remaining, m_buffer.size()));
            r.body += m_buffer.left(take);
            m_buffer.remove(0, take);
            m_remaining -= take;
            if (m_remaining > 0)
                break;
            r.complete = true;
        } else {
            // Close-delimited: everything until the server closes.
            r.body += m_buffer;
            m_buffer.clear();
            if (!m_disconnected)
                break;
            r.complete = true;
        }
    }
}

std::optional<ParsedResponse> TestHttpClient::nextResponse(int timeoutMs)
{
    (void)QTest::qWaitFor(
        [this] {
            return (!m_responses.empty() && m_responses.front().complete) || !m_error.isEmpty()
                || m_disconnected;
        },
        timeoutMs);
    if (m_responses.empty() || !m_responses.front().complete)
        return std::nullopt;
    ParsedResponse r = std::move(m_responses.front());
    m_responses.pop_front();
    return r;
}

const ParsedResponse *TestHttpClient::waitForHead(int timeoutMs)
{
    (void)QTest::qWaitFor(
        [this] {
            return (!m_responses.empty() && m_responses.front().headComplete) || !m_error.isEmpty()
                || m_disconnected;
        },
        timeoutMs);
    const ParsedResponse *r = current();
    return r && r->headComplete ? r : nullptr;
}

const ParsedResponse *TestHttpClient::current() const
{
    return m_responses.empty() ? nullptr : &m_responses.front();
}

bool TestHttpClient::waitForBodyContains(const QByteArray &needle, int timeoutMs)
{
    return waitForBody(
        [&needle](const QByteArray &body) { return body.contains(needle); }, timeoutMs);
}

int TestHttpClient::completeResponses() const
{
    int n = 0;
    for (const ParsedResponse &r : m_responses)
        n += r.complete ? 1 : 0;
    return n;
}

bool TestHttpClient::waitForDisconnected(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_disconnected; }, timeoutMs);
}

bool TestHttpClient::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState && !m_disconnected;
}

void TestHttpClient::disconnectFromServer()
{
    if (m_socket)
        m_socket->disconnectFromHost();
}

void TestHttpClient::abort()
{
    if (m_socket)
        m_socket->abort();
}

StalledClient::~StalledClient() { close(); }

bool StalledClient::connectAndSend(quint16 port, const QByteArray &request)
{
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (m_fd < 0)
        return false;
    // Set before connect(), so the window it advertises stays small and autotuning is off.
    const int rcvbuf = 4096;
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Blocking connect: the kernel completes it from the listen backlog, no event loop needed.
    if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0)
        return false;
    qsizetype sent = 0;
    while (sent < request.size()) {
        const ssize_t n
            = ::send(m_fd, request.constData() + sent, size_t(request.size() - sent), 0);
        if (n <= 0)
            return false;
        sent += n;
    }
    return true;
}

void StalledClient::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

SseParse parseSse(const QByteArray &stream)
{
    SseParse out;
    QByteArray lastId;
    QByteArray eventType;
    QByteArray data;
    bool haveData = false;
    qsizetype pos = 0;
    while (pos < stream.size()) {
        qsizetype end = pos;
        while (end < stream.size() && stream.at(end) != '\r' && stream.at(end) != '\n')
            ++end;
        if (end == stream.size())
            break; // an incomplete last line is not processed
        const QByteArray line = stream.mid(pos, end - pos);
        pos = end + 1;
        if (stream.at(end) == '\r' && pos < stream.size() && stream.at(pos) == '\n')
            ++pos;

        if (line.isEmpty()) {
            if (haveData) {
                if (data.endsWith('\n'))
                    data.chop(1);
                out.events.append({ lastId, eventType, data });
            }
            data.clear();
            haveData = false;
            eventType.clear();
            continue;
        }
        if (line.startsWith(':')) {
            out.comments.append(line.mid(1).startsWith(' ') ? line.mid(2) : line.mid(1));
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        const QByteArray field = colon < 0 ? line : line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "data") {
            data += value + '\n';
            haveData = true;
        } else if (field == "event") {
            eventType = value;
        } else if (field == "id") {
            if (!value.contains('\0'))
                lastId = value;
        } else if (field == "retry") {
            bool ok = false;
            const int ms = value.toInt(&ok);
            if (ok)
                out.retries.append(ms);
        }
    }
    return out;
}

} // namespace tw::test
