// HttpRequestParser alone: the same bytes fed whole and split into chunks chosen by the
// input must give the same requests, the same final state and the same error. The parser
// promises exactly that (httprequestparser.h), and the connection feeds it whatever TCP
// delivers, so a chunking-dependent answer is a bug: a limit or a smuggling check that one
// split of the bytes slips past.
//
// Input: [flags][n][n chunk sizes][HTTP bytes...]. flags bit 0 selects tight limits (header
// block 512 bytes, body 1 KiB) so the limit paths are reached with short inputs.
#include "fuzzsupport.h"

#include "httprequestparser.h"

using tw::http::HttpLimits;
using tw::http::HttpRequest;
using tw::http::HttpRequestParser;

namespace {

struct Outcome {
    QList<HttpRequest> requests;
    HttpRequestParser::State state = HttpRequestParser::State::Ok;
    int errorStatus = 0;
    QByteArray errorReason;
    QString errorMessage;
    bool inMessage = false;
};

Outcome run(const HttpLimits &limits, const QList<QByteArray> &chunks)
{
    HttpRequestParser parser(limits);
    Outcome o;
    for (const QByteArray &chunk : chunks) {
        parser.feed(chunk);
        while (parser.hasRequest())
            o.requests.append(parser.takeRequest());
        parser.takeExpectContinue();
    }
    o.state = parser.state();
    o.errorStatus = parser.errorStatus();
    o.errorReason = parser.errorReason();
    o.errorMessage = parser.errorMessage();
    o.inMessage = parser.inMessage();
    return o;
}

QByteArray describe(const HttpRequest &r)
{
    QByteArray out = r.method + ' ' + r.target + " path=" + r.path + " query=" + r.query + " HTTP/"
        + QByteArray::number(r.httpMajor) + '.' + QByteArray::number(r.httpMinor)
        + (r.keepAlive ? " keep-alive" : " close") + '\n';
    for (const auto &h : r.headers)
        out += "  " + h.first + ": " + h.second + '\n';
    out += "  body " + QByteArray::number(r.body.size()) + " bytes\n";
    return out;
}

QByteArray describe(const Outcome &o)
{
    QByteArray out = "state " + QByteArray::number(int(o.state)) + " status "
        + QByteArray::number(o.errorStatus) + ' ' + o.errorReason + ' ' + o.errorMessage.toUtf8()
        + " inMessage " + QByteArray::number(o.inMessage) + '\n';
    for (const HttpRequest &r : o.requests)
        out += describe(r);
    return out;
}

bool same(const HttpRequest &a, const HttpRequest &b)
{
    return a.method == b.method && a.target == b.target && a.path == b.path && a.query == b.query
        && a.headers == b.headers && a.body == b.body && a.httpMajor == b.httpMajor
        && a.httpMinor == b.httpMinor && a.keepAlive == b.keepAlive;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tw::fuzz::ByteReader in(data, size);
    const uint8_t flags = in.byte();
    const uint8_t n = in.byte() % 32;
    QByteArray sizes;
    for (int i = 0; i < n; ++i)
        sizes.append(char(in.byte()));
    const QByteArray bytes = in.rest();

    HttpLimits limits;
    if (flags & 1) {
        limits.maxHeaderBytes = 512;
        limits.maxBodyBytes = 1024;
    }

    const Outcome whole = run(limits, { bytes });
    const Outcome split = run(limits, tw::fuzz::chunked(bytes, sizes));

    const QByteArray detail = "whole:\n" + describe(whole) + "split:\n" + describe(split);
    tw::fuzz::check(whole.state == split.state, "same state whole and split", detail);
    // One exception: a request that is both malformed and over the header limit may be refused
    // as either (400 or 431) depending on where the reads split it. llhttp hands a header name
    // or value to the callbacks that count the limit only when it ends or the read ends, but
    // stops at a syntax error at once. Both refuse the request, and the requests before it match.
    const bool limitOrSyntax = whole.state == HttpRequestParser::State::Error
        && split.state == HttpRequestParser::State::Error
        && qMin(whole.errorStatus, split.errorStatus) == 400 && qMax(whole.errorStatus, split.errorStatus) == 431;
    tw::fuzz::check((whole.errorStatus == split.errorStatus && whole.errorReason == split.errorReason) || limitOrSyntax,
        "same error whole and split", detail);
    tw::fuzz::check(whole.requests.size() == split.requests.size(), "same number of requests", detail);
    for (qsizetype i = 0; i < whole.requests.size(); ++i)
        tw::fuzz::check(same(whole.requests.at(i), split.requests.at(i)), "same requests", detail);

    // What the parser hands on respects its limits and its own rules.
    for (const HttpRequest &r : whole.requests) {
        tw::fuzz::check(r.body.size() <= limits.maxBodyBytes, "body within the limit", detail);
        tw::fuzz::check(r.httpMajor == 1, "only HTTP/1.x requests come out", detail);
        tw::fuzz::check(r.path.startsWith('/') || r.target == "*", "path starts with /", detail);
        tw::fuzz::check(!r.path.contains('\0'), "no NUL in the path", detail);
        tw::fuzz::check(r.headerCount(QByteArrayLiteral("content-length")) <= 1,
            "at most one Content-Length", detail);
        for (const auto &h : r.headers) {
            tw::fuzz::check(!h.first.contains(' ') && !h.first.contains('\t'),
                "no whitespace in header names", detail);
            tw::fuzz::check(!h.second.contains('\n') && !h.second.contains('\r'),
                "no line breaks in header values", detail);
        }
    }
    if (whole.state == HttpRequestParser::State::Error) {
        tw::fuzz::check(whole.errorStatus >= 400 && whole.errorStatus < 600, "an error status", detail);
        tw::fuzz::check(!whole.errorReason.isEmpty() && !whole.errorMessage.isEmpty(),
            "an error says what was wrong", detail);
    }
    return 0;
}
