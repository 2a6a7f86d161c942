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
inline constexpr auto kInvalidIdToken = "entra.invalid_id_token";

struct Pkce
{
    crypto::SecretBytes verifier; // 43 characters of base64url (RFC 7636 §4.1)
    QString challenge; // base64url(SHA-256(verifier)), method S256

    static Pkce generate();
};

// v2 admin consent: {authority}/{tenantHint}/v2.0/adminconsent?client_id&scope={graph}/.default&redirect_uri&state.
// An empty tenantHint is "organizations" ("common" is refused by the v2 endpoint; 1.1).
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
// An empty tenant is "organizations".
QUrl authorizeUrl(const CloudEndpoints& endpoints, const AuthorizeParameters& parameters);

// The `state` a redirect carries (decoded), or "" when it has none or one longer than any Stint issues. A caller looks
// its flow up by it before it knows which kind of callback to expect.
QString callbackState(const QUrlQuery& query);

// What an admin-consent redirect says. Both shapes of 1.1: v2 (with scope; its error keeps admin_consent=True)
// and v1 (no scope; permission_denied). Query values are form-encoded ('+' is a space).
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
// An error redirect is a ConsentCallback with `error` set (not a failure); kInvalidCallback is a shape Entra does not
// send (no state; neither admin_consent=True nor an error; a tenant that is not a tenant id or domain).
Result<ConsentCallback> parseConsentCallback(const QUrlQuery& query);

// What an authorization-code redirect says (1.2): the code, or the error the authorize endpoint redirected with.
struct CodeCallback
{
    QString code;
    QString state;
    QString error; // access_denied, consent_required, interaction_required …; empty on success
    QString errorDescription; // first line only
    std::optional<qint64> aadstsCode;

    bool refused() const { return !error.isEmpty(); }
};
// kInvalidCallback when the redirect has no state, or neither a code nor an error.
Result<CodeCallback> parseAuthorizeCallback(const QUrlQuery& query);

// Who signed in (defined with the gateway, which redeems codes for the cloud).
using SignedInIdentity = entra::SignedInIdentity;

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
