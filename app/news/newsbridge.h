// The seed's browser bridge, served natively: GET /api/mcp/stream-news?symbol=&interval=
// &duration=&keywords= streams news as Server-Sent Events an EventSource page reads directly,
// in the seed's format:
//
//   id: <hub sequence>
//   data:
//   {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"stream-news-<n>",
//          "progress":<items so far>,"message":"<the item's JSON>"}}
//   ...
//   id: end
//   data: {"jsonrpc":"2.0","result":{...the stream_market_news result...},"id":<n>}
//
// and then the stream ends. Heartbeats are SSE comments (": heartbeat <time>") every `interval`
// ms, so pages that treat every message as news see only news. Resumption: a request with
// Last-Event-ID: <sequence> replays the retained items after it and goes on live (no loss, no
// repeat while the hub still retains them); a comment ": gap: ..." first says when items after
// it are no longer retained, or when the id is from an earlier run of the server (each run
// numbers from above the previous one's ids, so such a client gets all this run retains for
// its symbols rather than only what comes next); an id above the hub's newest goes on live.
// Last-Event-ID: end -- what EventSource sends when it reconnects after a completed stream --
// is answered 204, which makes EventSource stop.
//
// Same pipeline as every route (rate limits incl. the new-streams limit, CORS, origin, API key).
// EventSource cannot send headers, so with API keys configured a browser needs a same-origin
// reverse proxy that adds X-API-Key; no key is accepted in the URL (it would end up in logs).
#pragma once

#include "newsstream.h"

#include <QObject>
#include <QPointer>

namespace tw::http {
class HttpResponder;
class HttpServer;
} // namespace tw::http

namespace tw::news {

class NewsHub;

class NewsBridge : public QObject {
    Q_OBJECT
public:
    static constexpr int kRetryMs = 2000; // the retry: hint each stream starts with
    static constexpr int kSnapshotLimit = 50; // items in a snapshot (streaming disabled)

    // Adds the route to `server`'s router. `hub` and `server` must outlive this object.
    NewsBridge(NewsHub *hub, http::HttpServer *server, QObject *parent = nullptr);

    static QByteArray path() { return QByteArrayLiteral("/api/mcp/stream-news"); }
    // With streaming off (--no-streaming, the seed's ENABLE_STREAMING=false) a request gets the
    // items available now as the final result event only (endReason "snapshot"), as the tool does.
    void setStreamingEnabled(bool enabled) { m_streaming = enabled; }
    int activeStreams() const { return m_active; }

private:
    void handle(http::HttpResponder *responder);

    QPointer<NewsHub> m_hub;
    http::HttpServer *m_server;
    quint64 m_nextStream = 1;
    int m_active = 0;
    bool m_streaming = true;
};

} // namespace tw::news
