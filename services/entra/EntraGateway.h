// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"
#include "core/Result.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

// What the cloud service asks of a customer's Entra ID tenant, as whole jobs: prove and inspect a connection,
// provision a technician's account, revoke it, list Stint's accounts. The one seam between services/cloud and
// services/entra: the cloud's engine calls these from its worker threads; everything about tokens, Graph, $batch,
// throttling and replication lag stays behind it.
//
// Every call is blocking and thread-safe (call it from a worker thread, never from the thread that serves HTTP),
// idempotent (running it again after a crash or a timeout converges on the same outcome, never a duplicate account
// or assignment) and bounded in time: it retries what is safe to retry and returns a typed error otherwise.
namespace stint::entra {

// Where a national cloud's identity platform and Graph live (protocols.md 1.7). Configurable so that an operator —
// or a test — can point Stint at any compatible endpoint.
struct CloudEndpoints
{
    QUrl authority; // e.g. https://login.microsoftonline.com (no trailing slash, no tenant)
    QUrl graph;     // e.g. https://graph.microsoft.com (no version segment)
    // Optional: the token endpoint when it is not at "{authority}/{tenant}/oauth2/v2.0/token" (another
    // authorization server in a test, a proxy). Client assertions use it as their audience too.
    QUrl tokenEndpointOverride;
    // Optional: Graph's resource identifier when `graph` is not its canonical URL (Graph reached through a proxy or a
    // simulator that plays https://graph.microsoft.com). Empty: the graph URL is the resource (national clouds).
    QString graphResource;

    // The Graph scope for client credentials: "<graphResource or graph>/.default".
    QString defaultScope() const;
    // The token endpoint for `tenant`: the override when set, else "{authority}/{tenant}/oauth2/v2.0/token".
    QUrl tokenEndpoint(const QString& tenant) const;
};

// How Stint authenticates as an application in one tenant: the MSP's multi-tenant app or a per-customer app
// registration. Exactly one of clientSecret and (certificatePem + privateKeyPem) is set.
struct AppCredential
{
    QString clientId;
    crypto::SecretBytes clientSecret;
    QByteArray certificatePem;         // the public certificate registered on the app
    crypto::SecretBytes privateKeyPem; // its private key (RSA)
    // Which client assertion to sign with a certificate (protocols.md 1.4): the newest documentation asks for PS256
    // with x5t#S256; most deployed code uses RS256 with x5t. Both are accepted by Entra.
    enum class AssertionAlgorithm
    {
        PS256,
        RS256
    } assertionAlgorithm = AssertionAlgorithm::PS256;

    bool usesCertificate() const { return !certificatePem.isEmpty(); }
    AppCredential clone() const;
};

// One tenant as the engine addresses it.
struct TenantAccess
{
    CloudEndpoints endpoints;
    QString entraTenantId; // GUID (or, before the tenant is proven, the value the admin or the redirect gave)
    AppCredential app;

    TenantAccess clone() const;
};

// --- Connecting a tenant --------------------------------------------------------------------------------------

struct VerifiedDomain
{
    QString name; // lowercase
    bool isDefault = false;
    bool isInitial = false;
    bool isManaged = true; // authenticationType "Managed" (accounts can be made on it)
};

struct RoleDefinition
{
    QString id; // lowercase GUID (the template id for built-in roles)
    QString displayName;
    QString description;
    bool isBuiltIn = true;
    bool isPrivileged = false; // when Graph says so (beta), or when it is on Stint's list of privileged roles
};

struct TapPolicy
{
    bool enabled = false;
    int minimumLifetimeMinutes = 60;
    int maximumLifetimeMinutes = 480;
    int defaultLifetimeMinutes = 60;
    bool isUsableOnce = false; // the policy forces one-time passes
};

// One finding of the connection health check.
struct HealthFinding
{
    enum class Severity
    {
        Ok,
        Warning, // works, but something should be fixed (a secret expiring within 30 days…)
        Error    // Stint cannot do its job in this tenant until it is fixed
    } severity = Severity::Ok;
    QString code;    // stable: "permission.missing", "sp_role.insufficient", "tap.disabled", "credential.expiring" …
    QString message; // for the admin: what is wrong and how to fix it
};

struct ConnectionReport
{
    QString entraTenantId; // proven: the tenant the app-only token was issued for, and /organization agreed
    QString displayName;   // the organization's name
    QList<VerifiedDomain> domains;
    QList<RoleDefinition> roleDefinitions;
    QStringList grantedPermissions;   // the token's `roles`
    QStringList servicePrincipalRoles; // directory role template ids the app's service principal holds
    TapPolicy tapPolicy;
    std::optional<TimeMs> credentialExpiresAt; // certificate notAfter (secrets: unknown to Stint)
    QList<HealthFinding> findings;

    bool healthy() const; // no finding of severity Error
};

// --- Signing in a customer's admin (authorization code + PKCE, protocols.md 1.2) ---------------------------------

// What redeeming an authorization code needs: where (the national cloud's endpoints and the tenant segment the
// authorize leg used: a tenant id, a domain or "organizations"), the app the code was issued to (the customer's own
// app registration, with its secret or certificate), the code, the redirect URI exactly as the authorize leg sent it,
// the PKCE verifier and the nonce the id_token must carry.
struct CodeRedemption
{
    TenantAccess tenant; // entraTenantId: the tenant segment of the authorize leg
    QString code;
    QUrl redirectUri;
    crypto::SecretBytes codeVerifier;
    QString nonce;
    // Judges the id_token's exp/nbf and dates a client assertion; nullptr: the system clock. The cloud passes its own.
    const Clock* clock = nullptr;
};

// Who signed in, from a verified id_token.
struct SignedInIdentity
{
    QString tenantId; // tid (lowercase)
    QString objectId; // oid (lowercase)
    QString preferredUsername;
    QString name;
};

// --- Provisioning ---------------------------------------------------------------------------------------------

// What an account holds after a provision: its directory role assignments (all of them, with their roles) and its
// Temporary Access Pass. The cloud keeps it with the account so that a revocation, in this process or another one
// after a restart, starts with the writes instead of a read: 2 round trips. A hint, never the proof: the revocation's
// read-back decides, and whatever the hint missed (a role given since, a grant whose record a crash lost) is taken
// away in a further round.
struct GrantedObjects
{
    struct RoleAssignment
    {
        QString id;
        QString roleDefinitionId; // lowercase GUID
    };
    QList<RoleAssignment> roleAssignments;
    QStringList temporaryAccessPassIds;
};

struct ProvisionRequest
{
    TenantAccess tenant;
    // The account Stint made for this technician in this tenant before, if it knows one: Stint's own, written to at
    // once (2 round trips). When unset (or gone), the account is created (3), and when its name is taken, the account
    // of that name is used if it carries the Stint tag. An existing account that Stint did not make (no Stint tag) is
    // never taken over: error "entra.account_not_managed".
    std::optional<QString> knownAccountId;
    QString userPrincipalName; // local part from the naming rule @ the chosen verified domain
    QString displayName;
    QString mailNickname;
    QStringList roleDefinitionIds;
    bool issuePassword = true;
    bool issueTemporaryAccessPass = false;
    int windowMinutes = 60; // the TAP's lifetime covers the window, clamped to the tenant's policy bounds
};

struct ProvisionResult
{
    QString accountId;
    QString userPrincipalName;
    bool created = false;
    crypto::SecretBytes password;              // empty unless issuePassword
    crypto::SecretBytes temporaryAccessPass;   // empty unless issueTemporaryAccessPass
    std::optional<QString> temporaryAccessPassId;
    std::optional<TimeMs> temporaryAccessPassExpiresAt;
    QStringList roleAssignmentIds; // the assignments of the roles asked for, as read back
    GrantedObjects granted;        // everything the read-back showed the account holding, and the pass issued
    int graphRoundTrips = 0; // sequential Graph round trips this call made (for the benchmark and the audit)
    // What the admins should know although provisioning succeeded (e.g. "the window is longer than the tenant's
    // longest Temporary Access Pass: the pass lasts 480 minutes"). Never holds a secret.
    QStringList notes;
};

// A fresh Temporary Access Pass for an account Stint provisioned, when a checkout outlives the one it was given (an
// extension). "A user can only have one Temporary Access Pass": the new one replaces the old (protocols.md 2.8).
struct TapRenewal
{
    TenantAccess tenant;
    QString accountId;
    int windowMinutes = 60; // from now to the checkout's new end; clamped to the tenant's policy bounds
};

struct IssuedTemporaryAccessPass
{
    crypto::SecretBytes pass;
    QString id;
    TimeMs expiresAt = 0;
    int graphRoundTrips = 0;
    QStringList notes; // e.g. the window is longer than the tenant's longest pass. Never holds a secret.
};

// --- Revocation -----------------------------------------------------------------------------------------------

struct RevokeRequest
{
    TenantAccess tenant;
    QString accountId;
    bool deleteAccount = false; // soft-delete, then remove from deletedItems where the app may
    // What the caller recorded the account holding (ProvisionResult::granted, the pass of a renewal): the first
    // round trip already writes. Unset: read first (3 round trips), unless this gateway granted them itself.
    std::optional<GrantedObjects> granted;
};

// What revocation did, and what it proved by reading back. `confirmed()` only when every check held.
struct RevokeReport
{
    bool roleAssignmentsRemoved = false; // read back: no role assignment left for the account
    bool sessionsRevoked = false;
    bool accountDisabled = false;        // read back: accountEnabled false (or the account is deleted)
    bool credentialInvalidated = false;  // password rotated to an unknown value and no TAP left
    bool accountDeleted = false;         // only when asked
    bool accountGone = false;            // the account no longer exists at all (someone deleted it): nothing to do
    QStringList removedRoleDefinitionIds;
    QString detail; // what could not be confirmed, for the admins' alert
    int graphRoundTrips = 0;

    bool confirmed(bool deleteRequested) const;
};

// --- Reconciliation -------------------------------------------------------------------------------------------

struct ManagedAccount
{
    QString accountId;
    QString userPrincipalName;
    bool enabled = false;
    QStringList roleDefinitionIds;
};

// Whether an error proves that the app or its credential is gone from the tenant, so that nothing will work there
// until an admin acts: the token endpoint's AADSTS700016 (the app is not in the directory: removed, or consent
// withdrawn), 7000215 (the secret is not one of the app's) or 7000222 (the app's secrets expired), or Graph refusing a
// freshly issued token with 401 (the service principal was deleted). Such errors are kAuthentication errors with
// details.credentialGone set.
bool provesCredentialGone(const Error& error);

class EntraGateway
{
public:
    virtual ~EntraGateway() = default;

    // Error codes (beside the transport's "entra.unreachable", "entra.throttled", "entra.graph_error" …).
    static constexpr auto kTenantMismatch = "entra.tenant_mismatch";         // the token or /organization disagree
    static constexpr auto kAccountNotManaged = "entra.account_not_managed"; // UPN taken by an account not Stint's
    static constexpr auto kForbidden = "entra.forbidden";                   // a permission or directory role missing
    static constexpr auto kAuthentication = "entra.authentication";         // the app's credential was refused
    static constexpr auto kTransient = "entra.transient";                   // worth retrying later

    // Proves the tenant with an app-only token and /organization, then reads domains, role definitions, the TAP
    // policy, the app's permissions and its service principal's roles, and judges the connection's health.
    virtual Result<ConnectionReport> inspect(const TenantAccess& tenant) = 0;

    virtual Result<ProvisionResult> provision(const ProvisionRequest& request) = 0;
    virtual Result<RevokeReport> revoke(const RevokeRequest& request) = 0;

    // Issues a new Temporary Access Pass for the account (replacing its current one) that lasts the window, within the
    // tenant's policy. "entra.tap_unavailable" when the policy is disabled.
    virtual Result<IssuedTemporaryAccessPass> renewTemporaryAccessPass(const TapRenewal& request) = 0;

    // Every account that carries Stint's tag in the tenant, with its directory roles.
    virtual Result<QList<ManagedAccount>> listManagedAccounts(const TenantAccess& tenant) = 0;

    // Redeems an authorization code at the token endpoint and returns who signed in, from an id_token verified against
    // the authority's keys (signature, aud = the app, iss = the signed-in tenant, exp/nbf, nonce). A bad, expired,
    // replayed or foreign code and a wrong verifier are "entra.token_rejected" (invalid_grant, with the AADSTS code in
    // the message); a refused app credential is kAuthentication; an unacceptable id_token "entra.invalid_id_token".
    // The default talks to the authority itself (entra/Onboarding.h): it needs nothing of a gateway's Graph state.
    virtual Result<SignedInIdentity> redeemAuthorizationCode(const CodeRedemption& redemption);
};

} // namespace stint::entra
