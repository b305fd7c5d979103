#include "ssestream.h"

#include "logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>

#include <algorithm>

namespace tw::client {

namespace {
    constexpr qsizetype kMaxErrorBody = 64 * 1024; // enough for any JSON error message

    bool sameHeaderName(const QByteArray &a, const QByteArray &b)
    {
        return a.compare(b, Qt::CaseInsensitive) == 0;
    }
} // namespace

SseStream::SseStream(const QUrl &url, QObject *parent)
    : QObject(parent)
    , m_url(url)
    , m_manager(new QNetworkAccessManager(this))
{
    m_watchdog.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_watchdog, &QTimer::timeout, this, &SseStream::onIdleTimeout);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &SseStream::openConnection);
}

SseStream::~SseStream()
{
    m_reconnectTimer.stop();
    m_watchdog.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        delete m_reply;
    }
}

void SseStream::setRawHeader(const QByteArray &name, const QByteArray &value)
{
    m_headers.removeIf(
        [&name](const QPair<QByteArray, QByteArray> &h) { return sameHeaderName(h.first, name); });
    if (!value.isEmpty())
        m_headers.append({ name, value });
}

QByteArray SseStream::rawHeader(const QByteArray &name) const
{
    for (const auto &h : m_headers) {
        if (sameHeaderName(h.first, name))
            return h.second;
    }
    return QByteArray();
}

void SseStream::setBody(const QByteArray &body, const QByteArray &contentType)
{
    m_body = body;
    m_bodyContentType = contentType;
}

void SseStream::setBackoff(int initialMs, int maxMs)
{
    m_backoffInitialMs = std::max(1, initialMs);
    m_backoffMaxMs = std::max(m_backoffInitialMs, maxMs);
}

QByteArray SseStream::responseHeader(const QByteArray &name) const
{
    for (const auto &h : m_responseHeaders) {
        if (sameHeaderName(h.first, name))
            return h.second;
    }
    return QByteArray();
}

void SseStream::start()
{
    if (m_state == State::Connecting || m_state == State::Open || m_state == State::Reconnecting)
        return;
    m_requestCount = 0;
    m_failedAttempts = 0;
    m_reconnects = 0;
    m_errorString.clear();
    setState(State::Connecting);
    if (m_state == State::Connecting)
        openConnection();
}

void SseStream::stop()
{
    m_reconnectTimer.stop();
    dropReply();
    setState(State::Closed);
}

void SseStream::openConnection()
{
    dropReply();
    m_parser.resetConnection();
    m_responseChecked = false;
    m_errorResponse = false;
    m_errorBody.clear();
    m_responseHeaders.clear();
    m_httpStatus = 0;

    QNetworkRequest request(m_url);
    // Streams are long-lived: HTTP/1.1 (an HTTP/2 stream would share a connection with, and be
    // flow-controlled against, everything else), never cached, no transfer timeout (the idle
    // watchdog does that job), and no compression (a compressing proxy or server would buffer).
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(
        QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setTransferTimeout(0);
    request.setRawHeader(QByteArrayLiteral("Accept"), QByteArrayLiteral("text/event-stream"));
    request.setRawHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-cache"));
    request.setRawHeader(QByteArrayLiteral("Accept-Encoding"), QByteArrayLiteral("identity"));
    const QByteArray lastId = m_parser.lastEventId();
    if (!lastId.isEmpty())
        request.setRawHeader(QByteArrayLiteral("Last-Event-ID"), lastId);
    for (const auto &h : m_headers)
        request.setRawHeader(h.first, h.second);

    const bool resume = m_requestCount > 0 && m_resumeWithGet;
    const QByteArray method = resume ? QByteArrayLiteral("GET") : m_method;
    const bool withBody = !resume && (!m_body.isEmpty() || method != "GET");
    if (withBody && !m_bodyContentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, m_bodyContentType);

    ++m_requestCount;
    qCDebug(lcClient) << "SSE request" << m_requestCount << method << m_url.toDisplayString()
                      << "last-event-id" << lastId;
    QNetworkReply *reply = nullptr;
    if (method == "GET" && !withBody)
        reply = m_manager->get(request);
    else if (method == "POST")
        reply = m_manager->post(request, m_body);
    else if (withBody)
        reply = m_manager->sendCustomRequest(request, method, m_body);
    else
        reply = m_manager->sendCustomRequest(request, method);
    m_reply = reply;
    connect(reply, &QNetworkReply::metaDataChanged, this, &SseStream::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &SseStream::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &SseStream::onFinished);
    armWatchdog();
}

void SseStream::onMetaDataChanged()
{
    if (!m_responseChecked)
        checkResponse();
}

bool SseStream::checkResponse()
{
    if (!m_reply)
        return false;
    if (m_responseChecked)
        return m_state == State::Open && !m_errorResponse;
    const QVariant statusAttr = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttr.isValid())
        return false; // no response yet
    const int status = statusAttr.toInt();
    if (status >= 300 && status < 400
        && m_reply->attribute(QNetworkRequest::RedirectionTargetAttribute).isValid()
        && !m_reply->isFinished())
        return false; // the manager follows the redirect
    m_responseChecked = true;
    m_httpStatus = status;
    m_responseHeaders = m_reply->rawHeaderPairs();

    if (status == 204) {
        // The server's way of saying "do not reconnect".
        qCDebug(lcClient) << "SSE stream closed by the server (204)" << m_url.toDisplayString();
        m_reconnectTimer.stop();
        dropReply();
        setState(State::Closed);
        return false;
    }
    if (status != 200) {
        m_errorResponse = true; // the body (a JSON error, usually) is read until the reply finishes
        return false;
    }
    const QByteArray contentType = m_reply->rawHeader(QByteArrayLiteral("Content-Type"));
    const QByteArray mediaType = contentType.split(';').constFirst().trimmed().toLower();
    if (mediaType != "text/event-stream") {
        fail(tr("%1 did not answer with an event stream (Content-Type: %2)")
                 .arg(m_url.toDisplayString(),
                     contentType.isEmpty() ? tr("none") : QString::fromLatin1(contentType)));
        return false;
    }
    m_failedAttempts = 0;
    m_reconnects = 0;
    armWatchdog(); // the response head counts as bytes
    const quint64 generation = m_generation;
    setState(State::Open);
    return generation == m_generation && m_state == State::Open;
}

bool SseStream::takeResponseBytes(quint64 generation)
{
    // Shared by readyRead and finished: check the status line once, and keep (a bounded
    // prefix of) an error response's body for the message. False: nothing more to do here.
    if (!m_reply)
        return false;
    if (!m_responseChecked) {
        checkResponse();
        if (generation != m_generation || !m_reply)
            return false;
    }
    if (m_errorResponse) {
        const QByteArray bytes = m_reply->readAll();
        m_errorBody += bytes.left(std::max<qsizetype>(0, kMaxErrorBody - m_errorBody.size()));
    }
    return true;
}

void SseStream::onReadyRead()
{
    const quint64 generation = m_generation;
    if (!takeResponseBytes(generation))
        return;
    if (m_errorResponse) {
        armWatchdog();
        return;
    }
    if (m_state != State::Open)
        return; // status not known yet: the bytes wait in the reply
    const QByteArray bytes = m_reply->readAll();
    if (bytes.isEmpty())
        return;
    armWatchdog();
    const QList<SseEvent> events = m_parser.feed(bytes);
    if (const std::optional<int> retry = m_parser.takeRetry())
        m_reconnectDelayMs = *retry;
    if (m_parser.error() != SseParser::Error::None) {
        const QString message = m_parser.errorString();
        m_parser.takeError();
        qCWarning(lcClient) << "SSE stream" << m_url.toDisplayString() << message;
        Q_EMIT error(message);
        if (generation != m_generation)
            return;
    }
    for (const SseEvent &e : events) {
        Q_EMIT event(e);
        if (generation != m_generation)
            return; // a receiver stopped or restarted the stream
    }
}

void SseStream::onFinished()
{
    const quint64 generation = m_generation;
    if (!takeResponseBytes(generation))
        return;
    if (m_errorResponse) {
        fail(httpErrorMessage(m_httpStatus, m_errorBody));
        return;
    }
    if (m_state == State::Open) {
        onReadyRead(); // whatever arrived with the end of the stream
        if (generation != m_generation || !m_reply)
            return;
        const QString why = m_reply->error() == QNetworkReply::NoError
            ? tr("the server ended the stream")
            : m_reply->errorString();
        connectionLost(why);
        return;
    }
    if (m_responseChecked && m_httpStatus >= 300 && m_httpStatus < 400) {
        fail(tr("%1 answered HTTP %2 (a redirect that was not followed)")
                 .arg(m_url.toDisplayString())
                 .arg(m_httpStatus));
        return;
    }
    connectionLost(m_reply->errorString());
}

void SseStream::onIdleTimeout()
{
    if (!m_reply)
        return;
    qCDebug(lcClient) << "SSE stream idle for" << m_idleTimeoutMs
                      << "ms:" << m_url.toDisplayString();
    connectionLost(tr("no data for %1 ms").arg(m_idleTimeoutMs));
}

void SseStream::connectionLost(const QString &why)
{
    const bool wasOpen = m_state == State::Open;
    dropReply();
    int delay = m_reconnectDelayMs;
    if (!wasOpen) {
        // Never reached Open: exponential backoff, with jitter so that many clients that lost
        // the same server do not come back in step.
        ++m_failedAttempts;
        const int shift = std::min(m_failedAttempts - 1, 20);
        const qint64 full = std::min<qint64>(m_backoffMaxMs, qint64(m_backoffInitialMs) << shift);
        delay = int(full / 2 + QRandomGenerator::global()->bounded(full / 2 + 1));
    }
    ++m_reconnects;
    if (m_maxReconnectAttempts >= 0 && m_reconnects > m_maxReconnectAttempts) {
        fail(tr("%1: gave up after %2 reconnect attempts (%3)")
                 .arg(m_url.toDisplayString())
                 .arg(m_maxReconnectAttempts)
                 .arg(why));
        return;
    }
    m_errorString = why;
    qCInfo(lcClient) << "SSE stream" << m_url.toDisplayString() << "lost:" << why
                     << "- reconnecting in" << delay << "ms";
    const quint64 generation = m_generation;
    setState(State::Reconnecting);
    if (generation != m_generation || m_state != State::Reconnecting)
        return;
    Q_EMIT error(tr("connection to %1 lost (%2); reconnecting in %3 ms")
                     .arg(m_url.toDisplayString(), why)
                     .arg(delay));
    if (generation != m_generation || m_state != State::Reconnecting)
        return;
    scheduleReconnect(delay);
}

void SseStream::scheduleReconnect(int ms)
{
    m_reconnectTimer.start(std::max(0, ms));
    Q_EMIT reconnectScheduled(ms);
}

void SseStream::fail(const QString &message)
{
    m_reconnectTimer.stop();
    dropReply();
    m_errorString = message;
    qCWarning(lcClient).noquote() << "SSE stream failed:" << message;
    const quint64 generation = m_generation;
    setState(State::Failed);
    if (generation == m_generation && m_state == State::Failed)
        Q_EMIT error(message); // unless a receiver of stateChanged already restarted the stream
}

void SseStream::dropReply()
{
    ++m_generation;
    m_watchdog.stop();
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void SseStream::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void SseStream::armWatchdog()
{
    if (m_idleTimeoutMs > 0)
        m_watchdog.start(m_idleTimeoutMs);
}

QString SseStream::httpErrorMessage(int status, const QByteArray &body) const
{
    // Our server (and most JSON APIs) put a human message in a JSON-RPC error envelope, an
    // "error" string or object, or a top-level "message".
    QString detail;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QJsonObject obj = doc.object();
        const QJsonValue err = obj.value(QStringLiteral("error"));
        if (err.isObject())
            detail = err.toObject().value(QStringLiteral("message")).toString();
        else if (err.isString())
            detail = err.toString();
        if (detail.isEmpty())
            detail = obj.value(QStringLiteral("message")).toString();
    } else if (!body.isEmpty() && body.size() <= 200 && !body.contains('<')) {
        detail = QString::fromUtf8(body).simplified(); // a short plain-text message
    }
    QString message = tr("%1 answered HTTP %2").arg(m_url.toDisplayString()).arg(status);
    if (m_reply) {
        const QString reason
            = m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        if (!reason.isEmpty())
            message += QLatin1Char(' ') + reason;
    }
    if (!detail.isEmpty())
        message += QStringLiteral(": ") + detail;
    return message;
}

} // namespace tw::client
