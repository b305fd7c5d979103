// The window's connection to a news server: owns the McpClient (HTTP, with the API key) and
// the NewsStreamClient, and keeps the stream the user asked for running until Stop. It
// re-issues stream_market_news when a stream ends by its duration, resumes through the client
// library when the connection drops (GET + Last-Event-ID, or a new session and a new call when
// the server restarted), and when that gives up, retries with backoff for as long as the user
// wants news. Emits one simple state for the LIVE indicator. Items are handed on in batches,
// at most one per frame (~16 ms), so 1,000 items/s cost ~60 model updates a second.
#pragma once

#include "mcperror.h"
#include "newsitem.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QVector>

namespace tw::client {
class McpClient;
class NewsStreamClient;
} // namespace tw::client

namespace tw::ui {

class NewsStreamController : public QObject {
    Q_OBJECT
public:
    enum class State {
        Stopped,
        Connecting,
        Live,
        Reconnecting,
        Error
    };
    Q_ENUM(State)

    // One received item and its delivery latency (ms, receive time minus publish time).
    struct Received {
        core::NewsItem item;
        qint64 latencyMs = 0;
    };
    static constexpr int kBatchIntervalMs = 16; // one frame

    explicit NewsStreamController(QObject *parent = nullptr);
    ~NewsStreamController() override;

    // Points the client at an MCP endpoint (e.g. http://127.0.0.1:8750/mcp). A change closes
    // the old session; a stream that was wanted is started again on the new endpoint.
    void setEndpoint(const QUrl &endpoint, const QByteArray &apiKey);
    QUrl endpoint() const { return m_endpoint; }
    // Forgets the endpoint (e.g. the embedded server was switched off): the stream, if wanted,
    // waits in Reconnecting until setEndpoint() is called again.
    void clearEndpoint();

    // Heartbeat interval and stream duration sent with each call (<= 0: the server's defaults).
    void setStreamTiming(int intervalMs, int durationMs);

    // Go Live for these (validated, upper-case) symbols.
    void start(const QStringList &symbols);
    // Stop: cancels the call on the server at once (it frees the stream) and retries no more.
    void stop();
    // When waiting between retries: try now (e.g. the embedded server is back).
    void retryNow();

    State state() const { return m_state; }
    bool isWanted() const { return m_wanted; }
    QStringList symbols() const { return m_symbols; }
    qint64 itemCount() const { return m_itemCount; }
    qint64 lastLatencyMs() const { return m_lastLatencyMs; }
    QString errorString() const { return m_error; }
    QString sessionId() const;
    // The last sign of life from the stream (item or heartbeat); read it on a timer, it
    // changes up to thousands of times a second.
    QDateTime lastEventAt() const;
    tw::client::McpClient *client() const;
    // Hands what has been received so far to itemsReceived() now (Stop and tests use it).
    void flushBatch();
    int pendingCount() const { return int(m_batch.size()); }

Q_SIGNALS:
    // Items in arrival order, at most once per kBatchIntervalMs.
    void itemsReceived(const QVector<tw::ui::NewsStreamController::Received> &items);
    void stateChanged(tw::ui::NewsStreamController::State state);
    // Reconnecting: the next attempt starts in ms (-1: one is under way).
    void retryScheduled(int ms);
    void errorOccurred(const QString &message);
    void sessionChanged(const QString &sessionId);

private:
    void createClient();
    void destroyClient();
    void issueCall();
    void onStreamState();
    void onStreamFinished(const QString &reason);
    void onStreamError(const QString &message);
    void scheduleRetry();
    void onItem(const core::NewsItem &news, qint64 latencyMs);
    void setState(State state);
    static bool worthRetrying(const tw::client::McpError &error);

    QUrl m_endpoint;
    QByteArray m_apiKey;
    int m_intervalMs = 0;
    int m_durationMs = 0;
    QPointer<tw::client::McpClient> m_client;
    QPointer<tw::client::NewsStreamClient> m_stream;
    State m_state = State::Stopped;
    bool m_wanted = false;
    QStringList m_symbols;
    qint64 m_itemCount = 0;
    qint64 m_lastLatencyMs = 0;
    QString m_error;
    qint64 m_lastEventMs = 0; // epoch ms; 0 = none yet
    QTimer m_retryTimer;
    int m_retryDelayMs = 0;
    QElapsedTimer m_callClock; // since the current call went out
    QVector<Received> m_batch;
    QTimer m_batchTimer;
};

} // namespace tw::ui
