#include "uritemplate.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace tw::mcp {

UriTemplate::UriTemplate(const QString &pattern)
    : m_pattern(pattern)
{
    QString regex = u"^"_s;
    qsizetype pos = 0;
    while (pos < pattern.size()) {
        const qsizetype open = pattern.indexOf(u'{', pos);
        if (open < 0) {
            regex += QRegularExpression::escape(pattern.mid(pos));
            break;
        }
        const qsizetype close = pattern.indexOf(u'}', open);
        if (close < 0) {
            m_regex = QRegularExpression(u"("_s); // invalid on purpose: unbalanced braces
            return;
        }
        regex += QRegularExpression::escape(pattern.mid(pos, open - pos));
        QString name = pattern.mid(open + 1, close - open - 1);
        const bool reserved = name.startsWith(u'+');
        if (reserved)
            name.remove(0, 1);
        m_variables << name;
        regex += reserved ? u"(.+)"_s : u"([^/?#]+)"_s;
        pos = close + 1;
    }
    regex += u"$"_s;
    m_regex = QRegularExpression(regex);
}

std::optional<QHash<QString, QString>> UriTemplate::match(const QString &uri) const
{
    if (!isValid())
        return std::nullopt;
    const QRegularExpressionMatch m = m_regex.match(uri);
    if (!m.hasMatch())
        return std::nullopt;
    QHash<QString, QString> values;
    for (qsizetype i = 0; i < m_variables.size(); ++i)
        values.insert(m_variables.at(i),
            QUrl::fromPercentEncoding(m.captured(static_cast<int>(i + 1)).toUtf8()));
    return values;
}

QString UriTemplate::expand(const QHash<QString, QString> &values) const
{
    QString out = m_pattern;
    for (const QString &name : m_variables) {
        const QString value = values.value(name);
        out.replace(u"{+"_s + name + u'}', value);
        out.replace(u'{' + name + u'}', QString::fromUtf8(QUrl::toPercentEncoding(value)));
    }
    return out;
}

} // namespace tw::mcp
