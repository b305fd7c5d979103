// The JSON news API parsers, one per input chosen by its first byte: Finnhub company-news,
// Alpha Vantage NEWS_SENTIMENT, Polygon reference news, the SEC EDGAR Atom parser (the same
// bytes, for the XML path with EDGAR's options) and jsonfeed::apiMessage (the error text
// every provider pulls out of an error body). Bodies come from servers we do not control:
// nothing may crash, every item must be well-formed (newsitemchecks.h).
#include "fuzzsupport.h"
#include "newsitemchecks.h"

#include "alphavantageprovider.h"
#include "finnhubprovider.h"
#include "jsonfeed.h"
#include "polygonprovider.h"
#include "secedgarprovider.h"

using namespace tw::news;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tw::fuzz::ensureApp();
    tw::fuzz::ByteReader in(data, size);
    const uint8_t selector = in.byte();
    const QByteArray body = in.rest();
    const QString symbol = (selector & 0x80) ? QString() : QStringLiteral("TSLA");
    constexpr qint64 kReceivedAt = 1764064800000; // 2025-11-25T10:00:00Z
    const QByteArray detail = "selector " + QByteArray::number(selector % 5);

    switch (selector % 5) {
    case 0:
        tw::fuzz::checkItems(FinnhubProvider::parseCompanyNews(body, symbol, kReceivedAt),
            QStringLiteral("finnhub"), detail);
        break;
    case 1: {
        const ParseResult r = AlphaVantageProvider::parseNewsSentiment(body, symbol, kReceivedAt);
        tw::fuzz::checkItems(r, QStringLiteral("alphavantage"), detail);
        for (const auto &item : r.items)
            tw::fuzz::check(!item.sentiment || (*item.sentiment >= -1 && *item.sentiment <= 1),
                "sentiment within -1..1", detail);
        break;
    }
    case 2:
        tw::fuzz::checkItems(PolygonProvider::parseReferenceNews(body, symbol, kReceivedAt),
            QStringLiteral("polygon"), detail);
        break;
    case 3:
        tw::fuzz::checkItems(SecEdgarProvider::parseFilings(body, symbol, kReceivedAt),
            QStringLiteral("sec-edgar"), detail);
        break;
    case 4: {
        const QString message = jsonfeed::apiMessage(body);
        tw::fuzz::check(message.size() <= 301, "apiMessage is bounded", message.toUtf8());
        break;
    }
    }
    return 0;
}
