#include "newsstreamclient.h"

#include "logging.h"
#include "mcpclient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace tw::client {

NewsStreamClient::NewsStreamClient(McpClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

NewsStreamClient::~NewsStreamClient()
{
    if (m_call) {
        m_call->disconnect(this);
        m_call->cancel(QStringLiteral("the news stream client went away"));
    }
}

void NewsStreamClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void NewsStreamClient::start(
    const QStringList &symbols, const QStringList &keywords, int intervalMs, int durationMs)
{
    if (m_call) {
        McpCall *old = m_call;
        m_call = nullptr;
        old->disconnect(this);
        old->cancel(QStringLiteral("a new stream was started"));
    }
    m_seen.clear();
    m_itemCount = 0;
    m_heartbeatCount = 0;
    m_lastLatencyMs = 0;
    m_endReason.clear();
    m_result = {};
    m_lastError = {};
    if (!m_client) {
        setState(State::Failed);
        Q_EMIT error(QStringLiteral("No MCP client"));
        return;
    }
    QJsonObject arguments { { QStringLiteral("symbols"), QJsonArray::fromStringList(symbols) } };
    if (!keywords.isEmpty())
        arguments.insert(QStringLiteral("keywords"), QJsonArray::fromStringList(keywords));
    if (intervalMs > 0)
        arguments.insert(QStringLiteral("interval"), intervalMs);
    if (durationMs > 0)
        arguments.insert(QStringLiteral("duration"), durationMs);
    const QJsonObject params { { QStringLiteral("name"), QStringLiteral("stream_market_news") },
        { QStringLiteral("arguments"), arguments } };

    McpRequestOptions options;
    options.progress = true;
    options.timeoutMs = 0; // the stream ends by its duration or by stop()
    setState(State::Starting);
    m_call = m_client->request(QStringLiteral("tools/call"), params, options);
    connect(m_call, &McpCall::progress, this, &NewsStreamClient::onProgress);
    connect(m_call, &McpCall::done, this, &NewsStreamClient::onDone);
    connect(m_call, &McpCall::resuming, this, [this](int attempt, int delayMs) {
        setState(State::Reconnecting);
        Q_EMIT reconnecting(attempt, delayMs);
    });
}

void NewsStreamClient::stop()
{
    if (m_call)
        m_call->cancel(QStringLiteral("stopped by the user"));
}

void NewsStreamClient::onProgress(const McpProgress &progress)
{
    setState(State::Live);
    const QJsonObject message = QJsonDocument::fromJson(progress.message.toUtf8()).object();
    if (message.value(QStringLiteral("type")).toString() != QLatin1String("heartbeat")) {
        if (std::optional<core::NewsItem> news = core::NewsItem::fromJsonObject(message)) {
            if (m_seen.contains(news->id))
                return; // a replay after resumption: already shown
            m_seen.insert(news->id);
            ++m_itemCount;
            m_lastLatencyMs = QDateTime::currentMSecsSinceEpoch() - news->publishedAtMs;
            Q_EMIT item(*news, m_lastLatencyMs);
            return;
        }
    }
    // Anything that is not an item says the stream is alive.
    ++m_heartbeatCount;
    Q_EMIT heartbeat();
}

void NewsStreamClient::onDone(const McpResponse &response)
{
    m_call = nullptr;
    if (!response.ok()) {
        m_lastError = response.error;
        if (response.error.kind == McpError::Kind::Cancelled) {
            m_endReason = QStringLiteral("cancelled");
            setState(State::Stopped);
            Q_EMIT finished(m_endReason);
            return;
        }
        setState(State::Failed);
        Q_EMIT error(response.error.message);
        return;
    }
    if (response.result.value(QStringLiteral("isError")).toBool()) {
        const QJsonArray content = response.result.value(QStringLiteral("content")).toArray();
        QString text = content.isEmpty()
            ? QString()
            : content.first().toObject().value(QStringLiteral("text")).toString();
        if (text.isEmpty())
            text = QStringLiteral("stream_market_news failed");
        m_lastError = McpError::make(McpError::Kind::Rpc, text);
        setState(State::Failed);
        Q_EMIT error(text);
        return;
    }
    m_result = response.result.value(QStringLiteral("structuredContent")).toObject();
    m_endReason = m_result.value(QStringLiteral("endReason")).toString();
    if (m_endReason.isEmpty())
        m_endReason = QStringLiteral("ended");
    setState(State::Stopped);
    Q_EMIT finished(m_endReason);
}

} // namespace tw::client
