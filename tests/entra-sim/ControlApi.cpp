// SPDX-License-Identifier: GPL-3.0-or-later
#include "ControlApi.h"

#include "Simulator.h"
#include "Throttling.h"
#include "core/Json.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <functional>

namespace stint::entrasim {

namespace {

using Action = std::function<void()>;

QString resolveRole(const QString& nameOrId)
{
    for (const SimRoleDefinition& r : SimState::roleDefinitions()) {
        if (r.templateId.compare(nameOrId, Qt::CaseInsensitive) == 0
            || r.displayName.compare(nameOrId, Qt::CaseInsensitive) == 0)
            return r.templateId;
    }
    return {};
}

bool isGuid(const QString& text)
{
    static const QRegularExpression re(
        QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    return re.match(text).hasMatch();
}

SimResponse controlError(int status, const QString& message)
{
    return SimResponse::json(status, QJsonObject {{"error", message}});
}

} // namespace

// Reads the control/scenario JSON into changes. Each apply* checks its input completely before changing the state,
// and a scenario is applied on a snapshot that is put back on any error: bad input changes nothing.
class ControlReader
{
public:
    explicit ControlReader(Simulator& simulator)
        : m_sim(simulator)
        , m_state(simulator.state())
    {
    }

    QString error;

    bool fail(const QString& message)
    {
        if (error.isEmpty())
            error = message;
        return false;
    }
    bool finish(json::ObjectReader& reader)
    {
        const auto done = reader.finish();
        return done ? true : fail(done.error().message);
    }

    bool applyTapPolicy(SimTapPolicy& policy, const QJsonObject& o, const QString& path)
    {
        json::ObjectReader r(o, path);
        SimTapPolicy p = policy;
        if (const auto state = r.optionalEnum("state", {"enabled", "disabled"}))
            p.enabled = *state == QLatin1String("enabled");
        if (const auto v = r.optionalInteger("minimumLifetimeInMinutes", 10, 43200))
            p.minimumLifetimeInMinutes = int(*v);
        if (const auto v = r.optionalInteger("maximumLifetimeInMinutes", 10, 43200))
            p.maximumLifetimeInMinutes = int(*v);
        if (const auto v = r.optionalInteger("defaultLifetimeInMinutes", 10, 43200))
            p.defaultLifetimeInMinutes = int(*v);
        if (const auto v = r.optionalInteger("defaultLength", 8, 48))
            p.defaultLength = int(*v);
        if (const auto v = r.optionalBool("isUsableOnce"))
            p.isUsableOnce = *v;
        if (!finish(r))
            return false;
        if (p.minimumLifetimeInMinutes > p.maximumLifetimeInMinutes
            || p.defaultLifetimeInMinutes < p.minimumLifetimeInMinutes
            || p.defaultLifetimeInMinutes > p.maximumLifetimeInMinutes)
            return fail(path + QStringLiteral(": lifetimes must satisfy minimum <= default <= maximum"));
        policy = p;
        return true;
    }

    bool applyTenantSettings(SimTenant& tenant, json::ObjectReader& r, const QString& path)
    {
        if (const auto size = r.optionalEnum("size", {"S", "M", "L"}))
            tenant.size = *size == QLatin1String("L") ? TenantSize::L
                : *size == QLatin1String("M")         ? TenantSize::M
                                                      : TenantSize::S;
        if (const auto v = r.optionalBool("permanentDeleteAllowed"))
            tenant.permanentDeleteAllowed = *v;
        if (const auto v = r.optionalString("displayName", 256, 1))
            tenant.displayName = *v;
        if (const auto policy = r.optionalObject("tapPolicy")) {
            if (!applyTapPolicy(tenant.tapPolicy, *policy, path + QStringLiteral(".tapPolicy")))
                return false;
        }
        return true;
    }

    bool applyDomain(const QString& tenantId, const QJsonObject& o, const QString& path)
    {
        json::ObjectReader r(o, path);
        SimDomain d;
        d.name = r.requiredString("name", 253, 3).toLower();
        d.isVerified = r.optionalBool("isVerified").value_or(true);
        d.isDefault = r.optionalBool("isDefault").value_or(false);
        d.authenticationType = r.optionalEnum("authenticationType", {"Managed", "Federated"}).value_or("Managed");
        if (!finish(r))
            return false;
        if (!d.name.contains(QLatin1Char('.')) || d.name.contains(QLatin1Char('@'))
            || d.name.contains(QLatin1Char('/')))
            return fail(path + QStringLiteral(".name: not a domain name"));
        const auto added = m_state.addDomain(tenantId, d);
        return added ? true : fail(path + QStringLiteral(": ") + added.error().message);
    }

    SimUser* applyUser(const QString& tenantId, const QJsonObject& o, const QString& path)
    {
        json::ObjectReader r(o, path);
        const QString upn = r.requiredString("userPrincipalName", 113, 3);
        const QString displayName = r.optionalString("displayName", 256, 1).value_or(upn.section('@', 0, 0));
        const QString password = r.optionalString("password", 256, 1).value_or(QString());
        const bool enabled = r.optionalBool("accountEnabled").value_or(true);
        const QString employeeType = r.optionalString("employeeType", 64).value_or(QString());
        const QStringList roles = r.optionalStringList("roles", 50, 100).value_or(QStringList());
        const QString id = r.optionalString("id", 36, 36).value_or(QString());
        if (!finish(r))
            return nullptr;
        if (!id.isEmpty() && !isGuid(id)) {
            fail(path + QStringLiteral(".id: must be a GUID"));
            return nullptr;
        }
        SimTenant* tenant = m_state.tenant(tenantId);
        const qsizetype at = upn.indexOf('@');
        if (at <= 0 || !tenant || !tenant->domain(upn.mid(at + 1))) {
            fail(path + QStringLiteral(".userPrincipalName: the domain must belong to the tenant"));
            return nullptr;
        }
        QStringList roleIds;
        for (const QString& role : roles) {
            const QString roleId = resolveRole(role);
            if (roleId.isEmpty()) {
                fail(path + QStringLiteral(".roles: unknown role '%1'").arg(role));
                return nullptr;
            }
            roleIds.append(roleId);
        }
        auto created = m_state.createUser(tenantId, upn, displayName, password, enabled);
        if (!created) {
            fail(path + QStringLiteral(": ") + created.error().message);
            return nullptr;
        }
        SimUser* user = *created;
        user->employeeType = employeeType;
        if (!id.isEmpty()) {
            SimUser copy = *user;
            tenant->users.erase(copy.id);
            copy.id = id.toLower();
            if (tenant->users.count(copy.id)) {
                fail(path + QStringLiteral(".id: taken"));
                return nullptr;
            }
            user = &(tenant->users[copy.id] = copy);
        }
        for (const QString& roleId : roleIds)
            (void)m_state.assignRole(tenantId, user->id, roleId);
        return user;
    }

    SimTenant* applyTenant(const QJsonObject& o, const QString& path)
    {
        json::ObjectReader r(o, path);
        const QString displayName = r.requiredString("displayName", 256, 1);
        const QString initial = r.requiredString("initialDomain", 27, 2).toLower();
        const QString id = r.optionalString("id", 36, 36).value_or(QString());
        const auto domains = r.optionalValue("domains");
        const auto users = r.optionalValue("users");
        if (r.hasErrors())
            return finish(r), nullptr;
        static const QRegularExpression prefix(QStringLiteral("^[a-z0-9][a-z0-9-]*$"));
        if (!prefix.match(initial).hasMatch())
            return fail(path
                        + QStringLiteral(
                            ".initialDomain: letters, digits and '-' only (the part before .onmicrosoft.com)")),
                   nullptr;
        if (!id.isEmpty() && !isGuid(id))
            return fail(path + QStringLiteral(".id: must be a GUID")), nullptr;
        if (!id.isEmpty() && m_state.tenant(id))
            return fail(path + QStringLiteral(".id: a tenant with this id exists")), nullptr;
        if (m_state.tenant(initial + QStringLiteral(".onmicrosoft.com")))
            return fail(path + QStringLiteral(".initialDomain: taken")), nullptr;
        SimTenant& tenant = m_state.createTenant(displayName, initial, id);
        if (!applyTenantSettings(tenant, r, path) || !finish(r))
            return nullptr;
        if (domains) {
            if (!domains->isArray())
                return fail(path + QStringLiteral(".domains: must be an array")), nullptr;
            int i = 0;
            for (const QJsonValue& d : domains->toArray()) {
                if (!d.isObject()
                    || !applyDomain(tenant.id, d.toObject(), path + QStringLiteral(".domains[%1]").arg(i)))
                    return fail(path + QStringLiteral(".domains[%1]: must be an object").arg(i)), nullptr;
                ++i;
            }
        }
        if (users) {
            if (!users->isArray())
                return fail(path + QStringLiteral(".users: must be an array")), nullptr;
            int i = 0;
            for (const QJsonValue& u : users->toArray()) {
                if (!u.isObject())
                    return fail(path + QStringLiteral(".users[%1]: must be an object").arg(i)), nullptr;
                if (!applyUser(tenant.id, u.toObject(), path + QStringLiteral(".users[%1]").arg(i)))
                    return nullptr;
                ++i;
            }
        }
        return &tenant;
    }

    SimApp* applyApp(const QJsonObject& o, const QString& path)
    {
        json::ObjectReader r(o, path);
        const QString clientId = r.optionalString("clientId", 36, 36).value_or(QString());
        const QString home = r.requiredString("homeTenant", 256, 1);
        const QString displayName = r.requiredString("displayName", 256, 1);
        const QStringList permissions = r.optionalStringList("requiredPermissions", 100, 100).value_or(QStringList());
        const QStringList redirectUris = r.optionalStringList("redirectUris", 50, 2048).value_or(QStringList());
        const QStringList certificates = r.optionalStringList("certificates", 10, 16384).value_or(QStringList());
        const bool multiTenant = r.optionalBool("multiTenant").value_or(true);
        const auto secrets = r.optionalValue("secrets");
        if (!finish(r))
            return nullptr;
        if (!clientId.isEmpty() && !isGuid(clientId))
            return fail(path + QStringLiteral(".clientId: must be a GUID")), nullptr;
        if (!clientId.isEmpty() && m_state.app(clientId))
            return fail(path + QStringLiteral(".clientId: an app with this client id exists")), nullptr;
        SimTenant* tenant = m_state.tenant(home);
        if (!tenant)
            return fail(path + QStringLiteral(".homeTenant: unknown tenant")), nullptr;
        for (const QString& pem : certificates) {
            if (!pem.startsWith(QLatin1String("-----BEGIN CERTIFICATE-----")))
                return fail(path + QStringLiteral(".certificates: PEM certificates expected")), nullptr;
        }
        struct Secret
        {
            QString value;
            TimeMs end;
        };
        QList<Secret> parsedSecrets;
        if (secrets) {
            if (!secrets->isArray())
                return fail(path + QStringLiteral(".secrets: must be an array")), nullptr;
            int i = 0;
            for (const QJsonValue& s : secrets->toArray()) {
                json::ObjectReader sr(s.toObject(), path + QStringLiteral(".secrets[%1]").arg(i++));
                if (!s.isObject())
                    return fail(path + QStringLiteral(".secrets: objects expected")), nullptr;
                const QString value = sr.requiredString("value", 256, 8);
                const QString end = sr.optionalString("endDateTime", 40).value_or(QString());
                if (!finish(sr))
                    return nullptr;
                TimeMs endMs = m_sim.clock().now() + 2LL * 365 * 24 * 3600 * 1000;
                if (!end.isEmpty()) {
                    const auto parsed = fromRfc3339(end);
                    if (!parsed)
                        return fail(path + QStringLiteral(".secrets: endDateTime must be RFC 3339")), nullptr;
                    endMs = *parsed;
                }
                parsedSecrets.append({value, endMs});
            }
        }
        SimApp& app = m_state.registerApp(tenant->id, displayName, permissions, clientId);
        app.redirectUris = redirectUris;
        app.multiTenant = multiTenant;
        for (const QString& pem : certificates)
            app.certificatePems.append(pem.toLatin1());
        for (Secret& s : parsedSecrets) {
            m_state.addClientSecret(app, s.value, s.end);
            s.value.fill(QLatin1Char('\0'));
        }
        return &app;
    }

    SimServicePrincipal* applyGrant(const QJsonObject& o, const QString& path)
    {
        json::ObjectReader r(o, path);
        const QString tenantKey = r.requiredString("tenant", 256, 1);
        const QString clientId = r.requiredString("clientId", 36, 36);
        const auto permissions = r.optionalStringList("permissions", 100, 100);
        const QStringList roles = r.optionalStringList("directoryRoles", 50, 100).value_or(QStringList());
        if (!finish(r))
            return nullptr;
        SimTenant* tenant = m_state.tenant(tenantKey);
        if (!tenant)
            return fail(path + QStringLiteral(".tenant: unknown tenant")), nullptr;
        SimApp* app = m_state.app(clientId);
        if (!app)
            return fail(path + QStringLiteral(".clientId: unknown app")), nullptr;
        QStringList roleIds;
        for (const QString& role : roles) {
            const QString id = resolveRole(role);
            if (id.isEmpty())
                return fail(path + QStringLiteral(".directoryRoles: unknown role '%1'").arg(role)), nullptr;
            roleIds.append(id);
        }
        auto sp = m_state.grantServicePrincipal(tenant->id, clientId, permissions.value_or(app->requiredPermissions),
                                                roleIds);
        if (!sp)
            return fail(path + QStringLiteral(": ") + sp.error().message), nullptr;
        return *sp;
    }

    SimRoleAssignment* applyRoleAssignment(const QString& tenantId, const QJsonObject& o, const QString& path)
    {
        json::ObjectReader r(o, path);
        const QString principalId = r.optionalString("principalId", 36, 36).value_or(QString());
        const QString upn = r.optionalString("userPrincipalName", 113, 3).value_or(QString());
        const QString role = r.requiredString("role", 100, 1);
        if (!finish(r))
            return nullptr;
        QString principal = principalId;
        if (principal.isEmpty() && !upn.isEmpty()) {
            SimUser* user = m_state.userByUpn(tenantId, upn);
            if (!user)
                return fail(path + QStringLiteral(".userPrincipalName: no such user")), nullptr;
            principal = user->id;
        }
        if (principal.isEmpty())
            return fail(path + QStringLiteral(": principalId or userPrincipalName is required")), nullptr;
        const QString roleId = resolveRole(role);
        if (roleId.isEmpty())
            return fail(path + QStringLiteral(".role: unknown role")), nullptr;
        auto a = m_state.assignRole(tenantId, principal, roleId);
        if (!a)
            return fail(path + QStringLiteral(": ") + a.error().message), nullptr;
        return *a;
    }

    // Faults are parsed into actions and applied only once everything else succeeded.
    bool parseFaults(const QJsonObject& o, QList<Action>& actions)
    {
        Faults& faults = m_sim.faults();
        json::ObjectReader r(o, QStringLiteral("faults"));
        const auto scopeOf = [this](json::ObjectReader& sr) {
            FaultScope scope;
            scope.pathPrefix = sr.optionalString("pathPrefix", 500).value_or(QString());
            const QString tenant = sr.optionalString("tenant", 256).value_or(QString());
            if (!tenant.isEmpty()) {
                SimTenant* t = m_state.tenant(tenant);
                if (!t)
                    sr.fail("tenant", QStringLiteral("unknown tenant"));
                else
                    scope.tenantId = t->id;
            }
            return scope;
        };
        if (const auto v = r.optionalObject("failNext")) {
            json::ObjectReader sr(*v, QStringLiteral("faults.failNext"));
            const int count = int(sr.requiredInteger("count", 1, 1'000'000));
            const int status = int(sr.optionalInteger("status", 500, 504).value_or(503));
            const FaultScope scope = scopeOf(sr);
            if (!finish(sr))
                return false;
            actions.append([&faults, count, status, scope] { faults.failNext(count, status, scope); });
        }
        if (const auto v = r.optionalObject("failureRate")) {
            json::ObjectReader sr(*v, QStringLiteral("faults.failureRate"));
            const qint64 permille = sr.requiredInteger("permille", 0, 1000);
            const quint32 seed = quint32(sr.optionalInteger("seed", 0, 0xffffffffLL).value_or(1));
            const int status = int(sr.optionalInteger("status", 500, 504).value_or(503));
            const FaultScope scope = scopeOf(sr);
            if (!finish(sr))
                return false;
            actions.append([&faults, permille, seed, status, scope] {
                faults.setFailureRate(double(permille) / 1000.0, seed, status, scope);
            });
        }
        if (const auto v = r.optionalObject("latency")) {
            json::ObjectReader sr(*v, QStringLiteral("faults.latency"));
            const int ms = int(sr.requiredInteger("ms", 0, 600'000));
            const FaultScope scope = scopeOf(sr);
            if (!finish(sr))
                return false;
            actions.append([&faults, ms, scope] { faults.setLatency(ms, scope); });
        }
        if (const auto v = r.optionalObject("dropNext")) {
            json::ObjectReader sr(*v, QStringLiteral("faults.dropNext"));
            const int count = int(sr.requiredInteger("count", 1, 1'000'000));
            const FaultScope scope = scopeOf(sr);
            if (!finish(sr))
                return false;
            actions.append([&faults, count, scope] { faults.dropNext(count, scope); });
        }
        if (const auto v = r.optionalObject("throttleNext")) {
            json::ObjectReader sr(*v, QStringLiteral("faults.throttleNext"));
            const int count = int(sr.requiredInteger("count", 1, 1'000'000));
            const int retryAfter = int(sr.optionalInteger("retryAfterSeconds", 0, 3600).value_or(1));
            const FaultScope scope = scopeOf(sr);
            if (!finish(sr))
                return false;
            actions.append([&faults, count, retryAfter, scope] { faults.throttleNext(count, retryAfter, scope); });
        }
        if (const auto v = r.optionalObject("replicationLag")) {
            json::ObjectReader sr(*v, QStringLiteral("faults.replicationLag"));
            const qint64 ms = sr.requiredInteger("ms", 0, 3'600'000);
            const FaultScope scope = scopeOf(sr);
            if (!finish(sr))
                return false;
            if (!scope.pathPrefix.isEmpty())
                return fail(QStringLiteral("faults.replicationLag: scoped by tenant only"));
            actions.append([&faults, ms, scope] { faults.setReplicationLag(ms, scope.tenantId); });
        }
        if (const auto v = r.optionalInteger("throttleScalePermille", 1, 1'000'000))
            actions.append([&faults, p = *v] { faults.setThrottleScale(double(p) / 1000.0); });
        if (const auto v = r.optionalInteger("tokenLifetimeSeconds", 1, 86'400))
            actions.append([&faults, s = int(*v)] { faults.setTokenLifetimeSeconds(s); });
        if (r.optionalBool("expireTokens").value_or(false))
            actions.append([&faults] { faults.expireAllTokens(); });
        return finish(r);
    }

    bool applyScenario(const QJsonObject& o)
    {
        json::ObjectReader r(o);
        const auto tenants = r.optionalValue("tenants");
        const auto apps = r.optionalValue("apps");
        const auto grants = r.optionalValue("grants");
        const auto faults = r.optionalObject("faults");
        r.optionalString("description", 10'000);
        if (!finish(r))
            return false;
        const auto each = [this](const std::optional<QJsonValue>& list, const QString& name,
                                 const std::function<bool(const QJsonObject&, const QString&)>& apply) {
            if (!list)
                return true;
            if (!list->isArray())
                return fail(name + QStringLiteral(": must be an array"));
            int i = 0;
            for (const QJsonValue& v : list->toArray()) {
                const QString path = name + QStringLiteral("[%1]").arg(i++);
                if (!v.isObject())
                    return fail(path + QStringLiteral(": must be an object"));
                if (!apply(v.toObject(), path))
                    return false;
            }
            return true;
        };
        QList<Action> faultActions;
        if (faults && !parseFaults(*faults, faultActions))
            return false;
        const bool done = each(tenants, QStringLiteral("tenants"),
                               [this](const QJsonObject& t, const QString& p) { return applyTenant(t, p) != nullptr; })
            && each(apps, QStringLiteral("apps"),
                    [this](const QJsonObject& a, const QString& p) { return applyApp(a, p) != nullptr; })
            && each(grants, QStringLiteral("grants"),
                    [this](const QJsonObject& g, const QString& p) { return applyGrant(g, p) != nullptr; });
        if (!done)
            return false;
        for (const Action& a : faultActions)
            a();
        return true;
    }

private:
    Simulator& m_sim;
    SimState& m_state;
};

ControlApi::ControlApi(Simulator& simulator)
    : m_simulator(simulator)
{
}

bool ControlApi::loadScenario(const QJsonObject& scenario, QString* error)
{
    // All or nothing: work on the live state, put the snapshot back on any error.
    SimState& state = m_simulator.state();
    const auto tenants = state.tenants();
    const auto apps = state.apps();
    ControlReader reader(m_simulator);
    if (reader.applyScenario(scenario))
        return true;
    state.tenants() = tenants;
    state.apps() = apps;
    if (error)
        *error = reader.error;
    return false;
}

namespace {

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

    // Every change below is checked whole before it is made; on error the snapshot is put back.
    const auto tenantsBefore = state.tenants();
    const auto appsBefore = state.apps();
    ControlReader reader(m_simulator);
    const auto failed = [&] {
        state.tenants() = tenantsBefore;
        state.apps() = appsBefore;
        return controlError(400, reader.error);
    };

    if (method == "POST" && rest == QLatin1String("/scenario")) {
        if (!reader.applyScenario(*body))
            return failed();
        return SimResponse::json(200, QJsonObject {{"status", "loaded"}});
    }
    if (method == "POST" && rest == QLatin1String("/faults")) {
        QList<Action> actions;
        if (!reader.parseFaults(*body, actions))
            return controlError(400, reader.error);
        for (const Action& a : actions)
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
