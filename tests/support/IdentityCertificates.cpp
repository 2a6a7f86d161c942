// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/IdentityCertificates.h"

#include "core/OpenSsl.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QUuid>
#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace stint::test {

namespace {

QByteArray bioBytes(BIO* bio)
{
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return length > 0 ? QByteArray(data, length) : QByteArray();
}

QByteArray b64(const QByteArray& bytes)
{
    return crypto::base64UrlEncode(bytes);
}

} // namespace

TestCertificate TestCertificate::generate(const QString& commonName, TimeMs notBefore, TimeMs notAfter, int bits)
{
    TestCertificate out;
    OpenSslPtr<EVP_PKEY> key(EVP_RSA_gen(unsigned(bits)));
    OpenSslPtr<X509> cert(X509_new());
    if (!key || !cert)
        return out;
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set_int64(X509_get_serialNumber(cert.get()), qint64(QDateTime::currentMSecsSinceEpoch() & 0x7fffffff));
    ASN1_TIME_set(X509_getm_notBefore(cert.get()), time_t(notBefore / 1000));
    ASN1_TIME_set(X509_getm_notAfter(cert.get()), time_t(notAfter / 1000));
    X509_NAME* name = X509_get_subject_name(cert.get());
    const QByteArray cn = commonName.toUtf8();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.constData()),
                               int(cn.size()), -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key.get());
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        return out;

    OpenSslPtr<BIO> certBio(BIO_new(BIO_s_mem()));
    OpenSslPtr<BIO> keyBio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(certBio.get(), cert.get()) != 1
        || PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return out;
    out.certificatePem = bioBytes(certBio.get());
    out.privateKeyPem = crypto::SecretBytes(bioBytes(keyBio.get()));

    unsigned char* der = nullptr;
    const int length = i2d_X509(cert.get(), &der);
    const QByteArray derBytes(reinterpret_cast<const char*>(der), length);
    OPENSSL_free(der);
    out.thumbprintSha1 = b64(QCryptographicHash::hash(derBytes, QCryptographicHash::Sha1));
    out.thumbprintSha256 = b64(QCryptographicHash::hash(derBytes, QCryptographicHash::Sha256));
    return out;
}

QJsonObject clientAssertionClaims(const QString& clientId, const QString& audience, TimeMs now)
{
    const qint64 seconds = now / 1000;
    return QJsonObject {{QStringLiteral("aud"), audience},
                        {QStringLiteral("iss"), clientId},
                        {QStringLiteral("sub"), clientId},
                        {QStringLiteral("jti"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                        {QStringLiteral("nbf"), seconds},
                        {QStringLiteral("iat"), seconds},
                        {QStringLiteral("exp"), seconds + 600}};
}

QJsonObject clientAssertionHeader(const TestCertificate& certificate, AssertionAlgorithm algorithm)
{
    if (algorithm == AssertionAlgorithm::PS256)
        return QJsonObject {{QStringLiteral("alg"), QStringLiteral("PS256")},
                            {QStringLiteral("typ"), QStringLiteral("JWT")},
                            {QStringLiteral("x5t#S256"), QString::fromLatin1(certificate.thumbprintSha256)}};
    return QJsonObject {{QStringLiteral("alg"), QStringLiteral("RS256")},
                        {QStringLiteral("typ"), QStringLiteral("JWT")},
                        {QStringLiteral("x5t"), QString::fromLatin1(certificate.thumbprintSha1)}};
}

QByteArray signClientAssertion(const TestCertificate& certificate, const QJsonObject& header, const QJsonObject& claims)
{
    const QByteArray& pem = certificate.privateKeyPem.bytes();
    OpenSslPtr<BIO> bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    OpenSslPtr<EVP_PKEY> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                                                : nullptr);
    if (!key)
        return {};
    const QByteArray input = b64(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1)
        return {};
    if (header.value(QStringLiteral("alg")).toString() == QLatin1String("PS256")) {
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
            return {};
    }
    size_t length = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(input.constData());
    if (EVP_DigestSign(ctx.get(), nullptr, &length, data, size_t(input.size())) != 1)
        return {};
    QByteArray signature(qsizetype(length), '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                       size_t(input.size()))
        != 1)
        return {};
    signature.resize(qsizetype(length));
    return input + '.' + b64(signature);
}

} // namespace stint::test
