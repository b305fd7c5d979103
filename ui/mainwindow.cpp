#include "mainwindow.h"

#include "alertrules.h"
#include "detailspane.h"
#include "embeddedserver.h"
#include "liveindicator.h"
#include "logging.h"
#include "newsfilterproxy.h"
#include "newsmodel.h"
#include "newsstreamcontroller.h"
#include "newsview.h"
#include "serverpanel.h"
#include "settingsdialog.h"
#include "theme.h"
#include "tickerlist.h"

#include <QAbstractItemView>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QCompleter>
#include <QDesktopServices>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QScreen>
#include <QSettings>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStatusBar>
#include <QStringListModel>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace tw::ui {

namespace {

    // A ticker as users type it: letters first, then letters, digits, '.', '-' or '^' (BRK.B,
    // RDS-A, ^GSPC is not a stock but a user may still watch an index feed); at most 10.
    const QRegularExpression &symbolPattern()
    {
        static const QRegularExpression re(QStringLiteral("^\\^?[A-Z][A-Z0-9.\\-]{0,9}$"));
        return re;
    }

    constexpr int kMaxSymbols = 50; // the tool's own limit on one stream
    constexpr int kTrayQuietMs = 4000; // at most one tray message this often; the rest are counted

    // The part of the server configuration that needs a restart of the embedded server.
    bool serverPartDiffers(const AppSettings &a, const AppSettings &b)
    {
        return a.embeddedServerEnabled != b.embeddedServerEnabled
            || a.embeddedHost != b.embeddedHost || a.embeddedPort != b.embeddedPort
            || a.apiKey != b.apiKey || a.providers != b.providers || a.demoRate != b.demoRate
            || a.finnhubKey != b.finnhubKey || a.alphaVantageKey != b.alphaVantageKey
            || a.polygonKey != b.polygonKey || a.edgarUserAgent != b.edgarUserAgent
            || a.rssUrls != b.rssUrls;
    }

    bool clientPartDiffers(const AppSettings &a, const AppSettings &b)
    {
        return a.useRemoteServer != b.useRemoteServer || a.remoteUrl != b.remoteUrl
            || a.remoteApiKey != b.remoteApiKey || a.apiKey != b.apiKey;
    }

} // namespace

MainWindow::MainWindow(QSettings *store, const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_store(store)
    , m_settings(AppSettings::load(*store))
    , m_options(options)
{
    setObjectName(QStringLiteral("mainWindow"));
    theme::apply(m_settings.theme);

    m_server = new EmbeddedServer(this);
    m_controller = new NewsStreamController(this);
    m_controller->setStreamTiming(m_settings.streamIntervalMs, m_settings.streamDurationMs);
    m_model = new NewsModel(this);
    m_model->setCapacity(m_settings.maxRows);
    m_model->setAlertRules(AlertRules::fromStringList(m_settings.alertRules));
    m_proxy = new NewsFilterProxy(this);
    m_proxy->setSourceModel(m_model);

    buildActions();
    buildToolbar();
    buildCentral();
    buildDock();
    buildMenus();
    buildStatusBar();
    restoreWindowState();
    setCompactRows(m_settings.compactRows);

    connect(m_controller, &NewsStreamController::itemsReceived, this,
        [this](const QVector<NewsStreamController::Received> &items) {
            for (const NewsStreamController::Received &r : items)
                m_model->addItem(r.item, r.latencyMs);
            m_model->flush(); // the controller already batched per frame: insert now
            if (m_controller->state() == NewsStreamController::State::Live)
                m_indicator->setLive(m_controller->itemCount(), m_controller->lastLatencyMs());
        });
    connect(
        m_controller, &NewsStreamController::stateChanged, this, &MainWindow::onControllerState);
    connect(m_controller, &NewsStreamController::retryScheduled, this, [this](int ms) {
        if (m_controller->isWanted())
            m_indicator->setReconnecting(ms);
    });
    connect(m_controller, &NewsStreamController::errorOccurred, this,
        [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(
        m_controller, &NewsStreamController::sessionChanged, this, &MainWindow::refreshStatusBar);

    connect(m_model, &NewsModel::alertTriggered, this, &MainWindow::onAlert);
    connect(m_model, &NewsModel::sourcesChanged, this, &MainWindow::refreshSources);
    connect(m_model, &NewsModel::rowsInserted, this, &MainWindow::updateShownCount);
    connect(m_model, &NewsModel::rowsRemoved, this, &MainWindow::updateShownCount);
    connect(m_model, &NewsModel::modelReset, this, &MainWindow::updateShownCount);
    connect(m_model, &NewsModel::unreadCountChanged, this, &MainWindow::updateTitle);
    connect(m_proxy, &NewsFilterProxy::filterChanged, this, &MainWindow::updateShownCount);

    connect(m_server, &EmbeddedServer::started, this, &MainWindow::onServerStarted);
    connect(m_server, &EmbeddedServer::stateChanged, this, &MainWindow::refreshStatusBar);
    connect(m_server, &EmbeddedServer::failed, this, [this](const QString &error) {
        statusBar()->showMessage(tr("The embedded server did not start: %1").arg(error), 15000);
        refreshStatusBar();
    });

    updateTray();
    updateShownCount();
    onControllerState(); // the indicator, the actions and the title

    // First start with no configuration: the embedded server on loopback, with the key
    // AppSettings::load() generated, on the demo feed; the window connects to it over HTTP.
    if (m_settings.embeddedServerEnabled)
        startEmbeddedServer();
    connectClient();
    if (m_options.goLive)
        goLive();
}

MainWindow::~MainWindow()
{
    // Nothing may call back into a half-destroyed window.
    m_statusTimer->stop();
    m_titleTimer->stop();
    m_controller->disconnect(this);
    m_server->disconnect(this);
    m_model->disconnect(this);
    // The stream first (it tells the server it is going), then the server and its thread.
    delete m_controller;
    m_controller = nullptr;
    delete m_server;
    m_server = nullptr;
}

// --- building ---------------------------------------------------------------------------------

void MainWindow::buildActions()
{
    m_goLiveAction = new QAction(tr("Go &Live"), this);
    m_goLiveAction->setObjectName(QStringLiteral("goLiveAction"));
    m_goLiveAction->setToolTip(tr("Stream news for the watchlist (Enter in the symbol box)"));
    m_goLiveAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(m_goLiveAction, &QAction::triggered, this, [this] { goLive(); });

    m_stopAction = new QAction(tr("&Stop"), this);
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAction->setToolTip(tr("Stop the stream now (Esc)"));
    m_stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stopAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_stopAction, &QAction::triggered, this, &MainWindow::stop);

    m_settingsAction = new QAction(tr("&Settings…"), this);
    m_settingsAction->setShortcut(QKeySequence::Preferences);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::openSettings);

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_compactAction = new QAction(tr("&Compact rows"), this);
    m_compactAction->setCheckable(true);
    connect(m_compactAction, &QAction::toggled, this, [this](bool on) {
        setCompactRows(on);
        if (m_settings.compactRows != on) {
            m_settings.compactRows = on;
            saveSettings();
        }
    });

    m_themeGroup = new QActionGroup(this);
    const std::pair<AppSettings::Theme, QString> themes[] = {
        { AppSettings::Theme::System, tr("&System") },
        { AppSettings::Theme::Light, tr("&Light") },
        { AppSettings::Theme::Dark, tr("&Dark") },
    };
    for (const auto &[value, name] : themes) {
        QAction *action = m_themeGroup->addAction(name);
        action->setCheckable(true);
        action->setData(int(value));
        action->setChecked(value == m_settings.theme);
        connect(action, &QAction::triggered, this, [this, value = value] { setTheme(value); });
    }

    m_aboutAction = new QAction(tr("&About Tickerwire"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_settingsAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *stream = menuBar()->addMenu(tr("&Stream"));
    stream->addAction(m_goLiveAction);
    stream->addAction(m_stopAction);
    stream->addSeparator();
    stream->addAction(m_view->markAllReadAction());

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_compactAction);
    QMenu *themeMenu = view->addMenu(tr("&Theme"));
    themeMenu->addActions(m_themeGroup->actions());
    view->addSeparator();
    view->addAction(m_dock->toggleViewAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_aboutAction);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::buildToolbar()
{
    QToolBar *bar = addToolBar(tr("Watch"));
    bar->setObjectName(QStringLiteral("watchToolbar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);

    auto *label = new QLabel(tr("Symbols"), bar);
    label->setContentsMargins(4, 0, 6, 0);
    bar->addWidget(label);

    m_symbolEdit = new QLineEdit(bar);
    m_symbolEdit->setObjectName(QStringLiteral("symbolEdit"));
    m_symbolEdit->setPlaceholderText(tr("TSLA, NVDA, AAPL"));
    m_symbolEdit->setToolTip(tr("One or more ticker symbols, separated by commas or spaces; "
                                "Enter goes live"));
    m_symbolEdit->setClearButtonEnabled(true);
    m_symbolEdit->setMinimumWidth(260);
    m_symbolEdit->setMaximumWidth(420);
    label->setBuddy(m_symbolEdit);
    const QStringList initial
        = m_options.symbols.isEmpty() ? m_settings.watchlist : m_options.symbols;
    m_symbolEdit->setText(initial.join(QStringLiteral(", ")));
    bar->addWidget(m_symbolEdit);

    // Completion of the symbol being typed (the last one in the list), from the ticker list.
    QStringList entries;
    const QList<news::TickerList::Ticker> &tickers = news::TickerList::builtIn().tickers();
    entries.reserve(tickers.size());
    for (const news::TickerList::Ticker &t : tickers)
        entries << (t.name.isEmpty() ? t.symbol : t.symbol + QStringLiteral("  —  ") + t.name);
    auto *completer = new QCompleter(new QStringListModel(entries, this), this);
    completer->setObjectName(QStringLiteral("symbolCompleter"));
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchStartsWith);
    completer->setCompletionMode(QCompleter::PopupCompletion);
    completer->setMaxVisibleItems(12);
    completer->setWidget(m_symbolEdit);
    connect(
        m_symbolEdit, &QLineEdit::textEdited, completer, [this, completer](const QString &text) {
            const int cursor = m_symbolEdit->cursorPosition();
            const QString before = text.left(cursor);
            const int start
                = int(before.lastIndexOf(QRegularExpression(QStringLiteral("[,\\s]")))) + 1;
            const QString token = before.mid(start).trimmed();
            if (token.isEmpty()) {
                completer->popup()->hide();
                return;
            }
            completer->setCompletionPrefix(token);
            if (completer->completionCount() == 0) {
                completer->popup()->hide();
                return;
            }
            completer->complete();
        });
    connect(completer, qOverload<const QString &>(&QCompleter::activated), m_symbolEdit,
        [this](const QString &entry) {
            const QString symbol = entry.section(QLatin1Char(' '), 0, 0);
            const QString text = m_symbolEdit->text();
            const int cursor = m_symbolEdit->cursorPosition();
            const QString before = text.left(cursor);
            const int start
                = int(before.lastIndexOf(QRegularExpression(QStringLiteral("[,\\s]")))) + 1;
            const QString prefix = text.left(start);
            const QString rest = text.mid(cursor);
            m_symbolEdit->setText(prefix + symbol + rest);
            m_symbolEdit->setCursorPosition(int(prefix.size() + symbol.size()));
        });
    connect(m_symbolEdit, &QLineEdit::returnPressed, this, [this, completer] {
        if (!completer->popup()->isVisible())
            goLive();
    });
    connect(m_symbolEdit, &QLineEdit::textChanged, this, [this] {
        if (!m_inputError->isHidden())
            m_inputError->hide();
    });

    bar->addSeparator();
    bar->addAction(m_goLiveAction);
    bar->addAction(m_stopAction);
    bar->addSeparator();

    m_indicator = new LiveIndicator(bar);
    bar->addWidget(m_indicator);

    m_inputError = new QLabel(bar);
    m_inputError->setObjectName(QStringLiteral("inputError"));
    m_inputError->setContentsMargins(10, 0, 0, 0);
    QPalette p = m_inputError->palette();
    p.setColor(QPalette::WindowText, LiveIndicator::colorFor(LiveIndicator::State::Error));
    m_inputError->setPalette(p);
    bar->addWidget(m_inputError)->setVisible(true);
    m_inputError->hide();
}

void MainWindow::buildCentral()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    // The filter bar above the list.
    auto *filterBar = new QWidget(central);
    filterBar->setObjectName(QStringLiteral("filterBar"));
    auto *filterLayout = new QHBoxLayout(filterBar);
    filterLayout->setContentsMargins(8, 6, 8, 6);
    filterLayout->setSpacing(8);
    m_filterEdit = new QLineEdit(filterBar);
    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setPlaceholderText(tr("Filter headlines, sources, $TICKER…"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setToolTip(tr("Every word must match the headline, the source or a ticker; $TSLA "
                                "matches that ticker only"));
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &NewsFilterProxy::setFilterText);
    m_sourceCombo = new QComboBox(filterBar);
    m_sourceCombo->setObjectName(QStringLiteral("sourceCombo"));
    m_sourceCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_sourceCombo->addItem(tr("All sources"), QString());
    connect(m_sourceCombo, qOverload<int>(&QComboBox::currentIndexChanged), this,
        [this](int index) { m_proxy->setSourceFilter(m_sourceCombo->itemData(index).toString()); });
    m_onlyAlerts = new QCheckBox(tr("Only alerts"), filterBar);
    m_onlyAlerts->setObjectName(QStringLiteral("onlyAlertsBox"));
    m_onlyAlerts->setToolTip(tr("Show only stories that match an alert rule (Settings → Alerts)"));
    connect(m_onlyAlerts, &QCheckBox::toggled, m_proxy, &NewsFilterProxy::setOnlyAlerts);
    m_shownLabel = new QLabel(filterBar);
    m_shownLabel->setObjectName(QStringLiteral("shownLabel"));
    m_shownLabel->setForegroundRole(QPalette::PlaceholderText);
    filterLayout->addWidget(m_filterEdit, 1);
    filterLayout->addWidget(m_sourceCombo);
    filterLayout->addWidget(m_onlyAlerts);
    filterLayout->addWidget(m_shownLabel);
    layout->addWidget(filterBar);

    // The list on top, the story below it: the list keeps the full width for headlines, and
    // the server panel docks beside both.
    m_splitter = new QSplitter(Qt::Vertical, central);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_view = new NewsView(m_splitter);
    m_view->setObjectName(QStringLiteral("newsView"));
    m_view->setModel(m_proxy);
    m_details = new DetailsPane(m_splitter);
    m_details->setMinimumHeight(120);
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({ 520, 220 });
    layout->addWidget(m_splitter, 1);
    setCentralWidget(central);

    connect(m_view, &NewsView::currentItemChanged, this, &MainWindow::onCurrentItemChanged);
    connect(m_view, &NewsView::openRequested, this, [](const QUrl &url) {
        if (url.isValid()
            && (url.scheme() == QLatin1String("https") || url.scheme() == QLatin1String("http")))
            QDesktopServices::openUrl(url);
    });
    connect(m_details, &DetailsPane::openRequested, this, [](const QUrl &url) {
        if (url.isValid()
            && (url.scheme() == QLatin1String("https") || url.scheme() == QLatin1String("http")))
            QDesktopServices::openUrl(url);
    });
}

void MainWindow::buildDock()
{
    m_panel = new ServerPanel(m_server, this);
    m_panel->setApiKey(m_settings.apiKey);
    m_panel->setClientMode(m_settings.useRemoteServer, m_settings.remoteUrl);
    m_dock = new QDockWidget(tr("Server"), this);
    m_dock->setObjectName(QStringLiteral("serverDock"));
    m_dock->setWidget(m_panel);
    m_dock->setAllowedAreas(Qt::AllDockWidgetAreas);
    addDockWidget(Qt::RightDockWidgetArea, m_dock);
    resizeDocks({ m_dock }, { 380 }, Qt::Horizontal);
    m_dock->toggleViewAction()->setText(tr("&Server panel"));
    m_dock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));

    connect(m_panel, &ServerPanel::startRequested, this, &MainWindow::startEmbeddedServer);
    connect(m_panel, &ServerPanel::stopRequested, m_server, &EmbeddedServer::stop);
    connect(m_panel, &ServerPanel::apiKeyRegenerated, this, [this](const QString &key) {
        AppSettings next = m_settings;
        next.apiKey = key;
        applySettings(next);
    });
}

void MainWindow::buildStatusBar()
{
    m_serverLabel = new QLabel(this);
    m_serverLabel->setObjectName(QStringLiteral("serverStatus"));
    m_sessionLabel = new QLabel(this);
    m_sessionLabel->setObjectName(QStringLiteral("sessionStatus"));
    m_lastEventLabel = new QLabel(this);
    m_lastEventLabel->setObjectName(QStringLiteral("lastEventStatus"));
    statusBar()->addPermanentWidget(m_serverLabel);
    statusBar()->addPermanentWidget(m_sessionLabel);
    statusBar()->addPermanentWidget(m_lastEventLabel);

    // "Last event 3 s ago" must age even when nothing arrives: once a second is enough.
    m_statusTimer = new QTimer(this);
    m_statusTimer->setInterval(1000);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::refreshStatusBar);
    m_statusTimer->start();

    // The title carries the unread count; coalesce its updates (they come per batch).
    m_titleTimer = new QTimer(this);
    m_titleTimer->setSingleShot(true);
    m_titleTimer->setInterval(250);
    connect(m_titleTimer, &QTimer::timeout, this, &MainWindow::refreshTitle);
    refreshStatusBar();
}

// --- window state -----------------------------------------------------------------------------

void MainWindow::restoreWindowState()
{
    if (m_settings.windowGeometry.isEmpty() || !restoreGeometry(m_settings.windowGeometry)) {
        // First start: a roomy window, or the whole screen when the screen is not much bigger.
        QSize size(1360, 820);
        if (const QScreen *s = screen()) {
            const QRect available = s->availableGeometry();
            if (available.width() < 1500 || available.height() < 900) {
                size = available.size();
                move(available.topLeft());
            }
        }
        resize(size);
    }
    if (!m_settings.windowState.isEmpty())
        restoreState(m_settings.windowState);
    if (!m_settings.splitterState.isEmpty())
        m_splitter->restoreState(m_settings.splitterState);
}

void MainWindow::saveWindowState()
{
    m_settings.windowGeometry = saveGeometry();
    m_settings.windowState = saveState();
    m_settings.splitterState = m_splitter->saveState();
}

void MainWindow::saveSettings()
{
    const QString problem = m_settings.save(*m_store);
    if (!problem.isEmpty()) {
        qCWarning(lcUi).noquote() << problem;
        statusBar()->showMessage(problem, 15000);
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Stop first, so the server frees the stream even if the app is slow to exit.
    m_controller->stop();
    saveWindowState();
    saveSettings();
    if (m_tray)
        m_tray->hide();
    event->accept();
}

// --- server and client ------------------------------------------------------------------------

server::ServerConfig MainWindow::serverConfig() const
{
    server::ServerConfig config = m_settings.toServerConfig();
    if (m_options.port >= 0)
        config.port = m_options.port;
    return config;
}

void MainWindow::startEmbeddedServer() { m_server->start(serverConfig()); }

void MainWindow::connectClient()
{
    m_controller->setStreamTiming(m_settings.streamIntervalMs, m_settings.streamDurationMs);
    if (m_settings.useRemoteServer) {
        const QUrl endpoint = m_settings.mcpEndpoint(QString());
        if (!endpoint.isValid() || endpoint.isEmpty()) {
            m_controller->clearEndpoint();
            statusBar()->showMessage(
                tr("The remote server URL is not valid: fix it in Settings → Server"), 15000);
        } else {
            m_controller->setEndpoint(endpoint, m_settings.clientApiKey().toUtf8());
        }
    } else if (m_server->isRunning()) {
        m_controller->setEndpoint(
            m_settings.mcpEndpoint(m_server->url()), m_settings.clientApiKey().toUtf8());
    }
    // Otherwise onServerStarted() connects once the embedded server listens.
    refreshStatusBar();
}

void MainWindow::onServerStarted(const QString &url)
{
    Q_UNUSED(url)
    if (!m_settings.useRemoteServer) {
        connectClient();
        // The server is back (e.g. restarted from the panel): do not wait for the backoff.
        m_controller->retryNow();
    }
    refreshStatusBar();
}

// --- going live -------------------------------------------------------------------------------

QStringList MainWindow::parseSymbols(const QString &text, QString *error)
{
    QStringList symbols;
    const QStringList parts
        = text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    for (QString part : parts) {
        part = part.toUpper();
        if (part.startsWith(QLatin1Char('$')))
            part.remove(0, 1);
        if (!symbolPattern().match(part).hasMatch()) {
            if (error) {
                *error = tr("“%1” is not a ticker symbol: use letters, digits, '.' or '-', "
                            "starting with a letter (e.g. TSLA, BRK.B)")
                             .arg(part.left(24));
            }
            return {};
        }
        if (!symbols.contains(part))
            symbols << part;
    }
    if (symbols.isEmpty()) {
        if (error)
            *error = tr("Type one or more ticker symbols, e.g. TSLA, NVDA");
        return {};
    }
    if (symbols.size() > kMaxSymbols) {
        if (error)
            *error = tr("At most %1 symbols in one watchlist (you typed %2)")
                         .arg(kMaxSymbols)
                         .arg(symbols.size());
        return {};
    }
    if (error)
        error->clear();
    return symbols;
}

bool MainWindow::goLive()
{
    QString error;
    const QStringList symbols = parseSymbols(m_symbolEdit->text(), &error);
    if (symbols.isEmpty()) {
        showInputError(error);
        return false;
    }
    m_inputError->hide();
    m_symbolEdit->setText(symbols.join(QStringLiteral(", ")));
    // Another watchlist: the rows of the old one would only confuse; the same one (going live
    // again after Stop) keeps what was already read.
    if (symbols != m_streamSymbols) {
        m_model->clear();
        m_details->clear();
    }
    m_streamSymbols = symbols;
    if (m_settings.watchlist != symbols) {
        m_settings.watchlist = symbols;
        saveSettings();
    }
    m_controller->start(symbols);
    refreshTitle();
    return true;
}

void MainWindow::stop() { m_controller->stop(); }

QString MainWindow::inputError() const
{
    return m_inputError->isHidden() ? QString() : m_inputError->text();
}

void MainWindow::showInputError(const QString &message)
{
    m_inputError->setText(message);
    m_inputError->show();
    m_symbolEdit->setFocus();
    m_symbolEdit->selectAll();
}

void MainWindow::onControllerState()
{
    using State = NewsStreamController::State;
    switch (m_controller->state()) {
    case State::Stopped: m_indicator->setStopped(); break;
    case State::Connecting: m_indicator->setConnecting(); break;
    case State::Live:
        m_indicator->setLive(m_controller->itemCount(), m_controller->lastLatencyMs());
        break;
    case State::Reconnecting:
        // retryScheduled() follows with the delay; until then an attempt is under way.
        if (m_indicator->state() != LiveIndicator::State::Reconnecting)
            m_indicator->setReconnecting(-1);
        break;
    case State::Error: m_indicator->setError(m_controller->errorString()); break;
    }
    m_stopAction->setEnabled(m_controller->isWanted());
    refreshTitle();
    refreshStatusBar();
}

void MainWindow::onAlert(const core::NewsItem &item)
{
    // The row is highlighted by the model and delegate; here: the tray and the status bar.
    const QString symbols = item.symbols.join(QStringLiteral(", "));
    statusBar()->showMessage(tr("Alert · %1 · %2").arg(symbols, item.headline), 8000);
    if (!isActiveWindow())
        QApplication::alert(this);
    if (!m_tray || !m_tray->isVisible())
        return;
    // A burst of matches must not flood the desktop: one message, then a count.
    if (m_trayClock.isValid() && m_trayClock.elapsed() < kTrayQuietMs) {
        ++m_trayMuted;
        return;
    }
    const QString more = m_trayMuted > 0 ? tr(" (+%1 more)").arg(m_trayMuted) : QString();
    m_trayMuted = 0;
    m_trayClock.start();
    m_tray->showMessage(tr("Tickerwire alert: %1").arg(symbols) + more, item.headline,
        QSystemTrayIcon::Information, 8000);
}

void MainWindow::onCurrentItemChanged(const core::NewsItem &item)
{
    if (item.id.isEmpty()) {
        m_details->clear();
        return;
    }
    const int row = m_model->rowForId(item.id);
    m_details->setItem(item, row >= 0 ? m_model->latencyAt(row) : -1);
}

void MainWindow::refreshSources()
{
    const QStringList sources = m_proxy->sources();
    QStringList current;
    for (int i = 1; i < m_sourceCombo->count(); ++i)
        current << m_sourceCombo->itemData(i).toString();
    if (current == sources)
        return;
    const QString selected = m_sourceCombo->currentData().toString();
    const QSignalBlocker blocker(m_sourceCombo);
    while (m_sourceCombo->count() > 1)
        m_sourceCombo->removeItem(1);
    for (const QString &source : sources)
        m_sourceCombo->addItem(source, source);
    // A source the user picked stays picked even while no row of it is shown.
    int index = selected.isEmpty() ? 0 : m_sourceCombo->findData(selected);
    if (index < 0) {
        m_sourceCombo->addItem(selected, selected);
        index = m_sourceCombo->count() - 1;
    }
    m_sourceCombo->setCurrentIndex(index);
}

QString MainWindow::serverStatusText() const
{
    if (m_settings.useRemoteServer)
        return tr("Remote server %1").arg(m_settings.mcpEndpoint(QString()).toDisplayString());
    switch (m_server->state()) {
    case EmbeddedServer::State::Running: {
        const bool demo = m_settings.providers.contains(QStringLiteral("demo"));
        return demo ? tr("Embedded server %1 · demo feed (fictional news)").arg(m_server->url())
                    : tr("Embedded server %1").arg(m_server->url());
    }
    case EmbeddedServer::State::Starting: return tr("Embedded server starting…");
    case EmbeddedServer::State::Stopping: return tr("Embedded server stopping…");
    case EmbeddedServer::State::Failed:
        return tr("Embedded server failed: %1").arg(m_server->lastError());
    case EmbeddedServer::State::Stopped:
        return m_settings.embeddedServerEnabled ? tr("Embedded server stopped")
                                                : tr("Embedded server off");
    }
    return {};
}

void MainWindow::refreshStatusBar()
{
    if (!m_serverLabel)
        return;
    const QString server = serverStatusText();
    if (m_serverLabel->text() != server)
        m_serverLabel->setText(server);

    const QString session = m_controller->sessionId();
    // The first characters are enough to match it with the server's log; the rest stays private.
    const QString sessionText
        = session.isEmpty() ? tr("No session") : tr("Session %1…").arg(session.left(8));
    if (m_sessionLabel->text() != sessionText)
        m_sessionLabel->setText(sessionText);

    const QDateTime last = m_controller->lastEventAt();
    QString lastText;
    if (!last.isValid()) {
        lastText = tr("No events yet");
    } else {
        const qint64 ago = last.secsTo(QDateTime::currentDateTime());
        lastText = ago < 2 ? tr("Last event %1").arg(last.toString(QStringLiteral("HH:mm:ss")))
                           : tr("Last event %1 (%2 s ago)")
                                 .arg(last.toString(QStringLiteral("HH:mm:ss")))
                                 .arg(ago);
    }
    if (m_lastEventLabel->text() != lastText)
        m_lastEventLabel->setText(lastText);
}

void MainWindow::updateTitle()
{
    if (m_titleTimer && !m_titleTimer->isActive())
        m_titleTimer->start();
}

void MainWindow::refreshTitle()
{
    if (m_titleTimer)
        m_titleTimer->stop();
    // "(12) LIVE · TSLA, NVDA — Tickerwire": the taskbar says whether news is flowing and how
    // much is unread without raising the window.
    QString title = tr("Tickerwire");
    if (!m_streamSymbols.isEmpty())
        title = m_streamSymbols.join(QStringLiteral(", ")) + QStringLiteral(" — ") + title;
    switch (m_controller->state()) {
    case NewsStreamController::State::Live: title = tr("LIVE · ") + title; break;
    case NewsStreamController::State::Reconnecting: title = tr("Reconnecting · ") + title; break;
    case NewsStreamController::State::Error: title = tr("Error · ") + title; break;
    case NewsStreamController::State::Stopped:
    case NewsStreamController::State::Connecting: break;
    }
    const int unread = m_model->unreadCount();
    if (unread > 0)
        title = QStringLiteral("(%1) ").arg(QLocale().toString(unread)) + title;
    setWindowTitle(title);
}

void MainWindow::updateShownCount()
{
    const int total = m_model->rowCount();
    const int shown = m_proxy->rowCount();
    const QLocale locale;
    QString text;
    if (m_proxy->isFiltering())
        text = tr("%1 of %2 stories").arg(locale.toString(shown), locale.toString(total));
    else
        text = total == 1 ? tr("1 story") : tr("%1 stories").arg(locale.toString(total));
    m_shownLabel->setText(text);
}

// --- settings, theme, tray, about -------------------------------------------------------------

void MainWindow::openSettings()
{
    SettingsDialog dialog(m_settings, this);
    if (dialog.exec() == QDialog::Accepted)
        applySettings(dialog.settings());
}

void MainWindow::applySettings(const AppSettings &incoming)
{
    AppSettings next = incoming;
    // The window's own state is not the dialog's business.
    next.windowGeometry = m_settings.windowGeometry;
    next.windowState = m_settings.windowState;
    next.splitterState = m_settings.splitterState;
    const AppSettings old = m_settings;
    m_settings = next;

    if (old.theme != next.theme)
        setTheme(next.theme);
    if (old.compactRows != next.compactRows)
        setCompactRows(next.compactRows);
    if (old.maxRows != next.maxRows)
        m_model->setCapacity(next.maxRows);
    if (old.alertRules != next.alertRules)
        m_model->setAlertRules(AlertRules::fromStringList(next.alertRules));
    if (old.watchlist != next.watchlist && !m_controller->isWanted())
        m_symbolEdit->setText(next.watchlist.join(QStringLiteral(", ")));
    m_controller->setStreamTiming(next.streamIntervalMs, next.streamDurationMs);
    m_panel->setApiKey(next.apiKey);
    m_panel->setClientMode(next.useRemoteServer, next.remoteUrl);

    if (serverPartDiffers(old, next)) {
        if (next.embeddedServerEnabled)
            startEmbeddedServer(); // restarts when running; started() reconnects the client
        else
            m_server->stop();
    }
    if (clientPartDiffers(old, next))
        connectClient();
    updateTray();
    saveSettings();
    refreshStatusBar();
}

void MainWindow::setTheme(AppSettings::Theme value)
{
    theme::apply(value);
    for (QAction *action : m_themeGroup->actions())
        action->setChecked(action->data().toInt() == int(value));
    if (m_settings.theme != value) {
        m_settings.theme = value;
        saveSettings();
    }
}

void MainWindow::setCompactRows(bool compact)
{
    m_view->setCompact(compact);
    const QSignalBlocker blocker(m_compactAction);
    m_compactAction->setChecked(compact);
}

void MainWindow::updateTray()
{
    const bool want = m_settings.trayNotifications && QSystemTrayIcon::isSystemTrayAvailable();
    if (!want) {
        if (m_tray) {
            m_tray->hide();
            m_tray->deleteLater();
        }
        return;
    }
    if (m_tray)
        return;
    m_tray = new QSystemTrayIcon(
        windowIcon().isNull() ? QApplication::windowIcon() : windowIcon(), this);
    m_tray->setToolTip(tr("Tickerwire"));
    connect(m_tray, &QSystemTrayIcon::activated, this,
        [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger) {
                showNormal();
                raise();
                activateWindow();
            }
        });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    m_tray->show();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Tickerwire"),
        tr("<h3>Tickerwire %1</h3>"
           "<p>Live market news for traders, with an embedded MCP server that streams the same "
           "news to AI assistants and scripts.</p>"
           "<p>The demo feed is <b>fictional</b>: its headlines are made up and are not about "
           "the real companies behind the tickers.</p>"
           "<p>Released under the MIT License.<br>Built with Qt %2.</p>")
            .arg(QStringLiteral(TW_VERSION_STRING), QString::fromLatin1(qVersion())));
}

} // namespace tw::ui
