// Finnhub company news (GET /company-news?symbol=&from=&to=&token=), one request per watched
// symbol. Needs the user's API key; without one the provider stays Disabled and says so.
#pragma once

#include "pollingprovider.h"

namespace tw::news {

class FinnhubProvider : public PollingProvider {
    Q_OBJECT
public:
    FinnhubProvider(const QString &baseUrl, const QString &apiKey, int lookbackDays,
        const PollingSettings &settings, std::shared_ptr<HostBudget> budget, QObject *parent = nullptr);

    QString id() const override { return QStringLiteral("finnhub"); }
    QString displayName() const override { return QStringLiteral("Finnhub company news"); }

    // company-news JSON (an array of articles) -> items, or an error.
    static ParseResult parseCompanyNews(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs);
    QUrl requestUrl(const QString &symbol, qint64 nowMs) const;

protected:
    QList<PollTarget> targets() const override;
    ParseResult parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const override;
    QString configurationProblem() const override;
    QString describeErrorBody(const QByteArray &body) const override;

private:
    QString m_baseUrl;
    QString m_apiKey;
    int m_lookbackDays;
};

} // namespace tw::news
