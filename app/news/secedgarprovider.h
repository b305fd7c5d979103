// SEC EDGAR filings: the company browse Atom feed per watched ticker (EDGAR resolves a
// ticker in its CIK parameter). The SEC's fair-access policy requires a User-Agent naming
// the operator with a contact address; without one the provider refuses to start and its
// health says why.
#pragma once

#include "pollingprovider.h"

namespace tw::news {

class SecEdgarProvider : public PollingProvider {
    Q_OBJECT
public:
    // `baseUrl`: ".../cgi-bin/browse-edgar"; `userAgent`: e.g. "Example Desk ops@example.com".
    SecEdgarProvider(const QString &baseUrl, const QString &userAgent, const PollingSettings &settings,
        std::shared_ptr<HostBudget> budget, QObject *parent = nullptr);

    QString id() const override { return QStringLiteral("sec-edgar"); }
    QString displayName() const override { return QStringLiteral("SEC EDGAR filings"); }

    // Filing feed bytes for `symbol` -> items (category "filing") or an error.
    static ParseResult parseFilings(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs);
    QUrl feedUrl(const QString &symbol) const;

protected:
    QList<PollTarget> targets() const override;
    ParseResult parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const override;
    QString configurationProblem() const override;

private:
    static PollingSettings withUserAgent(PollingSettings settings, const QString &userAgent);

    QString m_baseUrl;
    QString m_userAgent;
};

} // namespace tw::news
