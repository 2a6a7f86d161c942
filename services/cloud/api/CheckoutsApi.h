// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

// Checkouts, the request side: a technician asks for roles in a tenant for a while, within an access policy; admins
// approve, deny or revoke; the technician cancels or ends early. Every change of state goes through
// CheckoutStateMachine.
namespace stint::cloud::api {

Reply listCheckouts(RequestContext& ctx);   // GET /v1/checkouts
Reply requestCheckout(RequestContext& ctx); // POST /v1/checkouts
Reply getCheckout(RequestContext& ctx);     // GET /v1/checkouts/{checkoutId}
Reply approveCheckout(RequestContext& ctx); // POST /v1/checkouts/{checkoutId}/approve
Reply denyCheckout(RequestContext& ctx);    // POST /v1/checkouts/{checkoutId}/deny
Reply cancelCheckout(RequestContext& ctx);  // POST /v1/checkouts/{checkoutId}/cancel
Reply revokeCheckout(RequestContext& ctx);  // POST /v1/checkouts/{checkoutId}/revoke
Reply endCheckout(RequestContext& ctx);     // POST /v1/checkouts/{checkoutId}/end
Reply extendCheckout(RequestContext& ctx);  // POST /v1/checkouts/{checkoutId}/extend
// GET /v1/checkouts/{checkoutId}/credential: the sign-in credential of a ready checkout, for its technician only.
Reply checkoutCredential(RequestContext& ctx);

} // namespace stint::cloud::api
