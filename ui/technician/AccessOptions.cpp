// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/AccessOptions.h"

#include <QLoggingCategory>
#include <algorithm>

Q_LOGGING_CATEGORY(lcAccessOptions, "stint.ui.accessoptions")

namespace stint::ui::access {

namespace {
constexpr int kOneClickExtendMinutes = 30;

int requiredFields(const models::TenantGrant& g)
{
    return int(g.requireJustification) + int(g.requireTicket);
}

// The service's order: no approval first, fewer required fields, longer maximum, then policy id.
bool morePermissive(const models::TenantGrant& a, const models::TenantGrant& b)
{
    if (a.requireApproval != b.requireApproval)
        return !a.requireApproval;
    if (requiredFields(a) != requiredFields(b))
        return requiredFields(a) < requiredFields(b);
    if (a.maxDurationMinutes != b.maxDurationMinutes)
        return a.maxDurationMinutes > b.maxDurationMinutes;
    return a.policyId < b.policyId;
}
} // namespace

QList<RoleOption> roleOptions(const models::Tenant& tenant)
{
    QList<RoleOption> out;
    for (const models::TenantGrant& g : tenant.myGrants) {
        for (const QString& id : g.roleDefinitionIds) {
            auto it
                = std::find_if(out.begin(), out.end(), [&](const RoleOption& o) { return o.roleDefinitionId == id; });
            if (it == out.end())
                out.append({id, tenant.roleName(id), g.requireApproval});
            else
                it->approvalAlways = it->approvalAlways && g.requireApproval;
        }
    }
    std::sort(out.begin(), out.end(), [](const RoleOption& a, const RoleOption& b) {
        const int c = QString::compare(a.displayName, b.displayName, Qt::CaseInsensitive);
        return c != 0 ? c < 0 : a.roleDefinitionId < b.roleDefinitionId;
    });
    return out;
}

QList<models::TenantGrant> covering(const models::Tenant& tenant, const QStringList& roleIds)
{
    QList<models::TenantGrant> out;
    if (roleIds.isEmpty())
        return out;
    for (const models::TenantGrant& g : tenant.myGrants) {
        if (g.grantsAll(roleIds))
            out.append(g);
    }
    std::sort(out.begin(), out.end(), morePermissive);
    return out;
}

int maxMinutes(const models::Tenant& tenant, const QStringList& roleIds)
{
    int longest = 0;
    for (const models::TenantGrant& g : covering(tenant, roleIds))
        longest = std::max(longest, g.maxDurationMinutes);
    // myGrants already apply the tenant's own maximum; this keeps a stale or odd answer within it too.
    return std::min(longest, tenant.connection.maxDurationMinutes);
}

std::optional<models::TenantGrant> chosenGrant(const models::Tenant& tenant, const QStringList& roleIds, int minutes)
{
    for (const models::TenantGrant& g : covering(tenant, roleIds)) {
        if (minutes <= g.maxDurationMinutes)
            return g;
    }
    return std::nullopt;
}

QList<int> durationSteps(int maxMinutes, int preferred)
{
    static const QList<int> kSteps {15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1440};
    QList<int> out;
    if (maxMinutes < models::kMinDurationMinutes)
        return out;
    for (int s : kSteps) {
        if (s <= maxMinutes)
            out.append(s);
    }
    if (!out.contains(maxMinutes))
        out.append(maxMinutes);
    if (preferred >= models::kMinDurationMinutes && preferred <= maxMinutes && !out.contains(preferred))
        out.append(preferred);
    std::sort(out.begin(), out.end());
    return out;
}

int defaultMinutes(const models::Tenant& tenant, int maxMinutes)
{
    return std::clamp(tenant.connection.defaultDurationMinutes, models::kMinDurationMinutes,
                      std::max(maxMinutes, models::kMinDurationMinutes));
}

std::optional<int> extendAllowance(const models::Tenant& tenant, const models::Checkout& checkout)
{
    if (!checkout.readyAt || !checkout.expiresAt)
        return std::nullopt;
    const int cap = maxMinutes(tenant, checkout.roleDefinitionIds);
    if (cap <= 0)
        return std::nullopt;
    // The service counts the window in whole minutes, rounded up (CheckoutsApi::extendCheckout).
    const qint64 windowMinutes = (*checkout.expiresAt - *checkout.readyAt + 59'999) / 60'000;
    return int(std::max<qint64>(0, cap - windowMinutes));
}

QList<int> extendSteps(int allowance)
{
    static const QList<int> kSteps {15, 30, 60, 120, 240};
    QList<int> out;
    for (int s : kSteps) {
        if (s <= allowance)
            out.append(s);
    }
    if (allowance > 0 && !out.contains(allowance))
        out.append(allowance);
    std::sort(out.begin(), out.end());
    return out;
}

int oneClickExtendMinutes(std::optional<int> allowance)
{
    if (!allowance)
        return kOneClickExtendMinutes;
    return std::min(kOneClickExtendMinutes, *allowance);
}

} // namespace stint::ui::access
