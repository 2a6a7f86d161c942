// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Crypto.h"
#include "entra/JwtCrypto.h"
#include "entra/Onboarding.h"
#include "entra/TokenProvider.h"
#include "support/ScriptedHttpServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

using namespace stint;
using namespace stint::entra;
using namespace stint::entra::onboarding;
using stint::test::ScriptedHttpServer;
using stint::test::ScriptedRequest;
using stint::test::ScriptedResponse;

namespace {

const QString kTenant = QStringLiteral("aaaabbbb-0000-cccc-1111-dddd2222eeee");
const QString kClient = QStringLiteral("00001111-aaaa-2222-bbbb-3333cccc4444");

CloudEndpoints globalCloud()
{
    CloudEndpoints endpoints;
    endpoints.authority = QUrl(QStringLiteral("https://login.microsoftonline.com"));
    endpoints.graph = QUrl(QStringLiteral("https://graph.microsoft.com"));
    return endpoints;
}

QString decoded(const QUrl& url, const QString& key)
{
    return QUrlQuery(url).queryItemValue(key, QUrl::FullyDecoded);
}

// The JWK of the certificate's RSA key, read with OpenSSL directly.
QJsonObject jwkOf(const QByteArray& certificatePem, const QString& kid)
{
    BIO* bio = BIO_new_mem_buf(certificatePem.constData(), int(certificatePem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(X509_get0_pubkey(cert), OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(X509_get0_pubkey(cert), OSSL_PKEY_PARAM_RSA_E, &e);
    QByteArray nBytes(BN_num_bytes(n), '\0');
    QByteArray eBytes(BN_num_bytes(e), '\0');
    BN_bn2bin(n, reinterpret_cast<unsigned char*>(nBytes.data()));
    BN_bn2bin(e, reinterpret_cast<unsigned char*>(eBytes.data()));
    BN_free(n);
    BN_free(e);
    X509_free(cert);
    return {{QStringLiteral("kty"), QStringLiteral("RSA")},
            {QStringLiteral("kid"), kid},
            {QStringLiteral("n"), QString::fromLatin1(crypto::base64UrlEncode(nBytes))},
            {QStringLiteral("e"), QString::fromLatin1(crypto::base64UrlEncode(eBytes))}};
}

QByteArray signIdToken(const crypto::SecretBytes& key, const QJsonObject& claims, const QString& kid)
{
    const QJsonObject header {{QStringLiteral("alg"), QStringLiteral("RS256")},
                              {QStringLiteral("typ"), QStringLiteral("JWT")},
                              {QStringLiteral("kid"), kid}};
    const QByteArray input = crypto::base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + crypto::base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    auto signature = jwt::sign(jwt::Algorithm::RS256, key, input);
    return input + '.' + crypto::base64UrlEncode(signature.value());
}

} // namespace

class TestEntraOnboarding : public QObject
{
    Q_OBJECT

private slots:
    void adminConsentUrlIsV2WithDefaultScope()
    {
        const QUrl redirect(QStringLiteral("http://127.0.0.1:5000/consent?x=1&y=2"));
        const QString state = QStringLiteral("st+te/=&?");
        const QUrl url = adminConsentUrl(globalCloud(), kClient, redirect, state);
        QCOMPARE(url.scheme(), QStringLiteral("https"));
        QCOMPARE(url.host(), QStringLiteral("login.microsoftonline.com"));
        QCOMPARE(url.path(), QStringLiteral("/organizations/v2.0/adminconsent"));
        QCOMPARE(decoded(url, QStringLiteral("client_id")), kClient);
        QCOMPARE(decoded(url, QStringLiteral("scope")), QStringLiteral("https://graph.microsoft.com/.default"));
        QCOMPARE(decoded(url, QStringLiteral("redirect_uri")), redirect.toString());
        QCOMPARE(decoded(url, QStringLiteral("state")), state);

        CloudEndpoints usGov;
        usGov.authority = QUrl(QStringLiteral("https://login.microsoftonline.us/"));
        usGov.graph = QUrl(QStringLiteral("https://graph.microsoft.us"));
        const QUrl gov = adminConsentUrl(usGov, kClient, redirect, state, kTenant);
        QCOMPARE(gov.path(), QStringLiteral("/%1/v2.0/adminconsent").arg(kTenant));
        QCOMPARE(decoded(gov, QStringLiteral("scope")), QStringLiteral("https://graph.microsoft.us/.default"));
    }

    void authorizeUrlHasPkceS256()
    {
        const Pkce pkce = Pkce::generate();
        QCOMPARE(pkce.verifier.size(), 43);
        QCOMPARE(pkce.challenge.toLatin1(), crypto::base64UrlEncode(crypto::sha256(pkce.verifier.bytes())));
        AuthorizeParameters p;
        p.clientId = kClient;
        p.redirectUri = QUrl(QStringLiteral("http://127.0.0.1:4321/"));
        p.state = QStringLiteral("abc");
        p.codeChallenge = pkce.challenge;
        p.loginHint = QStringLiteral("admin@contoso.com");
        p.prompt = QStringLiteral("select_account");
        const QUrl url = authorizeUrl(globalCloud(), p);
        QCOMPARE(url.path(), QStringLiteral("/organizations/oauth2/v2.0/authorize"));
        QCOMPARE(decoded(url, QStringLiteral("response_type")), QStringLiteral("code"));
        QCOMPARE(decoded(url, QStringLiteral("response_mode")), QStringLiteral("query"));
        QCOMPARE(decoded(url, QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
        QCOMPARE(decoded(url, QStringLiteral("code_challenge")), pkce.challenge);
        QCOMPARE(decoded(url, QStringLiteral("login_hint")), QStringLiteral("admin@contoso.com"));
        QCOMPARE(decoded(url, QStringLiteral("prompt")), QStringLiteral("select_account"));
        QCOMPARE(decoded(url, QStringLiteral("scope")), QStringLiteral("openid profile"));
        QCOMPARE(decoded(url, QStringLiteral("redirect_uri")), QStringLiteral("http://127.0.0.1:4321/"));
        QVERIFY(!QUrlQuery(url).hasQueryItem(QStringLiteral("nonce")));
        QVERIFY(!url.toString().contains(QString::fromLatin1(pkce.verifier.bytes())));
    }

    void consentCallbacks()
    {
        // v2 success.
        auto v2 = parseConsentCallback(QUrlQuery(QStringLiteral(
            "admin_consent=True&tenant=AAAABBBB-0000-cccc-1111-dddd2222eeee&scope=https://graph.microsoft.com/"
            "User.Read.All%20https://graph.microsoft.com/Domain.Read.All&state=12345")));
        QVERIFY(v2.ok());
        QVERIFY(v2->granted);
        QCOMPARE(v2->tenantHint, kTenant);
        QCOMPARE(v2->state, QStringLiteral("12345"));
        QCOMPARE(v2->scopes.size(), 2);
        // v1 success: no scope.
        auto v1 = parseConsentCallback(
            QUrlQuery(QStringLiteral("tenant=contoso.onmicrosoft.com&state=s&admin_consent=True")));
        QVERIFY(v1.ok());
        QVERIFY(v1->granted);
        QVERIFY(v1->scopes.isEmpty());
        // v2 error keeps admin_consent=True: still a refusal.
        auto v2Error = parseConsentCallback(QUrlQuery(QStringLiteral(
            "admin_consent=True&error=consent_required&error_description=AADSTS65004%3a+The+resource+owner+or+"
            "authorization+server+denied+the+request.%0d%0aTrace+ID%3a+x%0d%0aCorrelation+ID%3a+y&state=12345")));
        QVERIFY(v2Error.ok());
        QVERIFY(!v2Error->granted);
        QCOMPARE(v2Error->error, QStringLiteral("consent_required"));
        QCOMPARE(v2Error->aadstsCode, std::optional<qint64>(65004));
        QVERIFY(!v2Error->errorDescription.contains(QStringLiteral("Trace")));
        // v1 error.
        auto v1Error = parseConsentCallback(QUrlQuery(
            QStringLiteral("error=permission_denied&error_description=The+admin+canceled+the+request&state=s")));
        QVERIFY(v1Error.ok());
        QVERIFY(!v1Error->granted);
        QCOMPARE(v1Error->error, QStringLiteral("permission_denied"));
        // Garbage.
        for (const QString& bad : {QStringLiteral("admin_consent=True&tenant=x"), QStringLiteral("state=s&tenant=x"),
                                   QStringLiteral("state=s&admin_consent=False&tenant=x"),
                                   QStringLiteral("state=s&admin_consent=True&tenant=../x"), QString()}) {
            auto parsed = parseConsentCallback(QUrlQuery(bad));
            QVERIFY2(!parsed.ok(), qPrintable(bad));
            QCOMPARE(parsed.error().code, QString::fromLatin1(kInvalidCallback));
        }
    }

    void authorizeCallbacks()
    {
        auto ok = parseAuthorizeCallback(QUrlQuery(QStringLiteral("code=abc&state=s")));
        QVERIFY(ok.ok());
        QCOMPARE(ok->code, QStringLiteral("abc"));
        QVERIFY(!ok->refused());
        // An error redirect is what it says, not a failure to parse: form-encoded, first line only, its AADSTS code.
        auto denied = parseAuthorizeCallback(QUrlQuery(QStringLiteral(
            "error=access_denied&error_description=AADSTS65004%3a+the+user+canceled%0d%0aTrace+ID%3a+x&state=s")));
        QVERIFY(denied.ok());
        QVERIFY(denied->refused());
        QCOMPARE(denied->error, QStringLiteral("access_denied"));
        QCOMPARE(denied->errorDescription, QStringLiteral("AADSTS65004: the user canceled"));
        QCOMPARE(denied->aadstsCode, std::optional<qint64>(65004));
        QVERIFY(denied->code.isEmpty());
        for (const QString& bad :
             {QStringLiteral("code=abc"), QStringLiteral("state=s"), QStringLiteral("state=&code=abc"),
              QStringLiteral("state=") + QString(1025, QLatin1Char('s')) + QStringLiteral("&code=c")}) {
            auto parsed = parseAuthorizeCallback(QUrlQuery(bad));
            QVERIFY2(!parsed.ok(), qPrintable(bad.left(40)));
            QCOMPARE(parsed.error().code, QString::fromLatin1(kInvalidCallback));
        }
    }

    void callbackValuesAreFormDecoded()
    {
        // '+' is a space, %2B a plus; the state is found before the kind of callback is known.
        const QUrlQuery query(QStringLiteral("state=a%2Bb+c&code=x"));
        QCOMPARE(callbackState(query), QStringLiteral("a+b c"));
        QCOMPARE(callbackState(QUrlQuery(QStringLiteral("code=x"))), QString());
        auto consent
            = parseConsentCallback(QUrlQuery(QStringLiteral("admin_consent=True&tenant=contoso.com&scope=https%3A%2F%"
                                                            "2Fgraph.microsoft.com%2F.default+openid&state=s")));
        QVERIFY(consent.ok());
        QCOMPARE(consent->scopes,
                 QStringList({QStringLiteral("https://graph.microsoft.com/.default"), QStringLiteral("openid")}));
        // An empty tenant hint is "organizations" in both URLs.
        QCOMPARE(adminConsentUrl(globalCloud(), kClient, QUrl(QStringLiteral("http://127.0.0.1:1/c")),
                                 QStringLiteral("s"), QString())
                     .path(),
                 QStringLiteral("/organizations/v2.0/adminconsent"));
        AuthorizeParameters p;
        p.tenant.clear();
        p.clientId = kClient;
        QCOMPARE(authorizeUrl(globalCloud(), p).path(), QStringLiteral("/organizations/oauth2/v2.0/authorize"));
    }

    void redeemVerifiesTheIdToken()
    {
        auto signing
            = jwt::generateSelfSignedCertificate(QStringLiteral("authority"), QDateTime::currentMSecsSinceEpoch(), 2);
        auto stranger
            = jwt::generateSelfSignedCertificate(QStringLiteral("stranger"), QDateTime::currentMSecsSinceEpoch(), 2);
        QVERIFY(signing.ok() && stranger.ok());
        ScriptedHttpServer server;
        CloudEndpoints endpoints;
        endpoints.authority = server.url();
        endpoints.graph = QUrl(QStringLiteral("https://graph.microsoft.com"));
        const QString issuer = server.url().toString() + QLatin1Char('/') + kTenant + QStringLiteral("/v2.0");
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const QJsonObject claims {{QStringLiteral("aud"), kClient},
                                  {QStringLiteral("iss"), issuer},
                                  {QStringLiteral("tid"), kTenant},
                                  {QStringLiteral("oid"), QStringLiteral("11112222-3333-4444-5555-666677778888")},
                                  {QStringLiteral("preferred_username"), QStringLiteral("admin@contoso.com")},
                                  {QStringLiteral("iat"), now},
                                  {QStringLiteral("nbf"), now},
                                  {QStringLiteral("exp"), now + 3600}};
        const QJsonObject keys {
            {QStringLiteral("keys"), QJsonArray {jwkOf(signing->certificatePem, QStringLiteral("k1"))}}};
        server.setHandler([&](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/discovery/v2.0/keys")))
                return ScriptedResponse::json(200, keys);
            return ScriptedResponse::json(404, {});
        });
        const auto tokenResponse = [&](const QByteArray& idToken) {
            return ScriptedResponse::json(200,
                                          {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                           {QStringLiteral("expires_in"), 3599},
                                           {QStringLiteral("access_token"), QStringLiteral("at")},
                                           {QStringLiteral("id_token"), QString::fromLatin1(idToken)}});
        };
        const QString tokenPath = QStringLiteral("/organizations/oauth2/v2.0/token");
        AppCredential app;
        app.clientId = kClient;
        app.clientSecret = crypto::SecretBytes(QByteArray("onboarding-secret"));
        const Pkce pkce = Pkce::generate();
        const QUrl redirect(QStringLiteral("http://127.0.0.1:4321/"));

        server.enqueue("POST", tokenPath,
                       tokenResponse(signIdToken(signing->privateKeyPem, claims, QStringLiteral("k1"))));
        auto identity = redeemAuthorizationCode(endpoints, QStringLiteral("organizations"), app,
                                                QStringLiteral("the-code"), redirect, pkce.verifier);
        QVERIFY2(identity.ok(), qPrintable(identity.ok() ? QString() : identity.error().message));
        QCOMPARE(identity->tenantId, kTenant);
        QCOMPARE(identity->preferredUsername, QStringLiteral("admin@contoso.com"));
        const QUrlQuery form(QString::fromUtf8(server.requests().first().body));
        QCOMPARE(form.queryItemValue(QStringLiteral("grant_type")), QStringLiteral("authorization_code"));
        QCOMPARE(form.queryItemValue(QStringLiteral("code")), QStringLiteral("the-code"));
        QCOMPARE(form.queryItemValue(QStringLiteral("code_verifier")), QString::fromLatin1(pkce.verifier.bytes()));
        QCOMPARE(form.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded), redirect.toString());

        // With a nonce expected, only an id_token carrying it is accepted.
        RedeemOptions withNonce;
        withNonce.expectedNonce = QStringLiteral("flow-nonce");
        QJsonObject nonced = claims;
        nonced.insert(QStringLiteral("nonce"), QStringLiteral("flow-nonce"));
        server.enqueue("POST", tokenPath,
                       tokenResponse(signIdToken(signing->privateKeyPem, nonced, QStringLiteral("k1"))));
        QVERIFY(redeemAuthorizationCode(endpoints, QStringLiteral("organizations"), app, QStringLiteral("c"), redirect,
                                        pkce.verifier, withNonce)
                    .ok());
        for (const QString& nonce : {QString(), QStringLiteral("another-flow")}) {
            QJsonObject other = claims;
            if (!nonce.isEmpty())
                other.insert(QStringLiteral("nonce"), nonce);
            server.enqueue("POST", tokenPath,
                           tokenResponse(signIdToken(signing->privateKeyPem, other, QStringLiteral("k1"))));
            auto refused = redeemAuthorizationCode(endpoints, QStringLiteral("organizations"), app, QStringLiteral("c"),
                                                   redirect, pkce.verifier, withNonce);
            QVERIFY(!refused.ok());
            QCOMPARE(refused.error().code, QString::fromLatin1(kInvalidIdToken));
        }

        // Signed by someone else, for another app, expired, from another issuer: refused.
        QJsonObject otherAudience = claims;
        otherAudience.insert(QStringLiteral("aud"), QStringLiteral("another-app"));
        QJsonObject expired = claims;
        expired.insert(QStringLiteral("exp"), now - 3600);
        QJsonObject otherIssuer = claims;
        otherIssuer.insert(QStringLiteral("iss"), QStringLiteral("https://evil.example/v2.0"));
        const QList<QByteArray> bad
            = {signIdToken(stranger->privateKeyPem, claims, QStringLiteral("k1")),
               signIdToken(signing->privateKeyPem, otherAudience, QStringLiteral("k1")),
               signIdToken(signing->privateKeyPem, expired, QStringLiteral("k1")),
               signIdToken(signing->privateKeyPem, otherIssuer, QStringLiteral("k1")), QByteArray("not.a.jwt")};
        for (const QByteArray& token : bad) {
            server.enqueue("POST", tokenPath, tokenResponse(token));
            auto refused = redeemAuthorizationCode(endpoints, QStringLiteral("organizations"), app, QStringLiteral("c"),
                                                   redirect, pkce.verifier);
            QVERIFY(!refused.ok());
            QCOMPARE(refused.error().code, QString::fromLatin1(kInvalidIdToken));
        }

        // A refused code is a typed token-endpoint error.
        server.enqueue(
            "POST", tokenPath,
            ScriptedResponse::json(400,
                                   {{QStringLiteral("error"), QStringLiteral("invalid_grant")},
                                    {QStringLiteral("error_description"),
                                     QStringLiteral("AADSTS54005: OAuth2 Authorization code was already redeemed")},
                                    {QStringLiteral("error_codes"), QJsonArray {54005}}}));
        auto redeemed = redeemAuthorizationCode(endpoints, QStringLiteral("organizations"), app, QStringLiteral("c"),
                                                redirect, pkce.verifier);
        QVERIFY(!redeemed.ok());
        QCOMPARE(redeemed.error().code, QString::fromLatin1(kTokenRejected));
    }
};

QTEST_GUILESS_MAIN(TestEntraOnboarding)
#include "TestEntraOnboarding.moc"
