// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Crypto.h"
#include "entra/JwtCrypto.h"
#include "entra/TokenProvider.h"
#include "support/ScriptedHttpServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QTest>
#include <QThread>
#include <QUuid>
#include <atomic>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <thread>
#include <vector>

using namespace stint;
using namespace stint::entra;
using stint::test::ScriptedHttpServer;
using stint::test::ScriptedResponse;

namespace {

const QString kTenant = QStringLiteral("aaaabbbb-0000-cccc-1111-dddd2222eeee");
const QString kClient = QStringLiteral("00001111-aaaa-2222-bbbb-3333cccc4444");
const QByteArray kSecret = "s3cr3t~Value.With+Special&Chars=";

QByteArray fakeAccessToken(const QString& tid, const QString& marker)
{
    const QJsonObject header {{QStringLiteral("alg"), QStringLiteral("RS256")},
                              {QStringLiteral("typ"), QStringLiteral("JWT")}};
    const QJsonObject payload {{QStringLiteral("tid"), tid},
                               {QStringLiteral("oid"), QStringLiteral("11112222-3333-4444-5555-666677778888")},
                               {QStringLiteral("roles"), QJsonArray {QStringLiteral("User.ReadWrite.All")}},
                               {QStringLiteral("marker"), marker}};
    return crypto::base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + crypto::base64UrlEncode(QJsonDocument(payload).toJson(QJsonDocument::Compact)) + ".c2lnbmF0dXJl";
}

ScriptedResponse tokenResponse(const QString& marker, int expiresIn = 3599)
{
    return ScriptedResponse::json(
        200,
        {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
         {QStringLiteral("expires_in"), expiresIn},
         {QStringLiteral("ext_expires_in"), expiresIn},
         {QStringLiteral("access_token"), QString::fromLatin1(fakeAccessToken(kTenant, marker))}});
}

QJsonObject aadError(const QString& error, int code, const QString& text)
{
    return {{QStringLiteral("error"), error},
            {QStringLiteral("error_description"),
             QStringLiteral(
                 "AADSTS%1: %2\r\nTrace ID: 255d1aef\r\nCorrelation ID: fb3d2015\r\nTimestamp: 2026-01-09 02:02:12Z")
                 .arg(code)
                 .arg(text)},
            {QStringLiteral("error_codes"), QJsonArray {code}},
            {QStringLiteral("timestamp"), QStringLiteral("2026-01-09 02:02:12Z")}};
}

TenantAccess secretTenant(const ScriptedHttpServer& server, const QString& tenant = kTenant)
{
    TenantAccess access;
    access.endpoints.authority = server.url();
    access.endpoints.graph = QUrl(QStringLiteral("https://graph.microsoft.com"));
    access.entraTenantId = tenant;
    access.app.clientId = kClient;
    access.app.clientSecret = crypto::SecretBytes(QByteArray(kSecret.constData(), kSecret.size()));
    return access;
}

QString tokenPath(const QString& tenant = kTenant)
{
    return QLatin1Char('/') + tenant + QStringLiteral("/oauth2/v2.0/token");
}

TokenProviderOptions noSleep(const Clock* clock = nullptr)
{
    TokenProviderOptions options;
    options.clock = clock;
    options.sleep = [](qint64) {};
    return options;
}

// Verifies a JWS signature with the certificate's key, independently of services/entra.
bool opensslVerify(const QByteArray& certPem, bool pss, const QByteArray& input, const QByteArray& signature)
{
    BIO* bio = BIO_new_mem_buf(certPem.constData(), int(certPem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!cert)
        return false;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, X509_get0_pubkey(cert)) == 1;
    if (ok && pss) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
            && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1;
    }
    ok = ok
        && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.constData()),
                            size_t(signature.size()), reinterpret_cast<const unsigned char*>(input.constData()),
                            size_t(input.size()))
            == 1;
    EVP_MD_CTX_free(ctx);
    X509_free(cert);
    return ok;
}

// Signs `input` with RSASSA-PSS (SHA-256, MGF1-SHA-256) and the given salt length, independently of services/entra.
QByteArray pssSign(const QByteArray& keyPem, int saltLength, const QByteArray& input)
{
    BIO* bio = BIO_new_mem_buf(keyPem.constData(), int(keyPem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    size_t length = 0;
    QByteArray signature;
    if (key && EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, key) == 1
        && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
        && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltLength) == 1
        && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1
        && EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.constData()),
                          size_t(input.size()))
            == 1) {
        signature.resize(qsizetype(length));
        if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                           reinterpret_cast<const unsigned char*>(input.constData()), size_t(input.size()))
            == 1)
            signature.truncate(qsizetype(length));
        else
            signature.clear();
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return signature;
}

// The certificate's RSA public key as a JWK {"kty":"RSA","n","e"}.
QJsonObject publicJwk(const QByteArray& certPem)
{
    BIO* bio = BIO_new_mem_buf(certPem.constData(), int(certPem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    QJsonObject jwk;
    if (cert && EVP_PKEY_get_bn_param(X509_get0_pubkey(cert), "n", &n) == 1
        && EVP_PKEY_get_bn_param(X509_get0_pubkey(cert), "e", &e) == 1) {
        QByteArray nBytes(BN_num_bytes(n), '\0');
        QByteArray eBytes(BN_num_bytes(e), '\0');
        BN_bn2bin(n, reinterpret_cast<unsigned char*>(nBytes.data()));
        BN_bn2bin(e, reinterpret_cast<unsigned char*>(eBytes.data()));
        jwk = {{QStringLiteral("kty"), QStringLiteral("RSA")},
               {QStringLiteral("n"), QString::fromLatin1(crypto::base64UrlEncode(nBytes))},
               {QStringLiteral("e"), QString::fromLatin1(crypto::base64UrlEncode(eBytes))}};
    }
    BN_free(n);
    BN_free(e);
    X509_free(cert);
    return jwk;
}

QByteArray certificateDigest(const QByteArray& certPem, const char* algorithm)
{
    BIO* bio = BIO_new_mem_buf(certPem.constData(), int(certPem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    unsigned char* der = nullptr;
    const int length = i2d_X509(cert, &der);
    QByteArray out(EVP_MAX_MD_SIZE, '\0');
    unsigned int outLength = 0;
    EVP_Digest(der, size_t(length), reinterpret_cast<unsigned char*>(out.data()), &outLength,
               EVP_get_digestbyname(algorithm), nullptr);
    OPENSSL_free(der);
    X509_free(cert);
    out.truncate(int(outLength));
    return out;
}

QStringList g_logged;
QMutex g_logMutex;
void captureMessages(QtMsgType, const QMessageLogContext&, const QString& message)
{
    QMutexLocker lock(&g_logMutex);
    g_logged.append(message);
}

} // namespace

class TestTokenProvider : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        auto generated
            = jwt::generateSelfSignedCertificate(QStringLiteral("stint test"), QDateTime::currentMSecsSinceEpoch(), 30);
        QVERIFY2(generated.ok(), "certificate generation");
        m_certificatePem = generated->certificatePem;
        m_privateKeyPem = generated->privateKeyPem.bytes();
    }

    void secretTokenIsCachedPerTenant()
    {
        ScriptedHttpServer server;
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("one")));
        TokenProvider provider(noSleep());
        const TenantAccess access = secretTenant(server);
        auto first = provider.token(access);
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().message));
        auto second = provider.token(access);
        QVERIFY(second.ok());
        QCOMPARE(second->get(), first->get());
        QCOMPARE(server.count("POST", tokenPath()), 1);
        QCOMPARE((*first)->tenantId, kTenant);
        QCOMPARE((*first)->roles, QStringList {QStringLiteral("User.ReadWrite.All")});

        const auto request = server.requests().first();
        QCOMPARE(request.header("Content-Type"), QByteArray("application/x-www-form-urlencoded"));
        const QUrlQuery form(QString::fromUtf8(request.body));
        QCOMPARE(form.queryItemValue(QStringLiteral("grant_type")), QStringLiteral("client_credentials"));
        QCOMPARE(form.queryItemValue(QStringLiteral("client_id")), kClient);
        QCOMPARE(form.queryItemValue(QStringLiteral("client_secret"), QUrl::FullyDecoded),
                 QString::fromLatin1(kSecret));
        QCOMPARE(form.queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded),
                 QStringLiteral("https://graph.microsoft.com/.default"));
        QVERIFY(!request.header("client-request-id").isEmpty());

        // Another tenant is another cache entry.
        const QString other = QStringLiteral("contoso.onmicrosoft.com");
        server.enqueue("POST", tokenPath(other), tokenResponse(QStringLiteral("two")));
        auto third = provider.token(secretTenant(server, other));
        QVERIFY(third.ok());
        QVERIFY(third->get() != first->get());
        QCOMPARE(provider.requestsMade(), 2);

        // A rotated secret is another credential: its token is not served from the old secret's entry.
        TenantAccess rotated = secretTenant(server);
        rotated.app.clientSecret = crypto::SecretBytes(QByteArray("another-secret"));
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("three")));
        auto fourth = provider.token(rotated);
        QVERIFY(fourth.ok());
        QVERIFY(fourth->get() != first->get());
    }

    void secretAsHttpBasic()
    {
        ScriptedHttpServer server;
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("basic")));
        TokenProviderOptions options = noSleep();
        options.secretAsBasicAuth = true;
        TokenProvider provider(options);
        QVERIFY(provider.token(secretTenant(server)).ok());
        const auto request = server.requests().first();
        QVERIFY(!request.body.contains("client_secret"));
        const QByteArray basic = request.header("Authorization");
        QVERIFY(basic.startsWith("Basic "));
        const QByteArray pair = QByteArray::fromBase64(basic.mid(6));
        QCOMPARE(QUrl::fromPercentEncoding(pair.mid(pair.indexOf(':') + 1)), QString::fromLatin1(kSecret));
    }

    void refreshesEarly()
    {
        ScriptedHttpServer server;
        ManualClock clock;
        TokenProvider provider(noSleep(&clock));
        const TenantAccess access = secretTenant(server);
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("a"), 3600));
        auto first = provider.token(access);
        QVERIFY(first.ok());
        clock.advance(53 * 60'000); // 7 minutes left: still served from the cache
        QCOMPARE(provider.token(access)->get(), first->get());
        QCOMPARE(provider.requestsMade(), 1);
        clock.advance(2 * 60'000); // 5 minutes left (< 6 = 10 % of an hour): refreshed before it expires
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("b"), 3600));
        auto second = provider.token(access);
        QVERIFY(second.ok());
        QVERIFY(second->get() != first->get());
        QCOMPARE(provider.requestsMade(), 2);
    }

    void singleFlightAcrossThreads()
    {
        ScriptedHttpServer server;
        ScriptedResponse slow = tokenResponse(QStringLiteral("shared"));
        slow.delayMs = 300; // long enough for every thread to pile up behind the first request
        server.enqueue("POST", tokenPath(), slow);
        TokenProvider provider(noSleep());
        const TenantAccess access = secretTenant(server);
        std::atomic<int> ok {0};
        std::vector<std::thread> threads;
        QList<const AccessToken*> seen(50, nullptr);
        for (int i = 0; i < 50; ++i) {
            threads.emplace_back([&, i] {
                auto token = provider.token(access);
                if (token.ok()) {
                    ++ok;
                    seen[i] = token->get();
                }
            });
        }
        for (auto& thread : threads)
            thread.join();
        QCOMPARE(ok.load(), 50);
        QCOMPARE(server.count("POST", tokenPath()), 1);
        for (const AccessToken* token : seen)
            QCOMPARE(token, seen.first());
    }

    void singleFlightSharesAFailure()
    {
        ScriptedHttpServer server;
        ScriptedResponse refused = ScriptedResponse::json(
            401,
            aadError(QStringLiteral("invalid_client"), 7000215, QStringLiteral("Invalid client secret provided.")));
        refused.delayMs = 200;
        server.enqueue("POST", tokenPath(), refused);
        TokenProvider provider(noSleep());
        const TenantAccess access = secretTenant(server);
        std::atomic<int> authenticationErrors {0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 10; ++i) {
            threads.emplace_back([&] {
                auto token = provider.token(access);
                if (!token.ok() && token.error().code == QLatin1String(EntraGateway::kAuthentication))
                    ++authenticationErrors;
            });
        }
        for (auto& thread : threads)
            thread.join();
        QCOMPARE(authenticationErrors.load(), 10);
        QCOMPARE(server.count("POST", tokenPath()), 1);
    }

    void invalidateDropsOnlyThatToken()
    {
        ScriptedHttpServer server;
        TokenProvider provider(noSleep());
        const TenantAccess access = secretTenant(server);
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("old")));
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("new")));
        auto old = provider.token(access);
        QVERIFY(old.ok());
        provider.invalidate(access, *old);
        auto fresh = provider.token(access);
        QVERIFY(fresh.ok());
        QVERIFY(fresh->get() != old->get());
        provider.invalidate(access, *old); // stale: the fresh token stays
        QCOMPARE(provider.token(access)->get(), fresh->get());
        QCOMPARE(provider.requestsMade(), 2);
    }

    void certificateAssertion_data()
    {
        QTest::addColumn<bool>("pss");
        QTest::newRow("PS256 x5t#S256") << true;
        QTest::newRow("RS256 x5t") << false;
    }

    void certificateAssertion()
    {
        QFETCH(bool, pss);
        ScriptedHttpServer server;
        ManualClock clock(QDateTime::currentMSecsSinceEpoch());
        TokenProvider provider(noSleep(&clock));
        TenantAccess access = secretTenant(server);
        access.app.clientSecret = {};
        access.app.certificatePem = m_certificatePem;
        access.app.privateKeyPem = crypto::SecretBytes(QByteArray(m_privateKeyPem.constData(), m_privateKeyPem.size()));
        access.app.assertionAlgorithm
            = pss ? AppCredential::AssertionAlgorithm::PS256 : AppCredential::AssertionAlgorithm::RS256;
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("cert")));
        auto token = provider.token(access);
        QVERIFY2(token.ok(), qPrintable(token.ok() ? QString() : token.error().message));

        const QUrlQuery form(QString::fromUtf8(server.requests().first().body));
        QVERIFY(!form.hasQueryItem(QStringLiteral("client_secret")));
        QCOMPARE(form.queryItemValue(QStringLiteral("client_assertion_type"), QUrl::FullyDecoded),
                 QStringLiteral("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
        QCOMPARE(form.queryItemValue(QStringLiteral("client_id")), kClient);
        const QByteArray assertion
            = form.queryItemValue(QStringLiteral("client_assertion"), QUrl::FullyDecoded).toLatin1();
        const QList<QByteArray> parts = assertion.split('.');
        QCOMPARE(parts.size(), 3);
        const QJsonObject header = QJsonDocument::fromJson(*crypto::base64UrlDecode(parts[0])).object();
        const QJsonObject claims = QJsonDocument::fromJson(*crypto::base64UrlDecode(parts[1])).object();
        const QByteArray signature = *crypto::base64UrlDecode(parts[2]);
        QCOMPARE(header.value(QStringLiteral("typ")).toString(), QStringLiteral("JWT"));
        if (pss) {
            QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("PS256"));
            QCOMPARE(header.value(QStringLiteral("x5t#S256")).toString().toLatin1(),
                     crypto::base64UrlEncode(certificateDigest(m_certificatePem, "SHA256")));
            QVERIFY(!header.contains(QStringLiteral("x5t")));
        } else {
            QCOMPARE(header.value(QStringLiteral("alg")).toString(), QStringLiteral("RS256"));
            QCOMPARE(header.value(QStringLiteral("x5t")).toString().toLatin1(),
                     crypto::base64UrlEncode(certificateDigest(m_certificatePem, "SHA1")));
            QVERIFY(!header.contains(QStringLiteral("x5t#S256")));
        }
        QVERIFY(opensslVerify(m_certificatePem, pss, parts[0] + '.' + parts[1], signature));
        QVERIFY(!opensslVerify(m_certificatePem, !pss, parts[0] + '.' + parts[1], signature));
        QCOMPARE(claims.value(QStringLiteral("aud")).toString(), server.url(tokenPath()).toString());
        QCOMPARE(claims.value(QStringLiteral("iss")).toString(), kClient);
        QCOMPARE(claims.value(QStringLiteral("sub")).toString(), kClient);
        const qint64 now = clock.now() / 1000;
        QCOMPARE(claims.value(QStringLiteral("nbf")).toInteger(), now);
        QCOMPARE(claims.value(QStringLiteral("iat")).toInteger(), now);
        QCOMPARE(claims.value(QStringLiteral("exp")).toInteger(), now + 300);
        QVERIFY(!QUuid::fromString(claims.value(QStringLiteral("jti")).toString()).isNull());

        // Two assertions never share a jti.
        auto again = provider.clientAssertion(access.app, server.url(tokenPath()));
        QVERIFY(again.ok());
        const QJsonObject againClaims
            = QJsonDocument::fromJson(*crypto::base64UrlDecode(again->split('.')[1])).object();
        QVERIFY(againClaims.value(QStringLiteral("jti")) != claims.value(QStringLiteral("jti")));
    }

    // RFC 7518 §3.5: PS256 uses a salt as long as the SHA-256 digest (32 bytes). Other lengths verify under
    // OpenSSL's "auto" salt length, so they must be refused explicitly.
    void pss256SaltLengthIsExactly32_data()
    {
        QTest::addColumn<int>("saltLength");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("salt 32") << 32 << true;
        QTest::newRow("salt 20") << 20 << false;
        QTest::newRow("salt 64") << 64 << false;
        QTest::newRow("salt 0") << 0 << false;
    }

    void pss256SaltLengthIsExactly32()
    {
        QFETCH(int, saltLength);
        QFETCH(bool, accepted);
        const QByteArray input = "eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJ4In0";
        const QByteArray signature = pssSign(m_privateKeyPem, saltLength, input);
        QVERIFY(!signature.isEmpty());
        const QJsonObject jwk = publicJwk(m_certificatePem);
        QVERIFY(jwk.contains(QStringLiteral("n")));
        QCOMPARE(jwt::verifyWithJwk(jwt::Algorithm::PS256, jwk, input, signature), accepted);
        QVERIFY(!jwt::verifyWithJwk(jwt::Algorithm::RS256, jwk, input, signature));
    }

    void mismatchedKeyIsRefusedBeforeAnyRequest()
    {
        ScriptedHttpServer server;
        TokenProvider provider(noSleep());
        auto other
            = jwt::generateSelfSignedCertificate(QStringLiteral("other"), QDateTime::currentMSecsSinceEpoch(), 30);
        QVERIFY(other.ok());
        TenantAccess access = secretTenant(server);
        access.app.clientSecret = {};
        access.app.certificatePem = m_certificatePem;
        access.app.privateKeyPem = std::move(other->privateKeyPem);
        auto token = provider.token(access);
        QVERIFY(!token.ok());
        QCOMPARE(token.error().code, QString::fromLatin1(jwt::kBadPrivateKey));
        access.app.certificatePem = "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n";
        token = provider.token(access);
        QVERIFY(!token.ok());
        QCOMPARE(token.error().code, QString::fromLatin1(jwt::kBadCertificate));
        QCOMPARE(server.requests().size(), 0);
    }

    void badTenantIsRefusedBeforeAnyRequest()
    {
        ScriptedHttpServer server;
        TokenProvider provider(noSleep());
        for (const QString& bad :
             {QStringLiteral("../evil"), QStringLiteral("a b"), QString(), QStringLiteral("x?y")}) {
            auto token = provider.token(secretTenant(server, bad));
            QVERIFY(!token.ok());
            QCOMPARE(token.error().code, QString::fromLatin1(kInvalidTenant));
        }
        QCOMPARE(server.requests().size(), 0);
    }

    void aadstsErrorsAreTyped_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        const auto body = [](const QString& error, int code, const QString& text) {
            return QJsonDocument(aadError(error, code, text)).toJson(QJsonDocument::Compact);
        };
        QTest::newRow("wrong secret") << 401
                                      << body(QStringLiteral("invalid_client"), 7000215,
                                              QStringLiteral("Invalid client secret provided."))
                                      << QStringLiteral("entra.authentication");
        QTest::newRow("expired secret") << 401
                                        << body(QStringLiteral("invalid_client"), 7000222,
                                                QStringLiteral("The provided client secret keys are expired."))
                                        << QStringLiteral("entra.authentication");
        QTest::newRow("not consented") << 400
                                       << body(QStringLiteral("unauthorized_client"), 700016,
                                               QStringLiteral("Application not found in the directory."))
                                       << QStringLiteral("entra.authentication");
        QTest::newRow("bad assertion signature")
            << 401
            << body(QStringLiteral("invalid_client"), 700027,
                    QStringLiteral("Client assertion failed signature validation."))
            << QStringLiteral("entra.authentication");
        QTest::newRow("tenant not found")
            << 400 << body(QStringLiteral("invalid_request"), 90002, QStringLiteral("Tenant 'x' not found."))
            << QStringLiteral("entra.tenant_not_found");
        QTest::newRow("temporarily unavailable")
            << 400 << body(QStringLiteral("temporarily_unavailable"), 50001, QStringLiteral("try later"))
            << QStringLiteral("entra.transient");
        QTest::newRow("server error") << 503 << QByteArray("<html>busy</html>") << QStringLiteral("entra.transient");
        QTest::newRow("invalid scope") << 400
                                       << body(QStringLiteral("invalid_scope"), 70011,
                                               QStringLiteral("The provided value for scope is not valid."))
                                       << QStringLiteral("entra.token_rejected");
        QTest::newRow("code only in the description")
            << 401 << QByteArray("{\"error\":\"other\",\"error_description\":\"AADSTS700016: Application not found\"}")
            << QStringLiteral("entra.authentication");
    }

    void aadstsErrorsAreTyped()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        const Error error = tokenEndpointError(status, body);
        QCOMPARE(error.code, code);
        QVERIFY(!error.message.isEmpty());
        QVERIFY(!error.message.contains(QStringLiteral("Trace ID")));
    }

    void transientFailureIsRetried()
    {
        ScriptedHttpServer server;
        server.enqueue("POST", tokenPath(), ScriptedResponse::json(503, {}));
        server.enqueue("POST", tokenPath(), ScriptedResponse::dropped());
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("third time")));
        QList<qint64> waits;
        TokenProviderOptions options;
        options.sleep = [&](qint64 ms) { waits.append(ms); };
        TokenProvider provider(options);
        auto token = provider.token(secretTenant(server));
        QVERIFY2(token.ok(), qPrintable(token.ok() ? QString() : token.error().message));
        QCOMPARE(server.count("POST", tokenPath()), 3);
        // The 503 waits before its retry; the dropped connection may be resent by Qt's HTTP layer itself (a reused
        // keep-alive connection closed before any reply) or by ours.
        QVERIFY(!waits.isEmpty());

        // A credential error is final: no retry.
        ScriptedHttpServer refusing;
        refusing.enqueue("POST", tokenPath(),
                         ScriptedResponse::json(401,
                                                aadError(QStringLiteral("invalid_client"), 7000215,
                                                         QStringLiteral("Invalid client secret provided."))));
        TokenProvider second(noSleep());
        auto refused = second.token(secretTenant(refusing));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QString::fromLatin1(EntraGateway::kAuthentication));
        QCOMPARE(refusing.count("POST", tokenPath()), 1);
    }

    void explicitTokenEndpoint()
    {
        ScriptedHttpServer server;
        server.enqueue("POST", QStringLiteral("/custom/token"), tokenResponse(QStringLiteral("custom")));
        TokenProvider provider(noSleep());
        TenantAccess access = secretTenant(server);
        access.endpoints.tokenEndpointOverride = server.url(QStringLiteral("/custom/token"));
        QVERIFY(provider.token(access).ok());
        QCOMPARE(server.count("POST", QStringLiteral("/custom/token")), 1);
    }

    void noSecretInLogs()
    {
        ScriptedHttpServer server;
        server.enqueue("POST", tokenPath(), ScriptedResponse::json(503, {}));
        server.enqueue("POST", tokenPath(), tokenResponse(QStringLiteral("logged")));
        server.enqueue("POST", tokenPath(QStringLiteral("fabrikam.com")),
                       ScriptedResponse::json(401,
                                              aadError(QStringLiteral("invalid_client"), 7000215,
                                                       QStringLiteral("Invalid client secret provided."))));
        QLoggingCategory::setFilterRules(QStringLiteral("stint.entra*=true"));
        g_logged.clear();
        const QtMessageHandler previous = qInstallMessageHandler(captureMessages);
        TokenProvider provider(noSleep());
        auto token = provider.token(secretTenant(server));
        auto refused = provider.token(secretTenant(server, QStringLiteral("fabrikam.com")));
        qInstallMessageHandler(previous);
        QLoggingCategory::setFilterRules(QString());
        QVERIFY(token.ok());
        QVERIFY(!refused.ok());
        QVERIFY(!g_logged.isEmpty()); // something was logged, so the scan below means something
        const QString tokenValue = QString::fromLatin1((*token)->value.bytes());
        for (const QString& line : std::as_const(g_logged)) {
            QVERIFY2(!line.contains(QString::fromLatin1(kSecret)), qPrintable(line));
            QVERIFY2(!line.contains(QString::fromLatin1(QUrl::toPercentEncoding(QString::fromLatin1(kSecret)))),
                     qPrintable(line));
            QVERIFY2(!line.contains(tokenValue.left(40)), qPrintable(line));
        }
    }

private:
    QByteArray m_certificatePem;
    QByteArray m_privateKeyPem;
};

QTEST_GUILESS_MAIN(TestTokenProvider)
#include "TestTokenProvider.moc"
