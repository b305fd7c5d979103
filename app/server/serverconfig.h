// Everything tickerwire-server can be told, with the defaults in one place (the member
// initialisers here and in HttpLimits / SecurityConfig), and the one table that maps each
// setting onto its command-line option, environment variable and config-file key.
#pragma once

#include "demoprovider.h"
#include "httplimits.h"
#include "mcpsettings.h"
#include "newshub.h"
#include "providersettings.h"
#include "securityconfig.h"
#include "streamablehttpsettings.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace tw::server {

struct ServerConfig {
    QString host = QStringLiteral("127.0.0.1");
    int port = 8750;
    QString tlsCertFile;
    QString tlsKeyFile;
    QString apiKeyFile;
    http::HttpLimits limits;
    http::SecurityConfig security;
    mcp::McpSettings mcp; // the protocol engine (streaming capability, request grace period)
    mcp::StreamableHttpSettings mcpHttp; // the /mcp transport (sessions, event store, SSE)
    // Speak MCP over stdin/stdout instead of listening (for clients that launch servers).
    bool stdio = false;
    // News: which providers feed the hub ("demo" and/or networkProviderIds()), in order.
    QStringList newsProviders { QStringLiteral("demo") };
    news::DemoProviderSettings demo; // --demo-rate, --demo-seed
    news::ProviderSettings news; // keys, EDGAR user agent, RSS templates (enabled: from newsProviders)
    news::NewsHubSettings newsHub; // ring sizes
};

// One setting. Each is read, in increasing precedence, from the config file (INI key
// `group/key`), the environment (env, then aliases) and the command line (--option).
struct SettingSpec {
    enum class Kind { Value, List, Flag };
    QString option; // "port" -> --port
    QString iniKey; // "server/port"
    QStringList env; // "TICKERWIRE_PORT"; the seed's names (MCP_API_KEYS, ...) also accepted
    QString valueName; // "PORT" in --help
    QString help;
    Kind kind = Kind::Value;
    // Applies one textual value (for List: one element) and returns an error message or "".
    std::function<QString(ServerConfig &, const QString &)> apply;
};

const std::vector<SettingSpec> &settingSpecs();

// Values given on the command line, by option name (main() fills it from QCommandLineParser).
using CommandLineValues = std::vector<std::pair<QString, QStringList>>;

struct ConfigResult {
    ServerConfig config;
    QString error; // non-empty: what is wrong and where it came from
    QStringList notes; // non-fatal remarks worth logging at start-up (never secrets)
};

// defaults < config file < environment < command line. `configFile` may be empty (then
// TICKERWIRE_CONFIG is used if set).
ConfigResult loadServerConfig(const CommandLineValues &commandLine, const QProcessEnvironment &env,
    QString configFile = {});

} // namespace tw::server
