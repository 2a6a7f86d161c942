// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/GraphGateway.h"

#include "entra/EntraLogging.h"
#include "entra/JwtCrypto.h"
#include "entra/TextChecks.h"

#include <QJsonArray>
#include <QSet>
#include <QThread>

namespace stint::entra {
namespace {

constexpr auto kInvalidRequest = "entra.invalid_request";
constexpr auto kTapUnavailable = "entra.tap_unavailable";
constexpr auto kNotConfirmed = "entra.not_confirmed";

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
        {QStringLiteral("read the Temporary Access Pass policy"),
         {QStringLiteral("Policy.Read.All"), QStringLiteral("Policy.ReadWrite.AuthenticationMethod")},
         true},
    };
    return list;
}

bool isGuid(const QString& text)
{
    return text::isGuid(text);
}

Error invalid(const QString& message)
{
    return makeError(QString::fromLatin1(kInvalidRequest), message);
}

QString userPath(const QString& idOrUpn)
{
    return QStringLiteral("/users/") + QString::fromLatin1(QUrl::toPercentEncoding(idOrUpn, "@"));
}

QString assignmentsOf(const QString& principalId)
{
    return QStringLiteral("/roleManagement/directory/roleAssignments?$filter=principalId%20eq%20'")
        + GraphClient::odataString(principalId) + QLatin1Char('\'');
}

const QString kTapPolicyPath
    = QStringLiteral("/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass");
const QString kUserSelect = QStringLiteral("?$select=id,userPrincipalName,accountEnabled,employeeType");

GraphRequest get(const QString& url, bool retryNotFound = false)
{
    GraphRequest request;
    request.url = url;
    request.retryNotFound = retryNotFound;
    return request;
}

GraphRequest write(const QByteArray& method, const QString& url, std::optional<QJsonObject> body = std::nullopt)
{
    GraphRequest request;
    request.method = method;
    request.url = url;
    request.body = std::move(body);
    return request;
}

QJsonArray values(const GraphResponse& response)
{
    return response.body.value(QStringLiteral("value")).toArray();
}

TapPolicy parseTapPolicy(const QJsonObject& body)
{
    TapPolicy policy;
    policy.enabled
        = body.value(QStringLiteral("state")).toString().compare(QStringLiteral("enabled"), Qt::CaseInsensitive) == 0;
    policy.minimumLifetimeMinutes
        = body.value(QStringLiteral("minimumLifetimeInMinutes")).toInt(policy.minimumLifetimeMinutes);
    policy.maximumLifetimeMinutes
        = body.value(QStringLiteral("maximumLifetimeInMinutes")).toInt(policy.maximumLifetimeMinutes);
    policy.defaultLifetimeMinutes
        = body.value(QStringLiteral("defaultLifetimeInMinutes")).toInt(policy.defaultLifetimeMinutes);
    policy.isUsableOnce = body.value(QStringLiteral("isUsableOnce")).toBool(false);
    return policy;
}

struct Assignment
{
    QString id;
    QString roleDefinitionId; // lowercase
};

QList<Assignment> parseAssignments(const GraphResponse& response)
{
    QList<Assignment> out;
    for (const QJsonValue& value : values(response)) {
        const QJsonObject object = value.toObject();
        out.append({object.value(QStringLiteral("id")).toString(),
                    object.value(QStringLiteral("roleDefinitionId")).toString().toLower()});
    }
    return out;
}

bool isConflict(const GraphResponse& response)
{
    return response.status == 409 || response.errorDetailCodes().contains(QStringLiteral("ObjectConflict"))
        || response.errorMessage().contains(QStringLiteral("conflicting object"), Qt::CaseInsensitive)
        || response.errorMessage().contains(QStringLiteral("already exists"), Qt::CaseInsensitive);
}

// The lifetime of a pass that should cover `windowMinutes`, within the tenant's policy; a note when it cannot.
int tapLifetimeFor(int windowMinutes, const TapPolicy& policy, QStringList* notes)
{
    if (windowMinutes > policy.maximumLifetimeMinutes)
        notes->append(QStringLiteral("The window (%1 min) is longer than the tenant's longest Temporary Access "
                                     "Pass: the pass lasts %2 min.")
                          .arg(windowMinutes)
                          .arg(policy.maximumLifetimeMinutes));
    return std::clamp(windowMinutes, policy.minimumLifetimeMinutes, policy.maximumLifetimeMinutes);
}

GraphRequest issueTap(const QString& accountId, int lifetimeMinutes, const TapPolicy& policy)
{
    GraphRequest tap = write("POST", userPath(accountId) + QStringLiteral("/authentication/temporaryAccessPassMethods"),
                             QJsonObject{{QStringLiteral("lifetimeInMinutes"), lifetimeMinutes},
                                         {QStringLiteral("isUsableOnce"), policy.isUsableOnce}});
    tap.retryNotFound = true;
    tap.resendSafe = true; // a user has one TAP: a second one replaces the first
    return tap;
}

// The pass of a 201 from temporaryAccessPassMethods (its value is only ever in this answer), and when it stops working.
Result<IssuedTemporaryAccessPass> issuedTap(const GraphResponse& response, int lifetimeMinutes, TimeMs now)
{
    if (!response.ok())
        return graphError(response, QStringLiteral("Issuing a Temporary Access Pass"));
    IssuedTemporaryAccessPass out;
    out.pass = crypto::SecretBytes(response.body.value(QStringLiteral("temporaryAccessPass")).toString().toUtf8());
    if (out.pass.isEmpty())
        return makeError(QString::fromLatin1(kGraphError), QStringLiteral("Graph returned no Temporary Access Pass"));
    out.id = response.body.value(QStringLiteral("id")).toString();
    const auto start = fromRfc3339(response.body.value(QStringLiteral("startDateTime")).toString())
                           .value_or(fromRfc3339(response.body.value(QStringLiteral("createdDateTime")).toString())
                                         .value_or(now));
    out.expiresAt = start + qint64(response.body.value(QStringLiteral("lifetimeInMinutes")).toInt(lifetimeMinutes)) * 60'000;
    return out;
}

class GraphGateway final : public EntraGateway
{
public:
    explicit GraphGateway(GraphGatewayOptions options)
        : m_options(prepare(std::move(options)))
        , m_tokens(m_options.tokens)
        , m_graph(m_tokens, m_options.graph)
    {
    }

    Result<ConnectionReport> inspect(const TenantAccess& tenant) override;
    Result<ProvisionResult> provision(const ProvisionRequest& request) override;
    Result<RevokeReport> revoke(const RevokeRequest& request) override;
    Result<IssuedTemporaryAccessPass> renewTemporaryAccessPass(const TapRenewal& request) override;
    Result<QList<ManagedAccount>> listManagedAccounts(const TenantAccess& tenant) override;

private:
    static GraphGatewayOptions prepare(GraphGatewayOptions options)
    {
        // Waits and the budgets they count against must run on the same clock: a clock that moves only when told
        // (the cloud's tests) with real sleeps would never run out of budget. So Graph's deadlines and pacing follow
        // the injected clock only together with an injected sleep; tokens always follow the given clock.
        options.graph.clock = options.sleep ? options.clock : nullptr;
        if (!options.sleep)
            options.sleep = [](qint64 ms) { QThread::msleep(std::max<qint64>(0, ms)); };
        options.graph.sleep = options.sleep;
        options.tokens.clock = options.clock;
        options.tokens.sleep = options.sleep;
        return options;
    }
    TimeMs now() const { return (m_options.clock ? m_options.clock : &m_systemClock)->now(); }
    void readBackPause(int attempt) { m_options.sleep(m_options.readBackBaseDelayMs << std::min(attempt, 5)); }

    // Every page of a collection (follows @odata.nextLink under the Graph root).
    Result<QJsonArray> listAll(const TenantAccess& tenant, const QString& url, int* roundTrips, const QString& what);
    Result<std::optional<QJsonObject>> findUser(const TenantAccess& tenant, const QString& idOrUpn, bool lag,
                                                int* roundTrips);

    GraphGatewayOptions m_options;
    SystemClock m_systemClock;
    TokenProvider m_tokens;
    GraphClient m_graph;
};

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

Result<std::optional<QJsonObject>> GraphGateway::findUser(const TenantAccess& tenant, const QString& idOrUpn, bool lag,
                                                          int* roundTrips)
{
    auto response = m_graph.send(tenant, get(userPath(idOrUpn) + kUserSelect, lag), roundTrips);
    if (!response)
        return response.error();
    if (response->status == 404)
        return std::optional<QJsonObject>();
    if (!response->ok())
        return graphError(*response, QStringLiteral("Looking up the account"));
    return std::optional<QJsonObject>(response->body);
}

// --- inspect -------------------------------------------------------------------------------------------------------

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

// --- provision -----------------------------------------------------------------------------------------------------

Result<ProvisionResult> GraphGateway::provision(const ProvisionRequest& request)
{
    if (!text::isUserPrincipalName(request.userPrincipalName))
        return invalid(QStringLiteral("The user principal name is not local@domain with allowed characters"));
    const QString nickname = request.mailNickname.isEmpty() ? request.userPrincipalName.section(QLatin1Char('@'), 0, 0)
                                                            : request.mailNickname;
    if (!text::isLocalPart(nickname))
        return invalid(QStringLiteral("The mail nickname has characters Entra does not allow"));
    if (request.displayName.trimmed().isEmpty() || request.displayName.size() > 256)
        return invalid(QStringLiteral("The display name must be 1 to 256 characters"));
    QStringList roles;
    for (const QString& role : request.roleDefinitionIds) {
        if (!isGuid(role))
            return invalid(QStringLiteral("Role definition ids are GUIDs"));
        if (!roles.contains(role.toLower()))
            roles.append(role.toLower());
    }
    if (request.knownAccountId && !isGuid(*request.knownAccountId))
        return invalid(QStringLiteral("The known account id is not a GUID"));
    const TenantAccess& tenant = request.tenant;
    const QString& tag = m_options.accountTag;
    ProvisionResult result;
    result.userPrincipalName = request.userPrincipalName;
    int* trips = &result.graphRoundTrips;

    // Round trip 1: the account (by id when known), its roles, the TAP policy.
    QList<GraphRequest> reads
        = {get(userPath(request.knownAccountId.value_or(request.userPrincipalName)) + kUserSelect)};
    if (request.knownAccountId)
        reads.append(get(assignmentsOf(*request.knownAccountId)));
    const int policyIndex = int(reads.size());
    if (request.issueTemporaryAccessPass)
        reads.append(get(kTapPolicyPath));
    auto first = m_graph.batch(tenant, reads, trips);
    if (!first)
        return first.error();

    TapPolicy policy;
    int tapLifetime = 0;
    if (request.issueTemporaryAccessPass) {
        const GraphResponse& policyResponse = (*first)[policyIndex];
        if (!policyResponse.ok())
            return graphError(policyResponse, QStringLiteral("Reading the Temporary Access Pass policy"));
        policy = parseTapPolicy(policyResponse.body);
        if (!policy.enabled)
            return makeError(QString::fromLatin1(kTapUnavailable),
                             QStringLiteral("The Temporary Access Pass method is disabled in this tenant"));
        tapLifetime = tapLifetimeFor(request.windowMinutes, policy, &result.notes);
    }

    std::optional<QJsonObject> user;
    std::optional<QList<Assignment>> assignments;
    const GraphResponse& userResponse = (*first)[0];
    if (userResponse.ok()) {
        user = userResponse.body;
        if (request.knownAccountId && (*first)[1].ok())
            assignments = parseAssignments((*first)[1]);
    } else if (userResponse.status != 404) {
        return graphError(userResponse, QStringLiteral("Looking up the account"));
    }
    if (!user && request.knownAccountId) {
        // The account Stint knew is gone: find it by name, or make it again.
        auto found = findUser(tenant, request.userPrincipalName, false, trips);
        if (!found)
            return found.error();
        user = *found;
    }

    crypto::SecretBytes password = newAccountPassword(m_options.passwordLength);
    bool passwordSet = false;
    if (!user) {
        QJsonObject body {{QStringLiteral("accountEnabled"), true},
                          {QStringLiteral("displayName"), request.displayName},
                          {QStringLiteral("mailNickname"), nickname},
                          {QStringLiteral("userPrincipalName"), request.userPrincipalName},
                          {QStringLiteral("employeeType"), tag},
                          {QStringLiteral("passwordProfile"),
                           QJsonObject {{QStringLiteral("forceChangePasswordNextSignIn"), false},
                                        {QStringLiteral("password"), QString::fromLatin1(password.bytes())}}}};
        auto created = m_graph.send(tenant, write("POST", QStringLiteral("/users"), std::move(body)), trips);
        if (created && created->status == 201) {
            user = created->body;
            user->insert(QStringLiteral("accountEnabled"), true);
            user->insert(QStringLiteral("employeeType"), tag);
            result.created = true;
            passwordSet = true;
            assignments = QList<Assignment>();
        } else if ((!created && created.error().code == QLatin1String(kOutcomeUnknown))
                   || (created && isConflict(*created))) {
            // The response was lost, or an account by that name exists (perhaps ours, from the lost response):
            // read again (the new account may take a moment to be visible) rather than create twice.
            qCInfo(lcEntra) << "create user: outcome unknown or conflict; looking the account up again";
            auto found = findUser(tenant, request.userPrincipalName, true, trips);
            if (!found)
                return found.error();
            if (!*found)
                return makeError(QString::fromLatin1(EntraGateway::kTransient),
                                 QStringLiteral("Creating the account had no visible outcome; try again"));
            user = *found;
        } else if (!created) {
            return created.error();
        } else {
            return graphError(*created, QStringLiteral("Creating the account"));
        }
    }
    if (user->value(QStringLiteral("employeeType")).toString() != tag)
        return makeError(
            QString::fromLatin1(kAccountNotManaged),
            QStringLiteral("%1 exists and was not made by Stint: it is left alone").arg(request.userPrincipalName));
    const QString accountId = user->value(QStringLiteral("id")).toString().toLower();
    if (!isGuid(accountId))
        return makeError(QString::fromLatin1(kGraphError), QStringLiteral("Graph gave the account no valid id"));
    result.accountId = accountId;
    result.userPrincipalName = user->value(QStringLiteral("userPrincipalName")).toString(request.userPrincipalName);
    if (!assignments) {
        auto listed = m_graph.send(tenant, get(assignmentsOf(accountId)), trips);
        if (!listed)
            return listed.error();
        if (!listed->ok())
            return graphError(*listed, QStringLiteral("Reading the account's roles"));
        assignments = parseAssignments(*listed);
    }

    // Round trip: every write at once.
    QSet<QString> held;
    for (const Assignment& assignment : std::as_const(*assignments))
        held.insert(assignment.roleDefinitionId);
    QList<GraphRequest> writes;
    int patchIndex = -1;
    int tapIndex = -1;
    QJsonObject patch;
    if (!user->value(QStringLiteral("accountEnabled")).toBool())
        patch.insert(QStringLiteral("accountEnabled"), true);
    if (request.issuePassword && !passwordSet)
        patch.insert(QStringLiteral("passwordProfile"),
                     QJsonObject {{QStringLiteral("forceChangePasswordNextSignIn"), false},
                                  {QStringLiteral("password"), QString::fromLatin1(password.bytes())}});
    if (!patch.isEmpty()) {
        patchIndex = int(writes.size());
        GraphRequest update = write("PATCH", userPath(accountId), patch);
        update.retryNotFound = result.created;
        writes.append(update);
    }
    const auto assign = [&](const QString& role) {
        GraphRequest post = write(
            "POST", QStringLiteral("/roleManagement/directory/roleAssignments"),
            QJsonObject {{QStringLiteral("@odata.type"), QStringLiteral("#microsoft.graph.unifiedRoleAssignment")},
                         {QStringLiteral("roleDefinitionId"), role},
                         {QStringLiteral("principalId"), accountId},
                         {QStringLiteral("directoryScopeId"), QStringLiteral("/")}});
        post.retryNotFound = true; // a role for a user just made can fail with Request_ResourceNotFound for a while
        return post;
    };
    for (const QString& role : std::as_const(roles)) {
        if (!held.contains(role))
            writes.append(assign(role));
    }
    if (request.issueTemporaryAccessPass) {
        tapIndex = int(writes.size());
        writes.append(issueTap(accountId, tapLifetime, policy));
    }
    if (!writes.isEmpty()) {
        auto written = m_graph.batch(tenant, writes, trips);
        if (!written)
            return written.error();
        for (int i = 0; i < written->size(); ++i) {
            const GraphResponse& response = (*written)[i];
            if (i == patchIndex && !response.ok())
                return graphError(response, QStringLiteral("Enabling the account and setting its password"));
            if (i == tapIndex) {
                auto issued = issuedTap(response, tapLifetime, now());
                if (!issued)
                    return issued.error();
                result.temporaryAccessPass = std::move(issued->pass);
                result.temporaryAccessPassId = issued->id;
                result.temporaryAccessPassExpiresAt = issued->expiresAt;
            } else if (i != patchIndex && !response.ok() && response.status != 0 && !isConflict(response)) {
                return graphError(response, QStringLiteral("Assigning a role"));
            }
        }
    }
    if (request.issuePassword)
        result.password = std::move(password);

    // Round trip: read back until the account is enabled and holds every role asked for.
    for (int attempt = 0;; ++attempt) {
        auto readBack = m_graph.batch(tenant,
                                      {get(userPath(accountId) + QStringLiteral("?$select=id,accountEnabled"), true),
                                       get(assignmentsOf(accountId))},
                                      trips);
        if (!readBack)
            return readBack.error();
        const GraphResponse& userBack = (*readBack)[0];
        const GraphResponse& rolesBack = (*readBack)[1];
        if (!userBack.ok() && userBack.status != 404)
            return graphError(userBack, QStringLiteral("Reading the account back"));
        if (!rolesBack.ok())
            return graphError(rolesBack, QStringLiteral("Reading the account's roles back"));
        const bool enabled = userBack.ok() && userBack.body.value(QStringLiteral("accountEnabled")).toBool();
        QStringList missing = roles;
        result.roleAssignmentIds.clear();
        for (const Assignment& assignment : parseAssignments(rolesBack)) {
            if (roles.contains(assignment.roleDefinitionId)) {
                missing.removeAll(assignment.roleDefinitionId);
                result.roleAssignmentIds.append(assignment.id);
            }
        }
        if (enabled && missing.isEmpty())
            break;
        if (attempt + 1 >= m_options.readBackAttempts)
            return makeError(QString::fromLatin1(kNotConfirmed),
                             QStringLiteral("Graph does not show the account %1%2 yet")
                                 .arg(enabled ? QString() : QStringLiteral("enabled"))
                                 .arg(missing.isEmpty()
                                          ? QString()
                                          : QStringLiteral(" with roles %1").arg(missing.join(QLatin1Char(',')))));
        readBackPause(attempt);
        if (attempt >= 1 && !missing.isEmpty()) {
            // Still missing after lag had its time: the assignment may never have been made (lost response).
            QList<GraphRequest> again;
            for (const QString& role : std::as_const(missing))
                again.append(assign(role));
            auto reassigned = m_graph.batch(tenant, again, trips);
            if (!reassigned)
                return reassigned.error();
        }
    }
    qCInfo(lcEntra) << "provisioned account" << result.accountId << "in tenant" << tenant.entraTenantId << "roles"
                    << roles.size() << "created" << result.created << "round trips" << result.graphRoundTrips;
    return result;
}

// --- revoke --------------------------------------------------------------------------------------------------------

// --- Temporary Access Pass renewal ---------------------------------------------------------------------------------

Result<IssuedTemporaryAccessPass> GraphGateway::renewTemporaryAccessPass(const TapRenewal& request)
{
    if (!isGuid(request.accountId))
        return invalid(QStringLiteral("The account id is not a GUID"));
    if (request.windowMinutes < 1)
        return invalid(QStringLiteral("The window must be at least a minute"));
    int trips = 0;
    // Round trip 1: the policy's bounds (they may have changed since the pass was first issued).
    auto policyResponse = m_graph.send(request.tenant, get(kTapPolicyPath), &trips);
    if (!policyResponse)
        return policyResponse.error();
    if (!policyResponse->ok())
        return graphError(*policyResponse, QStringLiteral("Reading the Temporary Access Pass policy"));
    const TapPolicy policy = parseTapPolicy(policyResponse->body);
    if (!policy.enabled)
        return makeError(QString::fromLatin1(kTapUnavailable),
                         QStringLiteral("The Temporary Access Pass method is disabled in this tenant"));
    QStringList notes;
    const int lifetime = tapLifetimeFor(request.windowMinutes, policy, &notes);
    // Round trip 2: the new pass, which replaces the account's current one.
    auto created = m_graph.send(request.tenant, issueTap(request.accountId, lifetime, policy), &trips);
    if (!created)
        return created.error();
    auto issued = issuedTap(*created, lifetime, now());
    if (!issued)
        return issued.error();
    issued->graphRoundTrips = trips;
    issued->notes = notes;
    qCInfo(lcEntra) << "renewed the Temporary Access Pass of" << request.accountId << "in tenant"
                    << request.tenant.entraTenantId << "for" << lifetime << "min";
    return issued;
}

Result<RevokeReport> GraphGateway::revoke(const RevokeRequest& request)
{
    if (!isGuid(request.accountId))
        return invalid(QStringLiteral("The account id is not a GUID"));
    const TenantAccess& tenant = request.tenant;
    const QString accountId = request.accountId.toLower();
    const QString tapMethods = userPath(accountId) + QStringLiteral("/authentication/temporaryAccessPassMethods");
    RevokeReport report;
    int* trips = &report.graphRoundTrips;
    QStringList problems;

    // 1: what there is.
    auto state = m_graph.batch(
        tenant, {get(userPath(accountId) + kUserSelect), get(assignmentsOf(accountId)), get(tapMethods)}, trips);
    if (!state)
        return state.error();
    if ((*state)[0].status == 404) {
        report.accountGone = true;
        report.roleAssignmentsRemoved = report.accountDisabled = report.credentialInvalidated = true;
        report.detail = QStringLiteral("The account no longer exists.");
        if (request.deleteAccount) {
            // A revocation cut off between the soft delete and the purge (a restart) finds the account gone from the
            // users but still in deleted items, restorable for 30 days — which deleting was meant to rule out:
            // finish the purge (a 404 there: nothing left to purge).
            GraphRequest purge = write("DELETE", QStringLiteral("/directory/deletedItems/") + accountId);
            auto purged = m_graph.send(tenant, purge, trips);
            if (!purged)
                report.detail += QLatin1Char(' ') + purged.error().message;
            else if (purged->ok() || purged->status == 404)
                report.accountDeleted = true;
            else
                report.detail += QLatin1Char(' ')
                    + graphError(*purged, QStringLiteral("Removing the account from deleted items")).message;
        }
        return report;
    }
    if (!(*state)[0].ok())
        return graphError((*state)[0], QStringLiteral("Reading the account"));
    if ((*state)[0].body.value(QStringLiteral("employeeType")).toString() != m_options.accountTag)
        return makeError(QString::fromLatin1(kAccountNotManaged),
                         QStringLiteral("The account was not made by Stint: it is left alone"));
    if (!(*state)[1].ok())
        return graphError((*state)[1], QStringLiteral("Reading the account's roles"));
    const QList<Assignment> assignments = parseAssignments((*state)[1]);
    QStringList taps;
    if ((*state)[2].ok()) {
        for (const QJsonValue& value : values((*state)[2]))
            taps.append(value.toObject().value(QStringLiteral("id")).toString());
    } else {
        problems.append(graphError((*state)[2], QStringLiteral("Listing Temporary Access Passes")).message);
    }

    // 2: the roles go first (protocols.md 2.7): a disabled account that still holds Global Administrator would need a
    // stronger role to touch again, and a role without an account is worth nothing.
    if (!assignments.isEmpty()) {
        QList<GraphRequest> deletes;
        for (const Assignment& assignment : assignments)
            deletes.append(write("DELETE",
                                 QStringLiteral("/roleManagement/directory/roleAssignments/")
                                     + QString::fromLatin1(QUrl::toPercentEncoding(assignment.id))));
        auto deleted = m_graph.batch(tenant, deletes, trips);
        if (!deleted)
            return deleted.error();
        for (int i = 0; i < deleted->size(); ++i) {
            const GraphResponse& response = (*deleted)[i];
            if (response.ok() || response.status == 404)
                report.removedRoleDefinitionIds.append(assignments[i].roleDefinitionId);
            else
                problems.append(
                    graphError(response, QStringLiteral("Removing role %1").arg(assignments[i].roleDefinitionId))
                        .message);
        }
    }

    // 3: disable, rotate the password to something nobody knows, end sessions, delete the passes.
    crypto::SecretBytes password = newAccountPassword(m_options.passwordLength);
    QList<GraphRequest> lockout = {
        write("PATCH", userPath(accountId),
              QJsonObject {{QStringLiteral("accountEnabled"), false},
                           {QStringLiteral("passwordProfile"),
                            QJsonObject {{QStringLiteral("forceChangePasswordNextSignIn"), false},
                                         {QStringLiteral("password"), QString::fromLatin1(password.bytes())}}}}),
        write("POST", userPath(accountId) + QStringLiteral("/revokeSignInSessions")),
    };
    lockout[1].resendSafe = true; // revoking twice is revoking
    for (const QString& tap : std::as_const(taps))
        lockout.append(
            write("DELETE", tapMethods + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(tap))));
    auto locked = m_graph.batch(tenant, lockout, trips);
    if (!locked)
        return locked.error();
    bool passwordRotated = (*locked)[0].ok();
    if (!passwordRotated) {
        problems.append(
            graphError((*locked)[0], QStringLiteral("Disabling the account and rotating its password")).message);
        // At least disable it, if only the password was refused.
        auto disabled = m_graph.send(
            tenant, write("PATCH", userPath(accountId), QJsonObject {{QStringLiteral("accountEnabled"), false}}),
            trips);
        if (disabled && !disabled->ok())
            problems.append(graphError(*disabled, QStringLiteral("Disabling the account")).message);
    }
    report.sessionsRevoked = (*locked)[1].ok();
    if (!report.sessionsRevoked)
        problems.append(graphError((*locked)[1], QStringLiteral("Revoking sign-in sessions")).message);
    for (int i = 2; i < locked->size(); ++i) {
        if (!(*locked)[i].ok() && (*locked)[i].status != 404)
            problems.append(graphError((*locked)[i], QStringLiteral("Deleting a Temporary Access Pass")).message);
    }

    // 4: delete when asked: soft, then from deletedItems where the app may (protocols.md 6.4).
    bool softDeleted = false;
    if (request.deleteAccount) {
        auto deleted = m_graph.send(tenant, write("DELETE", userPath(accountId)), trips);
        if (!deleted)
            return deleted.error();
        softDeleted = deleted->ok() || deleted->status == 404;
        if (!softDeleted) {
            problems.append(graphError(*deleted, QStringLiteral("Deleting the account")).message);
        } else {
            GraphRequest purge = write("DELETE", QStringLiteral("/directory/deletedItems/") + accountId);
            purge.retryNotFound = true; // the deleted user may take a moment to appear in deletedItems
            auto purged = m_graph.send(tenant, purge, trips);
            if (!purged)
                problems.append(purged.error().message);
            else if (purged->status == 403)
                problems.append(QStringLiteral("The app may not delete accounts permanently (%1): the account stays in "
                                               "deleted items for 30 days.")
                                    .arg(purged->errorCode()));
            else if (!purged->ok() && purged->status != 404)
                problems.append(graphError(*purged, QStringLiteral("Removing the account from deleted items")).message);
        }
    }

    // 5: read back, and report only what Graph shows.
    for (int attempt = 0;; ++attempt) {
        auto back
            = m_graph.batch(tenant,
                            {get(assignmentsOf(accountId)),
                             get(userPath(accountId) + QStringLiteral("?$select=id,accountEnabled")), get(tapMethods)},
                            trips);
        if (!back)
            return back.error();
        const GraphResponse& rolesBack = (*back)[0];
        const GraphResponse& userBack = (*back)[1];
        const GraphResponse& tapsBack = (*back)[2];
        const bool gone = userBack.status == 404;
        report.roleAssignmentsRemoved = rolesBack.ok() && values(rolesBack).isEmpty();
        report.accountDisabled
            = gone || (userBack.ok() && !userBack.body.value(QStringLiteral("accountEnabled")).toBool(true));
        const bool noTap = gone || (tapsBack.ok() && values(tapsBack).isEmpty());
        report.credentialInvalidated = (passwordRotated || gone) && noTap;
        report.accountDeleted = request.deleteAccount && softDeleted && gone;
        const bool settled = report.roleAssignmentsRemoved && report.accountDisabled && noTap
            && (!request.deleteAccount || report.accountDeleted || !softDeleted);
        if (settled || attempt + 1 >= m_options.readBackAttempts) {
            if (!report.roleAssignmentsRemoved)
                problems.append(
                    QStringLiteral("Graph still shows %1 role assignment(s).").arg(values(rolesBack).size()));
            if (!report.accountDisabled)
                problems.append(QStringLiteral("Graph does not show the account disabled."));
            if (!noTap)
                problems.append(QStringLiteral("Graph still shows a Temporary Access Pass."));
            if (request.deleteAccount && softDeleted && !gone)
                problems.append(QStringLiteral("Graph still shows the account after deleting it."));
            break;
        }
        readBackPause(attempt);
    }
    report.detail = problems.join(QLatin1Char(' '));
    qCInfo(lcEntra) << "revoked account" << accountId << "in tenant" << tenant.entraTenantId << "confirmed"
                    << report.confirmed(request.deleteAccount) << "round trips" << report.graphRoundTrips;
    return report;
}

// --- listManagedAccounts -------------------------------------------------------------------------------------------

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

} // namespace

crypto::SecretBytes newAccountPassword(int length)
{
    static constexpr const char* kClasses[4]
        = {"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!#%+-.:=?@^_~"};
    const QByteArray all = QByteArray(kClasses[0]) + kClasses[1] + kClasses[2] + kClasses[3];
    length = std::max(16, std::min(length, 256));
    // Uniform picks by rejection sampling over CSPRNG bytes.
    const auto pick = [](QByteArrayView alphabet) {
        const int limit = 256 - (256 % int(alphabet.size()));
        for (;;) {
            QByteArray byte = crypto::randomBytes(1);
            const int value = static_cast<unsigned char>(byte[0]);
            if (value < limit)
                return alphabet[value % alphabet.size()];
        }
    };
    QByteArray password;
    password.reserve(length);
    for (const char* cls : kClasses)
        password.append(pick(QByteArrayView(cls)));
    while (password.size() < length)
        password.append(pick(all));
    for (qsizetype i = password.size() - 1; i > 0; --i) { // Fisher–Yates: the four guaranteed classes land anywhere
        const QByteArray r = crypto::randomBytes(4);
        const quint32 value = *reinterpret_cast<const quint32*>(r.constData());
        std::swap(password[i], password[qsizetype(value % quint32(i + 1))]);
    }
    return crypto::SecretBytes(std::move(password));
}

std::unique_ptr<EntraGateway> makeGraphGateway(const GraphGatewayOptions& options)
{
    return std::make_unique<GraphGateway>(options);
}

} // namespace stint::entra
