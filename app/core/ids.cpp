#include "ids.h"

#include <QRandomGenerator>

namespace tw::core {

QByteArray randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    auto *gen = QRandomGenerator::system();
    for (int i = 0; i < bytes; ++i)
        raw[i] = static_cast<char>(gen->bounded(256));
    return raw.toHex();
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    // volatile read so the compiler cannot turn the loop into an early-exit memcmp
    volatile unsigned char result = diff;
    return result == 0;
}

} // namespace tw::core
