// Incremental HTTP/1.1 response parser for the load generator: status line and headers,
// then a Content-Length, chunked or close-delimited body; a text/event-stream body is cut into
// SSE events as the bytes arrive (any split of the input gives the same events). Keep-alive:
// after a complete response the next one may follow in the same input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace twbench {

class ResponseListener {
public:
    virtual ~ResponseListener() = default;
    virtual void onHead(int status, const std::string &sessionId, bool eventStream) = 0;
    virtual void onEvent(const std::string &id, const std::string &data) = 0;
    virtual void onComment() = 0;
    // The response is complete; `body` holds a non-SSE body.
    virtual void onComplete(const std::string &body) = 0;
};

class ResponseParser {
public:
    explicit ResponseParser(ResponseListener *listener)
        : m_listener(listener)
    {
    }
    // False on a malformed response (the connection should be dropped).
    bool feed(const char *data, size_t size);
    // The peer closed: completes a close-delimited body. False if a response was cut short.
    bool finish();
    bool idle() const { return m_state == State::Head && m_head.empty(); }
    void reset();

private:
    enum class State {
        Head,
        Length,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailer,
        UntilClose,
    };
    bool parseHead();
    void body(const char *data, size_t size);
    void sseBytes(const char *data, size_t size);
    void sseLine(const char *line, size_t size);
    void complete();

    ResponseListener *m_listener;
    State m_state = State::Head;
    std::string m_head;
    std::string m_line; // chunk-size / trailer line, or the SSE line in progress
    std::string m_sseLine;
    std::string m_body;
    std::string m_eventId;
    std::string m_eventData;
    bool m_hasData = false;
    bool m_sse = false;
    uint64_t m_remaining = 0;
};

} // namespace twbench
