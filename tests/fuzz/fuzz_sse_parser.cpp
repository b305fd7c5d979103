// SseParser (the client's WHATWG event-stream parser): the same bytes fed whole and split
// into chunks chosen by the input must give the same events, the same last event id, retry
// and error state, as sseparser.h promises. Also: no event's data exceeds the event limit
// and no line limit is bypassed by splitting.
//
// Input: [limits][n][n chunk sizes][stream bytes...]. limits 0 keeps the defaults (16 MiB);
// otherwise the line limit is 1..128 bytes and the event limit 1..512 bytes, so the
// drop-and-resync paths are reached with short inputs.
#include "fuzzsupport.h"

#include "sseparser.h"

using tw::client::SseEvent;
using tw::client::SseParser;

namespace {

struct Outcome {
    QList<SseEvent> events;
    QByteArray lastEventId;
    std::optional<int> retry;
    SseParser::Error error = SseParser::Error::None;
};

Outcome run(qsizetype maxLine, qsizetype maxEvent, const QList<QByteArray> &chunks)
{
    SseParser parser = maxLine > 0 ? SseParser(maxLine, maxEvent) : SseParser();
    Outcome o;
    for (const QByteArray &chunk : chunks) {
        o.events += parser.feed(chunk);
        if (auto r = parser.takeRetry())
            o.retry = r;
    }
    o.lastEventId = parser.lastEventId();
    o.error = parser.error();
    return o;
}

QByteArray describe(const Outcome &o)
{
    QByteArray out = "lastEventId=" + o.lastEventId + " retry="
        + (o.retry ? QByteArray::number(*o.retry) : QByteArray("none")) + " error="
        + QByteArray::number(int(o.error)) + '\n';
    for (const SseEvent &e : o.events)
        out += "  event type=" + e.type + " id=" + e.lastEventId + " data=" + e.data.toPercentEncoding() + '\n';
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tw::fuzz::ByteReader in(data, size);
    const uint8_t limits = in.byte();
    const uint8_t n = in.byte() % 32;
    QByteArray sizes;
    for (int i = 0; i < n; ++i)
        sizes.append(char(in.byte()));
    const QByteArray bytes = in.rest();

    const qsizetype maxLine = limits == 0 ? 0 : 1 + (limits & 0x7f);
    const qsizetype maxEvent = limits == 0 ? 0 : 1 + (qsizetype(limits) * 2);

    const Outcome whole = run(maxLine, maxEvent, { bytes });
    const Outcome split = run(maxLine, maxEvent, tw::fuzz::chunked(bytes, sizes));
    const QByteArray detail = "whole:\n" + describe(whole) + "split:\n" + describe(split);

    tw::fuzz::check(whole.events.size() == split.events.size(), "same number of events", detail);
    for (qsizetype i = 0; i < whole.events.size(); ++i) {
        const SseEvent &a = whole.events.at(i);
        const SseEvent &b = split.events.at(i);
        tw::fuzz::check(a.type == b.type && a.data == b.data && a.lastEventId == b.lastEventId,
            "same events whole and split", detail);
    }
    tw::fuzz::check(whole.lastEventId == split.lastEventId, "same last event id", detail);
    tw::fuzz::check(whole.retry == split.retry, "same retry", detail);
    tw::fuzz::check(whole.error == split.error, "same error", detail);

    for (const SseEvent &e : whole.events) {
        tw::fuzz::check(!e.type.isEmpty(), "an event has a type", detail);
        tw::fuzz::check(!e.lastEventId.contains('\0'), "no NUL in an event id", detail);
        if (maxEvent > 0)
            tw::fuzz::check(e.data.size() < maxEvent, "event data within the limit", detail);
    }
    if (whole.retry)
        tw::fuzz::check(*whole.retry >= 0, "retry is not negative", detail);
    return 0;
}
