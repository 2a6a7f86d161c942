// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/policies/GrantChange.h"

#include "cloud/events/EventHub.h"
#include "cloud/http/RequestContext.h"

namespace stint::cloud::policies {

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
    return response;
}

} // namespace stint::cloud::policies
