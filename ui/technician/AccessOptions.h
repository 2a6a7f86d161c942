// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"
#include "models/Tenant.h"

#include <QList>
#include <QString>
#include <optional>

// What a technician may ask for in a tenant, worked out from the tenant's myGrants the way the service decides it
// (cloud/api/CheckoutsApi: a request is matched against the grants covering every role asked for and allowing
// the duration; the most permissive one — no approval first, fewer required fields, longer maximum, then policy id —
// is chosen). The request and extend dialogs show from here what the service will answer, so the technician sees
// "needs approval" or "ticket required" before sending; the service still decides, and its 422 is shown if it differs.
namespace stint::ui::access {

struct RoleOption
{
    QString roleDefinitionId;
    QString displayName;
    bool approvalAlways = false; // every grant offering this role needs an admin's approval
};

// The roles my grants offer here (their union), by display name.
QList<RoleOption> roleOptions(const models::Tenant& tenant);
// The grants that grant every role in `roleIds`, most permissive first.
QList<models::TenantGrant> covering(const models::Tenant& tenant, const QStringList& roleIds);
// The longest window those grants allow (0 when none covers the roles).
int maxMinutes(const models::Tenant& tenant, const QStringList& roleIds);
// The grant the service will choose for this request, if any fits.
std::optional<models::TenantGrant> chosenGrant(const models::Tenant& tenant, const QStringList& roleIds, int minutes);

// Durations offered for a window of at most `maxMinutes`: 15 min … 24 h steps up to it, plus the maximum itself and
// `preferred` (when within bounds), ascending, each at least models::kMinDurationMinutes.
QList<int> durationSteps(int maxMinutes, int preferred = 0);
// The tenant's default duration, clamped to [kMinDurationMinutes, maxMinutes].
int defaultMinutes(const models::Tenant& tenant, int maxMinutes);

// How many more minutes a ready checkout may be extended by: the longest window the grants covering its roles (and
// the tenant) allow, counted from readyAt, minus the window it has. 0 at the limit; nullopt when not known (no
// readyAt/expiresAt, or no covering grant in the tenant as this app sees it — the service then decides).
std::optional<int> extendAllowance(const models::Tenant& tenant, const models::Checkout& checkout);
// Extension steps (15 min, 30 min, 1 h, 2 h, 4 h) within `allowance`, plus the allowance itself when it is not one.
QList<int> extendSteps(int allowance);
// The step one-click Extend (from the expiry notification) uses: 30 minutes, or what the policy still allows.
int oneClickExtendMinutes(std::optional<int> allowance);

} // namespace stint::ui::access
