// The network providers against a local fixture server (the project's own HttpServer on
// 127.0.0.1 port 0, serving the canned files in tests/data/news): conditional GET and 304,
// 429/503 + Retry-After, backoff on 500 with the reason in health, garbage and other
// providers unaffected, the shared per-host budget, timeouts, the size cap, EDGAR's
// User-Agent rule, Alpha Vantage's 200-with-a-Note throttling, keys kept out of health, and
// waits counted on the monotonic clock (a wall clock set back an hour delays nothing).
// Nothing here touches the internet. Timing is asserted through the schedule the provider
// reports (health().nextPollMs), never through wall-clock durations.
#include "alphavantageprovider.h"
#include "feedtext.h"
#include "finnhubprovider.h"
#include "hostbudget.h"
#include "httpresponder.h"
#include "httpserver.h"
#include "metrics.h"
#include "polygonprovider.h"
#include "providerfactory.h"
#include "rssprovider.h"
#include "secedgarprovider.h"

#include <QDateTime>
#include <QFile>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using tw::http::HttpResponder;
using tw::http::HttpResponse;
using tw::http::HttpServer;
using tw::news::HostBudget;
using tw::news::NewsProvider;
using tw::news::PollingSettings;
using tw::news::ProviderHealth;

namespace {

constexpr int kWaitMs = 5000;

QByteArray fixture(const char *name)
{
    QFile f(QStringLiteral(TW_TEST_DATA_DIR "/news/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", name);
    return f.readAll();
}

qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }

// Settings that keep a provider quiet unless a test wants it to poll again.
PollingSettings quietSettings()
{
    PollingSettings s;
    s.intervalMs = 600000;
    s.timeoutMs = 3000;
    s.backoffInitialMs = 600000;
    s.backoffMaxMs = 3600000;
    return s;
}

struct SeenRequest {
    QByteArray path;
    QByteArray query;
    tw::http::HttpHeaders headers;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first == name)
                return h.second;
        }
        return {};
    }
};

// Canned feeds with the behaviours the etiquette must handle. Every request is recorded.
class FeedFixtureServer {
public:
    FeedFixtureServer()
        : server(limits(), &metrics)
    {
        const tw::http::RouteTraits open { false, false, false };
        auto add = [&](const char *path, std::function<void(HttpResponder *)> handler) {
            server.router().add(QByteArrayLiteral("GET"), QByteArray(path), open, [this, handler](HttpResponder *r) {
                requests.append(SeenRequest { r->request().path, r->request().query, r->request().headers });
                if (onRequest)
                    onRequest(requests.constLast());
                handler(r);
            });
        };
        // A feed with validators: If-None-Match / If-Modified-Since that match get a 304.
        add("/rss", [](HttpResponder *r) {
            const QByteArray etag = QByteArrayLiteral("\"rss-v1\"");
            const QByteArray modified = QByteArrayLiteral("Fri, 01 Nov 2024 14:00:00 GMT");
            if (r->request().header("if-none-match") == etag) {
                HttpResponse notModified;
                notModified.status = 304;
                notModified.setHeader("etag", etag);
                r->respond(notModified);
                return;
            }
            HttpResponse ok = HttpResponse::text(200, fixture("rss_valid.xml"), "application/rss+xml");
            ok.setHeader("etag", etag);
            ok.setHeader("last-modified", modified);
            r->respond(ok);
        });
        add("/atom", [](HttpResponder *r) { r->respond(HttpResponse::text(200, fixture("atom_valid.xml"), "application/atom+xml")); });
        add("/edgar", [](HttpResponder *r) { r->respond(HttpResponse::text(200, fixture("edgar_atom.xml"), "application/atom+xml")); });
        add("/garbage", [](HttpResponder *r) { r->respond(HttpResponse::text(200, fixture("garbage.bin"), "application/rss+xml")); });
        // /status?code=429&retry=120 (or retry=date300: an HTTP-date 300 s ahead)
        add("/status", [](HttpResponder *r) {
            const int code = r->request().queryItem("code").toInt();
            HttpResponse response = HttpResponse::text(code, "status " + QByteArray::number(code), "text/plain");
            const QByteArray retry = r->request().queryItem("retry");
            if (retry == "date300")
                response.setHeader("retry-after", tw::news::feedtext::formatHttpDate(now() + 300000));
            else if (!retry.isEmpty())
                response.setHeader("retry-after", retry);
            r->respond(response);
        });
        // 429 with Retry-After: 2 to the first request, the Atom fixture to every other.
        add("/limited-once", [this](HttpResponder *r) {
            if (limitedOnceServed) {
                r->respond(HttpResponse::text(200, fixture("atom_valid.xml"), "application/atom+xml"));
                return;
            }
            limitedOnceServed = true;
            HttpResponse limited = HttpResponse::text(429, "slow down", "text/plain");
            limited.setHeader("retry-after", "2");
            r->respond(limited);
        });
        // Answers 500 until `flakyHealed` is set, then serves the RSS fixture.
        add("/flaky", [this](HttpResponder *r) {
            r->respond(flakyHealed ? HttpResponse::text(200, fixture("rss_valid.xml"), "application/rss+xml")
                                   : HttpResponse::text(500, "oops", "text/plain"));
        });
        // Never answers (the responder is kept so the connection stays open).
        add("/slow", [this](HttpResponder *r) { stalled.append(QPointer<HttpResponder>(r)); });
        // Redirects to itself for ever.
        add("/loop", [](HttpResponder *r) {
            HttpResponse redirect = HttpResponse::text(302, "again", "text/plain");
            redirect.setHeader("location", "/loop?" + r->request().query);
            r->respond(redirect);
        });
        add("/huge", [](HttpResponder *r) { r->respond(HttpResponse::text(200, QByteArray(1024 * 1024, 'x'), "application/rss+xml")); });
        // Chunked, no Content-Length: the cap must hold while the body streams in.
        add("/hugestream", [](HttpResponder *r) {
            if (!r->beginStream(200, { { "content-type", "application/rss+xml" } }))
                return;
            const QByteArray piece(16 * 1024, 'y');
            for (int i = 0; i < 64 && r->write(piece); ++i) { }
            r->endStream();
        });
        add("/finnhub/company-news", [](HttpResponder *r) {
            r->respond(HttpResponse::text(200, fixture("finnhub_company_news.json"), "application/json"));
        });
        add("/finnhub-down/company-news", [](HttpResponder *r) {
            r->respond(HttpResponse::text(401, fixture("finnhub_error.json"), "application/json"));
        });
        add("/alphavantage", [](HttpResponder *r) {
            r->respond(HttpResponse::text(200, fixture("alphavantage_note.json"), "application/json"));
        });
        add("/polygon/v2/reference/news", [](HttpResponder *r) {
            r->respond(HttpResponse::text(200, fixture("polygon_reference_news.json"), "application/json"));
        });
    }

    static tw::http::HttpLimits limits()
    {
        tw::http::HttpLimits l;
        l.streamBufferBytes = 16 * 1024 * 1024; // /hugestream queues its whole body at once
        return l;
    }
    bool listen() { return server.listen(QHostAddress::LocalHost, 0); }
    QString url(const char *pathAndQuery) const { return server.baseUrl() + QLatin1String(pathAndQuery); }
    int count(const QByteArray &path) const
    {
        int n = 0;
        for (const SeenRequest &r : requests)
            n += r.path == path ? 1 : 0;
        return n;
    }
    QList<SeenRequest> to(const QByteArray &path) const
    {
        QList<SeenRequest> out;
        for (const SeenRequest &r : requests) {
            if (r.path == path)
                out.append(r);
        }
        return out;
    }

    tw::core::MetricsRegistry metrics;
    HttpServer server;
    QList<SeenRequest> requests;
    QList<QPointer<HttpResponder>> stalled;
    bool flakyHealed = false;
    bool limitedOnceServed = false;
    std::function<void(const SeenRequest &)> onRequest; // called as each request arrives
};

QString describe(const NewsProvider &p)
{
    const ProviderHealth &h = p.health();
    return QStringLiteral("%1: state=%2 fetches=%3 failures=%4 lastError='%5'")
        .arg(p.id())
        .arg(ProviderHealth::stateName(h.state))
        .arg(h.fetches)
        .arg(h.failures)
        .arg(h.lastError);
}

} // namespace

class tst_NewsProviders : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void conditionalGetGets304AndDeliversNothingNew();
    void retryAfterIsHonoured_data();
    void retryAfterIsHonoured();
    void serverErrorsBackOffAndSayWhy();
    void garbageIsAHealthErrorAndOthersKeepWorking();
    void perHostBudgetIsSharedAcrossProviders();
    void wallClockSetBackDoesNotHoldTheHostBudget();
    void wallClockJumpsDoNotMoveARateLimit();
    void stalledResponseTimesOut();
    void stopAbandonsAnInFlightRequest();
    void redirectLoopIsCut();
    void oversizedResponseIsAborted_data();
    void oversizedResponseIsAborted();
    void edgarRefusesWithoutUserAgentAndSendsIt();
    void alphaVantageNoteIsRateLimited();
    void jsonProvidersDeliverAndKeepKeysOutOfHealth();
    void factoryBuildsNamedProvidersAndDisablesUnconfiguredOnes();

private:
    std::unique_ptr<FeedFixtureServer> m_fixture;
};

void tst_NewsProviders::init()
{
    m_fixture = std::make_unique<FeedFixtureServer>();
    QVERIFY(m_fixture->listen());
}

void tst_NewsProviders::cleanup()
{
    m_fixture.reset();
}

void tst_NewsProviders::conditionalGetGets304AndDeliversNothingNew()
{
    PollingSettings s = quietSettings();
    s.intervalMs = 100;
    tw::news::RssProvider rss({ m_fixture->url("/rss?s={symbol}") }, s, nullptr);
    QSignalSpy items(&rss, &NewsProvider::itemsReady);
    rss.setSymbols({ QStringLiteral("NWND") });
    rss.start();

    QTRY_COMPARE_WITH_TIMEOUT(items.count(), 1, kWaitMs);
    QCOMPARE(items.at(0).at(0).value<QList<tw::core::NewsItem>>().size(), 3);
    QTRY_VERIFY_WITH_TIMEOUT(rss.health().fetches >= 3, kWaitMs);

    const QList<SeenRequest> seen = m_fixture->to("/rss");
    QVERIFY(seen.size() >= 3);
    QCOMPARE(seen.at(0).query, QByteArray("s=NWND"));
    QVERIFY(seen.at(0).header("if-none-match").isEmpty());
    QCOMPARE(seen.at(1).header("if-none-match"), QByteArray("\"rss-v1\""));
    QCOMPARE(seen.at(1).header("if-modified-since"), QByteArray("Fri, 01 Nov 2024 14:00:00 GMT"));
    QVERIFY(seen.at(1).header("user-agent").startsWith("Tickerwire/"));
    QCOMPARE(items.count(), 1); // the 304s delivered nothing
    QCOMPARE(rss.health().state, ProviderHealth::State::Ok);
    QVERIFY(rss.health().lastError.isEmpty());
    QCOMPARE(rss.health().itemsDelivered, quint64(3));
    QCOMPARE(rss.health().failures, quint64(0));
}

void tst_NewsProviders::retryAfterIsHonoured_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<qint64>("minimumDelayMs");
    QTest::newRow("429 seconds") << QByteArray("/status?code=429&retry=120") << qint64(120000);
    QTest::newRow("429 http-date") << QByteArray("/status?code=429&retry=date300") << qint64(299000); // date has 1 s resolution
    QTest::newRow("503 seconds") << QByteArray("/status?code=503&retry=45") << qint64(45000);
}

void tst_NewsProviders::retryAfterIsHonoured()
{
    QFETCH(QByteArray, path);
    QFETCH(qint64, minimumDelayMs);
    PollingSettings s = quietSettings();
    s.intervalMs = 50; // would poll again at once if Retry-After were ignored
    s.backoffInitialMs = 50;
    // Two symbols on one host: the 429 on the first must stop the second request too.
    tw::news::RssProvider rss({ m_fixture->url(path.constData()) + QStringLiteral("&s={symbol}") }, s, nullptr);
    rss.setSymbols({ QStringLiteral("NWND"), QStringLiteral("ACME") });
    const qint64 before = now();
    rss.start();

    QTRY_COMPARE_WITH_TIMEOUT(rss.health().failures, quint64(1), kWaitMs);
    QVERIFY2(rss.health().nextPollMs >= before + minimumDelayMs, qPrintable(describe(rss)));
    QVERIFY2(rss.health().nextPollMs <= now() + minimumDelayMs + 2000, qPrintable(describe(rss)));
    QCOMPARE(rss.health().state, ProviderHealth::State::Degraded);
    QVERIFY2(rss.health().lastError.startsWith(QLatin1String("rate limited until ")), qPrintable(describe(rss)));
    QVERIFY2(rss.health().lastError.contains(QLatin1String(" from 127.0.0.1")), qPrintable(describe(rss)));
    // Nothing more goes out meanwhile (a 50 ms interval would have sent several).
    QTest::qWait(300);
    QCOMPARE(m_fixture->count("/status"), 1);
}

void tst_NewsProviders::serverErrorsBackOffAndSayWhy()
{
    PollingSettings s = quietSettings();
    s.intervalMs = 600000;
    s.backoffInitialMs = 40;
    s.backoffMaxMs = 60000;
    tw::news::RssProvider rss({ m_fixture->url("/flaky?s={symbol}") }, s, nullptr);
    QList<qint64> delays; // scheduled delay after each failed cycle
    connect(&rss, &NewsProvider::healthChanged, this, [&] {
        const ProviderHealth &h = rss.health();
        if (h.state == ProviderHealth::State::Failing && h.failures > quint64(delays.size()))
            delays.append(h.nextPollMs - h.lastFetchMs);
    });
    rss.setSymbols({ QStringLiteral("NWND") });
    rss.start();

    QTRY_VERIFY_WITH_TIMEOUT(delays.size() >= 4, kWaitMs);
    QCOMPARE(rss.health().state, ProviderHealth::State::Failing);
    QCOMPARE(rss.health().lastError, QStringLiteral("HTTP 500 from 127.0.0.1"));
    for (int i = 1; i < 4; ++i)
        QVERIFY2(delays.at(i) > delays.at(i - 1), qPrintable(QStringLiteral("delays not growing: %1, %2").arg(delays.at(i - 1)).arg(delays.at(i))));
    QVERIFY2(delays.at(0) >= 32 && delays.at(0) <= 48 + 50, qPrintable(QString::number(delays.at(0)))); // 40 ms +- 20 % (+ scheduling slack)

    // The server recovers: one good cycle clears the error and the normal interval returns.
    QSignalSpy items(&rss, &NewsProvider::itemsReady);
    m_fixture->flakyHealed = true;
    QTRY_COMPARE_WITH_TIMEOUT(rss.health().state, ProviderHealth::State::Ok, kWaitMs);
    QVERIFY(rss.health().lastError.isEmpty());
    QCOMPARE(items.count(), 1);
    QVERIFY2(rss.health().nextPollMs - rss.health().lastFetchMs >= 600000 - 100, qPrintable(describe(rss)));
}

void tst_NewsProviders::garbageIsAHealthErrorAndOthersKeepWorking()
{
    const auto budget = std::make_shared<HostBudget>(100);
    tw::news::RssProvider broken({ m_fixture->url("/garbage?s={symbol}") }, quietSettings(), budget);
    tw::news::RssProvider good({ m_fixture->url("/atom?s={symbol}") }, quietSettings(), budget);
    QSignalSpy goodItems(&good, &NewsProvider::itemsReady);
    QSignalSpy brokenItems(&broken, &NewsProvider::itemsReady);
    for (NewsProvider *p : { static_cast<NewsProvider *>(&broken), static_cast<NewsProvider *>(&good) }) {
        p->setSymbols({ QStringLiteral("CTSO") });
        p->start();
    }
    QTRY_COMPARE_WITH_TIMEOUT(broken.health().state, ProviderHealth::State::Failing, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(goodItems.count(), 1, kWaitMs);
    QVERIFY2(broken.health().lastError.startsWith(QLatin1String("malformed XML at line 1")), qPrintable(describe(broken)));
    QVERIFY2(broken.health().lastError.endsWith(QLatin1String("(from 127.0.0.1)")), qPrintable(describe(broken)));
    QCOMPARE(brokenItems.count(), 0);
    QCOMPARE(good.health().state, ProviderHealth::State::Ok);
    QCOMPARE(goodItems.at(0).at(0).value<QList<tw::core::NewsItem>>().size(), 2);
}

void tst_NewsProviders::perHostBudgetIsSharedAcrossProviders()
{
    // 3 requests a minute to 127.0.0.1, shared by an RSS and a Finnhub provider watching two
    // symbols each: 4 requests wanted, 3 sent, the fourth scheduled for when a slot frees.
    const auto budget = std::make_shared<HostBudget>(3);
    tw::news::RssProvider rss({ m_fixture->url("/atom?s={symbol}") }, quietSettings(), budget);
    tw::news::FinnhubProvider finnhub(m_fixture->server.baseUrl() + QStringLiteral("/finnhub"), QStringLiteral("k"), 3,
        quietSettings(), budget);
    const QStringList symbols { QStringLiteral("NWND"), QStringLiteral("ACME") };
    rss.setSymbols(symbols);
    finnhub.setSymbols(symbols);
    const qint64 before = now();
    rss.start();
    finnhub.start();

    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->requests.size(), 3, kWaitMs);
    QTest::qWait(300);
    QCOMPARE(m_fixture->requests.size(), 3);
    const NewsProvider *waiting = rss.health().fetches < 2 ? static_cast<NewsProvider *>(&rss) : &finnhub;
    QCOMPARE(rss.health().fetches + finnhub.health().fetches, quint64(3));
    QVERIFY2(waiting->health().nextPollMs >= before + 59000, qPrintable(describe(*waiting)));
    QVERIFY2(waiting->health().nextPollMs <= now() + 60000, qPrintable(describe(*waiting)));
}

void tst_NewsProviders::wallClockSetBackDoesNotHoldTheHostBudget()
{
    // One request per 300 ms to 127.0.0.1 and two symbols: the second request waits for the
    // budget. The wall clock goes back an hour while it waits. Had the budget counted on the
    // wall clock, the first request would now lie an hour in the future and the second would
    // wait for it; on the monotonic clock it goes out after the 300 ms.
    const auto budget = std::make_shared<HostBudget>(1, 300);
    tw::news::RssProvider rss({ m_fixture->url("/atom?s={symbol}") }, quietSettings(), budget);
    qint64 wallOffsetMs = 0;
    rss.setWallClock([&wallOffsetMs] { return now() + wallOffsetMs; });
    QSignalSpy health(&rss, &NewsProvider::healthChanged);
    int budgetWaits = -1; // health changes before the second request: the budget's "wait"
    m_fixture->onRequest = [&](const SeenRequest &) {
        if (m_fixture->count("/atom") == 1)
            wallOffsetMs = -3600 * 1000;
        else if (budgetWaits < 0)
            budgetWaits = int(health.count());
    };
    rss.setSymbols({ QStringLiteral("NWND"), QStringLiteral("ACME") });
    rss.start();

    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->count("/atom"), 2, kWaitMs);
    QVERIFY2(budgetWaits >= 1, "the second request did not wait for the budget: the test proves nothing");
    QTRY_COMPARE_WITH_TIMEOUT(rss.health().fetches, quint64(2), kWaitMs);
    QCOMPARE(rss.health().state, ProviderHealth::State::Ok);
    // Dates for people follow the wall clock, set back as it is.
    QVERIFY2(rss.health().lastFetchMs <= now() - 3500 * 1000, qPrintable(describe(rss)));
}

void tst_NewsProviders::wallClockJumpsDoNotMoveARateLimit()
{
    // A 429 with Retry-After: 2 parks the provider for two seconds. Meanwhile the wall clock
    // jumps an hour ahead and someone watches a new symbol: still rate limited, so nothing may
    // go out (had "rate limited until" been a wall-clock time, it would now lie an hour in the
    // past and the new symbol would be polled at once, against the server's Retry-After). Then
    // the clock goes back two hours: the retry still comes when the two seconds are up.
    tw::news::RssProvider rss({ m_fixture->url("/limited-once?s={symbol}") }, quietSettings(), nullptr);
    qint64 wallOffsetMs = 0;
    rss.setWallClock([&wallOffsetMs] { return now() + wallOffsetMs; });
    rss.setSymbols({ QStringLiteral("NWND") });
    rss.start();
    QTRY_COMPARE_WITH_TIMEOUT(rss.health().failures, quint64(1), kWaitMs);
    QVERIFY2(rss.health().lastError.startsWith(QLatin1String("rate limited until ")), qPrintable(describe(rss)));

    wallOffsetMs = 3600 * 1000;
    rss.setSymbols({ QStringLiteral("NWND"), QStringLiteral("ACME") });
    QTest::qWait(300);
    QCOMPARE(m_fixture->count("/limited-once"), 1);

    wallOffsetMs = -3600 * 1000;
    QTRY_COMPARE_WITH_TIMEOUT(rss.health().state, ProviderHealth::State::Ok, kWaitMs);
    QCOMPARE(m_fixture->count("/limited-once"), 3); // NWND and ACME, once the 2 s were up
    QCOMPARE(rss.health().failures, quint64(1));
    QVERIFY2(rss.health().lastFetchMs <= now() - 3500 * 1000, qPrintable(describe(rss)));
}

void tst_NewsProviders::stalledResponseTimesOut()
{
    PollingSettings s = quietSettings();
    s.timeoutMs = 300;
    tw::news::RssProvider rss({ m_fixture->url("/slow?s={symbol}") }, s, nullptr);
    rss.setSymbols({ QStringLiteral("NWND") });
    rss.start();
    QTRY_COMPARE_WITH_TIMEOUT(rss.health().state, ProviderHealth::State::Failing, kWaitMs);
    QCOMPARE(rss.health().lastError, QStringLiteral("timed out after 300 ms waiting for 127.0.0.1"));
    QCOMPARE(m_fixture->stalled.size(), 1);
}

void tst_NewsProviders::stopAbandonsAnInFlightRequest()
{
    tw::news::RssProvider rss({ m_fixture->url("/slow?s={symbol}") }, quietSettings(), nullptr);
    QSignalSpy health(&rss, &NewsProvider::healthChanged);
    rss.setSymbols({ QStringLiteral("NWND") });
    rss.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->stalled.size(), 1, kWaitMs);
    rss.stop();
    QCOMPARE(rss.health().state, ProviderHealth::State::Idle);
    QCOMPARE(rss.health().nextPollMs, qint64(0));
    // The server sees the client go; nothing is counted as a fetch or a failure.
    QTRY_VERIFY_WITH_TIMEOUT(m_fixture->stalled.at(0).isNull() || m_fixture->stalled.at(0)->isFinished(), kWaitMs);
    QCOMPARE(rss.health().fetches, quint64(0));
    QCOMPARE(rss.health().failures, quint64(0));
}

void tst_NewsProviders::redirectLoopIsCut()
{
    tw::news::RssProvider rss({ m_fixture->url("/loop?s={symbol}") }, quietSettings(), nullptr);
    rss.setSymbols({ QStringLiteral("NWND") });
    rss.start();
    QTRY_COMPARE_WITH_TIMEOUT(rss.health().state, ProviderHealth::State::Failing, kWaitMs);
    QCOMPARE(rss.health().lastError, QStringLiteral("too many redirects (more than 3) from 127.0.0.1"));
    QCOMPARE(m_fixture->count("/loop"), 4); // the request and three redirects
}

void tst_NewsProviders::oversizedResponseIsAborted_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("Content-Length over the cap") << QByteArray("/huge?s={symbol}");
    QTest::newRow("chunked body over the cap") << QByteArray("/hugestream?s={symbol}");
}

void tst_NewsProviders::oversizedResponseIsAborted()
{
    QFETCH(QByteArray, path);
    PollingSettings s = quietSettings();
    s.maxResponseBytes = 64 * 1024;
    tw::news::RssProvider rss({ m_fixture->url(path.constData()) }, s, nullptr);
    QSignalSpy items(&rss, &NewsProvider::itemsReady);
    rss.setSymbols({ QStringLiteral("NWND") });
    rss.start();
    QTRY_COMPARE_WITH_TIMEOUT(rss.health().state, ProviderHealth::State::Failing, kWaitMs);
    QCOMPARE(rss.health().lastError, QStringLiteral("response too large (over 65536 bytes) from 127.0.0.1"));
    QCOMPARE(items.count(), 0);
}

void tst_NewsProviders::edgarRefusesWithoutUserAgentAndSendsIt()
{
    const QString base = m_fixture->server.baseUrl() + QStringLiteral("/edgar");
    tw::news::SecEdgarProvider anonymous(base, QString(), quietSettings(), nullptr);
    QSignalSpy health(&anonymous, &NewsProvider::healthChanged);
    anonymous.setSymbols({ QStringLiteral("NWND") });
    anonymous.start();
    QCOMPARE(anonymous.health().state, ProviderHealth::State::Disabled);
    QVERIFY2(anonymous.health().lastError.contains(QLatin1String("requires a User-Agent")), qPrintable(describe(anonymous)));
    QCOMPARE(health.count(), 1);
    QVERIFY(!anonymous.isRunning());
    tw::news::SecEdgarProvider noContact(base, QStringLiteral("Tickerwire"), quietSettings(), nullptr);
    noContact.start();
    QCOMPARE(noContact.health().state, ProviderHealth::State::Disabled);

    const QString agent = QStringLiteral("Example Desk ops@example.com");
    tw::news::SecEdgarProvider edgar(base, agent, quietSettings(), nullptr);
    QSignalSpy items(&edgar, &NewsProvider::itemsReady);
    edgar.setSymbols({ QStringLiteral("NWND") });
    edgar.start();
    QTRY_COMPARE_WITH_TIMEOUT(items.count(), 1, kWaitMs);
    const QList<SeenRequest> seen = m_fixture->to("/edgar");
    QCOMPARE(seen.size(), 1); // only the configured provider ever asked
    QCOMPARE(seen.at(0).header("user-agent"), agent.toUtf8());
    QCOMPARE(seen.at(0).query, QByteArray("action=getcompany&CIK=NWND&type=&dateb=&owner=include&count=40&output=atom"));
    const auto filings = items.at(0).at(0).value<QList<tw::core::NewsItem>>();
    QCOMPARE(filings.size(), 2);
    QCOMPARE(filings.at(0).id, QStringLiteral("sec-edgar:0009999999-24-000101")); // oldest first
    QCOMPARE(edgar.health().state, ProviderHealth::State::Ok);
}

void tst_NewsProviders::alphaVantageNoteIsRateLimited()
{
    PollingSettings s = quietSettings();
    s.backoffInitialMs = 60000;
    tw::news::AlphaVantageProvider av(m_fixture->url("/alphavantage"), QStringLiteral("AVKEY"), s, nullptr);
    QSignalSpy items(&av, &NewsProvider::itemsReady);
    av.setSymbols({ QStringLiteral("NWND") });
    av.start();
    QTRY_COMPARE_WITH_TIMEOUT(av.health().failures, quint64(1), kWaitMs);
    QCOMPARE(av.health().state, ProviderHealth::State::Degraded);
    QVERIFY2(av.health().lastError.startsWith(QLatin1String("rate limited until ")), qPrintable(describe(av)));
    QVERIFY2(av.health().lastError.contains(QLatin1String("5 calls per minute")), qPrintable(describe(av)));
    QVERIFY2(av.health().nextPollMs - av.health().lastFetchMs >= 48000, qPrintable(describe(av))); // backoff, -20 % at worst
    QCOMPARE(items.count(), 0);
    QVERIFY(m_fixture->to("/alphavantage").at(0).query.contains("function=NEWS_SENTIMENT&tickers=NWND"));
}

void tst_NewsProviders::jsonProvidersDeliverAndKeepKeysOutOfHealth()
{
    const QString secret = QStringLiteral("SECRET-KEY-123");
    tw::news::FinnhubProvider finnhub(m_fixture->server.baseUrl() + QStringLiteral("/finnhub"), secret, 3, quietSettings(), nullptr);
    tw::news::PolygonProvider polygon(m_fixture->server.baseUrl() + QStringLiteral("/polygon"), secret, quietSettings(), nullptr);
    tw::news::FinnhubProvider refused(m_fixture->server.baseUrl() + QStringLiteral("/finnhub-down"), secret, 3, quietSettings(), nullptr);
    QSignalSpy finnhubItems(&finnhub, &NewsProvider::itemsReady);
    QSignalSpy polygonItems(&polygon, &NewsProvider::itemsReady);
    for (NewsProvider *p : std::initializer_list<NewsProvider *> { &finnhub, &polygon, &refused }) {
        p->setSymbols({ QStringLiteral("NWND") });
        p->start();
    }
    QTRY_COMPARE_WITH_TIMEOUT(finnhubItems.count(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(polygonItems.count(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(refused.health().state, ProviderHealth::State::Failing, kWaitMs);
    QCOMPARE(finnhubItems.at(0).at(0).value<QList<tw::core::NewsItem>>().size(), 2);
    QCOMPARE(polygonItems.at(0).at(0).value<QList<tw::core::NewsItem>>().at(0).provider, QStringLiteral("polygon"));

    // The key went to the server as the API wants it...
    QVERIFY(m_fixture->to("/finnhub/company-news").at(0).query.contains("token=SECRET-KEY-123"));
    QVERIFY(m_fixture->to("/polygon/v2/reference/news").at(0).query.contains("apiKey=SECRET-KEY-123"));
    // ...and the API's complaint reaches health, without the key.
    QCOMPARE(refused.health().lastError, QStringLiteral("HTTP 401 from 127.0.0.1: Invalid API key."));
    for (const NewsProvider *p : std::initializer_list<const NewsProvider *> { &finnhub, &polygon, &refused })
        QVERIFY(!p->health().lastError.contains(secret));
}

void tst_NewsProviders::factoryBuildsNamedProvidersAndDisablesUnconfiguredOnes()
{
    tw::news::ProviderSettings settings;
    settings.enabled = { QStringLiteral("rss"), QStringLiteral("finnhub"), QStringLiteral("bogus"), QStringLiteral("RSS"),
        QStringLiteral("sec-edgar"), QStringLiteral("polygon"), QStringLiteral("alphavantage") };
    settings.rssUrlTemplates = { m_fixture->url("/atom?s={symbol}") };
    settings.intervalMs.insert(QStringLiteral("rss"), 123456);
    QObject parent;
    QStringList errors;
    const QList<NewsProvider *> providers = tw::news::createNetworkProviders(settings, &parent, &errors);
    QStringList ids;
    for (const NewsProvider *p : providers)
        ids.append(p->id());
    QCOMPARE(ids, (QStringList { QStringLiteral("rss"), QStringLiteral("finnhub"), QStringLiteral("sec-edgar"),
                      QStringLiteral("polygon"), QStringLiteral("alphavantage") }));
    QCOMPARE(errors.size(), 2);
    QVERIFY2(errors.at(0).startsWith(QLatin1String("unknown news provider \"bogus\"")), qPrintable(errors.at(0)));
    QVERIFY2(errors.at(1).contains(QLatin1String("listed twice")), qPrintable(errors.at(1)));
    QCOMPARE(static_cast<tw::news::RssProvider *>(providers.at(0))->pollingSettings().intervalMs, 123456);

    for (NewsProvider *p : providers) {
        p->setSymbols({ QStringLiteral("NWND") });
        p->start();
    }
    // No keys and no EDGAR contact in the settings: those say so instead of polling.
    for (int i = 1; i < providers.size(); ++i) {
        QCOMPARE(providers.at(i)->health().state, ProviderHealth::State::Disabled);
        QVERIFY(!providers.at(i)->health().lastError.isEmpty());
    }
    QVERIFY(providers.at(1)->health().lastError.contains(QLatin1String("FINNHUB_API_KEY")));
    QVERIFY(providers.at(3)->health().lastError.contains(QLatin1String("POLYGON_API_KEY")));
    QVERIFY(providers.at(4)->health().lastError.contains(QLatin1String("ALPHAVANTAGE_API_KEY")));
    QTRY_COMPARE_WITH_TIMEOUT(providers.at(0)->health().state, ProviderHealth::State::Ok, kWaitMs);
    QCOMPARE(m_fixture->requests.size(), 1);
}

QTEST_GUILESS_MAIN(tst_NewsProviders)
#include "tst_newsproviders.moc"
