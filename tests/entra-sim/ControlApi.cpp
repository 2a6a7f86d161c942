// SPDX-License-Identifier: GPL-3.0-or-later
#include "ControlApi.h"

#include "Scenarios.h"
#include "Simulator.h"
#include "Throttling.h"
#include "core/Json.h"

#include <QJsonArray>

namespace stint::entrasim {

namespace {

SimResponse controlError(int status, const QString& message)
{
    return SimResponse::json(status, QJsonObject {{"error", message}});
}

QJsonObject tenantStateJson(Simulator& sim, const SimTenant& t)
{
    const TimeMs now = sim.clock().now();
    const auto userJson = [&](const SimUser& u) {
        QJsonArray roles;
        for (const auto& [id, a] : t.roleAssignments) {
            if (a.principalId == u.id)
                roles.append(a.roleDefinitionId);
        }
        QJsonValue tap = QJsonValue::Null;
        if (u.tap) {
            tap = QJsonObject {{"id", u.tap->id},
                               {"startDateTime", toRfc3339(u.tap->start)},
                               {"lifetimeInMinutes", u.tap->lifetimeInMinutes},
                               {"isUsableOnce", u.tap->isUsableOnce},
                               {"used", u.tap->used}};
        }
        QJsonObject o {{"id", u.id},
                       {"userPrincipalName", u.userPrincipalName},
                       {"displayName", u.displayName},
                       {"accountEnabled", u.accountEnabled},
                       {"employeeType", u.employeeType},
                       {"roles", roles},
                       {"temporaryAccessPass", tap},
                       {"hasPassword", !u.passwordHash.isEmpty()},
                       {"passwordChangedDateTime",
                        u.passwordChangedAt ? QJsonValue(toRfc3339(u.passwordChangedAt)) : QJsonValue()},
                       {"signInSessionsValidFromDateTime", toRfc3339(u.signInSessionsValidFrom)},
                       {"createdDateTime", toRfc3339(u.createdAt)},
                       {"replicated", u.visible(now) && now >= u.accountEnabledVisibleAt}};
        if (u.deletedAt)
            o.insert("deletedDateTime", toRfc3339(*u.deletedAt));
        return o;
    };
    QJsonArray users, deleted, sps, assignments, domains;
    for (const auto& [id, u] : t.users)
        users.append(userJson(u));
    for (const auto& [id, u] : t.deletedUsers)
        deleted.append(userJson(u));
    for (const auto& [appId, sp] : t.servicePrincipals)
        sps.append(QJsonObject {{"appId", sp.appId},
                                {"objectId", sp.objectId},
                                {"permissions", QJsonArray::fromStringList(sp.grantedPermissions)},
                                {"directoryRoles", QJsonArray::fromStringList(sp.directoryRoleTemplateIds)}});
    for (const auto& [id, a] : t.roleAssignments)
        assignments.append(
            QJsonObject {{"id", a.id}, {"principalId", a.principalId}, {"roleDefinitionId", a.roleDefinitionId}});
    for (const SimDomain& d : t.domains)
        domains.append(QJsonObject {{"name", d.name},
                                    {"isVerified", d.isVerified},
                                    {"isDefault", d.isDefault},
                                    {"isInitial", d.isInitial},
                                    {"authenticationType", d.authenticationType}});
    const SimTapPolicy& p = t.tapPolicy;
    return QJsonObject {{"id", t.id},
                        {"displayName", t.displayName},
                        {"size",
                         t.size == TenantSize::L       ? "L"
                             : t.size == TenantSize::M ? "M"
                                                       : "S"},
                        {"permanentDeleteAllowed", t.permanentDeleteAllowed},
                        {"domains", domains},
                        {"tapPolicy",
                         QJsonObject {{"state", p.enabled ? "enabled" : "disabled"},
                                      {"minimumLifetimeInMinutes", p.minimumLifetimeInMinutes},
                                      {"maximumLifetimeInMinutes", p.maximumLifetimeInMinutes},
                                      {"defaultLifetimeInMinutes", p.defaultLifetimeInMinutes},
                                      {"defaultLength", p.defaultLength},
                                      {"isUsableOnce", p.isUsableOnce}}},
                        {"users", users},
                        {"deletedUsers", deleted},
                        {"servicePrincipals", sps},
                        {"roleAssignments", assignments},
                        {"throttled", sim.throttledByTenant().value(t.id)}};
}

} // namespace

ControlApi::ControlApi(Simulator& simulator)
    : m_simulator(simulator)
{
}

SimResponse ControlApi::handle(const SimRequest& request, const QString& rest)
{
    const QByteArray& method = request.method;
    const QStringList segments = rest.mid(1).split(QLatin1Char('/'));
    const QString first = segments.value(0);
    SimState& state = m_simulator.state();

    if (rest == QLatin1String("/health") && method == "GET")
        return SimResponse::json(200, QJsonObject {{"status", "ok"}});
    if (rest == QLatin1String("/reset") && method == "POST") {
        m_simulator.reset();
        return SimResponse::json(200, QJsonObject {{"status", "reset"}});
    }
    if (rest == QLatin1String("/requests")) {
        if (method == "DELETE") {
            m_simulator.clearRequests();
            return SimResponse::empty(204);
        }
        if (method != "GET")
            return controlError(405, QStringLiteral("GET or DELETE"));
        const QString tenant = request.query.queryItemValue(QStringLiteral("tenant"), QUrl::FullyDecoded);
        QJsonArray list;
        for (const LoggedRequest& entry : m_simulator.requests()) {
            if (tenant.isEmpty() || entry.tenantId == tenant)
                list.append(entry.toJson());
        }
        QJsonObject counts;
        const auto throttled = m_simulator.throttledByTenant();
        for (auto it = throttled.begin(); it != throttled.end(); ++it)
            counts.insert(it.key(), it.value());
        return SimResponse::json(200, QJsonObject {{"requests", list}, {"throttledByTenant", counts}});
    }
    if (rest == QLatin1String("/faults")) {
        if (method == "GET")
            return SimResponse::json(200, m_simulator.faults().toJson());
        if (method == "DELETE") {
            m_simulator.faults().clear();
            m_simulator.throttling().reset();
            return SimResponse::empty(204);
        }
    }
    if (method == "DELETE" && first == QLatin1String("tenants") && segments.size() == 4
        && segments[2] == QLatin1String("servicePrincipals")) {
        SimTenant* t = state.tenant(segments[1]);
        if (!t || !state.removeServicePrincipal(t->id, segments[3]))
            return controlError(404, QStringLiteral("No such service principal."));
        return SimResponse::empty(204);
    }
    if (method == "DELETE" && first == QLatin1String("apps") && segments.size() == 3
        && segments[2] == QLatin1String("secrets")) {
        SimApp* app = state.app(segments[1]);
        if (!app)
            return controlError(404, QStringLiteral("No such app."));
        app->secrets.clear(); // the token endpoint answers AADSTS7000215 to every secret from now on
        return SimResponse::empty(204);
    }
    if (method == "GET" && first == QLatin1String("tenants") && segments.size() == 1) {
        QJsonArray list;
        for (const auto& [id, t] : state.tenants())
            list.append(QJsonObject {{"id", id}, {"displayName", t.displayName}});
        return SimResponse::json(200, QJsonObject {{"tenants", list}});
    }
    if (method == "GET" && first == QLatin1String("tenants") && segments.size() == 2) {
        SimTenant* t = state.tenant(segments[1]);
        if (!t)
            return controlError(404, QStringLiteral("No such tenant."));
        return SimResponse::json(200, tenantStateJson(m_simulator, *t));
    }

    if (method != "POST" && method != "PATCH")
        return controlError(404, QStringLiteral("No such control call."));
    const auto body = json::parseObject(request.body, 1024 * 1024);
    if (!body)
        return controlError(400, body.error().message);

    if (method == "POST" && rest == QLatin1String("/scenario")) {
        QString error;
        if (!loadScenario(m_simulator, *body, &error))
            return controlError(400, error);
        return SimResponse::json(200, QJsonObject {{"status", "loaded"}});
    }

    // Every change below is checked whole before it is made; on error the snapshot is put back.
    const auto tenantsBefore = state.tenants();
    const auto appsBefore = state.apps();
    ScenarioReader reader(m_simulator);
    const auto failed = [&] {
        state.tenants() = tenantsBefore;
        state.apps() = appsBefore;
        return controlError(400, reader.error);
    };
    if (method == "POST" && rest == QLatin1String("/faults")) {
        QList<ScenarioReader::Action> actions;
        if (!reader.parseFaults(*body, actions))
            return controlError(400, reader.error);
        for (const ScenarioReader::Action& a : actions)
            a();
        return SimResponse::json(200, m_simulator.faults().toJson());
    }
    if (method == "POST" && rest == QLatin1String("/tenants")) {
        SimTenant* t = reader.applyTenant(*body, QStringLiteral("tenant"));
        if (!t)
            return failed();
        return SimResponse::json(201, tenantStateJson(m_simulator, *t));
    }
    if (method == "POST" && rest == QLatin1String("/apps")) {
        SimApp* app = reader.applyApp(*body, QStringLiteral("app"));
        if (!app)
            return failed();
        return SimResponse::json(201, QJsonObject {{"clientId", app->clientId}, {"homeTenantId", app->homeTenantId}});
    }
    if (method == "POST" && rest == QLatin1String("/grants")) {
        SimServicePrincipal* sp = reader.applyGrant(*body, QStringLiteral("grant"));
        if (!sp)
            return failed();
        return SimResponse::json(
            200, QJsonObject {{"objectId", sp->objectId}, {"appId", sp->appId}, {"tenantId", sp->tenantId}});
    }
    if (method == "POST" && rest == QLatin1String("/tokens")) {
        // An app-only token without the token endpoint, for tools and tests that only exercise Graph.
        json::ObjectReader r(*body);
        const QString tenant = r.requiredString("tenant", 256);
        const QString clientId = r.requiredString("clientId", 36, 36);
        const int acr = int(r.optionalInteger("clientAuthentication", 1, 2).value_or(1));
        if (!reader.finish(r))
            return controlError(400, reader.error);
        const QByteArray token = m_simulator.issueAppToken(tenant, clientId, acr);
        if (token.isEmpty())
            return controlError(400, QStringLiteral("No service principal for this app in this tenant."));
        return SimResponse::json(200,
                                 QJsonObject {{"token_type", "Bearer"},
                                              {"expires_in", m_simulator.tokens().lifetimeSeconds()},
                                              {"access_token", QString::fromLatin1(token)}});
    }
    if (first == QLatin1String("tenants") && segments.size() >= 2) {
        SimTenant* t = state.tenant(segments[1]);
        if (!t)
            return controlError(404, QStringLiteral("No such tenant."));
        if (method == "PATCH" && segments.size() == 2) {
            json::ObjectReader r(*body, QStringLiteral("tenant"));
            SimTenant copy = *t;
            if (!reader.applyTenantSettings(copy, r, QStringLiteral("tenant")) || !reader.finish(r))
                return controlError(400, reader.error);
            *t = copy;
            return SimResponse::json(200, tenantStateJson(m_simulator, *t));
        }
        if (method == "POST" && segments.size() == 3 && segments[2] == QLatin1String("domains")) {
            if (!reader.applyDomain(t->id, *body, QStringLiteral("domain")))
                return failed();
            return SimResponse::json(201, tenantStateJson(m_simulator, *state.tenant(segments[1])));
        }
        if (method == "POST" && segments.size() == 3 && segments[2] == QLatin1String("users")) {
            SimUser* u = reader.applyUser(t->id, *body, QStringLiteral("user"));
            if (!u)
                return failed();
            return SimResponse::json(201, QJsonObject {{"id", u->id}, {"userPrincipalName", u->userPrincipalName}});
        }
        if (method == "POST" && segments.size() == 3 && segments[2] == QLatin1String("roleAssignments")) {
            SimRoleAssignment* a = reader.applyRoleAssignment(t->id, *body, QStringLiteral("roleAssignment"));
            if (!a)
                return failed();
            return SimResponse::json(201,
                                     QJsonObject {{"id", a->id},
                                                  {"principalId", a->principalId},
                                                  {"roleDefinitionId", a->roleDefinitionId}});
        }
    }
    return controlError(404, QStringLiteral("No such control call."));
}

} // namespace stint::entrasim
