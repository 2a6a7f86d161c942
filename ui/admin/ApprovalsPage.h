// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/admin/AdminPage.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTableView;

// Requests waiting for an admin: who asks, for which tenant and roles, how long, why (justification and ticket), and
// how long they have waited. Approve, or deny (asking for a comment the technician will read). An admin's own
// requests are shown but cannot be decided here: another admin must.
namespace stint::ui {

class ActionStatus;
class ApprovalsModel;
class EmptyState;
class RowSearchProxy;
class SelectionKeeper;

class ApprovalsPage : public AdminPage
{
    Q_OBJECT
public:
    explicit ApprovalsPage(UiContext& context, QWidget* parent = nullptr);

    void showApproval(const QString& checkoutId);
    QString currentCheckoutId() const;
    int waitingForMe() const;
    void tick() override;

    void approve();
    void deny();

private:
    void showDetails();
    void updateTimes();
    void updateEmpty();

    ApprovalsModel* m_model;
    RowSearchProxy* m_proxy;
    QTableView* m_table;
    SelectionKeeper* m_selection;
    QStackedWidget* m_stack;
    EmptyState* m_empty;
    QStackedWidget* m_detailsStack;
    QLabel* m_title;
    QLabel* m_facts;
    QLabel* m_justification;
    QLabel* m_waiting;
    QLabel* m_own;
    QLineEdit* m_comment;
    QPushButton* m_approve;
    QPushButton* m_deny;
    ActionStatus* m_actionStatus;
};

} // namespace stint::ui
