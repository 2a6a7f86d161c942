// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

// The audit log over HTTP, for admins: newest first, filtered and paged (AuditLog::query).
namespace stint::cloud::api {

// GET /v1/audit?from=&to=&actorId=&tenantId=&action=&limit=&cursor=
//   from/to: RFC 3339 (from inclusive, to exclusive); action: exact ("tenant.update") or a prefix ending in '.'
//   ("checkout."); limit 1..1000, default 100; cursor: the nextCursor of the previous page of the same query.
//   → {"items": [event…], "nextCursor": "…" | null}
Reply queryAudit(RequestContext& ctx);

} // namespace stint::cloud::api
