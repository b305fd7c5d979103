// tickerwire: the desktop app. Parses the command line into MainWindow::Options and a settings
// store, then hands over to MainWindow.
#include "logbus.h"
#include "logging.h"
#include "mainwindow.h"
#include "unixsignalwatcher.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QSettings>

#include <cstdio>
#include <memory>

// Q_INIT_RESOURCE must be called from the global namespace (not an anonymous one: its extern
// declaration would get internal linkage): the resources live in the static tw_ui library, and
// without this the linker drops them.
static void initResources() { Q_INIT_RESOURCE(ui); }

namespace {

int usageError(const QString &message)
{
    std::fprintf(stderr, "tickerwire: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("tickerwire"));
    QApplication::setApplicationDisplayName(QStringLiteral("Tickerwire"));
    QApplication::setApplicationVersion(QStringLiteral(TW_VERSION_STRING));
    QApplication::setOrganizationName(QStringLiteral("Tickerwire"));
    QApplication::setOrganizationDomain(QStringLiteral("tickerwire.github.io"));
    QApplication::setDesktopFileName(QStringLiteral("io.github.tickerwire.Tickerwire"));
    initResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tickerwire.svg")));
    tw::core::installLogFormat();
    tw::ui::LogBus::instance(); // on the GUI thread, before the server thread logs anything

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Tickerwire: live market news for your tickers, with an embedded MCP server.\n"
        "On a first start it runs its own server on 127.0.0.1 (demo feed, fictional news) and "
        "connects to it over HTTP. Logging: QT_LOGGING_RULES=\"tickerwire.*.debug=true\"."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption symbolsOption(QStringLiteral("symbols"),
        QStringLiteral("Watchlist for this run, comma or space separated (e.g. \"TSLA,NVDA\")."),
        QStringLiteral("LIST"));
    const QCommandLineOption liveOption(
        QStringLiteral("live"), QStringLiteral("Go live as soon as the server is reachable."));
    const QCommandLineOption settingsOption(QStringLiteral("settings"),
        QStringLiteral("Read and write settings in this INI file instead of the user's settings."),
        QStringLiteral("FILE"));
    const QCommandLineOption portOption(QStringLiteral("port"),
        QStringLiteral("Port of the embedded server for this run (0: any free port)."),
        QStringLiteral("N"));
    parser.addOptions({ symbolsOption, liveOption, settingsOption, portOption });
    // Usage errors exit with 2, as tickerwire-server does; process() handles --help/--version.
    if (!parser.parse(QApplication::arguments()))
        return usageError(parser.errorText());
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument \"%1\" (see --help)")
                              .arg(parser.positionalArguments().constFirst()));

    tw::ui::MainWindow::Options options;
    options.goLive = parser.isSet(liveOption);
    if (parser.isSet(symbolsOption)) {
        QString error;
        options.symbols = tw::ui::MainWindow::parseSymbols(parser.value(symbolsOption), &error);
        if (options.symbols.isEmpty())
            return usageError(QStringLiteral("--symbols: %1").arg(error));
    }
    if (parser.isSet(portOption)) {
        bool ok = false;
        const int port = parser.value(portOption).toInt(&ok);
        if (!ok || port < 0 || port > 65535)
            return usageError(QStringLiteral("--port: \"%1\" is not a port number (0-65535)")
                                  .arg(parser.value(portOption)));
        options.port = port;
    }

    std::unique_ptr<QSettings> store;
    if (parser.isSet(settingsOption)) {
        const QString path = parser.value(settingsOption);
        const QFileInfo info(path);
        if (info.exists() && !info.isFile())
            return usageError(QStringLiteral("--settings: %1 is not a file").arg(path));
        store = std::make_unique<QSettings>(path, QSettings::IniFormat);
    } else {
        store = std::make_unique<QSettings>();
    }
    if (store->status() != QSettings::NoError)
        return usageError(
            QStringLiteral("the settings in %1 cannot be read (%2)")
                .arg(store->fileName(),
                    store->status() == QSettings::FormatError ? QStringLiteral("not an INI file")
                                                              : QStringLiteral("access denied")));

    tw::ui::MainWindow window(store.get(), options);
    window.show();

    // SIGTERM/SIGINT close the window as the user would: the stream is stopped, settings saved.
    tw::core::UnixSignalWatcher signals;
    QObject::connect(&signals, &tw::core::UnixSignalWatcher::terminationRequested, &window,
        [&window](int) { window.close(); });
    return app.exec();
}
