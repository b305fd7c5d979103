// Polygon.io reference news (GET /v2/reference/news?ticker=&apiKey=), one request per
// watched symbol. Errors come as {"status":"ERROR"|"NOT_AUTHORIZED", "error"|"message": ...}.
#pragma once

#include "pollingprovider.h"

namespace tw::news {

class PolygonProvider : public PollingProvider {
    Q_OBJECT
public:
    PolygonProvider(const QString &baseUrl, const QString &apiKey, const PollingSettings &settings,
        std::shared_ptr<HostBudget> budget, QObject *parent = nullptr);

    QString id() const override { return QStringLiteral("polygon"); }
    QString displayName() const override { return QStringLiteral("Polygon.io reference news"); }

    // v2/reference/news JSON -> items or an error.
    static ParseResult parseReferenceNews(const QByteArray &bytes, const QString &symbol, qint64 receivedAtMs);
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
