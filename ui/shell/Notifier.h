// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Workspace.h"

#include <QHash>
#include <QObject>
#include <QPointer>

namespace stint::client {
class ExpiryWatch;
}

// Which desktop notifications Stint shows, and what their buttons do: five minutes before one of my checkouts ends
// (Extend — offered only while the policy leaves room — and End now), my access being ready or refused, an approval
// arriving for an admin (Review), an alert (Show). Everything else stays in the window. Notifications go through
// ui::Desktop; a click on one comes back as a request signal the shell routes to the right view.
namespace stint::ui {

class Desktop;

class Notifier : public QObject
{
    Q_OBJECT
public:
    Notifier(client::Workspace& workspace, client::ExpiryWatch& expiry, Desktop& desktop, QObject* parent = nullptr);

    // Action ids offered on notifications ("default" is a click on the notification itself).
    static constexpr auto kDefault = "default";
    static constexpr auto kExtend = "extend";
    static constexpr auto kEnd = "end";
    static constexpr auto kReview = "review";

signals:
    void showCheckoutRequested(const QString& checkoutId);
    void extendRequested(const QString& checkoutId);
    void endRequested(const QString& checkoutId);
    void showApprovalRequested(const QString& checkoutId);
    void showAlertsRequested();

private:
    enum class Subject
    {
        MyCheckout,
        Approval,
        Alert,
    };
    struct Sent
    {
        Subject subject;
        QString id;
    };

    void onEndingSoon(const models::Checkout& checkout, qint64 remainingMs);
    void onCheckoutChanged(const models::Checkout& checkout, const QString& previousState);
    void onApprovalArrived(const models::Checkout& checkout);
    void onAlertRaised(const client::Workspace::Alert& alert);
    void onAction(const QString& notificationId, const QString& actionId);
    void remember(const QString& notificationId, Subject subject, const QString& id);
    bool mayExtend(const models::Checkout& checkout) const;
    QString tenantName(const QString& tenantId) const;
    QString roleNames(const models::Checkout& checkout) const;

    client::Workspace& m_workspace;
    Desktop& m_desktop;
    QHash<QString, Sent> m_sent; // notification id → what it was about
};

} // namespace stint::ui
