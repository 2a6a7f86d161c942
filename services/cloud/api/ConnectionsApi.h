// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

// Connecting a customer tenant (admins only): the per-customer app credential, the browser connect flow, health
// checks and disconnecting. See docs/architecture.md "Connecting a customer tenant".
namespace stint::cloud::api {

Reply getConnection(RequestContext& ctx);       // GET    /v1/tenants/{tenantId}/connection
Reply disconnect(RequestContext& ctx);          // DELETE /v1/tenants/{tenantId}/connection   {"confirm": true}
Reply putAppCredential(RequestContext& ctx);    // PUT    /v1/tenants/{tenantId}/connection/credential
Reply deleteAppCredential(RequestContext& ctx); // DELETE /v1/tenants/{tenantId}/connection/credential
Reply startConnection(RequestContext& ctx);     // POST   /v1/tenants/{tenantId}/connection/start
Reply completeConnection(RequestContext& ctx);  // POST   /v1/tenants/{tenantId}/connection/complete
Reply checkConnection(RequestContext& ctx);     // POST   /v1/tenants/{tenantId}/connection/check

} // namespace stint::cloud::api
