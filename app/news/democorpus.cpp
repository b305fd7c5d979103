#include "democorpus.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

static void twInitDemoCorpusResources()
{
    Q_INIT_RESOURCE(news); // tw_news is static: make sure the linker keeps the resources
}

namespace tw::news {

namespace {

QStringList stringList(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &s : v.toArray()) {
        if (s.isString() && !s.toString().isEmpty())
            out.append(s.toString());
    }
    return out;
}

} // namespace

DemoCorpus DemoCorpus::fromJson(const QByteArray &json, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return DemoCorpus();
    };
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (!doc.isObject())
        return fail(QStringLiteral("corpus: not a JSON object (%1)").arg(parseError.errorString()));
    const QJsonObject root = doc.object();
    DemoCorpus c;
    const QJsonObject sectors = root.value(QLatin1String("sectors")).toObject();
    for (auto it = sectors.begin(); it != sectors.end(); ++it)
        c.m_sectorSegments.insert(it.key(), stringList(it.value()));
    const QJsonArray companies = root.value(QLatin1String("companies")).toArray();
    for (const QJsonValue &v : companies) {
        const QJsonObject o = v.toObject();
        Company co;
        co.name = o.value(QLatin1String("name")).toString();
        co.shortName = o.value(QLatin1String("short")).toString(co.name);
        co.sector = o.value(QLatin1String("sector")).toString();
        co.products = stringList(o.value(QLatin1String("products")));
        co.executive = o.value(QLatin1String("executive")).toString();
        if (co.name.isEmpty() || co.products.isEmpty() || !c.m_sectorSegments.contains(co.sector))
            return fail(QStringLiteral("companies[%1]: needs name, products and a known sector").arg(c.m_companies.size()));
        c.m_bySector[co.sector].append(int(c.m_companies.size()));
        c.m_companies.append(co);
    }
    c.m_sources = stringList(root.value(QLatin1String("sources")));
    c.m_firms = stringList(root.value(QLatin1String("analystFirms")));
    c.m_regulators = stringList(root.value(QLatin1String("regulators")));
    c.m_cities = stringList(root.value(QLatin1String("cities")));
    c.m_indicators = stringList(root.value(QLatin1String("indicators")));
    const QJsonObject categories = root.value(QLatin1String("categories")).toObject();
    for (auto it = categories.begin(); it != categories.end(); ++it) {
        Category cat;
        cat.name = it.key();
        cat.headlines = stringList(it.value().toObject().value(QLatin1String("headlines")));
        cat.summaries = stringList(it.value().toObject().value(QLatin1String("summaries")));
        if (cat.headlines.isEmpty() || cat.summaries.isEmpty())
            return fail(QStringLiteral("categories.%1: needs headlines and summaries").arg(cat.name));
        c.m_categories.append(cat);
    }
    if (c.m_companies.isEmpty())
        return fail(QStringLiteral("companies: empty"));
    if (c.m_categories.isEmpty())
        return fail(QStringLiteral("categories: empty"));
    if (c.m_sources.isEmpty())
        return fail(QStringLiteral("sources: empty"));
    if (c.m_firms.isEmpty() || c.m_regulators.isEmpty() || c.m_cities.isEmpty() || c.m_indicators.isEmpty())
        return fail(QStringLiteral("analystFirms, regulators, cities, indicators: each needs entries"));
    return c;
}

const DemoCorpus &DemoCorpus::builtIn()
{
    static const DemoCorpus corpus = [] {
        twInitDemoCorpusResources();
        QFile file(QStringLiteral(":/news/demo-corpus.json"));
        if (!file.open(QIODevice::ReadOnly))
            return DemoCorpus();
        return fromJson(file.readAll());
    }();
    return corpus;
}

const DemoCorpus::Category *DemoCorpus::category(const QString &name) const
{
    for (const Category &c : m_categories) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

} // namespace tw::news
