// The market-news face of the MCP engine: registers on an McpServer the tools
// (get_market_news, stream_market_news, search_news, list_news_sources), the resource template
// news://{symbol}/latest (subscribable), the prompt summarize_news and the completion of symbol
// arguments from the ticker list, all reading one NewsHub. Registers only; owns no transport,
// so the HTTP and stdio transports serve the same tools.
//
// stream_market_news progress: every item and every heartbeat is one notifications/progress
// with the client's progressToken; `progress` counts the events sent (items + heartbeats), so
// it strictly increases. An item's `message` is its JSON (the hub's shared bytes); a
// heartbeat's is {"type":"heartbeat","at":"<ISO time>","items":<items so far>}.
#pragma once

#include "newshub.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>

namespace tw::mcp {
class McpRequestContext;
class McpServer;
} // namespace tw::mcp

namespace tw::news {

class TickerList;

class MarketTools : public QObject {
    Q_OBJECT
public:
    // `hub` and `server` must outlive this object.
    MarketTools(NewsHub *hub, mcp::McpServer *server, QObject *parent = nullptr);

    void registerAll();

    // Items in a snapshot result (stream=false, streaming disabled).
    static constexpr int kSnapshotLimit = 50;
    // news://{symbol}/latest returns at most this many items.
    static constexpr int kResourceLimit = 20;
    // Symbols in one call.
    static constexpr int kMaxSymbols = 50;
    // The JSON Schema pattern of a symbol (NewsFilter::normalizedSymbol has the full rule).
    static QString symbolPattern();
    static QString resourceUri(const QString &symbol);

private:
    void registerGetMarketNews();
    void registerStreamMarketNews();
    void registerSearchNews();
    void registerListNewsSources();
    void registerLatestResource();
    void registerSummarizePrompt();
    void onPublished(const tw::news::ItemPtr &item);
    void flushResourceUpdates();
    QStringList completeSymbol(const QString &prefix) const;

    QPointer<NewsHub> m_hub;
    QPointer<mcp::McpServer> m_server;
    QSet<QString> m_dirtySymbols; // symbols with new items since the last flush
    QTimer m_updateTimer; // coalesces notifications/resources/updated
};

} // namespace tw::news
