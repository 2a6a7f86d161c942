// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudConfig.h"
#include "cloud/authn/Caller.h"
#include "core/Clock.h"
#include "models/Directory.h"
#include "store/Database.h"

#include <optional>

namespace stint::cloud {

// Sign-in sessions: 256-bit random opaque tokens, stored only as their SHA-256, with an idle and an absolute expiry.
class Sessions
{
public:
    Sessions(store::Database& db, const Clock& clock, const CloudConfig& config);

    struct Issued
    {
        QString token; // shown once to the client, never stored or logged
        QString sessionId;
        TimeMs idleExpiresAt = 0;
        TimeMs absoluteExpiresAt = 0;
    };
    Result<Issued> create(const QString& personId, const QString& orgId, const QString& sourceAddress,
                          const QString& userAgent);

    // The caller behind a token, or nullopt when the token is unknown, expired, revoked, or its person disabled.
    // Slides the idle expiry (written at most once a minute per session, to keep reads cheap).
    Result<std::optional<Caller>> authenticate(QStringView token);

    // Whether a session is still live (not revoked, not expired, person active). Used to cut live channels.
    Result<bool> isLive(const QString& sessionId);

    // A person's live sessions (not revoked, not expired), by id; `current` is left for the caller to mark.
    Result<QList<models::SessionInfo>> liveSessionsOf(const QString& personId);

    Result<bool> revoke(const QString& sessionId, const QString& orgId);
    // Revokes one of the person's own sessions; false when it is not theirs or already revoked.
    Result<bool> revokeOwn(const QString& sessionId, const QString& personId);
    Result<qint64> revokeAllOf(const QString& personId);

private:
    store::Database& m_db;
    const Clock& m_clock;
    const CloudConfig& m_config;
};

} // namespace stint::cloud
