// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"
#include "core/Json.h"

#include <QJsonObject>

// What changing a tenant and changing a policy have in common: reading the name, refusing a taken one, telling what
// a change changed, and auditing and announcing it (a tenant or a policy decides who may ask for what).
namespace stint::cloud::api {

// Reads the name of a tenant or policy: required when creating, optional when updating, trimmed, not blank. Sets
// `*name` when the body has one of the right type and length (a blank one is reported and still set).
void readName(json::ObjectReader& reader, bool creating, int maxLength, QString* name);

// The problem for a write of a `what` ("tenant", "policy") the store refused: 409 name-taken when another one has
// its name, otherwise the failure.
ApiError refusedWrite(RequestContext& ctx, const Error& error, const QString& what);

// A change to something that decides who may ask for what (a tenant or a policy).
struct GrantChange
{
    QString action;     // audit action, e.g. "tenant.update"
    QString targetType; // "tenant" | "policy"
    QString targetId;
    QString tenantId;   // "" when the change is not about one tenant
    QJsonObject details;
    QString eventType;  // live event for the admins, e.g. "tenant.updated"
    QJsonObject eventData;
};

// Audit details are capped by the log; a change's field values go in when they fit, field names always.
inline constexpr qsizetype kMaxAuditValuesBytes = 8 * 1024;

// One field an admin sets on a tenant or a policy, as the audit record of a change names it.
struct SettableField
{
    QString name; // "maxDurationMinutes", "connection.accountDomain"
    QJsonValue value;
    bool recordValue = true; // false for free text (a tenant's notes): named when it changes, its text left out
};

// The audit details of a change from `before` to `after` (the same fields, listed in the order given):
// {"name": recordName, "changed": [field…], "values": {field: new value}}, "values" only when it fits
// kMaxAuditValuesBytes. `changed` receives the names of the fields that changed (none: there is nothing to write).
QJsonObject changeDetails(const QString& recordName, const QList<SettableField>& before,
                          const QList<SettableField>& after, QStringList* changed);

// Audits the change and announces it: the record to the admins, and to the whole organization only that grants
// changed, naming nothing (technicians may not learn of tenants they are not granted), so that they refetch.
Reply recordGrantChange(RequestContext& ctx, const GrantChange& change, HttpResponse response);

} // namespace stint::cloud::api
