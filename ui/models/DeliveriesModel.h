// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Webhook.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// One webhook's deliveries, newest first: which event, how it went (delivered, still trying, given up), how many
// attempts, and the receiver's last answer. Read on demand, not kept by the Workspace.
namespace stint::ui {

class DeliveriesModel : public RowTableModel<models::WebhookDelivery>
{
    Q_OBJECT
public:
    enum Column
    {
        Event,
        Status,
        Attempts,
        LastAnswer,
        LastAttempt,
        ColumnCount,
    };

    explicit DeliveriesModel(client::Workspace& workspace, QObject* parent = nullptr);

    // Shown newest first, whatever order they come in.
    void setDeliveries(QList<models::WebhookDelivery> deliveries);
    void clear() { setRows({}); }
    static QString statusText(const QString& status);

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::WebhookDelivery& d) const override { return d.id; }
    QVariant cell(const models::WebhookDelivery& d, int column, int role) const override;
    QString searchTextOf(const models::WebhookDelivery& d) const override;

private:
    client::Workspace& m_workspace;
};

} // namespace stint::ui
