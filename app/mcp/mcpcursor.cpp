#include "mcpcursor.h"

#include <QByteArray>

using namespace Qt::StringLiterals;

namespace tw::mcp {

namespace {
constexpr auto kEncoding = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
}

QString McpCursor::encode(const QString &list, qsizetype offset)
{
    const QByteArray raw = "tw1:" + list.toUtf8() + ':' + QByteArray::number(offset);
    return QString::fromLatin1(raw.toBase64(kEncoding));
}

std::optional<qsizetype> McpCursor::decode(const QString &list, const QString &cursor)
{
    const auto decoded = QByteArray::fromBase64Encoding(cursor.toLatin1(),
        kEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QByteArray prefix = "tw1:" + list.toUtf8() + ':';
    if (!decoded.decoded.startsWith(prefix))
        return std::nullopt;
    bool ok = false;
    const qlonglong offset = decoded.decoded.mid(prefix.size()).toLongLong(&ok);
    if (!ok || offset <= 0)
        return std::nullopt;
    return static_cast<qsizetype>(offset);
}

} // namespace tw::mcp
