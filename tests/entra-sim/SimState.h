// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <map>
#include <optional>

// The simulated directory: tenants with their domains, users, role assignments, deleted users and service
// principals, and the app registrations that live in their home tenant. Single-threaded: everything runs on the
// simulator's thread. Pointers returned by lookups stay valid until the object is removed (std::map nodes).
//
// Ids are GUIDs in lower case without braces, as Entra prints them (protocols.md 2.x examples).
namespace stint::entrasim {

enum class TenantSize
{
    S, // < 50 users: 3,500 resource units / 10 s (protocols.md 2.10)
    M, // 50–500: 5,000
    L, // > 500: 8,000
};

struct SimDomain
{
    QString name; // also its Graph id
    bool isVerified = true;
    bool isDefault = false;
    bool isInitial = false;
    QString authenticationType = QStringLiteral("Managed"); // or "Federated"
};

// Authentication methods policy, TemporaryAccessPass configuration (protocols.md 2.8; defaults as documented).
struct SimTapPolicy
{
    bool enabled = false;
    int minimumLifetimeInMinutes = 60;
    int maximumLifetimeInMinutes = 480;
    int defaultLifetimeInMinutes = 60;
    int defaultLength = 8;
    bool isUsableOnce = false;
};

struct SimTemporaryAccessPass
{
    QString id;
    QByteArray salt;
    QByteArray passHash; // salted hash; the value itself is only ever in the 201 response
    TimeMs createdAt = 0;
    TimeMs start = 0;
    int lifetimeInMinutes = 60;
    bool isUsableOnce = false;
    bool used = false;

    TimeMs end() const { return start + qint64(lifetimeInMinutes) * 60'000; }
};

struct SimUser
{
    QString id;
    QString userPrincipalName;
    QString displayName;
    QString mailNickname;
    bool accountEnabled = true;
    QString employeeType;
    QString usageLocation;
    QByteArray passwordSalt;
    QByteArray passwordHash;
    bool forceChangePasswordNextSignIn = false;
    TimeMs passwordChangedAt = 0;
    TimeMs signInSessionsValidFrom = 0;
    std::optional<SimTemporaryAccessPass> tap;
    TimeMs createdAt = 0;
    qint64 sequence = 0; // creation order, for stable listing order
    // Replication lag (protocols.md 2.11): other requests do not see the user before visibleAt, and see the
    // previous accountEnabled until accountEnabledVisibleAt.
    TimeMs visibleAt = 0;
    bool previousAccountEnabled = true;
    TimeMs accountEnabledVisibleAt = 0;
    std::optional<TimeMs> deletedAt; // set while in deletedItems

    bool visible(TimeMs now) const { return now >= visibleAt; }
    bool accountEnabledAsSeen(TimeMs now) const
    {
        return now >= accountEnabledVisibleAt ? accountEnabled : previousAccountEnabled;
    }
};

struct SimRoleDefinition
{
    QString templateId; // == id for built-in roles (protocols.md 2.4)
    QString displayName;
    QString description;
    bool isPrivileged = false;
};

struct SimRoleAssignment
{
    QString id; // opaque, base64url-like, ends in "-1" (protocols.md 2.5)
    QString roleDefinitionId; // template id
    QString principalId; // user id or service principal object id
    QString directoryScopeId = QStringLiteral("/");
    TimeMs createdAt = 0;
    TimeMs visibleAt = 0;
};

struct SimServicePrincipal
{
    QString objectId;
    QString appId;
    QString tenantId;
    QString displayName;
    QStringList grantedPermissions; // application permissions (the token's `roles`)
    // Directory roles the SP holds in this tenant; mirrors its role assignments (which are what rules check).
    QStringList directoryRoleTemplateIds;
};

struct SimClientSecret
{
    QString keyId;
    QString hint; // first three characters, as the portal shows
    QByteArray salt;
    QByteArray hash;
    TimeMs endDateTime = 0;
};

struct SimApp
{
    QString clientId;
    QString homeTenantId;
    QString displayName;
    QList<SimClientSecret> secrets;
    QList<QByteArray> certificatePems; // PEM X.509 certificates whose keys may sign client assertions
    QStringList redirectUris;
    QStringList requiredPermissions; // application permission names requested (granted by admin consent)
    bool multiTenant = true;
};

struct SimTenant
{
    QString id;
    QString displayName;
    QList<SimDomain> domains;
    TenantSize size = TenantSize::S;
    SimTapPolicy tapPolicy;
    // protocols.md 2.6 / 6.4: whether app-only permanent delete of users is allowed (the sources disagree).
    bool permanentDeleteAllowed = true;
    std::map<QString, SimUser> users; // by id (live users)
    std::map<QString, SimUser> deletedUsers; // by id (deletedItems)
    std::map<QString, SimRoleAssignment> roleAssignments; // by id
    std::map<QString, SimServicePrincipal> servicePrincipals; // by appId (client id)

    const SimDomain* domain(const QString& name) const;
    const SimDomain* defaultDomain() const;
};

class SimState
{
public:
    explicit SimState(const Clock& clock);

    const Clock& clock() const { return m_clock; }
    TimeMs now() const { return m_clock.now(); }

    // ---- lookups (part B's identity endpoints use these; keep the names) ----
    // By tenant GUID or any of its domain names (case-insensitive).
    SimTenant* tenant(const QString& idOrDomain);
    SimApp* app(const QString& clientId);
    SimServicePrincipal* servicePrincipal(const QString& tenantId, const QString& clientId);
    // Admin consent: creates the app's SP in the tenant (or updates it) with the app's required permissions.
    // The app must exist (callers check app() first).
    SimServicePrincipal& consent(const QString& tenantId, const QString& clientId);
    // Live (not deleted) user by UPN, case-insensitive; ignores replication lag (the sign-in side reads the
    // authoritative copy).
    SimUser* userByUpn(const QString& tenantId, const QString& upn);
    SimUser* user(const QString& tenantId, const QString& id);
    bool checkPassword(const SimUser& user, const QString& password) const;
    // True when `pass` is the user's TAP, inside its validity window and not used up; a one-time pass is marked used.
    bool redeemTemporaryAccessPass(SimUser& user, const QString& pass, TimeMs now);
    // A user (or service principal object id) holds the directory role with this template id in the tenant.
    bool holdsRole(const QString& tenantId, const QString& principalId, const QString& templateId) const;
    bool holdsAnyRole(const QString& tenantId, const QString& principalId) const;
    // A client secret of the app that matches and has not expired.
    bool checkClientSecret(const SimApp& app, const QString& secret, TimeMs now) const;

    // ---- creation helpers (tests, scenarios, the control API); objects created here are visible at once ----
    // Creates a tenant with an initial verified domain "<initialDomainPrefix>.onmicrosoft.com" (default) and
    // a TAP policy at its defaults. `id` empty → a new GUID.
    SimTenant& createTenant(const QString& displayName, const QString& initialDomainPrefix, const QString& id = {});
    Result<void> addDomain(const QString& tenantId, const SimDomain& domain);
    // The customer removes an app from its tenant: the app's service principal there and its role assignments go.
    // Tokens already issued to it are refused by Graph (401) and the token endpoint answers AADSTS700016.
    bool removeServicePrincipal(const QString& tenantId, const QString& clientId);
    // Registers an app in its home tenant. `clientId` empty → a new GUID.
    SimApp& registerApp(const QString& homeTenantId, const QString& displayName, const QStringList& requiredPermissions,
                        const QString& clientId = {});
    // Adds a client secret to an app; returns its key id.
    QString addClientSecret(SimApp& app, const QString& secret, TimeMs endDateTime);
    // Creates a user (no UPN/password policy checks: those are Graph's job). Errors when the tenant is unknown or
    // the UPN is taken.
    Result<SimUser*> createUser(const QString& tenantId, const QString& upn, const QString& displayName,
                                const QString& password, bool accountEnabled = true);
    void setPassword(SimUser& user, const QString& password);
    // Assigns a directory role (template id) to a user or service principal object id; returns the assignment.
    Result<SimRoleAssignment*> assignRole(const QString& tenantId, const QString& principalId,
                                          const QString& roleTemplateId, const QString& directoryScopeId = "/");
    // Creates/updates the SP of `clientId` in `tenantId` with exactly these permissions and directory roles.
    Result<SimServicePrincipal*> grantServicePrincipal(const QString& tenantId, const QString& clientId,
                                                       const QStringList& permissions,
                                                       const QStringList& directoryRoleTemplateIds);

    // ---- all objects ----
    std::map<QString, SimTenant>& tenants() { return m_tenants; }
    std::map<QString, SimApp>& apps() { return m_apps; }
    void reset();

    // The built-in role definitions (protocols.md 2.4), by template id.
    static const QList<SimRoleDefinition>& roleDefinitions();
    static const SimRoleDefinition* roleDefinition(const QString& templateId);

    // Helpers shared by the endpoints.
    static QString newGuid();
    static QString newRoleAssignmentId();
    static QByteArray hashSecret(const QByteArray& salt, const QString& secret);
    static bool holdsRoleByAssignment(const SimTenant& tenant, const QString& principalId, const QString& templateId);

private:
    const Clock& m_clock;
    std::map<QString, SimTenant> m_tenants; // by id
    std::map<QString, SimApp> m_apps; // by client id
    qint64 m_nextSequence = 1;
};

// Well-known role template ids used by the rules (protocols.md 2.4).
namespace roles {
inline const QString kGlobalAdministrator = QStringLiteral("62e90394-69f5-4237-9190-012177145e10");
inline const QString kPrivilegedAuthenticationAdministrator = QStringLiteral("7be44c8a-adaf-4e2a-84d6-ab2649e08a13");
inline const QString kPrivilegedRoleAdministrator = QStringLiteral("e8611ab8-c189-46e8-94e1-60213ab1f814");
inline const QString kUserAdministrator = QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1");
inline const QString kHelpdeskAdministrator = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");
inline const QString kPasswordAdministrator = QStringLiteral("966707d0-3269-4727-9be2-8c3a10f19b9d");
inline const QString kAuthenticationAdministrator = QStringLiteral("c4e39bd9-1100-46d3-8c65-fb160da0071f");
} // namespace roles

} // namespace stint::entrasim
