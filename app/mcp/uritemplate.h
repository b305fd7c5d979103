// RFC 6570 URI templates as MCP resource templates use them: `{var}` matches one path
// segment (no '/'), `{+var}` reserved expansion matches anything. Enough to route
// resources/read for templates such as news://{symbol}/latest and to name the variables
// completion/complete asks about.
#pragma once

#include <QHash>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <optional>

namespace tw::mcp {

class UriTemplate {
public:
    UriTemplate() = default;
    explicit UriTemplate(const QString &pattern);

    bool isValid() const { return m_regex.isValid() && !m_pattern.isEmpty(); }
    QString pattern() const { return m_pattern; }
    QStringList variables() const { return m_variables; }
    // The variables' (percent-decoded) values when `uri` matches the whole template.
    std::optional<QHash<QString, QString>> match(const QString &uri) const;
    QString expand(const QHash<QString, QString> &values) const;

private:
    QString m_pattern;
    QStringList m_variables;
    QRegularExpression m_regex;
};

} // namespace tw::mcp
