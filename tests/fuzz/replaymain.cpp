// The replay driver of the normal (non-fuzzer) build: calls LLVMFuzzerTestOneInput once for
// every file named on the command line or found in a directory named there (sorted, not
// recursive), so tests/fuzz/corpus and tests/fuzz/regressions run as plain ctests under the
// default and asan presets. A crash or a failed invariant aborts, which fails the test.
#include "fuzzsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

int main(int argc, char **argv)
{
    tw::fuzz::ensureApp();
    int replayed = 0;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        QStringList files;
        const QFileInfo info(arg);
        if (info.isDir()) {
            const QDir dir(arg);
            for (const QString &name : dir.entryList(QDir::Files | QDir::Hidden, QDir::Name))
                files << dir.filePath(name);
        } else if (info.isFile()) {
            files << arg;
        } else {
            continue; // an absent regressions/<target> directory means none yet
        }
        for (const QString &path : std::as_const(files)) {
            if (QFileInfo(path).fileName().startsWith(QLatin1Char('.')))
                continue; // .gitkeep and the like
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "cannot read %s\n", qPrintable(path));
                return 2;
            }
            const QByteArray bytes = f.readAll();
            std::fprintf(stderr, "replay %s (%lld bytes)\n", qPrintable(path), static_cast<long long>(bytes.size()));
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.constData()), size_t(bytes.size()));
            ++replayed;
        }
    }
    std::fprintf(stderr, "replayed %d inputs, all clean\n", replayed);
    return replayed > 0 ? 0 : 1;
}
