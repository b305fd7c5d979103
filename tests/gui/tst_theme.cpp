// theme::apply: dark, light and back to the platform's style, on the whole application.
#include "theme.h"

#include <QApplication>
#include <QStyle>
#include <QTest>

using namespace tw::ui;

class TestTheme : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void darkLightAndSystem();
};

void TestTheme::darkLightAndSystem()
{
    const QString platformStyle = QApplication::style()->name();

    theme::apply(AppSettings::Theme::Dark);
    QVERIFY(theme::isDark());
    QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
    QCOMPARE(
        QApplication::palette().color(QPalette::Base), theme::darkPalette().color(QPalette::Base));
    // Text stays readable: clearly lighter than the background it is drawn on.
    QVERIFY(QApplication::palette().color(QPalette::Text).lightness()
        > QApplication::palette().color(QPalette::Base).lightness() + 100);

    theme::apply(AppSettings::Theme::Light);
    QVERIFY(!theme::isDark());
    QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));

    theme::apply(AppSettings::Theme::System);
    QCOMPARE(QApplication::style()->name(), platformStyle);
    QVERIFY(QApplication::palette().color(QPalette::Base)
        != theme::darkPalette().color(QPalette::Base));
}

QTEST_MAIN(TestTheme)
#include "tst_theme.moc"
