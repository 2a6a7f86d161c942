// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/CloudService.h"
#include "cloud/authn/Sessions.h"
#include "cloud/checkouts/BulkTransitions.h"
#include "cloud/engine/ProvisioningEngine.h"
#include "cloud/schema/Schema.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"
#include "models/Directory.h"
#include "store/KeyFile.h"
#include "store/SqlCipherDatabase.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/FakeEntraGateway.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <functional>

using namespace stint;
using namespace stint::test;

namespace {
constexpr qint64 kMinuteMs = 60'000;
const QString kEntraTenantId = QStringLiteral("8d4e2f7a-0c4b-4a63-9a57-3f0e2b1c9d10");
const QString kDomain = QStringLiteral("contoso.example");

cloud::CloudConfig engineConfig()
{
    cloud::CloudConfig config;
    config.engine.pollIntervalMs = 20; // the clock is moved by hand: look often
    config.engine.revokeAttemptsBeforeAlert = 3;
    config.engine.maxJobsPerTenant = 4;
    config.entra.workerThreads = 8;
    return config;
}

// What the tenant-connection code would give the engine: the Entra tenant and an app credential.
cloud::engine::ProvisioningEngine::TenantAccessResolver fakeResolver()
{
    return [](const models::Tenant& t) -> Result<entra::TenantAccess> {
        if (!t.connection.entraTenantId)
            return makeError(QStringLiteral("engine.not_connected"), QStringLiteral("not connected"));
        entra::TenantAccess access;
        access.entraTenantId = *t.connection.entraTenantId;
        access.app.clientId = QStringLiteral("11111111-2222-3333-4444-555555555555");
        access.app.clientSecret = crypto::SecretBytes(QByteArray("fake-app-secret"));
        return access;
    };
}

QString stateOf(const QJsonObject& o)
{
    return o.value(QLatin1String("state")).toString();
}
} // namespace

class TestProvisioningEngine : public QObject
{
    Q_OBJECT

    std::unique_ptr<CloudFixture> m_cloud;
    FakeEntraGateway* m_fake = nullptr;
    QString m_org;
    SignedInPerson m_admin, m_admin2, m_tech, m_tech2;
    QString m_tenant;
    QString m_policy;

    ApiClient& api() { return m_cloud->api(); }
    static QString path(const QString& id, const QString& action = {})
    {
        return QStringLiteral("/v1/checkouts/") + id + (action.isEmpty() ? QString() : QLatin1Char('/') + action);
    }
    QJsonObject checkout(const QString& id) { return api().get(path(id), m_admin.token).json; }
    // Read from the store: the API would refuse sessions that expired while a test moved the clock by hours.
    QString column(const QString& id, const QString& name)
    {
        auto rows = m_cloud->db().query(QStringLiteral("SELECT %1 FROM checkouts WHERE id = ?").arg(name), {id});
        return rows && !rows->empty() ? rows->front().text(0) : QString();
    }
    QString state(const QString& id) { return column(id, QStringLiteral("state")); }
    qint64 audited(const QString& action, const QString& checkoutId = {})
    {
        return checkoutId.isEmpty()
            ? m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = ? AND outcome <> 'denied'"),
                             {action})
            : m_cloud->count(QStringLiteral("audit_events"),
                             QStringLiteral("action = ? AND target_id = ? AND outcome <> 'denied'"),
                             {action, checkoutId});
    }

    // One Entra tenant belongs to at most one tenant record: a GUID of its own for each record.
    static QString entraTenantIdOf(const QString& tenantId)
    {
        return QUuid::createUuidV5(QUuid(kEntraTenantId), tenantId).toString(QUuid::WithoutBraces);
    }

    // Binds a tenant to an Entra tenant, as the connection flow does (not through the tenants API).
    static void connectTenant(CloudFixture& cloud, const QString& orgId, const QString& tenantId,
                              const QString& credentialKind = QStringLiteral("password"),
                              const QString& expiryAction = QStringLiteral("disable"))
    {
        auto t = cloud::tenants::loadTenant(cloud.db(), orgId, tenantId);
        QVERIFY(t.ok() && t->has_value());
        models::TenantConnection c = (*t)->connection;
        c.accountDomain = kDomain;
        c.credentialKind = credentialKind;
        c.expiryAction = expiryAction;
        auto updated = cloud.db().exec(
            QStringLiteral("UPDATE tenants SET connection_status = 'connected', entra_tenant_id = ?, connection = ?"
                           " WHERE id = ?"),
            {entraTenantIdOf(tenantId),
             QString::fromUtf8(QJsonDocument(c.settingsJson()).toJson(QJsonDocument::Compact)), tenantId});
        QVERIFY(updated.ok());
    }

    void setUp(const QString& credentialKind = QStringLiteral("password"),
               const QString& expiryAction = QStringLiteral("disable"), bool requireApproval = false,
               cloud::CloudConfig config = engineConfig())
    {
        m_cloud = std::make_unique<CloudFixture>(config);
        auto fake = std::make_unique<FakeEntraGateway>(std::make_shared<FakeEntraGateway::Directory>(),
                                                       &m_cloud->clock());
        m_fake = fake.get();
        m_cloud->setGateway(std::move(fake));
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        m_cloud->service().engine().setTenantAccessResolver(fakeResolver());
        m_org = m_cloud->addOrganization(QStringLiteral("Acme MSP"));
        m_admin = addSignedInPerson(*m_cloud, m_org, QStringLiteral("ada@acme.example"), QStringLiteral("admin"));
        m_admin2 = addSignedInPerson(*m_cloud, m_org, QStringLiteral("grace@acme.example"), QStringLiteral("admin"));
        m_tech = addSignedInPerson(*m_cloud, m_org, QStringLiteral("tim@acme.example"));
        m_tech2 = addSignedInPerson(*m_cloud, m_org, QStringLiteral("tess@acme.example"));
        m_tenant = createTenant(*m_cloud, m_admin.token,
                                tenantBody(QStringLiteral("Contoso"), {kUserAdministrator, kHelpdeskAdministrator}, 240));
        QVERIFY(!m_tenant.isEmpty());
        QJsonObject policy = policyBody(QStringLiteral("Helpdesk"), {m_tenant}, {kUserAdministrator},
                                        {m_tech.id, m_tech2.id}, {}, 120);
        policy.insert(QStringLiteral("requireApproval"), requireApproval);
        m_policy = createPolicy(*m_cloud, m_admin.token, policy);
        QVERIFY(!m_policy.isEmpty());
        connectTenant(*m_cloud, m_org, m_tenant, credentialKind, expiryAction);
    }

    QString request(const SignedInPerson& who, int minutes = 60)
    {
        return requestCheckout(*m_cloud, who.token, m_tenant, {kUserAdministrator}, minutes)
            .value(QLatin1String("id"))
            .toString();
    }

    // Polls `done` while moving the service clock forward by `stepMs` each time (retries wait on the clock), for at
    // most `timeoutMs` of real time.
    bool advanceUntil(const std::function<bool()>& done, qint64 stepMs, int timeoutMs = 15'000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            if (done())
                return true;
            m_cloud->clock().advance(stepMs);
            QTest::qWait(30);
        }
        return done();
    }

    QString readyCheckout(const SignedInPerson& who, int minutes = 60)
    {
        const QString id = request(who, minutes);
        if (id.isEmpty())
            return {};
        if (!QTest::qWaitFor([&] { return state(id) == QLatin1String("ready"); }, 10'000)) {
            QTest::qFail(qPrintable(QStringLiteral("never ready: ") + QString::fromUtf8(QJsonDocument(checkout(id)).toJson())),
                         __FILE__, __LINE__);
            return {};
        }
        return id;
    }

private Q_SLOTS:
    void cleanup()
    {
        m_cloud.reset();
        m_fake = nullptr;
    }

    void requestBecomesReadyWithASealedCredential()
    {
        setUp(QStringLiteral("both"));
        QSignalSpy changes(&m_cloud->service().engine(), &cloud::engine::ProvisioningEngine::checkoutChanged);
        const QString id = readyCheckout(m_tech, 30);
        QVERIFY(!id.isEmpty());

        const QJsonObject c = checkout(id);
        const QString upn = QStringLiteral("stint-tim@") + kDomain;
        QCOMPARE(c.value(QLatin1String("accountUpn")).toString(), upn);
        QCOMPARE(c.value(QLatin1String("credentialAvailable")).toBool(), true);
        QCOMPARE(fromRfc3339(c.value(QLatin1String("expiresAt")).toString()).value_or(0),
                 fromRfc3339(c.value(QLatin1String("readyAt")).toString()).value_or(0) + 30 * kMinuteMs);
        // In the tenant: one enabled account holding the role.
        const auto account = m_fake->accountByUpn(upn);
        QVERIFY(account.has_value());
        QVERIFY(account->enabled);
        QCOMPARE(account->roleDefinitionIds, QStringList{kUserAdministrator});
        QCOMPARE(m_cloud->count(QStringLiteral("tenant_accounts"), QStringLiteral("account_id = ?"), {account->id}), 1);

        // The owner reads it; nobody else does.
        const ApiReply mine = api().get(path(id, QStringLiteral("credential")), m_tech.token);
        QVERIFY2(mine.status == 200, mine.describe().constData());
        QCOMPARE(mine.header("Cache-Control"), QByteArray("no-store"));
        const QString password = mine.json.value(QLatin1String("password")).toString();
        const QString tap = mine.json.value(QLatin1String("temporaryAccessPass")).toString();
        QVERIFY(password.startsWith(QLatin1String("Pw-")));
        QVERIFY(tap.startsWith(QLatin1String("TAP")));
        QCOMPARE(mine.json.value(QLatin1String("userPrincipalName")).toString(), upn);
        QCOMPARE(mine.json.value(QLatin1String("expiresAt")), c.value(QLatin1String("expiresAt")));
        QCOMPARE(fromRfc3339(mine.json.value(QLatin1String("temporaryAccessPassExpiresAt")).toString()).value_or(0),
                 fromRfc3339(c.value(QLatin1String("readyAt")).toString()).value_or(0) + 30 * kMinuteMs);
        QCOMPARE(audited(QStringLiteral("checkout.credential_view"), id), 1);

        const QString before = m_cloud->snapshot();
        const ApiReply other = api().get(path(id, QStringLiteral("credential")), m_tech2.token);
        QCOMPARE(other.status, 404);
        const ApiReply admin = api().get(path(id, QStringLiteral("credential")), m_admin.token);
        QCOMPARE(admin.status, 403);
        QVERIFY(!admin.body.contains(password.toUtf8()));
        QCOMPARE(m_cloud->snapshot(), before);
        QCOMPARE(audited(QStringLiteral("checkout.credential_view"), id), 1);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.credential_view' AND outcome = 'denied'")),
                 1);

        // Sealed at rest: the stored row holds neither secret; nor do the audit log and the live events.
        auto rows = m_cloud->db().query(QStringLiteral("SELECT sealed, upn FROM checkout_credentials WHERE checkout_id = ?"),
                                        {id});
        QVERIFY(rows.ok() && rows->size() == 1);
        const QByteArray sealed = rows->front().blob(0);
        QVERIFY(!sealed.isEmpty());
        QVERIFY(!sealed.contains(password.toUtf8()));
        QVERIFY(!sealed.contains(tap.toUtf8()));
        for (const char* sql : {"SELECT COUNT(*) FROM audit_events WHERE details LIKE ?",
                                "SELECT COUNT(*) FROM events WHERE payload LIKE ?"}) {
            QCOMPARE(m_cloud->scalar(QLatin1String(sql), {QLatin1Char('%') + password + QLatin1Char('%')}), 0);
            QCOMPARE(m_cloud->scalar(QLatin1String(sql), {QLatin1Char('%') + tap + QLatin1Char('%')}), 0);
        }
        // Bound to its checkout: the same row under another id does not open.
        QVERIFY(!crypto::open(m_cloud->context().credentialsKey, sealed, QByteArray("chk_other")).ok());

        // The notification hook saw every committed change, in order.
        QStringList seen;
        for (const auto& args : std::as_const(changes))
            seen << stateOf(args.at(1).toJsonObject());
        QCOMPARE(seen, (QStringList{QStringLiteral("requested"), QStringLiteral("provisioning"), QStringLiteral("ready")}));
        QCOMPARE(changes.last().at(2).toString(), QStringLiteral("provisioning"));
    }

    void approvalComesFirst()
    {
        setUp(QStringLiteral("password"), QStringLiteral("disable"), true);
        const QString id = request(m_tech);
        QCOMPARE(state(id), QStringLiteral("awaiting_approval"));
        QTest::qWait(100); // nothing happens while an admin has not decided (the engine polls every 20 ms)
        QCOMPARE(m_fake->callCount(QStringLiteral("provision")), 0);
        const ApiReply approved = api().post(path(id, QStringLiteral("approve")), m_admin.token, QJsonObject{});
        QVERIFY2(approved.status == 200, approved.describe().constData());
        QTRY_COMPARE(state(id), QStringLiteral("ready"));
        QCOMPARE(m_fake->callCount(QStringLiteral("provision")), 1);

        // An approval nobody gives expires on the clock.
        const QString late = request(m_tech2);
        QCOMPARE(state(late), QStringLiteral("awaiting_approval"));
        m_cloud->clock().advance(25 * 60 * kMinuteMs);
        QTRY_COMPARE(state(late), QStringLiteral("expired"));
    }

    void expiryRevokesAndDestroysTheCredential()
    {
        setUp();
        const QString id = readyCheckout(m_tech, 30);
        QVERIFY(!id.isEmpty());
        QCOMPARE(m_cloud->count(QStringLiteral("checkout_credentials")), 1);
        m_cloud->clock().advance(29 * kMinuteMs);
        QTest::qWait(100);
        QCOMPARE(state(id), QStringLiteral("ready"));
        m_cloud->clock().advance(kMinuteMs);
        QTRY_COMPARE(state(id), QStringLiteral("ended"));
        QCOMPARE(m_cloud->count(QStringLiteral("checkout_credentials")), 0);
        QCOMPARE(audited(QStringLiteral("checkout.credential_destroyed"), id), 1);
        QCOMPARE(audited(QStringLiteral("checkout.revoked"), id), 1);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.transition' AND target_id = ? AND details LIKE ?"),
                                {id, QStringLiteral("%\"reason\":\"expired\"%")}),
                 1);
        const auto account = m_fake->accountByUpn(QStringLiteral("stint-tim@") + kDomain);
        QVERIFY(account.has_value());
        QVERIFY(!account->enabled);
        QVERIFY(account->roleDefinitionIds.isEmpty());
        const ApiReply gone = api().get(path(id, QStringLiteral("credential")), m_tech.token);
        QCOMPARE(gone.status, 409);
        QCOMPARE(gone.problem(), QStringLiteral("credential-unavailable"));

        // The next checkout reuses the same account (found by its id) with a fresh password.
        const QString again = readyCheckout(m_tech);
        QVERIFY(!again.isEmpty());
        QCOMPARE(m_fake->accountCount(), 1);
        QCOMPARE(m_fake->accountByUpn(QStringLiteral("stint-tim@") + kDomain)->passwordsIssued, 2);
    }

    void endEarly()
    {
        setUp(QStringLiteral("password"), QStringLiteral("delete"));
        const QString id = readyCheckout(m_tech);
        QVERIFY(!id.isEmpty());
        const QString before = m_cloud->snapshot();
        QCOMPARE(api().post(path(id, QStringLiteral("end")), m_admin.token).status, 403);
        QCOMPARE(api().post(path(id, QStringLiteral("end")), m_tech2.token).status, 404);
        // A bodyless action takes nothing or {}, but no fields.
        QCOMPARE(api().post(path(id, QStringLiteral("end")), m_tech.token, QJsonObject{{QStringLiteral("reason"), QStringLiteral("x")}}).status, 422);
        QCOMPARE(m_cloud->snapshot(), before);
        const ApiReply ended = api().post(path(id, QStringLiteral("end")), m_tech.token);
        QVERIFY2(ended.status == 200, ended.describe().constData());
        QCOMPARE(stateOf(ended.json), QStringLiteral("revoking"));
        QCOMPARE(ended.json.value(QLatin1String("stateReason")).toString(), QStringLiteral("ended_early"));
        QCOMPARE(ended.json.value(QLatin1String("credentialAvailable")).toBool(), false);
        QCOMPARE(m_cloud->count(QStringLiteral("checkout_credentials")), 0); // destroyed with the change
        QTRY_COMPARE(state(id), QStringLiteral("ended"));
        // expiryAction "delete": the account is gone, and so is Stint's record of it.
        QCOMPARE(m_fake->accountCount(), 0);
        QCOMPARE(m_cloud->count(QStringLiteral("tenant_accounts")), 0);
        QCOMPARE(m_fake->calls().last().deleteRequested, true);
        const ApiReply twice = api().post(path(id, QStringLiteral("end")), m_tech.token);
        QCOMPARE(twice.status, 409);
    }

    void extendWithinTheCap()
    {
        setUp();
        const QString id = readyCheckout(m_tech, 60); // the policy allows 120 minutes
        QVERIFY(!id.isEmpty());
        const QJsonObject c = checkout(id);
        const TimeMs expires = fromRfc3339(c.value(QLatin1String("expiresAt")).toString()).value_or(0);

        const ApiReply ok = api().post(path(id, QStringLiteral("extend")), m_tech.token,
                                       {{QStringLiteral("minutes"), 30}});
        QVERIFY2(ok.status == 200, ok.describe().constData());
        QCOMPARE(fromRfc3339(ok.json.value(QLatin1String("expiresAt")).toString()).value_or(0), expires + 30 * kMinuteMs);
        QCOMPARE(audited(QStringLiteral("checkout.extend"), id), 1);
        QCOMPARE(m_cloud->scalar(QStringLiteral("SELECT expires_at FROM checkout_credentials WHERE checkout_id = ?"), {id}),
                 expires + 30 * kMinuteMs);

        // Beyond the policy's 120 minutes from readyAt, bad input, other callers: typed errors, nothing changed.
        const QString before = m_cloud->snapshot();
        const auto refused = [&](const QString& token, const QByteArray& body, int status, const QString& problem) {
            const ApiReply r = api().send("POST", path(id, QStringLiteral("extend")), token, body);
            QVERIFY2(r.status == status, r.describe().constData());
            if (!problem.isEmpty())
                QCOMPARE(r.problem(), problem);
            QCOMPARE(m_cloud->snapshot(), before);
        };
        refused(m_tech.token, "{\"minutes\":31}", 422, QStringLiteral("validation"));
        refused(m_tech.token, "{\"minutes\":\"5\"}", 422, QStringLiteral("validation"));
        refused(m_tech.token, "{\"minutes\":5,\"hours\":1}", 422, QStringLiteral("validation"));
        refused(m_tech.token, "{\"minutes\":0}", 422, QStringLiteral("validation"));
        refused(m_tech.token, "{\"minutes\":5.5}", 422, QStringLiteral("validation"));
        refused(m_tech.token, "{}", 422, QStringLiteral("validation"));
        refused(m_tech.token, "[5]", 400, QString());
        refused(m_tech.token, "{\"minutes\":", 400, QString());
        refused(m_tech.token, "{\"minutes\":5,\"pad\":\"" + QByteArray(20'000, 'x') + "\"}", 413, QString());
        refused(m_admin.token, "{\"minutes\":5}", 403, QStringLiteral("forbidden"));
        refused(m_tech2.token, "{\"minutes\":5}", 404, QStringLiteral("not-found"));
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.extend' AND outcome = 'denied'")),
                 2); // the cap and the admin

        // Up to the cap exactly is fine.
        const ApiReply last = api().post(path(id, QStringLiteral("extend")), m_tech.token,
                                         {{QStringLiteral("minutes"), 30}});
        QVERIFY2(last.status == 200, last.describe().constData());

        // Another organization's checkout id is simply not found, for every new route.
        const QString otherOrg = m_cloud->addOrganization(QStringLiteral("Other MSP"));
        const SignedInPerson stranger = addSignedInPerson(*m_cloud, otherOrg, QStringLiteral("eve@other.example"));
        const QString before2 = m_cloud->snapshot();
        QCOMPARE(api().get(path(id, QStringLiteral("credential")), stranger.token).status, 404);
        QCOMPARE(api().post(path(id, QStringLiteral("end")), stranger.token).status, 404);
        QCOMPARE(api().post(path(id, QStringLiteral("extend")), stranger.token, {{QStringLiteral("minutes"), 5}}).status,
                 404);
        QCOMPARE(api().get(path(QStringLiteral("not-an-id"), QStringLiteral("credential")), m_tech.token).status, 404);
        QCOMPARE(m_cloud->snapshot(), before2);
    }

    void extendOnlyWhileReady()
    {
        setUp(QStringLiteral("password"), QStringLiteral("disable"), true);
        const QString id = request(m_tech);
        const QString before = m_cloud->snapshot();
        const ApiReply r = api().post(path(id, QStringLiteral("extend")), m_tech.token, {{QStringLiteral("minutes"), 5}});
        QCOMPARE(r.status, 409);
        QCOMPARE(api().get(path(id, QStringLiteral("credential")), m_tech.token).status, 409);
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void adminRevokeDuringProvisioningWins()
    {
        setUp();
        QSignalSpy changes(&m_cloud->service().engine(), &cloud::engine::ProvisioningEngine::checkoutChanged);
        m_fake->holdProvisions(true);
        const QString id = request(m_tech);
        QTRY_COMPARE(m_fake->heldCalls(), 1);
        QCOMPARE(state(id), QStringLiteral("provisioning"));
        const ApiReply revoked = api().post(path(id, QStringLiteral("revoke")), m_admin.token,
                                            {{QStringLiteral("reason"), QStringLiteral("wrong tenant")}});
        QVERIFY2(revoked.status == 200, revoked.describe().constData());
        QCOMPARE(stateOf(revoked.json), QStringLiteral("revoking"));
        QTest::qWait(60);
        QCOMPARE(m_fake->callCount(QStringLiteral("revoke")), 0); // one job per checkout: the provision still runs
        m_fake->holdProvisions(false);
        QTRY_COMPARE(state(id), QStringLiteral("ended"));
        for (const auto& args : std::as_const(changes))
            QVERIFY(stateOf(args.at(1).toJsonObject()) != QLatin1String("ready"));
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.transition' AND details LIKE '%\"to\":\"ready\"%'")),
                 0);
        QCOMPARE(m_cloud->count(QStringLiteral("checkout_credentials")), 0);
        const auto account = m_fake->accountByUpn(QStringLiteral("stint-tim@") + kDomain);
        QVERIFY(account.has_value());
        QVERIFY(!account->enabled);
        QVERIFY(account->roleDefinitionIds.isEmpty());
        QCOMPARE(m_fake->callCount(QStringLiteral("revoke")), 1);
    }

    void transientFailuresBackOffAndRecover()
    {
        setUp();
        m_fake->failNextProvisions(2, QStringLiteral("entra.throttled"));
        const QString id = request(m_tech);
        QTRY_COMPARE(checkout(id).value(QLatin1String("attempts")).toInt(), 1);
        const QJsonObject waiting = checkout(id);
        QCOMPARE(stateOf(waiting), QStringLiteral("provisioning"));
        QVERIFY(waiting.value(QLatin1String("stateReason")).toString().startsWith(QLatin1String("Retrying")));
        // Backing off: nothing more happens until the clock reaches the retry (at most 2 s for the first).
        const TimeMs due = m_cloud->scalar(QStringLiteral("SELECT next_action_at FROM checkouts WHERE id = ?"), {id});
        QVERIFY(due > m_cloud->clock().now());
        QVERIFY(due <= m_cloud->clock().now() + 2'000);
        QTest::qWait(100);
        QCOMPARE(m_fake->callCount(QStringLiteral("provision")), 1);
        m_cloud->clock().set(due);
        QTRY_COMPARE(checkout(id).value(QLatin1String("attempts")).toInt(), 2);
        const TimeMs due2 = m_cloud->scalar(QStringLiteral("SELECT next_action_at FROM checkouts WHERE id = ?"), {id});
        QVERIFY(due2 - m_cloud->clock().now() >= 2'000); // doubled: 2–4 s
        QVERIFY(due2 - m_cloud->clock().now() <= 4'000);
        m_cloud->clock().set(due2);
        QTRY_COMPARE(state(id), QStringLiteral("ready"));
        QCOMPARE(m_fake->callCount(QStringLiteral("provision")), 3);
        QCOMPARE(audited(QStringLiteral("checkout.retry"), id), 2);
        QCOMPARE(m_fake->accountCount(), 1);
    }

    void permanentFailureWithNothingGrantedFails()
    {
        setUp();
        m_fake->addUnmanagedAccount(QStringLiteral("stint-tim@") + kDomain);
        const QString id = request(m_tech);
        QTRY_COMPARE(state(id), QStringLiteral("failed"));
        QVERIFY(checkout(id).value(QLatin1String("stateReason")).toString().contains(QLatin1String("entra.account_not_managed")));
        QCOMPARE(m_fake->callCount(QStringLiteral("revoke")), 0);
        QCOMPARE(m_cloud->count(QStringLiteral("tenant_accounts")), 0);
    }

    void permanentFailurePartwayIsCleanedUp()
    {
        setUp();
        m_fake->failNextProvisions(1, QStringLiteral("entra.forbidden"), true);
        const QString id = request(m_tech);
        // Once the clean-up is confirmed the checkout ends as failed, keeping the cause — not as ended.
        QTRY_COMPARE(state(id), QStringLiteral("failed"));
        const QString reason = checkout(id).value(QLatin1String("stateReason")).toString();
        QVERIFY2(reason.contains(QLatin1String("entra.forbidden")) && reason.contains(QLatin1String("clean-up was confirmed")),
                 qPrintable(reason));
        // The engine never learnt the account's id: it found it by name and took its roles away.
        QCOMPARE(m_fake->callCount(QStringLiteral("list")), 1);
        QCOMPARE(m_fake->callCount(QStringLiteral("revoke")), 1);
        const auto account = m_fake->accountByUpn(QStringLiteral("stint-tim@") + kDomain);
        QVERIFY(account.has_value());
        QVERIFY(!account->enabled);
        QVERIFY(account->roleDefinitionIds.isEmpty());
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.transition' AND target_id = ?"
                                               " AND details LIKE '%\"to\":\"revoking\"%'"),
                                {id}),
                 1);
    }

    void unconfirmedRevocationRaisesAnAlertAndKeepsTrying()
    {
        setUp();
        QSignalSpy alerts(&m_cloud->service().engine(), &cloud::engine::ProvisioningEngine::alertRaised);
        const QString id = readyCheckout(m_tech);
        QVERIFY(!id.isEmpty());
        m_fake->leaveNextRevokesUnconfirmed(4); // three tries before the alert, and the first retry after it
        QCOMPARE(api().post(path(id, QStringLiteral("end")), m_tech.token).status, 200);
        QVERIFY(advanceUntil([&] { return state(id) == QLatin1String("revoke_failed"); }, 10'000));
        QCOMPARE(m_fake->callCount(QStringLiteral("revoke")), 3);
        QCOMPARE(alerts.size(), 1);
        const QJsonObject alert = alerts.first().at(1).toJsonObject();
        QCOMPARE(alert.value(QLatin1String("type")).toString(), QStringLiteral("checkout.revoke_failed"));
        QCOMPARE(alert.value(QLatin1String("checkoutId")).toString(), id);
        QVERIFY(alert.value(QLatin1String("detail")).toString().contains(QLatin1String("still visible")));
        QCOMPARE(audited(QStringLiteral("checkout.revoke_failed"), id), 1);
        QCOMPARE(m_cloud->count(QStringLiteral("events"), QStringLiteral("type = 'alert.raised' AND audience = 'admins'")),
                 1);
        // Still retried, on the slower backoff, until it is confirmed — never a silent success.
        QVERIFY(advanceUntil([&] { return state(id) == QLatin1String("ended"); }, 10 * kMinuteMs));
        QCOMPARE(m_fake->callCount(QStringLiteral("revoke")), 5);
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(column(id, QStringLiteral("state_reason")), QStringLiteral("Access removed and confirmed."));
    }

    void policyRemovalRevokesLiveCheckouts()
    {
        setUp();
        const QString id = readyCheckout(m_tech);
        QVERIFY(!id.isEmpty());
        // An unrelated change leaves it alone.
        QJsonObject other = policyBody(QStringLiteral("Other"), {m_tenant}, {kHelpdeskAdministrator}, {m_tech2.id}, {}, 60);
        QVERIFY(!createPolicy(*m_cloud, m_admin.token, other).isEmpty());
        QCOMPARE(state(id), QStringLiteral("ready"));
        const ApiReply removed = api().del(QStringLiteral("/v1/policies/") + m_policy, m_admin.token);
        QVERIFY2(removed.status == 204, removed.describe().constData());
        // Moved to revoking in the deletion's own transaction (the revoke job may already have run since).
        QVERIFY(state(id) == QLatin1String("revoking") || state(id) == QLatin1String("ended"));
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.transition' AND target_id = ?"
                                               " AND details LIKE '%\"reason\":\"policy_removed\"%'"),
                                {id}),
                 1);
        QTRY_COMPARE(state(id), QStringLiteral("ended"));
        QVERIFY(!m_fake->accountByUpn(QStringLiteral("stint-tim@") + kDomain)->enabled);
    }

    void lostConnectionRevokesTheTenantsCheckouts()
    {
        setUp();
        const QString live = readyCheckout(m_tech);
        QVERIFY(!live.isEmpty());
        // A second tenant's checkout is not touched.
        const QString fabrikam = createTenant(*m_cloud, m_admin.token,
                                              tenantBody(QStringLiteral("Fabrikam"), {kUserAdministrator}, 240));
        QVERIFY(!createPolicy(*m_cloud, m_admin.token,
                              policyBody(QStringLiteral("Fab"), {fabrikam}, {kUserAdministrator}, {m_tech.id}, {}, 60))
                     .isEmpty());
        connectTenant(*m_cloud, m_org, fabrikam);
        const QString elsewhere =
            requestCheckout(*m_cloud, m_tech.token, fabrikam, {kUserAdministrator}, 30).value(QLatin1String("id")).toString();
        QTRY_COMPARE(state(elsewhere), QStringLiteral("ready"));

        auto moved = cloud::checkouts::revokeTenantCheckouts(m_cloud->context(), m_org, m_tenant,
                                                          QStringLiteral("connection_lost"));
        QVERIFY(moved.ok());
        QCOMPARE(*moved, 1);
        QTRY_COMPARE(state(live), QStringLiteral("ended"));
        QCOMPARE(state(elsewhere), QStringLiteral("ready"));
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.transition' AND target_id = ?"
                                               " AND details LIKE '%connection_lost%'"),
                                {live}),
                 1);
    }

    void aHundredCheckoutsAtOnce()
    {
        setUp();
        m_fake->setDelay(5);
        QStringList people;
        QList<SignedInPerson> techs;
        for (int i = 0; i < 100; ++i) {
            techs.append(addSignedInPerson(*m_cloud, m_org, QStringLiteral("t%1@acme.example").arg(i)));
            people << techs.last().id;
        }
        const QString group = m_cloud->addGroup(m_org, QStringLiteral("Night shift"), people);
        QVERIFY(!createPolicy(*m_cloud, m_admin.token,
                              policyBody(QStringLiteral("Night"), {m_tenant}, {kUserAdministrator}, {}, {group}, 60))
                     .isEmpty());
        // Hold the first calls at the gate: as many run at once as the per-tenant cap allows (jobs overlap), and
        // no more.
        m_fake->holdProvisions(true);
        for (const SignedInPerson& t : std::as_const(techs))
            QVERIFY(!request(t, 60).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_fake->heldCalls(), 4, 30'000);
        m_fake->holdProvisions(false);
        QTRY_COMPARE_WITH_TIMEOUT(m_cloud->count(QStringLiteral("checkouts"), QStringLiteral("state = 'ready'")), 100,
                                  60'000);
        QCOMPARE(m_fake->accountCount(), 100);
        QCOMPARE(m_fake->callCount(QStringLiteral("provision")), 100);
        QCOMPARE(m_cloud->count(QStringLiteral("checkout_credentials")), 100);
        QVERIFY2(m_fake->maxConcurrentCalls() <= 4, qPrintable(QString::number(m_fake->maxConcurrentCalls())));
        QCOMPARE(m_cloud->service().engine().jobsInFlight(), 0);
    }
};

// Restarts: the service is destroyed mid-job and a new one opened on the same data directory must converge.
class Restartable
{
public:
    Restartable()
    {
        m_config = engineConfig();
        m_config.dataDir = m_dir.path();
        m_config.listenAddress = QHostAddress(QHostAddress::LocalHost);
        m_config.listenPort = 0;
    }

    bool init()
    {
        if (!store::createKeyFile(m_config.keyFilePath()).ok())
            return false;
        auto master = store::loadKeyFile(m_config.keyFilePath());
        if (!master)
            return false;
        auto db = store::SqlCipherDatabase::open(m_config.databasePath(), store::deriveKey(*master, "store"),
                                                 store::SqlCipherDatabase::OpenMode::CreateIfMissing);
        return db.ok() && store::applyMigrations(**db, cloud::cloudMigrations(store::Backend::SqlCipher)).ok();
    }

    bool open()
    {
        auto service = cloud::CloudService::open(
            m_config, &m_clock, std::make_unique<FakeEntraGateway>(m_directory, &m_clock));
        if (!service)
            return false;
        m_service = std::move(*service);
        m_service->engine().setTenantAccessResolver(fakeResolver());
        auto port = m_service->listen();
        if (!port)
            return false;
        m_api.setBase(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(*port)));
        return true;
    }
    void close() { m_service.reset(); }

    FakeEntraGateway fake() { return FakeEntraGateway(m_directory, &m_clock); }
    cloud::CloudService& service() { return *m_service; }
    ApiClient& api() { return m_api; }
    store::Database& db() { return m_service->context().db; }

    QString exec(const QString& sql, const store::Params& params)
    {
        auto done = db().exec(sql, params);
        return done ? QString() : done.error().message;
    }

private:
    QTemporaryDir m_dir;
    cloud::CloudConfig m_config;
    ManualClock m_clock;
    std::shared_ptr<FakeEntraGateway::Directory> m_directory = std::make_shared<FakeEntraGateway::Directory>();
    std::unique_ptr<cloud::CloudService> m_service;
    ApiClient m_api;
};

class TestProvisioningEngineRestart : public QObject
{
    Q_OBJECT

    struct Seeded
    {
        QString org, tech, techToken, admin, adminToken, tenant;
    };

    static Seeded seed(Restartable& r)
    {
        Seeded s;
        s.org = ids::newId(u"org");
        const TimeMs now = 1'800'000'000'000;
        const models::Organization org;
        if (!r.exec(QStringLiteral("INSERT INTO organizations (id, name, settings, created_at, updated_at)"
                                   " VALUES (?, 'Acme', ?, ?, ?)"),
                    {s.org, QString::fromUtf8(QJsonDocument(org.settingsJson()).toJson()), now, now})
                 .isEmpty())
            return {};
        const auto person = [&](const QString& email, const QString& role, QString* token) {
            const QString id = ids::newId(u"per");
            r.exec(QStringLiteral("INSERT INTO people (id, org_id, email, display_name, role, status, created_at,"
                                  " updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)"),
                   {id, s.org, email, email.section(QLatin1Char('@'), 0, 0), role, now, now});
            auto session = r.service().context().sessions.create(id, s.org, QStringLiteral("127.0.0.1"),
                                                                 QStringLiteral("tests"));
            *token = session ? session->token : QString();
            return id;
        };
        s.admin = person(QStringLiteral("ada@acme.example"), QStringLiteral("admin"), &s.adminToken);
        s.tech = person(QStringLiteral("tim@acme.example"), QStringLiteral("technician"), &s.techToken);
        const ApiReply tenant = r.api().post(QStringLiteral("/v1/tenants"), s.adminToken,
                                             tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}, 240));
        s.tenant = tenant.json.value(QLatin1String("id")).toString();
        r.api().post(QStringLiteral("/v1/policies"), s.adminToken,
                     policyBody(QStringLiteral("Helpdesk"), {s.tenant}, {kUserAdministrator}, {s.tech}, {}, 60));
        models::TenantConnection c;
        c.accountDomain = kDomain;
        c.rolesOffered = {{kUserAdministrator, QStringLiteral("User Administrator")}};
        c.maxDurationMinutes = 240;
        c.defaultDurationMinutes = 60;
        r.exec(QStringLiteral("UPDATE tenants SET connection_status = 'connected', entra_tenant_id = ?, connection = ?"
                              " WHERE id = ?"),
               {kEntraTenantId, QString::fromUtf8(QJsonDocument(c.settingsJson()).toJson(QJsonDocument::Compact)),
                s.tenant});
        return s;
    }

    static QString stateIn(Restartable& r, const QString& id)
    {
        auto rows = r.db().query(QStringLiteral("SELECT state FROM checkouts WHERE id = ?"), {id});
        return rows && !rows->empty() ? rows->front().text(0) : QString();
    }

private Q_SLOTS:
    void restartMidProvisioningConverges()
    {
        Restartable r;
        QVERIFY(r.init());
        QVERIFY(r.open());
        const Seeded s = seed(r);
        QVERIFY(!s.tenant.isEmpty() && !s.techToken.isEmpty());
        FakeEntraGateway fake = r.fake();
        fake.holdProvisions(true);
        const ApiReply asked = r.api().post(QStringLiteral("/v1/checkouts"), s.techToken,
                                            {{QStringLiteral("tenantId"), s.tenant},
                                             {QStringLiteral("roleDefinitionIds"), QJsonArray{kUserAdministrator}},
                                             {QStringLiteral("durationMinutes"), 30},
                                             {QStringLiteral("justification"), QStringLiteral("restart")}});
        QVERIFY2(asked.status == 201, asked.describe().constData());
        const QString id = asked.json.value(QLatin1String("id")).toString();
        QTRY_COMPARE(fake.heldCalls(), 1);
        QCOMPARE(stateIn(r, id), QStringLiteral("provisioning"));
        // The Graph call completes in the tenant, but the service goes away before it hears the answer.
        fake.holdProvisions(false);
        r.close();
        QCOMPARE(fake.accountCount(), 1);

        QVERIFY(r.open());
        QTRY_COMPARE(stateIn(r, id), QStringLiteral("ready"));
        // One retry of the idempotent call, which found the account the first one made.
        QCOMPARE(fake.callCount(QStringLiteral("provision")), 2);
        QCOMPARE(fake.accountCount(), 1);
        QCOMPARE(r.db().query(QStringLiteral("SELECT COUNT(*) FROM checkout_credentials"))->front().integer(0), 1);
    }

    void restartMidRevocationConverges()
    {
        Restartable r;
        QVERIFY(r.init());
        QVERIFY(r.open());
        const Seeded s = seed(r);
        QVERIFY(!s.tenant.isEmpty());
        FakeEntraGateway fake = r.fake();
        const ApiReply asked = r.api().post(QStringLiteral("/v1/checkouts"), s.techToken,
                                            {{QStringLiteral("tenantId"), s.tenant},
                                             {QStringLiteral("roleDefinitionIds"), QJsonArray{kUserAdministrator}},
                                             {QStringLiteral("durationMinutes"), 30},
                                             {QStringLiteral("justification"), QStringLiteral("restart")}});
        const QString id = asked.json.value(QLatin1String("id")).toString();
        QTRY_COMPARE(stateIn(r, id), QStringLiteral("ready"));
        fake.holdRevokes(true);
        QCOMPARE(r.api().post(QStringLiteral("/v1/checkouts/%1/end").arg(id), s.techToken).status, 200);
        QTRY_COMPARE(fake.heldCalls(), 1);
        fake.holdRevokes(false);
        r.close();

        QVERIFY(r.open());
        QTRY_COMPARE(stateIn(r, id), QStringLiteral("ended"));
        QCOMPARE(fake.callCount(QStringLiteral("revoke")), 2);
        QCOMPARE(fake.callCount(QStringLiteral("provision")), 1);
        QCOMPARE(fake.accountCount(), 1);
        QVERIFY(!fake.accountByUpn(QStringLiteral("stint-tim@") + kDomain)->enabled);
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    int status = 0;
    {
        TestProvisioningEngine engine;
        status |= QTest::qExec(&engine, argc, argv);
    }
    {
        TestProvisioningEngineRestart restart;
        status |= QTest::qExec(&restart, argc, argv);
    }
    return status;
}

#include "TestProvisioningEngine.moc"
