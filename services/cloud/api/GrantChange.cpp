// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/GrantChange.h"

#include "cloud/checkouts/BulkTransitions.h"
#include "cloud/events/EventHub.h"
#include "cloud/http/RequestContext.h"

namespace stint::cloud::api {

Reply recordGrantChange(RequestContext& ctx, const GrantChange& change, HttpResponse response)
{
    AuditEvent e = ctx.auditEvent(change.action);
    e.targetType = change.targetType;
    e.targetId = change.targetId;
    e.tenantId = change.tenantId;
    for (auto it = change.details.constBegin(); it != change.details.constEnd(); ++it)
        e.details.insert(it.key(), it.value());
    if (!ctx.audit(e) || !ctx.publish(EventHub::audienceAdmins(), change.eventType, change.eventData)
        || !ctx.publish(EventHub::audienceOrg(), QStringLiteral("grants.changed"), {}))
        return ApiError::internal();
    // A live checkout no policy grants any more is taken back, in the same transaction as the change.
    if (auto revoked = checkouts::revokeUngrantedCheckouts(ctx.cloud, ctx.caller.orgId); !revoked)
        return ctx.fail(revoked.error());
    return response;
}

} // namespace stint::cloud::api
