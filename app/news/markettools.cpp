#include "markettools.h"

#include "jsonrpcmessage.h"
#include "logging.h"
#include "mcpprompt.h"
#include "mcpprotocolversion.h"
#include "mcprequestcontext.h"
#include "mcpresourcetemplate.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "mcptool.h"
#include "newsfilter.h"
#include "newsprovider.h"
#include "newsstream.h"
#include "tickerlist.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;

namespace tw::news {

namespace {

    QJsonObject symbolSchema()
    {
        return QJsonObject { { u"type"_s, u"string"_s },
            { u"pattern"_s, MarketTools::symbolPattern() },
            { u"description"_s, u"A ticker symbol, e.g. TSLA, BRK.B, ^GSPC"_s } };
    }

    QJsonObject symbolsSchema()
    {
        return QJsonObject { { u"type"_s, u"array"_s }, { u"items"_s, symbolSchema() },
            { u"minItems"_s, 1 }, { u"maxItems"_s, MarketTools::kMaxSymbols },
            { u"description"_s, u"Several ticker symbols"_s } };
    }

    QJsonObject keywordsSchema()
    {
        return QJsonObject { { u"type"_s, u"array"_s },
            { u"items"_s,
                QJsonObject {
                    { u"type"_s, u"string"_s }, { u"minLength"_s, 1 }, { u"maxLength"_s, 100 } } },
            { u"maxItems"_s, 20 },
            { u"description"_s,
                u"Only items whose headline or summary contains any of these words"_s } };
    }

    QJsonObject integerSchema(int min, int max, int def, const QString &description)
    {
        return QJsonObject { { u"type"_s, u"integer"_s }, { u"minimum"_s, min },
            { u"maximum"_s, max }, { u"default"_s, def }, { u"description"_s, description } };
    }

    QJsonObject itemsResultSchema()
    {
        return QJsonObject {
            { u"type"_s, u"object"_s },
            { u"properties"_s,
                QJsonObject {
                    { u"items"_s,
                        QJsonObject { { u"type"_s, u"array"_s },
                            { u"items"_s, QJsonObject { { u"type"_s, u"object"_s } } } } },
                    { u"count"_s,
                        QJsonObject { { u"type"_s, u"integer"_s }, { u"minimum"_s, 0 } } },
                } },
            { u"required"_s, QJsonArray { u"items"_s, u"count"_s } },
        };
    }

    QJsonObject readOnly(bool openWorld)
    {
        return QJsonObject { { u"readOnlyHint"_s, true }, { u"destructiveHint"_s, false },
            { u"idempotentHint"_s, true }, { u"openWorldHint"_s, openWorld } };
    }

    // An argument the schema cannot express was wrong: -32602 naming the field (an isError tool
    // result for 2025-11-25 sessions, as the engine does for schema violations).
    void argumentError(mcp::McpRequestContext *ctx, const QString &problem)
    {
        const QString tool = ctx->params().value("name"_L1).toString();
        const QString text = u"Invalid arguments for tool "_s + tool + u": "_s + problem;
        if (mcp::McpProtocolVersion::argumentErrorsAsToolResults(ctx->protocolVersion()))
            ctx->finishWithToolError(text);
        else
            ctx->fail(mcp::JsonRpcMessage::InvalidParams, text,
                QJsonObject { { u"tool"_s, tool }, { u"problem"_s, problem } });
    }

    struct SymbolArguments {
        QStringList symbols; // normalised, unique, in the caller's order
        QString problem; // non-empty: "arguments.symbol: ..."
    };

    // `symbol` and/or `symbols`; `required` means at least one must be given.
    SymbolArguments symbolArguments(const QJsonObject &args, bool required)
    {
        SymbolArguments out;
        auto add = [&out](const QString &raw, const QString &field) {
            const QString s = NewsFilter::normalizedSymbol(raw);
            if (s.isNull()) {
                out.problem = field + u": '"_s + raw.left(20) + u"' is not a ticker symbol"_s;
                return false;
            }
            if (!out.symbols.contains(s))
                out.symbols.append(s);
            return true;
        };
        if (args.contains("symbol"_L1)
            && !add(args.value("symbol"_L1).toString(), u"arguments.symbol"_s))
            return out;
        const QJsonArray list = args.value("symbols"_L1).toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (!add(list.at(i).toString(), u"arguments.symbols[%1]"_s.arg(i)))
                return out;
        }
        if (required && out.symbols.isEmpty())
            out.problem = u"arguments.symbol: is required (give symbol or symbols)"_s;
        return out;
    }

    QStringList stringList(const QJsonValue &value)
    {
        QStringList out;
        const QJsonArray array = value.toArray();
        for (const QJsonValue &v : array)
            out.append(v.toString());
        return out;
    }

    QJsonObject itemsResult(const QList<ItemPtr> &items, const QString &heading)
    {
        QJsonArray array;
        QString text = heading;
        for (const ItemPtr &item : items) {
            array.append(item->item.toJsonObject());
            text += u"\n- ["_s + core::NewsItem::isoTime(item->item.publishedAtMs) + u"] "_s
                + item->item.symbols.join(u',') + u": "_s + item->item.headline + u" ("_s
                + item->item.source + u")"_s;
        }
        return QJsonObject {
            { u"content"_s,
                QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } } } },
            { u"structuredContent"_s,
                QJsonObject { { u"items"_s, array }, { u"count"_s, array.size() } } },
        };
    }

    // Newest-first hub answers become oldest-first lists (reading order, as a stream sends them).
    QList<ItemPtr> chronological(QList<ItemPtr> items)
    {
        std::reverse(items.begin(), items.end());
        return items;
    }

} // namespace

MarketTools::MarketTools(NewsHub *hub, mcp::McpServer *server, QObject *parent)
    : QObject(parent)
    , m_hub(hub)
    , m_server(server)
{
    m_updateTimer.setSingleShot(true);
    m_updateTimer.setInterval(100);
    connect(&m_updateTimer, &QTimer::timeout, this, &MarketTools::flushResourceUpdates);
    connect(hub, &NewsHub::published, this, &MarketTools::onPublished);
}

QString MarketTools::symbolPattern() { return u"^[A-Za-z0-9.^=-]{1,10}$"_s; }

QString MarketTools::resourceUri(const QString &symbol)
{
    return u"news://"_s + symbol + u"/latest"_s;
}

void MarketTools::registerAll()
{
    registerGetMarketNews();
    registerStreamMarketNews();
    registerSearchNews();
    registerListNewsSources();
    registerLatestResource();
    registerSummarizePrompt();
}

void MarketTools::registerGetMarketNews()
{
    mcp::McpTool t;
    t.name = u"get_market_news"_s;
    t.title = u"Latest market news"_s;
    t.description
        = u"The latest news items for one or more ticker symbols, newest first, optionally "
          "filtered by keywords and a start time."_s;
    t.inputSchema = QJsonObject {
        { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject {
                { u"symbol"_s, symbolSchema() },
                { u"symbols"_s, symbolsSchema() },
                { u"keywords"_s, keywordsSchema() },
                { u"limit"_s, integerSchema(1, 200, 20, u"Items at most"_s) },
                { u"since"_s,
                    QJsonObject { { u"type"_s, u"string"_s }, { u"maxLength"_s, 40 },
                        { u"description"_s,
                            u"Only items published at or after this ISO-8601 time, e.g. 2026-11-25T09:00:00Z"_s } } },
            } },
        { u"additionalProperties"_s, false },
    };
    t.outputSchema = itemsResultSchema();
    t.annotations = readOnly(true);
    t.handler = [this](mcp::McpRequestContext *ctx) {
        const QJsonObject args = ctx->arguments();
        const SymbolArguments sym = symbolArguments(args, true);
        if (!sym.problem.isEmpty())
            return argumentError(ctx, sym.problem);
        qint64 sinceMs = 0;
        if (args.contains("since"_L1)) {
            const std::optional<qint64> since
                = core::NewsItem::parseIsoTime(args.value("since"_L1).toString());
            if (!since)
                return argumentError(ctx,
                    u"arguments.since: must be an ISO-8601 time such as 2026-11-25T09:00:00Z"_s);
            sinceMs = *since;
        }
        if (!m_hub)
            return ctx->fail(mcp::JsonRpcMessage::InternalError, u"The news hub is not running"_s);
        const NewsFilter filter
            = NewsFilter::fromLists(sym.symbols, stringList(args.value("keywords"_L1)));
        const int limit = args.value("limit"_L1).toInt(20);
        const QList<ItemPtr> items = m_hub->latest(filter, limit, sinceMs);
        ctx->finish(itemsResult(items,
            u"%1 news item(s) for %2, newest first:"_s.arg(items.size())
                .arg(sym.symbols.join(u", "_s))));
    };
    m_server->registerTool(t);
}

void MarketTools::registerStreamMarketNews()
{
    mcp::McpTool t;
    t.name = u"stream_market_news"_s;
    t.title = u"Stream market news"_s;
    t.description
        = u"Streams news for the given symbols as it arrives: with a progressToken, each item is a "
          "notifications/progress whose message is the item's JSON, and every `interval` ms a "
          "heartbeat progress whose message is {\"type\":\"heartbeat\",...}; progress counts the "
          "events sent. Ends after `duration` ms (or on cancellation) with the items it sent. "
          "stream=false returns the items available now without waiting."_s;
    t.inputSchema = QJsonObject {
        { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject {
                { u"symbol"_s, symbolSchema() },
                { u"symbols"_s, symbolsSchema() },
                { u"keywords"_s, keywordsSchema() },
                { u"interval"_s, integerSchema(1000, 300000, 10000, u"Heartbeat period in ms"_s) },
                { u"duration"_s,
                    integerSchema(1000, 3600000, 60000, u"How long the stream runs, in ms"_s) },
                { u"stream"_s,
                    QJsonObject { { u"type"_s, u"boolean"_s }, { u"default"_s, true },
                        { u"description"_s,
                            u"false: return the items available now, no streaming"_s } } },
            } },
        { u"additionalProperties"_s, false },
    };
    t.outputSchema = NewsStream::resultSchema();
    t.annotations = readOnly(true);
    t.annotations.insert(u"idempotentHint"_s, false);
    t.handler = [this](mcp::McpRequestContext *ctx) {
        const QJsonObject args = ctx->arguments();
        const SymbolArguments sym = symbolArguments(args, true);
        if (!sym.problem.isEmpty())
            return argumentError(ctx, sym.problem);
        if (!m_hub)
            return ctx->fail(mcp::JsonRpcMessage::InternalError, u"The news hub is not running"_s);
        NewsStreamOptions options;
        options.filter = NewsFilter::fromLists(sym.symbols, stringList(args.value("keywords"_L1)));
        options.symbols = sym.symbols;
        options.intervalMs = args.value("interval"_L1).toInt(10000);
        options.durationMs = args.value("duration"_L1).toInt(60000);

        const bool streaming
            = m_server->settings().streamingEnabled && args.value("stream"_L1).toBool(true);
        if (!streaming) {
            const QList<ItemPtr> items
                = chronological(m_hub->latest(options.filter, kSnapshotLimit));
            ctx->finish(NewsStream::buildResult(
                items, int(items.size()), NewsStream::EndReason::Snapshot, sym.symbols));
            return;
        }
        const bool progress = ctx->hasProgressToken();
        if (!progress)
            options.intervalMs = 0; // heartbeats are progress notifications: none without a token
        // A child of the context: the engine deletes the context when the request ends (answered,
        // cancelled, expired), and with it the stream and its hub subscription.
        auto *stream = new NewsStream(m_hub, options, ctx);
        QPointer<mcp::McpRequestContext> guard(ctx);
        if (progress) {
            stream->setItemHandler(ctx, [ctx, stream](const ItemPtr &item) {
                // The item's JSON, escaped once by the hub, spliced into the notification.
                if (!item->jsonString.isEmpty())
                    ctx->sendProgressSerialized(double(stream->eventCount()), item->jsonString);
                else
                    ctx->sendProgress(
                        double(stream->eventCount()), std::nullopt, QString::fromUtf8(item->json));
            });
            connect(stream, &NewsStream::heartbeat, ctx, [ctx, stream](qint64 atMs) {
                ctx->sendProgress(double(stream->eventCount()), std::nullopt,
                    QString::fromUtf8(NewsStream::heartbeatJson(atMs, stream->itemCount())));
            });
        }
        connect(stream, &NewsStream::ended, ctx, [ctx, stream](NewsStream::EndReason reason) {
            // A cancelled request gets no response (the engine would drop it anyway).
            if (reason != NewsStream::EndReason::Cancelled && !ctx->isDone())
                ctx->finish(stream->result(reason));
        });
        connect(ctx, &mcp::McpRequestContext::cancelled, stream,
            [stream](const QString &) { stream->stop(NewsStream::EndReason::Cancelled); });
        stream->start();
    };
    m_server->registerTool(t);
}

void MarketTools::registerSearchNews()
{
    mcp::McpTool t;
    t.name = u"search_news"_s;
    t.title = u"Search news"_s;
    t.description
        = u"Searches retained news items: every word of `query` must appear in the headline, "
          u"summary "
          "or source (\"quoted phrases\" stay whole), optionally only for some symbols. Newest first."_s;
    t.inputSchema = QJsonObject {
        { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject {
                { u"query"_s,
                    QJsonObject { { u"type"_s, u"string"_s }, { u"minLength"_s, 1 },
                        { u"maxLength"_s, 200 }, { u"description"_s, u"Words to look for"_s } } },
                { u"symbols"_s, symbolsSchema() },
                { u"limit"_s, integerSchema(1, 200, 20, u"Items at most"_s) },
            } },
        { u"required"_s, QJsonArray { u"query"_s } },
        { u"additionalProperties"_s, false },
    };
    t.outputSchema = itemsResultSchema();
    t.annotations = readOnly(true);
    t.handler = [this](mcp::McpRequestContext *ctx) {
        const QJsonObject args = ctx->arguments();
        const SymbolArguments sym = symbolArguments(args, false);
        if (!sym.problem.isEmpty())
            return argumentError(ctx, sym.problem);
        const QString query = args.value("query"_L1).toString().trimmed();
        if (query.isEmpty())
            return argumentError(ctx, u"arguments.query: must not be blank"_s);
        if (!m_hub)
            return ctx->fail(mcp::JsonRpcMessage::InternalError, u"The news hub is not running"_s);
        const QSet<QString> symbols(sym.symbols.cbegin(), sym.symbols.cend());
        const QList<ItemPtr> items
            = m_hub->search(query, symbols, args.value("limit"_L1).toInt(20));
        ctx->finish(
            itemsResult(items, u"%1 news item(s) matching \"%2\":"_s.arg(items.size()).arg(query)));
    };
    m_server->registerTool(t);
}

void MarketTools::registerListNewsSources()
{
    mcp::McpTool t;
    t.name = u"list_news_sources"_s;
    t.title = u"News sources and their health"_s;
    t.description
        = u"The news providers this server runs, with their health: state, last fetch, last error, "
          "next poll and counts."_s;
    t.inputSchema = QJsonObject { { u"type"_s, u"object"_s }, { u"properties"_s, QJsonObject {} },
        { u"additionalProperties"_s, false } };
    t.outputSchema = QJsonObject {
        { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject { { u"sources"_s,
                QJsonObject { { u"type"_s, u"array"_s },
                    { u"items"_s, QJsonObject { { u"type"_s, u"object"_s } } } } } } },
        { u"required"_s, QJsonArray { u"sources"_s } },
    };
    t.annotations = readOnly(false);
    t.handler = [this](mcp::McpRequestContext *ctx) {
        QJsonArray sources;
        QString text = u"News sources:"_s;
        const QList<NewsProvider *> providers
            = m_hub ? m_hub->providers() : QList<NewsProvider *> {};
        for (const NewsProvider *p : providers) {
            const ProviderHealth &h = p->health();
            const QString state = ProviderHealth::stateName(h.state);
            QJsonObject o {
                { u"id"_s, p->id() },
                { u"name"_s, p->displayName() },
                { u"state"_s, state },
                { u"lastFetch"_s,
                    h.lastFetchMs > 0 ? QJsonValue(core::NewsItem::isoTime(h.lastFetchMs))
                                      : QJsonValue() },
                { u"nextPoll"_s,
                    h.nextPollMs > 0 ? QJsonValue(core::NewsItem::isoTime(h.nextPollMs))
                                     : QJsonValue() },
                { u"lastError"_s, h.lastError.isEmpty() ? QJsonValue() : QJsonValue(h.lastError) },
                { u"fetches"_s, double(h.fetches) },
                { u"failures"_s, double(h.failures) },
                { u"itemsDelivered"_s, double(h.itemsDelivered) },
            };
            sources.append(o);
            text += u"\n- "_s + p->id() + u" ("_s + p->displayName() + u"): "_s + state
                + (h.lastError.isEmpty() ? QString() : u" -- "_s + h.lastError);
        }
        ctx->finish(QJsonObject {
            { u"content"_s,
                QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } } } },
            { u"structuredContent"_s, QJsonObject { { u"sources"_s, sources } } },
        });
    };
    m_server->registerTool(t);
}

void MarketTools::registerLatestResource()
{
    mcp::McpResourceTemplate r;
    r.uriTemplate = u"news://{symbol}/latest"_s;
    r.name = u"latest-news"_s;
    r.title = u"Latest news for a symbol"_s;
    r.description = u"The latest news items for one ticker symbol as JSON, newest first. Subscribe "
                    u"to be told "
                    "(notifications/resources/updated) when new items arrive."_s;
    r.mimeType = u"application/json"_s;
    r.read = [this](mcp::McpRequestContext *ctx, const QString &uri,
                 const QHash<QString, QString> &vars) {
        const QString symbol = NewsFilter::normalizedSymbol(vars.value(u"symbol"_s));
        if (symbol.isNull())
            return ctx->fail(mcp::JsonRpcMessage::InvalidParams,
                u"params.uri: '"_s + uri.left(60) + u"' does not name a ticker symbol"_s);
        if (!m_hub)
            return ctx->fail(mcp::JsonRpcMessage::InternalError, u"The news hub is not running"_s);
        NewsFilter filter;
        filter.addSymbol(symbol);
        QJsonArray items;
        const QList<ItemPtr> latest = m_hub->latest(filter, kResourceLimit);
        for (const ItemPtr &item : latest)
            items.append(item->item.toJsonObject());
        const QJsonObject body { { u"symbol"_s, symbol }, { u"items"_s, items },
            { u"count"_s, items.size() } };
        ctx->finish(QJsonObject { { u"contents"_s,
            QJsonArray { QJsonObject { { u"uri"_s, uri }, { u"mimeType"_s, u"application/json"_s },
                { u"text"_s,
                    QString::fromUtf8(
                        QJsonDocument(body).toJson(QJsonDocument::Compact)) } } } } });
    };
    r.complete
        = [this](const QString &variable, const QString &value, const QHash<QString, QString> &) {
              return variable == QLatin1String("symbol") ? completeSymbol(value) : QStringList {};
          };
    m_server->registerResourceTemplate(r);
}

void MarketTools::registerSummarizePrompt()
{
    mcp::McpPrompt p;
    p.name = u"summarize_news"_s;
    p.title = u"Summarize the news for a symbol"_s;
    p.description
        = u"Asks the model to summarise the latest headlines for a ticker symbol (embedded in the prompt)."_s;
    p.arguments = { mcp::McpPromptArgument {
        u"symbol"_s, u"Symbol"_s, u"A ticker symbol, e.g. TSLA"_s, true } };
    p.get = [this](mcp::McpRequestContext *ctx) {
        const QString raw = ctx->arguments().value("symbol"_L1).toString();
        const QString symbol = NewsFilter::normalizedSymbol(raw);
        if (symbol.isNull())
            return ctx->fail(mcp::JsonRpcMessage::InvalidParams,
                u"params.arguments.symbol: '"_s + raw.left(20) + u"' is not a ticker symbol"_s);
        NewsFilter filter;
        filter.addSymbol(symbol);
        const QList<ItemPtr> items
            = m_hub ? m_hub->latest(filter, kResourceLimit) : QList<ItemPtr> {};
        QString text
            = u"Summarize the latest market news for %1 for a trader: the main stories, their "
              u"likely "
              "impact and the overall sentiment. Say when items are demo (fictional) data.\n\n"_s
                  .arg(symbol);
        if (items.isEmpty())
            text += u"There are no recent headlines for %1."_s.arg(symbol);
        else
            text += u"Latest headlines (newest first):"_s;
        for (const ItemPtr &item : items) {
            const core::NewsItem &n = item->item;
            text += u"\n- ["_s + core::NewsItem::isoTime(n.publishedAtMs) + u"] "_s + n.headline
                + u" -- "_s + n.source + u" ("_s + n.provider + u")"_s;
            if (n.sentiment)
                text += u" sentiment %1"_s.arg(*n.sentiment, 0, 'f', 2);
        }
        ctx->finish(QJsonObject {
            { u"description"_s, QString(u"Latest news for "_s + symbol) },
            { u"messages"_s,
                QJsonArray { QJsonObject { { u"role"_s, u"user"_s },
                    { u"content"_s,
                        QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } } } } } },
        });
    };
    p.complete
        = [this](const QString &argument, const QString &value, const QHash<QString, QString> &) {
              return argument == QLatin1String("symbol") ? completeSymbol(value) : QStringList {};
          };
    m_server->registerPrompt(p);
}

QStringList MarketTools::completeSymbol(const QString &prefix) const
{
    return TickerList::builtIn().complete(prefix.trimmed(), 100);
}

void MarketTools::onPublished(const ItemPtr &item)
{
    for (const QString &s : item->item.symbols)
        m_dirtySymbols.insert(s);
    if (!m_dirtySymbols.isEmpty() && !m_updateTimer.isActive())
        m_updateTimer.start();
}

void MarketTools::flushResourceUpdates()
{
    const QSet<QString> dirty = std::exchange(m_dirtySymbols, {});
    if (!m_server)
        return;
    // Only URIs someone subscribed to, exactly as they wrote them.
    QSet<QString> uris;
    const QList<mcp::McpSession *> sessions = m_server->sessions();
    for (const mcp::McpSession *s : sessions) {
        const QSet<QString> subs = s->subscriptions();
        for (const QString &uri : subs) {
            if (!uri.startsWith("news://"_L1) || !uri.endsWith("/latest"_L1))
                continue;
            const QString symbol = NewsFilter::normalizedSymbol(uri.mid(7, uri.size() - 7 - 7));
            if (!symbol.isNull() && dirty.contains(symbol))
                uris.insert(uri);
        }
    }
    for (const QString &uri : std::as_const(uris))
        m_server->notifyResourceUpdated(uri);
}

} // namespace tw::news
