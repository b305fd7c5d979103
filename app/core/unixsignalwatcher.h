// Turns SIGINT/SIGTERM into a Qt signal on the event loop (self-pipe trick), so shutdown
// runs as ordinary code: streams are ended and sockets flushed before exit.
#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <memory>

namespace tw::core {

class UnixSignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit UnixSignalWatcher(QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    void onReadable();
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace tw::core
