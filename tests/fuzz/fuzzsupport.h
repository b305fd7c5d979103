// What every fuzz target shares: a process-wide QCoreApplication (created on first use, so
// the libFuzzer build and the replay build need no LLVMFuzzerInitialize), quiet logging, a
// byte reader that turns the front of an input into choices (chunk sizes, selectors), and
// the check that fails a run when an invariant breaks.
#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QLoggingCategory>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace tw::fuzz {

// The QCoreApplication the Qt code needs (event loop, timers, sockets). Logging is off:
// millions of runs would otherwise spend their time formatting warnings nobody reads.
inline void ensureApp()
{
    if (QCoreApplication::instance())
        return;
    static int argc = 1;
    static char name[] = "tw-fuzz";
    static char *argv[] = { name, nullptr };
    static QCoreApplication *app = new QCoreApplication(argc, argv);
    Q_UNUSED(app);
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false\n*.info=false\n*.warning=false"));
}

// A failed invariant: say which, then abort so libFuzzer (or the replay test) reports it.
[[noreturn]] inline void fail(const char *what, const QByteArray &detail = {})
{
    std::fprintf(stderr, "fuzz invariant violated: %s\n%s\n", what, detail.constData());
    std::abort();
}

inline void check(bool condition, const char *what, const QByteArray &detail = {})
{
    if (!condition)
        fail(what, detail);
}

// Reads choices from the front of the input; when the bytes run out every choice is 0.
class ByteReader {
public:
    ByteReader(const uint8_t *data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }
    uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    uint16_t u16()
    {
        const uint16_t low = byte();
        return uint16_t(low | (byte() << 8));
    }
    // What is left, as bytes.
    QByteArray rest() const
    {
        return QByteArray(reinterpret_cast<const char *>(m_data + m_pos), qsizetype(m_size - m_pos));
    }
    size_t remaining() const { return m_size - m_pos; }

private:
    const uint8_t *m_data;
    size_t m_size;
    size_t m_pos = 0;
};

// Splits `bytes` into chunks whose sizes come from `sizes` (1..64, cycling; never empty), so
// a chunking is reproducible from the input alone.
inline QList<QByteArray> chunked(const QByteArray &bytes, const QByteArray &sizes)
{
    QList<QByteArray> out;
    qsizetype pos = 0;
    qsizetype i = 0;
    while (pos < bytes.size()) {
        const qsizetype n = sizes.isEmpty() ? 1 : 1 + (uint8_t(sizes.at(i++ % sizes.size())) % 64);
        out.append(bytes.mid(pos, n));
        pos += n;
    }
    return out;
}

} // namespace tw::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
