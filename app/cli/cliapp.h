// tickerwire-cli's commands (tools, call, news, stream) over one McpClient, and the exit
// codes scripts can trust. Finishes with QCoreApplication::exit(code) exactly once.
#pragma once

#include "mcperror.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

namespace tw::client {
class McpClient;
class NewsStreamClient;
struct McpResponse;
} // namespace tw::client

namespace tw::cli {

enum ExitCode {
    ExitOk = 0,
    ExitError = 1, // tool error (isError) or protocol error
    ExitUsage = 2,
    ExitUnreachable = 3, // connection refused / unreachable / stdio child failed
    ExitAuth = 4, // 401 / 403
    ExitNotFound = 5, // 404, unknown tool
    ExitRateLimited = 6, // 429
    ExitInterrupted = 130,
};

int exitCodeFor(const tw::client::McpError &error);

struct CliOptions {
    QString url;
    QString stdioCommand; // non-empty: --stdio
    QByteArray apiKey;
    bool json = false;
    QString command; // tools, call, news, stream
    QStringList args; // the command's positional arguments
    int limit = 20;
    int intervalMs = 0;
    int durationMs = 0;
    QStringList keywords;
    QString conformanceScenario; // MCP_CONFORMANCE_SCENARIO: the conformance client mode
};

class CliApp : public QObject {
    Q_OBJECT
public:
    explicit CliApp(CliOptions options, QObject *parent = nullptr);
    ~CliApp() override;

    // Connects and runs the command; false (with a message printed) when it cannot start.
    bool start();

private:
    void runTools();
    void runCall(const QString &name, const QJsonObject &arguments);
    void runNews();
    void runStream();
    void runConformance();
    void onInterrupted();
    void failWith(const tw::client::McpError &error);
    bool checkResponse(const tw::client::McpResponse &response); // false: finished with error
    void finish(int code);

    CliOptions m_options;
    tw::client::McpClient *m_client = nullptr;
    QPointer<tw::client::NewsStreamClient> m_stream;
    bool m_finished = false;
    bool m_interrupted = false;
};

} // namespace tw::cli
