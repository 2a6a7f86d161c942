// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudConfig.h"
#include "entra/EntraGateway.h"
#include "models/Tenant.h"

// How the cloud addresses one customer tenant through the Entra gateway: its national cloud's endpoints and the app
// credential to use there (the tenant's own app registration when the admin set one, else the MSP's multi-tenant
// app from the configuration). The provisioning engine resolves every tenant through tenantAccess().
namespace stint::cloud {
struct CloudContext;
}

namespace stint::cloud::connections {

// The authority and Graph root of a national cloud ("global", "usgov", "china"; protocols.md 1.7), as configured.
entra::CloudEndpoints endpointsFor(const EntraConfig& config, const QString& nationalCloud);

// Whether the configuration names the MSP's multi-tenant app (client id and a secret file or a certificate + key).
bool mspAppConfigured(const EntraConfig& config);

// Reads the MSP app's secret or certificate + key from their files. Refuses a secret file that group or others may
// read or write ("config.secret_permissions"), a missing or empty one ("config.secret_missing"), and a configuration
// without the app ("connection.no_msp_app").
Result<entra::AppCredential> loadMspApp(const EntraConfig& config);

// Checks what loadMspApp would read, for `serve` to refuse a bad configuration at start. Ok when no app is set.
Result<void> checkMspAppConfig(const EntraConfig& config);

// The tenant as the gateway addresses it: endpoints of its national cloud, its proven Entra tenant id (or
// `candidateTenantId` while it is being proven), and the credential — the per-customer app if set, else the MSP
// app. Errors: "connection.no_credential" when neither exists, "connection.no_tenant_id" when there is no tenant id
// to address, store and unsealing errors.
Result<entra::TenantAccess> tenantAccess(CloudContext& cloud, const models::Tenant& tenant);
Result<entra::TenantAccess> tenantAccess(CloudContext& cloud, const models::Tenant& tenant,
                                         const QString& candidateTenantId);

// A tenant id as Entra writes it (a GUID), lowercased; nullopt for anything else.
std::optional<QString> normalizeTenantGuid(const QString& text);

} // namespace stint::cloud::connections
