// SPDX-License-Identifier: GPL-3.0-or-later
#include "Scenarios.h"

#include "Simulator.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace stint::entrasim {

namespace {

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

} // namespace

bool loadScenario(Simulator& simulator, const QJsonObject& scenario, QString* error)
{
    SimState& state = simulator.state();
    const auto tenants = state.tenants();
    const auto apps = state.apps();
    ScenarioReader reader(simulator);
    if (reader.applyScenario(scenario))
        return true;
    state.tenants() = tenants;
    state.apps() = apps;
    if (error)
        *error = reader.error;
    return false;
}

bool loadScenarioFile(Simulator& simulator, const QString& path, QString* error)
{
    const auto failed = [error](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failed(QStringLiteral("cannot read the scenario file"));
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject())
        return failed(QStringLiteral("the scenario is not a JSON object: ") + parseError.errorString());
    QString rejected;
    if (!loadScenario(simulator, doc.object(), &rejected))
        return failed(QStringLiteral("scenario rejected: ") + rejected);
    return true;
}

ScenarioReader::ScenarioReader(Simulator& simulator)
    : m_sim(simulator)
    , m_state(simulator.state())
{
}

bool ScenarioReader::fail(const QString& message)
{
    if (error.isEmpty())
        error = message;
    return false;
}

bool ScenarioReader::finish(json::ObjectReader& reader)
{
    const auto done = reader.finish();
    return done ? true : fail(done.error().message);
}

bool ScenarioReader::applyTapPolicy(SimTapPolicy& policy, const QJsonObject& o, const QString& path)
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

bool ScenarioReader::applyTenantSettings(SimTenant& tenant, json::ObjectReader& r, const QString& path)
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

bool ScenarioReader::applyDomain(const QString& tenantId, const QJsonObject& o, const QString& path)
{
    json::ObjectReader r(o, path);
    SimDomain d;
    d.name = r.requiredString("name", 253, 3).toLower();
    d.isVerified = r.optionalBool("isVerified").value_or(true);
    d.isDefault = r.optionalBool("isDefault").value_or(false);
    d.authenticationType = r.optionalEnum("authenticationType", {"Managed", "Federated"}).value_or("Managed");
    if (!finish(r))
        return false;
    if (!d.name.contains(QLatin1Char('.')) || d.name.contains(QLatin1Char('@')) || d.name.contains(QLatin1Char('/')))
        return fail(path + QStringLiteral(".name: not a domain name"));
    const auto added = m_state.addDomain(tenantId, d);
    return added ? true : fail(path + QStringLiteral(": ") + added.error().message);
}

SimUser* ScenarioReader::applyUser(const QString& tenantId, const QJsonObject& o, const QString& path)
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

SimTenant* ScenarioReader::applyTenant(const QJsonObject& o, const QString& path)
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
        return fail(
                   path
                   + QStringLiteral(".initialDomain: letters, digits and '-' only (the part before .onmicrosoft.com)")),
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
            if (!d.isObject() || !applyDomain(tenant.id, d.toObject(), path + QStringLiteral(".domains[%1]").arg(i)))
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

SimApp* ScenarioReader::applyApp(const QJsonObject& o, const QString& path)
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

SimServicePrincipal* ScenarioReader::applyGrant(const QJsonObject& o, const QString& path)
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
    auto sp
        = m_state.grantServicePrincipal(tenant->id, clientId, permissions.value_or(app->requiredPermissions), roleIds);
    if (!sp)
        return fail(path + QStringLiteral(": ") + sp.error().message), nullptr;
    return *sp;
}

SimRoleAssignment* ScenarioReader::applyRoleAssignment(const QString& tenantId, const QJsonObject& o,
                                                       const QString& path)
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

bool ScenarioReader::parseFaults(const QJsonObject& o, QList<Action>& actions)
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

bool ScenarioReader::applyScenario(const QJsonObject& o)
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

} // namespace stint::entrasim
