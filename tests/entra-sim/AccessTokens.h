// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <memory>

// The simulator's access tokens: RS256 JWTs in the v1.0 Graph format with the app-only claims of protocols.md 1.8,
// signed by a key generated at start (published through jwks()). Graph verifies every request with verify().
namespace stint::entrasim {

// Error codes of verify(); GraphEndpoints maps each to the documented 401 message (protocols.md 2.1).
inline constexpr auto kTokenEmpty = "token.empty"; // "Access token is empty."
inline constexpr auto kTokenMalformed = "token.malformed"; // "CompactToken parsing failed with error code: 80049217"
inline constexpr auto kTokenExpired = "token.expired"; // "Access token has expired or is not yet valid."
inline constexpr auto kTokenInvalid = "token.invalid"; // bad signature, wrong audience/issuer

inline const QString kGraphAudience = QStringLiteral("https://graph.microsoft.com");
inline const QString kGraphAppId = QStringLiteral("00000003-0000-0000-c000-000000000000");

struct AppTokenRequest
{
    QString tenantId;
    QString appId; // client id
    QString servicePrincipalId; // the SP's object id in tenantId → `oid`
    QStringList roles; // granted application permissions
    int clientAuthentication = 1; // appidacr/azpacr: 1 = client secret, 2 = certificate
};

struct TokenClaims
{
    QString tenantId;
    QString appId;
    QString objectId;
    QString uti;
    QStringList roles;
    int appidacr = 0;
    TimeMs issuedAt = 0;
    TimeMs notBefore = 0;
    TimeMs expiresAt = 0;
    QJsonObject payload;
};

class AccessTokens
{
public:
    AccessTokens(); // generates a fresh RSA-2048 key
    ~AccessTokens();
    AccessTokens(const AccessTokens&) = delete;
    AccessTokens& operator=(const AccessTokens&) = delete;

    QString kid() const { return m_kid; }
    // Seconds a new token is valid; real Entra tokens live 60–90 min, the token endpoint reports 3599.
    int lifetimeSeconds() const { return m_lifetimeSeconds; }
    void setLifetimeSeconds(int seconds) { m_lifetimeSeconds = seconds; }

    QByteArray issueAppToken(const AppTokenRequest& request, TimeMs now);
    Result<TokenClaims> verify(QByteArrayView jwt, TimeMs now) const;
    // {"keys":[{kty,use,kid,n,e,alg}]} as login.microsoftonline.com/{tenant}/discovery/v2.0/keys publishes.
    QJsonObject jwks() const;

    // Signs any JSON header+payload with the simulator's key (part B's id tokens, if needed).
    QByteArray sign(const QJsonObject& header, const QJsonObject& payload) const;

    // Fault: every token issued so far reads as expired from now on.
    void expireAllIssued();

private:
    struct Key;
    std::unique_ptr<Key> m_key;
    QString m_kid;
    int m_lifetimeSeconds = 3599;
    qint64 m_nextSerial = 1;
    qint64 m_firstValidSerial = 1;
    QHash<QString, qint64> m_serialByUti; // which tokens we issued, in order
};

} // namespace stint::entrasim
