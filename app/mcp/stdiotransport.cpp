#include "stdiotransport.h"

#include "jsonrpcmessage.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "mcpsink.h"

#include <logging.h>

#include <QFileDevice>
#include <QIODevice>
#include <QJsonDocument>
#include <QSocketNotifier>
#include <QTimer>

#include <utility>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace tw::mcp {

namespace {
// One read(2) per notifier activation takes at most this much.
constexpr qsizetype ReadChunkBytes = 64 * 1024;
} // namespace

// The one sink of the process: the session's and every request's. Holds the transport
// weakly because the engine may keep a request (and so this sink) alive a little longer.
class StdioTransport::OutputSink : public McpSink {
public:
    explicit OutputSink(StdioTransport *transport)
        : m_transport(transport)
    {
    }
    void send(const QJsonObject &message) override
    {
        if (m_transport)
            m_transport->write(message);
    }

private:
    QPointer<StdioTransport> m_transport;
};

StdioTransport::StdioTransport(McpServer *server, QIODevice *in, QIODevice *out, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_inDevice(in)
    , m_outDevice(out)
{
}

StdioTransport::StdioTransport(McpServer *server, int inFd, int outFd, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_inFd(inFd)
    , m_outFd(outFd)
{
}

StdioTransport *StdioTransport::forStdio(McpServer *server, QObject *parent)
{
    return new StdioTransport(server, 0, 1, parent);
}

StdioTransport::~StdioTransport()
{
    // Without emitting finished(): nobody should hear from an object being destroyed.
    m_running = false;
    if (m_server && m_session)
        m_server->closeSession(m_session->id());
}

McpSession *StdioTransport::session() const
{
    return m_session.data();
}

void StdioTransport::setMaxLineBytes(qsizetype bytes)
{
    m_maxLineBytes = qMax<qsizetype>(1, bytes);
}

bool StdioTransport::start()
{
    if (m_started) {
        qCWarning(lcMcp) << "stdio: start() called twice";
        return false;
    }
    if (!m_server) {
        qCWarning(lcMcp) << "stdio: no MCP engine";
        return false;
    }

    if (m_inFd >= 0 || m_outFd >= 0) {
#ifdef Q_OS_UNIX
        if (m_inFd < 0 || ::fcntl(m_inFd, F_GETFL) == -1 || m_outFd < 0
            || ::fcntl(m_outFd, F_GETFL) == -1) {
            qCWarning(lcMcp) << "stdio: unusable file descriptors" << m_inFd << m_outFd;
            return false;
        }
        m_notifier = new QSocketNotifier(static_cast<qintptr>(m_inFd), QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, &StdioTransport::onFdReadable);
#else
        qCWarning(lcMcp) << "stdio: file-descriptor input is only implemented on Unix";
        return false;
#endif
    } else {
        if (!m_inDevice || !m_inDevice->isReadable() || !m_outDevice || !m_outDevice->isWritable()) {
            qCWarning(lcMcp) << "stdio: input must be open for reading and output for writing";
            return false;
        }
        connect(m_inDevice.data(), &QIODevice::readyRead, this, &StdioTransport::onDeviceReadable);
        connect(m_inDevice.data(), &QIODevice::readChannelFinished, this, &StdioTransport::onDeviceEnded);
        connect(m_inDevice.data(), &QIODevice::aboutToClose, this, &StdioTransport::onDeviceEnded);
        // Whatever is buffered already (or a whole non-sequential device), from the event
        // loop like every later read.
        QTimer::singleShot(0, this, &StdioTransport::onDeviceReadable);
    }

    m_started = true;
    m_running = true;
    m_sink = std::make_shared<OutputSink>(this);
    McpSession *session = m_server->createSession();
    session->setSink(m_sink);
    m_session = session;
    qCDebug(lcMcp) << "stdio: session" << session->id() << "started";
    return true;
}

void StdioTransport::stop()
{
    if (m_finished || !m_started)
        return;
    m_finished = true;
    m_running = false;
    if (m_notifier)
        m_notifier->setEnabled(false);
    if (m_inDevice)
        disconnect(m_inDevice.data(), nullptr, this, nullptr);
    if (m_server && m_session) {
        const QString id = m_session->id();
        const int inFlight = m_session->inFlightCount();
        if (inFlight > 0)
            qCInfo(lcMcp) << "stdio: cancelling" << inFlight << "in-flight request(s)";
        m_server->closeSession(id);
    }
    m_session.clear();
    qCDebug(lcMcp) << "stdio: finished after" << m_linesHandled << "line(s)," << m_messagesWritten
                   << "message(s) written";
    Q_EMIT finished();
}

void StdioTransport::onFdReadable()
{
#ifdef Q_OS_UNIX
    if (!m_running)
        return;
    // Exactly one read: poll() said the fd is readable, so it returns without blocking even
    // though the fd is in blocking mode (see the header for why O_NONBLOCK is not set).
    QByteArray chunk(ReadChunkBytes, Qt::Uninitialized);
    const ssize_t n = ::read(m_inFd, chunk.data(), static_cast<size_t>(chunk.size()));
    if (n > 0) {
        chunk.truncate(static_cast<qsizetype>(n));
        consume(chunk);
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return; // the notifier fires again
    if (n < 0)
        qCWarning(lcMcp) << "stdio: reading input failed:" << std::strerror(errno);
    endOfInput();
#endif
}

void StdioTransport::onDeviceReadable()
{
    if (!m_running || !m_inDevice)
        return;
    const QByteArray data = m_inDevice->readAll();
    if (!data.isEmpty())
        consume(data);
    if (m_running && m_inDevice && !m_inDevice->isSequential() && m_inDevice->atEnd())
        endOfInput();
}

void StdioTransport::onDeviceEnded()
{
    if (!m_running)
        return;
    if (m_inDevice && m_inDevice->isOpen()) {
        const QByteArray rest = m_inDevice->readAll();
        if (!rest.isEmpty())
            consume(rest);
    }
    endOfInput();
}

void StdioTransport::consume(const QByteArray &data)
{
    m_buffer.append(data);

    // A handler that spins a nested event loop could bring us back here: then the bytes are
    // only appended, and the outer loop below picks them up.
    if (m_inConsume)
        return;
    m_inConsume = true;

    qsizetype pos = 0;
    while (m_running) {
        const qsizetype nl = m_buffer.indexOf('\n', pos);
        if (m_discarding) {
            if (nl < 0) {
                pos = m_buffer.size();
                break;
            }
            pos = nl + 1;
            m_discarding = false;
            continue;
        }
        if (nl < 0) {
            // + 1: room for the "\r" of a CRLF that is not part of the line.
            if (m_buffer.size() - pos > m_maxLineBytes + 1) {
                // Answer now and drop the rest of the line as it arrives: memory stays bounded.
                rejectOversizedLine();
                m_discarding = true;
                pos = m_buffer.size();
            }
            break;
        }
        QByteArray line = m_buffer.mid(pos, nl - pos);
        pos = nl + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.size() > m_maxLineBytes) {
            rejectOversizedLine();
            continue;
        }
        handleLine(std::move(line));
    }
    if (pos >= m_buffer.size())
        m_buffer.clear();
    else if (pos > 0)
        m_buffer.remove(0, pos);

    m_inConsume = false;
}

void StdioTransport::rejectOversizedLine()
{
    // -32600 rather than -32700: the bytes may well be JSON, they are just too many to read.
    write(JsonRpcMessage::makeError(QJsonValue::Null, JsonRpcMessage::InvalidRequest,
        u"Invalid Request: message longer than the stdio line limit of "_s
            + QString::number(m_maxLineBytes) + u" bytes; discarded"_s));
    qCWarning(lcMcp) << "stdio: discarding a line longer than" << m_maxLineBytes << "bytes";
}

void StdioTransport::handleLine(QByteArray line)
{
    if (line.trimmed().isEmpty())
        return;
    if (!m_server || !m_session) {
        qCWarning(lcMcp) << "stdio: the engine or the session is gone; stopping";
        QTimer::singleShot(0, this, &StdioTransport::stop);
        m_running = false;
        return;
    }
    ++m_linesHandled;
    const McpDispatch d = m_server->handle(m_session.data(), line, m_sink);
    qCDebug(lcMcp) << "stdio: line of" << line.size() << "bytes:" << int(d.outcome) << "requests"
                   << d.requests;
}

void StdioTransport::endOfInput()
{
    if (!m_running)
        return;
    if (m_notifier)
        m_notifier->setEnabled(false);
    if (m_inConsume) { // inside a handler's nested event loop: finish the outer pass first
        QTimer::singleShot(0, this, &StdioTransport::endOfInput);
        return;
    }
    // A last message without its "\n" is still a message.
    if (!m_discarding && !m_buffer.isEmpty()) {
        QByteArray line = std::exchange(m_buffer, QByteArray());
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.size() > m_maxLineBytes)
            rejectOversizedLine();
        else
            handleLine(std::move(line));
    }
    m_buffer.clear();
    qCDebug(lcMcp) << "stdio: end of input";
    stop();
}

bool StdioTransport::write(const QJsonObject &message)
{
    if (m_outputBroken)
        return false;
    // Compact JSON escapes every control character inside strings, so the line holds no raw
    // "\n" but the terminator.
    QByteArray bytes = QJsonDocument(message).toJson(QJsonDocument::Compact);
    bytes.append('\n');
    if (!writeAll(bytes))
        return false;
    ++m_messagesWritten;
    return true;
}

bool StdioTransport::writeAll(const QByteArray &bytes)
{
    if (m_outFd >= 0) {
#ifdef Q_OS_UNIX
        const char *p = bytes.constData();
        qsizetype left = bytes.size();
        while (left > 0) {
            const ssize_t n = ::write(m_outFd, p, static_cast<size_t>(left));
            if (n > 0) {
                p += n;
                left -= static_cast<qsizetype>(n);
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                // Someone made stdout non-blocking: wait until the client reads.
                pollfd pfd {};
                pfd.fd = m_outFd;
                pfd.events = POLLOUT;
                if (::poll(&pfd, 1, -1) >= 0 || errno == EINTR)
                    continue;
            }
            outputBroken(QString::fromLocal8Bit(std::strerror(n < 0 ? errno : EIO)));
            return false;
        }
        return true;
#else
        return false;
#endif
    }

    if (!m_outDevice || !m_outDevice->isWritable()) {
        outputBroken(u"the output device is closed"_s);
        return false;
    }
    if (m_outDevice->write(bytes) != bytes.size()) {
        outputBroken(m_outDevice->errorString());
        return false;
    }
    if (auto *file = qobject_cast<QFileDevice *>(m_outDevice.data()); file && !file->flush()) {
        outputBroken(file->errorString());
        return false;
    }
    return true;
}

void StdioTransport::outputBroken(const QString &why)
{
    if (m_outputBroken)
        return;
    m_outputBroken = true;
    qCWarning(lcMcp).noquote() << "stdio: writing output failed, stopping:" << why;
    // Usually inside McpSink::send(), deep in the engine: end the session from the event loop.
    QTimer::singleShot(0, this, &StdioTransport::stop);
}

} // namespace tw::mcp
