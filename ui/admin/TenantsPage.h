// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/admin/AdminPage.h"

class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;

// Customer tenants: the list (searchable), and for the chosen one its connection at a glance — status, the proven
// Entra tenant, where and how accounts are made, its health with what to do about each finding — and the actions:
// connect (or reconnect), settings, check now, reconcile now, disconnect and remove (both confirmed, naming what
// they take away). Disconnecting a tenant with live checkouts revokes them first; the page finishes the disconnect
// by itself once they have ended.
namespace stint::ui {

class ActionStatus;
class AdminTenantModel;
class EmptyState;
class HealthView;
class RowSearchProxy;
class SelectionKeeper;
class StatusChip;

class TenantsPage : public AdminPage
{
    Q_OBJECT
public:
    explicit TenantsPage(UiContext& context, QWidget* parent = nullptr);

    void showTenant(const QString& tenantId);
    QString currentTenantId() const;
    void tick() override;

    // The dialogs (also for the view's keyboard shortcuts and tests).
    void addTenant();
    void connectTenant();
    void openSettings();
    void checkNow();
    void reconcileNow();
    void disconnectTenant();
    void removeTenant();

private:
    void showDetails();
    void showHealth();
    void loadConnection(const QString& tenantId);
    void updateEmpty();
    void finishPendingDisconnect();

    AdminTenantModel* m_model;
    RowSearchProxy* m_proxy;
    QTableView* m_table;
    SelectionKeeper* m_selection;
    QStackedWidget* m_stack;
    EmptyState* m_empty;
    QStackedWidget* m_detailsStack;
    QWidget* m_noSelection;
    QLabel* m_name;
    StatusChip* m_chip;
    QLabel* m_facts;
    QLabel* m_notes;
    HealthView* m_health;
    ActionStatus* m_actionStatus;
    QPushButton* m_connect;
    QPushButton* m_settings;
    QPushButton* m_check;
    QPushButton* m_reconcile;
    QPushButton* m_disconnect;
    QPushButton* m_remove;
    QString m_loading; // the tenant whose connection is being read
    QString m_pendingDisconnect; // revoking its live checkouts; disconnect again when they have ended
};

} // namespace stint::ui
