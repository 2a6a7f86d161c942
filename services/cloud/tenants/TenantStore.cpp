// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/tenants/TenantStore.h"

#include "cloud/policies/PolicyStore.h"

#include <QHash>
#include <QJsonDocument>

namespace stint::cloud::tenants {

namespace {
const QString kColumns = QStringLiteral("id, org_id, name, notes, entra_tenant_id, connection_status, connection,"
                                        " created_at, updated_at, version");

models::Tenant tenantFromRow(const store::Row& r)
{
    models::Tenant t;
    t.id = r.text(0);
    t.orgId = r.text(1);
    t.name = r.text(2);
    t.notes = r.text(3);
    const std::optional<QString> entraTenantId = r.isNull(4) ? std::nullopt : std::optional<QString>(r.text(4));
    t.connection = models::TenantConnection::fromSettings(QJsonDocument::fromJson(r.text(6).toUtf8()).object(),
                                                          r.text(5), entraTenantId);
    t.createdAt = r.integer(7);
    t.updatedAt = r.integer(8);
    t.version = r.integer(9);
    return t;
}

bool sameRow(const store::Row& a, const store::Row& b)
{
    if (a.size() != b.size())
        return false;
    for (int i = 0; i < a.size(); ++i) {
        if (!(a.value(i) == b.value(i)))
            return false;
    }
    return true;
}

// The row parsed and rendered, from what this thread kept when the same row (every column equal) was read before.
std::shared_ptr<const ListedTenant> listedTenant(const store::Row& r)
{
    struct Kept
    {
        store::Row row;
        std::shared_ptr<const ListedTenant> listed;
    };
    thread_local QHash<QString, Kept> kept;
    const QString id = r.text(0);
    auto it = kept.find(id);
    if (it != kept.end() && sameRow(it->row, r))
        return it->listed;
    auto listed = std::make_shared<ListedTenant>();
    listed->tenant = tenantFromRow(r);
    listed->json = QJsonDocument(listed->tenant.toJson()).toJson(QJsonDocument::Compact);
    if (it != kept.end()) {
        *it = Kept{r, listed};
    } else {
        if (kept.size() >= kListedTenantsKept)
            kept.clear(); // simple, and rare: a page holds at most 201
        kept.insert(id, Kept{r, listed});
    }
    return listed;
}

QString settingsText(const models::Tenant& t)
{
    return QString::fromUtf8(QJsonDocument(t.connection.settingsJson()).toJson(QJsonDocument::Compact));
}
} // namespace

Result<std::optional<models::Tenant>> loadTenant(store::Database& db, const QString& orgId, const QString& tenantId)
{
    auto rows =
        db.query(QStringLiteral("SELECT %1 FROM tenants WHERE id = ? AND org_id = ?").arg(kColumns), {tenantId, orgId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<models::Tenant>();
    return std::optional<models::Tenant>(tenantFromRow(rows->front()));
}

Result<QList<std::shared_ptr<const ListedTenant>>> loadTenantPage(store::Database& db, const QString& orgId,
                                                                  const QString& afterId, int limit,
                                                                  const QString& grantedTo)
{
    QString sql = QStringLiteral("SELECT %1 FROM tenants WHERE org_id = ? AND id > ?").arg(kColumns);
    store::Params params{orgId, afterId};
    if (!grantedTo.isEmpty()) {
        sql += QStringLiteral(" AND id IN (SELECT tenant_id FROM policy_tenants WHERE policy_id IN (%1))")
                   .arg(policies::policiesNamingPersonSql());
        params << orgId << grantedTo << grantedTo;
    }
    sql += QStringLiteral(" ORDER BY id LIMIT ?");
    params << qint64(limit);
    auto rows = db.query(sql, params);
    if (!rows)
        return rows.error();
    QList<std::shared_ptr<const ListedTenant>> out;
    out.reserve(qsizetype(rows->size()));
    for (const auto& r : *rows)
        out.append(listedTenant(r));
    return out;
}

Result<bool> isGranted(store::Database& db, const QString& orgId, const QString& tenantId, const QString& personId)
{
    auto rows = db.query(QStringLiteral("SELECT 1 FROM policy_tenants WHERE tenant_id = ? AND policy_id IN (%1)"
                                        " LIMIT 1")
                             .arg(policies::policiesNamingPersonSql()),
                         {tenantId, orgId, personId, personId});
    if (!rows)
        return rows.error();
    return !rows->empty();
}

Result<void> insertTenant(store::Database& db, const models::Tenant& t)
{
    return db.exec(
        QStringLiteral("INSERT INTO tenants (id, org_id, name, notes, entra_tenant_id, connection_status,"
                       " connection, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {t.id, t.orgId, t.name, t.notes,
         t.connection.entraTenantId ? store::Value(*t.connection.entraTenantId) : store::Value(nullptr),
         t.connection.status, settingsText(t), t.createdAt, t.updatedAt, t.version});
}

Result<bool> saveTenant(store::Database& db, const models::Tenant& t, qint64 expectedVersion)
{
    // Status and Entra tenant id belong to the connection flow: an admin's edit never writes them, so it cannot
    // undo a connection that completed meanwhile.
    auto n = db.execCount(QStringLiteral("UPDATE tenants SET name = ?, notes = ?, connection = ?, updated_at = ?,"
                                         " version = ? WHERE id = ? AND org_id = ? AND version = ?"),
                          {t.name, t.notes, settingsText(t), t.updatedAt, t.version, t.id, t.orgId, expectedVersion});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<qint64> removeTenant(store::Database& db, const QString& orgId, const QString& tenantId)
{
    auto removed =
        db.execCount(QStringLiteral("DELETE FROM checkouts WHERE tenant_id = ? AND org_id = ?"), {tenantId, orgId});
    if (!removed)
        return removed.error();
    STINT_TRY(db.exec(QStringLiteral("DELETE FROM policy_tenants WHERE tenant_id IN"
                                     " (SELECT id FROM tenants WHERE id = ? AND org_id = ?)"),
                      {tenantId, orgId}));
    STINT_TRY(db.exec(QStringLiteral("DELETE FROM tenants WHERE id = ? AND org_id = ?"), {tenantId, orgId}));
    return *removed;
}

} // namespace stint::cloud::tenants
