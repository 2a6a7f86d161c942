// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudConfig.h"
#include "cloud/authn/WebAuthn.h"
#include "core/Clock.h"
#include "models/Directory.h"
#include "store/Database.h"

#include <optional>

// Reading and writing organizations, people, groups, invites and passkeys (sign-in credentials). What answers a
// request takes the organization id and never returns another organization's rows; the sign-in look-ups (by email,
// invite token, passkey id) span organizations because they find out which one it is, and the writes by row id
// expect an id that was read within the caller's organization first.
namespace stint::cloud::directory {

// Lowercased and trimmed; nullopt when it is not a plausible address.
std::optional<QString> normalizeEmail(const QString& email);

Result<std::optional<models::Organization>> loadOrganization(store::Database& db, const QString& orgId);
// Writes the organization's name and settings.
Result<void> saveOrganization(store::Database& db, const models::Organization& org, TimeMs now);

Result<std::optional<models::Person>> loadPerson(store::Database& db, const QString& orgId, const QString& personId);
Result<std::optional<models::Person>> findPersonByEmail(store::Database& db, const QString& email);
Result<qint64> countActiveAdmins(store::Database& db, const QString& orgId);
// Inserts the person (without groups). Refuses an email that already has an account with "store.constraint".
Result<void> insertPerson(store::Database& db, const models::Person& person, TimeMs now);
// Writes the person's display name, role and status.
Result<void> savePerson(store::Database& db, const models::Person& person, TimeMs now);

struct IssuedInvite
{
    models::Invite invite;
    QString token; // shown once, in the enrollment link; only its hash is stored
};
Result<IssuedInvite> createInvite(store::Database& db, const Clock& clock, const CloudConfig& config,
                                  const QString& orgId, const QString& email, const QString& displayName,
                                  const QString& role, const QString& createdBy);

// Who an invite enrolls.
struct InviteTerms
{
    QString id, orgId, email, displayName, role;
};
// A pending invite by its token: nullopt when unknown, used, revoked or expired.
Result<std::optional<InviteTerms>> findPendingInvite(store::Database& db, const Clock& clock, const QString& token);
// An invite by its id, whatever its state (useInvite tells whether it can still be used).
Result<std::optional<InviteTerms>> loadInviteTerms(store::Database& db, const QString& inviteId);
// Marks a pending invite used; false when it was used, revoked or expired meanwhile.
Result<bool> useInvite(store::Database& db, const QString& inviteId, TimeMs now);
// One page of the organization's invites, ordered by id, starting after `afterId`; their status as of `now`.
Result<QList<models::Invite>> loadInvites(store::Database& db, const QString& orgId, const QString& afterId, int limit,
                                          TimeMs now);
// Revokes a pending invite; false when there is no pending invite of that id in the organization.
Result<bool> revokeInvite(store::Database& db, const QString& orgId, const QString& inviteId, TimeMs now);

Result<std::optional<models::Group>> loadGroup(store::Database& db, const QString& orgId, const QString& groupId);
Result<bool> groupExists(store::Database& db, const QString& orgId, const QString& groupId);
// Inserts the group and its members. Refuses a name the organization already uses with "store.constraint".
Result<void> insertGroup(store::Database& db, const QString& orgId, const models::Group& group);
// Refuses a name the organization already uses with "store.constraint".
Result<void> renameGroup(store::Database& db, const QString& groupId, const QString& name, TimeMs now);
// Replaces the members (duplicates count once).
Result<void> setGroupMembers(store::Database& db, const QString& groupId, const QStringList& memberIds);
// Deletes the group, its members and its place in policies.
Result<void> removeGroup(store::Database& db, const QString& groupId);

Result<QList<models::SignInCredential>> passkeysOf(store::Database& db, const QString& orgId, const QString& personId);
// The authenticators' own ids of a person's passkeys (for excludeCredentials and allowCredentials).
Result<QList<QByteArray>> passkeyIdsOf(store::Database& db, const QString& personId);
// Records a verified registration; returns the new passkey's id (crd_…). Refuses a passkey that is already
// registered with "store.constraint".
Result<QString> insertPasskey(store::Database& db, const QString& orgId, const QString& personId,
                              const stint::authn::RegisteredCredential& credential, const QString& name, TimeMs now);
// False when the person has no such passkey.
Result<bool> renamePasskey(store::Database& db, const QString& orgId, const QString& personId,
                           const QString& passkeyId, const QString& name);
Result<void> removePasskey(store::Database& db, const QString& orgId, const QString& passkeyId);

// A passkey found by the authenticator's id for it, with what signing in needs of it and of its owner.
struct PasskeyForSignIn
{
    QString id; // crd_…
    QString personId;
    QString orgId;
    QByteArray publicKeyCose;
    quint32 signCount = 0;
    QString aaguid;
    bool flagged = false;
    QString email, role, status; // the owner's
};
Result<std::optional<PasskeyForSignIn>> findPasskey(store::Database& db, const QByteArray& credentialId);
// A sign-count regression was seen: the passkey is refused until an admin removes it.
Result<void> flagPasskey(store::Database& db, const QString& passkeyId);
// After a successful sign-in: the authenticator's new counter and backup state, and when it was used.
Result<void> recordPasskeyUse(store::Database& db, const QString& passkeyId, quint32 signCount, bool backupState,
                              TimeMs now);

// Creates an organization and its first admin (without a credential) and returns an invite for that admin, whose
// link enrolls the first passkey. Used by `stint-cloud init`.
struct Bootstrap
{
    QString orgId;
    QString adminId;
    IssuedInvite invite;
};
Result<Bootstrap> bootstrapOrganization(store::Database& db, const Clock& clock, const CloudConfig& config,
                                        const QString& orgName, const QString& adminEmail);

// The enrollment link for an invite token. The token travels in the fragment, so it reaches neither server logs
// nor Referer headers.
QString enrollmentUrl(const QString& origin, const QString& token);

} // namespace stint::cloud::directory
