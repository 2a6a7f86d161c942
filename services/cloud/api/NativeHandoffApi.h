// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/authn/CeremonyStore.h"
#include "cloud/http/Router.h"
#include "core/Json.h"

// The desktop app's sign-in through the system browser (RFC 8252: a loopback redirect, PKCE S256). The web page
// passes the app's loopback redirect URI, code challenge and state to signin/begin; signin/finish answers with a
// redirect that carries a one-time code instead of a session; the app redeems the code here, with its verifier.
// See docs/api.md "Sign-in".
namespace stint::cloud::api {

Reply exchangeNativeCode(RequestContext& ctx); // POST /v1/auth/native/token {code, codeVerifier, redirectUri}

// Reads signin/begin's "native" member: http, a loopback IP literal and an explicit port (RFC 8252 §7.3), a base64url
// S256 challenge, a visible-ASCII state. Problems go to `outer`, under "native".
std::optional<ceremonies::NativeRequest> readNativeRequest(json::ObjectReader& outer, const QJsonObject& native);

// For signin/finish: issues the person's one-time code and returns the redirect to the app's listener carrying it.
Result<QString> handOffRedirect(RequestContext& ctx, const QString& personId, const QString& orgId,
                                const ceremonies::NativeRequest& native);

} // namespace stint::cloud::api
