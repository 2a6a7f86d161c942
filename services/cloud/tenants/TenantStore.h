// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Tenant.h"
#include "store/Database.h"

#include <memory>
#include <optional>

// Reading and writing customer tenants. Every function takes the organization id and never returns another
// organization's rows.
namespace stint::cloud::tenants {

Result<std::optional<models::Tenant>> loadTenant(store::Database& db, const QString& orgId, const QString& tenantId);

// A tenant as every list shows it: the model, and its JSON (Tenant::toJson, compact; without anyone's grants).
struct ListedTenant
{
    models::Tenant tenant;
    QByteArray json;
};

// One page of the organization's tenants, ordered by id, starting after `afterId`. With `grantedTo`, only the tenants
// that some policy naming that person (directly or through a group) covers.
//
// Parsing a stored tenant and rendering its JSON were most of the cost of a tenant list, and tenants change seldom:
// both are made once per distinct stored row and kept, on this thread, for up to kListedTenantsKept tenants. What is
// kept is looked up by the whole row as read in this query — every column, not the version — so a change to any
// column, by any writer or process, makes them again; nothing else needs to tell this of a change.
Result<QList<std::shared_ptr<const ListedTenant>>> loadTenantPage(store::Database& db, const QString& orgId,
                                                                  const QString& afterId, int limit,
                                                                  const QString& grantedTo = {});
inline constexpr int kListedTenantsKept = 4096;

// Whether some policy naming `personId` covers the tenant.
Result<bool> isGranted(store::Database& db, const QString& orgId, const QString& tenantId, const QString& personId);

// Inserts the tenant. Refuses a name the organization already uses with "store.constraint".
Result<void> insertTenant(store::Database& db, const models::Tenant& tenant);

// Writes the tenant's admin-set fields and version only if the stored row still has `expectedVersion`; false when it
// does not. Refuses a name the organization already uses with "store.constraint".
Result<bool> saveTenant(store::Database& db, const models::Tenant& tenant, qint64 expectedVersion);

// Deletes the tenant, its place in policies and its finished checkouts (their history stays in the audit log), and
// returns how many checkouts went. The caller makes sure no checkout is still open.
Result<qint64> removeTenant(store::Database& db, const QString& orgId, const QString& tenantId);

} // namespace stint::cloud::tenants
