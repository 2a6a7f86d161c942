// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/CheckoutText.h"

#include "ui/common/TimeText.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcCheckoutText, "stint.ui.checkouttext")

namespace stint::ui {

using models::CheckoutState;

namespace {
constexpr int kMaxReasonLength = 200;

QString sentence(QString text)
{
    text = text.trimmed();
    if (text.size() > kMaxReasonLength)
        text = text.left(kMaxReasonLength - 1) + QChar(0x2026);
    return text;
}
} // namespace

QString CheckoutText::retryCause(const QString& stateReason)
{
    QString cause = stateReason.trimmed();
    if (cause.startsWith(QLatin1String("Retrying:"), Qt::CaseInsensitive))
        cause = cause.mid(9).trimmed();
    const QString lower = cause.toLower();
    if (lower.contains(QLatin1String("429")) || lower.contains(QLatin1String("throttl"))
        || lower.contains(QLatin1String("toomanyrequests")) || lower.contains(QLatin1String("budget")))
        return tr("Microsoft Graph asked to slow down");
    if (lower.contains(QLatin1String("unreachable")) || lower.contains(QLatin1String("timed out"))
        || lower.contains(QLatin1String("timeout")) || lower.contains(QLatin1String("connection refused")))
        return tr("Microsoft's service could not be reached");
    if (lower.contains(QLatin1String("replication")) || lower.contains(QLatin1String("not visible yet"))
        || lower.contains(QLatin1String("not found")))
        return tr("Microsoft Entra ID is still spreading the new account");
    if (lower.contains(QLatin1String("503")) || lower.contains(QLatin1String("502"))
        || lower.contains(QLatin1String("500")) || lower.contains(QLatin1String("transient")))
        return tr("Microsoft's service had a temporary problem");
    if (cause.isEmpty())
        return tr("a step has to be tried again");
    return sentence(cause);
}

QString CheckoutText::reason(const models::Checkout& c)
{
    const QString r = c.stateReason.trimmed();
    if (r.isEmpty())
        return {};
    if (r == QLatin1String("expired"))
        return tr("The time was up.");
    if (r == QLatin1String("ended_early") || r == QLatin1String("ended early"))
        return tr("You ended it early.");
    if (r == QLatin1String("policy_removed"))
        return tr("Your access policy no longer grants it.");
    return sentence(r);
}

QString CheckoutText::roleNames(const models::Checkout& c, const models::Tenant* tenant)
{
    QStringList names;
    for (const QString& r : c.roleDefinitionIds)
        names << (tenant ? tenant->roleName(r) : r);
    return names.join(QStringLiteral(", "));
}

QString CheckoutText::progress(const models::Checkout& c, const models::Tenant* tenant, TimeMs now)
{
    const QString tenantName = tenant ? tenant->name : tr("the tenant");
    switch (c.state) {
    case CheckoutState::Requested:
        if (tenant && tenant->connection.status != QLatin1String("connected")
            && tenant->connection.status != QLatin1String("unhealthy"))
            return tr("Waiting for %1 to be connected to Microsoft Entra ID. Stint prepares your access as soon as an "
                      "administrator connects it.")
                .arg(tenantName);
        return tr("Request sent. Stint is checking it against your access policies.");
    case CheckoutState::AwaitingApproval:
        if (c.nextActionAt)
            return tr("Waiting for an administrator to approve. The request lapses %1 (%2) if nobody decides.")
                .arg(TimeText::relative(*c.nextActionAt, now), TimeText::when(*c.nextActionAt, now));
        return tr("Waiting for an administrator to approve.");
    case CheckoutState::Provisioning: {
        if (tenant && tenant->connection.status != QLatin1String("connected")
            && tenant->connection.status != QLatin1String("unhealthy"))
            return tr("Waiting for %1 to be connected to Microsoft Entra ID. Stint prepares your access as soon as an "
                      "administrator connects it.")
                .arg(tenantName);
        if (c.attempts > 0)
            return tr("Still preparing: %1, retrying (attempt %2).").arg(retryCause(c.stateReason)).arg(c.attempts + 1);
        return tr("Preparing your account in %1: creating or enabling it, setting a fresh credential and assigning "
                  "the roles.")
            .arg(tenantName);
    }
    case CheckoutState::Ready:
        if (c.accountUpn)
            return tr("Ready. Sign in as %1.").arg(*c.accountUpn);
        return tr("Ready.");
    case CheckoutState::Revoking: {
        const QString why = reason(c);
        return why.isEmpty() ? tr("Ending access: removing the roles and disabling the account.")
                             : tr("Ending access: %1 Removing the roles and disabling the account.").arg(why);
    }
    case CheckoutState::RevokeFailed:
        return tr("Stint could not yet confirm that this access was removed. It keeps trying, and administrators "
                  "have been alerted.");
    case CheckoutState::Ended: {
        const QString why = reason(c);
        return why.isEmpty() ? tr("Access ended.") : tr("Access ended. %1").arg(why);
    }
    case CheckoutState::Denied: {
        const QString why = reason(c);
        return why.isEmpty() ? tr("Denied by an administrator.") : tr("Denied: %1").arg(why);
    }
    case CheckoutState::Cancelled:
        return tr("Cancelled.");
    case CheckoutState::Expired: {
        const QString why = reason(c);
        return why.isEmpty() ? tr("No administrator decided in time.") : why;
    }
    case CheckoutState::Failed: {
        const QString why = reason(c);
        return why.isEmpty() ? tr("Access could not be prepared.") : tr("Access could not be prepared: %1").arg(why);
    }
    }
    return {};
}

} // namespace stint::ui
