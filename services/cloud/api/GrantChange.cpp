// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/GrantChange.h"

#include "cloud/checkouts/BulkTransitions.h"
#include "cloud/events/EventHub.h"
#include "cloud/http/RequestContext.h"

#include <QJsonArray>

namespace stint::cloud::api {

void readName(json::ObjectReader& reader, bool creating, int maxLength, QString* name)
{
    const auto problemsBefore = reader.errors().size();
    std::optional<QString> given = creating
        ? std::optional<QString>(reader.requiredText(QStringLiteral("name"), maxLength))
        : reader.optionalText(QStringLiteral("name"), maxLength, 1);
    if (!given || reader.errors().size() != problemsBefore)
        return;
    if (given->trimmed().isEmpty())
        reader.fail(QStringLiteral("name"), QStringLiteral("must not be blank"));
    *name = given->trimmed();
}

ApiError refusedWrite(RequestContext& ctx, const Error& error, const QString& what)
{
    if (error.code == QLatin1String("store.constraint"))
        return ApiError::nameTaken(QStringLiteral("Another %1 already has this name.").arg(what));
    return ctx.fail(error);
}

QJsonObject changeDetails(const QString& recordName, const QList<SettableField>& before,
                          const QList<SettableField>& after, QStringList* changed)
{
    auto valueBefore = [&](const QString& name) {
        for (const SettableField& f : before) {
            if (f.name == name)
                return f.value;
        }
        return QJsonValue(QJsonValue::Undefined);
    };
    changed->clear();
    QJsonObject values;
    for (const SettableField& f : after) {
        if (valueBefore(f.name) == f.value)
            continue;
        *changed << f.name;
        if (f.recordValue)
            values.insert(f.name, f.value);
    }
    QJsonObject details{{QStringLiteral("name"), recordName},
                        {QStringLiteral("changed"), QJsonArray::fromStringList(*changed)}};
    if (json::compact(values).size() <= kMaxAuditValuesBytes)
        details.insert(QStringLiteral("values"), values);
    return details;
}

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
