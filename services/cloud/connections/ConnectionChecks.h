// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/audit/Actor.h"
#include "entra/EntraGateway.h"
#include "models/Tenant.h"
#include "store/Database.h"

#include <QJsonObject>

#include <functional>

// Proving and checking a tenant's connection: entra::EntraGateway::inspect() runs on the worker pool; its result is
// applied on the service thread in one transaction (status, proven tenant id, report, audit, live events, alerts).
namespace stint::cloud {
struct CloudContext;
}

namespace stint::cloud::connections {

// The connection report as the API shows it.
QJsonObject reportJson(const entra::ConnectionReport& report);

// Findings Stint adds to the gateway's: the per-customer credential's expiry (error once expired, warning within
// 30 days), and a warning when the proven tenant is not the one the redirect or the admin named.
QList<entra::HealthFinding> localFindings(std::optional<TimeMs> credentialExpiresAt, TimeMs now,
                                          const QString& candidate, const QString& proven);

// Finding codes the tenant's own settings can earn (settingsFindings).
inline constexpr auto kDomainNotVerified = "domain.not_verified";
inline constexpr auto kTapDisabled = "tap.disabled";

// What the tenant's settings ask of the tenant, judged against a check's report (reportJson's output): the account
// domain must be one of the tenant's verified domains that accounts can be made on (kDomainNotVerified, naming them),
// and a credential kind that hands out Temporary Access Passes needs the tenant's TAP policy on (kTapDisabled, when
// the report found it off). Both are errors: every checkout would fail. Nothing is judged that the report could not
// read (no domains listed, the policy unreadable).
QList<entra::HealthFinding> settingsFindings(const models::TenantConnection& settings, const QJsonObject& report);

// settingsFindings() against the report of the tenant's last check; none before a first check.
Result<QList<entra::HealthFinding>> settingsFindingsNow(store::Database& db, const QString& orgId,
                                                        const QString& tenantId,
                                                        const models::TenantConnection& settings);

// One finding as the report shows it: {severity, code, message}.
QJsonObject findingJson(const entra::HealthFinding& finding);

// Records an answer from Entra that proves the app or its credential gone (entra::provesCredentialGone), met by the
// provisioning engine between health checks: the error becomes the connection's last error at once, and a tenant
// that was connected becomes unhealthy — audited (tenant.connection.lost), announced (tenant.connection), alerted
// (alert.raised "tenant.connection_lost"; both also go to webhooks) — and its ready checkouts say why in their
// stateReason. A tenant already unhealthy only gets the new last error.
Result<void> recordConnectionLost(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                  const Error& error);

// Starts a health check of the tenant: resolves its access (candidateTenantId: the tenant to prove when none is
// proven yet), runs inspect() on the worker pool, and applies the result when it comes back. `done` (optional) runs
// after the result is applied. Fails at once (nothing started) when the tenant cannot be addressed.
Result<void> startHealthCheck(CloudContext& cloud, const models::Tenant& tenant, const QString& candidateTenantId,
                              const Actor& actor, std::function<void()> done = {});

// Completes a connection through the customer's own app registration (authorization code + PKCE, the second
// connection kind): on the worker pool it redeems the code for the admin who signed in
// (EntraGateway::redeemAuthorizationCode) and proves that admin's tenant with inspect(); the result is applied on the
// service thread like a health check. The signed-in tenant (the id_token's `tid`) must be the one inspect() proves,
// and the one already bound when there is one ("entra.tenant_mismatch"). A refused redemption (bad, expired, replayed
// or foreign code, wrong verifier, an AADSTS error) or a mismatch binds nothing and leaves the report alone: it becomes
// the connection's lastError and a failed "tenant.connect" audit event, and a tenant not yet proven goes back to
// not_connected. `redemption.tenant` carries the endpoints, the tenant segment of the authorize leg and the app.
void startCodeConnection(CloudContext& cloud, const models::Tenant& tenant, entra::CodeRedemption redemption,
                         const Actor& actor, std::function<void()> done = {});

// Records a check that could not even start (no usable credential any more, an unreadable configured secret…) as a
// failed check of the tenant: a proven tenant becomes unhealthy and the admins are alerted.
Result<void> recordCheckFailure(CloudContext& cloud, const models::Tenant& tenant, const Error& error,
                                const Actor& actor);

// Records a live event for the organization's admins inside the current transaction, and an alert
// ("alert.raised": {code, severity, tenantId, message}) where something needs an admin.
Result<void> publishConnection(CloudContext& cloud, const models::Tenant& tenant);
Result<void> raiseAlert(CloudContext& cloud, const QString& orgId, const QString& tenantId, const QString& code,
                        const QString& message, const QJsonObject& details = {});

// Ends the tenant's live checkouts because its connection is gone or no longer trusted.
Result<int> revokeCheckoutsOfTenant(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                    const QString& reason);


} // namespace stint::cloud::connections
