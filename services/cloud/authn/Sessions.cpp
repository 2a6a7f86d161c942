// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/authn/Sessions.h"

#include "core/Ids.h"

namespace stint::cloud {

namespace {
constexpr qint64 kTouchIntervalMs = 60'000;

// Whether a write changed any row.
Result<bool> changedAny(const Result<qint64>& changed)
{
    if (!changed)
        return changed.error();
    return *changed > 0;
}
} // namespace

Sessions::Sessions(store::Database& db, const Clock& clock, const CloudConfig& config)
    : m_db(db)
    , m_clock(clock)
    , m_config(config)
{
}

Result<Sessions::Issued> Sessions::create(const QString& personId, const QString& orgId, const QString& sourceAddress,
                                          const QString& userAgent)
{
    const TimeMs now = m_clock.now();
    Issued issued;
    issued.token = ids::newToken();
    issued.sessionId = ids::newId(u"ses");
    issued.idleExpiresAt = now + qint64(m_config.sessionIdleMinutes) * 60'000;
    issued.absoluteExpiresAt = now + qint64(m_config.sessionAbsoluteHours) * 3'600'000;
    issued.idleExpiresAt = std::min(issued.idleExpiresAt, issued.absoluteExpiresAt);
    STINT_TRY(m_db.exec(QStringLiteral("INSERT INTO sessions (id, token_hash, person_id, org_id, created_at, last_seen_at,"
                                       " idle_expires_at, absolute_expires_at, revoked_at, source_address, user_agent)"
                                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)"),
                        {issued.sessionId, ids::tokenHash(issued.token), personId, orgId, now, now,
                         issued.idleExpiresAt, issued.absoluteExpiresAt, sourceAddress, userAgent.left(256)}));
    return issued;
}

Result<std::optional<Caller>> Sessions::authenticate(QStringView token)
{
    if (token.size() != 43)
        return std::optional<Caller>();
    auto rows = m_db.query(QStringLiteral("SELECT s.id, s.person_id, s.org_id, s.last_seen_at, s.idle_expires_at,"
                                          " s.absolute_expires_at, s.revoked_at, p.role, p.email, p.status, s.created_at"
                                          " FROM sessions s JOIN people p ON p.id = s.person_id"
                                          " WHERE s.token_hash = ?"),
                           {ids::tokenHash(token)});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<Caller>();
    const store::Row& r = rows->front();
    const TimeMs now = m_clock.now();
    if (!r.isNull(6) || now >= r.integer(4) || now >= r.integer(5) || r.text(9) != QLatin1String("active"))
        return std::optional<Caller>();
    if (now - r.integer(3) >= kTouchIntervalMs) {
        const qint64 idle = std::min(now + qint64(m_config.sessionIdleMinutes) * 60'000, r.integer(5));
        STINT_TRY(m_db.exec(QStringLiteral("UPDATE sessions SET last_seen_at = ?, idle_expires_at = ? WHERE id = ?"),
                            {now, idle, r.text(0)}));
    }
    return std::optional<Caller>(Caller{r.text(1), r.text(2), r.text(7), r.text(8), r.text(0), r.integer(10)});
}

Result<bool> Sessions::isLive(const QString& sessionId)
{
    auto rows = m_db.query(QStringLiteral("SELECT s.idle_expires_at, s.absolute_expires_at, s.revoked_at, p.status"
                                          " FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.id = ?"),
                           {sessionId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return false;
    const store::Row& r = rows->front();
    const TimeMs now = m_clock.now();
    return r.isNull(2) && now < r.integer(0) && now < r.integer(1) && r.text(3) == QLatin1String("active");
}

Result<QList<models::SessionInfo>> Sessions::liveSessionsOf(const QString& personId)
{
    const TimeMs now = m_clock.now();
    auto rows = m_db.query(QStringLiteral("SELECT id, created_at, last_seen_at, idle_expires_at, absolute_expires_at,"
                                          " source_address, user_agent FROM sessions WHERE person_id = ?"
                                          " AND revoked_at IS NULL AND idle_expires_at > ? AND absolute_expires_at > ?"
                                          " ORDER BY id"),
                           {personId, now, now});
    if (!rows)
        return rows.error();
    QList<models::SessionInfo> out;
    for (const auto& r : *rows)
        out.append({r.text(0), r.integer(1), r.integer(2), std::min(r.integer(3), r.integer(4)), r.text(5), r.text(6)});
    return out;
}

Result<bool> Sessions::revoke(const QString& sessionId, const QString& orgId)
{
    return changedAny(m_db.execCount(
        QStringLiteral("UPDATE sessions SET revoked_at = ? WHERE id = ? AND org_id = ? AND revoked_at IS NULL"),
        {m_clock.now(), sessionId, orgId}));
}

Result<bool> Sessions::revokeOwn(const QString& sessionId, const QString& personId)
{
    return changedAny(m_db.execCount(
        QStringLiteral("UPDATE sessions SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL"),
        {m_clock.now(), sessionId, personId}));
}

Result<qint64> Sessions::revokeAllOf(const QString& personId)
{
    return m_db.execCount(QStringLiteral("UPDATE sessions SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL"),
                          {m_clock.now(), personId});
}

} // namespace stint::cloud
