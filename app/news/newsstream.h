// One live news stream: a NewsHub subscription for a symbol set (and keywords) that hands each
// matching item on the moment the hub publishes it, a heartbeat every `intervalMs`, and an end
// after `durationMs` -- the engine behind both the stream_market_news tool and the browser
// bridge (GET /api/mcp/stream-news), so the two agree on what a stream sends and how its final
// result looks. Knows nothing of MCP or HTTP: the owner turns items (setItemHandler()) and
// heartbeat() into progress notifications or SSE events.
//
// Lifetime: parent it to whatever the stream belongs to (the request context, the HTTP
// responder); destroying it unsubscribes. stop() is idempotent and emits ended() once.
#pragma once

#include "newsfilter.h"
#include "newshub.h"

#include <QBasicTimer>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

namespace tw::news {

struct NewsStreamOptions {
    NewsFilter filter;
    QStringList symbols; // as the caller named them (normalised), for the result
    int intervalMs = 10000; // heartbeat period; <= 0 = no heartbeats
    int durationMs = 60000; // the stream ends after this long; <= 0 = until stop()
    // Replay retained items with a sequence above this first (Last-Event-ID resumption);
    // 0 = live items only.
    quint64 fromSequence = 0;
    // Items kept for the final result; later ones are still counted (result says truncated).
    int maxResultItems = 1000;
};

class NewsStream : public QObject {
    Q_OBJECT
public:
    enum class EndReason {
        Duration, // ran for its duration
        Cancelled, // the client cancelled or went away
        Snapshot, // not streamed: the items available at the time (stream=false / streaming off)
    };
    Q_ENUM(EndReason)

    NewsStream(NewsHub *hub, NewsStreamOptions options, QObject *parent = nullptr);
    ~NewsStream() override;

    using ItemHandler = std::function<void(const ItemPtr &item)>;
    // Called with each item the moment the hub hands it on (replayed ones first). A direct call
    // rather than a signal: this is the per-listener step of every fan-out, where emitting a
    // signal was ~4 % of the server's CPU (bench/README.md). `context` bounds it as a
    // connection's receiver would: once the context is destroyed the handler is not called.
    // Set it before start().
    void setItemHandler(QObject *context, ItemHandler handler);

    // Subscribes (replay, if fromSequence is set, is delivered before this returns) and
    // starts the timers.
    void start();
    // Unsubscribes, stops the timers and emits ended(reason) -- once.
    void stop(EndReason reason);

    bool isRunning() const { return m_running; }
    // Events handed on so far: items + heartbeats. Strictly increasing: the MCP progress value.
    quint64 eventCount() const { return m_events; }
    int itemCount() const { return m_itemCount; }
    quint64 lastSequence() const { return m_lastSequence; }
    const NewsStreamOptions &options() const { return m_options; }

    // The tool result of this stream: {content:[text], structuredContent:{...}}.
    QJsonObject result(EndReason reason) const;
    // The same shape for any item list (the snapshot path): items oldest first.
    static QJsonObject buildResult(const QList<ItemPtr> &items, int count, EndReason reason,
        const QStringList &symbols, bool truncated = false);
    // result(reason) as compact JSON, built from each item's published bytes instead of a
    // QJsonObject per item: a stream that ends with 1,000 items would otherwise hold the event
    // loop (and every other stream) for milliseconds, and many streams often end together.
    QByteArray resultJson(EndReason reason) const;
    static QByteArray buildResultJson(const QList<ItemPtr> &items, int count, EndReason reason,
        const QStringList &symbols, bool truncated = false);
    static QString endReasonName(EndReason reason);
    // {"type":"heartbeat","at":"<ISO time>","items":<n>}: the message of a heartbeat progress.
    static QByteArray heartbeatJson(qint64 atMs, int itemsSoFar);
    // The structuredContent schema of stream_market_news (also its outputSchema).
    static QJsonObject resultSchema();

Q_SIGNALS:
    void heartbeat(qint64 atMs);
    void ended(tw::news::NewsStream::EndReason reason);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    void onItem(const ItemPtr &item);
    void onHeartbeat();
    void unsubscribe();

    QPointer<NewsHub> m_hub;
    NewsStreamOptions m_options;
    quint64 m_subscription = 0;
    // QBasicTimers (timerEvent()): a stream may live for hours, one per listener.
    QBasicTimer m_heartbeatTimer; // repeating
    QBasicTimer m_durationTimer; // single-shot
    QPointer<QObject> m_itemContext;
    ItemHandler m_itemHandler;
    QList<ItemPtr> m_items;
    int m_itemCount = 0;
    quint64 m_events = 0;
    quint64 m_lastSequence = 0;
    bool m_running = false;
    bool m_ended = false;
};

} // namespace tw::news
