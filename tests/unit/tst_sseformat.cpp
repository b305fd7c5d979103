// SSE framing: what SseWriter::format() puts on the wire for each kind of event.
#include "ssewriter.h"

#include <QTest>

using tw::http::SseEvent;
using tw::http::SseWriter;

class tst_SseFormat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void format_data();
    void format();
    void fieldsCannotBreakFraming();
};

void tst_SseFormat::format_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("event");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("retry");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("data only") << QByteArray() << QByteArray() << QByteArray("hello") << -1
                               << QByteArray("data: hello\n\n");
    QTest::newRow("id event data") << QByteArray("42") << QByteArray("news") << QByteArray("{\"a\":1}") << -1
                                   << QByteArray("id: 42\nevent: news\ndata: {\"a\":1}\n\n");
    QTest::newRow("retry") << QByteArray() << QByteArray() << QByteArray("x") << 3000
                           << QByteArray("retry: 3000\ndata: x\n\n");
    QTest::newRow("LF lines") << QByteArray() << QByteArray() << QByteArray("a\nb\nc") << -1
                              << QByteArray("data: a\ndata: b\ndata: c\n\n");
    QTest::newRow("CR lines") << QByteArray() << QByteArray() << QByteArray("a\rb") << -1
                              << QByteArray("data: a\ndata: b\n\n");
    QTest::newRow("CRLF lines") << QByteArray() << QByteArray() << QByteArray("a\r\nb") << -1
                                << QByteArray("data: a\ndata: b\n\n");
    QTest::newRow("trailing newline") << QByteArray() << QByteArray() << QByteArray("a\n") << -1
                                      << QByteArray("data: a\ndata: \n\n");
    QTest::newRow("empty data") << QByteArray() << QByteArray() << QByteArray() << -1 << QByteArray("data: \n\n");
    QTest::newRow("empty id resets") << QByteArray("") << QByteArray() << QByteArray("x") << -1
                                     << QByteArray("id: \ndata: x\n\n");
    QTest::newRow("leading space kept") << QByteArray() << QByteArray() << QByteArray(" x") << -1
                                        << QByteArray("data:  x\n\n");
    QTest::newRow("mixed breaks") << QByteArray() << QByteArray() << QByteArray("a\r\rb\n\nc\r\n") << -1
                                  << QByteArray("data: a\ndata: \ndata: b\ndata: \ndata: c\ndata: \n\n");
    QTest::newRow("LF then CR is two breaks") << QByteArray() << QByteArray() << QByteArray("a\n\rb") << -1
                                              << QByteArray("data: a\ndata: \ndata: b\n\n");
    QTest::newRow("CR last") << QByteArray() << QByteArray() << QByteArray("x\r") << -1
                             << QByteArray("data: x\ndata: \n\n");
    QTest::newRow("NUL kept") << QByteArray() << QByteArray() << QByteArray("a\0b\nc", 5) << -1
                              << QByteArray("data: a\0b\ndata: c\n\n", 19);
}

void tst_SseFormat::format()
{
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, event);
    QFETCH(QByteArray, data);
    QFETCH(int, retry);
    QFETCH(QByteArray, expected);
    SseEvent e;
    e.id = id;
    e.event = event;
    e.data = data;
    e.retryMs = retry;
    QCOMPARE(SseWriter::format(e), expected);
}

void tst_SseFormat::fieldsCannotBreakFraming()
{
    SseEvent e;
    e.id = QByteArray("1\n\ndata: injected");
    e.event = QByteArray("a\rb");
    e.data = QByteArray("ok");
    const QByteArray out = SseWriter::format(e);
    QCOMPARE(out, QByteArray("id: 1data: injected\nevent: ab\ndata: ok\n\n"));
    QCOMPARE(out.count("\n\n"), 1); // one event, not two
}

QTEST_GUILESS_MAIN(tst_SseFormat)
#include "tst_sseformat.moc"
