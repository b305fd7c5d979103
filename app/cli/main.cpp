// tickerwire-cli: the terminal client of Tickerwire. Parses the command line and hands over
// to CliApp; exit codes are documented in --help (and README.md, "Terminal client").
#include "cliapp.h"
#include "clioutput.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QUrl>

#include <cstdio>

using namespace tw::cli;

namespace {
int usageError(const QString &message)
{
    printError(message + QStringLiteral(" (see --help)"));
    return ExitUsage;
}

bool positiveInt(const QString &text, int *out)
{
    bool ok = false;
    const int v = text.toInt(&ok);
    if (!ok || v <= 0)
        return false;
    *out = v;
    return true;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tickerwire-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TW_VERSION_STRING));
    QCoreApplication::setOrganizationName(QStringLiteral("Tickerwire"));
    // The library's own warnings would repeat the one clear message printed on failure;
    // QT_LOGGING_RULES (e.g. "tickerwire.*.debug=true") still shows everything.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("tickerwire.*.warning=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Tickerwire terminal client: market news from a Tickerwire (or any MCP) server.\n"
        "\n"
        "Commands:\n"
        "  tools                      list the server's tools\n"
        "  call NAME JSON             call a tool with a JSON object of arguments\n"
        "  news SYMBOL [--limit N]    recent news for a ticker\n"
        "  stream SYMBOL... [--interval MS] [--duration MS] [--keywords a,b]\n"
        "                             live news until the duration ends or Ctrl-C\n"
        "\n"
        "Exit codes: 0 ok, 1 tool error (isError) or protocol error, 2 usage error,\n"
        "3 connection refused/unreachable, 4 auth (401/403), 5 not found (404, unknown tool),\n"
        "6 rate limited (429), 130 interrupted."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption urlOption(QStringLiteral("url"),
        QStringLiteral("MCP endpoint (default http://127.0.0.1:8750/mcp)."), QStringLiteral("URL"),
        QStringLiteral("http://127.0.0.1:8750/mcp"));
    const QCommandLineOption stdioOption(QStringLiteral("stdio"),
        QStringLiteral("Start \"CMD ARGS\" and speak MCP on its stdin/stdout instead of HTTP."),
        QStringLiteral("CMD"));
    const QCommandLineOption keyOption(QStringLiteral("api-key"),
        QStringLiteral("API key (X-API-Key). Env: MCP_API_KEY."), QStringLiteral("KEY"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
        QStringLiteral("One JSON object per line (news items, or the raw tool result)."));
    const QCommandLineOption limitOption(QStringLiteral("limit"),
        QStringLiteral("news: items at most (default 20)."), QStringLiteral("N"));
    const QCommandLineOption intervalOption(QStringLiteral("interval"),
        QStringLiteral("stream: heartbeat interval in ms (server default)."), QStringLiteral("MS"));
    const QCommandLineOption durationOption(QStringLiteral("duration"),
        QStringLiteral("stream: end after MS milliseconds (server default)."), QStringLiteral("MS"));
    const QCommandLineOption keywordsOption(QStringLiteral("keywords"),
        QStringLiteral("stream: comma-separated keywords to filter on."), QStringLiteral("a,b"));
    parser.addOptions({ urlOption, stdioOption, keyOption, jsonOption, limitOption, intervalOption,
        durationOption, keywordsOption });
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("tools | call | news | stream"));

    if (!parser.parse(QCoreApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();

    CliOptions options;
    options.url = parser.value(urlOption);
    options.stdioCommand = parser.value(stdioOption);
    options.apiKey = parser.value(keyOption).toUtf8();
    options.json = parser.isSet(jsonOption);
    QStringList positional = parser.positionalArguments();

    // The official conformance suite runs `tickerwire-cli ... URL` with the scenario in the
    // environment: the conformance client mode.
    const QString scenario = QProcessEnvironment::systemEnvironment().value(
        QStringLiteral("MCP_CONFORMANCE_SCENARIO"));
    if (!scenario.isEmpty() && !positional.isEmpty()
        && positional.last().startsWith(QLatin1String("http"))) {
        options.conformanceScenario = scenario;
        options.url = positional.last();
        CliApp cli(options);
        if (!cli.start())
            return ExitUsage;
        return QCoreApplication::exec();
    }

    if (positional.isEmpty())
        return usageError(QStringLiteral("no command given"));
    options.command = positional.takeFirst();
    options.args = positional;
    if (parser.isSet(urlOption) && parser.isSet(stdioOption))
        return usageError(QStringLiteral("--url and --stdio exclude each other"));
    if (!options.stdioCommand.isEmpty() && options.stdioCommand.trimmed().isEmpty())
        return usageError(QStringLiteral("--stdio needs a command"));
    if (options.stdioCommand.isEmpty()) {
        const QUrl url(options.url, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            return usageError(QStringLiteral("--url must be an http(s) URL"));
    }

    if (options.command == QLatin1String("tools")) {
        if (!options.args.isEmpty())
            return usageError(QStringLiteral("tools takes no arguments"));
    } else if (options.command == QLatin1String("call")) {
        if (options.args.size() != 2)
            return usageError(QStringLiteral("usage: call NAME JSON"));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(options.args.at(1).toUtf8(), &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return usageError(QStringLiteral("the arguments of call must be a JSON object: %1")
                                  .arg(error.error != QJsonParseError::NoError ? error.errorString()
                                                                               : QStringLiteral("not an object")));
    } else if (options.command == QLatin1String("news")) {
        if (options.args.size() != 1)
            return usageError(QStringLiteral("usage: news SYMBOL [--limit N]"));
        if (parser.isSet(limitOption) && !positiveInt(parser.value(limitOption), &options.limit))
            return usageError(QStringLiteral("--limit must be a positive integer"));
    } else if (options.command == QLatin1String("stream")) {
        if (options.args.isEmpty())
            return usageError(QStringLiteral("usage: stream SYMBOL... [--interval MS] [--duration MS]"));
        if (parser.isSet(intervalOption) && !positiveInt(parser.value(intervalOption), &options.intervalMs))
            return usageError(QStringLiteral("--interval must be a positive integer (ms)"));
        if (parser.isSet(durationOption) && !positiveInt(parser.value(durationOption), &options.durationMs))
            return usageError(QStringLiteral("--duration must be a positive integer (ms)"));
        if (parser.isSet(keywordsOption))
            options.keywords = parser.value(keywordsOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
    } else {
        return usageError(QStringLiteral("unknown command \"%1\"").arg(options.command));
    }

    CliApp cli(options);
    if (!cli.start())
        return ExitUsage;
    return QCoreApplication::exec();
}
