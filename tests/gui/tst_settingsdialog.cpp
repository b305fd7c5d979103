// SettingsDialog offscreen: it shows the settings it is given, hands back what was edited, and
// OK refuses invalid input with a message saying what to fix.
#include "appsettings.h"
#include "settingsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>

using namespace tw::ui;

namespace {

AppSettings base()
{
    AppSettings a;
    a.apiKey = QString(64, QLatin1Char('a'));
    a.watchlist = { QStringLiteral("TSLA"), QStringLiteral("NVDA") };
    a.alertRules = { QStringLiteral("ticker:TSLA") };
    return a;
}

template<typename T>
T *field(SettingsDialog &dialog, const QString &labelText)
{
    // Fields are found through the label the user reads (QFormLayout buddies).
    const QList<QLabel *> labels = dialog.findChildren<QLabel *>();
    for (QLabel *label : labels) {
        if (label->text() == labelText && label->buddy())
            return qobject_cast<T *>(label->buddy());
    }
    return nullptr;
}

QCheckBox *checkBox(SettingsDialog &dialog, const QString &text)
{
    const QList<QCheckBox *> boxes = dialog.findChildren<QCheckBox *>();
    for (QCheckBox *box : boxes) {
        if (box->text() == text)
            return box;
    }
    return nullptr;
}

void pressOk(SettingsDialog &dialog)
{
    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    QVERIFY(buttons);
    buttons->button(QDialogButtonBox::Ok)->click();
}

} // namespace

class TestSettingsDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void unchangedDialogChangesNothing();
    void editsComeBack();
    void okRefusesInvalidInput();
    void alertRulesAddAndRefuse();
};

void TestSettingsDialog::unchangedDialogChangesNothing()
{
    AppSettings a = base();
    a.streamIntervalMs = 2500; // not a whole number of seconds: kept as is when untouched
    SettingsDialog dialog(a);
    QCOMPARE(dialog.tabs()->count(), 5);
    QCOMPARE(dialog.settings(), a);
    QCOMPARE(dialog.validationError(), QString());
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.show();
    pressOk(dialog);
    QCOMPARE(accepted.count(), 1);
}

void TestSettingsDialog::editsComeBack()
{
    SettingsDialog dialog(base());
    auto *watch = field<QLineEdit>(dialog, QStringLiteral("Watchlist:"));
    QVERIFY(watch);
    QCOMPARE(watch->text(), QStringLiteral("TSLA, NVDA"));
    watch->setText(QStringLiteral("aapl brk.b, aapl"));
    auto *port = field<QSpinBox>(dialog, QStringLiteral("Port:"));
    QVERIFY(port);
    port->setValue(9000);
    auto *theme = field<QComboBox>(dialog, QStringLiteral("Theme:"));
    QVERIFY(theme);
    theme->setCurrentIndex(theme->findText(QStringLiteral("Dark")));
    QCheckBox *compact = checkBox(dialog, QStringLiteral("Compact rows"));
    QVERIFY(compact);
    compact->setChecked(true);
    QCheckBox *remote = checkBox(dialog, QStringLiteral("Read news from a remote server"));
    QVERIFY(remote);
    remote->setChecked(true);
    auto *url = field<QLineEdit>(dialog, QStringLiteral("URL:"));
    QVERIFY(url);
    QVERIFY(url->isEnabled());
    url->setText(QStringLiteral("https://news.example.com"));
    auto *interval = field<QSpinBox>(dialog, QStringLiteral("Heartbeat interval:"));
    QVERIFY(interval);
    interval->setValue(5);

    const AppSettings s = dialog.settings();
    QCOMPARE(s.watchlist, (QStringList { QStringLiteral("AAPL"), QStringLiteral("BRK.B") }));
    QCOMPARE(s.embeddedPort, 9000);
    QCOMPARE(s.theme, AppSettings::Theme::Dark);
    QVERIFY(s.compactRows);
    QVERIFY(s.useRemoteServer);
    QCOMPARE(s.remoteUrl, QStringLiteral("https://news.example.com"));
    QCOMPARE(s.streamIntervalMs, 5000);
    QCOMPARE(s.apiKey, base().apiKey); // not shown, kept
    QCOMPARE(dialog.validationError(), QString());
}

void TestSettingsDialog::okRefusesInvalidInput()
{
    SettingsDialog dialog(base());
    dialog.show();
    QSignalSpy accepted(&dialog, &QDialog::accepted);

    auto *watch = field<QLineEdit>(dialog, QStringLiteral("Watchlist:"));
    watch->setText(QStringLiteral("TSLA, N!VDA"));
    pressOk(dialog);
    QCOMPARE(accepted.count(), 0);
    QVERIFY(dialog.isVisible());
    QVERIFY(dialog.errorLabel()->isVisible());
    QVERIFY2(dialog.errorLabel()->text().contains(QStringLiteral("N!VDA")),
        qPrintable(dialog.errorLabel()->text()));

    watch->setText(QStringLiteral("TSLA"));
    QCheckBox *finnhub = checkBox(dialog, QStringLiteral("Finnhub"));
    QVERIFY(finnhub);
    finnhub->setChecked(true);
    pressOk(dialog);
    QCOMPARE(accepted.count(), 0);
    QVERIFY2(dialog.errorLabel()->text().contains(QStringLiteral("Finnhub")),
        qPrintable(dialog.errorLabel()->text()));

    finnhub->setChecked(false);
    QCheckBox *embedded = checkBox(dialog, QStringLiteral("Run the embedded server"));
    embedded->setChecked(false);
    pressOk(dialog);
    QCOMPARE(accepted.count(), 0);
    QVERIFY(dialog.errorLabel()->text().contains(QStringLiteral("embedded server")));

    embedded->setChecked(true);
    pressOk(dialog);
    QCOMPARE(accepted.count(), 1);
    QVERIFY(!dialog.errorLabel()->isVisible());
}

void TestSettingsDialog::alertRulesAddAndRefuse()
{
    SettingsDialog dialog(base());
    auto *list = dialog.findChild<QListWidget *>();
    QVERIFY(list);
    QCOMPARE(list->count(), 1);
    QCOMPARE(dialog.addAlertRule(QStringLiteral("$nvda")), QString());
    QCOMPARE(dialog.addAlertRule(QStringLiteral("FDA approval")), QString());
    QVERIFY(!dialog.addAlertRule(QStringLiteral("ticker:TSLA")).isEmpty()); // already there
    QVERIFY(!dialog.addAlertRule(QStringLiteral("sector:energy")).isEmpty()); // unknown kind
    QVERIFY(!dialog.addAlertRule(QStringLiteral("   ")).isEmpty());
    QCOMPARE(dialog.settings().alertRules,
        (QStringList { QStringLiteral("ticker:TSLA"), QStringLiteral("ticker:NVDA"),
            QStringLiteral("keyword:FDA approval") }));
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
