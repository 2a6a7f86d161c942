// SPDX-License-Identifier: GPL-3.0-or-later
// Connecting a customer tenant through the customer's own app registration (the second connection kind), against
// entra-sim with nothing faked on Stint's side: the cloud in-process with the real Graph gateway, the simulator
// playing login.microsoftonline.com and graph.microsoft.com on the same manual clock. The customer's admin signs in
// on the simulator's authorize page, the cloud redeems the code with the app's secret or certificate and the PKCE
// verifier it kept, verifies the id_token, proves the admin's tenant with inspect() and reports its health.
#include "IdentitySignInDriver.h"
#include "Simulator.h"
#include "cloud/CloudContext.h"
#include "cloud/WorkerPool.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/IdentityCertificates.h"
#include "support/StintInEntra.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QTest>
#include <QUrlQuery>
#include <memory>

using namespace stint;
using namespace stint::test;
using namespace stint::entrasim;

namespace {

const QString kRedirect = QStringLiteral("http://127.0.0.1:49152/stint/callback");
const QString kContosoAdmin = QStringLiteral("admin@contoso.com");
const QString kContosoPassword = QStringLiteral("Adm1n-Passw0rd!contoso");
const QString kFabrikamAdmin = QStringLiteral("admin@fabrikam.com");
const QString kFabrikamPassword = QStringLiteral("Adm1n-Passw0rd!fabrikam");

// A customer's own app registration in the simulator, with what Stint is given of it.
struct OwnApp
{
    QString clientId;
    QString secret; // client_secret apps
    std::shared_ptr<TestCertificate> certificate; // certificate apps
};

} // namespace

class TestOwnAppConnection : public QObject
{
    Q_OBJECT

    std::unique_ptr<CloudFixture> m_cloud;
    std::unique_ptr<Simulator> m_sim;
    QNetworkAccessManager m_network;
    QString m_contoso, m_fabrikam;
    QString m_org;
    SignedInPerson m_admin;

    ApiClient& api() { return m_cloud->api(); }
    QString path(const QString& tenantId, const QString& rest = {}) const
    {
        return QStringLiteral("/v1/tenants/%1/connection%2").arg(tenantId, rest);
    }

    // The simulator and the cloud on one manual clock; Contoso and Fabrikam, each with a Global Administrator.
    void startWorld()
    {
        m_cloud = std::make_unique<CloudFixture>();
        m_sim = std::make_unique<Simulator>(&m_cloud->clock());
        QVERIFY(m_sim->listen());
        SimState& s = m_sim->state();
        for (const auto& [name, initial, domain, upn, password] :
             {std::tuple {QStringLiteral("Contoso"), QStringLiteral("contoso"), QStringLiteral("contoso.com"),
                          kContosoAdmin, kContosoPassword},
              std::tuple {QStringLiteral("Fabrikam"), QStringLiteral("fabrikam"), QStringLiteral("fabrikam.com"),
                          kFabrikamAdmin, kFabrikamPassword}}) {
            SimTenant& t = s.createTenant(name, initial);
            t.tapPolicy.enabled = true;
            (name == QLatin1String("Contoso") ? m_contoso : m_fabrikam) = t.id;
            QVERIFY(s.addDomain(t.id, SimDomain {domain, true, true, false, QStringLiteral("Managed")}));
            auto admin = s.createUser(t.id, upn, name + QStringLiteral(" Admin"), password);
            QVERIFY(admin.ok());
            QVERIFY(s.assignRole(t.id, (*admin)->id, roles::kGlobalAdministrator).ok());
        }

        cloud::CloudConfig& config = m_cloud->config();
        const QUrl base = m_sim->baseUrl().adjusted(QUrl::StripTrailingSlash);
        config.entra.globalAuthority = base;
        config.entra.globalGraph = base;
        config.entra.graphResource = QStringLiteral("https://graph.microsoft.com");
        config.schedulerTickMs = 100;
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        m_org = m_cloud->addOrganization(QStringLiteral("Northwind MSP"));
        m_admin = addSignedInPerson(*m_cloud, m_org, QStringLiteral("ada@northwind.example"), QStringLiteral("admin"));
    }

    // Registers the customer's own app in Contoso (single-tenant unless `multiTenant`), with the permissions Stint
    // needs granted there and, when `privileged`, its service principal holding Privileged Authentication
    // Administrator.
    OwnApp registerOwnApp(bool certificate, bool privileged, bool multiTenant = false)
    {
        SimState& s = m_sim->state();
        SimApp& app = s.registerApp(m_contoso, QStringLiteral("Stint (Contoso's own)"), stintAppPermissions());
        app.multiTenant = multiTenant;
        app.redirectUris = {QStringLiteral("http://127.0.0.1/stint/callback")};
        const TimeMs now = m_cloud->clock().now();
        OwnApp own;
        own.clientId = app.clientId;
        if (certificate) {
            own.certificate = std::make_shared<TestCertificate>(TestCertificate::generate(
                QStringLiteral("Contoso Stint"), now - 86'400'000LL, now + 365LL * 86'400'000));
            app.certificatePems = {own.certificate->certificatePem};
        } else {
            own.secret = QStringLiteral("own-app-secret~") + QString::fromLatin1(crypto::randomBytes(8).toHex());
            s.addClientSecret(app, own.secret, now + 365LL * 86'400'000);
        }
        const QStringList roles
            = privileged ? QStringList {roles::kPrivilegedAuthenticationAdministrator} : QStringList();
        if (!s.grantServicePrincipal(m_contoso, own.clientId, stintAppPermissions(), roles))
            qWarning("granting the service principal failed");
        return own;
    }

    QString newTenantWith(const OwnApp& app, const QString& name = QStringLiteral("Contoso"))
    {
        const QString tenant = createTenant(*m_cloud, m_admin.token, tenantBody(name, {kUserAdministrator}));
        QJsonObject body {{QStringLiteral("clientId"), app.clientId}};
        if (app.certificate) {
            body.insert(QStringLiteral("kind"), QStringLiteral("certificate"));
            body.insert(QStringLiteral("certificatePem"), QString::fromLatin1(app.certificate->certificatePem));
            body.insert(QStringLiteral("privateKeyPem"), QString::fromLatin1(app.certificate->privateKeyPem.bytes()));
        } else {
            body.insert(QStringLiteral("kind"), QStringLiteral("client_secret"));
            body.insert(QStringLiteral("clientSecret"), app.secret);
        }
        const ApiReply put = api().send("PUT", path(tenant, QStringLiteral("/credential")), m_admin.token,
                                        QJsonDocument(body).toJson(QJsonDocument::Compact));
        if (put.status != 200)
            qWarning("PUT credential: %s", put.describe().constData());
        return tenant;
    }

    struct Flow
    {
        QString state;
        QUrl authorizationUrl;
    };
    Flow startFlow(const QString& tenant, const QString& tenantHint, const QString& loginHint)
    {
        const ApiReply s = api().post(path(tenant, QStringLiteral("/start")), m_admin.token,
                                      {{QStringLiteral("redirectUri"), kRedirect},
                                       {QStringLiteral("kind"), QStringLiteral("authorization_code")},
                                       {QStringLiteral("tenantHint"), tenantHint},
                                       {QStringLiteral("loginHint"), loginHint}});
        if (s.status != 200)
            qWarning("start: %s", s.describe().constData());
        return {s.json.value(QLatin1String("state")).toString(),
                QUrl(s.json.value(QLatin1String("authorizationUrl")).toString())};
    }

    // The admin's browser: the simulator's pages, then the redirect to the desktop app's loopback listener.
    QUrl signIn(const Flow& flow, const QString& upn, const QString& password)
    {
        SignInFailure failure;
        const QUrl callback = driveSignIn(m_network, flow.authorizationUrl, upn, password, {}, &failure);
        if (!callback.isValid())
            qWarning("sign-in failed at %s: %s", qPrintable(failure.step), qPrintable(failure.message));
        return callback;
    }

    ApiReply complete(const QString& tenant, const QUrl& callback)
    {
        return api().post(path(tenant, QStringLiteral("/complete")), m_admin.token,
                          {{QStringLiteral("callbackUrl"), callback.toString(QUrl::FullyEncoded)}});
    }

    QJsonObject connection(const QString& tenant) { return api().get(path(tenant), m_admin.token).json; }
    QString status(const QString& tenant) { return connection(tenant).value(QLatin1String("status")).toString(); }
    QString lastErrorCode(const QString& tenant)
    {
        return connection(tenant).value(QLatin1String("lastError")).toObject().value(QLatin1String("code")).toString();
    }
    // Token requests at the tenant segment the authorize leg used (a domain here): the code redemptions. The health
    // check's client-credentials requests go to the proven tenant id.
    int tokenRequestsAt(const QString& segment) const
    {
        int n = 0;
        for (const LoggedRequest& r : m_sim->requests())
            n += r.method == "POST"
                && r.pathAndQuery == QLatin1Char('/') + segment + QStringLiteral("/oauth2/v2.0/token");
        return n;
    }
    qint64 audits(const QString& action, const QString& outcome)
    {
        return m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = ? AND outcome = ?"),
                              {action, outcome});
    }

    // A newly connected tenant is reconciled at once (its Stint accounts listed through Graph). The simulator answers
    // on this thread, so the test lets that finish before the service is torn down: destroying it waits for its
    // workers, which would otherwise wait for the simulator.
    void settle(const QString& tenant)
    {
        QTRY_VERIFY_WITH_TIMEOUT(!connection(tenant).value(QLatin1String("lastReconciledAt")).isNull(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(m_cloud->context().workers.pending(), 0, 20000);
    }

private slots:
    void cleanup()
    {
        if (m_cloud && m_cloud->port() != 0)
            QTRY_COMPARE_WITH_TIMEOUT(m_cloud->context().workers.pending(), 0, 20000);
        m_cloud.reset();
        m_sim.reset();
    }

    void connectsThroughTheAuthorizePage_data()
    {
        QTest::addColumn<bool>("certificate");
        QTest::addColumn<bool>("privileged");
        QTest::addColumn<QString>("expected");
        QTest::newRow("client secret, privileged SP") << false << true << QStringLiteral("connected");
        QTest::newRow("certificate, privileged SP") << true << true << QStringLiteral("connected");
        QTest::newRow("client secret, SP without a role") << false << false << QStringLiteral("unhealthy");
        QTest::newRow("certificate, SP without a role") << true << false << QStringLiteral("unhealthy");
    }
    void connectsThroughTheAuthorizePage()
    {
        QFETCH(bool, certificate);
        QFETCH(bool, privileged);
        QFETCH(QString, expected);
        startWorld();
        const OwnApp app = registerOwnApp(certificate, privileged);
        const QString tenant = newTenantWith(app);
        QVERIFY(!tenant.isEmpty());
        const Flow flow = startFlow(tenant, QStringLiteral("contoso.com"), kContosoAdmin);
        QCOMPARE(flow.authorizationUrl.host(), m_sim->baseUrl().host());
        QCOMPARE(QUrlQuery(flow.authorizationUrl).queryItemValue(QStringLiteral("client_id")), app.clientId);

        const QUrl callback = signIn(flow, kContosoAdmin, kContosoPassword);
        QVERIFY(callback.isValid());
        QVERIFY(QUrlQuery(callback).hasQueryItem(QStringLiteral("code")));
        const ApiReply c = complete(tenant, callback);
        QVERIFY2(c.status == 202, c.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(status(tenant), expected, 20000);
        const QJsonObject conn = connection(tenant);
        QCOMPARE(conn.value(QLatin1String("entraTenantId")).toString(), m_contoso);
        QCOMPARE(conn.value(QLatin1String("usesMultiTenantApp")).toBool(), false);
        const QJsonObject report = conn.value(QLatin1String("report")).toObject();
        QCOMPARE(report.value(QLatin1String("healthy")).toBool(), privileged);
        QVERIFY(report.value(QLatin1String("domains")).toArray().size() >= 2);
        QCOMPARE(tokenRequestsAt(QStringLiteral("contoso.com")), 1);
        // Who signed in is in the audit log, and no secret reached any answer.
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'tenant.connect' AND outcome = 'success' AND details LIKE ?"),
                                {QStringLiteral("%") + kContosoAdmin + QStringLiteral("%")}),
                 qint64(1));
        const QByteArray all = QJsonDocument(conn).toJson() + c.body;
        QVERIFY(!all.contains(QUrlQuery(callback).queryItemValue(QStringLiteral("code")).toUtf8()));
        if (!app.secret.isEmpty())
            QVERIFY(!all.contains(app.secret.toUtf8()));

        // The same callback again: the state is spent, and the code is not redeemed a second time.
        const ApiReply replay = complete(tenant, callback);
        QVERIFY2(replay.status == 400 && replay.problem() == QStringLiteral("state-used"),
                 replay.describe().constData());
        QCOMPARE(tokenRequestsAt(QStringLiteral("contoso.com")), 1);
        settle(tenant);
    }

    void codeForAnotherClientIsRefused()
    {
        startWorld();
        const OwnApp first = registerOwnApp(false, true);
        const OwnApp second = registerOwnApp(true, true);
        const QString tenant = newTenantWith(first);
        const QString other = newTenantWith(second, QStringLiteral("Contoso (second record)"));
        const Flow mine = startFlow(tenant, m_contoso, kContosoAdmin);
        const Flow theirs = startFlow(other, m_contoso, kContosoAdmin);
        // The code the simulator issued to the second app, pasted into the first flow's callback.
        const QUrl theirCallback = signIn(theirs, kContosoAdmin, kContosoPassword);
        QVERIFY(theirCallback.isValid());
        QUrl injected(kRedirect);
        injected.setQuery(
            QStringLiteral("code=%1&state=%2")
                .arg(QUrlQuery(theirCallback).queryItemValue(QStringLiteral("code"), QUrl::FullyEncoded), mine.state));
        QCOMPARE(complete(tenant, injected).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(lastErrorCode(tenant), QStringLiteral("entra.token_rejected"), 20000);
        const QJsonObject conn = connection(tenant);
        QVERIFY2(conn.value(QLatin1String("lastError"))
                     .toObject()
                     .value(QLatin1String("message"))
                     .toString()
                     .contains(QLatin1String("AADSTS")),
                 QJsonDocument(conn).toJson().constData());
        QCOMPARE(conn.value(QLatin1String("status")).toString(), QStringLiteral("not_connected"));
        QVERIFY(conn.value(QLatin1String("entraTenantId")).isNull());
        QVERIFY(conn.value(QLatin1String("report")).isNull());
        QCOMPARE(audits(QStringLiteral("tenant.connect"), QStringLiteral("failure")), qint64(1));
        // Nothing was inspected in Contoso: no Graph call at all.
        for (const LoggedRequest& r : m_sim->requests())
            QVERIFY2(r.area != QLatin1String("graph"), qPrintable(r.pathAndQuery));
    }

    void signInToAnotherTenantIsRefused()
    {
        startWorld();
        // A multi-tenant app of Contoso's, also consented in Fabrikam.
        const OwnApp app = registerOwnApp(false, true, true);
        QVERIFY(m_sim->state().grantServicePrincipal(m_fabrikam, app.clientId, stintAppPermissions(), {}).ok());
        const QString tenant = newTenantWith(app);
        const Flow flow = startFlow(tenant, QStringLiteral("contoso.com"), kContosoAdmin);
        QCOMPARE(complete(tenant, signIn(flow, kContosoAdmin, kContosoPassword)).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(status(tenant), QStringLiteral("connected"), 20000);
        settle(tenant);
        const QJsonObject before = connection(tenant);

        // The record is Contoso's; an admin of Fabrikam signs in through it.
        const Flow again = startFlow(tenant, QStringLiteral("fabrikam.com"), kFabrikamAdmin);
        const QUrl callback = signIn(again, kFabrikamAdmin, kFabrikamPassword);
        QVERIFY(callback.isValid());
        QCOMPARE(complete(tenant, callback).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(lastErrorCode(tenant), QStringLiteral("entra.tenant_mismatch"), 20000);
        const QJsonObject after = connection(tenant);
        QCOMPARE(after.value(QLatin1String("status")).toString(), QStringLiteral("connected"));
        QCOMPARE(after.value(QLatin1String("entraTenantId")).toString(), m_contoso);
        QCOMPARE(after.value(QLatin1String("report")), before.value(QLatin1String("report")));
        QCOMPARE(audits(QStringLiteral("tenant.connect"), QStringLiteral("failure")), qint64(1));
        QCOMPARE(tokenRequestsAt(QStringLiteral("contoso.com")), 1);
        QCOMPARE(tokenRequestsAt(QStringLiteral("fabrikam.com")), 1);
    }
};

QTEST_GUILESS_MAIN(TestOwnAppConnection)
#include "TestOwnAppConnection.moc"
