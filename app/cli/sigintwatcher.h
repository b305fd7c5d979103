// SIGINT/SIGTERM turned into a Qt signal (self-pipe + QSocketNotifier): the handler only
// writes one byte; the event loop does the rest. A small equivalent of the server's
// UnixSignalWatcher, which lives in tw_server and is not linked here.
#pragma once

#include <QObject>

#include <memory>

class QSocketNotifier;

namespace tw::cli {

class SigintWatcher : public QObject {
    Q_OBJECT
public:
    explicit SigintWatcher(QObject *parent = nullptr);
    ~SigintWatcher() override;

Q_SIGNALS:
    void interrupted(int signal);

private:
    void onReadable();

    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace tw::cli
