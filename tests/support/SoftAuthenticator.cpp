// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/SoftAuthenticator.h"

#include <QCborMap>
#include <QCborValue>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

namespace {
QString b64(const QByteArray& b)
{
    return QString::fromLatin1(b.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray unb64(const QString& s)
{
    return QByteArray::fromBase64(s.toLatin1(), QByteArray::Base64UrlEncoding);
}

QByteArray bigEndian32(quint32 v)
{
    QByteArray out(4, '\0');
    for (int i = 0; i < 4; ++i)
        out[i] = char((v >> (24 - 8 * i)) & 0xff);
    return out;
}

QByteArray coordinate(EVP_PKEY* key, const char* name)
{
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key, name, &bn);
    QByteArray out(32, '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), 32);
    BN_free(bn);
    return out;
}
} // namespace

struct SoftAuthenticator::Key
{
    EVP_PKEY* pkey = nullptr;
    ~Key() { EVP_PKEY_free(pkey); }
};

SoftAuthenticator::SoftAuthenticator(QString origin, QString rpId)
    : m_key(std::make_unique<Key>())
    , m_origin(std::move(origin))
    , m_rpId(std::move(rpId))
{
    m_key->pkey = EVP_EC_gen("P-256");
}

SoftAuthenticator::~SoftAuthenticator() = default;

QByteArray SoftAuthenticator::clientData(const QString& type, const QString& challenge) const
{
    // Member order as browsers serialize it (protocols.md 5.1).
    return QStringLiteral(R"({"type":"%1","challenge":"%2","origin":"%3","crossOrigin":false})")
        .arg(type, challenge, m_origin)
        .toUtf8();
}

QByteArray SoftAuthenticator::authenticatorData(bool attested) const
{
    QByteArray data = QCryptographicHash::hash(m_rpId.toUtf8(), QCryptographicHash::Sha256);
    quint8 flags = 0x01; // UP
    if (m_userVerified)
        flags |= 0x04;
    if (attested)
        flags |= 0x40;
    data.append(char(flags));
    data.append(bigEndian32(m_signCount));
    if (attested) {
        data.append(m_aaguid);
        data.append(char(m_credentialId.size() >> 8));
        data.append(char(m_credentialId.size() & 0xff));
        data.append(m_credentialId);
        QCborMap cose; // canonical order: 1, 3, -1, -2, -3
        cose.insert(1, 2);
        cose.insert(3, -7);
        cose.insert(-1, 1);
        cose.insert(-2, coordinate(m_key->pkey, OSSL_PKEY_PARAM_EC_PUB_X));
        cose.insert(-3, coordinate(m_key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y));
        data.append(cose.toCborValue().toCbor());
    }
    return data;
}

QByteArray SoftAuthenticator::sign(const QByteArray& message) const
{
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, m_key->pkey);
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(message.constData()), size_t(message.size()));
    QByteArray sig(int(len), '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(message.constData()), size_t(message.size()));
    EVP_MD_CTX_free(ctx);
    sig.resize(int(len));
    return sig;
}

QJsonObject SoftAuthenticator::create(const QJsonObject& options)
{
    m_credentialId = QByteArray(32, '\0');
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(m_credentialId.data()), 8);
    m_userHandle = unb64(options.value(QLatin1String("user")).toObject().value(QLatin1String("id")).toString());
    const QByteArray cdj = clientData(QStringLiteral("webauthn.create"), options.value(QLatin1String("challenge")).toString());
    QCborMap attestation; // canonical order: fmt, attStmt, authData
    attestation.insert(QStringLiteral("fmt"), QStringLiteral("none"));
    attestation.insert(QStringLiteral("attStmt"), QCborMap());
    attestation.insert(QStringLiteral("authData"), authenticatorData(true));
    return {{QStringLiteral("id"), b64(m_credentialId)},
            {QStringLiteral("rawId"), b64(m_credentialId)},
            {QStringLiteral("type"), QStringLiteral("public-key")},
            {QStringLiteral("response"),
             QJsonObject{{QStringLiteral("clientDataJSON"), b64(cdj)},
                         {QStringLiteral("attestationObject"), b64(attestation.toCborValue().toCbor())}}}};
}

QJsonObject SoftAuthenticator::get(const QJsonObject& options)
{
    ++m_signCount;
    const QByteArray cdj = clientData(QStringLiteral("webauthn.get"), options.value(QLatin1String("challenge")).toString());
    const QByteArray authData = authenticatorData(false);
    const QByteArray sig = sign(authData + QCryptographicHash::hash(cdj, QCryptographicHash::Sha256));
    return {{QStringLiteral("id"), b64(m_credentialId)},
            {QStringLiteral("rawId"), b64(m_credentialId)},
            {QStringLiteral("type"), QStringLiteral("public-key")},
            {QStringLiteral("response"),
             QJsonObject{{QStringLiteral("clientDataJSON"), b64(cdj)},
                         {QStringLiteral("authenticatorData"), b64(authData)},
                         {QStringLiteral("signature"), b64(sig)},
                         {QStringLiteral("userHandle"), b64(m_userHandle)}}}};
}
