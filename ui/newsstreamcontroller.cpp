#include "newsstreamcontroller.h"

#include "logging.h"
#include "mcpclient.h"
#include "newsstreamclient.h"

#include <QTimer>

#include <algorithm>

using tw::client::McpClient;
using tw::client::McpError;
using tw::client::NewsStreamClient;

namespace tw::ui {

namespace {
    constexpr int kFirstRetryMs = 1000;
    constexpr int kMaxRetryMs = 15000;
    // A stream that ends sooner than this was not a normal renewal (a server ending streams at
    // once): go through the backoff instead of re-issuing in a tight loop.
    constexpr qint64 kShortestRenewalMs = 1000;
} // namespace

NewsStreamController::NewsStreamController(QObject *parent)
    : QObject(parent)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &NewsStreamController::issueCall);
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(kBatchIntervalMs);
    // Precise: a coarse timer may slip by 5%, which is still under a frame, but precise keeps
    // the latency figure honest.
    m_batchTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_batchTimer, &QTimer::timeout, this, &NewsStreamController::flushBatch);
}

NewsStreamController::~NewsStreamController()
{
    m_wanted = false;
    destroyClient();
}

QDateTime NewsStreamController::lastEventAt() const
{
    return m_lastEventMs > 0 ? QDateTime::fromMSecsSinceEpoch(m_lastEventMs) : QDateTime();
}

void NewsStreamController::onItem(const core::NewsItem &news, qint64 latencyMs)
{
    ++m_itemCount;
    m_lastLatencyMs = latencyMs;
    m_lastEventMs = QDateTime::currentMSecsSinceEpoch();
    m_batch.append(Received { news, latencyMs });
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void NewsStreamController::flushBatch()
{
    m_batchTimer.stop();
    if (m_batch.isEmpty())
        return;
    QVector<Received> batch;
    batch.swap(m_batch);
    Q_EMIT itemsReceived(batch);
}

McpClient *NewsStreamController::client() const { return m_client; }

QString NewsStreamController::sessionId() const
{
    return m_client ? m_client->sessionId() : QString();
}

void NewsStreamController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void NewsStreamController::setStreamTiming(int intervalMs, int durationMs)
{
    m_intervalMs = intervalMs;
    m_durationMs = durationMs;
}

void NewsStreamController::setEndpoint(const QUrl &endpoint, const QByteArray &apiKey)
{
    if (m_client && endpoint == m_endpoint && apiKey == m_apiKey)
        return;
    destroyClient();
    m_endpoint = endpoint;
    m_apiKey = apiKey;
    createClient();
    if (m_wanted) {
        m_retryTimer.stop();
        issueCall();
    }
}

void NewsStreamController::clearEndpoint()
{
    destroyClient();
    m_endpoint = QUrl();
    if (m_wanted) {
        m_retryTimer.stop();
        setState(State::Reconnecting);
        Q_EMIT retryScheduled(-1);
    }
}

void NewsStreamController::createClient()
{
    client::McpClientSettings settings;
    settings.apiKey = m_apiKey;
    settings.apiKeyFromEnvironment = false; // the key comes from the app's settings
    settings.clientName = QStringLiteral("tickerwire");
    settings.clientVersion = QStringLiteral(TW_VERSION_STRING);
    m_client = new McpClient(m_endpoint, settings, this);
    connect(m_client, &McpClient::ready, this,
        [this] { Q_EMIT sessionChanged(m_client->sessionId()); });
    connect(
        m_client, &McpClient::sessionReinitialized, this, &NewsStreamController::sessionChanged);
    connect(m_client, &McpClient::errorOccurred, this,
        [](const McpError &error) { qCInfo(lcUi).noquote() << "MCP client:" << error.message; });

    m_stream = new NewsStreamClient(m_client, this);
    connect(m_stream, &NewsStreamClient::item, this, &NewsStreamController::onItem);
    connect(m_stream, &NewsStreamClient::heartbeat, this,
        [this] { m_lastEventMs = QDateTime::currentMSecsSinceEpoch(); });
    connect(m_stream, &NewsStreamClient::stateChanged, this, &NewsStreamController::onStreamState);
    connect(m_stream, &NewsStreamClient::reconnecting, this, [this](int, int delayMs) {
        if (!m_wanted)
            return;
        setState(State::Reconnecting);
        Q_EMIT retryScheduled(delayMs);
    });
    connect(m_stream, &NewsStreamClient::finished, this, &NewsStreamController::onStreamFinished);
    connect(m_stream, &NewsStreamClient::error, this, &NewsStreamController::onStreamError);
    m_client->connectToServer();
}

void NewsStreamController::destroyClient()
{
    if (NewsStreamClient *stream = m_stream) {
        m_stream = nullptr;
        stream->disconnect(this);
        stream->stop(); // tells the server at once, while the session still exists
        stream->deleteLater();
    }
    if (McpClient *client = m_client) {
        m_client = nullptr;
        client->disconnect(this);
        // End the session politely (DELETE), then go; a dead server must not keep it alive.
        connect(client, &McpClient::closed, client, &QObject::deleteLater);
        QTimer::singleShot(3000, client, &QObject::deleteLater);
        client->close();
        Q_EMIT sessionChanged(QString());
    }
}

void NewsStreamController::start(const QStringList &symbols)
{
    flushBatch(); // what the last stream delivered belongs to it
    m_symbols = symbols;
    m_wanted = true;
    m_itemCount = 0;
    m_lastLatencyMs = 0;
    m_error.clear();
    m_retryDelayMs = 0;
    m_retryTimer.stop();
    setState(State::Connecting);
    issueCall();
}

void NewsStreamController::stop()
{
    const bool wasWanted = m_wanted;
    m_wanted = false;
    m_retryTimer.stop();
    if (m_stream && m_stream->isActive())
        m_stream->stop(); // notifications/cancelled + the stream closed: the server frees it
    flushBatch(); // what arrived before Stop is shown
    if (wasWanted || m_state != State::Error)
        setState(State::Stopped);
}

void NewsStreamController::retryNow()
{
    if (m_wanted && m_retryTimer.isActive()) {
        m_retryTimer.stop();
        issueCall();
    }
}

void NewsStreamController::issueCall()
{
    if (!m_wanted)
        return;
    if (!m_client || !m_stream) {
        // No server to talk to yet (the embedded one is starting): setEndpoint() goes on.
        return;
    }
    const McpClient::State cs = m_client->state();
    if (cs != McpClient::State::Ready && cs != McpClient::State::Connecting)
        m_client->connectToServer();
    qCInfo(lcUi).noquote() << "stream_market_news for" << m_symbols.join(QLatin1Char(','));
    m_callClock.start();
    m_stream->start(m_symbols, {}, m_intervalMs, m_durationMs);
}

void NewsStreamController::onStreamState()
{
    if (!m_wanted || !m_stream)
        return;
    switch (m_stream->state()) {
    case NewsStreamClient::State::Starting:
        // A renewal after the duration, or a retry, keeps what the user sees: still live, or
        // still reconnecting until news flows again.
        if (m_state == State::Reconnecting)
            Q_EMIT retryScheduled(-1);
        else if (m_state != State::Live)
            setState(State::Connecting);
        break;
    case NewsStreamClient::State::Live:
        m_retryDelayMs = 0;
        setState(State::Live);
        break;
    case NewsStreamClient::State::Reconnecting: setState(State::Reconnecting); break;
    case NewsStreamClient::State::Idle:
    case NewsStreamClient::State::Stopped:
    case NewsStreamClient::State::Failed: break; // finished() / error() decide
    }
}

void NewsStreamController::onStreamFinished(const QString &reason)
{
    if (!m_wanted || reason == QLatin1String("cancelled")) {
        m_wanted = false;
        setState(State::Stopped);
        return;
    }
    // The stream ran for its duration (or the server ended it): the user still wants news.
    if (reason == QLatin1String("duration") && m_callClock.isValid()
        && m_callClock.elapsed() >= kShortestRenewalMs) {
        qCInfo(lcUi).noquote() << "stream ended (" << reason << "): renewing";
        QTimer::singleShot(0, this, &NewsStreamController::issueCall);
        return;
    }
    qCInfo(lcUi).noquote() << "stream ended early (" << reason << "): retrying with backoff";
    scheduleRetry();
}

bool NewsStreamController::worthRetrying(const McpError &error)
{
    switch (error.kind) {
    case McpError::Kind::ConnectionRefused:
    case McpError::Kind::Network:
    case McpError::Kind::NotFound:
    case McpError::Kind::Timeout:
    case McpError::Kind::RateLimited:
    case McpError::Kind::NotConnected:
    case McpError::Kind::Process: return true;
    case McpError::Kind::HttpStatus: return error.httpStatus >= 500;
    case McpError::Kind::None:
    case McpError::Kind::Unauthorized:
    case McpError::Kind::Forbidden:
    case McpError::Kind::NotAcceptable:
    case McpError::Kind::Protocol:
    case McpError::Kind::Rpc:
    case McpError::Kind::Cancelled: return false;
    }
    return false;
}

void NewsStreamController::onStreamError(const QString &message)
{
    if (!m_wanted)
        return;
    const McpError error = m_stream ? m_stream->lastError() : McpError();
    if (worthRetrying(error)) {
        qCInfo(lcUi).noquote() << "stream lost:" << message;
        scheduleRetry();
        if (error.kind == McpError::Kind::RateLimited && error.retryAfterSeconds > 0)
            m_retryTimer.start(std::max(m_retryDelayMs, error.retryAfterSeconds * 1000));
        return;
    }
    m_wanted = false;
    m_error = message;
    qCWarning(lcUi).noquote() << "stream failed:" << message;
    setState(State::Error);
    Q_EMIT errorOccurred(message);
}

void NewsStreamController::scheduleRetry()
{
    m_retryDelayMs
        = m_retryDelayMs == 0 ? kFirstRetryMs : std::min(m_retryDelayMs * 2, kMaxRetryMs);
    m_retryTimer.start(m_retryDelayMs);
    setState(State::Reconnecting);
    Q_EMIT retryScheduled(m_retryDelayMs);
}

} // namespace tw::ui
