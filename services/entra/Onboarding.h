// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "entra/EntraGateway.h"

#include <QUrl>
#include <QUrlQuery>
#include <optional>

// The browser legs of connecting a tenant (protocols.md 1.1, 1.2): the admin-consent URL, the authorization-code URL
// with PKCE, parsing what the redirect brings back, and redeeming a code for the signed-in admin's identity. The
// redirect's `tenant` is never trusted (Microsoft says so): the cloud proves the tenant with EntraGateway::inspect.
namespace stint::entra::onboarding {

inline constexpr auto kInvalidCallback = "entra.invalid_callback"; // not a shape Entra sends
inline constexpr auto kConsentDenied = "entra.consent_denied"; // the admin declined, or Entra refused
inline constexpr auto kInvalidIdToken = "entra.invalid_id_token";

struct Pkce
{
    crypto::SecretBytes verifier; // 43 characters of base64url (RFC 7636 §4.1)
    QString challenge; // base64url(SHA-256(verifier)), method S256

    static Pkce generate();
};

// v2 admin consent: {authority}/{tenantHint}/v2.0/adminconsent?client_id&scope={graph}/.default&redirect_uri&state.
QUrl adminConsentUrl(const CloudEndpoints& endpoints, const QString& clientId, const QUrl& redirectUri,
                     const QString& state, const QString& tenantHint = QStringLiteral("organizations"));

struct AuthorizeParameters
{
    QString tenant = QStringLiteral("organizations");
    QString clientId;
    QUrl redirectUri;
    QString state;
    QString codeChallenge; // from Pkce: always S256
    QString scope = QStringLiteral("openid profile");
    QString loginHint; // optional
    QString domainHint; // optional
    QString prompt; // optional: login, none, consent, select_account
    QString nonce; // optional, echoed in the id_token
};

// {authority}/{tenant}/oauth2/v2.0/authorize?response_type=code&response_mode=query&code_challenge_method=S256&…
QUrl authorizeUrl(const CloudEndpoints& endpoints, const AuthorizeParameters& parameters);

// What an admin-consent redirect says. Both shapes of 1.1: v2 (with scope; its error keeps admin_consent=True)
// and v1 (no scope; permission_denied).
struct ConsentCallback
{
    bool granted = false;
    QString state;
    QString tenantHint; // the redirect's `tenant`: a hint for inspect(), never proof
    QStringList scopes;
    QString error;
    QString errorDescription; // first line only (no trace ids)
    std::optional<qint64> aadstsCode;
};
Result<ConsentCallback> parseConsentCallback(const QUrlQuery& query);

// What an authorization-code redirect says: the code, or a typed error (entra.consent_denied with the OAuth error).
struct CodeCallback
{
    QString code;
    QString state;
};
Result<CodeCallback> parseAuthorizeCallback(const QUrlQuery& query);

struct SignedInIdentity
{
    QString tenantId; // tid
    QString objectId; // oid
    QString preferredUsername; // preferred_username
    QString name;
};

struct RedeemOptions
{
    const Clock* clock = nullptr; // nullptr: the system clock
    QUrl jwksUri; // default: {authority}/{tenant}/discovery/v2.0/keys
    QString expectedIssuer; // default: {authority}/{tid}/v2.0
    QString expectedNonce; // checked when set
    int timeoutMs = 30'000;
    qint64 clockSkewMs = 5 * 60'000;
};

// Redeems the code at the token endpoint (with the app's credential and the PKCE verifier) and returns who signed in,
// from an id_token whose signature is verified against the authority's JWKS and whose aud, iss, exp and nbf hold.
Result<SignedInIdentity> redeemAuthorizationCode(const CloudEndpoints& endpoints, const QString& tenant,
                                                 const AppCredential& app, const QString& code, const QUrl& redirectUri,
                                                 const crypto::SecretBytes& codeVerifier,
                                                 const RedeemOptions& options = {});

} // namespace stint::entra::onboarding
