// SPDX-License-Identifier: GPL-3.0-or-later
#include "AccessTokens.h"

#include "core/Crypto.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace stint::entrasim {

struct AccessTokens::Key
{
    EVP_PKEY* pkey = nullptr;
    ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

QByteArray bnParam(EVP_PKEY* pkey, const char* name)
{
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        return {};
    QByteArray out(BN_num_bytes(bn), Qt::Uninitialized);
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
}

QByteArray b64(const QByteArray& data)
{
    return crypto::base64UrlEncode(data);
}

} // namespace

AccessTokens::AccessTokens()
    : m_key(std::make_unique<Key>())
{
    m_key->pkey = EVP_RSA_gen(2048);
    Q_ASSERT(m_key->pkey);
    const QByteArray n = bnParam(m_key->pkey, OSSL_PKEY_PARAM_RSA_N);
    // Like Entra's kids: an opaque base64url string derived from the key.
    m_kid = QString::fromLatin1(b64(crypto::sha256(n).left(20)));
}

AccessTokens::~AccessTokens() = default;

QByteArray AccessTokens::sign(const QJsonObject& header, const QJsonObject& payload) const
{
    const QByteArray signingInput = b64(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + b64(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t length = 0;
    QByteArray signature;
    if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, m_key->pkey) == 1
        && EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(signingInput.constData()),
                          size_t(signingInput.size()))
            == 1) {
        signature.resize(qsizetype(length));
        if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                           reinterpret_cast<const unsigned char*>(signingInput.constData()),
                           size_t(signingInput.size()))
            != 1)
            signature.clear();
        signature.resize(qsizetype(length));
    }
    EVP_MD_CTX_free(ctx);
    return signingInput + '.' + b64(signature);
}

QByteArray AccessTokens::issueAppToken(const AppTokenRequest& request, TimeMs now)
{
    const qint64 iat = now / 1000;
    const QString uti = QString::fromLatin1(b64(crypto::randomBytes(16)));
    m_serialByUti.insert(uti, m_nextSerial++);
    const QJsonObject header {{"typ", "JWT"}, {"alg", "RS256"}, {"x5t", m_kid}, {"kid", m_kid}};
    QJsonObject payload {
        {"aud", kGraphAudience},
        {"iss", QStringLiteral("https://sts.windows.net/%1/").arg(request.tenantId)},
        {"iat", iat},
        {"nbf", iat},
        {"exp", iat + m_lifetimeSeconds},
        {"aio", QString::fromLatin1(b64(crypto::randomBytes(24)))},
        {"app_displayname", QJsonValue::Null},
        {"appid", request.appId},
        {"appidacr", QString::number(request.clientAuthentication)},
        {"azp", request.appId},
        {"azpacr", QString::number(request.clientAuthentication)},
        {"idp", QStringLiteral("https://sts.windows.net/%1/").arg(request.tenantId)},
        {"idtyp", "app"},
        {"oid", request.servicePrincipalId},
        {"rh", "0.AAAA."},
        {"roles", QJsonArray::fromStringList(request.roles)},
        {"sub", request.servicePrincipalId},
        {"tid", request.tenantId},
        {"uti", uti},
        {"ver", "1.0"},
    };
    payload.remove(QStringLiteral("app_displayname"));
    return sign(header, payload);
}

Result<TokenClaims> AccessTokens::verify(QByteArrayView jwt, TimeMs now) const
{
    if (jwt.isEmpty())
        return makeError(QString::fromLatin1(kTokenEmpty), QStringLiteral("Access token is empty."));
    const QByteArray text = jwt.toByteArray();
    const QList<QByteArray> parts = text.split('.');
    const auto malformed = [] {
        return makeError(QString::fromLatin1(kTokenMalformed),
                         QStringLiteral("CompactToken parsing failed with error code: 80049217"));
    };
    if (parts.size() != 3 || text.size() > 16 * 1024)
        return malformed();
    const auto headerBytes = crypto::base64UrlDecode(parts[0]);
    const auto payloadBytes = crypto::base64UrlDecode(parts[1]);
    const auto signature = crypto::base64UrlDecode(parts[2]);
    if (!headerBytes || !payloadBytes || !signature)
        return malformed();
    const QJsonDocument header = QJsonDocument::fromJson(*headerBytes);
    const QJsonDocument payloadDoc = QJsonDocument::fromJson(*payloadBytes);
    if (!header.isObject() || !payloadDoc.isObject())
        return malformed();
    const auto invalid
        = [] { return makeError(QString::fromLatin1(kTokenInvalid), QStringLiteral("Invalid signature.")); };
    if (header.object().value("alg").toString() != QLatin1String("RS256")
        || header.object().value("kid").toString() != m_kid)
        return invalid();

    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const QByteArray signingInput = parts[0] + '.' + parts[1];
    const bool good = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, m_key->pkey) == 1
        && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature->constData()),
                            size_t(signature->size()), reinterpret_cast<const unsigned char*>(signingInput.constData()),
                            size_t(signingInput.size()))
            == 1;
    EVP_MD_CTX_free(ctx);
    if (!good)
        return invalid();

    const QJsonObject p = payloadDoc.object();
    TokenClaims c;
    c.payload = p;
    c.tenantId = p.value("tid").toString();
    c.appId = p.value("appid").toString();
    c.objectId = p.value("oid").toString();
    c.uti = p.value("uti").toString();
    c.appidacr = p.value("appidacr").toString().toInt();
    for (const QJsonValue& r : p.value("roles").toArray())
        c.roles.append(r.toString());
    c.issuedAt = qint64(p.value("iat").toDouble()) * 1000;
    c.notBefore = qint64(p.value("nbf").toDouble()) * 1000;
    c.expiresAt = qint64(p.value("exp").toDouble()) * 1000;
    if (p.value("aud").toString() != kGraphAudience && p.value("aud").toString() != kGraphAppId)
        return makeError(QString::fromLatin1(kTokenInvalid), QStringLiteral("Invalid audience."));
    const auto expired = [] {
        return makeError(QString::fromLatin1(kTokenExpired),
                         QStringLiteral("Access token has expired or is not yet valid."));
    };
    // Entra allows five minutes of clock skew on nbf; exp is strict here.
    if (now >= c.expiresAt || now + 5 * 60'000 < c.notBefore)
        return expired();
    const auto serial = m_serialByUti.constFind(c.uti);
    if (serial == m_serialByUti.constEnd())
        return invalid();
    if (*serial < m_firstValidSerial)
        return expired();
    return c;
}

QJsonObject AccessTokens::jwks() const
{
    const QByteArray n = bnParam(m_key->pkey, OSSL_PKEY_PARAM_RSA_N);
    const QByteArray e = bnParam(m_key->pkey, OSSL_PKEY_PARAM_RSA_E);
    const QJsonObject key {{"kty", "RSA"},
                           {"use", "sig"},
                           {"kid", m_kid},
                           {"x5t", m_kid},
                           {"n", QString::fromLatin1(b64(n))},
                           {"e", QString::fromLatin1(b64(e))},
                           {"alg", "RS256"}};
    return QJsonObject {{"keys", QJsonArray {key}}};
}

void AccessTokens::expireAllIssued()
{
    m_firstValidSerial = m_nextSerial;
}

} // namespace stint::entrasim
