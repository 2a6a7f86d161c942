// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/admin/AdminPage.h"

class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;

// What needs an admin's eyes: revocations that could not be confirmed, drift found by reconciliation, connections
// that became unhealthy. New ones are bold and counted in the view's badge until acknowledged; each leads to the
// tenant or checkout it is about.
namespace stint::ui {

class AlertsModel;
class RowSearchProxy;
class SelectionKeeper;

class AlertsPage : public AdminPage
{
    Q_OBJECT
public:
    explicit AlertsPage(UiContext& context, QWidget* parent = nullptr);

    QString currentAlertId() const;
    void tick() override;
    void acknowledge();
    void acknowledgeAll();

signals:
    void openTenant(const QString& tenantId);
    void openCheckout(const QString& checkoutId);

private:
    void showDetails();

    AlertsModel* m_model;
    RowSearchProxy* m_proxy;
    QTableView* m_table;
    SelectionKeeper* m_selection;
    QStackedWidget* m_stack;
    QStackedWidget* m_detailsStack;
    QLabel* m_title;
    QLabel* m_message;
    QLabel* m_advice;
    QLabel* m_when;
    QPushButton* m_acknowledge;
    QPushButton* m_acknowledgeAll;
    QPushButton* m_open;
};

} // namespace stint::ui
