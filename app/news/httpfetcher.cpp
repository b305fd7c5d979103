#include "httpfetcher.h"

#include "feedtext.h"
#include "logging.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

#include <algorithm>

namespace tw::news {

HttpFetcher::HttpFetcher(const PollingSettings &settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_nam(new QNetworkAccessManager(this))
{
    m_nam->setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
}

HttpFetcher::~HttpFetcher()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void HttpFetcher::get(const FetchRequest &fetch)
{
    abort();
    m_url = fetch.url;
    m_body.clear();
    m_tooLarge = false;
    m_aborted = false;

    QNetworkRequest request(fetch.url);
    request.setHeader(QNetworkRequest::UserAgentHeader, m_settings.userAgent);
    request.setRawHeader(QByteArrayLiteral("Accept"),
        QByteArrayLiteral("application/rss+xml, application/atom+xml, application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"));
    if (!fetch.etag.isEmpty())
        request.setRawHeader(QByteArrayLiteral("If-None-Match"), fetch.etag);
    if (!fetch.lastModified.isEmpty())
        request.setRawHeader(QByteArrayLiteral("If-Modified-Since"), fetch.lastModified);
    request.setTransferTimeout(std::max(1, m_settings.timeoutMs));
    request.setMaximumRedirectsAllowed(std::max(0, m_settings.maxRedirects));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);

    qCDebug(lcNews) << "GET" << redactedUrl(fetch.url);
    m_reply = m_nam->get(request);
    QNetworkReply *reply = m_reply.data();
    connect(reply, &QNetworkReply::metaDataChanged, this, &HttpFetcher::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &HttpFetcher::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &HttpFetcher::onFinished);
}

void HttpFetcher::abort()
{
    if (!m_reply)
        return;
    m_aborted = true;
    QNetworkReply *reply = m_reply.data();
    m_reply.clear();
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
}

void HttpFetcher::onMetaDataChanged()
{
    if (!m_reply)
        return;
    const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid() && length.toLongLong() > m_settings.maxResponseBytes)
        tooLarge();
}

void HttpFetcher::onReadyRead()
{
    if (!m_reply)
        return;
    // Read as it arrives so the cap holds however the server frames the body.
    m_body.append(m_reply->read(m_settings.maxResponseBytes + 1 - m_body.size()));
    if (m_body.size() > m_settings.maxResponseBytes)
        tooLarge();
}

void HttpFetcher::tooLarge()
{
    m_tooLarge = true;
    m_body.clear();
    if (m_reply)
        m_reply->abort(); // finished() follows with OperationCanceledError
}

void HttpFetcher::onFinished()
{
    QNetworkReply *reply = m_reply.data();
    if (!reply)
        return;
    if (!m_tooLarge && reply->bytesAvailable() > 0)
        onReadyRead();
    m_reply.clear();
    reply->deleteLater();

    FetchResult r;
    r.host = m_url.host();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError error = reply->error();
    const QString from = QStringLiteral(" from ") + r.host;
    // Errors Qt reports for an HTTP status (404 -> ContentNotFoundError, ...) are statuses to us;
    // anything else with a 2xx/3xx status means the transfer broke off.
    const bool transportFailed = error != QNetworkReply::NoError && (r.status == 0 || r.status < 400);

    if (m_tooLarge) {
        r.outcome = FetchResult::Outcome::TooLarge;
        r.error = QStringLiteral("response too large (over %1 bytes)").arg(m_settings.maxResponseBytes) + from;
    } else if (m_aborted) {
        r.outcome = FetchResult::Outcome::Aborted;
        r.error = QStringLiteral("request aborted");
    } else if (transportFailed
        && (error == QNetworkReply::OperationCanceledError || error == QNetworkReply::TimeoutError)) {
        // Nobody else aborts this reply: the transfer timeout fired.
        r.outcome = FetchResult::Outcome::Timeout;
        r.error = QStringLiteral("timed out after %1 ms waiting for %2").arg(m_settings.timeoutMs).arg(r.host);
    } else if (transportFailed) {
        r.outcome = FetchResult::Outcome::NetworkError;
        switch (error) {
        case QNetworkReply::ConnectionRefusedError:
            r.error = QStringLiteral("connection refused by ") + r.host;
            break;
        case QNetworkReply::HostNotFoundError:
            r.error = QStringLiteral("host not found: ") + r.host;
            break;
        case QNetworkReply::TooManyRedirectsError:
            r.error = QStringLiteral("too many redirects (more than %1)").arg(m_settings.maxRedirects) + from;
            break;
        case QNetworkReply::InsecureRedirectError:
            r.error = QStringLiteral("refused a redirect from https to http") + from;
            break;
        case QNetworkReply::RemoteHostClosedError:
            r.error = QStringLiteral("connection closed early by ") + r.host;
            break;
        default: {
            // Qt's text may quote the URL, with its key: swap in the redacted form.
            QString text = reply->errorString();
            text.replace(m_url.toString(QUrl::FullyEncoded), redactedUrl(m_url));
            text.replace(m_url.toString(), redactedUrl(m_url));
            r.error = QStringLiteral("network error talking to %1: %2").arg(r.host, text);
            break;
        }
        }
    } else if (r.status == 304) {
        r.outcome = FetchResult::Outcome::NotModified;
    } else if (r.status == 429 || (r.status == 503 && reply->hasRawHeader(QByteArrayLiteral("Retry-After")))) {
        r.outcome = FetchResult::Outcome::RateLimited;
        const auto retryAt = parseRetryAfter(reply->rawHeader(QByteArrayLiteral("Retry-After")), now, m_settings.maxRetryAfterMs);
        // An HTTP-date is a wall-clock date: turned into a delay here, against the same clock.
        r.retryAfterMs = retryAt ? *retryAt - now : 0;
        r.error = QStringLiteral("HTTP %1").arg(r.status) + from;
        r.body = m_body;
    } else if (r.status < 200 || r.status >= 300) {
        r.outcome = FetchResult::Outcome::HttpError;
        r.error = QStringLiteral("HTTP %1").arg(r.status) + from;
        r.body = m_body; // APIs explain themselves in the body; the provider may read it
    } else {
        r.outcome = FetchResult::Outcome::Ok;
        r.body = m_body;
        r.etag = reply->rawHeader(QByteArrayLiteral("ETag"));
        r.lastModified = reply->rawHeader(QByteArrayLiteral("Last-Modified"));
    }
    m_body.clear();
    if (!r.error.isEmpty())
        qCDebug(lcNews) << redactedUrl(m_url) << r.error;
    Q_EMIT finished(r);
}

std::optional<qint64> HttpFetcher::parseRetryAfter(const QByteArray &value, qint64 nowMs, qint64 maxDelayMs)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    qint64 at = 0;
    bool ok = false;
    const qint64 seconds = trimmed.toLongLong(&ok);
    if (ok) {
        if (seconds < 0)
            return std::nullopt;
        at = nowMs + std::min(seconds, maxDelayMs / 1000 + 1) * 1000;
    } else {
        const auto date = feedtext::parseRfc822Date(QString::fromLatin1(trimmed));
        if (!date)
            return std::nullopt;
        at = *date;
    }
    return std::clamp(at, nowMs, nowMs + maxDelayMs);
}

QString HttpFetcher::redactedUrl(const QUrl &url)
{
    QUrl copy = url;
    copy.setUserInfo(QString());
    if (copy.hasQuery()) {
        QUrlQuery query(copy);
        const auto items = query.queryItems(QUrl::FullyEncoded);
        QUrlQuery out;
        for (const auto &item : items) {
            const QString key = item.first.toLower();
            const bool secret = key == QLatin1String("token") || key == QLatin1String("apikey")
                || key == QLatin1String("api_key") || key == QLatin1String("key")
                || key == QLatin1String("access_token");
            out.addQueryItem(item.first, secret ? QStringLiteral("REDACTED") : item.second);
        }
        copy.setQuery(out);
    }
    return copy.toString(QUrl::FullyEncoded);
}

} // namespace tw::news
