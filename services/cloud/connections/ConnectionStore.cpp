// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/connections/ConnectionStore.h"

#include "cloud/tenants/TenantStore.h"

#include <QJsonDocument>

namespace stint::cloud::connections {

namespace {
QString text(const QJsonObject& o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject object(const QString& s)
{
    return QJsonDocument::fromJson(s.toUtf8()).object();
}

std::optional<TimeMs> optionalTime(const store::Row& r, int i)
{
    return r.isNull(i) ? std::nullopt : std::optional<TimeMs>(r.integer(i));
}

// Makes sure the tenant has a tenant_connections row.
Result<void> ensureRow(store::Database& db, const QString& orgId, const QString& tenantId, TimeMs now)
{
    auto rows = db.query(QStringLiteral("SELECT 1 FROM tenant_connections WHERE tenant_id = ?"), {tenantId});
    if (!rows)
        return rows.error();
    if (!rows->empty())
        return {};
    return db.exec(QStringLiteral("INSERT INTO tenant_connections (tenant_id, org_id, report, last_error,"
                                  " reconcile_summary, updated_at) VALUES (?, ?, '{}', '{}', '{}', ?)"),
                   {tenantId, orgId, now});
}
} // namespace

Result<ConnectionRecord> loadConnectionRecord(store::Database& db, const QString& orgId, const QString& tenantId)
{
    auto rows = db.query(QStringLiteral("SELECT report, last_error, checked_at, reconciled_at, drift_found,"
                                        " reconcile_summary FROM tenant_connections WHERE tenant_id = ? AND org_id = ?"),
                         {tenantId, orgId});
    if (!rows)
        return rows.error();
    ConnectionRecord record;
    if (rows->empty())
        return record;
    const store::Row& r = rows->front();
    record.report = object(r.text(0));
    record.lastError = object(r.text(1));
    record.checkedAt = optionalTime(r, 2);
    record.reconciledAt = optionalTime(r, 3);
    record.driftFound = r.integer(4);
    record.reconcileSummary = object(r.text(5));
    return record;
}

Result<void> saveCheckResult(store::Database& db, const QString& orgId, const QString& tenantId,
                             const QJsonObject& report, const QJsonObject& lastError, TimeMs checkedAt)
{
    STINT_TRY(ensureRow(db, orgId, tenantId, checkedAt));
    if (!report.isEmpty())
        STINT_TRY(db.exec(QStringLiteral("UPDATE tenant_connections SET report = ? WHERE tenant_id = ?"),
                          {text(report), tenantId}));
    return db.exec(QStringLiteral("UPDATE tenant_connections SET last_error = ?, checked_at = ?, updated_at = ?"
                                  " WHERE tenant_id = ?"),
                   {text(lastError), checkedAt, checkedAt, tenantId});
}

Result<void> saveConnectError(store::Database& db, const QString& orgId, const QString& tenantId,
                              const QJsonObject& lastError, TimeMs now)
{
    STINT_TRY(ensureRow(db, orgId, tenantId, now));
    return db.exec(QStringLiteral("UPDATE tenant_connections SET last_error = ?, updated_at = ? WHERE tenant_id = ?"),
                   {text(lastError), now, tenantId});
}

Result<void> saveReconcileResult(store::Database& db, const QString& orgId, const QString& tenantId,
                                 const QJsonObject& summary, qint64 driftFound, TimeMs reconciledAt)
{
    STINT_TRY(ensureRow(db, orgId, tenantId, reconciledAt));
    return db.exec(QStringLiteral("UPDATE tenant_connections SET reconcile_summary = ?, drift_found = ?,"
                                  " reconciled_at = ?, updated_at = ? WHERE tenant_id = ?"),
                   {text(summary), driftFound, reconciledAt, reconciledAt, tenantId});
}

Result<void> clearConnectionRecord(store::Database& db, const QString& orgId, const QString& tenantId)
{
    return db.exec(QStringLiteral("DELETE FROM tenant_connections WHERE tenant_id = ? AND org_id = ?"),
                   {tenantId, orgId});
}

Result<void> setConnectionStatus(store::Database& db, const QString& orgId, const QString& tenantId,
                                 const QString& status, const std::optional<QString>& entraTenantId, TimeMs now)
{
    if (entraTenantId)
        return db.exec(QStringLiteral("UPDATE tenants SET connection_status = ?, entra_tenant_id = ?, updated_at = ?,"
                                      " version = version + 1 WHERE id = ? AND org_id = ?"),
                       {status, entraTenantId->isEmpty() ? store::Value(nullptr) : store::Value(*entraTenantId), now,
                        tenantId, orgId});
    return db.exec(QStringLiteral("UPDATE tenants SET connection_status = ?, updated_at = ?, version = version + 1"
                                  " WHERE id = ? AND org_id = ?"),
                   {status, now, tenantId, orgId});
}

Result<std::optional<QString>> tenantBoundTo(store::Database& db, const QString& entraTenantId,
                                             const QString& exceptTenantId)
{
    auto rows = db.query(QStringLiteral("SELECT id FROM tenants WHERE entra_tenant_id = ? AND id <> ?"),
                         {entraTenantId, exceptTenantId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<QString>();
    return std::optional<QString>(rows->front().text(0));
}

Result<QList<models::Tenant>> provenTenants(store::Database& db)
{
    auto rows = db.query(QStringLiteral("SELECT org_id, id FROM tenants WHERE connection_status IN (?, ?)"
                                        " AND entra_tenant_id IS NOT NULL ORDER BY id"),
                         {kConnected, kUnhealthy});
    if (!rows)
        return rows.error();
    QList<models::Tenant> out;
    for (const store::Row& r : *rows) {
        auto t = tenants::loadTenant(db, r.text(0), r.text(1));
        if (!t)
            return t.error();
        if (t->has_value())
            out.append(**t);
    }
    return out;
}

Result<void> insertConnectState(store::Database& db, const QByteArray& stateHash, const ConnectState& s)
{
    return db.exec(QStringLiteral("INSERT INTO connect_states (state_hash, org_id, tenant_id, session_id, person_id,"
                                  " kind, redirect_uri, tenant_hint, sealed_verifier, created_at, expires_at)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                   {stateHash, s.orgId, s.tenantId, s.sessionId, s.personId, s.kind, s.redirectUri, s.tenantHint,
                    s.sealedVerifier.isEmpty() ? store::Value(nullptr) : store::Value(s.sealedVerifier), s.createdAt,
                    s.expiresAt});
}

Result<std::optional<ConnectState>> loadConnectState(store::Database& db, const QByteArray& stateHash)
{
    auto rows = db.query(QStringLiteral("SELECT org_id, tenant_id, session_id, person_id, kind, redirect_uri,"
                                        " tenant_hint, sealed_verifier, created_at, expires_at, used_at"
                                        " FROM connect_states WHERE state_hash = ?"),
                         {stateHash});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<ConnectState>();
    const store::Row& r = rows->front();
    ConnectState s;
    s.orgId = r.text(0);
    s.tenantId = r.text(1);
    s.sessionId = r.text(2);
    s.personId = r.text(3);
    s.kind = r.text(4);
    s.redirectUri = r.text(5);
    s.tenantHint = r.text(6);
    s.sealedVerifier = r.isNull(7) ? QByteArray() : r.blob(7);
    s.createdAt = r.integer(8);
    s.expiresAt = r.integer(9);
    s.usedAt = optionalTime(r, 10);
    return std::optional<ConnectState>(s);
}

Result<bool> markConnectStateUsed(store::Database& db, const QByteArray& stateHash, TimeMs now)
{
    auto n = db.execCount(QStringLiteral("UPDATE connect_states SET used_at = ? WHERE state_hash = ? AND used_at IS NULL"),
                          {now, stateHash});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<void> pruneConnectStates(store::Database& db, TimeMs cutoff)
{
    return db.exec(QStringLiteral("DELETE FROM connect_states WHERE expires_at < ?"), {cutoff});
}

} // namespace stint::cloud::connections
