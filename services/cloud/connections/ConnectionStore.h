// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "models/Tenant.h"
#include "store/Database.h"

#include <QJsonObject>

#include <optional>

// The connection side of a tenant record: its status and proven Entra tenant id (columns of `tenants`), the last
// health check and reconciliation (tenant_connections) and the one-time states of the connect flow (connect_states).
namespace stint::cloud::connections {

// Connection statuses (tenants.connection_status).
inline const QString kNotConnected = QStringLiteral("not_connected");
inline const QString kConnecting = QStringLiteral("connecting"); // a connect flow was started
inline const QString kVerifying = QStringLiteral("verifying");   // the proof of a new connection is running
inline const QString kConnected = QStringLiteral("connected");   // proven and healthy
inline const QString kUnhealthy = QStringLiteral("unhealthy");   // proven, but the last check found an error

struct ConnectionRecord
{
    QJsonObject report;    // the last successful inspection (see reportJson in ConnectionChecks)
    QJsonObject lastError; // {code, message} of the last failed check or connect attempt; {} when none
    std::optional<TimeMs> checkedAt;
    std::optional<TimeMs> reconciledAt;
    qint64 driftFound = 0; // accounts the last reconciliation found and revoked
    QJsonObject reconcileSummary;
};

Result<ConnectionRecord> loadConnectionRecord(store::Database& db, const QString& orgId, const QString& tenantId);
// Stores the result of a health check (an empty `report` keeps the previous report).
Result<void> saveCheckResult(store::Database& db, const QString& orgId, const QString& tenantId,
                             const QJsonObject& report, const QJsonObject& lastError, TimeMs checkedAt);
// Records why a connect attempt failed before any check ran (a refused code, a sign-in to another tenant): only the
// last error changes, the report and the time of the last check stay.
Result<void> saveConnectError(store::Database& db, const QString& orgId, const QString& tenantId,
                              const QJsonObject& lastError, TimeMs now);
Result<void> saveReconcileResult(store::Database& db, const QString& orgId, const QString& tenantId,
                                 const QJsonObject& summary, qint64 driftFound, TimeMs reconciledAt);
Result<void> clearConnectionRecord(store::Database& db, const QString& orgId, const QString& tenantId);

// Sets the tenant's status (and, when given, its Entra tenant id; an empty string clears it), bumping its version.
Result<void> setConnectionStatus(store::Database& db, const QString& orgId, const QString& tenantId,
                                 const QString& status, const std::optional<QString>& entraTenantId, TimeMs now);

// The tenant record (of any organization) bound to an Entra tenant id, other than `exceptTenantId`.
Result<std::optional<QString>> tenantBoundTo(store::Database& db, const QString& entraTenantId,
                                             const QString& exceptTenantId);

// Every tenant of every organization whose connection was proven (connected or unhealthy).
Result<QList<models::Tenant>> provenTenants(store::Database& db);

// --- The connect flow's one-time state ---------------------------------------------------------------------------

struct ConnectState
{
    QString orgId;
    QString tenantId;
    QString sessionId;
    QString personId;
    QString kind; // admin_consent | authorization_code
    QString redirectUri;
    QString tenantHint;
    QByteArray sealedVerifier; // PKCE verifier, sealed (authorization_code only)
    TimeMs createdAt = 0;
    TimeMs expiresAt = 0;
    std::optional<TimeMs> usedAt;
};

Result<void> insertConnectState(store::Database& db, const QByteArray& stateHash, const ConnectState& state);
Result<std::optional<ConnectState>> loadConnectState(store::Database& db, const QByteArray& stateHash);
// Marks the state used; false when it already was (a concurrent completion).
Result<bool> markConnectStateUsed(store::Database& db, const QByteArray& stateHash, TimeMs now);
// Forgets states that expired before `cutoff`.
Result<void> pruneConnectStates(store::Database& db, TimeMs cutoff);

} // namespace stint::cloud::connections
