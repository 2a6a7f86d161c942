// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/DirectoryApi.h"

#include "cloud/authn/Sessions.h"
#include "cloud/directory/DirectoryStore.h"
#include "cloud/events/EventHub.h"
#include "cloud/http/Pagination.h"
#include "cloud/http/RequestContext.h"
#include "core/Ids.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

namespace stint::cloud::api {

namespace {

// Unknown ids, malformed ids and other organizations' ids all look the same from outside: 404.
std::optional<models::Person> personInOrg(RequestContext& ctx, const QString& personId, ApiError* error)
{
    if (!ids::isValidId(personId, u"per")) {
        *error = ApiError::notFound(QStringLiteral("person"));
        return std::nullopt;
    }
    auto p = directory::loadPerson(ctx.cloud.db, ctx.caller.orgId, personId);
    if (!p) {
        *error = ctx.fail(p.error());
        return std::nullopt;
    }
    if (!p->has_value())
        *error = ApiError::notFound(QStringLiteral("person"));
    return *p;
}

HttpResponse listOf(const QString& key, const QJsonArray& items)
{
    return HttpResponse::json(200, QJsonObject{{key, items}});
}

} // namespace

Reply me(RequestContext& ctx)
{
    ApiError error;
    auto person = personInOrg(ctx, ctx.caller.personId, &error);
    if (!person)
        return error;
    auto org = directory::loadOrganization(ctx.cloud.db, ctx.caller.orgId);
    if (!org || !org->has_value())
        return ctx.fail(org ? makeError(QStringLiteral("store.failed"), QStringLiteral("organization missing"))
                            : org.error());
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("person"), person->toJson()},
                                               {QStringLiteral("organization"), (*org)->toJson()},
                                               {QStringLiteral("sessionId"), ctx.caller.sessionId}});
}

Reply myCredentials(RequestContext& ctx)
{
    auto creds = directory::credentialsOf(ctx.cloud.db, ctx.caller.orgId, ctx.caller.personId);
    if (!creds)
        return ctx.fail(creds.error());
    QJsonArray items;
    for (const auto& c : *creds)
        items.append(c.toJson());
    return listOf(QStringLiteral("items"), items);
}

namespace {
Reply removeCredential(RequestContext& ctx, const QString& personId, const QString& credentialId)
{
    if (!ids::isValidId(credentialId, u"crd"))
        return ApiError::notFound(QStringLiteral("credential"));
    auto creds = directory::credentialsOf(ctx.cloud.db, ctx.caller.orgId, personId);
    if (!creds)
        return ctx.fail(creds.error());
    const bool owns = std::any_of(creds->begin(), creds->end(), [&](const auto& c) { return c.id == credentialId; });
    if (!owns)
        return ApiError::notFound(QStringLiteral("credential"));
    if (creds->size() == 1)
        return ApiError::conflict(QStringLiteral("last-credential"),
                                  QStringLiteral("This is the only passkey of this person: add another one first, or "
                                                 "the person can no longer sign in."));
    auto removed = ctx.cloud.db.exec(QStringLiteral("DELETE FROM credentials WHERE id = ? AND org_id = ?"),
                                     {credentialId, ctx.caller.orgId});
    if (!removed)
        return ctx.fail(removed.error());
    AuditEvent e = ctx.auditEvent(QStringLiteral("credential.remove"));
    e.targetType = QStringLiteral("person");
    e.targetId = personId;
    e.details.insert(QStringLiteral("credentialId"), credentialId);
    if (!ctx.audit(e))
        return ApiError::internal();
    return HttpResponse::noContent();
}
} // namespace

Reply renameMyCredential(RequestContext& ctx)
{
    const QString credentialId = ctx.param(QStringLiteral("credentialId"));
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString name = reader.requiredString(QStringLiteral("name"), 100);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    auto n = ctx.cloud.db.execCount(QStringLiteral("UPDATE credentials SET name = ? WHERE id = ? AND org_id = ?"
                                                   " AND person_id = ?"),
                                    {name, credentialId, ctx.caller.orgId, ctx.caller.personId});
    if (!n)
        return ctx.fail(n.error());
    if (*n == 0)
        return ApiError::notFound(QStringLiteral("credential"));
    AuditEvent e = ctx.auditEvent(QStringLiteral("credential.rename"));
    e.targetType = QStringLiteral("person");
    e.targetId = ctx.caller.personId;
    e.details.insert(QStringLiteral("credentialId"), credentialId);
    if (!ctx.audit(e))
        return ApiError::internal();
    return HttpResponse::noContent();
}

Reply deleteMyCredential(RequestContext& ctx)
{
    return removeCredential(ctx, ctx.caller.personId, ctx.param(QStringLiteral("credentialId")));
}

Reply mySessions(RequestContext& ctx)
{
    auto rows = ctx.cloud.db.query(QStringLiteral("SELECT id, created_at, last_seen_at, idle_expires_at,"
                                                  " absolute_expires_at, source_address, user_agent FROM sessions"
                                                  " WHERE person_id = ? AND revoked_at IS NULL"
                                                  " AND idle_expires_at > ? AND absolute_expires_at > ? ORDER BY id"),
                                   {ctx.caller.personId, ctx.cloud.clock.now(), ctx.cloud.clock.now()});
    if (!rows)
        return ctx.fail(rows.error());
    QJsonArray items;
    for (const auto& r : *rows) {
        models::SessionInfo s{r.text(0), r.integer(1), r.integer(2), std::min(r.integer(3), r.integer(4)),
                              r.text(5), r.text(6), r.text(0) == ctx.caller.sessionId};
        items.append(s.toJson());
    }
    return listOf(QStringLiteral("items"), items);
}

Reply revokeMySession(RequestContext& ctx)
{
    const QString sessionId = ctx.param(QStringLiteral("sessionId"));
    if (!ids::isValidId(sessionId, u"ses"))
        return ApiError::notFound(QStringLiteral("session"));
    auto n = ctx.cloud.db.execCount(QStringLiteral("UPDATE sessions SET revoked_at = ? WHERE id = ? AND person_id = ?"
                                                   " AND revoked_at IS NULL"),
                                    {ctx.cloud.clock.now(), sessionId, ctx.caller.personId});
    if (!n)
        return ctx.fail(n.error());
    if (*n == 0)
        return ApiError::notFound(QStringLiteral("session"));
    AuditEvent e = ctx.auditEvent(QStringLiteral("session.revoke"));
    e.targetType = QStringLiteral("session");
    e.targetId = sessionId;
    if (!ctx.audit(e))
        return ApiError::internal();
    ctx.cloud.events.closeSessions({sessionId});
    return HttpResponse::noContent();
}

Reply getOrganization(RequestContext& ctx)
{
    auto org = directory::loadOrganization(ctx.cloud.db, ctx.caller.orgId);
    if (!org)
        return ctx.fail(org.error());
    if (!org->has_value())
        return ApiError::notFound(QStringLiteral("organization"));
    return HttpResponse::json(200, (*org)->toJson());
}

Reply updateOrganization(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    auto loaded = directory::loadOrganization(ctx.cloud.db, ctx.caller.orgId);
    if (!loaded || !loaded->has_value())
        return ApiError::internal();
    models::Organization org = **loaded;
    json::ObjectReader reader(*body);
    if (auto name = reader.optionalString(QStringLiteral("name"), 200, 1))
        org.name = name->trimmed();
    if (auto policy = reader.optionalObject(QStringLiteral("authenticatorPolicy"))) {
        json::ObjectReader p(*policy, QStringLiteral("authenticatorPolicy"));
        const QString mode = p.requiredEnum(QStringLiteral("mode"), {QStringLiteral("any"), QStringLiteral("allowlist")});
        const QStringList aaguids = p.optionalStringList(QStringLiteral("aaguids"), 200, 36).value_or(QStringList());
        QStringList normalized;
        for (const QString& a : aaguids) {
            const QUuid u = QUuid::fromString(a);
            if (u.isNull() && a != QLatin1String("00000000-0000-0000-0000-000000000000"))
                p.fail(QStringLiteral("aaguids"), QStringLiteral("'%1' is not a UUID").arg(a.left(40)));
            normalized << u.toString(QUuid::WithoutBraces).toLower();
        }
        if (mode == QLatin1String("allowlist") && normalized.isEmpty())
            p.fail(QStringLiteral("aaguids"), QStringLiteral("an allow-list needs at least one AAGUID"));
        if (auto ok = p.finish(); !ok)
            reader.fail(QStringLiteral("authenticatorPolicy"), ok.error().message);
        org.authenticatorPolicy.mode = mode;
        org.authenticatorPolicy.aaguids = normalized;
    }
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    auto updated = ctx.cloud.db.exec(QStringLiteral("UPDATE organizations SET name = ?, settings = ?, updated_at = ?"
                                                    " WHERE id = ?"),
                                     {org.name, QString::fromUtf8(QJsonDocument(org.settingsJson()).toJson(QJsonDocument::Compact)),
                                      ctx.cloud.clock.now(), org.id});
    if (!updated)
        return ctx.fail(updated.error());
    AuditEvent e = ctx.auditEvent(QStringLiteral("organization.update"));
    e.targetType = QStringLiteral("organization");
    e.targetId = org.id;
    e.details.insert(QStringLiteral("changes"), *body);
    if (!ctx.audit(e) || !ctx.publish(EventHub::audienceAdmins(), QStringLiteral("organization.updated"), org.toJson()))
        return ApiError::internal();
    return HttpResponse::json(200, org.toJson());
}

Reply listPeople(RequestContext& ctx)
{
    return listOrganizationPage(ctx, QStringLiteral("people"), [&](const QString& id) -> std::optional<QJsonObject> {
        auto p = directory::loadPerson(ctx.cloud.db, ctx.caller.orgId, id);
        return p && p->has_value() ? std::optional<QJsonObject>((*p)->toJson()) : std::nullopt;
    });
}

Reply getPerson(RequestContext& ctx)
{
    ApiError error;
    auto person = personInOrg(ctx, ctx.param(QStringLiteral("personId")), &error);
    if (!person)
        return error;
    return HttpResponse::json(200, person->toJson());
}

Reply updatePerson(RequestContext& ctx)
{
    ApiError error;
    auto person = personInOrg(ctx, ctx.param(QStringLiteral("personId")), &error);
    if (!person)
        return error;
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    models::Person updated = *person;
    if (auto name = reader.optionalString(QStringLiteral("displayName"), 200, 1))
        updated.displayName = name->trimmed();
    if (auto role = reader.optionalEnum(QStringLiteral("role"), models::kPersonRoles))
        updated.role = *role;
    if (auto status = reader.optionalEnum(QStringLiteral("status"), {QStringLiteral("active"), QStringLiteral("disabled")}))
        updated.status = *status;
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    const bool wasActiveAdmin = person->role == QLatin1String("admin") && person->status == QLatin1String("active");
    const bool isActiveAdmin = updated.role == QLatin1String("admin") && updated.status == QLatin1String("active");
    if (wasActiveAdmin && !isActiveAdmin) {
        auto admins = directory::countActiveAdmins(ctx.cloud.db, ctx.caller.orgId);
        if (!admins)
            return ctx.fail(admins.error());
        if (*admins <= 1)
            return ApiError::conflict(QStringLiteral("last-admin"),
                                      QStringLiteral("This is the organization's last active admin; make someone else "
                                                     "an admin first."));
    }
    auto written = ctx.cloud.db.exec(QStringLiteral("UPDATE people SET display_name = ?, role = ?, status = ?,"
                                                    " updated_at = ? WHERE id = ? AND org_id = ?"),
                                     {updated.displayName, updated.role, updated.status, ctx.cloud.clock.now(),
                                      updated.id, ctx.caller.orgId});
    if (!written)
        return ctx.fail(written.error());
    if (updated.status == QLatin1String("disabled") && person->status != updated.status) {
        auto revoked = ctx.cloud.sessions.revokeAllOf(updated.id);
        if (!revoked)
            return ctx.fail(revoked.error());
        ctx.cloud.events.closePerson(updated.id);
    }
    AuditEvent e = ctx.auditEvent(QStringLiteral("person.update"));
    e.targetType = QStringLiteral("person");
    e.targetId = updated.id;
    e.details.insert(QStringLiteral("changes"), *body);
    if (!ctx.audit(e)
        || !ctx.publish(EventHub::audienceAdmins() + QStringLiteral("|") + EventHub::audiencePerson(updated.id),
                        QStringLiteral("person.updated"), updated.toJson()))
        return ApiError::internal();
    return HttpResponse::json(200, updated.toJson());
}

Reply personCredentials(RequestContext& ctx)
{
    ApiError error;
    auto person = personInOrg(ctx, ctx.param(QStringLiteral("personId")), &error);
    if (!person)
        return error;
    auto creds = directory::credentialsOf(ctx.cloud.db, ctx.caller.orgId, person->id);
    if (!creds)
        return ctx.fail(creds.error());
    QJsonArray items;
    for (const auto& c : *creds)
        items.append(c.toJson());
    return listOf(QStringLiteral("items"), items);
}

Reply deletePersonCredential(RequestContext& ctx)
{
    ApiError error;
    auto person = personInOrg(ctx, ctx.param(QStringLiteral("personId")), &error);
    if (!person)
        return error;
    return removeCredential(ctx, person->id, ctx.param(QStringLiteral("credentialId")));
}

Reply revokePersonSessions(RequestContext& ctx)
{
    ApiError error;
    auto person = personInOrg(ctx, ctx.param(QStringLiteral("personId")), &error);
    if (!person)
        return error;
    auto n = ctx.cloud.sessions.revokeAllOf(person->id);
    if (!n)
        return ctx.fail(n.error());
    AuditEvent e = ctx.auditEvent(QStringLiteral("session.revoke_all"));
    e.targetType = QStringLiteral("person");
    e.targetId = person->id;
    e.details.insert(QStringLiteral("sessionsRevoked"), *n);
    if (!ctx.audit(e))
        return ApiError::internal();
    ctx.cloud.events.closePerson(person->id);
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("revoked"), *n}});
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

Reply listInvites(RequestContext& ctx)
{
    auto page = readPageRequest(ctx);
    if (auto* e = std::get_if<ApiError>(&page))
        return *e;
    const PageRequest& pr = std::get<PageRequest>(page);
    auto rows = ctx.cloud.db.query(QStringLiteral("SELECT id, email, display_name, role, created_at, expires_at,"
                                                  " used_at, revoked_at FROM invites WHERE org_id = ? AND id > ?"
                                                  " ORDER BY id LIMIT ?"),
                                   {ctx.caller.orgId, pr.afterId, qint64(pr.limit + 1)});
    if (!rows)
        return ctx.fail(rows.error());
    QList<PageItem> items;
    for (const auto& r : *rows)
        items.append({r.text(0), inviteFromRow(r, ctx.cloud.clock.now()).toJson()});
    return pageResponse(items, pr);
}

Reply createInvite(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString rawEmail = reader.requiredString(QStringLiteral("email"), 254);
    const QString role = reader.requiredEnum(QStringLiteral("role"), models::kPersonRoles);
    QString displayName = reader.optionalString(QStringLiteral("displayName"), 200, 1).value_or(QString());
    const auto email = directory::normalizeEmail(rawEmail);
    if (!rawEmail.isEmpty() && !email)
        reader.fail(QStringLiteral("email"), QStringLiteral("is not an email address"));
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    auto existing = directory::findPersonByEmail(ctx.cloud.db, *email);
    if (!existing)
        return ctx.fail(existing.error());
    if (existing->has_value())
        return ApiError::conflict(QStringLiteral("person-exists"),
                                  QStringLiteral("Someone with this email already has an account."));
    if (displayName.isEmpty())
        displayName = email->section(QLatin1Char('@'), 0, 0);
    auto issued = directory::createInvite(ctx.cloud.db, ctx.cloud.clock, ctx.cloud.config, ctx.caller.orgId, *email,
                                          displayName.trimmed(), role, ctx.caller.personId);
    if (!issued)
        return ctx.fail(issued.error());
    AuditEvent e = ctx.auditEvent(QStringLiteral("invite.create"));
    e.targetType = QStringLiteral("invite");
    e.targetId = issued->invite.id;
    e.details.insert(QStringLiteral("email"), *email);
    e.details.insert(QStringLiteral("role"), role);
    if (!ctx.audit(e))
        return ApiError::internal();
    QJsonObject out = issued->invite.toJson();
    // The link is the only place the invite token ever appears; it is not stored and not logged.
    out.insert(QStringLiteral("enrollmentUrl"), directory::enrollmentUrl(ctx.cloud.origin, issued->token));
    return HttpResponse::json(201, out);
}

Reply revokeInvite(RequestContext& ctx)
{
    const QString inviteId = ctx.param(QStringLiteral("inviteId"));
    if (!ids::isValidId(inviteId, u"inv"))
        return ApiError::notFound(QStringLiteral("invite"));
    auto n = ctx.cloud.db.execCount(QStringLiteral("UPDATE invites SET revoked_at = ? WHERE id = ? AND org_id = ?"
                                                   " AND used_at IS NULL AND revoked_at IS NULL"),
                                    {ctx.cloud.clock.now(), inviteId, ctx.caller.orgId});
    if (!n)
        return ctx.fail(n.error());
    if (*n == 0)
        return ApiError::notFound(QStringLiteral("pending invite"));
    AuditEvent e = ctx.auditEvent(QStringLiteral("invite.revoke"));
    e.targetType = QStringLiteral("invite");
    e.targetId = inviteId;
    if (!ctx.audit(e))
        return ApiError::internal();
    return HttpResponse::noContent();
}

namespace {
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

// Validates member ids: each must be a person of the caller's organization.
std::optional<ApiError> checkMembers(RequestContext& ctx, const QStringList& memberIds)
{
    for (const QString& id : memberIds) {
        ApiError error;
        if (!personInOrg(ctx, id, &error))
            return ApiError{422, QStringLiteral("validation"), QStringLiteral("Some fields are not valid."),
                            QStringLiteral("memberIds: no person %1 in this organization").arg(id.left(64)), {}};
    }
    return std::nullopt;
}

ApiError groupNameTaken()
{
    return ApiError::nameTaken(QStringLiteral("A group with this name exists."));
}

Result<void> setMembers(store::Database& db, const QString& groupId, const QStringList& memberIds)
{
    STINT_TRY(db.exec(QStringLiteral("DELETE FROM group_members WHERE group_id = ?"), {groupId}));
    for (const QString& id : QSet<QString>(memberIds.begin(), memberIds.end()))
        STINT_TRY(db.exec(QStringLiteral("INSERT INTO group_members (group_id, person_id) VALUES (?, ?)"), {groupId, id}));
    return {};
}

Reply groupAudit(RequestContext& ctx, const QString& action, const QString& groupId, const QJsonObject& details,
                 const QString& eventType, const QJsonObject& eventData, HttpResponse response)
{
    AuditEvent e = ctx.auditEvent(action);
    e.targetType = QStringLiteral("group");
    e.targetId = groupId;
    e.details.insert(QStringLiteral("changes"), details);
    // Group membership decides who may ask for which tenant: technicians refetch their grants.
    if (!ctx.audit(e) || !ctx.publish(EventHub::audienceOrg(), eventType, eventData))
        return ApiError::internal();
    return response;
}
} // namespace

Reply listGroups(RequestContext& ctx)
{
    return listOrganizationPage(ctx, QStringLiteral("groups"), [&](const QString& id) -> std::optional<QJsonObject> {
        auto g = loadGroup(ctx.cloud.db, ctx.caller.orgId, id);
        return g && g->has_value() ? std::optional<QJsonObject>((*g)->toJson()) : std::nullopt;
    });
}

Reply createGroup(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString name = reader.requiredString(QStringLiteral("name"), 100).trimmed();
    const QStringList members = reader.optionalStringList(QStringLiteral("memberIds"), 1000, 64).value_or(QStringList());
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    if (auto bad = checkMembers(ctx, members))
        return *bad;
    models::Group g{ids::newId(u"grp"), name, members, ctx.cloud.clock.now()};
    auto inserted = ctx.cloud.db.exec(QStringLiteral("INSERT INTO groups (id, org_id, name, created_at, updated_at)"
                                                     " VALUES (?, ?, ?, ?, ?)"),
                                      {g.id, ctx.caller.orgId, g.name, g.createdAt, g.createdAt});
    if (!inserted) {
        if (inserted.error().code == QLatin1String("store.constraint"))
            return groupNameTaken();
        return ctx.fail(inserted.error());
    }
    if (auto set = setMembers(ctx.cloud.db, g.id, members); !set)
        return ctx.fail(set.error());
    auto loaded = loadGroup(ctx.cloud.db, ctx.caller.orgId, g.id);
    if (!loaded || !loaded->has_value())
        return ApiError::internal();
    return groupAudit(ctx, QStringLiteral("group.create"), g.id, *body, QStringLiteral("group.created"),
                      (*loaded)->toJson(), HttpResponse::json(201, (*loaded)->toJson()));
}

Reply getGroup(RequestContext& ctx)
{
    auto g = loadGroup(ctx.cloud.db, ctx.caller.orgId, ctx.param(QStringLiteral("groupId")));
    if (!g)
        return ctx.fail(g.error());
    if (!g->has_value())
        return ApiError::notFound(QStringLiteral("group"));
    return HttpResponse::json(200, (*g)->toJson());
}

Reply updateGroup(RequestContext& ctx)
{
    auto g = loadGroup(ctx.cloud.db, ctx.caller.orgId, ctx.param(QStringLiteral("groupId")));
    if (!g)
        return ctx.fail(g.error());
    if (!g->has_value())
        return ApiError::notFound(QStringLiteral("group"));
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const auto name = reader.optionalString(QStringLiteral("name"), 100, 1);
    const auto members = reader.optionalStringList(QStringLiteral("memberIds"), 1000, 64);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    if (members) {
        if (auto bad = checkMembers(ctx, *members))
            return *bad;
        if (auto set = setMembers(ctx.cloud.db, (*g)->id, *members); !set)
            return ctx.fail(set.error());
    }
    if (name) {
        auto renamed = ctx.cloud.db.exec(QStringLiteral("UPDATE groups SET name = ?, updated_at = ? WHERE id = ?"),
                                         {name->trimmed(), ctx.cloud.clock.now(), (*g)->id});
        if (!renamed) {
            if (renamed.error().code == QLatin1String("store.constraint"))
                return groupNameTaken();
            return ctx.fail(renamed.error());
        }
    }
    auto loaded = loadGroup(ctx.cloud.db, ctx.caller.orgId, (*g)->id);
    if (!loaded || !loaded->has_value())
        return ApiError::internal();
    return groupAudit(ctx, QStringLiteral("group.update"), (*g)->id, *body, QStringLiteral("group.updated"),
                      (*loaded)->toJson(), HttpResponse::json(200, (*loaded)->toJson()));
}

Reply deleteGroup(RequestContext& ctx)
{
    auto g = loadGroup(ctx.cloud.db, ctx.caller.orgId, ctx.param(QStringLiteral("groupId")));
    if (!g)
        return ctx.fail(g.error());
    if (!g->has_value())
        return ApiError::notFound(QStringLiteral("group"));
    for (const QString& sql : {QStringLiteral("DELETE FROM policy_subjects WHERE subject_type = 'group' AND subject_id = ?"),
                               QStringLiteral("DELETE FROM group_members WHERE group_id = ?"),
                               QStringLiteral("DELETE FROM groups WHERE id = ?")}) {
        if (auto r = ctx.cloud.db.exec(sql, {(*g)->id}); !r)
            return ctx.fail(r.error());
    }
    return groupAudit(ctx, QStringLiteral("group.delete"), (*g)->id, {}, QStringLiteral("group.deleted"),
                      {{QStringLiteral("id"), (*g)->id}}, HttpResponse::noContent());
}

} // namespace stint::cloud::api
