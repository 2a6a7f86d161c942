// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/directory/DirectoryStore.h"

#include "core/Ids.h"

#include <QJsonDocument>
#include <QRegularExpression>

namespace stint::cloud::directory {

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
} // namespace

Result<std::optional<models::Person>> loadPerson(store::Database& db, const QString& orgId, const QString& personId)
{
    auto rows = db.query(QStringLiteral("SELECT %1 FROM people WHERE id = ? AND org_id = ?").arg(kPersonColumns),
                         {personId, orgId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<models::Person>();
    auto p = personFromRow(db, rows->front());
    if (!p)
        return p.error();
    return std::optional<models::Person>(*p);
}

Result<std::optional<models::Person>> findPersonByEmail(store::Database& db, const QString& email)
{
    auto rows = db.query(QStringLiteral("SELECT %1 FROM people WHERE email = ?").arg(kPersonColumns), {email});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<models::Person>();
    auto p = personFromRow(db, rows->front());
    if (!p)
        return p.error();
    return std::optional<models::Person>(*p);
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

Result<std::optional<PendingInvite>> findPendingInvite(store::Database& db, const Clock& clock, const QString& token)
{
    if (token.size() != 43)
        return std::optional<PendingInvite>();
    auto rows = db.query(QStringLiteral("SELECT id, org_id, email, display_name, role, expires_at, used_at, revoked_at"
                                        " FROM invites WHERE token_hash = ?"),
                         {ids::tokenHash(token)});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<PendingInvite>();
    const store::Row& r = rows->front();
    if (!r.isNull(6) || !r.isNull(7) || clock.now() >= r.integer(5))
        return std::optional<PendingInvite>();
    return std::optional<PendingInvite>(PendingInvite{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4)});
}

Result<QList<models::SignInCredential>> credentialsOf(store::Database& db, const QString& orgId,
                                                      const QString& personId)
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
                      {b.orgId, name, QString::fromUtf8(QJsonDocument(org.settingsJson()).toJson(QJsonDocument::Compact)),
                       now, now}));
    const QString displayName = email->section(QLatin1Char('@'), 0, 0);
    STINT_TRY(db.exec(QStringLiteral("INSERT INTO people (id, org_id, email, display_name, role, status, created_at,"
                                     " updated_at) VALUES (?, ?, ?, ?, 'admin', 'active', ?, ?)"),
                      {b.adminId, b.orgId, *email, displayName, now, now}));
    auto invite = createInvite(db, clock, config, b.orgId, *email, displayName, QStringLiteral("admin"), {});
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
