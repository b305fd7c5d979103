#include "feedparser.h"

#include "feedtext.h"

#include <QUrl>

#include <utility>

namespace tw::news {

namespace {
    constexpr int kMaxFieldChars = 64 * 1024;

    QString firstNonEmpty(const QHash<QString, QString> &fields, std::initializer_list<const char *> keys)
    {
        for (const char *key : keys) {
            const QString value = fields.value(QLatin1String(key)).trimmed();
            if (!value.isEmpty())
                return value;
        }
        return {};
    }
} // namespace

FeedParser::FeedParser(FeedOptions options)
    : m_options(std::move(options))
{
}

void FeedParser::addData(const QByteArray &bytes)
{
    if (m_failed || m_done)
        return;
    // The reader gets the document in slices that end before each '<', whatever the split of
    // the bytes that arrive. QXmlStreamReader (Qt 6.4) does not parse alike for every split:
    // it misses a "]]>" in character data cut between two addData() calls (and accepts what
    // it rejects whole), and it reports invalid UTF-8 when the bytes holding it are added,
    // not where they are (found by fuzzing). Slices fixed by the content make every split
    // parse exactly like the whole document, and never cut character data, "]]>" or "-->".
    m_pending.append(bytes);
    qsizetype from = 0;
    for (qsizetype lt = m_pending.indexOf('<', 1); lt > 0 && !m_failed && !m_done;
         lt = m_pending.indexOf('<', lt + 1)) {
        m_reader.addData(m_pending.mid(from, lt - from));
        from = lt;
        process();
    }
    m_pending.remove(0, from);
}

ParseResult FeedParser::finish()
{
    if (!m_failed && !m_done) {
        m_reader.addData(std::exchange(m_pending, QByteArray()));
        process();
        if (!m_failed && !m_done) {
            if (m_format == Format::Unknown && m_stack.isEmpty())
                fail(QStringLiteral("empty response: no XML document"));
            else
                fail(QStringLiteral("truncated XML: the document ended at line %1 inside <%2>")
                         .arg(m_reader.lineNumber())
                         .arg(m_stack.isEmpty() ? QString() : m_stack.constLast()));
        }
    }
    if (m_failed) {
        ParseResult failed = ParseResult::failure(m_result.error);
        failed.feedTitle = m_result.feedTitle;
        return failed;
    }
    return std::exchange(m_result, ParseResult());
}

ParseResult FeedParser::parse(const QByteArray &bytes, const FeedOptions &options)
{
    FeedParser parser(options);
    parser.addData(bytes);
    return parser.finish();
}

void FeedParser::fail(const QString &why)
{
    if (m_failed)
        return;
    m_failed = true;
    m_result.error = why;
    m_result.items.clear();
}

void FeedParser::process()
{
    while (!m_failed && !m_done) {
        const QXmlStreamReader::TokenType token = m_reader.readNext();
        if (m_reader.hasError()) {
            if (m_reader.error() == QXmlStreamReader::PrematureEndOfDocumentError)
                return; // wait for more bytes (finish() decides whether that is an error)
            fail(QStringLiteral("malformed XML at line %1, column %2: %3")
                     .arg(m_reader.lineNumber())
                     .arg(m_reader.columnNumber())
                     .arg(m_reader.errorString()));
            return;
        }
        switch (token) {
        case QXmlStreamReader::DTD:
            if (!m_reader.entityDeclarations().isEmpty()) {
                fail(QStringLiteral("refused: the DOCTYPE declares entities (entity expansion is not allowed)"));
                return;
            }
            break;
        case QXmlStreamReader::EntityReference:
            fail(QStringLiteral("refused: unresolved entity reference &%1;").arg(m_reader.name()));
            return;
        case QXmlStreamReader::StartElement:
            onStartElement();
            break;
        case QXmlStreamReader::EndElement:
            onEndElement();
            break;
        case QXmlStreamReader::Characters:
            if (m_fieldDepth >= 0) {
                if (m_fieldText.size() < kMaxFieldChars)
                    m_fieldText.append(m_reader.text().left(kMaxFieldChars - m_fieldText.size()));
            } else if (!m_feedLevelField.isEmpty()) {
                if (m_feedLevelText.size() < 1024)
                    m_feedLevelText.append(m_reader.text().left(1024));
            }
            break;
        case QXmlStreamReader::EndDocument:
            m_done = true;
            break;
        case QXmlStreamReader::Invalid:
            return; // no more complete tokens in the buffer
        default:
            break;
        }
    }
}

void FeedParser::onStartElement()
{
    const QString name = m_reader.name().toString();
    const int depth = int(m_stack.size()); // depth of this element's parent
    m_stack.append(name);

    if (depth == 0) {
        if (name == QLatin1String("rss") || name == QLatin1String("RDF"))
            m_format = Format::Rss;
        else if (name == QLatin1String("feed"))
            m_format = Format::Atom;
        else
            fail(QStringLiteral("not an RSS or Atom feed: the document element is <%1>").arg(name));
        return;
    }

    if (m_entryDepth < 0) {
        const bool isEntry = (m_format == Format::Rss && name == QLatin1String("item"))
            || (m_format == Format::Atom && name == QLatin1String("entry"));
        if (isEntry) {
            m_entryDepth = depth;
            m_entry = Entry();
            return;
        }
        const QString &parent = m_stack.at(depth - 1);
        const bool feedTitle = name == QLatin1String("title")
            && (parent == QLatin1String("channel") || (depth == 1 && m_format == Format::Atom));
        if (feedTitle || name == QLatin1String("conformed-name")) {
            m_feedLevelField = name;
            m_feedLevelText.clear();
        }
        return;
    }

    if (depth == m_entryDepth + 1) {
        // A direct child of the item/entry: start capturing its text (nested markup included).
        const QXmlStreamAttributes attributes = m_reader.attributes();
        if (name == QLatin1String("link") && attributes.hasAttribute(QLatin1String("href"))) {
            const QString rel = attributes.value(QLatin1String("rel")).toString();
            if (m_entry.atomLink.isEmpty() && (rel.isEmpty() || rel == QLatin1String("alternate")))
                m_entry.atomLink = attributes.value(QLatin1String("href")).toString();
            return;
        }
        if (name == QLatin1String("category") && attributes.hasAttribute(QLatin1String("term"))) {
            m_entry.categories.append(attributes.value(QLatin1String("term")).toString());
            return;
        }
        m_field = name;
        m_fieldDepth = depth;
        m_fieldText.clear();
    }
}

void FeedParser::onEndElement()
{
    if (m_stack.isEmpty())
        return;
    m_stack.removeLast();
    const int depth = int(m_stack.size());

    if (depth == 0) {
        m_done = true;
        return;
    }
    if (m_fieldDepth >= 0 && depth == m_fieldDepth) {
        if (m_field == QLatin1String("category"))
            m_entry.categories.append(m_fieldText.trimmed());
        else if (!m_entry.fields.contains(m_field))
            m_entry.fields.insert(m_field, m_fieldText);
        m_field.clear();
        m_fieldDepth = -1;
        m_fieldText.clear();
        return;
    }
    if (m_entryDepth >= 0 && depth == m_entryDepth) {
        finishEntry();
        m_entryDepth = -1;
        return;
    }
    if (!m_feedLevelField.isEmpty() && m_entryDepth < 0) {
        const QString text = feedtext::htmlToPlainText(m_feedLevelText);
        if (m_feedLevelField == QLatin1String("conformed-name"))
            m_companyName = text;
        else if (m_result.feedTitle.isEmpty())
            m_result.feedTitle = text;
        m_feedLevelField.clear();
        m_feedLevelText.clear();
    }
}

void FeedParser::finishEntry()
{
    const Entry &e = m_entry;
    if (m_result.items.size() >= m_options.maxItems) {
        ++m_result.skippedEntries;
        return;
    }
    core::NewsItem item;
    QString title = feedtext::htmlToPlainText(e.fields.value(QStringLiteral("title")));
    const QString summary = feedtext::htmlToPlainText(
        firstNonEmpty(e.fields, { "description", "summary", "encoded", "content" }));
    if (title.isEmpty())
        title = feedtext::truncated(summary, 140);
    if (title.isEmpty()) {
        ++m_result.skippedEntries;
        return;
    }
    item.headline = feedtext::truncated(title, 400);
    if (m_options.prefixCompanyName && !m_companyName.isEmpty())
        item.headline = m_companyName + QStringLiteral(": ") + item.headline;
    item.summary = feedtext::truncated(summary, m_options.maxSummaryChars);

    const QString guid = firstNonEmpty(e.fields, { "guid", "id" });
    QString link = feedtext::safeLink(e.atomLink.isEmpty() ? e.fields.value(QStringLiteral("link")) : e.atomLink);
    if (link.isEmpty() && !guid.isEmpty())
        link = feedtext::safeLink(guid); // RSS guid isPermaLink="true" (the default) is a URL
    item.url = link;

    const QString dateText = firstNonEmpty(e.fields, { "pubDate", "published", "updated", "date", "issued", "modified" });
    item.publishedAtMs = feedtext::parseFeedDate(dateText).value_or(m_options.receivedAtMs);
    item.receivedAtMs = m_options.receivedAtMs;

    // SEC EDGAR ids carry the accession number, which is stable and meaningful; keep it.
    const qsizetype accession = guid.indexOf(QLatin1String("accession-number="));
    if (accession >= 0)
        item.id = m_options.idPrefix + QLatin1Char(':') + guid.mid(accession + 17).trimmed();
    else
        item.id = feedtext::hashedId(m_options.idPrefix,
            !guid.isEmpty() ? guid : (!link.isEmpty() ? core::NewsItem::canonicalUrl(link) : title + dateText));

    if (!m_options.source.isEmpty())
        item.source = m_options.source;
    else if (!m_result.feedTitle.isEmpty())
        item.source = m_result.feedTitle;
    else
        item.source = QUrl(link).host();

    if (!m_options.symbol.isEmpty())
        item.symbols.append(m_options.symbol.toUpper());
    const QStringList mentioned = feedtext::cashtags(title + QLatin1Char(' ') + summary);
    for (const QString &s : mentioned) {
        if (!item.symbols.contains(s))
            item.symbols.append(s);
    }
    item.provider = m_options.provider;
    item.category = m_options.category;
    m_result.items.append(item);
}

} // namespace tw::news
