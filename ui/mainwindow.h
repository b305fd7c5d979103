// The Tickerwire main window: the watchlist entry with Go Live / Stop and the LIVE indicator
// in the toolbar, the filter bar, the news list beside the details pane, the embedded server's
// panel in a dock, and the status bar (server, session, last event). It owns the embedded
// server (which runs in its own thread) and talks to it, or to a remote server, only over
// HTTP through NewsStreamController. Settings come from and go back to the QSettings it is
// given; window geometry and splitter/dock state are restored.
#pragma once

#include "appsettings.h"
#include "newsitem.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>
#include <QStringList>

class QAction;
class QActionGroup;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QSettings;
class QSplitter;
class QSystemTrayIcon;
class QTimer;

namespace tw::ui {

class DetailsPane;
class EmbeddedServer;
class LiveIndicator;
class NewsFilterProxy;
class NewsModel;
class NewsStreamController;
class NewsView;
class ServerPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // What the command line can say for this run (nothing here is saved unless the user
    // goes live, which saves the watchlist).
    struct Options {
        QStringList symbols; // the watchlist entry (else the saved watchlist)
        bool goLive = false; // go live as soon as the server is reachable
        int port = -1; // the embedded server's port for this run (-1: the setting)
    };

    // `store` must outlive the window; settings are loaded from it (an API key is generated
    // and saved when there is none) and saved back on close and after the settings dialog.
    MainWindow(QSettings *store, const Options &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Go Live for what the watchlist entry says; false (and a message beside the entry,
    // nothing sent) when it is not a list of ticker symbols.
    bool goLive();
    void stop();
    // Parses "tsla, nvda aapl" into {"TSLA","NVDA","AAPL"}; on a bad entry returns {} and
    // says why in *error.
    static QStringList parseSymbols(const QString &text, QString *error);

    // Applies new settings as the settings dialog does (restarts the embedded server when its
    // configuration changed, reconnects the client, re-applies theme, rows, alerts) and saves.
    void applySettings(const AppSettings &settings);
    const AppSettings &settings() const { return m_settings; }

    // For tests and the screenshot tooling.
    LiveIndicator *indicator() const { return m_indicator; }
    NewsModel *model() const { return m_model; }
    NewsFilterProxy *proxy() const { return m_proxy; }
    NewsView *view() const { return m_view; }
    DetailsPane *detailsPane() const { return m_details; }
    EmbeddedServer *embeddedServer() const { return m_server; }
    NewsStreamController *controller() const { return m_controller; }
    ServerPanel *serverPanel() const { return m_panel; }
    QLineEdit *symbolEdit() const { return m_symbolEdit; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    QComboBox *sourceCombo() const { return m_sourceCombo; }
    QCheckBox *onlyAlertsBox() const { return m_onlyAlerts; }
    QAction *goLiveAction() const { return m_goLiveAction; }
    QAction *stopAction() const { return m_stopAction; }
    QString inputError() const;
    QString serverStatusText() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildMenus();
    void buildToolbar();
    void buildCentral();
    void buildDock();
    void buildStatusBar();
    void restoreWindowState();
    void saveWindowState();

    void startEmbeddedServer();
    void connectClient();
    void onServerStarted(const QString &url);
    void onControllerState();
    void onAlert(const core::NewsItem &item);
    void onCurrentItemChanged(const core::NewsItem &item);
    void refreshSources();
    void refreshStatusBar();
    void updateTitle(); // soon (coalesced)
    void refreshTitle(); // now
    void updateShownCount();
    void showInputError(const QString &message);
    void openSettings();
    void showAbout();
    void setTheme(AppSettings::Theme theme);
    void setCompactRows(bool compact);
    void updateTray();
    void saveSettings();
    server::ServerConfig serverConfig() const;

    QSettings *m_store = nullptr;
    AppSettings m_settings;
    Options m_options;
    QStringList m_streamSymbols; // what the current (or last) stream was for

    EmbeddedServer *m_server = nullptr;
    NewsStreamController *m_controller = nullptr;
    NewsModel *m_model = nullptr;
    NewsFilterProxy *m_proxy = nullptr;

    NewsView *m_view = nullptr;
    DetailsPane *m_details = nullptr;
    QSplitter *m_splitter = nullptr;
    ServerPanel *m_panel = nullptr;
    QDockWidget *m_dock = nullptr;

    QLineEdit *m_symbolEdit = nullptr;
    QLabel *m_inputError = nullptr;
    LiveIndicator *m_indicator = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QComboBox *m_sourceCombo = nullptr;
    QCheckBox *m_onlyAlerts = nullptr;
    QLabel *m_shownLabel = nullptr;

    QAction *m_goLiveAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_compactAction = nullptr;
    QActionGroup *m_themeGroup = nullptr;
    QAction *m_aboutAction = nullptr;

    QLabel *m_serverLabel = nullptr;
    QLabel *m_sessionLabel = nullptr;
    QLabel *m_lastEventLabel = nullptr;
    QTimer *m_statusTimer = nullptr;
    QTimer *m_titleTimer = nullptr;
    QPointer<QSystemTrayIcon> m_tray;
    QElapsedTimer m_trayClock; // since the last tray message
    int m_trayMuted = 0; // alerts not announced since then
};

} // namespace tw::ui
