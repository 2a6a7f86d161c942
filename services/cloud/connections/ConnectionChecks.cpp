// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/connections/ConnectionChecks.h"

#include "cloud/CloudTransaction.h"

#include "cloud/CloudContext.h"
#include "cloud/checkouts/CheckoutStateMachine.h"
#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/connections/ConnectionStore.h"
#include "cloud/connections/AppCredentialStore.h"
#include "cloud/connections/TenantAccess.h"
#include "cloud/checkouts/BulkTransitions.h"
#include "cloud/WorkerPool.h"
#include "cloud/events/EventHub.h"
#include "cloud/tenants/TenantStore.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcConnection, "stint.cloud.connections")

namespace stint::cloud::connections {

namespace {
constexpr TimeMs kExpiryWarning = 30LL * 24 * 3600 * 1000;

QString severityName(entra::HealthFinding::Severity s)
{
    switch (s) {
    case entra::HealthFinding::Severity::Ok:
        return QStringLiteral("ok");
    case entra::HealthFinding::Severity::Warning:
        return QStringLiteral("warning");
    case entra::HealthFinding::Severity::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("error");
}

// Appends the audit event (with `extra` details) and announces the tenant's connection as it is now.
Result<void> auditAndAnnounce(CloudContext& cloud, AuditEvent e, const QJsonObject& extra)
{
    for (auto it = extra.begin(); it != extra.end(); ++it)
        e.details.insert(it.key(), it.value());
    STINT_TRY(cloud.audit.append(e));
    auto after = tenants::loadTenant(cloud.db, e.orgId, e.tenantId);
    if (!after)
        return after.error();
    if (!after->has_value())
        return {};
    return publishConnection(cloud, **after);
}

// Applies a finished inspection to the tenant, in the caller's transaction.
// `auditDetails` are added to the audit event (who signed in, for a connection through the customer's own app).
Result<void> applyInspection(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                             const QString& candidate, const Actor& actor,
                             Result<entra::ConnectionReport>& result, const QJsonObject& auditDetails = {})
{
    auto loaded = tenants::loadTenant(cloud.db, orgId, tenantId);
    if (!loaded)
        return loaded.error();
    if (!loaded->has_value())
        return {}; // deleted meanwhile
    const models::Tenant before = **loaded;
    const TimeMs now = cloud.clock.now();
    const bool wasProven = before.connection.entraTenantId.has_value();
    const QString action = wasProven ? QStringLiteral("tenant.connection.check") : QStringLiteral("tenant.connect");

    auto fail = [&](const QString& code, const QString& message) -> Result<void> {
        // A proven tenant stays bound and becomes unhealthy; a connection that was never proven goes back.
        const QString status = wasProven ? kUnhealthy : kNotConnected;
        STINT_TRY(saveCheckResult(cloud.db, orgId, tenantId, {},
                                  {{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}, now));
        STINT_TRY(setConnectionStatus(cloud.db, orgId, tenantId, status, std::nullopt, now));
        AuditEvent e = auditEventFor(actor, orgId, action, AuditTarget::tenant(tenantId), 0, QStringLiteral("failure"));
        e.details.insert(QStringLiteral("code"), code);
        e.details.insert(QStringLiteral("message"), message.left(500));
        STINT_TRY(auditAndAnnounce(cloud, std::move(e), auditDetails));
        if (wasProven && before.connection.status == kConnected)
            STINT_TRY(raiseAlert(cloud, orgId, tenantId, QStringLiteral("tenant.unhealthy"),
                                 QStringLiteral("The connection check of %1 failed: %2").arg(before.name, message)));
        return {};
    };

    if (!result)
        return fail(result.error().code, result.error().message);
    entra::ConnectionReport& report = *result;
    const auto proven = normalizeTenantGuid(report.entraTenantId);
    if (!proven)
        return fail(QString::fromLatin1(entra::EntraGateway::kTenantMismatch),
                    QStringLiteral("The gateway did not prove a tenant id."));
    if (wasProven && *proven != *before.connection.entraTenantId)
        return fail(QString::fromLatin1(entra::EntraGateway::kTenantMismatch),
                    QStringLiteral("The credential now reaches tenant %1, not the connected tenant %2.")
                        .arg(*proven, *before.connection.entraTenantId));
    if (!wasProven) {
        auto bound = tenantBoundTo(cloud.db, *proven, tenantId);
        if (!bound)
            return bound.error();
        if (bound->has_value())
            return fail(QStringLiteral("tenant-already-bound"),
                        QStringLiteral("Entra tenant %1 is already connected to another tenant record.").arg(*proven));
    }
    auto credential = loadAppCredentialSummary(cloud.db, orgId, tenantId);
    if (!credential)
        return credential.error();
    std::optional<TimeMs> expiry = credential->has_value() ? (*credential)->expiresAt() : std::nullopt;
    if (report.credentialExpiresAt && (!expiry || *report.credentialExpiresAt < *expiry))
        expiry = report.credentialExpiresAt;
    report.findings << localFindings(expiry, now, wasProven ? QString() : candidate, *proven);
    // What the tenant's own settings need of it (its account domain still verified, passes allowed when it hands them
    // out) outranks the gateway's milder finding of the same code.
    const QList<entra::HealthFinding> settings = settingsFindings(before.connection, reportJson(report));
    for (const entra::HealthFinding& f : settings) {
        report.findings.removeIf([&](const entra::HealthFinding& g) {
            return g.code == f.code || g.severity == entra::HealthFinding::Severity::Ok;
        });
    }
    report.findings << settings;
    const bool healthy = report.healthy();
    const QString status = healthy ? kConnected : kUnhealthy;
    QJsonObject json = reportJson(report);
    json.insert(QStringLiteral("checkedAt"), toRfc3339(now));
    STINT_TRY(saveCheckResult(cloud.db, orgId, tenantId, json, {}, now));
    STINT_TRY(setConnectionStatus(cloud.db, orgId, tenantId, status,
                                  wasProven ? std::nullopt : std::optional<QString>(*proven), now));

    AuditEvent e = auditEventFor(actor, orgId, action, AuditTarget::tenant(tenantId));
    e.details.insert(QStringLiteral("entraTenantId"), *proven);
    e.details.insert(QStringLiteral("status"), status);
    QJsonArray codes;
    for (const entra::HealthFinding& f : report.findings) {
        if (f.severity != entra::HealthFinding::Severity::Ok)
            codes.append(f.code);
    }
    e.details.insert(QStringLiteral("findings"), codes);
    STINT_TRY(auditAndAnnounce(cloud, std::move(e), auditDetails));
    if (!healthy && before.connection.status != kUnhealthy) {
        QStringList errors;
        for (const entra::HealthFinding& f : report.findings) {
            if (f.severity == entra::HealthFinding::Severity::Error)
                errors << f.message;
        }
        STINT_TRY(raiseAlert(cloud, orgId, tenantId, QStringLiteral("tenant.unhealthy"),
                             QStringLiteral("%1 cannot be served until this is fixed: %2")
                                 .arg(before.name, errors.join(QStringLiteral(" "))),
                             {{QStringLiteral("findings"), codes}}));
    }
    return {};
}
// A connect attempt through the customer's own app that ended before anything could be proven: the reason becomes the
// connection's last error, a tenant not yet proven goes back to not_connected, a proven one keeps its status.
Result<void> applyConnectFailure(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                 const Actor& actor, const Error& error, const QJsonObject& auditDetails)
{
    auto loaded = tenants::loadTenant(cloud.db, orgId, tenantId);
    if (!loaded)
        return loaded.error();
    if (!loaded->has_value())
        return {}; // deleted meanwhile
    const TimeMs now = cloud.clock.now();
    STINT_TRY(saveConnectError(cloud.db, orgId, tenantId,
                               {{QStringLiteral("code"), error.code}, {QStringLiteral("message"), error.message}}, now));
    if (!(*loaded)->connection.entraTenantId)
        STINT_TRY(setConnectionStatus(cloud.db, orgId, tenantId, kNotConnected, std::nullopt, now));
    AuditEvent e = auditEventFor(actor, orgId, QStringLiteral("tenant.connect"), AuditTarget::tenant(tenantId), 0,
                                 QStringLiteral("failure"));
    e.details.insert(QStringLiteral("code"), error.code);
    e.details.insert(QStringLiteral("message"), error.message.left(500));
    return auditAndAnnounce(cloud, std::move(e), auditDetails);
}

// What the worker found for a connection through the customer's own app.
struct CodeOutcome
{
    std::optional<Error> failure; // the redemption was refused, or the admin signed in to another tenant
    entra::SignedInIdentity identity;
    std::optional<Result<entra::ConnectionReport>> report; // when inspect() ran
};

Error tenantMismatch(const QString& signedIn, const QString& proven)
{
    return makeError(QString::fromLatin1(entra::EntraGateway::kTenantMismatch),
                     QStringLiteral("The admin signed in to tenant %1, but the app's credential proves tenant %2.")
                         .arg(signedIn, proven));
}

// Runs on a worker thread: nothing here touches the store.
CodeOutcome redeemAndInspect(entra::EntraGateway& gateway, entra::CodeRedemption& redemption,
                             const std::optional<QString>& proven)
{
    CodeOutcome out;
    auto identity = gateway.redeemAuthorizationCode(redemption);
    if (!identity) {
        out.failure = identity.error();
        return out;
    }
    out.identity = *identity;
    const auto signedIn = normalizeTenantGuid(identity->tenantId);
    if (!signedIn) {
        out.failure = makeError(QStringLiteral("entra.invalid_id_token"),
                                QStringLiteral("The id_token names no tenant id."));
        return out;
    }
    if (proven && *signedIn != *proven) {
        out.failure = tenantMismatch(*signedIn, *proven);
        return out;
    }
    entra::TenantAccess access = std::move(redemption.tenant);
    access.entraTenantId = *signedIn;
    out.report = gateway.inspect(access);
    return out;
}
} // namespace

QJsonObject findingJson(const entra::HealthFinding& f)
{
    return {{QStringLiteral("severity"), severityName(f.severity)},
            {QStringLiteral("code"), f.code},
            {QStringLiteral("message"), f.message}};
}

QList<entra::HealthFinding> settingsFindings(const models::TenantConnection& settings, const QJsonObject& report)
{
    QList<entra::HealthFinding> out;
    const QJsonArray domains = report.value(QLatin1String("domains")).toArray();
    if (settings.accountDomain && !domains.isEmpty()) {
        QStringList usable;
        for (const QJsonValue& value : domains) {
            const QJsonObject domain = value.toObject();
            if (domain.value(QLatin1String("isManaged")).toBool(true))
                usable << domain.value(QLatin1String("name")).toString();
        }
        if (!usable.contains(*settings.accountDomain, Qt::CaseInsensitive))
            out.append({entra::HealthFinding::Severity::Error, QString::fromLatin1(kDomainNotVerified),
                        QStringLiteral("The account domain %1 is not a verified domain of the tenant on which Stint "
                                       "can make accounts; the verified ones are: %2.")
                            .arg(*settings.accountDomain,
                                 usable.isEmpty() ? QStringLiteral("(none)") : usable.join(QStringLiteral(", ")))});
    }
    if (settings.credentialKind != QLatin1String("password")) {
        bool tapOff = false;
        for (const QJsonValue& f : report.value(QLatin1String("findings")).toArray())
            tapOff = tapOff || f.toObject().value(QLatin1String("code")).toString() == QLatin1String(kTapDisabled);
        if (tapOff)
            out.append({entra::HealthFinding::Severity::Error, QString::fromLatin1(kTapDisabled),
                        QStringLiteral("The tenant hands out Temporary Access Passes (credential kind \"%1\"), but the "
                                       "Temporary Access Pass method is off in its authentication methods policy: turn "
                                       "it on in the tenant, or hand out passwords only.")
                            .arg(settings.credentialKind)});
    }
    return out;
}

Result<QList<entra::HealthFinding>> settingsFindingsNow(store::Database& db, const QString& orgId,
                                                        const QString& tenantId,
                                                        const models::TenantConnection& settings)
{
    auto record = loadConnectionRecord(db, orgId, tenantId);
    if (!record)
        return record.error();
    if (record->report.isEmpty())
        return QList<entra::HealthFinding>();
    return settingsFindings(settings, record->report);
}

Result<void> recordConnectionLost(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                  const Error& error)
{
    bool lost = false;
    QString reason;
    auto recorded = inCloudTransaction(cloud, [&]() -> Result<void> {
        auto loaded = tenants::loadTenant(cloud.db, orgId, tenantId);
        if (!loaded)
            return loaded.error();
        if (!loaded->has_value() || !(*loaded)->connection.entraTenantId)
            return {}; // gone, or never proven: no connection to lose
        const models::Tenant& tenant = **loaded;
        const TimeMs now = cloud.clock.now();
        STINT_TRY(saveConnectError(cloud.db, orgId, tenantId,
                                   {{QStringLiteral("code"), error.code}, {QStringLiteral("message"), error.message}},
                                   now));
        if (tenant.connection.status != kConnected)
            return {}; // already unhealthy (told then), or being proven again
        STINT_TRY(setConnectionStatus(cloud.db, orgId, tenantId, kUnhealthy, std::nullopt, now));
        AuditEvent e = auditEventFor(Actor::system(), orgId, QStringLiteral("tenant.connection.lost"),
                                     AuditTarget::tenant(tenantId), 0, QStringLiteral("failure"));
        e.details.insert(QStringLiteral("code"), error.code);
        e.details.insert(QStringLiteral("message"), error.message.left(500));
        STINT_TRY(auditAndAnnounce(cloud, std::move(e), {}));
        STINT_TRY(raiseAlert(cloud, orgId, tenantId, QStringLiteral("tenant.connection_lost"),
                             QStringLiteral("Stint lost its connection to %1: %2 Until the app and its credential are "
                                            "back (connect the tenant again, or set a new credential), its checkouts "
                                            "can be neither provisioned nor revoked.")
                                 .arg(tenant.name, error.message)));
        lost = true;
        reason = QStringLiteral("The tenant's connection was lost (%1): Stint cannot take this access back until it "
                                "is restored; admins were alerted.")
                     .arg(error.message.left(300));
        return {};
    });
    if (!recorded || !lost)
        return recorded;
    qCWarning(lcConnection).noquote() << "connection of" << tenantId << "lost:" << error.code;
    auto noted = checkouts::noteTenantCheckouts(cloud, orgId, tenantId, {models::CheckoutState::Ready}, reason);
    if (!noted)
        return noted.error();
    return {};
}

QJsonObject reportJson(const entra::ConnectionReport& report)
{
    QJsonArray domains, roles, findings;
    for (const entra::VerifiedDomain& d : report.domains)
        domains.append(QJsonObject{{QStringLiteral("name"), d.name},
                                   {QStringLiteral("isDefault"), d.isDefault},
                                   {QStringLiteral("isInitial"), d.isInitial},
                                   {QStringLiteral("isManaged"), d.isManaged}});
    for (const entra::RoleDefinition& r : report.roleDefinitions)
        roles.append(QJsonObject{{QStringLiteral("id"), r.id},
                                 {QStringLiteral("displayName"), r.displayName},
                                 {QStringLiteral("description"), r.description},
                                 {QStringLiteral("isBuiltIn"), r.isBuiltIn},
                                 {QStringLiteral("isPrivileged"), r.isPrivileged}});
    for (const entra::HealthFinding& f : report.findings)
        findings.append(findingJson(f));
    return {{QStringLiteral("entraTenantId"), report.entraTenantId},
            {QStringLiteral("displayName"), report.displayName},
            {QStringLiteral("domains"), domains},
            {QStringLiteral("roleDefinitions"), roles},
            {QStringLiteral("grantedPermissions"), QJsonArray::fromStringList(report.grantedPermissions)},
            {QStringLiteral("servicePrincipalRoles"), QJsonArray::fromStringList(report.servicePrincipalRoles)},
            {QStringLiteral("tapPolicy"),
             QJsonObject{{QStringLiteral("enabled"), report.tapPolicy.enabled},
                         {QStringLiteral("minimumLifetimeMinutes"), report.tapPolicy.minimumLifetimeMinutes},
                         {QStringLiteral("maximumLifetimeMinutes"), report.tapPolicy.maximumLifetimeMinutes},
                         {QStringLiteral("defaultLifetimeMinutes"), report.tapPolicy.defaultLifetimeMinutes},
                         {QStringLiteral("isUsableOnce"), report.tapPolicy.isUsableOnce}}},
            {QStringLiteral("credentialExpiresAt"),
             report.credentialExpiresAt ? QJsonValue(toRfc3339(*report.credentialExpiresAt)) : QJsonValue()},
            {QStringLiteral("findings"), findings},
            {QStringLiteral("healthy"), report.healthy()}};
}

QList<entra::HealthFinding> localFindings(std::optional<TimeMs> credentialExpiresAt, TimeMs now,
                                          const QString& candidate, const QString& proven)
{
    QList<entra::HealthFinding> out;
    using Severity = entra::HealthFinding::Severity;
    if (credentialExpiresAt && *credentialExpiresAt <= now)
        out.append({Severity::Error, QStringLiteral("credential.expired"),
                    QStringLiteral("The app's credential expired on %1: add a new secret or certificate to the app "
                                   "registration and set it in Stint.")
                        .arg(toRfc3339(*credentialExpiresAt))});
    else if (credentialExpiresAt && *credentialExpiresAt - now <= kExpiryWarning)
        out.append({Severity::Warning, QStringLiteral("credential.expiring"),
                    QStringLiteral("The app's credential expires on %1: renew it before then.")
                        .arg(toRfc3339(*credentialExpiresAt))});
    if (!candidate.isEmpty() && candidate.compare(proven, Qt::CaseInsensitive) != 0)
        out.append({Severity::Warning, QStringLiteral("tenant.candidate_mismatch"),
                    QStringLiteral("The sign-in named tenant %1, but the credential proved tenant %2; Stint bound "
                                   "the proven one.")
                        .arg(candidate, proven)});
    return out;
}

Result<void> publishConnection(CloudContext& cloud, const models::Tenant& tenant)
{
    QJsonObject data{{QStringLiteral("tenantId"), tenant.id},
                     {QStringLiteral("status"), tenant.connection.status},
                     {QStringLiteral("entraTenantId"), tenant.connection.entraTenantId
                                                           ? QJsonValue(*tenant.connection.entraTenantId)
                                                           : QJsonValue()},
                     {QStringLiteral("tenant"), tenant.toJson()}};
    auto published = cloud.events.publish(tenant.orgId, EventHub::audienceAdmins(), QStringLiteral("tenant.connection"),
                                          data);
    if (!published)
        return published.error();
    return {};
}

Result<void> raiseAlert(CloudContext& cloud, const QString& orgId, const QString& tenantId, const QString& code,
                        const QString& message, const QJsonObject& details)
{
    qCWarning(lcConnection).noquote() << "alert" << code << "tenant" << tenantId;
    QJsonObject data{{QStringLiteral("code"), code},
                     {QStringLiteral("severity"), QStringLiteral("error")},
                     {QStringLiteral("tenantId"), tenantId},
                     {QStringLiteral("message"), message},
                     {QStringLiteral("raisedAt"), toRfc3339(cloud.clock.now())}};
    if (!details.isEmpty())
        data.insert(QStringLiteral("details"), details);
    auto published = cloud.events.publish(orgId, EventHub::audienceAdmins(), QStringLiteral("alert.raised"), data);
    if (!published)
        return published.error();
    return {};
}

Result<int> revokeCheckoutsOfTenant(CloudContext& cloud, const QString& orgId, const QString& tenantId,
                                    const QString& reason)
{
    return checkouts::revokeTenantCheckouts(cloud, orgId, tenantId, reason);
}

Result<void> recordCheckFailure(CloudContext& cloud, const models::Tenant& tenant, const Error& error,
                                const Actor& actor)
{
    Result<entra::ConnectionReport> result(error);
    return inCloudTransaction(cloud, [&]() { return applyInspection(cloud, tenant.orgId, tenant.id, {}, actor, result); });
}

void startCodeConnection(CloudContext& cloud, const models::Tenant& tenant, entra::CodeRedemption redemption,
                         const Actor& actor, std::function<void()> done)
{
    entra::EntraGateway* gateway = &cloud.entra;
    CloudContext* context = &cloud;
    redemption.clock = &cloud.clock;
    cloud.workers.run(
        [gateway, redemption = std::move(redemption), proven = tenant.connection.entraTenantId]() mutable {
            return redeemAndInspect(*gateway, redemption, proven);
        },
        [context, orgId = tenant.orgId, tenantId = tenant.id, actor, done = std::move(done)](CodeOutcome outcome) {
            const QJsonObject signedIn
                = outcome.failure ? QJsonObject()
                                  : QJsonObject{{QStringLiteral("signedInAs"), outcome.identity.preferredUsername},
                                                {QStringLiteral("signedInTenantId"), outcome.identity.tenantId}};
            if (!outcome.failure && outcome.report && outcome.report->ok()) {
                const auto proven = normalizeTenantGuid((*outcome.report)->entraTenantId);
                if (proven != outcome.identity.tenantId)
                    outcome.failure = tenantMismatch(outcome.identity.tenantId, proven.value_or(QStringLiteral("(none)")));
            }
            auto applied = inCloudTransaction(*context, [&]() {
                if (outcome.failure)
                    return applyConnectFailure(*context, orgId, tenantId, actor, *outcome.failure, signedIn);
                return applyInspection(*context, orgId, tenantId, outcome.identity.tenantId, actor, *outcome.report,
                                       signedIn);
            });
            if (!applied)
                qCWarning(lcConnection) << "applying the connection of" << tenantId << "failed:" << applied.error().code
                                        << applied.error().message;
            if (done)
                done();
        });
}

Result<void> startHealthCheck(CloudContext& cloud, const models::Tenant& tenant, const QString& candidateTenantId,
                              const Actor& actor, std::function<void()> done)
{
    auto access = tenantAccess(cloud, tenant, candidateTenantId);
    if (!access)
        return access.error();
    entra::EntraGateway* gateway = &cloud.entra;
    CloudContext* context = &cloud;
    cloud.workers.run(
        [gateway, access = std::move(*access)]() { return gateway->inspect(access); },
        [context, orgId = tenant.orgId, tenantId = tenant.id, candidateTenantId, actor,
         done = std::move(done)](Result<entra::ConnectionReport> result) mutable {
            auto applied = inCloudTransaction(*context, [&]() {
                return applyInspection(*context, orgId, tenantId, candidateTenantId, actor, result);
            });
            if (!applied)
                qCWarning(lcConnection) << "applying the check of" << tenantId << "failed:" << applied.error().code
                                        << applied.error().message;
            if (done)
                done();
        });
    return {};
}

} // namespace stint::cloud::connections
