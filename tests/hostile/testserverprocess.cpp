#include "testserverprocess.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace tw::test {

namespace {
constexpr int kStartTimeoutMs = 30000;
}

TestServerProcess::TestServerProcess() = default;

TestServerProcess::~TestServerProcess()
{
    if (isRunning())
        kill();
}

QString TestServerProcess::binary()
{
    return QStringLiteral(TW_BINARY_DIR "/app/server/tickerwire-server");
}

bool TestServerProcess::start(const QStringList &args, QString *error)
{
    m_process = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // The server reads these; the test decides everything on the command line.
    const QStringList inherited = env.keys();
    for (const QString &key : inherited) {
        if (key.startsWith(QLatin1String("TICKERWIRE_")) || key == QLatin1String("MCP_API_KEYS")
            || key == QLatin1String("ALLOWED_ORIGINS") || key == QLatin1String("NODE_ENV")
            || key == QLatin1String("ENABLE_STREAMING"))
            env.remove(key);
    }
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("tickerwire.*.debug=false"));
    m_process->setProcessEnvironment(env);
    // A file, not a pipe: nobody has to drain it, and a failure report can quote it.
    m_process->setStandardErrorFile(m_dir.filePath(QStringLiteral("stderr.log")));
    m_process->start(binary(), args);
    if (!m_process->waitForStarted(kStartTimeoutMs)) {
        *error = QStringLiteral("cannot start %1: %2").arg(binary(), m_process->errorString());
        return false;
    }
    while (!m_process->canReadLine() && m_process->state() == QProcess::Running)
        m_process->waitForReadyRead(kStartTimeoutMs);
    const QByteArray line = m_process->readLine();
    static const QRegularExpression listening(
        QStringLiteral("listening on http://[^\\s]+:(\\d+)"));
    const QRegularExpressionMatch match = listening.match(QString::fromUtf8(line));
    if (!match.hasMatch()) {
        *error = QStringLiteral("the server did not start: %1 %2")
                     .arg(QString::fromUtf8(line), QString::fromUtf8(stderrText().right(2000)));
        kill();
        return false;
    }
    m_port = quint16(match.captured(1).toUInt());
    return true;
}

void TestServerProcess::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(kStartTimeoutMs);
}

bool TestServerProcess::terminate()
{
    if (!m_process)
        return false;
    m_process->terminate();
    if (!m_process->waitForFinished(kStartTimeoutMs)) {
        kill();
        return false;
    }
    return m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
}

bool TestServerProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

qint64 TestServerProcess::pid() const { return isRunning() ? m_process->processId() : -1; }

qint64 TestServerProcess::rssBytes() const
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid()));
    if (pid() <= 0 || !status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

int TestServerProcess::openFds() const
{
    if (pid() <= 0)
        return -1;
    return int(QDir(QStringLiteral("/proc/%1/fd").arg(pid()))
                   .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System)
                   .size());
}

QByteArray TestServerProcess::stderrText() const
{
    QFile f(m_dir.filePath(QStringLiteral("stderr.log")));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

double sumMetric(const QByteArray &prometheusText, const QByteArray &name)
{
    double sum = 0;
    bool found = false;
    const QList<QByteArray> lines = prometheusText.split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(QByteArray(name + ' ')) || line.startsWith(QByteArray(name + '{'))) {
            sum += line.mid(line.lastIndexOf(' ') + 1).toDouble();
            found = true;
        }
    }
    return found ? sum : -1;
}

} // namespace tw::test
