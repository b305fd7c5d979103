#include "newsbridge.h"

#include "httpresponder.h"
#include "httpserver.h"
#include "logging.h"
#include "newsfilter.h"
#include "newshub.h"
#include "ssewriter.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <charconv>

using namespace Qt::StringLiterals;

namespace tw::news {

namespace {

    http::HttpResponse badRequest(const QString &message)
    {
        return http::HttpResponse::error(
            400, QByteArrayLiteral("invalid_argument"), message, -32602);
    }

    // An integer query parameter within [min, max]; `def` when absent.
    std::optional<int> intParam(const http::HttpRequest &request, const QByteArray &name, int min,
        int max, int def, QString *problem)
    {
        const QByteArray raw = request.queryItem(name);
        if (raw.isNull() || raw.trimmed().isEmpty())
            return def;
        bool ok = false;
        const qint64 v = raw.trimmed().toLongLong(&ok);
        if (!ok || v < min || v > max) {
            *problem = u"%1: must be an integer from %2 to %3 (milliseconds)"_s
                           .arg(QString::fromLatin1(name))
                           .arg(min)
                           .arg(max);
            return std::nullopt;
        }
        return int(v);
    }

    QByteArray compact(const QJsonObject &o)
    {
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }

} // namespace

NewsBridge::NewsBridge(NewsHub *hub, http::HttpServer *server, QObject *parent)
    : QObject(parent)
    , m_hub(hub)
    , m_server(server)
{
    http::RouteTraits traits;
    traits.opensStream = true;
    server->router().add(
        QByteArrayLiteral("GET"), path(), traits, [this](http::HttpResponder *r) { handle(r); });
}

void NewsBridge::handle(http::HttpResponder *responder)
{
    const http::HttpRequest &request = responder->request();

    // A completed stream's EventSource reconnects with the final event's id: tell it to stop.
    const QByteArray lastEventId = request.header(QByteArrayLiteral("last-event-id")).trimmed();
    if (lastEventId == "end") {
        responder->respond(http::HttpResponse::noContent(204));
        return;
    }
    quint64 fromSequence = 0;
    if (!lastEventId.isEmpty()) {
        bool ok = false;
        fromSequence = lastEventId.toULongLong(&ok);
        if (!ok) {
            responder->respond(
                badRequest(u"Last-Event-ID: expected a news sequence number from this stream"_s));
            return;
        }
    }

    // symbol: one ticker or a comma-separated list (the seed's default is TSLA).
    QByteArray rawSymbols = request.queryItem(QByteArrayLiteral("symbol"));
    if (rawSymbols.isNull())
        rawSymbols = request.queryItem(QByteArrayLiteral("symbols"));
    if (rawSymbols.isNull())
        rawSymbols = QByteArrayLiteral("TSLA");
    QStringList symbols;
    const QList<QByteArray> parts = rawSymbols.split(',');
    for (const QByteArray &part : parts) {
        const QString s = NewsFilter::normalizedSymbol(QString::fromUtf8(part));
        if (s.isNull()) {
            responder->respond(badRequest(
                u"symbol: '%1' is not a ticker symbol"_s.arg(QString::fromUtf8(part.left(20)))));
            return;
        }
        if (!symbols.contains(s))
            symbols.append(s);
    }
    if (symbols.size() > 50) {
        responder->respond(badRequest(u"symbol: at most 50 symbols"_s));
        return;
    }
    QString problem;
    const std::optional<int> interval
        = intParam(request, QByteArrayLiteral("interval"), 1000, 300000, 10000, &problem);
    const std::optional<int> duration
        = intParam(request, QByteArrayLiteral("duration"), 1000, 3600000, 60000, &problem);
    if (!interval || !duration) {
        responder->respond(badRequest(problem));
        return;
    }
    QStringList keywords;
    const QByteArray rawKeywords = request.queryItem(QByteArrayLiteral("keywords"));
    if (!rawKeywords.isNull()) {
        const QStringList words = QString::fromUtf8(rawKeywords).split(u',', Qt::SkipEmptyParts);
        for (const QString &w : words) {
            if (w.trimmed().size() > 100) {
                responder->respond(badRequest(u"keywords: each keyword at most 100 characters"_s));
                return;
            }
            keywords.append(w.trimmed());
        }
    }
    if (!m_hub) {
        responder->respond(http::HttpResponse::error(
            503, QByteArrayLiteral("unavailable"), u"The news hub is not running"_s));
        return;
    }

    NewsStreamOptions options;
    options.filter = NewsFilter::fromLists(symbols, keywords);
    options.symbols = symbols;
    options.intervalMs = 0; // heartbeats are SSE comments, written by the SseWriter when idle
    options.durationMs = *duration;
    options.fromSequence = fromSequence;

    const quint64 number = m_nextStream++;
    const QString token = u"stream-news-%1"_s.arg(number);
    auto *writer = new http::SseWriter(responder, m_server, responder);
    writer->setHeartbeatInterval(*interval);
    if (!writer->start({}, kRetryMs))
        return;
    if (!m_streaming) {
        QList<ItemPtr> items = m_hub->latest(options.filter, kSnapshotLimit);
        std::reverse(items.begin(), items.end());
        http::SseEvent e;
        e.id = QByteArrayLiteral("end");
        e.data = compact(QJsonObject { { u"jsonrpc"_s, u"2.0"_s },
            { u"result"_s,
                NewsStream::buildResult(
                    items, int(items.size()), NewsStream::EndReason::Snapshot, symbols) },
            { u"id"_s, double(number) } });
        writer->send(e);
        writer->end();
        return;
    }
    if (fromSequence > 0 && fromSequence < m_hub->firstSequence()) {
        // An id from an earlier run of the server (this hub numbers from above anything a
        // previous run issued, see NewsHub): the client gets everything this run retains for
        // its symbols, and is told that what the old run published after its id is gone.
        writer->comment("gap: " + QByteArray::number(fromSequence)
            + " is from an earlier run of the server; replaying the items retained since it started");
        qCInfo(lcNews) << "bridge resume after" << fromSequence << "from an earlier run; this run began at"
                       << m_hub->firstSequence();
    } else if (fromSequence > 0 && m_hub->oldestRetainedSequence() > fromSequence + 1) {
        // The hub no longer holds everything after the client's last item: say so (a comment,
        // which EventSource ignores) rather than pretend the replay is complete.
        writer->comment("gap: some items after " + QByteArray::number(fromSequence) + " are no longer retained");
        qCInfo(lcNews) << "bridge resume after" << fromSequence << "has a gap; oldest retained is"
                       << m_hub->oldestRetainedSequence();
    }
    auto *stream = new NewsStream(m_hub, options, responder);
    ++m_active;
    QPointer<NewsBridge> self(this);

    // The hot path: the item's pre-escaped JSON string (escaped once by the hub for every
    // stream) between a few bytes of this stream's own -- byte for byte what QJsonDocument
    // writes for {"jsonrpc","method","params":{"message","progress","progressToken"}}, without
    // a QJsonObject, a UTF-16 round trip or a re-escape per subscriber, and without joining the
    // pieces: they go out as one chunk in one sendmsg(). Compact JSON has no raw line breaks, so
    // the event is one data: line and needs no SseWriter::format() scan.
    const QByteArray tail = ",\"progressToken\":\"" + token.toUtf8() + "\"}}\n\n";
    stream->setItemHandler(writer, [writer, stream, tail](const ItemPtr &item) {
        static constexpr char kIdField[] = "id: ";
        static constexpr char kHead[]
            = "\ndata: "
              "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"message\":";
        static constexpr char kProgress[] = ",\"progress\":";
        const QByteArray message = item->jsonString.isEmpty()
            ? compact(QJsonObject { { u"m"_s, QString::fromUtf8(item->json) } }).mid(5).chopped(1)
            : item->jsonString;
        char head[sizeof kIdField + 20 + sizeof kHead];
        char *p = std::copy_n(kIdField, sizeof kIdField - 1, head);
        p = std::to_chars(p, head + sizeof head, item->item.sequence).ptr;
        p = std::copy_n(kHead, sizeof kHead - 1, p);
        char progress[sizeof kProgress + 20];
        char *q = std::copy_n(kProgress, sizeof kProgress - 1, progress);
        q = std::to_chars(q, progress + sizeof progress, stream->itemCount()).ptr;
        writer->sendFormattedParts({ QByteArrayView(head, p - head), QByteArrayView(message),
            QByteArrayView(progress, q - progress), QByteArrayView(tail) });
    });
    connect(
        stream, &NewsStream::ended, writer, [writer, stream, number](NewsStream::EndReason reason) {
            if (reason == NewsStream::EndReason::Cancelled)
                return; // the client left: nobody to tell
            // Spliced from the items' published bytes (NewsStream::resultJson): compact JSON
            // has no raw line breaks, so the whole result is one data: line.
            writer->sendFormatted("id: end\ndata: {\"id\":" + QByteArray::number(number)
                + ",\"jsonrpc\":\"2.0\",\"result\":" + stream->resultJson(reason) + "}\n\n");
            writer->end();
        });
    connect(responder, &http::HttpResponder::closed, this,
        [self, stream = QPointer<NewsStream>(stream)](http::HttpResponder::CloseReason) {
            if (stream)
                stream->stop(NewsStream::EndReason::Cancelled);
            if (self)
                --self->m_active;
        });
    qCDebug(lcNews).noquote() << "bridge stream" << number << "for" << symbols.join(u',') << "from"
                              << fromSequence;
    stream->start();
}

} // namespace tw::news
