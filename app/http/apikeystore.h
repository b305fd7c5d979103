// API keys, kept only as SHA-256 digests and compared in constant time.
#pragma once

#include "httprequest.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QString>

#include <vector>

namespace tw::http {

class ApiKeyStore {
public:
    enum class Presented { None, Valid, Invalid };
    struct Result {
        Presented presented = Presented::None;
        QByteArray keyId; // 8 hex chars of the key's digest when Valid: safe to log
    };

    // Adds keys (blank entries and surrounding whitespace are ignored).
    void addKeys(const QByteArrayList &plainKeys);
    // Reads one key per line ('#' comments and blank lines skipped). Returns an error
    // message naming the file (never its content) or an empty string.
    QString loadFile(const QString &path, QByteArrayList *keysOut);

    bool isEmpty() const { return m_digests.empty(); }
    int size() const { return int(m_digests.size()); }

    // Looks at `X-API-Key` and `Authorization: Bearer <key>`. Every stored digest is
    // compared, whatever matches first, so timing says nothing about which key or how much of it matched.
    Result check(const HttpRequest &request) const;
    Result checkKey(const QByteArray &plainKey) const;

    static QByteArray keyIdOf(const QByteArray &plainKey);

private:
    std::vector<QByteArray> m_digests; // SHA-256 of each key
};

} // namespace tw::http
