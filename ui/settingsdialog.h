// The settings dialog: Watch, Alerts, News sources, Server and Appearance tabs over an AppSettings
// value. OK validates (port, URLs, rules) and keeps the dialog open with a message saying what to
// fix; the caller reads settings() after exec() == Accepted and saves them.
#pragma once

#include "appsettings.h"

#include <QDialog>
#include <QHash>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QSpinBox;
class QTabWidget;

namespace tw::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(const AppSettings &settings, QWidget *parent = nullptr);

    // The edited settings (fields the dialog does not show keep the values it was given).
    AppSettings settings() const;
    // "" when the input is valid, else what to fix (OK shows it and stays open).
    QString validationError() const;

    // For tests.
    QTabWidget *tabs() const { return m_tabs; }
    QLabel *errorLabel() const { return m_error; }
    // Adds an alert rule as the Add button does; returns "" or why it was refused.
    QString addAlertRule(const QString &rule);

public Q_SLOTS:
    void accept() override;

private:
    QWidget *buildWatchTab();
    QWidget *buildAlertsTab();
    QWidget *buildProvidersTab();
    QWidget *buildServerTab();
    QWidget *buildAppearanceTab();
    void updateEnabled();

    AppSettings m_base;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_error = nullptr;
    // Watch
    QLineEdit *m_watchlist = nullptr;
    QSpinBox *m_intervalSec = nullptr;
    QSpinBox *m_durationMin = nullptr;
    // Alerts
    QListWidget *m_rules = nullptr;
    QLineEdit *m_ruleInput = nullptr;
    QLabel *m_ruleError = nullptr;
    // Server
    QCheckBox *m_embedded = nullptr;
    QLineEdit *m_host = nullptr;
    QSpinBox *m_port = nullptr;
    QCheckBox *m_useRemote = nullptr;
    QLineEdit *m_remoteUrl = nullptr;
    QLineEdit *m_remoteKey = nullptr;
    QHash<QString, QCheckBox *> m_providerBoxes;
    QDoubleSpinBox *m_demoRate = nullptr;
    QLineEdit *m_finnhubKey = nullptr;
    QLineEdit *m_alphaVantageKey = nullptr;
    QLineEdit *m_polygonKey = nullptr;
    QLineEdit *m_edgarUserAgent = nullptr;
    QPlainTextEdit *m_rssUrls = nullptr;
    // Appearance
    QComboBox *m_theme = nullptr;
    QCheckBox *m_compact = nullptr;
    QSpinBox *m_maxRows = nullptr;
    QCheckBox *m_tray = nullptr;
};

} // namespace tw::ui
