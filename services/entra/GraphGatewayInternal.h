// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "entra/GraphGateway.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>

#include <algorithm>
#include <optional>

// The real EntraGateway (entra/GraphGateway.h) inside: its jobs live one to a file, and this header holds what they
// share; nothing else includes it.
//   GraphInspection.cpp    reading a tenant: organization, domains, role definitions, the TAP policy, the app's
//                          permissions and roles, the connection's health; Stint's accounts for reconciliation
//   GraphProvisioning.cpp  an account made or found, its password, its roles, Temporary Access Passes (also renewed)
//   GraphRevocation.cpp    roles off, password rotated, sessions revoked, account disabled (deleted when asked), and
//                          the read-back that proves it
//   GraphGateway.cpp       construction (clocks and waits), the Graph request helpers below, newAccountPassword and
//                          makeGraphGateway
namespace stint::entra::detail {

using Assignment = GrantedObjects::RoleAssignment;

class GraphGateway final : public EntraGateway
{
public:
    explicit GraphGateway(GraphGatewayOptions options);

    Result<ConnectionReport> inspect(const TenantAccess& tenant) override;
    Result<ProvisionResult> provision(const ProvisionRequest& request) override;
    Result<RevokeReport> revoke(const RevokeRequest& request) override;
    Result<IssuedTemporaryAccessPass> renewTemporaryAccessPass(const TapRenewal& request) override;
    Result<QList<ManagedAccount>> listManagedAccounts(const TenantAccess& tenant) override;

private:
    static GraphGatewayOptions prepare(GraphGatewayOptions options);
    TimeMs now() const { return (m_options.clock ? m_options.clock : &m_systemClock)->now(); }
    void readBackPause(int attempt) { m_options.sleep(m_options.readBackBaseDelayMs << std::min(attempt, 5)); }

    // Every page of a collection (follows @odata.nextLink under the Graph root).
    Result<QJsonArray> listAll(const TenantAccess& tenant, const QString& url, int* roundTrips, const QString& what);
    Result<std::optional<QJsonObject>> findUser(const TenantAccess& tenant, const QString& idOrUpn, bool lag,
                                                int* roundTrips);

    // The last Temporary Access Pass policy seen in a tenant (by any read), so that a provision can ask for the
    // right lifetime in the same $batch that reads the policy again; the documented defaults until one is seen.
    TapPolicy knownTapPolicy(const TenantAccess& tenant) const;
    void rememberTapPolicy(const TenantAccess& tenant, const TapPolicy& policy);

    // What this gateway last granted an account (its role assignments, its pass), so that revoking it can start
    // with the writes instead of a read. Hints only: the read-back decides, and what they missed is taken away in
    // a further round. Kept in memory; what lasts a restart is what the caller recorded (RevokeRequest::granted).
    void rememberGrants(const TenantAccess& tenant, const QString& accountId, const QList<Assignment>& assignments,
                        const std::optional<QString>& temporaryAccessPassId);
    std::optional<GrantedObjects> knownGrants(const TenantAccess& tenant, const QString& accountId) const;
    void forgetGrants(const TenantAccess& tenant, const QString& accountId);

    GraphGatewayOptions m_options;
    SystemClock m_systemClock;
    mutable QMutex m_knownMutex;
    QHash<QString, TapPolicy> m_tapPolicies; // by Entra tenant id (lowercase)
    QHash<QString, GrantedObjects> m_grants; // by "tenant/account" (lowercase)
    TokenProvider m_tokens;
    GraphClient m_graph;
};

// --- Graph requests and answers ------------------------------------------------------------------------------------

inline const QString kTapPolicyPath
    = QStringLiteral("/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass");
inline const QString kUserSelect = QStringLiteral("?$select=id,userPrincipalName,accountEnabled,employeeType");

bool isGuid(const QString& text);
// "entra.invalid_request": the request cannot be sent as it is.
Error invalid(const QString& message);

QString userPath(const QString& idOrUpn);
// The role assignments of a user or service principal.
QString assignmentsOf(const QString& principalId);

GraphRequest get(const QString& url, bool retryNotFound = false);
GraphRequest write(const QByteArray& method, const QString& url, std::optional<QJsonObject> body = std::nullopt);
// The "value" array of a collection.
QJsonArray values(const GraphResponse& response);

TapPolicy parseTapPolicy(const QJsonObject& body);


QList<Assignment> parseAssignments(const GraphResponse& response);

} // namespace stint::entra::detail
