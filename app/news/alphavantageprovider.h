// Alpha Vantage NEWS_SENTIMENT (GET ?function=NEWS_SENTIMENT&tickers=&apikey=), one request
// per watched symbol. Alpha Vantage throttles with HTTP 200 and a {"Note": ...} or
// {"Information": ...} body instead of a 429; the parser recognises it and the poller backs off.
#pragma once

#include "pollingprovider.h"

namespace tw::news {

class AlphaVantageProvider : public PollingProvider {
    Q_OBJECT
public:
    AlphaVantageProvider(const QString &baseUrl, const QString &apiKey, const PollingSettings &settings,
        std::shared_ptr<HostBudget> budget, QObject *parent = nullptr);

    QString id() const override { return QStringLiteral("alphavantage"); }
    QString displayName() const override { return QStringLiteral("Alpha Vantage news & sentiment"); }

    // NEWS_SENTIMENT JSON -> items (with the ticker's sentiment), an error, or rateLimited.
    static ParseResult parseNewsSentiment(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs);
    QUrl requestUrl(const QString &symbol) const;

protected:
    QList<PollTarget> targets() const override;
    ParseResult parse(const PollTarget &target, const QByteArray &body, qint64 receivedAtMs) const override;
    QString configurationProblem() const override;
    QString describeErrorBody(const QByteArray &body) const override;

private:
    QString m_baseUrl;
    QString m_apiKey;
};

} // namespace tw::news
