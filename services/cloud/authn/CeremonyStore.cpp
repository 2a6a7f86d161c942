// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/authn/CeremonyStore.h"

#include "core/Ids.h"
#include "core/Json.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace stint::cloud::ceremonies {

namespace {
constexpr qint64 kSweepAfterMs = 3'600'000;

store::Value textOrNull(const QString& text)
{
    return text.isEmpty() ? store::Value(nullptr) : store::Value(text);
}

QString nativeRequestText(const NativeRequest& n)
{
    return QString::fromUtf8(json::compact(QJsonObject{{QStringLiteral("redirectUri"), n.redirectUri},
                                                       {QStringLiteral("codeChallenge"), n.codeChallenge},
                                                       {QStringLiteral("state"), n.state}}));
}

// Marks one row used — `markUsed` changes it only while it is unused and unexpired — and reads it back with `read`
// into a T; nullopt when there was nothing to mark.
template <typename T>
Result<std::optional<T>> consumeRow(store::Database& db, const QString& markUsed, const store::Params& markParams,
                                    const QString& read, const store::Params& readParams,
                                    T (*fromRow)(const store::Row&))
{
    auto n = db.execCount(markUsed, markParams);
    if (!n)
        return n.error();
    if (*n == 0)
        return std::optional<T>();
    auto rows = db.query(read, readParams);
    if (!rows)
        return rows.error();
    if (rows->empty())
        return makeError(QStringLiteral("store.failed"), QStringLiteral("a consumed row is missing"));
    return std::optional<T>(fromRow(rows->front()));
}

Ceremony ceremonyFromRow(const store::Row& r)
{
    Ceremony c{r.blob(0), r.text(1), r.text(2), std::nullopt};
    if (!r.isNull(3)) {
        const QJsonObject o = QJsonDocument::fromJson(r.text(3).toUtf8()).object();
        c.native = NativeRequest{o.value(QLatin1String("redirectUri")).toString(),
                                 o.value(QLatin1String("codeChallenge")).toString(),
                                 o.value(QLatin1String("state")).toString()};
    }
    return c;
}

NativeCode nativeCodeFromRow(const store::Row& r)
{
    return {r.text(0), r.text(1), r.text(2), r.text(3)};
}
} // namespace

Result<QString> create(store::Database& db, const QString& purpose, const Ceremony& c, TimeMs now, TimeMs expiresAt)
{
    const QString id = ids::newId(u"cer");
    STINT_TRY(db.exec(
        QStringLiteral("INSERT INTO webauthn_challenges (id, challenge, purpose, person_id, invite_id, native_request,"
                       " created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)"),
        {id, c.challenge, purpose, textOrNull(c.personId), textOrNull(c.inviteId),
         c.native ? store::Value(nativeRequestText(*c.native)) : store::Value(nullptr), now, expiresAt}));
    // Expired ceremonies are of no use to anyone: sweep them as new ones come in.
    STINT_TRY(db.exec(QStringLiteral("DELETE FROM webauthn_challenges WHERE expires_at < ?"), {now - kSweepAfterMs}));
    return id;
}

Result<std::optional<Ceremony>> consume(store::Database& db, const QString& ceremonyId, const QString& purpose,
                                        TimeMs now)
{
    if (!ids::isValidId(ceremonyId, u"cer"))
        return std::optional<Ceremony>();
    return consumeRow(db,
                      QStringLiteral("UPDATE webauthn_challenges SET used_at = ? WHERE id = ? AND purpose = ?"
                                     " AND used_at IS NULL AND expires_at > ?"),
                      {now, ceremonyId, purpose, now},
                      QStringLiteral("SELECT challenge, person_id, invite_id, native_request"
                                     " FROM webauthn_challenges WHERE id = ?"),
                      {ceremonyId}, ceremonyFromRow);
}

Result<QString> issueNativeCode(store::Database& db, const NativeCode& t, TimeMs now, TimeMs expiresAt)
{
    const QString code = ids::newToken();
    STINT_TRY(db.exec(QStringLiteral("INSERT INTO native_codes (code_hash, person_id, org_id, code_challenge,"
                                     " redirect_uri, created_at, expires_at, used_at)"
                                     " VALUES (?, ?, ?, ?, ?, ?, ?, NULL)"),
                      {ids::tokenHash(code), t.personId, t.orgId, t.codeChallenge, t.redirectUri, now, expiresAt}));
    return code;
}

Result<std::optional<NativeCode>> consumeNativeCode(store::Database& db, const QString& code, TimeMs now)
{
    const QByteArray hash = ids::tokenHash(code);
    return consumeRow(db,
                      QStringLiteral("UPDATE native_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL"
                                     " AND expires_at > ?"),
                      {now, hash, now},
                      QStringLiteral("SELECT person_id, org_id, code_challenge, redirect_uri FROM native_codes"
                                     " WHERE code_hash = ?"),
                      {hash}, nativeCodeFromRow);
}

} // namespace stint::cloud::ceremonies
