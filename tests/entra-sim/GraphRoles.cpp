// SPDX-License-Identifier: GPL-3.0-or-later
// Graph directory roles and the recycle bin: roleDefinitions, roleAssignments, deletedItems
// (protocols.md 2.4, 2.5, 2.6, 2.11, 2.12).
#include "Faults.h"
#include "GraphCall.h"
#include "Simulator.h"
#include "core/Json.h"

namespace stint::entrasim {

namespace {

const QStringList kRoleRead {"RoleManagement.Read.Directory", "RoleManagement.Read.All",
                             "RoleManagement.ReadWrite.Directory", "Directory.Read.All", "Directory.ReadWrite.All"};
// protocols.md 2.5: creating/deleting assignments needs RoleManagement.ReadWrite.Directory (Directory.ReadWrite.All
// does not grant role management in Entra).
const QStringList kRoleWrite {"RoleManagement.ReadWrite.Directory"};
const QStringList kDeletedRead {"User.Read.All", "User.ReadWrite.All", "User.DeleteRestore.All", "Directory.Read.All",
                                "Directory.ReadWrite.All"};
const QStringList kDeletedWrite {"User.DeleteRestore.All", "User.ReadWrite.All", "Directory.ReadWrite.All"};

constexpr qint64 kRecycleBinMs = 30LL * 24 * 3600 * 1000; // restorable for 30 days (protocols.md 2.6)

QJsonObject roleDefinitionJson(const SimRoleDefinition& r)
{
    return QJsonObject {
        {"id", r.templateId},
        {"description", r.description},
        {"displayName", r.displayName},
        {"isBuiltIn", true},
        {"isEnabled", true},
        {"isPrivileged", r.isPrivileged},
        {"resourceScopes", QJsonArray {"/"}},
        {"templateId", r.templateId},
        {"version", "1"},
        {"rolePermissions",
         QJsonArray {QJsonObject {{"allowedResourceActions", QJsonArray()}, {"condition", QJsonValue::Null}}}},
        {"inheritsPermissionsFrom", QJsonArray()}};
}

QJsonObject assignmentJson(const SimRoleAssignment& a)
{
    return QJsonObject {{"id", a.id},
                        {"principalId", a.principalId},
                        {"resourceScope", a.directoryScopeId},
                        {"directoryScopeId", a.directoryScopeId},
                        {"roleDefinitionId", a.roleDefinitionId}};
}

} // namespace

SimResponse GraphEndpoints::roleDefinitions(Call& call, const QStringList& segments)
{
    if (call.request.method != "GET")
        return error(405, QStringLiteral("Request_BadRequest"),
                     QStringLiteral("Specified HTTP method is not allowed for the request target."), call.requestId,
                     call.clientRequestId);
    if (!permitted(call, kRoleRead))
        return forbidden(call);
    if (segments.size() == 1) {
        const SimRoleDefinition* r = SimState::roleDefinition(segments[0]);
        if (!r)
            return notFound(call, segments[0].left(100));
        QJsonObject out = roleDefinitionJson(*r);
        out.insert("@odata.context",
                   kGraphBase + QStringLiteral("/$metadata#roleManagement/directory/roleDefinitions/$entity"));
        return ok(call, 200, out);
    }
    if (segments.size() > 1)
        return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Resource not found for the segment."));
    QList<FilterClause> clauses;
    if (call.request.query.hasQueryItem(QStringLiteral("$filter"))) {
        const auto parsed
            = parseFilter(call.request.query.queryItemValue(QStringLiteral("$filter"), QUrl::FullyDecoded));
        if (!parsed)
            return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Invalid filter clause"));
        for (const FilterClause& c : *parsed) {
            if (!c.isString
                || (c.property != QLatin1String("displayName") && c.property != QLatin1String("templateId")
                    && c.property != QLatin1String("id")))
                return error(400, QStringLiteral("Request_UnsupportedQuery"),
                             QStringLiteral("Unsupported or invalid query filter clause specified for property '%1' of "
                                            "resource 'unifiedRoleDefinition'.")
                                 .arg(c.property.left(100)),
                             call.requestId, call.clientRequestId);
        }
        clauses = *parsed;
    }
    QJsonArray value;
    for (const SimRoleDefinition& r : SimState::roleDefinitions()) {
        bool match = true;
        for (const FilterClause& c : clauses)
            match = match
                && (c.property == QLatin1String("displayName") ? r.displayName == c.value
                                                               : r.templateId == c.value.toLower());
        if (match)
            value.append(roleDefinitionJson(r));
    }
    return ok(call, 200,
              QJsonObject {{"@odata.context",
                            kGraphBase + QStringLiteral("/$metadata#roleManagement/directory/roleDefinitions")},
                           {"value", value}});
}

SimResponse GraphEndpoints::roleAssignments(Call& call, const QStringList& segments)
{
    const QByteArray& method = call.request.method;
    const QString context = kGraphBase + QStringLiteral("/$metadata#roleManagement/directory/roleAssignments");
    SimTenant& tenant = *call.tenant;
    if (segments.isEmpty() && method == "GET") {
        if (!permitted(call, kRoleRead))
            return forbidden(call);
        QList<FilterClause> clauses;
        for (const auto& [key, v] : call.request.query.queryItems()) {
            if (key.startsWith(QLatin1Char('$')) && key != QLatin1String("$filter"))
                return error(400, QStringLiteral("Request_UnsupportedQuery"),
                             QStringLiteral("The query option '%1' is not supported by entra-sim.").arg(key.left(50)),
                             call.requestId, call.clientRequestId);
        }
        if (call.request.query.hasQueryItem(QStringLiteral("$filter"))) {
            const auto parsed
                = parseFilter(call.request.query.queryItemValue(QStringLiteral("$filter"), QUrl::FullyDecoded));
            if (!parsed)
                return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Invalid filter clause"));
            for (const FilterClause& c : *parsed) {
                if (!c.isString
                    || (c.property != QLatin1String("principalId") && c.property != QLatin1String("roleDefinitionId")))
                    return error(400, QStringLiteral("Request_UnsupportedQuery"),
                                 QStringLiteral("Unsupported or invalid query filter clause specified for property "
                                                "'%1' of resource 'unifiedRoleAssignment'.")
                                     .arg(c.property.left(100)),
                                 call.requestId, call.clientRequestId);
            }
            clauses = *parsed;
        }
        QJsonArray value;
        for (const auto& [id, a] : tenant.roleAssignments) {
            if (call.now < a.visibleAt || tenant.deletedUsers.count(a.principalId))
                continue;
            bool match = true;
            for (const FilterClause& c : clauses) {
                const QString& field = c.property == QLatin1String("principalId") ? a.principalId : a.roleDefinitionId;
                match = match && field.compare(c.value, Qt::CaseInsensitive) == 0;
            }
            if (match)
                value.append(assignmentJson(a));
        }
        return ok(call, 200, QJsonObject {{"@odata.context", context}, {"value", value}});
    }
    if (segments.isEmpty() && method == "POST") {
        if (!permitted(call, kRoleWrite))
            return forbidden(call);
        SimResponse failure;
        const auto body = jsonBody(call, &failure);
        if (!body)
            return failure;
        for (auto it = body->begin(); it != body->end(); ++it) {
            static const QStringList known {"@odata.type", "roleDefinitionId", "principalId", "directoryScopeId",
                                            "appScopeId"};
            if (!known.contains(it.key()))
                return badRequest(
                    call, QStringLiteral("Request_BadRequest"),
                    QStringLiteral("Property '%1' does not exist as a declared property or extension property.")
                        .arg(it.key().left(100)));
        }
        if (body->contains("@odata.type")
            && body->value("@odata.type").toString() != QLatin1String("#microsoft.graph.unifiedRoleAssignment"))
            return badRequest(call, QStringLiteral("Request_BadRequest"), QStringLiteral("Invalid @odata.type."));
        const QString roleId = body->value("roleDefinitionId").toString().toLower();
        const QString principalId = body->value("principalId").toString().toLower();
        if (roleId.isEmpty() || roleId.size() > 64 || principalId.isEmpty() || principalId.size() > 64)
            return badRequest(call, QStringLiteral("Request_BadRequest"),
                              QStringLiteral("One or more properties contains invalid values."));
        if (!body->contains("directoryScopeId") && !body->contains("appScopeId"))
            return badRequest(call, QStringLiteral("Request_BadRequest"),
                              QStringLiteral("One of directoryScopeId or appScopeId must be specified."));
        const QString scope = body->value("directoryScopeId").toString();
        if (body->contains("appScopeId") || scope != QLatin1String("/"))
            return badRequest(call, QStringLiteral("Request_BadRequest"),
                              QStringLiteral("entra-sim models only the tenant-wide directoryScopeId '/'."));
        if (!SimState::roleDefinition(roleId))
            return notFound(call, roleId);
        // The principal must exist on this replica: a just-created user is not there yet (protocols.md 2.11).
        bool principalVisible = false;
        SimServicePrincipal* spPrincipal = nullptr;
        if (const auto it = tenant.users.find(principalId); it != tenant.users.end())
            principalVisible = it->second.visible(call.now);
        for (auto& [appId, sp] : tenant.servicePrincipals) {
            if (sp.objectId == principalId) {
                principalVisible = true;
                spPrincipal = &sp;
            }
        }
        if (!principalVisible)
            return notFound(call, principalId);
        for (const auto& [id, a] : tenant.roleAssignments) {
            if (a.principalId == principalId && a.roleDefinitionId == roleId && a.directoryScopeId == scope)
                return badRequest(call, QStringLiteral("Request_BadRequest"),
                                  QStringLiteral("A conflicting object with one or more of the specified property "
                                                 "values is present in the directory."));
        }
        auto created = m_simulator.state().assignRole(tenant.id, principalId, roleId, scope);
        if (!created)
            return error(500, QStringLiteral("generalException"), created.error().message, call.requestId,
                         call.clientRequestId);
        (*created)->visibleAt = call.now + lag(call);
        if (spPrincipal && !spPrincipal->directoryRoleTemplateIds.contains(roleId))
            spPrincipal->directoryRoleTemplateIds.append(roleId);
        QJsonObject out = assignmentJson(**created);
        out.remove("resourceScope");
        out.insert("@odata.context", context + QStringLiteral("/$entity"));
        return ok(call, 201, out);
    }
    if (segments.size() == 1 && (method == "GET" || method == "DELETE")) {
        if (!permitted(call, method == "GET" ? kRoleRead : kRoleWrite))
            return forbidden(call);
        const auto it = tenant.roleAssignments.find(segments[0]);
        if (it == tenant.roleAssignments.end() || call.now < it->second.visibleAt)
            return notFound(call, segments[0].left(100));
        if (method == "GET") {
            QJsonObject out = assignmentJson(it->second);
            out.insert("@odata.context", context + QStringLiteral("/$entity"));
            return ok(call, 200, out);
        }
        const SimRoleAssignment removed = it->second;
        tenant.roleAssignments.erase(it);
        for (auto& [appId, sp] : tenant.servicePrincipals) {
            if (sp.objectId == removed.principalId
                && !m_simulator.state().holdsRole(tenant.id, sp.objectId, removed.roleDefinitionId))
                sp.directoryRoleTemplateIds.removeAll(removed.roleDefinitionId);
        }
        return noContent(call);
    }
    if (segments.size() <= 1)
        return error(405, QStringLiteral("Request_BadRequest"),
                     QStringLiteral("Specified HTTP method is not allowed for the request target."), call.requestId,
                     call.clientRequestId);
    return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Resource not found for the segment."));
}

SimResponse GraphEndpoints::deletedItems(Call& call, const QStringList& segments)
{
    const QByteArray& method = call.request.method;
    SimTenant& tenant = *call.tenant;
    // Users past the 30-day window are gone for good.
    for (auto it = tenant.deletedUsers.begin(); it != tenant.deletedUsers.end();) {
        if (it->second.deletedAt && *it->second.deletedAt + kRecycleBinMs <= call.now)
            it = tenant.deletedUsers.erase(it);
        else
            ++it;
    }
    const QStringList all {"id",           "displayName",    "userPrincipalName",
                           "mailNickname", "accountEnabled", "deletedDateTime"};
    if (segments.size() == 1 && segments[0] == QLatin1String("microsoft.graph.user") && method == "GET") {
        if (!permitted(call, kDeletedRead))
            return forbidden(call);
        QJsonArray value;
        for (const auto& [id, user] : tenant.deletedUsers) {
            QJsonObject o = userJson(call, user, all);
            o.insert("@odata.type", "#microsoft.graph.user");
            value.append(o);
        }
        return ok(call, 200,
                  QJsonObject {{"@odata.context",
                                kGraphBase + QStringLiteral("/$metadata#directoryObjects/microsoft.graph.user")},
                               {"value", value}});
    }
    if (segments.isEmpty() || segments.size() > 2)
        return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Resource not found for the segment."));
    const QString id = segments[0].toLower();
    const bool restore = segments.size() == 2 && segments[1] == QLatin1String("restore");
    if (segments.size() == 2 && !restore)
        return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Resource not found for the segment."));
    if (restore ? method != "POST" : (method != "GET" && method != "DELETE"))
        return error(405, QStringLiteral("Request_BadRequest"),
                     QStringLiteral("Specified HTTP method is not allowed for the request target."), call.requestId,
                     call.clientRequestId);
    if (!permitted(call, method == "GET" ? kDeletedRead : kDeletedWrite))
        return forbidden(call);
    const auto it = tenant.deletedUsers.find(id);
    if (it == tenant.deletedUsers.end())
        return notFound(call, segments[0].left(100));
    if (method == "GET") {
        QJsonObject o = userJson(call, it->second, all);
        o.insert("@odata.type", "#microsoft.graph.user");
        o.insert("@odata.context", kGraphBase + QStringLiteral("/$metadata#directoryObjects/$entity"));
        return ok(call, 200, o);
    }
    if (method == "DELETE") {
        // protocols.md 2.6 / 6.4: whether app-only may purge users is configurable per tenant.
        if (!tenant.permanentDeleteAllowed)
            return forbidden(call);
        if (m_simulator.state().holdsAnyRole(tenant.id, id) && !callerMayTouchPrivileged(call))
            return forbidden(call);
        tenant.deletedUsers.erase(it);
        for (auto a = tenant.roleAssignments.begin(); a != tenant.roleAssignments.end();) {
            if (a->second.principalId == id)
                a = tenant.roleAssignments.erase(a);
            else
                ++a;
        }
        return noContent(call);
    }
    // Restore: the user comes back with its role assignments (they were only hidden).
    if (m_simulator.state().holdsAnyRole(tenant.id, id) && !callerMayTouchPrivileged(call))
        return forbidden(call);
    SimUser user = it->second;
    // Its UPN went to a new user meanwhile: Graph v1.0 restore has no way to give another one (the simulator answers
    // as a user creation would; the exact text is not in the stored docs).
    if (m_simulator.state().userByUpn(tenant.id, user.userPrincipalName))
        return badRequest(
            call, QStringLiteral("Request_BadRequest"),
            QStringLiteral("Another object with the same value for property userPrincipalName already exists."),
            QJsonArray {QJsonObject {{"target", "userPrincipalName"}, {"code", "ObjectConflict"}}});
    tenant.deletedUsers.erase(it);
    user.deletedAt.reset();
    SimUser& restored = tenant.users[user.id] = user;
    QJsonObject o = userJson(call, restored, all);
    o.insert("@odata.type", "#microsoft.graph.user");
    o.insert("@odata.context", kGraphBase + QStringLiteral("/$metadata#directoryObjects/$entity"));
    return ok(call, 200, o);
}

} // namespace stint::entrasim
