// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/directory/DirectoryStore.h"

#include "core/Ids.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

namespace stint::cloud::directory {

namespace {
// Whether a write changed any row.
Result<bool> changedAny(const Result<qint64>& changed)
{
    if (!changed)
        return changed.error();
    return *changed > 0;
}
} // namespace

std::optional<QString> normalizeEmail(const QString& email)
{
    static const QRegularExpression shape(QStringLiteral(R"(^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$)"));
    const QString e = email.trimmed().toLower();
    if (e.size() > 254 || !shape.match(e).hasMatch())
        return std::nullopt;
    return e;
}

Result<std::optional<models::Organization>> loadOrganization(store::Database& db, const QString& orgId)
{
    auto rows = db.query(QStringLiteral("SELECT id, name, settings, created_at FROM organizations WHERE id = ?"), {orgId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<models::Organization>();
    const store::Row& r = rows->front();
    models::Organization org;
    org.id = r.text(0);
    org.name = r.text(1);
    const QJsonObject settings = QJsonDocument::fromJson(r.text(2).toUtf8()).object();
    org.authenticatorPolicy = models::AuthenticatorPolicy::fromJson(
        settings.value(QLatin1String("authenticatorPolicy")).toObject());
    org.createdAt = r.integer(3);
    return std::optional<models::Organization>(org);
}

namespace {
QString settingsText(const models::Organization& org)
{
    return QString::fromUtf8(QJsonDocument(org.settingsJson()).toJson(QJsonDocument::Compact));
}
} // namespace

Result<void> saveOrganization(store::Database& db, const models::Organization& org, TimeMs now)
{
    return db.exec(QStringLiteral("UPDATE organizations SET name = ?, settings = ?, updated_at = ? WHERE id = ?"),
                   {org.name, settingsText(org), now, org.id});
}

namespace {
const QString kPersonColumns = QStringLiteral("id, org_id, email, display_name, role, status, created_at");

Result<models::Person> personFromRow(store::Database& db, const store::Row& r)
{
    models::Person p;
    p.id = r.text(0);
    p.orgId = r.text(1);
    p.email = r.text(2);
    p.displayName = r.text(3);
    p.role = r.text(4);
    p.status = r.text(5);
    p.createdAt = r.integer(6);
    auto groups = db.query(QStringLiteral("SELECT group_id FROM group_members WHERE person_id = ? ORDER BY group_id"),
                           {p.id});
    if (!groups)
        return groups.error();
    for (const auto& g : *groups)
        p.groupIds << g.text(0);
    return p;
}

// The one person `where` (a condition of this file, never input) finds, with their groups.
Result<std::optional<models::Person>> findPerson(store::Database& db, const QString& where, const store::Params& params)
{
    auto rows = db.query(QStringLiteral("SELECT %1 FROM people WHERE %2").arg(kPersonColumns, where), params);
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<models::Person>();
    auto p = personFromRow(db, rows->front());
    if (!p)
        return p.error();
    return std::optional<models::Person>(*p);
}
} // namespace

Result<std::optional<models::Person>> loadPerson(store::Database& db, const QString& orgId, const QString& personId)
{
    return findPerson(db, QStringLiteral("id = ? AND org_id = ?"), {personId, orgId});
}

Result<std::optional<models::Person>> findPersonByEmail(store::Database& db, const QString& email)
{
    return findPerson(db, QStringLiteral("email = ?"), {email});
}

Result<qint64> countActiveAdmins(store::Database& db, const QString& orgId)
{
    auto rows = db.query(
        QStringLiteral("SELECT COUNT(*) FROM people WHERE org_id = ? AND role = 'admin' AND status = 'active'"),
        {orgId});
    if (!rows)
        return rows.error();
    return rows->front().integer(0);
}

Result<void> insertPerson(store::Database& db, const models::Person& p, TimeMs now)
{
    return db.exec(QStringLiteral("INSERT INTO people (id, org_id, email, display_name, role, status, created_at,"
                                  " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                   {p.id, p.orgId, p.email, p.displayName, p.role, p.status, now, now});
}

Result<void> savePerson(store::Database& db, const models::Person& p, TimeMs now)
{
    return db.exec(QStringLiteral("UPDATE people SET display_name = ?, role = ?, status = ?, updated_at = ?"
                                  " WHERE id = ? AND org_id = ?"),
                   {p.displayName, p.role, p.status, now, p.id, p.orgId});
}

Result<IssuedInvite> createInvite(store::Database& db, const Clock& clock, const CloudConfig& config,
                                  const QString& orgId, const QString& email, const QString& displayName,
                                  const QString& role, const QString& createdBy)
{
    IssuedInvite issued;
    issued.token = ids::newToken();
    models::Invite& inv = issued.invite;
    inv.id = ids::newId(u"inv");
    inv.email = email;
    inv.displayName = displayName;
    inv.role = role;
    inv.status = QStringLiteral("pending");
    inv.createdAt = clock.now();
    inv.expiresAt = inv.createdAt + qint64(config.inviteTtlHours) * 3'600'000;
    STINT_TRY(db.exec(QStringLiteral("INSERT INTO invites (id, org_id, token_hash, email, display_name, role,"
                                     " created_by, created_at, expires_at, used_at, revoked_at)"
                                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)"),
                      {inv.id, orgId, ids::tokenHash(issued.token), email, displayName, role,
                       createdBy.isEmpty() ? store::Value(nullptr) : store::Value(createdBy), inv.createdAt,
                       inv.expiresAt}));
    return issued;
}

Result<std::optional<InviteTerms>> findPendingInvite(store::Database& db, const Clock& clock, const QString& token)
{
    if (token.size() != 43)
        return std::optional<InviteTerms>();
    auto rows = db.query(QStringLiteral("SELECT id, org_id, email, display_name, role, expires_at, used_at, revoked_at"
                                        " FROM invites WHERE token_hash = ?"),
                         {ids::tokenHash(token)});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<InviteTerms>();
    const store::Row& r = rows->front();
    if (!r.isNull(6) || !r.isNull(7) || clock.now() >= r.integer(5))
        return std::optional<InviteTerms>();
    return std::optional<InviteTerms>(InviteTerms{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4)});
}

Result<std::optional<InviteTerms>> loadInviteTerms(store::Database& db, const QString& inviteId)
{
    auto rows =
        db.query(QStringLiteral("SELECT org_id, email, display_name, role FROM invites WHERE id = ?"), {inviteId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<InviteTerms>();
    const store::Row& r = rows->front();
    return std::optional<InviteTerms>(InviteTerms{inviteId, r.text(0), r.text(1), r.text(2), r.text(3)});
}

Result<bool> useInvite(store::Database& db, const QString& inviteId, TimeMs now)
{
    return changedAny(db.execCount(QStringLiteral("UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL"
                                                  " AND revoked_at IS NULL AND expires_at > ?"),
                                   {now, inviteId, now}));
}

namespace {
models::Invite inviteFromRow(const store::Row& r, TimeMs now)
{
    models::Invite inv;
    inv.id = r.text(0);
    inv.email = r.text(1);
    inv.displayName = r.text(2);
    inv.role = r.text(3);
    inv.createdAt = r.integer(4);
    inv.expiresAt = r.integer(5);
    inv.status = !r.isNull(6)    ? QStringLiteral("used")
        : !r.isNull(7)           ? QStringLiteral("revoked")
        : now >= inv.expiresAt   ? QStringLiteral("expired")
                                 : QStringLiteral("pending");
    return inv;
}
} // namespace

Result<QList<models::Invite>> loadInvites(store::Database& db, const QString& orgId, const QString& afterId, int limit,
                                          TimeMs now)
{
    auto rows = db.query(QStringLiteral("SELECT id, email, display_name, role, created_at, expires_at, used_at,"
                                        " revoked_at FROM invites WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?"),
                         {orgId, afterId, qint64(limit)});
    if (!rows)
        return rows.error();
    QList<models::Invite> out;
    for (const auto& r : *rows)
        out.append(inviteFromRow(r, now));
    return out;
}

Result<bool> revokeInvite(store::Database& db, const QString& orgId, const QString& inviteId, TimeMs now)
{
    return changedAny(db.execCount(QStringLiteral("UPDATE invites SET revoked_at = ? WHERE id = ? AND org_id = ?"
                                                  " AND used_at IS NULL AND revoked_at IS NULL"),
                                   {now, inviteId, orgId}));
}

Result<std::optional<models::Group>> loadGroup(store::Database& db, const QString& orgId, const QString& groupId)
{
    auto rows = db.query(QStringLiteral("SELECT id, name, created_at FROM groups WHERE id = ? AND org_id = ?"),
                         {groupId, orgId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<models::Group>();
    models::Group g{rows->front().text(0), rows->front().text(1), {}, rows->front().integer(2)};
    auto members = db.query(QStringLiteral("SELECT person_id FROM group_members WHERE group_id = ? ORDER BY person_id"),
                            {groupId});
    if (!members)
        return members.error();
    for (const auto& m : *members)
        g.memberIds << m.text(0);
    return std::optional<models::Group>(g);
}

Result<bool> groupExists(store::Database& db, const QString& orgId, const QString& groupId)
{
    auto rows = db.query(QStringLiteral("SELECT 1 FROM groups WHERE id = ? AND org_id = ?"), {groupId, orgId});
    if (!rows)
        return rows.error();
    return !rows->empty();
}

Result<void> insertGroup(store::Database& db, const QString& orgId, const models::Group& g)
{
    STINT_TRY(db.exec(QStringLiteral("INSERT INTO groups (id, org_id, name, created_at, updated_at)"
                                     " VALUES (?, ?, ?, ?, ?)"),
                      {g.id, orgId, g.name, g.createdAt, g.createdAt}));
    return setGroupMembers(db, g.id, g.memberIds);
}

Result<void> renameGroup(store::Database& db, const QString& groupId, const QString& name, TimeMs now)
{
    return db.exec(QStringLiteral("UPDATE groups SET name = ?, updated_at = ? WHERE id = ?"), {name, now, groupId});
}

Result<void> setGroupMembers(store::Database& db, const QString& groupId, const QStringList& memberIds)
{
    STINT_TRY(db.exec(QStringLiteral("DELETE FROM group_members WHERE group_id = ?"), {groupId}));
    for (const QString& id : QSet<QString>(memberIds.begin(), memberIds.end()))
        STINT_TRY(db.exec(QStringLiteral("INSERT INTO group_members (group_id, person_id) VALUES (?, ?)"), {groupId, id}));
    return {};
}

Result<void> removeGroup(store::Database& db, const QString& groupId)
{
    for (const QString& sql : {QStringLiteral("DELETE FROM policy_subjects WHERE subject_type = 'group' AND subject_id = ?"),
                               QStringLiteral("DELETE FROM group_members WHERE group_id = ?"),
                               QStringLiteral("DELETE FROM groups WHERE id = ?")})
        STINT_TRY(db.exec(sql, {groupId}));
    return {};
}

Result<QList<models::SignInCredential>> passkeysOf(store::Database& db, const QString& orgId, const QString& personId)
{
    auto rows = db.query(QStringLiteral("SELECT id, name, aaguid, algorithm, backup_eligible, backup_state,"
                                        " attestation_format, attestation_type, flagged, created_at, last_used_at"
                                        " FROM credentials WHERE org_id = ? AND person_id = ? ORDER BY id"),
                         {orgId, personId});
    if (!rows)
        return rows.error();
    QList<models::SignInCredential> out;
    for (const auto& r : *rows) {
        models::SignInCredential c;
        c.id = r.text(0);
        c.name = r.text(1);
        c.aaguid = r.text(2);
        c.algorithm = int(r.integer(3));
        c.backupEligible = r.integer(4) != 0;
        c.backupState = r.integer(5) != 0;
        c.attestationFormat = r.text(6);
        c.attestationType = r.text(7);
        c.flagged = r.integer(8) != 0;
        c.createdAt = r.integer(9);
        if (!r.isNull(10))
            c.lastUsedAt = r.integer(10);
        out << c;
    }
    return out;
}

Result<QList<QByteArray>> passkeyIdsOf(store::Database& db, const QString& personId)
{
    auto rows = db.query(QStringLiteral("SELECT credential_id FROM credentials WHERE person_id = ? ORDER BY id"),
                         {personId});
    if (!rows)
        return rows.error();
    QList<QByteArray> out;
    for (const auto& r : *rows)
        out << r.blob(0);
    return out;
}

Result<QString> insertPasskey(store::Database& db, const QString& orgId, const QString& personId,
                              const stint::authn::RegisteredCredential& c, const QString& name, TimeMs now)
{
    const QString id = ids::newId(u"crd");
    STINT_TRY(db.exec(
        QStringLiteral("INSERT INTO credentials (id, org_id, person_id, credential_id, public_key, algorithm, sign_count,"
                       " aaguid, backup_eligible, backup_state, attestation_format, attestation_type, name, flagged,"
                       " created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL)"),
        {id, orgId, personId, c.credentialId, c.publicKeyCose, qint64(c.algorithm), qint64(c.signCount),
         stint::authn::aaguidString(c.aaguid), qint64(c.backupEligible), qint64(c.backupState), c.attestationFormat,
         c.attestationType, name, now}));
    return id;
}

Result<bool> renamePasskey(store::Database& db, const QString& orgId, const QString& personId,
                           const QString& passkeyId, const QString& name)
{
    return changedAny(db.execCount(
        QStringLiteral("UPDATE credentials SET name = ? WHERE id = ? AND org_id = ? AND person_id = ?"),
        {name, passkeyId, orgId, personId}));
}

Result<void> removePasskey(store::Database& db, const QString& orgId, const QString& passkeyId)
{
    return db.exec(QStringLiteral("DELETE FROM credentials WHERE id = ? AND org_id = ?"), {passkeyId, orgId});
}

Result<std::optional<PasskeyForSignIn>> findPasskey(store::Database& db, const QByteArray& credentialId)
{
    auto rows = db.query(QStringLiteral("SELECT c.id, c.person_id, c.org_id, c.public_key, c.sign_count, c.aaguid,"
                                        " c.flagged, p.email, p.role, p.status"
                                        " FROM credentials c JOIN people p ON p.id = c.person_id"
                                        " WHERE c.credential_id = ?"),
                         {credentialId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<PasskeyForSignIn>();
    const store::Row& r = rows->front();
    return std::optional<PasskeyForSignIn>(PasskeyForSignIn{r.text(0), r.text(1), r.text(2), r.blob(3),
                                                            quint32(r.integer(4)), r.text(5), r.integer(6) != 0,
                                                            r.text(7), r.text(8), r.text(9)});
}

Result<void> flagPasskey(store::Database& db, const QString& passkeyId)
{
    return db.exec(QStringLiteral("UPDATE credentials SET flagged = 1 WHERE id = ?"), {passkeyId});
}

Result<void> recordPasskeyUse(store::Database& db, const QString& passkeyId, quint32 signCount, bool backupState,
                              TimeMs now)
{
    return db.exec(QStringLiteral("UPDATE credentials SET sign_count = ?, backup_state = ?, last_used_at = ?"
                                  " WHERE id = ?"),
                   {qint64(signCount), qint64(backupState), now, passkeyId});
}

Result<Bootstrap> bootstrapOrganization(store::Database& db, const Clock& clock, const CloudConfig& config,
                                        const QString& orgName, const QString& adminEmail)
{
    const auto email = normalizeEmail(adminEmail);
    if (!email)
        return makeError(QStringLiteral("init.bad_email"), QStringLiteral("'%1' is not an email address.").arg(adminEmail));
    const QString name = orgName.trimmed();
    if (name.isEmpty() || name.size() > 200)
        return makeError(QStringLiteral("init.bad_name"), QStringLiteral("The organization needs a name (1–200 characters)."));
    auto existing = findPersonByEmail(db, *email);
    if (!existing)
        return existing.error();
    if (existing->has_value())
        return makeError(QStringLiteral("init.exists"), QStringLiteral("%1 already belongs to an organization.").arg(*email));
    Bootstrap b;
    b.orgId = ids::newId(u"org");
    b.adminId = ids::newId(u"per");
    const TimeMs now = clock.now();
    models::Organization org;
    org.id = b.orgId;
    store::Transaction tx(db);
    STINT_TRY(tx.started());
    STINT_TRY(db.exec(QStringLiteral("INSERT INTO organizations (id, name, settings, created_at, updated_at)"
                                     " VALUES (?, ?, ?, ?, ?)"),
                      {b.orgId, name, settingsText(org), now, now}));
    models::Person admin;
    admin.id = b.adminId;
    admin.orgId = b.orgId;
    admin.email = *email;
    admin.displayName = email->section(QLatin1Char('@'), 0, 0);
    admin.role = QStringLiteral("admin");
    admin.status = QStringLiteral("active");
    STINT_TRY(insertPerson(db, admin, now));
    auto invite = createInvite(db, clock, config, b.orgId, *email, admin.displayName, admin.role, {});
    if (!invite)
        return invite.error();
    b.invite = std::move(*invite);
    STINT_TRY(tx.commit());
    return b;
}

QString enrollmentUrl(const QString& origin, const QString& token)
{
    return origin + QStringLiteral("/enroll#invite=") + token;
}

} // namespace stint::cloud::directory
