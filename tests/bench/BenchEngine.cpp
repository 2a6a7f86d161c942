// SPDX-License-Identifier: GPL-3.0-or-later
// The provisioning engine against entra-sim: the cloud service in-process with the real Graph gateway, the simulator
// in-process playing login.microsoftonline.com and graph.microsoft.com, both on the system clock, every Graph answer
// delayed by --latency-ms. Three figures of issue 3, each in a world of its own:
//   ready   request → ready for an account that exists (disabled, from an earlier checkout), with two roles
//   expiry  many ready checkouts falling due over a minute across many tenants: revoked, confirmed, how late
//   burst   many checkouts requested at once across many tenants: how long until all are ready, and 429s
// Prints one "name value" line per figure; run build/bin/bench_engine [--help].
#include "Simulator.h"
#include "cloud/CloudService.h"
#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/connections/ConnectionStore.h"
#include "cloud/checkouts/CredentialVault.h"
#include "cloud/engine/TenantAccounts.h"
#include "cloud/engine/ProvisioningEngine.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"
#include "core/Logging.h"
#include "entra/GraphGateway.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/StintInEntra.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

using namespace stint;
using namespace stint::test;
using namespace stint::entrasim;

namespace {

const QStringList kRoles {kUserAdministrator, kHelpdeskAdministrator};

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

void figure(const QString& name, const QString& value)
{
    out() << name << ' ' << value << Qt::endl;
}

void figure(const QString& name, double value, int decimals = 1)
{
    figure(name, QString::number(value, 'f', decimals));
}

[[noreturn]] void fail(const QString& what)
{
    out().flush();
    QTextStream(stderr) << "bench_engine: " << what << Qt::endl;
    std::exit(1);
}

// Nearest-rank percentile (p in 0..1) of the values; 0 for none.
double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto rank = qsizetype(std::ceil(p * double(v.size())));
    return v[size_t(std::clamp<qsizetype>(rank, 1, qsizetype(v.size())) - 1)];
}

void distribution(const QString& name, const std::vector<double>& v)
{
    figure(name + QStringLiteral(".p50"), percentile(v, 0.50));
    figure(name + QStringLiteral(".p99"), percentile(v, 0.99));
    figure(name + QStringLiteral(".max"), percentile(v, 1.0));
}

// Turns the event loop until `done` or `timeoutMs`. Not QTest::qWaitFor: that sleeps the thread 10 ms per turn, and
// here the same thread serves the cloud's HTTP, runs its engine and answers for the simulator.
bool spinUntil(const std::function<bool()>& done, int timeoutMs)
{
    if (done())
        return true;
    QElapsedTimer elapsed;
    elapsed.start();
    QEventLoop loop;
    QTimer check;
    check.setTimerType(Qt::PreciseTimer);
    check.setInterval(2);
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done() || elapsed.elapsed() > timeoutMs)
            loop.quit();
    });
    check.start();
    loop.exec();
    return done();
}

struct Settings
{
    int latencyMs = 20;
    int workerThreads = 16;
    int pollIntervalMs = 5000;
    int maxJobsPerTenant = 4;
    QString credentialKind = QStringLiteral("both");
    quint32 seed = 1;
};

// When a checkout was first seen in a state: the simulator's monotonic clock (the time base of its request log) and
// the epoch (the time base of the store).
struct Seen
{
    qint64 monotonicMs = 0;
    TimeMs epochMs = 0;
};

// One simulator and one cloud service with an MSP organization, technicians, and customer tenants that are connected
// through the MSP's multi-tenant app (admin consent and the Privileged Authentication Administrator role seeded in
// the simulator, the connection seeded in the store as the connect flow leaves it).
class World
{
public:
    struct Tenant
    {
        QString id; // Stint's tenant record
        QString entraId; // the simulator's tenant
        QString domain; // where Stint's accounts are made
    };
    struct Technician
    {
        QString id;
        QString email;
        QString token;
    };

    World(const Settings& settings, int tenantCount, int technicianCount)
        : m_settings(settings)
    {
        m_sim = std::make_unique<Simulator>(&m_clock);
        if (!m_sim->listen())
            fail(QStringLiteral("the simulator does not listen"));
        SimState& s = m_sim->state();
        SimTenant& msp = s.createTenant(QStringLiteral("Northwind MSP"), QStringLiteral("northwind"));
        SimApp& app = s.registerApp(msp.id, QStringLiteral("Stint"), stintAppPermissions());
        m_appId = app.clientId;
        const QString secret
            = QStringLiteral("bench~") + QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(24)));
        s.addClientSecret(app, secret, m_clock.now() + 365LL * 86'400'000);
        const QString secretFile = m_secrets.filePath(QStringLiteral("msp-app.secret"));
        QFile f(secretFile);
        if (!m_secrets.isValid() || !f.open(QIODevice::WriteOnly) || f.write(secret.toUtf8()) < 0)
            fail(QStringLiteral("cannot write the app secret file"));
        f.close();
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);

        cloud::CloudConfig config;
        const QUrl base = m_sim->baseUrl().adjusted(QUrl::StripTrailingSlash);
        config.entra.globalAuthority = base;
        config.entra.globalGraph = base;
        config.entra.graphResource = QStringLiteral("https://graph.microsoft.com");
        config.entra.appClientId = m_appId;
        config.entra.appClientSecretFile = secretFile;
        config.entra.workerThreads = settings.workerThreads;
        config.engine.pollIntervalMs = settings.pollIntervalMs;
        config.engine.maxJobsPerTenant = settings.maxJobsPerTenant;
        m_cloud = std::make_unique<CloudFixture>(config);
        m_cloud->useClock(&m_clock);
        if (!m_cloud->start())
            fail(QStringLiteral("the cloud did not start: ") + m_cloud->error());
        QObject::connect(&m_cloud->service().engine(), &cloud::engine::ProvisioningEngine::checkoutChanged,
                         &m_cloud->service().engine(), [this](const QString&, const QJsonObject& c, const QString&) {
                             auto& states = m_seen[c.value(QLatin1String("id")).toString()];
                             const QString state = c.value(QLatin1String("state")).toString();
                             if (!states.contains(state)) {
                                 states.insert(state, {m_sim->monotonicMs(), m_clock.now()});
                                 ++m_reached[state];
                             }
                         });

        m_org = m_cloud->addOrganization(QStringLiteral("Northwind MSP"));
        const QString adminId
            = m_cloud->addPerson(m_org, QStringLiteral("ada@northwind.example"), QStringLiteral("admin"));
        m_adminToken = m_cloud->signIn(adminId);
        for (int i = 0; i < technicianCount; ++i) {
            Technician t;
            t.email = QStringLiteral("tech%1@northwind.example").arg(i + 1, 3, 10, QLatin1Char('0'));
            t.id = m_cloud->addPerson(m_org, t.email, QStringLiteral("technician"));
            t.token = m_cloud->signIn(t.id);
            if (t.id.isEmpty() || t.token.isEmpty())
                fail(QStringLiteral("seeding a technician failed"));
            m_technicians.append(t);
        }
        for (int i = 0; i < tenantCount; ++i)
            addTenant(i);
        QStringList tenantIds;
        QStringList technicianIds;
        for (const Tenant& t : std::as_const(m_tenants))
            tenantIds << t.id;
        for (const Technician& t : std::as_const(m_technicians))
            technicianIds << t.id;
        m_policyId = createPolicy(*m_cloud, m_adminToken,
                                  policyBody(QStringLiteral("Helpdesk"), tenantIds, kRoles, technicianIds, {}, 60));
        if (m_policyId.isEmpty())
            fail(QStringLiteral("creating the policy failed"));
    }

    ~World()
    {
        // The cloud first: it waits for running Graph jobs, which need the simulator to answer.
        m_cloud.reset();
        m_sim.reset();
    }

    Simulator& sim() { return *m_sim; }
    CloudFixture& cloud() { return *m_cloud; }
    const QList<Tenant>& tenants() const { return m_tenants; }
    const QList<Technician>& technicians() const { return m_technicians; }
    QString org() const { return m_org; }
    QString policyId() const { return m_policyId; }
    const Clock& clock() const { return m_clock; }

    std::optional<Seen> seen(const QString& checkoutId, const QString& state) const
    {
        const auto states = m_seen.value(checkoutId);
        if (!states.contains(state))
            return std::nullopt;
        return states.value(state);
    }
    int reached(const QString& state) const { return m_reached.value(state); }

    // The local part Stint gives the technician's account (the tenant's naming rule, the default here).
    static QString accountLocalPart(const Technician& t)
    {
        return models::accountNaming::expand(QStringLiteral("stint-{user}"), t.email,
                                             t.email.section(QLatin1Char('@'), 0, 0), t.id);
    }

    QJsonObject checkout(const QString& id)
    {
        return m_cloud->api().get(QStringLiteral("/v1/checkouts/") + id, m_adminToken).json;
    }

    // Role template ids the principal holds in the simulator's tenant (lowercase, sorted).
    QStringList rolesOf(const QString& entraTenantId, const QString& principalId)
    {
        QStringList roles;
        for (const auto& [id, assignment] : m_sim->state().tenants().at(entraTenantId).roleAssignments) {
            if (assignment.principalId == principalId)
                roles << assignment.roleDefinitionId.toLower();
        }
        roles.sort();
        return roles;
    }

private:
    void addTenant(int i)
    {
        SimState& s = m_sim->state();
        const QString label = QStringLiteral("customer%1").arg(i + 1, 3, 10, QLatin1Char('0'));
        SimTenant& customer = s.createTenant(QStringLiteral("Customer %1").arg(i + 1), label);
        customer.tapPolicy.enabled = true;
        Tenant t;
        t.entraId = customer.id;
        t.domain = label + QStringLiteral(".example");
        if (!s.addDomain(customer.id, SimDomain {t.domain, true, true, false, QStringLiteral("Managed")}))
            fail(QStringLiteral("adding a domain failed"));
        // Admin consent of the MSP app, and the customer admin's role assignment for its service principal.
        if (!s.grantServicePrincipal(customer.id, m_appId, stintAppPermissions(),
                                     {roles::kPrivilegedAuthenticationAdministrator}))
            fail(QStringLiteral("granting the app failed"));

        t.id = createTenant(*m_cloud, m_adminToken, tenantBody(QStringLiteral("Customer %1").arg(i + 1), kRoles, 240));
        if (t.id.isEmpty())
            fail(QStringLiteral("creating a tenant failed"));
        // Connected as the connect flow leaves a tenant: proven Entra tenant id, status, the admin's settings…
        auto loaded = cloud::tenants::loadTenant(m_cloud->db(), m_org, t.id);
        if (!loaded || !loaded->has_value())
            fail(QStringLiteral("loading a tenant failed"));
        models::TenantConnection c = (*loaded)->connection;
        c.accountDomain = t.domain;
        c.credentialKind = m_settings.credentialKind;
        c.expiryAction = QStringLiteral("disable");
        auto updated = m_cloud->db().exec(
            QStringLiteral("UPDATE tenants SET connection_status = 'connected', entra_tenant_id = ?, connection = ?"
                           " WHERE id = ?"),
            {t.entraId, QString::fromUtf8(QJsonDocument(c.settingsJson()).toJson(QJsonDocument::Compact)), t.id});
        // … and its health check and reconciliation just done, so that the scheduler's periodic work (every 6 h and
        // 15 min) stays out of the measurement.
        const TimeMs now = m_clock.now();
        if (!updated || !cloud::connections::saveCheckResult(m_cloud->db(), m_org, t.id, {}, {}, now)
            || !cloud::connections::saveReconcileResult(m_cloud->db(), m_org, t.id, {}, 0, now))
            fail(QStringLiteral("connecting a tenant failed"));
        m_tenants.append(t);
    }

    Settings m_settings;
    SystemClock m_clock;
    QTemporaryDir m_secrets;
    std::unique_ptr<Simulator> m_sim;
    std::unique_ptr<CloudFixture> m_cloud;
    QString m_appId;
    QString m_org;
    QString m_adminToken;
    QString m_policyId;
    QList<Tenant> m_tenants;
    QList<Technician> m_technicians;
    QHash<QString, QHash<QString, Seen>> m_seen;
    QHash<QString, int> m_reached;
};

// Round trips and time the simulator spent on requests of `entraTenantId` answered in [from, to] (its monotonic ms):
// Graph requests ($batch items are inside their batch) and token requests separately; the time is the union of the
// intervals from arrival to answer, clipped to [from, to] — latency included, Stint's HTTP client not.
struct GraphTime
{
    int graphRoundTrips = 0;
    int tokenRoundTrips = 0;
    qint64 insideMs = 0;
};

GraphTime graphTime(const QList<LoggedRequest>& log, const QString& entraTenantId, qint64 from, qint64 to)
{
    GraphTime t;
    std::vector<std::pair<qint64, qint64>> spans;
    for (const LoggedRequest& r : log) {
        if (r.tenantId != entraTenantId || r.answeredMs > to || r.answeredMs < from)
            continue;
        if (r.area == QLatin1String("graph"))
            ++t.graphRoundTrips;
        else if (r.area == QLatin1String("identity"))
            ++t.tokenRoundTrips;
        else
            continue;
        spans.emplace_back(std::max(r.receivedMs, from), std::min(r.answeredMs, to));
    }
    std::sort(spans.begin(), spans.end());
    qint64 end = from;
    for (const auto& [a, b] : spans) {
        const qint64 start = std::max(a, end);
        if (b > start) {
            t.insideMs += b - start;
            end = b;
        }
    }
    return t;
}

int throttledAnswers(const QList<LoggedRequest>& log)
{
    return int(std::count_if(log.begin(), log.end(), [](const LoggedRequest& r) { return r.status == 429; }));
}

int countArea(const QList<LoggedRequest>& log, const char* area)
{
    return int(std::count_if(log.begin(), log.end(),
                             [area](const LoggedRequest& r) { return r.area == QLatin1String(area); }));
}

QString requireId(const QJsonObject& checkout, const char* what)
{
    const QString id = checkout.value(QLatin1String("id")).toString();
    if (id.isEmpty())
        fail(QStringLiteral("%1: the checkout request was refused").arg(QLatin1String(what)));
    return id;
}

// ---- 1. request → ready for an existing account ------------------------------------------------------------------

void benchReady(const Settings& settings, int repeats)
{
    World w(settings, 1, 1);
    const World::Tenant& tenant = w.tenants().first();
    const World::Technician& tech = w.technicians().first();
    w.sim().faults().setLatency(settings.latencyMs);
    const auto waitFor = [&](const QString& id, const char* state) {
        if (!spinUntil([&] { return w.seen(id, QLatin1String(state)).has_value(); }, 60'000))
            fail(QStringLiteral("checkout never %1: %2")
                     .arg(QLatin1String(state), QString::fromUtf8(QJsonDocument(w.checkout(id)).toJson())));
    };
    const auto end = [&](const QString& id) {
        const ApiReply ended = w.cloud().api().post(QStringLiteral("/v1/checkouts/%1/end").arg(id), tech.token);
        if (ended.status != 200 && ended.status != 202)
            fail(QStringLiteral("ending a checkout failed: ") + QString::fromUtf8(ended.describe()));
        waitFor(id, "ended");
    };

    // The earlier checkout that leaves the account in the tenant, disabled and without roles.
    const QString first = requireId(requestCheckout(w.cloud(), tech.token, tenant.id, kRoles, 60), "first");
    waitFor(first, "ready");
    end(first);
    const QString upn = World::accountLocalPart(tech) + QLatin1Char('@') + tenant.domain;
    SimUser* account = w.sim().state().userByUpn(tenant.entraId, upn);
    if (!account || account->accountEnabled || !w.rolesOf(tenant.entraId, account->id).isEmpty())
        fail(QStringLiteral("the first checkout did not leave a disabled account without roles"));
    const QString accountId = account->id;

    std::vector<double> wall, own, inside, fromSend, trips, tokenTrips, revokeMs, revokeTrips, revokeInside;
    for (int i = 0; i < repeats; ++i) {
        w.sim().clearRequests();
        const qint64 sent = w.sim().monotonicMs();
        const QString id = requireId(requestCheckout(w.cloud(), tech.token, tenant.id, kRoles, 60), "ready");
        const qint64 answered = w.sim().monotonicMs();
        waitFor(id, "ready");
        const qint64 ready = w.seen(id, QStringLiteral("ready"))->monotonicMs;
        const GraphTime g = graphTime(w.sim().requests(), tenant.entraId, answered, ready);
        const GraphTime all = graphTime(w.sim().requests(), tenant.entraId, sent, ready);
        wall.push_back(double(ready - answered));
        inside.push_back(double(g.insideMs));
        own.push_back(double(ready - answered - g.insideMs));
        fromSend.push_back(double(ready - sent));
        trips.push_back(all.graphRoundTrips);
        tokenTrips.push_back(all.tokenRoundTrips);

        // The directory agrees: the same account, enabled, with exactly the two roles.
        SimUser* now = w.sim().state().user(tenant.entraId, accountId);
        QStringList expected = kRoles;
        expected.sort();
        if (!now || !now->accountEnabled || w.rolesOf(tenant.entraId, accountId) != expected
            || w.sim().state().tenants().at(tenant.entraId).users.size() != 1)
            fail(QStringLiteral("ready, but the directory does not show the account enabled with its roles"));

        w.sim().clearRequests();
        const qint64 ending = w.sim().monotonicMs();
        end(id);
        const qint64 ended = w.seen(id, QStringLiteral("ended"))->monotonicMs;
        revokeMs.push_back(double(ended - ending));
        const GraphTime r = graphTime(w.sim().requests(), tenant.entraId, ending, ended);
        revokeTrips.push_back(r.graphRoundTrips);
        revokeInside.push_back(double(r.insideMs));
        now = w.sim().state().user(tenant.entraId, accountId);
        if (!now || now->accountEnabled || !w.rolesOf(tenant.entraId, accountId).isEmpty())
            fail(QStringLiteral("ended, but the directory still shows access"));
    }
    figure(QStringLiteral("ready.samples"), QString::number(repeats));
    figure(QStringLiteral("ready.graph_round_trips.max"), percentile(trips, 1.0), 0);
    figure(QStringLiteral("ready.graph_round_trips.p50"), percentile(trips, 0.5), 0);
    figure(QStringLiteral("ready.token_round_trips.max"), percentile(tokenTrips, 1.0), 0);
    distribution(QStringLiteral("ready.wall_ms"), wall);
    distribution(QStringLiteral("ready.inside_graph_ms"), inside);
    distribution(QStringLiteral("ready.stint_own_ms"), own);
    distribution(QStringLiteral("ready.from_post_sent_ms"), fromSend);
    distribution(QStringLiteral("ready.end_to_ended_ms"), revokeMs);
    // The revocation of each of those (POST …/end → ended, confirmed by reading back).
    figure(QStringLiteral("revoke.graph_round_trips.max"), percentile(revokeTrips, 1.0), 0);
    figure(QStringLiteral("revoke.graph_round_trips.p50"), percentile(revokeTrips, 0.5), 0);
    distribution(QStringLiteral("revoke.wall_ms"), revokeMs);
    distribution(QStringLiteral("revoke.inside_graph_ms"), revokeInside);
}

// ---- 2. expiry: many ready checkouts falling due over a minute ----------------------------------------------------

void benchExpiry(const Settings& settings, int checkouts, int tenantCount, int spreadSeconds, int leadMs)
{
    const int perTenant = (checkouts + tenantCount - 1) / tenantCount;
    World w(settings, tenantCount, perTenant);
    SimState& s = w.sim().state();
    const QString tag = entra::GraphGatewayOptions().accountTag;
    QRandomGenerator random(settings.seed);

    struct Planned
    {
        QString checkoutId;
        QString tenantId;
        QString entraId;
        QString technicianId;
        QString accountId;
        QString upn;
        entra::GrantedObjects granted; // as that provision recorded them with the account
    };
    QList<Planned> plan;
    for (int i = 0; i < checkouts; ++i) {
        const World::Tenant& tenant = w.tenants()[i % tenantCount];
        const World::Technician& tech = w.technicians()[i / tenantCount];
        Planned p;
        p.checkoutId = ids::newId(u"chk");
        p.tenantId = tenant.id;
        p.entraId = tenant.entraId;
        p.technicianId = tech.id;
        p.upn = World::accountLocalPart(tech) + QLatin1Char('@') + tenant.domain;
        // The account as an earlier provision left it: Stint's, enabled, holding both roles.
        auto user = s.createUser(tenant.entraId, p.upn,
                                 tech.email.section(QLatin1Char('@'), 0, 0) + QStringLiteral(" (Stint)"),
                                 QString::fromLatin1(entra::newAccountPassword(20).bytes()));
        if (!user)
            fail(QStringLiteral("creating an account in the simulator failed"));
        (*user)->employeeType = tag;
        (*user)->mailNickname = World::accountLocalPart(tech);
        p.accountId = (*user)->id;
        for (const QString& role : kRoles) {
            auto assigned = s.assignRole(tenant.entraId, p.accountId, role);
            if (!assigned)
                fail(QStringLiteral("assigning a role in the simulator failed"));
            p.granted.roleAssignments.append({(*assigned)->id, role.toLower()});
        }
        plan.append(p);
    }

    // The checkouts, ready, with their credentials and accounts as the engine records them; deadlines uniformly
    // random over the spread, starting leadMs from now.
    store::Database& db = w.cloud().db();
    cloud::CloudContext& ctx = w.cloud().context();
    std::map<QString, TimeMs> expiresAt;
    {
        store::Transaction tx(db);
        if (!tx.started().ok())
            fail(QStringLiteral("seeding: no transaction"));
        const TimeMs now = w.clock().now();
        const TimeMs start = now + leadMs;
        for (const Planned& p : std::as_const(plan)) {
            models::Checkout c;
            c.id = p.checkoutId;
            c.orgId = w.org();
            c.tenantId = p.tenantId;
            c.technicianId = p.technicianId;
            c.policyId = w.policyId();
            c.roleDefinitionIds = kRoles;
            c.durationMinutes = 10;
            c.justification = QStringLiteral("benchmark");
            c.state = models::CheckoutState::Ready;
            c.stateReason = QStringLiteral("Access is ready.");
            c.requestedAt = now;
            c.readyAt = now;
            c.expiresAt = start + TimeMs(random.bounded(quint32(spreadSeconds) * 1000));
            c.nextActionAt = c.expiresAt;
            c.accountUpn = p.upn;
            c.updatedAt = now;
            expiresAt[c.id] = *c.expiresAt;
            cloud::checkouts::IssuedCredential credential;
            credential.kind = QStringLiteral("password");
            credential.userPrincipalName = p.upn;
            credential.password = entra::newAccountPassword(20);
            credential.expiresAt = *c.expiresAt;
            if (!cloud::checkouts::insertCheckout(db, c)
                || !cloud::engine::recordTenantAccount(
                    db, {w.org(), p.tenantId, p.technicianId, p.accountId, p.upn, now, p.granted})
                || !cloud::checkouts::storeCredential(ctx, w.org(), c.id, credential))
                fail(QStringLiteral("seeding a checkout failed"));
        }
        if (!tx.commit().ok())
            fail(QStringLiteral("seeding: commit failed"));
    }
    w.sim().clearRequests();
    w.sim().faults().setLatency(settings.latencyMs);
    // The engine learns of rows written behind its back at its next poll; a real change would announce itself.
    w.cloud().service().engine().wake();

    QElapsedTimer run;
    run.start();
    const int timeoutMs = leadMs + spreadSeconds * 1000 + 180'000;
    const bool finished = spinUntil([&] { return w.reached(QStringLiteral("ended")) >= checkouts; }, timeoutMs);
    const qint64 runMs = run.elapsed();

    std::vector<double> lateness, revokingLateness;
    int ended = 0;
    int failed = 0;
    auto rows = db.query(QStringLiteral("SELECT id, state, ended_at FROM checkouts"));
    if (!rows)
        fail(QStringLiteral("reading the checkouts failed"));
    for (const store::Row& r : *rows) {
        const QString id = r.text(0);
        if (!expiresAt.count(id))
            continue;
        if (r.text(1) == QLatin1String("ended")) {
            ++ended;
            lateness.push_back(double(r.integer(2) - expiresAt[id]));
        } else {
            ++failed;
        }
        if (auto revoking = w.seen(id, QStringLiteral("revoking")))
            revokingLateness.push_back(double(revoking->epochMs - expiresAt[id]));
    }
    // Verified in the directory too: every account disabled and without roles.
    int stillAccess = 0;
    for (const Planned& p : std::as_const(plan)) {
        SimUser* user = s.user(p.entraId, p.accountId);
        if (!user || user->accountEnabled || !w.rolesOf(p.entraId, p.accountId).isEmpty())
            ++stillAccess;
    }
    const QList<LoggedRequest> log = w.sim().requests();
    figure(QStringLiteral("expiry.checkouts"), QString::number(checkouts));
    figure(QStringLiteral("expiry.tenants"), QString::number(tenantCount));
    figure(QStringLiteral("expiry.spread_s"), QString::number(spreadSeconds));
    figure(QStringLiteral("expiry.ended"), QString::number(ended));
    figure(QStringLiteral("expiry.not_ended"), QString::number(failed));
    figure(QStringLiteral("expiry.finished_in_time"), finished ? QStringLiteral("yes") : QStringLiteral("no"));
    figure(QStringLiteral("expiry.accounts_with_access_left"), QString::number(stillAccess));
    distribution(QStringLiteral("expiry.lateness_ended_ms"), lateness);
    distribution(QStringLiteral("expiry.lateness_revoking_ms"), revokingLateness);
    figure(QStringLiteral("expiry.http_429"), QString::number(throttledAnswers(log)));
    figure(QStringLiteral("expiry.graph_round_trips"), QString::number(countArea(log, "graph")));
    figure(QStringLiteral("expiry.graph_round_trips_per_checkout"), double(countArea(log, "graph")) / checkouts, 2);
    figure(QStringLiteral("expiry.token_round_trips"), QString::number(countArea(log, "identity")));
    figure(QStringLiteral("expiry.run_s"), double(runMs) / 1000.0, 1);
    // The benchmark's own checks decide its exit status: a fast expiry that left access behind is no result.
    if (!finished)
        fail(QStringLiteral("not every checkout ended in time"));
    if (failed > 0)
        fail(QStringLiteral("%1 checkout(s) did not end").arg(failed));
    if (stillAccess > 0)
        fail(QStringLiteral("%1 account(s) still have access after their checkout ended").arg(stillAccess));
}

// ---- 3. burst: many checkouts requested at once -------------------------------------------------------------------

void benchBurst(const Settings& settings, int checkouts, int tenantCount)
{
    const int perTenant = (checkouts + tenantCount - 1) / tenantCount;
    World w(settings, tenantCount, perTenant);
    w.sim().clearRequests();
    w.sim().faults().setLatency(settings.latencyMs);

    struct Request
    {
        const World::Tenant* tenant = nullptr;
        const World::Technician* technician = nullptr;
        qint64 answeredMs = -1;
        QString checkoutId;
    };
    std::vector<Request> requests(static_cast<size_t>(checkouts));
    QNetworkAccessManager network;
    int answered = 0;
    const qint64 firstSent = w.sim().monotonicMs();
    for (int i = 0; i < checkouts; ++i) {
        Request& r = requests[size_t(i)];
        r.tenant = &w.tenants()[i % tenantCount];
        r.technician = &w.technicians()[i / tenantCount];
        QNetworkRequest request(w.cloud().api().url(QStringLiteral("/v1/checkouts")));
        request.setRawHeader("Authorization", "Bearer " + r.technician->token.toLatin1());
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        const QJsonObject body {{QStringLiteral("tenantId"), r.tenant->id},
                                {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(kRoles)},
                                {QStringLiteral("durationMinutes"), 60},
                                {QStringLiteral("justification"), QStringLiteral("benchmark")}};
        QNetworkReply* reply = network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QObject::connect(reply, &QNetworkReply::finished, reply, [&, reply, i] {
            Request& done = requests[size_t(i)];
            done.answeredMs = w.sim().monotonicMs();
            done.checkoutId = QJsonDocument::fromJson(reply->readAll()).object().value(QLatin1String("id")).toString();
            ++answered;
            reply->deleteLater();
        });
    }
    // Every request answered, and every checkout that was made ready: a refused request ends nothing early (it is
    // counted and fails the run below), the others are still waited for.
    const auto allReady = [&] {
        if (answered < checkouts)
            return false;
        for (const Request& r : requests) {
            if (!r.checkoutId.isEmpty() && !w.seen(r.checkoutId, QStringLiteral("ready")))
                return false;
        }
        return true;
    };
    const bool finished = spinUntil(allReady, 180'000);
    std::vector<double> fromAnswer, fromFirstSent, pickedUp, provisioned;
    int refused = 0;
    int notReady = 0;
    int wrongInDirectory = 0;
    QStringList expectedRoles = kRoles;
    expectedRoles.sort();
    for (const Request& r : requests) {
        if (r.checkoutId.isEmpty()) {
            ++refused;
            continue;
        }
        const auto ready = w.seen(r.checkoutId, QStringLiteral("ready"));
        if (!ready) {
            ++notReady;
            continue;
        }
        fromAnswer.push_back(double(ready->monotonicMs - r.answeredMs));
        fromFirstSent.push_back(double(ready->monotonicMs - firstSent));
        if (const auto picked = w.seen(r.checkoutId, QStringLiteral("provisioning"))) {
            pickedUp.push_back(double(picked->monotonicMs - r.answeredMs));
            provisioned.push_back(double(ready->monotonicMs - picked->monotonicMs));
        }
        SimUser* user = w.sim().state().userByUpn(
            r.tenant->entraId, World::accountLocalPart(*r.technician) + QLatin1Char('@') + r.tenant->domain);
        if (!user || !user->accountEnabled || w.rolesOf(r.tenant->entraId, user->id) != expectedRoles)
            ++wrongInDirectory;
    }
    std::vector<double> answers;
    for (const Request& r : requests)
        answers.push_back(double(r.answeredMs - firstSent));
    const QList<LoggedRequest> log = w.sim().requests();
    figure(QStringLiteral("burst.checkouts"), QString::number(checkouts));
    figure(QStringLiteral("burst.tenants"), QString::number(tenantCount));
    figure(QStringLiteral("burst.refused"), QString::number(refused));
    figure(QStringLiteral("burst.not_ready"), QString::number(notReady));
    figure(QStringLiteral("burst.ready_but_directory_disagrees"), QString::number(wrongInDirectory));
    figure(QStringLiteral("burst.all_ready_ms"), percentile(fromFirstSent, 1.0), 0);
    figure(QStringLiteral("burst.last_post_answered_ms"), percentile(answers, 1.0), 0);
    distribution(QStringLiteral("burst.post_answer_to_ready_ms"), fromAnswer);
    distribution(QStringLiteral("burst.first_post_to_ready_ms"), fromFirstSent);
    // Where the time goes: the engine taking the request up (requested → provisioning), then the provision job.
    distribution(QStringLiteral("burst.post_answer_to_provisioning_ms"), pickedUp);
    distribution(QStringLiteral("burst.provisioning_to_ready_ms"), provisioned);
    figure(QStringLiteral("burst.http_429"), QString::number(throttledAnswers(log)));
    figure(QStringLiteral("burst.graph_round_trips"), QString::number(countArea(log, "graph")));
    figure(QStringLiteral("burst.graph_round_trips_per_checkout"), double(countArea(log, "graph")) / checkouts, 2);
    figure(QStringLiteral("burst.token_round_trips"), QString::number(countArea(log, "identity")));
    // The benchmark's own checks decide its exit status.
    if (!finished)
        fail(QStringLiteral("not every checkout became ready in time"));
    if (refused > 0)
        fail(QStringLiteral("%1 checkout request(s) were refused").arg(refused));
    if (notReady > 0)
        fail(QStringLiteral("%1 checkout(s) never became ready").arg(notReady));
    if (wrongInDirectory > 0)
        fail(QStringLiteral("%1 checkout(s) ready while the directory disagrees").arg(wrongInDirectory));
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    // As stint-cloud logs (buffered stderr): the log is part of the service's own time.
    logging::install(logging::Format::Text);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Benchmarks the provisioning engine with the real Graph gateway against entra-sim (both in-process)."));
    parser.addHelpOption();
    const auto option = [&](const char* name, const char* help, const char* value, const char* fallback) {
        QCommandLineOption o(QString::fromLatin1(name), QString::fromUtf8(help), QString::fromLatin1(value),
                             QString::fromLatin1(fallback));
        parser.addOption(o);
        return o;
    };
    const auto only = option("only", "Which benchmarks, comma-separated: ready, expiry, burst (default all).", "list",
                             "ready,expiry,burst");
    const auto latency
        = option("latency-ms", "Latency of every simulated Graph and token answer (default 20).", "ms", "20");
    const auto repeats = option("repeats", "ready: request → ready samples (default 50).", "n", "50");
    const auto expiryCheckouts
        = option("expiry-checkouts", "expiry: checkouts falling due (default 1000).", "n", "1000");
    const auto spread = option("spread-seconds", "expiry: deadlines spread over this long (default 60).", "s", "60");
    const auto lead
        = option("lead-ms", "expiry: time from seeding to the first possible deadline (default 3000).", "ms", "3000");
    const auto burst = option("burst", "burst: checkouts requested at once (default 100).", "n", "100");
    const auto tenants = option("tenants", "expiry and burst: customer tenants (default 50).", "n", "50");
    const auto workers = option("workers", "EntraConfig::workerThreads (default: the product default, 16).", "n", "16");
    const auto poll
        = option("poll-ms", "EngineConfig::pollIntervalMs (default: the product default, 5000).", "ms", "5000");
    const auto perTenant
        = option("max-jobs-per-tenant", "EngineConfig::maxJobsPerTenant (default: the product default, 4).", "n", "4");
    const auto credential
        = option("credential", "The tenants' credential kind: password, tap, both (default both).", "kind", "both");
    const auto seed = option("seed", "Seed of the expiry deadlines (default 1).", "n", "1");
    parser.process(app);

    Settings settings;
    settings.latencyMs = parser.value(latency).toInt();
    settings.workerThreads = parser.value(workers).toInt();
    settings.pollIntervalMs = parser.value(poll).toInt();
    settings.maxJobsPerTenant = parser.value(perTenant).toInt();
    settings.credentialKind = parser.value(credential);
    settings.seed = parser.value(seed).toUInt();
    if (settings.workerThreads < 1 || settings.pollIntervalMs < 1 || settings.maxJobsPerTenant < 1
        || !models::kCredentialKinds.contains(settings.credentialKind) || parser.value(tenants).toInt() < 1)
        fail(QStringLiteral("bad option value; see --help"));

    const QStringList which = parser.value(only).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString& name : which) {
        if (name != QLatin1String("ready") && name != QLatin1String("expiry") && name != QLatin1String("burst"))
            fail(QStringLiteral("unknown benchmark %1; see --help").arg(name));
    }

    figure(QStringLiteral("settings.cores"), QString::number(QThread::idealThreadCount()));
    figure(QStringLiteral("settings.latency_ms"), QString::number(settings.latencyMs));
    figure(QStringLiteral("settings.entra.worker_threads"), QString::number(settings.workerThreads));
    figure(QStringLiteral("settings.engine.poll_interval_ms"), QString::number(settings.pollIntervalMs));
    figure(QStringLiteral("settings.engine.max_jobs_per_tenant"), QString::number(settings.maxJobsPerTenant));
    figure(QStringLiteral("settings.tenant.credential_kind"), settings.credentialKind);

    if (which.contains(QStringLiteral("ready")))
        benchReady(settings, std::max(1, parser.value(repeats).toInt()));
    if (which.contains(QStringLiteral("expiry")))
        benchExpiry(settings, std::max(1, parser.value(expiryCheckouts).toInt()), parser.value(tenants).toInt(),
                    std::max(1, parser.value(spread).toInt()), std::max(0, parser.value(lead).toInt()));
    if (which.contains(QStringLiteral("burst")))
        benchBurst(settings, std::max(1, parser.value(burst).toInt()), parser.value(tenants).toInt());
    return 0;
}
