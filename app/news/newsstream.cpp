#include "newsstream.h"

#include "ownedtimer.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace tw::news {

NewsStream::NewsStream(NewsHub *hub, NewsStreamOptions options, QObject *parent)
    : QObject(parent)
    , m_hub(hub)
    , m_options(std::move(options))
{
}

NewsStream::~NewsStream() { unsubscribe(); }

void NewsStream::timerEvent(QTimerEvent *event)
{
    if (core::isOwnedTimer(event, m_heartbeatTimer)) {
        onHeartbeat();
    } else if (core::isOwnedTimer(event, m_durationTimer)) {
        m_durationTimer.stop();
        stop(EndReason::Duration);
    } else {
        QObject::timerEvent(event);
    }
}

void NewsStream::setItemHandler(QObject *context, ItemHandler handler)
{
    m_itemContext = context;
    m_itemHandler = std::move(handler);
}

void NewsStream::start()
{
    if (m_running || m_ended || !m_hub)
        return;
    m_running = true;
    if (m_options.intervalMs > 0)
        core::startOwnedTimer(m_heartbeatTimer, m_options.intervalMs, this);
    if (m_options.durationMs > 0)
        core::startOwnedTimer(m_durationTimer, m_options.durationMs, this, Qt::PreciseTimer);
    const quint64 from
        = m_options.fromSequence > 0 ? m_options.fromSequence : m_hub->lastSequence();
    QPointer<NewsStream> self(this);
    m_subscription = m_hub->subscribe(m_options.filter, from, [self](const ItemPtr &item) {
        if (self)
            self->onItem(item);
    });
}

void NewsStream::stop(EndReason reason)
{
    if (m_ended)
        return;
    m_ended = true;
    m_running = false;
    m_heartbeatTimer.stop();
    m_durationTimer.stop();
    unsubscribe();
    Q_EMIT ended(reason);
}

void NewsStream::unsubscribe()
{
    if (m_subscription != 0 && m_hub)
        m_hub->unsubscribe(m_subscription);
    m_subscription = 0;
}

void NewsStream::onItem(const ItemPtr &item)
{
    if (!m_running)
        return;
    ++m_events;
    ++m_itemCount;
    m_lastSequence = item->item.sequence;
    if (m_items.size() < m_options.maxResultItems)
        m_items.append(item);
    if (m_itemHandler && m_itemContext)
        m_itemHandler(item);
}

void NewsStream::onHeartbeat()
{
    if (!m_running)
        return;
    ++m_events;
    Q_EMIT heartbeat(QDateTime::currentMSecsSinceEpoch());
}

QJsonObject NewsStream::result(EndReason reason) const
{
    return buildResult(
        m_items, m_itemCount, reason, m_options.symbols, m_itemCount > m_items.size());
}

QString NewsStream::endReasonName(EndReason reason)
{
    switch (reason) {
    case EndReason::Duration: return u"duration"_s;
    case EndReason::Cancelled: return u"cancelled"_s;
    case EndReason::Snapshot: return u"snapshot"_s;
    }
    return u"duration"_s;
}

QByteArray NewsStream::heartbeatJson(qint64 atMs, int itemsSoFar)
{
    return QJsonDocument(
        QJsonObject { { u"type"_s, u"heartbeat"_s }, { u"at"_s, core::NewsItem::isoTime(atMs) },
            { u"items"_s, itemsSoFar } })
        .toJson(QJsonDocument::Compact);
}

namespace {
    // The human-readable summary of a result: a sentence, then one line per listed item.
    QString resultText(const QList<ItemPtr> &items, int count, NewsStream::EndReason reason,
        const QStringList &symbols)
    {
        using EndReason = NewsStream::EndReason;
        QString text;
        const QString who = symbols.isEmpty() ? u"all symbols"_s : symbols.join(u", "_s);
        switch (reason) {
        case EndReason::Snapshot:
            text = u"%1 news item(s) available now for %2 (not streamed)."_s.arg(count).arg(who);
            break;
        case EndReason::Duration:
            text = u"Streamed %1 news item(s) for %2; the stream ran for its full duration."_s
                       .arg(count)
                       .arg(who);
            break;
        case EndReason::Cancelled:
            text = u"Streamed %1 news item(s) for %2 before the stream was cancelled."_s.arg(count)
                       .arg(who);
            break;
        }
        for (const ItemPtr &item : items) {
            text += u"\n- ["_s + core::NewsItem::isoTime(item->item.publishedAtMs) + u"] "_s
                + item->item.symbols.join(u',') + u": "_s + item->item.headline + u" ("_s
                + item->item.source + u")"_s;
        }
        return text;
    }

    // A JSON value's compact bytes (Qt's writer, so escaping matches everywhere else).
    QByteArray compactValue(const QJsonValue &value)
    {
        const QByteArray array = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
        return array.mid(1, array.size() - 2);
    }
} // namespace

QByteArray NewsStream::resultJson(EndReason reason) const
{
    return buildResultJson(
        m_items, m_itemCount, reason, m_options.symbols, m_itemCount > m_items.size());
}

QByteArray NewsStream::buildResultJson(const QList<ItemPtr> &items, int count, EndReason reason,
    const QStringList &symbols, bool truncated)
{
    const QByteArray text = compactValue(resultText(items, count, reason, symbols));
    qsizetype itemBytes = 0;
    for (const ItemPtr &item : items)
        itemBytes += item->json.size() + 1;
    QByteArray out;
    out.reserve(text.size() + itemBytes + 256);
    // Keys in the order QJsonDocument writes them (sorted), so both builders agree byte for byte.
    out += "{\"content\":[{\"text\":";
    out += text;
    out += ",\"type\":\"text\"}],\"structuredContent\":{\"count\":";
    out += QByteArray::number(count);
    out += ",\"endReason\":";
    out += compactValue(endReasonName(reason));
    out += ",\"items\":[";
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i > 0)
            out += ',';
        out += items.at(i)->json;
    }
    out += "],\"symbols\":";
    out += compactValue(QJsonArray::fromStringList(symbols));
    if (truncated)
        out += ",\"truncated\":true";
    out += "}}";
    return out;
}

QJsonObject NewsStream::buildResult(const QList<ItemPtr> &items, int count, EndReason reason,
    const QStringList &symbols, bool truncated)
{
    QJsonArray array;
    const QString text = resultText(items, count, reason, symbols);
    for (const ItemPtr &item : items)
        array.append(item->item.toJsonObject());
    QJsonObject structured {
        { u"items"_s, array },
        { u"count"_s, count },
        { u"endReason"_s, endReasonName(reason) },
        { u"symbols"_s, QJsonArray::fromStringList(symbols) },
    };
    if (truncated)
        structured.insert(u"truncated"_s, true);
    return QJsonObject {
        { u"content"_s,
            QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } } } },
        { u"structuredContent"_s, structured },
    };
}

QJsonObject NewsStream::resultSchema()
{
    return QJsonObject {
        { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject {
                { u"items"_s,
                    QJsonObject { { u"type"_s, u"array"_s },
                        { u"items"_s, QJsonObject { { u"type"_s, u"object"_s } } } } },
                { u"count"_s, QJsonObject { { u"type"_s, u"integer"_s }, { u"minimum"_s, 0 } } },
                { u"endReason"_s,
                    QJsonObject { { u"type"_s, u"string"_s },
                        { u"enum"_s,
                            QJsonArray { u"duration"_s, u"cancelled"_s, u"snapshot"_s } } } },
                { u"symbols"_s,
                    QJsonObject { { u"type"_s, u"array"_s },
                        { u"items"_s, QJsonObject { { u"type"_s, u"string"_s } } } } },
                { u"truncated"_s, QJsonObject { { u"type"_s, u"boolean"_s } } },
            } },
        { u"required"_s, QJsonArray { u"items"_s, u"count"_s, u"endReason"_s, u"symbols"_s } },
    };
}

} // namespace tw::news
