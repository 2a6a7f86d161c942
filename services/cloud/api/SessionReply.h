// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/authn/Sessions.h"
#include "cloud/http/Router.h"
#include "models/Directory.h"

// The end of every way in (enrolling, signing in with a passkey, redeeming the native app's code): a new session for
// the person, and the one answer that carries its token.
namespace stint::cloud::api {

// A new session for the person, noting this request's source address and user agent.
Result<Sessions::Issued> openSession(RequestContext& ctx, const QString& personId, const QString& orgId);

// {token, sessionId, expiresAt, idleExpiresAt, person}.
HttpResponse sessionReply(const Sessions::Issued& session, const models::Person& person);

} // namespace stint::cloud::api
