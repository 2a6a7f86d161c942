// SPDX-License-Identifier: GPL-3.0-or-later
// Connecting customer tenants: the connect flow (state rules, error callbacks, loopback redirects, forged tenant
// parameters), per-customer credentials (write-only, sealed at rest), health checks (on demand and scheduled),
// unhealthy findings and disconnecting — against the scripted FakeConnectGateway.
#include "cloud/CloudContext.h"
#include "cloud/connections/ConnectFlow.h"
#include "core/Crypto.h"
#include "core/Ids.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/FakeConnectGateway.h"
#include "support/IdentityCertificates.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUrlQuery>

using namespace stint;
using namespace stint::test;

namespace {
// A certificate and its private key made when the test runs (no private key is committed), valid around the
// fixture's manual clock.
const TestCertificate& testCertificate()
{
    static const TestCertificate certificate = TestCertificate::generate(
        QStringLiteral("Contoso Stint app"), 1'800'000'000'000 - 86'400'000LL, 1'800'000'000'000 + 730LL * 86'400'000);
    return certificate;
}

QString certificatePem()
{
    return QString::fromLatin1(testCertificate().certificatePem);
}

QString privateKeyPem()
{
    return QString::fromLatin1(testCertificate().privateKeyPem.bytes());
}

// The certificate's SHA-1 thumbprint as the API shows it (uppercase hex).
QString certificateThumbprint()
{
    return QString::fromLatin1(crypto::base64UrlDecode(testCertificate().thumbprintSha1)->toHex().toUpper());
}

const QString kTenantA = QStringLiteral("aaaabbbb-0000-cccc-1111-dddd2222eeee");
const QString kTenantB = QStringLiteral("bbbbcccc-1111-dddd-2222-eeee3333ffff");
const QString kMspClientId = QStringLiteral("00001111-aaaa-2222-bbbb-3333cccc4444");
const QString kOwnClientId = QStringLiteral("11112222-bbbb-3333-cccc-4444dddd5555");
const QString kMspSecret = QStringLiteral("msp-app-secret-value-8Q~abc");
const QString kOwnSecret = QStringLiteral("own-app-secret-value-7Q~xyz");
const QString kRedirect = QStringLiteral("http://127.0.0.1:53123/callback");

QByteArray j(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}
} // namespace

class TestConnectionFlow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_secrets;
    std::unique_ptr<CloudFixture> m_cloud;
    FakeConnectGateway* m_gateway = nullptr;
    QString m_org, m_otherOrg, m_tenant, m_tenant2;
    SignedInPerson m_admin, m_admin2, m_tech, m_otherAdmin;

    ApiClient& api() { return m_cloud->api(); }
    QString path(const QString& tenantId, const QString& rest = {}) const
    {
        return QStringLiteral("/v1/tenants/%1/connection%2").arg(tenantId, rest);
    }

    // Starts the service; with `mspApp`, the MSP's multi-tenant app is configured (its secret in a 0600 file).
    void startCloud(bool mspApp, int tickMs = 50)
    {
        cloud::CloudConfig config;
        config.schedulerTickMs = tickMs;
        if (mspApp) {
            const QString file = m_secrets.filePath(QStringLiteral("msp.secret"));
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(kMspSecret.toUtf8() + '\n');
            f.close();
            QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
            config.entra.appClientId = kMspClientId;
            config.entra.appClientSecretFile = file;
        }
        m_cloud = std::make_unique<CloudFixture>(config);
        auto gateway = std::make_unique<FakeConnectGateway>();
        m_gateway = gateway.get();
        m_cloud->setGateway(std::move(gateway));
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        m_org = m_cloud->addOrganization(QStringLiteral("Acme MSP"));
        m_otherOrg = m_cloud->addOrganization(QStringLiteral("Other MSP"));
        m_admin = addSignedInPerson(*m_cloud, m_org, QStringLiteral("admin@acme.example"), QStringLiteral("admin"));
        m_admin2 = addSignedInPerson(*m_cloud, m_org, QStringLiteral("admin2@acme.example"), QStringLiteral("admin"));
        m_tech = addSignedInPerson(*m_cloud, m_org, QStringLiteral("tech@acme.example"));
        m_otherAdmin =
            addSignedInPerson(*m_cloud, m_otherOrg, QStringLiteral("admin@other.example"), QStringLiteral("admin"));
        m_tenant = createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}));
        m_tenant2 = createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Fabrikam"), {kUserAdministrator}));
        QVERIFY(!m_tenant.isEmpty() && !m_tenant2.isEmpty());
    }

    QString snapshot()
    {
        QStringList parts{m_cloud->snapshot()};
        for (const char* table : {"tenant_connections", "tenant_credentials", "connect_states", "webhooks"})
            parts << QStringLiteral("%1=%2").arg(QLatin1String(table)).arg(m_cloud->count(QLatin1String(table)));
        parts << QString::number(m_cloud->scalar(QStringLiteral("SELECT COUNT(*) FROM connect_states WHERE used_at IS NOT NULL")));
        return parts.join(QLatin1Char(' '));
    }

    QJsonObject connection(const QString& tenantId)
    {
        return api().get(path(tenantId), m_admin.token).json;
    }
    QString status(const QString& tenantId)
    {
        return connection(tenantId).value(QLatin1String("status")).toString();
    }

    ApiReply start(const QString& tenantId, const QString& kind, const QString& token, const QJsonObject& extra = {})
    {
        QJsonObject body{{QStringLiteral("redirectUri"), kRedirect}, {QStringLiteral("kind"), kind}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            body.insert(it.key(), it.value());
        return api().post(path(tenantId, QStringLiteral("/start")), token, body);
    }

    QString consentCallback(const QString& state, const QString& tenant)
    {
        return kRedirect + QStringLiteral("?admin_consent=True&tenant=") + tenant
            + QStringLiteral("&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&state=") + state;
    }

    ApiReply complete(const QString& tenantId, const QString& callbackUrl, const QString& token)
    {
        return api().post(path(tenantId, QStringLiteral("/complete")), token,
                          {{QStringLiteral("callbackUrl"), callbackUrl}});
    }

    // Completes an authorization-code flow the way the desktop app does when it posts the callback's parameters.
    ApiReply completeWithCode(const QString& tenantId, const QString& state, const QString& code)
    {
        return api().post(path(tenantId, QStringLiteral("/complete")), m_admin.token,
                          {{QStringLiteral("params"),
                            QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("state"), state}}}});
    }

    ApiReply putCredential(const QString& tenantId, const QJsonObject& body)
    {
        return api().send("PUT", path(tenantId, QStringLiteral("/credential")), m_admin.token, j(body));
    }

    QJsonObject secretCredential()
    {
        return {{QStringLiteral("kind"), QStringLiteral("client_secret")},
                {QStringLiteral("clientId"), kOwnClientId},
                {QStringLiteral("clientSecret"), kOwnSecret}};
    }

    // Connects `tenantId` through admin consent, proving `proven`.
    void connectWithConsent(const QString& tenantId, const QString& proven)
    {
        const ApiReply s = start(tenantId, QStringLiteral("admin_consent"), m_admin.token);
        QVERIFY2(s.status == 200, s.describe().constData());
        const ApiReply c = complete(tenantId, consentCallback(s.json.value(QLatin1String("state")).toString(), proven),
                                    m_admin.token);
        QVERIFY2(c.status == 202, c.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(status(tenantId), QStringLiteral("connected"), 10000);
    }

    qint64 events(const QString& type)
    {
        return m_cloud->count(QStringLiteral("events"), QStringLiteral("type = ?"), {type});
    }
    qint64 audits(const QString& action, const QString& outcome = QStringLiteral("success"))
    {
        return m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = ? AND outcome = ?"),
                              {action, outcome});
    }

private slots:
    void cleanup()
    {
        m_cloud.reset();
        m_gateway = nullptr;
    }

    // The cloud's own pieces of the flow (ConnectFlow.h), without a service.
    void flowRules()
    {
        using namespace cloud::connections;
        const crypto::SecretBytes key(crypto::randomBytes(32));
        const crypto::SecretBytes verifier(QByteArray(43, 'v'));
        const QByteArray hash = crypto::sha256("state-1");
        auto sealed = sealVerifier(key, verifier, hash);
        QVERIFY(sealed.ok());
        QVERIFY(!sealed->contains(verifier.bytes()));
        auto opened = openVerifier(key, *sealed, hash);
        QVERIFY(opened.ok());
        QCOMPARE(opened->bytes(), verifier.bytes());
        QVERIFY(!openVerifier(key, *sealed, crypto::sha256("state-2")).ok());
        QVERIFY(!openVerifier(key, QByteArray(), hash).ok());
        QCOMPARE(flowNonce(QStringLiteral("s1")), flowNonce(QStringLiteral("s1")));
        QVERIFY(flowNonce(QStringLiteral("s1")) != flowNonce(QStringLiteral("s2")));
        QCOMPARE(flowNonce(QStringLiteral("s1")).size(), 43);
        QVERIFY(sameRedirect(QUrl(kRedirect + QStringLiteral("?code=x&state=y")), QUrl(kRedirect)));
        QVERIFY(!sameRedirect(QUrl(QStringLiteral("http://127.0.0.1:53124/callback?code=x")), QUrl(kRedirect)));
        QVERIFY(!sameRedirect(QUrl(QStringLiteral("http://localhost:53123/callback")), QUrl(kRedirect)));
        QVERIFY(!sameRedirect(QUrl(QStringLiteral("http://127.0.0.1:53123/Callback")), QUrl(kRedirect)));
    }

    void adminConsentHappyPath()
    {
        startCloud(true);
        const QString before = snapshot();
        const ApiReply s = start(m_tenant, QStringLiteral("admin_consent"), m_admin.token,
                                 {{QStringLiteral("tenantHint"), QStringLiteral("contoso.onmicrosoft.com")}});
        QVERIFY2(s.status == 200, s.describe().constData());
        QVERIFY(snapshot() != before);
        const QUrl url(s.json.value(QLatin1String("authorizationUrl")).toString());
        QCOMPARE(url.host(), QStringLiteral("login.microsoftonline.com"));
        QCOMPARE(url.path(), QStringLiteral("/contoso.onmicrosoft.com/v2.0/adminconsent"));
        const QUrlQuery q(url);
        QCOMPARE(q.queryItemValue(QStringLiteral("client_id")), kMspClientId);
        QCOMPARE(q.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded), kRedirect);
        QCOMPARE(q.queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded),
                 QStringLiteral("https://graph.microsoft.com/.default"));
        const QString state = s.json.value(QLatin1String("state")).toString();
        QCOMPARE(q.queryItemValue(QStringLiteral("state")), state);
        QVERIFY(!s.body.contains(kMspSecret.toUtf8()));
        // The state is stored hashed only.
        QCOMPARE(m_cloud->count(QStringLiteral("connect_states"), QStringLiteral("state_hash = ?"),
                                {crypto::sha256(state.toUtf8())}),
                 qint64(1));
        QCOMPARE(status(m_tenant), QStringLiteral("connecting"));

        const ApiReply c = complete(m_tenant, consentCallback(state, kTenantA), m_admin.token);
        QVERIFY2(c.status == 202, c.describe().constData());
        QCOMPARE(c.json.value(QLatin1String("status")).toString(), QStringLiteral("verifying"));
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
        const QJsonObject conn = connection(m_tenant);
        QCOMPARE(conn.value(QLatin1String("entraTenantId")).toString(), kTenantA);
        QCOMPARE(conn.value(QLatin1String("usesMultiTenantApp")).toBool(), true);
        const QJsonObject report = conn.value(QLatin1String("report")).toObject();
        QCOMPARE(report.value(QLatin1String("domains")).toArray().size(), 2);
        QCOMPARE(report.value(QLatin1String("roleDefinitions")).toArray().size(), 3);
        QVERIFY(!conn.value(QLatin1String("checkedAt")).toString().isEmpty());
        // The gateway was asked with the MSP app's credential, for the candidate.
        const auto asked = m_gateway->inspected();
        QVERIFY(!asked.isEmpty());
        QCOMPARE(asked.first().clientId, kMspClientId);
        QCOMPARE(asked.first().entraTenantId, kTenantA);
        QCOMPARE(asked.first().endpoints.graph, QUrl(QStringLiteral("https://graph.microsoft.com")));
        // The tenant record shows it too, and it was audited and announced.
        const ApiReply t = api().get(QStringLiteral("/v1/tenants/") + m_tenant, m_admin.token);
        QCOMPARE(t.json.value(QLatin1String("connection")).toObject().value(QLatin1String("entraTenantId")).toString(),
                 kTenantA);
        QCOMPARE(audits(QStringLiteral("tenant.connect")), qint64(1));
        QCOMPARE(audits(QStringLiteral("tenant.connect.start")), qint64(1));
        QVERIFY(events(QStringLiteral("tenant.connection")) >= 3); // connecting, verifying, connected
        // Technicians and other organizations see nothing of it.
        QCOMPARE(api().get(path(m_tenant), m_tech.token).status, 403);
        QCOMPARE(api().get(path(m_tenant), m_otherAdmin.token).status, 404);
    }

    void authorizationCodeHappyPath()
    {
        startCloud(false);
        // Without the tenant's own app, and without a multi-tenant app, neither kind can start.
        QCOMPARE(start(m_tenant, QStringLiteral("authorization_code"), m_admin.token).problem(), QStringLiteral("no-credential"));
        QCOMPARE(start(m_tenant, QStringLiteral("admin_consent"), m_admin.token).problem(),
                 QStringLiteral("no-multi-tenant-app"));
        QVERIFY(putCredential(m_tenant, secretCredential()).status == 200);
        const ApiReply s = start(m_tenant, QStringLiteral("authorization_code"), m_admin.token,
                                 {{QStringLiteral("tenantHint"), kTenantA},
                                  {QStringLiteral("loginHint"), QStringLiteral("admin@contoso.com")}});
        QVERIFY2(s.status == 200, s.describe().constData());
        const QUrl url(s.json.value(QLatin1String("authorizationUrl")).toString());
        QCOMPARE(url.path(), QStringLiteral("/%1/oauth2/v2.0/authorize").arg(kTenantA));
        const QUrlQuery q(url);
        QCOMPARE(q.queryItemValue(QStringLiteral("client_id")), kOwnClientId);
        QCOMPARE(q.queryItemValue(QStringLiteral("response_type")), QStringLiteral("code"));
        QCOMPARE(q.queryItemValue(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
        QCOMPARE(q.queryItemValue(QStringLiteral("code_challenge")).size(), 43);
        QVERIFY(!q.hasQueryItem(QStringLiteral("code_verifier")));
        QCOMPARE(q.queryItemValue(QStringLiteral("login_hint"), QUrl::FullyDecoded), QStringLiteral("admin@contoso.com"));
        QVERIFY(!q.queryItemValue(QStringLiteral("nonce")).isEmpty());
        const QString state = s.json.value(QLatin1String("state")).toString();
        QCOMPARE(status(m_tenant), QStringLiteral("connecting"));

        // The admin signs in; the desktop app posts the callback's parameters; the cloud redeems the code.
        const QString code = m_gateway->issueCode(url, kTenantA);
        const ApiReply c = completeWithCode(m_tenant, state, code);
        QVERIFY2(c.status == 202, c.describe().constData());
        QCOMPARE(c.json.value(QLatin1String("status")).toString(), QStringLiteral("verifying"));
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
        QCOMPARE(connection(m_tenant).value(QLatin1String("entraTenantId")).toString(), kTenantA);
        // Redeemed once, at the tenant the authorize leg used, with the tenant's own app and the flow's redirect URI.
        const auto redeemed = m_gateway->redeemed();
        QCOMPARE(redeemed.size(), 1);
        QVERIFY(redeemed.first().ok);
        QCOMPARE(redeemed.first().clientId, kOwnClientId);
        QCOMPARE(redeemed.first().tenantSegment, kTenantA);
        QCOMPARE(redeemed.first().redirectUri, QUrl(kRedirect));
        QVERIFY(!redeemed.first().usedCertificate);
        // The signed-in admin's tenant is the one inspected, with the same app.
        QCOMPARE(m_gateway->inspected().first().clientId, kOwnClientId);
        QCOMPARE(m_gateway->inspected().first().entraTenantId, kTenantA);
        QCOMPARE(audits(QStringLiteral("tenant.connect")), qint64(1));
        const qint64 signedIn = m_cloud->count(QStringLiteral("audit_events"),
                                               QStringLiteral("action = 'tenant.connect' AND details LIKE ?"),
                                               {QStringLiteral("%admin@contoso.com%")});
        QCOMPARE(signedIn, qint64(1));
        // The state is spent.
        const ApiReply replay = completeWithCode(m_tenant, state, code);
        QVERIFY2(replay.problem() == QStringLiteral("state-used"), replay.describe().constData());
        QCOMPARE(m_gateway->redeemed().size(), 1);
    }

    void verifierIsSealedWithItsState()
    {
        startCloud(false);
        QVERIFY(putCredential(m_tenant, secretCredential()).status == 200);
        const ApiReply s1 = start(m_tenant, QStringLiteral("authorization_code"), m_admin.token,
                                  {{QStringLiteral("tenantHint"), kTenantA}});
        const ApiReply s2 = start(m_tenant, QStringLiteral("authorization_code"), m_admin.token,
                                  {{QStringLiteral("tenantHint"), kTenantA}});
        QVERIFY(s1.status == 200 && s2.status == 200);
        const QByteArray hash1 = crypto::sha256(s1.json.value(QLatin1String("state")).toString().toUtf8());
        const QByteArray hash2 = crypto::sha256(s2.json.value(QLatin1String("state")).toString().toUtf8());
        auto rows = m_cloud->db().query(QStringLiteral("SELECT sealed_verifier FROM connect_states WHERE state_hash = ?"),
                                        {hash1});
        QVERIFY(rows.ok() && rows->size() == 1);
        const QByteArray sealed = rows->front().blob(0);
        // It opens only with its own state's hash, and it is the verifier of the challenge the browser got.
        auto verifier = crypto::open(m_cloud->context().connectionsKey, sealed, hash1);
        QVERIFY(verifier.ok());
        QCOMPARE(verifier->size(), 43);
        QVERIFY(!sealed.contains(verifier->bytes()));
        QVERIFY(!crypto::open(m_cloud->context().connectionsKey, sealed, hash2).ok());
        const QUrlQuery q(QUrl(s1.json.value(QLatin1String("authorizationUrl")).toString()));
        QCOMPARE(q.queryItemValue(QStringLiteral("code_challenge")).toLatin1(),
                 crypto::base64UrlEncode(crypto::sha256(verifier->bytes())));
        QVERIFY(!s1.body.contains(verifier->bytes()));
    }

    void certificateAppRedeemsWithItsCertificate()
    {
        startCloud(false);
        const ApiReply put = putCredential(m_tenant, {{QStringLiteral("kind"), QStringLiteral("certificate")},
                                                      {QStringLiteral("clientId"), kOwnClientId},
                                                      {QStringLiteral("certificatePem"), certificatePem()},
                                                      {QStringLiteral("privateKeyPem"), privateKeyPem()}});
        QVERIFY2(put.status == 200, put.describe().constData());
        // No tenant hint: both legs use "organizations", and the signed-in admin's tenant is the one proven.
        const ApiReply s = start(m_tenant, QStringLiteral("authorization_code"), m_admin.token);
        QVERIFY2(s.status == 200, s.describe().constData());
        const QUrl url(s.json.value(QLatin1String("authorizationUrl")).toString());
        QCOMPARE(url.path(), QStringLiteral("/organizations/oauth2/v2.0/authorize"));
        const QString code = m_gateway->issueCode(url, kTenantB.toUpper());
        const ApiReply c = complete(m_tenant,
                                    kRedirect + QStringLiteral("?code=") + code + QStringLiteral("&state=")
                                        + s.json.value(QLatin1String("state")).toString()
                                        + QStringLiteral("&session_state=x"),
                                    m_admin.token);
        QVERIFY2(c.status == 202, c.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
        QCOMPARE(connection(m_tenant).value(QLatin1String("entraTenantId")).toString(), kTenantB);
        QCOMPARE(m_gateway->redeemed().first().tenantSegment, QStringLiteral("organizations"));
        QVERIFY(m_gateway->redeemed().first().usedCertificate);
        QVERIFY(m_gateway->inspected().first().usedCertificate);
    }

    void failedRedemptionChangesNothing_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown code") << QStringLiteral("unknown") << QStringLiteral("entra.token_rejected")
                                      << QStringLiteral("AADSTS70000");
        QTest::newRow("replayed code") << QStringLiteral("replayed") << QStringLiteral("entra.token_rejected")
                                       << QStringLiteral("AADSTS54005");
        QTest::newRow("code for another client") << QStringLiteral("other client") << QStringLiteral("entra.token_rejected")
                                                 << QStringLiteral("different client");
        QTest::newRow("wrong verifier") << QStringLiteral("other challenge") << QStringLiteral("entra.token_rejected")
                                        << QStringLiteral("AADSTS501481");
        QTest::newRow("nonce of another flow") << QStringLiteral("other nonce") << QStringLiteral("entra.invalid_id_token")
                                               << QStringLiteral("nonce");
        QTest::newRow("AADSTS error") << QStringLiteral("aadsts") << QStringLiteral("entra.authentication")
                                      << QStringLiteral("AADSTS7000222");
    }
    void failedRedemptionChangesNothing()
    {
        QFETCH(QString, how);
        QFETCH(QString, code);
        QFETCH(QString, message);
        startCloud(false);
        QVERIFY(putCredential(m_tenant, secretCredential()).status == 200);
        const auto begin = [&]() {
            const ApiReply s = start(m_tenant, QStringLiteral("authorization_code"), m_admin.token,
                                     {{QStringLiteral("tenantHint"), kTenantA}});
            return std::make_pair(s.json.value(QLatin1String("state")).toString(),
                                  QUrl(s.json.value(QLatin1String("authorizationUrl")).toString()));
        };
        auto [state, url] = begin();
        QUrlQuery asked(url);
        const auto tampered = [&](const QString& key, const QString& value) {
            QUrlQuery q = asked;
            q.removeAllQueryItems(key);
            q.addQueryItem(key, value);
            QUrl u = url;
            u.setQuery(q);
            return u;
        };
        QString theCode;
        if (how == QLatin1String("unknown")) {
            theCode = QStringLiteral("1.Anot-a-code");
        } else if (how == QLatin1String("replayed")) {
            // A code already redeemed by another flow (e.g. a callback the browser replayed).
            const auto [firstState, firstUrl] = begin();
            theCode = m_gateway->issueCode(firstUrl, kTenantA);
            QCOMPARE(completeWithCode(m_tenant, firstState, theCode).status, 202);
            QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
            QCOMPARE(api().send("DELETE", path(m_tenant), m_admin.token, j({{QStringLiteral("confirm"), true}})).status,
                     200);
            // The first flow's state is spent; its code is now pasted into the second.
        } else if (how == QLatin1String("other client")) {
            theCode = m_gateway->issueCode(tampered(QStringLiteral("client_id"), kMspClientId), kTenantA);
        } else if (how == QLatin1String("other challenge")) {
            theCode = m_gateway->issueCode(
                tampered(QStringLiteral("code_challenge"),
                         QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256("someone else's verifier")))),
                kTenantA);
        } else if (how == QLatin1String("other nonce")) {
            theCode = m_gateway->issueCode(tampered(QStringLiteral("nonce"), QStringLiteral("n-of-another-flow")), kTenantA);
        } else {
            theCode = m_gateway->issueCode(url, kTenantA);
            m_gateway->failRedeem(makeError(QString::fromLatin1(entra::EntraGateway::kAuthentication),
                                            QStringLiteral("The token endpoint answered 401 invalid_client "
                                                           "(AADSTS7000222): the client secret expired")));
        }
        const int inspections = m_gateway->inspectCalls();
        const qint64 connects = audits(QStringLiteral("tenant.connect"), QStringLiteral("failure"));
        const ApiReply c = completeWithCode(m_tenant, state, theCode);
        QVERIFY2(c.status == 202, c.describe().constData());
        auto lastError = [&]() { return connection(m_tenant).value(QLatin1String("lastError")).toObject(); };
        QTRY_COMPARE_WITH_TIMEOUT(lastError().value(QLatin1String("code")).toString(), code, 10000);
        QVERIFY2(lastError().value(QLatin1String("message")).toString().contains(message),
                 qPrintable(lastError().value(QLatin1String("message")).toString()));
        // Nothing bound, nothing inspected, no report; the flow is over (not_connected), audited as a failed connect.
        const QJsonObject conn = connection(m_tenant);
        QCOMPARE(conn.value(QLatin1String("status")).toString(), QStringLiteral("not_connected"));
        QVERIFY(conn.value(QLatin1String("entraTenantId")).isNull());
        QVERIFY(conn.value(QLatin1String("report")).isNull());
        QCOMPARE(m_gateway->inspectCalls(), inspections);
        QCOMPARE(audits(QStringLiteral("tenant.connect"), QStringLiteral("failure")), connects + 1);
        QCOMPARE(events(QStringLiteral("alert.raised")), qint64(0));
        QVERIFY(!QJsonDocument(conn).toJson().contains(theCode.toUtf8()));
    }

    void signedInTenantMustBeTheProvenOne()
    {
        startCloud(false);
        QVERIFY(putCredential(m_tenant, secretCredential()).status == 200);
        // Not proven yet: the admin signed in to A, but the app's credential proves B. Nothing is bound.
        m_gateway->proveAs(kTenantB);
        ApiReply s = start(m_tenant, QStringLiteral("authorization_code"), m_admin.token);
        QCOMPARE(completeWithCode(m_tenant, s.json.value(QLatin1String("state")).toString(),
                                  m_gateway->issueCode(QUrl(s.json.value(QLatin1String("authorizationUrl")).toString()),
                                                       kTenantA))
                     .status,
                 202);
        auto lastErrorCode = [&]() {
            return connection(m_tenant).value(QLatin1String("lastError")).toObject().value(QLatin1String("code")).toString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(lastErrorCode(), QStringLiteral("entra.tenant_mismatch"), 10000);
        QCOMPARE(status(m_tenant), QStringLiteral("not_connected"));
        QVERIFY(connection(m_tenant).value(QLatin1String("entraTenantId")).isNull());

        // Proven as A: a sign-in to B is refused before any inspection, and the connection stays as it was.
        m_gateway->proveAs(QString());
        QCOMPARE(api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token, {{QStringLiteral("entraTenantId"), kTenantA}}).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
        const int inspections = m_gateway->inspectCalls();
        const QJsonObject report = connection(m_tenant).value(QLatin1String("report")).toObject();
        s = start(m_tenant, QStringLiteral("authorization_code"), m_admin.token,
                  {{QStringLiteral("tenantHint"), kTenantB}});
        QVERIFY2(s.status == 200, s.describe().constData());
        QCOMPARE(completeWithCode(m_tenant, s.json.value(QLatin1String("state")).toString(),
                                  m_gateway->issueCode(QUrl(s.json.value(QLatin1String("authorizationUrl")).toString()),
                                                       kTenantB))
                     .status,
                 202);
        QTRY_COMPARE_WITH_TIMEOUT(audits(QStringLiteral("tenant.connect"), QStringLiteral("failure")), qint64(2), 10000);
        QCOMPARE(lastErrorCode(), QStringLiteral("entra.tenant_mismatch"));
        QCOMPARE(status(m_tenant), QStringLiteral("connected"));
        QCOMPARE(connection(m_tenant).value(QLatin1String("entraTenantId")).toString(), kTenantA);
        QCOMPARE(connection(m_tenant).value(QLatin1String("report")).toObject(), report);
        QCOMPARE(m_gateway->inspectCalls(), inspections);
        QCOMPARE(events(QStringLiteral("alert.raised")), qint64(0));
    }

    void browserlessWithOwnApp()
    {
        startCloud(false);
        QVERIFY(putCredential(m_tenant, secretCredential()).status == 200);
        const QString before = snapshot();
        // Without a tenant id there is nothing to prove.
        const ApiReply none = api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token, QJsonObject());
        QCOMPARE(none.problem(), QStringLiteral("tenant-id-unknown"));
        QCOMPARE(snapshot(), before);
        const ApiReply c = api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token,
                                      {{QStringLiteral("entraTenantId"), kTenantA.toUpper()}});
        QVERIFY2(c.status == 202, c.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
        QCOMPARE(connection(m_tenant).value(QLatin1String("entraTenantId")).toString(), kTenantA);
    }

    void stateRules()
    {
        startCloud(true);
        const QString state = start(m_tenant, QStringLiteral("admin_consent"), m_admin.token)
                                  .json.value(QLatin1String("state")).toString();
        QVERIFY(!state.isEmpty());
        const QString before = snapshot();
        auto refused = [&](const ApiReply& r, const QString& slug) {
            QVERIFY2(r.status == 400 && r.problem() == slug, r.describe().constData());
            QCOMPARE(snapshot(), before);
        };
        // Unknown, another tenant, another admin, another session of the same admin: refused, nothing changes.
        refused(complete(m_tenant, consentCallback(ids::newToken(), kTenantA), m_admin.token),
                QStringLiteral("state-unknown"));
        refused(complete(m_tenant2, consentCallback(state, kTenantA), m_admin.token), QStringLiteral("state-mismatch"));
        refused(complete(m_tenant, consentCallback(state, kTenantA), m_admin2.token), QStringLiteral("state-mismatch"));
        refused(complete(m_tenant, consentCallback(state, kTenantA), m_cloud->signIn(m_admin.id)),
                QStringLiteral("state-mismatch"));
        QCOMPARE(api().post(path(m_tenant, QStringLiteral("/complete")), m_otherAdmin.token,
                            {{QStringLiteral("callbackUrl"), consentCallback(state, kTenantA)}})
                     .status,
                 404);
        // A callback to another address than the flow's redirect URI.
        refused(complete(m_tenant, consentCallback(state, kTenantA).replace(QStringLiteral(":53123"), QStringLiteral(":1")),
                         m_admin.token),
                QStringLiteral("redirect-mismatch"));
        QCOMPARE(m_gateway->inspectCalls(), 0);

        // Used once, then never again.
        QCOMPARE(complete(m_tenant, consentCallback(state, kTenantA), m_admin.token).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
        // The scheduler reconciles a newly connected tenant at once; let it, so that it does not change a snapshot.
        QTRY_COMPARE_WITH_TIMEOUT(audits(QStringLiteral("reconcile.run")), qint64(1), 10000);
        const QString after = snapshot();
        const ApiReply replay = complete(m_tenant, consentCallback(state, kTenantA), m_admin.token);
        QVERIFY2(replay.problem() == QStringLiteral("state-used"), replay.describe().constData());
        QCOMPARE(snapshot(), after);
        QVERIFY(audits(QStringLiteral("tenant.connect.complete"), QStringLiteral("failure")) >= 5);

        // Expired after 10 minutes.
        const QString late = start(m_tenant2, QStringLiteral("admin_consent"), m_admin.token)
                                 .json.value(QLatin1String("state")).toString();
        m_cloud->clock().advance(10 * 60 * 1000 + 1);
        const QString beforeLate = snapshot();
        const ApiReply expired = complete(m_tenant2, consentCallback(late, kTenantB), m_admin.token);
        QVERIFY2(expired.problem() == QStringLiteral("state-expired"), expired.describe().constData());
        QCOMPARE(snapshot(), beforeLate);
    }

    void forgedTenantParameter()
    {
        startCloud(true);
        // The redirect names tenant A, but the credential proves B: B is bound, with a warning.
        m_gateway->proveAs(kTenantB);
        connectWithConsent(m_tenant, kTenantA);
        const QJsonObject conn = connection(m_tenant);
        QCOMPARE(conn.value(QLatin1String("entraTenantId")).toString(), kTenantB);
        bool warned = false;
        for (const auto& f : conn.value(QLatin1String("report")).toObject().value(QLatin1String("findings")).toArray())
            warned |= f.toObject().value(QLatin1String("code")).toString() == QLatin1String("tenant.candidate_mismatch");
        QVERIFY(warned);

        // Another record (here: of another organization) cannot take B.
        const QString other = createTenant(*m_cloud, m_otherAdmin.token, tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}));
        const ApiReply s = api().post(path(other, QStringLiteral("/start")), m_otherAdmin.token,
                                      {{QStringLiteral("redirectUri"), kRedirect},
                                       {QStringLiteral("kind"), QStringLiteral("admin_consent")}});
        QVERIFY2(s.status == 200, s.describe().constData());
        const ApiReply c = api().post(path(other, QStringLiteral("/complete")), m_otherAdmin.token,
                                      {{QStringLiteral("callbackUrl"),
                                        consentCallback(s.json.value(QLatin1String("state")).toString(), kTenantA)}});
        QCOMPARE(c.status, 202);
        auto otherConnection = [&]() { return api().get(path(other), m_otherAdmin.token).json; };
        QTRY_COMPARE_WITH_TIMEOUT(otherConnection().value(QLatin1String("lastError")).toObject().value(QLatin1String("code")).toString(),
                                  QStringLiteral("tenant-already-bound"), 10000);
        QCOMPARE(otherConnection().value(QLatin1String("status")).toString(), QStringLiteral("not_connected"));
        QVERIFY(otherConnection().value(QLatin1String("entraTenantId")).isNull());
        QCOMPARE(connection(m_tenant).value(QLatin1String("entraTenantId")).toString(), kTenantB);
    }

    void errorCallbacks_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("aadsts");
        // v2: admin_consent=True is still there on errors.
        QTest::newRow("v2") << QStringLiteral("admin_consent=True&error=consent_required&error_description=AADSTS65004%3a+The+resource+owner+or+authorization+server+denied+the+request.%0d%0aTrace+ID%3a+x")
                            << QStringLiteral("AADSTS65004");
        QTest::newRow("v1") << QStringLiteral("error=permission_denied&error_description=The+admin+canceled+the+request")
                            << QString();
        QTest::newRow("authorize") << QStringLiteral("error=access_denied&error_description=the+user+canceled+the+authentication")
                                   << QString();
    }
    void errorCallbacks()
    {
        QFETCH(QString, query);
        QFETCH(QString, aadsts);
        startCloud(true);
        const QString state = start(m_tenant, QStringLiteral("admin_consent"), m_admin.token)
                                  .json.value(QLatin1String("state")).toString();
        const QString before = snapshot();
        const ApiReply r = complete(m_tenant, QStringLiteral("%1?%2&state=%3").arg(kRedirect, query, state), m_admin.token);
        QVERIFY2(r.status == 422 && r.problem() == QStringLiteral("authorization-failed"), r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("aadsts")).toString(), aadsts);
        QVERIFY(!r.json.value(QLatin1String("detail")).toString().contains(QLatin1String("Trace")));
        QCOMPARE(snapshot(), before);
        QCOMPARE(m_gateway->inspectCalls(), 0);
        QCOMPARE(audits(QStringLiteral("tenant.connect.complete"), QStringLiteral("failure")), qint64(1));
        QVERIFY(connection(m_tenant).value(QLatin1String("entraTenantId")).isNull());
    }

    void redirectMustBeLoopback_data()
    {
        QTest::addColumn<QString>("redirect");
        QTest::newRow("https elsewhere") << QStringLiteral("https://evil.example/callback");
        QTest::newRow("http elsewhere") << QStringLiteral("http://10.0.0.7:8080/callback");
        QTest::newRow("no port") << QStringLiteral("http://127.0.0.1/callback");
        QTest::newRow("https loopback") << QStringLiteral("https://127.0.0.1:5000/callback");
        QTest::newRow("ipv6") << QStringLiteral("http://[::1]:5000/callback");
        QTest::newRow("user info") << QStringLiteral("http://x@127.0.0.1:5000/callback");
        QTest::newRow("query") << QStringLiteral("http://127.0.0.1:5000/callback?x=1");
        QTest::newRow("lookalike") << QStringLiteral("http://127.0.0.1.evil.example:5000/callback");
        QTest::newRow("refused character") << QStringLiteral("http://127.0.0.1:5000/call(back)");
        QTest::newRow("no path") << QStringLiteral("http://127.0.0.1:5000");
    }
    void redirectMustBeLoopback()
    {
        QFETCH(QString, redirect);
        startCloud(true);
        const QString before = snapshot();
        const ApiReply r = api().post(path(m_tenant, QStringLiteral("/start")), m_admin.token,
                                      {{QStringLiteral("redirectUri"), redirect},
                                       {QStringLiteral("kind"), QStringLiteral("admin_consent")}});
        QVERIFY2(r.status == 422 && r.problem() == QStringLiteral("validation"), r.describe().constData());
        QVERIFY(r.json.value(QLatin1String("detail")).toString().contains(QLatin1String("redirectUri")));
        QCOMPARE(snapshot(), before);
        QVERIFY(!cloud::connections::loopbackRedirectProblem(QStringLiteral("http://localhost:5000/cb")).has_value());
    }

    void badInputChangesNothing()
    {
        startCloud(true);
        const QString before = snapshot();
        const QList<QPair<QString, QJsonObject>> starts{
            {QStringLiteral("no kind"), {{QStringLiteral("redirectUri"), kRedirect}}},
            {QStringLiteral("bad kind"), {{QStringLiteral("redirectUri"), kRedirect}, {QStringLiteral("kind"), QStringLiteral("implicit")}}},
            {QStringLiteral("bad hint"), {{QStringLiteral("redirectUri"), kRedirect}, {QStringLiteral("kind"), QStringLiteral("admin_consent")}, {QStringLiteral("tenantHint"), QStringLiteral("not a tenant!")}}},
            {QStringLiteral("unknown field"), {{QStringLiteral("redirectUri"), kRedirect}, {QStringLiteral("kind"), QStringLiteral("admin_consent")}, {QStringLiteral("extra"), 1}}},
        };
        for (const auto& [name, body] : starts) {
            const ApiReply r = api().post(path(m_tenant, QStringLiteral("/start")), m_admin.token, body);
            QVERIFY2(r.status == 422 && r.problem() == QStringLiteral("validation"), qPrintable(name + r.describe()));
        }
        const QList<QJsonObject> credentials{
            {{QStringLiteral("kind"), QStringLiteral("client_secret")}, {QStringLiteral("clientId"), kOwnClientId}},
            {{QStringLiteral("kind"), QStringLiteral("client_secret")}, {QStringLiteral("clientId"), QStringLiteral("not-a-guid")}, {QStringLiteral("clientSecret"), kOwnSecret}},
            {{QStringLiteral("kind"), QStringLiteral("certificate")}, {QStringLiteral("clientId"), kOwnClientId}, {QStringLiteral("clientSecret"), kOwnSecret}},
            {{QStringLiteral("kind"), QStringLiteral("certificate")}, {QStringLiteral("clientId"), kOwnClientId}, {QStringLiteral("certificatePem"), QStringLiteral("garbage")}, {QStringLiteral("privateKeyPem"), QStringLiteral("garbage")}},
            {{QStringLiteral("kind"), QStringLiteral("certificate")}, {QStringLiteral("clientId"), kOwnClientId}, {QStringLiteral("certificatePem"), certificatePem()}, {QStringLiteral("privateKeyPem"), QStringLiteral("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")}},
            {{QStringLiteral("kind"), QStringLiteral("client_secret")}, {QStringLiteral("clientId"), kOwnClientId}, {QStringLiteral("clientSecret"), kOwnSecret}, {QStringLiteral("secretExpiresAt"), QStringLiteral("next tuesday")}},
        };
        for (const QJsonObject& body : credentials) {
            const ApiReply r = putCredential(m_tenant, body);
            QVERIFY2(r.status == 422, r.describe().constData());
            QVERIFY(!r.body.contains(kOwnSecret.toUtf8()));
        }
        const ApiReply noConfirm = api().send("DELETE", path(m_tenant), m_admin.token, j({{QStringLiteral("confirm"), false}}));
        QCOMPARE(noConfirm.problem(), QStringLiteral("validation"));
        const ApiReply both = api().post(path(m_tenant, QStringLiteral("/complete")), m_admin.token,
                                         {{QStringLiteral("callbackUrl"), kRedirect}, {QStringLiteral("params"), QJsonObject()}});
        QCOMPARE(both.problem(), QStringLiteral("validation"));
        const ApiReply noState = complete(m_tenant, kRedirect + QStringLiteral("?code=x"), m_admin.token);
        QCOMPARE(noState.problem(), QStringLiteral("validation"));
        const ApiReply badTenant = api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token,
                                              {{QStringLiteral("entraTenantId"), QStringLiteral("contoso")}});
        QCOMPARE(badTenant.problem(), QStringLiteral("validation"));
        QCOMPARE(api().get(path(QStringLiteral("tnt_nope")), m_admin.token).status, 404);
        QCOMPARE(snapshot(), before);
    }

    void secretsAreWriteOnlyAndSealed()
    {
        startCloud(true);
        QList<ApiReply> replies;
        auto keep = [&](ApiReply r) {
            replies << r;
            return r;
        };
        QJsonObject secret = secretCredential();
        secret.insert(QStringLiteral("secretExpiresAt"), QStringLiteral("2027-06-30T00:00:00.000Z"));
        const ApiReply put = keep(putCredential(m_tenant, secret));
        QVERIFY2(put.status == 200, put.describe().constData());
        QCOMPARE(put.json.value(QLatin1String("kind")).toString(), QStringLiteral("client_secret"));
        QCOMPARE(put.json.value(QLatin1String("clientId")).toString(), kOwnClientId);
        QCOMPARE(put.json.value(QLatin1String("secretExpiresAt")).toString(), QStringLiteral("2027-06-30T00:00:00.000Z"));

        const ApiReply cert = keep(putCredential(m_tenant2, {{QStringLiteral("kind"), QStringLiteral("certificate")},
                                                             {QStringLiteral("clientId"), kOwnClientId},
                                                             {QStringLiteral("certificatePem"), certificatePem()},
                                                             {QStringLiteral("privateKeyPem"), privateKeyPem()}}));
        QVERIFY2(cert.status == 200, cert.describe().constData());
        QCOMPARE(cert.json.value(QLatin1String("certificateThumbprint")).toString(),
                 certificateThumbprint());
        QVERIFY(!cert.json.value(QLatin1String("certificateNotAfter")).toString().isEmpty());

        // Connect both, so every view has something to show.
        QCOMPARE(keep(api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token, {{QStringLiteral("entraTenantId"), kTenantA}})).status, 202);
        QCOMPARE(keep(api().post(path(m_tenant2, QStringLiteral("/check")), m_admin.token, {{QStringLiteral("entraTenantId"), kTenantB}})).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant2), QStringLiteral("connected"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
        for (const QString& t : {m_tenant, m_tenant2}) {
            keep(api().get(path(t), m_admin.token));
            keep(api().get(QStringLiteral("/v1/tenants/") + t, m_admin.token));
        }
        keep(api().get(QStringLiteral("/v1/tenants"), m_admin.token));
        keep(api().get(QStringLiteral("/v1/audit"), m_admin.token));
        const QByteArray keyBody = testCertificate().privateKeyPem.bytes().split('\n').at(1); // a line of the key's base64
        for (const ApiReply& r : replies) {
            QVERIFY2(!r.body.contains(kOwnSecret.toUtf8()), r.describe().constData());
            QVERIFY2(!r.body.contains(kMspSecret.toUtf8()), r.describe().constData());
            QVERIFY2(!r.body.contains(keyBody), r.describe().constData());
        }
        // The gateway got them, unsealed.
        QCOMPARE(m_gateway->inspected().size(), 2);
        // At rest: sealed, no plaintext anywhere in the row.
        auto rows = m_cloud->db().query(QStringLiteral("SELECT kind, client_id, certificate_pem, thumbprint, sealed FROM tenant_credentials"));
        QVERIFY(rows.ok());
        QCOMPARE(int(rows->size()), 2);
        for (const store::Row& row : *rows) {
            QByteArray all;
            for (int i = 0; i < row.size(); ++i)
                all += row.isNull(i) ? QByteArray() : row.blob(i) + row.text(i).toUtf8();
            QVERIFY(!all.contains(kOwnSecret.toUtf8()));
            QVERIFY(!all.contains(keyBody));
            QVERIFY(!all.contains("PRIVATE KEY"));
            QVERIFY(row.blob(4).size() > 16);
        }
        // Sealed to the tenant: another tenant id as AAD does not open it.
        const QByteArray sealed = m_cloud->db().query(QStringLiteral("SELECT sealed FROM tenant_credentials WHERE tenant_id = ?"), {m_tenant})->front().blob(0);
        QVERIFY(crypto::open(m_cloud->context().connectionsKey, sealed, m_tenant.toUtf8()).ok());
        QVERIFY(!crypto::open(m_cloud->context().connectionsKey, sealed, m_tenant2.toUtf8()).ok());

        // DELETE removes it; a second DELETE finds nothing.
        QCOMPARE(api().del(path(m_tenant, QStringLiteral("/credential")), m_admin.token).status, 204);
        QCOMPARE(api().del(path(m_tenant, QStringLiteral("/credential")), m_admin.token).status, 404);
        QVERIFY(connection(m_tenant).value(QLatin1String("credential")).isNull());
    }

    void unhealthyFindingsRaiseAnAlert()
    {
        startCloud(true);
        m_gateway->setFindings({{entra::HealthFinding::Severity::Error, QStringLiteral("sp_role.insufficient"),
                                 QStringLiteral("The app's service principal needs the Privileged Role Administrator role.")}});
        const ApiReply s = start(m_tenant, QStringLiteral("admin_consent"), m_admin.token);
        QCOMPARE(complete(m_tenant, consentCallback(s.json.value(QLatin1String("state")).toString(), kTenantA), m_admin.token).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("unhealthy"), 10000);
        const QJsonObject report = connection(m_tenant).value(QLatin1String("report")).toObject();
        QCOMPARE(report.value(QLatin1String("healthy")).toBool(), false);
        bool found = false;
        for (const auto& f : report.value(QLatin1String("findings")).toArray()) {
            const QJsonObject o = f.toObject();
            found |= o.value(QLatin1String("code")).toString() == QLatin1String("sp_role.insufficient")
                && o.value(QLatin1String("severity")).toString() == QLatin1String("error");
        }
        QVERIFY(found);
        QCOMPARE(events(QStringLiteral("alert.raised")), qint64(1));
        // Fixed in Entra: the next check makes it healthy again.
        m_gateway->setFindings({});
        QCOMPARE(api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token, QJsonObject()).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
    }

    void disconnectRevokesLiveCheckouts()
    {
        startCloud(true);
        connectWithConsent(m_tenant, kTenantA);
        QVERIFY(!createPolicy(*m_cloud, m_admin.token,
                              policyBody(QStringLiteral("Helpdesk"), {m_tenant}, {kUserAdministrator}, {m_tech.id}))
                     .isEmpty());
        const QJsonObject checkout = requestCheckout(*m_cloud, m_tech.token, m_tenant, {kUserAdministrator}, 30);
        const QString checkoutId = checkout.value(QLatin1String("id")).toString();
        QVERIFY(!checkoutId.isEmpty());
        forceCheckoutState(*m_cloud, checkoutId, QStringLiteral("ready"));
        // First the live checkout is revoked while the tenant stays connected (the connection is what revokes it) …
        const ApiReply pending = api().send("DELETE", path(m_tenant), m_admin.token, j({{QStringLiteral("confirm"), true}}));
        QVERIFY2(pending.status == 202, pending.describe().constData());
        QCOMPARE(pending.json.value(QLatin1String("status")).toString(), QStringLiteral("connected"));
        QCOMPARE(audits(QStringLiteral("tenant.disconnect_pending")), qint64(1));
        // (The fake lists no account for it, which the engine believes only after a few lookups spaced by its retry
        // backoff — Entra lists new accounts late — so the manual clock runs while the test waits.)
        QTRY_COMPARE_WITH_TIMEOUT((m_cloud->clock().advance(1000),
                                   api().get(QStringLiteral("/v1/checkouts/") + checkoutId, m_admin.token)
                                       .json.value(QLatin1String("state")).toString()),
                                  QStringLiteral("ended"), 10000);
        // … then disconnecting completes.
        const ApiReply r = api().send("DELETE", path(m_tenant), m_admin.token, j({{QStringLiteral("confirm"), true}}));
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("status")).toString(), QStringLiteral("not_connected"));
        QVERIFY(r.json.value(QLatin1String("entraTenantId")).isNull());
        QVERIFY(r.json.value(QLatin1String("report")).isNull());
        QCOMPARE(audits(QStringLiteral("tenant.disconnect")), qint64(1));
        // Disconnected twice is refused; the Entra tenant can be connected to another record now.
        QCOMPARE(api().send("DELETE", path(m_tenant), m_admin.token, j({{QStringLiteral("confirm"), true}})).problem(),
                 QStringLiteral("not-connected"));
        connectWithConsent(m_tenant2, kTenantA);
    }

    void scheduledHealthCheck()
    {
        startCloud(true);
        connectWithConsent(m_tenant, kTenantA);
        const int calls = m_gateway->inspectCalls();
        // Not due yet: nothing happens for a while.
        m_cloud->clock().advance(5LL * 3600 * 1000);
        // Something must *not* happen here: give the scheduler (50 ms ticks) several chances to run it too early.
        QTest::qWait(300);
        QCOMPARE(m_gateway->inspectCalls(), calls);
        // The app registration lost its role meanwhile: the 6-hourly check finds it.
        m_gateway->setFindings({{entra::HealthFinding::Severity::Error, QStringLiteral("permission.missing"),
                                 QStringLiteral("RoleManagement.ReadWrite.Directory is not granted.")}});
        m_cloud->clock().advance(3600LL * 1000 + 1);
        m_admin.token = m_cloud->signIn(m_admin.id); // the old session ended while the clock moved
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("unhealthy"), 10000);
        QVERIFY(m_gateway->inspectCalls() > calls);
        QCOMPARE(events(QStringLiteral("alert.raised")), qint64(1));
        QVERIFY(audits(QStringLiteral("tenant.connection.check")) >= 1);
    }

    void expiringSecretTurnsUnhealthy()
    {
        startCloud(false);
        QJsonObject secret = secretCredential();
        const TimeMs now = m_cloud->clock().now();
        secret.insert(QStringLiteral("secretExpiresAt"), toRfc3339(now + 10LL * 24 * 3600 * 1000));
        QCOMPARE(putCredential(m_tenant, secret).status, 200);
        QCOMPARE(api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token, {{QStringLiteral("entraTenantId"), kTenantA}}).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
        QVERIFY(QJsonDocument(connection(m_tenant)).toJson().contains("credential.expiring"));
        // Eleven days later the scheduled check finds it expired.
        m_cloud->clock().advance(11LL * 24 * 3600 * 1000);
        m_admin.token = m_cloud->signIn(m_admin.id);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("unhealthy"), 10000);
        QVERIFY(QJsonDocument(connection(m_tenant)).toJson().contains("credential.expired"));
        QCOMPARE(events(QStringLiteral("alert.raised")), qint64(1));
    }

    void removedCredentialTurnsUnhealthyAtTheNextCheck()
    {
        startCloud(false);
        QCOMPARE(putCredential(m_tenant, secretCredential()).status, 200);
        QCOMPARE(api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token, {{QStringLiteral("entraTenantId"), kTenantA}}).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("connected"), 10000);
        // Without its own app and without a multi-tenant app, an on-demand check cannot start: a clear problem.
        QCOMPARE(api().del(path(m_tenant, QStringLiteral("/credential")), m_admin.token).status, 204);
        QCOMPARE(api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token, QJsonObject()).problem(),
                 QStringLiteral("no-credential"));
        // The scheduled check records it as a failed check: unhealthy, still bound, alerted.
        m_cloud->clock().advance(6LL * 3600 * 1000 + 1);
        m_admin.token = m_cloud->signIn(m_admin.id);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("unhealthy"), 10000);
        const QJsonObject conn = connection(m_tenant);
        QCOMPARE(conn.value(QLatin1String("lastError")).toObject().value(QLatin1String("code")).toString(),
                 QStringLiteral("connection.no_credential"));
        QCOMPARE(conn.value(QLatin1String("entraTenantId")).toString(), kTenantA);
        QCOMPARE(events(QStringLiteral("alert.raised")), qint64(1));
    }

    void gatewayFailureKeepsTheBinding()
    {
        startCloud(true);
        connectWithConsent(m_tenant, kTenantA);
        m_gateway->failInspect(makeError(QString::fromLatin1(entra::EntraGateway::kAuthentication),
                                         QStringLiteral("AADSTS7000222: the client secret expired")));
        QCOMPARE(api().post(path(m_tenant, QStringLiteral("/check")), m_admin.token, QJsonObject()).status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(status(m_tenant), QStringLiteral("unhealthy"), 10000);
        const QJsonObject conn = connection(m_tenant);
        QCOMPARE(conn.value(QLatin1String("entraTenantId")).toString(), kTenantA);
        QCOMPARE(conn.value(QLatin1String("lastError")).toObject().value(QLatin1String("code")).toString(),
                 QStringLiteral("entra.authentication"));
        QCOMPARE(events(QStringLiteral("alert.raised")), qint64(1));
    }
};

QTEST_GUILESS_MAIN(TestConnectionFlow)
#include "TestConnectionFlow.moc"
