// A live news stream over an McpClient: calls the stream_market_news tool with a progress
// token and turns its progress messages into items (de-duplicated by id: a resumed stream may
// replay) and heartbeats, and its result into the end reason. What the GUI and the CLI use.
#pragma once

#include "mcperror.h"
#include "newsitem.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

namespace tw::client {

class McpCall;
class McpClient;
struct McpProgress;
struct McpResponse;

class NewsStreamClient : public QObject {
    Q_OBJECT
public:
    enum class State {
        Idle, // never started
        Starting, // the call is out; nothing received yet
        Live, // items or heartbeats arriving
        Reconnecting, // the stream was lost; resuming
        Stopped, // ended (duration, stop(), server end): see endReason()
        Failed, // see the error() signal
    };
    Q_ENUM(State)

    // `client` must outlive this object; it may still be connecting (the call is queued).
    explicit NewsStreamClient(McpClient *client, QObject *parent = nullptr);
    ~NewsStreamClient() override;

    // Starts a stream (stopping a running one first). intervalMs/durationMs <= 0: the
    // server's defaults.
    void start(const QStringList &symbols, const QStringList &keywords = {}, int intervalMs = 0,
        int durationMs = 0);
    // Cancels the stream on the server; finished("cancelled") follows.
    void stop();

    State state() const { return m_state; }
    bool isActive() const { return m_call != nullptr; }
    int itemCount() const { return m_itemCount; }
    int heartbeatCount() const { return m_heartbeatCount; }
    // receivedAt(now) - item.publishedAt of the last item, in ms.
    qint64 lastLatencyMs() const { return m_lastLatencyMs; }
    QString endReason() const { return m_endReason; }
    // The tool's final structuredContent (items sent, count, endReason, symbols).
    QJsonObject result() const { return m_result; }
    // Why the last stream failed (state Failed): lets a caller tell a lost server (Network,
    // ConnectionRefused: worth retrying) from a refusal (Unauthorized, a tool error: not).
    // A tool error (isError result) is Kind::Rpc with code 0.
    McpError lastError() const { return m_lastError; }

Q_SIGNALS:
    void item(const tw::core::NewsItem &item, qint64 latencyMs);
    void heartbeat();
    void finished(const QString &endReason);
    void stateChanged(tw::client::NewsStreamClient::State state);
    void error(const QString &message);
    // The stream was lost; attempt `attempt` to resume it starts in delayMs.
    void reconnecting(int attempt, int delayMs);

private:
    void onProgress(const McpProgress &progress);
    void onDone(const McpResponse &response);
    void setState(State state);

    QPointer<McpClient> m_client;
    QPointer<McpCall> m_call;
    State m_state = State::Idle;
    QSet<QString> m_seen; // item ids of this stream
    int m_itemCount = 0;
    int m_heartbeatCount = 0;
    qint64 m_lastLatencyMs = 0;
    QString m_endReason;
    QJsonObject m_result;
    McpError m_lastError;
};

} // namespace tw::client
