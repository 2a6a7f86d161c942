// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Tenant.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// The admin's table of customer tenants: name, connection status, the domain accounts are made on, and how many
// checkouts are live there (what disconnecting would revoke). Kept current from the Workspace.
namespace stint::ui {

class AdminTenantModel : public RowTableModel<models::Tenant>
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Connection,
        Domain,
        Live,
        ColumnCount,
    };

    explicit AdminTenantModel(client::Workspace& workspace, QObject* parent = nullptr);

    void reload();
    int liveCheckouts(const QString& tenantId) const { return m_live.value(tenantId); }

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::Tenant& t) const override { return t.id; }
    QVariant cell(const models::Tenant& t, int column, int role) const override;
    QString searchTextOf(const models::Tenant& t) const override;

private:
    client::Workspace& m_workspace;
    QHash<QString, int> m_live;
};

} // namespace stint::ui
