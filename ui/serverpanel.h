// The server panel (the window puts it in a QDockWidget): the embedded server's state,
// listen address, sessions, streams and items sent (refreshed once a second while visible),
// Start/Stop, the API key (masked; Show, Copy, Regenerate), "Copy MCP client config"
// snippets and a live log view fed by LogBus.
#pragma once

#include "embeddedserver.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QToolButton;
class QTimer;
class QLineEdit;

namespace tw::ui {

class ServerPanel : public QWidget {
    Q_OBJECT
public:
    explicit ServerPanel(EmbeddedServer *server, QWidget *parent = nullptr);
    ~ServerPanel() override;

    // The embedded server's key (shown masked; used in the HTTP snippet).
    void setApiKey(const QString &key);
    QString apiKey() const { return m_apiKey; }
    // Remote mode: the client talks to remoteUrl; the embedded server may be off.
    void setClientMode(bool remote, const QString &remoteUrl);

    // The MCP client configuration for the embedded server: the Streamable HTTP form
    // {"mcpServers":{"tickerwire":{"type":"http","url":".../mcp","headers":{"Authorization":"Bearer
    // …"}}}} or the stdio form
    // {"mcpServers":{"tickerwire":{"command":"tickerwire-server","args":["--stdio"]}}} (the
    // tickerwire-server beside this executable when there is one). The HTTP form is "" while the
    // server has never run (it needs the address).
    QString mcpConfigSnippet(bool stdio) const;

    // Re-reads the server's state and figures now (the timer calls it while visible).
    void refresh();

    // For tests.
    QPlainTextEdit *logView() const { return m_log; }
    QString stateText() const;
    QString addressText() const;
    QString sessionsText() const;
    QString streamsText() const;
    QString itemsText() const;
    QString connectionsText() const;
    QPushButton *startButton() const { return m_startButton; }
    QPushButton *stopButton() const { return m_stopButton; }
    QPushButton *regenerateButton() const { return m_regenerateButton; }
    // Regenerates without the confirmation dialog (what Regenerate does after "Yes"): a new
    // key, a running server restarted with it as its only key, then apiKeyRegenerated().
    QString regenerateApiKey();
    void setConfirmRegenerate(bool ask) { m_confirmRegenerate = ask; }

Q_SIGNALS:
    // The window answers these (start with its current settings' toServerConfig()).
    void startRequested();
    void stopRequested();
    // A new 64-hex key, already in use by the (restarting) server: the window saves it and
    // reconnects its client. A start() of its own right now is harmless: EmbeddedServer folds
    // it into the restart under way.
    void apiKeyRegenerated(const QString &newKey);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void appendLog(
        QtMsgType type, const QString &category, const QString &text, const QDateTime &time);
    void onRegenerateClicked();
    void copySnippet(bool stdio);
    void updateKeyField();
    QString endpointUrl() const;

    QPointer<EmbeddedServer> m_server;
    QString m_apiKey;
    bool m_keyShown = false;
    bool m_remote = false;
    QString m_remoteUrl;
    bool m_confirmRegenerate = true;
    QString m_lastUrl; // the URL of the last successful start (for snippets while stopped)

    QLabel *m_stateLabel = nullptr;
    QLabel *m_modeLabel = nullptr;
    QLabel *m_addressLabel = nullptr;
    QLabel *m_sessionsLabel = nullptr;
    QLabel *m_streamsLabel = nullptr;
    QLabel *m_itemsLabel = nullptr;
    QLabel *m_connectionsLabel = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_startButton = nullptr;
    QPushButton *m_stopButton = nullptr;
    QLineEdit *m_keyField = nullptr;
    QPushButton *m_showKeyButton = nullptr;
    QPushButton *m_copyKeyButton = nullptr;
    QPushButton *m_regenerateButton = nullptr;
    QToolButton *m_snippetButton = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QTimer *m_refreshTimer = nullptr;
};

} // namespace tw::ui
