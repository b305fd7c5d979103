#include "responseparser.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace twbench {

namespace {
    constexpr size_t kMaxHead = 64 * 1024;
    constexpr size_t kMaxLine = 4 * 1024 * 1024;

    bool iequalsPrefix(const std::string &s, size_t pos, const char *prefix)
    {
        const size_t n = std::strlen(prefix);
        if (s.size() - pos < n)
            return false;
        for (size_t i = 0; i < n; ++i) {
            if (std::tolower(static_cast<unsigned char>(s[pos + i])) != prefix[i])
                return false;
        }
        return true;
    }

    std::string trimmed(const std::string &s, size_t from, size_t to)
    {
        while (from < to && (s[from] == ' ' || s[from] == '\t'))
            ++from;
        while (to > from && (s[to - 1] == ' ' || s[to - 1] == '\t' || s[to - 1] == '\r'))
            --to;
        return s.substr(from, to - from);
    }
} // namespace

void ResponseParser::reset()
{
    m_state = State::Head;
    m_head.clear();
    m_line.clear();
    m_sseLine.clear();
    m_body.clear();
    m_eventId.clear();
    m_eventData.clear();
    m_hasData = false;
    m_sse = false;
    m_remaining = 0;
}

bool ResponseParser::feed(const char *data, size_t size)
{
    size_t i = 0;
    while (i < size) {
        switch (m_state) {
        case State::Head: {
            const char *nl = static_cast<const char *>(std::memchr(data + i, '\n', size - i));
            const size_t end = nl ? size_t(nl - data) + 1 : size;
            m_head.append(data + i, end - i);
            i = end;
            if (m_head.size() > kMaxHead)
                return false;
            if (m_head.size() >= 4 && m_head.compare(m_head.size() - 4, 4, "\r\n\r\n") == 0) {
                if (!parseHead())
                    return false;
            }
            break;
        }
        case State::Length: {
            const size_t n = size_t(std::min<uint64_t>(m_remaining, size - i));
            body(data + i, n);
            i += n;
            m_remaining -= n;
            if (m_remaining == 0)
                complete();
            break;
        }
        case State::UntilClose:
            body(data + i, size - i);
            i = size;
            break;
        case State::ChunkSize:
        case State::Trailer: {
            const char *nl = static_cast<const char *>(std::memchr(data + i, '\n', size - i));
            const size_t end = nl ? size_t(nl - data) : size;
            m_line.append(data + i, end - i);
            if (m_line.size() > 1024)
                return false;
            i = end;
            if (!nl)
                break;
            ++i;
            if (!m_line.empty() && m_line.back() == '\r')
                m_line.pop_back();
            if (m_state == State::Trailer) {
                const bool last = m_line.empty();
                m_line.clear();
                if (last)
                    complete();
                break;
            }
            char *endp = nullptr;
            const unsigned long long chunk = std::strtoull(m_line.c_str(), &endp, 16);
            if (endp == m_line.c_str())
                return false;
            m_line.clear();
            if (chunk == 0) {
                m_state = State::Trailer;
            } else {
                m_remaining = chunk;
                m_state = State::ChunkData;
            }
            break;
        }
        case State::ChunkData: {
            const size_t n = size_t(std::min<uint64_t>(m_remaining, size - i));
            body(data + i, n);
            i += n;
            m_remaining -= n;
            if (m_remaining == 0) {
                m_state = State::ChunkDataEnd;
                m_line.clear();
            }
            break;
        }
        case State::ChunkDataEnd: {
            // The CRLF after a chunk's data.
            const char c = data[i++];
            if (c == '\n') {
                m_state = State::ChunkSize;
            } else if (c != '\r') {
                return false;
            }
            break;
        }
        }
    }
    return true;
}

bool ResponseParser::finish()
{
    if (m_state == State::UntilClose) {
        complete();
        return true;
    }
    return idle();
}

bool ResponseParser::parseHead()
{
    const std::string &h = m_head;
    if (h.size() < 12 || h.compare(0, 7, "HTTP/1.") != 0)
        return false;
    const int status = std::atoi(h.c_str() + 9);
    bool chunked = false;
    bool close = false;
    long long length = -1;
    std::string session;
    m_sse = false;
    size_t pos = h.find('\n') + 1;
    while (pos < h.size()) {
        const size_t end = h.find('\n', pos);
        if (end == std::string::npos)
            break;
        const size_t colon = h.find(':', pos);
        if (colon != std::string::npos && colon < end) {
            const std::string value = trimmed(h, colon + 1, end);
            if (iequalsPrefix(h, pos, "content-length:"))
                length = std::atoll(value.c_str());
            else if (iequalsPrefix(h, pos, "transfer-encoding:"))
                chunked = value.find("chunked") != std::string::npos;
            else if (iequalsPrefix(h, pos, "content-type:"))
                m_sse = value.find("text/event-stream") != std::string::npos;
            else if (iequalsPrefix(h, pos, "mcp-session-id:"))
                session = value;
            else if (iequalsPrefix(h, pos, "connection:"))
                close = value.find("close") != std::string::npos;
        }
        pos = end + 1;
    }
    m_head.clear();
    m_body.clear();
    m_listener->onHead(status, session, m_sse);
    const bool bodyless = status == 204 || status == 304 || (status >= 100 && status < 200);
    if (bodyless || (!chunked && length == 0)) {
        complete();
    } else if (chunked) {
        m_state = State::ChunkSize;
    } else if (length > 0) {
        m_remaining = uint64_t(length);
        m_state = State::Length;
    } else if (close || length < 0) {
        m_state = State::UntilClose;
    }
    return true;
}

void ResponseParser::body(const char *data, size_t size)
{
    if (m_sse)
        sseBytes(data, size);
    else if (m_body.size() < kMaxLine)
        m_body.append(data, size);
}

void ResponseParser::sseBytes(const char *data, size_t size)
{
    size_t i = 0;
    while (i < size) {
        const char *nl = static_cast<const char *>(std::memchr(data + i, '\n', size - i));
        if (!nl) {
            if (m_sseLine.size() < kMaxLine)
                m_sseLine.append(data + i, size - i);
            return;
        }
        const size_t end = size_t(nl - data);
        if (m_sseLine.empty()) {
            // The common case: the whole line is in this read; no copy.
            size_t n = end - i;
            if (n > 0 && data[i + n - 1] == '\r')
                --n;
            sseLine(data + i, n);
        } else {
            m_sseLine.append(data + i, end - i);
            if (!m_sseLine.empty() && m_sseLine.back() == '\r')
                m_sseLine.pop_back();
            sseLine(m_sseLine.data(), m_sseLine.size());
            m_sseLine.clear();
        }
        i = end + 1;
    }
}

void ResponseParser::sseLine(const char *line, size_t size)
{
    if (size == 0) {
        if (m_hasData || !m_eventId.empty())
            m_listener->onEvent(m_eventId, m_eventData);
        m_eventId.clear();
        m_eventData.clear();
        m_hasData = false;
        return;
    }
    if (line[0] == ':') {
        m_listener->onComment();
        return;
    }
    const char *colon = static_cast<const char *>(std::memchr(line, ':', size));
    const size_t nameLen = colon ? size_t(colon - line) : size;
    size_t valueAt = colon ? nameLen + 1 : size;
    if (valueAt < size && line[valueAt] == ' ')
        ++valueAt;
    if (nameLen == 4 && std::memcmp(line, "data", 4) == 0) {
        if (m_hasData)
            m_eventData += '\n';
        m_eventData.append(line + valueAt, size - valueAt);
        m_hasData = true;
    } else if (nameLen == 2 && std::memcmp(line, "id", 2) == 0) {
        m_eventId.assign(line + valueAt, size - valueAt);
    }
}

void ResponseParser::complete()
{
    m_state = State::Head;
    m_sseLine.clear();
    m_eventId.clear();
    m_eventData.clear();
    m_hasData = false;
    std::string body;
    body.swap(m_body);
    m_listener->onComplete(body);
}

} // namespace twbench
