// tickerwire-server: the headless Tickerwire server. Parses the command line into the
// settings table's values and hands over to ServerRuntime.
#include "epolleventdispatcher.h"
#include "logging.h"
#include "serverconfig.h"
#include "serverruntime.h"
#include "unixsignalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

using namespace tw::server;

int main(int argc, char *argv[])
{
    // Qt's dispatchers cost O(connections) per event-loop turn: GLib's walks a linked list of
    // notifiers on every enable/disable, the UNIX one poll()s every socket on every wake-up,
    // and both keep timers in a sorted list. The server's main thread runs on epoll with a
    // timer heap instead (bench/README.md). TICKERWIRE_EVENT_DISPATCHER=qt selects Qt's UNIX
    // dispatcher (for comparison); threads Qt starts itself keep Qt's.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    if (qgetenv("TICKERWIRE_EVENT_DISPATCHER") != "qt") {
        if (auto *dispatcher = tw::core::EpollEventDispatcher::create())
            QCoreApplication::setEventDispatcher(dispatcher);
    }
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tickerwire-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TW_VERSION_STRING));
    QCoreApplication::setOrganizationName(QStringLiteral("Tickerwire"));
    tw::core::installLogFormat();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Tickerwire headless server: market news over HTTP with Server-Sent Events.\n"
        "Settings come from, in increasing precedence: --config FILE (INI), environment variables, "
        "and these options. Logging: QT_LOGGING_RULES=\"tickerwire.*.debug=true\"."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(QCommandLineOption(QStringLiteral("config"),
        QStringLiteral("INI file with settings ([server] host, port, mode; [security] ...; [limits] ...; "
                       "[tls] cert, key). Env: TICKERWIRE_CONFIG."),
        QStringLiteral("FILE")));
    for (const SettingSpec &spec : settingSpecs()) {
        QString help = spec.help;
        if (!spec.env.isEmpty())
            help += QStringLiteral(" Env: ") + spec.env.join(QStringLiteral(", ")) + QLatin1Char('.');
        if (spec.kind == SettingSpec::Kind::Flag)
            parser.addOption(QCommandLineOption(spec.option, help));
        else
            parser.addOption(QCommandLineOption(spec.option, help, spec.valueName));
    }
    // A usage error exits with 2, like an invalid value below (QCommandLineParser::process()
    // would exit with 1, the code for "refused to start"); process() then handles --help
    // and --version.
    if (!parser.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "tickerwire-server: %s\n", qPrintable(parser.errorText()));
        return 2;
    }
    parser.process(app);

    CommandLineValues values;
    if (parser.isSet(QStringLiteral("config")))
        values.push_back({ QStringLiteral("config"), parser.values(QStringLiteral("config")) });
    for (const SettingSpec &spec : settingSpecs()) {
        if (parser.isSet(spec.option))
            values.push_back({ spec.option, spec.kind == SettingSpec::Kind::Flag ? QStringList() : parser.values(spec.option) });
    }

    const ConfigResult loaded = loadServerConfig(values, QProcessEnvironment::systemEnvironment());
    for (const QString &note : loaded.notes)
        qCWarning(lcServer).noquote() << note;
    if (!loaded.error.isEmpty()) {
        std::fprintf(stderr, "tickerwire-server: %s\n", qPrintable(loaded.error));
        return 2;
    }

    tw::core::UnixSignalWatcher signals;
    ServerRuntime runtime(loaded.config);
    QObject::connect(&signals, &tw::core::UnixSignalWatcher::terminationRequested, &app, [&runtime](int sig) {
        qCInfo(lcServer) << "signal" << sig << "received; closing streams and shutting down";
        runtime.stop();
        // Let the closing sockets flush on the event loop, then leave.
        QTimer::singleShot(200, qApp, [] { QCoreApplication::exit(0); });
    });

    QString error;
    if (loaded.config.stdio) {
        // stdout carries JSON-RPC only: every diagnostic goes to stderr.
        QObject::connect(&runtime, &ServerRuntime::stdioFinished, &app, [] { QCoreApplication::exit(0); });
        if (!runtime.startStdio(&error)) {
            std::fprintf(stderr, "tickerwire-server: %s\n", qPrintable(error));
            return 1;
        }
        return QCoreApplication::exec();
    }

    if (!runtime.start(&error)) {
        std::fprintf(stderr, "tickerwire-server: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("tickerwire-server listening on %s\n", qPrintable(runtime.url()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}
