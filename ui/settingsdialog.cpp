#include "settingsdialog.h"

#include "alertrules.h"
#include "newsfilter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include <cmath>

namespace tw::ui {

namespace {

    // "tsla, nvda aapl" -> {"TSLA","NVDA","AAPL"} (the server's symbol rule); bad entries go to
    // *bad.
    QStringList parseWatchlist(const QString &text, QStringList *bad)
    {
        QStringList symbols;
        const QStringList parts
            = text.split(QRegularExpression(QStringLiteral("[\\s,;]+")), Qt::SkipEmptyParts);
        for (const QString &part : parts) {
            const QString symbol = news::NewsFilter::normalizedSymbol(part);
            if (symbol.isNull()) {
                if (bad)
                    bad->append(part);
            } else if (!symbols.contains(symbol)) {
                symbols.append(symbol);
            }
        }
        return symbols;
    }

    QStringList nonEmptyLines(const QString &text)
    {
        QStringList lines;
        const QStringList raw = text.split(QLatin1Char('\n'));
        for (const QString &line : raw) {
            const QString t = line.trimmed();
            if (!t.isEmpty())
                lines.append(t);
        }
        return lines;
    }

    QLineEdit *secretField(const QString &value, QWidget *parent)
    {
        auto *edit = new QLineEdit(value, parent);
        // Keys are shown masked (someone may be looking over the shoulder) and can be pasted.
        edit->setEchoMode(QLineEdit::PasswordEchoOnEdit);
        return edit;
    }

    // A spin box value in whole units for a millisecond setting; settings() keeps the exact
    // millisecond value when the user left the box alone.
    int toUnits(int ms, int unitMs) { return int(std::lround(double(ms) / unitMs)); }

} // namespace

SettingsDialog::SettingsDialog(const AppSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_base(settings)
{
    setWindowTitle(tr("Tickerwire Settings"));
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildWatchTab(), tr("Watch"));
    m_tabs->addTab(buildAlertsTab(), tr("Alerts"));
    m_tabs->addTab(buildProvidersTab(), tr("News sources"));
    m_tabs->addTab(buildServerTab(), tr("Server"));
    m_tabs->addTab(buildAppearanceTab(), tr("Appearance"));
    layout->addWidget(m_tabs);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("settingsError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #d9453d;"));
    m_error->hide();
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    layout->addWidget(buttons);

    updateEnabled();
}

QWidget *SettingsDialog::buildWatchTab()
{
    auto *page = new QWidget;
    auto *form = new QFormLayout(page);
    m_watchlist = new QLineEdit(m_base.watchlist.join(QStringLiteral(", ")), page);
    m_watchlist->setPlaceholderText(tr("TSLA, NVDA, AAPL"));
    form->addRow(tr("Watchlist:"), m_watchlist);

    m_intervalSec = new QSpinBox(page);
    m_intervalSec->setRange(1, 3600);
    m_intervalSec->setSuffix(tr(" s"));
    m_intervalSec->setValue(qMax(1, toUnits(m_base.streamIntervalMs, 1000)));
    m_intervalSec->setToolTip(tr("How often the server sends a heartbeat while no news arrives."));
    form->addRow(tr("Heartbeat interval:"), m_intervalSec);

    m_durationMin = new QSpinBox(page);
    m_durationMin->setRange(1, 60);
    m_durationMin->setSuffix(tr(" min"));
    m_durationMin->setValue(qBound(1, toUnits(m_base.streamDurationMs, 60000), 60));
    m_durationMin->setToolTip(
        tr("Length of one stream call; the window starts the next one at once."));
    form->addRow(tr("Stream duration:"), m_durationMin);
    return page;
}

QWidget *SettingsDialog::buildAlertsTab()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(
        new QLabel(tr("One rule per line: <b>ticker:TSLA</b> or <b>$TSLA</b> for a ticker, "
                      "<b>keyword:recall</b> or a bare word or phrase for a keyword."),
            page));
    m_rules = new QListWidget(page);
    m_rules->setSelectionMode(QAbstractItemView::ExtendedSelection);
    QStringList loadErrors;
    const AlertRules rules = AlertRules::fromStringList(m_base.alertRules, &loadErrors);
    m_rules->addItems(rules.toStringList());
    layout->addWidget(m_rules, 1);

    auto *row = new QHBoxLayout;
    m_ruleInput = new QLineEdit(page);
    m_ruleInput->setPlaceholderText(tr("ticker:NVDA or keyword:FDA approval"));
    auto *add = new QPushButton(tr("Add"), page);
    auto *remove = new QPushButton(tr("Remove"), page);
    row->addWidget(m_ruleInput, 1);
    row->addWidget(add);
    row->addWidget(remove);
    layout->addLayout(row);
    m_ruleError = new QLabel(page);
    m_ruleError->setWordWrap(true);
    m_ruleError->setStyleSheet(QStringLiteral("color: #d9453d;"));
    if (!loadErrors.isEmpty())
        m_ruleError->setText(tr("Rules dropped from the saved settings: %1")
                                 .arg(loadErrors.join(QStringLiteral("; "))));
    layout->addWidget(m_ruleError);

    auto addFromInput = [this] {
        const QString error = addAlertRule(m_ruleInput->text());
        m_ruleError->setText(error);
        if (error.isEmpty())
            m_ruleInput->clear();
    };
    connect(add, &QPushButton::clicked, this, addFromInput);
    connect(m_ruleInput, &QLineEdit::returnPressed, this, addFromInput);
    connect(remove, &QPushButton::clicked, this, [this] {
        const QList<QListWidgetItem *> selected = m_rules->selectedItems();
        for (QListWidgetItem *item : selected)
            delete item;
    });
    return page;
}

QString SettingsDialog::addAlertRule(const QString &text)
{
    QString error;
    const std::optional<AlertRule> rule = AlertRule::fromString(text, &error);
    if (!rule)
        return error.isEmpty() ? tr("'%1' is not an alert rule.").arg(text) : error;
    const QString canonical = rule->toString();
    if (!m_rules->findItems(canonical, Qt::MatchExactly).isEmpty())
        return tr("'%1' is already a rule.").arg(canonical);
    m_rules->addItem(canonical);
    return {};
}

QWidget *SettingsDialog::buildProvidersTab()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(
        new QLabel(tr("News sources of the embedded server. The demo feed needs no network and "
                      "no key; its headlines are fictional."),
            page));
    auto *form = new QFormLayout;
    const QList<QPair<QString, QString>> known {
        { QStringLiteral("demo"), tr("Demo feed (fictional)") },
        { QStringLiteral("rss"), tr("RSS / Atom feeds") },
        { QStringLiteral("sec-edgar"), tr("SEC EDGAR filings") },
        { QStringLiteral("finnhub"), tr("Finnhub") },
        { QStringLiteral("alphavantage"), tr("Alpha Vantage") },
        { QStringLiteral("polygon"), tr("Polygon") },
    };
    for (const auto &[id, label] : known) {
        auto *box = new QCheckBox(label, page);
        box->setChecked(m_base.providers.contains(id, Qt::CaseInsensitive));
        connect(box, &QCheckBox::toggled, this, &SettingsDialog::updateEnabled);
        m_providerBoxes.insert(id, box);
    }
    m_demoRate = new QDoubleSpinBox(page);
    m_demoRate->setRange(0.0, 10000.0);
    m_demoRate->setDecimals(1);
    m_demoRate->setSuffix(tr(" items/s"));
    m_demoRate->setValue(m_base.demoRate);
    m_rssUrls = new QPlainTextEdit(m_base.rssUrls.join(QLatin1Char('\n')), page);
    m_rssUrls->setPlaceholderText(
        tr("One feed URL per line; {symbol} is replaced by each watched symbol"));
    m_rssUrls->setTabChangesFocus(true);
    m_edgarUserAgent = new QLineEdit(m_base.edgarUserAgent, page);
    m_edgarUserAgent->setPlaceholderText(tr("Your name and e-mail (EDGAR requires it)"));
    m_finnhubKey = secretField(m_base.finnhubKey, page);
    m_alphaVantageKey = secretField(m_base.alphaVantageKey, page);
    m_polygonKey = secretField(m_base.polygonKey, page);

    form->addRow(m_providerBoxes.value(QStringLiteral("demo")), m_demoRate);
    form->addRow(m_providerBoxes.value(QStringLiteral("rss")), m_rssUrls);
    form->addRow(m_providerBoxes.value(QStringLiteral("sec-edgar")), m_edgarUserAgent);
    form->addRow(m_providerBoxes.value(QStringLiteral("finnhub")), m_finnhubKey);
    form->addRow(m_providerBoxes.value(QStringLiteral("alphavantage")), m_alphaVantageKey);
    form->addRow(m_providerBoxes.value(QStringLiteral("polygon")), m_polygonKey);
    layout->addLayout(form);
    layout->addStretch();
    return page;
}

QWidget *SettingsDialog::buildServerTab()
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);

    auto *embeddedBox = new QGroupBox(tr("Embedded server"), page);
    auto *embeddedForm = new QFormLayout(embeddedBox);
    m_embedded = new QCheckBox(tr("Run the embedded server"), embeddedBox);
    m_embedded->setChecked(m_base.embeddedServerEnabled);
    m_host = new QLineEdit(m_base.embeddedHost, embeddedBox);
    m_host->setToolTip(
        tr("127.0.0.1 keeps the server to this computer. Another address lets other machines "
           "connect with the API key."));
    m_port = new QSpinBox(embeddedBox);
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any free port"));
    m_port->setValue(m_base.embeddedPort);
    embeddedForm->addRow(m_embedded);
    embeddedForm->addRow(tr("Listen address:"), m_host);
    embeddedForm->addRow(tr("Port:"), m_port);
    layout->addWidget(embeddedBox);

    auto *remoteBox = new QGroupBox(tr("Remote server"), page);
    auto *remoteForm = new QFormLayout(remoteBox);
    m_useRemote = new QCheckBox(tr("Read news from a remote server"), remoteBox);
    m_useRemote->setChecked(m_base.useRemoteServer);
    m_remoteUrl = new QLineEdit(m_base.remoteUrl, remoteBox);
    m_remoteUrl->setPlaceholderText(tr("https://news.example.com or http://host:8750/mcp"));
    m_remoteUrl->setToolTip(
        tr("A Tickerwire server, or any MCP server that offers stream_market_news."));
    m_remoteKey = secretField(m_base.remoteApiKey, remoteBox);
    remoteForm->addRow(m_useRemote);
    remoteForm->addRow(tr("URL:"), m_remoteUrl);
    remoteForm->addRow(tr("API key:"), m_remoteKey);
    layout->addWidget(remoteBox);
    layout->addStretch();

    connect(m_embedded, &QCheckBox::toggled, this, &SettingsDialog::updateEnabled);
    connect(m_useRemote, &QCheckBox::toggled, this, &SettingsDialog::updateEnabled);
    return page;
}

QWidget *SettingsDialog::buildAppearanceTab()
{
    auto *page = new QWidget;
    auto *form = new QFormLayout(page);
    m_theme = new QComboBox(page);
    m_theme->addItem(tr("System"), int(AppSettings::Theme::System));
    m_theme->addItem(tr("Light"), int(AppSettings::Theme::Light));
    m_theme->addItem(tr("Dark"), int(AppSettings::Theme::Dark));
    m_theme->setCurrentIndex(m_theme->findData(int(m_base.theme)));
    form->addRow(tr("Theme:"), m_theme);
    m_compact = new QCheckBox(tr("Compact rows"), page);
    m_compact->setChecked(m_base.compactRows);
    form->addRow(m_compact);
    m_maxRows = new QSpinBox(page);
    m_maxRows->setRange(100, 10000000);
    m_maxRows->setSingleStep(10000);
    m_maxRows->setGroupSeparatorShown(true);
    m_maxRows->setValue(m_base.maxRows);
    m_maxRows->setToolTip(tr("The oldest rows are dropped beyond this."));
    form->addRow(tr("Rows kept:"), m_maxRows);
    m_tray = new QCheckBox(tr("Notify alerts in the system tray"), page);
    m_tray->setChecked(m_base.trayNotifications);
    form->addRow(m_tray);
    return page;
}

void SettingsDialog::updateEnabled()
{
    const bool embedded = m_embedded->isChecked();
    m_host->setEnabled(embedded);
    m_port->setEnabled(embedded);
    const bool remote = m_useRemote->isChecked();
    m_remoteUrl->setEnabled(remote);
    m_remoteKey->setEnabled(remote);
    auto on
        = [this](const char *id) { return m_providerBoxes.value(QLatin1String(id))->isChecked(); };
    m_demoRate->setEnabled(on("demo"));
    m_rssUrls->setEnabled(on("rss"));
    m_edgarUserAgent->setEnabled(on("sec-edgar"));
    m_finnhubKey->setEnabled(on("finnhub"));
    m_alphaVantageKey->setEnabled(on("alphavantage"));
    m_polygonKey->setEnabled(on("polygon"));
}

AppSettings SettingsDialog::settings() const
{
    AppSettings s = m_base;
    s.watchlist = parseWatchlist(m_watchlist->text(), nullptr);
    if (m_intervalSec->value() != qMax(1, toUnits(m_base.streamIntervalMs, 1000)))
        s.streamIntervalMs = m_intervalSec->value() * 1000;
    if (m_durationMin->value() != qBound(1, toUnits(m_base.streamDurationMs, 60000), 60))
        s.streamDurationMs = m_durationMin->value() * 60000;

    QStringList rules;
    for (int i = 0; i < m_rules->count(); ++i)
        rules.append(m_rules->item(i)->text());
    // Unchanged rules keep their saved spelling, so opening and closing the dialog changes nothing.
    if (rules != AlertRules::fromStringList(m_base.alertRules).toStringList())
        s.alertRules = rules;

    // The user's order of the providers that stay on, then the newly ticked ones.
    QStringList providers;
    for (const QString &p : std::as_const(m_base.providers)) {
        const QString id = p.trimmed().toLower();
        const QCheckBox *box = m_providerBoxes.value(id);
        if ((!box || box->isChecked()) && !providers.contains(id))
            providers.append(id);
    }
    for (const QString &id : { QStringLiteral("demo"), QStringLiteral("rss"),
             QStringLiteral("sec-edgar"), QStringLiteral("finnhub"), QStringLiteral("alphavantage"),
             QStringLiteral("polygon") }) {
        if (m_providerBoxes.value(id)->isChecked() && !providers.contains(id))
            providers.append(id);
    }
    s.providers = providers;
    if (!qFuzzyCompare(m_demoRate->value() + 1, m_base.demoRate + 1))
        s.demoRate = m_demoRate->value();
    s.rssUrls = nonEmptyLines(m_rssUrls->toPlainText());
    s.edgarUserAgent = m_edgarUserAgent->text().trimmed();
    s.finnhubKey = m_finnhubKey->text().trimmed();
    s.alphaVantageKey = m_alphaVantageKey->text().trimmed();
    s.polygonKey = m_polygonKey->text().trimmed();

    s.embeddedServerEnabled = m_embedded->isChecked();
    s.embeddedHost = m_host->text().trimmed();
    s.embeddedPort = m_port->value();
    s.useRemoteServer = m_useRemote->isChecked();
    s.remoteUrl = m_remoteUrl->text().trimmed();
    s.remoteApiKey = m_remoteKey->text().trimmed();

    s.theme = AppSettings::Theme(m_theme->currentData().toInt());
    s.compactRows = m_compact->isChecked();
    s.maxRows = m_maxRows->value();
    s.trayNotifications = m_tray->isChecked();
    return s;
}

QString SettingsDialog::validationError() const
{
    QStringList bad;
    const QStringList symbols = parseWatchlist(m_watchlist->text(), &bad);
    if (!bad.isEmpty())
        return tr("Watchlist: '%1' is not a ticker symbol (1-10 letters, digits, '.', '-', '^' or "
                  "'=', e.g. "
                  "TSLA, BRK.B).")
            .arg(bad.first().left(40));
    if (symbols.isEmpty())
        return tr("Watchlist: give at least one ticker symbol, e.g. TSLA.");
    return settings().validate();
}

void SettingsDialog::accept()
{
    const QString error = validationError();
    if (!error.isEmpty()) {
        m_error->setText(error);
        m_error->show();
        return; // stays open so the user can fix it
    }
    m_error->hide();
    QDialog::accept();
}

} // namespace tw::ui
