// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/admin/AdminPage.h"

class QCheckBox;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;

// Webhooks: where Stint posts checkout, alert and connection events. For the chosen one: pause or resume it, delete
// it (confirmed), and its deliveries — how each went, the receiver's last answer — with redeliver for one that was
// delivered or given up on. Adding one shows its signing secret once.
namespace stint::ui {

class ActionStatus;
class DeliveriesModel;
class RowSearchProxy;
class SelectionKeeper;
class WebhooksModel;

class WebhooksPage : public AdminPage
{
    Q_OBJECT
public:
    explicit WebhooksPage(UiContext& context, QWidget* parent = nullptr);

    QString currentWebhookId() const;
    QString currentDeliveryId() const;
    void addWebhook();
    void toggleEnabled();
    void deleteWebhook();
    void loadDeliveries();
    void redeliver();

private:
    void showDetails();
    void updateDeliveryButtons();

    WebhooksModel* m_model;
    RowSearchProxy* m_proxy;
    DeliveriesModel* m_deliveries;
    QTableView* m_table;
    QTableView* m_deliveriesTable;
    SelectionKeeper* m_selection;
    SelectionKeeper* m_deliverySelection;
    QStackedWidget* m_stack;
    QStackedWidget* m_detailsStack;
    QLabel* m_url;
    QLabel* m_facts;
    QPushButton* m_toggle;
    QPushButton* m_delete;
    QCheckBox* m_deadOnly;
    QPushButton* m_refresh;
    QPushButton* m_redeliver;
    QLabel* m_deliveriesNote;
    ActionStatus* m_actionStatus;
    QString m_deliveriesOf;
    quint64 m_generation = 0;
};

} // namespace stint::ui
