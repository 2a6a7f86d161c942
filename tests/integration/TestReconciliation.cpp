// SPDX-License-Identifier: GPL-3.0-or-later
// Reconciliation: Stint's accounts in a tenant that are enabled or hold roles without a live checkout are revoked,
// audited (reconcile.drift) and alerted — on a schedule and on demand; accounts of live checkouts are left alone.
#include "cloud/reconcile/Reconciler.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/FakeConnectGateway.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace stint;
using namespace stint::test;

namespace {
const QString kTenantGuid = QStringLiteral("aaaabbbb-0000-cccc-1111-dddd2222eeee");

entra::ManagedAccount account(const QString& id, bool enabled, const QStringList& roles = {})
{
    return {id, QStringLiteral("stint-%1@contoso.com").arg(id.left(8)), enabled, roles};
}
const QString kDrifted = QStringLiteral("10000000-0000-0000-0000-000000000001");
const QString kRolesOnly = QStringLiteral("10000000-0000-0000-0000-000000000002");
const QString kClean = QStringLiteral("10000000-0000-0000-0000-000000000003");
const QString kLive = QStringLiteral("10000000-0000-0000-0000-000000000004");
} // namespace

class TestReconciliation : public QObject
{
    Q_OBJECT

    std::unique_ptr<CloudFixture> m_cloud;
    FakeConnectGateway* m_gateway = nullptr;
    QString m_org, m_tenant;
    SignedInPerson m_admin, m_tech, m_otherAdmin;

    ApiClient& api() { return m_cloud->api(); }
    QJsonObject connection() { return api().get(QStringLiteral("/v1/tenants/%1/connection").arg(m_tenant), m_admin.token).json; }
    qint64 audits(const QString& action, const QString& outcome = QStringLiteral("success"))
    {
        return m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = ? AND outcome = ?"), {action, outcome});
    }
    qint64 alerts()
    {
        return m_cloud->count(QStringLiteral("events"), QStringLiteral("type = 'alert.raised' AND payload LIKE '%reconcile.drift%'"));
    }
    void advance(qint64 ms)
    {
        m_cloud->clock().advance(ms);
        m_admin.token = m_cloud->signIn(m_admin.id);
    }

    // Connects the tenant with its own app (no browser); the scheduler reconciles it right away.
    void connect()
    {
        const QJsonObject credential{{QStringLiteral("kind"), QStringLiteral("client_secret")},
                                     {QStringLiteral("clientId"), QStringLiteral("11112222-bbbb-3333-cccc-4444dddd5555")},
                                     {QStringLiteral("clientSecret"), QStringLiteral("own-secret")}};
        QCOMPARE(api().send("PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(m_tenant), m_admin.token,
                            QJsonDocument(credential).toJson(QJsonDocument::Compact))
                     .status,
                 200);
        QCOMPARE(api().post(QStringLiteral("/v1/tenants/%1/connection/check").arg(m_tenant), m_admin.token,
                            {{QStringLiteral("entraTenantId"), kTenantGuid}})
                     .status,
                 202);
        QTRY_COMPARE_WITH_TIMEOUT(connection().value(QLatin1String("status")).toString(), QStringLiteral("connected"), 10000);
    }

private slots:
    void init()
    {
        cloud::CloudConfig config;
        config.schedulerTickMs = 50;
        config.entra.reconcileIntervalMinutes = 15;
        m_cloud = std::make_unique<CloudFixture>(config);
        auto gateway = std::make_unique<FakeConnectGateway>();
        m_gateway = gateway.get();
        m_cloud->setGateway(std::move(gateway));
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        m_org = m_cloud->addOrganization(QStringLiteral("Acme MSP"));
        m_admin = addSignedInPerson(*m_cloud, m_org, QStringLiteral("admin@acme.example"), QStringLiteral("admin"));
        m_tech = addSignedInPerson(*m_cloud, m_org, QStringLiteral("tech@acme.example"));
        m_otherAdmin = addSignedInPerson(*m_cloud, m_cloud->addOrganization(QStringLiteral("Other")),
                                         QStringLiteral("admin@other.example"), QStringLiteral("admin"));
        m_tenant = createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}));
        QVERIFY(!m_tenant.isEmpty());
    }

    void cleanup()
    {
        if (m_gateway)
            m_gateway->holdListing(false); // a failed test must not leave a worker waiting
        m_cloud.reset();
        m_gateway = nullptr;
    }

    void scheduledReconciliationRevokesDrift()
    {
        m_gateway->setManagedAccounts({account(kDrifted, true, {kUserAdministrator}), account(kRolesOnly, false, {kHelpdeskAdministrator}),
                                       account(kClean, false)});
        connect();
        QTRY_COMPARE_WITH_TIMEOUT(m_gateway->revokedAccounts().size(), 2, 10000);
        const QStringList revoked = m_gateway->revokedAccounts();
        QCOMPARE(QSet<QString>(revoked.begin(), revoked.end()), (QSet<QString>{kDrifted, kRolesOnly}));
        QTRY_COMPARE_WITH_TIMEOUT(audits(QStringLiteral("reconcile.drift")), qint64(2), 10000);
        const auto rows = m_cloud->db().query(QStringLiteral("SELECT actor_id, target_id, details FROM audit_events WHERE action = 'reconcile.drift' ORDER BY seq"));
        QVERIFY(rows.ok());
        for (const store::Row& r : *rows) {
            QCOMPARE(r.text(0), QStringLiteral("system"));
            const QJsonObject details = QJsonDocument::fromJson(r.text(2).toUtf8()).object();
            QCOMPARE(details.value(QLatin1String("done")).toString(), QStringLiteral("revoked"));
            QVERIFY(!details.value(QLatin1String("found")).toString().isEmpty());
            QVERIFY(details.value(QLatin1String("userPrincipalName")).toString().endsWith(QLatin1String("@contoso.com")));
        }
        QCOMPARE(alerts(), qint64(1));
        const QJsonObject conn = connection();
        QCOMPARE(conn.value(QLatin1String("driftFound")).toInt(), 2);
        QVERIFY(!conn.value(QLatin1String("lastReconciledAt")).toString().isEmpty());

        // Nothing left: the next scheduled run (15 minutes on) finds no drift and raises nothing.
        const int lists = m_gateway->listCalls();
        advance(15LL * 60 * 1000 + 1);
        QTRY_VERIFY_WITH_TIMEOUT(m_gateway->listCalls() > lists, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(audits(QStringLiteral("reconcile.run")), qint64(2), 10000);
        QCOMPARE(alerts(), qint64(1));
        QCOMPARE(connection().value(QLatin1String("driftFound")).toInt(), 0);
    }

    void onDemandReconciliation()
    {
        connect();
        QTRY_COMPARE_WITH_TIMEOUT(audits(QStringLiteral("reconcile.run")), qint64(1), 10000); // the scheduler's first run
        // Someone re-enabled a Stint account in the tenant by hand.
        m_gateway->setManagedAccounts({account(kDrifted, true)});
        const QString path = QStringLiteral("/v1/tenants/%1/reconcile").arg(m_tenant);
        QCOMPARE(api().post(path, m_tech.token).status, 403);
        QCOMPARE(api().post(path, m_otherAdmin.token).status, 404);
        const ApiReply r = api().post(path, m_admin.token);
        QVERIFY2(r.status == 202, r.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(m_gateway->revokedAccounts(), QStringList{kDrifted}, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(audits(QStringLiteral("reconcile.drift")), qint64(1), 10000);
        QCOMPARE(m_cloud->scalar(QStringLiteral("SELECT COUNT(*) FROM audit_events WHERE action = 'reconcile.drift' AND actor_id = ?"), {m_admin.id}), qint64(1));
        QCOMPARE(alerts(), qint64(1));
    }

    void unconfirmedRevocationIsAFailure()
    {
        m_gateway->setManagedAccounts({account(kDrifted, true, {kUserAdministrator})});
        m_gateway->failRevoke(kDrifted);
        connect();
        QTRY_COMPARE_WITH_TIMEOUT(audits(QStringLiteral("reconcile.drift"), QStringLiteral("failure")), qint64(1), 10000);
        QCOMPARE(alerts(), qint64(1));
        QVERIFY(QJsonDocument(connection()).toJson().contains("revocation not confirmed"));
    }

    void notConnectedCannotReconcile()
    {
        const QString before = m_cloud->snapshot();
        const ApiReply r = api().post(QStringLiteral("/v1/tenants/%1/reconcile").arg(m_tenant), m_admin.token);
        QCOMPARE(r.problem(), QStringLiteral("not-connected"));
        QCOMPARE(api().post(QStringLiteral("/v1/tenants/tnt_bad/reconcile"), m_admin.token).status, 404);
        QCOMPARE(m_cloud->snapshot(), before);
        QCOMPARE(m_gateway->listCalls(), 0);
    }

    void liveCheckoutsAreLeftAlone()
    {
        QVERIFY(!createPolicy(*m_cloud, m_admin.token, policyBody(QStringLiteral("Helpdesk"), {m_tenant}, {kUserAdministrator}, {m_tech.id})).isEmpty());
        const QString checkout = requestCheckout(*m_cloud, m_tech.token, m_tenant, {kUserAdministrator}, 30).value(QLatin1String("id")).toString();
        QVERIFY(!checkout.isEmpty());
        forceCheckoutState(*m_cloud, checkout, QStringLiteral("ready"));
        m_gateway->setManagedAccounts({account(kLive, true, {kUserAdministrator}), account(kDrifted, true)});

        // The engine's record says which account is the technician's: it is protected, the other one revoked.
        QVERIFY(m_cloud->db().exec(QStringLiteral("INSERT INTO tenant_accounts (org_id, tenant_id, person_id, account_id, upn, created_at)"
                                                  " SELECT org_id, ?, ?, ?, ?, 0 FROM tenants WHERE id = ?"),
                                   {m_tenant, m_tech.id, kLive, QStringLiteral("live@contoso.example"), m_tenant}).ok());
        auto covered = cloud::reconcile::protectedAccounts(m_cloud->db(), m_org, m_tenant);
        QVERIFY(covered.ok());
        QVERIFY(covered->accountIds.contains(kLive));
        connect();
        QTRY_COMPARE_WITH_TIMEOUT(m_gateway->revokedAccounts(), QStringList{kDrifted}, 10000);
    }

    // Found by the lifecycle test against entra-sim ("msp app, throttling" reported reconcile.drift once): a checkout
    // that ended while a reconciliation was listing the tenant — the listing still showing its account as it was
    // before the revocation, enabled with roles — was taken for drift, revoked a second time and alerted. An account
    // a live checkout covered when the listing began is not drift.
    void checkoutEndedDuringTheListingIsNotDrift()
    {
        QVERIFY(!createPolicy(*m_cloud, m_admin.token, policyBody(QStringLiteral("Helpdesk"), {m_tenant}, {kUserAdministrator}, {m_tech.id})).isEmpty());
        const QString checkout = requestCheckout(*m_cloud, m_tech.token, m_tenant, {kUserAdministrator}, 30).value(QLatin1String("id")).toString();
        QVERIFY(!checkout.isEmpty());
        forceCheckoutState(*m_cloud, checkout, QStringLiteral("ready"));
        QVERIFY(m_cloud->db().exec(QStringLiteral("INSERT INTO tenant_accounts (org_id, tenant_id, person_id, account_id, upn, created_at)"
                                                  " SELECT org_id, ?, ?, ?, ?, 0 FROM tenants WHERE id = ?"),
                                   {m_tenant, m_tech.id, kLive, QStringLiteral("live@contoso.example"), m_tenant}).ok());
        m_gateway->setManagedAccounts({account(kLive, true, {kUserAdministrator})});
        connect();
        QTRY_VERIFY_WITH_TIMEOUT(audits(QStringLiteral("reconcile.run")) >= 1, 10000); // the one connecting starts
        QVERIFY(m_gateway->revokedAccounts().isEmpty());

        const qint64 runs = audits(QStringLiteral("reconcile.run"));
        m_gateway->holdListing(true);
        QCOMPARE(api().post(QStringLiteral("/v1/tenants/%1/reconcile").arg(m_tenant), m_admin.token).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(m_gateway->listingsHeld(), 1, 10000);
        // While the tenant is listed, the checkout ends (its revocation confirmed); the picture still shows the
        // account enabled with its role.
        forceCheckoutState(*m_cloud, checkout, QStringLiteral("ended"));
        m_gateway->holdListing(false);
        QTRY_COMPARE_WITH_TIMEOUT(audits(QStringLiteral("reconcile.run")), runs + 1, 10000);
        QVERIFY(m_gateway->revokedAccounts().isEmpty());
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = 'reconcile.drift'")), qint64(0));
        QCOMPARE(alerts(), qint64(0));
    }

    // Found by the lifecycle test against entra-sim: a reconciliation that listed the tenant while a checkout was
    // still provisioning a *new* account (its id is recorded only when the job is done) took that account for drift
    // and disabled it just before the checkout became ready. The account the engine is making — by the naming rule
    // on the tenant's domain — is covered as soon as the checkout is live.
    void accountBeingProvisionedIsNotDrift()
    {
        QVERIFY(!createPolicy(*m_cloud, m_admin.token, policyBody(QStringLiteral("Helpdesk"), {m_tenant}, {kUserAdministrator}, {m_tech.id})).isEmpty());
        connect();
        QTRY_VERIFY_WITH_TIMEOUT(audits(QStringLiteral("reconcile.run")) >= 1, 10000); // the one connecting starts
        const ApiReply tenant = api().get(QStringLiteral("/v1/tenants/") + m_tenant, m_admin.token);
        const ApiReply patched = api().patch(QStringLiteral("/v1/tenants/") + m_tenant, m_admin.token,
                                             {{QStringLiteral("version"), tenant.json.value(QLatin1String("version"))},
                                              {QStringLiteral("connection"), QJsonObject{{QStringLiteral("accountDomain"), QStringLiteral("contoso.com")}}}});
        QVERIFY2(patched.status == 200, patched.describe().constData());
        const QString checkout = requestCheckout(*m_cloud, m_tech.token, m_tenant, {kUserAdministrator}, 30).value(QLatin1String("id")).toString();
        QVERIFY(!checkout.isEmpty());
        forceCheckoutState(*m_cloud, checkout, QStringLiteral("provisioning"));
        QCOMPARE(m_cloud->count(QStringLiteral("tenant_accounts")), qint64(0));
        QCOMPARE(m_cloud->count(QStringLiteral("checkouts"), QStringLiteral("id = ? AND state = 'provisioning'"), {checkout}), qint64(1));
        // tech@acme.example under the default rule stint-{user} on contoso.com; the UPN Graph reports may differ in case.
        const entra::ManagedAccount inTheMaking{kLive, QStringLiteral("Stint-Tech@Contoso.com"), true, {kUserAdministrator}};
        auto covered = cloud::reconcile::protectedAccounts(m_cloud->db(), m_org, m_tenant);
        QVERIFY(covered.ok());
        QVERIFY(covered->covers(inTheMaking));
        QVERIFY(!covered->covers(account(kDrifted, true)));

        const qint64 runs = audits(QStringLiteral("reconcile.run"));
        m_gateway->setManagedAccounts({inTheMaking, account(kDrifted, true)});
        QCOMPARE(api().post(QStringLiteral("/v1/tenants/%1/reconcile").arg(m_tenant), m_admin.token).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(audits(QStringLiteral("reconcile.run")), runs + 1, 10000);
        QCOMPARE(m_gateway->revokedAccounts(), QStringList{kDrifted});
    }
};

QTEST_GUILESS_MAIN(TestReconciliation)
#include "TestReconciliation.moc"
