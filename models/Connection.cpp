// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Connection.h"

#include "models/JsonFields.h"

namespace stint::models {

Result<ConnectionFinding> ConnectionFinding::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("health finding"));
    ConnectionFinding f{r.string(QStringLiteral("severity")), r.string(QStringLiteral("code")),
                        r.optionalString(QStringLiteral("message"))};
    if (!r.ok())
        return r.error();
    return f;
}

Result<ConnectionReport> ConnectionReport::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("health report"));
    ConnectionReport report;
    report.entraTenantId = r.optionalString(QStringLiteral("entraTenantId"));
    report.displayName = r.optionalString(QStringLiteral("displayName"));
    for (const QJsonValue& v : r.array(QStringLiteral("domains"), true)) {
        FieldReader d(v.toObject(), QStringLiteral("domain"));
        VerifiedDomain domain{d.string(QStringLiteral("name")), d.boolean(QStringLiteral("isDefault"), false),
                              d.boolean(QStringLiteral("isInitial"), false)};
        if (!d.ok())
            return d.error();
        report.domains.append(domain);
    }
    for (const QJsonValue& v : r.array(QStringLiteral("roleDefinitions"), true)) {
        FieldReader d(v.toObject(), QStringLiteral("role definition"));
        RoleDefinition role{d.string(QStringLiteral("id")), d.string(QStringLiteral("displayName")),
                            d.optionalString(QStringLiteral("description")),
                            d.boolean(QStringLiteral("isBuiltIn"), true),
                            d.boolean(QStringLiteral("isPrivileged"), false)};
        if (!d.ok())
            return d.error();
        report.roleDefinitions.append(role);
    }
    report.grantedPermissions = r.stringList(QStringLiteral("grantedPermissions"), true);
    report.servicePrincipalRoles = r.stringList(QStringLiteral("servicePrincipalRoles"), true);
    report.credentialExpiresAt = r.optionalTime(QStringLiteral("credentialExpiresAt"));
    auto findings = parseList<ConnectionFinding>(r.array(QStringLiteral("findings"), true),
                                                 &ConnectionFinding::fromJson);
    report.healthy = r.boolean(QStringLiteral("healthy"), false);
    report.checkedAt = r.optionalTime(QStringLiteral("checkedAt")).value_or(0);
    if (!r.ok())
        return r.error();
    if (!findings)
        return findings.error();
    report.findings = std::move(findings).value();
    return report;
}

Result<ConnectionState> ConnectionState::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("tenant connection"));
    ConnectionState s;
    s.tenantId = r.string(QStringLiteral("tenantId"));
    s.status = r.string(QStringLiteral("status"));
    s.entraTenantId = r.nullableString(QStringLiteral("entraTenantId"));
    s.nationalCloud = r.optionalString(QStringLiteral("nationalCloud"));
    const QJsonObject credential = r.object(QStringLiteral("credential"), true);
    if (!credential.isEmpty()) {
        FieldReader c(credential, QStringLiteral("connection credential"));
        ConnectionCredentialSummary summary;
        summary.kind = c.string(QStringLiteral("kind"));
        summary.clientId = c.string(QStringLiteral("clientId"));
        summary.certificateThumbprint = c.optionalString(QStringLiteral("certificateThumbprint"));
        summary.certificateNotAfter = c.optionalTime(QStringLiteral("certificateNotAfter"));
        summary.secretExpiresAt = c.optionalTime(QStringLiteral("secretExpiresAt"));
        if (!c.ok())
            return c.error();
        s.credential = summary;
    }
    s.usesMultiTenantApp = r.boolean(QStringLiteral("usesMultiTenantApp"), true);
    s.multiTenantAppConfigured = r.boolean(QStringLiteral("multiTenantAppConfigured"), false);
    const QJsonObject report = r.object(QStringLiteral("report"), true);
    if (!report.isEmpty()) {
        auto parsed = ConnectionReport::fromJson(report);
        if (!parsed)
            return parsed.error();
        s.report = std::move(parsed).value();
    }
    s.checkedAt = r.optionalTime(QStringLiteral("checkedAt"));
    const QJsonObject lastError = r.object(QStringLiteral("lastError"), true);
    if (!lastError.isEmpty())
        s.lastError = makeError(lastError.value(QLatin1String("code")).toString(),
                                lastError.value(QLatin1String("message")).toString());
    s.lastReconciledAt = r.optionalTime(QStringLiteral("lastReconciledAt"));
    s.driftFound = int(r.optionalInteger(QStringLiteral("driftFound")).value_or(0));
    if (!r.ok())
        return r.error();
    return s;
}

Result<ConnectStart> ConnectStart::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("connection start"));
    ConnectStart s{r.string(QStringLiteral("authorizationUrl")), r.string(QStringLiteral("state")),
                   r.time(QStringLiteral("expiresAt"))};
    if (!r.ok())
        return r.error();
    return s;
}

} // namespace stint::models
