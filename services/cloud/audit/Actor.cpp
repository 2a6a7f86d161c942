// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/audit/Actor.h"

namespace stint::cloud {

Actor Actor::system()
{
    return {QStringLiteral("system"), {}, {}, {}};
}

AuditTarget AuditTarget::checkout(const QString& checkoutId, const QString& tenantId)
{
    return {QStringLiteral("checkout"), checkoutId, tenantId};
}

AuditTarget AuditTarget::tenant(const QString& tenantId)
{
    return {QStringLiteral("tenant"), tenantId, tenantId};
}

AuditEvent auditEventFor(const Actor& actor, const QString& orgId, const QString& action, const AuditTarget& target,
                         TimeMs occurredAt, const QString& outcome)
{
    AuditEvent e;
    e.orgId = orgId;
    e.occurredAt = occurredAt;
    e.actorId = actor.id;
    e.actorLabel = actor.label;
    e.action = action;
    e.targetType = target.type;
    e.targetId = target.id;
    e.tenantId = target.tenantId;
    e.sourceAddress = actor.sourceAddress;
    e.outcome = outcome;
    if (!actor.requestId.isEmpty())
        e.details.insert(QStringLiteral("requestId"), actor.requestId);
    return e;
}

} // namespace stint::cloud
