// The demo provider's fictional corpus (resources/news/demo-corpus.json): companies, sources,
// analyst firms, regulators and headline/summary templates per category. Read-only data; the
// DemoProvider decides what to do with it.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace tw::news {

class DemoCorpus {
public:
    struct Company {
        QString name;
        QString shortName;
        QString sector;
        QStringList products;
        QString executive;
    };
    struct Category {
        QString name; // "earnings", "analyst", ...
        QStringList headlines; // templates with {slots}
        QStringList summaries;
    };

    // Parses the JSON form; on failure returns an empty corpus and `error` names the field.
    static DemoCorpus fromJson(const QByteArray &json, QString *error = nullptr);
    // The corpus embedded in tw_news (":/news/demo-corpus.json").
    static const DemoCorpus &builtIn();

    bool isValid() const { return !m_companies.isEmpty() && !m_categories.isEmpty() && !m_sources.isEmpty(); }
    const QList<Company> &companies() const { return m_companies; }
    const QList<Category> &categories() const { return m_categories; }
    const Category *category(const QString &name) const;
    const QStringList &sources() const { return m_sources; }
    const QStringList &analystFirms() const { return m_firms; }
    const QStringList &regulators() const { return m_regulators; }
    const QStringList &cities() const { return m_cities; }
    const QStringList &indicators() const { return m_indicators; }
    QStringList sectorSegments(const QString &sector) const { return m_sectorSegments.value(sector); }
    // Indices into companies() of one sector, in corpus order.
    QList<int> companiesInSector(const QString &sector) const { return m_bySector.value(sector); }

private:
    QList<Company> m_companies;
    QList<Category> m_categories;
    QStringList m_sources;
    QStringList m_firms;
    QStringList m_regulators;
    QStringList m_cities;
    QStringList m_indicators;
    QHash<QString, QStringList> m_sectorSegments;
    QHash<QString, QList<int>> m_bySector;
};

} // namespace tw::news
