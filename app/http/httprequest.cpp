#include "httprequest.h"

namespace tw::http {

QByteArray HttpRequest::queryItem(const QByteArray &name) const
{
    qsizetype pos = 0;
    while (pos <= query.size()) {
        qsizetype end = query.indexOf('&', pos);
        if (end < 0)
            end = query.size();
        const QByteArray pair = query.mid(pos, end - pos);
        const qsizetype eq = pair.indexOf('=');
        QByteArray key = eq < 0 ? pair : pair.left(eq);
        key.replace('+', ' ');
        if (QByteArray::fromPercentEncoding(key) == name) {
            QByteArray value = eq < 0 ? QByteArray("") : pair.mid(eq + 1);
            value.replace('+', ' ');
            return QByteArray::fromPercentEncoding(value);
        }
        pos = end + 1;
    }
    return {};
}

} // namespace tw::http
