// Incremental HTTP/1.1 request parser on llhttp. Feeding bytes in any chunking (one at a
// time, or all at once) yields the same requests; pipelined requests come out in order.
// llhttp runs strict: conflicting Content-Length / Transfer-Encoding, obs-fold, bare CR
// and invalid characters are errors, which is what request-smuggling defences need.
#pragma once

#include "httplimits.h"
#include "httprequest.h"

#include <QByteArray>
#include <QList>

#include <memory>

namespace tw::http {

class HttpRequestParser {
public:
    enum class State {
        Ok, // keep feeding
        Error, // unrecoverable: answer errorStatus() and close the connection
        Upgrade, // an Upgrade/CONNECT request: answered as plain HTTP, then the connection closes
    };

    explicit HttpRequestParser(const HttpLimits &limits);
    ~HttpRequestParser();
    HttpRequestParser(const HttpRequestParser &) = delete;
    HttpRequestParser &operator=(const HttpRequestParser &) = delete;

    // Parses as much of `data` as possible. Complete requests are queued (takeRequest()).
    State feed(const char *data, qsizetype size);
    State feed(const QByteArray &data) { return feed(data.constData(), data.size()); }

    bool hasRequest() const { return !m_ready.isEmpty(); }
    HttpRequest takeRequest();
    int pendingCount() const { return int(m_ready.size()); }

    // True between the first byte of a request and its completion (for the request timeout).
    bool inMessage() const { return m_inMessage; }
    // The headers of the message in progress are complete and it asked for "Expect: 100-continue".
    bool takeExpectContinue();

    State state() const { return m_state; }
    int errorStatus() const { return m_errorStatus; }
    QByteArray errorReason() const { return m_errorReason; } // stable reason, e.g. "headers_too_large"
    QString errorMessage() const { return m_errorMessage; }

private:
    struct Impl;
    std::unique_ptr<Impl> d;
    // Complete requests not yet taken. Emptied back to no allocation at all once taken: a
    // std::deque kept ~600 bytes per connection for the life of every idle stream.
    QList<HttpRequest> m_ready;
    State m_state = State::Ok;
    int m_errorStatus = 0;
    QByteArray m_errorReason;
    QString m_errorMessage;
    bool m_inMessage = false;
    friend struct ParserCallbacks;
};

} // namespace tw::http
