// One polite HTTP GET at a time for a polling provider, on the provider's own
// QNetworkAccessManager (so one provider's trouble never touches another's connections):
// conditional requests (If-None-Match / If-Modified-Since), a User-Agent, a transfer timeout,
// a redirect limit and a response-size cap enforced while the body streams in. Everything is
// asynchronous; the result arrives through finished(). Never logs API keys: URLs are
// redacted before they reach a log line or an error message.
#pragma once

#include "providersettings.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace tw::news {

struct FetchRequest {
    QUrl url;
    QByteArray etag; // from the last 200 for this URL; sent as If-None-Match
    QByteArray lastModified; // sent as If-Modified-Since
};

struct FetchResult {
    enum class Outcome {
        Ok, // 2xx with a body
        NotModified, // 304
        RateLimited, // 429, or 503 with Retry-After
        HttpError, // any other non-2xx
        Timeout,
        TooLarge,
        NetworkError, // refused, DNS, TLS, too many redirects, ...
        Aborted, // abort() was called
    };
    Outcome outcome = Outcome::NetworkError;
    int status = 0;
    QString host;
    QByteArray body;
    QByteArray etag;
    QByteArray lastModified;
    // From Retry-After: how long to wait, in ms from when the response arrived; 0 when absent
    // (or "now"). A delay, not a date: the provider counts it on its monotonic clock, so a wall
    // clock set back while it waits does not stretch the wait.
    qint64 retryAfterMs = 0;
    QString error; // for humans, already redacted; empty on Ok/NotModified
};

class HttpFetcher : public QObject {
    Q_OBJECT
public:
    explicit HttpFetcher(const PollingSettings &settings, QObject *parent = nullptr);
    ~HttpFetcher() override;

    // Starts a GET. One at a time: a call while busy aborts the previous request.
    void get(const FetchRequest &request);
    void abort();
    bool isBusy() const { return !m_reply.isNull(); }

    // Retry-After: delay-seconds or an HTTP-date -> epoch ms (clamped to [now, now + max]).
    static std::optional<qint64> parseRetryAfter(const QByteArray &value, qint64 nowMs, qint64 maxDelayMs);
    // The URL with the values of credential-like query parameters (token, apikey, apiKey,
    // api_key, key, access_token) replaced by "REDACTED": the only form that may be logged.
    static QString redactedUrl(const QUrl &url);

Q_SIGNALS:
    void finished(const tw::news::FetchResult &result);

private:
    void onReadyRead();
    void onMetaDataChanged();
    void onFinished();
    void tooLarge();

    PollingSettings m_settings;
    QNetworkAccessManager *m_nam;
    QPointer<QNetworkReply> m_reply;
    QUrl m_url;
    QByteArray m_body;
    bool m_tooLarge = false;
    bool m_aborted = false;
};

} // namespace tw::news
