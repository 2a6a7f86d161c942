// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Policy.h"

#include "models/JsonFields.h"

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

Result<PolicySubject> PolicySubject::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("policy subject"));
    PolicySubject s{r.string(QStringLiteral("type")), r.string(QStringLiteral("id"))};
    if (!r.ok())
        return r.error();
    return s;
}

Result<Policy> Policy::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("policy"));
    Policy p;
    p.id = r.string(QStringLiteral("id"));
    p.name = r.string(QStringLiteral("name"));
    p.description = r.optionalString(QStringLiteral("description"));
    p.tenantIds = r.stringList(QStringLiteral("tenantIds"));
    auto subjects = parseList<PolicySubject>(r.array(QStringLiteral("subjects")), &PolicySubject::fromJson);
    p.roleDefinitionIds = r.stringList(QStringLiteral("roleDefinitionIds"));
    p.maxDurationMinutes = int(r.integer(QStringLiteral("maxDurationMinutes")));
    p.requireJustification = r.boolean(QStringLiteral("requireJustification"));
    p.requireTicket = r.boolean(QStringLiteral("requireTicket"));
    p.requireApproval = r.boolean(QStringLiteral("requireApproval"));
    p.createdAt = r.optionalTime(QStringLiteral("createdAt")).value_or(0);
    p.updatedAt = r.optionalTime(QStringLiteral("updatedAt")).value_or(p.createdAt);
    p.version = r.optionalInteger(QStringLiteral("version")).value_or(1);
    if (!r.ok())
        return r.error();
    if (!subjects)
        return subjects.error();
    p.subjects = std::move(subjects).value();
    return p;
}

QJsonObject Policy::toRequestJson() const
{
    QJsonObject o = toJson();
    o.remove(QStringLiteral("id"));
    o.remove(QStringLiteral("createdAt"));
    o.remove(QStringLiteral("updatedAt"));
    return o;
}

Result<TenantGrant> TenantGrant::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("grant"));
    TenantGrant g;
    g.policyId = r.string(QStringLiteral("policyId"));
    g.policyName = r.optionalString(QStringLiteral("policyName"));
    g.roleDefinitionIds = r.stringList(QStringLiteral("roleDefinitionIds"));
    g.maxDurationMinutes = int(r.integer(QStringLiteral("maxDurationMinutes")));
    g.requireJustification = r.boolean(QStringLiteral("requireJustification"));
    g.requireTicket = r.boolean(QStringLiteral("requireTicket"));
    g.requireApproval = r.boolean(QStringLiteral("requireApproval"));
    if (!r.ok())
        return r.error();
    return g;
}

} // namespace stint::models
