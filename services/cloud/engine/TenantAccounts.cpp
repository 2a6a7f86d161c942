// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/engine/TenantAccounts.h"

namespace stint::cloud::engine {

Result<std::optional<TenantAccount>> loadTenantAccount(store::Database& db, const QString& tenantId,
                                                       const QString& personId)
{
    auto rows = db.query(QStringLiteral("SELECT org_id, account_id, upn, created_at FROM tenant_accounts"
                                        " WHERE tenant_id = ? AND person_id = ?"),
                         {tenantId, personId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<TenantAccount>();
    const store::Row& r = rows->front();
    return std::optional<TenantAccount>(
        TenantAccount{r.text(0), tenantId, personId, r.text(1), r.text(2), r.integer(3)});
}

Result<void> recordTenantAccount(store::Database& db, const TenantAccount& a)
{
    auto updated = db.execCount(QStringLiteral("UPDATE tenant_accounts SET account_id = ?, upn = ?"
                                               " WHERE tenant_id = ? AND person_id = ?"),
                                {a.accountId, a.userPrincipalName, a.tenantId, a.personId});
    if (!updated)
        return updated.error();
    if (*updated > 0)
        return {};
    return db.exec(QStringLiteral("INSERT INTO tenant_accounts (org_id, tenant_id, person_id, account_id, upn,"
                                  " created_at) VALUES (?, ?, ?, ?, ?, ?)"),
                   {a.orgId, a.tenantId, a.personId, a.accountId, a.userPrincipalName, a.createdAt});
}

Result<void> forgetTenantAccount(store::Database& db, const QString& tenantId, const QString& personId)
{
    return db.exec(QStringLiteral("DELETE FROM tenant_accounts WHERE tenant_id = ? AND person_id = ?"),
                   {tenantId, personId});
}

} // namespace stint::cloud::engine
