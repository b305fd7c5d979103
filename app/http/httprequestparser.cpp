#include "httprequestparser.h"

#include <llhttp.h>

namespace tw::http {

namespace {
constexpr int kMaxHeaderCount = 100;
constexpr int kMaxTargetBytes = 8 * 1024;
} // namespace

struct HttpRequestParser::Impl {
    llhttp_t parser {};
    HttpRequestParser *q = nullptr;
    HttpLimits limits;
    HttpRequest current;
    QByteArray field;
    QByteArray value;
    bool lastWasValue = false;
    // For obs-fold detection: where the current feed() buffer starts, and whether the
    // bytes fed before it end in a run of whitespace (SP, HTAB, CR, LF) containing an LF, so
    // what precedes any span is known even across chunk boundaries.
    const char *bufferStart = nullptr;
    bool fedWhitespaceEndsWithLineBreak = false;
    int headerBytes = 0;
    bool expectContinue = false;
    // The user-level error to report when a callback aborts parsing.
    int userStatus = 0;
    QByteArray userReason;
    QString userMessage;

    int fail(int status, const QByteArray &reason, const QString &message)
    {
        userStatus = status;
        userReason = reason;
        userMessage = message;
        return -1;
    }

    int countHeaderBytes(size_t n)
    {
        headerBytes += int(n);
        if (headerBytes > limits.maxHeaderBytes) {
            return fail(431, QByteArrayLiteral("headers_too_large"),
                QStringLiteral("Request header block exceeds %1 bytes; send fewer or shorter headers.")
                    .arg(limits.maxHeaderBytes));
        }
        return 0;
    }

    static bool isWhitespaceOrLineBreak(char c)
    {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    // Whether only whitespace and at least one LF lie between the last other byte and `at`.
    bool followsLineBreak(const char *at) const
    {
        for (const char *c = at; c > bufferStart;) {
            --c;
            if (*c == '\n')
                return true;
            if (!isWhitespaceOrLineBreak(*c))
                return false;
        }
        return fedWhitespaceEndsWithLineBreak;
    }

    // Carries followsLineBreak() across feed() calls.
    void noteFed(const char *data, qsizetype size)
    {
        for (qsizetype i = size; i > 0; --i) {
            const char c = data[i - 1];
            if (c == '\n') {
                fedWhitespaceEndsWithLineBreak = true;
                return;
            }
            if (!isWhitespaceOrLineBreak(c)) {
                fedWhitespaceEndsWithLineBreak = false;
                return;
            }
        }
        // All whitespace: what came before still decides.
    }

    void finishHeader()
    {
        if (!field.isEmpty())
            current.headers.append({ field.toLower(), value.trimmed() });
        field.clear();
        value.clear();
        lastWasValue = false;
    }
};

struct ParserCallbacks {
    static HttpRequestParser::Impl *impl(llhttp_t *p) { return static_cast<HttpRequestParser::Impl *>(p->data); }

    static int onMessageBegin(llhttp_t *p)
    {
        auto *d = impl(p);
        d->current = HttpRequest();
        d->field.clear();
        d->value.clear();
        d->lastWasValue = false;
        d->headerBytes = 0;
        d->q->m_inMessage = true;
        return 0;
    }

    static int onUrl(llhttp_t *p, const char *at, size_t len)
    {
        auto *d = impl(p);
        d->current.target.append(at, qsizetype(len));
        if (d->current.target.size() > kMaxTargetBytes) {
            return d->fail(414, QByteArrayLiteral("uri_too_long"),
                QStringLiteral("Request target exceeds %1 bytes.").arg(kMaxTargetBytes));
        }
        return d->countHeaderBytes(len);
    }

    static int onHeaderField(llhttp_t *p, const char *at, size_t len)
    {
        auto *d = impl(p);
        if (d->lastWasValue) {
            d->finishHeader();
            if (d->current.headers.size() >= kMaxHeaderCount) {
                return d->fail(431, QByteArrayLiteral("headers_too_large"),
                    QStringLiteral("More than %1 request headers.").arg(kMaxHeaderCount));
            }
        }
        // ": " and CRLF count against the block too, once per header: llhttp calls this once
        // per piece of a name split across reads, so counting them per call made the limit
        // depend on how TCP cut the bytes (found by fuzzing: a 170-byte request got 431).
        const bool startsField = d->field.isEmpty() && len > 0;
        d->field.append(at, qsizetype(len));
        return d->countHeaderBytes(len + (startsField ? 4 : 0));
    }

    static int onHeaderFieldComplete(llhttp_t *p)
    {
        auto *d = impl(p);
        // RFC 9112 5.1: no whitespace between a field name and its colon; such requests
        // are a known smuggling vector, so they are refused rather than "repaired".
        if (d->field.contains(' ') || d->field.contains('\t')) {
            return d->fail(400, QByteArrayLiteral("bad_request"),
                QStringLiteral("Malformed header: whitespace in a header name."));
        }
        return 0;
    }

    static int onHeaderValue(llhttp_t *p, const char *at, size_t len)
    {
        auto *d = impl(p);
        // llhttp 8 accepts obs-fold. A value span that a line break precedes, with only
        // whitespace between, is a folded continuation: "X: a\r\n b" gives the span " b"
        // right after the LF, and "X:\r\n b" (an empty first line) gives "b", the folding
        // whitespace skipped as if it were the value's leading OWS. RFC 9112 5.2: a server
        // must reject obs-fold or replace it; we reject. llhttp reports an empty value as a
        // zero-length span wherever it noticed the line end, so only spans with bytes count.
        if (len > 0 && d->followsLineBreak(at)) {
            return d->fail(400, QByteArrayLiteral("bad_request"),
                QStringLiteral("Malformed header: line folding (obs-fold) is not allowed."));
        }
        d->lastWasValue = true;
        d->value.append(at, qsizetype(len));
        return d->countHeaderBytes(len);
    }

    static int onHeadersComplete(llhttp_t *p)
    {
        auto *d = impl(p);
        d->finishHeader();
        HttpRequest &r = d->current;
        r.method = QByteArray(llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(p))));
        r.httpMajor = llhttp_get_http_major(p);
        r.httpMinor = llhttp_get_http_minor(p);
        r.keepAlive = llhttp_should_keep_alive(p) != 0;
        if (r.httpMajor != 1) {
            return d->fail(505, QByteArrayLiteral("http_version"),
                QStringLiteral("Only HTTP/1.0 and HTTP/1.1 are supported."));
        }

        // Request target: origin-form "/path?query", absolute-form "http://host/path", or "*".
        QByteArray target = r.target;
        if (target.startsWith("http://") || target.startsWith("https://")) {
            const qsizetype authorityStart = target.indexOf("//") + 2;
            const qsizetype pathStart = target.indexOf('/', authorityStart);
            target = pathStart < 0 ? QByteArrayLiteral("/") : target.mid(pathStart);
        }
        if (target != "*" && !target.startsWith('/')) {
            return d->fail(400, QByteArrayLiteral("bad_request"),
                QStringLiteral("Malformed request target; expected a path starting with '/'."));
        }
        const qsizetype q = target.indexOf('?');
        const QByteArray rawPath = q < 0 ? target : target.left(q);
        r.query = q < 0 ? QByteArray() : target.mid(q + 1);
        r.path = QByteArray::fromPercentEncoding(rawPath);
        if (r.path.contains('\0')) {
            return d->fail(400, QByteArrayLiteral("bad_request"),
                QStringLiteral("Request path contains a NUL byte."));
        }

        if (r.headerCount(QByteArrayLiteral("content-length")) > 1) {
            return d->fail(400, QByteArrayLiteral("bad_request"),
                QStringLiteral("Repeated Content-Length header."));
        }
        const bool hasLength = (p->flags & F_CONTENT_LENGTH) != 0;
        if (hasLength && p->content_length > quint64(d->limits.maxBodyBytes)) {
            return d->fail(413, QByteArrayLiteral("body_too_large"),
                QStringLiteral("Request body of %1 bytes exceeds the limit of %2 bytes.")
                    .arg(p->content_length)
                    .arg(d->limits.maxBodyBytes));
        }
        const QByteArray expect = r.header(QByteArrayLiteral("expect")).toLower();
        if (!expect.isEmpty()) {
            if (expect != "100-continue") {
                return d->fail(417, QByteArrayLiteral("bad_request"),
                    QStringLiteral("Unsupported Expect header; only 100-continue is understood."));
            }
            d->expectContinue = r.httpMinor >= 1;
        }
        return 0;
    }

    static int onBody(llhttp_t *p, const char *at, size_t len)
    {
        auto *d = impl(p);
        if (d->current.body.size() + qint64(len) > d->limits.maxBodyBytes) {
            return d->fail(413, QByteArrayLiteral("body_too_large"),
                QStringLiteral("Request body exceeds the limit of %1 bytes.").arg(d->limits.maxBodyBytes));
        }
        d->current.body.append(at, qsizetype(len));
        return 0;
    }

    static int onMessageComplete(llhttp_t *p)
    {
        auto *d = impl(p);
        d->q->m_ready.push_back(std::move(d->current));
        d->current = HttpRequest();
        d->q->m_inMessage = false;
        d->expectContinue = false;
        return 0;
    }
};

namespace {
// The callbacks are the same for every parser: one table for all (llhttp keeps a pointer),
// not ~200 bytes per connection.
const llhttp_settings_t *parserSettings()
{
    static const llhttp_settings_t settings = [] {
        llhttp_settings_t s;
        llhttp_settings_init(&s);
        s.on_message_begin = &ParserCallbacks::onMessageBegin;
        s.on_url = &ParserCallbacks::onUrl;
        s.on_header_field = &ParserCallbacks::onHeaderField;
        s.on_header_value = &ParserCallbacks::onHeaderValue;
        s.on_header_field_complete = &ParserCallbacks::onHeaderFieldComplete;
        s.on_headers_complete = &ParserCallbacks::onHeadersComplete;
        s.on_body = &ParserCallbacks::onBody;
        s.on_message_complete = &ParserCallbacks::onMessageComplete;
        return s;
    }();
    return &settings;
}
} // namespace

HttpRequestParser::HttpRequestParser(const HttpLimits &limits)
    : d(std::make_unique<Impl>())
{
    d->q = this;
    d->limits = limits;
    llhttp_init(&d->parser, HTTP_REQUEST, parserSettings());
    d->parser.data = d.get();
}

HttpRequestParser::~HttpRequestParser() = default;

HttpRequestParser::State HttpRequestParser::feed(const char *data, qsizetype size)
{
    if (m_state != State::Ok || size <= 0)
        return m_state;
    d->bufferStart = data;
    const llhttp_errno_t err = llhttp_execute(&d->parser, data, size_t(size));
    d->noteFed(data, size);
    if (err == HPE_OK)
        return m_state;
    if (err == HPE_PAUSED_UPGRADE) {
        // We speak plain HTTP only: answer what was parsed, then close.
        m_state = State::Upgrade;
        return m_state;
    }
    m_state = State::Error;
    if (d->userStatus != 0) {
        m_errorStatus = d->userStatus;
        m_errorReason = d->userReason;
        m_errorMessage = d->userMessage;
    } else {
        m_errorStatus = 400;
        m_errorReason = QByteArrayLiteral("bad_request");
        m_errorMessage = QStringLiteral("Malformed HTTP request: %1 (%2).")
                             .arg(QLatin1String(llhttp_get_error_reason(&d->parser)),
                                 QLatin1String(llhttp_errno_name(err)));
    }
    return m_state;
}

HttpRequest HttpRequestParser::takeRequest()
{
    HttpRequest r = m_ready.takeFirst();
    if (m_ready.isEmpty())
        m_ready = QList<HttpRequest>();
    return r;
}

bool HttpRequestParser::takeExpectContinue()
{
    const bool e = d->expectContinue;
    d->expectContinue = false;
    return e;
}

} // namespace tw::http
