// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/admin/AdminPage.h"

class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;

// Every live checkout of the organization, with the time left counted to the service's clock (one clock for the
// whole view, on the second), and revoke — which takes a reason, as the audit log records it. A revocation that
// cannot be confirmed stays here, marked, until it is.
namespace stint::ui {

class ActionStatus;
class EmptyState;
class LiveCheckoutsModel;
class RowSearchProxy;
class SelectionKeeper;
class StatusChip;

class LiveCheckoutsPage : public AdminPage
{
    Q_OBJECT
public:
    explicit LiveCheckoutsPage(UiContext& context, QWidget* parent = nullptr);

    void showCheckout(const QString& checkoutId);
    QString currentCheckoutId() const;
    void tick() override;
    void revoke();

private:
    void showDetails();
    void updateRemaining();
    void updateEmpty();

    LiveCheckoutsModel* m_model;
    RowSearchProxy* m_proxy;
    QTableView* m_table;
    SelectionKeeper* m_selection;
    QStackedWidget* m_stack;
    QStackedWidget* m_detailsStack;
    QLabel* m_title;
    StatusChip* m_chip;
    QLabel* m_remaining;
    QLabel* m_facts;
    QLabel* m_reason;
    QLabel* m_offline;
    QPushButton* m_revoke;
    ActionStatus* m_actionStatus;
};

} // namespace stint::ui
