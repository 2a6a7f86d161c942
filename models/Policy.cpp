// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Policy.h"

#include <QJsonArray>

namespace stint::models {

QJsonObject PolicySubject::toJson() const
{
    return {{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
}

QJsonObject Policy::toJson() const
{
    QJsonArray subjectArray;
    for (const PolicySubject& s : subjects)
        subjectArray.append(s.toJson());
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("description"), description},
            {QStringLiteral("tenantIds"), QJsonArray::fromStringList(tenantIds)},
            {QStringLiteral("subjects"), subjectArray},
            {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roleDefinitionIds)},
            {QStringLiteral("maxDurationMinutes"), maxDurationMinutes},
            {QStringLiteral("requireJustification"), requireJustification},
            {QStringLiteral("requireTicket"), requireTicket},
            {QStringLiteral("requireApproval"), requireApproval},
            {QStringLiteral("createdAt"), toRfc3339(createdAt)},
            {QStringLiteral("updatedAt"), toRfc3339(updatedAt)},
            {QStringLiteral("version"), version}};
}

QJsonObject TenantGrant::toJson() const
{
    return {{QStringLiteral("policyId"), policyId},
            {QStringLiteral("policyName"), policyName},
            {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roleDefinitionIds)},
            {QStringLiteral("maxDurationMinutes"), maxDurationMinutes},
            {QStringLiteral("requireJustification"), requireJustification},
            {QStringLiteral("requireTicket"), requireTicket},
            {QStringLiteral("requireApproval"), requireApproval}};
}

bool TenantGrant::grantsAll(const QStringList& roleIds) const
{
    return std::all_of(roleIds.begin(), roleIds.end(), [&](const QString& r) { return roleDefinitionIds.contains(r); });
}

} // namespace stint::models
