// Filters the news list without reordering it: free text (every whitespace-separated term
// must match the headline, the source or a ticker; "$TSLA" or "ticker:TSLA" matches only
// that ticker exactly), one source, and "only alerts". Reads rows straight from NewsModel
// (no QVariant or string building per row), so filtering 100,000 rows stays cheap.
#pragma once

#include <QSortFilterProxyModel>
#include <QString>
#include <QStringList>
#include <QVector>

namespace tw::core {
struct NewsItem;
}

namespace tw::ui {

class NewsModel;

class NewsFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit NewsFilterProxy(QObject *parent = nullptr);
    ~NewsFilterProxy() override;

    // Must be a NewsModel (or null).
    void setSourceModel(QAbstractItemModel *model) override;
    NewsModel *newsModel() const { return m_model; }

    void setFilterText(const QString &text);
    QString filterText() const { return m_filterText; }
    void setSourceFilter(const QString &source); // empty = all sources
    QString sourceFilter() const { return m_sourceFilter; }
    void setOnlyAlerts(bool only);
    bool onlyAlerts() const { return m_onlyAlerts; }
    bool isFiltering() const;

    // The source model's distinct sources, sorted case-insensitively (for the source combo).
    QStringList sources() const;

    // Row of the NewsModel behind a proxy row (-1 when out of range).
    int sourceRow(int proxyRow) const;

    // No sorting: the list keeps the model's newest-first order.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    bool acceptsItem(const core::NewsItem &item, bool alert) const;

Q_SIGNALS:
    void sourcesChanged();
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    struct Term {
        QString text;
        bool tickerOnly = false;
    };

    NewsModel *m_model = nullptr;
    QString m_filterText;
    QVector<Term> m_terms;
    QString m_sourceFilter;
    bool m_onlyAlerts = false;
};

} // namespace tw::ui
