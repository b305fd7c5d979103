#include "logging.h"

Q_LOGGING_CATEGORY(lcHttp, "tickerwire.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSse, "tickerwire.sse", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSecurity, "tickerwire.security", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServer, "tickerwire.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMcp, "tickerwire.mcp", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNews, "tickerwire.news", QtInfoMsg)
Q_LOGGING_CATEGORY(lcClient, "tickerwire.client", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "tickerwire.ui", QtInfoMsg)

namespace tw::core {

void installLogFormat()
{
    qSetMessagePattern(QStringLiteral(
        "%{time yyyy-MM-ddTHH:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info %{endif}"
        "%{if-warning}warn %{endif}%{if-critical}error%{endif}%{if-fatal}fatal%{endif} "
        "%{category}: %{message}"));
}

} // namespace tw::core
