// core::SendBatch: the sends of one fan-out gathered, shared between threads, and every owner
// told exactly what the kernel did not take -- over real socket pairs.
#include "sendbatch.h"

#include <QByteArray>
#include <QList>
#include <QTest>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

using tw::core::SendBatch;

namespace {

// One owner per socket pair: what the batch reported back for it.
struct Owner {
    int fds[2] = { -1, -1 };
    int finished = 0;
    QByteArray unsent;
    int error = 0;

    Owner(const Owner &) = delete;
    Owner &operator=(const Owner &) = delete;
    Owner()
    {
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            qFatal("socketpair: %d", errno);
    }
    ~Owner()
    {
        for (int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    static void finish(void *owner, QByteArrayView unsent, int error)
    {
        auto *o = static_cast<Owner *>(owner);
        ++o->finished;
        o->unsent = unsent.toByteArray();
        o->error = error;
    }
    QByteArray readAll() const
    {
        QByteArray out;
        char buf[65536];
        for (;;) {
            const ssize_t n = ::recv(fds[1], buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0)
                return out;
            out.append(buf, n);
        }
    }
};

bool add(int fd, const QList<QByteArray> &parts, Owner &owner)
{
    std::vector<QByteArrayView> views;
    for (const QByteArray &p : parts)
        views.emplace_back(p);
    return SendBatch::current()->add(fd, views.data(), int(views.size()), &owner, &Owner::finish);
}

} // namespace

class tst_SendBatch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanup() { SendBatch::setWorkerThreads(SendBatch::defaultWorkerThreads()); }
    void onlyInsideAScope();
    void everyStreamGetsItsBytesOnce_data();
    void everyStreamGetsItsBytesOnce();
    void nestedScopesSendAtTheOuterEnd();
    void shortSendReturnsTheRest();
    void failedSendReportsTheError();
    void tooLargeIsLeftToTheCaller();
};

void tst_SendBatch::onlyInsideAScope()
{
    QCOMPARE(SendBatch::current(), nullptr);
    {
        const SendBatch::Scope scope;
        QVERIFY(SendBatch::current() != nullptr);
    }
    QCOMPARE(SendBatch::current(), nullptr);
}

void tst_SendBatch::everyStreamGetsItsBytesOnce_data()
{
    QTest::addColumn<int>("workers");
    QTest::addColumn<int>("streams");
    QTest::newRow("event loop alone") << 0 << 100;
    QTest::newRow("one worker") << 1 << 100;
    QTest::newRow("three workers") << 3 << 100;
    QTest::newRow("too few to share") << 3 << SendBatch::kMinSendsPerThread;
}

void tst_SendBatch::everyStreamGetsItsBytesOnce()
{
    QFETCH(int, workers);
    QFETCH(int, streams);
    SendBatch::setWorkerThreads(workers);
    std::vector<Owner> owners(static_cast<size_t>(streams));
    const QByteArray shared(700, 's');
    {
        const SendBatch::Scope scope;
        for (int i = 0; i < streams; ++i) {
            QVERIFY(add(owners[size_t(i)].fds[0],
                { "id: " + QByteArray::number(i) + "\n", shared, "\n\n" }, owners[size_t(i)]));
        }
        QCOMPARE(SendBatch::current()->size(), qsizetype(streams));
        for (const Owner &o : owners)
            QCOMPARE(o.finished, 0); // nothing sent before the scope ends
    }
    for (int i = 0; i < streams; ++i) {
        const Owner &o = owners[size_t(i)];
        QCOMPARE(o.finished, 1);
        QCOMPARE(o.unsent, QByteArray());
        QCOMPARE(o.error, 0);
        QCOMPARE(o.readAll(), "id: " + QByteArray::number(i) + "\n" + shared + "\n\n");
    }
}

void tst_SendBatch::nestedScopesSendAtTheOuterEnd()
{
    Owner owner;
    {
        const SendBatch::Scope outer;
        {
            const SendBatch::Scope inner; // a delivery inside a delivery
            QVERIFY(add(owner.fds[0], { "first" }, owner));
        }
        QCOMPARE(owner.finished, 0);
        QCOMPARE(SendBatch::current()->size(), qsizetype(1));
        SendBatch::flushCurrent(); // an owner about to write outside the batch
        QCOMPARE(owner.finished, 1);
        QVERIFY(add(owner.fds[0], { "second" }, owner));
    }
    QCOMPARE(owner.finished, 2);
    QCOMPARE(owner.readAll(), QByteArray("firstsecond"));
}

void tst_SendBatch::shortSendReturnsTheRest()
{
    // A reader that is behind: the kernel takes part of the write, the owner gets the rest,
    // byte for byte, to queue behind it.
    Owner owner;
    const int small = 4096;
    ::setsockopt(owner.fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    QByteArray payload;
    for (int i = 0; payload.size() < 256 * 1024; ++i)
        payload += QByteArray::number(i) + ',';
    SendBatch::setWorkerThreads(0);
    {
        const SendBatch::Scope scope;
        QVERIFY(add(owner.fds[0], { payload.left(1000), payload.mid(1000, 30000) }, owner));
    }
    QCOMPARE(owner.finished, 1);
    QCOMPARE(owner.error, 0);
    QVERIFY(!owner.unsent.isEmpty());
    const QByteArray sent = owner.readAll();
    QVERIFY(!sent.isEmpty());
    QCOMPARE(sent + owner.unsent, payload.left(31000));
}

void tst_SendBatch::failedSendReportsTheError()
{
    Owner owner;
    ::close(owner.fds[1]);
    owner.fds[1] = -1;
    {
        const SendBatch::Scope scope;
        QVERIFY(add(owner.fds[0], { "to nobody" }, owner));
    }
    QCOMPARE(owner.finished, 1);
    QCOMPARE(owner.error, EPIPE);
    QCOMPARE(owner.unsent, QByteArray("to nobody"));
}

void tst_SendBatch::tooLargeIsLeftToTheCaller()
{
    Owner owner;
    const QByteArray big(SendBatch::kMaxEntryBytes + 1, 'b');
    const SendBatch::Scope scope;
    QVERIFY(!add(owner.fds[0], { big }, owner));
    QCOMPARE(SendBatch::current()->size(), qsizetype(0));
}

QTEST_GUILESS_MAIN(tst_SendBatch)
#include "tst_sendbatch.moc"
