// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"
#include "ui/common/UiContext.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QStackedLayout;

// The selected tenant, on the right of the tenant list: its name and connection, what my grants let me ask for there
// (per policy: roles, longest window, approval, required fields), the "Request access…" button (or why it is off),
// and my checkout there as a card — the open one, or the last one when it ended recently, so that "Denied" or
// "Failed" and the reason stay in view.
namespace stint::ui {

class CheckoutActions;
class CheckoutCard;
class EmptyState;
class SecondTicker;
class StatusChip;

class TenantPanel : public QWidget
{
    Q_OBJECT
public:
    // How long a finished checkout stays on the tenant's panel.
    static constexpr qint64 kRecentMs = 12 * 3600'000;

    TenantPanel(UiContext& context, CheckoutActions& actions, SecondTicker& ticker, QWidget* parent = nullptr);

    void setTenant(const QString& tenantId);
    QString tenantId() const { return m_tenantId; }
    // My checkout shown on the panel, if any.
    CheckoutCard* card() const { return m_card; }
    // Whether a request can be made here now (a tenant, my grants, no open checkout, a usable session).
    bool canRequest() const;
    void setSessionUsable(bool usable);
    void refresh();

signals:
    void requestClicked();

private:
    const models::Checkout* shownCheckout() const;

    UiContext& m_ctx;
    CheckoutActions& m_actions;
    SecondTicker& m_ticker;
    QString m_tenantId;
    bool m_sessionUsable = true;

    QStackedLayout* m_stack;
    EmptyState* m_empty;
    QWidget* m_content;
    QLabel* m_name;
    StatusChip* m_connection;
    QLabel* m_grants;
    QPushButton* m_request;
    QLabel* m_requestHint;
    CheckoutCard* m_card = nullptr;
    QWidget* m_cardHolder;
};

} // namespace stint::ui
