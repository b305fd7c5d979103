// Random identifiers and the secret-safe digest used to name API keys in logs.
#pragma once

#include <QByteArray>

namespace tw::core {

// `bytes` bytes from the system CSPRNG, hex-encoded (so 16 -> 32 hex chars, 128 bits).
QByteArray randomHex(int bytes = 16);

// Compares two byte strings in time that depends only on their lengths, never on where
// they differ.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace tw::core
