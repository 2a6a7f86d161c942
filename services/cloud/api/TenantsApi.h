// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

// Customer tenants: admins manage them; technicians see the ones an access policy grants them.
//
// A tenant in a response also carries "myGrants": what the calling person's own policies let them check out there
// (models::TenantGrant, most permissive first), so the technician's request form needs no second call. Live events
// carry the tenant without it, since it differs per viewer.
namespace stint::cloud::api {

Reply listTenants(RequestContext& ctx);  // GET /v1/tenants
Reply createTenant(RequestContext& ctx); // POST /v1/tenants
Reply getTenant(RequestContext& ctx);    // GET /v1/tenants/{tenantId}
Reply updateTenant(RequestContext& ctx); // PATCH /v1/tenants/{tenantId}
Reply deleteTenant(RequestContext& ctx); // DELETE /v1/tenants/{tenantId}

} // namespace stint::cloud::api
