#include "newsfilterproxy.h"

#include "newsmodel.h"

#include <algorithm>

namespace tw::ui {

NewsFilterProxy::NewsFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    // Rows re-filter when their data changes (read state, alert flag, a grouped update).
    setDynamicSortFilter(true);
}

NewsFilterProxy::~NewsFilterProxy() = default;

void NewsFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    auto *newsModel = qobject_cast<NewsModel *>(model);
    Q_ASSERT_X(
        !model || newsModel, "NewsFilterProxy::setSourceModel", "the source must be a NewsModel");
    m_model = newsModel;
    QSortFilterProxyModel::setSourceModel(newsModel);
    if (m_model)
        connect(m_model, &NewsModel::sourcesChanged, this, &NewsFilterProxy::sourcesChanged);
    Q_EMIT sourcesChanged();
}

void NewsFilterProxy::setFilterText(const QString &text)
{
    if (text == m_filterText)
        return;
    m_filterText = text;
    QVector<Term> terms;
    const QStringList words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &raw : words) {
        const QString &word = raw;
        Term term;
        if (word.startsWith(QLatin1Char('$'))) {
            term.tickerOnly = true;
            term.text = word.mid(1);
        } else if (word.startsWith(QLatin1String("ticker:"), Qt::CaseInsensitive)) {
            term.tickerOnly = true;
            term.text = word.mid(7);
        } else {
            term.text = word;
        }
        if (term.text.isEmpty())
            continue; // a lone "$" while typing: no constraint yet
        if (term.tickerOnly)
            term.text = term.text.toUpper();
        terms.append(term);
    }
    m_terms = terms;
    invalidateFilter();
    Q_EMIT filterChanged();
}

void NewsFilterProxy::setSourceFilter(const QString &source)
{
    if (source == m_sourceFilter)
        return;
    m_sourceFilter = source;
    invalidateFilter();
    Q_EMIT filterChanged();
}

void NewsFilterProxy::setOnlyAlerts(bool only)
{
    if (only == m_onlyAlerts)
        return;
    m_onlyAlerts = only;
    invalidateFilter();
    Q_EMIT filterChanged();
}

bool NewsFilterProxy::isFiltering() const
{
    return !m_terms.isEmpty() || !m_sourceFilter.isEmpty() || m_onlyAlerts;
}

QStringList NewsFilterProxy::sources() const
{
    if (!m_model)
        return QStringList();
    QStringList list = m_model->sources();
    std::sort(list.begin(), list.end(), [](const QString &a, const QString &b) {
        const int folded = a.compare(b, Qt::CaseInsensitive);
        return folded != 0 ? folded < 0 : a < b;
    });
    return list;
}

int NewsFilterProxy::sourceRow(int proxyRow) const
{
    if (proxyRow < 0 || proxyRow >= rowCount())
        return -1;
    return mapToSource(index(proxyRow, 0)).row();
}

void NewsFilterProxy::sort(int column, Qt::SortOrder order)
{
    Q_UNUSED(column)
    Q_UNUSED(order)
}

bool NewsFilterProxy::acceptsItem(const core::NewsItem &item, bool alert) const
{
    if (m_onlyAlerts && !alert)
        return false;
    if (!m_sourceFilter.isEmpty() && item.source.compare(m_sourceFilter, Qt::CaseInsensitive) != 0)
        return false;
    for (const Term &term : m_terms) {
        bool matched = false;
        for (const QString &symbol : item.symbols) {
            if (symbol.compare(term.text, Qt::CaseInsensitive) == 0) {
                matched = true;
                break;
            }
        }
        if (!matched && !term.tickerOnly) {
            matched = item.headline.contains(term.text, Qt::CaseInsensitive)
                || item.source.contains(term.text, Qt::CaseInsensitive);
        }
        if (!matched)
            return false;
    }
    return true;
}

bool NewsFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid() || !m_model)
        return false;
    if (!isFiltering())
        return true;
    return acceptsItem(m_model->itemAt(sourceRow), m_model->isAlert(sourceRow));
}

} // namespace tw::ui
