// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "store/Database.h"

#include <optional>

// What the provisioning engine keeps about the accounts it made: one named account per technician and tenant, found
// again by its object id on the next checkout (and re-enabled rather than made anew).
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
};
Result<std::optional<TenantAccount>> loadTenantAccount(store::Database& db, const QString& tenantId,
                                                       const QString& personId);
// Inserts or replaces the row of (tenantId, personId).
Result<void> recordTenantAccount(store::Database& db, const TenantAccount& account);
// Forgets it (the account was deleted, or is gone from the tenant).
Result<void> forgetTenantAccount(store::Database& db, const QString& tenantId, const QString& personId);

} // namespace stint::cloud::engine
