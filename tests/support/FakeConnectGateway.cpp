// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/FakeConnectGateway.h"

#include "core/Ids.h"

#include <QUrlQuery>

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

QString FakeConnectGateway::issueCode(const QUrl& authorizeUrl, const QString& tenantGuid, const QString& upn)
{
    const QUrlQuery query(authorizeUrl);
    const auto value = [&](const char* key) { return query.queryItemValue(QLatin1String(key), QUrl::FullyDecoded); };
    IssuedCode issued;
    issued.clientId = value("client_id");
    issued.tenantId = tenantGuid.toLower();
    issued.upn = upn;
    issued.redirectUri = value("redirect_uri");
    issued.codeChallenge = value("code_challenge");
    issued.nonce = value("nonce");
    const QString code = QStringLiteral("1.A") + ids::newToken();
    QMutexLocker lock(&m_mutex);
    m_codes.insert(code, issued);
    return code;
}

void FakeConnectGateway::failRedeem(std::optional<Error> error)
{
    QMutexLocker lock(&m_mutex);
    m_redeemError = std::move(error);
}

QList<FakeConnectGateway::Redeemed> FakeConnectGateway::redeemed() const
{
    QMutexLocker lock(&m_mutex);
    return m_redeemed;
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

Result<entra::IssuedTemporaryAccessPass> FakeConnectGateway::renewTemporaryAccessPass(const entra::TapRenewal&)
{
    return makeError(QString::fromLatin1(kTransient), QStringLiteral("FakeConnectGateway does not issue passes"));
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
    const QList<entra::ManagedAccount> picture = m_accounts;
    ++m_listingsHeld;
    while (m_holdListing)
        m_released.wait(&m_mutex);
    --m_listingsHeld;
    return picture;
}

void FakeConnectGateway::holdListing(bool hold)
{
    QMutexLocker lock(&m_mutex);
    m_holdListing = hold;
    if (!hold)
        m_released.wakeAll();
}

int FakeConnectGateway::listingsHeld() const
{
    QMutexLocker lock(&m_mutex);
    return m_holdListing ? m_listingsHeld : 0;
}

Result<entra::SignedInIdentity> FakeConnectGateway::redeemAuthorizationCode(const entra::CodeRedemption& redemption)
{
    QMutexLocker lock(&m_mutex);
    const entra::AppCredential& app = redemption.tenant.app;
    m_redeemed.append({redemption.tenant.entraTenantId, app.clientId, app.usesCertificate(), redemption.redirectUri});
    // The token endpoint's answers (protocols.md 1.2, 1.5), as the gateway types them.
    const auto rejected = [](qint64 aadsts, const QString& message) {
        return makeError(QStringLiteral("entra.token_rejected"),
                         QStringLiteral("The token endpoint answered 400 invalid_grant (AADSTS%1): AADSTS%1: %2")
                             .arg(aadsts)
                             .arg(message));
    };
    if (m_redeemError)
        return *m_redeemError;
    if (app.clientId.isEmpty() || (app.clientSecret.isEmpty() && app.privateKeyPem.isEmpty()))
        return makeError(QString::fromLatin1(kAuthentication), QStringLiteral("no credential"));
    auto it = m_codes.find(redemption.code);
    if (it == m_codes.end())
        return rejected(70000, QStringLiteral("Provided grant is invalid or malformed."));
    if (it->clientId.compare(app.clientId, Qt::CaseInsensitive) != 0)
        return rejected(70000, QStringLiteral("The authorization code was issued to a different client."));
    if (it->redeemed)
        return rejected(54005, QStringLiteral("OAuth2 Authorization code was already redeemed."));
    it->redeemed = true; // one attempt per code
    if (it->redirectUri != redemption.redirectUri.toString())
        return rejected(500112, QStringLiteral("The reply address does not match the one of the authorize request."));
    const QString challenge
        = QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(redemption.codeVerifier.bytes())));
    if (it->codeChallenge.isEmpty() || challenge != it->codeChallenge)
        return rejected(501481,
                        QStringLiteral("The Code_Verifier does not match the code_challenge supplied in the "
                                       "authorization request."));
    if (it->nonce != redemption.nonce)
        return makeError(QStringLiteral("entra.invalid_id_token"),
                         QStringLiteral("The id_token is not acceptable: the nonce does not match"));
    m_redeemed.last().ok = true;
    return entra::SignedInIdentity{it->tenantId, QStringLiteral("99998888-7777-6666-5555-444433332222"), it->upn,
                                   QStringLiteral("Contoso Admin")};
}

} // namespace stint::test
