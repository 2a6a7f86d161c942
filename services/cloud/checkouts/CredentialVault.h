// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudContext.h"
#include "core/Crypto.h"

#include <optional>

// The credential vault: the credential the provisioning engine issued for a ready checkout.
//
// A ready checkout's credential (a password, a Temporary Access Pass or both) is sealed with the credentials key
// (AES-256-GCM, bound to the checkout id) inside the already encrypted store, so that a copied row or a backup read
// with the store key alone does not give it away. It lives exactly as long as the checkout is ready: the state machine
// destroys it the moment the checkout leaves that state. Only the checkout's technician reads it (CheckoutsApi).
namespace stint::cloud::checkouts {

// The credential as issued; the secrets are wiped when it goes away.
struct IssuedCredential
{
    QString kind; // "password" | "tap" | "both" (the tenant's choice at the time)
    QString userPrincipalName;
    crypto::SecretBytes password;
    crypto::SecretBytes temporaryAccessPass;
    std::optional<TimeMs> temporaryAccessPassExpiresAt;
    TimeMs expiresAt = 0; // when the checkout ends (the account is disabled then)
};

// Seals and stores the credential of `checkoutId` (replacing one stored before).
Result<void> storeCredential(CloudContext& cloud, const QString& orgId, const QString& checkoutId,
                             const IssuedCredential& credential);
// Opens the credential of a checkout of `orgId`; nullopt when none is stored. Errors: "crypto.*" when the sealed value
// does not open (a copied row, a different key).
Result<std::optional<IssuedCredential>> openCredential(CloudContext& cloud, const QString& orgId,
                                                       const QString& checkoutId);
// Moves the credential's end (an extended checkout). False when none is stored.
Result<bool> setCredentialExpiry(store::Database& db, const QString& checkoutId, TimeMs expiresAt);
// Deletes it; true when there was one.
Result<bool> destroyCredential(store::Database& db, const QString& checkoutId);

} // namespace stint::cloud::checkouts
