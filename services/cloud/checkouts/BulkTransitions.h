// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudContext.h"
#include "models/Checkout.h"
#include "models/Tenant.h"

#include <QList>

#include <initializer_list>

// Transitions of many checkouts at once, when something they depend on goes away: a tenant's connection, or the
// policy that granted them. Each runs in the caller's transaction when there is one (the request that disconnected the
// tenant or changed the policy), else in one of its own, through the state machine like every other change.
namespace stint::cloud::checkouts {

// The checkouts of `orgId` in any of `states` (of one tenant, or of all when `tenantId` is empty), read in pages.
Result<QList<models::Checkout>> liveCheckouts(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                              std::initializer_list<models::CheckoutState> states);

// Whether some policy still grants the checkout's technician its tenant with all of its roles.
Result<bool> stillGranted(CloudContext& cloud, const models::Checkout& c, const models::Tenant& tenant);

// Revokes every live checkout of a tenant whose connection is lost (deleted, disconnected, broken beyond
// "unhealthy"): provisioning and ready ones go revoking with `reason`, requested and awaiting_approval ones are
// cancelled. Returns how many checkouts were moved.
Result<int> revokeTenantCheckouts(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                  const QString& reason);

// Says why on each of the tenant's checkouts in `states`, keeping their state (CheckoutStateMachine::note): its
// connection was lost while they are ready, say. Returns how many were noted.
Result<int> noteTenantCheckouts(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                std::initializer_list<models::CheckoutState> states, const QString& reason);

// After a change of policies or tenants: every provisioning or ready checkout of the organization that no policy
// grants any more (its tenant, or one of its roles, for its technician) goes revoking with reason "policy_removed".
// Returns how many were moved.
Result<int> revokeUngrantedCheckouts(CloudContext& cloud, const QString& orgId);

} // namespace stint::cloud::checkouts
