// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Policy.h"
#include "models/Tenant.h"
#include "store/Database.h"

#include <QHash>

#include <optional>

// Reading and writing access policies, and working out what they grant. Every function takes the organization id
// and never returns another organization's rows.
namespace stint::cloud::policies {

// SQL selecting the ids of the organization's policies that name a person, directly or through one of the person's
// groups. Binds three parameters, in order: orgId, personId, personId.
QString policiesNamingPersonSql();

Result<std::optional<models::Policy>> loadPolicy(store::Database& db, const QString& orgId, const QString& policyId);

// One page of the organization's policies, ordered by id, starting after `afterId`.
Result<QList<models::Policy>> loadPolicies(store::Database& db, const QString& orgId, const QString& afterId,
                                           int limit);

// The policies that name `personId` (directly or through a group), with their tenants; with `tenantId`, only those
// that cover that tenant.
Result<QList<models::Policy>> policiesNaming(store::Database& db, const QString& orgId, const QString& personId,
                                             const QString& tenantId = {});

// What the policies naming `personId` (directly or through a group) grant in each of `tenants`, by tenant id, as
// grantsIn would find them (most permissive first; a tenant with no grant has no entry). One query whatever the number
// of policies: it reads each policy's own columns, not its other tenants or its subjects. `tenants` must be ordered
// by id (a page of them), and every tenant between the first and the last that a policy naming the person covers must
// be among them — as in a page of the tenants an admin sees, or of those granted to the person.
Result<QHash<QString, QList<models::TenantGrant>>> grantsFor(store::Database& db, const QString& orgId,
                                                             const QString& personId,
                                                             const QList<const models::Tenant*>& tenants);

// The names of the policies that cover `tenantId` and grant any of `roleIds` (sorted).
Result<QStringList> policiesGrantingRoles(store::Database& db, const QString& orgId, const QString& tenantId,
                                          const QStringList& roleIds);

// Writes the policy row and replaces its tenants and subjects. `expectedVersion` 0 inserts; otherwise the row is
// updated only if it still has that version (false when it does not). Refuses a taken name with "store.constraint".
Result<bool> savePolicy(store::Database& db, const QString& orgId, const models::Policy& policy,
                        qint64 expectedVersion);

Result<bool> removePolicy(store::Database& db, const QString& orgId, const QString& policyId);

// What `policies` let their subject do in `tenant`, most permissive first (see rankGrants). Policies that do not
// cover the tenant, or whose roles the tenant no longer offers at all, grant nothing there and are left out.
QList<models::TenantGrant> grantsIn(const models::Tenant& tenant, const QList<models::Policy>& policies);

// Orders grants from the most permissive: no approval before approval, fewer required fields (justification,
// ticket) before more, a longer maximum before a shorter one, then by policy id so the order never depends on the
// order of rows.
void rankGrants(QList<models::TenantGrant>& grants);

} // namespace stint::cloud::policies
