// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/audit/AuditLog.h"

#include <QString>

// Who did what the audit log records, and the one place an audit event is started from that. A person acts through the
// API (RequestContext::actor() makes their Actor from the request); the service acts as itself (Actor::system(): the
// provisioning engine, the schedules, the checks it starts on its own). Every part that audits takes an Actor, so the
// actor's id, label, source address and request id are written the same way whoever builds the event.
namespace stint::cloud {

struct Actor
{
    QString id;            // a person id, "system", or "anonymous"
    QString label;         // the person's email; "" for the system
    QString sourceAddress; // "" for the system
    QString requestId;     // "" outside an API request

    static Actor system();
};

// What an audit event is about ("" where not applicable).
struct AuditTarget
{
    QString type; // "checkout", "tenant", "entra_account", …
    QString id;
    QString tenantId; // the customer tenant it concerns

    static AuditTarget checkout(const QString& checkoutId, const QString& tenantId);
    static AuditTarget tenant(const QString& tenantId);
};

// An event of `actor` in the organization's log: action, target, outcome, the actor's id, label and source address, and
// its request id as details.requestId when it has one. `occurredAt` 0 lets the log stamp the time of the append.
AuditEvent auditEventFor(const Actor& actor, const QString& orgId, const QString& action,
                         const AuditTarget& target = {}, TimeMs occurredAt = 0,
                         const QString& outcome = QStringLiteral("success"));

} // namespace stint::cloud
