// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/PoliciesApi.h"

#include "cloud/directory/DirectoryStore.h"
#include "cloud/events/EventHub.h"
#include "cloud/http/Pagination.h"
#include "cloud/http/RequestContext.h"
#include "cloud/api/GrantChange.h"
#include "cloud/policies/PolicyStore.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"

#include <QJsonArray>

#include <limits>
#include <tuple>

namespace stint::cloud::api {

namespace {
constexpr int kMaxNameLength = 200;
constexpr int kMaxDescriptionLength = 2000;
constexpr int kMaxTenants = 200;
constexpr int kMaxSubjects = 500;
constexpr int kMaxRoles = 50;

ApiError validationError(const QStringList& problems)
{
    return {422,
            QStringLiteral("validation"),
            QStringLiteral("Some fields are not valid."),
            problems.join(QStringLiteral("; ")),
            {}};
}

// Unknown ids, malformed ids and other organizations' ids all look the same from outside: 404.
std::optional<models::Policy> policyInOrg(RequestContext& ctx, const QString& policyId, ApiError* error)
{
    *error = ApiError::notFound(QStringLiteral("policy"));
    if (!ids::isValidId(policyId, u"pol"))
        return std::nullopt;
    auto policy = policies::loadPolicy(ctx.cloud.db, ctx.caller.orgId, policyId);
    if (!policy) {
        *error = ctx.fail(policy.error());
        return std::nullopt;
    }
    return *policy;
}

QStringList sortedUnique(QStringList list)
{
    list.sort();
    list.removeDuplicates();
    return list;
}

// Reads the subjects array; problems go to `problems`, named by their path.
std::optional<QList<models::PolicySubject>> readSubjects(const QJsonValue& value, QStringList* problems)
{
    if (!value.isArray()) {
        *problems << QStringLiteral("subjects: must be an array of {type, id} objects");
        return std::nullopt;
    }
    const QJsonArray items = value.toArray();
    if (items.size() > kMaxSubjects) {
        *problems << QStringLiteral("subjects: must have at most %1 items").arg(kMaxSubjects);
        return std::nullopt;
    }
    QList<models::PolicySubject> subjects;
    bool ok = true;
    for (int i = 0; i < items.size(); ++i) {
        const QString path = QStringLiteral("subjects[%1]").arg(i);
        if (!items.at(i).isObject()) {
            *problems << QStringLiteral("%1: must be an object").arg(path);
            ok = false;
            continue;
        }
        json::ObjectReader r(items.at(i).toObject(), path);
        const QString type = r.requiredEnum(QStringLiteral("type"), models::kSubjectTypes);
        const QString id = r.requiredString(QStringLiteral("id"), 64);
        if (auto finished = r.finish(); !finished) {
            *problems << r.errors();
            ok = false;
            continue;
        }
        const models::PolicySubject subject{type, id};
        if (!subjects.contains(subject))
            subjects.append(subject);
    }
    if (!ok)
        return std::nullopt;
    std::sort(subjects.begin(), subjects.end(),
              [](const auto& a, const auto& b) { return std::tie(a.type, a.id) < std::tie(b.type, b.id); });
    return subjects;
}

// Reads the admin-set fields of a policy over `policy` (defaults for a new one, the stored one for an update).
// `maxDurationGiven` tells whether the body set the maximum duration (a new policy otherwise takes its tenants').
void readPolicy(json::ObjectReader& reader, models::Policy& policy, bool creating, bool* maxDurationGiven,
                QStringList* problems)
{
    readName(reader, creating, kMaxNameLength, &policy.name);
    if (auto description = reader.optionalText(QStringLiteral("description"), kMaxDescriptionLength, 0, json::TextLines::Many))
        policy.description = *description;

    // optionalStringList answers nullopt both for a missing list and for a wrong one (which it reports itself).
    auto problemCount = reader.errors().size();
    auto tenantIds = reader.optionalStringList(QStringLiteral("tenantIds"), kMaxTenants, 64);
    if (tenantIds) {
        if (tenantIds->isEmpty())
            reader.fail(QStringLiteral("tenantIds"), QStringLiteral("must name at least one tenant"));
        policy.tenantIds = sortedUnique(*tenantIds);
    } else if (creating && reader.errors().size() == problemCount) {
        reader.fail(QStringLiteral("tenantIds"), QStringLiteral("is required"));
    }

    if (auto subjects = reader.optionalValue(QStringLiteral("subjects"))) {
        if (auto read = readSubjects(*subjects, problems))
            policy.subjects = *read;
    }

    problemCount = reader.errors().size();
    auto roles = reader.optionalStringList(QStringLiteral("roleDefinitionIds"), kMaxRoles, 64);
    if (roles) {
        QStringList normalized;
        for (const QString& role : *roles) {
            if (auto id = models::normalizeRoleDefinitionId(role))
                normalized << *id;
            else
                reader.fail(QStringLiteral("roleDefinitionIds"),
                            QStringLiteral("'%1' is not a GUID (8-4-4-4-12 hex digits)").arg(role.left(64)));
        }
        if (roles->isEmpty())
            reader.fail(QStringLiteral("roleDefinitionIds"), QStringLiteral("must name at least one role"));
        policy.roleDefinitionIds = sortedUnique(normalized);
    } else if (creating && reader.errors().size() == problemCount) {
        reader.fail(QStringLiteral("roleDefinitionIds"), QStringLiteral("is required"));
    }

    auto maxDuration = reader.optionalInteger(QStringLiteral("maxDurationMinutes"), models::kMinDurationMinutes,
                                              models::kMaxDurationMinutes);
    *maxDurationGiven = maxDuration.has_value();
    if (maxDuration)
        policy.maxDurationMinutes = int(*maxDuration);
    if (auto b = reader.optionalBool(QStringLiteral("requireJustification")))
        policy.requireJustification = *b;
    if (auto b = reader.optionalBool(QStringLiteral("requireTicket")))
        policy.requireTicket = *b;
    if (auto b = reader.optionalBool(QStringLiteral("requireApproval")))
        policy.requireApproval = *b;
}

// Checks what the policy refers to: its tenants, people and groups belong to the caller's organization, every role
// is offered by every tenant, and the maximum duration fits every tenant. Without `maxDurationGiven` on a new policy,
// the maximum becomes the shortest of its tenants'. Returns the problems found (none: the policy is valid).
Result<QStringList> checkReferences(RequestContext& ctx, models::Policy& policy, bool defaultMaxDuration)
{
    QStringList problems;
    QList<models::Tenant> tenants;
    for (const QString& id : policy.tenantIds) {
        std::optional<models::Tenant> tenant;
        if (ids::isValidId(id, u"tnt")) {
            auto loaded = tenants::loadTenant(ctx.cloud.db, ctx.caller.orgId, id);
            if (!loaded)
                return loaded.error();
            tenant = *loaded;
        }
        if (tenant)
            tenants.append(*tenant);
        else
            problems << QStringLiteral("tenantIds: no tenant %1 in this organization").arg(id.left(64));
    }
    for (const models::PolicySubject& s : policy.subjects) {
        bool exists = false;
        if (s.type == QLatin1String("person") && ids::isValidId(s.id, u"per")) {
            auto person = directory::loadPerson(ctx.cloud.db, ctx.caller.orgId, s.id);
            if (!person)
                return person.error();
            exists = person->has_value();
        } else if (s.type == QLatin1String("group") && ids::isValidId(s.id, u"grp")) {
            auto group = directory::groupExists(ctx.cloud.db, ctx.caller.orgId, s.id);
            if (!group)
                return group.error();
            exists = *group;
        }
        if (!exists)
            problems << QStringLiteral("subjects: no %1 %2 in this organization").arg(s.type, s.id.left(64));
    }
    if (defaultMaxDuration && !tenants.isEmpty()) {
        policy.maxDurationMinutes = models::kMaxDurationMinutes;
        for (const models::Tenant& t : tenants)
            policy.maxDurationMinutes = std::min(policy.maxDurationMinutes, t.connection.maxDurationMinutes);
    }
    for (const models::Tenant& t : tenants) {
        for (const QString& role : policy.roleDefinitionIds) {
            if (!t.connection.offers(role))
                problems
                    << QStringLiteral("roleDefinitionIds: %1 is not offered by tenant %2 (%3)").arg(role, t.name, t.id);
        }
        if (policy.maxDurationMinutes > t.connection.maxDurationMinutes)
            problems << QStringLiteral("maxDurationMinutes: must be at most %1, the maximum of tenant %2 (%3)")
                            .arg(t.connection.maxDurationMinutes)
                            .arg(t.name, t.id);
    }
    return problems;
}

// The fields an admin sets, for finding and recording what a change changed.
QList<SettableField> settableFields(const models::Policy& p)
{
    QJsonObject o = p.toJson();
    for (const auto* key : {"id", "createdAt", "updatedAt", "version"})
        o.remove(QLatin1String(key));
    QList<SettableField> fields;
    for (auto it = o.constBegin(); it != o.constEnd(); ++it)
        fields.append({it.key(), it.value()});
    return fields;
}

QJsonObject changeDetails(const models::Policy& before, const models::Policy& after, QStringList* changed)
{
    return changeDetails(after.name, settableFields(before), settableFields(after), changed);
}

Reply recordChange(RequestContext& ctx, const QString& action, const QString& id, const QJsonObject& details,
                   const QString& eventType, const QJsonObject& eventData, HttpResponse response)
{
    return recordGrantChange(ctx, {action, QStringLiteral("policy"), id, QString(), details, eventType, eventData},
                                       std::move(response));
}
} // namespace

Reply listPolicies(RequestContext& ctx)
{
    auto page = readPageRequest(ctx);
    if (auto* e = std::get_if<ApiError>(&page))
        return *e;
    const PageRequest& pr = std::get<PageRequest>(page);
    auto loaded = policies::loadPolicies(ctx.cloud.db, ctx.caller.orgId, pr.afterId, pr.limit + 1);
    if (!loaded)
        return ctx.fail(loaded.error());
    QList<PageItem> items;
    for (const models::Policy& p : *loaded)
        items.append({p.id, p.toJson()});
    return pageResponse(items, pr);
}

Reply createPolicy(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    models::Policy policy;
    QStringList problems;
    bool maxDurationGiven = false;
    json::ObjectReader reader(*body);
    readPolicy(reader, policy, true, &maxDurationGiven, &problems);
    if (auto ok = reader.finish(); !ok || !problems.isEmpty())
        return validationError(reader.errors() + problems);
    auto references = checkReferences(ctx, policy, !maxDurationGiven);
    if (!references)
        return ctx.fail(references.error());
    if (!references->isEmpty())
        return validationError(*references);

    policy.id = ids::newId(u"pol");
    policy.createdAt = policy.updatedAt = ctx.cloud.clock.now();
    policy.version = 1;
    if (auto saved = policies::savePolicy(ctx.cloud.db, ctx.caller.orgId, policy, 0); !saved)
        return refusedWrite(ctx, saved.error(), QStringLiteral("policy"));
    QStringList changed;
    const QJsonObject details = changeDetails(models::Policy{}, policy, &changed);
    return recordChange(ctx, QStringLiteral("policy.create"), policy.id, details, QStringLiteral("policy.created"),
                        policy.toJson(), HttpResponse::json(201, policy.toJson()));
}

Reply getPolicy(RequestContext& ctx)
{
    ApiError error;
    auto policy = policyInOrg(ctx, ctx.param(QStringLiteral("policyId")), &error);
    if (!policy)
        return error;
    return HttpResponse::json(200, policy->toJson());
}

Reply updatePolicy(RequestContext& ctx)
{
    ApiError error;
    auto stored = policyInOrg(ctx, ctx.param(QStringLiteral("policyId")), &error);
    if (!stored)
        return error;
    auto body = ctx.jsonBody();
    if (!body)
        return ctx.fail(body.error());
    models::Policy policy = *stored;
    QStringList problems;
    bool maxDurationGiven = false;
    json::ObjectReader reader(*body);
    const qint64 version = reader.requiredInteger(QStringLiteral("version"), 1, std::numeric_limits<qint32>::max());
    readPolicy(reader, policy, false, &maxDurationGiven, &problems);
    if (auto ok = reader.finish(); !ok || !problems.isEmpty())
        return validationError(reader.errors() + problems);
    if (version != stored->version)
        return ApiError::versionConflict(QStringLiteral("policy"), version, stored->version);
    auto references = checkReferences(ctx, policy, false);
    if (!references)
        return ctx.fail(references.error());
    if (!references->isEmpty())
        return validationError(*references);

    QStringList changed;
    const QJsonObject details = changeDetails(*stored, policy, &changed);
    if (changed.isEmpty()) {
        // Nothing to write: the version stays and nobody is told of a change. The attempt is still on the record.
        AuditEvent e = ctx.auditEvent(QStringLiteral("policy.update"));
        e.targetType = QStringLiteral("policy");
        e.targetId = stored->id;
        for (auto it = details.constBegin(); it != details.constEnd(); ++it)
            e.details.insert(it.key(), it.value());
        if (!ctx.audit(e))
            return ApiError::internal();
        return HttpResponse::json(200, stored->toJson());
    }
    policy.updatedAt = ctx.cloud.clock.now();
    policy.version = stored->version + 1;
    auto saved = policies::savePolicy(ctx.cloud.db, ctx.caller.orgId, policy, stored->version);
    if (!saved)
        return refusedWrite(ctx, saved.error(), QStringLiteral("policy"));
    if (!*saved)
        return ApiError::versionConflict(QStringLiteral("policy"));
    return recordChange(ctx, QStringLiteral("policy.update"), policy.id, details, QStringLiteral("policy.updated"),
                        policy.toJson(), HttpResponse::json(200, policy.toJson()));
}

Reply deletePolicy(RequestContext& ctx)
{
    ApiError error;
    auto policy = policyInOrg(ctx, ctx.param(QStringLiteral("policyId")), &error);
    if (!policy)
        return error;
    auto removed = policies::removePolicy(ctx.cloud.db, ctx.caller.orgId, policy->id);
    if (!removed)
        return ctx.fail(removed.error());
    // Checkouts it granted keep their policy id as a record of why they were allowed; taking back access that is
    // still live is the provisioning engine's reconciliation.
    return recordChange(ctx, QStringLiteral("policy.delete"), policy->id, {{QStringLiteral("name"), policy->name}},
                        QStringLiteral("policy.deleted"), {{QStringLiteral("id"), policy->id}},
                        HttpResponse::noContent());
}

} // namespace stint::cloud::api
