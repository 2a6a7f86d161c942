// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Audit.h"

#include "models/JsonFields.h"

namespace stint::models {

Result<AuditEvent> AuditEvent::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("audit event"));
    AuditEvent e;
    e.id = r.string(QStringLiteral("id"));
    e.seq = r.integer(QStringLiteral("seq"));
    e.occurredAt = r.time(QStringLiteral("occurredAt"));
    e.actorId = r.optionalString(QStringLiteral("actorId"));
    e.actorLabel = r.optionalString(QStringLiteral("actorLabel"));
    e.action = r.string(QStringLiteral("action"));
    e.targetType = r.optionalString(QStringLiteral("targetType"));
    e.targetId = r.optionalString(QStringLiteral("targetId"));
    e.tenantId = r.optionalString(QStringLiteral("tenantId"));
    e.sourceAddress = r.optionalString(QStringLiteral("sourceAddress"));
    e.outcome = r.optionalString(QStringLiteral("outcome"));
    e.details = r.object(QStringLiteral("details"), true);
    e.prevHash = r.optionalString(QStringLiteral("prevHash"));
    e.hash = r.optionalString(QStringLiteral("hash"));
    if (!r.ok())
        return r.error();
    return e;
}

QJsonObject AuditEvent::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("seq"), seq},
            {QStringLiteral("occurredAt"), toRfc3339(occurredAt)},
            {QStringLiteral("actorId"), actorId},
            {QStringLiteral("actorLabel"), actorLabel},
            {QStringLiteral("action"), action},
            {QStringLiteral("targetType"), targetType},
            {QStringLiteral("targetId"), targetId},
            {QStringLiteral("tenantId"), tenantId},
            {QStringLiteral("sourceAddress"), sourceAddress},
            {QStringLiteral("outcome"), outcome},
            {QStringLiteral("details"), details},
            {QStringLiteral("prevHash"), prevHash},
            {QStringLiteral("hash"), hash}};
}

QUrlQuery AuditFilter::toQuery() const
{
    QUrlQuery q;
    if (from)
        q.addQueryItem(QStringLiteral("from"), toRfc3339(*from));
    if (to)
        q.addQueryItem(QStringLiteral("to"), toRfc3339(*to));
    if (!actorId.isEmpty())
        q.addQueryItem(QStringLiteral("actorId"), actorId);
    if (!tenantId.isEmpty())
        q.addQueryItem(QStringLiteral("tenantId"), tenantId);
    if (!action.isEmpty())
        q.addQueryItem(QStringLiteral("action"), action);
    return q;
}

} // namespace stint::models
