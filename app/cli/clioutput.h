// Output of tickerwire-cli: aligned human columns (local HH:MM:SS, tickers, headline,
// source, "+N sources") or one compact JSON object per line. Writes to stdout, flushed.
#pragma once

#include "newsitem.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace tw::cli {

// One human line per item; `fixedWidths` (streams) pads to set widths instead of measuring.
QStringList formatItems(const QList<tw::core::NewsItem> &items, bool fixedWidths = false);
QString formatItem(const tw::core::NewsItem &item); // fixed widths

void printLine(const QString &line); // stdout + newline, flushed
void printJson(const QJsonObject &object); // compact, one line
void printError(const QString &message); // stderr, "tickerwire-cli: " prefix
void printRaw(const char *text); // stdout, no newline, flushed

} // namespace tw::cli
