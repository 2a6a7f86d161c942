// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"
#include "store/Database.h"

#include <optional>

// Reading and writing checkout rows. Only CheckoutStateMachine writes them (so that every change of state is checked,
// audited and announced); everything else reads.
namespace stint::cloud::checkouts {

// With an empty orgId the checkout is found in any organization (for the scheduler, which serves them all).
Result<std::optional<models::Checkout>> loadCheckout(store::Database& db, const QString& orgId,
                                                     const QString& checkoutId);

struct CheckoutFilter
{
    QString technicianId; // empty: anyone's
    QString tenantId;     // empty: any tenant
    std::optional<models::CheckoutState> state;
    QString afterId; // paging: ids greater than this
    int limit = 50;
};
Result<QList<models::Checkout>> loadCheckouts(store::Database& db, const QString& orgId, const CheckoutFilter& filter);

// The technician's checkout of the tenant that has not reached a final state, if any.
Result<std::optional<models::Checkout>> openCheckoutOf(store::Database& db, const QString& orgId,
                                                       const QString& tenantId, const QString& technicianId);
// How many checkouts of the tenant have not reached a final state.
Result<qint64> countOpenCheckouts(store::Database& db, const QString& orgId, const QString& tenantId);

// The ids of checkouts (of every organization) in one of `states` whose next action is due at or before `now`,
// the longest overdue first: the work list of the scheduler and the provisioning engine.
Result<QStringList> dueCheckouts(store::Database& db, const QList<models::CheckoutState>& states, TimeMs now,
                                 int limit);

Result<void> insertCheckout(store::Database& db, const models::Checkout& checkout);
// Writes every mutable column only if the stored row still has `expectedVersion`; false when it does not.
Result<bool> updateCheckout(store::Database& db, const models::Checkout& checkout, qint64 expectedVersion);

} // namespace stint::cloud::checkouts
