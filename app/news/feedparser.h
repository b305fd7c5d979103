// RSS 2.0 (and 1.0/RDF) and Atom 1.0 parser on QXmlStreamReader. Incremental: bytes can
// arrive in any split, down to one at a time, with the same result as the whole document.
// Hostile input: QXmlStreamReader never fetches external entities; a DOCTYPE that declares
// entities is refused outright (no "billion laughs"); field text and item counts are capped.
#pragma once

#include "parseresult.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QXmlStreamReader>

namespace tw::news {

struct FeedOptions {
    QString provider = QStringLiteral("rss"); // NewsItem::provider
    QString idPrefix = QStringLiteral("rss"); // NewsItem::id = "<prefix>:<hash of guid>"
    QString category = QStringLiteral("general");
    QString symbol; // the symbol this feed was polled for; added to every item
    QString source; // fixed source name (e.g. "SEC EDGAR"); else the feed title, else the link's host
    bool prefixCompanyName = false; // EDGAR: headline "<company-info conformed-name>: <title>"
    qint64 receivedAtMs = 0; // also the publishedAt of items without a usable date
    int maxItems = 1000;
    int maxSummaryChars = 1000;
};

class FeedParser {
public:
    explicit FeedParser(FeedOptions options);

    // Parses as far as the bytes so far allow. Errors are kept for finish().
    void addData(const QByteArray &bytes);
    // The end of the document: the items, or why the document was unusable.
    ParseResult finish();

    // Whole-document convenience (what the poller and the fuzzer call).
    static ParseResult parse(const QByteArray &bytes, const FeedOptions &options);

private:
    enum class Format { Unknown, Rss, Atom };
    struct Entry {
        QHash<QString, QString> fields; // local element name -> text (first occurrence)
        QString atomLink; // <link rel="alternate" href=...>
        QStringList categories;
    };

    void process();
    void onStartElement();
    void onEndElement();
    void finishEntry();
    void fail(const QString &why);

    FeedOptions m_options;
    QXmlStreamReader m_reader;
    QByteArray m_pending; // received, not yet given to m_reader (see addData())
    ParseResult m_result;
    Format m_format = Format::Unknown;
    bool m_failed = false;
    bool m_done = false; // the root element has closed
    QStringList m_stack; // local names of the open elements
    int m_entryDepth = -1; // depth of the open <item>/<entry>, -1 outside one
    Entry m_entry;
    QString m_field; // field being captured, empty when none
    int m_fieldDepth = -1;
    QString m_fieldText;
    QString m_feedLevelField; // "title" of the channel/feed, or "conformed-name" (EDGAR)
    QString m_feedLevelText;
    QString m_companyName;
};

} // namespace tw::news
