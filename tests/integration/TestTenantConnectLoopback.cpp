// SPDX-License-Identifier: GPL-3.0-or-later
// Connecting a customer tenant from the desktop side, end to end with nothing faked: the desktop's TenantConnector
// over HttpTransport and CloudApi, the real cloud in-process (real Graph gateway), and entra-sim playing
// login.microsoftonline.com and Graph on the same manual clock. The browser is a real HTTP client: the connector
// "opens" it through OpenUrl; it follows the authorization URL to entra-sim's pages, signs in and answers the consent
// page as a person would (driveSignIn posts the pages' own forms), then follows Microsoft's redirect to the app's
// loopback port and reads the page shown there.
//
// It also pins what an app registration must list (docs/operations.md, "Redirect URIs to register"): entra-sim
// enforces Entra's rules (protocols.md 1.6), so a registration whose path differs in case, by a trailing slash or at
// all, or that names localhost instead of 127.0.0.1, stops the flow at Microsoft with AADSTS50011.
#include "IdentitySignInDriver.h"
#include "Simulator.h"
#include "client/CloudApi.h"
#include "client/HttpTransport.h"
#include "client/loopback/LoopbackFlows.h"
#include "client/loopback/LoopbackPage.h"
#include "cloud/CloudContext.h"
#include "cloud/WorkerPool.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/StintInEntra.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>
#include <functional>
#include <memory>

using namespace stint;
using namespace stint::test;
using namespace stint::entrasim;

namespace {

const QString kConnectRedirect = QStringLiteral("http://127.0.0.1/stint/connect");
const QString kContosoAdmin = QStringLiteral("admin@contoso.com");
const QString kContosoPassword = QStringLiteral("Adm1n-Passw0rd!contoso");
const QString kContosoUser = QStringLiteral("adele.vance@contoso.com");
const QString kContosoUserPassword = QStringLiteral("Us3r-Passw0rd!contoso");
const QString kMspSecret = QStringLiteral("msp-app-secret~") + QStringLiteral("0123456789abcdef");

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// The admin's browser: what it was asked to open, where Microsoft sent it, and the page the app showed there.
struct Browser
{
    QString upn;
    QString password;
    SignInOptions options;
    std::function<void(const QUrl& redirect)> beforeReturning; // e.g. the customer assigns a role meanwhile
    QList<QUrl> opened;
    QUrl redirect; // Microsoft's redirect to the app (empty when the sign-in stopped at Microsoft)
    SignInFailure failure; // where it stopped
    QNetworkReply* page = nullptr;
    bool done = false; // the browser has finished its part
};

} // namespace

class TestTenantConnectLoopback : public QObject
{
    Q_OBJECT

    QTemporaryDir m_secrets;
    std::unique_ptr<CloudFixture> m_cloud;
    std::unique_ptr<Simulator> m_sim;
    std::unique_ptr<client::HttpTransport> m_transport;
    std::unique_ptr<client::CloudApi> m_api;
    QNetworkAccessManager m_network;
    Browser m_browser;
    QString m_contoso; // Contoso's Entra tenant id
    QString m_mspClientId;
    QString m_org;
    SignedInPerson m_admin;

    // The MSP's multi-tenant app lives in the sim's Northwind tenant, registered with `redirectUris`; Contoso has a
    // Global Administrator and a user without a role.
    void startWorld(const QStringList& redirectUris = {kConnectRedirect}, bool demo = false)
    {
        m_cloud = std::make_unique<CloudFixture>();
        m_sim = std::make_unique<Simulator>(&m_cloud->clock());
        QVERIFY(m_sim->listen());
        SimState& s = m_sim->state();
        QString secret = kMspSecret;
        if (demo) {
            // The demo world as scripts/run-demo.sh starts it.
            const QJsonObject scenario
                = readJson(QStringLiteral(STINT_SOURCE_DIR "/tests/entra-sim/scenarios/demo.json"));
            QString error;
            QVERIFY2(m_sim->loadScenario(scenario, &error), qPrintable(error));
            const QJsonObject app = scenario.value(QLatin1String("apps")).toArray().first().toObject();
            m_mspClientId = app.value(QLatin1String("clientId")).toString();
            secret = app.value(QLatin1String("secrets"))
                         .toArray()
                         .first()
                         .toObject()
                         .value(QLatin1String("value"))
                         .toString();
            m_contoso = s.tenant(QStringLiteral("contoso.com"))->id;
        } else {
            SimTenant& home = s.createTenant(QStringLiteral("Northwind MSP"), QStringLiteral("northwindmsp"));
            SimApp& app = s.registerApp(home.id, QStringLiteral("Stint (Northwind MSP)"), stintAppPermissions());
            app.multiTenant = true;
            app.redirectUris = redirectUris;
            s.addClientSecret(app, kMspSecret, m_cloud->clock().now() + 365LL * 86'400'000);
            m_mspClientId = app.clientId;

            SimTenant& contoso = s.createTenant(QStringLiteral("Contoso"), QStringLiteral("contoso"));
            contoso.tapPolicy.enabled = true;
            m_contoso = contoso.id;
            QVERIFY(s.addDomain(m_contoso,
                                SimDomain {QStringLiteral("contoso.com"), true, true, false, QStringLiteral("Managed")})
                        .ok());
            auto admin = s.createUser(m_contoso, kContosoAdmin, QStringLiteral("Contoso Admin"), kContosoPassword);
            QVERIFY(admin.ok());
            QVERIFY(s.assignRole(m_contoso, (*admin)->id, roles::kGlobalAdministrator).ok());
            QVERIFY(s.createUser(m_contoso, kContosoUser, QStringLiteral("Adele Vance"), kContosoUserPassword).ok());
        }

        const QString secretFile = m_secrets.filePath(QStringLiteral("msp.secret"));
        QFile f(secretFile);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(secret.toUtf8());
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));

        cloud::CloudConfig& config = m_cloud->config();
        const QUrl base = m_sim->baseUrl().adjusted(QUrl::StripTrailingSlash);
        config.entra.globalAuthority = base;
        config.entra.globalGraph = base;
        config.entra.graphResource = QStringLiteral("https://graph.microsoft.com");
        config.entra.appClientId = m_mspClientId;
        config.entra.appClientSecretFile = secretFile;
        config.schedulerTickMs = 100;
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        m_org = m_cloud->addOrganization(QStringLiteral("Northwind MSP"));
        m_admin = addSignedInPerson(*m_cloud, m_org, QStringLiteral("ada@northwind.example"), QStringLiteral("admin"));

        // The desktop side, as the app wires it.
        m_transport
            = std::make_unique<client::HttpTransport>(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_cloud->port())));
        m_transport->setSessionToken(crypto::SecretBytes(m_admin.token.toUtf8()));
        m_api = std::make_unique<client::CloudApi>(*m_transport);
        m_browser = Browser {kContosoAdmin, kContosoPassword, {}, {}, {}, {}, {}, nullptr, false};
    }

    // OpenUrl: the browser opens the URL (on the next turn of the event loop, as a real one would start later).
    client::OpenUrl openBrowser()
    {
        return [this](const QUrl& url) {
            m_browser.opened.append(url);
            QTimer::singleShot(0, this, [this, url]() { playBrowser(url); });
            return true;
        };
    }

    void playBrowser(const QUrl& url)
    {
        m_browser.redirect
            = driveSignIn(m_network, url, m_browser.upn, m_browser.password, m_browser.options, &m_browser.failure);
        if (m_browser.redirect.isValid()) {
            if (m_browser.beforeReturning)
                m_browser.beforeReturning(m_browser.redirect);
            QNetworkRequest request(m_browser.redirect);
            request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
            m_browser.page = m_network.get(request);
        }
        m_browser.done = true;
    }

    // The customer's admin gave Stint's service principal the role it needs (protocols.md 2.7), after consenting.
    void grantRoleAfterConsent()
    {
        m_browser.beforeReturning = [this](const QUrl&) {
            SimServicePrincipal* sp = m_sim->state().servicePrincipal(m_contoso, m_mspClientId);
            if (!sp
                || !m_sim->state()
                        .assignRole(m_contoso, sp->objectId, roles::kPrivilegedAuthenticationAdministrator)
                        .ok())
                qWarning("assigning the role to Stint's service principal failed");
        };
    }

    QString connectionPath(const QString& tenant) const
    {
        return QStringLiteral("/v1/tenants/%1/connection").arg(tenant);
    }
    QJsonObject connection(const QString& tenant)
    {
        return m_cloud->api().get(connectionPath(tenant), m_admin.token).json;
    }
    QString status(const QString& tenant) { return connection(tenant).value(QLatin1String("status")).toString(); }
    qint64 audits(const QString& action, const QString& outcome)
    {
        return m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = ? AND outcome = ?"),
                              {action, outcome});
    }

    QString newTenant(const QString& name = QStringLiteral("Contoso"))
    {
        return createTenant(*m_cloud, m_admin.token, tenantBody(name, {kUserAdministrator}));
    }

    QByteArray pageBody()
    {
        if (!m_browser.page)
            return {};
        if (!QTest::qWaitFor([this]() { return m_browser.page->isFinished(); }, 20'000))
            return {};
        return m_browser.page->readAll();
    }
    // The page's status, once the browser has it.
    int pageStatus()
    {
        if (!m_browser.page || !QTest::qWaitFor([this]() { return m_browser.page->isFinished(); }, 20'000))
            return 0;
        return m_browser.page->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }

    static bool portRefuses(quint16 port)
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
        const bool settled = QTest::qWaitFor(
            [&]() {
                return socket.state() == QAbstractSocket::UnconnectedState
                    || socket.state() == QAbstractSocket::ConnectedState;
            },
            5000);
        return settled && socket.error() == QAbstractSocket::ConnectionRefusedError;
    }

    // Lets the connected tenant's first reconciliation and health check finish before the service goes away: the
    // simulator answers on this thread, so the service's workers must not be left waiting for it.
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
        if (m_browser.page)
            m_browser.page->deleteLater();
        m_browser = Browser {};
        m_api.reset();
        m_transport.reset();
        m_cloud.reset();
        m_sim.reset();
    }

    void adminConsentConnectsTheTenant()
    {
        startWorld();
        const QString tenant = newTenant();
        QVERIFY(!tenant.isEmpty());
        grantRoleAfterConsent();
        client::TenantConnector connector(*m_api, openBrowser());
        QSignalSpy stages(&connector, &client::TenantConnector::stageChanged);
        auto call = connector.connect(tenant, QString::fromLatin1(models::kConnectAdminConsent));
        QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 30'000);
        QVERIFY2(call.result()->ok(), qPrintable(call.result()->ok() ? QString() : call.result()->error().message));
        QCOMPARE(call.result()->value().status, QStringLiteral("verifying"));

        // The browser went to entra-sim's v2 admin-consent page and came back to the listener with the grant.
        QCOMPARE(m_browser.opened.size(), 1);
        const QUrl opened = m_browser.opened.first();
        QCOMPARE(opened.host(), m_sim->baseUrl().host());
        QVERIFY(opened.path().endsWith(QLatin1String("/v2.0/adminconsent")));
        const QUrl redirectUri(QUrlQuery(opened).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        QCOMPARE(redirectUri.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(redirectUri.path(), QStringLiteral("/stint/connect"));
        QCOMPARE(m_browser.redirect.adjusted(QUrl::RemoveQuery), redirectUri);
        QCOMPARE(QUrlQuery(m_browser.redirect).queryItemValue(QStringLiteral("admin_consent")), QStringLiteral("True"));
        QCOMPARE(pageStatus(), 200);
        QVERIFY(pageBody().contains(client::LoopbackPage::connected().title.toUtf8()));
        QCOMPARE(stages.size(), 4);

        // The cloud proves the tenant and reports it connected.
        QTRY_COMPARE_WITH_TIMEOUT(status(tenant), QStringLiteral("connected"), 20'000);
        QCOMPARE(connection(tenant).value(QLatin1String("entraTenantId")).toString(), m_contoso);
        QCOMPARE(audits(QStringLiteral("tenant.connect.complete"), QStringLiteral("success")), qint64(1));

        // One callback only: the listener is gone, and the cloud's state is spent.
        QVERIFY(portRefuses(quint16(redirectUri.port())));
        const ApiReply replay
            = m_cloud->api().post(connectionPath(tenant) + QStringLiteral("/complete"), m_admin.token,
                                  {{QStringLiteral("callbackUrl"), m_browser.redirect.toString(QUrl::FullyEncoded)}});
        QCOMPARE(replay.status, 400);
        QCOMPARE(replay.problem(), QStringLiteral("state-used"));
        settle(tenant);
    }

    void microsoftsRefusalReachesTheAppAndTheBrowser_data()
    {
        QTest::addColumn<QString>("upn");
        QTest::addColumn<QString>("password");
        QTest::addColumn<bool>("accept");
        QTest::addColumn<QString>("aadsts");
        QTest::newRow("the admin declines")
            << kContosoAdmin << kContosoPassword << false << QStringLiteral("AADSTS65004");
        QTest::newRow("not a Global Administrator")
            << kContosoUser << kContosoUserPassword << true << QStringLiteral("AADSTS90094");
    }
    void microsoftsRefusalReachesTheAppAndTheBrowser()
    {
        QFETCH(QString, upn);
        QFETCH(QString, password);
        QFETCH(bool, accept);
        QFETCH(QString, aadsts);
        startWorld();
        const QString tenant = newTenant();
        m_browser.upn = upn;
        m_browser.password = password;
        m_browser.options.acceptConsent = accept;
        client::TenantConnector connector(*m_api, openBrowser());
        auto call = connector.connect(tenant, QString::fromLatin1(models::kConnectAdminConsent));
        QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 30'000);
        QVERIFY(!call.result()->ok());
        const Error& e = call.result()->error();
        QCOMPARE(e.code, QStringLiteral("loopback.authorization_failed"));
        QCOMPARE(e.details.value(QLatin1String("aadsts")).toString(), aadsts);
        QCOMPARE(e.details.value(QLatin1String("error")).toString(), QStringLiteral("consent_required"));
        QVERIFY(e.details.value(QLatin1String("description")).toString().startsWith(aadsts + QLatin1Char(':')));

        // The person sees Microsoft's reason and its code in the browser.
        QCOMPARE(pageStatus(), 200);
        const QByteArray body = pageBody();
        QVERIFY(body.contains(aadsts.toUtf8()));
        QVERIFY(
            body.contains(client::LoopbackPage::firstSentence(e.details.value(QLatin1String("description")).toString())
                              .toHtmlEscaped()
                              .toUtf8()));
        // The cloud heard it (the refusal is audited) and nothing was connected or granted.
        QTRY_COMPARE(audits(QStringLiteral("tenant.connect.complete"), QStringLiteral("failure")), qint64(1));
        QCOMPARE(status(tenant), QStringLiteral("connecting"));
        QVERIFY(connection(tenant).value(QLatin1String("entraTenantId")).isNull());
        QVERIFY(!m_sim->state().servicePrincipal(m_contoso, m_mspClientId));
    }

    // The customer's own app must list the same URI (the authorize endpoint follows the same rules).
    void customersOwnAppConnectsWithTheAuthorizationCode_data()
    {
        QTest::addColumn<QString>("registered");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("exact") << kConnectRedirect << true;
        QTest::newRow("path case differs") << QStringLiteral("http://127.0.0.1/stint/CONNECT") << false;
        QTest::newRow("localhost") << QStringLiteral("http://localhost/stint/connect") << false;
    }
    void customersOwnAppConnectsWithTheAuthorizationCode()
    {
        QFETCH(QString, registered);
        QFETCH(bool, accepted);
        startWorld();
        SimState& s = m_sim->state();
        SimApp& own = s.registerApp(m_contoso, QStringLiteral("Stint (Contoso's own)"), stintAppPermissions());
        own.multiTenant = false;
        own.redirectUris = {registered};
        const QString ownSecret
            = QStringLiteral("own-app-secret~") + QString::fromLatin1(crypto::randomBytes(8).toHex());
        s.addClientSecret(own, ownSecret, m_cloud->clock().now() + 365LL * 86'400'000);
        QVERIFY(s.grantServicePrincipal(m_contoso, own.clientId, stintAppPermissions(),
                                        {roles::kPrivilegedAuthenticationAdministrator})
                    .ok());
        const QString tenant = newTenant();
        const ApiReply put
            = m_cloud->api().send("PUT", connectionPath(tenant) + QStringLiteral("/credential"), m_admin.token,
                                  QJsonDocument(QJsonObject {{QStringLiteral("kind"), QStringLiteral("client_secret")},
                                                             {QStringLiteral("clientId"), own.clientId},
                                                             {QStringLiteral("clientSecret"), ownSecret}})
                                      .toJson(QJsonDocument::Compact));
        QCOMPARE(put.status, 200);

        client::TenantConnector connector(*m_api, openBrowser());
        auto call = connector.connect(tenant, QString::fromLatin1(models::kConnectAuthorizationCode), kContosoAdmin,
                                      QStringLiteral("contoso.com"));
        if (!accepted) {
            QTRY_VERIFY_WITH_TIMEOUT(m_browser.done, 30'000);
            QVERIFY(!m_browser.redirect.isValid());
            QCOMPARE(m_browser.failure.aadsts, 50011);
            connector.cancel();
            QTRY_VERIFY(call.isFinished());
            QCOMPARE(call.result()->error().code, QStringLiteral("loopback.cancelled"));
            return;
        }
        QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 30'000);
        QVERIFY2(call.result()->ok(), qPrintable(call.result()->ok() ? QString() : call.result()->error().message));
        const QUrl opened = m_browser.opened.first();
        QVERIFY(opened.path().endsWith(QLatin1String("/oauth2/v2.0/authorize")));
        QCOMPARE(QUrlQuery(opened).queryItemValue(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
        QVERIFY(QUrlQuery(m_browser.redirect).hasQueryItem(QStringLiteral("code")));
        QCOMPARE(pageStatus(), 200);
        QVERIFY(pageBody().contains(client::LoopbackPage::connected().title.toUtf8()));
        QTRY_COMPARE_WITH_TIMEOUT(status(tenant), QStringLiteral("connected"), 20'000);
        QCOMPARE(connection(tenant).value(QLatin1String("entraTenantId")).toString(), m_contoso);
        settle(tenant);
    }

    // What the MSP registers decides whether Microsoft sends the browser back at all (protocols.md 1.6).
    void theRegisteredRedirectUriMustMatch_data()
    {
        QTest::addColumn<QString>("registered");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("exact") << kConnectRedirect << true;
        QTest::newRow("with a port (ignored for loopback)")
            << QStringLiteral("http://127.0.0.1:8400/stint/connect") << true;
        QTest::newRow("localhost is another host") << QStringLiteral("http://localhost/stint/connect") << false;
        QTest::newRow("path case differs") << QStringLiteral("http://127.0.0.1/stint/Connect") << false;
        QTest::newRow("trailing slash") << QStringLiteral("http://127.0.0.1/stint/connect/") << false;
        QTest::newRow("root only") << QStringLiteral("http://127.0.0.1/") << false;
        QTest::newRow("a prefix of the path") << QStringLiteral("http://127.0.0.1/stint") << false;
        QTest::newRow("another path") << QStringLiteral("http://127.0.0.1/stint/callback") << false;
        QTest::newRow("https") << QStringLiteral("https://127.0.0.1/stint/connect") << false;
        QTest::newRow("IPv6 loopback") << QStringLiteral("http://[::1]/stint/connect") << false;
    }
    void theRegisteredRedirectUriMustMatch()
    {
        QFETCH(QString, registered);
        QFETCH(bool, accepted);
        startWorld({registered});
        const QString tenant = newTenant();
        grantRoleAfterConsent();
        client::TenantConnector connector(*m_api, openBrowser());
        auto call = connector.connect(tenant, QString::fromLatin1(models::kConnectAdminConsent));
        QTRY_VERIFY_WITH_TIMEOUT(m_browser.done, 30'000);
        if (accepted) {
            QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 30'000);
            QVERIFY(call.result()->ok());
            QCOMPARE(pageStatus(), 200);
            QTRY_COMPARE_WITH_TIMEOUT(status(tenant), QStringLiteral("connected"), 20'000);
            settle(tenant);
            return;
        }
        // Microsoft's error page, before anything reaches the app; the app gives up when the person cancels.
        QVERIFY(!m_browser.redirect.isValid());
        QCOMPARE(m_browser.failure.step, QStringLiteral("error"));
        QCOMPARE(m_browser.failure.aadsts, 50011);
        QVERIFY(!call.isFinished());
        connector.cancel();
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QStringLiteral("loopback.cancelled"));
        QVERIFY(!m_sim->state().servicePrincipal(m_contoso, m_mspClientId));
    }

    // scripts/run-demo.sh's world: its app lists the redirect URI the desktop app uses.
    void theDemoScenarioConnects()
    {
        startWorld({}, true);
        const QString tenant = newTenant();
        m_browser.password = QStringLiteral("Demo-Contoso-Admin-1!");
        client::TenantConnector connector(*m_api, openBrowser());
        auto call = connector.connect(tenant, QString::fromLatin1(models::kConnectAdminConsent));
        QTRY_VERIFY_WITH_TIMEOUT(m_browser.done, 30'000);
        QVERIFY2(
            m_browser.redirect.isValid(),
            qPrintable(
                QStringLiteral("Microsoft stopped at %1: %2").arg(m_browser.failure.step, m_browser.failure.message)));
        QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 30'000);
        QVERIFY2(call.result()->ok(), qPrintable(call.result()->ok() ? QString() : call.result()->error().message));
        QCOMPARE(pageStatus(), 200);
        QTRY_COMPARE_WITH_TIMEOUT(status(tenant), QStringLiteral("connected"), 20'000);
        QCOMPARE(connection(tenant).value(QLatin1String("entraTenantId")).toString(), m_contoso);
        settle(tenant);
    }
};

QTEST_GUILESS_MAIN(TestTenantConnectLoopback)
#include "TestTenantConnectLoopback.moc"
