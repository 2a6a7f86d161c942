// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/connections/ConnectionChecks.h"
#include "cloud/http/Router.h"

#include <QSet>

// Reconciliation: Stint's accounts in a customer tenant must be disabled and hold no role unless a live checkout of
// their technician says otherwise. Run per connected tenant on a schedule (EntraConfig::reconcileIntervalMinutes)
// and on demand. Graph work runs on the worker pool in two steps — list, then revoke what is drift. The listing is a
// picture taken at some moment while it ran, so an account is drift only if no live checkout covered it either when
// the listing began or when it ended (the store is read on the service thread at both ends): a checkout that went
// live meanwhile is not revoked, and one that ended meanwhile — its revocation confirmed, while the listing may still
// show the account as it was before — is not taken for drift either.
namespace stint::cloud::reconcile {

// The accounts of the tenant that a live checkout (provisioning, ready, revoking, revoke_failed) covers. The one
// place that joins checkouts to Entra accounts: by the account id the engine recorded (tenant_accounts), and by
// user principal name — the one a ready checkout names, and the one the engine is about to create or find for a
// checkout still provisioning (its account id is recorded only when the job is done, so a reconciliation listing the
// tenant mid-provision must not take the new account for drift).
struct ProtectedAccounts
{
    QSet<QString> accountIds; // lowercase
    QSet<QString> userPrincipalNames; // lowercase

    bool covers(const entra::ManagedAccount& account) const
    {
        return accountIds.contains(account.accountId.toLower())
            || userPrincipalNames.contains(account.userPrincipalName.toLower());
    }
    void add(const ProtectedAccounts& other)
    {
        accountIds.unite(other.accountIds);
        userPrincipalNames.unite(other.userPrincipalNames);
    }
};
Result<ProtectedAccounts> protectedAccounts(store::Database& db, const QString& orgId, const QString& tenantId);

// Starts reconciling the tenant; `done` runs after the result is recorded.
Result<void> startReconcile(CloudContext& cloud, const models::Tenant& tenant, const Actor& actor,
                            std::function<void()> done = {});

Reply reconcileTenant(RequestContext& ctx); // POST /v1/tenants/{tenantId}/reconcile

} // namespace stint::cloud::reconcile
