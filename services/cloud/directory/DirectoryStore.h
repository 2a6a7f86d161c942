// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudConfig.h"
#include "core/Clock.h"
#include "models/Directory.h"
#include "store/Database.h"

#include <optional>

// Reading and writing organizations, people, groups, invites and sign-in credentials. Every function takes the
// organization id and never returns another organization's rows.
namespace stint::cloud::directory {

// Lowercased and trimmed; nullopt when it is not a plausible address.
std::optional<QString> normalizeEmail(const QString& email);

Result<std::optional<models::Organization>> loadOrganization(store::Database& db, const QString& orgId);
Result<std::optional<models::Person>> loadPerson(store::Database& db, const QString& orgId, const QString& personId);
Result<std::optional<models::Person>> findPersonByEmail(store::Database& db, const QString& email);
Result<qint64> countActiveAdmins(store::Database& db, const QString& orgId);

struct IssuedInvite
{
    models::Invite invite;
    QString token; // shown once, in the enrollment link; only its hash is stored
};
Result<IssuedInvite> createInvite(store::Database& db, const Clock& clock, const CloudConfig& config,
                                  const QString& orgId, const QString& email, const QString& displayName,
                                  const QString& role, const QString& createdBy);

// A pending invite by its token: nullopt when unknown, used, revoked or expired.
struct PendingInvite
{
    QString id, orgId, email, displayName, role;
};
Result<std::optional<PendingInvite>> findPendingInvite(store::Database& db, const Clock& clock, const QString& token);

Result<QList<models::SignInCredential>> credentialsOf(store::Database& db, const QString& orgId,
                                                      const QString& personId);

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
