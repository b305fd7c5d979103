// One logging category per subsystem (STYLE.md), switched with QT_LOGGING_RULES, e.g.
//   QT_LOGGING_RULES="tickerwire.http.debug=true"
// Never log secrets (API keys, Authorization headers) or whole request bodies.
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcHttp) // tickerwire.http
Q_DECLARE_LOGGING_CATEGORY(lcSse) // tickerwire.sse
Q_DECLARE_LOGGING_CATEGORY(lcSecurity) // tickerwire.security
Q_DECLARE_LOGGING_CATEGORY(lcServer) // tickerwire.server
Q_DECLARE_LOGGING_CATEGORY(lcMcp) // tickerwire.mcp
Q_DECLARE_LOGGING_CATEGORY(lcNews) // tickerwire.news
Q_DECLARE_LOGGING_CATEGORY(lcClient) // tickerwire.client
Q_DECLARE_LOGGING_CATEGORY(lcUi) // tickerwire.ui

namespace tw::core {
// Installs the message pattern used by all Tickerwire programs (time, level, category), on stderr.
void installLogFormat();
}
