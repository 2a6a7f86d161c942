// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Webhook.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// The organization's webhooks: where Stint posts events, which ones, and whether it does so now.
namespace stint::ui {

class WebhooksModel : public RowTableModel<models::Webhook>
{
    Q_OBJECT
public:
    enum Column
    {
        Url,
        Events,
        Enabled,
        Description,
        ColumnCount,
    };

    explicit WebhooksModel(client::Workspace& workspace, QObject* parent = nullptr);

    void reload();
    static QString eventTypeText(const QString& type);
    static QString eventTypesText(const QStringList& types);

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::Webhook& w) const override { return w.id; }
    QVariant cell(const models::Webhook& w, int column, int role) const override;
    QString searchTextOf(const models::Webhook& w) const override;

private:
    client::Workspace& m_workspace;
};

} // namespace stint::ui
