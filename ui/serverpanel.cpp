#include "serverpanel.h"

#include "ids.h"
#include "logbus.h"
#include "logging.h"

#include <QApplication>
#include <QClipboard>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace tw::ui {

namespace {

    constexpr int kRefreshMs = 1000;
    constexpr int kLogLines = 1000; // the view keeps this many; LogBus keeps its own ring
    constexpr int kApiKeyBytes = 32; // as AppSettings generates it: 64 hex characters

    // The command an MCP client should launch for the stdio form: the tickerwire-server installed
    // beside this executable when there is one (a build tree or an unpacked tarball), else the
    // name, found on PATH (the .deb installs it there).
    QString stdioCommand()
    {
        const QString local = QDir(QCoreApplication::applicationDirPath())
                                  .filePath(QStringLiteral("tickerwire-server"));
        const QFileInfo info(local);
        if (info.isFile() && info.isExecutable())
            return info.absoluteFilePath();
        return QStringLiteral("tickerwire-server");
    }

    QString maskedKey(const QString &key)
    {
        if (key.size() <= 8)
            return QString(key.size(), QChar(0x2022));
        // Enough of the start to tell two keys apart, nothing that helps to guess it.
        return key.left(4) + QString(12, QChar(0x2022));
    }

} // namespace

ServerPanel::ServerPanel(EmbeddedServer *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
{
    auto *layout = new QVBoxLayout(this);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("serverState"));
    m_modeLabel = new QLabel(this);
    m_modeLabel->setWordWrap(true);
    m_addressLabel = new QLabel(this);
    m_addressLabel->setObjectName(QStringLiteral("serverAddress"));
    m_addressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sessionsLabel = new QLabel(this);
    m_streamsLabel = new QLabel(this);
    m_itemsLabel = new QLabel(this);
    // tickerwire_sse_events_total: news items (and stream results) written to clients' streams.
    m_itemsLabel->setToolTip(
        tr("Events written to clients' streams: news items and stream results"));
    m_connectionsLabel = new QLabel(this);
    form->addRow(tr("State:"), m_stateLabel);
    form->addRow(tr("Address:"), m_addressLabel);
    form->addRow(tr("Sessions:"), m_sessionsLabel);
    form->addRow(tr("Open streams:"), m_streamsLabel);
    form->addRow(tr("Items sent:"), m_itemsLabel);
    form->addRow(tr("Connections:"), m_connectionsLabel);
    form->addRow(tr("Client:"), m_modeLabel);
    layout->addLayout(form);

    m_errorLabel = new QLabel(this);
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #d9453d;"));
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->hide();
    layout->addWidget(m_errorLabel);

    auto *buttons = new QHBoxLayout;
    m_startButton = new QPushButton(tr("Start server"), this);
    m_stopButton = new QPushButton(tr("Stop server"), this);
    buttons->addWidget(m_startButton);
    buttons->addWidget(m_stopButton);
    buttons->addStretch();
    layout->addLayout(buttons);
    connect(m_startButton, &QPushButton::clicked, this, &ServerPanel::startRequested);
    connect(m_stopButton, &QPushButton::clicked, this, &ServerPanel::stopRequested);

    auto *keyBox = new QGroupBox(tr("API key"), this);
    auto *keyLayout = new QVBoxLayout(keyBox);
    m_keyField = new QLineEdit(keyBox);
    m_keyField->setReadOnly(true);
    m_keyField->setObjectName(QStringLiteral("apiKeyField"));
    keyLayout->addWidget(m_keyField);
    auto *keyButtons = new QHBoxLayout;
    m_showKeyButton = new QPushButton(tr("Show"), keyBox);
    m_showKeyButton->setCheckable(true);
    m_copyKeyButton = new QPushButton(tr("Copy"), keyBox);
    m_regenerateButton = new QPushButton(tr("Regenerate…"), keyBox);
    m_regenerateButton->setToolTip(
        tr("Make a new key and restart the server: clients using the old key lose access."));
    keyButtons->addWidget(m_showKeyButton);
    keyButtons->addWidget(m_copyKeyButton);
    keyButtons->addWidget(m_regenerateButton);
    keyButtons->addStretch();
    keyLayout->addLayout(keyButtons);
    layout->addWidget(keyBox);
    connect(m_showKeyButton, &QPushButton::toggled, this, [this](bool on) {
        m_keyShown = on;
        updateKeyField();
    });
    connect(m_copyKeyButton, &QPushButton::clicked, this, [this] {
        if (!m_apiKey.isEmpty())
            QApplication::clipboard()->setText(m_apiKey);
    });
    connect(m_regenerateButton, &QPushButton::clicked, this, &ServerPanel::onRegenerateClicked);

    m_snippetButton = new QToolButton(this);
    m_snippetButton->setText(tr("Copy MCP client config"));
    m_snippetButton->setToolTip(tr("Copy a JSON snippet for an MCP client's configuration file"));
    m_snippetButton->setPopupMode(QToolButton::MenuButtonPopup);
    m_snippetButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *menu = new QMenu(m_snippetButton);
    menu->addAction(tr("Streamable HTTP (URL and API key)"), this, [this] { copySnippet(false); });
    menu->addAction(tr("stdio (the client starts tickerwire-server --stdio)"), this,
        [this] { copySnippet(true); });
    m_snippetButton->setMenu(menu);
    connect(m_snippetButton, &QToolButton::clicked, this, [this] { copySnippet(false); });
    layout->addWidget(m_snippetButton, 0, Qt::AlignLeft);

    layout->addWidget(new QLabel(tr("Log:"), this));
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    // The dock is narrow: wrapped lines are read at a glance, a sideways scroll is not.
    m_log->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_log->setMaximumBlockCount(kLogLines);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_log, 1);

    LogBus *bus = LogBus::instance();
    const QList<LogBus::Line> earlier = bus->recent();
    for (const LogBus::Line &line : earlier)
        m_log->appendPlainText(LogBus::format(line));
    connect(bus, &LogBus::message, this, &ServerPanel::appendLog);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setInterval(kRefreshMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &ServerPanel::refresh);

    if (m_server) {
        connect(m_server, &EmbeddedServer::stateChanged, this, &ServerPanel::refresh);
        connect(m_server, &EmbeddedServer::started, this, [this](const QString &url) {
            m_lastUrl = url;
            refresh();
        });
        connect(m_server, &EmbeddedServer::failed, this, &ServerPanel::refresh);
    }
    updateKeyField();
    refresh();
}

ServerPanel::~ServerPanel() = default;

void ServerPanel::setApiKey(const QString &key)
{
    m_apiKey = key;
    updateKeyField();
}

void ServerPanel::setClientMode(bool remote, const QString &remoteUrl)
{
    m_remote = remote;
    m_remoteUrl = remoteUrl;
    refresh();
}

QString ServerPanel::endpointUrl() const
{
    QString base = m_server && m_server->isRunning() ? m_server->url() : m_lastUrl;
    if (base.isEmpty())
        return {};
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return base + QStringLiteral("/mcp");
}

QString ServerPanel::mcpConfigSnippet(bool stdio) const
{
    QJsonObject entry;
    if (stdio) {
        // The client starts its own server on stdin/stdout: no port, no key (the pipe is private).
        entry.insert(QStringLiteral("command"), stdioCommand());
        entry.insert(QStringLiteral("args"), QJsonArray { QStringLiteral("--stdio") });
    } else {
        const QString url = endpointUrl();
        if (url.isEmpty())
            return {};
        entry.insert(QStringLiteral("type"), QStringLiteral("http"));
        entry.insert(QStringLiteral("url"), url);
        // The server takes the key as "Authorization: Bearer <key>" or "X-API-Key: <key>";
        // Bearer is the form MCP clients already know.
        if (!m_apiKey.isEmpty()) {
            entry.insert(QStringLiteral("headers"),
                QJsonObject { { QStringLiteral("Authorization"),
                    QString(QStringLiteral("Bearer ") + m_apiKey) } });
        }
    }
    const QJsonObject root { { QStringLiteral("mcpServers"),
        QJsonObject { { QStringLiteral("tickerwire"), entry } } } };
    return QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented));
}

void ServerPanel::copySnippet(bool stdio)
{
    const QString snippet = mcpConfigSnippet(stdio);
    if (snippet.isEmpty()) {
        m_errorLabel->setText(
            tr("Start the server first: the HTTP configuration needs its address."));
        m_errorLabel->show();
        return;
    }
    QApplication::clipboard()->setText(snippet);
    // The key is in the snippet: say what was copied, never the text itself.
    qCInfo(lcUi).noquote() << (stdio ? "copied the stdio MCP client configuration"
                                     : "copied the Streamable HTTP MCP client configuration");
}

void ServerPanel::onRegenerateClicked()
{
    if (m_confirmRegenerate) {
        const auto answer = QMessageBox::question(this, tr("Regenerate API key"),
            tr("Make a new API key and restart the embedded server?\n\nMCP clients configured with "
               "the "
               "current key lose access until you give them the new one."),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
    }
    regenerateApiKey();
}

QString ServerPanel::regenerateApiKey()
{
    const QString key = QString::fromLatin1(core::randomHex(kApiKeyBytes));
    setApiKey(key);
    // A running server restarts at once with the new key as its only one, so the old key stops
    // working now, not at the next start.
    if (m_server
        && (m_server->isRunning() || m_server->state() == EmbeddedServer::State::Starting)) {
        server::ServerConfig config = m_server->config();
        config.security.apiKeys = { key.toUtf8() };
        m_server->start(config);
    }
    qCInfo(lcUi) << "the embedded server's API key was regenerated";
    Q_EMIT apiKeyRegenerated(key);
    return key;
}

void ServerPanel::updateKeyField()
{
    if (m_apiKey.isEmpty())
        m_keyField->setText(tr("(none)"));
    else
        m_keyField->setText(m_keyShown ? m_apiKey : maskedKey(m_apiKey));
    m_copyKeyButton->setEnabled(!m_apiKey.isEmpty());
    m_showKeyButton->setText(m_keyShown ? tr("Hide") : tr("Show"));
}

void ServerPanel::appendLog(
    QtMsgType type, const QString &category, const QString &text, const QDateTime &time)
{
    m_log->appendPlainText(LogBus::format(LogBus::Line { type, category, text, time }));
}

void ServerPanel::refresh()
{
    const EmbeddedServer::State state
        = m_server ? m_server->state() : EmbeddedServer::State::Stopped;
    const bool running = state == EmbeddedServer::State::Running;
    m_stateLabel->setText(EmbeddedServer::stateName(state));
    // Green while serving, red when it failed: the one thing to see from across the room.
    m_stateLabel->setStyleSheet(running ? QStringLiteral("color: #2e9e4f; font-weight: bold;")
            : state == EmbeddedServer::State::Failed
            ? QStringLiteral("color: #d9453d; font-weight: bold;")
            : QString());
    if (running)
        m_addressLabel->setText(
            QStringLiteral("%1 (port %2)").arg(m_server->url()).arg(m_server->port()));
    else
        m_addressLabel->setText(tr("not listening"));
    const EmbeddedServer::Status s = m_server ? m_server->status() : EmbeddedServer::Status {};
    m_sessionsLabel->setText(QString::number(s.sessions));
    m_streamsLabel->setText(QString::number(s.openStreams));
    m_itemsLabel->setText(QString::number(s.eventsSent));
    m_connectionsLabel->setText(QString::number(s.connections));
    m_modeLabel->setText(
        m_remote ? tr("remote server %1").arg(m_remoteUrl) : tr("this embedded server"));

    if (state == EmbeddedServer::State::Failed && m_server) {
        m_errorLabel->setText(m_server->lastError());
        m_errorLabel->show();
    } else if (running) {
        m_errorLabel->hide();
    }
    const bool busy
        = state == EmbeddedServer::State::Starting || state == EmbeddedServer::State::Stopping;
    m_startButton->setEnabled(m_server && !busy && !running);
    m_stopButton->setEnabled(m_server && (running || state == EmbeddedServer::State::Starting));
    m_snippetButton->setEnabled(true);
}

QString ServerPanel::stateText() const { return m_stateLabel->text(); }
QString ServerPanel::addressText() const { return m_addressLabel->text(); }
QString ServerPanel::sessionsText() const { return m_sessionsLabel->text(); }
QString ServerPanel::streamsText() const { return m_streamsLabel->text(); }
QString ServerPanel::itemsText() const { return m_itemsLabel->text(); }
QString ServerPanel::connectionsText() const { return m_connectionsLabel->text(); }

void ServerPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_refreshTimer->start();
}

void ServerPanel::hideEvent(QHideEvent *event)
{
    // Nobody looks at the figures while the dock is hidden.
    m_refreshTimer->stop();
    QWidget::hideEvent(event);
}

} // namespace tw::ui
