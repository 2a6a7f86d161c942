// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Checkout.h"

#include "models/JsonFields.h"

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

bool isFinal(CheckoutState state)
{
    switch (state) {
    case CheckoutState::Ended:
    case CheckoutState::Denied:
    case CheckoutState::Cancelled:
    case CheckoutState::Expired:
    case CheckoutState::Failed:
        return true;
    default:
        return false;
    }
}

QStringList openCheckoutStateNames()
{
    QStringList names;
    for (const auto& entry : kStateNames) {
        if (!isFinal(entry.first))
            names << entry.second;
    }
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

Result<Checkout> Checkout::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("checkout"));
    Checkout c;
    c.id = r.string(QStringLiteral("id"));
    c.tenantId = r.string(QStringLiteral("tenantId"));
    c.technicianId = r.string(QStringLiteral("technicianId"));
    c.policyId = r.optionalString(QStringLiteral("policyId"));
    c.roleDefinitionIds = r.stringList(QStringLiteral("roleDefinitionIds"));
    c.durationMinutes = int(r.integer(QStringLiteral("durationMinutes")));
    c.justification = r.optionalString(QStringLiteral("justification"));
    c.ticket = r.optionalString(QStringLiteral("ticket"));
    const QString state = r.string(QStringLiteral("state"));
    if (auto s = checkoutStateFromString(state))
        c.state = *s;
    else if (r.ok())
        r.fail(QStringLiteral("state"), QStringLiteral("unknown state '%1'").arg(state));
    c.stateReason = r.optionalString(QStringLiteral("stateReason"));
    c.requestedAt = r.time(QStringLiteral("requestedAt"));
    c.nextActionAt = r.optionalTime(QStringLiteral("approvalExpiresAt"));
    c.decidedBy = r.nullableString(QStringLiteral("decidedBy"));
    c.decidedAt = r.optionalTime(QStringLiteral("decidedAt"));
    c.readyAt = r.optionalTime(QStringLiteral("readyAt"));
    c.expiresAt = r.optionalTime(QStringLiteral("expiresAt"));
    c.endedAt = r.optionalTime(QStringLiteral("endedAt"));
    c.accountUpn = r.nullableString(QStringLiteral("accountUpn"));
    c.attempts = r.optionalInteger(QStringLiteral("attempts")).value_or(0);
    c.updatedAt = r.optionalTime(QStringLiteral("updatedAt")).value_or(c.requestedAt);
    c.version = r.optionalInteger(QStringLiteral("version")).value_or(1);
    if (!r.ok())
        return r.error();
    return c;
}

bool Checkout::isLive() const
{
    switch (state) {
    case CheckoutState::Provisioning:
    case CheckoutState::Ready:
    case CheckoutState::Revoking:
    case CheckoutState::RevokeFailed:
        return true;
    default:
        return false;
    }
}

bool Checkout::isOver() const
{
    return isFinal(state);
}

QJsonObject CheckoutRequest::toJson() const
{
    QJsonObject o{{QStringLiteral("tenantId"), tenantId},
                  {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roleDefinitionIds)},
                  {QStringLiteral("durationMinutes"), durationMinutes}};
    if (!justification.isEmpty())
        o.insert(QStringLiteral("justification"), justification);
    if (!ticket.isEmpty())
        o.insert(QStringLiteral("ticket"), ticket);
    return o;
}

Result<CheckoutCredential> CheckoutCredential::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("credential"));
    CheckoutCredential c;
    c.userPrincipalName = r.string(QStringLiteral("userPrincipalName"));
    c.expiresAt = r.time(QStringLiteral("expiresAt"));
    c.temporaryAccessPassExpiresAt = r.optionalTime(QStringLiteral("temporaryAccessPassExpiresAt"));
    // The only copies of the secrets outside this object are inside `o`, which the caller drops right after.
    c.password = crypto::SecretBytes(r.optionalString(QStringLiteral("password")).toUtf8());
    c.temporaryAccessPass = crypto::SecretBytes(r.optionalString(QStringLiteral("temporaryAccessPass")).toUtf8());
    if (r.ok() && c.password.isEmpty() && c.temporaryAccessPass.isEmpty())
        r.fail(QStringLiteral("password"), QStringLiteral("neither a password nor a Temporary Access Pass"));
    if (!r.ok())
        return r.error();
    return c;
}

} // namespace stint::models
