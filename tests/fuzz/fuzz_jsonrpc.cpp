// JSON-RPC message handling in the MCP engine: McpServer::handle() (parse, classify, batch
// rules, lifecycle, dispatch, schema validation of tool arguments against each tool's
// inputSchema, the market-news tools, resources, prompts and completions) with a session
// that the input may have initialized first, one message per line, each on its own sink.
//
// Input: [flags][line\nline\n...] (at most 16 lines). flags bits 0-1: initialize first with
// no version / 2025-11-25 / 2025-06-18 / 2025-03-26 (the one that allows batches); bit 2:
// then send notifications/initialized.
//
// Checked: every message out is a JSON-RPC 2.0 object; a response has exactly one of
// result/error, an error has an integer code and a message; a response's id is one that the
// line carried (or null): answers never cross wires; the outcome handle() reports matches
// what reached the sink; and closing the session frees everything the input started (hub
// subscriptions, pending requests per sink).
#include "fuzzsupport.h"

#include "markettools.h"
#include "mcpserver.h"
#include "mcpsession.h"
#include "mcpsink.h"
#include "newshub.h"

#include <QCoreApplication>
#include <QEvent>
#include <QJsonArray>
#include <QJsonDocument>

#include <memory>

using namespace tw::mcp;
using tw::core::NewsItem;

namespace {

class RecordingSink : public McpSink {
public:
    void send(const QJsonObject &message) override { messages.append(message); }
    void complete() override { ++completions; }
    QList<QJsonObject> messages;
    int completions = 0;
};

struct Engine {
    tw::news::NewsHub hub;
    McpServer server { McpSettings {} };
    tw::news::MarketTools tools { &hub, &server };

    Engine()
    {
        tools.registerAll();
        // A few retained items, so get_market_news, search_news, the resource and a stream's
        // replay have something to return.
        QList<NewsItem> items;
        const char *symbols[] = { "TSLA", "AAPL", "MSFT", "NVDA" };
        for (int i = 0; i < 12; ++i) {
            NewsItem item;
            item.id = QStringLiteral("fuzz:%1").arg(i);
            item.symbols = { QString::fromLatin1(symbols[i % 4]) };
            item.headline = QStringLiteral("Fictional headline %1 about %2 widget orders").arg(i).arg(item.symbols.first());
            item.summary = QStringLiteral("Summary %1").arg(i);
            item.source = QStringLiteral("Fuzz Wire");
            item.url = QStringLiteral("https://news.example/fuzz/%1").arg(i);
            item.publishedAtMs = 1764064800000 + i * 1000;
            item.receivedAtMs = item.publishedAtMs;
            item.provider = QStringLiteral("demo");
            items.append(item);
        }
        hub.ingest(items);
    }
};

Engine &engine()
{
    tw::fuzz::ensureApp();
    static Engine *e = new Engine;
    return *e;
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// The ids a line carries: of the object, or of each object in the array.
QList<QJsonValue> idsOf(const QByteArray &line)
{
    QList<QJsonValue> ids;
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    auto add = [&](const QJsonValue &v) {
        if (v.isObject() && v.toObject().contains(QLatin1String("id")))
            ids.append(v.toObject().value(QLatin1String("id")));
    };
    if (doc.isObject())
        add(doc.object());
    for (const QJsonValue &v : doc.array())
        add(v);
    return ids;
}

void checkMessages(const RecordingSink &sink, const QList<QJsonValue> &ids, const QByteArray &line)
{
    for (const QJsonObject &m : sink.messages) {
        const QByteArray detail = "line: " + line + "\nout: " + json(m);
        tw::fuzz::check(m.value(QLatin1String("jsonrpc")) == QLatin1String("2.0"), "jsonrpc 2.0 out", detail);
        const bool hasResult = m.contains(QLatin1String("result"));
        const bool hasError = m.contains(QLatin1String("error"));
        const bool hasMethod = m.contains(QLatin1String("method"));
        tw::fuzz::check(int(hasResult) + int(hasError) + int(hasMethod) == 1,
            "a message is a request/notification, a result or an error", detail);
        if (hasMethod) {
            tw::fuzz::check(m.value(QLatin1String("method")).isString(), "method is a string", detail);
            continue;
        }
        tw::fuzz::check(m.contains(QLatin1String("id")), "a response has an id", detail);
        const QJsonValue id = m.value(QLatin1String("id"));
        tw::fuzz::check(id.isNull() || ids.contains(id), "a response answers an id of its own line", detail);
        if (hasResult) {
            tw::fuzz::check(m.value(QLatin1String("result")).isObject(), "a result is an object", detail);
        } else {
            const QJsonObject e = m.value(QLatin1String("error")).toObject();
            const double code = e.value(QLatin1String("code")).toDouble(0.5);
            tw::fuzz::check(e.value(QLatin1String("code")).isDouble() && code == double(qint64(code)),
                "an error code is an integer", detail);
            tw::fuzz::check(!e.value(QLatin1String("message")).toString().isEmpty(), "an error says what was wrong", detail);
        }
    }
}

int countResponses(const RecordingSink &sink)
{
    int n = 0;
    for (const QJsonObject &m : sink.messages)
        n += m.contains(QLatin1String("id")) && !m.contains(QLatin1String("method"));
    return n;
}

void drain()
{
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Engine &e = engine();
    tw::fuzz::ByteReader in(data, size);
    const uint8_t flags = in.byte();
    const QList<QByteArray> lines = in.rest().split('\n');
    const int subscriptionsBefore = e.hub.subscriptionCount();

    McpSession *session = e.server.createSession();
    const QString sessionId = session->id();
    auto sessionSink = std::make_shared<RecordingSink>();
    session->setSink(sessionSink);

    static const char *versions[] = { nullptr, "2025-11-25", "2025-06-18", "2025-03-26" };
    if (const char *version = versions[flags & 3]) {
        auto sink = std::make_shared<RecordingSink>();
        const QByteArray init = QByteArrayLiteral(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")")
            + version + QByteArrayLiteral(R"(","capabilities":{"roots":{"listChanged":true},"sampling":{},"elicitation":{}},"clientInfo":{"name":"fuzz","version":"1"}}})");
        const McpDispatch d = e.server.handle(session, init, sink);
        tw::fuzz::check(d.outcome == McpDispatch::Outcome::Answered && sink->messages.size() == 1
                && sink->messages.first().contains(QLatin1String("result")),
            "initialize is answered with a result", json(sink->messages.value(0)));
        if (flags & 4)
            e.server.handle(session, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", sink);
    }

    struct Sent {
        std::shared_ptr<RecordingSink> sink;
        QByteArray line;
        QList<QJsonValue> ids;
    };
    std::vector<Sent> sent;
    int count = 0;
    for (const QByteArray &line : lines) {
        if (++count > 16 || !e.server.session(sessionId))
            break; // bounded; and a line may not end the session, but stop if one did
        auto sink = std::make_shared<RecordingSink>();
        const McpDispatch d = e.server.handle(session, line, sink);
        const QList<QJsonValue> ids = idsOf(line);
        sent.push_back({ sink, line, ids });
        checkMessages(*sink, ids, line);
        const QByteArray detail = "line: " + line + "\noutcome " + QByteArray::number(int(d.outcome))
            + " requests " + QByteArray::number(d.requests) + " responses "
            + QByteArray::number(countResponses(*sink));
        switch (d.outcome) {
        case McpDispatch::Outcome::Rejected:
            tw::fuzz::check(countResponses(*sink) >= 1, "a rejected body gets an error", detail);
            break;
        case McpDispatch::Outcome::Accepted:
            tw::fuzz::check(d.requests == 0 && countResponses(*sink) == 0,
                "notifications and responses get no answer", detail);
            break;
        case McpDispatch::Outcome::Answered:
            tw::fuzz::check(countResponses(*sink) == d.requests, "every request answered once", detail);
            break;
        case McpDispatch::Outcome::Pending:
            tw::fuzz::check(countResponses(*sink) < d.requests, "a pending body has a request unanswered", detail);
            tw::fuzz::check(e.server.pendingRequests(sink.get()) > 0, "a pending body has requests running", detail);
            break;
        }
    }
    checkMessages(*sessionSink, {}, "(session sink)");

    // Let queued work run (list_changed flushes, deferred deletes), then end the session:
    // whatever the input started must be gone.
    drain();
    e.server.closeSession(sessionId);
    drain();
    tw::fuzz::check(!e.server.session(sessionId), "the session is closed");
    for (const Sent &s : sent) {
        // What ran on after handle() returned (and was cancelled by the close) obeys the same rules.
        checkMessages(*s.sink, s.ids, s.line);
        tw::fuzz::check(e.server.pendingRequests(s.sink.get()) == 0, "no request outlives its session", s.line);
    }
    checkMessages(*sessionSink, {}, "(session sink)");
    tw::fuzz::check(e.hub.subscriptionCount() == subscriptionsBefore,
        "closing the session frees its hub subscriptions",
        QByteArray::number(e.hub.subscriptionCount()) + " vs " + QByteArray::number(subscriptionsBefore));
    return 0;
}
