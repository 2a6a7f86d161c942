// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/FakeConnectGateway.h"

namespace stint::test {

entra::ConnectionReport FakeConnectGateway::healthyReport(const QString& tenantGuid)
{
    entra::ConnectionReport r;
    r.entraTenantId = tenantGuid;
    r.displayName = QStringLiteral("Contoso Ltd");
    r.domains = {{QStringLiteral("contoso.onmicrosoft.com"), false, true, true},
                 {QStringLiteral("contoso.com"), true, false, true}};
    r.roleDefinitions = {
        {QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1"), QStringLiteral("User Administrator"),
         QStringLiteral("Can manage all aspects of users and groups."), true, true},
        {QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8"), QStringLiteral("Helpdesk Administrator"),
         QStringLiteral("Can reset passwords for non-administrators."), true, true},
        {QStringLiteral("62e90394-69f5-4237-9190-012177145e10"), QStringLiteral("Global Administrator"),
         QStringLiteral("Can manage all aspects of Microsoft Entra ID."), true, true}};
    r.grantedPermissions = {QStringLiteral("User.ReadWrite.All"), QStringLiteral("RoleManagement.ReadWrite.Directory"),
                            QStringLiteral("UserAuthenticationMethod.ReadWrite.All"),
                            QStringLiteral("Organization.Read.All"), QStringLiteral("Domain.Read.All")};
    r.servicePrincipalRoles = {QStringLiteral("e8611ab8-c189-46e8-94e1-60213ab1f814")};
    r.tapPolicy.enabled = true;
    r.findings = {{entra::HealthFinding::Severity::Ok, QStringLiteral("permissions.granted"),
                   QStringLiteral("Every permission Stint needs is granted.")}};
    return r;
}

void FakeConnectGateway::proveAs(const QString& tenantGuid)
{
    QMutexLocker lock(&m_mutex);
    m_proveAs = tenantGuid;
}

void FakeConnectGateway::setFindings(const QList<entra::HealthFinding>& findings)
{
    QMutexLocker lock(&m_mutex);
    m_findings = findings;
}

void FakeConnectGateway::failInspect(std::optional<Error> error)
{
    QMutexLocker lock(&m_mutex);
    m_inspectError = std::move(error);
}

void FakeConnectGateway::setManagedAccounts(const QList<entra::ManagedAccount>& accounts)
{
    QMutexLocker lock(&m_mutex);
    m_accounts = accounts;
}

void FakeConnectGateway::failRevoke(const QString& accountId)
{
    QMutexLocker lock(&m_mutex);
    m_failRevoke.insert(accountId);
}

int FakeConnectGateway::inspectCalls() const
{
    QMutexLocker lock(&m_mutex);
    return m_inspectCalls;
}

int FakeConnectGateway::listCalls() const
{
    QMutexLocker lock(&m_mutex);
    return m_listCalls;
}

QList<FakeConnectGateway::Inspected> FakeConnectGateway::inspected() const
{
    QMutexLocker lock(&m_mutex);
    return m_inspected;
}

QStringList FakeConnectGateway::revokedAccounts() const
{
    QMutexLocker lock(&m_mutex);
    return m_revoked;
}

QList<entra::ManagedAccount> FakeConnectGateway::managedAccounts() const
{
    QMutexLocker lock(&m_mutex);
    return m_accounts;
}

Result<entra::ConnectionReport> FakeConnectGateway::inspect(const entra::TenantAccess& tenant)
{
    QMutexLocker lock(&m_mutex);
    ++m_inspectCalls;
    m_inspected.append({tenant.endpoints, tenant.entraTenantId, tenant.app.clientId, tenant.app.usesCertificate()});
    if (m_inspectError)
        return *m_inspectError;
    if (tenant.app.clientId.isEmpty() || (tenant.app.clientSecret.isEmpty() && tenant.app.privateKeyPem.isEmpty()))
        return makeError(QString::fromLatin1(kAuthentication), QStringLiteral("no credential"));
    entra::ConnectionReport r = healthyReport(m_proveAs.isEmpty() ? tenant.entraTenantId : m_proveAs);
    r.findings << m_findings;
    return r;
}

Result<entra::ProvisionResult> FakeConnectGateway::provision(const entra::ProvisionRequest&)
{
    return makeError(QString::fromLatin1(kTransient), QStringLiteral("FakeConnectGateway does not provision"));
}

Result<entra::RevokeReport> FakeConnectGateway::revoke(const entra::RevokeRequest& request)
{
    QMutexLocker lock(&m_mutex);
    entra::RevokeReport report;
    if (m_failRevoke.contains(request.accountId)) {
        report.detail = QStringLiteral("sessions could not be revoked");
        report.roleAssignmentsRemoved = true;
        return report;
    }
    m_revoked << request.accountId;
    for (entra::ManagedAccount& a : m_accounts) {
        if (a.accountId == request.accountId) {
            report.removedRoleDefinitionIds = a.roleDefinitionIds;
            a.enabled = false;
            a.roleDefinitionIds.clear();
        }
    }
    report.roleAssignmentsRemoved = report.sessionsRevoked = report.accountDisabled = report.credentialInvalidated = true;
    return report;
}

Result<QList<entra::ManagedAccount>> FakeConnectGateway::listManagedAccounts(const entra::TenantAccess&)
{
    QMutexLocker lock(&m_mutex);
    ++m_listCalls;
    return m_accounts;
}

} // namespace stint::test
