// FNV-1a (64-bit) over a string's UTF-16 code units: stable across runs and processes, unlike
// qHash, which is seeded per process. Used where a value must map the same way every time
// (the demo feed's symbol -> company) or must be cheap to compare (headline words).
#pragma once

#include <QStringView>

namespace tw::core {

inline quint64 stableHash(QStringView s)
{
    quint64 h = 0xcbf29ce484222325ULL;
    for (const QChar c : s) {
        h ^= c.unicode();
        h *= 0x100000001b3ULL;
    }
    return h;
}

} // namespace tw::core
