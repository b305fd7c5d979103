// The real tickerwire-server, run as a child process on 127.0.0.1 port 0 for the hostile-input
// and fault-injection tests: an attack that crashes, wedges or bloats it shows up as exactly
// that (an exit, no answer, RSS in /proc/<pid>), not as a confused test process.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace tw::test {

class TestServerProcess {
public:
    TestServerProcess();
    ~TestServerProcess();
    TestServerProcess(const TestServerProcess &) = delete;
    TestServerProcess &operator=(const TestServerProcess &) = delete;

    static QString binary(); // the tickerwire-server of this build tree

    // Starts the server with `args` (add "--port", "0" yourself or name a port) and waits for
    // its "listening on" line. On failure returns false and says why in *error.
    bool start(const QStringList &args, QString *error);
    void kill(); // SIGKILL: a crash, as far as any client can tell
    bool terminate(); // SIGTERM; true if it exited cleanly
    bool isRunning() const;

    quint16 port() const { return m_port; }
    qint64 pid() const;
    // Resident memory and open descriptors of the server process, from /proc; -1 when gone.
    qint64 rssBytes() const;
    int openFds() const;
    QByteArray stderrText() const; // everything it logged so far

private:
    std::unique_ptr<QProcess> m_process;
    QTemporaryDir m_dir;
    quint16 m_port = 0;
};

// The value of a Prometheus metric in a /metrics body, summed over its label sets; -1 if absent.
double sumMetric(const QByteArray &prometheusText, const QByteArray &name);

} // namespace tw::test
