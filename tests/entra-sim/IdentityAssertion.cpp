// SPDX-License-Identifier: GPL-3.0-or-later
#include "IdentityAssertion.h"

#include "core/Crypto.h"
#include "core/OpenSsl.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>
#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <optional>

namespace stint::entrasim {

namespace {

OpenSslPtr<X509> parsePem(const QByteArray& pem)
{
    OpenSslPtr<BIO> bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    if (!bio)
        return nullptr;
    return OpenSslPtr<X509>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

QByteArray derOf(X509* cert)
{
    unsigned char* der = nullptr;
    const int length = i2d_X509(cert, &der);
    if (length <= 0)
        return {};
    QByteArray bytes(reinterpret_cast<const char*>(der), length);
    OPENSSL_free(der);
    return bytes;
}

QByteArray thumbprint(const QByteArray& pem, QCryptographicHash::Algorithm algorithm)
{
    OpenSslPtr<X509> cert = parsePem(pem);
    if (!cert)
        return {};
    const QByteArray der = derOf(cert.get());
    return der.isEmpty() ? QByteArray() : crypto::base64UrlEncode(QCryptographicHash::hash(der, algorithm));
}

// Header thumbprints are base64url; some libraries pad them. Compared as bytes.
std::optional<QByteArray> decodeThumbprint(const QJsonValue& value)
{
    if (!value.isString())
        return std::nullopt;
    QByteArray text = value.toString().toLatin1();
    while (text.endsWith('='))
        text.chop(1);
    auto decoded = crypto::base64UrlDecode(text);
    if (!decoded.ok())
        return std::nullopt;
    return decoded.value();
}

AadError malformed(const QString& why)
{
    return {QStringLiteral("invalid_request"), 50027, QStringLiteral("JWT token is invalid or malformed. %1").arg(why)};
}

AadError signatureInvalid(const QString& reason)
{
    return {QStringLiteral("invalid_client"), 700027,
            QStringLiteral("Client assertion failed signature validation. [Reason - %1]").arg(reason), 401};
}

bool verifySignature(EVP_PKEY* key, bool pss, QByteArrayView signingInput, QByteArrayView signature)
{
    OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1)
        return false;
    if (pss) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1
            || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)
            return false;
    } else if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        return false;
    }
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            size_t(signature.size()), reinterpret_cast<const unsigned char*>(signingInput.data()),
                            size_t(signingInput.size()))
        == 1;
}

std::optional<qint64> numericDate(const QJsonObject& claims, const QString& name)
{
    const QJsonValue v = claims.value(name);
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (d < 0 || d > 32503680000.0) // year 3000: a sane upper bound before the conversion
        return std::nullopt;
    return qint64(d);
}

QString isoUtc(TimeMs t)
{
    return QDateTime::fromMSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

QByteArray certificateThumbprintSha1(const QByteArray& pem)
{
    return thumbprint(pem, QCryptographicHash::Sha1);
}

QByteArray certificateThumbprintSha256(const QByteArray& pem)
{
    return thumbprint(pem, QCryptographicHash::Sha256);
}

std::variant<VerifiedAssertion, AadError> verifyClientAssertion(const QByteArray& assertion,
                                                                const QList<QByteArray>& certificatePems,
                                                                const AssertionExpectations& expected)
{
    if (assertion.size() > expected.maxBytes)
        return malformed(QStringLiteral("The assertion is too large."));
    const QList<QByteArray> parts = assertion.split('.');
    if (parts.size() != 3)
        return malformed(QStringLiteral("A JWT has three dot-separated parts."));
    auto headerBytes = crypto::base64UrlDecode(parts[0]);
    auto claimBytes = crypto::base64UrlDecode(parts[1]);
    auto signature = crypto::base64UrlDecode(parts[2]);
    if (!headerBytes.ok() || !claimBytes.ok() || !signature.ok())
        return malformed(QStringLiteral("A part is not base64url."));
    QJsonParseError parseError;
    const QJsonDocument headerDoc = QJsonDocument::fromJson(headerBytes.value(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !headerDoc.isObject())
        return malformed(QStringLiteral("The header is not a JSON object."));
    const QJsonDocument claimDoc = QJsonDocument::fromJson(claimBytes.value(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !claimDoc.isObject())
        return malformed(QStringLiteral("The payload is not a JSON object."));
    const QJsonObject header = headerDoc.object();
    const QJsonObject claims = claimDoc.object();

    const QString alg = header.value(QStringLiteral("alg")).toString();
    if (alg != QLatin1String("RS256") && alg != QLatin1String("PS256"))
        return signatureInvalid(QStringLiteral("'%1' is not a supported signature algorithm. Supported signing "
                                               "algorithms are: 'RS256,PS256'.")
                                    .arg(alg.left(16)));

    // Find the certificate by its thumbprint: SHA-256 when given, else SHA-1.
    const bool bySha256 = header.contains(QStringLiteral("x5t#S256"));
    const auto wanted = decodeThumbprint(header.value(bySha256 ? QStringLiteral("x5t#S256") : QStringLiteral("x5t")));
    if (!wanted)
        return signatureInvalid(QStringLiteral("The assertion header names no certificate ('x5t' or 'x5t#S256')."));
    OpenSslPtr<X509> signer;
    QByteArray signerSha1;
    for (const QByteArray& pem : certificatePems) {
        OpenSslPtr<X509> cert = parsePem(pem);
        if (!cert)
            continue;
        const QByteArray der = derOf(cert.get());
        const QByteArray digest
            = QCryptographicHash::hash(der, bySha256 ? QCryptographicHash::Sha256 : QCryptographicHash::Sha1);
        if (crypto::constantTimeEquals(digest, *wanted)) {
            signerSha1 = QCryptographicHash::hash(der, QCryptographicHash::Sha1);
            signer = std::move(cert);
            break;
        }
    }
    if (!signer)
        return signatureInvalid(QStringLiteral("The key was not found., Thumbprint of key used by client: '%1'")
                                    .arg(QString::fromLatin1(wanted->toHex().toUpper())));

    OpenSslPtr<EVP_PKEY> key(X509_get_pubkey(signer.get()));
    if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA || EVP_PKEY_get_bits(key.get()) < 2048)
        return signatureInvalid(QStringLiteral("The certificate's key is not an RSA key of at least 2048 bits."));
    const QByteArray signingInput = parts[0] + '.' + parts[1];
    if (!verifySignature(key.get(), alg == QLatin1String("PS256"), signingInput, signature.value()))
        return signatureInvalid(QStringLiteral("The signature does not verify with the certificate."));

    // The certificate itself must be within its validity period.
    time_t nowSeconds = time_t(expected.now / 1000);
    if (X509_cmp_time(X509_get0_notAfter(signer.get()), &nowSeconds) < 0
        || X509_cmp_time(X509_get0_notBefore(signer.get()), &nowSeconds) > 0)
        return signatureInvalid(QStringLiteral("The key used is expired."));

    // Claims (certificate-credentials.md): iss == sub == client_id, aud = the token endpoint, jti, nbf/exp.
    const QString iss = claims.value(QStringLiteral("iss")).toString();
    const QString sub = claims.value(QStringLiteral("sub")).toString();
    if (iss != sub)
        return AadError {QStringLiteral("invalid_client"), 50048,
                         QStringLiteral("Subject mismatches Issuer claim in the client assertion."), 401};
    if (iss.compare(expected.clientId, Qt::CaseInsensitive) != 0)
        return AadError {
            QStringLiteral("invalid_client"), 700021,
            QStringLiteral("Client assertion application identifier doesn't match 'client_id' "
                           "parameter. Review the documentation at "
                           "https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."),
            401};
    // `aud` may be a string or (RFC 7519 §4.1.3) an array of strings.
    QStringList audiences;
    const QJsonValue aud = claims.value(QStringLiteral("aud"));
    if (aud.isString())
        audiences << aud.toString();
    else if (aud.isArray())
        for (const QJsonValue& v : aud.toArray())
            audiences << v.toString();
    bool audienceOk = false;
    for (const QString& a : audiences)
        for (const QString& accepted : expected.audiences)
            audienceOk = audienceOk || a.compare(accepted, Qt::CaseInsensitive) == 0;
    if (!audienceOk)
        // The code and text of a real answer (microsoft-authentication-library-for-dotnet#2746).
        return AadError {
            QStringLiteral("invalid_client"), 700023,
            QStringLiteral("Client assertion audience claim does not match Realm issuer. Review the "
                           "documentation at "
                           "https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."),
            401};

    const auto exp = numericDate(claims, QStringLiteral("exp"));
    const auto nbf = numericDate(claims, QStringLiteral("nbf"));
    if (!exp)
        return malformed(QStringLiteral("The 'exp' claim is missing or not a number."));
    const TimeMs expMs = *exp * 1000;
    const TimeMs nbfMs = nbf ? *nbf * 1000 : 0;
    if (expected.now > expMs + expected.skewMs || (nbf && expected.now + expected.skewMs < nbfMs))
        // Real Entra answers a client assertion outside its window with AADSTS700024 and this text
        // (microsoft-authentication-library-for-dotnet#4951, Azure/login#180); protocols.md 1.4 lists 500133, the
        // code of a *user* assertion (on-behalf-of) outside its window. See pages/README-identity.md.
        return AadError {QStringLiteral("invalid_client"), 700024,
                         QStringLiteral("Client assertion is not within its valid time range. Current time: %1, "
                                        "assertion valid from %2, expiry time of assertion %3. Review the "
                                        "documentation at "
                                        "https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
                             .arg(isoUtc(expected.now), isoUtc(nbfMs), isoUtc(expMs)),
                         401};

    const QString jti = claims.value(QStringLiteral("jti")).toString();
    if (jti.isEmpty() || jti.size() > 256)
        return malformed(QStringLiteral("The 'jti' claim is missing."));

    return VerifiedAssertion {jti, expMs, signerSha1};
}

} // namespace stint::entrasim
