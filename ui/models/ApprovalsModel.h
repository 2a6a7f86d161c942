// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// Requests waiting for an admin's approval, oldest first: who asks, where, for which roles and how long, and how
// long they have been waiting. The admin's own requests are listed too (marked: another admin must decide them).
namespace stint::ui {

class ApprovalsModel : public RowTableModel<models::Checkout>
{
    Q_OBJECT
public:
    enum Column
    {
        Technician,
        Tenant,
        Roles,
        Duration,
        Waiting,
        ColumnCount,
    };

    explicit ApprovalsModel(client::Workspace& workspace, QObject* parent = nullptr);

    void reload();
    // The waiting times moved on (called by the page's clock).
    void refreshTimes() { columnChanged(Waiting); }
    // Requests that this admin may decide (not their own).
    int decidableCount() const;

    // "Global Administrator, User Administrator": the role names of a checkout as its tenant offers them.
    static QString roleNames(const client::Workspace& workspace, const models::Checkout& checkout);
    static QString tenantName(const client::Workspace& workspace, const QString& tenantId);

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::Checkout& c) const override { return c.id; }
    QVariant cell(const models::Checkout& c, int column, int role) const override;
    QString searchTextOf(const models::Checkout& c) const override;

private:
    bool isMine(const models::Checkout& c) const;

    client::Workspace& m_workspace;
};

} // namespace stint::ui
