// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"
#include "ui/common/UiContext.h"

#include <QFrame>

class QLabel;
class QPushButton;

// One checkout as a card: its state chip, the tenant and roles, what is happening now (with the engine's retry reason
// when preparing is slow), the countdown while ready, the account, the credential panel, and what can be done now
// (Launch ▾, Extend…, End now — or Withdraw request while waiting). The card holds no timer: the view's SecondTicker
// calls tick(), so every countdown changes on the same second. Actions run through the view's CheckoutActions, whose
// status (busy, done, failed) the card shows in place.
namespace stint::ui {

class BusySpinner;
class CheckoutActions;
class CredentialPanel;
class PortalMenu;
class StatusChip;

class CheckoutCard : public QFrame
{
    Q_OBJECT
public:
    // `showTenant`: the card names its tenant in the title (the "My access" list) instead of "Your access".
    CheckoutCard(UiContext& context, CheckoutActions& actions, bool showTenant, QWidget* parent = nullptr);

    QString checkoutId() const { return m_checkout.id; }
    const models::Checkout& checkout() const { return m_checkout; }
    void setCheckout(const models::Checkout& checkout);
    // Re-reads the checkout and its tenant from the workspace (gone: the card keeps what it last knew).
    void refresh();
    // Actions off (the session ended); the card still shows what it knew.
    void setActionsEnabled(bool enabled);
    // Draws attention to the card (after showCheckout) and focuses its main button.
    void highlight();

public slots:
    void tick(stint::TimeMs now);
    void openExtendDialog();

private:
    void updateStatus();
    void updateCountdown(TimeMs now);

    UiContext& m_ctx;
    CheckoutActions& m_actions;
    bool m_showTenant;
    bool m_actionsEnabled = true;
    models::Checkout m_checkout;

    QLabel* m_title;
    StatusChip* m_chip;
    QLabel* m_roles;
    BusySpinner* m_progressSpinner;
    QLabel* m_progress;
    QLabel* m_countdownCaption;
    QLabel* m_countdown;
    QLabel* m_until;
    QLabel* m_account;
    QPushButton* m_copyAccount;
    CredentialPanel* m_credential;
    QPushButton* m_launch;
    PortalMenu* m_portalMenu;
    QPushButton* m_extend;
    QPushButton* m_end;
    BusySpinner* m_actionSpinner;
    QLabel* m_actionStatus;
    QWidget* m_readyArea;
};

} // namespace stint::ui
