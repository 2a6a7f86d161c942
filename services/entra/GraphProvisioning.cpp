// SPDX-License-Identifier: GPL-3.0-or-later
// Provisioning: a technician's account in a customer's tenant, its password, roles and Temporary Access Pass
// (GraphGatewayInternal.h).
#include "entra/GraphGatewayInternal.h"

#include "entra/EntraLogging.h"
#include "entra/TextChecks.h"

#include <QSet>

namespace stint::entra::detail {

namespace {

constexpr auto kTapUnavailable = "entra.tap_unavailable";
constexpr auto kNotConfirmed = "entra.not_confirmed";

bool isConflict(const GraphResponse& response)
{
    return response.status == 409 || response.errorDetailCodes().contains(QStringLiteral("ObjectConflict"))
        || response.errorMessage().contains(QStringLiteral("conflicting object"), Qt::CaseInsensitive)
        || response.errorMessage().contains(QStringLiteral("already exists"), Qt::CaseInsensitive);
}

// The lifetime of a pass that should cover `windowMinutes`, within the tenant's policy; a note when it cannot.
int tapLifetimeFor(int windowMinutes, const TapPolicy& policy, QStringList* notes)
{
    if (notes && windowMinutes > policy.maximumLifetimeMinutes)
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

GraphRequest assignRole(const QString& accountId, const QString& role)
{
    GraphRequest post
        = write("POST", QStringLiteral("/roleManagement/directory/roleAssignments"),
                QJsonObject {{QStringLiteral("@odata.type"), QStringLiteral("#microsoft.graph.unifiedRoleAssignment")},
                             {QStringLiteral("roleDefinitionId"), role},
                             {QStringLiteral("principalId"), accountId},
                             {QStringLiteral("directoryScopeId"), QStringLiteral("/")}});
    post.retryNotFound = true; // a role for a user just made can fail with Request_ResourceNotFound for a while
    return post;
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

} // namespace

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
    crypto::SecretBytes password = newAccountPassword(m_options.passwordLength);

    // The account. One Stint recorded (its id, never reused, is Stint's own record of an account it made or adopted
    // with the tag) is written to straight away; otherwise it is made — one round trip — and only an account found
    // by its name (the name was taken, or a lost answer made it) is checked for the tag before anything is written.
    QString accountId = request.knownAccountId.value_or(QString()).toLower();
    bool passwordSet = false; // by the creation
    const auto makeAccount = [&]() -> Result<void> {
        // Made disabled when a Temporary Access Pass is to come: it is enabled in the same sequence that issues the
        // pass, after it, so that a refused pass leaves nothing usable behind.
        QJsonObject body {{QStringLiteral("accountEnabled"), !request.issueTemporaryAccessPass},
                          {QStringLiteral("displayName"), request.displayName},
                          {QStringLiteral("mailNickname"), nickname},
                          {QStringLiteral("userPrincipalName"), request.userPrincipalName},
                          {QStringLiteral("employeeType"), tag},
                          {QStringLiteral("passwordProfile"),
                           QJsonObject {{QStringLiteral("forceChangePasswordNextSignIn"), false},
                                        {QStringLiteral("password"), QString::fromLatin1(password.bytes())}}}};
        auto created = m_graph.send(tenant, write("POST", QStringLiteral("/users"), body), trips);
        std::optional<QJsonObject> user;
        if (!created && created.error().code == QLatin1String(kOutcomeUnknown)) {
            // Lost on the way (a dropped connection): if Graph shows no account by that name, the creation was most
            // likely not carried out, and sending it again cannot make a second one — the name is unique, so a
            // creation carried out after all (not shown yet: replication lag) makes the second one conflict, and
            // the account is then looked up, waiting out the lag.
            auto found = findUser(tenant, request.userPrincipalName, false, trips);
            if (!found)
                return found.error();
            if (!*found)
                created = m_graph.send(tenant, write("POST", QStringLiteral("/users"), body), trips);
            else
                created = makeError(QString::fromLatin1(kOutcomeUnknown), QStringLiteral("created meanwhile"));
        }
        if (created && created->status == 201) {
            user = created->body;
            result.created = true;
            passwordSet = true;
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
            user = **found;
            if (user->value(QStringLiteral("employeeType")).toString() != tag)
                return makeError(QString::fromLatin1(kAccountNotManaged),
                                 QStringLiteral("%1 exists and was not made by Stint: it is left alone")
                                     .arg(request.userPrincipalName));
        } else if (!created) {
            return created.error();
        } else {
            return graphError(*created, QStringLiteral("Creating the account"));
        }
        accountId = user->value(QStringLiteral("id")).toString().toLower();
        if (!isGuid(accountId))
            return makeError(QString::fromLatin1(kGraphError), QStringLiteral("Graph gave the account no valid id"));
        result.userPrincipalName = user->value(QStringLiteral("userPrincipalName")).toString(request.userPrincipalName);
        return {};
    };
    if (accountId.isEmpty()) {
        if (auto made = makeAccount(); !made)
            return made.error();
    }

    // Round trip: every write in one sequential $batch (protocols.md 2.9) — the pass first (a refused one stops
    // everything after it: nothing is enabled or assigned), then the account enabled with its password, then the
    // roles (after the password: a target that already holds a role needs a stronger role to touch, protocols.md
    // 2.7). The policy is read in the same sequence; the lifetime comes from the last policy seen in this tenant.
    TapPolicy policy = knownTapPolicy(tenant);
    int tapLifetime = 0;
    for (int pass = 0;; ++pass) {
        result.notes.clear();
        tapLifetime = request.issueTemporaryAccessPass ? tapLifetimeFor(request.windowMinutes, policy, &result.notes) : 0;
        QList<GraphRequest> writes;
        int policyIndex = -1;
        int tapIndex = -1;
        if (request.issueTemporaryAccessPass) {
            policyIndex = int(writes.size());
            writes.append(get(kTapPolicyPath));
            writes.last().id = QStringLiteral("policy");
            tapIndex = int(writes.size());
            writes.append(issueTap(accountId, tapLifetime, policy));
            writes.last().id = QStringLiteral("tap");
            writes.last().retryNotFound = result.created;
        }
        QJsonObject patch;
        if (!result.created || request.issueTemporaryAccessPass)
            patch.insert(QStringLiteral("accountEnabled"), true);
        if (request.issuePassword && !passwordSet)
            patch.insert(QStringLiteral("passwordProfile"),
                         QJsonObject {{QStringLiteral("forceChangePasswordNextSignIn"), false},
                                      {QStringLiteral("password"), QString::fromLatin1(password.bytes())}});
        int patchIndex = -1;
        if (!patch.isEmpty()) {
            patchIndex = int(writes.size());
            GraphRequest update = write("PATCH", userPath(accountId), patch);
            update.id = QStringLiteral("enable");
            update.retryNotFound = result.created;
            if (tapIndex >= 0)
                update.dependsOn = {QStringLiteral("tap")};
            writes.append(update);
        }
        const int firstRole = int(writes.size());
        for (const QString& role : std::as_const(roles)) {
            GraphRequest post = assignRole(accountId, role);
            post.id = QStringLiteral("role-%1").arg(writes.size() - firstRole + 1);
            if (patchIndex >= 0)
                post.dependsOn = {QStringLiteral("enable")};
            else if (tapIndex >= 0)
                post.dependsOn = {QStringLiteral("tap")};
            writes.append(post);
        }
        if (writes.isEmpty())
            break;
        auto written = m_graph.batch(tenant, writes, trips, GraphClient::Order::Sequential);
        if (!written)
            return written.error();
        // The account Stint recorded is gone (deleted in the tenant): find it by name, or make it again.
        const int firstWrite = tapIndex >= 0 ? tapIndex : patchIndex >= 0 ? patchIndex : firstRole;
        if (!result.created && request.knownAccountId && pass == 0 && firstWrite < written->size()
            && (*written)[firstWrite].status == 404) {
            qCInfo(lcEntra) << "provision: the recorded account is gone; finding or making it again";
            accountId.clear();
            if (auto made = makeAccount(); !made)
                return made.error();
            continue;
        }
        if (policyIndex >= 0) {
            const GraphResponse& policyResponse = (*written)[policyIndex];
            if (!policyResponse.ok())
                return graphError(policyResponse, QStringLiteral("Reading the Temporary Access Pass policy"));
            const TapPolicy current = parseTapPolicy(policyResponse.body);
            rememberTapPolicy(tenant, current);
            if (!current.enabled)
                return makeError(QString::fromLatin1(kTapUnavailable),
                                 QStringLiteral("The Temporary Access Pass method is disabled in this tenant"));
            const GraphResponse& tapResponse = (*written)[tapIndex];
            const int wanted = tapLifetimeFor(request.windowMinutes, current, nullptr);
            if (!tapResponse.ok() && tapResponse.status == 400 && wanted != tapLifetime && pass < 2) {
                // The policy changed since it was last seen: the pass asked for lasted longer or shorter than it
                // allows. Once more with its bounds (nothing after the pass was carried out).
                policy = current;
                continue;
            }
            auto issued = issuedTap(tapResponse, tapLifetime, now());
            if (!issued)
                return issued.error();
            if (wanted != tapLifetime) {
                // Issued, but under bounds that changed since they were last seen: the pass would end before or
                // long after the window. One more, within the bounds now read (it replaces this one).
                QStringList notes;
                tapLifetime = tapLifetimeFor(request.windowMinutes, current, &notes);
                result.notes = notes;
                auto again = m_graph.send(tenant, issueTap(accountId, tapLifetime, current), trips);
                if (!again)
                    return again.error();
                issued = issuedTap(*again, tapLifetime, now());
                if (!issued)
                    return issued.error();
            }
            result.temporaryAccessPass = std::move(issued->pass);
            result.temporaryAccessPassId = issued->id;
            result.temporaryAccessPassExpiresAt = issued->expiresAt;
        }
        if (patchIndex >= 0 && !(*written)[patchIndex].ok())
            return graphError((*written)[patchIndex], QStringLiteral("Enabling the account and setting its password"));
        for (int i = firstRole; i < written->size(); ++i) {
            const GraphResponse& response = (*written)[i];
            if (!response.ok() && response.status != 0 && !isConflict(response)) // conflict: held already
                return graphError(response, QStringLiteral("Assigning a role"));
        }
        break;
    }
    result.accountId = accountId;
    if (request.issuePassword)
        result.password = std::move(password);

    // Round trip: read back until the account is enabled and holds every role asked for.
    for (int attempt = 0;; ++attempt) {
        auto readBack = m_graph.batch(
            tenant,
            {get(userPath(accountId) + QStringLiteral("?$select=id,accountEnabled,userPrincipalName"), true),
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
        if (userBack.ok())
            result.userPrincipalName
                = userBack.body.value(QStringLiteral("userPrincipalName")).toString(result.userPrincipalName);
        QStringList missing = roles;
        result.roleAssignmentIds.clear();
        const QList<Assignment> held = parseAssignments(rolesBack);
        for (const Assignment& assignment : held) {
            if (roles.contains(assignment.roleDefinitionId)) {
                missing.removeAll(assignment.roleDefinitionId);
                result.roleAssignmentIds.append(assignment.id);
            }
        }
        if (enabled && missing.isEmpty()) {
            // What a revocation will have to take away, without reading first (GraphRevocation.cpp).
            rememberGrants(tenant, accountId, held, result.temporaryAccessPassId);
            result.granted.roleAssignments = held;
            if (result.temporaryAccessPassId && !result.temporaryAccessPassId->isEmpty())
                result.granted.temporaryAccessPassIds = {*result.temporaryAccessPassId};
            break;
        }
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
                again.append(assignRole(accountId, role));
            auto reassigned = m_graph.batch(tenant, again, trips);
            if (!reassigned)
                return reassigned.error();
        }
    }
    qCInfo(lcEntra) << "provisioned account" << result.accountId << "in tenant" << tenant.entraTenantId << "roles"
                    << roles.size() << "created" << result.created << "round trips" << result.graphRoundTrips;
    return result;
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
    rememberTapPolicy(request.tenant, policy);
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
    if (const auto grants = knownGrants(request.tenant, request.accountId))
        rememberGrants(request.tenant, request.accountId, grants->roleAssignments, issued->id);
    qCInfo(lcEntra) << "renewed the Temporary Access Pass of" << request.accountId << "in tenant"
                    << request.tenant.entraTenantId << "for" << lifetime << "min";
    return issued;
}

} // namespace stint::entra::detail
