// SPDX-License-Identifier: GPL-3.0-or-later
#include "SimState.h"

#include "core/Crypto.h"

#include <QUuid>

namespace stint::entrasim {

namespace {

bool sameText(const QString& a, const QString& b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

const SimDomain* SimTenant::domain(const QString& name) const
{
    for (const SimDomain& d : domains) {
        if (sameText(d.name, name))
            return &d;
    }
    return nullptr;
}

const SimDomain* SimTenant::defaultDomain() const
{
    for (const SimDomain& d : domains) {
        if (d.isDefault)
            return &d;
    }
    return domains.isEmpty() ? nullptr : &domains.first();
}

SimState::SimState(const Clock& clock)
    : m_clock(clock)
{
}

QString SimState::newGuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString SimState::newRoleAssignmentId()
{
    // Real ids look like "YUb1sHQtUEyvox7IA_Eu_mm3jqnUe4lEhvatluHVi2I-1": 32 bytes base64url and "-1".
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(32))) + QStringLiteral("-1");
}

QByteArray SimState::hashSecret(const QByteArray& salt, const QString& secret)
{
    // A simulator, not a password store: one salted HMAC is enough to keep values out of memory dumps of state.
    QByteArray utf8 = secret.toUtf8();
    QByteArray hash = crypto::hmacSha256(salt, utf8);
    crypto::wipe(utf8);
    return hash;
}

void SimState::reset()
{
    m_tenants.clear();
    m_apps.clear();
}

SimTenant* SimState::tenant(const QString& idOrDomain)
{
    if (idOrDomain.isEmpty())
        return nullptr;
    const auto it = m_tenants.find(idOrDomain.toLower());
    if (it != m_tenants.end())
        return &it->second;
    for (auto& [id, t] : m_tenants) {
        if (t.domain(idOrDomain))
            return &t;
    }
    return nullptr;
}

SimApp* SimState::app(const QString& clientId)
{
    const auto it = m_apps.find(clientId.toLower());
    return it == m_apps.end() ? nullptr : &it->second;
}

SimServicePrincipal* SimState::servicePrincipal(const QString& tenantId, const QString& clientId)
{
    SimTenant* t = tenant(tenantId);
    if (!t)
        return nullptr;
    const auto it = t->servicePrincipals.find(clientId.toLower());
    return it == t->servicePrincipals.end() ? nullptr : &it->second;
}

SimServicePrincipal& SimState::consent(const QString& tenantId, const QString& clientId)
{
    SimTenant* t = tenant(tenantId);
    Q_ASSERT(t);
    SimApp* a = app(clientId);
    SimServicePrincipal& sp = t->servicePrincipals[clientId.toLower()];
    if (sp.objectId.isEmpty()) {
        sp.objectId = newGuid();
        sp.appId = clientId.toLower();
        sp.tenantId = t->id;
    }
    if (a) {
        sp.displayName = a->displayName;
        for (const QString& p : a->requiredPermissions) {
            if (!sp.grantedPermissions.contains(p))
                sp.grantedPermissions.append(p);
        }
    }
    return sp;
}

SimUser* SimState::userByUpn(const QString& tenantId, const QString& upn)
{
    SimTenant* t = tenant(tenantId);
    if (!t)
        return nullptr;
    for (auto& [id, u] : t->users) {
        if (sameText(u.userPrincipalName, upn))
            return &u;
    }
    return nullptr;
}

SimUser* SimState::user(const QString& tenantId, const QString& id)
{
    SimTenant* t = tenant(tenantId);
    if (!t)
        return nullptr;
    const auto it = t->users.find(id.toLower());
    return it == t->users.end() ? nullptr : &it->second;
}

bool SimState::checkPassword(const SimUser& user, const QString& password) const
{
    if (user.passwordHash.isEmpty())
        return false;
    return crypto::constantTimeEquals(hashSecret(user.passwordSalt, password), user.passwordHash);
}

bool SimState::redeemTemporaryAccessPass(SimUser& user, const QString& pass, TimeMs now)
{
    if (!user.tap)
        return false;
    SimTemporaryAccessPass& tap = *user.tap;
    if (now < tap.start || now >= tap.end())
        return false;
    if (tap.isUsableOnce && tap.used)
        return false;
    if (!crypto::constantTimeEquals(hashSecret(tap.salt, pass), tap.passHash))
        return false;
    tap.used = true;
    return true;
}

bool SimState::holdsRoleByAssignment(const SimTenant& tenant, const QString& principalId, const QString& templateId)
{
    for (const auto& [id, a] : tenant.roleAssignments) {
        if (sameText(a.principalId, principalId) && sameText(a.roleDefinitionId, templateId))
            return true;
    }
    return false;
}

bool SimState::holdsRole(const QString& tenantId, const QString& principalId, const QString& templateId) const
{
    const auto it = m_tenants.find(tenantId.toLower());
    return it != m_tenants.end() && holdsRoleByAssignment(it->second, principalId, templateId);
}

bool SimState::holdsAnyRole(const QString& tenantId, const QString& principalId) const
{
    const auto it = m_tenants.find(tenantId.toLower());
    if (it == m_tenants.end())
        return false;
    for (const auto& [id, a] : it->second.roleAssignments) {
        if (sameText(a.principalId, principalId))
            return true;
    }
    return false;
}

bool SimState::checkClientSecret(const SimApp& app, const QString& secret, TimeMs now) const
{
    bool match = false;
    for (const SimClientSecret& s : app.secrets) {
        // Check every secret (no early exit) so timing does not say which one matched.
        const bool equal = crypto::constantTimeEquals(hashSecret(s.salt, secret), s.hash);
        match = match || (equal && now < s.endDateTime);
    }
    return match;
}

SimTenant& SimState::createTenant(const QString& displayName, const QString& initialDomainPrefix, const QString& id)
{
    const QString tenantId = id.isEmpty() ? newGuid() : id.toLower();
    SimTenant& t = m_tenants[tenantId];
    t.id = tenantId;
    t.displayName = displayName;
    if (t.domains.isEmpty()) {
        SimDomain initial;
        initial.name = initialDomainPrefix.toLower() + QStringLiteral(".onmicrosoft.com");
        initial.isVerified = true;
        initial.isInitial = true;
        initial.isDefault = true;
        t.domains.append(initial);
    }
    return t;
}

bool SimState::removeServicePrincipal(const QString& tenantId, const QString& clientId)
{
    SimTenant* t = tenant(tenantId);
    if (!t)
        return false;
    const auto sp = t->servicePrincipals.find(clientId);
    if (sp == t->servicePrincipals.end())
        return false;
    const QString objectId = sp->second.objectId;
    t->servicePrincipals.erase(sp);
    for (auto it = t->roleAssignments.begin(); it != t->roleAssignments.end();) {
        if (it->second.principalId == objectId)
            it = t->roleAssignments.erase(it);
        else
            ++it;
    }
    return true;
}

Result<void> SimState::addDomain(const QString& tenantId, const SimDomain& domain)
{
    SimTenant* t = tenant(tenantId);
    if (!t)
        return makeError(QStringLiteral("sim.unknown_tenant"), QStringLiteral("No such tenant."));
    for (auto& [id, other] : m_tenants) {
        if (other.domain(domain.name))
            return makeError(QStringLiteral("sim.domain_taken"),
                             QStringLiteral("The domain %1 already belongs to a tenant.").arg(domain.name));
    }
    SimDomain d = domain;
    d.name = d.name.toLower();
    if (d.isDefault) {
        for (SimDomain& other : t->domains)
            other.isDefault = false;
    }
    t->domains.append(d);
    return {};
}

SimApp& SimState::registerApp(const QString& homeTenantId, const QString& displayName,
                              const QStringList& requiredPermissions, const QString& clientId)
{
    const QString id = clientId.isEmpty() ? newGuid() : clientId.toLower();
    SimApp& a = m_apps[id];
    a.clientId = id;
    a.homeTenantId = homeTenantId.toLower();
    a.displayName = displayName;
    a.requiredPermissions = requiredPermissions;
    return a;
}

QString SimState::addClientSecret(SimApp& app, const QString& secret, TimeMs endDateTime)
{
    SimClientSecret s;
    s.keyId = newGuid();
    s.hint = secret.left(3);
    s.salt = crypto::randomBytes(16);
    s.hash = hashSecret(s.salt, secret);
    s.endDateTime = endDateTime;
    app.secrets.append(s);
    return s.keyId;
}

Result<SimUser*> SimState::createUser(const QString& tenantId, const QString& upn, const QString& displayName,
                                      const QString& password, bool accountEnabled)
{
    SimTenant* t = tenant(tenantId);
    if (!t)
        return makeError(QStringLiteral("sim.unknown_tenant"), QStringLiteral("No such tenant."));
    if (userByUpn(t->id, upn))
        return makeError(QStringLiteral("sim.upn_taken"), QStringLiteral("The user principal name is taken."));
    const TimeMs now = m_clock.now();
    SimUser u;
    u.id = newGuid();
    u.userPrincipalName = upn;
    u.displayName = displayName;
    u.mailNickname = upn.section(QLatin1Char('@'), 0, 0);
    u.accountEnabled = accountEnabled;
    u.previousAccountEnabled = accountEnabled;
    u.createdAt = now;
    u.sequence = m_nextSequence++;
    u.visibleAt = now;
    u.accountEnabledVisibleAt = now;
    u.signInSessionsValidFrom = now;
    SimUser& stored = t->users[u.id] = u;
    if (!password.isEmpty())
        setPassword(stored, password);
    return &stored;
}

void SimState::setPassword(SimUser& user, const QString& password)
{
    user.passwordSalt = crypto::randomBytes(16);
    user.passwordHash = hashSecret(user.passwordSalt, password);
    user.passwordChangedAt = m_clock.now();
}

Result<SimRoleAssignment*> SimState::assignRole(const QString& tenantId, const QString& principalId,
                                                const QString& roleTemplateId, const QString& directoryScopeId)
{
    SimTenant* t = tenant(tenantId);
    if (!t)
        return makeError(QStringLiteral("sim.unknown_tenant"), QStringLiteral("No such tenant."));
    if (!roleDefinition(roleTemplateId))
        return makeError(QStringLiteral("sim.unknown_role"), QStringLiteral("No such role definition."));
    bool principalExists = t->users.count(principalId.toLower()) > 0;
    for (const auto& [appId, sp] : t->servicePrincipals)
        principalExists = principalExists || sameText(sp.objectId, principalId);
    if (!principalExists)
        return makeError(QStringLiteral("sim.unknown_principal"), QStringLiteral("No such principal."));
    const TimeMs now = m_clock.now();
    SimRoleAssignment a;
    a.id = newRoleAssignmentId();
    a.roleDefinitionId = roleTemplateId.toLower();
    a.principalId = principalId.toLower();
    a.directoryScopeId = directoryScopeId;
    a.createdAt = now;
    a.visibleAt = now;
    return &(t->roleAssignments[a.id] = a);
}

Result<SimServicePrincipal*> SimState::grantServicePrincipal(const QString& tenantId, const QString& clientId,
                                                             const QStringList& permissions,
                                                             const QStringList& directoryRoleTemplateIds)
{
    SimTenant* t = tenant(tenantId);
    if (!t)
        return makeError(QStringLiteral("sim.unknown_tenant"), QStringLiteral("No such tenant."));
    if (!app(clientId))
        return makeError(QStringLiteral("sim.unknown_app"), QStringLiteral("No such app registration."));
    for (const QString& r : directoryRoleTemplateIds) {
        if (!roleDefinition(r))
            return makeError(QStringLiteral("sim.unknown_role"), QStringLiteral("No such role definition: %1.").arg(r));
    }
    SimServicePrincipal& sp = consent(t->id, clientId);
    sp.grantedPermissions = permissions;
    sp.directoryRoleTemplateIds.clear();
    for (const QString& r : directoryRoleTemplateIds)
        sp.directoryRoleTemplateIds.append(r.toLower());
    // The SP's roles are real role assignments too, so Graph lists them (a customer admin made them).
    for (auto it = t->roleAssignments.begin(); it != t->roleAssignments.end();) {
        if (it->second.principalId == sp.objectId && !sp.directoryRoleTemplateIds.contains(it->second.roleDefinitionId))
            it = t->roleAssignments.erase(it);
        else
            ++it;
    }
    for (const QString& r : sp.directoryRoleTemplateIds) {
        if (!holdsRoleByAssignment(*t, sp.objectId, r))
            (void)assignRole(t->id, sp.objectId, r);
    }
    return &sp;
}

const QList<SimRoleDefinition>& SimState::roleDefinitions()
{
    // protocols.md 2.4 (MS-Entra permissions-reference.md); isPrivileged per privileged-roles-permissions.md.
    static const QList<SimRoleDefinition> list = {
        {roles::kGlobalAdministrator, QStringLiteral("Global Administrator"),
         QStringLiteral("Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra "
                        "identities."),
         true},
        {QStringLiteral("f2ef992c-3afb-46b9-b7cf-a126ee74c451"), QStringLiteral("Global Reader"),
         QStringLiteral("Can read everything that a Global Administrator can, but not update anything."), true},
        {roles::kPrivilegedRoleAdministrator, QStringLiteral("Privileged Role Administrator"),
         QStringLiteral(
             "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management."),
         true},
        {roles::kPrivilegedAuthenticationAdministrator, QStringLiteral("Privileged Authentication Administrator"),
         QStringLiteral(
             "Can access to view, set and reset authentication method information for any user (admin or non-admin)."),
         true},
        {roles::kAuthenticationAdministrator, QStringLiteral("Authentication Administrator"),
         QStringLiteral("Can access to view, set and reset authentication method information for any non-admin user."),
         true},
        {QStringLiteral("0526716b-113d-4c15-b2c8-68e3c22b9f80"), QStringLiteral("Authentication Policy Administrator"),
         QStringLiteral("Can create and manage the authentication methods policy, tenant-wide MFA settings, password "
                        "protection policy, and verifiable credentials."),
         false},
        {roles::kUserAdministrator, QStringLiteral("User Administrator"),
         QStringLiteral(
             "Can manage all aspects of users and groups, including resetting passwords for limited admins."),
         true},
        {roles::kHelpdeskAdministrator, QStringLiteral("Helpdesk Administrator"),
         QStringLiteral("Can reset passwords for non-administrators and Helpdesk Administrators."), true},
        {roles::kPasswordAdministrator, QStringLiteral("Password Administrator"),
         QStringLiteral("Can reset passwords for non-administrators and Password Administrators."), true},
        {QStringLiteral("fdd7a751-b60b-444a-984c-02652fe8fa1c"), QStringLiteral("Groups Administrator"),
         QStringLiteral("Members of this role can create/manage groups, create/manage groups settings like naming and "
                        "expiration policies, and view groups activity and audit reports."),
         false},
        {QStringLiteral("29232cdf-9323-42fd-ade2-1d097af3e4de"), QStringLiteral("Exchange Administrator"),
         QStringLiteral("Can manage all aspects of the Exchange product."), false},
        {QStringLiteral("f28a1f50-f6e7-4571-818b-6a12f2af6b6c"), QStringLiteral("SharePoint Administrator"),
         QStringLiteral("Can manage all aspects of the SharePoint service."), false},
        {QStringLiteral("69091246-20e8-4a56-aa4d-066075b2a7a8"), QStringLiteral("Teams Administrator"),
         QStringLiteral("Can manage the Microsoft Teams service."), false},
        {QStringLiteral("3a2c62db-5318-420d-8d74-23affee5d9d5"), QStringLiteral("Intune Administrator"),
         QStringLiteral("Can manage all aspects of the Intune product."), true},
        {QStringLiteral("194ae4cb-b126-40b2-bd5b-6091b380977d"), QStringLiteral("Security Administrator"),
         QStringLiteral("Can read security information and reports, and manage configuration in Microsoft Entra ID and "
                        "Office 365."),
         true},
        {QStringLiteral("5d6b6bb7-de71-4623-b4af-96380a352509"), QStringLiteral("Security Reader"),
         QStringLiteral("Can read security information and reports in Microsoft Entra ID and Office 365."), true},
        {QStringLiteral("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"), QStringLiteral("Conditional Access Administrator"),
         QStringLiteral("Can manage Conditional Access capabilities."), true},
        {QStringLiteral("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"), QStringLiteral("Application Administrator"),
         QStringLiteral("Can create and manage all aspects of app registrations and enterprise apps."), true},
        {QStringLiteral("158c047a-c907-4556-b7ef-446551a6b5f7"), QStringLiteral("Cloud Application Administrator"),
         QStringLiteral("Can create and manage all aspects of app registrations and enterprise apps except App Proxy."),
         true},
        {QStringLiteral("4d6ac14f-3453-41d0-bef9-a3e0c569773a"), QStringLiteral("License Administrator"),
         QStringLiteral("Can manage product licenses on users and groups."), false},
        {QStringLiteral("88d8e3e3-8f55-4a1e-953a-9b9898b8876b"), QStringLiteral("Directory Readers"),
         QStringLiteral("Can read basic directory information. Commonly used to grant directory read access to "
                        "applications and guests."),
         false},
        {QStringLiteral("9360feb5-f418-4baa-8175-e2a00bac4301"), QStringLiteral("Directory Writers"),
         QStringLiteral("Can read and write basic directory information. For granting access to applications, not "
                        "intended for users."),
         true},
    };
    return list;
}

const SimRoleDefinition* SimState::roleDefinition(const QString& templateId)
{
    for (const SimRoleDefinition& r : roleDefinitions()) {
        if (sameText(r.templateId, templateId))
            return &r;
    }
    return nullptr;
}

} // namespace stint::entrasim
