// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"
#include "entra/EntraGateway.h"

#include <QUrl>
#include <QUrlQuery>

#include <optional>

// The browser leg of connecting a tenant (protocols.md 1.1, 1.2, 1.6): the authorization URLs Stint sends the
// admin to, the loopback redirect rule, and reading what came back. Pure functions.
//
// LOCAL until services/entra/Onboarding.h lands on main: these builders and the callback parser are then replaced
// by its consent/authorize URL builders and consent-callback parsing.
namespace stint::cloud::connections {

inline const QString kAdminConsent = QStringLiteral("admin_consent");
inline const QString kAuthorizationCode = QStringLiteral("authorization_code");

// A redirect URI the desktop app may use (RFC 8252 §7.3): http on 127.0.0.1 or localhost with an explicit port, a
// path, no user info, query or fragment, none of the characters Entra refuses, at most 256 characters. The reason
// when not.
std::optional<QString> loopbackRedirectProblem(const QString& redirectUri);

// v2 admin consent for the MSP's app: <authority>/<tenant|organizations>/v2.0/adminconsent with scope
// <graph>/.default (app permissions need /.default).
QUrl adminConsentUrl(const entra::CloudEndpoints& endpoints, const QString& clientId, const QString& tenantHint,
                     const QString& redirectUri, const QString& state);

// Authorization code + PKCE S256 for the customer's own app: <authority>/<tenant|organizations>/oauth2/v2.0/authorize.
QUrl authorizeUrl(const entra::CloudEndpoints& endpoints, const QString& clientId, const QString& tenantHint,
                  const QString& redirectUri, const QString& state, const QString& codeChallenge,
                  const QString& loginHint);

// base64url(SHA-256(verifier)) (RFC 7636 §4.2).
QString pkceChallenge(const QByteArray& verifier);

// What the redirect carried.
struct Callback
{
    QString state;
    QString code;
    QString tenant;     // the *candidate* tenant (never trusted: it is proven by inspect())
    bool adminConsent = false;
    QString error;      // set on an error callback, whatever the endpoint version
    QString errorDescription;

    bool isError() const { return !error.isEmpty(); }
    // The AADSTS code of an error description ("AADSTS65004"), if it has one.
    QString aadstsCode() const;
};

Callback parseCallback(const QUrlQuery& query);

// Whether `callback` came to `redirectUri`: same scheme, host, port and path.
bool sameRedirect(const QUrl& callback, const QUrl& redirectUri);

} // namespace stint::cloud::connections
