// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

#include <QJsonObject>

namespace stint::cloud::api {

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

// Audits the change and announces it: the record to the admins, and to the whole organization only that grants
// changed, naming nothing (technicians may not learn of tenants they are not granted), so that they refetch.
Reply recordGrantChange(RequestContext& ctx, const GrantChange& change, HttpResponse response);

} // namespace stint::cloud::api
