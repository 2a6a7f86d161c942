// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

// A customer tenant's Entra connection as an admin sees it (GET /v1/tenants/{id}/connection): how Stint reaches the
// tenant, what the last health check found and what to do about it. The desktop side's reading of the cloud's JSON;
// the cloud writes it in cloud/connections/.
namespace stint::models {

// One thing the health check found: severity "error" (Stint cannot work), "warning" (it works, with a catch) or
// "info". `code` is stable (permission_missing, role_missing, tap_policy_disabled, credential_expiring …).
struct ConnectionFinding
{
    QString severity;
    QString code;
    QString message;

    static Result<ConnectionFinding> fromJson(const QJsonObject& o);
};

struct VerifiedDomain
{
    QString name;
    bool isDefault = false;
    bool isInitial = false;
};

struct RoleDefinition
{
    QString id;
    QString displayName;
    QString description;
    bool isBuiltIn = true;
    bool isPrivileged = false;
};

// What the health check read from the tenant.
struct ConnectionReport
{
    QString entraTenantId;
    QString displayName;
    QList<VerifiedDomain> domains;
    QList<RoleDefinition> roleDefinitions;
    QStringList grantedPermissions;
    QStringList servicePrincipalRoles;
    std::optional<TimeMs> credentialExpiresAt;
    QList<ConnectionFinding> findings;
    bool healthy = false;
    TimeMs checkedAt = 0;

    static Result<ConnectionReport> fromJson(const QJsonObject& o);
};

// The customer's own app registration, when the tenant uses one (never the secret or key).
struct ConnectionCredentialSummary
{
    QString kind; // "client_secret" | "certificate"
    QString clientId;
    QString certificateThumbprint;
    std::optional<TimeMs> certificateNotAfter;
    std::optional<TimeMs> secretExpiresAt;
};

struct ConnectionState
{
    QString tenantId;
    QString status; // not_connected | connecting | verifying | connected | unhealthy
    std::optional<QString> entraTenantId;
    QString nationalCloud;
    std::optional<ConnectionCredentialSummary> credential;
    bool usesMultiTenantApp = true;
    bool multiTenantAppConfigured = false;
    std::optional<ConnectionReport> report;
    std::optional<TimeMs> checkedAt;
    std::optional<Error> lastError;
    std::optional<TimeMs> lastReconciledAt;
    int driftFound = 0;

    static Result<ConnectionState> fromJson(const QJsonObject& o);
};

// POST …/connection/start: where to send the browser.
struct ConnectStart
{
    QString authorizationUrl;
    QString state;
    TimeMs expiresAt = 0;

    static Result<ConnectStart> fromJson(const QJsonObject& o);
};

// The two ways to connect a tenant (POST …/connection/start "kind").
inline constexpr auto kConnectAdminConsent = "admin_consent";
inline constexpr auto kConnectAuthorizationCode = "authorization_code";

} // namespace stint::models
