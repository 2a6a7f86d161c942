// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

// FIDO2 / WebAuthn sign-in: enrollment through invites, adding passkeys, signing in (discoverable or username-first),
// and signing out. A sign-in for the desktop app ends in the native hand-off instead of a session (NativeHandoffApi.h).
// See docs/api.md "Sign-in".
namespace stint::cloud::api {

Reply beginEnrollment(RequestContext& ctx);      // POST /v1/auth/register/begin   {inviteToken}
Reply finishEnrollment(RequestContext& ctx);     // POST /v1/auth/register/finish  {ceremonyId, credential, name?}
Reply beginAddCredential(RequestContext& ctx);   // POST /v1/me/credentials/begin
Reply finishAddCredential(RequestContext& ctx);  // POST /v1/me/credentials/finish {ceremonyId, credential, name?}
Reply beginSignIn(RequestContext& ctx);          // POST /v1/auth/signin/begin     {email?, native?}
Reply finishSignIn(RequestContext& ctx);         // POST /v1/auth/signin/finish    {ceremonyId, credential}
Reply signOut(RequestContext& ctx);              // POST /v1/auth/signout

} // namespace stint::cloud::api
