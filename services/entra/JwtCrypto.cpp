// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/JwtCrypto.h"

#include "core/Json.h"
#include "core/OpenSsl.h"

#include <QList>
#include <ctime>
#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace stint::entra::jwt {
namespace {

OpenSslPtr<BIO> memoryBio(QByteArrayView bytes)
{
    return OpenSslPtr<BIO>(BIO_new_mem_buf(bytes.data(), int(bytes.size())));
}

// Never prompt on a terminal for a passphrase: an encrypted key is simply refused.
int noPassphrase(char*, int, int, void*)
{
    return 0;
}

QByteArray digest(const char* name, QByteArrayView data)
{
    QByteArray out(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int len = 0;
    EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
    const bool ok = md
        && EVP_Digest(data.data(), size_t(data.size()), reinterpret_cast<unsigned char*>(out.data()), &len, md, nullptr)
            == 1;
    EVP_MD_free(md);
    if (!ok)
        std::abort();
    out.truncate(int(len));
    return out;
}

std::optional<TimeMs> asn1ToMs(const ASN1_TIME* time)
{
    struct tm parts = {};
    if (!time || ASN1_TIME_to_tm(time, &parts) != 1)
        return std::nullopt;
    return TimeMs(timegm(&parts)) * 1000;
}

OpenSslPtr<X509> readCertificate(QByteArrayView pem)
{
    auto bio = memoryBio(pem);
    if (!bio)
        return {};
    return OpenSslPtr<X509>(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
}

Result<OpenSslPtr<EVP_PKEY>> readPrivateKey(const crypto::SecretBytes& pem)
{
    auto bio = memoryBio(pem.bytes());
    OpenSslPtr<EVP_PKEY> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
        return makeError(QString::fromLatin1(kBadPrivateKey),
                         QStringLiteral("The private key is not an unencrypted PEM RSA key."));
    return key;
}

// PS256 is RSASSA-PSS with a salt exactly as long as the SHA-256 digest (RFC 7518 §3.5), signing and verifying:
// OpenSSL's "auto" salt length on verification would take any salt, which the JWA does not allow.
bool configurePadding(EVP_PKEY_CTX* pctx, Algorithm algorithm)
{
    if (algorithm == Algorithm::RS256)
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
        && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1
        && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
}

OpenSslPtr<BIGNUM> bignum(const QByteArray& bigEndian)
{
    return OpenSslPtr<BIGNUM>(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(bigEndian.constData()), int(bigEndian.size()), nullptr));
}

} // namespace

Result<CertificateInfo> parseCertificate(QByteArrayView pem)
{
    auto cert = readCertificate(pem);
    if (!cert)
        return makeError(QString::fromLatin1(kBadCertificate), QStringLiteral("Not a PEM X.509 certificate."));
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return makeError(QString::fromLatin1(kBadCertificate),
                         QStringLiteral("The certificate's key is not RSA (Entra signs client assertions with RSA)."));
    CertificateInfo info;
    const int length = i2d_X509(cert.get(), nullptr);
    if (length <= 0)
        return makeError(QString::fromLatin1(kBadCertificate), QStringLiteral("The certificate cannot be encoded."));
    info.der.resize(length);
    auto* out = reinterpret_cast<unsigned char*>(info.der.data());
    i2d_X509(cert.get(), &out);
    info.sha1Thumbprint = digest("SHA1", info.der);
    info.sha256Thumbprint = digest("SHA256", info.der);
    const auto notBefore = asn1ToMs(X509_get0_notBefore(cert.get()));
    const auto notAfter = asn1ToMs(X509_get0_notAfter(cert.get()));
    if (!notBefore || !notAfter)
        return makeError(QString::fromLatin1(kBadCertificate),
                         QStringLiteral("The certificate's validity is unreadable."));
    info.notBefore = *notBefore;
    info.notAfter = *notAfter;
    return info;
}

Result<void> checkKeyMatchesCertificate(QByteArrayView certificatePem, const crypto::SecretBytes& privateKeyPem)
{
    auto cert = readCertificate(certificatePem);
    if (!cert)
        return makeError(QString::fromLatin1(kBadCertificate), QStringLiteral("Not a PEM X.509 certificate."));
    auto key = readPrivateKey(privateKeyPem);
    if (!key)
        return key.error();
    if (X509_check_private_key(cert.get(), key->get()) != 1)
        return makeError(QString::fromLatin1(kBadPrivateKey),
                         QStringLiteral("The private key does not belong to the certificate."));
    return {};
}

Result<QByteArray> sign(Algorithm algorithm, const crypto::SecretBytes& privateKeyPem, QByteArrayView signingInput)
{
    auto key = readPrivateKey(privateKeyPem);
    if (!key)
        return key.error();
    OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr; // owned by ctx
    size_t length = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key->get()) != 1
        || !configurePadding(pctx, algorithm)
        || EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(signingInput.data()),
                          size_t(signingInput.size()))
            != 1)
        return makeError(QString::fromLatin1(kBadPrivateKey), QStringLiteral("The assertion could not be signed."));
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(signingInput.data()), size_t(signingInput.size()))
        != 1)
        return makeError(QString::fromLatin1(kBadPrivateKey), QStringLiteral("The assertion could not be signed."));
    signature.truncate(qsizetype(length));
    return signature;
}

bool verifyWithJwk(Algorithm algorithm, const QJsonObject& jwk, QByteArrayView signingInput, QByteArrayView signature)
{
    if (jwk.value(QStringLiteral("kty")).toString() != QStringLiteral("RSA"))
        return false;
    auto n = crypto::base64UrlDecode(jwk.value(QStringLiteral("n")).toString().toLatin1());
    auto e = crypto::base64UrlDecode(jwk.value(QStringLiteral("e")).toString().toLatin1());
    if (!n || !e || n->size() < 256 || e->isEmpty()) // RSA-2048 at least
        return false;
    auto nBn = bignum(*n);
    auto eBn = bignum(*e);
    OpenSslPtr<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
    if (!nBn || !eBn || !builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, nBn.get()) != 1
        || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, eBn.get()) != 1)
        return false;
    OpenSslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(builder.get()));
    OpenSslPtr<EVP_PKEY_CTX> fromData(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !fromData || EVP_PKEY_fromdata_init(fromData.get()) != 1
        || EVP_PKEY_fromdata(fromData.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return false;
    OpenSslPtr<EVP_PKEY> key(raw);
    OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1
        || !configurePadding(pctx, algorithm))
        return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            size_t(signature.size()), reinterpret_cast<const unsigned char*>(signingInput.data()),
                            size_t(signingInput.size()))
        == 1;
}

Result<DecodedJwt> decode(QByteArrayView compact)
{
    const auto malformed = [](const QString& why) {
        return makeError(QString::fromLatin1(kMalformedJwt), QStringLiteral("Malformed JWT: %1.").arg(why));
    };
    if (compact.size() > 64 * 1024)
        return malformed(QStringLiteral("too large"));
    const QList<QByteArray> parts = compact.toByteArray().split('.');
    if (parts.size() != 3)
        return malformed(QStringLiteral("not three segments"));
    auto header = crypto::base64UrlDecode(parts[0]);
    auto payload = crypto::base64UrlDecode(parts[1]);
    auto signature = crypto::base64UrlDecode(parts[2]);
    if (!header || !payload || !signature)
        return malformed(QStringLiteral("a segment is not base64url"));
    auto headerObject = json::parseObject(*header, 16 * 1024);
    auto payloadObject = json::parseObject(*payload, 48 * 1024);
    if (!headerObject || !payloadObject)
        return malformed(QStringLiteral("a segment is not a JSON object"));
    DecodedJwt out;
    out.header = *headerObject;
    out.payload = *payloadObject;
    out.signingInput = parts[0] + '.' + parts[1];
    out.signature = *signature;
    return out;
}

Result<GeneratedCertificate> generateSelfSignedCertificate(const QString& commonName, TimeMs now, int days)
{
    const auto failed = [] {
        return makeError(QStringLiteral("entra.certificate_generation"),
                         QStringLiteral("Could not make a certificate."));
    };
    OpenSslPtr<EVP_PKEY> key(EVP_RSA_gen(2048));
    OpenSslPtr<X509> cert(X509_new());
    if (!key || !cert)
        return failed();
    const QByteArray serial = crypto::randomBytes(16);
    auto serialBn = bignum(serial);
    ASN1_INTEGER* serialAsn1 = BN_to_ASN1_INTEGER(serialBn.get(), nullptr);
    const QByteArray cn = commonName.toUtf8();
    X509_NAME* name = X509_get_subject_name(cert.get());
    const bool ok = serialAsn1 && X509_set_version(cert.get(), 2) == 1
        && X509_set_serialNumber(cert.get(), serialAsn1) == 1
        && ASN1_TIME_set(X509_getm_notBefore(cert.get()), time_t(now / 1000)) != nullptr
        && ASN1_TIME_set(X509_getm_notAfter(cert.get()), time_t(now / 1000) + time_t(days) * 86400) != nullptr
        && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.constData()),
                                      int(cn.size()), -1, 0)
            == 1
        && X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), key.get()) == 1
        && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
    ASN1_INTEGER_free(serialAsn1);
    if (!ok)
        return failed();
    auto certBio = OpenSslPtr<BIO>(BIO_new(BIO_s_mem()));
    auto keyBio = OpenSslPtr<BIO>(BIO_new(BIO_s_mem()));
    if (!certBio || !keyBio || PEM_write_bio_X509(certBio.get(), cert.get()) != 1
        || PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return failed();
    const auto drain = [](BIO* bio) {
        char* data = nullptr;
        const long length = BIO_get_mem_data(bio, &data);
        return QByteArray(data, qsizetype(length));
    };
    GeneratedCertificate out;
    out.certificatePem = drain(certBio.get());
    QByteArray keyPem = drain(keyBio.get());
    out.privateKeyPem = crypto::SecretBytes(std::move(keyPem));
    return out;
}

} // namespace stint::entra::jwt
