// ServerPanel against a real EmbeddedServer on 127.0.0.1 port 0 (offscreen): what the panel
// shows, the MCP client configuration it copies (used for real afterwards), key regeneration.
#include "appsettings.h"
#include "embeddedserver.h"
#include "guihttp.h"
#include "logging.h"
#include "serverpanel.h"

#include <QApplication>
#include <QClipboard>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace tw;
using namespace tw::ui;
using test::kGuiWaitMs;

namespace {

const QString kKey
    = QStringLiteral("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

server::ServerConfig configWithKey(const QString &key)
{
    AppSettings s;
    s.apiKey = key;
    s.embeddedPort = 0;
    s.demoRate = 100;
    return s.toServerConfig();
}

QJsonObject clipboardJson()
{
    QJsonParseError error {};
    const QJsonDocument doc
        = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8(), &error);
    return error.error == QJsonParseError::NoError ? doc.object() : QJsonObject();
}

} // namespace

class TestServerPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void showsAddressAndState();
    void countsSessionsAndStreams();
    void copiedHttpConfigWorks();
    void copiedStdioConfig();
    void keyIsMaskedUntilShown();
    void regenerateChangesKeyAndRestarts();
    void startStopButtonsAskTheWindow();
    void logViewShowsMessagesButNoKey();

private:
    std::unique_ptr<EmbeddedServer> m_server;
    std::unique_ptr<ServerPanel> m_panel;
};

void TestServerPanel::init()
{
    m_server = std::make_unique<EmbeddedServer>();
    m_panel = std::make_unique<ServerPanel>(m_server.get());
    m_panel->setConfirmRegenerate(false);
    m_panel->setApiKey(kKey);
    m_panel->show();
    QSignalSpy started(m_server.get(), &EmbeddedServer::started);
    m_server->start(configWithKey(kKey));
    QVERIFY(started.wait(kGuiWaitMs));
}

void TestServerPanel::cleanup()
{
    m_panel.reset();
    m_server.reset();
}

void TestServerPanel::showsAddressAndState()
{
    QTRY_COMPARE_WITH_TIMEOUT(m_panel->stateText(), QStringLiteral("Running"), kGuiWaitMs);
    QVERIFY2(m_panel->addressText().contains(m_server->url()), qPrintable(m_panel->addressText()));
    QVERIFY(m_panel->addressText().contains(QString::number(m_server->port())));
    QVERIFY(!m_panel->startButton()->isEnabled());
    QVERIFY(m_panel->stopButton()->isEnabled());

    QSignalSpy stopped(m_server.get(), &EmbeddedServer::stopped);
    m_server->stop();
    QVERIFY(stopped.wait(kGuiWaitMs));
    QTRY_COMPARE_WITH_TIMEOUT(m_panel->stateText(), QStringLiteral("Stopped"), kGuiWaitMs);
    QVERIFY(!m_panel->addressText().contains(m_server->config().host + QLatin1Char(':')));
    QVERIFY(m_panel->startButton()->isEnabled());
    QVERIFY(!m_panel->stopButton()->isEnabled());
}

void TestServerPanel::countsSessionsAndStreams()
{
    QCOMPARE(m_panel->streamsText(), QStringLiteral("0"));
    QNetworkAccessManager nam;
    QCOMPARE(
        test::mcpInitialize(nam, QUrl(m_server->url() + QStringLiteral("/mcp")), kKey.toLatin1())
            .status,
        200);
    std::unique_ptr<QNetworkReply> stream(
        test::openNewsStream(nam, m_server->url(), kKey.toLatin1()));
    // The panel refreshes on its own timer while visible: no refresh() call here.
    QTRY_COMPARE_WITH_TIMEOUT(m_panel->sessionsText(), QStringLiteral("1"), kGuiWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_panel->streamsText(), QStringLiteral("1"), kGuiWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->itemsText().toLongLong() > 0, kGuiWaitMs);
    stream->abort();
    QTRY_COMPARE_WITH_TIMEOUT(m_panel->streamsText(), QStringLiteral("0"), kGuiWaitMs);
}

void TestServerPanel::copiedHttpConfigWorks()
{
    QApplication::clipboard()->clear();
    auto *copy = m_panel->findChild<QToolButton *>();
    QVERIFY(copy);
    copy->click();
    const QJsonObject root = clipboardJson();
    QVERIFY2(!root.isEmpty(), qPrintable(QApplication::clipboard()->text()));
    const QJsonObject entry = root.value(QStringLiteral("mcpServers"))
                                  .toObject()
                                  .value(QStringLiteral("tickerwire"))
                                  .toObject();
    const QString url = entry.value(QStringLiteral("url")).toString();
    QCOMPARE(url, m_server->url() + QStringLiteral("/mcp"));
    QCOMPARE(entry.value(QStringLiteral("type")).toString(), QStringLiteral("http"));
    const QString auth = entry.value(QStringLiteral("headers"))
                             .toObject()
                             .value(QStringLiteral("Authorization"))
                             .toString();
    QCOMPARE(auth, QStringLiteral("Bearer ") + kKey);

    // What the snippet says works against the server, exactly as an MCP client would use it.
    QNetworkAccessManager nam;
    QNetworkRequest request { QUrl(url) };
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader(
        QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json, text/event-stream"));
    request.setRawHeader(QByteArrayLiteral("Authorization"), auth.toLatin1());
    const test::HttpResult r = test::finish(nam.post(request,
        QByteArrayLiteral(
            R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)"
            R"("2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})")));
    QCOMPARE(r.status, 200);
}

void TestServerPanel::copiedStdioConfig()
{
    const QJsonObject root
        = QJsonDocument::fromJson(m_panel->mcpConfigSnippet(true).toUtf8()).object();
    const QJsonObject entry = root.value(QStringLiteral("mcpServers"))
                                  .toObject()
                                  .value(QStringLiteral("tickerwire"))
                                  .toObject();
    QVERIFY(entry.value(QStringLiteral("command"))
                .toString()
                .endsWith(QStringLiteral("tickerwire-server")));
    QCOMPARE(
        entry.value(QStringLiteral("args")).toArray(), QJsonArray { QStringLiteral("--stdio") });
    QVERIFY(!entry.contains(QStringLiteral("url")));
    // The stdio form needs no key: none is handed out in it.
    QVERIFY(!m_panel->mcpConfigSnippet(true).contains(kKey));
}

void TestServerPanel::keyIsMaskedUntilShown()
{
    auto *field = m_panel->findChild<QLineEdit *>(QStringLiteral("apiKeyField"));
    QVERIFY(field);
    QVERIFY(!field->text().contains(kKey));
    QPushButton *show = nullptr;
    const QList<QPushButton *> buttons = m_panel->findChildren<QPushButton *>();
    for (QPushButton *b : buttons) {
        if (b->isCheckable())
            show = b;
    }
    QVERIFY(show);
    show->click();
    QCOMPARE(field->text(), kKey);
    show->click();
    QVERIFY(!field->text().contains(kKey));
}

void TestServerPanel::regenerateChangesKeyAndRestarts()
{
    QSignalSpy regenerated(m_panel.get(), &ServerPanel::apiKeyRegenerated);
    QSignalSpy started(m_server.get(), &EmbeddedServer::started);
    m_panel->regenerateButton()->click(); // no confirmation in tests
    QCOMPARE(regenerated.count(), 1);
    const QString newKey = regenerated.first().first().toString();
    QVERIFY(newKey != kKey);
    QCOMPARE(newKey.size(), 64);
    QCOMPARE(m_panel->apiKey(), newKey);
    QVERIFY(started.wait(kGuiWaitMs));

    QNetworkAccessManager nam;
    const QUrl endpoint(m_server->url() + QStringLiteral("/mcp"));
    QCOMPARE(test::mcpInitialize(nam, endpoint, newKey.toLatin1()).status, 200);
    QCOMPARE(test::mcpInitialize(nam, endpoint, kKey.toLatin1()).status, 401);
    QVERIFY(m_panel->mcpConfigSnippet(false).contains(newKey));
    QVERIFY(!m_panel->mcpConfigSnippet(false).contains(kKey));
}

void TestServerPanel::startStopButtonsAskTheWindow()
{
    QSignalSpy startRequested(m_panel.get(), &ServerPanel::startRequested);
    QSignalSpy stopRequested(m_panel.get(), &ServerPanel::stopRequested);
    m_panel->stopButton()->click();
    QCOMPARE(stopRequested.count(), 1);
    m_server->stop();
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->startButton()->isEnabled(), kGuiWaitMs);
    m_panel->startButton()->click();
    QCOMPARE(startRequested.count(), 1);
}

void TestServerPanel::logViewShowsMessagesButNoKey()
{
    qCInfo(lcUi) << "panel test marker 7f3a";
    QTRY_VERIFY_WITH_TIMEOUT(
        m_panel->logView()->toPlainText().contains(QStringLiteral("panel test marker 7f3a")),
        kGuiWaitMs);
    // The server's own start-up lines arrive too (from its thread).
    QTRY_VERIFY_WITH_TIMEOUT(
        m_panel->logView()->toPlainText().contains(QStringLiteral("tickerwire.")), kGuiWaitMs);
    m_panel->regenerateApiKey();
    QTRY_VERIFY_WITH_TIMEOUT(
        m_panel->logView()->toPlainText().contains(QStringLiteral("regenerated")), kGuiWaitMs);
    auto *copy = m_panel->findChild<QToolButton *>();
    copy->click();
    QTRY_VERIFY_WITH_TIMEOUT(
        m_panel->logView()->toPlainText().contains(QStringLiteral("copied")), kGuiWaitMs);
    const QString log = m_panel->logView()->toPlainText();
    QVERIFY(!log.contains(kKey));
    QVERIFY(!log.contains(m_panel->apiKey()));
}

QTEST_MAIN(TestServerPanel)
#include "tst_serverpanel.moc"
