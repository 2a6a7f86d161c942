// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"

#include <QJsonObject>
#include <QUrlQuery>

#include <optional>

// The audit log as the API shows it (GET /v1/audit): one hash-chained event per action, newest first. The desktop
// side's reading of the cloud's JSON; the cloud writes it in cloud/audit/.
namespace stint::models {

struct AuditEvent
{
    QString id;
    qint64 seq = 0;
    TimeMs occurredAt = 0;
    QString actorId;
    QString actorLabel;
    QString action; // checkout.request, tenant.update … (dotted; filters take an exact name or a prefix ending '.')
    QString targetType;
    QString targetId;
    QString tenantId;
    QString sourceAddress;
    QString outcome; // success | failure | denied
    QJsonObject details;
    QString prevHash;
    QString hash;

    static Result<AuditEvent> fromJson(const QJsonObject& o);
    QJsonObject toJson() const;
};

// The filters GET /v1/audit takes: from inclusive, to exclusive.
struct AuditFilter
{
    std::optional<TimeMs> from;
    std::optional<TimeMs> to;
    QString actorId;
    QString tenantId;
    QString action;

    QUrlQuery toQuery() const;
};

} // namespace stint::models
