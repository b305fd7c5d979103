#include "clioutput.h"

#include <QDateTime>
#include <QJsonDocument>

#include <cstdio>

namespace tw::cli {

namespace {
constexpr int kTickerWidth = 10;
constexpr int kHeadlineMax = 90;

QString timeOf(const tw::core::NewsItem &item)
{
    const qint64 ms = item.publishedAtMs > 0 ? item.publishedAtMs : item.receivedAtMs;
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("HH:mm:ss"));
}

QString headlineOf(const tw::core::NewsItem &item)
{
    QString h = item.headline.simplified();
    if (h.size() > kHeadlineMax)
        h = h.left(kHeadlineMax - 3) + QStringLiteral("...");
    return h;
}

QString sourceOf(const tw::core::NewsItem &item)
{
    QString s = item.source;
    if (!item.otherSources.isEmpty())
        s += QStringLiteral(" +%1 sources").arg(item.otherSources.size());
    return s;
}

QString line(const tw::core::NewsItem &item, int tickerWidth, int headlineWidth)
{
    return timeOf(item) + QStringLiteral("  ")
        + item.symbols.join(QLatin1Char(',')).leftJustified(tickerWidth) + QStringLiteral("  ")
        + headlineOf(item).leftJustified(headlineWidth) + QStringLiteral("  ") + sourceOf(item);
}
} // namespace

QStringList formatItems(const QList<tw::core::NewsItem> &items, bool fixedWidths)
{
    int tw = kTickerWidth;
    int hw = kHeadlineMax;
    if (!fixedWidths) {
        tw = 6;
        hw = 8;
        for (const tw::core::NewsItem &item : items) {
            tw = qMax(tw, int(item.symbols.join(QLatin1Char(',')).size()));
            hw = qMax(hw, int(headlineOf(item).size()));
        }
    }
    QStringList out;
    for (const tw::core::NewsItem &item : items)
        out.append(line(item, tw, hw));
    return out;
}

QString formatItem(const tw::core::NewsItem &item)
{
    return line(item, kTickerWidth, kHeadlineMax);
}

void printLine(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void printJson(const QJsonObject &object)
{
    const QByteArray bytes = QJsonDocument(object).toJson(QJsonDocument::Compact);
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void printError(const QString &message)
{
    std::fprintf(stderr, "tickerwire-cli: %s\n", message.toUtf8().constData());
    std::fflush(stderr);
}

void printRaw(const char *text)
{
    std::fputs(text, stdout);
    std::fflush(stdout);
}

} // namespace tw::cli
