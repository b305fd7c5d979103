// RSS 2.0 / Atom finance feeds. Each URL template with "{symbol}" is polled once per watched
// symbol (e.g. "https://feeds.finance.example/rss?s={symbol}"); a template without it is a
// general feed whose items are tagged by the $CASHTAGs they mention.
#pragma once

#include "pollingprovider.h"

namespace tw::news {

class RssProvider : public PollingProvider {
    Q_OBJECT
public:
    RssProvider(const QStringList &urlTemplates, const PollingSettings &settings,
        std::shared_ptr<HostBudget> budget, QObject *parent = nullptr);

    QString id() const override { return QStringLiteral("rss"); }
    QString displayName() const override { return QStringLiteral("RSS / Atom feeds"); }

    // The parser the poller uses: feed bytes polled for `symbol` -> items or an error.
    static ParseResult parseFeed(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs);
    // A template with {symbol} filled in (percent-encoded), or an invalid URL.
    static QUrl expand(const QString &urlTemplate, const QString &symbol);

protected:
    QList<PollTarget> targets() const override;
    ParseResult parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const override;
    QString configurationProblem() const override;

private:
    QStringList m_templates;
};

} // namespace tw::news
