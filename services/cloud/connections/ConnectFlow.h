// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Crypto.h"
#include "core/Result.h"

#include <QUrl>
#include <optional>

// The cloud's own rules for the browser leg of connecting a tenant. The Entra side of it — consent and authorize
// URLs, PKCE, parsing the redirect, redeeming a code — is entra/Onboarding.h; what is here is what Stint decides:
// which redirect URIs the desktop app may use (protocols.md 1.6, RFC 8252), that a callback came back to it, and
// how a flow's PKCE verifier and nonce are kept with its one-time `state`.
namespace stint::cloud::connections {

inline const QString kAdminConsent = QStringLiteral("admin_consent");
inline const QString kAuthorizationCode = QStringLiteral("authorization_code");

// A redirect URI the desktop app may use (RFC 8252 §7.3): http on 127.0.0.1 or localhost with an explicit port, a
// path, no user info, query or fragment, none of the characters Entra refuses, at most 256 characters. The reason
// when not.
std::optional<QString> loopbackRedirectProblem(const QString& redirectUri);

// Whether `callback` came to `redirectUri`: same scheme, host, port and path.
bool sameRedirect(const QUrl& callback, const QUrl& redirectUri);

// The PKCE verifier sealed for the connect_states row of `stateHash` (the hash binds it to that row: a sealed
// verifier copied to another state does not open), and opened again at completion.
Result<QByteArray> sealVerifier(const crypto::SecretBytes& key, const crypto::SecretBytes& verifier,
                                const QByteArray& stateHash);
Result<crypto::SecretBytes> openVerifier(const crypto::SecretBytes& key, const QByteArray& sealedVerifier,
                                         const QByteArray& stateHash);

// The OIDC nonce of the flow with this `state` (a hash of it, apart from the hash the row is stored under): as
// unpredictable and as unique as the state, recomputed at completion with nothing more to store, and an id_token
// minted for another flow does not carry it.
QString flowNonce(const QString& state);

} // namespace stint::cloud::connections
