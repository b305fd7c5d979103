#include "apikeystore.h"

#include "ids.h"

#include <QCryptographicHash>
#include <QFile>

#include <algorithm>

namespace tw::http {

namespace {

    // A key file is a handful of lines; anything bigger is a wrong path (a log, /dev/zero), and
    // reading it whole would be a memory hazard at start-up.
    constexpr qint64 kMaxKeyFileBytes = 1024 * 1024;

    QByteArray digestOf(const QByteArray &plainKey)
    {
        return QCryptographicHash::hash(plainKey, QCryptographicHash::Sha256);
    }

    bool isSpace(char c) { return c == ' ' || c == '\t'; }

    // The token of "Bearer <token>" (scheme case-insensitive, one or more spaces), or a null
    // QByteArray when the header uses another scheme (Basic, ...) and so presents no API key.
    QByteArray bearerToken(const QByteArray &authorization)
    {
        const QByteArray value = authorization.trimmed();
        const QByteArray scheme = QByteArrayLiteral("bearer");
        if (value.size() < scheme.size() || value.left(scheme.size()).toLower() != scheme)
            return {};
        if (value.size() == scheme.size())
            return QByteArray(""); // "Bearer" alone: a bearer credential, but an empty one
        if (!isSpace(value.at(scheme.size())))
            return {}; // "Bearerfoo" is some other scheme
        return value.mid(scheme.size()).trimmed();
    }

} // namespace

void ApiKeyStore::addKeys(const QByteArrayList &plainKeys)
{
    for (const QByteArray &raw : plainKeys) {
        const QByteArray key = raw.trimmed();
        if (key.isEmpty())
            continue;
        const QByteArray digest = digestOf(key);
        // Duplicates (the same key in the environment and the key file) would only make every
        // check do one more comparison.
        if (std::find(m_digests.begin(), m_digests.end(), digest) == m_digests.end())
            m_digests.push_back(digest);
    }
}

QString ApiKeyStore::loadFile(const QString &path, QByteArrayList *keysOut)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("Cannot read API key file '%1': %2").arg(path, file.errorString());
    if (file.size() > kMaxKeyFileBytes) {
        return QStringLiteral("API key file '%1' is larger than %2 bytes; is it the right file?")
            .arg(path)
            .arg(kMaxKeyFileBytes);
    }
    // Read one byte more than allowed so a file whose size() lies (a pipe, /proc) is caught too.
    QByteArray content = file.read(kMaxKeyFileBytes + 1);
    if (content.size() > kMaxKeyFileBytes) {
        return QStringLiteral("API key file '%1' is larger than %2 bytes; is it the right file?")
            .arg(path)
            .arg(kMaxKeyFileBytes);
    }
    if (content.startsWith("\xEF\xBB\xBF")) // UTF-8 BOM left by some editors
        content.remove(0, 3);

    QByteArrayList keys;
    const QByteArrayList lines = content.split('\n');
    for (const QByteArray &raw : lines) {
        const QByteArray line = raw.trimmed(); // also drops the '\r' of CRLF files
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        keys.append(line);
    }
    if (keys.isEmpty()) {
        // An operator who points at a key file wants authentication; running open because the
        // file is empty would be a silent downgrade.
        return QStringLiteral("API key file '%1' contains no keys (one key per line; lines "
                              "starting with '#' are comments)")
            .arg(path);
    }
    addKeys(keys);
    if (keysOut)
        keysOut->append(keys);
    return {};
}

ApiKeyStore::Result ApiKeyStore::check(const HttpRequest &request) const
{
    // Both headers are looked at: a client may send X-API-Key while a proxy on the way adds
    // its own Authorization, so the request is valid when either carries a valid key.
    Result result;
    if (request.hasHeader(QByteArrayLiteral("x-api-key")))
        result = checkKey(request.header(QByteArrayLiteral("x-api-key")));
    if (result.presented == Presented::Valid)
        return result;
    const QByteArray token = bearerToken(request.header(QByteArrayLiteral("authorization")));
    if (!token.isNull()) {
        const Result bearer = checkKey(token);
        if (bearer.presented == Presented::Valid || result.presented == Presented::None)
            result = bearer;
    }
    return result;
}

ApiKeyStore::Result ApiKeyStore::checkKey(const QByteArray &plainKey) const
{
    Result result;
    result.presented = Presented::Invalid;
    const QByteArray key = plainKey.trimmed();
    if (key.isEmpty())
        return result;
    // Compare against every digest without stopping at a match, so the time taken says
    // nothing about whether or which key matched. Digests have a fixed length, so
    // constantTimeEquals also takes the same time for each.
    const QByteArray presented = digestOf(key);
    bool matched = false;
    for (const QByteArray &digest : m_digests)
        matched |= core::constantTimeEquals(digest, presented);
    if (matched) {
        result.presented = Presented::Valid;
        result.keyId = presented.toHex().left(8);
    }
    return result;
}

QByteArray ApiKeyStore::keyIdOf(const QByteArray &plainKey)
{
    return digestOf(plainKey.trimmed()).toHex().left(8);
}

} // namespace tw::http
