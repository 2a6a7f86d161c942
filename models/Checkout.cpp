// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Checkout.h"

#include <QJsonArray>

#include <array>
#include <utility>

namespace stint::models {

namespace {
const std::array<std::pair<CheckoutState, QLatin1String>, 11> kStateNames{{
    {CheckoutState::Requested, QLatin1String("requested")},
    {CheckoutState::AwaitingApproval, QLatin1String("awaiting_approval")},
    {CheckoutState::Provisioning, QLatin1String("provisioning")},
    {CheckoutState::Ready, QLatin1String("ready")},
    {CheckoutState::Revoking, QLatin1String("revoking")},
    {CheckoutState::Ended, QLatin1String("ended")},
    {CheckoutState::Denied, QLatin1String("denied")},
    {CheckoutState::Cancelled, QLatin1String("cancelled")},
    {CheckoutState::Expired, QLatin1String("expired")},
    {CheckoutState::Failed, QLatin1String("failed")},
    {CheckoutState::RevokeFailed, QLatin1String("revoke_failed")},
}};

QJsonValue optionalTime(const std::optional<TimeMs>& t)
{
    return t ? QJsonValue(toRfc3339(*t)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalText(const std::optional<QString>& s)
{
    return s ? QJsonValue(*s) : QJsonValue(QJsonValue::Null);
}
} // namespace

QString toString(CheckoutState state)
{
    for (const auto& [s, name] : kStateNames) {
        if (s == state)
            return name;
    }
    return {};
}

std::optional<CheckoutState> checkoutStateFromString(QStringView name)
{
    for (const auto& [s, n] : kStateNames) {
        if (name == n)
            return s;
    }
    return std::nullopt;
}

QStringList checkoutStateNames()
{
    QStringList names;
    for (const auto& entry : kStateNames)
        names << entry.second;
    return names;
}

QJsonObject Checkout::toJson() const
{
    const bool awaiting = state == CheckoutState::AwaitingApproval;
    return {{QStringLiteral("id"), id},
            {QStringLiteral("tenantId"), tenantId},
            {QStringLiteral("technicianId"), technicianId},
            {QStringLiteral("policyId"), policyId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(policyId)},
            {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roleDefinitionIds)},
            {QStringLiteral("durationMinutes"), durationMinutes},
            {QStringLiteral("justification"), justification},
            {QStringLiteral("ticket"), ticket},
            {QStringLiteral("state"), toString(state)},
            {QStringLiteral("stateReason"), stateReason},
            {QStringLiteral("requestedAt"), toRfc3339(requestedAt)},
            {QStringLiteral("approvalExpiresAt"), awaiting ? optionalTime(nextActionAt) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("decidedBy"), optionalText(decidedBy)},
            {QStringLiteral("decidedAt"), optionalTime(decidedAt)},
            {QStringLiteral("readyAt"), optionalTime(readyAt)},
            {QStringLiteral("expiresAt"), optionalTime(expiresAt)},
            {QStringLiteral("endedAt"), optionalTime(endedAt)},
            {QStringLiteral("accountUpn"), optionalText(accountUpn)},
            {QStringLiteral("credentialAvailable"), state == CheckoutState::Ready},
            {QStringLiteral("attempts"), attempts},
            {QStringLiteral("updatedAt"), toRfc3339(updatedAt)},
            {QStringLiteral("version"), version}};
}

} // namespace stint::models
