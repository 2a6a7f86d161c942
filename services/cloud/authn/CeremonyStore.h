// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "store/Database.h"

#include <optional>

// The sign-in ceremonies' state between their two requests: WebAuthn challenges (one row per ceremony) and the
// one-time codes of the native-app hand-off (RFC 8252). Both are consumed by a write that the handler commits on its
// own before verifying anything, so that a challenge or a code is good for exactly one attempt whatever its outcome.
namespace stint::cloud::ceremonies {

// The loopback hand-off parameters of a native app, carried from signin/begin to signin/finish.
struct NativeRequest
{
    QString redirectUri;
    QString codeChallenge;
    QString state;
};

struct Ceremony
{
    QByteArray challenge;
    QString personId; // "" when the ceremony does not know whose it is (a discoverable sign-in)
    QString inviteId; // enrollment only
    std::optional<NativeRequest> native;
};

// Stores a new ceremony for `purpose` ("register", "add-credential", "signin") expiring at `expiresAt`, and sweeps
// the ceremonies that expired over an hour ago. Returns its id.
Result<QString> create(store::Database& db, const QString& purpose, const Ceremony& ceremony, TimeMs now,
                       TimeMs expiresAt);

// Marks the ceremony used and returns it; nullopt when the id is malformed or unknown, or the ceremony is of another
// purpose, used or expired.
Result<std::optional<Ceremony>> consume(store::Database& db, const QString& ceremonyId, const QString& purpose,
                                        TimeMs now);

// What a native hand-off code stands for.
struct NativeCode
{
    QString personId;
    QString orgId;
    QString codeChallenge; // PKCE S256
    QString redirectUri;
};

// Issues a one-time code expiring at `expiresAt` and returns it; only its hash is stored.
Result<QString> issueNativeCode(store::Database& db, const NativeCode& terms, TimeMs now, TimeMs expiresAt);

// Marks the code used and returns what it stands for; nullopt when it is unknown, used or expired.
Result<std::optional<NativeCode>> consumeNativeCode(store::Database& db, const QString& code, TimeMs now);

} // namespace stint::cloud::ceremonies
