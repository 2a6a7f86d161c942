// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/Notifier.h"

#include "client/ExpiryWatch.h"
#include "ui/common/Desktop.h"
#include "ui/common/TimeText.h"
#include "ui/technician/AccessOptions.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcNotifier, "stint.ui.notifier")

namespace stint::ui {

using client::Workspace;
using models::Checkout;
using models::CheckoutState;

namespace {
// Keeps the map of sent notifications from growing without bound over a long day.
constexpr int kRemembered = 200;
} // namespace

Notifier::Notifier(Workspace& workspace, client::ExpiryWatch& expiry, Desktop& desktop, QObject* parent)
    : QObject(parent)
    , m_workspace(workspace)
    , m_desktop(desktop)
{
    connect(&expiry, &client::ExpiryWatch::endingSoon, this, &Notifier::onEndingSoon);
    connect(&workspace, &Workspace::checkoutChanged, this, &Notifier::onCheckoutChanged);
    connect(&workspace, &Workspace::approvalArrived, this, &Notifier::onApprovalArrived);
    connect(&workspace, &Workspace::alertRaised, this, &Notifier::onAlertRaised);
    connect(&desktop, &Desktop::actionInvoked, this, &Notifier::onAction);
}

QString Notifier::tenantName(const QString& tenantId) const
{
    const models::Tenant* t = m_workspace.tenant(tenantId);
    return t ? t->name : tr("a customer tenant");
}

QString Notifier::roleNames(const Checkout& c) const
{
    const models::Tenant* t = m_workspace.tenant(c.tenantId);
    QStringList names;
    for (const QString& id : c.roleDefinitionIds)
        names.append(t ? t->roleName(id) : id);
    return names.join(QStringLiteral(", "));
}

// Extending makes sense while the policy leaves room (the technician view's rule, so the button and the extension
// agree); when this app cannot tell, the service decides.
bool Notifier::mayExtend(const Checkout& c) const
{
    const models::Tenant* t = m_workspace.tenant(c.tenantId);
    if (!t)
        return true;
    const std::optional<int> allowance = access::extendAllowance(*t, c);
    return !allowance || *allowance > 0;
}

void Notifier::onEndingSoon(const Checkout& c, qint64 remainingMs)
{
    const int minutes = int(qMax<qint64>(remainingMs + 30'000, 60'000) / 60'000);
    QList<QPair<QString, QString>> actions;
    const bool extendable = mayExtend(c);
    if (extendable)
        actions.append({QString::fromLatin1(kExtend), tr("Extend")});
    actions.append({QString::fromLatin1(kEnd), tr("End now")});
    const QString body = extendable ? tr("Extend it if you need more time, or end it now if you are done.")
                                    : tr("Your policy allows no more time. End it now if you are done.");
    const QString id = m_desktop.notify(
        tr("Access to %1 ends in %n minute(s)", nullptr, minutes).arg(tenantName(c.tenantId)), body, actions);
    qCInfo(lcNotifier) << "expiry warning for" << c.id;
    remember(id, Subject::MyCheckout, c.id);
}

void Notifier::onCheckoutChanged(const Checkout& c, const QString& previousState)
{
    const auto me = m_workspace.me();
    if (!me || c.technicianId != me->person.id || previousState.isEmpty())
        return;
    if (previousState == models::toString(c.state))
        return;
    QString title;
    QString body;
    switch (c.state) {
    case CheckoutState::Ready:
        title = tr("Your access to %1 is ready").arg(tenantName(c.tenantId));
        body = c.expiresAt ? tr("%1 until %2.").arg(roleNames(c), TimeText::when(*c.expiresAt, m_workspace.serverNow()))
                           : roleNames(c);
        break;
    case CheckoutState::Denied:
        title = tr("Your request for %1 was denied").arg(tenantName(c.tenantId));
        body = c.stateReason.isEmpty() ? tr("No reason was given.") : c.stateReason;
        break;
    case CheckoutState::Failed:
        title = tr("Your access to %1 could not be set up").arg(tenantName(c.tenantId));
        body = c.stateReason.isEmpty() ? tr("Open Stint for details.") : c.stateReason;
        break;
    case CheckoutState::Revoking:
    case CheckoutState::Ended:
        // Ended by someone else (an admin) while it was in use: say so; the person's own "End now" needs no news.
        if (previousState != QLatin1String("ready") || c.stateReason.isEmpty())
            return;
        title = tr("Your access to %1 was ended").arg(tenantName(c.tenantId));
        body = c.stateReason;
        break;
    default:
        return;
    }
    const QString id = m_desktop.notify(title, body, {});
    remember(id, Subject::MyCheckout, c.id);
}

void Notifier::onApprovalArrived(const Checkout& c)
{
    const QString who = m_workspace.personName(c.technicianId);
    const QString body = tr("%1 asks for %2 for %3.").arg(who, roleNames(c), TimeText::minutes(c.durationMinutes))
        + (c.justification.isEmpty() ? QString() : QStringLiteral("\n") + tr("Reason: %1").arg(c.justification));
    const QString id = m_desktop.notify(tr("Approval needed for %1").arg(tenantName(c.tenantId)), body,
                                        {{QString::fromLatin1(kReview), tr("Review")}});
    remember(id, Subject::Approval, c.id);
}

void Notifier::onAlertRaised(const Workspace::Alert& alert)
{
    if (!m_workspace.isAdmin())
        return;
    QString title;
    if (alert.kind == QLatin1String("revoke_failed"))
        title = tr("Access in %1 could not be confirmed as removed").arg(tenantName(alert.tenantId));
    else if (alert.kind == QLatin1String("drift"))
        title = tr("Unexpected admin access found in %1").arg(tenantName(alert.tenantId));
    else
        title = tr("The connection to %1 needs attention").arg(tenantName(alert.tenantId));
    const QString id = m_desktop.notify(title, alert.message, {{QString::fromLatin1(kDefault), tr("Show")}});
    remember(id, Subject::Alert, alert.id);
}

void Notifier::onAction(const QString& notificationId, const QString& actionId)
{
    const auto it = m_sent.constFind(notificationId);
    if (it == m_sent.constEnd())
        return;
    const Sent sent = *it;
    qCInfo(lcNotifier) << "notification action" << actionId;
    switch (sent.subject) {
    case Subject::MyCheckout:
        if (actionId == QLatin1String(kExtend))
            emit extendRequested(sent.id);
        else if (actionId == QLatin1String(kEnd))
            emit endRequested(sent.id);
        else
            emit showCheckoutRequested(sent.id);
        break;
    case Subject::Approval:
        emit showApprovalRequested(sent.id);
        break;
    case Subject::Alert:
        emit showAlertsRequested();
        break;
    }
}

void Notifier::remember(const QString& notificationId, Subject subject, const QString& id)
{
    if (m_sent.size() >= kRemembered)
        m_sent.clear(); // a day-old notification's buttons then do nothing
    m_sent.insert(notificationId, {subject, id});
}

} // namespace stint::ui
