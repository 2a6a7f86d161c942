// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Workspace.h"
#include "ui/models/RowTableModel.h"

// What an admin should look at, newest first: revocations that could not be confirmed, drift that reconciliation
// found, connections that became unhealthy. New ones (not acknowledged) are marked and counted for the badge.
namespace stint::ui {

class AlertsModel : public RowTableModel<client::Workspace::Alert>
{
    Q_OBJECT
public:
    enum Column
    {
        Seen,
        Kind,
        Tenant,
        Message,
        Raised,
        ColumnCount,
    };

    explicit AlertsModel(client::Workspace& workspace, QObject* parent = nullptr);

    void reload();
    void refreshTimes() { columnChanged(Raised); }
    int unacknowledged() const;
    static QString kindText(const QString& kind);

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const client::Workspace::Alert& a) const override { return a.id; }
    QVariant cell(const client::Workspace::Alert& a, int column, int role) const override;
    QString searchTextOf(const client::Workspace::Alert& a) const override;

private:
    client::Workspace& m_workspace;
};

} // namespace stint::ui
