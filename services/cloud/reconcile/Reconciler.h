// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/connections/ConnectionChecks.h"
#include "cloud/http/Router.h"

#include <QSet>

// Reconciliation: Stint's accounts in a customer tenant must be disabled and hold no role unless a live checkout of
// their technician says otherwise. Run per connected tenant on a schedule (EntraConfig::reconcileIntervalMinutes)
// and on demand. Graph work runs on the worker pool in two steps — list, then revoke what the store (read again on
// the service thread in between) says is drift — so that a checkout that went live meanwhile is not revoked. A live
// checkout's account that the store does not know by id yet (its provision still running, or cut off by a restart)
// is recognised by the name the engine gives it (naming rule @ account domain) and left to the engine.
namespace stint::cloud::reconcile {

// The accounts of the tenant that a live checkout (provisioning, ready, revoking, revoke_failed) covers. The one
// place that joins checkouts to Entra accounts. nullopt when the store cannot say (no account mapping yet) and the
// tenant has live checkouts: then nothing is revoked, only reported.
Result<std::optional<QSet<QString>>> protectedAccountIds(store::Database& db, const QString& orgId,
                                                         const QString& tenantId);

// Starts reconciling the tenant; `done` runs after the result is recorded.
Result<void> startReconcile(CloudContext& cloud, const models::Tenant& tenant, const connections::CheckActor& actor,
                            std::function<void()> done = {});

Reply reconcileTenant(RequestContext& ctx); // POST /v1/tenants/{tenantId}/reconcile

} // namespace stint::cloud::reconcile
