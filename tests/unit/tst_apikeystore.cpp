// ApiKeyStore: which requests count as presenting a valid, wrong or no key, and key files.
#include "apikeystore.h"
#include "ids.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using tw::http::ApiKeyStore;
using tw::http::HttpHeaders;
using tw::http::HttpRequest;

Q_DECLARE_METATYPE(ApiKeyStore::Presented)

namespace {

const QByteArray kFirst = QByteArrayLiteral("correct-horse-battery-staple");
const QByteArray kSecond = QByteArrayLiteral("second-key-0123456789abcdef");
const QByteArray kShort = QByteArrayLiteral("short"); // under 16 chars: still accepted

HttpRequest requestWith(const HttpHeaders &headers)
{
    HttpRequest request;
    request.method = QByteArrayLiteral("POST");
    request.path = QByteArrayLiteral("/mcp");
    request.headers = headers;
    return request;
}

QByteArray writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return file.errorString().toUtf8();
    file.write(content);
    return {};
}

} // namespace

class tst_ApiKeyStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void check_data();
    void check();
    void keyIdIsDigestPrefix();
    void everyStoredKeyMatches();
    void addKeysIgnoresBlanksAndDuplicates();
    void emptyStoreRejectsPresentedKeys();
    void constantTimeEquals_data();
    void constantTimeEquals();
    void loadFile();
    void loadFileErrorsNamePathNotContent();
    void loadFileMissing();
};

void tst_ApiKeyStore::check_data()
{
    QTest::addColumn<HttpHeaders>("headers");
    QTest::addColumn<ApiKeyStore::Presented>("expected");

    using P = ApiKeyStore::Presented;
    const QByteArray xApiKey = QByteArrayLiteral("x-api-key");
    const QByteArray auth = QByteArrayLiteral("authorization");

    QTest::newRow("no headers") << HttpHeaders {} << P::None;
    QTest::newRow("unrelated header") << HttpHeaders { { "accept", "*/*" } } << P::None;
    QTest::newRow("x-api-key correct") << HttpHeaders { { xApiKey, kFirst } } << P::Valid;
    QTest::newRow("x-api-key second key") << HttpHeaders { { xApiKey, kSecond } } << P::Valid;
    QTest::newRow("x-api-key short key") << HttpHeaders { { xApiKey, kShort } } << P::Valid;
    QTest::newRow("x-api-key wrong") << HttpHeaders { { xApiKey, "not-the-key" } } << P::Invalid;
    QTest::newRow("x-api-key prefix") << HttpHeaders { { xApiKey, kFirst.left(10) } } << P::Invalid;
    QTest::newRow("x-api-key longer")
        << HttpHeaders { { xApiKey, kFirst + QByteArrayLiteral("x") } } << P::Invalid;
    QTest::newRow("x-api-key other case")
        << HttpHeaders { { xApiKey, kFirst.toUpper() } } << P::Invalid;
    QTest::newRow("x-api-key empty") << HttpHeaders { { xApiKey, "" } } << P::Invalid;
    QTest::newRow("bearer correct")
        << HttpHeaders { { auth, QByteArrayLiteral("Bearer ") + kFirst } } << P::Valid;
    QTest::newRow("bearer lower-case scheme")
        << HttpHeaders { { auth, QByteArrayLiteral("bearer ") + kSecond } } << P::Valid;
    QTest::newRow("bearer upper-case scheme, several spaces")
        << HttpHeaders { { auth, QByteArrayLiteral("BEARER   ") + kFirst } } << P::Valid;
    QTest::newRow("bearer wrong") << HttpHeaders {
        { auth, QByteArrayLiteral("Bearer nope-nope-nope") }
    } << P::Invalid;
    QTest::newRow("bearer without token") << HttpHeaders { { auth, "Bearer" } } << P::Invalid;
    QTest::newRow("bearer glued to key")
        << HttpHeaders { { auth, QByteArrayLiteral("Bearer") + kFirst } } << P::None;
    QTest::newRow("basic scheme") << HttpHeaders {
        { auth, QByteArrayLiteral("Basic ") + kFirst.toBase64() }
    } << P::None;
    QTest::newRow("wrong x-api-key, correct bearer")
        << HttpHeaders { { xApiKey, "stale" }, { auth, QByteArrayLiteral("Bearer ") + kFirst } }
        << P::Valid;
    QTest::newRow("correct x-api-key, wrong bearer")
        << HttpHeaders { { xApiKey, kSecond }, { auth, "Bearer proxy-token" } } << P::Valid;
    QTest::newRow("both wrong") << HttpHeaders { { xApiKey, "a" }, { auth, "Bearer b" } }
                                << P::Invalid;
}

void tst_ApiKeyStore::check()
{
    QFETCH(HttpHeaders, headers);
    QFETCH(ApiKeyStore::Presented, expected);

    ApiKeyStore store;
    store.addKeys({ kFirst, kSecond, kShort });
    const ApiKeyStore::Result result = store.check(requestWith(headers));
    QCOMPARE(result.presented, expected);
    if (expected == ApiKeyStore::Presented::Valid)
        QCOMPARE(result.keyId.size(), 8);
    else
        QVERIFY(result.keyId.isEmpty());
}

void tst_ApiKeyStore::keyIdIsDigestPrefix()
{
    const QByteArray expected
        = QCryptographicHash::hash(kFirst, QCryptographicHash::Sha256).toHex().left(8);
    QCOMPARE(ApiKeyStore::keyIdOf(kFirst), expected);
    QVERIFY(ApiKeyStore::keyIdOf(kFirst) != ApiKeyStore::keyIdOf(kSecond));
    QVERIFY(!kFirst.contains(ApiKeyStore::keyIdOf(kFirst)));

    ApiKeyStore store;
    store.addKeys({ kFirst });
    QCOMPARE(store.checkKey(kFirst).keyId, expected);
}

void tst_ApiKeyStore::everyStoredKeyMatches()
{
    // Whatever its position, each key matches: the loop does not stop at the first digest.
    QByteArrayList keys;
    for (int i = 0; i < 20; ++i)
        keys.append(QByteArrayLiteral("key-number-") + QByteArray::number(i));
    ApiKeyStore store;
    store.addKeys(keys);
    QCOMPARE(store.size(), 20);
    for (const QByteArray &key : keys) {
        const ApiKeyStore::Result result = store.checkKey(key);
        QCOMPARE(result.presented, ApiKeyStore::Presented::Valid);
        QCOMPARE(result.keyId, ApiKeyStore::keyIdOf(key));
    }
    QCOMPARE(store.checkKey(QByteArrayLiteral("key-number-20")).presented,
        ApiKeyStore::Presented::Invalid);
}

void tst_ApiKeyStore::addKeysIgnoresBlanksAndDuplicates()
{
    ApiKeyStore store;
    QVERIFY(store.isEmpty());
    store.addKeys(
        { "", "   ", QByteArrayLiteral("  ") + kFirst + QByteArrayLiteral("\t"), kFirst });
    QCOMPARE(store.size(), 1);
    QCOMPARE(store.checkKey(kFirst).presented, ApiKeyStore::Presented::Valid);
    QCOMPARE(store.checkKey(QByteArray()).presented, ApiKeyStore::Presented::Invalid);
}

void tst_ApiKeyStore::emptyStoreRejectsPresentedKeys()
{
    ApiKeyStore store;
    QCOMPARE(store.checkKey(kFirst).presented, ApiKeyStore::Presented::Invalid);
    QCOMPARE(store.check(requestWith({})).presented, ApiKeyStore::Presented::None);
}

void tst_ApiKeyStore::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");

    QTest::newRow("equal") << QByteArray("abcdef") << QByteArray("abcdef") << true;
    QTest::newRow("both empty") << QByteArray() << QByteArray("") << true;
    QTest::newRow("first byte differs") << QByteArray("xbcdef") << QByteArray("abcdef") << false;
    QTest::newRow("last byte differs") << QByteArray("abcdex") << QByteArray("abcdef") << false;
    QTest::newRow("one bit differs") << QByteArray("abcdef") << QByteArray("abcdeg") << false;
    QTest::newRow("prefix") << QByteArray("abc") << QByteArray("abcdef") << false;
    QTest::newRow("empty vs not") << QByteArray() << QByteArray("a") << false;
    QTest::newRow("embedded nul") << QByteArray("ab\0cd", 5) << QByteArray("ab\0ce", 5) << false;
}

void tst_ApiKeyStore::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(tw::core::constantTimeEquals(a, b), equal);
    QCOMPARE(tw::core::constantTimeEquals(b, a), equal);
}

void tst_ApiKeyStore::loadFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("keys.txt"));
    const QByteArray content = QByteArrayLiteral("# Tickerwire API keys\r\n"
                                                 "\r\n"
                                                 "   file-key-one-0123456789   \r\n"
                                                 "#commented-out-key-0123456789\n"
                                                 "  # indented comment\n"
                                                 "\tfile-key-two\n"
                                                 "\n");
    QCOMPARE(writeFile(path, content), QByteArray());

    ApiKeyStore store;
    QByteArrayList keysOut { "already-there" };
    QCOMPARE(store.loadFile(path, &keysOut), QString());
    QCOMPARE(
        keysOut, (QByteArrayList { "already-there", "file-key-one-0123456789", "file-key-two" }));
    QCOMPARE(store.size(), 2);

    QCOMPARE(store.checkKey("file-key-one-0123456789").presented, ApiKeyStore::Presented::Valid);
    QCOMPARE(store.checkKey("file-key-two").presented, ApiKeyStore::Presented::Valid);
    QCOMPARE(
        store.checkKey("commented-out-key-0123456789").presented, ApiKeyStore::Presented::Invalid);
    QCOMPARE(
        store.checkKey("#commented-out-key-0123456789").presented, ApiKeyStore::Presented::Invalid);

    // keysOut is optional.
    ApiKeyStore other;
    QCOMPARE(other.loadFile(path, nullptr), QString());
    QCOMPARE(other.size(), 2);
}

void tst_ApiKeyStore::loadFileErrorsNamePathNotContent()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("only-comments.txt"));
    QCOMPARE(writeFile(path, "# secret-looking-comment-1234\n\n"), QByteArray());

    ApiKeyStore store;
    QByteArrayList keysOut;
    const QString error = store.loadFile(path, &keysOut);
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(!error.contains(QStringLiteral("secret-looking")), qPrintable(error));
    QVERIFY(store.isEmpty());
    QVERIFY(keysOut.isEmpty());
}

void tst_ApiKeyStore::loadFileMissing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("does-not-exist.txt"));
    ApiKeyStore store;
    const QString error = store.loadFile(path, nullptr);
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(store.isEmpty());
}

QTEST_GUILESS_MAIN(tst_ApiKeyStore)
#include "tst_apikeystore.moc"
