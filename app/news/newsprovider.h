// A source of news items. Providers know nothing of MCP or HTTP serving: they fetch (or, for
// the demo, generate) items and hand batches to the NewsHub through itemsReady(). Each one
// reports its health so operators and the GUI can see why a feed is quiet.
#pragma once

#include "newsitem.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

namespace tw::news {

struct ProviderHealth {
    enum class State { Idle, Ok, Degraded, Failing, Disabled };
    State state = State::Idle;
    qint64 lastFetchMs = 0; // UTC epoch ms of the last completed fetch (0 = never)
    qint64 nextPollMs = 0; // when the next fetch is due (0 = not scheduled)
    QString lastError; // what went wrong last, for a human; empty when fine
    quint64 fetches = 0;
    quint64 failures = 0;
    quint64 itemsDelivered = 0;

    static QString stateName(State s);
};

class NewsProvider : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~NewsProvider() override = default;

    // Stable id, used in NewsItem::provider and in list_news_sources ("demo", "finnhub", ...).
    virtual QString id() const = 0;
    virtual QString displayName() const = 0;
    virtual void start() = 0;
    virtual void stop() = 0;
    // The symbols someone is watching (union of all subscriptions), upper case. Per-symbol
    // providers poll for exactly these; an empty list means "nothing in particular".
    virtual void setSymbols(const QStringList &symbols) { m_symbols = symbols; }
    QStringList symbols() const { return m_symbols; }
    const ProviderHealth &health() const { return m_health; }

Q_SIGNALS:
    void itemsReady(const QList<tw::core::NewsItem> &items);
    void healthChanged();

protected:
    ProviderHealth m_health;
    QStringList m_symbols;
};

} // namespace tw::news
