// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

// Access policies of the API contract: who may check out which roles in which tenants, for how long, on what
// conditions. One definition of the JSON, used by the cloud (to write) and the desktop app (to read).
namespace stint::models {

inline const QStringList kSubjectTypes{QStringLiteral("person"), QStringLiteral("group")};

// A person, or every member of a group, that a policy applies to.
struct PolicySubject
{
    QString type; // "person" | "group"
    QString id;

    QJsonObject toJson() const;
    static Result<PolicySubject> fromJson(const QJsonObject& o);
    friend bool operator==(const PolicySubject&, const PolicySubject&) = default;
};

struct Policy
{
    QString id;
    QString name;
    QString description;
    QStringList tenantIds;         // sorted
    QList<PolicySubject> subjects; // sorted by type, then id
    QStringList roleDefinitionIds; // lowercase GUIDs, sorted
    int maxDurationMinutes = 60;
    bool requireJustification = true;
    bool requireTicket = false;
    bool requireApproval = false;
    TimeMs createdAt = 0;
    TimeMs updatedAt = 0;
    qint64 version = 1;

    QJsonObject toJson() const;
    static Result<Policy> fromJson(const QJsonObject& o);
    // The body of POST /v1/policies and PATCH (with version): everything an admin sets.
    QJsonObject toRequestJson() const;
};

// What one policy lets one person do in one tenant, after the tenant's own limits: the roles it grants that the
// tenant still offers, and the shorter of the two maximum durations.
struct TenantGrant
{
    QString policyId;
    QString policyName;
    QStringList roleDefinitionIds;
    int maxDurationMinutes = 0;
    bool requireJustification = true;
    bool requireTicket = false;
    bool requireApproval = false;

    QJsonObject toJson() const;
    static Result<TenantGrant> fromJson(const QJsonObject& o);
    bool grantsAll(const QStringList& roleIds) const;
    friend bool operator==(const TenantGrant&, const TenantGrant&) = default;
};

} // namespace stint::models
