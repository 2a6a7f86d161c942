// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/policies/PolicyStore.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <optional>
#include <tuple>

namespace stint::cloud::policies {

namespace {
const QString kColumns = QStringLiteral("id, name, description, roles, max_duration_minutes, require_justification,"
                                        " require_ticket, require_approval, created_at, updated_at, version");


QString rolesText(const QStringList& roles)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(roles)).toJson(QJsonDocument::Compact));
}

QStringList rolesFromText(const QString& text)
{
    QStringList roles;
    for (const auto& v : QJsonDocument::fromJson(text.toUtf8()).array())
        roles << v.toString();
    return roles;
}

// The row's own columns; tenants and subjects are filled by completePolicy.
models::Policy policyFromRow(const store::Row& r)
{
    models::Policy p;
    p.id = r.text(0);
    p.name = r.text(1);
    p.description = r.text(2);
    p.roleDefinitionIds = rolesFromText(r.text(3));
    p.maxDurationMinutes = int(r.integer(4));
    p.requireJustification = r.integer(5) != 0;
    p.requireTicket = r.integer(6) != 0;
    p.requireApproval = r.integer(7) != 0;
    p.createdAt = r.integer(8);
    p.updatedAt = r.integer(9);
    p.version = r.integer(10);
    return p;
}

Result<void> completePolicy(store::Database& db, models::Policy& p)
{
    auto tenants =
        db.query(QStringLiteral("SELECT tenant_id FROM policy_tenants WHERE policy_id = ? ORDER BY tenant_id"), {p.id});
    if (!tenants)
        return tenants.error();
    for (const auto& t : *tenants)
        p.tenantIds << t.text(0);
    auto subjects = db.query(QStringLiteral("SELECT subject_type, subject_id FROM policy_subjects WHERE policy_id = ?"
                                            " ORDER BY subject_type, subject_id"),
                             {p.id});
    if (!subjects)
        return subjects.error();
    for (const auto& s : *subjects)
        p.subjects.append({s.text(0), s.text(1)});
    return {};
}

// What `p` lets its subject do in `tenant`, if anything (see grantsIn). Whether `p` covers the tenant is the
// caller's business.
std::optional<models::TenantGrant> grantIn(const models::Tenant& tenant, const models::Policy& p)
{
    models::TenantGrant g;
    // Policies are checked against the tenant's offer when saved, and a tenant cannot withdraw a role a policy
    // grants; the intersection still keeps a grant within what the tenant offers should the two ever drift.
    for (const QString& role : p.roleDefinitionIds) {
        if (tenant.connection.offers(role))
            g.roleDefinitionIds << role;
    }
    if (g.roleDefinitionIds.isEmpty())
        return std::nullopt;
    g.policyId = p.id;
    g.policyName = p.name;
    g.maxDurationMinutes = std::min(p.maxDurationMinutes, tenant.connection.maxDurationMinutes);
    g.requireJustification = p.requireJustification;
    g.requireTicket = p.requireTicket;
    g.requireApproval = p.requireApproval;
    return g;
}

Result<QList<models::Policy>> policiesFromRows(store::Database& db, const store::Rows& rows)
{
    QList<models::Policy> out;
    for (const auto& r : rows) {
        models::Policy p = policyFromRow(r);
        STINT_TRY(completePolicy(db, p));
        out.append(std::move(p));
    }
    return out;
}
} // namespace

QString policiesNamingPersonSql()
{
    return QStringLiteral("SELECT ps.policy_id FROM policy_subjects ps JOIN policies pp ON pp.id = ps.policy_id"
                          " WHERE pp.org_id = ? AND ((ps.subject_type = 'person' AND ps.subject_id = ?)"
                          " OR (ps.subject_type = 'group' AND ps.subject_id IN"
                          " (SELECT gm.group_id FROM group_members gm WHERE gm.person_id = ?)))");
}

Result<std::optional<models::Policy>> loadPolicy(store::Database& db, const QString& orgId, const QString& policyId)
{
    auto rows = db.query(QStringLiteral("SELECT %1 FROM policies WHERE id = ? AND org_id = ?").arg(kColumns),
                         {policyId, orgId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<models::Policy>();
    auto policies = policiesFromRows(db, *rows);
    if (!policies)
        return policies.error();
    return std::optional<models::Policy>(policies->front());
}

Result<QList<models::Policy>> loadPolicies(store::Database& db, const QString& orgId, const QString& afterId, int limit)
{
    auto rows = db.query(
        QStringLiteral("SELECT %1 FROM policies WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?").arg(kColumns),
        {orgId, afterId, qint64(limit)});
    if (!rows)
        return rows.error();
    return policiesFromRows(db, *rows);
}

Result<QList<models::Policy>> policiesNaming(store::Database& db, const QString& orgId, const QString& personId,
                                             const QString& tenantId)
{
    QString sql = QStringLiteral("SELECT %1 FROM policies WHERE org_id = ? AND id IN (%2)")
                      .arg(kColumns, policiesNamingPersonSql());
    store::Params params{orgId, orgId, personId, personId};
    if (!tenantId.isEmpty()) {
        sql += QStringLiteral(" AND id IN (SELECT policy_id FROM policy_tenants WHERE tenant_id = ?)");
        params << tenantId;
    }
    auto rows = db.query(sql + QStringLiteral(" ORDER BY id"), params);
    if (!rows)
        return rows.error();
    return policiesFromRows(db, *rows);
}

Result<QStringList> policiesGrantingRoles(store::Database& db, const QString& orgId, const QString& tenantId,
                                          const QStringList& roleIds)
{
    auto rows = db.query(QStringLiteral("SELECT p.name, p.roles FROM policies p JOIN policy_tenants pt"
                                        " ON pt.policy_id = p.id WHERE p.org_id = ? AND pt.tenant_id = ?"),
                         {orgId, tenantId});
    if (!rows)
        return rows.error();
    QStringList names;
    for (const auto& r : *rows) {
        const QStringList roles = rolesFromText(r.text(1));
        if (std::any_of(roleIds.begin(), roleIds.end(), [&](const QString& id) { return roles.contains(id); }))
            names << r.text(0);
    }
    names.sort();
    return names;
}

Result<bool> savePolicy(store::Database& db, const QString& orgId, const models::Policy& p, qint64 expectedVersion)
{
    const store::Params values{p.name,
                               p.description,
                               rolesText(p.roleDefinitionIds),
                               qint64(p.maxDurationMinutes),
                               qint64(p.requireJustification),
                               qint64(p.requireTicket),
                               qint64(p.requireApproval),
                               p.updatedAt,
                               p.version};
    if (expectedVersion == 0) {
        STINT_TRY(
            db.exec(QStringLiteral("INSERT INTO policies (name, description, roles, max_duration_minutes,"
                                   " require_justification, require_ticket, require_approval, updated_at,"
                                   " version, id, org_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                    values + store::Params{p.id, orgId, p.createdAt}));
    } else {
        auto n = db.execCount(QStringLiteral("UPDATE policies SET name = ?, description = ?, roles = ?,"
                                             " max_duration_minutes = ?, require_justification = ?, require_ticket = ?,"
                                             " require_approval = ?, updated_at = ?, version = ?"
                                             " WHERE id = ? AND org_id = ? AND version = ?"),
                              values + store::Params{p.id, orgId, expectedVersion});
        if (!n)
            return n.error();
        if (*n == 0)
            return false;
        STINT_TRY(db.exec(QStringLiteral("DELETE FROM policy_tenants WHERE policy_id = ?"), {p.id}));
        STINT_TRY(db.exec(QStringLiteral("DELETE FROM policy_subjects WHERE policy_id = ?"), {p.id}));
    }
    for (const QString& tenantId : p.tenantIds)
        STINT_TRY(db.exec(QStringLiteral("INSERT INTO policy_tenants (policy_id, tenant_id) VALUES (?, ?)"),
                          {p.id, tenantId}));
    for (const models::PolicySubject& s : p.subjects)
        STINT_TRY(db.exec(QStringLiteral("INSERT INTO policy_subjects (policy_id, subject_type, subject_id)"
                                         " VALUES (?, ?, ?)"),
                          {p.id, s.type, s.id}));
    return true;
}

Result<bool> removePolicy(store::Database& db, const QString& orgId, const QString& policyId)
{
    // Explicit rather than relying on ON DELETE CASCADE, which the PostgreSQL backend's schema may not share.
    STINT_TRY(db.exec(QStringLiteral("DELETE FROM policy_subjects WHERE policy_id IN"
                                     " (SELECT id FROM policies WHERE id = ? AND org_id = ?)"),
                      {policyId, orgId}));
    STINT_TRY(db.exec(QStringLiteral("DELETE FROM policy_tenants WHERE policy_id IN"
                                     " (SELECT id FROM policies WHERE id = ? AND org_id = ?)"),
                      {policyId, orgId}));
    auto n = db.execCount(QStringLiteral("DELETE FROM policies WHERE id = ? AND org_id = ?"), {policyId, orgId});
    if (!n)
        return n.error();
    return *n > 0;
}

QList<models::TenantGrant> grantsIn(const models::Tenant& tenant, const QList<models::Policy>& policies)
{
    QList<models::TenantGrant> grants;
    for (const models::Policy& p : policies) {
        if (!p.tenantIds.contains(tenant.id))
            continue;
        if (auto g = grantIn(tenant, p))
            grants.append(std::move(*g));
    }
    rankGrants(grants);
    return grants;
}

Result<QHash<QString, QList<models::TenantGrant>>> grantsFor(store::Database& db, const QString& orgId,
                                                             const QString& personId,
                                                             const QList<const models::Tenant*>& tenants)
{
    QHash<QString, QList<models::TenantGrant>> out;
    if (tenants.isEmpty())
        return out;
    // A range rather than a list of ids: one statement (and one prepared statement) whatever the page's size. Only
    // the columns a grant needs (a description may be long, and each row repeats its policy's).
    auto rows = db.query(QStringLiteral("SELECT pt.tenant_id, p.id, p.name, p.roles, p.max_duration_minutes,"
                                        " p.require_justification, p.require_ticket, p.require_approval"
                                        " FROM policy_tenants pt JOIN policies p ON p.id = pt.policy_id"
                                        " WHERE p.org_id = ? AND pt.tenant_id >= ? AND pt.tenant_id <= ?"
                                        " AND p.id IN (%1)")
                             .arg(policiesNamingPersonSql()),
                         {orgId, tenants.constFirst()->id, tenants.constLast()->id, orgId, personId, personId});
    if (!rows)
        return rows.error();
    QHash<QString, const models::Tenant*> byId;
    byId.reserve(tenants.size());
    for (const models::Tenant* t : tenants)
        byId.insert(t->id, t);
    QHash<QString, models::Policy> policies; // each read once, though it covers many tenants of the page
    for (const store::Row& r : *rows) {
        const models::Tenant* tenant = byId.value(r.text(0));
        if (!tenant)
            continue;
        auto p = policies.find(r.text(1));
        if (p == policies.end()) {
            models::Policy read;
            read.id = r.text(1);
            read.name = r.text(2);
            read.roleDefinitionIds = rolesFromText(r.text(3));
            read.maxDurationMinutes = int(r.integer(4));
            read.requireJustification = r.integer(5) != 0;
            read.requireTicket = r.integer(6) != 0;
            read.requireApproval = r.integer(7) != 0;
            p = policies.insert(read.id, read);
        }
        if (auto g = grantIn(*tenant, *p))
            out[tenant->id].append(std::move(*g));
    }
    for (auto& grants : out)
        rankGrants(grants);
    return out;
}

void rankGrants(QList<models::TenantGrant>& grants)
{
    auto key = [](const models::TenantGrant& g) {
        return std::make_tuple(g.requireApproval, int(g.requireJustification) + int(g.requireTicket),
                               -g.maxDurationMinutes, g.policyId);
    };
    std::sort(grants.begin(), grants.end(),
              [&](const models::TenantGrant& a, const models::TenantGrant& b) { return key(a) < key(b); });
}

} // namespace stint::cloud::policies
