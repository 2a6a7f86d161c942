// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/PublicKey.h"

#include "core/Cbor.h"
#include "core/OpenSsl.h"

#include <QCborMap>
#include <QCborValue>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace stint::crypto {

namespace {

// COSE labels (RFC 9052 §7.1, RFC 9053 §7, RFC 8230 §4).
constexpr qint64 kLabelKty = 1;
constexpr qint64 kLabelKid = 2;
constexpr qint64 kLabelAlg = 3;
constexpr qint64 kLabelKeyOps = 4;
constexpr qint64 kLabelBaseIv = 5;
constexpr qint64 kLabelCrv = -1; // EC2/OKP; for RSA -1 is n
constexpr qint64 kLabelX = -2;   // EC2/OKP; for RSA -2 is e
constexpr qint64 kLabelY = -3;   // EC2; for RSA -3 is the private exponent d

constexpr qint64 kKtyOkp = 1;
constexpr qint64 kKtyEc2 = 2;
constexpr qint64 kKtyRsa = 3;
constexpr qint64 kCrvP256 = 1;
constexpr qint64 kCrvX25519 = 4;
constexpr qint64 kCrvX448 = 5;
constexpr qint64 kCrvEd25519 = 6;
constexpr qint64 kCrvEd448 = 7;

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384; // OpenSSL's own verification limit (OPENSSL_RSA_MAX_MODULUS_BITS)
constexpr int kMaxRsaExponentBits = 64;

constexpr auto kFidoAaguidOid = "1.3.6.1.4.1.45724.1.1.4";

Error malformedKey(const QString& why)
{
    return makeError(QString::fromLatin1(kCoseMalformedKey), QStringLiteral("Malformed COSE key: %1.").arg(why));
}

Error unsupportedAlgorithm(const QString& why)
{
    return makeError(QString::fromLatin1(kCoseUnsupportedAlgorithm),
                     QStringLiteral("Unsupported COSE algorithm: %1.").arg(why));
}

Error weakKey(int bits)
{
    return makeError(QString::fromLatin1(kCoseWeakKey),
                     QStringLiteral("The RSA key has %1 bits; at least %2 are required.").arg(bits).arg(kMinRsaBits));
}

Error malformedCertificate(const QString& why)
{
    return makeError(QString::fromLatin1(kX509Malformed), QStringLiteral("Malformed certificate: %1.").arg(why));
}

const unsigned char* bytesOf(QByteArrayView v)
{
    return reinterpret_cast<const unsigned char*>(v.data());
}

Result<OpenSslPtr<EVP_PKEY>> pkeyFromParams(const char* type, OSSL_PARAM_BLD* bld)
{
    OpenSslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
    OpenSslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return malformedKey(QStringLiteral("OpenSSL rejected the key parameters"));
    return OpenSslPtr<EVP_PKEY>(raw);
}

Result<OpenSslPtr<EVP_PKEY>> ec2Key(const QByteArray& x, const QByteArray& y)
{
    if (x.size() != 32 || y.size() != 32)
        return malformedKey(QStringLiteral("P-256 coordinates must be 32 bytes each"));
    const QByteArray point = QByteArray(1, '\x04') + x + y; // SEC 1 uncompressed point
    OpenSslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                            size_t(point.size()))
            != 1)
        return malformedKey(QStringLiteral("cannot build the key parameters"));
    auto key = pkeyFromParams("EC", bld.get());
    if (!key)
        return malformedKey(QStringLiteral("the point is not on P-256"));
    // Belt and braces: point on the curve, not at infinity, in the prime-order subgroup.
    OpenSslPtr<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return malformedKey(QStringLiteral("the point is not a valid P-256 public key"));
    return key;
}

Result<OpenSslPtr<EVP_PKEY>> ed25519Key(const QByteArray& x)
{
    if (x.size() != 32)
        return malformedKey(QStringLiteral("an Ed25519 public key is 32 bytes"));
    OpenSslPtr<EVP_PKEY> key(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, bytesOf(x), size_t(x.size())));
    if (!key)
        return malformedKey(QStringLiteral("OpenSSL rejected the Ed25519 key"));
    return key;
}

Result<void> checkRsaSize(int bits)
{
    if (bits < kMinRsaBits)
        return weakKey(bits);
    if (bits > kMaxRsaBits)
        return malformedKey(QStringLiteral("the RSA modulus is larger than %1 bits").arg(kMaxRsaBits));
    return {};
}

Result<OpenSslPtr<EVP_PKEY>> rsaKey(const QByteArray& n, const QByteArray& e)
{
    if (n.isEmpty() || e.isEmpty() || n.size() > kMaxRsaBits / 8 + 1 || e.size() > kMaxRsaExponentBits / 8)
        return malformedKey(QStringLiteral("RSA parameters have impossible sizes"));
    OpenSslPtr<BIGNUM> bn(BN_bin2bn(bytesOf(n), int(n.size()), nullptr));
    OpenSslPtr<BIGNUM> be(BN_bin2bn(bytesOf(e), int(e.size()), nullptr));
    if (!bn || !be)
        return malformedKey(QStringLiteral("cannot read the RSA parameters"));
    STINT_TRY(checkRsaSize(BN_num_bits(bn.get())));
    if (!BN_is_odd(bn.get()))
        return malformedKey(QStringLiteral("the RSA modulus is even"));
    if (!BN_is_odd(be.get()) || BN_is_one(be.get()))
        return malformedKey(QStringLiteral("the RSA public exponent must be odd and greater than 1"));
    OpenSslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn.get()) != 1
        || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, be.get()) != 1)
        return malformedKey(QStringLiteral("cannot build the key parameters"));
    return pkeyFromParams("RSA", bld.get());
}

// Reads a byte-string parameter; absent → empty optional, wrong type → error.
Result<std::optional<QByteArray>> bytesParam(const QCborMap& map, qint64 label)
{
    const QCborValue v = map.value(label);
    if (v.isUndefined())
        return std::optional<QByteArray>();
    if (!v.isByteArray())
        return malformedKey(QStringLiteral("parameter %1 must be a byte string").arg(label));
    return std::optional<QByteArray>(v.toByteArray());
}

Result<QByteArray> requiredBytes(const QCborMap& map, qint64 label)
{
    auto v = bytesParam(map, label);
    if (!v)
        return v.error();
    if (!v->has_value())
        return malformedKey(QStringLiteral("parameter %1 is missing").arg(label));
    return std::move(**v);
}

Result<qint64> requiredInt(const QCborMap& map, qint64 label)
{
    const QCborValue v = map.value(label);
    if (v.isUndefined())
        return malformedKey(QStringLiteral("parameter %1 is missing").arg(label));
    if (!v.isInteger())
        return malformedKey(QStringLiteral("parameter %1 must be an integer").arg(label));
    return v.toInteger();
}

// Labels allowed for a key type besides the common ones; anything else (notably private parameters) is rejected.
bool isAllowedLabel(qint64 kty, qint64 label)
{
    if (label == kLabelKty || label == kLabelKid || label == kLabelAlg || label == kLabelKeyOps
        || label == kLabelBaseIv)
        return true;
    switch (kty) {
    case kKtyEc2:
        return label == kLabelCrv || label == kLabelX || label == kLabelY;
    case kKtyOkp:
        return label == kLabelCrv || label == kLabelX;
    case kKtyRsa:
        return label == -1 || label == -2; // n, e
    default:
        return false;
    }
}

std::optional<int> rsaBits(EVP_PKEY* key)
{
    int bits = 0;
    if (EVP_PKEY_get_int_param(key, OSSL_PKEY_PARAM_BITS, &bits) != 1)
        return std::nullopt;
    return bits;
}

} // namespace

std::optional<CoseAlgorithm> coseAlgorithmFromInt(qint64 alg)
{
    switch (alg) {
    case qint64(CoseAlgorithm::ES256):
        return CoseAlgorithm::ES256;
    case qint64(CoseAlgorithm::EdDSA):
        return CoseAlgorithm::EdDSA;
    case qint64(CoseAlgorithm::RS256):
        return CoseAlgorithm::RS256;
    default:
        return std::nullopt;
    }
}

struct PublicKey::Impl
{
    OpenSslPtr<EVP_PKEY> key;
};

PublicKey::PublicKey(std::shared_ptr<const Impl> impl, CoseAlgorithm algorithm)
    : m_impl(std::move(impl))
    , m_algorithm(algorithm)
{
}

Result<PublicKey> PublicKey::fromCose(QByteArrayView cbor)
{
    auto decoded = cbor::decodeExactly(cbor);
    if (!decoded)
        return malformedKey(decoded.error().message);
    if (!decoded->isMap())
        return malformedKey(QStringLiteral("not a CBOR map"));
    return fromCoseMap(decoded->toMap());
}

Result<PublicKey> PublicKey::fromCoseMap(const QCborMap& map)
{
    if (map.size() > 16)
        return malformedKey(QStringLiteral("too many parameters"));
    auto kty = requiredInt(map, kLabelKty);
    if (!kty)
        return kty.error();
    auto algValue = requiredInt(map, kLabelAlg);
    if (!algValue)
        return algValue.error();
    const auto alg = coseAlgorithmFromInt(*algValue);
    if (!alg)
        return unsupportedAlgorithm(QString::number(*algValue));

    QList<qint64> labels;
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        if (!it.key().isInteger())
            return malformedKey(QStringLiteral("labels must be integers"));
        const qint64 label = it.key().toInteger();
        if (labels.contains(label))
            return malformedKey(QStringLiteral("duplicate label %1").arg(label));
        labels.append(label);
        if (!isAllowedLabel(*kty, label))
            return malformedKey(QStringLiteral("unexpected label %1 for key type %2 (private keys are refused)")
                                    .arg(label)
                                    .arg(*kty));
    }
    if (map.contains(kLabelKid) && !map.value(kLabelKid).isByteArray())
        return malformedKey(QStringLiteral("kid must be a byte string"));

    OpenSslPtr<EVP_PKEY> key;
    switch (*alg) {
    case CoseAlgorithm::ES256: {
        if (*kty != kKtyEc2)
            return malformedKey(QStringLiteral("ES256 needs an EC2 key"));
        auto crv = requiredInt(map, kLabelCrv);
        if (!crv)
            return crv.error();
        if (*crv != kCrvP256)
            return malformedKey(QStringLiteral("ES256 needs the P-256 curve"));
        auto x = requiredBytes(map, kLabelX);
        if (!x)
            return x.error();
        if (!map.value(kLabelY).isByteArray()) // a boolean y (point compression) is not allowed in WebAuthn
            return malformedKey(QStringLiteral("y must be a byte string"));
        auto made = ec2Key(*x, map.value(kLabelY).toByteArray());
        if (!made)
            return made.error();
        key = std::move(*made);
        break;
    }
    case CoseAlgorithm::EdDSA: {
        if (*kty != kKtyOkp)
            return malformedKey(QStringLiteral("EdDSA needs an OKP key"));
        auto crv = requiredInt(map, kLabelCrv);
        if (!crv)
            return crv.error();
        if (*crv == kCrvEd448)
            return unsupportedAlgorithm(QStringLiteral("EdDSA with Ed448"));
        if (*crv != kCrvEd25519)
            return malformedKey(*crv == kCrvX25519 || *crv == kCrvX448
                                    ? QStringLiteral("an ECDH curve cannot sign")
                                    : QStringLiteral("unknown OKP curve"));
        auto x = requiredBytes(map, kLabelX);
        if (!x)
            return x.error();
        auto made = ed25519Key(*x);
        if (!made)
            return made.error();
        key = std::move(*made);
        break;
    }
    case CoseAlgorithm::RS256: {
        if (*kty != kKtyRsa)
            return malformedKey(QStringLiteral("RS256 needs an RSA key"));
        auto n = requiredBytes(map, -1);
        if (!n)
            return n.error();
        auto e = requiredBytes(map, -2);
        if (!e)
            return e.error();
        auto made = rsaKey(*n, *e);
        if (!made)
            return made.error();
        key = std::move(*made);
        break;
    }
    }
    auto impl = std::make_shared<Impl>();
    impl->key = std::move(key);
    return PublicKey(std::move(impl), *alg);
}

bool PublicKey::verify(QByteArrayView message, QByteArrayView signature) const
{
    if (!m_impl || !m_impl->key || signature.isEmpty())
        return false;
    OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (!ctx)
        return false;
    EVP_PKEY_CTX* pctx = nullptr; // owned by ctx
    // Ed25519 is a one-shot algorithm over the whole message: no digest name.
    const char* digest = m_algorithm == CoseAlgorithm::EdDSA ? nullptr : "SHA256";
    if (EVP_DigestVerifyInit_ex(ctx.get(), &pctx, digest, nullptr, nullptr, m_impl->key.get(), nullptr) != 1)
        return false;
    if (m_algorithm == CoseAlgorithm::RS256 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
        return false;
    // ES256: OpenSSL parses the DER ECDSA-Sig-Value strictly (it re-encodes and compares), so BER variants fail.
    return EVP_DigestVerify(ctx.get(), bytesOf(signature), size_t(signature.size()), bytesOf(message),
                            size_t(message.size()))
        == 1;
}

QByteArray PublicKey::spkiDer() const
{
    if (!m_impl || !m_impl->key)
        return {};
    unsigned char* out = nullptr;
    const int len = i2d_PUBKEY(m_impl->key.get(), &out);
    if (len <= 0)
        return {};
    OpenSslPtr<unsigned char> owned(out);
    return QByteArray(reinterpret_cast<const char*>(owned.get()), len);
}

namespace {

// The value of a subject attribute, or empty when absent, repeated or not convertible to UTF-8.
QString subjectAttribute(const X509_NAME* name, int nid)
{
    const int index = X509_NAME_get_index_by_NID(name, nid, -1);
    if (index < 0 || X509_NAME_get_index_by_NID(name, nid, index) >= 0)
        return {};
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0)
        return {};
    OpenSslPtr<unsigned char> owned(utf8);
    return QString::fromUtf8(reinterpret_cast<const char*>(owned.get()), len);
}

} // namespace

Result<Certificate> Certificate::fromDer(QByteArrayView der)
{
    if (der.isEmpty())
        return malformedCertificate(QStringLiteral("empty"));
    const unsigned char* p = bytesOf(der);
    OpenSslPtr<X509> x509(d2i_X509(nullptr, &p, long(der.size())));
    if (!x509)
        return malformedCertificate(QStringLiteral("not a DER X.509 certificate"));
    if (p != bytesOf(der) + der.size())
        return malformedCertificate(QStringLiteral("trailing bytes"));
    // Computes the cached extension flags; EXFLAG_INVALID covers duplicate and undecodable known extensions.
    if (X509_get_extension_flags(x509.get()) & EXFLAG_INVALID)
        return malformedCertificate(QStringLiteral("invalid or duplicate extensions"));

    Certificate cert;
    cert.m_version = int(X509_get_version(x509.get())) + 1;

    int critical = -1;
    OpenSslPtr<BASIC_CONSTRAINTS> bc(
        static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(x509.get(), NID_basic_constraints, &critical, nullptr)));
    if (!bc && critical != -1)
        return malformedCertificate(QStringLiteral("invalid basic constraints"));
    cert.m_hasBasicConstraints = bool(bc);
    cert.m_isCa = bc && bc->ca;

    const X509_NAME* subject = X509_get_subject_name(x509.get());
    if (!subject)
        return malformedCertificate(QStringLiteral("no subject"));
    cert.m_subjectCountry = subjectAttribute(subject, NID_countryName);
    cert.m_subjectOrganization = subjectAttribute(subject, NID_organizationName);
    cert.m_subjectOrganizationalUnit = subjectAttribute(subject, NID_organizationalUnitName);
    cert.m_subjectCommonName = subjectAttribute(subject, NID_commonName);

    OpenSslPtr<ASN1_OBJECT> aaguidOid(OBJ_txt2obj(kFidoAaguidOid, 1));
    if (!aaguidOid)
        return malformedCertificate(QStringLiteral("cannot make the AAGUID OID"));
    const int aaguidIndex = X509_get_ext_by_OBJ(x509.get(), aaguidOid.get(), -1);
    if (aaguidIndex >= 0) {
        if (X509_get_ext_by_OBJ(x509.get(), aaguidOid.get(), aaguidIndex) >= 0)
            return malformedCertificate(QStringLiteral("repeated AAGUID extension"));
        X509_EXTENSION* ext = X509_get_ext(x509.get(), aaguidIndex);
        const ASN1_OCTET_STRING* outer = X509_EXTENSION_get_data(ext);
        // extnValue is an OCTET STRING wrapping the DER of another OCTET STRING holding the 16-byte AAGUID.
        const unsigned char* q = ASN1_STRING_get0_data(outer);
        const long outerLen = ASN1_STRING_length(outer);
        const unsigned char* end = q + outerLen;
        OpenSslPtr<ASN1_OCTET_STRING> inner(d2i_ASN1_OCTET_STRING(nullptr, &q, outerLen));
        if (!inner || q != end || ASN1_STRING_length(inner.get()) != 16)
            return malformedCertificate(QStringLiteral("the AAGUID extension is not a 16-byte OCTET STRING"));
        cert.m_fidoAaguid = QByteArray(reinterpret_cast<const char*>(ASN1_STRING_get0_data(inner.get())), 16);
        cert.m_fidoAaguidCritical = X509_EXTENSION_get_critical(ext) != 0;
    }

    EVP_PKEY* key = X509_get0_pubkey(x509.get());
    if (!key || EVP_PKEY_up_ref(key) != 1)
        return malformedCertificate(QStringLiteral("unreadable public key"));
    auto impl = std::make_shared<PublicKey::Impl>();
    impl->key = OpenSslPtr<EVP_PKEY>(key);
    cert.m_key = std::move(impl);
    return cert;
}

Result<PublicKey> Certificate::publicKey(CoseAlgorithm algorithm) const
{
    EVP_PKEY* key = m_key ? m_key->key.get() : nullptr;
    const auto mismatch = [&](const QString& why) {
        return makeError(QString::fromLatin1(kX509KeyMismatch),
                         QStringLiteral("The certificate's key does not fit COSE algorithm %1: %2.")
                             .arg(int(algorithm))
                             .arg(why));
    };
    if (!key)
        return mismatch(QStringLiteral("no key"));
    switch (algorithm) {
    case CoseAlgorithm::ES256: {
        char group[64] = {};
        size_t len = 0;
        if (!EVP_PKEY_is_a(key, "EC") || EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1
            || qstrcmp(group, "prime256v1") != 0)
            return mismatch(QStringLiteral("not a P-256 key"));
        break;
    }
    case CoseAlgorithm::EdDSA:
        if (!EVP_PKEY_is_a(key, "ED25519"))
            return mismatch(QStringLiteral("not an Ed25519 key"));
        break;
    case CoseAlgorithm::RS256: {
        if (!EVP_PKEY_is_a(key, "RSA")) // plain rsaEncryption keys only, not RSA-PSS-restricted ones
            return mismatch(QStringLiteral("not an RSA key"));
        const auto bits = rsaBits(key);
        if (!bits)
            return mismatch(QStringLiteral("unreadable RSA key"));
        STINT_TRY(checkRsaSize(*bits));
        break;
    }
    }
    return PublicKey(m_key, algorithm);
}

} // namespace stint::crypto
