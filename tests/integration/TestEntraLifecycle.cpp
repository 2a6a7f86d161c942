// SPDX-License-Identifier: GPL-3.0-or-later
// The whole checkout lifecycle against entra-sim, with nothing faked on Stint's side: the cloud service in-process
// with the real Graph gateway, the simulator playing login.microsoftonline.com and graph.microsoft.com on the same
// manual clock. An admin connects a customer tenant — by admin consent of the MSP's multi-tenant app, or with the
// customer's own app registration and its certificate —, a technician asks for access, the credential handed out as
// "ready" signs in on the simulator's sign-in page, and when the time is up every grant is gone from the directory
// and the old credential no longer works: for both connection kinds, with each of the simulator's faults switched
// on in turn.
#include "cloud/CloudContext.h"
#include "cloud/WorkerPool.h"
#include "IdentitySignInDriver.h"
#include "Simulator.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/IdentityCertificates.h"
#include "support/StintInEntra.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

#include <memory>

using namespace stint;
using namespace stint::test;
using namespace stint::entrasim;

namespace {

const QString kPrivilegedAuthAdmin = QStringLiteral("7be44c8a-adaf-4e2a-84d6-ab2649e08a13");
const QString kRedirect = QStringLiteral("http://127.0.0.1:49152/stint/callback");
const QString kCustomerAdmin = QStringLiteral("admin@contoso.com");
const QString kCustomerAdminPassword = QStringLiteral("Adm1n-Passw0rd!contoso");

enum class Connection
{
    MspAppConsent, // the MSP's multi-tenant app, admin consent on the simulator's pages
    OwnAppCertificate, // an app registered in the customer's tenant, a certificate credential given to Stint
};

enum class Fault
{
    None,
    Latency,
    Throttling,
    ServerErrors,
    DroppedConnections,
    ExpiredTokens,
    ReplicationLag,
};

bool CheckoutStateMachineFinal(const QString& state)
{
    return state == QLatin1String("ended") || state == QLatin1String("failed") || state == QLatin1String("cancelled")
        || state == QLatin1String("denied") || state == QLatin1String("expired");
}

} // namespace

Q_DECLARE_METATYPE(Connection)
Q_DECLARE_METATYPE(Fault)

class TestEntraLifecycle : public QObject
{
    Q_OBJECT

    QTemporaryDir m_secrets;
    std::unique_ptr<CloudFixture> m_cloud;
    std::unique_ptr<Simulator> m_sim;
    std::unique_ptr<QTimer> m_ticker;
    QNetworkAccessManager m_network;
    QString m_customerTenant;
    QString m_mspAppId;
    QString m_adminToken;
    QString m_org;
    QString m_tech;
    QString m_techToken;
    QString m_tenant;
    QString m_signInClientId; // the app whose authorize flow the sign-in checks use

    ApiClient& api() { return m_cloud->api(); }

    // The simulator and the cloud on one manual clock that runs at five times real time (so replication lag and
    // Retry-After pass while the test waits on conditions), and jumps when the test says.
    bool startWorld(const QString& mspSecret)
    {
        m_cloud = std::make_unique<CloudFixture>();
        ManualClock& clock = m_cloud->clock();
        m_sim = std::make_unique<Simulator>(&clock);
        if (!m_sim->listen())
            return false;
        SimState& s = m_sim->state();
        SimTenant& msp = s.createTenant(QStringLiteral("Northwind MSP"), QStringLiteral("northwind"));
        SimApp& app = s.registerApp(msp.id, QStringLiteral("Stint"), stintAppPermissions());
        app.redirectUris = {QStringLiteral("http://127.0.0.1/stint/callback")};
        s.addClientSecret(app, mspSecret, clock.now() + 365LL * 86'400'000);
        m_mspAppId = app.clientId;
        m_signInClientId = m_mspAppId;
        SimTenant& customer = s.createTenant(QStringLiteral("Contoso"), QStringLiteral("contoso"));
        customer.tapPolicy.enabled = true;
        m_customerTenant = customer.id;
        if (!s.addDomain(customer.id, SimDomain{QStringLiteral("contoso.com"), true, true, false, QStringLiteral("Managed")}))
            return false;
        auto admin = s.createUser(customer.id, kCustomerAdmin, QStringLiteral("Contoso Admin"), kCustomerAdminPassword);
        if (!admin || !s.assignRole(customer.id, (*admin)->id, kGlobalAdministrator))
            return false;

        const QString secretFile = m_secrets.filePath(QStringLiteral("msp-app.secret"));
        QFile f(secretFile);
        if (!f.open(QIODevice::WriteOnly) || f.write(mspSecret.toUtf8()) < 0)
            return false;
        f.close();
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);

        cloud::CloudConfig& config = m_cloud->config();
        const QUrl base = m_sim->baseUrl().adjusted(QUrl::StripTrailingSlash);
        config.entra.globalAuthority = base;
        config.entra.globalGraph = base;
        config.entra.graphResource = QStringLiteral("https://graph.microsoft.com");
        config.entra.appClientId = m_mspAppId;
        config.entra.appClientSecretFile = secretFile;
        config.entra.workerThreads = 8;
        config.engine.pollIntervalMs = 100;
        config.schedulerTickMs = 100;
        if (!m_cloud->start())
            return false;
        m_ticker = std::make_unique<QTimer>();
        QObject::connect(m_ticker.get(), &QTimer::timeout, m_ticker.get(), [&clock]() { clock.advance(50); });
        m_ticker->start(10);

        m_org = m_cloud->addOrganization(QStringLiteral("Northwind MSP"));
        const QString admin2 = m_cloud->addPerson(m_org, QStringLiteral("ada@northwind.example"), QStringLiteral("admin"));
        m_tech = m_cloud->addPerson(m_org, QStringLiteral("tom.tech@northwind.example"), QStringLiteral("technician"),
                                    QStringLiteral("Tom Tech"));
        m_adminToken = m_cloud->signIn(admin2);
        m_techToken = m_cloud->signIn(m_tech);
        return !m_adminToken.isEmpty() && !m_techToken.isEmpty();
    }

    QString connectionStatus()
    {
        return api()
            .get(QStringLiteral("/v1/tenants/%1/connection").arg(m_tenant), m_adminToken)
            .json.value(QLatin1String("status"))
            .toString();
    }

    QJsonObject connection()
    {
        return api().get(QStringLiteral("/v1/tenants/%1/connection").arg(m_tenant), m_adminToken).json;
    }

    // PATCHes the tenant's connection settings over its current version.
    ApiReply patchConnection(const QJsonObject& settings)
    {
        const ApiReply tenant = api().get(QStringLiteral("/v1/tenants/") + m_tenant, m_adminToken);
        return api().send("PATCH", QStringLiteral("/v1/tenants/") + m_tenant, m_adminToken,
                          QJsonDocument(QJsonObject{{QStringLiteral("version"), tenant.json.value(QLatin1String("version"))},
                                                    {QStringLiteral("connection"), settings}})
                              .toJson(QJsonDocument::Compact));
    }

    // Runs a health check now and waits for its result.
    void checkNow()
    {
        const QString before = connection().value(QLatin1String("checkedAt")).toString();
        const ApiReply check = api().post(QStringLiteral("/v1/tenants/%1/connection/check").arg(m_tenant),
                                          m_adminToken, QJsonObject());
        QVERIFY2(check.status == 202, check.describe().constData());
        QTRY_VERIFY_WITH_TIMEOUT(connection().value(QLatin1String("checkedAt")).toString() != before, 20000);
    }

    static QStringList findingCodes(const QJsonObject& connection)
    {
        QStringList codes;
        for (const QJsonValue& f : connection.value(QLatin1String("report")).toObject().value(QLatin1String("findings")).toArray())
            codes << f.toObject().value(QLatin1String("code")).toString();
        return codes;
    }

    QJsonObject checkout(const QString& id)
    {
        return api().get(QStringLiteral("/v1/checkouts/") + id, m_techToken).json;
    }

    // The admin's side: the tenant record, the connection of the given kind, the proof, the settings.
    void connectTenant(Connection kind)
    {
        m_tenant = createTenant(*m_cloud, m_adminToken,
                                tenantBody(QStringLiteral("Contoso"), {kUserAdministrator, kHelpdeskAdministrator}, 240));
        QVERIFY(!m_tenant.isEmpty());
        if (kind == Connection::MspAppConsent)
            consentToMspApp();
        else
            giveOwnApp();
        if (QTest::currentTestFailed())
            return;
        const ApiReply tenant = api().get(QStringLiteral("/v1/tenants/") + m_tenant, m_adminToken);
        const ApiReply patched = api().send(
            "PATCH", QStringLiteral("/v1/tenants/") + m_tenant, m_adminToken,
            QJsonDocument(QJsonObject{{QStringLiteral("version"), tenant.json.value(QLatin1String("version"))},
                                      {QStringLiteral("connection"),
                                       QJsonObject{{QStringLiteral("accountDomain"), QStringLiteral("contoso.com")},
                                                   {QStringLiteral("credentialKind"), QStringLiteral("both")}}}})
                .toJson(QJsonDocument::Compact));
        QVERIFY2(patched.status == 200, patched.describe().constData());
        QVERIFY(!createPolicy(*m_cloud, m_adminToken,
                              policyBody(QStringLiteral("Helpdesk"), {m_tenant},
                                         {kUserAdministrator, kHelpdeskAdministrator}, {m_tech}, {}, 120))
                     .isEmpty());
    }

    // Admin consent of the MSP's app through the simulator's pages. Consent alone leaves the app's service principal
    // without a directory role: the health check says so until the customer's admin gives it one.
    void consentToMspApp()
    {
        const ApiReply start = api().post(QStringLiteral("/v1/tenants/%1/connection/start").arg(m_tenant), m_adminToken,
                                          {{QStringLiteral("redirectUri"), kRedirect},
                                           {QStringLiteral("kind"), QStringLiteral("admin_consent")}});
        QVERIFY2(start.status == 200, start.describe().constData());
        const QUrl consent(start.json.value(QLatin1String("authorizationUrl")).toString());
        QCOMPARE(consent.host(), m_sim->baseUrl().host());
        SignInFailure failure;
        const QUrl callback = driveSignIn(m_network, consent, kCustomerAdmin, kCustomerAdminPassword, {}, &failure);
        QVERIFY2(callback.isValid(), qPrintable(failure.step + QLatin1Char(' ') + failure.message));
        QCOMPARE(QUrlQuery(callback).queryItemValue(QStringLiteral("admin_consent")), QStringLiteral("True"));
        const ApiReply complete = api().post(QStringLiteral("/v1/tenants/%1/connection/complete").arg(m_tenant),
                                             m_adminToken, {{QStringLiteral("callbackUrl"), callback.toString()}});
        QVERIFY2(complete.status == 202, complete.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(connectionStatus(), QStringLiteral("unhealthy"), 20000);
        SimServicePrincipal* sp = m_sim->state().servicePrincipal(m_customerTenant, m_mspAppId);
        QVERIFY(sp);
        QVERIFY(m_sim->state().assignRole(m_customerTenant, sp->objectId, kPrivilegedAuthAdmin).ok());
        const ApiReply check = api().post(QStringLiteral("/v1/tenants/%1/connection/check").arg(m_tenant),
                                          m_adminToken, QJsonObject());
        QVERIFY2(check.status == 202, check.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(connectionStatus(), QStringLiteral("connected"), 20000);
    }

    // The customer registered an app of its own in its tenant, granted it the permissions and Privileged
    // Authentication Administrator, and gives Stint the app's certificate and key; the admin names the tenant id and
    // Stint proves it (its token's tid and /organization must agree).
    void giveOwnApp()
    {
        SimState& s = m_sim->state();
        SimApp& app = s.registerApp(m_customerTenant, QStringLiteral("Stint access (Contoso)"), stintAppPermissions());
        app.multiTenant = false;
        app.redirectUris = {QStringLiteral("http://127.0.0.1/stint/callback")};
        const TimeMs now = m_cloud->clock().now();
        TestCertificate certificate = TestCertificate::generate(QStringLiteral("Stint Contoso"), now - 86'400'000,
                                                                now + 180LL * 86'400'000);
        QVERIFY(!certificate.certificatePem.isEmpty());
        app.certificatePems.append(certificate.certificatePem);
        QVERIFY(s.grantServicePrincipal(m_customerTenant, app.clientId, stintAppPermissions(), {kPrivilegedAuthAdmin}).ok());

        const ApiReply put = api().send(
            "PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(m_tenant), m_adminToken,
            QJsonDocument(QJsonObject{{QStringLiteral("kind"), QStringLiteral("certificate")},
                                      {QStringLiteral("clientId"), app.clientId},
                                      {QStringLiteral("certificatePem"), QString::fromLatin1(certificate.certificatePem)},
                                      {QStringLiteral("privateKeyPem"),
                                       QString::fromLatin1(certificate.privateKeyPem.bytes())}})
                .toJson(QJsonDocument::Compact));
        QVERIFY2(put.status == 200, put.describe().constData());
        QVERIFY(!put.body.contains("PRIVATE KEY"));
        const ApiReply check = api().post(QStringLiteral("/v1/tenants/%1/connection/check").arg(m_tenant),
                                          m_adminToken, {{QStringLiteral("entraTenantId"), m_customerTenant}});
        QVERIFY2(check.status == 202, check.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(connectionStatus(), QStringLiteral("connected"), 20000);
        m_signInClientId = app.clientId;
    }

    void switchOn(Fault fault)
    {
        Faults& faults = m_sim->faults();
        switch (fault) {
        case Fault::None:
            break;
        case Fault::Latency:
            faults.setLatency(20);
            break;
        case Fault::Throttling:
            faults.throttleNext(3, 1, {QString(), QStringLiteral("/v1.0/")});
            break;
        case Fault::ServerErrors:
            faults.failNext(3, 503, {QString(), QStringLiteral("/v1.0/")});
            break;
        case Fault::DroppedConnections:
            faults.dropNext(2, {QString(), QStringLiteral("/v1.0/")});
            break;
        case Fault::ExpiredTokens:
            faults.expireAllTokens();
            break;
        case Fault::ReplicationLag:
            faults.setReplicationLag(3000);
            break;
        }
    }

    // Whether the fault left its mark in the simulator's request log.
    bool fired(Fault fault) const
    {
        const QList<LoggedRequest> log = m_sim->requests();
        auto any = [&log](auto predicate) { return std::any_of(log.begin(), log.end(), predicate); };
        switch (fault) {
        case Fault::None:
        case Fault::Latency:
            return true;
        case Fault::Throttling:
            return any([](const LoggedRequest& r) { return r.status == 429; });
        case Fault::ServerErrors:
            return any([](const LoggedRequest& r) { return r.status == 503; });
        case Fault::DroppedConnections:
            return any([](const LoggedRequest& r) { return r.dropped; });
        case Fault::ExpiredTokens:
            return any([](const LoggedRequest& r) { return r.status == 401; });
        case Fault::ReplicationLag:
            return any([](const LoggedRequest& r) { return r.status == 404; });
        }
        return false;
    }

    QStringList rolesOf(const QString& principalId)
    {
        QStringList out;
        for (const auto& [id, assignment] : m_sim->state().tenants().at(m_customerTenant).roleAssignments) {
            if (assignment.principalId == principalId)
                out.append(assignment.roleDefinitionId.toLower());
        }
        out.sort();
        return out;
    }

    // Signs in on the simulator's page as a person would, for the MSP app's authorize flow.
    QUrl signIn(const QString& upn, const QString& secret, bool temporaryAccessPass, SignInFailure* failure)
    {
        const QUrl authorize = signInUrl(m_sim->baseUrl().toString(), m_customerTenant, m_signInClientId, upn);
        SignInOptions options;
        options.useTemporaryAccessPass = temporaryAccessPass;
        return driveSignIn(m_network, authorize, upn, secret, options, failure);
    }

private slots:
    void lifecycle_data()
    {
        QTest::addColumn<Connection>("connection");
        QTest::addColumn<Fault>("fault");
        const std::pair<const char*, Connection> kinds[] = {{"msp app", Connection::MspAppConsent},
                                                            {"own app", Connection::OwnAppCertificate}};
        const std::pair<const char*, Fault> faults[] = {{"no fault", Fault::None},
                                                        {"latency", Fault::Latency},
                                                        {"throttling", Fault::Throttling},
                                                        {"5xx", Fault::ServerErrors},
                                                        {"dropped connections", Fault::DroppedConnections},
                                                        {"expired tokens", Fault::ExpiredTokens},
                                                        {"replication lag", Fault::ReplicationLag}};
        for (const auto& [kindName, kind] : kinds) {
            for (const auto& [faultName, fault] : faults)
                QTest::addRow("%s, %s", kindName, faultName) << kind << fault;
        }
    }

    void lifecycle()
    {
        QFETCH(Connection, connection);
        QFETCH(Fault, fault);
        QVERIFY(m_secrets.isValid());
        const QString mspSecret =
            QStringLiteral("msp~") + QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(24)));
        QVERIFY(startWorld(mspSecret));
        connectTenant(connection);
        if (QTest::currentTestFailed())
            return;
        m_sim->clearRequests();
        switchOn(fault);

        // The technician asks; the checkout becomes ready only once the account and its roles are there.
        const QJsonObject requested = requestCheckout(*m_cloud, m_techToken, m_tenant,
                                                      {kUserAdministrator, kHelpdeskAdministrator}, 60,
                                                      QStringLiteral("Mailbox migration"), QStringLiteral("PSA-4711"));
        const QString id = requested.value(QLatin1String("id")).toString();
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(checkout(id).value(QLatin1String("state")).toString(), QStringLiteral("ready"), 60000);
        QVERIFY2(fired(fault), "the fault never fired");

        const ApiReply credential = api().get(QStringLiteral("/v1/checkouts/%1/credential").arg(id), m_techToken);
        QVERIFY2(credential.status == 200, credential.describe().constData());
        const QString upn = credential.json.value(QLatin1String("userPrincipalName")).toString();
        const QString password = credential.json.value(QLatin1String("password")).toString();
        const QString pass = credential.json.value(QLatin1String("temporaryAccessPass")).toString();
        QVERIFY(upn.endsWith(QLatin1String("@contoso.com")));
        QVERIFY(!password.isEmpty());
        QVERIFY(!pass.isEmpty());

        // The directory agrees: one enabled, tagged account holding exactly the two roles.
        SimUser* account = m_sim->state().userByUpn(m_customerTenant, upn);
        QVERIFY(account);
        const QString accountId = account->id;
        QVERIFY(account->accountEnabled);
        QVERIFY(!account->employeeType.isEmpty());
        QCOMPARE(rolesOf(accountId), (QStringList{kHelpdeskAdministrator, kUserAdministrator}));
        int accounts = 0;
        for (const auto& [uid, user] : m_sim->state().tenants().at(m_customerTenant).users)
            accounts += user.userPrincipalName.compare(upn, Qt::CaseInsensitive) == 0 ? 1 : 0;
        QCOMPARE(accounts, 1);

        // What was handed out works: the password and the Temporary Access Pass both sign in.
        m_sim->faults().clear();
        SignInFailure failure;
        QVERIFY2(signIn(upn, password, false, &failure).isValid(), qPrintable(failure.step + ' ' + failure.message));
        QVERIFY2(signIn(upn, pass, true, &failure).isValid(), qPrintable(failure.step + ' ' + failure.message));
        switchOn(fault == Fault::ExpiredTokens ? Fault::ExpiredTokens : fault);

        // Time is up: roles removed, account disabled, credential dead — proven before "ended".
        m_cloud->clock().advance(61LL * 60 * 1000);
        m_techToken = m_cloud->signIn(m_tech); // the technician's session went idle meanwhile
        QTRY_COMPARE_WITH_TIMEOUT(checkout(id).value(QLatin1String("state")).toString(), QStringLiteral("ended"), 60000);
        account = m_sim->state().user(m_customerTenant, accountId);
        QVERIFY(account);
        QVERIFY(!account->accountEnabled);
        QVERIFY(rolesOf(accountId).isEmpty());
        QCOMPARE(api().get(QStringLiteral("/v1/checkouts/%1/credential").arg(id), m_techToken).status, 409);
        m_sim->faults().clear();
        QVERIFY(!signIn(upn, password, false, &failure).isValid());
        QVERIFY(!signIn(upn, pass, true, &failure).isValid());

        // The audit log answers who, why, how long and which ticket.
        QVERIFY(m_cloud->count(QStringLiteral("audit_events"),
                               QStringLiteral("target_id = ? AND action = 'checkout.request' AND details LIKE ?"
                                              " AND details LIKE ?"),
                               {id, QStringLiteral("%PSA-4711%"), QStringLiteral("%Mailbox migration%")})
                == 1);
        QVERIFY(m_cloud->count(QStringLiteral("audit_events"),
                               QStringLiteral("target_id = ? AND action = 'checkout.transition'"), {id})
                >= 3);
        // Reconciliation ran meanwhile (the clock jumped past its interval) and found nothing to take back: the account
        // was Stint's own live one throughout, and after the end it is disabled and holds nothing.
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = 'reconcile.drift'")), qint64(0));
    }

    // An extension past the Temporary Access Pass renews it: the new pass lasts to the new end and signs in, the old one
    // no longer does (a user has one pass). When the tenant's policy no longer allows passes, the renewal fails
    // audibly, the extension stands, and the technician keeps the pass they had.
    void extensionRenewsTheTemporaryAccessPass()
    {
        QVERIFY(m_secrets.isValid());
        QVERIFY(startWorld(QStringLiteral("msp~") + QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(24)))));
        connectTenant(Connection::MspAppConsent);
        if (QTest::currentTestFailed())
            return;
        auto requestOne = [this]() {
            return requestCheckout(*m_cloud, m_techToken, m_tenant, {kHelpdeskAdministrator}, 60,
                                   QStringLiteral("Password reset"), QStringLiteral("PSA-77"))
                .value(QLatin1String("id"))
                .toString();
        };
        auto renewals = [this](const QString& id, const QString& outcome) {
            return m_cloud->count(QStringLiteral("audit_events"),
                                  QStringLiteral("target_id = ? AND action = 'checkout.credential_renewed' AND outcome = ?"),
                                  {id, outcome});
        };
        const QString id = requestOne();
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(checkout(id).value(QLatin1String("state")).toString(), QStringLiteral("ready"), 30000);
        const ApiReply before = api().get(QStringLiteral("/v1/checkouts/%1/credential").arg(id), m_techToken);
        QVERIFY2(before.status == 200, before.describe().constData());
        const QString upn = before.json.value(QLatin1String("userPrincipalName")).toString();
        const QString oldPass = before.json.value(QLatin1String("temporaryAccessPass")).toString();
        QVERIFY(!oldPass.isEmpty());

        const ApiReply extended = api().post(QStringLiteral("/v1/checkouts/%1/extend").arg(id), m_techToken,
                                             {{QStringLiteral("minutes"), 45}});
        QVERIFY2(extended.status == 200, extended.describe().constData());
        QCOMPARE(extended.json.value(QLatin1String("temporaryAccessPassRenewal")).toString(), QStringLiteral("pending"));
        QTRY_COMPARE_WITH_TIMEOUT(renewals(id, QStringLiteral("success")), qint64(1), 20000);
        const ApiReply after = api().get(QStringLiteral("/v1/checkouts/%1/credential").arg(id), m_techToken);
        QVERIFY2(after.status == 200, after.describe().constData());
        const QString newPass = after.json.value(QLatin1String("temporaryAccessPass")).toString();
        QVERIFY(!newPass.isEmpty());
        QVERIFY(newPass != oldPass);
        QCOMPARE(after.json.value(QLatin1String("password")).toString(), before.json.value(QLatin1String("password")).toString());
        const auto passEnd = fromRfc3339(after.json.value(QLatin1String("temporaryAccessPassExpiresAt")).toString());
        const auto accessEnd = fromRfc3339(extended.json.value(QLatin1String("expiresAt")).toString());
        QVERIFY(passEnd && accessEnd);
        QVERIFY2(*passEnd >= *accessEnd, "the renewed pass ends before the access does");
        SignInFailure failure;
        QVERIFY2(signIn(upn, newPass, true, &failure).isValid(), qPrintable(failure.step + ' ' + failure.message));
        QVERIFY(!signIn(upn, oldPass, true, &failure).isValid());
        // A pass that already lasts long enough is left alone: with the tenant's shortest pass raised to four hours, the
        // next renewal issues one that outlasts the access, and a further small extension needs none.
        m_sim->state().tenants().at(m_customerTenant).tapPolicy.minimumLifetimeInMinutes = 240;
        const ApiReply again = api().post(QStringLiteral("/v1/checkouts/%1/extend").arg(id), m_techToken,
                                          {{QStringLiteral("minutes"), 5}});
        QVERIFY2(again.status == 200, again.describe().constData());
        QCOMPARE(again.json.value(QLatin1String("temporaryAccessPassRenewal")).toString(), QStringLiteral("pending"));
        QTRY_COMPARE_WITH_TIMEOUT(renewals(id, QStringLiteral("success")), qint64(2), 20000);
        const ApiReply within = api().post(QStringLiteral("/v1/checkouts/%1/extend").arg(id), m_techToken,
                                           {{QStringLiteral("minutes"), 5}});
        QVERIFY2(within.status == 200, within.describe().constData());
        QCOMPARE(within.json.value(QLatin1String("temporaryAccessPassRenewal")).toString(), QStringLiteral("not_needed"));

        // The customer turns Temporary Access Passes off: the renewal fails, audited; the pass in hand stays.
        QVERIFY(api().post(QStringLiteral("/v1/checkouts/%1/end").arg(id), m_techToken).status == 200);
        QTRY_COMPARE_WITH_TIMEOUT(checkout(id).value(QLatin1String("state")).toString(), QStringLiteral("ended"), 30000);
        m_sim->state().tenants().at(m_customerTenant).tapPolicy.minimumLifetimeInMinutes = 60;
        const QString second = requestOne();
        QVERIFY(!second.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(checkout(second).value(QLatin1String("state")).toString(), QStringLiteral("ready"), 30000);
        const QString kept = api().get(QStringLiteral("/v1/checkouts/%1/credential").arg(second), m_techToken)
                                 .json.value(QLatin1String("temporaryAccessPass"))
                                 .toString();
        m_sim->state().tenants().at(m_customerTenant).tapPolicy.enabled = false;
        const ApiReply refused = api().post(QStringLiteral("/v1/checkouts/%1/extend").arg(second), m_techToken,
                                            {{QStringLiteral("minutes"), 45}});
        QVERIFY2(refused.status == 200, refused.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(renewals(second, QStringLiteral("failure")), qint64(1), 20000);
        QCOMPARE(api().get(QStringLiteral("/v1/checkouts/%1/credential").arg(second), m_techToken)
                     .json.value(QLatin1String("temporaryAccessPass"))
                     .toString(),
                 kept);
        QCOMPARE(checkout(second).value(QLatin1String("expiresAt")).toString(),
                 refused.json.value(QLatin1String("expiresAt")).toString());
    }

    // A domain the last check found unverified is refused as the account domain (422, naming the verified ones), and
    // a verified domain that later stops being one is a finding of the next check.
    void accountDomainMustBeVerified()
    {
        QVERIFY(m_secrets.isValid());
        QVERIFY(startWorld(QStringLiteral("msp~") + QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(24)))));
        connectTenant(Connection::MspAppConsent);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(m_sim->state().addDomain(
            m_customerTenant, SimDomain{QStringLiteral("new.contoso.com"), false, false, false, QStringLiteral("Managed")}));
        checkNow();
        const ApiReply refused = patchConnection({{QStringLiteral("accountDomain"), QStringLiteral("new.contoso.com")}});
        QVERIFY2(refused.status == 422, refused.describe().constData());
        const QString detail = refused.json.value(QLatin1String("detail")).toString();
        QVERIFY2(detail.contains(QLatin1String("contoso.com")) && detail.contains(QLatin1String("contoso.onmicrosoft.com")),
                 qPrintable(detail));
        QVERIFY(api().get(QStringLiteral("/v1/tenants/") + m_tenant, m_adminToken)
                    .json.value(QLatin1String("connection")).toObject()
                    .value(QLatin1String("accountDomain")).toString() == QLatin1String("contoso.com"));
        const ApiReply initial = patchConnection({{QStringLiteral("accountDomain"), QStringLiteral("contoso.onmicrosoft.com")}});
        QVERIFY2(initial.status == 200, initial.describe().constData());
        QVERIFY(patchConnection({{QStringLiteral("accountDomain"), QStringLiteral("contoso.com")}}).status == 200);

        // The customer removes contoso.com from the tenant: the next check says the account domain is no longer one.
        QList<SimDomain>& domains = m_sim->state().tenants().at(m_customerTenant).domains;
        domains.erase(std::remove_if(domains.begin(), domains.end(),
                                     [](const SimDomain& d) { return d.name == QLatin1String("contoso.com"); }),
                      domains.end());
        checkNow();
        const QJsonObject after = connection();
        QCOMPARE(after.value(QLatin1String("status")).toString(), QStringLiteral("unhealthy"));
        QVERIFY2(findingCodes(after).contains(QStringLiteral("domain.not_verified")),
                 qPrintable(findingCodes(after).join(QLatin1Char(' '))));
    }

    // A tenant that hands out Temporary Access Passes only, whose TAP policy is off: the request fails, the clean-up is
    // confirmed, and the checkout ends as failed with the cause kept — in stateReason, the audit and the live event.
    // Once a check has seen the policy off, the setting and the request are refused up front.
    void tapOnlyTenantWithTapOffFails()
    {
        QVERIFY(m_secrets.isValid());
        QVERIFY(startWorld(QStringLiteral("msp~") + QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(24)))));
        connectTenant(Connection::MspAppConsent);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(patchConnection({{QStringLiteral("credentialKind"), QStringLiteral("tap")}}).status == 200);
        m_sim->state().tenants().at(m_customerTenant).tapPolicy.enabled = false; // after the last check

        const QString id = requestCheckout(*m_cloud, m_techToken, m_tenant, {kHelpdeskAdministrator}, 60,
                                           QStringLiteral("Password reset"), QStringLiteral("PSA-78"))
                               .value(QLatin1String("id"))
                               .toString();
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(CheckoutStateMachineFinal(checkout(id).value(QLatin1String("state")).toString()), 60000);
        const QJsonObject failed = checkout(id);
        QCOMPARE(failed.value(QLatin1String("state")).toString(), QStringLiteral("failed"));
        const QString reason = failed.value(QLatin1String("stateReason")).toString();
        QVERIFY2(reason.contains(QLatin1String("Temporary Access Pass")), qPrintable(reason));
        QVERIFY(m_cloud->count(QStringLiteral("audit_events"),
                               QStringLiteral("target_id = ? AND action = 'checkout.transition' AND details LIKE ?"
                                              " AND details LIKE ?"),
                               {id, QStringLiteral("%\"to\":\"failed\"%"), QStringLiteral("%Temporary Access Pass%")})
                == 1);
        QVERIFY(m_cloud->count(QStringLiteral("events"),
                               QStringLiteral("type = 'checkout.updated' AND payload LIKE ? AND payload LIKE ?"
                                              " AND payload LIKE ?"),
                               {QStringLiteral("%") + id + QStringLiteral("%"), QStringLiteral("%\"failed\"%"),
                                QStringLiteral("%Temporary Access Pass%")})
                >= 1);

        // The next check sees the policy off: the request and a setting that needs passes are refused up front.
        checkNow();
        QVERIFY(findingCodes(connection()).contains(QStringLiteral("tap.disabled")));
        const ApiReply request = api().post(QStringLiteral("/v1/checkouts"), m_techToken,
                                            {{QStringLiteral("tenantId"), m_tenant},
                                             {QStringLiteral("roleDefinitionIds"), QJsonArray{kHelpdeskAdministrator}},
                                             {QStringLiteral("durationMinutes"), 60},
                                             {QStringLiteral("justification"), QStringLiteral("again")}});
        QVERIFY2(request.status == 422, request.describe().constData());
        QVERIFY2(request.body.contains("tap.disabled"), request.describe().constData());
        const ApiReply both = patchConnection({{QStringLiteral("credentialKind"), QStringLiteral("both")}});
        QVERIFY2(both.status == 422, both.describe().constData());
        QVERIFY2(both.body.contains("tap.disabled"), both.describe().constData());
        QVERIFY(patchConnection({{QStringLiteral("credentialKind"), QStringLiteral("password")}}).status == 200);
    }

    // The customer removes the MSP's app while checkouts are live: the first answer that proves it (AADSTS700016 once
    // Graph refuses the token of the deleted service principal) marks the connection unhealthy at once — last error,
    // audit event, alert — and the tenant's other live checkouts say why.
    void lostAppIsNoticedAtOnce()
    {
        QVERIFY(m_secrets.isValid());
        QVERIFY(startWorld(QStringLiteral("msp~") + QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(24)))));
        connectTenant(Connection::MspAppConsent);
        if (QTest::currentTestFailed())
            return;
        const QString otherTech = m_cloud->addPerson(m_org, QStringLiteral("tia.tech@northwind.example"),
                                                     QStringLiteral("technician"), QStringLiteral("Tia Tech"));
        const QString otherToken = m_cloud->signIn(otherTech);
        QVERIFY(!createPolicy(*m_cloud, m_adminToken,
                              policyBody(QStringLiteral("Helpdesk 2"), {m_tenant}, {kHelpdeskAdministrator},
                                         {otherTech}, {}, 120))
                     .isEmpty());
        const QString first = requestCheckout(*m_cloud, m_techToken, m_tenant, {kHelpdeskAdministrator}, 60,
                                              QStringLiteral("Password reset"), QStringLiteral("PSA-79"))
                                  .value(QLatin1String("id")).toString();
        const QString second = requestCheckout(*m_cloud, otherToken, m_tenant, {kHelpdeskAdministrator}, 60,
                                               QStringLiteral("Password reset"), QStringLiteral("PSA-80"))
                                   .value(QLatin1String("id")).toString();
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(checkout(first).value(QLatin1String("state")).toString(), QStringLiteral("ready"), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(api().get(QStringLiteral("/v1/checkouts/") + second, otherToken)
                                      .json.value(QLatin1String("state")).toString(),
                                  QStringLiteral("ready"), 30000);
        QCOMPARE(connection().value(QLatin1String("status")).toString(), QStringLiteral("connected"));

        // The customer deletes the app's service principal (removes the app from the tenant).
        QVERIFY(m_sim->state().removeServicePrincipal(m_customerTenant, m_mspAppId));
        QVERIFY(api().post(QStringLiteral("/v1/checkouts/%1/end").arg(first), m_techToken).status == 200);
        QTRY_COMPARE_WITH_TIMEOUT(connection().value(QLatin1String("status")).toString(), QStringLiteral("unhealthy"), 20000);
        const QJsonObject lastError = connection().value(QLatin1String("lastError")).toObject();
        QCOMPARE(lastError.value(QLatin1String("code")).toString(), QStringLiteral("entra.authentication"));
        QVERIFY2(lastError.value(QLatin1String("message")).toString().contains(QLatin1String("AADSTS700016")),
                 qPrintable(lastError.value(QLatin1String("message")).toString()));
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'tenant.connection.lost' AND tenant_id = ?"), {m_tenant}),
                 qint64(1));
        QVERIFY(m_cloud->count(QStringLiteral("events"),
                               QStringLiteral("type = 'alert.raised' AND payload LIKE '%tenant.connection_lost%'"))
                == 1);
        const QString why = api().get(QStringLiteral("/v1/checkouts/") + second, otherToken)
                                .json.value(QLatin1String("stateReason")).toString();
        QVERIFY2(why.contains(QLatin1String("AADSTS700016")), qPrintable(why));
        QCOMPARE(api().get(QStringLiteral("/v1/checkouts/") + second, otherToken).json.value(QLatin1String("state")).toString(),
                 QStringLiteral("ready"));
    }

    // Whatever a row left behind goes in this order: the ticker holds the fixture's clock. The simulator answers on
    // this thread and the service's shutdown waits for its jobs, so jobs still talking to the simulator (a scheduled
    // reconciliation after the clock jump, say) are let finish first — or they would wait out their timeouts.
    void cleanup()
    {
        m_ticker.reset();
        if (m_cloud && m_sim)
            QTRY_COMPARE_WITH_TIMEOUT(m_cloud->context().workers.pending(), 0, 60000);
        m_sim.reset();
        m_cloud.reset();
    }
};

QTEST_GUILESS_MAIN(TestEntraLifecycle)
#include "TestEntraLifecycle.moc"
