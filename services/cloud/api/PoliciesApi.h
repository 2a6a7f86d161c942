// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

// Access policies: which people and groups may check out which roles in which tenants, for how long, and on what
// conditions. Admins only.
namespace stint::cloud::api {

Reply listPolicies(RequestContext& ctx); // GET /v1/policies
Reply createPolicy(RequestContext& ctx); // POST /v1/policies
Reply getPolicy(RequestContext& ctx);    // GET /v1/policies/{policyId}
Reply updatePolicy(RequestContext& ctx); // PATCH /v1/policies/{policyId}
Reply deletePolicy(RequestContext& ctx); // DELETE /v1/policies/{policyId}

} // namespace stint::cloud::api
