// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/engine/TenantAccounts.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace stint::cloud::engine {

namespace {

// Object ids as Graph gives them: short, printable, no separators. Anything else makes the whole record unknown.
bool isObjectId(const QJsonValue& value)
{
    const QString id = value.toString();
    if (!value.isString() || id.isEmpty() || id.size() > 128)
        return false;
    return std::all_of(id.cbegin(), id.cend(), [](QChar c) {
        return (c.isLetterOrNumber() && c.unicode() < 128) || c == QLatin1Char('-') || c == QLatin1Char('_');
    });
}

QString grantsToText(const std::optional<entra::GrantedObjects>& granted)
{
    if (!granted)
        return {};
    QJsonArray roles;
    for (const auto& assignment : granted->roleAssignments)
        roles.append(QJsonObject{{QStringLiteral("id"), assignment.id},
                                 {QStringLiteral("roleDefinitionId"), assignment.roleDefinitionId}});
    const QJsonObject object{{QStringLiteral("roleAssignments"), roles},
                             {QStringLiteral("temporaryAccessPasses"),
                              QJsonArray::fromStringList(granted->temporaryAccessPassIds)}};
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// Strict: a record with an unknown member or a malformed id is not trusted as a hint at all (the revocation then
// reads first, which costs a round trip and nothing else).
std::optional<entra::GrantedObjects> grantsFromText(const QString& text)
{
    if (text.isEmpty())
        return std::nullopt;
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    if (object.size() != 2 || !object.value(QStringLiteral("roleAssignments")).isArray()
        || !object.value(QStringLiteral("temporaryAccessPasses")).isArray())
        return std::nullopt;
    entra::GrantedObjects out;
    for (const QJsonValue& value : object.value(QStringLiteral("roleAssignments")).toArray()) {
        const QJsonObject role = value.toObject();
        if (role.size() != 2 || !isObjectId(role.value(QStringLiteral("id")))
            || !isObjectId(role.value(QStringLiteral("roleDefinitionId"))))
            return std::nullopt;
        out.roleAssignments.append({role.value(QStringLiteral("id")).toString(),
                                    role.value(QStringLiteral("roleDefinitionId")).toString()});
    }
    for (const QJsonValue& value : object.value(QStringLiteral("temporaryAccessPasses")).toArray()) {
        if (!isObjectId(value))
            return std::nullopt;
        out.temporaryAccessPassIds.append(value.toString());
    }
    return out;
}

store::Value textOrNull(const QString& text)
{
    return text.isEmpty() ? store::Value(nullptr) : store::Value(text);
}

} // namespace

Result<std::optional<TenantAccount>> loadTenantAccount(store::Database& db, const QString& tenantId,
                                                       const QString& personId)
{
    auto rows = db.query(QStringLiteral("SELECT org_id, account_id, upn, created_at, granted_objects"
                                        " FROM tenant_accounts WHERE tenant_id = ? AND person_id = ?"),
                         {tenantId, personId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<TenantAccount>();
    const store::Row& r = rows->front();
    return std::optional<TenantAccount>(TenantAccount{r.text(0), tenantId, personId, r.text(1), r.text(2),
                                                      r.integer(3),
                                                      r.isNull(4) ? std::nullopt : grantsFromText(r.text(4))});
}

Result<void> recordTenantAccount(store::Database& db, const TenantAccount& a)
{
    const store::Value granted = textOrNull(grantsToText(a.granted));
    auto updated = db.execCount(QStringLiteral("UPDATE tenant_accounts SET account_id = ?, upn = ?, granted_objects = ?"
                                               " WHERE tenant_id = ? AND person_id = ?"),
                                {a.accountId, a.userPrincipalName, granted, a.tenantId, a.personId});
    if (!updated)
        return updated.error();
    if (*updated > 0)
        return {};
    return db.exec(QStringLiteral("INSERT INTO tenant_accounts (org_id, tenant_id, person_id, account_id, upn,"
                                  " created_at, granted_objects) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                   {a.orgId, a.tenantId, a.personId, a.accountId, a.userPrincipalName, a.createdAt, granted});
}

Result<void> recordRenewedPass(store::Database& db, const QString& tenantId, const QString& personId,
                               const QString& passId)
{
    auto account = loadTenantAccount(db, tenantId, personId);
    if (!account)
        return account.error();
    if (!account->has_value() || !(*account)->granted || passId.isEmpty())
        return {};
    // "A user can only have one Temporary Access Pass": the new one replaces the one recorded.
    (*account)->granted->temporaryAccessPassIds = {passId};
    return db.exec(QStringLiteral("UPDATE tenant_accounts SET granted_objects = ? WHERE tenant_id = ? AND person_id = ?"),
                   {grantsToText((*account)->granted), tenantId, personId});
}

Result<void> forgetGrants(store::Database& db, const QString& tenantId, const QString& personId)
{
    return db.exec(QStringLiteral("UPDATE tenant_accounts SET granted_objects = NULL WHERE tenant_id = ? AND person_id = ?"),
                   {tenantId, personId});
}

Result<void> forgetTenantAccount(store::Database& db, const QString& tenantId, const QString& personId)
{
    return db.exec(QStringLiteral("DELETE FROM tenant_accounts WHERE tenant_id = ? AND person_id = ?"),
                   {tenantId, personId});
}

} // namespace stint::cloud::engine
