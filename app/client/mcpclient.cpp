#include "mcpclient.h"

#include "logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace tw::client {

namespace {

    const QByteArray kSessionHeader = QByteArrayLiteral("Mcp-Session-Id");
    const QByteArray kVersionHeader = QByteArrayLiteral("MCP-Protocol-Version");

    QString str(const char *latin1) { return QString::fromLatin1(latin1); }

    QJsonObject makeRequestMessage(qint64 id, const QString &method, const QJsonObject &params)
    {
        QJsonObject o { { str("jsonrpc"), str("2.0") }, { str("id"), id },
            { str("method"), method } };
        if (!params.isEmpty())
            o.insert(str("params"), params);
        return o;
    }

    QJsonObject makeNotification(const QString &method, const QJsonObject &params)
    {
        QJsonObject o { { str("jsonrpc"), str("2.0") }, { str("method"), method } };
        if (!params.isEmpty())
            o.insert(str("params"), params);
        return o;
    }

    QByteArray compact(const QJsonObject &o)
    {
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }

    // A response's id as our integer id; -1 for ids we never issue (strings, fractions).
    qint64 responseId(const QJsonValue &id)
    {
        if (!id.isDouble())
            return -1;
        const double d = id.toDouble();
        const auto i = static_cast<qint64>(d);
        return static_cast<double>(i) == d ? i : -1;
    }

    QString progressKey(const QJsonValue &token)
    {
        if (token.isString())
            return token.toString();
        if (token.isDouble())
            return QString::number(token.toDouble(), 'g', 17);
        return {};
    }

} // namespace

McpClient::McpClient(const QUrl &endpoint, McpClientSettings settings, QObject *parent)
    : McpClient(Transport::Http, std::move(settings), parent)
{
    m_endpoint = endpoint;
    m_nam = new QNetworkAccessManager(this);
}

McpClient::McpClient(Transport transport, McpClientSettings settings, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_settings(std::move(settings))
{
    m_apiKey = m_settings.apiKey;
    if (m_apiKey.isEmpty() && m_settings.apiKeyFromEnvironment)
        m_apiKey = qgetenv("MCP_API_KEY").trimmed();
}

McpClient *McpClient::forCommand(
    const QString &program, const QStringList &args, McpClientSettings settings, QObject *parent)
{
    auto *client = new McpClient(Transport::Stdio, std::move(settings), parent);
    client->m_program = program;
    client->m_args = args;
    return client;
}

McpClient::~McpClient()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->closeWriteChannel();
        if (!m_process->waitForFinished(1000))
            m_process->kill();
        m_process->waitForFinished(1000);
    }
}

QStringList McpClient::supportedProtocolVersions()
{
    return { str("2025-11-25"), str("2025-06-18"), str("2025-03-26") };
}

void McpClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

// --- Lifecycle --------------------------------------------------------------------------------

void McpClient::connectToServer()
{
    if (m_state == State::Connecting || m_state == State::Ready)
        return;
    m_lastError = {};
    setState(State::Connecting);
    if (m_transport == Transport::Http) {
        startInitialize();
        return;
    }
    if (!m_process) {
        m_process = new QProcess(this);
        m_process->setProcessChannelMode(QProcess::SeparateChannels);
        connect(m_process, &QProcess::started, this, &McpClient::startInitialize);
        connect(m_process, &QProcess::readyReadStandardOutput, this, &McpClient::onProcessOutput);
        connect(m_process, &QProcess::readyReadStandardError, this, [this] {
            const QByteArray text = m_process->readAllStandardError();
            qCDebug(lcClient).noquote() << "server stderr:" << QString::fromUtf8(text).trimmed();
        });
        connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart) {
                failConnection(McpError::make(McpError::Kind::Process,
                    QStringLiteral("Could not start %1: %2")
                        .arg(m_program, m_process->errorString())));
            }
        });
        connect(m_process, &QProcess::finished, this, &McpClient::onProcessFinished);
    }
    m_stdoutBuffer.clear();
    m_process->start(m_program, m_args);
}

void McpClient::startInitialize()
{
    m_sessionId.clear();
    QJsonObject capabilities;
    if (m_handlers.contains(str("roots/list")))
        capabilities.insert(str("roots"), QJsonObject { { str("listChanged"), false } });
    if (m_handlers.contains(str("sampling/createMessage")))
        capabilities.insert(str("sampling"), QJsonObject());
    if (m_handlers.contains(str("elicitation/create")))
        capabilities.insert(str("elicitation"), QJsonObject());
    const QJsonObject params { { str("protocolVersion"), m_settings.protocolVersion },
        { str("capabilities"), capabilities },
        { str("clientInfo"),
            QJsonObject { { str("name"), m_settings.clientName },
                { str("version"), m_settings.clientVersion } } } };
    McpCall *call = createCall(str("initialize"), params, false, m_settings.initializeTimeoutMs);
    call->m_internal = true;
    connect(call, &McpCall::done, this, &McpClient::onInitializeDone);
    send(call);
}

void McpClient::onInitializeDone(const McpResponse &response)
{
    if (!response.ok()) {
        failConnection(response.error);
        return;
    }
    const QString version = response.result.value(str("protocolVersion")).toString();
    if (!supportedProtocolVersions().contains(version)) {
        failConnection(McpError::make(McpError::Kind::Protocol,
            QStringLiteral("The server speaks MCP revision \"%1\", which this client does not "
                           "support (supported: %2)")
                .arg(version, supportedProtocolVersions().join(str(", ")))));
        return;
    }
    m_protocolVersion = version;
    m_serverInfo = response.result.value(str("serverInfo")).toObject();
    m_serverCapabilities = response.result.value(str("capabilities")).toObject();
    const QJsonObject initialized = makeNotification(str("notifications/initialized"), {});
    if (m_transport == Transport::Stdio) {
        writeMessage(initialized);
        becomeReady();
        return;
    }
    postMessage(initialized, [this](const McpError &error) {
        if (error.isError())
            failConnection(error);
        else
            becomeReady();
    });
}

void McpClient::becomeReady()
{
    const bool again = m_reinitializing;
    m_reinitializing = false;
    qCDebug(lcClient) << "ready: revision" << m_protocolVersion;
    setState(State::Ready);
    if (m_wantServerStream)
        startServerStream();
    if (again)
        Q_EMIT sessionReinitialized(sessionId());
    else
        Q_EMIT ready();
    const QList<QPointer<McpCall>> pending = std::exchange(m_pending, {});
    for (const QPointer<McpCall> &call : pending) {
        if (call && !call->m_done)
            send(call);
    }
}

void McpClient::reinitialize()
{
    if (m_reinitializing)
        return;
    qCInfo(lcClient) << "session expired (404): initializing a new one";
    m_reinitializing = true;
    stopServerStream();
    setState(State::Connecting);
    startInitialize();
}

void McpClient::openServerStream()
{
    if (m_transport != Transport::Http)
        return;
    m_wantServerStream = true;
    if (m_state == State::Ready && !m_serverStream)
        startServerStream();
}

void McpClient::startServerStream()
{
    stopServerStream();
    auto *stream = new SseStream(m_endpoint, this);
    const QNetworkRequest request = makeRequest(false);
    const QList<QByteArray> names = request.rawHeaderList();
    for (const QByteArray &name : names)
        stream->setRawHeader(name, request.rawHeader(name));
    stream->setIdleTimeoutMs(0); // a quiet session is normal; the server's pings keep proxies awake
    stream->setMaxReconnectAttempts(m_settings.maxResumeAttempts);
    connect(stream, &SseStream::event, this, [this](const SseEvent &event) {
        if (event.data.isEmpty())
            return;
        const QJsonDocument doc = QJsonDocument::fromJson(event.data);
        if (doc.isObject())
            handleIncoming(doc.object());
    });
    connect(stream, &SseStream::error, this,
        [](const QString &message) { qCDebug(lcClient).noquote() << "server stream:" << message; });
    m_serverStream = stream;
    stream->start();
}

void McpClient::stopServerStream()
{
    if (SseStream *stream = m_serverStream) {
        m_serverStream = nullptr;
        stream->disconnect(this);
        stream->stop();
        stream->deleteLater();
    }
}

void McpClient::failConnection(const McpError &error)
{
    if (m_state == State::Closed)
        return;
    m_reinitializing = false;
    m_lastError = error;
    qCWarning(lcClient).noquote() << error.message;
    setState(State::Failed);
    const QList<QPointer<McpCall>> pending = std::exchange(m_pending, {});
    for (const QPointer<McpCall> &call : pending) {
        if (call)
            failCall(call, error);
    }
    Q_EMIT errorOccurred(error);
}

void McpClient::close()
{
    if (m_state == State::Closed)
        return;
    const QList<McpCall *> calls = m_calls.values();
    for (McpCall *call : calls)
        cancelCall(call, str("the client closed the session"), McpError::Kind::Cancelled);
    const QList<QPointer<McpCall>> pending = std::exchange(m_pending, {});
    for (const QPointer<McpCall> &call : pending) {
        if (call)
            failCall(
                call, McpError::make(McpError::Kind::NotConnected, str("The client was closed")));
    }
    setState(State::Closed);
    m_wantServerStream = false;
    stopServerStream();
    if (m_transport == Transport::Stdio) {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->closeWriteChannel(); // end of input: the server exits
            QTimer::singleShot(2000, m_process, [p = m_process] {
                if (p->state() != QProcess::NotRunning)
                    p->terminate();
            });
        } else {
            QTimer::singleShot(0, this, &McpClient::closed);
        }
        return;
    }
    if (m_sessionId.isEmpty()) {
        QTimer::singleShot(0, this, &McpClient::closed);
        return;
    }
    QNetworkRequest request = makeRequest(false);
    m_sessionId.clear();
    QNetworkReply *reply = m_nam->deleteResource(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        Q_EMIT closed();
    });
}

// --- Requests ---------------------------------------------------------------------------------

McpCall *McpClient::createCall(
    const QString &method, const QJsonObject &params, bool withProgress, int timeoutMs)
{
    const qint64 id = m_nextId++;
    QJsonObject p = params;
    QString token;
    if (withProgress) {
        token = QStringLiteral("tw-%1").arg(id);
        QJsonObject meta = p.value(str("_meta")).toObject();
        meta.insert(str("progressToken"), token);
        p.insert(str("_meta"), meta);
    }
    auto *call = new McpCall(this, id, method, makeRequestMessage(id, method, p));
    call->m_progressToken = token;
    m_calls.insert(id, call);
    if (!token.isEmpty())
        m_progressTokens.insert(token, id);
    if (timeoutMs > 0) {
        call->m_timeout.setInterval(timeoutMs);
        connect(&call->m_timeout, &QTimer::timeout, call, [this, call, timeoutMs] {
            cancelCall(call, QStringLiteral("timed out after %1 ms").arg(timeoutMs),
                McpError::Kind::Timeout);
        });
    }
    return call;
}

McpCall *McpClient::request(
    const QString &method, const QJsonObject &params, McpRequestOptions options)
{
    const bool progress = options.progress || bool(options.onProgress);
    const int timeout = options.timeoutMs < 0 ? m_settings.requestTimeoutMs : options.timeoutMs;
    McpCall *call = createCall(method, params, progress, timeout);
    if (options.onProgress)
        connect(call, &McpCall::progress, call, options.onProgress);
    if (options.onDone)
        connect(call, &McpCall::done, call, options.onDone);
    switch (m_state) {
    case State::Ready: send(call); break;
    case State::Connecting: m_pending.append(call); break;
    default: {
        const McpError error = McpError::make(McpError::Kind::NotConnected,
            m_state == State::Failed && m_lastError.isError()
                ? QStringLiteral("Not connected: %1").arg(m_lastError.message)
                : str("Not connected: call connectToServer() first"));
        QTimer::singleShot(0, call, [this, call, error] { failCall(call, error); });
        break;
    }
    }
    return call;
}

void McpClient::notify(const QString &method, const QJsonObject &params)
{
    if (m_state != State::Ready) {
        qCWarning(lcClient) << "notification" << method << "dropped: not connected";
        return;
    }
    const QJsonObject message = makeNotification(method, params);
    if (m_transport == Transport::Stdio)
        writeMessage(message);
    else
        postMessage(message);
}

void McpClient::setRequestHandler(const QString &method, RequestHandler handler)
{
    if (handler)
        m_handlers.insert(method, std::move(handler));
    else
        m_handlers.remove(method);
}

void McpClient::send(McpCall *call)
{
    call->m_sent = true;
    if (call->m_timeout.interval() > 0 && !call->m_timeout.isActive())
        call->m_timeout.start();
    if (m_transport == Transport::Stdio)
        writeMessage(call->m_message);
    else
        startPost(call);
}

void McpClient::completeCall(McpCall *call, const McpResponse &response)
{
    if (call->m_done)
        return;
    call->m_done = true;
    call->m_response = response;
    call->m_timeout.stop();
    m_calls.remove(call->m_id);
    if (!call->m_progressToken.isEmpty())
        m_progressTokens.remove(call->m_progressToken);
    if (QNetworkReply *reply = call->m_reply) {
        // The answer is in: let the server end the stream on its own (no abort, which would
        // look like a lost client), then free the reply.
        call->m_reply = nullptr;
        reply->disconnect(this);
        reply->disconnect(call);
        if (reply->isFinished())
            reply->deleteLater();
        else
            connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    }
    Q_EMIT call->done(response);
    call->deleteLater();
}

void McpClient::failCall(McpCall *call, const McpError &error)
{
    McpResponse response;
    response.error = error;
    completeCall(call, response);
}

void McpClient::cancelCall(McpCall *call, const QString &reason, McpError::Kind kind)
{
    if (call->m_done)
        return;
    m_pending.removeAll(call);
    if (call->m_sent && m_state == State::Ready) {
        const QJsonObject params { { str("requestId"), call->m_id }, { str("reason"), reason } };
        notify(str("notifications/cancelled"), params);
    }
    if (QNetworkReply *reply = call->m_reply) {
        call->m_reply = nullptr;
        reply->disconnect(this);
        reply->disconnect(call);
        reply->abort();
        reply->deleteLater();
    }
    failCall(call,
        McpError::make(kind,
            kind == McpError::Kind::Timeout ? QStringLiteral("%1: %2").arg(call->m_method, reason)
                                            : QStringLiteral("Cancelled: %1").arg(reason)));
}

// --- HTTP -------------------------------------------------------------------------------------

QNetworkRequest McpClient::makeRequest(bool post) const
{
    QNetworkRequest request(m_endpoint);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(
        QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setRawHeader("Accept-Encoding", "identity"); // no compression: events flow as sent
    if (post) {
        request.setHeader(
            QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Accept", "application/json, text/event-stream");
    } else {
        request.setRawHeader("Accept", "text/event-stream");
        request.setRawHeader("Cache-Control", "no-cache");
    }
    if (!m_apiKey.isEmpty()) {
        if (m_settings.apiKeyHeader == McpClientSettings::ApiKeyHeader::Bearer)
            request.setRawHeader("Authorization", "Bearer " + m_apiKey);
        else
            request.setRawHeader("X-API-Key", m_apiKey);
    }
    if (!m_sessionId.isEmpty())
        request.setRawHeader(kSessionHeader, m_sessionId);
    if (!m_protocolVersion.isEmpty())
        request.setRawHeader(kVersionHeader, m_protocolVersion.toLatin1());
    return request;
}

void McpClient::attachReply(McpCall *call, QNetworkReply *reply)
{
    call->m_reply = reply;
    call->m_headersSeen = false;
    call->m_isSse = false;
    call->m_parser.resetConnection();
    connect(reply, &QNetworkReply::readyRead, call,
        [this, call, reply] { onCallReadyRead(call, reply); });
    connect(reply, &QNetworkReply::finished, call,
        [this, call, reply] { onCallFinished(call, reply); });
}

void McpClient::startPost(McpCall *call)
{
    // initialize goes without a session: startInitialize() cleared it. A request sent again
    // after a re-initialize starts a new stream: nothing of the old one carries over.
    call->m_isResume = false;
    call->m_parser = SseParser();
    call->m_lastEventId.clear();
    call->m_retryMs = -1;
    call->m_resumeAttempts = 0;
    attachReply(call, m_nam->post(makeRequest(true), compact(call->m_message)));
}

void McpClient::startResume(McpCall *call)
{
    if (call->m_done)
        return;
    QNetworkRequest request = makeRequest(false);
    request.setRawHeader("Last-Event-ID", call->m_lastEventId);
    call->m_isResume = true;
    qCDebug(lcClient) << "resuming request" << call->m_id << "after event" << call->m_lastEventId;
    attachReply(call, m_nam->get(request));
}

void McpClient::onCallReadyRead(McpCall *call, QNetworkReply *reply)
{
    if (call->m_done || reply != call->m_reply)
        return;
    if (!call->m_headersSeen) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status != 200)
            return; // the error body is read when the reply finishes
        call->m_headersSeen = true;
        const QByteArray type
            = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray().toLower();
        call->m_isSse = type.startsWith("text/event-stream");
        if (call->m_isResume && call->m_isSse)
            call->m_resumeAttempts = 0; // reconnected: the budget counts failures in a row
        if (call->m_internal && reply->hasRawHeader(kSessionHeader))
            m_sessionId = reply->rawHeader(kSessionHeader);
    }
    if (call->m_isSse)
        feedSse(call, reply->readAll());
}

void McpClient::feedSse(McpCall *call, const QByteArray &bytes)
{
    const QList<SseEvent> events = call->m_parser.feed(bytes);
    if (const std::optional<int> retry = call->m_parser.takeRetry())
        call->m_retryMs = *retry;
    const QByteArray lastId = call->m_parser.lastEventId();
    call->m_lastEventId = lastId;
    QPointer<McpCall> guard(call);
    for (const SseEvent &event : events) {
        if (event.data.isEmpty() || event.type != "message")
            continue;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(event.data, &parseError);
        if (!doc.isObject()) {
            qCWarning(lcClient) << "ignoring an SSE event that is not a JSON-RPC message:"
                                << parseError.errorString();
            continue;
        }
        handleIncoming(doc.object());
        if (!guard || guard->m_done)
            return;
    }
}

void McpClient::onCallFinished(McpCall *call, QNetworkReply *reply)
{
    reply->deleteLater();
    if (call->m_done || reply != call->m_reply)
        return;
    call->m_reply = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();

    if (status == 0) { // no HTTP answer at all
        if ((call->m_headersSeen && call->m_isSse) || call->m_isResume) {
            tryResume(call, reply->errorString()); // the stream was lost mid-way
            return;
        }
        if (reply->error() == QNetworkReply::ConnectionRefusedError) {
            failCall(call,
                McpError::make(McpError::Kind::ConnectionRefused,
                    QStringLiteral(
                        "Connection refused: nothing is listening at %1 (is the server running?)")
                        .arg(m_endpoint.toDisplayString())));
        } else {
            failCall(call,
                McpError::make(McpError::Kind::Network,
                    QStringLiteral("Network error talking to %1: %2")
                        .arg(m_endpoint.toDisplayString(), reply->errorString())));
        }
        return;
    }
    if (status == 200 && !call->m_headersSeen)
        onCallReadyRead(call, reply); // headers and body arrived together
    if (call->m_done)
        return;

    if (status == 200 && call->m_isSse) {
        feedSse(call, reply->readAll());
        if (!call->m_done)
            tryResume(call, str("the stream ended before the response"));
        return;
    }
    if (status == 404 && !call->m_internal && !call->m_retriedAfter404
        && (m_state == State::Ready || m_state == State::Connecting)) {
        call->m_retriedAfter404 = true;
        call->m_sent = false;
        m_pending.append(call);
        reinitialize();
        return;
    }
    if (status == 409 && call->m_isResume) {
        // The server has not noticed yet that the previous connection is gone.
        tryResume(call, str("the stream is still being delivered"));
        return;
    }
    if (status < 200 || status > 299) {
        failCall(call, httpError(reply));
        return;
    }
    if (call->m_isResume) {
        failCall(call,
            McpError::make(McpError::Kind::Protocol,
                QStringLiteral("Resuming request %1 returned HTTP %2 instead of an event stream")
                    .arg(call->m_id)
                    .arg(status)));
        return;
    }
    if (status == 202) {
        failCall(call,
            McpError::make(McpError::Kind::Protocol,
                QStringLiteral("The server accepted %1 (202) but sent no response")
                    .arg(call->m_method)));
        return;
    }
    if (call->m_internal && reply->hasRawHeader(kSessionHeader))
        m_sessionId = reply->rawHeader(kSessionHeader);
    const QByteArray body = reply->readAll();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    QPointer<McpCall> guard(call);
    if (doc.isObject()) {
        handleIncoming(doc.object());
    } else if (doc.isArray()) {
        const QJsonArray array = doc.array();
        for (const QJsonValue &v : array)
            handleIncoming(v.toObject());
    } else {
        failCall(call,
            McpError::make(McpError::Kind::Protocol,
                QStringLiteral("The server's answer to %1 is not JSON: %2")
                    .arg(call->m_method, parseError.errorString())));
        return;
    }
    if (guard && !guard->m_done) {
        failCall(call,
            McpError::make(McpError::Kind::Protocol,
                QStringLiteral("The server's answer did not respond to %1 (id %2)")
                    .arg(call->m_method)
                    .arg(call->m_id)));
    }
}

void McpClient::tryResume(McpCall *call, const QString &why)
{
    if (call->m_lastEventId.isEmpty()) {
        failCall(call,
            McpError::make(McpError::Kind::Network,
                QStringLiteral("The response stream for %1 was lost (%2) and carried no event id "
                               "to resume from")
                    .arg(call->m_method, why)));
        return;
    }
    if (m_sessionId.isEmpty() || call->m_resumeAttempts >= m_settings.maxResumeAttempts) {
        failCall(call,
            McpError::make(McpError::Kind::Network,
                QStringLiteral(
                    "The response stream for %1 was lost (%2); gave up after %3 resume attempts")
                    .arg(call->m_method, why)
                    .arg(call->m_resumeAttempts)));
        return;
    }
    const int attempt = ++call->m_resumeAttempts;
    // The server's retry: first; when attempts fail in a row, back off exponentially.
    int backoff = m_settings.resumeBackoffMs;
    for (int i = 1; i < attempt && backoff < m_settings.resumeBackoffMaxMs; ++i)
        backoff *= 2;
    backoff = std::min(backoff, m_settings.resumeBackoffMaxMs);
    const int delay = call->m_retryMs < 0
        ? backoff
        : (attempt == 1 ? call->m_retryMs : std::max(call->m_retryMs, backoff));
    qCDebug(lcClient) << "stream of request" << call->m_id << "lost:" << why << "- resume attempt"
                      << attempt << "in" << delay << "ms";
    Q_EMIT call->resuming(attempt, delay);
    QTimer::singleShot(delay, call, [this, call] { startResume(call); });
}

void McpClient::postMessage(const QJsonObject &message, std::function<void(const McpError &)> done)
{
    QNetworkReply *reply = m_nam->post(makeRequest(true), compact(message));
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        McpError error;
        if (status == 0) {
            error = McpError::make(reply->error() == QNetworkReply::ConnectionRefusedError
                    ? McpError::Kind::ConnectionRefused
                    : McpError::Kind::Network,
                QStringLiteral("Network error talking to %1: %2")
                    .arg(m_endpoint.toDisplayString(), reply->errorString()));
        } else if (status < 200 || status > 299) {
            error = httpError(reply);
        }
        if (error.isError())
            qCWarning(lcClient).noquote() << "message not delivered:" << error.message;
        if (done)
            done(error);
    });
}

McpError McpClient::httpError(QNetworkReply *reply) const
{
    McpError e;
    e.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
    const QJsonObject rpc = body.value(str("error")).toObject();
    const QString detail = rpc.value(str("message")).toString();
    e.code = rpc.value(str("code")).toInt();
    e.data = rpc.value(str("data"));
    const QString suffix = detail.isEmpty() ? QString() : QStringLiteral(": %1").arg(detail);
    switch (e.httpStatus) {
    case 401:
        e.kind = McpError::Kind::Unauthorized;
        e.message = m_apiKey.isEmpty()
            ? QStringLiteral(
                "The server requires an API key (401): set MCP_API_KEY or pass --api-key")
            : QStringLiteral(
                "The server rejected the API key (401): check that it is one of the server's keys");
        break;
    case 403:
        e.kind = McpError::Kind::Forbidden;
        e.message = QStringLiteral("Forbidden (403)%1").arg(suffix);
        break;
    case 404:
        e.kind = McpError::Kind::NotFound;
        e.message = m_sessionId.isEmpty()
            ? QStringLiteral("Not found (404): %1 is not an MCP endpoint%2")
                  .arg(m_endpoint.toDisplayString(), suffix)
            : QStringLiteral("Not found (404): the session is unknown to the server%1").arg(suffix);
        break;
    case 406:
        e.kind = McpError::Kind::NotAcceptable;
        e.message = QStringLiteral("Not acceptable (406)%1").arg(suffix);
        break;
    case 429: {
        e.kind = McpError::Kind::RateLimited;
        bool ok = false;
        const int seconds = reply->rawHeader("Retry-After").trimmed().toInt(&ok);
        e.retryAfterSeconds = ok ? seconds : -1;
        e.message = ok ? QStringLiteral("Rate limited (429): retry after %1 s").arg(seconds)
                       : QStringLiteral("Rate limited (429)%1").arg(suffix);
        break;
    }
    default:
        e.kind = McpError::Kind::HttpStatus;
        e.message = QStringLiteral("HTTP %1 from %2%3")
                        .arg(e.httpStatus)
                        .arg(m_endpoint.toDisplayString(), suffix);
        break;
    }
    return e;
}

// --- stdio ------------------------------------------------------------------------------------

void McpClient::writeMessage(const QJsonObject &message)
{
    if (!m_process || m_process->state() != QProcess::Running) {
        qCWarning(lcClient) << "cannot send: the server process is not running";
        return;
    }
    m_process->write(compact(message) + '\n');
}

void McpClient::onProcessOutput()
{
    m_stdoutBuffer += m_process->readAllStandardOutput();
    qsizetype start = 0;
    QPointer<McpClient> guard(this);
    while (guard) {
        const qsizetype end = m_stdoutBuffer.indexOf('\n', start);
        if (end < 0)
            break;
        QByteArray line = m_stdoutBuffer.mid(start, end - start);
        start = end + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (!doc.isObject()) {
            qCWarning(lcClient) << "ignoring a line from the server that is not a JSON object";
            continue;
        }
        handleIncoming(doc.object());
    }
    if (guard)
        m_stdoutBuffer.remove(0, start);
}

void McpClient::onProcessFinished()
{
    const McpError error = McpError::make(McpError::Kind::Process,
        QStringLiteral("The server process %1 exited (code %2)")
            .arg(m_program)
            .arg(m_process->exitCode()));
    const QList<McpCall *> calls = m_calls.values();
    for (McpCall *call : calls)
        failCall(call, error);
    if (m_state == State::Closed) {
        Q_EMIT closed();
        return;
    }
    failConnection(error);
}

// --- Messages from the server -----------------------------------------------------------------

void McpClient::handleIncoming(const QJsonObject &message)
{
    const QString method = message.value(str("method")).toString();
    if (!method.isEmpty()) {
        if (message.contains(str("id")))
            answerServerRequest(message);
        else
            handleNotification(method, message.value(str("params")).toObject());
        return;
    }
    const qint64 id = responseId(message.value(str("id")));
    McpCall *call = m_calls.value(id);
    if (!call) {
        qCDebug(lcClient) << "response for an unknown or finished request"
                          << message.value(str("id"));
        return;
    }
    McpResponse response;
    if (message.contains(str("error"))) {
        const QJsonObject error = message.value(str("error")).toObject();
        response.error.kind = McpError::Kind::Rpc;
        response.error.code = error.value(str("code")).toInt();
        response.error.message = error.value(str("message")).toString();
        response.error.data = error.value(str("data"));
        if (response.error.message.isEmpty())
            response.error.message = QStringLiteral("Error %1").arg(response.error.code);
    } else if (message.value(str("result")).isObject()) {
        response.result = message.value(str("result")).toObject();
    } else {
        response.error = McpError::make(McpError::Kind::Protocol,
            QStringLiteral("The response to %1 has neither a result object nor an error")
                .arg(call->m_method));
    }
    completeCall(call, response);
}

void McpClient::handleNotification(const QString &method, const QJsonObject &params)
{
    if (method == QLatin1String("notifications/progress")) {
        const qint64 id
            = m_progressTokens.value(progressKey(params.value(str("progressToken"))), -1);
        if (McpCall *call = m_calls.value(id)) {
            McpProgress p;
            p.progress = params.value(str("progress")).toDouble();
            if (params.value(str("total")).isDouble())
                p.total = params.value(str("total")).toDouble();
            p.message = params.value(str("message")).toString();
            Q_EMIT call->progress(p);
        }
    } else if (method == QLatin1String("notifications/message")) {
        Q_EMIT logMessage(params.value(str("level")).toString(),
            params.value(str("logger")).toString(), params.value(str("data")));
    }
    Q_EMIT notificationReceived(method, params);
}

void McpClient::answerServerRequest(const QJsonObject &message)
{
    const QString method = message.value(str("method")).toString();
    const QJsonValue id = message.value(str("id"));
    QJsonObject answer { { str("jsonrpc"), str("2.0") }, { str("id"), id } };
    const auto refuse = [&answer](int code, const QString &text) {
        answer.insert(
            str("error"), QJsonObject { { str("code"), code }, { str("message"), text } });
    };
    if (const auto handler = m_handlers.find(method); handler != m_handlers.end()) {
        const McpResponse response = (*handler)(message.value(str("params")).toObject());
        if (response.ok())
            answer.insert(str("result"), response.result);
        else
            refuse(response.error.code ? response.error.code : -32603, response.error.message);
    } else if (method == QLatin1String("ping")) {
        answer.insert(str("result"), QJsonObject());
    } else if (method == QLatin1String("sampling/createMessage")
        || method == QLatin1String("elicitation/create") || method == QLatin1String("roots/list")) {
        refuse(-32601, QStringLiteral("%1 is not supported by this client").arg(method));
    } else {
        refuse(-32601, QStringLiteral("Method not found: %1").arg(method));
    }
    if (m_transport == Transport::Stdio)
        writeMessage(answer);
    else
        postMessage(answer);
}

} // namespace tw::client
