#include "cliapp.h"

#include "clioutput.h"
#include "mcpcall.h"
#include "mcpclient.h"
#include "newsitem.h"
#include "newsstreamclient.h"
#include "unixsignalwatcher.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace tw::cli {

using tw::client::McpCall;
using tw::client::McpClient;
using tw::client::McpError;
using tw::client::McpResponse;
using tw::client::NewsStreamClient;

namespace {
constexpr int kInterruptGraceMs = 2000; // wait this long for the server after Ctrl-C

QString firstText(const QJsonObject &result)
{
    const QJsonArray content = result.value(QStringLiteral("content")).toArray();
    for (const QJsonValue &c : content) {
        const QString text = c.toObject().value(QStringLiteral("text")).toString();
        if (!text.isEmpty())
            return text;
    }
    return {};
}
} // namespace

int exitCodeFor(const McpError &error)
{
    switch (error.kind) {
    case McpError::Kind::None:
        return ExitOk;
    case McpError::Kind::ConnectionRefused:
    case McpError::Kind::Network:
    case McpError::Kind::Process:
    case McpError::Kind::NotConnected:
        return ExitUnreachable;
    case McpError::Kind::Unauthorized:
    case McpError::Kind::Forbidden:
        return ExitAuth;
    case McpError::Kind::NotFound:
        return ExitNotFound;
    case McpError::Kind::RateLimited:
        return ExitRateLimited;
    case McpError::Kind::Cancelled:
        return ExitInterrupted;
    case McpError::Kind::Rpc:
        // -32602 "Unknown tool: x" from tools/call
        if (error.message.contains(QLatin1String("Unknown tool"), Qt::CaseInsensitive))
            return ExitNotFound;
        return ExitError;
    case McpError::Kind::NotAcceptable:
    case McpError::Kind::HttpStatus:
    case McpError::Kind::Protocol:
    case McpError::Kind::Timeout:
        return ExitError;
    }
    return ExitError;
}

CliApp::CliApp(CliOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
}

CliApp::~CliApp() = default;

bool CliApp::start()
{
    tw::client::McpClientSettings settings;
    settings.apiKey = m_options.apiKey; // empty: MCP_API_KEY from the environment
    settings.clientName = QStringLiteral("tickerwire-cli");
    if (!m_options.conformanceScenario.isEmpty())
        settings.maxResumeAttempts = 3;

    if (!m_options.stdioCommand.isEmpty()) {
        QStringList parts = QProcess::splitCommand(m_options.stdioCommand);
        if (parts.isEmpty()) {
            printError(QStringLiteral("--stdio needs a command"));
            return false;
        }
        const QString program = parts.takeFirst();
        m_client = McpClient::forCommand(program, parts, settings, this);
    } else {
        m_client = new McpClient(QUrl(m_options.url), settings, this);
    }
    connect(m_client, &McpClient::errorOccurred, this, &CliApp::failWith);

    auto *watcher = new core::UnixSignalWatcher(this);
    connect(watcher, &tw::core::UnixSignalWatcher::terminationRequested, this, &CliApp::onInterrupted);

    m_client->connectToServer();
    if (!m_options.conformanceScenario.isEmpty())
        runConformance();
    else if (m_options.command == QLatin1String("tools"))
        runTools();
    else if (m_options.command == QLatin1String("call")) {
        runCall(m_options.args.at(0),
            QJsonDocument::fromJson(m_options.args.at(1).toUtf8()).object());
    } else if (m_options.command == QLatin1String("news"))
        runNews();
    else
        runStream();
    return true;
}

void CliApp::finish(int code)
{
    if (m_finished)
        return;
    m_finished = true;
    QCoreApplication::exit(code);
}

void CliApp::failWith(const McpError &error)
{
    if (m_finished)
        return;
    QString message = error.message;
    if (error.kind == McpError::Kind::RateLimited && error.retryAfterSeconds >= 0
        && !message.contains(QLatin1String("retry"), Qt::CaseInsensitive))
        message += QStringLiteral(" (retry in %1 s)").arg(error.retryAfterSeconds);
    printError(message);
    finish(exitCodeFor(error));
}

bool CliApp::checkResponse(const McpResponse &response)
{
    if (!response.ok()) {
        failWith(response.error);
        return false;
    }
    return true;
}

void CliApp::runTools()
{
    McpCall *call = m_client->request(QStringLiteral("tools/list"));
    connect(call, &McpCall::done, this, [this](const McpResponse &response) {
        if (!checkResponse(response))
            return;
        if (m_options.json) {
            printJson(response.result);
        } else {
            const QJsonArray tools = response.result.value(QStringLiteral("tools")).toArray();
            int width = 4;
            for (const QJsonValue &t : tools)
                width = qMax(width, int(t.toObject().value(QStringLiteral("name")).toString().size()));
            for (const QJsonValue &t : tools) {
                const QJsonObject tool = t.toObject();
                printLine(tool.value(QStringLiteral("name")).toString().leftJustified(width)
                    + QStringLiteral("  ")
                    + tool.value(QStringLiteral("description")).toString().section(QLatin1Char('\n'), 0, 0));
            }
        }
        finish(ExitOk);
    });
}

void CliApp::runCall(const QString &name, const QJsonObject &arguments)
{
    const QJsonObject params { { QStringLiteral("name"), name },
        { QStringLiteral("arguments"), arguments } };
    McpCall *call = m_client->request(QStringLiteral("tools/call"), params);
    connect(call, &McpCall::done, this, [this](const McpResponse &response) {
        if (!checkResponse(response))
            return;
        const bool isError = response.result.value(QStringLiteral("isError")).toBool();
        if (m_options.json) {
            printJson(response.result);
        } else if (!isError) {
            const QJsonValue structured = response.result.value(QStringLiteral("structuredContent"));
            const QString text = firstText(response.result);
            if (!text.isEmpty())
                printLine(text);
            else
                printLine(QString::fromUtf8(QJsonDocument(structured.toObject()).toJson()));
        }
        if (isError) {
            const QString text = firstText(response.result);
            printError(text.isEmpty() ? QStringLiteral("the tool reported an error") : text);
            finish(ExitError);
            return;
        }
        finish(ExitOk);
    });
}

void CliApp::runNews()
{
    const QJsonObject params { { QStringLiteral("name"), QStringLiteral("get_market_news") },
        { QStringLiteral("arguments"),
            QJsonObject { { QStringLiteral("symbol"), m_options.args.at(0).toUpper() },
                { QStringLiteral("limit"), m_options.limit } } } };
    McpCall *call = m_client->request(QStringLiteral("tools/call"), params);
    connect(call, &McpCall::done, this, [this](const McpResponse &response) {
        if (!checkResponse(response))
            return;
        if (response.result.value(QStringLiteral("isError")).toBool()) {
            const QString text = firstText(response.result);
            printError(text.isEmpty() ? QStringLiteral("get_market_news failed") : text);
            finish(ExitError);
            return;
        }
        const QJsonArray array = response.result.value(QStringLiteral("structuredContent"))
                                     .toObject()
                                     .value(QStringLiteral("items"))
                                     .toArray();
        QList<tw::core::NewsItem> items;
        for (const QJsonValue &v : array) {
            if (m_options.json) {
                printJson(v.toObject());
                continue;
            }
            if (std::optional<tw::core::NewsItem> item = tw::core::NewsItem::fromJsonObject(v.toObject()))
                items.append(*item);
        }
        if (!m_options.json) {
            for (const QString &line : formatItems(items))
                printLine(line);
            if (items.isEmpty())
                printLine(QStringLiteral("(no news)"));
        }
        finish(ExitOk);
    });
}

void CliApp::runStream()
{
    QStringList symbols;
    for (const QString &s : std::as_const(m_options.args))
        symbols.append(s.toUpper());
    m_stream = new NewsStreamClient(m_client, this);
    connect(m_stream, &NewsStreamClient::item, this,
        [this](const tw::core::NewsItem &item, qint64) {
            if (m_options.json)
                printJson(item.toJsonObject());
            else
                printLine(formatItem(item));
        });
    connect(m_stream, &NewsStreamClient::finished, this, [this](const QString &reason) {
        const QString summary = QStringLiteral("stream ended (%1): %2 items, %3 heartbeats")
                                    .arg(reason)
                                    .arg(m_stream->itemCount())
                                    .arg(m_stream->heartbeatCount());
        if (m_options.json)
            std::fprintf(stderr, "%s\n", summary.toUtf8().constData());
        else
            printLine(summary);
        if (!m_interrupted) {
            finish(ExitOk);
            return;
        }
        // The cancel notification is out; end the session politely, then leave.
        connect(m_client, &McpClient::closed, this, [this] { finish(ExitInterrupted); });
        m_client->close();
    });
    connect(m_stream, &NewsStreamClient::error, this, [this](const QString &message) {
        const McpError last = m_client->lastError();
        if (last.isError()) {
            failWith(last);
            return;
        }
        printError(message);
        finish(ExitError);
    });
    m_stream->start(symbols, m_options.keywords, m_options.intervalMs, m_options.durationMs);
}

void CliApp::onInterrupted()
{
    if (m_interrupted) { // a second Ctrl-C: leave now
        finish(ExitInterrupted);
        return;
    }
    m_interrupted = true;
    printError(QStringLiteral("interrupted; cancelling"));
    QTimer::singleShot(kInterruptGraceMs, this, [this] { finish(ExitInterrupted); });
    if (m_stream && m_stream->isActive())
        m_stream->stop();
    else
        finish(ExitInterrupted);
}

// The official conformance suite's client scenarios (initialize, tools_call, sse-retry): list
// the tools and call each one the scenario offers (add_numbers with numbers; tools without
// required arguments with none), then end the session.
void CliApp::runConformance()
{
    McpCall *list = m_client->request(QStringLiteral("tools/list"));
    connect(list, &McpCall::done, this, [this](const McpResponse &response) {
        if (!checkResponse(response))
            return;
        auto pending = std::make_shared<int>(0);
        auto done = [this, pending] {
            if (--*pending > 0)
                return;
            connect(m_client, &McpClient::closed, this, [this] { finish(ExitOk); });
            QTimer::singleShot(kInterruptGraceMs, this, [this] { finish(ExitOk); });
            m_client->close();
        };
        const QJsonArray tools = response.result.value(QStringLiteral("tools")).toArray();
        QList<QJsonObject> calls;
        for (const QJsonValue &t : tools) {
            const QJsonObject tool = t.toObject();
            const QString name = tool.value(QStringLiteral("name")).toString();
            const QJsonObject schema = tool.value(QStringLiteral("inputSchema")).toObject();
            QJsonObject args;
            if (name == QLatin1String("add_numbers"))
                args = QJsonObject { { QStringLiteral("a"), 5 }, { QStringLiteral("b"), 3 } };
            else if (!schema.value(QStringLiteral("required")).toArray().isEmpty())
                continue;
            calls.append(QJsonObject { { QStringLiteral("name"), name },
                { QStringLiteral("arguments"), args } });
        }
        *pending = int(calls.size()) + 1;
        for (const QJsonObject &params : std::as_const(calls)) {
            McpCall *call = m_client->request(QStringLiteral("tools/call"), params);
            connect(call, &McpCall::done, this, [this, done](const McpResponse &r) {
                if (!r.ok())
                    printError(r.error.message);
                else
                    printJson(r.result);
                done();
            });
        }
        done();
    });
}

} // namespace tw::cli
