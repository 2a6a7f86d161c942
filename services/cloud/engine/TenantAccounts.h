// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "entra/EntraGateway.h"
#include "store/Database.h"

#include <optional>

// What the provisioning engine keeps about the accounts it made: one named account per technician and tenant, found
// again by its object id on the next checkout (and re-enabled rather than made anew), and what it was last granted, so
// that revoking it takes 2 Graph round trips also after a restart (the revocation's read-back still decides).
namespace stint::cloud::engine {

// The account Stint made for a technician in a tenant, found again by id on the next checkout.
struct TenantAccount
{
    QString orgId;
    QString tenantId;
    QString personId;
    QString accountId;
    QString userPrincipalName;
    TimeMs createdAt = 0;
    // What the last provision left it holding; unset when not known (before one, once a revocation job took it, or a
    // record this code cannot read).
    std::optional<entra::GrantedObjects> granted;
};
Result<std::optional<TenantAccount>> loadTenantAccount(store::Database& db, const QString& tenantId,
                                                       const QString& personId);
// Inserts or replaces the row of (tenantId, personId), its grants included.
Result<void> recordTenantAccount(store::Database& db, const TenantAccount& account);
// The account's Temporary Access Pass was replaced by `passId` (a renewal): the grants name the new one. Nothing when
// its grants are not known.
Result<void> recordRenewedPass(store::Database& db, const QString& tenantId, const QString& personId,
                               const QString& passId);
// Its grants were handed to a revocation job, which may change them: not known any more until the next provision
// records them.
Result<void> forgetGrants(store::Database& db, const QString& tenantId, const QString& personId);
// Forgets it (the account was deleted, or is gone from the tenant).
Result<void> forgetTenantAccount(store::Database& db, const QString& tenantId, const QString& personId);

} // namespace stint::cloud::engine
