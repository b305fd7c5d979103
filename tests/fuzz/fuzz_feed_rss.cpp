// FeedParser (RSS 2.0, RSS 1.0/RDF, Atom 1.0) with the RSS provider's and the EDGAR
// provider's options: the same document parsed whole and fed in chunks chosen by the input
// must give the same result (feedparser.h promises that; the poller may feed it as bytes
// arrive), every item must be well-formed (newsitemchecks.h) and the caps must hold.
//
// Input: [options][n][n chunk sizes][document...]. options bit 0: EDGAR's options (company
// name prefix, accession ids), bit 1: maxItems 3, bit 2: no symbol.
#include "fuzzsupport.h"
#include "newsitemchecks.h"

#include "feedparser.h"

using namespace tw::news;

namespace {

QByteArray describe(const ParseResult &r)
{
    QByteArray out = "error=" + r.error.toUtf8() + " skipped=" + QByteArray::number(r.skippedEntries)
        + " title=" + r.feedTitle.toUtf8() + '\n';
    for (const auto &item : r.items)
        out += "  " + item.toJson() + '\n';
    return out;
}

bool sameItems(const ParseResult &a, const ParseResult &b)
{
    if (a.items.size() != b.items.size())
        return false;
    for (qsizetype i = 0; i < a.items.size(); ++i) {
        if (a.items.at(i).toJson() != b.items.at(i).toJson())
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tw::fuzz::ensureApp();
    tw::fuzz::ByteReader in(data, size);
    const uint8_t flags = in.byte();
    const uint8_t n = in.byte() % 32;
    QByteArray sizes;
    for (int i = 0; i < n; ++i)
        sizes.append(char(in.byte()));
    const QByteArray document = in.rest();

    FeedOptions options;
    if (flags & 1) {
        options.provider = QStringLiteral("sec-edgar");
        options.idPrefix = QStringLiteral("sec-edgar");
        options.category = QStringLiteral("filing");
        options.source = QStringLiteral("SEC EDGAR");
        options.prefixCompanyName = true;
    }
    if (flags & 2)
        options.maxItems = 3;
    if (!(flags & 4))
        options.symbol = QStringLiteral("aapl");
    options.receivedAtMs = 1764064800000; // 2025-11-25T10:00:00Z

    const ParseResult whole = FeedParser::parse(document, options);
    FeedParser incremental(options);
    for (const QByteArray &chunk : tw::fuzz::chunked(document, sizes))
        incremental.addData(chunk);
    const ParseResult split = incremental.finish();

    const QByteArray detail = "whole:\n" + describe(whole) + "split:\n" + describe(split);
    tw::fuzz::check(whole.error == split.error, "same error whole and chunked", detail);
    tw::fuzz::check(whole.feedTitle == split.feedTitle, "same feed title whole and chunked", detail);
    tw::fuzz::check(whole.skippedEntries == split.skippedEntries, "same skipped count", detail);
    tw::fuzz::check(sameItems(whole, split), "same items whole and chunked", detail);

    tw::fuzz::checkItems(whole, options.provider, detail);
    tw::fuzz::check(whole.items.size() <= options.maxItems, "at most maxItems items", detail);
    tw::fuzz::check(whole.feedTitle.size() <= 1024, "feed title capped", detail);
    for (const auto &item : whole.items) {
        tw::fuzz::check(item.summary.size() <= options.maxSummaryChars + 1, "summary capped", detail);
        if (!options.symbol.isEmpty())
            tw::fuzz::check(item.symbols.value(0) == QLatin1String("AAPL"), "the polled symbol comes first", detail);
    }
    return 0;
}
