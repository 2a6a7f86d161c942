// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/checkouts/BulkTransitions.h"

#include "cloud/CloudTransaction.h"
#include "cloud/checkouts/CheckoutStateMachine.h"
#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/policies/PolicyStore.h"
#include "cloud/tenants/TenantStore.h"

#include <QHash>

namespace stint::cloud::checkouts {

using models::CheckoutState;

namespace {
constexpr int kLiveBatch = 500;
} // namespace

Result<bool> stillGranted(CloudContext& cloud, const models::Checkout& c, const models::Tenant& tenant)
{
    auto named = policies::policiesNaming(cloud.db, c.orgId, c.technicianId, tenant.id);
    if (!named)
        return named.error();
    for (const models::TenantGrant& g : policies::grantsIn(tenant, *named)) {
        if (g.grantsAll(c.roleDefinitionIds))
            return true;
    }
    return false;
}

Result<QList<models::Checkout>> liveCheckouts(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                              std::initializer_list<CheckoutState> states)
{
    QList<models::Checkout> out;
    for (CheckoutState state : states) {
        CheckoutFilter filter;
        filter.tenantId = tenantId;
        filter.state = state;
        filter.limit = kLiveBatch;
        while (true) {
            auto page = loadCheckouts(cloud.db, orgId, filter);
            if (!page)
                return page.error();
            out.append(*page);
            if (page->size() < kLiveBatch)
                break;
            filter.afterId = page->last().id;
        }
    }
    return out;
}

Result<int> revokeTenantCheckouts(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                  const QString& reason)
{
    int moved = 0;
    auto done = inCloudTransaction(cloud, [&]() -> Result<void> {
        auto live = liveCheckouts(cloud, orgId, tenantId,
                                  {CheckoutState::Requested, CheckoutState::AwaitingApproval,
                                   CheckoutState::Provisioning, CheckoutState::Ready});
        if (!live)
            return live.error();
        CheckoutStateMachine machine(cloud);
        for (const models::Checkout& c : *live) {
            const bool granted = c.state == CheckoutState::Provisioning || c.state == CheckoutState::Ready;
            auto result = machine.transition(c, {granted ? CheckoutState::Revoking : CheckoutState::Cancelled, reason},
                                             Actor::system());
            if (!result)
                return result.error();
            ++moved;
        }
        return {};
    });
    if (!done)
        return done.error();
    return moved;
}

Result<int> noteTenantCheckouts(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                std::initializer_list<CheckoutState> states, const QString& reason)
{
    int noted = 0;
    auto done = inCloudTransaction(cloud, [&]() -> Result<void> {
        auto live = liveCheckouts(cloud, orgId, tenantId, states);
        if (!live)
            return live.error();
        CheckoutStateMachine machine(cloud);
        for (const models::Checkout& c : *live) {
            auto result = machine.note(c, reason, Actor::system());
            if (!result)
                return result.error();
            ++noted;
        }
        return {};
    });
    if (!done)
        return done.error();
    return noted;
}

Result<int> revokeUngrantedCheckouts(CloudContext& cloud, const QString& orgId)
{
    int moved = 0;
    auto done = inCloudTransaction(cloud, [&]() -> Result<void> {
        auto live = liveCheckouts(cloud, orgId, {}, {CheckoutState::Provisioning, CheckoutState::Ready});
        if (!live)
            return live.error();
        CheckoutStateMachine machine(cloud);
        QHash<QString, std::optional<models::Tenant>> tenantsById;
        for (const models::Checkout& c : *live) {
            if (!tenantsById.contains(c.tenantId)) {
                auto t = tenants::loadTenant(cloud.db, orgId, c.tenantId);
                if (!t)
                    return t.error();
                tenantsById.insert(c.tenantId, *t);
            }
            const std::optional<models::Tenant>& tenant = tenantsById.value(c.tenantId);
            bool granted = false;
            if (tenant) {
                auto still = stillGranted(cloud, c, *tenant);
                if (!still)
                    return still.error();
                granted = *still;
            }
            if (granted)
                continue;
            auto result =
                machine.transition(c, {CheckoutState::Revoking, QStringLiteral("policy_removed")}, Actor::system());
            if (!result)
                return result.error();
            ++moved;
        }
        return {};
    });
    if (!done)
        return done.error();
    return moved;
}

} // namespace stint::cloud::checkouts
