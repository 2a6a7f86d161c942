// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/engine/TapRenewal.h"

#include "cloud/CloudTransaction.h"
#include "cloud/audit/Actor.h"
#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/connections/ConnectionChecks.h"
#include "cloud/connections/TenantAccess.h"
#include "cloud/checkouts/CredentialVault.h"
#include "cloud/engine/TenantAccounts.h"
#include "cloud/engine/ProvisioningEngine.h"
#include "cloud/WorkerPool.h"
#include "cloud/tenants/TenantStore.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcTapRenewal, "stint.cloud.engine.tap")

namespace stint::cloud::engine {

namespace {

const QString kAction = QStringLiteral("checkout.credential_renewed");

// occurredAt 0: the log stamps it when appended, once the answer is back on the service thread.
AuditEvent renewalEvent(const models::Checkout& c, const QString& outcome, QJsonObject details)
{
    AuditEvent e = auditEventFor(Actor::system(), c.orgId, kAction, AuditTarget::checkout(c.id, c.tenantId), 0, outcome);
    e.details = std::move(details);
    return e;
}

void recordFailure(CloudContext& cloud, const models::Checkout& c, const Error& error)
{
    qCWarning(lcTapRenewal) << "renewing the Temporary Access Pass of" << c.id << "failed:" << error.code;
    if (auto logged = cloud.audit.append(renewalEvent(c, QStringLiteral("failure"),
                                                      {{QStringLiteral("error"), error.code},
                                                       {QStringLiteral("detail"), error.message.left(300)}}));
        !logged)
        qCWarning(lcTapRenewal) << "auditing the failed renewal failed:" << logged.error().code;
}

// On the service thread: the new pass goes into the vault if the checkout is still ready and still has a credential.
void apply(CloudContext& cloud, const QString& orgId, const QString& checkoutId,
           Result<entra::IssuedTemporaryAccessPass> renewed)
{
    auto loaded = checkouts::loadCheckout(cloud.db, orgId, checkoutId);
    if (!loaded || !loaded->has_value())
        return;
    const models::Checkout c = **loaded;
    if (!renewed) {
        if (entra::provesCredentialGone(renewed.error()))
            (void)connections::recordConnectionLost(cloud, c.orgId, c.tenantId, renewed.error());
        return recordFailure(cloud, c, renewed.error());
    }
    // The new pass replaced the old one in Entra whatever the checkout's state now: the revocation's hint names it.
    if (auto recorded = recordRenewedPass(cloud.db, c.tenantId, c.technicianId, renewed->id); !recorded)
        qCWarning(lcTapRenewal) << "recording the renewed pass of" << c.id << "failed:" << recorded.error().code;
    if (c.state != models::CheckoutState::Ready) {
        qCInfo(lcTapRenewal) << "renewed pass of" << c.id << "dropped: the checkout is no longer ready";
        return;
    }
    auto stored = inCloudTransaction(cloud, [&]() -> Result<void> {
        auto credential = checkouts::openCredential(cloud, orgId, checkoutId);
        if (!credential)
            return credential.error();
        if (!credential->has_value())
            return makeError(QStringLiteral("engine.no_credential"), QStringLiteral("The credential is gone."));
        checkouts::IssuedCredential& updated = **credential;
        updated.temporaryAccessPass = std::move(renewed->pass);
        updated.temporaryAccessPassExpiresAt = renewed->expiresAt;
        STINT_TRY(checkouts::storeCredential(cloud, orgId, checkoutId, updated));
        QJsonObject details{{QStringLiteral("validUntil"), toRfc3339(renewed->expiresAt)},
                            {QStringLiteral("checkoutExpiresAt"), toRfc3339(c.expiresAt.value_or(0))},
                            {QStringLiteral("graphRoundTrips"), renewed->graphRoundTrips}};
        if (!renewed->notes.isEmpty())
            details.insert(QStringLiteral("notes"), QJsonArray::fromStringList(renewed->notes));
        if (auto logged = cloud.audit.append(renewalEvent(c, QStringLiteral("success"), details)); !logged)
            return logged.error();
        return {};
    });
    if (!stored)
        return recordFailure(cloud, c, stored.error());
    if (cloud.checkoutChanged)
        cloud.checkoutChanged(c, models::CheckoutState::Ready); // the webhooks hear of the new pass
}

} // namespace

Result<bool> renewTemporaryAccessPassIfShort(CloudContext& cloud, const models::Checkout& checkout)
{
    if (checkout.state != models::CheckoutState::Ready || !checkout.expiresAt)
        return false;
    auto credential = checkouts::openCredential(cloud, checkout.orgId, checkout.id);
    if (!credential)
        return credential.error();
    if (!credential->has_value() || (*credential)->temporaryAccessPass.isEmpty()
        || !(*credential)->temporaryAccessPassExpiresAt
        || *(*credential)->temporaryAccessPassExpiresAt >= *checkout.expiresAt)
        return false;
    auto tenant = tenants::loadTenant(cloud.db, checkout.orgId, checkout.tenantId);
    if (!tenant)
        return tenant.error();
    auto account = loadTenantAccount(cloud.db, checkout.tenantId, checkout.technicianId);
    if (!account)
        return account.error();
    if (!tenant->has_value() || !account->has_value())
        return makeError(QStringLiteral("engine.missing"), QStringLiteral("The checkout's tenant or account is unknown."));
    auto access = connections::tenantAccess(cloud, **tenant);
    if (!access)
        return access.error();

    entra::TapRenewal request;
    request.tenant = std::move(*access);
    request.accountId = (*account)->accountId;
    // Whole minutes to the new end, and one more: Graph dates the pass from its own clock, to the second.
    request.windowMinutes = int((*checkout.expiresAt - cloud.clock.now() + 59'999) / 60'000) + 1;
    entra::EntraGateway* gateway = &cloud.entra;
    CloudContext* context = &cloud; // the pool drops completions once the service stops
    cloud.workers.run([gateway, request = std::move(request)]() { return gateway->renewTemporaryAccessPass(request); },
                      [context, orgId = checkout.orgId, id = checkout.id](Result<entra::IssuedTemporaryAccessPass> renewed) {
                          apply(*context, orgId, id, std::move(renewed));
                      });
    return true;
}

} // namespace stint::cloud::engine
