// SPDX-License-Identifier: GPL-3.0-or-later
// Inspection: what a tenant is and whether Stint can work in it (GraphGatewayInternal.h).
#include "entra/GraphGatewayInternal.h"

#include "entra/JwtCrypto.h"

#include <QSet>

namespace stint::entra::detail {

namespace {

// Directory role template ids (protocols.md 2.4).
const QString kGlobalAdministrator = QStringLiteral("62e90394-69f5-4237-9190-012177145e10");
const QString kPrivilegedAuthenticationAdministrator = QStringLiteral("7be44c8a-adaf-4e2a-84d6-ab2649e08a13");

// Stint's list of privileged built-in roles, for Graph v1.0, which does not say (isPrivileged is beta).
const QSet<QString>& privilegedRoles()
{
    static const QSet<QString> roles = {
        kGlobalAdministrator,
        kPrivilegedAuthenticationAdministrator,
        QStringLiteral("e8611ab8-c189-46e8-94e1-60213ab1f814"), // Privileged Role Administrator
        QStringLiteral("c4e39bd9-1100-46d3-8c65-fb160da0071f"), // Authentication Administrator
        QStringLiteral("0526716b-113d-4c15-b2c8-68e3c22b9f80"), // Authentication Policy Administrator
        QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1"), // User Administrator
        QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8"), // Helpdesk Administrator
        QStringLiteral("966707d0-3269-4727-9be2-8c3a10f19b9d"), // Password Administrator
        QStringLiteral("194ae4cb-b126-40b2-bd5b-6091b380977d"), // Security Administrator
        QStringLiteral("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"), // Conditional Access Administrator
        QStringLiteral("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"), // Application Administrator
        QStringLiteral("158c047a-c907-4556-b7ef-446551a6b5f7"), // Cloud Application Administrator
        QStringLiteral("29232cdf-9323-42fd-ade2-1d097af3e4de"), // Exchange Administrator
        QStringLiteral("f28a1f50-f6e7-4571-818b-6a12f2af6b6c"), // SharePoint Administrator
        QStringLiteral("3a2c62db-5318-420d-8d74-23affee5d9d5"), // Intune Administrator
        QStringLiteral("9360feb5-f418-4baa-8175-e2a00bac4301"), // Directory Writers
    };
    return roles;
}

// What Stint needs, as alternatives of application permissions that each suffice (protocols.md 2.12).
struct Need
{
    QString what;
    QStringList anyOf;
    bool forTap = false; // only needed when Temporary Access Passes are issued
};

const QList<Need>& needs()
{
    static const QList<Need> list = {
        {QStringLiteral("create accounts"),
         {QStringLiteral("User.ReadWrite.All"), QStringLiteral("Directory.ReadWrite.All")}},
        {QStringLiteral("enable and disable accounts"),
         {QStringLiteral("User.EnableDisableAccount.All"), QStringLiteral("User.ReadWrite.All"),
          QStringLiteral("Directory.ReadWrite.All")}},
        {QStringLiteral("set passwords"),
         {QStringLiteral("User-PasswordProfile.ReadWrite.All"), QStringLiteral("User.ReadWrite.All"),
          QStringLiteral("Directory.ReadWrite.All")}},
        {QStringLiteral("revoke sign-in sessions"),
         {QStringLiteral("User.RevokeSessions.All"), QStringLiteral("User.ReadWrite.All"),
          QStringLiteral("Directory.ReadWrite.All")}},
        {QStringLiteral("delete accounts"),
         {QStringLiteral("User.DeleteRestore.All"), QStringLiteral("User.ReadWrite.All"),
          QStringLiteral("Directory.ReadWrite.All")}},
        {QStringLiteral("assign and remove directory roles"), {QStringLiteral("RoleManagement.ReadWrite.Directory")}},
        {QStringLiteral("read role definitions"),
         {QStringLiteral("RoleManagement.Read.Directory"), QStringLiteral("RoleManagement.ReadWrite.Directory"),
          QStringLiteral("Directory.Read.All"), QStringLiteral("Directory.ReadWrite.All")}},
        {QStringLiteral("read domains"),
         {QStringLiteral("Domain.Read.All"), QStringLiteral("Domain.ReadWrite.All"),
          QStringLiteral("Directory.Read.All"), QStringLiteral("Directory.ReadWrite.All")}},
        {QStringLiteral("read the organization"),
         {QStringLiteral("Organization.Read.All"), QStringLiteral("Organization.ReadWrite.All"),
          QStringLiteral("Directory.Read.All"), QStringLiteral("Directory.ReadWrite.All")}},
        {QStringLiteral("issue Temporary Access Passes"),
         {QStringLiteral("UserAuthenticationMethod.ReadWrite.All"), QStringLiteral("UserAuthMethod-TAP.ReadWrite.All")},
         true},
        // Microsoft's permission table for reading the TAP policy: least privileged Policy.Read.AuthenticationMethod,
        // higher Policy.ReadWrite.AuthenticationMethod; Policy.Read.All (all policies) reads it too.
        {QStringLiteral("read the Temporary Access Pass policy"),
         {QStringLiteral("Policy.Read.AuthenticationMethod"), QStringLiteral("Policy.ReadWrite.AuthenticationMethod"),
          QStringLiteral("Policy.Read.All")},
         true},
    };
    return list;
}

} // namespace

Result<ConnectionReport> GraphGateway::inspect(const TenantAccess& tenant)
{
    auto token = m_tokens.token(tenant);
    if (!token)
        return token.error();
    const QString requested = tenant.entraTenantId.toLower();
    const QString tokenTenant = (*token)->tenantId;
    if (isGuid(requested) && !tokenTenant.isEmpty() && tokenTenant != requested)
        return makeError(QString::fromLatin1(kTenantMismatch),
                         QStringLiteral("The token was issued for tenant %1, not %2").arg(tokenTenant, requested));

    QList<GraphRequest> reads = {
        get(QStringLiteral("/organization?$select=id,displayName")),
        get(QStringLiteral("/domains")),
        get(QStringLiteral(
            "/roleManagement/directory/roleDefinitions?$select=id,templateId,displayName,description,isBuiltIn")),
        get(kTapPolicyPath),
    };
    const QString servicePrincipal = (*token)->objectId;
    if (!servicePrincipal.isEmpty())
        reads.append(get(assignmentsOf(servicePrincipal)));
    auto responses = m_graph.batch(tenant, reads);
    if (!responses)
        return responses.error();
    const GraphResponse& organization = (*responses)[0];
    const GraphResponse& domains = (*responses)[1];
    const GraphResponse& definitions = (*responses)[2];
    const GraphResponse& tapPolicy = (*responses)[3];

    ConnectionReport report;
    if (!organization.ok())
        return graphError(organization, QStringLiteral("Reading the organization"));
    const QJsonObject org = values(organization).at(0).toObject();
    const QString orgId = org.value(QStringLiteral("id")).toString().toLower();
    if (orgId.isEmpty() || (!tokenTenant.isEmpty() && orgId != tokenTenant)
        || (isGuid(requested) && orgId != requested))
        return makeError(
            QString::fromLatin1(kTenantMismatch),
            QStringLiteral("Graph's organization %1 is not the tenant asked for (%2)").arg(orgId, requested));
    report.entraTenantId = orgId;
    report.displayName = org.value(QStringLiteral("displayName")).toString();
    report.grantedPermissions = (*token)->roles;

    const auto finding = [&](HealthFinding::Severity severity, const QString& code, const QString& message) {
        report.findings.append({severity, code, message});
    };

    if (domains.ok()) {
        for (const QJsonValue& value : values(domains)) {
            const QJsonObject domain = value.toObject();
            if (!domain.value(QStringLiteral("isVerified")).toBool())
                continue;
            VerifiedDomain verified;
            verified.name = domain.value(QStringLiteral("id")).toString().toLower();
            verified.isDefault = domain.value(QStringLiteral("isDefault")).toBool();
            verified.isInitial = domain.value(QStringLiteral("isInitial")).toBool();
            verified.isManaged = domain.value(QStringLiteral("authenticationType"))
                                     .toString(QStringLiteral("Managed"))
                                     .compare(QStringLiteral("Managed"), Qt::CaseInsensitive)
                == 0;
            report.domains.append(verified);
        }
        if (report.domains.isEmpty())
            finding(HealthFinding::Severity::Error, QStringLiteral("domain.none_verified"),
                    QStringLiteral("The tenant has no verified domain: Stint cannot name accounts in it."));
        if (!isGuid(requested)) {
            bool known = false;
            for (const VerifiedDomain& domain : std::as_const(report.domains))
                known = known || domain.name == requested;
            if (!known)
                return makeError(QString::fromLatin1(kTenantMismatch),
                                 QStringLiteral("%1 is not a verified domain of tenant %2").arg(requested, orgId));
        }
    }

    if (definitions.ok()) {
        auto all = definitions.body.contains(QStringLiteral("@odata.nextLink"))
            ? listAll(tenant,
                      QStringLiteral("/roleManagement/directory/"
                                     "roleDefinitions?$select=id,templateId,displayName,description,isBuiltIn"),
                      nullptr, QStringLiteral("Reading role definitions"))
            : Result<QJsonArray>(values(definitions));
        if (!all)
            return all.error();
        for (const QJsonValue& value : *all) {
            const QJsonObject object = value.toObject();
            RoleDefinition role;
            const QString templateId = object.value(QStringLiteral("templateId")).toString();
            role.id = (templateId.isEmpty() ? object.value(QStringLiteral("id")).toString() : templateId).toLower();
            role.displayName = object.value(QStringLiteral("displayName")).toString();
            role.description = object.value(QStringLiteral("description")).toString();
            role.isBuiltIn = object.value(QStringLiteral("isBuiltIn")).toBool(true);
            role.isPrivileged = object.contains(QStringLiteral("isPrivileged"))
                ? object.value(QStringLiteral("isPrivileged")).toBool()
                : privilegedRoles().contains(role.id);
            report.roleDefinitions.append(role);
        }
    }

    bool tapReadable = tapPolicy.ok();
    if (tapReadable) {
        report.tapPolicy = parseTapPolicy(tapPolicy.body);
        if (isGuid(tenant.entraTenantId))
            rememberTapPolicy(tenant, report.tapPolicy); // the lifetime a provision asks for
        if (!report.tapPolicy.enabled)
            finding(HealthFinding::Severity::Warning, QStringLiteral("tap.disabled"),
                    QStringLiteral(
                        "The Temporary Access Pass method is disabled in the tenant's authentication methods policy."));
        else if (report.tapPolicy.isUsableOnce || report.tapPolicy.maximumLifetimeMinutes < 60)
            finding(HealthFinding::Severity::Warning, QStringLiteral("tap.bounds"),
                    QStringLiteral("The tenant's Temporary Access Pass policy allows at most %1 minutes%2.")
                        .arg(report.tapPolicy.maximumLifetimeMinutes)
                        .arg(report.tapPolicy.isUsableOnce ? QStringLiteral(" and one sign-in per pass") : QString()));
    }

    if (responses->size() > 4) {
        const GraphResponse& spRoles = (*responses)[4];
        if (spRoles.ok()) {
            for (const Assignment& assignment : parseAssignments(spRoles)) {
                if (!report.servicePrincipalRoles.contains(assignment.roleDefinitionId))
                    report.servicePrincipalRoles.append(assignment.roleDefinitionId);
            }
        }
    }
    if (!report.servicePrincipalRoles.contains(kPrivilegedAuthenticationAdministrator)
        && !report.servicePrincipalRoles.contains(kGlobalAdministrator))
        finding(
            HealthFinding::Severity::Error, QStringLiteral("sp_role.insufficient"),
            QStringLiteral("Stint's service principal holds neither Privileged Authentication Administrator nor Global "
                           "Administrator: it cannot disable, reset or delete an account that holds an admin role. "
                           "Assign it Privileged Authentication Administrator in the tenant."));

    QStringList missing;
    QStringList missingForTap;
    for (const Need& need : needs()) {
        bool granted = false;
        for (const QString& permission : need.anyOf)
            granted = granted || report.grantedPermissions.contains(permission, Qt::CaseInsensitive);
        if (!granted)
            (need.forTap ? missingForTap : missing)
                .append(QStringLiteral("%1 (%2)").arg(need.what, need.anyOf.first()));
    }
    if (!missing.isEmpty())
        finding(HealthFinding::Severity::Error, QStringLiteral("permission.missing"),
                QStringLiteral("The app lacks permissions to: %1. Grant them and consent again.")
                    .arg(missing.join(QStringLiteral("; "))));
    if (!missingForTap.isEmpty())
        finding(HealthFinding::Severity::Warning, QStringLiteral("permission.missing"),
                QStringLiteral("The app lacks permissions to: %1 (needed only for Temporary Access Passes).")
                    .arg(missingForTap.join(QStringLiteral("; "))));

    if (tenant.app.usesCertificate()) {
        auto certificate = jwt::parseCertificate(tenant.app.certificatePem);
        if (certificate) {
            report.credentialExpiresAt = certificate->notAfter;
            const TimeMs t = now();
            if (certificate->notAfter <= t)
                finding(HealthFinding::Severity::Error, QStringLiteral("credential.expiring"),
                        QStringLiteral("The app's certificate expired on %1.").arg(toRfc3339(certificate->notAfter)));
            else if (certificate->notAfter - t < 30LL * 24 * 3600 * 1000)
                finding(HealthFinding::Severity::Warning, QStringLiteral("credential.expiring"),
                        QStringLiteral("The app's certificate expires on %1: upload a new one.")
                            .arg(toRfc3339(certificate->notAfter)));
        }
    }
    if (report.findings.isEmpty())
        finding(HealthFinding::Severity::Ok, QStringLiteral("connection.ok"),
                QStringLiteral("Stint can work in this tenant."));
    return report;
}

Result<QList<ManagedAccount>> GraphGateway::listManagedAccounts(const TenantAccess& tenant)
{
    auto users = listAll(tenant,
                         QStringLiteral("/users?$filter=employeeType%20eq%20'")
                             + GraphClient::odataString(m_options.accountTag)
                             + QStringLiteral("'&$select=id,userPrincipalName,accountEnabled"),
                         nullptr, QStringLiteral("Listing Stint's accounts"));
    if (!users)
        return users.error();
    QList<ManagedAccount> accounts;
    QList<GraphRequest> roleReads;
    for (const QJsonValue& value : *users) {
        const QJsonObject object = value.toObject();
        ManagedAccount account;
        account.accountId = object.value(QStringLiteral("id")).toString().toLower();
        account.userPrincipalName = object.value(QStringLiteral("userPrincipalName")).toString();
        account.enabled = object.value(QStringLiteral("accountEnabled")).toBool();
        accounts.append(account);
        roleReads.append(get(assignmentsOf(account.accountId)));
    }
    if (roleReads.isEmpty())
        return accounts;
    auto roles = m_graph.batch(tenant, roleReads);
    if (!roles)
        return roles.error();
    for (int i = 0; i < accounts.size(); ++i) {
        if (!(*roles)[i].ok())
            return graphError((*roles)[i],
                              QStringLiteral("Reading the roles of %1").arg(accounts[i].userPrincipalName));
        for (const Assignment& assignment : parseAssignments((*roles)[i]))
            accounts[i].roleDefinitionIds.append(assignment.roleDefinitionId);
    }
    return accounts;
}

Result<QJsonArray> GraphGateway::listAll(const TenantAccess& tenant, const QString& url, int* roundTrips,
                                         const QString& what)
{
    QJsonArray all;
    QString next = url;
    for (int page = 0; !next.isEmpty(); ++page) {
        if (page >= 1000)
            return makeError(QString::fromLatin1(kGraphError), QStringLiteral("%1: too many pages").arg(what));
        auto response = m_graph.send(tenant, get(next), roundTrips);
        if (!response)
            return response.error();
        if (!response->ok())
            return graphError(*response, what);
        for (const QJsonValue& value : values(*response))
            all.append(value);
        next = response->body.value(QStringLiteral("@odata.nextLink")).toString();
    }
    return all;
}

} // namespace stint::entra::detail
