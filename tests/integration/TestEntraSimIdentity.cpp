// SPDX-License-Identifier: GPL-3.0-or-later
// entra-sim's identity side over real HTTP (protocols.md section 1): the token endpoint with client secrets and
// certificate assertions, the authorization-code flow with PKCE through the sign-in pages, admin consent v1 and v2,
// the redirect-URI rules, the pages' DOM, and hostile input. Each test runs its own simulator on port 0 with a
// manual clock; the certificates are generated when the test starts.
#include "core/Crypto.h"
#include "entra-sim/IdentityAssertion.h"
#include "entra-sim/IdentityProtocol.h"
#include "entra-sim/IdentitySignInDriver.h"
#include "entra-sim/Simulator.h"
#include "support/IdentityCertificates.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

using namespace stint;
using namespace stint::entrasim;
using namespace stint::test;

using AssertionChange = std::function<void(QJsonObject&, QJsonObject&)>;
Q_DECLARE_METATYPE(AssertionChange)

namespace {

struct Http
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QList<QNetworkReply::RawHeaderPair> headers;

    QByteArray header(const QByteArray& name) const
    {
        for (const auto& [n, v] : headers)
            if (n.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        return {};
    }
    QString error() const { return json.value(QLatin1String("error")).toString(); }
    int code() const { return json.value(QLatin1String("error_codes")).toArray().first().toInt(); }
};

const QString kGraphDefault = QStringLiteral("https://graph.microsoft.com/.default");
const QString kSecret = QStringLiteral("s3cr3t~Value.For_Tests");
const QString kPassword = QStringLiteral("Corr3ct-Horse!");
const QString kPass = QStringLiteral("TAP+pass8");
const QString kRedirect = QStringLiteral("http://127.0.0.1/callback");

QJsonObject decodeJwtPayload(const QString& jwt)
{
    const QStringList parts = jwt.split(QLatin1Char('.'));
    if (parts.size() != 3)
        return {};
    const auto payload = crypto::base64UrlDecode(parts[1].toLatin1());
    return payload ? QJsonDocument::fromJson(*payload).object() : QJsonObject();
}

QUrlQuery queryOf(const QUrl& url)
{
    // Decode the way an app does: form rules ('+' is a space), each name once.
    const auto fields = parseForm(url.query(QUrl::FullyEncoded).toLatin1());
    QUrlQuery q;
    if (fields)
        for (const auto& [k, v] : *fields)
            q.addQueryItem(k, v);
    return q;
}

QString value(const QUrlQuery& q, const char* name)
{
    return q.queryItemValue(QString::fromLatin1(name), QUrl::FullyDecoded);
}

} // namespace

class TestEntraSimIdentity : public QObject
{
    Q_OBJECT

    ManualClock m_clock;
    std::unique_ptr<Simulator> m_sim;
    QNetworkAccessManager m_net;
    TestCertificate m_cert; // registered on the app
    TestCertificate m_otherCert; // registered nowhere
    QString m_home; // the MSP's tenant (app home)
    QString m_contoso; // a customer that consented
    QString m_fabrikam; // a customer that did not
    QString m_clientId; // confidential multi-tenant app
    QString m_publicClientId; // a public (native) client: no credentials
    QString m_adminUpn = QStringLiteral("admin@contoso.onmicrosoft.com");
    QString m_userUpn = QStringLiteral("user@contoso.onmicrosoft.com");
    QString m_disabledUpn = QStringLiteral("gone@contoso.onmicrosoft.com");
    QString m_tapUpn = QStringLiteral("tap@contoso.onmicrosoft.com");
    QString m_fabrikamAdminUpn = QStringLiteral("admin@fabrikam.onmicrosoft.com");

    QString base() const
    {
        QString b = m_sim->baseUrl().toString();
        while (b.endsWith(QLatin1Char('/')))
            b.chop(1);
        return b;
    }
    QString tokenUrl(const QString& tenant) const { return base() + QLatin1Char('/') + tenant + "/oauth2/v2.0/token"; }

    Http exchange(QNetworkReply* reply)
    {
        if (!reply->isFinished()) {
            QEventLoop loop;
            connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            QTimer::singleShot(15000, &loop, &QEventLoop::quit);
            loop.exec();
        }
        Http out;
        out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        out.body = reply->readAll();
        out.headers = reply->rawHeaderPairs();
        out.json = QJsonDocument::fromJson(out.body).object();
        reply->deleteLater();
        return out;
    }

    Http postRaw(const QString& url, const QByteArray& body,
                 const QByteArray& contentType = QByteArrayLiteral("application/x-www-form-urlencoded"),
                 const QList<QPair<QByteArray, QByteArray>>& headers = {})
    {
        QNetworkRequest request {QUrl(url)};
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        for (const auto& [n, v] : headers)
            request.setRawHeader(n, v);
        return exchange(m_net.post(request, body));
    }

    Http postForm(const QString& url, const FormFields& fields,
                  const QList<QPair<QByteArray, QByteArray>>& headers = {})
    {
        return postRaw(url, encodeForm(fields), QByteArrayLiteral("application/x-www-form-urlencoded"), headers);
    }

    Http get(const QUrl& url)
    {
        QNetworkRequest request(url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        return exchange(m_net.get(request));
    }

    FormFields secretForm(const QString& clientId, const QString& secret, const QString& scope = kGraphDefault)
    {
        return {{QStringLiteral("client_id"), clientId},
                {QStringLiteral("scope"), scope},
                {QStringLiteral("client_secret"), secret},
                {QStringLiteral("grant_type"), QStringLiteral("client_credentials")}};
    }

    FormFields assertionForm(const QByteArray& assertion)
    {
        return {{QStringLiteral("client_id"), m_clientId},
                {QStringLiteral("scope"), kGraphDefault},
                {QStringLiteral("client_assertion_type"), QString::fromLatin1(kClientAssertionType)},
                {QStringLiteral("client_assertion"), QString::fromLatin1(assertion)},
                {QStringLiteral("grant_type"), QStringLiteral("client_credentials")}};
    }

    QByteArray assertion(AssertionAlgorithm alg, const std::function<void(QJsonObject&, QJsonObject&)>& change = {},
                         const TestCertificate* cert = nullptr)
    {
        const TestCertificate& c = cert ? *cert : m_cert;
        QJsonObject header = clientAssertionHeader(c, alg);
        QJsonObject claims = clientAssertionClaims(m_clientId, tokenUrl(m_contoso), m_clock.now());
        if (change)
            change(header, claims);
        return signClientAssertion(c, header, claims);
    }

    // The AADSTS JSON shape of protocols.md 1.3, with the given error and code.
    void verifyErrorShape(const Http& r, int status, const QString& error, int code)
    {
        QCOMPARE(r.status, status);
        QCOMPARE(r.error(), error);
        QCOMPARE(r.json.value(QLatin1String("error_codes")).toArray(), QJsonArray {code});
        const QString description = r.json.value(QLatin1String("error_description")).toString();
        const QRegularExpression shape(
            QStringLiteral(
                "^AADSTS%1: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: "
                "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$")
                .arg(code));
        QVERIFY2(shape.match(description).hasMatch(), qPrintable(description));
        QVERIFY(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$"))
                    .match(r.json.value(QLatin1String("timestamp")).toString())
                    .hasMatch());
        QCOMPARE(r.json.value(QLatin1String("trace_id")).toString().size(), 36);
        QCOMPARE(r.json.value(QLatin1String("correlation_id")).toString().size(), 36);
        QCOMPARE(r.json.value(QLatin1String("error_uri")).toString(),
                 QStringLiteral("https://login.microsoftonline.com/error?code=%1").arg(code));
        QVERIFY(!r.json.contains(QLatin1String("access_token")));
    }

    QUrl authorizeUrl(const QString& tenant, const QList<QPair<QString, QString>>& extra = {},
                      const QString& clientId = {})
    {
        QUrl url(base() + QLatin1Char('/') + tenant + QStringLiteral("/oauth2/v2.0/authorize"));
        FormFields q {{QStringLiteral("client_id"), clientId.isEmpty() ? m_clientId : clientId},
                      {QStringLiteral("response_type"), QStringLiteral("code")},
                      {QStringLiteral("redirect_uri"), kRedirect},
                      {QStringLiteral("scope"), QStringLiteral("openid profile https://graph.microsoft.com/User.Read")},
                      {QStringLiteral("state"), QStringLiteral("st-123")}};
        for (const auto& e : extra) {
            bool replaced = false;
            for (auto& f : q)
                if (f.first == e.first) {
                    f.second = e.second;
                    replaced = true;
                }
            if (!replaced)
                q.append(e);
        }
        url.setQuery(QString::fromLatin1(encodeForm(q)), QUrl::StrictMode);
        return url;
    }

    QUrl consentUrl(const QString& tenant, bool v2, const QString& redirect, const QString& scope = kGraphDefault,
                    const QString& clientId = {})
    {
        QUrl url(base() + QLatin1Char('/') + tenant
                 + (v2 ? QStringLiteral("/v2.0/adminconsent") : QStringLiteral("/adminconsent")));
        FormFields q {{QStringLiteral("client_id"), clientId.isEmpty() ? m_clientId : clientId},
                      {QStringLiteral("redirect_uri"), redirect},
                      {QStringLiteral("state"), QStringLiteral("consent-state")}};
        if (v2)
            q.append({QStringLiteral("scope"), scope});
        url.setQuery(QString::fromLatin1(encodeForm(q)), QUrl::StrictMode);
        return url;
    }

    // Signs in on the pages and returns the code from the redirect.
    QString signInForCode(const QList<QPair<QString, QString>>& extra, const QString& upn, const QString& secret,
                          const QString& clientId = {})
    {
        SignInFailure failure;
        const QUrl done = driveSignIn(m_net, authorizeUrl(QStringLiteral("organizations"), extra, clientId), upn,
                                      secret, {}, &failure);
        if (done.isEmpty())
            qWarning() << "sign-in failed at" << failure.step << failure.aadsts << failure.message;
        return value(queryOf(done), "code");
    }

    FormFields codeForm(const QString& code, const QString& verifier, const QString& clientId = {},
                        const QString& redirect = kRedirect)
    {
        FormFields f {{QStringLiteral("client_id"), clientId.isEmpty() ? m_clientId : clientId},
                      {QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                      {QStringLiteral("code"), code},
                      {QStringLiteral("redirect_uri"), redirect}};
        if (!verifier.isEmpty())
            f.append({QStringLiteral("code_verifier"), verifier});
        if (clientId.isEmpty())
            f.append({QStringLiteral("client_secret"), kSecret});
        return f;
    }

    static QString verifier() { return QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(32))); }
    static QString s256(const QString& v)
    {
        return QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(v.toLatin1())));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cert = TestCertificate::generate(QStringLiteral("stint-test"), m_clock.now() - 86'400'000,
                                           m_clock.now() + 365LL * 86'400'000);
        m_otherCert = TestCertificate::generate(QStringLiteral("someone-else"), m_clock.now() - 86'400'000,
                                                m_clock.now() + 365LL * 86'400'000);
        QVERIFY(!m_cert.certificatePem.isEmpty());
        QVERIFY(!m_otherCert.certificatePem.isEmpty());
    }

    void init()
    {
        m_sim = std::make_unique<Simulator>(&m_clock);
        QVERIFY(m_sim->listen());
        SimState& state = m_sim->state();
        m_home = state.createTenant(QStringLiteral("MSP"), QStringLiteral("msp")).id;
        m_contoso = state.createTenant(QStringLiteral("Contoso"), QStringLiteral("contoso")).id;
        m_fabrikam = state.createTenant(QStringLiteral("Fabrikam"), QStringLiteral("fabrikam")).id;
        SimApp& app = state.registerApp(m_home, QStringLiteral("Stint"),
                                        {QStringLiteral("User.ReadWrite.All"), QStringLiteral("Domain.Read.All")});
        m_clientId = app.clientId;
        state.addClientSecret(app, kSecret, m_clock.now() + 86'400'000);
        state.addClientSecret(app, QStringLiteral("old-secret-value"), m_clock.now() - 1000);
        app.certificatePems.append(m_cert.certificatePem);
        app.redirectUris = QStringList {kRedirect, QStringLiteral("http://localhost/consent"),
                                        QStringLiteral("https://app.example.com/admin/consent")};
        SimApp& native = state.registerApp(m_home, QStringLiteral("Stint desktop"), {});
        m_publicClientId = native.clientId;
        native.redirectUris = QStringList {kRedirect};
        QVERIFY(state.grantServicePrincipal(m_contoso, m_clientId, {QStringLiteral("User.ReadWrite.All")}, {}).ok());

        auto admin = state.createUser(m_contoso, m_adminUpn, QStringLiteral("Contoso Admin"), kPassword);
        QVERIFY(admin.ok());
        QVERIFY(state.assignRole(m_contoso, admin.value()->id, roles::kGlobalAdministrator).ok());
        QVERIFY(state.createUser(m_contoso, m_userUpn, QStringLiteral("Plain User"), kPassword).ok());
        QVERIFY(state.createUser(m_contoso, m_disabledUpn, QStringLiteral("Disabled"), kPassword, false).ok());
        auto fabAdmin = state.createUser(m_fabrikam, m_fabrikamAdminUpn, QStringLiteral("Fabrikam Admin"), kPassword);
        QVERIFY(fabAdmin.ok());
        QVERIFY(state.assignRole(m_fabrikam, fabAdmin.value()->id, roles::kGlobalAdministrator).ok());
        // A user who signs in only with a one-time Temporary Access Pass.
        auto tapUser = state.createUser(m_contoso, m_tapUpn, QStringLiteral("Tap User"), QString());
        QVERIFY(tapUser.ok());
        SimTemporaryAccessPass tap;
        tap.id = SimState::newGuid();
        tap.salt = crypto::randomBytes(16);
        tap.passHash = SimState::hashSecret(tap.salt, kPass);
        tap.createdAt = tap.start = m_clock.now();
        tap.lifetimeInMinutes = 60;
        tap.isUsableOnce = true;
        tapUser.value()->tap = tap;
        state.tenant(m_contoso)->tapPolicy.enabled = true;
    }

    void cleanup() { m_sim.reset(); }

    // ---- client_credentials with a secret ----

    void secretInBody()
    {
        const Http r = postForm(tokenUrl(m_contoso), secretForm(m_clientId, kSecret));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("token_type")).toString(), QStringLiteral("Bearer"));
        QCOMPARE(r.json.value(QLatin1String("expires_in")).toInt(), 3599);
        QCOMPARE(r.json.value(QLatin1String("ext_expires_in")).toInt(), 3599);
        QVERIFY(!r.json.contains(QLatin1String("refresh_token")));
        QCOMPARE(r.header("Cache-Control").contains("no-store"), true);
        const auto claims
            = m_sim->tokens().verify(r.json.value(QLatin1String("access_token")).toString().toLatin1(), m_clock.now());
        QVERIFY(claims.ok());
        QCOMPARE(claims->tenantId, m_contoso);
        QCOMPARE(claims->appId, m_clientId);
        QCOMPARE(claims->roles, QStringList {QStringLiteral("User.ReadWrite.All")});
        QCOMPARE(claims->appidacr, 1);
        QCOMPARE(claims->objectId, m_sim->state().servicePrincipal(m_contoso, m_clientId)->objectId);
    }

    void secretByBasicAndTenantByDomain()
    {
        const QByteArray basic
            = "Basic " + (QUrl::toPercentEncoding(m_clientId) + ':' + QUrl::toPercentEncoding(kSecret)).toBase64();
        const Http r = postForm(tokenUrl(QStringLiteral("contoso.onmicrosoft.com")),
                                {{QStringLiteral("scope"), kGraphDefault},
                                 {QStringLiteral("grant_type"), QStringLiteral("client_credentials")}},
                                {{"Authorization", basic}});
        QCOMPARE(r.status, 200);
        const auto claims
            = m_sim->tokens().verify(r.json.value(QLatin1String("access_token")).toString().toLatin1(), m_clock.now());
        QVERIFY(claims.ok());
        QCOMPARE(claims->tenantId, m_contoso);

        // The scope may also name Graph by its app id.
        FormFields byAppId
            = secretForm(m_clientId, kSecret, QStringLiteral("00000003-0000-0000-c000-000000000000/.default"));
        QCOMPARE(postForm(tokenUrl(m_contoso), byAppId).status, 200);
    }

    void secretErrors_data()
    {
        QTest::addColumn<QString>("tenant");
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("scope");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("code");
        const QString contoso = QStringLiteral("contoso.onmicrosoft.com");
        const QString app = QStringLiteral("<app>");
        QTest::newRow("wrong secret") << contoso << app << "nope" << kGraphDefault << 401 << "invalid_client"
                                      << 7000215;
        QTest::newRow("expired secret") << contoso << app << "old-secret-value" << kGraphDefault << 401
                                        << "invalid_client" << 7000222;
        QTest::newRow("no credential") << contoso << app << "" << kGraphDefault << 401 << "invalid_client" << 7000218;
        QTest::newRow("unknown app") << contoso << "11111111-2222-3333-4444-555555555555" << kSecret << kGraphDefault
                                     << 400 << "unauthorized_client" << 700016;
        QTest::newRow("not consented") << "fabrikam.onmicrosoft.com" << app << kSecret << kGraphDefault << 400
                                       << "unauthorized_client" << 700016;
        QTest::newRow("unknown tenant") << "nowhere.example" << app << kSecret << kGraphDefault << 400
                                        << "invalid_request" << 90002;
        QTest::newRow("common") << "common" << app << kSecret << kGraphDefault << 400 << "invalid_request" << 9001023;
        QTest::newRow("organizations") << "organizations" << app << kSecret << kGraphDefault << 400 << "invalid_request"
                                       << 9001023;
        QTest::newRow("consumers") << "consumers" << app << kSecret << kGraphDefault << 400 << "invalid_request"
                                   << 9001023;
        QTest::newRow("no scope") << contoso << app << kSecret << "" << 400 << "invalid_scope" << 70011;
        QTest::newRow("no /.default") << contoso << app << kSecret << "https://graph.microsoft.com/User.Read.All" << 400
                                      << "invalid_scope" << 1002012;
        QTest::newRow("two resources") << contoso << app << kSecret
                                       << "https://graph.microsoft.com/.default https://vault.azure.net/.default" << 400
                                       << "invalid_scope" << 700022;
        QTest::newRow("other resource") << contoso << app << kSecret << "https://foo.microsoft.com/.default" << 400
                                        << "invalid_scope" << 70011;
        QTest::newRow("openid") << contoso << app << kSecret << "openid" << 400 << "invalid_scope" << 70011;
    }

    void secretErrors()
    {
        QFETCH(QString, tenant);
        QFETCH(QString, clientId);
        QFETCH(QString, secret);
        QFETCH(QString, scope);
        QFETCH(int, status);
        QFETCH(QString, error);
        QFETCH(int, code);
        if (clientId == QLatin1String("<app>"))
            clientId = m_clientId;
        FormFields form = secretForm(clientId, secret, scope);
        if (scope.isEmpty())
            form.removeAt(1);
        if (secret.isEmpty())
            form.removeAt(scope.isEmpty() ? 1 : 2);
        const Http r = postForm(tokenUrl(tenant), form);
        verifyErrorShape(r, status, error, code);
        QVERIFY2(!r.body.contains(kSecret.toLatin1()), "the secret is never echoed");
    }

    void errorEchoesClientRequestId()
    {
        const QByteArray requestId = "0f0e0d0c-0b0a-4908-8706-050403020100";
        const Http r = postForm(tokenUrl(m_contoso), secretForm(m_clientId, QStringLiteral("nope")),
                                {{"client-request-id", requestId}});
        QCOMPARE(r.json.value(QLatin1String("correlation_id")).toString().toLatin1(), requestId);
        QVERIFY(r.json.value(QLatin1String("error_description")).toString().contains(QString::fromLatin1(requestId)));
    }

    // ---- client_credentials with a certificate assertion ----

    void assertionAccepted_data()
    {
        QTest::addColumn<int>("alg");
        QTest::addColumn<QString>("audienceTenant");
        QTest::newRow("RS256 + x5t") << int(AssertionAlgorithm::RS256) << QStringLiteral("<id>");
        QTest::newRow("PS256 + x5t#S256") << int(AssertionAlgorithm::PS256) << QStringLiteral("<id>");
        QTest::newRow("aud names the tenant by domain")
            << int(AssertionAlgorithm::PS256) << QStringLiteral("contoso.onmicrosoft.com");
    }

    void assertionAccepted()
    {
        QFETCH(int, alg);
        QFETCH(QString, audienceTenant);
        const QString aud = tokenUrl(audienceTenant == QLatin1String("<id>") ? m_contoso : audienceTenant);
        const QByteArray jwt
            = assertion(AssertionAlgorithm(alg), [&](QJsonObject&, QJsonObject& c) { c[QStringLiteral("aud")] = aud; });
        QVERIFY(!jwt.isEmpty());
        const Http r = postForm(tokenUrl(m_contoso), assertionForm(jwt));
        QCOMPARE(r.status, 200);
        const auto claims
            = m_sim->tokens().verify(r.json.value(QLatin1String("access_token")).toString().toLatin1(), m_clock.now());
        QVERIFY(claims.ok());
        QCOMPARE(claims->appidacr, 2);
        QCOMPARE(claims->roles, QStringList {QStringLiteral("User.ReadWrite.All")});
    }

    void assertionRefused_data()
    {
        using Change = AssertionChange;
        QTest::addColumn<Change>("change");
        QTest::addColumn<bool>("otherCertificate");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("code");
        const auto set = [](const char* claim, QJsonValue v) -> Change {
            return [claim, v](QJsonObject&, QJsonObject& c) { c[QString::fromLatin1(claim)] = v; };
        };
        const qint64 now = m_clock.now() / 1000;
        QTest::newRow("wrong aud") << set("aud",
                                          QStringLiteral("https://login.microsoftonline.com/x/oauth2/v2.0/token"))
                                   << false << 401 << "invalid_client" << 700023;
        QTest::newRow("aud of another tenant")
            << Change([this](QJsonObject&, QJsonObject& c) { c[QStringLiteral("aud")] = tokenUrl(m_fabrikam); })
            << false << 401 << "invalid_client" << 700023;
        QTest::newRow("sub != iss") << set("sub", QStringLiteral("someone")) << false << 401 << "invalid_client"
                                    << 50048;
        QTest::newRow("iss == sub != client") << Change([](QJsonObject&, QJsonObject& c) {
            c[QStringLiteral("iss")] = c[QStringLiteral("sub")]
                = QStringLiteral("99999999-2222-3333-4444-555555555555");
        }) << false << 401 << "invalid_client" << 700021;
        QTest::newRow("expired beyond skew") << set("exp", now - 6 * 60) << false << 401 << "invalid_client" << 700024;
        QTest::newRow("nbf in the future") << set("nbf", now + 6 * 60) << false << 401 << "invalid_client" << 700024;
        QTest::newRow("no jti") << Change([](QJsonObject&, QJsonObject& c) { c.remove(QStringLiteral("jti")); })
                                << false << 400 << "invalid_request" << 50027;
        QTest::newRow("unknown thumbprint") << Change() << true << 401 << "invalid_client" << 700027;
        QTest::newRow("alg HS256") << Change(
            [](QJsonObject& h, QJsonObject&) { h[QStringLiteral("alg")] = QStringLiteral("HS256"); })
                                   << false << 401 << "invalid_client" << 700027;
        QTest::newRow("no thumbprint header")
            << Change([](QJsonObject& h, QJsonObject&) { h.remove(QStringLiteral("x5t#S256")); }) << false << 401
            << "invalid_client" << 700027;
    }

    void assertionRefused()
    {
        using Change = AssertionChange;
        QFETCH(Change, change);
        QFETCH(bool, otherCertificate);
        QFETCH(int, status);
        QFETCH(QString, error);
        QFETCH(int, code);
        const bool psWithoutThumbprint = QByteArray(QTest::currentDataTag()) == "no thumbprint header";
        const QByteArray jwt = assertion(psWithoutThumbprint ? AssertionAlgorithm::PS256 : AssertionAlgorithm::RS256,
                                         change, otherCertificate ? &m_otherCert : nullptr);
        QVERIFY(!jwt.isEmpty());
        verifyErrorShape(postForm(tokenUrl(m_contoso), assertionForm(jwt)), status, error, code);
    }

    void assertionWithinSkewAccepted()
    {
        const qint64 now = m_clock.now() / 1000;
        const QByteArray jwt = assertion(AssertionAlgorithm::RS256, [now](QJsonObject&, QJsonObject& c) {
            c[QStringLiteral("exp")] = now - 4 * 60; // expired, but within five minutes of skew
            c[QStringLiteral("nbf")] = now - 10 * 60;
        });
        QCOMPARE(postForm(tokenUrl(m_contoso), assertionForm(jwt)).status, 200);
    }

    void assertionBadSignature()
    {
        QByteArray jwt = assertion(AssertionAlgorithm::PS256);
        // Swap the payload for another one: the signature no longer covers it.
        QList<QByteArray> parts = jwt.split('.');
        QJsonObject claims = QJsonDocument::fromJson(*crypto::base64UrlDecode(parts[1])).object();
        claims[QStringLiteral("exp")] = claims[QStringLiteral("exp")].toInteger() + 1;
        parts[1] = crypto::base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
        verifyErrorShape(postForm(tokenUrl(m_contoso), assertionForm(parts.join('.'))), 401,
                         QStringLiteral("invalid_client"), 700027);
    }

    void assertionReplayRefused()
    {
        const QByteArray jwt = assertion(AssertionAlgorithm::RS256);
        QCOMPARE(postForm(tokenUrl(m_contoso), assertionForm(jwt)).status, 200);
        verifyErrorShape(postForm(tokenUrl(m_contoso), assertionForm(jwt)), 401, QStringLiteral("invalid_client"),
                         50013);
    }

    void assertionAndSecretTogetherRefused()
    {
        FormFields form = assertionForm(assertion(AssertionAlgorithm::RS256));
        form.append({QStringLiteral("client_secret"), kSecret});
        verifyErrorShape(postForm(tokenUrl(m_contoso), form), 400, QStringLiteral("invalid_request"), 90033);
        FormFields wrongType = assertionForm(assertion(AssertionAlgorithm::RS256));
        wrongType[2].second = QStringLiteral("urn:ietf:params:oauth:client-assertion-type:saml2-bearer");
        verifyErrorShape(postForm(tokenUrl(m_contoso), wrongType), 400, QStringLiteral("invalid_request"), 50027);
    }

    // ---- authorization code + PKCE through the sign-in pages ----

    void authCodeS256()
    {
        const QString v = verifier();
        const QString code = signInForCode({{QStringLiteral("code_challenge"), s256(v)},
                                            {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
                                            {QStringLiteral("nonce"), QStringLiteral("n-0S6_WzA2Mj")}},
                                           m_userUpn, kPassword);
        QVERIFY(!code.isEmpty());
        const Http r = postForm(tokenUrl(QStringLiteral("organizations")), codeForm(code, v));
        QCOMPARE(r.status, 200);
        QVERIFY(r.json.value(QLatin1String("scope")).toString().contains(QLatin1String("openid")));
        const QJsonObject id = decodeJwtPayload(r.json.value(QLatin1String("id_token")).toString());
        const SimUser* user = m_sim->state().userByUpn(m_contoso, m_userUpn);
        QCOMPARE(id.value(QLatin1String("iss")).toString(), base() + QLatin1Char('/') + m_contoso + "/v2.0");
        QCOMPARE(id.value(QLatin1String("aud")).toString(), m_clientId);
        QCOMPARE(id.value(QLatin1String("tid")).toString(), m_contoso);
        QCOMPARE(id.value(QLatin1String("oid")).toString(), user->id);
        QCOMPARE(id.value(QLatin1String("preferred_username")).toString(), m_userUpn);
        QCOMPARE(id.value(QLatin1String("name")).toString(), QStringLiteral("Plain User"));
        QCOMPARE(id.value(QLatin1String("nonce")).toString(), QStringLiteral("n-0S6_WzA2Mj"));
        QVERIFY(id.value(QLatin1String("exp")).toInteger() > id.value(QLatin1String("iat")).toInteger());
        // The id token verifies with the published key set's key.
        const QJsonArray keys
            = get(QUrl(base() + "/common/discovery/v2.0/keys")).json.value(QLatin1String("keys")).toArray();
        const QStringList parts = r.json.value(QLatin1String("id_token")).toString().split(QLatin1Char('.'));
        const QJsonObject header = QJsonDocument::fromJson(*crypto::base64UrlDecode(parts[0].toLatin1())).object();
        QCOMPARE(header.value(QLatin1String("alg")).toString(), QStringLiteral("RS256"));
        QCOMPARE(keys.first().toObject().value(QLatin1String("kid")).toString(),
                 header.value(QLatin1String("kid")).toString());
        const QJsonObject access = decodeJwtPayload(r.json.value(QLatin1String("access_token")).toString());
        QCOMPARE(access.value(QLatin1String("idtyp")).toString(), QStringLiteral("user"));
        QVERIFY(access.value(QLatin1String("scp")).toString().contains(QLatin1String("User.Read")));

        // Used once: the second redemption is refused (54005).
        verifyErrorShape(postForm(tokenUrl(QStringLiteral("organizations")), codeForm(code, v)), 400,
                         QStringLiteral("invalid_grant"), 54005);
    }

    void authCodePlainAndNoOpenid()
    {
        const QString v = verifier();
        const QString code
            = signInForCode({{QStringLiteral("code_challenge"), v},
                             {QStringLiteral("scope"), QStringLiteral("https://graph.microsoft.com/.default")}},
                            m_userUpn, kPassword);
        QVERIFY(!code.isEmpty());
        const Http r = postForm(tokenUrl(m_contoso), codeForm(code, v));
        QCOMPARE(r.status, 200);
        QVERIFY(!r.json.contains(QLatin1String("id_token")));
    }

    void authCodeRefusals_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("code");
        QTest::addColumn<int>("status");
        QTest::newRow("wrong verifier") << "wrong-verifier"
                                        << "invalid_grant" << 501481 << 400;
        QTest::newRow("missing verifier") << "missing-verifier"
                                          << "invalid_grant" << 501481 << 400;
        QTest::newRow("wrong redirect") << "wrong-redirect"
                                        << "invalid_grant" << 500112 << 400;
        QTest::newRow("expired") << "expired"
                                 << "invalid_grant" << 70008 << 400;
        QTest::newRow("confidential without secret") << "no-secret"
                                                     << "invalid_client" << 7000218 << 401;
        QTest::newRow("confidential wrong secret") << "bad-secret"
                                                   << "invalid_client" << 7000215 << 401;
        QTest::newRow("unknown code") << "unknown-code"
                                      << "invalid_grant" << 70000 << 400;
        QTest::newRow("other tenant's endpoint") << "other-tenant"
                                                 << "invalid_grant" << 70000 << 400;
    }

    void authCodeRefusals()
    {
        QFETCH(QString, kind);
        QFETCH(QString, error);
        QFETCH(int, code);
        QFETCH(int, status);
        const QString v = verifier();
        const QString c = signInForCode({{QStringLiteral("code_challenge"), s256(v)},
                                         {QStringLiteral("code_challenge_method"), QStringLiteral("S256")}},
                                        m_userUpn, kPassword);
        QVERIFY(!c.isEmpty());
        FormFields form = codeForm(
            kind == QLatin1String("unknown-code") ? QStringLiteral("1.Anothing") : c,
            kind == QLatin1String("wrong-verifier")         ? verifier()
                : kind == QLatin1String("missing-verifier") ? QString()
                                                            : v,
            {}, kind == QLatin1String("wrong-redirect") ? QStringLiteral("http://127.0.0.1/other") : kRedirect);
        if (kind == QLatin1String("no-secret"))
            form.removeLast();
        if (kind == QLatin1String("bad-secret"))
            form.last().second = QStringLiteral("nope");
        if (kind == QLatin1String("expired"))
            m_clock.advance(10 * 60 * 1000 + 1);
        const QString tenant = kind == QLatin1String("other-tenant") ? m_fabrikam : QStringLiteral("organizations");
        verifyErrorShape(postForm(tokenUrl(tenant), form), status, error, code);
        if (kind == QLatin1String("wrong-verifier") || kind == QLatin1String("wrong-redirect")) {
            // One attempt per code: even the right verifier now meets a spent code.
            verifyErrorShape(postForm(tokenUrl(QStringLiteral("organizations")), codeForm(c, v)), 400,
                             QStringLiteral("invalid_grant"), 54005);
        }
    }

    void publicClient()
    {
        const QString v = verifier();
        QString code = signInForCode({{QStringLiteral("code_challenge"), s256(v)},
                                      {QStringLiteral("code_challenge_method"), QStringLiteral("S256")}},
                                     m_userUpn, kPassword, m_publicClientId);
        QVERIFY(!code.isEmpty());
        FormFields withSecret = codeForm(code, v, m_publicClientId);
        withSecret.append({QStringLiteral("client_secret"), QStringLiteral("anything")});
        verifyErrorShape(postForm(tokenUrl(m_contoso), withSecret), 401, QStringLiteral("invalid_client"), 700025);
        // Without a credential the same kind of code redeems.
        code = signInForCode({{QStringLiteral("code_challenge"), s256(v)},
                              {QStringLiteral("code_challenge_method"), QStringLiteral("S256")}},
                             m_userUpn, kPassword, m_publicClientId);
        const Http ok = postForm(tokenUrl(m_contoso), codeForm(code, v, m_publicClientId));
        QCOMPARE(ok.status, 200);
        QCOMPARE(decodeJwtPayload(ok.json.value(QLatin1String("access_token")).toString())
                     .value(QLatin1String("appidacr"))
                     .toString(),
                 QStringLiteral("0"));
    }

    void refreshTokenUntilSessionsAreRevoked()
    {
        const QString v = verifier();
        const QString code
            = signInForCode({{QStringLiteral("code_challenge"), s256(v)},
                             {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
                             {QStringLiteral("scope"), QStringLiteral("openid offline_access User.Read")}},
                            m_userUpn, kPassword);
        const Http first = postForm(tokenUrl(m_contoso), codeForm(code, v));
        QCOMPARE(first.status, 200);
        const QString refresh = first.json.value(QLatin1String("refresh_token")).toString();
        QVERIFY(!refresh.isEmpty());
        const FormFields refreshForm {{QStringLiteral("client_id"), m_clientId},
                                      {QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                      {QStringLiteral("refresh_token"), refresh},
                                      {QStringLiteral("client_secret"), kSecret}};
        m_clock.advance(60'000);
        const Http refreshed = postForm(tokenUrl(m_contoso), refreshForm);
        QCOMPARE(refreshed.status, 200);
        QVERIFY(!refreshed.json.value(QLatin1String("access_token")).toString().isEmpty());
        QVERIFY(!refreshed.json.value(QLatin1String("id_token")).toString().isEmpty());
        // Without offline_access there is none.
        const QString code2 = signInForCode({}, m_userUpn, kPassword);
        QVERIFY(!postForm(tokenUrl(m_contoso), codeForm(code2, {})).json.contains(QLatin1String("refresh_token")));
        // Garbage is refused; then revocation (revokeSignInSessions moves signInSessionsValidFrom) ends the grant.
        FormFields garbage = refreshForm;
        garbage[2].second = QStringLiteral("1.ARnothing");
        verifyErrorShape(postForm(tokenUrl(m_contoso), garbage), 400, QStringLiteral("invalid_request"), 9002313);
        m_clock.advance(1000);
        m_sim->state().userByUpn(m_contoso, m_userUpn)->signInSessionsValidFrom = m_clock.now();
        verifyErrorShape(postForm(tokenUrl(m_contoso), refreshForm), 400, QStringLiteral("invalid_grant"), 50173);
    }

    void authorizeRedirectErrors()
    {
        // Errors after the redirect URI is trusted go back to the app; before, they are shown on a page.
        Http r = get(authorizeUrl(m_contoso, {{QStringLiteral("response_type"), QStringLiteral("token")}}));
        QCOMPARE(r.status, 302);
        QUrlQuery q = queryOf(QUrl::fromEncoded(r.header("Location")));
        QCOMPARE(value(q, "error"), QStringLiteral("unsupported_response_type"));
        QCOMPARE(value(q, "state"), QStringLiteral("st-123"));

        r = get(authorizeUrl(m_contoso, {{QStringLiteral("prompt"), QStringLiteral("none")}}));
        QCOMPARE(r.status, 302);
        q = queryOf(QUrl::fromEncoded(r.header("Location")));
        QCOMPARE(value(q, "error"), QStringLiteral("login_required"));
        QVERIFY(value(q, "error_description").startsWith(QLatin1String("AADSTS50058: ")));

        r = get(authorizeUrl(m_contoso,
                             {{QStringLiteral("code_challenge"), QStringLiteral("short")},
                              {QStringLiteral("code_challenge_method"), QStringLiteral("S256")}}));
        QCOMPARE(value(queryOf(QUrl::fromEncoded(r.header("Location"))), "error"), QStringLiteral("invalid_request"));

        r = get(authorizeUrl(m_contoso,
                             {{QStringLiteral("response_mode"), QStringLiteral("fragment")},
                              {QStringLiteral("prompt"), QStringLiteral("none")}}));
        const QUrl fragment = QUrl::fromEncoded(r.header("Location"));
        QVERIFY(fragment.query().isEmpty());
        QVERIFY(fragment.fragment().contains(QLatin1String("error=login_required")));
    }

    void sessionGivesSingleSignOnAndPromptNone()
    {
        // A sign-in with "Stay signed in" sets the ESTSAUTHPERSISTENT cookie; then prompt=none returns a code.
        m_net.setCookieJar(new QNetworkCookieJar(&m_net));
        SignInOptions kmsi;
        kmsi.staySignedIn = true;
        QVERIFY(!driveSignIn(m_net, authorizeUrl(m_contoso), m_userUpn, kPassword, kmsi).isEmpty());
        Http r = get(authorizeUrl(m_contoso, {{QStringLiteral("prompt"), QStringLiteral("none")}}));
        QCOMPARE(r.status, 302);
        QVERIFY(!value(queryOf(QUrl::fromEncoded(r.header("Location"))), "code").isEmpty());
        // revokeSignInSessions ends it.
        m_clock.advance(1000);
        m_sim->state().userByUpn(m_contoso, m_userUpn)->signInSessionsValidFrom = m_clock.now();
        r = get(authorizeUrl(m_contoso, {{QStringLiteral("prompt"), QStringLiteral("none")}}));
        QCOMPARE(value(queryOf(QUrl::fromEncoded(r.header("Location"))), "error"), QStringLiteral("login_required"));
        m_net.setCookieJar(new QNetworkCookieJar(&m_net));
    }

    void formPostResponseMode()
    {
        const QUrl done = driveSignIn(
            m_net, authorizeUrl(m_contoso, {{QStringLiteral("response_mode"), QStringLiteral("form_post")}}), m_userUpn,
            kPassword);
        QCOMPARE(done.adjusted(QUrl::RemoveQuery), QUrl(kRedirect));
        QVERIFY(!value(queryOf(done), "code").isEmpty());
        QCOMPARE(value(queryOf(done), "state"), QStringLiteral("st-123"));
    }

    // ---- the sign-in page's refusals ----

    void signInRefusals_data()
    {
        QTest::addColumn<QString>("upn");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("step");
        QTest::addColumn<int>("code");
        QTest::newRow("wrong password") << m_userUpn << "wrong"
                                        << "password" << 50126;
        QTest::newRow("disabled account") << m_disabledUpn << kPassword << "password" << 50057;
        QTest::newRow("unknown user") << "nobody@contoso.onmicrosoft.com" << kPassword << "username" << 50034;
        QTest::newRow("user of another tenant") << m_fabrikamAdminUpn << kPassword << "username" << 50034;
    }

    void signInRefusals()
    {
        QFETCH(QString, upn);
        QFETCH(QString, secret);
        QFETCH(QString, step);
        QFETCH(int, code);
        SignInFailure failure;
        QVERIFY(driveSignIn(m_net, authorizeUrl(m_contoso), upn, secret, {}, &failure).isEmpty());
        QCOMPARE(failure.step, step);
        QCOMPARE(failure.aadsts, code);
    }

    void temporaryAccessPassOnce()
    {
        const QUrl first = driveSignIn(m_net, authorizeUrl(m_contoso), m_tapUpn, kPass);
        QVERIFY(!value(queryOf(first), "code").isEmpty());
        // A new browser (no session cookie from the first sign-in) must present the pass again: it is spent.
        m_net.setCookieJar(new QNetworkCookieJar(&m_net));
        SignInFailure failure;
        QVERIFY(driveSignIn(m_net, authorizeUrl(m_contoso), m_tapUpn, kPass, {}, &failure).isEmpty());
        QCOMPARE(failure.step, QStringLiteral("tap"));
        QCOMPARE(failure.aadsts, 50126);
    }

    void temporaryAccessPassOutsideWindow()
    {
        m_clock.advance(61 * 60 * 1000);
        SignInFailure failure;
        QVERIFY(driveSignIn(m_net, authorizeUrl(m_contoso), m_tapUpn, kPass, {}, &failure).isEmpty());
        QCOMPARE(failure.step, QStringLiteral("tap"));
        QVERIFY(!m_sim->state().userByUpn(m_contoso, m_tapUpn)->tap->used);
    }

    // ---- admin consent ----

    void adminConsentV2()
    {
        const QString redirect = QStringLiteral("https://app.example.com/admin/consent");
        QVERIFY(!m_sim->state().servicePrincipal(m_fabrikam, m_clientId));
        const QUrl done = driveSignIn(m_net, consentUrl(QStringLiteral("organizations"), true, redirect),
                                      m_fabrikamAdminUpn, kPassword);
        QCOMPARE(done.adjusted(QUrl::RemoveQuery), QUrl(redirect));
        const QUrlQuery q = queryOf(done);
        QCOMPARE(value(q, "admin_consent"), QStringLiteral("True"));
        QCOMPARE(value(q, "tenant"), m_fabrikam);
        QCOMPARE(value(q, "scope"), kGraphDefault);
        QCOMPARE(value(q, "state"), QStringLiteral("consent-state"));
        QVERIFY(done.toString(QUrl::FullyEncoded).contains(QLatin1String("?admin_consent=True&tenant=")));
        const SimServicePrincipal* sp = m_sim->state().servicePrincipal(m_fabrikam, m_clientId);
        QVERIFY(sp);
        QCOMPARE(sp->grantedPermissions.size(), 2);
        // The app can now get a token there.
        QCOMPARE(postForm(tokenUrl(m_fabrikam), secretForm(m_clientId, kSecret)).status, 200);
    }

    void adminConsentV2Refusals_data()
    {
        QTest::addColumn<QString>("upn");
        QTest::addColumn<bool>("accept");
        QTest::addColumn<QString>("prefix");
        QTest::newRow("cancel") << m_fabrikamAdminUpn << false << "AADSTS65004: ";
        QTest::newRow("not an admin") << m_userUpn << true << "AADSTS90094: ";
    }

    void adminConsentV2Refusals()
    {
        QFETCH(QString, upn);
        QFETCH(bool, accept);
        QFETCH(QString, prefix);
        SignInOptions options;
        options.acceptConsent = accept;
        const QUrl done
            = driveSignIn(m_net, consentUrl(QStringLiteral("organizations"), true, kRedirect), upn, kPassword, options);
        const QUrlQuery q = queryOf(done);
        QCOMPARE(value(q, "admin_consent"), QStringLiteral("True"));
        QCOMPARE(value(q, "error"), QStringLiteral("consent_required"));
        QVERIFY2(value(q, "error_description").startsWith(prefix), qPrintable(value(q, "error_description")));
        QCOMPARE(value(q, "state"), QStringLiteral("consent-state"));
        QVERIFY(!q.hasQueryItem(QStringLiteral("tenant")));
        QVERIFY(!m_sim->state().servicePrincipal(m_fabrikam, m_clientId));
    }

    void adminConsentV1()
    {
        // /common, no scope; the redirect may add path segments to the registered one (and its port is ignored).
        const QString redirect = QStringLiteral("http://localhost:8400/consent/extra/segments");
        const QUrl done
            = driveSignIn(m_net, consentUrl(QStringLiteral("common"), false, redirect), m_fabrikamAdminUpn, kPassword);
        QCOMPARE(done.adjusted(QUrl::RemoveQuery), QUrl(redirect));
        const QUrlQuery q = queryOf(done);
        QCOMPARE(value(q, "tenant"), m_fabrikam);
        QCOMPARE(value(q, "admin_consent"), QStringLiteral("True"));
        QCOMPARE(value(q, "state"), QStringLiteral("consent-state"));
        QVERIFY(!q.hasQueryItem(QStringLiteral("scope")));
        QVERIFY(m_sim->state().servicePrincipal(m_fabrikam, m_clientId));

        SignInOptions cancel;
        cancel.acceptConsent = false;
        QUrlQuery c = queryOf(driveSignIn(m_net, consentUrl(QStringLiteral("common"), false, redirect),
                                          m_fabrikamAdminUpn, kPassword, cancel));
        QCOMPARE(value(c, "error"), QStringLiteral("permission_denied"));
        QCOMPARE(value(c, "error_description"), QStringLiteral("The admin canceled the request"));
        c = queryOf(driveSignIn(m_net, consentUrl(QStringLiteral("common"), false, redirect), m_userUpn, kPassword));
        QCOMPARE(value(c, "error"), QStringLiteral("permission_denied"));
        QVERIFY(value(c, "error_description").startsWith(QLatin1String("AADSTS90094: ")));
        QVERIFY(!c.hasQueryItem(QStringLiteral("admin_consent")));
    }

    void consentRedirectRules_data()
    {
        QTest::addColumn<bool>("v2");
        QTest::addColumn<QString>("redirect");
        QTest::addColumn<int>("code"); // 0: accepted
        QTest::newRow("v2 exact, port ignored on loopback") << true << "http://localhost:51234/consent" << 0;
        QTest::newRow("v2 127.0.0.1 port ignored") << true << "http://127.0.0.1:8080/callback" << 0;
        QTest::newRow("v2 localhost is not 127.0.0.1") << true << "http://localhost/callback" << 50011;
        QTest::newRow("v2 127.0.0.1 is not localhost") << true << "http://127.0.0.1/consent" << 50011;
        QTest::newRow("v2 no extra path") << true << "http://localhost/consent/more" << 50011;
        QTest::newRow("v2 path is case-sensitive") << true << "http://localhost/Consent" << 50011;
        QTest::newRow("v2 [::1] unsupported") << true << "http://[::1]/consent" << 50011;
        QTest::newRow("v2 http only for loopback") << true << "http://app.example.com/admin/consent" << 50011;
        QTest::newRow("v2 https port not ignored") << true << "https://app.example.com:8443/admin/consent" << 50011;
        QTest::newRow("v2 unregistered") << true << "https://evil.example/cb" << 50011;
        QTest::newRow("v1 extra path") << false << "https://app.example.com/admin/consent/x" << 0;
        QTest::newRow("v1 prefix is not a segment") << false << "https://app.example.com/admin/consentx" << 50011;
        QTest::newRow("v1 unregistered") << false << "https://evil.example/cb" << 50011;
    }

    void consentRedirectRules()
    {
        QFETCH(bool, v2);
        QFETCH(QString, redirect);
        QFETCH(int, code);
        SignInFailure failure;
        const QUrl done
            = driveSignIn(m_net, consentUrl(m_fabrikam, v2, redirect), m_fabrikamAdminUpn, kPassword, {}, &failure);
        if (code == 0) {
            QCOMPARE(value(queryOf(done), "admin_consent"), QStringLiteral("True"));
            QCOMPARE(done.adjusted(QUrl::RemoveQuery), QUrl(redirect));
        } else {
            QVERIFY(done.isEmpty());
            QCOMPARE(failure.step, QStringLiteral("error"));
            QCOMPARE(failure.aadsts, code);
            QVERIFY(!m_sim->state().servicePrincipal(m_fabrikam, m_clientId));
        }
    }

    void consentUnknownApp()
    {
        SignInFailure failure;
        QVERIFY(driveSignIn(m_net,
                            consentUrl(m_fabrikam, true, kRedirect, kGraphDefault,
                                       QStringLiteral("11111111-2222-3333-4444-555555555555")),
                            m_fabrikamAdminUpn, kPassword, {}, &failure)
                    .isEmpty());
        QCOMPARE(failure.step, QStringLiteral("error"));
        QCOMPARE(failure.aadsts, 700016);
        QVERIFY(failure.message.contains(QLatin1String("was not found in the directory 'Fabrikam'")));
    }

    // ---- the pages ----

    void pagesDom()
    {
        Http r = get(authorizeUrl(m_contoso, {{QStringLiteral("login_hint"), m_userUpn}}));
        QCOMPARE(r.status, 200);
        const QByteArray csp = r.header("Content-Security-Policy");
        QVERIFY(csp.contains("script-src 'self'"));
        QVERIFY(csp.contains("form-action 'self' http://127.0.0.1"));
        QVERIFY(csp.contains("frame-ancestors 'none'"));
        QString html = QString::fromUtf8(r.body);
        QVERIFY(html.contains(QLatin1String("type=\"email\" name=\"loginfmt\" id=\"i0116\"")));
        QVERIFY(html.contains(QLatin1String("value=\"%1\"").arg(m_userUpn)));
        QVERIFY(
            html.contains(QLatin1String("type=\"submit\" id=\"idSIButton9\" class=\"button primary\" value=\"Next\"")));
        QVERIFY(!html.contains(QLatin1String("<script>")));
        QVERIFY(!html.contains(QLatin1String("style=")));
        QVERIFY(!QRegularExpression(QStringLiteral("\\son[a-z]+=")).match(html).hasMatch());
        const QString ctx
            = QRegularExpression(QStringLiteral("name=\"ctx\" value=\"([^\"]+)\"")).match(html).captured(1);
        QVERIFY(ctx.size() >= 40);

        r = postForm(base() + "/" + m_contoso + "/login",
                     {{QStringLiteral("ctx"), ctx}, {QStringLiteral("loginfmt"), m_userUpn}});
        html = QString::fromUtf8(r.body);
        QVERIFY(html.contains(QLatin1String("type=\"password\" name=\"passwd\" id=\"i0118\"")));
        QVERIFY(html.contains(QLatin1String("id=\"idA_PWD_ForgotPassword\"")));
        const qsizetype back = html.indexOf(QLatin1String("id=\"idBtn_Back\""));
        const qsizetype signIn = html.indexOf(QLatin1String("id=\"idSIButton9\""));
        QVERIFY(back > 0 && signIn > back);
        QVERIFY(html.contains(QLatin1String("value=\"Sign in\"")));

        r = postForm(base() + "/" + m_contoso + "/login",
                     {{QStringLiteral("ctx"), ctx}, {QStringLiteral("passwd"), QStringLiteral("bad")}});
        html = QString::fromUtf8(r.body);
        QVERIFY(html.contains(QLatin1String("id=\"passwordError\"")));
        QVERIFY(html.contains(QLatin1String("Your account or password is incorrect.")));
        QVERIFY(!html.contains(QLatin1String("bad\"")));

        r = postForm(base() + "/" + m_contoso + "/login",
                     {{QStringLiteral("ctx"), ctx}, {QStringLiteral("passwd"), kPassword}});
        html = QString::fromUtf8(r.body);
        QVERIFY(html.contains(QLatin1String("Stay signed in?")));
        QVERIFY(html.contains(QLatin1String("name=\"DontShowAgain\" id=\"KmsiCheckboxField\"")));
        QVERIFY(html.indexOf(QLatin1String("id=\"idBtn_Back\"")) < html.indexOf(QLatin1String("id=\"idSIButton9\"")));

        // The TAP step.
        r = get(authorizeUrl(m_contoso, {{QStringLiteral("login_hint"), m_tapUpn}}));
        const QString tapCtx = QRegularExpression(QStringLiteral("name=\"ctx\" value=\"([^\"]+)\""))
                                   .match(QString::fromUtf8(r.body))
                                   .captured(1);
        r = postForm(base() + "/" + m_contoso + "/login",
                     {{QStringLiteral("ctx"), tapCtx}, {QStringLiteral("loginfmt"), m_tapUpn}});
        html = QString::fromUtf8(r.body);
        QVERIFY(html.contains(QLatin1String("name=\"accesspass\"")));
        QVERIFY(html.contains(QLatin1String("placeholder=\"Temporary Access Pass\"")));
        QVERIFY(!html.contains(QLatin1String("idA_UsePassword"))); // this user has no password

        // The assets.
        QCOMPARE(get(QUrl(base() + "/common/_assets/signin.js")).header("Content-Type"),
                 QByteArrayLiteral("text/javascript; charset=utf-8"));
        QCOMPARE(get(QUrl(base() + "/common/_assets/signin.css")).status, 200);
        QCOMPARE(get(QUrl(base() + "/common/_assets/layout.html")).status, 404);
    }

    // ---- discovery ----

    void discovery()
    {
        Http r = get(QUrl(base() + "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QLatin1String("issuer")).toString(), base() + "/" + m_contoso + "/v2.0");
        QCOMPARE(r.json.value(QLatin1String("token_endpoint")).toString(),
                 base() + "/contoso.onmicrosoft.com/oauth2/v2.0/token");
        QVERIFY(r.json.value(QLatin1String("token_endpoint_auth_methods_supported"))
                    .toArray()
                    .contains(QStringLiteral("private_key_jwt")));
        r = get(QUrl(base() + "/common/v2.0/.well-known/openid-configuration"));
        QCOMPARE(r.json.value(QLatin1String("issuer")).toString(), base() + "/{tenantid}/v2.0");
        r = get(QUrl(base() + "/nowhere.example/v2.0/.well-known/openid-configuration"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.code(), 90002);
        r = get(QUrl(base() + "/" + m_contoso + "/discovery/v2.0/keys"));
        QCOMPARE(
            r.json.value(QLatin1String("keys")).toArray().first().toObject().value(QLatin1String("kid")).toString(),
            m_sim->tokens().kid());
    }

    // ---- hostile input ----

    void malformedRequests()
    {
        const QString url = tokenUrl(m_contoso);
        verifyErrorShape(postRaw(url, QByteArray(70 * 1024, 'a')), 413, QStringLiteral("invalid_request"), 90015);
        verifyErrorShape(postRaw(url, "grant_type=client_credentials&client_id=%zz"), 400,
                         QStringLiteral("invalid_request"), 9002313);
        verifyErrorShape(postRaw(url, "grant_type=client_credentials&grant_type=client_credentials"), 400,
                         QStringLiteral("invalid_request"), 9002313);
        verifyErrorShape(postRaw(url, "client_id=%C3%28&grant_type=client_credentials"), 400,
                         QStringLiteral("invalid_request"), 9002313);
        verifyErrorShape(postRaw(url, encodeForm(secretForm(m_clientId, kSecret)), "application/json"), 400,
                         QStringLiteral("invalid_request"), 900144);
        verifyErrorShape(postRaw(url, "client_id=x"), 400, QStringLiteral("invalid_request"), 900144);
        verifyErrorShape(postRaw(url, "grant_type=password&client_id=x"), 400, QStringLiteral("unsupported_grant_type"),
                         70003);
        verifyErrorShape(get(QUrl(url)), 400, QStringLiteral("invalid_request"), 900561);
        verifyErrorShape(postRaw(url, "grant_type=client_credentials", "application/x-www-form-urlencoded",
                                 {{"Authorization", "Basic !!!"}}),
                         400, QStringLiteral("invalid_request"), 9002313);
        const QByteArray garbage
            = "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
              "&client_assertion=not.a.jwt&grant_type=client_credentials&scope=https%3A%2F%2Fgraph."
              "microsoft.com%2F.default&client_id="
            + m_clientId.toLatin1();
        verifyErrorShape(postRaw(url, garbage), 400, QStringLiteral("invalid_request"), 50027);

        // The pages: an unknown flow, a malformed form, an oversized post; nothing about the directory changed.
        const QString login = base() + "/" + m_contoso + "/login";
        Http r = postRaw(login, "ctx=unknown&loginfmt=x");
        QCOMPARE(r.status, 400);
        QVERIFY(r.body.contains("AADSTS50089"));
        QCOMPARE(postRaw(login, "ctx=%%%").status, 400);
        QCOMPARE(postRaw(login, QByteArray(20 * 1024, 'x')).status, 413);
        r = get(QUrl(base() + "/" + m_contoso + "/oauth2/v2.0/authorize?client_id=1&client_id=2"));
        QCOMPARE(r.status, 400);
        QVERIFY(r.body.contains("AADSTS9002313"));
        QVERIFY(!m_sim->state().servicePrincipal(m_fabrikam, m_clientId));
        QCOMPARE(get(QUrl(base() + "/" + m_contoso + "/nothing/here")).status, 404);
    }
};

QTEST_GUILESS_MAIN(TestEntraSimIdentity)
#include "TestEntraSimIdentity.moc"
