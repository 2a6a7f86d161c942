// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/TenantsApi.h"

#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/connections/ConnectionChecks.h"
#include "cloud/events/EventHub.h"
#include "cloud/http/Pagination.h"
#include "cloud/http/RequestContext.h"
#include "cloud/api/GrantChange.h"
#include "cloud/policies/PolicyStore.h"
#include "cloud/tenants/TenantListAnswers.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <limits>

namespace stint::cloud::api {

namespace {
constexpr int kMaxNameLength = 200;
constexpr int kMaxNotesLength = 4000;
constexpr int kMaxRolesOffered = 50;
constexpr int kMaxRoleNameLength = 120;

// Unknown ids, malformed ids, other organizations' ids and (for technicians) tenants no policy grants them all look
// the same from outside: 404.
std::optional<models::Tenant> visibleTenant(RequestContext& ctx, const QString& tenantId, ApiError* error)
{
    *error = ApiError::notFound(QStringLiteral("tenant"));
    if (!ids::isValidId(tenantId, u"tnt"))
        return std::nullopt;
    auto tenant = tenants::loadTenant(ctx.cloud.db, ctx.caller.orgId, tenantId);
    if (!tenant) {
        *error = ctx.fail(tenant.error());
        return std::nullopt;
    }
    if (!tenant->has_value())
        return std::nullopt;
    if (!ctx.caller.isAdmin()) {
        auto granted = tenants::isGranted(ctx.cloud.db, ctx.caller.orgId, tenantId, ctx.caller.personId);
        if (!granted) {
            *error = ctx.fail(granted.error());
            return std::nullopt;
        }
        if (!*granted)
            return std::nullopt;
    }
    return *tenant;
}

// The tenant as a response shows it: with the caller's own grants there.
QJsonObject tenantJson(const models::Tenant& tenant, const QList<models::TenantGrant>& callerGrants)
{
    QJsonArray grants;
    for (const models::TenantGrant& g : callerGrants)
        grants.append(g.toJson());
    QJsonObject o = tenant.toJson();
    o.insert(QStringLiteral("myGrants"), grants);
    return o;
}

Result<QJsonObject> tenantJsonFor(RequestContext& ctx, const models::Tenant& tenant)
{
    auto mine = policies::grantsFor(ctx.cloud.db, ctx.caller.orgId, ctx.caller.personId, {&tenant});
    if (!mine)
        return mine.error();
    return tenantJson(tenant, mine->value(tenant.id));
}

// The caller's grants in the tenants of a page as JSON arrays, each distinct grant serialized once: a policy that
// covers many tenants of the page usually grants the same in each, and serializing every one was a fifth of the
// service's time serving lists.
class GrantsJson
{
public:
    QByteArray operator()(const QList<models::TenantGrant>& grants)
    {
        QByteArray out = "[";
        for (const models::TenantGrant& g : grants) {
            if (out.size() > 1)
                out += ',';
            out += serialized(g);
        }
        out += ']';
        return out;
    }

private:
    const QByteArray& serialized(const models::TenantGrant& g)
    {
        for (const auto& [grant, json] : std::as_const(m_done)) {
            if (grant == g)
                return json;
        }
        m_done.append({g, QJsonDocument(g.toJson()).toJson(QJsonDocument::Compact)});
        return m_done.constLast().second;
    }

    QList<std::pair<models::TenantGrant, QByteArray>> m_done; // few: one or two per policy naming the caller
};

// Reads one offered role; problems go to `problems`, named by their path.
std::optional<models::OfferedRole> readOfferedRole(const QJsonValue& value, const QString& path, QStringList* problems)
{
    if (!value.isObject()) {
        *problems << QStringLiteral("%1: must be an object").arg(path);
        return std::nullopt;
    }
    json::ObjectReader r(value.toObject(), path);
    const QString id = r.requiredString(QStringLiteral("roleDefinitionId"), 64);
    const auto normalized = models::normalizeRoleDefinitionId(id);
    if (!id.isEmpty() && !normalized)
        r.fail(QStringLiteral("roleDefinitionId"), QStringLiteral("must be a GUID (8-4-4-4-12 hex digits)"));
    const auto problemsBefore = r.errors().size();
    const QString name = r.requiredText(QStringLiteral("displayName"), kMaxRoleNameLength).trimmed();
    if (r.errors().size() == problemsBefore && name.isEmpty())
        r.fail(QStringLiteral("displayName"), QStringLiteral("must not be blank"));
    if (auto ok = r.finish(); !ok) {
        *problems << r.errors();
        return std::nullopt;
    }
    return models::OfferedRole{*normalized, name};
}

// Reads the admin-set fields of a connection from `raw` over `conn`.
void readConnection(const QJsonObject& raw, models::TenantConnection& conn, QStringList* problems)
{
    json::ObjectReader r(raw, QStringLiteral("connection"));
    // Set by connecting the tenant. A client may send back what it read, but cannot change it.
    if (auto status = r.optionalValue(QStringLiteral("status")); status && status->toString() != conn.status)
        r.fail(QStringLiteral("status"), QStringLiteral("is set by connecting the tenant, not through this API"));
    const QJsonValue sentEntraId = raw.value(QLatin1String("entraTenantId"));
    r.optionalValue(QStringLiteral("entraTenantId"));
    if (raw.contains(QLatin1String("entraTenantId"))
        && (sentEntraId.isNull() ? conn.entraTenantId.has_value()
                                 : sentEntraId.toString() != conn.entraTenantId.value_or(QString())))
        r.fail(QStringLiteral("entraTenantId"),
               QStringLiteral("is set by connecting the tenant, not through this API"));

    if (auto cloud = r.optionalEnum(QStringLiteral("nationalCloud"), models::kNationalClouds))
        conn.nationalCloud = *cloud;
    if (raw.contains(QLatin1String("accountDomain")) && raw.value(QLatin1String("accountDomain")).isNull()) {
        r.optionalValue(QStringLiteral("accountDomain"));
        conn.accountDomain.reset();
    } else if (auto domain = r.optionalString(QStringLiteral("accountDomain"), 253, 1)) {
        if (auto normalized = models::normalizeDomainName(*domain))
            conn.accountDomain = *normalized;
        else
            r.fail(QStringLiteral("accountDomain"), QStringLiteral("is not a domain name"));
    }
    if (auto d = r.optionalInteger(QStringLiteral("defaultDurationMinutes"), models::kMinDurationMinutes,
                                   models::kMaxDurationMinutes))
        conn.defaultDurationMinutes = int(*d);
    if (auto d = r.optionalInteger(QStringLiteral("maxDurationMinutes"), models::kMinDurationMinutes,
                                   models::kMaxDurationMinutes))
        conn.maxDurationMinutes = int(*d);
    if (auto roles = r.optionalValue(QStringLiteral("rolesOffered"))) {
        if (!roles->isArray()) {
            r.fail(QStringLiteral("rolesOffered"), QStringLiteral("must be an array of roles"));
        } else if (roles->toArray().size() > kMaxRolesOffered) {
            r.fail(QStringLiteral("rolesOffered"), QStringLiteral("must have at most %1 items").arg(kMaxRolesOffered));
        } else {
            QList<models::OfferedRole> offered;
            const QJsonArray items = roles->toArray();
            for (int i = 0; i < items.size(); ++i) {
                const QString path = QStringLiteral("connection.rolesOffered[%1]").arg(i);
                auto role = readOfferedRole(items.at(i), path, problems);
                if (!role)
                    continue;
                if (std::any_of(offered.begin(), offered.end(),
                                [&](const auto& o) { return o.roleDefinitionId == role->roleDefinitionId; }))
                    *problems << QStringLiteral("%1: role %2 is listed twice").arg(path, role->roleDefinitionId);
                else
                    offered.append(*role);
            }
            conn.rolesOffered = offered;
        }
    }
    if (auto rule = r.optionalString(QStringLiteral("accountNamingRule"), 100, 1)) {
        QString problem;
        if (auto normalized = models::accountNaming::validate(*rule, &problem))
            conn.accountNamingRule = *normalized;
        else
            r.fail(QStringLiteral("accountNamingRule"), problem);
    }
    if (auto kind = r.optionalEnum(QStringLiteral("credentialKind"), models::kCredentialKinds))
        conn.credentialKind = *kind;
    if (auto action = r.optionalEnum(QStringLiteral("expiryAction"), models::kExpiryActions))
        conn.expiryAction = *action;
    if (conn.defaultDurationMinutes > conn.maxDurationMinutes)
        r.fail(QStringLiteral("defaultDurationMinutes"),
               QStringLiteral("must not be more than maxDurationMinutes (%1)").arg(conn.maxDurationMinutes));
    if (auto ok = r.finish(); !ok)
        *problems << r.errors();
}

// Reads the admin-set fields of a tenant from `reader` over `tenant` (a new tenant's defaults, or the stored one).
void readTenant(json::ObjectReader& reader, models::Tenant& tenant, bool creating, QStringList* problems)
{
    readName(reader, creating, kMaxNameLength, &tenant.name);
    if (auto notes = reader.optionalText(QStringLiteral("notes"), kMaxNotesLength, 0, json::TextLines::Many))
        tenant.notes = *notes;
    if (auto connection = reader.optionalObject(QStringLiteral("connection")))
        readConnection(*connection, tenant.connection, problems);
}

// Finishes the outer reader and gathers its problems with those of the nested parts, in the order found.
Result<void> finishReading(json::ObjectReader& reader, const QStringList& nestedProblems)
{
    auto ok = reader.finish();
    if (ok && nestedProblems.isEmpty())
        return {};
    return makeError(QString::fromLatin1(json::kInvalid),
                     (reader.errors() + nestedProblems).join(QStringLiteral("; ")));
}

// The fields an admin sets, for finding and recording what a change changed. Notes are free text: only named.
QList<SettableField> settableFields(const models::Tenant& tenant)
{
    QList<SettableField> fields{{QStringLiteral("name"), tenant.name}, {QStringLiteral("notes"), tenant.notes, false}};
    const QJsonObject settings = tenant.connection.settingsJson();
    for (auto it = settings.constBegin(); it != settings.constEnd(); ++it)
        fields.append({QStringLiteral("connection.") + it.key(), it.value()});
    return fields;
}

// A setting the tenant's last health check shows cannot work is refused (422 with the finding): an account domain that
// is not one of its verified domains, a credential kind with Temporary Access Passes while its policy is off. Only
// what this change sets is judged, and nothing before a first check.
std::optional<ApiError> refuseAgainstLastCheck(RequestContext& ctx, const models::Tenant& stored,
                                               const models::Tenant& changed)
{
    const bool domainChanged = changed.connection.accountDomain
        && changed.connection.accountDomain != stored.connection.accountDomain;
    const bool kindChanged = changed.connection.credentialKind != stored.connection.credentialKind;
    if (!domainChanged && !kindChanged)
        return std::nullopt;
    auto findings = connections::settingsFindingsNow(ctx.cloud.db, stored.orgId, stored.id, changed.connection);
    if (!findings)
        return ctx.fail(findings.error());
    for (const entra::HealthFinding& f : *findings) {
        const bool domain = f.code == QLatin1String(connections::kDomainNotVerified);
        if (domain ? !domainChanged : !kindChanged)
            continue;
        const QString field = domain ? QStringLiteral("connection.accountDomain")
                                     : QStringLiteral("connection.credentialKind");
        return ApiError{422,
                        QStringLiteral("validation"),
                        QStringLiteral("Some fields are not valid."),
                        QStringLiteral("%1: %2").arg(field, f.message),
                        {{QStringLiteral("field"), field}, {QStringLiteral("finding"), connections::findingJson(f)}}};
    }
    return std::nullopt;
}

Reply recordChange(RequestContext& ctx, const QString& action, const QString& id, const QJsonObject& details,
                   const QString& eventType, const QJsonObject& eventData, HttpResponse response)
{
    return recordGrantChange(ctx, {action, QStringLiteral("tenant"), id, id, details, eventType, eventData},
                                       std::move(response));
}
} // namespace

Reply listTenants(RequestContext& ctx)
{
    auto page = readPageRequest(ctx);
    if (auto* e = std::get_if<ApiError>(&page))
        return *e;
    const PageRequest& pr = std::get<PageRequest>(page);
    // The same question answered while the store has not changed since is answered the same (asked before reading).
    tenants::TenantListAnswers* answers = ctx.cloud.tenantLists;
    tenants::TenantListAnswers::Ticket ticket;
    if (answers) {
        if (auto kept = answers->find(
                ctx.cloud.db, {ctx.caller.orgId, ctx.caller.personId, ctx.caller.isAdmin(), pr.afterId, pr.limit},
                &ticket))
            return HttpResponse::bytes(200, "application/json", *kept);
    }
    // Admins see every tenant of the organization; anyone else only what a policy grants them.
    const QString grantedTo = ctx.caller.isAdmin() ? QString() : ctx.caller.personId;
    auto listed = tenants::loadTenantPage(ctx.cloud.db, ctx.caller.orgId, pr.afterId, pr.limit + 1, grantedTo);
    if (!listed)
        return ctx.fail(listed.error());
    QList<const models::Tenant*> tenants;
    tenants.reserve(listed->size());
    for (const auto& t : *listed)
        tenants.append(&t->tenant);
    // The caller's grants in the tenants of this page (also an admin's: an admin may be named in policies too).
    auto mine = policies::grantsFor(ctx.cloud.db, ctx.caller.orgId, ctx.caller.personId, tenants);
    if (!mine)
        return ctx.fail(mine.error());
    // Each tenant's JSON as rendered once for everyone, with the caller's grants added: what tenantJson makes.
    GrantsJson grantsJson;
    QList<SerializedPageItem> items;
    items.reserve(listed->size());
    for (const auto& t : *listed) {
        if (items.size() == pr.limit) { // the extra one only says that there is more
            items.append({t->tenant.id, QByteArray()});
            break;
        }
        const QByteArray grants = grantsJson(mine->value(t->tenant.id));
        QByteArray json;
        json.reserve(t->json.size() + grants.size() + 16);
        Q_ASSERT(t->json.endsWith('}') && t->json.size() > 2);
        json += QByteArrayView(t->json).chopped(1);
        json += ",\"myGrants\":";
        json += grants;
        json += '}';
        items.append({t->tenant.id, std::move(json)});
    }
    HttpResponse response = serializedPageResponse(items, pr);
    if (answers)
        answers->keep(ticket, response.body);
    return response;
}

Reply createTenant(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    models::Tenant tenant;
    QStringList problems;
    json::ObjectReader reader(*body);
    readTenant(reader, tenant, true, &problems);
    if (auto ok = finishReading(reader, problems); !ok)
        return ctx.fail(ok.error());

    tenant.id = ids::newId(u"tnt");
    tenant.orgId = ctx.caller.orgId;
    tenant.createdAt = tenant.updatedAt = ctx.cloud.clock.now();
    tenant.version = 1;
    if (auto inserted = tenants::insertTenant(ctx.cloud.db, tenant); !inserted)
        return refusedWrite(ctx, inserted.error(), QStringLiteral("tenant"));
    auto out = tenantJsonFor(ctx, tenant);
    if (!out)
        return ctx.fail(out.error());
    QJsonObject details{{QStringLiteral("name"), tenant.name}};
    if (json::compact(tenant.connection.settingsJson()).size() <= kMaxAuditValuesBytes)
        details.insert(QStringLiteral("connection"), tenant.connection.settingsJson());
    return recordChange(ctx, QStringLiteral("tenant.create"), tenant.id, details, QStringLiteral("tenant.created"),
                        tenant.toJson(), HttpResponse::json(201, *out));
}

Reply getTenant(RequestContext& ctx)
{
    ApiError error;
    auto tenant = visibleTenant(ctx, ctx.param(QStringLiteral("tenantId")), &error);
    if (!tenant)
        return error;
    auto out = tenantJsonFor(ctx, *tenant);
    if (!out)
        return ctx.fail(out.error());
    return HttpResponse::json(200, *out);
}

Reply updateTenant(RequestContext& ctx)
{
    ApiError error;
    auto stored = visibleTenant(ctx, ctx.param(QStringLiteral("tenantId")), &error);
    if (!stored)
        return error;
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    models::Tenant tenant = *stored;
    QStringList problems;
    json::ObjectReader reader(*body);
    const qint64 version = reader.requiredInteger(QStringLiteral("version"), 1, std::numeric_limits<qint32>::max());
    readTenant(reader, tenant, false, &problems);
    if (auto ok = finishReading(reader, problems); !ok)
        return ctx.fail(ok.error());

    if (version != stored->version)
        return ApiError::versionConflict(QStringLiteral("tenant"), version, stored->version);
    if (tenant.connection.nationalCloud != stored->connection.nationalCloud
        && stored->connection.status != QLatin1String("not_connected"))
        return ApiError::conflict(QStringLiteral("tenant-connected"),
                                  QStringLiteral("The national cloud of a connected tenant cannot change; disconnect "
                                                 "it first."));
    if (auto refused = refuseAgainstLastCheck(ctx, *stored, tenant))
        return *refused;
    QStringList withdrawn;
    for (const QString& role : stored->connection.offeredRoleIds()) {
        if (!tenant.connection.offers(role))
            withdrawn << role;
    }
    if (!withdrawn.isEmpty()) {
        auto users = policies::policiesGrantingRoles(ctx.cloud.db, ctx.caller.orgId, tenant.id, withdrawn);
        if (!users)
            return ctx.fail(users.error());
        // A policy would silently grant less than it says; the admin changes the policies first.
        if (!users->isEmpty())
            return ApiError{409,
                            QStringLiteral("role-in-use"),
                            QStringLiteral("Conflict."),
                            QStringLiteral("Access policies still grant the roles this change withdraws: %1. Remove "
                                           "the roles from those policies first.")
                                .arg(users->join(QStringLiteral(", "))),
                            {{QStringLiteral("policies"), QJsonArray::fromStringList(*users)}}};
    }

    QStringList changed;
    const QJsonObject details = changeDetails(tenant.name, settableFields(*stored), settableFields(tenant), &changed);
    if (changed.isEmpty()) {
        // Nothing to write: the version stays, so other editors are not made to reload for nothing, and nobody is
        // told of a change. The attempt is still on the record.
        auto out = tenantJsonFor(ctx, *stored);
        if (!out)
            return ctx.fail(out.error());
        AuditEvent e = ctx.auditEvent(QStringLiteral("tenant.update"));
        e.targetType = QStringLiteral("tenant");
        e.targetId = e.tenantId = stored->id;
        e.details.insert(QStringLiteral("name"), stored->name);
        e.details.insert(QStringLiteral("changed"), QJsonArray());
        if (!ctx.audit(e))
            return ApiError::internal();
        return HttpResponse::json(200, *out);
    }
    tenant.updatedAt = ctx.cloud.clock.now();
    tenant.version = stored->version + 1;
    auto saved = tenants::saveTenant(ctx.cloud.db, tenant, stored->version);
    if (!saved)
        return refusedWrite(ctx, saved.error(), QStringLiteral("tenant"));
    if (!*saved)
        return ApiError::versionConflict(QStringLiteral("tenant"));
    auto out = tenantJsonFor(ctx, tenant);
    if (!out)
        return ctx.fail(out.error());
    return recordChange(ctx, QStringLiteral("tenant.update"), tenant.id, details,
                        QStringLiteral("tenant.updated"), tenant.toJson(), HttpResponse::json(200, *out));
}

Reply deleteTenant(RequestContext& ctx)
{
    ApiError error;
    auto tenant = visibleTenant(ctx, ctx.param(QStringLiteral("tenantId")), &error);
    if (!tenant)
        return error;
    auto open = checkouts::countOpenCheckouts(ctx.cloud.db, ctx.caller.orgId, tenant->id);
    if (!open)
        return ctx.fail(open.error());
    if (*open > 0)
        return ApiError{409,
                        QStringLiteral("checkouts-open"),
                        QStringLiteral("Conflict."),
                        QStringLiteral("%1 checkout(s) of this tenant have not ended yet; wait for them to end or "
                                       "revoke them first.")
                            .arg(*open),
                        {{QStringLiteral("openCheckouts"), *open}}};
    auto removed = tenants::removeTenant(ctx.cloud.db, ctx.caller.orgId, tenant->id);
    if (!removed)
        return ctx.fail(removed.error());
    return recordChange(ctx, QStringLiteral("tenant.delete"), tenant->id,
                        {{QStringLiteral("name"), tenant->name}, {QStringLiteral("checkoutsRemoved"), *removed}},
                        QStringLiteral("tenant.deleted"), {{QStringLiteral("id"), tenant->id}},
                        HttpResponse::noContent());
}

} // namespace stint::cloud::api
