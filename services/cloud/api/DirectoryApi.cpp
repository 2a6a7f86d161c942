// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/DirectoryApi.h"

#include "cloud/authn/Sessions.h"
#include "cloud/directory/DirectoryStore.h"
#include "cloud/events/EventHub.h"
#include "cloud/http/Pagination.h"
#include "cloud/http/RequestContext.h"
#include "core/Ids.h"

#include <QJsonArray>
#include <QUuid>

#include <functional>

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

Reply passkeyList(RequestContext& ctx, const QString& personId)
{
    auto passkeys = directory::passkeysOf(ctx.cloud.db, ctx.caller.orgId, personId);
    if (!passkeys)
        return ctx.fail(passkeys.error());
    QJsonArray items;
    for (const auto& c : *passkeys)
        items.append(c.toJson());
    return listOf(QStringLiteral("items"), items);
}

// The revocation of one session or invite named in the path.
struct Revocation
{
    QString type;         // "session" | "invite": the audit target, and the action "<type>.revoke"
    QString id;           // from the path
    QStringView idPrefix; // what a well-formed id starts with
    QString notFound;     // what a 404 says there is none of when nothing was revoked
};

// A malformed id and one `revoke` finds nothing to revoke under look the same from outside: 404. A revocation is
// audited; the caller does what follows it.
Reply revokeById(RequestContext& ctx, const Revocation& what, const std::function<Result<bool>()>& revoke)
{
    if (!ids::isValidId(what.id, what.idPrefix))
        return ApiError::notFound(what.type);
    auto revoked = revoke();
    if (!revoked)
        return ctx.fail(revoked.error());
    if (!*revoked)
        return ApiError::notFound(what.notFound);
    AuditEvent e = ctx.auditEvent(what.type + QStringLiteral(".revoke"));
    e.targetType = what.type;
    e.targetId = what.id;
    if (!ctx.audit(e))
        return ApiError::internal();
    return HttpResponse::noContent();
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
    return passkeyList(ctx, ctx.caller.personId);
}

namespace {
Reply removeCredential(RequestContext& ctx, const QString& personId, const QString& credentialId)
{
    if (!ids::isValidId(credentialId, u"crd"))
        return ApiError::notFound(QStringLiteral("credential"));
    auto creds = directory::passkeysOf(ctx.cloud.db, ctx.caller.orgId, personId);
    if (!creds)
        return ctx.fail(creds.error());
    const bool owns = std::any_of(creds->begin(), creds->end(), [&](const auto& c) { return c.id == credentialId; });
    if (!owns)
        return ApiError::notFound(QStringLiteral("credential"));
    if (creds->size() == 1)
        return ApiError::conflict(QStringLiteral("last-credential"),
                                  QStringLiteral("This is the only passkey of this person: add another one first, or "
                                                 "the person can no longer sign in."));
    auto removed = directory::removePasskey(ctx.cloud.db, ctx.caller.orgId, credentialId);
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
    const QString name = reader.requiredText(QStringLiteral("name"), 100);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    auto renamed = directory::renamePasskey(ctx.cloud.db, ctx.caller.orgId, ctx.caller.personId, credentialId, name);
    if (!renamed)
        return ctx.fail(renamed.error());
    if (!*renamed)
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
    auto sessions = ctx.cloud.sessions.liveSessionsOf(ctx.caller.personId);
    if (!sessions)
        return ctx.fail(sessions.error());
    QJsonArray items;
    for (models::SessionInfo s : *sessions) {
        s.current = s.id == ctx.caller.sessionId;
        items.append(s.toJson());
    }
    return listOf(QStringLiteral("items"), items);
}

Reply revokeMySession(RequestContext& ctx)
{
    const QString sessionId = ctx.param(QStringLiteral("sessionId"));
    Reply reply = revokeById(ctx, {QStringLiteral("session"), sessionId, u"ses", QStringLiteral("session")},
                             [&] { return ctx.cloud.sessions.revokeOwn(sessionId, ctx.caller.personId); });
    if (!reply.isError())
        ctx.cloud.events.closeSessions({sessionId});
    return reply;
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
    if (auto name = reader.optionalText(QStringLiteral("name"), 200, 1))
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
    auto updated = directory::saveOrganization(ctx.cloud.db, org, ctx.cloud.clock.now());
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
    if (auto name = reader.optionalText(QStringLiteral("displayName"), 200, 1))
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
    auto written = directory::savePerson(ctx.cloud.db, updated, ctx.cloud.clock.now());
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
    return passkeyList(ctx, person->id);
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

Reply listInvites(RequestContext& ctx)
{
    auto page = readPageRequest(ctx);
    if (auto* e = std::get_if<ApiError>(&page))
        return *e;
    const PageRequest& pr = std::get<PageRequest>(page);
    auto invites =
        directory::loadInvites(ctx.cloud.db, ctx.caller.orgId, pr.afterId, pr.limit + 1, ctx.cloud.clock.now());
    if (!invites)
        return ctx.fail(invites.error());
    QList<PageItem> items;
    for (const models::Invite& inv : *invites)
        items.append({inv.id, inv.toJson()});
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
    QString displayName = reader.optionalText(QStringLiteral("displayName"), 200, 1).value_or(QString());
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
    return revokeById(ctx, {QStringLiteral("invite"), inviteId, u"inv", QStringLiteral("pending invite")}, [&] {
        return directory::revokeInvite(ctx.cloud.db, ctx.caller.orgId, inviteId, ctx.cloud.clock.now());
    });
}

namespace {
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

// The group named in the path; other organizations' groups are as unknown as unknown ones: 404.
std::optional<models::Group> groupInOrg(RequestContext& ctx, ApiError* error)
{
    auto g = directory::loadGroup(ctx.cloud.db, ctx.caller.orgId, ctx.param(QStringLiteral("groupId")));
    if (!g) {
        *error = ctx.fail(g.error());
        return std::nullopt;
    }
    if (!g->has_value())
        *error = ApiError::notFound(QStringLiteral("group"));
    return *g;
}

ApiError groupNameTaken()
{
    return ApiError::nameTaken(QStringLiteral("A group with this name exists."));
}

Reply groupAudit(RequestContext& ctx, const QString& action, const QString& groupId, const QJsonObject& details,
                 const QString& eventType, const QJsonObject& eventData, HttpResponse response)
{
    AuditEvent e = ctx.auditEvent(action);
    e.targetType = QStringLiteral("group");
    e.targetId = groupId;
    e.details.insert(QStringLiteral("changes"), details);
    // Groups are the admins' business (GET /v1/groups is admin-only), so the group itself goes to admins. Membership
    // decides who may ask for which tenant, so everyone hears, without the group, that grants changed.
    if (!ctx.audit(e) || !ctx.publish(EventHub::audienceAdmins(), eventType, eventData)
        || !ctx.publish(EventHub::audienceOrg(), QStringLiteral("grants.changed"), {}))
        return ApiError::internal();
    return response;
}

// After a group was created or changed: the group as it now is, audited and announced, and the answer.
Reply groupWritten(RequestContext& ctx, const QString& groupId, const QString& action, const QJsonObject& changes,
                   const QString& eventType, int status)
{
    auto loaded = directory::loadGroup(ctx.cloud.db, ctx.caller.orgId, groupId);
    if (!loaded || !loaded->has_value())
        return ApiError::internal();
    const QJsonObject group = (*loaded)->toJson();
    return groupAudit(ctx, action, groupId, changes, eventType, group, HttpResponse::json(status, group));
}
} // namespace

Reply listGroups(RequestContext& ctx)
{
    return listOrganizationPage(ctx, QStringLiteral("groups"), [&](const QString& id) -> std::optional<QJsonObject> {
        auto g = directory::loadGroup(ctx.cloud.db, ctx.caller.orgId, id);
        return g && g->has_value() ? std::optional<QJsonObject>((*g)->toJson()) : std::nullopt;
    });
}

Reply createGroup(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const QString name = reader.requiredText(QStringLiteral("name"), 100).trimmed();
    const QStringList members = reader.optionalStringList(QStringLiteral("memberIds"), 1000, 64).value_or(QStringList());
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    if (auto bad = checkMembers(ctx, members))
        return *bad;
    models::Group g{ids::newId(u"grp"), name, members, ctx.cloud.clock.now()};
    if (auto inserted = directory::insertGroup(ctx.cloud.db, ctx.caller.orgId, g); !inserted) {
        if (inserted.error().code == QLatin1String("store.constraint"))
            return groupNameTaken();
        return ctx.fail(inserted.error());
    }
    return groupWritten(ctx, g.id, QStringLiteral("group.create"), *body, QStringLiteral("group.created"), 201);
}

Reply getGroup(RequestContext& ctx)
{
    ApiError error;
    auto g = groupInOrg(ctx, &error);
    if (!g)
        return error;
    return HttpResponse::json(200, g->toJson());
}

Reply updateGroup(RequestContext& ctx)
{
    ApiError error;
    auto g = groupInOrg(ctx, &error);
    if (!g)
        return error;
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    json::ObjectReader reader(*body);
    const auto name = reader.optionalText(QStringLiteral("name"), 100, 1);
    const auto members = reader.optionalStringList(QStringLiteral("memberIds"), 1000, 64);
    if (auto ok = reader.finish(); !ok)
        return ctx.fail(ok.error());
    if (members) {
        if (auto bad = checkMembers(ctx, *members))
            return *bad;
        if (auto set = directory::setGroupMembers(ctx.cloud.db, g->id, *members); !set)
            return ctx.fail(set.error());
    }
    if (name) {
        auto renamed = directory::renameGroup(ctx.cloud.db, g->id, name->trimmed(), ctx.cloud.clock.now());
        if (!renamed) {
            if (renamed.error().code == QLatin1String("store.constraint"))
                return groupNameTaken();
            return ctx.fail(renamed.error());
        }
    }
    return groupWritten(ctx, g->id, QStringLiteral("group.update"), *body, QStringLiteral("group.updated"), 200);
}

Reply deleteGroup(RequestContext& ctx)
{
    ApiError error;
    auto g = groupInOrg(ctx, &error);
    if (!g)
        return error;
    if (auto removed = directory::removeGroup(ctx.cloud.db, g->id); !removed)
        return ctx.fail(removed.error());
    return groupAudit(ctx, QStringLiteral("group.delete"), g->id, {}, QStringLiteral("group.deleted"),
                      {{QStringLiteral("id"), g->id}}, HttpResponse::noContent());
}

} // namespace stint::cloud::api
